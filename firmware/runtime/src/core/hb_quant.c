/* Prepare-time quantization math; see hb_quant.h. Implemented on the IEEE-754 bits so that no
 * libm is needed on the device. */
#include "internal/hb_quant.h"

#include <string.h>

#include "internal/hb_tflite.h"

double hb_frexp(double x, int *e)
{
    uint64_t u;
    int exp_bits;
    memcpy(&u, &x, sizeof u);
    exp_bits = (int)((u >> 52) & 0x7ff);
    if (x == 0.0 || exp_bits == 0x7ff) {
        *e = 0;
        return x;
    }
    if (exp_bits == 0) { /* subnormal: scale into the normal range first */
        double y = hb_frexp(x * 18014398509481984.0 /* 2^54 */, e);
        *e -= 54;
        return y;
    }
    *e = exp_bits - 1022;
    u = (u & ~((uint64_t)0x7ff << 52)) | ((uint64_t)1022 << 52);
    memcpy(&x, &u, sizeof x);
    return x;
}

double hb_round_d(double x)
{
    /* x - trunc(x) is exact, so comparing it with 0.5 rounds exactly like std::round. */
    double t, frac;
    if (!(x > -4503599627370496.0 && x < 4503599627370496.0)) { /* |x| >= 2^52: integral */
        return x;
    }
    t = (double)(int64_t)x;
    frac = x - t;
    if (frac >= 0.5) {
        return t + 1.0;
    }
    if (frac <= -0.5) {
        return t - 1.0;
    }
    return t;
}

float hb_round_f(float x)
{
    float t, frac;
    if (!(x > -8388608.0f && x < 8388608.0f)) { /* |x| >= 2^23: already integral */
        return x;
    }
    t = (float)(int32_t)x;
    frac = x - t;
    if (frac >= 0.5f) {
        return t + 1.0f;
    }
    if (frac <= -0.5f) {
        return t - 1.0f;
    }
    return t;
}

int hb_quantize_multiplier(double m, int32_t *q, int *shift)
{
    double frac;
    int64_t q_fixed;
    int e;
    if (!(m >= 0.0) || m > 1e30) { /* negative, NaN or absurd */
        return 0;
    }
    if (m == 0.0) {
        *q = 0;
        *shift = 0;
        return 1;
    }
    frac = hb_frexp(m, &e);
    q_fixed = (int64_t)hb_round_d(frac * 2147483648.0);
    if (q_fixed == ((int64_t)1 << 31)) {
        q_fixed /= 2;
        e++;
    }
    if (e < -31) { /* flushes to zero, as the reference does */
        e = 0;
        q_fixed = 0;
    }
    if (e > 31) {
        return 0;
    }
    *q = (int32_t)q_fixed;
    *shift = e;
    return 1;
}

/* zero_point + round(f / scale), as the reference quantizes activation bounds (float math). */
static int32_t quantize_bound(float f, float scale, int32_t zero_point)
{
    float v = hb_round_f(f / scale);
    if (v > 1e9f) {
        v = 1e9f;
    } else if (v < -1e9f) {
        v = -1e9f;
    }
    return zero_point + (int32_t)v;
}

int hb_activation_range_s8(int act, float scale, int32_t zero_point, int32_t *lo, int32_t *hi)
{
    int32_t a = -128, b = 127, t;
    switch (act) {
    case HB_ACT_NONE:
        break;
    case HB_ACT_RELU:
        t = quantize_bound(0.0f, scale, zero_point);
        a = t > a ? t : a;
        break;
    case HB_ACT_RELU_N1_TO_1:
        t = quantize_bound(-1.0f, scale, zero_point);
        a = t > a ? t : a;
        t = quantize_bound(1.0f, scale, zero_point);
        b = t < b ? t : b;
        break;
    case HB_ACT_RELU6:
        t = quantize_bound(0.0f, scale, zero_point);
        a = t > a ? t : a;
        t = quantize_bound(6.0f, scale, zero_point);
        b = t < b ? t : b;
        break;
    default:
        return 0;
    }
    *lo = a;
    *hi = b;
    return 1;
}

int32_t hb_input_radius(int integer_bits, int left_shift)
{
    /* floor(((1 << ib) - 1) * 2^(31 - ib) / 2^left_shift); exact in double for these ranges. */
    double v = (double)((1 << integer_bits) - 1) * (double)((int64_t)1 << (31 - integer_bits));
    int s;
    if (left_shift >= 0) {
        for (s = 0; s < left_shift; s++) {
            v *= 0.5;
        }
    } else {
        for (s = 0; s < -left_shift && v < 4e18; s++) {
            v *= 2.0;
        }
    }
    if (v > 2147483647.0) {
        return INT32_MAX;
    }
    return (int32_t)v; /* truncation == floor for v >= 0 */
}
