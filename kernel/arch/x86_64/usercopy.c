/* User copies (usercopy.h): range check, then a fault-catching copy inside an SMAP
 * window. */
#include <usercopy.h>
#include <klib.h>
#include <arch/layout.h>
#include <arch/syscall.h>
#include <arch/trap.h>

bool user_range_ok(uint64_t u, size_t n)
{
	return u >= USER_BASE && u < USER_TOP && n <= USER_TOP - u;
}

/* Copy with a user page fault turned into E_FAULT (or E_NO_MEMORY: a demand-zero page
 * touched first found no frame; one that does is mapped by the trap handler, and the
 * copy goes on). Byte by byte through volatile
 * pointers: the compiler may not turn it into a library call that runs outside the
 * window, and a fault leaves a clean stopping point. */
static kerr_t copy(void *dst, const void *src, size_t n)
{
	struct fault_catch c;
	volatile uint8_t *d = dst;
	const volatile uint8_t *s = src;

	if (fault_catch_begin(&c)) {
		arch_user_access_end();
		return c.no_memory ? E_NO_MEMORY : E_FAULT;
	}
	arch_user_access_begin();
	for (size_t i = 0; i < n; i++)
		d[i] = s[i];
	arch_user_access_end();
	fault_catch_end(&c);
	return E_OK;
}

kerr_t copy_from_user(void *dst, uint64_t usrc, size_t n)
{
	if (!n)
		return E_OK;
	if (!user_range_ok(usrc, n))
		return E_RANGE;
	return copy(dst, (const void *)(uintptr_t)usrc, n);
}

kerr_t copy_to_user(uint64_t udst, const void *src, size_t n)
{
	if (!n)
		return E_OK;
	if (!user_range_ok(udst, n))
		return E_RANGE;
	return copy((void *)(uintptr_t)udst, src, n);
}
