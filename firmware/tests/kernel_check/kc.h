/*
 * kc.h - the on-device kernel checker: each public kernel (the build's optimized path) against
 * its plain C twin, on the same random and edge-case inputs, byte for byte.
 *
 * Path-agnostic: on Helium or DSP builds it proves each optimized kernel bit-exact with the
 * reference arithmetic; a family the build's path does not optimize is reported as not checked.
 */
#ifndef KC_H
#define KC_H

#include <stdint.h>

#include "hb_kernels.h"

/* Buffers shared by every case (static, no malloc); sizes bound the random shapes. */
#define KC_IN_BYTES 12288
#define KC_FILTER_BYTES 12288
#define KC_OUT_BYTES 12288
#define KC_SCRATCH_BYTES 16384
#define KC_MAX_CH 160
#define KC_REPORT_MAX 5 /* mismatching cases printed per family */
#define KC_GUARD 16 /* canary bytes after each output and after the scratch the kernel asked for */
/* The optimized kernel gets the folded bias as the runtime passes it (NULL when the build's kernels
 * never read it, hb_kernels_use_folded()); the C reference gets it on even cases and NULL on odd
 * ones, so its NULL path (every tap adds the input offset) is checked too. */
#define KC_OPT_FOLDED (hb_kernels_use_folded() ? kc.folded : (const int32_t *)0)
#define KC_REF_FOLDED(i) (((i) & 1) ? (const int32_t *)0 : kc.folded)

typedef struct kc_bufs {
    int8_t in[KC_IN_BYTES];
    int8_t filter[KC_FILTER_BYTES];
    int8_t out_opt[KC_OUT_BYTES + KC_GUARD];
    int8_t out_ref[KC_OUT_BYTES + KC_GUARD];
    int32_t bias[KC_MAX_CH];
    int32_t folded[KC_MAX_CH];
    int32_t mult[KC_MAX_CH];
    int8_t shift[KC_MAX_CH];
    uint8_t scratch[KC_SCRATCH_BYTES + KC_GUARD] __attribute__((aligned(16)));
} kc_bufs;

extern kc_bufs kc;

/* Deterministic PRNG (xorshift32). */
uint32_t kc_rand(void);
int32_t kc_range(int32_t lo, int32_t hi); /* uniform in [lo, hi] */
void kc_fill_s8(int8_t *p, int32_t n);    /* random, sometimes only the extremes -128 / 127 */
void kc_fill_quant(int32_t channels, int with_bias);
int32_t kc_pick_offset(void);             /* input_offset: extremes often, else random */
void kc_pick_act(int32_t *lo, int32_t *hi);

/* Compare the two outputs and the guards; prints the first mismatch when `print`. Returns 1 when
 * equal. */
int kc_compare(const char *what, int32_t case_no, int32_t n, int32_t scratch_bytes, int print);
void kc_prepare_outputs(int32_t n, int32_t scratch_bytes);

/* Each returns the number of failing cases out of `count`. */
int32_t kc_check_conv(int32_t count);
int32_t kc_check_depthwise(int32_t count);
int32_t kc_check_fc(int32_t count);
int32_t kc_check_wsrc(int32_t count); /* weights read in place (kc_wsrc.c) */
int32_t kc_check_add(int32_t count);
int32_t kc_check_avg_pool(int32_t count);
int32_t kc_check_max_pool(int32_t count);
int32_t kc_check_softmax(int32_t count);

/* Shared by the pooling checkers (kc_pool_case.c). */
typedef void (*kc_pool_fn)(const hb_pool_params *p, const hb_dims4 *in_d, const int8_t *in,
                           const hb_dims4 *out_d, int8_t *out);
/* Outputs along one axis with `before` / `after` padding (0 when the window never fits). */
int32_t kc_pool_extent(int32_t in, int32_t filter, int32_t stride, int32_t before, int32_t after);
/* Case `case_no` through the build's path `opt` and the plain C `ref` on random input, byte for byte;
 * returns 0 when the shapes do not fit the buffers (not run), else 1, adding a mismatch to *fails. */
int32_t kc_pool_case(const char *what, int32_t case_no, kc_pool_fn opt, kc_pool_fn ref, const hb_pool_params *p,
                     const hb_dims4 *in_d, const hb_dims4 *out_d, int32_t *fails);
int32_t kc_check_fixedpoint(int32_t count); /* the optimized paths' exp and 1/(1+x) vs scalar */

#endif /* KC_H */
