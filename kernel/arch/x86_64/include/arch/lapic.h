/*
 * The local APIC (xAPIC, memory-mapped): interrupt acknowledgement, the error and
 * spurious vectors, and the timer in one-shot mode, armed to an absolute deadline on the
 * monotonic clock and never left running periodically (tickless).
 */
#ifndef ARCH_LAPIC_H
#define ARCH_LAPIC_H

#include <types.h>

/* Phase 4 on the boot CPU: map the APIC at phys (0 = the address in IA32_APIC_BASE),
 * enable it, and calibrate its timer against the TSC. */
void lapic_init(uint64_t phys);
/* The same on another CPU, reusing the mapping and calibration. */
void lapic_init_ap(void);

uint32_t lapic_id(void);

/* Local interrupt input lint (0 or 1) carries NMI (from the MADT), on every CPU. */
void lapic_set_nmi_lint(unsigned lint, bool active_low, bool level);
uint64_t lapic_timer_hz(void);
uint64_t lapic_error_count(void);

/* Fire the timer once at deadline_ns (clock_ns() time); a deadline in the past fires at
 * once. Replaces any deadline already armed on this CPU. */
void lapic_timer_arm(uint64_t deadline_ns);
void lapic_timer_cancel(void);

/* Called (interrupts off, on this CPU) when the armed deadline has passed. One handler
 * for every CPU (the scheduler's); returns the one it replaces. */
typedef void (*lapic_timer_fn)(void);
lapic_timer_fn lapic_timer_set_handler(lapic_timer_fn fn);

/* Interprocessor interrupts (used by SMP bring-up and the scheduler). */
void lapic_send_ipi(uint32_t apic_id, unsigned vector);
/* An NMI; uses no per-CPU data, so it may be sent with any GS base (tests). */
void lapic_send_nmi(uint32_t apic_id);
void lapic_send_init(uint32_t apic_id);
void lapic_send_startup(uint32_t apic_id, unsigned page);

#endif
