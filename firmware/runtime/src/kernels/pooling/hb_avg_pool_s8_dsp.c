/* AVERAGE_POOL_2D, DSP-extension path.
 * No DSP kernel: the plain C kernel runs. AVERAGE_POOL_2D is 1.1 % of kws and 0.2 % of ResNet-8
 * and MobileNet on a Cortex-M4 with the DSP kernels (benchmarks/kernels.py --layers), below the
 * 5 % bar for an optimized path. */
#include "internal/hb_kernels_c.h"
#include "internal/hb_kernels_dsp_more.h"
#include "internal/hb_kpath.h"

#if HB_KPATH_DSP

void hb_avg_pool_s8_dsp(const hb_pool_params *p, const hb_dims4 *in_d, const int8_t *in,
                        const hb_dims4 *out_d, int8_t *out)
{
    hb_avg_pool_s8_c(p, in_d, in, out_d, out);
}

#endif /* HB_KPATH_DSP */
