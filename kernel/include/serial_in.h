/*
 * Serial input, interrupt-driven: COM1's IRQ 4, through the I/O APIC, fills a ring
 * buffer that readers take bytes from. (The kernel keeps this only until the serial
 * driver moves to ring 3.)
 */
#ifndef SERIAL_IN_H
#define SERIAL_IN_H

#include <types.h>

/* Route COM1's receive interrupt; false (and a log line) when there is no UART or no
 * I/O APIC pin for it. */
bool serial_in_init(void);

/* Take up to n buffered bytes; never blocks. */
size_t serial_in_read(char *buf, size_t n);
/* Hand COM1's receive interrupt over: UART interrupts off, the pin masked and its
 * reservation dropped, so an IRQ-line object may take it. */
void serial_in_stop(void);

uint64_t serial_in_irq_count(void);
uint64_t serial_in_dropped(void);

#endif
