/*
 * hb_fb.h - a minimal, bounds-checked flatbuffer reader (little-endian wire format).
 *
 * Every accessor validates offsets and lengths against the buffer before reading and never
 * dereferences anything unaligned (bytes are assembled by hand or copied), so a malformed model can only
 * make an accessor return HB_FB_BAD. Positions are byte offsets from the buffer start (uint32).
 */
#ifndef HB_FB_H
#define HB_FB_H

#include <stdint.h>
#include <string.h>

/* The builtin stays inline under -ffreestanding (which turns plain memcpy into a call). */
#if defined(__GNUC__)
#define HB_FB_MEMCPY __builtin_memcpy
#else
#define HB_FB_MEMCPY memcpy
#endif

#define HB_FB_BAD (-1)    /* malformed: an offset or length points outside the buffer */
#define HB_FB_ABSENT 0    /* the field is not present (use the schema default) */
#define HB_FB_PRESENT 1

typedef struct hb_fb {
    const uint8_t *buf;
    uint32_t len;
} hb_fb;

/* A table: its position and that of its vtable, both validated. */
typedef struct hb_fb_table {
    uint32_t pos;
    uint32_t vt;
    uint32_t vt_len;
    uint32_t tab_len;
} hb_fb_table;

/* A vector: position of element 0 and element count; count * elem_size bytes fit the buffer. */
typedef struct hb_fb_vec {
    uint32_t pos;
    uint32_t count;
} hb_fb_vec;

static inline uint16_t hb_rd_u16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t hb_rd_u32(const uint8_t *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* memcpy: one (unaligned-safe) load on little-endian targets; the tensor dims are read
     * this way at every invoke */
    uint32_t v;
    HB_FB_MEMCPY(&v, p, sizeof v);
    return v;
#else
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
#endif
}
static inline int32_t hb_rd_i32(const uint8_t *p) { return (int32_t)hb_rd_u32(p); }
static inline uint64_t hb_rd_u64(const uint8_t *p)
{
    return (uint64_t)hb_rd_u32(p) | ((uint64_t)hb_rd_u32(p + 4) << 32);
}
float hb_rd_f32(const uint8_t *p);

/* Root table of the buffer (uoffset at position 0). */
int hb_fb_root(const hb_fb *fb, hb_fb_table *out);
/* Table at absolute position pos. */
int hb_fb_table_at(const hb_fb *fb, uint32_t pos, hb_fb_table *out);
/* Scalars: *out gets the field or dflt when absent. Return HB_FB_* codes. */
int hb_fb_u8(const hb_fb *fb, const hb_fb_table *t, unsigned field, uint8_t dflt, uint8_t *out);
int hb_fb_i32(const hb_fb *fb, const hb_fb_table *t, unsigned field, int32_t dflt, int32_t *out);
int hb_fb_u64(const hb_fb *fb, const hb_fb_table *t, unsigned field, uint64_t dflt, uint64_t *out);
int hb_fb_f32(const hb_fb *fb, const hb_fb_table *t, unsigned field, float dflt, float *out);
/* A sub-table field. */
int hb_fb_table_field(const hb_fb *fb, const hb_fb_table *t, unsigned field, hb_fb_table *out);
/* A vector field of elem_size-byte elements (strings: elem_size 1). Absent -> count 0. */
int hb_fb_vec_field(const hb_fb *fb, const hb_fb_table *t, unsigned field, uint32_t elem_size,
                    hb_fb_vec *out);
/* Element i of a vector of tables. */
int hb_fb_vec_table(const hb_fb *fb, const hb_fb_vec *v, uint32_t i, hb_fb_table *out);

#endif /* HB_FB_H */
