/*
 * `fanout inventory`: loads the sources named on the command line (nornir
 * files, host lists, host files), applies the filters, and prints each host
 * with its effective settings, as a table for people or as JSON Lines.
 * Passwords never appear: a host that has one shows "********", as does
 * every value of data and extras under a secret key (fo_inv_key_secret).
 * This is the same selection `fanout run` will make, so users check it
 * here first.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cli/cli.h"
#include "../util/term.h"
#include "inventory.h"

#define MASK "********"
#define COL_MAX 40 /* widest a padded column gets; longer cells push the row */
#define JSON_DEPTH 100

static void usage(FILE *f)
{
	fputs("usage: fanout inventory [-i DIR] [--hosts-file FILE] [-w LIST] [-x LIST]\n"
	      "                        [--group G] [--filter KEY=VALUE] [--limit N|LIST]\n"
	      "                        [--shard K/N] [--user USER] [--port PORT] [--json]\n"
	      "\n"
	      "Prints the hosts a run would reach, with their effective settings.\n"
	      "\n"
	      "sources (at least one; several add up, a name seen again is skipped):\n"
	      "  -i, --inventory DIR  nornir SimpleInventory: DIR/hosts.yaml, and groups.yaml and\n"
	      "                       defaults.yaml when there (or the hosts file itself); values\n"
	      "                       inherited host -> groups -> defaults as nornir does\n"
	      "  -w LIST              host list: core-[01-40].dc[1-3], a,b,c, n[1,3,5-7], ^FILE\n"
	      "  --hosts-file FILE    hosts one per line (# comments; each line may be a LIST)\n"
	      "  --user USER          username of hosts that set none (default $USER)\n"
	      "  --port PORT          port of hosts that set none (default 22)\n"
	      "filters, in this order:\n"
	      "  -x LIST              drop these names (same syntax as -w)\n"
	      "  --limit LIST         keep only these names\n"
	      "  --group G[,G...]     hosts in any of these groups, directly or through nested\n"
	      "                       groups (repeatable; globs such as 'core*' allowed)\n"
	      "  --filter KEY=VALUE   hosts whose data KEY (a.b for nested) is VALUE, or one of\n"
	      "                       name, hostname, port, username, platform, group; VALUE may\n"
	      "                       be a glob; KEY!=VALUE negates; repeat: all must hold\n"
	      "  --limit N            then the first N hosts\n"
	      "  --shard K/N          then every Nth host from the Kth: the hosts of run K of N\n"
	      "output:\n"
	      "  --json               JSON Lines, one host per line, instead of the table\n"
	      "\n"
	      "Passwords print as " MASK ", and so do the values of data and extras under\n"
	      "secret keys at any depth (password, secret, token, passphrase, *_password,\n"
	      "*_secret, *_token, *_key, ...). In YAML, password_env: VAR and password_file:\n"
	      "PATH may stand for password: (see docs). Bounds: a YAML file 64 MiB, nested 64\n"
	      "deep; a host file 256 MiB; the host lists of a run (-w, -x, --limit, host\n"
	      "files) 10,000,000 names in all. Exit: 0 hosts printed, 1 no host left,\n"
	      "2 bad usage or an unreadable inventory.\n",
	      f);
}

/* ---- JSON ------------------------------------------------------------------------------ */

