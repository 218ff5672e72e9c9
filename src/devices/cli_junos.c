/*
 * The Junos command line: operational mode ("USER@NAME> ") and
 * configuration mode ("[edit ...]" above "USER@NAME# "), as Junos
 * documents them.
 *
 * configure enters configuration with the shared candidate: set and
 * delete change it (the device's, so another session sees the changes,
 * and they stay after exit until committed or rolled back, as on Junos;
 * configure private gives the session its own, dropped at exit). show |
 * compare prints the difference from the active configuration, commit
 * check checks it, commit makes it active, commit confirmed N does and
 * rolls it back after N minutes unless a commit confirms it (the engine
 * has no clock: the server calls fo_dev_confirm_expire), rollback 0
 * drops the changes and rollback N loads the configuration of N commits
 * ago. edit, up and top move in the hierarchy; run runs an operational
 * command.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine_int.h"

enum { J_OP = 1 << 0, J_CONF = 1 << 1 };

enum {
	J_NOP = 1,
	J_SHOW,
	J_SHOWCONF,
	J_SHOWCOMMIT,
	J_SCREEN_LEN,
	J_SCREEN_WIDTH,
	J_COMPLETE,
	J_CONFIGURE,
	J_EXIT,
	J_SET,
	J_DELETE,
	J_EDIT,
	J_UP,
	J_TOP,
	J_CEXIT,
	J_CEXIT_ALL,
	J_CSHOW,
	J_COMMIT,
	J_COMMIT_CHECK,
	J_COMMIT_CONF,
	J_COMMIT_QUIT,
	J_ROLLBACK,
	J_RUN,
	J_FILES,
};

static const struct fo__cmd cmds[] = {
	{ "show configuration REST", J_OP, 0, J_SHOWCONF, 0 },
	{ "show system commit", J_OP, 0, J_SHOWCOMMIT, 0 },
	{ "set cli screen-length NUM", J_OP, 0, J_SCREEN_LEN, 0 },
	{ "set cli screen-width NUM", J_OP, 0, J_SCREEN_WIDTH, 0 },
	{ "set cli complete-on-space WORD", J_OP, 0, J_COMPLETE, 0 },
	{ "set cli timestamp REST", J_OP, 0, J_NOP, 0 },
	{ "configure", J_OP, 0, J_CONFIGURE, 0 },
	{ "configure private", J_OP, 0, J_CONFIGURE, 1 },
	{ "configure exclusive", J_OP, 0, J_CONFIGURE, 0 },
	{ "file list", J_OP, 0, J_FILES, FO__FILES_DIR },
	{ "file list WORD", J_OP, 0, J_FILES, FO__FILES_DIR },
	{ "file checksum sha-256 WORD", J_OP, 0, J_FILES, FO__FILES_SUM },
	{ "exit", J_OP, 0, J_EXIT, 0 },
	{ "quit", J_OP, 0, J_EXIT, 0 },
	{ "set LINE", J_CONF, 0, J_SET, 0 },
	{ "delete LINE", J_CONF, 0, J_DELETE, 0 },
	{ "edit LINE", J_CONF, 0, J_EDIT, 0 },
	{ "up", J_CONF, 0, J_UP, 0 },
	{ "up NUM", J_CONF, 0, J_UP, 0 },
	{ "top", J_CONF, 0, J_TOP, 0 },
	{ "exit", J_CONF, 0, J_CEXIT, 0 },
	{ "quit", J_CONF, 0, J_CEXIT, 0 },
	{ "exit configuration-mode", J_CONF, 0, J_CEXIT_ALL, 0 },
	{ "show REST", J_CONF, 0, J_CSHOW, 0 },
	{ "commit", J_CONF, 0, J_COMMIT, 0 },
	{ "commit comment LINE", J_CONF, 0, J_COMMIT, 0 },
	{ "commit synchronize", J_CONF, 0, J_COMMIT, 0 },
	{ "commit check", J_CONF, 0, J_COMMIT_CHECK, 0 },
	{ "commit confirmed", J_CONF, 0, J_COMMIT_CONF, 0 },
	{ "commit confirmed NUM", J_CONF, 0, J_COMMIT_CONF, 0 },
	{ "commit and-quit", J_CONF, 0, J_COMMIT_QUIT, 0 },
	{ "rollback", J_CONF, 0, J_ROLLBACK, 0 },
	{ "rollback NUM", J_CONF, 0, J_ROLLBACK, 0 },
	{ "run LINE", J_CONF, 0, J_RUN, 0 },
	{ NULL, 0, 0, 0, 0 },
};

static struct fo__cmd show_cmds[64];
static pthread_once_t show_once = PTHREAD_ONCE_INIT;

static void show_cmds_make(void)
{
	int n = 0;

	for (int i = 0; fo__show_junos[i].words && n < 63; i++)
		if (strcmp(fo__show_junos[i].words, "show configuration")) /* the device's own */
			show_cmds[n++] = (struct fo__cmd){ fo__show_junos[i].words, J_OP, 0, J_SHOW, i };
}

