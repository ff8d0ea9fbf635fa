/* FULLY_CONNECTED int8 (TFLM reference): acc = sum (filter + filter_offset) * (input +
 * input_offset), + bias, requantize (per tensor or per output channel), + offset, clamp. */
#include "internal/hb_kernels_c.h"
#include "internal/hb_qmath.h"

int32_t hb_fully_connected_s8_c_buffer_size(const hb_fc_params *p, int32_t batches, int32_t depth,
                                           int32_t out_depth)
{
    (void)p;
    (void)batches;
    (void)depth;
    (void)out_depth;
    return 0;
}

void hb_fully_connected_s8_c(const hb_scratch *scratch, const hb_fc_params *p, const int32_t *mult,
                            const int8_t *shift, int32_t batches, int32_t depth, int32_t out_depth,
                            const int8_t *in, const int8_t *filter, const int32_t *bias,
                            const int32_t *folded, int8_t *out)
{
    const int use_folded = p->filter_offset == 0 && folded != 0; /* hoisted: out may alias p */
    int32_t b, oc, d;
    (void)scratch; /* the reference path needs no scratch */
    for (b = 0; b < batches; b++) {
        const int8_t *row = in + b * depth;
        for (oc = 0; oc < out_depth; oc++) {
            const int8_t *w = filter + oc * depth;
            const int32_t ch = p->per_channel ? oc : 0;
            uint32_t acc = 0; /* wraps like the reference's int32 sum, without UB */
            if (use_folded) {
                /* sum w * (x + off) + bias == sum w * x + folded, also modulo 2^32: same bits,
                 * with the weight sums computed once at prepare (hb_fold_bias_s8). */
                for (d = 0; d < depth; d++) {
                    acc += (uint32_t)((int32_t)w[d] * (int32_t)row[d]);
                }
                acc += (uint32_t)folded[oc];
            } else {
                for (d = 0; d < depth; d++) {
                    acc += (uint32_t)(((int32_t)w[d] + p->filter_offset) *
                                      ((int32_t)row[d] + p->input_offset));
                }
                if (bias != 0) {
                    acc += (uint32_t)bias[oc];
                }
            }
            out[b * out_depth + oc] = (int8_t)hb_clamp(
                hb_mbqm((int32_t)acc, mult[ch], shift[ch]) + p->output_offset, p->act_min, p->act_max);
        }
    }
}
