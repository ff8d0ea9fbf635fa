/* CONV_2D as an implicit GEMM for the Helium path (hb_mve_gemm_s8.h): each output pixel's row
 * read from its window in the input, run by run, taps outside the image as the zero-point vector.
 * Used only for windows too deep for im2col scratch; per run, 1 row load + 4 filter loads + 4
 * VMLADAVA per 16 bytes. */
#include "internal/hb_kpath.h"

#if HB_KPATH_MVE

#include "internal/hb_mve_block4.h"
#include "internal/hb_mve_gemm_s8.h"

/* Four running dot products: one row against the 4 filter rows of a channel block. */
typedef struct hb_dot4 {
    int32_t a0, a1, a2, a3;
    const int8_t *w0, *w1, *w2, *w3;
} hb_dot4;

/* The 16-byte steps of a run: n > 0 steps of 1 row load, 4 filter loads, 4 VMLADAVA, in a
 * low-overhead loop. In assembly because GCC 12 keeps a copy of each pointer and indexes it
 * (2 instructions per load) when this loop sits inside the row loop. VMLADAVA needs even
 * accumulator registers: constraint "Te". */
#define HB_DOT4_STEP(w, a)                                 \
    "vldrb.8 %q[t1], [%[" w "]], #16\n\t"                  \
    "vmladava.s8 %[" a "], %q[t0], %q[t1]\n\t"

static inline __attribute__((always_inline)) void hb_dot4_steps(hb_dot4 *s, const int8_t *x,
                                                                int32_t n)
{
    int32_t a0 = s->a0, a1 = s->a1, a2 = s->a2, a3 = s->a3;
    const int8_t *w0 = s->w0, *w1 = s->w1, *w2 = s->w2, *w3 = s->w3;
    int8x16_t t0, t1;
    __asm__ volatile("dls lr, %[n]\n\t"
                     "1:\n\t"
                     "vldrb.8 %q[t0], [%[x]], #16\n\t"
                     HB_DOT4_STEP("w0", "a0") HB_DOT4_STEP("w1", "a1") HB_DOT4_STEP("w2", "a2")
                     HB_DOT4_STEP("w3", "a3")
                     "le lr, 1b\n\t"
                     : [a0] "+Te"(a0), [a1] "+Te"(a1), [a2] "+Te"(a2), [a3] "+Te"(a3), [x] "+r"(x),
                       [w0] "+r"(w0), [w1] "+r"(w1), [w2] "+r"(w2), [w3] "+r"(w3),
                       [t0] "=&w"(t0), [t1] "=&w"(t1)
                     : [n] "r"(n)
                     : "lr", "memory");
    s->a0 = a0;
    s->a1 = a1;
    s->a2 = a2;
    s->a3 = a3;
    s->w0 = w0;
    s->w1 = w1;
    s->w2 = w2;
    s->w3 = w3;
}

/* The same against a constant row vector v (taps outside the image: the zero point). */
static inline __attribute__((always_inline)) void hb_dot4_steps_const(hb_dot4 *s, int8x16_t v,
                                                                      int32_t n)
{
    int32_t i;
    for (i = 0; i < n; i++) {
        s->a0 = vmladavaq_s8(s->a0, v, vldrbq_s8(s->w0));
        s->a1 = vmladavaq_s8(s->a1, v, vldrbq_s8(s->w1));
        s->a2 = vmladavaq_s8(s->a2, v, vldrbq_s8(s->w2));
        s->a3 = vmladavaq_s8(s->a3, v, vldrbq_s8(s->w3));
        s->w0 += 16;
        s->w1 += 16;
        s->w2 += 16;
        s->w3 += 16;
    }
}

/* Add len bytes of the row to the dot products: from x, or the zero-point vector zp when x is
 * NULL (taps outside the image); the filter pointers advance by len either way. */
