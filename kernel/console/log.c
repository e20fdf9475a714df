/*
 * The log buffer and the console list (log.h, console.h). All output funnels through
 * log_emit() under one lock, so lines from different CPUs never interleave mid-line.
 * Lock order: console_lock is a leaf; nothing is taken while it is held.
 */
#include <log.h>
#include <console.h>
#include <kformat.h>
#include <klib.h>
#include <spinlock.h>
#include <time.h>

#define LOG_BUF_SIZE (64 * 1024)

static struct spinlock console_lock = SPINLOCK_INIT("console");
static struct console *consoles;                /* [console_lock] */
static char log_buf[LOG_BUF_SIZE];              /* [console_lock] ring */
static uint64_t log_head;                       /* [console_lock] bytes ever written */
static enum log_level log_level = LOG_INFO;     /* [a] */
static bool panicking;                          /* [a] */

/* Called with console_lock held (or while panicking). */
static void log_emit(void *ctx, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		log_buf[(log_head + i) % LOG_BUF_SIZE] = s[i];
	log_head += n;
	for (struct console *c = consoles; c; c = c->next)
		c->write(c, s, n);
}

static irqflags_t console_lock_take(void)
{
	if (__atomic_load_n(&panicking, __ATOMIC_RELAXED))
		return irq_save();
	return spin_lock_irqsave(&console_lock);
}

static void console_lock_give(irqflags_t f)
{
	if (__atomic_load_n(&panicking, __ATOMIC_RELAXED))
		irq_restore(f);
	else
		spin_unlock_irqrestore(&console_lock, f);
}

void console_register(struct console *c)
{
	irqflags_t f = console_lock_take();
	uint64_t start = log_head > LOG_BUF_SIZE ? log_head - LOG_BUF_SIZE : 0;

	/* Replay the log to the new console in at most two runs of the ring. */
	for (uint64_t pos = start; pos < log_head;) {
		size_t off = pos % LOG_BUF_SIZE;
		size_t n = MIN(LOG_BUF_SIZE - off, log_head - pos);
		c->write(c, log_buf + off, n);
		pos += n;
	}
	c->next = consoles;
	consoles = c;
	console_lock_give(f);
}

void console_quiesce(void)
{
	console_lock_give(console_lock_take());
}

void console_panic_mode(void)
{
	__atomic_store_n(&panicking, true, __ATOMIC_RELAXED);
}

bool console_panicking(void)
{
	return __atomic_load_n(&panicking, __ATOMIC_RELAXED);
}

void kvprintf(const char *fmt, va_list ap)
{
	irqflags_t f = console_lock_take();
	kformat(log_emit, NULL, fmt, ap);
	console_lock_give(f);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

static void emit_fmt(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kformat(log_emit, NULL, fmt, ap);
	va_end(ap);
}

void kvlog(enum log_level level, const char *fmt, va_list ap)
{
	static const char *const prefix[] = {
		[LOG_ERR] = "error: ", [LOG_WARN] = "warning: ",
		[LOG_INFO] = "", [LOG_DEBUG] = "debug: ",
	};

	if (level > __atomic_load_n(&log_level, __ATOMIC_RELAXED))
		return;
	uint64_t ns = clock_ns();
	irqflags_t f = console_lock_take();
	emit_fmt("[%5llu.%06llu] %s", (unsigned long long)(ns / 1000000000),
		 (unsigned long long)(ns / 1000 % 1000000), prefix[level]);
	kformat(log_emit, NULL, fmt, ap);
	log_emit(NULL, "\n", 1);
	console_lock_give(f);
}

void klog(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvlog(level, fmt, ap);
	va_end(ap);
}

void log_set_level(enum log_level level)
{
	__atomic_store_n(&log_level, level, __ATOMIC_RELAXED);
}

size_t log_read_tail(char *buf, size_t size)
{
	irqflags_t f = console_lock_take();
	size_t n = (size_t)MIN((uint64_t)size, MIN(log_head, (uint64_t)LOG_BUF_SIZE));
	uint64_t start = log_head - n;

	for (size_t i = 0; i < n; i++)
		buf[i] = log_buf[(start + i) % LOG_BUF_SIZE];
	console_lock_give(f);
	return n;
}
