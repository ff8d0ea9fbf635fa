/*
 * hb_kernels_wsrc.h - private: CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED with their weights
 * read in place from the model (internal/hb_wsrc.h), on every kernel path. Same contracts as the
 * dense kernels in hb_kernels.h, except: the weights are `w` (positions into `model`), `folded`
 * may be NULL (then each channel's bias + input_offset * sum of its weights is computed from the
 * channel's decoded weights at every invoke, and nothing is kept per channel), 
 * [Cout] is always given (bias + input_offset * sum of channel c's weights), and the scratch is
 * what *_get_buffer_size() asked for: at most one output channel's weights (palette), or 5 bytes
 * per stored N:M entry of one channel (N:M) - the scratch bound docs/codec.md states.
 */
#ifndef HB_KERNELS_WSRC_H
#define HB_KERNELS_WSRC_H

#include "hb_kernels.h"
#include "internal/hb_wsrc.h"

int32_t hb_fully_connected_wsrc_s8_get_buffer_size(const hb_wsrc *w, const hb_fc_params *p);
void hb_fully_connected_wsrc_s8(const hb_scratch *scratch, const hb_fc_params *p,
                                const int32_t *mult, const int8_t *shift, int32_t batches,
                                int32_t depth, int32_t channels, const int8_t *in,
                                const uint8_t *model, const hb_wsrc *w, const int32_t *bias,
                                const int32_t *folded, int8_t *out);

/* CONV_2D (depthwise = 0) and DEPTHWISE_CONV_2D (depthwise = 1); bias [Cout] or NULL. */
int32_t hb_conv_wsrc_s8_get_buffer_size(const hb_wsrc *w, int depthwise, const hb_conv_params *p,
                                        const hb_dims4 *in_d, const hb_dims4 *filter_d);
void hb_conv_wsrc_s8(const hb_scratch *scratch, const hb_conv_params *p, const int32_t *mult,
                     const int8_t *shift, const hb_dims4 *in_d, const int8_t *in,
                     const hb_dims4 *filter_d, const uint8_t *model, const hb_wsrc *w,
                     const int32_t *bias, const int32_t *folded, const hb_dims4 *out_d,
                     int8_t *out, int depthwise);

/* Helium path (src/kernels/conv/hb_conv_wsrc_s8_mve.c): palette or N:M weights of a block of output
 * channels decoded into scratch (at most HB_WSRC_MVE_BLOCK_BYTES, or 4 channels' weights when one
 * channel is larger) and run through the dense GEMM cores; conv also needs HB_WSRC_MVE_COLS im2col
 * columns for its border pixels. */
#define HB_WSRC_MVE_BLOCK_BYTES 1024
#define HB_WSRC_MVE_COLS 4   /* im2col columns of border pixels per GEMM call */
#define HB_WSRC_MVE_BLOCK_MAX 64 /* channels per block at most (their folded bias is on the stack) */
int hb_conv_wsrc_mve_fits(const hb_wsrc *w, const hb_conv_params *p, const hb_dims4 *in_d,
                          const hb_dims4 *filter_d);
int32_t hb_wsrc_mve_block(const hb_wsrc *w);
void hb_conv_wsrc_s8_mve(const hb_scratch *scratch, const hb_conv_params *p, const int32_t *mult,
                         const int8_t *shift, const hb_dims4 *in_d, const int8_t *in,
                         const hb_dims4 *filter_d, const uint8_t *model, const hb_wsrc *w,
                         const int32_t *bias, const int32_t *folded, const hb_dims4 *out_d,
                         int8_t *out);
void hb_fully_connected_wsrc_s8_mve(const hb_scratch *scratch, const hb_fc_params *p,
                                    const int32_t *mult, const int8_t *shift, int32_t batches,
                                    int32_t depth, int32_t channels, const int8_t *in,
                                    const uint8_t *model, const hb_wsrc *w, const int32_t *bias,
                                    const int32_t *folded, int8_t *out);

/* bias[c] (0 without bias) + input_offset * sum of channel c's n weights, wrapping like int32. */
static inline int32_t hb_wsrc_fold(const int32_t *bias, int32_t c, int32_t input_offset,
                                   const int8_t *w, int32_t n)
{
    uint32_t sum = 0;
    int32_t k;
    for (k = 0; k < n; k++) {
        sum += (uint32_t)(int32_t)w[k];
    }
    return (int32_t)((bias != 0 ? (uint32_t)bias[c] : 0u) + (uint32_t)input_offset * sum);
}

#endif /* HB_KERNELS_WSRC_H */
