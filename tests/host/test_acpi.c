/*
 * ACPI table parsing (kernel/acpi/acpi.c, kernel/acpi/madt.c) on synthetic firmware.
 *
 * Physical memory is a fake array covering [0, FAKE_SIZE). The map callback refuses any
 * range outside it and hands out a fresh heap copy of exactly the bytes asked for, so
 * AddressSanitizer catches a read past any range the parser mapped, not only past the
 * array. Messages go to a sink that counts them and keeps their text, so tests check
 * that a problem was reported as well as what was decoded. ACPI_TEST_VERBOSE=1 in the
 * environment echoes them to stderr.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <acpi.h>

/* ---- Fake physical memory and log sink --------------------------------------------- */

#define FAKE_SIZE       0x110000u       /* real mode area, BIOS ROM, then 64 KiB */

/* Where the standard image puts its tables. */
#define XSDT_AT         0x100000u
#define RSDT_AT         0x100400u
#define FADT_AT         0x100800u
#define DSDT_AT         0x100c00u
#define HPET_AT         0x101000u
#define MCFG_AT         0x101100u
#define MADT_AT         0x102000u       /* room up to FAKE_SIZE for big MADTs */
#define EBDA_AT         0x9fc00u

struct fake {
	uint8_t *mem;
	void **copies;                  /* every pointer map handed out, freed on reset */
	size_t ncopies, cap;
	size_t map_calls, bad_calls;    /* bad: len 0 or a range that wraps */
	uint64_t max_len;               /* longest range asked for */
	bool store_log;
	unsigned nlog[4];
	char log[16384];
	size_t loglen;
};

static struct fake F;
static struct acpi A;

static void fake_release(void)
{
	for (size_t i = 0; i < F.ncopies; i++)
		free(F.copies[i]);
	F.ncopies = 0;
}

static const void *fake_map(void *ctx, paddr_t phys, size_t len)
{
	struct fake *f = ctx;

	f->map_calls++;
	if (len > f->max_len)
		f->max_len = len;
	if (len == 0 || phys.raw + len < phys.raw) {
		f->bad_calls++;
		return NULL;
	}
	if (phys.raw >= FAKE_SIZE || len > FAKE_SIZE - phys.raw)
		return NULL;
	if (f->ncopies == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 64;
		f->copies = realloc(f->copies, f->cap * sizeof(*f->copies));
	}
	void *c = malloc(len);
	memcpy(c, f->mem + phys.raw, len);
	f->copies[f->ncopies++] = c;
	return c;
}

static void sink(void *ctx, enum log_level level, const char *msg)
{
	struct fake *f = ctx;
	static int verbose = -1;

	if (verbose < 0)
		verbose = getenv("ACPI_TEST_VERBOSE") != NULL;
	if (verbose)
		fprintf(stderr, "[acpi %d] %s\n", (int)level, msg);
	if ((unsigned)level < 4)
		f->nlog[level]++;
	if (!f->store_log)
		return;
	size_t n = strlen(msg);
	if (f->loglen + n + 2 <= sizeof(f->log)) {
		memcpy(f->log + f->loglen, msg, n);
		f->loglen += n;
		f->log[f->loglen++] = '\n';
		f->log[f->loglen] = '\0';
	}
}

static void log_clear(void)
{
	memset(F.nlog, 0, sizeof(F.nlog));
	F.loglen = 0;
	F.log[0] = '\0';
}

static bool logged(const char *s)
{
	return strstr(F.log, s) != NULL;
}

static void setup(void)
{
	memset(&F, 0, sizeof(F));
	F.mem = calloc(1, FAKE_SIZE);
	F.store_log = true;
	acpi_setup(&A, fake_map, sink, &F);
}

static void teardown(void)
{
	fake_release();
	free(F.copies);
	free(F.mem);
	memset(&F, 0, sizeof(F));
}

TestSuite(rsdp, .init = setup, .fini = teardown);
TestSuite(bios, .init = setup, .fini = teardown);
TestSuite(tables, .init = setup, .fini = teardown);
TestSuite(madt, .init = setup, .fini = teardown);
TestSuite(fuzz, .init = setup, .fini = teardown);

/* ---- Building firmware ------------------------------------------------------------- */

static uint8_t *P(uint64_t phys) { return F.mem + phys; }
static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* Make the table at phys sum to zero over its own length field, if that is in memory. */
static void fix_sum(uint64_t phys)
{
	uint32_t len = get32(P(phys) + 4);

	if (len < 10 || len > FAKE_SIZE - phys)
		return;
	P(phys)[9] = 0;
	P(phys)[9] = (uint8_t)-sum(P(phys), len);
}

static void hdr(uint64_t phys, const char *sig, uint32_t len, uint8_t rev)
{
	uint8_t *t = P(phys);

	memset(t, 0, ACPI_HEADER_LEN);
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = rev;
	memcpy(t + 10, "MNOSTS", 6);
	memcpy(t + 16, "TESTTBL ", 8);
	put32(t + 24, 1);
	memcpy(t + 28, "MNOS", 4);
	put32(t + 32, 1);
}

/* A table with a recognisable body. */
static void put_table(uint64_t phys, const char *sig, uint32_t len, uint8_t rev)
{
	hdr(phys, sig, len, rev);
	for (uint32_t i = ACPI_HEADER_LEN; i < len; i++)
		P(phys)[i] = (uint8_t)(i * 7 + sig[0]);
	fix_sum(phys);
}

static void put_xsdt(uint64_t phys, const uint64_t *e, size_t n)
{
	hdr(phys, "XSDT", (uint32_t)(ACPI_HEADER_LEN + 8 * n), 1);
	for (size_t i = 0; i < n; i++)
		put64(P(phys) + ACPI_HEADER_LEN + 8 * i, e[i]);
	fix_sum(phys);
}

static void put_rsdt(uint64_t phys, const uint32_t *e, size_t n)
{
	hdr(phys, "RSDT", (uint32_t)(ACPI_HEADER_LEN + 4 * n), 1);
	for (size_t i = 0; i < n; i++)
		put32(P(phys) + ACPI_HEADER_LEN + 4 * i, e[i]);
	fix_sum(phys);
}

/* A FADT of len bytes naming the DSDT by its 32-bit and (if len allows) 64-bit field. */
static void put_fadt(uint64_t phys, uint32_t len, uint32_t dsdt, uint64_t x_dsdt)
{
	hdr(phys, "FACP", len, len >= 244 ? 6 : 1);
	memset(P(phys) + ACPI_HEADER_LEN, 0, len - ACPI_HEADER_LEN);
	put32(P(phys) + 40, dsdt);
	if (len >= 148)
		put64(P(phys) + 140, x_dsdt);
	fix_sum(phys);
}

/* Both RSDP checksums, as far as avail bytes and the length field allow. */
static void rsdp_fix(uint8_t *p, size_t avail)
{
	p[8] = 0;
	p[8] = (uint8_t)-sum(p, 20);
	if (p[15] >= 2 && avail >= 36) {
		uint32_t len = get32(p + 20);
		if (len >= 33 && len <= avail) {
			p[32] = 0;
			p[32] = (uint8_t)-sum(p, len);
		}
	}
}

/* An RSDP: 36 bytes for revision 2 and up, else 20. Returns its length. */
static size_t put_rsdp(uint8_t *p, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	size_t n = rev >= 2 ? 36 : 20;

	memset(p, 0, n);
	memcpy(p, "RSD PTR ", 8);
	memcpy(p + 9, "MNOSFW", 6);
	p[15] = rev;
	put32(p + 16, rsdt);
	if (rev >= 2) {
		put32(p + 20, 36);
		put64(p + 24, xsdt);
	}
	rsdp_fix(p, n);
	return n;
}

/* MADT builder: a head, then entries appended as raw bytes. */
struct mb {
	uint64_t phys;
	uint32_t len;
};

static void mb_begin(struct mb *b, uint64_t phys, uint32_t lapic, uint32_t flags)
{
	hdr(phys, "APIC", 44, 5);
	put32(P(phys) + 36, lapic);
	put32(P(phys) + 40, flags);
	b->phys = phys;
	b->len = 44;
}

static void mb_raw(struct mb *b, const uint8_t *e, size_t n)
{
	memcpy(P(b->phys + b->len), e, n);
	b->len += (uint32_t)n;
}

static void mb_end(struct mb *b)
{
	put32(P(b->phys) + 4, b->len);
	fix_sum(b->phys);
}

static void m_lapic(struct mb *b, uint8_t uid, uint8_t id, uint32_t flags)
{
	uint8_t e[8] = { 0, 8, uid, id };
	put32(e + 4, flags);
	mb_raw(b, e, sizeof(e));
}

static void m_ioapic(struct mb *b, uint8_t id, uint32_t addr, uint32_t gsi_base)
{
	uint8_t e[12] = { 1, 12, id, 0 };
	put32(e + 4, addr);
	put32(e + 8, gsi_base);
	mb_raw(b, e, sizeof(e));
}

static void m_iso(struct mb *b, uint8_t bus, uint8_t irq, uint32_t gsi, uint16_t flags)
{
	uint8_t e[10] = { 2, 10, bus, irq };
	put32(e + 4, gsi);
	put16(e + 8, flags);
	mb_raw(b, e, sizeof(e));
}

static void m_nmi_src(struct mb *b, uint16_t flags, uint32_t gsi)
{
	uint8_t e[8] = { 3, 8 };
	put16(e + 2, flags);
	put32(e + 4, gsi);
	mb_raw(b, e, sizeof(e));
}

