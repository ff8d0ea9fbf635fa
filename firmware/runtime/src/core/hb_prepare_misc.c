/* Prepare for the element-wise, pooling, shape, activation, (de)quantize and reduce ops. */
#include <string.h>

#include "internal/hb_parse.h"
#include "internal/hb_prepare.h"
#include "internal/hb_quant.h"

/* Right-aligned 6-D broadcast of in1, in2 to out; 0 if the shapes are not broadcastable. */
static int make_bcast(const hb_tensor *a, const hb_tensor *b, const hb_tensor *o, hb_bcast *bc)
{
    int32_t sa = 1, sb = 1;
    int k;
    if (a->ndims > o->ndims || b->ndims > o->ndims) {
        return 0;
    }
    for (k = 5; k >= 0; k--) {
        const int ko = k - (6 - o->ndims), ka = k - (6 - a->ndims), kb = k - (6 - b->ndims);
        const int32_t dout = ko >= 0 ? o->dims[ko] : 1;
        const int32_t da = ka >= 0 ? a->dims[ka] : 1;
        const int32_t db = kb >= 0 ? b->dims[kb] : 1;
        if ((da != dout && da != 1) || (db != dout && db != 1)) {
            return 0;
        }
        bc->dims[k] = dout;
        bc->stride1[k] = da == 1 ? 0 : sa;
        bc->stride2[k] = db == 1 ? 0 : sb;
        sa *= da;
        sb *= db;
    }
    return 1;
}

static hb_status binary_common(hb_pctx *c, hb_tensor **a, hb_tensor **b, hb_tensor **o)
{
    *a = hb_pin(c, 0);
    *b = hb_pin(c, 1);
    *o = hb_pout(c);
    if (c->op->n_in != 2 || !hb_is_s8(*a) || !hb_is_s8(*b) || !hb_is_s8(*o)) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "needs two int8 inputs and an int8 output");
    }
    if (!hb_tail_alloc(c->ip, (uint32_t)sizeof(hb_bcast), &c->op->aux_off)) {
        return c->ip->status;
    }
    if (!make_bcast(*a, *b, *o, (hb_bcast *)(void *)(c->ip->arena + c->op->aux_off))) {
        return hb_pfail(c, HB_ERR_MODEL, "input shapes do not broadcast to the output shape");
    }
    return HB_OK;
}

hb_status hb_prepare_add(hb_pctx *c)
{
    hb_tensor *a, *b, *o;
    hb_add_params *p = &c->op->u.add;
    hb_status st = binary_common(c, &a, &b, &o);
    double twice_max, r1, r2, ro;
    int s1, s2, so;
    if (st != HB_OK) {
        return st;
    }
    p->input1_offset = -a->zero_point;
    p->input2_offset = -b->zero_point;
    p->output_offset = o->zero_point;
    p->left_shift = 20;
    twice_max = 2.0 * (double)(a->scale > b->scale ? a->scale : b->scale);
    r1 = (double)a->scale / twice_max;
    r2 = (double)b->scale / twice_max;
    ro = twice_max / ((double)(1 << 20) * (double)o->scale);
    if (!hb_quantize_multiplier(r1, &p->input1_mult, &s1) ||
        !hb_quantize_multiplier(r2, &p->input2_mult, &s2) ||
        !hb_quantize_multiplier(ro, &p->output_mult, &so) || !(ro < 1.0)) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "scales give a rescale factor of 1 or more");
    }
    p->input1_shift = s1;
    p->input2_shift = s2;
    p->output_shift = so;
    return hb_pact(c, hb_opt_u8(c, 0, 0), o, &p->act_min, &p->act_max);
}

hb_status hb_prepare_mul(hb_pctx *c)
{
    hb_tensor *a, *b, *o;
    hb_mul_params *p = &c->op->u.mul;
    hb_status st = binary_common(c, &a, &b, &o);
    int s;
    if (st != HB_OK) {
        return st;
    }
    p->input1_offset = -a->zero_point;
    p->input2_offset = -b->zero_point;
    p->output_offset = o->zero_point;
    if (!hb_quantize_multiplier((double)a->scale * (double)b->scale / (double)o->scale,
                                &p->output_mult, &s)) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "scales give an unrepresentable multiplier");
    }
    p->output_shift = s;
    return hb_pact(c, hb_opt_u8(c, 0, 0), o, &p->act_min, &p->act_max);
}

