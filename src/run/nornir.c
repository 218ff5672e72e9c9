/*
 * nornir's SimpleInventory files (hosts.yaml, groups.yaml, defaults.yaml)
 * read with libyaml's document API into the inventory. See inventory.h for
 * the rules; this file is the YAML side and the resolution of each host.
 *
 * YAML values are converted once per node and shared where YAML shares them
 * (aliases), so `data: *common` on ten thousand hosts costs one copy; a
 * value that would expand to more than FO_INV_MAX_VALUES items through
 * aliases (the "billion laughs") is refused when read, so that printing it
 * stays bounded. Merge keys (<<) are applied as YAML 1.1 defines them.
 *
 * Loading goes in three steps: parse the three files into raw elements (a
 * host, a group, the defaults, as written), link group names and check for
 * cycles, then resolve each host against its chain host -> groups (depth
 * first, each group's own groups right after it, each once) -> defaults, as
 * nornir does since 3.0.x (its PR #623). Only then are hosts added to the
 * inventory, so a failed load leaves it as it was.
 *
 * NEEDSWORK: the document API holds the whole tree: about 2.5 KB per host
 * in libyaml's nodes at 100,000 hosts (420 MB peak for a 9 MB hosts.yaml,
 * 248 MB of it libyaml's). The event API with our own anchor table would
 * need only the values we keep.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "../util/file.h"
#include "inventory_int.h"

#define MAX_DEPTH FO_INV_MAX_DEPTH /* nesting of YAML values and merge keys */
#define SECRET_FILE_MAX 65536  /* bytes of a password_file */
#define LINEAR_MAX 16          /* below this, look keys up by scanning */

static const struct fo_inv_val null_val = { .type = FO_INV_NULL, .s = "" };

/* ---- loading: raw elements as written ------------------------------------------------ */

enum kind { K_HOST, K_GROUP, K_DEFAULTS };
enum { SEC_NONE, SEC_TEXT, SEC_ENV, SEC_FILE };

struct yfile {
	const char *label; /* the path as messages show it */
	const char *dir;   /* for relative password_file paths; NULL: working directory */
	yaml_document_t doc;
	bool have_doc;
	size_t nnodes;
	const struct fo_inv_val **memo; /* per node: its value once converted */
	size_t *weight;                 /* per node: items it expands to */
	unsigned char *height;          /* per node: levels below it (<= MAX_DEPTH) */
	unsigned char *state;           /* per node: 0 new, 1 converting, 2 done */
};

struct secret {
	int kind;
	const char *v;
	int line;
	struct yfile *f;
	bool done;
	const char *resolved, *ref;
};

struct conn_raw {
	const char *name;
	const char *hostname, *username, *platform;
	int port;
	struct secret pw;
	const struct fo_inv_val *extras;
};

struct elem;

struct gref {
	const char *name;
	int line;
	struct elem *g;
};

struct elem {
	enum kind kind;
	const char *name; /* NULL for the defaults */
	int line;
	struct yfile *f;
	const char *hostname, *username, *platform;
	int port; /* 0: unset */
	struct secret pw;
	struct gref *groups;
	size_t ngroups;
	const struct fo_inv_val *data; /* a MAP or NULL */
	struct conn_raw *conns;
	size_t nconns;
	int color;    /* cycle check: 0 white, 1 on the path, 2 done */
	size_t stamp; /* the host whose chain holds it already */
};

struct load {
	struct fo_inv *inv;
	struct arena *a;
	char *err;
	size_t errlen;
	int col;               /* a column for fail() to name with the line, or 0 */
	struct yfile files[3]; /* hosts, groups, defaults */
	struct elem *hosts, *groups, defaults;
	size_t nhosts, ngroups;
	bool have_groups_file;
	struct fo__map groupmap;
	struct elem **srcs; /* one host's chain: host, groups, defaults */
	size_t nsrcs, srcs_cap;
	struct fo__map keys;    /* scratch for merging data keys */
	const char *user;
	const char *warn[FO_INV_MAX_WARNINGS]; /* committed with the hosts */
	size_t nwarn;
};

