/* The DSP matrix core (layout and contract in hb_dsp_gemm_s8.h).
 * Two rows x two columns: per 4 depth steps 2 weight loads, 4 weight widenings, 2 double-word
 * column loads and 8 SMLAD for 16 multiply-accumulates (CMSIS-NN's mat_mult_kernel_s8_s16 shape).
 * A single column (one FC batch, an odd last pixel) takes four rows at a time; leftover rows the
 * narrower blocks below. */
#include "internal/hb_kpath.h"

#if HB_KPATH_DSP

#include "internal/hb_dsp_gemm_s8.h"
#include "internal/hb_dsp_simd.h"

void hb_dsp_expand_col(const int8_t *src, int32_t depth, int32_t input_offset, int32_t n_cols,
                       int32_t j, int16_t *block)
{
    const int32_t n4 = depth / 4;
    hb_dsp_expand_run(src, 0, n4, input_offset, n_cols, j, block);
    if (depth & 3) { /* the last group, padded with the zero point: x + off = 0 there */
        int8_t last[4];
        int32_t t;
        for (t = 0; t < 4; t++) {
            last[t] = t < (depth & 3) ? src[n4 * 4 + t] : (int8_t)-input_offset;
        }
        hb_dsp_expand_run(last, n4, 1, input_offset, n_cols, j, block);
    }
}

/* Int16 slot of input 4*n4 + t (t < 4) of column j in the last group of a block: the group holds
 * [x0, x2] then [x1, x3] per column. */
#define HB_DSP_TAIL_SLOT(j, t) ((j) * 4 + ((t) & 1) * 2 + ((t) >> 1))

/* Two int16 pairs at p (8-byte aligned in the block): one LDRD. */
#define HB_DSP_LD_PAIRS(p, lo, hi)                                                                 \
    do {                                                                                           \
        lo = (int16x2_t)((const hb_dsp_word *)(const void *)(p))[0];                               \
        hi = (int16x2_t)((const hb_dsp_word *)(const void *)(p))[1];                               \
    } while (0)

/* One 4-step of the 2x2 block: rows w, w + depth; the interleaved column pair at x. */
#define HB_DSP_STEP_2X2(w, x, depth, a00, a01, a10, a11)                                           \
    do {                                                                                           \
        const uint32_t wa_ = hb_dsp_ld4(w), wb_ = hb_dsp_ld4((w) + (depth));                       \
        const int16x2_t wa_e_ = __sxtb16((int8x4_t)wa_), wa_o_ = hb_dsp_sxtb16_ror8(wa_);          \
        const int16x2_t wb_e_ = __sxtb16((int8x4_t)wb_), wb_o_ = hb_dsp_sxtb16_ror8(wb_);          \
        int16x2_t x_e_, x_o_;                                                                      \
        HB_DSP_LD_PAIRS(x, x_e_, x_o_);                                                            \
        a00 = __smlad(wa_e_, x_e_, a00);                                                           \
        a00 = __smlad(wa_o_, x_o_, a00);                                                           \
        a10 = __smlad(wb_e_, x_e_, a10);                                                           \
        a10 = __smlad(wb_o_, x_o_, a10);                                                           \
        HB_DSP_LD_PAIRS((x) + 4, x_e_, x_o_);                                                      \
        a01 = __smlad(wa_e_, x_e_, a01);                                                           \
        a01 = __smlad(wa_o_, x_o_, a01);                                                           \
        a11 = __smlad(wb_e_, x_e_, a11);                                                           \
        a11 = __smlad(wb_o_, x_o_, a11);                                                           \
    } while (0)

/* acc[r][j] += sum_k w_r[k] * col_j[k] for k < 4 * n4 + tail: rows w, w + depth (row stride),
 * a column pair at x. With tail = 0 and 4 * n4 > depth the zero-padded last group of the
 * columns meets the first bytes of the next row, adding 0: the caller checks they exist. */
