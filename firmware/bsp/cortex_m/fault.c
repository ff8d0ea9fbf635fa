/*
 * fault.c - report a fault over the serial line, then leave: the host sees why, not only a silence.
 *
 * Writes `e-[hb-fault KIND pc=... lr=... psr=... cfsr=... hfsr=... bfar=... mmfar=...]` and
 * `m-hb-fault`, then exits with code 3 (semihosting) or spins on silicon.
 */
#include <stdint.h>

#include "hb_bsp.h"
#include "hb_fmt.h"

#define SCB_CFSR (*(volatile uint32_t *)0xE000ED28u)
#define SCB_HFSR (*(volatile uint32_t *)0xE000ED2Cu)
#define SCB_MMFAR (*(volatile uint32_t *)0xE000ED34u)
#define SCB_BFAR (*(volatile uint32_t *)0xE000ED38u)

#define HB_FAULT_EXIT_CODE 3

void hb_fault_report(const uint32_t *frame, uint32_t exc_return, const char *kind) __attribute__((used, noreturn));
void hb_fault_report(const uint32_t *frame, uint32_t exc_return, const char *kind)
{
    hb_printf("\r\ne-[hb-fault %s pc=0x%08x lr=0x%08x psr=0x%08x cfsr=0x%08x hfsr=0x%08x bfar=0x%08x "
              "mmfar=0x%08x exc_return=0x%08x]\r\n",
              kind, (unsigned)frame[6], (unsigned)frame[5], (unsigned)frame[7], (unsigned)SCB_CFSR,
              (unsigned)SCB_HFSR, (unsigned)SCB_BFAR, (unsigned)SCB_MMFAR, (unsigned)exc_return);
    hb_printf("m-hb-fault\r\n");
    hb_bsp_exit(HB_FAULT_EXIT_CODE);
}
