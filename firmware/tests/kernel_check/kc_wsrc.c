/* Weights read in place (internal/hb_wsrc.h): FULLY_CONNECTED and CONV_2D with palette weights
 * (b = 1..4 bits, per channel tables) and N:M weights (2:4, 1:4, 1:8, int8 or palette values),
 * encoded here from random weights, against the plain C dense kernels on the same weights. Depths
 * and windows off multiples of M and of the SIMD width; channel 0 all zero, channel 1 one value. */
#include <string.h>

#include "hb_fmt.h"
#include "internal/hb_kernels_c.h"
#include "internal/hb_kernels_wsrc.h"
#include "kc.h"

#define KC_ENC_BYTES 16384

static uint8_t kc_enc[KC_ENC_BYTES];

/* Append `bits` of v at bit position *pos, MSB first. */
static void put_bits(uint8_t *s, uint32_t *pos, unsigned v, unsigned bits)
{
    unsigned k;
    for (k = 0; k < bits; k++, (*pos)++) {
        if ((v >> (bits - 1u - k)) & 1u) {
            s[*pos >> 3] |= (uint8_t)(0x80u >> (*pos & 7u));
        }
    }
}

/* Channel c's value table of `stride` entries (channel 0: zeros, channel 1: one value). */
static void make_table(int8_t *tab, int32_t c, int32_t stride)
{
    int32_t k;
    for (k = 0; k < stride; k++) {
        tab[k] = c == 0 ? 0 : (int8_t)kc_range(-128, 127);
    }
}

/* Palette: indices at kc_enc[0..), tables after; dense weights into kc.filter. 0: too large. */
static int encode_palette(hb_wsrc *w, int32_t channels, int32_t k, unsigned bits)
{
    const int32_t stride = 1 << bits;
    const uint32_t idx_bytes = ((uint32_t)(channels * k) * bits + 7u) / 8u;
    uint32_t pos = 0;
    int32_t c, j;
    if (idx_bytes + (uint32_t)(channels * stride) > KC_ENC_BYTES) {
        return 0;
    }
    memset(kc_enc, 0, sizeof kc_enc);
    memset(w, 0, sizeof *w);
    w->kind = HB_WSRC_PALETTE;
    w->bits = (uint8_t)bits;
    w->stride = (uint8_t)stride;
    w->channels = channels;
    w->per_channel = k;
    w->data_pos = 0;
    w->tables_pos = idx_bytes;
    for (c = 0; c < channels; c++) {
        int8_t *tab = (int8_t *)kc_enc + idx_bytes + c * stride;
        make_table(tab, c, stride);
        for (j = 0; j < k; j++) {
            const unsigned i = c == 1 ? 0u : (unsigned)kc_range(0, stride - 1);
            put_bits(kc_enc, &pos, i, bits);
            kc.filter[c * k + j] = tab[i];
        }
    }
    return 1;
}

