/*
 * Loading a static ELF64 executable into a process (elf.h; docs/ELF.md has the stack
 * and start-information layout). Checking is separate from doing: elf_check validates
 * the file and check_args everything else — arguments, capabilities, where the stack and
 * IPC buffer go — before the first allocation. Then each PT_LOAD segment becomes an
 * anonymous memory object (memobj.h), filled through the direct map (SMAP forbids the
 * kernel to write through user addresses, and the pages need not be mapped yet) and
 * mapped with mem_map_object, so the image is accounted and torn down like any memory
 * grant of the process; the stack is one more, laid out by elf_stack.c (shared with the
 * user library's loader). A failure part-way unmaps what was
 * mapped, which frees the objects and credits the quota.
 */
#include <elf.h>
#include <cap.h>
#include <klib.h>
#include <log.h>
#include <memobj.h>
#include <thread.h>
#include <mnos/start.h>

/* Where the start-up data goes on the stack, and the types of the start capabilities. */
struct stack_layout {
	struct elf_stack st;
	uint32_t cap_types[MNOS_START_MAX_CAPS];        /* as found in the slots */
};

/* Copy len bytes to offset off of the anonymous object mo, whose frames are not
 * contiguous, through the direct map. */
static void obj_write(const struct memobj *mo, uint64_t off, const void *src, size_t len)
{
	const uint8_t *from = src;

	while (len) {
		uint64_t in_page = off % PAGE_SIZE;
		size_t n = MIN(len, PAGE_SIZE - in_page);
		memcpy((uint8_t *)phys_to_virt(mo->frames[off / PAGE_SIZE]) + in_page, from, n);
		off += n;
		from += n;
		len -= n;
	}
}

/* The ranges a segment's pages cover and the IPC buffer's page: do they meet? */
static bool pages_meet(uint64_t a, uint64_t a_end, uint64_t b, uint64_t b_end)
{
	return ALIGN_DOWN(a, (uint64_t)PAGE_SIZE) < ALIGN_UP(b_end, (uint64_t)PAGE_SIZE) &&
	       ALIGN_DOWN(b, (uint64_t)PAGE_SIZE) < ALIGN_UP(a_end, (uint64_t)PAGE_SIZE);
}

static kerr_t check_caps(struct process *p, const struct elf_args *a,
			 struct stack_layout *l)
{
	if (a->ncaps > MNOS_START_MAX_CAPS)
		return E_RANGE;
	if (a->ncaps && !a->caps)
		return E_INVAL;
	for (uint32_t i = 0; i < a->ncaps; i++) {
		const struct elf_start_cap *sc = &a->caps[i];
		struct cap c;
		if (sc->name && strnlen(sc->name, MNOS_START_CAP_NAME) == MNOS_START_CAP_NAME)
			return E_INVAL;
		kerr_t e = cap_lookup(p->cspace, sc->slot, (enum obj_type)sc->type, 0, &c);
		if (e != E_OK)
			return e;
		l->cap_types[i] = c.type;
		kobj_put(c.obj);
	}
	return E_OK;
}

static kerr_t check_ipc_buffer(const struct elf_info *info, uint64_t buf)
{
	if (!buf)
		return E_OK;
	if (!IS_ALIGNED(buf, PAGE_SIZE))
		return E_INVAL;
	if (buf < USER_BASE || buf > USER_TOP - PAGE_SIZE ||
	    pages_meet(buf, buf + PAGE_SIZE, USER_STACK_REGION_BASE, USER_STACK_TOP))
		return E_RANGE;
	for (unsigned i = 0; i < info->nsegs; i++)
		if (pages_meet(buf, buf + PAGE_SIZE, info->segs[i].vaddr,
			       info->segs[i].vaddr + info->segs[i].memsz))
			return E_RANGE;
	return E_OK;
}

/* The pages a checked segment covers, from its first (its end lies below the stack
 * region, so rounding up cannot wrap). */
static uint64_t seg_first(const struct elf_segment *s)
{
	return ALIGN_DOWN(s->vaddr, (uint64_t)PAGE_SIZE);
}

static uint64_t seg_pages(const struct elf_segment *s)
{
	return (ALIGN_UP(s->vaddr + s->memsz, (uint64_t)PAGE_SIZE) - seg_first(s)) / PAGE_SIZE;
}

