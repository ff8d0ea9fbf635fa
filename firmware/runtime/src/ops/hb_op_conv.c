/* CONV_2D and DEPTHWISE_CONV_2D: geometry checks, per-channel multipliers and the folded bias
 * (bias + input_offset * weight sums, hb_fold_bias_s8) computed once at prepare; eval calls the
 * kernel with them and the scratch the kernel asked for. */
#include "internal/hb_kernels_wsrc.h"
#include "internal/hb_op.h"

/* The public kernels: the function this build's path runs (HB_KERNEL, hb_kpath.h). */
int32_t hb_conv_s8_get_buffer_size(const hb_conv_params *p, const hb_dims4 *in_d, const hb_dims4
                                   *filter_d, const hb_dims4 *out_d)
{
    return HB_KERNEL(conv_s8, _buffer_size)(p, in_d, filter_d, out_d);
}

void hb_conv_s8(const hb_scratch *scratch, const hb_conv_params *p, const int32_t *mult, const
                int8_t *shift, const hb_dims4 *in_d, const int8_t *in, const hb_dims4 *filter_d,
                const int8_t *filter, const int32_t *bias, const int32_t *folded, const hb_dims4
                *out_d, int8_t *out)
{
    HB_KERNEL(conv_s8, )(scratch, p, mult, shift, in_d, in, filter_d, filter, bias, folded, out_d, out);
}

int32_t hb_depthwise_conv_s8_get_buffer_size(const hb_conv_params *p, const hb_dims4 *in_d, const
                                             hb_dims4 *filter_d, const hb_dims4 *out_d)
{
    return HB_KERNEL(depthwise_conv_s8, _buffer_size)(p, in_d, filter_d, out_d);
}

void hb_depthwise_conv_s8(const hb_scratch *scratch, const hb_conv_params *p, const int32_t *mult,
                          const int8_t *shift, const hb_dims4 *in_d, const int8_t *in, const
                          hb_dims4 *filter_d, const int8_t *filter, const int32_t *bias, const
                          int32_t *folded, const hb_dims4 *out_d, int8_t *out)
{
    HB_KERNEL(depthwise_conv_s8, )(scratch, p, mult, shift, in_d, in, filter_d, filter, bias, folded,
                                   out_d, out);
}

/* Conv2DOptions fields; DepthwiseConv2DOptions has depth_multiplier at 3 and the rest one later. */
enum { OPT_PADDING = 0, OPT_STRIDE_W = 1, OPT_STRIDE_H = 2, OPT_DEPTH_MULTIPLIER = 3 };
#define OPT_ACTIVATION(dw) (3 + (dw))
#define OPT_DILATION_W(dw) (4 + (dw))
#define OPT_DILATION_H(dw) (5 + (dw))

/* Prepared data; followed in the tail by int32 mult[channels], int32 folded[channels] (only if
 * the kernels read it: hb_kernels_use_folded(), or weights read in place), int8 shift[channels],
 * and for weights read in place (HB_AT_ENCODED) an hb_wsrc (4-byte aligned). */
typedef struct conv_data {
    hb_conv_params p;
    int32_t channels;
    uint8_t fold_late;  /* weights or bias decoded per layer: fold at every invoke */
    uint8_t has_folded; /* folded[] is stored */
    uint8_t in_place;   /* weights read in place: hb_conv_wsrc_s8 */
    uint8_t whole;      /* in place, small: decoded into scratch at eval for the dense kernel */
} conv_data;

static int32_t *conv_mult(conv_data *d) { return (int32_t *)(void *)(d + 1); }
static int32_t *conv_folded(conv_data *d) { return d->has_folded ? conv_mult(d) + d->channels : 0; }
static int8_t *conv_shift(conv_data *d)
{
    return (int8_t *)(void *)(conv_mult(d) + (d->has_folded ? 2 : 1) * d->channels);
}

static hb_wsrc *conv_wsrc(conv_data *d)
{
    const uintptr_t end = (uintptr_t)(conv_shift(d) + d->channels);
    return (hb_wsrc *)(void *)((end + 3u) & ~(uintptr_t)3u);
}

