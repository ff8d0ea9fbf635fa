/*
 * uart_cmsdk.c - polled driver for the Arm CMSDK APB UART (MPS2, MPS3, Corstone FVPs).
 *
 * Registers: DATA +0x00, STATE +0x04 (bit0 TX full, bit1 RX full), CTRL +0x08 (bit0 TX enable,
 * bit1 RX enable), BAUDDIV +0x10 (>= 16). QEMU ignores the rate but refuses a divider below 16.
 */
#include <stdint.h>

#include "hb_board_config.h"
#include "hb_bsp.h"

#define UART_REG(off) (*(volatile uint32_t *)(HB_UART_BASE + (off)))
#define UART_DATA UART_REG(0x00u)
#define UART_STATE UART_REG(0x04u)
#define UART_CTRL UART_REG(0x08u)
#define UART_BAUDDIV UART_REG(0x10u)
#define UART_STATE_TXFULL 0x1u
#define UART_STATE_RXFULL 0x2u

void hb_uart_init(void)
{
    uint32_t div = HB_UART_CLOCK_HZ / HB_UART_BAUD;
    UART_BAUDDIV = div < 16u ? 16u : div;
    UART_CTRL = 0x3u;
}

void hb_uart_putc(uint8_t c)
{
    while (UART_STATE & UART_STATE_TXFULL) {
    }
    UART_DATA = c;
}

uint8_t hb_uart_getc(void)
{
    while (!(UART_STATE & UART_STATE_RXFULL)) {
    }
    return (uint8_t)UART_DATA;
}

void hb_uart_write(const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len--) hb_uart_putc(*p++);
}
