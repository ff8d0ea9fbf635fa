/*
 * hb_decode_rans.c - hil-bench hb codec decoding (DECODE type 200, format version 1).
 *
 * docs/codec.md is the specification. Order of work: storage CRC over the stored bytes, header
 * against the output tensor, frequency rows (each sums to 2^P), value tables, table and group ids,
 * no trailing bytes; then the rANS stream channel by channel (32-bit state, L = 2^23, byte-wise
 * renormalisation), ending in state L exactly at the end of the stream; then the CRC of the values.
 *
 * Scratch (caller memory, 4-byte aligned inside): cum[G][S+1] u16 cumulative frequencies,
 * table offsets u32[T] (table mode), and optionally a slot -> symbol lookup u8[G][2^P].
 */
#include "internal/hb_decode.h"

#define HB_FORMAT_VERSION 1u
#define HB_HEADER_END 32u
#define HB_AXIS_ONE 15u
#define HB_MODE_TABLE 0u
#define HB_MODE_DIRECT 1u
#define HB_MAX_GROUPS 16u
#define HB_MAX_ALPHABET 256u
#define HB_IDS_IDENTITY 0xFFu
#define HB_MAX_ID_BITS 16u
#define HB_MAX_GROUP_BITS 4u
#define HB_RANS_L (1ul << 23)

typedef struct hb_header {
    unsigned axis, mode, prob_bits;
    uint32_t channels, per_channel;
    unsigned alphabet, tables, groups, id_bits, group_bits;
} hb_header;

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static unsigned rd16(const uint8_t *p)
{
    return (unsigned)p[0] | ((unsigned)p[1] << 8);
}

/* Field k of `width` bits (1-16), MSB first, from a packed array whose byte length was checked. */
static unsigned packed(const uint8_t *base, uint32_t k, unsigned width)
{
    const uint64_t bit = (uint64_t)k * width;
    const uint8_t *p = base + (size_t)(bit >> 3);
    const unsigned skip = (unsigned)(bit & 7u);
    const unsigned nbytes = (skip + width + 7u) / 8u; /* 1-3, all inside the array */
    uint32_t acc = 0u;
    unsigned i;
    for (i = 0; i < nbytes; ++i) {
        acc = (acc << 8) | p[i];
    }
    return (unsigned)((acc >> (nbytes * 8u - skip - width)) & ((1u << width) - 1u));
}

static size_t packed_bytes(uint32_t count, unsigned width)
{
    return (size_t)(((uint64_t)count * width + 7u) / 8u);
}

static hb_status read_header(const uint8_t *anc, size_t len, hb_header *h)
{
    if (anc[4] != HB_FORMAT_VERSION) {
        return HB_ERR_UNSUPPORTED;
    }
    if (len < HB_HEADER_END) {
        return HB_ERR_MODEL;
    }
    h->axis = (unsigned)anc[5] >> 4;
    h->mode = (unsigned)anc[5] & 0x0Fu;
    h->prob_bits = anc[6];
    h->channels = rd32(anc + 16);
    h->per_channel = rd32(anc + 20);
    h->alphabet = rd16(anc + 24);
    h->tables = rd16(anc + 26);
    h->groups = anc[28];
    h->id_bits = anc[29];
    h->group_bits = anc[30];
    if ((h->mode != HB_MODE_TABLE && h->mode != HB_MODE_DIRECT) || h->prob_bits < 1u ||
        h->prob_bits > 15u || h->alphabet < 1u || h->alphabet > HB_MAX_ALPHABET ||
        h->groups < 1u || h->groups > HB_MAX_GROUPS || h->group_bits > HB_MAX_GROUP_BITS) {
        return HB_ERR_MODEL;
    }
    if (h->mode == HB_MODE_TABLE && h->id_bits > HB_MAX_ID_BITS && h->id_bits != HB_IDS_IDENTITY) {
        return HB_ERR_MODEL;
    }
    return HB_OK;
}

typedef struct hb_scratch_plan {
    size_t cum_bytes, offsets_bytes, lookup_bytes;
} hb_scratch_plan;

static hb_scratch_plan plan_scratch(const hb_header *h)
{
    hb_scratch_plan p;
    p.cum_bytes = ((size_t)h->groups * (h->alphabet + 1u) * 2u + 3u) & ~(size_t)3u;
    p.offsets_bytes = h->mode == HB_MODE_TABLE ? (size_t)h->tables * 4u : 0u;
    p.lookup_bytes = (size_t)h->groups << h->prob_bits;
    return p;
}