/* Length of the UTF-8 sequence at s, or 0 when it is not valid. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((n == 3 && s[0] == 0xe0 && s[1] < 0xa0) || (n == 3 && s[0] == 0xed && s[1] >= 0xa0) ||
	    (n == 4 && s[0] == 0xf0 && s[1] < 0x90) || (n == 4 && s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return n;
}

static void json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!s) {
		fputs("null", f);
		return;
	}
	putc('"', f);
	while (*p) {
		size_t n;

		if (*p == '"' || *p == '\\') {
			putc('\\', f);
			putc(*p++, f);
		} else if (*p == '\n') {
			fputs("\\n", f);
			p++;
		} else if (*p == '\t') {
			fputs("\\t", f);
			p++;
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\u%04x", *p++);
		} else if ((n = utf8_len(p)) == 0) {
			fputs("\\ufffd", f); /* not UTF-8 (a name from the command line) */
			p++;
		} else {
			fwrite(p, 1, n, f);
			p += n;
		}
	}
	putc('"', f);
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)? */
static bool json_number(const char *s, bool integer)
{
	const char *p = s;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		p += strspn(p, "0123456789");
	else
		return false;
	if (integer)
		return !*p;
	if (*p == '.') {
		if (!strspn(p + 1, "0123456789"))
			return false;
		p += 1 + strspn(p + 1, "0123456789");
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '-' || *p == '+')
			p++;
		if (!strspn(p, "0123456789"))
			return false;
		p += strspn(p, "0123456789");
	}
	return !*p;
}

static void json_scalar_num(FILE *f, const struct fo_inv_val *v)
{
	const char *s = v->s;
	char *end;

	if (json_number(s, v->type == FO_INV_INT)) {
		fputs(s, f);
		return;
	}
	errno = 0;
	if (v->type == FO_INV_INT) {
		bool neg = *s == '-';
		const char *d = s + (*s == '-' || *s == '+');
		int base = !strncmp(d, "0x", 2) ? 16 : !strncmp(d, "0o", 2) ? 8 : 10;
		unsigned long long u = strtoull(base == 10 ? d : d + 2, &end, base);

		if (!errno && !*end && u <= (unsigned long long)LLONG_MAX) {
			fprintf(f, "%lld", neg ? -(long long)u : (long long)u);
			return;
		}
	} else {
		double x = strtod(s, &end);

		if (!errno && !*end && isfinite(x)) {
			char buf[40];

			snprintf(buf, sizeof(buf), "%.15g", x);
			if (strtod(buf, NULL) != x)
				snprintf(buf, sizeof(buf), "%.17g", x);
			if (json_number(buf, false)) {
				fputs(buf, f);
				return;
			}
		}
	}
	json_str(f, s); /* .inf, .nan, too large: as text */
}

/* A value as JSON; under a secret key (secret) every scalar but null prints as MASK. */
static void json_val(FILE *f, const struct fo_inv_val *v, int depth, bool secret)
{
	size_t i;

	if (!v || depth > JSON_DEPTH) {
		fputs("null", f);
		return;
	}
	if (secret && v->type != FO_INV_NULL && v->type != FO_INV_LIST && v->type != FO_INV_MAP) {
		json_str(f, MASK);
		return;
	}
	switch (v->type) {
	case FO_INV_NULL:
		fputs("null", f);
		break;
	case FO_INV_BOOL:
		fputs(v->s, f);
		break;
	case FO_INV_INT:
	case FO_INV_FLOAT:
		json_scalar_num(f, v);
		break;
	case FO_INV_STR:
		json_str(f, v->s);
		break;
	case FO_INV_LIST:
		putc('[', f);
		for (i = 0; i < v->n; i++) {
			if (i)
				putc(',', f);
			json_val(f, v->items[i], depth + 1, secret);
		}
		putc(']', f);
		break;
	case FO_INV_MAP:
		putc('{', f);
		for (i = 0; i < v->n; i++) {
			if (i)
				putc(',', f);
			json_str(f, v->keys[i]);
			putc(':', f);
			json_val(f, v->items[i], depth + 1, secret || fo_inv_key_secret(v->keys[i]));
		}
		putc('}', f);
		break;
	}
}

static void json_names(FILE *f, const char *const *names, size_t n)
{
	size_t i;

	putc('[', f);
	for (i = 0; i < n; i++) {
		if (i)
			putc(',', f);
		json_str(f, names[i]);
	}
	putc(']', f);
}

