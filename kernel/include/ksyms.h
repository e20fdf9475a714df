/*
 * The kernel's symbol table, generated at build time by tools/gensyms.py from the first
 * link and placed in the .ksyms section of the second (see Makefile). Used to print
 * function names in backtraces.
 */
#ifndef KSYMS_H
#define KSYMS_H

#include <types.h>

struct ksym {
	uint64_t addr;
	uint32_t size;          /* 0 when nm did not know it */
	uint32_t name_off;      /* into the names blob */
};

_Static_assert(sizeof(struct ksym) == 16, "layout shared with tools/gensyms.py");

/* Symbol containing addr in a table sorted by address; NULL when none does. */
const char *ksym_lookup_in(const struct ksym *table, size_t count, const char *names,
			   uint64_t addr, uint64_t *offset);

/* The same, in the kernel's own table. */
const char *ksym_lookup(uint64_t addr, uint64_t *offset);

#endif
