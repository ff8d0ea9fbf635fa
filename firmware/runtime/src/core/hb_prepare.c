/* Prepare dispatch (through the op table) and the helpers every op family shares. Each family's
 * prepare validates everything its kernel relies on (types, ranks, shapes, constant-ness, sizes),
 * so kernels never see bad geometry. */
#include "internal/hb_op.h"

#include "internal/hb_quant.h"

hb_status hb_pfail(const hb_pctx *c, hb_status st, const char *what)
{
    return hb_fail(c->ip, st, "operator %u (%s): %s", c->index, hb_row(c->op)->name, what);
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

hb_tensor *hb_pout(const hb_pctx *c) { return &hb_tensors(c->ip)[hb_op_out(c->ip, c->op, 0)]; }

void *hb_pdata(hb_pctx *c, uint32_t bytes)
{
    if (!hb_tail_alloc(c->ip, bytes, &c->op->data_off)) {
        return 0;
    }
    return c->ip->arena + c->op->data_off;
}

hb_status hb_pscratch(hb_pctx *c, int32_t bytes)
{
    if (bytes < 0) {
        return hb_pfail(c, HB_ERR_INTERNAL, "kernel asked for a negative scratch size");
    }
    c->op->scratch_bytes = (uint32_t)bytes;
    return HB_OK;
}

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

int hb_is_s8(const hb_interpreter *ip, const hb_tensor *t)
{
    return t != 0 && t->type == HB_TYPE_INT8 && t->n_scales == 1 &&
           finite_positive(hb_scale(ip, t)) && t->zero_point >= -128 && t->zero_point <= 127;
}

int32_t hb_count(const hb_interpreter *ip, const hb_tensor *t)
{
    int32_t n = 1;
    int k;
    for (k = 0; k < t->ndims; k++) {
        n *= hb_dim(ip, t, k); /* bounded: bytes < 2^31 was checked at parse */
    }
    return n;
}

hb_dims4 hb_dims4_of(const hb_interpreter *ip, const hb_tensor *t)
{
    hb_dims4 d;
    if (t->ndims >= 4u) { /* the eval case (4-D checked at prepare): one check, four loads */
        const uint8_t *s = ip->model + t->shape_pos;
        d.n = hb_rd_i32(s);
        d.h = hb_rd_i32(s + 4);
        d.w = hb_rd_i32(s + 8);
        d.c = hb_rd_i32(s + 12);
        return d;
    }
    d.n = hb_dim(ip, t, 0);
    d.h = hb_dim(ip, t, 1);
    d.w = hb_dim(ip, t, 2);
    d.c = hb_dim(ip, t, 3);
    return d;
}

void hb_dims_of(const hb_interpreter *ip, const hb_tensor *t, int32_t *dims)
{
    unsigned k;
    for (k = 0; k < HB_MAX_DIMS; k++) {
        dims[k] = hb_dim(ip, t, k);
    }
}

int hb_same_dims(const hb_interpreter *ip, const hb_tensor *a, const hb_tensor *b)
{
    int k;
    if (a->ndims != b->ndims) {
        return 0;
    }
    for (k = 0; k < a->ndims; k++) {
        if (hb_dim(ip, a, k) != hb_dim(ip, b, k)) {
            return 0;
        }
    }
    return 1;
}

float hb_scale_at(const hb_pctx *c, const hb_tensor *t, uint32_t k)
{
    const hb_interpreter *ip = c->ip;
    if (t->n_scales <= 1) {
        return hb_scale(ip, t);
    }
    return hb_rd_f32(c->fb.buf + t->scales_pos + 4u * k);
}

hb_status hb_pact(const hb_pctx *c, int act, const hb_tensor *out, int32_t *lo, int32_t *hi)
{
    const hb_interpreter *ip = c->ip;
    if (!hb_activation_range_s8(act, hb_scale(ip, out), out->zero_point, lo, hi)) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "fused activation other than NONE/RELU/RELU6/RELU_N1_TO_1");
    }
    return HB_OK;
}

int hb_padding(int padding, int32_t in, int32_t filter, int32_t stride, int32_t dilation,
               int32_t *out, int32_t *pad)
{
    int64_t eff, o, total;
    if (stride <= 0 || dilation <= 0 || filter <= 0 || stride > 65535 || dilation > 65535 ||
        (padding != HB_PADDING_SAME && padding != HB_PADDING_VALID)) {
        return 0;
    }
    eff = (int64_t)(filter - 1) * dilation + 1;
    if (eff > (1 << 30) || in > (1 << 30)) { /* keeps every kernel index inside int32 */
        return 0;
    }
    o = padding == HB_PADDING_SAME ? ((int64_t)in + stride - 1) / stride
                                   : ((int64_t)in + stride - eff) / stride;
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
    c.has_opt = op->opt_pos != 0 && hb_fb_table_at(&c.fb, op->opt_pos, &c.opt) == HB_FB_PRESENT;
    return hb_row(op)->prepare(&c);
}
