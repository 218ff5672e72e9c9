/*
 * The host flags of `fanout inventory` and `fanout run` (see inv_args.h):
 * their parsers, which keep the order the sources stand in, and the
 * loading and filtering both tools do with them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cli/cli.h"
#include "inv_args.h"

static struct fo_inv_args *args_of(void *cfg, const struct fo_opt *o)
{
	return (struct fo_inv_args *)(void *)((char *)cfg + o->off);
}

/* How messages name the flag: as the docs and the old messages did. */
static const char *flag_name(const struct fo_opt *o)
{
	static const char *const names[][2] = { { "inventory", "-i" }, { "hosts", "-w" },
						{ "exclude", "-x" },   { "hosts-file", "--hosts-file" },
						{ "limit", "--limit" } };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(o->name, names[i][0]))
			return names[i][1];
	return o->name;
}

static int push_src(struct fo_inv_args *a, const struct fo_opt *o, const char *v)
{
	struct fo_inv_arg *s = realloc(a->src, (a->nsrc + 1) * sizeof(*s));

	if (!s)
		return -ENOMEM;
	a->src = s;
	a->src[a->nsrc++] = (struct fo_inv_arg){ flag_name(o), v };
	return 0;
}

/* Appends item to a comma list kept in *list (malloc'd). */
static int join(char **list, const char *item)
{
	size_t n = (*list ? strlen(*list) + 1 : 0) + strlen(item) + 1;
	char *l = malloc(n);

	if (!l)
		return -ENOMEM;
	snprintf(l, n, "%s%s%s", *list ? *list : "", *list ? "," : "", item);
	free(*list);
	*list = l;
	return 0;
}

/* -i DIR, -w LIST, --hosts-file FILE: sources, loaded in this order. */
int fo__inv_arg_source(void *cfg, const struct fo_opt *o, const char *v)
{
	struct fo_inv_args *a = args_of(cfg, o);

	if (!*v)
		return -EINVAL;
	if (push_src(a, o, v) < 0)
		return -ENOMEM;
	a->nhost_srcs++;
	return 0;
}

/* -x LIST: every one drops its names; -x '' drops none, as in pdsh and
 * ClusterShell (a script's empty $DOWN). */
int fo__inv_arg_exclude(void *cfg, const struct fo_opt *o, const char *v)
{
	struct fo_inv_args *a = args_of(cfg, o);

	if (!*v)
		return 0;
	return push_src(a, o, v) < 0 || join(&a->exclude, v) < 0 ? -ENOMEM : 0;
}

/* A --limit meant as a count: empty, or digits with a sign or blanks around. */
static bool count_like(const char *v)
{
	size_t d;

	v += strspn(v, " \t");
	if (*v == '-' || *v == '+')
		v++;
	d = strspn(v, "0123456789");
	return d > 0 ? !v[d + strspn(v + d, " \t")] : !*v;
}

/* --limit N (then the first N hosts) or --limit LIST (keep only these). */
int fo__inv_arg_limit(void *cfg, const struct fo_opt *o, const char *v)
{
	struct fo_inv_args *a = args_of(cfg, o);
	uint64_t n;

	if (!count_like(v))
		return push_src(a, o, v) < 0 || join(&a->names, v) < 0 ? -ENOMEM : 0;
	if (fo_cli_uint(v, 1, FO_HOSTLIST_MAX, &n) < 0)
		return -EINVAL;
	a->limit = (size_t)n;
	return 0;
}

int fo__inv_arg_group(void *cfg, const struct fo_opt *o, const char *v)
{
	if (!*v || strspn(v, ",") == strlen(v))
		return -EINVAL;
	return join(&args_of(cfg, o)->groups, v);
}

