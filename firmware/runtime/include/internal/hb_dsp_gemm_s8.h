/*
 * hb_dsp_gemm_s8.h - the int8 matrix core shared by the DSP paths of CONV_2D and FULLY_CONNECTED
 * (HB_KPATH_DSP only), after CMSIS-NN's DSP design: inputs widened once to int16 with the offset
 * added, weights widened on the fly.
 *
 * A column block holds one or two columns (output pixels, FC batches) of `depth` inputs as int16
 * x + input_offset, in the order the weights widen to (hb_dsp_simd.h): per 4 depth steps k..k+3
 * of column j the words [x_k, x_k+2], [x_k+1, x_k+3]; the two columns of a pair interleave per
 * 4 steps (c0 even, c0 odd, c1 even, c1 odd) so one pointer walks both. When depth % 4 != 0 the
 * last group is padded with 0, so that the core can run whole groups (the padded inputs meet the
 * next filter row's first bytes and add 0). A padding tap is simply 0 (x + off = 0).
 *
 * For every row r < rows and column j of the block:
 *   out[j * rows + r] = clamp(requant(bias[r] + sum_k w[r * depth + k] * col_j[k]) + output_offset)
 * Rows are output channels: filter rows, contiguous int8, any alignment.
 */
#ifndef HB_DSP_GEMM_S8_H
#define HB_DSP_GEMM_S8_H

#include <stdint.h>

#include "hb_dsp_simd.h"

typedef struct hb_dsp_gemm {
    const int8_t *w;       /* [rows][depth] */
    const int32_t *bias;   /* [rows] or NULL */
    const int32_t *mult;   /* [rows] if per_channel, else [1] */
    const int8_t *shift;   /* same count as mult */
    int32_t per_channel;
    int32_t rows, depth;
    int32_t output_offset, act_min, act_max;
} hb_dsp_gemm;

/* int16 elements of a block of n_cols (1 or 2) columns of depth inputs. */
static inline int32_t hb_dsp_block_len(int32_t depth, int32_t n_cols)
{
    return n_cols * 4 * ((depth + 3) / 4);
}

/* Write column j (0 or 1) of a block of n_cols from depth int8 inputs at src. */
void hb_dsp_expand_col(const int8_t *src, int32_t depth, int32_t input_offset, int32_t n_cols,
                       int32_t j, int16_t *block);

/* The blocks are int16 arrays written and read as words. */
typedef uint32_t hb_dsp_word __attribute__((may_alias));

/* Write 4*n4 inputs of column j starting at depth step 4*k4 (a tap of Cin % 4 == 0 channels);
 * src NULL writes padding (zeros). Inline: im2col calls it per run of taps. */
static inline void hb_dsp_expand_run(const int8_t *src, int32_t k4, int32_t n4,
                                     int32_t input_offset, int32_t n_cols, int32_t j,
                                     int16_t *block)
{
    const int32_t step = n_cols * 2; /* words per 4 depth steps */
    const int16x2_t offp = hb_dsp_pack_offset(input_offset);
    hb_dsp_word *dst = (hb_dsp_word *)(void *)block + k4 * step + j * 2;
    int32_t i;
    if (src == 0) {
        for (i = 0; i < n4; i++, dst += step) {
            dst[0] = 0;
            dst[1] = 0;
        }
        return;
    }
    for (i = 0; i < n4; i++, dst += step, src += 4) {
        const uint32_t v = hb_dsp_ld4(src);
        dst[0] = (uint32_t)__sxtab16(offp, (int8x4_t)v);
        dst[1] = (uint32_t)hb_dsp_sxtab16_ror8(offp, v);
    }
}

/* The rows x n_cols outputs of one block. */
void hb_dsp_gemm_s8(const hb_dsp_gemm *g, const int16_t *block, int32_t n_cols, int8_t *out);

/* Short depths (a few dozen inputs), columns read in place as int8 [n_cols][depth] and widened
 * on the fly (sxtab16 adds input_offset): no scratch. Row pairs outer, so that their bias and
 * requantization constants are set once for all columns; for short depths that set-up, not the
 * multiply-accumulates, is what a block costs. Same outputs as hb_dsp_gemm_s8. */
void hb_dsp_gemm_s8_direct(const hb_dsp_gemm *g, const int8_t *cols, int32_t n_cols,
                           int32_t input_offset, int8_t *out);

#endif /* HB_DSP_GEMM_S8_H */
