/*
 * What the kernel knows from its boot loader, in its own format. The Multiboot2 parser
 * (boot/multiboot2.c) fills it; another boot protocol would only need another parser.
 * Everything is copied out of the loader's structures, which the kernel can then forget.
 */
#ifndef BOOTINFO_H
#define BOOTINFO_H

#include <types.h>

#define BOOT_MAX_MEM_REGIONS    256
#define BOOT_MAX_MODULES        16
#define BOOT_CMDLINE_MAX        1024
#define BOOT_NAME_MAX           64

enum boot_mem_type {
	BOOT_MEM_USABLE = 1,
	BOOT_MEM_RESERVED = 2,
	BOOT_MEM_ACPI_RECLAIM = 3,
	BOOT_MEM_ACPI_NVS = 4,
	BOOT_MEM_BAD = 5,
};

struct boot_mem_region {
	uint64_t base;
	uint64_t length;
	uint32_t type;          /* enum boot_mem_type; other loader values kept as reserved */
};

struct boot_module {
	paddr_t start;
	paddr_t end;            /* exclusive */
	char name[BOOT_NAME_MAX];
};

enum boot_fb_kind {
	BOOT_FB_NONE = 0,       /* no framebuffer tag */
	BOOT_FB_RGB,            /* linear RGB framebuffer: usable by fbcon */
	BOOT_FB_TEXT,           /* EGA text mode: no graphics console */
	BOOT_FB_UNSUPPORTED,    /* indexed colour, odd depth, or bad geometry */
};

struct boot_fb {
	enum boot_fb_kind kind;
	paddr_t addr;
	uint32_t width, height; /* pixels */
	uint32_t pitch;         /* bytes per scan line */
	uint8_t bpp;            /* bits per pixel */
	uint8_t red_pos, red_size;
	uint8_t green_pos, green_size;
	uint8_t blue_pos, blue_size;
};

enum boot_firmware { BOOT_FW_BIOS, BOOT_FW_UEFI };

/* Problems found while parsing; the kernel reports each and goes on where it can. */
enum {
	BOOT_ERR_BAD_MAGIC      = 1u << 0,      /* not entered by a Multiboot2 loader */
	BOOT_ERR_BAD_HEADER     = 1u << 1,      /* total size missing, tiny or huge */
	BOOT_ERR_TRUNCATED_TAG  = 1u << 2,      /* a tag runs past the end */
	BOOT_ERR_NO_END_TAG     = 1u << 3,
	BOOT_ERR_BAD_MMAP       = 1u << 4,      /* memory map tag malformed */
	BOOT_ERR_NO_MMAP        = 1u << 5,      /* no memory map (basic info used if any) */
	BOOT_ERR_MMAP_OVERFLOW  = 1u << 6,      /* more regions than BOOT_MAX_MEM_REGIONS */
	BOOT_ERR_BAD_MODULE     = 1u << 7,      /* a module tag was malformed: skipped */
	BOOT_ERR_TOO_MANY_MODS  = 1u << 8,
	BOOT_ERR_BAD_FB         = 1u << 9,      /* framebuffer tag malformed */
	BOOT_ERR_BAD_STRING     = 1u << 10,     /* a string tag without its NUL */
	BOOT_ERR_BAD_RSDP       = 1u << 11,     /* an ACPI tag too short for its RSDP */
};

struct boot_info {
	uint32_t errors;                        /* BOOT_ERR_* */
	enum boot_firmware firmware;
	char cmdline[BOOT_CMDLINE_MAX];
	char loader[BOOT_NAME_MAX];

	size_t mem_count;
	struct boot_mem_region mem[BOOT_MAX_MEM_REGIONS];

	size_t module_count;
	struct boot_module modules[BOOT_MAX_MODULES];

	struct boot_fb fb;

	/* A copy of the RSDP (ACPI 1.0: 20 bytes, 2.0+: 36), not its address: Multiboot2
	 * hands the structure itself over. rsdp_len is 0 when there was none. */
	uint8_t rsdp[36];
	size_t rsdp_len;

	/* Where the loader's information block lies, so memory set-up keeps it reserved. */
	paddr_t info_start, info_end;
};

#define MB2_BOOTLOADER_MAGIC 0x36d76289u
#define MB2_INFO_MAX_SIZE    (1u << 20)

/*
 * Parse a Multiboot2 information block of at most 'avail' readable bytes into bi
 * (which is cleared first). Never reads outside [info, info + avail). Returns false
 * when nothing could be parsed (bad magic or header); bi->errors says why.
 */
bool mb2_parse(uint32_t magic, const void *info, size_t avail, struct boot_info *bi);

/* One line per set error bit, for the boot log: calls out(msg) for each. */
void boot_info_describe_errors(uint32_t errors, void (*out)(const char *msg));

extern struct boot_info boot_info;

#endif
