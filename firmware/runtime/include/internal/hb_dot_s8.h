/*
 * hb_dot_s8.h - private: int8 dot products for the in-place weight kernels (hb_*_wsrc_s8), one
 * per kernel path (hb_kpath.h): Helium 16 lanes per step with a predicated tail, DSP two SMLADs
 * per 4 bytes, plain C otherwise. Integer sums, so every path gives the same int32 (wrapping).
 */
#ifndef HB_DOT_S8_H
#define HB_DOT_S8_H

#include <stdint.h>
#include <string.h>

#include "internal/hb_kpath.h"

#if HB_KPATH_MVE
#include <arm_mve.h>
#elif HB_KPATH_DSP
#include "internal/hb_dsp_simd.h"
#endif /* HB_KPATH */

/* sum_{k < n} a[k] * b[k] */
static inline int32_t hb_dot_s8(const int8_t *a, const int8_t *b, int32_t n)
{
#if HB_KPATH_MVE
    int32_t acc = 0;
    while (n > 0) {
        const mve_pred16_t p = vctp8q((uint32_t)n);
        acc = vmladavaq_p_s8(acc, vldrbq_z_s8(a, p), vldrbq_z_s8(b, p), p);
        a += 16;
        b += 16;
        n -= 16;
    }
    return acc;
#elif HB_KPATH_DSP
    int32_t acc = 0;
    for (; n >= 4; n -= 4, a += 4, b += 4) {
        const uint32_t x = hb_dsp_ld4(a), y = hb_dsp_ld4(b);
        acc = __smlad(__sxtb16((int8x4_t)x), __sxtb16((int8x4_t)y), acc);
        acc = __smlad(hb_dsp_sxtb16_ror8(x), hb_dsp_sxtb16_ror8(y), acc);
    }
    for (; n > 0; n--) {
        acc += (int32_t)*a++ * (int32_t)*b++;
    }
    return acc;
#else
    uint32_t acc = 0;
    int32_t k;
    for (k = 0; k < n; k++) {
        acc += (uint32_t)((int32_t)a[k] * (int32_t)b[k]);
    }
    return (int32_t)acc;
#endif /* HB_KPATH */
}

#endif /* HB_DOT_S8_H */
