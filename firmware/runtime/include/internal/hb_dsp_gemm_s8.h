/*
 * hb_dsp_gemm_s8.h - the int8 matrix core shared by the DSP paths of CONV_2D (1x1 and im2col)
 * and FULLY_CONNECTED (HB_KPATH_DSP only).
 *
 * For every column j < n_cols and row r < rows:
 *   out[j * rows + r] = clamp(requant(bias[r] + sum_k w[r * depth + k] *
 *                                      (cols[j * depth + k] + input_offset)) + output_offset)
 * Columns are packed at a stride of depth bytes, outputs at a stride of rows (NHWC pixels).
 * Rows are output channels (filter rows, contiguous), columns are output pixels (or FC batches):
 * a 1x1 stride-1 convolution reads its input in place, any other passes im2col columns. Inputs are raw int8 widened with the offset added (sxtab16), so no folded
 * bias is needed; padding taps in im2col columns must hold the input zero point (-input_offset).
 */
#ifndef HB_DSP_GEMM_S8_H
#define HB_DSP_GEMM_S8_H

#include <stdint.h>

typedef struct hb_dsp_gemm {
    const int8_t *w;       /* [rows][depth] */
    const int32_t *bias;   /* [rows] or NULL */
    const int32_t *mult;   /* [rows] if per_channel, else [1] */
    const int8_t *shift;   /* same count as mult */
    int32_t per_channel;
    int32_t rows, depth;
    int32_t input_offset, output_offset, act_min, act_max;
} hb_dsp_gemm;

void hb_dsp_gemm_s8(const hb_dsp_gemm *g, const int8_t *cols, int32_t n_cols, int8_t *out);

#endif /* HB_DSP_GEMM_S8_H */
