/* Bounds-checked flatbuffer access; see hb_fb.h. All arithmetic is done in 64 bits so that no
 * offset sum can wrap before it is compared with the buffer length. */
#include "internal/hb_fb.h"

#include <string.h>

float hb_rd_f32(const uint8_t *p)
{
    uint32_t u = hb_rd_u32(p);
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static int fits(const hb_fb *fb, uint64_t pos, uint64_t size)
{
    return pos <= fb->len && size <= (uint64_t)fb->len - pos;
}

int hb_fb_table_at(const hb_fb *fb, uint32_t pos, hb_fb_table *out)
{
    int64_t vt;
    uint32_t vt_len, tab_len;
    if (!fits(fb, pos, 4)) {
        return HB_FB_BAD;
    }
    /* The soffset is subtracted: vtable = table - soffset. */
    vt = (int64_t)pos - (int64_t)hb_rd_i32(fb->buf + pos);
    if (vt < 0 || !fits(fb, (uint64_t)vt, 4)) {
        return HB_FB_BAD;
    }
    vt_len = hb_rd_u16(fb->buf + vt);
    tab_len = hb_rd_u16(fb->buf + vt + 2);
    if (vt_len < 4 || (vt_len & 1u) != 0 || !fits(fb, (uint64_t)vt, vt_len) || tab_len < 4 ||
        !fits(fb, pos, tab_len)) {
        return HB_FB_BAD;
    }
    out->pos = pos;
    out->vt = (uint32_t)vt;
    out->vt_len = vt_len;
    out->tab_len = tab_len;
    return HB_FB_PRESENT;
}

int hb_fb_root(const hb_fb *fb, hb_fb_table *out)
{
    if (fb->buf == NULL || !fits(fb, 0, 8)) {
        return HB_FB_BAD;
    }
    return hb_fb_table_at(fb, hb_rd_u32(fb->buf), out);
}

/* Absolute position of a field of `size` bytes, or 0 when absent, or HB_FB_BAD via *rc. */
static uint32_t field_pos(const hb_fb *fb, const hb_fb_table *t, unsigned field, uint32_t size,
                          int *rc)
{
    uint32_t slot = 4u + 2u * field;
    uint32_t off;
    *rc = HB_FB_ABSENT;
    if (slot + 2u > t->vt_len) {
        return 0;
    }
    off = hb_rd_u16(fb->buf + t->vt + slot);
    if (off == 0) {
        return 0;
    }
    if (off < 4u || (uint64_t)off + size > t->tab_len) {
        *rc = HB_FB_BAD;
        return 0;
    }
    *rc = HB_FB_PRESENT;
    return t->pos + off;
}

int hb_fb_u8(const hb_fb *fb, const hb_fb_table *t, unsigned field, uint8_t dflt, uint8_t *out)
{
    int rc;
    uint32_t p = field_pos(fb, t, field, 1, &rc);
    *out = rc == HB_FB_PRESENT ? fb->buf[p] : dflt;
    return rc;
}

int hb_fb_i32(const hb_fb *fb, const hb_fb_table *t, unsigned field, int32_t dflt, int32_t *out)
{
    int rc;
    uint32_t p = field_pos(fb, t, field, 4, &rc);
    *out = rc == HB_FB_PRESENT ? hb_rd_i32(fb->buf + p) : dflt;
    return rc;
}

int hb_fb_u64(const hb_fb *fb, const hb_fb_table *t, unsigned field, uint64_t dflt, uint64_t *out)
{
    int rc;
    uint32_t p = field_pos(fb, t, field, 8, &rc);
    *out = rc == HB_FB_PRESENT ? hb_rd_u64(fb->buf + p) : dflt;
    return rc;
}

int hb_fb_f32(const hb_fb *fb, const hb_fb_table *t, unsigned field, float dflt, float *out)
{
    int rc;
    uint32_t p = field_pos(fb, t, field, 4, &rc);
    *out = rc == HB_FB_PRESENT ? hb_rd_f32(fb->buf + p) : dflt;
    return rc;
}

/* Follow the uoffset stored at absolute position p. */
static int follow(const hb_fb *fb, uint32_t p, uint32_t *target)
{
    uint64_t t = (uint64_t)p + hb_rd_u32(fb->buf + p);
    if (t >= fb->len) {
        return HB_FB_BAD;
    }
    *target = (uint32_t)t;
    return HB_FB_PRESENT;
}

int hb_fb_table_field(const hb_fb *fb, const hb_fb_table *t, unsigned field, hb_fb_table *out)
{
    int rc;
    uint32_t target;
    uint32_t p = field_pos(fb, t, field, 4, &rc);
    if (rc != HB_FB_PRESENT) {
        return rc;
    }
    if (follow(fb, p, &target) != HB_FB_PRESENT) {
        return HB_FB_BAD;
    }
    return hb_fb_table_at(fb, target, out);
}

int hb_fb_vec_field(const hb_fb *fb, const hb_fb_table *t, unsigned field, uint32_t elem_size,
                    hb_fb_vec *out)
{
    int rc;
    uint32_t target, count;
    uint32_t p = field_pos(fb, t, field, 4, &rc);
    out->pos = 0;
    out->count = 0;
    if (rc != HB_FB_PRESENT) {
        return rc;
    }
    if (follow(fb, p, &target) != HB_FB_PRESENT || !fits(fb, target, 4)) {
        return HB_FB_BAD;
    }
    count = hb_rd_u32(fb->buf + target);
    if (!fits(fb, (uint64_t)target + 4u, (uint64_t)count * elem_size)) {
        return HB_FB_BAD;
    }
    out->pos = target + 4u;
    out->count = count;
    return HB_FB_PRESENT;
}

int hb_fb_vec_table(const hb_fb *fb, const hb_fb_vec *v, uint32_t i, hb_fb_table *out)
{
    uint32_t target;
    if (i >= v->count) {
        return HB_FB_BAD;
    }
    if (follow(fb, v->pos + 4u * i, &target) != HB_FB_PRESENT) {
        return HB_FB_BAD;
    }
    return hb_fb_table_at(fb, target, out);
}