/* The first words of the configuration's top level. */
static const char *const top_words[] = {
	"system", "interfaces", "protocols", "routing-options", "policy-options", "firewall", "vlans", "snmp",
	"security", "chassis", "class-of-service", "forwarding-options", "routing-instances", "services",
	"applications", "event-options", "groups", "apply-groups", "version", "switch-options", "poe",
	"ethernet-switching-options", "access", "virtual-chassis", "multi-chassis", "bridge-domains",
	"logical-systems", "schedulers", "access-profile", "smtp", NULL,
};
static const char *const system_words[] = {
	"host-name", "domain-name", "domain-search", "name-server", "ntp", "syslog", "login", "services",
	"root-authentication", "time-zone", "authentication-order", "radius-server", "tacplus-server", "archival",
	"commit", "ports", "location", "contact", "backup-router", "static-host-mapping", "arp", "no-redirects",
	"internet-options", "max-configurations-on-flash", "processes", "ddos-protection", "accounting",
	"default-address-selection", "management-instance", "scripts", "extensions", "license", NULL,
};

static bool word_in(const char *const *v, const char *w)
{
	for (; *v; v++)
		if (!strcmp(*v, w))
			return true;
	return false;
}

static bool jn_ifname(const char *w)
{
	static const char *const prefix[] = { "ge-", "xe-", "et-", "mge-", "ae", "lo", "irb", "vlan", "em",
					      "fxp", "me", "vme", "reth", "st0", "gr-", "lt-", "fe-", NULL };

	if (!strcmp(w, "interface-range") || !strcmp(w, "apply-groups"))
		return true;
	for (const char *const *p = prefix; *p; p++)
		if (!strncmp(w, *p, strlen(*p)))
			return true;
	return false;
}

/* ---- the session's view ------------------------------------------------------------- */

static struct fo_sbuf *cand(struct fo_dev_sess *s)
{
	return s->jprivate ? &s->cand : &s->d->cand;
}

void fo__jn_prompt(struct fo_dev_sess *s, struct fo_sbuf *out)
{
	struct fo_dev *d = s->d;

	if (s->lvl != FO__CONF) {
		fo__addf(out, "\n%s@%s> ", d->id.user, d->hostname);
		return;
	}
	fo__adds(out, "\n");
	if (d->confirm_pending)
		fo__addf(out, "# commit confirmed will be rolled back in %u minutes\n", (d->confirm_secs + 59) / 60);
	fo__addf(out, "[edit%s%s]\n%s@%s# ", s->jpath[0] ? " " : "", s->jpath, d->id.user, d->hostname);
}

static size_t prompt_len(const struct fo_dev_sess *s)
{
	/* the line the cursor is on: "USER@NAME> " */
	return strlen(s->d->id.user) + 1 + strlen(s->d->hostname) + 2;
}

void fo__jn_banner(struct fo_dev_sess *s, struct fo_sbuf *out)
{
	(void)s;
	fo__adds(out, "--- JUNOS 22.4R3-S2.11 Kernel 64-bit  JNPR-12.1-20231114.6f8dbd3_buil\n");
}

static void leave_config(struct fo_dev_sess *s)
{
	if (s->lvl == FO__CONF && s->d->nconfig)
		s->d->nconfig--;
	s->lvl = FO__USER;
	s->jpath[0] = '\0';
	s->jprivate = false;
	s->cand.len = 0;
}

