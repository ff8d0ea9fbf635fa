/* FULLY_CONNECTED, Arm DSP extension path.
 * PLACEHOLDER while the optimized kernel is being written: forwards to the plain C path. */
#include "internal/hb_kernels_c.h"
#include "internal/hb_kernels_dsp.h"
#include "internal/hb_kpath.h"

#if HB_KPATH_DSP

int32_t hb_fully_connected_s8_dsp_buffer_size(const hb_fc_params *p, int32_t batches, int32_t depth,
                                              int32_t out_depth)
{
    return hb_fully_connected_s8_c_buffer_size(p, batches, depth, out_depth);
}

void hb_fully_connected_s8_dsp(const hb_scratch *scratch, const hb_fc_params *p, const int32_t
                               *mult, const int8_t *shift, int32_t batches, int32_t depth, int32_t
                               out_depth, const int8_t *in, const int8_t *filter, const int32_t
                               *bias, const int32_t *folded, int8_t *out)
{
    hb_fully_connected_s8_c(scratch, p, mult, shift, batches, depth, out_depth, in, filter, bias,
                            folded, out);
}

#endif /* HB_KPATH_DSP */
