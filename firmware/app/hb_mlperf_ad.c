/* hb_mlperf_ad.c - see hb_mlperf_ad.h. */
#include "hb_mlperf_ad.h"

#include <math.h>
#include <string.h>

#include "hb_fmt.h"
#include "hb_io.h"
#include "hb_model.h"

#define TYPE_INT8 9 /* TFLite TensorType */

/* The one int8 input and one int8 output of the same element count an autoencoder has; 0 or -1 after e-[...]. */
static int autoencoder(hb_app_tensor *in, hb_app_tensor *out)
{
    if (hb_model_io_count(0) != 1u || hb_model_io_count(1) != 1u || hb_model_io(0, 0, in) != 0 ||
        hb_model_io(1, 0, out) != 0) {
        hb_printf("e-[ad01: needs a model with one input and one output: %s]\r\n", hb_model_status());
        return -1;
    }
    if (in->type != TYPE_INT8 || out->type != TYPE_INT8 || in->bytes != out->bytes) {
        hb_printf("e-[ad01: input and output must both be int8 with as many elements (%u and %u bytes)]\r\n",
                  (unsigned)in->bytes, (unsigned)out->bytes);
        return -1;
    }
    return 0;
}

/* Element k of the loaded input as a real value: float32 as sent, or the int8 value dequantized. */
static float input_value(const hb_app_tensor *in, size_t k)
{
    const uint8_t *buf = hb_io_buffer();
    if (hb_io_loaded() == in->bytes * 4u) {
        float v;
        memcpy(&v, buf + 4u * k, sizeof v); /* little-endian, as the runner's data files */
        return v;
    }
    return in->scale * (float)((int8_t)buf[k] - in->zero_point);
}

int hb_mlperf_ad_load(void)
{
    hb_app_tensor in, out;
    if (autoencoder(&in, &out) != 0) return -1;
    if (hb_io_loaded() != in.bytes * 4u) return hb_io_load_inputs(); /* int8 input, or its size error */
    int8_t *q = (int8_t *)in.data;
    for (size_t k = 0; k < in.bytes; ++k) {
        /* TFLite's quantization: round half away from zero, then the zero point, then clamp. */
        long v = lroundf(input_value(&in, k) / in.scale) + in.zero_point;
        q[k] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
    }
    return 0;
}

void hb_mlperf_ad_results(void)
{
    hb_app_tensor in, out;
    if (autoencoder(&in, &out) != 0) return;
    if (hb_io_loaded() != in.bytes && hb_io_loaded() != in.bytes * 4u) {
        hb_printf("e-[ad01: the db buffer holds %u bytes; the score needs the input: %u int8 or %u float32 bytes]\r\n",
                  (unsigned)hb_io_loaded(), (unsigned)in.bytes, (unsigned)(in.bytes * 4u));
        return;
    }
    const int8_t *y = (const int8_t *)out.data;
    float sum = 0.0f;
    for (size_t k = 0; k < out.bytes; ++k) {
        float d = out.scale * (float)(y[k] - out.zero_point) - input_value(&in, k);
        sum += d * d;
    }
    hb_printf("m-results-[");
    hb_print_fixed3(sum / (float)out.bytes);
    hb_printf("]\r\n");
}
