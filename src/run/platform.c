/*
 * Platform definition files (platform.h): scrapligo's YAML, read with
 * libyaml's event parser into a small tree that is bounded as it is built
 * (depth, values, anchors), then read key by key into a struct
 * fo_platform whose strings live in one arena. Patterns are compiled by
 * PCRE2 once, end-anchored (a prompt is what the text ends with), and
 * JIT-compiled where the machine allows it; platform_match.c matches them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "../util/file.h"
#include "platform_int.h"

#define MAX_DEPTH   16     /* nesting of YAML values */
#define MAX_NODES   20000  /* YAML values in a file (aliases are not copies) */
#define MAX_ANCHORS 256    /* &anchors in a file */
#define MERGE_DEPTH 8      /* << inside what << brings in */
#define MERGE_WORK  100000 /* keys looked at through << in a file: aliases could multiply them */
#define PATTERN_MAX 4096   /* bytes of a pattern */
#define KEY_SHOWN   64     /* bytes of a key a message shows */

/* ---- memory: an arena per platform and one per parse -------------------------------------- */

static void *arena_alloc(struct arena *a, size_t n)
{
	struct chunk *c = a->head;
	void *p;

	if (n > ((size_t)1 << 30))
		return NULL;
	n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (!c || c->cap - c->used < n) {
		size_t cap = n > 8192 ? n : 8192;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->next = a->head;
		c->used = 0;
		c->cap = cap;
		a->head = c;
	}
	p = (char *)c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

static char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *d = arena_alloc(a, n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = 0;
	}
	return d;
}

static void arena_free(struct arena *a)
{
	while (a->head) {
		struct chunk *c = a->head;

		a->head = c->next;
		free(c);
	}
}

/* ---- reading: a tree of YAML values --------------------------------------------------------- */

enum ykind { Y_SCALAR, Y_SEQ, Y_MAP };

struct ynode {
	enum ykind kind;
	bool plain;  /* a plain scalar: only these can be null or a boolean */
	bool closed; /* its end was read: an alias may refer to it */
	int line;
	const char *s; /* a scalar's text, NUL-terminated */
	size_t len;
	struct ynode **kids; /* a list's items; a mapping's key, value, key, value */
	size_t n, cap;
};

struct anchor {
	const char *name;
	struct ynode *node;
};

struct rd {
	const char *name; /* the file, for messages */
	char *err;
	size_t errlen;
	fo_plat_warn_fn warn;
	void *warn_arg;
	struct fo_platform *p;
	/* the tree, freed when reading ends */
	struct arena ta;
	struct ynode *root;
	struct ynode *open[MAX_DEPTH];
	int depth;
	size_t nnodes, work;
	struct anchor *anchors;
	size_t nanchors;
};

/* Text from the file as a message shows it: control and non-ASCII bytes
 * become '?' (messages reach terminals), more than KEY_SHOWN bytes are cut. */
static const char *show(char *buf, const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len && n < KEY_SHOWN; i++) {
		unsigned char c = (unsigned char)s[i];

		buf[n++] = c < 0x20 || c >= 0x7f ? '?' : (char)c;
	}
	if (i < len) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = 0;
	return buf;
}

/* show() of a NUL-terminated string, into a buffer of the expression's own */
#define SHOW(s) show((char[KEY_SHOWN + 4]){ 0 }, (s), strlen(s))

static int fail(struct rd *r, int line, const char *key, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* "NAME:LINE: KEY: reason" into the caller's buffer; returns -1. */
static int fail(struct rd *r, int line, const char *key, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!r->err || !r->errlen)
		return -1;
	if (line > 0 && key && *key)
		snprintf(r->err, r->errlen, "%s:%d: %s: %s", r->name, line, key, msg);
	else if (line > 0)
		snprintf(r->err, r->errlen, "%s:%d: %s", r->name, line, msg);
	else
		snprintf(r->err, r->errlen, "%s: %s", r->name, msg);
	return -1;
}

