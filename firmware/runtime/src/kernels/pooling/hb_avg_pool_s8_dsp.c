/* AVERAGE_POOL_2D, DSP-extension path: 4 channels per 32-bit word. SXTB16 widens a word of four
 * int8 into [c0, c2] and [c1, c3] int16 pairs and SADD16 adds a pair per instruction; the window
 * sums are exact integers, so the result is the C kernel's byte for byte (same rounding division
 * and clamp). An int16 lane holds the sum of at most 256 int8 values (256 x -128 = -32768), so the
 * pairs are flushed into int32 sums every 256 window elements. Channels % 4 go scalar. */
#include "internal/hb_kernels_dsp.h"
#include "internal/hb_kpath.h"

#if HB_KPATH_DSP

#include <arm_acle.h>

#include "internal/hb_dsp_simd.h"
#include "internal/hb_pool.h"
#include "internal/hb_qmath.h"

#define HB_AVG_FLUSH 256 /* window elements an int16 lane can sum without overflow */

/* Sum of n int8 values, divided by n rounding half away from zero (TFLM), then clamped. */
static inline int8_t hb_avg_out(int32_t sum, int32_t n, int32_t lo, int32_t hi)
{
    if (n > 0) {
        sum = sum > 0 ? (sum + n / 2) / n : (sum - n / 2) / n;
    }
    return (int8_t)hb_clamp(sum, lo, hi);
}

/* Add the int16 halves of the pairs into the int32 sums of channels c .. c + 3. */
static inline void hb_avg_flush(int16x2_t even, int16x2_t odd, int32_t *sum)
{
    sum[0] += (int16_t)((uint32_t)even & 0xffffu);
    sum[2] += (int16_t)((uint32_t)even >> 16);
    sum[1] += (int16_t)((uint32_t)odd & 0xffffu);
    sum[3] += (int16_t)((uint32_t)odd >> 16);
}

void hb_avg_pool_s8_dsp(const hb_pool_params *p, const hb_dims4 *in_d, const int8_t *in,
                        const hb_dims4 *out_d, int8_t *out)
{
    const int32_t ch = in_d->c, ch4 = ch & ~3;
    int32_t b, oy, ox, c, y, x;
    for (b = 0; b < out_d->n; b++) {
        for (oy = 0; oy < out_d->h; oy++) {
            int32_t iy0, y_lo, y_hi;
            hb_pool_window(oy, p->stride_h, p->pad_h, p->filter_h, in_d->h, &iy0, &y_lo, &y_hi);
            for (ox = 0; ox < out_d->w; ox++) {
                int32_t ix0, x_lo, x_hi, count;
                const int8_t *win;
                int8_t *dst = out + ((b * out_d->h + oy) * out_d->w + ox) * ch;
                hb_pool_window(ox, p->stride_w, p->pad_w, p->filter_w, in_d->w, &ix0, &x_lo, &x_hi);
                count = (y_hi > y_lo && x_hi > x_lo) ? (y_hi - y_lo) * (x_hi - x_lo) : 0;
                win = in + ((b * in_d->h + iy0) * in_d->w + ix0) * ch;
                for (c = 0; c < ch4; c += 4) {
                    int32_t sum[4] = {0, 0, 0, 0}, n = 0;
                    int16x2_t even = 0, odd = 0;
                    for (y = y_lo; y < y_hi; y++) {
                        const int8_t *row = win + (y * in_d->w) * ch + c;
                        for (x = x_lo; x < x_hi; x++) {
                            const uint32_t v = hb_dsp_ld4(row + x * ch);
                            even = __sadd16(even, __sxtb16((int8x4_t)v));
                            odd = __sadd16(odd, hb_dsp_sxtb16_ror8(v));
                            if (++n == HB_AVG_FLUSH) {
                                hb_avg_flush(even, odd, sum);
                                even = odd = 0;
                                n = 0;
                            }
                        }
                    }
                    hb_avg_flush(even, odd, sum);
                    dst[c] = hb_avg_out(sum[0], count, p->act_min, p->act_max);
                    dst[c + 1] = hb_avg_out(sum[1], count, p->act_min, p->act_max);
                    dst[c + 2] = hb_avg_out(sum[2], count, p->act_min, p->act_max);
                    dst[c + 3] = hb_avg_out(sum[3], count, p->act_min, p->act_max);
                }
                for (; c < ch; c++) {
                    int32_t sum = 0;
                    for (y = y_lo; y < y_hi; y++) {
                        for (x = x_lo; x < x_hi; x++) {
                            sum += win[(y * in_d->w + x) * ch + c];
                        }
                    }
                    dst[c] = hb_avg_out(sum, count, p->act_min, p->act_max);
                }
            }
        }
    }
}

#endif /* HB_KPATH_DSP */