static void m_lapic_nmi(struct mb *b, uint8_t uid, uint16_t flags, uint8_t lint)
{
	uint8_t e[6] = { 4, 6, uid };
	put16(e + 3, flags);
	e[5] = lint;
	mb_raw(b, e, sizeof(e));
}

static void m_lapic_addr(struct mb *b, uint64_t addr)
{
	uint8_t e[12] = { 5, 12 };
	put64(e + 4, addr);
	mb_raw(b, e, sizeof(e));
}

static void m_x2apic(struct mb *b, uint32_t id, uint32_t flags, uint32_t uid)
{
	uint8_t e[16] = { 9, 16 };
	put32(e + 4, id);
	put32(e + 8, flags);
	put32(e + 12, uid);
	mb_raw(b, e, sizeof(e));
}

static void m_x2nmi(struct mb *b, uint16_t flags, uint32_t uid, uint8_t lint)
{
	uint8_t e[12] = { 10, 12 };
	put16(e + 2, flags);
	put32(e + 4, uid);
	e[8] = lint;
	mb_raw(b, e, sizeof(e));
}

/* A MADT like QEMU's q35: two CPUs and a disabled third, one I/O APIC, the usual ISA
 * overrides, LINT1 as NMI for all. */
static uint32_t put_sound_madt(uint64_t phys)
{
	struct mb b;

	mb_begin(&b, phys, 0xfee00000, 1);
	m_lapic(&b, 0, 0, 1);
	m_lapic(&b, 1, 1, 1);
	m_lapic(&b, 2, 2, 0);
	m_ioapic(&b, 0, 0xfec00000, 0);
	m_iso(&b, 0, 0, 2, 0);
	m_iso(&b, 0, 5, 5, 0xd);
	m_iso(&b, 0, 9, 9, 0xd);
	m_iso(&b, 0, 10, 10, 0xd);
	m_iso(&b, 0, 11, 11, 0xd);
	m_lapic_nmi(&b, 0xff, 0, 1);
	mb_end(&b);
	return b.len;
}

/*
 * A sound ACPI 2.0 image: XSDT and RSDT both listing FADT, MADT, HPET and MCFG, the
 * FADT naming the DSDT. Writes the RSDP copy a boot loader would hand over into rsdp
 * (36 bytes) and returns its length.
 */
static size_t build_sound(uint8_t *rsdp, uint8_t rev)
{
	static const uint64_t x[] = { FADT_AT, MADT_AT, HPET_AT, MCFG_AT };
	static const uint32_t r[] = { FADT_AT, MADT_AT, HPET_AT, MCFG_AT };

	put_fadt(FADT_AT, 276, DSDT_AT, DSDT_AT);
	put_table(DSDT_AT, "DSDT", 64, 2);
	put_table(HPET_AT, "HPET", 56, 1);
	put_table(MCFG_AT, "MCFG", 60, 1);
	put_sound_madt(MADT_AT);
	put_xsdt(XSDT_AT, x, 4);
	put_rsdt(RSDT_AT, r, 4);
	return put_rsdp(rsdp, rev, RSDT_AT, XSDT_AT);
}

/* Parse the MADT at phys from an exact-size heap copy of its first len bytes. */
static acpi_err_t parse_madt_at(uint64_t phys, uint32_t len, struct madt *m)
{
	uint8_t *copy = malloc(len ? len : 1);
	memcpy(copy, P(phys), len);
	acpi_err_t e = acpi_madt_parse(&A, copy, len, m);
	free(copy);
	return e;
}

static acpi_err_t parse_mb(const struct mb *b, struct madt *m)
{
	return parse_madt_at(b->phys, b->len, m);
}

static struct madt M;

/* ---- RSDP ---------------------------------------------------------------------------- */

Test(rsdp, acpi2_copy)
{
	uint8_t r[36];
	struct acpi_rsdp o;

	put_rsdp(r, 2, 0x12345678, 0x123456789aull);
	cr_assert_eq(acpi_rsdp_parse(&A, r, 36, &o), ACPI_OK);
	cr_expect_eq(o.revision, 2);
	cr_expect(o.extended);
	cr_expect_eq(o.rsdt.raw, 0x12345678);
	cr_expect_eq(o.xsdt.raw, 0x123456789aull);
	cr_expect_eq(o.found_at.raw, 0);
	cr_expect_str_eq(o.oem_id, "MNOSFW");
	cr_expect_eq(F.nlog[LOG_WARN] + F.nlog[LOG_ERR], 0);
}

Test(rsdp, acpi1_copy)
{
	uint8_t r[20];
	struct acpi_rsdp o;

	put_rsdp(r, 0, 0xe0000, 0);
	cr_assert_eq(acpi_rsdp_parse(&A, r, 20, &o), ACPI_OK);
	cr_expect_eq(o.revision, 0);
	cr_expect(!o.extended);
	cr_expect_eq(o.rsdt.raw, 0xe0000);
	cr_expect_eq(o.xsdt.raw, 0);
	cr_expect_eq(F.nlog[LOG_WARN], 0);
}

Test(rsdp, oem_id_is_printable)
{
	uint8_t r[20];
	struct acpi_rsdp o;

	put_rsdp(r, 0, 0x1000, 0);
	memcpy(r + 9, "A\0B\x1b" "C\xff", 6);
	rsdp_fix(r, 20);
	cr_assert_eq(acpi_rsdp_parse(&A, r, 20, &o), ACPI_OK);
	cr_expect_str_eq(o.oem_id, "A?B?C?");
}

Test(rsdp, rejected_signature_checksum_length)
{
	uint8_t r[36];
	struct acpi_rsdp o;

	put_rsdp(r, 2, 0x1000, 0x2000);
	r[3] = 'X';
	rsdp_fix(r, 36);
	cr_expect_eq(acpi_rsdp_parse(&A, r, 36, &o), ACPI_ERR_BAD_SIGNATURE);

	put_rsdp(r, 2, 0x1000, 0x2000);
	r[17] ^= 0x40;                          /* RSDT address: first checksum now wrong */
	log_clear();
	cr_expect_eq(acpi_rsdp_parse(&A, r, 36, &o), ACPI_ERR_BAD_CHECKSUM);
	cr_expect(logged("RSDP rejected: bad checksum"));

	put_rsdp(r, 0, 0x1000, 0);
	cr_expect_eq(acpi_rsdp_parse(&A, r, 19, &o), ACPI_ERR_BAD_LENGTH);
	cr_expect_eq(acpi_rsdp_parse(&A, r, 0, &o), ACPI_ERR_NO_RSDP);
	cr_expect_eq(acpi_rsdp_parse(&A, NULL, 36, &o), ACPI_ERR_NO_RSDP);
	cr_expect_eq(o.rsdt.raw, 0);            /* cleared on failure */
}

Test(rsdp, names_no_root_table)
{
	uint8_t r[36];
	struct acpi_rsdp o;

	put_rsdp(r, 0, 0, 0);
	cr_expect_eq(acpi_rsdp_parse(&A, r, 20, &o), ACPI_ERR_BAD_ADDRESS);
	put_rsdp(r, 2, 0, 0);
	cr_expect_eq(acpi_rsdp_parse(&A, r, 36, &o), ACPI_ERR_BAD_ADDRESS);
	put_rsdp(r, 2, 0, 0x5000);              /* XSDT only: fine */
	cr_expect_eq(acpi_rsdp_parse(&A, r, 36, &o), ACPI_OK);
	cr_expect_eq(o.xsdt.raw, 0x5000);
}

Test(rsdp, bad_extended_checksum_falls_back_to_rsdt)
{
	uint8_t r[36];
	struct acpi_rsdp o;

	put_rsdp(r, 2, 0x1000, 0x2000);
	r[33] ^= 1;                             /* reserved byte: only the extended sum */
	cr_assert_eq(acpi_rsdp_parse(&A, r, 36, &o), ACPI_OK);
	cr_expect(!o.extended);
	cr_expect_eq(o.xsdt.raw, 0);
	cr_expect_eq(o.rsdt.raw, 0x1000);
	cr_expect_eq(F.nlog[LOG_WARN], 1);
	cr_expect(logged("extended checksum is bad"));

	/* With no RSDT to fall back on, the RSDP is useless. */
	put_rsdp(r, 2, 0, 0x2000);
	r[33] ^= 1;
	cr_expect_eq(acpi_rsdp_parse(&A, r, 36, &o), ACPI_ERR_BAD_ADDRESS);
}

Test(rsdp, extended_length_checked)
{
	uint8_t r[36];
	struct acpi_rsdp o;

	put_rsdp(r, 2, 0x1000, 0x2000);
	put32(r + 20, 20);                      /* below 36 */
	rsdp_fix(r, 36);
	cr_assert_eq(acpi_rsdp_parse(&A, r, 36, &o), ACPI_OK);
	cr_expect(!o.extended);
	cr_expect(logged("length is below 36"));

	log_clear();
	put_rsdp(r, 2, 0x1000, 0x2000);
	put32(r + 20, 40);                      /* more than the copy holds */
	rsdp_fix(r, 36);
	cr_assert_eq(acpi_rsdp_parse(&A, r, 36, &o), ACPI_OK);
	cr_expect(!o.extended);
	cr_expect(logged("runs past the bytes available"));

	log_clear();
	put_rsdp(r, 2, 0x1000, 0x2000);         /* revision 2, but a 20-byte copy */
	cr_assert_eq(acpi_rsdp_parse(&A, r, 20, &o), ACPI_OK);
	cr_expect(!o.extended);
	cr_expect_eq(o.revision, 2);
	cr_expect(logged("only its ACPI 1.0 part"));
}

