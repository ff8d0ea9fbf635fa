/* CONV_2D, Helium (MVE) path: a GEMM of output pixels x output channels (hb_mve_gemm_s8.h).
 *   1x1 without padding: the GEMM rows are the input pixels themselves (no copy).
 *   windows deeper than HB_MVE_CONV_DIRECT_DEPTH bytes: implicit GEMM reading each window from the
 *   input (hb_mve_conv_direct_s8), no scratch.
 *   anything else: output rows whose windows lie inside the image in height, and whose filter rows
 *   are whole 16-byte steps (e.g. 3x3 over 16 channels), read the inside columns' windows straight
 *   from the input (KH runs per GEMM row, hb_mve_gemm_seg_s8); every other output pixel goes
 *   through im2col into scratch, a few at a time (hb_conv_cols), each column the
 *   filter's window [KH, KW, Cin] with out-of-image taps holding the input zero point (-input_offset),
 *   so that with folded = bias + input_offset * sum(filter) they add exactly 0, as the reference's
 *   skipped taps do: sum_valid w * (x + off) == sum_all w * x' + off * sum_all w, x' = x or -off.
 * Grouped convolution (Cin != filter depth) takes the plain C path. */
#include "internal/hb_kernels_c.h"
#include "internal/hb_kernels_mve.h"
#include "internal/hb_kpath.h"

#if HB_KPATH_MVE

#include "internal/hb_mve_gemm_s8.h"

/* Columns per im2col batch: as many as fit HB_MVE_CONV_COLS_BYTES (the setup of each 4-channel
 * block is reused across them), at least HB_MVE_CONV_COLS_MIN. */
#define HB_MVE_CONV_COLS_BYTES 1024
#define HB_MVE_CONV_COLS_MIN 4
/* Deeper windows read the input directly (no scratch): their 4 columns would take > 4 KB, and
 * the implicit GEMM is ~30 % slower than im2col on ResNet-8's 3x3 layers (measured), so only
 * there. */
#define HB_MVE_CONV_DIRECT_DEPTH 1024

static int hb_conv_is_direct_1x1(const hb_conv_params *p, const hb_dims4 *in_d,
                                 const hb_dims4 *filter_d, const hb_dims4 *out_d)
{
    return filter_d->h == 1 && filter_d->w == 1 && p->pad_h == 0 && p->pad_w == 0 &&
           (out_d->h - 1) * p->stride_h < in_d->h && (out_d->w - 1) * p->stride_w < in_d->w;
}

static int hb_conv_is_direct(const hb_dims4 *in_d, const hb_dims4 *filter_d)
{
    return filter_d->h * filter_d->w * in_d->c > HB_MVE_CONV_DIRECT_DEPTH;
}

static int32_t hb_conv_cols(const hb_dims4 *out_d, int32_t depth)
{
    const int32_t pixels = out_d->n * out_d->h * out_d->w;
    int32_t cols = HB_MVE_CONV_COLS_BYTES / depth;
    cols = cols < HB_MVE_CONV_COLS_MIN ? HB_MVE_CONV_COLS_MIN : cols;
    return pixels < cols ? pixels : cols;
}

int32_t hb_conv_s8_mve_buffer_size(const hb_conv_params *p, const hb_dims4 *in_d, const hb_dims4
                                   *filter_d, const hb_dims4 *out_d)
{
    const int32_t depth = filter_d->h * filter_d->w * filter_d->c;
    if (in_d->c != filter_d->c || hb_conv_is_direct_1x1(p, in_d, filter_d, out_d) ||
        hb_conv_is_direct(in_d, filter_d)) {
        return 0;
    }
    return hb_conv_cols(out_d, depth) * depth;
}

/* One im2col column: the window of output pixel (b, oy, ox), [KH, KW, Cin] int8. Each filter row
 * is at most three pieces: zero-point fill left of the image, one contiguous copy, fill right
 * (dilated columns go tap by tap). */
static void hb_conv_column(const hb_conv_params *p, const hb_dims4 *in_d, const int8_t *in,
                           const hb_dims4 *filter_d, int32_t b, int32_t oy, int32_t ox, int8_t *col)
{
    const int32_t cin = in_d->c, kw = filter_d->w;
    const int32_t iy0 = oy * p->stride_h - p->pad_h, ix0 = ox * p->stride_w - p->pad_w;
    const int8_t zp = (int8_t)(-p->input_offset);
    const int32_t run = kw * cin;
    /* taps [left, kw - right) of a filter row are inside the image (dilation 1) */
    const int32_t left = ix0 < 0 ? (-ix0 < kw ? -ix0 : kw) : 0;
    const int32_t over = ix0 + kw - in_d->w, right = over > 0 ? (over < kw - left ? over : kw - left) : 0;
    int32_t ky, kx;
    for (ky = 0; ky < filter_d->h; ky++) {
        const int32_t iy = iy0 + ky * p->dilation_h;
        if (iy < 0 || iy >= in_d->h) {
            hb_mve_fill_s8(col, zp, run);
        } else if (p->dilation_w == 1 && left == 0 && right == 0) {
            hb_mve_copy_s8(col, in + ((b * in_d->h + iy) * in_d->w + ix0) * cin, run);
        } else if (p->dilation_w == 1) {
            const int8_t *src = in + ((b * in_d->h + iy) * in_d->w + ix0 + left) * cin;
            hb_mve_fill_s8(col, zp, left * cin);
            hb_mve_copy_s8(col + left * cin, src, (kw - left - right) * cin);
            hb_mve_fill_s8(col + (kw - right) * cin, zp, right * cin);
        } else {
            for (kx = 0; kx < kw; kx++) {
                const int32_t ix = ix0 + kx * p->dilation_w;
                if (ix < 0 || ix >= in_d->w) {
                    hb_mve_fill_s8(col + kx * cin, zp, cin);
                } else {
                    hb_mve_copy_s8(col + kx * cin, in + ((b * in_d->h + iy) * in_d->w + ix) * cin, cin);
                }
            }
        }
        col += run;
    }
}

