/* Model parsing: every field of the flatbuffer the runtime uses is read through the checked
 * reader (hb_fb) and validated before it is stored. */
#include "internal/hb_parse.h"
#include "internal/hb_wsrc.h"

#include <string.h>

#include "internal/hb_op.h"

#define FB_OK(rc) ((rc) != HB_FB_BAD)

static hb_status parse_quant(hb_interpreter *ip, const hb_fb *fb, const hb_fb_table *tt,
                             uint32_t i, hb_tensor *t)
{
    hb_fb_table q;
    hb_fb_vec scales, zps;
    uint32_t k;
    int32_t qdim = 0;
    int rc = hb_fb_table_field(fb, tt, 4, &q);
    if (rc == HB_FB_BAD) {
        return hb_fail(ip, HB_ERR_MODEL, "tensor %u: bad quantization table", i);
    }
    if (rc == HB_FB_ABSENT) {
        return HB_OK;
    }
    if (!FB_OK(hb_fb_vec_field(fb, &q, 2, 4, &scales)) ||
        !FB_OK(hb_fb_vec_field(fb, &q, 3, 8, &zps)) || !FB_OK(hb_fb_i32(fb, &q, 6, 0, &qdim))) {
        return hb_fail(ip, HB_ERR_MODEL, "tensor %u: bad quantization parameters", i);
    }
    if (zps.count != 0 && zps.count != scales.count && zps.count != 1) {
        return hb_fail(ip, HB_ERR_MODEL, "tensor %u: %u zero points for %u scales", i,
                       zps.count, scales.count);
    }
    if (scales.count == 0) {
        return HB_OK;
    }
    if (t->type == HB_TYPE_UINT8 && scales.count > 1 &&
        (qdim < 0 || qdim >= t->ndims || (uint32_t)hb_dim(ip, t, qdim) != scales.count)) {
        /* TFLM's compressor leaves the original per-channel quantization on the encoded UINT8
         * tensor of a DECODE pair; UINT8 data is only ever decoder input, so it is ignored. */
        return HB_OK;
    }
    if (scales.count > 65535u) {
        return hb_fail(ip, HB_ERR_UNSUPPORTED, "tensor %u: more than 65535 scales", i);
    }
    t->scales_pos = scales.pos;
    t->n_scales = (uint16_t)scales.count;
    for (k = 0; k < zps.count; k++) {
        const int64_t zp = (int64_t)hb_rd_u64(fb->buf + zps.pos + 8u * k);
        if (k == 0) {
            if (zp < -2147483647 || zp > 2147483647) {
                return hb_fail(ip, HB_ERR_MODEL, "tensor %u: zero point out of range", i);
            }
            t->zero_point = (int32_t)zp;
        } else if (zp != t->zero_point) {
            return hb_fail(ip, HB_ERR_UNSUPPORTED, "tensor %u: per-channel zero points differ", i);
        }
    }
    if (scales.count > 1 &&
        (qdim < 0 || qdim >= t->ndims || (uint32_t)hb_dim(ip, t, qdim) != scales.count)) {
        return hb_fail(ip, HB_ERR_MODEL, "tensor %u: %u scales do not match quantized dimension %d",
                       i, scales.count, qdim);
    }
    t->qdim = (int8_t)(qdim >= 0 && qdim < HB_MAX_DIMS ? qdim : 0);
    return HB_OK;
}

