/* Formatted output (mnos/stdio.h) to a replaceable sink, through kformat
 * (kernel/lib/kformat.c), and assert's report (mnos/assert.h). */
#include <mnos.h>
#include <kformat.h>

static void debug_out(void *ctx, const char *s, size_t n)
{
	while (n) {
		size_t k = MIN(n, (size_t)MNOS_DEBUG_PRINT_MAX);
		mnos_debug_print((uint64_t)(uintptr_t)s, k);
		s += k;
		n -= k;
	}
}

static mnos_output_t out = debug_out;
static void *out_ctx;

mnos_output_t mnos_set_output(mnos_output_t fn, void *ctx, void **old_ctx)
{
	mnos_output_t old = out;

	if (old_ctx)
		*old_ctx = out_ctx;
	out = fn ? fn : debug_out;
	out_ctx = fn ? ctx : NULL;
	return old;
}

struct pbuf {
	char buf[256];
	size_t n;
};

static void flush(struct pbuf *b)
{
	if (b->n)
		out(out_ctx, b->buf, b->n);
	b->n = 0;
}

static void emit(void *ctx, const char *s, size_t n)
{
	struct pbuf *b = ctx;

	while (n) {
		if (b->n == sizeof(b->buf))
			flush(b);
		size_t k = MIN(n, sizeof(b->buf) - b->n);
		memcpy(b->buf + b->n, s, k);
		b->n += k;
		s += k;
		n -= k;
	}
}

int vprintf(const char *fmt, va_list ap)
{
	struct pbuf b;

	b.n = 0;
	size_t n = kformat(emit, &b, fmt, ap);
	flush(&b);
	return (int)n;
}

int printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int puts(const char *s)
{
	return printf("%s\n", s);
}

int putchar(int c)
{
	char ch = (char)c;

	out(out_ctx, &ch, 1);
	return (unsigned char)ch;
}

void __mnos_assert_fail(const char *expr, const char *file, int line, const char *func)
{
	printf("%s:%d: %s: assertion failed: %s\n", file, line, func, expr);
	abort();
}
