/*
 * hb_fmt.h - a small printf to the UART: %d %u %x %s %c with 0-padding, width and l/ll/z sizes.
 *
 * newlib's printf pulls in malloc, locale and float code; the protocol needs none of that.
 */
#ifndef HB_FMT_H
#define HB_FMT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

void hb_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hb_vprintf(const char *fmt, va_list ap);
/* Prints v with 3 decimals (MLPerf's %0.3f) without the float printf machinery. */
void hb_print_fixed3(float v);

#endif /* HB_FMT_H */