static hb_status parse_tensor(hb_interpreter *ip, const hb_fb *fb, const hb_fb_vec *buffers,
                              const hb_fb_table *tt, uint32_t i, hb_tensor *t)
{
    hb_fb_vec shape, name;
    hb_fb_table sparsity, buf;
    uint8_t type = 0, is_var = 0;
    int32_t buffer = 0;
    uint64_t bytes;
    uint32_t k, esize;
    memset(t, 0, sizeof *t);
    t->first = -1;
    t->last = -1;
    if (!FB_OK(hb_fb_vec_field(fb, tt, 0, 4, &shape)) || !FB_OK(hb_fb_u8(fb, tt, 1, 0, &type)) ||
        !FB_OK(hb_fb_i32(fb, tt, 2, 0, &buffer)) || !FB_OK(hb_fb_vec_field(fb, tt, 3, 1, &name)) ||
        !FB_OK(hb_fb_u8(fb, tt, 5, 0, &is_var))) {
        return hb_fail(ip, HB_ERR_MODEL, "tensor %u: malformed table", i);
    }
    if (shape.count > HB_MAX_DIMS) {
        return hb_fail(ip, HB_ERR_UNSUPPORTED, "tensor %u: rank %u exceeds %d", i, shape.count,
                       HB_MAX_DIMS);
    }
    if (is_var) {
        return hb_fail(ip, HB_ERR_UNSUPPORTED, "tensor %u: variable tensors are not supported", i);
    }
    if (hb_fb_table_field(fb, tt, 6, &sparsity) != HB_FB_ABSENT) {
        return hb_fail(ip, HB_ERR_UNSUPPORTED, "tensor %u: sparse tensors are not supported", i);
    }
    t->type = type;
    t->ndims = (uint8_t)shape.count;
    t->shape_pos = shape.pos;
    esize = hb_type_size(type);
    bytes = esize;
    for (k = 0; k < shape.count; k++) {
        const int32_t d = hb_rd_i32(fb->buf + shape.pos + 4u * k);
        if (d <= 0) {
            return hb_fail(ip, HB_ERR_UNSUPPORTED, "tensor %u: dimension %u is %d (dynamic or empty)",
                           i, k, d);
        }
        bytes *= (uint64_t)d;
        if (bytes > 0x7fffffffu) {
            return hb_fail(ip, HB_ERR_UNSUPPORTED, "tensor %u: more than 2 GiB", i);
        }
    }
    if (buffer < 0 || (uint32_t)buffer >= buffers->count) {
        if (buffer != 0) {
            return hb_fail(ip, HB_ERR_MODEL, "tensor %u: buffer %d of %u", i, buffer, buffers->count);
        }
    } else {
        hb_fb_vec data;
        uint64_t off = 0, size = 0;
        if (hb_fb_vec_table(fb, buffers, (uint32_t)buffer, &buf) != HB_FB_PRESENT ||
            !FB_OK(hb_fb_vec_field(fb, &buf, 0, 1, &data)) ||
            !FB_OK(hb_fb_u64(fb, &buf, 1, 0, &off)) || !FB_OK(hb_fb_u64(fb, &buf, 2, 0, &size))) {
            return hb_fail(ip, HB_ERR_MODEL, "tensor %u: bad buffer %d", i, buffer);
        }
        if (data.count > 0) {
            size = data.count;
            off = data.pos;
        } else if (size > 0 && (off <= 1 || off > fb->len || size > fb->len - off)) {
            return hb_fail(ip, HB_ERR_MODEL, "tensor %u: buffer %d lies outside the file", i, buffer);
        }
        if (size > 0) {
            if (esize == 0) {
                return hb_fail(ip, HB_ERR_UNSUPPORTED, "tensor %u: constant of type %s", i,
                               hb_type_name(type));
            }
            if (size != bytes) {
                return hb_fail(ip, HB_ERR_MODEL, "tensor %u: buffer holds %u bytes, shape needs %u",
                               i, (unsigned)size, (unsigned)bytes);
            }
            t->where = HB_AT_MODEL;
            t->data_off = (uint32_t)off;
        }
    }
    return parse_quant(ip, fb, tt, i, t);
}

