/*
 * hb_bsp.h - what the on-device app needs from a board: a byte pipe, a tick counter, a way out.
 *
 * One implementation per SoC family lives in firmware/bsp/<family>/. Board numbers (UART base,
 * clock, boot address) come from the generated hb_board_config.h, never from these sources, so a
 * new board of a known family is only a boards/<name>.toml file.
 */
#ifndef HB_BSP_H
#define HB_BSP_H

#include <stddef.h>
#include <stdint.h>

/* Bring up clocks, FPU/MVE access, UART and timer. Called once from main(). */
void hb_bsp_init(void);

/* Serial: blocking, polled. getc waits for ever (the host owns every deadline). */
void hb_uart_putc(uint8_t c);
uint8_t hb_uart_getc(void);
void hb_uart_write(const void *data, size_t len);

/* Free-running 64-bit tick counter and its rate in Hz. */
uint64_t hb_timer_ticks(void);
uint32_t hb_timer_hz(void);
const char *hb_timer_name(void);
/* Start the next tick at this instruction (simulators count ticks of many instructions); call right
 * before reading t0 of a timed region so its tick count does not depend on what ran before. */
void hb_timer_align(void);

/* Leave the program: semihosting SYS_EXIT_EXTENDED on simulators, a spin loop on silicon. */
void hb_bsp_exit(int code) __attribute__((noreturn));

/* Stack bounds from the linker script; the startup code paints the stack so use can be measured. */
size_t hb_bsp_stack_size(void);
size_t hb_bsp_stack_used(void);

#endif /* HB_BSP_H */
