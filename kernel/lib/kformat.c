/*
 * The formatter behind kprintf and ksnprintf (see kformat.h). No allocation, no
 * floating point; output goes out through a callback in runs, so a console gets whole
 * strings rather than one call per character.
 */
#include <kformat.h>

enum {
	F_LEFT = 1 << 0,        /* '-' */
	F_ZERO = 1 << 1,        /* '0' */
	F_PLUS = 1 << 2,        /* '+' */
	F_SPACE = 1 << 3,       /* ' ' */
	F_ALT = 1 << 4,         /* '#' */
};

struct out {
	kformat_emit_t emit;
	void *ctx;
	size_t count;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (n) {
		o->emit(o->ctx, s, n);
		o->count += n;
	}
}

static void pad(struct out *o, char c, int n)
{
	char buf[16];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = c;
	while (n > 0) {
		int k = n < (int)sizeof(buf) ? n : (int)sizeof(buf);
		put(o, buf, (size_t)k);
		n -= k;
	}
}

/* Emit s (length len) in a field: width, left/right justified, blank padded. */
static void field(struct out *o, const char *s, size_t len, int width, int flags)
{
	int padn = width > (int)len ? width - (int)len : 0;

	if (!(flags & F_LEFT))
		pad(o, ' ', padn);
	put(o, s, len);
	if (flags & F_LEFT)
		pad(o, ' ', padn);
}

static void number(struct out *o, uint64_t v, bool negative, unsigned base, bool upper,
		   int width, int prec, int flags)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];           /* 2^64 in octal is 22 digits */
	int n = 0;
	char sign = 0;
	const char *prefix = "";
	int prefix_len = 0;

	while (v) {
		buf[sizeof(buf) - 1 - n++] = digits[v % base];
		v /= base;
	}
	/* Precision is the minimum number of digits; 0 with precision 0 prints nothing. */
	int zeros = prec > n ? prec - n : 0;
	if (prec < 0 && n == 0)
		zeros = 1;

	if (negative)
		sign = '-';
	else if (flags & F_PLUS)
		sign = '+';
	else if (flags & F_SPACE)
		sign = ' ';

	if ((flags & F_ALT) && base == 16 && n > 0) {
		prefix = upper ? "0X" : "0x";
		prefix_len = 2;
	} else if ((flags & F_ALT) && base == 8 && zeros == 0) {
		zeros = 1;      /* '#' with octal: force a leading zero */
	}

	int len = (sign ? 1 : 0) + prefix_len + zeros + n;
	int padn = width > len ? width - len : 0;

	/* '0' pads with zeros after the sign, unless '-' or a precision is given. */
	if ((flags & F_ZERO) && !(flags & F_LEFT) && prec < 0) {
		zeros += padn;
		padn = 0;
	}
	if (!(flags & F_LEFT))
		pad(o, ' ', padn);
	if (sign)
		put(o, &sign, 1);
	put(o, prefix, (size_t)prefix_len);
	pad(o, '0', zeros);
	put(o, buf + sizeof(buf) - n, (size_t)n);
	if (flags & F_LEFT)
		pad(o, ' ', padn);
}

