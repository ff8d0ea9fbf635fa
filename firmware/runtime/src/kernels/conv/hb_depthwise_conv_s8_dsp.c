/* DEPTHWISE_CONV_2D, Arm DSP extension path (Cortex-M4/M7/M33). No scratch, no folded bias.
 * Per output pixel, only the taps inside the image are visited (the clipped window is computed
 * once per pixel, as the reference skips the others), so no padding value is needed.
 * - depth multiplier 1: four channels at a time. Input bytes x[c..c+3] of a tap and filter bytes
 *   w[c..c+3] are contiguous (NHWC, filter [1,KH,KW,C]); widened to [x0+o, x2+o], [x1+o, x3+o]
 *   (sxtab16) and [w0, w2], [w1, w3] (sxtb16), each channel is one SMLABB / SMLATT: 2 loads,
 *   4 widenings and 4 multiply-accumulates per tap and 4 channels. Any filter size, stride,
 *   dilation.
 * - depth multiplier > 1: output channel ic*M + m, one input byte feeds M outputs; scalar. */
#include "internal/hb_kernels_dsp.h"
#include "internal/hb_kpath.h"

#if HB_KPATH_DSP

#include "internal/hb_dsp_simd.h"

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

typedef struct window {
    const int8_t *in;      /* input at the first in-image tap, channel 0 */
    const int8_t *filter;  /* filter at that tap, channel 0 */
    int32_t rows, cols;    /* in-image taps */
    int32_t in_step_x, in_step_y, f_step_y; /* bytes between taps; filter x step is the depth */
} window;

