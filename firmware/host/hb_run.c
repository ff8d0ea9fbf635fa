/*
 * hb_run - host command-line runner for the hil-bench runtime (tests, the `host` board, fuzz
 * triage).
 *
 *   hb_run --info MODEL                      JSON: arena bytes (total/head/tail), ops, I/O tensors
 *   hb_run MODEL INPUTS.bin OUTPUTS.bin [N]  runs N inferences; INPUTS.bin holds N concatenated
 *                                            raw inputs (all graph inputs, in order, per sample),
 *                                            OUTPUTS.bin receives N concatenated raw outputs.
 *   hb_run --check MODEL                     only init; exit 0 if the model is accepted
 *   hb_run --ops                             JSON: the runtime's operator table, every row with
 *                                            its types and kernel paths (hil-bench ops, fits)
 *   --arena BYTES (first argument)           arena size to offer (default 64 MiB)
 *   --profile (first argument)               with a run: JSON on stdout with wall-clock ns per
 *                                            inference and per operator (summed over inferences),
 *                                            measured through the runtime's per-op hook
 *   --decode-per-layer (after those two)     decode TFLM_DECODE tensors at every invoke
 *                                            (HB_DECODE_PER_LAYER) instead of once at init
 *   --decode-in-place (same place)           weights the kernels read in place stay encoded
 *                                            (HB_DECODE_IN_PLACE)
 * Exit status: 0 ok, 2 usage or I/O error, 3 + hb_status on a runtime refusal.
 * Errors go to stderr as "hb_run: <status>: <message>".
 */
#define _POSIX_C_SOURCE 199309L /* clock_gettime */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>

#include "hb_runtime.h"
#include "internal/hb_op.h"

typedef struct profile {
    unsigned long long op_ns[HB_MAX_OPS];
    unsigned long long started;
} profile;

static unsigned long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

/* The per-operator hook: time between "before" and "after" of each op. */
static void profile_hook(void *ctx, uint32_t op, int end)
{
    profile *p = (profile *)ctx;
    if (!end) {
        p->started = now_ns();
    } else if (op < HB_MAX_OPS) {
        p->op_ns[op] += now_ns() - p->started;
    }
}

