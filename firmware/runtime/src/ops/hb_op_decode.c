/* TFLite Micro's DECODE operator (custom code "TFLM_DECODE"), both modes:
 * - HB_DECODE_AT_INIT: prepare decodes every (encoded, ancillary) pair once into the arena's tail.
 *   The decoder's scratch is borrowed from the head, which holds nothing until the planner runs;
 *   the fast (table lookup) scratch is used when it fits, the minimal one otherwise. At invoke the
 *   operator does nothing. A pair already decoded for an earlier output (same encoded and
 *   ancillary tensors, same size) shares that output's memory.
 * - HB_DECODE_PER_LAYER: prepare only checks the headers and sizes the op's scratch (the largest
 *   fast scratch of its pairs, planned in the head for this op only); its eval decodes at
 *   every invoke into the outputs, which the planner placed in the head. */
#include "internal/hb_decode.h"
#include "internal/hb_op.h"

#define HB_NAME_LEN 49u

static const char *decode_reason(hb_status st)
{
    switch (st) {
    case HB_ERR_MODEL: return "malformed or corrupt data (checksum or structure)";
    case HB_ERR_UNSUPPORTED: return "unsupported decode type, element size or channel axis";
    case HB_ERR_ARG: return "decoded size does not match the output tensor";
    default: return "decoder failure";
    }
}

/* Fail naming the encoded tensor; HB_ERR_ARG from the decoder is a model inconsistency. */
static hb_status decode_fail(hb_interpreter *ip, uint32_t index, hb_status st, int32_t enc,
                             int32_t out)
{
    char name[HB_NAME_LEN];
    hb_tensor_name(ip, enc, name, sizeof name);
    return hb_fail(ip, st == HB_ERR_ARG ? HB_ERR_MODEL : st,
                   "operator %u (TFLM_DECODE): tensor %d '%s' (decoded tensor %d): %s", index,
                   enc, name, out, decode_reason(st));
}

/* Earlier output decoded from the same pair, or -1. */
static int32_t same_pair(hb_interpreter *ip, uint32_t op_index, uint32_t pair, int32_t enc,
                         int32_t anc, uint32_t bytes)
{
    const hb_op *ops = hb_ops(ip);
    uint32_t i, k;
    for (i = 0; i <= op_index; i++) {
        const hb_op *op = &ops[i];
        const int decode = (hb_row(op)->flags & HB_ROW_DECODE) != 0u;
        const uint32_t n = i == op_index ? pair : (decode ? op->n_out : 0u);
        for (k = 0; k < n; k++) {
            const int32_t out = hb_op_out(ip, op, k);
            if (hb_op_in(ip, op, 2u * k) == enc && hb_op_in(ip, op, 2u * k + 1u) == anc &&
                hb_bytes(ip, &hb_tensors(ip)[out]) == bytes) {
                return out;
            }
        }
    }
    return -1;
}

/* Decode pair k of op `index` into its output's memory with the given scratch. */
static hb_status run_pair(hb_interpreter *ip, uint32_t index, const hb_op *op, uint32_t k,
                          void *scratch, size_t scratch_len)
{
    const int32_t enc_i = hb_op_in(ip, op, 2u * k), anc_i = hb_op_in(ip, op, 2u * k + 1u);
    const int32_t out_i = hb_op_out(ip, op, k);
    hb_tensor *ts = hb_tensors(ip);
    const hb_tensor *out = &ts[out_i];
    hb_decode_shape shape;
    hb_status st;
    int d;
    shape.elem_bytes = hb_type_size(out->type);
    shape.ndims = out->ndims;
    for (d = 0; d < HB_MAX_DIMS; d++) {
        shape.dims[d] = d < out->ndims ? hb_dim(ip, out, d) : 0;
    }
    st = hb_decode_tensor((const uint8_t *)hb_tensor_data(ip, &ts[anc_i]),
                          hb_bytes(ip, &ts[anc_i]), (const uint8_t *)hb_tensor_data(ip, &ts[enc_i]),
                          hb_bytes(ip, &ts[enc_i]), &shape, hb_tensor_data(ip, out),
                          hb_bytes(ip, out),
                          scratch_len > 0u ? scratch : (void *)0, scratch_len);
    return st == HB_OK ? HB_OK : decode_fail(ip, index, st, enc_i, out_i);
}

