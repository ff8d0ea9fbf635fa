/*
 * model_none.c - TEST IMAGE ONLY: no model, no runtime. Answers the protocol with "no-model" so
 * board support, timer and link can be tested on their own. Never used for a benchmark number.
 */
#include "hb_model.h"

int hb_model_setup(void) { return -1; }
const char *hb_model_status(void) { return "no-model"; }
const char *hb_model_kernels(void) { return "none"; }
const uint8_t *hb_model_data(void) { return (const uint8_t *)0; }
size_t hb_model_bytes(void) { return 0u; }
size_t hb_model_arena_size(void) { return 0u; }
size_t hb_model_arena_used(void) { return 0u; }
size_t hb_model_io_count(int output) { (void)output; return 0u; }
int hb_model_io(int output, size_t index, hb_app_tensor *out) { (void)output; (void)index; (void)out; return -1; }
int hb_model_invoke(void) { return -1; }
size_t hb_model_op_count(void) { return 0u; }
const char *hb_model_op_name(size_t index) { (void)index; return "none"; }
void hb_model_profile(uint64_t *ticks, size_t first, size_t count) { (void)ticks; (void)first; (void)count; }
