/*
 * The operator table: one row per operator the runtime runs. Parse finds an operator's row by its
 * builtin code (custom operators by their custom code), prepare and eval call through the row,
 * hb_interpreter_op_name() prints its name. The prepare and eval of each row live in the op's
 * family file (src/ops/hb_op_<family>.c), declared here since the table is their only caller.
 * Adding an operator: its kernel, its family file, and two declarations and a row here.
 */
#include "internal/hb_op.h"

#define HB_OP_FNS(fn) hb_status fn##_prepare(hb_pctx *c); \
    hb_status fn##_eval(hb_interpreter *ip, const hb_op *op);

HB_OP_FNS(hb_op_conv_2d)             /* hb_op_conv.c */
HB_OP_FNS(hb_op_depthwise_conv_2d)   /* hb_op_conv.c */
HB_OP_FNS(hb_op_fully_connected)     /* hb_op_fc.c */
HB_OP_FNS(hb_op_add)                 /* hb_op_elementwise.c */
HB_OP_FNS(hb_op_mul)                 /* hb_op_elementwise.c */
hb_status hb_op_pool_prepare(hb_pctx *c);                          /* hb_op_pool.c */
hb_status hb_op_average_pool_2d_eval(hb_interpreter *ip, const hb_op *op);
hb_status hb_op_max_pool_2d_eval(hb_interpreter *ip, const hb_op *op);
HB_OP_FNS(hb_op_softmax)             /* hb_op_activation.c */
HB_OP_FNS(hb_op_logistic)            /* hb_op_activation.c */
HB_OP_FNS(hb_op_relu)                /* hb_op_activation.c */
hb_status hb_op_relu6_prepare(hb_pctx *c);                         /* hb_op_activation.c */
HB_OP_FNS(hb_op_quantize)            /* hb_op_quant.c */
HB_OP_FNS(hb_op_dequantize)          /* hb_op_quant.c */
HB_OP_FNS(hb_op_reshape)             /* hb_op_shape.c */
HB_OP_FNS(hb_op_pad)                 /* hb_op_shape.c */
HB_OP_FNS(hb_op_concatenation)       /* hb_op_shape.c */
HB_OP_FNS(hb_op_mean)                /* hb_op_reduce.c */
HB_OP_FNS(hb_op_decode)              /* hb_op_decode.c */

/* The builtin code and its schema name, from one token. */
#define BUILTIN(name) HB_BUILTIN_##name, #name

/* At most 255 rows (hb_op.row is a byte). */
const hb_op_row hb_op_table[] = {
    /* code or custom name,       prepare,                          eval,                 flags */
    {BUILTIN(CONV_2D),           hb_op_conv_2d_prepare,           hb_op_conv_2d_eval,           0},
    {BUILTIN(DEPTHWISE_CONV_2D), hb_op_depthwise_conv_2d_prepare, hb_op_depthwise_conv_2d_eval, 0},
    {BUILTIN(FULLY_CONNECTED),   hb_op_fully_connected_prepare,   hb_op_fully_connected_eval,   0},
    {BUILTIN(ADD),               hb_op_add_prepare,               hb_op_add_eval,               0},
    {BUILTIN(MUL),               hb_op_mul_prepare,               hb_op_mul_eval,               0},
    {BUILTIN(AVERAGE_POOL_2D),   hb_op_pool_prepare,              hb_op_average_pool_2d_eval,   0},
    {BUILTIN(MAX_POOL_2D),       hb_op_pool_prepare,              hb_op_max_pool_2d_eval,       0},
    {BUILTIN(SOFTMAX),           hb_op_softmax_prepare,           hb_op_softmax_eval,           0},
    {BUILTIN(LOGISTIC),          hb_op_logistic_prepare,          hb_op_logistic_eval,          0},
    {BUILTIN(RELU),              hb_op_relu_prepare,              hb_op_relu_eval,              0},
    {BUILTIN(RELU6),             hb_op_relu6_prepare,             hb_op_relu_eval,              0},
    {BUILTIN(QUANTIZE),          hb_op_quantize_prepare,          hb_op_quantize_eval,          0},
    {BUILTIN(DEQUANTIZE),        hb_op_dequantize_prepare,        hb_op_dequantize_eval,        0},
    {BUILTIN(RESHAPE),           hb_op_reshape_prepare,           hb_op_reshape_eval,
     HB_ROW_INPUTS_OPTIONAL},
    {BUILTIN(PAD),               hb_op_pad_prepare,               hb_op_pad_eval,               0},
    {BUILTIN(CONCATENATION),     hb_op_concatenation_prepare,     hb_op_concatenation_eval,     0},
    {BUILTIN(MEAN),              hb_op_mean_prepare,              hb_op_mean_eval,              0},
    {HB_BUILTIN_CUSTOM, "TFLM_DECODE", hb_op_decode_prepare,    hb_op_decode_eval, HB_ROW_DECODE},
};

const uint32_t hb_op_table_len = (uint32_t)(sizeof hb_op_table / sizeof hb_op_table[0]);
