/*
 * In-guest tests (sel4test's DEFINE_TEST, Linux KUnit). A test is registered by ID,
 * "<suite>.<name>", in the .ktests section; the kernel command line selects which run:
 *
 *   ktest=all                 every test not marked KTEST_EXPLICIT
 *   ktest=fbcon.*,boot.info   a comma-separated list of IDs and prefix patterns
 *
 * Results go to every console in KTAP version 1 (as Linux KUnit prints it); then the
 * kernel ends QEMU through isa-debug-exit with a pass or fail code (qemu.h). A pattern
 * that matches no test is itself a failure, so a typo in the harness cannot pass.
 */
#ifndef KTEST_H
#define KTEST_H

#include <types.h>

/* Runs only when its ID is named exactly (tests that panic or end the boot). */
#define KTEST_EXPLICIT  (1u << 0)

struct ktest {
	const char *id;
	void (*fn)(void);
	uint32_t flags;
	uint32_t reserved;
};

#define KTEST_F(suite, name, fl)                                                   \
	static void ktest_fn_##suite##_##name(void);                               \
	static const struct ktest ktest_desc_##suite##_##name                      \
		__used __section(".ktests." #suite "." #name) __aligned(8) = {    \
		.id = #suite "." #name, .fn = ktest_fn_##suite##_##name, .flags = (fl) \
	};                                                                         \
	static void ktest_fn_##suite##_##name(void)

#define KTEST(suite, name) KTEST_F(suite, name, 0)

void ktest_fail_at(const char *file, int line, const char *fmt, ...) __printf(3, 4);
void ktest_skip(const char *reason);
bool ktest_failed(void);

/* Runs the selected tests and returns the number that failed. */
unsigned ktest_run(const char *selection);

/* EXPECT records a failure and goes on; ASSERT also returns from the test. */
#define KT_EXPECT(cond)                                                            \
	do { if (!(cond)) ktest_fail_at(__FILE__, __LINE__, "expected: %s", #cond); } while (0)
#define KT_ASSERT(cond)                                                            \
	do { if (!(cond)) { ktest_fail_at(__FILE__, __LINE__, "assertion: %s", #cond); return; } } while (0)

#define KT_CHECK_EQ_(a, b, on_fail)                                                \
	do {                                                                       \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);                   \
		if (a_ != b_) {                                                    \
			ktest_fail_at(__FILE__, __LINE__, "%s == %s: 0x%llx != 0x%llx", \
				      #a, #b, (unsigned long long)a_, (unsigned long long)b_); \
			on_fail;                                                   \
		}                                                                  \
	} while (0)
#define KT_EXPECT_EQ(a, b) KT_CHECK_EQ_(a, b, (void)0)
#define KT_ASSERT_EQ(a, b) KT_CHECK_EQ_(a, b, return)

#define KT_EXPECT_STREQ(a, b)                                                      \
	do {                                                                       \
		const char *a_ = (a), *b_ = (b);                                   \
		if (strcmp(a_, b_) != 0)                                           \
			ktest_fail_at(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", \
				      #a, #b, a_, b_);                             \
	} while (0)

#endif
