/*
 * hb_kpath.h - which kernel path this build compiles, decided once from the target's feature macros,
 * and which function runs each kernel on it.
 *
 *   HB_KPATH_MVE  Armv8.1-M with integer Helium (__ARM_FEATURE_MVE bit 0): Cortex-M55, M85
 *   HB_KPATH_DSP  Armv7E-M / Armv8-M Mainline with the DSP extension: Cortex-M4, M7, M33
 *   HB_KPATH_C    everything else, the host build, and any build with -DHB_KERNELS_REF
 *                 (`--kernels ref`): the plain C reference kernels
 *
 * Exactly one of the three is 1. Every path is bit-exact with TFLite Micro's reference kernels;
 * the plain C path is always compiled and always tested.
 */
#ifndef HB_KPATH_H
#define HB_KPATH_H

#if defined(HB_KERNELS_REF)
#define HB_KPATH_MVE 0
#define HB_KPATH_DSP 0
#define HB_KPATH_C 1
#define HB_KPATH_NAME "c"
#elif defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
#define HB_KPATH_MVE 1
#define HB_KPATH_DSP 0
#define HB_KPATH_C 0
#define HB_KPATH_NAME "helium"
#elif defined(__ARM_FEATURE_DSP) && (__ARM_FEATURE_DSP == 1)
#define HB_KPATH_MVE 0
#define HB_KPATH_DSP 1
#define HB_KPATH_C 0
#define HB_KPATH_NAME "dsp"
#else
#define HB_KPATH_MVE 0
#define HB_KPATH_DSP 0
#define HB_KPATH_C 1
#define HB_KPATH_NAME "c"
#endif /* kernel path */

/* 1: this path's CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED read the folded bias
 * (hb_fold_bias_s8). The DSP kernels add the input offset while widening to int16 instead, so a
 * DSP build neither computes nor stores it (4 bytes per output channel less in the arena). */
#define HB_KPATH_USES_FOLDED (!HB_KPATH_DSP)

/*
 * Which function runs a kernel. A path header (hb_kernels_dsp.h, hb_kernels_mve.h) says it has a
 * kernel K with one line, `#define HB_DSP_K 1` / `#define HB_MVE_K 1`, above its prototypes;
 * the C path (hb_kernels_c.h) has every kernel. From those lines alone:
 *   HB_KERNEL(K, tail)  the function this build calls: hb_<K>_mve<tail>, hb_<K>_dsp<tail> when this
 *                       build's path has K, else hb_<K>_c<tail> (tail: empty, or _buffer_size)
 *   HB_KPATH_FAST(K)    1 when this build runs an optimized K, 0 when the C kernel runs
 *   HB_HAS_DSP(K), HB_HAS_MVE(K)  1 when the path has K (whatever this build compiles): the
 *                       runtime's operator table reports them (hb_run --ops)
 * All expand to preprocessor tokens, usable in `#if`. A new fast path is then its file and its
 * lines in its path header: no dispatcher to edit.
 */
#include "internal/hb_kernels_c.h"
#include "internal/hb_kernels_dsp.h"
#include "internal/hb_kernels_mve.h"

/* 1 when `flag` is a macro defined to 1, else 0: HB_KP_ON_1 supplies the extra argument. */
#define HB_KP_ON_1 ~, 1
#define HB_KP_IS_ON(flag) HB_KP_IS_ON_(flag)
#define HB_KP_IS_ON_(flag) HB_KP_SECOND_(HB_KP_ON_##flag, 0, ~)
#define HB_KP_SECOND_(...) HB_KP_SECOND2_(__VA_ARGS__)
#define HB_KP_SECOND2_(a, b, ...) b
/* `fast` when `on` is 1, else `slow` (token selection, no code). */
#define HB_KP_PICK(on, fast, slow) HB_KP_PICK_(on, fast, slow)
#define HB_KP_PICK_(on, fast, slow) HB_KP_PICK_##on(fast, slow)
#define HB_KP_PICK_1(fast, slow) fast
#define HB_KP_PICK_0(fast, slow) slow

#define HB_HAS_DSP(k) HB_KP_IS_ON(HB_DSP_##k)
#define HB_HAS_MVE(k) HB_KP_IS_ON(HB_MVE_##k)
#if HB_KPATH_MVE
#define HB_KPATH_FAST(k) HB_HAS_MVE(k)
#define HB_KERNEL(k, tail) HB_KP_PICK(HB_HAS_MVE(k), hb_##k##_mve##tail, hb_##k##_c##tail)
#elif HB_KPATH_DSP
#define HB_KPATH_FAST(k) HB_HAS_DSP(k)
#define HB_KERNEL(k, tail) HB_KP_PICK(HB_HAS_DSP(k), hb_##k##_dsp##tail, hb_##k##_c##tail)
#else
#define HB_KPATH_FAST(k) 0
#define HB_KERNEL(k, tail) hb_##k##_c##tail
#endif /* kernel selection */

#endif /* HB_KPATH_H */