/* Output pixels [ox0, ox1) of output row oy through im2col, `cols` columns per GEMM. */
static void hb_conv_im2col_run(const hb_conv_params *p, const hb_dims4 *in_d, const int8_t *in,
                               const hb_dims4 *filter_d, int32_t b, int32_t oy, int32_t ox0,
                               int32_t ox1, int8_t *col, int32_t cols, const int32_t *folded,
                               const int8_t *filter, const hb_mve_requant *q, int8_t *out_row)
{
    const int32_t depth = filter_d->h * filter_d->w * in_d->c, cout = filter_d->n;
    int32_t start, k;
    for (start = ox0; start < ox1; start += cols) {
        const int32_t n = ox1 - start < cols ? ox1 - start : cols;
        for (k = 0; k < n; k++) {
            hb_conv_column(p, in_d, in, filter_d, b, oy, start + k, col + k * depth);
        }
        hb_mve_gemm_s8(col, n, depth, depth, filter, cout, folded, q, out_row + start * cout, cout);
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
    if (hb_conv_is_direct(in_d, filter_d)) {
        hb_mve_conv_direct_s8(p, in_d, in, filter_d, filter, out_d, folded, &q, out);
        return;
    }
    {
        const int32_t depth = filter_d->h * filter_d->w * cin, run = filter_d->w * cin;
        const int32_t cols = hb_conv_cols(out_d, depth);
        const int32_t eff_h = (filter_d->h - 1) * p->dilation_h + 1;
        /* Output columns [ox_lo, ox_hi) have every window column inside the image. */
        const int32_t ox_lo = (p->pad_w + p->stride_w - 1) / p->stride_w;
        const int32_t span = in_d->w - filter_d->w + p->pad_w;
        const int32_t ox_hi = span < 0 ? 0 : (span / p->stride_w + 1 < out_d->w ? span / p->stride_w + 1 : out_d->w);
        /* Segmented rows need whole 16-byte steps per filter row and contiguous columns. */
        const int segmented = p->dilation_w == 1 && (run & 15) == 0 && ox_hi > ox_lo;
        int8_t *col = (int8_t *)scratch->buf;
        if (scratch->buf == 0 || scratch->size < cols * depth) {
            hb_conv_s8_c(scratch, p, mult, shift, in_d, in, filter_d, filter, bias, folded, out_d,
                         out);
            return;
        }
        if (!segmented) { /* every pixel through im2col, batches running across output rows */
            const int32_t pixels = out_d->h * out_d->w, total = out_d->n * pixels;
            int32_t start, k;
            for (start = 0; start < total; start += cols) {
                const int32_t n = total - start < cols ? total - start : cols;
                for (k = 0; k < n; k++) {
                    const int32_t px = start + k, pr = px % pixels;
                    hb_conv_column(p, in_d, in, filter_d, px / pixels, pr / out_d->w, pr % out_d->w,
                                   col + k * depth);
                }
                hb_mve_gemm_s8(col, n, depth, depth, filter, cout, folded, &q, out + start * cout,
                               cout);
            }
            return;
        }
        for (b = 0; b < out_d->n; b++) {
            for (oy = 0; oy < out_d->h; oy++) {
                const int32_t iy0 = oy * p->stride_h - p->pad_h;
                int8_t *out_row = out + (b * out_d->h + oy) * out_d->w * cout;
                if (segmented && iy0 >= 0 && iy0 + eff_h <= in_d->h) {
                    /* inside columns: each window's KH filter rows straight from the input */
                    hb_mve_gemm_seg_s8(in + ((b * in_d->h + iy0) * in_d->w + ox_lo * p->stride_w - p->pad_w) * cin,
                                       ox_hi - ox_lo, p->stride_w * cin, filter_d->h, run,
                                       p->dilation_h * in_d->w * cin, filter, cout, folded, &q,
                                       out_row + ox_lo * cout, cout);
                    hb_conv_im2col_run(p, in_d, in, filter_d, b, oy, 0, ox_lo, col, cols, folded,
                                       filter, &q, out_row);
                    hb_conv_im2col_run(p, in_d, in, filter_d, b, oy, ox_hi, out_d->w, col, cols,
                                       folded, filter, &q, out_row);
                } else {
                    hb_conv_im2col_run(p, in_d, in, filter_d, b, oy, 0, out_d->w, col, cols, folded,
                                       filter, &q, out_row);
                }
            }
        }
    }
}

#endif /* HB_KPATH_MVE */