static hb_status parse_io(hb_interpreter *ip, const hb_fb *fb, const hb_fb_vec *v, int32_t *dst,
                          uint32_t *n, const char *what)
{
    uint32_t k;
    if (v->count == 0 || v->count > HB_MAX_IO) {
        return hb_fail(ip, HB_ERR_UNSUPPORTED, "%u graph %ss (1 to %d supported)", v->count, what,
                       HB_MAX_IO);
    }
    for (k = 0; k < v->count; k++) {
        const int32_t idx = hb_rd_i32(fb->buf + v->pos + 4u * k);
        if (idx < 0 || (uint32_t)idx >= ip->n_tensors) {
            return hb_fail(ip, HB_ERR_MODEL, "graph %s %u is tensor %d of %u", what, k, idx,
                           ip->n_tensors);
        }
        dst[k] = idx;
    }
    *n = v->count;
    return HB_OK;
}

/* Row of a builtin operator (hb_op_row_at); -1 if unsupported. */
static int row_of_builtin(int32_t code)
{
    const hb_op_row *row;
    uint32_t r;
    for (r = 0; (row = hb_op_row_at(r)) != 0; r++) {
        if (row->builtin == code && code != HB_BUILTIN_CUSTOM) {
            return (int)r;
        }
    }
    return -1;
}

#define HB_NAME_MAX 48u

/* Printable copy of a flatbuffer string for messages, truncated to len - 1 bytes. */
static void copy_name(const hb_fb *fb, const hb_fb_vec *v, char *buf, uint32_t len)
{
    uint32_t k, n = v->count < len - 1u ? v->count : len - 1u;
    for (k = 0; k < n; k++) {
        const uint8_t ch = fb->buf[v->pos + k];
        buf[k] = (ch >= 0x20 && ch < 0x7f && ch != '%') ? (char)ch : '?';
    }
    buf[n] = '\0';
}

/* A CUSTOM operator: found among the op rows by its custom code (e.g. TFLite Micro's
 * "TFLM_DECODE"); others are refused by their custom code. */
static hb_status custom_row(hb_interpreter *ip, const hb_fb *fb, const hb_fb_table *code_t,
                            uint32_t i, int *row)
{
    hb_fb_vec name;
    char shown[HB_NAME_MAX + 1u];
    const hb_op_row *rw;
    uint32_t r;
    if (!FB_OK(hb_fb_vec_field(fb, code_t, 1, 1, &name))) {
        return hb_fail(ip, HB_ERR_MODEL, "operator %u: bad custom code", i);
    }
    for (r = 0; (rw = hb_op_row_at(r)) != 0; r++) {
        const char *n = rw->name;
        if (rw->builtin == HB_BUILTIN_CUSTOM && strlen(n) == name.count &&
            memcmp(fb->buf + name.pos, n, name.count) == 0) {
            *row = (int)r;
            return HB_OK;
        }
    }
    copy_name(fb, &name, shown, sizeof shown);
    return hb_fail(ip, HB_ERR_UNSUPPORTED, "operator %u: custom operator '%s' is not supported", i,
                   shown);
}

/* TFLM_DECODE: 2k inputs in (encoded, ancillary) pairs, k outputs (1 <= k <= 16). */
static hb_status parse_decode(hb_interpreter *ip, const hb_fb *fb, const hb_fb_vec *ins,
                              const hb_fb_vec *outs, uint32_t i, hb_op *op)
{
    uint32_t k;
    if (ins->count == 0 || (ins->count & 1u) != 0 || outs->count != ins->count / 2u) {
        return hb_fail(ip, HB_ERR_MODEL, "operator %u (TFLM_DECODE): %u inputs, %u outputs (needs "
                       "2k inputs and k outputs)", i, ins->count, outs->count);
    }
    if (ins->count > HB_MAX_OP_INPUTS) {
        return hb_fail(ip, HB_ERR_UNSUPPORTED, "operator %u (TFLM_DECODE): %u inputs exceed %d", i,
                       ins->count, HB_MAX_OP_INPUTS);
    }
    for (k = 0; k < ins->count; k++) {
        const int32_t idx = hb_rd_i32(fb->buf + ins->pos + 4u * k);
        if (idx < 0 || idx >= (int32_t)ip->n_tensors) {
            return hb_fail(ip, HB_ERR_MODEL, "operator %u (TFLM_DECODE): input %u is tensor %d of %u",
                           i, k, idx, ip->n_tensors);
        }
    }
    for (k = 0; k < outs->count; k++) {
        const int32_t idx = hb_rd_i32(fb->buf + outs->pos + 4u * k);
        if (idx < 0 || idx >= (int32_t)ip->n_tensors) {
            return hb_fail(ip, HB_ERR_MODEL, "operator %u (TFLM_DECODE): output %u is tensor %d of %u",
                           i, k, idx, ip->n_tensors);
        }
    }
    op->in_pos = ins->pos;
    op->n_in = (uint8_t)ins->count;
    op->out_pos = outs->pos;
    op->n_out = (uint8_t)outs->count; /* <= HB_MAX_OP_INPUTS / 2 */
    return HB_OK;
}