hb_status hb_prepare_pool(hb_pctx *c)
{
    hb_tensor *in = hb_pin(c, 0), *out = hb_pout(c);
    hb_pool_params *p = &c->op->u.pool;
    int32_t oh, ow;
    const int padding = hb_opt_u8(c, 0, 0);
    if (!hb_is_s8(in) || !hb_is_s8(out) || in->ndims != 4 || out->ndims != 4) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "needs int8 4-D input and output");
    }
    p->stride_w = hb_opt_i32(c, 1, 0);
    p->stride_h = hb_opt_i32(c, 2, 0);
    p->filter_w = hb_opt_i32(c, 3, 0);
    p->filter_h = hb_opt_i32(c, 4, 0);
    if (!hb_padding(padding, in->dims[1], p->filter_h, p->stride_h, 1, &oh, &p->pad_h) ||
        !hb_padding(padding, in->dims[2], p->filter_w, p->stride_w, 1, &ow, &p->pad_w) ||
        (int64_t)p->filter_w * p->filter_h > 0x7fffff) {
        return hb_pfail(c, HB_ERR_MODEL, "bad padding, stride or filter size");
    }
    if (out->dims[0] != in->dims[0] || out->dims[1] != oh || out->dims[2] != ow ||
        out->dims[3] != in->dims[3]) {
        return hb_pfail(c, HB_ERR_MODEL, "output shape does not match input, filter and strides");
    }
    return hb_pact(c, hb_opt_u8(c, 5, 0), out, &p->act_min, &p->act_max);
}

hb_status hb_prepare_reshape(hb_pctx *c)
{
    hb_tensor *in = hb_pin(c, 0), *out = hb_pout(c);
    if (in == 0 || in->type != out->type || in->bytes != out->bytes || hb_type_size(in->type) == 0) {
        return hb_pfail(c, HB_ERR_MODEL, "input and output differ in type or size");
    }
    return HB_OK;
}

hb_status hb_prepare_softmax(hb_pctx *c)
{
    hb_tensor *in = hb_pin(c, 0), *out = hb_pout(c);
    const double beta = (double)hb_opt_f32(c, 0, 0.0f);
    double real;
    int s;
    if (!hb_is_s8(in) || !hb_is_s8(out) || !hb_same_dims(in, out) || in->ndims < 1) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "needs int8 input and output of the same shape");
    }
    if (out->zero_point != -128 || out->scale != 1.0f / 256.0f) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "int8 output must have scale 1/256, zero point -128");
    }
    real = beta * (double)in->scale * (double)(1 << 26);
    if (real > 2147483647.0) {
        real = 2147483647.0;
    }
    if (!(real > 1.0) || !hb_quantize_multiplier(real, &c->op->u.softmax.mult, &s) || s < 0) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "beta * input scale is too small");
    }
    c->op->u.softmax.shift = s;
    c->op->u.softmax.diff_min = -hb_input_radius(5, s);
    c->op->u.softmax.depth = in->dims[in->ndims - 1];
    c->op->u.softmax.outer = hb_count(in) / c->op->u.softmax.depth;
    return HB_OK;
}

hb_status hb_prepare_logistic(hb_pctx *c)
{
    hb_tensor *in = hb_pin(c, 0), *out = hb_pout(c);
    double q, m;
    int e;
    if (!hb_is_s8(in) || !hb_is_s8(out) || hb_count(in) != hb_count(out)) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "needs int8 input and output of the same size");
    }
    if (out->zero_point != -128) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "int8 output must have zero point -128");
    }
    /* TFLM takes frexp of input_scale * 2^27 directly (no QuantizeMultiplier fix-ups). */
    q = hb_frexp((double)in->scale * (double)(1 << 27), &e);
    m = hb_round_d(q * 2147483648.0);
    c->op->u.logistic.mult = m >= 2147483648.0 ? INT32_MIN : (int32_t)m;
    c->op->u.logistic.shift = e;
    c->op->u.logistic.zp = in->zero_point;
    c->op->u.logistic.radius = hb_input_radius(4, e);
    if (e > 31 || e < -31) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "input scale out of range");
    }
    return HB_OK;
}