/* Filter [Cout, KH, KW, Cin/groups]: a channel's taps are contiguous. Depthwise [1, KH, KW, C]:
 * channel c's taps are C apart. */
static void fold(const hb_interpreter *ip, conv_data *d, int depthwise, const hb_tensor *f,
                 const int8_t *w,
                 const int32_t *bias)
{
    if (depthwise) {
        hb_fold_bias_s8(hb_dim(ip, f, 3), hb_dim(ip, f, 1) * hb_dim(ip, f, 2), 1,
                        hb_dim(ip, f, 3), w, bias, d->p.input_offset, conv_folded(d));
    } else {
        const int32_t taps = hb_dim(ip, f, 1) * hb_dim(ip, f, 2) * hb_dim(ip, f, 3);
        hb_fold_bias_s8(hb_dim(ip, f, 0), taps, taps, 1, w, bias, d->p.input_offset,
                        conv_folded(d));
    }
}

/* Output shape, filter layout and the depth multiplier. */
static hb_status check_geometry(hb_pctx *c, int depthwise, const hb_tensor *in, const hb_tensor *f,
                                const hb_tensor *out, hb_conv_params *p)
{
    const hb_interpreter *ip = c->ip;
    const int32_t channels = hb_dim(ip, out, 3);
    int32_t oh, ow;
    const int padding = hb_opt_u8(c, OPT_PADDING, HB_PADDING_SAME);
    p->stride_w = hb_opt_i32(c, OPT_STRIDE_W, 0);
    p->stride_h = hb_opt_i32(c, OPT_STRIDE_H, 0);
    p->dilation_w = hb_opt_i32(c, OPT_DILATION_W(depthwise), 1);
    p->dilation_h = hb_opt_i32(c, OPT_DILATION_H(depthwise), 1);
    if (!hb_padding(padding, hb_dim(ip, in, 1), hb_dim(ip, f, 1), p->stride_h, p->dilation_h, &oh,
                    &p->pad_h) ||
        !hb_padding(padding, hb_dim(ip, in, 2), hb_dim(ip, f, 2), p->stride_w, p->dilation_w, &ow,
                    &p->pad_w)) {
        return hb_pfail(c, HB_ERR_MODEL, "bad padding, stride, dilation or filter size");
    }
    if (hb_dim(ip, out, 0) != hb_dim(ip, in, 0) || hb_dim(ip, out, 1) != oh ||
        hb_dim(ip, out, 2) != ow) {
        return hb_pfail(c, HB_ERR_MODEL, "output shape does not match input, filter and strides");
    }
    if (depthwise) {
        const int32_t opt_m = hb_opt_i32(c, OPT_DEPTH_MULTIPLIER, 0);
        if (hb_dim(ip, f, 0) != 1 || hb_dim(ip, f, 3) != channels ||
            channels % hb_dim(ip, in, 3) != 0) {
            return hb_pfail(c, HB_ERR_MODEL, "weights must be [1, KH, KW, Cin * multiplier]");
        }
        p->depth_multiplier = channels / hb_dim(ip, in, 3);
        if (opt_m != 0 && opt_m != p->depth_multiplier) {
            return hb_pfail(c, HB_ERR_MODEL, "depth_multiplier disagrees with the shapes");
        }
        if (f->n_scales > 1 && f->qdim != 3) {
            return hb_pfail(c, HB_ERR_MODEL, "per-channel weights must be quantized along dim 3");
        }
        return HB_OK;
    }
    if (hb_dim(ip, f, 0) != channels || hb_dim(ip, f, 3) <= 0 ||
        hb_dim(ip, in, 3) % hb_dim(ip, f, 3) != 0 ||
        channels % (hb_dim(ip, in, 3) / hb_dim(ip, f, 3)) != 0) {
        return hb_pfail(c, HB_ERR_MODEL, "weights must be [Cout, KH, KW, Cin / groups]");
    }
    if (f->n_scales > 1 && f->qdim != 0) {
        return hb_pfail(c, HB_ERR_MODEL, "per-channel weights must be quantized along dim 0");
    }
    p->depth_multiplier = 1;
    return HB_OK;
}

