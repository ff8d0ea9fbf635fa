/* DEPTHWISE_CONV_2D, Helium (MVE) path, depth multiplier 1 (any filter size, stride, dilation,
 * padding): channels across the four int32 lanes of a vector, 4 at a time, the channel tail
 * predicated. Per tap: widening loads of 4 input and 4 filter bytes, VMUL, VADD (MVE has no vector-by-vector integer MLA).
 * Folded bias: acc starts at bias + input_offset * sum_taps(filter), so the taps take raw inputs;
 * taps outside the image take the input zero point (-input_offset) instead and so add 0, as the
 * reference's skipped taps do. Pixels whose whole window is inside the image skip those checks.
 * Depth multiplier > 1 takes the plain C path (the MLPerf Tiny models and the zoo use 1). */
#include "internal/hb_kernels_c.h"
#include "internal/hb_kernels_mve.h"
#include "internal/hb_kpath.h"

#if HB_KPATH_MVE

#include "internal/hb_mve_gemm_s8.h"

int32_t hb_depthwise_conv_s8_mve_buffer_size(const hb_conv_params *p, const hb_dims4 *in_d, const
                                             hb_dims4 *filter_d, const hb_dims4 *out_d)
{
    (void)p;
    (void)in_d;
    (void)filter_d;
    (void)out_d;
    return 0;
}

/* Accumulate the filter window for channels [c, c + 4) of one output pixel. in_px points at the
 * window's top-left input pixel (possibly outside the image when !inside). */
static inline int32x4_t hb_dw_window(const hb_conv_params *p, const hb_dims4 *in_d,
                                     const hb_dims4 *filter_d, const int8_t *filter, const int8_t *in_img,
                                     int32_t iy0, int32_t ix0, int32_t c, mve_pred16_t lanes,
                                     int inside, int32x4_t acc)
{
    const int32_t ch = in_d->c;
    const int32x4_t zp = vdupq_n_s32(-p->input_offset);
    const int8_t *w = filter + c;
    int32_t ky, kx;
    if (inside) {
        for (ky = 0; ky < filter_d->h; ky++) {
            const int8_t *x = in_img + ((iy0 + ky * p->dilation_h) * in_d->w + ix0) * ch + c;
            for (kx = 0; kx < filter_d->w; kx++) {
                acc = vaddq_s32(acc, vmulq_s32(vldrbq_z_s32(x, lanes), vldrbq_z_s32(w, lanes)));
                x += p->dilation_w * ch;
                w += ch;
            }
        }
        return acc;
    }
    for (ky = 0; ky < filter_d->h; ky++) {
        const int32_t iy = iy0 + ky * p->dilation_h;
        for (kx = 0; kx < filter_d->w; kx++) {
            const int32_t ix = ix0 + kx * p->dilation_w;
            int32x4_t x = zp;
            if (iy >= 0 && iy < in_d->h && ix >= 0 && ix < in_d->w) {
                x = vldrbq_z_s32(in_img + (iy * in_d->w + ix) * ch + c, lanes);
            }
            acc = vaddq_s32(acc, vmulq_s32(x, vldrbq_z_s32(w, lanes)));
            w += ch;
        }
    }
    return acc;
}

void hb_depthwise_conv_s8_mve(const hb_scratch *scratch, const hb_conv_params *p, const int32_t
                              *mult, const int8_t *shift, const hb_dims4 *in_d, const int8_t *in,
                              const hb_dims4 *filter_d, const int8_t *filter, const int32_t *bias,
                              const int32_t *folded, const hb_dims4 *out_d, int8_t *out)
{
    const int32_t ch = in_d->c;
    const int32_t eff_h = (filter_d->h - 1) * p->dilation_h + 1;
    const int32_t eff_w = (filter_d->w - 1) * p->dilation_w + 1;
    const hb_mve_requant q = {mult, shift, 1, p->output_offset, p->act_min, p->act_max};
    const int32x4_t lo = vdupq_n_s32(p->act_min), hi = vdupq_n_s32(p->act_max);
    int32_t b, oy, ox, c;
    if (p->depth_multiplier != 1 || folded == 0) {
        hb_depthwise_conv_s8_c(scratch, p, mult, shift, in_d, in, filter_d, filter, bias, folded,
                               out_d, out);
        return;
    }
    for (b = 0; b < out_d->n; b++) {
        const int8_t *in_img = in + b * in_d->h * in_d->w * ch;
        for (oy = 0; oy < out_d->h; oy++) {
            const int32_t iy0 = oy * p->stride_h - p->pad_h;
            const int rows_in = iy0 >= 0 && iy0 + eff_h <= in_d->h;
            for (ox = 0; ox < out_d->w; ox++) {
                const int32_t ix0 = ox * p->stride_w - p->pad_w;
                const int inside = rows_in && ix0 >= 0 && ix0 + eff_w <= in_d->w;
                int8_t *dst = out + ((b * out_d->h + oy) * out_d->w + ox) * ch;
                for (c = 0; c < ch; c += 4) {
                    const mve_pred16_t lanes = vctp32q((uint32_t)(ch - c));
                    int32x4_t acc = vldrwq_z_s32(folded + c, lanes), m, left, neg_right;
                    acc = hb_dw_window(p, in_d, filter_d, filter, in_img, iy0, ix0, c, lanes, inside,
                                       acc);
                    hb_mve_requant_lanes(&q, c, lanes, &m, &left, &neg_right);
                    acc = hb_mve_requant_s32(acc, m, left, neg_right, q.out_offset);
                    vstrbq_p_s32(dst + c, vminq_s32(vmaxq_s32(acc, lo), hi), lanes);
                }
            }
        }
    }
}

#endif /* HB_KPATH_MVE */
