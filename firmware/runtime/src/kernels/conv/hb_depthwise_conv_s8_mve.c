/* DEPTHWISE_CONV_2D, Helium (MVE) path, depth multiplier 1 (any filter size, stride, dilation,
 * padding). Depth multiplier > 1 takes the plain C path (the MLPerf Tiny models and the zoo use 1).
 *
 * Per output row, the KH input rows its windows read (dilation applied) are copied into scratch,
 * padded left and right to the width the windows span; rows and columns outside the image hold the
 * input zero point (-input_offset). With folded = bias + input_offset * sum_taps(filter) those taps
 * add exactly 0, as the reference's skipped taps do, so the tap loops have no bounds checks:
 *   sum_valid w * (x + off) == sum_all w * x' + off * sum_all w, with x' = x or -off.
 * Channels go 16 at a time (four int32x4 accumulators sharing one address per tap), then 8, then
 * 4 at a time, the last partial group with predicated loads (no byte outside the tensors is read). MVE has no vector-by-vector integer MLA: each tap is widening
 * loads of input and filter bytes, VMUL, VADD. */
#include "internal/hb_kernels_c.h"
#include "internal/hb_kernels_mve.h"
#include "internal/hb_kpath.h"

#if HB_KPATH_MVE

#include "internal/hb_mve_gemm_s8.h"

/* Width of a padded row: every column some window of the output row touches. */
static int32_t hb_dw_row_width(const hb_conv_params *p, const hb_dims4 *filter_d,
                               const hb_dims4 *out_d)
{
    return (out_d->w - 1) * p->stride_w + (filter_d->w - 1) * p->dilation_w + 1;
}

int32_t hb_depthwise_conv_s8_mve_buffer_size(const hb_conv_params *p, const hb_dims4 *in_d, const
                                             hb_dims4 *filter_d, const hb_dims4 *out_d)
{
    if (p->depth_multiplier != 1) {
        return 0;
    }
    return (filter_d->h * hb_dw_row_width(p, filter_d, out_d) * in_d->c + 15) & ~15;
}

/* The KH padded input rows of output row oy of image b into buf, [KH, row_w, C]. */
static void hb_dw_rows(const hb_conv_params *p, const hb_dims4 *in_d, const int8_t *in_img,
                       const hb_dims4 *filter_d, int32_t oy, int32_t row_w, int8_t *buf)
{
    const int32_t ch = in_d->c, iy0 = oy * p->stride_h - p->pad_h;
    const int8_t zp = (int8_t)(-p->input_offset);
    /* Padded column j is input column j - pad_w; copy the columns inside both. */
    const int32_t j0 = p->pad_w < row_w ? p->pad_w : row_w;
    const int32_t j1 = p->pad_w + in_d->w < row_w ? p->pad_w + in_d->w : row_w;
    int32_t ky;
    for (ky = 0; ky < filter_d->h; ky++) {
        const int32_t iy = iy0 + ky * p->dilation_h;
        int8_t *dst = buf + ky * row_w * ch;
        if (iy < 0 || iy >= in_d->h || j1 <= j0) {
            hb_mve_fill_s8(dst, zp, row_w * ch);
            continue;
        }
        hb_mve_fill_s8(dst, zp, j0 * ch);
        hb_mve_copy_s8(dst + j0 * ch, in_img + (iy * in_d->w + (j0 - p->pad_w)) * ch, (j1 - j0) * ch);
        hb_mve_fill_s8(dst + j1 * ch, zp, (row_w - j1) * ch);
    }
}

/* Requantize, clamp and store 4 channels [c, c + 4) (lanes past the tensor are not stored). */
static inline __attribute__((always_inline)) void
hb_dw_store4(int32x4_t acc, const hb_mve_requant *q, int32_t c, mve_pred16_t lanes, int8_t *dst)
{
    int32x4_t m, left, neg_right;
    hb_mve_requant_lanes(q, c, lanes, &m, &left, &neg_right);
    acc = hb_mve_requant_s32(acc, m, left, neg_right, q->out_offset);
    acc = vmaxq_s32(acc, vdupq_n_s32(q->act_min));
    vstrbq_p_s32(dst + c, vminq_s32(acc, vdupq_n_s32(q->act_max)), lanes);
}

/* The same for 4 channels all inside the tensor (plain loads and store). */
static inline __attribute__((always_inline)) void
hb_dw_store4_full(int32x4_t acc, const hb_mve_requant *q, int32_t c, int8_t *dst)
{
    int32x4_t m, left, neg_right;
    hb_mve_requant_lanes4(q, c, &m, &left, &neg_right);
    acc = hb_mve_requant_s32(acc, m, left, neg_right, q->out_offset);
    acc = vmaxq_s32(acc, vdupq_n_s32(q->act_min));
    vstrbq_s32(dst + c, vminq_s32(acc, vdupq_n_s32(q->act_max)));
}

