/*
 * hb_mve_gemm_s8.h - the Helium (MVE) GEMM shared by the int8 CONV_2D and FULLY_CONNECTED paths
 * (private; included only when HB_KPATH_MVE). Requantization arithmetic: hb_mve_math.h.
 */
#ifndef HB_MVE_GEMM_S8_H
#define HB_MVE_GEMM_S8_H

#include "hb_mve_math.h"

/*
 * GEMM with requantization, the core of CONV_2D (1x1 direct, or on im2col columns) and
 * FULLY_CONNECTED: for r < n_rows, oc < cout:
 *   out[r * out_stride + oc] = requant(folded[oc] + sum_{k < depth} row_r[k] * filter[oc * depth + k])
 * with row_r = rows + r * row_stride: raw int8 (padding already holding the input zero point, so
 * folded's offset term cancels it); filter [cout, depth]; folded [cout] from hb_fold_bias_s8.
 */
void hb_mve_gemm_s8(const int8_t *rows, int32_t n_rows, int32_t row_stride, int32_t depth,
                    const int8_t *filter, int32_t cout, const int32_t *folded,
                    const hb_mve_requant *q, int8_t *out, int32_t out_stride);

#endif /* HB_MVE_GEMM_S8_H */
