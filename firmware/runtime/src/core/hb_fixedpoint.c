/*
 * gemmlowp-compatible fixed-point transcendental functions used by the int8 SOFTMAX and LOGISTIC
 * reference kernels. Constants are the Q0.31 raw values of the named reals.
 */
#include "internal/hb_qmath.h"

/* exp(a) for a in [-1/4, 0), a and result in F0: Taylor series around -1/8. */
static int32_t exp_quarter(int32_t a)
{
    const int32_t exp_minus_one_eighth = 1895147668; /* exp(-1/8) */
    const int32_t one_third = 715827883;
    const int32_t x = hb_wrap_add(a, 1 << 28); /* a + 1/8 */
    const int32_t x2 = hb_srdhm(x, x);
    const int32_t x3 = hb_srdhm(x2, x);
    const int32_t x4 = hb_srdhm(x2, x2);
    const int32_t x4_over_4 = hb_rdivpot(x4, 2);
    const int32_t poly =
        hb_rdivpot(hb_wrap_add(hb_srdhm(hb_wrap_add(x4_over_4, x3), one_third), x2), 1);
    return hb_wrap_add(exp_minus_one_eighth, hb_srdhm(exp_minus_one_eighth, hb_wrap_add(x, poly)));
}

/* exp(a) for a <= 0; a in F<integer_bits> (1..5 used here), result in F0. */
int32_t hb_exp_on_negative_values(int32_t a, int integer_bits)
{
    /* exp(-2^k) in F0 for k = -2 .. 4. */
    static const int32_t k_mult[7] = {1672461947, 1302514674, 790015084, 290630308,
                                      39332535,   720401,     242};
    const int frac_bits = 31 - integer_bits;
    const int32_t one_quarter = (int32_t)1 << (frac_bits - 2);
    const int32_t mask = one_quarter - 1;
    const int32_t a_mod = hb_wrap_sub(a & mask, one_quarter);
    int32_t result = exp_quarter(integer_bits > 0 ? hb_sat_shl(a_mod, integer_bits) : a_mod);
    const int32_t remainder = hb_wrap_sub(a_mod, a);
    int k;
    for (k = -2; k <= 4; k++) {
        if (integer_bits > k) {
            const int shift = frac_bits + k;
            if (remainder & (int32_t)((uint32_t)1 << shift)) {
                result = hb_srdhm(result, k_mult[k + 2]);
            }
        }
    }
    if (integer_bits > 5) {
        const int32_t clamp = -((int32_t)1 << (36 - integer_bits)); /* -32.0 */
        if (a < clamp) {
            result = 0;
        }
    }
    return a == 0 ? INT32_MAX : result;
}

/* 1 / (1 + a) for a in [0, 1) in F0: Newton-Raphson on half the denominator, result in F0. */
int32_t hb_one_over_one_plus_x(int32_t a)
{
    const int32_t half_den = hb_rounding_half_sum(a, INT32_MAX);
    const int32_t c48_17 = 1515870810;     /* 48/17 in F2 */
    const int32_t cm32_17 = -1010580540;   /* -32/17 in F2 */
    const int32_t one_f2 = (int32_t)1 << 29;
    int32_t x = hb_wrap_add(c48_17, hb_srdhm(half_den, cm32_17));
    int i;
    for (i = 0; i < 3; i++) {
        const int32_t hdx = hb_srdhm(half_den, x);
        const int32_t one_minus = hb_wrap_sub(one_f2, hdx);
        x = hb_wrap_add(x, hb_sat_shl(hb_srdhm(x, one_minus), 2));
    }
    return hb_sat_shl(x, 1);
}

/* logistic(a) for a in F4, result in F0. */
int32_t hb_logistic_q4(int32_t a)
{
    int32_t abs_a, pos, neg;
    if (a == 0) {
        return 1 << 30;
    }
    abs_a = a > 0 ? a : hb_wrap_sub(0, a);
    pos = hb_one_over_one_plus_x(hb_exp_on_negative_values(hb_wrap_sub(0, abs_a), 4));
    neg = hb_wrap_sub(INT32_MAX, pos);
    return a > 0 ? pos : neg;
}