void fo_inv_host_json(FILE *f, const struct fo_inv_host *h)
{
	size_t i;

	fputs("{\"name\":", f);
	json_str(f, h->name);
	fputs(",\"hostname\":", f);
	json_str(f, h->hostname);
	fprintf(f, ",\"port\":%d,\"username\":", h->port);
	json_str(f, h->username);
	fputs(",\"password\":", f);
	json_str(f, h->password || h->password_ref ? MASK : NULL);
	fputs(",\"platform\":", f);
	json_str(f, h->platform);
	fputs(",\"groups\":", f);
	json_names(f, h->groups, h->ngroups);
	fputs(",\"all_groups\":", f);
	json_names(f, h->all_groups, h->nall_groups);
	fputs(",\"data\":", f);
	json_val(f, &h->data, 0, false);
	fputs(",\"connection_options\":{", f);
	for (i = 0; i < h->nconn; i++) {
		const struct fo_inv_conn *c = &h->conn[i];

		if (i)
			putc(',', f);
		json_str(f, c->name);
		fputs(":{\"hostname\":", f);
		json_str(f, c->hostname);
		fprintf(f, ",\"port\":%d,\"username\":", c->port);
		json_str(f, c->username);
		fputs(",\"password\":", f);
		json_str(f, c->password || c->password_ref ? MASK : NULL);
		fputs(",\"platform\":", f);
		json_str(f, c->platform);
		fputs(",\"extras\":", f);
		json_val(f, &c->extras, 0, false);
		putc('}', f);
	}
	fputs("}}\n", f);
}

/* ---- the table ---------------------------------------------------------------------------- */

/* A growable string; a failed allocation leaves it cut short, never invalid. */
struct sb {
	char *b;
	size_t n, cap;
	bool oom;
};

static void sb_add(struct sb *s, const char *p, size_t len)
{
	if (s->oom)
		return;
	if (s->n + len + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 128;
		char *nb;

		while (cap < s->n + len + 1)
			cap *= 2;
		nb = realloc(s->b, cap);
		if (!nb) {
			s->oom = true;
			return;
		}
		s->b = nb;
		s->cap = cap;
	}
	memcpy(s->b + s->n, p, len);
	s->n += len;
	s->b[s->n] = 0;
}

static void sb_str(struct sb *s, const char *p)
{
	sb_add(s, p, strlen(p));
}

static void sb_reset(struct sb *s)
{
	s->n = 0;
	if (s->b)
		s->b[0] = 0;
}

/* A scalar for the table: as is, or JSON-quoted when it has blanks or is empty. */
static void sb_cell_text(struct sb *s, const char *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m;

	if (*t && !strpbrk(t, " \t\r\n\"=,") && !strchr(t, 0x7f)) {
		const unsigned char *p;

		for (p = (const unsigned char *)t; *p && *p >= 0x20; p++)
			;
		if (!*p) {
			sb_str(s, t);
			return;
		}
	}
	m = open_memstream(&buf, &len);
	if (!m) {
		s->oom = true;
		return;
	}
	json_str(m, t);
	fclose(m);
	sb_add(s, buf, len);
	free(buf);
}

/* A value for the table; secret: it is under a secret key (see json_val). */
static void sb_val(struct sb *s, const struct fo_inv_val *v, bool secret)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m;

	if (v->type != FO_INV_LIST && v->type != FO_INV_MAP) {
		sb_cell_text(s, v->type == FO_INV_NULL ? "null" : secret ? MASK : v->s);
		return;
	}
	m = open_memstream(&buf, &len);
	if (!m) {
		s->oom = true;
		return;
	}
	json_val(m, v, 0, secret);
	fclose(m);
	sb_add(s, buf, len);
	free(buf);
}

static void cell_groups(struct sb *s, const struct fo_inv_host *h)
{
	size_t i;

	for (i = 0; i < h->ngroups; i++) {
		if (i)
			sb_str(s, ",");
		sb_cell_text(s, h->groups[i]);
	}
}

static bool differs(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a && strcmp(a, b));
}

static void field(struct sb *s, bool *first, const char *label, bool changed, const char *text)
{
	if (!changed)
		return;
	if (!*first)
		sb_str(s, ",");
	sb_str(s, label);
	sb_str(s, "=");
	sb_cell_text(s, text ? text : "null");
	*first = false;
}

