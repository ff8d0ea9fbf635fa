/*
 * hb_wsrc.c - weights read in place (internal/hb_wsrc.h): open and validate a weight tensor's
 * stored form once at prepare, then hand out one output channel at a time.
 *
 * N:M ancillary (decode type 202, docs/codec.md): DCM byte 4 = version 1, byte 5 = axis << 4 |
 * value bits (0: int8 values, 1-7: palette index bits), byte 6 = table stride (entries per table,
 * 0 without palette), byte 7 = N, byte 8 = M (2, 4, 8 or 16), bytes 9-15 zero; then the value
 * tables (tables x stride int8). Encoded: one row per channel, row = positions (G * N entries of
 * log2(M) bits, MSB first, padded to a byte) then values (G * N entries of `bits` bits, or int8),
 * with G = ceil(K / M) groups of the reduction length K. A group's positions never decrease and
 * stay below min(M, K - g * M); an entry repeating the previous position has the value 0 (padding
 * of a group with fewer than N non-zeros).
 */
#include <string.h>

#include "internal/hb_decode.h"
#include "internal/hb_wsrc.h"

#define NM_VERSION 1u
#define LUT_VERSION 1u
#define AXIS_NONE 15u

/* `bits` (1..8) at bit position pos of an MSB-first stream of len bytes. */
static unsigned get_bits(const uint8_t *s, uint32_t len, uint32_t pos, unsigned bits)
{
    const uint32_t i = pos >> 3;
    const unsigned sh = pos & 7u;
    const unsigned v = ((unsigned)s[i] << 8) | (sh + bits > 8u && i + 1u < len ? s[i + 1u] : 0u);
    return (v >> (16u - sh - bits)) & ((1u << bits) - 1u);
}

static uint32_t bytes_for(uint32_t count, unsigned bits)
{
    return (uint32_t)(((uint64_t)count * bits + 7u) / 8u);
}

/* The DECODE pair behind an HB_AT_ENCODED tensor. */
static void pair_of(hb_interpreter *ip, const hb_tensor *f, const hb_tensor **enc,
                    const hb_tensor **anc)
{
    const hb_op *dec = &hb_ops(ip)[f->data_off >> 5];
    const unsigned k = f->data_off & 31u;
    *enc = &hb_tensors(ip)[hb_op_in(ip, dec, 2u * k)];
    *anc = &hb_tensors(ip)[hb_op_in(ip, dec, 2u * k + 1u)];
}

static uint32_t model_pos(hb_interpreter *ip, const hb_tensor *t)
{
    return (uint32_t)((const uint8_t *)hb_tensor_data(ip, t) - ip->model);
}

/* Number of tables for a DCM axis, 0 if the axis does not fit the consumer's channels. */
static int32_t tables_for(const hb_interpreter *ip, const hb_tensor *f, unsigned axis,
                          int32_t channels, int channel_minor, uint8_t *one_table)
{
    int32_t d;
    if (axis == AXIS_NONE) {
        *one_table = 1;
        return 1;
    }
    if (axis >= f->ndims) {
        return 0;
    }
    d = hb_dim(ip, f, axis);
    if (d == 1) {
        *one_table = 1;
        return 1;
    }
    *one_table = 0;
    if (d != channels) {
        return 0;
    }
    if (channel_minor ? axis != (unsigned)f->ndims - 1u : axis != 0u) {
        return 0;
    }
    return d;
}

static hb_status open_palette(hb_interpreter *ip, const hb_tensor *f, const uint8_t *anc,
                              uint32_t anc_len, const uint8_t *enc, uint32_t enc_len,
                              int channel_minor, hb_wsrc *w, const char **why)
{
    const uint32_t n = (uint32_t)w->channels * (uint32_t)w->per_channel;
    int32_t tables;
    uint32_t i;
    w->kind = HB_WSRC_PALETTE;
    w->bits = anc[5] & 0x07u;
    w->stride = anc[6];
    w->minor = (uint8_t)channel_minor;
    if (anc[4] != LUT_VERSION || w->bits == 0u || w->stride == 0u) {
        *why = "LUT header: version, index bits or table stride";
        return HB_ERR_MODEL;
    }
    tables = tables_for(ip, f, anc[5] >> 4, w->channels, channel_minor, &w->one_table);
    if (tables == 0) {
        *why = "LUT tables are along an axis the kernel does not read per channel";
        return HB_ERR_UNSUPPORTED;
    }
    if (anc_len - HB_DECODE_DCM_BYTES != (uint32_t)tables * w->stride ||
        enc_len != bytes_for(n, w->bits)) {
        *why = "LUT tables or indices have the wrong size";
        return HB_ERR_MODEL;
    }
    for (i = 0; i < n; i++) {
        if (get_bits(enc, enc_len, i * w->bits, w->bits) >= w->stride) {
            *why = "LUT index beyond its table";
            return HB_ERR_MODEL;
        }
    }
    return HB_OK;
}

