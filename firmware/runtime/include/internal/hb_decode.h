/*
 * hb_decode.h - private: decoders for TFLite Micro DECODE tensors (custom operator "TFLM_DECODE").
 *
 * A DECODE operator's inputs come in pairs (encoded tensor, ancillary tensor), one pair per output;
 * output k is the decoded tensor of pair k. The ancillary tensor starts with the 16-byte DECODE
 * Common Metadata (byte 0 = decode type, byte 1 = DCM version 1, bytes 4-15 type specific):
 *   - type 0   TFLM LUT: bit-packed indices (MSB first) into value tables, one per channel along
 *              the axis in byte 5 bits 7-4 (15 = one table), index width in byte 5 bits 2-0 (1-7),
 *              table stride in byte 6; tables (stride elements each, little-endian) follow the DCM.
 *   - type 200 hil-bench hb: rANS over per-channel symbol tables, CRC-32 of the stored and the
 *              decoded bytes (docs/codec.md is the specification).
 * Any other type is HB_ERR_UNSUPPORTED.
 *
 * Every function here is pure: no allocation, no global state; all lengths, offsets and indices of
 * the (untrusted) buffers are checked. A tensor that is inconsistent or fails a checksum gives
 * HB_ERR_MODEL and `out` must then be treated as garbage (it may be partly written).
 */
#ifndef HB_DECODE_H
#define HB_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "hb_runtime.h"

#define HB_DECODE_DCM_BYTES 16u

/* 0: this build has no decoder for LUT (type 0) / hb (type 200) tensors decoded at init or per
 * layer (hil_bench.firmware.build passes them from the model's formats); such a tensor is then
 * HB_ERR_UNSUPPORTED. */
#ifndef HB_WITH_DECODE_LUT
#define HB_WITH_DECODE_LUT 1
#endif /* HB_WITH_DECODE_LUT */
#ifndef HB_WITH_DECODE_HB
#define HB_WITH_DECODE_HB 1
#endif /* HB_WITH_DECODE_HB */
#define HB_DECODE_TYPE_LUT 0u
#define HB_DECODE_TYPE_HB 200u

/* The decoded (output) tensor: its dims (row-major) and the bytes of one element
 * (1 for int8; LUT also decodes 2-, 4- and 8-byte elements, e.g. an int32 bias). */
typedef struct hb_decode_shape {
    int32_t dims[HB_MAX_DIMS];
    int ndims;        /* 0..HB_MAX_DIMS; 0 is a scalar (one element) */
    uint32_t elem_bytes;
} hb_decode_shape;

/* Scratch the decoder of an ancillary tensor needs (both 0 for LUT).
 * @param[out] min_bytes  least scratch hb_decode_tensor() accepts (binary search per symbol)
 * @param[out] fast_bytes scratch that enables the table-lookup path (>= min_bytes; for hb with
 *                        P probability bits and G groups, min_bytes + G * 2^P)
 * Both include up to 3 bytes of alignment slack, so any scratch pointer will do.
 * Returns HB_ERR_MODEL for a short or malformed header, HB_ERR_UNSUPPORTED for an unknown type. */
hb_status hb_decode_scratch_bytes(const uint8_t *ancillary, size_t ancillary_len,
                                  size_t *min_bytes, size_t *fast_bytes);

/* Decode one (encoded, ancillary) pair into `out`.
 * @param[in]  ancillary   the whole ancillary tensor (DCM + metadata), ancillary_len bytes
 * @param[in]  encoded     the encoded tensor, encoded_len bytes
 * @param[in]  shape       the DECODE output tensor: dims and element size
 * @param[out] out         out_len bytes; out_len must equal product(dims) * elem_bytes
 * @param      scratch     scratch_len bytes of caller memory (see hb_decode_scratch_bytes();
 *                         may be NULL when 0 bytes are needed), clobbered
 * Returns HB_OK, HB_ERR_ARG (NULL pointer, out_len mismatch, scratch too small),
 * HB_ERR_MODEL (malformed or corrupt data, checksum mismatch), HB_ERR_UNSUPPORTED (decode type,
 * element size or channel axis this decoder does not handle). */
hb_status hb_decode_tensor(const uint8_t *ancillary, size_t ancillary_len,
                           const uint8_t *encoded, size_t encoded_len,
                           const hb_decode_shape *shape, void *out, size_t out_len,
                           void *scratch, size_t scratch_len);

/* The decoders behind hb_decode_tensor(); arguments already checked for NULL and for
 * out_len == elements * elem_bytes (`elements` is that product). */
hb_status hb_decode_lut(const uint8_t *ancillary, size_t ancillary_len,
                        const uint8_t *encoded, size_t encoded_len,
                        const hb_decode_shape *shape, size_t elements, uint8_t *out);
hb_status hb_decode_rans(const uint8_t *ancillary, size_t ancillary_len,
                         const uint8_t *encoded, size_t encoded_len,
                         const hb_decode_shape *shape, size_t elements, int8_t *out,
                         void *scratch, size_t scratch_len);
/* Scratch of an hb (type 200) ancillary tensor, see hb_decode_scratch_bytes(). */
hb_status hb_decode_rans_scratch(const uint8_t *ancillary, size_t ancillary_len,
                                 size_t *min_bytes, size_t *fast_bytes);

/* CRC-32 of zlib / IEEE 802.3; chain calls by passing the previous result (start with 0). */
uint32_t hb_decode_crc32(uint32_t crc, const uint8_t *data, size_t len);

/* Channel layout of a decoded tensor for a DCM axis field (0-14, or 15 = one channel):
 * value j of channel c sits at flat index c * per + j (axis 0 / one channel) or j * channels + c
 * (last axis). Returns HB_ERR_UNSUPPORTED for an axis that is neither the first nor the last,
 * HB_ERR_MODEL for an axis beyond the rank. */
typedef struct hb_decode_layout {
    size_t channels;
    size_t per_channel;
    int channel_minor; /* 1: channel is the last axis (index j * channels + c) */
} hb_decode_layout;
hb_status hb_decode_layout_of(const hb_decode_shape *shape, size_t elements, unsigned axis,
                              hb_decode_layout *layout);

#endif /* HB_DECODE_H */
