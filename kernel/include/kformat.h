/*
 * printf-style formatting, shared by kprintf (console/log.c), ksnprintf and, later, the
 * user library. Pure logic: compiled into the host unit tests too.
 *
 * Conversions: %d %i %u %x %X %o %p %s %c %%; length modifiers hh h l ll z j t;
 * flags - 0 + space #; width and precision, either may be '*'. %p prints "0x" and 16
 * hex digits. An unknown conversion is printed as it stands.
 */
#ifndef KFORMAT_H
#define KFORMAT_H

#include <types.h>

/* Receives the formatted output in pieces. */
typedef void (*kformat_emit_t)(void *ctx, const char *s, size_t n);

/* Formats into emit; returns the number of characters produced. */
size_t kformat(kformat_emit_t emit, void *ctx, const char *fmt, va_list ap);

/* C99 snprintf semantics: returns the full length, writes at most size-1 plus NUL. */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif
