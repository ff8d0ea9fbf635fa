/* Checker plumbing: PRNG, random quantization parameters, output comparison with guard bytes. */
#include <string.h>

#include "hb_fmt.h"
#include "kc.h"

kc_bufs kc;
static uint32_t kc_state = 0x12345678u; /* fixed seed: every run checks the same cases */

uint32_t kc_rand(void)
{
    uint32_t x = kc_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    kc_state = x;
    return x;
}

int32_t kc_range(int32_t lo, int32_t hi)
{
    return lo + (int32_t)(kc_rand() % (uint32_t)(hi - lo + 1));
}

void kc_fill_s8(int8_t *p, int32_t n)
{
    const int32_t mode = kc_range(0, 7);
    int32_t i;
    for (i = 0; i < n; i++) {
        if (mode == 0) {
            p[i] = (kc_rand() & 1) ? 127 : -128; /* extremes: largest products, overflow checks */
        } else {
            p[i] = (int8_t)(kc_rand() >> 24);
        }
    }
}

int32_t kc_pick_offset(void)
{
    switch (kc_range(0, 3)) {
    case 0:
        return 128;  /* zero point -128 */
    case 1:
        return -127; /* zero point 127 */
    default:
        return kc_range(-127, 128);
    }
}

void kc_pick_act(int32_t *lo, int32_t *hi)
{
    if (kc_range(0, 2) == 0) {
        *lo = kc_range(-128, 0);
        *hi = kc_range(*lo, 127);
    } else {
        *lo = -128;
        *hi = 127;
    }
}

/* Per-channel multipliers in [2^30, 2^31) with shifts mostly right (the usual case), sometimes
 * left (scale > 1) and sometimes far right, so both rounding steps are exercised. */
void kc_fill_quant(int32_t channels, int with_bias)
{
    int32_t c;
    for (c = 0; c < channels; c++) {
        const int32_t kind = kc_range(0, 9);
        kc.mult[c] = (int32_t)(0x40000000u + (kc_rand() & 0x3FFFFFFFu));
        kc.shift[c] = (int8_t)(kind == 0 ? kc_range(1, 4) : (kind == 1 ? kc_range(-31, -16)
                                                                         : kc_range(-12, -4)));
        kc.bias[c] = with_bias ? kc_range(-40000, 40000) : 0;
    }
}

void kc_prepare_outputs(int32_t n, int32_t scratch_bytes)
{
    memset(kc.out_opt, 0x5A, (size_t)n + KC_GUARD);
    memset(kc.out_ref, 0x5A, (size_t)n + KC_GUARD);
    memset(kc.scratch, 0xA5, (size_t)scratch_bytes + KC_GUARD);
}

int kc_compare(const char *what, int32_t case_no, int32_t n, int32_t scratch_bytes, int print)
{
    int32_t i;
    for (i = 0; i < n + KC_GUARD; i++) {
        if (kc.out_opt[i] != kc.out_ref[i]) {
            if (print) {
                hb_printf("MISMATCH %s case %ld: byte %ld of %ld: opt %d ref %d%s\r\n", what,
                          (long)case_no, (long)i, (long)n, kc.out_opt[i], kc.out_ref[i],
                          i >= n ? " (wrote past the output)" : "");
            }
            return 0;
        }
    }
    for (i = 0; i < KC_GUARD; i++) {
        if (kc.scratch[scratch_bytes + i] != 0xA5) {
            if (print) {
                hb_printf("MISMATCH %s case %ld: wrote past its %ld scratch bytes\r\n", what,
                          (long)case_no, (long)scratch_bytes);
            }
            return 0;
        }
    }
    return 1;
}
