/* SOFTMAX and LOGISTIC (int8 in, int8 out with scale 1/256 and zero point -128): the fixed-point
 * input multipliers and ranges are computed once at prepare, as TFLM does. RELU and RELU6
 * (standalone, int8): a requantization multiplier and clamp bounds from prepare. */
#include "internal/hb_op.h"
#include "internal/hb_quant.h"

/* The public kernels: the function this build's path runs (HB_KERNEL, hb_kpath.h). */
void hb_softmax_s8(int32_t input_mult, int32_t input_left_shift, int32_t diff_min, int32_t outer,
                   int32_t depth, const int8_t *in, int8_t *out)
{
    HB_KERNEL(softmax_s8, )(input_mult, input_left_shift, diff_min, outer, depth, in, out);
}

void hb_logistic_s8(int32_t input_zero_point, int32_t input_range_radius, int32_t input_mult,
                    int32_t input_shift, int32_t count, const int8_t *in, int8_t *out)
{
    HB_KERNEL(logistic_s8, )(input_zero_point, input_range_radius, input_mult, input_shift, count,
                             in, out);
}

void hb_relu_s8(int32_t input_zero_point, int32_t output_zero_point, int32_t mult, int32_t shift,
                int32_t act_min, int32_t act_max, int32_t count, const int8_t *in, int8_t *out)
{
    HB_KERNEL(relu_s8, )(input_zero_point, output_zero_point, mult, shift, act_min, act_max, count,
                         in, out);
}

/* SoftmaxOptions field. */
enum { OPT_BETA = 0 };

typedef struct softmax_data {
    int32_t mult, shift, diff_min, outer, depth;
} softmax_data;

typedef struct logistic_data {
    int32_t zp, radius, mult, shift, count;
} logistic_data;

typedef struct relu_data {
    int32_t in_zp, out_zp, mult, shift, lo, hi, count;
} relu_data;

static hb_status hb_op_softmax_prepare(hb_pctx *c)
{
    const hb_interpreter *ip = c->ip;
    hb_tensor *in = hb_pin(c, 0), *out = hb_pout(c);
    const double beta = (double)hb_opt_f32(c, OPT_BETA, 0.0f);
    softmax_data *d;
    double real;
    int s;
    if (!hb_is_s8(ip, in) || !hb_is_s8(ip, out) || !hb_same_dims(ip, in, out) || in->ndims < 1) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "needs int8 input and output of the same shape");
    }
    if (out->zero_point != -128 || hb_scale(ip, out) != 1.0f / 256.0f) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED,
                        "int8 output must have scale 1/256, zero point -128");
    }
    d = (softmax_data *)hb_pdata(c, sizeof(softmax_data));
    if (d == 0) {
        return c->ip->status;
    }
    real = beta * (double)hb_scale(ip, in) * (double)(1 << 26);
    if (real > 2147483647.0) {
        real = 2147483647.0;
    }
    if (!(real > 1.0) || !hb_quantize_multiplier(real, &d->mult, &s) || s < 0) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "beta * input scale is too small");
    }
    d->shift = s;
    d->diff_min = -hb_input_radius(5, s);
    d->depth = hb_dim(ip, in, in->ndims - 1);
    d->outer = hb_count(ip, in) / d->depth;
    return HB_OK;
}

static hb_status hb_op_softmax_eval(hb_interpreter *ip, const hb_op *op)
{
    const softmax_data *d = (const softmax_data *)hb_op_data(ip, op);
    hb_softmax_s8(d->mult, d->shift, d->diff_min, d->outer, d->depth,
                  (const int8_t *)hb_in_data(ip, op, 0), (int8_t *)hb_out_data(ip, op));
    return HB_OK;
}

