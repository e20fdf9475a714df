/*
 * Phase 4's interrupt set-up from ACPI (arch/platform.h). Firmware tables are parsed by
 * kernel/acpi/ through a map callback: memory the direct map covers is read there, and
 * anything else (the BIOS area, tables in reserved memory) is mapped read-only on demand.
 *
 * Without a usable MADT there is no trustworthy way to find the I/O APICs: the kernel
 * says so and goes on with the local APIC alone (timer, IPIs), without device
 * interrupts.
 */
#include <arch/platform.h>
#include <arch/ioapic.h>
#include <arch/lapic.h>
#include <arch/trap.h>
#include <arch/cpu.h>
#include <bootinfo.h>
#include <kformat.h>
#include <log.h>
#include <vmm.h>

static struct acpi acpi;
static struct madt madt;
static bool acpi_ok, madt_ok;

static const void *acpi_map(void *ctx, paddr_t phys, size_t len)
{
	if (len == 0 || phys.raw + len < phys.raw)
		return NULL;
	if (vmm_in_direct_map(phys, len))
		return phys_to_virt(phys);
	return vmm_map_phys(phys, len, 0);
}

static enum irq_polarity isa_polarity(enum madt_polarity p)
{
	return p == MADT_POL_LOW ? IRQ_ACTIVE_LOW : IRQ_ACTIVE_HIGH;   /* ISA default: high */
}

static enum irq_trigger isa_trigger(enum madt_trigger t)
{
	return t == MADT_TRIG_LEVEL ? IRQ_LEVEL : IRQ_EDGE;             /* ISA default: edge */
}

void platform_init_interrupts(char *summary, size_t size)
{
	struct acpi_rsdp rsdp;
	acpi_err_t e;

	acpi_setup(&acpi, acpi_map, NULL, NULL);
	e = acpi_find_rsdp(&acpi, boot_info.rsdp, boot_info.rsdp_len, &rsdp);
	if (e == ACPI_OK)
		e = acpi_init(&acpi, &rsdp);
	if (e == ACPI_OK) {
		acpi_ok = true;
		e = acpi_madt_get(&acpi, &madt);
		/* A MADT with a bad entry or full arrays still holds sound entries. */
		madt_ok = e == ACPI_OK || e == ACPI_ERR_BAD_ENTRY || e == ACPI_ERR_TOO_MANY;
		if (!madt_ok)
			pr_err("acpi: no usable MADT (%s): no I/O APIC, no device interrupts",
			       acpi_err_name(e));
	} else {
		pr_err("acpi: no usable ACPI tables (%s): no I/O APIC, no device interrupts",
		       acpi_err_name(e));
	}

	pic_disable();
	lapic_init(madt_ok ? madt.lapic_addr.raw : 0);
	if (madt_ok) {
		for (size_t i = 0; i < madt.ioapic_count; i++) {
			const struct madt_ioapic *io = &madt.ioapics[i];
			kerr_t k = ioapic_add(io->id, io->addr.raw, io->gsi_base);
			if (k)
				pr_err("ioapic: I/O APIC %u at %#llx unusable: %s", io->id,
				       (unsigned long long)io->addr.raw, kerr_name(k));
		}
		for (size_t i = 0; i < madt.override_count; i++) {
			const struct madt_override *o = &madt.overrides[i];
			irq_add_isa_override(o->irq, o->gsi, isa_polarity(o->polarity),
					     isa_trigger(o->trigger));
		}
		for (size_t i = 0; i < madt.nmi_count; i++)
			lapic_set_nmi_lint(madt.nmis[i].lint,
					   madt.nmis[i].polarity == MADT_POL_LOW,
					   madt.nmis[i].trigger == MADT_TRIG_LEVEL);
	}
	irq_enable();
	ksnprintf(summary, size, "ACPI %s %s (%zu tables%s), %zu CPUs, %u I/O APIC(s) with %u "
		  "pins, %zu overrides; local APIC %u, timer %llu MHz",
		  acpi.xsdt ? "XSDT" : "RSDT", acpi.oem_id, acpi.table_count,
		  acpi.rejected ? ", some rejected" : "", madt_ok ? madt.cpu_count : 1,
		  ioapic_count(), ioapic_gsi_count(), madt_ok ? madt.override_count : 0,
		  lapic_id(), (unsigned long long)(lapic_timer_hz() / 1000000));
}

unsigned platform_cpu_apic_ids(uint32_t *ids, unsigned max)
{
	unsigned n = 0;

	if (!madt_ok)
		return 0;
	for (size_t i = 0; i < madt.cpu_count && n < max; i++)
		if (madt.cpus[i].enabled)
			ids[n++] = madt.cpus[i].apic_id;
	return n;
}

const struct acpi *platform_acpi(void)
{
	return acpi_ok ? &acpi : NULL;
}

const struct madt *platform_madt(void)
{
	return madt_ok ? &madt : NULL;
}
