/*
 * The option layer: see opt.h. Parsing is ours rather than getopt_long's
 * so that every error is the one format and names the flag as the user
 * wrote it, and so that the same table walk gives --help, the man page
 * and the completions.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "fanout/runtime.h"
#include "cli.h"
#include "opt.h"

/* ---- the table -------------------------------------------------------------- */

static size_t nopts(const struct fo_opts *t)
{
	size_t n = 0;

	while (t->opts[n].name)
		n++;
	return n;
}

static const struct fo_opt *find_long(const struct fo_opts *t, const char *s, size_t len)
{
	const struct fo_opt *o;

	for (o = t->opts; o->name; o++)
		if (strlen(o->name) == len && !strncmp(o->name, s, len))
			return o;
	return NULL;
}

static const struct fo_opt *find_short(const struct fo_opts *t, char c)
{
	const struct fo_opt *o;

	for (o = t->opts; o->name; o++)
		if (o->shrt == c)
			return o;
	return NULL;
}

static bool takes_value(const struct fo_opt *o)
{
	return o->kind != FO_OPT_BOOL && o->kind != FO_OPT_FLAG;
}

/* ---- values ------------------------------------------------------------------ */

/* What a bad value's message says is expected, from the kind and bounds. */
static const char *forms(const struct fo_opt *o, char *buf, size_t len)
{
	bool bounded = o->min != 0 || o->max != 0;

	if (o->forms)
		return o->forms;
	switch (o->kind) {
	case FO_OPT_COUNT:
		if (bounded)
			snprintf(buf, len, "a whole number from %.0f to %.0f", o->min, o->max);
		else
			snprintf(buf, len, "a whole number");
		return buf;
	case FO_OPT_SIZE:
		snprintf(buf, len, "a size in bytes, with K, M or G (such as 64K)");
		return buf;
	case FO_OPT_DURATION:
		snprintf(buf, len, "a duration such as 500ms, 5s or 2m");
		return buf;
	case FO_OPT_RATE:
		if (bounded)
			snprintf(buf, len, "a number from %g to %g", o->min, o->max);
		else
			snprintf(buf, len, "a number");
		return buf;
	case FO_OPT_ENUM: {
		size_t k = 0;
		const char *p;

		k += (size_t)snprintf(buf, len, "one of ");
		for (p = o->choices; *p && k + 3 < len; p++)
			k += (size_t)snprintf(buf + k, len - k, *p == '|' ? ", " : "%c", *p);
		return buf;
	}
	case FO_OPT_HOSTPORT:
		return "HOST:PORT or [IPV6]:PORT, a port from 1 to 65535";
	case FO_OPT_FILE:
		return "a path";
	default:
		return "a value";
	}
}

static int in_bounds(const struct fo_opt *o, double v)
{
	if (o->min == 0 && o->max == 0)
		return 0;
	return v >= o->min && v <= o->max ? 0 : -ERANGE;
}

static int parse_count(const struct fo_opt *o, const char *v, long *out)
{
	bool neg = *v == '-' && o->min < 0;
	uint64_t u;
	int r = fo_cli_uint(neg ? v + 1 : v, 0, (uint64_t)LONG_MAX, &u);

	if (r < 0)
		return r;
	*out = neg ? -(long)u : (long)u;
	return in_bounds(o, (double)*out);
}

static int parse_hostport(const char *v)
{
	const char *colon;
	uint64_t port;

	if (*v == '[') {
		const char *close = strchr(v, ']');

		if (!close || close == v + 1 || close[1] != ':')
			return -EINVAL;
		colon = close + 1;
	} else {
		colon = strrchr(v, ':');
		if (!colon || colon == v || memchr(v, ':', (size_t)(colon - v)))
			return -EINVAL;
	}
	return fo_cli_uint(colon + 1, 1, 65535, &port);
}