/* ---- BIOS-area search ---------------------------------------------------------------- */

Test(bios, found_in_ebda_first)
{
	struct acpi_rsdp o;

	put16(P(0x40e), EBDA_AT >> 4);
	put_rsdp(P(EBDA_AT + 0x30), 2, 0x11111, 0x22222);
	put_rsdp(P(0xf0000), 0, 0x33333, 0);    /* also one in the BIOS ROM: later */
	cr_assert_eq(acpi_rsdp_search_bios(&A, &o), ACPI_OK);
	cr_expect_eq(o.found_at.raw, EBDA_AT + 0x30);
	cr_expect(o.extended);
	cr_expect_eq(o.rsdt.raw, 0x11111);
	cr_expect_eq(o.xsdt.raw, 0x22222);
	cr_expect_eq(F.bad_calls, 0);
}

Test(bios, ebda_only_searched_in_its_first_kib)
{
	struct acpi_rsdp o;

	put16(P(0x40e), EBDA_AT >> 4);
	put_rsdp(P(EBDA_AT + 0x400), 0, 0x11111, 0);
	cr_expect_eq(acpi_rsdp_search_bios(&A, &o), ACPI_ERR_NO_RSDP);
}

Test(bios, found_in_rom_area_skipping_bad_candidates)
{
	struct acpi_rsdp o;

	put16(P(0x40e), 0);                     /* no EBDA */
	put_rsdp(P(0xe1000), 0, 0x44444, 0);
	P(0xe1000)[16] ^= 1;                    /* checksum now bad: skipped */
	put_rsdp(P(0xe2008), 0, 0x55555, 0);    /* not on a 16-byte boundary: not seen */
	put_rsdp(P(0xf5a40), 0, 0x66666, 0);
	cr_assert_eq(acpi_rsdp_search_bios(&A, &o), ACPI_OK);
	cr_expect_eq(o.found_at.raw, 0xf5a40);
	cr_expect_eq(o.rsdt.raw, 0x66666);
	cr_expect(!o.extended);
}

Test(bios, candidate_at_the_end_of_the_rom_area)
{
	struct acpi_rsdp o;

	/* A revision 2 RSDP with only 32 bytes before 1 MiB: its 1.0 part is used. */
	put_rsdp(P(0xfffe0), 2, 0x77777, 0x88888);
	cr_assert_eq(acpi_rsdp_search_bios(&A, &o), ACPI_OK);
	cr_expect_eq(o.found_at.raw, 0xfffe0);
	cr_expect(!o.extended);
	cr_expect_eq(o.rsdt.raw, 0x77777);
	cr_expect(logged("only its ACPI 1.0 part is available"));

	/* 48 bytes left, and its length says 64: the extended part is not summed. */
	memset(P(0xfffe0), 0, 32);
	put_rsdp(P(0xfffd0), 2, 0x77777, 0x88888);
	put32(P(0xfffd0) + 20, 64);
	rsdp_fix(P(0xfffd0), 48);
	log_clear();
	cr_assert_eq(acpi_rsdp_search_bios(&A, &o), ACPI_OK);
	cr_expect_eq(o.found_at.raw, 0xfffd0);
	cr_expect(!o.extended);
	cr_expect(logged("runs past the bytes available"));
	memset(P(0xfffd0), 0, 48);

	/* 16 bytes before 1 MiB can never hold one. */
	memset(P(0xfffe0), 0, 32);
	memcpy(P(0xffff0), "RSD PTR ", 8);
	cr_expect_eq(acpi_rsdp_search_bios(&A, &o), ACPI_ERR_NO_RSDP);
}

Test(bios, absent_and_bogus_ebda_pointer)
{
	struct acpi_rsdp o;

	cr_expect_eq(acpi_rsdp_search_bios(&A, &o), ACPI_ERR_NO_RSDP);
	put16(P(0x40e), 0xffff);                /* EBDA "at" 0xffff0: ignored */
	cr_expect_eq(acpi_rsdp_search_bios(&A, &o), ACPI_ERR_NO_RSDP);
	put16(P(0x40e), 0x0010);                /* inside the IVT: ignored */
	put_rsdp(P(0x100), 0, 0x1234, 0);
	cr_expect_eq(acpi_rsdp_search_bios(&A, &o), ACPI_ERR_NO_RSDP);
	cr_expect_eq(F.bad_calls, 0);
}

static const void *refuse_map(void *ctx, paddr_t phys, size_t len)
{
	struct fake *f = ctx;

	f->map_calls++;
	return NULL;
}

Test(bios, unreadable_areas)
{
	struct acpi_rsdp o;
	struct acpi none;

	/* The RSDP is there, but the map callback gives nothing out: nothing is read. */
	acpi_setup(&none, refuse_map, sink, &F);
	put_rsdp(P(0xf0000), 0, 0x1234, 0);
	cr_expect_eq(acpi_rsdp_search_bios(&none, &o), ACPI_ERR_NO_RSDP);
	cr_expect_eq(F.map_calls, 2);           /* the BDA word and the ROM area */
	cr_expect_eq(acpi_rsdp_search_bios(&A, &o), ACPI_OK);
}

Test(bios, find_rsdp_prefers_copy_then_searches)
{
	uint8_t r[36];
	struct acpi_rsdp o;

	put_rsdp(P(0xe0040), 0, 0x9999, 0);
	put_rsdp(r, 2, 0x1000, 0x2000);
	cr_assert_eq(acpi_find_rsdp(&A, r, 36, &o), ACPI_OK);
	cr_expect_eq(o.xsdt.raw, 0x2000);
	cr_expect_eq(o.found_at.raw, 0);

	r[0] = 'X';                             /* copy broken: the search finds one */
	log_clear();
	cr_assert_eq(acpi_find_rsdp(&A, r, 36, &o), ACPI_OK);
	cr_expect_eq(o.rsdt.raw, 0x9999);
	cr_expect_eq(o.found_at.raw, 0xe0040);
	cr_expect(logged("searching the BIOS areas"));

	cr_assert_eq(acpi_find_rsdp(&A, NULL, 0, &o), ACPI_OK);   /* no copy at all */
	cr_expect_eq(o.found_at.raw, 0xe0040);

	memset(P(0xe0040), 0, 20);
	log_clear();
	cr_expect_eq(acpi_find_rsdp(&A, r, 36, &o), ACPI_ERR_NO_RSDP);
	cr_expect_eq(F.nlog[LOG_ERR], 1);
	cr_expect(logged("no valid RSDP"));
}

/* ---- Root table and table list ------------------------------------------------------- */

static void load(const uint8_t *r, size_t n)
{
	struct acpi_rsdp o;

	cr_assert_eq(acpi_rsdp_parse(&A, r, n, &o), ACPI_OK);
	log_clear();
	cr_assert_eq(acpi_init(&A, &o), ACPI_OK);
}

static void expect_standard_tables(void)
{
	const struct acpi_table *t;

	t = acpi_find_table(&A, "FACP", 0);
	cr_assert_not_null(t);
	cr_expect_eq(t->phys.raw, FADT_AT);
	cr_expect_eq(t->length, 276);
	cr_expect_eq(t->revision, 6);
	t = acpi_find_table(&A, "HPET", 0);
	cr_assert_not_null(t);
	cr_expect_eq(t->phys.raw, HPET_AT);
	cr_expect_eq(t->length, 56);
	cr_expect_str_eq(t->sig, "HPET");
	t = acpi_find_table(&A, "MCFG", 0);
	cr_assert_not_null(t);
	cr_expect_eq(t->length, 60);
	t = acpi_find_table(&A, "APIC", 0);
	cr_assert_not_null(t);
	cr_expect_eq(t->phys.raw, MADT_AT);
	t = acpi_find_table(&A, "DSDT", 0);
	cr_assert_not_null(t);
	cr_expect_eq(t->phys.raw, DSDT_AT);
	cr_expect_eq(t->length, 64);
	cr_expect_null(acpi_find_table(&A, "APIC", 1));
	cr_expect_null(acpi_find_table(&A, "SSDT", 0));
}

Test(tables, acpi2_uses_xsdt)
{
	uint8_t r[36];
	size_t n = build_sound(r, 2);

	load(r, n);
	cr_expect(A.xsdt);
	cr_expect_eq(A.root.raw, XSDT_AT);
	cr_expect_eq(A.revision, 2);
	cr_expect_str_eq(A.oem_id, "MNOSFW");
	cr_expect_eq(A.table_count, 5);
	cr_expect_eq(A.rejected, 0);
	cr_expect_eq(A.dropped, 0);
	cr_expect_eq(F.nlog[LOG_WARN] + F.nlog[LOG_ERR], 0);
	cr_expect_eq(F.nlog[LOG_INFO], 1);
	expect_standard_tables();

	/* A mapped table is the firmware's bytes, all of them. */
	const struct acpi_table *t = acpi_find_table(&A, "HPET", 0);
	const uint8_t *p = acpi_table_map(&A, t);
	cr_assert_not_null(p);
	cr_expect(memcmp(p, P(HPET_AT), 56) == 0);
	cr_expect_eq(F.bad_calls, 0);
}

Test(tables, acpi1_uses_rsdt)
{
	uint8_t r[36];
	size_t n = build_sound(r, 0);

	cr_assert_eq(n, 20);
	load(r, n);
	cr_expect(!A.xsdt);
	cr_expect_eq(A.root.raw, RSDT_AT);
	cr_expect_eq(A.table_count, 5);
	expect_standard_tables();
}

