/* Helium GEMM with requantization (hb_mve_gemm_s8.h). Output channels go in blocks of 4 (the
 * four lanes of one requantization vector); inside a block every row is run against the block's 4
 * filter rows: per 16 bytes of depth, 1 row load + 4 filter loads + 4 VMLADAVA (16 int8 products
 * each, summed into 32-bit registers that wrap like the reference's int32 sums). The block's
 * multipliers, shifts and folded bias are loaded once and reused for every row. Run tails
 * (length % 16) use zeroing predicated loads: masked lanes add 0. */
#include "internal/hb_kpath.h"

#if HB_KPATH_MVE

#include <stddef.h>

#include "internal/hb_mve_block4.h"
#include "internal/hb_mve_gemm_s8.h"

/* Everything the row loop of one block reads from memory (the loop keeps only pointers and
 * accumulators in registers). Offsets are fixed: the assembly below addresses the fields. */
typedef struct hb_rows_ctx {
    const int8_t *w[4];  /*  0: the block's 4 filter rows */
    int32_t row_adj;     /* 16: bytes from the end of a row's last segment to the next row */
    int32_t out_stride;  /* 20 */
    uint32_t lanes;      /* 24: store predicate (channels of the block inside cout) */
    int32_t steps;       /* 28: segment length / 16 */
    int32_t out_offset;  /* 32 */
    int32_t tail;        /* 36: segment length % 16 */
    int32_t segs;        /* 40: segments per row */
    int32_t segs_left;   /* 44: the loop's segment counter */
    int32_t seg_adj;     /* 48: bytes from a segment's end to the next segment */
} hb_rows_ctx;

/* The assembly's field offsets, checked at compile time (a negative array size fails). */
typedef char hb_rows_ctx_offsets[(offsetof(hb_rows_ctx, row_adj) == 16 &&
                                  offsetof(hb_rows_ctx, lanes) == 24 &&
                                  offsetof(hb_rows_ctx, tail) == 36 &&
                                  offsetof(hb_rows_ctx, seg_adj) == 48) ? 1 : -1];

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
#define HB_ROWS_RUN_TAIL(more)                             \
    "ldr lr, [%[c], #36]\n\t"                              \
    "cmp lr, #0\n\t"                                       \
    "beq 4f\n\t"                                           \
    "vctp.8 lr\n\t"                                        \
    "vpst\n\t"                                             \
    "vldrbt.8 %q[t0], [%[x]]\n\t"                          \
    HB_ROWS_TAIL("w0", "a0") HB_ROWS_TAIL("w1", "a1")      \
    HB_ROWS_TAIL("w2", "a2") HB_ROWS_TAIL("w3", "a3")      \
    "add %[x], %[x], lr\n\t"                               \
    more                                                   \
    "4:\n\t"
/* After a tail that more runs of the same row follow: the filter pointers move past it too. */
#define HB_ROWS_TAIL_W                                     \
    "add %[w0], %[w0], lr\n\t"                             \
    "add %[w1], %[w1], lr\n\t"                             \
    "add %[w2], %[w2], lr\n\t"                             \
    "add %[w3], %[w3], lr\n\t"
#define HB_ROWS_REQUANT                                    \
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
    "vmin.s32 %q[t0], %q[t0], %q[hi]\n\t"
#define HB_ROWS_NEXT                                       \
    "vpst\n\t"                                             \
    "vstrbt.32 %q[t0], [%[dst]]\n\t"                       \
    "ldr %[a0], [%[c], #20]\n\t"                           \
    "add %[dst], %[dst], %[a0]\n\t"                        \
    "ldr %[a0], [%[c], #16]\n\t"                           \
    "add %[x], %[x], %[a0]\n\t"                            \
    "subs %[n], %[n], #1\n\t"                              \
    "bne 2b\n\t"
/* The store predicate goes back into VPR per row where a tail's VCTP replaced it. */
#define HB_ROWS_END                                        \
    HB_ROWS_REQUANT                                        \
    "ldr %[a0], [%[c], #24]\n\t"                           \
    "vmsr p0, %[a0]\n\t"                                   \
    HB_ROWS_NEXT
#define HB_ROWS_OPERANDS                                                                       \
    : [a0] "=&Te"(a0), [a1] "=&Te"(a1), [a2] "=&Te"(a2), [a3] "=&Te"(a3), [w0] "=&r"(w0),     \
      [w1] "=&r"(w1), [w2] "=&r"(w2), [w3] "=&r"(w3), [x] "+r"(x), [dst] "+r"(dst),            \
      [n] "+r"(n_rows), [t0] "=&w"(t0), [t1] "=&w"(t1)                                         \
    : [c] "r"(c), [bias] "w"(k->bias), [left] "w"(k->left), [mult] "w"(k->mult),              \
      [nr] "w"(k->neg_right), [lo] "w"(lo), [hi] "w"(hi)                                       \
    : "lr", "cc", "p0", "memory"

/* Single runs of whole 16-byte steps (depth % 16 == 0, depth >= 16: pointwise layers, most
 * fully connected ones): no tail, so VPR holds the store predicate for the whole loop, and the
 * first step is peeled as non-accumulating VMLADAV (no zeroing of the accumulators). */
