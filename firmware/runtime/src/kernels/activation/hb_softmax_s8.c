/* SOFTMAX: the public entry point. The kernel path is chosen once per build (hb_kpath.h):
 * Helium, DSP or plain C, each byte-identical with TFLite Micro's reference kernel. */
#include "internal/hb_kernels_c.h"
#include "internal/hb_kernels_dsp_more.h"
#include "internal/hb_kernels_mve.h"
#include "internal/hb_kpath.h"

void hb_softmax_s8(int32_t input_mult, int32_t input_left_shift, int32_t diff_min, int32_t outer,
                   int32_t depth, const int8_t *in, int8_t *out)
{
#if HB_KPATH_MVE
    hb_softmax_s8_mve(input_mult, input_left_shift, diff_min, outer, depth, in, out);
#elif HB_KPATH_DSP
    hb_softmax_s8_dsp(input_mult, input_left_shift, diff_min, outer, depth, in, out);
#else
    hb_softmax_s8_c(input_mult, input_left_shift, diff_min, outer, depth, in, out);
#endif /* HB_KPATH */
}