static hb_status parse_op(hb_interpreter *ip, const hb_fb *fb, const hb_fb_vec *codes,
                          const hb_fb_table *ot, uint32_t i, hb_op *op)
{
    hb_fb_vec ins, outs;
    hb_fb_table code_t, opt;
    int32_t opcode = 0, builtin = 0, out;
    uint8_t deprecated = 0;
    const char *name;
    uint32_t k;
    int row, rc;
    memset(op, 0, sizeof *op);
    if (!FB_OK(hb_fb_i32(fb, ot, 0, 0, &opcode)) || !FB_OK(hb_fb_vec_field(fb, ot, 1, 4, &ins)) ||
        !FB_OK(hb_fb_vec_field(fb, ot, 2, 4, &outs))) {
        return hb_fail(ip, HB_ERR_MODEL, "operator %u: malformed table", i);
    }
    if (opcode < 0 || (uint32_t)opcode >= codes->count ||
        hb_fb_vec_table(fb, codes, (uint32_t)opcode, &code_t) != HB_FB_PRESENT ||
        !FB_OK(hb_fb_u8(fb, &code_t, 0, 0, &deprecated)) ||
        !FB_OK(hb_fb_i32(fb, &code_t, 3, 0, &builtin))) {
        return hb_fail(ip, HB_ERR_MODEL, "operator %u: bad opcode index %d", i, opcode);
    }
    /* Newer files keep the code in builtin_code, older ones in the deprecated byte. */
    if ((int32_t)deprecated > builtin) {
        builtin = deprecated;
    }
    row = row_of_builtin(builtin);
    if (builtin == HB_BUILTIN_CUSTOM) {
        hb_status st = custom_row(ip, fb, &code_t, i, &row);
        if (st != HB_OK) {
            return st;
        }
    }
    if (row < 0) {
        return hb_fail(ip, HB_ERR_UNSUPPORTED, "operator %u: %s (builtin %d) is not supported", i,
                       hb_builtin_name(builtin), builtin);
    }
    if (row > 255) {
        return hb_fail(ip, HB_ERR_INTERNAL, "op table row %d does not fit hb_op.row", row);
    }
    op->row = (uint8_t)row;
    name = hb_row(op)->name;
    if (hb_row(op)->flags & HB_ROW_DECODE) {
        return parse_decode(ip, fb, &ins, &outs, i, op);
    }
    if (ins.count == 0 || ins.count > HB_MAX_OP_INPUTS || outs.count != 1) {
        return hb_fail(ip, HB_ERR_UNSUPPORTED, "operator %u (%s): %u inputs, %u outputs", i, name,
                       ins.count, outs.count);
    }
    for (k = 0; k < ins.count; k++) {
        const int32_t idx = hb_rd_i32(fb->buf + ins.pos + 4u * k);
        const int omitted_ok = (hb_row(op)->flags & HB_ROW_INPUTS_OPTIONAL) != 0u || k >= 2;
        if (idx < -1 || idx >= (int32_t)ip->n_tensors || (idx == -1 && !omitted_ok)) {
            return hb_fail(ip, HB_ERR_MODEL, "operator %u (%s): input %u is tensor %d of %u", i,
                           name, k, idx, ip->n_tensors);
        }
    }
    out = hb_rd_i32(fb->buf + outs.pos);
    if (out < 0 || (uint32_t)out >= ip->n_tensors) {
        return hb_fail(ip, HB_ERR_MODEL, "operator %u (%s): output is tensor %d of %u", i, name,
                       out, ip->n_tensors);
    }
    op->in_pos = ins.pos;
    op->n_in = (uint8_t)ins.count;
    op->out_pos = outs.pos;
    op->n_out = 1;
    rc = hb_fb_table_field(fb, ot, 4, &opt);
    if (rc == HB_FB_BAD) {
        return hb_fail(ip, HB_ERR_MODEL, "operator %u (%s): bad options table", i, name);
    }
    op->opt_pos = rc == HB_FB_PRESENT ? opt.pos : 0;
    return HB_OK;
}

