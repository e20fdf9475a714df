/*
 * I/O APICs and the routing of device interrupts (global system interrupts, GSIs) to
 * vectors on CPUs. ISA IRQs map to GSIs through the MADT's interrupt source overrides,
 * which also give their polarity and trigger mode.
 */
#ifndef ARCH_IOAPIC_H
#define ARCH_IOAPIC_H

#include <types.h>
#include <kerr.h>

#define IOAPIC_MAX 8

enum irq_polarity { IRQ_ACTIVE_HIGH, IRQ_ACTIVE_LOW };
enum irq_trigger { IRQ_EDGE, IRQ_LEVEL };

/* Phase 4: register an I/O APIC from the MADT; all its pins start masked. */
kerr_t ioapic_add(uint8_t id, uint64_t phys, uint32_t gsi_base);

/* An interrupt source override from the MADT: ISA irq arrives on gsi. */
void irq_add_isa_override(uint8_t isa_irq, uint32_t gsi, enum irq_polarity pol,
			  enum irq_trigger trig);

/* The GSI an ISA IRQ arrives on, with its polarity and trigger (ISA default: the same
 * number, edge, active high). */
uint32_t irq_isa_to_gsi(uint8_t isa_irq, enum irq_polarity *pol, enum irq_trigger *trig);

/* Send gsi to vector on the CPU with apic_id. Leaves it masked; unmask separately. */
kerr_t ioapic_route(uint32_t gsi, unsigned vector, uint32_t apic_id, enum irq_polarity pol,
		    enum irq_trigger trig);
kerr_t ioapic_set_masked(uint32_t gsi, bool masked);
/* Back to the state ioapic_add leaves a pin in: masked, vector 0, no destination. */
kerr_t ioapic_unroute(uint32_t gsi);
/* Whether an I/O APIC has a pin for gsi. */
bool ioapic_serves(uint32_t gsi);

unsigned ioapic_count(void);
uint32_t ioapic_gsi_count(void);

/* The raw redirection entry of gsi, for tests; false if no I/O APIC serves it. */
bool ioapic_read_entry(uint32_t gsi, uint64_t *entry);

#endif