static void warnf(struct rd *r, int line, const char *key, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void warnf(struct rd *r, int line, const char *key, const char *fmt, ...)
{
	char msg[512], full[1024];
	va_list ap;

	if (!r->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (key && *key)
		snprintf(full, sizeof(full), "%s:%d: %s: %s", r->name, line, key, msg);
	else
		snprintf(full, sizeof(full), "%s:%d: %s", r->name, line, msg);
	r->warn(full, r->warn_arg);
}

static int nomem(struct rd *r)
{
	return fail(r, 0, NULL, "out of memory");
}

/* ---- building the tree from libyaml's events ------------------------------------------------ */

/* Node n joins the innermost open collection, or is the root. */
static int attach(struct rd *r, struct ynode *n)
{
	struct ynode *top;

	if (!r->depth) {
		r->root = n;
		return 0;
	}
	top = r->open[r->depth - 1];
	if (top->n == top->cap) {
		size_t cap = top->cap ? top->cap * 2 : 8;
		struct ynode **k = arena_alloc(&r->ta, cap * sizeof(*k));

		if (!k)
			return nomem(r);
		if (top->n)
			memcpy(k, top->kids, top->n * sizeof(*k));
		top->kids = k;
		top->cap = cap;
	}
	top->kids[top->n++] = n;
	return 0;
}

static int anchor_set(struct rd *r, const yaml_char_t *name, struct ynode *n)
{
	struct anchor *an;

	if (!name)
		return 0;
	if (!r->anchors && !(r->anchors = arena_alloc(&r->ta, MAX_ANCHORS * sizeof(*r->anchors))))
		return nomem(r);
	if (r->nanchors == MAX_ANCHORS)
		return fail(r, n->line, NULL, "more than %d anchors (&name)", MAX_ANCHORS);
	an = &r->anchors[r->nanchors++];
	an->name = arena_strndup(&r->ta, (const char *)name, strlen((const char *)name));
	an->node = n;
	return an->name ? 0 : nomem(r);
}

static int add_node(struct rd *r, const yaml_event_t *e)
{
	struct ynode *n;
	const yaml_char_t *anchor;
	int line = (int)e->start_mark.line + 1;

	if (++r->nnodes > MAX_NODES)
		return fail(r, line, NULL, "more than %d values; a platform file is much smaller", MAX_NODES);
	if (e->type != YAML_SCALAR_EVENT && r->depth == MAX_DEPTH)
		return fail(r, line, NULL, "values nested more than %d deep", MAX_DEPTH);
	n = arena_alloc(&r->ta, sizeof(*n));
	if (!n)
		return nomem(r);
	n->line = line;
	if (e->type == YAML_SCALAR_EVENT) {
		n->kind = Y_SCALAR;
		n->plain = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		n->closed = true;
		n->len = e->data.scalar.length;
		n->s = arena_strndup(&r->ta, (const char *)e->data.scalar.value, n->len);
		if (!n->s)
			return nomem(r);
		anchor = e->data.scalar.anchor;
	} else if (e->type == YAML_SEQUENCE_START_EVENT) {
		n->kind = Y_SEQ;
		anchor = e->data.sequence_start.anchor;
	} else {
		n->kind = Y_MAP;
		anchor = e->data.mapping_start.anchor;
	}
	if (anchor_set(r, anchor, n) < 0 || attach(r, n) < 0)
		return -1;
	if (n->kind != Y_SCALAR)
		r->open[r->depth++] = n;
	return 0;
}

static int add_alias(struct rd *r, const yaml_event_t *e)
{
	const char *name = (const char *)e->data.alias.anchor;
	int line = (int)e->start_mark.line + 1;
	size_t i;

	for (i = r->nanchors; i-- > 0;) /* the latest definition wins, as in yaml.v3 */
		if (!strcmp(r->anchors[i].name, name)) {
			if (!r->anchors[i].node->closed)
				return fail(r, line, NULL, "the alias '*%s' refers to the value that holds it",
					    SHOW(name));
			return attach(r, r->anchors[i].node);
		}
	return fail(r, line, NULL, "found undefined alias '*%s'; define its anchor (&%s) before it", SHOW(name),
		    SHOW(name));
}

static int syntax_error(struct rd *r, const yaml_parser_t *p)
{
	if (p->error == YAML_MEMORY_ERROR)
		return nomem(r);
	if (p->context)
		return fail(r, (int)p->problem_mark.line + 1, NULL, "%s (%s on line %d)",
			    p->problem ? p->problem : "bad YAML", p->context, (int)p->context_mark.line + 1);
	return fail(r, (int)p->problem_mark.line + 1, NULL, "%s", p->problem ? p->problem : "bad YAML");
}

/* The first YAML document of text as a tree in r->root (NULL when empty). */
static int build(struct rd *r, const char *text, size_t len)
{
	yaml_parser_t p;
	yaml_event_t e;
	bool done = false, had_doc = false;
	int rc = 0;

	if (!yaml_parser_initialize(&p))
		return nomem(r);
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	while (!rc && !done) {
		if (!yaml_parser_parse(&p, &e)) {
			rc = syntax_error(r, &p);
			break;
		}
		switch (e.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (had_doc) {
				warnf(r, (int)e.start_mark.line + 1, NULL,
				      "a second YAML document (---), ignored: scrapligo reads the first alone");
				done = true;
			}
			had_doc = true;
			break;
		case YAML_SCALAR_EVENT:
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			rc = add_node(r, &e);
			break;
		case YAML_ALIAS_EVENT:
			rc = add_alias(r, &e);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			r->open[--r->depth]->closed = true;
			break;
		default:
			break;
		}
		yaml_event_delete(&e);
	}
	yaml_parser_delete(&p);
	return rc;
}

/* ---- reading values ------------------------------------------------------------------------- */

static bool is(const struct ynode *k, const char *s)
{
	size_t n = strlen(s);

	return k->kind == Y_SCALAR && k->len == n && !memcmp(k->s, s, n);
}

static bool is_null(const struct ynode *v)
{
	return !v || (v->kind == Y_SCALAR && v->plain &&
		      (!v->len || is(v, "~") || is(v, "null") || is(v, "Null") || is(v, "NULL")));
}

static const char *kind_name(const struct ynode *v)
{
	if (is_null(v))
		return "nothing";
	if (v->kind == Y_SEQ)
		return "a list";
	if (v->kind == Y_MAP)
		return "a mapping";
	return "a single value";
}

static void pathf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A key's path for messages; a long one is cut (the line number is exact). */
static void pathf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

/* parent.key (or parent[i] when key is NULL) into buf, the key made safe to
 * print: control and non-ASCII bytes become '?', long keys are cut. */
static const char *path_of(char *buf, size_t size, const char *parent, const struct ynode *key, long idx)
{
	char k[KEY_SHOWN + 4];

	if (!key)
		pathf(buf, size, "%s[%ld]", parent, idx);
	else
		pathf(buf, size, "%s%s%s", parent, *parent ? "." : "", show(k, key->s, key->len));
	return buf;
}

/* A string value into the platform's arena; null and "" give NULL. */
static int get_str(struct rd *r, const char *path, const struct ynode *v, const char **out)
{
	*out = NULL;
	if (is_null(v))
		return 0;
	if (v->kind != Y_SCALAR)
		return fail(r, v->line, path, "expected a single value, found %s", kind_name(v));
	if (memchr(v->s, 0, v->len))
		return fail(r, v->line, path, "holds a NUL byte");
	if (!v->len)
		return 0;
	*out = arena_strndup(&r->p->a, v->s, v->len);
	return *out ? 0 : nomem(r);
}

/* true/false as yaml.v3 reads them into a bool (YAML 1.1's yes/no/on/off
 * too); null is false. */
static int get_bool(struct rd *r, const char *path, const struct ynode *v, bool *out)
{
	static const char *const yes[] = { "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON" };
	static const char *const no[] = { "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF" };
	size_t i;

	*out = false;
	if (is_null(v))
		return 0;
	if (v->kind == Y_SCALAR && v->plain)
		for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
			if (is(v, yes[i])) {
				*out = true;
				return 0;
			}
			if (is(v, no[i]))
				return 0;
		}
	if (v->kind == Y_SCALAR)
		return fail(r, v->line, path, "expected true or false, found '%s'", SHOW(v->s));
	return fail(r, v->line, path, "expected true or false, found %s", kind_name(v));
}

/* A list of non-empty strings (an empty one would match every output). */
static int get_strlist(struct rd *r, const char *path, const struct ynode *v, const char *const **out, size_t *n)
{
	const char **a;
	char ipath[300];
	size_t i;

	*out = NULL;
	*n = 0;
	if (is_null(v))
		return 0;
	if (v->kind != Y_SEQ)
		return fail(r, v->line, path, "expected a list, found %s", kind_name(v));
	if (v->n > FO_PLAT_MAX_LIST)
		return fail(r, v->line, path, "more than %d items", FO_PLAT_MAX_LIST);
	a = arena_alloc(&r->p->a, (v->n + 1) * sizeof(*a));
	if (!a)
		return nomem(r);
	for (i = 0; i < v->n; i++) {
		path_of(ipath, sizeof(ipath), path, NULL, (long)i);
		if (get_str(r, ipath, v->kids[i], &a[i]) < 0)
			return -1;
		if (!a[i])
			return fail(r, v->kids[i]->line, ipath, "an empty string, which would match everything");
	}
	*out = a;
	*n = v->n;
	return 0;
}

/* A mapping's pairs, merge keys (<<) applied as YAML 1.1 has them: the
 * mapping's own keys first, then what << brings in where the key is new. */
struct pairs {
	const struct ynode **k, **v;
	size_t n;
};

static int collect(struct rd *r, const char *path, const struct ynode *m, struct pairs *ps, int depth)
{
	const struct ynode *merge = NULL;
	size_t i, j, own = ps->n;

	for (i = 0; i + 1 < m->n; i += 2) {
		const struct ynode *k = m->kids[i], *v = m->kids[i + 1];

		if (k->kind != Y_SCALAR)
			return fail(r, k->line, path, "a key must be a single value, found %s", kind_name(k));
		if (depth && ++r->work > MERGE_WORK)
			return fail(r, k->line, path, "merge keys (<<) bring in more than %d keys", MERGE_WORK);
		if (k->plain && is(k, "<<")) {
			if (merge)
				return fail(r, k->line, path, "two merge keys (<<) in one mapping");
			merge = v;
			continue;
		}
		for (j = 0; j < ps->n; j++)
			if (ps->k[j]->len == k->len && !memcmp(ps->k[j]->s, k->s, k->len))
				break;
		if (j < ps->n) {
			if (!depth || j >= own) {
				char kp[300];

				return fail(r, k->line, path_of(kp, sizeof(kp), path, k, 0),
					    "defined twice in one mapping (first on line %d)", ps->k[j]->line);
			}
			continue; /* brought in by <<, but the mapping has it */
		}
		if (ps->n == FO_PLAT_MAX_LIST)
			return fail(r, k->line, path, "more than %d keys", FO_PLAT_MAX_LIST);
		ps->k[ps->n] = k;
		ps->v[ps->n++] = v;
	}
	if (!merge)
		return 0;
	if (depth == MERGE_DEPTH)
		return fail(r, merge->line, path, "merge keys (<<) nested more than %d deep", MERGE_DEPTH);
	if (merge->kind == Y_MAP)
		return collect(r, path, merge, ps, depth + 1);
	if (merge->kind != Y_SEQ)
		return fail(r, merge->line, path, "<< takes a mapping or a list of mappings, found %s",
			    kind_name(merge));
	for (i = 0; i < merge->n; i++) {
		if (merge->kids[i]->kind != Y_MAP)
			return fail(r, merge->kids[i]->line, path, "<< takes a mapping or a list of mappings, found %s",
				    kind_name(merge->kids[i]));
		if (collect(r, path, merge->kids[i], ps, depth + 1) < 0)
			return -1;
	}
	return 0;
}

/* The pairs of mapping m (ps->k, ps->v malloc'd: pairs_free). */
static int pairs_of(struct rd *r, const char *path, const struct ynode *m, struct pairs *ps)
{
	ps->n = 0;
	ps->k = malloc(FO_PLAT_MAX_LIST * sizeof(*ps->k));
	ps->v = malloc(FO_PLAT_MAX_LIST * sizeof(*ps->v));
	if (!ps->k || !ps->v)
		return nomem(r);
	return collect(r, path, m, ps, 0);
}

static void pairs_free(struct pairs *ps)
{
	free(ps->k);
	free(ps->v);
	ps->k = ps->v = NULL;
}

static void unknown_key(struct rd *r, const char *path, const struct ynode *k)
{
	char kp[300];

	warnf(r, k->line, path_of(kp, sizeof(kp), path, k, 0), "unknown key, ignored");
}

/* ---- reading a platform --------------------------------------------------------------------- */

/* A level as read, before names are resolved and patterns compiled. */
struct raw_level {
	int line, pattern_line, previous_line, prompt_line;
	const char *previous;
};

struct raw {
	struct raw_level lv[FO_PLAT_MAX_LEVELS];
	int default_line, config_line;
	const char *default_name, *config_name;
};

static int level_by_name(const struct fo_platform *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->info.nlevels; i++)
		if (!strcmp(p->info.levels[i].name, name))
			return (int)i;
	return -1;
}

