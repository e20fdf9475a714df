/*
 * ACPI root of trust: the RSDP (handed over by the boot loader or found in the BIOS
 * areas), the XSDT or RSDT, and the list of tables they point to (acpi.h). The MADT
 * decoder is madt.c; the host tests are tests/host/test_acpi.c.
 *
 * Firmware tables are untrusted input. Physical memory is only read through the
 * caller's map callback, and only inside the range a call returned. A table is listed
 * only after its header was read from a 36-byte mapping, its length checked against
 * [36, ACPI_MAX_TABLE_LEN], the whole length mapped and its bytes found to sum to zero;
 * lookups then use the recorded length, never a header read again later. Each loop is
 * bounded by a length checked before the loop or by a fixed cap, so no table can make
 * the parser run long: at most ACPI_MAX_ROOT_ENTRIES + 2 tables are ever checksummed.
 * A bad table is reported and skipped; the others stay usable.
 *
 * Runs once, at boot (phase 4), before there is a heap: everything lives in the
 * caller's struct acpi.
 */
#include <acpi.h>
#include "acpi_read.h"
#include <kformat.h>
#include <klib.h>

#define RSDP_SIG        "RSD PTR "
#define RSDP_V1_LEN     20u     /* the ACPI 1.0 part, covered by the first checksum */
#define RSDP_V2_LEN     36u     /* with length, XSDT address and extended checksum */

/* The BIOS data area word holding the EBDA's real-mode segment, and the EBDA's bounds:
 * it lies below the 640 KiB video hole, and the RSDP is in its first KiB. */
#define BDA_EBDA_SEG    0x40eu
#define EBDA_MIN        0x500u
#define EBDA_END        0xa0000u
#define EBDA_SCAN_LEN   1024u
#define BIOS_ROM_BASE   0xe0000u
#define BIOS_ROM_LEN    0x20000u

static uint8_t sum_bytes(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	for (size_t i = 0; i < n; i++)
		s = (uint8_t)(s + p[i]);
	return s;
}

/* A printable copy of n firmware bytes, for log lines and for the OEM id. */
static void printable(char *dst, const uint8_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? (char)src[i] : '?';
	dst[n] = '\0';
}

const char *acpi_err_name(acpi_err_t e)
{
	static const char *const names[ACPI_ERR_COUNT] = {
		[ACPI_OK] = "ok",
		[ACPI_ERR_NO_RSDP] = "no RSDP",
		[ACPI_ERR_BAD_SIGNATURE] = "bad signature",
		[ACPI_ERR_BAD_CHECKSUM] = "bad checksum",
		[ACPI_ERR_BAD_LENGTH] = "bad length",
		[ACPI_ERR_BAD_ADDRESS] = "bad address",
		[ACPI_ERR_UNMAPPABLE] = "not in readable memory",
		[ACPI_ERR_NO_ROOT] = "no usable XSDT or RSDT",
		[ACPI_ERR_NOT_FOUND] = "no such table",
		[ACPI_ERR_BAD_ENTRY] = "malformed entry",
		[ACPI_ERR_TOO_MANY] = "more entries than the kernel keeps",
	};

	if ((unsigned)e >= ACPI_ERR_COUNT)
		return "unknown error";
	return names[e];
}

void acpi_report(const struct acpi *a, enum log_level level, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (a && a->log)
		a->log(a->ctx, level, msg);
	else
		klog(level, "acpi: %s", msg);
}

void acpi_setup(struct acpi *a, acpi_map_fn map, acpi_log_fn log, void *ctx)
{
	memset(a, 0, sizeof(*a));
	a->map = map;
	a->log = log;
	a->ctx = ctx;
}

/* ---- RSDP ---------------------------------------------------------------------- */

/*
 * Check the RSDP in avail readable bytes at p, logging nothing (the BIOS search tries
 * many candidates). *note is set when the extended part had to be ignored.
 */
