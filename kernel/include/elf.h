/*
 * ELF64 executables: the file format (our own definitions, from the System V gABI and
 * the x86-64 psABI), their validation (kernel/exec/elf_check.c, pure logic that the host
 * tests compile too) and loading into a process (kernel/exec/elf_load.c). docs/ELF.md
 * says what is accepted and why, and lays out the stack a program starts with.
 *
 * Only static, non-PIE executables (ET_EXEC) are loaded: no interpreter, no dynamic
 * section, no relocation, so every address in the file is where it will be mapped and
 * checking the file is checking the address space the program gets.
 */
#ifndef ELF_H
#define ELF_H

#include <types.h>
#include <kerr.h>

/* ---- the file format ---- */

#define EI_NIDENT       16
#define EI_MAG0         0
#define EI_CLASS        4
#define EI_DATA         5
#define EI_VERSION      6
#define EI_OSABI        7
#define ELFMAG          "\177ELF"
#define ELFCLASS64      2
#define ELFDATA2LSB     1
#define EV_CURRENT      1
#define ELFOSABI_SYSV   0
#define ELFOSABI_GNU    3

#define ET_EXEC         2
#define EM_X86_64       62

#define PT_NULL         0
#define PT_LOAD         1
#define PT_DYNAMIC      2
#define PT_INTERP       3
#define PT_NOTE         4
#define PT_SHLIB        5
#define PT_PHDR         6
#define PT_TLS          7
#define PT_GNU_STACK    0x6474e551u

#define PF_X            (1u << 0)
#define PF_W            (1u << 1)
#define PF_R            (1u << 2)