static int read_level(struct rd *r, const char *path, const struct ynode *k, const struct ynode *v,
		      struct fo_plat_level *l, struct raw_level *raw)
{
	struct pairs ps;
	char kp[300];
	const char *name = NULL;
	size_t i;
	int rc = 0;

	raw->line = k->line;
	l->previous = -1;
	if (!k->len || memchr(k->s, 0, k->len))
		return fail(r, k->line, path, "a level needs a name");
	if (!(l->name = arena_strndup(&r->p->a, k->s, k->len)))
		return nomem(r);
	pathf(kp, sizeof(kp), "%s.pattern", path);
	if (is_null(v))
		return fail(r, k->line, kp, "missing (required)");
	if (v->kind != Y_MAP)
		return fail(r, v->line, path, "expected a mapping (name, pattern, ...), found %s", kind_name(v));
	if (pairs_of(r, path, v, &ps) < 0) {
		rc = -1;
		goto out;
	}
	for (i = 0; i < ps.n && !rc; i++) {
		const struct ynode *key = ps.k[i], *val = ps.v[i];

		path_of(kp, sizeof(kp), path, key, 0);
		if (is(key, "name")) {
			rc = get_str(r, kp, val, &name);
			if (!rc && name && strcmp(name, l->name))
				warnf(r, val->line, kp, "'%s' differs from the level's key '%s'; fanout uses the key",
				      SHOW(name), SHOW(l->name));
		} else if (is(key, "pattern")) {
			rc = get_str(r, kp, val, &l->pattern);
			raw->pattern_line = val->line;
		} else if (is(key, "not-contains")) {
			rc = get_strlist(r, kp, val, &l->not_contains, &l->n_not_contains);
		} else if (is(key, "previous-priv")) {
			rc = get_str(r, kp, val, &raw->previous);
			raw->previous_line = val->line;
		} else if (is(key, "deescalate")) {
			rc = get_str(r, kp, val, &l->deescalate);
		} else if (is(key, "escalate")) {
			rc = get_str(r, kp, val, &l->escalate);
		} else if (is(key, "escalate-auth")) {
			rc = get_bool(r, kp, val, &l->escalate_auth);
		} else if (is(key, "escalate-prompt")) {
			rc = get_str(r, kp, val, &l->escalate_prompt);
			raw->prompt_line = val->line;
		} else {
			unknown_key(r, path, key);
		}
	}
	if (!rc && !l->pattern) {
		pathf(kp, sizeof(kp), "%s.pattern", path);
		rc = fail(r, raw->pattern_line ? raw->pattern_line : k->line, kp, "missing (required)");
	}
out:
	pairs_free(&ps);
	return rc;
}

