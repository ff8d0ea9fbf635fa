/*
 * hb_dsp_fixedpoint.h - gemmlowp's exp_on_negative_values for the DSP-extension kernels (private,
 * HB_KPATH_DSP only), equal to hb_exp_on_negative_values(a, 5) (hb_fixedpoint.c) for every a <= 0.
 *
 * SRDHM(a, b) = floor((a * b + 2^30) / 2^31) (ties up; it saturates only INT32_MIN * INT32_MIN,
 * which no caller here can reach). When 2b fits in int32 that is SMMULR(a, 2b) =
 * floor((a * 2b + 2^31) / 2^32): one DSP instruction instead of the reference's 64-bit sum, sign
 * test and division. The constants and the small polynomial terms qualify; the two largest
 * exp(-2^k) factors do not and take the exact 64-bit form.
 */
#ifndef HB_DSP_FIXEDPOINT_H
#define HB_DSP_FIXEDPOINT_H

#include <stdint.h>

/* floor((a * b + 2^31) / 2^32). */
static inline int32_t hb_dsp_smmulr(int32_t a, int32_t b)
{
    int32_t r;
    __asm__("smmulr %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
    return r;
}

/* SRDHM(a, b) for any a, b but not both INT32_MIN: SMULL, then the rounding add and shift. */
static inline int32_t hb_dsp_srdhm(int32_t a, int32_t b)
{
    return (int32_t)(((int64_t)a * b + ((int64_t)1 << 30)) >> 31);
}

/* exp(a) for a <= 0 in Q5.26, result in Q0.31 (hb_exp_on_negative_values(a, 5)). */
static inline int32_t hb_dsp_exp_q5(int32_t a)
{
    const int32_t exp_minus_one_eighth = 1895147668, two_thirds = 1431655766; /* 2 * 1/3 */
    /* a mod 1/4 - 1/4, times 2^5, plus 1/8, folded: x in [-1/8, 1/8), so 2x fits. */
    const int32_t x = (int32_t)(((uint32_t)a & 0xffffffu) << 5) - (1 << 28);
    const int32_t x2 = hb_dsp_smmulr(x, 2 * x);
    const int32_t x3 = hb_dsp_smmulr(x2, 2 * x);
    /* x^4 >= 0 and poly >= 0 (every x checked): the rounding shifts round ties up, as the
     * reference's RoundingDivideByPOT does on non-negative values. */
    const int32_t x4_over_4 = (hb_dsp_smmulr(x2, 2 * x2) + 2) >> 2;
    const int32_t poly = hb_dsp_smmulr(x4_over_4 + x3, two_thirds) + x2;
    const int32_t xp = x + ((poly + 1) >> 1); /* |xp| < 2^29 */
    int32_t r = hb_dsp_smmulr(2 * xp, exp_minus_one_eighth) + exp_minus_one_eighth;
    /* Times exp(-2^k), k = -2..4, where bit 26 + k of (a_mod - a) is set, i.e. where a's own
     * bit 26 + k is clear; in the reference's order (rounding makes the order matter). */
    if ((a & (1 << 24)) == 0) {
        r = hb_dsp_srdhm(r, 1672461947); /* exp(-1/4): 2x does not fit */
    }
    if ((a & (1 << 25)) == 0) {
        r = hb_dsp_srdhm(r, 1302514674); /* exp(-1/2): 2x does not fit */
    }
    if ((a & (1 << 26)) == 0) {
        r = hb_dsp_smmulr(r, 2 * 790015084); /* exp(-1) */
    }
    if ((a & (1 << 27)) == 0) {
        r = hb_dsp_smmulr(r, 2 * 290630308); /* exp(-2) */
    }
    if ((a & (1 << 28)) == 0) {
        r = hb_dsp_smmulr(r, 2 * 39332535); /* exp(-4) */
    }
    if ((a & (1 << 29)) == 0) {
        r = hb_dsp_smmulr(r, 2 * 720401); /* exp(-8) */
    }
    if ((a & (1 << 30)) == 0) {
        r = hb_dsp_smmulr(r, 2 * 242); /* exp(-16) */
    }
    return a == 0 ? INT32_MAX : r;
}

#endif /* HB_DSP_FIXEDPOINT_H */
