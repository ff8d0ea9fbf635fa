/* hb_kernels_c.h - the plain C path of every public kernel (compiled on every target; the
 * reference). Same contracts as the public kernels in hb_kernels.h; called by the dispatch
 * (HB_KERNEL, hb_kpath.h) when this build's path has no faster one, and by the kernel checker. */
#ifndef HB_KERNELS_C_H
#define HB_KERNELS_C_H

#include "hb_kernels.h"

int32_t hb_conv_s8_c_buffer_size(const hb_conv_params *p, const hb_dims4 *in_d, const hb_dims4
                                 *filter_d, const hb_dims4 *out_d);
void hb_conv_s8_c(const hb_scratch *scratch, const hb_conv_params *p, const int32_t *mult, const
                  int8_t *shift, const hb_dims4 *in_d, const int8_t *in, const hb_dims4 *filter_d,
                  const int8_t *filter, const int32_t *bias, const int32_t *folded, const hb_dims4
                  *out_d, int8_t *out);
int32_t hb_depthwise_conv_s8_c_buffer_size(const hb_conv_params *p, const hb_dims4 *in_d, const
                                           hb_dims4 *filter_d, const hb_dims4 *out_d);
void hb_depthwise_conv_s8_c(const hb_scratch *scratch, const hb_conv_params *p, const int32_t *mult,
                            const int8_t *shift, const hb_dims4 *in_d, const int8_t *in, const
                            hb_dims4 *filter_d, const int8_t *filter, const int32_t *bias, const
                            int32_t *folded, const hb_dims4 *out_d, int8_t *out);
int32_t hb_fully_connected_s8_c_buffer_size(const hb_fc_params *p, int32_t batches, int32_t depth,
                                            int32_t out_depth);
void hb_fully_connected_s8_c(const hb_scratch *scratch, const hb_fc_params *p, const int32_t *mult,
                             const int8_t *shift, int32_t batches, int32_t depth, int32_t out_depth,
                             const int8_t *in, const int8_t *filter, const int32_t *bias, const
                             int32_t *folded, int8_t *out);

void hb_add_s8_c(const hb_add_params *p, const hb_bcast *b, const int8_t *in1, const int8_t *in2,
                 int8_t *out);

void hb_avg_pool_s8_c(const hb_pool_params *p, const hb_dims4 *in_d, const int8_t *in,
                      const hb_dims4 *out_d, int8_t *out);

void hb_max_pool_s8_c(const hb_pool_params *p, const hb_dims4 *in_d, const int8_t *in,
                      const hb_dims4 *out_d, int8_t *out);

void hb_softmax_s8_c(int32_t input_mult, int32_t input_left_shift, int32_t diff_min, int32_t outer,
                     int32_t depth, const int8_t *in, int8_t *out);

/* Kernels with only their C path so far (a first fast path needs no edit here). */
void hb_logistic_s8_c(int32_t input_zero_point, int32_t input_range_radius, int32_t input_mult,
                      int32_t input_shift, int32_t count, const int8_t *in, int8_t *out);
void hb_relu_s8_c(int32_t input_zero_point, int32_t output_zero_point, int32_t mult, int32_t shift,
                  int32_t act_min, int32_t act_max, int32_t count, const int8_t *in, int8_t *out);
void hb_mul_s8_c(const hb_mul_params *p, const hb_bcast *b, const int8_t *in1, const int8_t *in2,
                 int8_t *out);
void hb_quantize_f32_s8_c(float scale, int32_t zero_point, int32_t count, const float *in,
                          int8_t *out);
void hb_requantize_s8_c(int32_t input_zero_point, int32_t output_zero_point, int32_t mult,
                        int32_t shift, int32_t count, const int8_t *in, int8_t *out);
void hb_dequantize_s8_f32_c(float scale, int32_t zero_point, int32_t count, const int8_t *in,
                            float *out);
void hb_pad_s8_c(int ndims, const int32_t *in_dims, const int32_t *pad_before,
                 const int32_t *out_dims, int8_t pad_value, const int8_t *in, int8_t *out);
void hb_concat_c(int n_inputs, const void *const *ins, const int32_t *chunk_bytes, int32_t outer,
                 void *out);
void hb_mean_s8_c(int ndims, const int32_t *dims, const uint8_t *reduce, int same_quant,
                  int32_t mult, int32_t shift, int32_t input_zero_point, int32_t output_zero_point,
                  const int8_t *in, int8_t *out);

#endif /* HB_KERNELS_C_H */
