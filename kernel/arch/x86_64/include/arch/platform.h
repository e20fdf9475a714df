/*
 * The PC platform as ACPI describes it: phase 4 reads the MADT and sets up the local
 * APIC, the I/O APICs and the ISA interrupt overrides from it; phase 5 asks it which
 * CPUs to start.
 */
#ifndef ARCH_PLATFORM_H
#define ARCH_PLATFORM_H

#include <types.h>
#include <acpi.h>

/* Phase 4: ACPI tables, 8259s off, local APIC, I/O APICs; interrupts on. Returns a line
 * for the boot log in summary. */
void platform_init_interrupts(char *summary, size_t size);

/* The APIC ids of the usable CPUs the MADT lists (at most max); 0 without a MADT. */
unsigned platform_cpu_apic_ids(uint32_t *ids, unsigned max);

/* The parsed tables, for tests and diagnostics (NULL when ACPI was unusable). */
const struct acpi *platform_acpi(void);
const struct madt *platform_madt(void);

#endif
