#ifndef ARCH_TSC_H
#define ARCH_TSC_H

#include <types.h>

/* Calibrate the TSC: CPUID leaf 0x15 where the CPU reports its frequency, the PIT
 * otherwise. Returns the frequency in Hz. */
uint64_t tsc_calibrate(void);
uint64_t tsc_hz(void);

/* Called first thing in kmain: the TSC value that clock_ns() counts from. */
void tsc_mark_boot(void);

/* The TSC at the kernel's first instructions, before paging (boot.S): where the
 * boot-time figures count from (system_info). */
extern uint64_t boot_entry_tsc;

#endif
