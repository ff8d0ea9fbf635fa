/* Status names and the error-message formatter (a tiny printf: %s, %d, %u; no libc stdio so the
 * device build stays small and float-free). */
#include <stdarg.h>

#include "internal/hb_interp.h"

const char *hb_status_str(hb_status s)
{
    switch (s) {
    case HB_OK: return "ok";
    case HB_ERR_ARG: return "bad argument";
    case HB_ERR_MODEL: return "malformed model";
    case HB_ERR_UNSUPPORTED: return "unsupported model";
    case HB_ERR_ARENA: return "arena too small";
    case HB_ERR_INTERNAL: return "internal error";
    }
    return "unknown status";
}

static void put(char *dst, uint32_t *n, char c)
{
    if (*n + 1u < HB_ERROR_LEN) {
        dst[(*n)++] = c;
    }
}

static void put_u(char *dst, uint32_t *n, uint32_t v)
{
    char tmp[10];
    int k = 0;
    do {
        tmp[k++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0 && k < 10);
    while (k > 0) {
        put(dst, n, tmp[--k]);
    }
}

hb_status hb_fail(hb_interpreter *ip, hb_status st, const char *fmt, ...)
{
    va_list ap;
    uint32_t n = 0;
    const char *p;
    va_start(ap, fmt);
    for (p = fmt; *p != '\0'; p++) {
        if (*p != '%' || p[1] == '\0') {
            put(ip->error, &n, *p);
            continue;
        }
        p++;
        if (*p == 's') {
            const char *s = va_arg(ap, const char *);
            for (s = s ? s : "(null)"; *s != '\0'; s++) {
                put(ip->error, &n, *s);
            }
        } else if (*p == 'd') {
            int v = va_arg(ap, int);
            if (v < 0) {
                put(ip->error, &n, '-');
                put_u(ip->error, &n, (uint32_t)0 - (uint32_t)v);
            } else {
                put_u(ip->error, &n, (uint32_t)v);
            }
        } else if (*p == 'u') {
            put_u(ip->error, &n, va_arg(ap, unsigned));
        } else {
            put(ip->error, &n, *p);
        }
    }
    va_end(ap);
    ip->error[n] = '\0';
    ip->status = st;
    ip->ready = 0;
    return st;
}
