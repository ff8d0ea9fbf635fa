/* Invoke-time dispatch: turns the prepared tables into pointers and calls the kernels. */
#include <string.h>

#include "internal/hb_interp.h"
#include "internal/hb_parse.h"

static hb_dims4 dims4(const hb_tensor *t)
{
    hb_dims4 d;
    d.n = t->dims[0];
    d.h = t->dims[1];
    d.w = t->dims[2];
    d.c = t->dims[3];
    return d;
}

static const hb_tensor *in_t(hb_interpreter *ip, const hb_op *op, unsigned k)
{
    const int32_t idx = k < op->n_in ? hb_op_in(ip, op, k) : -1;
    return idx < 0 ? 0 : &hb_tensors(ip)[idx];
}

static const void *in_data(hb_interpreter *ip, const hb_op *op, unsigned k)
{
    const hb_tensor *t = in_t(ip, op, k);
    return t == 0 ? 0 : hb_tensor_data(ip, t);
}

static int32_t count(const hb_tensor *t)
{
    int32_t n = 1;
    int k;
    for (k = 0; k < t->ndims; k++) {
        n *= t->dims[k];
    }
    return n;
}

static void eval_concat(hb_interpreter *ip, const hb_op *op, const hb_tensor *out, void *dst)
{
    const void *ins[HB_MAX_OP_INPUTS];
    int32_t chunk[HB_MAX_OP_INPUTS];
    int32_t inner = (int32_t)hb_type_size(out->type);
    unsigned k;
    int d;
    for (d = op->u.concat.axis + 1; d < out->ndims; d++) {
        inner *= out->dims[d];
    }
    for (k = 0; k < op->n_in; k++) {
        ins[k] = in_data(ip, op, k);
        chunk[k] = in_t(ip, op, k)->dims[op->u.concat.axis] * inner;
    }
    hb_concat((int)op->n_in, ins, chunk, op->u.concat.outer, dst);
}

hb_status hb_eval_op(hb_interpreter *ip, const hb_op *op)
{
    const hb_tensor *out = &hb_tensors(ip)[op->out];
    const hb_tensor *in0 = in_t(ip, op, 0);
    void *dst = hb_tensor_data(ip, out);
    const int32_t *mult = (const int32_t *)(const void *)(ip->arena + op->mult_off);
    const int8_t *shift = (const int8_t *)(const void *)(ip->arena + op->shift_off);
    const int32_t *folded = (const int32_t *)(const void *)(ip->arena + op->aux_off);
    hb_scratch scratch;
    hb_dims4 di, df, dout;
    scratch.buf = op->scratch_bytes > 0u ? ip->arena + op->scratch_off : 0;
    scratch.size = (int32_t)op->scratch_bytes;
    if (op->fold_late) {
        hb_fold_op(ip, op);
    }
    switch (op->kind) {
    case HB_K_CONV:
    case HB_K_DWCONV:
        di = dims4(in0);
        df = dims4(in_t(ip, op, 1));
        dout = dims4(out);
        (op->kind == HB_K_CONV ? hb_conv_s8 : hb_depthwise_conv_s8)(
            &scratch, &op->u.conv, mult, shift, &di, (const int8_t *)in_data(ip, op, 0), &df,
            (const int8_t *)in_data(ip, op, 1), (const int32_t *)in_data(ip, op, 2), folded, &dout,
            (int8_t *)dst);
        break;
    case HB_K_FC:
        hb_fully_connected_s8(&scratch, &op->u.fc.p, mult, shift, op->u.fc.batches, op->u.fc.depth,
                              op->u.fc.channels, (const int8_t *)in_data(ip, op, 0),
                              (const int8_t *)in_data(ip, op, 1),
                              (const int32_t *)in_data(ip, op, 2), folded, (int8_t *)dst);
        break;
    case HB_K_ADD:
        hb_add_s8(&op->u.add, (const hb_bcast *)(const void *)(ip->arena + op->aux_off), (const int8_t *)in_data(ip, op, 0),
                  (const int8_t *)in_data(ip, op, 1), (int8_t *)dst);
        break;
    case HB_K_MUL:
        hb_mul_s8(&op->u.mul, (const hb_bcast *)(const void *)(ip->arena + op->aux_off), (const int8_t *)in_data(ip, op, 0),
                  (const int8_t *)in_data(ip, op, 1), (int8_t *)dst);
        break;
    case HB_K_AVGPOOL:
    case HB_K_MAXPOOL:
        di = dims4(in0);
        dout = dims4(out);
        (op->kind == HB_K_AVGPOOL ? hb_avg_pool_s8 : hb_max_pool_s8)(
            &op->u.pool, &di, (const int8_t *)in_data(ip, op, 0), &dout, (int8_t *)dst);
        break;
    case HB_K_RESHAPE:
        if (in_data(ip, op, 0) != dst) {
            memcpy(dst, in_data(ip, op, 0), out->bytes);
        }
        break;
    case HB_K_SOFTMAX:
        hb_softmax_s8(op->u.softmax.mult, op->u.softmax.shift, op->u.softmax.diff_min,
                      op->u.softmax.outer, op->u.softmax.depth, (const int8_t *)in_data(ip, op, 0),
                      (int8_t *)dst);
        break;
    case HB_K_LOGISTIC:
        hb_logistic_s8(op->u.logistic.zp, op->u.logistic.radius, op->u.logistic.mult,
                       op->u.logistic.shift, count(out), (const int8_t *)in_data(ip, op, 0),
                       (int8_t *)dst);
        break;
    case HB_K_QUANTIZE:
        hb_quantize_f32_s8(op->u.quant.scale, op->u.quant.out_zp, count(out),
                           (const float *)in_data(ip, op, 0), (int8_t *)dst);
        break;
    case HB_K_REQUANTIZE:
        hb_requantize_s8(op->u.quant.in_zp, op->u.quant.out_zp, op->u.quant.mult,
                         op->u.quant.shift, count(out), (const int8_t *)in_data(ip, op, 0),
                         (int8_t *)dst);
        break;
    case HB_K_DEQUANTIZE:
        hb_dequantize_s8_f32(op->u.quant.scale, op->u.quant.in_zp, count(out),
                             (const int8_t *)in_data(ip, op, 0), (float *)dst);
        break;
    case HB_K_PAD:
        hb_pad_s8(in0->ndims, in0->dims, op->u.pad.before, out->dims, (int8_t)op->u.pad.value,
                  (const int8_t *)in_data(ip, op, 0), (int8_t *)dst);
        break;
    case HB_K_CONCAT:
        eval_concat(ip, op, out, dst);
        break;
    case HB_K_MEAN:
        hb_mean_s8(in0->ndims, in0->dims, op->u.mean.reduce, op->u.mean.same_quant, op->u.mean.mult, op->u.mean.shift, op->u.mean.in_zp,
                   op->u.mean.out_zp, (const int8_t *)in_data(ip, op, 0), (int8_t *)dst);
        break;
    case HB_K_DECODE:
        if (out->where != HB_AT_DECODED) {
            return hb_decode_op(ip, (uint32_t)(op - hb_ops(ip)), op, &scratch);
        }
        break;
    default:
        break;
    }
    return HB_OK;
}
