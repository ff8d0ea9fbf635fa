/*
 * hb_kpath.h - which kernel path this build compiles, decided once from the target's feature macros.
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

#endif /* HB_KPATH_H */
