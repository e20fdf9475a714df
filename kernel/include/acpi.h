/*
 * ACPI static tables: finding the RSDP, validating the XSDT/RSDT and every table they
 * list, looking tables up by signature, and decoding the MADT into plain arrays.
 *
 * Everything the firmware wrote is untrusted input. Physical memory is reached only
 * through the caller's map callback, which says which ranges are readable; no table is
 * used before its length and checksum have been checked, and no byte is read outside a
 * range a map call returned. Problems are logged (through the caller's log callback, or
 * klog() when there is none) and come back as an acpi_err_t; the parser goes on with
 * whatever is sound. Pure logic, no hardware access and no allocation: kernel/acpi/acpi.c
 * (RSDP, root table, lookup) and kernel/acpi/madt.c (MADT), tested on the host by
 * tests/host/test_acpi.c.
 *
 * Boot-time use (phase 4), with a map callback that returns direct-map addresses for
 * memory the kernel maps and NULL for anything else:
 *
 *	static struct acpi acpi;        // ~1.6 KiB
 *	static struct madt madt;        // ~2 KiB: better not on a kernel stack
 *	struct acpi_rsdp rsdp;
 *
 *	acpi_setup(&acpi, map, NULL, NULL);
 *	if (acpi_find_rsdp(&acpi, boot_info.rsdp, boot_info.rsdp_len, &rsdp) == ACPI_OK &&
 *	    acpi_init(&acpi, &rsdp) == ACPI_OK)
 *		acpi_madt_get(&acpi, &madt);    // on error: use what madt holds, or fall back
 *
 * Layout reference: ACPI specification 6.5, section 5.2 "ACPI System Description
 * Tables" (5.2.5 RSDP, 5.2.6 table header, 5.2.7 RSDT, 5.2.8 XSDT, 5.2.12 MADT).
 */
#ifndef ACPI_H
#define ACPI_H

#include <types.h>
#include <log.h>

typedef enum {
	ACPI_OK = 0,
	ACPI_ERR_NO_RSDP,       /* none handed over and none found in the BIOS areas */
	ACPI_ERR_BAD_SIGNATURE, /* the bytes are not the structure expected there */
	ACPI_ERR_BAD_CHECKSUM,  /* bytes do not sum to zero */
	ACPI_ERR_BAD_LENGTH,    /* length too small, too large, or not whole entries */
	ACPI_ERR_BAD_ADDRESS,   /* a null physical address, or a range that wraps */
	ACPI_ERR_UNMAPPABLE,    /* the map callback refused the range */
	ACPI_ERR_NO_ROOT,       /* neither the XSDT nor the RSDT is usable */
	ACPI_ERR_NOT_FOUND,     /* no valid table with that signature and index */
	ACPI_ERR_BAD_ENTRY,     /* a MADT entry is malformed: the entries after it are lost */
	ACPI_ERR_TOO_MANY,      /* more MADT entries than struct madt holds: some dropped */
	ACPI_ERR_COUNT
} acpi_err_t;

/* A short name for an error ("bad checksum"), for log lines. */
const char *acpi_err_name(acpi_err_t e);

/*
 * Returns a pointer through which the len bytes at physical address phys can be read,
 * or NULL if any of them cannot. The pointer must stay valid while the struct acpi is in
 * use (the kernel's direct map does). The parser never reads outside [ptr, ptr + len).
 */
typedef const void *(*acpi_map_fn)(void *ctx, paddr_t phys, size_t len);

/* Receives one message (no trailing newline). */
typedef void (*acpi_log_fn)(void *ctx, enum log_level level, const char *msg);

#define ACPI_MAX_TABLES         64u             /* tables struct acpi keeps */
#define ACPI_MAX_ROOT_ENTRIES   256u            /* XSDT/RSDT entries looked at */
#define ACPI_MAX_TABLE_LEN      (1u << 20)      /* longer tables are rejected */
#define ACPI_HEADER_LEN         36u             /* the common table header */

/* What a validated RSDP says. */
struct acpi_rsdp {
	uint8_t revision;       /* 0: ACPI 1.0; 2 and up: has the extended part */
	bool extended;          /* the extended part (length, XSDT) checked out */
	char oem_id[7];         /* NUL-terminated; unprintable bytes shown as '?' */
	paddr_t rsdt;           /* may be 0 when xsdt is set */
	paddr_t xsdt;           /* 0 unless extended */
	paddr_t found_at;       /* where the BIOS-area search found it; 0 for a copy */
};

