/*
 * hb_quant.h - prepare-time quantization parameter math (runs once per op at init, may use
 * double precision; never called from kernels). Follows TFLite's quantization_util semantics.
 */
#ifndef HB_QUANT_H
#define HB_QUANT_H

#include <stdint.h>

/* std::frexp for finite x: x = q * 2^e with 0.5 <= |q| < 1 (q = 0, e = 0 for x = 0). */
double hb_frexp(double x, int *e);
/* std::round / roundf: nearest, ties away from zero. |x| must be < 2^62 / 2^30. */
double hb_round_d(double x);
float hb_round_f(float x);
/* TFLite QuantizeMultiplier: m = q * 2^shift with q in Q0.31. Returns 0 if m is not finite or
 * negative. */
int hb_quantize_multiplier(double m, int32_t *q, int *shift);
/* CalculateActivationRangeQuantized for int8 and fused activation code act (HB_ACT_NONE, _RELU,
 * _RELU_N1_TO_1, _RELU6 of hb_tflite.h). Returns 0 for an unsupported activation. */
int hb_activation_range_s8(int act, float scale, int32_t zero_point, int32_t *lo, int32_t *hi);
/* CalculateInputRadius(integer_bits, left_shift, 31). */
int32_t hb_input_radius(int integer_bits, int left_shift);

#endif /* HB_QUANT_H */
