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

#include <arm_mve.h>

#include "hb_bcast_walk.h"

/* MultiplyByQuantizedMultiplier with one multiplier and shift for every lane, the operands as
 * scalars (the _n forms keep the 8 vector registers for data): hb_mve_mbqm_s32's arithmetic with
 * the negative-tie nudge written as sign * nudge (nudge = 1 when right > 0, else 0). */
typedef struct hb_add_stage {
    int32_t left, mult, neg_right, nudge;
} hb_add_stage;

static void hb_add_stage_init(hb_add_stage *s, int32_t pre_left, int32_t mult, int32_t shift)
{
    s->left = pre_left + (shift > 0 ? shift : 0);
    s->mult = mult;
    s->neg_right = shift < 0 ? shift : 0;
    s->nudge = shift < 0 ? 1 : 0;
}

static inline __attribute__((always_inline)) int32x4_t hb_add_mbqm(int32x4_t x, hb_add_stage s)
{
    x = vqrdmulhq_n_s32(vshlq_r_s32(x, s.left), s.mult);
    x = vqaddq_s32(x, vmulq_n_s32(vshrq_n_s32(x, 31), s.nudge));
    return vrshlq_n_s32(x, s.neg_right);
}

/* Everything an element needs, copied by value into each run (the output stores are int8 and
 * could alias a struct behind a pointer, which made GCC reload every field per vector). */
typedef struct hb_add_lanes {
    hb_add_stage in1, in2, out;
    int32_t off1, off2, out_off, act_min, act_max;
} hb_add_lanes;

static void hb_add_lanes_init(const hb_add_params *p, hb_add_lanes *k)
{
    /* (x + off) << left_shift, then the input's own left shift: one shift of their sum */
    hb_add_stage_init(&k->in1, p->left_shift, p->input1_mult, p->input1_shift);
    hb_add_stage_init(&k->in2, p->left_shift, p->input2_mult, p->input2_shift);
    hb_add_stage_init(&k->out, 0, p->output_mult, p->output_shift);
    k->off1 = p->input1_offset;
    k->off2 = p->input2_offset;
    k->out_off = p->output_offset;
    k->act_min = p->act_min;
    k->act_max = p->act_max;
}

static inline __attribute__((always_inline)) int32x4_t
hb_add4(hb_add_lanes k, int32x4_t lo, int32x4_t hi, int32x4_t x1, int32x4_t x2)
{
    const int32x4_t a = hb_add_mbqm(vaddq_n_s32(x1, k.off1), k.in1);
    const int32x4_t c = hb_add_mbqm(vaddq_n_s32(x2, k.off2), k.in2);
    const int32x4_t r = vaddq_n_s32(hb_add_mbqm(vaddq_s32(a, c), k.out), k.out_off);
    return vminq_s32(vmaxq_s32(r, lo), hi);
}

/* n outputs from in1 / in2 walked with stride s1 / s2, each 0 or 1. */
static void hb_add_run(const hb_add_lanes *kp, const int8_t *in1, int32_t s1, const int8_t *in2,
                       int32_t s2, int8_t *out, int32_t n)
{
    const hb_add_lanes k = *kp;
    const int32x4_t lo = vdupq_n_s32(k.act_min), hi = vdupq_n_s32(k.act_max);
    int32x4_t b1, b2;
    int32_t i = 0;
    if (n <= 0) {
        return;
    }
    b1 = vdupq_n_s32(in1[0]);
    b2 = vdupq_n_s32(in2[0]);
    if (s1 && s2) {
        for (; i + 4 <= n; i += 4) {
            vstrbq_s32(out + i, hb_add4(k, lo, hi, vldrbq_s32(in1 + i), vldrbq_s32(in2 + i)));
        }
    }
    for (; i < n; i += 4) {
        const mve_pred16_t lanes = vctp32q((uint32_t)(n - i));
        const int32x4_t x1 = s1 ? vldrbq_z_s32(in1 + i, lanes) : b1;
        const int32x4_t x2 = s2 ? vldrbq_z_s32(in2 + i, lanes) : b2;
        vstrbq_p_s32(out + i, hb_add4(k, lo, hi, x1, x2), lanes);
    }
}

#define HB_ADD_MVE_RUN(i1, i2, o, n) \
    hb_add_run(&k, in1 + (i1), b->stride1[5], in2 + (i2), b->stride2[5], out + (o), n)

void hb_add_s8_mve(const hb_add_params *p, const hb_bcast *b, const int8_t *in1, const int8_t *in2,
                   int8_t *out)
{
    hb_add_lanes k;
    if ((b->stride1[5] != 0 && b->stride1[5] != 1) || (b->stride2[5] != 0 && b->stride2[5] != 1)) {
        hb_add_s8_c(p, b, in1, in2, out);
        return;
    }
    hb_add_lanes_init(p, &k);
    if (hb_bcast_contiguous(b, b->stride1) && hb_bcast_contiguous(b, b->stride2)) {
        hb_add_run(&k, in1, 1, in2, 1, out, hb_bcast_count(b));
        return;
    }
    HB_BCAST_WALK_RUNS(b, HB_ADD_MVE_RUN);
}

#endif /* HB_KPATH_MVE */
