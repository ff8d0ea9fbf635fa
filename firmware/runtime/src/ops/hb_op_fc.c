/* FULLY_CONNECTED: shape checks, requantization multipliers (per channel, or per tensor with the
 * two float scales multiplied in float first as TFLM's GetQuantizedConvolutionMultipler does) and
 * the folded bias (bias + input_offset * weight row sums), all computed once at prepare. */
#include "internal/hb_kernels_wsrc.h"
#include "internal/hb_op.h"
#include "internal/hb_quant.h"

/* The public kernels: the function this build's path runs (HB_KERNEL, hb_kpath.h). */
int32_t hb_fully_connected_s8_get_buffer_size(const hb_fc_params *p, int32_t batches, int32_t depth,
                                              int32_t out_depth)
{
    return HB_KERNEL(fully_connected_s8, _buffer_size)(p, batches, depth, out_depth);
}

void hb_fully_connected_s8(const hb_scratch *scratch, const hb_fc_params *p, const int32_t *mult,
                           const int8_t *shift, int32_t batches, int32_t depth, int32_t out_depth,
                           const int8_t *in, const int8_t *filter, const int32_t *bias, const
                           int32_t *folded, int8_t *out)
{
    HB_KERNEL(fully_connected_s8, )(scratch, p, mult, shift, batches, depth, out_depth, in, filter,
                                    bias, folded, out);
}

/* FullyConnectedOptions fields. */
enum { OPT_ACTIVATION = 0, OPT_WEIGHTS_FORMAT = 1 };

/* Prepared data; followed in the tail by int32 folded[channels] (only if the kernels read it:
 * hb_kernels_use_folded() and no filter zero point, or weights read in place), int32 mult[n],
 * int8 shift[n] with n = channels (per channel) or 1 (per tensor), and for weights read in place
 * (HB_AT_ENCODED) an hb_wsrc (4-byte aligned). */
typedef struct fc_data {
    hb_fc_params p;
    int32_t batches, depth, channels;
    uint8_t fold_late;  /* weights or bias decoded per layer: fold at every invoke */
    uint8_t has_folded; /* folded[] is stored */
    uint8_t in_place;   /* weights read in place: hb_fully_connected_wsrc_s8 */
    uint8_t whole;      /* in place, small: decoded into scratch at eval for the dense kernel */
} fc_data;

static int32_t *fc_folded(fc_data *d) { return d->has_folded ? (int32_t *)(void *)(d + 1) : 0; }
static int32_t *fc_mult(fc_data *d)
{
    return (int32_t *)(void *)(d + 1) + (d->has_folded ? d->channels : 0);
}
static int8_t *fc_shift(fc_data *d)
{
    return (int8_t *)(void *)(fc_mult(d) + (d->p.per_channel ? d->channels : 1));
}

static hb_wsrc *fc_wsrc(fc_data *d)
{
    const uintptr_t end = (uintptr_t)(fc_shift(d) + (d->p.per_channel ? d->channels : 1));
    return (hb_wsrc *)(void *)((end + 3u) & ~(uintptr_t)3u);
}

static void fold(fc_data *d, const int8_t *w, const int32_t *bias)
{
    hb_fold_bias_s8(d->channels, d->depth, d->depth, 1, w, bias, d->p.input_offset, fc_folded(d));
}

static hb_status tensor_mult(const hb_pctx *c, const hb_tensor *in, const hb_tensor *f,
                             const hb_tensor *out, fc_data *d)
{
    const hb_interpreter *ip = c->ip;
    const double eff = (double)(hb_scale(ip, in) * hb_scale(ip, f)) / (double)hb_scale(ip, out);
    int s;
    if (!(hb_scale(ip, f) > 0.0f) || !hb_quantize_multiplier(eff, fc_mult(d), &s)) {
        return hb_pfail(c, HB_ERR_MODEL, "weight scale is not a positive finite number");
    }
    *fc_shift(d) = (int8_t)s;
    return HB_OK;
}

