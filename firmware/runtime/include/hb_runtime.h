/*
 * hb_runtime.h - hil-bench int8 TFLite interpreter: public API.
 *
 * Runs a standard .tflite flatbuffer in place (zero copy: weights are read straight from the model
 * bytes, e.g. in flash) with int8 reference kernels that are bit-exact with TensorFlow Lite Micro's
 * reference kernels. No malloc and no global mutable state: everything lives in the caller's
 * hb_interpreter struct and arena. The model is untrusted input: every offset, length and index is
 * checked at hb_interpreter_init(), which refuses what it cannot run with a status and a message.
 *
 * Arena layout: [ head: activation tensors, planned by lifetime | ... | tail: persistent state ].
 * The head also holds each operator's kernel scratch, alive during that operator only.
 * The tail holds the tensor and operator tables, per-channel multipliers and folded biases; it
 * uses only fixed-width fields, so its size is the same on a 32-bit MCU and a 64-bit host.
 *
 * Compressed models (TFLite Micro's DECODE operator, custom code "TFLM_DECODE", decode type 0 =
 * LUT and 200 = hil-bench's codec) are decoded in one of two modes (hb_init_options.decode):
 *   HB_DECODE_AT_INIT (default): every decoded tensor is decoded once at init into the tail; the
 *     decoder's scratch is borrowed from the head during init only, and the DECODE operators do
 *     nothing at invoke. A tensor that fails to decode (corrupt data, bad checksum) fails the init
 *     with HB_ERR_MODEL and a message naming it.
 *   HB_DECODE_PER_LAYER: decoded tensors are head tensors living from their DECODE operator to
 *     their last consumer, decoded at every invoke (the decoder's scratch is planned in the head):
 *     less RAM, more time.
 *     A tensor that fails to decode makes hb_interpreter_invoke() fail the same way.
 *   HB_DECODE_IN_PLACE: a decoded tensor that only feeds the weight input of CONV_2D,
 *     DEPTHWISE_CONV_2D or FULLY_CONNECTED and is stored in a form those kernels read (LUT type 0 =
 *     palette, hil-bench N:M type 202) is never decoded: the kernels read it straight from the
 *     model, one output channel at a time, with at most one channel's weights (palette) or 9 bytes
 *     per stored N:M entry of one channel as planned scratch; its DECODE operator does nothing.
 *     Every other decoded tensor is decoded at init as in HB_DECODE_AT_INIT.
 */
#ifndef HB_RUNTIME_H
#define HB_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Explicit limits; a model that exceeds one is refused with HB_ERR_UNSUPPORTED and says which. */
#define HB_MAX_DIMS 6          /* tensor rank */
#define HB_MAX_IO 8            /* graph inputs / outputs */
#define HB_MAX_OPS 4096        /* operators in the subgraph */
#define HB_MAX_TENSORS 8192    /* tensors in the subgraph */
#define HB_MAX_OP_INPUTS 32    /* inputs of one operator (CONCATENATION) */
#define HB_ERROR_LEN 160       /* bytes of the error message, including the NUL */
#define HB_ARENA_ALIGN 16u     /* the arena start is rounded up to this */

typedef enum hb_status {
    HB_OK = 0,
    HB_ERR_ARG,         /* a NULL pointer, an index out of range, a call before a successful init */
    HB_ERR_MODEL,       /* a malformed or inconsistent model */
    HB_ERR_UNSUPPORTED, /* a valid model using an op, type or feature this runtime does not run */
    HB_ERR_ARENA,       /* the arena is too small (the message says how much is needed) */
    HB_ERR_INTERNAL     /* a bug in the runtime */
} hb_status;

/* TFLite TensorType values used in hb_tensor_view.type. */
#define HB_TYPE_FLOAT32 0
#define HB_TYPE_INT32 2
#define HB_TYPE_INT8 9

const char *hb_status_str(hb_status s);
/* The kernel path this build compiled: "helium", "dsp" or "c" (see internal/hb_kpath.h). */
const char *hb_runtime_kernel_path(void);

/* A view of a graph input or output: data points into the arena, valid until the next init.
 * As in TFLM, an input's memory may be reused by later operators: write the inputs before every
 * hb_interpreter_invoke(), read the outputs after it. */
