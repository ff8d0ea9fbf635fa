/* DEQUANTIZE int8 -> float32 (TFLM reference): (float)((double)scale * (x - zero_point)). */
#include "internal/hb_kernels_c.h"

void hb_dequantize_s8_f32_c(float scale, int32_t zero_point, int32_t count, const int8_t *in,
                            float *out)
{
    int32_t i;
    for (i = 0; i < count; i++) {
        out[i] = (float)((double)scale * (double)((int32_t)in[i] - zero_point));
    }
}
