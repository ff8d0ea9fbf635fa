/* MAX_POOL_2D, DSP-extension path: 4 channels per 32-bit word. Signed byte max without unpacking:
 * SSUB8 sets each byte's GE flag where a >= b, SEL then takes a's byte there and b's elsewhere.
 * Loads and stores are 4-byte memcpy (one unaligned-safe LDR/STR); channels % 4 go scalar. */
#include "internal/hb_kernels_c.h"
#include "internal/hb_kernels_dsp.h"
#include "internal/hb_kpath.h"

#if HB_KPATH_DSP

#include <arm_acle.h>
#include <string.h>

#include "internal/hb_dsp_simd.h"
#include "internal/hb_pool.h"
#include "internal/hb_qmath.h"

/* Per byte: a >= b ? a : b (signed). */
static inline uint32_t hb_max_s8x4(uint32_t a, uint32_t b)
{
    (void)__ssub8((int8x4_t)a, (int8x4_t)b);
    return (uint32_t)__sel((uint8x4_t)a, (uint8x4_t)b);
}

/* Per byte: a >= b ? b : a (signed). */
static inline uint32_t hb_min_s8x4(uint32_t a, uint32_t b)
{
    (void)__ssub8((int8x4_t)a, (int8x4_t)b);
    return (uint32_t)__sel((uint8x4_t)b, (uint8x4_t)a);
}

/* The byte replicated into all 4 lanes. */
static inline uint32_t hb_splat4(int32_t v)
{
    return ((uint32_t)v & 0xffu) * 0x01010101u;
}

void hb_max_pool_s8_dsp(const hb_pool_params *p, const hb_dims4 *in_d, const int8_t *in,
                        const hb_dims4 *out_d, int8_t *out)
{
    const int32_t ch = in_d->c, ch4 = ch & ~3;
    /* act_min <= act_max, both int8 (the op's contract): clamp = min(max(m, lo), hi). */
    const uint32_t lo = hb_splat4(p->act_min), hi = hb_splat4(p->act_max);
    int32_t b, oy, ox, c, y, x;
    for (b = 0; b < out_d->n; b++) {
        for (oy = 0; oy < out_d->h; oy++) {
            int32_t iy0, y_lo, y_hi;
            hb_pool_window(oy, p->stride_h, p->pad_h, p->filter_h, in_d->h, &iy0, &y_lo, &y_hi);
            for (ox = 0; ox < out_d->w; ox++) {
                int32_t ix0, x_lo, x_hi;
                int8_t *dst = out + ((b * out_d->h + oy) * out_d->w + ox) * ch;
                hb_pool_window(ox, p->stride_w, p->pad_w, p->filter_w, in_d->w, &ix0, &x_lo, &x_hi);
                for (c = 0; c < ch4; c += 4) {
                    uint32_t m = 0x80808080u; /* -128: the window may miss the image */
                    for (y = y_lo; y < y_hi; y++) {
                        const int8_t *px = in + ((b * in_d->h + iy0 + y) * in_d->w + ix0 + x_lo) * ch + c;
                        for (x = x_lo; x < x_hi; x++, px += ch) {
                            m = hb_max_s8x4(hb_dsp_ld4(px), m);
                        }
                    }
                    m = hb_min_s8x4(hb_max_s8x4(m, lo), hi);
                    memcpy(dst + c, &m, sizeof m);
                }
                for (; c < ch; c++) {
                    int32_t v = -128;
                    for (y = y_lo; y < y_hi; y++) {
                        const int8_t *px = in + ((b * in_d->h + iy0 + y) * in_d->w + ix0 + x_lo) * ch + c;
                        for (x = x_lo; x < x_hi; x++, px += ch) {
                            v = *px > v ? *px : v;
                        }
                    }
                    dst[c] = (int8_t)hb_clamp(v, p->act_min, p->act_max);
                }
            }
        }
    }
}

#endif /* HB_KPATH_DSP */
