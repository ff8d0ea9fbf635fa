/*
 * hb_model.h - the app's view of "the model": set up, describe, invoke, profile.
 *
 * model_runtime.c implements it over firmware/runtime (hb_runtime.h); model_none.c is the
 * model-less TEST image used to check board support and the link before a runtime exists.
 */
#ifndef HB_MODEL_H
#define HB_MODEL_H

#include <stddef.h>
#include <stdint.h>

typedef struct hb_app_tensor {
    void *data;
    size_t bytes;
    int32_t dims[6];
    int ndims;
    int type;        /* TFLite TensorType code */
    float scale;
    int32_t zero_point;
} hb_app_tensor;

int hb_model_setup(void);               /* 0 on success */
const char *hb_model_status(void);      /* "ok", "no-model" or the runtime's error text */
const char *hb_model_kernels(void);     /* kernel path compiled in: "helium", "dsp", "c"; "none" without a runtime */
const uint8_t *hb_model_data(void);
size_t hb_model_bytes(void);
size_t hb_model_arena_size(void);
size_t hb_model_arena_used(void);
size_t hb_model_io_count(int output);
int hb_model_io(int output, size_t index, hb_app_tensor *out); /* 0 on success */
int hb_model_invoke(void);              /* 0 on success; hb_model_status() says why not */
size_t hb_model_op_count(void);
const char *hb_model_op_name(size_t index);
/* Per-op ticks of the next invocations: those of ops first..first+count-1 are added into
 * ticks[0..count) (NULL switches profiling off). */
void hb_model_profile(uint64_t *ticks, size_t first, size_t count);

#endif /* HB_MODEL_H */
