/* CONCATENATION: for each outer index, the inputs' chunks are copied one after another. */
#include <string.h>

#include "internal/hb_kernels_c.h"

void hb_concat_c(int n_inputs, const void *const *ins, const int32_t *chunk_bytes, int32_t outer,
                 void *out)
{
    unsigned char *dst = (unsigned char *)out;
    int32_t o;
    int k;
    for (o = 0; o < outer; o++) {
        for (k = 0; k < n_inputs; k++) {
            const unsigned char *src = (const unsigned char *)ins[k] + (size_t)o * chunk_bytes[k];
            memcpy(dst, src, (size_t)chunk_bytes[k]);
            dst += chunk_bytes[k];
        }
    }
}
