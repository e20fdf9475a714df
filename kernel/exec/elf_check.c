/*
 * ELF64 validation (elf.h, docs/ELF.md): everything the loader will rely on is checked
 * here, before anything is allocated or mapped. Pure logic — it depends on the types,
 * string functions and formatter only — so tests/host/test_elf.c runs it under ASan and
 * UBSan on a corpus of malformed files and on random mutations.
 *
 * The file is untrusted: every header is copied out with memcpy (img may be unaligned),
 * and every sum of two file fields is checked for wrap-around before it is compared.
 */
#include <elf.h>
#include <kformat.h>
#include <klib.h>

static const struct {
	const char *name;
	const char *what;
} errors[ELF_ERRORS] = {
	[ELF_OK]                 = { "ok", "no error" },
	[ELF_E_SHORT]            = { "short", "file smaller than an ELF64 header" },
	[ELF_E_MAGIC]            = { "magic", "not an ELF file (bad magic)" },
	[ELF_E_CLASS]            = { "class", "not a 64-bit ELF file (EI_CLASS)" },
	[ELF_E_DATA]             = { "data", "not little-endian (EI_DATA)" },
	[ELF_E_IDENT_VERSION]    = { "ident_version", "unknown ELF version (EI_VERSION)" },
	[ELF_E_OSABI]            = { "osabi", "unsupported OS ABI (EI_OSABI: SYSV or GNU only)" },
	[ELF_E_TYPE]             = { "type", "not a static executable (e_type must be ET_EXEC)" },
	[ELF_E_MACHINE]          = { "machine", "not an x86-64 file (e_machine)" },
	[ELF_E_VERSION]          = { "version", "unknown ELF version (e_version)" },
	[ELF_E_EHSIZE]           = { "ehsize", "e_ehsize is not the size of an ELF64 header" },
	[ELF_E_PHENTSIZE]        = { "phentsize",
				     "e_phentsize is not the size of an ELF64 program header" },
	[ELF_E_PHNUM]            = { "phnum", "no program headers, or too many (e_phnum)" },
	[ELF_E_PHDRS_OUTSIDE]    = { "phdrs_outside",
				     "program header table runs past the end of the file" },
	[ELF_E_INTERP]           = { "interp",
				     "PT_INTERP: dynamically linked programs are not supported" },
	[ELF_E_DYNAMIC]          = { "dynamic",
				     "PT_DYNAMIC: dynamically linked programs are not supported" },
	[ELF_E_TLS]              = { "tls", "PT_TLS: thread-local storage is not supported" },
	[ELF_E_SHLIB]            = { "shlib", "PT_SHLIB: reserved segment type" },
	[ELF_E_EXEC_STACK]       = { "exec_stack", "PT_GNU_STACK asks for an executable stack" },
	[ELF_E_SEG_OUTSIDE_FILE] = { "seg_outside_file",
				     "p_offset + p_filesz runs past the end of the file" },
	[ELF_E_SEG_FILESZ]       = { "seg_filesz", "p_filesz > p_memsz" },
	[ELF_E_SEG_ALIGN]        = { "seg_align",
				     "p_align is not 0, 1 or a power of two of at least a page" },
	[ELF_E_SEG_CONGRUENT]    = { "seg_congruent",
				     "p_vaddr and p_offset differ modulo p_align" },
	[ELF_E_SEG_WRAPS]        = { "seg_wraps", "p_vaddr + p_memsz wraps around" },
	[ELF_E_SEG_RANGE]        = { "seg_range",
				     "segment outside user space below the stack region" },
	[ELF_E_SEG_WX]           = { "seg_wx", "segment both writable and executable" },
	[ELF_E_SEG_OVERLAP]      = { "seg_overlap",
				     "segment shares a page with an earlier PT_LOAD" },
	[ELF_E_TOO_MANY_LOADS]   = { "too_many_loads", "more PT_LOAD segments than supported" },
	[ELF_E_NO_LOAD]          = { "no_load", "no PT_LOAD segment" },
	[ELF_E_ENTRY]            = { "entry",
				     "entry point not in the file-backed part of an executable "
				     "segment" },
};

const char *elf_strerror(enum elf_error e)
{
	return (unsigned)e < ELF_ERRORS ? errors[e].what : "unknown error";
}

const char *elf_errname(enum elf_error e)
{
	return (unsigned)e < ELF_ERRORS ? errors[e].name : "unknown";
}

char *elf_explain(enum elf_error e, const struct elf_info *info, char *buf, size_t size)
{
	if (info && info->bad_phdr >= 0)
		ksnprintf(buf, size, "program header %d: %s", info->bad_phdr, elf_strerror(e));
	else
		ksnprintf(buf, size, "%s", elf_strerror(e));
	return buf;
}

static bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

static enum elf_error check_header(const struct elf64_ehdr *h, size_t size)
{
	if (memcmp(h->e_ident, ELFMAG, 4) != 0)
		return ELF_E_MAGIC;
	if (h->e_ident[EI_CLASS] != ELFCLASS64)
		return ELF_E_CLASS;
	if (h->e_ident[EI_DATA] != ELFDATA2LSB)
		return ELF_E_DATA;
	if (h->e_ident[EI_VERSION] != EV_CURRENT)
		return ELF_E_IDENT_VERSION;
	if (h->e_ident[EI_OSABI] != ELFOSABI_SYSV && h->e_ident[EI_OSABI] != ELFOSABI_GNU)
		return ELF_E_OSABI;
	if (h->e_type != ET_EXEC)
		return ELF_E_TYPE;
	if (h->e_machine != EM_X86_64)
		return ELF_E_MACHINE;
	if (h->e_version != EV_CURRENT)
		return ELF_E_VERSION;
	if (h->e_ehsize != sizeof(struct elf64_ehdr))
		return ELF_E_EHSIZE;
	if (h->e_phentsize != sizeof(struct elf64_phdr))
		return ELF_E_PHENTSIZE;
	if (h->e_phnum == 0 || h->e_phnum > ELF_MAX_PHDRS)
		return ELF_E_PHNUM;
	/* e_phnum is at most ELF_MAX_PHDRS, so the table's size cannot overflow. */
	uint64_t table = (uint64_t)h->e_phnum * sizeof(struct elf64_phdr);
	if (h->e_phoff > size || table > size - h->e_phoff)
		return ELF_E_PHDRS_OUTSIDE;
	return ELF_OK;
}

