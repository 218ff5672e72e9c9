/*
 * The option layer (src/cli/opt.c): every form a GNU or git-style tool
 * takes, the one error format, and --help, man page and completions made
 * from the same table, on a table of our own that has every kind.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../src/cli/opt.h"
#include "fanout/runtime.h"
#include "test.h"

struct tcfg {
	bool json, keep;
	int verbose;
	long hosts;
	size_t max;
	int64_t timeout;
	double rate;
	int model;
	const char *bind, *out, *name;
	struct fo_optlist cmds;
	int custom;
};

static int custom(void *cfg, const struct fo_opt *o, const char *v)
{
	(void)o;
	if (strcmp(v, "yes"))
		return -EINVAL;
	((struct tcfg *)cfg)->custom = 1;
	return 0;
}

#define OFF(f) offsetof(struct tcfg, f)
static const struct fo_opt topts[] = {
	{ "json", 0, FO_OPT_BOOL, OFF(json), NULL, "one JSON object a line", "Output", NULL, 0, 0, NULL, NULL, 0, 0, NULL },
	{ "keep", 0, FO_OPT_BOOL, OFF(keep), NULL, "keep going", "Output", "on", 0, 0, NULL, NULL, 0, 0, NULL },
	{ "verbose", 'v', FO_OPT_FLAG, OFF(verbose), NULL, "say more", "Output", NULL, 0, 0, NULL, NULL, 0, 0, NULL },
	{ "hosts", 'n', FO_OPT_COUNT, OFF(hosts), "N", "how many hosts", "Run", "10", 1, 1000000, NULL, NULL, 0, 0, NULL },
	{ "max", 0, FO_OPT_SIZE, OFF(max), "SIZE", "at most this much", "Run", "1M", 1, 1 << 30, NULL, NULL, 0, 1, NULL },
	{ "timeout", 't', FO_OPT_DURATION, OFF(timeout), "DUR", "per host", "Run", "5s", 1e6, 3600e9, NULL, NULL, 0, 2, NULL },
	{ "rate", 0, FO_OPT_RATE, OFF(rate), "R", "per second", "Run", NULL, 0.001, 1e6, NULL, NULL, 0, 0, NULL },
	{ "model", 'm', FO_OPT_ENUM, OFF(model), "MODEL", "execution model", "Run", "coro", 0, 0, "coro|loop|threads", NULL, 0, 0, NULL },
	{ "bind", 0, FO_OPT_HOSTPORT, OFF(bind), "HOST:PORT", "listen there", "Run", NULL, 0, 0, NULL, NULL, 0, 0, NULL },
	{ "out", 'o', FO_OPT_FILE, OFF(out), "FILE", "write there", "Output", NULL, 0, 0, NULL, NULL, 0, 0, NULL },
	{ "name", 0, FO_OPT_STRING, OFF(name), "NAME", "a [name]: it's", "Output", NULL, 0, 0, NULL, NULL, 0, 0, NULL },
	{ "command", 'c', FO_OPT_LIST, OFF(cmds), "CMD", "run this (repeat)", "Run", NULL, 0, 0, NULL, NULL, 0, 0, NULL },
	{ "custom", 0, FO_OPT_FN, OFF(custom), "yes", "custom", "Run", NULL, 0, 0, NULL, "yes", 0, 0, custom },
	{ "secret", 0, FO_OPT_STRING, OFF(name), "S", "hidden", "Run", NULL, 0, 0, NULL, NULL, FO_OPT_HIDDEN, 0, NULL },
	{ NULL, 0, 0, 0, NULL, NULL, NULL, NULL, 0, 0, NULL, NULL, 0, 0, NULL },
};
static const struct fo_opts tt = { "try", "[options] HOST...", "try the option layer", NULL, topts,
				   sizeof(struct tcfg), false, false, NULL };

/* Parses a NULL-terminated list in a child (parse may print and the
 * result is compared in the parent's terms): the parse's return value,
 * with cfg and res filled. */
