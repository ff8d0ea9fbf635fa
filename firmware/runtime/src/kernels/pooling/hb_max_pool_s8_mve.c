/* MAX_POOL_2D, Helium (MVE) path: channels across the 16 int8 lanes, one VLDRB + VMAX per tap and
 * 16 channels; the channel tail is the same loop under a VCTP8 predicate (loads and the store of
 * the lanes past the last channel are masked off). Max is exact in int8, so no widening. */
#include "internal/hb_kernels_c.h"
#include "internal/hb_kernels_mve.h"
#include "internal/hb_kpath.h"

#if HB_KPATH_MVE

#include <arm_mve.h>

#include "internal/hb_pool.h"

void hb_max_pool_s8_mve(const hb_pool_params *p, const hb_dims4 *in_d, const int8_t *in,
                        const hb_dims4 *out_d, int8_t *out)
{
    const int32_t ch = in_d->c;
    /* act_min <= act_max, both int8 (the op's contract): clamp = min(max(m, lo), hi). */
    const int8x16_t lo = vdupq_n_s8((int8_t)p->act_min), hi = vdupq_n_s8((int8_t)p->act_max);
    int32_t b, oy, ox, c, y, x;
    for (b = 0; b < out_d->n; b++) {
        for (oy = 0; oy < out_d->h; oy++) {
            int32_t iy0, y_lo, y_hi;
            hb_pool_window(oy, p->stride_h, p->pad_h, p->filter_h, in_d->h, &iy0, &y_lo, &y_hi);
            for (ox = 0; ox < out_d->w; ox++) {
                int32_t ix0, x_lo, x_hi;
                int8_t *dst = out + ((b * out_d->h + oy) * out_d->w + ox) * ch;
                hb_pool_window(ox, p->stride_w, p->pad_w, p->filter_w, in_d->w, &ix0, &x_lo, &x_hi);
                for (c = 0; c < ch; c += 16) {
                    const mve_pred16_t pc = vctp8q((uint32_t)(ch - c));
                    /* -128 when the window misses the image, as the reference. */
                    int8x16_t m = vdupq_n_s8(-128);
                    for (y = y_lo; y < y_hi; y++) {
                        const int8_t *px = in + ((b * in_d->h + iy0 + y) * in_d->w + ix0 + x_lo) * ch + c;
                        for (x = x_lo; x < x_hi; x++, px += ch) {
                            m = vmaxq_s8(m, vldrbq_z_s8(px, pc));
                        }
                    }
                    vstrbq_p_s8(dst + c, vminq_s8(vmaxq_s8(m, lo), hi), pc);
                }
            }
        }
    }
}

#endif /* HB_KPATH_MVE */