static int parse_enum(const struct fo_opt *o, const char *v, int *out)
{
	const char *p = o->choices;
	size_t n = strlen(v);
	int i;

	for (i = 0; p && *p; i++) {
		size_t k = strcspn(p, "|");

		if (k == n && !strncmp(p, v, n)) {
			*out = i;
			return 0;
		}
		p += k + (p[k] == '|');
	}
	return -EINVAL;
}

static int list_add(struct fo_optlist *l, const char *v)
{
	const char **a = realloc(l->v, (l->n + 1) * sizeof(*a));

	if (!a)
		return -ENOMEM;
	a[l->n++] = v;
	l->v = a;
	return 0;
}

/* The value v for entry o into cfg: 0 or -errno. */
static int set_value(const struct fo_opt *o, void *cfg, const char *v)
{
	char *dst = (char *)cfg + o->off;
	uint64_t u;
	int64_t ns;
	double d;
	int r;

	switch (o->kind) {
	case FO_OPT_COUNT:
		return parse_count(o, v, (long *)(void *)dst);
	case FO_OPT_SIZE:
		if ((r = fo_cli_size(v, 0, SIZE_MAX, &u)) < 0)
			return r;
		*(size_t *)(void *)dst = (size_t)u;
		return in_bounds(o, (double)u);
	case FO_OPT_DURATION:
		if (fo_duration_parse(v, &ns) < 0)
			return -EINVAL;
		*(int64_t *)(void *)dst = ns;
		return in_bounds(o, (double)ns);
	case FO_OPT_RATE:
		if ((r = fo_cli_real(v, -1e300, 1e300, &d)) < 0)
			return r;
		*(double *)(void *)dst = d;
		return in_bounds(o, d);
	case FO_OPT_ENUM:
		return parse_enum(o, v, (int *)(void *)dst);
	case FO_OPT_HOSTPORT:
		if ((r = parse_hostport(v)) < 0)
			return r;
		*(const char **)(void *)dst = v;
		return 0;
	case FO_OPT_STRING:
	case FO_OPT_FILE:
		if (!*v && !(o->flags & FO_OPT_EMPTY_OK))
			return -EINVAL;
		*(const char **)(void *)dst = v;
		return 0;
	case FO_OPT_LIST:
		if (!*v && !(o->flags & FO_OPT_EMPTY_OK))
			return -EINVAL;
		return list_add((struct fo_optlist *)(void *)dst, v);
	case FO_OPT_FN:
		return o->fn(cfg, o, v);
	case FO_OPT_BOOL:
		*(bool *)(void *)dst = true;
		return 0;
	case FO_OPT_FLAG:
		(*(int *)(void *)dst)++;
		return 0;
	}
	return -EINVAL;
}

/* ---- parsing ---------------------------------------------------------------- */

struct ps {
	const struct fo_opts *t;
	void *cfg;
	struct fo_optres *res;
	int argc, i;
	char **argv;
};

/* The usage error, as one write so that it is one line even when
 * several processes share stderr. */
static int bad(const struct fo_opts *t, const char *fmt, const char *a) __attribute__((format(printf, 2, 0)));
static int bad(const struct fo_opts *t, const char *fmt, const char *a)
{
	char what[256];

	snprintf(what, sizeof(what), fmt, a);
	fprintf(stderr, "fanout: %s (see fanout %s --help)\n", what, t->cmd);
	return FO_OPTS_BAD;
}

/* A FO_OPT_TWO entry's second value, the next argument, into its [1]. */
static int second_value(struct ps *s, const struct fo_opt *o, const char *as)
{
	const char **dst = (const char **)(void *)((char *)s->cfg + o->off);
	const char *v;
	char buf[160];

	if (s->i + 1 >= s->argc) {
		snprintf(buf, sizeof(buf), "'%s' needs two values, %s", as, o->arg ? o->arg : "A B");
		return bad(s->t, "%s", buf);
	}
	v = s->argv[++s->i];
	if (!*v && !(o->flags & FO_OPT_EMPTY_OK)) {
		fo_cli_bad(as, v, forms(o, buf, sizeof(buf)));
		return FO_OPTS_BAD;
	}
	dst[1] = v;
	return 0;
}

