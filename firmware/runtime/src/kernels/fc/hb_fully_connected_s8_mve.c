/* FULLY_CONNECTED, Helium (MVE) path: the batches are the rows of hb_mve_gemm_s8, the output
 * neurons its columns, with the folded bias (bias + input_offset * sum(filter row)) so the dot
 * products take the raw int8 inputs. A filter zero point (not produced by TFLite's int8
 * converter) takes the plain C path. */
#include "internal/hb_kernels_c.h"
#include "internal/hb_kernels_mve.h"
#include "internal/hb_kpath.h"

#if HB_KPATH_MVE

#include "internal/hb_mve_gemm_s8.h"

int32_t hb_fully_connected_s8_mve_buffer_size(const hb_fc_params *p, int32_t batches, int32_t depth,
                                              int32_t out_depth)
{
    (void)p;
    (void)batches;
    (void)depth;
    (void)out_depth;
    return 0;
}

void hb_fully_connected_s8_mve(const hb_scratch *scratch, const hb_fc_params *p, const int32_t
                               *mult, const int8_t *shift, int32_t batches, int32_t depth, int32_t
                               out_depth, const int8_t *in, const int8_t *filter, const int32_t
                               *bias, const int32_t *folded, int8_t *out)
{
    const hb_mve_requant q = {mult, shift, p->per_channel, p->output_offset, p->act_min, p->act_max};
    if (p->filter_offset != 0 || folded == 0) {
        hb_fully_connected_s8_c(scratch, p, mult, shift, batches, depth, out_depth, in, filter, bias,
                                folded, out);
        return;
    }
    hb_mve_gemm_s8(in, batches, depth, depth, filter, out_depth, folded, &q, out, out_depth);
}

#endif /* HB_KPATH_MVE */
