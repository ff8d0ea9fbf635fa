/* hb_kernels_dsp_more.h - DSP-extension paths of the ops whose optimized paths came after
 * hb_kernels_dsp.h (ADD, AVERAGE_POOL_2D, MAX_POOL_2D, SOFTMAX), compiled when HB_KPATH_DSP. Same
 * contracts as the public kernels in hb_kernels.h; called only by their dispatch. */
#ifndef HB_KERNELS_DSP_MORE_H
#define HB_KERNELS_DSP_MORE_H

#include "hb_kernels.h"

void hb_add_s8_dsp(const hb_add_params *p, const hb_bcast *b, const int8_t *in1, const int8_t *in2,
                   int8_t *out);

void hb_avg_pool_s8_dsp(const hb_pool_params *p, const hb_dims4 *in_d, const int8_t *in,
                        const hb_dims4 *out_d, int8_t *out);

void hb_max_pool_s8_dsp(const hb_pool_params *p, const hb_dims4 *in_d, const int8_t *in,
                        const hb_dims4 *out_d, int8_t *out);

void hb_softmax_s8_dsp(int32_t input_mult, int32_t input_left_shift, int32_t diff_min,
                       int32_t outer, int32_t depth, const int8_t *in, int8_t *out);

#endif /* HB_KERNELS_DSP_MORE_H */
