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
#include <stdarg.h>

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

/*
 * Streams (user/lib/stdio.c): FILE on a file descriptor of mnos/file.h, with a buffer
 * of BUFSIZ bytes each way. stdout is line-buffered onto descriptor 1, stderr
 * unbuffered onto 2, stdin reads descriptor 0 (the console, unless the program was given
 * others: mnos/file.h); printf writes through the output sink, which is stdout for a
 * program the process service started (mnos_output_to_stdout). What is buffered is written by
 * fflush, fclose, and exit() (every open stream). Errors: NULL or EOF; ferror says a
 * stream had one and mnos_ferror_status which.
 */
#ifndef MNOS_HOST_TEST         /* the host tests link the C library, which has its own */
typedef struct mnos_stream FILE;

#define EOF             (-1)
#define BUFSIZ          1024

extern FILE *stdin, *stdout, *stderr;

/* mode: "r", "w", "a", "r+", "w+", "a+" ('b' ignored). NULL with the status in *err
 * (mnos_fopen) when the file cannot be opened. */
FILE *mnos_fopen(const char *path, const char *mode, int *err);
FILE *fopen(const char *path, const char *mode);
int fclose(FILE *f);
int fflush(FILE *f);                    /* NULL: every stream */
size_t fread(void *p, size_t size, size_t n, FILE *f);
size_t fwrite(const void *p, size_t size, size_t n, FILE *f);
int fgetc(FILE *f);
char *fgets(char *s, int n, FILE *f);
int fputc(int c, FILE *f);
int fputs(const char *s, FILE *f);
int fprintf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int vfprintf(FILE *f, const char *fmt, va_list ap);
int fseek(FILE *f, long off, int whence);
long ftell(FILE *f);
int feof(FILE *f);
int ferror(FILE *f);
int mnos_ferror_status(FILE *f);        /* the last error's status, or 0 */
int fileno(FILE *f);
/* Send printf, puts and putchar through stdout (its buffer, descriptor 1). Programs the
 * process service starts begin so; services keep the kernel's debug print. */
void mnos_output_to_stdout(void);
#endif

#endif