/* Four channel groups (16 channels) of one pixel over the whole window: per tap, widening loads
 * of 4 x 4 input and filter bytes at one address each (immediate offsets), 4 VMUL, 4 VADD.
 * Written in assembly because GCC 12 re-derives an address register per load here (25 instead
 * of 19 instructions per tap, measured). x: the window's top-left byte; col_step / row_adj: bytes
 * to the next tap in a row / from a row's end to the next row's start; w_step: filter tap stride. */
#define HB_DW_TAP4(off, acc)                                  \
    "vldrb.s32 %q[t0], [%[x], #" off "]\n\t"                 \
    "vldrb.s32 %q[t1], [%[w], #" off "]\n\t"                 \
    "vmul.i32 %q[t0], %q[t0], %q[t1]\n\t"                    \
    "vadd.i32 %q[" acc "], %q[" acc "], %q[t0]\n\t"

static inline __attribute__((always_inline)) void
hb_dw_window16(const int8_t *x, const int8_t *w, int32_t kh, int32_t kw, int32_t col_step,
               int32_t row_adj, int32_t w_step, int32x4_t *acc)
{
    int32x4_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3], t0, t1;
    int32_t rows = kh;
    __asm__ volatile("2:\n\t"
                     "dls lr, %[kw]\n\t"
                     "1:\n\t"
                     HB_DW_TAP4("0", "a0") HB_DW_TAP4("4", "a1") HB_DW_TAP4("8", "a2")
                     HB_DW_TAP4("12", "a3")
                     "add %[x], %[x], %[cs]\n\t"
                     "add %[w], %[w], %[ws]\n\t"
                     "le lr, 1b\n\t"
                     "add %[x], %[x], %[radj]\n\t"
                     "subs %[rows], %[rows], #1\n\t"
                     "bne 2b\n\t"
                     : [a0] "+w"(a0), [a1] "+w"(a1), [a2] "+w"(a2), [a3] "+w"(a3), [t0] "=&w"(t0),
                       [t1] "=&w"(t1), [x] "+r"(x), [w] "+r"(w), [rows] "+r"(rows)
                     : [kw] "r"(kw), [cs] "r"(col_step), [ws] "r"(w_step), [radj] "r"(row_adj)
                     : "lr", "cc", "memory");
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}

/* One channel group (4 channels) over the whole window: the same loop with one accumulator. */
static inline __attribute__((always_inline)) int32x4_t
hb_dw_window4(const int8_t *x, const int8_t *w, int32_t kh, int32_t kw, int32_t col_step,
              int32_t row_adj, int32_t w_step, int32x4_t a0)
{
    int32x4_t t0, t1;
    int32_t rows = kh;
    __asm__ volatile("2:\n\t"
                     "dls lr, %[kw]\n\t"
                     "1:\n\t"
                     HB_DW_TAP4("0", "a0")
                     "add %[x], %[x], %[cs]\n\t"
                     "add %[w], %[w], %[ws]\n\t"
                     "le lr, 1b\n\t"
                     "add %[x], %[x], %[radj]\n\t"
                     "subs %[rows], %[rows], #1\n\t"
                     "bne 2b\n\t"
                     : [a0] "+w"(a0), [t0] "=&w"(t0), [t1] "=&w"(t1), [x] "+r"(x), [w] "+r"(w),
                       [rows] "+r"(rows)
                     : [kw] "r"(kw), [cs] "r"(col_step), [ws] "r"(w_step), [radj] "r"(row_adj)
                     : "lr", "cc", "memory");
    return a0;
}

/* Two channel groups (8 channels): the same loop with two accumulators. */
static inline __attribute__((always_inline)) void
hb_dw_window8(const int8_t *x, const int8_t *w, int32_t kh, int32_t kw, int32_t col_step,
              int32_t row_adj, int32_t w_step, int32x4_t *acc)
{
    int32x4_t a0 = acc[0], a1 = acc[1], t0, t1;
    int32_t rows = kh;
    __asm__ volatile("2:\n\t"
                     "dls lr, %[kw]\n\t"
                     "1:\n\t"
                     HB_DW_TAP4("0", "a0") HB_DW_TAP4("4", "a1")
                     "add %[x], %[x], %[cs]\n\t"
                     "add %[w], %[w], %[ws]\n\t"
                     "le lr, 1b\n\t"
                     "add %[x], %[x], %[radj]\n\t"
                     "subs %[rows], %[rows], #1\n\t"
                     "bne 2b\n\t"
                     : [a0] "+w"(a0), [a1] "+w"(a1), [t0] "=&w"(t0), [t1] "=&w"(t1), [x] "+r"(x),
                       [w] "+r"(w), [rows] "+r"(rows)
                     : [kw] "r"(kw), [cs] "r"(col_step), [ws] "r"(w_step), [radj] "r"(row_adj)
                     : "lr", "cc", "memory");
    acc[0] = a0;
    acc[1] = a1;
}

