/*
 * Multiboot2 parsing (kernel/boot/multiboot2.c) on synthetic information blocks: a sound
 * one, then each kind of malformed tag, then random corruption. Every block lives in a
 * heap buffer of exactly the size the parser is told, so AddressSanitizer catches any
 * read past it.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <bootinfo.h>

struct mbi {
	uint8_t buf[16384];
	size_t len;
};

static void mb_begin(struct mbi *m)
{
	memset(m, 0, sizeof(*m));
	m->len = 8;
}

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* Append a tag whose header says 'size' (normally 8 + payload length). */
static uint8_t *mb_tag_sized(struct mbi *m, uint32_t type, uint32_t size, const void *payload,
			     size_t plen)
{
	uint8_t *t = m->buf + m->len;
	put32(t, type);
	put32(t + 4, size);
	if (plen)
		memcpy(t + 8, payload, plen);
	m->len += (8 + plen + 7) & ~(size_t)7;
	return t;
}

static uint8_t *mb_tag(struct mbi *m, uint32_t type, const void *payload, size_t plen)
{
	return mb_tag_sized(m, type, (uint32_t)(8 + plen), payload, plen);
}

static void mb_end(struct mbi *m)
{
	mb_tag(m, 0, NULL, 0);
	put32(m->buf, (uint32_t)m->len);
}

/* Parse a copy in a buffer of exactly avail bytes. */
static bool parse_n(const struct mbi *m, size_t avail, struct boot_info *bi)
{
	uint8_t *copy = malloc(avail ? avail : 1);
	memcpy(copy, m->buf, avail < sizeof(m->buf) ? avail : sizeof(m->buf));
	bool ok = mb2_parse(MB2_BOOTLOADER_MAGIC, copy, avail, bi);
	free(copy);
	return ok;
}

static bool parse(const struct mbi *m, struct boot_info *bi)
{
	return parse_n(m, m->len, bi);
}

static struct boot_info bi;

static void add_mmap(struct mbi *m, uint32_t esize, int n, const uint64_t (*e)[3])
{
	uint8_t p[4096] = { 0 };
	put32(p, esize);
	put32(p + 4, 0);
	for (int i = 0; i < n; i++) {
		put64(p + 8 + i * esize, e[i][0]);
		put64(p + 8 + i * esize + 8, e[i][1]);
		put32(p + 8 + i * esize + 16, (uint32_t)e[i][2]);
	}
	mb_tag(m, 6, p, 8 + (size_t)n * esize);
}

/* A framebuffer tag payload (after the 8-byte tag header). */
static size_t fb_payload(uint8_t *p, uint64_t addr, uint32_t pitch, uint32_t w, uint32_t h,
			 uint8_t bpp, uint8_t type)
{
	memset(p, 0, 40);
	put64(p, addr);
	put32(p + 8, pitch);
	put32(p + 12, w);
	put32(p + 16, h);
	p[20] = bpp;
	p[21] = type;
	/* RGB colour info: red at 16, green at 8, blue at 0, 8 bits each. */
	p[24] = 16; p[25] = 8; p[26] = 8; p[27] = 8; p[28] = 0; p[29] = 8;
	return type == 1 ? 30 : 24;
}

static void sound_block(struct mbi *m)
{
	static const uint64_t map[3][3] = {
		{ 0, 0x9fc00, 1 }, { 0x100000, 0x7ee0000, 1 }, { 0xfffc0000, 0x40000, 2 } };
	uint8_t p[64];

	mb_begin(m);
	mb_tag(m, 1, "ktest=all quiet", 16);
	mb_tag(m, 2, "GRUB 2.06", 10);
	put32(p, 0x200000); put32(p + 4, 0x210000); memcpy(p + 8, "initramfs", 10);
	mb_tag(m, 3, p, 18);
	add_mmap(m, 24, 3, map);
	size_t n = fb_payload(p, 0xfd000000, 4096, 1024, 768, 32, 1);
	mb_tag(m, 8, p, n);
	uint8_t rsdp[20] = "RSD PTR ";
	mb_tag(m, 14, rsdp, 20);
	mb_end(m);
}

