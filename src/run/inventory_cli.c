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
#include "../util/json.h"
#include "../util/table.h"
#include "inv_args.h"
#include "inventory.h"

#define MASK "********"
#define COL_MAX 40 /* widest a padded column gets; longer cells push the row */
#define JSON_DEPTH 100

/* ---- JSON ------------------------------------------------------------------------------ */

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
	fo__json_fputs(f, s); /* .inf, .nan, too large: as text */
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
		fo__json_fputs(f, MASK);
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
		fo__json_fputs(f, v->s);
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
			fo__json_fputs(f, v->keys[i]);
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
		fo__json_fputs(f, names[i]);
	}
	putc(']', f);
}

void fo_inv_host_json(FILE *f, const struct fo_inv_host *h)
{
	size_t i;

	fputs("{\"name\":", f);
	fo__json_fputs(f, h->name);
	fputs(",\"hostname\":", f);
	fo__json_fputs(f, h->hostname);
	fprintf(f, ",\"port\":%d,\"username\":", h->port);
	fo__json_fputs(f, h->username);
	fputs(",\"password\":", f);
	fo__json_fputs(f, h->password || h->password_ref ? MASK : NULL);
	fputs(",\"platform\":", f);
	fo__json_fputs(f, h->platform);
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
		fo__json_fputs(f, c->name);
		fputs(":{\"hostname\":", f);
		fo__json_fputs(f, c->hostname);
		fprintf(f, ",\"port\":%d,\"username\":", c->port);
		fo__json_fputs(f, c->username);
		fputs(",\"password\":", f);
		fo__json_fputs(f, c->password || c->password_ref ? MASK : NULL);
		fputs(",\"platform\":", f);
		fo__json_fputs(f, c->platform);
		fputs(",\"extras\":", f);
		json_val(f, &c->extras, 0, false);
		putc('}', f);
	}
	fputs("}}\n", f);
}

/* ---- the table ---------------------------------------------------------------------------- */

/* A scalar for the table: as is, or JSON-quoted when it has blanks or is empty. */
static void sb_cell_text(struct fo_sbuf *s, const char *t)
{
	if (*t && !strpbrk(t, " \t\r\n\"=,") && !strchr(t, 0x7f)) {
		const unsigned char *p;

		for (p = (const unsigned char *)t; *p && *p >= 0x20; p++)
			;
		if (!*p) {
			fo_sbuf_adds(s, t);
			return;
		}
	}
	fo__json_strz(s, t);
}

/* A value for the table; secret: it is under a secret key (see json_val). */
static void sb_val(struct fo_sbuf *s, const struct fo_inv_val *v, bool secret)
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
	if (fclose(m) != 0)
		s->oom = true;
	else
		fo_sbuf_add(s, buf, len);
	free(buf);
}

static void cell_groups(struct fo_sbuf *s, const struct fo_inv_host *h)
{
	size_t i;

	for (i = 0; i < h->ngroups; i++) {
		if (i)
			fo_sbuf_adds(s, ",");
		sb_cell_text(s, h->groups[i]);
	}
}

static bool differs(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a && strcmp(a, b));
}

static void field(struct fo_sbuf *s, bool *first, const char *label, bool changed, const char *text)
{
	if (!changed)
		return;
	if (!*first)
		fo_sbuf_adds(s, ",");
	fo_sbuf_adds(s, label);
	fo_sbuf_adds(s, "=");
	sb_cell_text(s, text ? text : "null");
	*first = false;
}

/* Each connection option with what it changes: netconf(port=830,username=nc). */
static void cell_options(struct fo_sbuf *s, const struct fo_inv_host *h)
{
	size_t i;

	for (i = 0; i < h->nconn; i++) {
		const struct fo_inv_conn *c = &h->conn[i];
		bool first = true;
		char port[16];

		if (i)
			fo_sbuf_adds(s, " ");
		sb_cell_text(s, c->name);
		fo_sbuf_adds(s, "(");
		field(s, &first, "hostname", differs(c->hostname, h->hostname), c->hostname);
		snprintf(port, sizeof(port), "%d", c->port);
		field(s, &first, "port", c->port != h->port, port);
		field(s, &first, "username", differs(c->username, h->username), c->username);
		field(s, &first, "password", c->password != h->password || c->password_ref != h->password_ref,
		      c->password || c->password_ref ? MASK : NULL);
		field(s, &first, "platform", differs(c->platform, h->platform), c->platform);
		if (c->extras.type == FO_INV_MAP) {
			fo_sbuf_adds(s, first ? "extras=" : ",extras=");
			sb_val(s, &c->extras, false);
		}
		fo_sbuf_adds(s, ")");
	}
}

