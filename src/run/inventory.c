/*
 * The inventory's core: the arena and map the loaders share, a host list
 * (hostlist.c) turned into hosts, and the filters. nornir.c loads nornir's
 * YAML files into the same struct fo_inv. See inventory.h for the rules.
 *
 * Everything handed out lives in one arena per inventory (a chain of 64 KiB
 * chunks), so a host costs no malloc of its own and release is one walk.
 * A hash set of names keeps each host once across sources; filters compact
 * the host array in place and rebuild the set.
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory_int.h"

/* ---- arena --------------------------------------------------------------------------- */

void *fo__arena_alloc(struct arena *a, size_t size)
{
	struct chunk *c = a->head;
	size_t al = sizeof(max_align_t);
	void *p;

	size = (size + al - 1) / al * al;
	if (!c || c->cap - c->used < size) {
		size_t cap = size > 65536 - sizeof(*c) ? size : 65536 - sizeof(*c);

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->cap = cap;
		c->used = 0;
		/* a big block goes behind the current chunk, which stays in use */
		if (a->head && size > 16384) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	p = (char *)c->mem + c->used;
	c->used += size;
	return p;
}

char *fo__arena_strndup(struct arena *a, const char *s, size_t len)
{
	char *p = fo__arena_alloc(a, len + 1);

	if (p) {
		memcpy(p, s, len);
		p[len] = 0;
	}
	return p;
}

void fo__arena_free(struct arena *a)
{
	while (a->head) {
		struct chunk *n = a->head->next;

		free(a->head);
		a->head = n;
	}
}

/* ---- the inventory's private part ---------------------------------------------------- */

const struct fo_inv_val fo__inv_empty_map = { .type = FO_INV_MAP, .s = "" };

void fo_inv_init(struct fo_inv *inv)
{
	memset(inv, 0, sizeof(*inv));
	inv->user = getenv("USER");
	inv->port = FO_INV_DEFAULT_PORT;
}

void fo_inv_release(struct fo_inv *inv)
{
	if (inv->priv) {
		fo__arena_free(&inv->priv->arena);
		fo__map_free(&inv->priv->names);
		fo__map_free(&inv->priv->groups);
		free(inv->priv);
	}
	free(inv->hosts);
	fo_inv_init(inv);
}

int fo__inv_priv(struct fo_inv *inv)
{
	if (!inv->priv)
		inv->priv = calloc(1, sizeof(*inv->priv));
	return inv->priv ? 0 : -ENOMEM;
}

int fo__inv_reserve(struct fo_inv *inv, size_t more)
{
	struct fo_inv__priv *p = inv->priv;
	struct fo_inv_host *h;
	size_t cap = p->cap ? p->cap : 64;

	if (inv->nhosts + more <= p->cap)
		return 0;
	while (cap < inv->nhosts + more)
		cap *= 2;
	h = realloc(inv->hosts, cap * sizeof(*h));
	if (!h)
		return -ENOMEM;
	inv->hosts = h;
	p->cap = cap;
	return 0;
}

int fo__inv_names_rebuild(struct fo_inv *inv)
{
	size_t i;

	fo__map_clear(&inv->priv->names);
	for (i = 0; i < inv->nhosts; i++)
		if (fo__map_put(&inv->priv->names, inv->hosts[i].name, inv->hosts[i].name) < 0)
			return -ENOMEM;
	return 0;
}

/* The fallback username, copied into the arena once per load. */
int fo__inv_user(struct fo_inv *inv, const char **user)
{
	*user = NULL;
	if (inv->user && !(*user = fo__arena_strndup(&inv->priv->arena, inv->user, strlen(inv->user))))
		return -ENOMEM;
	return 0;
}

const struct fo_inv_val *fo_inv_val_get(const struct fo_inv_val *map, const char *key)
{
	size_t i;

	if (!map || map->type != FO_INV_MAP)
		return NULL;
	for (i = 0; i < map->n; i++)
		if (!strcmp(map->keys[i], key))
			return map->items[i];
	return NULL;
}

/* ---- secret keys ----------------------------------------------------------------------- */

static const char *const secret_names[] = { "password", "passwd", "pwd", "secret", "token", "passphrase",
					    "api_key", "apikey", "private_key", "auth_secondary" };
static const char *const secret_ends[] = { "_password", "_passwd", "_secret", "_token", "_passphrase", "_key" };

/* The n bytes of key are name's, without case and with '-' for '_'. */
static bool same(const char *key, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tolower((unsigned char)key[i]) != name[i] && !(key[i] == '-' && name[i] == '_'))
			return false;
	return true;
}