Test(mb2, sound_block)
{
	struct mbi m;

	sound_block(&m);
	cr_assert(parse(&m, &bi));
	cr_expect_eq(bi.errors, 0);
	cr_expect_str_eq(bi.cmdline, "ktest=all quiet");
	cr_expect_str_eq(bi.loader, "GRUB 2.06");
	cr_expect_eq(bi.firmware, BOOT_FW_BIOS);
	cr_assert_eq(bi.module_count, 1);
	cr_expect_eq(bi.modules[0].start.raw, 0x200000);
	cr_expect_eq(bi.modules[0].end.raw, 0x210000);
	cr_expect_str_eq(bi.modules[0].name, "initramfs");
	cr_assert_eq(bi.mem_count, 3);
	cr_expect_eq(bi.mem[1].base, 0x100000);
	cr_expect_eq(bi.mem[1].length, 0x7ee0000);
	cr_expect_eq(bi.mem[2].type, BOOT_MEM_RESERVED);
	cr_expect_eq(bi.fb.kind, BOOT_FB_RGB);
	cr_expect_eq(bi.fb.addr.raw, 0xfd000000);
	cr_expect_eq(bi.fb.width, 1024);
	cr_expect_eq(bi.fb.height, 768);
	cr_expect_eq(bi.fb.pitch, 4096);
	cr_expect_eq(bi.fb.red_pos, 16);
	cr_expect_eq(bi.fb.blue_size, 8);
	cr_expect_eq(bi.rsdp_len, 20);
	cr_expect(memcmp(bi.rsdp, "RSD PTR ", 8) == 0);
}

Test(mb2, uefi_tags_and_acpi2_preferred)
{
	struct mbi m;
	uint8_t st[8] = { 0 }, r1[20] = "RSD PTR 1", r2[36] = "RSD PTR 2";

	mb_begin(&m);
	mb_tag(&m, 15, r2, 36);
	mb_tag(&m, 14, r1, 20);                 /* after the 2.0 one: must not replace it */
	mb_tag(&m, 12, st, 8);
	mb_end(&m);
	cr_assert(parse(&m, &bi));
	cr_expect_eq(bi.firmware, BOOT_FW_UEFI);
	cr_expect_eq(bi.rsdp_len, 36);
	cr_expect_eq(bi.rsdp[8], '2');
	cr_expect_eq(bi.errors, BOOT_ERR_NO_MMAP);
}

Test(mb2, bad_magic_and_header)
{
	struct mbi m;

	sound_block(&m);
	cr_expect(!mb2_parse(0x2badb002, m.buf, m.len, &bi));
	cr_expect_eq(bi.errors, BOOT_ERR_BAD_MAGIC);
	cr_expect(!mb2_parse(MB2_BOOTLOADER_MAGIC, NULL, 100, &bi));
	cr_expect_eq(bi.errors, BOOT_ERR_BAD_HEADER);
	cr_expect(!parse_n(&m, 7, &bi));
	cr_expect_eq(bi.errors, BOOT_ERR_BAD_HEADER);
	put32(m.buf, 4);                        /* total size smaller than the header */
	cr_expect(!parse(&m, &bi));
	cr_expect_eq(bi.errors, BOOT_ERR_BAD_HEADER);
}

Test(mb2, total_size_beyond_readable_memory)
{
	struct mbi m;

	sound_block(&m);
	put32(m.buf, 1u << 30);                 /* claims 1 GiB; only m.len readable */
	cr_expect(parse(&m, &bi));
	cr_expect(bi.errors & BOOT_ERR_BAD_HEADER);
	cr_expect_str_eq(bi.cmdline, "ktest=all quiet");
	cr_expect_eq(bi.mem_count, 3);
}

