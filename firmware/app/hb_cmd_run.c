/*
 * hb_cmd_run.c - hil-bench's inference commands.
 *
 *   hb-infer N W [P]     W untimed warm-ups, N timed runs (m-hb-ticks-T each); P=1 adds a profile:
 *                        m-hb-profiled-ticks-T, then m-hb-layer-I-NAME-T for EVERY operator, then
 *                        m-hb-infer-done. Per-op ticks are kept for HB_PROFILE_WINDOW operators at a
 *                        time, so a model with more operators is profiled in several inferences (one
 *                        per window; profiled-ticks is the first one's total). P is 0 or 1.
 *   hb-batch N LEN CRC   batched inference, one round trip for N samples: m-hb-batch-ready-N,
 *                        then LEN = N x input-bytes raw (the N inputs back to back, each the
 *                        model's inputs in order), checked against CRC (CRC-32, hex); then N
 *                        untimed inferences and ONE frame of N x output-bytes (each sample's
 *                        outputs in order), then m-hb-batch-done. A bad CRC answers
 *                        e-[hb-batch crc mismatch ...] before anything runs (the host resends).
 *                        Inputs and outputs share the input buffer: N <= batch_max from hb-info,
 *                        the host splits larger data sets into such chunks.
 *
 * The input is reloaded before every run (untimed): the runtime may reuse the input tensor's memory
 * for later activations, as TFLite Micro's planner does, so a second invoke would see other data.
 */
#include <string.h>

#include "hb_cmd.h"
#include "hb_fmt.h"
#include "hb_io.h"
#include "hb_model.h"

#ifndef HB_PROFILE_WINDOW
#define HB_PROFILE_WINDOW 256u
#endif

static uint64_t g_op_ticks[HB_PROFILE_WINDOW];

/* One profiled inference per window of operators; 0, or -1 after printing e-[...]. */
static int profile(void)
{
    size_t ops = hb_model_op_count();
    for (size_t first = 0; first == 0u || first < ops; first += HB_PROFILE_WINDOW) {
        if (hb_io_load_inputs() != 0) return -1;
        memset(g_op_ticks, 0, sizeof g_op_ticks);
        hb_model_profile(g_op_ticks, first, HB_PROFILE_WINDOW);
        uint64_t t = hb_io_timed_invoke();
        hb_model_profile((uint64_t *)0, 0u, 0u);
        if (t == UINT64_MAX) return -1;
        if (first == 0u) hb_printf("m-hb-profiled-ticks-%llu\r\n", (unsigned long long)t);
        for (size_t i = first; i < ops && i < first + HB_PROFILE_WINDOW; ++i)
            hb_printf("m-hb-layer-%u-%s-%llu\r\n", (unsigned)i, hb_model_op_name(i),
                      (unsigned long long)g_op_ticks[i - first]);
    }
    return 0;
}

void hb_cmd_hb_infer(hb_args *a)
{
    uint32_t n, w, p = 0;
    if (!hb_args_u32(a, "N", 0u, UINT32_MAX, &n) || !hb_args_u32(a, "WARMUP", 0u, UINT32_MAX, &w) ||
        !hb_args_opt_u32(a, "PROFILE", 0u, 1u, &p) || !hb_args_end(a))
        return;
    if (hb_io_load_inputs() != 0) return;
    while (w-- > 0u) {
        if (hb_io_timed_invoke() == UINT64_MAX || hb_io_load_inputs() != 0) return;
    }
    for (uint32_t k = 0; k < n; ++k) {
        if (k && hb_io_load_inputs() != 0) return;
        uint64_t t = hb_io_timed_invoke();
        if (t == UINT64_MAX) return;
        hb_printf("m-hb-ticks-%llu\r\n", (unsigned long long)t);
    }
    if (p && profile() != 0) return;
    hb_printf("m-hb-infer-done\r\n");
}

void hb_cmd_hb_batch(hb_args *a)
{
    uint32_t n, len, crc;
    if (!hb_args_u32(a, "N", 0u, UINT32_MAX, &n) || !hb_args_u32(a, "LEN", 0u, UINT32_MAX, &len) ||
        !hb_args_u32(a, "CRC32", 0u, UINT32_MAX, &crc) || !hb_args_end(a))
        return;
    size_t in = hb_io_input_bytes(), out = hb_io_output_bytes(), max = hb_io_batch_max();
    if (in == 0u || out == 0u) {
        hb_printf("e-[hb-batch: no model: %s]\r\n", hb_model_status());
        return;
    }
    if (n == 0u || n > max || len != n * in) {
        hb_printf("e-[hb-batch %u samples of %u bytes: need 1..%u samples and LEN = N x %u]\r\n", (unsigned)n,
                  (unsigned)len, (unsigned)max, (unsigned)in);
        return;
    }
    /* The buffer's old contents are gone from here on: a later plain infer needs a new put. */
    hb_io_clear();
    hb_printf("m-hb-batch-ready-%u\r\n", (unsigned)n);
    if (hb_io_receive("hb-batch", 0u, len, crc) != 0) return;
    const uint8_t *ins = hb_io_buffer();
    uint8_t *outs = hb_io_buffer() + len;
    for (uint32_t k = 0; k < n; ++k) {
        if (hb_io_load_inputs_from(ins + k * in, in) != 0 || hb_model_invoke() != 0) {
            hb_printf("e-[hb-batch sample %u: invoke failed: %s]\r\n", (unsigned)k, hb_model_status());
            return;
        }
        hb_io_copy_outputs(outs + k * out);
    }
    hb_io_send_frame(outs, n * out);
    hb_printf("m-hb-batch-done\r\n");
}
