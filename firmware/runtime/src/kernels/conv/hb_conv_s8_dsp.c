/* CONV_2D, Arm DSP extension path (Cortex-M4/M7/M33), on the shared GEMM core hb_dsp_gemm_s8:
 * rows = output channels (filter [Cout][KH*KW*Cin] is already row-major), columns = pixels.
 * - 1x1, stride 1, no padding: the input [N*H*W][Cin] is the column matrix, read in place.
 * - otherwise im2col: the receptive fields of two output pixels are copied as int8 columns of
 *   KH*KW*Cin bytes into scratch, padding taps set to the input zero point so that
 *   x + input_offset = 0 there, exactly like the reference skipping them (a strided 1x1 layer
 *   is the same copy with one tap).
 * Grouped convolution (Cin != filter depth) stays on the plain C path. */
#include "internal/hb_kernels_c.h"
#include "internal/hb_kernels_dsp.h"
#include "internal/hb_kpath.h"

#if HB_KPATH_DSP

#include <string.h>

#include "internal/hb_dsp_gemm_s8.h"

#define IM2COL_COLUMNS 2 /* the GEMM core's column block */

static int reads_input_in_place(const hb_conv_params *p, const hb_dims4 *in_d,
                                const hb_dims4 *filter_d, const hb_dims4 *out_d)
{
    return filter_d->h == 1 && filter_d->w == 1 && p->pad_h == 0 && p->pad_w == 0 &&
           p->stride_h == 1 && p->stride_w == 1 && out_d->h == in_d->h && out_d->w == in_d->w;
}

int32_t hb_conv_s8_dsp_buffer_size(const hb_conv_params *p, const hb_dims4 *in_d, const hb_dims4
                                   *filter_d, const hb_dims4 *out_d)
{
    if (in_d->c != filter_d->c || reads_input_in_place(p, in_d, filter_d, out_d)) {
        return 0;
    }
    return IM2COL_COLUMNS * filter_d->h * filter_d->w * filter_d->c;
}

/* The receptive field of the output pixel whose top-left input tap is (iy0, ix0) in image b,
 * as KH*KW*Cin bytes in filter order; taps outside the image hold zp. */
static void im2col_column(const hb_conv_params *p, const hb_dims4 *in_d, const int8_t *in,
                          const hb_dims4 *filter_d, int32_t b, int32_t iy0, int32_t ix0, int8_t zp,
                          int8_t *col)
{
    const int32_t cin = in_d->c, row_bytes = filter_d->w * cin;
    int32_t ky, kx;
    for (ky = 0; ky < filter_d->h; ky++, col += row_bytes) {
        const int32_t iy = iy0 + p->dilation_h * ky;
        const int8_t *src;
        if (iy < 0 || iy >= in_d->h) {
            memset(col, zp, (size_t)row_bytes);
            continue;
        }
        src = in + ((b * in_d->h + iy) * in_d->w) * cin;
        if (p->dilation_w == 1) { /* the row's taps are contiguous in the input row */
            const int32_t lo = ix0 < 0 ? (-ix0 < filter_d->w ? -ix0 : filter_d->w) : 0;
            int32_t hi = in_d->w - ix0;
            hi = hi < lo ? lo : (hi > filter_d->w ? filter_d->w : hi);
            memset(col, zp, (size_t)(lo * cin));
            memcpy(col + lo * cin, src + (ix0 + lo) * cin, (size_t)((hi - lo) * cin));
            memset(col + hi * cin, zp, (size_t)((filter_d->w - hi) * cin));
            continue;
        }
        for (kx = 0; kx < filter_d->w; kx++) {
            const int32_t ix = ix0 + p->dilation_w * kx;
            if (ix < 0 || ix >= in_d->w) {
                memset(col + kx * cin, zp, (size_t)cin);
            } else {
                memcpy(col + kx * cin, src + ix * cin, (size_t)cin);
            }
        }
    }
}

void hb_conv_s8_dsp(const hb_scratch *scratch, const hb_conv_params *p, const int32_t *mult, const
                    int8_t *shift, const hb_dims4 *in_d, const int8_t *in, const hb_dims4 *filter_d,
                    const int8_t *filter, const int32_t *bias, const int32_t *folded, const hb_dims4
                    *out_d, int8_t *out)
{
    const int32_t need = hb_conv_s8_dsp_buffer_size(p, in_d, filter_d, out_d);
    hb_dsp_gemm g;
    int32_t b, oy, ox;
    if (in_d->c != filter_d->c ||
        (need > 0 && (scratch == 0 || scratch->buf == 0 || scratch->size < need))) {
        /* grouped, or called without the scratch it asked for: the C path is still exact */
        hb_conv_s8_c(scratch, p, mult, shift, in_d, in, filter_d, filter, bias, folded, out_d, out);
        return;
    }
    g.w = filter;
    g.bias = bias;
    g.mult = mult;
    g.shift = shift;
    g.per_channel = 1;
    g.rows = out_d->c;
    g.depth = filter_d->h * filter_d->w * filter_d->c;
    g.input_offset = p->input_offset;
    g.output_offset = p->output_offset;
    g.act_min = p->act_min;
    g.act_max = p->act_max;
    if (need == 0) {
        hb_dsp_gemm_s8(&g, in, out_d->n * out_d->h * out_d->w, out);
        return;
    }
    {
        const int8_t zp = (int8_t)-p->input_offset;
        int8_t *cols = (int8_t *)scratch->buf;
        int8_t *first_out = out; /* output pixel of the first buffered column */
        int32_t filled = 0;
        for (b = 0; b < out_d->n; b++) {
            for (oy = 0; oy < out_d->h; oy++) {
                for (ox = 0; ox < out_d->w; ox++) {
                    im2col_column(p, in_d, in, filter_d, b, oy * p->stride_h - p->pad_h,
                                  ox * p->stride_w - p->pad_w, zp, cols + filled * g.depth);
                    if (++filled == IM2COL_COLUMNS) {
                        hb_dsp_gemm_s8(&g, cols, filled, first_out);
                        first_out += filled * g.rows;
                        filled = 0;
                    }
                }
            }
        }
        if (filled > 0) {
            hb_dsp_gemm_s8(&g, cols, filled, first_out);
        }
    }
}

#endif /* HB_KPATH_DSP */