/* N:M: rows (positions, then values) at kc_enc[0..), tables after. 0: too large. */
static int encode_nm(hb_wsrc *w, int32_t channels, int32_t k, unsigned n, unsigned m,
                     unsigned bits)
{
    const int32_t groups = (k + (int32_t)m - 1) / (int32_t)m, stride = bits ? 1 << bits : 0;
    unsigned pbits = 0;
    uint32_t row, pos_bytes, at = 0;
    int32_t c, g;
    while ((1u << pbits) < m) {
        pbits++;
    }
    pos_bytes = ((uint32_t)(groups * (int32_t)n) * pbits + 7u) / 8u;
    row = pos_bytes + ((uint32_t)(groups * (int32_t)n) * (bits ? bits : 8u) + 7u) / 8u;
    if (row * (uint32_t)channels + (uint32_t)(channels * stride) > KC_ENC_BYTES) {
        return 0;
    }
    memset(kc_enc, 0, sizeof kc_enc);
    memset(w, 0, sizeof *w);
    memset(kc.filter, 0, (size_t)(channels * k));
    w->kind = HB_WSRC_NM;
    w->bits = (uint8_t)bits;
    w->stride = (uint8_t)stride;
    w->n = (uint8_t)n;
    w->m = (uint8_t)m;
    w->pbits = (uint8_t)pbits;
    w->channels = channels;
    w->per_channel = k;
    w->row_bytes = row;
    w->pos_bytes = pos_bytes;
    w->tables_pos = row * (uint32_t)channels;
    for (c = 0; c < channels; c++) {
        uint8_t *r = kc_enc + (uint32_t)c * row;
        int8_t *tab = (int8_t *)kc_enc + w->tables_pos + c * stride;
        uint32_t ppos = 0, vpos = 0;
        if (bits) {
            make_table(tab, c, stride);
            tab[0] = 0; /* index 0 pads short groups */
        }
        for (g = 0; g < groups; g++) {
            const int32_t left = k - g * (int32_t)m < (int32_t)m ? k - g * (int32_t)m : (int32_t)m;
            int32_t prev = -1;
            unsigned e;
            for (e = 0; e < n; e++, at++) {
                /* increasing positions while they last, then zero-valued repeats */
                const int32_t p = prev + 1 < left && kc_range(0, 3) != 0
                                      ? kc_range(prev + 1, left - 1 - ((int32_t)n - 1 - (int32_t)e) > prev + 1
                                                               ? left - 1 - ((int32_t)n - 1 - (int32_t)e)
                                                               : prev + 1)
                                      : (prev < 0 ? 0 : prev);
                const int fresh = p != prev;
                int8_t v;
                unsigned code;
                if (bits) {
                    code = fresh && c != 0 ? (unsigned)kc_range(0, stride - 1) : 0u;
                    v = tab[code];
                } else {
                    v = fresh && c != 0 ? (c == 1 ? (int8_t)77 : (int8_t)kc_range(-128, 127)) : 0;
                    code = (uint8_t)v;
                }
                put_bits(r, &ppos, (unsigned)p, pbits);
                put_bits(r + pos_bytes, &vpos, code, bits ? bits : 8u);
                if (fresh) {
                    kc.filter[c * k + g * (int32_t)m + p] = v;
                }
                prev = p;
            }
        }
    }
    (void)at;
    return 1;
}

/* A random format on `channels` x `k` weights into w (and the dense twin into kc.filter): case i
 * takes palette:1..4 (i % 8 < 4), nm:2:4, nm:1:4, nm:1:8, or nm:2:4 + palette:1..4. */
static int encode_any(hb_wsrc *w, int32_t channels, int32_t k, int32_t i)
{
    static const unsigned nm[3][2] = {{2, 4}, {1, 4}, {1, 8}};
    const int kind = (int)(i % 8);
    if (kind < 4) {
        return encode_palette(w, channels, k, (unsigned)kind + 1u);
    }
    {
        const unsigned *p = nm[(kind - 4) % 3];
        return encode_nm(w, channels, k, p[0], p[1], kind == 7 ? (unsigned)kc_range(1, 4) : 0u);
    }
}

