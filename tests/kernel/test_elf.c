/*
 * The ELF loader in the running kernel (kernel/exec/elf_load.c): the corpus of
 * tests/elf/ (embedded by tests/kernel/elf_corpus.S, both written by
 * tools/mk_elf_corpus.py) loaded into fresh processes — every malformed file refused
 * with its error and nothing left behind — and the valid program run in ring 3: it
 * prints its argv[0], finds its .data loaded and its .bss zeroed, and a variant that
 * writes below its stack dies on the guard page. A load that fails half-way (quota,
 * or an address already taken) leaves nothing behind either.
 */
#include <ktest.h>
#include "frames.h"
#include "objects.h"
#include "settle.h"
#include <cap.h>
#include <elf.h>
#include <klib.h>
#include <log.h>
#include <memobj.h>
#include <usermode.h>
#include <vmm.h>
#include <mnos/start.h>

/* tests/kernel/elf_corpus.S */
struct elf_corpus_entry {
	const char *file;
	const uint8_t *data;
	uint64_t size;
	const char *want;               /* elf_errname, "ok" for a valid file */
	int64_t phdr;                   /* the program header at fault, or -1 */
};
extern const struct elf_corpus_entry elf_corpus[];
extern const uint64_t elf_corpus_count;

/* The valid program's layout (tools/mk_elf_corpus.py). */
#define TEXT_VA         0x400000ull
#define ENTRY           0x400100ull
#define DATA_VA         0x600200ull
#define DATA_END        0x603000ull
#define MARK_INIT       0x1122334455667788ull
#define IPC_BUF_VA      0x800000ull

#define CONSOLE_SLOT    1

/* A fresh process with its own capability space and quota. */
struct eproc {
	struct process *p;
	struct cspace cs;
	struct quota q;
};

static bool eproc_init(struct eproc *e, uint64_t limit)
{
	quota_init(&e->q, limit);
	if (cspace_init(&e->cs, 8, &e->q) != E_OK)
		return false;
	if (process_create("elf", &e->p) != E_OK) {
		cspace_destroy(&e->cs);
		return false;
	}
	e->p->cspace = &e->cs;
	return true;
}

static void eproc_fini(struct eproc *e)
{
	e->p->cspace = &cspace_empty;
	cspace_destroy(&e->cs);
	process_put(e->p);
}

static const struct elf_corpus_entry *corpus_file(const char *name)
{
	for (uint64_t i = 0; i < elf_corpus_count; i++)
		if (strcmp(elf_corpus[i].file, name) == 0)
			return &elf_corpus[i];
	return NULL;
}

/* The kernel's view of a user address: through the direct map. */
static void *user_ptr(struct process *p, uint64_t uva)
{
	paddr_t pa_;

	if (!vmm_translate(p->as, va(uva & ~(uint64_t)(PAGE_SIZE - 1)), &pa_, NULL))
		return NULL;
	return (uint8_t *)phys_to_virt(pa_) + (uva & (PAGE_SIZE - 1));
}

static uint64_t user_word(struct process *p, uint64_t uva)
{
	uint64_t *w = user_ptr(p, uva);

	return w ? *w : 0xdeadbeefdeadbeefull;
}

static bool log_has(const char *needle)
{
	static char tail[8192];
	size_t n = log_read_tail(tail, sizeof(tail) - 1), len = strlen(needle);

	tail[n] = 0;
	for (size_t i = 0; i + len <= n; i++)
		if (strncmp(tail + i, needle, len) == 0)
			return true;
	return false;
}

/* Counts that any leak raises. */
struct census {
	uint64_t frames, mappings, objects, held, caps;
};

static struct census census(void)
{
	return (struct census){ frames_used(), mem_mapping_count(), kobj_count(),
				cap_held_count(), cap_count() };
}

#define EXPECT_NO_LEAK(before) do {                                     \
		struct census now_ = census();                          \
		KT_EXPECT_EQ(now_.frames, (before).frames);             \
		KT_EXPECT_EQ(now_.mappings, (before).mappings);         \
		KT_EXPECT_EQ(now_.objects, (before).objects);           \
		KT_EXPECT_EQ(now_.held, (before).held);                 \
		KT_EXPECT_EQ(now_.caps, (before).caps);                 \
	} while (0)

