/* The DSP matrix core (see hb_dsp_gemm_s8.h). Blocks of 2 rows x 2 columns: per 4 depth steps
 * 4 word loads, 8 widenings and 8 SMLAD for 16 multiply-accumulates; each widened weight pair
 * serves two columns and each widened input pair two rows. Leftover rows, columns and depth
 * steps (depth % 4) take the narrower blocks below. */
#include "internal/hb_kpath.h"

#if HB_KPATH_DSP

#include "internal/hb_dsp_gemm_s8.h"
#include "internal/hb_dsp_simd.h"

/* acc[r][c] += sum_k w_r[k] * (x_c[k] + off), r, c in {0, 1}, with w_1 = w_0 + depth and
 * x_1 = x_0 + depth: one stride for both keeps the 14 usable registers enough for 4 accumulators,
 * 6 widened operands, 2 pointers, the stride and the offset. */
/* The 2x2 block over 4 depth steps at w, x (see dot_2x2). */
#define HB_DSP_STEP_2X2(w, x, depth, offp, a00, a01, a10, a11)                                    \
    do {                                                                                           \
        uint32_t v_ = hb_dsp_ld4(w);                                                               \
        const int16x2_t wa_e_ = __sxtb16((int8x4_t)v_), wa_o_ = hb_dsp_sxtb16_ror8(v_);            \
        int16x2_t x_e_, x_o_, wb_e_, wb_o_;                                                        \
        v_ = hb_dsp_ld4(x);                                                                        \
        x_e_ = __sxtab16(offp, (int8x4_t)v_);                                                      \
        x_o_ = hb_dsp_sxtab16_ror8(offp, v_);                                                      \
        a00 = __smlad(wa_e_, x_e_, a00);                                                           \
        a00 = __smlad(wa_o_, x_o_, a00);                                                           \
        v_ = hb_dsp_ld4((w) + (depth));                                                            \
        wb_e_ = __sxtb16((int8x4_t)v_);                                                            \
        wb_o_ = hb_dsp_sxtb16_ror8(v_);                                                            \
        a10 = __smlad(wb_e_, x_e_, a10);                                                           \
        a10 = __smlad(wb_o_, x_o_, a10);                                                           \
        v_ = hb_dsp_ld4((x) + (depth));                                                            \
        x_e_ = __sxtab16(offp, (int8x4_t)v_);                                                      \
        x_o_ = hb_dsp_sxtab16_ror8(offp, v_);                                                      \
        a01 = __smlad(wa_e_, x_e_, a01);                                                           \
        a01 = __smlad(wa_o_, x_o_, a01);                                                           \
        a11 = __smlad(wb_e_, x_e_, a11);                                                           \
        a11 = __smlad(wb_o_, x_o_, a11);                                                           \
    } while (0)

static inline void dot_2x2(const int8_t *w, const int8_t *x, int32_t depth, int16x2_t offp,
                           int32_t acc[4])
{
    int32_t a00 = acc[0], a01 = acc[1], a10 = acc[2], a11 = acc[3];
    const int8_t *const w_end8 = w + (depth & ~7);
    while (w != w_end8) { /* unrolled twice: the loop overhead is paid per 32 MACs */
        HB_DSP_STEP_2X2(w, x, depth, offp, a00, a01, a10, a11);
        HB_DSP_STEP_2X2(w + 4, x + 4, depth, offp, a00, a01, a10, a11);
        w += 8;
        x += 8;
    }
    if (depth & 4) {
        HB_DSP_STEP_2X2(w, x, depth, offp, a00, a01, a10, a11);
        w += 4;
        x += 4;
    }
    if (depth & 3) {
        const int32_t off = (int16_t)offp;
        int32_t k;
        for (k = 0; k < (depth & 3); k++) {
            const int32_t xa = x[k] + off, xb = x[depth + k] + off;
            a00 = hb_wrap_add(a00, w[k] * xa);
            a01 = hb_wrap_add(a01, w[k] * xb);
            a10 = hb_wrap_add(a10, w[depth + k] * xa);
            a11 = hb_wrap_add(a11, w[depth + k] * xb);
        }
    }
    acc[0] = a00;
    acc[1] = a01;
    acc[2] = a10;
    acc[3] = a11;
}

