/* FULLY_CONNECTED, Arm DSP extension path (Cortex-M4/M7/M33): the shared GEMM core with rows =
 * output units (filter [out_depth][depth]) and columns = batches, two at a time, each input row
 * widened once into the scratch block (int16, offset added). int8 weights are symmetric
 * (filter_offset 0); any other offset stays on the plain C path. */
#include "internal/hb_kernels_c.h"
#include "internal/hb_kernels_dsp.h"
#include "internal/hb_kpath.h"

#if HB_KPATH_DSP

#include "internal/hb_dsp_gemm_s8.h"

int32_t hb_fully_connected_s8_dsp_buffer_size(const hb_fc_params *p, int32_t batches, int32_t depth,
                                              int32_t out_depth)
{
    (void)out_depth;
    if (p->filter_offset != 0) {
        return 0;
    }
    return hb_dsp_block_len(depth, batches > 1 ? 2 : 1) * (int32_t)sizeof(int16_t);
}

void hb_fully_connected_s8_dsp(const hb_scratch *scratch, const hb_fc_params *p, const int32_t
                               *mult, const int8_t *shift, int32_t batches, int32_t depth, int32_t
                               out_depth, const int8_t *in, const int8_t *filter, const int32_t
                               *bias, const int32_t *folded, int8_t *out)
{
    const int32_t need = hb_fully_connected_s8_dsp_buffer_size(p, batches, depth, out_depth);
    int16_t *block;
    hb_dsp_gemm g;
    int32_t b;
    if (p->filter_offset != 0 || scratch == 0 || scratch->buf == 0 || scratch->size < need) {
        /* asymmetric weights, or called without the scratch it asked for: C is still exact */
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
    g.output_offset = p->output_offset;
    g.act_min = p->act_min;
    g.act_max = p->act_max;
    block = (int16_t *)scratch->buf;
    for (b = 0; b < batches; b += 2) {
        const int32_t n_cols = b + 1 < batches ? 2 : 1;
        int32_t j;
        for (j = 0; j < n_cols; j++) {
            hb_dsp_expand_col(in + (b + j) * depth, depth, p->input_offset, n_cols, j, block);
        }
        hb_dsp_gemm_s8(&g, block, n_cols, out + b * out_depth);
    }
}

#endif /* HB_KPATH_DSP */
