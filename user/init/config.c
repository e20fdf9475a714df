/*
 * etc/init.conf (docs/INIT.md): one service a line,
 *
 *   service <name> <path> [grant=<cap>[,<cap>...]] [restart=<n>|always] [slots=<n>]
 *           [quota=<KiB>] [unless=<word>] [-- <arg>...]
 *
 * where a cap is one of init's boot capabilities by name ("com1", "irq4", ...) or
 * proc:<service>, the process capability of a service listed earlier. '#' starts a
 * comment; blank lines are skipped. Pure: the host tests compile it.
 */
#include "init.h"
#include <klib.h>
#include <kformat.h>

#define LINE_MAX_TOKENS 32
#define DEFAULT_SLOTS   256
#define DEFAULT_QUOTA   (1024ull * 1024)
#define DEFAULT_RESTART 3

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Split line (NUL-terminated, modified) into tokens; -1 if too many. */
static int tokenize(char *line, char **tok, int max)
{
	int n = 0;

	for (char *p = line; *p;) {
		while (is_space(*p))
			*p++ = 0;
		if (!*p || *p == '#')
			break;
		if (n == max)
			return -1;
		tok[n++] = p;
		while (*p && !is_space(*p))
			p++;
	}
	return n;
}

static bool parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (max - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

static bool word_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	return n > 0 && n < max;
}

static int find_service(const struct services *ss, const char *name, unsigned before)
{
	for (unsigned i = 0; i < before; i++)
		if (strcmp(ss->s[i].name, name) == 0)
			return (int)i;
	return -1;
}

static const char *parse_grants(struct services *ss, struct service *s, char *list)
{
	for (char *p = list; *p;) {
		char *comma = strchr(p, ',');
		if (comma)
			*comma = 0;
		if (s->ngrants == SERVICE_MAX_GRANTS)
			return "too many grants";
		if (!word_ok(p, SERVICE_NAME_MAX))
			return "a grant's name is empty or too long";
		struct grant *g = &s->grants[s->ngrants++];
		strlcpy(g->name, p, sizeof(g->name));
		g->service = -1;
		if (strncmp(p, "proc:", 5) == 0) {
			g->service = find_service(ss, p + 5, ss->n);
			if (g->service < 0)
				return "proc: names no service listed before this one";
		}
		if (!comma)
			break;
		p = comma + 1;
	}
	return NULL;
}

static const char *parse_line(struct services *ss, char **tok, int n)
{
	if (strcmp(tok[0], "service") != 0)
		return "unknown keyword (only 'service')";
	if (n < 3)
		return "a service needs a name and a path";
	if (ss->n == SERVICE_MAX)
		return "too many services";
	if (!word_ok(tok[1], SERVICE_NAME_MAX) || !name_valid(tok[1], strlen(tok[1])))
		return "bad service name";
	if (find_service(ss, tok[1], ss->n) >= 0)
		return "a service of that name is listed already";
	if (!word_ok(tok[2], SERVICE_PATH_MAX))
		return "path empty or too long";
	struct service *s = &ss->s[ss->n];
	memset(s, 0, sizeof(*s));
	strlcpy(s->name, tok[1], sizeof(s->name));
	strlcpy(s->path, tok[2], sizeof(s->path));
	s->slots = DEFAULT_SLOTS;
	s->quota = DEFAULT_QUOTA;
	s->max_restarts = DEFAULT_RESTART;
	int i = 3;
	for (; i < n && strcmp(tok[i], "--") != 0; i++) {
		char *eq = strchr(tok[i], '=');
		uint64_t v;
		if (!eq)
			return "an option is key=value";
		*eq = 0;
		const char *key = tok[i], *val = eq + 1;
		if (strcmp(key, "grant") == 0) {
			const char *why = parse_grants(ss, s, eq + 1);
			if (why)
				return why;
		} else if (strcmp(key, "restart") == 0 && strcmp(val, "always") == 0) {
			s->max_restarts = RESTART_ALWAYS;
		} else if (strcmp(key, "restart") == 0 && parse_uint(val, 100, &v)) {
			s->max_restarts = (unsigned)v;
		} else if (strcmp(key, "unless") == 0 && word_ok(val, SERVICE_NAME_MAX)) {
			strlcpy(s->unless, val, sizeof(s->unless));
		} else if (strcmp(key, "slots") == 0 && parse_uint(val, 65536, &v) && v >= 16) {
			s->slots = (uint32_t)v;
		} else if (strcmp(key, "quota") == 0 && parse_uint(val, 1u << 24, &v) && v >= 64) {
			s->quota = v * 1024;
		} else {
			return "unknown option or value out of range";
		}
	}
	size_t used = 0;
	for (i++; i < n; i++) {
		size_t len = strlen(tok[i]) + 1;
		if (s->nargs == SERVICE_MAX_ARGS || used + len > sizeof(s->argbuf))
			return "too many arguments";
		memcpy(s->argbuf + used, tok[i], len);
		s->args[s->nargs++] = s->argbuf + used;
		used += len;
	}
	ss->n++;
	return NULL;
}

bool config_parse(struct services *ss, const char *text, size_t len, char *err,
		  size_t errsize)
{
	unsigned before = ss->n, lineno = 0;
	char line[512];

	for (size_t pos = 0; pos < len;) {
		size_t end = pos;
		while (end < len && text[end] != '\n')
			end++;
		lineno++;
		const char *why = NULL;
		if (end - pos >= sizeof(line)) {
			why = "line too long";
		} else {
			memcpy(line, text + pos, end - pos);
			line[end - pos] = 0;
			if (strlen(line) != end - pos)
				why = "a NUL byte";
		}
		char *tok[LINE_MAX_TOKENS];
		int n = why ? 0 : tokenize(line, tok, LINE_MAX_TOKENS);
		if (!why && n < 0)
			why = "too many words";
		if (!why && n > 0)
			why = parse_line(ss, tok, n);
		if (why) {
			ksnprintf(err, errsize, "line %u: %s", lineno, why);
			ss->n = before;
			return false;
		}
		pos = end + 1;
	}
	return true;
}
