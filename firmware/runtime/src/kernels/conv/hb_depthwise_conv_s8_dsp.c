/* DEPTHWISE_CONV_2D, Arm DSP extension path (Cortex-M4/M7/M33). No scratch, no folded bias.
 * Per output pixel only the taps inside the image are visited (the clipped window is computed
 * once per pixel, as the reference skips the others), so no padding value is needed.
 * - depth multiplier 1: four channels at a time. Input bytes x[c..c+3] of a tap and filter bytes
 *   w[c..c+3] are contiguous (NHWC, filter [1,KH,KW,C]); widened to [x0+o, x2+o], [x1+o, x3+o]
 *   (sxtab16) and [w0, w2], [w1, w3] (sxtb16), each channel is one SMLABB / SMLATT: 2 loads,
 *   4 widenings and 4 multiply-accumulates per tap and 4 channels. Filters 3 wide (dilation 1 along
 *   x) have their rows unrolled, any other size, stride or dilation takes the generic tap loop.
 *   Channels go in chunks of HB_DW_CHUNK whose requantization constants are prepared once for
 *   all pixels.
 * - depth multiplier > 1: output channel ic*M + m, one input byte feeds M outputs; scalar. */
#include "internal/hb_kernels_dsp.h"
#include "internal/hb_kpath.h"

#if HB_KPATH_DSP

#include "internal/hb_dsp_simd.h"

#define HB_DW_CHUNK 16 /* channels per chunk: 16 hb_dsp_rq (256 bytes) on the stack */

int32_t hb_depthwise_conv_s8_dsp_buffer_size(const hb_conv_params *p, const hb_dims4 *in_d, const
                                             hb_dims4 *filter_d, const hb_dims4 *out_d)
{
    (void)p;
    (void)in_d;
    (void)filter_d;
    (void)out_d;
    return 0;
}

/* Taps k in [*lo, *hi) with 0 <= start + dil * k < size, for k < taps. */
static void tap_range(int32_t start, int32_t dil, int32_t taps, int32_t size, int32_t *lo,
                      int32_t *hi)
{
    int32_t a = start < 0 ? (-start + dil - 1) / dil : 0;
    int32_t z = size > start ? (size - start + dil - 1) / dil : 0;
    a = a > taps ? taps : a;
    z = z > taps ? taps : (z < a ? a : z);
    *lo = a;
    *hi = z;
}

/* The in-image taps of one output pixel. */
typedef struct window {
    const int8_t *in;      /* input at the first in-image tap, channel 0 */
    const int8_t *filter;  /* filter at that tap, channel 0 */
    int32_t rows, cols;    /* in-image taps */
    int32_t in_step_x, in_step_y, f_step_y; /* bytes between taps; filter x step is the depth */
} window;

/* Channels [c0, c0 + n) of a depth-multiplier-1 layer: constants shared by all pixels. */
typedef struct chunk {
    int32_t c0, n;
    int32_t bias[HB_DW_CHUNK];
    hb_dsp_rq rq[HB_DW_CHUNK];
    const int32_t *mult;   /* for channels whose shift needs the plain step */
    const int8_t *shift;
    int32_t out_off, lo, hi;
    int all_fast; /* every channel takes hb_dsp_out_fast */
} chunk;

static void chunk_init(chunk *k, int32_t c0, int32_t n, const hb_conv_params *p,
                       const int32_t *bias, const int32_t *mult, const int8_t *shift)
{
    int32_t i;
    k->c0 = c0;
    k->n = n;
    k->mult = mult;
    k->shift = shift;
    k->out_off = p->output_offset;
    k->lo = p->act_min;
    k->hi = p->act_max;
    k->all_fast = 1;
    for (i = 0; i < n; i++) {
        k->bias[i] = bias != 0 ? bias[c0 + i] : 0;
        k->rq[i] = hb_dsp_rq_make(mult[c0 + i], shift[c0 + i], p->output_offset);
        k->all_fast &= hb_dsp_rq_fast(&k->rq[i]);
    }
}

/* Output byte of chunk channel i. */
static inline int8_t chunk_out(const chunk *k, int32_t i, int32_t acc)
{
    const hb_dsp_rq *q = &k->rq[i];
    return hb_dsp_rq_fast(q) ? hb_dsp_out_fast(acc, q, k->lo, k->hi)
                             : hb_dsp_out(acc, k->mult[k->c0 + i], k->shift[k->c0 + i],
                                          k->out_off, k->lo, k->hi);
}

