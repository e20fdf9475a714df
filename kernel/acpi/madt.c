/*
 * MADT ("APIC", Multiple APIC Description Table) -> struct madt (acpi.h): the local APIC
 * address, the processors, the I/O APICs, the ISA interrupt source overrides and the
 * NMI wiring, for the interrupt and SMP set-up in kernel/arch/x86_64/. The table itself
 * was validated by acpi.c; tested on the host by tests/host/test_acpi.c.
 *
 * The table is a 44-byte head followed by variable-length entries (type, length, body).
 * Every entry's length is checked against the bytes left in the table and against what
 * its type needs before any field is read; unknown types are skipped by their length.
 *
 * Error policy: a malformed entry (length below 2, running past the table, or too short
 * for its type) ends decoding, and the entries before it are kept. The length chain up
 * to that entry was sound and the table's checksum held, so the earlier entries are what
 * the firmware meant; they normally include the boot CPU and the I/O APICs (firmware
 * lists processors first). Rejecting the whole table would leave the kernel without an
 * I/O APIC, and with the 8259s masked, without any device interrupt — worse than a
 * table missing some NMI or override entries, which the caller is told about
 * (ACPI_ERR_BAD_ENTRY, MADT_ERR_BAD_ENTRY) and may still choose to distrust. Past a bad
 * length nothing can be trusted, since the next entry's start is unknown.
 *
 * Entries whose fields are out of range (an I/O APIC at address 0, an override for a
 * non-ISA bus or an IRQ above 15, an NMI on a LINT other than 0/1) are skipped with a
 * warning, so every entry in struct madt can be used as it stands.
 *
 * Layout reference: ACPI specification 6.5, section 5.2.12 and its subsections.
 */
#include <acpi.h>
#include "acpi_read.h"
#include <klib.h>

enum {
	MADT_LAPIC = 0,                 /* Processor Local APIC */
	MADT_IOAPIC = 1,
	MADT_OVERRIDE = 2,              /* Interrupt Source Override */
	MADT_NMI_SOURCE = 3,
	MADT_LAPIC_NMI = 4,
	MADT_LAPIC_ADDR = 5,            /* Local APIC Address Override */
	MADT_X2APIC = 9,                /* Processor Local x2APIC */
	MADT_X2APIC_NMI = 10,           /* Local x2APIC NMI */
};

/* The shortest entry each known type may have (later revisions may only add bytes). */
static const uint8_t entry_min_len[] = {
	[MADT_LAPIC] = 8,
	[MADT_IOAPIC] = 12,
	[MADT_OVERRIDE] = 10,
	[MADT_NMI_SOURCE] = 8,
	[MADT_LAPIC_NMI] = 6,
	[MADT_LAPIC_ADDR] = 12,
	[MADT_X2APIC] = 16,
	[MADT_X2APIC_NMI] = 12,
};

#define MADT_HEAD_LEN           44u     /* table header + local APIC address + flags */
#define MADT_FLAG_PCAT_COMPAT   (1u << 0)
#define CPU_ENABLED             (1u << 0)
#define CPU_ONLINE_CAPABLE      (1u << 1)
#define LAPIC_NMI_UID_ALL       0xffu   /* type 4: every processor */
#define ISA_BUS                 0u
#define ISA_IRQS                16u

/* MPS INTI flags: polarity in bits 0-1, trigger mode in bits 2-3 (2 is reserved). */
#define INTI_POLARITY(f)        ((unsigned)(f) & 3u)
#define INTI_TRIGGER(f)         (((unsigned)(f) >> 2) & 3u)
#define INTI_RESERVED           2u

struct decoder {
	const struct acpi *a;
	struct madt *m;
	size_t off;             /* of the entry being decoded, for messages */
};

static void bad_value(struct decoder *d, const char *what)
{
	d->m->errors |= MADT_ERR_BAD_VALUE;
	acpi_report(d->a, LOG_WARN, "MADT entry at offset %zu: %s", d->off, what);
}

/* Whether an array of cap entries holding count has room; a full one is reported once
 * per kind and the entry counted as dropped. */
static bool room(struct decoder *d, size_t count, size_t cap, uint32_t err,
		 const char *what)
{
	if (count < cap)
		return true;
	if (!(d->m->errors & err))
		acpi_report(d->a, LOG_WARN, "MADT lists more %s than the kernel keeps (%zu); "
			    "the rest are ignored", what, cap);
	d->m->errors |= err;
	d->m->dropped++;
	return false;
}

