/*
 * Head memory planner: greedy by size, like TFLite Micro's GreedyMemoryPlanner.
 * A buffer is an activation tensor (alive over [first, last] in op indices) or an op's kernel
 * scratch (alive during that op only). Buffers are taken largest first; each goes to the lowest
 * offset where it overlaps no placed buffer whose lifetime intersects its own. Tensor offsets are
 * aligned to 4, scratch to 16 (the kernels' contract; the arena start is 16-aligned); TFLM aligns
 * everything to 16, so this plan is never worse for the same order.
 * The planner's own index arrays live in the not-yet-used head of the arena.
 */
#include "internal/hb_interp.h"

#define HB_TENSOR_ALIGN 4u
#define HB_SCRATCH_ALIGN 16u

/* Buffer ids: [0, n_tensors) are tensors, n_tensors + i is the scratch of op i. */
typedef struct buf {
    uint32_t bytes, off, align;
    int32_t first, last;
} buf;

static buf get_buf(hb_interpreter *ip, uint32_t id)
{
    buf b;
    if (id < ip->n_tensors) {
        const hb_tensor *t = &hb_tensors(ip)[id];
        b.bytes = hb_bytes(ip, t);
        b.off = t->data_off;
        b.align = HB_TENSOR_ALIGN;
        b.first = t->first;
        b.last = t->last;
    } else {
        const hb_op *op = &hb_ops(ip)[id - ip->n_tensors];
        b.bytes = op->scratch_bytes;
        b.off = op->scratch_off;
        b.align = HB_SCRATCH_ALIGN;
        b.first = (int32_t)(id - ip->n_tensors);
        b.last = b.first;
    }
    return b;
}

static void set_off(hb_interpreter *ip, uint32_t id, uint32_t off)
{
    if (id < ip->n_tensors) {
        hb_tensors(ip)[id].data_off = off;
        hb_tensors(ip)[id].where = HB_AT_ARENA;
    } else {
        hb_ops(ip)[id - ip->n_tensors].scratch_off = off;
    }
}

static int needs_memory(hb_interpreter *ip, uint32_t id)
{
    if (id < ip->n_tensors) {
        const hb_tensor *t = &hb_tensors(ip)[id];
        return t->where != HB_AT_MODEL && t->where != HB_AT_DECODED && t->where != HB_AT_ENCODED &&
               t->first >= 0;
    }
    return hb_ops(ip)[id - ip->n_tensors].scratch_bytes > 0u;
}

static uint64_t align_up(uint64_t v, uint32_t a) { return (v + a - 1u) & ~(uint64_t)(a - 1u); }

hb_status hb_plan_memory(hb_interpreter *ip)
{
    const uint32_t ids = ip->n_tensors + ip->n_ops;
    uint32_t n = 0, i, k, placed = 0;
    uint64_t head = 0;
    uint32_t *order, *by_off;
    for (i = 0; i < ids; i++) {
        n += needs_memory(ip, i) ? 1u : 0u;
    }
    if ((uint64_t)n * 8u > ip->tail_start) {
        ip->needed = 0;
        return hb_fail(ip, HB_ERR_ARENA, "arena too small to plan %u activation tensors", n);
    }
    order = (uint32_t *)(void *)ip->arena;
    by_off = order + n;
    /* Insertion sort by size, descending; ties keep id order (deterministic). */
    for (i = 0, k = 0; i < ids; i++) {
        const uint32_t bytes = get_buf(ip, i).bytes;
        uint32_t j;
        if (!needs_memory(ip, i)) {
            continue;
        }
        for (j = k; j > 0 && get_buf(ip, order[j - 1]).bytes < bytes; j--) {
            order[j] = order[j - 1];
        }
        order[j] = i;
        k++;
    }
    for (i = 0; i < n; i++) {
        const buf t = get_buf(ip, order[i]);
        uint64_t cand = 0;
        uint32_t j, pos;
        for (j = 0; j < placed; j++) {
            const buf p = get_buf(ip, by_off[j]);
            uint64_t end;
            if (t.first > p.last || p.first > t.last) {
                continue;
            }
            if (cand + t.bytes <= p.off) {
                break;
            }
            end = align_up((uint64_t)p.off + p.bytes, t.align);
            cand = end > cand ? end : cand;
        }
        if (cand + t.bytes > 0x7fffffffu) {
            return hb_fail(ip, HB_ERR_UNSUPPORTED, "activations need more than 2 GiB");
        }
        set_off(ip, order[i], (uint32_t)cand);
        if (cand + t.bytes > head) {
            head = cand + t.bytes;
        }
        /* Keep by_off sorted by offset. */
        for (pos = placed; pos > 0 && get_buf(ip, by_off[pos - 1]).off > cand; pos--) {
            by_off[pos] = by_off[pos - 1];
        }
        by_off[pos] = order[i];
        placed++;
    }
    head = align_up(head, HB_TENSOR_ALIGN);
    ip->head_bytes = (uint32_t)head;
    if (head > ip->tail_start) {
        ip->needed = ip->arena_pad + (uint32_t)head + (ip->arena_len - ip->tail_start);
        return hb_fail(ip, HB_ERR_ARENA, "arena too small: the model needs %u bytes (%u activations "
                       "+ %u persistent), %u given", ip->needed, (uint32_t)head,
                       ip->arena_len - ip->tail_start, ip->arena_len + ip->arena_pad);
    }
    return HB_OK;
}
