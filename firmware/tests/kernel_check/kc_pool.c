/* AVERAGE_POOL_2D cases: random windows, strides and padding on every side, channel counts off
 * multiples of 4 and 16, random clamps, plus the kws global pool (25x5 window, 64 channels). */
#include "hb_fmt.h"
#include "internal/hb_kernels_c.h"
#include "kc.h"

int32_t kc_check_avg_pool(int32_t count)
{
    int32_t i, fails = 0, done = 0;
    for (i = 0; i < count; i++) {
        hb_pool_params p;
        hb_dims4 in_d, out_d;
        if (i == 0) {
            in_d = (hb_dims4){1, 25, 5, 64};
            p.filter_h = 25;
            p.filter_w = 5;
            p.stride_h = p.stride_w = 1;
            p.pad_h = p.pad_w = 0;
            out_d = (hb_dims4){1, 1, 1, 64};
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
    hb_printf("avg_pool: %ld cases, %ld failed\r\n", (long)done, (long)fails);
    return fails + (done < count / 2);
}
