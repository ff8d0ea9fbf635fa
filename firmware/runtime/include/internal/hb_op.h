/*
 * hb_op.h - what an operator family implements, and the one table that lists the operators.
 *
 * An operator is a row of its family's table, defined at the end of the family file
 * (src/ops/hb_op_<family>.c): its TFLite builtin code (or custom code name), its name, a prepare
 * and an eval. src/ops/hb_op_table.c lists the families; parse finds the row by code, prepare and
 * eval call through it, hb_interpreter_op_name() reads its name. Each family file in src/ops/ owns its
 * prepared-data struct (allocated in the tail with hb_pdata(), fixed-width fields only), its
 * prepare (validate, compute everything that depends only on constants, choose op->variant, ask
 * the kernel for scratch with hb_pscratch()) and its eval (arithmetic: read the data back, call
 * the kernel).
 */
#ifndef HB_OP_H
#define HB_OP_H

#include "hb_kernels.h"
#include "internal/hb_interp.h"
#include "internal/hb_kpath.h"
#include "internal/hb_tflite.h"

/* Context of the op being prepared: names it in every message. */
typedef struct hb_pctx {
    hb_interpreter *ip;
    uint32_t index;
    hb_op *op;
    hb_fb fb;
    hb_fb_table opt;  /* builtin options (has_opt = 0 -> all defaults) */
    int has_opt;
} hb_pctx;

typedef hb_status (*hb_prepare_fn)(hb_pctx *c);
/* Only a DECODE decoding per layer can fail at eval (message in ip->error). */
typedef hb_status (*hb_eval_fn)(hb_interpreter *ip, const hb_op *op);

/* Row flags: how parse treats the op's inputs and outputs. */
#define HB_ROW_INPUTS_OPTIONAL 1u /* inputs 0 and 1 may be omitted (-1); others need both */
#define HB_ROW_DECODE 2u          /* TFLM_DECODE: 2k constant UINT8 inputs, k outputs that become
                                   * constants (decoded at init) or head tensors (per layer) */
/* Row flags read by no code path but reported as the operator table (hb_run --ops, hil-bench ops):
 * the types its prepare accepts (input 0 -> output 0) and the optimized paths of its kernel (the
 * plain C path is always there). Prepare stays the judge; these say what it accepts. */
#define HB_ROW_T_INT8 (1u << 8)          /* int8 -> int8 */
#define HB_ROW_T_FLOAT32_INT8 (1u << 9)  /* float32 -> int8 */
#define HB_ROW_T_INT8_FLOAT32 (1u << 10) /* int8 -> float32 */
#define HB_ROW_T_ANY (1u << 11)          /* any type (byte moves, decoders) */
#define HB_ROW_PATH_DSP (1u << 16)
#define HB_ROW_PATH_MVE (1u << 17)
/* The paths of kernel k, from its lines in the path headers (hb_kpath.h). */
#define HB_ROW_PATHS(k) \
    ((HB_HAS_DSP(k) ? HB_ROW_PATH_DSP : 0u) | (HB_HAS_MVE(k) ? HB_ROW_PATH_MVE : 0u))

typedef struct hb_op_row {
    int32_t builtin;   /* HB_BUILTIN_*; HB_BUILTIN_CUSTOM rows match the custom code by name */
    const char *name;  /* builtin name or custom code */
    hb_prepare_fn prepare;
    hb_eval_fn eval;
    uint32_t flags;    /* HB_ROW_* */
} hb_op_row;

/* A row's first two fields from one token: HB_ROW_BUILTIN(CONV_2D) -> HB_BUILTIN_CONV_2D, "CONV_2D". */
#define HB_ROW_BUILTIN(name) HB_BUILTIN_##name, #name

/* The rows of one family: `hb_op_rows_<family>[]` and `hb_op_rows_<family>_len`, defined at the end
 * of its file with HB_OP_ROWS_LEN; src/ops/hb_op_table.c lists the families. */
#define HB_OP_ROWS_LEN(rows) ((uint32_t)(sizeof(rows) / sizeof((rows)[0])))

typedef struct hb_op_family {
    const hb_op_row *rows;
    const uint32_t *count;
} hb_op_family;

/* Row `index`, counting through the families in the order hb_op_table.c lists them (at most 255
 * rows: hb_op.row is a byte); NULL past the last row. */
const hb_op_row *hb_op_row_at(uint32_t index);

static inline const hb_op_row *hb_row(const hb_op *op) { return hb_op_row_at(op->row); }

/* ---- prepare helpers (src/core/hb_prepare.c) ---- */
hb_status hb_pfail(const hb_pctx *c, hb_status st, const char *what);
/* Tensor of input k (NULL if omitted), or output 0. */
hb_tensor *hb_pin(const hb_pctx *c, unsigned k);
hb_tensor *hb_pout(const hb_pctx *c);
/* The op's prepared data: `bytes` zeroed bytes in the tail (op->data_off); NULL if the arena is
 * full (status set). The pointer stays valid for the rest of init. */
