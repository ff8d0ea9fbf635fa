/* The DSP matrix core (see hb_dsp_gemm_s8.h). Blocks of 2 rows x 2 columns: per 4 depth steps
 * 4 word loads, 8 widenings and 8 SMLAD for 16 multiply-accumulates; each widened weight pair
 * serves two columns and each widened input pair two rows. Leftover rows, columns and depth
 * steps (depth % 4) take the narrower blocks below. */
#include "internal/hb_kpath.h"

#if HB_KPATH_DSP

#include "internal/hb_dsp_gemm_s8.h"
#include "internal/hb_dsp_simd.h"

/* acc[r][c] += sum_k w_r[k] * (x_c[k] + off), r, c in {0, 1}. */
static inline void dot_2x2(const int8_t *w0, const int8_t *w1, const int8_t *x0,
                           const int8_t *x1, int32_t depth, int32_t off, int32_t acc[4])
{
    const int16x2_t offp = hb_dsp_pack_offset(off);
    int32_t a00 = acc[0], a01 = acc[1], a10 = acc[2], a11 = acc[3];
    int32_t k;
    for (k = 0; k + 4 <= depth; k += 4) {
        const uint32_t wa = hb_dsp_ld4(w0 + k), wb = hb_dsp_ld4(w1 + k);
        const int16x2_t wa_e = __sxtb16((int8x4_t)wa), wa_o = hb_dsp_sxtb16_ror8(wa);
        const int16x2_t wb_e = __sxtb16((int8x4_t)wb), wb_o = hb_dsp_sxtb16_ror8(wb);
        uint32_t x = hb_dsp_ld4(x0 + k);
        int16x2_t x_e = __sxtab16(offp, (int8x4_t)x), x_o = hb_dsp_sxtab16_ror8(offp, x);
        a00 = __smlad(wa_e, x_e, a00);
        a00 = __smlad(wa_o, x_o, a00);
        a10 = __smlad(wb_e, x_e, a10);
        a10 = __smlad(wb_o, x_o, a10);
        x = hb_dsp_ld4(x1 + k);
        x_e = __sxtab16(offp, (int8x4_t)x);
        x_o = hb_dsp_sxtab16_ror8(offp, x);
        a01 = __smlad(wa_e, x_e, a01);
        a01 = __smlad(wa_o, x_o, a01);
        a11 = __smlad(wb_e, x_e, a11);
        a11 = __smlad(wb_o, x_o, a11);
    }
    for (; k < depth; k++) {
        const int32_t xa = x0[k] + off, xb = x1[k] + off;
        a00 = hb_wrap_add(a00, w0[k] * xa);
        a01 = hb_wrap_add(a01, w0[k] * xb);
        a10 = hb_wrap_add(a10, w1[k] * xa);
        a11 = hb_wrap_add(a11, w1[k] * xb);
    }
    acc[0] = a00;
    acc[1] = a01;
    acc[2] = a10;
    acc[3] = a11;
}

/* acc[0] += sum_k w0[k] * (x[k] + off), acc[1] the same with w1 (two rows, one column). */
static inline void dot_2x1(const int8_t *w0, const int8_t *w1, const int8_t *x0, int32_t depth,
                           int32_t off, int32_t acc[2])
{
    const int16x2_t offp = hb_dsp_pack_offset(off);
    int32_t a0 = acc[0], a1 = acc[1];
    int32_t k;
    for (k = 0; k + 4 <= depth; k += 4) {
        const uint32_t x = hb_dsp_ld4(x0 + k);
        const int16x2_t x_e = __sxtab16(offp, (int8x4_t)x), x_o = hb_dsp_sxtab16_ror8(offp, x);
        const uint32_t wa = hb_dsp_ld4(w0 + k), wb = hb_dsp_ld4(w1 + k);
        a0 = __smlad(__sxtb16((int8x4_t)wa), x_e, a0);
        a0 = __smlad(hb_dsp_sxtb16_ror8(wa), x_o, a0);
        a1 = __smlad(__sxtb16((int8x4_t)wb), x_e, a1);
        a1 = __smlad(hb_dsp_sxtb16_ror8(wb), x_o, a1);
    }
    for (; k < depth; k++) {
        const int32_t xa = x0[k] + off;
        a0 = hb_wrap_add(a0, w0[k] * xa);
        a1 = hb_wrap_add(a1, w1[k] * xa);
    }
    acc[0] = a0;
    acc[1] = a1;
}

