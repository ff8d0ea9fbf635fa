/* Helpers of the weighted ops (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED): weight and bias
 * checks and the per-channel requantization multipliers, computed as TFLM does (effective scale in
 * double: input_scale * filter_scale[c] / output_scale). */
#include "internal/hb_op.h"
#include "internal/hb_quant.h"

hb_status hb_pweights(const hb_pctx *c, const hb_tensor *f, const hb_tensor *bias,
                      int32_t channels)
{
    const hb_interpreter *ip = c->ip;
    if (f == 0 || !hb_is_const(f) || f->type != HB_TYPE_INT8 || f->n_scales == 0) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "weights must be constant int8 with scales");
    }
    if (f->n_scales != 1 && f->n_scales != (uint32_t)channels) {
        return hb_pfail(c, HB_ERR_MODEL, "weight scale count matches neither 1 nor the channels");
    }
    if (bias != 0) {
        if (!hb_is_const(bias) || bias->type != HB_TYPE_INT32 || hb_count(ip, bias) != channels) {
            return hb_pfail(c, HB_ERR_UNSUPPORTED, "bias must be a constant int32 [channels]");
        }
        if (((uintptr_t)hb_tensor_data(c->ip, bias) & 3u) != 0) {
            return hb_pfail(
                c, HB_ERR_UNSUPPORTED,
                "bias data is not 4-byte aligned (load the model at an aligned address)");
        }
    }
    return HB_OK;
}

hb_status hb_pchannel_mults(const hb_pctx *c, const hb_tensor *in, const hb_tensor *f,
                            const hb_tensor *out, int32_t channels, int32_t *mult, int8_t *shift)
{
    const hb_interpreter *ip = c->ip;
    int32_t k;
    for (k = 0; k < channels; k++) {
        const double fs = (double)hb_scale_at(c, f, f->n_scales > 1 ? (uint32_t)k : 0u);
        const double eff = (double)hb_scale(ip, in) * fs / (double)hb_scale(ip, out);
        int s;
        if (!(fs > 0.0) || !hb_quantize_multiplier(eff, &mult[k], &s)) {
            return hb_pfail(c, HB_ERR_MODEL, "weight scale is not a positive finite number");
        }
        shift[k] = (int8_t)s;
    }
    return HB_OK;
}

int hb_fold_late(const hb_tensor *f, const hb_tensor *bias)
{
    return f->decoded || (bias != 0 && bias->decoded);
}
