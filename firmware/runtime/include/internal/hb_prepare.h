/* hb_prepare.h - helpers shared by the per-family prepare steps (validation + quant params). */
#ifndef HB_PREPARE_H
#define HB_PREPARE_H

#include "internal/hb_interp.h"

/* Context of the op being prepared: names it in every message. */
typedef struct hb_pctx {
    hb_interpreter *ip;
    uint32_t index;
    hb_op *op;
    hb_fb fb;
    hb_fb_table opt;  /* builtin options (has_opt = 0 -> all defaults) */
    int has_opt;
} hb_pctx;

hb_status hb_pfail(const hb_pctx *c, hb_status st, const char *what);
/* Tensor of input k (NULL if omitted), or the output. */
hb_tensor *hb_pin(const hb_pctx *c, unsigned k);
hb_tensor *hb_pout(const hb_pctx *c);
/* Options accessors with schema defaults. */
int32_t hb_opt_i32(const hb_pctx *c, unsigned field, int32_t dflt);
uint8_t hb_opt_u8(const hb_pctx *c, unsigned field, uint8_t dflt);
float hb_opt_f32(const hb_pctx *c, unsigned field, float dflt);
/* An int8 activation-like tensor: exactly one finite positive scale, an int8 zero point. */
int hb_is_s8(const hb_tensor *t);
/* Element count. */
int32_t hb_count(const hb_tensor *t);
int hb_same_dims(const hb_tensor *a, const hb_tensor *b);
/* Float scale k of a (possibly per-channel) tensor. */
float hb_scale_at(const hb_pctx *c, const hb_tensor *t, uint32_t k);
/* Fused activation -> int8 clamp; fails on TANH/SIGN_BIT/unknown. */
hb_status hb_pact(const hb_pctx *c, int act, const hb_tensor *out, int32_t *lo, int32_t *hi);
/* TFLite SAME(0)/VALID(1) output size and leading padding; 0 on bad parameters. */
int hb_padding(int padding, int32_t in, int32_t filter, int32_t stride, int32_t dilation,
               int32_t *out, int32_t *pad);

hb_status hb_prepare_conv(hb_pctx *c);
hb_status hb_prepare_dwconv(hb_pctx *c);
hb_status hb_prepare_fc(hb_pctx *c);
hb_status hb_prepare_add(hb_pctx *c);
hb_status hb_prepare_mul(hb_pctx *c);
hb_status hb_prepare_pool(hb_pctx *c);
hb_status hb_prepare_reshape(hb_pctx *c);
hb_status hb_prepare_softmax(hb_pctx *c);
hb_status hb_prepare_logistic(hb_pctx *c);
hb_status hb_prepare_quantize(hb_pctx *c);
hb_status hb_prepare_dequantize(hb_pctx *c);
hb_status hb_prepare_pad(hb_pctx *c);
hb_status hb_prepare_concat(hb_pctx *c);
hb_status hb_prepare_mean(hb_pctx *c);
hb_status hb_prepare_decode(hb_pctx *c);

#endif /* HB_PREPARE_H */
