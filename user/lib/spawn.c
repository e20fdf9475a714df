/*
 * Starting a program from an ELF image in memory (mnos/spawn.h): the user-space twin of
 * the kernel's loader (kernel/exec/elf_load.c), built from the same pure parts —
 * elf_check for the file, elf_stack for the stack — and from system calls: the process
 * and each segment's memory object are obj_create'd, filled through a window mapped into
 * this process, then mapped into the new one with the segment's permissions. The
 * capability of each object is deleted once it is mapped: the mapping (the kernel holds
 * it) keeps the object until the process ends. A read-only segment of an image that
 * lies in read-only memory the caller names (the initramfs) is not copied at all: its
 * pages are mapped from there. The stack, and a writable segment with pages of .bss
 * only, are demand-zero objects (MNOS_MEM_LAZY): a program that uses one page of its
 * 64 KiB stack is given one frame, not sixteen zeroed ones. Checking is separate from
 * doing, and a failure after the checks deletes the process, which takes everything
 * made for it.
 */
#include <mnos.h>

/* The pages a checked segment covers (it lies below the stack region: no wrap). */
static uint64_t seg_first(const struct elf_segment *s)
{
	return ALIGN_DOWN(s->vaddr, MNOS_PAGE_SIZE);
}

static uint64_t seg_pages(const struct elf_segment *s)
{
	return (ALIGN_UP(s->vaddr + s->memsz, MNOS_PAGE_SIZE) - seg_first(s)) / MNOS_PAGE_SIZE;
}

/* Everything but the file, before anything is made. */
static enum mnos_error check_args(const struct mnos_spawn_args *a, const struct elf_info *info,
				  uint32_t nslots, struct elf_stack *st)
{
	uint64_t strings, env;
	enum mnos_error e = elf_args_size(a->argv, a->argc, &strings);

	if (e == E_OK)
		e = elf_args_size(a->envp, a->envc, &env);
	if (e != E_OK)
		return e;
	strings += env;
	if (a->ncaps > MNOS_START_MAX_CAPS)
		return E_RANGE;
	if ((a->ncaps && !a->caps) || nslots > MNOS_CSPACE_MAX_SLOTS || nslots <= a->ncaps)
		return E_INVAL;
	for (uint32_t i = 0; i < a->ncaps; i++)
		if (a->caps[i].name && strnlen(a->caps[i].name, MNOS_START_CAP_NAME) ==
					       MNOS_START_CAP_NAME)
			return E_INVAL;
	for (unsigned i = 0; i < info->nsegs; i++)
		if (seg_pages(&info->segs[i]) > MNOS_MEMOBJ_MAX_PAGES)
			return E_RANGE;
	return elf_stack_plan(a->argc, a->envc, strings, a->stack_size, st);
}

/* Fills a window onto pages [first, ...) of a fresh (zeroed) memory object: win is
 * where the object's page 0 would be. */
typedef void (*fill_t)(uint8_t *win, const void *ctx);

/* A memory object of pages pages (created with flags: 0 or MNOS_MEM_LAZY), mapped into
 * proc at va with rights, its pages [first, last) filled by fill through a window of
 * this process's: only the pages with something to write are mapped here (a stack's
 * top page, a segment's file bytes); the rest stays as it comes, zeroed. */
static enum mnos_error map_object(uint32_t proc, uint64_t pages, uint64_t flags, uint64_t va,
				  uint32_t rights, uint64_t first, uint64_t last, fill_t fill,
				  const void *ctx)
{
	uint32_t mem = mnos_slot_alloc();
	uint64_t win = first < last ? mnos_va_alloc(last - first) : 0;
	enum mnos_error e;

	if (!mem || (first < last && !win)) {
		e = E_NO_MEMORY;
		goto out;
	}
	e = mnos_obj_create(MNOS_OBJ_MEMORY, mem, pages, flags);
	if (e == E_OK && first < last)
		e = mnos_mem_map_pages(mem, 0, win, CAP_R_READ | CAP_R_WRITE, first,
				       last - first);
	if (e != E_OK)
		goto out;
	if (first < last) {
		fill((uint8_t *)(uintptr_t)(win - first * MNOS_PAGE_SIZE), ctx);
		mnos_mem_unmap(0, win);
	}
	e = mnos_mem_map(mem, proc, va, rights);
out:
	if (mem)
		mnos_slot_free(mem);    /* the mapping in proc, if made, keeps the object */
	return e;
}

struct seg_fill {
	const uint8_t *img;
	const struct elf_segment *s;
};

static void fill_segment(uint8_t *win, const void *ctx)
{
	const struct seg_fill *f = ctx;

	memcpy(win + (f->s->vaddr - seg_first(f->s)), f->img + f->s->offset, f->s->filesz);
}

struct stack_fill {
	const struct mnos_spawn_args *a;
	const struct elf_stack *st;
	uint32_t nslots;
};

static void stack_write(void *win, uint64_t off, const void *src, size_t len)
{
	memcpy((uint8_t *)win + off, src, len);
}

static void fill_stack(uint8_t *win, const void *ctx)
{
	const struct stack_fill *f = ctx;
	const struct mnos_spawn_args *a = f->a;
	struct mnos_start_info si = { .ncaps = a->ncaps, .nslots = f->nslots };

	for (uint32_t i = 0; i < a->ncaps; i++) {
		si.caps[i].slot = i + 1;
		si.caps[i].type = a->caps[i].type;
		if (a->caps[i].name)
			strlcpy(si.caps[i].name, a->caps[i].name, sizeof(si.caps[i].name));
	}
	elf_stack_fill(f->st, a->argv, a->argc, a->envp, a->envc, &si, stack_write, win);
}