static int fail(struct load *L, const struct yfile *f, int line, int code, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int fail(struct load *L, const struct yfile *f, int line, int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (L->err && L->errlen) {
		if (line > 0 && L->col > 0)
			snprintf(L->err, L->errlen, "cannot read inventory '%s': line %d, column %d: %s", f->label,
				 line, L->col, msg);
		else if (line > 0)
			snprintf(L->err, L->errlen, "cannot read inventory '%s': line %d: %s", f->label, line, msg);
		else
			snprintf(L->err, L->errlen, "cannot read inventory '%s': %s", f->label, msg);
	}
	return code;
}

static int warn(struct load *L, const struct yfile *f, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Notes input that nornir ignores; fails only for memory. */
static int warn(struct load *L, const struct yfile *f, int line, const char *fmt, ...)
{
	char msg[512], full[700];
	va_list ap;

	if (L->nwarn + L->inv->nwarnings >= FO_INV_MAX_WARNINGS)
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "inventory '%s': line %d: %s", f->label, line, msg);
	L->warn[L->nwarn] = fo__arena_strndup(L->a, full, strlen(full));
	if (!L->warn[L->nwarn])
		return -ENOMEM;
	L->nwarn++;
	return 0;
}

static int nomem(struct load *L)
{
	if (L->err && L->errlen)
		snprintf(L->err, L->errlen, "cannot read inventory: out of memory");
	return -ENOMEM;
}

static yaml_node_t *node(struct yfile *f, int id)
{
	return yaml_document_get_node(&f->doc, id);
}

static int line_of(const yaml_node_t *n)
{
	return n ? (int)n->start_mark.line + 1 : 0;
}

static const char *kind_name(const yaml_node_t *n)
{
	if (n->type == YAML_SEQUENCE_NODE)
		return "a list";
	if (n->type == YAML_MAPPING_NODE)
		return "a mapping";
	return "a single value";
}

static bool is_plain(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

static bool scalar_is(const yaml_node_t *n, const char *s)
{
	return n->type == YAML_SCALAR_NODE && n->data.scalar.length == strlen(s) &&
	       !memcmp(n->data.scalar.value, s, n->data.scalar.length);
}

static bool is_null(const yaml_node_t *n)
{
	return is_plain(n) && (n->data.scalar.length == 0 || scalar_is(n, "~") || scalar_is(n, "null") ||
			       scalar_is(n, "Null") || scalar_is(n, "NULL"));
}

/* A scalar's text in the arena; NUL bytes (YAML "\0") are refused. */
static int text_of(struct load *L, struct yfile *f, const yaml_node_t *n, const char **out)
{
	const char *v = (const char *)n->data.scalar.value;
	size_t len = n->data.scalar.length;

	if (memchr(v, 0, len))
		return fail(L, f, line_of(n), -EINVAL, "a NUL character in '%.*s'", (int)strnlen(v, 40), v);
	*out = fo__arena_strndup(L->a, v, len);
	return *out ? 0 : nomem(L);
}

/* ---- YAML mappings with merge keys (<<) --------------------------------------------- */

struct pair {
	const char *key;
	yaml_node_t *k, *v;
};

struct pairs {
	struct pair *p;
	size_t n, cap;
	struct fo__map seen; /* built once there are LINEAR_MAX pairs */
	yaml_node_t **merged; /* mappings merged in already: merging one again adds */
	size_t nmerged, mcap; /* nothing, and skipping it keeps `<<: [*a, *a]` linear */
};

static bool pairs_has(const struct pairs *ps, const char *key)
{
	size_t i;

	if (ps->seen.cap)
		return fo__map_get(&ps->seen, key) != NULL;
	for (i = 0; i < ps->n; i++)
		if (!strcmp(ps->p[i].key, key))
			return true;
	return false;
}

static int pairs_add(struct pairs *ps, const char *key, yaml_node_t *k, yaml_node_t *v)
{
	size_t i;

	if (ps->n == ps->cap) {
		struct pair *np;

		ps->cap = ps->cap ? ps->cap * 2 : 8;
		np = realloc(ps->p, ps->cap * sizeof(*np));
		if (!np)
			return -ENOMEM;
		ps->p = np;
	}
	ps->p[ps->n++] = (struct pair){ key, k, v };
	if (ps->n == LINEAR_MAX) {
		for (i = 0; i < ps->n; i++)
			if (fo__map_put(&ps->seen, ps->p[i].key, ps) < 0)
				return -ENOMEM;
	} else if (ps->n > LINEAR_MAX && fo__map_put(&ps->seen, key, ps) < 0) {
		return -ENOMEM;
	}
	return 0;
}

static void pairs_free(struct pairs *ps)
{
	free(ps->merged);
	free(ps->p);
	fo__map_free(&ps->seen);
}

/*
 * The pairs of mapping m: its own keys in order (a repeated key is an
 * error), then those its merge keys bring that are not there yet (YAML's
 * `<<: *base` or `<<: [*a, *b]`, earlier ones winning).
 */
static int map_pairs(struct load *L, struct yfile *f, yaml_node_t *m, struct pairs *ps, int depth, bool merged)
{
	yaml_node_pair_t *pr;
	int r;

	if (depth > MAX_DEPTH)
		return fail(L, f, line_of(m), -EINVAL, "merge keys (<<) nested more than %d deep, or one merges itself",
			    MAX_DEPTH);
	if (merged) {
		size_t i;

		for (i = 0; i < ps->nmerged; i++)
			if (ps->merged[i] == m)
				return 0;
		if (ps->nmerged == ps->mcap) {
			yaml_node_t **nm;

			ps->mcap = ps->mcap ? ps->mcap * 2 : 4;
			nm = realloc(ps->merged, ps->mcap * sizeof(*nm));
			if (!nm)
				return nomem(L);
			ps->merged = nm;
		}
		ps->merged[ps->nmerged++] = m;
	}
	for (pr = m->data.mapping.pairs.start; pr < m->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = node(f, pr->key), *v = node(f, pr->value);
		const char *key;

		if (!k || !v)
			return fail(L, f, line_of(m), -EINVAL, "a broken mapping");
		if (is_plain(k) && scalar_is(k, "<<"))
			continue;
		if (k->type != YAML_SCALAR_NODE)
			return fail(L, f, line_of(k), -EINVAL, "expected a name as key, not %s", kind_name(k));
		if ((r = text_of(L, f, k, &key)) < 0)
			return r;
		if (pairs_has(ps, key)) {
			if (merged)
				continue;
			return fail(L, f, line_of(k), -EINVAL, "'%s' appears twice in this mapping", key);
		}
		if (pairs_add(ps, key, k, v) < 0)
			return nomem(L);
	}
	for (pr = m->data.mapping.pairs.start; pr < m->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = node(f, pr->key), *v = node(f, pr->value);
		yaml_node_item_t *it;

		if (!(is_plain(k) && scalar_is(k, "<<")))
			continue;
		if (v->type == YAML_MAPPING_NODE) {
			if ((r = map_pairs(L, f, v, ps, depth + 1, true)) < 0)
				return r;
			continue;
		}
		if (v->type != YAML_SEQUENCE_NODE)
			return fail(L, f, line_of(k), -EINVAL, "'<<' merges a mapping or a list of mappings, not %s",
				    kind_name(v));
		for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
			yaml_node_t *s = node(f, *it);

			if (!s || s->type != YAML_MAPPING_NODE)
				return fail(L, f, line_of(s ? s : v), -EINVAL,
					    "'<<' merges a mapping or a list of mappings");
			if ((r = map_pairs(L, f, s, ps, depth + 1, true)) < 0)
				return r;
		}
	}
	return 0;
}

/* ---- YAML values --------------------------------------------------------------------- */

static bool all_in(const char *s, size_t len, const char *set)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!strchr(set, s[i]))
			return false;
	return len > 0;
}

/* YAML 1.2 core schema, as nornir's loader (ruamel, safe) reads plain scalars. */
static enum fo_inv_type resolve(const char *s)
{
	size_t len = strlen(s);
	const char *p = s;

	if (!len || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL"))
		return FO_INV_NULL;
	if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE") || !strcmp(s, "false") ||
	    !strcmp(s, "False") || !strcmp(s, "FALSE"))
		return FO_INV_BOOL;
	if (!strncmp(s, "0x", 2) && all_in(s + 2, len - 2, "0123456789abcdefABCDEF"))
		return FO_INV_INT;
	if (!strncmp(s, "0o", 2) && all_in(s + 2, len - 2, "01234567"))
		return FO_INV_INT;
	if (*p == '-' || *p == '+')
		p++;
	if (all_in(p, strlen(p), "0123456789"))
		return FO_INV_INT;
	if (!strcmp(p, ".inf") || !strcmp(p, ".Inf") || !strcmp(p, ".INF") ||
	    (p == s && (!strcmp(s, ".nan") || !strcmp(s, ".NaN") || !strcmp(s, ".NAN"))))
		return FO_INV_FLOAT;
	{
		size_t d = strspn(p, "0123456789"), d2 = 0;

		p += d;
		if (*p == '.') {
			d2 = strspn(p + 1, "0123456789");
			p += 1 + d2;
		}
		if (d + d2 == 0)
			return FO_INV_STR;
		if (*p == 'e' || *p == 'E') {
			p++;
			if (*p == '-' || *p == '+')
				p++;
			if (!strspn(p, "0123456789"))
				return FO_INV_STR;
			p += strspn(p, "0123456789");
		}
		return *p ? FO_INV_STR : FO_INV_FLOAT;
	}
}

static int convert(struct load *L, struct yfile *f, int id, int depth, const struct fo_inv_val **out);

/* What converting one item adds to its parent: its weight and height. */
static void tally(const struct yfile *f, int id, size_t *w, int *h)
{
	*w += f->weight[id - 1];
	if (f->height[id - 1] + 1 > *h)
		*h = f->height[id - 1] + 1;
}

static int convert_list(struct load *L, struct yfile *f, yaml_node_t *n, int depth, struct fo_inv_val *v,
			size_t *w, int *h)
{
	const struct fo_inv_val **items;
	size_t cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start), i;
	int r;

	v->type = FO_INV_LIST;
	items = fo__arena_alloc(L->a, (cnt ? cnt : 1) * sizeof(*items));
	if (!items)
		return nomem(L);
	for (i = 0; i < cnt && *w <= FO_INV_MAX_VALUES; i++) {
		if ((r = convert(L, f, n->data.sequence.items.start[i], depth + 1, &items[i])) < 0)
			return r;
		tally(f, n->data.sequence.items.start[i], w, h);
	}
	v->n = cnt;
	v->items = items;
	return 0;
}