static acpi_err_t rsdp_decode(const uint8_t *p, size_t avail, struct acpi_rsdp *out,
			      const char **note)
{
	memset(out, 0, sizeof(*out));
	*note = NULL;
	if (!p || avail == 0)
		return ACPI_ERR_NO_RSDP;
	if (avail < RSDP_V1_LEN)
		return ACPI_ERR_BAD_LENGTH;
	if (memcmp(p, RSDP_SIG, 8) != 0)
		return ACPI_ERR_BAD_SIGNATURE;
	if (sum_bytes(p, RSDP_V1_LEN) != 0)
		return ACPI_ERR_BAD_CHECKSUM;

	out->revision = p[15];
	printable(out->oem_id, p + 9, 6);
	out->rsdt = pa(rd32(p + 16));
	if (out->revision >= 2) {
		/* The 1.0 part is sound, so a bad extended part costs only the XSDT. */
		uint32_t len = avail >= RSDP_V2_LEN ? rd32(p + 20) : 0;

		if (avail < RSDP_V2_LEN)
			*note = "only its ACPI 1.0 part is available";
		else if (len < RSDP_V2_LEN)
			*note = "its length is below 36";
		else if (len > avail)
			*note = "its length runs past the bytes available";
		else if (sum_bytes(p, len) != 0)
			*note = "its extended checksum is bad";
		else {
			out->extended = true;
			out->xsdt = pa(rd64(p + 24));
		}
	}
	if (!out->rsdt.raw && !out->xsdt.raw)
		return ACPI_ERR_BAD_ADDRESS;
	return ACPI_OK;
}

static void rsdp_note(const struct acpi *a, const struct acpi_rsdp *r, const char *note)
{
	if (note)
		acpi_report(a, LOG_WARN, "RSDP revision %u: extended part ignored (%s); "
			    "using the RSDT", r->revision, note);
}

acpi_err_t acpi_rsdp_parse(const struct acpi *a, const void *p, size_t avail,
			   struct acpi_rsdp *out)
{
	const char *note;
	acpi_err_t e = rsdp_decode(p, avail, out, &note);

	if (e == ACPI_OK)
		rsdp_note(a, out, note);
	else if (e == ACPI_ERR_BAD_ADDRESS)
		acpi_report(a, LOG_WARN, "RSDP rejected: it names no root table");
	else if (e != ACPI_ERR_NO_RSDP)
		acpi_report(a, LOG_WARN, "RSDP rejected: %s", acpi_err_name(e));
	return e;
}

/* Look for a sound RSDP on 16-byte boundaries in [base, base + len). */
static bool search_area(const struct acpi *a, uint64_t base, size_t len,
			struct acpi_rsdp *out)
{
	const uint8_t *p = a->map(a->ctx, pa(base), len);

	if (!p) {
		acpi_report(a, LOG_DEBUG, "RSDP search: 0x%lx-0x%lx is not readable",
			    base, base + len - 1);
		return false;
	}
	for (size_t off = 0; off + RSDP_V1_LEN <= len; off += 16) {
		const char *note;

		if (memcmp(p + off, RSDP_SIG, 8) != 0)
			continue;
		if (rsdp_decode(p + off, len - off, out, &note) != ACPI_OK)
			continue;
		out->found_at = pa(base + off);
		rsdp_note(a, out, note);
		return true;
	}
	return false;
}

acpi_err_t acpi_rsdp_search_bios(const struct acpi *a, struct acpi_rsdp *out)
{
	const uint8_t *bda = a->map(a->ctx, pa(BDA_EBDA_SEG), 2);

	memset(out, 0, sizeof(*out));
	if (bda) {
		uint32_t ebda = (uint32_t)rd16(bda) << 4;

		if (ebda >= EBDA_MIN && ebda <= EBDA_END - EBDA_SCAN_LEN) {
			if (search_area(a, ebda, EBDA_SCAN_LEN, out))
				return ACPI_OK;
		} else if (ebda) {
			acpi_report(a, LOG_DEBUG, "RSDP search: EBDA pointer 0x%x ignored",
				    ebda);
		}
	}
	if (search_area(a, BIOS_ROM_BASE, BIOS_ROM_LEN, out))
		return ACPI_OK;
	memset(out, 0, sizeof(*out));
	return ACPI_ERR_NO_RSDP;
}

acpi_err_t acpi_find_rsdp(const struct acpi *a, const void *copy, size_t copy_len,
			  struct acpi_rsdp *out)
{
	if (copy_len) {
		if (acpi_rsdp_parse(a, copy, copy_len, out) == ACPI_OK)
			return ACPI_OK;
		acpi_report(a, LOG_WARN, "the boot loader's RSDP is unusable; searching "
			    "the BIOS areas");
	}
	if (acpi_rsdp_search_bios(a, out) == ACPI_OK)
		return ACPI_OK;
	acpi_report(a, LOG_ERR, "no valid RSDP: ACPI tables unavailable");
	return ACPI_ERR_NO_RSDP;
}

