/* ADD, Arm DSP extension path (Cortex-M4/M7/M33): TFLM's reference arithmetic per element,
 *   a = MBQM((in1 + off1) << left_shift, m1, s1), c = MBQM((in2 + off2) << left_shift, m2, s2),
 *   out = clamp(MBQM(a + c, mo, so) + out_offset, act_min, act_max),
 * with MultiplyByQuantizedMultiplier as one SMLAL and the exact rounding shift (hb_dsp_requant),
 * and the broadcast walked as runs along the innermost dimension: one run when the shapes collapse
 * to a contiguous block (no broadcasting, the ResNet residual adds), else one per outer index. */
#include "internal/hb_kernels_dsp.h"
#include "internal/hb_kpath.h"

#if HB_KPATH_DSP

#include "hb_bcast_walk.h"
#include "internal/hb_dsp_simd.h"

/* n outputs from in1 / in2 walked with element strides s1 / s2 (0 along a broadcast). */
static void add_run(const hb_add_params *p, const int8_t *in1, int32_t s1, const int8_t *in2,
                    int32_t s2, int8_t *out, int32_t n)
{
    /* Locals: the int8 stores could alias p. */
    const int32_t off1 = p->input1_offset, off2 = p->input2_offset, ls = p->left_shift;
    /* input shifts are <= 0 (hb_add_params) */
    const int32_t m1 = p->input1_mult, r1 = -p->input1_shift, m2 = p->input2_mult;
    const int32_t r2 = -p->input2_shift, mo = p->output_mult, sho = p->output_shift;
    const int32_t out_off = p->output_offset, lo = p->act_min, hi = p->act_max;
    const hb_dsp_rq qo = hb_dsp_rq_make(mo, sho, out_off);
    int32_t i;
    if (!hb_dsp_rq_fast(&qo)) {
        for (i = 0; i < n; i++, in1 += s1, in2 += s2) {
            const int32_t a = hb_dsp_requant_right(hb_wrap_shl(*in1 + off1, (int)ls), m1, r1);
            const int32_t c = hb_dsp_requant_right(hb_wrap_shl(*in2 + off2, (int)ls), m2, r2);
            out[i] = hb_dsp_out(hb_wrap_add(a, c), mo, sho, out_off, lo, hi);
        }
        return;
    }
    for (i = 0; i < n; i++, in1 += s1, in2 += s2) {
        const int32_t a = hb_dsp_requant_right(hb_wrap_shl(*in1 + off1, (int)ls), m1, r1);
        const int32_t c = hb_dsp_requant_right(hb_wrap_shl(*in2 + off2, (int)ls), m2, r2);
        out[i] = hb_dsp_out_fast(hb_wrap_add(a, c), &qo, lo, hi);
    }
}

#define HB_ADD_DSP_RUN(i1, i2, o, n) \
    add_run(p, in1 + (i1), b->stride1[5], in2 + (i2), b->stride2[5], out + (o), n)

void hb_add_s8_dsp(const hb_add_params *p, const hb_bcast *b, const int8_t *in1, const int8_t *in2,
                   int8_t *out)
{
    if (hb_bcast_contiguous(b, b->stride1) && hb_bcast_contiguous(b, b->stride2)) {
        add_run(p, in1, 1, in2, 1, out, hb_bcast_count(b));
        return;
    }
    HB_BCAST_WALK_RUNS(b, HB_ADD_DSP_RUN);
}

#endif /* HB_KPATH_DSP */
