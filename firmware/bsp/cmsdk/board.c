/*
 * board.c - bring-up of CMSDK-based boards (MPS2, MPS3, Corstone): UART, then the core's timer.
 *
 * Everything about the core itself (vectors, faults, timer, exit) is generic: firmware/bsp/cortex_m/.
 */
#include "hb_bsp.h"
#include "hb_cortex_m.h"

void hb_uart_init(void);

void hb_bsp_init(void)
{
    hb_uart_init();
    hb_timer_init();
    __asm volatile("cpsie i" ::: "memory");
}
