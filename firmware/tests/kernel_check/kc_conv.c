/* CONV_2D and DEPTHWISE_CONV_2D cases: random shapes that favour the edges (channel counts off
 * multiples of 4 and 16, padding on every side, stride and dilation, depth multipliers 1-3,
 * grouped convolution), plus the MLPerf Tiny layer shapes. */
#include "hb_fmt.h"
#include "internal/hb_kernels_c.h"
#include "kc.h"

typedef struct kc_conv_case {
    hb_conv_params p;
    hb_dims4 in_d, f_d, out_d;
    int with_bias;
} kc_conv_case;

static int32_t kc_channels(void)
{
    static const int32_t edge[] = {1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 32, 33, 48, 63, 64, 65};
    return kc_range(0, 1) ? edge[kc_range(0, (int32_t)(sizeof edge / sizeof edge[0]) - 1)]
                          : kc_range(1, 72);
}

/* Output extent for a window of effective size eff with pads before/after; 0 if none fits. */
static int32_t kc_out_extent(int32_t in, int32_t eff, int32_t stride, int32_t before, int32_t after)
{
    const int32_t span = in + before + after - eff;
    return span < 0 ? 0 : span / stride + 1;
}

/* Random spatial geometry on in_d/f_d (h, w, kernel, stride, dilation, pads); 0 if degenerate. */
static int kc_geometry(kc_conv_case *k, int shape_kind)
{
    hb_conv_params *p = &k->p;
    int32_t eff_h, eff_w;
    k->in_d.n = kc_range(0, 5) == 0 ? 2 : 1;
    k->in_d.h = kc_range(1, 11);
    k->in_d.w = kc_range(1, 11);
    if (shape_kind == 0) {          /* 1x1, stride 1, no padding: the GEMM fast path */
        k->f_d.h = k->f_d.w = 1;
    } else if (shape_kind == 1) {   /* 3x3 */
        k->f_d.h = k->f_d.w = 3;
    } else {                        /* anything */
        k->f_d.h = kc_range(1, 5);
        k->f_d.w = kc_range(1, 5);
    }
    p->stride_h = shape_kind == 0 ? 1 : kc_range(1, 3);
    p->stride_w = shape_kind == 0 ? 1 : kc_range(1, 3);
    p->dilation_h = (shape_kind >= 2 && kc_range(0, 2) == 0) ? kc_range(2, 3) : 1;
    p->dilation_w = (shape_kind >= 2 && kc_range(0, 2) == 0) ? kc_range(2, 3) : 1;
    eff_h = (k->f_d.h - 1) * p->dilation_h + 1;
    eff_w = (k->f_d.w - 1) * p->dilation_w + 1;
    p->pad_h = shape_kind == 0 ? 0 : kc_range(0, eff_h - 1);
    p->pad_w = shape_kind == 0 ? 0 : kc_range(0, eff_w - 1);
    k->out_d.n = k->in_d.n;
    k->out_d.h = kc_out_extent(k->in_d.h, eff_h, p->stride_h, p->pad_h,
                               shape_kind == 0 ? 0 : kc_range(0, eff_h - 1));
    k->out_d.w = kc_out_extent(k->in_d.w, eff_w, p->stride_w, p->pad_w,
                               shape_kind == 0 ? 0 : kc_range(0, eff_w - 1));
    return k->out_d.h > 0 && k->out_d.w > 0;
}

static void kc_common_params(kc_conv_case *k)
{
    k->p.input_offset = kc_pick_offset();
    k->p.output_offset = kc_range(-128, 127);
    kc_pick_act(&k->p.act_min, &k->p.act_max);
    k->with_bias = kc_range(0, 4) != 0;
}

static int kc_fits(const kc_conv_case *k, int32_t scratch_bytes)
{
    const int32_t in_n = k->in_d.n * k->in_d.h * k->in_d.w * k->in_d.c;
    const int32_t f_n = k->f_d.n * k->f_d.h * k->f_d.w * k->f_d.c;
    const int32_t out_n = k->out_d.n * k->out_d.h * k->out_d.w * k->out_d.c;
    return in_n <= KC_IN_BYTES && f_n <= KC_FILTER_BYTES && out_n <= KC_OUT_BYTES &&
           k->out_d.c <= KC_MAX_CH && scratch_bytes >= 0 && scratch_bytes <= KC_SCRATCH_BYTES;
}

