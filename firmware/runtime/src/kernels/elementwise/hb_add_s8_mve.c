/* ADD, Helium (MVE) path: TFLM's reference arithmetic on four int32 lanes at a time,
 *   a = MBQM((in1 + off1) << left_shift, m1, s1), c = MBQM((in2 + off2) << left_shift, m2, s2),
 *   out = clamp(MBQM(a + c, mo, so) + out_offset, act_min, act_max)
 * with MBQM = MultiplyByQuantizedMultiplier (hb_mve_math.h; the sum wraps like hb_wrap_add).
 * Vectorized along the innermost dimension when each input walks it contiguously (stride 1) or
 * broadcasts one value along it (stride 0); shapes that collapse to one contiguous run (no
 * broadcasting, the ResNet residual adds) are one loop. Any other broadcast takes the C path. */
#include "internal/hb_kernels_c.h"
#include "internal/hb_kernels_mve.h"
#include "internal/hb_kpath.h"

#if HB_KPATH_MVE

#include "internal/hb_mve_math.h"

typedef struct hb_add_lanes {
    int32x4_t m1, l1, r1, m2, l2, r2, mo, lo, ro, act_min, act_max;
} hb_add_lanes;

static void hb_add_lanes_init(const hb_add_params *p, hb_add_lanes *k)
{
    k->m1 = vdupq_n_s32(p->input1_mult);
    k->l1 = vdupq_n_s32(p->input1_shift > 0 ? p->input1_shift : 0);
    k->r1 = vdupq_n_s32(p->input1_shift < 0 ? p->input1_shift : 0);
    k->m2 = vdupq_n_s32(p->input2_mult);
    k->l2 = vdupq_n_s32(p->input2_shift > 0 ? p->input2_shift : 0);
    k->r2 = vdupq_n_s32(p->input2_shift < 0 ? p->input2_shift : 0);
    k->mo = vdupq_n_s32(p->output_mult);
    k->lo = vdupq_n_s32(p->output_shift > 0 ? p->output_shift : 0);
    k->ro = vdupq_n_s32(p->output_shift < 0 ? p->output_shift : 0);
    k->act_min = vdupq_n_s32(p->act_min);
    k->act_max = vdupq_n_s32(p->act_max);
}

static inline __attribute__((always_inline)) int32x4_t
hb_add4(const hb_add_params *p, const hb_add_lanes *k, int32x4_t x1, int32x4_t x2)
{
    const int32x4_t a = hb_mve_mbqm_s32(vshlq_r_s32(vaddq_n_s32(x1, p->input1_offset), p->left_shift),
                                        k->m1, k->l1, k->r1);
    const int32x4_t c = hb_mve_mbqm_s32(vshlq_r_s32(vaddq_n_s32(x2, p->input2_offset), p->left_shift),
                                        k->m2, k->l2, k->r2);
    int32x4_t r = vaddq_n_s32(hb_mve_mbqm_s32(vaddq_s32(a, c), k->mo, k->lo, k->ro), p->output_offset);
    return vminq_s32(vmaxq_s32(r, k->act_min), k->act_max);
}

/* n outputs from in1 / in2 walked with stride s1 / s2, each 0 or 1. */
static void hb_add_run(const hb_add_params *p, const hb_add_lanes *k, const int8_t *in1, int32_t s1,
                       const int8_t *in2, int32_t s2, int8_t *out, int32_t n)
{
    int32x4_t b1, b2;
    int32_t i = 0;
    if (n <= 0) {
        return;
    }
    b1 = vdupq_n_s32(in1[0]);
    b2 = vdupq_n_s32(in2[0]);
    if (s1 && s2) {
        for (; i + 4 <= n; i += 4) {
            vstrbq_s32(out + i, hb_add4(p, k, vldrbq_s32(in1 + i), vldrbq_s32(in2 + i)));
        }
    }
    for (; i < n; i += 4) {
        const mve_pred16_t lanes = vctp32q((uint32_t)(n - i));
        const int32x4_t x1 = s1 ? vldrbq_z_s32(in1 + i, lanes) : b1;
        const int32x4_t x2 = s2 ? vldrbq_z_s32(in2 + i, lanes) : b2;
        vstrbq_p_s32(out + i, hb_add4(p, k, x1, x2), lanes);
    }
}

/* Whether input strides are those of a contiguous tensor of the output's shape. */
static int hb_add_contiguous(const hb_bcast *b, const int32_t *stride)
{
    int32_t d, expect = 1;
    for (d = 5; d >= 0; d--) {
        if (b->dims[d] != 1 && stride[d] != expect) {
            return 0;
        }
        expect *= b->dims[d];
    }
    return 1;
}

void hb_add_s8_mve(const hb_add_params *p, const hb_bcast *b, const int8_t *in1, const int8_t *in2,
                   int8_t *out)
{
    hb_add_lanes k;
    int32_t d0, d1, d2, d3, d4, o = 0;
    if ((b->stride1[5] != 0 && b->stride1[5] != 1) || (b->stride2[5] != 0 && b->stride2[5] != 1)) {
        hb_add_s8_c(p, b, in1, in2, out);
        return;
    }
    hb_add_lanes_init(p, &k);
    if (hb_add_contiguous(b, b->stride1) && hb_add_contiguous(b, b->stride2)) {
        hb_add_run(p, &k, in1, 1, in2, 1, out,
                   b->dims[0] * b->dims[1] * b->dims[2] * b->dims[3] * b->dims[4] * b->dims[5]);
        return;
    }
    for (d0 = 0; d0 < b->dims[0]; d0++) {
        for (d1 = 0; d1 < b->dims[1]; d1++) {
            for (d2 = 0; d2 < b->dims[2]; d2++) {
                for (d3 = 0; d3 < b->dims[3]; d3++) {
                    for (d4 = 0; d4 < b->dims[4]; d4++, o += b->dims[5]) {
                        const int32_t i1 = d0 * b->stride1[0] + d1 * b->stride1[1] +
                                           d2 * b->stride1[2] + d3 * b->stride1[3] +
                                           d4 * b->stride1[4];
                        const int32_t i2 = d0 * b->stride2[0] + d1 * b->stride2[1] +
                                           d2 * b->stride2[2] + d3 * b->stride2[3] +
                                           d4 * b->stride2[4];
                        hb_add_run(p, &k, in1 + i1, b->stride1[5], in2 + i2, b->stride2[5], out + o,
                                   b->dims[5]);
                    }
                }
            }
        }
    }
}

#endif /* HB_KPATH_MVE */
