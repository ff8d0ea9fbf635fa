/*
 * stm32l4_regs.h - the STM32L4/L4+ registers and bits this family's board support touches, nothing more.
 *
 * Addresses and bit positions from RM0432 (STM32L4+ reference manual) and ST's device header
 * stm32l4r5xx.h; tests/boards/test_nucleo.py checks the base addresses against that table.
 * Family-private: only the .c files of firmware/bsp/stm32l4 include it.
 */
#ifndef HB_STM32L4_REGS_H
#define HB_STM32L4_REGS_H

#include <stdint.h>

#define HB_REG(addr) (*(volatile uint32_t *)(addr))

/* Peripheral bases (AHB1, APB1, AHB2). */
#define HB_PWR_BASE 0x40007000u
#define HB_RCC_BASE 0x40021000u
#define HB_FLASH_R_BASE 0x40022000u
#define HB_GPIOA_BASE 0x48000000u
#define HB_GPIO_STRIDE 0x400u /* GPIOB = GPIOA + 0x400, ... GPIOG = GPIOA + 0x1800 */

/* RCC */
#define RCC_CR HB_REG(HB_RCC_BASE + 0x00u)
#define RCC_CFGR HB_REG(HB_RCC_BASE + 0x08u)
#define RCC_PLLCFGR HB_REG(HB_RCC_BASE + 0x0Cu)
#define RCC_AHB2ENR HB_REG(HB_RCC_BASE + 0x4Cu)
#define RCC_APB1ENR1 HB_REG(HB_RCC_BASE + 0x58u)
#define RCC_APB1ENR2 HB_REG(HB_RCC_BASE + 0x5Cu)
#define RCC_CR_PLLON (1u << 24)
#define RCC_CR_PLLRDY (1u << 25)
#define RCC_CFGR_SW_MASK 0x3u
#define RCC_CFGR_SW_PLL 0x3u
#define RCC_CFGR_SWS_MASK (0x3u << 2)
#define RCC_CFGR_SWS_PLL (0x3u << 2)
#define RCC_CFGR_HPRE_MASK (0xFu << 4)
#define RCC_CFGR_HPRE_DIV2 (0x8u << 4)
#define RCC_PLLCFGR_SRC_MSI 0x1u      /* PLLSRC[1:0] = 01 */
#define RCC_PLLCFGR_M_SHIFT 4u        /* PLLM[7:4]: divide by PLLM + 1 */
#define RCC_PLLCFGR_N_SHIFT 8u        /* PLLN[14:8]: multiply by PLLN (8..127) */
#define RCC_PLLCFGR_REN (1u << 24)    /* PLLCLK (the R output) enabled */
#define RCC_PLLCFGR_R_SHIFT 25u       /* PLLR[26:25]: 00 = /2 */
#define RCC_AHB2ENR_GPIO(port) (1u << (port)) /* GPIOAEN bit 0 ... GPIOGEN bit 6 */
#define RCC_APB1ENR1_PWREN (1u << 28)
#define RCC_APB1ENR2_LPUART1EN (1u << 0)

/* PWR */
#define PWR_CR2 HB_REG(HB_PWR_BASE + 0x04u)
#define PWR_SR2 HB_REG(HB_PWR_BASE + 0x14u)
#define PWR_CR5 HB_REG(HB_PWR_BASE + 0x80u)
#define PWR_CR2_IOSV (1u << 9)        /* VDDIO2 valid: PG[15:2] usable */
#define PWR_SR2_VOSF (1u << 10)       /* regulator still settling */
#define PWR_CR5_R1MODE (1u << 8)      /* 1 = range 1 normal (<= 80 MHz), 0 = range 1 boost (<= 120 MHz) */

/* FLASH */
#define FLASH_ACR HB_REG(HB_FLASH_R_BASE + 0x00u)
#define FLASH_ACR_LATENCY_MASK 0xFu
#define FLASH_ACR_ICEN (1u << 9)
#define FLASH_ACR_DCEN (1u << 10)

/* GPIO port n */
#define GPIO_REG(port, off) HB_REG(HB_GPIOA_BASE + HB_GPIO_STRIDE * (port) + (off))
#define GPIO_MODER(port) GPIO_REG(port, 0x00u)
#define GPIO_OSPEEDR(port) GPIO_REG(port, 0x08u)
#define GPIO_PUPDR(port) GPIO_REG(port, 0x0Cu)
#define GPIO_AFR(port, pin) GPIO_REG(port, 0x20u + 4u * ((pin) >> 3)) /* AFRL pins 0..7, AFRH 8..15 */
#define GPIO_PORT_G 6u

/* LPUART (base from the board file: HB_UART_BASE) */
#define LPUART_CR1_OFF 0x00u
#define LPUART_BRR_OFF 0x0Cu
#define LPUART_ISR_OFF 0x1Cu
#define LPUART_ICR_OFF 0x20u
#define LPUART_RDR_OFF 0x24u
#define LPUART_TDR_OFF 0x28u
#define LPUART_CR1_UE (1u << 0)
#define LPUART_CR1_RE (1u << 2)
#define LPUART_CR1_TE (1u << 3)
#define LPUART_ISR_PE (1u << 0)
#define LPUART_ISR_FE (1u << 1)
#define LPUART_ISR_NE (1u << 2)
#define LPUART_ISR_ORE (1u << 3)
#define LPUART_ISR_RXNE (1u << 5)
#define LPUART_ISR_TXE (1u << 7)
#define LPUART_ISR_TEACK (1u << 21)
#define LPUART_ISR_REACK (1u << 22)
#define LPUART_ISR_ERRORS (LPUART_ISR_PE | LPUART_ISR_FE | LPUART_ISR_NE | LPUART_ISR_ORE) /* ICR clears at the same bits */
#define LPUART_BRR_MIN 0x300u
#define LPUART_BRR_MAX 0xFFFFFu

#endif /* HB_STM32L4_REGS_H */
