/*
 * hb_mve_fixedpoint.h - gemmlowp's exp_on_negative_values and one_over_one_plus_x on four int32
 * lanes (Helium, private), with the reference's every rounding: lane for lane equal to
 * hb_exp_on_negative_values(a, 5) and hb_one_over_one_plus_x (hb_fixedpoint.c). Included only
 * when HB_KPATH_MVE; the kernel checker compares them directly, since a last-bit slip seldom
 * shows in an 8-bit softmax output.
 */
#ifndef HB_MVE_FIXEDPOINT_H
#define HB_MVE_FIXEDPOINT_H

#include <arm_mve.h>
#include <stdint.h>

/* SRDHM(r, k) in the lanes where keep is 0, r where keep is all ones. A mask, not a predicate:
 * GCC 12 moves every MVE predicate through a core register and back (VMRS, SXTH, VMSR), which
 * costs more than the three ALU operations, and those dual-issue beside VQRDMULH on the core. */
static inline int32x4_t hb_mve_mul_unless(int32x4_t r, int32_t k, int32x4_t keep)
{
    const int32x4_t m = vqrdmulhq_n_s32(r, k);
    return vaddq_s32(m, vandq_s32(vsubq_s32(r, m), keep));
}

/* hb_exp_on_negative_values(a, 5) lane by lane: exp(a) for a <= 0 in Q5.26, result in Q0.31. */
static inline int32x4_t hb_mve_exp_q5(int32x4_t a)
{
    const int32_t exp_minus_one_eighth = 1895147668, one_third = 715827883;
    /* a mod 1/4 - 1/4, times 2^5 into Q0.31 (never saturates: >= -2^29), plus 1/8, folded into
     * ((a & (2^24 - 1)) << 5) - 2^28: x in [-1/8, 1/8). */
    const int32x4_t x = vsubq_n_s32(vshlq_n_s32(vbicq_n_s32(a, (int)0xff000000), 5), 1 << 28);
    const int32x4_t x2 = vqrdmulhq_s32(x, x);
    const int32x4_t x3 = vqrdmulhq_s32(x2, x);
    /* x^4 >= 0, and poly >= 0 for every one of the 2^24 possible x (checked exhaustively), so
     * VRSHR's ties-up rounding is the reference's RoundingDivideByPOT on both. */
    const int32x4_t x4_over_4 = vrshrq_n_s32(vqrdmulhq_s32(x2, x2), 2);
    const int32x4_t poly = vaddq_s32(vqrdmulhq_n_s32(vaddq_s32(x4_over_4, x3), one_third), x2);
    int32x4_t r = vaddq_n_s32(vqrdmulhq_n_s32(vaddq_s32(x, vrshrq_n_s32(poly, 1)),
                                              exp_minus_one_eighth),
                              exp_minus_one_eighth);
    /* The reference multiplies by exp(-2^k), k = -2..4, where bit 26 + k of (a_mod - a) is set,
     * in that order (rounding makes the order matter). That bit is set exactly where a's own bit
     * 26 + k is clear; shifted into the sign and spread, a's bit gives the lanes to keep. */
    r = hb_mve_mul_unless(r, 1672461947, vshrq_n_s32(vshlq_n_s32(a, 7), 31)); /* exp(-1/4) */
    r = hb_mve_mul_unless(r, 1302514674, vshrq_n_s32(vshlq_n_s32(a, 6), 31)); /* exp(-1/2) */
    r = hb_mve_mul_unless(r, 790015084, vshrq_n_s32(vshlq_n_s32(a, 5), 31));  /* exp(-1) */
    r = hb_mve_mul_unless(r, 290630308, vshrq_n_s32(vshlq_n_s32(a, 4), 31));  /* exp(-2) */
    r = hb_mve_mul_unless(r, 39332535, vshrq_n_s32(vshlq_n_s32(a, 3), 31));   /* exp(-4) */
    r = hb_mve_mul_unless(r, 720401, vshrq_n_s32(vshlq_n_s32(a, 2), 31));     /* exp(-8) */
    r = hb_mve_mul_unless(r, 242, vshrq_n_s32(vshlq_n_s32(a, 1), 31));        /* exp(-16) */
    /* a == 0 (a <= 0 in every lane used): exp(0) is INT32_MAX exactly. */
    return vmaxq_s32(r, vbicq_s32(vdupq_n_s32(INT32_MAX), vshrq_n_s32(a, 31)));
}

/* hb_one_over_one_plus_x lane by lane: 1 / (1 + a) for a in [0, 1) in Q0.31, result in Q0.31.
 * (a + INT32_MAX) / 2 rounded away from zero is VRHADD for the non-negative sum; gemmlowp's
 * saturating multiply by 2^2 and 2^1 is VQSHL. */
static inline int32x4_t hb_mve_one_over_one_plus_x(int32x4_t a)
{
    const int32_t c48_17 = 1515870810, cm32_17 = -1010580540, one_q2 = 1 << 29; /* Q2.29 */
    const int32x4_t half_den = vrhaddq_s32(a, vdupq_n_s32(INT32_MAX));
    int32x4_t x = vaddq_n_s32(vqrdmulhq_n_s32(half_den, cm32_17), c48_17);
    int i;
    for (i = 0; i < 3; i++) {
        const int32x4_t one_minus = vaddq_n_s32(vnegq_s32(vqrdmulhq_s32(half_den, x)), one_q2);
        x = vaddq_s32(x, vqshlq_n_s32(vqrdmulhq_s32(x, one_minus), 2));
    }
    return vqshlq_n_s32(x, 1);
}

#endif /* HB_MVE_FIXEDPOINT_H */
