/*
 * hb_cmd_ext.c - hil-bench's hb-* extensions for data and introspection (inference: hb_cmd_run.c).
 *
 *   hb-info              m-hb-info-KEY=VALUE lines: board, image, MLPerf model id, model, kernels, arena,
 *                        stack, buffer, timer, command length, ops, one line per input and output tensor
 *   hb-put LEN CRC       m-hb-put-ready-LEN, then LEN raw bytes into the input buffer, then m-hb-put-ok
 *                        or e-[hb-put crc mismatch: received ... expected ...] (CRC-32, hex)
 *   hb-get I             output tensor I as a frame: m-hb-frame-LEN-CRC\r\n RAW \r\n
 *   hb-read OFF LEN      model bytes [OFF, OFF+LEN) read back from flash, as a frame
 *   hb-crc OFF LEN       m-hb-crc-<CRC-32 as 8 hex digits> of those model bytes
 *   hb-sink LEN          m-hb-sink-ready-LEN, swallow LEN raw bytes, m-hb-sink-done (link rate reference)
 *   hb-exit [CODE]       m-hb-exit-CODE, then leave (semihosting exit code on simulators), CODE 0..255
 *   hb-fault / hb-hang   fault tests: trigger a UsageFault / stop answering
 */
#include <string.h>

#include "hb_board_config.h"
#include "hb_bsp.h"
#include "hb_cmd.h"
#include "hb_crc32.h"
#include "hb_fmt.h"
#include "hb_io.h"
#include "hb_model.h"

static void print_tensor(const char *kind, size_t i, const hb_app_tensor *t)
{
    uint32_t scale_bits;
    memcpy(&scale_bits, &t->scale, sizeof scale_bits);
    hb_printf("m-hb-info-%s%u=type:%d,bytes:%u,scale:%08x,zp:%ld,dims:", kind, (unsigned)i, t->type,
              (unsigned)t->bytes, (unsigned)scale_bits, (long)t->zero_point);
    for (int d = 0; d < t->ndims; ++d) hb_printf(d ? "x%ld" : "%ld", (long)t->dims[d]);
    hb_printf("\r\n");
}

void hb_cmd_hb_info(hb_args *a)
{
    if (!hb_args_end(a)) return;
    hb_printf("m-hb-info-board=%s\r\n", HB_BOARD_NAME);
    hb_printf("m-hb-info-image=%s\r\n", HB_IMAGE_KIND);
    hb_printf("m-hb-info-mlperf_model=%s\r\n", HB_MODEL_VERSION);
    hb_printf("m-hb-info-model_status=%s\r\n", hb_model_status());
    hb_printf("m-hb-info-kernels=%s\r\n", hb_model_kernels());
    hb_printf("m-hb-info-model_bytes=%u\r\n", (unsigned)hb_model_bytes());
    hb_printf("m-hb-info-model_address=0x%08x\r\n", (unsigned)(uintptr_t)hb_model_data());
    hb_printf("m-hb-info-arena_bytes=%u\r\n", (unsigned)hb_model_arena_size());
    hb_printf("m-hb-info-arena_used=%u\r\n", (unsigned)hb_model_arena_used());
    hb_printf("m-hb-info-stack_bytes=%u\r\n", (unsigned)hb_bsp_stack_size());
    hb_printf("m-hb-info-stack_used=%u\r\n", (unsigned)hb_bsp_stack_used());
    hb_printf("m-hb-info-db_buffer_bytes=%u\r\n", (unsigned)hb_io_capacity());
    hb_printf("m-hb-info-batch_max=%u\r\n", (unsigned)hb_io_batch_max());
    hb_printf("m-hb-info-command_bytes=%u\r\n", (unsigned)HB_CMD_SIZE);
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

void hb_cmd_hb_put(hb_args *a)
{
    uint32_t len, crc;
    if (!hb_args_u32(a, "LEN", 1u, (uint32_t)hb_io_capacity(), &len) ||
        !hb_args_u32(a, "CRC32", 0u, UINT32_MAX, &crc) || !hb_args_end(a))
        return;
    hb_printf("m-hb-put-ready-%u\r\n", (unsigned)len);
    if (hb_io_receive("hb-put", 0u, len, crc) != 0) return;
    hb_io_set_loaded(len);
    hb_printf("m-hb-put-ok\r\n");
}

void hb_cmd_hb_get(hb_args *a)
{
    uint32_t i;
    hb_app_tensor t;
    size_t n = hb_model_io_count(1);
    if (n == 0u) {
        hb_printf("e-[hb-get: no output: %s]\r\n", hb_model_status());
        return;
    }
    if (!hb_args_u32(a, "OUTPUT", 0u, (uint32_t)(n - 1u), &i) || !hb_args_end(a)) return;
    if (hb_model_io(1, i, &t) != 0) {
        hb_printf("e-[hb-get: output %u unreadable: %s]\r\n", (unsigned)i, hb_model_status());
        return;
    }
    hb_io_send_frame(t.data, t.bytes);
}

/* OFFSET LEN inside the model array; 1 on success, else prints e-[...]. */
static int model_range(hb_args *a, uint32_t *off, uint32_t *len)
{
    if (!hb_args_u32(a, "OFFSET", 0u, UINT32_MAX, off) || !hb_args_u32(a, "LEN", 0u, UINT32_MAX, len) ||
        !hb_args_end(a))
        return 0;
    if (*off > hb_model_bytes() || *len > hb_model_bytes() - *off) {
        hb_printf("e-[range %u+%u outside the model's %u bytes]\r\n", (unsigned)*off, (unsigned)*len,
                  (unsigned)hb_model_bytes());
        return 0;
    }
    return 1;
}

void hb_cmd_hb_read(hb_args *a)
{
    uint32_t off, len;
    if (model_range(a, &off, &len)) hb_io_send_frame(hb_model_data() + off, len);
}

void hb_cmd_hb_crc(hb_args *a)
{
    uint32_t off, len;
    if (model_range(a, &off, &len)) hb_printf("m-hb-crc-%08x\r\n", (unsigned)hb_crc32(0u, hb_model_data() + off, len));
}

void hb_cmd_hb_sink(hb_args *a)
{
    uint32_t len;
    if (!hb_args_u32(a, "LEN", 0u, UINT32_MAX, &len) || !hb_args_end(a)) return;
    hb_printf("m-hb-sink-ready-%u\r\n", (unsigned)len);
    for (uint32_t i = 0; i < len; ++i) (void)hb_uart_getc();
    hb_printf("m-hb-sink-done\r\n");
}

void hb_cmd_hb_exit(hb_args *a)
{
    uint32_t code = 0;
    /* 0..255: what a process exit status (the simulator's) can carry. */
    if (!hb_args_opt_u32(a, "CODE", 0u, 255u, &code) || !hb_args_end(a)) return;
    hb_printf("m-hb-exit-%u\r\n", (unsigned)code);
    hb_bsp_exit((int)code);
}

void hb_cmd_hb_fault(hb_args *a)
{
    if (!hb_args_end(a)) return;
    hb_printf("m-hb-fault-test\r\n");
    __asm volatile("udf #0"); /* permanently undefined: a UsageFault on every M-profile core */
}

void hb_cmd_hb_hang(hb_args *a)
{
    if (!hb_args_end(a)) return;
    for (;;) {
    }
}