/* One tap for 4 channels: x, w words -> acc[c] += w_c * (x_c + off) (SMLABB/SMLATT per channel). */
#define HB_DW_TAP4(xv, wv, offp, a0, a1, a2, a3)                                                   \
    do {                                                                                           \
        const uint32_t xv_ = (xv), wv_ = (wv);                                                     \
        const int16x2_t x_e_ = __sxtab16(offp, (int8x4_t)xv_);                                     \
        const int16x2_t w_e_ = __sxtb16((int8x4_t)wv_);                                            \
        int16x2_t x_o_, w_o_;                                                                      \
        a0 = __smlabb(x_e_, w_e_, a0);                                                             \
        a2 = __smlatt(x_e_, w_e_, a2);                                                             \
        x_o_ = hb_dsp_sxtab16_ror8(offp, xv_);                                                     \
        w_o_ = hb_dsp_sxtb16_ror8(wv_);                                                            \
        a1 = __smlabb(x_o_, w_o_, a1);                                                             \
        a3 = __smlatt(x_o_, w_o_, a3);                                                             \
    } while (0)

/* Requantize and store 4 accumulators of chunk channels i..i+3 (all computed before the
 * stores, which could alias the chunk). */
static inline void store4(const chunk *k, int32_t i, int8_t *out, int32_t a0, int32_t a1,
                          int32_t a2, int32_t a3)
{
    int8_t o0, o1, o2, o3;
    if (k->all_fast) {
        const int32_t lo = k->lo, hi = k->hi;
        o0 = hb_dsp_out_fast(a0, &k->rq[i], lo, hi);
        o1 = hb_dsp_out_fast(a1, &k->rq[i + 1], lo, hi);
        o2 = hb_dsp_out_fast(a2, &k->rq[i + 2], lo, hi);
        o3 = hb_dsp_out_fast(a3, &k->rq[i + 3], lo, hi);
    } else {
        o0 = chunk_out(k, i, a0);
        o1 = chunk_out(k, i + 1, a1);
        o2 = chunk_out(k, i + 2, a2);
        o3 = chunk_out(k, i + 3, a3);
    }
    out[0] = o0;
    out[1] = o1;
    out[2] = o2;
    out[3] = o3;
}

/* Filter 3x3, dilation 1 along x, all 9 taps in the image (interior pixels): fully unrolled. */
__attribute__((optimize("no-schedule-insns")))
static void pixel_3x3(const window *win, int32_t cin, int32_t input_offset, const chunk *k,
                      int8_t *out)
{
    const int16x2_t offp = hb_dsp_pack_offset(input_offset);
    const int32_t c2 = 2 * cin, in_row = win->in_step_y, n = k->n;
    const int8_t *const in0 = win->in + k->c0, *const f0 = win->filter + k->c0;
    int8_t *const o = out + k->c0;
    int32_t i;
    for (i = 0; i + 4 <= n; i += 4) {
        const int8_t *ip = in0 + i, *fp = f0 + i;
        int32_t a0 = k->bias[i], a1 = k->bias[i + 1], a2 = k->bias[i + 2], a3 = k->bias[i + 3];
        HB_DW_TAP4(hb_dsp_ld4(ip), hb_dsp_ld4(fp), offp, a0, a1, a2, a3);
        HB_DW_TAP4(hb_dsp_ld4(ip + cin), hb_dsp_ld4(fp + cin), offp, a0, a1, a2, a3);
        HB_DW_TAP4(hb_dsp_ld4(ip + c2), hb_dsp_ld4(fp + c2), offp, a0, a1, a2, a3);
        ip += in_row;
        fp += c2 + cin;
        HB_DW_TAP4(hb_dsp_ld4(ip), hb_dsp_ld4(fp), offp, a0, a1, a2, a3);
        HB_DW_TAP4(hb_dsp_ld4(ip + cin), hb_dsp_ld4(fp + cin), offp, a0, a1, a2, a3);
        HB_DW_TAP4(hb_dsp_ld4(ip + c2), hb_dsp_ld4(fp + c2), offp, a0, a1, a2, a3);
        ip += in_row;
        fp += c2 + cin;
        HB_DW_TAP4(hb_dsp_ld4(ip), hb_dsp_ld4(fp), offp, a0, a1, a2, a3);
        HB_DW_TAP4(hb_dsp_ld4(ip + cin), hb_dsp_ld4(fp + cin), offp, a0, a1, a2, a3);
        HB_DW_TAP4(hb_dsp_ld4(ip + c2), hb_dsp_ld4(fp + c2), offp, a0, a1, a2, a3);
        store4(k, i, o + i, a0, a1, a2, a3);
    }
}

