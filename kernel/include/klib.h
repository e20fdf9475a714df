/*
 * The freestanding C library subset the kernel uses: memory and string functions with
 * their standard signatures (gcc may emit calls to mem* itself), implemented in
 * kernel/lib/string.c.
 */
#ifndef KLIB_H
#define KLIB_H

#include <types.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

/* Copy at most size-1 bytes and always NUL-terminate (OpenBSD); returns strlen(src). */
size_t strlcpy(char *restrict dst, const char *restrict src, size_t size);

#endif
