/*
 * uart_lpuart.c - polled driver for the STM32 LPUART (LPUART1: the ST-LINK virtual COM port on NUCLEO-144).
 *
 * 8 data bits, no parity, 1 stop bit. Kernel clock: PCLK1 (the reset choice of RCC_CCIPR.LPUART1SEL),
 * which clock.c keeps at HB_CLOCK_HZ; BRR = 256 * f / baud must lie in 0x300..0xFFFFF (RM0432), checked
 * at compile time. Pins and alternate function come from the board file (HB_UART_TX_PORT ...).
 * Everything is polled and interrupt-free, so fault handlers can print through it.
 */
#include <stddef.h>
#include <stdint.h>

#include "hb_board_config.h"
#include "hb_bsp.h"
#include "stm32l4_bsp.h"
#include "stm32l4_regs.h"

#define LPUART(off) HB_REG(HB_UART_BASE + (off))
#define HB_LPUART_BRR (((HB_UART_CLOCK_HZ * 256ull) + HB_UART_BAUD / 2u) / HB_UART_BAUD)

#if HB_LPUART_BRR < LPUART_BRR_MIN || HB_LPUART_BRR > LPUART_BRR_MAX
#error "stm32l4: [serial] baud is out of the LPUART's reach at this clock_hz (needs 0x300 <= 256*clock/baud <= 0xFFFFF)"
#endif

void hb_uart_init(void)
{
    RCC_APB1ENR2 |= RCC_APB1ENR2_LPUART1EN;
    (void)RCC_APB1ENR2;
    hb_stm32l4_pin_af(HB_UART_TX_PORT, HB_UART_TX_PIN, HB_UART_PIN_AF);
    hb_stm32l4_pin_af(HB_UART_RX_PORT, HB_UART_RX_PIN, HB_UART_PIN_AF);
    LPUART(LPUART_CR1_OFF) = 0u; /* BRR and the frame format are only writable while UE = 0 */
    LPUART(LPUART_BRR_OFF) = (uint32_t)HB_LPUART_BRR;
    LPUART(LPUART_CR1_OFF) = LPUART_CR1_TE | LPUART_CR1_RE | LPUART_CR1_UE;
    while ((LPUART(LPUART_ISR_OFF) & (LPUART_ISR_TEACK | LPUART_ISR_REACK)) !=
           (LPUART_ISR_TEACK | LPUART_ISR_REACK)) {
    }
}

void hb_uart_putc(uint8_t c)
{
    while (!(LPUART(LPUART_ISR_OFF) & LPUART_ISR_TXE)) {
    }
    LPUART(LPUART_TDR_OFF) = c;
}

uint8_t hb_uart_getc(void)
{
    for (;;) {
        uint32_t isr = LPUART(LPUART_ISR_OFF);
        /* An overrun or a framing/noise error cost a byte; the host's framing and CRC report that.
         * Clear the flags (ICR bits match ISR's) so each one stands for a new loss. */
        if (isr & LPUART_ISR_ERRORS) LPUART(LPUART_ICR_OFF) = isr & LPUART_ISR_ERRORS;
        if (isr & LPUART_ISR_RXNE) return (uint8_t)LPUART(LPUART_RDR_OFF);
    }
}

void hb_uart_write(const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len--) hb_uart_putc(*p++);
}
