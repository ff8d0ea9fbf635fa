/* Prepare for CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED: geometry checks and the per-channel
 * requantization multipliers, computed as TFLM does (effective scale in double:
 * input_scale * filter_scale[c] / output_scale; per-tensor FULLY_CONNECTED multiplies the two
 * float scales in float first, as TFLM's GetQuantizedConvolutionMultipler does). */
#include "internal/hb_prepare.h"
#include "internal/hb_quant.h"

/* Weights and bias: constants in the model; bias must be 4-byte aligned in memory. */
static hb_status check_weights(const hb_pctx *c, const hb_tensor *f, const hb_tensor *bias,
                               int32_t channels)
{
    if (f == 0 || !hb_is_const(f) || f->type != HB_TYPE_INT8 || f->n_scales == 0) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "weights must be constant int8 with scales");
    }
    if (f->n_scales != 1 && f->n_scales != (uint32_t)channels) {
        return hb_pfail(c, HB_ERR_MODEL, "weight scale count matches neither 1 nor the channels");
    }
    if (bias != 0) {
        if (!hb_is_const(bias) || bias->type != HB_TYPE_INT32 ||
            hb_count(bias) != channels) {
            return hb_pfail(c, HB_ERR_UNSUPPORTED, "bias must be a constant int32 [channels]");
        }
        if (((uintptr_t)hb_tensor_data(c->ip, bias) & 3u) != 0) {
            return hb_pfail(c, HB_ERR_UNSUPPORTED,
                            "bias data is not 4-byte aligned (load the model at an aligned address)");
        }
    }
    return HB_OK;
}

/* Per-channel multipliers into the arena tail. */
static hb_status channel_mults(const hb_pctx *c, const hb_tensor *in, const hb_tensor *f,
                               const hb_tensor *out, int32_t channels)
{
    hb_op *op = c->op;
    int32_t *mult, k;
    int8_t *shift;
    if (!hb_tail_alloc(c->ip, 4u * (uint32_t)channels, &op->mult_off) ||
        !hb_tail_alloc(c->ip, (uint32_t)channels, &op->shift_off)) {
        return c->ip->status;
    }
    mult = (int32_t *)(void *)(c->ip->arena + op->mult_off);
    shift = (int8_t *)(void *)(c->ip->arena + op->shift_off);
    for (k = 0; k < channels; k++) {
        const double fs = (double)hb_scale_at(c, f, f->n_scales > 1 ? (uint32_t)k : 0u);
        const double eff = (double)in->scale * fs / (double)out->scale;
        int s;
        if (!(fs > 0.0) || !hb_quantize_multiplier(eff, &mult[k], &s)) {
            return hb_pfail(c, HB_ERR_MODEL, "weight scale is not a positive finite number");
        }
        shift[k] = (int8_t)s;
    }
    return HB_OK;
}

static hb_dims4 dims4(const hb_tensor *t)
{
    hb_dims4 d;
    d.n = t->dims[0];
    d.h = t->dims[1];
    d.w = t->dims[2];
    d.c = t->dims[3];
    return d;
}

void hb_fold_op(hb_interpreter *ip, const hb_op *op)
{
    const hb_tensor *ts = hb_tensors(ip);
    const hb_tensor *f = &ts[hb_op_in(ip, op, 1)];
    const int32_t bias_i = op->n_in > 2 ? hb_op_in(ip, op, 2) : -1;
    const int32_t *bias = bias_i < 0 ? 0 : (const int32_t *)hb_tensor_data(ip, &ts[bias_i]);
    const int8_t *w = (const int8_t *)hb_tensor_data(ip, f);
    int32_t *folded = (int32_t *)(void *)(ip->arena + op->aux_off);
    if (op->kind == HB_K_CONV) {
        const int32_t taps = f->dims[1] * f->dims[2] * f->dims[3];
        hb_fold_bias_s8(f->dims[0], taps, taps, 1, w, bias, op->u.conv.input_offset, folded);
    } else if (op->kind == HB_K_DWCONV) {
        hb_fold_bias_s8(f->dims[3], f->dims[1] * f->dims[2], 1, f->dims[3], w, bias,
                        op->u.conv.input_offset, folded);
    } else {
        hb_fold_bias_s8(op->u.fc.channels, op->u.fc.depth, op->u.fc.depth, 1, w, bias,
                        op->u.fc.p.input_offset, folded);
    }
}