static int read_levels(struct rd *r, const struct ynode *key, const struct ynode *v, struct raw *raw)
{
	struct fo_plat_level *levels;
	struct pairs ps;
	char kp[300];
	size_t i;
	int rc = 0;

	if (is_null(v))
		return fail(r, key->line, "privilege-levels", "missing (required): at least one level");
	if (v->kind != Y_MAP)
		return fail(r, v->line, "privilege-levels", "expected a mapping of levels, found %s", kind_name(v));
	if (pairs_of(r, "privilege-levels", v, &ps) < 0) {
		rc = -1;
		goto out;
	}
	if (!ps.n) {
		rc = fail(r, v->line, "privilege-levels", "missing (required): at least one level");
		goto out;
	}
	if (ps.n > FO_PLAT_MAX_LEVELS) {
		rc = fail(r, v->line, "privilege-levels", "more than %d levels", FO_PLAT_MAX_LEVELS);
		goto out;
	}
	if (!(levels = arena_alloc(&r->p->a, ps.n * sizeof(*levels)))) {
		rc = nomem(r);
		goto out;
	}
	r->p->info.levels = levels;
	for (i = 0; i < ps.n && !rc; i++) {
		path_of(kp, sizeof(kp), "privilege-levels", ps.k[i], 0);
		rc = read_level(r, kp, ps.k[i], ps.v[i], &levels[i], &raw->lv[i]);
		r->p->info.nlevels = i + 1;
	}
	for (i = 0; i < r->p->info.nlevels && !rc; i++) {
		if (!raw->lv[i].previous)
			continue;
		levels[i].previous = level_by_name(r->p, raw->lv[i].previous);
		if (levels[i].previous < 0) {
			pathf(kp, sizeof(kp), "privilege-levels.%s.previous-priv", SHOW(levels[i].name));
			rc = fail(r, raw->lv[i].previous_line, kp, "no level named '%s'", SHOW(raw->lv[i].previous));
		}
	}
out:
	pairs_free(&ps);
	return rc;
}

