/*
 * startup.c - vector table, reset and fault handlers for Cortex-M boards (v7-M, v8-M, v8.1-M).
 *
 * The vector table goes in section .vectors, which the generated linker script puts at the board's
 * boot address (0x0, or 0x10000000 on the secure-booting SSE-200). The reset handler copies .data,
 * clears .bss, paints the stack for the high-water mark, enables the FPU/MVE and calls main().
 */
#include <stdint.h>

#include "hb_board_config.h"
#include "hb_bsp.h"

extern uint32_t __data_load[], __data_start[], __data_end[];
extern uint32_t __bss_start[], __bss_end[];
extern uint32_t __stack_limit[], __stack_top[];

int main(void);
void hb_fault_report(const uint32_t *frame, uint32_t exc_return, const char *kind);
void SysTick_Handler(void);

#define HB_STACK_PAINT 0xA5A5A5A5u
#define SCB_VTOR (*(volatile uint32_t *)0xE000ED08u)
#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)
#define SCB_SHCSR (*(volatile uint32_t *)0xE000ED24u)
#define SCB_CCR (*(volatile uint32_t *)0xE000ED14u)

extern const uint32_t hb_vectors[];

void Reset_Handler(void) __attribute__((noreturn, used));
void Reset_Handler(void)
{
    uint32_t *src = __data_load, *dst = __data_start;
    while (dst < __data_end) *dst++ = *src++;
    for (dst = __bss_start; dst < __bss_end; ++dst) *dst = 0u;

    /* Paint the unused part of the stack (below our own frame) so hb_bsp_stack_used() can measure it. */
    uint32_t sp;
    __asm volatile("mov %0, sp" : "=r"(sp));
    for (dst = __stack_limit; (uint32_t)dst < sp - 64u; ++dst) *dst = HB_STACK_PAINT;

    SCB_VTOR = (uint32_t)hb_vectors;
#if defined(__ARM_FP) || defined(__ARM_FEATURE_MVE)
    SCB_CPACR |= (0xFu << 20); /* CP10 + CP11 full access: FPU and, on v8.1-M, Helium */
    __asm volatile("dsb\n\tisb" ::: "memory");
#endif
    SCB_SHCSR |= (7u << 16);   /* separate MemManage, BusFault and UsageFault handlers */
    SCB_CCR |= (1u << 4);      /* fault on divide by zero */
    (void)main();
    hb_bsp_exit(0);
}

size_t hb_bsp_stack_size(void)
{
    return (size_t)((uint8_t *)__stack_top - (uint8_t *)__stack_limit);
}

size_t hb_bsp_stack_used(void)
{
    const uint32_t *p = __stack_limit;
    while (p < __stack_top && *p == HB_STACK_PAINT) ++p;
    return (size_t)((const uint8_t *)__stack_top - (const uint8_t *)p);
}

/* Each fault entry finds the stacked frame (MSP or PSP, from EXC_RETURN bit 2) and reports it. */
#define HB_FAULT_ENTRY(name, label)                                  \
    void name(void) __attribute__((naked, used));                    \
    void name(void)                                                  \
    {                                                                \
        __asm volatile("tst lr, #4\n\t"                              \
                       "ite eq\n\t"                                  \
                       "mrseq r0, msp\n\t"                           \
                       "mrsne r0, psp\n\t"                           \
                       "mov r1, lr\n\t"                              \
                       "ldr r2, =" #label "\n\t"                     \
                       "b hb_fault_report\n\t");                     \
    }

static const char hb_k_hard[] __attribute__((used)) = "hardfault";
static const char hb_k_mem[] __attribute__((used)) = "memmanage";
static const char hb_k_bus[] __attribute__((used)) = "busfault";
static const char hb_k_usage[] __attribute__((used)) = "usagefault";
static const char hb_k_sec[] __attribute__((used)) = "securefault";
static const char hb_k_other[] __attribute__((used)) = "unexpected-irq";
HB_FAULT_ENTRY(HardFault_Handler, hb_k_hard)
HB_FAULT_ENTRY(MemManage_Handler, hb_k_mem)
HB_FAULT_ENTRY(BusFault_Handler, hb_k_bus)
HB_FAULT_ENTRY(UsageFault_Handler, hb_k_usage)
HB_FAULT_ENTRY(SecureFault_Handler, hb_k_sec)
HB_FAULT_ENTRY(Default_Handler, hb_k_other)

void NMI_Handler(void) __attribute__((alias("Default_Handler")));
void SVC_Handler(void) __attribute__((alias("Default_Handler")));
void DebugMon_Handler(void) __attribute__((alias("Default_Handler")));
void PendSV_Handler(void) __attribute__((alias("Default_Handler")));

/* 16 system exceptions + 32 IRQs: the app polls, so every IRQ is unexpected and reported. */
#define HB_IRQ_COUNT 32
__attribute__((section(".vectors"), used)) const uint32_t hb_vectors[16 + HB_IRQ_COUNT] = {
    [0] = (uint32_t)__stack_top,
    [1] = (uint32_t)Reset_Handler,
    [2] = (uint32_t)NMI_Handler,
    [3] = (uint32_t)HardFault_Handler,
    [4] = (uint32_t)MemManage_Handler,
    [5] = (uint32_t)BusFault_Handler,
    [6] = (uint32_t)UsageFault_Handler,
    [7] = (uint32_t)SecureFault_Handler,
    [11] = (uint32_t)SVC_Handler,
    [12] = (uint32_t)DebugMon_Handler,
    [14] = (uint32_t)PendSV_Handler,
    [15] = (uint32_t)SysTick_Handler,
    [16 ... 16 + HB_IRQ_COUNT - 1] = (uint32_t)Default_Handler,
};