/* ---- Tables -------------------------------------------------------------------- */

/*
 * Validate the table at phys: header mappable, length in [36, ACPI_MAX_TABLE_LEN], whole
 * table mappable, bytes summing to zero and, when want is set, that signature. Reports
 * what is wrong (what names the table in the message). On success *tp points at the
 * table's *lenp bytes.
 */
static acpi_err_t table_load(const struct acpi *a, paddr_t phys, const char *want,
			     const char *what, const uint8_t **tp, uint32_t *lenp)
{
	char sig[5] = "????";
	acpi_err_t e;
	uint32_t len = 0;
	const uint8_t *h, *t;

	/* Refusing the top MiB of the address space keeps phys + len from wrapping. */
	if (!phys.raw || phys.raw > UINT64_MAX - ACPI_MAX_TABLE_LEN) {
		e = ACPI_ERR_BAD_ADDRESS;
		goto out_reject;
	}
	h = a->map(a->ctx, phys, ACPI_HEADER_LEN);
	if (!h) {
		e = ACPI_ERR_UNMAPPABLE;
		goto out_reject;
	}
	printable(sig, h, 4);
	len = rd32(h + 4);
	if (len < ACPI_HEADER_LEN || len > ACPI_MAX_TABLE_LEN) {
		e = ACPI_ERR_BAD_LENGTH;
		goto out_reject;
	}
	t = a->map(a->ctx, phys, len);
	if (!t) {
		e = ACPI_ERR_UNMAPPABLE;
		goto out_reject;
	}
	/* From here on only the full mapping is read; its header must agree. */
	if (rd32(t + 4) != len) {
		e = ACPI_ERR_BAD_LENGTH;
		goto out_reject;
	}
	if (sum_bytes(t, len) != 0) {
		e = ACPI_ERR_BAD_CHECKSUM;
		goto out_reject;
	}
	if (want && memcmp(t, want, 4) != 0) {
		e = ACPI_ERR_BAD_SIGNATURE;
		goto out_reject;
	}
	*tp = t;
	*lenp = len;
	return ACPI_OK;

out_reject:
	acpi_report(a, LOG_WARN, "%s '%s' at 0x%lx (length %u) rejected: %s", what, sig,
		    phys.raw, len, acpi_err_name(e));
	return e;
}

static bool table_listed(const struct acpi *a, paddr_t phys)
{
	for (size_t i = 0; i < a->table_count; i++)
		if (a->tables[i].phys.raw == phys.raw)
			return true;
	return false;
}

/* Validate the table at phys and list it; want as for table_load(). */
static void table_add(struct acpi *a, paddr_t phys, const char *want, const char *what)
{
	const uint8_t *t;
	uint32_t len;

	if (table_listed(a, phys)) {
		acpi_report(a, LOG_WARN, "table at 0x%lx is listed twice; using it once",
			    phys.raw);
		return;
	}
	if (table_load(a, phys, want, what, &t, &len) != ACPI_OK) {
		a->rejected++;
		return;
	}
	char sig[5];
	printable(sig, t, 4);
	if (a->table_count == ACPI_MAX_TABLES) {
		acpi_report(a, LOG_WARN, "more than %u tables: '%s' at 0x%lx ignored",
			    ACPI_MAX_TABLES, sig, phys.raw);
		a->dropped++;
		return;
	}
	struct acpi_table *rec = &a->tables[a->table_count++];
	memcpy(rec->sig, t, 4);
	rec->sig[4] = '\0';
	rec->revision = t[8];
	rec->length = len;
	rec->phys = phys;
	acpi_report(a, LOG_DEBUG, "  %s rev %u at 0x%lx, %u bytes", sig, rec->revision,
		    phys.raw, len);
}

/*
 * Validate the XSDT (64-bit entries) or RSDT (32-bit entries) at phys and list the
 * tables it points to. Nothing is changed unless the root table itself is sound.
 */