/* Each connection option with what it changes: netconf(port=830,username=nc). */
static void cell_options(struct sb *s, const struct fo_inv_host *h)
{
	size_t i;

	for (i = 0; i < h->nconn; i++) {
		const struct fo_inv_conn *c = &h->conn[i];
		bool first = true;
		char port[16];

		if (i)
			sb_str(s, " ");
		sb_cell_text(s, c->name);
		sb_str(s, "(");
		field(s, &first, "hostname", differs(c->hostname, h->hostname), c->hostname);
		snprintf(port, sizeof(port), "%d", c->port);
		field(s, &first, "port", c->port != h->port, port);
		field(s, &first, "username", differs(c->username, h->username), c->username);
		field(s, &first, "password", c->password != h->password || c->password_ref != h->password_ref,
		      c->password || c->password_ref ? MASK : NULL);
		field(s, &first, "platform", differs(c->platform, h->platform), c->platform);
		if (c->extras.type == FO_INV_MAP) {
			sb_str(s, first ? "extras=" : ",extras=");
			sb_val(s, &c->extras, false);
		}
		sb_str(s, ")");
	}
}

static void cell_data(struct sb *s, const struct fo_inv_host *h)
{
	size_t i;

	for (i = 0; i < h->data.n; i++) {
		if (i)
			sb_str(s, " ");
		sb_cell_text(s, h->data.keys[i]);
		sb_str(s, "=");
		sb_val(s, h->data.items[i], fo_inv_key_secret(h->data.keys[i]));
	}
}

/* Display width: code points, not bytes. */
static size_t width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

enum { C_NAME, C_HOST, C_PORT, C_USER, C_PLATFORM, C_GROUPS, C_PASSWORD, C_OPTIONS, C_DATA, NCOLS };

static const char *const heads[NCOLS] = { "NAME",     "HOSTNAME", "PORT",    "USERNAME", "PLATFORM",
					  "GROUPS",   "PASSWORD", "OPTIONS", "DATA" };

static void cells(const struct fo_inv_host *h, struct sb *c, bool options)
{
	char port[16];
	int i;

	for (i = 0; i < NCOLS; i++)
		sb_reset(&c[i]);
	sb_cell_text(&c[C_NAME], h->name);
	sb_cell_text(&c[C_HOST], h->hostname);
	snprintf(port, sizeof(port), "%d", h->port);
	sb_str(&c[C_PORT], port);
	sb_str(&c[C_USER], "-");
	if (h->username) {
		sb_reset(&c[C_USER]);
		sb_cell_text(&c[C_USER], h->username);
	}
	if (h->platform)
		sb_cell_text(&c[C_PLATFORM], h->platform);
	else
		sb_str(&c[C_PLATFORM], "-");
	cell_groups(&c[C_GROUPS], h);
	if (!h->ngroups)
		sb_str(&c[C_GROUPS], "-");
	sb_str(&c[C_PASSWORD], h->password || h->password_ref ? MASK : "-");
	if (options) {
		cell_options(&c[C_OPTIONS], h);
		if (!h->nconn)
			sb_str(&c[C_OPTIONS], "-");
	}
	cell_data(&c[C_DATA], h);
	if (!h->data.n)
		sb_str(&c[C_DATA], "-");
}

/* The row of host h, each cell neutralised for the terminal (STYLE 17):
 * names and values from an inventory may hold escape sequences. */
static void safe_cells(const struct fo_inv_host *h, struct sb c[NCOLS], bool options)
{
	int k;

	cells(h, c, options);
	for (k = 0; k < NCOLS; k++) {
		struct fo_sbuf t = { 0 };

		if (!c[k].b || fo__term_safe(c[k].b, c[k].n))
			continue;
		fo__term_add(&t, c[k].b, c[k].n);
		sb_reset(&c[k]);
		if (t.oom)
			c[k].oom = true;
		else
			sb_add(&c[k], t.p, t.len);
		free(t.p);
	}
}

