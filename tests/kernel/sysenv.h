/*
 * For in-guest tests of the system calls (test_syscall.c, test_failinj.c): a fixture
 * process with a capability of every kind, a way to call syscall_dispatch() as the
 * SYSCALL entry would from a kernel thread of that process (so user pointers into its
 * pages work), and counts of everything a call could leak.
 */
#ifndef TESTS_SYSENV_H
#define TESTS_SYSENV_H

#include <cap.h>
#include <irq.h>
#include <syscall_table.h>
#include <thread.h>

#define SLOTS           24
#define CODE_VA         0x400000ull
#define DATA_VA         0x600000ull
#define MAP_VA          0x10000000ull
#define BUF_VA          0x20000000ull

/* The fixture: a capability of each kind, every right. */
enum {
	S_DATA = 1,     /* memory, mapped read-write at DATA_VA */
	S_EP,           /* endpoint */
	S_REPLY,        /* reply object */
	S_NOTIF,        /* notification */
	S_MEM,          /* memory, one page, unmapped */
	S_PROC,         /* process: another one */
	S_THREAD,       /* thread: the one running the test */
	S_IRQ,          /* IRQ line (a quiet GSI) */
	S_PORTS,        /* I/O ports: the CMOS pair */
	S_BADGED,       /* the endpoint minted with badge 0x77 */
	S_CODE,         /* memory, mapped read-execute at CODE_VA */
	S_FREE,         /* the first empty slot */
	S_SPARE = SLOTS - 1,    /* empty; holds reduced copies for a moment */
};

struct env {
	struct quota q;
	struct cspace cs;
	struct process *p;
	struct process *other;          /* what S_PROC names */
	uint64_t *data;                 /* the data page, through the direct map */
	struct irq_line *irq;
};

/* The one fixture (the tests run one at a time). */
extern struct env sysenv;

/* Everything but the thread capability (made by the thread itself: thread_cap_self). */
bool env_init(struct env *v);
void env_fini(struct env *v);

/* A capability to the calling thread in slot (the thread capability of the fixture). */
bool thread_cap_self(struct env *v, uint32_t slot);

/* Run fn(arg) in a kernel thread of v's process, and wait for it. */
bool run_in(struct env *v, void (*fn)(void *), void *arg);

/*
 * Build the fixture, run fn in a thread of its process (with arg, or the fixture), and
 * check that when it is done nothing is left that was not there before — frames, heap,
 * quota, capabilities, objects, threads, processes, mappings — and, after teardown,
 * that the quota is back to 0.
 */
void sysenv_run(void (*fn)(void *), void *arg, const char *what);

/* Where the page at uva of p is, through the direct map; NULL if unmapped. */
void *sysenv_page(struct process *p, uint64_t uva);

/* Calls made through sysenv_call since the count was last set to 0. */
extern uint64_t sysenv_calls;

/*
 * Dispatch call nr with arguments a, as the SYSCALL entry does. Checked every time:
 * the return state (rip, rflags, rsp) untouched; an error documented for the call
 * (E_NOSYS for an unknown number) and all six result registers zero; on success, the
 * registers that carry no result zero. *out, if not NULL, gets the frame.
 */
kerr_t sysenv_call(uint64_t nr, const uint64_t a[6], struct syscall_frame *out);

#define A(...) ((const uint64_t[6]){ __VA_ARGS__ })
#define C(nr, ...) sysenv_call(nr, A(__VA_ARGS__), NULL)

/* What the state is, for leak checks. */
struct counts {
	uint64_t frames, quota, caps, objs, threads, procs, maps, heap;
};

/* Everything counted, with the quota q's use (counts_now: the fixture's). */
struct counts counts_of(const struct quota *q);
#define counts_now(v) counts_of(&(v)->q)
/* A failure naming what differs, at the caller's line, unless a and b are equal. */
void expect_counts_at(const char *file, int line, struct counts a, struct counts b,
		      const char *what);
#define expect_counts(a, b, what) expect_counts_at(__FILE__, __LINE__, a, b, what)

#endif
