/* Per-channel folded bias for the optimized paths: bias + input_offset * sum(filter), computed
 * once at prepare so that eval multiplies raw int8 inputs (sum w * (x + off) == sum w * x +
 * off * sum w, also modulo 2^32: the same bits as the reference's wrapping int32 sum). */
#include "hb_kernels.h"
#include "internal/hb_kpath.h"

int hb_kernels_use_folded(void) { return HB_KPATH_USES_FOLDED; }

void hb_fold_bias_s8(int32_t channels, int32_t taps, int32_t chan_stride, int32_t tap_stride,
                     const int8_t *filter, const int32_t *bias, int32_t input_offset,
                     int32_t *folded)
{
    int32_t c, t;
    for (c = 0; c < channels; c++) {
        const int8_t *w = filter + c * chan_stride;
        uint32_t sum = 0;
        for (t = 0; t < taps; t++) {
            sum += (uint32_t)(int32_t)w[t * tap_stride];
        }
        folded[c] = (int32_t)((bias != 0 ? (uint32_t)bias[c] : 0u) + (uint32_t)input_offset * sum);
    }
}
