/*
 * For in-guest tests and benchmarks: a user process running one of the small
 * position-independent blobs of user_blobs.S — a code page (read, execute) holding the
 * blob at CODE_VA and a data page (read, write) at DATA_VA, both memory grants from the
 * process's own capability space; the blob gets the data page's address in rdi.
 */
#ifndef TESTS_UPROC_H
#define TESTS_UPROC_H

#include <cap.h>
#include <memobj.h>
#include <thread.h>
#include <usermode.h>
#include <vmm.h>
#include <klib.h>
#include <arch/layout.h>

#define CODE_VA 0x400000ull
#define DATA_VA 0x600000ull

extern const char ublob_hello_start[], ublob_hello_end[];
extern const char ublob_regs_start[], ublob_regs_end[];
extern const char ublob_fault_start[], ublob_fault_end[];
extern const char ublob_badptr_start[], ublob_badptr_end[];
extern const char ublob_nullsys_start[], ublob_nullsys_end[];
extern const char ublob_ipc_server_start[], ublob_ipc_server_end[];
extern const char ublob_ipc_client_start[], ublob_ipc_client_end[];
extern const char ublob_ipc_server_buf_start[], ublob_ipc_server_buf_end[];
extern const char ublob_ipc_client_buf_start[], ublob_ipc_client_buf_end[];
extern const char ublob_mapunmap_start[], ublob_mapunmap_end[];
extern const char ublob_exit_start[], ublob_exit_end[];
extern const char ublob_fnv_start[], ublob_fnv_end[];
extern const char ublob_fpu_start[], ublob_fpu_end[];
extern const char ublob_linger_start[], ublob_linger_end[];
extern const char ublob_notify_ping_start[], ublob_notify_ping_end[];
extern const char ublob_yield_timed_start[], ublob_yield_timed_end[];
extern const char ublob_yield_forever_start[], ublob_yield_forever_end[];
extern const char ublob_notify_pong_start[], ublob_notify_pong_end[];

/* A process with a code page (read, execute) holding a blob and a data page (read,
 * write), both memory grants from its own capability space. */
struct uproc {
	struct process *p;
	struct cspace cs;
	struct quota q;
	uint64_t *data;                 /* the data page, through the direct map */
};

static inline void *page_of(struct process *p, uint64_t uva)
{
	paddr_t pa;

	return vmm_translate(p->as, va(uva), &pa, NULL) ? phys_to_virt(pa) : NULL;
}

static inline bool uproc_init(struct uproc *u, const char *start, const char *end)
{
	struct memobj *code, *data;

	quota_init(&u->q, 1 << 20);
	if (cspace_init(&u->cs, 8, &u->q) != E_OK)
		return false;
	if (process_create("user", &u->p) != E_OK)
		return false;
	u->p->cspace = &u->cs;
	if (memobj_create(&u->q, 1, &code) != E_OK || memobj_create(&u->q, 1, &data) != E_OK)
		return false;
	cap_insert_root(&u->cs, 1, &code->obj, CAP_R_ALL, 0);
	cap_insert_root(&u->cs, 2, &data->obj, CAP_R_ALL, 0);
	kobj_put(&code->obj);
	kobj_put(&data->obj);
	if (mem_map(&u->cs, 1, u->p, va(CODE_VA), CAP_R_READ | CAP_R_EXEC) != E_OK ||
	    mem_map(&u->cs, 2, u->p, va(DATA_VA), CAP_R_READ | CAP_R_WRITE) != E_OK)
		return false;
	memcpy(page_of(u->p, CODE_VA), start, (size_t)(end - start));
	u->data = page_of(u->p, DATA_VA);
	return u->data != NULL;
}

static inline void uproc_fini(struct uproc *u)
{
	u->p->cspace = &cspace_empty;
	cspace_destroy(&u->cs);
	process_put(u->p);
}

/* Run the blob's code at CODE_VA with the data page's address in rdi, until it ends. */
static inline kerr_t uproc_run(struct uproc *u)
{
	struct thread *t;
	kerr_t e = user_thread_create(u->p, CODE_VA, DATA_VA + PAGE_SIZE, DATA_VA, &t);

	if (e == E_OK) {
		thread_launch(t);
		thread_join(t);
	}
	return e;
}

#endif
