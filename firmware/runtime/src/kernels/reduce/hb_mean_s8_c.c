/* MEAN int8 as TFLM's reference: the raw int8 values are summed in int32 over the reduced dims.
 * If input and output share scale and zero point (same_quant) the mean is sum / n with C integer
 * division (truncation); otherwise (QuantizedMeanOrSum) it is
 * (sum - in_zp * n) * mult * 2^shift + out_zp, clamped, where mult/shift already fold in 1/n
 * (see hb_mean_multiplier). No scratch buffer: each output element sums its own slice. */
#include "internal/hb_kernels_c.h"
#include "internal/hb_qmath.h"

void hb_mean_multiplier(int32_t n, int32_t *mult, int32_t *shift)
{
    /* floor(log2 n), capped so the int64 shift cannot overflow and the final shift >= -31. */
    int s = 31 - hb_clz32((uint32_t)n);
    if (s > 32) {
        s = 32;
    }
    if (s > 31 + *shift) {
        s = 31 + *shift;
    }
    *mult = (int32_t)((int64_t)((uint64_t)(int64_t)*mult << s) / (int64_t)n);
    *shift -= s;
}

void hb_mean_s8_c(int ndims, const int32_t *dims, const uint8_t *reduce, int same_quant,
                  int32_t mult, int32_t shift, int32_t input_zero_point, int32_t output_zero_point,
                  const int8_t *in, int8_t *out)
{
    int32_t stride[6], kidx[6] = {0, 0, 0, 0, 0, 0};
    int32_t n_reduced = 1, n_out = 1, o, k;
    stride[ndims - 1] = 1;
    for (k = ndims - 2; k >= 0; k--) {
        stride[k] = stride[k + 1] * dims[k + 1];
    }
    for (k = 0; k < ndims; k++) {
        if (reduce[k]) {
            n_reduced *= dims[k];
        } else {
            n_out *= dims[k];
        }
    }
    for (o = 0; o < n_out; o++) {
        int32_t base = 0, r;
        uint32_t sum = 0; /* wraps like the reference's int32 sum, without UB */
        int32_t ridx[6] = {0, 0, 0, 0, 0, 0};
        for (k = 0; k < ndims; k++) {
            if (!reduce[k]) {
                base += kidx[k] * stride[k];
            }
        }
        for (r = 0; r < n_reduced; r++) {
            int32_t off = base;
            for (k = 0; k < ndims; k++) {
                if (reduce[k]) {
                    off += ridx[k] * stride[k];
                }
            }
            sum += (uint32_t)(int32_t)in[off];
            for (k = ndims - 1; k >= 0; k--) { /* odometer over the reduced dims */
                if (!reduce[k]) {
                    continue;
                }
                if (++ridx[k] < dims[k]) {
                    break;
                }
                ridx[k] = 0;
            }
        }
        if (same_quant) {
            out[o] = (int8_t)((int32_t)sum / n_reduced);
        } else {
            const int32_t shifted =
                (int32_t)(sum - (uint32_t)input_zero_point * (uint32_t)n_reduced);
            out[o] = (int8_t)hb_clamp(hb_mbqm(shifted, mult, shift) + output_zero_point, -128, 127);
        }
        for (k = ndims - 1; k >= 0; k--) { /* odometer over the kept dims, row-major */
            if (reduce[k]) {
                continue;
            }
            if (++kidx[k] < dims[k]) {
                break;
            }
            kidx[k] = 0;
        }
    }
}
