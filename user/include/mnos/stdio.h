/*
 * Formatted output (user/lib/print.c, format.c). The conversions are kformat's
 * (kernel/include/kformat.h): %d %i %u %x %X %o %p %s %c %%, the length modifiers hh h
 * l ll z j t, flags, width and precision; no floating point. Output goes to a sink that
 * a program can replace (a console client, say); the default is the kernel's debug
 * print.
 */
#ifndef MNOS_STDIO_H
#define MNOS_STDIO_H

#include <types.h>

/* Where printf, puts and putchar write: len bytes at s. */
typedef void (*mnos_output_t)(void *ctx, const char *s, size_t len);

/* Install fn (NULL: the default, the kernel's debug print); returns the sink that was
 * installed, whose context goes to *old_ctx if old_ctx is not NULL. */
mnos_output_t mnos_set_output(mnos_output_t fn, void *ctx, void **old_ctx);

/* printf and vprintf hand the sink the text in pieces of at most 256 bytes, the last at
 * the end of the call. They return the number of characters. */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int puts(const char *s);                /* s and a newline */
int putchar(int c);

/* C99: at most size - 1 characters and a NUL into buf; returns the full length. */
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

#endif
