/*
 * hb_kernels.h - int8 reference kernels, bit-exact with TFLite Micro's reference kernels.
 *
 * Layout is NHWC. The kernels do arithmetic only: shapes, multipliers and activation bounds are
 * validated and computed once by the interpreter's prepare step (or by the caller). Quantized
 * multipliers are Q0.31 significands with a power-of-two exponent (TFLite QuantizeMultiplier).
 * Offsets follow TFLite: input_offset = -input zero point, output_offset = +output zero point.
 * Per-channel shifts are int8 (range [-31, 31]) to keep the persistent tables small.
 */
#ifndef HB_KERNELS_H
#define HB_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hb_dims4 {
    int32_t n, h, w, c;
} hb_dims4;

typedef struct hb_conv_params {
    int32_t stride_w, stride_h;
    int32_t dilation_w, dilation_h;
    int32_t pad_w, pad_h;         /* padding before the first column / row */
    int32_t depth_multiplier;     /* depthwise only */
    int32_t input_offset;         /* -input zero point, [-127, 128] */
    int32_t output_offset;        /* output zero point, [-128, 127] */
    int32_t act_min, act_max;     /* int8 clamp after requantization */
} hb_conv_params;

/* Caller-owned scratch for one kernel call: at least the bytes the kernel's _get_buffer_size()
 * asked for, 16-byte aligned; {0, 0} when it asked for none. Scratch is not kept between calls. */
typedef struct hb_scratch {
    void *buf;
    int32_t size;
} hb_scratch;

/* Per-channel constant for the optimized paths, computed once at prepare:
 * folded[c] = bias[c] (0 without bias) + input_offset * sum_{t < taps} filter[c * chan_stride +
 * t * tap_stride], wrapping modulo 2^32 like the reference's int32 sums.
 * CONV_2D: taps = KH*KW*(Cin/groups), chan_stride = taps, tap_stride = 1.
 * DEPTHWISE_CONV_2D: taps = KH*KW, chan_stride = 1, tap_stride = Cin*M.
 * FULLY_CONNECTED (filter_offset 0): taps = depth, chan_stride = depth, tap_stride = 1. */
void hb_fold_bias_s8(int32_t channels, int32_t taps, int32_t chan_stride, int32_t tap_stride,
                     const int8_t *filter, const int32_t *bias, int32_t input_offset,
                     int32_t *folded);
/* 1 if this build's CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED kernels read `folded` (plain C
 * and Helium paths), 0 if they never do (DSP path). Callers compute and keep it only when 1 and
 * may pass NULL otherwise; a NULL folded is always exact (every tap then adds the input offset,
 * slower on the paths that use it). */
int hb_kernels_use_folded(void);

/* CONV_2D. in [N,H,W,Cin]; filter [Cout,KH,KW,Cin/groups] int8; bias [Cout] int32 or NULL;
 * folded [Cout] from hb_fold_bias_s8, or NULL (see hb_kernels_use_folded); mult/shift [Cout];
 * out [N,OH,OW,Cout]. groups = Cin / filter->c. */
int32_t hb_conv_s8_get_buffer_size(const hb_conv_params *p, const hb_dims4 *in_d,
                                   const hb_dims4 *filter_d, const hb_dims4 *out_d);
void hb_conv_s8(const hb_scratch *scratch, const hb_conv_params *p, const int32_t *mult,
                const int8_t *shift, const hb_dims4 *in_d, const int8_t *in,
                const hb_dims4 *filter_d, const int8_t *filter, const int32_t *bias,
                const int32_t *folded, const hb_dims4 *out_d, int8_t *out);

/* DEPTHWISE_CONV_2D. in [N,H,W,Cin]; filter [1,KH,KW,Cin*M]; bias [Cin*M] or NULL;
 * folded [Cin*M] from hb_fold_bias_s8 or NULL; mult/shift [Cin*M]; out [N,OH,OW,Cin*M];
 * M = p->depth_multiplier. */
int32_t hb_depthwise_conv_s8_get_buffer_size(const hb_conv_params *p, const hb_dims4 *in_d,
                                             const hb_dims4 *filter_d, const hb_dims4 *out_d);
void hb_depthwise_conv_s8(const hb_scratch *scratch, const hb_conv_params *p,
                          const int32_t *mult, const int8_t *shift, const hb_dims4 *in_d,
                          const int8_t *in, const hb_dims4 *filter_d, const int8_t *filter,
                          const int32_t *bias, const int32_t *folded, const hb_dims4 *out_d,
                          int8_t *out);

typedef struct hb_fc_params {
    int32_t input_offset, filter_offset, output_offset;
    int32_t act_min, act_max;
    int32_t per_channel; /* 1: mult/shift have out_depth entries; 0: one entry */
} hb_fc_params;

/* FULLY_CONNECTED. in [batches, depth]; filter [out_depth, depth]; bias [out_depth] or NULL;
 * folded [out_depth] from hb_fold_bias_s8 or NULL (read only when filter_offset is 0); out
 * [batches, out_depth]. */
int32_t hb_fully_connected_s8_get_buffer_size(const hb_fc_params *p, int32_t batches,
                                              int32_t depth, int32_t out_depth);
