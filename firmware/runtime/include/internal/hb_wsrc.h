/*
 * hb_wsrc.h - private: a weight tensor read in place, straight from the model (flash), whatever
 * form it is stored in. In HB_DECODE_IN_PLACE mode a TFLM_DECODE output that only feeds the
 * weight input of CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED is never decoded as a whole: the
 * consuming op opens its (encoded, ancillary) pair here and its kernel reads one output channel at
 * a time (docs/codec.md, "Executed in place").
 *
 * Forms:
 *   HB_WSRC_RAW      plain int8 weights (no DECODE)
 *   HB_WSRC_PALETTE  TFLM LUT (decode type 0): b-bit indices (b = 1..7) into a value table per
 *                    channel (or one table); channel axis first, last or none
 *   HB_WSRC_NM       hil-bench N:M (decode type 202): per channel, per group of M weights along the
 *                    reduction axis, N (position, value) entries; values int8 or b-bit palette
 *                    indices; channel axis first (or none)
 *
 * hb_wsrc holds model positions only (fixed-width fields): it lives in the op's prepared data.
 */
#ifndef HB_WSRC_H
#define HB_WSRC_H

#include <stdint.h>

#include "internal/hb_interp.h"
#include "internal/hb_kpath.h"

#define HB_DECODE_TYPE_NM 202u

/* 0: this build reads no weights in place (hil_bench.firmware.build passes it from the model's
 * formats, so an image links only the formats its model uses); the in-place branches of the
 * weighted ops then compile away and their kernels are not linked. */
#ifndef HB_WITH_IN_PLACE
#define HB_WITH_IN_PLACE 1
#endif /* HB_WITH_IN_PLACE */

enum { HB_WSRC_RAW = 0, HB_WSRC_PALETTE = 1, HB_WSRC_NM = 2 };

typedef struct hb_wsrc {
    uint32_t data_pos;   /* model position: raw values, LUT indices or N:M rows */
    uint32_t tables_pos; /* model position of the value tables (palette forms) */
    uint32_t row_bytes;  /* N:M: bytes of one channel's row (positions, then values) */
    uint32_t pos_bytes;  /* N:M: bytes of a row's positions */
    int32_t channels;    /* output channels of the consuming op */
    int32_t per_channel; /* weights of one channel (the reduction length) */
    uint8_t kind;        /* HB_WSRC_* */
    uint8_t bits;        /* index bits (palette forms; 0: N:M values are raw int8) */
    uint8_t stride;      /* table entries per channel */
    uint8_t one_table;   /* 1: one table for every channel */
    uint8_t minor;       /* palette: channel is the last axis (value j of c at j * channels + c) */
    uint8_t n, m, pbits; /* N:M: entries per group, group length, position bits */
} hb_wsrc;

/* Open weight tensor f of an op with `channels` output channels, each `per_channel` weights
 * (channel_minor: 1 for DEPTHWISE_CONV_2D's [1, KH, KW, C]); validates every header field, size,
 * index and position once, so the kernels need no checks. HB_ERR_MODEL names nothing: the caller
 * fails with the op's context. */
hb_status hb_wsrc_open(hb_interpreter *ip, const hb_tensor *f, int32_t channels,
                       int32_t per_channel, int channel_minor, hb_wsrc *w, const char **why);

/* The format name for reports: "int8", "palette:B", "nm:N:M", "nm:N:M+palette:B". */
void hb_wsrc_format(const hb_wsrc *w, char *buf, uint32_t len);

/* Channel c's per_channel weights, decoded into out (N:M: zeros where no entry is). */
void hb_wsrc_row(const uint8_t *model, const hb_wsrc *w, int32_t c, int8_t *out);

/* The whole tensor in its stored element order into out (channels * per_channel bytes): on the DSP
 * and Helium paths, the small tensors (at most HB_WSRC_WHOLE_BYTES) are decoded into their op's
 * scratch at every invoke and run with the dense kernels, which block channels and pixels (the
 * in-place kernels read one channel at a time). The plain C path reads every tensor in place. */
#if HB_KPATH_C
#define HB_WSRC_WHOLE_BYTES 0u
#else
#define HB_WSRC_WHOLE_BYTES 1024u
#endif /* HB_KPATH_C */
void hb_wsrc_flat(const uint8_t *model, const hb_wsrc *w, int8_t *out);

/* Sum of channel c's weights (for the folded bias). */
int32_t hb_wsrc_sum(const uint8_t *model, const hb_wsrc *w, int32_t c);

/* N:M: channel c's entries as (offset, value) pairs: off[e] = g * M + position, val[e] the
 * weight, e < groups * N. Returns the entry count. */
int32_t hb_wsrc_entries(const uint8_t *model, const hb_wsrc *w, int32_t c, int32_t *off,
                        int8_t *val);
static inline int32_t hb_wsrc_groups(const hb_wsrc *w)
{
    return (w->per_channel + w->m - 1) / w->m;
}

#endif /* HB_WSRC_H */
