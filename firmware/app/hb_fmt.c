/* hb_fmt.c - see hb_fmt.h. */
#include "hb_fmt.h"

#include "hb_bsp.h"

static void put_unsigned(unsigned long long v, unsigned base, int width, char pad, int negative)
{
    char buf[24];
    int n = 0;
    do {
        unsigned d = (unsigned)(v % base);
        buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v != 0u);
    if (negative) {
        if (pad == '0') {
            hb_uart_putc('-');
        } else {
            buf[n++] = '-';
        }
        width--;
    }
    while (width-- > n) hb_uart_putc((uint8_t)pad);
    while (n > 0) hb_uart_putc((uint8_t)buf[--n]);
}

void hb_vprintf(const char *fmt, va_list ap)
{
    for (; *fmt; ++fmt) {
        if (*fmt != '%') {
            hb_uart_putc((uint8_t)*fmt);
            continue;
        }
        ++fmt;
        char pad = ' ';
        int width = 0, longs = 0, size_t_arg = 0;
        if (*fmt == '0') {
            pad = '0';
            ++fmt;
        }
        while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l') {
            longs++;
            ++fmt;
        }
        if (*fmt == 'z') {
            size_t_arg = 1;
            ++fmt;
        }
        switch (*fmt) {
        case 'd': {
            long long v = longs >= 2 ? va_arg(ap, long long) : longs == 1 ? va_arg(ap, long) : va_arg(ap, int);
            put_unsigned(v < 0 ? (unsigned long long)(-(v + 1)) + 1u : (unsigned long long)v, 10, width, pad, v < 0);
            break;
        }
        case 'u':
        case 'x': {
            unsigned long long v = longs >= 2   ? va_arg(ap, unsigned long long)
                                   : longs == 1 ? va_arg(ap, unsigned long)
                                   : size_t_arg ? va_arg(ap, size_t)
                                                : va_arg(ap, unsigned);
            put_unsigned(v, *fmt == 'x' ? 16u : 10u, width, pad, 0);
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s) s = "(null)";
            while (*s) hb_uart_putc((uint8_t)*s++);
            break;
        }
        case 'c':
            hb_uart_putc((uint8_t)va_arg(ap, int));
            break;
        case '%':
            hb_uart_putc('%');
            break;
        default:
            hb_uart_putc('?');
            if (!*fmt) return;
            break;
        }
    }
}

void hb_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hb_vprintf(fmt, ap);
    va_end(ap);
}

void hb_print_fixed3(float v)
{
    int negative = v < 0.0f;
    float a = negative ? -v : v;
    if (a > 2.0e9f) a = 2.0e9f; /* clamp: results are probabilities and small values */
    unsigned long long milli = (unsigned long long)(a * 1000.0f + 0.5f);
    if (negative && milli != 0u) hb_uart_putc('-');
    put_unsigned(milli / 1000u, 10, 0, ' ', 0);
    hb_uart_putc('.');
    put_unsigned(milli % 1000u, 10, 3, '0', 0);
}
