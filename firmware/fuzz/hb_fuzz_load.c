/*
 * libFuzzer target: model loading and one inference.
 *
 * The fuzzer's bytes are copied into a buffer of exactly their size (so ASan sees any read past
 * the model) and offered to hb_interpreter_init with a bounded arena; an accepted model is also
 * invoked once (inputs taken from the same bytes), so kernels meet every geometry that passes prepare.
 * Build: clang -fsanitize=fuzzer,address,undefined (see hil_bench.runtime.fuzz).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hb_runtime.h"

#define FUZZ_ARENA_BYTES (1u << 20)
#define FUZZ_INVOKE_MAX_HEAD (256u << 10) /* skip invoking big models: keeps exec/s high */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static hb_interpreter ip;
    static uint8_t arena[FUZZ_ARENA_BYTES];
    uint8_t *model = (uint8_t *)malloc(size ? size : 1);
    hb_status st;
    size_t i;
    if (model == NULL) {
        return 0;
    }
    memcpy(model, data, size);
    st = hb_interpreter_init(&ip, model, size, arena, sizeof arena);
    if (st == HB_OK && hb_interpreter_arena_head(&ip) <= FUZZ_INVOKE_MAX_HEAD) {
        hb_tensor_view v;
        for (i = 0; i < hb_interpreter_input_count(&ip); i++) {
            if (hb_interpreter_input(&ip, i, &v) == HB_OK) {
                size_t k;
                for (k = 0; k < v.bytes; k++) { /* inputs from the fuzzer's own bytes */
                    ((uint8_t *)v.data)[k] = data[(k * 31u + i) % size];
                }
            }
        }
        (void)hb_interpreter_invoke(&ip);
    } else if (st != HB_OK && hb_interpreter_error(&ip)[0] == '\0') {
        abort(); /* every refusal must say why */
    }
    free(model);
    return 0;
}
