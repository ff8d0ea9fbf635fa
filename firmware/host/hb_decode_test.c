/*
 * hb_decode_test.c - host harness for the DECODE tensor decoders (internal/hb_decode.h).
 *
 *   hb_decode_test [--expect-error] [--scratch fast|min|short] ANC ENC EXPECTED ELEM_BYTES DIM...
 *   hb_decode_test --batch LIST     one case per line: ok|fail fast|min|short ANC ENC EXPECTED|- ELEM DIM...
 *   hb_decode_test --self-test      CRC-32 check value and argument checks
 *
 * Every buffer is malloc'ed at its exact size so that AddressSanitizer sees any overread; "min"
 * scratch is deliberately misaligned by one byte. A case passes when the decoder returns HB_OK and
 * the output equals EXPECTED byte for byte ("ok"), or returns a non-OK status ("fail").
 * Prints one line per case; exit status 0 when every case passed, 1 otherwise, 2 on usage/IO errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal/hb_decode.h"

#define MAX_LINE 4096
#define MAX_TOKENS (6 + HB_MAX_DIMS)

/* The harness links only the decoders, not the interpreter core, so it names statuses itself. */
static const char *hb_status_name(hb_status st)
{
    switch (st) {
    case HB_OK: return "HB_OK";
    case HB_ERR_ARG: return "HB_ERR_ARG";
    case HB_ERR_MODEL: return "HB_ERR_MODEL";
    case HB_ERR_UNSUPPORTED: return "HB_ERR_UNSUPPORTED";
    case HB_ERR_ARENA: return "HB_ERR_ARENA";
    case HB_ERR_INTERNAL: return "HB_ERR_INTERNAL";
    }
    return "?";
}

static int read_file(const char *path, uint8_t **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    long size;
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        if (f != NULL) {
            fclose(f);
        }
        fprintf(stderr, "cannot read %s\n", path);
        return -1;
    }
    *len = (size_t)size;
    *data = (uint8_t *)malloc(*len != 0u ? *len : 1u);
    if (*data == NULL || fread(*data, 1u, *len, f) != *len) {
        fclose(f);
        free(*data);
        fprintf(stderr, "cannot read %s\n", path);
        return -1;
    }
    fclose(f);
    return 0;
}

/* Returns 1 when the case passed, 0 when it failed, -1 on an IO or usage error. */
static int run_case(int expect_error, const char *scratch_mode, char **args, int nargs, int number)
{
    uint8_t *anc = NULL, *enc = NULL, *want = NULL, *scratch_block = NULL;
    int8_t *out = NULL;
    size_t anc_len = 0, enc_len = 0, want_len = 0, out_len, min_bytes = 0, fast_bytes = 0, scratch_len = 0;
    void *scratch = NULL;
    hb_decode_shape shape;
    hb_status st;
    int i, result = -1;

    if (nargs < 4 || nargs - 4 > HB_MAX_DIMS) {
        fprintf(stderr, "case %d: need ANC ENC EXPECTED ELEM_BYTES DIM...\n", number);
        return -1;
    }
    memset(&shape, 0, sizeof shape);
    shape.elem_bytes = (uint32_t)strtoul(args[3], NULL, 10);
    shape.ndims = nargs - 4;
    out_len = shape.elem_bytes;
    for (i = 0; i < shape.ndims; ++i) {
        shape.dims[i] = (int32_t)strtol(args[4 + i], NULL, 10);
        out_len *= (size_t)shape.dims[i];
    }
    if (read_file(args[0], &anc, &anc_len) != 0 || read_file(args[1], &enc, &enc_len) != 0 ||
        (strcmp(args[2], "-") != 0 && read_file(args[2], &want, &want_len) != 0)) {
        goto done;
    }
    out = (int8_t *)malloc(out_len != 0u ? out_len : 1u);
    if (out == NULL) {
        goto done;
    }
    memset(out, 0x5A, out_len);
    st = hb_decode_scratch_bytes(anc, anc_len, &min_bytes, &fast_bytes);
    if (st == HB_OK) {
        if (strcmp(scratch_mode, "fast") == 0) {
            scratch_len = fast_bytes;
            scratch_block = (uint8_t *)malloc(scratch_len + 1u);
            scratch = scratch_block;
        } else if (strcmp(scratch_mode, "min") == 0) {
            scratch_len = min_bytes;
            scratch_block = (uint8_t *)malloc(scratch_len + 1u);
            scratch = scratch_block + 1; /* misaligned on purpose */
        } else if (strcmp(scratch_mode, "short") == 0) {
            scratch_len = min_bytes > 4u ? min_bytes - 4u : 0u;
            scratch_block = (uint8_t *)malloc(scratch_len + 1u);
            scratch = scratch_len != 0u ? scratch_block : NULL;
        } else {
            fprintf(stderr, "case %d: unknown scratch mode %s\n", number, scratch_mode);
            goto done;
        }
        if (scratch_block == NULL) {
            goto done;
        }
        if (scratch_len == 0u) {
            scratch = NULL;
        }
    }
    st = hb_decode_tensor(anc, anc_len, enc, enc_len, &shape, out, out_len, scratch, scratch_len);
    if (expect_error) {
        result = st != HB_OK;
        printf("case %d: status %d (%s) %s\n", number, (int)st, hb_status_name(st),
               result ? "refused as expected" : "ACCEPTED A BAD TENSOR");
    } else if (st != HB_OK) {
        result = 0;
        printf("case %d: status %d (%s) FAILED\n", number, (int)st, hb_status_name(st));
    } else if (want == NULL || want_len != out_len || memcmp(want, out, out_len) != 0) {
        size_t k = 0;
        while (want != NULL && k < out_len && k < want_len && want[k] == (uint8_t)out[k]) {
            ++k;
        }
        result = 0;
        printf("case %d: MISMATCH at byte %zu (expected %zu bytes, decoded %zu)\n", number, k, want_len, out_len);
    } else {
        result = 1;
        printf("case %d: ok, %zu bytes match\n", number, out_len);
    }
done:
    free(anc);
    free(enc);
    free(want);
    free(out);
    free(scratch_block);
    return result;
}

