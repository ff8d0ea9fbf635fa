/* AVERAGE_POOL_2D, DSP-extension path.
 * PLACEHOLDER while the optimized kernel is being written: forwards to the plain C path. */
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
