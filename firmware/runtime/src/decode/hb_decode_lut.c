/*
 * hb_decode_lut.c - TFLite Micro LUT decoding (DECODE type 0).
 *
 * Ancillary tensor: DCM bytes 0-3, byte 4 = LUT version 1, byte 5 = axis << 4 | index bits
 * (axis 0-14 or 15 = one table; bits 1-7 in bits 2-0), byte 6 = table stride (elements per
 * channel), bytes 7-15 reserved; then channels * stride table elements of elem_bytes each
 * (little-endian, copied through unchanged). Encoded tensor: one index per output element in
 * row-major order, `bits` wide, MSB first, the last byte padded - exactly ceil(n * bits / 8) bytes.
 */
#include <string.h>

#include "internal/hb_decode.h"

#define LUT_VERSION 1u

hb_status hb_decode_lut(const uint8_t *ancillary, size_t ancillary_len,
                        const uint8_t *encoded, size_t encoded_len,
                        const hb_decode_shape *shape, size_t elements, uint8_t *out)
{
    const unsigned axis = (unsigned)ancillary[5] >> 4;
    const unsigned bits = (unsigned)ancillary[5] & 0x07u;
    const size_t stride = ancillary[6];
    const size_t elem = shape->elem_bytes;
    const uint8_t *tables = ancillary + HB_DECODE_DCM_BYTES;
    const size_t table_bytes = ancillary_len - HB_DECODE_DCM_BYTES;
    hb_decode_layout lay;
    size_t need, i, pos = 0u, c = 0u, j = 0u;
    uint32_t acc = 0u;
    unsigned have = 0u;
    hb_status st;

    if (ancillary[4] != LUT_VERSION) {
        return HB_ERR_UNSUPPORTED;
    }
    if (bits == 0u) {
        return HB_ERR_MODEL;
    }
    st = hb_decode_layout_of(shape, elements, axis, &lay);
    if (st != HB_OK) {
        return st;
    }
    /* value tables: exactly channels * stride elements */
    if (stride != 0u && lay.channels > (SIZE_MAX / elem) / stride) {
        return HB_ERR_MODEL;
    }
    if (table_bytes != lay.channels * stride * elem) {
        return HB_ERR_MODEL;
    }
    /* indices: exactly ceil(elements * bits / 8) bytes, computed without overflow */
    need = (elements / 8u) * bits + ((elements % 8u) * bits + 7u) / 8u;
    if (encoded_len != need) {
        return HB_ERR_MODEL;
    }
    for (i = 0; i < elements; ++i) {
        size_t index;
        while (have < bits) {
            if (pos >= encoded_len) {
                return HB_ERR_MODEL;
            }
            acc = (acc << 8) | encoded[pos++];
            have += 8u;
        }
        have -= bits;
        index = (size_t)((acc >> have) & ((1u << bits) - 1u));
        if (index >= stride) {
            return HB_ERR_MODEL;
        }
        if (elem == 1u) {
            out[i] = tables[c * stride + index];
        } else {
            memcpy(out + i * elem, tables + (c * stride + index) * elem, elem);
        }
        if (lay.channel_minor) {
            if (++c == lay.channels) {
                c = 0u;
            }
        } else if (++j == lay.per_channel) {
            j = 0u;
            ++c;
        }
    }
    return HB_OK;
}
