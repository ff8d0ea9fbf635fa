/* ADD and MUL (int8, broadcasting to 6-D): the broadcast strides and the rescale multipliers are
 * computed once at prepare. */
#include "internal/hb_op.h"
#include "internal/hb_quant.h"

/* The public kernels: the function this build's path runs (HB_KERNEL, hb_kpath.h). */
void hb_add_s8(const hb_add_params *p, const hb_bcast *b, const int8_t *in1, const int8_t *in2,
               int8_t *out)
{
    HB_KERNEL(add_s8, )(p, b, in1, in2, out);
}

void hb_mul_s8(const hb_mul_params *p, const hb_bcast *b, const int8_t *in1, const int8_t *in2,
               int8_t *out)
{
    HB_KERNEL(mul_s8, )(p, b, in1, in2, out);
}

/* AddOptions / MulOptions field. */
enum { OPT_ACTIVATION = 0 };

/* Prepared data; the broadcast comes first so that binary_common() fills it for both. */
typedef struct add_data {
    hb_bcast b;
    hb_add_params p;
} add_data;

typedef struct mul_data {
    hb_bcast b;
    hb_mul_params p;
} mul_data;

/* Right-aligned 6-D broadcast of in1, in2 to out; 0 if the shapes are not broadcastable. */
static int make_bcast(const hb_interpreter *ip, const hb_tensor *a, const hb_tensor *b,
                      const hb_tensor *o, hb_bcast *bc)
{
    int32_t sa = 1, sb = 1;
    int k;
    if (a->ndims > o->ndims || b->ndims > o->ndims) {
        return 0;
    }
    for (k = 5; k >= 0; k--) {
        const int ko = k - (6 - o->ndims), ka = k - (6 - a->ndims), kb = k - (6 - b->ndims);
        const int32_t dout = ko >= 0 ? hb_dim(ip, o, ko) : 1;
        const int32_t da = ka >= 0 ? hb_dim(ip, a, ka) : 1;
        const int32_t db = kb >= 0 ? hb_dim(ip, b, kb) : 1;
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

/* Two int8 inputs and an int8 output that they broadcast to; allocates the op's data. */
static void *binary_common(hb_pctx *c, uint32_t bytes, hb_tensor **a, hb_tensor **b,
                           hb_tensor **o)
{
    const hb_interpreter *ip = c->ip;
    void *d;
    *a = hb_pin(c, 0);
    *b = hb_pin(c, 1);
    *o = hb_pout(c);
    if (c->op->n_in != 2 || !hb_is_s8(ip, *a) || !hb_is_s8(ip, *b) || !hb_is_s8(ip, *o)) {
        hb_pfail(c, HB_ERR_UNSUPPORTED, "needs two int8 inputs and an int8 output");
        return 0;
    }
    d = hb_pdata(c, bytes);
    if (d != 0 && !make_bcast(c->ip, *a, *b, *o, (hb_bcast *)d)) {
        hb_pfail(c, HB_ERR_MODEL, "input shapes do not broadcast to the output shape");
        return 0;
    }
    return d;
}

static hb_status hb_op_add_prepare(hb_pctx *c)
{
    const hb_interpreter *ip = c->ip;
    hb_tensor *a, *b, *o;
    add_data *d = (add_data *)binary_common(c, sizeof(add_data), &a, &b, &o);
    hb_add_params *p;
    double twice_max, r1, r2, ro;
    float sa, sb;
    int s1, s2, so;
    if (d == 0) {
        return c->ip->status;
    }
    p = &d->p;
    p->input1_offset = -a->zero_point;
    p->input2_offset = -b->zero_point;
    p->output_offset = o->zero_point;
    p->left_shift = 20;
    sa = hb_scale(ip, a);
    sb = hb_scale(ip, b);
    twice_max = 2.0 * (double)(sa > sb ? sa : sb);
    r1 = (double)sa / twice_max;
    r2 = (double)sb / twice_max;
    ro = twice_max / ((double)(1 << 20) * (double)hb_scale(ip, o));
    if (!hb_quantize_multiplier(r1, &p->input1_mult, &s1) ||
        !hb_quantize_multiplier(r2, &p->input2_mult, &s2) ||
        !hb_quantize_multiplier(ro, &p->output_mult, &so) || !(ro < 1.0)) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "scales give a rescale factor of 1 or more");
    }
    p->input1_shift = s1;
    p->input2_shift = s2;
    p->output_shift = so;
    return hb_pact(c, hb_opt_u8(c, OPT_ACTIVATION, HB_ACT_NONE), o, &p->act_min, &p->act_max);
}

static hb_status hb_op_add_eval(hb_interpreter *ip, const hb_op *op)
{
    const add_data *d = (const add_data *)hb_op_data(ip, op);
    hb_add_s8(&d->p, &d->b, (const int8_t *)hb_in_data(ip, op, 0),
              (const int8_t *)hb_in_data(ip, op, 1), (int8_t *)hb_out_data(ip, op));
    return HB_OK;
}

static hb_status hb_op_mul_prepare(hb_pctx *c)
{
    const hb_interpreter *ip = c->ip;
    hb_tensor *a, *b, *o;
    mul_data *d = (mul_data *)binary_common(c, sizeof(mul_data), &a, &b, &o);
    hb_mul_params *p;
    int s;
    if (d == 0) {
        return c->ip->status;
    }
    p = &d->p;
    p->input1_offset = -a->zero_point;
    p->input2_offset = -b->zero_point;
    p->output_offset = o->zero_point;
    if (!hb_quantize_multiplier((double)hb_scale(ip, a) * (double)hb_scale(ip, b) /
                                    (double)hb_scale(ip, o),
                                &p->output_mult, &s)) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "scales give an unrepresentable multiplier");
    }
    p->output_shift = s;
    return hb_pact(c, hb_opt_u8(c, OPT_ACTIVATION, HB_ACT_NONE), o, &p->act_min, &p->act_max);
}

static hb_status hb_op_mul_eval(hb_interpreter *ip, const hb_op *op)
{
    const mul_data *d = (const mul_data *)hb_op_data(ip, op);
    hb_mul_s8(&d->p, &d->b, (const int8_t *)hb_in_data(ip, op, 0),
              (const int8_t *)hb_in_data(ip, op, 1), (int8_t *)hb_out_data(ip, op));
    return HB_OK;
}

/* The family's rows (src/ops/hb_op_table.c lists the families). */
const hb_op_row hb_op_rows_elementwise[] = {
    {HB_ROW_BUILTIN(ADD), hb_op_add_prepare, hb_op_add_eval, HB_ROW_T_INT8 | HB_ROW_PATHS(add_s8)},
    {HB_ROW_BUILTIN(MUL), hb_op_mul_prepare, hb_op_mul_eval, HB_ROW_T_INT8 | HB_ROW_PATHS(mul_s8)},
};
const uint32_t hb_op_rows_elementwise_len = HB_OP_ROWS_LEN(hb_op_rows_elementwise);
