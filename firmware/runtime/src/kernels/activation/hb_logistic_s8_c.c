/* LOGISTIC int8 -> int8 (TFLM reference): saturate outside +-radius, else rescale to Q4.27,
 * gemmlowp logistic to Q0.31, round to Q0.8 and shift by the -128 output zero point. */
#include "internal/hb_kernels_c.h"
#include "internal/hb_qmath.h"

void hb_logistic_s8_c(int32_t input_zero_point, int32_t input_range_radius, int32_t input_mult,
                      int32_t input_shift, int32_t count, const int8_t *in, int8_t *out)
{
    int32_t i;
    for (i = 0; i < count; i++) {
        const int32_t x = (int32_t)in[i] - input_zero_point;
        if (x <= -input_range_radius) {
            out[i] = -128;
        } else if (x >= input_range_radius) {
            out[i] = 127;
        } else {
            const int32_t q4 = hb_mbqm(x, input_mult, input_shift);
            const int32_t q0 = hb_logistic_q4(q4);
            const int32_t r = hb_rdivpot(q0, 23) - 128;
            out[i] = (int8_t)hb_clamp(r, -128, 127);
        }
    }
}