static void kc_report(const char *what, const kc_conv_case *k, int32_t case_no)
{
    hb_printf("  %s case %ld: in %ldx%ldx%ldx%ld filter %ldx%ldx%ldx%ld out %ldx%ldx%ldx%ld stride %ld,%ld "
              "dil %ld,%ld pad %ld,%ld depth_mult %ld in_off %ld out_off %ld act [%ld,%ld] bias %d\r\n",
              what, (long)case_no, (long)k->in_d.n, (long)k->in_d.h, (long)k->in_d.w, (long)k->in_d.c,
              (long)k->f_d.n, (long)k->f_d.h, (long)k->f_d.w, (long)k->f_d.c, (long)k->out_d.n,
              (long)k->out_d.h, (long)k->out_d.w, (long)k->out_d.c, (long)k->p.stride_h,
              (long)k->p.stride_w, (long)k->p.dilation_h, (long)k->p.dilation_w, (long)k->p.pad_h,
              (long)k->p.pad_w, (long)k->p.depth_multiplier, (long)k->p.input_offset,
              (long)k->p.output_offset, (long)k->p.act_min, (long)k->p.act_max, k->with_bias);
}

/* The MLPerf Tiny kws first layer (49x10x1, 10x4, stride 2, 64 ch), its pointwise layers, and a
 * deep padded window. */
static int kc_fixed_conv(kc_conv_case *k, int32_t i)
{
    if (i == 0) {
        k->in_d = (hb_dims4){1, 49, 10, 1};
        k->f_d = (hb_dims4){64, 10, 4, 1};
        k->p.stride_h = k->p.stride_w = 2;
        k->p.pad_h = 4;
        k->p.pad_w = 1;
        k->out_d = (hb_dims4){1, 25, 5, 64};
    } else if (i == 1) {
        k->in_d = (hb_dims4){1, 25, 5, 64};
        k->f_d = (hb_dims4){64, 1, 1, 64};
        k->p.stride_h = k->p.stride_w = 1;
        k->p.pad_h = k->p.pad_w = 0;
        k->out_d = (hb_dims4){1, 25, 5, 64};
    } else if (i == 2) { /* a window deeper than 1 KB, padded: the Helium path's implicit GEMM */
        k->in_d = (hb_dims4){1, 5, 6, 48};
        k->f_d = (hb_dims4){7, 5, 5, 48};
        k->p.stride_h = k->p.stride_w = 1;
        k->p.pad_h = k->p.pad_w = 2;
        k->out_d = (hb_dims4){1, 5, 6, 7};
    } else {
        return 0;
    }
    k->p.dilation_h = k->p.dilation_w = 1;
    return 1;
}

int32_t kc_check_conv(int32_t count)
{
    int32_t i, fails = 0, done = 0;
    for (i = 0; i < count; i++) {
        kc_conv_case k = {0};
        int32_t groups = 1, scratch_bytes, in_n, f_n, out_n;
        hb_scratch s;
        if (!kc_fixed_conv(&k, i)) {
            if (!kc_geometry(&k, (int)(i % 4 == 3 ? 2 : i % 3))) {
                continue;
            }
            if (kc_range(0, 7) == 0) {
                groups = kc_range(2, 3);
            }
            k.f_d.c = kc_channels();
            k.in_d.c = k.f_d.c * groups;
            k.out_d.c = groups * ((kc_channels() + groups - 1) / groups);
        }
        k.f_d.n = k.out_d.c;
        kc_common_params(&k);
        scratch_bytes = hb_conv_s8_get_buffer_size(&k.p, &k.in_d, &k.f_d, &k.out_d);
        if (!kc_fits(&k, scratch_bytes)) {
            continue;
        }
        in_n = k.in_d.n * k.in_d.h * k.in_d.w * k.in_d.c;
        f_n = k.f_d.n * k.f_d.h * k.f_d.w * k.f_d.c;
        out_n = k.out_d.n * k.out_d.h * k.out_d.w * k.out_d.c;
        kc_fill_s8(kc.in, in_n);
        kc_fill_s8(kc.filter, f_n);
        kc_fill_quant(k.out_d.c, k.with_bias);
        hb_fold_bias_s8(k.out_d.c, f_n / k.out_d.c, f_n / k.out_d.c, 1, kc.filter,
                        k.with_bias ? kc.bias : 0, k.p.input_offset, kc.folded);
        kc_prepare_outputs(out_n, scratch_bytes);
        s.buf = scratch_bytes > 0 ? kc.scratch : 0;
        s.size = scratch_bytes;
        hb_conv_s8(&s, &k.p, kc.mult, kc.shift, &k.in_d, kc.in, &k.f_d, kc.filter,
                   k.with_bias ? kc.bias : 0, KC_OPT_FOLDED, &k.out_d, kc.out_opt);
        hb_conv_s8_c(&s, &k.p, kc.mult, kc.shift, &k.in_d, kc.in, &k.f_d, kc.filter,
                     k.with_bias ? kc.bias : 0, KC_REF_FOLDED(i), &k.out_d, kc.out_ref);
        done++;
        if (!kc_compare("conv", i, out_n, scratch_bytes, fails < KC_REPORT_MAX)) {
            if (fails < KC_REPORT_MAX) {
                kc_report("conv", &k, i);
            }
            fails++;
        }
    }
    hb_printf("conv: %ld cases, %ld failed\r\n", (long)done, (long)fails);
    return fails + (done < count / 2); /* a checker that skips most cases checks nothing */
}

