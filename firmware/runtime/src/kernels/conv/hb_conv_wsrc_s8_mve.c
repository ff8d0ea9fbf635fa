/* CONV_2D and FULLY_CONNECTED with palette or N:M weights read in place, Helium (MVE) path (the
 * scalar one-MAC-per-non-zero N:M kernel is several times slower than Helium's dense GEMM, so N:M
 * saves flash here, not time): the weights of
 * a block of HB_WSRC_MVE_BLOCK_BYTES / K output channels (a multiple of 4, at least 4) are decoded
 * into scratch, then the dense path's GEMM cores (hb_mve_gemm_s8.h) run that block with the output
 * channel stride of the whole layer: inside pixels read their window rows straight from the input
 * (hb_mve_gemm_seg_s8), 1x1 layers read the input pixels themselves, border pixels go through a
 * one-column im2col (zero-point padded, so folded's offset term cancels the padding). Groups of 1 and
 * dilation_w 1 only (others take the channel-outer kernel, hb_conv_wsrc_s8.c). */
#include <string.h>

#include "internal/hb_kernels_wsrc.h"
#include "internal/hb_kpath.h"

#if HB_KPATH_MVE

#include "internal/hb_mve_gemm_s8.h"

int hb_conv_wsrc_mve_fits(const hb_wsrc *w, const hb_conv_params *p, const hb_dims4 *in_d,
                          const hb_dims4 *filter_d)
{
    return w->kind != HB_WSRC_RAW && !w->minor && filter_d->c == in_d->c && p->dilation_w == 1;
}

int32_t hb_wsrc_mve_block(const hb_wsrc *w)
{
    int32_t cb = (HB_WSRC_MVE_BLOCK_BYTES / (w->per_channel > 0 ? w->per_channel : 1)) & ~3;
    cb = cb < 4 ? 4 : (cb > HB_WSRC_MVE_BLOCK_MAX ? HB_WSRC_MVE_BLOCK_MAX : cb);
    return cb < w->channels ? cb : w->channels;
}

/* Channels [c0, c0 + n) decoded into filt; their folded bias into fold (from `folded`, or computed
 * from the decoded weights when it is NULL). Returns fold. */
static const int32_t *decode_block(const uint8_t *model, const hb_wsrc *w, int32_t c0, int32_t n,
                                   int8_t *filt, const int32_t *bias, const int32_t *folded,
                                   int32_t input_offset, int32_t *fold)
{
    int32_t k;
    for (k = 0; k < n; k++) {
        hb_wsrc_row(model, w, c0 + k, filt + k * w->per_channel);
        if (folded == 0) {
            fold[k] = hb_wsrc_fold(bias, c0 + k, input_offset, filt + k * w->per_channel,
                                   w->per_channel);
        }
    }
    return folded != 0 ? folded + c0 : fold;
}

/* im2col of one output pixel: [KH, KW, Cin], taps outside the image hold the zero point (one
 * fill or copy per filter row when the row lies wholly outside or inside). */
static void column(const hb_conv_params *p, const hb_dims4 *in_d, const int8_t *img,
                   const hb_dims4 *f, int32_t oy, int32_t ox, int8_t *col)
{
    const int32_t cin = in_d->c, run = f->w * cin;
    const int8_t zp = (int8_t)(-p->input_offset);
    const int32_t x0 = ox * p->stride_w - p->pad_w;
    int32_t ky, kx;
    for (ky = 0; ky < f->h; ky++) {
        const int32_t y = oy * p->stride_h - p->pad_h + ky * p->dilation_h;
        if (y < 0 || y >= in_d->h) {
            memset(col, zp, (size_t)run);
            col += run;
            continue;
        }
        if (x0 >= 0 && x0 + f->w <= in_d->w) {
            memcpy(col, img + (y * in_d->w + x0) * cin, (size_t)run);
            col += run;
            continue;
        }
        for (kx = 0; kx < f->w; kx++, col += cin) {
            const int32_t x = ox * p->stride_w - p->pad_w + kx;
            if (y < 0 || y >= in_d->h || x < 0 || x >= in_d->w) {
                memset(col, zp, (size_t)cin);
            } else {
                memcpy(col, img + (y * in_d->w + x) * cin, (size_t)cin);
            }
        }
    }
}

