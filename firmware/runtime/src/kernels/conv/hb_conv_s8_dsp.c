/* CONV_2D, Arm DSP extension path (Cortex-M4/M7/M33), on the shared GEMM core hb_dsp_gemm_s8:
 * rows = output channels (filter [Cout][KH*KW*Cin] is already row-major), columns = output
 * pixels, two at a time. Scratch holds one column block (the int16 layout of hb_dsp_gemm_s8.h):
 * - 1x1, stride 1, no padding: each column is an input pixel, widened straight from the input
 *   (Cin <= HB_DSP_DIRECT_MAX_DEPTH: read in place as int8 by hb_dsp_gemm_s8_direct, no scratch);
 * - otherwise im2col: a pixel's receptive field in filter order (KH, KW, Cin), padding taps 0.
 *   When Cin % 4 == 0 every tap is whole 4-step groups and is widened straight from the input;
 *   otherwise the field is gathered as int8 into a staging area first (first layers, Cin 1-3).
 * Grouped convolution (Cin != filter depth) stays on the plain C path. */
#include "internal/hb_kernels_c.h"
#include "internal/hb_kernels_dsp.h"
#include "internal/hb_kpath.h"

#if HB_KPATH_DSP

#include "internal/hb_dsp_gemm_s8.h"

static int pointwise(const hb_conv_params *p, const hb_dims4 *in_d, const hb_dims4 *filter_d,
                     const hb_dims4 *out_d)
{
    return filter_d->h == 1 && filter_d->w == 1 && p->pad_h == 0 && p->pad_w == 0 &&
           p->stride_h == 1 && p->stride_w == 1 && out_d->h == in_d->h && out_d->w == in_d->w;
}

/* Bytes of the int8 staging area (0 when taps are widened straight from the input). */
static int32_t staging_bytes(const hb_conv_params *p, const hb_dims4 *in_d,
                             const hb_dims4 *filter_d, const hb_dims4 *out_d)
{
    if (pointwise(p, in_d, filter_d, out_d) || in_d->c % 4 == 0) {
        return 0;
    }
    return (filter_d->h * filter_d->w * filter_d->c + 3) & ~3;
}

/* Pointwise layers this short read their input in place (hb_dsp_gemm_s8_direct): there the
 * per-block set-up of the widened path costs more than widening each input once per row pair
 * (measured on mps2-an386: MobileNet's 8-, 16- and 32-deep layers gain, kws's 64-deep lose). */
#define HB_DSP_DIRECT_MAX_DEPTH 32

static int direct(const hb_conv_params *p, const hb_dims4 *in_d, const hb_dims4 *filter_d,
                  const hb_dims4 *out_d)
{
    return pointwise(p, in_d, filter_d, out_d) && in_d->c == filter_d->c &&
           in_d->c <= HB_DSP_DIRECT_MAX_DEPTH;
}

int32_t hb_conv_s8_dsp_buffer_size(const hb_conv_params *p, const hb_dims4 *in_d, const hb_dims4
                                   *filter_d, const hb_dims4 *out_d)
{
    const int32_t depth = filter_d->h * filter_d->w * filter_d->c;
    if (in_d->c != filter_d->c || direct(p, in_d, filter_d, out_d)) {
        return 0;
    }
    return hb_dsp_block_len(depth, 2) * (int32_t)sizeof(int16_t) +
           staging_bytes(p, in_d, filter_d, out_d);
}

/* Copy n bytes (a short run: first layers have 1-3 channels, so no library call). */
static inline void copy_run(int8_t *dst, const int8_t *src, int32_t n)
{
    int32_t i;
    for (i = 0; i < n; i++) {
        dst[i] = src[i];
    }
}

static inline void fill_run(int8_t *dst, int8_t v, int32_t n)
{
    int32_t i;
    for (i = 0; i < n; i++) {
        dst[i] = v;
    }
}

/* The receptive field of the output pixel whose top-left input tap is (iy0, ix0) in image b,
 * as KH*KW*Cin int8 in filter order; taps outside the image hold zp (x + input_offset = 0).
 * With dilation 1 a filter row's in-image taps are one contiguous run of the input row. */
static void gather_s8(const hb_conv_params *p, const hb_dims4 *in_d, const int8_t *in,
                      const hb_dims4 *filter_d, int32_t b, int32_t iy0, int32_t ix0, int8_t *col)
{
    /* Locals: the int8 stores could alias the parameter structs. */
    const int8_t zp = (int8_t)-p->input_offset;
    const int32_t cin = in_d->c, h = in_d->h, w = in_d->w, kh = filter_d->h, kw = filter_d->w;
    const int32_t dh = p->dilation_h, dw = p->dilation_w;
    int32_t ky, kx;
    for (ky = 0; ky < kh; ky++, col += kw * cin) {
        const int32_t iy = iy0 + dh * ky;
        const int8_t *row;
        if (iy < 0 || iy >= h) {
            fill_run(col, zp, kw * cin);
            continue;
        }
        row = in + (b * h + iy) * w * cin;
        if (dw == 1) {
            const int32_t lo = ix0 < 0 ? (-ix0 < kw ? -ix0 : kw) : 0;
            int32_t hi = w - ix0;
            hi = hi < lo ? lo : (hi > kw ? kw : hi);
            fill_run(col, zp, lo * cin);
            copy_run(col + lo * cin, row + (ix0 + lo) * cin, (hi - lo) * cin);
            fill_run(col + hi * cin, zp, (kw - hi) * cin);
        } else {
            for (kx = 0; kx < kw; kx++) {
                const int32_t ix = ix0 + dw * kx;
                if (ix < 0 || ix >= w) {
                    fill_run(col + kx * cin, zp, cin);
                } else {
                    copy_run(col + kx * cin, row + ix * cin, cin);
                }
            }
        }
    }
}