KTEST(elf, malformed_files_are_refused_without_leaks)
{
	static const char *const argv[] = { "malformed" };
	static const struct elf_args args = { .argv = argv, .argc = 1 };
	unsigned refused = 0;

	for (uint64_t i = 0; i < elf_corpus_count; i++) {
		const struct elf_corpus_entry *c = &elf_corpus[i];
		if (strcmp(c->want, "ok") == 0)
			continue;
		struct census before = census();
		static struct eproc e;
		struct elf_image img;
		KT_ASSERT(eproc_init(&e, 1 << 20));
		uint64_t used = e.q.used;
		kerr_t r = elf_load(e.p, c->data, c->size, &args, &img);
		if (r != E_INVAL || strcmp(elf_errname(img.error), c->want) != 0 ||
		    img.info.bad_phdr != c->phdr)
			ktest_fail_at(__FILE__, __LINE__, "%s: %s, %s at %d; want %s at %lld",
				      c->file, kerr_name(r), elf_errname(img.error),
				      img.info.bad_phdr, c->want, (long long)c->phdr);
		KT_EXPECT_EQ(e.q.used, used);
		KT_EXPECT_EQ(mem_mapping_count(), before.mappings);
		eproc_fini(&e);
		EXPECT_NO_LEAK(before);
		refused++;
	}
	KT_EXPECT(refused >= 25);
}

/* Every valid file of the corpus loads, and goes with its process. */
KTEST(elf, valid_files_load_and_go_with_their_process)
{
	unsigned loaded = 0;

	for (uint64_t i = 0; i < elf_corpus_count; i++) {
		const struct elf_corpus_entry *c = &elf_corpus[i];
		if (strcmp(c->want, "ok") != 0)
			continue;
		struct census before = census();
		static struct eproc e;
		struct elf_image img;
		KT_ASSERT(eproc_init(&e, 1 << 20));
		KT_EXPECT_EQ(elf_load(e.p, c->data, c->size, NULL, &img), E_OK);
		KT_EXPECT_EQ(img.entry, ENTRY);
		KT_EXPECT(mem_mapping_count() > before.mappings);
		eproc_fini(&e);
		EXPECT_NO_LEAK(before);
		loaded++;
	}
	KT_EXPECT(loaded >= 1);
}

/* Load the valid program with argv and a console capability, and run it to its end. */
static bool load_and_run(const char *const *argv, uint32_t argc, struct eproc *e,
			 struct elf_image *img)
{
	static const struct elf_start_cap caps[] = {
		{ CONSOLE_SLOT, OBJ_NOTIFICATION, "console" },
	};
	const struct elf_args args = {
		.argv = argv, .argc = argc, .caps = caps, .ncaps = 1, .ipc_buffer = IPC_BUF_VA,
	};
	const struct elf_corpus_entry *c = corpus_file("hello.elf");
	struct thread *t;

	if (!c || !make_notification(&e->cs, CONSOLE_SLOT, &e->q) ||
	    elf_load(e->p, c->data, c->size, &args, img) != E_OK ||
	    user_thread_create(e->p, img->entry, img->sp, img->start_info, &t) != E_OK)
		return false;
	if (ipc_buffer_attach(t, IPC_BUF_VA) != E_OK) {
		thread_discard(t);
		return false;
	}
	thread_launch(t);
	thread_join(t);
	return true;
}