Test(tables, xsdt_address_zero_uses_rsdt)
{
	uint8_t r[36];

	build_sound(r, 2);
	put_rsdp(r, 2, RSDT_AT, 0);
	load(r, 36);
	cr_expect(!A.xsdt);
	cr_expect_eq(A.table_count, 5);
}

/* Break the XSDT with f, then expect the RSDT to be used with a warning. */
static void xsdt_fallback(void (*f)(void), const char *why)
{
	uint8_t r[36];

	build_sound(r, 2);
	f();
	load(r, 36);
	cr_expect(!A.xsdt, "%s", why);
	cr_expect_eq(A.root.raw, RSDT_AT, "%s", why);
	cr_expect_eq(A.table_count, 5, "%s", why);
	cr_expect(logged("falling back to the RSDT"), "%s", why);
	expect_standard_tables();
}

static void xsdt_bad_checksum(void) { P(XSDT_AT)[40] ^= 0x10; }
static void xsdt_bad_signature(void) { memcpy(P(XSDT_AT), "XSDX", 4); fix_sum(XSDT_AT); }
static void xsdt_partial_entry(void)
{
	put32(P(XSDT_AT) + 4, ACPI_HEADER_LEN + 8 * 4 - 4);    /* 3.5 entries */
	fix_sum(XSDT_AT);
}
static void xsdt_short(void) { put32(P(XSDT_AT) + 4, 35); fix_sum(XSDT_AT); }
static void xsdt_huge(void) { put32(P(XSDT_AT) + 4, ACPI_MAX_TABLE_LEN + 1); }
static void xsdt_past_memory(void) { put32(P(XSDT_AT) + 4, 0x10001); fix_sum(XSDT_AT); }

Test(tables, broken_xsdt_falls_back_to_rsdt)
{
	xsdt_fallback(xsdt_bad_checksum, "checksum");
	xsdt_fallback(xsdt_bad_signature, "signature");
	xsdt_fallback(xsdt_partial_entry, "partial entry");
	cr_expect(logged("not the header plus whole 8-byte entries"));
	xsdt_fallback(xsdt_short, "length below the header");
	xsdt_fallback(xsdt_huge, "length above the cap");
	cr_expect(F.max_len <= ACPI_MAX_TABLE_LEN, "never asks to map more than the cap");
	xsdt_fallback(xsdt_past_memory, "runs past readable memory");
}

Test(tables, xsdt_unmappable_falls_back)
{
	uint8_t r[36];

	build_sound(r, 2);
	put_rsdp(r, 2, RSDT_AT, 0x7fff0000ull);         /* beyond the fake memory */
	load(r, 36);
	cr_expect(!A.xsdt);
	cr_expect(logged("not in readable memory"));
	cr_expect_eq(A.table_count, 5);
}

Test(tables, no_usable_root)
{
	uint8_t r[36];
	struct acpi_rsdp o;

	build_sound(r, 2);
	P(XSDT_AT)[40] ^= 1;
	put32(P(RSDT_AT) + 4, ACPI_HEADER_LEN + 6);    /* 1.5 entries */
	fix_sum(RSDT_AT);
	cr_assert_eq(acpi_rsdp_parse(&A, r, 36, &o), ACPI_OK);
	cr_expect_eq(acpi_init(&A, &o), ACPI_ERR_NO_ROOT);
	cr_expect_eq(A.table_count, 0);
	cr_expect(logged("not the header plus whole 4-byte entries"));
	cr_expect(logged("no usable XSDT or RSDT"));
	cr_expect_null(acpi_find_table(&A, "APIC", 0));
	cr_expect_eq(acpi_madt_get(&A, &M), ACPI_ERR_NOT_FOUND);
}

Test(tables, bad_table_skipped_others_kept)
{
	uint8_t r[36];

	build_sound(r, 2);
	P(HPET_AT)[50] ^= 0x80;                 /* HPET checksum now wrong */
	load(r, 36);
	cr_expect(A.xsdt);
	cr_expect_eq(A.table_count, 4);
	cr_expect_eq(A.rejected, 1);
	cr_expect_null(acpi_find_table(&A, "HPET", 0));
	cr_expect_not_null(acpi_find_table(&A, "APIC", 0));
	cr_expect_not_null(acpi_find_table(&A, "MCFG", 0));
	cr_expect(logged("'HPET' at 0x101000 (length 56) rejected: bad checksum"));
}

Test(tables, lengths_checked_before_use)
{
	uint8_t r[36];
	static const uint64_t x[] = { HPET_AT, MCFG_AT, 0x10fff0, 0x200000, DSDT_AT };

	build_sound(r, 2);
	put32(P(HPET_AT) + 4, 20);              /* below the header */
	fix_sum(HPET_AT);
	put32(P(MCFG_AT) + 4, ACPI_MAX_TABLE_LEN + 1);
	memcpy(P(0x10fff0), "SSDT", 4);         /* header not even whole in memory */
	put32(P(0x10fff0) + 4, 0x100);
	put_table(DSDT_AT, "SSDT", 64, 2);
	put32(P(DSDT_AT) + 4, 0x100000);        /* runs past the end of memory */
	put_xsdt(XSDT_AT, x, 5);
	load(r, 36);
	cr_expect_eq(A.table_count, 0);
	cr_expect_eq(A.rejected, 5);
	cr_expect(logged("'HPET' at 0x101000 (length 20) rejected: bad length"));
	cr_expect(logged("'MCFG' at 0x101100 (length 1048577) rejected: bad length"));
	cr_expect(logged("'?\?\?\?' at 0x10fff0 (length 0) rejected: not in readable memory"));
	cr_expect(logged("at 0x200000 (length 0) rejected: not in readable memory"));
	cr_expect(logged("'SSDT' at 0x100c00 (length 1048576) rejected: not in readable"));
	cr_expect(F.max_len <= ACPI_MAX_TABLE_LEN);
	cr_expect_eq(F.bad_calls, 0);
}

Test(tables, wrapping_addresses_never_mapped)
{
	uint8_t r[36];
	static const uint64_t x[] = { 0xfffffffffffffff0ull, 0xffffffffffffff00ull, MADT_AT };

	build_sound(r, 2);
	put_xsdt(XSDT_AT, x, 3);
	load(r, 36);
	cr_expect_eq(A.table_count, 1);
	cr_expect_eq(A.rejected, 2);
	cr_expect(logged("rejected: bad address"));
	cr_expect_eq(F.bad_calls, 0);
}

Test(tables, null_and_duplicate_entries)
{
	uint8_t r[36];
	static const uint64_t x[] = { MADT_AT, 0, HPET_AT, MADT_AT, HPET_AT };

	build_sound(r, 2);
	put_xsdt(XSDT_AT, x, 5);
	put_fadt(FADT_AT, 276, 0, 0);           /* unused now: not listed */
	load(r, 36);
	cr_expect_eq(A.table_count, 2);
	cr_expect_eq(A.rejected, 1);
	cr_expect(logged("entry 1 is null"));
	cr_expect(logged("listed twice"));
	cr_expect_null(acpi_find_table(&A, "APIC", 1));
}

Test(tables, table_list_capped)
{
	uint8_t r[36];
	uint64_t x[ACPI_MAX_TABLES + 6];

	build_sound(r, 2);
	for (size_t i = 0; i < ARRAY_SIZE(x); i++) {
		x[i] = MADT_AT + 64 * i;
		put_table(x[i], "SSDT", 40 + (uint32_t)i % 8, 2);
	}
	put_xsdt(XSDT_AT, x, ARRAY_SIZE(x));
	load(r, 36);
	cr_expect_eq(A.table_count, ACPI_MAX_TABLES);
	cr_expect_eq(A.dropped, 6);
	cr_expect(logged("more than 64 tables"));
	const struct acpi_table *t = acpi_find_table(&A, "SSDT", 63);
	cr_assert_not_null(t);
	cr_expect_eq(t->phys.raw, MADT_AT + 64 * 63);
	cr_expect_null(acpi_find_table(&A, "SSDT", 64));
}

Test(tables, root_entries_capped)
{
	uint8_t r[36];
	static uint64_t x[ACPI_MAX_ROOT_ENTRIES + 100];

	build_sound(r, 2);
	for (size_t i = 0; i < ARRAY_SIZE(x); i++)
		x[i] = 0x7f000000;              /* all unreadable */
	x[ACPI_MAX_ROOT_ENTRIES - 1] = HPET_AT;
	x[ACPI_MAX_ROOT_ENTRIES] = MCFG_AT;     /* past the cap: never looked at */
	put_xsdt(XSDT_AT, x, ARRAY_SIZE(x));
	load(r, 36);
	cr_expect_eq(A.table_count, 1);
	cr_expect_eq(A.rejected, ACPI_MAX_ROOT_ENTRIES - 1);
	cr_expect_eq(A.dropped, 100);
	cr_expect_not_null(acpi_find_table(&A, "HPET", 0));
	cr_expect_null(acpi_find_table(&A, "MCFG", 0));
	cr_expect(logged("lists 356 tables; only the first 256 are used"));
}