/* Filter width 3 with dilation 1 along x and a window of rows x 2 or 3 in-image taps (every
 * pixel of an image at least 2 wide): the chunk's channel groups, the taps of a row unrolled. Tap (y, x) of the window is at in + y * in_row + x * C and filter +
 * y * 3C + x * C, so two offsets (C, 2C) and two row steps address all of them. */
__attribute__((optimize("no-schedule-insns")))
static void pixel_w3(const window *win, int32_t cin, int32_t input_offset, const chunk *k,
                     int8_t *out)
{
    const int16x2_t offp = hb_dsp_pack_offset(input_offset);
    const int32_t c2 = 2 * cin, in_row = win->in_step_y, rows = win->rows;
    const int three = win->cols == 3;
    int32_t i;
    for (i = 0; i + 4 <= k->n; i += 4) {
        const int8_t *ip = win->in + k->c0 + i, *fp = win->filter + k->c0 + i;
        int32_t a0 = k->bias[i], a1 = k->bias[i + 1], a2 = k->bias[i + 2], a3 = k->bias[i + 3];
        int32_t y;
        for (y = 0; y < rows; y++) {
            HB_DW_TAP4(hb_dsp_ld4(ip), hb_dsp_ld4(fp), offp, a0, a1, a2, a3);
            HB_DW_TAP4(hb_dsp_ld4(ip + cin), hb_dsp_ld4(fp + cin), offp, a0, a1, a2, a3);
            if (three) {
                HB_DW_TAP4(hb_dsp_ld4(ip + c2), hb_dsp_ld4(fp + c2), offp, a0, a1, a2, a3);
            }
            ip += in_row;
            fp += c2 + cin;
        }
        store4(k, i, out + k->c0 + i, a0, a1, a2, a3);
    }
}

/* Any window: the chunk's channel groups over the generic tap loops. */
static void pixel_any(const window *win, int32_t cin, int32_t input_offset, const chunk *k,
                      int8_t *out)
{
    const int16x2_t offp = hb_dsp_pack_offset(input_offset);
    int32_t i;
    for (i = 0; i + 4 <= k->n; i += 4) {
        const int8_t *irow = win->in + k->c0 + i, *frow = win->filter + k->c0 + i;
        int32_t a0 = k->bias[i], a1 = k->bias[i + 1], a2 = k->bias[i + 2], a3 = k->bias[i + 3];
        int32_t y, x;
        for (y = 0; y < win->rows; y++, irow += win->in_step_y, frow += win->f_step_y) {
            const int8_t *ip = irow, *fp = frow;
            for (x = 0; x < win->cols; x++, ip += win->in_step_x, fp += cin) {
                HB_DW_TAP4(hb_dsp_ld4(ip), hb_dsp_ld4(fp), offp, a0, a1, a2, a3);
            }
        }
        store4(k, i, out + k->c0 + i, a0, a1, a2, a3);
    }
}

/* Output channel oc reading input channel ic (oc = ic * M + m), one at a time. */
static void channel1(const window *win, int32_t depth, int32_t ic, int32_t oc,
                     const hb_conv_params *p, const int32_t *bias, const int32_t *mult,
                     const int8_t *shift, int8_t *out)
{
    const int8_t *irow = win->in + ic, *frow = win->filter + oc;
    int32_t acc = bias != 0 ? bias[oc] : 0;
    int32_t y, x;
    for (y = 0; y < win->rows; y++, irow += win->in_step_y, frow += win->f_step_y) {
        const int8_t *ip = irow, *fp = frow;
        for (x = 0; x < win->cols; x++, ip += win->in_step_x, fp += depth) {
            acc = hb_wrap_add(acc, *fp * (*ip + p->input_offset));
        }
    }
    out[oc] = hb_dsp_out_ch(acc, mult[oc], shift[oc], p->output_offset, p->act_min, p->act_max);
}

/* Windows are set per output row (the rows of taps) and then per pixel (the columns). */
static void window_row(const hb_conv_params *p, const hb_dims4 *in_d, const hb_dims4 *filter_d,
                       int32_t depth, int32_t oy, window *win, int32_t *ky_lo, int32_t *iy_lo)
{
    const int32_t iy0 = oy * p->stride_h - p->pad_h;
    int32_t ky_hi;
    tap_range(iy0, p->dilation_h, filter_d->h, in_d->h, ky_lo, &ky_hi);
    win->rows = ky_hi - *ky_lo;
    win->in_step_x = p->dilation_w * in_d->c;
    win->in_step_y = p->dilation_h * in_d->w * in_d->c;
    win->f_step_y = filter_d->w * depth;
    *iy_lo = iy0 + p->dilation_h * *ky_lo;
}

