/*
 * Kernel logging. kprintf() writes raw text; klog() and the pr_*() helpers write one
 * timestamped line at a level. Both go into the log buffer and to every console
 * (console.h), so a console that appears later (the framebuffer) replays what came before.
 */
#ifndef LOG_H
#define LOG_H

#include <types.h>

enum log_level {
	LOG_ERR = 0,
	LOG_WARN = 1,
	LOG_INFO = 2,
	LOG_DEBUG = 3,
};

void kprintf(const char *fmt, ...) __printf(1, 2);
void kvprintf(const char *fmt, va_list ap);
void klog(enum log_level level, const char *fmt, ...) __printf(2, 3);
void kvlog(enum log_level level, const char *fmt, va_list ap);

/* Lines above this level are dropped (default LOG_INFO; "loglevel=N" on the command line). */
void log_set_level(enum log_level level);

#define pr_err(...)   klog(LOG_ERR, __VA_ARGS__)
#define pr_warn(...)  klog(LOG_WARN, __VA_ARGS__)
#define pr_info(...)  klog(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) klog(LOG_DEBUG, __VA_ARGS__)

/* Copy of the most recent log text, oldest first; returns the bytes copied. */
size_t log_read_tail(char *buf, size_t size);

#endif
