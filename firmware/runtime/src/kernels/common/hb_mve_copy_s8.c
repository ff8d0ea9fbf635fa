/* Byte copy and fill for the Helium paths' scratch rows and columns (hb_mve_math.h). */
#include "internal/hb_kpath.h"

#if HB_KPATH_MVE

#include "internal/hb_mve_math.h"

/* dst[0..n) = src[0..n), 16 bytes per step, the tail predicated. */
void hb_mve_copy_s8(int8_t *dst, const int8_t *src, int32_t n)
{
    if (n == 4) { /* the 1-channel, 4-tap filter rows of kws: one word (unaligned LDR/STR) */
        uint32_t v;
        __builtin_memcpy(&v, src, 4);
        __builtin_memcpy(dst, &v, 4);
        return;
    }
    for (; n >= 16; n -= 16) {
        vstrbq_s8(dst, vldrbq_s8(src));
        dst += 16;
        src += 16;
    }
    if (n > 0) {
        const mve_pred16_t p = vctp8q((uint32_t)n);
        vstrbq_p_s8(dst, vldrbq_z_s8(src, p), p);
    }
}

/* dst[0..n) = v. */
void hb_mve_fill_s8(int8_t *dst, int8_t v, int32_t n)
{
    const int8x16_t x = vdupq_n_s8(v);
    for (; n >= 16; n -= 16) {
        vstrbq_s8(dst, x);
        dst += 16;
    }
    if (n > 0) {
        vstrbq_p_s8(dst, x, vctp8q((uint32_t)n));
    }
}

#endif /* HB_KPATH_MVE */
