/* MAX_POOL_2D: the public entry point. The kernel path is chosen once per build (hb_kpath.h):
 * Helium, DSP or plain C, each byte-identical with TFLite Micro's reference kernel. */
#include "internal/hb_kernels_c.h"
#include "internal/hb_kernels_dsp_more.h"
#include "internal/hb_kernels_mve.h"
#include "internal/hb_kpath.h"

void hb_max_pool_s8(const hb_pool_params *p, const hb_dims4 *in_d, const int8_t *in,
                    const hb_dims4 *out_d, int8_t *out)
{
#if HB_KPATH_MVE
    hb_max_pool_s8_mve(p, in_d, in, out_d, out);
#elif HB_KPATH_DSP
    hb_max_pool_s8_dsp(p, in_d, in, out_d, out);
#else
    hb_max_pool_s8_c(p, in_d, in, out_d, out);
#endif /* HB_KPATH */
}
