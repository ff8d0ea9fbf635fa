/* SOFTMAX cases: rows of 1..40 elements (multiples of 4 and 16 and everything between, on both
 * sides of the Helium path's 32-element kept-exp limit) and now and then long rows, 1..4 rows;
 * input multipliers over the whole range prepare accepts (shift 10..31), so diff_min runs from
 * never reached to cutting all but the max; logits random, narrow, equal, only the extremes, or
 * one spike over a flat floor. The build's path (hb_softmax_s8) against the plain C path. */
#include "hb_fmt.h"
#include "internal/hb_kernels_c.h"
#include "internal/hb_quant.h"
#include "kc.h"

static int32_t kc_softmax_depth(void)
{
    switch (kc_range(0, 7)) {
    case 0:
        return 16 * kc_range(1, 2);
    case 1:
        return kc_range(41, 600);
    case 2: /* flat rows of 512: the output exponent (32) clamps at 31 */
        return 512;
    default:
        return kc_range(1, 40);
    }
}

static void kc_softmax_fill(int8_t *p, int32_t n)
{
    const int32_t mode = kc_range(0, 5), base = kc_range(-128, 127);
    int32_t i;
    if (mode <= 1) {
        kc_fill_s8(p, n); /* random, sometimes only -128 / 127 */
        return;
    }
    for (i = 0; i < n; i++) {
        switch (mode) {
        case 2: /* narrow: within a few steps of each other */
            p[i] = (int8_t)(base > 120 ? base - kc_range(0, 7) : base + kc_range(0, 7));
            break;
        case 3: /* all equal */
            p[i] = (int8_t)base;
            break;
        default: /* flat floor, one spike: the floor's diff is far below diff_min */
            p[i] = -128;
            break;
        }
    }
    if (mode >= 4) {
        p[kc_range(0, n - 1)] = (int8_t)kc_range(100, 127);
    }
}

int32_t kc_check_softmax(int32_t count)
{
    int32_t i, fails = 0, done = 0;
    for (i = 0; i < count; i++) {
        const int32_t depth = kc_softmax_depth(), outer = kc_range(1, 4);
        /* beta * input_scale * 2^26 = mult * 2^(shift - 31), mult in [2^30, 2^31). */
        const int32_t mult = (int32_t)(0x40000000u | (kc_rand() >> 2));
        const int32_t shift = kc_range(0, 2) == 0 ? kc_range(10, 31) : kc_range(20, 31);
        const int32_t diff_min = -hb_input_radius(5, shift);
        const int32_t n = depth * outer;
        if (n > KC_IN_BYTES || n > KC_OUT_BYTES) {
            continue;
        }
        kc_softmax_fill(kc.in, n);
        kc_prepare_outputs(n, 0);
        hb_softmax_s8(mult, shift, diff_min, outer, depth, kc.in, kc.out_opt);
        hb_softmax_s8_c(mult, shift, diff_min, outer, depth, kc.in, kc.out_ref);
        done++;
        if (!kc_compare("softmax", i, n, 0, fails < KC_REPORT_MAX)) {
            if (fails < KC_REPORT_MAX) {
                hb_printf("  softmax case %ld: %ld rows of %ld, mult %ld shift %ld diff_min %ld\r\n",
                          (long)i, (long)outer, (long)depth, (long)mult, (long)shift,
                          (long)diff_min);
            }
            fails++;
        }
    }
    hb_printf("softmax: %ld cases, %ld failed\r\n", (long)done, (long)fails);
    return fails + (done < count / 2);
}