static int convert_map(struct load *L, struct yfile *f, yaml_node_t *n, int depth, struct fo_inv_val *v,
		       size_t *w, int *h)
{
	struct pairs ps = { 0 };
	const struct fo_inv_val **items = NULL;
	const char **keys = NULL;
	size_t i;
	int r;

	v->type = FO_INV_MAP;
	r = map_pairs(L, f, n, &ps, 0, false);
	if (r == 0) {
		items = fo__arena_alloc(L->a, (ps.n ? ps.n : 1) * sizeof(*items));
		keys = fo__arena_alloc(L->a, (ps.n ? ps.n : 1) * sizeof(*keys));
		if (!items || !keys)
			r = nomem(L);
	}
	for (i = 0; r == 0 && i < ps.n && *w <= FO_INV_MAX_VALUES; i++) {
		int vid = (int)(ps.p[i].v - f->doc.nodes.start) + 1;

		keys[i] = ps.p[i].key;
		if ((r = convert(L, f, vid, depth + 1, &items[i])) == 0)
			tally(f, vid, w, h);
	}
	v->n = ps.n;
	v->keys = keys;
	v->items = items;
	pairs_free(&ps);
	return r;
}

/*
 * Node id as a value at depth (0: a data or extras map), converted once:
 * an alias met again gets the same value, after checking that its items
 * (weight) and levels (height) fit where it is used this time.
 */
static int convert(struct load *L, struct yfile *f, int id, int depth, const struct fo_inv_val **out)
{
	yaml_node_t *n = node(f, id);
	struct fo_inv_val *v;
	size_t idx, w = 1;
	int r = 0, h = 0;

	if (!n)
		return fail(L, f, 0, -EINVAL, "a broken document");
	idx = (size_t)id - 1;
	if (f->state[idx] == 1)
		return fail(L, f, line_of(n), -EINVAL, "an alias refers to the value that holds it");
	if (depth + (f->state[idx] == 2 ? f->height[idx] : 0) > MAX_DEPTH)
		return fail(L, f, line_of(n), -EINVAL, "values nested more than %d deep%s", MAX_DEPTH,
			    f->state[idx] == 2 ? " (counting through aliases)" : "");
	if (f->state[idx] == 2) {
		*out = f->memo[idx];
		return 0;
	}
	f->state[idx] = 1;
	v = fo__arena_alloc(L->a, sizeof(*v));
	if (!v)
		return nomem(L);
	memset(v, 0, sizeof(*v));
	v->s = "";
	if (n->type == YAML_SCALAR_NODE) {
		if ((r = text_of(L, f, n, &v->s)) < 0)
			return r;
		v->type = is_plain(n) ? resolve(v->s) : FO_INV_STR;
		if (v->type == FO_INV_BOOL)
			v->s = (v->s[0] == 't' || v->s[0] == 'T') ? "true" : "false";
	} else if ((r = (n->type == YAML_SEQUENCE_NODE ? convert_list : convert_map)(L, f, n, depth, v, &w, &h)) < 0) {
		return r;
	}
	if (w > FO_INV_MAX_VALUES)
		return fail(L, f, line_of(n), -E2BIG, "a value that expands to more than %d items through aliases",
			    FO_INV_MAX_VALUES);
	f->weight[idx] = w;
	f->height[idx] = (unsigned char)h;
	f->memo[idx] = v;
	f->state[idx] = 2;
	*out = v;
	return 0;
}

/* ---- elements ------------------------------------------------------------------------ */

static const char *what(const struct elem *e, char *buf, size_t len)
{
	if (e->kind == K_DEFAULTS)
		return "defaults";
	snprintf(buf, len, "%s '%s'", e->kind == K_HOST ? "host" : "group", e->name);
	return buf;
}

/* An optional single value: NULL when null. */
static int opt_text(struct load *L, struct yfile *f, const struct elem *e, const char *key, yaml_node_t *v,
		    const char **out)
{
	char w[300];

	if (is_null(v)) {
		*out = NULL;
		return 0;
	}
	if (v->type != YAML_SCALAR_NODE)
		return fail(L, f, line_of(v), -EINVAL, "%s: %s: expected a single value, not %s",
			    what(e, w, sizeof(w)), key, kind_name(v));
	return text_of(L, f, v, out);
}

static int port_of(struct load *L, struct yfile *f, const struct elem *e, yaml_node_t *v, int *port)
{
	const char *s;
	char w[300], *end;
	long n;
	int r;

	if ((r = opt_text(L, f, e, "port", v, &s)) < 0)
		return r;
	*port = 0;
	if (!s)
		return 0;
	errno = 0;
	n = strtol(s, &end, 10);
	if (end == s || *end || errno || n < 1 || n > 65535 || *s == ' ' || *s == '+' || *s == '-')
		return fail(L, f, line_of(v), -EINVAL, "%s: port '%s': expected a number from 1 to 65535",
			    what(e, w, sizeof(w)), s);
	*port = (int)n;
	return 0;
}

static int secret_of(struct load *L, struct yfile *f, const struct elem *e, const char *key, yaml_node_t *v,
		     struct secret *sec)
{
	const char *s;
	char w[300];
	int r, kind = !strcmp(key, "password") ? SEC_TEXT : !strcmp(key, "password_env") ? SEC_ENV : SEC_FILE;

	if ((r = opt_text(L, f, e, key, v, &s)) < 0)
		return r;
	if (!s)
		return 0;
	if (sec->kind != SEC_NONE)
		return fail(L, f, line_of(v), -EINVAL,
			    "%s: set one of password, password_env and password_file, not two", what(e, w, sizeof(w)));
	if (kind != SEC_TEXT && !*s)
		return fail(L, f, line_of(v), -EINVAL, "%s: %s is empty", what(e, w, sizeof(w)), key);
	sec->kind = kind;
	sec->v = s;
	sec->line = line_of(v);
	sec->f = f;
	return 0;
}

