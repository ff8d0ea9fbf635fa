/*
 * hb_ext.c - hil-bench's protocol extensions; every command starts with "hb-" and, like the MLPerf
 * commands, its reply ends with m-ready (printed by the dispatcher).
 *
 *   hb-info                  m-hb-info-KEY=VALUE lines: board, model, arena, stack, timer, tensors
 *   hb-put LEN CRC           m-hb-put-ready-LEN, then LEN raw bytes into the input buffer,
 *                            then m-hb-put-ok or e-[hb-put crc ...] (CRC-32, hex)
 *   hb-get I                 output tensor I as a frame: m-hb-frame-LEN-CRC\r\n RAW \r\n
 *   hb-infer N W P           W warm-ups, N timed runs (m-hb-ticks-T each); P=1 adds one profiled run
 *                            (m-hb-layer-I-NAME-T per op); m-hb-infer-done
 *   hb-batch N LEN CRC       batched inference, one round trip for N samples: m-hb-batch-ready-N,
 *                            then LEN = N x input-bytes raw (the N inputs back to back, each the
 *                            model's inputs in order), checked against CRC (CRC-32, hex); then N
 *                            untimed inferences and ONE frame of N x output-bytes (each sample's
 *                            outputs in order), then m-hb-batch-done. A bad CRC answers
 *                            e-[hb-batch crc mismatch ...] before anything runs (the host resends).
 *                            Inputs and outputs share the db buffer: N <= batch_max from hb-info,
 *                            the host splits larger data sets into such chunks.
 *   hb-read OFF LEN          model bytes [OFF, OFF+LEN) read back from flash, as a frame
 *   hb-crc OFF LEN           m-hb-crc-XXXXXXXX of those model bytes
 *   hb-sink LEN              m-hb-sink-ready-LEN, swallow LEN raw bytes (link rate reference)
 *   hb-exit CODE             m-hb-exit-CODE, then leave (semihosting exit code on simulators)
 *   hb-fault / hb-hang       fault tests: trigger a UsageFault / stop answering
 */
#include <string.h>

#include "hb_app.h"
#include "hb_board_config.h"
#include "hb_bsp.h"
#include "hb_crc32.h"
#include "hb_fmt.h"
#include "hb_model.h"

#ifndef HB_MAX_PROFILED_OPS
#define HB_MAX_PROFILED_OPS 256u
#endif

static uint64_t g_op_ticks[HB_MAX_PROFILED_OPS];

static void send_frame(const void *data, size_t len)
{
    hb_printf("m-hb-frame-%u-%08x\r\n", (unsigned)len, (unsigned)hb_crc32(0u, data, len));
    hb_uart_write(data, len);
    hb_printf("\r\n");
}

static int two_args(uint32_t *a, uint32_t *b, const char *usage)
{
    if (!hb_parse_u32(hb_next_token(), a) || !hb_parse_u32(hb_next_token(), b)) {
        hb_printf("e-[usage: %s]\r\n", usage);
        return 0;
    }
    return 1;
}

static void print_tensor(const char *kind, size_t i, const hb_app_tensor *t)
{
    uint32_t scale_bits;
    memcpy(&scale_bits, &t->scale, sizeof scale_bits);
    hb_printf("m-hb-info-%s%u=type:%d,bytes:%u,scale:%08x,zp:%ld,dims:", kind, (unsigned)i, t->type,
              (unsigned)t->bytes, (unsigned)scale_bits, (long)t->zero_point);
    for (int d = 0; d < t->ndims; ++d) hb_printf(d ? "x%ld" : "%ld", (long)t->dims[d]);
    hb_printf("\r\n");
}

/* Samples per hb-batch: inputs and outputs of all of them must fit the db buffer together. */
static size_t batch_max(void)
{
    size_t per = hb_input_bytes() + hb_output_bytes();
    return hb_input_bytes() && hb_output_bytes() ? HB_DB_BUFFER_SIZE / per : 0u;
}

