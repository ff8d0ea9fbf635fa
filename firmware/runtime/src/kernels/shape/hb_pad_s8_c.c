/* PAD int8: out = pad_value everywhere, then the input copied row by row (innermost dimension
 * contiguous) at offset pad_before. Rank <= 6, dims right-aligned by the caller. */
#include <string.h>

#include "internal/hb_kernels_c.h"

void hb_pad_s8_c(int ndims, const int32_t *in_dims, const int32_t *pad_before,
                 const int32_t *out_dims, int8_t pad_value, const int8_t *in, int8_t *out)
{
    int32_t idx[6] = {0, 0, 0, 0, 0, 0};
    int32_t out_count = 1, rows = 1, row_len, r, k;
    const int last = ndims - 1;
    for (k = 0; k < ndims; k++) {
        out_count *= out_dims[k];
    }
    memset(out, (unsigned char)pad_value, (size_t)out_count);
    if (ndims <= 0) {
        return;
    }
    row_len = in_dims[last];
    for (k = 0; k < last; k++) {
        rows *= in_dims[k];
    }
    for (r = 0; r < rows; r++) {
        int32_t off = 0;
        for (k = 0; k < last; k++) {
            off = off * out_dims[k] + idx[k] + pad_before[k];
        }
        off = off * out_dims[last] + pad_before[last];
        memcpy(out + off, in + r * row_len, (size_t)row_len);
        for (k = last - 1; k >= 0; k--) { /* odometer over the outer dims */
            if (++idx[k] < in_dims[k]) {
                break;
            }
            idx[k] = 0;
        }
    }
}