KTEST(elf, loads_and_runs_the_valid_program)
{
	static const char *const argv[] = { "elf-hello-test" };
	static struct eproc e;
	struct census before = census();
	uint64_t threads = thread_count(), faults = user_fault_count();
	struct elf_image img;
	unsigned fl;

	KT_ASSERT(eproc_init(&e, 1 << 20));
	/* One argument: no guard-page probe. */
	KT_ASSERT(load_and_run(argv, 1, &e, &img));
	struct process *p = e.p;

	/* Where things are. */
	KT_EXPECT_EQ(img.entry, ENTRY);
	KT_EXPECT_EQ(img.stack_top, USER_STACK_TOP);
	KT_EXPECT_EQ(img.stack_base, USER_STACK_TOP - ELF_STACK_DEFAULT);
	KT_EXPECT_EQ(img.sp % 16, 0);
	KT_EXPECT(img.sp > img.stack_base && img.sp < img.start_info);
	KT_EXPECT(img.start_info + sizeof(struct mnos_start_info) <= img.stack_top);

	/* Permissions from p_flags: text R+X, data and .bss R+W, the stack R+W, no page
	 * writable and executable. */
	KT_EXPECT(vmm_translate(p->as, va(TEXT_VA), NULL, &fl));
	KT_EXPECT((fl & VM_USER) && (fl & VM_EXEC) && !(fl & VM_WRITE));
	for (uint64_t at = DATA_VA & ~0xfffull; at < DATA_END; at += PAGE_SIZE) {
		KT_EXPECT(vmm_translate(p->as, va(at), NULL, &fl));
		KT_EXPECT((fl & VM_USER) && (fl & VM_WRITE) && !(fl & VM_EXEC));
	}
	KT_EXPECT(!vmm_translate(p->as, va(TEXT_VA + PAGE_SIZE), NULL, NULL));
	KT_EXPECT(!vmm_translate(p->as, va(DATA_END), NULL, NULL));
	KT_EXPECT(vmm_translate(p->as, va(img.stack_base), NULL, &fl));
	KT_EXPECT((fl & VM_WRITE) && !(fl & VM_EXEC));
	KT_EXPECT(vmm_translate(p->as, va(img.stack_top - PAGE_SIZE), NULL, NULL));
	KT_EXPECT(!vmm_translate(p->as, va(img.stack_base - PAGE_SIZE), NULL, NULL));
	uint64_t checked;
	KT_EXPECT_EQ(vmm_audit_wx(p->as, &checked), 0);
	KT_EXPECT(checked >= 1 + 3 + ELF_STACK_DEFAULT / PAGE_SIZE);

	/* The start information and the stack the program began with. */
	const struct mnos_start_info *si = user_ptr(p, img.start_info);
	KT_ASSERT(si != NULL);
	KT_EXPECT_EQ(si->magic, MNOS_START_MAGIC);
	KT_EXPECT_EQ(si->version, MNOS_START_VERSION);
	KT_EXPECT_EQ(si->size, sizeof(*si));
	KT_EXPECT_EQ(si->argc, 1);
	KT_EXPECT_EQ(si->argv, img.sp + 8);
	KT_EXPECT_EQ(si->stack_base, img.stack_base);
	KT_EXPECT_EQ(si->stack_top, img.stack_top);
	KT_EXPECT_EQ(si->ipc_buffer, IPC_BUF_VA);
	KT_EXPECT_EQ(si->ncaps, 1);
	KT_EXPECT_EQ(si->nslots, p->cspace->nslots);   /* the capability space's size */
	KT_EXPECT(si->nslots > CONSOLE_SLOT);
	KT_EXPECT_EQ(si->caps[0].slot, CONSOLE_SLOT);
	KT_EXPECT_EQ(si->caps[0].type, OBJ_NOTIFICATION);
	KT_EXPECT_STREQ(si->caps[0].name, "console");
	KT_EXPECT_EQ(user_word(p, img.sp), 1);                          /* argc */
	uint64_t arg0 = user_word(p, img.sp + 8);
	KT_EXPECT_EQ(user_word(p, img.sp + 16), 0);                     /* argv[1] */
	KT_EXPECT_EQ(user_word(p, img.sp + 24), 0);                     /* envp[0] */
	const char *s = user_ptr(p, arg0);
	KT_ASSERT(s != NULL);
	KT_EXPECT_STREQ(s, "elf-hello-test");

	/* What the program did: found the start information, .bss zero and .data loaded,
	 * wrote both, and printed its name. */
	KT_EXPECT_EQ(user_word(p, DATA_VA + 16), 1);                    /* magic seen */
	KT_EXPECT_EQ(user_word(p, DATA_VA + 8), 0);                     /* .bss was zero */
	KT_EXPECT_EQ(user_word(p, DATA_VA), MARK_INIT + 1);
	KT_EXPECT_EQ(user_word(p, DATA_VA + 24), 0x5eed);
	KT_EXPECT(log_has("elf: hello from elf-hello-test\n"));
	KT_EXPECT_EQ(user_fault_count(), faults);

	eproc_fini(&e);
	settle_threads(threads);
	KT_EXPECT_EQ(e.q.used, 0);
	EXPECT_NO_LEAK(before);
}