static void cmd_info(void)
{
    hb_printf("m-hb-info-board=%s\r\n", HB_BOARD_NAME);
    hb_printf("m-hb-info-image=%s\r\n", HB_IMAGE_KIND);
    hb_printf("m-hb-info-model_status=%s\r\n", hb_model_status());
    hb_printf("m-hb-info-model_bytes=%u\r\n", (unsigned)hb_model_bytes());
    hb_printf("m-hb-info-model_address=0x%08x\r\n", (unsigned)(uintptr_t)hb_model_data());
    hb_printf("m-hb-info-arena_bytes=%u\r\n", (unsigned)hb_model_arena_size());
    hb_printf("m-hb-info-arena_used=%u\r\n", (unsigned)hb_model_arena_used());
    hb_printf("m-hb-info-stack_bytes=%u\r\n", (unsigned)hb_bsp_stack_size());
    hb_printf("m-hb-info-stack_used=%u\r\n", (unsigned)hb_bsp_stack_used());
    hb_printf("m-hb-info-db_buffer_bytes=%u\r\n", (unsigned)HB_DB_BUFFER_SIZE);
    hb_printf("m-hb-info-batch_max=%u\r\n", (unsigned)batch_max());
    hb_printf("m-hb-info-timer=%s\r\n", hb_timer_name());
    hb_printf("m-hb-info-timer_hz=%u\r\n", (unsigned)hb_timer_hz());
    hb_printf("m-hb-info-ops=%u\r\n", (unsigned)hb_model_op_count());
    for (int out = 0; out < 2; ++out) {
        for (size_t i = 0; i < hb_model_io_count(out); ++i) {
            hb_app_tensor t;
            if (hb_model_io(out, i, &t) == 0) print_tensor(out ? "output" : "input", i, &t);
        }
    }
}

static void cmd_put(void)
{
    uint32_t len, crc;
    if (!two_args(&len, &crc, "hb-put LEN CRC32HEX")) return;
    if (len == 0u || len > HB_DB_BUFFER_SIZE) {
        hb_printf("e-[hb-put length %u outside 1..%u]\r\n", (unsigned)len, (unsigned)HB_DB_BUFFER_SIZE);
        return;
    }
    hb_printf("m-hb-put-ready-%u\r\n", (unsigned)len);
    for (uint32_t i = 0; i < len; ++i) g_db_buf[i] = hb_uart_getc();
    uint32_t got = hb_crc32(0u, g_db_buf, len);
    if (got != crc) {
        g_db_pos = 0;
        hb_printf("e-[hb-put crc mismatch: received %08x expected %08x]\r\n", (unsigned)got, (unsigned)crc);
        return;
    }
    g_db_size = g_db_pos = len;
    hb_printf("m-hb-put-ok\r\n");
}

static void cmd_get(void)
{
    uint32_t i;
    hb_app_tensor t;
    if (!hb_parse_u32(hb_next_token(), &i) || hb_model_io(1, i, &t) != 0) {
        hb_printf("e-[hb-get: no output %s]\r\n", hb_model_status());
        return;
    }
    send_frame(t.data, t.bytes);
}

static void cmd_infer(void)
{
    uint32_t n, w, p = 0;
    if (!two_args(&n, &w, "hb-infer N WARMUP [PROFILE]")) return;
    char *tok = hb_next_token();
    if (tok) (void)hb_parse_u32(tok, &p);
    /* The input is reloaded before every run (untimed): the runtime may reuse the input tensor's memory
     * for later activations, as TFLite Micro's planner does, so a second invoke would see other data. */
    if (hb_load_inputs() != 0) return;
    while (w-- > 0u) {
        if (hb_timed_invoke() == UINT64_MAX || hb_load_inputs() != 0) return;
    }
    for (uint32_t k = 0; k < n; ++k) {
        if (k && hb_load_inputs() != 0) return;
        uint64_t t = hb_timed_invoke();
        if (t == UINT64_MAX) return;
        hb_printf("m-hb-ticks-%llu\r\n", (unsigned long long)t);
    }
    if (p) {
        size_t ops = hb_model_op_count();
        if (hb_load_inputs() != 0) return;
        memset(g_op_ticks, 0, sizeof g_op_ticks);
        hb_model_profile(g_op_ticks, HB_MAX_PROFILED_OPS);
        uint64_t t = hb_timed_invoke();
        hb_model_profile((uint64_t *)0, 0u);
        if (t == UINT64_MAX) return;
        hb_printf("m-hb-profiled-ticks-%llu\r\n", (unsigned long long)t);
        for (size_t i = 0; i < ops && i < HB_MAX_PROFILED_OPS; ++i)
            hb_printf("m-hb-layer-%u-%s-%llu\r\n", (unsigned)i, hb_model_op_name(i),
                      (unsigned long long)g_op_ticks[i]);
    }
    hb_printf("m-hb-infer-done\r\n");
}