int fo__inv_arg_filter(void *cfg, const struct fo_opt *o, const char *v)
{
	struct fo_inv_args *a = args_of(cfg, o);
	const char *eq = strchr(v, '='), **n;

	if (!eq || eq == v || (eq == v + 1 && *v == '!'))
		return -EINVAL;
	n = realloc(a->attrs, (a->nattrs + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	a->attrs = n;
	a->attrs[a->nattrs++] = v;
	return 0;
}

int fo__inv_arg_shard(void *cfg, const struct fo_opt *o, const char *v)
{
	struct fo_inv_args *a = args_of(cfg, o);
	char err[128];

	if (!strcmp(v, "auto"))
		return fo__inv_shard_auto(a);
	return fo_inv_parse_shard(v, &a->shard, &a->nshards, err, sizeof(err)) < 0 ? -EINVAL : 0;
}

/* ---- loading and filtering ------------------------------------------------------------- */

static bool is_nornir(const struct fo_inv_arg *s)
{
	return !strcmp(s->flag, "-i");
}

/* The lists that add hosts may give them users (pdsh's USER@HOSTS); those
 * that drop or keep names may not: a user there would match nothing. */
static unsigned adds_users(const struct fo_inv_arg *s)
{
	return !strcmp(s->flag, "-w") || !strcmp(s->flag, "--hosts-file") ? FO_HOSTLIST_USERS : 0;
}

/* A host list that failed, as one message. */
static void list_error(const struct fo_inv_arg *s, int r, const char *why, char *err, size_t errlen)
{
	if (r == -EINVAL || r == -E2BIG)
		snprintf(err, errlen, "bad %s '%s': %s", s->flag, s->value, why);
	else if (r == -ENOMEM && !strstr(why, "host file '") && !strstr(why, "host list '"))
		snprintf(err, errlen, "cannot read host list '%s': out of memory", s->value);
	else
		snprintf(err, errlen, "%s", why); /* names the file */
}

/*
 * Every host list of the command counted before any is expanded: the cap
 * of FO_HOSTLIST_MAX names is on all of them together, and counting costs
 * no memory (the inventory checks again as it expands).
 */
static int count_lists(const struct fo_inv_args *a, char *err, size_t errlen)
{
	char why[1024], *list = NULL;
	size_t used = 0, n, i;
	int r = 0;

	for (i = 0; i < a->nsrc && !r; i++) {
		const struct fo_inv_arg *s = &a->src[i];

		if (is_nornir(s))
			continue;
		free(list);
		list = NULL;
		why[0] = 0;
		if (!strcmp(s->flag, "--hosts-file") && asprintf(&list, "^%s", s->value) < 0) {
			list = NULL;
			r = -ENOMEM;
		} else {
			r = fo_hostlist_expand_after(list ? list : s->value, FO_HOSTLIST_FILES | adds_users(s), used,
						     NULL, NULL, &n, why, sizeof(why));
		}
		if (r < 0)
			list_error(s, r, why, err, errlen);
		else
			used += n;
	}
	free(list);
	return r < 0 ? -1 : 0;
}

int fo_inv_args_load(const struct fo_inv_args *a, struct fo_inv *inv, char *err, size_t errlen)
{
	char why[1024];
	size_t i;
	int r = 0;

	if (a->user)
		inv->user = a->user;
	if (a->port)
		inv->port = (int)a->port;
	if (count_lists(a, err, errlen) < 0)
		return -1;
	for (i = 0; i < a->nsrc && r == 0; i++) {
		const struct fo_inv_arg *s = &a->src[i];

		why[0] = 0;
		if (is_nornir(s))
			r = fo_inv_load_nornir(inv, s->value, why, sizeof(why));
		else if (!strcmp(s->flag, "-w"))
			r = fo_inv_add_hostlist(inv, s->value, why, sizeof(why));
		else if (!strcmp(s->flag, "--hosts-file"))
			r = fo_inv_add_hosts_file(inv, s->value, why, sizeof(why));
		if (r < 0 && is_nornir(s))
			snprintf(err, errlen, "%s", why[0] ? why : "out of memory");
		else if (r < 0)
			list_error(s, r, why, err, errlen);
	}
	return r < 0 ? -1 : 0;
}

static int split_groups(const char ***groups, size_t *n, char *v)
{
	char *save = NULL, *g;

	for (g = strtok_r(v, ",", &save); g; g = strtok_r(NULL, ",", &save)) {
		const char **ng = realloc(*groups, (*n + 1) * sizeof(*ng));

		if (!ng)
			return -ENOMEM;
		*groups = ng;
		(*groups)[(*n)++] = g;
	}
	return 0;
}

int fo_inv_args_filter(const struct fo_inv_args *a, struct fo_inv *inv, char *err, size_t errlen)
{
	struct fo_inv_filter f;
	const char **groups = NULL;
	size_t ngroups = 0;
	char *g = a->groups ? strdup(a->groups) : NULL;
	int r;

	err[0] = 0;
	if ((r = fo__inv_shard_pending(a, err, errlen)) < 0)
		goto out;
	if ((a->groups && !g) || (g && split_groups(&groups, &ngroups, g) < 0)) {
		r = -ENOMEM;
		goto out;
	}
	memset(&f, 0, sizeof(f));
	f.exclude = a->exclude;
	f.names = a->names;
	f.groups = groups;
	f.ngroups = ngroups;
	f.attrs = a->attrs;
	f.nattrs = a->nattrs;
	f.limit = a->limit;
	f.shard = a->shard;
	f.nshards = a->nshards;
	r = fo_inv_filter(inv, &f, err, errlen);
out:
	if (r == -ENOMEM && !err[0])
		snprintf(err, errlen, "out of memory");
	free(groups);
	free(g);
	return r;
}

void fo_inv_args_release(struct fo_inv_args *a)
{
	free(a->src);
	free(a->exclude);
	free(a->names);
	free(a->groups);
	free(a->attrs);
	memset(a, 0, sizeof(*a));
}
