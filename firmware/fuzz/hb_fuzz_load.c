/*
 * libFuzzer target: model loading and one inference.
 *
 * The fuzzer's bytes are copied into a buffer of exactly their size (so ASan sees any read past
 * the model) and offered to hb_interpreter_init with a bounded arena; an accepted model is also
 * invoked once with zero inputs, so kernels meet every geometry that passes prepare.
 * Build: clang -fsanitize=fuzzer,address,undefined (see hil_bench.runtime.fuzz).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hb_runtime.h"

#define FUZZ_ARENA_BYTES (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static hb_interpreter ip;
    static uint8_t arena[FUZZ_ARENA_BYTES];
    uint8_t *model = (uint8_t *)malloc(size ? size : 1);
    size_t i;
    if (model == NULL) {
        return 0;
    }
    memcpy(model, data, size);
    if (hb_interpreter_init(&ip, model, size, arena, sizeof arena) == HB_OK) {
        hb_tensor_view v;
        for (i = 0; i < hb_interpreter_input_count(&ip); i++) {
            if (hb_interpreter_input(&ip, i, &v) == HB_OK) {
                memset(v.data, 0, v.bytes);
            }
        }
        (void)hb_interpreter_invoke(&ip);
    } else if (hb_interpreter_error(&ip)[0] == '\0') {
        abort(); /* every refusal must say why */
    }
    free(model);
    return 0;
}
