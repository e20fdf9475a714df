/* The name directory's table (init.h). Pure: the host tests compile it. */
#include "init.h"
#include <klib.h>

bool name_valid(const char *name, size_t len)
{
	if (len == 0 || len >= MNOS_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static struct name_entry *find(const struct names *t, const char *name)
{
	for (unsigned i = 0; i < NAMES_MAX; i++)
		if (t->e[i].used && strcmp(t->e[i].name, name) == 0)
			return (struct name_entry *)&t->e[i];
	return NULL;
}

kerr_t names_register(struct names *t, const char *name, uint32_t slot, uint64_t owner)
{
	if (!name_valid(name, strnlen(name, MNOS_NAME_MAX)))
		return E_INVAL;
	if (find(t, name))
		return E_EXISTS;
	for (unsigned i = 0; i < NAMES_MAX; i++)
		if (!t->e[i].used) {
			struct name_entry *e = &t->e[i];
			strlcpy(e->name, name, sizeof(e->name));
			e->slot = slot;
			e->owner = owner;
			e->gen = ++t->next_gen;
			e->used = true;
			return E_OK;
		}
	return E_NO_MEMORY;
}

kerr_t names_lookup(const struct names *t, const char *name, uint32_t *slot, uint64_t *gen)
{
	const struct name_entry *e = find(t, name);

	if (!e)
		return E_NOT_FOUND;
	*slot = e->slot;
	if (gen)
		*gen = e->gen;
	return E_OK;
}

kerr_t names_unregister(struct names *t, const char *name, uint64_t owner, uint32_t *slot)
{
	struct name_entry *e = find(t, name);

	if (!e)
		return E_NOT_FOUND;
	if (e->owner != owner)
		return E_PERM;
	*slot = e->slot;
	e->used = false;
	return E_OK;
}

unsigned names_drop_owner(struct names *t, uint64_t owner, uint32_t *slots, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < NAMES_MAX; i++)
		if (t->e[i].used && t->e[i].owner == owner) {
			if (n < max)
				slots[n] = t->e[i].slot;
			n++;
			t->e[i].used = false;
		}
	return n;
}