static hb_status hb_op_fully_connected_prepare(hb_pctx *c)
{
    const hb_interpreter *ip = c->ip;
    hb_tensor *in = hb_pin(c, 0), *f = hb_pin(c, 1), *bias = hb_pin(c, 2), *out = hb_pout(c);
    hb_fc_params p;
    fc_data *d;
    int32_t depth, channels, batches, n_mult;
    hb_status st;
    if (c->op->n_in < 2 || c->op->n_in > 3) {
        return hb_pfail(c, HB_ERR_MODEL, "needs input, weights and optional bias");
    }
    if (!hb_is_s8(ip, in) || !hb_is_s8(ip, out) || f == 0 || f->ndims != 2) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "needs int8 input/output and 2-D weights");
    }
    if (hb_opt_u8(c, OPT_WEIGHTS_FORMAT, 0) != 0) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "shuffled weights format");
    }
    channels = hb_dim(ip, f, 0);
    depth = hb_dim(ip, f, 1);
    st = hb_pweights(c, f, bias, channels);
    if (st != HB_OK) {
        return st;
    }
    if (f->n_scales > 1 && f->qdim != 0) {
        return hb_pfail(c, HB_ERR_MODEL, "per-channel weights must be quantized along dim 0");
    }
    if (hb_count(ip, in) % depth != 0) {
        return hb_pfail(c, HB_ERR_MODEL, "input size is not a multiple of the weights' depth");
    }
    batches = hb_count(ip, in) / depth;
    /* 64-bit product: a malformed model can make batches * channels overflow int32 (fuzzing) */
    if ((int64_t)hb_count(ip, out) != (int64_t)batches * channels ||
        hb_dim(ip, out, out->ndims - 1) != channels) {
        return hb_pfail(c, HB_ERR_MODEL, "output shape does not match [batches, channels]");
    }
    p.input_offset = -in->zero_point;
    p.filter_offset = -f->zero_point;
    p.output_offset = out->zero_point;
    p.per_channel = f->n_scales > 1;
    st = hb_pact(c, hb_opt_u8(c, OPT_ACTIVATION, HB_ACT_NONE), out, &p.act_min, &p.act_max);
    if (st != HB_OK) {
        return st;
    }
    n_mult = p.per_channel ? channels : 1;
    {
        const int in_place = HB_WITH_IN_PLACE && f->where == HB_AT_ENCODED;
        /* read in place, only a tensor decoded whole for the dense kernels keeps folded[] (as dense
         * does); the in-place kernels fold each channel as they decode it */
        const int whole = in_place && hb_bytes(ip, f) <= HB_WSRC_WHOLE_BYTES;
        const int has_folded = hb_kernels_use_folded() && p.filter_offset == 0 && (!in_place || whole);
        if (in_place && p.filter_offset != 0) {
            return hb_pfail(c, HB_ERR_UNSUPPORTED, "weights read in place need zero point 0");
        }
        d = (fc_data *)hb_pdata(c, (uint32_t)sizeof(fc_data) +
                                       (has_folded ? 4u * (uint32_t)channels : 0u) +
                                       5u * (uint32_t)n_mult +
                                       (in_place ? 3u + (uint32_t)sizeof(hb_wsrc) : 0u));
        if (d == 0) {
            return c->ip->status;
        }
        d->has_folded = (uint8_t)has_folded;
        d->in_place = (uint8_t)in_place;
        d->whole = (uint8_t)whole;
    }
    d->p = p;
    d->batches = batches;
    d->depth = depth;
    d->channels = channels;
    st = p.per_channel ? hb_pchannel_mults(c, in, f, out, channels, fc_mult(d), fc_shift(d))
                       : tensor_mult(c, in, f, out, d);
    if (st != HB_OK) {
        return st;
    }
    if (HB_WITH_IN_PLACE && d->in_place) {
        st = hb_pwsrc(c, f, bias, channels, depth, 0, p.input_offset, fc_wsrc(d), fc_folded(d));
        if (st != HB_OK) {
            return st;
        }
        return hb_pscratch(c, d->whole ? (int32_t)((hb_bytes(ip, f) + 15u) & ~15u) +
                                             hb_fully_connected_s8_get_buffer_size(&p, batches, depth,
                                                                                   channels)
                                       : hb_fully_connected_wsrc_s8_get_buffer_size(fc_wsrc(d), &p));
    }
    d->fold_late = (uint8_t)(d->has_folded && hb_fold_late(f, bias));
    if (d->has_folded && !d->fold_late) {
        fold(d, (const int8_t *)hb_tensor_data(c->ip, f),
             bias == 0 ? 0 : (const int32_t *)hb_tensor_data(c->ip, bias));
    }
    return hb_pscratch(c, hb_fully_connected_s8_get_buffer_size(&p, batches, depth, channels));
}

static hb_status hb_op_fully_connected_eval(hb_interpreter *ip, const hb_op *op)
{
    fc_data *d = (fc_data *)hb_op_data(ip, op);
    const hb_scratch scratch = hb_op_scratch(ip, op);
    const int8_t *w = (const int8_t *)hb_in_data(ip, op, 1);
    const int32_t *bias = (const int32_t *)hb_in_data(ip, op, 2);
    if (HB_WITH_IN_PLACE && d->in_place && d->whole) {
        hb_scratch rest = hb_scratch_after(scratch, d->channels * d->depth);
        hb_wsrc_flat(ip->model, fc_wsrc(d), (int8_t *)scratch.buf);
        hb_fully_connected_s8(&rest, &d->p, fc_mult(d), fc_shift(d),
                              d->batches, d->depth, d->channels, (const int8_t *)hb_in_data(ip, op, 0),
                              (const int8_t *)scratch.buf, bias, fc_folded(d),
                              (int8_t *)hb_out_data(ip, op));
        return HB_OK;
    }
    if (HB_WITH_IN_PLACE && d->in_place) {
        hb_fully_connected_wsrc_s8(&scratch, &d->p, fc_mult(d), fc_shift(d), d->batches, d->depth,
                                   d->channels, (const int8_t *)hb_in_data(ip, op, 0), ip->model,
                                   fc_wsrc(d), bias, fc_folded(d), (int8_t *)hb_out_data(ip, op));
        return HB_OK;
    }
    if (d->fold_late) {
        fold(d, w, bias);
    }
    hb_fully_connected_s8(&scratch, &d->p, fc_mult(d), fc_shift(d), d->batches, d->depth,
                          d->channels, (const int8_t *)hb_in_data(ip, op, 0), w, bias,
                          fc_folded(d), (int8_t *)hb_out_data(ip, op));
    return HB_OK;
}

/* The family's rows (src/ops/hb_op_table.c lists the families). */
const hb_op_row hb_op_rows_fc[] = {
    {HB_ROW_BUILTIN(FULLY_CONNECTED), hb_op_fully_connected_prepare, hb_op_fully_connected_eval,
     HB_ROW_T_INT8 | HB_ROW_PATHS(fully_connected_s8)},
};
const uint32_t hb_op_rows_fc_len = HB_OP_ROWS_LEN(hb_op_rows_fc);
