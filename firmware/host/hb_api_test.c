/*
 * hb_api_test - checks of the public C API that the bit-exactness tests do not reach:
 * argument errors, exact arena sizing, the per-operator hook, accessors, determinism.
 * Usage: hb_api_test MODEL.tflite  (a valid single-input int8 model). Exit 0 when all checks pass.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb_runtime.h"

static int failures;

#define CHECK(cond)                                                                              \
    do {                                                                                         \
        if (!(cond)) {                                                                           \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                      \
            failures++;                                                                          \
        }                                                                                        \
    } while (0)

typedef struct hook_log {
    uint32_t calls;
    uint32_t next_op;
    int expect_end;
    int order_ok;
} hook_log;

static void hook(void *ctx, uint32_t op, int end)
{
    hook_log *log = (hook_log *)ctx;
    if (op != log->next_op || end != log->expect_end) {
        log->order_ok = 0;
    }
    if (end) {
        log->next_op++;
    }
    log->expect_end = !end;
    log->calls++;
}

static unsigned char *load(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long n;
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) != 0) {
        return NULL;
    }
    buf = (unsigned char *)malloc((size_t)n);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        return NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

int main(int argc, char **argv)
{
    static hb_interpreter ip, ip2;
    hb_tensor_view in, out, tmp;
    hook_log log = {0, 0, 0, 1};
    unsigned char *model, *arena, *exact, *first, *saved;
    size_t len = 0, used, i;
    int s;
    if (argc != 2 || (model = load(argv[1], &len)) == NULL) {
        fprintf(stderr, "usage: hb_api_test MODEL.tflite\n");
        return 2;
    }
    arena = (unsigned char *)malloc(1u << 24);

    /* Arguments. */
    CHECK(hb_interpreter_init(NULL, model, len, arena, 1u << 24) == HB_ERR_ARG);
    CHECK(hb_interpreter_init(&ip, NULL, len, arena, 1u << 24) == HB_ERR_ARG);
    CHECK(strlen(hb_interpreter_error(&ip)) > 0);
    CHECK(hb_interpreter_invoke(&ip) == HB_ERR_ARG);
    CHECK(hb_interpreter_input(&ip, 0, &in) == HB_ERR_ARG);
    CHECK(hb_interpreter_error(NULL) != NULL);
    for (s = HB_OK; s <= HB_ERR_INTERNAL; s++) {
        CHECK(strlen(hb_status_str((hb_status)s)) > 0);
    }

    /* A good init and its accessors. */
    CHECK(hb_interpreter_init(&ip, model, len, arena, 1u << 24) == HB_OK);
    CHECK(strcmp(hb_interpreter_error(&ip), "") == 0);
    used = hb_interpreter_arena_used(&ip);
    CHECK(used == hb_interpreter_arena_head(&ip) + hb_interpreter_arena_tail(&ip) + ip.arena_pad);
    CHECK(hb_interpreter_op_count(&ip) > 0);
    CHECK(strcmp(hb_interpreter_op_name(&ip, hb_interpreter_op_count(&ip)), "?") == 0);
    CHECK(hb_interpreter_input_count(&ip) == 1 && hb_interpreter_output_count(&ip) >= 1);
    CHECK(hb_interpreter_input(&ip, 0, &in) == HB_OK && in.type == HB_TYPE_INT8 && in.bytes > 0);
    CHECK(hb_interpreter_input(&ip, 1, &tmp) == HB_ERR_ARG);
    CHECK(hb_interpreter_output(&ip, 0, &out) == HB_OK && out.bytes > 0);
    CHECK(hb_interpreter_output(&ip, 99, &tmp) == HB_ERR_ARG);
    /* The input's memory may be reused once the graph has consumed it (as in TFLM), so the
     * input is written again before every invoke. */
    saved = (unsigned char *)malloc(in.bytes);
    for (i = 0; i < in.bytes; i++) {
        saved[i] = (unsigned char)(i * 37u);
    }
    memcpy(in.data, saved, in.bytes);

    /* Hook order: (0,0) (0,1) (1,0) (1,1) ... once per op and phase. */
    hb_interpreter_set_hook(&ip, hook, &log);
    CHECK(hb_interpreter_invoke(&ip) == HB_OK);
    CHECK(log.order_ok && log.calls == 2u * hb_interpreter_op_count(&ip));
    first = (unsigned char *)malloc(out.bytes);
    memcpy(first, out.data, out.bytes);
    hb_interpreter_set_hook(&ip, NULL, NULL);
    memcpy(in.data, saved, in.bytes);
    CHECK(hb_interpreter_invoke(&ip) == HB_OK);
    CHECK(memcmp(first, out.data, out.bytes) == 0); /* deterministic, no state between runs */

    /* Exactly the reported arena is enough (an aligned malloc needs no pad); one word less not. */
    exact = (unsigned char *)malloc(used);
    CHECK(hb_interpreter_init(&ip2, model, len, exact, used - ip.arena_pad) == HB_OK);
    CHECK(hb_interpreter_input(&ip2, 0, &tmp) == HB_OK);
    memcpy(tmp.data, saved, in.bytes);
    CHECK(hb_interpreter_invoke(&ip2) == HB_OK);
    CHECK(hb_interpreter_output(&ip2, 0, &tmp) == HB_OK && memcmp(first, tmp.data, out.bytes) == 0);
    CHECK(hb_interpreter_init(&ip2, model, len, exact, used - ip.arena_pad - 8) == HB_ERR_ARENA);
    CHECK(hb_interpreter_arena_used(&ip2) == used - ip.arena_pad);
    CHECK(strstr(hb_interpreter_error(&ip2), "arena") != NULL);
    CHECK(hb_interpreter_invoke(&ip2) == HB_ERR_ARG);

    /* A misaligned arena start is rounded up, and the pad is reported. */
    CHECK(hb_interpreter_init(&ip2, model, len, arena + 3, (1u << 24) - 3) == HB_OK);
    CHECK(hb_interpreter_arena_used(&ip2) == hb_interpreter_arena_head(&ip2) +
                                                 hb_interpreter_arena_tail(&ip2) + 13);

    free(saved);
    free(first);
    free(exact);
    free(arena);
    free(model);
    if (failures == 0) {
        printf("hb_api_test: all checks passed\n");
    }
    return failures == 0 ? 0 : 1;
}
