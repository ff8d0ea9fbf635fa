/* MAX_POOL_2D cases: random windows (1..4), strides 1..3, padding on every side (windows that
 * miss the image included), channel counts 1, 3, 5, 17, 33 and others off multiples of 4 and 16,
 * random clamps. The build's path (hb_max_pool_s8) against the plain C path, byte for byte. */
#include "hb_fmt.h"
#include "internal/hb_kernels_c.h"
#include "kc.h"

static const int32_t kc_odd_channels[] = {1, 3, 5, 17, 33};
#define KC_ODD_N ((int32_t)(sizeof kc_odd_channels / sizeof kc_odd_channels[0]))

static int32_t kc_maxpool_channels(void)
{
    switch (kc_range(0, 3)) {
    case 0:
        return kc_odd_channels[kc_range(0, KC_ODD_N - 1)];
    case 1:
        return 16 * kc_range(1, 4);
    default:
        return kc_range(1, 40);
    }
}

int32_t kc_check_max_pool(int32_t count)
{
    int32_t i, fails = 0, done = 0;
    for (i = 0; i < count; i++) {
        hb_pool_params p;
        hb_dims4 in_d, out_d;
        in_d.n = kc_range(0, 5) == 0 ? 2 : 1;
        in_d.h = kc_range(1, 12);
        in_d.w = kc_range(1, 12);
        in_d.c = kc_maxpool_channels();
        p.filter_h = kc_range(1, 4);
        p.filter_w = kc_range(1, 4);
        p.stride_h = kc_range(1, 3);
        p.stride_w = kc_range(1, 3);
        /* Padding up to the filter size: an edge window can lie wholly outside the image. */
        p.pad_h = kc_range(0, p.filter_h);
        p.pad_w = kc_range(0, p.filter_w);
        out_d.n = in_d.n;
        out_d.c = in_d.c;
        out_d.h = kc_pool_extent(in_d.h, p.filter_h, p.stride_h, p.pad_h, kc_range(0, p.filter_h));
        out_d.w = kc_pool_extent(in_d.w, p.filter_w, p.stride_w, p.pad_w, kc_range(0, p.filter_w));
        kc_pick_act(&p.act_min, &p.act_max);
        done += kc_pool_case("max_pool", i, hb_max_pool_s8, hb_max_pool_s8_c, &p, &in_d, &out_d, &fails);
    }
    hb_printf("max_pool: %ld cases, %ld failed\r\n", (long)done, (long)fails);
    return fails + (done < count / 2);
}
