/*
 * hb_interp.h - the interpreter's private tables, kept in the arena's persistent tail.
 *
 * Only fixed-width fields (no pointers): positions into the model and offsets into the arena are
 * turned into pointers at invoke time, so the tail has the same size on 32- and 64-bit targets.
 */
#ifndef HB_INTERP_H
#define HB_INTERP_H

#include <stdint.h>

#include "hb_kernels.h"
#include "hb_runtime.h"
#include "internal/hb_fb.h"

/* Where a tensor's data lives. HB_AT_DECODED: a constant that a TFLM_DECODE operator decoded
 * into the arena's tail at init (data_off is an arena offset). */
enum { HB_AT_NONE = 0, HB_AT_MODEL = 1, HB_AT_ARENA = 2, HB_AT_DECODED = 3 };

typedef struct hb_tensor {
    int32_t dims[HB_MAX_DIMS];
    uint8_t ndims;
    uint8_t type;       /* TFLite TensorType */
    uint8_t where;      /* HB_AT_* */
    uint8_t is_io;      /* graph input (1) or output (2) */
    uint32_t data_off;  /* model position or arena offset of the data */
    uint32_t bytes;
    float scale;        /* first (or only) scale; 0 if not quantized */
    int32_t zero_point; /* first (or only) zero point */
    uint32_t scales_pos;/* model position of the float scales vector (0 if none) */
    uint16_t n_scales;
    int8_t qdim;        /* quantized_dimension */
    uint8_t decoded;    /* 1: output of a DECODE op decoded per layer (a constant for consumers) */
    int16_t first, last;/* lifetime in op indices (<= HB_MAX_OPS); first = -1: no memory */
} hb_tensor;

/* Internal operator kinds (one per kernel family). */
enum {
    HB_K_CONV, HB_K_DWCONV, HB_K_FC, HB_K_ADD, HB_K_MUL, HB_K_AVGPOOL, HB_K_MAXPOOL,
    HB_K_RESHAPE, HB_K_SOFTMAX, HB_K_LOGISTIC, HB_K_QUANTIZE, HB_K_REQUANTIZE, HB_K_DEQUANTIZE,
    HB_K_PAD, HB_K_CONCAT, HB_K_MEAN, HB_K_DECODE
};

typedef struct hb_op {
    uint8_t kind;
    uint8_t n_in;        /* <= HB_MAX_OP_INPUTS; every op but DECODE has exactly one output */
    uint8_t builtin;     /* TFLite builtin code (every supported one is < 256) */
    uint8_t fold_late;   /* 1: weights or bias decoded per layer: fold at every invoke */
    uint32_t in_pos;     /* model position of the int32 input tensor indices */
    int32_t out;         /* output tensor index */
    uint32_t mult_off;   /* arena offsets of per-channel multipliers (int32) and shifts (int8) */
    uint32_t shift_off;
    uint32_t aux_off;    /* arena offset of ADD / MUL's hb_bcast, or of CONV / DWCONV / FC's
                          * folded bias (int32 [channels]) */
    uint32_t scratch_off;   /* head offset of the op's scratch (planned, 16-byte aligned) */
    uint32_t scratch_bytes; /* 0: the op needs no scratch */
    union {
        uint32_t opt_pos; /* parse -> prepare only: model position of the options table (0: none) */
        hb_conv_params conv;
        struct { hb_fc_params p; int32_t batches, depth, channels; } fc;
        hb_add_params add;
        hb_mul_params mul;
        hb_pool_params pool;
        struct { int32_t mult, shift, diff_min, outer, depth; } softmax;
        struct { int32_t zp, radius, mult, shift; } logistic;
        struct { float scale; int32_t in_zp, out_zp, mult, shift; } quant;
        struct { int32_t before[HB_MAX_DIMS]; int32_t value; } pad;
        struct { int32_t outer, axis; } concat;
        struct { int32_t mult, shift, in_zp, out_zp, same_quant; uint8_t reduce[8]; } mean;
        /* TFLM_DECODE: n_in = 2 * n_out inputs (encoded, ancillary) pairs; out = first output;
         * opt_pos_ overlays opt_pos (always 0: the custom options are not used). */
        struct { uint32_t opt_pos_; uint32_t outs_pos; uint32_t n_out; } decode;
    } u;
} hb_op;

/* Record a failure: formats fmt (%s, %d, %u only) into ip->error and returns st. */
hb_status hb_fail(hb_interpreter *ip, hb_status st, const char *fmt, ...);

static inline hb_tensor *hb_tensors(hb_interpreter *ip)
{
    return (hb_tensor *)(void *)(ip->arena + ip->tensors_off);
}
static inline hb_op *hb_ops(hb_interpreter *ip)
{
    return (hb_op *)(void *)(ip->arena + ip->ops_off);
}
/* Input k of op (an index validated at init, or -1 for an omitted optional input). */
static inline int32_t hb_op_in(const hb_interpreter *ip, const hb_op *op, unsigned k)
{
    return hb_rd_i32(ip->model + op->in_pos + 4u * k);
}
static inline void *hb_tensor_data(hb_interpreter *ip, const hb_tensor *t)
{
    if (t->where == HB_AT_MODEL) {
        return (void *)(uintptr_t)(ip->model + t->data_off);
    }
    if (t->where == HB_AT_ARENA || t->where == HB_AT_DECODED) {
        return ip->arena + t->data_off;
    }
    return 0;
}
/* A constant: stored in the model or decoded by a DECODE op (at init or per layer). */
static inline int hb_is_const(const hb_tensor *t)
{
    return t->where == HB_AT_MODEL || t->where == HB_AT_DECODED || t->decoded;
}
/* Output k of a DECODE op (validated at parse). */
static inline int32_t hb_op_out(const hb_interpreter *ip, const hb_op *op, unsigned k)
{
    return hb_rd_i32(ip->model + op->u.decode.outs_pos + 4u * k);
}

/* Allocate n bytes (4-byte aligned) from the top of the tail; 0 and an HB_ERR_ARENA if full. */
int hb_tail_alloc(hb_interpreter *ip, uint32_t n, uint32_t *off);
/* Per-op prepare: validate shapes/types, compute quantization parameters. */
hb_status hb_prepare_op(hb_interpreter *ip, uint32_t index, hb_op *op);
/* Copy tensor idx's name (printable ASCII, truncated) into buf for messages; "?" if unreadable. */
void hb_tensor_name(const hb_interpreter *ip, int32_t idx, char *buf, uint32_t len);
/* CONV / DWCONV / FC: fold bias and weight sums into the op's folded buffer (hb_fold_bias_s8). */
void hb_fold_op(hb_interpreter *ip, const hb_op *op);
/* Place every activation tensor and every op's scratch in the head; sets ip->head_bytes. */
hb_status hb_plan_memory(hb_interpreter *ip);
/* Run one prepared op; only a DECODE decoding per layer can fail (message in ip->error). */
hb_status hb_eval_op(hb_interpreter *ip, const hb_op *op);
/* HB_DECODE_PER_LAYER: decode every pair of DECODE op `index` into its head tensors. */
hb_status hb_decode_op(hb_interpreter *ip, uint32_t index, const hb_op *op,
                       const hb_scratch *scratch);

#endif /* HB_INTERP_H */
