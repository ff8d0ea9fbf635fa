/* Private: walks a 6-D broadcast (hb_bcast). HB_BCAST_WALK calls BODY(i1, i2, o) per element;
 * HB_BCAST_WALK_RUNS calls RUN(i1, i2, o, n) per run of the innermost dimension (n elements,
 * input strides stride1[5] / stride2[5]) for the vectorized paths. Shared by ADD and MUL on every
 * kernel path so the index logic exists once. */
#ifndef HB_BCAST_WALK_H
#define HB_BCAST_WALK_H

#include "hb_kernels.h"

#define HB_BCAST_WALK(b, BODY)                                                                   \
    do {                                                                                         \
        int32_t d0_, d1_, d2_, d3_, d4_, d5_, o_ = 0;                                            \
        for (d0_ = 0; d0_ < (b)->dims[0]; d0_++)                                                 \
            for (d1_ = 0; d1_ < (b)->dims[1]; d1_++)                                             \
                for (d2_ = 0; d2_ < (b)->dims[2]; d2_++)                                         \
                    for (d3_ = 0; d3_ < (b)->dims[3]; d3_++)                                     \
                        for (d4_ = 0; d4_ < (b)->dims[4]; d4_++)                                 \
                            for (d5_ = 0; d5_ < (b)->dims[5]; d5_++, o_++) {                     \
                                const int32_t i1_ = d0_ * (b)->stride1[0] +                      \
                                    d1_ * (b)->stride1[1] + d2_ * (b)->stride1[2] +              \
                                    d3_ * (b)->stride1[3] + d4_ * (b)->stride1[4] +              \
                                    d5_ * (b)->stride1[5];                                       \
                                const int32_t i2_ = d0_ * (b)->stride2[0] +                      \
                                    d1_ * (b)->stride2[1] + d2_ * (b)->stride2[2] +              \
                                    d3_ * (b)->stride2[3] + d4_ * (b)->stride2[4] +              \
                                    d5_ * (b)->stride2[5];                                       \
                                BODY(i1_, i2_, o_);                                              \
                            }                                                                    \
    } while (0)

#define HB_BCAST_WALK_RUNS(b, RUN)                                                               \
    do {                                                                                         \
        int32_t d0_, d1_, d2_, d3_, d4_, o_ = 0;                                                 \
        for (d0_ = 0; d0_ < (b)->dims[0]; d0_++)                                                 \
            for (d1_ = 0; d1_ < (b)->dims[1]; d1_++)                                             \
                for (d2_ = 0; d2_ < (b)->dims[2]; d2_++)                                         \
                    for (d3_ = 0; d3_ < (b)->dims[3]; d3_++)                                     \
                        for (d4_ = 0; d4_ < (b)->dims[4]; d4_++, o_ += (b)->dims[5]) {           \
                            const int32_t i1_ = d0_ * (b)->stride1[0] +                          \
                                d1_ * (b)->stride1[1] + d2_ * (b)->stride1[2] +                  \
                                d3_ * (b)->stride1[3] + d4_ * (b)->stride1[4];                   \
                            const int32_t i2_ = d0_ * (b)->stride2[0] +                          \
                                d1_ * (b)->stride2[1] + d2_ * (b)->stride2[2] +                  \
                                d3_ * (b)->stride2[3] + d4_ * (b)->stride2[4];                   \
                            RUN(i1_, i2_, o_, (b)->dims[5]);                                     \
                        }                                                                        \
    } while (0)

/* 1 when `stride` walks the six dims of b densely in row-major order (broadcast dims of 1 aside). */
static inline int hb_bcast_contiguous(const hb_bcast *b, const int32_t *stride)
{
    int32_t d, expect = 1;
    for (d = 5; d >= 0; d--) {
        if (b->dims[d] != 1 && stride[d] != expect) {
            return 0;
        }
        expect *= b->dims[d];
    }
    return 1;
}

/* Elements of the output. */
static inline int32_t hb_bcast_count(const hb_bcast *b)
{
    return b->dims[0] * b->dims[1] * b->dims[2] * b->dims[3] * b->dims[4] * b->dims[5];
}

#endif /* HB_BCAST_WALK_H */
