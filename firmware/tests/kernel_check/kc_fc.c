/* FULLY_CONNECTED cases: depths off multiples of 16, 1-3 batches, per-tensor and per-channel
 * requantization, with and without bias. */
#include "hb_fmt.h"
#include "internal/hb_kernels_c.h"
#include "kc.h"

int32_t kc_check_fc(int32_t count)
{
    int32_t i, fails = 0, done = 0;
    for (i = 0; i < count; i++) {
        hb_fc_params p;
        const int32_t batches = kc_range(1, 3);
        const int32_t depth = kc_range(0, 1) ? kc_range(1, 40) : kc_range(1, 400);
        const int32_t out_depth = kc_range(1, 70);
        const int with_bias = kc_range(0, 4) != 0;
        int32_t scratch_bytes;
        hb_scratch s;
        p.input_offset = kc_pick_offset();
        p.filter_offset = 0; /* int8 filters are symmetric in TFLite */
        p.output_offset = kc_range(-128, 127);
        kc_pick_act(&p.act_min, &p.act_max);
        p.per_channel = kc_range(0, 1);
        scratch_bytes = hb_fully_connected_s8_get_buffer_size(&p, batches, depth, out_depth);
        if (batches * depth > KC_IN_BYTES || out_depth * depth > KC_FILTER_BYTES ||
            scratch_bytes < 0 || scratch_bytes > KC_SCRATCH_BYTES) {
            continue;
        }
        kc_fill_s8(kc.in, batches * depth);
        kc_fill_s8(kc.filter, out_depth * depth);
        kc_fill_quant(out_depth, with_bias);
        hb_fold_bias_s8(out_depth, depth, depth, 1, kc.filter, with_bias ? kc.bias : 0,
                        p.input_offset, kc.folded);
        kc_prepare_outputs(batches * out_depth, scratch_bytes);
        s.buf = scratch_bytes > 0 ? kc.scratch : 0;
        s.size = scratch_bytes;
        hb_fully_connected_s8(&s, &p, kc.mult, kc.shift, batches, depth, out_depth, kc.in,
                              kc.filter, with_bias ? kc.bias : 0, KC_OPT_FOLDED, kc.out_opt);
        hb_fully_connected_s8_c(&s, &p, kc.mult, kc.shift, batches, depth, out_depth, kc.in,
                                kc.filter, with_bias ? kc.bias : 0, KC_REF_FOLDED(i), kc.out_ref);
        done++;
        if (!kc_compare("fc", i, batches * out_depth, scratch_bytes, fails < KC_REPORT_MAX)) {
            if (fails < KC_REPORT_MAX) {
                hb_printf("  fc case %ld: batches %ld depth %ld out %ld in_off %ld out_off %ld act [%ld,%ld] "
                      "per_channel %ld bias %d\r\n", (long)i, (long)batches, (long)depth,
                      (long)out_depth, (long)p.input_offset, (long)p.output_offset, (long)p.act_min,
                      (long)p.act_max, (long)p.per_channel, with_bias);
            }
            fails++;
        }
    }
    hb_printf("fc: %ld cases, %ld failed\r\n", (long)done, (long)fails);
    return fails + (done < count / 2);
}