bool fo_inv_key_secret(const char *key)
{
	size_t len = strlen(key), i;

	for (i = 0; i < sizeof(secret_names) / sizeof(secret_names[0]); i++)
		if (strlen(secret_names[i]) == len && same(key, secret_names[i], len))
			return true;
	for (i = 0; i < sizeof(secret_ends) / sizeof(secret_ends[0]); i++) {
		size_t n = strlen(secret_ends[i]);

		if (len > n && same(key + len - n, secret_ends[i], n))
			return true;
	}
	return false;
}

const struct fo_inv_conn *fo_inv_host_conn(const struct fo_inv_host *h, const char *name)
{
	size_t i;

	for (i = 0; i < h->nconn; i++)
		if (!strcmp(h->conn[i].name, name))
			return &h->conn[i];
	return NULL;
}

/* ---- host lists -------------------------------------------------------------------------- */

struct add {
	struct fo_inv *inv;
	const char *user;  /* inv->user, copied */
	const char *given; /* the last USER@ of the list, copied */
};

static int add_one(void *arg, const char *name, size_t len, const char *user)
{
	struct add *a = arg;
	struct fo_inv *inv = a->inv;
	struct fo_inv_host *h;
	char *copy;
	int r;

	if (fo__map_get(&inv->priv->names, name))
		return 0;
	if (user && (!a->given || strcmp(a->given, user)) &&
	    !(a->given = fo__arena_strndup(&inv->priv->arena, user, strlen(user))))
		return -ENOMEM;
	if (fo__inv_reserve(inv, 1) < 0 || !(copy = fo__arena_strndup(&inv->priv->arena, name, len)))
		return -ENOMEM;
	h = &inv->hosts[inv->nhosts];
	memset(h, 0, sizeof(*h));
	h->name = h->hostname = copy;
	h->port = inv->port;
	h->username = user ? a->given : a->user; /* pdsh: USER@ before -l */
	h->data = fo__inv_empty_map;
	if ((r = fo__map_put(&inv->priv->names, copy, copy)) < 0)
		return r;
	inv->nhosts++;
	return 0;
}

int fo_inv_add_hostlist(struct fo_inv *inv, const char *list, char *err, size_t errlen)
{
	struct add a = { inv, NULL, NULL };
	size_t before = inv->nhosts, n = 0;
	int r;

	if (err && errlen)
		err[0] = 0;
	if (fo__inv_priv(inv) < 0 || fo__inv_user(inv, &a.user) < 0)
		return -ENOMEM;
	r = fo_hostlist_expand_users(list, FO_HOSTLIST_FILES, inv->priv->listed, add_one, &a, &n, err, errlen);
	if (r < 0) {
		/* say what was being read, unless the message names a file already */
		if (r == -ENOMEM && err && errlen && !strstr(err, "host file '"))
			snprintf(err, errlen, "cannot read host list '%.80s%s': out of memory", list,
				 strlen(list) > 80 ? "..." : "");
		inv->nhosts = before;
		fo__inv_names_rebuild(inv);
		return r;
	}
	inv->priv->listed += n;
	return r;
}

int fo_inv_add_hosts_file(struct fo_inv *inv, const char *path, char *err, size_t errlen)
{
	size_t n = strlen(path) + 2;
	char *list = malloc(n);
	int r;

	if (!list)
		return -ENOMEM;
	snprintf(list, n, "^%s", path);
	r = fo_inv_add_hostlist(inv, list, err, errlen);
	free(list);
	return r;
}

/* ---- filters ----------------------------------------------------------------------------- */

struct nameset {
	struct fo__map m;
	struct arena a;
};

static int set_add(void *arg, const char *name, size_t len)
{
	struct nameset *s = arg;
	char *copy = fo__arena_strndup(&s->a, name, len);

	if (!copy)
		return -ENOMEM;
	return fo__map_put(&s->m, copy, copy) < 0 ? -ENOMEM : 0;
}

static void set_free(struct nameset *s)
{
	fo__map_free(&s->m);
	fo__arena_free(&s->a);
}

static bool text_match(const char *pat, const char *s)
{
	return !strcmp(pat, s) || fnmatch(pat, s, 0) == 0;
}