/* A program that writes just below its stack hits the guard page and dies of it; the
 * kernel goes on, and everything is given back. */
KTEST(elf, stack_guard_page_faults)
{
	static const char *const argv[] = { "elf-guard-test", "guard" };
	static struct eproc e;
	struct census before = census();
	uint64_t threads = thread_count(), faults = user_fault_count();
	struct elf_image img;

	KT_ASSERT(eproc_init(&e, 1 << 20));
	KT_ASSERT(load_and_run(argv, 2, &e, &img));
	KT_EXPECT_EQ(user_fault_count(), faults + 1);
	KT_EXPECT_EQ(user_word(e.p, DATA_VA), MARK_INIT + 1);   /* it ran up to there */
	KT_EXPECT(!log_has("elf: hello from elf-guard-test"));
	eproc_fini(&e);
	settle_threads(threads);
	KT_EXPECT_EQ(e.q.used, 0);
	EXPECT_NO_LEAK(before);
}

/* A quota that runs out at every point of a load: each attempt fails with E_NO_MEMORY
 * and leaves nothing (the segments made before the one that failed are unmapped and
 * freed); with the full amount it loads. */
KTEST(elf, failure_half_way_leaks_nothing)
{
	const struct elf_corpus_entry *c = corpus_file("hello.elf");
	static struct eproc e;
	struct elf_image img;
	uint64_t base, cost;

	KT_ASSERT(c != NULL);
	KT_ASSERT(eproc_init(&e, 1 << 20));
	base = e.q.used;
	KT_ASSERT_EQ(elf_load(e.p, c->data, c->size, NULL, &img), E_OK);
	cost = e.q.used - base;
	eproc_fini(&e);
	/* The text and data objects (1 + 3 pages), the stack, and their records. */
	KT_EXPECT(cost > (4 + ELF_STACK_DEFAULT / PAGE_SIZE) * PAGE_SIZE);

	unsigned tries = 0;
	for (uint64_t limit = 0; limit < cost; limit += limit < 3 * PAGE_SIZE ? 256 : 2048) {
		struct census before = census();
		KT_ASSERT(eproc_init(&e, 1 << 20));
		e.q.limit = base + limit;
		KT_EXPECT_EQ(elf_load(e.p, c->data, c->size, NULL, &img), E_NO_MEMORY);
		KT_EXPECT_EQ(e.q.used, base);
		KT_EXPECT_EQ(mem_mapping_count(), before.mappings);
		KT_EXPECT(!vmm_translate(e.p->as, va(TEXT_VA), NULL, NULL));
		eproc_fini(&e);
		EXPECT_NO_LEAK(before);
		tries++;
	}
	/* One byte short, then exactly enough. */
	struct census before = census();
	KT_ASSERT(eproc_init(&e, 1 << 20));
	e.q.limit = base + cost - 1;
	KT_EXPECT_EQ(elf_load(e.p, c->data, c->size, NULL, &img), E_NO_MEMORY);
	KT_EXPECT_EQ(e.q.used, base);
	e.q.limit = base + cost;
	KT_EXPECT_EQ(elf_load(e.p, c->data, c->size, NULL, &img), E_OK);
	eproc_fini(&e);
	EXPECT_NO_LEAK(before);
	KT_EXPECT(tries > 20);
}

/* Something already mapped where the data segment goes: the text, mapped first, is
 * taken down again. */