static int parse_conns(struct load *L, struct yfile *f, struct elem *e, yaml_node_t *v)
{
	struct pairs ps = { 0 };
	char w[300];
	size_t i;
	int r;

	if (is_null(v))
		return 0;
	if (v->type != YAML_MAPPING_NODE)
		return fail(L, f, line_of(v), -EINVAL,
			    "%s: connection_options: expected a mapping such as {netmiko: {port: 22}}, not %s",
			    what(e, w, sizeof(w)), kind_name(v));
	if ((r = map_pairs(L, f, v, &ps, 0, false)) < 0)
		goto out;
	e->conns = fo__arena_alloc(L->a, (ps.n ? ps.n : 1) * sizeof(*e->conns));
	if (!e->conns) {
		r = nomem(L);
		goto out;
	}
	memset(e->conns, 0, (ps.n ? ps.n : 1) * sizeof(*e->conns));
	for (i = 0; i < ps.n; i++) {
		struct conn_raw *c = &e->conns[e->nconns++];
		struct pairs cp = { 0 };
		yaml_node_t *cv = ps.p[i].v;
		size_t k;

		c->name = ps.p[i].key;
		if (is_null(cv))
			continue;
		if (cv->type != YAML_MAPPING_NODE) {
			r = fail(L, f, line_of(cv), -EINVAL,
				 "%s: connection_options: %s: expected a mapping such as {port: 830}, not %s",
				 what(e, w, sizeof(w)), c->name, kind_name(cv));
			goto out;
		}
		if ((r = map_pairs(L, f, cv, &cp, 0, false)) < 0) {
			pairs_free(&cp);
			goto out;
		}
		for (k = 0; r == 0 && k < cp.n; k++) {
			const char *key = cp.p[k].key;
			yaml_node_t *x = cp.p[k].v;

			if (!strcmp(key, "hostname"))
				r = opt_text(L, f, e, key, x, &c->hostname);
			else if (!strcmp(key, "username"))
				r = opt_text(L, f, e, key, x, &c->username);
			else if (!strcmp(key, "platform"))
				r = opt_text(L, f, e, key, x, &c->platform);
			else if (!strcmp(key, "port"))
				r = port_of(L, f, e, x, &c->port);
			else if (!strcmp(key, "password") || !strcmp(key, "password_env") ||
				 !strcmp(key, "password_file"))
				r = secret_of(L, f, e, key, x, &c->pw);
			else if (!strcmp(key, "extras")) {
				if (is_null(x))
					continue;
				if (x->type != YAML_MAPPING_NODE)
					r = fail(L, f, line_of(x), -EINVAL,
						 "%s: connection_options: %s: extras: expected a mapping, not %s",
						 what(e, w, sizeof(w)), c->name, kind_name(x));
				else
					r = convert(L, f, (int)(x - f->doc.nodes.start) + 1, 0, &c->extras);
			} else if (warn(L, f, line_of(cp.p[k].k),
					"%s: connection_options: %s: unknown setting '%s' ignored, as nornir does; "
					"expected hostname, port, username, password (or password_env, "
					"password_file), platform or extras",
					what(e, w, sizeof(w)), c->name, key) < 0) {
				r = nomem(L);
			}
		}
		pairs_free(&cp);
		if (r < 0)
			goto out;
	}
out:
	pairs_free(&ps);
	return r;
}

static int parse_groups(struct load *L, struct yfile *f, struct elem *e, yaml_node_t *v)
{
	yaml_node_item_t *it;
	char w[300];
	size_t n, i = 0;
	int r;

	if (e->kind == K_DEFAULTS) {
		if (warn(L, f, line_of(v), "defaults: groups ignored, as nornir does; put them on hosts or groups") < 0)
			return nomem(L);
		return 0;
	}
	if (is_null(v))
		return 0;
	if (v->type != YAML_SEQUENCE_NODE)
		return fail(L, f, line_of(v), -EINVAL, "%s: groups: expected a list such as [core, ams], not %s",
			    what(e, w, sizeof(w)), kind_name(v));
	n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	e->groups = fo__arena_alloc(L->a, (n ? n : 1) * sizeof(*e->groups));
	if (!e->groups)
		return nomem(L);
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *g = node(f, *it);

		if (!g || g->type != YAML_SCALAR_NODE || is_null(g))
			return fail(L, f, line_of(g ? g : v), -EINVAL, "%s: groups: expected group names, not %s",
				    what(e, w, sizeof(w)), g && is_null(g) ? "an empty item" : kind_name(g ? g : v));
		e->groups[i].line = line_of(g);
		e->groups[i].g = NULL;
		if ((r = text_of(L, f, g, &e->groups[i].name)) < 0)
			return r;
		i++;
	}
	e->ngroups = i;
	return 0;
}

/* The settings of a host, a group or the defaults: v is their mapping. */
static int parse_elem(struct load *L, struct yfile *f, struct elem *e, yaml_node_t *v)
{
	struct pairs ps = { 0 };
	char w[300];
	size_t i;
	int r = 0;

	if (is_null(v))
		return 0;
	if (v->type != YAML_MAPPING_NODE)
		return fail(L, f, line_of(v), -EINVAL,
			    "%s: expected a mapping of settings (hostname:, port:, ...), not %s", what(e, w, sizeof(w)),
			    kind_name(v));
	if ((r = map_pairs(L, f, v, &ps, 0, false)) < 0)
		goto out;
	for (i = 0; r == 0 && i < ps.n; i++) {
		const char *key = ps.p[i].key;
		yaml_node_t *x = ps.p[i].v;

		if (!strcmp(key, "hostname"))
			r = opt_text(L, f, e, key, x, &e->hostname);
		else if (!strcmp(key, "username"))
			r = opt_text(L, f, e, key, x, &e->username);
		else if (!strcmp(key, "platform"))
			r = opt_text(L, f, e, key, x, &e->platform);
		else if (!strcmp(key, "port"))
			r = port_of(L, f, e, x, &e->port);
		else if (!strcmp(key, "password") || !strcmp(key, "password_env") || !strcmp(key, "password_file"))
			r = secret_of(L, f, e, key, x, &e->pw);
		else if (!strcmp(key, "groups"))
			r = parse_groups(L, f, e, x);
		else if (!strcmp(key, "data")) {
			if (is_null(x))
				continue;
			if (x->type != YAML_MAPPING_NODE)
				r = fail(L, f, line_of(x), -EINVAL,
					 "%s: data: expected a mapping such as {site: ams}, not %s", what(e, w, sizeof(w)),
					 kind_name(x));
			else
				r = convert(L, f, (int)(x - f->doc.nodes.start) + 1, 0, &e->data);
		} else if (!strcmp(key, "connection_options"))
			r = parse_conns(L, f, e, x);
		else if (warn(L, f, line_of(ps.p[i].k),
			      "%s: unknown setting '%s' ignored, as nornir does; expected hostname, port, "
			      "username, password (or password_env, password_file), platform, %sdata or "
			      "connection_options",
			      what(e, w, sizeof(w)), key, e->kind == K_DEFAULTS ? "" : "groups, ") < 0)
			r = nomem(L);
	}
out:
	pairs_free(&ps);
	return r;
}

/* The hosts or the groups: a mapping of names to settings. */
static int parse_named(struct load *L, struct yfile *f, enum kind kind, struct elem **out, size_t *n)
{
	yaml_node_t *root = f->have_doc ? yaml_document_get_root_node(&f->doc) : NULL;
	struct pairs ps = { 0 };
	size_t i;
	int r;

	*out = NULL;
	*n = 0;
	if (!root || is_null(root))
		return 0;
	if (root->type != YAML_MAPPING_NODE)
		return fail(L, f, line_of(root), -EINVAL, "expected a mapping of %s names to their settings, not %s",
			    kind == K_HOST ? "host" : "group", kind_name(root));
	if ((r = map_pairs(L, f, root, &ps, 0, false)) < 0)
		goto out;
	*out = fo__arena_alloc(L->a, (ps.n ? ps.n : 1) * sizeof(**out));
	if (!*out) {
		r = nomem(L);
		goto out;
	}
	memset(*out, 0, (ps.n ? ps.n : 1) * sizeof(**out));
	for (i = 0; i < ps.n; i++) {
		struct elem *e = &(*out)[i];

		e->kind = kind;
		e->name = ps.p[i].key;
		e->line = line_of(ps.p[i].k);
		e->f = f;
		if (!*e->name) {
			r = fail(L, f, e->line, -EINVAL, "a %s with an empty name", kind == K_HOST ? "host" : "group");
			goto out;
		}
		if ((r = parse_elem(L, f, e, ps.p[i].v)) < 0)
			goto out;
		(*n)++;
	}
out:
	pairs_free(&ps);
	return r;
}