/* One row, one column. */
static inline int32_t dot_1x1(const int8_t *w0, const int8_t *x0, int32_t depth, int32_t off,
                              int32_t acc)
{
    const int16x2_t offp = hb_dsp_pack_offset(off);
    int32_t k;
    for (k = 0; k + 4 <= depth; k += 4) {
        const uint32_t x = hb_dsp_ld4(x0 + k), w = hb_dsp_ld4(w0 + k);
        acc = __smlad(__sxtb16((int8x4_t)w), __sxtab16(offp, (int8x4_t)x), acc);
        acc = __smlad(hb_dsp_sxtb16_ror8(w), hb_dsp_sxtab16_ror8(offp, x), acc);
    }
    for (; k < depth; k++) {
        acc = hb_wrap_add(acc, w0[k] * (x0[k] + off));
    }
    return acc;
}

static inline int8_t emit(const hb_dsp_gemm *g, int32_t r, int32_t acc)
{
    const int32_t q = g->per_channel ? r : 0;
    return hb_dsp_out(acc, g->mult[q], g->shift[q], g->output_offset, g->act_min, g->act_max);
}

static inline int32_t bias_of(const hb_dsp_gemm *g, int32_t r)
{
    return g->bias != 0 ? g->bias[r] : 0;
}

void hb_dsp_gemm_s8(const hb_dsp_gemm *g, const int8_t *cols, int32_t n_cols, int32_t col_stride,
                    int8_t *out, int32_t out_stride)
{
    const int32_t depth = g->depth, off = g->input_offset;
    int32_t j, r;
    for (j = 0; j + 2 <= n_cols; j += 2) {
        const int8_t *x0 = cols + j * col_stride, *x1 = x0 + col_stride;
        int8_t *o0 = out + j * out_stride, *o1 = o0 + out_stride;
        for (r = 0; r + 2 <= g->rows; r += 2) {
            const int8_t *w0 = g->w + r * depth;
            int32_t acc[4];
            acc[0] = acc[1] = bias_of(g, r);
            acc[2] = acc[3] = bias_of(g, r + 1);
            dot_2x2(w0, w0 + depth, x0, x1, depth, off, acc);
            o0[r] = emit(g, r, acc[0]);
            o1[r] = emit(g, r, acc[1]);
            o0[r + 1] = emit(g, r + 1, acc[2]);
            o1[r + 1] = emit(g, r + 1, acc[3]);
        }
        if (r < g->rows) { /* odd row count: the last row against both columns */
            const int8_t *w0 = g->w + r * depth;
            o0[r] = emit(g, r, dot_1x1(w0, x0, depth, off, bias_of(g, r)));
            o1[r] = emit(g, r, dot_1x1(w0, x1, depth, off, bias_of(g, r)));
        }
    }
    if (j < n_cols) { /* odd column count: the last column against row pairs */
        const int8_t *x0 = cols + j * col_stride;
        int8_t *o0 = out + j * out_stride;
        for (r = 0; r + 2 <= g->rows; r += 2) {
            const int8_t *w0 = g->w + r * depth;
            int32_t acc[2];
            acc[0] = bias_of(g, r);
            acc[1] = bias_of(g, r + 1);
            dot_2x1(w0, w0 + depth, x0, depth, off, acc);
            o0[r] = emit(g, r, acc[0]);
            o0[r + 1] = emit(g, r + 1, acc[1]);
        }
        if (r < g->rows) {
            o0[r] = emit(g, r, dot_1x1(g->w + r * depth, x0, depth, off, bias_of(g, r)));
        }
    }
}

#endif /* HB_KPATH_DSP */
