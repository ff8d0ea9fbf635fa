/* SOFTMAX int8 -> int8, plain C path (TFLM reference, gemmlowp fixed point): per row, exp of the
 * scaled difference to the row max in Q5.26 -> Q0.31, summed in Q12.19, reciprocal, rescaled to
 * the output's 1/256 scale with zero point -128. Always compiled: the reference the Helium path is
 * checked against. */
#include "internal/hb_kernels_c.h"
#include "internal/hb_qmath.h"
#include "internal/hb_softmax.h"

void hb_softmax_s8_c(int32_t input_mult, int32_t input_left_shift, int32_t diff_min, int32_t outer,
                     int32_t depth, const int8_t *in, int8_t *out)
{
    int32_t i, c;
    for (i = 0; i < outer; i++) {
        const int8_t *row = in + i * depth;
        int8_t *orow = out + i * depth;
        const int32_t max_v = hb_softmax_row_max_s8(row, depth);
        int32_t sum = 0, scale, exponent;
        for (c = 0; c < depth; c++) {
            const int32_t diff = (int32_t)row[c] - max_v;
            if (diff >= diff_min) {
                const int32_t scaled = hb_srdhm(hb_wrap_shl(diff, input_left_shift), input_mult);
                sum = hb_wrap_add(sum, hb_rdivpot(hb_exp_on_negative_values(scaled, 5), 12));
            }
        }
        scale = hb_one_over_one_plus_x(hb_softmax_row_norm(sum, &exponent));
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
