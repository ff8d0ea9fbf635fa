/*
 * uart_cmsdk.c - polled driver for the Arm CMSDK APB UART (MPS2, MPS3, Corstone FVPs).
 *
 * Registers: DATA +0x00, STATE +0x04 (bit0 TX full, bit1 RX full), CTRL +0x08 (bit0 TX enable,
 * bit1 RX enable, bit3 RX interrupt enable), INTSTATUS/INTCLEAR +0x0C (bit1 RX), BAUDDIV +0x10 (>= 16).
 * QEMU ignores the rate but refuses a divider below 16.
 *
 * Waiting for a byte (HB_UART_IDLE_WFI, on by default on simulators): the core sleeps in WFI until
 * the UART raises its RX interrupt, instead of spinning on STATE. Measured under QEMU 7.2 with
 * `-icount shift=0,align=off,sleep=off` (benchmarks/link_transfer.py): a spinning guest keeps the
 * vCPU thread at 100 % of a host core and takes QEMU's big lock on every STATE read, so the main
 * loop thread, which must deliver each received byte separately (the model's RX buffer is 1 byte and
 * the chardev hands over the next byte only after the guest has read the previous one), queues
 * for the lock and for a CPU; host->device ran at 6-20 KB/s and varied 3x between runs.
 * Sleeping in WFI frees both.
 *
 * How the wait stays race-free and invisible to the rest of the app:
 *   - PRIMASK is set for the wait, so the RX interrupt only wakes WFI (a pending enabled interrupt
 *     ends WFI even when masked) and is never taken: no handler, no IRQ number needed per board.
 *     All external IRQs are enabled in the NVIC only for the wait, then disabled and cleared.
 *   - SysTick is paused during the wait (hb_timer_pause). With sleep=off QEMU jumps virtual time
 *     to the next timer deadline whenever the core sleeps, so a running SysTick would wake WFI at
 *     once for ever and the loop would spin again. Paused, the tick counter does not count time
 *     spent waiting for the host (under -icount that time was host-dependent noise anyway), and
 *     QEMU logs "icount sleep disabled and no active timers" once. Timed code never waits on the UART.
 * On silicon the default is the plain spin: there the idle time is real and SysTick keeps counting it.
 */
#include <stdint.h>

#include "hb_board_config.h"
#include "hb_bsp.h"
#include "hb_cortex_m.h"

#ifndef HB_UART_IDLE_WFI
#define HB_UART_IDLE_WFI HB_SEMIHOSTING /* simulators (QEMU, FVP) are built with semihosting */
#endif

#define UART_REG(off) (*(volatile uint32_t *)(HB_UART_BASE + (off)))
#define UART_DATA UART_REG(0x00u)
#define UART_STATE UART_REG(0x04u)
#define UART_CTRL UART_REG(0x08u)
#define UART_INTSTATUS UART_REG(0x0Cu) /* read: INTSTATUS, write: INTCLEAR */
#define UART_INTCLEAR UART_REG(0x0Cu)
#define UART_BAUDDIV UART_REG(0x10u)
#define UART_STATE_TXFULL 0x1u
#define UART_STATE_RXFULL 0x2u
#define UART_CTRL_RXINT 0x8u
#define UART_INT_RX 0x2u

#define NVIC_ISER(k) (*(volatile uint32_t *)(0xE000E100u + 4u * (k)))
#define NVIC_ICER(k) (*(volatile uint32_t *)(0xE000E180u + 4u * (k)))
#define NVIC_ICPR(k) (*(volatile uint32_t *)(0xE000E280u + 4u * (k)))
#define NVIC_WORDS 4u /* 128 external IRQs: covers MPS2 (32), SSE-200 (92) and SSE-300 (96) */

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

#if HB_UART_IDLE_WFI
#define NVIC_ISPR(k) (*(volatile uint32_t *)(0xE000E200u + 4u * (k)))

/* The UART's RX interrupt line: unknown until the first wake-up (the number differs per board and
 * is not in the board data), then learned from the NVIC's pending bits, so later waits touch one
 * NVIC word instead of twelve (each access is an MMIO exit that contends for QEMU's lock). */
static uint32_t g_rx_word, g_rx_mask;

static void wait_rx(void)
{
    uint32_t first = g_rx_mask ? g_rx_word : 0u, last = g_rx_mask ? g_rx_word + 1u : NVIC_WORDS;
    uint32_t mask = g_rx_mask ? g_rx_mask : 0xFFFFFFFFu;
    __asm volatile("cpsid i" ::: "memory");
    hb_timer_pause();
    /* A SysTick wrap pending from before the pause would end every WFI at once: let it be taken now
     * (no external IRQ is enabled yet), then mask again. */
    __asm volatile("cpsie i\n\tisb\n\tcpsid i" ::: "memory");
    UART_CTRL |= UART_CTRL_RXINT;
    for (uint32_t k = first; k < last; ++k) NVIC_ISER(k) = mask;
    while (!(UART_STATE & UART_STATE_RXFULL)) {
        __asm volatile("dsb\n\twfi" ::: "memory");
    }
    if (!g_rx_mask && (UART_INTSTATUS & UART_INT_RX)) {
        /* Learn only when the UART did raise RX and exactly one line is pending: a wrong guess
         * would leave the core asleep for ever, no guess only costs the wide enable. */
        uint32_t found = 0u, word = 0u, pend = 0u;
        for (uint32_t k = 0; k < NVIC_WORDS; ++k) {
            uint32_t p = NVIC_ISPR(k);
            if (p) {
                found += (p & (p - 1u)) ? 2u : 1u;
                word = k;
                pend = p;
            }
        }
        if (found == 1u) {
            g_rx_word = word;
            g_rx_mask = pend;
        }
    }
    UART_CTRL &= ~UART_CTRL_RXINT;
    UART_INTCLEAR = UART_INT_RX;
    for (uint32_t k = first; k < last; ++k) {
        NVIC_ICER(k) = mask;
        NVIC_ICPR(k) = mask;
    }
    __asm volatile("dsb\n\tisb" ::: "memory");
    hb_timer_resume();
    __asm volatile("cpsie i" ::: "memory");
}
#endif

uint8_t hb_uart_getc(void)
{
    if (!(UART_STATE & UART_STATE_RXFULL)) {
#if HB_UART_IDLE_WFI
        wait_rx();
#else
        while (!(UART_STATE & UART_STATE_RXFULL)) {
        }
#endif
    }
    return (uint8_t)UART_DATA;
}

void hb_uart_write(const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len--) hb_uart_putc(*p++);
}
