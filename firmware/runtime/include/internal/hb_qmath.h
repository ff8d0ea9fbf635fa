/*
 * hb_qmath.h - integer fixed-point arithmetic with TFLite Micro's (gemmlowp's) exact rounding.
 *
 * These define bit-exactness, so each states the rule it implements. Signed overflow is avoided by
 * doing wrapping arithmetic in uint32 where the reference wraps (keeps UBSan quiet, same bits).
 * Raw values are Q(m).(31-m) fixed point in int32 ("F<m>" below).
 */
#ifndef HB_QMATH_H
#define HB_QMATH_H

#include <stdint.h>

static inline int32_t hb_wrap_add(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }
static inline int32_t hb_wrap_sub(int32_t a, int32_t b) { return (int32_t)((uint32_t)a - (uint32_t)b); }
static inline int32_t hb_wrap_shl(int32_t a, int s) { return (int32_t)((uint32_t)a << s); }

static inline int32_t hb_clamp(int32_t v, int32_t lo, int32_t hi) { return v < lo ? lo : (v > hi ? hi : v); }

/* round(a * b / 2^31), ties away from zero, saturating INT32_MIN * INT32_MIN (ARM VQRDMULH). */
static inline int32_t hb_srdhm(int32_t a, int32_t b)
{
    int64_t ab;
    int64_t nudge;
    if (a == b && a == INT32_MIN) {
        return INT32_MAX;
    }
    ab = (int64_t)a * (int64_t)b;
    nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
    /* C division truncates toward zero, as the reference does. */
    return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

/* x / 2^e rounded to nearest, ties away from zero; 0 <= e <= 31. */
static inline int32_t hb_rdivpot(int32_t x, int e)
{
    const int32_t mask = (int32_t)(((int64_t)1 << e) - 1);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> e) + (remainder > threshold ? 1 : 0);
}

/* TFLite's double-rounding MultiplyByQuantizedMultiplier: x * m * 2^shift with m in Q0.31. */
static inline int32_t hb_mbqm(int32_t x, int32_t m, int shift)
{
    const int left = shift > 0 ? shift : 0;
    const int right = shift > 0 ? 0 : -shift;
    return hb_rdivpot(hb_srdhm(hb_wrap_shl(x, left), m), right);
}

/* x * 2^e, saturating, for 0 < e < 31 (gemmlowp SaturatingRoundingMultiplyByPOT, e > 0). */
static inline int32_t hb_sat_shl(int32_t x, int e)
{
    const int32_t threshold = (int32_t)(((int64_t)1 << (31 - e)) - 1);
    if (x > threshold) {
        return INT32_MAX;
    }
    if (x < -threshold) {
        return INT32_MIN;
    }
    return hb_wrap_shl(x, e);
}

/* (a + b) / 2 rounded away from zero. */
static inline int32_t hb_rounding_half_sum(int32_t a, int32_t b)
{
    const int64_t sum = (int64_t)a + (int64_t)b;
    return (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
}

/* Number of leading zero bits of x (32 for 0). */
static inline int hb_clz32(uint32_t x)
{
    int n = 0;
    if (x == 0) {
        return 32;
    }
    while ((x & 0x80000000u) == 0) {
        x <<= 1;
        n++;
    }
    return n;
}

int32_t hb_exp_on_negative_values(int32_t a, int integer_bits);
int32_t hb_one_over_one_plus_x(int32_t a);
int32_t hb_logistic_q4(int32_t a);

#endif /* HB_QMATH_H */