/* acc[r] += sum_k w_r[k] * (x[k] + off), r in {0, 1}, w_1 = w_0 + depth (two rows, one column). */
static inline void dot_2x1(const int8_t *w, const int8_t *x, int32_t depth, int16x2_t offp,
                           int32_t acc[2])
{
    int32_t a0 = acc[0], a1 = acc[1];
    const int8_t *const w_end = w + (depth & ~3);
    while (w != w_end) {
        const uint32_t xv = hb_dsp_ld4(x), wa = hb_dsp_ld4(w), wb = hb_dsp_ld4(w + depth);
        const int16x2_t x_e = __sxtab16(offp, (int8x4_t)xv), x_o = hb_dsp_sxtab16_ror8(offp, xv);
        a0 = __smlad(__sxtb16((int8x4_t)wa), x_e, a0);
        a0 = __smlad(hb_dsp_sxtb16_ror8(wa), x_o, a0);
        a1 = __smlad(__sxtb16((int8x4_t)wb), x_e, a1);
        a1 = __smlad(hb_dsp_sxtb16_ror8(wb), x_o, a1);
        w += 4;
        x += 4;
    }
    if (depth & 3) {
        const int32_t off = (int16_t)offp;
        int32_t k;
        for (k = 0; k < (depth & 3); k++) {
            const int32_t xa = x[k] + off;
            a0 = hb_wrap_add(a0, w[k] * xa);
            a1 = hb_wrap_add(a1, w[depth + k] * xa);
        }
    }
    acc[0] = a0;
    acc[1] = a1;
}

/* One row, one column. */
static inline int32_t dot_1x1(const int8_t *w, const int8_t *x, int32_t depth, int16x2_t offp,
                              int32_t acc)
{
    const int32_t off = (int16_t)offp;
    int32_t k;
    for (k = 0; k + 4 <= depth; k += 4) {
        const uint32_t xv = hb_dsp_ld4(x + k), wv = hb_dsp_ld4(w + k);
        acc = __smlad(__sxtb16((int8x4_t)wv), __sxtab16(offp, (int8x4_t)xv), acc);
        acc = __smlad(hb_dsp_sxtb16_ror8(wv), hb_dsp_sxtab16_ror8(offp, xv), acc);
    }
    for (; k < depth; k++) {
        acc = hb_wrap_add(acc, w[k] * (x[k] + off));
    }
    return acc;
}

/* GCC's pre-register-allocation scheduler hoists all loads of the unrolled block and then spills
 * accumulators to the stack; without it the block stays in registers. */
__attribute__((optimize("no-schedule-insns")))
void hb_dsp_gemm_s8(const hb_dsp_gemm *g, const int8_t *cols, int32_t n_cols, int8_t *out)
{
    /* Copied to locals: the int8 output stores may alias anything, so fields read through g
     * would be reloaded after every store. */
    const int8_t *const w = g->w;
    const int32_t *const bias = g->bias, *const mult = g->mult;
    const int8_t *const shift = g->shift;
    const int32_t rows = g->rows, depth = g->depth, q_mask = g->per_channel ? -1 : 0;
    const int32_t out_off = g->output_offset, lo = g->act_min, hi = g->act_max;
    const int16x2_t offp = hb_dsp_pack_offset(g->input_offset);
    int32_t j, r;
    for (j = 0; j < n_cols; j += 2, cols += 2 * depth, out += 2 * rows) {
        const int pair = j + 1 < n_cols;
        for (r = 0; r < rows; r += 2) {
            /* Channel constants are read before any int8 store, which could alias them. */
            const int8_t *const wr = w + r * depth;
            const int32_t q0 = r & q_mask;
            const int32_t b0 = bias != 0 ? bias[r] : 0, m0 = mult[q0], s0 = shift[q0];
            if (r + 1 < rows) {
                const int32_t q1 = (r + 1) & q_mask;
                const int32_t b1 = bias != 0 ? bias[r + 1] : 0, m1 = mult[q1], s1 = shift[q1];
                if (pair) {
                    int32_t acc[4];
                    int8_t o00, o01, o10, o11;
                    acc[0] = acc[1] = b0;
                    acc[2] = acc[3] = b1;
                    dot_2x2(wr, cols, depth, offp, acc);
                    o00 = hb_dsp_out(acc[0], m0, s0, out_off, lo, hi);
                    o01 = hb_dsp_out(acc[1], m0, s0, out_off, lo, hi);
                    o10 = hb_dsp_out(acc[2], m1, s1, out_off, lo, hi);
                    o11 = hb_dsp_out(acc[3], m1, s1, out_off, lo, hi);
                    out[r] = o00;
                    out[r + 1] = o10;
                    out[rows + r] = o01;
                    out[rows + r + 1] = o11;
                } else {
                    int32_t acc[2];
                    int8_t o00, o10;
                    acc[0] = b0;
                    acc[1] = b1;
                    dot_2x1(wr, cols, depth, offp, acc);
                    o00 = hb_dsp_out(acc[0], m0, s0, out_off, lo, hi);
                    o10 = hb_dsp_out(acc[1], m1, s1, out_off, lo, hi);
                    out[r] = o00;
                    out[r + 1] = o10;
                }
            } else { /* odd row count: the last row against one or two columns */
                const int8_t o00 = hb_dsp_out(dot_1x1(wr, cols, depth, offp, b0), m0, s0, out_off,
                                              lo, hi);
                if (pair) {
                    out[rows + r] = hb_dsp_out(dot_1x1(wr, cols + depth, depth, offp, b0), m0, s0,
                                               out_off, lo, hi);
                }
                out[r] = o00;
            }
        }
    }
}

#endif /* HB_KPATH_DSP */