static acpi_err_t root_load(struct acpi *a, paddr_t phys, bool xsdt)
{
	const char *name = xsdt ? "XSDT" : "RSDT";
	size_t esize = xsdt ? 8 : 4;
	const uint8_t *t;
	uint32_t len;

	acpi_err_t e = table_load(a, phys, name, "root table", &t, &len);
	if (e != ACPI_OK)
		return e;
	if ((len - ACPI_HEADER_LEN) % esize != 0) {
		acpi_report(a, LOG_WARN, "%s at 0x%lx rejected: length %u is not the header "
			    "plus whole %zu-byte entries", name, phys.raw, len, esize);
		return ACPI_ERR_BAD_LENGTH;
	}

	size_t n = (len - ACPI_HEADER_LEN) / esize;     /* len <= 1 MiB: no overflow */
	if (n > ACPI_MAX_ROOT_ENTRIES) {
		acpi_report(a, LOG_WARN, "%s lists %zu tables; only the first %u are used",
			    name, n, ACPI_MAX_ROOT_ENTRIES);
		a->dropped += n - ACPI_MAX_ROOT_ENTRIES;
		n = ACPI_MAX_ROOT_ENTRIES;
	}
	a->xsdt = xsdt;
	a->root = phys;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *ent = t + ACPI_HEADER_LEN + i * esize;
		paddr_t p = pa(xsdt ? rd64(ent) : rd32(ent));

		if (!p.raw) {
			acpi_report(a, LOG_WARN, "%s entry %zu is null; skipped", name, i);
			a->rejected++;
			continue;
		}
		table_add(a, p, NULL, "table");
	}
	return ACPI_OK;
}

/*
 * The DSDT is named by the FADT, not by the root table: its 64-bit X_DSDT field (ACPI
 * 2.0+, offset 140) when present and non-zero, else the 32-bit DSDT field (offset 40).
 */
#define FADT_DSDT       40u
#define FADT_X_DSDT     140u

static void dsdt_add(struct acpi *a)
{
	const struct acpi_table *f = acpi_find_table(a, "FACP", 0);
	if (!f)
		return;
	const uint8_t *t = acpi_table_map(a, f);
	if (!t)
		return;

	uint64_t x = f->length >= FADT_X_DSDT + 8 ? rd64(t + FADT_X_DSDT) : 0;
	uint64_t d = f->length >= FADT_DSDT + 4 ? rd32(t + FADT_DSDT) : 0;
	if (x) {
		size_t before = a->table_count;

		table_add(a, pa(x), "DSDT", "DSDT (X_DSDT)");
		if (a->table_count > before || !d || d == x)
			return;
	}
	if (d)
		table_add(a, pa(d), "DSDT", "DSDT");
	else if (!x)
		acpi_report(a, LOG_WARN, "the FADT names no DSDT");
}

acpi_err_t acpi_init(struct acpi *a, const struct acpi_rsdp *rsdp)
{
	acpi_setup(a, a->map, a->log, a->ctx);          /* forget an earlier run */
	a->revision = rsdp->revision;
	memcpy(a->oem_id, rsdp->oem_id, sizeof(a->oem_id));
	a->oem_id[sizeof(a->oem_id) - 1] = '\0';

	acpi_err_t e = ACPI_ERR_NO_ROOT;
	if (rsdp->extended && rsdp->xsdt.raw) {
		e = root_load(a, rsdp->xsdt, true);
		if (e != ACPI_OK && rsdp->rsdt.raw)
			acpi_report(a, LOG_WARN, "XSDT unusable (%s); falling back to the RSDT",
				    acpi_err_name(e));
	}
	if (e != ACPI_OK && rsdp->rsdt.raw)
		e = root_load(a, rsdp->rsdt, false);
	if (e != ACPI_OK) {
		acpi_report(a, LOG_ERR, "no usable XSDT or RSDT: ACPI tables unavailable");
		return ACPI_ERR_NO_ROOT;
	}
	dsdt_add(a);
	acpi_report(a, LOG_INFO, "ACPI rev %u, OEM '%s': %s at 0x%lx, %zu tables "
		    "(%u rejected, %u ignored)", a->revision, a->oem_id,
		    a->xsdt ? "XSDT" : "RSDT", a->root.raw, a->table_count, a->rejected,
		    a->dropped);
	return ACPI_OK;
}

const struct acpi_table *acpi_find_table(const struct acpi *a, const char *sig,
					 size_t index)
{
	for (size_t i = 0; i < a->table_count; i++)
		if (memcmp(a->tables[i].sig, sig, 4) == 0 && index-- == 0)
			return &a->tables[i];
	return NULL;
}

const void *acpi_table_map(const struct acpi *a, const struct acpi_table *t)
{
	return a->map(a->ctx, t->phys, t->length);
}