/* One table that passed validation: its bytes sum to zero and length is sane. */
struct acpi_table {
	char sig[5];            /* the 4 signature bytes, NUL-terminated */
	uint8_t revision;
	uint32_t length;        /* whole table, header included */
	paddr_t phys;
};

/*
 * The caller owns it (static storage is fine: no allocation anywhere). Fields below the
 * callbacks are written by acpi_init() and read-only afterwards.
 */
struct acpi {
	acpi_map_fn map;
	acpi_log_fn log;        /* NULL: messages go to klog() */
	void *ctx;              /* passed to map and log */

	uint8_t revision;       /* of the RSDP used */
	bool xsdt;              /* the root is the XSDT (else the RSDT) */
	paddr_t root;
	char oem_id[7];
	size_t table_count;
	struct acpi_table tables[ACPI_MAX_TABLES];
	unsigned rejected;      /* tables listed but failing validation (each logged) */
	unsigned dropped;       /* sound tables or root entries beyond the caps above */
};

/* Clear a and set its callbacks; every other function needs this first. */
void acpi_setup(struct acpi *a, acpi_map_fn map, acpi_log_fn log, void *ctx);

/*
 * Validate an RSDP held in avail readable bytes at p: signature, checksum of the first
 * 20 bytes and, for revision 2 and up, the extended checksum over its length bytes. An
 * extended part that does not check out (length below 36 or beyond avail, bad extended
 * checksum) is ignored with a warning and the RSDT is used; the result is OK as long
 * as the 1.0 part is sound and names a root table.
 */
acpi_err_t acpi_rsdp_parse(const struct acpi *a, const void *p, size_t avail,
			   struct acpi_rsdp *out);

/*
 * The BIOS way to find the RSDP: the first KiB of the EBDA (real-mode segment at
 * physical 0x40e), then 0xe0000-0xfffff, on 16-byte boundaries. The first candidate
 * that passes acpi_rsdp_parse() wins.
 */
acpi_err_t acpi_rsdp_search_bios(const struct acpi *a, struct acpi_rsdp *out);

/* The copy from the boot loader (copy_len 0: none) if sound, else the BIOS search. */
acpi_err_t acpi_find_rsdp(const struct acpi *a, const void *copy, size_t copy_len,
			  struct acpi_rsdp *out);

/*
 * Load the root table and validate every table it lists, plus the DSDT the FADT names.
 * The XSDT is used when the RSDP's extended part is sound, the XSDT address non-zero
 * and the XSDT valid; otherwise the RSDT. Returns ACPI_OK when a root table is usable,
 * even if some tables in it were rejected (a->rejected counts them, each is logged);
 * ACPI_ERR_NO_ROOT, with no tables, when neither root table is.
 */
acpi_err_t acpi_init(struct acpi *a, const struct acpi_rsdp *rsdp);

/* The index-th (from 0) valid table whose signature is the 4 bytes at sig; NULL if none. */
const struct acpi_table *acpi_find_table(const struct acpi *a, const char *sig,
					 size_t index);

/* Map all of a table acpi_init() validated; NULL if the map callback now refuses it. */
const void *acpi_table_map(const struct acpi *a, const struct acpi_table *t);

/* For the table parsers (acpi.c, madt.c): one message through a's log callback. A NULL
 * a logs through klog(). */
void acpi_report(const struct acpi *a, enum log_level level, const char *fmt, ...)
	__printf(3, 4);

/* ---- MADT ("APIC"): the interrupt controllers ------------------------------------- */

#define MADT_MAX_CPUS           64u
#define MADT_MAX_IOAPICS        8u
#define MADT_MAX_OVERRIDES      32u
#define MADT_MAX_NMIS           16u             /* local APIC NMI inputs (types 4, 0xa) */
#define MADT_MAX_NMI_SOURCES    8u              /* I/O APIC inputs wired to NMI (type 3) */
#define MADT_UID_ALL            0xffffffffu     /* an NMI entry for every processor */

/*
 * Polarity and trigger mode of an interrupt input, from the MPS INTI flags (bits 0-1
 * and 2-3). "Conforms" means the bus's default: for ISA, active high and edge.
 * The reserved encoding (2) is decoded as conforms, with a MADT_ERR_BAD_VALUE note.
 */
enum madt_polarity { MADT_POL_CONFORMS, MADT_POL_HIGH, MADT_POL_LOW };
enum madt_trigger { MADT_TRIG_CONFORMS, MADT_TRIG_EDGE, MADT_TRIG_LEVEL };

