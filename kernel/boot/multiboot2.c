/*
 * Multiboot2 boot information -> struct boot_info (bootinfo.h).
 *
 * The block comes from the boot loader and is treated as untrusted input: every tag's
 * size is checked against the block and against what its type needs before a field is
 * read, strings must carry their NUL inside the tag, and arrays are copied only up to
 * the room in struct boot_info. A problem sets a BOOT_ERR_* bit and parsing goes on
 * with the tags that are sound. Tested on the host by tests/host/test_mb2.c.
 *
 * Layout reference: the Multiboot2 specification, section 3.6 "Boot information format",
 * and GRUB's include/multiboot2.h (whose framebuffer tag has a 16-bit reserved field).
 */
#include <bootinfo.h>
#include <klib.h>

enum {
	TAG_END = 0,
	TAG_CMDLINE = 1,
	TAG_LOADER = 2,
	TAG_MODULE = 3,
	TAG_BASIC_MEMINFO = 4,
	TAG_MMAP = 6,
	TAG_FRAMEBUFFER = 8,
	TAG_EFI32 = 11,
	TAG_EFI64 = 12,
	TAG_ACPI_OLD = 14,
	TAG_ACPI_NEW = 15,
	TAG_EFI_MMAP = 17,
	TAG_EFI_BS = 18,
	TAG_EFI32_IH = 19,
	TAG_EFI64_IH = 20,
};

#define TAG_HDR 8u

struct parser {
	const uint8_t *base;
	size_t total;
	struct boot_info *bi;
	bool have_basic;
	uint32_t mem_lower_kib, mem_upper_kib;
	bool have_mmap;
};

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);       /* unaligned-safe; the block is little-endian like us */
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

/* Copy a string that must end inside [s, s+len): true when the NUL was there. */
static bool copy_string(char *dst, size_t dstsize, const uint8_t *s, size_t len)
{
	size_t n = strnlen((const char *)s, len);
	size_t k = MIN(n, dstsize - 1);

	memcpy(dst, s, k);
	dst[k] = '\0';
	return n < len;
}

static void parse_module(struct parser *p, const uint8_t *t, uint32_t size)
{
	struct boot_info *bi = p->bi;

	if (size < TAG_HDR + 8) {
		bi->errors |= BOOT_ERR_BAD_MODULE;
		return;
	}
	uint32_t start = rd32(t + 8), end = rd32(t + 12);
	if (end < start) {
		bi->errors |= BOOT_ERR_BAD_MODULE;
		return;
	}
	if (bi->module_count == BOOT_MAX_MODULES) {
		bi->errors |= BOOT_ERR_TOO_MANY_MODS;
		return;
	}
	struct boot_module *m = &bi->modules[bi->module_count++];
	m->start = pa(start);
	m->end = pa(end);
	if (!copy_string(m->name, sizeof(m->name), t + 16, size - 16))
		bi->errors |= BOOT_ERR_BAD_STRING;
}

static void parse_mmap(struct parser *p, const uint8_t *t, uint32_t size)
{
	struct boot_info *bi = p->bi;

	if (size < TAG_HDR + 8) {
		bi->errors |= BOOT_ERR_BAD_MMAP;
		return;
	}
	uint32_t esize = rd32(t + 8);
	if (esize < 24 || esize % 8 != 0) {
		bi->errors |= BOOT_ERR_BAD_MMAP;
		return;
	}
	p->have_mmap = true;
	/* A partial trailing entry is malformed; the whole ones before it are kept. */
	if ((size - 16) % esize != 0)
		bi->errors |= BOOT_ERR_BAD_MMAP;
	for (const uint8_t *e = t + 16; e + esize <= t + size; e += esize) {
		if (bi->mem_count == BOOT_MAX_MEM_REGIONS) {
			bi->errors |= BOOT_ERR_MMAP_OVERFLOW;
			return;
		}
		struct boot_mem_region *r = &bi->mem[bi->mem_count++];
		r->base = rd64(e);
		r->length = rd64(e + 8);
		r->type = rd32(e + 16);
		if (r->type < BOOT_MEM_USABLE || r->type > BOOT_MEM_BAD)
			r->type = BOOT_MEM_RESERVED;
	}
}