#define ARENA_BYTES (64u * 1024u * 1024u)

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long n;
    if (f == NULL) {
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    /* Exactly n bytes (no slack), so ASan sees any read past the model's end. */
    buf = (unsigned char *)malloc(n > 0 ? (size_t)n : 1u);
    if (buf != NULL && n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void print_view(const hb_tensor_view *v)
{
    int k;
    printf("{\"type\": %d, \"bytes\": %lu, \"scale\": %.9g, \"zero_point\": %ld, \"shape\": [",
           v->type, (unsigned long)v->bytes, (double)v->scale, (long)v->zero_point);
    for (k = 0; k < v->ndims; k++) {
        printf("%s%ld", k ? ", " : "", (long)v->dims[k]);
    }
    printf("]}");
}

static int info(hb_interpreter *ip)
{
    size_t i;
    hb_tensor_view v;
    printf("{\"arena_bytes\": %lu, \"arena_head_bytes\": %lu, \"arena_tail_bytes\": %lu,\n",
           (unsigned long)hb_interpreter_arena_used(ip), (unsigned long)hb_interpreter_arena_head(ip),
           (unsigned long)hb_interpreter_arena_tail(ip));
    printf(" \"ops\": [");
    for (i = 0; i < hb_interpreter_op_count(ip); i++) {
        printf("%s\"%s\"", i ? ", " : "", hb_interpreter_op_name(ip, i));
    }
    printf("],\n \"inputs\": [");
    for (i = 0; i < hb_interpreter_input_count(ip); i++) {
        printf("%s", i ? ", " : "");
        hb_interpreter_input(ip, i, &v);
        print_view(&v);
    }
    printf("],\n \"outputs\": [");
    for (i = 0; i < hb_interpreter_output_count(ip); i++) {
        printf("%s", i ? ", " : "");
        hb_interpreter_output(ip, i, &v);
        print_view(&v);
    }
    printf("]}\n");
    return 0;
}

static int run(hb_interpreter *ip, const char *in_path, const char *out_path, long n, profile *prof)
{
    size_t in_len = 0, per_in = 0, per_out = 0, i;
    unsigned char *inputs = read_file(in_path, &in_len);
    FILE *fo;
    hb_tensor_view v;
    long s;
    if (inputs == NULL) {
        fprintf(stderr, "hb_run: cannot read %s\n", in_path);
        return 2;
    }
    for (i = 0; i < hb_interpreter_input_count(ip); i++) {
        hb_interpreter_input(ip, i, &v);
        per_in += v.bytes;
    }
    for (i = 0; i < hb_interpreter_output_count(ip); i++) {
        hb_interpreter_output(ip, i, &v);
        per_out += v.bytes;
    }
    if (n < 0) {
        n = per_in ? (long)(in_len / per_in) : 0;
    }
    if (per_in == 0 || in_len != per_in * (size_t)n) {
        fprintf(stderr, "hb_run: %s has %lu bytes, expected %ld samples of %lu bytes\n", in_path,
                (unsigned long)in_len, n, (unsigned long)per_in);
        free(inputs);
        return 2;
    }
    fo = fopen(out_path, "wb");
    if (fo == NULL) {
        fprintf(stderr, "hb_run: cannot write %s\n", out_path);
        free(inputs);
        return 2;
    }
    for (s = 0; s < n; s++) {
        size_t off = (size_t)s * per_in;
        hb_status st;
        for (i = 0; i < hb_interpreter_input_count(ip); i++) {
            hb_interpreter_input(ip, i, &v);
            memcpy(v.data, inputs + off, v.bytes);
            off += v.bytes;
        }
        if (prof != NULL) {
            unsigned long long t0 = now_ns();
            st = hb_interpreter_invoke(ip);
            printf("%s%llu", s ? ", " : "{\"invoke_ns\": [", now_ns() - t0);
        } else {
            st = hb_interpreter_invoke(ip);
        }
        if (st != HB_OK) {
            fprintf(stderr, "hb_run: %s: invoke failed: %s\n", hb_status_str(st),
                    hb_interpreter_error(ip));
            fclose(fo);
            free(inputs);
            return 3 + (int)st;
        }
        for (i = 0; i < hb_interpreter_output_count(ip); i++) {
            hb_interpreter_output(ip, i, &v);
            if (fwrite(v.data, 1, v.bytes, fo) != v.bytes) {
                fprintf(stderr, "hb_run: write failed\n");
                fclose(fo);
                free(inputs);
                return 2;
            }
        }
    }
    free(inputs);
    if (prof != NULL) {
        printf("%s], \"op_ns\": [", n > 0 ? "" : "{\"invoke_ns\": [");
        for (i = 0; i < hb_interpreter_op_count(ip); i++) {
            printf("%s{\"op\": \"%s\", \"ns\": %llu}", i ? ", " : "", hb_interpreter_op_name(ip, i),
                   prof->op_ns[i]);
        }
        printf("]}\n");
    }
    return fclose(fo) == 0 ? 0 : 2;
}

/* The op table as JSON: per row its name, whether it is a custom code, the types its prepare
 * accepts and its kernel paths (plain C always; DSP and Helium from the path headers). */
static int ops(void)
{
    static const struct {
        uint32_t flag;
        const char *name;
    } types[] = {{HB_ROW_T_INT8, "int8"},
                 {HB_ROW_T_FLOAT32_INT8, "float32->int8"},
                 {HB_ROW_T_INT8_FLOAT32, "int8->float32"},
                 {HB_ROW_T_ANY, "any"}};
    const hb_op_row *row;
    uint32_t i, t;
    printf("{\"ops\": [");
    for (i = 0; (row = hb_op_row_at(i)) != NULL; i++) {
        const char *sep = "";
        printf("%s\n {\"name\": \"%s\", \"custom\": %s, \"types\": [", i ? "," : "", row->name,
               row->builtin == HB_BUILTIN_CUSTOM ? "true" : "false");
        for (t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
            if (row->flags & types[t].flag) {
                printf("%s\"%s\"", sep, types[t].name);
                sep = ", ";
            }
        }
        printf("], \"paths\": [\"c\"%s%s]}", (row->flags & HB_ROW_PATH_DSP) ? ", \"dsp\"" : "",
               (row->flags & HB_ROW_PATH_MVE) ? ", \"helium\"" : "");
    }
    printf("\n]}\n");
    return 0;
}

int main(int argc, char **argv)
{
    static hb_interpreter ip;
    static profile prof;
    int profiling = 0;
    const char *model_path;
    unsigned char *model, *arena;
    size_t model_len = 0;
    hb_status st;
    int mode_info = 0, mode_check = 0, rc;
    unsigned long arena_bytes = ARENA_BYTES;
    hb_init_options options = {HB_DECODE_AT_INIT};
    if (argc == 2 && strcmp(argv[1], "--ops") == 0) {
        return ops();
    }
    if (argc >= 2 && strcmp(argv[1], "--profile") == 0) {
        profiling = 1;
        argc -= 1;
        argv += 1;
    }
    if (argc >= 3 && strcmp(argv[1], "--arena") == 0) {
        arena_bytes = strtoul(argv[2], NULL, 10);
        if (arena_bytes == 0 || arena_bytes > 1024ul * 1024ul * 1024ul) {
            fprintf(stderr, "hb_run: --arena takes 1 .. 1 GiB\n");
            return 2;
        }
        argc -= 2;
        argv += 2;
    }
    if (argc >= 2 && strcmp(argv[1], "--decode-per-layer") == 0) {
        options.decode = HB_DECODE_PER_LAYER;
        argc -= 1;
        argv += 1;
    } else if (argc >= 2 && strcmp(argv[1], "--decode-in-place") == 0) {
        options.decode = HB_DECODE_IN_PLACE;
        argc -= 1;
        argv += 1;
    }
    if (argc == 3 && strcmp(argv[1], "--info") == 0) {
        mode_info = 1;
    } else if (argc == 3 && strcmp(argv[1], "--check") == 0) {
        mode_check = 1;
    } else if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: hb_run --ops | [--profile] [--arena BYTES] [--decode-per-layer | --decode-in-place] "
                        "--info MODEL | --check MODEL | MODEL INPUTS.bin OUTPUTS.bin [N]\n");
        return 2;
    }
    model_path = (mode_info || mode_check) ? argv[2] : argv[1];
    model = read_file(model_path, &model_len);
    if (model == NULL) {
        fprintf(stderr, "hb_run: cannot read %s\n", model_path);
        return 2;
    }
    arena = (unsigned char *)malloc(arena_bytes);
    if (arena == NULL) {
        fprintf(stderr, "hb_run: out of memory\n");
        free(model);
        return 2;
    }
    st = hb_interpreter_init_ex(&ip, model, model_len, arena, arena_bytes, &options);
    if (st != HB_OK) {
        fprintf(stderr, "hb_run: %s: %s\n", hb_status_str(st), hb_interpreter_error(&ip));
        if (st == HB_ERR_ARENA && hb_interpreter_arena_used(&ip) > 0) {
            fprintf(stderr, "hb_run: needed arena bytes: %lu\n",
                    (unsigned long)hb_interpreter_arena_used(&ip));
        }
        rc = 3 + (int)st;
    } else if (mode_check) {
        rc = 0;
    } else if (mode_info) {
        rc = info(&ip);
    } else {
        if (profiling) {
            hb_interpreter_set_hook(&ip, profile_hook, &prof);
        }
        rc = run(&ip, argv[2], argv[3], argc == 5 ? strtol(argv[4], NULL, 10) : -1,
                 profiling ? &prof : NULL);
    }
    free(arena);
    free(model);
    return rc;
}
