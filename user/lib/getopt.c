/*
 * Options and sizes for the commands (mnos/cmd.h). Pure: the host tests
 * (tests/host/test_cmd.c) compile it.
 */
#include <klib.h>
#include <mnos/cmd.h>
#include <mnos/stdio.h>

int mnos_getopt(struct mnos_getopt *g, int argc, char *const argv[], const char *optstring)
{
	if (g->ind < 1)
		g->ind = 1;
	if (!g->next || !*g->next) {
		g->next = NULL;
		if (g->ind >= argc || !argv[g->ind])
			return MNOS_OPT_END;
		const char *w = argv[g->ind];
		if (w[0] != '-' || w[1] == '\0')
			return MNOS_OPT_END;            /* an operand; "-" is one too */
		if (w[1] == '-') {
			g->ind++;
			if (w[2] == '\0')
				return MNOS_OPT_END;    /* "--" */
			if (strcmp(w, "--help") == 0)
				return MNOS_OPT_HELP;
			g->opt = 0;
			g->arg = w;
			return '?';
		}
		g->next = w + 1;
		g->ind++;
	}
	int c = (unsigned char)*g->next++;
	const char *o = c != ':' ? strchr(optstring, c) : NULL;
	g->opt = c;
	g->arg = NULL;
	if (!o)
		return '?';
	if (o[1] != ':')
		return c;
	/* It takes an argument: the rest of this word, or the next. */
	if (*g->next) {
		g->arg = g->next;
	} else if (g->ind < argc && argv[g->ind]) {
		g->arg = argv[g->ind++];
	} else {
		g->next = NULL;
		return ':';
	}
	g->next = NULL;
	return c;
}

char *mnos_fmt_size(char *buf, size_t size, uint64_t bytes)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned u = 0;
	uint64_t scale = 1;

	/* The unit: the largest whose value is at least 1 ... */
	while (u + 1 < sizeof(unit) / sizeof(unit[0]) && bytes / scale >= 1024) {
		scale *= 1024;
		u++;
	}
	if (u == 0) {
		snprintf(buf, size, "%llu B", (unsigned long long)bytes);
		return buf;
	}
	/* ... rounded to nearest: in tenths below 10, else whole. In two parts, so that
	 * nothing passes 64 bits: the quotient is below 1024, the remainder below scale
	 * (at most 2^60). */
	uint64_t q = bytes / scale, rem = bytes % scale;
	uint64_t tenths = q * 10 + (rem * 10 + scale / 2) / scale;
	if (tenths >= 100) {
		uint64_t whole = q + (rem >= scale - scale / 2);
		/* Rounding may reach the next unit: 1023.6 KiB is 1.0 MiB. */
		if (whole >= 1024 && u + 1 < sizeof(unit) / sizeof(unit[0])) {
			snprintf(buf, size, "1.0 %s", unit[u + 1]);
			return buf;
		}
		snprintf(buf, size, "%llu %s", (unsigned long long)whole, unit[u]);
	} else {
		snprintf(buf, size, "%llu.%llu %s", (unsigned long long)(tenths / 10),
			 (unsigned long long)(tenths % 10), unit[u]);
	}
	return buf;
}
