/* ADD int8 (TFLM reference): both inputs shifted left by 20, rescaled to a common scale
 * (twice the larger input scale), summed, rescaled to the output, offset, clamped. */
#include "hb_bcast_walk.h"
#include "internal/hb_kernels_c.h"
#include "internal/hb_qmath.h"

void hb_add_s8_c(const hb_add_params *p, const hb_bcast *b, const int8_t *in1, const int8_t *in2,
                 int8_t *out)
{
#define HB_ADD_BODY(i1, i2, o)                                                                   \
    {                                                                                            \
        const int32_t a = hb_wrap_shl((int32_t)in1[i1] + p->input1_offset, p->left_shift);       \
        const int32_t c = hb_wrap_shl((int32_t)in2[i2] + p->input2_offset, p->left_shift);       \
        const int32_t sa = hb_mbqm(a, p->input1_mult, p->input1_shift);                          \
        const int32_t sc = hb_mbqm(c, p->input2_mult, p->input2_shift);                          \
        const int32_t r =                                                                        \
            hb_mbqm(hb_wrap_add(sa, sc), p->output_mult, p->output_shift) + p->output_offset;    \
        out[o] = (int8_t)hb_clamp(r, p->act_min, p->act_max);                                    \
    }
    HB_BCAST_WALK(b, HB_ADD_BODY);
#undef HB_ADD_BODY
}