/* network-on-open and the like: a list of {operation: ..., ...}. */
static int read_ops(struct rd *r, const char *path, const struct ynode *v, const struct fo_plat_op **out, size_t *n)
{
	struct fo_plat_op *ops;
	struct pairs ps = { 0 };
	char ip[300], kp[300];
	size_t i, j;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (is_null(v))
		return 0;
	if (v->kind != Y_SEQ)
		return fail(r, v->line, path, "expected a list of operations, found %s", kind_name(v));
	if (v->n > FO_PLAT_MAX_LIST)
		return fail(r, v->line, path, "more than %d operations", FO_PLAT_MAX_LIST);
	if (!(ops = arena_alloc(&r->p->a, (v->n + 1) * sizeof(*ops))))
		return nomem(r);
	*out = ops;
	for (i = 0; i < v->n && !rc; i++) {
		const struct ynode *it = v->kids[i];
		const char *op = NULL, *target = NULL, *command = NULL, *input = NULL;
		int target_line = 0;
		bool redacted;

		path_of(ip, sizeof(ip), path, NULL, (long)i);
		if (it->kind != Y_MAP) {
			rc = fail(r, it->line, ip, "expected a mapping (operation: ...), found %s", kind_name(it));
			break;
		}
		pairs_free(&ps);
		if ((rc = pairs_of(r, ip, it, &ps)) < 0)
			break;
		for (j = 0; j < ps.n && !rc; j++) {
			path_of(kp, sizeof(kp), ip, ps.k[j], 0);
			if (is(ps.k[j], "operation")) {
				rc = get_str(r, kp, ps.v[j], &op);
			} else if (is(ps.k[j], "target")) {
				rc = get_str(r, kp, ps.v[j], &target);
				target_line = ps.v[j]->line;
			} else if (is(ps.k[j], "command")) {
				rc = get_str(r, kp, ps.v[j], &command);
			} else if (is(ps.k[j], "input")) {
				rc = get_str(r, kp, ps.v[j], &input);
			} else if (is(ps.k[j], "redacted")) {
				rc = get_bool(r, kp, ps.v[j], &redacted); /* read, not used: fanout logs no input */
			} else {
				unknown_key(r, ip, ps.k[j]);
			}
		}
		if (rc)
			break;
		if (!op) {
			rc = fail(r, it->line, ip, "missing (required): operation");
		} else if (!strcmp(op, "acquire-priv")) {
			ops[*n].kind = FO_OP_ACQUIRE_PRIV;
			ops[*n].arg = target;
			if (target && level_by_name(r->p, target) < 0) {
				pathf(kp, sizeof(kp), "%s.target", ip);
				rc = fail(r, target_line, kp, "no level named '%s'", SHOW(target));
			}
			(*n)++;
		} else if (!strcmp(op, "driver.send-command")) {
			ops[*n].kind = FO_OP_SEND_COMMAND;
			ops[(*n)++].arg = command;
			if (!command)
				rc = fail(r, it->line, ip, "missing (required): command");
		} else if (!strcmp(op, "channel.write")) {
			ops[*n].kind = FO_OP_WRITE;
			ops[(*n)++].arg = input;
			if (!input)
				rc = fail(r, it->line, ip, "missing (required): input");
		} else if (!strcmp(op, "channel.return")) {
			ops[*n].kind = FO_OP_RETURN;
			ops[(*n)++].arg = NULL;
		} else {
			warnf(r, it->line, ip, "unknown operation '%s', skipped", SHOW(op));
		}
	}
	pairs_free(&ps);
	return rc;
}

