/*
 * hb_cortex_m.h - what the generic Cortex-M layer (firmware/bsp/cortex_m/) offers a SoC family's code.
 *
 * The generic layer owns the core: vector table and reset (startup.c), fault reports (fault.c), the
 * SysTick / DWT tick counter (timer_systick.c) and the way out (exit.c). A family (firmware/bsp/<family>/)
 * owns its peripherals: it implements hb_bsp_init() and the UART functions of hb_bsp.h, and calls
 * hb_timer_init() from hb_bsp_init(). See firmware/bsp/README.md.
 */
#ifndef HB_CORTEX_M_H
#define HB_CORTEX_M_H

/* Start the tick counter (SysTick with its wrap interrupt, or the DWT cycle counter). */
void hb_timer_init(void);

/* Stop / restart SysTick where it stands, for a UART driver that sleeps while it waits for the host
 * (simulators jump virtual time to the next timer deadline when the core sleeps). Call with
 * interrupts masked. Both do nothing when the DWT counter is the timer. */
void hb_timer_pause(void);
void hb_timer_resume(void);

#endif /* HB_CORTEX_M_H */