static int parse(struct tcfg *c, struct fo_optres *res, ...)
{
	char *argv[32];
	va_list ap;
	int n = 0;

	va_start(ap, res);
	while (n < 31 && (argv[n] = va_arg(ap, char *)))
		n++;
	va_end(ap);
	memset(c, 0, sizeof(*c));
	return fo_opts_parse(&tt, c, n, argv, res);
}

TEST(cli_opt_forms)
{
	struct tcfg c;
	struct fo_optres r;

	CHECK_EQ(parse(&c, &r, NULL), 0);
	CHECK_EQ(c.hosts, 10);
	CHECK_EQ(c.max, 1 << 20);
	CHECK_EQ(c.timeout, 5 * FO_SEC);
	CHECK_EQ(c.model, 0);
	CHECK(c.keep && !c.json);
	fo_opts_release(&tt, &c, &r);

	CHECK_EQ(parse(&c, &r, "--hosts=100", "h1", "-t", "2s", "--max", "64K", "-mloop", "--json",
		       "--no-keep", "-vvc", "uptime", "--command=show version", "h2", "--rate=2.5",
		       "--bind", "[::1]:80", "--custom=yes", "--", "--hosts", NULL), 0);
	CHECK_EQ(c.hosts, 100);
	CHECK_EQ(c.timeout, 2 * FO_SEC);
	CHECK_EQ(c.max, 65536);
	CHECK_EQ(c.model, 1);
	CHECK(c.json && !c.keep);
	CHECK_EQ(c.verbose, 2);
	CHECK_EQ(c.cmds.n, 2);
	CHECK_STR(c.cmds.v[0], "uptime");
	CHECK_STR(c.cmds.v[1], "show version");
	CHECK(c.rate == 2.5);
	CHECK_STR(c.bind, "[::1]:80");
	CHECK_EQ(c.custom, 1);
	CHECK_EQ(r.operands.n, 3);
	CHECK_STR(r.operands.v[0], "h1");
	CHECK_STR(r.operands.v[1], "h2");
	CHECK_STR(r.operands.v[2], "--hosts");
	CHECK(fo_opts_given(&tt, &r, "rate") && !fo_opts_given(&tt, &r, "out"));
	fo_opts_release(&tt, &c, &r);

	/* -n5, -o FILE, and a lone "-" is an operand (stdin) */
	CHECK_EQ(parse(&c, &r, "-n5", "-o", "x", "-", NULL), 0);
	CHECK_EQ(c.hosts, 5);
	CHECK_STR(c.out, "x");
	CHECK_EQ(r.operands.n, 1);
	fo_opts_release(&tt, &c, &r);
}

/* Every bad value: the one format on stderr, and FO_OPTS_BAD (exit 2). */
static void bad(const char *flag, const char *value, const char *msg)
{
	int pe[2];
	pid_t pid;
	int st;
	char buf[512] = "";
	ssize_t n;

	CHECK(pipe(pe) == 0);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct tcfg c;
		struct fo_optres r;

		dup2(pe[1], 2);
		_exit(value ? parse(&c, &r, flag, value, NULL) : parse(&c, &r, flag, NULL));
	}
	close(pe[1]);
	{
		size_t k = 0;

		while (k < sizeof(buf) - 1 && (n = read(pe[0], buf + k, sizeof(buf) - 1 - k)) > 0)
			k += (size_t)n;
		buf[k] = 0;
	}
	close(pe[0]);
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), FO_OPTS_BAD);
	CHECK_HAS(buf, msg);
}

