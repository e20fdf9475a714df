/*
 * assert(): when the expression is false, print "file:line: function: assertion failed:
 * expression" and abort() (mnos/runtime.h: the calling thread ends with a fault the
 * process's fault notification reports). Compiled out with NDEBUG.
 */
#ifndef MNOS_ASSERT_H
#define MNOS_ASSERT_H

__attribute__((noreturn)) void __mnos_assert_fail(const char *expr, const char *file, int line,
						  const char *func);

#undef assert
#ifdef NDEBUG
#define assert(e) ((void)0)
#else
#define assert(e) ((e) ? (void)0 : __mnos_assert_fail(#e, __FILE__, __LINE__, __func__))
#endif

#endif