static void hb_gemm_block_rows_whole(const hb_block4 *k, hb_rows_ctx *c, const int8_t *x,
                                     int32_t n_rows, int8_t *dst, int32x4_t lo, int32x4_t hi)
{
    const int8_t *w0, *w1, *w2, *w3;
    int32_t a0, a1, a2, a3;
    int32x4_t t0, t1;
    __asm__ volatile("ldr %[a0], [%[c], #24]\n\t"
                     "vmsr p0, %[a0]\n\t"
                     "2:\n\t"
                     "ldrd %[w0], %[w1], [%[c], #0]\n\t"
                     "ldrd %[w2], %[w3], [%[c], #8]\n\t"
                     "vldrb.8 %q[t0], [%[x]], #16\n\t"
                     "vldrb.8 %q[t1], [%[w0]], #16\n\t"
                     "vmladav.s8 %[a0], %q[t0], %q[t1]\n\t"
                     "vldrb.8 %q[t1], [%[w1]], #16\n\t"
                     "vmladav.s8 %[a1], %q[t0], %q[t1]\n\t"
                     "vldrb.8 %q[t1], [%[w2]], #16\n\t"
                     "vmladav.s8 %[a2], %q[t0], %q[t1]\n\t"
                     "vldrb.8 %q[t1], [%[w3]], #16\n\t"
                     "vmladav.s8 %[a3], %q[t0], %q[t1]\n\t"
                     "ldr lr, [%[c], #28]\n\t"
                     "subs lr, lr, #1\n\t"
                     "wls lr, lr, 3f\n\t"
                     "1:\n\t"
                     "vldrb.8 %q[t0], [%[x]], #16\n\t"
                     HB_ROWS_STEP("w0", "a0") HB_ROWS_STEP("w1", "a1") HB_ROWS_STEP("w2", "a2")
                     HB_ROWS_STEP("w3", "a3")
                     "le lr, 1b\n\t"
                     "3:\n\t"
                     HB_ROWS_REQUANT HB_ROWS_NEXT HB_ROWS_OPERANDS);
}

static void hb_gemm_block_rows(const hb_block4 *k, hb_rows_ctx *c, const int8_t *x,
                               int32_t n_rows, int8_t *dst, int32x4_t lo, int32x4_t hi)
{
    const int8_t *w0, *w1, *w2, *w3;
    int32_t a0, a1, a2, a3;
    int32x4_t t0, t1;
    __asm__ volatile("2:\n\t" HB_ROWS_BEGIN HB_ROWS_RUN HB_ROWS_RUN_TAIL("") HB_ROWS_END
                     HB_ROWS_OPERANDS);
}

/* Several runs per row; `tail_code` handles a run's tail (empty when runs are whole steps, so
 * that case pays no tail check per run). */
#define HB_ROWS_SEGS_ASM(tail_code)                                                             \
    __asm__ volatile("2:\n\t" HB_ROWS_BEGIN                                                    \
                     "ldr lr, [%[c], #40]\n\t"                                                 \
                     "str lr, [%[c], #44]\n\t"                                                 \
                     "5:\n\t" HB_ROWS_RUN tail_code                                            \
                     "ldr lr, [%[c], #48]\n\t"                                                 \
                     "add %[x], %[x], lr\n\t"                                                  \
                     "ldr lr, [%[c], #44]\n\t"                                                 \
                     "subs lr, lr, #1\n\t"                                                     \
                     "str lr, [%[c], #44]\n\t"                                                 \
                     "bne 5b\n\t" HB_ROWS_END HB_ROWS_OPERANDS)

static void hb_gemm_block_rows_segs(const hb_block4 *k, hb_rows_ctx *c, const int8_t *x,
                                    int32_t n_rows, int8_t *dst, int32x4_t lo, int32x4_t hi)
{
    const int8_t *w0, *w1, *w2, *w3;
    int32_t a0, a1, a2, a3;
    int32x4_t t0, t1;
    if (c->tail != 0) {
        HB_ROWS_SEGS_ASM(HB_ROWS_RUN_TAIL(HB_ROWS_TAIL_W));
    } else {
        HB_ROWS_SEGS_ASM("");
    }
}

/* Three runs of whole steps per row (3-row filters over 16k-byte rows: every 3x3 layer of
 * ResNet-8): the segment loop unrolled, VPR holding the store predicate throughout. */
static void hb_gemm_block_rows_segs3(const hb_block4 *k, hb_rows_ctx *c, const int8_t *x,
                                     int32_t n_rows, int8_t *dst, int32x4_t lo, int32x4_t hi)
{
    const int8_t *w0, *w1, *w2, *w3;
    int32_t a0, a1, a2, a3;
    int32x4_t t0, t1;
    __asm__ volatile("ldr %[a0], [%[c], #24]\n\t"
                     "vmsr p0, %[a0]\n\t"
                     "2:\n\t" HB_ROWS_BEGIN
                     HB_ROWS_RUN "ldr lr, [%[c], #48]\n\t" "add %[x], %[x], lr\n\t"
                     HB_ROWS_RUN "ldr lr, [%[c], #48]\n\t" "add %[x], %[x], lr\n\t"
                     HB_ROWS_RUN "ldr lr, [%[c], #48]\n\t" "add %[x], %[x], lr\n\t"
                     HB_ROWS_REQUANT HB_ROWS_NEXT HB_ROWS_OPERANDS);
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
        if (segs == 3 && c.tail == 0) {
            hb_gemm_block_rows_segs3(&k, &c, rows, n_rows, out + oc, lo, hi);
        } else if (segs > 1) {
            hb_gemm_block_rows_segs(&k, &c, rows, n_rows, out + oc, lo, hi);
        } else if (c.tail == 0 && c.steps > 0) {
            hb_gemm_block_rows_whole(&k, &c, rows, n_rows, out + oc, lo, hi);
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

#endif /* HB_KPATH_MVE */