static int check(int ok, const char *what)
{
    printf("%s: %s\n", ok ? "pass" : "FAIL", what);
    return ok ? 0 : 1;
}

static int self_test(void)
{
    static const uint8_t digits[9] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
    /* a valid per-tensor LUT: 2 values, 1-bit indices 1,0,1 -> 0xA0 */
    uint8_t lut[18] = {0, 1, 0, 0, 1, 0xF1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, (uint8_t)-3, 7};
    const uint8_t idx[1] = {0xA0};
    int8_t out[3] = {0, 0, 0};
    uint8_t other[16] = {77, 1};
    hb_decode_shape shape;
    size_t min_bytes = 1, fast_bytes = 1;
    int bad = 0;

    memset(&shape, 0, sizeof shape);
    shape.ndims = 1;
    shape.dims[0] = 3;
    shape.elem_bytes = 1;
    bad += check(hb_decode_crc32(0u, digits, 9u) == 0xCBF43926u, "CRC-32 check value of \"123456789\"");
    bad += check(hb_decode_crc32(hb_decode_crc32(0u, digits, 4u), digits + 4, 5u) == 0xCBF43926u,
                 "CRC-32 chained over two pieces");
    bad += check(hb_decode_tensor(lut, sizeof lut, idx, 1u, &shape, out, 3u, NULL, 0u) == HB_OK &&
                     out[0] == 7 && out[1] == -3 && out[2] == 7, "LUT 3 x 1 bit decodes 7 -3 7");
    bad += check(hb_decode_scratch_bytes(lut, sizeof lut, &min_bytes, &fast_bytes) == HB_OK &&
                     min_bytes == 0u && fast_bytes == 0u, "LUT needs no scratch");
    bad += check(hb_decode_tensor(lut, sizeof lut, idx, 1u, &shape, out, 2u, NULL, 0u) == HB_ERR_ARG,
                 "out_len not the tensor size -> HB_ERR_ARG");
    bad += check(hb_decode_tensor(NULL, 0u, idx, 1u, &shape, out, 3u, NULL, 0u) == HB_ERR_ARG,
                 "NULL ancillary -> HB_ERR_ARG");
    bad += check(hb_decode_tensor(lut, sizeof lut, idx, 1u, NULL, out, 3u, NULL, 0u) == HB_ERR_ARG,
                 "NULL shape -> HB_ERR_ARG");
    bad += check(hb_decode_tensor(lut, 15u, idx, 1u, &shape, out, 3u, NULL, 0u) == HB_ERR_MODEL,
                 "ancillary shorter than the DCM -> HB_ERR_MODEL");
    bad += check(hb_decode_tensor(other, sizeof other, idx, 1u, &shape, out, 3u, NULL, 0u) == HB_ERR_UNSUPPORTED &&
                     hb_decode_scratch_bytes(other, sizeof other, &min_bytes, &fast_bytes) == HB_ERR_UNSUPPORTED,
                 "decode type 77 -> HB_ERR_UNSUPPORTED");
    shape.elem_bytes = 3;
    bad += check(hb_decode_tensor(lut, sizeof lut, idx, 1u, &shape, out, 9u, NULL, 0u) == HB_ERR_UNSUPPORTED,
                 "3-byte elements -> HB_ERR_UNSUPPORTED");
    shape.elem_bytes = 1;
    shape.dims[0] = -3;
    bad += check(hb_decode_tensor(lut, sizeof lut, idx, 1u, &shape, out, 3u, NULL, 0u) == HB_ERR_ARG,
                 "negative dimension -> HB_ERR_ARG");
    shape.dims[0] = 3;
    lut[6] = 1; /* stride 1: index 1 is out of range, and the tables are one byte too long */
    bad += check(hb_decode_tensor(lut, sizeof lut, idx, 1u, &shape, out, 3u, NULL, 0u) == HB_ERR_MODEL,
                 "LUT tables longer than channels x stride -> HB_ERR_MODEL");
    lut[6] = 2;
    lut[5] = 0x01; /* axis 0 of a rank-1 tensor: 3 channels need 6 table bytes */
    bad += check(hb_decode_tensor(lut, sizeof lut, idx, 1u, &shape, out, 3u, NULL, 0u) == HB_ERR_MODEL,
                 "LUT per-channel tables missing -> HB_ERR_MODEL");
    lut[5] = 0x21; /* axis 2 of a rank-1 tensor */
    bad += check(hb_decode_tensor(lut, sizeof lut, idx, 1u, &shape, out, 3u, NULL, 0u) == HB_ERR_MODEL,
                 "LUT axis beyond the rank -> HB_ERR_MODEL");
    printf("%s\n", bad == 0 ? "self-test passed" : "SELF-TEST FAILED");
    return bad == 0 ? 0 : 1;
}

