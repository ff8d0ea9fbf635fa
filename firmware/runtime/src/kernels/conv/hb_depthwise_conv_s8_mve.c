/* DEPTHWISE_CONV_2D, Helium (MVE) path.
 * PLACEHOLDER while the optimized kernel is being written: forwards to the plain C path. */
#include "internal/hb_kernels_c.h"
#include "internal/hb_kernels_mve.h"
#include "internal/hb_kpath.h"

#if HB_KPATH_MVE

int32_t hb_depthwise_conv_s8_mve_buffer_size(const hb_conv_params *p, const hb_dims4 *in_d, const
                                             hb_dims4 *filter_d, const hb_dims4 *out_d)
{
    return hb_depthwise_conv_s8_c_buffer_size(p, in_d, filter_d, out_d);
}

void hb_depthwise_conv_s8_mve(const hb_scratch *scratch, const hb_conv_params *p, const int32_t
                              *mult, const int8_t *shift, const hb_dims4 *in_d, const int8_t *in,
                              const hb_dims4 *filter_d, const int8_t *filter, const int32_t *bias,
                              const int32_t *folded, const hb_dims4 *out_d, int8_t *out)
{
    hb_depthwise_conv_s8_c(scratch, p, mult, shift, in_d, in, filter_d, filter, bias, folded, out_d,
                           out);
}

#endif /* HB_KPATH_MVE */
