/*
 * The host tests of libmnos (test_libmnos.c) link the library's pure sources with the C
 * library, which has functions of the same names: this header, force-included into the
 * library's sources and included by the test, renames libmnos's to mnos_host_<name>.
 * Included again with LIBMNOS_UNNAME defined, it takes the renames back, so the test can
 * call the C library's functions to compare.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef LIBMNOS_UNNAME
#undef memchr
#define memchr mnos_host_memchr
#undef strrchr
#define strrchr mnos_host_strrchr
#undef strstr
#define strstr mnos_host_strstr
#undef strpbrk
#define strpbrk mnos_host_strpbrk
#undef strspn
#define strspn mnos_host_strspn
#undef strcspn
#define strcspn mnos_host_strcspn
#undef strcpy
#define strcpy mnos_host_strcpy
#undef strncpy
#define strncpy mnos_host_strncpy
#undef strcat
#define strcat mnos_host_strcat
#undef strncat
#define strncat mnos_host_strncat
#undef strlcat
#define strlcat mnos_host_strlcat
#undef strtok_r
#define strtok_r mnos_host_strtok_r
#undef strdup
#define strdup mnos_host_strdup
#undef strndup
#define strndup mnos_host_strndup
#undef isdigit
#define isdigit mnos_host_isdigit
#undef isxdigit
#define isxdigit mnos_host_isxdigit
#undef isspace
#define isspace mnos_host_isspace
#undef isalpha
#define isalpha mnos_host_isalpha
#undef isalnum
#define isalnum mnos_host_isalnum
#undef isupper
#define isupper mnos_host_isupper
#undef islower
#define islower mnos_host_islower
#undef isprint
#define isprint mnos_host_isprint
#undef isgraph
#define isgraph mnos_host_isgraph
#undef ispunct
#define ispunct mnos_host_ispunct
#undef iscntrl
#define iscntrl mnos_host_iscntrl
#undef toupper
#define toupper mnos_host_toupper
#undef tolower
#define tolower mnos_host_tolower
#undef strtoul
#define strtoul mnos_host_strtoul
#undef strtoull
#define strtoull mnos_host_strtoull
#undef strtol
#define strtol mnos_host_strtol
#undef strtoll
#define strtoll mnos_host_strtoll
#undef atoi
#define atoi mnos_host_atoi
#undef atol
#define atol mnos_host_atol
#undef snprintf
#define snprintf mnos_host_snprintf
#undef vsnprintf
#define vsnprintf mnos_host_vsnprintf
#else
#undef memchr
#undef strrchr
#undef strstr
#undef strpbrk
#undef strspn
#undef strcspn
#undef strcpy
#undef strncpy
#undef strcat
#undef strncat
#undef strlcat
#undef strtok_r
#undef strdup
#undef strndup
#undef isdigit
#undef isxdigit
#undef isspace
#undef isalpha
#undef isalnum
#undef isupper
#undef islower
#undef isprint
#undef isgraph
#undef ispunct
#undef iscntrl
#undef toupper
#undef tolower
#undef strtoul
#undef strtoull
#undef strtol
#undef strtoll
#undef atoi
#undef atol
#undef snprintf
#undef vsnprintf
#endif
