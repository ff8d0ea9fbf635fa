/* ADD, DSP-extension path.
 * PLACEHOLDER while the optimized kernel is being written: forwards to the plain C path. */
#include "internal/hb_kernels_c.h"
#include "internal/hb_kernels_dsp_more.h"
#include "internal/hb_kpath.h"

#if HB_KPATH_DSP

void hb_add_s8_dsp(const hb_add_params *p, const hb_bcast *b, const int8_t *in1, const int8_t *in2,
                   int8_t *out)
{
    hb_add_s8_c(p, b, in1, in2, out);
}

#endif /* HB_KPATH_DSP */