static void decode_inti(struct decoder *d, uint16_t flags, enum madt_polarity *pol,
			enum madt_trigger *trig)
{
	static const enum madt_polarity pols[4] = {
		MADT_POL_CONFORMS, MADT_POL_HIGH, MADT_POL_CONFORMS, MADT_POL_LOW };
	static const enum madt_trigger trigs[4] = {
		MADT_TRIG_CONFORMS, MADT_TRIG_EDGE, MADT_TRIG_CONFORMS, MADT_TRIG_LEVEL };

	if (INTI_POLARITY(flags) == INTI_RESERVED || INTI_TRIGGER(flags) == INTI_RESERVED)
		bad_value(d, "reserved polarity or trigger mode; read as the bus default");
	*pol = pols[INTI_POLARITY(flags)];
	*trig = trigs[INTI_TRIGGER(flags)];
}

static void add_cpu(struct decoder *d, uint32_t apic_id, uint32_t uid, uint32_t flags,
		    bool x2apic)
{
	struct madt *m = d->m;

	if (!(flags & (CPU_ENABLED | CPU_ONLINE_CAPABLE))) {
		m->cpus_disabled++;
		return;
	}
	for (size_t i = 0; i < m->cpu_count; i++) {
		if (m->cpus[i].apic_id == apic_id) {
			m->errors |= MADT_ERR_DUPLICATE_CPU;
			acpi_report(d->a, LOG_WARN, "MADT lists APIC id %u twice; the entry "
				    "at offset %zu is ignored", apic_id, d->off);
			return;
		}
	}
	if (!room(d, m->cpu_count, MADT_MAX_CPUS, MADT_ERR_TOO_MANY_CPUS, "CPUs"))
		return;
	m->cpus[m->cpu_count++] = (struct madt_cpu){
		.apic_id = apic_id,
		.uid = uid,
		.enabled = flags & CPU_ENABLED,
		.online_capable = !(flags & CPU_ENABLED) && (flags & CPU_ONLINE_CAPABLE),
		.x2apic = x2apic,
	};
}

static void add_ioapic(struct decoder *d, const uint8_t *e)
{
	struct madt *m = d->m;
	uint32_t addr = rd32(e + 4);

	if (!addr) {
		bad_value(d, "I/O APIC at address 0; skipped");
		return;
	}
	if (!room(d, m->ioapic_count, MADT_MAX_IOAPICS, MADT_ERR_TOO_MANY_IOAPICS,
		  "I/O APICs"))
		return;
	m->ioapics[m->ioapic_count++] = (struct madt_ioapic){
		.id = e[2], .addr = pa(addr), .gsi_base = rd32(e + 8) };
}

static void add_override(struct decoder *d, const uint8_t *e)
{
	struct madt *m = d->m;
	struct madt_override o = {
		.bus = e[2], .irq = e[3], .gsi = rd32(e + 4), .flags = rd16(e + 8) };

	if (o.bus != ISA_BUS || o.irq >= ISA_IRQS) {
		bad_value(d, "interrupt source override for a non-ISA bus or IRQ; skipped");
		return;
	}
	if (!room(d, m->override_count, MADT_MAX_OVERRIDES, MADT_ERR_TOO_MANY_OVERRIDES,
		  "interrupt source overrides"))
		return;
	decode_inti(d, o.flags, &o.polarity, &o.trigger);
	m->overrides[m->override_count++] = o;
}

static void add_nmi_source(struct decoder *d, const uint8_t *e)
{
	struct madt *m = d->m;
	struct madt_nmi_source s = { .flags = rd16(e + 2), .gsi = rd32(e + 4) };

	if (!room(d, m->nmi_source_count, MADT_MAX_NMI_SOURCES,
		  MADT_ERR_TOO_MANY_NMI_SOURCES, "NMI sources"))
		return;
	decode_inti(d, s.flags, &s.polarity, &s.trigger);
	m->nmi_sources[m->nmi_source_count++] = s;
}

static void add_lapic_nmi(struct decoder *d, uint32_t uid, uint16_t flags, uint8_t lint)
{
	struct madt *m = d->m;
	struct madt_lapic_nmi n = { .uid = uid, .flags = flags, .lint = lint };

	if (lint > 1) {
		bad_value(d, "local APIC NMI on a LINT other than 0 or 1; skipped");
		return;
	}
	if (!room(d, m->nmi_count, MADT_MAX_NMIS, MADT_ERR_TOO_MANY_NMIS,
		  "local APIC NMI entries"))
		return;
	decode_inti(d, flags, &n.polarity, &n.trigger);
	m->nmis[m->nmi_count++] = n;
}

