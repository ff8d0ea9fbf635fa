/* The optimized paths' fixed point against the scalar reference functions, value for value: a
 * last-bit slip seldom reaches an 8-bit softmax output, so it is checked directly.
 *   exp (Helium: hb_mve_fixedpoint.h, DSP: hb_dsp_fixedpoint.h) against
 *   hb_exp_on_negative_values(a, 5): every pattern of the bits that pick the exp(-2^k) factors
 *   (a's bits 24..30) with random, zero, one, all-ones and tie-prone low bits, plus 0, INT32_MIN;
 *   Helium one_over_one_plus_x against hb_one_over_one_plus_x: both ends of [0, 1) and random.
 * On a plain C build: nothing to check. */
#include "hb_fmt.h"
#include "internal/hb_kpath.h"
#include "internal/hb_qmath.h"
#include "kc.h"

#if HB_KPATH_MVE
#include "internal/hb_mve_fixedpoint.h"
#elif HB_KPATH_DSP
#include "internal/hb_dsp_fixedpoint.h"
#endif /* HB_KPATH */

#if HB_KPATH_MVE || HB_KPATH_DSP

/* Argument number k of the exp sweep for high-bit pattern hi: edges first, then random. */
static int32_t kc_exp_arg(int32_t hi, int32_t k)
{
    static const uint32_t edges[] = {0u, 1u, 0xffffffu, 0x800000u, 0x7fffffu, 0x400000u, 0x3ffu};
    uint32_t low;
    if (hi == 0 && k == 0) {
        return 0;
    }
    if (hi == 0 && k == 1) {
        return INT32_MIN;
    }
    if (k < (int32_t)(sizeof edges / sizeof edges[0])) {
        low = edges[k];
    } else {
        low = (k & 1) ? (kc_rand() & 0xffffffu) : (kc_rand() & 0xfff000u); /* coarse: more ties */
    }
    return (int32_t)(0x80000000u | ((uint32_t)hi << 24) | low); /* a < 0, bits 24..30 = hi */
}

static int kc_fixed_same(const char *what, int32_t a, int32_t got, int32_t want, int32_t *fails)
{
    if (got == want) {
        return 1;
    }
    if (*fails < KC_REPORT_MAX) {
        hb_printf("  %s(%ld): optimized %ld, reference %ld\r\n", what, (long)a, (long)got,
                  (long)want);
    }
    (*fails)++;
    return 0;
}

int32_t kc_check_fixedpoint(int32_t count)
{
    int32_t hi, k, lane, fails = 0, done = 0;
    for (hi = 0; hi < 128; hi++) {
        for (k = 0; k < 4 * (count / 16 + 8); k += 4) {
            int32_t a[4], got[4];
            for (lane = 0; lane < 4; lane++) {
                a[lane] = kc_exp_arg(hi, k + lane);
            }
#if HB_KPATH_MVE
            vst1q_s32(got, hb_mve_exp_q5(vld1q_s32(a)));
#else
            for (lane = 0; lane < 4; lane++) {
                got[lane] = hb_dsp_exp_q5(a[lane]);
            }
#endif /* HB_KPATH_MVE */
            for (lane = 0; lane < 4; lane++, done++) {
                kc_fixed_same("exp", a[lane], got[lane], hb_exp_on_negative_values(a[lane], 5),
                               &fails);
            }
        }
    }
#if HB_KPATH_MVE
    for (k = 0; k < count * 8; k++, done++) {
        /* [0, 2^31): the edges, then random (all bits, and only the top bits). */
        const int32_t a = k == 0 ? 0 : k == 1 ? INT32_MAX : k == 2 ? 1 :
                          (int32_t)((k & 1) ? (kc_rand() >> 1) : ((kc_rand() >> 1) & 0x7ffff000u));
        kc_fixed_same("1/(1+x)", a, vgetq_lane_s32(hb_mve_one_over_one_plus_x(vdupq_n_s32(a)), 0),
                      hb_one_over_one_plus_x(a), &fails);
    }
#endif /* HB_KPATH_MVE */
    hb_printf("fixedpoint: %ld values, %ld failed\r\n", (long)done, (long)fails);
    return fails;
}

#else

int32_t kc_check_fixedpoint(int32_t count)
{
    (void)count;
    hb_printf("fixedpoint: no optimized path in this build\r\n");
    return 0;
}

#endif /* HB_KPATH_MVE || HB_KPATH_DSP */