/*
 * A --filter value is a glob only when it holds '*' or '?' outside
 * brackets, or a '\' escape (then a bracket in it is a class, as fnmatch
 * reads it); otherwise it is compared as written, so that vlans=[1,2] or
 * name=r[1] mean those characters. Either way it matches its own text.
 */
static bool is_glob(const char *pat)
{
	int depth = 0;

	for (; *pat; pat++) {
		if (*pat == '\\' && pat[1])
			return true;
		else if (*pat == '[')
			depth++;
		else if (*pat == ']' && depth)
			depth--;
		else if (!depth && (*pat == '*' || *pat == '?'))
			return true;
	}
	return false;
}

static bool filter_match(const char *pat, const char *s)
{
	return !strcmp(pat, s) || (is_glob(pat) && fnmatch(pat, s, 0) == 0);
}

static bool val_match(const struct fo_inv_val *v, const char *pat)
{
	size_t i;

	if (!v)
		return !*pat;
	switch (v->type) {
	case FO_INV_NULL:
		return !*pat || !strcmp(pat, "null") || !strcmp(pat, "~");
	case FO_INV_BOOL:
		return !strcasecmp(pat, v->s);
	case FO_INV_LIST:
		for (i = 0; i < v->n; i++)
			if (v->items[i]->type != FO_INV_LIST && v->items[i]->type != FO_INV_MAP &&
			    val_match(v->items[i], pat))
				return true;
		return false;
	case FO_INV_MAP:
		return false;
	default:
		return filter_match(pat, v->s);
	}
}

/* data key: exact, else a.b.c through nested maps; "data." may lead. */
static const struct fo_inv_val *data_lookup(const struct fo_inv_val *data, const char *key)
{
	const struct fo_inv_val *v = fo_inv_val_get(data, key);
	char part[256];

	if (v || !strchr(key, '.'))
		return v;
	if (!strncmp(key, "data.", 5) && (v = fo_inv_val_get(data, key + 5)))
		return v;
	if (!strncmp(key, "data.", 5))
		key += 5;
	v = data;
	while (v && *key) {
		size_t n = strcspn(key, ".");

		if (n >= sizeof(part))
			return NULL;
		memcpy(part, key, n);
		part[n] = 0;
		v = fo_inv_val_get(v, part);
		key += n + (key[n] == '.');
	}
	return v;
}

/* match: text_match for --group (globs as fnmatch has them), filter_match
 * for --filter group=G. */
static bool in_group(const struct fo_inv_host *h, const char *g, bool (*match)(const char *, const char *))
{
	size_t i;

	for (i = 0; i < h->nall_groups; i++)
		if (match(g, h->all_groups[i]))
			return true;
	return false;
}

static bool attr_match(const struct fo_inv_host *h, const char *key, const char *pat)
{
	char port[16];

	if (!strcmp(key, "name"))
		return filter_match(pat, h->name);
	if (!strcmp(key, "hostname"))
		return filter_match(pat, h->hostname);
	if (!strcmp(key, "username"))
		return h->username ? filter_match(pat, h->username) : !*pat;
	if (!strcmp(key, "platform"))
		return h->platform ? filter_match(pat, h->platform) : !*pat;
	if (!strcmp(key, "port")) {
		snprintf(port, sizeof(port), "%d", h->port);
		return filter_match(pat, port);
	}
	if (!strcmp(key, "group") || !strcmp(key, "groups"))
		return in_group(h, pat, filter_match);
	return val_match(data_lookup(&h->data, key), pat);
}

struct attr {
	char key[256];
	const char *pat;
	bool neg;
};

int fo_inv_parse_shard(const char *s, unsigned *k, unsigned *n, char *err, size_t errlen)
{
	unsigned long a, b;
	char *end;

	if (!s || !*s || !isdigit((unsigned char)*s))
		goto bad;
	a = strtoul(s, &end, 10);
	if (*end != '/' || !isdigit((unsigned char)end[1]))
		goto bad;
	b = strtoul(end + 1, &end, 10);
	if (*end || a < 1 || b < 1 || a > b || b > 1000000)
		goto bad;
	*k = (unsigned)a;
	*n = (unsigned)b;
	return 0;
bad:
	snprintf(err, errlen, "bad --shard '%s': expected K/N with 1 <= K <= N, such as 2/8", s ? s : "");
	return -EINVAL;
}