static hb_status check_nm_rows(const uint8_t *enc, const uint8_t *tables, hb_wsrc *w,
                               const char **why)
{
    const int32_t groups = hb_wsrc_groups(w);
    int32_t c, g, e;
    for (c = 0; c < w->channels; c++) {
        const uint8_t *row = enc + (uint32_t)c * w->row_bytes;
        const uint8_t *tab = tables + (w->one_table ? 0u : (uint32_t)c * w->stride);
        uint32_t k = 0;
        for (g = 0; g < groups; g++) {
            const int32_t left = w->per_channel - g * w->m;
            const unsigned limit = (unsigned)(left < w->m ? left : w->m);
            unsigned prev = 0;
            for (e = 0; e < w->n; e++, k++) {
                const unsigned pos = get_bits(row, w->pos_bytes, k * w->pbits, w->pbits);
                int value;
                if (w->bits == 0u) {
                    value = (int8_t)row[w->pos_bytes + k];
                } else {
                    const unsigned idx = get_bits(row + w->pos_bytes, w->row_bytes - w->pos_bytes,
                                                  k * w->bits, w->bits);
                    if (idx >= w->stride) {
                        *why = "N:M palette index beyond its table";
                        return HB_ERR_MODEL;
                    }
                    value = (int8_t)tab[idx];
                }
                if (pos >= limit || (e > 0 && pos < prev) || (e > 0 && pos == prev && value != 0)) {
                    *why = "N:M positions out of range, out of order or repeated with a value";
                    return HB_ERR_MODEL;
                }
                prev = pos;
            }
        }
    }
    return HB_OK;
}

static hb_status open_nm(hb_interpreter *ip, const hb_tensor *f, const uint8_t *anc,
                         uint32_t anc_len, const uint8_t *enc, uint32_t enc_len,
                         int channel_minor, hb_wsrc *w, const char **why)
{
    int32_t tables, groups;
    unsigned pbits = 0;
    w->kind = HB_WSRC_NM;
    w->bits = anc[5] & 0x0Fu;
    w->stride = anc[6];
    w->n = anc[7];
    w->m = anc[8];
    while ((1u << pbits) < w->m) {
        pbits++;
    }
    w->pbits = (uint8_t)pbits;
    if (anc[4] != NM_VERSION || w->bits > 7u || (w->bits == 0u) != (w->stride == 0u) ||
        (w->m != 2u && w->m != 4u && w->m != 8u && w->m != 16u) || w->n == 0u ||
        w->n > w->m || (w->bits != 0u && w->stride > (1u << w->bits))) {
        *why = "N:M header: version, value bits, table stride, N or M";
        return HB_ERR_MODEL;
    }
    if (channel_minor) {
        *why = "N:M weights need the channel as the first axis";
        return HB_ERR_UNSUPPORTED;
    }
    tables = w->bits == 0u ? 0 : tables_for(ip, f, anc[5] >> 4, w->channels, 0, &w->one_table);
    if (w->bits != 0u && tables == 0) {
        *why = "N:M tables are along an axis the kernel does not read per channel";
        return HB_ERR_UNSUPPORTED;
    }
    groups = hb_wsrc_groups(w);
    w->pos_bytes = bytes_for((uint32_t)groups * w->n, w->pbits);
    w->row_bytes = w->pos_bytes + bytes_for((uint32_t)groups * w->n, w->bits ? w->bits : 8u);
    if (anc_len - HB_DECODE_DCM_BYTES != (uint32_t)tables * w->stride ||
        (uint64_t)enc_len != (uint64_t)w->row_bytes * (uint32_t)w->channels) {
        *why = "N:M tables or rows have the wrong size";
        return HB_ERR_MODEL;
    }
    return check_nm_rows(enc, anc + HB_DECODE_DCM_BYTES, w, why);
}

