/*
 * Copying to and from user memory: the only way the kernel reads or writes through a
 * pointer a user thread gave it.
 *
 * The range is checked first — entirely in the user half: not in the null page's
 * region below USER_BASE, not reaching USER_TOP or the kernel half, no wrap-around — and
 * then copied with the fault catch armed and, on CPUs with SMAP, user access allowed
 * for just that copy. So a bad pointer is an error code, never a kernel fault.
 */
#ifndef USERCOPY_H
#define USERCOPY_H

#include <types.h>
#include <kerr.h>

/* E_RANGE: the range is not entirely user memory; E_FAULT: some page is not mapped
 * (for copy_to_user: not writable); E_NO_MEMORY: some page of a demand-zero object,
 * touched first, found no free frame (memobj.h; the copy stops there). A page of a
 * demand-zero object not yet touched is taken and mapped on the way, as a user access
 * would. n == 0 always succeeds. */
kerr_t copy_from_user(void *dst, uint64_t usrc, size_t n);
kerr_t copy_to_user(uint64_t udst, const void *src, size_t n);

/* Is [u, u + n) entirely in the user half? */
bool user_range_ok(uint64_t u, size_t n);

#endif
