/* FULLY_CONNECTED: the public entry point. The kernel path is chosen once per build (hb_kpath.h):
 * Helium, DSP or plain C, each bit-exact with TFLite Micro's reference kernels. */
#include "internal/hb_kernels_c.h"
#include "internal/hb_kernels_dsp.h"
#include "internal/hb_kernels_mve.h"
#include "internal/hb_kpath.h"

int32_t hb_fully_connected_s8_get_buffer_size(const hb_fc_params *p, int32_t batches, int32_t depth,
                                              int32_t out_depth)
{
#if HB_KPATH_MVE
    return hb_fully_connected_s8_mve_buffer_size(p, batches, depth, out_depth);
#elif HB_KPATH_DSP
    return hb_fully_connected_s8_dsp_buffer_size(p, batches, depth, out_depth);
#else
    return hb_fully_connected_s8_c_buffer_size(p, batches, depth, out_depth);
#endif /* HB_KPATH */
}

void hb_fully_connected_s8(const hb_scratch *scratch, const hb_fc_params *p, const int32_t *mult,
                           const int8_t *shift, int32_t batches, int32_t depth, int32_t out_depth,
                           const int8_t *in, const int8_t *filter, const int32_t *bias, const
                           int32_t *folded, int8_t *out)
{
#if HB_KPATH_MVE
    hb_fully_connected_s8_mve(scratch, p, mult, shift, batches, depth, out_depth, in, filter, bias,
                              folded, out);
#elif HB_KPATH_DSP
    hb_fully_connected_s8_dsp(scratch, p, mult, shift, batches, depth, out_depth, in, filter, bias,
                              folded, out);
#else
    hb_fully_connected_s8_c(scratch, p, mult, shift, batches, depth, out_depth, in, filter, bias,
                            folded, out);
#endif /* HB_KPATH */
}
