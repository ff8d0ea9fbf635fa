/* One pooling case, run through both paths and compared: what the AVERAGE_POOL_2D and MAX_POOL_2D
 * checkers share (they differ only in the shapes they draw). */
#include "hb_fmt.h"
#include "kc.h"

int32_t kc_pool_extent(int32_t in, int32_t filter, int32_t stride, int32_t before, int32_t after)
{
    const int32_t span = in + before + after - filter;
    return span < 0 ? 0 : span / stride + 1;
}

int32_t kc_pool_case(const char *what, int32_t case_no, kc_pool_fn opt, kc_pool_fn ref, const hb_pool_params *p,
                     const hb_dims4 *in_d, const hb_dims4 *out_d, int32_t *fails)
{
    const int32_t in_n = in_d->n * in_d->h * in_d->w * in_d->c;
    const int32_t out_n = out_d->n * out_d->h * out_d->w * out_d->c;
    if (out_n <= 0 || in_n > KC_IN_BYTES || out_n > KC_OUT_BYTES) {
        return 0;
    }
    kc_fill_s8(kc.in, in_n);
    kc_prepare_outputs(out_n, 0);
    opt(p, in_d, kc.in, out_d, kc.out_opt);
    ref(p, in_d, kc.in, out_d, kc.out_ref);
    if (!kc_compare(what, case_no, out_n, 0, *fails < KC_REPORT_MAX)) {
        if (*fails < KC_REPORT_MAX) {
            hb_printf("  %s case %ld: in %ldx%ldx%ldx%ld filter %ldx%ld stride %ld,%ld pad %ld,%ld "
                      "out %ldx%ld act [%ld,%ld]\r\n", what, (long)case_no, (long)in_d->n, (long)in_d->h,
                      (long)in_d->w, (long)in_d->c, (long)p->filter_h, (long)p->filter_w,
                      (long)p->stride_h, (long)p->stride_w, (long)p->pad_h, (long)p->pad_w,
                      (long)out_d->h, (long)out_d->w, (long)p->act_min, (long)p->act_max);
        }
        (*fails)++;
    }
    return 1;
}