static int run_batch(const char *list)
{
    char line[MAX_LINE];
    FILE *f = fopen(list, "r");
    int number = 0, failed = 0, errors = 0;
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", list);
        return 2;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        char *tokens[MAX_TOKENS];
        int n = 0, r;
        char *tok = strtok(line, " \t\r\n");
        while (tok != NULL && n < MAX_TOKENS) {
            tokens[n++] = tok;
            tok = strtok(NULL, " \t\r\n");
        }
        if (n == 0) {
            continue;
        }
        if (n < 6 || tok != NULL || (strcmp(tokens[0], "ok") != 0 && strcmp(tokens[0], "fail") != 0)) {
            fprintf(stderr, "case %d: bad line in %s\n", number, list);
            errors++;
            number++;
            continue;
        }
        r = run_case(strcmp(tokens[0], "fail") == 0, tokens[1], tokens + 2, n - 2, number++);
        if (r < 0) {
            errors++;
        } else if (r == 0) {
            failed++;
        }
    }
    fclose(f);
    printf("%d cases, %d failed, %d errors\n", number, failed, errors);
    return errors != 0 ? 2 : failed != 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
    int expect_error = 0, a = 1, r;
    const char *scratch_mode = "fast";
    if (argc == 2 && strcmp(argv[1], "--self-test") == 0) {
        return self_test();
    }
    if (argc == 3 && strcmp(argv[1], "--batch") == 0) {
        return run_batch(argv[2]);
    }
    for (; a < argc && strncmp(argv[a], "--", 2) == 0; ++a) {
        if (strcmp(argv[a], "--expect-error") == 0) {
            expect_error = 1;
        } else if (strcmp(argv[a], "--scratch") == 0 && a + 1 < argc) {
            scratch_mode = argv[++a];
        } else {
            fprintf(stderr, "unknown option %s\n", argv[a]);
            return 2;
        }
    }
    r = run_case(expect_error, scratch_mode, argv + a, argc - a, 0);
    return r < 0 ? 2 : r == 1 ? 0 : 1;
}