void fo__jn_close(struct fo_dev_sess *s)
{
	leave_config(s);
}

static void error_at(struct fo_dev_sess *s, size_t col, const char *msg, struct fo__out *o)
{
	col += prompt_len(s);
	for (size_t i = 0; i < col; i++)
		fo_sbuf_add(&o->text, " ", 1);
	fo__addf(&o->text, "^\n%s\n", msg);
	s->status = 1;
}

/* ---- configuration ------------------------------------------------------------------------ */

/* The words of a statement path typed at [edit jpath], from the top. */
static int full_path(struct fo_dev_sess *s, const char *typed, char *out, size_t size)
{
	int n = snprintf(out, size, "%s%s%s", s->jpath, s->jpath[0] && typed[0] ? " " : "", typed);

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* Whether Junos has the statement words[] (from the top): -1 when it
 * does, else the index of the first word it has none of. */
static int check_path(char **w, int n)
{
	if (n < 1)
		return 0;
	if (!word_in(top_words, w[0]))
		return 0;
	if (n >= 2 && !strcmp(w[0], "system") && !word_in(system_words, w[1]))
		return 1;
	if (n >= 2 && !strcmp(w[0], "interfaces") && !jn_ifname(w[1]))
		return 1;
	return -1;
}

/* The configuration with the candidate's changes (active: without). */
static int conf_now(struct fo_dev_sess *s, bool active, struct fo__conf *c)
{
	return fo__dev_conf(s->d, s->d->journal.len, active ? NULL : cand(s), c);
}

static int set_or_delete(struct fo_dev_sess *s, bool set, const struct fo__words *w, const struct fo__match *m,
			 struct fo__out *o)
{
	char path[FO__DEV_LINE_MAX + 512], entry[FO__DEV_LINE_MAX + 600], buf[FO__DEV_LINE_MAX + 512];
	char *pw[FO__MAXW];
	int np, jn, bad;
	struct fo__conf c;

	if (full_path(s, m->canon + (set ? 4 : 7), path, sizeof(path)))
		return 0;
	snprintf(buf, sizeof(buf), "%s", path);
	np = fo__jn_words(buf, pw, FO__MAXW);
	if (np < 0) {
		error_at(s, w->at[w->n - 1], "syntax error, expecting <data>.", o);
		return 0;
	}
	snprintf(buf, sizeof(buf), "%s", s->jpath);
	jn = s->jpath[0] ? fo__jn_words(buf, pw, FO__MAXW) : 0;
	snprintf(buf, sizeof(buf), "%s", path);
	np = fo__jn_words(buf, pw, FO__MAXW);
	bad = check_path(pw, np);
	if (bad >= 0) {
		/* the marker goes under the word typed */
		int k = bad - jn + 1;

		error_at(s, k >= 1 && k < w->n ? w->at[k] : w->at[w->n - 1], "syntax error.", o);
		return 0;
	}
	snprintf(entry, sizeof(entry), "%s %s", set ? "set" : "delete", path);
	if (!set) {
		/* only what is there can be deleted */
		int r;

		if (conf_now(s, false, &c)) {
			o->text.oom = true;
			return 0;
		}
		r = fo__conf_apply(&c, entry);
		fo__conf_release(&c);
		if (r == 1) {
			fo__adds(&o->text, "warning: statement not found\n");
			return 0;
		}
	}
	if (fo__journal_add(cand(s), entry)) {
		fo__adds(&o->text, "error: configuration database full\n");
		s->status = 1;
	}
	return 0;
}

static int do_commit(struct fo_dev_sess *s, unsigned confirm_min, struct fo__out *o)
{
	if (fo__dev_commit(s->d, cand(s), confirm_min * 60)) {
		fo__adds(&o->text, "error: configuration database full\nerror: commit failed\n");
		s->status = 1;
		return -1;
	}
	cand(s)->len = 0;
	if (confirm_min)
		fo__addf(&o->text, "commit confirmed will be automatically rolled back in %u minutes unless confirmed\n",
			 confirm_min);
	fo__adds(&o->text, "commit complete\n");
	return 0;
}

static void rollback(struct fo_dev_sess *s, unsigned n, struct fo__out *o)
{
	struct fo_dev *d = s->d;
	char entry[64];

	cand(s)->len = 0;
	if (n > 0) {
		if (n > d->ncommits) {
			fo__addf(&o->text, "error: rollback %u does not exist\n", n);
			s->status = 1;
			return;
		}
		/* the configuration as it was before the n-th last commit */
		snprintf(entry, sizeof(entry), "\001reset %zu", d->commits[n - 1]);
		if (fo__journal_add(cand(s), entry)) {
			o->text.oom = true;
			return;
		}
	}
	fo__adds(&o->text, "load complete\n");
}

static void ask_exit(struct fo_dev_sess *s, struct fo__out *o)
{
	fo__adds(&o->text, "The configuration has been changed but not committed\n"
			   "Exit with uncommitted changes? [yes,no] (yes) ");
	s->ask = FO__ASK_JN_EXIT;
}

static void exit_config(struct fo_dev_sess *s, struct fo__out *o)
{
	if (cand(s)->len) {
		ask_exit(s, o);
		return;
	}
	leave_config(s);
	fo__adds(&o->text, "Exiting configuration mode\n");
}

/* The path one level up: "interfaces ge-0/0/1 unit 0" to "interfaces ge-0/0/1". */
static void path_up(struct fo_dev_sess *s, unsigned levels)
{
	static const char *const keyed[] = { "unit", "family", "term", "filter", "user", "host", "file",
					     "server", "neighbor", "group", "policy-statement", "prefix-list",
					     "route", "interface", "area", "instance", "community", "as-path", NULL };
	char buf[FO__DEV_LINE_MAX], *w[FO__MAXW];
	int n;

	snprintf(buf, sizeof(buf), "%s", s->jpath);
	n = fo__jn_words(buf, w, FO__MAXW);
	while (levels-- > 0 && n > 0)
		n -= n >= 2 && word_in(keyed, w[n - 2]) ? 2 : 1;
	s->jpath[0] = '\0';
	for (int i = 0, len = 0; i < n; i++)
		len += snprintf(s->jpath + len, FO__JPATH_MAX - (size_t)len, "%s%s", i ? " " : "", w[i]);
}

/* show in configuration: the candidate at [edit jpath] and below the path typed */
static void conf_show(struct fo_dev_sess *s, const char *typed, const char *pipe, struct fo__out *o)
{
	char path[FO__DEV_LINE_MAX + 512];
	struct fo__conf c, active;
	bool compare = pipe && strstr(pipe, "compare"), display_set = pipe && strstr(pipe, "display set");

	if (full_path(s, typed, path, sizeof(path)) || conf_now(s, false, &c)) {
		o->text.oom = true;
		return;
	}
	if (compare) {
		if (!conf_now(s, true, &active)) {
			fo__conf_diff(&active, &c, &o->text);
			fo__conf_release(&active);
		} else {
			o->text.oom = true;
		}
	} else if (display_set) {
		fo__conf_jn_display_set(&c, path, &o->text);
	} else {
		const struct fo__cnode *n = fo__conf_jn_find(&c, path);

		if (n)
			fo__conf_jn_print_at(n, &o->text);
	}
	fo__conf_release(&c);
	o->is_output = true;
}

/* ---- operational ------------------------------------------------------------------------- */

static void show_configuration(struct fo_dev_sess *s, const char *path, const char *pipe, struct fo__out *o)
{
	struct fo_dev *d = s->d;
	struct fo__conf c;

	o->is_output = true;
	if (!*path && !(pipe && strstr(pipe, "display set"))) {
		fo__dev_running(d, &o->text);
		return;
	}
	if (fo__dev_conf(d, d->journal.len, NULL, &c)) {
		o->text.oom = true;
		return;
	}
	if (pipe && strstr(pipe, "display set")) {
		fo__conf_jn_display_set(&c, path, &o->text);
	} else {
		const struct fo__cnode *n = fo__conf_jn_find(&c, path);

		if (n)
			fo__conf_jn_print_at(n, &o->text);
	}
	fo__conf_release(&c);
}

static void show_commits(struct fo_dev_sess *s, struct fo__out *o)
{
	struct fo_dev *d = s->d;

	for (unsigned i = 0; i < d->ncommits; i++) {
		fo__addf(&o->text, "%u   2025-03-04 09:%02u:00 UTC by %s via cli", i, 14 - i % 15, d->id.user);
		if (i == 0 && d->confirm_pending) /* the minutes the commit asked for */
			fo__addf(&o->text, " commit confirmed, rollback in %umins", (d->confirm_secs + 59) / 60);
		fo__addf(&o->text, "\n");
	}
	fo__addf(&o->text, "%u   2025-03-04 09:00:13 UTC by netops via netconf\n", d->ncommits);
	o->is_output = true;
}

/* ---- one line --------------------------------------------------------------------------- */

static int answer(struct fo_dev_sess *s, const char *line, struct fo__out *o)
{
	size_t n;

	while (*line == ' ')
		line++;
	n = strcspn(line, " ");
	s->ask = FO__ASK_NONE;
	if (!n || !strncasecmp(line, "yes", n)) {
		leave_config(s);
		fo__adds(&o->text, "Exiting configuration mode\n");
	} else if (strncasecmp(line, "no", n)) {
		ask_exit(s, o); /* neither: asked again */
	}
	return 0;
}

static void configure(struct fo_dev_sess *s, bool private, struct fo__out *o)
{
	struct fo_dev *d = s->d;

	if (private && d->cand.len) {
		fo__adds(&o->text, "error: shared configuration database modified\n"
				   "Problem loading private configuration\n");
		s->status = 1;
		return;
	}
	if (d->nconfig)
		fo__addf(&o->text, "Users currently editing the configuration:\n  %s terminal pts/1 (pid 1234) on since "
				   "2025-03-04 09:15:00 UTC\n      [edit]\n",
			 d->id.user);
	if (private)
		fo__adds(&o->text, "warning: uncommitted changes will be discarded on exit\n");
	fo__adds(&o->text, "Entering configuration mode\n");
	if (!private && d->cand.len)
		fo__adds(&o->text, "The configuration has been changed but not committed\n");
	s->lvl = FO__CONF;
	s->jprivate = private;
	s->jpath[0] = '\0';
	s->cand.len = 0;
	d->nconfig++;
}

static void error_out(struct fo_dev_sess *s, const struct fo__match *m, const struct fo__words *w, const char *line,
		      struct fo__out *o)
{
	size_t col = m->bad < w->n ? w->at[m->bad] : strlen(line);

	if (m->st == FO__M_AMBIGUOUS) {
		char msg[256];

		snprintf(msg, sizeof(msg), "'%s' is ambiguous.", w->w[m->bad]);
		error_at(s, col, msg, o);
	} else if (m->st == FO__M_INVALID && m->bad == 0) {
		error_at(s, col, "unknown command.", o);
	} else if (m->cmd && (m->cmd->id == J_SET || m->cmd->id == J_DELETE || m->cmd->id == J_EDIT)) {
		error_at(s, col, "syntax error, expecting <statement> or <identifier>.", o);
	} else {
		error_at(s, col, "syntax error, expecting <command>.", o);
	}
}

static int run(struct fo_dev_sess *s, const char *line, const char *pipe, struct fo__out *o);

/* The first placeholder as a number (screen-length, up, rollback, commit
 * confirmed), 0 when the command has none. */
static unsigned long num_arg(const struct fo__match *m, const struct fo__words *w)
{
	return m->nargs ? strtoul(w->w[m->arg[0]], NULL, 10) : 0;
}

/* Operational mode's commands. */
static int op_cmd(struct fo_dev_sess *s, const struct fo__match *m, const struct fo__words *w, const char *pipe,
		  struct fo__out *o)
{
	struct fo_dev *d = s->d;
	unsigned long n = num_arg(m, w);

	switch (m->cmd->id) {
	case J_NOP:
		break;
	case J_SHOW:
		fo__gen_run(fo__show_junos[m->cmd->arg].gen, &d->id, 0, &o->text);
		o->is_output = true;
		break;
	case J_SHOWCONF: {
		const char *path = strlen(m->canon) > 18 ? m->canon + 19 : "";

		show_configuration(s, path, pipe, o);
		break;
	}
	case J_SHOWCOMMIT:
		show_commits(s, o);
		break;
	case J_SCREEN_LEN:
		s->screen = n > 200 ? 200 : (unsigned)n;
		fo__addf(&o->text, "Screen length set to %lu\n", n);
		break;
	case J_SCREEN_WIDTH:
		fo__addf(&o->text, "Screen width set to %lu\n", n);
		break;
	case J_COMPLETE:
		fo__adds(&o->text, strcmp(w->w[w->n - 1], "off") ? "Enabling complete-on-space\n"
								 : "Disabling complete-on-space\n");
		break;
	case J_CONFIGURE:
		configure(s, m->cmd->arg == 1, o);
		break;
	case J_FILES:
		fo__files_cmd(s, m->cmd->arg, m->nargs ? w->w[m->arg[0]] : NULL, o);
		break;
	case J_EXIT:
		return FO_DEV_CLOSE;
	}
	return 0;
}

/* edit PATH: to [edit PATH], when Junos has the statement. */
static void edit(struct fo_dev_sess *s, const struct fo__match *m, const struct fo__words *w, struct fo__out *o)
{
	char path[FO__DEV_LINE_MAX + 512], buf[FO__DEV_LINE_MAX + 512], *pw[FO__MAXW];
	int np, bad, jn;

	if (full_path(s, m->canon + 5, path, sizeof(path)))
		return;
	snprintf(buf, sizeof(buf), "%s", s->jpath);
	jn = s->jpath[0] ? fo__jn_words(buf, pw, FO__MAXW) : 0;
	snprintf(buf, sizeof(buf), "%s", path);
	np = fo__jn_words(buf, pw, FO__MAXW);
	bad = np < 0 ? 0 : check_path(pw, np);
	if (bad >= 0) {
		int k = bad - jn + 1;

		error_at(s, k >= 1 && k < w->n ? w->at[k] : w->at[w->n - 1], "syntax error.", o);
		return;
	}
	if (strlen(path) >= FO__JPATH_MAX) { /* deeper than the device keeps: refused, not cut */
		error_at(s, w->at[w->n - 1], "syntax error.", o);
		return;
	}
	memcpy(s->jpath, path, strlen(path) + 1);
}

/* run LINE: an operational command from configuration mode. */
static int run_op(struct fo_dev_sess *s, const struct fo__match *m, const char *pipe, struct fo__out *o)
{
	enum fo__lvl keep = s->lvl;
	int r;

	s->lvl = FO__USER;
	r = run(s, m->canon + 4, pipe, o);
	s->lvl = keep;
	return r & ~FO_DEV_CLOSE;
}

/* Configuration mode's commands: changes, moving in the hierarchy,
 * show, commit and rollback, leaving. */
static int conf_cmd(struct fo_dev_sess *s, const struct fo__match *m, const struct fo__words *w, const char *pipe,
		    struct fo__out *o)
{
	unsigned long n = num_arg(m, w);

	switch (m->cmd->id) {
	case J_SET:
	case J_DELETE:
		return set_or_delete(s, m->cmd->id == J_SET, w, m, o);
	case J_EDIT:
		edit(s, m, w, o);
		break;
	case J_UP:
		path_up(s, n ? (unsigned)n : 1);
		break;
	case J_TOP:
		s->jpath[0] = '\0';
		break;
	case J_CEXIT:
		if (s->jpath[0])
			path_up(s, 1);
		else
			exit_config(s, o);
		break;
	case J_CEXIT_ALL:
		exit_config(s, o);
		break;
	case J_CSHOW:
		conf_show(s, strlen(m->canon) > 4 ? m->canon + 5 : "", pipe, o);
		break;
	case J_COMMIT:
		do_commit(s, 0, o);
		break;
	case J_COMMIT_CHECK:
		fo__adds(&o->text, "configuration check succeeds\n");
		break;
	case J_COMMIT_CONF:
		if (m->nargs && (n < 1 || n > 65535)) {
			fo__adds(&o->text, "error: Value 0 is not within range (1..65535)\n");
			s->status = 1;
			break;
		}
		do_commit(s, m->nargs ? (unsigned)n : 10, o);
		break;
	case J_COMMIT_QUIT:
		if (!do_commit(s, 0, o)) {
			leave_config(s);
			fo__adds(&o->text, "Exiting configuration mode\n");
		}
		break;
	case J_ROLLBACK:
		rollback(s, (unsigned)n, o);
		break;
	case J_RUN:
		return run_op(s, m, pipe, o);
	}
	return 0;
}

/* A matched command to its mode's handler (the table gives each command
 * one mode). */
static int dispatch(struct fo_dev_sess *s, const struct fo__match *m, const struct fo__words *w, const char *pipe,
		    struct fo__out *o)
{
	if (m->cmd->modes & J_CONF)
		return conf_cmd(s, m, w, pipe, o);
	return op_cmd(s, m, w, pipe, o);
}

/* The filters the device applies itself; display set and compare are the
 * show's. */
static int filters(struct fo_dev_sess *s, const char *pipe, struct fo__out *o, size_t *bad)
{
	char buf[FO__DEV_LINE_MAX + 8], *p = buf;
	size_t len = 0;

	/* drop "display set" and "compare ..." (done), "find X" is "begin X" */
	for (const char *seg = pipe; seg;) {
		const char *next = strchr(seg, '|');
		size_t l = next ? (size_t)(next - seg) : strlen(seg);
		const char *t = seg;

		while (*t == ' ')
			t++;
		if (!strncmp(t, "display set", 11) || !strncmp(t, "compare", 7)) {
			seg = next ? next + 1 : NULL;
			continue;
		}
		if (len + l + 16 >= sizeof(buf))
			break;
		if (len)
			buf[len++] = '|';
		if (!strncmp(t, "find ", 5)) {
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, " begin %.*s", (int)(l - (size_t)(t - seg) - 5),
						t + 5);
		} else {
			memcpy(buf + len, seg, l);
			len += l;
		}
		buf[len] = '\0';
		seg = next ? next + 1 : NULL;
	}
	buf[len] = '\0';
	if (!len)
		return 0;
	return fo__dev_filters(s, p, o, bad);
}