KTEST(elf, address_taken_undoes_the_earlier_segments)
{
	const struct elf_corpus_entry *c = corpus_file("hello.elf");
	static struct eproc e;
	struct census before = census();
	struct elf_image img;
	struct memobj *mo;

	KT_ASSERT(c != NULL);
	KT_ASSERT(eproc_init(&e, 1 << 20));
	KT_ASSERT_EQ(memobj_create(&e.q, 1, &mo), E_OK);
	KT_ASSERT(give_cap(&e.cs, 2, &mo->obj));
	KT_ASSERT_EQ(mem_map(&e.cs, 2, e.p, va(DATA_END - PAGE_SIZE), CAP_R_READ), E_OK);
	uint64_t used = e.q.used, maps = mem_mapping_count();
	KT_EXPECT_EQ(elf_load(e.p, c->data, c->size, NULL, &img), E_EXISTS);
	KT_EXPECT_EQ(e.q.used, used);
	KT_EXPECT_EQ(mem_mapping_count(), maps);
	KT_EXPECT(!vmm_translate(e.p->as, va(TEXT_VA), NULL, NULL));
	KT_EXPECT(!vmm_translate(e.p->as, va(USER_STACK_TOP - PAGE_SIZE), NULL, NULL));
	/* The same with the stack's place taken: both segments are undone. */
	KT_ASSERT_EQ(mem_unmap(e.p, va(DATA_END - PAGE_SIZE)), E_OK);
	KT_ASSERT_EQ(mem_map(&e.cs, 2, e.p, va(USER_STACK_TOP - PAGE_SIZE), CAP_R_READ), E_OK);
	KT_EXPECT_EQ(elf_load(e.p, c->data, c->size, NULL, &img), E_EXISTS);
	KT_EXPECT_EQ(e.q.used, used);
	KT_EXPECT_EQ(mem_mapping_count(), maps);
	KT_EXPECT(!vmm_translate(e.p->as, va(TEXT_VA), NULL, NULL));
	KT_EXPECT(!vmm_translate(e.p->as, va(DATA_VA), NULL, NULL));
	eproc_fini(&e);
	EXPECT_NO_LEAK(before);
}

/* Arguments are checked before anything is made: each bad one is its error, and
 * nothing is mapped or charged. */
