/*
 * Strings, characters and number conversions for programs (user/lib/string.c), beyond
 * what the kernel's own klib.h gives (memcpy, memmove, memset, memcmp, strlen, strnlen,
 * strcmp, strncmp, strchr, strlcpy — kernel/lib/string.c, compiled into the library
 * too). Standard C semantics, for the "C" locale, except that there is no errno: a
 * conversion that overflows clamps to the type's limit, and *end says where it stopped.
 */
#ifndef MNOS_STRING_H
#define MNOS_STRING_H

#include <klib.h>

void *memchr(const void *s, int c, size_t n);
char *strrchr(const char *s, int c);
char *strstr(const char *hay, const char *needle);
char *strpbrk(const char *s, const char *set);
size_t strspn(const char *s, const char *set);
size_t strcspn(const char *s, const char *set);
char *strcpy(char *restrict dst, const char *restrict src);
char *strncpy(char *restrict dst, const char *restrict src, size_t n);
char *strcat(char *restrict dst, const char *restrict src);
char *strncat(char *restrict dst, const char *restrict src, size_t n);
size_t strlcat(char *restrict dst, const char *restrict src, size_t size);
char *strtok_r(char *restrict s, const char *restrict delim, char **restrict save);
/* Copies in malloc'ed memory; NULL when it runs out. */
char *strdup(const char *s);
char *strndup(const char *s, size_t n);

int isdigit(int c);
int isxdigit(int c);
int isspace(int c);
int isalpha(int c);
int isalnum(int c);
int isupper(int c);
int islower(int c);
int isprint(int c);
int isgraph(int c);
int ispunct(int c);
int iscntrl(int c);
int toupper(int c);
int tolower(int c);

unsigned long strtoul(const char *restrict s, char **restrict end, int base);
unsigned long long strtoull(const char *restrict s, char **restrict end, int base);
long strtol(const char *restrict s, char **restrict end, int base);
long long strtoll(const char *restrict s, char **restrict end, int base);
int atoi(const char *s);
long atol(const char *s);

#endif