/* Applies entry o with value v (NULL for a flag); as is how the user
 * wrote the flag, for the messages. */
static int apply(struct ps *s, const struct fo_opt *o, const char *v, const char *as, bool negate)
{
	size_t k = (size_t)(o - s->t->opts);
	char buf[160];
	int r;

	if (s->res->given[k] && !(o->flags & FO_OPT_REPEAT) && o->kind != FO_OPT_LIST &&
	    o->kind != FO_OPT_FLAG && o->kind != FO_OPT_BOOL)
		return bad(s->t, "'%s' is given more than once", as);
	if (s->res->given[k] < 255)
		s->res->given[k]++;
	if (negate) {
		*(bool *)(void *)((char *)s->cfg + o->off) = false;
		return 0;
	}
	r = set_value(o, s->cfg, v);
	if (r == FO_OPTS_BAD && o->kind == FO_OPT_FN)
		return FO_OPTS_BAD; /* it said why */
	if (r == -ENOMEM) {
		fprintf(stderr, "fanout: out of memory\n");
		return FO_OPTS_BAD;
	}
	if (r < 0) {
		fo_cli_bad(as, v, forms(o, buf, sizeof(buf)));
		return FO_OPTS_BAD;
	}
	return o->flags & FO_OPT_TWO ? second_value(s, o, as) : 0;
}

/* The value of a flag that takes one: after '=', or the next argument. */
static const char *next_value(struct ps *s, const char *as)
{
	if (s->i + 1 >= s->argc) {
		bad(s->t, "'%s' needs a value", as);
		return NULL;
	}
	return s->argv[++s->i];
}

static int parse_long(struct ps *s, const char *a)
{
	const char *name = a + 2, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct fo_opt *o = find_long(s->t, name, len);
	const char *v;
	char as[128];
	bool negate = false;

	snprintf(as, sizeof(as), "--%.*s", (int)len, name);
	if (!o && len > 3 && !strncmp(name, "no-", 3)) {
		o = find_long(s->t, name + 3, len - 3);
		if (o && o->kind != FO_OPT_BOOL)
			o = NULL;
		negate = o != NULL;
	}
	if (!o && len == 4 && !strncmp(name, "help", 4)) {
		fo_opts_help(s->t, stdout);
		return FO_OPTS_HELP;
	}
	if (!o)
		return bad(s->t, "unknown option '%s'", as);
	if (!takes_value(o)) {
		if (eq)
			return bad(s->t, "'%s' takes no value", as);
		return apply(s, o, NULL, as, negate);
	}
	if (eq)
		v = eq + 1;
	else if (!(v = next_value(s, as)))
		return FO_OPTS_BAD;
	return apply(s, o, v, as, false);
}

static int parse_short(struct ps *s, const char *a)
{
	const char *p;

	for (p = a + 1; *p; p++) {
		const struct fo_opt *o = find_short(s->t, *p);
		char as[3] = { '-', *p, 0 };
		const char *v;

		if (!o && *p == 'h') {
			fo_opts_help(s->t, stdout);
			return FO_OPTS_HELP;
		}
		if (!o)
			return bad(s->t, "unknown option '%s'", as);
		if (!takes_value(o)) {
			int r = apply(s, o, NULL, as, false);

			if (r)
				return r;
			continue;
		}
		v = p[1] ? p + 1 : next_value(s, as);
		if (!v)
			return FO_OPTS_BAD;
		return apply(s, o, v, as, false);
	}
	return 0;
}

