/* ADD: the public entry point. The kernel path is chosen once per build (hb_kpath.h):
 * Helium, DSP or plain C, each bit-exact with TFLite Micro's reference kernels. */
#include "internal/hb_kernels_c.h"
#include "internal/hb_kernels_dsp_more.h"
#include "internal/hb_kernels_mve.h"
#include "internal/hb_kpath.h"

void hb_add_s8(const hb_add_params *p, const hb_bcast *b, const int8_t *in1, const int8_t *in2,
               int8_t *out)
{
#if HB_KPATH_MVE
    hb_add_s8_mve(p, b, in1, in2, out);
#elif HB_KPATH_DSP
    hb_add_s8_dsp(p, b, in1, in2, out);
#else
    hb_add_s8_c(p, b, in1, in2, out);
#endif /* HB_KPATH */
}
