/*
 * The shell's command language (user/sh/parse.c, pure: host-tested in
 * tests/host/test_sh.c; docs/SHELL.md): a line becomes a list of pipelines joined by
 * ';', '&&', '||' or ending in '&', each pipeline commands joined by '|', each command
 * words and redirections. Quoting: '...' keeps everything, "..." keeps everything but
 * $-expansions and the escapes \" \\ \$; outside quotes, \ keeps the next character.
 * Expansions: $? (the last status), $NAME and ${NAME} (the environment). '#' at the
 * start of a word begins a comment.
 */
#ifndef SH_PARSE_H
#define SH_PARSE_H

#include <types.h>

#define SH_LINE_MAX     512             /* bytes of a line, with its NUL */
#define SH_MAX_ARGS     32              /* words of a command */
#define SH_MAX_CMDS     8               /* commands of a pipeline */
#define SH_MAX_PIPES    16              /* pipelines of a list */
#define SH_STORE        2048            /* bytes of the words, expanded */

enum sh_join {
	SH_SEQ,                         /* ';' or the end: the next runs anyway */
	SH_AND,                         /* '&&': the next runs if this succeeded */
	SH_OR,                          /* '||': the next runs if this failed */
};

enum sh_redir_mode {
	SH_REDIR_NONE,
	SH_REDIR_IN,                    /* < path */
	SH_REDIR_OUT,                   /* > path (2> for descriptor 2) */
	SH_REDIR_APPEND,                /* >> path (2>>) */
};

struct sh_cmd {
	int argc;
	char *argv[SH_MAX_ARGS + 1];    /* NULL-terminated */
	int redir[3];                   /* per descriptor 0-2: enum sh_redir_mode */
	char *path[3];                  /* ... and its file */
};

struct sh_pipeline {
	int ncmds;
	struct sh_cmd cmd[SH_MAX_CMDS];
	int join;                       /* enum sh_join: how the next pipeline follows */
	bool background;                /* ended by '&' */
	size_t start;                   /* where it begins in the line */
};

struct sh_list {
	int n;
	struct sh_pipeline p[SH_MAX_PIPES];
	size_t used;
	char store[SH_STORE];
};

/* The environment lookup parse uses for $NAME: the value or NULL. */
typedef const char *(*sh_getenv_t)(void *ctx, const char *name);

/*
 * Parse line into *out (an empty line gives n = 0). status is what $? expands to: a
 * shell runs pipeline i by parsing the line again from p[i].start with the status the
 * pipeline before it left (sh_parse_at). On a
 * syntax error, returns false with a message in err (errlen bytes): "syntax error near
 * '|'", "unterminated quote", "too many arguments", ...
 */
bool sh_parse(const char *line, int status, sh_getenv_t getenv_fn, void *ctx,
	      struct sh_list *out, char *err, size_t errlen);

/* Parse the line again from pipeline i of list (parsed from the same line) with this
 * status: *one gets that pipeline as its p[0]. */
bool sh_parse_at(const char *line, const struct sh_list *list, int i, int status,
		 sh_getenv_t getenv_fn, void *ctx, struct sh_list *one, char *err, size_t errlen);

#endif