TEST(cli_opt_bad_values)
{
	bad("--hosts", "", "fanout: bad --hosts '': expected a whole number from 1 to 1000000");
	bad("--hosts", "-1", "bad --hosts '-1'");
	bad("--hosts", " 5", "bad --hosts ' 5'");
	bad("--hosts", "0x10", "bad --hosts '0x10'");
	bad("--hosts=99999999999999999999", NULL, "bad --hosts '99999999999999999999'");
	bad("-n", "0", "bad -n '0'");
	bad("--max", "-1", "bad --max '-1': expected a size");
	bad("--max", "18446744073709551616", "bad --max");
	bad("--max", "2G", "bad --max '2G'");
	bad("--timeout", "5 s", "bad --timeout '5 s': expected a duration");
	bad("--timeout", "5us", "bad --timeout '5us'");
	bad("--rate", "inf", "bad --rate 'inf': expected a number from 0.001 to 1e+06");
	bad("--rate", "nan", "bad --rate 'nan'");
	bad("--rate", "1e999", "bad --rate '1e999'");
	bad("--rate", "0", "bad --rate '0'");
	bad("--model", "fibers", "bad --model 'fibers': expected one of coro, loop, threads");
	bad("--bind", "0", "bad --bind '0': expected HOST:PORT");
	bad("--bind", "h:99999", "bad --bind 'h:99999'");
	bad("--out", "", "bad --out '': expected a path");
	bad("--custom", "no", "bad --custom 'no': expected yes");
	bad("--hosts", NULL, "fanout: '--hosts' needs a value (see fanout try --help)");
	bad("--json=1", NULL, "'--json' takes no value");
	bad("--no-hosts", NULL, "unknown option '--no-hosts'");
	bad("--bogus", NULL, "unknown option '--bogus'");
	bad("-q", NULL, "unknown option '-q'");
	bad("--hosts=1", "--hosts=2", "'--hosts' is given more than once");
}

/* A second table: what a tool that takes no operands, a FN with a default
 * and its own message, and a LIST with a default get. */
struct t2cfg {
	int level;
	struct fo_optlist models;
	bool keep;
};

static int level(void *cfg, const struct fo_opt *o, const char *v)
{
	(void)o;
	if (!strcmp(v, "loud")) {
		fprintf(stderr, "fanout: bad --level 'loud': too loud, try 'high'\n");
		return FO_OPTS_BAD;
	}
	((struct t2cfg *)cfg)->level = !strcmp(v, "high") ? 2 : !strcmp(v, "low") ? 1 : -1;
	return ((struct t2cfg *)cfg)->level < 0 ? -EINVAL : 0;
}

#define OFF2(f) offsetof(struct t2cfg, f)
static const struct fo_opt t2opts[] = {
	{ "level", 0, FO_OPT_FN, OFF2(level), "L", "low or high", NULL, "low", 0, 0, NULL, "low or high", 0, 0, level },
	{ "model", 0, FO_OPT_LIST, OFF2(models), "M", "models", NULL, "coro", 0, 0, NULL, NULL, 0, 0, NULL },
	{ "keep", 0, FO_OPT_BOOL, OFF2(keep), NULL, "keep", NULL, "on", 0, 0, NULL, NULL, 0, 0, NULL },
	{ NULL, 0, 0, 0, NULL, NULL, NULL, NULL, 0, 0, NULL, NULL, 0, 0, NULL },
};
static const struct fo_opts t2 = { "two", "[options]", "a second table", NULL, t2opts, sizeof(struct t2cfg),
				   false, true, NULL };

static int parse2(struct t2cfg *c, struct fo_optres *r, int argc, char **argv)
{
	memset(c, 0, sizeof(*c));
	return fo_opts_parse(&t2, c, argc, argv, r);
}

TEST(cli_opt_defaults_operands_last_wins)
{
	char *none[] = { NULL }, *given[] = { "--model", "loop", "--level=high", "--no-keep", "--keep", "--no-keep" };
	char *oper[] = { "stray" }, *loud[] = { "--level", "loud" };
	struct t2cfg c;
	struct fo_optres r;

	CHECK_EQ(parse2(&c, &r, 0, none), 0);
	CHECK_EQ(c.level, 1);             /* a FN's default, through its fn */
	CHECK_EQ(c.models.n, 1);          /* a LIST's default, when not given */
	CHECK_STR(c.models.v[0], "coro");
	CHECK(c.keep);
	fo_opts_release(&t2, &c, &r);
	CHECK_EQ(parse2(&c, &r, 6, given), 0);
	CHECK_EQ(c.level, 2);
	CHECK_EQ(c.models.n, 1);          /* given: the default is not added */
	CHECK_STR(c.models.v[0], "loop");
	CHECK(!c.keep);                   /* --no-keep --keep --no-keep: the last wins */
	fo_opts_release(&t2, &c, &r);
	fflush(NULL);
	CHECK_EQ(parse2(&c, &r, 1, oper), FO_OPTS_BAD);  /* "two takes no operands" */
	fo_opts_release(&t2, &c, &r);
	CHECK_EQ(parse2(&c, &r, 2, loud), FO_OPTS_BAD);  /* the fn's own line */
	fo_opts_release(&t2, &c, &r);
}