/* A key naming a level: its index, -1 when absent (and not required). */
static int resolve(struct rd *r, const char *key, const char *name, int line, int *out)
{
	*out = -1;
	if (!name)
		return 0;
	*out = level_by_name(r->p, name);
	return *out < 0 ? fail(r, line, key, "no level named '%s'", SHOW(name)) : 0;
}

/* The generic driver's on-open and on-close, kept aside until the
 * network driver's are known. */
struct generic_ops {
	const struct fo_plat_op *on_open, *on_close;
	size_t non_open, non_close;
};

/* One key of `default` but privilege-levels, read before the others
 * (on-open's acquire-priv names a level). */
static int read_default_key(struct rd *r, const struct ynode *k, const struct ynode *v, struct raw *raw,
			    struct generic_ops *gen)
{
	struct fo_plat_info *in = &r->p->info;
	char kp[300];
	int rc = 0;

	if (is(k, "privilege-levels"))
		return 0; /* read first, by read_default */
	path_of(kp, sizeof(kp), "", k, 0);
	if (is(k, "driver-type")) {
		rc = get_str(r, kp, v, &in->driver_type);
		if (!rc && in->driver_type && strcmp(in->driver_type, "network") && strcmp(in->driver_type, "generic"))
			rc = fail(r, v->line, kp, "expected network or generic, found '%s'", SHOW(in->driver_type));
	} else if (is(k, "default-desired-privilege-level")) {
		rc = get_str(r, kp, v, &raw->default_name);
		raw->default_line = v->line;
	} else if (is(k, "failed-when-contains")) {
		rc = get_strlist(r, kp, v, &in->failed_when, &in->nfailed);
	} else if (is(k, "textfsm-platform")) {
		rc = get_str(r, kp, v, &in->textfsm_platform);
	} else if (is(k, "network-on-open")) {
		rc = read_ops(r, kp, v, &in->on_open, &in->non_open);
	} else if (is(k, "network-on-close")) {
		rc = read_ops(r, kp, v, &in->on_close, &in->non_close);
	} else if (is(k, "on-open")) {
		rc = read_ops(r, kp, v, &gen->on_open, &gen->non_open);
	} else if (is(k, "on-close")) {
		rc = read_ops(r, kp, v, &gen->on_close, &gen->non_close);
	} else if (is(k, "options")) {
		warnf(r, k->line, kp, "scrapligo's driver options are not used by fanout, ignored");
	} else if (is(k, "config-level")) {
		rc = get_str(r, kp, v, &raw->config_name);
		raw->config_line = v->line;
	} else if (is(k, "commit")) {
		rc = get_str(r, kp, v, &in->commit);
	} else if (is(k, "commit-check")) {
		rc = get_str(r, kp, v, &in->commit_check);
	} else if (is(k, "compare")) {
		rc = get_str(r, kp, v, &in->compare);
	} else if (is(k, "abort")) {
		rc = get_str(r, kp, v, &in->abort);
	} else if (is(k, "commit-confirmed")) {
		rc = get_str(r, kp, v, &in->commit_confirmed);
	} else if (is(k, "save")) {
		rc = get_str(r, kp, v, &in->save);
	} else if (is(k, "copy-verify")) {
		rc = get_str(r, kp, v, &in->copy_verify);
	} else if (is(k, "pagers")) {
		rc = get_strlist(r, kp, v, &in->pagers, &in->npagers);
	} else {
		unknown_key(r, "", k);
	}
	return rc;
}

