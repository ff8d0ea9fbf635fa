/* SOFTMAX, DSP-extension path.
 * No DSP kernel: the plain C kernel runs. SOFTMAX is 3.0 % of digits_cnn and 0.03 % of kws on a
 * Cortex-M4 with the DSP kernels (benchmarks/kernels.py --layers), below the 5 % bar for an
 * optimized path; and its int32 fixed-point arithmetic gains nothing from the DSP extension's
 * 8- and 16-bit SIMD. */
#include "internal/hb_kernels_c.h"
#include "internal/hb_kernels_dsp_more.h"
#include "internal/hb_kpath.h"

#if HB_KPATH_DSP

void hb_softmax_s8_dsp(int32_t input_mult, int32_t input_left_shift, int32_t diff_min,
                       int32_t outer, int32_t depth, const int8_t *in, int8_t *out)
{
    hb_softmax_s8_c(input_mult, input_left_shift, diff_min, outer, depth, in, out);
}

#endif /* HB_KPATH_DSP */