static int run(struct fo_dev_sess *s, const char *line, const char *pipe, struct fo__out *o)
{
	/* on the heap, not a coroutine's stack */
	struct scratch {
		struct fo__words w;
		struct fo__match m;
	} *x = malloc(sizeof(*x));
	int r = 0, id;

	if (!x) {
		o->text.oom = true;
		return 0;
	}
	pthread_once(&show_once, show_cmds_make);
	fo__words_split(&x->w, line, true);
	if (!x->w.n)
		goto out;
	fo__cmd_match(cmds, show_cmds, s->lvl == FO__CONF ? J_CONF : J_OP, FO_DEV_JUNOS, &x->w, 0, line, &x->m);
	if (x->m.oom) {
		o->text.oom = true;
		goto out;
	}
	if (x->m.st != FO__M_OK) {
		error_out(s, &x->m, &x->w, line, o);
		goto out;
	}
	id = x->m.cmd->id;
	r = dispatch(s, &x->m, &x->w, pipe, o);
	if (o->is_output && pipe && id != J_RUN) { /* run's command filtered its own */
		size_t bad = 0;

		if (filters(s, pipe, o, &bad)) {
			o->text.len = 0;
			o->is_output = false;
			error_at(s, strlen(line) + 1 + bad, "syntax error, expecting <command>.", o);
		}
	}
out:
	free(x);
	return r;
}

int fo__jn_line(struct fo_dev_sess *s, const char *raw, struct fo__out *o)
{
	char line[FO__DEV_LINE_MAX + 8];
	const char *bar = NULL;
	bool q = false;
	size_t n;

	s->status = 0;
	if (s->ask != FO__ASK_NONE)
		return answer(s, raw, o);
	/* the pipe: the first '|' outside quotes */
	for (const char *c = raw; *c && !bar; c++) {
		if (*c == '"')
			q = !q;
		else if (*c == '|' && !q)
			bar = c;
	}
	n = bar ? (size_t)(bar - raw) : strlen(raw);
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	memcpy(line, raw, n);
	line[n] = '\0';
	return run(s, line, bar ? bar + 1 : NULL, o);
}
