/* hb_args.c - see hb_args.h. */
#include "hb_args.h"

#include <stdarg.h>

#include "hb_fmt.h"

void hb_args_init(hb_args *a, char *line)
{
    a->next = line;
    a->cmd = "";
    a->usage = "";
}

char *hb_args_next(hb_args *a)
{
    char *p = a->next;
    if (!p) return 0;
    while (*p == ' ') ++p;
    if (!*p) {
        a->next = 0;
        return 0;
    }
    char *start = p;
    while (*p && *p != ' ') ++p;
    if (*p) *p++ = '\0';
    a->next = p;
    return start;
}

void hb_args_error(const hb_args *a, const char *fmt, ...)
{
    va_list ap;
    hb_printf("e-[%s: ", a->cmd);
    va_start(ap, fmt);
    hb_vprintf(fmt, ap);
    va_end(ap);
    hb_printf("; usage: %s]\r\n", a->usage);
}

static int u32_token(hb_args *a, const char *tok, const char *what, uint32_t lo, uint32_t hi, uint32_t *out)
{
    uint32_t v;
    if (!hb_parse_u32(tok, &v)) {
        hb_args_error(a, "%s '%s' is not an unsigned number (decimal or 0x-hex, 32 bits)", what, tok);
        return 0;
    }
    if (v < lo || v > hi) {
        hb_args_error(a, "%s %lu outside %lu..%lu", what, (unsigned long)v, (unsigned long)lo, (unsigned long)hi);
        return 0;
    }
    *out = v;
    return 1;
}

int hb_args_u32(hb_args *a, const char *what, uint32_t lo, uint32_t hi, uint32_t *out)
{
    const char *tok = hb_args_next(a);
    if (!tok) {
        hb_args_error(a, "%s missing", what);
        return 0;
    }
    return u32_token(a, tok, what, lo, hi, out);
}

int hb_args_opt_u32(hb_args *a, const char *what, uint32_t lo, uint32_t hi, uint32_t *out)
{
    const char *tok = hb_args_next(a);
    return tok ? u32_token(a, tok, what, lo, hi, out) : 1;
}

int hb_args_end(hb_args *a)
{
    const char *tok = hb_args_next(a);
    if (!tok) return 1;
    hb_args_error(a, "unexpected argument '%s'", tok);
    return 0;
}

int hb_parse_u32(const char *tok, uint32_t *out)
{
    uint32_t v = 0, base = 10;
    if (!tok || !*tok) return 0;
    if (tok[0] == '0' && (tok[1] == 'x' || tok[1] == 'X')) {
        base = 16;
        tok += 2;
        if (!*tok) return 0;
    }
    for (; *tok; ++tok) {
        uint32_t d;
        char c = *tok;
        if (c >= '0' && c <= '9') d = (uint32_t)(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f') d = (uint32_t)(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F') d = (uint32_t)(c - 'A' + 10);
        else return 0;
        if (v > (0xFFFFFFFFu - d) / base) return 0;
        v = v * base + d;
    }
    *out = v;
    return 1;
}
