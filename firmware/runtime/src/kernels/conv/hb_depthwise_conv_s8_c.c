/* DEPTHWISE_CONV_2D int8, any depth multiplier (TFLM reference DepthwiseConvPerChannel):
 * output channel oc = ic * M + m reads input channel ic and filter column oc. */
#include "internal/hb_conv_window.h"
#include "internal/hb_kernels_c.h"
#include "internal/hb_qmath.h"

int32_t hb_depthwise_conv_s8_c_buffer_size(const hb_conv_params *p, const hb_dims4 *in_d,
                                          const hb_dims4 *filter_d, const hb_dims4 *out_d)
{
    (void)p;
    (void)in_d;
    (void)filter_d;
    (void)out_d;
    return 0;
}

void hb_depthwise_conv_s8_c(const hb_scratch *scratch, const hb_conv_params *p, const int32_t *mult,
                           const int8_t *shift, const hb_dims4 *in_d, const int8_t *in,
                           const hb_dims4 *filter_d, const int8_t *filter, const int32_t *bias,
                           const int32_t *folded, const hb_dims4 *out_d, int8_t *out)
{
    const int32_t m_count = p->depth_multiplier;
    int32_t b, oy, ox, ic, m, ky, kx;
    (void)scratch; /* the reference path needs no scratch */
    for (b = 0; b < out_d->n; b++) {
        for (oy = 0; oy < out_d->h; oy++) {
            const int32_t iy0 = oy * p->stride_h - p->pad_h;
            for (ox = 0; ox < out_d->w; ox++) {
                const int32_t ix0 = ox * p->stride_w - p->pad_w;
                /* Inside the image: sum w * x + folded bias (see hb_conv_s8_c.c). */
                const int inside = folded != 0 && hb_window_inside(iy0, ix0, p, filter_d, in_d);
                const int32_t off = inside ? 0 : p->input_offset;
                for (ic = 0; ic < in_d->c; ic++) {
                    for (m = 0; m < m_count; m++) {
                        const int32_t oc = ic * m_count + m;
                        uint32_t acc = 0; /* wraps like the reference, without UB */
                        for (ky = 0; ky < filter_d->h; ky++) {
                            const int32_t iy = iy0 + p->dilation_h * ky;
                            if (iy < 0 || iy >= in_d->h) {
                                continue;
                            }
                            for (kx = 0; kx < filter_d->w; kx++) {
                                const int32_t ix = ix0 + p->dilation_w * kx;
                                int32_t iv, fv;
                                if (ix < 0 || ix >= in_d->w) {
                                    continue;
                                }
                                iv = in[((b * in_d->h + iy) * in_d->w + ix) * in_d->c + ic];
                                fv = filter[(ky * filter_d->w + kx) * filter_d->c + oc];
                                acc += (uint32_t)(fv * (iv + off));
                            }
                        }
                        if (inside) {
                            acc += (uint32_t)folded[oc];
                        } else if (bias != 0) {
                            acc += (uint32_t)bias[oc];
                        }
                        out[((b * out_d->h + oy) * out_d->w + ox) * out_d->c + oc] =
                            (int8_t)hb_clamp(hb_mbqm((int32_t)acc, mult[oc], shift[oc]) +
                                                 p->output_offset,
                                             p->act_min, p->act_max);
                    }
                }
            }
        }
    }
}