TEST(cli_opt_context)
{
	struct tcfg c;
	struct fo_optres r;

	CHECK_EQ(parse(&c, &r, "--max", "1K", NULL), 0);
	CHECK_EQ(fo_opts_check_ctx(&tt, &r, 1, "--task ssh"), 0);
	fflush(NULL);
	CHECK_EQ(fo_opts_check_ctx(&tt, &r, 2, "--task sleep"), FO_OPTS_BAD);
	fo_opts_release(&tt, &c, &r);
}

/* Reads what fn writes to a memory stream. */
static char *capture(void (*fn)(FILE *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK(f);
	fn(f);
	fclose(f);
	return buf;
}

static void help(FILE *f) { fo_opts_help(&tt, f); }
static void man(FILE *f) { fo_opts_man(&tt, "2026-12-03", f); }
static void bash(FILE *f)
{
	const struct fo_opts *ts[] = { &tt };

	fo_opts_completion(ts, 1, "bash", f);
}
static void zsh(FILE *f)
{
	const struct fo_opts *ts[] = { &tt };

	fo_opts_completion(ts, 1, "zsh", f);
}

/* --help, the man page and the completions list exactly the table's
 * shown flags. */
TEST(cli_opt_docs_from_the_table)
{
	char *h = capture(help), *m = capture(man), *b = capture(bash), *z = capture(zsh);
	const struct fo_opt *o;

	for (o = topts; o->name; o++) {
		char l[64], hl[64], ml[80];

		snprintf(l, sizeof(l), "--%s", o->name);
		snprintf(hl, sizeof(hl), o->kind == FO_OPT_BOOL && o->def ? "]%s" : "--%s", o->name);
		snprintf(ml, sizeof(ml), "\\fB\\-\\-%s\\fR", o->name);
		if (o->flags & FO_OPT_HIDDEN) {
			CHECK_LACKS(h, l);
			CHECK_LACKS(b, l);
			continue;
		}
		CHECK_HAS(h, hl);
		if (!(o->kind == FO_OPT_BOOL && o->def))
			CHECK_HAS(m, ml);
		CHECK_HAS(b, l);
		CHECK_HAS(z, l);
	}
	CHECK_HAS(h, "usage: fanout try [options] HOST...");
	CHECK_HAS(h, "  -n, --hosts N");
	CHECK_HAS(h, "[10]");
	CHECK_HAS(h, "--[no-]keep");
	CHECK_HAS(m, ".TH FANOUT-TRY 1 \"2026-12-03\"");
	CHECK_HAS(m, "\\fB\\-n\\fR, \\fB\\-\\-hosts\\fR \\fIN\\fR");
	CHECK_HAS(m, ".SS Output");
	CHECK_HAS(b, "complete -F _fanout fanout");
	CHECK_HAS(b, "--model|-m) COMPREPLY=($(compgen -W \"coro loop threads\"");
	CHECK_HAS(z, "'--name=[a \\[name\\]\\: it'\\''s]:NAME:'");
	/* the scripts are valid for their shells */
	{
		FILE *p = popen("bash -n", "w");

		CHECK(p);
		fputs(b, p);
		CHECK_EQ(pclose(p), 0);
		if (access("/bin/zsh", X_OK) == 0) {
			p = popen("/bin/zsh -n", "w");
			CHECK(p);
			fputs(z, p);
			CHECK_EQ(pclose(p), 0);
		}
	}
	free(h);
	free(m);
	free(b);
	free(z);
}