Test(tables, dsdt_from_fadt)
{
	uint8_t r[36];
	const struct acpi_table *t;

	/* X_DSDT preferred over the 32-bit field. */
	build_sound(r, 2);
	put_table(HPET_AT + 0x80, "DSDT", 48, 2);
	put_fadt(FADT_AT, 276, HPET_AT + 0x80, DSDT_AT);
	load(r, 36);
	t = acpi_find_table(&A, "DSDT", 0);
	cr_assert_not_null(t);
	cr_expect_eq(t->phys.raw, DSDT_AT);
	cr_expect_null(acpi_find_table(&A, "DSDT", 1));

	/* A bad X_DSDT: the 32-bit one is tried. */
	P(DSDT_AT)[40] ^= 1;
	load(r, 36);
	t = acpi_find_table(&A, "DSDT", 0);
	cr_assert_not_null(t);
	cr_expect_eq(t->phys.raw, HPET_AT + 0x80);
	cr_expect_eq(A.rejected, 1);

	/* An ACPI 1.0 FADT (116 bytes) has only the 32-bit field. */
	put_table(DSDT_AT, "DSDT", 64, 2);
	put_fadt(FADT_AT, 116, DSDT_AT, 0);
	load(r, 36);
	t = acpi_find_table(&A, "DSDT", 0);
	cr_assert_not_null(t);
	cr_expect_eq(t->phys.raw, DSDT_AT);

	/* A DSDT pointer to a table with another signature is rejected. */
	put_table(HPET_AT + 0x80, "SSDT", 48, 2);
	put_fadt(FADT_AT, 276, HPET_AT + 0x80, HPET_AT + 0x80);
	load(r, 36);
	cr_expect_null(acpi_find_table(&A, "DSDT", 0));
	cr_expect(logged("DSDT (X_DSDT) 'SSDT' at 0x101080 (length 48) rejected: bad signature"));
	cr_expect_eq(A.rejected, 1);            /* the same address is not tried twice */

	put_fadt(FADT_AT, 276, 0, 0);
	load(r, 36);
	cr_expect_null(acpi_find_table(&A, "DSDT", 0));
	cr_expect(logged("the FADT names no DSDT"));
}

Test(tables, init_twice_starts_over)
{
	uint8_t r[36];

	build_sound(r, 2);
	load(r, 36);
	load(r, 36);
	cr_expect_eq(A.table_count, 5);
	cr_expect_eq(A.rejected, 0);
}

/* ---- MADT ------------------------------------------------------------------------------ */

Test(madt, sound_table_through_acpi)
{
	uint8_t r[36];

	build_sound(r, 2);
	load(r, 36);
	cr_assert_eq(acpi_madt_get(&A, &M), ACPI_OK);
	cr_expect_eq(M.lapic_addr.raw, 0xfee00000);
	cr_expect(!M.lapic_addr_overridden);
	cr_expect(M.pcat_compat);
	cr_expect_eq(M.errors, 0);
	cr_assert_eq(M.cpu_count, 2);
	cr_expect_eq(M.cpus_disabled, 1);
	cr_expect_eq(M.cpus[1].apic_id, 1);
	cr_expect_eq(M.cpus[1].uid, 1);
	cr_expect(M.cpus[1].enabled);
	cr_assert_eq(M.ioapic_count, 1);
	cr_expect_eq(M.ioapics[0].addr.raw, 0xfec00000);
	cr_assert_eq(M.override_count, 5);
	cr_expect_eq(M.overrides[0].irq, 0);
	cr_expect_eq(M.overrides[0].gsi, 2);
	cr_expect_eq(M.overrides[0].polarity, MADT_POL_CONFORMS);
	cr_expect_eq(M.overrides[0].trigger, MADT_TRIG_CONFORMS);
	cr_expect_eq(M.overrides[2].irq, 9);
	cr_expect_eq(M.overrides[2].polarity, MADT_POL_HIGH);
	cr_expect_eq(M.overrides[2].trigger, MADT_TRIG_LEVEL);
	cr_assert_eq(M.nmi_count, 1);
	cr_expect_eq(M.nmis[0].uid, MADT_UID_ALL);
	cr_expect_eq(M.nmis[0].lint, 1);
	cr_expect_eq(F.nlog[LOG_WARN], 0);
}

Test(madt, every_entry_type_decoded)
{
	struct mb b;
	uint8_t unknown[7] = { 0x7f, 7, 1, 2, 3, 4, 5 };
	uint8_t long_lapic[12] = { 0, 12, 7, 9, 3, 0, 0, 0, 0xaa, 0xbb, 0xcc, 0xdd };

	mb_begin(&b, MADT_AT, 0xfee00000, 0);
	m_lapic(&b, 4, 0x20, 1);                        /* enabled */
	m_lapic(&b, 5, 0x21, 2);                        /* online-capable */
	mb_raw(&b, unknown, sizeof(unknown));           /* skipped by its length */
	mb_raw(&b, long_lapic, sizeof(long_lapic));     /* longer than needed: fine */
	m_ioapic(&b, 3, 0xfec01000, 24);
	m_iso(&b, 0, 9, 20, 0xf);                       /* active low, level */
	m_nmi_src(&b, 0x5, 23);                         /* high, edge */
	m_lapic_nmi(&b, 4, 0xc, 0);                     /* conforms, level */
	m_x2apic(&b, 0x12345, 1, 0x10000);
	m_x2nmi(&b, 0x7, 0xffffffff, 1);                /* low, edge, all CPUs */
	m_x2nmi(&b, 0x0, 0x10000, 0);
	mb_end(&b);

	cr_assert_eq(parse_mb(&b, &M), ACPI_OK);
	cr_expect_eq(M.errors, 0);
	cr_expect(!M.pcat_compat);
	cr_expect_eq(M.flags, 0);

	cr_assert_eq(M.cpu_count, 4);
	cr_expect_eq(M.cpus[0].apic_id, 0x20);
	cr_expect_eq(M.cpus[0].uid, 4);
	cr_expect(M.cpus[0].enabled);
	cr_expect(!M.cpus[0].online_capable);
	cr_expect(!M.cpus[0].x2apic);
	cr_expect_eq(M.cpus[1].apic_id, 0x21);
	cr_expect(!M.cpus[1].enabled);
	cr_expect(M.cpus[1].online_capable);
	cr_expect_eq(M.cpus[2].apic_id, 9);
	cr_expect_eq(M.cpus[2].uid, 7);
	cr_expect(M.cpus[2].enabled);                  /* flags 3: enabled wins */
	cr_expect(!M.cpus[2].online_capable);
	cr_expect_eq(M.cpus[3].apic_id, 0x12345);
	cr_expect_eq(M.cpus[3].uid, 0x10000);
	cr_expect(M.cpus[3].x2apic);
	cr_expect(M.cpus[3].enabled);

	cr_assert_eq(M.ioapic_count, 1);
	cr_expect_eq(M.ioapics[0].id, 3);
	cr_expect_eq(M.ioapics[0].addr.raw, 0xfec01000);
	cr_expect_eq(M.ioapics[0].gsi_base, 24);

	cr_assert_eq(M.override_count, 1);
	cr_expect_eq(M.overrides[0].bus, 0);
	cr_expect_eq(M.overrides[0].irq, 9);
	cr_expect_eq(M.overrides[0].gsi, 20);
	cr_expect_eq(M.overrides[0].flags, 0xf);
	cr_expect_eq(M.overrides[0].polarity, MADT_POL_LOW);
	cr_expect_eq(M.overrides[0].trigger, MADT_TRIG_LEVEL);

	cr_assert_eq(M.nmi_source_count, 1);
	cr_expect_eq(M.nmi_sources[0].gsi, 23);
	cr_expect_eq(M.nmi_sources[0].polarity, MADT_POL_HIGH);
	cr_expect_eq(M.nmi_sources[0].trigger, MADT_TRIG_EDGE);

	cr_assert_eq(M.nmi_count, 3);
	cr_expect_eq(M.nmis[0].uid, 4);
	cr_expect_eq(M.nmis[0].lint, 0);
	cr_expect_eq(M.nmis[0].flags, 0xc);
	cr_expect_eq(M.nmis[0].polarity, MADT_POL_CONFORMS);
	cr_expect_eq(M.nmis[0].trigger, MADT_TRIG_LEVEL);
	cr_expect_eq(M.nmis[1].uid, MADT_UID_ALL);
	cr_expect_eq(M.nmis[1].lint, 1);
	cr_expect_eq(M.nmis[1].polarity, MADT_POL_LOW);
	cr_expect_eq(M.nmis[1].trigger, MADT_TRIG_EDGE);
	cr_expect_eq(M.nmis[2].uid, 0x10000);
	cr_expect_eq(M.dropped, 0);
}

Test(madt, inti_flags_decoded)
{
	static const enum madt_polarity pol[4] = {
		MADT_POL_CONFORMS, MADT_POL_HIGH, MADT_POL_CONFORMS, MADT_POL_LOW };
	static const enum madt_trigger trig[4] = {
		MADT_TRIG_CONFORMS, MADT_TRIG_EDGE, MADT_TRIG_CONFORMS, MADT_TRIG_LEVEL };
	struct mb b;

	mb_begin(&b, MADT_AT, 0xfee00000, 1);
	for (unsigned f = 0; f < 16; f++)
		m_iso(&b, 0, (uint8_t)f, 100 + f, (uint16_t)(f | 0xfff0));  /* high bits: ignored */
	mb_end(&b);
	cr_assert_eq(parse_mb(&b, &M), ACPI_OK);
	cr_assert_eq(M.override_count, 16);
	for (unsigned f = 0; f < 16; f++) {
		cr_expect_eq(M.overrides[f].irq, f);
		cr_expect_eq(M.overrides[f].gsi, 100 + f);
		cr_expect_eq(M.overrides[f].flags, f | 0xfff0);
		cr_expect_eq(M.overrides[f].polarity, pol[f & 3], "flags %u", f);
		cr_expect_eq(M.overrides[f].trigger, trig[f >> 2], "flags %u", f);
	}
	/* The reserved encodings are noted: polarity 2 in f = 2,6,10,14, trigger 2 in
	 * f = 8..11: seven entries in all. */
	cr_expect(M.errors & MADT_ERR_BAD_VALUE);
	cr_expect_eq(F.nlog[LOG_WARN], 7);
}