/* Everything but the file: the arguments fit, the capabilities are there, and where
 * the stack's contents go. */
static kerr_t check_args(struct process *p, const struct elf_args *a,
			 const struct elf_info *info, struct stack_layout *l)
{
	uint64_t strings;
	kerr_t e = elf_args_size(a->argv, a->argc, &strings);

	if (e != E_OK)
		return e;
	/* Each segment becomes one memory object: one too large for that fails now. */
	for (unsigned i = 0; i < info->nsegs; i++)
		if (seg_pages(&info->segs[i]) > MEMOBJ_MAX_PAGES)
			return E_RANGE;
	e = check_caps(p, a, l);
	if (e == E_OK)
		e = check_ipc_buffer(info, a->ipc_buffer);
	if (e != E_OK)
		return e;
	return elf_stack_plan(a->argc, 0, strings, a->stack_size, &l->st);
}

static void stack_write(void *mo, uint64_t off, const void *src, size_t len)
{
	obj_write(mo, off, src, len);
}

/* Fill the stack object: argc, argv[] and an empty envp at sp, the strings, and the
 * start information at the top. */
static void fill_stack(struct memobj *mo, struct process *p, const struct elf_args *a,
		       const struct stack_layout *l)
{
	struct mnos_start_info si = {
		.ipc_buffer = a->ipc_buffer, .ncaps = a->ncaps, .nslots = p->cspace->nslots,
	};

	for (uint32_t i = 0; i < a->ncaps; i++) {
		si.caps[i].slot = a->caps[i].slot;
		si.caps[i].type = l->cap_types[i];
		if (a->caps[i].name)
			strlcpy(si.caps[i].name, a->caps[i].name, sizeof(si.caps[i].name));
	}
	elf_stack_fill(&l->st, a->argv, a->argc, NULL, 0, &si, stack_write, mo);
}

static uint32_t seg_rights(uint32_t flags)
{
	/* x86 pages are always readable; elf_check refused W+X. */
	return CAP_R_READ | (flags & PF_W ? CAP_R_WRITE : 0) | (flags & PF_X ? CAP_R_EXEC : 0);
}

kerr_t elf_load(struct process *p, const void *img, size_t size, const struct elf_args *args,
		struct elf_image *out)
{
	static const struct elf_args none;
	const struct elf_args *a = args ? args : &none;
	struct stack_layout l;
	uint64_t mapped[ELF_MAX_LOADS];         /* segments mapped so far */
	unsigned n = 0;
	kerr_t e;

	memset(out, 0, sizeof(*out));
	if (p == &kernel_process || !p->mem || !p->cspace->quota)
		return E_INVAL;
	out->error = elf_check(img, size, &out->info);
	if (out->error != ELF_OK) {
		char why[96];
		pr_info("elf: process %s: refused the executable: %s", p->name,
			elf_explain(out->error, &out->info, why, sizeof(why)));
		return E_INVAL;
	}
	e = check_args(p, a, &out->info, &l);
	if (e != E_OK)
		return e;

	struct quota *q = p->cspace->quota;
	struct memobj *mo;
	for (unsigned i = 0; i < out->info.nsegs; i++) {
		const struct elf_segment *s = &out->info.segs[i];
		uint64_t first = seg_first(s);
		e = memobj_create(q, seg_pages(s), &mo);
		if (e != E_OK)
			goto out_unmap;
		obj_write(mo, s->vaddr - first, (const uint8_t *)img + s->offset, s->filesz);
		e = mem_map_object(p, mo, va(first), seg_rights(s->flags), q);
		kobj_put(&mo->obj);
		if (e != E_OK)
			goto out_unmap;
		mapped[n++] = first;
	}
	e = memobj_create(q, (l.st.top - l.st.base) / PAGE_SIZE, &mo);
	if (e != E_OK)
		goto out_unmap;
	fill_stack(mo, p, a, &l);
	e = mem_map_object(p, mo, va(l.st.base), CAP_R_READ | CAP_R_WRITE, q);
	kobj_put(&mo->obj);
	if (e != E_OK)
		goto out_unmap;

	out->entry = out->info.entry;
	out->sp = l.st.sp;
	out->start_info = l.st.info;
	out->stack_base = l.st.base;
	out->stack_top = l.st.top;
	return E_OK;

out_unmap:
	while (n--)
		mem_unmap(p, va(mapped[n]));
	return e;
}