hb_status hb_prepare_quantize(hb_pctx *c)
{
    hb_tensor *in = hb_pin(c, 0), *out = hb_pout(c);
    if (in == 0 || !hb_is_s8(out) || hb_count(in) != hb_count(out)) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "needs an int8 output of the input's size");
    }
    c->op->u.quant.scale = out->scale;
    c->op->u.quant.out_zp = out->zero_point;
    if (in->type == HB_TYPE_FLOAT32) {
        return HB_OK;
    }
    if (!hb_is_s8(in)) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "input must be float32 or int8");
    }
    {
        int s;
        c->op->kind = HB_K_REQUANTIZE;
        c->op->u.quant.in_zp = in->zero_point;
        if (!hb_quantize_multiplier((double)in->scale / (double)out->scale, &c->op->u.quant.mult, &s)) {
            return hb_pfail(c, HB_ERR_UNSUPPORTED, "scales give an unrepresentable multiplier");
        }
        c->op->u.quant.shift = s;
    }
    return HB_OK;
}

hb_status hb_prepare_dequantize(hb_pctx *c)
{
    hb_tensor *in = hb_pin(c, 0), *out = hb_pout(c);
    if (!hb_is_s8(in) || out->type != HB_TYPE_FLOAT32 || hb_count(in) != hb_count(out)) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "needs int8 input and float32 output of one size");
    }
    c->op->u.quant.scale = in->scale;
    c->op->u.quant.in_zp = in->zero_point;
    return HB_OK;
}

hb_status hb_prepare_pad(hb_pctx *c)
{
    hb_tensor *in = hb_pin(c, 0), *pads = hb_pin(c, 1), *out = hb_pout(c);
    const uint8_t *pd;
    int k;
    if (c->op->n_in != 2 || !hb_is_s8(in) || !hb_is_s8(out) || in->ndims != out->ndims ||
        in->ndims < 1) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "needs int8 input and output of one rank");
    }
    if (pads == 0 || pads->where != HB_AT_MODEL || (pads->type != HB_TYPE_INT32 && pads->type != 4) ||
        pads->ndims != 2 || pads->dims[0] != in->ndims || pads->dims[1] != 2) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "paddings must be a constant int32/int64 [rank, 2]");
    }
    pd = c->fb.buf + pads->data_off;
    for (k = 0; k < in->ndims; k++) {
        int64_t before, after;
        if (pads->type == HB_TYPE_INT32) {
            before = hb_rd_i32(pd + 8 * k);
            after = hb_rd_i32(pd + 8 * k + 4);
        } else {
            before = (int64_t)hb_rd_u64(pd + 16 * k);
            after = (int64_t)hb_rd_u64(pd + 16 * k + 8);
        }
        if (before < 0 || after < 0 || before > out->dims[k] || after > out->dims[k] ||
            (int64_t)in->dims[k] + before + after != out->dims[k]) {
            return hb_pfail(c, HB_ERR_MODEL, "paddings do not match the output shape");
        }
        c->op->u.pad.before[k] = (int32_t)before;
    }
    c->op->u.pad.value = out->zero_point;
    return HB_OK;
}