Test(madt, lapic_address_override)
{
	struct mb b;

	mb_begin(&b, MADT_AT, 0xfee00000, 1);
	m_lapic(&b, 0, 0, 1);
	m_lapic_addr(&b, 0x1fee00000ull);
	mb_end(&b);
	cr_assert_eq(parse_mb(&b, &M), ACPI_OK);
	cr_expect_eq(M.lapic_addr.raw, 0x1fee00000ull);
	cr_expect(M.lapic_addr_overridden);

	mb_begin(&b, MADT_AT, 0xfee00000, 1);
	m_lapic_addr(&b, 0);                    /* nonsense: ignored */
	mb_end(&b);
	cr_assert_eq(parse_mb(&b, &M), ACPI_OK);
	cr_expect_eq(M.lapic_addr.raw, 0xfee00000);
	cr_expect(!M.lapic_addr_overridden);
	cr_expect_eq(M.errors, MADT_ERR_BAD_VALUE);
}

/* Two sound entries, then e (n bytes), then one more sound entry. */
static acpi_err_t parse_with_bad(const uint8_t *e, size_t n)
{
	struct mb b;

	mb_begin(&b, MADT_AT, 0xfee00000, 1);
	m_lapic(&b, 0, 0, 1);
	m_ioapic(&b, 1, 0xfec00000, 0);
	mb_raw(&b, e, n);
	m_lapic(&b, 1, 1, 1);
	mb_end(&b);
	return parse_mb(&b, &M);
}

static void expect_kept_before_bad(const char *what)
{
	cr_expect_eq(M.cpu_count, 1, "%s", what);
	cr_expect_eq(M.cpus[0].apic_id, 0, "%s", what);
	cr_expect_eq(M.ioapic_count, 1, "%s", what);
	cr_expect_eq(M.ioapics[0].addr.raw, 0xfec00000, "%s", what);
	cr_expect(M.errors & MADT_ERR_BAD_ENTRY, "%s", what);
}

Test(madt, entry_lengths_0_and_1)
{
	uint8_t z[2] = { 0, 0 }, one[2] = { 0x7f, 1 };

	cr_expect_eq(parse_with_bad(z, 2), ACPI_ERR_BAD_ENTRY);
	expect_kept_before_bad("length 0");
	cr_expect(logged("offset 64 (type 0, length 0): length below 2"));
	cr_expect_eq(parse_with_bad(one, 2), ACPI_ERR_BAD_ENTRY);
	expect_kept_before_bad("length 1");
}

Test(madt, entry_running_past_the_table)
{
	struct mb b;
	uint8_t e[8] = { 0, 200, 1, 1, 1, 0, 0, 0 };

	mb_begin(&b, MADT_AT, 0xfee00000, 1);
	m_lapic(&b, 0, 0, 1);
	m_ioapic(&b, 1, 0xfec00000, 0);
	mb_raw(&b, e, sizeof(e));
	mb_end(&b);
	cr_expect_eq(parse_mb(&b, &M), ACPI_ERR_BAD_ENTRY);
	expect_kept_before_bad("past the end");
	cr_expect(logged("runs past the end of the table"));

	/* The table's len bounds decoding, not its header: entries beyond len are not read. */
	mb_begin(&b, MADT_AT, 0xfee00000, 1);
	m_lapic(&b, 0, 0, 1);
	m_lapic(&b, 1, 1, 1);
	mb_end(&b);
	cr_expect_eq(parse_madt_at(MADT_AT, 52, &M), ACPI_OK);
	cr_expect_eq(M.cpu_count, 1);
	cr_expect_eq(parse_madt_at(MADT_AT, 55, &M), ACPI_ERR_BAD_ENTRY);

	/* A stray byte at the end. */
	cr_expect_eq(parse_madt_at(MADT_AT, 53, &M), ACPI_ERR_BAD_ENTRY);
	cr_expect_eq(M.cpu_count, 1);
	cr_expect(logged("a stray byte at the end"));
}

Test(madt, entries_too_short_for_their_type)
{
	static const uint8_t need[][2] = {
		{ 0, 8 }, { 1, 12 }, { 2, 10 }, { 3, 8 }, { 4, 6 }, { 5, 12 }, { 9, 16 },
		{ 10, 12 } };

	for (size_t i = 0; i < ARRAY_SIZE(need); i++) {
		uint8_t e[16] = { need[i][0], (uint8_t)(need[i][1] - 1) };

		log_clear();
		cr_expect_eq(parse_with_bad(e, need[i][1] - 1u), ACPI_ERR_BAD_ENTRY,
			     "type %u", need[i][0]);
		expect_kept_before_bad("too short");
		cr_expect(logged("too short for its type"), "type %u", need[i][0]);
		/* One byte more is enough. */
		e[1] = need[i][1];
		cr_expect_neq(parse_with_bad(e, need[i][1]), ACPI_ERR_BAD_ENTRY,
			      "type %u", need[i][0]);
		cr_expect_eq(M.errors & MADT_ERR_BAD_ENTRY, 0);
	}
}

Test(madt, short_table_and_wrong_signature)
{
	struct mb b;

	mb_begin(&b, MADT_AT, 0xfee00000, 1);
	mb_end(&b);
	cr_expect_eq(parse_mb(&b, &M), ACPI_OK);        /* no entries at all: fine */
	cr_expect_eq(M.cpu_count, 0);
	cr_expect_eq(parse_madt_at(MADT_AT, 43, &M), ACPI_ERR_BAD_LENGTH);
	cr_expect_eq(acpi_madt_parse(&A, NULL, 100, &M), ACPI_ERR_BAD_LENGTH);
	memcpy(P(MADT_AT), "APIX", 4);
	cr_expect_eq(parse_madt_at(MADT_AT, 44, &M), ACPI_ERR_BAD_SIGNATURE);
}

Test(madt, arrays_full_are_reported)
{
	struct mb b;

	mb_begin(&b, MADT_AT, 0xfee00000, 1);
	for (unsigned i = 0; i < MADT_MAX_CPUS + 6; i++)
		m_x2apic(&b, i, 1, i);
	for (unsigned i = 0; i < MADT_MAX_IOAPICS + 2; i++)
		m_ioapic(&b, (uint8_t)i, 0xfec00000 + 0x1000 * i, 24 * i);
	for (unsigned i = 0; i < MADT_MAX_OVERRIDES + 3; i++)
		m_iso(&b, 0, (uint8_t)(i % 16), i, 0);
	for (unsigned i = 0; i < MADT_MAX_NMIS + 4; i++)
		m_lapic_nmi(&b, (uint8_t)i, 0, 1);
	for (unsigned i = 0; i < MADT_MAX_NMI_SOURCES + 5; i++)
		m_nmi_src(&b, 0, i);
	mb_end(&b);
	cr_expect_eq(parse_mb(&b, &M), ACPI_ERR_TOO_MANY);
	cr_expect_eq(M.cpu_count, MADT_MAX_CPUS);
	cr_expect_eq(M.cpus[MADT_MAX_CPUS - 1].apic_id, MADT_MAX_CPUS - 1);
	cr_expect_eq(M.ioapic_count, MADT_MAX_IOAPICS);
	cr_expect_eq(M.override_count, MADT_MAX_OVERRIDES);
	cr_expect_eq(M.nmi_count, MADT_MAX_NMIS);
	cr_expect_eq(M.nmi_source_count, MADT_MAX_NMI_SOURCES);
	cr_expect_eq(M.dropped, 6 + 2 + 3 + 4 + 5);
	cr_expect_eq(M.errors, MADT_ERR_TOO_MANY);
	cr_expect(logged("more CPUs than the kernel keeps (64)"));
	cr_expect(logged("more I/O APICs than the kernel keeps (8)"));
	cr_expect(logged("20 entries dropped for lack of room"));
	cr_expect_eq(F.nlog[LOG_WARN], 6);              /* once per kind, plus the total */

	/* A malformed entry as well: that is the error returned. */
	uint8_t z[2] = { 0, 0 };
	mb_raw(&b, z, 2);
	mb_end(&b);
	cr_expect_eq(parse_mb(&b, &M), ACPI_ERR_BAD_ENTRY);
	cr_expect_eq(M.errors, MADT_ERR_TOO_MANY | MADT_ERR_BAD_ENTRY);
}

Test(madt, disabled_and_duplicate_cpus)
{
	struct mb b;

	mb_begin(&b, MADT_AT, 0xfee00000, 1);
	/* QEMU with maxcpus > cpus lists the absent ones disabled: they take no room. */
	for (unsigned i = 0; i < 200; i++)
		m_lapic(&b, (uint8_t)i, (uint8_t)i, i < 2 ? 1 : 0);
	m_x2apic(&b, 1, 1, 1);                  /* APIC id 1 again */
	m_x2apic(&b, 300, 0, 300);              /* disabled */
	m_x2apic(&b, 301, 2, 301);              /* online-capable */
	mb_end(&b);
	cr_expect_eq(parse_mb(&b, &M), ACPI_OK);
	cr_assert_eq(M.cpu_count, 3);
	cr_expect_eq(M.cpus[0].apic_id, 0);
	cr_expect_eq(M.cpus[1].apic_id, 1);
	cr_expect(!M.cpus[1].x2apic);
	cr_expect_eq(M.cpus[2].apic_id, 301);
	cr_expect(M.cpus[2].online_capable);
	cr_expect_eq(M.cpus_disabled, 199);
	cr_expect_eq(M.errors, MADT_ERR_DUPLICATE_CPU);
	cr_expect(logged("APIC id 1 twice"));
}

