/* MAX_POOL_2D cases: random windows (1..4), strides 1..3, padding on every side (windows that
 * miss the image included), channel counts 1, 3, 5, 17, 33 and others off multiples of 4 and 16,
 * random clamps. The build's path (hb_max_pool_s8) against the plain C path, byte for byte. */
#include "hb_fmt.h"
#include "internal/hb_kernels_c.h"
#include "kc.h"

static const int32_t kc_odd_channels[] = {1, 3, 5, 17, 33};
#define KC_ODD_N ((int32_t)(sizeof kc_odd_channels / sizeof kc_odd_channels[0]))

/* Outputs along one axis with `before` / `after` padding (0 when the window never fits). */
static int32_t kc_maxpool_extent(int32_t in, int32_t filter, int32_t stride, int32_t before, int32_t after)
{
    const int32_t span = in + before + after - filter;
    return span < 0 ? 0 : span / stride + 1;
}

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
        int32_t in_n, out_n;
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
        out_d.h = kc_maxpool_extent(in_d.h, p.filter_h, p.stride_h, p.pad_h, kc_range(0, p.filter_h));
        out_d.w = kc_maxpool_extent(in_d.w, p.filter_w, p.stride_w, p.pad_w, kc_range(0, p.filter_w));
        kc_pick_act(&p.act_min, &p.act_max);
        in_n = in_d.n * in_d.h * in_d.w * in_d.c;
        out_n = out_d.n * out_d.h * out_d.w * out_d.c;
        if (out_n <= 0 || in_n > KC_IN_BYTES || out_n > KC_OUT_BYTES) {
            continue;
        }
        kc_fill_s8(kc.in, in_n);
        kc_prepare_outputs(out_n, 0);
        hb_max_pool_s8(&p, &in_d, kc.in, &out_d, kc.out_opt);
        hb_max_pool_s8_c(&p, &in_d, kc.in, &out_d, kc.out_ref);
        done++;
        if (!kc_compare("max_pool", i, out_n, 0, fails < KC_REPORT_MAX)) {
            if (fails < KC_REPORT_MAX) {
                hb_printf("  max_pool case %ld: in %ldx%ldx%ldx%ld filter %ldx%ld stride %ld,%ld pad %ld,%ld "
                          "out %ldx%ld act [%ld,%ld]\r\n", (long)i, (long)in_d.n, (long)in_d.h,
                          (long)in_d.w, (long)in_d.c, (long)p.filter_h, (long)p.filter_w,
                          (long)p.stride_h, (long)p.stride_w, (long)p.pad_h, (long)p.pad_w,
                          (long)out_d.h, (long)out_d.w, (long)p.act_min, (long)p.act_max);
            }
            fails++;
        }
    }
    hb_printf("max_pool: %ld cases, %ld failed\r\n", (long)done, (long)fails);
    return fails + (done < count / 2);
}
