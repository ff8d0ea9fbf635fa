/* FULLY_CONNECTED, Arm DSP extension path (Cortex-M4/M7/M33): the shared GEMM core with rows =
 * output units (filter [out_depth][depth]) and columns = batches (input rows of depth bytes).
 * int8 weights are symmetric (filter_offset 0); any other offset stays on the plain C path. */
#include "internal/hb_kernels_c.h"
#include "internal/hb_kernels_dsp.h"
#include "internal/hb_kpath.h"

#if HB_KPATH_DSP

#include "internal/hb_dsp_gemm_s8.h"

int32_t hb_fully_connected_s8_dsp_buffer_size(const hb_fc_params *p, int32_t batches, int32_t depth,
                                              int32_t out_depth)
{
    (void)p;
    (void)batches;
    (void)depth;
    (void)out_depth;
    return 0;
}

void hb_fully_connected_s8_dsp(const hb_scratch *scratch, const hb_fc_params *p, const int32_t
                               *mult, const int8_t *shift, int32_t batches, int32_t depth, int32_t
                               out_depth, const int8_t *in, const int8_t *filter, const int32_t
                               *bias, const int32_t *folded, int8_t *out)
{
    hb_dsp_gemm g;
    if (p->filter_offset != 0) {
        hb_fully_connected_s8_c(scratch, p, mult, shift, batches, depth, out_depth, in, filter,
                                bias, folded, out);
        return;
    }
    g.w = filter;
    g.bias = bias;
    g.mult = mult;
    g.shift = shift;
    g.per_channel = p->per_channel;
    g.rows = out_depth;
    g.depth = depth;
    g.input_offset = p->input_offset;
    g.output_offset = p->output_offset;
    g.act_min = p->act_min;
    g.act_max = p->act_max;
    hb_dsp_gemm_s8(&g, in, batches, out);
}

#endif /* HB_KPATH_DSP */
