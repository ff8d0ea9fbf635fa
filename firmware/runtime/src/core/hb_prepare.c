/* Prepare dispatch and shared helpers. Each op family's prepare validates everything its kernel
 * relies on (types, ranks, shapes, constant-ness, sizes), so kernels never see bad geometry. */
#include "internal/hb_prepare.h"

#include "internal/hb_quant.h"

hb_status hb_pfail(const hb_pctx *c, hb_status st, const char *what)
{
    return hb_fail(c->ip, st, "operator %u (%s): %s", c->index, hb_builtin_name(c->op->builtin),
                   what);
}

hb_tensor *hb_pin(const hb_pctx *c, unsigned k)
{
    int32_t idx;
    if (k >= c->op->n_in) {
        return 0;
    }
    idx = hb_op_in(c->ip, c->op, k);
    return idx < 0 ? 0 : &hb_tensors(c->ip)[idx];
}

hb_tensor *hb_pout(const hb_pctx *c) { return &hb_tensors(c->ip)[c->op->out]; }

int32_t hb_opt_i32(const hb_pctx *c, unsigned field, int32_t dflt)
{
    int32_t v = dflt;
    if (c->has_opt) {
        (void)hb_fb_i32(&c->fb, &c->opt, field, dflt, &v);
    }
    return v;
}

uint8_t hb_opt_u8(const hb_pctx *c, unsigned field, uint8_t dflt)
{
    uint8_t v = dflt;
    if (c->has_opt) {
        (void)hb_fb_u8(&c->fb, &c->opt, field, dflt, &v);
    }
    return v;
}

float hb_opt_f32(const hb_pctx *c, unsigned field, float dflt)
{
    float v = dflt;
    if (c->has_opt) {
        (void)hb_fb_f32(&c->fb, &c->opt, field, dflt, &v);
    }
    return v;
}

static int finite_positive(float s) { return s > 0.0f && s < 3.0e38f; }

int hb_is_s8(const hb_tensor *t)
{
    return t != 0 && t->type == HB_TYPE_INT8 && t->n_scales == 1 && finite_positive(t->scale) &&
           t->zero_point >= -128 && t->zero_point <= 127;
}

int32_t hb_count(const hb_tensor *t)
{
    int32_t n = 1;
    int k;
    for (k = 0; k < t->ndims; k++) {
        n *= t->dims[k]; /* bounded: bytes < 2^31 was checked at parse */
    }
    return n;
}

int hb_same_dims(const hb_tensor *a, const hb_tensor *b)
{
    int k;
    if (a->ndims != b->ndims) {
        return 0;
    }
    for (k = 0; k < a->ndims; k++) {
        if (a->dims[k] != b->dims[k]) {
            return 0;
        }
    }
    return 1;
}

float hb_scale_at(const hb_pctx *c, const hb_tensor *t, uint32_t k)
{
    if (t->n_scales <= 1) {
        return t->scale;
    }
    return hb_rd_f32(c->fb.buf + t->scales_pos + 4u * k);
}

hb_status hb_pact(const hb_pctx *c, int act, const hb_tensor *out, int32_t *lo, int32_t *hi)
{
    if (!hb_activation_range_s8(act, out->scale, out->zero_point, lo, hi)) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "fused activation other than NONE/RELU/RELU6/RELU_N1_TO_1");
    }
    return HB_OK;
}

int hb_padding(int padding, int32_t in, int32_t filter, int32_t stride, int32_t dilation,
               int32_t *out, int32_t *pad)
{
    int64_t eff, o, total;
    if (stride <= 0 || dilation <= 0 || filter <= 0 || stride > 65535 || dilation > 65535 ||
        (padding != 0 && padding != 1)) {
        return 0;
    }
    eff = (int64_t)(filter - 1) * dilation + 1;
    if (eff > (1 << 30) || in > (1 << 30)) { /* keeps every kernel index inside int32 */
        return 0;
    }
    o = padding == 0 ? ((int64_t)in + stride - 1) / stride : ((int64_t)in + stride - eff) / stride;
    if (o <= 0) {
        return 0;
    }
    total = (o - 1) * stride + eff - in;
    total = total > 0 ? total : 0;
    if (total / 2 > 0x3fffffff) {
        return 0;
    }
    *out = (int32_t)o;
    *pad = (int32_t)(total / 2);
    return 1;
}

hb_status hb_prepare_op(hb_interpreter *ip, uint32_t index, hb_op *op)
{
    hb_pctx c;
    c.ip = ip;
    c.index = index;
    c.op = op;
    c.fb.buf = ip->model;
    c.fb.len = ip->model_len;
    /* opt_pos shares the union with the parameters prepare writes: read it first. */
    c.has_opt = op->u.opt_pos != 0 && hb_fb_table_at(&c.fb, op->u.opt_pos, &c.opt) == HB_FB_PRESENT;
    switch (op->kind) {
    case HB_K_CONV: return hb_prepare_conv(&c);
    case HB_K_DWCONV: return hb_prepare_dwconv(&c);
    case HB_K_FC: return hb_prepare_fc(&c);
    case HB_K_ADD: return hb_prepare_add(&c);
    case HB_K_MUL: return hb_prepare_mul(&c);
    case HB_K_AVGPOOL:
    case HB_K_MAXPOOL: return hb_prepare_pool(&c);
    case HB_K_RESHAPE: return hb_prepare_reshape(&c);
    case HB_K_SOFTMAX: return hb_prepare_softmax(&c);
    case HB_K_LOGISTIC: return hb_prepare_logistic(&c);
    case HB_K_QUANTIZE: return hb_prepare_quantize(&c);
    case HB_K_DEQUANTIZE: return hb_prepare_dequantize(&c);
    case HB_K_PAD: return hb_prepare_pad(&c);
    case HB_K_CONCAT: return hb_prepare_concat(&c);
    case HB_K_MEAN: return hb_prepare_mean(&c);
    case HB_K_DECODE: return hb_prepare_decode(&c);
    default: return hb_pfail(&c, HB_ERR_INTERNAL, "no prepare step");
    }
}
