/* CONV_2D and DEPTHWISE_CONV_2D with weights read in place (internal/hb_wsrc.h), every kernel
 * path. Output channel outer: channel c's weights are decoded once into scratch (palette: its
 * KH x KW x Cin/groups filter; N:M: its non-zero entries with their input offsets) and reused for
 * every output pixel. A pixel whose window lies inside the image starts from folded[c] (bias +
 * input_offset * sum of the filter) and adds sum w * x (palette: one dot product per filter row,
 * hb_dot_s8; N:M: one multiply-accumulate per non-zero); a border pixel adds (x + input_offset) * w
 * over its inside taps to the bias, as the reference does. Bit-exact with the dense kernels. */
#include <string.h>

#include "internal/hb_dot_s8.h"
#include "internal/hb_kernels_wsrc.h"
#include "internal/hb_qmath.h"

int32_t hb_conv_wsrc_s8_get_buffer_size(const hb_wsrc *w, int depthwise, const hb_conv_params *p,
                                        const hb_dims4 *in_d, const hb_dims4 *filter_d)
{
#if HB_KPATH_MVE
    if (!depthwise && hb_conv_wsrc_mve_fits(w, p, in_d, filter_d)) {
        return ((hb_wsrc_mve_block(w) * w->per_channel + 15) & ~15) +
               HB_WSRC_MVE_COLS * w->per_channel;
    }
#else
    (void)p;
    (void)in_d;
    (void)filter_d;
#endif /* HB_KPATH_MVE */
    (void)depthwise;
    if (w->kind == HB_WSRC_NM) {
        return hb_wsrc_groups(w) * w->n * 10 + 4; /* rel, tap (int32), value (int16), pad */
    }
    return (w->per_channel + 3) & ~3;
}

typedef struct conv_geo {
    int32_t kh, kw, fc, cin, in_h, in_w;
    int32_t dh, dw;
} conv_geo;

/* Border pixel, palette rows: taps inside the image only, each (x + off) * w. */
static uint32_t border_rows(const conv_geo *g, const int8_t *px0, int32_t y0, int32_t x0,
                            const int8_t *filt, int32_t off, int depthwise)
{
    uint32_t acc = 0;
    int32_t ky, kx, ci;
    for (ky = 0; ky < g->kh; ky++) {
        const int32_t y = y0 + ky * g->dh;
        if (y < 0 || y >= g->in_h) {
            continue;
        }
        for (kx = 0; kx < g->kw; kx++) {
            const int32_t x = x0 + kx * g->dw;
            const int8_t *px;
            const int8_t *wt = filt + (ky * g->kw + kx) * (depthwise ? 1 : g->fc);
            if (x < 0 || x >= g->in_w) {
                continue;
            }
            px = px0 + (y * g->in_w + x) * g->cin;
            for (ci = 0; ci < (depthwise ? 1 : g->fc); ci++) {
                acc += (uint32_t)(((int32_t)px[ci] + off) * (int32_t)wt[ci]);
            }
        }
    }
    return acc;
}

/* Interior pixel, palette rows: sum w * x. */
static uint32_t inside_rows(const conv_geo *g, const int8_t *base, const int8_t *filt,
                            int depthwise)
{
    uint32_t acc = 0;
    int32_t ky, kx;
    if (depthwise) {
        for (ky = 0; ky < g->kh; ky++) {
            for (kx = 0; kx < g->kw; kx++) {
                acc += (uint32_t)((int32_t)base[(ky * g->dh * g->in_w + kx * g->dw) * g->cin] *
                                  (int32_t)filt[ky * g->kw + kx]);
            }
        }
    } else if (g->dw == 1 && g->fc == g->cin) {
        for (ky = 0; ky < g->kh; ky++) {
            acc += (uint32_t)hb_dot_s8(base + ky * g->dh * g->in_w * g->cin,
                                       filt + ky * g->kw * g->fc, g->kw * g->fc);
        }
    } else {
        for (ky = 0; ky < g->kh; ky++) {
            for (kx = 0; kx < g->kw; kx++) {
                acc += (uint32_t)hb_dot_s8(base + (ky * g->dh * g->in_w + kx * g->dw) * g->cin,
                                           filt + (ky * g->kw + kx) * g->fc, g->fc);
            }
        }
    }
    return acc;
}

/* Border pixel, N:M entries: tap[e] = ky * KW + kx, rel[e] its offset from the window origin
 * (y0, x0); only taps inside the image add (x + off) * w. */