static int print_table(FILE *f, const struct fo_inv *inv)
{
	struct sb c[NCOLS];
	size_t w[NCOLS], i;
	bool options = false, oom = false;
	int k;

	memset(c, 0, sizeof(c));
	for (i = 0; i < inv->nhosts; i++)
		options |= inv->hosts[i].nconn > 0;
	for (k = 0; k < NCOLS; k++)
		w[k] = width(heads[k]);
	for (i = 0; i < inv->nhosts; i++) {
		safe_cells(&inv->hosts[i], c, options);
		for (k = 0; k < NCOLS; k++) {
			size_t cw = c[k].b ? width(c[k].b) : 0;

			if (cw > w[k])
				w[k] = cw > COL_MAX ? COL_MAX : cw;
		}
	}
	for (i = 0; i <= inv->nhosts; i++) {
		int last = NCOLS - 1;

		if (i)
			safe_cells(&inv->hosts[i - 1], c, options);
		for (k = 0; k <= last; k++) {
			const char *t = i ? (c[k].b ? c[k].b : "") : heads[k];
			size_t tw = width(t);

			if (k == C_OPTIONS && !options)
				continue;
			fputs(t, f);
			if (k < last)
				fprintf(f, "%*s", (int)(tw < w[k] ? w[k] - tw + 2 : 2), "");
		}
		putc('\n', f);
		for (k = 0; k < NCOLS; k++)
			oom |= c[k].oom;
	}
	for (k = 0; k < NCOLS; k++)
		free(c[k].b);
	return oom ? -ENOMEM : 0;
}

/* ---- the command ------------------------------------------------------------------------- */

/* A source (-i, -w, --hosts-file) or a host list filter (-x, --limit LIST), in order. */
struct source {
	const char *flag, *value;
};

/* What the command line asked for; the arrays are malloc'd, the strings argv's. */
struct cmd {
	struct source *src;
	size_t nsrc, nhost_srcs; /* all; those that add hosts */
	const char **attrs, **groups;
	size_t nattrs, ngroups;
	char *exclude, *names; /* comma lists of every -x, every --limit LIST */
	size_t limit;
	unsigned shard, nshards;
	const char *user;
	int port;
	bool json;
};

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

/* --limit N or --limit LIST: 0, or the exit code after a message. */
static int take_limit(struct cmd *c, const char *a, const char *v)
{
	uint64_t n;

	if (!count_like(v)) {
		c->src[c->nsrc++] = (struct source){ a, v };
		return join(&c->names, v) < 0 ? -ENOMEM : 0;
	}
	if (fo_cli_uint(v, 1, FO_HOSTLIST_MAX, &n) < 0)
		return fo_cli_bad(a, v, "a count from 1 to 10000000, or host names such as r[1-4]");
	c->limit = (size_t)n;
	return 0;
}

/* One flag a and its value v: 0, -ENOMEM, or the exit code after a message. */
static int take(struct cmd *c, const char *a, char *v)
{
	uint64_t n;

	if (!strcmp(a, "-i") || !strcmp(a, "--inventory") || !strcmp(a, "-w") || !strcmp(a, "--hosts-file")) {
		if (!*v)
			return fo_cli_bad(a, v, !strcmp(a, "-w") ? "host names such as core-[01-40]" : "a path");
		c->src[c->nsrc++] = (struct source){ a, v };
		c->nhost_srcs++;
	} else if (!strcmp(a, "-x") || !strcmp(a, "--exclude")) {
		c->src[c->nsrc++] = (struct source){ a, v };
		return join(&c->exclude, v) < 0 ? -ENOMEM : 0;
	} else if (!strcmp(a, "--group") || !strcmp(a, "-g")) {
		if (!*v || strspn(v, ",") == strlen(v))
			return fo_cli_bad(a, v, "a group name, or several with commas");
		return split_groups(&c->groups, &c->ngroups, v);
	} else if (!strcmp(a, "--filter")) {
		const char *eq = strchr(v, '=');

		if (!eq || eq == v || (eq == v + 1 && *v == '!'))
			return fo_cli_bad(a, v, "KEY=VALUE or KEY!=VALUE, such as site=ams or platform=ios");
		c->attrs[c->nattrs++] = v;
	} else if (!strcmp(a, "--limit")) {
		return take_limit(c, a, v);
	} else if (!strcmp(a, "--shard")) {
		char err[256];

		if (fo_inv_parse_shard(v, &c->shard, &c->nshards, err, sizeof(err)) < 0) {
			fprintf(stderr, "fanout: %s\n", err);
			return 2;
		}
	} else if (!strcmp(a, "--user") || !strcmp(a, "-l")) {
		if (!*v)
			return fo_cli_bad(a, v, "a user name");
		c->user = v;
	} else if (!strcmp(a, "--port") || !strcmp(a, "-p")) {
		if (fo_cli_uint(v, 1, 65535, &n) < 0)
			return fo_cli_bad(a, v, "a port from 1 to 65535");
		c->port = (int)n;
	} else {
		fprintf(stderr, "fanout: unknown option '%s' for 'inventory' (see fanout inventory --help)\n", a);
		return 2;
	}
	return 0;
}