/* HB_DECODE_IN_PLACE: output k (tensor idx) of DECODE op i is read in place if its pair has a
 * decode type the weight kernels read (LUT 0, N:M 202), it is no graph output and every reader is
 * a CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED reading it as its weights (input 1). */
static int read_in_place(hb_interpreter *ip, uint32_t i, const hb_op *op, uint32_t k, int32_t idx)
{
#if !HB_WITH_IN_PLACE
    (void)ip, (void)i, (void)op, (void)k, (void)idx;
    return 0;
#else
    const hb_tensor *anc = &hb_tensors(ip)[hb_op_in(ip, op, 2u * k + 1u)];
    const uint8_t *a = ip->model + anc->data_off;
    uint32_t j, n, readers = 0;
    if (hb_bytes(ip, anc) < 16u || (a[0] != 0u && a[0] != 202u)) {
        return 0;
    }
    for (j = 0; j < ip->n_outputs; j++) {
        if (ip->outputs[j] == idx) {
            return 0;
        }
    }
    for (j = i + 1u; j < ip->n_ops; j++) {
        const hb_op *r = &hb_ops(ip)[j];
        const int32_t code = hb_row(r)->builtin;
        for (n = 0; n < r->n_in; n++) {
            if (hb_op_in(ip, r, n) != idx) {
                continue;
            }
            if (n != 1u || (code != HB_BUILTIN_CONV_2D && code != HB_BUILTIN_DEPTHWISE_CONV_2D &&
                            code != HB_BUILTIN_FULLY_CONNECTED)) {
                return 0;
            }
            readers++;
        }
    }
    return readers > 0u;
#endif /* HB_WITH_IN_PLACE */
}

/* DECODE reads constant UINT8 tensors and writes tensors without data, which become constants
 * decoded at init (HB_AT_DECODED, never planned in the head) or, per layer, head tensors. */
static hb_status check_decode(hb_interpreter *ip, uint32_t i, hb_op *op)
{
    hb_tensor *ts = hb_tensors(ip);
    uint32_t k;
    for (k = 0; k < op->n_in; k++) {
        const hb_tensor *t = &ts[hb_op_in(ip, op, k)];
        if (t->where != HB_AT_MODEL || t->type != HB_TYPE_UINT8) {
            return hb_fail(ip, HB_ERR_MODEL, "operator %u (TFLM_DECODE): input %u (tensor %d) is not "
                           "a constant UINT8 tensor", i, k, hb_op_in(ip, op, k));
        }
    }
    for (k = 0; k < op->n_out; k++) {
        const int32_t idx = hb_op_out(ip, op, k);
        hb_tensor *o = &ts[idx];
        if (o->where != HB_AT_NONE || o->first >= 0) {
            return hb_fail(ip, HB_ERR_MODEL, "operator %u (TFLM_DECODE) writes tensor %d, which is %s",
                           i, idx, o->where == HB_AT_MODEL ? "constant" : "already written");
        }
        if (ip->decode_mode == HB_DECODE_IN_PLACE && read_in_place(ip, i, op, k, idx)) {
            o->where = HB_AT_ENCODED;
            o->data_off = i << 5 | k; /* the pair its consumers read (internal/hb_wsrc.h) */
        } else if (ip->decode_mode == HB_DECODE_PER_LAYER) {
            o->decoded = 1; /* planned in the head like an activation, from op i */
        } else {
            o->where = HB_AT_DECODED;
        }
        o->first = (int16_t)i;
        o->last = (int16_t)i;
    }
    return HB_OK;
}