/* The folded bias goes to the tail, computed here once; weights or a bias decoded per layer have
 * no data before their DECODE runs, so eval folds those after it (fold_late). The kernel's
 * scratch is planned in the head by the planner, alive during this op only. */
static hb_status fold_and_scratch(const hb_pctx *c, const hb_tensor *f, const hb_tensor *bias,
                                  int32_t channels, int32_t scratch_bytes)
{
    hb_op *op = c->op;
    if (scratch_bytes < 0) {
        return hb_pfail(c, HB_ERR_INTERNAL, "kernel asked for a negative scratch size");
    }
    op->scratch_bytes = (uint32_t)scratch_bytes;
    if (!hb_tail_alloc(c->ip, 4u * (uint32_t)channels, &op->aux_off)) {
        return c->ip->status;
    }
    op->fold_late = (uint8_t)(f->decoded || (bias != 0 && bias->decoded));
    if (!op->fold_late) {
        hb_fold_op(c->ip, op);
    }
    return HB_OK;
}

static hb_status conv_common(hb_pctx *c, int depthwise)
{
    hb_tensor *in = hb_pin(c, 0), *f = hb_pin(c, 1), *bias = hb_pin(c, 2), *out = hb_pout(c);
    hb_conv_params *p = &c->op->u.conv;
    const unsigned base = depthwise ? 1u : 0u; /* depthwise options have depth_multiplier at 3 */
    int32_t oh, ow, channels;
    int padding;
    hb_status st;
    if (c->op->n_in < 2 || c->op->n_in > 3) {
        return hb_pfail(c, HB_ERR_MODEL, "needs input, weights and optional bias");
    }
    if (!hb_is_s8(in) || !hb_is_s8(out) || in->ndims != 4 || out->ndims != 4 || f == 0 ||
        f->ndims != 4) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "needs int8 4-D input/output and 4-D weights");
    }
    channels = out->dims[3];
    st = check_weights(c, f, bias, channels);
    if (st != HB_OK) {
        return st;
    }
    if (f->zero_point != 0) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "weights must have zero point 0");
    }
    padding = hb_opt_u8(c, 0, 0);
    p->stride_w = hb_opt_i32(c, 1, 0);
    p->stride_h = hb_opt_i32(c, 2, 0);
    p->dilation_w = hb_opt_i32(c, 4 + base, 1);
    p->dilation_h = hb_opt_i32(c, 5 + base, 1);
    if (!hb_padding(padding, in->dims[1], f->dims[1], p->stride_h, p->dilation_h, &oh, &p->pad_h) ||
        !hb_padding(padding, in->dims[2], f->dims[2], p->stride_w, p->dilation_w, &ow, &p->pad_w)) {
        return hb_pfail(c, HB_ERR_MODEL, "bad padding, stride, dilation or filter size");
    }
    if (out->dims[0] != in->dims[0] || out->dims[1] != oh || out->dims[2] != ow) {
        return hb_pfail(c, HB_ERR_MODEL, "output shape does not match input, filter and strides");
    }
    if (depthwise) {
        const int32_t opt_m = hb_opt_i32(c, 3, 0);
        if (f->dims[0] != 1 || f->dims[3] != channels || channels % in->dims[3] != 0) {
            return hb_pfail(c, HB_ERR_MODEL, "weights must be [1, KH, KW, Cin * multiplier]");
        }
        p->depth_multiplier = channels / in->dims[3];
        if (opt_m != 0 && opt_m != p->depth_multiplier) {
            return hb_pfail(c, HB_ERR_MODEL, "depth_multiplier disagrees with the shapes");
        }
        if (f->n_scales > 1 && f->qdim != 3) {
            return hb_pfail(c, HB_ERR_MODEL, "per-channel weights must be quantized along dim 3");
        }
    } else {
        if (f->dims[0] != channels || f->dims[3] <= 0 || in->dims[3] % f->dims[3] != 0 ||
            channels % (in->dims[3] / f->dims[3]) != 0) {
            return hb_pfail(c, HB_ERR_MODEL, "weights must be [Cout, KH, KW, Cin / groups]");
        }
        if (f->n_scales > 1 && f->qdim != 0) {
            return hb_pfail(c, HB_ERR_MODEL, "per-channel weights must be quantized along dim 0");
        }
        p->depth_multiplier = 1;
    }
    p->input_offset = -in->zero_point;
    p->output_offset = out->zero_point;
    st = hb_pact(c, hb_opt_u8(c, 3 + base, 0), out, &p->act_min, &p->act_max);
    if (st == HB_OK) {
        st = channel_mults(c, in, f, out, channels);
    }
    if (st != HB_OK) {
        return st;
    }
    {
        const hb_dims4 di = dims4(in), df = dims4(f), dout = dims4(out);
        const int32_t bytes = depthwise ? hb_depthwise_conv_s8_get_buffer_size(p, &di, &df, &dout)
                                        : hb_conv_s8_get_buffer_size(p, &di, &df, &dout);
        return fold_and_scratch(c, f, bias, channels, bytes);
    }
}