/* The command line into c: 0, -1 for --help (printed), -ENOMEM, or the exit code. */
static int parse(struct cmd *c, int argc, char **argv)
{
	size_t i;
	int r;

	for (i = 0; i < (size_t)argc; i++) {
		const char *a = argv[i], *v = i + 1 < (size_t)argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return -1;
		} else if (!strcmp(a, "--json")) {
			c->json = true;
			continue;
		} else if (a[0] != '-') {
			fprintf(stderr,
				"fanout: unexpected '%s'; name hosts with -w LIST, -i DIR or --hosts-file FILE\n", a);
			return 2;
		}
		if (!v) {
			fprintf(stderr, "fanout: %s needs a value (see fanout inventory --help)\n", a);
			return 2;
		}
		if ((r = take(c, a, argv[++i])) != 0)
			return r;
	}
	return 0;
}

/* A host list that failed: one line, exit code 2. */
static int list_error(const char *flag, const char *v, int r, const char *err)
{
	if (r == -EINVAL || r == -E2BIG)
		fprintf(stderr, "fanout: bad %s '%s': %s\n", flag, v, err);
	else if (r == -ENOMEM && !strstr(err, "host file '") && !strstr(err, "host list '"))
		fprintf(stderr, "fanout: cannot read host list '%s': out of memory\n", v);
	else
		fprintf(stderr, "fanout: %s\n", err); /* names the file */
	return 2;
}

/*
 * Every host list of the command counted before any is expanded: the cap
 * of FO_HOSTLIST_MAX names is on all of them together, and counting costs
 * no memory (the inventory checks again as it expands). 0 or the exit code.
 */
static int count_lists(const struct cmd *c)
{
	char err[1024], *list = NULL;
	size_t used = 0, n, i;
	int r = 0;

	for (i = 0; i < c->nsrc && !r; i++) {
		const char *a = c->src[i].flag, *v = c->src[i].value;

		if (!strcmp(a, "-i") || !strcmp(a, "--inventory"))
			continue;
		free(list);
		list = NULL;
		if (!strcmp(a, "--hosts-file") && asprintf(&list, "^%s", v) < 0) {
			list = NULL;
			r = list_error(a, v, -ENOMEM, "");
			break;
		}
		r = fo_hostlist_expand_after(list ? list : v, FO_HOSTLIST_FILES, used, NULL, NULL, &n, err,
					     sizeof(err));
		if (r < 0)
			r = list_error(a, v, r, err);
		else
			used += n;
	}
	free(list);
	return r;
}

