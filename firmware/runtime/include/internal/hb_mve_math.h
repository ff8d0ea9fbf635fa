/*
 * hb_mve_math.h - Helium (MVE) fixed-point helpers shared by the int8 kernels (private).
 *
 * Included only when HB_KPATH_MVE. The arithmetic is TFLite's, lane by lane:
 *   out = clamp(MultiplyByQuantizedMultiplier(acc, mult, shift) + out_offset, act_min, act_max)
 * where MultiplyByQuantizedMultiplier = RoundingDivideByPOT(SRDHM(acc << left, mult), right),
 * left = max(shift, 0), right = max(-shift, 0).
 *   - SRDHM (gemmlowp SaturatingRoundingDoublingHighMul) == VQRDMULH: both are round(a*b / 2^31)
 *     with ties toward +inf on the 64-bit product, saturating only INT32_MIN * INT32_MIN.
 *   - RoundingDivideByPOT rounds ties away from zero; VRSHL by -right rounds ties toward +inf.
 *     They differ only on negative exact ties, so negatives are nudged down by one first
 *     (x - 1 never crosses a rounding boundary except off a tie). The nudge is the sign bit of
 *     (x & -right): -right has its sign bit set exactly when right > 0.
 *   - acc << left wraps (VSHL), like the reference's int32 multiply by 2^left.
 */
#ifndef HB_MVE_MATH_H
#define HB_MVE_MATH_H

#include <arm_mve.h>
#include <stdint.h>

/* MultiplyByQuantizedMultiplier on four lanes (left = max(shift, 0), neg_right = min(shift, 0)). */
static inline int32x4_t hb_mve_mbqm_s32(int32x4_t x, int32x4_t mult, int32x4_t left,
                                        int32x4_t neg_right)
{
    x = vshlq_s32(x, left);
    x = vqrdmulhq_s32(x, mult);
    x = vqaddq_s32(x, vshrq_n_s32(vandq_s32(x, neg_right), 31));
    return vrshlq_s32(x, neg_right);
}

/* Requantization of one output tensor: per-channel tables, or one entry when !per_channel. */
typedef struct hb_mve_requant {
    const int32_t *mult;
    const int8_t *shift;
    int32_t per_channel;
    int32_t out_offset, act_min, act_max;
} hb_mve_requant;

/* Four int32 accumulators -> four requantized lanes plus the output offset, not yet clamped
 * (left / neg_right per lane from hb_mve_requant_lanes). */
static inline int32x4_t hb_mve_requant_s32(int32x4_t acc, int32x4_t mult, int32x4_t left,
                                           int32x4_t neg_right, int32_t out_offset)
{
    return vaddq_n_s32(hb_mve_mbqm_s32(acc, mult, left, neg_right), out_offset);
}

/* Multiplier lanes for output channels [oc, oc + 4) (predicated loads stop at the table's end). */
static inline void hb_mve_requant_lanes(const hb_mve_requant *q, int32_t oc, mve_pred16_t p,
                                        int32x4_t *mult, int32x4_t *left, int32x4_t *neg_right)
{
    int32x4_t s;
    if (q->per_channel) {
        *mult = vldrwq_z_s32(q->mult + oc, p);
        s = vldrbq_z_s32(q->shift + oc, p);
    } else {
        *mult = vdupq_n_s32(q->mult[0]);
        s = vdupq_n_s32(q->shift[0]);
    }
    *left = vmaxq_s32(s, vdupq_n_s32(0));
    *neg_right = vminq_s32(s, vdupq_n_s32(0));
}

/* dst[0..n) = src[0..n), 16 bytes per step, the tail predicated. */
static inline void hb_mve_copy_s8(int8_t *dst, const int8_t *src, int32_t n)
{
    if (n == 4) { /* the 1-channel, 4-tap filter rows of kws: one word (unaligned LDR/STR) */
        uint32_t v;
        __builtin_memcpy(&v, src, 4);
        __builtin_memcpy(dst, &v, 4);
        return;
    }
    for (; n >= 16; n -= 16) {
        vstrbq_s8(dst, vldrbq_s8(src));
        dst += 16;
        src += 16;
    }
    if (n > 0) {
        const mve_pred16_t p = vctp8q((uint32_t)n);
        vstrbq_p_s8(dst, vldrbq_z_s8(src, p), p);
    }
}

/* dst[0..n) = v. */
static inline void hb_mve_fill_s8(int8_t *dst, int8_t v, int32_t n)
{
    const int8x16_t x = vdupq_n_s8(v);
    for (; n >= 16; n -= 16) {
        vstrbq_s8(dst, x);
        dst += 16;
    }
    if (n > 0) {
        vstrbq_p_s8(dst, x, vctp8q((uint32_t)n));
    }
}

#endif /* HB_MVE_MATH_H */
