/*
 * timer_systick.c - 64-bit tick counter from SysTick (24-bit, counting down) plus a wrap interrupt.
 *
 * Runs from the processor clock (CLKSOURCE=1): the SSE-300 wires no reference clock. Under QEMU
 * with -icount shift=0 one tick is 1e9/clock_hz instructions, which the host converts.
 * With HB_TIMER_DWT the DWT cycle counter is used instead (real silicon; QEMU does not model it); SysTick
 * then only wakes every 2^24 cycles to fold the 32-bit CYCCNT into 64 bits, so no wrap is missed however
 * long the app goes without reading the time (2^32 cycles is 36 s at 120 MHz).
 */
#include <stdint.h>

#include "hb_board_config.h"
#include "hb_bsp.h"
#include "hb_cortex_m.h"

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define SYST_RELOAD 0x00FFFFFFu

static volatile uint32_t g_wraps;

#if HB_TIMER_DWT
#define DEMCR (*(volatile uint32_t *)0xE000EDFCu)
#define DWT_CTRL (*(volatile uint32_t *)0xE0001000u)
#define DWT_CYCCNT (*(volatile uint32_t *)0xE0001004u)
static uint32_t g_last_cyc;

/* Fold CYCCNT into 64 bits; callers keep interrupts out (SysTick_Handler folds too). */
static uint64_t dwt_fold(void)
{
    uint32_t now = DWT_CYCCNT;
    if (now < g_last_cyc) g_wraps++;
    g_last_cyc = now;
    return ((uint64_t)g_wraps << 32) | now;
}

void SysTick_Handler(void)
{
    (void)dwt_fold();
}
#else
void SysTick_Handler(void)
{
    g_wraps++;
}
#endif

void hb_timer_init(void)
{
#if HB_TIMER_DWT
    DEMCR |= (1u << 24); /* TRCENA */
    DWT_CYCCNT = 0u;
    DWT_CTRL |= 1u;      /* CYCCNTENA */
#endif
    SYST_RVR = SYST_RELOAD;
    SYST_CVR = 0u;
    SYST_CSR = ((HB_SYSTICK_CLKSOURCE ? 1u : 0u) << 2) | (1u << 1) | 1u; /* clock, TICKINT, ENABLE */
}

/* Stop / restart SysTick where it stands (CVR is kept), for a UART's idle wait (e.g. cmsdk/uart_cmsdk.c).
 * Called with interrupts masked; a wrap pending at the pause is counted by the handler afterwards. */
void hb_timer_pause(void)
{
#if !HB_TIMER_DWT
    SYST_CSR &= ~1u;
#endif
}

void hb_timer_resume(void)
{
#if !HB_TIMER_DWT
    SYST_CSR |= 1u;
#endif
}

/* Under QEMU a SysTick tick spans 1e9/clock_hz instructions (31 to 50 here) and the phase within
 * the current tick depends on everything executed before -- including how often the UART wait ran,
 * which depends on the host. So a timed region's tick count varied by one tick between runs (seen
 * in tests/hil/test_batch.py). QEMU's SysTick (a ptimer) starts a whole new tick when it is enabled
 * again, so restarting it right before t0 makes the count depend only on the timed code. On silicon
 * (one tick per cycle) this costs two register writes and changes nothing measurable. */
void hb_timer_align(void)
{
#if !HB_TIMER_DWT
    uint32_t csr = SYST_CSR;
    SYST_CSR = csr & ~1u;
    SYST_CSR = csr | 1u;
#endif
}

uint64_t hb_timer_ticks(void)
{
#if HB_TIMER_DWT
    uint32_t primask;
    __asm volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask)::"memory");
    uint64_t ticks = dwt_fold();
    __asm volatile("msr primask, %0" ::"r"(primask) : "memory");
    return ticks;
#else
    uint32_t hi, val;
    do {
        hi = g_wraps;
        val = SYST_CVR;
    } while (hi != g_wraps);
    return ((uint64_t)hi << 24) + (uint64_t)(SYST_RELOAD - val);
#endif
}

uint32_t hb_timer_hz(void)
{
    return HB_CLOCK_HZ;
}

const char *hb_timer_name(void)
{
    return HB_TIMER_DWT ? "dwt" : "systick";
}