/* ---- reading YAML: events into libyaml's document, bounded as they come ------------------ */

/*
 * libyaml's yaml_parser_load reads a whole document before anyone can look
 * at it, and its scanner costs O(depth) per token inside flow collections:
 * a 200 KB hosts.yaml of '[' took over a minute of CPU before the depth
 * check saw it. So the document is built here from the parser's events, one
 * at a time, and reading stops at the first collection nested deeper than
 * MAX_DEPTH, having scanned only that far. Anchors are kept in a hash map
 * (libyaml's loader scans a list per alias: quadratic in anchors); an anchor
 * defined again takes over for the aliases after it, as in ruamel, nornir's
 * YAML, which warns as we do.
 */

struct anchor {
	int id;   /* its node */
	int line; /* where first defined */
};

struct compose {
	struct load *L;
	struct yfile *f;
	struct arena a;            /* anchor names and records */
	struct fo__map anchors;    /* name -> struct anchor */
	int open[MAX_DEPTH];       /* node ids of the collections open, outermost first */
	int key[MAX_DEPTH];        /* per open mapping: its key waiting for a value, or 0 */
	int depth;
};

/* Node id joins the innermost open collection (or is the root): 0 or -ENOMEM. */
static int attach(struct compose *c, int id)
{
	yaml_document_t *d = &c->f->doc;
	int top, *key, ok;

	if (!c->depth)
		return 0;
	top = c->open[c->depth - 1];
	key = &c->key[c->depth - 1];
	if (node(c->f, top)->type == YAML_SEQUENCE_NODE) {
		ok = yaml_document_append_sequence_item(d, top, id);
	} else if (!*key) {
		*key = id;
		return 0;
	} else {
		ok = yaml_document_append_mapping_pair(d, top, *key, id);
		*key = 0;
	}
	return ok ? 0 : nomem(c->L);
}

static int anchor_set(struct compose *c, const yaml_char_t *name, int id, int line)
{
	struct anchor *an;
	char *copy;

	if (!name)
		return 0;
	an = (struct anchor *)fo__map_get(&c->anchors, (const char *)name);
	if (an) {
		an->id = id;
		if (warn(c->L, c->f, line, "anchor '&%s' defined again (first on line %d); the aliases after it "
			 "take this value, as nornir's YAML does", (const char *)name, an->line) < 0)
			return nomem(c->L);
		return 0;
	}
	copy = fo__arena_strndup(&c->a, (const char *)name, strlen((const char *)name));
	an = fo__arena_alloc(&c->a, sizeof(*an));
	if (!copy || !an)
		return nomem(c->L);
	an->id = id;
	an->line = line;
	return fo__map_put(&c->anchors, copy, an) < 0 ? nomem(c->L) : 0;
}

/* A scalar or the start of a collection: a new node, joined to its parent. */
static int add_node(struct compose *c, const yaml_event_t *e)
{
	yaml_document_t *d = &c->f->doc;
	const yaml_char_t *anchor;
	yaml_node_t *n;
	int id, r;

	if (e->type == YAML_SCALAR_EVENT) {
		id = yaml_document_add_scalar(d, e->data.scalar.tag, e->data.scalar.value,
					      (int)e->data.scalar.length, e->data.scalar.style);
		anchor = e->data.scalar.anchor;
	} else if (e->type == YAML_SEQUENCE_START_EVENT) {
		id = yaml_document_add_sequence(d, e->data.sequence_start.tag, e->data.sequence_start.style);
		anchor = e->data.sequence_start.anchor;
	} else {
		id = yaml_document_add_mapping(d, e->data.mapping_start.tag, e->data.mapping_start.style);
		anchor = e->data.mapping_start.anchor;
	}
	if (!id)
		return nomem(c->L);
	n = node(c->f, id);
	n->start_mark = e->start_mark;
	n->end_mark = e->end_mark;
	if ((r = anchor_set(c, anchor, id, line_of(n))) < 0 || (r = attach(c, id)) < 0)
		return r;
	if (e->type != YAML_SCALAR_EVENT) {
		c->open[c->depth] = id;
		c->key[c->depth++] = 0;
	}
	return 0;
}

static int add_alias(struct compose *c, const yaml_event_t *e)
{
	const char *name = (const char *)e->data.alias.anchor;
	const struct anchor *an = fo__map_get(&c->anchors, name);
	int r;

	if (an)
		return attach(c, an->id);
	c->L->col = (int)e->start_mark.column + 1;
	r = fail(c->L, c->f, (int)e->start_mark.line + 1, -EINVAL,
		 "found undefined alias '*%s'; define its anchor (&%s) before it", name, name);
	c->L->col = 0;
	return r;
}

static int compose_event(struct compose *c, const yaml_event_t *e)
{
	switch (e->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (c->f->have_doc)
			return fail(c->L, c->f, (int)e->start_mark.line + 1, -EINVAL,
				    "a second YAML document (---); nornir reads one per file");
		if (!yaml_document_initialize(&c->f->doc, NULL, NULL, NULL, 1, 1))
			return nomem(c->L);
		c->f->have_doc = true;
		return 0;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if (c->depth == MAX_DEPTH)
			return fail(c->L, c->f, (int)e->start_mark.line + 1, -EINVAL, "values nested more than %d deep",
				    MAX_DEPTH);
		return add_node(c, e);
	case YAML_SCALAR_EVENT:
		return add_node(c, e);
	case YAML_ALIAS_EVENT:
		return add_alias(c, e);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		c->depth--;
		node(c->f, c->open[c->depth])->end_mark = e->end_mark;
		return 0;
	default:
		return 0;
	}
}

/* libyaml's syntax error as a message: line, column, what. */
static int syntax_error(struct load *L, struct yfile *f, const yaml_parser_t *p)
{
	int r;

	if (p->error == YAML_MEMORY_ERROR)
		return nomem(L);
	L->col = (int)p->problem_mark.column + 1; /* a syntax error: where exactly */
	if (p->context)
		r = fail(L, f, (int)p->problem_mark.line + 1, -EINVAL, "%s (%s on line %d)",
			 p->problem ? p->problem : "bad YAML", p->context, (int)p->context_mark.line + 1);
	else
		r = fail(L, f, (int)p->problem_mark.line + 1, -EINVAL, "%s", p->problem ? p->problem : "bad YAML");
	L->col = 0;
	return r;
}

static int yload(struct load *L, struct yfile *f, const char *text, size_t len)
{
	struct compose c;
	yaml_parser_t p;
	yaml_event_t e;
	bool end = false;
	int r = 0;

	if (len > FO_INV_FILE_MAX)
		return fail(L, f, 0, -EFBIG, "larger than %zu MiB; split the hosts over several inventories",
			    (size_t)(FO_INV_FILE_MAX >> 20));
	if (!yaml_parser_initialize(&p))
		return nomem(L);
	memset(&c, 0, sizeof(c));
	c.L = L;
	c.f = f;
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	while (!r && !end) {
		if (!yaml_parser_parse(&p, &e)) {
			r = syntax_error(L, f, &p);
			break;
		}
		end = e.type == YAML_STREAM_END_EVENT;
		r = compose_event(&c, &e);
		yaml_event_delete(&e);
	}
	yaml_parser_delete(&p);
	fo__map_free(&c.anchors);
	fo__arena_free(&c.a);
	if (r)
		return r;
	f->nnodes = f->have_doc ? (size_t)(f->doc.nodes.top - f->doc.nodes.start) : 0;
	f->memo = calloc(f->nnodes + 1, sizeof(*f->memo));
	f->weight = calloc(f->nnodes + 1, sizeof(*f->weight));
	f->height = calloc(f->nnodes + 1, 1);
	f->state = calloc(f->nnodes + 1, 1);
	return f->memo && f->weight && f->height && f->state ? 0 : nomem(L);
}