Test(madt, out_of_range_fields_skipped)
{
	struct mb b;

	mb_begin(&b, MADT_AT, 0xfee00000, 1);
	m_ioapic(&b, 0, 0, 0);                  /* address 0 */
	m_ioapic(&b, 1, 0xfec00000, 0);
	m_iso(&b, 1, 3, 3, 0);                  /* not ISA */
	m_iso(&b, 0, 16, 16, 0);                /* not an ISA IRQ */
	m_iso(&b, 0, 15, 15, 0);
	m_lapic_nmi(&b, 0xff, 0, 2);            /* LINT2 does not exist */
	m_x2nmi(&b, 0, 1, 7);
	m_lapic_nmi(&b, 0xff, 0, 1);
	mb_end(&b);
	cr_expect_eq(parse_mb(&b, &M), ACPI_OK);
	cr_expect_eq(M.errors, MADT_ERR_BAD_VALUE);
	cr_assert_eq(M.ioapic_count, 1);
	cr_expect_eq(M.ioapics[0].id, 1);
	cr_assert_eq(M.override_count, 1);
	cr_expect_eq(M.overrides[0].irq, 15);
	cr_assert_eq(M.nmi_count, 1);
	cr_expect_eq(M.nmis[0].lint, 1);
	cr_expect_eq(F.nlog[LOG_WARN], 5);
}

Test(madt, get_reports_missing_and_unmappable)
{
	uint8_t r[36];
	static const uint64_t x[] = { HPET_AT };

	build_sound(r, 2);
	put_xsdt(XSDT_AT, x, 1);
	load(r, 36);
	cr_expect_eq(acpi_madt_get(&A, &M), ACPI_ERR_NOT_FOUND);
	cr_expect_eq(M.cpu_count, 0);

	/* A table record whose memory the map callback no longer gives out. */
	A.tables[0].phys = pa(0x7f000000);
	memcpy(A.tables[0].sig, "APIC", 4);
	cr_expect_eq(acpi_madt_get(&A, &M), ACPI_ERR_UNMAPPABLE);
}

Test(madt, klog_when_no_log_callback)
{
	struct acpi quiet;
	uint8_t z[2] = { 0, 0 };
	struct mb b;

	/* No sink: messages go to klog() (the host shim's, on stderr). Must not crash. */
	acpi_setup(&quiet, fake_map, NULL, &F);
	mb_begin(&b, MADT_AT, 0xfee00000, 1);
	mb_raw(&b, z, 2);
	mb_end(&b);
	uint8_t *copy = malloc(b.len);
	memcpy(copy, P(MADT_AT), b.len);
	cr_expect_eq(acpi_madt_parse(&quiet, copy, b.len, &M), ACPI_ERR_BAD_ENTRY);
	cr_expect_eq(acpi_madt_parse(NULL, copy, b.len, &M), ACPI_ERR_BAD_ENTRY);
	free(copy);
	cr_expect_str_eq(acpi_err_name(ACPI_ERR_BAD_CHECKSUM), "bad checksum");
	cr_expect_str_eq(acpi_err_name((acpi_err_t)99), "unknown error");
}

/* ---- Randomized corruption ------------------------------------------------------------ */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: deterministic, so a failure can be replayed. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint32_t rnd_below(uint32_t n) { return (uint32_t)(rnd() % n); }

/* Everything a parse result promises, checked against the fake memory itself. */
static void check_tables_invariants(acpi_err_t e)
{
	cr_assert(e == ACPI_OK || e == ACPI_ERR_NO_ROOT);
	cr_assert_leq(A.table_count, ACPI_MAX_TABLES);
	if (e != ACPI_OK) {
		cr_assert_eq(A.table_count, 0);
		return;
	}
	cr_assert(A.root.raw < FAKE_SIZE);
	for (size_t i = 0; i < A.table_count; i++) {
		const struct acpi_table *t = &A.tables[i];

		cr_assert_geq(t->length, ACPI_HEADER_LEN);
		cr_assert_leq(t->length, ACPI_MAX_TABLE_LEN);
		cr_assert(t->phys.raw != 0 && t->phys.raw < FAKE_SIZE);
		cr_assert_leq(t->length, FAKE_SIZE - t->phys.raw);
		cr_assert_eq(sum(P(t->phys.raw), t->length), 0, "table %zu checksum", i);
		cr_assert_eq(get32(P(t->phys.raw) + 4), t->length);
		cr_assert(memcmp(P(t->phys.raw), t->sig, 4) == 0);
		for (size_t j = 0; j < i; j++)
			cr_assert_neq(A.tables[j].phys.raw, t->phys.raw);
	}
}

static void check_madt_invariants(acpi_err_t e)
{
	cr_assert_leq(M.cpu_count, MADT_MAX_CPUS);
	cr_assert_leq(M.ioapic_count, MADT_MAX_IOAPICS);
	cr_assert_leq(M.override_count, MADT_MAX_OVERRIDES);
	cr_assert_leq(M.nmi_count, MADT_MAX_NMIS);
	cr_assert_leq(M.nmi_source_count, MADT_MAX_NMI_SOURCES);
	for (size_t i = 0; i < M.cpu_count; i++) {
		cr_assert(M.cpus[i].enabled || M.cpus[i].online_capable);
		cr_assert(!(M.cpus[i].enabled && M.cpus[i].online_capable));
		for (size_t j = 0; j < i; j++)
			cr_assert_neq(M.cpus[i].apic_id, M.cpus[j].apic_id);
	}
	for (size_t i = 0; i < M.ioapic_count; i++)
		cr_assert_neq(M.ioapics[i].addr.raw, 0);
	for (size_t i = 0; i < M.override_count; i++) {
		cr_assert_eq(M.overrides[i].bus, 0);
		cr_assert_lt(M.overrides[i].irq, 16);
		cr_assert_leq(M.overrides[i].polarity, MADT_POL_LOW);
		cr_assert_leq(M.overrides[i].trigger, MADT_TRIG_LEVEL);
	}
	for (size_t i = 0; i < M.nmi_count; i++)
		cr_assert_leq(M.nmis[i].lint, 1);
	switch (e) {
	case ACPI_OK:
		cr_assert_eq(M.errors & (MADT_ERR_BAD_ENTRY | MADT_ERR_TOO_MANY), 0);
		cr_assert_eq(M.dropped, 0);
		break;
	case ACPI_ERR_BAD_ENTRY:
		cr_assert(M.errors & MADT_ERR_BAD_ENTRY);
		break;
	case ACPI_ERR_TOO_MANY:
		cr_assert_eq(M.errors & MADT_ERR_BAD_ENTRY, 0);
		cr_assert(M.errors & MADT_ERR_TOO_MANY);
		cr_assert_gt(M.dropped, 0);
		break;
	case ACPI_ERR_NOT_FOUND:
	case ACPI_ERR_BAD_LENGTH:
	case ACPI_ERR_BAD_SIGNATURE:
		cr_assert_eq(M.cpu_count + M.ioapic_count + M.override_count, 0);
		break;
	default:
		cr_assert_fail("unexpected MADT result %d", (int)e);
	}
}

/* The objects of the standard image, in the order their checksums must be fixed. */
static const struct { uint64_t phys; uint32_t len; } image[] = {
	{ FADT_AT, 276 }, { DSDT_AT, 64 }, { HPET_AT, 56 }, { MCFG_AT, 60 },
	{ MADT_AT, 0 /* set at run time */ }, { XSDT_AT, 36 + 32 }, { RSDT_AT, 36 + 16 },
};

#define IMAGE_START     XSDT_AT
#define IMAGE_END       (MADT_AT + 0x200)

