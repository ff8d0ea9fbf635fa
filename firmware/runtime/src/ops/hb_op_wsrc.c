/* Prepare helper of the weighted ops when their weights are read in place (HB_DECODE_IN_PLACE,
 * internal/hb_wsrc.h): open and validate the stored form once and, when the op keeps one (a small
 * tensor decoded whole for the dense kernels), compute the folded bias from it. */
#include "internal/hb_op.h"
#include "internal/hb_wsrc.h"

hb_status hb_pwsrc(const hb_pctx *c, const hb_tensor *f, const hb_tensor *bias, int32_t channels,
                   int32_t per_channel, int channel_minor, int32_t input_offset, hb_wsrc *w,
                   int32_t *folded)
{
    hb_interpreter *ip = c->ip;
    const int32_t *b = bias == 0 ? 0 : (const int32_t *)hb_tensor_data(ip, bias);
    const char *why = "";
    int32_t k;
    const hb_status st = hb_wsrc_open(ip, f, channels, per_channel, channel_minor, w, &why);
    if (st != HB_OK) {
        return hb_pfail(c, st, why);
    }
    for (k = 0; folded != 0 && k < channels; k++) {
        const uint32_t sum = (uint32_t)hb_wsrc_sum(ip->model, w, k);
        folded[k] = (int32_t)((b == 0 ? 0u : (uint32_t)b[k]) + (uint32_t)input_offset * sum);
    }
    return HB_OK;
}