void hb_fully_connected_s8(const hb_scratch *scratch, const hb_fc_params *p, const int32_t *mult,
                           const int8_t *shift, int32_t batches, int32_t depth,
                           int32_t out_depth, const int8_t *in, const int8_t *filter,
                           const int32_t *bias, const int32_t *folded, int8_t *out);

/* Broadcast description for binary element-wise ops, right-aligned to 6 dims: out dims and
 * element strides of both inputs (0 along a broadcast dimension). */
typedef struct hb_bcast {
    int32_t dims[6];
    int32_t stride1[6];
    int32_t stride2[6];
} hb_bcast;

typedef struct hb_add_params {
    int32_t input1_offset, input2_offset, output_offset;
    int32_t left_shift;                 /* 20 for int8 */
    int32_t input1_mult, input1_shift;  /* shifts <= 0 */
    int32_t input2_mult, input2_shift;
    int32_t output_mult, output_shift;
    int32_t act_min, act_max;
} hb_add_params;

/* ADD with broadcasting. */
void hb_add_s8(const hb_add_params *p, const hb_bcast *b, const int8_t *in1, const int8_t *in2,
               int8_t *out);

typedef struct hb_mul_params {
    int32_t input1_offset, input2_offset, output_offset;
    int32_t output_mult, output_shift;
    int32_t act_min, act_max;
} hb_mul_params;

/* MUL with broadcasting. */
void hb_mul_s8(const hb_mul_params *p, const hb_bcast *b, const int8_t *in1, const int8_t *in2,
               int8_t *out);

typedef struct hb_pool_params {
    int32_t stride_w, stride_h;
    int32_t filter_w, filter_h;
    int32_t pad_w, pad_h;
    int32_t act_min, act_max;
} hb_pool_params;

/* AVERAGE_POOL_2D (no requantization: in and out share scale). in [N,H,W,C], out [N,OH,OW,C]. */
void hb_avg_pool_s8(const hb_pool_params *p, const hb_dims4 *in_d, const int8_t *in,
                    const hb_dims4 *out_d, int8_t *out);
/* MAX_POOL_2D. */
void hb_max_pool_s8(const hb_pool_params *p, const hb_dims4 *in_d, const int8_t *in,
                    const hb_dims4 *out_d, int8_t *out);

/* SOFTMAX over the last dimension (depth), output scale 1/256, zero point -128. */
void hb_softmax_s8(int32_t input_mult, int32_t input_left_shift, int32_t diff_min, int32_t outer,
                   int32_t depth, const int8_t *in, int8_t *out);

/* LOGISTIC, output scale 1/256, zero point -128. */
void hb_logistic_s8(int32_t input_zero_point, int32_t input_range_radius, int32_t input_mult,
                    int32_t input_shift, int32_t count, const int8_t *in, int8_t *out);

/* RELU / RELU6: clamp((x - input_zero_point) * mult * 2^shift + output_zero_point, act_min,
 * act_max) (RELU6: identity multiplier 2^30 * 2^1, zero points 0, the input's 0 and 6 as bounds). */
void hb_relu_s8(int32_t input_zero_point, int32_t output_zero_point, int32_t mult, int32_t shift,
                int32_t act_min, int32_t act_max, int32_t count, const int8_t *in, int8_t *out);

/* QUANTIZE float32 -> int8: clamp(round(x / scale) + zero_point). */
void hb_quantize_f32_s8(float scale, int32_t zero_point, int32_t count, const float *in,
                        int8_t *out);
/* QUANTIZE int8 -> int8 (requantize). */
void hb_requantize_s8(int32_t input_zero_point, int32_t output_zero_point, int32_t mult,
                      int32_t shift, int32_t count, const int8_t *in, int8_t *out);
/* DEQUANTIZE int8 -> float32: scale * (x - zero_point). */
void hb_dequantize_s8_f32(float scale, int32_t zero_point, int32_t count, const int8_t *in,
                          float *out);

/* PAD of an int8 tensor of rank ndims (<= 6) with pad_value. */
void hb_pad_s8(int ndims, const int32_t *in_dims, const int32_t *pad_before,
               const int32_t *out_dims, int8_t pad_value, const int8_t *in, int8_t *out);

/* CONCATENATION along an axis: outer = product of dims before the axis; for input k, the
 * contiguous chunk per outer index is chunk_bytes[k]. Works for any element type. */
void hb_concat(int n_inputs, const void *const *ins, const int32_t *chunk_bytes, int32_t outer,
               void *out);

/* MEAN of int8 over the dimensions flagged in reduce (rank ndims <= 6). same_quant (input and
 * output share scale and zero point): sum / n truncated; else
 * (sum - in_zp * n) * mult * 2^shift + out_zp with mult/shift from hb_mean_multiplier.
 * Out has the kept dims' elements in row-major order. */
void hb_mean_s8(int ndims, const int32_t *dims, const uint8_t *reduce, int same_quant, int32_t mult,
                int32_t shift, int32_t input_zero_point, int32_t output_zero_point, const int8_t *in,
                int8_t *out);
/* Fold 1/n (n = reduced element count) into a QuantizeMultiplier(in_scale / out_scale) pair. */
void hb_mean_multiplier(int32_t n, int32_t *mult, int32_t *shift);

#ifdef __cplusplus
}
#endif
#endif /* HB_KERNELS_H */
