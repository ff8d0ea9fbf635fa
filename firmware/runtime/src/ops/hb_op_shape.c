/* Data movement: RESHAPE (a copy, or nothing when the planner shares the buffer), PAD (int8,
 * constant paddings read once at prepare) and CONCATENATION (any element type, byte copies). */
#include <string.h>

#include "internal/hb_op.h"

/* The public kernels: the function this build's path runs (HB_KERNEL, hb_kpath.h). */
void hb_pad_s8(int ndims, const int32_t *in_dims, const int32_t *pad_before,
               const int32_t *out_dims, int8_t pad_value, const int8_t *in, int8_t *out)
{
    HB_KERNEL(pad_s8, )(ndims, in_dims, pad_before, out_dims, pad_value, in, out);
}

void hb_concat(int n_inputs, const void *const *ins, const int32_t *chunk_bytes, int32_t outer,
               void *out)
{
    HB_KERNEL(concat, )(n_inputs, ins, chunk_bytes, outer, out);
}

/* ConcatenationOptions fields. */
enum { OPT_AXIS = 0, OPT_ACTIVATION = 1 };

typedef struct pad_data {
    int32_t before[HB_MAX_DIMS];
    int32_t value;
} pad_data;

typedef struct concat_data {
    int32_t outer, axis;
} concat_data;

static hb_status hb_op_reshape_prepare(hb_pctx *c)
{
    hb_tensor *in = hb_pin(c, 0), *out = hb_pout(c);
    if (in == 0 || in->type != out->type || hb_bytes(c->ip, in) != hb_bytes(c->ip, out) ||
        hb_type_size(in->type) == 0) {
        return hb_pfail(c, HB_ERR_MODEL, "input and output differ in type or size");
    }
    return HB_OK;
}

static hb_status hb_op_reshape_eval(hb_interpreter *ip, const hb_op *op)
{
    const void *src = hb_in_data(ip, op, 0);
    void *dst = hb_out_data(ip, op);
    if (src != dst) {
        memcpy(dst, src, hb_bytes(ip, hb_out(ip, op)));
    }
    return HB_OK;
}

static hb_status hb_op_pad_prepare(hb_pctx *c)
{
    const hb_interpreter *ip = c->ip;
    hb_tensor *in = hb_pin(c, 0), *pads = hb_pin(c, 1), *out = hb_pout(c);
    const uint8_t *pd;
    pad_data *d;
    int k;
    if (c->op->n_in != 2 || !hb_is_s8(ip, in) || !hb_is_s8(ip, out) || in->ndims != out->ndims ||
        in->ndims < 1) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "needs int8 input and output of one rank");
    }
    if (pads == 0 || pads->where != HB_AT_MODEL ||
        (pads->type != HB_TYPE_INT32 && pads->type != HB_TYPE_INT64) || pads->ndims != 2 ||
        hb_dim(ip, pads, 0) != in->ndims || hb_dim(ip, pads, 1) != 2) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "paddings must be a constant int32/int64 [rank, 2]");
    }
    d = (pad_data *)hb_pdata(c, sizeof(pad_data));
    if (d == 0) {
        return c->ip->status;
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
        if (before < 0 || after < 0 || before > hb_dim(ip, out, k) || after > hb_dim(ip, out, k) ||
            (int64_t)hb_dim(ip, in, k) + before + after != hb_dim(ip, out, k)) {
            return hb_pfail(c, HB_ERR_MODEL, "paddings do not match the output shape");
        }
        d->before[k] = (int32_t)before;
    }
    d->value = out->zero_point;
    return HB_OK;
}

static hb_status hb_op_pad_eval(hb_interpreter *ip, const hb_op *op)
{
    const pad_data *d = (const pad_data *)hb_op_data(ip, op);
    const hb_tensor *in = hb_in(ip, op, 0);
    int32_t in_dims[HB_MAX_DIMS], out_dims[HB_MAX_DIMS];
    hb_dims_of(ip, in, in_dims);
    hb_dims_of(ip, hb_out(ip, op), out_dims);
    hb_pad_s8(in->ndims, in_dims, d->before, out_dims, (int8_t)d->value,
              (const int8_t *)hb_in_data(ip, op, 0), (int8_t *)hb_out_data(ip, op));
    return HB_OK;
}

