/*
 * gpio.c - hand one GPIO pin to a peripheral (alternate function), the only pin set-up the app needs.
 */
#include <stdint.h>

#include "stm32l4_bsp.h"
#include "stm32l4_regs.h"

/* port: 0 = A ... 6 = G; pin 0..15; af 0..15. Push-pull, high speed, pull-up (an idle UART line is high). */
void hb_stm32l4_pin_af(uint32_t port, uint32_t pin, uint32_t af)
{
    RCC_AHB2ENR |= RCC_AHB2ENR_GPIO(port);
    (void)RCC_AHB2ENR;
    if (port == GPIO_PORT_G) {
        /* PG2..PG15 sit on the separate VDDIO2 supply, isolated until software says it is valid. */
        RCC_APB1ENR1 |= RCC_APB1ENR1_PWREN;
        (void)RCC_APB1ENR1;
        PWR_CR2 |= PWR_CR2_IOSV;
    }
    uint32_t shift2 = 2u * pin, shift4 = 4u * (pin & 7u);
    GPIO_AFR(port, pin) = (GPIO_AFR(port, pin) & ~(0xFu << shift4)) | ((af & 0xFu) << shift4);
    GPIO_OSPEEDR(port) = (GPIO_OSPEEDR(port) & ~(3u << shift2)) | (2u << shift2);
    GPIO_PUPDR(port) = (GPIO_PUPDR(port) & ~(3u << shift2)) | (1u << shift2);
    GPIO_MODER(port) = (GPIO_MODER(port) & ~(3u << shift2)) | (2u << shift2); /* last: no glitch as GPIO */
}
