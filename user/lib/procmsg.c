/*
 * The packing of the process service's requests (mnos/proc.h): string vectors in an RPC
 * payload, and the environment's lookup. Pure — strings only — so the host tests
 * (tests/host/test_proc.c) compile it as it is.
 */
#include <klib.h>
#include <mnos/proc.h>

int mnos_strv_pack(char *buf, size_t size, size_t *len, const char *const *v, uint32_t n)
{
	size_t at = *len;

	if (n && !v)
		return E_INVAL;
	for (uint32_t i = 0; i < n; i++) {
		if (!v[i])
			return E_INVAL;
		size_t l = strnlen(v[i], size) + 1;
		if (at > size || l > size - at)
			return E_RANGE;
		at += l;
	}
	for (uint32_t i = 0; i < n; i++) {
		size_t l = strlen(v[i]) + 1;
		memcpy(buf + *len, v[i], l);
		*len += l;
	}
	return E_OK;
}

int mnos_strv_unpack(const char *buf, size_t len, const char **v, uint32_t n)
{
	size_t at = 0;

	for (uint32_t i = 0; i < n; i++) {
		size_t l = at < len ? strnlen(buf + at, len - at) : 0;
		if (at >= len || l == len - at)
			return E_INVAL;         /* no NUL left */
		v[i] = buf + at;
		at += l + 1;
	}
	return at == len ? E_OK : E_INVAL;
}

char *mnos_env_find(char *const *env, const char *name)
{
	size_t n = strlen(name);

	if (!env || n == 0 || strchr(name, '='))
		return NULL;
	for (; *env; env++)
		if (strncmp(*env, name, n) == 0 && (*env)[n] == '=')
			return *env + n + 1;
	return NULL;
}