hb_status hb_wsrc_open(hb_interpreter *ip, const hb_tensor *f, int32_t channels,
                       int32_t per_channel, int channel_minor, hb_wsrc *w, const char **why)
{
    const hb_tensor *enc, *anc;
    const uint8_t *a;
    uint32_t anc_len;
    memset(w, 0, sizeof *w);
    w->channels = channels;
    w->per_channel = per_channel;
    *why = "";
    if (f->where != HB_AT_ENCODED) {
        w->kind = HB_WSRC_RAW;
        w->data_pos = model_pos(ip, f);
        return HB_OK;
    }
    pair_of(ip, f, &enc, &anc);
    a = (const uint8_t *)hb_tensor_data(ip, anc);
    anc_len = hb_bytes(ip, anc);
    w->data_pos = model_pos(ip, enc);
    w->tables_pos = model_pos(ip, anc) + HB_DECODE_DCM_BYTES;
    if (anc_len < HB_DECODE_DCM_BYTES || a[1] != 1u) {
        *why = "ancillary data: short, or DCM version not 1";
        return HB_ERR_MODEL;
    }
    if ((int64_t)channels * per_channel != (int64_t)hb_bytes(ip, f) || per_channel > 0x7fff) {
        *why = "weights too large to be read in place";
        return HB_ERR_UNSUPPORTED;
    }
    if (a[0] == HB_DECODE_TYPE_LUT) {
        return open_palette(ip, f, a, anc_len, (const uint8_t *)hb_tensor_data(ip, enc),
                            hb_bytes(ip, enc), channel_minor, w, why);
    }
    if (a[0] == HB_DECODE_TYPE_NM) {
        return open_nm(ip, f, a, anc_len, (const uint8_t *)hb_tensor_data(ip, enc),
                       hb_bytes(ip, enc), channel_minor, w, why);
    }
    *why = "decode type is not executed in place";
    return HB_ERR_UNSUPPORTED;
}

static char *put(char *p, const char *end, const char *s)
{
    while (*s != '\0' && p < end) {
        *p++ = *s++;
    }
    return p;
}