int32_t kc_check_wsrc(int32_t count)
{
    int32_t i, fails = 0, done = 0;
    for (i = 0; i < count; i++) {
        hb_wsrc w;
        hb_scratch s;
        const int conv = (int)((i / 8) & 1);
        int32_t n_out, scratch_bytes;
        if (!conv) {
            hb_fc_params p;
            const int32_t batches = kc_range(1, 2), depth = kc_range(1, 200);
            const int32_t channels = kc_range(2, 40);
            p.input_offset = kc_pick_offset();
            p.filter_offset = 0;
            p.output_offset = kc_range(-128, 127);
            kc_pick_act(&p.act_min, &p.act_max);
            p.per_channel = kc_range(0, 1);
            if (batches * depth > KC_IN_BYTES || channels * depth > KC_FILTER_BYTES ||
                !encode_any(&w, channels, depth, i)) {
                continue;
            }
            scratch_bytes = hb_fully_connected_wsrc_s8_get_buffer_size(&w, &p);
            if (scratch_bytes > KC_SCRATCH_BYTES) {
                continue;
            }
            kc_fill_s8(kc.in, batches * depth);
            kc_fill_quant(channels, 1);
            hb_fold_bias_s8(channels, depth, depth, 1, kc.filter, kc.bias, p.input_offset,
                            kc.folded);
            n_out = batches * channels;
            kc_prepare_outputs(n_out, scratch_bytes);
            s.buf = scratch_bytes > 0 ? kc.scratch : 0;
            s.size = scratch_bytes;
            hb_fully_connected_wsrc_s8(&s, &p, kc.mult, kc.shift, batches, depth, channels, kc.in,
                                       kc_enc, &w, kc.bias, (i & 16) ? kc.folded : 0, kc.out_opt);
            hb_fully_connected_s8_c(&s, &p, kc.mult, kc.shift, batches, depth, channels, kc.in,
                                    kc.filter, kc.bias, 0, kc.out_ref);
        } else {
            hb_conv_params p;
            hb_dims4 in_d, f_d, out_d;
            in_d.n = 1;
            in_d.h = kc_range(1, 9);
            in_d.w = kc_range(1, 9);
            in_d.c = kc_range(1, 20);
            f_d.n = kc_range(2, 24);
            f_d.h = kc_range(1, 3);
            f_d.w = kc_range(1, 3);
            f_d.c = in_d.c;
            p.stride_h = kc_range(1, 2);
            p.stride_w = kc_range(1, 2);
            p.dilation_h = p.dilation_w = 1;
            p.pad_h = kc_range(0, f_d.h - 1);
            p.pad_w = kc_range(0, f_d.w - 1);
            p.depth_multiplier = 1;
            p.input_offset = kc_pick_offset();
            p.output_offset = kc_range(-128, 127);
            kc_pick_act(&p.act_min, &p.act_max);
            out_d.n = 1;
            out_d.h = (in_d.h + 2 * p.pad_h - f_d.h) / p.stride_h + 1;
            out_d.w = (in_d.w + 2 * p.pad_w - f_d.w) / p.stride_w + 1;
            out_d.c = f_d.n;
            if (out_d.h <= 0 || out_d.w <= 0 || in_d.h * in_d.w * in_d.c > KC_IN_BYTES ||
                out_d.h * out_d.w * out_d.c > KC_OUT_BYTES ||
                !encode_any(&w, f_d.n, f_d.h * f_d.w * f_d.c, i)) {
                continue;
            }
            scratch_bytes = hb_conv_wsrc_s8_get_buffer_size(&w, 0, &p, &in_d, &f_d);
            if (scratch_bytes > KC_SCRATCH_BYTES) {
                continue;
            }
            kc_fill_s8(kc.in, in_d.h * in_d.w * in_d.c);
            kc_fill_quant(f_d.n, 1);
            hb_fold_bias_s8(f_d.n, f_d.h * f_d.w * f_d.c, f_d.h * f_d.w * f_d.c, 1, kc.filter,
                            kc.bias, p.input_offset, kc.folded);
            n_out = out_d.h * out_d.w * out_d.c;
            kc_prepare_outputs(n_out, scratch_bytes);
            s.buf = scratch_bytes > 0 ? kc.scratch : 0;
            s.size = scratch_bytes;
            hb_conv_wsrc_s8(&s, &p, kc.mult, kc.shift, &in_d, kc.in, &f_d, kc_enc, &w, kc.bias,
                            (i & 32) ? kc.folded : 0, &out_d, kc.out_opt, 0);
            hb_conv_s8_c(&s, &p, kc.mult, kc.shift, &in_d, kc.in, &f_d, kc.filter, kc.bias, 0,
                         &out_d, kc.out_ref);
        }
        done++;
        if (!kc_compare(conv ? "conv in place" : "fc in place", i, n_out, scratch_bytes,
                        fails < KC_REPORT_MAX)) {
            if (fails < KC_REPORT_MAX) {
                hb_printf("  %s case %ld: kind %d (%s) N:M %u:%u bits %u K %ld\r\n", conv ? "conv" : "fc",
                          (long)i, (int)(i % 8), w.kind == HB_WSRC_NM ? "nm" : "palette",
                          (unsigned)w.n, (unsigned)w.m, (unsigned)w.bits, (long)w.per_channel);
            }
            fails++;
        }
    }
    hb_printf("in place: %ld cases, %ld failed\r\n", (long)done, (long)fails);
    return fails + (done < count / 2);
}