static void cell_data(struct fo_sbuf *s, const struct fo_inv_host *h)
{
	size_t i;

	for (i = 0; i < h->data.n; i++) {
		if (i)
			fo_sbuf_adds(s, " ");
		sb_cell_text(s, h->data.keys[i]);
		fo_sbuf_adds(s, "=");
		sb_val(s, h->data.items[i], fo_inv_key_secret(h->data.keys[i]));
	}
}

enum { C_NAME, C_HOST, C_PORT, C_USER, C_PLATFORM, C_GROUPS, C_PASSWORD, C_OPTIONS, C_DATA, NCOLS };

/* Left-aligned, two blanks apart, each as wide as its widest cell up to
 * COL_MAX (a longer cell pushes its row). */
static const struct fo_table_col cols[NCOLS] = {
	{ "NAME", FO_TABLE_LEFT, 2, 0, COL_MAX },
	{ "HOSTNAME", FO_TABLE_LEFT, 2, 0, COL_MAX },
	{ "PORT", FO_TABLE_LEFT, 2, 0, COL_MAX },
	{ "USERNAME", FO_TABLE_LEFT, 2, 0, COL_MAX },
	{ "PLATFORM", FO_TABLE_LEFT, 2, 0, COL_MAX },
	{ "GROUPS", FO_TABLE_LEFT, 2, 0, COL_MAX },
	{ "PASSWORD", FO_TABLE_LEFT, 2, 0, COL_MAX },
	{ "OPTIONS", FO_TABLE_LEFT, 2, 0, COL_MAX },
	{ "DATA", FO_TABLE_LEFT, 2, 0, COL_MAX },
};

/* The cells of host h into c (the table makes them terminal-safe), and
 * pointers to their text into t: 0, or -ENOMEM (a cell may be cut short). */
static int cells(const struct fo_inv_host *h, struct fo_sbuf c[NCOLS], const char *t[NCOLS], bool options)
{
	char port[16];
	int i;

	for (i = 0; i < NCOLS; i++)
		fo_sbuf_reset(&c[i]);
	sb_cell_text(&c[C_NAME], h->name);
	sb_cell_text(&c[C_HOST], h->hostname);
	snprintf(port, sizeof(port), "%d", h->port);
	fo_sbuf_adds(&c[C_PORT], port);
	if (h->username)
		sb_cell_text(&c[C_USER], h->username);
	else
		fo_sbuf_adds(&c[C_USER], "-");
	if (h->platform)
		sb_cell_text(&c[C_PLATFORM], h->platform);
	else
		fo_sbuf_adds(&c[C_PLATFORM], "-");
	cell_groups(&c[C_GROUPS], h);
	if (!h->ngroups)
		fo_sbuf_adds(&c[C_GROUPS], "-");
	fo_sbuf_adds(&c[C_PASSWORD], h->password || h->password_ref ? MASK : "-");
	if (options) {
		cell_options(&c[C_OPTIONS], h);
		if (!h->nconn)
			fo_sbuf_adds(&c[C_OPTIONS], "-");
	}
	cell_data(&c[C_DATA], h);
	if (!h->data.n)
		fo_sbuf_adds(&c[C_DATA], "-");
	for (i = 0; i < NCOLS; i++) {
		if (c[i].oom)
			return -ENOMEM;
		t[i] = c[i].p;
	}
	return 0;
}

/* The table: its widths from every host's cells, then the lines; each
 * host's cells are made twice rather than held for every host at once. */
static int print_table(FILE *f, const struct fo_inv *inv)
{
	struct fo_sbuf c[NCOLS];
	const char *t[NCOLS];
	struct fo_table tab;
	bool options = false;
	size_t i;
	int k, e;

	memset(c, 0, sizeof(c));
	e = fo__table_init(&tab, cols, NCOLS);
	for (i = 0; i < inv->nhosts; i++)
		options |= inv->hosts[i].nconn > 0;
	if (!options)
		fo__table_hide(&tab, C_OPTIONS);
	for (i = 0; !e && i < inv->nhosts; i++)
		if (!(e = cells(&inv->hosts[i], c, t, options)))
			e = fo__table_fit(&tab, t, NCOLS);
	if (!e)
		e = fo__table_head(&tab, f);
	for (i = 0; !e && i < inv->nhosts; i++)
		if (!(e = cells(&inv->hosts[i], c, t, options)))
			e = fo__table_row(&tab, f, t, NCOLS, NULL);
	for (k = 0; k < NCOLS; k++)
		free(c[k].p);
	fo__table_release(&tab);
	return e;
}

/* ---- the command ------------------------------------------------------------------------- */

/* What the command line asks for. */
struct inv_cfg {
	struct fo_inv_args hosts;
	bool json;
};