hb_status hb_decode_rans_scratch(const uint8_t *ancillary, size_t ancillary_len,
                                 size_t *min_bytes, size_t *fast_bytes)
{
    hb_header h;
    hb_scratch_plan p;
    const hb_status st = read_header(ancillary, ancillary_len, &h);
    if (st != HB_OK) {
        return st;
    }
    p = plan_scratch(&h);
    *min_bytes = 3u + p.cum_bytes + p.offsets_bytes;
    *fast_bytes = *min_bytes + p.lookup_bytes;
    return HB_OK;
}

/* Largest s in [0, S) with cum[s] <= slot; cum[S] = 2^P > slot, so freq[s] > 0. */
static unsigned find_symbol(const uint16_t *cum, unsigned alphabet, uint32_t slot)
{
    unsigned lo = 0u, hi = alphabet;
    while (hi - lo > 1u) {
        const unsigned mid = (lo + hi) / 2u;
        if (cum[mid] <= slot) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return lo;
}

hb_status hb_decode_rans(const uint8_t *ancillary, size_t ancillary_len,
                         const uint8_t *encoded, size_t encoded_len,
                         const hb_decode_shape *shape, size_t elements, int8_t *out,
                         void *scratch, size_t scratch_len)
{
    hb_header h;
    hb_scratch_plan plan;
    hb_decode_layout lay;
    uint16_t *cum;
    uint32_t *table_off = NULL;
    uint8_t *lookup = NULL;
    uint8_t *base;
    const uint8_t *ids = NULL, *gids;
    size_t pos, n, k;
    uint32_t c, x, mask;
    unsigned g, s;
    hb_status st;

    /* 1. the stored bytes are what the encoder wrote (any flipped bit stops here) */
    {
        uint32_t crc = hb_decode_crc32(0u, ancillary, 12u);
        crc = hb_decode_crc32(crc, ancillary + HB_DECODE_DCM_BYTES, ancillary_len - HB_DECODE_DCM_BYTES);
        crc = hb_decode_crc32(crc, encoded, encoded_len);
        if (crc != rd32(ancillary + 12)) {
            return HB_ERR_MODEL;
        }
    }
    /* 2. header against the output tensor */
    st = read_header(ancillary, ancillary_len, &h);
    if (st != HB_OK) {
        return st;
    }
    st = hb_decode_layout_of(shape, elements, h.axis, &lay);
    if (st != HB_OK) {
        return st;
    }
    if ((uint64_t)h.channels != (uint64_t)lay.channels ||
        (uint64_t)h.channels * h.per_channel != (uint64_t)elements) {
        return HB_ERR_MODEL;
    }
    /* scratch, aligned to 4 inside the caller's block */
    plan = plan_scratch(&h);
    if (scratch == NULL) {
        return HB_ERR_ARG;
    }
    base = (uint8_t *)scratch;
    k = (size_t)((4u - ((uintptr_t)base & 3u)) & 3u);
    if (scratch_len < k || scratch_len - k < plan.cum_bytes + plan.offsets_bytes) {
        return HB_ERR_ARG;
    }
    cum = (uint16_t *)(void *)(base + k);
    if (plan.offsets_bytes != 0u) {
        table_off = (uint32_t *)(void *)(base + k + plan.cum_bytes);
    }
    if (scratch_len - k - plan.cum_bytes - plan.offsets_bytes >= plan.lookup_bytes) {
        lookup = base + k + plan.cum_bytes + plan.offsets_bytes;
    }

    /* 3. frequency rows: each sums to 2^P */
    pos = HB_HEADER_END;
    n = (size_t)h.groups * h.alphabet * 2u;
    if (ancillary_len - pos < n) {
        return HB_ERR_MODEL;
    }
    for (g = 0; g < h.groups; ++g) {
        uint16_t *row = cum + (size_t)g * (h.alphabet + 1u);
        uint32_t acc = 0u;
        for (s = 0; s < h.alphabet; ++s) {
            row[s] = (uint16_t)acc;
            acc += rd16(ancillary + pos + ((size_t)g * h.alphabet + s) * 2u);
            if (acc > (1ul << h.prob_bits)) {
                return HB_ERR_MODEL;
            }
        }
        if (acc != (1ul << h.prob_bits)) {
            return HB_ERR_MODEL;
        }
        row[h.alphabet] = (uint16_t)acc;
        if (lookup != NULL) {
            uint8_t *lk = lookup + ((size_t)g << h.prob_bits);
            for (s = 0; s < h.alphabet; ++s) {
                uint32_t slot;
                for (slot = row[s]; slot < row[s + 1u]; ++slot) {
                    lk[slot] = (uint8_t)s;
                }
            }
        }
    }
    pos += n;
    /* 4. value tables: u8 count m, then m int8 values */
    for (k = 0; k < h.tables; ++k) {
        if (pos >= ancillary_len) {
            return HB_ERR_MODEL;
        }
        if (table_off != NULL) {
            table_off[k] = (uint32_t)pos;
        }
        n = ancillary[pos];
        if (ancillary_len - pos - 1u < n) {
            return HB_ERR_MODEL;
        }
        pos += 1u + n;
    }
    /* 5. table ids (table mode), group ids, and nothing after them */
    if (h.mode == HB_MODE_TABLE) {
        if (h.id_bits == HB_IDS_IDENTITY) {
            if (h.channels > h.tables) {
                return HB_ERR_MODEL;
            }
        } else {
            n = packed_bytes(h.channels, h.id_bits);
            if (ancillary_len - pos < n) {
                return HB_ERR_MODEL;
            }
            ids = ancillary + pos;
            for (c = 0; c < h.channels; ++c) {
                if ((h.id_bits == 0u ? 0u : packed(ids, c, h.id_bits)) >= h.tables) {
                    return HB_ERR_MODEL;
                }
            }
            pos += n;
        }
    }
    n = packed_bytes(h.channels, h.group_bits);
    if (ancillary_len - pos < n) {
        return HB_ERR_MODEL;
    }
    gids = ancillary + pos;
    for (c = 0; c < h.channels && h.group_bits != 0u; ++c) {
        if (packed(gids, c, h.group_bits) >= h.groups) {
            return HB_ERR_MODEL;
        }
    }
    if (ancillary_len - pos != n) {
        return HB_ERR_MODEL; /* trailing bytes */
    }

    /* 6. the rANS stream */
    if (encoded_len < 4u) {
        return HB_ERR_MODEL;
    }
    x = rd32(encoded);
    pos = 4u;
    mask = (uint32_t)((1ul << h.prob_bits) - 1u);
    for (c = 0; c < h.channels; ++c) {
        const uint16_t *row;
        const uint8_t *lk = NULL;
        const uint8_t *values = NULL;
        unsigned m = 0u;
        uint32_t j;
        g = h.group_bits == 0u ? 0u : packed(gids, c, h.group_bits);
        row = cum + (size_t)g * (h.alphabet + 1u);
        if (lookup != NULL) {
            lk = lookup + ((size_t)g << h.prob_bits);
        }
        if (h.mode == HB_MODE_TABLE) {
            const unsigned t = h.id_bits == HB_IDS_IDENTITY ? (unsigned)c
                               : h.id_bits == 0u        ? 0u
                                                        : packed(ids, c, h.id_bits);
            m = ancillary[table_off[t]];
            values = ancillary + table_off[t] + 1u;
        }
        for (j = 0; j < h.per_channel; ++j) {
            const uint32_t slot = x & mask;
            int v;
            s = lk != NULL ? lk[slot] : find_symbol(row, h.alphabet, slot);
            x = (uint32_t)(row[s + 1u] - row[s]) * (x >> h.prob_bits) + slot - row[s];
            while (x < HB_RANS_L) {
                if (pos >= encoded_len) {
                    return HB_ERR_MODEL; /* the stream ended early */
                }
                x = (x << 8) | encoded[pos++];
            }
            if (h.mode == HB_MODE_TABLE) {
                if (s > m) {
                    return HB_ERR_MODEL;
                }
                v = s == 0u ? 0 : (values[s - 1u] > 127u ? (int)values[s - 1u] - 256 : (int)values[s - 1u]);
            } else {
                v = s > 127u ? (int)s - 256 : (int)s;
            }
            out[lay.channel_minor ? (size_t)j * h.channels + c : (size_t)c * h.per_channel + j] = (int8_t)v;
        }
    }
    if (x != HB_RANS_L || pos != encoded_len) {
        return HB_ERR_MODEL;
    }
    /* 7. the decoded values are the ones the encoder saw */
    if (hb_decode_crc32(0u, (const uint8_t *)out, elements) != rd32(ancillary + 8)) {
        return HB_ERR_MODEL;
    }
    return HB_OK;
}
