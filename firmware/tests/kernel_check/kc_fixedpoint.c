/* Helium fixed point (hb_mve_fixedpoint.h) against the scalar functions, lane for lane: a last-bit
 * slip seldom reaches an 8-bit softmax output, so it is checked directly. exp: every pattern of
 * the bits that pick the exp(-2^k) factors (a's bits 24..30) with random, zero, one, all-ones and
 * tie-prone low bits, plus 0 and INT32_MIN. one_over_one_plus_x: both ends of [0, 1) and random.
 * On a non-Helium build: nothing to check. */
#include "hb_fmt.h"
#include "internal/hb_kpath.h"
#include "internal/hb_qmath.h"
#include "kc.h"

#if HB_KPATH_MVE

#include "internal/hb_mve_fixedpoint.h"

/* Low 24 bits: edges first, then random. */
static uint32_t kc_exp_low(int32_t j)
{
    static const uint32_t edges[] = {0u, 1u, 0xffffffu, 0x800000u, 0x7fffffu, 0x400000u, 0x3ffu};
    if (j < (int32_t)(sizeof edges / sizeof edges[0])) {
        return edges[j];
    }
    return (j & 1) ? (kc_rand() & 0xffffffu) : (kc_rand() & 0xfff000u); /* coarse: more ties */
}

int32_t kc_check_fixedpoint(int32_t count)
{
    int32_t hi, j, lane, fails = 0, done = 0;
    for (hi = 0; hi < 128; hi++) {
        for (j = 0; j < count / 16 + 8; j++) {
            int32_t a[4], got[4];
            for (lane = 0; lane < 4; lane++) {
                /* a <= 0: sign set, bits 24..30 = hi, low bits varied; lane 3 of the first
                 * vectors: the two ends, 0 and INT32_MIN. */
                a[lane] = (int32_t)(0x80000000u | ((uint32_t)hi << 24) | kc_exp_low(j * 4 + lane));
            }
            if (j == 0) {
                a[3] = hi == 0 ? 0 : a[3];
                a[2] = hi == 0 ? INT32_MIN : a[2];
            }
            vst1q_s32(got, hb_mve_exp_q5(vld1q_s32(a)));
            for (lane = 0; lane < 4; lane++) {
                const int32_t want = hb_exp_on_negative_values(a[lane], 5);
                done++;
                if (got[lane] != want) {
                    if (fails < KC_REPORT_MAX) {
                        hb_printf("  exp(%ld): helium %ld, reference %ld\r\n", (long)a[lane],
                                  (long)got[lane], (long)want);
                    }
                    fails++;
                }
            }
        }
    }
    for (j = 0; j < count * 8; j++) {
        /* [0, 2^31): the edges, then random (all, and only the top bits: near 1 / 2 and 1). */
        const int32_t a = j == 0 ? 0 : j == 1 ? INT32_MAX : j == 2 ? 1 :
                          (int32_t)((j & 1) ? (kc_rand() >> 1) : ((kc_rand() >> 1) & 0x7ffff000u));
        const int32_t got = vgetq_lane_s32(hb_mve_one_over_one_plus_x(vdupq_n_s32(a)), 0);
        const int32_t want = hb_one_over_one_plus_x(a);
        done++;
        if (got != want) {
            if (fails < KC_REPORT_MAX) {
                hb_printf("  1/(1+%ld): helium %ld, reference %ld\r\n", (long)a, (long)got,
                          (long)want);
            }
            fails++;
        }
    }
    hb_printf("fixedpoint: %ld values, %ld failed\r\n", (long)done, (long)fails);
    return fails;
}

#else

int32_t kc_check_fixedpoint(int32_t count)
{
    (void)count;
    hb_printf("fixedpoint: no Helium path in this build\r\n");
    return 0;
}

#endif /* HB_KPATH_MVE */
