/* MAX_POOL_2D int8, plain C path (TFLM reference): max over the in-image part of the window, clamped.
 * Always compiled: the reference the Helium and DSP paths are checked against. */
#include "internal/hb_kernels_c.h"
#include "internal/hb_pool.h"
#include "internal/hb_qmath.h"

void hb_max_pool_s8_c(const hb_pool_params *p, const hb_dims4 *in_d, const int8_t *in,
                      const hb_dims4 *out_d, int8_t *out)
{
    int32_t b, oy, ox, c, y, x;
    for (b = 0; b < out_d->n; b++) {
        for (oy = 0; oy < out_d->h; oy++) {
            int32_t iy0, y_lo, y_hi;
            hb_pool_window(oy, p->stride_h, p->pad_h, p->filter_h, in_d->h, &iy0, &y_lo, &y_hi);
            for (ox = 0; ox < out_d->w; ox++) {
                int32_t ix0, x_lo, x_hi;
                hb_pool_window(ox, p->stride_w, p->pad_w, p->filter_w, in_d->w, &ix0, &x_lo, &x_hi);
                for (c = 0; c < out_d->c; c++) {
                    int32_t m = -128;
                    for (y = y_lo; y < y_hi; y++) {
                        for (x = x_lo; x < x_hi; x++) {
                            const int32_t v =
                                in[((b * in_d->h + iy0 + y) * in_d->w + ix0 + x) * in_d->c + c];
                            m = v > m ? v : m;
                        }
                    }
                    out[((b * out_d->h + oy) * out_d->w + ox) * out_d->c + c] =
                        (int8_t)hb_clamp(m, p->act_min, p->act_max);
                }
            }
        }
    }
}
