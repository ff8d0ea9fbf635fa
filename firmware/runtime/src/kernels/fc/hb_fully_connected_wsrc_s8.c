/* FULLY_CONNECTED with weights read in place (internal/hb_wsrc.h), every kernel path:
 *   palette: one output channel's row decoded into scratch (depth bytes), then a dot product per
 *            batch (hb_dot_s8: Helium, DSP or plain C);
 *   N:M:     the channel's non-zero entries (offset, value) into scratch, then per batch one
 *            multiply-accumulate per non-zero: the work scales with the non-zeros.
 * acc = folded[c] + sum w * x with folded = bias + input_offset * sum(w) (the weights' zero point
 * is 0), requantized as the reference does: bit-exact with the dense kernels. */
#include "internal/hb_dot_s8.h"
#include "internal/hb_kernels_wsrc.h"
#include "internal/hb_qmath.h"

int32_t hb_fully_connected_wsrc_s8_get_buffer_size(const hb_wsrc *w, const hb_fc_params *p)
{
    (void)p;
#if HB_KPATH_MVE
    return hb_wsrc_mve_block(w) * w->per_channel;
#endif /* HB_KPATH_MVE */
    if (w->kind == HB_WSRC_NM) {
        return hb_wsrc_groups(w) * w->n * 5;
    }
    return w->per_channel;
}

static int8_t requant(const hb_fc_params *p, const int32_t *mult, const int8_t *shift, int32_t c,
                      int32_t acc)
{
    const int32_t ch = p->per_channel ? c : 0;
    return (int8_t)hb_clamp(hb_mbqm(acc, mult[ch], shift[ch]) + p->output_offset, p->act_min,
                            p->act_max);
}

void hb_fully_connected_wsrc_s8(const hb_scratch *scratch, const hb_fc_params *p,
                                const int32_t *mult, const int8_t *shift, int32_t batches,
                                int32_t depth, int32_t channels, const int8_t *in,
                                const uint8_t *model, const hb_wsrc *w, const int32_t *bias,
                                const int32_t *folded, int8_t *out)
{
    int32_t c, b;
#if HB_KPATH_MVE
    hb_fully_connected_wsrc_s8_mve(scratch, p, mult, shift, batches, depth, channels, in, model, w,
                                   bias, folded, out);
    return;
#endif /* HB_KPATH_MVE */
    if (w->kind == HB_WSRC_NM) {
        int32_t *off = (int32_t *)scratch->buf;
        int8_t *val = (int8_t *)(off + hb_wsrc_groups(w) * w->n);
        for (c = 0; c < channels; c++) {
            const int32_t n = hb_wsrc_entries(model, w, c, off, val);
            const int32_t fold = folded != 0 ? folded[c]
                                             : hb_wsrc_fold(bias, c, p->input_offset, val, n);
            for (b = 0; b < batches; b++) {
                const int8_t *x = in + b * depth;
                uint32_t acc = (uint32_t)fold;
                int32_t e;
                for (e = 0; e < n; e++) {
                    acc += (uint32_t)((int32_t)x[off[e]] * (int32_t)val[e]);
                }
                out[b * channels + c] = requant(p, mult, shift, c, (int32_t)acc);
            }
        }
        return;
    }
    for (c = 0; c < channels; c++) {
        int8_t *row = (int8_t *)scratch->buf;
        hb_wsrc_row(model, w, c, row);
        {
            const int32_t fold = folded != 0 ? folded[c]
                                             : hb_wsrc_fold(bias, c, p->input_offset, row, depth);
            for (b = 0; b < batches; b++) {
                const int32_t acc = (int32_t)((uint32_t)fold +
                                              (uint32_t)hb_dot_s8(in + b * depth, row, depth));
                out[b * channels + c] = requant(p, mult, shift, c, acc);
            }
        }
    }
}