void hb_conv_wsrc_s8_mve(const hb_scratch *scratch, const hb_conv_params *p, const int32_t *mult,
                         const int8_t *shift, const hb_dims4 *in_d, const int8_t *in,
                         const hb_dims4 *filter_d, const uint8_t *model, const hb_wsrc *w,
                         const int32_t *bias, const int32_t *folded, const hb_dims4 *out_d,
                         int8_t *out)
{
    const int32_t cout = out_d->c, cin = in_d->c, depth = w->per_channel;
    const int32_t cb = hb_wsrc_mve_block(w);
    const int32_t span = in_d->w - filter_d->w + p->pad_w;
    const int32_t ox_lo = (p->pad_w + p->stride_w - 1) / p->stride_w;
    const int32_t ox_hi = span < 0 ? 0
                                   : (span / p->stride_w + 1 < out_d->w ? span / p->stride_w + 1
                                                                        : out_d->w);
    int8_t *filt = (int8_t *)scratch->buf;
    int8_t *col = filt + ((cb * depth + 15) & ~15);
    int32_t fold[HB_WSRC_MVE_BLOCK_MAX];
    int32_t c0, b, oy, ox;
    for (c0 = 0; c0 < cout; c0 += cb) {
        const int32_t n = cout - c0 < cb ? cout - c0 : cb;
        const hb_mve_requant q = {mult + c0, shift + c0, 1, p->output_offset, p->act_min,
                                  p->act_max};
        const int32_t *fb = decode_block(model, w, c0, n, filt, bias, folded, p->input_offset,
                                         fold);
        for (b = 0; b < out_d->n; b++) {
            const int8_t *img = in + b * in_d->h * in_d->w * cin;
            for (oy = 0; oy < out_d->h; oy++) {
                const int32_t iy0 = oy * p->stride_h - p->pad_h;
                const int rows_in = iy0 >= 0 && iy0 + (filter_d->h - 1) * p->dilation_h < in_d->h;
                int8_t *orow = out + ((b * out_d->h + oy) * out_d->w) * cout + c0;
                const int32_t lo = rows_in ? ox_lo : out_d->w, hi = rows_in ? ox_hi : out_d->w;
                if (rows_in && hi > lo) {
                    hb_mve_gemm_seg_s8(img + (iy0 * in_d->w + lo * p->stride_w - p->pad_w) * cin,
                                       hi - lo, p->stride_w * cin, filter_d->h, filter_d->w * cin,
                                       p->dilation_h * in_d->w * cin, filt, n, fb, &q,
                                       orow + lo * cout, cout);
                }
                /* border pixels: runs of up to HB_WSRC_MVE_COLS im2col columns per GEMM */
                for (ox = 0; ox < out_d->w;) {
                    int32_t k = 0;
                    if (rows_in && ox >= lo && ox < hi) {
                        ox = hi;
                        continue;
                    }
                    while (k < HB_WSRC_MVE_COLS && ox + k < out_d->w &&
                           !(rows_in && ox + k >= lo && ox + k < hi)) {
                        column(p, in_d, img, filter_d, oy, ox + k, col + k * depth);
                        k++;
                    }
                    hb_mve_gemm_s8(col, k, depth, depth, filt, n, fb, &q, orow + ox * cout, cout);
                    ox += k;
                }
            }
        }
    }
}

void hb_fully_connected_wsrc_s8_mve(const hb_scratch *scratch, const hb_fc_params *p,
                                    const int32_t *mult, const int8_t *shift, int32_t batches,
                                    int32_t depth, int32_t channels, const int8_t *in,
                                    const uint8_t *model, const hb_wsrc *w, const int32_t *bias,
                                    const int32_t *folded, int8_t *out)
{
    const int32_t cb = hb_wsrc_mve_block(w);
    int8_t *filt = (int8_t *)scratch->buf;
    int32_t fold[HB_WSRC_MVE_BLOCK_MAX];
    int32_t c0;
    for (c0 = 0; c0 < channels; c0 += cb) {
        const int32_t n = channels - c0 < cb ? channels - c0 : cb;
        const int32_t k = p->per_channel ? c0 : 0;
        const hb_mve_requant q = {mult + k, shift + k, p->per_channel, p->output_offset,
                                  p->act_min, p->act_max};
        const int32_t *fb = decode_block(model, w, c0, n, filt, bias, folded, p->input_offset,
                                         fold);
        hb_mve_gemm_s8(in, batches, depth, depth, filt, n, fb, &q, out + c0, channels);
    }
}

#endif /* HB_KPATH_MVE */
