/* SOFTMAX's per-row output scale, shared by every kernel path (TFLM's GetReciprocal(sum, 12) and
 * the exponent of the 1/256 output scale). */
#ifndef HB_SOFTMAX_H
#define HB_SOFTMAX_H

#include <stdint.h>

#include "hb_qmath.h"

/* sum: the row's sum of exp in Q12.19, > 0 (the max's own exp(0) is in it). Returns 1/sum as a
 * Q0.31 significand; *exponent is the right shift that lands sum-normalised exp on 1/256 steps. */
static inline int32_t hb_softmax_row_scale(int32_t sum, int32_t *exponent)
{
#if defined(__GNUC__)
    const int headroom = __builtin_clz((uint32_t)sum); /* one CLZ instead of hb_clz32's loop */
#else
    const int headroom = hb_clz32((uint32_t)sum);
#endif
    const int32_t e = 12 - headroom + 31 - 8;
    *exponent = e < 0 ? 0 : (e > 31 ? 31 : e);
    return hb_one_over_one_plus_x((int32_t)(((uint32_t)sum << headroom) - ((uint32_t)1 << 31)));
}

#endif /* HB_SOFTMAX_H */