/* e holds at least entry_min_len[type] bytes. */
static void decode_entry(struct decoder *d, uint8_t type, const uint8_t *e)
{
	switch (type) {
	case MADT_LAPIC:
		add_cpu(d, e[3], e[2], rd32(e + 4), false);
		break;
	case MADT_X2APIC:
		add_cpu(d, rd32(e + 4), rd32(e + 12), rd32(e + 8), true);
		break;
	case MADT_IOAPIC:
		add_ioapic(d, e);
		break;
	case MADT_OVERRIDE:
		add_override(d, e);
		break;
	case MADT_NMI_SOURCE:
		add_nmi_source(d, e);
		break;
	case MADT_LAPIC_NMI:
		add_lapic_nmi(d, e[2] == LAPIC_NMI_UID_ALL ? MADT_UID_ALL : e[2], rd16(e + 3),
			      e[5]);
		break;
	case MADT_X2APIC_NMI:
		/* A UID of 0xffffffff already means every processor, as MADT_UID_ALL. */
		add_lapic_nmi(d, rd32(e + 4), rd16(e + 2), e[8]);
		break;
	case MADT_LAPIC_ADDR: {
		uint64_t addr = rd64(e + 4);

		if (!addr) {
			bad_value(d, "local APIC address override to 0; ignored");
			break;
		}
		d->m->lapic_addr = pa(addr);
		d->m->lapic_addr_overridden = true;
		break;
	}
	default:
		break;                  /* types we do not use (SAPIC, GIC, ...) */
	}
}

acpi_err_t acpi_madt_parse(const struct acpi *a, const void *table, uint32_t len,
			   struct madt *out)
{
	const uint8_t *t = table;
	struct decoder d = { .a = a, .m = out };

	memset(out, 0, sizeof(*out));
	if (!t || len < MADT_HEAD_LEN) {
		acpi_report(a, LOG_WARN, "MADT of %u bytes is too short", len);
		return ACPI_ERR_BAD_LENGTH;
	}
	if (memcmp(t, "APIC", 4) != 0) {
		acpi_report(a, LOG_WARN, "MADT does not have the APIC signature");
		return ACPI_ERR_BAD_SIGNATURE;
	}
	out->lapic_addr = pa(rd32(t + 36));
	out->flags = rd32(t + 40);
	out->pcat_compat = out->flags & MADT_FLAG_PCAT_COMPAT;

	/* Each step moves on by at least 2 bytes, so this ends within len / 2 steps. */
	size_t entries = 0;
	for (size_t off = MADT_HEAD_LEN; off < len; entries++) {
		size_t left = len - off;
		const uint8_t *e = t + off;
		uint8_t type = e[0], elen = left >= 2 ? e[1] : 0;
		const char *why = NULL;

		if (left < 2)
			why = "a stray byte at the end";
		else if (elen < 2)
			why = "length below 2";
		else if (elen > left)
			why = "runs past the end of the table";
		else if (type < ARRAY_SIZE(entry_min_len) && elen < entry_min_len[type])
			why = "too short for its type";
		if (why) {
			out->errors |= MADT_ERR_BAD_ENTRY;
			acpi_report(a, LOG_WARN, "MADT entry at offset %zu (type %u, length %u): "
				    "%s; decoding stops after %zu entries",
				    off, type, elen, why, entries);
			break;
		}
		d.off = off;
		decode_entry(&d, type, e);
		off += elen;
	}

	if (out->dropped)
		acpi_report(a, LOG_WARN, "MADT: %zu entries dropped for lack of room",
			    out->dropped);
	if (out->errors & MADT_ERR_BAD_ENTRY)
		return ACPI_ERR_BAD_ENTRY;
	if (out->errors & MADT_ERR_TOO_MANY)
		return ACPI_ERR_TOO_MANY;
	return ACPI_OK;
}

acpi_err_t acpi_madt_get(const struct acpi *a, struct madt *out)
{
	const struct acpi_table *t = acpi_find_table(a, "APIC", 0);

	memset(out, 0, sizeof(*out));
	if (!t) {
		acpi_report(a, LOG_WARN, "no valid MADT");
		return ACPI_ERR_NOT_FOUND;
	}
	const void *p = acpi_table_map(a, t);
	if (!p) {
		acpi_report(a, LOG_WARN, "MADT at 0x%lx is no longer readable", t->phys.raw);
		return ACPI_ERR_UNMAPPABLE;
	}
	return acpi_madt_parse(a, p, t->length, out);
}