void hb_tensor_name(const hb_interpreter *ip, int32_t idx, char *buf, uint32_t len)
{
    hb_fb fb;
    hb_fb_table root, sg, tt;
    hb_fb_vec subgraphs, tensors, name;
    fb.buf = ip->model;
    fb.len = ip->model_len;
    buf[0] = '?';
    buf[1] = '\0';
    if (len < 2u || idx < 0 || hb_fb_root(&fb, &root) != HB_FB_PRESENT ||
        !FB_OK(hb_fb_vec_field(&fb, &root, 2, 4, &subgraphs)) ||
        hb_fb_vec_table(&fb, &subgraphs, 0, &sg) != HB_FB_PRESENT ||
        !FB_OK(hb_fb_vec_field(&fb, &sg, 0, 4, &tensors)) ||
        hb_fb_vec_table(&fb, &tensors, (uint32_t)idx, &tt) != HB_FB_PRESENT ||
        hb_fb_vec_field(&fb, &tt, 3, 1, &name) != HB_FB_PRESENT) {
        return;
    }
    copy_name(&fb, &name, buf, len);
}

/* Order and lifetimes: inputs alive from op 0, outputs until the end; every activation an op
 * reads must already be written; nothing is written twice or written if constant. */
static hb_status check_graph(hb_interpreter *ip)
{
    hb_tensor *ts = hb_tensors(ip);
    hb_op *ops = hb_ops(ip);
    uint32_t i, k;
    for (k = 0; k < ip->n_inputs; k++) {
        hb_tensor *t = &ts[ip->inputs[k]];
        if (t->where == HB_AT_MODEL) {
            return hb_fail(ip, HB_ERR_MODEL, "graph input %u is a constant tensor", k);
        }
        t->first = 0;
        t->last = 0;
        t->is_io |= 1;
    }
    for (i = 0; i < ip->n_ops; i++) {
        hb_op *op = &ops[i];
        const int32_t out = hb_op_out(ip, op, 0);
        hb_tensor *o = &ts[out];
        if (hb_row(op)->flags & HB_ROW_DECODE) {
            const hb_status st = check_decode(ip, i, op);
            if (st != HB_OK) {
                return st;
            }
            continue;
        }
        for (k = 0; k < op->n_in; k++) {
            const int32_t idx = hb_op_in(ip, op, k);
            hb_tensor *t;
            if (idx < 0) {
                continue;
            }
            t = &ts[idx];
            if (t->where == HB_AT_MODEL) {
                continue;
            }
            if (t->first < 0) {
                return hb_fail(ip, HB_ERR_MODEL,
                               "operator %u (%s) reads tensor %d before any operator writes it "
                               "(cyclic or ill-ordered graph)",
                               i, hb_row(op)->name, idx);
            }
            t->last = (int16_t)i;
        }
        if (o->where == HB_AT_MODEL || o->first >= 0) {
            return hb_fail(ip, HB_ERR_MODEL, "operator %u (%s) writes tensor %d, which is %s", i,
                           hb_row(op)->name, out,
                           o->where == HB_AT_MODEL ? "constant" : "already written");
        }
        o->first = (int16_t)i;
        o->last = (int16_t)i;
    }
    for (k = 0; k < ip->n_outputs; k++) {
        hb_tensor *t = &ts[ip->outputs[k]];
        if (t->first < 0) {
            return hb_fail(ip, HB_ERR_MODEL, "graph output %u (tensor %d) is never written", k,
                           ip->outputs[k]);
        }
        t->last = (int16_t)ip->n_ops;
        t->is_io |= 2;
    }
    return HB_OK;
}

