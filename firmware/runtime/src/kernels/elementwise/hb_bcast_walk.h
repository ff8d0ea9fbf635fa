/* Private: walks a 6-D broadcast (hb_bcast) calling BODY(i1, i2, o) with element indices.
 * Shared by ADD and MUL so the index logic exists once. */
#ifndef HB_BCAST_WALK_H
#define HB_BCAST_WALK_H

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

#endif /* HB_BCAST_WALK_H */