static uint32_t border_entries(const conv_geo *g, const int8_t *px0, int32_t y0, int32_t x0,
                               const int32_t *tap, const int32_t *rel, const int16_t *val,
                               int32_t n, int32_t off)
{
    const int32_t origin = (y0 * g->in_w + x0) * g->cin;
    uint32_t acc = 0, inside = 0;
    int32_t e, ky, kx;
    if (g->kh * g->kw <= 32) { /* one bit per tap: is it inside the image */
        for (ky = 0; ky < g->kh; ky++) {
            const int32_t y = y0 + ky * g->dh;
            for (kx = 0; kx < g->kw; kx++) {
                const int32_t x = x0 + kx * g->dw;
                if (y >= 0 && y < g->in_h && x >= 0 && x < g->in_w) {
                    inside |= 1u << (ky * g->kw + kx);
                }
            }
        }
        for (e = 0; e < n; e++) {
            if ((inside >> tap[e]) & 1u) {
                acc += (uint32_t)(((int32_t)px0[origin + rel[e]] + off) * (int32_t)val[e]);
            }
        }
        return acc;
    }
    for (e = 0; e < n; e++) {
        const int32_t y = y0 + (tap[e] / g->kw) * g->dh, x = x0 + (tap[e] % g->kw) * g->dw;
        if (y >= 0 && y < g->in_h && x >= 0 && x < g->in_w) {
            acc += (uint32_t)(((int32_t)px0[origin + rel[e]] + off) * (int32_t)val[e]);
        }
    }
    return acc;
}

/* Inside pixel, N:M entries: sum base[rel[e]] * val[e], two entries per step (DSP: one SMLAD on
 * the gathered pair). */
#if defined(__GNUC__)
__attribute__((noinline)) /* its own registers: inlined, GCC 12 spills the pointers per entry */
#endif /* __GNUC__ */
static uint32_t inside_entries(const int8_t *base, const int32_t *rel, const int16_t *val,
                               int32_t n)
{
    uint32_t acc = 0;
    int32_t e;
    for (e = 0; e + 1 < n; e += 2) {
#if HB_KPATH_DSP
        uint32_t v;
        const uint32_t x = (uint16_t)(int16_t)base[rel[e]] | ((uint32_t)(int32_t)base[rel[e + 1]] << 16);
        memcpy(&v, val + e, 4);
        acc = (uint32_t)__smlad((int16x2_t)x, (int16x2_t)v, (int32_t)acc);
#else
        acc += (uint32_t)((int32_t)base[rel[e]] * (int32_t)val[e]) +
               (uint32_t)((int32_t)base[rel[e + 1]] * (int32_t)val[e + 1]);
#endif /* HB_KPATH_DSP */
    }
    if (e < n) {
        acc += (uint32_t)((int32_t)base[rel[e]] * (int32_t)val[e]);
    }
    return acc;
}

/* Two inside pixels (windows at b0 and b1) against the same entries: each offset and value is
 * loaded once for both. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif /* __GNUC__ */
static void inside_entries2(const int8_t *b0, const int8_t *b1, const int32_t *rel,
                            const int16_t *val, int32_t n, uint32_t *acc)
{
    uint32_t a0 = acc[0], a1 = acc[1];
    int32_t e;
    for (e = 0; e + 1 < n; e += 2) {
        const int32_t r0 = rel[e], r1 = rel[e + 1];
#if HB_KPATH_DSP
        uint32_t v;
        const uint32_t x0 = (uint16_t)(int16_t)b0[r0] | ((uint32_t)(int32_t)b0[r1] << 16);
        const uint32_t x1 = (uint16_t)(int16_t)b1[r0] | ((uint32_t)(int32_t)b1[r1] << 16);
        memcpy(&v, val + e, 4);
        a0 = (uint32_t)__smlad((int16x2_t)x0, (int16x2_t)v, (int32_t)a0);
        a1 = (uint32_t)__smlad((int16x2_t)x1, (int16x2_t)v, (int32_t)a1);
#else
        const int32_t v0 = val[e], v1 = val[e + 1];
        a0 += (uint32_t)((int32_t)b0[r0] * v0) + (uint32_t)((int32_t)b0[r1] * v1);
        a1 += (uint32_t)((int32_t)b1[r0] * v0) + (uint32_t)((int32_t)b1[r1] * v1);
#endif /* HB_KPATH_DSP */
    }
    if (e < n) {
        a0 += (uint32_t)((int32_t)b0[rel[e]] * (int32_t)val[e]);
        a1 += (uint32_t)((int32_t)b1[rel[e]] * (int32_t)val[e]);
    }
    acc[0] = a0;
    acc[1] = a1;
}

static int8_t requant(const hb_conv_params *p, int32_t acc, int32_t mult, int32_t shift)
{
#if HB_KPATH_DSP
    return hb_dsp_out(acc, mult, shift, p->output_offset, p->act_min, p->act_max);
#else
    return (int8_t)hb_clamp(hb_mbqm(acc, mult, shift) + p->output_offset, p->act_min, p->act_max);
#endif /* HB_KPATH_DSP */
}