static inline void dot_2x2(const int8_t *w, const int16_t *x, int32_t depth, int32_t n4,
                           int32_t tail, int32_t acc[4])
{
    int32_t a00 = acc[0], a01 = acc[1], a10 = acc[2], a11 = acc[3];
    const int8_t *const w_end8 = w + 8 * (n4 / 2);
    while (w != w_end8) { /* unrolled twice: the loop overhead is paid per 32 MACs */
        HB_DSP_STEP_2X2(w, x, depth, a00, a01, a10, a11);
        HB_DSP_STEP_2X2(w + 4, x + 8, depth, a00, a01, a10, a11);
        w += 8;
        x += 16;
    }
    if (n4 & 1) {
        HB_DSP_STEP_2X2(w, x, depth, a00, a01, a10, a11);
        w += 4;
        x += 8;
    }
    if (tail) {
        int32_t t;
        for (t = 0; t < tail; t++) {
            const int32_t x0 = x[HB_DSP_TAIL_SLOT(0, t)], x1 = x[HB_DSP_TAIL_SLOT(1, t)];
            a00 = hb_wrap_add(a00, w[t] * x0);
            a01 = hb_wrap_add(a01, w[t] * x1);
            a10 = hb_wrap_add(a10, w[depth + t] * x0);
            a11 = hb_wrap_add(a11, w[depth + t] * x1);
        }
    }
    acc[0] = a00;
    acc[1] = a01;
    acc[2] = a10;
    acc[3] = a11;
}

/* The same for one column at x. */
static inline void dot_2x1(const int8_t *w, const int16_t *x, int32_t depth, int32_t n4,
                           int32_t tail, int32_t acc[2])
{
    int32_t a0 = acc[0], a1 = acc[1];
    const int8_t *const w_end = w + 4 * n4;
    while (w != w_end) {
        const uint32_t wa = hb_dsp_ld4(w), wb = hb_dsp_ld4(w + depth);
        int16x2_t x_e, x_o;
        HB_DSP_LD_PAIRS(x, x_e, x_o);
        a0 = __smlad(__sxtb16((int8x4_t)wa), x_e, a0);
        a0 = __smlad(hb_dsp_sxtb16_ror8(wa), x_o, a0);
        a1 = __smlad(__sxtb16((int8x4_t)wb), x_e, a1);
        a1 = __smlad(hb_dsp_sxtb16_ror8(wb), x_o, a1);
        w += 4;
        x += 4;
    }
    if (tail) {
        int32_t t;
        for (t = 0; t < tail; t++) {
            const int32_t x0 = x[HB_DSP_TAIL_SLOT(0, t)];
            a0 = hb_wrap_add(a0, w[t] * x0);
            a1 = hb_wrap_add(a1, w[depth + t] * x0);
        }
    }
    acc[0] = a0;
    acc[1] = a1;
}

/* Four rows w + i * depth against one column at x (FULLY_CONNECTED with one batch): per 4 depth
 * steps 4 weight loads, 8 widenings, one double-word column load and 8 SMLAD. */