/* One output pixel: x = its window's top-left byte in the padded rows for channel 0. */
static void hb_dw_pixel(const int8_t *x, int32_t ch, int32_t kh, int32_t kw, int32_t col_step,
                        int32_t row_step, const int8_t *filter, const int32_t *folded,
                        const hb_mve_requant *q, int8_t *dst)
{
    int32_t c = 0, ky, kx;
    for (; c + 16 <= ch; c += 16) {
        int32x4_t acc[4];
        acc[0] = vldrwq_s32(folded + c);
        acc[1] = vldrwq_s32(folded + c + 4);
        acc[2] = vldrwq_s32(folded + c + 8);
        acc[3] = vldrwq_s32(folded + c + 12);
        hb_dw_window16(x + c, filter + c, kh, kw, col_step, row_step - kw * col_step, ch, acc);
        hb_dw_store4_full(acc[0], q, c, dst);
        hb_dw_store4_full(acc[1], q, c + 4, dst);
        hb_dw_store4_full(acc[2], q, c + 8, dst);
        hb_dw_store4_full(acc[3], q, c + 12, dst);
    }
    if (c + 8 <= ch) {
        int32x4_t acc[2];
        acc[0] = vldrwq_s32(folded + c);
        acc[1] = vldrwq_s32(folded + c + 4);
        hb_dw_window8(x + c, filter + c, kh, kw, col_step, row_step - kw * col_step, ch, acc);
        hb_dw_store4_full(acc[0], q, c, dst);
        hb_dw_store4_full(acc[1], q, c + 4, dst);
        c += 8;
    }
    for (; c + 4 <= ch; c += 4) {
        const int32x4_t a = hb_dw_window4(x + c, filter + c, kh, kw, col_step,
                                          row_step - kw * col_step, ch, vldrwq_s32(folded + c));
        hb_dw_store4_full(a, q, c, dst);
    }
    for (; c < ch; c += 4) {
        const mve_pred16_t lanes = vctp32q((uint32_t)(ch - c));
        int32x4_t a = vldrwq_z_s32(folded + c, lanes);
        const int8_t *w = filter + c;
        for (ky = 0; ky < kh; ky++) {
            const int8_t *xp = x + ky * row_step + c;
            for (kx = 0; kx < kw; kx++) {
                a = vaddq_s32(a, vmulq_s32(vldrbq_z_s32(xp, lanes), vldrbq_z_s32(w, lanes)));
                xp += col_step;
                w += ch;
            }
        }
        hb_dw_store4(a, q, c, lanes, dst);
    }
}

void hb_depthwise_conv_s8_mve(const hb_scratch *scratch, const hb_conv_params *p, const int32_t
                              *mult, const int8_t *shift, const hb_dims4 *in_d, const int8_t *in,
                              const hb_dims4 *filter_d, const int8_t *filter, const int32_t *bias,
                              const int32_t *folded, const hb_dims4 *out_d, int8_t *out)
{
    const int32_t ch = in_d->c;
    const int32_t row_w = hb_dw_row_width(p, filter_d, out_d);
    const hb_mve_requant q = {mult, shift, 1, p->output_offset, p->act_min, p->act_max};
    int8_t *buf = (int8_t *)scratch->buf;
    int32_t b, oy, ox;
    if (p->depth_multiplier != 1 || folded == 0 || buf == 0 ||
        scratch->size < filter_d->h * row_w * ch) {
        hb_depthwise_conv_s8_c(scratch, p, mult, shift, in_d, in, filter_d, filter, bias, folded,
                               out_d, out);
        return;
    }
    for (b = 0; b < out_d->n; b++) {
        const int8_t *in_img = in + b * in_d->h * in_d->w * ch;
        for (oy = 0; oy < out_d->h; oy++) {
            int8_t *dst = out + (b * out_d->h + oy) * out_d->w * ch;
            hb_dw_rows(p, in_d, in_img, filter_d, oy, row_w, buf);
            for (ox = 0; ox < out_d->w; ox++) {
                hb_dw_pixel(buf + ox * p->stride_w * ch, ch, filter_d->h, filter_d->w,
                            p->dilation_w * ch, row_w * ch, filter, folded, &q, dst + ox * ch);
            }
        }
    }
}

#endif /* HB_KPATH_MVE */
