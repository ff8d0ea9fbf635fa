/* Interpreter lifecycle: init (parse -> prepare -> plan), accessors and invoke. */
#include <string.h>

#include "internal/hb_op.h"
#include "internal/hb_parse.h"

int hb_tail_alloc(hb_interpreter *ip, uint32_t n, uint32_t *off)
{
    /* 4-byte granules: every persistent structure holds only fields of at most 4 bytes. */
    const uint32_t size = (n + 3u) & ~3u;
    if (n > 0x7ffffff0u || size > ip->tail_start) {
        hb_fail(ip, HB_ERR_ARENA, "arena too small for the runtime's tables (%u more bytes needed "
                "at least)", size - (size > ip->tail_start ? ip->tail_start : 0));
        return 0;
    }
    ip->tail_start -= size;
    *off = ip->tail_start;
    memset(ip->arena + ip->tail_start, 0, size);
    return 1;
}

hb_status hb_interpreter_init(hb_interpreter *ip, const uint8_t *model, size_t model_len,
                              uint8_t *arena, size_t arena_len)
{
    return hb_interpreter_init_ex(ip, model, model_len, arena, arena_len, NULL);
}

hb_status hb_interpreter_init_ex(hb_interpreter *ip, const uint8_t *model, size_t model_len,
                                 uint8_t *arena, size_t arena_len, const hb_init_options *options)
{
    uint32_t pad, i;
    hb_status st;
    if (ip == NULL) {
        return HB_ERR_ARG;
    }
    memset(ip, 0, sizeof *ip);
    if (model == NULL || arena == NULL) {
        return hb_fail(ip, HB_ERR_ARG, "model and arena must not be NULL");
    }
    if (options != NULL && options->decode != HB_DECODE_AT_INIT &&
        options->decode != HB_DECODE_PER_LAYER && options->decode != HB_DECODE_IN_PLACE) {
        return hb_fail(ip, HB_ERR_ARG, "unknown decode mode %d", (int)options->decode);
    }
    ip->decode_mode = options != NULL ? (uint32_t)options->decode : HB_DECODE_AT_INIT;
    if (model_len > 0x7fffffffu) {
        return hb_fail(ip, HB_ERR_UNSUPPORTED, "models over 2 GiB are not supported");
    }
    if (arena_len > 0x7fff0000u) {
        arena_len = 0x7fff0000u;
    }
    pad = (uint32_t)((HB_ARENA_ALIGN - ((uintptr_t)arena & (HB_ARENA_ALIGN - 1u))) &
                     (HB_ARENA_ALIGN - 1u));
    if (arena_len < pad + 64u) {
        return hb_fail(ip, HB_ERR_ARENA, "arena of %u bytes is too small", (unsigned)arena_len);
    }
    ip->model = model;
    ip->model_len = (uint32_t)model_len;
    ip->arena_pad = pad;
    ip->arena = arena + pad;
    ip->arena_len = (uint32_t)(arena_len - pad) & ~3u;
    ip->tail_start = ip->arena_len;
    st = hb_parse_model(ip);
    if (st != HB_OK) {
        return st;
    }
    for (i = 0; i < ip->n_ops; i++) {
        st = hb_prepare_op(ip, i, &hb_ops(ip)[i]);
        if (st != HB_OK) {
            return st;
        }
    }
    st = hb_plan_memory(ip);
    if (st != HB_OK) {
        return st;
    }
    ip->error[0] = '\0';
    ip->status = HB_OK;
    ip->ready = 1;
    return HB_OK;
}

const char *hb_interpreter_error(const hb_interpreter *ip)
{
    return ip == NULL ? "interpreter is NULL" : ip->error;
}

size_t hb_interpreter_arena_used(const hb_interpreter *ip)
{
    uint32_t used;
    if (ip == NULL) {
        return 0;
    }
    if (!ip->ready) {
        return ip->needed;
    }
    used = ip->head_bytes + (ip->arena_len - ip->tail_start);
    return (size_t)ip->arena_pad + (ip->init_bytes > used ? ip->init_bytes : used);
}

size_t hb_interpreter_arena_head(const hb_interpreter *ip)
{
    return ip != NULL && ip->ready ? ip->head_bytes : 0;
}

size_t hb_interpreter_arena_tail(const hb_interpreter *ip)
{
    return ip != NULL && ip->ready ? ip->arena_len - ip->tail_start : 0;
}

size_t hb_interpreter_input_count(const hb_interpreter *ip)
{
    return ip != NULL && ip->ready ? ip->n_inputs : 0;
}

size_t hb_interpreter_output_count(const hb_interpreter *ip)
{
    return ip != NULL && ip->ready ? ip->n_outputs : 0;
}

static hb_status view(hb_interpreter *ip, int32_t idx, hb_tensor_view *out)
{
    const hb_tensor *t = &hb_tensors(ip)[idx];
    int k;
    memset(out, 0, sizeof *out);
    out->data = hb_tensor_data(ip, t);
    out->bytes = hb_bytes(ip, t);
    out->ndims = t->ndims;
    for (k = 0; k < t->ndims; k++) {
        out->dims[k] = hb_dim(ip, t, k);
    }
    out->type = t->type;
    out->scale = hb_scale(ip, t);
    out->zero_point = t->zero_point;
    return HB_OK;
}

hb_status hb_interpreter_input(hb_interpreter *ip, size_t i, hb_tensor_view *out)
{
    if (ip == NULL || out == NULL || !ip->ready || i >= ip->n_inputs) {
        return HB_ERR_ARG;
    }
    return view(ip, ip->inputs[i], out);
}

hb_status hb_interpreter_output(hb_interpreter *ip, size_t i, hb_tensor_view *out)
{
    if (ip == NULL || out == NULL || !ip->ready || i >= ip->n_outputs) {
        return HB_ERR_ARG;
    }
    return view(ip, ip->outputs[i], out);
}

hb_status hb_interpreter_invoke(hb_interpreter *ip)
{
    uint32_t i;
    hb_status st;
    if (ip == NULL || !ip->ready) {
        return HB_ERR_ARG;
    }
    for (i = 0; i < ip->n_ops; i++) {
        const hb_op *op = &hb_ops(ip)[i];
        if (ip->hook != NULL) {
            ip->hook(ip->hook_ctx, i, 0);
        }
        st = hb_row(op)->eval(ip, op);
        if (ip->hook != NULL) {
            ip->hook(ip->hook_ctx, i, 1);
        }
        if (st != HB_OK) {
            ip->status = st;
            return st;
        }
    }
    return HB_OK;
}

void hb_interpreter_set_hook(hb_interpreter *ip, hb_op_hook hook, void *ctx)
{
    if (ip != NULL) {
        ip->hook = hook;
        ip->hook_ctx = ctx;
    }
}

size_t hb_interpreter_op_count(const hb_interpreter *ip)
{
    return ip != NULL && ip->ready ? ip->n_ops : 0;
}

const char *hb_interpreter_op_name(const hb_interpreter *ip, size_t i)
{
    if (ip == NULL || !ip->ready || i >= ip->n_ops) {
        return "?";
    }
    return hb_row(&((const hb_op *)(const void *)(ip->arena + ip->ops_off))[i])->name;
}