static char *put_u(char *p, const char *end, unsigned v)
{
    char digits[4];
    int k = 0;
    do {
        digits[k++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0u && k < 4);
    while (k > 0 && p < end) {
        *p++ = digits[--k];
    }
    return p;
}

void hb_wsrc_format(const hb_wsrc *w, char *buf, uint32_t len)
{
    char *p = buf;
    const char *end = buf + len - 1u;
    if (len == 0u) {
        return;
    }
    if (w->kind == HB_WSRC_RAW) {
        p = put(p, end, "int8");
    } else {
        if (w->kind == HB_WSRC_NM) {
            p = put_u(put(p, end, "nm:"), end, w->n);
            p = put_u(put(p, end, ":"), end, w->m);
            if (w->bits != 0u) {
                p = put(p, end, "+");
            }
        }
        if (w->bits != 0u) {
            p = put_u(put(p, end, "palette:"), end, w->bits);
        }
    }
    *p = '\0';
}

/* Table entry of channel c. */
static const int8_t *table_of(const uint8_t *model, const hb_wsrc *w, int32_t c)
{
    return (const int8_t *)(model + w->tables_pos) + (w->one_table ? 0 : c * w->stride);
}

static void palette_row(const uint8_t *model, const hb_wsrc *w, int32_t c, int8_t *out)
{
    const uint8_t *idx = model + w->data_pos;
    const int8_t *tab = table_of(model, w, c);
    const uint32_t len = bytes_for((uint32_t)w->channels * (uint32_t)w->per_channel, w->bits);
    int32_t j;
    if (w->per_channel == 0) {
        return;
    }
    if (w->minor) {
        for (j = 0; j < w->per_channel; j++) {
            out[j] = tab[get_bits(idx, len, (uint32_t)(j * w->channels + c) * w->bits, w->bits)];
        }
        return;
    }
    {
        const uint32_t start = (uint32_t)c * (uint32_t)w->per_channel * w->bits;
        if (w->bits != 4u || (start & 7u) != 0u) {
            /* streaming: the row's indices are consecutive in the MSB-first stream */
            const uint8_t *s = idx + (start >> 3);
            const unsigned mask = (1u << w->bits) - 1u;
            uint32_t acc = *s++;
            unsigned have = 8u - (start & 7u);
            for (j = 0; j < w->per_channel; j++) {
                if (have < w->bits) {
                    acc = (acc << 8) | (s < idx + len ? *s : 0u);
                    s++;
                    have += 8u;
                }
                have -= w->bits;
                out[j] = tab[(acc >> have) & mask];
            }
            return;
        }
        {
            const uint8_t *s = idx + (start >> 3);
            for (j = 0; j + 1 < w->per_channel; j += 2) {
                const unsigned b = *s++;
                out[j] = tab[b >> 4];
                out[j + 1] = tab[b & 15u];
            }
            if (j < w->per_channel) {
                out[j] = tab[*s >> 4];
            }
        }
    }
}

int32_t hb_wsrc_entries(const uint8_t *model, const hb_wsrc *w, int32_t c, int32_t *off,
                        int8_t *val)
{
    const uint8_t *row = model + w->data_pos + (uint32_t)c * w->row_bytes;
    const uint8_t *vals = row + w->pos_bytes;
    const uint32_t val_len = w->row_bytes - w->pos_bytes;
    const int8_t *tab = w->bits ? table_of(model, w, c) : 0;
    const int32_t groups = hb_wsrc_groups(w);
    int32_t g, e, k = 0, out = 0;
    for (g = 0; g < groups; g++) {
        for (e = 0; e < w->n; e++, k++) {
            const int8_t v = w->bits == 0u ? (int8_t)vals[k]
                                           : tab[get_bits(vals, val_len, (uint32_t)k * w->bits,
                                                          w->bits)];
            if (v != 0) {
                off[out] = g * w->m +
                           (int32_t)get_bits(row, w->pos_bytes, (uint32_t)k * w->pbits, w->pbits);
                val[out] = v;
                out++;
            }
        }
    }
    return out;
}

void hb_wsrc_row(const uint8_t *model, const hb_wsrc *w, int32_t c, int8_t *out)
{
    if (w->kind == HB_WSRC_RAW) {
        if (w->minor) {
            const int8_t *src = (const int8_t *)(model + w->data_pos) + c;
            int32_t j;
            for (j = 0; j < w->per_channel; j++) {
                out[j] = src[j * w->channels];
            }
        } else {
            memcpy(out, model + w->data_pos + (uint32_t)c * (uint32_t)w->per_channel,
                   (size_t)w->per_channel);
        }
    } else if (w->kind == HB_WSRC_PALETTE) {
        palette_row(model, w, c, out);
    } else {
        const uint8_t *row = model + w->data_pos + (uint32_t)c * w->row_bytes;
        const uint8_t *vals = row + w->pos_bytes;
        const uint32_t val_len = w->row_bytes - w->pos_bytes;
        const int8_t *tab = w->bits ? table_of(model, w, c) : 0;
        const int32_t groups = hb_wsrc_groups(w);
        int32_t g, e, k = 0;
        memset(out, 0, (size_t)w->per_channel);
        for (g = 0; g < groups; g++) {
            for (e = 0; e < w->n; e++, k++) {
                const int8_t v = w->bits == 0u ? (int8_t)vals[k]
                                               : tab[get_bits(vals, val_len,
                                                              (uint32_t)k * w->bits, w->bits)];
                if (v != 0) {
                    out[g * w->m + (int32_t)get_bits(row, w->pos_bytes, (uint32_t)k * w->pbits,
                                                     w->pbits)] = v;
                }
            }
        }
    }
}

int32_t hb_wsrc_sum(const uint8_t *model, const hb_wsrc *w, int32_t c)
{
    uint32_t sum = 0;
    int32_t j;
    if (w->kind == HB_WSRC_NM) {
        const uint8_t *row = model + w->data_pos + (uint32_t)c * w->row_bytes;
        const uint8_t *vals = row + w->pos_bytes;
        const uint32_t val_len = w->row_bytes - w->pos_bytes;
        const int8_t *tab = w->bits ? table_of(model, w, c) : 0;
        const int32_t entries = hb_wsrc_groups(w) * w->n;
        for (j = 0; j < entries; j++) {
            sum += (uint32_t)(int32_t)(w->bits == 0u ? (int8_t)vals[j]
                                                     : tab[get_bits(vals, val_len,
                                                                    (uint32_t)j * w->bits,
                                                                    w->bits)]);
        }
    } else {
        const uint8_t *data = model + w->data_pos;
        const int8_t *tab = w->kind == HB_WSRC_PALETTE ? table_of(model, w, c) : 0;
        const uint32_t len = bytes_for((uint32_t)w->channels * (uint32_t)w->per_channel, w->bits);
        for (j = 0; j < w->per_channel; j++) {
            const uint32_t f = w->minor ? (uint32_t)(j * w->channels + c)
                                        : (uint32_t)(c * w->per_channel + j);
            sum += (uint32_t)(int32_t)(tab == 0 ? (int8_t)data[f]
                                                : tab[get_bits(data, len, f * w->bits, w->bits)]);
        }
    }
    return (int32_t)sum;
}

void hb_wsrc_flat(const uint8_t *model, const hb_wsrc *w, int8_t *out)
{
    int32_t c;
    if (w->minor && w->kind == HB_WSRC_PALETTE) {
        const uint8_t *idx = model + w->data_pos;
        const uint32_t n = (uint32_t)w->channels * (uint32_t)w->per_channel;
        const unsigned mask = (1u << w->bits) - 1u;
        uint32_t f, acc = 0;
        unsigned have = 0;
        for (f = 0, c = 0; f < n; f++) {
            if (have < w->bits) {
                acc = (acc << 8) | *idx++;
                have += 8u;
            }
            have -= w->bits;
            out[f] = table_of(model, w, c)[(acc >> have) & mask];
            if (++c == w->channels) {
                c = 0;
            }
        }
        return;
    }
    for (c = 0; c < w->channels; c++) {
        hb_wsrc_row(model, w, c, out + c * w->per_channel);
    }
}
