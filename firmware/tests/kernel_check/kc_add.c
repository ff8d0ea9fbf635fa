/* ADD cases: random shapes of rank 1-4 with each input broadcasting along random dimensions
 * (stride 0), no broadcasting at all (one contiguous run), TFLite-like multipliers (input shifts
 * <= 0, left shift 20) with occasional extreme offsets and clamps. */
#include "hb_fmt.h"
#include "internal/hb_kernels_c.h"
#include "kc.h"

/* Strides of an input of the output's shape with the dims flagged in bcast collapsed to 1. */
static int32_t kc_bcast_strides(const int32_t *dims, uint32_t bcast, int32_t *stride)
{
    int32_t d, n = 1;
    for (d = 5; d >= 0; d--) {
        const int broadcast = (bcast >> d) & 1u;
        stride[d] = broadcast || dims[d] == 1 ? 0 : n;
        n *= broadcast ? 1 : dims[d];
    }
    return n;
}

static void kc_add_params(hb_add_params *p)
{
    p->input1_offset = kc_pick_offset();
    p->input2_offset = kc_pick_offset();
    p->output_offset = kc_range(-128, 127);
    p->left_shift = 20;
    p->input1_mult = (int32_t)(0x40000000u + (kc_rand() & 0x3FFFFFFFu));
    p->input2_mult = (int32_t)(0x40000000u + (kc_rand() & 0x3FFFFFFFu));
    p->input1_shift = kc_range(-12, 0);
    p->input2_shift = kc_range(-12, 0);
    p->output_mult = (int32_t)(0x40000000u + (kc_rand() & 0x3FFFFFFFu));
    p->output_shift = kc_range(0, 5) == 0 ? kc_range(-31, 2) : kc_range(-22, -16);
    kc_pick_act(&p->act_min, &p->act_max);
}

int32_t kc_check_add(int32_t count)
{
    int32_t i, fails = 0, done = 0;
    for (i = 0; i < count; i++) {
        hb_add_params p;
        hb_bcast b;
        int32_t d, out_n = 1, n1, n2;
        const int32_t rank = kc_range(1, 4);
        const int mode = (int)kc_range(0, 2); /* 0: no broadcast, 1: one input, 2: both */
        for (d = 0; d < 6; d++) {
            b.dims[d] = d < 6 - rank ? 1 : (kc_range(0, 3) == 0 ? 1 : kc_range(1, 19));
            out_n *= b.dims[d];
        }
        if (out_n > KC_OUT_BYTES) {
            continue;
        }
        n1 = kc_bcast_strides(b.dims, mode >= 1 ? kc_rand() & 0x3Fu : 0u, b.stride1);
        n2 = kc_bcast_strides(b.dims, mode == 2 ? kc_rand() & 0x3Fu : 0u, b.stride2);
        if (n1 + n2 > KC_IN_BYTES) {
            continue;
        }
        kc_add_params(&p);
        kc_fill_s8(kc.in, n1 + n2);
        kc_prepare_outputs(out_n, 0);
        hb_add_s8(&p, &b, kc.in, kc.in + n1, kc.out_opt);
        hb_add_s8_c(&p, &b, kc.in, kc.in + n1, kc.out_ref);
        done++;
        if (!kc_compare("add", i, out_n, 0, fails < KC_REPORT_MAX)) {
            if (fails < KC_REPORT_MAX) {
                hb_printf("  add case %ld: dims %ld %ld %ld %ld %ld %ld stride1 inner %ld stride2 inner "
                          "%ld shifts %ld %ld %ld\r\n", (long)i, (long)b.dims[0], (long)b.dims[1],
                          (long)b.dims[2], (long)b.dims[3], (long)b.dims[4], (long)b.dims[5],
                          (long)b.stride1[5], (long)b.stride2[5], (long)p.input1_shift,
                          (long)p.input2_shift, (long)p.output_shift);
            }
            fails++;
        }
    }
    hb_printf("add: %ld cases, %ld failed\r\n", (long)done, (long)fails);
    return fails + (done < count / 2);
}
