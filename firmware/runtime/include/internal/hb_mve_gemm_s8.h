/*
 * hb_mve_gemm_s8.h - the Helium (MVE) GEMM shared by the int8 CONV_2D and FULLY_CONNECTED paths
 * (private; included only when HB_KPATH_MVE). Requantization arithmetic: hb_mve_math.h.
 */
#ifndef HB_MVE_GEMM_S8_H
#define HB_MVE_GEMM_S8_H

#include "hb_kernels.h"
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

/* The same GEMM with each row read as `segs` runs of seg_len bytes (a multiple of 16 when segs > 1),
 * seg_stride bytes apart, depth = segs * seg_len: the rows of a conv window whose columns are all
 * inside the image, straight from the input. */
void hb_mve_gemm_seg_s8(const int8_t *rows, int32_t n_rows, int32_t row_stride, int32_t segs,
                        int32_t seg_len, int32_t seg_stride, const int8_t *filter, int32_t cout,
                        const int32_t *folded, const hb_mve_requant *q, int8_t *out,
                        int32_t out_stride);

/*
 * CONV_2D as an implicit GEMM, without im2col scratch: each output pixel's row is read from the
 * input window directly, one contiguous run per filter row when the window's columns are inside
 * the image (dilation 1), else tap by tap; taps outside the image read the input zero point
 * (-input_offset) and so add 0 against folded (hb_fold_bias_s8). Groups of 1 only.
 * Best when the runs are long (KW * Cin >= 16); short runs pay a predicated tail each.
 */
void hb_mve_conv_direct_s8(const hb_conv_params *p, const hb_dims4 *in_d, const int8_t *in,
                           const hb_dims4 *filter_d, const int8_t *filter, const hb_dims4 *out_d,
                           const int32_t *folded, const hb_mve_requant *q, int8_t *out);

#endif /* HB_MVE_GEMM_S8_H */