/*
 * Whether segment s can be mapped from a->image_mem instead of copied, and from which
 * of its pages: it is read-only with nothing to zero (memsz = filesz: the bytes after
 * filesz on its last page are the file's, which no program may count on), its address
 * and offset agree within a page, its pages lie whole inside the image (so the last
 * one holds nothing from beyond the file), and they are page-aligned in the object.
 */
static bool seg_in_place(const struct mnos_spawn_args *a, const struct elf_segment *s,
			 size_t size, uint64_t *first)
{
	uint64_t lead = s->vaddr - seg_first(s);
	uint64_t bytes = seg_pages(s) * MNOS_PAGE_SIZE;

	if (!a->image_mem || (s->flags & PF_W) || s->memsz != s->filesz ||
	    (s->offset & (MNOS_PAGE_SIZE - 1)) != lead)
		return false;
	uint64_t start = s->offset - lead;
	if (start > size || bytes > size - start || a->image_offset > UINT64_MAX - start)
		return false;
	uint64_t at = a->image_offset + start;
	if (at & (MNOS_PAGE_SIZE - 1))
		return false;
	*first = at / MNOS_PAGE_SIZE;
	return true;
}

static uint32_t seg_rights(uint32_t flags)
{
	/* x86 pages are always readable; elf_check refused W+X. */
	return CAP_R_READ | (flags & PF_W ? CAP_R_WRITE : 0) | (flags & PF_X ? CAP_R_EXEC : 0);
}

enum mnos_error mnos_spawn(const void *img, size_t size, const struct mnos_spawn_args *a,
			   struct mnos_spawned *out)
{
	struct elf_info info;
	struct elf_stack st;
	enum mnos_error e;

	if (!out)
		return E_INVAL;
	memset(out, 0, sizeof(*out));
	if (!a || (!img && size))
		return E_INVAL;
	out->error = elf_check(img, size, &info);
	if (out->error != ELF_OK)
		return E_INVAL;
	uint32_t nslots = a->nslots ? a->nslots : MNOS_SPAWN_DEFAULT_SLOTS;
	e = check_args(a, &info, nslots, &st);
	if (e != E_OK)
		return e;

	uint32_t proc = mnos_slot_alloc(), thread = 0;
	if (!proc)
		return E_NO_MEMORY;
	e = mnos_obj_create(MNOS_OBJ_PROCESS, proc, nslots,
			    a->quota ? a->quota : MNOS_SPAWN_DEFAULT_QUOTA);
	for (unsigned i = 0; i < info.nsegs && e == E_OK; i++) {
		const struct elf_segment *s = &info.segs[i];
		const struct seg_fill f = { img, s };
		uint64_t first;
		if (seg_in_place(a, s, size, &first)) {
			e = mnos_mem_map_pages(a->image_mem, proc, seg_first(s),
					       seg_rights(s->flags), first, seg_pages(s));
			if (e != E_PERM)
				continue;
			/* The capability lacks EXEC (or READ): copy it instead. */
		}
		/* The pages with file bytes: from the first, up to where they end. */
		uint64_t filled = (ALIGN_UP(s->vaddr + s->filesz, MNOS_PAGE_SIZE) - seg_first(s)) /
				  MNOS_PAGE_SIZE;
		if (!s->filesz)
			filled = 0;
		/* Pages of .bss only are taken when the program first touches them. */
		uint64_t flags = (s->flags & PF_W) && filled < seg_pages(s) ? MNOS_MEM_LAZY : 0;
		e = map_object(proc, seg_pages(s), flags, seg_first(s), seg_rights(s->flags), 0,
			       filled, fill_segment, &f);
		out->bytes += seg_pages(s) * MNOS_PAGE_SIZE;
	}
	if (e == E_OK) {
		/* What is written lies from sp (the lowest word) to the top. */
		const struct stack_fill f = { a, &st, nslots };
		uint64_t pages = (st.top - st.base) / MNOS_PAGE_SIZE;
		e = map_object(proc, pages, MNOS_MEM_LAZY, st.base, CAP_R_READ | CAP_R_WRITE,
			       (ALIGN_DOWN(st.sp, MNOS_PAGE_SIZE) - st.base) / MNOS_PAGE_SIZE,
			       pages, fill_stack, &f);
		out->bytes += st.top - st.base;
	}
	for (uint32_t i = 0; i < a->ncaps && e == E_OK; i++)
		e = mnos_cap_copy(a->caps[i].slot, proc, i + 1, a->caps[i].rights);
	if (e == E_OK && a->fault)
		e = mnos_proc_set_fault(proc, a->fault);
	if (e == E_OK)
		e = (thread = mnos_slot_alloc()) ? E_OK : E_NO_MEMORY;
	if (e == E_OK)
		e = mnos_thread_create(proc, thread, info.entry, st.sp, st.info);
	if (e != E_OK) {
		/* The process's last capability: it goes, and its mappings and capabilities
		 * with it. */
		if (thread)
			mnos_slot_free(thread);
		mnos_slot_free(proc);
		out->bytes = 0;
		return e;
	}
	out->proc = proc;
	out->thread = thread;
	return E_OK;
}
