/* Pooling window geometry shared by AVERAGE_POOL_2D and MAX_POOL_2D. */
#ifndef HB_POOL_H
#define HB_POOL_H

#include <stdint.h>

/* Along one axis, output position `o` reads input from `*start` (may be negative: padding); the
 * window offsets [*lo, *hi) are the part of the `filter`-wide window that lies inside [0, in_size). */
static inline void hb_pool_window(int32_t o, int32_t stride, int32_t pad, int32_t filter, int32_t in_size,
                                  int32_t *start, int32_t *lo, int32_t *hi)
{
    const int32_t i0 = o * stride - pad;
    *start = i0;
    *lo = i0 < 0 ? -i0 : 0;
    *hi = filter < in_size - i0 ? filter : in_size - i0;
}

#endif /* HB_POOL_H */
