/* SOFTMAX int8 -> int8 (TFLM reference, gemmlowp fixed point): per row, exp of the scaled
 * difference to the row max in Q5.26 -> Q0.31, summed in Q12.19, reciprocal, rescaled to
 * the output's 1/256 scale with zero point -128. */
#include "hb_kernels.h"
#include "internal/hb_qmath.h"

void hb_softmax_s8(int32_t input_mult, int32_t input_left_shift, int32_t diff_min, int32_t outer,
                   int32_t depth, const int8_t *in, int8_t *out)
{
    int32_t i, c;
    for (i = 0; i < outer; i++) {
        const int8_t *row = in + i * depth;
        int8_t *orow = out + i * depth;
        int32_t max_v = -128, sum = 0, headroom, bits_over_unit, scale, exponent;
        for (c = 0; c < depth; c++) {
            max_v = row[c] > max_v ? row[c] : max_v;
        }
        for (c = 0; c < depth; c++) {
            const int32_t diff = (int32_t)row[c] - max_v;
            if (diff >= diff_min) {
                const int32_t scaled = hb_srdhm(hb_wrap_shl(diff, input_left_shift), input_mult);
                sum = hb_wrap_add(sum, hb_rdivpot(hb_exp_on_negative_values(scaled, 5), 12));
            }
        }
        /* GetReciprocal(sum, 12): sum >= exp(0) > 0 because the max itself is included. */
        headroom = hb_clz32((uint32_t)sum);
        bits_over_unit = 12 - headroom;
        scale = hb_one_over_one_plus_x(
            (int32_t)(((uint32_t)sum << headroom) - ((uint32_t)1 << 31)));
        exponent = bits_over_unit + 31 - 8;
        if (exponent < 0) {
            exponent = 0;
        } else if (exponent > 31) {
            exponent = 31;
        }
        for (c = 0; c < depth; c++) {
            const int32_t diff = (int32_t)row[c] - max_v;
            if (diff >= diff_min) {
                const int32_t scaled = hb_srdhm(hb_wrap_shl(diff, input_left_shift), input_mult);
                const int32_t e = hb_exp_on_negative_values(scaled, 5);
                const int32_t r = hb_rdivpot(hb_srdhm(scale, e), exponent) - 128;
                orow[c] = (int8_t)hb_clamp(r, -128, 127);
            } else {
                orow[c] = -128;
            }
        }
    }
}
