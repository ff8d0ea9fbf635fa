/* AVERAGE_POOL_2D and MAX_POOL_2D: one prepare (window geometry and activation clamp), one eval
 * per kernel. */
#include "internal/hb_op.h"

/* The public kernels: the function this build's path runs (HB_KERNEL, hb_kpath.h). */
void hb_avg_pool_s8(const hb_pool_params *p, const hb_dims4 *in_d, const int8_t *in,
                    const hb_dims4 *out_d, int8_t *out)
{
    HB_KERNEL(avg_pool_s8, )(p, in_d, in, out_d, out);
}

void hb_max_pool_s8(const hb_pool_params *p, const hb_dims4 *in_d, const int8_t *in,
                    const hb_dims4 *out_d, int8_t *out)
{
    HB_KERNEL(max_pool_s8, )(p, in_d, in, out_d, out);
}

/* Pool2DOptions fields. */
enum {
    OPT_PADDING = 0, OPT_STRIDE_W = 1, OPT_STRIDE_H = 2, OPT_FILTER_W = 3, OPT_FILTER_H = 4,
    OPT_ACTIVATION = 5
};

static hb_status hb_op_pool_prepare(hb_pctx *c)
{
    const hb_interpreter *ip = c->ip;
    hb_tensor *in = hb_pin(c, 0), *out = hb_pout(c);
    hb_pool_params *p;
    int32_t oh, ow;
    const int padding = hb_opt_u8(c, OPT_PADDING, HB_PADDING_SAME);
    if (!hb_is_s8(ip, in) || !hb_is_s8(ip, out) || in->ndims != 4 || out->ndims != 4) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "needs int8 4-D input and output");
    }
    p = (hb_pool_params *)hb_pdata(c, sizeof(hb_pool_params));
    if (p == 0) {
        return c->ip->status;
    }
    p->stride_w = hb_opt_i32(c, OPT_STRIDE_W, 0);
    p->stride_h = hb_opt_i32(c, OPT_STRIDE_H, 0);
    p->filter_w = hb_opt_i32(c, OPT_FILTER_W, 0);
    p->filter_h = hb_opt_i32(c, OPT_FILTER_H, 0);
    if (!hb_padding(padding, hb_dim(ip, in, 1), p->filter_h, p->stride_h, 1, &oh, &p->pad_h) ||
        !hb_padding(padding, hb_dim(ip, in, 2), p->filter_w, p->stride_w, 1, &ow, &p->pad_w) ||
        (int64_t)p->filter_w * p->filter_h > 0x7fffff) {
        return hb_pfail(c, HB_ERR_MODEL, "bad padding, stride or filter size");
    }
    if (hb_dim(ip, out, 0) != hb_dim(ip, in, 0) || hb_dim(ip, out, 1) != oh ||
        hb_dim(ip, out, 2) != ow || hb_dim(ip, out, 3) != hb_dim(ip, in, 3)) {
        return hb_pfail(c, HB_ERR_MODEL, "output shape does not match input, filter and strides");
    }
    return hb_pact(c, hb_opt_u8(c, OPT_ACTIVATION, HB_ACT_NONE), out, &p->act_min, &p->act_max);
}

static hb_status hb_op_average_pool_2d_eval(hb_interpreter *ip, const hb_op *op)
{
    const hb_dims4 di = hb_dims4_of(ip, hb_in(ip, op, 0)), dout = hb_dims4_of(ip, hb_out(ip, op));
    hb_avg_pool_s8((const hb_pool_params *)hb_op_data(ip, op), &di,
                   (const int8_t *)hb_in_data(ip, op, 0), &dout, (int8_t *)hb_out_data(ip, op));
    return HB_OK;
}

static hb_status hb_op_max_pool_2d_eval(hb_interpreter *ip, const hb_op *op)
{
    const hb_dims4 di = hb_dims4_of(ip, hb_in(ip, op, 0)), dout = hb_dims4_of(ip, hb_out(ip, op));
    hb_max_pool_s8((const hb_pool_params *)hb_op_data(ip, op), &di,
                   (const int8_t *)hb_in_data(ip, op, 0), &dout, (int8_t *)hb_out_data(ip, op));
    return HB_OK;
}

/* The family's rows (src/ops/hb_op_table.c lists the families). */
const hb_op_row hb_op_rows_pool[] = {
    {HB_ROW_BUILTIN(AVERAGE_POOL_2D), hb_op_pool_prepare, hb_op_average_pool_2d_eval,
     HB_ROW_T_INT8 | HB_ROW_PATHS(avg_pool_s8)},
    {HB_ROW_BUILTIN(MAX_POOL_2D), hb_op_pool_prepare, hb_op_max_pool_2d_eval,
     HB_ROW_T_INT8 | HB_ROW_PATHS(max_pool_s8)},
};
const uint32_t hb_op_rows_pool_len = HB_OP_ROWS_LEN(hb_op_rows_pool);
