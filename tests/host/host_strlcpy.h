/*
 * strlcpy for host tests of code that uses the kernel's and libmnos's (OpenBSD's), which
 * glibc 2.36 lacks. Included by one file of each test binary that needs it.
 */
#ifndef HOST_STRLCPY_H
#define HOST_STRLCPY_H

#include <string.h>

size_t strlcpy(char *restrict dst, const char *restrict src, size_t size)
{
	size_t n = strlen(src);

	if (size) {
		size_t k = n < size - 1 ? n : size - 1;
		memcpy(dst, src, k);
		dst[k] = 0;
	}
	return n;
}

#endif
