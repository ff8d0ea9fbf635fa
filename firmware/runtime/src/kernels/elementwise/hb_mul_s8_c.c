/* MUL int8 (TFLM reference): (x1 + off1) * (x2 + off2) requantized, + offset, clamped. */
#include "hb_bcast_walk.h"
#include "internal/hb_kernels_c.h"
#include "internal/hb_qmath.h"

void hb_mul_s8_c(const hb_mul_params *p, const hb_bcast *b, const int8_t *in1, const int8_t *in2,
                 int8_t *out)
{
#define HB_MUL_BODY(i1, i2, o)                                                                   \
    {                                                                                            \
        const int32_t prod =                                                                     \
            ((int32_t)in1[i1] + p->input1_offset) * ((int32_t)in2[i2] + p->input2_offset);       \
        const int32_t r = hb_mbqm(prod, p->output_mult, p->output_shift) + p->output_offset;     \
        out[o] = (int8_t)hb_clamp(r, p->act_min, p->act_max);                                    \
    }
    HB_BCAST_WALK(b, HB_MUL_BODY);
#undef HB_MUL_BODY
}