Test(mb2, truncated_tags_keep_earlier_ones)
{
	struct mbi m;

	mb_begin(&m);
	mb_tag(&m, 1, "first", 6);
	mb_tag_sized(&m, 2, 4, "x", 1);         /* size below the 8-byte header */
	mb_tag(&m, 1, "never read", 11);
	mb_end(&m);
	cr_expect(parse(&m, &bi));
	cr_expect_str_eq(bi.cmdline, "first");
	cr_expect(bi.errors & BOOT_ERR_TRUNCATED_TAG);
	cr_expect(bi.errors & BOOT_ERR_NO_END_TAG);

	mb_begin(&m);
	mb_tag(&m, 1, "ok", 3);
	mb_tag_sized(&m, 1, 5000, "runs off the end", 17);
	mb_end(&m);
	cr_expect(parse(&m, &bi));
	cr_expect_str_eq(bi.cmdline, "ok");
	cr_expect(bi.errors & BOOT_ERR_TRUNCATED_TAG);
}

Test(mb2, missing_end_tag)
{
	struct mbi m;

	mb_begin(&m);
	mb_tag(&m, 1, "no end", 7);
	put32(m.buf, (uint32_t)m.len);
	cr_expect(parse(&m, &bi));
	cr_expect_str_eq(bi.cmdline, "no end");
	cr_expect(bi.errors & BOOT_ERR_NO_END_TAG);
}

Test(mb2, strings_without_nul)
{
	struct mbi m;
	char long_line[2000];

	mb_begin(&m);
	mb_tag(&m, 1, "abcd", 4);               /* no NUL inside the tag */
	mb_end(&m);
	cr_expect(parse(&m, &bi));
	cr_expect_str_eq(bi.cmdline, "abcd");
	cr_expect_eq(bi.errors, BOOT_ERR_BAD_STRING | BOOT_ERR_NO_MMAP);

	memset(long_line, 'x', sizeof(long_line) - 1);
	long_line[sizeof(long_line) - 1] = '\0';
	mb_begin(&m);
	mb_tag(&m, 1, long_line, sizeof(long_line));
	mb_end(&m);
	cr_expect(parse(&m, &bi));
	cr_expect_eq(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);    /* truncated, sound */
	cr_expect_eq(bi.errors & BOOT_ERR_BAD_STRING, 0);
}

Test(mb2, malformed_memory_maps)
{
	struct mbi m;
	static const uint64_t e[2][3] = { { 0x100000, 0x1000000, 1 }, { 0x2000000, 0, 99 } };

	mb_begin(&m);
	add_mmap(&m, 20, 2, e);                 /* entries smaller than the 24-byte minimum */
	mb_end(&m);
	cr_expect(parse(&m, &bi));
	cr_expect(bi.errors & BOOT_ERR_BAD_MMAP);
	cr_expect_eq(bi.mem_count, 0);

	mb_begin(&m);
	add_mmap(&m, 28, 2, e);                 /* not a multiple of 8 */
	mb_end(&m);
	cr_expect(parse(&m, &bi));
	cr_expect(bi.errors & BOOT_ERR_BAD_MMAP);

	mb_begin(&m);
	add_mmap(&m, 32, 2, e);                 /* larger entries are fine (newer loaders) */
	mb_end(&m);
	cr_expect(parse(&m, &bi));
	cr_expect_eq(bi.errors, 0);
	cr_assert_eq(bi.mem_count, 2);
	cr_expect_eq(bi.mem[1].type, BOOT_MEM_RESERVED);   /* unknown type 99 */
	cr_expect_eq(bi.mem[1].length, 0);                 /* zero length kept as is */

	/* A trailing partial entry: the whole ones are kept. */
	uint8_t p[64] = { 0 };
	put32(p, 24);
	put64(p + 8, 0x100000);
	put64(p + 16, 0x1000);
	put32(p + 24, 1);
	mb_begin(&m);
	mb_tag(&m, 6, p, 8 + 24 + 10);
	mb_end(&m);
	cr_expect(parse(&m, &bi));
	cr_expect(bi.errors & BOOT_ERR_BAD_MMAP);
	cr_expect_eq(bi.mem_count, 1);

	mb_begin(&m);
	mb_tag(&m, 6, p, 4);                    /* too short for its own header */
	mb_end(&m);
	cr_expect(parse(&m, &bi));
	cr_expect(bi.errors & BOOT_ERR_BAD_MMAP);
	cr_expect(bi.errors & BOOT_ERR_NO_MMAP);
}