static void parse_framebuffer(struct parser *p, const uint8_t *t, uint32_t size)
{
	struct boot_fb *fb = &p->bi->fb;

	if (size < 32) {
		p->bi->errors |= BOOT_ERR_BAD_FB;
		fb->kind = BOOT_FB_UNSUPPORTED;
		return;
	}
	fb->addr = pa(rd64(t + 8));
	fb->pitch = rd32(t + 16);
	fb->width = rd32(t + 20);
	fb->height = rd32(t + 24);
	fb->bpp = t[28];
	uint8_t type = t[29];

	if (type == 2) {
		fb->kind = BOOT_FB_TEXT;
		return;
	}
	if (type != 1) {                        /* 0: indexed colour */
		fb->kind = BOOT_FB_UNSUPPORTED;
		return;
	}
	if (size < 38) {
		p->bi->errors |= BOOT_ERR_BAD_FB;
		fb->kind = BOOT_FB_UNSUPPORTED;
		return;
	}
	fb->red_pos = t[32];
	fb->red_size = t[33];
	fb->green_pos = t[34];
	fb->green_size = t[35];
	fb->blue_pos = t[36];
	fb->blue_size = t[37];

	if (fb->bpp != 32 && fb->bpp != 24) {
		fb->kind = BOOT_FB_UNSUPPORTED;
		return;
	}
	uint64_t bytes = (uint64_t)fb->pitch * fb->height;
	bool sound = fb->addr.raw != 0 && fb->width != 0 && fb->height != 0 &&
		fb->width <= 16384 && fb->height <= 16384 &&
		(uint64_t)fb->pitch >= (uint64_t)fb->width * (fb->bpp / 8) &&
		fb->addr.raw + bytes > fb->addr.raw &&
		fb->red_pos + fb->red_size <= fb->bpp &&
		fb->green_pos + fb->green_size <= fb->bpp &&
		fb->blue_pos + fb->blue_size <= fb->bpp &&
		fb->red_size && fb->green_size && fb->blue_size &&
		fb->red_size <= 8 && fb->green_size <= 8 && fb->blue_size <= 8;
	if (!sound) {
		p->bi->errors |= BOOT_ERR_BAD_FB;
		fb->kind = BOOT_FB_UNSUPPORTED;
		return;
	}
	fb->kind = BOOT_FB_RGB;
}

static void parse_rsdp(struct parser *p, const uint8_t *t, uint32_t size, size_t want)
{
	struct boot_info *bi = p->bi;

	if (size < TAG_HDR + want) {
		bi->errors |= BOOT_ERR_BAD_RSDP;
		return;
	}
	/* Keep the ACPI 2.0 copy when both are present. */
	if (bi->rsdp_len > want)
		return;
	memcpy(bi->rsdp, t + TAG_HDR, want);
	bi->rsdp_len = want;
}