void hb_conv_wsrc_s8(const hb_scratch *scratch, const hb_conv_params *p, const int32_t *mult,
                     const int8_t *shift, const hb_dims4 *in_d, const int8_t *in,
                     const hb_dims4 *filter_d, const uint8_t *model, const hb_wsrc *w,
                     const int32_t *bias, const int32_t *folded, const hb_dims4 *out_d,
                     int8_t *out, int depthwise)
{
    conv_geo g;
    const int32_t cout = out_d->c;
    const int nm = w->kind == HB_WSRC_NM;
    const int32_t cap = nm ? hb_wsrc_groups(w) * w->n : 0;
    int32_t *r = (int32_t *)scratch->buf; /* reduction index, then the tap (border_entries) */
    int32_t *rel = r + cap;
    int8_t *val8 = (int8_t *)(rel + cap);  /* hb_wsrc_entries' values, widened in place below */
    int16_t *val = (int16_t *)(void *)(rel + cap);
    int8_t *filt = (int8_t *)scratch->buf;
    int32_t c, b, oy, ox, e, entries = 0;
#if HB_KPATH_MVE
    if (!depthwise && hb_conv_wsrc_mve_fits(w, p, in_d, filter_d)) {
        hb_conv_wsrc_s8_mve(scratch, p, mult, shift, in_d, in, filter_d, model, w, bias, folded,
                            out_d, out);
        return;
    }
#endif /* HB_KPATH_MVE */
    g.kh = filter_d->h;
    g.kw = filter_d->w;
    g.fc = depthwise ? 1 : filter_d->c;
    g.cin = in_d->c;
    g.in_h = in_d->h;
    g.in_w = in_d->w;
    g.dh = p->dilation_h;
    g.dw = p->dilation_w;
    for (c = 0; c < cout; c++) {
        const int32_t ic0 = depthwise ? c / p->depth_multiplier
                                      : (c / (cout / (g.cin / g.fc))) * g.fc;
        int32_t fold;
        if (nm) {
            entries = hb_wsrc_entries(model, w, c, r, val8);
            fold = folded != 0 ? folded[c] : hb_wsrc_fold(bias, c, p->input_offset, val8, entries);
            for (e = entries - 1; e >= 0; e--) { /* widen back to front: val8 aliases val */
                const int32_t tap = r[e] / g.fc, ci = r[e] - tap * g.fc;
                rel[e] = ((tap / g.kw) * g.dh * g.in_w + (tap % g.kw) * g.dw) * g.cin + ci;
                r[e] = tap;
                val[e] = val8[e];
            }
        } else {
            hb_wsrc_row(model, w, c, filt);
            fold = folded != 0 ? folded[c]
                               : hb_wsrc_fold(bias, c, p->input_offset, filt, w->per_channel);
        }
        for (b = 0; b < out_d->n; b++) {
            const int8_t *px0 = in + b * g.in_h * g.in_w * g.cin + ic0;
            for (oy = 0; oy < out_d->h; oy++) {
                const int32_t y0 = oy * p->stride_h - p->pad_h;
                const int rows_in = y0 >= 0 && y0 + (g.kh - 1) * g.dh < g.in_h;
                for (ox = 0; ox < out_d->w; ox++) {
                    const int32_t x0 = ox * p->stride_w - p->pad_w;
                    int8_t *o = out + ((b * out_d->h + oy) * out_d->w + ox) * cout + c;
                    uint32_t acc;
                    if (nm && rows_in && x0 >= 0 && ox + 1 < out_d->w &&
                        x0 + p->stride_w + (g.kw - 1) * g.dw < g.in_w) {
                        const int8_t *base = px0 + (y0 * g.in_w + x0) * g.cin;
                        uint32_t two[2];
                        two[0] = two[1] = (uint32_t)fold;
                        inside_entries2(base, base + p->stride_w * g.cin, rel, val, entries, two);
                        o[0] = requant(p, (int32_t)two[0], mult[c], shift[c]);
                        o[cout] = requant(p, (int32_t)two[1], mult[c], shift[c]);
                        ox++;
                        continue;
                    }
                    if (rows_in && x0 >= 0 && x0 + (g.kw - 1) * g.dw < g.in_w) {
                        const int8_t *base = px0 + (y0 * g.in_w + x0) * g.cin;
                        acc = (uint32_t)fold;
                        if (nm) {
                            acc += inside_entries(base, rel, val, entries);
                        } else {
                            acc += inside_rows(&g, base, filt, depthwise);
                        }
                    } else {
                        acc = bias != 0 ? (uint32_t)bias[c] : 0u;
                        acc += nm ? border_entries(&g, px0, y0, x0, r, rel, val, entries,
                                                   p->input_offset)
                                  : border_rows(&g, px0, y0, x0, filt, p->input_offset,
                                                depthwise);
                    }
                    *o = requant(p, (int32_t)acc, mult[c], shift[c]);
                }
            }
        }
    }
}