Test(mb2, memory_map_overflow)
{
	static struct mbi m;
	static uint64_t e[300][3];

	for (int i = 0; i < 300; i++) {
		e[i][0] = (uint64_t)i << 20;
		e[i][1] = 1 << 20;
		e[i][2] = 1;
	}
	mb_begin(&m);
	add_mmap(&m, 24, 160, e);
	add_mmap(&m, 24, 140, e + 160);         /* a second tag adds to the first */
	mb_end(&m);
	cr_expect(parse(&m, &bi));
	cr_expect_eq(bi.mem_count, BOOT_MAX_MEM_REGIONS);
	cr_expect(bi.errors & BOOT_ERR_MMAP_OVERFLOW);
	cr_expect_eq(bi.mem[255].base, (uint64_t)255 << 20);
}

Test(mb2, basic_meminfo_fallback)
{
	struct mbi m;
	uint8_t p[8];

	put32(p, 639);
	put32(p + 4, 130048);
	mb_begin(&m);
	mb_tag(&m, 4, p, 8);
	mb_end(&m);
	cr_expect(parse(&m, &bi));
	cr_expect_eq(bi.errors, BOOT_ERR_NO_MMAP);
	cr_assert_eq(bi.mem_count, 2);
	cr_expect_eq(bi.mem[0].length, 639 * 1024);
	cr_expect_eq(bi.mem[1].base, 0x100000);
	cr_expect_eq(bi.mem[1].length, 130048ull * 1024);

	mb_begin(&m);
	mb_end(&m);
	cr_expect(parse(&m, &bi));
	cr_expect_eq(bi.mem_count, 0);
	cr_expect_eq(bi.errors, BOOT_ERR_NO_MMAP);
}

Test(mb2, modules)
{
	struct mbi m;
	uint8_t p[32];

	mb_begin(&m);
	put32(p, 0x300000); put32(p + 4, 0x200000); p[8] = 0;  /* end before start */
	mb_tag(&m, 3, p, 9);
	mb_tag(&m, 3, p, 4);                                    /* too short */
	for (int i = 0; i < BOOT_MAX_MODULES + 1; i++) {
		put32(p, 0x400000 + i * 0x1000); put32(p + 4, 0x401000 + i * 0x1000);
		memcpy(p + 8, "mod", 4);
		mb_tag(&m, 3, p, 12);
	}
	mb_end(&m);
	cr_expect(parse(&m, &bi));
	cr_expect(bi.errors & BOOT_ERR_BAD_MODULE);
	cr_expect(bi.errors & BOOT_ERR_TOO_MANY_MODS);
	cr_expect_eq(bi.module_count, BOOT_MAX_MODULES);
	cr_expect_eq(bi.modules[0].start.raw, 0x400000);
}

static void fb_case(uint64_t addr, uint32_t pitch, uint32_t w, uint32_t h, uint8_t bpp,
		    uint8_t type, size_t trim, enum boot_fb_kind want, bool bad)
{
	struct mbi m;
	uint8_t p[64];
	size_t n = fb_payload(p, addr, pitch, w, h, bpp, type);

	mb_begin(&m);
	mb_tag(&m, 8, p, n - trim);
	mb_end(&m);
	cr_expect(parse(&m, &bi));
	cr_expect_eq(bi.fb.kind, want, "fb %ux%ux%u pitch %u type %u trim %zu: kind %d",
		     w, h, bpp, pitch, type, trim, bi.fb.kind);
	cr_expect_eq(!!(bi.errors & BOOT_ERR_BAD_FB), bad, "fb %ux%ux%u pitch %u: errors %x",
		     w, h, bpp, pitch, bi.errors);
}

