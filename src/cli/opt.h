/*
 * The option layer: each tool declares its flags once, in a table, and
 * everything about them comes from that table (git's parse-options):
 * parsing (`--flag value`, `--flag=value`, `-f value`, `-fvalue`, bundled
 * short flags, `--` ending options, `--no-flag` for booleans, repeated
 * flags where the table says so), validation with the one error format
 * (`fanout: bad --flag 'value': expected <forms>`, exit 2), `--help`, the
 * man page (roff) and the bash and zsh completions.
 *
 * A value lands in the tool's config struct at the entry's offset, in the
 * C type its kind names below; a tool's main is then parse → config → run.
 */
#ifndef FO_CLI_OPT_H
#define FO_CLI_OPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum fo_opt_kind {
	FO_OPT_BOOL,     /* bool; --no-NAME sets false */
	FO_OPT_FLAG,     /* int, incremented per use (-v -v): takes no value */
	FO_OPT_COUNT,    /* long, a whole number in [min, max] */
	FO_OPT_SIZE,     /* size_t, bytes, with K/M/G, in [min, max] */
	FO_OPT_DURATION, /* int64_t nanoseconds ("50ms", "2s"; bare numbers: unit), in [min, max] */
	FO_OPT_RATE,     /* double, a decimal fraction in [min, max] */
	FO_OPT_ENUM,     /* int, the index of the value in choices ("a|b|c") */
	FO_OPT_HOSTPORT, /* const char *: HOST:PORT or [V6]:PORT, port 1-65535 */
	FO_OPT_STRING,   /* const char *, as given (empty refused unless FO_OPT_EMPTY_OK) */
	FO_OPT_FILE,     /* const char *, a path (completed as a file; checked by the tool) */
	FO_OPT_LIST,     /* struct fo_optlist: every use appended (repeatable) */
	FO_OPT_FN,       /* the entry's fn is called with the value: anything else */
};

/* Flags of an entry. */
#define FO_OPT_HIDDEN   1u /* parsed, but not in --help, man page or completions */
#define FO_OPT_EMPTY_OK 2u /* a STRING/FILE may be '' */
#define FO_OPT_REPEAT   4u /* may be given more than once (LIST and FLAG always may) */
#define FO_OPT_TWO      8u /* a STRING/FILE taking two values (`--push LOCAL REMOTE`, or
			    * `--push=LOCAL REMOTE`) into a const char *[2]; arg names both */

/* The strings a LIST flag collected, in order; the strings are argv's,
 * the array is the caller's to free with fo_opts_release. */
struct fo_optlist {
	const char **v;
	size_t n;
};

struct fo_opt;
/* A FN entry's parser: 0, -EINVAL to have the one error printed with the
 * entry's forms, -ENOMEM, or FO_OPTS_BAD after printing its own line. */
typedef int (*fo_opt_fn)(void *cfg, const struct fo_opt *o, const char *value);

struct fo_opt {
	const char *name;  /* long name without "--"; NULL ends the table */
	char shrt;         /* short name, or 0 */
	enum fo_opt_kind kind;
	size_t off;        /* where the value goes in the config struct */
	const char *arg;   /* the value's name in help ("N", "DUR", "FILE") */
	const char *help;  /* one line, lowercase, no final period */
	const char *group; /* the heading it shows under ("Connection") */
	const char *def;   /* the default, as a user would write it, or NULL */
	double min, max;   /* bounds of COUNT, SIZE, DURATION (in ns) and RATE; 0,0: any */
	const char *choices; /* ENUM: "a|b|c" */
	const char *forms; /* what a bad value's message says is expected; NULL: from the kind */
	unsigned flags;
	unsigned ctx;      /* contexts (a tool's tasks, say) the flag belongs to, as bits; 0: every one */
	fo_opt_fn fn;      /* FN */
};

/* A tool's table and what surrounds it in --help and the man page. */
struct fo_opts {
	const char *cmd;      /* "run" for `fanout run` */
	const char *synopsis; /* "[options] URL|PATH..." */
	const char *about;    /* one line: what the command does */
	const char *more;     /* paragraphs after the options in --help, or NULL */
	const struct fo_opt *opts;
	size_t cfg_size;      /* sizeof the config, for the table-walking tests */
	bool operands_first;  /* stop at the first operand (for sub-commands) */
	bool no_operands;     /* an operand is refused: "fanout: CMD takes no operands, not 'X'" */
	const char *operand_hint; /* with no_operands: "fanout: unexpected 'X'; HINT" instead */
};

/* What one parse found: the operands and which entries were given. */
struct fo_optres {
	struct fo_optlist operands;
	unsigned char *given; /* per entry: how many times it was given */
	size_t nopts;
};

/* What fo_opts_parse returns besides 0. */
#define FO_OPTS_HELP 1 /* --help was printed to stdout: exit 0 */
#define FO_OPTS_BAD  2 /* the one-line error was printed to stderr: exit 2 */

/* Sets every entry's default (def parsed as if given; a FN entry's fn is
 * called with it), then parses argv[0..argc) (without the command's own
 * name) into cfg; a LIST's def is its one value when it was not given.
 * Operands may stand between options (as GNU tools allow), unless
 * operands_first. A BOOL may be given again (--x --no-x: the last wins, as
 * git has it); other entries only when REPEAT, LIST or FLAG. A FN entry's
 * fn may print its own one-line error and return FO_OPTS_BAD. On
 * FO_OPTS_BAD the error is printed already. The caller releases res with
 * fo_opts_release whatever the result. */
int fo_opts_parse(const struct fo_opts *t, void *cfg, int argc, char **argv, struct fo_optres *res);
/* Frees the lists in cfg and res that parse allocated. */
void fo_opts_release(const struct fo_opts *t, void *cfg, struct fo_optres *res);

/* Was the entry of that long name given? */
bool fo_opts_given(const struct fo_opts *t, const struct fo_optres *res, const char *name);
/* Every given entry must belong to the context bit ctx (named ctxname in
 * the error): 0, or FO_OPTS_BAD with "fanout: --rtt is not an option of
 * --task ssh" printed. */
int fo_opts_check_ctx(const struct fo_opts *t, const struct fo_optres *res, unsigned ctx,
		      const char *ctxname);

/* --help: usage, about, options by group (with defaults), more. */
void fo_opts_help(const struct fo_opts *t, FILE *f);
/* The man page, fanout-CMD(1), in roff. */
void fo_opts_man(const struct fo_opts *t, const char *date, FILE *f);
/* Completions for every tool in ts[0..n): "bash" or "zsh". */
void fo_opts_completion(const struct fo_opts *const *ts, size_t n, const char *shell, FILE *f);

#endif