static hb_status prepare_pair(hb_pctx *c, uint32_t k)
{
    hb_interpreter *ip = c->ip;
    const int32_t enc_i = hb_op_in(ip, c->op, 2u * k), anc_i = hb_op_in(ip, c->op, 2u * k + 1u);
    const int32_t out_i = hb_op_out(ip, c->op, k);
    const hb_tensor *anc = &hb_tensors(ip)[anc_i];
    hb_tensor *out = &hb_tensors(ip)[out_i];
    size_t min_bytes = 0, fast_bytes = 0, scratch;
    int32_t twin;
    uint32_t peak;
    hb_status st;
    if (hb_type_size(out->type) == 0u) {
        return decode_fail(ip, c->index, HB_ERR_UNSUPPORTED, enc_i, out_i);
    }
    if (out->where == HB_AT_ENCODED) {
        return HB_OK; /* read in place: its consumer validates the pair (hb_wsrc_open) */
    }
    st = hb_decode_scratch_bytes((const uint8_t *)hb_tensor_data(ip, anc), hb_bytes(ip, anc),
                                 &min_bytes, &fast_bytes);
    if (st != HB_OK) {
        return decode_fail(ip, c->index, st, enc_i, out_i);
    }
    if (ip->decode_mode == HB_DECODE_PER_LAYER) {
        if (fast_bytes > 0x7fff0000u) {
            return decode_fail(ip, c->index, HB_ERR_MODEL, enc_i, out_i);
        }
        if ((uint32_t)fast_bytes > c->op->scratch_bytes) {
            c->op->scratch_bytes = (uint32_t)fast_bytes;
        }
        return HB_OK;
    }
    twin = same_pair(ip, c->index, k, enc_i, anc_i, hb_bytes(ip, out));
    if (twin >= 0) {
        out->data_off = hb_tensors(ip)[twin].data_off;
        return HB_OK;
    }
    if (!hb_tail_alloc(ip, hb_bytes(ip, out), &out->data_off)) {
        return ip->status;
    }
    /* Scratch from the head [0, tail_start): the fast path if it fits, else the minimum. */
    scratch = fast_bytes <= ip->tail_start ? fast_bytes : min_bytes;
    if (scratch > ip->tail_start) {
        ip->needed = ip->arena_pad + (uint32_t)min_bytes + (ip->arena_len - ip->tail_start);
        return hb_fail(ip, HB_ERR_ARENA, "arena too small to decode tensor %d: %u bytes of "
                       "scratch needed, %u free", enc_i, (uint32_t)min_bytes, ip->tail_start);
    }
    peak = (uint32_t)scratch + (ip->arena_len - ip->tail_start);
    ip->init_bytes = peak > ip->init_bytes ? peak : ip->init_bytes;
    return run_pair(ip, c->index, c->op, k, ip->arena, scratch);
}

static hb_status hb_op_decode_prepare(hb_pctx *c)
{
    uint32_t k;
    for (k = 0; k < c->op->n_out; k++) {
        const hb_status st = prepare_pair(c, k);
        if (st != HB_OK) {
            return st;
        }
    }
    return HB_OK;
}

static hb_status hb_op_decode_eval(hb_interpreter *ip, const hb_op *op)
{
    const hb_scratch scratch = hb_op_scratch(ip, op);
    const uint32_t index = (uint32_t)(op - hb_ops(ip));
    uint32_t k;
    for (k = 0; k < op->n_out; k++) {
        const uint8_t where = hb_tensors(ip)[hb_op_out(ip, op, k)].where;
        hb_status st;
        if (where == HB_AT_DECODED || where == HB_AT_ENCODED) {
            continue; /* decoded once at init, or read in place by its consumer */
        }
        st = run_pair(ip, index, op, k, scratch.buf, (size_t)scratch.size);
        if (st != HB_OK) {
            return st;
        }
    }
    return HB_OK;
}

/* The family's rows (src/ops/hb_op_table.c lists the families). */
const hb_op_row hb_op_rows_decode[] = {
    {HB_BUILTIN_CUSTOM, "TFLM_DECODE", hb_op_decode_prepare, hb_op_decode_eval,
     HB_ROW_DECODE | HB_ROW_T_ANY},
};
const uint32_t hb_op_rows_decode_len = HB_OP_ROWS_LEN(hb_op_rows_decode);
