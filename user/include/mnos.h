/*
 * The user library's beginnings (issue 8 grows it into libmnos): start-up, formatted
 * output through the kernel's debug print, and the string functions, which are the
 * kernel's own freestanding ones (kernel/lib/string.c, compiled again for user space).
 */
#ifndef MNOS_H
#define MNOS_H

#include <stdarg.h>
#include <klib.h>
#include <kerr.h>
#include <mnos/start.h>
#include <mnos/syscalls.h>

/* What the kernel's loader handed this program (never NULL once main runs). */
extern const struct mnos_start_info *mnos_start_info;

/* The slot of the initial capability called name, or 0 if there is none. */
uint32_t mnos_start_cap(const char *name);

/* Formatted output (kformat's conversions) to the kernel log, in pieces of at most
 * 256 bytes; returns the number of characters. */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);

int main(int argc, char **argv);

#endif