static void yfile_free(struct yfile *f)
{
	if (f->have_doc)
		yaml_document_delete(&f->doc);
	free(f->memo);
	free(f->weight);
	free(f->height);
	free(f->state);
	memset(f, 0, sizeof(*f));
}

/* ---- linking groups ---------------------------------------------------------------------- */

static int link_refs(struct load *L, struct elem *e)
{
	char w[300];
	size_t i;

	for (i = 0; i < e->ngroups; i++) {
		struct gref *g = &e->groups[i];

		g->g = (struct elem *)fo__map_get(&L->groupmap, g->name);
		if (!g->g)
			return fail(L, e->f, g->line, -EINVAL, "%s is in group '%s', which %s", what(e, w, sizeof(w)),
				    g->name,
				    L->have_groups_file ? "groups.yaml does not define"
							: "is not defined (no groups.yaml)");
	}
	return 0;
}

struct frame {
	struct elem *e;
	size_t next;
};

/* Fails on a group that is, through its groups, in itself. */
static int check_cycles(struct load *L)
{
	struct frame *st = malloc((L->ngroups + 1) * sizeof(*st));
	size_t i, top;
	int r = 0;

	if (!st)
		return nomem(L);
	for (i = 0; i < L->ngroups && !r; i++) {
		if (L->groups[i].color)
			continue;
		top = 0;
		st[top++] = (struct frame){ &L->groups[i], 0 };
		L->groups[i].color = 1;
		while (top && !r) {
			struct frame *fr = &st[top - 1];
			struct elem *c;

			if (fr->next == fr->e->ngroups) {
				fr->e->color = 2;
				top--;
				continue;
			}
			c = fr->e->groups[fr->next++].g;
			if (c->color == 1) {
				char path[400] = "";
				size_t k, len = 0, from = 0;

				for (k = 0; k < top; k++)
					if (st[k].e == c)
						from = k;
				for (k = from; k < top && len < sizeof(path); k++)
					len += (size_t)snprintf(path + len, sizeof(path) - len, "%s -> ",
								st[k].e->name);
				if (len < sizeof(path))
					snprintf(path + len, sizeof(path) - len, "%s", c->name);
				r = fail(L, fr->e->f, fr->e->groups[fr->next - 1].line, -EINVAL,
					 "group '%s' is in itself (%s)", c->name, path);
			} else if (c->color == 0) {
				c->color = 1;
				st[top++] = (struct frame){ c, 0 };
			}
		}
	}
	free(st);
	return r;
}

/* L->srcs = host, its groups depth first (each once), the defaults. */
static int chain(struct load *L, struct elem *h, size_t stamp)
{
	struct frame *st;
	size_t top = 0, need = L->ngroups + 2;

	if (L->srcs_cap < need) {
		struct elem **n = realloc(L->srcs, need * sizeof(*n));

		if (!n)
			return nomem(L);
		L->srcs = n;
		L->srcs_cap = need;
	}
	st = malloc((L->ngroups + 1) * sizeof(*st));
	if (!st)
		return nomem(L);
	L->nsrcs = 0;
	L->srcs[L->nsrcs++] = h;
	st[top++] = (struct frame){ h, 0 };
	while (top) {
		struct frame *fr = &st[top - 1];
		struct elem *c;

		if (fr->next == fr->e->ngroups) {
			top--;
			continue;
		}
		c = fr->e->groups[fr->next++].g;
		if (c->stamp == stamp)
			continue;
		c->stamp = stamp;
		L->srcs[L->nsrcs++] = c;
		st[top++] = (struct frame){ c, 0 };
	}
	free(st);
	L->srcs[L->nsrcs++] = &L->defaults;
	return 0;
}

/* ---- resolving a host ------------------------------------------------------------------ */

/* The password in the file at path (bounded, whole, not empty) into s. */
static int secret_file(struct load *L, struct secret *s, const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	int r = fo__slurp_max(path, SECRET_FILE_MAX, &buf, &len);

	if (r == -EISDIR)
		return fail(L, s->f, s->line, r, "password_file '%s' is a directory; expected a file holding the password",
			    path);
	if (r == -EFBIG)
		return fail(L, s->f, s->line, r, "password_file '%s': larger than 64 KiB; it should hold the password only",
			    path);
	if (r == -ENOMEM)
		return nomem(L);
	if (r < 0)
		return fail(L, s->f, s->line, r, "password_file '%s': %s", path, strerror(-r));
	if (memchr(buf, 0, len))
		r = fail(L, s->f, s->line, -EINVAL, "password_file '%s' holds a NUL byte", path);
	if (len && buf[len - 1] == '\n')
		len--;
	if (len && buf[len - 1] == '\r')
		len--;
	if (!r && !len)
		r = fail(L, s->f, s->line, -EINVAL,
			 "password_file '%s' is empty; put the password in it, or write password: '' for none", path);
	if (!r && !(s->resolved = fo__arena_strndup(L->a, buf, len)))
		r = nomem(L);
	s->done = !r;
	explicit_bzero(buf, len);
	free(buf);
	return r;
}

static int secret_resolve(struct load *L, struct secret *s)
{
	char *path = NULL;
	int r;

	if (s->done)
		return 0;
	if (s->kind == SEC_TEXT) {
		s->resolved = s->v;
		s->done = true;
		return 0;
	}
	{
		size_t n = strlen(s->v) + 6;
		char *ref = fo__arena_alloc(L->a, n);

		if (!ref)
			return nomem(L);
		snprintf(ref, n, "%s %s", s->kind == SEC_ENV ? "env" : "file", s->v);
		s->ref = ref;
	}
	if (L->inv->flags & FO_INV_NO_SECRETS) {
		s->done = true;
		return 0;
	}
	if (s->kind == SEC_ENV) {
		const char *v = getenv(s->v);

		if (!v)
			return fail(L, s->f, s->line, -EINVAL,
				    "password_env '%s' is not set; export %s=... or use password_file", s->v, s->v);
		s->resolved = fo__arena_strndup(L->a, v, strlen(v));
		s->done = true;
		return s->resolved ? 0 : nomem(L);
	}
	if (s->v[0] != '/' && s->f->dir && asprintf(&path, "%s/%s", s->f->dir, s->v) < 0)
		return nomem(L);
	r = secret_file(L, s, path ? path : s->v);
	free(path);
	return r;
}

static const struct conn_raw *conn_in(const struct elem *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->nconns; i++)
		if (!strcmp(e->conns[i].name, name))
			return &e->conns[i];
	return NULL;
}

