/*
 * Streams (mnos/stdio.h, "Streams"): FILE over the file descriptors of mnos/file.h.
 * A stream is reading or writing at any moment: its buffer holds either bytes read
 * ahead (pos..len) or bytes not yet written (0..len). Changing direction first writes
 * out what is pending, or moves the descriptor back over what was read ahead. Every
 * stream is on one list, so exit() can flush them all (mnos_atexit, registered at the
 * first buffered write; the end of the file session, user/lib/file.c, flushes them
 * first too, whichever of the two exit() runs first).
 */
#include <mnos.h>
#include <mnos/file.h>
#include <kformat.h>

enum { IDLE, READING, WRITING };

struct mnos_stream {
	int fd;
	bool can_read, can_write;
	bool eof, line_buffered, unbuffered, is_static;
	int error;                      /* the last error's status */
	int dir;                        /* IDLE, READING, WRITING */
	size_t pos, len;
	struct mnos_stream *next;
	char buf[BUFSIZ];
};

static struct mnos_stream s_in = { .fd = 0, .can_read = true, .is_static = true };
static struct mnos_stream s_out = { .fd = 1, .can_write = true, .line_buffered = true,
				     .is_static = true, .next = &s_in };
static struct mnos_stream s_err = { .fd = 2, .can_write = true, .unbuffered = true,
				     .is_static = true, .next = &s_out };
FILE *stdin = &s_in, *stdout = &s_out, *stderr = &s_err;

static struct mnos_stream *streams = &s_err;    /* [lock] */
static struct mnos_lock lock;
static bool hooked;

static void flush_all(void)
{
	fflush(NULL);
}

static void fail(FILE *f, int e)
{
	f->error = e < 0 ? -e : e;
}

/* Write out what is buffered: 0 or EOF. */
static int drain(FILE *f)
{
	size_t off = 0;

	if (f->dir == WRITING) {
		while (off < f->len) {
			ssize_t n = write(f->fd, f->buf + off, f->len - off);
			if (n <= 0) {
				fail(f, n ? (int)n : E_FS_NO_SPACE);
				/* Keep what was not written, at the start. */
				memmove(f->buf, f->buf + off, f->len - off);
				f->len -= off;
				return EOF;
			}
			off += (size_t)n;
		}
	} else if (f->dir == READING && f->pos < f->len) {
		/* Give back what was read ahead, so the descriptor's offset is the stream's. */
		if (lseek(f->fd, -(off_t)(f->len - f->pos), SEEK_CUR) < 0 && f->fd >= 3)
			return EOF;
	}
	f->pos = f->len = 0;
	f->dir = IDLE;
	return 0;
}

FILE *mnos_fopen(const char *path, const char *mode, int *err)
{
	int flags;
	bool plus = mode && strchr(mode, '+');

	switch (mode ? mode[0] : 0) {
	case 'r':
		flags = plus ? O_RDWR : O_RDONLY;
		break;
	case 'w':
		flags = (plus ? O_RDWR : O_WRONLY) | O_CREAT | O_TRUNC;
		break;
	case 'a':
		flags = (plus ? O_RDWR : O_WRONLY) | O_CREAT | O_APPEND;
		break;
	default:
		if (err)
			*err = -E_INVAL;
		return NULL;
	}
	FILE *f = calloc(1, sizeof(*f));
	int fd = f ? open(path, flags) : -E_NO_MEMORY;
	if (fd < 0) {
		free(f);
		if (err)
			*err = fd;
		return NULL;
	}
	f->fd = fd;
	f->can_read = (flags & O_ACCMODE) != O_WRONLY;
	f->can_write = (flags & O_ACCMODE) != O_RDONLY;
	mnos_lock(&lock);
	f->next = streams;
	streams = f;
	mnos_unlock(&lock);
	return f;
}

FILE *fopen(const char *path, const char *mode)
{
	return mnos_fopen(path, mode, NULL);
}

int fflush(FILE *f)
{
	int r = 0;

	if (f)
		return drain(f);
	mnos_lock(&lock);
	for (FILE *s = streams; s; s = s->next)
		if (s->dir == WRITING && drain(s))
			r = EOF;
	mnos_unlock(&lock);
	return r;
}

int fclose(FILE *f)
{
	int r = drain(f);

	if (f->is_static)
		return r;
	mnos_lock(&lock);
	for (FILE **p = &streams; *p; p = &(*p)->next)
		if (*p == f) {
			*p = f->next;
			break;
		}
	mnos_unlock(&lock);
	if (close(f->fd) < 0)
		r = EOF;
	free(f);
	return r;
}