/* A processor that is enabled or online-capable (others are only counted). */
struct madt_cpu {
	uint32_t apic_id;       /* 8 bits from a type 0 entry, 32 from a type 9 (x2APIC) */
	uint32_t uid;           /* ACPI processor UID: what NMI entries name */
	bool enabled;           /* running or ready to be started */
	bool online_capable;    /* not enabled now, but may be brought online later */
	bool x2apic;            /* listed by a Processor Local x2APIC entry */
};

struct madt_ioapic {
	uint8_t id;
	paddr_t addr;           /* never 0 */
	uint32_t gsi_base;      /* first global system interrupt it serves */
};

/* ISA IRQ irq arrives on global system interrupt gsi (bus is always 0, ISA). */
struct madt_override {
	uint8_t bus;
	uint8_t irq;            /* < 16 */
	uint32_t gsi;
	uint16_t flags;         /* raw MPS INTI flags */
	enum madt_polarity polarity;
	enum madt_trigger trigger;
};

/* The local APIC input lint (0 or 1) of processor uid (or MADT_UID_ALL) is NMI. */
struct madt_lapic_nmi {
	uint32_t uid;
	uint8_t lint;
	uint16_t flags;
	enum madt_polarity polarity;
	enum madt_trigger trigger;
};

/* Global system interrupt gsi is wired to NMI, not to a device. */
struct madt_nmi_source {
	uint32_t gsi;
	uint16_t flags;
	enum madt_polarity polarity;
	enum madt_trigger trigger;
};

/* What went wrong while decoding (struct madt.errors); each was also logged. */
enum {
	MADT_ERR_BAD_ENTRY        = 1u << 0,    /* malformed entry: parsing stopped there */
	MADT_ERR_TOO_MANY_CPUS    = 1u << 1,    /* these five: entries dropped for room */
	MADT_ERR_TOO_MANY_IOAPICS = 1u << 2,
	MADT_ERR_TOO_MANY_OVERRIDES = 1u << 3,
	MADT_ERR_TOO_MANY_NMIS    = 1u << 4,
	MADT_ERR_TOO_MANY_NMI_SOURCES = 1u << 5,
	MADT_ERR_BAD_VALUE        = 1u << 6,    /* a field out of range: entry skipped or
						 * reserved flags read as "conforms" */
	MADT_ERR_DUPLICATE_CPU    = 1u << 7,    /* an APIC id listed twice: the later skipped */
};

#define MADT_ERR_TOO_MANY (MADT_ERR_TOO_MANY_CPUS | MADT_ERR_TOO_MANY_IOAPICS | \
			   MADT_ERR_TOO_MANY_OVERRIDES | MADT_ERR_TOO_MANY_NMIS | \
			   MADT_ERR_TOO_MANY_NMI_SOURCES)

struct madt {
	paddr_t lapic_addr;             /* the header's, or a type 5 override's */
	bool lapic_addr_overridden;
	uint32_t flags;                 /* header flags */
	bool pcat_compat;               /* flags bit 0: dual 8259s present */
	uint32_t errors;                /* MADT_ERR_* */

	size_t cpu_count;
	struct madt_cpu cpus[MADT_MAX_CPUS];
	size_t cpus_disabled;           /* neither enabled nor online-capable: not kept */
	size_t ioapic_count;
	struct madt_ioapic ioapics[MADT_MAX_IOAPICS];
	size_t override_count;
	struct madt_override overrides[MADT_MAX_OVERRIDES];
	size_t nmi_count;
	struct madt_lapic_nmi nmis[MADT_MAX_NMIS];
	size_t nmi_source_count;
	struct madt_nmi_source nmi_sources[MADT_MAX_NMI_SOURCES];
	size_t dropped;                 /* entries dropped because an array was full */
};

/*
 * Decode a MADT of len readable bytes at table into out (cleared first); a is only used
 * for messages and may be NULL (klog() then). The table's
 * checksum is the caller's business (acpi_madt_get() passes one acpi_init() checked);
 * len, not the header's length field, bounds every read. Entries of unknown type are
 * skipped by their length. A malformed entry (length below 2, running past the table,
 * or shorter than its type needs) ends decoding: the entries before it are kept and
 * ACPI_ERR_BAD_ENTRY returned. Entries that do not fit the arrays are counted in
 * out->dropped and give ACPI_ERR_TOO_MANY (BAD_ENTRY wins when both happen). In every
 * case out holds only whole, checked entries; out->errors says what was noticed.
 */
acpi_err_t acpi_madt_parse(const struct acpi *a, const void *table, uint32_t len,
			   struct madt *out);

/* Find the first valid "APIC" table, map it and decode it (ACPI_ERR_NOT_FOUND: none). */
acpi_err_t acpi_madt_get(const struct acpi *a, struct madt *out);

#endif