hb_status hb_prepare_concat(hb_pctx *c)
{
    hb_tensor *out = hb_pout(c);
    int32_t axis = hb_opt_i32(c, 0, 0), sum = 0, outer = 1;
    unsigned k;
    int d;
    if (hb_type_size(out->type) == 0 || out->ndims < 1) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "output type not supported");
    }
    if (axis < 0) {
        axis += out->ndims;
    }
    if (axis < 0 || axis >= out->ndims || hb_opt_u8(c, 1, 0) != 0) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "bad axis or a fused activation");
    }
    for (k = 0; k < c->op->n_in; k++) {
        const hb_tensor *in = hb_pin(c, k);
        if (in == 0 || in->type != out->type || in->ndims != out->ndims) {
            return hb_pfail(c, HB_ERR_MODEL, "inputs must match the output's type and rank");
        }
        if (out->type == HB_TYPE_INT8 && (in->scale != out->scale || in->zero_point != out->zero_point)) {
            return hb_pfail(c, HB_ERR_UNSUPPORTED, "inputs quantized differently from the output");
        }
        for (d = 0; d < out->ndims; d++) {
            if (d != axis && in->dims[d] != out->dims[d]) {
                return hb_pfail(c, HB_ERR_MODEL, "input shapes differ outside the axis");
            }
        }
        sum += in->dims[axis];
        if (sum > out->dims[axis]) {
            break;
        }
    }
    if (sum != out->dims[axis]) {
        return hb_pfail(c, HB_ERR_MODEL, "input sizes along the axis do not add up to the output");
    }
    for (d = 0; d < axis; d++) {
        outer *= out->dims[d];
    }
    c->op->u.concat.outer = outer;
    c->op->u.concat.axis = axis;
    return HB_OK;
}

hb_status hb_prepare_mean(hb_pctx *c)
{
    hb_tensor *in = hb_pin(c, 0), *axes = hb_pin(c, 1), *out = hb_pout(c);
    const int keep = hb_opt_u8(c, 0, 0) != 0;
    uint8_t *red = c->op->u.mean.reduce;
    int32_t kept = 1;
    int k, j;
    if (c->op->n_in != 2 || !hb_is_s8(in) || !hb_is_s8(out)) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "needs int8 input and output");
    }
    if (axes == 0 || axes->where != HB_AT_MODEL || axes->type != HB_TYPE_INT32 || axes->ndims > 1 ||
        hb_count(axes) < 1 || hb_count(axes) > 2 * HB_MAX_DIMS) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "axis must be a constant int32 vector");
    }
    memset(red, 0, sizeof c->op->u.mean.reduce);
    for (k = 0; k < hb_count(axes); k++) {
        int32_t a = hb_rd_i32(c->fb.buf + axes->data_off + 4u * (uint32_t)k);
        if (a < 0) {
            a += in->ndims;
        }
        if (a < 0 || a >= in->ndims) {
            return hb_pfail(c, HB_ERR_MODEL, "axis out of range");
        }
        red[a] = 1;
    }
    for (k = 0, j = 0; k < in->ndims; k++) {
        if (!red[k]) {
            kept *= in->dims[k];
        }
        if (keep) {
            if (out->ndims != in->ndims || out->dims[k] != (red[k] ? 1 : in->dims[k])) {
                return hb_pfail(c, HB_ERR_MODEL, "output shape does not match keep_dims");
            }
        } else if (!red[k]) {
            if (j >= out->ndims || out->dims[j] != in->dims[k]) {
                return hb_pfail(c, HB_ERR_MODEL, "output shape does not match the kept dims");
            }
            j++;
        }
    }
    if (hb_count(out) != kept) {
        return hb_pfail(c, HB_ERR_MODEL, "output size does not match the kept dims");
    }
    {
        int32_t n = hb_count(in) / kept, m;
        int sh;
        if (!hb_quantize_multiplier((double)in->scale / (double)out->scale, &m, &sh)) {
            return hb_pfail(c, HB_ERR_UNSUPPORTED, "scales give an unrepresentable multiplier");
        }
        c->op->u.mean.mult = m;
        c->op->u.mean.shift = sh;
        hb_mean_multiplier(n, &c->op->u.mean.mult, &c->op->u.mean.shift);
    }
    c->op->u.mean.in_zp = in->zero_point;
    c->op->u.mean.out_zp = out->zero_point;
    c->op->u.mean.same_quant = in->zero_point == out->zero_point && in->scale == out->scale;
    return HB_OK;
}