KTEST(elf, bad_arguments_are_refused_first)
{
	static const char *const argv1[] = { "x" };
	static const char *const argv_null[] = { NULL };
	static const char *const many[ELF_MAX_ARGS + 1] = { "a" };
	static char long_arg[ELF_ARGS_MAX_BYTES + 1];
	static const char *const argv_long[] = { long_arg };
	static struct elf_start_cap caps[MNOS_START_MAX_CAPS + 1];
	const struct elf_corpus_entry *c = corpus_file("hello.elf");
	static struct eproc e;
	struct census before = census();
	struct elf_image img;

	KT_ASSERT(c != NULL);
	memset(long_arg, 'a', sizeof(long_arg) - 1);
	KT_ASSERT(eproc_init(&e, 1 << 20));
	KT_ASSERT(make_notification(&e.cs, CONSOLE_SLOT, &e.q));
	uint64_t used = e.q.used, maps = mem_mapping_count();
	const struct {
		struct elf_args a;
		kerr_t want;
	} cases[] = {
		{ { .argv = many, .argc = ELF_MAX_ARGS + 1 }, E_RANGE },
		{ { .argv = NULL, .argc = 1 }, E_INVAL },
		{ { .argv = argv_null, .argc = 1 }, E_INVAL },
		{ { .argv = argv_long, .argc = 1 }, E_RANGE },
		{ { .argv = argv1, .argc = 1, .caps = caps, .ncaps = MNOS_START_MAX_CAPS + 1 },
		  E_RANGE },
		{ { .argv = argv1, .argc = 1, .caps = NULL, .ncaps = 1 }, E_INVAL },
		{ { .argv = argv1, .argc = 1, .caps = &(struct elf_start_cap){ 2, OBJ_NONE, "" },
		    .ncaps = 1 }, E_NOT_FOUND },
		{ { .argv = argv1, .argc = 1, .caps = &(struct elf_start_cap){ 99, OBJ_NONE, "" },
		    .ncaps = 1 }, E_RANGE },
		{ { .argv = argv1, .argc = 1,
		    .caps = &(struct elf_start_cap){ CONSOLE_SLOT, OBJ_ENDPOINT, "c" },
		    .ncaps = 1 }, E_TYPE },
		{ { .argv = argv1, .argc = 1,
		    .caps = &(struct elf_start_cap){ CONSOLE_SLOT, OBJ_NOTIFICATION,
						     "sixteen-chars-xx" },
		    .ncaps = 1 }, E_INVAL },
		{ { .stack_size = ELF_STACK_MAX + 1 }, E_RANGE },
		{ { .stack_size = UINT64_MAX }, E_RANGE },
		{ { .stack_size = PAGE_SIZE }, E_RANGE },  /* no room left beside the start info */
		{ { .ipc_buffer = IPC_BUF_VA + 8 }, E_INVAL },
		{ { .ipc_buffer = PAGE_SIZE }, E_RANGE },
		{ { .ipc_buffer = USER_TOP }, E_RANGE },
		{ { .ipc_buffer = TEXT_VA }, E_RANGE },            /* on the text */
		{ { .ipc_buffer = DATA_END - PAGE_SIZE }, E_RANGE }, /* on the .bss */
		{ { .ipc_buffer = USER_STACK_TOP - ELF_STACK_DEFAULT - PAGE_SIZE }, E_RANGE },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		kerr_t r = elf_load(e.p, c->data, c->size, &cases[i].a, &img);
		if (r != cases[i].want)
			ktest_fail_at(__FILE__, __LINE__, "case %zu: %s, want %s", i, kerr_name(r),
				      kerr_name(cases[i].want));
		KT_EXPECT_EQ(e.q.used, used);
		KT_EXPECT_EQ(mem_mapping_count(), maps);
	}
	/* A valid file with a .bss larger than one memory object: refused before the text
	 * is made. (The data segment's p_memsz is at 64 + 56 + 40.) */
	static uint8_t big[1024];
	KT_ASSERT(c->size <= sizeof(big));
	memcpy(big, c->data, c->size);
	uint64_t memsz = (MEMOBJ_MAX_PAGES + 1) * PAGE_SIZE;
	memcpy(big + 64 + 56 + 40, &memsz, sizeof(memsz));
	KT_EXPECT_EQ(elf_load(e.p, big, c->size, NULL, &img), E_RANGE);
	KT_EXPECT_EQ(img.error, ELF_OK);
	KT_EXPECT_EQ(e.q.used, used);
	KT_EXPECT_EQ(mem_mapping_count(), maps);
	/* The kernel's process, and a process with no capability space to charge. */
	KT_EXPECT_EQ(elf_load(&kernel_process, c->data, c->size, NULL, &img), E_INVAL);
	e.p->cspace = &cspace_empty;
	KT_EXPECT_EQ(elf_load(e.p, c->data, c->size, NULL, &img), E_INVAL);
	e.p->cspace = &e.cs;
	KT_EXPECT_EQ(mem_mapping_count(), maps);
	/* A stack just big enough, and a zero cap type taking whatever is in the slot. */
	const struct elf_args ok = {
		.stack_size = 2 * PAGE_SIZE,
		.caps = &(struct elf_start_cap){ CONSOLE_SLOT, OBJ_NONE, "fifteen-chars-x" },
		.ncaps = 1,
	};
	KT_EXPECT_EQ(elf_load(e.p, c->data, c->size, &ok, &img), E_OK);
	KT_EXPECT_EQ(img.stack_base, USER_STACK_TOP - 2 * PAGE_SIZE);
	const struct mnos_start_info *si = user_ptr(e.p, img.start_info);
	KT_ASSERT(si != NULL);
	KT_EXPECT_EQ(si->caps[0].type, OBJ_NOTIFICATION);
	KT_EXPECT_STREQ(si->caps[0].name, "fifteen-chars-x");
	KT_EXPECT_EQ(si->argc, 0);
	eproc_fini(&e);
	EXPECT_NO_LEAK(before);
}
