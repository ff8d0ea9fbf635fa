/*
 * stm32l4_bsp.h - what the STM32L4 family's files offer each other (board.c calls them in this order).
 */
#ifndef HB_STM32L4_BSP_H
#define HB_STM32L4_BSP_H

#include <stdint.h>

/* SYSCLK = HCLK = PCLK1 = PCLK2 = HB_CLOCK_HZ (clock.c). */
void hb_stm32l4_clock_init(void);

/* Route GPIO port (0 = A) pin to alternate function af (gpio.c). */
void hb_stm32l4_pin_af(uint32_t port, uint32_t pin, uint32_t af);

/* LPUART1 on the board's pins at HB_UART_BAUD, 8N1 (uart_lpuart.c). */
void hb_uart_init(void);

#endif /* HB_STM32L4_BSP_H */