static void window_col(const hb_conv_params *p, const hb_dims4 *in_d, const int8_t *in_row,
                       const hb_dims4 *filter_d, const int8_t *filter, int32_t depth,
                       int32_t ky_lo, int32_t ox, window *win)
{
    const int32_t ix0 = ox * p->stride_w - p->pad_w;
    int32_t kx_lo, kx_hi;
    tap_range(ix0, p->dilation_w, filter_d->w, in_d->w, &kx_lo, &kx_hi);
    win->cols = kx_hi - kx_lo;
    win->filter = filter + (ky_lo * filter_d->w + kx_lo) * depth;
    win->in = in_row; /* no tap inside: nothing is read */
    if (win->rows > 0 && win->cols > 0) {
        win->in = in_row + (ix0 + p->dilation_w * kx_lo) * in_d->c;
    }
}

/* Calls BODY(o) for every output pixel with `win` set and o its output bytes. */
#define HB_DW_EACH_PIXEL(BODY)                                                                     \
    do {                                                                                           \
        int32_t b_, oy_, ox_;                                                                      \
        for (b_ = 0; b_ < out_d->n; b_++) {                                                        \
            for (oy_ = 0; oy_ < out_d->h; oy_++) {                                                 \
                int32_t ky_lo_, iy_lo_;                                                            \
                const int8_t *row_;                                                                \
                window_row(p, in_d, filter_d, depth, oy_, &win, &ky_lo_, &iy_lo_);                 \
                row_ = win.rows > 0 ? in + (b_ * in_d->h + iy_lo_) * in_d->w * in_d->c : in;       \
                for (ox_ = 0; ox_ < out_d->w; ox_++) {                                             \
                    int8_t *o_ = out + ((b_ * out_d->h + oy_) * out_d->w + ox_) * depth;           \
                    window_col(p, in_d, row_, filter_d, filter, depth, ky_lo_, ox_, &win);         \
                    BODY(o_);                                                                      \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
    } while (0)

void hb_depthwise_conv_s8_dsp(const hb_scratch *scratch, const hb_conv_params *p, const int32_t
                              *mult, const int8_t *shift, const hb_dims4 *in_d, const int8_t *in,
                              const hb_dims4 *filter_d, const int8_t *filter, const int32_t *bias,
                              const int32_t *folded, const hb_dims4 *out_d, int8_t *out)
{
    const int32_t m_count = p->depth_multiplier, cin = in_d->c, depth = out_d->c;
    const int w3 = filter_d->w == 3 && p->dilation_w == 1;
    int32_t c0;
    window win;
    (void)scratch;
    (void)folded; /* inputs are widened with the offset added instead */
    if (m_count != 1) {
#define HB_DW_MULT(o)                                                                              \
    do {                                                                                           \
        int32_t c_, m_;                                                                            \
        for (c_ = 0; c_ < cin; c_++) {                                                             \
            for (m_ = 0; m_ < m_count; m_++) {                                                     \
                channel1(&win, depth, c_, c_ * m_count + m_, p, bias, mult, shift, o);             \
            }                                                                                      \
        }                                                                                          \
    } while (0)
        HB_DW_EACH_PIXEL(HB_DW_MULT);
#undef HB_DW_MULT
        return;
    }
    for (c0 = 0; c0 < (cin & ~3); c0 += HB_DW_CHUNK) {
        chunk k;
        const int32_t left = (cin & ~3) - c0;
        chunk_init(&k, c0, left < HB_DW_CHUNK ? left : HB_DW_CHUNK, p, bias, mult, shift);
#define HB_DW_GROUPS(o)                                                                            \
    do {                                                                                           \
        if (w3 && win.cols == 3 && win.rows == 3 && filter_d->h == 3) {                            \
            pixel_3x3(&win, cin, p->input_offset, &k, o);                                          \
        } else if (w3 && win.cols >= 2) {                                                          \
            pixel_w3(&win, cin, p->input_offset, &k, o);                                           \
        } else {                                                                                   \
            pixel_any(&win, cin, p->input_offset, &k, o);                                          \
        }                                                                                          \
    } while (0)
        HB_DW_EACH_PIXEL(HB_DW_GROUPS);
#undef HB_DW_GROUPS
    }
    if (cin & 3) { /* the last 1-3 channels */
#define HB_DW_LAST(o)                                                                              \
    do {                                                                                           \
        int32_t c_;                                                                                \
        for (c_ = cin & ~3; c_ < cin; c_++) {                                                      \
            channel1(&win, depth, c_, c_, p, bias, mult, shift, o);                                \
        }                                                                                          \
    } while (0)
        HB_DW_EACH_PIXEL(HB_DW_LAST);
#undef HB_DW_LAST
    }
}

#endif /* HB_KPATH_DSP */
