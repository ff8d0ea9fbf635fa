/*
 * board.c - bring-up of STM32L4/L4+ boards: clock, then the LPUART on its pins, then the core's timer.
 *
 * Everything about the core itself (vectors, faults, DWT/SysTick timer, exit) is generic: firmware/bsp/cortex_m/.
 */
#include "hb_bsp.h"
#include "hb_cortex_m.h"
#include "stm32l4_bsp.h"

void hb_bsp_init(void)
{
    hb_stm32l4_clock_init();
    hb_uart_init();
    hb_timer_init();
    __asm volatile("cpsie i" ::: "memory");
}