size_t kformat(kformat_emit_t emit, void *ctx, const char *fmt, va_list ap)
{
	struct out o = { emit, ctx, 0 };
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		/* Copy the literal run up to the next '%' in one piece. */
		const char *lit = fmt;
		while (*fmt && *fmt != '%')
			fmt++;
		put(&o, lit, (size_t)(fmt - lit));
		if (!*fmt)
			break;

		const char *spec = fmt++;       /* at '%' */
		int flags = 0, width = 0, prec = -1;

		for (;; fmt++) {
			if (*fmt == '-')
				flags |= F_LEFT;
			else if (*fmt == '0')
				flags |= F_ZERO;
			else if (*fmt == '+')
				flags |= F_PLUS;
			else if (*fmt == ' ')
				flags |= F_SPACE;
			else if (*fmt == '#')
				flags |= F_ALT;
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(args, int);
			if (width < 0) {
				flags |= F_LEFT;
				width = width == -2147483647 - 1 ? 0 : -width;
			}
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9') {
				if (width < 100000)
					width = width * 10 + (*fmt - '0');
				fmt++;
			}
		}
		if (*fmt == '.') {
			fmt++;
			prec = 0;
			if (*fmt == '*') {
				prec = va_arg(args, int);
				if (prec < 0)
					prec = -1;
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9') {
					if (prec < 100000)
						prec = prec * 10 + (*fmt - '0');
					fmt++;
				}
			}
		}

		/* Length: 0 int, 1 long, 2 long long, -1 short, -2 char, 3 size_t. */
		int lmod = 0;
		if (*fmt == 'h') {
			lmod = -1;
			if (*++fmt == 'h') {
				lmod = -2;
				fmt++;
			}
		} else if (*fmt == 'l') {
			lmod = 1;
			if (*++fmt == 'l') {
				lmod = 2;
				fmt++;
			}
		} else if (*fmt == 'z' || *fmt == 'j' || *fmt == 't') {
			lmod = 3;
			fmt++;
		}

		char conv = *fmt;
		if (conv)
			fmt++;
		switch (conv) {
		case 'd':
		case 'i': {
			int64_t v;
			if (lmod == 1)
				v = va_arg(args, long);
			else if (lmod == 2)
				v = va_arg(args, long long);
			else if (lmod == 3)
				v = va_arg(args, int64_t);
			else
				v = va_arg(args, int);
			if (lmod == -1)
				v = (short)v;
			else if (lmod == -2)
				v = (signed char)v;
			uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
			number(&o, mag, v < 0, 10, false, width, prec, flags & ~F_ALT);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
		case 'o': {
			uint64_t v;
			if (lmod == 1)
				v = va_arg(args, unsigned long);
			else if (lmod == 2)
				v = va_arg(args, unsigned long long);
			else if (lmod == 3)
				v = va_arg(args, uint64_t);
			else
				v = va_arg(args, unsigned int);
			if (lmod == -1)
				v = (unsigned short)v;
			else if (lmod == -2)
				v = (unsigned char)v;
			unsigned base = conv == 'u' ? 10 : conv == 'o' ? 8 : 16;
			number(&o, v, false, base, conv == 'X', width, prec,
			       flags & ~(F_PLUS | F_SPACE));
			break;
		}
		case 'p': {
			uintptr_t v = (uintptr_t)va_arg(args, void *);
			number(&o, v, false, 16, false, width, 16, F_ALT | (flags & F_LEFT));
			break;
		}
		case 's': {
			const char *s = va_arg(args, const char *);
			if (!s)
				s = "(null)";
			size_t len = 0;
			while (s[len] && (prec < 0 || len < (size_t)prec))
				len++;
			field(&o, s, len, width, flags);
			break;
		}
		case 'c': {
			char c = (char)va_arg(args, int);
			field(&o, &c, 1, width, flags);
			break;
		}
		case '%':
			put(&o, "%", 1);
			break;
		default:
			/* Unknown or truncated conversion: print it as written. */
			put(&o, spec, (size_t)(fmt - spec));
			break;
		}
	}
	va_end(args);
	return o.count;
}

struct bufctx {
	char *buf;
	size_t size;
	size_t len;
};

static void buf_emit(void *ctx, const char *s, size_t n)
{
	struct bufctx *b = ctx;

	for (size_t i = 0; i < n; i++, b->len++)
		if (b->len + 1 < b->size)
			b->buf[b->len] = s[i];
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct bufctx b = { buf, size, 0 };
	size_t n = kformat(buf_emit, &b, fmt, ap);

	if (size)
		buf[b.len < size ? b.len : size - 1] = '\0';
	return n > 2147483647 ? 2147483647 : (int)n;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
