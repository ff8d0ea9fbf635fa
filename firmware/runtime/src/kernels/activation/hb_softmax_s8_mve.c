/* SOFTMAX, Helium (MVE) path: the reference's gemmlowp fixed point on four int32 lanes, every
 * rounding kept (hb_mve_math.h: SRDHM == VQRDMULH; VRSHR / VRSHL round ties up, which is the
 * reference's ties-away-from-zero on the non-negative values they get here).
 *   max:  16 int8 lanes per step (VMAX under a VCTP8 tail predicate), one VMAXV per row;
 *   sum:  exp of 4 lanes per step, lanes below diff_min zeroed, the row's tail predicated off;
 *   out:  the kept exp (short rows) or exp again (long rows, as TFLM), scaled, narrowed, stored.
 * No lookup table and no gather loads: a gather counts as one instruction under QEMU but costs a
 * beat per lane on the Cortex-M55; the straight VQRDMULH chain is what is fast on the core. */
#include "internal/hb_kernels_c.h"
#include "internal/hb_kernels_mve.h"
#include "internal/hb_kpath.h"

#if HB_KPATH_MVE

#include <arm_mve.h>

#include "internal/hb_mve_fixedpoint.h"
#include "internal/hb_softmax.h"

/* One row's constants. */
typedef struct hb_softmax_row {
    const int8_t *in;
    int32_t max, mult, left_shift, diff_min;
} hb_softmax_row;

/* exp of the scaled difference to the max for elements [c, c + 4) of the row (p: the lanes inside
 * it), 0 in the lanes below diff_min: there the sum gets nothing and the output pass gives
 * 0 * scale - 128 = -128, the reference's value for them. */
static inline int32x4_t hb_softmax_exp4(const hb_softmax_row *r, int32_t c, mve_pred16_t p)
{
    const int32x4_t diff = vsubq_n_s32(vldrbq_z_s32(r->in + c, p), r->max);
    /* diff - diff_min fits: diff_min >= -(31 << 26). */
    const int32x4_t dead = vshrq_n_s32(vsubq_n_s32(diff, r->diff_min), 31);
    /* diff << left_shift wraps like the reference's; it only overflows below diff_min. */
    const int32x4_t a = vqrdmulhq_n_s32(vshlq_r_s32(diff, r->left_shift), r->mult);
    return vbicq_s32(hb_mve_exp_q5(a), dead);
}

static int32_t hb_softmax_row_max(const int8_t *row, int32_t depth)
{
    int8x16_t m = vdupq_n_s8(-128);
    int32_t c;
    for (c = 0; c < depth; c += 16) {
        const mve_pred16_t p = vctp8q((uint32_t)(depth - c));
        m = vmaxq_m_s8(m, m, vldrbq_z_s8(row + c, p), p);
    }
    return vmaxvq_s8(-128, m);
}

/* Output lanes from exp: round(exp * scale / 2^exponent) - 128, at most 127 (never below -128:
 * exp * scale >= 0, so the rounding right shift rounds like the reference's). */
static inline void hb_softmax_store4(int8_t *dst, int32x4_t e, int32_t scale, int32_t exponent,
                                     mve_pred16_t p)
{
    const int32x4_t v = vrshlq_n_s32(vqrdmulhq_n_s32(e, scale), -exponent);
    vstrbq_p_s32(dst, vminq_s32(vsubq_n_s32(v, 128), vdupq_n_s32(127)), p);
}

void hb_softmax_s8_mve(int32_t input_mult, int32_t input_left_shift, int32_t diff_min,
                       int32_t outer, int32_t depth, const int8_t *in, int8_t *out)
{
    int32_t kept[HB_SOFTMAX_KEEP]; /* the row's exp, when depth <= HB_SOFTMAX_KEEP */
    int32_t i, c;
    for (i = 0; i < outer; i++) {
        hb_softmax_row r;
        int8_t *orow = out + i * depth;
        int32x4_t acc = vdupq_n_s32(0);
        int32_t scale, exponent;
        r.in = in + i * depth;
        r.max = hb_softmax_row_max(r.in, depth);
        r.mult = input_mult;
        r.left_shift = input_left_shift;
        r.diff_min = diff_min;
        /* Sum in a vector, reduced once per row: the int32 sum wraps like the reference's, so
         * the order of the additions does not matter. */
        for (c = 0; c < depth; c += 4) {
            const mve_pred16_t p = vctp32q((uint32_t)(depth - c));
            const int32x4_t e = hb_softmax_exp4(&r, c, p);
            acc = vaddq_m_s32(acc, acc, vrshrq_n_s32(e, 12), p); /* e >= 0 */
            if (depth <= HB_SOFTMAX_KEEP) {
                vstrwq_s32(kept + c, e); /* c + 4 <= HB_SOFTMAX_KEEP: a multiple of 4 */
            }
        }
        scale = vgetq_lane_s32(hb_mve_one_over_one_plus_x(vdupq_n_s32(
                                   hb_softmax_row_norm(vaddvq_s32(acc), &exponent))), 0);
        if (depth <= HB_SOFTMAX_KEEP) {
            for (c = 0; c < depth; c += 4) {
                hb_softmax_store4(orow + c, vldrwq_s32(kept + c), scale, exponent,
                                  vctp32q((uint32_t)(depth - c)));
            }
        } else {
            for (c = 0; c < depth; c += 4) {
                const mve_pred16_t p = vctp32q((uint32_t)(depth - c));
                hb_softmax_store4(orow + c, hb_softmax_exp4(&r, c, p), scale, exponent, p);
            }
        }
    }
}

#endif /* HB_KPATH_MVE */