static const struct fo_opt opts[] = {
	FO_INV_ARGS_OPTS(struct inv_cfg, hosts),
	{ "json", 0, FO_OPT_BOOL, offsetof(struct inv_cfg, json), NULL,
	  "JSON Lines, a host a line, not the table", "Output", NULL, 0, 0, NULL, NULL, 0, 0, NULL },
	{ NULL, 0, 0, 0, NULL, NULL, NULL, NULL, 0, 0, NULL, NULL, 0, 0, NULL },
};

const struct fo_opts fo_inventory_opts = {
	"inventory", "[options]", "Prints the hosts a run would reach, with their effective settings.",
	"Sources: at least one; several add up, a name seen again is skipped. -i takes\n"
	"DIR/hosts.yaml, and groups.yaml and defaults.yaml when there; values are\n"
	"inherited host -> groups -> defaults as nornir does. A host list is\n"
	"core-[01-40].dc[1-3], a,b,c, n[1,3,5-7] or ^FILE (-w, -x, --limit).\n"
	"\n"
	"Filters apply in this order: -x, --limit LIST, --group (directly or through\n"
	"nested groups; globs such as 'core*'), --filter (KEY is a data key, a.b for\n"
	"nested, or name, hostname, port, username, platform, group; VALUE a glob;\n"
	"repeat: all must hold), --limit N, then --shard K/N (the hosts of run K of N).\n"
	"Every flag takes --flag VALUE or --flag=VALUE.\n"
	"\n"
	"Passwords print as " MASK ", and so do the values of data and extras under\n"
	"secret keys at any depth (password, secret, token, passphrase, *_password,\n"
	"*_secret, *_token, *_key, ...). In YAML, password_env: VAR and password_file:\n"
	"PATH may stand for password: (see docs). Bounds: a YAML file 64 MiB, nested 64\n"
	"deep; a host file 256 MiB; the host lists of a run (-w, -x, --limit, host\n"
	"files) 10,000,000 names in all. Exit: 0 hosts printed, 1 no host left,\n"
	"2 bad usage or an unreadable inventory.\n",
	opts, sizeof(struct inv_cfg), false, true, "name hosts with -w LIST, -i DIR or --hosts-file FILE"
};

/* The command line into c: 0, or the exit code (0 after --help). */
static int parse(struct inv_cfg *c, int argc, char **argv, struct fo_optres *res)
{
	int r = fo_opts_parse(&fo_inventory_opts, c, argc, argv, res);

	if (r)
		return r == FO_OPTS_HELP ? -1 : 2;
	if (!c->hosts.nhost_srcs) {
		fprintf(stderr, "fanout: inventory needs hosts: -i DIR (nornir files), -w LIST or --hosts-file FILE\n");
		return 2;
	}
	return 0;
}

/* The sources into inv, in order: 0 or the exit code after a message. */
static int load(struct fo_inv *inv, const struct inv_cfg *c)
{
	char err[1200];
	size_t i;

	if (fo_inv_args_load(&c->hosts, inv, err, sizeof(err)) < 0) {
		fprintf(stderr, "fanout: %s\n", err);
		return 2;
	}
	for (i = 0; i < inv->nwarnings; i++)
		fprintf(stderr, "fanout: warning: %s\n", inv->warnings[i]);
	if (!inv->nhosts) {
		fprintf(stderr, "fanout: the inventory has no hosts; add some to hosts.yaml or give -w LIST\n");
		return 1;
	}
	return 0;
}

/* The filters of c on inv: 0, or the exit code after a message. */
static int select_hosts(struct fo_inv *inv, const struct inv_cfg *c)
{
	char err[1024];
	int r = fo_inv_args_filter(&c->hosts, inv, err, sizeof(err));

	if (r < 0) {
		fprintf(stderr, "fanout: %s\n", err);
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
	int e = 0;

	if (json) {
		for (i = 0; i < inv->nhosts; i++)
			fo_inv_host_json(stdout, &inv->hosts[i]);
	} else if ((e = print_table(stdout, inv)) == -ENOMEM) {
		fprintf(stderr, "fanout: out of memory\n");
		return 1;
	}
	if (e < 0 || fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "fanout: cannot write the inventory: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

/* The hosts of c, printed: the exit code. */
static int inventory_run(const struct inv_cfg *c)
{
	struct fo_inv inv;
	int rc;

	fo_inv_init(&inv);
	if (!(rc = load(&inv, c)) && !(rc = select_hosts(&inv, c)))
		rc = print_hosts(&inv, c->json);
	fo_inv_release(&inv);
	return rc;
}

int fo_inventory_main(int argc, char **argv)
{
	struct inv_cfg c;
	struct fo_optres res;
	int rc;

	memset(&c, 0, sizeof(c));
	rc = parse(&c, argc, argv, &res);
	if (!rc)
		rc = inventory_run(&c);
	fo_opts_release(&fo_inventory_opts, &c, &res);
	fo_inv_args_release(&c.hosts);
	return rc == -1 ? 0 : rc;
}