hb_status hb_prepare_conv(hb_pctx *c) { return conv_common(c, 0); }

hb_status hb_prepare_dwconv(hb_pctx *c) { return conv_common(c, 1); }

static hb_status tensor_mult(const hb_pctx *c, const hb_tensor *in, const hb_tensor *f,
                             const hb_tensor *out);

hb_status hb_prepare_fc(hb_pctx *c)
{
    hb_tensor *in = hb_pin(c, 0), *f = hb_pin(c, 1), *bias = hb_pin(c, 2), *out = hb_pout(c);
    hb_fc_params *p = &c->op->u.fc.p;
    int32_t depth, channels, batches;
    hb_status st;
    if (c->op->n_in < 2 || c->op->n_in > 3) {
        return hb_pfail(c, HB_ERR_MODEL, "needs input, weights and optional bias");
    }
    if (!hb_is_s8(in) || !hb_is_s8(out) || f == 0 || f->ndims != 2) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "needs int8 input/output and 2-D weights");
    }
    if (hb_opt_u8(c, 1, 0) != 0) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "shuffled weights format");
    }
    channels = f->dims[0];
    depth = f->dims[1];
    st = check_weights(c, f, bias, channels);
    if (st != HB_OK) {
        return st;
    }
    if (f->n_scales > 1 && f->qdim != 0) {
        return hb_pfail(c, HB_ERR_MODEL, "per-channel weights must be quantized along dim 0");
    }
    if (hb_count(in) % depth != 0) {
        return hb_pfail(c, HB_ERR_MODEL, "input size is not a multiple of the weights' depth");
    }
    batches = hb_count(in) / depth;
    /* 64-bit product: a malformed model can make batches * channels overflow int32 (found by fuzzing) */
    if ((int64_t)hb_count(out) != (int64_t)batches * channels || out->dims[out->ndims - 1] != channels) {
        return hb_pfail(c, HB_ERR_MODEL, "output shape does not match [batches, channels]");
    }
    c->op->u.fc.batches = batches;
    c->op->u.fc.depth = depth;
    c->op->u.fc.channels = channels;
    p->input_offset = -in->zero_point;
    p->filter_offset = -f->zero_point;
    p->output_offset = out->zero_point;
    st = hb_pact(c, hb_opt_u8(c, 0, 0), out, &p->act_min, &p->act_max);
    if (st != HB_OK) {
        return st;
    }
    p->per_channel = f->n_scales > 1;
    st = p->per_channel ? channel_mults(c, in, f, out, channels) : tensor_mult(c, in, f, out);
    if (st != HB_OK) {
        return st;
    }
    return fold_and_scratch(c, f, bias, channels,
                            hb_fully_connected_s8_get_buffer_size(p, batches, depth, channels));
}

/* Per-tensor FULLY_CONNECTED: the two float scales multiply in float first, as in TFLM. */
static hb_status tensor_mult(const hb_pctx *c, const hb_tensor *in, const hb_tensor *f,
                             const hb_tensor *out)
{
    if (!hb_tail_alloc(c->ip, 4u, &c->op->mult_off) || !hb_tail_alloc(c->ip, 1u, &c->op->shift_off)) {
        return c->ip->status;
    }
    {
        const double eff = (double)(in->scale * f->scale) / (double)out->scale;
        int32_t *mult = (int32_t *)(void *)(c->ip->arena + c->op->mult_off);
        int8_t *shift = (int8_t *)(void *)(c->ip->arena + c->op->shift_off);
        int s;
        if (!(f->scale > 0.0f) || !hb_quantize_multiplier(eff, mult, &s)) {
            return hb_pfail(c, HB_ERR_MODEL, "weight scale is not a positive finite number");
        }
        *shift = (int8_t)s;
    }
    return HB_OK;
}