/* The sources into inv, in order: 0 or the exit code after a message. */
static int load_sources(struct fo_inv *inv, const struct cmd *c)
{
	char err[1024];
	size_t i;
	int r;

	for (i = 0; i < c->nsrc; i++) {
		const char *a = c->src[i].flag, *v = c->src[i].value;

		err[0] = 0;
		if (!strcmp(a, "-i") || !strcmp(a, "--inventory"))
			r = fo_inv_load_nornir(inv, v, err, sizeof(err));
		else if (!strcmp(a, "-w"))
			r = fo_inv_add_hostlist(inv, v, err, sizeof(err));
		else if (!strcmp(a, "--hosts-file"))
			r = fo_inv_add_hosts_file(inv, v, err, sizeof(err));
		else
			continue; /* -x, --limit LIST: filters */
		if (r < 0 && (!strcmp(a, "-i") || !strcmp(a, "--inventory")))
			fprintf(stderr, "fanout: %s\n", err[0] ? err : "out of memory");
		else if (r < 0)
			list_error(a, v, r, err);
		if (r < 0)
			return 2;
	}
	return 0;
}

/* The filters of c on inv: 0, or the exit code after a message. */
static int select_hosts(struct fo_inv *inv, const struct cmd *c)
{
	struct fo_inv_filter flt;
	char err[1024];
	int r;

	memset(&flt, 0, sizeof(flt));
	flt.exclude = c->exclude;
	flt.names = c->names;
	flt.groups = c->groups;
	flt.ngroups = c->ngroups;
	flt.attrs = c->attrs;
	flt.nattrs = c->nattrs;
	flt.limit = c->limit;
	flt.shard = c->shard;
	flt.nshards = c->nshards;
	r = fo_inv_filter(inv, &flt, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "fanout: %s\n", r == -ENOMEM && !err[0] ? "out of memory" : err);
		return r == -ENOMEM ? 1 : 2;
	}
	if (!inv->nhosts) {
		fprintf(stderr, "fanout: no host left after -x, --limit, --group, --filter and --shard\n");
		return 1;
	}
	return 0;
}

/* The hosts to stdout: the exit code. */
static int print_hosts(const struct fo_inv *inv, bool json)
{
	size_t i;

	if (json) {
		for (i = 0; i < inv->nhosts; i++)
			fo_inv_host_json(stdout, &inv->hosts[i]);
	} else if (print_table(stdout, inv) < 0) {
		fprintf(stderr, "fanout: out of memory\n");
		return 1;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "fanout: cannot write the inventory: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

static int run(struct cmd *c, int argc, char **argv)
{
	struct fo_inv inv;
	size_t i;
	int rc;

	fo_inv_init(&inv);
	rc = parse(c, argc, argv);
	if (rc == -1)
		return 0;
	if (rc == -ENOMEM)
		goto oom;
	if (rc)
		return rc;
	if (!c->nhost_srcs) {
		fprintf(stderr, "fanout: inventory needs hosts: -i DIR (nornir files), -w LIST or --hosts-file FILE\n");
		return 2;
	}
	if (c->user)
		inv.user = c->user;
	if (c->port)
		inv.port = c->port;
	if ((rc = count_lists(c)) || (rc = load_sources(&inv, c)))
		goto out;
	for (i = 0; i < inv.nwarnings; i++)
		fprintf(stderr, "fanout: warning: %s\n", inv.warnings[i]);
	if (!inv.nhosts) {
		fprintf(stderr, "fanout: the inventory has no hosts; add some to hosts.yaml or give -w LIST\n");
		rc = 1;
		goto out;
	}
	if (!(rc = select_hosts(&inv, c)))
		rc = print_hosts(&inv, c->json);
	goto out;
oom:
	fprintf(stderr, "fanout: out of memory\n");
	rc = 1;
out:
	fo_inv_release(&inv);
	return rc;
}

int fo_inventory_main(int argc, char **argv)
{
	struct cmd c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.src = calloc((size_t)argc + 1, sizeof(*c.src));
	c.attrs = calloc((size_t)argc + 1, sizeof(*c.attrs));
	if (!c.src || !c.attrs) {
		fprintf(stderr, "fanout: out of memory\n");
		rc = 1;
	} else {
		rc = run(&c, argc, argv);
	}
	free(c.src);
	free(c.attrs);
	free(c.groups);
	free(c.exclude);
	free(c.names);
	return rc;
}
