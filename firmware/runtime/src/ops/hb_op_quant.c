/* QUANTIZE (float32 -> int8, or int8 -> int8 requantization: a variant chosen at prepare from the
 * input type) and DEQUANTIZE (int8 -> float32). */
#include "internal/hb_op.h"
#include "internal/hb_quant.h"

/* The public kernels: the function this build's path runs (HB_KERNEL, hb_kpath.h). */
void hb_quantize_f32_s8(float scale, int32_t zero_point, int32_t count, const float *in,
                        int8_t *out)
{
    HB_KERNEL(quantize_f32_s8, )(scale, zero_point, count, in, out);
}

void hb_requantize_s8(int32_t input_zero_point, int32_t output_zero_point, int32_t mult,
                      int32_t shift, int32_t count, const int8_t *in, int8_t *out)
{
    HB_KERNEL(requantize_s8, )(input_zero_point, output_zero_point, mult, shift, count, in, out);
}

void hb_dequantize_s8_f32(float scale, int32_t zero_point, int32_t count, const int8_t *in,
                          float *out)
{
    HB_KERNEL(dequantize_s8_f32, )(scale, zero_point, count, in, out);
}

enum { QUANTIZE_FROM_F32 = 0, QUANTIZE_FROM_S8 = 1 }; /* op->variant */

typedef struct quant_data {
    float scale;       /* QUANTIZE from float: output scale; DEQUANTIZE: input scale */
    int32_t in_zp, out_zp;
    int32_t mult, shift; /* QUANTIZE from int8 */
    int32_t count;
} quant_data;

static hb_status hb_op_quantize_prepare(hb_pctx *c)
{
    const hb_interpreter *ip = c->ip;
    hb_tensor *in = hb_pin(c, 0), *out = hb_pout(c);
    quant_data *d;
    int s;
    if (in == 0 || !hb_is_s8(ip, out) || hb_count(ip, in) != hb_count(ip, out)) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "needs an int8 output of the input's size");
    }
    d = (quant_data *)hb_pdata(c, sizeof(quant_data));
    if (d == 0) {
        return c->ip->status;
    }
    d->scale = hb_scale(ip, out);
    d->out_zp = out->zero_point;
    d->count = hb_count(ip, out);
    if (in->type == HB_TYPE_FLOAT32) {
        c->op->variant = QUANTIZE_FROM_F32;
        return HB_OK;
    }
    if (!hb_is_s8(ip, in)) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "input must be float32 or int8");
    }
    c->op->variant = QUANTIZE_FROM_S8;
    d->in_zp = in->zero_point;
    if (!hb_quantize_multiplier((double)hb_scale(ip, in) / (double)hb_scale(ip, out), &d->mult,
                                &s)) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "scales give an unrepresentable multiplier");
    }
    d->shift = s;
    return HB_OK;
}

static hb_status hb_op_quantize_eval(hb_interpreter *ip, const hb_op *op)
{
    const quant_data *d = (const quant_data *)hb_op_data(ip, op);
    if (op->variant == QUANTIZE_FROM_F32) {
        hb_quantize_f32_s8(d->scale, d->out_zp, d->count, (const float *)hb_in_data(ip, op, 0),
                           (int8_t *)hb_out_data(ip, op));
    } else {
        hb_requantize_s8(d->in_zp, d->out_zp, d->mult, d->shift, d->count,
                         (const int8_t *)hb_in_data(ip, op, 0), (int8_t *)hb_out_data(ip, op));
    }
    return HB_OK;
}

static hb_status hb_op_dequantize_prepare(hb_pctx *c)
{
    const hb_interpreter *ip = c->ip;
    hb_tensor *in = hb_pin(c, 0), *out = hb_pout(c);
    quant_data *d;
    if (!hb_is_s8(ip, in) || out->type != HB_TYPE_FLOAT32 ||
        hb_count(ip, in) != hb_count(ip, out)) {
        return hb_pfail(c, HB_ERR_UNSUPPORTED, "needs int8 input and float32 output of one size");
    }
    d = (quant_data *)hb_pdata(c, sizeof(quant_data));
    if (d == 0) {
        return c->ip->status;
    }
    d->scale = hb_scale(ip, in);
    d->in_zp = in->zero_point;
    d->count = hb_count(ip, out);
    return HB_OK;
}

static hb_status hb_op_dequantize_eval(hb_interpreter *ip, const hb_op *op)
{
    const quant_data *d = (const quant_data *)hb_op_data(ip, op);
    hb_dequantize_s8_f32(d->scale, d->in_zp, d->count, (const int8_t *)hb_in_data(ip, op, 0),
                         (float *)hb_out_data(ip, op));
    return HB_OK;
}

/* The family's rows (src/ops/hb_op_table.c lists the families). */
const hb_op_row hb_op_rows_quant[] = {
    {HB_ROW_BUILTIN(QUANTIZE), hb_op_quantize_prepare, hb_op_quantize_eval,
     HB_ROW_T_FLOAT32_INT8 | HB_ROW_T_INT8 | HB_ROW_PATHS(quantize_f32_s8) |
         HB_ROW_PATHS(requantize_s8)},
    {HB_ROW_BUILTIN(DEQUANTIZE), hb_op_dequantize_prepare, hb_op_dequantize_eval,
     HB_ROW_T_INT8_FLOAT32 | HB_ROW_PATHS(dequantize_s8_f32)},
};
const uint32_t hb_op_rows_quant_len = HB_OP_ROWS_LEN(hb_op_rows_quant);
