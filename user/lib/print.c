/* Formatted output to the kernel log (mnos.h), through kformat (kernel/lib/kformat.c). */
#include <mnos.h>
#include <kformat.h>

struct pbuf {
	char buf[256];
	size_t n;
};

static void flush(struct pbuf *b)
{
	if (b->n)
		mnos_debug_print((uint64_t)(uintptr_t)b->buf, b->n);
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
