/*
 * Time. clock_ns() is a monotonic clock in nanoseconds since the kernel was entered,
 * from the TSC; it reads 0 until the TSC has been calibrated (arch/x86_64/tsc.c).
 */
#ifndef TIME_H
#define TIME_H

#include <types.h>

uint64_t clock_ns(void);

/* Busy-wait; for device set-up only, before timers exist. */
void delay_us(uint64_t us);

#endif
