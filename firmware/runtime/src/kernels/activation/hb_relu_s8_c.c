/* RELU / RELU6 int8 (TFLM ReluQuantized): (x - in_zp) * multiplier + out_zp, clamped to the
 * activation range. RELU6 passes an identity multiplier and zero offsets (TFLM clamps the input
 * between its zero and its quantized 6). */
#include "internal/hb_kernels_c.h"
#include "internal/hb_qmath.h"

void hb_relu_s8_c(int32_t input_zero_point, int32_t output_zero_point, int32_t mult, int32_t shift,
                  int32_t act_min, int32_t act_max, int32_t count, const int8_t *in, int8_t *out)
{
    int32_t i;
    for (i = 0; i < count; i++) {
        const int32_t r = hb_mbqm((int32_t)in[i] - input_zero_point, mult, shift) + output_zero_point;
        out[i] = (int8_t)hb_clamp(r, act_min, act_max);
    }
}