/* ---- reading ---- */

static int fill(FILE *f)
{
	if (!f->can_read) {
		fail(f, E_FS_BAD_FD);
		return EOF;
	}
	if (f->dir == WRITING && drain(f))
		return EOF;
	if (f->dir == READING && f->pos < f->len)
		return 0;
	ssize_t n = read(f->fd, f->buf, sizeof(f->buf));
	f->pos = f->len = 0;
	f->dir = IDLE;
	if (n <= 0) {
		if (n < 0)
			fail(f, (int)n);
		else
			f->eof = true;
		return EOF;
	}
	f->len = (size_t)n;
	f->dir = READING;
	return 0;
}

int fgetc(FILE *f)
{
	if (fill(f))
		return EOF;
	return (unsigned char)f->buf[f->pos++];
}

char *fgets(char *s, int n, FILE *f)
{
	int i = 0;

	if (n <= 0)
		return NULL;
	while (i < n - 1) {
		if (fill(f))
			break;
		char c = f->buf[f->pos++];
		s[i++] = c;
		if (c == '\n')
			break;
	}
	s[i] = 0;
	return i ? s : NULL;
}

size_t fread(void *p, size_t size, size_t n, FILE *f)
{
	size_t want = size * n, got = 0;

	if (size && want / size != n)
		return 0;
	while (got < want && !fill(f)) {
		size_t k = MIN(want - got, f->len - f->pos);
		memcpy((char *)p + got, f->buf + f->pos, k);
		f->pos += k;
		got += k;
	}
	return size ? got / size : 0;
}

/* ---- writing ---- */

static int put(FILE *f, const char *s, size_t n)
{
	if (!f->can_write) {
		fail(f, E_FS_BAD_FD);
		return EOF;
	}
	if (f->dir == READING && drain(f))
		return EOF;
	if (!__atomic_exchange_n(&hooked, true, __ATOMIC_RELAXED))
		mnos_atexit(flush_all);         /* the file session's end flushes too */
	f->dir = WRITING;
	while (n) {
		if (f->len == sizeof(f->buf) && drain(f))
			return EOF;
		f->dir = WRITING;
		size_t k = MIN(n, sizeof(f->buf) - f->len);
		memcpy(f->buf + f->len, s, k);
		f->len += k;
		s += k;
		n -= k;
	}
	if (f->unbuffered || (f->line_buffered && memchr(f->buf, '\n', f->len)))
		return drain(f);
	return 0;
}

size_t fwrite(const void *p, size_t size, size_t n, FILE *f)
{
	if (!size || !n || n > (size_t)-1 / size)
		return 0;
	return put(f, p, size * n) ? 0 : n;
}

int fputc(int c, FILE *f)
{
	char ch = (char)c;

	return put(f, &ch, 1) ? EOF : (unsigned char)ch;
}

int fputs(const char *s, FILE *f)
{
	return put(f, s, strlen(s)) ? EOF : 0;
}

struct fmt_out {
	FILE *f;
	int err;
};

static void emit(void *ctx, const char *s, size_t n)
{
	struct fmt_out *o = ctx;

	if (!o->err)
		o->err = put(o->f, s, n);
}

int vfprintf(FILE *f, const char *fmt, va_list ap)
{
	struct fmt_out o = { f, 0 };
	size_t n = kformat(emit, &o, fmt, ap);

	return o.err ? EOF : (int)n;
}

int fprintf(FILE *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vfprintf(f, fmt, ap);
	va_end(ap);
	return n;
}

/* ---- position and state ---- */

int fseek(FILE *f, long off, int whence)
{
	if (drain(f))
		return EOF;
	f->eof = false;
	off_t r = lseek(f->fd, off, whence);
	if (r < 0) {
		fail(f, (int)r);
		return EOF;
	}
	return 0;
}

long ftell(FILE *f)
{
	off_t at = lseek(f->fd, 0, SEEK_CUR);

	if (at < 0)
		return at;
	if (f->dir == READING)
		return (long)(at - (off_t)(f->len - f->pos));
	return (long)(at + (f->dir == WRITING ? (off_t)f->len : 0));
}

int feof(FILE *f)
{
	return f->eof;
}

int ferror(FILE *f)
{
	return f->error != 0;
}

int mnos_ferror_status(FILE *f)
{
	return f->error;
}

int fileno(FILE *f)
{
	return f->fd;
}

static void stdout_sink(void *ctx, const char *s, size_t len)
{
	fwrite(s, 1, len, stdout);
}

void mnos_output_to_stdout(void)
{
	mnos_set_output(stdout_sink, NULL, NULL);
}