static inline void dot_4x1(const int8_t *w, const int16_t *x, int32_t depth, int32_t n4,
                           int32_t tail, int32_t acc[4])
{
    const int8_t *w2 = w + 2 * depth;
    int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
    const int8_t *const w_end = w + 4 * n4;
    while (w != w_end) {
        int16x2_t x_e, x_o;
        uint32_t v;
        HB_DSP_LD_PAIRS(x, x_e, x_o);
        v = hb_dsp_ld4(w);
        a0 = __smlad(__sxtb16((int8x4_t)v), x_e, a0);
        a0 = __smlad(hb_dsp_sxtb16_ror8(v), x_o, a0);
        v = hb_dsp_ld4(w + depth);
        a1 = __smlad(__sxtb16((int8x4_t)v), x_e, a1);
        a1 = __smlad(hb_dsp_sxtb16_ror8(v), x_o, a1);
        v = hb_dsp_ld4(w2);
        a2 = __smlad(__sxtb16((int8x4_t)v), x_e, a2);
        a2 = __smlad(hb_dsp_sxtb16_ror8(v), x_o, a2);
        v = hb_dsp_ld4(w2 + depth);
        a3 = __smlad(__sxtb16((int8x4_t)v), x_e, a3);
        a3 = __smlad(hb_dsp_sxtb16_ror8(v), x_o, a3);
        w += 4;
        w2 += 4;
        x += 4;
    }
    if (tail) {
        int32_t t;
        for (t = 0; t < tail; t++) {
            const int32_t x0 = x[HB_DSP_TAIL_SLOT(0, t)];
            a0 = hb_wrap_add(a0, w[t] * x0);
            a1 = hb_wrap_add(a1, w[depth + t] * x0);
            a2 = hb_wrap_add(a2, w2[t] * x0);
            a3 = hb_wrap_add(a3, w2[depth + t] * x0);
        }
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}

/* One row against column j of a block of n_cols (exact depth, the last row). */
static inline int32_t dot_1x1(const int8_t *w, const int16_t *x, int32_t depth, int32_t n_cols,
                              int32_t j, int32_t acc)
{
    const int8_t *const w_end = w + (depth & ~3);
    int32_t t;
    x += j * 4;
    while (w != w_end) {
        const uint32_t wv = hb_dsp_ld4(w);
        int16x2_t x_e, x_o;
        HB_DSP_LD_PAIRS(x, x_e, x_o);
        acc = __smlad(__sxtb16((int8x4_t)wv), x_e, acc);
        acc = __smlad(hb_dsp_sxtb16_ror8(wv), x_o, acc);
        w += 4;
        x += 4 * n_cols;
    }
    for (t = 0; t < (depth & 3); t++) {
        acc = hb_wrap_add(acc, w[t] * x[HB_DSP_TAIL_SLOT(0, t)]);
    }
    return acc;
}

/* GCC's pre-register-allocation scheduler hoists all loads of the unrolled block and then spills
 * accumulators to the stack; without it the block stays in registers. */
__attribute__((optimize("no-schedule-insns")))
void hb_dsp_gemm_s8(const hb_dsp_gemm *g, const int16_t *block, int32_t n_cols, int8_t *out)
{
    /* Copied to locals: the int8 output stores may alias anything, so fields read through g
     * would be reloaded after every store. */
    const int8_t *const w = g->w;
    const int32_t *const bias = g->bias, *const mult = g->mult;
    const int8_t *const shift = g->shift;
    const int32_t rows = g->rows, depth = g->depth, q_mask = g->per_channel ? -1 : 0;
    const int32_t out_off = g->output_offset, lo = g->act_min, hi = g->act_max;
    const int32_t n4_pad = (depth + 3) / 4, n4 = depth / 4, tail = depth & 3;
    int32_t r = 0;
    if (n_cols == 1) {
        for (; r + 4 <= rows; r += 4) {
            const int8_t *const wr = w + r * depth;
            const int32_t q0 = r & q_mask, q1 = (r + 1) & q_mask;
            const int32_t q2 = (r + 2) & q_mask, q3 = (r + 3) & q_mask;
            const int padded = (r + 3) * depth + 4 * n4_pad <= rows * depth;
            int32_t acc[4];
            int8_t o0, o1, o2, o3;
            acc[0] = bias != 0 ? bias[r] : 0;
            acc[1] = bias != 0 ? bias[r + 1] : 0;
            acc[2] = bias != 0 ? bias[r + 2] : 0;
            acc[3] = bias != 0 ? bias[r + 3] : 0;
            dot_4x1(wr, block, depth, padded ? n4_pad : n4, padded ? 0 : tail, acc);
            o0 = hb_dsp_out_ch(acc[0], mult[q0], shift[q0], out_off, lo, hi);
            o1 = hb_dsp_out_ch(acc[1], mult[q1], shift[q1], out_off, lo, hi);
            o2 = hb_dsp_out_ch(acc[2], mult[q2], shift[q2], out_off, lo, hi);
            o3 = hb_dsp_out_ch(acc[3], mult[q3], shift[q3], out_off, lo, hi);
            out[r] = o0;
            out[r + 1] = o1;
            out[r + 2] = o2;
            out[r + 3] = o3;
        }
    }
    for (; r + 2 <= rows; r += 2) {
        /* Channel constants are read before any int8 store, which could alias them. */
        const int8_t *const wr = w + r * depth;
        const int32_t q0 = r & q_mask, q1 = (r + 1) & q_mask;
        const int32_t b0 = bias != 0 ? bias[r] : 0, m0 = mult[q0], s0 = shift[q0];
        const int32_t b1 = bias != 0 ? bias[r + 1] : 0, m1 = mult[q1], s1 = shift[q1];
        /* Padded last group when the bytes it reads past row r + 1 are still filter rows. */
        const int padded = (r + 1) * depth + 4 * n4_pad <= rows * depth;
        if (n_cols == 2) {
            int32_t acc[4];
            int8_t o00, o01, o10, o11;
            acc[0] = acc[1] = b0;
            acc[2] = acc[3] = b1;
            dot_2x2(wr, block, depth, padded ? n4_pad : n4, padded ? 0 : tail, acc);
            {
                const hb_dsp_rq rq0 = hb_dsp_rq_make(m0, s0, out_off);
                const hb_dsp_rq rq1 = hb_dsp_rq_make(m1, s1, out_off);
                if (hb_dsp_rq_fast(&rq0) && hb_dsp_rq_fast(&rq1)) {
                    o00 = hb_dsp_out_fast(acc[0], &rq0, lo, hi);
                    o01 = hb_dsp_out_fast(acc[1], &rq0, lo, hi);
                    o10 = hb_dsp_out_fast(acc[2], &rq1, lo, hi);
                    o11 = hb_dsp_out_fast(acc[3], &rq1, lo, hi);
                } else {
                    o00 = hb_dsp_out(acc[0], m0, s0, out_off, lo, hi);
                    o01 = hb_dsp_out(acc[1], m0, s0, out_off, lo, hi);
                    o10 = hb_dsp_out(acc[2], m1, s1, out_off, lo, hi);
                    o11 = hb_dsp_out(acc[3], m1, s1, out_off, lo, hi);
                }
            }
            out[r] = o00;
            out[r + 1] = o10;
            out[rows + r] = o01;
            out[rows + r + 1] = o11;
        } else {
            int32_t acc[2];
            int8_t o00, o10;
            acc[0] = b0;
            acc[1] = b1;
            dot_2x1(wr, block, depth, padded ? n4_pad : n4, padded ? 0 : tail, acc);
            o00 = hb_dsp_out_ch(acc[0], m0, s0, out_off, lo, hi);
            o10 = hb_dsp_out_ch(acc[1], m1, s1, out_off, lo, hi);
            out[r] = o00;
            out[r + 1] = o10;
        }
    }
    if (r < rows) { /* odd row count: the last row against each column */
        const int8_t *const wr = w + r * depth;
        const int32_t q0 = r & q_mask;
        const int32_t b0 = bias != 0 ? bias[r] : 0, m0 = mult[q0], s0 = shift[q0];
        int32_t j;
        for (j = 0; j < n_cols; j++) {
            out[j * rows + r] = hb_dsp_out_ch(dot_1x1(wr, block, depth, n_cols, j, b0), m0, s0, out_off,
                                     lo, hi);
        }
    }
}

/* acc[r][j] += sum_k w_r[k] * (x_j[k] + off) for raw int8 columns: rows w, w + depth, columns
 * x, x + depth (one stride for both). */
static inline void dot8_2x2(const int8_t *w, const int8_t *x, int32_t depth, int16x2_t offp,
                            int32_t acc[4])
{
    int32_t a00 = acc[0], a01 = acc[1], a10 = acc[2], a11 = acc[3];
    const int8_t *const w_end = w + (depth & ~3);
    int32_t t;
    while (w != w_end) {
        uint32_t v = hb_dsp_ld4(w);
        const int16x2_t wa_e = __sxtb16((int8x4_t)v), wa_o = hb_dsp_sxtb16_ror8(v);
        int16x2_t x_e, x_o, wb_e, wb_o;
        v = hb_dsp_ld4(x);
        x_e = __sxtab16(offp, (int8x4_t)v);
        x_o = hb_dsp_sxtab16_ror8(offp, v);
        a00 = __smlad(wa_e, x_e, a00);
        a00 = __smlad(wa_o, x_o, a00);
        v = hb_dsp_ld4(w + depth);
        wb_e = __sxtb16((int8x4_t)v);
        wb_o = hb_dsp_sxtb16_ror8(v);
        a10 = __smlad(wb_e, x_e, a10);
        a10 = __smlad(wb_o, x_o, a10);
        v = hb_dsp_ld4(x + depth);
        x_e = __sxtab16(offp, (int8x4_t)v);
        x_o = hb_dsp_sxtab16_ror8(offp, v);
        a01 = __smlad(wa_e, x_e, a01);
        a01 = __smlad(wa_o, x_o, a01);
        a11 = __smlad(wb_e, x_e, a11);
        a11 = __smlad(wb_o, x_o, a11);
        w += 4;
        x += 4;
    }
    for (t = 0; t < (depth & 3); t++) {
        const int32_t off = (int16_t)offp, xa = x[t] + off, xb = x[depth + t] + off;
        a00 = hb_wrap_add(a00, w[t] * xa);
        a01 = hb_wrap_add(a01, w[t] * xb);
        a10 = hb_wrap_add(a10, w[depth + t] * xa);
        a11 = hb_wrap_add(a11, w[depth + t] * xb);
    }
    acc[0] = a00;
    acc[1] = a01;
    acc[2] = a10;
    acc[3] = a11;
}

/* acc[j] += sum_k w[k] * (x_j[k] + off) for one row and n (1 or 2) columns x, x + depth. */
static inline void dot8_1xn(const int8_t *w, const int8_t *x, int32_t depth, int32_t n,
                            int16x2_t offp, int32_t acc[2])
{
    const int32_t off = (int16_t)offp;
    int32_t j, k;
    for (j = 0; j < n; j++, x += depth) {
        int32_t a = acc[j];
        for (k = 0; k + 4 <= depth; k += 4) {
            const uint32_t xv = hb_dsp_ld4(x + k), wv = hb_dsp_ld4(w + k);
            a = __smlad(__sxtb16((int8x4_t)wv), __sxtab16(offp, (int8x4_t)xv), a);
            a = __smlad(hb_dsp_sxtb16_ror8(wv), hb_dsp_sxtab16_ror8(offp, xv), a);
        }
        for (; k < depth; k++) {
            a = hb_wrap_add(a, w[k] * (x[k] + off));
        }
        acc[j] = a;
    }
}

__attribute__((optimize("no-schedule-insns")))
void hb_dsp_gemm_s8_direct(const hb_dsp_gemm *g, const int8_t *cols, int32_t n_cols,
                           int32_t input_offset, int8_t *out)
{
    const int8_t *const w = g->w;
    const int32_t *const bias = g->bias, *const mult = g->mult;
    const int8_t *const shift = g->shift;
    const int32_t rows = g->rows, depth = g->depth, q_mask = g->per_channel ? -1 : 0;
    const int32_t out_off = g->output_offset, lo = g->act_min, hi = g->act_max;
    const int16x2_t offp = hb_dsp_pack_offset(input_offset);
    int32_t r, j;
    for (r = 0; r < rows; r += 2) {
        const int32_t pair = r + 1 < rows, r1 = pair ? r + 1 : r;
        const int8_t *const wr = w + r * depth;
        const int32_t m0 = mult[r & q_mask], s0 = shift[r & q_mask];
        const int32_t m1 = mult[r1 & q_mask], s1 = shift[r1 & q_mask];
        const int32_t b0 = bias != 0 ? bias[r] : 0, b1 = bias != 0 ? bias[r1] : 0;
        const hb_dsp_rq rq0 = hb_dsp_rq_make(m0, s0, out_off);
        const hb_dsp_rq rq1 = hb_dsp_rq_make(m1, s1, out_off);
        const int fast = hb_dsp_rq_fast(&rq0) && hb_dsp_rq_fast(&rq1);
        const int8_t *x = cols;
        int8_t *o = out + r;
        for (j = 0; j < n_cols; j += 2, x += 2 * depth, o += 2 * rows) {
            const int32_t n = j + 1 < n_cols ? 2 : 1;
            int32_t acc[4];
            int8_t o00, o01, o10, o11;
            acc[0] = acc[1] = b0;
            acc[2] = acc[3] = b1;
            if (pair && n == 2) {
                dot8_2x2(wr, x, depth, offp, acc);
            } else {
                dot8_1xn(wr, x, depth, n, offp, acc);
                if (pair) {
                    dot8_1xn(wr + depth, x, depth, n, offp, acc + 2);
                }
            }
            if (fast) {
                o00 = hb_dsp_out_fast(acc[0], &rq0, lo, hi);
                o01 = hb_dsp_out_fast(acc[1], &rq0, lo, hi);
                o10 = hb_dsp_out_fast(acc[2], &rq1, lo, hi);
                o11 = hb_dsp_out_fast(acc[3], &rq1, lo, hi);
            } else {
                o00 = hb_dsp_out(acc[0], m0, s0, out_off, lo, hi);
                o01 = hb_dsp_out(acc[1], m0, s0, out_off, lo, hi);
                o10 = hb_dsp_out(acc[2], m1, s1, out_off, lo, hi);
                o11 = hb_dsp_out(acc[3], m1, s1, out_off, lo, hi);
            }
            o[0] = o00;
            if (pair) {
                o[1] = o10;
            }
            if (n == 2) {
                o[rows] = o01;
                if (pair) {
                    o[rows + 1] = o11;
                }
            }
        }
    }
}

#endif /* HB_KPATH_DSP */