static hb_status prepare(hb_pctx *c, int depthwise)
{
    const hb_interpreter *ip = c->ip;
    hb_tensor *in = hb_pin(c, 0), *f = hb_pin(c, 1), *bias = hb_pin(c, 2), *out = hb_pout(c);
    hb_conv_params p;
    conv_data *d;
    int32_t channels;
    hb_status st;
    if (c->op->n_in < 2 || c->op->n_in > 3) {
        return hb_pfail(c, HB_ERR_MODEL, "needs input, weights and optional bias");
    }
    if (!hb_is_s8(ip, in) || !hb_is_s8(ip, out) || in->ndims != 4 || out->ndims != 4 || f == 0 ||
        f->ndims != 4) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "needs int8 4-D input/output and 4-D weights");
    }
    channels = hb_dim(ip, out, 3);
    st = hb_pweights(c, f, bias, channels);
    if (st != HB_OK) {
        return st;
    }
    if (f->zero_point != 0) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "weights must have zero point 0");
    }
    st = check_geometry(c, depthwise, in, f, out, &p);
    if (st != HB_OK) {
        return st;
    }
    p.input_offset = -in->zero_point;
    p.output_offset = out->zero_point;
    st = hb_pact(c, hb_opt_u8(c, OPT_ACTIVATION(depthwise), HB_ACT_NONE), out, &p.act_min,
                 &p.act_max);
    if (st != HB_OK) {
        return st;
    }
    {
        const int in_place = HB_WITH_IN_PLACE && f->where == HB_AT_ENCODED;
        /* read in place, only a tensor decoded whole for the dense kernels keeps folded[] (as dense
         * does); the in-place kernels fold each channel as they decode it */
        const int whole = in_place && hb_bytes(ip, f) <= HB_WSRC_WHOLE_BYTES;
        const uint32_t per_channel = hb_kernels_use_folded() && (!in_place || whole) ? 9u : 5u;
        d = (conv_data *)hb_pdata(c, (uint32_t)sizeof(conv_data) +
                                         per_channel * (uint32_t)channels +
                                         (in_place ? 3u + (uint32_t)sizeof(hb_wsrc) : 0u));
        if (d == 0) {
            return c->ip->status;
        }
        d->has_folded = (uint8_t)(per_channel == 9u);
        d->in_place = (uint8_t)in_place;
        d->whole = (uint8_t)whole;
    }
    d->p = p;
    d->channels = channels;
    st = hb_pchannel_mults(c, in, f, out, channels, conv_mult(d), conv_shift(d));
    if (st != HB_OK) {
        return st;
    }
    if (HB_WITH_IN_PLACE && d->in_place) {
        const int32_t taps = hb_dim(ip, f, 1) * hb_dim(ip, f, 2);
        const hb_dims4 di = hb_dims4_of(ip, in), df = hb_dims4_of(ip, f);
        const hb_dims4 dout = hb_dims4_of(ip, out);
        const uint32_t bytes = hb_bytes(ip, f);
        st = hb_pwsrc(c, f, bias, channels, depthwise ? taps : taps * hb_dim(ip, f, 3), depthwise,
                      p.input_offset, conv_wsrc(d), conv_folded(d));
        if (st != HB_OK) {
            return st;
        }
        if (d->whole) {
            return hb_pscratch(c, (int32_t)((bytes + 15u) & ~15u) +
                                      (depthwise
                                           ? hb_depthwise_conv_s8_get_buffer_size(&p, &di, &df, &dout)
                                           : hb_conv_s8_get_buffer_size(&p, &di, &df, &dout)));
        }
        return hb_pscratch(c, hb_conv_wsrc_s8_get_buffer_size(conv_wsrc(d), depthwise, &p, &di,
                                                              &df));
    }
    d->fold_late = (uint8_t)(d->has_folded && hb_fold_late(f, bias));
    if (d->has_folded && !d->fold_late) {
        fold(c->ip, d, depthwise, f, (const int8_t *)hb_tensor_data(c->ip, f),
             bias == 0 ? 0 : (const int32_t *)hb_tensor_data(c->ip, bias));
    }
    {
        const hb_dims4 di = hb_dims4_of(ip, in), df = hb_dims4_of(ip, f);
        const hb_dims4 dout = hb_dims4_of(ip, out);
        return hb_pscratch(c, depthwise ? hb_depthwise_conv_s8_get_buffer_size(&p, &di, &df, &dout)
                                        : hb_conv_s8_get_buffer_size(&p, &di, &df, &dout));
    }
}

