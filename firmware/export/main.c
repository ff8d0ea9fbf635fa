/*
 * main.c - one inference of the exported model with the hil-bench runtime, its outputs printed over
 * the board's UART. Copied by `hil-bench export --project` (from firmware/export/main.c) next to the
 * generated model_data.c (the model as hil-bench stores it), input_data.c (the fixed input) and
 * hb_board_config.h (the board's numbers: UART, clock, arena size).
 *
 * Output, one line each: "hb-export kernels=PATH arena_used=BYTES", then per graph output
 * "output K type=T bytes=N: v0 v1 ..." (int8 as signed decimals, other types as hex bytes), then
 * "hb-export done". Exit code 0 (semihosting on simulators) or 1 after "hb-export error: ...".
 */
#include <string.h>

#include "hb_board_config.h"
#include "hb_bsp.h"
#include "hb_fmt.h"
#include "hb_runtime.h"
#include "input_data.h"
#include "model_data.h"

/* The arena in its own section: firmware.ld places it in the board's arena region. */
static uint8_t g_arena[HB_ARENA_SIZE] __attribute__((aligned(16), section(".hb_arena")));
static hb_interpreter g_ip;

static void fail(const char *what)
{
    hb_printf("hb-export error: %s: %s\r\n", what, hb_interpreter_error(&g_ip));
    hb_bsp_exit(1);
}

static void print_output(size_t index, const hb_tensor_view *v)
{
    size_t k;
    hb_printf("output %u type=%d bytes=%u:", (unsigned)index, v->type, (unsigned)v->bytes);
    for (k = 0; k < v->bytes; k++) {
        if (v->type == HB_TYPE_INT8) {
            hb_printf(" %d", (int)((const int8_t *)v->data)[k]);
        } else {
            hb_printf(" %02x", (unsigned)((const uint8_t *)v->data)[k]);
        }
    }
    hb_printf("\r\n");
}

int main(void)
{
    /* Compressed weights decoded as the harness's image decodes them (hb_board_config.h): in place by
     * default, the kernels reading palette and N:M weights straight from flash. */
    const hb_init_options options = {HB_APP_DECODE_MODE};
    hb_tensor_view v;
    size_t i, offset = 0;
    hb_bsp_init();
    if (hb_interpreter_init_ex(&g_ip, g_model, g_model_len, g_arena, sizeof g_arena, &options) != HB_OK) {
        fail("init");
    }
    /* The inputs are written before every invoke: the runtime may reuse their memory. */
    for (i = 0; i < hb_interpreter_input_count(&g_ip); i++) {
        if (hb_interpreter_input(&g_ip, i, &v) != HB_OK || offset + v.bytes > g_input_len) {
            fail("input");
        }
        memcpy(v.data, g_input + offset, v.bytes);
        offset += v.bytes;
    }
    if (hb_interpreter_invoke(&g_ip) != HB_OK) {
        fail("invoke");
    }
    hb_printf("hb-export kernels=%s arena_used=%u\r\n", hb_runtime_kernel_path(),
              (unsigned)hb_interpreter_arena_used(&g_ip));
    for (i = 0; i < hb_interpreter_output_count(&g_ip); i++) {
        if (hb_interpreter_output(&g_ip, i, &v) != HB_OK) {
            fail("output");
        }
        print_output(i, &v);
    }
    hb_printf("hb-export done\r\n");
    hb_bsp_exit(0);
}
