/*
 * The user-mode test program's framework (in the spirit of sel4test): tests declared
 * with UTEST() are collected in a section and run in name order by main.c, each
 * reported as a KTAP subtest line ("    ok 3 utest.name") that tests/run.py records as
 * a result of its own. A failed expectation prints a diagnostic and fails the test; an
 * assertion also ends it.
 */
#ifndef UTEST_H
#define UTEST_H

#include <mnos.h>

struct utest {
	const char *name;
	void (*fn)(void);
	bool explicit_only;             /* run only when a name prefix selects it */
};

#define UTEST_F(tname, expl)                                                       \
	static void utest_fn_##tname(void);                                        \
	static const struct utest utest_desc_##tname                               \
		__attribute__((used, section(".utests." #tname), aligned(8))) = {  \
		.name = #tname, .fn = utest_fn_##tname, .explicit_only = (expl),   \
	};                                                                         \
	static void utest_fn_##tname(void)

#define UTEST(tname) UTEST_F(tname, false)
/* Tests that need a partner process or take the machine's memory (tests_exhaust.c):
 * left out of a run of everything, run when the prefix on the command line names them. */
#define UTEST_EXPLICIT(tname) UTEST_F(tname, true)

void utest_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void utest_skip(const char *why);
__attribute__((noreturn)) void utest_abort(void);

#define UT_EXPECT(c)                                                                \
	((c) ? true : (utest_fail(__FILE__, __LINE__, "expected %s", #c), false))
#define UT_EXPECT_EQ(a, b)                                                          \
	({                                                                          \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);                    \
		bool ok_ = a_ == b_;                                                \
		if (!ok_)                                                           \
			utest_fail(__FILE__, __LINE__, "%s == %s: %#llx != %#llx", #a, #b, \
				   (unsigned long long)a_, (unsigned long long)b_); \
		ok_;                                                                \
	})
/* An error code: names both sides when they differ. */
#define UT_EXPECT_ERR(a, b)                                                         \
	({                                                                          \
		int a_ = (int)(a), b_ = (int)(b);                                   \
		bool ok_ = a_ == b_;                                                \
		if (!ok_)                                                           \
			utest_fail(__FILE__, __LINE__, "%s: got %s, want %s", #a,    \
				   kerr_name((kerr_t)a_), kerr_name((kerr_t)b_));     \
		ok_;                                                                \
	})
#define UT_ASSERT(c)                                                                \
	do {                                                                        \
		if (!UT_EXPECT(c))                                                  \
			utest_abort();                                              \
	} while (0)
#define UT_ASSERT_OK(e) UT_ASSERT((e) == E_OK)

/* ---- what the tests share (env.c) ---- */

/* The initial capabilities (from the start information). */
extern uint32_t ut_self;        /* this process (control) */
extern uint32_t ut_result;      /* a notification the kernel's test waits on */
extern uint32_t ut_nslots;      /* the size of this process's capability space (the
				 * start information's nslots) */
extern uint32_t ut_child_done;  /* the notification ut_run_thread waits on (and the
				 * process's fault notification) */

/* A free slot from the library's allocator (mnos_slot_alloc); ut_free_all() gives
 * back every slot a test took this way, emptied, after each test. */
uint32_t ut_slot(void);
void ut_free_all(void);

/* Make an object of a type with a first capability in a fresh slot; 0 on failure. */
uint32_t ut_make(uint32_t type, uint64_t arg0, uint64_t arg1);

/* The quota this process has left, as the largest memory object (in pages) it could
 * create now; and whether it comes back to pages within 100 ms. */
uint64_t ut_quota_pages(void);
bool ut_quota_back_to(uint64_t pages);

/* Page-aligned free user addresses for mappings, one region per call. */
uint64_t ut_va(uint64_t pages);

/* Run fn(arg) in a new thread of this process on its own stack and wait until it has
 * ended — by returning, or by a fault, which *faulted says (may be NULL). One child at
 * a time: ut_start_thread starts it, ut_join_thread waits for it (true: it faulted). */
enum mnos_error ut_run_thread(void (*fn)(uint64_t), uint64_t arg, bool *faulted);
enum mnos_error ut_start_thread(void (*fn)(uint64_t), uint64_t arg);
bool ut_join_thread(void);

/* entry.S: a thread that sends an endpoint (low half of its argument) a one-word
 * message holding the high half, then ends, without using its stack. */
void ut_queue_sender(void);

/* entry.S: a system call with sentinels in the preserved registers (see there). */
uint64_t ut_syscall_sentinels(uint64_t nr, const uint64_t in[6], uint64_t out[7]);

#endif
