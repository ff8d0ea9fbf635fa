/* CONV_2D, Helium (MVE) path: a GEMM of output pixels x output channels (hb_mve_gemm_s8).
 *   1x1 without padding: the GEMM rows are the input pixels themselves (no copy).
 *   anything else: im2col into scratch, HB_MVE_CONV_COLS output pixels at a time, each column the
 *   filter's window [KH, KW, Cin] with out-of-image taps holding the input zero point (-input_offset),
 *   so that with folded = bias + input_offset * sum(filter) they add exactly 0, as the reference's
 *   skipped taps do: sum_valid w * (x + off) == sum_all w * x' + off * sum_all w, x' = x or -off.
 * Grouped convolution (Cin != filter depth) takes the plain C path. */
#include "internal/hb_kernels_c.h"
#include "internal/hb_kernels_mve.h"
#include "internal/hb_kpath.h"

#if HB_KPATH_MVE

#include "internal/hb_mve_gemm_s8.h"

/* Columns per im2col batch: the requantization setup of each 4-channel block is reused across
 * them, and the scratch stays a few KB for the MLPerf Tiny shapes (8 x 576 B for ResNet-8). */
#define HB_MVE_CONV_COLS 8

static int hb_conv_is_direct_1x1(const hb_conv_params *p, const hb_dims4 *in_d,
                                 const hb_dims4 *filter_d, const hb_dims4 *out_d)
{
    return filter_d->h == 1 && filter_d->w == 1 && p->pad_h == 0 && p->pad_w == 0 &&
           (out_d->h - 1) * p->stride_h < in_d->h && (out_d->w - 1) * p->stride_w < in_d->w;
}

static int32_t hb_conv_cols(const hb_dims4 *out_d)
{
    const int32_t pixels = out_d->n * out_d->h * out_d->w;
    return pixels < HB_MVE_CONV_COLS ? pixels : HB_MVE_CONV_COLS;
}

int32_t hb_conv_s8_mve_buffer_size(const hb_conv_params *p, const hb_dims4 *in_d, const hb_dims4
                                   *filter_d, const hb_dims4 *out_d)
{
    const int32_t depth = filter_d->h * filter_d->w * filter_d->c;
    if (in_d->c != filter_d->c || hb_conv_is_direct_1x1(p, in_d, filter_d, out_d)) {
        return 0;
    }
    return hb_conv_cols(out_d) * ((depth + 15) & ~15);
}

/* One im2col column: the window of output pixel (b, oy, ox), [KH, KW, Cin] int8. */
static void hb_conv_column(const hb_conv_params *p, const hb_dims4 *in_d, const int8_t *in,
                           const hb_dims4 *filter_d, int32_t b, int32_t oy, int32_t ox, int8_t *col)
{
    const int32_t cin = in_d->c;
    const int32_t iy0 = oy * p->stride_h - p->pad_h, ix0 = ox * p->stride_w - p->pad_w;
    const int8_t zp = (int8_t)(-p->input_offset);
    const int32_t run = filter_d->w * cin;
    int32_t ky, kx;
    for (ky = 0; ky < filter_d->h; ky++) {
        const int32_t iy = iy0 + ky * p->dilation_h;
        const int8_t *src_row = in + (b * in_d->h + iy) * in_d->w * cin;
        if (iy < 0 || iy >= in_d->h) {
            hb_mve_fill_s8(col, zp, run);
        } else if (p->dilation_w == 1 && ix0 >= 0 && ix0 + filter_d->w <= in_d->w) {
            hb_mve_copy_s8(col, src_row + ix0 * cin, run); /* the whole row of taps in one run */
        } else {
            for (kx = 0; kx < filter_d->w; kx++) {
                const int32_t ix = ix0 + kx * p->dilation_w;
                if (ix < 0 || ix >= in_d->w) {
                    hb_mve_fill_s8(col + kx * cin, zp, cin);
                } else {
                    hb_mve_copy_s8(col + kx * cin, src_row + ix * cin, cin);
                }
            }
        }
        col += run;
    }
}

void hb_conv_s8_mve(const hb_scratch *scratch, const hb_conv_params *p, const int32_t *mult, const
                    int8_t *shift, const hb_dims4 *in_d, const int8_t *in, const hb_dims4 *filter_d,
                    const int8_t *filter, const int32_t *bias, const int32_t *folded, const hb_dims4
                    *out_d, int8_t *out)
{
    const int32_t cout = out_d->c, cin = in_d->c;
    const hb_mve_requant q = {mult, shift, 1, p->output_offset, p->act_min, p->act_max};
    int32_t b, oy;
    if (cin != filter_d->c || folded == 0) {
        hb_conv_s8_c(scratch, p, mult, shift, in_d, in, filter_d, filter, bias, folded, out_d, out);
        return;
    }
    if (hb_conv_is_direct_1x1(p, in_d, filter_d, out_d)) {
        if (p->stride_h == 1 && p->stride_w == 1 && out_d->w == in_d->w) {
            /* Consecutive output rows read consecutive input rows: one GEMM per image. */
            for (b = 0; b < out_d->n; b++) {
                hb_mve_gemm_s8(in + b * in_d->h * in_d->w * cin, out_d->h * out_d->w, cin, cin,
                               filter, cout, folded, &q, out + b * out_d->h * out_d->w * cout, cout);
            }
            return;
        }
        for (b = 0; b < out_d->n; b++) {
            for (oy = 0; oy < out_d->h; oy++) {
                hb_mve_gemm_s8(in + (b * in_d->h + oy * p->stride_h) * in_d->w * cin, out_d->w,
                               p->stride_w * cin, cin, filter, cout, folded, &q,
                               out + (b * out_d->h + oy) * out_d->w * cout, cout);
            }
        }
        return;
    }
    {
        const int32_t depth = filter_d->h * filter_d->w * cin;
        const int32_t pixels = out_d->h * out_d->w, total = out_d->n * pixels;
        const int32_t cols = hb_conv_cols(out_d);
        int8_t *col = (int8_t *)scratch->buf;
        int32_t start, k;
        if (scratch->buf == 0 || scratch->size < cols * depth) {
            hb_conv_s8_c(scratch, p, mult, shift, in_d, in, filter_d, filter, bias, folded, out_d,
                         out);
            return;
        }
        for (start = 0; start < total; start += cols) {
            const int32_t n = total - start < cols ? total - start : cols;
            for (k = 0; k < n; k++) {
                const int32_t px = start + k, pb = px / pixels, pr = px % pixels;
                hb_conv_column(p, in_d, in, filter_d, pb, pr / out_d->w, pr % out_d->w,
                               col + k * depth);
            }
            hb_mve_gemm_s8(col, n, depth, depth, filter, cout, folded, &q, out + start * cout, cout);
        }
    }
}

#endif /* HB_KPATH_MVE */
