/* CONV_2D, Arm DSP extension path (Cortex-M4/M7/M33), on the shared GEMM core hb_dsp_gemm_s8:
 * rows = output channels (filter [Cout][KH*KW*Cin] is already row-major), columns = pixels.
 * - 1x1, no padding: the input is the matrix, read in place (stride 1: all N*H*W pixels at once
 *   with column stride Cin; stride > 1: one output row at a time, column stride stride_w*Cin).
 * - otherwise im2col: two output pixels' receptive fields copied as int8 columns into scratch
 *   (KH*KW*Cin bytes each, padded to 4), padding taps set to the input zero point so that
 *   x + input_offset = 0 there, exactly like the reference skipping them.
 * Grouped convolution (Cin != filter depth) stays on the plain C path. */
#include "internal/hb_kernels_c.h"
#include "internal/hb_kernels_dsp.h"
#include "internal/hb_kpath.h"

#if HB_KPATH_DSP

#include <string.h>

#include "internal/hb_dsp_gemm_s8.h"

#define IM2COL_COLUMNS 2

static int is_pointwise(const hb_conv_params *p, const hb_dims4 *filter_d)
{
    return filter_d->h == 1 && filter_d->w == 1 && p->pad_h == 0 && p->pad_w == 0;
}

/* Bytes of one im2col column: KH*KW*Cin rounded up to whole words. */
static int32_t column_bytes(const hb_dims4 *filter_d)
{
    return (filter_d->h * filter_d->w * filter_d->c + 3) & ~3;
}

int32_t hb_conv_s8_dsp_buffer_size(const hb_conv_params *p, const hb_dims4 *in_d, const hb_dims4
                                   *filter_d, const hb_dims4 *out_d)
{
    (void)out_d;
    if (in_d->c != filter_d->c || is_pointwise(p, filter_d)) {
        return 0;
    }
    return IM2COL_COLUMNS * column_bytes(filter_d);
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
    const int32_t cout = out_d->c;
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
    g.rows = cout;
    g.depth = filter_d->h * filter_d->w * filter_d->c;
    g.input_offset = p->input_offset;
    g.output_offset = p->output_offset;
    g.act_min = p->act_min;
    g.act_max = p->act_max;
    if (need == 0) { /* 1x1 without padding */
        const int32_t cin = in_d->c;
        if (p->stride_h == 1 && p->stride_w == 1 && out_d->h == in_d->h && out_d->w == in_d->w) {
            hb_dsp_gemm_s8(&g, in, out_d->n * out_d->h * out_d->w, cin, out, cout);
            return;
        }
        for (b = 0; b < out_d->n; b++) {
            for (oy = 0; oy < out_d->h; oy++) {
                const int8_t *row = in + ((b * in_d->h + oy * p->stride_h) * in_d->w) * cin;
                hb_dsp_gemm_s8(&g, row, out_d->w, p->stride_w * cin,
                               out + ((b * out_d->h + oy) * out_d->w) * cout, cout);
            }
        }
        return;
    }
    {
        const int32_t col_bytes = column_bytes(filter_d);
        const int8_t zp = (int8_t)-p->input_offset;
        int8_t *cols = (int8_t *)scratch->buf;
        int8_t *first_out = out; /* output pixel of the first buffered column */
        int32_t filled = 0;
        for (b = 0; b < out_d->n; b++) {
            for (oy = 0; oy < out_d->h; oy++) {
                for (ox = 0; ox < out_d->w; ox++) {
                    im2col_column(p, in_d, in, filter_d, b, oy * p->stride_h - p->pad_h,
                                  ox * p->stride_w - p->pad_w, zp, cols + filled * col_bytes);
                    if (++filled == IM2COL_COLUMNS) {
                        hb_dsp_gemm_s8(&g, cols, filled, col_bytes, first_out, cout);
                        first_out += filled * cout;
                        filled = 0;
                    }
                }
            }
        }
        if (filled > 0) {
            hb_dsp_gemm_s8(&g, cols, filled, col_bytes, first_out, cout);
        }
    }
}

#endif /* HB_KPATH_DSP */