static hb_status eval(hb_interpreter *ip, const hb_op *op, int depthwise)
{
    conv_data *d = (conv_data *)hb_op_data(ip, op);
    const hb_tensor *f = hb_in(ip, op, 1);
    const hb_dims4 di = hb_dims4_of(ip, hb_in(ip, op, 0)), df = hb_dims4_of(ip, f);
    const hb_dims4 dout = hb_dims4_of(ip, hb_out(ip, op));
    const hb_scratch scratch = hb_op_scratch(ip, op);
    const int8_t *w = (const int8_t *)hb_in_data(ip, op, 1);
    const int32_t *bias = (const int32_t *)hb_in_data(ip, op, 2);
    if (HB_WITH_IN_PLACE && d->in_place && d->whole) {
        hb_scratch rest = hb_scratch_after(scratch, df.n * df.h * df.w * df.c);
        hb_wsrc_flat(ip->model, conv_wsrc(d), (int8_t *)scratch.buf);
        (depthwise ? hb_depthwise_conv_s8 : hb_conv_s8)(
            &rest, &d->p, conv_mult(d), conv_shift(d), &di,
            (const int8_t *)hb_in_data(ip, op, 0), &df, (const int8_t *)scratch.buf, bias,
            conv_folded(d), &dout, (int8_t *)hb_out_data(ip, op));
        return HB_OK;
    }
    if (HB_WITH_IN_PLACE && d->in_place) {
        hb_conv_wsrc_s8(&scratch, &d->p, conv_mult(d), conv_shift(d), &di,
                        (const int8_t *)hb_in_data(ip, op, 0), &df, ip->model, conv_wsrc(d), bias,
                        conv_folded(d), &dout, (int8_t *)hb_out_data(ip, op), depthwise);
        return HB_OK;
    }
    if (d->fold_late) {
        fold(ip, d, depthwise, f, w, bias);
    }
    (depthwise ? hb_depthwise_conv_s8 : hb_conv_s8)(
        &scratch, &d->p, conv_mult(d), conv_shift(d), &di, (const int8_t *)hb_in_data(ip, op, 0),
        &df, w, bias, conv_folded(d), &dout, (int8_t *)hb_out_data(ip, op));
    return HB_OK;
}

static hb_status hb_op_conv_2d_prepare(hb_pctx *c) { return prepare(c, 0); }
static hb_status hb_op_conv_2d_eval(hb_interpreter *ip, const hb_op *op) { return eval(ip, op, 0); }
static hb_status hb_op_depthwise_conv_2d_prepare(hb_pctx *c) { return prepare(c, 1); }
static hb_status hb_op_depthwise_conv_2d_eval(hb_interpreter *ip, const hb_op *op)
{
    return eval(ip, op, 1);
}

/* The family's rows (src/ops/hb_op_table.c lists the families). */
const hb_op_row hb_op_rows_conv[] = {
    {HB_ROW_BUILTIN(CONV_2D), hb_op_conv_2d_prepare, hb_op_conv_2d_eval,
     HB_ROW_T_INT8 | HB_ROW_PATHS(conv_s8)},
    {HB_ROW_BUILTIN(DEPTHWISE_CONV_2D), hb_op_depthwise_conv_2d_prepare, hb_op_depthwise_conv_2d_eval,
     HB_ROW_T_INT8 | HB_ROW_PATHS(depthwise_conv_s8)},
};
const uint32_t hb_op_rows_conv_len = HB_OP_ROWS_LEN(hb_op_rows_conv);
