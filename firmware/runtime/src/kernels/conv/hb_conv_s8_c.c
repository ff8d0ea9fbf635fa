/* CONV_2D int8 with per-channel requantization (TFLM reference ConvPerChannel arithmetic):
 * acc = sum filter * (input + input_offset) over in-image taps, + bias, requantize, + output
 * offset, clamp. Grouped convolution when Cin is a multiple of the filter depth. */
#include "internal/hb_conv_window.h"
#include "internal/hb_kernels_c.h"
#include "internal/hb_qmath.h"

int32_t hb_conv_s8_c_buffer_size(const hb_conv_params *p, const hb_dims4 *in_d,
                                const hb_dims4 *filter_d, const hb_dims4 *out_d)
{
    (void)p;
    (void)in_d;
    (void)filter_d;
    (void)out_d;
    return 0;
}

void hb_conv_s8_c(const hb_scratch *scratch, const hb_conv_params *p, const int32_t *mult,
                 const int8_t *shift, const hb_dims4 *in_d, const int8_t *in,
                 const hb_dims4 *filter_d, const int8_t *filter, const int32_t *bias,
                 const int32_t *folded, const hb_dims4 *out_d, int8_t *out)
{
    const int32_t fdepth = filter_d->c;
    const int32_t groups = in_d->c / fdepth;
    const int32_t per_group = out_d->c / groups;
    int32_t b, oy, ox, oc, ky, kx, ic;
    (void)scratch; /* the reference path needs no scratch */
    for (b = 0; b < out_d->n; b++) {
        for (oy = 0; oy < out_d->h; oy++) {
            const int32_t iy0 = oy * p->stride_h - p->pad_h;
            for (ox = 0; ox < out_d->w; ox++) {
                const int32_t ix0 = ox * p->stride_w - p->pad_w;
                /* A window inside the image sums w * x and adds the folded bias (bias +
                 * input_offset * sum w, from prepare): the same bits modulo 2^32. */
                const int inside = folded != 0 && hb_window_inside(iy0, ix0, p, filter_d, in_d);
                const int32_t off = inside ? 0 : p->input_offset;
                for (oc = 0; oc < out_d->c; oc++) {
                    const int32_t in_c0 = (oc / per_group) * fdepth;
                    uint32_t acc = 0; /* wraps like the reference's int32 sum, without UB */
                    for (ky = 0; ky < filter_d->h; ky++) {
                        const int32_t iy = iy0 + p->dilation_h * ky;
                        if (iy < 0 || iy >= in_d->h) {
                            continue;
                        }
                        for (kx = 0; kx < filter_d->w; kx++) {
                            const int32_t ix = ix0 + p->dilation_w * kx;
                            const int8_t *ip, *fp;
                            if (ix < 0 || ix >= in_d->w) {
                                continue;
                            }
                            ip = in + (((b * in_d->h + iy) * in_d->w + ix) * in_d->c + in_c0);
                            fp = filter + (((oc * filter_d->h + ky) * filter_d->w + kx) * fdepth);
                            for (ic = 0; ic < fdepth; ic++) {
                                acc += (uint32_t)((int32_t)fp[ic] * ((int32_t)ip[ic] + off));
                            }
                        }
                    }
                    if (inside) {
                        acc += (uint32_t)folded[oc];
                    } else if (bias != 0) {
                        acc += (uint32_t)bias[oc];
                    }
                    out[((b * out_d->h + oy) * out_d->w + ox) * out_d->c + oc] = (int8_t)hb_clamp(
                        hb_mbqm((int32_t)acc, mult[oc], shift[oc]) + p->output_offset, p->act_min,
                        p->act_max);
                }
            }
        }
    }
}