/* After the keys: the operations fanout runs at open and close, the
 * driver type, and the levels the keys name (resolved by name now that
 * every level is read). */
static int default_resolve(struct rd *r, int def_line, struct raw *raw, const struct generic_ops *gen)
{
	struct fo_plat_info *in = &r->p->info;
	int rc = 0;

	/* scrapligo's generic driver runs on-open/on-close; a network driver
	 * its network-on-*: fanout has one of each, the network one first */
	if (!in->non_open && !in->on_open) {
		in->on_open = gen->on_open;
		in->non_open = gen->non_open;
	}
	if (!in->non_close && !in->on_close) {
		in->on_close = gen->on_close;
		in->non_close = gen->non_close;
	}
	if (!in->driver_type)
		in->driver_type = "network";
	if ((rc = resolve(r, "default-desired-privilege-level", raw->default_name, raw->default_line,
			  &in->default_level)) < 0)
		return rc;
	if (!raw->default_name) {
		if (in->nlevels > 1) {
			rc = fail(r, def_line, "default-desired-privilege-level",
				  "missing (required where there is more than one level)");
			return rc;
		}
		in->default_level = 0;
	}
	if (raw->config_name)
		rc = resolve(r, "config-level", raw->config_name, raw->config_line, &in->config_level);
	else
		in->config_level = level_by_name(r->p, "configuration");
	return rc;
}

static int read_default(struct rd *r, const struct ynode *def, int def_line, struct raw *raw)
{
	const struct ynode *levels = NULL, *levels_key = NULL;
	struct generic_ops gen = { 0 };
	struct pairs ps;
	size_t i;
	int rc = 0;

	if (pairs_of(r, "", def, &ps) < 0) {
		rc = -1;
		goto out;
	}
	for (i = 0; i < ps.n; i++)
		if (is(ps.k[i], "privilege-levels")) {
			levels_key = ps.k[i];
			levels = ps.v[i];
		}
	if (!levels_key) {
		rc = fail(r, def_line, "privilege-levels", "missing (required)");
		goto out;
	}
	if ((rc = read_levels(r, levels_key, levels, raw)) < 0)
		goto out;
	for (i = 0; i < ps.n && !rc; i++)
		rc = read_default_key(r, ps.k[i], ps.v[i], raw, &gen);
	if (!rc)
		rc = default_resolve(r, def_line, raw, &gen);
out:
	pairs_free(&ps);
	return rc;
}

static int read_root(struct rd *r, struct raw *raw)
{
	const struct ynode *root = r->root, *def = NULL;
	struct pairs ps;
	char kp[300];
	size_t i;
	int rc = 0, def_line = 0;

	if (is_null(root))
		return fail(r, root ? root->line : 1, "platform-type", "missing (required): the file is empty");
	if (root->kind != Y_MAP)
		return fail(r, root->line, NULL, "expected a mapping (platform-type, default), found %s",
			    kind_name(root));
	if (pairs_of(r, "", root, &ps) < 0) {
		rc = -1;
		goto out;
	}
	for (i = 0; i < ps.n && !rc; i++) {
		const struct ynode *k = ps.k[i], *v = ps.v[i];

		path_of(kp, sizeof(kp), "", k, 0);
		if (is(k, "platform-type")) {
			rc = get_str(r, kp, v, &r->p->info.type);
		} else if (is(k, "default")) {
			def = v;
			def_line = k->line;
		} else if (is(k, "variants")) {
			warnf(r, k->line, kp, "not used by fanout, which reads `default` alone; ignored");
		} else {
			unknown_key(r, "", k);
		}
	}
	if (rc)
		goto out;
	if (!r->p->info.type)
		rc = fail(r, root->line, "platform-type", "missing (required)");
	else if (is_null(def))
		rc = fail(r, def ? def_line : root->line, "default", "missing (required)");
	else if (def->kind != Y_MAP)
		rc = fail(r, def->line, "default", "expected a mapping, found %s", kind_name(def));
	else
		rc = read_default(r, def, def_line, raw);
out:
	pairs_free(&ps);
	return rc;
}

/* ---- patterns ------------------------------------------------------------------------------- */