static inline __attribute__((always_inline)) void hb_dot4_run(hb_dot4 *s, const int8_t *x,
                                                              int32_t len, int8x16_t zp)
{
    const int32_t n = len >> 4, tail = len & 15;
    if (n > 0) {
        if (x != 0) {
            hb_dot4_steps(s, x, n);
            x += n * 16;
        } else {
            hb_dot4_steps_const(s, zp, n);
        }
    }
    if (tail > 0) {
        const mve_pred16_t p = vctp8q((uint32_t)tail);
        const int8x16_t v = x != 0 ? vldrbq_z_s8(x, p) : zp;
        s->a0 = vmladavaq_s8(s->a0, v, vldrbq_z_s8(s->w0, p));
        s->a1 = vmladavaq_s8(s->a1, v, vldrbq_z_s8(s->w1, p));
        s->a2 = vmladavaq_s8(s->a2, v, vldrbq_z_s8(s->w2, p));
        s->a3 = vmladavaq_s8(s->a3, v, vldrbq_z_s8(s->w3, p));
        s->w0 += tail;
        s->w1 += tail;
        s->w2 += tail;
        s->w3 += tail;
    }
}

static inline __attribute__((always_inline)) void hb_dot4_start(hb_dot4 *s, const hb_block4 *k)
{
    s->a0 = s->a1 = s->a2 = s->a3 = 0;
    s->w0 = k->w0;
    s->w1 = k->w1;
    s->w2 = k->w2;
    s->w3 = k->w3;
}

/* Requantize, clamp and store the block's outputs of one row at dst. */
static inline __attribute__((always_inline)) void
hb_block4_store(const hb_block4 *k, const hb_dot4 *s, const hb_mve_requant *q, int32x4_t lo,
                int32x4_t hi, int8_t *dst)
{
    int32x4_t acc = vdupq_n_s32(s->a0);
    acc = vsetq_lane_s32(s->a1, acc, 1);
    acc = vsetq_lane_s32(s->a2, acc, 2);
    acc = vsetq_lane_s32(s->a3, acc, 3);
    acc = hb_mve_requant_s32(vaddq_s32(acc, k->bias), k->mult, k->left, k->neg_right, q->out_offset);
    vstrbq_p_s32(dst, vminq_s32(vmaxq_s32(acc, lo), hi), k->lanes);
}

void hb_mve_conv_direct_s8(const hb_conv_params *p, const hb_dims4 *in_d, const int8_t *in,
                           const hb_dims4 *filter_d, const int8_t *filter, const hb_dims4 *out_d,
                           const int32_t *folded, const hb_mve_requant *q, int8_t *out)
{
    const int32_t cin = in_d->c, cout = out_d->c, kh = filter_d->h, kw = filter_d->w;
    const int32_t depth = kh * kw * cin, run = kw * cin;
    const int32_t eff_w = (kw - 1) * p->dilation_w + 1;
    const int32x4_t lo = vdupq_n_s32(q->act_min), hi = vdupq_n_s32(q->act_max);
    const int8x16_t zp = vdupq_n_s8((int8_t)(-p->input_offset));
    int32_t b, oc, oy, ox, ky, kx;
    for (b = 0; b < out_d->n; b++) {
        const int8_t *img = in + b * in_d->h * in_d->w * cin;
        int8_t *out_img = out + b * out_d->h * out_d->w * cout;
        for (oc = 0; oc < cout; oc += 4) {
            hb_block4 k;
            hb_block4_init(&k, filter, depth, oc, cout, folded, q);
            for (oy = 0; oy < out_d->h; oy++) {
                const int32_t iy0 = oy * p->stride_h - p->pad_h;
                for (ox = 0; ox < out_d->w; ox++) {
                    const int32_t ix0 = ox * p->stride_w - p->pad_w;
                    const int cols_in = ix0 >= 0 && ix0 + eff_w <= in_d->w && p->dilation_w == 1;
                    hb_dot4 s;
                    hb_dot4_start(&s, &k);
                    for (ky = 0; ky < kh; ky++) {
                        const int32_t iy = iy0 + ky * p->dilation_h;
                        if (iy < 0 || iy >= in_d->h) {
                            hb_dot4_run(&s, 0, run, zp);
                        } else if (cols_in) {
                            /* the window's row is contiguous in the input */
                            hb_dot4_run(&s, img + (iy * in_d->w + ix0) * cin, run, zp);
                        } else {
                            for (kx = 0; kx < kw; kx++) {
                                const int32_t ix = ix0 + kx * p->dilation_w;
                                const int inside = ix >= 0 && ix < in_d->w;
                                hb_dot4_run(&s, inside ? img + (iy * in_d->w + ix) * cin : 0, cin, zp);
                            }
                        }
                    }
                    hb_block4_store(&k, &s, q, lo, hi, out_img + (oy * out_d->w + ox) * cout + oc);
                }
            }
        }
    }
}

#endif /* HB_KPATH_MVE */
