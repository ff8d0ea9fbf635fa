/*
 * clock.c - bring SYSCLK to the board file's clock_hz (HB_CLOCK_HZ) from the 4 MHz MSI the core resets on.
 *
 * 4 MHz: stay on MSI. 32..120 MHz in 2 MHz steps: PLL from MSI with M = 1, R = 2 and N = clock / 2 MHz
 * (VCO = 4 MHz * N = 64..240 MHz, inside the 64..344 MHz the PLL allows). AHB, APB1 and APB2 stay
 * undivided, so HCLK = PCLK1 = SYSCLK and LPUART1 (clocked from PCLK1 at reset) runs at clock_hz too.
 * Above 80 MHz the regulator must be in range 1 boost mode (PWR_CR5.R1MODE = 0), and the switch to the
 * PLL goes through HCLK = SYSCLK / 2 for at least 1 us (RM0432, "Range 1 boost mode").
 * Flash wait states, range 1: one per 20 MHz of HCLK (0 WS up to 20 MHz ... 5 WS up to 120 MHz).
 * MSI is used untrimmed (factory calibration; no LSE lock): cycle counts are exact, times in us are
 * as good as the MSI is.
 */
#include <stdint.h>

#include "hb_board_config.h"
#include "stm32l4_bsp.h"
#include "stm32l4_regs.h"

#define HB_MSI_HZ 4000000u
#define HB_BOOST_ABOVE_HZ 80000000u

#if HB_CLOCK_HZ == HB_MSI_HZ
#define HB_CLOCK_USE_PLL 0
#elif HB_CLOCK_HZ >= 32000000u && HB_CLOCK_HZ <= 120000000u && HB_CLOCK_HZ % 2000000u == 0u
#define HB_CLOCK_USE_PLL 1
#define HB_PLL_N (HB_CLOCK_HZ / 2000000u)
#else
#error "stm32l4: [cpu] clock_hz must be 4000000 (MSI) or 32..120 MHz in 2 MHz steps (PLL from MSI)"
#endif

#define HB_FLASH_LATENCY ((HB_CLOCK_HZ - 1u) / 20000000u)
#define HB_CLOCK_BOOST (HB_CLOCK_HZ > HB_BOOST_ABOVE_HZ)

void hb_stm32l4_clock_init(void)
{
    RCC_APB1ENR1 |= RCC_APB1ENR1_PWREN;
    (void)RCC_APB1ENR1; /* the enable takes effect after a read back (RM0432: 2 cycles of delay) */
#if HB_CLOCK_BOOST
    PWR_CR5 &= ~PWR_CR5_R1MODE;
    while (PWR_SR2 & PWR_SR2_VOSF) {
    }
#endif
    /* More wait states before a faster clock, and read them back: the new value must be in effect. */
    FLASH_ACR = (FLASH_ACR & ~FLASH_ACR_LATENCY_MASK) | HB_FLASH_LATENCY | FLASH_ACR_ICEN | FLASH_ACR_DCEN;
    while ((FLASH_ACR & FLASH_ACR_LATENCY_MASK) != HB_FLASH_LATENCY) {
    }
#if HB_CLOCK_USE_PLL
    RCC_PLLCFGR = RCC_PLLCFGR_SRC_MSI | (0u << RCC_PLLCFGR_M_SHIFT) | (HB_PLL_N << RCC_PLLCFGR_N_SHIFT) |
                  RCC_PLLCFGR_REN | (0u << RCC_PLLCFGR_R_SHIFT);
    RCC_CR |= RCC_CR_PLLON;
    while (!(RCC_CR & RCC_CR_PLLRDY)) {
    }
#if HB_CLOCK_BOOST
    RCC_CFGR = (RCC_CFGR & ~RCC_CFGR_HPRE_MASK) | RCC_CFGR_HPRE_DIV2;
#endif
    RCC_CFGR = (RCC_CFGR & ~RCC_CFGR_SW_MASK) | RCC_CFGR_SW_PLL;
    while ((RCC_CFGR & RCC_CFGR_SWS_MASK) != RCC_CFGR_SWS_PLL) {
    }
#if HB_CLOCK_BOOST
    /* >= 1 us at HCLK = 60 MHz before the full speed: each pass of this loop takes several cycles. */
    for (volatile uint32_t i = 0; i < 256u; ++i) {
    }
    RCC_CFGR &= ~RCC_CFGR_HPRE_MASK;
#endif
#endif /* HB_CLOCK_USE_PLL */
}