/* The first and one-past-last page of a checked segment (its end lies below the stack
 * region, so rounding up cannot wrap). */
static uint64_t seg_first_page(const struct elf_segment *s)
{
	return ALIGN_DOWN(s->vaddr, (uint64_t)PAGE_SIZE);
}

static uint64_t seg_end_page(const struct elf_segment *s)
{
	return ALIGN_UP(s->vaddr + s->memsz, (uint64_t)PAGE_SIZE);
}

/* A PT_LOAD header; ELF_OK with *seg filled in, or its defect. */
static enum elf_error check_load(const struct elf64_phdr *ph, size_t size,
				 struct elf_segment *seg)
{
	if (ph->p_offset > size || ph->p_filesz > size - ph->p_offset)
		return ELF_E_SEG_OUTSIDE_FILE;
	if (ph->p_filesz > ph->p_memsz)
		return ELF_E_SEG_FILESZ;
	/* Segments are copied, not mapped from the file, so only what the format itself
	 * demands is checked: a real alignment is a power of two, at least a page, and
	 * the address and offset agree modulo it. */
	if (ph->p_align > 1 && (!is_pow2(ph->p_align) || ph->p_align < PAGE_SIZE))
		return ELF_E_SEG_ALIGN;
	if (ph->p_align > 1 && (ph->p_vaddr & (ph->p_align - 1)) !=
			       (ph->p_offset & (ph->p_align - 1)))
		return ELF_E_SEG_CONGRUENT;
	if (ph->p_memsz > UINT64_MAX - ph->p_vaddr)
		return ELF_E_SEG_WRAPS;
	if (ph->p_vaddr < USER_BASE || ph->p_vaddr + ph->p_memsz > USER_STACK_REGION_BASE)
		return ELF_E_SEG_RANGE;
	if ((ph->p_flags & (PF_W | PF_X)) == (PF_W | PF_X))
		return ELF_E_SEG_WX;
	*seg = (struct elf_segment){
		.vaddr = ph->p_vaddr, .memsz = ph->p_memsz,
		.offset = ph->p_offset, .filesz = ph->p_filesz,
		.flags = ph->p_flags & (PF_R | PF_W | PF_X),
	};
	return ELF_OK;
}

static enum elf_error check_phdr(const struct elf64_phdr *ph, size_t size,
				 struct elf_info *out)
{
	struct elf_segment seg;
	enum elf_error e;

	switch (ph->p_type) {
	case PT_INTERP:
		return ELF_E_INTERP;
	case PT_DYNAMIC:
		return ELF_E_DYNAMIC;
	case PT_TLS:
		return ELF_E_TLS;
	case PT_SHLIB:
		return ELF_E_SHLIB;
	case PT_GNU_STACK:
		return ph->p_flags & PF_X ? ELF_E_EXEC_STACK : ELF_OK;
	case PT_LOAD:
		break;
	default:
		return ELF_OK;  /* notes, PT_PHDR, PT_GNU_RELRO...: nothing to load */
	}
	e = check_load(ph, size, &seg);
	if (e != ELF_OK || seg.memsz == 0)
		return e;
	for (unsigned i = 0; i < out->nsegs; i++)
		if (seg_first_page(&seg) < seg_end_page(&out->segs[i]) &&
		    seg_first_page(&out->segs[i]) < seg_end_page(&seg))
			return ELF_E_SEG_OVERLAP;
	if (out->nsegs == ELF_MAX_LOADS)
		return ELF_E_TOO_MANY_LOADS;
	out->segs[out->nsegs++] = seg;
	return ELF_OK;
}

static bool entry_ok(const struct elf_info *info)
{
	for (unsigned i = 0; i < info->nsegs; i++) {
		const struct elf_segment *s = &info->segs[i];
		if ((s->flags & PF_X) && info->entry >= s->vaddr &&
		    info->entry - s->vaddr < s->filesz)
			return true;
	}
	return false;
}

enum elf_error elf_check(const void *img, size_t size, struct elf_info *out)
{
	const uint8_t *bytes = img;
	struct elf64_ehdr h;
	enum elf_error e;

	memset(out, 0, sizeof(*out));
	out->bad_phdr = -1;
	if (size < sizeof(h))
		return ELF_E_SHORT;
	memcpy(&h, img, sizeof(h));
	e = check_header(&h, size);
	if (e != ELF_OK)
		return e;
	out->entry = h.e_entry;
	for (unsigned i = 0; i < h.e_phnum; i++) {
		struct elf64_phdr ph;
		memcpy(&ph, bytes + h.e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		e = check_phdr(&ph, size, out);
		if (e != ELF_OK) {
			out->bad_phdr = (int)i;
			return e;
		}
	}
	if (out->nsegs == 0)
		return ELF_E_NO_LOAD;
	if (!entry_ok(out))
		return ELF_E_ENTRY;
	return ELF_OK;
}
