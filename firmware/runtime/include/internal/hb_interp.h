/*
 * hb_interp.h - the interpreter's private tables, kept in the arena's persistent tail.
 *
 * Only fixed-width fields (no pointers): positions into the model and offsets into the arena are
 * turned into pointers at invoke time, so the tail has the same size on 32- and 64-bit targets.
 */
#ifndef HB_INTERP_H
#define HB_INTERP_H

#include <stdint.h>

#include "hb_runtime.h"
#include "internal/hb_fb.h"
#include "internal/hb_tflite.h"

/* Where a tensor's data lives. HB_AT_DECODED: a constant that a TFLM_DECODE operator decoded
 * into the arena's tail at init (data_off is an arena offset). HB_AT_ENCODED: a TFLM_DECODE output
 * its consumers read in place (HB_DECODE_IN_PLACE, internal/hb_wsrc.h): no data of its own,
 * data_off = decode op index << 5 | pair index. */
enum { HB_AT_NONE = 0, HB_AT_MODEL = 1, HB_AT_ARENA = 2, HB_AT_DECODED = 3, HB_AT_ENCODED = 4 };

/* 28 bytes per tensor. Like TFLM's TfLiteEvalTensor it copies nothing the model already holds:
 * the dims and the float scales are read from the model (positions validated at parse) with
 * hb_dim() and hb_scale(). */
typedef struct hb_tensor {
    uint32_t shape_pos; /* model position of the int32 dims vector (ndims of them) */
    uint32_t data_off;  /* model position or arena offset of the data */
    uint32_t scales_pos;/* model position of the float scales vector (n_scales of them) */
    int32_t zero_point; /* first (or only) zero point */
    uint16_t n_scales;  /* 0: not quantized */
    uint8_t ndims;
    uint8_t type;       /* TFLite TensorType */
    uint8_t where;      /* HB_AT_* */
    uint8_t is_io;      /* graph input (1) or output (2) */
    int8_t qdim;        /* quantized_dimension */
    uint8_t decoded;    /* 1: output of a DECODE op decoded per layer (a constant for consumers) */
    int16_t first, last;/* lifetime in op indices (<= HB_MAX_OPS); first = -1: no memory */
} hb_tensor;

/* Dimension k of t; 0 for k >= ndims (as the zero-filled copy this replaces). */
static inline int32_t hb_dim(const hb_interpreter *ip, const hb_tensor *t, unsigned k)
{
    return k < t->ndims ? hb_rd_i32(ip->model + t->shape_pos + 4u * k) : 0;
}
/* Size of t's data: element size x dims (< 2^31, checked at parse; 0 for an unknown type). */
static inline uint32_t hb_bytes(const hb_interpreter *ip, const hb_tensor *t)
{
    uint32_t n = hb_type_size(t->type);
    unsigned k;
    for (k = 0; k < t->ndims; k++) {
        n *= (uint32_t)hb_rd_i32(ip->model + t->shape_pos + 4u * k);
    }
    return n;
}
/* First (or only) scale of t; 0 if not quantized. */
static inline float hb_scale(const hb_interpreter *ip, const hb_tensor *t)
{
    return t->n_scales > 0u ? hb_rd_f32(ip->model + t->scales_pos) : 0.0f;
}

/* One operator: what parse read (the table row, tensor index vectors, options table) and where
 * prepare put its results. The op family owns the meaning of `variant` and the layout of its
 * prepared data (a struct in the tail at data_off, see src/ops/). */
typedef struct hb_op {
    uint8_t row;        /* index of the op's row (hb_op_row_at, internal/hb_op.h) */
    uint8_t variant;    /* chosen by the family's prepare (e.g. QUANTIZE from float or int8) */
    uint8_t n_in;       /* <= HB_MAX_OP_INPUTS */
    uint8_t n_out;      /* 1, or k for a TFLM_DECODE with 2k inputs */
    uint32_t in_pos;    /* model positions of the int32 input and output tensor index vectors */
    uint32_t out_pos;
    uint32_t opt_pos;   /* model position of the builtin options table (0: none) */
    uint32_t data_off;  /* arena offset of the family's prepared data (if it allocated any) */
    uint32_t scratch_off;   /* head offset of the op's kernel scratch (planned, 16-byte aligned) */
    uint32_t scratch_bytes; /* 0: the op needs no scratch */
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
    return t->where == HB_AT_MODEL || t->where == HB_AT_DECODED || t->where == HB_AT_ENCODED ||
           t->decoded;
}
/* Output k of op (an index validated at parse). */
static inline int32_t hb_op_out(const hb_interpreter *ip, const hb_op *op, unsigned k)
{
    return hb_rd_i32(ip->model + op->out_pos + 4u * k);
}

/* Allocate n bytes (4-byte aligned) from the top of the tail; 0 and an HB_ERR_ARENA if full. */
int hb_tail_alloc(hb_interpreter *ip, uint32_t n, uint32_t *off);
/* Per-op prepare through the op's table row: validate, choose the variant, fill prepared data. */
hb_status hb_prepare_op(hb_interpreter *ip, uint32_t index, hb_op *op);
/* Copy tensor idx's name (printable ASCII, truncated) into buf for messages; "?" if unreadable. */
void hb_tensor_name(const hb_interpreter *ip, int32_t idx, char *buf, uint32_t len);
/* Place every activation tensor and every op's scratch in the head; sets ip->head_bytes. */
hb_status hb_plan_memory(hb_interpreter *ip);

#endif /* HB_INTERP_H */