/* The same field widened straight into column j of the block (Cin % 4 == 0). With dilation 1
 * the in-image taps of a filter row are contiguous in the input and in the column: one run. */
static void gather_wide(const hb_conv_params *p, const hb_dims4 *in_d, const int8_t *in,
                        const hb_dims4 *filter_d, int32_t b, int32_t iy0, int32_t ix0,
                        int32_t n_cols, int32_t j, int16_t *block)
{
    const int32_t c4 = in_d->c / 4, kw = filter_d->w, off = p->input_offset;
    int32_t ky, kx;
    for (ky = 0; ky < filter_d->h; ky++) {
        const int32_t iy = iy0 + p->dilation_h * ky, k4 = ky * kw * c4;
        const int8_t *row;
        if (iy < 0 || iy >= in_d->h) {
            hb_dsp_expand_run(0, k4, kw * c4, off, n_cols, j, block);
            continue;
        }
        row = in + (b * in_d->h + iy) * in_d->w * in_d->c;
        if (p->dilation_w == 1) {
            const int32_t lo = ix0 < 0 ? (-ix0 < kw ? -ix0 : kw) : 0;
            int32_t hi = in_d->w - ix0;
            hi = hi < lo ? lo : (hi > kw ? kw : hi);
            hb_dsp_expand_run(0, k4, lo * c4, off, n_cols, j, block);
            hb_dsp_expand_run(row + (ix0 + lo) * in_d->c, k4 + lo * c4, (hi - lo) * c4, off,
                              n_cols, j, block);
            hb_dsp_expand_run(0, k4 + hi * c4, (kw - hi) * c4, off, n_cols, j, block);
            continue;
        }
        for (kx = 0; kx < kw; kx++) {
            const int32_t ix = ix0 + p->dilation_w * kx;
            hb_dsp_expand_run(ix < 0 || ix >= in_d->w ? 0 : row + ix * in_d->c, k4 + kx * c4, c4,
                              off, n_cols, j, block);
        }
    }
}

void hb_conv_s8_dsp(const hb_scratch *scratch, const hb_conv_params *p, const int32_t *mult, const
                    int8_t *shift, const hb_dims4 *in_d, const int8_t *in, const hb_dims4 *filter_d,
                    const int8_t *filter, const int32_t *bias, const int32_t *folded, const hb_dims4
                    *out_d, int8_t *out)
{
    const int32_t need = hb_conv_s8_dsp_buffer_size(p, in_d, filter_d, out_d);
    const int32_t n_pix = out_d->n * out_d->h * out_d->w;
    const int is_pointwise = pointwise(p, in_d, filter_d, out_d);
    const int staged = staging_bytes(p, in_d, filter_d, out_d) > 0;
    int16_t *block;
    int8_t *staging;
    hb_dsp_gemm g;
    int32_t pix;
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
    g.output_offset = p->output_offset;
    g.act_min = p->act_min;
    g.act_max = p->act_max;
    if (direct(p, in_d, filter_d, out_d)) {
        hb_dsp_gemm_s8_direct(&g, in, n_pix, p->input_offset, out);
        return;
    }
    block = (int16_t *)scratch->buf;
    staging = (int8_t *)scratch->buf + hb_dsp_block_len(g.depth, 2) * (int32_t)sizeof(int16_t);
    for (pix = 0; pix < n_pix; pix += 2) {
        const int32_t n_cols = pix + 1 < n_pix ? 2 : 1;
        int32_t j;
        for (j = 0; j < n_cols; j++) {
            const int32_t q = pix + j, ox = q % out_d->w, oy = (q / out_d->w) % out_d->h;
            const int32_t b = q / (out_d->w * out_d->h);
            const int32_t iy0 = oy * p->stride_h - p->pad_h, ix0 = ox * p->stride_w - p->pad_w;
            if (is_pointwise) {
                hb_dsp_expand_col(in + q * in_d->c, g.depth, p->input_offset, n_cols, j, block);
            } else if (staged) {
                gather_s8(p, in_d, in, filter_d, b, iy0, ix0, staging);
                hb_dsp_expand_col(staging, g.depth, p->input_offset, n_cols, j, block);
            } else {
                gather_wide(p, in_d, in, filter_d, b, iy0, ix0, n_cols, j, block);
            }
        }
        hb_dsp_gemm_s8(&g, block, n_cols, out + pix * g.rows);
    }
}

#endif /* HB_KPATH_DSP */