/* The effective data: every source's keys, the first source having a key winning. */
static int merge_data(struct load *L, struct fo_inv_val *out)
{
	const struct fo_inv_val *only = NULL;
	const char **keys;
	const struct fo_inv_val **items;
	size_t i, k, total = 0, n = 0, with = 0;

	for (i = 0; i < L->nsrcs; i++)
		if (L->srcs[i]->data && L->srcs[i]->data->n) {
			only = L->srcs[i]->data;
			total += only->n;
			with++;
		}
	if (with <= 1) {
		*out = only ? *only : fo__inv_empty_map;
		return 0;
	}
	keys = fo__arena_alloc(L->a, total * sizeof(*keys));
	items = fo__arena_alloc(L->a, total * sizeof(*items));
	if (!keys || !items)
		return nomem(L);
	fo__map_clear(&L->keys);
	for (i = 0; i < L->nsrcs; i++) {
		const struct fo_inv_val *d = L->srcs[i]->data;

		for (k = 0; d && k < d->n; k++) {
			if (total > LINEAR_MAX) {
				int r = fo__map_put(&L->keys, d->keys[k], d);

				if (r < 0)
					return nomem(L);
				if (r == 0)
					continue;
			} else {
				size_t j;

				for (j = 0; j < n && strcmp(keys[j], d->keys[k]); j++)
					;
				if (j < n)
					continue;
			}
			keys[n] = d->keys[k];
			items[n++] = d->items[k];
		}
	}
	*out = (struct fo_inv_val){ .type = FO_INV_MAP, .s = "", .n = n, .keys = keys, .items = items };
	return 0;
}

/*
 * Connection options resolve in another order than the rest, for nornir's
 * Host._get_connection_options_recursively asks each group in turn for
 * its options resolved whole, and a group's end with the defaults (nornir's
 * groups hold the defaults as hosts do): the host, its first group, that
 * group's first group, and so down to a group without groups, then the
 * defaults, then the rest of the chain. (hostname, data and the other
 * attributes were fixed in nornir 3.0 to reach the defaults last; these
 * were not.) The i-th source of that order, of a chain whose first-group
 * descent is depth long:
 */
static struct elem *conn_src(const struct load *L, size_t depth, size_t i)
{
	if (i <= depth)
		return L->srcs[i];
	if (i == depth + 1)
		return L->srcs[L->nsrcs - 1];
	return L->srcs[i - 1];
}

static int merge_conns(struct load *L, struct fo_inv_host *h)
{
	struct fo_inv_conn *conns;
	const struct elem *e;
	size_t i, k, total = 0, n = 0, depth = 0;
	int r;

	for (i = 0; i < L->nsrcs; i++)
		total += L->srcs[i]->nconns;
	if (!total)
		return 0;
	conns = fo__arena_alloc(L->a, total * sizeof(*conns));
	if (!conns)
		return nomem(L);
	for (e = L->srcs[0]; e->ngroups; e = e->groups[0].g)
		depth++;
	for (i = 0; i < L->nsrcs; i++)
		for (k = 0; k < conn_src(L, depth, i)->nconns; k++) {
			const char *name = conn_src(L, depth, i)->conns[k].name;
			struct fo_inv_conn *c = &conns[n];
			struct secret *pw = NULL;
			size_t j;

			for (j = 0; j < n && strcmp(conns[j].name, name); j++)
				;
			if (j < n)
				continue;
			memset(c, 0, sizeof(*c));
			c->name = name;
			c->extras = null_val;
			for (j = i; j < L->nsrcs; j++) {
				struct conn_raw *o = (struct conn_raw *)conn_in(conn_src(L, depth, j), name);

				if (!o)
					continue;
				if (!c->hostname)
					c->hostname = o->hostname;
				if (!c->username)
					c->username = o->username;
				if (!c->platform)
					c->platform = o->platform;
				if (!c->port)
					c->port = o->port;
				if (!pw && o->pw.kind != SEC_NONE)
					pw = &o->pw;
				if (c->extras.type == FO_INV_NULL && o->extras)
					c->extras = *o->extras;
			}
			if (pw) {
				if ((r = secret_resolve(L, pw)) < 0)
					return r;
				c->password = pw->resolved;
				c->password_ref = pw->ref;
			} else {
				c->password = h->password;
				c->password_ref = h->password_ref;
			}
			if (!c->hostname)
				c->hostname = h->hostname;
			if (!c->username)
				c->username = h->username;
			if (!c->platform)
				c->platform = h->platform;
			if (!c->port)
				c->port = h->port;
			n++;
		}
	h->conn = conns;
	h->nconn = n;
	return 0;
}

static int resolve_host(struct load *L, struct elem *e, size_t stamp, struct fo_inv_host *h)
{
	const char **names;
	size_t i;
	int r;

	if ((r = chain(L, e, stamp)) < 0)
		return r;
	memset(h, 0, sizeof(*h));
	h->name = e->name;
	for (i = 0; i < L->nsrcs; i++) {
		const struct elem *s = L->srcs[i];

		if (!h->hostname)
			h->hostname = s->hostname;
		if (!h->username)
			h->username = s->username;
		if (!h->platform)
			h->platform = s->platform;
		if (!h->port)
			h->port = s->port;
	}
	if (!h->hostname)
		h->hostname = h->name;
	if (!h->username)
		h->username = L->user;
	if (!h->port)
		h->port = L->inv->port;
	for (i = 0; i < L->nsrcs; i++)
		if (L->srcs[i]->pw.kind != SEC_NONE) {
			if ((r = secret_resolve(L, &L->srcs[i]->pw)) < 0)
				return r;
			h->password = L->srcs[i]->pw.resolved;
			h->password_ref = L->srcs[i]->pw.ref;
			break;
		}
	names = fo__arena_alloc(L->a, (e->ngroups + L->nsrcs) * sizeof(*names) + 1);
	if (!names)
		return nomem(L);
	for (i = 0; i < e->ngroups; i++)
		names[i] = e->groups[i].name;
	h->groups = names;
	h->ngroups = e->ngroups;
	for (i = 1; i + 1 < L->nsrcs; i++)
		names[e->ngroups + i - 1] = L->srcs[i]->name;
	h->all_groups = names + e->ngroups;
	h->nall_groups = L->nsrcs - 2;
	if ((r = merge_data(L, &h->data)) < 0)
		return r;
	return merge_conns(L, h);
}

/* ---- a whole load ------------------------------------------------------------------------ */

struct src {
	const char *label, *dir;
	const char *text; /* NULL: absent */
	size_t len;
};

/* hosts, groups and defaults, each parsed, then merged as nornir
 * merges them (host -> groups in order -> defaults). NEEDSWORK: 92 lines;
 * the three files' parse and the merge could be two functions. */
