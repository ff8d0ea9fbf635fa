/*
 * hb_decode.c - DECODE tensor entry points: argument checks and dispatch on the decode type.
 */
#include "internal/hb_decode.h"

#define HB_DECODE_DCM_VERSION 1u
#define HB_DECODE_AXIS_ONE 15u

static hb_status element_count(const hb_decode_shape *shape, size_t *elements)
{
    size_t n = 1;
    int i;
    if (shape->ndims < 0 || shape->ndims > HB_MAX_DIMS) {
        return HB_ERR_ARG;
    }
    for (i = 0; i < shape->ndims; ++i) {
        const int32_t d = shape->dims[i];
        if (d < 0) {
            return HB_ERR_ARG;
        }
        if (d != 0 && n > SIZE_MAX / (size_t)d) {
            return HB_ERR_ARG;
        }
        n *= (size_t)d;
    }
    *elements = n;
    return HB_OK;
}

hb_status hb_decode_layout_of(const hb_decode_shape *shape, size_t elements, unsigned axis,
                              hb_decode_layout *layout)
{
    if (axis == HB_DECODE_AXIS_ONE) {
        layout->channels = 1u;
        layout->per_channel = elements;
        layout->channel_minor = 0;
        return HB_OK;
    }
    if (axis > 14u || (int)axis >= shape->ndims) {
        return HB_ERR_MODEL;
    }
    layout->channels = (size_t)shape->dims[axis];
    layout->per_channel = layout->channels == 0u ? 0u : elements / layout->channels;
    if (axis == 0u) {
        layout->channel_minor = 0;
    } else if ((int)axis == shape->ndims - 1) {
        layout->channel_minor = 1;
    } else {
        return HB_ERR_UNSUPPORTED; /* the kernels and both formats use the first or last axis */
    }
    return HB_OK;
}

hb_status hb_decode_scratch_bytes(const uint8_t *ancillary, size_t ancillary_len,
                                  size_t *min_bytes, size_t *fast_bytes)
{
    if (ancillary == NULL || min_bytes == NULL || fast_bytes == NULL) {
        return HB_ERR_ARG;
    }
    *min_bytes = 0u;
    *fast_bytes = 0u;
    if (ancillary_len < HB_DECODE_DCM_BYTES) {
        return HB_ERR_MODEL;
    }
    switch (ancillary[0]) {
    case HB_DECODE_TYPE_LUT:
        return HB_OK;
#if HB_WITH_DECODE_HB
    case HB_DECODE_TYPE_HB:
        return hb_decode_rans_scratch(ancillary, ancillary_len, min_bytes, fast_bytes);
#endif /* HB_WITH_DECODE_HB */
    default:
        return HB_ERR_UNSUPPORTED;
    }
}

hb_status hb_decode_tensor(const uint8_t *ancillary, size_t ancillary_len,
                           const uint8_t *encoded, size_t encoded_len,
                           const hb_decode_shape *shape, void *out, size_t out_len,
                           void *scratch, size_t scratch_len)
{
    size_t elements = 0u;
    hb_status st;
    if (ancillary == NULL || shape == NULL || (out == NULL && out_len != 0u) ||
        (encoded == NULL && encoded_len != 0u) || (scratch == NULL && scratch_len != 0u)) {
        return HB_ERR_ARG;
    }
    st = element_count(shape, &elements);
    if (st != HB_OK) {
        return st;
    }
    if (shape->elem_bytes != 1u && shape->elem_bytes != 2u && shape->elem_bytes != 4u &&
        shape->elem_bytes != 8u) {
        return HB_ERR_UNSUPPORTED;
    }
    if (elements > SIZE_MAX / shape->elem_bytes || elements * shape->elem_bytes != out_len) {
        return HB_ERR_ARG;
    }
    if (ancillary_len < HB_DECODE_DCM_BYTES) {
        return HB_ERR_MODEL;
    }
    if (ancillary[1] != HB_DECODE_DCM_VERSION) {
        return HB_ERR_UNSUPPORTED;
    }
    switch (ancillary[0]) {
#if HB_WITH_DECODE_LUT
    case HB_DECODE_TYPE_LUT:
        return hb_decode_lut(ancillary, ancillary_len, encoded, encoded_len, shape, elements,
                             (uint8_t *)out);
#endif /* HB_WITH_DECODE_LUT */
#if HB_WITH_DECODE_HB
    case HB_DECODE_TYPE_HB:
        if (shape->elem_bytes != 1u) {
            return HB_ERR_UNSUPPORTED; /* hb codes int8 tensors only */
        }
        return hb_decode_rans(ancillary, ancillary_len, encoded, encoded_len, shape, elements,
                              (int8_t *)out, scratch, scratch_len);
#endif /* HB_WITH_DECODE_HB */
    default:
        return HB_ERR_UNSUPPORTED;
    }
}
