/* Names and sizes of the TFLite schema's enums (internal/hb_tflite.h). */
#include "internal/hb_tflite.h"

#define HB_BUILTIN_NAME_ROW(name, code) [code] = #name,
static const char *const k_builtin_names[HB_BUILTIN_COUNT] = {
    HB_BUILTIN_OPERATORS(HB_BUILTIN_NAME_ROW)
};
#undef HB_BUILTIN_NAME_ROW

static const char *const k_type_names[HB_TYPE_COUNT] = {
    [HB_TYPE_FLOAT32] = "FLOAT32", [HB_TYPE_FLOAT16] = "FLOAT16", [HB_TYPE_INT32] = "INT32",
    [HB_TYPE_UINT8] = "UINT8", [HB_TYPE_INT64] = "INT64", [HB_TYPE_STRING] = "STRING",
    [HB_TYPE_BOOL] = "BOOL", [HB_TYPE_INT16] = "INT16", [HB_TYPE_COMPLEX64] = "COMPLEX64",
    [HB_TYPE_INT8] = "INT8", [HB_TYPE_FLOAT64] = "FLOAT64", [HB_TYPE_COMPLEX128] = "COMPLEX128",
    [HB_TYPE_UINT64] = "UINT64", [HB_TYPE_RESOURCE] = "RESOURCE", [HB_TYPE_VARIANT] = "VARIANT",
    [HB_TYPE_UINT32] = "UINT32", [HB_TYPE_UINT16] = "UINT16", [HB_TYPE_INT4] = "INT4",
    [HB_TYPE_BFLOAT16] = "BFLOAT16",
};

const char *hb_builtin_name(int32_t code)
{
    if (code < 0 || code >= HB_BUILTIN_COUNT) {
        return "UNKNOWN";
    }
    return k_builtin_names[code];
}

const char *hb_type_name(int type)
{
    if (type < 0 || type >= HB_TYPE_COUNT) {
        return "UNKNOWN";
    }
    return k_type_names[type];
}

uint32_t hb_type_size(int type)
{
    switch (type) {
    case HB_TYPE_FLOAT32: return 4;
    case HB_TYPE_INT32: return 4;
    case HB_TYPE_UINT8: return 1;
    case HB_TYPE_INT64: return 8;
    case HB_TYPE_BOOL: return 1;
    case HB_TYPE_INT16: return 2;
    case HB_TYPE_INT8: return 1;
    default: return 0;
    }
}
