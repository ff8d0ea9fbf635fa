/*
 * hb_dsp_simd.h - small inline helpers for the Arm DSP-extension kernels (HB_KPATH_DSP only):
 * byte-safe word loads, int8x4 -> int16x2 widening, and the exact requantization.
 *
 * Widening identity used by every DSP kernel: for a word x = [x0 x1 x2 x3] (int8, little endian)
 *   sxtb16(x)          = [x0, x2]      sxtb16(ror(x, 8))          = [x1, x3]      (int16 halves)
 *   sxtab16(o, x)      = [x0+o, x2+o]  sxtab16(o, ror(x, 8))      = [x1+o, x3+o]  (o = [off, off])
 * Widening the weights and the inputs the same way pairs x_k with w_k in each halfword, so
 * smlad(even_x, even_w, smlad(odd_x, odd_w, acc)) = acc + sum_k w_k * (x_k + off): no reordering.
 * x + off stays in [-255, 255], so the int16 halves never overflow; SMLAD/SMLABB wrap modulo
 * 2^32 like the reference's int32 sums.
 */
#ifndef HB_DSP_SIMD_H
#define HB_DSP_SIMD_H

#include <arm_acle.h>
#include <stdint.h>
#include <string.h>

#include "hb_qmath.h"

/* 4 bytes from any address: one LDR (Armv7E-M / Armv8-M Mainline allow unaligned LDR). */
static inline uint32_t hb_dsp_ld4(const int8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* [x1, x3] sign-extended: SXTB16 with its free rotation (GCC's __sxtb16 never folds a rotate). */
static inline int16x2_t hb_dsp_sxtb16_ror8(uint32_t x)
{
    int16x2_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
    return r;
}

/* [x1 + o_lo, x3 + o_hi]: SXTAB16 with its free rotation. */
static inline int16x2_t hb_dsp_sxtab16_ror8(int16x2_t o, uint32_t x)
{
    int16x2_t r;
    __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(o), "r"(x));
    return r;
}

/* off replicated in both int16 halves, for sxtab16. */
static inline int16x2_t hb_dsp_pack_offset(int32_t off)
{
    return (int16x2_t)(((uint32_t)off & 0xffffu) | ((uint32_t)off << 16));
}

/* TFLite's MultiplyByQuantizedMultiplier (hb_mbqm) for a right shift 0..31 (shift = -right), with
 * the doubling high multiply done as one
 * SMLAL: for m >= 0 (QuantizeMultiplier never gives less) hb_srdhm(x, m) = (x*m + 2^30) >> 31.
 * Why: for x*m >= 0 the reference computes floor((x*m + 2^30) / 2^31); for x*m < 0 it truncates
 * t = x*m + 1 - 2^30 < 0 toward zero, i.e. ceil(t / 2^31) = floor((t + 2^31 - 1) / 2^31), which
 * is the same floor((x*m + 2^30) / 2^31). The saturating case x = m = INT32_MIN needs m < 0. */
static inline int32_t hb_dsp_requant_right(int32_t x, int32_t m, int32_t right)
{
    const int32_t s = (int32_t)(((int64_t)x * m + ((int64_t)1 << 30)) >> 31);
    /* hb_rdivpot(s, right): s / 2^right rounded half away from zero. */
    const int32_t mask = (int32_t)(((uint32_t)1 << right) - 1u);
    const int32_t threshold = (mask >> 1) - (s >> 31); /* +1 when s < 0 */
    return (s >> right) + ((s & mask) > threshold ? 1 : 0);
}

/* hb_mbqm(acc, m, shift) for m >= 0, any shift in [-31, 31]. */
static inline int32_t hb_dsp_requant(int32_t acc, int32_t m, int32_t shift)
{
    const int32_t left = shift > 0 ? shift : 0;
    return hb_dsp_requant_right(hb_wrap_shl(acc, (int)left), m, left - shift);
}

/* Requantize, add the output offset and clamp to [lo, hi] as an int8. */
static inline int8_t hb_dsp_out(int32_t acc, int32_t m, int32_t shift, int32_t out_off, int32_t lo,
                                int32_t hi)
{
    int32_t v = hb_dsp_requant(acc, m, shift) + out_off;
    v = v > lo ? v : lo;
    v = v < hi ? v : hi;
    return (int8_t)v;
}

/* The same output step with the rounding shift and the output offset in one saturating add,
 * for a channel whose right shift e is 1..23 (hb_dsp_rq_fast; other channels take hb_dsp_out):
 *   rdivpot(s, e) + off = floor((s - [s < 0] + 2^(e-1) + off * 2^e) / 2^e)
 * (round half away from zero is floor((s + 2^(e-1) - [s < 0]) / 2^e), and adding off * 2^e
 * before the floor adds off after it). s - [s < 0] cannot overflow. If the add saturates, the exact
 * value is beyond the int8 range on the same side (|INT32_MAX >> e| >= 255 for e <= 23), so the
 * clamp gives the same byte. */
typedef struct hb_dsp_rq {
    int32_t m, left, right, round; /* round = 2^(right-1) + off * 2^right */
} hb_dsp_rq;

static inline hb_dsp_rq hb_dsp_rq_make(int32_t m, int32_t shift, int32_t out_off)
{
    hb_dsp_rq q;
    q.m = m;
    q.left = shift > 0 ? shift : 0;
    q.right = q.left - shift;
    q.round = (int32_t)(((uint32_t)1 << ((q.right - 1) & 31)) + ((uint32_t)out_off << (q.right & 31)));
    return q;
}

static inline int hb_dsp_rq_fast(const hb_dsp_rq *q)
{
    return (uint32_t)(q->right - 1) < 23u;
}

static inline int8_t hb_dsp_out_fast(int32_t acc, const hb_dsp_rq *q, int32_t lo, int32_t hi)
{
    const int32_t x = hb_wrap_shl(acc, (int)q->left);
    const int32_t s = (int32_t)(((int64_t)x * q->m + ((int64_t)1 << 30)) >> 31);
    int32_t v = __qadd(s + (s >> 31), q->round) >> q->right;
    v = v > lo ? v : lo;
    v = v < hi ? v : hi;
    return (int8_t)v;
}

/* One output byte of a channel: the fast step when its shift allows, else the plain one. */
static inline int8_t hb_dsp_out_ch(int32_t acc, int32_t m, int32_t shift, int32_t out_off,
                                   int32_t lo, int32_t hi)
{
    const hb_dsp_rq q = hb_dsp_rq_make(m, shift, out_off);
    return hb_dsp_rq_fast(&q) ? hb_dsp_out_fast(acc, &q, lo, hi)
                              : hb_dsp_out(acc, m, shift, out_off, lo, hi);
}

#endif /* HB_DSP_SIMD_H */
