/*
 * 16550-compatible UART (the PC's COM ports). Polled transmit for the kernel console;
 * receive interrupts come with the interrupt phase.
 */
#ifndef UART_H
#define UART_H

#include <types.h>

#define COM1_PORT 0x3f8

/* Program the UART at 'port' for 115200 8N1 with FIFOs. Returns false, touching nothing
 * more, if no working UART answers there (checked by a loopback self-test). */
bool uart_init(uint16_t port);
void uart_write(uint16_t port, const char *s, size_t n);

/* Interrupt on received data (IER bit 0); the IRQ must be routed separately. */
void uart_enable_rx_irq(uint16_t port);
/* Read one received byte; false when the receive FIFO is empty. */
bool uart_read_byte(uint16_t port, uint8_t *b);
void uart_disable_irqs(uint16_t port);

#endif
