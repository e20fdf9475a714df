/* Kernel command line parsing (cmdline.h). */
#include <cmdline.h>
#include <klib.h>

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool cmdline_get(const char *cmdline, const char *key, char *val, size_t valsize)
{
	size_t klen = strlen(key);
	const char *p = cmdline;

	if (!cmdline || klen == 0)
		return false;
	while (*p) {
		while (is_space(*p))
			p++;
		if (!*p)
			break;
		const char *word = p;
		/* Find the end of the word; quotes may hide spaces in the value. */
		bool quoted = false;
		while (*p && (quoted || !is_space(*p))) {
			if (*p == '"')
				quoted = !quoted;
			p++;
		}
		const char *end = p;
		if ((size_t)(end - word) < klen || strncmp(word, key, klen) != 0)
			continue;
		const char *rest = word + klen;
		if (rest != end && *rest != '=')
			continue;               /* a longer key with our key as its prefix */
		if (val && valsize) {
			size_t n = 0;
			if (rest != end)
				rest++;         /* skip '=' */
			for (const char *c = rest; c < end; c++) {
				if (*c == '"')
					continue;
				if (n + 1 < valsize)
					val[n++] = *c;
			}
			val[n] = '\0';
		}
		return true;
	}
	return false;
}
