/*
 * hb_mve_gemm_s8.h - Helium (MVE) building blocks shared by the int8 conv paths (private).
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
#ifndef HB_MVE_GEMM_S8_H
#define HB_MVE_GEMM_S8_H

#include <arm_mve.h>
#include <stdint.h>

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
    int32x4_t x = vshlq_s32(acc, left);
    x = vqrdmulhq_s32(x, mult);
    x = vqaddq_s32(x, vshrq_n_s32(vandq_s32(x, neg_right), 31));
    x = vrshlq_s32(x, neg_right);
    return vaddq_n_s32(x, out_offset);
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
    while (n > 0) {
        const mve_pred16_t p = vctp8q((uint32_t)n);
        vstrbq_p_s8(dst, vldrbq_z_s8(src, p), p);
        dst += 16;
        src += 16;
        n -= 16;
    }
}

/* dst[0..n) = v. */
static inline void hb_mve_fill_s8(int8_t *dst, int8_t v, int32_t n)
{
    const int8x16_t x = vdupq_n_s8(v);
    while (n > 0) {
        vstrbq_p_s8(dst, x, vctp8q((uint32_t)n));
        dst += 16;
        n -= 16;
    }
}

/*
 * GEMM with requantization, the core of CONV_2D (1x1 direct, or on im2col columns) and
 * FULLY_CONNECTED: for r < n_rows, oc < cout:
 *   out[r * out_stride + oc] = requant(folded[oc] + sum_{k < depth} row_r[k] * filter[oc * depth + k])
 * with row_r = rows + r * row_stride: raw int8 (padding already holding the input zero point, so
 * folded's offset term cancels it); filter [cout, depth]; folded [cout] from hb_fold_bias_s8.
 */
void hb_mve_gemm_s8(const int8_t *rows, int32_t n_rows, int32_t row_stride, int32_t depth,
                    const int8_t *filter, int32_t cout, const int32_t *folded,
                    const hb_mve_requant *q, int8_t *out, int32_t out_stride);

#endif /* HB_MVE_GEMM_S8_H */
