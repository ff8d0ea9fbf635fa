/* AVERAGE_POOL_2D, Helium (MVE) path: the window sums with channels across int32 lanes, 16
 * channels per step (4 vectors at one address per tap), the channel tail 4 at a time predicated.
 * The division (rounded half away from zero, as the reference's integer division) is scalar per
 * output: MVE has no vector divide, and pooled outputs are few next to the taps summed. */
#include "internal/hb_kernels_c.h"
#include "internal/hb_kernels_mve.h"
#include "internal/hb_kpath.h"

#if HB_KPATH_MVE

#include <arm_mve.h>

#include "internal/hb_pool.h"
#include "internal/hb_qmath.h"

/* sum / count rounded half away from zero, clamped (the reference's arithmetic). */
static inline int8_t hb_avg_div(int32_t sum, int32_t count, const hb_pool_params *p)
{
    if (count > 0) {
        sum = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
    }
    return (int8_t)hb_clamp(sum, p->act_min, p->act_max);
}

void hb_avg_pool_s8_mve(const hb_pool_params *p, const hb_dims4 *in_d, const int8_t *in,
                        const hb_dims4 *out_d, int8_t *out)
{
    const int32_t ch = in_d->c;
    int32_t sums[16] __attribute__((aligned(16)));
    int32_t b, oy, ox, c, y, x, i;
    for (b = 0; b < out_d->n; b++) {
        for (oy = 0; oy < out_d->h; oy++) {
            int32_t iy0, y_lo, y_hi;
            hb_pool_window(oy, p->stride_h, p->pad_h, p->filter_h, in_d->h, &iy0, &y_lo, &y_hi);
            for (ox = 0; ox < out_d->w; ox++) {
                int32_t ix0, x_lo, x_hi, count;
                int8_t *dst = out + ((b * out_d->h + oy) * out_d->w + ox) * ch;
                hb_pool_window(ox, p->stride_w, p->pad_w, p->filter_w, in_d->w, &ix0, &x_lo, &x_hi);
                count = (y_hi > y_lo && x_hi > x_lo) ? (y_hi - y_lo) * (x_hi - x_lo) : 0;
                for (c = 0; c < ch; c += 16) {
                    int32x4_t a0 = vdupq_n_s32(0), a1 = a0, a2 = a0, a3 = a0;
                    const int32_t n = ch - c < 16 ? ch - c : 16;
                    const mve_pred16_t p0 = vctp32q((uint32_t)n), p1 = vctp32q((uint32_t)(n > 4 ? n - 4 : 0));
                    const mve_pred16_t p2 = vctp32q((uint32_t)(n > 8 ? n - 8 : 0));
                    const mve_pred16_t p3 = vctp32q((uint32_t)(n > 12 ? n - 12 : 0));
                    for (y = y_lo; y < y_hi; y++) {
                        const int32_t row = (b * in_d->h + iy0 + y) * in_d->w + ix0;
                        for (x = x_lo; x < x_hi; x++) {
                            const int8_t *px = in + (row + x) * ch + c;
                            if (n == 16) {
                                a0 = vaddq_s32(a0, vldrbq_s32(px));
                                a1 = vaddq_s32(a1, vldrbq_s32(px + 4));
                                a2 = vaddq_s32(a2, vldrbq_s32(px + 8));
                                a3 = vaddq_s32(a3, vldrbq_s32(px + 12));
                            } else {
                                a0 = vaddq_s32(a0, vldrbq_z_s32(px, p0));
                                a1 = vaddq_s32(a1, vldrbq_z_s32(px + 4, p1));
                                a2 = vaddq_s32(a2, vldrbq_z_s32(px + 8, p2));
                                a3 = vaddq_s32(a3, vldrbq_z_s32(px + 12, p3));
                            }
                        }
                    }
                    vstrwq_s32(sums, a0);
                    vstrwq_s32(sums + 4, a1);
                    vstrwq_s32(sums + 8, a2);
                    vstrwq_s32(sums + 12, a3);
                    for (i = 0; i < n; i++) {
                        dst[c + i] = hb_avg_div(sums[i], count, p);
                    }
                }
            }
        }
    }
}

#endif /* HB_KPATH_MVE */
