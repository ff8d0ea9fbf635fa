/* SOFTMAX, DSP-extension path: the reference's arithmetic element by element, with the fixed-point
 * multiplies of exp as single SMMULR instructions where the operands allow (hb_dsp_fixedpoint.h)
 * and exp specialised to the 5 integer bits softmax uses; exp computed once per element for rows
 * up to HB_SOFTMAX_KEEP (hb_softmax.h), twice (as TFLM) for longer rows.
 * The DSP extension's 8- and 16-bit SIMD has nothing to offer this int32 arithmetic. */
#include "internal/hb_kernels_c.h"
#include "internal/hb_kernels_dsp.h"
#include "internal/hb_kpath.h"

#if HB_KPATH_DSP

#include "internal/hb_dsp_fixedpoint.h"
#include "internal/hb_qmath.h"
#include "internal/hb_softmax.h"

/* exp of the scaled difference to the max, 0 below diff_min (where the output is then -128). */
static inline int32_t hb_softmax_exp1(int32_t diff, int32_t mult, int32_t left_shift,
                                      int32_t diff_min)
{
    if (diff < diff_min) {
        return 0;
    }
    return hb_dsp_exp_q5(hb_dsp_srdhm(hb_wrap_shl(diff, left_shift), mult));
}

/* round(e * scale / 2^exponent) - 128, at most 127: e * scale >= 0, so rounding ties up is the
 * reference's rounding, and it never goes below -128. */
static inline int8_t hb_softmax_out1(int32_t e, int32_t scale, int32_t exponent)
{
    const int32_t r = hb_rdivpot(hb_dsp_srdhm(scale, e), exponent) - 128;
    return (int8_t)(r > 127 ? 127 : r);
}

/* One row of depth elements. */
static void hb_softmax_row_dsp(const int8_t *row, int8_t *orow, int32_t depth, int32_t mult,
                               int32_t left_shift, int32_t diff_min)
{
    const int32_t max_v = hb_softmax_row_max_s8(row, depth);
    const int keep = depth <= HB_SOFTMAX_KEEP;
    int32_t kept[HB_SOFTMAX_KEEP], sum = 0, scale, exponent, c;
    for (c = 0; c < depth; c++) {
        const int32_t e = hb_softmax_exp1(row[c] - max_v, mult, left_shift, diff_min);
        /* RoundingDivideByPOT(e, 12) for e >= 0; the int32 sum wraps like the reference's. */
        sum = hb_wrap_add(sum, (int32_t)(((uint32_t)e + 2048u) >> 12));
        if (keep) {
            kept[c] = e;
        }
    }
    scale = hb_one_over_one_plus_x(hb_softmax_row_norm(sum, &exponent));
    for (c = 0; c < depth; c++) {
        const int32_t e =
            keep ? kept[c] : hb_softmax_exp1(row[c] - max_v, mult, left_shift, diff_min);
        orow[c] = hb_softmax_out1(e, scale, exponent);
    }
}

void hb_softmax_s8_dsp(int32_t input_mult, int32_t input_left_shift, int32_t diff_min,
                       int32_t outer, int32_t depth, const int8_t *in, int8_t *out)
{
    int32_t i;
    for (i = 0; i < outer; i++) {
        hb_softmax_row_dsp(in + i * depth, out + i * depth, depth, input_mult, input_left_shift,
                           diff_min);
    }
}

#endif /* HB_KPATH_DSP */