static hb_status hb_op_concatenation_prepare(hb_pctx *c)
{
    const hb_interpreter *ip = c->ip;
    hb_tensor *out = hb_pout(c);
    int32_t axis = hb_opt_i32(c, OPT_AXIS, 0), sum = 0, outer = 1;
    concat_data *d;
    unsigned k;
    int j;
    if (hb_type_size(out->type) == 0 || out->ndims < 1) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "output type not supported");
    }
    if (axis < 0) {
        axis += out->ndims;
    }
    if (axis < 0 || axis >= out->ndims ||
        hb_opt_u8(c, OPT_ACTIVATION, HB_ACT_NONE) != HB_ACT_NONE) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "bad axis or a fused activation");
    }
    for (k = 0; k < c->op->n_in; k++) {
        const hb_tensor *in = hb_pin(c, k);
        if (in == 0 || in->type != out->type || in->ndims != out->ndims) {
            return hb_pfail(c, HB_ERR_MODEL, "inputs must match the output's type and rank");
        }
        if (out->type == HB_TYPE_INT8 &&
            (hb_scale(ip, in) != hb_scale(ip, out) || in->zero_point != out->zero_point)) {
            return hb_pfail(c, HB_ERR_UNSUPPORTED, "inputs quantized differently from the output");
        }
        for (j = 0; j < out->ndims; j++) {
            if (j != axis && hb_dim(ip, in, j) != hb_dim(ip, out, j)) {
                return hb_pfail(c, HB_ERR_MODEL, "input shapes differ outside the axis");
            }
        }
        sum += hb_dim(ip, in, axis);
        if (sum > hb_dim(ip, out, axis)) {
            break;
        }
    }
    if (sum != hb_dim(ip, out, axis)) {
        return hb_pfail(c, HB_ERR_MODEL, "input sizes along the axis do not add up to the output");
    }
    for (j = 0; j < axis; j++) {
        outer *= hb_dim(ip, out, j);
    }
    d = (concat_data *)hb_pdata(c, sizeof(concat_data));
    if (d == 0) {
        return c->ip->status;
    }
    d->outer = outer;
    d->axis = axis;
    return HB_OK;
}

static hb_status hb_op_concatenation_eval(hb_interpreter *ip, const hb_op *op)
{
    const concat_data *d = (const concat_data *)hb_op_data(ip, op);
    const hb_tensor *out = hb_out(ip, op);
    const void *ins[HB_MAX_OP_INPUTS];
    int32_t chunk[HB_MAX_OP_INPUTS];
    int32_t inner = (int32_t)hb_type_size(out->type);
    unsigned k;
    int j;
    for (j = d->axis + 1; j < out->ndims; j++) {
        inner *= hb_dim(ip, out, j);
    }
    for (k = 0; k < op->n_in; k++) {
        ins[k] = hb_in_data(ip, op, k);
        chunk[k] = hb_dim(ip, hb_in(ip, op, k), d->axis) * inner;
    }
    hb_concat((int)op->n_in, ins, chunk, d->outer, hb_out_data(ip, op));
    return HB_OK;
}

/* The family's rows (src/ops/hb_op_table.c lists the families). */
const hb_op_row hb_op_rows_shape[] = {
    {HB_ROW_BUILTIN(RESHAPE), hb_op_reshape_prepare, hb_op_reshape_eval,
     HB_ROW_INPUTS_OPTIONAL | HB_ROW_T_ANY},
    {HB_ROW_BUILTIN(PAD), hb_op_pad_prepare, hb_op_pad_eval, HB_ROW_T_INT8 | HB_ROW_PATHS(pad_s8)},
    {HB_ROW_BUILTIN(CONCATENATION), hb_op_concatenation_prepare, hb_op_concatenation_eval,
     HB_ROW_T_ANY | HB_ROW_PATHS(concat)},
};
const uint32_t hb_op_rows_shape_len = HB_OP_ROWS_LEN(hb_op_rows_shape);
