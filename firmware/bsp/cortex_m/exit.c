/*
 * exit.c - leave the program the same way on every Cortex-M core.
 *
 * Simulators (HB_SEMIHOSTING) get semihosting SYS_EXIT_EXTENDED (0x20), which carries the exit code;
 * on silicon a BKPT without a debugger attached would fault, so the core sleeps for ever instead.
 */
#include <stdint.h>

#include "hb_board_config.h"
#include "hb_bsp.h"

#define SYS_EXIT_EXTENDED 0x20u
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u

void hb_bsp_exit(int code)
{
#if HB_SEMIHOSTING
    volatile uint32_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)code};
    register uint32_t r0 __asm("r0") = SYS_EXIT_EXTENDED;
    register uint32_t r1 __asm("r1") = (uint32_t)block;
    __asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
#else
    (void)code;
#endif
    for (;;) {
        __asm volatile("wfi");
    }
}