Test(fuzz, corrupted_images, .timeout = 120)
{
	static uint8_t pristine[IMAGE_END - IMAGE_START];
	uint8_t r0[36], r[36];
	uint32_t obj_len[ARRAY_SIZE(image)];
	unsigned outcomes[ACPI_ERR_COUNT] = { 0 }, roots = 0;

	build_sound(r0, 2);
	for (size_t i = 0; i < ARRAY_SIZE(image); i++)
		obj_len[i] = image[i].len ? image[i].len : get32(P(image[i].phys) + 4);
	memcpy(pristine, P(IMAGE_START), sizeof(pristine));
	F.store_log = false;
	rng_state = 0x9e3779b97f4a7c15ull;

	for (int iter = 0; iter < 100000; iter++) {
		memcpy(P(IMAGE_START), pristine, sizeof(pristine));
		memcpy(r, r0, sizeof(r));
		fake_release();

		int ops = 1 + (int)rnd_below(6);
		for (int k = 0; k < ops; k++) {
			size_t o = rnd_below(ARRAY_SIZE(image));
			uint8_t *base = P(image[o].phys);
			uint32_t len = obj_len[o];
			static const uint32_t lens[] = { 0, 1, 35, 36, 37, 44, 45, 0x1000,
				ACPI_MAX_TABLE_LEN, ACPI_MAX_TABLE_LEN + 1, 0xffffffff };
			static const uint8_t bytes[] = { 0, 1, 2, 5, 8, 9, 10, 12, 16, 0x7f,
							 0x80, 0xff };

			switch (rnd_below(10)) {
			case 0: case 1: case 2: case 3: case 4:
				base[rnd_below(len + 8)] ^= (uint8_t)(1 + rnd_below(255));
				break;
			case 5: case 6:
				base[rnd_below(len)] = bytes[rnd_below(ARRAY_SIZE(bytes))];
				break;
			case 7:
				put32(base + 4, rnd_below(2) ? lens[rnd_below(ARRAY_SIZE(lens))]
					       : len + rnd_below(16) - 8);
				break;
			case 8:
				r[rnd_below(36)] ^= (uint8_t)(1 + rnd_below(255));
				break;
			default:
				/* An entry of the root tables pointed somewhere else. */
				put32(P(XSDT_AT) + 36 + 8 * rnd_below(4),
				      (uint32_t)(IMAGE_START + rnd_below(IMAGE_END - IMAGE_START)));
				break;
			}
		}
		if (rnd_below(2)) {
			for (size_t i = 0; i < ARRAY_SIZE(image); i++)
				fix_sum(image[i].phys);
			rsdp_fix(r, 36);
		}

		/* The RSDP copy too sits in a heap block of exactly the length given. */
		struct acpi_rsdp o;
		size_t rlen = rnd_below(8) ? 36 : rnd_below(37);
		uint8_t *rc = malloc(rlen ? rlen : 1);
		memcpy(rc, r, rlen);
		acpi_err_t e = acpi_rsdp_parse(&A, rc, rlen, &o);
		free(rc);
		if (e != ACPI_OK)
			continue;
		e = acpi_init(&A, &o);
		check_tables_invariants(e);
		roots += e == ACPI_OK;
		e = acpi_madt_get(&A, &M);
		check_madt_invariants(e);
		outcomes[e]++;
		cr_assert_eq(F.bad_calls, 0);
		cr_assert_leq(F.max_len, ACPI_MAX_TABLE_LEN);
	}
	if (getenv("ACPI_TEST_VERBOSE"))
		fprintf(stderr, "images: %u with a root; MADT %u ok, %u malformed, %u missing\n",
			roots, outcomes[ACPI_OK], outcomes[ACPI_ERR_BAD_ENTRY],
			outcomes[ACPI_ERR_NOT_FOUND]);
	/* The mutations reach every branch that matters. */
	cr_expect_gt(roots, 10000);
	cr_expect_gt(outcomes[ACPI_OK], 1000);
	cr_expect_gt(outcomes[ACPI_ERR_BAD_ENTRY], 100);
	cr_expect_gt(outcomes[ACPI_ERR_NOT_FOUND], 100);
	fake_release();
}

/*
 * Random MADT entry streams against a model of what must be kept: well-formed entries
 * with random fields, sometimes a malformed one, sometimes a random cut of the table.
 */
Test(fuzz, random_madt_streams, .timeout = 120)
{
	static const uint8_t need[11] = { 8, 12, 10, 8, 6, 12, 0, 0, 0, 16, 12 };
	unsigned outcomes[ACPI_ERR_COUNT] = { 0 };

	F.store_log = false;
	rng_state = 0x0123456789abcdefull;

	for (int iter = 0; iter < 100000; iter++) {
		struct mb b;
		/* Short streams with malformed entries now and then, or long sound ones
		 * that overflow the arrays. */
		bool long_run = rnd_below(4) == 0;
		int n = (int)(long_run ? 100 + rnd_below(200) : rnd_below(40));

		mb_begin(&b, MADT_AT, 0xfee00000, rnd_below(2));
		for (int k = 0; k < n; k++) {
			uint32_t v = (uint32_t)rnd();
			uint32_t id = rnd_below(4) ? rnd_below(300) : v;
			uint32_t flags = rnd_below(4);
			uint32_t pick = rnd_below(long_run ? 62 : 64);

			if (pick < 24) {
				if (rnd_below(2))
					m_lapic(&b, (uint8_t)v, (uint8_t)id, flags);
				else
					m_x2apic(&b, id, flags, v);
			} else if (pick < 30) {
				m_ioapic(&b, (uint8_t)v, rnd_below(8) ? v | 1 : 0, v >> 8);
			} else if (pick < 38) {
				m_iso(&b, rnd_below(8) ? 0 : 1, (uint8_t)rnd_below(20), v,
				      (uint16_t)v);
			} else if (pick < 43) {
				m_lapic_nmi(&b, (uint8_t)v, (uint16_t)(v >> 8),
					    (uint8_t)rnd_below(3));
			} else if (pick < 48) {
				m_x2nmi(&b, (uint16_t)v, v, (uint8_t)rnd_below(3));
			} else if (pick < 53) {
				m_nmi_src(&b, (uint16_t)v, v);
			} else if (pick < 55) {
				m_lapic_addr(&b, rnd_below(4) ? v : 0);
			} else if (pick < 62) {
				/* A type the parser does not know, of any sound length. */
				uint8_t e[40] = { (uint8_t)(11 + rnd_below(200)),
						  (uint8_t)(2 + rnd_below(38)) };
				mb_raw(&b, e, e[1]);
			} else {
				/* A known type with a random, mostly wrong, length. */
				uint8_t e[2] = { (uint8_t)rnd_below(11), (uint8_t)rnd_below(20) };
				mb_raw(&b, e, 2);
			}
		}
		mb_end(&b);
		uint32_t cut = rnd_below(8) ? b.len : 44 + rnd_below(b.len - 43);

		/* The model: which CPUs and I/O APICs must be kept, and whether decoding
		 * must stop at a malformed entry before cut. */
		size_t want_cpus = 0, want_disabled = 0, want_ioapics = 0;
		uint32_t ids[MADT_MAX_CPUS];
		bool bad = false, too_many = false;

		for (uint32_t off = 44; off < cut;) {
			const uint8_t *e = P(MADT_AT + off);

			if (cut - off < 2 || e[1] < 2 || e[1] > cut - off ||
			    (e[0] < ARRAY_SIZE(need) && e[1] < need[e[0]])) {
				bad = true;
				break;
			}
			if (e[0] == 0 || e[0] == 9) {
				uint32_t cid = e[0] == 0 ? e[3] : get32(e + 4);
				uint32_t fl = e[0] == 0 ? get32(e + 4) : get32(e + 8);
				bool dup = false;

				for (size_t i = 0; i < want_cpus; i++)
					dup |= ids[i] == cid;
				if (!(fl & 3))
					want_disabled++;
				else if (!dup && want_cpus < MADT_MAX_CPUS)
					ids[want_cpus++] = cid;
				else if (!dup)
					too_many = true;
			}
			if (e[0] == 1 && get32(e + 4) != 0) {
				if (want_ioapics < MADT_MAX_IOAPICS)
					want_ioapics++;
				else
					too_many = true;
			}
			off += e[1];
		}

		acpi_err_t e = parse_madt_at(MADT_AT, cut, &M);
		check_madt_invariants(e);
		outcomes[e]++;
		cr_assert_eq(M.cpu_count, want_cpus, "iteration %d", iter);
		for (size_t i = 0; i < want_cpus; i++)
			cr_assert_eq(M.cpus[i].apic_id, ids[i], "iteration %d", iter);
		cr_assert_eq(M.cpus_disabled, want_disabled, "iteration %d", iter);
		cr_assert_eq(M.ioapic_count, want_ioapics, "iteration %d", iter);
		cr_assert_eq(e == ACPI_ERR_BAD_ENTRY, bad, "iteration %d", iter);
		if (!bad && too_many)
			cr_assert_eq(e, ACPI_ERR_TOO_MANY, "iteration %d", iter);
	}
	if (getenv("ACPI_TEST_VERBOSE"))
		fprintf(stderr, "MADT streams: %u ok, %u malformed, %u overflowing\n",
			outcomes[ACPI_OK], outcomes[ACPI_ERR_BAD_ENTRY], outcomes[ACPI_ERR_TOO_MANY]);
	cr_expect_gt(outcomes[ACPI_OK], 10000);
	cr_expect_gt(outcomes[ACPI_ERR_BAD_ENTRY], 10000);
	cr_expect_gt(outcomes[ACPI_ERR_TOO_MANY], 1000);
}

/* The BIOS search over random bytes sprinkled with damaged RSDPs. */
Test(fuzz, bios_area_search, .timeout = 120)
{
	F.store_log = false;
	rng_state = 42;

	for (int iter = 0; iter < 2000; iter++) {
		struct acpi_rsdp o;

		memset(P(0x80000), 0, 0x80000);
		put16(P(0x40e), (uint16_t)rnd());
		for (int k = 0; k < 8; k++) {
			uint64_t where = (0x9fc00 + rnd_below(0x60400)) & ~15ull;
			size_t n = put_rsdp(P(where), (uint8_t)rnd_below(4), (uint32_t)rnd(), rnd());
			P(where + rnd_below((uint32_t)n))[0] ^= (uint8_t)(rnd_below(2) ? 0 : 1 + rnd_below(255));
			if (rnd_below(2))
				rsdp_fix(P(where), FAKE_SIZE - where);
		}
		fake_release();
		acpi_err_t e = acpi_rsdp_search_bios(&A, &o);
		cr_assert(e == ACPI_OK || e == ACPI_ERR_NO_RSDP);
		if (e == ACPI_OK) {
			const uint8_t *p = P(o.found_at.raw);
			cr_assert_eq(o.found_at.raw % 16, 0);
			cr_assert(memcmp(p, "RSD PTR ", 8) == 0);
			cr_assert_eq(sum(p, 20), 0);
			cr_assert(o.rsdt.raw || o.xsdt.raw);
		}
		cr_assert_eq(F.bad_calls, 0);
	}
	fake_release();
}
