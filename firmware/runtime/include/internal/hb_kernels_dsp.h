/* hb_kernels_dsp.h - the Arm DSP-extension paths, compiled when HB_KPATH_DSP.
 * Same contracts as the public kernels in hb_kernels.h. Each kernel this path has is one
 * `#define HB_DSP_<kernel> 1` line above its prototype: the dispatch (HB_KERNEL, hb_kpath.h) and the
 * runtime's operator table (hb_run --ops) read that line. A kernel without one runs its plain C
 * path on DSP builds. */
#ifndef HB_KERNELS_DSP_H
#define HB_KERNELS_DSP_H

#include "hb_kernels.h"

#define HB_DSP_conv_s8 1
int32_t hb_conv_s8_dsp_buffer_size(const hb_conv_params *p, const hb_dims4 *in_d, const hb_dims4
                                   *filter_d, const hb_dims4 *out_d);
void hb_conv_s8_dsp(const hb_scratch *scratch, const hb_conv_params *p, const int32_t *mult, const
                    int8_t *shift, const hb_dims4 *in_d, const int8_t *in, const hb_dims4 *filter_d,
                    const int8_t *filter, const int32_t *bias, const int32_t *folded, const hb_dims4
                    *out_d, int8_t *out);

#define HB_DSP_depthwise_conv_s8 1
int32_t hb_depthwise_conv_s8_dsp_buffer_size(const hb_conv_params *p, const hb_dims4 *in_d, const
                                             hb_dims4 *filter_d, const hb_dims4 *out_d);
void hb_depthwise_conv_s8_dsp(const hb_scratch *scratch, const hb_conv_params *p, const int32_t
                              *mult, const int8_t *shift, const hb_dims4 *in_d, const int8_t *in,
                              const hb_dims4 *filter_d, const int8_t *filter, const int32_t *bias,
                              const int32_t *folded, const hb_dims4 *out_d, int8_t *out);

#define HB_DSP_fully_connected_s8 1
int32_t hb_fully_connected_s8_dsp_buffer_size(const hb_fc_params *p, int32_t batches, int32_t depth,
                                              int32_t out_depth);
void hb_fully_connected_s8_dsp(const hb_scratch *scratch, const hb_fc_params *p, const int32_t
                               *mult, const int8_t *shift, int32_t batches, int32_t depth, int32_t
                               out_depth, const int8_t *in, const int8_t *filter, const int32_t
                               *bias, const int32_t *folded, int8_t *out);

#define HB_DSP_add_s8 1
void hb_add_s8_dsp(const hb_add_params *p, const hb_bcast *b, const int8_t *in1, const int8_t *in2,
                   int8_t *out);

#define HB_DSP_avg_pool_s8 1
void hb_avg_pool_s8_dsp(const hb_pool_params *p, const hb_dims4 *in_d, const int8_t *in,
                        const hb_dims4 *out_d, int8_t *out);

#define HB_DSP_max_pool_s8 1
void hb_max_pool_s8_dsp(const hb_pool_params *p, const hb_dims4 *in_d, const int8_t *in,
                        const hb_dims4 *out_d, int8_t *out);

#define HB_DSP_softmax_s8 1
void hb_softmax_s8_dsp(int32_t input_mult, int32_t input_left_shift, int32_t diff_min,
                       int32_t outer, int32_t depth, const int8_t *in, int8_t *out);

#endif /* HB_KERNELS_DSP_H */