typedef struct hb_tensor_view {
    void *data;
    size_t bytes;
    int32_t dims[HB_MAX_DIMS];
    int ndims;
    int type; /* TFLite TensorType, e.g. HB_TYPE_INT8 */
    float scale;
    int32_t zero_point;
} hb_tensor_view;

/* Where TFLM_DECODE tensors are decoded; see the arena layout above. */
typedef enum hb_decode_mode {
    HB_DECODE_AT_INIT = 0,
    HB_DECODE_PER_LAYER = 1,
    HB_DECODE_IN_PLACE = 2
} hb_decode_mode;

/* Options of hb_interpreter_init_ex(); zero-initialised means the defaults of hb_interpreter_init(). */
typedef struct hb_init_options {
    hb_decode_mode decode;
} hb_init_options;

/* Called before (end = 0) and after (end = 1) each operator of hb_interpreter_invoke(). */
typedef void (*hb_op_hook)(void *ctx, uint32_t op_index, int end);

/* The interpreter. The caller allocates it (static is fine); its fields are private. */
typedef struct hb_interpreter {
    const uint8_t *model;
    uint32_t model_len;
    uint8_t *arena;       /* aligned start of the usable arena */
    uint32_t arena_len;   /* usable bytes from arena */
    uint32_t head_bytes;  /* planned activation bytes at the start of the arena */
    uint32_t tail_start;  /* offset of the persistent part; it runs to arena_len */
    uint32_t arena_pad;   /* bytes skipped at the caller's arena start for alignment */
    uint32_t needed;      /* bytes of arena a failed init asked for (0 if unknown) */
    uint32_t init_bytes;  /* peak arena use during init (tail + decode scratch), without pad */
    uint32_t decode_mode; /* hb_decode_mode */
    uint32_t n_tensors, n_ops, n_inputs, n_outputs;
    uint32_t tensors_off, ops_off; /* arena offsets of the tensor and operator tables */
    int32_t inputs[HB_MAX_IO];
    int32_t outputs[HB_MAX_IO];
    hb_op_hook hook;
    void *hook_ctx;
    int ready;
    hb_status status;
    char error[HB_ERROR_LEN];
} hb_interpreter;

/* Parse, validate and plan `model` (kept in place, must outlive the interpreter) in `arena`. */
hb_status hb_interpreter_init(hb_interpreter *ip, const uint8_t *model, size_t model_len,
                              uint8_t *arena, size_t arena_len);
/* hb_interpreter_init() with options (NULL: the defaults). */
hb_status hb_interpreter_init_ex(hb_interpreter *ip, const uint8_t *model, size_t model_len,
                                 uint8_t *arena, size_t arena_len, const hb_init_options *options);
/* Message of the last failure ("" after success); never NULL. */
const char *hb_interpreter_error(const hb_interpreter *ip);
/* Arena bytes the model needs (head + tail + alignment pad, or more if decoding at init needed
 * more scratch than the head) after a successful init; after a failed init with HB_ERR_ARENA,
 * the bytes it would have needed (0 if unknown). */
size_t hb_interpreter_arena_used(const hb_interpreter *ip);
/* Activation ("head") bytes of the plan; persistent ("tail") bytes. */
size_t hb_interpreter_arena_head(const hb_interpreter *ip);
size_t hb_interpreter_arena_tail(const hb_interpreter *ip);
size_t hb_interpreter_input_count(const hb_interpreter *ip);
size_t hb_interpreter_output_count(const hb_interpreter *ip);
hb_status hb_interpreter_input(hb_interpreter *ip, size_t i, hb_tensor_view *out);
hb_status hb_interpreter_output(hb_interpreter *ip, size_t i, hb_tensor_view *out);
/* HB_OK, or (HB_DECODE_PER_LAYER only) the status of a tensor that failed to decode. */
hb_status hb_interpreter_invoke(hb_interpreter *ip);
void hb_interpreter_set_hook(hb_interpreter *ip, hb_op_hook hook, void *ctx);
size_t hb_interpreter_op_count(const hb_interpreter *ip);
/* Builtin name of operator i ("CONV_2D"), or "?" when out of range. */
const char *hb_interpreter_op_name(const hb_interpreter *ip, size_t i);
/* Name of a TFLite builtin operator code, "UNKNOWN" if not in the schema. */
const char *hb_builtin_name(int32_t code);

#ifdef __cplusplus
}
#endif
#endif /* HB_RUNTIME_H */
