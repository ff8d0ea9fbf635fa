/* Helium GEMM with requantization (hb_mve_gemm_s8.h). Output channels go in blocks of 4 (the
 * four lanes of one requantization vector); inside a block every row is run against the block's 4
 * filter rows: per 16 bytes of depth, 1 row load + 4 filter loads + 4 VMLADAVA (16 int8 products
 * each, summed into 32-bit registers that wrap like the reference's int32 sums). The block's
 * multipliers, shifts and folded bias are loaded once and reused for every row. Run tails
 * (length % 16) use zeroing predicated loads: masked lanes add 0. */
#include "internal/hb_kpath.h"

#if HB_KPATH_MVE

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

/* A block of 4 output channels [oc, oc + n): filter rows and requantization lanes. Past cout the
 * block repeats its first filter row: those lanes are computed, never stored. */
typedef struct hb_block4 {
    const int8_t *w0, *w1, *w2, *w3;
    mve_pred16_t lanes;
    int32x4_t bias, mult, left, neg_right;
} hb_block4;

static inline __attribute__((always_inline)) void
hb_block4_init(hb_block4 *k, const int8_t *filter, int32_t depth, int32_t oc, int32_t cout,
               const int32_t *folded, const hb_mve_requant *q)
{
    const int32_t n = cout - oc < 4 ? cout - oc : 4;
    k->w0 = filter + oc * depth;
    k->w1 = n > 1 ? k->w0 + depth : k->w0;
    k->w2 = n > 2 ? k->w0 + 2 * depth : k->w0;
    k->w3 = n > 3 ? k->w0 + 3 * depth : k->w0;
    k->lanes = vctp32q((uint32_t)n);
    k->bias = vldrwq_z_s32(folded + oc, k->lanes);
    hb_mve_requant_lanes(q, oc, k->lanes, &k->mult, &k->left, &k->neg_right);
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

/* Everything the row loop of one block reads from memory (the loop keeps only pointers and
 * accumulators in registers). Offsets are fixed: the assembly below addresses the fields. */
typedef struct hb_rows_ctx {
    const int8_t *w[4];  /*  0: the block's 4 filter rows */
    int32_t row_adj;     /* 16: bytes from the end of a row's last segment to the next row */
    int32_t out_stride;  /* 20 */
    uint32_t lanes;      /* 24: store predicate (channels of the block inside cout) */
    int32_t steps;       /* 28: segment length / 16 */
    int32_t out_offset;  /* 32 */
    int32_t tail;        /* 36: segment length % 16 (always 0 with several segments) */
    int32_t segs;        /* 40: segments per row */
    int32_t segs_left;   /* 44: the loop's segment counter */
    int32_t seg_adj;     /* 48: bytes from a segment's end to the next segment */
} hb_rows_ctx;

/*
 * n_rows GEMM rows against one block of 4 output channels, one assembly loop, so that per row
 * only the work remains: reload the 4 filter pointers, the 16-byte steps (1 row load, 4 filter
 * loads, 4 VMLADAVA in a low-overhead loop), a predicated tail, then hb_mve_requant_s32's
 * instruction sequence, the clamp and a predicated 4-byte store. GCC 12 compiled the same loop
 * in C to ~90 instructions per row for depth 64 (it spilled and re-derived every pointer); this
 * is 70. VMLADAVA needs even accumulator registers (constraint "Te"); "p0" is GCC's name for VPR.
 * The segmented variant reads each row as `segs` runs `seg_stride` bytes apart (a conv window's
 * filter rows straight from the input, no im2col copy).
 */
#define HB_ROWS_STEP(w, a)                                 \
    "vldrb.8 %q[t1], [%[" w "]], #16\n\t"                  \
    "vmladava.s8 %[" a "], %q[t0], %q[t1]\n\t"
#define HB_ROWS_TAIL(w, a)                                 \
    "vpst\n\t"                                             \
    "vldrbt.8 %q[t1], [%[" w "]]\n\t"                      \
    "vmladava.s8 %[" a "], %q[t0], %q[t1]\n\t"
#define HB_ROWS_BEGIN                                      \
    "ldrd %[w0], %[w1], [%[c], #0]\n\t"                    \
    "ldrd %[w2], %[w3], [%[c], #8]\n\t"                    \
    "movs %[a0], #0\n\t"                                   \
    "movs %[a1], #0\n\t"                                   \
    "movs %[a2], #0\n\t"                                   \
    "movs %[a3], #0\n\t"
#define HB_ROWS_RUN                                        \
    "ldr lr, [%[c], #28]\n\t"                              \
    "wls lr, lr, 3f\n\t"                                   \
    "1:\n\t"                                               \
    "vldrb.8 %q[t0], [%[x]], #16\n\t"                      \
    HB_ROWS_STEP("w0", "a0") HB_ROWS_STEP("w1", "a1")      \
    HB_ROWS_STEP("w2", "a2") HB_ROWS_STEP("w3", "a3")      \
    "le lr, 1b\n\t"                                        \
    "3:\n\t"
#define HB_ROWS_RUN_TAIL                                   \
    "ldr lr, [%[c], #36]\n\t"                              \
    "cmp lr, #0\n\t"                                       \
    "beq 4f\n\t"                                           \
    "vctp.8 lr\n\t"                                        \
    "vpst\n\t"                                             \
    "vldrbt.8 %q[t0], [%[x]]\n\t"                          \
    HB_ROWS_TAIL("w0", "a0") HB_ROWS_TAIL("w1", "a1")      \
    HB_ROWS_TAIL("w2", "a2") HB_ROWS_TAIL("w3", "a3")      \
    "add %[x], %[x], lr\n\t"                               \
    "4:\n\t"
#define HB_ROWS_END                                        \
    "vmov %q[t0][2], %q[t0][0], %[a0], %[a2]\n\t"          \
    "vmov %q[t0][3], %q[t0][1], %[a1], %[a3]\n\t"          \
    "vadd.i32 %q[t0], %q[t0], %q[bias]\n\t"                \
    "vshl.s32 %q[t0], %q[t0], %q[left]\n\t"                \
    "vqrdmulh.s32 %q[t0], %q[t0], %q[mult]\n\t"            \
    "vand %q[t1], %q[t0], %q[nr]\n\t"                      \
    "vshr.s32 %q[t1], %q[t1], #31\n\t"                     \
    "vqadd.s32 %q[t0], %q[t0], %q[t1]\n\t"                 \
    "vrshl.s32 %q[t0], %q[t0], %q[nr]\n\t"                 \
    "ldr %[a0], [%[c], #32]\n\t"                           \
    "vadd.i32 %q[t0], %q[t0], %[a0]\n\t"                   \
    "vmax.s32 %q[t0], %q[t0], %q[lo]\n\t"                  \
    "vmin.s32 %q[t0], %q[t0], %q[hi]\n\t"                  \
    "ldr %[a0], [%[c], #24]\n\t"                           \
    "vmsr p0, %[a0]\n\t"                                   \
    "vpst\n\t"                                             \
    "vstrbt.32 %q[t0], [%[dst]]\n\t"                       \
    "ldr %[a0], [%[c], #20]\n\t"                           \
    "add %[dst], %[dst], %[a0]\n\t"                        \
    "ldr %[a0], [%[c], #16]\n\t"                           \
    "add %[x], %[x], %[a0]\n\t"                            \
    "subs %[n], %[n], #1\n\t"                              \
    "bne 2b\n\t"
#define HB_ROWS_OPERANDS                                                                       \
    : [a0] "=&Te"(a0), [a1] "=&Te"(a1), [a2] "=&Te"(a2), [a3] "=&Te"(a3), [w0] "=&r"(w0),     \
      [w1] "=&r"(w1), [w2] "=&r"(w2), [w3] "=&r"(w3), [x] "+r"(x), [dst] "+r"(dst),            \
      [n] "+r"(n_rows), [t0] "=&w"(t0), [t1] "=&w"(t1)                                         \
    : [c] "r"(c), [bias] "w"(k->bias), [left] "w"(k->left), [mult] "w"(k->mult),              \
      [nr] "w"(k->neg_right), [lo] "w"(lo), [hi] "w"(hi)                                       \
    : "lr", "cc", "p0", "memory"

static void hb_gemm_block_rows(const hb_block4 *k, hb_rows_ctx *c, const int8_t *x,
                               int32_t n_rows, int8_t *dst, int32x4_t lo, int32x4_t hi)
{
    const int8_t *w0, *w1, *w2, *w3;
    int32_t a0, a1, a2, a3;
    int32x4_t t0, t1;
    __asm__ volatile("2:\n\t" HB_ROWS_BEGIN HB_ROWS_RUN HB_ROWS_RUN_TAIL HB_ROWS_END
                     HB_ROWS_OPERANDS);
}

static void hb_gemm_block_rows_segs(const hb_block4 *k, hb_rows_ctx *c, const int8_t *x,
                                    int32_t n_rows, int8_t *dst, int32x4_t lo, int32x4_t hi)
{
    const int8_t *w0, *w1, *w2, *w3;
    int32_t a0, a1, a2, a3;
    int32x4_t t0, t1;
    __asm__ volatile("2:\n\t" HB_ROWS_BEGIN
                     "ldr lr, [%[c], #40]\n\t"
                     "str lr, [%[c], #44]\n\t"
                     "5:\n\t" HB_ROWS_RUN
                     "ldr lr, [%[c], #48]\n\t"
                     "add %[x], %[x], lr\n\t"
                     "ldr lr, [%[c], #44]\n\t"
                     "subs lr, lr, #1\n\t"
                     "str lr, [%[c], #44]\n\t"
                     "bne 5b\n\t" HB_ROWS_END HB_ROWS_OPERANDS);
}

void hb_mve_gemm_seg_s8(const int8_t *rows, int32_t n_rows, int32_t row_stride, int32_t segs,
                        int32_t seg_len, int32_t seg_stride, const int8_t *filter, int32_t cout,
                        const int32_t *folded, const hb_mve_requant *q, int8_t *out,
                        int32_t out_stride)
{
    const int32x4_t lo = vdupq_n_s32(q->act_min), hi = vdupq_n_s32(q->act_max);
    const int32_t depth = segs * seg_len;
    hb_rows_ctx c;
    int32_t oc;
    if (n_rows <= 0) {
        return;
    }
    c.row_adj = row_stride - (segs > 1 ? segs * seg_stride : seg_len);
    c.out_stride = out_stride;
    c.steps = seg_len >> 4;
    c.out_offset = q->out_offset;
    c.tail = seg_len & 15;
    c.segs = segs;
    c.segs_left = 0;
    c.seg_adj = seg_stride - seg_len;
    for (oc = 0; oc < cout; oc += 4) {
        hb_block4 k;
        hb_block4_init(&k, filter, depth, oc, cout, folded, q);
        c.w[0] = k.w0;
        c.w[1] = k.w1;
        c.w[2] = k.w2;
        c.w[3] = k.w3;
        c.lanes = (uint32_t)k.lanes;
        if (segs > 1) {
            hb_gemm_block_rows_segs(&k, &c, rows, n_rows, out + oc, lo, hi);
        } else {
            hb_gemm_block_rows(&k, &c, rows, n_rows, out + oc, lo, hi);
        }
    }
}

void hb_mve_gemm_s8(const int8_t *rows, int32_t n_rows, int32_t row_stride, int32_t depth,
                    const int8_t *filter, int32_t cout, const int32_t *folded,
                    const hb_mve_requant *q, int8_t *out, int32_t out_stride)
{
    hb_mve_gemm_seg_s8(rows, n_rows, row_stride, 1, depth, depth, filter, cout, folded, q, out,
                       out_stride);
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
