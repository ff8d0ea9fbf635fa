/* SOFTMAX's pieces shared by the kernel paths: the row max, the per-row normalisation (TFLM's
 * GetReciprocal(sum, 12) up to its one_over_one_plus_x, and the exponent of the 1/256 output
 * scale), and how long a row the optimized paths keep exp for. */
#ifndef HB_SOFTMAX_H
#define HB_SOFTMAX_H

#include <stdint.h>

#include "hb_qmath.h"

/* Rows up to this long (classifier heads) keep their exp on the stack for the output pass in the
 * optimized paths (128 bytes, not in the arena); longer rows compute it again, as TFLM does. */
#define HB_SOFTMAX_KEEP 32

/* The largest of row[0..depth). */
static inline int32_t hb_softmax_row_max_s8(const int8_t *row, int32_t depth)
{
    int32_t m = -128, c;
    for (c = 0; c < depth; c++) {
        m = row[c] > m ? row[c] : m;
    }
    return m;
}

/* sum: the row's sum of exp in Q12.19, > 0 (the max's own exp(0) is in it). Returns the x of
 * 1 / (1 + x) (one_over_one_plus_x) that gives 1/sum as a Q0.31 significand; *exponent is the
 * right shift that lands the normalised exp on the output's 1/256 steps. */
static inline int32_t hb_softmax_row_norm(int32_t sum, int32_t *exponent)
{
    /* A sum wrapped to 0 (8192 equal logits) has 32 leading zeros and shifts to 0, as in TFLM. */
#if defined(__GNUC__)
    const int headroom = sum == 0 ? 32 : __builtin_clz((uint32_t)sum); /* one CLZ, no loop */
#else
    const int headroom = hb_clz32((uint32_t)sum);
#endif
    const int32_t e = 12 - headroom + 31 - 8;
    *exponent = e < 0 ? 0 : (e > 31 ? 31 : e);
    return (int32_t)((uint32_t)((uint64_t)(uint32_t)sum << headroom) - ((uint32_t)1 << 31));
}

#endif /* HB_SOFTMAX_H */
