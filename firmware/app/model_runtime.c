/*
 * model_runtime.c - hb_model.h over the hil-bench int8 runtime (firmware/runtime, hb_runtime.h).
 *
 * The model array g_model[] comes from the generated model_data.c and stays in flash; the arena is a
 * static buffer in its own section (.hb_arena) so the linker script can place it in the board's arena
 * region and the build can report its size.
 *
 * Compressed (TFLM_DECODE) tensors are decoded as the board config's HB_APP_DECODE_MODE says:
 * HB_DECODE_IN_PLACE (hil-bench's default: weights the kernels read in place stay encoded in flash, no
 * RAM copy), HB_DECODE_PER_LAYER (decode at every invoke; the per-op profile then shows the decode time
 * of every DECODE operator) or HB_DECODE_AT_INIT (once at init into the arena).
 */
#include <string.h>

#include "hb_board_config.h"
#include "hb_bsp.h"
#include "hb_model.h"
#include "hb_runtime.h"

extern const unsigned char g_model[];
extern const unsigned int g_model_len;

static uint8_t g_arena[HB_ARENA_SIZE] __attribute__((aligned(16), section(".hb_arena")));
static hb_interpreter g_ip;
static int g_ready;
static const char *g_status = "not-initialised";

static uint64_t *g_prof;
static size_t g_prof_first, g_prof_count;
static uint64_t g_op_start;

static void op_hook(void *ctx, uint32_t op_index, int end)
{
    (void)ctx;
    uint64_t now = hb_timer_ticks();
    if (!end) {
        g_op_start = now;
    } else if (g_prof && op_index >= g_prof_first && op_index - g_prof_first < g_prof_count) {
        g_prof[op_index - g_prof_first] += now - g_op_start;
    }
}

#ifndef HB_APP_DECODE_MODE
#define HB_APP_DECODE_MODE HB_DECODE_AT_INIT
#endif /* HB_APP_DECODE_MODE */

int hb_model_setup(void)
{
    const hb_init_options options = {HB_APP_DECODE_MODE};
    hb_status s = hb_interpreter_init_ex(&g_ip, g_model, g_model_len, g_arena, sizeof g_arena, &options);
    if (s != HB_OK) {
        const char *e = hb_interpreter_error(&g_ip);
        g_status = (e && *e) ? e : hb_status_str(s);
        return -1;
    }
    g_ready = 1;
    g_status = "ok";
    return 0;
}

const char *hb_model_status(void) { return g_status; }
const char *hb_model_kernels(void) { return hb_runtime_kernel_path(); }
const uint8_t *hb_model_data(void) { return g_model; }
size_t hb_model_bytes(void) { return g_model_len; }
size_t hb_model_arena_size(void) { return sizeof g_arena; }
size_t hb_model_arena_used(void) { return g_ready ? hb_interpreter_arena_used(&g_ip) : 0u; }

size_t hb_model_io_count(int output)
{
    if (!g_ready) return 0u;
    return output ? hb_interpreter_output_count(&g_ip) : hb_interpreter_input_count(&g_ip);
}

int hb_model_io(int output, size_t index, hb_app_tensor *out)
{
    hb_tensor_view v;
    if (!g_ready) return -1;
    hb_status s = output ? hb_interpreter_output(&g_ip, index, &v) : hb_interpreter_input(&g_ip, index, &v);
    if (s != HB_OK) return -1;
    out->data = v.data;
    out->bytes = v.bytes;
    out->ndims = v.ndims < 0 ? 0 : (v.ndims > 6 ? 6 : v.ndims);
    memcpy(out->dims, v.dims, sizeof out->dims);
    out->type = v.type;
    out->scale = v.scale;
    out->zero_point = v.zero_point;
    return 0;
}

int hb_model_invoke(void)
{
    if (!g_ready) return -1;
    hb_status s = hb_interpreter_invoke(&g_ip);
    if (s != HB_OK) {
        const char *e = hb_interpreter_error(&g_ip);
        g_status = (e && *e) ? e : hb_status_str(s);
        return -1;
    }
    return 0;
}

size_t hb_model_op_count(void) { return g_ready ? hb_interpreter_op_count(&g_ip) : 0u; }

const char *hb_model_op_name(size_t index)
{
    const char *n = g_ready ? hb_interpreter_op_name(&g_ip, index) : 0;
    return n ? n : "?";
}

void hb_model_profile(uint64_t *ticks, size_t first, size_t count)
{
    g_prof = ticks;
    g_prof_first = first;
    g_prof_count = count;
    if (g_ready) hb_interpreter_set_hook(&g_ip, ticks ? op_hook : (hb_op_hook)0, (void *)0);
}