static int set_defaults(const struct fo_opts *t, void *cfg)
{
	const struct fo_opt *o;

	for (o = t->opts; o->name; o++) {
		if (!o->def || o->kind == FO_OPT_LIST)
			continue;
		if (o->kind == FO_OPT_BOOL) {
			*(bool *)(void *)((char *)cfg + o->off) = !strcmp(o->def, "on");
			continue;
		}
		if (set_value(o, cfg, o->def) != 0) {
			/* a table bug, caught by the table-walking test */
			fprintf(stderr, "fanout: bad default '%s' of --%s\n", o->def, o->name);
			return FO_OPTS_BAD;
		}
	}
	return 0;
}

/* After the arguments: LIST defaults where not given, and operands
 * refused where the table says so. */
static int finish(const struct fo_opts *t, void *cfg, struct fo_optres *res)
{
	const struct fo_opt *o;

	for (o = t->opts; o->name; o++)
		if (o->kind == FO_OPT_LIST && o->def && !res->given[o - t->opts] &&
		    list_add((struct fo_optlist *)(void *)((char *)cfg + o->off), o->def) < 0)
			return bad(t, "%s", "out of memory");
	if (!t->no_operands || !res->operands.n)
		return 0;
	if (t->operand_hint)
		fprintf(stderr, "fanout: unexpected '%s'; %s\n", res->operands.v[0], t->operand_hint);
	else
		fprintf(stderr, "fanout: %s takes no operands, not '%s' (see fanout %s --help)\n", t->cmd,
			res->operands.v[0], t->cmd);
	return FO_OPTS_BAD;
}

int fo_opts_parse(const struct fo_opts *t, void *cfg, int argc, char **argv, struct fo_optres *res)
{
	struct ps s = { t, cfg, res, argc, 0, argv };
	bool done = false;
	int r;

	memset(res, 0, sizeof(*res));
	res->nopts = nopts(t);
	res->given = calloc(res->nopts + 1, 1);
	if (!res->given) {
		fprintf(stderr, "fanout: out of memory\n");
		return FO_OPTS_BAD;
	}
	if ((r = set_defaults(t, cfg)))
		return r;
	for (s.i = 0; s.i < argc; s.i++) {
		const char *a = argv[s.i];

		if (!done && !strcmp(a, "--")) {
			done = true;
			continue;
		}
		if (done || a[0] != '-' || !a[1]) {
			if (list_add(&res->operands, a) < 0)
				return bad(t, "%s", "out of memory");
			done = done || t->operands_first;
			continue;
		}
		r = a[1] == '-' ? parse_long(&s, a) : parse_short(&s, a);
		if (r)
			return r;
	}
	return finish(t, cfg, res);
}

void fo_opts_release(const struct fo_opts *t, void *cfg, struct fo_optres *res)
{
	const struct fo_opt *o;

	for (o = t->opts; cfg && o->name; o++) {
		if (o->kind == FO_OPT_LIST) {
			struct fo_optlist *l = (struct fo_optlist *)(void *)((char *)cfg + o->off);

			free(l->v);
			l->v = NULL;
			l->n = 0;
		}
	}
	if (res) {
		free(res->operands.v);
		free(res->given);
		memset(res, 0, sizeof(*res));
	}
}

bool fo_opts_given(const struct fo_opts *t, const struct fo_optres *res, const char *name)
{
	const struct fo_opt *o = find_long(t, name, strlen(name));

	return o && res->given && res->given[o - t->opts];
}

int fo_opts_check_ctx(const struct fo_opts *t, const struct fo_optres *res, unsigned ctx,
		      const char *ctxname)
{
	size_t k;

	for (k = 0; k < res->nopts; k++) {
		const struct fo_opt *o = &t->opts[k];

		if (res->given[k] && o->ctx && !(o->ctx & ctx)) {
			fprintf(stderr, "fanout: --%s is not an option of %s (see fanout %s --help)\n",
				o->name, ctxname, t->cmd);
			return FO_OPTS_BAD;
		}
	}
	return 0;
}