/* The attributes of f split into key and pattern: 0 or -EINVAL. */
static int parse_attrs(const struct fo_inv_filter *f, struct attr *attrs, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < f->nattrs; i++) {
		const char *a = f->attrs[i], *eq = strchr(a, '=');
		size_t kl;

		if (!eq || eq == a || (eq == a + 1 && a[0] == '!')) {
			snprintf(err, errlen,
				 "bad --filter '%s': expected KEY=VALUE or KEY!=VALUE, such as site=ams", a);
			return -EINVAL;
		}
		attrs[i].neg = eq[-1] == '!';
		kl = (size_t)(eq - a) - attrs[i].neg;
		if (kl >= sizeof(attrs[i].key)) {
			snprintf(err, errlen, "bad --filter '%.40s...': the key is too long", a);
			return -EINVAL;
		}
		memcpy(attrs[i].key, a, kl);
		attrs[i].key[kl] = 0;
		attrs[i].pat = eq + 1;
	}
	return 0;
}

/* Every group of f (a glob: some group) is in the inventory: 0 or -EINVAL. */
static int check_groups(const struct fo_inv *inv, const struct fo_inv_filter *f, char *err, size_t errlen)
{
	size_t i, k;

	for (i = 0; i < f->ngroups; i++) {
		const char *g = f->groups[i];
		bool found = fo__map_get(&inv->priv->groups, g) != NULL;

		for (k = 0; !found && strpbrk(g, "*?[") && k < inv->priv->groups.cap; k++)
			found = inv->priv->groups.keys[k] && !fnmatch(g, inv->priv->groups.keys[k], 0);
		if (!found) {
			snprintf(err, errlen, "bad --group '%s': no such group in the inventory%s", g,
				 inv->priv->groups.n ? "" : " (it has no groups.yaml groups)");
			return -EINVAL;
		}
	}
	return 0;
}

int fo_inv_filter(struct fo_inv *inv, const struct fo_inv_filter *f, char *err, size_t errlen)
{
	struct nameset ex = { { 0 }, { 0 } }, keep = { { 0 }, { 0 } };
	struct attr *attrs = NULL;
	size_t i, k, n = 0, kept = 0, nex = 0, nkeep = 0;
	int r = 0;

	if (err && errlen)
		err[0] = 0;
	if (f->nshards && (f->shard < 1 || f->shard > f->nshards)) {
		snprintf(err, errlen, "bad shard %u of %u", f->shard, f->nshards);
		return -EINVAL;
	}
	if (fo__inv_priv(inv) < 0)
		return -ENOMEM;
	attrs = calloc(f->nattrs + 1, sizeof(*attrs));
	if (!attrs)
		return -ENOMEM;
	if ((r = parse_attrs(f, attrs, err, errlen)) < 0 || (r = check_groups(inv, f, err, errlen)) < 0)
		goto out;
	if (f->exclude && (r = fo_hostlist_expand_after(f->exclude, FO_HOSTLIST_FILES, inv->priv->listed, set_add,
							 &ex, &nex, err, errlen)) < 0)
		goto out;
	if (f->names && (r = fo_hostlist_expand_after(f->names, FO_HOSTLIST_FILES, inv->priv->listed + nex, set_add,
						       &keep, &nkeep, err, errlen)) < 0)
		goto out;
	for (i = 0; i < inv->nhosts; i++) {
		const struct fo_inv_host *h = &inv->hosts[i];
		bool ok = true;

		if (f->exclude && fo__map_get(&ex.m, h->name))
			ok = false;
		if (ok && f->names && !fo__map_get(&keep.m, h->name))
			ok = false;
		if (ok && f->ngroups) {
			ok = false;
			for (k = 0; k < f->ngroups && !ok; k++)
				ok = in_group(h, f->groups[k], text_match);
		}
		for (k = 0; ok && k < f->nattrs; k++)
			ok = attr_match(h, attrs[k].key, attrs[k].pat) != attrs[k].neg;
		if (!ok || (f->limit && kept >= f->limit))
			continue;
		if (!f->nshards || kept % f->nshards == f->shard - 1)
			inv->hosts[n++] = *h;
		kept++;
	}
	inv->nhosts = n;
	inv->priv->listed += nex + nkeep;
	r = fo__inv_names_rebuild(inv);
out:
	if (r == -ENOMEM && err && errlen && !err[0])
		snprintf(err, errlen, "out of memory");
	free(attrs);
	set_free(&ex);
	set_free(&keep);
	return r;
}
