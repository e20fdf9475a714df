/* The shell's command language (parse.h). */
#include "parse.h"
#include <klib.h>
#include <kformat.h>

struct parser {
	const char *s;
	int status;
	sh_getenv_t getenv_fn;
	void *ctx;
	struct sh_list *out;
	char *err;
	size_t errlen;
	bool failed;
};

static bool fail(struct parser *ps, const char *fmt, const char *what)
{
	if (!ps->failed)
		ksnprintf(ps->err, ps->errlen, fmt, what);
	ps->failed = true;
	return false;
}

static bool is_op(char c)
{
	return c == '|' || c == '&' || c == ';' || c == '<' || c == '>';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_name(char c, bool first)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (!first && c >= '0' && c <= '9');
}

static bool add(struct parser *ps, char c)
{
	struct sh_list *l = ps->out;

	if (l->used >= SH_STORE - 1)
		return fail(ps, "%s", "line too long");
	l->store[l->used++] = c;
	return true;
}

static bool add_str(struct parser *ps, const char *v)
{
	while (v && *v)
		if (!add(ps, *v++))
			return false;
	return true;
}

/* After a '$': $?, ${NAME}, $NAME, or a lone '$'. */
static bool expand(struct parser *ps)
{
	char name[64];
	size_t n = 0;
	bool braced = *ps->s == '{';

	if (*ps->s == '?') {
		char num[16];
		ps->s++;
		ksnprintf(num, sizeof(num), "%d", ps->status);
		return add_str(ps, num);
	}
	if (braced)
		ps->s++;
	while (is_name(*ps->s, n == 0)) {
		if (n == sizeof(name) - 1)
			return fail(ps, "%s", "variable name too long");
		name[n++] = *ps->s++;
	}
	name[n] = 0;
	if (braced) {
		if (*ps->s != '}' || !n)
			return fail(ps, "%s", "bad ${...} expansion");
		ps->s++;
	} else if (!n) {
		return add(ps, '$');
	}
	return add_str(ps, ps->getenv_fn ? ps->getenv_fn(ps->ctx, name) : NULL);
}

/* One word at ps->s, expanded into the store: its start, or NULL on an error. */
static char *word(struct parser *ps)
{
	char *start = ps->out->store + ps->out->used;

	while (*ps->s && !is_space(*ps->s) && !is_op(*ps->s)) {
		char c = *ps->s++;
		if (c == '\'') {
			while (*ps->s && *ps->s != '\'')
				if (!add(ps, *ps->s++))
					return NULL;
			if (!*ps->s)
				return fail(ps, "%s", "unterminated quote"), NULL;
			ps->s++;
		} else if (c == '"') {
			while (*ps->s && *ps->s != '"') {
				c = *ps->s++;
				if (c == '\\' && (*ps->s == '"' || *ps->s == '\\' || *ps->s == '$'))
					c = *ps->s++;
				else if (c == '$' && !expand(ps))
					return NULL;
				else if (c == '$')
					continue;
				if (!add(ps, c))
					return NULL;
			}
			if (!*ps->s)
				return fail(ps, "%s", "unterminated quote"), NULL;
			ps->s++;
		} else if (c == '\\') {
			if (*ps->s && !add(ps, *ps->s++))
				return NULL;
		} else if (c == '$') {
			if (!expand(ps))
				return NULL;
		} else if (!add(ps, c)) {
			return NULL;
		}
	}
	return add(ps, 0) ? start : NULL;
}

static bool cmd_empty(const struct sh_cmd *c)
{
	return !c->argc && !c->redir[0] && !c->redir[1] && !c->redir[2];
}

bool sh_parse(const char *line, int status, sh_getenv_t getenv_fn, void *ctx,
	      struct sh_list *out, char *err, size_t errlen)
{
	struct parser ps = { line, status, getenv_fn, ctx, out, err, errlen, false };
	struct sh_pipeline *p;
	struct sh_cmd *c;
	int pend_fd = -1, pend_mode = 0;
	const char *last_op = NULL;     /* the operator that has to be followed */

	memset(out, 0, sizeof(*out) - sizeof(out->store));
	out->n = 1;
	p = &out->p[0];
	p->ncmds = 1;
	c = &p->cmd[0];
	for (;;) {
		while (is_space(*ps.s))
			ps.s++;
		char ch = *ps.s;
		if (!ch || ch == '#')
			break;
		if (pend_fd >= 0 && is_op(ch))
			return fail(&ps, "syntax error near '%s'", (char[]){ ch, 0 });
		if (ch == '2' && ps.s[1] == '>') {
			ps.s++;
			ch = '>';
			pend_fd = 2;
		}
		if (ch == '<' || ch == '>') {
			if (pend_fd < 0)
				pend_fd = ch == '<' ? 0 : 1;
			pend_mode = ch == '<' ? SH_REDIR_IN : SH_REDIR_OUT;
			ps.s++;
			if (ch == '>' && *ps.s == '>') {
				pend_mode = SH_REDIR_APPEND;
				ps.s++;
			}
			continue;
		}
		if (ch == '|' || ch == '&' || ch == ';') {
			bool two = ps.s[1] == ch && ch != ';';
			const char *op = ch == '|' ? (two ? "||" : "|") : ch == '&' ? (two ? "&&" : "&") : ";";
			ps.s += two ? 2 : 1;
			if (cmd_empty(c))
				return fail(&ps, "syntax error near '%s'", op);
			if (ch == '|' && !two) {                /* the next command of the pipeline */
				if (p->ncmds == SH_MAX_CMDS)
					return fail(&ps, "%s", "too many commands in a pipeline");
				c = &p->cmd[p->ncmds++];
				last_op = "|";
				continue;
			}
			p->join = ch == ';' || !two ? SH_SEQ : ch == '&' ? SH_AND : SH_OR;
			p->background = ch == '&' && !two;
			last_op = p->join == SH_SEQ ? NULL : op;
			if (out->n == SH_MAX_PIPES)
				return fail(&ps, "%s", "too many commands on a line");
			p = &out->p[out->n++];
			p->ncmds = 1;
			p->start = (size_t)(ps.s - line);
			c = &p->cmd[0];
			continue;
		}
		char *w = word(&ps);
		if (!w)
			return false;
		if (pend_fd >= 0) {
			c->redir[pend_fd] = pend_mode;
			c->path[pend_fd] = w;
			pend_fd = -1;
		} else {
			if (c->argc == SH_MAX_ARGS)
				return fail(&ps, "%s", "too many arguments");
			c->argv[c->argc++] = w;
		}
		last_op = NULL;
	}
	if (pend_fd >= 0)
		return fail(&ps, "%s", "syntax error: a redirection needs a file");
	if (last_op)
		return fail(&ps, "syntax error: nothing after '%s'", last_op);
	if (cmd_empty(c)) {
		if (p->ncmds > 1)
			return fail(&ps, "syntax error: nothing after '%s'", "|");
		out->n--;               /* an empty last pipeline: after ';' or '&', or none */
	}
	for (int i = 0; i < out->n; i++)
		for (int k = 0; k < out->p[i].ncmds; k++)
			if (!out->p[i].cmd[k].argc)
				return fail(&ps, "%s", "syntax error: a redirection without a command");
	return true;
}

bool sh_parse_at(const char *line, const struct sh_list *list, int i, int status,
		 sh_getenv_t getenv_fn, void *ctx, struct sh_list *one, char *err, size_t errlen)
{
	if (i < 0 || i >= list->n)
		return false;
	return sh_parse(line + list->p[i].start, status, getenv_fn, ctx, one, err, errlen) &&
	       one->n >= 1;
}