hb_status hb_parse_model(hb_interpreter *ip)
{
    hb_fb fb;
    hb_fb_table root, sg, tt;
    hb_fb_vec codes, subgraphs, buffers, tensors, ins, outs, ops;
    hb_status st;
    uint32_t i;
    fb.buf = ip->model;
    fb.len = ip->model_len;
    if (fb.len < 8 || memcmp(fb.buf + 4, "TFL3", 4) != 0) {
        return hb_fail(ip, HB_ERR_MODEL, "not a .tflite flatbuffer (no TFL3 identifier)");
    }
    if (hb_fb_root(&fb, &root) != HB_FB_PRESENT || !FB_OK(hb_fb_vec_field(&fb, &root, 1, 4, &codes)) ||
        !FB_OK(hb_fb_vec_field(&fb, &root, 2, 4, &subgraphs)) ||
        !FB_OK(hb_fb_vec_field(&fb, &root, 4, 4, &buffers))) {
        return hb_fail(ip, HB_ERR_MODEL, "malformed model table (truncated or bad offsets)");
    }
    if (subgraphs.count != 1) {
        return hb_fail(ip, subgraphs.count == 0 ? HB_ERR_MODEL : HB_ERR_UNSUPPORTED,
                       "%u subgraphs; only single-subgraph models are supported", subgraphs.count);
    }
    if (hb_fb_vec_table(&fb, &subgraphs, 0, &sg) != HB_FB_PRESENT ||
        !FB_OK(hb_fb_vec_field(&fb, &sg, 0, 4, &tensors)) ||
        !FB_OK(hb_fb_vec_field(&fb, &sg, 1, 4, &ins)) ||
        !FB_OK(hb_fb_vec_field(&fb, &sg, 2, 4, &outs)) ||
        !FB_OK(hb_fb_vec_field(&fb, &sg, 3, 4, &ops))) {
        return hb_fail(ip, HB_ERR_MODEL, "malformed subgraph table");
    }
    if (tensors.count > HB_MAX_TENSORS || ops.count > HB_MAX_OPS) {
        return hb_fail(ip, HB_ERR_UNSUPPORTED, "%u tensors / %u operators exceed the limits %d / %d",
                       tensors.count, ops.count, HB_MAX_TENSORS, HB_MAX_OPS);
    }
    if (ops.count == 0) {
        return hb_fail(ip, HB_ERR_MODEL, "the subgraph has no operators");
    }
    ip->n_tensors = tensors.count;
    ip->n_ops = ops.count;
    if (!hb_tail_alloc(ip, tensors.count * (uint32_t)sizeof(hb_tensor), &ip->tensors_off) ||
        !hb_tail_alloc(ip, ops.count * (uint32_t)sizeof(hb_op), &ip->ops_off)) {
        return ip->status;
    }
    for (i = 0; i < tensors.count; i++) {
        if (hb_fb_vec_table(&fb, &tensors, i, &tt) != HB_FB_PRESENT) {
            return hb_fail(ip, HB_ERR_MODEL, "tensor %u: bad offset", i);
        }
        st = parse_tensor(ip, &fb, &buffers, &tt, i, &hb_tensors(ip)[i]);
        if (st != HB_OK) {
            return st;
        }
    }
    st = parse_io(ip, &fb, &ins, ip->inputs, &ip->n_inputs, "input");
    if (st == HB_OK) {
        st = parse_io(ip, &fb, &outs, ip->outputs, &ip->n_outputs, "output");
    }
    if (st != HB_OK) {
        return st;
    }
    for (i = 0; i < ops.count; i++) {
        if (hb_fb_vec_table(&fb, &ops, i, &tt) != HB_FB_PRESENT) {
            return hb_fail(ip, HB_ERR_MODEL, "operator %u: bad offset", i);
        }
        st = parse_op(ip, &fb, &codes, &tt, i, &hb_ops(ip)[i]);
        if (st != HB_OK) {
            return st;
        }
    }
    return check_graph(ip);
}
