/* hb_conv_window.h - whether a convolution window lies entirely inside the input image. */
#ifndef HB_CONV_WINDOW_H
#define HB_CONV_WINDOW_H

#include "hb_kernels.h"

/* 1 when every tap of the (dilated) filter window starting at input row iy0, column ix0 reads the
 * image: no padding taps, so sum w * (x + off) + bias == sum w * x + folded. Prepare bounds the
 * dilated filter and the image by 2^30, so the sums cannot overflow. */
static inline int hb_window_inside(int32_t iy0, int32_t ix0, const hb_conv_params *p,
                                   const hb_dims4 *filter_d, const hb_dims4 *in_d)
{
    return iy0 >= 0 && ix0 >= 0 && iy0 + p->dilation_h * (filter_d->h - 1) < in_d->h &&
           ix0 + p->dilation_w * (filter_d->w - 1) < in_d->w;
}

#endif /* HB_CONV_WINDOW_H */
