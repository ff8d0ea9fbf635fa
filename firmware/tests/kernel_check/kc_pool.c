/* AVERAGE_POOL_2D cases: random windows, strides and padding on every side, channel counts off
 * multiples of 4 and 16, random clamps, plus the kws global pool (25x5 window, 64 channels) and
 * global pools of 256 and 400 elements. */
#include <string.h>

#include "hb_fmt.h"
#include "internal/hb_kernels_c.h"
#include "kc.h"

/* Every input at one extreme over a whole-input window of the size given: the DSP path's int16 lane
 * sums reach -32768 (256 x -128) or would pass 32767 without their flush (400 x 127). Returns 1 on a
 * mismatch. */
static int32_t kc_avg_pool_extreme(int32_t case_no, int32_t h, int32_t w, int8_t value)
{
    const hb_dims4 in_d = {1, h, w, 12}, out_d = {1, 1, 1, 12};
    hb_pool_params p;
    p.filter_h = h;
    p.filter_w = w;
    p.stride_h = p.stride_w = 1;
    p.pad_h = p.pad_w = 0;
    p.act_min = -128;
    p.act_max = 127;
    memset(kc.in, value, (size_t)(h * w * in_d.c));
    kc_prepare_outputs(out_d.c, 0);
    hb_avg_pool_s8(&p, &in_d, kc.in, &out_d, kc.out_opt);
    hb_avg_pool_s8_c(&p, &in_d, kc.in, &out_d, kc.out_ref);
    return kc_compare("avg_pool", case_no, out_d.c, 0, 1) && kc.out_ref[0] == value ? 0 : 1;
}

int32_t kc_check_avg_pool(int32_t count)
{
    int32_t i, fails = 0, done = 0;
    for (i = 0; i < count; i++) {
        hb_pool_params p;
        hb_dims4 in_d, out_d;
        if (i <= 2) {
            /* The kws global pool, then windows of exactly 256 and of 400 elements (the DSP path
             * flushes its int16 lane sums every 256), each over the whole input. */
            static const hb_dims4 whole[3] = {{1, 25, 5, 64}, {1, 16, 16, 12}, {1, 20, 20, 9}};
            in_d = whole[i];
            p.filter_h = in_d.h;
            p.filter_w = in_d.w;
            p.stride_h = p.stride_w = 1;
            p.pad_h = p.pad_w = 0;
            out_d = (hb_dims4){1, 1, 1, in_d.c};
        } else {
            in_d.n = kc_range(0, 5) == 0 ? 2 : 1;
            in_d.h = kc_range(1, 12);
            in_d.w = kc_range(1, 12);
            in_d.c = kc_range(0, 1) ? kc_range(1, 40) : 16 * kc_range(1, 4);
            p.filter_h = kc_range(1, 6);
            p.filter_w = kc_range(1, 6);
            p.stride_h = kc_range(1, 3);
            p.stride_w = kc_range(1, 3);
            p.pad_h = kc_range(0, p.filter_h - 1);
            p.pad_w = kc_range(0, p.filter_w - 1);
            out_d.n = in_d.n;
            out_d.c = in_d.c;
            out_d.h = kc_pool_extent(in_d.h, p.filter_h, p.stride_h, p.pad_h, kc_range(0, p.filter_h - 1));
            out_d.w = kc_pool_extent(in_d.w, p.filter_w, p.stride_w, p.pad_w, kc_range(0, p.filter_w - 1));
        }
        kc_pick_act(&p.act_min, &p.act_max);
        done += kc_pool_case("avg_pool", i, hb_avg_pool_s8, hb_avg_pool_s8_c, &p, &in_d, &out_d, &fails);
    }
    fails += kc_avg_pool_extreme(count, 16, 16, -128) + kc_avg_pool_extreme(count + 1, 20, 20, 127);
    done += 2;
    hb_printf("avg_pool: %ld cases, %ld failed\r\n", (long)done, (long)fails);
    return fails + (done < count / 2);
}