static int load(struct fo_inv *inv, const struct src src[3], char *err, size_t errlen)
{
	struct load L;
	struct fo_inv_host *res = NULL;
	size_t i, nres = 0;
	int r = 0;

	if (err && errlen)
		err[0] = 0;
	if (fo__inv_priv(inv) < 0)
		return -ENOMEM;
	memset(&L, 0, sizeof(L));
	L.inv = inv;
	L.a = &inv->priv->arena;
	L.err = err;
	L.errlen = errlen;
	L.defaults.kind = K_DEFAULTS;
	L.defaults.f = &L.files[2];
	for (i = 0; i < 3; i++) {
		L.files[i].label = src[i].label;
		L.files[i].dir = src[i].dir;
		if (src[i].text && (r = yload(&L, &L.files[i], src[i].text, src[i].len)) < 0)
			goto out;
	}
	L.have_groups_file = src[1].text != NULL;
	if ((r = fo__inv_user(inv, &L.user)) < 0) {
		nomem(&L);
		goto out;
	}
	if ((r = parse_named(&L, &L.files[0], K_HOST, &L.hosts, &L.nhosts)) < 0 ||
	    (r = parse_named(&L, &L.files[1], K_GROUP, &L.groups, &L.ngroups)) < 0)
		goto out;
	if (L.files[2].have_doc) {
		yaml_node_t *root = yaml_document_get_root_node(&L.files[2].doc);

		if (root && (r = parse_elem(&L, &L.files[2], &L.defaults, root)) < 0)
			goto out;
	}
	for (i = 0; i < L.ngroups; i++)
		if (fo__map_put(&L.groupmap, L.groups[i].name, &L.groups[i]) < 0) {
			r = nomem(&L);
			goto out;
		}
	for (i = 0; i < L.ngroups; i++)
		if ((r = link_refs(&L, &L.groups[i])) < 0)
			goto out;
	for (i = 0; i < L.nhosts; i++)
		if ((r = link_refs(&L, &L.hosts[i])) < 0)
			goto out;
	if ((r = check_cycles(&L)) < 0)
		goto out;
	res = malloc((L.nhosts ? L.nhosts : 1) * sizeof(*res));
	if (!res) {
		r = nomem(&L);
		goto out;
	}
	for (i = 0; i < L.nhosts; i++) {
		if (fo__map_get(&inv->priv->names, L.hosts[i].name))
			continue;
		if ((r = resolve_host(&L, &L.hosts[i], i + 1, &res[nres])) < 0)
			goto out;
		nres++;
	}
	/* commit: nothing below fails but for memory */
	if ((r = fo__inv_reserve(inv, nres)) < 0) {
		nomem(&L);
		goto out;
	}
	for (i = 0; i < L.ngroups; i++)
		if (fo__map_put(&inv->priv->groups, L.groups[i].name, L.groups[i].name) < 0) {
			r = nomem(&L);
			goto out;
		}
	for (i = 0; i < nres; i++) {
		inv->hosts[inv->nhosts] = res[i];
		if (fo__map_put(&inv->priv->names, res[i].name, res[i].name) < 0) {
			r = nomem(&L);
			fo__inv_names_rebuild(inv);
			goto out;
		}
		inv->nhosts++;
	}
	for (i = 0; i < L.nwarn; i++)
		inv->priv->warn[inv->nwarnings++] = L.warn[i];
	inv->warnings = inv->priv->warn;
out:
	free(res);
	free(L.srcs);
	fo__map_free(&L.keys);
	fo__map_free(&L.groupmap);
	for (i = 0; i < 3; i++)
		yfile_free(&L.files[i]);
	return r;
}

int fo_inv_load_nornir_text(struct fo_inv *inv, const char *hosts, size_t hosts_len, const char *groups,
			    size_t groups_len, const char *defaults, size_t defaults_len, char *err, size_t errlen)
{
	struct src src[3] = {
		{ "hosts.yaml", NULL, hosts ? hosts : "", hosts ? hosts_len : 0 },
		{ "groups.yaml", NULL, groups, groups_len },
		{ "defaults.yaml", NULL, defaults, defaults_len },
	};

	return load(inv, src, err, errlen);
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

int fo_inv_load_nornir_files(struct fo_inv *inv, const char *hosts, const char *groups, const char *defaults,
			     char *err, size_t errlen)
{
	const char *paths[3] = { hosts, groups, defaults };
	char *texts[3] = { NULL, NULL, NULL }, *dirs[3] = { NULL, NULL, NULL };
	struct src src[3];
	size_t i;
	int r = 0;

	memset(src, 0, sizeof(src));
	for (i = 0; i < 3; i++) {
		src[i].label = paths[i] ? paths[i] : i == 1 ? "groups.yaml" : "defaults.yaml";
		if (!paths[i])
			continue;
		if ((r = fo__slurp_max(paths[i], FO_INV_FILE_MAX, &texts[i], &src[i].len)) < 0) {
			if (err && errlen && r == -EFBIG)
				snprintf(err, errlen, "cannot read inventory '%s': larger than %zu MiB; split the hosts "
					 "over several inventories", paths[i], (size_t)(FO_INV_FILE_MAX >> 20));
			else if (err && errlen)
				snprintf(err, errlen, "cannot read inventory '%s': %s", paths[i],
					 r == -ENOMEM ? "out of memory" : strerror(-r));
			goto out;
		}
		if (!(dirs[i] = dir_of(paths[i]))) {
			r = -ENOMEM;
			goto out;
		}
		src[i].text = texts[i];
		src[i].dir = dirs[i];
	}
	r = load(inv, src, err, errlen);
out:
	for (i = 0; i < 3; i++) {
		free(texts[i]);
		free(dirs[i]);
	}
	return r;
}

/* dir/name.yaml, else dir/name.yml when that exists, else NULL; malloc'd. */
static char *beside(const char *dir, const char *name, bool *oom)
{
	static const char *const ext[] = { "yaml", "yml" };
	size_t i, n = strlen(dir) + strlen(name) + 8;
	struct stat st;

	for (i = 0; i < 2; i++) {
		char *p = malloc(n);

		if (!p) {
			*oom = true;
			return NULL;
		}
		if (!strcmp(dir, "."))
			snprintf(p, n, "%s.%s", name, ext[i]);
		else
			snprintf(p, n, "%s%s%s.%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", name, ext[i]);
		if (stat(p, &st) == 0 && !S_ISDIR(st.st_mode))
			return p;
		free(p);
	}
	return NULL;
}

int fo_inv_load_nornir(struct fo_inv *inv, const char *path, char *err, size_t errlen)
{
	char *hosts = NULL, *groups = NULL, *defaults = NULL, *dir = NULL;
	bool oom = false;
	struct stat st;
	int r;

	if (stat(path, &st) < 0) {
		r = -errno;
		if (err && errlen)
			snprintf(err, errlen, "cannot read inventory '%s': %s", path, strerror(errno));
		return r;
	}
	if (S_ISDIR(st.st_mode)) {
		dir = strdup(path);
		hosts = dir ? beside(dir, "hosts", &oom) : NULL;
		if (dir && !hosts && !oom) {
			if (err && errlen)
				snprintf(err, errlen,
					 "cannot read inventory '%s': no hosts.yaml in it; expected nornir's "
					 "hosts.yaml (groups.yaml and defaults.yaml optional)",
					 path);
			free(dir);
			return -ENOENT;
		}
	} else {
		dir = dir_of(path);
		hosts = strdup(path);
	}
	if (!dir || !hosts || oom)
		goto nomem;
	groups = beside(dir, "groups", &oom);
	defaults = beside(dir, "defaults", &oom);
	if (oom)
		goto nomem;
	r = fo_inv_load_nornir_files(inv, hosts, groups, defaults, err, errlen);
	goto out;
nomem:
	r = -ENOMEM;
	if (err && errlen)
		snprintf(err, errlen, "cannot read inventory '%s': out of memory", path);
out:
	free(hosts);
	free(groups);
	free(defaults);
	free(dir);
	return r;
}