static hb_status hb_op_logistic_prepare(hb_pctx *c)
{
    const hb_interpreter *ip = c->ip;
    hb_tensor *in = hb_pin(c, 0), *out = hb_pout(c);
    logistic_data *d;
    double q, m;
    int e;
    if (!hb_is_s8(ip, in) || !hb_is_s8(ip, out) || hb_count(ip, in) != hb_count(ip, out)) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "needs int8 input and output of the same size");
    }
    if (out->zero_point != -128) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "int8 output must have zero point -128");
    }
    d = (logistic_data *)hb_pdata(c, sizeof(logistic_data));
    if (d == 0) {
        return c->ip->status;
    }
    /* TFLM takes frexp of input_scale * 2^27 directly (no QuantizeMultiplier fix-ups). */
    q = hb_frexp((double)hb_scale(ip, in) * (double)(1 << 27), &e);
    m = hb_round_d(q * 2147483648.0);
    d->mult = m >= 2147483648.0 ? INT32_MIN : (int32_t)m;
    d->shift = e;
    d->zp = in->zero_point;
    d->radius = hb_input_radius(4, e);
    d->count = hb_count(ip, out);
    if (e > 31 || e < -31) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "input scale out of range");
    }
    return HB_OK;
}

static hb_status hb_op_logistic_eval(hb_interpreter *ip, const hb_op *op)
{
    const logistic_data *d = (const logistic_data *)hb_op_data(ip, op);
    hb_logistic_s8(d->zp, d->radius, d->mult, d->shift, d->count,
                   (const int8_t *)hb_in_data(ip, op, 0), (int8_t *)hb_out_data(ip, op));
    return HB_OK;
}

/* TFLM: RELU requantizes by input_scale / output_scale (in double) and clamps at the output's
 * zero; RELU6 clamps the input between its zero and its quantized 6, without requantizing. */
static hb_status relu_prepare(hb_pctx *c, int act)
{
    const hb_interpreter *ip = c->ip;
    hb_tensor *in = hb_pin(c, 0), *out = hb_pout(c);
    relu_data *d;
    int s;
    if (!hb_is_s8(ip, in) || !hb_is_s8(ip, out) || hb_count(ip, in) != hb_count(ip, out)) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "needs int8 input and output of the same size");
    }
    d = (relu_data *)hb_pdata(c, sizeof(relu_data));
    if (d == 0) {
        return c->ip->status;
    }
    d->count = hb_count(ip, out);
    if (act == HB_ACT_RELU6) {
        d->mult = 1 << 30; /* x * 2^30 * 2^1 / 2^31 == x exactly */
        d->shift = 1;
        return hb_pact(c, act, in, &d->lo, &d->hi);
    }
    d->in_zp = in->zero_point;
    d->out_zp = out->zero_point;
    if (!hb_quantize_multiplier((double)hb_scale(ip, in) / (double)hb_scale(ip, out), &d->mult,
                                &s)) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "scales give an unrepresentable multiplier");
    }
    d->shift = s;
    return hb_pact(c, act, out, &d->lo, &d->hi);
}

static hb_status hb_op_relu_prepare(hb_pctx *c) { return relu_prepare(c, HB_ACT_RELU); }
static hb_status hb_op_relu6_prepare(hb_pctx *c) { return relu_prepare(c, HB_ACT_RELU6); }

static hb_status hb_op_relu_eval(hb_interpreter *ip, const hb_op *op)
{
    const relu_data *d = (const relu_data *)hb_op_data(ip, op);
    hb_relu_s8(d->in_zp, d->out_zp, d->mult, d->shift, d->lo, d->hi, d->count,
               (const int8_t *)hb_in_data(ip, op, 0), (int8_t *)hb_out_data(ip, op));
    return HB_OK;
}

/* The family's rows (src/ops/hb_op_table.c lists the families). */
const hb_op_row hb_op_rows_activation[] = {
    {HB_ROW_BUILTIN(SOFTMAX), hb_op_softmax_prepare, hb_op_softmax_eval,
     HB_ROW_T_INT8 | HB_ROW_PATHS(softmax_s8)},
    {HB_ROW_BUILTIN(LOGISTIC), hb_op_logistic_prepare, hb_op_logistic_eval,
     HB_ROW_T_INT8 | HB_ROW_PATHS(logistic_s8)},
    {HB_ROW_BUILTIN(RELU), hb_op_relu_prepare, hb_op_relu_eval,
     HB_ROW_T_INT8 | HB_ROW_PATHS(relu_s8)},
    {HB_ROW_BUILTIN(RELU6), hb_op_relu6_prepare, hb_op_relu_eval,
     HB_ROW_T_INT8 | HB_ROW_PATHS(relu_s8)},
};
const uint32_t hb_op_rows_activation_len = HB_OP_ROWS_LEN(hb_op_rows_activation);
