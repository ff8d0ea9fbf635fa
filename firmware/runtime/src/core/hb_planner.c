/*
 * Activation memory planner: greedy by size, like TFLite Micro's GreedyMemoryPlanner.
 * Buffers are taken largest first; each goes to the lowest offset where it overlaps no placed
 * buffer whose lifetime [first, last] intersects its own. Offsets are aligned to HB_HEAD_ALIGN
 * (TFLM aligns to 16, so this plan is never worse for the same order).
 * Scratch (two index arrays) lives in the not-yet-used head of the arena.
 */
#include "internal/hb_interp.h"

#define HB_HEAD_ALIGN 4u

static uint32_t align_up(uint32_t v) { return (v + HB_HEAD_ALIGN - 1u) & ~(HB_HEAD_ALIGN - 1u); }

static int needs_memory(const hb_tensor *t)
{
    return t->where != HB_AT_MODEL && t->where != HB_AT_DECODED && t->first >= 0;
}

static int overlaps(const hb_tensor *a, const hb_tensor *b)
{
    return a->first <= b->last && b->first <= a->last;
}

hb_status hb_plan_memory(hb_interpreter *ip)
{
    hb_tensor *ts = hb_tensors(ip);
    uint32_t n = 0, i, k, placed = 0;
    uint64_t head = 0;
    uint32_t *order, *by_off;
    for (i = 0; i < ip->n_tensors; i++) {
        n += needs_memory(&ts[i]) ? 1u : 0u;
    }
    if ((uint64_t)n * 8u > ip->tail_start) {
        ip->needed = 0;
        return hb_fail(ip, HB_ERR_ARENA, "arena too small to plan %u activation tensors", n);
    }
    order = (uint32_t *)(void *)ip->arena;
    by_off = order + n;
    /* Insertion sort by size, descending; ties keep tensor order (deterministic). */
    for (i = 0, k = 0; i < ip->n_tensors; i++) {
        uint32_t j;
        if (!needs_memory(&ts[i])) {
            continue;
        }
        for (j = k; j > 0 && ts[order[j - 1]].bytes < ts[i].bytes; j--) {
            order[j] = order[j - 1];
        }
        order[j] = i;
        k++;
    }
    for (i = 0; i < n; i++) {
        hb_tensor *t = &ts[order[i]];
        uint64_t cand = 0;
        uint32_t j, pos;
        for (j = 0; j < placed; j++) {
            const hb_tensor *p = &ts[by_off[j]];
            uint64_t end;
            if (!overlaps(t, p)) {
                continue;
            }
            if (cand + t->bytes <= p->data_off) {
                break;
            }
            end = ((uint64_t)p->data_off + p->bytes + HB_HEAD_ALIGN - 1u) & ~(uint64_t)(HB_HEAD_ALIGN - 1u);
            cand = end > cand ? end : cand;
        }
        if (cand + t->bytes > 0x7fffffffu) {
            return hb_fail(ip, HB_ERR_UNSUPPORTED, "activations need more than 2 GiB");
        }
        t->data_off = (uint32_t)cand;
        t->where = HB_AT_ARENA;
        if (cand + t->bytes > head) {
            head = cand + t->bytes;
        }
        /* Keep by_off sorted by offset. */
        for (pos = placed; pos > 0 && ts[by_off[pos - 1]].data_off > cand; pos--) {
            by_off[pos] = by_off[pos - 1];
        }
        by_off[pos] = order[i];
        placed++;
    }
    head = align_up((uint32_t)head);
    ip->head_bytes = (uint32_t)head;
    if (head > ip->tail_start) {
        ip->needed = ip->arena_pad + (uint32_t)head + (ip->arena_len - ip->tail_start);
        return hb_fail(ip, HB_ERR_ARENA, "arena too small: the model needs %u bytes (%u activations "
                       "+ %u persistent), %u given", ip->needed, (uint32_t)head, ip->arena_len - ip->tail_start,
                       ip->arena_len + ip->arena_pad);
    }
    return HB_OK;
}