static void cmd_batch(void)
{
    uint32_t n, len, crc;
    if (!two_args(&n, &len, "hb-batch N LEN CRC32HEX")) return;
    if (!hb_parse_u32(hb_next_token(), &crc)) {
        hb_printf("e-[usage: hb-batch N LEN CRC32HEX]\r\n");
        return;
    }
    size_t in = hb_input_bytes(), out = hb_output_bytes();
    if (in == 0u || out == 0u) {
        hb_printf("e-[hb-batch: no model: %s]\r\n", hb_model_status());
        return;
    }
    if (n == 0u || n > batch_max() || len != n * in) {
        hb_printf("e-[hb-batch %u samples of %u bytes: need 1..%u samples and LEN = N x %u]\r\n", (unsigned)n,
                  (unsigned)len, (unsigned)batch_max(), (unsigned)in);
        return;
    }
    /* The db buffer's old contents are gone from here on: a later plain infer needs a new put. */
    g_db_size = g_db_pos = 0;
    hb_printf("m-hb-batch-ready-%u\r\n", (unsigned)n);
    for (uint32_t i = 0; i < len; ++i) g_db_buf[i] = hb_uart_getc();
    uint32_t got = hb_crc32(0u, g_db_buf, len);
    if (got != crc) {
        hb_printf("e-[hb-batch crc mismatch: received %08x expected %08x]\r\n", (unsigned)got, (unsigned)crc);
        return;
    }
    uint8_t *outs = g_db_buf + len;
    for (uint32_t k = 0; k < n; ++k) {
        if (hb_load_inputs_from(g_db_buf + k * in, in) != 0 || hb_model_invoke() != 0) {
            hb_printf("e-[hb-batch sample %u: invoke failed: %s]\r\n", (unsigned)k, hb_model_status());
            return;
        }
        size_t off = 0;
        for (size_t i = 0; i < hb_model_io_count(1); ++i) {
            hb_app_tensor t;
            (void)hb_model_io(1, i, &t);
            memcpy(outs + k * out + off, t.data, t.bytes);
            off += t.bytes;
        }
    }
    send_frame(outs, n * out);
    hb_printf("m-hb-batch-done\r\n");
}

static int model_range(uint32_t *off, uint32_t *len, const char *usage)
{
    if (!two_args(off, len, usage)) return 0;
    if (*off > hb_model_bytes() || *len > hb_model_bytes() - *off) {
        hb_printf("e-[range %u+%u outside the model's %u bytes]\r\n", (unsigned)*off, (unsigned)*len,
                  (unsigned)hb_model_bytes());
        return 0;
    }
    return 1;
}

static void cmd_sink(void)
{
    uint32_t len;
    if (!hb_parse_u32(hb_next_token(), &len)) {
        hb_printf("e-[usage: hb-sink LEN]\r\n");
        return;
    }
    hb_printf("m-hb-sink-ready-%u\r\n", (unsigned)len);
    for (uint32_t i = 0; i < len; ++i) (void)hb_uart_getc();
    hb_printf("m-hb-sink-done\r\n");
}

int hb_ext_parse(const char *cmd)
{
    uint32_t a, b;
    if (strncmp(cmd, "hb-", 3) != 0) return 0;
    cmd += 3;
    if (strcmp(cmd, "info") == 0) {
        cmd_info();
    } else if (strcmp(cmd, "put") == 0) {
        cmd_put();
    } else if (strcmp(cmd, "get") == 0) {
        cmd_get();
    } else if (strcmp(cmd, "infer") == 0) {
        cmd_infer();
    } else if (strcmp(cmd, "batch") == 0) {
        cmd_batch();
    } else if (strcmp(cmd, "read") == 0) {
        if (model_range(&a, &b, "hb-read OFFSET LEN")) send_frame(hb_model_data() + a, b);
    } else if (strcmp(cmd, "crc") == 0) {
        if (model_range(&a, &b, "hb-crc OFFSET LEN"))
            hb_printf("m-hb-crc-%08x\r\n", (unsigned)hb_crc32(0u, hb_model_data() + a, b));
    } else if (strcmp(cmd, "sink") == 0) {
        cmd_sink();
    } else if (strcmp(cmd, "exit") == 0) {
        a = 0;
        (void)hb_parse_u32(hb_next_token(), &a);
        hb_printf("m-hb-exit-%u\r\n", (unsigned)a);
        hb_bsp_exit((int)a);
    } else if (strcmp(cmd, "fault") == 0) {
        hb_printf("m-hb-fault-test\r\n");
        __asm volatile("udf #0"); /* permanently undefined: a UsageFault on every M-profile core */
    } else if (strcmp(cmd, "hang") == 0) {
        for (;;) {
        }
    } else {
        return 0;
    }
    return 1;
}
