/*
 * hb_cmd_mlperf.c - MLPerf Tiny's monitor commands, with the replies its runner parses:
 *
 *   name                 m-name-dut-[NAME]
 *   profile              m-profile-[FIRMWARE] and m-model-[MODEL]; MODEL is the MLPerf Tiny model id the
 *                        image was built for (kws01, vww01, ic01, ad01, ...) or "hil-bench"
 *   timestamp            m-lap-us-MICROSECONDS at the board clock (64 bits, never wraps in practice): on
 *                        silicon and the FVP the timer's cycles / clock; under QEMU -icount
 *                        (HB_TIMER_COUNTS_INSTRUCTIONS) executed instructions / clock, each instruction
 *                        counted as one cycle -- the same base as `run`'s instructions, not wall time
 *   db load N            m-[Expecting N bytes]; then `db HEX` chunks until m-load-done; `db print`
 *   infer N W            W warm-ups, then N runs between two m-lap-us- lines, then m-results-[...].
 *                        N and W go up to 2^32-1: long windows (MLPerf's >= 10 s) need no special case
 *   results              m-results-[a,b,...]: every int8/uint8 output dequantized, %0.3f (class scores);
 *                        for ad01 one anomaly score (hb_mlperf_ad.c)
 */
#include <string.h>

#include "hb_board_config.h"
#include "hb_bsp.h"
#include "hb_cmd.h"
#include "hb_fmt.h"
#include "hb_io.h"
#include "hb_mlperf_ad.h"
#include "hb_model.h"

void hb_cmd_name(hb_args *a)
{
    if (hb_args_end(a)) hb_printf("m-name-dut-[%s]\r\n", HB_DEVICE_NAME);
}

void hb_cmd_profile(hb_args *a)
{
    if (!hb_args_end(a)) return;
    hb_printf("m-profile-[%s]\r\n", HB_FW_VERSION);
    hb_printf("m-model-[%s]\r\n", HB_MODEL_VERSION);
}

/* v x num / den, split so v x num cannot overflow 64 bits however long the board has been running
 * (unsplit, a 120 MHz cycle counter times 1e6 would overflow after 42 hours). */
static uint64_t scale(uint64_t v, uint64_t num, uint64_t den)
{
    return v / den * num + v % den * num / den;
}

/* Not inlined: infer calls it twice and the 64-bit divisions are not small. */
static __attribute__((noinline)) void print_timestamp(void)
{
    uint64_t t = hb_timer_ticks(), hz = hb_timer_hz();
#if HB_TIMER_COUNTS_INSTRUCTIONS
    /* QEMU -icount shift=0: virtual time runs 1 ns per instruction and SysTick ticks at hz of it, so a
     * tick is 1e9 / hz instructions. Counted as cycles at the board clock instead of as nanoseconds
     * (which made a 32 MHz M55 look 31x faster): an instruction-count time, CPI 1, documented so. */
    t = scale(t, 1000000000u, hz);
#endif
    hb_printf("m-lap-us-%llu\r\n", (unsigned long long)scale(t, 1000000u, hz));
}

void hb_cmd_timestamp(hb_args *a)
{
    if (hb_args_end(a)) print_timestamp();
}

void hb_cmd_db(hb_args *a)
{
    char *sub = hb_args_next(a);
    if (!sub) {
        hb_printf("e-[Command 'db' requires a subcommand]\r\n");
    } else if (strcmp(sub, "load") == 0) {
        uint32_t n;
        char *tok = hb_args_next(a);
        if (!tok) {
            hb_printf("e-[Command 'db load' requires the # of bytes]\r\n");
        } else if (!hb_parse_u32(tok, &n)) {
            hb_printf("e-[Command 'db load' needs a number of bytes, not '%s']\r\n", tok);
        } else if (hb_args_end(a) && hb_io_expect(n) == 0) {
            hb_printf("m-[Expecting %u bytes]\r\n", (unsigned)n);
        }
    } else if (strcmp(sub, "print") == 0) {
        if (hb_args_end(a)) hb_io_print();
    } else if (hb_args_end(a) && hb_io_append_hex(sub) == 1) {
        hb_printf("m-load-done\r\n");
    }
}

static void print_results(void)
{
    if (HB_MLPERF_ANOMALY) {
        hb_mlperf_ad_results();
        return;
    }
    hb_printf("m-results-[");
    int first = 1;
    for (size_t i = 0; i < hb_model_io_count(1); ++i) {
        hb_app_tensor t;
        if (hb_model_io(1, i, &t) != 0) continue;
        for (size_t k = 0; k < t.bytes; ++k) {
            int q;
            if (t.type == 9) q = ((const int8_t *)t.data)[k];          /* INT8 */
            else if (t.type == 3) q = ((const uint8_t *)t.data)[k];    /* UINT8 */
            else break;                                                 /* other types: binary hb-get */
            if (!first) hb_uart_putc(',');
            first = 0;
            hb_print_fixed3(t.scale * (float)(q - t.zero_point));
        }
    }
    hb_printf("]\r\n");
}

void hb_cmd_results(hb_args *a)
{
    if (hb_args_end(a)) print_results();
}

/* The db buffer into the input tensors; ad01 also takes float32 inputs, as MLPerf's reference does. */
static int load_inputs(void)
{
    return HB_MLPERF_ANOMALY ? hb_mlperf_ad_load() : hb_io_load_inputs();
}

void hb_cmd_infer(hb_args *a)
{
    uint32_t n = 1, w = 10;
    char *tok = hb_args_next(a);
    if (tok) {
        if (!hb_parse_u32(tok, &n) || n == 0u) {
            hb_printf("e-[Inference iterations must be >0]\r\n");
            return;
        }
        tok = hb_args_next(a);
        if (tok && !hb_parse_u32(tok, &w)) {
            hb_printf("e-[Inference warmup must be >=0]\r\n");
            return;
        }
        if (!hb_args_end(a)) return;
    }
    if (load_inputs() != 0) return;
    hb_printf("m-warmup-start-%u\r\n", (unsigned)w);
    /* Inputs are reloaded before every run: the runtime may reuse the input tensor's memory for
     * activations (as TFLite Micro does). Inside the timed loop the copy is counted; it is small. */
    while (w-- > 0u) {
        if (hb_model_invoke() != 0 || load_inputs() != 0) break;
    }
    hb_printf("m-warmup-done\r\n");
    hb_printf("m-infer-start-%u\r\n", (unsigned)n);
    print_timestamp();
    int ok = 1;
    for (uint32_t k = 0; k < n && ok; ++k) ok = (k == 0u || load_inputs() == 0) && hb_model_invoke() == 0;
    print_timestamp();
    if (!ok) hb_printf("e-[invoke failed: %s]\r\n", hb_model_status());
    hb_printf("m-infer-done\r\n");
    print_results();
}
