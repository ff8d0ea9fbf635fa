/* Helium GEMM with requantization (hb_mve_gemm_s8.h). Output channels go in blocks of 4 (the
 * four lanes of one requantization vector); inside a block every row is run against the block's 4
 * filter rows: per 16 bytes of depth, 1 row load + 4 filter loads + 4 VMLADAVA (16 int8 products
 * each, summed into 32-bit registers that wrap like the reference's int32 sums). The block's
 * multipliers, shifts and folded bias are loaded once and reused for every row. The depth tail
 * (depth % 16) uses zeroing predicated loads: masked lanes add 0. */
#include "internal/hb_kpath.h"

#if HB_KPATH_MVE

#include "internal/hb_mve_gemm_s8.h"

/* Dot products of one row with four filter rows, as the four lanes of a vector. */
static inline __attribute__((always_inline)) int32x4_t
hb_mve_dot_1x4(const int8_t *row, int32_t depth, const int8_t *w0, const int8_t *w1,
               const int8_t *w2, const int8_t *w3)
{
    const int32_t tail = depth & 15;
    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    int32_t i;
    int32x4_t v;
    for (i = depth >> 4; i > 0; i--) {
        const int8x16_t x = vldrbq_s8(row);
        a0 = vmladavaq_s8(a0, x, vldrbq_s8(w0));
        a1 = vmladavaq_s8(a1, x, vldrbq_s8(w1));
        a2 = vmladavaq_s8(a2, x, vldrbq_s8(w2));
        a3 = vmladavaq_s8(a3, x, vldrbq_s8(w3));
        row += 16;
        w0 += 16;
        w1 += 16;
        w2 += 16;
        w3 += 16;
    }
    if (tail > 0) {
        const mve_pred16_t p = vctp8q((uint32_t)tail);
        const int8x16_t x = vldrbq_z_s8(row, p);
        a0 = vmladavaq_s8(a0, x, vldrbq_z_s8(w0, p));
        a1 = vmladavaq_s8(a1, x, vldrbq_z_s8(w1, p));
        a2 = vmladavaq_s8(a2, x, vldrbq_z_s8(w2, p));
        a3 = vmladavaq_s8(a3, x, vldrbq_z_s8(w3, p));
    }
    v = vdupq_n_s32(a0);
    v = vsetq_lane_s32(a1, v, 1);
    v = vsetq_lane_s32(a2, v, 2);
    return vsetq_lane_s32(a3, v, 3);
}

void hb_mve_gemm_s8(const int8_t *rows, int32_t n_rows, int32_t row_stride, int32_t depth,
                    const int8_t *filter, int32_t cout, const int32_t *folded,
                    const hb_mve_requant *q, int8_t *out, int32_t out_stride)
{
    const int32x4_t lo = vdupq_n_s32(q->act_min), hi = vdupq_n_s32(q->act_max);
    int32_t oc, r;
    for (oc = 0; oc < cout; oc += 4) {
        const int32_t n = cout - oc < 4 ? cout - oc : 4;
        const mve_pred16_t lanes = vctp32q((uint32_t)n);
        /* Past cout, repeat the block's first filter row: those lanes are computed, not stored. */
        const int8_t *w0 = filter + oc * depth;
        const int8_t *w1 = n > 1 ? w0 + depth : w0;
        const int8_t *w2 = n > 2 ? w0 + 2 * depth : w0;
        const int8_t *w3 = n > 3 ? w0 + 3 * depth : w0;
        const int32x4_t bias = vldrwq_z_s32(folded + oc, lanes);
        const int8_t *row = rows;
        int8_t *dst = out + oc;
        int32x4_t mult, left, neg_right;
        hb_mve_requant_lanes(q, oc, lanes, &mult, &left, &neg_right);
        for (r = 0; r < n_rows; r++) {
            int32x4_t acc = vaddq_s32(hb_mve_dot_1x4(row, depth, w0, w1, w2, w3), bias);
            acc = hb_mve_requant_s32(acc, mult, left, neg_right, q->out_offset);
            vstrbq_p_s32(dst, vminq_s32(vmaxq_s32(acc, lo), hi), lanes);
            row += row_stride;
            dst += out_stride;
        }
    }
}

#endif /* HB_KPATH_MVE */
