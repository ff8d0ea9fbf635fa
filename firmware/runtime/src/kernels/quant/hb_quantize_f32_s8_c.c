/* QUANTIZE float32 -> int8 (TFLM AffineQuantize): round(x / scale) in double, ties away from
 * zero, + zero point, clamped. Float by nature; not used by int8-only models. */
#include "internal/hb_kernels_c.h"
#include "internal/hb_quant.h"

void hb_quantize_f32_s8_c(float scale, int32_t zero_point, int32_t count, const float *in,
                          int8_t *out)
{
    int32_t i;
    for (i = 0; i < count; i++) {
        double v = hb_round_d((double)in[i] / (double)scale);
        if (!(v > -1e6)) { /* also catches NaN */
            v = v != v ? 0.0 : -1e6;
        } else if (v > 1e6) {
            v = 1e6;
        }
        v += zero_point;
        out[i] = (int8_t)(v < -128.0 ? -128 : (v > 127.0 ? 127 : (int32_t)v));
    }
}