struct elf64_ehdr {
	uint8_t e_ident[EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header");

/* ---- validation ---- */

#define ELF_MAX_PHDRS   32      /* program headers in a file */
#define ELF_MAX_LOADS   8       /* PT_LOAD segments that are mapped (memsz > 0) */

/* Why a file is refused: each names one defect (elf_strerror says which). The order is
 * the order elf_check finds them in. */
enum elf_error {
	ELF_OK = 0,
	ELF_E_SHORT,            /* smaller than the ELF header */
	ELF_E_MAGIC,
	ELF_E_CLASS,
	ELF_E_DATA,
	ELF_E_IDENT_VERSION,
	ELF_E_OSABI,
	ELF_E_TYPE,
	ELF_E_MACHINE,
	ELF_E_VERSION,
	ELF_E_EHSIZE,
	ELF_E_PHENTSIZE,
	ELF_E_PHNUM,
	ELF_E_PHDRS_OUTSIDE,
	/* Per program header (elf_info.bad_phdr says which): */
	ELF_E_INTERP,
	ELF_E_DYNAMIC,
	ELF_E_TLS,
	ELF_E_SHLIB,
	ELF_E_EXEC_STACK,
	ELF_E_SEG_OUTSIDE_FILE,
	ELF_E_SEG_FILESZ,
	ELF_E_SEG_ALIGN,
	ELF_E_SEG_CONGRUENT,
	ELF_E_SEG_WRAPS,
	ELF_E_SEG_RANGE,
	ELF_E_SEG_WX,
	ELF_E_SEG_OVERLAP,
	ELF_E_TOO_MANY_LOADS,
	/* The file as a whole again: */
	ELF_E_NO_LOAD,
	ELF_E_ENTRY,
	ELF_ERRORS
};

/* A PT_LOAD segment, as checked: [vaddr, vaddr + memsz) lies in user space below the
 * stack region, its first filesz bytes come from [offset, offset + filesz) of the file. */
struct elf_segment {
	uint64_t vaddr;
	uint64_t memsz;
	uint64_t offset;
	uint64_t filesz;
	uint32_t flags;                 /* PF_R, PF_W, PF_X; never both W and X */
};

struct elf_info {
	uint64_t entry;
	unsigned nsegs;                 /* in file order; empty PT_LOADs are skipped */
	struct elf_segment segs[ELF_MAX_LOADS];
	int bad_phdr;                   /* the program header at fault, or -1 */
};

/*
 * Check that the size bytes at img are a static x86-64 executable that can be loaded as
 * docs/ELF.md says, reading nothing outside them and trusting no field of them (img
 * need not be aligned). ELF_OK: *out describes its entry point and segments. Otherwise
 * the first defect found, with out->bad_phdr naming its program header if it is one's.
 */
enum elf_error elf_check(const void *img, size_t size, struct elf_info *out);

/* A sentence saying what is wrong ("p_filesz > p_memsz"), and a short stable name for
 * manifests and logs ("seg_filesz"). Both "unknown error" / "unknown" out of range. */
const char *elf_strerror(enum elf_error e);
const char *elf_errname(enum elf_error e);

/* The whole reason in buf: "program header 2: p_filesz > p_memsz". Returns buf. */
char *elf_explain(enum elf_error e, const struct elf_info *info, char *buf, size_t size);

/* ---- loading ---- */

#define ELF_STACK_DEFAULT       (64 * 1024)
#define ELF_STACK_MAX           (USER_STACK_REGION_SIZE - PAGE_SIZE)    /* and a guard */
#define ELF_MAX_ARGS            64
#define ELF_ARGS_MAX_BYTES      4096    /* argv strings with their NULs */

/* A capability the new program finds in its start information: the caller has placed
 * it in the process's capability space at slot, with an object of type. */
struct elf_start_cap {
	uint32_t slot;
	uint32_t type;                  /* enum obj_type; OBJ_NONE: whatever is there */
	const char *name;               /* shorter than MNOS_START_CAP_NAME */
};

struct elf_args {
	const char *const *argv;        /* argc kernel strings, copied onto the stack */
	uint32_t argc;
	const struct elf_start_cap *caps;
	uint32_t ncaps;                 /* at most MNOS_START_MAX_CAPS */
	uint64_t stack_size;            /* bytes, rounded up to pages; 0: the default */
	uint64_t ipc_buffer;            /* recorded in the start information; 0: none */
};

/* Where the loaded program starts. */
struct elf_image {
	uint64_t entry;                 /* rip */
	uint64_t sp;                    /* rsp: 16-byte aligned, pointing at argc */
	uint64_t start_info;            /* rdi: struct mnos_start_info (mnos/start.h) */
	uint64_t stack_base, stack_top; /* the stack's mapped pages; a guard page below */
	enum elf_error error;           /* why elf_check refused the file, on E_INVAL */
	struct elf_info info;           /* what elf_check found */
};

/*
 * The start-up stack (docs/ELF.md, "The stack"), shared by the kernel's loader and the
 * user library's (kernel/exec/elf_stack.c, pure logic). Addresses are user addresses.
 */
struct elf_stack {
	uint64_t base, top;             /* mapped pages; the guard page is below base */
	uint64_t info;                  /* struct mnos_start_info */
	uint64_t strings;               /* argv then envp strings, packed */
	uint64_t sp;                    /* argc, argv[], NULL, envp[], NULL */
};

/* The bytes the argc strings of argv take with their NULs, in *bytes. E_RANGE: more
 * than ELF_MAX_ARGS arguments or ELF_ARGS_MAX_BYTES bytes; E_INVAL: a NULL argv or
 * argument. */
kerr_t elf_args_size(const char *const *argv, uint32_t argc, uint64_t *bytes);

/* Where everything goes on a stack of stack_size bytes (0: ELF_STACK_DEFAULT; rounded
 * up to pages) below USER_STACK_TOP, for argc arguments and envc environment strings
 * whose bytes (elf_args_size of each, added) are strings. E_RANGE: more than
 * ELF_MAX_ARGS of either, strings past ELF_ARGS_MAX_BYTES, a stack above ELF_STACK_MAX
 * or too small for the start-up data with a page to spare. */
kerr_t elf_stack_plan(uint32_t argc, uint32_t envc, uint64_t strings, uint64_t stack_size,
		      struct elf_stack *l);

/* Receives the stack's bytes: len bytes at offset off from the stack's base. */
typedef void (*elf_stack_write_t)(void *ctx, uint64_t off, const void *src, size_t len);

struct mnos_start_info;

/* Write the start-up data of a planned stack through write, into memory that is zero:
 * *si (whose caps, ncaps, nslots and ipc_buffer the caller has set; this sets the
 * rest), the argument and environment strings, and argc, argv[], NULL, envp[], NULL at
 * sp (the System V layout: envp follows argv's NULL). */
void elf_stack_fill(const struct elf_stack *l, const char *const *argv, uint32_t argc,
		    const char *const *envp, uint32_t envc, struct mnos_start_info *si,
		    elf_stack_write_t write, void *ctx);

struct process;

/*
 * Load the executable in [img, img + size) into p, a process whose threads have not
 * started (and that has a capability space, whose quota pays for everything): check it
 * (elf_check) and the arguments, then map each PT_LOAD segment as a memory object with
 * the permissions of its p_flags (readable always, writable or executable, never both),
 * its file bytes copied and the rest zeroed, and a stack of args->stack_size below
 * USER_STACK_TOP with an unmapped guard page below it, holding the arguments and the
 * start information. The mappings are the process's memory grants (memobj.h) held by the
 * kernel: they go when the process ends, or with mem_unmap. Nothing is mapped or
 * allocated until everything is checked, and on any failure what was made is unmapped,
 * freed and credited back.
 *
 * E_INVAL: p is the kernel's process or has no capability space; the file is malformed
 *   (out->error says why, and the kernel log); an argument string or capability name is
 *   too long; ipc_buffer not page aligned;
 * E_RANGE: a segment larger than a memory object can be (MEMOBJ_MAX_PAGES), too many
 *   arguments or capabilities, the stack size above ELF_STACK_MAX or too
 *   small for the arguments and start information with a page to spare, ipc_buffer
 *   outside user space or on the image or the stack region;
 * E_RANGE, E_NOT_FOUND, E_TYPE: a start capability's slot (cap_lookup);
 * E_EXISTS: p has something mapped where a segment or the stack goes;
 * E_NO_MEMORY: the quota or memory ran out.
 */
kerr_t elf_load(struct process *p, const void *img, size_t size, const struct elf_args *args,
		struct elf_image *out);

#endif
