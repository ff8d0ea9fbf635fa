/* hb_mve_block4.h - a block of 4 output channels for the Helium GEMMs (private; included only when
 * HB_KPATH_MVE by hb_mve_gemm_s8.c and hb_mve_conv_direct_s8.c). */
#ifndef HB_MVE_BLOCK4_H
#define HB_MVE_BLOCK4_H

#include "hb_mve_math.h"

/* A block of 4 output channels [oc, oc + n): filter rows and requantization lanes. Past cout the
 * block repeats its first filter row: those lanes are computed, never stored. */
typedef struct hb_block4 {
    const int8_t *w0, *w1, *w2, *w3;
    mve_pred16_t lanes;
    int32x4_t bias, mult, left, neg_right;
} hb_block4;

static inline __attribute__((always_inline)) void
hb_block4_init(hb_block4 *k, const int8_t *filter, int32_t depth, int32_t oc, int32_t cout,
               const int32_t *folded, const hb_mve_requant *q)
{
    const int32_t n = cout - oc < 4 ? cout - oc : 4;
    k->w0 = filter + oc * depth;
    k->w1 = n > 1 ? k->w0 + depth : k->w0;
    k->w2 = n > 2 ? k->w0 + 2 * depth : k->w0;
    k->w3 = n > 3 ? k->w0 + 3 * depth : k->w0;
    k->lanes = vctp32q((uint32_t)n);
    k->bias = vldrwq_z_s32(folded + oc, k->lanes);
    hb_mve_requant_lanes(q, oc, k->lanes, &k->mult, &k->left, &k->neg_right);
}

#endif /* HB_MVE_BLOCK4_H */