/*
 * Go's regexp syntax as PCRE2 takes it: UTF-8 (invalid bytes in the text
 * match nothing instead of failing the match), `$` without (?m) at the end
 * of the text only, as Go has it. End-anchored: a match must end where the
 * text does. JIT where it works; the interpreter where it does not.
 */
static int compile(struct rd *r, const char *path, int line, const char *pat, struct pat *out)
{
	uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_ENDANCHORED |
			PCRE2_NEVER_BACKSLASH_C;
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	int ec;

	if (strlen(pat) > PATTERN_MAX)
		return fail(r, line, path, "bad regex: longer than %d bytes", PATTERN_MAX);
	out->code = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, opts, &ec, &off, NULL);
	if (!out->code) {
		if (pcre2_get_error_message(ec, msg, sizeof(msg)) < 0)
			snprintf((char *)msg, sizeof(msg), "error %d", ec);
		return fail(r, line, path, "bad regex: %s at offset %zu", (const char *)msg, (size_t)off);
	}
	/* without JIT (a machine PCRE2 has none for, or no memory): the interpreter, same results */
	out->jit = pcre2_jit_compile(out->code, PCRE2_JIT_COMPLETE) == 0;
	return 0;
}

static int compile_all(struct rd *r, const struct raw *raw)
{
	struct fo_platform *p = r->p;
	char kp[300];
	size_t i, n = p->info.nlevels;

	p->re = calloc(n, sizeof(*p->re));
	p->auth_re = calloc(n, sizeof(*p->auth_re));
	if (!p->re || !p->auth_re)
		return nomem(r);
	for (i = 0; i < n; i++) {
		const struct fo_plat_level *l = &p->info.levels[i];

		pathf(kp, sizeof(kp), "privilege-levels.%s.pattern", SHOW(l->name));
		if (compile(r, kp, raw->lv[i].pattern_line, l->pattern, &p->re[i]) < 0)
			return -1;
		pathf(kp, sizeof(kp), "privilege-levels.%s.escalate-prompt", SHOW(l->name));
		if (l->escalate_prompt &&
		    compile(r, kp, raw->lv[i].prompt_line, l->escalate_prompt, &p->auth_re[i]) < 0)
			return -1;
	}
	return 0;
}

struct fo_platform *fo_platform_parse(const char *text, size_t len, const char *name, fo_plat_warn_fn warn,
				      void *warn_arg, char *err, size_t errlen)
{
	struct rd r = {
		.name = name ? name : "platform", .err = err, .errlen = errlen, .warn = warn, .warn_arg = warn_arg
	};
	struct raw *raw = NULL;
	int rc = -1;

	if (err && errlen)
		err[0] = 0;
	if (len > FO_PLAT_FILE_MAX) {
		fail(&r, 0, NULL, "larger than %zu KiB; a platform file is a few KB", FO_PLAT_FILE_MAX >> 10);
		return NULL;
	}
	r.p = calloc(1, sizeof(*r.p));
	raw = calloc(1, sizeof(*raw));
	if (!r.p || !raw) {
		nomem(&r);
		goto out;
	}
	r.p->info.default_level = r.p->info.config_level = -1;
	if (build(&r, text ? text : "", text ? len : 0) < 0 || read_root(&r, raw) < 0 || compile_all(&r, raw) < 0)
		goto out;
	rc = 0;
out:
	arena_free(&r.ta);
	free(raw);
	if (rc < 0) {
		fo_platform_free(r.p);
		return NULL;
	}
	return r.p;
}

struct fo_platform *fo_platform_load(const char *path, fo_plat_warn_fn warn, void *warn_arg, char *err, size_t errlen)
{
	struct fo_platform *p;
	char *text = NULL;
	size_t len = 0;
	int rc = fo__slurp_max(path, FO_PLAT_FILE_MAX, &text, &len);

	if (rc < 0) {
		if (err && errlen) {
			if (rc == -EFBIG)
				snprintf(err, errlen, "%s: larger than %zu KiB; a platform file is a few KB", path,
					 FO_PLAT_FILE_MAX >> 10);
			else
				snprintf(err, errlen, "cannot read platform file '%s': %s", path, strerror(-rc));
		}
		return NULL;
	}
	p = fo_platform_parse(text, len, path, warn, warn_arg, err, errlen);
	free(text);
	return p;
}

void fo_platform_free(struct fo_platform *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; p->re && i < p->info.nlevels; i++)
		pcre2_code_free(p->re[i].code);
	for (i = 0; p->auth_re && i < p->info.nlevels; i++)
		pcre2_code_free(p->auth_re[i].code);
	free(p->re);
	free(p->auth_re);
	arena_free(&p->a);
	free(p);
}

const struct fo_plat_info *fo_platform_info(const struct fo_platform *p)
{
	return &p->info;
}

int fo_platform_level_index(const struct fo_platform *p, const char *name)
{
	return p && name ? level_by_name(p, name) : -1;
}
