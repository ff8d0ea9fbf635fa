/* CONV_2D: the public entry point. The kernel path is chosen once per build (hb_kpath.h):
 * Helium, DSP or plain C, each bit-exact with TFLite Micro's reference kernels. */
#include "internal/hb_kernels_c.h"
#include "internal/hb_kernels_dsp.h"
#include "internal/hb_kernels_mve.h"
#include "internal/hb_kpath.h"

int32_t hb_conv_s8_get_buffer_size(const hb_conv_params *p, const hb_dims4 *in_d, const hb_dims4
                                   *filter_d, const hb_dims4 *out_d)
{
#if HB_KPATH_MVE
    return hb_conv_s8_mve_buffer_size(p, in_d, filter_d, out_d);
#elif HB_KPATH_DSP
    return hb_conv_s8_dsp_buffer_size(p, in_d, filter_d, out_d);
#else
    return hb_conv_s8_c_buffer_size(p, in_d, filter_d, out_d);
#endif /* HB_KPATH */
}

void hb_conv_s8(const hb_scratch *scratch, const hb_conv_params *p, const int32_t *mult, const
                int8_t *shift, const hb_dims4 *in_d, const int8_t *in, const hb_dims4 *filter_d,
                const int8_t *filter, const int32_t *bias, const int32_t *folded, const hb_dims4
                *out_d, int8_t *out)
{
#if HB_KPATH_MVE
    hb_conv_s8_mve(scratch, p, mult, shift, in_d, in, filter_d, filter, bias, folded, out_d, out);
#elif HB_KPATH_DSP
    hb_conv_s8_dsp(scratch, p, mult, shift, in_d, in, filter_d, filter, bias, folded, out_d, out);
#else
    hb_conv_s8_c(scratch, p, mult, shift, in_d, in, filter_d, filter, bias, folded, out_d, out);
#endif /* HB_KPATH */
}