static void parse_tag(struct parser *p, uint32_t type, const uint8_t *t, uint32_t size)
{
	struct boot_info *bi = p->bi;

	switch (type) {
	case TAG_CMDLINE:
		if (!copy_string(bi->cmdline, sizeof(bi->cmdline), t + TAG_HDR, size - TAG_HDR))
			bi->errors |= BOOT_ERR_BAD_STRING;
		break;
	case TAG_LOADER:
		if (!copy_string(bi->loader, sizeof(bi->loader), t + TAG_HDR, size - TAG_HDR))
			bi->errors |= BOOT_ERR_BAD_STRING;
		break;
	case TAG_MODULE:
		parse_module(p, t, size);
		break;
	case TAG_BASIC_MEMINFO:
		if (size >= TAG_HDR + 8) {
			p->have_basic = true;
			p->mem_lower_kib = rd32(t + 8);
			p->mem_upper_kib = rd32(t + 12);
		}
		break;
	case TAG_MMAP:
		parse_mmap(p, t, size);
		break;
	case TAG_FRAMEBUFFER:
		parse_framebuffer(p, t, size);
		break;
	case TAG_ACPI_OLD:
		parse_rsdp(p, t, size, 20);
		break;
	case TAG_ACPI_NEW:
		parse_rsdp(p, t, size, 36);
		break;
	case TAG_EFI32:
	case TAG_EFI64:
	case TAG_EFI_MMAP:
	case TAG_EFI_BS:
	case TAG_EFI32_IH:
	case TAG_EFI64_IH:
		bi->firmware = BOOT_FW_UEFI;
		break;
	default:
		break;                  /* tags we do not use */
	}
}

bool mb2_parse(uint32_t magic, const void *info, size_t avail, struct boot_info *bi)
{
	struct parser p = { .base = info, .bi = bi };

	memset(bi, 0, sizeof(*bi));
	bi->firmware = BOOT_FW_BIOS;
	if (magic != MB2_BOOTLOADER_MAGIC) {
		bi->errors |= BOOT_ERR_BAD_MAGIC;
		return false;
	}
	if (!info || avail < 8) {
		bi->errors |= BOOT_ERR_BAD_HEADER;
		return false;
	}
	uint32_t total = rd32(p.base);
	if (total < 8) {
		bi->errors |= BOOT_ERR_BAD_HEADER;
		return false;
	}
	if (total > avail) {
		/* Claims more than can be read: parse what is there, and say so. */
		bi->errors |= BOOT_ERR_BAD_HEADER;
		total = (uint32_t)avail;
	}
	p.total = total;

	bool end = false;
	for (size_t off = 8; off + TAG_HDR <= p.total;) {
		const uint8_t *t = p.base + off;
		uint32_t type = rd32(t), size = rd32(t + 4);

		if (size < TAG_HDR || size > p.total - off) {
			bi->errors |= BOOT_ERR_TRUNCATED_TAG;
			break;
		}
		if (type == TAG_END) {
			end = true;
			break;
		}
		parse_tag(&p, type, t, size);
		off += ALIGN_UP((size_t)size, 8);
	}
	if (!end)
		bi->errors |= BOOT_ERR_NO_END_TAG;

	if (!p.have_mmap) {
		bi->errors |= BOOT_ERR_NO_MMAP;
		/* Fall back to the basic lower/upper memory sizes (KiB below 640 K and from
		 * 1 MiB), which every Multiboot loader reports. */
		if (p.have_basic) {
			bi->mem[0] = (struct boot_mem_region){
				0, (uint64_t)p.mem_lower_kib * 1024, BOOT_MEM_USABLE };
			bi->mem[1] = (struct boot_mem_region){
				0x100000, (uint64_t)p.mem_upper_kib * 1024, BOOT_MEM_USABLE };
			bi->mem_count = 2;
		}
	}
	return true;
}

void boot_info_describe_errors(uint32_t errors, void (*out)(const char *msg))
{
	static const char *const msg[] = {
		"not entered by a Multiboot2 boot loader (bad magic)",
		"boot information header is malformed",
		"a boot information tag runs past the end of the block",
		"boot information has no end tag",
		"memory map tag is malformed",
		"no memory map from the boot loader",
		"memory map has more regions than the kernel keeps",
		"a module tag is malformed and was skipped",
		"more boot modules than the kernel keeps",
		"framebuffer tag is malformed",
		"a boot string is not NUL-terminated",
		"an ACPI RSDP tag is too short",
	};

	for (size_t i = 0; i < ARRAY_SIZE(msg); i++)
		if (errors & (1u << i))
			out(msg[i]);
}