void *hb_pdata(hb_pctx *c, uint32_t bytes);
/* Scratch the op's kernel asked for (its *_get_buffer_size()), planned in the head. */
hb_status hb_pscratch(hb_pctx *c, int32_t bytes);
/* Options accessors with schema defaults. */
int32_t hb_opt_i32(const hb_pctx *c, unsigned field, int32_t dflt);
uint8_t hb_opt_u8(const hb_pctx *c, unsigned field, uint8_t dflt);
float hb_opt_f32(const hb_pctx *c, unsigned field, float dflt);
/* An int8 activation-like tensor: exactly one finite positive scale, an int8 zero point. */
int hb_is_s8(const hb_interpreter *ip, const hb_tensor *t);
int hb_same_dims(const hb_interpreter *ip, const hb_tensor *a, const hb_tensor *b);
/* Float scale k of a (possibly per-channel) tensor. */
float hb_scale_at(const hb_pctx *c, const hb_tensor *t, uint32_t k);
/* Fused activation -> int8 clamp; fails on TANH/SIGN_BIT/unknown. */
hb_status hb_pact(const hb_pctx *c, int act, const hb_tensor *out, int32_t *lo, int32_t *hi);
/* TFLite SAME/VALID output size and leading padding; 0 on bad parameters. */
int hb_padding(int padding, int32_t in, int32_t filter, int32_t stride, int32_t dilation,
               int32_t *out, int32_t *pad);

/* ---- weighted ops: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED (src/ops/hb_op_weights.c) ---- */
/* Weights constant int8 with 1 or `channels` scales; bias absent or constant int32 [channels],
 * 4-byte aligned. */
hb_status hb_pweights(const hb_pctx *c, const hb_tensor *f, const hb_tensor *bias,
                      int32_t channels);
/* Per-channel requantization: mult/shift[k] from input_scale * filter_scale[k] / output_scale. */
hb_status hb_pchannel_mults(const hb_pctx *c, const hb_tensor *in, const hb_tensor *f,
                            const hb_tensor *out, int32_t channels, int32_t *mult, int8_t *shift);
/* 1: weights or bias are decoded per layer, so their data exists only after their DECODE ran:
 * the folded bias must be recomputed at eval. */
int hb_fold_late(const hb_tensor *f, const hb_tensor *bias);

/* Weights read in place (f is HB_AT_ENCODED, src/ops/hb_op_wsrc.c): open them into w and, unless
 * folded is NULL, set folded[c] = bias[c] + input_offset * sum of channel c's weights. */
struct hb_wsrc;
hb_status hb_pwsrc(const hb_pctx *c, const hb_tensor *f, const hb_tensor *bias, int32_t channels,
                   int32_t per_channel, int channel_minor, int32_t input_offset,
                   struct hb_wsrc *w, int32_t *folded);

/* ---- eval helpers ---- */
int32_t hb_count(const hb_interpreter *ip, const hb_tensor *t);
hb_dims4 hb_dims4_of(const hb_interpreter *ip, const hb_tensor *t);
/* All dims of t into dims[HB_MAX_DIMS] (0 past ndims), for kernels that take an array. */
void hb_dims_of(const hb_interpreter *ip, const hb_tensor *t, int32_t *dims);
/* Tensor of input k (NULL if omitted) and its data. */
static inline const hb_tensor *hb_in(hb_interpreter *ip, const hb_op *op, unsigned k)
{
    const int32_t idx = k < op->n_in ? hb_op_in(ip, op, k) : -1;
    return idx < 0 ? 0 : &hb_tensors(ip)[idx];
}
static inline const void *hb_in_data(hb_interpreter *ip, const hb_op *op, unsigned k)
{
    const hb_tensor *t = hb_in(ip, op, k);
    return t == 0 ? 0 : hb_tensor_data(ip, t);
}
static inline const hb_tensor *hb_out(hb_interpreter *ip, const hb_op *op)
{
    return &hb_tensors(ip)[hb_op_out(ip, op, 0)];
}
static inline void *hb_out_data(hb_interpreter *ip, const hb_op *op)
{
    return hb_tensor_data(ip, hb_out(ip, op));
}
static inline void *hb_op_data(hb_interpreter *ip, const hb_op *op)
{
    return ip->arena + op->data_off;
}
static inline hb_scratch hb_op_scratch(hb_interpreter *ip, const hb_op *op)
{
    hb_scratch s;
    s.buf = op->scratch_bytes > 0u ? ip->arena + op->scratch_off : 0;
    s.size = (int32_t)op->scratch_bytes;
    return s;
}
/* The scratch after its first ``used`` bytes (rounded up to 16), for a kernel called on the rest; {0, 0}
 * when nothing is left (weights decoded in place into the front, hb_op_conv.c / hb_op_fc.c). */
static inline hb_scratch hb_scratch_after(hb_scratch s, int32_t used)
{
    const int32_t off = (used + 15) & ~15;
    hb_scratch rest;
    rest.buf = s.size - off > 0 ? (int8_t *)s.buf + off : 0;
    rest.size = s.size - off > 0 ? s.size - off : 0;
    return rest;
}

#endif /* HB_OP_H */
