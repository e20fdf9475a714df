/* Address -> symbol lookup for backtraces (ksyms.h): binary search of a sorted table. */
#include <ksyms.h>

extern const uint64_t ksym_count;
extern const struct ksym ksym_table[];
extern const char ksym_names[];

const char *ksym_lookup_in(const struct ksym *table, size_t count, const char *names,
			   uint64_t addr, uint64_t *offset)
{
	size_t lo = 0, hi = count;

	/* Find the last entry with entry.addr <= addr. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (table[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	const struct ksym *s = &table[lo - 1];
	uint64_t off = addr - s->addr;
	/* Past the end of a sized symbol is padding or an unnamed stub, not this one. */
	if (s->size && off >= s->size)
		return NULL;
	if (offset)
		*offset = off;
	return names + s->name_off;
}

const char *ksym_lookup(uint64_t addr, uint64_t *offset)
{
	return ksym_lookup_in(ksym_table, ksym_count, ksym_names, addr, offset);
}
