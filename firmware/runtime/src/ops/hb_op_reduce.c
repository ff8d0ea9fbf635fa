/* MEAN (int8) over constant axes: the reduced dimensions and the multiplier with 1/n folded in are
 * computed once at prepare (TFLM QuantizedMeanOrSum). */
#include "internal/hb_op.h"
#include "internal/hb_quant.h"

/* The public kernels: the function this build's path runs (HB_KERNEL, hb_kpath.h). */
void hb_mean_s8(int ndims, const int32_t *dims, const uint8_t *reduce, int same_quant, int32_t mult,
                int32_t shift, int32_t input_zero_point, int32_t output_zero_point,
                const int8_t *in, int8_t *out)
{
    HB_KERNEL(mean_s8, )(ndims, dims, reduce, same_quant, mult, shift, input_zero_point,
                         output_zero_point, in, out);
}

/* ReducerOptions field. */
enum { OPT_KEEP_DIMS = 0 };

typedef struct mean_data {
    int32_t mult, shift, in_zp, out_zp, same_quant;
    uint8_t reduce[8]; /* 1: dimension k is reduced */
} mean_data;

/* Output shape against the kept dimensions (with or without keep_dims). */
static hb_status check_kept(const hb_pctx *c, const hb_tensor *in, const hb_tensor *out,
                            const uint8_t *red, int keep, int32_t *kept)
{
    const hb_interpreter *ip = c->ip;
    int k, j;
    *kept = 1;
    for (k = 0, j = 0; k < in->ndims; k++) {
        if (!red[k]) {
            *kept *= hb_dim(ip, in, k);
        }
        if (keep) {
            if (out->ndims != in->ndims || hb_dim(ip, out, k) != (red[k] ? 1 : hb_dim(ip, in, k))) {
                return hb_pfail(c, HB_ERR_MODEL, "output shape does not match keep_dims");
            }
        } else if (!red[k]) {
            if (j >= out->ndims || hb_dim(ip, out, j) != hb_dim(ip, in, k)) {
                return hb_pfail(c, HB_ERR_MODEL, "output shape does not match the kept dims");
            }
            j++;
        }
    }
    if (hb_count(ip, out) != *kept) {
        return hb_pfail(c, HB_ERR_MODEL, "output size does not match the kept dims");
    }
    return HB_OK;
}

static hb_status hb_op_mean_prepare(hb_pctx *c)
{
    const hb_interpreter *ip = c->ip;
    hb_tensor *in = hb_pin(c, 0), *axes = hb_pin(c, 1), *out = hb_pout(c);
    const int keep = hb_opt_u8(c, OPT_KEEP_DIMS, 0) != 0;
    mean_data *d;
    int32_t kept, m;
    int k, sh;
    hb_status st;
    if (c->op->n_in != 2 || !hb_is_s8(ip, in) || !hb_is_s8(ip, out)) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "needs int8 input and output");
    }
    if (axes == 0 || axes->where != HB_AT_MODEL || axes->type != HB_TYPE_INT32 || axes->ndims > 1 ||
        hb_count(ip, axes) < 1 || hb_count(ip, axes) > 2 * HB_MAX_DIMS) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "axis must be a constant int32 vector");
    }
    d = (mean_data *)hb_pdata(c, sizeof(mean_data));
    if (d == 0) {
        return c->ip->status;
    }
    for (k = 0; k < hb_count(ip, axes); k++) {
        int32_t a = hb_rd_i32(c->fb.buf + axes->data_off + 4u * (uint32_t)k);
        if (a < 0) {
            a += in->ndims;
        }
        if (a < 0 || a >= in->ndims) {
            return hb_pfail(c, HB_ERR_MODEL, "axis out of range");
        }
        d->reduce[a] = 1;
    }
    st = check_kept(c, in, out, d->reduce, keep, &kept);
    if (st != HB_OK) {
        return st;
    }
    if (!hb_quantize_multiplier((double)hb_scale(ip, in) / (double)hb_scale(ip, out), &m, &sh)) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "scales give an unrepresentable multiplier");
    }
    d->mult = m;
    d->shift = sh;
    hb_mean_multiplier(hb_count(ip, in) / kept, &d->mult, &d->shift);
    d->in_zp = in->zero_point;
    d->out_zp = out->zero_point;
    d->same_quant = in->zero_point == out->zero_point && hb_scale(ip, in) == hb_scale(ip, out);
    return HB_OK;
}

static hb_status hb_op_mean_eval(hb_interpreter *ip, const hb_op *op)
{
    const mean_data *d = (const mean_data *)hb_op_data(ip, op);
    const hb_tensor *in = hb_in(ip, op, 0);
    int32_t dims[HB_MAX_DIMS];
    hb_dims_of(ip, in, dims);
    hb_mean_s8(in->ndims, dims, d->reduce, d->same_quant, d->mult, d->shift, d->in_zp,
               d->out_zp, (const int8_t *)hb_in_data(ip, op, 0), (int8_t *)hb_out_data(ip, op));
    return HB_OK;
}

/* The family's rows (src/ops/hb_op_table.c lists the families). */
const hb_op_row hb_op_rows_reduce[] = {
    {HB_ROW_BUILTIN(MEAN), hb_op_mean_prepare, hb_op_mean_eval,
     HB_ROW_T_INT8 | HB_ROW_PATHS(mean_s8)},
};
const uint32_t hb_op_rows_reduce_len = HB_OP_ROWS_LEN(hb_op_rows_reduce);