/* Depth multiplier 1, channels [c, c+4). */
static void channels4(const window *win, int32_t depth, int32_t c, const hb_conv_params *p,
                      const int32_t *bias, const int32_t *mult, const int8_t *shift, int8_t *out)
{
    const int16x2_t offp = hb_dsp_pack_offset(p->input_offset);
    const int8_t *irow = win->in + c, *frow = win->filter + c;
    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    int32_t y, x;
    if (bias != 0) {
        a0 = bias[c];
        a1 = bias[c + 1];
        a2 = bias[c + 2];
        a3 = bias[c + 3];
    }
    for (y = 0; y < win->rows; y++, irow += win->in_step_y, frow += win->f_step_y) {
        const int8_t *ip = irow, *fp = frow;
        for (x = 0; x < win->cols; x++, ip += win->in_step_x, fp += depth) {
            const uint32_t xv = hb_dsp_ld4(ip), wv = hb_dsp_ld4(fp);
            const int16x2_t x_e = __sxtab16(offp, (int8x4_t)xv);
            const int16x2_t x_o = hb_dsp_sxtab16_ror8(offp, xv);
            const int16x2_t w_e = __sxtb16((int8x4_t)wv), w_o = hb_dsp_sxtb16_ror8(wv);
            a0 = __smlabb(x_e, w_e, a0);
            a2 = __smlatt(x_e, w_e, a2);
            a1 = __smlabb(x_o, w_o, a1);
            a3 = __smlatt(x_o, w_o, a3);
        }
    }
    out[c] = hb_dsp_out_ch(a0, mult[c], shift[c], p->output_offset, p->act_min, p->act_max);
    out[c + 1] = hb_dsp_out_ch(a1, mult[c + 1], shift[c + 1], p->output_offset, p->act_min, p->act_max);
    out[c + 2] = hb_dsp_out_ch(a2, mult[c + 2], shift[c + 2], p->output_offset, p->act_min, p->act_max);
    out[c + 3] = hb_dsp_out_ch(a3, mult[c + 3], shift[c + 3], p->output_offset, p->act_min, p->act_max);
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

/* Depth multiplier 1, filter width 3, dilation 1, a window of `rows` x 2 or 3 in-image taps
 * (every pixel but those of images narrower than 3): all channel groups of the pixel, the taps
 * of a row unrolled. Tap (y, x) of the window is at in + y * in_row + x * C and filter +
 * y * 3C + x * C, so two offsets (C, 2C) and two row steps address all of them. */
__attribute__((optimize("no-schedule-insns")))
static void pixel_w3(const int8_t *in, const int8_t *filter, int32_t cin, int32_t in_row,
                     int32_t rows, int32_t cols, const hb_conv_params *p, const int32_t *bias, const int32_t *mult,
                     const int8_t *shift, int8_t *out)
{
    const int16x2_t offp = hb_dsp_pack_offset(p->input_offset);
    const int32_t c2 = 2 * cin, out_off = p->output_offset, lo = p->act_min, hi = p->act_max;
    int32_t c;
    for (c = 0; c + 4 <= cin; c += 4) {
        const int8_t *ip = in + c, *fp = filter + c;
        int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        int32_t m0, m1, m2, m3, s0, s1, s2, s3;
        int8_t o0, o1, o2, o3;
        int32_t ky;
        if (bias != 0) {
            a0 = bias[c];
            a1 = bias[c + 1];
            a2 = bias[c + 2];
            a3 = bias[c + 3];
        }
        for (ky = 0; ky < rows; ky++) {
            HB_DW_TAP4(hb_dsp_ld4(ip), hb_dsp_ld4(fp), offp, a0, a1, a2, a3);
            HB_DW_TAP4(hb_dsp_ld4(ip + cin), hb_dsp_ld4(fp + cin), offp, a0, a1, a2, a3);
            if (cols == 3) {
                HB_DW_TAP4(hb_dsp_ld4(ip + c2), hb_dsp_ld4(fp + c2), offp, a0, a1, a2, a3);
            }
            ip += in_row;
            fp += c2 + cin;
        }
        m0 = mult[c];
        m1 = mult[c + 1];
        m2 = mult[c + 2];
        m3 = mult[c + 3];
        s0 = shift[c];
        s1 = shift[c + 1];
        s2 = shift[c + 2];
        s3 = shift[c + 3];
        o0 = hb_dsp_out_ch(a0, m0, s0, out_off, lo, hi);
        o1 = hb_dsp_out_ch(a1, m1, s1, out_off, lo, hi);
        o2 = hb_dsp_out_ch(a2, m2, s2, out_off, lo, hi);
        o3 = hb_dsp_out_ch(a3, m3, s3, out_off, lo, hi);
        out[c] = o0;
        out[c + 1] = o1;
        out[c + 2] = o2;
        out[c + 3] = o3;
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

void hb_depthwise_conv_s8_dsp(const hb_scratch *scratch, const hb_conv_params *p, const int32_t
                              *mult, const int8_t *shift, const hb_dims4 *in_d, const int8_t *in,
                              const hb_dims4 *filter_d, const int8_t *filter, const int32_t *bias,
                              const int32_t *folded, const hb_dims4 *out_d, int8_t *out)
{
    const int32_t m_count = p->depth_multiplier, cin = in_d->c, depth = out_d->c;
    int32_t b, oy, ox;
    (void)scratch;
    (void)folded; /* inputs are widened with the offset added instead */
    for (b = 0; b < out_d->n; b++) {
        for (oy = 0; oy < out_d->h; oy++) {
            const int32_t iy0 = oy * p->stride_h - p->pad_h;
            int32_t ky_lo, ky_hi;
            tap_range(iy0, p->dilation_h, filter_d->h, in_d->h, &ky_lo, &ky_hi);
            for (ox = 0; ox < out_d->w; ox++) {
                const int32_t ix0 = ox * p->stride_w - p->pad_w;
                int8_t *o = out + ((b * out_d->h + oy) * out_d->w + ox) * depth;
                int32_t kx_lo, kx_hi, c, m;
                window win;
                tap_range(ix0, p->dilation_w, filter_d->w, in_d->w, &kx_lo, &kx_hi);
                win.in = in + ((b * in_d->h + iy0 + p->dilation_h * ky_lo) * in_d->w + ix0 +
                               p->dilation_w * kx_lo) * cin;
                win.filter = filter + (ky_lo * filter_d->w + kx_lo) * depth;
                win.rows = ky_hi - ky_lo;
                win.cols = kx_hi - kx_lo;
                win.in_step_x = p->dilation_w * cin;
                win.in_step_y = p->dilation_h * in_d->w * cin;
                win.f_step_y = filter_d->w * depth;
                if (m_count == 1 && filter_d->w == 3 && p->dilation_w == 1 && win.cols >= 2) {
                    pixel_w3(win.in, win.filter, cin, win.in_step_y, win.rows, win.cols, p, bias,
                             mult, shift, o);
                    for (c = cin & ~3; c < cin; c++) {
                        channel1(&win, depth, c, c, p, bias, mult, shift, o);
                    }
                    continue;
                }
                if (m_count == 1) {
                    for (c = 0; c + 4 <= cin; c += 4) {
                        channels4(&win, depth, c, p, bias, mult, shift, o);
                    }
                    for (; c < cin; c++) {
                        channel1(&win, depth, c, c, p, bias, mult, shift, o);
                    }
                    continue;
                }
                for (c = 0; c < cin; c++) {
                    for (m = 0; m < m_count; m++) {
                        channel1(&win, depth, c, c * m_count + m, p, bias, mult, shift, o);
                    }
                }
            }
        }
    }
}

#endif /* HB_KPATH_DSP */