Test(mb2, framebuffers)
{
	fb_case(0xfd000000, 4096, 1024, 768, 32, 1, 0, BOOT_FB_RGB, false);
	fb_case(0xfd000000, 4160, 1024, 768, 32, 1, 0, BOOT_FB_RGB, false);  /* odd pitch */
	fb_case(0xfd000000, 2401, 800, 600, 24, 1, 0, BOOT_FB_RGB, false);
	fb_case(0xfd000000, 4000, 1024, 768, 32, 1, 0, BOOT_FB_UNSUPPORTED, true); /* pitch < w*4 */
	fb_case(0xfd000000, 2048, 1024, 768, 16, 1, 0, BOOT_FB_UNSUPPORTED, false); /* 16 bpp */
	fb_case(0xb8000, 160, 80, 25, 16, 2, 0, BOOT_FB_TEXT, false);
	fb_case(0xa0000, 80, 640, 480, 1, 0, 0, BOOT_FB_UNSUPPORTED, false);  /* indexed */
	fb_case(0, 4096, 1024, 768, 32, 1, 0, BOOT_FB_UNSUPPORTED, true);    /* no address */
	fb_case(0xfd000000, 4096, 0, 768, 32, 1, 0, BOOT_FB_UNSUPPORTED, true);
	fb_case(0xfd000000, 4096, 1024, 0, 32, 1, 0, BOOT_FB_UNSUPPORTED, true);
	fb_case(0xfffffffffffff000ull, 4096, 1024, 768, 32, 1, 0, BOOT_FB_UNSUPPORTED, true);
	fb_case(0xfd000000, 4096, 1024, 768, 32, 1, 2, BOOT_FB_UNSUPPORTED, true); /* no colours */
	fb_case(0xfd000000, 4096, 1024, 768, 32, 1, 10, BOOT_FB_UNSUPPORTED, true); /* short */
}

Test(mb2, rsdp_too_short)
{
	struct mbi m;
	uint8_t r[36] = "RSD PTR ";

	mb_begin(&m);
	mb_tag(&m, 14, r, 12);
	mb_tag(&m, 15, r, 30);
	mb_end(&m);
	cr_expect(parse(&m, &bi));
	cr_expect(bi.errors & BOOT_ERR_BAD_RSDP);
	cr_expect_eq(bi.rsdp_len, 0);
}

static int described;
static void count_msg(const char *msg) { (void)msg; described++; }

Test(mb2, every_error_has_a_message)
{
	described = 0;
	boot_info_describe_errors(0xfff, count_msg);
	cr_expect_eq(described, 12);
	described = 0;
	boot_info_describe_errors(BOOT_ERR_NO_MMAP | BOOT_ERR_BAD_FB, count_msg);
	cr_expect_eq(described, 2);
}

/* Random corruption of a sound block: flip bytes, cut it short, lie about sizes. Under
 * ASan any read outside the buffer aborts the test; the counts must stay in bounds. */
Test(mb2, random_corruption)
{
	struct mbi good, m;
	uint64_t s = 12345;

	sound_block(&good);
	for (int i = 0; i < 100000; i++) {
		m = good;
		int flips = 1 + (int)(s % 8);
		for (int k = 0; k < flips; k++) {
			s = s * 6364136223846793005ull + 1442695040888963407ull;
			m.buf[(s >> 33) % good.len] = (uint8_t)(s >> 17);
		}
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		size_t avail = (s >> 40) % 4 == 0 ? (s >> 20) % (good.len + 1) : good.len;
		parse_n(&m, avail, &bi);
		cr_assert_leq(bi.mem_count, BOOT_MAX_MEM_REGIONS);
		cr_assert_leq(bi.module_count, BOOT_MAX_MODULES);
		cr_assert_lt(strlen(bi.cmdline), BOOT_CMDLINE_MAX);
		cr_assert_lt(strlen(bi.loader), BOOT_NAME_MAX);
		cr_assert(bi.rsdp_len == 0 || bi.rsdp_len == 20 || bi.rsdp_len == 36);
	}
}