int32_t kc_check_depthwise(int32_t count)
{
    int32_t i, fails = 0, done = 0;
    for (i = 0; i < count; i++) {
        kc_conv_case k = {0};
        int32_t scratch_bytes, in_n, f_n, out_n;
        hb_scratch s;
        if (i == 0) { /* kws depthwise layer: 25x5x64, 3x3 same */
            k.in_d = (hb_dims4){1, 25, 5, 64};
            k.f_d = (hb_dims4){1, 3, 3, 64};
            k.p.stride_h = k.p.stride_w = k.p.dilation_h = k.p.dilation_w = 1;
            k.p.pad_h = k.p.pad_w = 1;
            k.out_d = (hb_dims4){1, 25, 5, 64};
            k.p.depth_multiplier = 1;
        } else {
            if (!kc_geometry(&k, (int)(1 + i % 2))) {
                continue;
            }
            k.p.depth_multiplier = kc_range(0, 1) ? 1 : kc_range(2, 3);
            k.in_d.c = kc_channels();
            k.f_d.n = 1;
            k.f_d.c = k.in_d.c * k.p.depth_multiplier;
            k.out_d.c = k.f_d.c;
        }
        kc_common_params(&k);
        scratch_bytes = hb_depthwise_conv_s8_get_buffer_size(&k.p, &k.in_d, &k.f_d, &k.out_d);
        if (!kc_fits(&k, scratch_bytes)) {
            continue;
        }
        in_n = k.in_d.n * k.in_d.h * k.in_d.w * k.in_d.c;
        f_n = k.f_d.h * k.f_d.w * k.f_d.c;
        out_n = k.out_d.n * k.out_d.h * k.out_d.w * k.out_d.c;
        kc_fill_s8(kc.in, in_n);
        kc_fill_s8(kc.filter, f_n);
        kc_fill_quant(k.out_d.c, k.with_bias);
        hb_fold_bias_s8(k.out_d.c, k.f_d.h * k.f_d.w, 1, k.f_d.c, kc.filter,
                        k.with_bias ? kc.bias : 0, k.p.input_offset, kc.folded);
        kc_prepare_outputs(out_n, scratch_bytes);
        s.buf = scratch_bytes > 0 ? kc.scratch : 0;
        s.size = scratch_bytes;
        hb_depthwise_conv_s8(&s, &k.p, kc.mult, kc.shift, &k.in_d, kc.in, &k.f_d, kc.filter,
                             k.with_bias ? kc.bias : 0, KC_OPT_FOLDED, &k.out_d, kc.out_opt);
        hb_depthwise_conv_s8_c(&s, &k.p, kc.mult, kc.shift, &k.in_d, kc.in, &k.f_d, kc.filter,
                               k.with_bias ? kc.bias : 0, KC_REF_FOLDED(i), &k.out_d, kc.out_ref);
        done++;
        if (!kc_compare("depthwise", i, out_n, scratch_bytes, fails < KC_REPORT_MAX)) {
            if (fails < KC_REPORT_MAX) {
                kc_report("depthwise", &k, i);
            }
            fails++;
        }
    }
    hb_printf("depthwise: %ld cases, %ld failed\r\n", (long)done, (long)fails);
    return fails + (done < count / 2);
}
