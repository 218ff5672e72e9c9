/*
 * `fanout run`: apply a task to every host of an inventory and account for
 * every host.
 *
 * The hosts come from inventory.c (nornir files, host lists); names that
 * are not addresses are resolved first, on a pool of threads (the one
 * place that may block in getaddrinfo). Then one fo_run over the hosts in
 * the chosen model: each task makes its host's whole result, a record
 * (rec.h), as the task's output bytes; the runtime carries them back to
 * this process from any worker, and on_result, here, reads the record,
 * counts it, writes its JSON line (--json, the one place JSON is made)
 * and moves the progress line. A host whose worker died, or that was
 * never started because of Ctrl-C, gets a record made here from the
 * runtime's result: no host is ever missing.
 *
 * What reaches the outside is guarded (STYLE 17-19): inventory values
 * reach sh -c only as single-quoted words; --out files are written whole
 * under a temporary name, a failed or cut output only ever as
 * CMD.partial.txt, under names escaped by fo__run_file_name (run.h), and
 * a write error fails its host; each --json line is one write(2); names
 * and device text shown on the terminal are neutralised (term_add).
 *
 * Ctrl-C: no new hosts start (they end "skipped"); hosts in flight get a
 * grace (--grace, 2 s) and are then cancelled; the results so far and the
 * summary are written. A second Ctrl-C cancels at once.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../cli/cli.h"
#include "../net/connect.h"
#include "../net/curl.h"
#include "../net/dns.h"
#include "../util/map.h"
#include "../util/diag.h"
#include "../util/file.h"
#include "../util/json.h"
#include "../util/sbuf.h"
#include "../util/shquote.h"
#include "../util/stopsig.h"
#include "../util/term.h"
#include "fanout/runtime.h"
#include "../cli/opt.h"
#include "gate.h"
#include "compare.h"
#include "gather.h"
#include "parse.h"
#include "../textfsm/textfsm.h"
#include "inv_args.h"
#include "inventory.h"
#include "rec.h"
#include "run.h"
#include "platform.h"
#include "ssh.h"
#include "copy.h"

extern char **environ;

enum task { T_SSH, T_TCP, T_SLEEP, T_EXEC, T_HTTP, T_COPY, T_NTASKS };

/* Sets of tasks, for the options that apply to some only. */
enum { M_SSH = 1 << T_SSH, M_TCP = 1 << T_TCP, M_SLEEP = 1 << T_SLEEP, M_EXEC = 1 << T_EXEC,
       M_HTTP = 1 << T_HTTP, M_COPY = 1 << T_COPY, M_LOGIN = M_SSH | M_COPY /* the ssh login's */ };

static const char *const task_names[T_NTASKS] = { "ssh", "tcp", "sleep", "exec", "http", "copy" };

/* -c and --commands-file, in the order given */
/* The commands of the hosts of one platform, when a --commands-file
 * names {platform}: cmds point into cfg.bufs or the command line. */
struct cmdset {
	const struct fo_platform *plat;
	const char **cmds;
	size_t n;
};

struct cmdarg {
	bool file;
	const char *v;
};

/* What a run is: the flags (src/cli/opt.h: the table below fills them),
 * what they lead to, and what on_result keeps. */
struct cfg {
	int task;                  /* enum task */
	struct fo_inv_args hosts;  /* -i, -w, -x, --group, ... (inv_args.h) */
	struct fo_inv inv;
	char **addrs;              /* per host: the address to reach */
	char **resolve_err;        /* per host: why it has none, or NULL */
	const char *dns;           /* --dns: name servers instead of resolv.conf's */
	int64_t dns_timeout;       /* --dns-timeout: bound on resolving every name */
	long dns_window;           /* --dns-window: lookups in flight at most */
	long dns_rate;             /* --dns-rate: lookups started per second at most */
	struct fo_ssh_cfg ssh;
	struct cmdarg *cmdargs;    /* -c, --commands-file */
	size_t ncmdargs;
	const char **cmds;         /* the commands, files read */
	size_t ncmds;
	struct cmdset *sets;       /* with --commands-file '...{platform}...': per platform */
	size_t nsets;
	bool per_platform;
	char **bufs;               /* --commands-file contents, cmds point into them */
	size_t nbufs;
	struct fo_optlist setup;   /* --setup */
	bool force_shell, force_exec; /* --shell, --exec */
	int shell;                 /* -1: by platform */
	const char *key_file, *key_pass, *key_pass_env;
	bool agent;
	const char *password;      /* --password-env/--password-file, for every host */
	const char *password_env, *password_file;
	char *secret;              /* --password-file's, zeroed before it is freed */
	const char *platform;      /* --platform: hosts without their own */
	struct fo_optlist plat_files; /* --platform-file */
	struct fo_platform **plats;   /* those files, loaded */
	size_t nplats;
	const struct fo_platform *prompt_plat; /* --prompt's one level */
	struct fo_platform *prompt_own;
	struct fo_platform *default_plat; /* hosts with no platform at all */
	const char *enable_env, *enable_file; /* --secret-env, --secret-file */
	const char *enable;        /* the enable secret for every host, or NULL */
	char *enable_buf;          /* --secret-file's, zeroed before it is freed */
	const char *config_file;   /* --config FILE or - */
	const char *config_dir;    /* --config-dir DIR: DIR/{host}.cfg */
	char *config_buf;          /* --config's text; config points into it */
	const char **config;
	size_t nconfig;
	int64_t confirm;           /* --confirm DUR: commit confirmed */
	int64_t rtt;               /* sleep */
	const char *exec_tmpl;     /* exec */
	const char *url_tmpl;      /* http */
	bool head;
	const char *push[2], *pull[2]; /* copy: --push LOCAL REMOTE, --pull REMOTE DIR */
	int via;                   /* enum fo_copy_via: the table's order */
	struct fo_copy_job copy;
	char copy_name[4200];      /* the result's name: "push REMOTE" or "pull REMOTE" */
	const char *me;            /* the user running this, for hosts with none */
	const char *jump;          /* --jump [USER@]HOST[:PORT], as given */
	char jump_user[128], jump_addr[64], jump_host[256];
	int jump_port;             /* 0: the host's port */
	int hostkeys;              /* enum fo_hostkey_policy */
	char *kh;                  /* the default known_hosts path (heap) */
	int64_t timeout;           /* tcp, exec, http: per host */
	long retry;
	int64_t retry_base;
	long retry_shed;           /* tries again of logins the server hung up on */
	size_t retried;            /* hosts that took more than one login (from the lines) */
	struct fo_gate login_gate;
	long max_logins;
	const char *model_s;
	long workers;
	const char *out_dir;
	bool json, progress;
	bool parse;                /* --parse */
	const char *templates;     /* --templates DIR */
	struct fo_parse_plan pp;   /* the index and the compiled templates */
	size_t nparsed, nunparsed; /* on_result's: outputs with records, without */
	const char *compare_dir;   /* --compare DIR */
	struct fo_optlist ignore;  /* --ignore REGEX */
	bool fail_on_change;
	bool cmp_open;
	struct fo_cmp_tree cmp;    /* the previous --out tree */
	struct fo_udiff_ignore *ig;
	size_t nchanged_hosts, nchange[FO_CHANGE_N], ngone;
	bool gather;               /* --gather */
	struct fo_gather groups;   /* its groups, on_result's */
	int gather_err;
	int64_t grace;
	/* on_result's */
	size_t count[FO_SSH_NSTATUS];
	size_t done, total;
	int64_t t0, last_progress;
	struct slow { int64_t ms; size_t i; } slow[5];
	size_t out_bad;            /* hosts whose --out files were not all written */
	char *out_first;           /* the first such error (heap) */
	int stdout_err;            /* the first error writing --json lines: -errno */
};

static atomic_int stopping; /* Ctrl-C seen: start no more hosts */

/* ---- JSON text ---------------------------------------------------------------- */

/* struct jb: the JSON text being made (a growing buffer) */
#define jb fo_sbuf

static void jb_add(struct jb *b, const char *s, size_t n)
{
	fo_sbuf_add(b, s, n);
}

static void jb_s(struct jb *b, const char *s)
{
	jb_add(b, s, strlen(s));
}

#define jb_fmt fo_sbuf_addf

/* ---- text for the terminal ---------------------------------------------------------- */

/* "fanout: " pre, s neutralised, then post and a newline, on stderr. */
static void say(const char *pre, const char *s, const char *post)
{
	struct jb b = { 0 };

	jb_s(&b, "fanout: ");
	jb_s(&b, pre);
	fo__term_adds(&b, s);
	jb_s(&b, post);
	jb_s(&b, "\n");
	if (b.p)
		fputs(b.p, stderr);
	free(b.p);
}

/* ---- the per-host record ---------------------------------------------------------- */

static const struct fo_platform *named_platform(const struct cfg *c, const struct fo_inv_host *h);

/* The commands h runs: its platform's set when a --commands-file names
 * {platform} (plan_commands made one for every platform in the run),
 * else everyone's. */
static const char **host_cmds(const struct cfg *c, const struct fo_inv_host *h, size_t *n)
{
	const struct fo_platform *p;
	size_t i;

	if (!c->per_platform) {
		*n = c->ncmds;
		return c->cmds;
	}
	p = named_platform(c, h);
	for (i = 0; i < c->nsets; i++)
		if (c->sets[i].plat == p) {
			*n = c->sets[i].n;
			return c->sets[i].cmds;
		}
	*n = 0;
	return NULL;
}

/* A task's result is a struct fo_rec (rec.h), carried to on_result as
 * the task's output bytes; this is its JSON, written there, once:
 * {"status":..,"host":..,...,"out_error":..,"results":[...]}. */
static void host_json(struct jb *b, const struct fo_inv_host *h, const struct fo_rec *rec)
{
	const char *addr = rec->address, *out_error = rec->out_error;
	const struct fo_rec_cmd *r = rec->cmds;
	size_t i, n = rec->ncmds;

	jb_s(b, "{\"status\":");
	fo__json_strz(b, fo_ssh_status_name(rec->status));
	jb_s(b, ",\"host\":");
	fo__json_strz(b, h->name);
	jb_s(b, ",\"hostname\":");
	fo__json_strz(b, h->hostname);
	if (addr && strcmp(addr, h->hostname)) {
		jb_s(b, ",\"address\":");
		fo__json_strz(b, addr);
	}
	jb_fmt(b, ",\"port\":%d,\"ms\":%lld,\"attempts\":%d", h->port, (long long)rec->ms, rec->attempts);
	if (out_error) {
		jb_s(b, ",\"out_error\":");
		fo__json_strz(b, out_error);
	}
	jb_s(b, ",\"results\":[");
	for (i = 0; i < n; i++) {
		jb_s(b, i ? ",{\"command\":" : "{\"command\":");
		fo__json_strz(b, r[i].command);
		jb_s(b, ",\"status\":");
		fo__json_strz(b, fo_ssh_status_name(r[i].status));
		if (r[i].phase) {
			jb_s(b, ",\"phase\":");
			fo__json_strz(b, r[i].phase);
		}
		if (r[i].exit_code >= 0)
			jb_fmt(b, strcmp(r[i].command, "http") ? ",\"exit\":%d" : ",\"http_status\":%d",
			       r[i].exit_code);
		jb_fmt(b, ",\"ms\":%lld", (long long)r[i].ms);
		if (r[i].error) {
			jb_s(b, ",\"error\":");
			fo__json_strz(b, r[i].error);
		}
		jb_s(b, ",\"output\":");
		fo__json_str(b, r[i].out ? r[i].out : "", r[i].out ? r[i].out_len : 0);
		if (r[i].parsed) { /* JSON already (fo_textfsm_json): a record a line, */
			const char *p = r[i].parsed, *q; /* its newlines all between tokens */

			jb_s(b, ",\"parsed\":");
			for (; (q = strchr(p, '\n')); p = q + 1)
				fo_sbuf_add(b, p, (size_t)(q - p));
			jb_s(b, p);
		}
		if (r[i].parse_error) {
			jb_s(b, ",\"parse_error\":");
			fo__json_strz(b, r[i].parse_error);
		}
		if (r[i].change != FO_CHANGE_NONE) {
			static const char *const names[] = { "", "unchanged", "changed", "new" };

			jb_s(b, ",\"change\":");
			fo__json_strz(b, names[r[i].change]);
		}
		if (r[i].diff) {
			jb_s(b, ",\"diff\":");
			fo__json_str(b, r[i].diff, r[i].diff_len);
		}
		jb_s(b, "}");
	}
	jb_s(b, "]}");
}

/* The record of a host that did not run (resolution failed, skipped, its
 * worker died...): every command with one status. rec->cmds is heap (the
 * caller frees it); 0 or -ENOMEM. */
static int rec_all(const struct cfg *c, const struct fo_inv_host *h, enum fo_ssh_status st,
		   const char *phase, const char *error, struct fo_rec *rec)
{
	struct fo_rec_cmd one = { .status = st, .phase = phase, .exit_code = -1, .out = "", .error = error };
	bool config = c->task == T_SSH && (c->config_file || c->config_dir);
	const char *one_name = c->task == T_TCP ? "tcp" : c->task == T_SLEEP ? "sleep" : c->task == T_HTTP ? "http"
			       : c->task == T_COPY ? c->copy_name : c->exec_tmpl;
	size_t i, ncmds, n;
	const char **cmds = host_cmds(c, h, &ncmds);

	n = c->task == T_SSH ? ncmds + (config ? 2 : 0) : 1;

	*rec = (struct fo_rec){ .status = st, .ncmds = n };
	if (!(rec->cmds = calloc(n, sizeof(*rec->cmds)))) {
		rec->ncmds = 0;
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		rec->cmds[i] = one;
		rec->cmds[i].command = c->task != T_SSH ? one_name : i < ncmds ? cmds[i] : i == ncmds ? "config"
											     : "config diff";
	}
	return 0;
}

/* ---- --out DIR -------------------------------------------------------------------- */

static char *msgf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *msgf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

/* One command's output under dir: NAME.txt when it is complete and good
 * (and then a NAME.partial.txt of an earlier run goes), else
 * NAME.partial.txt beside it, leaving a good NAME.txt as it was. Both
 * whole or not at all (fo__write_file). With parse (--parse), NAME.json
 * beside NAME.txt holds its records; with compare (--compare), NAME.diff
 * what changed. NULL, or why not (heap). */
/* dir/NAME.EXT holding p[0..n) (--parse's records, --compare's diff);
 * with p NULL, an earlier run's goes (it would not be of this output).
 * NULL, or why not (heap). */
static char *write_beside(const char *dir, const char *name, const char *ext, const char *p, size_t n)
{
	char path[PATH_MAX];
	int e;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s%s", dir, name, ext) >= sizeof(path))
		return msgf("cannot write '%s/%s%s': %s", dir, name, ext, strerror(ENAMETOOLONG));
	if (p && (e = fo__write_file(path, p, n, 0644, false)))
		return msgf("cannot write '%s': %s", path, strerror(-e));
	if (!p && unlink(path) < 0 && errno != ENOENT)
		return msgf("cannot remove '%s': %s", path, strerror(errno));
	return NULL;
}

char *fo__run_write_one(const char *dir, const struct fo_rec_cmd *r, bool parse, bool compare)
{
	char name[FO_RUN_NAME_MAX + 1], part[PATH_MAX], path[PATH_MAX], *bad;
	int e;

	fo__run_file_name(r->command, name);
	if ((size_t)snprintf(part, sizeof(part), "%s/%s.partial.txt", dir, name) >= sizeof(part))
		return msgf("cannot write '%s/%s.partial.txt': %s", dir, name, strerror(ENAMETOOLONG));
	if (r->status != FO_SSH_OK) {
		e = fo__write_file(part, r->out, r->out_len, 0644, false);
		return e ? msgf("cannot write '%s': %s", part, strerror(-e)) : NULL;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.txt", dir, name) >= sizeof(path))
		return msgf("cannot write '%s/%s.txt': %s", dir, name, strerror(ENAMETOOLONG));
	e = fo__write_file(path, r->out, r->out_len, 0644, false);
	if (e)
		return msgf("cannot write '%s': %s", path, strerror(-e));
	if (parse && (bad = write_beside(dir, name, ".json", r->parsed, r->parsed ? strlen(r->parsed) : 0)))
		return bad;
	if (compare && (bad = write_beside(dir, name, ".diff", r->change == FO_CHANGE_CHANGED ? r->diff : NULL,
					   r->diff_len)))
		return bad;
	if (unlink(part) < 0 && errno != ENOENT)
		return msgf("cannot remove '%s': %s", part, strerror(errno));
	return NULL;
}

/* Every command's file under DIR/HOST; why[i]: NULL, or why command i's
 * was not written (heap). */
static void write_outputs(const struct cfg *c, const struct fo_inv_host *h, const struct fo_rec_cmd *r,
			  size_t n, char **why)
{
	char name[FO_RUN_NAME_MAX + 1], dir[PATH_MAX];
	char *bad = NULL;
	size_t i;

	fo__run_file_name(h->name, name);
	if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", c->out_dir, name) >= sizeof(dir))
		bad = msgf("cannot make '%s/%s': %s", c->out_dir, name, strerror(ENAMETOOLONG));
	else if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		bad = msgf("cannot make '%s': %s", dir, strerror(errno));
	for (i = 0; i < n; i++)
		why[i] = bad ? strdup(bad) : fo__run_write_one(dir, &r[i], c->parse, c->compare_dir != NULL);
	free(bad);
}

/* --parse: each ok output's records (heap JSON in r[i].parsed), or why
 * none (r[i].parse_error); the caller frees both. 0 or -ENOMEM. */
static int parse_outputs(const struct cfg *c, const struct fo_inv_host *h, struct fo_rec_cmd *r, size_t n)
{
	const struct fo_platform *p = named_platform(c, h);
	size_t i, ncmds;

	host_cmds(c, h, &ncmds); /* the entries after them are config's */
	for (i = 0; i < n && i < ncmds; i++) {
		if (r[i].status != FO_SSH_OK)
			continue;
		if (fo__parse_output(&c->pp, fo__parse_pick(&c->pp, p, r[i].command), r[i].out, r[i].out_len,
				     (char **)&r[i].parsed, (char **)&r[i].parse_error) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* --compare: each ok output against the previous tree's (r[i].change,
 * and the diff in r[i].diff, heap, the caller's to free). A file of that
 * tree that cannot be read leaves the output uncompared (still ok: the
 * run's health does not depend on it) with the reason as its error, in
 * errs[i] (heap, the caller's). 0 or -ENOMEM. */
static int compare_outputs(const struct cfg *c, const struct fo_inv_host *h, struct fo_rec_cmd *r, size_t n,
			   char **errs)
{
	static const enum fo_rec_change to[] = { [FO_CMP_UNCHANGED] = FO_CHANGE_UNCHANGED,
						 [FO_CMP_CHANGED] = FO_CHANGE_CHANGED, [FO_CMP_NEW] = FO_CHANGE_NEW,
						 [FO_CMP_GONE] = FO_CHANGE_NONE };
	struct fo_cmp_result cr;
	char err[512];
	size_t i;
	int e;

	for (i = 0; i < n; i++) {
		if (r[i].status != FO_SSH_OK)
			continue;
		e = fo_cmp_output(&c->cmp, h->name, r[i].command, r[i].out, r[i].out_len, c->ig, &cr, err,
				  sizeof(err));
		if (e == -ENOMEM)
			return e;
		if (e < 0) {
			if ((errs[i] = msgf("--compare: %s", err)))
				r[i].error = errs[i];
			continue;
		}
		r[i].change = to[cr.state];
		r[i].diff = cr.diff;
		r[i].diff_len = cr.diff_len;
	}
	return 0;
}

/* The end of a task's host: its outputs under --out, where a file not
 * written makes its command (and so the host) failed, saying which file
 * and why; then the host's record into b (rec.h). */
static void finish_host(const struct cfg *c, struct jb *b, const struct fo_inv_host *h, const char *addr,
			enum fo_ssh_status worst, int64_t ms, int attempts, struct fo_rec_cmd *r, size_t n)
{
	char **why = c->out_dir ? calloc(2 * n, sizeof(*why)) : NULL; /* why, then the new error texts */
	char **cerr = NULL; /* --compare's errors */
	const char *first = NULL;
	size_t i;

	if (c->out_dir && !why) {
		b->oom = true;
		goto out;
	}
	if (c->parse && parse_outputs(c, h, r, n) < 0) {
		b->oom = true;
		goto out;
	}
	if (c->compare_dir && (!(cerr = calloc(n, sizeof(*cerr))) || compare_outputs(c, h, r, n, cerr) < 0)) {
		b->oom = true;
		goto out;
	}
	if (why)
		write_outputs(c, h, r, n, why);
	for (i = 0; why && i < n; i++) {
		if (!why[i])
			continue;
		first = first ? first : why[i];
		why[n + i] = r[i].error ? msgf("%s; %s", r[i].error, why[i]) : NULL;
		r[i].error = why[n + i] ? why[n + i] : why[i];
		if (r[i].status == FO_SSH_OK) {
			r[i].status = FO_SSH_FAILED;
			r[i].phase = "output";
		}
		worst = worst == FO_SSH_OK ? FO_SSH_FAILED : worst;
	}
	fo__rec_write(b, &(struct fo_rec){ worst, ms, attempts, addr, first, r, n });
out:
	for (i = 0; (c->parse || c->compare_dir) && i < n; i++) {
		free((char *)r[i].parsed);
		free((char *)r[i].parse_error);
		free((char *)r[i].diff);
		r[i].parsed = r[i].parse_error = r[i].diff = NULL;
	}
	for (i = 0; cerr && i < n; i++)
		free(cerr[i]);
	free(cerr);
	for (i = 0; why && i < 2 * n; i++)
		free(why[i]);
	free(why);
}

/* ---- the tasks ----------------------------------------------------------------------- */

/* A number below range, from a per-thread xorshift seeded by the clock:
 * jitter for backoffs, nothing that needs to be unpredictable. */
static uint64_t jitter(uint64_t range)
{
	static __thread uint64_t x;

	if (!x)
		x = (uint64_t)fo_now() ^ (uint64_t)(uintptr_t)&x ^ 0x9e3779b97f4a7c15ULL;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return range ? x % range : 0;
}

static bool retryable(const struct fo_ssh_res *r)
{
	return r->status == FO_SSH_UNREACHABLE ||
	       (r->status == FO_SSH_TIMEOUT && r->phase &&
		(!strcmp(r->phase, "connect") || !strcmp(r->phase, "handshake")));
}

static int push(const char ***arr, size_t *n, const char *v);

/* The platform of a host: --platform-file's by its type, else a shipped
 * one by name or alias; a host without one gets --platform, else generic.
 * NULL when the name is unknown (check_platforms refused that already). */
/*
 * A host with no platform (and no --platform): the prompt is a last line
 * ending in > or # after a device-like name, and IOS's "% Invalid ..."
 * lines are failures — how --shell read every device before platforms,
 * kept so that a host list without platforms works as it did. No levels to
 * walk, no on-open (exec mode stays the default for such hosts).
 */
static const char default_platform_yaml[] =
	"platform-type: 'default'\n"
	"default:\n"
	"  driver-type: 'generic'\n"
	"  privilege-levels:\n"
	"    prompt:\n"
	"      pattern: '(?m)^[^\\n]*?[[:alnum:]_.:/@()-]+[>#][ \\t]*$'\n"
	"  default-desired-privilege-level: 'prompt'\n"
	"  failed-when-contains: ['% Invalid', '%Invalid', '% Incomplete', '% Ambiguous', '% Unknown',\n"
	"    '% Unrecognized', '% Error']\n";

static const struct fo_platform *named_platform(const struct cfg *c, const struct fo_inv_host *h)
{
	const char *name = h->platform ? h->platform : c->platform;
	size_t i;

	if (!name)
		return c->default_plat;

	for (i = c->nplats; i-- > 0;)
		if (!strcmp(fo_platform_info(c->plats[i])->type, name))
			return c->plats[i];
	return fo_platform_builtin(name);
}

/* The platform its shell session follows: --prompt's, else its own. */
static const struct fo_platform *host_platform(const struct cfg *c, const struct fo_inv_host *h)
{
	return c->prompt_plat ? c->prompt_plat : named_platform(c, h);
}

/* Shell or exec: --shell/--exec, else shell for a network platform. */
static bool host_shell(const struct cfg *c, const struct fo_inv_host *h)
{
	const struct fo_platform *p = named_platform(c, h);

	if (c->shell >= 0)
		return c->shell;
	return p && !strcmp(fo_platform_info(p)->driver_type, "network");
}

/* The enable secret of h: --secret-env/--secret-file, else the
 * inventory's `secret` (host data, or a connection option's extras, as
 * netmiko reads it), else NULL. */
static const char *host_secret(const struct cfg *c, const struct fo_inv_host *h)
{
	const struct fo_inv_val *v;
	size_t i;

	if (c->enable)
		return c->enable;
	if ((v = fo_inv_val_get(&h->data, "secret")) && v->type == FO_INV_STR)
		return v->s;
	for (i = 0; i < h->nconn; i++)
		if ((v = fo_inv_val_get(&h->conn[i].extras, "secret")) && v->type == FO_INV_STR)
			return v->s;
	return NULL;
}

/* Lines of text, each cut at its end (\r\n too), blank ones and those
 * starting with one of `comment` skipped; they point into buf. 0 or -1
 * (out of memory). */
static int split_lines(char *buf, const char *comment, const char ***v, size_t *n)
{
	char *line, *next;

	for (line = buf; line; line = next) {
		size_t len = strcspn(line, "\n");

		next = line[len] ? line + len + 1 : NULL;
		line[len] = 0;
		while (len && line[len - 1] == '\r')
			line[--len] = 0;
		if (len && !strchr(comment, line[0]) && push(v, n, line))
			return -1;
	}
	return 0;
}

/* A host's configuration from --config-dir: DIR/NAME.cfg, NAME escaped as
 * --out's names are. */
struct host_config {
	char *buf;
	const char **lines;
	size_t n;
	char *err; /* heap (a host waiting at the login gate keeps this frame: small) */
};

#define CONFIG_MAX ((size_t)4 << 20)

static int host_config(const struct cfg *c, const struct fo_inv_host *h, struct host_config *hc)
{
	char name[FO_RUN_NAME_MAX + 1], path[PATH_MAX];
	size_t len;
	int e;

	fo__run_file_name(h->name, name);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.cfg", c->config_dir, name) >= sizeof(path)) {
		hc->err = msgf("--config-dir: the path of %s's file is too long", h->name);
		return -1;
	}
	e = fo__slurp_max(path, CONFIG_MAX, &hc->buf, &len);
	if (e < 0) {
		hc->err = msgf("cannot read its configuration %s: %s", path, e == -EFBIG ? "over 4 MiB" : strerror(-e));
		return -1;
	}
	if (split_lines(hc->buf, "!#", &hc->lines, &hc->n) < 0)
		return -1;
	if (!hc->n) {
		hc->err = msgf("its configuration %s has no lines", path);
		return -1;
	}
	return 0;
}

static void host_config_release(struct host_config *hc)
{
	free(hc->buf);
	free(hc->lines);
	free(hc->err);
}

/* The record of a host whose configuration file could not be read. */
static void finish_config_failed(const struct cfg *c, const struct fo_inv_host *h, struct jb *b,
				 const struct host_config *hc)
{
	struct fo_rec rec = { 0 };

	if (rec_all(c, h, FO_SSH_FAILED, "config", hc->err ? hc->err : "out of memory", &rec) < 0)
		b->oom = true;
	fo__rec_write(b, &rec);
	free(rec.cmds);
}

/* The jump host's target (ssh -J): the host's credentials, its own
 * address and port. */
static void jump_target(const struct cfg *c, const struct fo_inv_host *h, const struct fo_ssh_target *t,
			struct fo_ssh_target *jt)
{
	*jt = *t;
	jt->name = c->jump;
	jt->addr = c->jump_addr;
	jt->hostname = c->jump_host;
	jt->port = c->jump_port ? c->jump_port : h->port;
	jt->user = c->jump_user[0] ? c->jump_user : t->user;
	jt->platform = "linux";
	jt->plat = NULL;
	jt->config = NULL;
	jt->nconfig = 0;
	jt->jump = NULL;
}

/* fo_ssh_host, again after a shed login (soon, spread out) or a
 * connection failure (--retry, doubling): the worst status; *attempts
 * gets how many logins it took. */
static enum fo_ssh_status ssh_with_retries(const struct cfg *c, const struct fo_ssh_target *t,
					   const struct fo_ssh_cfg *sc, struct fo_ssh_res *res, size_t n,
					   int *attempts)
{
	int64_t backoff = c->retry_base, shed_backoff = 100 * FO_MSEC;
	enum fo_ssh_status worst;
	int attempt, sheds = 0;

	for (attempt = 0;; attempt++) {
		int64_t wait;

		worst = fo_ssh_host(t, sc, res);
		if (fo_cancelled() || atomic_load(&stopping))
			break;
		if (res[0].shed && sheds < c->retry_shed) {
			/* load shedding (MaxStartups): soon again, spread out so
			 * that the shed ones do not all come back at once */
			wait = shed_backoff + (int64_t)jitter((uint64_t)shed_backoff);
			shed_backoff *= 2;
			sheds++;
		} else if (attempt - sheds < c->retry && retryable(&res[0])) {
			wait = backoff;
			backoff *= 2;
		} else {
			break;
		}
		fo_ssh_results_release(res, n);
		if (fo_sleep(wait) < 0)
			break;
	}
	*attempts = attempt + 1;
	return worst;
}

static void task_ssh(struct fo_job *job, struct cfg *c, const struct fo_inv_host *h, const char *addr,
		     struct jb *b)
{
	struct fo_ssh_target t = {
		.name = h->name, .addr = addr, .hostname = h->hostname, .port = h->port,
		.user = h->username ? h->username : c->me,
		.password = c->password ? c->password : h->password,
		.key_file = c->key_file, .key_pass = c->key_pass, .agent = c->agent,
		.platform = h->platform, .plat = host_platform(c, h), .secret = host_secret(c, h),
		.config = c->config, .nconfig = c->nconfig,
	}, jt;
	struct fo_copy_host copy;
	struct fo_ssh_cfg sc = c->ssh;
	struct host_config hc = { 0 };
	struct fo_ssh_res *res = NULL;
	struct fo_rec_cmd *r = NULL;
	enum fo_ssh_status worst;
	int64_t t0 = fo_now();
	int attempts;
	size_t i, n;

	(void)job;
	sc.shell = host_shell(c, h);
	sc.cmds = host_cmds(c, h, &sc.ncmds);
	if (c->task == T_COPY) {
		fo__copy_host_init(&copy, &c->copy, h->name, named_platform(c, h), (enum fo_copy_via)c->via);
		t.copy = &copy;
	}
	if (c->config_dir && host_config(c, h, &hc) < 0) {
		finish_config_failed(c, h, b, &hc);
		goto out;
	}
	if (c->config_dir) {
		t.config = hc.lines;
		t.nconfig = hc.n;
	}
	n = fo_ssh_nres(&t, &sc);
	res = calloc(n, sizeof(*res));
	r = calloc(n, sizeof(*r));
	if (!res || !r) {
		b->oom = true;
		goto out;
	}
	if (c->jump) {
		jump_target(c, h, &t, &jt);
		t.jump = &jt;
	}
	worst = ssh_with_retries(c, &t, &sc, res, n, &attempts);
	for (i = 0; i < n; i++) {
		const char *name = t.copy ? c->copy_name : i < sc.ncmds ? sc.cmds[i] : i == sc.ncmds ? "config"
												 : "config diff";

		r[i] = (struct fo_rec_cmd){ .command = name, .status = res[i].status, .phase = res[i].phase,
					    .exit_code = res[i].exit_code, .out = res[i].out, .out_len = res[i].out_len,
					    .error = res[i].error, .ms = res[i].ms };
	}
	/* the address reached; when none was, those tried */
	finish_host(c, b, h, n && res[0].addr[0] ? res[0].addr : addr, worst, (fo_now() - t0) / FO_MSEC,
		    attempts, r, n);
	fo_ssh_results_release(res, n);
out:
	host_config_release(&hc);
	free(res);
	free(r);
}

/* A connect to the host's port: its addresses tried in turn, with happy
 * eyeballs (src/net/connect.h); the record names the one reached. */
static void task_tcp(struct cfg *c, const struct fo_inv_host *h, const char *addr, struct jb *b)
{
	int64_t t0 = fo_now(), dl = c->timeout > 0 ? t0 + c->timeout : FO_NEVER;
	struct fo_rec_cmd r = { .command = "tcp", .status = FO_SSH_OK, .exit_code = -1, .out = "" };
	char err[300] = "", reached[64] = "";
	int fd = fo_connect(addr, h->port, dl, reached, sizeof(reached), err, sizeof(err));

	if (fd >= 0)
		close(fd);
	else
		r.status = fd == -ECANCELED ? FO_SSH_SKIPPED : fd == -ETIMEDOUT ? FO_SSH_TIMEOUT
			   : fd == -EMFILE || fd == -ENFILE || fd == -ENOMEM ? FO_SSH_FAILED : FO_SSH_UNREACHABLE;
	r.ms = (fo_now() - t0) / FO_MSEC;
	r.phase = r.status == FO_SSH_OK ? NULL : "connect";
	r.error = *err ? err : NULL;
	finish_host(c, b, h, *reached ? reached : addr, r.status, r.ms, 1, &r, 1);
}

static void task_sleep(struct cfg *c, const struct fo_inv_host *h, struct jb *b)
{
	int64_t t0 = fo_now();
	int w = fo_sleep(c->rtt);
	struct fo_rec_cmd r = { .command = "sleep",
				.status = w == 0 ? FO_SSH_OK : w == -ECANCELED ? FO_SSH_SKIPPED : FO_SSH_TIMEOUT,
				.phase = w ? "sleep" : NULL, .exit_code = -1, .out = "",
				.error = w ? fo_strerror(w) : NULL };

	r.ms = (fo_now() - t0) / FO_MSEC;
	finish_host(c, b, h, NULL, r.status, r.ms, 1, &r, 1);
}

/* v into b; with quote, as one single-quoted sh word (fo__sh_quote), so
 * that no byte of an inventory value is ever read by the shell as syntax
 * (STYLE 18). */
static void add_value(struct jb *b, const char *v, bool quote)
{
	if (!quote) {
		jb_s(b, v);
		return;
	}
	fo__sh_quote(b, v);
}

static const char *const tmpl_keys[] = { "{host}", "{hostname}", "{port}", "{user}", "{platform}" };
/* The same values in the environment of an exec command. */
static const char *const exec_vars[] = { "FANOUT_HOST", "FANOUT_HOSTNAME", "FANOUT_PORT", "FANOUT_USER",
					 "FANOUT_PLATFORM" };
#define NVARS (sizeof(tmpl_keys) / sizeof(tmpl_keys[0]))

/* The values of h for tmpl_keys; port holds the number's text. */
static void host_values(const struct fo_inv_host *h, char port[16], const char *val[NVARS])
{
	snprintf(port, 16, "%d", h->port);
	val[0] = h->name;
	val[1] = h->hostname;
	val[2] = port;
	val[3] = h->username ? h->username : "";
	val[4] = h->platform ? h->platform : "";
}

/* tmpl with {host} {hostname} {port} {user} {platform} filled in (quote:
 * for sh -c, see add_value). Heap, or NULL when out of memory. */
static char *expand(const char *tmpl, const struct fo_inv_host *h, bool quote)
{
	struct jb b = { 0 };
	const char *val[NVARS], *p = tmpl;
	char port[16];
	size_t k;

	host_values(h, port, val);
	while (*p) {
		for (k = 0; k < NVARS; k++)
			if (!strncmp(p, tmpl_keys[k], strlen(tmpl_keys[k])))
				break;
		if (k < NVARS) {
			add_value(&b, val[k], quote);
			p += strlen(tmpl_keys[k]);
		} else {
			jb_add(&b, p++, 1);
		}
	}
	jb_s(&b, "");
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

/* exec_env's array: its first NVARS strings are its own, the rest environ's. */
static void free_env(char **env)
{
	size_t i;

	for (i = 0; env && i < NVARS; i++)
		free(env[i]);
	free(env);
}

/* Our environment with FANOUT_HOST ... FANOUT_PLATFORM set to h's values
 * (in place of any of those names), for the commands that want them
 * inside their own quoting. NULL when out of memory. */
static char **exec_env(const struct fo_inv_host *h)
{
	const char *val[NVARS];
	char port[16], **env;
	size_t n = 0, o = 0, i, k;

	host_values(h, port, val);
	while (environ[n])
		n++;
	env = calloc(n + NVARS + 1, sizeof(*env));
	if (!env)
		return NULL;
	for (k = 0; k < NVARS; k++) {
		env[o] = msgf("%s=%s", exec_vars[k], val[k]);
		if (!env[o++]) {
			free_env(env);
			return NULL;
		}
	}
	for (i = 0; i < n; i++) {
		for (k = 0; k < NVARS; k++)
			if (!strncmp(environ[i], exec_vars[k], strlen(exec_vars[k])) &&
			    environ[i][strlen(exec_vars[k])] == '=')
				break;
		if (k == NVARS)
			env[o++] = environ[i];
	}
	return env;
}

/* Starts sh -c cmd for h in a process group of its own, so that a timeout
 * or Ctrl-C can kill all it started (kill(-pid)); stdin /dev/null (a
 * background group reading the terminal would stop), stdout and stderr
 * into a pipe whose reading end, non-blocking, is *rd. 0 or -errno. */
static int exec_spawn(const struct fo_inv_host *h, char *cmd, pid_t *pid, int *rd)
{
	char *argv[] = { "sh", "-c", cmd, NULL }, **env = exec_env(h);
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, dflt;
	int p[2], e;

	if (!env)
		return -ENOMEM;
	/* only our end non-blocking: the command's stdout stays blocking */
	if (pipe2(p, O_CLOEXEC) < 0 || fcntl(p[0], F_SETFL, O_NONBLOCK) < 0) {
		e = -errno;
		free_env(env);
		return e;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_adddup2(&fa, p[1], 2);
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGPIPE); /* ignored here (for --json's stdout), not in the command */
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &dflt);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	e = -posix_spawn(pid, "/bin/sh", &fa, &at, argv, env);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	free_env(env);
	if (e) {
		close(p[0]);
		return e;
	}
	*rd = p[0];
	return 0;
}

/* The command's output into out until it ends; at the deadline, on Ctrl-C
 * or past --max-output (of which out keeps exactly the first max bytes),
 * the command's whole process group is killed and r says why. */
static void exec_read(const struct cfg *c, pid_t pid, int fd, int64_t dl, struct jb *out, struct fo_rec_cmd *r,
		      char *err, size_t errlen)
{
	for (;;) {
		char tmp[4096];
		ssize_t n = read(fd, tmp, sizeof(tmp));
		size_t room = c->ssh.max_output - out->len;
		int w;

		if (n > 0) {
			jb_add(out, tmp, (size_t)n < room ? (size_t)n : room);
			if ((size_t)n <= room)
				continue;
			r->status = FO_SSH_FAILED;
			snprintf(err, errlen, "output over %zu bytes; killed", c->ssh.max_output);
			kill(-pid, SIGKILL);
			return;
		}
		if (n == 0 || (errno != EINTR && errno != EAGAIN))
			return;
		if (errno == EINTR)
			continue;
		w = fo_wait_fd(fd, FO_READ, dl);
		if (w < 0) {
			r->status = w == -ECANCELED ? FO_SSH_SKIPPED : FO_SSH_TIMEOUT;
			snprintf(err, errlen, "%s; killed", w == -ECANCELED ? "interrupted" : "timed out");
			kill(-pid, SIGKILL);
			return;
		}
	}
}

/* The output ended: waits for the exit without blocking the thread (the
 * deadline still holds), and makes r of it. */
static void exec_wait(pid_t pid, int64_t dl, struct fo_rec_cmd *r, char *err, size_t errlen)
{
	int st = 0, pidfd = (int)syscall(SYS_pidfd_open, pid, 0), w = 0;

	if (pidfd >= 0) {
		if (waitpid(pid, &st, WNOHANG) == 0) {
			if ((w = fo_wait_fd(pidfd, FO_READ, dl)) < 0)
				kill(-pid, SIGKILL);
			waitpid(pid, &st, 0);
		}
		close(pidfd);
	} else {
		waitpid(pid, &st, 0);
	}
	if (r->status != FO_SSH_OK)
		return;
	if (w < 0) {
		r->status = w == -ECANCELED ? FO_SSH_SKIPPED : FO_SSH_TIMEOUT;
		snprintf(err, errlen, "%s; killed", w == -ECANCELED ? "interrupted" : "timed out");
	} else if (WIFEXITED(st)) {
		r->exit_code = WEXITSTATUS(st);
		if (r->exit_code) {
			r->status = FO_SSH_FAILED;
			snprintf(err, errlen, "exit status %d", r->exit_code);
		}
	} else {
		r->status = FO_SSH_FAILED;
		snprintf(err, errlen, "killed by signal %d", WTERMSIG(st));
	}
}

static void task_exec(struct cfg *c, const struct fo_inv_host *h, struct jb *b)
{
	char *cmd = expand(c->exec_tmpl, h, true), err[200] = "";
	struct fo_rec_cmd r = { .command = c->exec_tmpl, .status = FO_SSH_OK, .exit_code = -1, .out = "" };
	struct jb out = { 0 };
	int64_t t0 = fo_now(), dl = c->timeout > 0 ? t0 + c->timeout : FO_NEVER;
	pid_t pid = -1;
	int fd = -1, e;

	e = cmd ? exec_spawn(h, cmd, &pid, &fd) : -ENOMEM;
	if (e) {
		r.status = FO_SSH_FAILED;
		snprintf(err, sizeof(err), "cannot start /bin/sh: %s", strerror(-e));
	} else {
		exec_read(c, pid, fd, dl, &out, &r, err, sizeof(err));
		close(fd);
		exec_wait(pid, dl, &r, err, sizeof(err));
	}
	r.out = out.p ? out.p : "";
	r.out_len = out.len;
	r.error = *err ? err : NULL;
	r.phase = r.status == FO_SSH_OK ? NULL : "command";
	r.ms = (fo_now() - t0) / FO_MSEC;
	finish_host(c, b, h, NULL, r.status, r.ms, 1, &r, 1);
	free(out.p);
	free(cmd);
}

/* An HTTP body, up to --max-output. */
struct body {
	struct jb b;
	size_t max;
	bool over;
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct body *o = arg;
	size_t len = size * n, room = o->max - o->b.len;

	if (len > room) {
		jb_add(&o->b, p, room);
		o->over = true;
		return 0; /* over the cap: curl stops with a write error */
	}
	jb_add(&o->b, p, len);
	return o->b.oom ? 0 : len;
}

/* CURLOPT_RESOLVE's entry for h: "NAME:PORT:A,[B6],C", IPv6 in brackets.
 * false when out of memory. */
static bool pin_addrs(const struct fo_inv_host *h, const char *addrs, struct curl_slist **out)
{
	struct jb b = { 0 };
	const char *p = addrs;

	jb_fmt(&b, "%s:%d:", h->hostname, h->port);
	while (*p) {
		size_t l = strcspn(p, ",");
		bool v6 = memchr(p, ':', l) != NULL;

		jb_fmt(&b, "%s%s%.*s%s", p == addrs ? "" : ",", v6 ? "[" : "", (int)l, p, v6 ? "]" : "");
		p += l + (p[l] == ',');
	}
	if (!b.oom)
		*out = curl_slist_append(NULL, b.p);
	free(b.p);
	return !b.oom && *out;
}

/* One request per host: status, latency, body (capped by --max-output). */
static void task_http(struct cfg *c, const struct fo_inv_host *h, const char *addr, struct jb *b)
{
	char *url = expand(c->url_tmpl, h, false), err[CURL_ERROR_SIZE] = "", msg[CURL_ERROR_SIZE + 40] = "";
	struct fo_rec_cmd r = { .command = "http", .status = FO_SSH_OK, .exit_code = -1, .out = "" };
	struct body body = { .max = c->ssh.max_output };
	int64_t t0 = fo_now(), dl = c->timeout > 0 ? t0 + c->timeout : FO_NEVER;
	struct curl_slist *resolve = NULL;
	CURL *e = curl_easy_init();
	CURLcode cc;
	long code = 0;
	char *ip = NULL, reached[64] = "";

	if (!e || !url) {
		r.status = FO_SSH_FAILED;
		snprintf(msg, sizeof(msg), "out of memory");
		goto done;
	}
	/* the name was resolved before the run: pin its every address (curl
	 * tries them with happy eyeballs of its own), no lookup per host */
	if (addr && strcmp(addr, h->hostname) && !pin_addrs(h, addr, &resolve)) {
		r.status = FO_SSH_FAILED;
		snprintf(msg, sizeof(msg), "out of memory");
		goto done;
	}
	if (resolve)
		curl_easy_setopt(e, CURLOPT_RESOLVE, resolve);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, err);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "fanout-run/1");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	if (c->head)
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	cc = fo_curl_perform(e, dl);
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
	if (curl_easy_getinfo(e, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip && *ip)
		snprintf(reached, sizeof(reached), "%s", ip); /* the address curl reached */
	r.exit_code = (int)code;
	if (cc == CURLE_OK) {
		if (code >= 400) {
			r.status = FO_SSH_FAILED;
			snprintf(msg, sizeof(msg), "HTTP %ld", code);
		}
	} else if (cc == CURLE_WRITE_ERROR && body.over) {
		r.status = FO_SSH_FAILED;
		snprintf(msg, sizeof(msg), "output over %zu bytes", body.max);
	} else {
		r.status = cc == CURLE_OPERATION_TIMEDOUT ? FO_SSH_TIMEOUT
			   : cc == CURLE_ABORTED_BY_CALLBACK ? FO_SSH_SKIPPED
			   : cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST ? FO_SSH_UNREACHABLE
			   : FO_SSH_FAILED;
		snprintf(msg, sizeof(msg), "%s", cc == CURLE_ABORTED_BY_CALLBACK ? "interrupted" :
			 cc == CURLE_OPERATION_TIMEDOUT ? "timed out" : *err ? err : curl_easy_strerror(cc));
	}
done:
	r.out = body.b.p ? body.b.p : "";
	r.out_len = body.b.len;
	r.error = *msg ? msg : NULL;
	r.phase = r.status == FO_SSH_OK ? NULL : "request";
	r.ms = (fo_now() - t0) / FO_MSEC;
	finish_host(c, b, h, *reached ? reached : addr, r.status, r.ms, 1, &r, 1);
	if (e)
		curl_easy_cleanup(e);
	curl_slist_free_all(resolve);
	free(body.b.p);
	free(url);
}

static int job(struct fo_job *jb_, void *arg)
{
	struct cfg *c = arg;
	size_t i = fo_job_index(jb_);
	const struct fo_inv_host *h = &c->inv.hosts[i];
	struct fo_rec rec = { 0 };
	struct jb b = { 0 };
	bool stop = atomic_load(&stopping) || fo_cancelled();

	if (stop || c->resolve_err[i]) {
		if (rec_all(c, h, stop ? FO_SSH_SKIPPED : FO_SSH_UNREACHABLE, stop ? NULL : "resolve",
			    stop ? "not started: the run was interrupted" : c->resolve_err[i], &rec) < 0)
			b.oom = true;
		fo__rec_write(&b, &rec);
		free(rec.cmds);
	} else if (c->task == T_SSH || c->task == T_COPY)
		task_ssh(jb_, c, h, c->addrs[i], &b);
	else if (c->task == T_TCP)
		task_tcp(c, h, c->addrs[i], &b);
	else if (c->task == T_SLEEP)
		task_sleep(c, h, &b);
	else if (c->task == T_HTTP)
		task_http(c, h, c->addrs[i], &b);
	else
		task_exec(c, h, &b);
	if (b.oom) {
		free(b.p);
		return -ENOMEM;
	}
	if (b.p)
		fo_job_output(jb_, b.p, b.len);
	free(b.p);
	return 0;
}

/* ---- results, progress, summary ------------------------------------------------------- */

static void progress(struct cfg *c, bool final)
{
	int64_t now = fo_now(), el = now - c->t0;
	double rate = el > 0 ? (double)c->done * 1e9 / (double)el : 0;
	size_t bad = c->done - c->count[FO_SSH_OK];
	char eta[32] = "";

	if (!c->progress || (!final && now - c->last_progress < 100 * FO_MSEC))
		return;
	c->last_progress = now;
	if (rate > 0 && c->done < c->total)
		snprintf(eta, sizeof(eta), "  ETA %.0fs", (double)(c->total - c->done) / rate);
	fprintf(stderr, "\r\033[K%zu/%zu done  %zu not ok  %.0f hosts/s%s", c->done, c->total, bad, rate, eta);
	if (final)
		fputc('\n', stderr);
	fflush(stderr);
}

/* A --json line to stdout in one write(2) (no stdio: a kill leaves no
 * half line in a buffer); the first error is kept for the exit code. */
static void emit_json(struct cfg *c, const struct fo_inv_host *h, const struct fo_rec *rec)
{
	struct jb b = { 0 };

	if (c->stdout_err)
		return;
	if (rec)
		host_json(&b, h, rec);
	jb_s(&b, rec ? "\n" : "{\"status\":\"failed\"}\n");
	c->stdout_err = b.oom ? -ENOMEM : fo__write_all(1, b.p, b.len);
	free(b.p);
}

/* The one line on stderr of a host that is not ok, its name and the
 * first command's error (at most 300 bytes) neutralised for the terminal. */
static void show_not_ok(const struct cfg *c, const struct fo_inv_host *h, const struct fo_rec *rec)
{
	const char *e = NULL;
	struct jb b = { 0 };
	size_t i;

	for (i = 0; i < rec->ncmds && !e; i++)
		e = rec->cmds[i].error;
	if (c->progress)
		jb_s(&b, "\r\033[K");
	fo__term_adds(&b, h->name);
	jb_s(&b, ": ");
	jb_s(&b, fo_ssh_status_name(rec->status));
	if (e) {
		jb_s(&b, ": ");
		fo__term_add(&b, e, strnlen(e, 300));
	}
	jb_s(&b, "\n");
	if (b.p)
		fputs(b.p, stderr);
	free(b.p);
}

/* A host whose --out files were not all written: counted, the first
 * reason kept for the summary. */
static void note_out_error(struct cfg *c, const struct fo_rec *rec)
{
	if (!rec->out_error)
		return;
	c->out_bad++;
	if (!c->out_first)
		c->out_first = strndup(rec->out_error, 4096);
}

/* The record the task made, or (none, or not one: its worker died, it
 * never started) one made here. 0, or -ENOMEM. */
static int result_rec(const struct cfg *c, const struct fo_result *r, struct fo_rec *rec)
{
	const struct fo_inv_host *h = &c->inv.hosts[r->index];
	const char *why = r->error ? r->error : "no result from the task";

	if (r->output && r->status != FO_ERROR && r->status != FO_SKIPPED) {
		int e = fo__rec_parse(r->output, r->output_len, rec);

		if (e != -EINVAL)
			return e;
		why = "bad result from the task";
	}
	return rec_all(c, h, r->status == FO_SKIPPED ? FO_SSH_SKIPPED : FO_SSH_FAILED, NULL, why, rec);
}

/* The host's time among the five slowest. */
static void note_slow(struct cfg *c, const struct fo_result *r)
{
	int64_t ms = r->start ? (r->end - r->start) / FO_MSEC : 0;
	int k;

	for (k = 0; k < 5; k++) {
		if (ms > c->slow[k].ms || !c->slow[k].ms) {
			memmove(&c->slow[k + 1], &c->slow[k], (size_t)(4 - k) * sizeof(c->slow[0]));
			c->slow[k].ms = ms;
			c->slow[k].i = r->index;
			break;
		}
	}
}

/* The name of command i of h's record, as a string of c's (the record's
 * own go with it): --gather keeps it. */
static const char *stable_name(const struct cfg *c, const struct fo_inv_host *h, size_t i)
{
	size_t n;
	const char **cmds = host_cmds(c, h, &n);

	if (c->task != T_SSH)
		return c->task == T_TCP ? "tcp" : c->task == T_SLEEP ? "sleep" : c->task == T_HTTP ? "http"
										   : c->exec_tmpl;
	return i < n ? cmds[i] : i == n ? "config" : "config diff";
}

/* --gather: h's ok outputs into the groups. */
static void gather_host(struct cfg *c, const struct fo_inv_host *h, const struct fo_rec *rec)
{
	size_t i;

	for (i = 0; i < rec->ncmds && !c->gather_err; i++)
		if (rec->cmds[i].status == FO_SSH_OK)
			c->gather_err = fo__gather_add(&c->groups, stable_name(c, h, i), (size_t)(h - c->inv.hosts),
						       rec->cmds[i].out, rec->cmds[i].out_len);
}

static int to_stdout(void *arg, const char *p, size_t n)
{
	(void)arg;
	return fo__write_all(1, p, n);
}

/* --gather's groups on stdout, once the run is over. */
static void print_groups(struct cfg *c)
{
	const char **names = malloc((c->inv.nhosts ? c->inv.nhosts : 1) * sizeof(*names));
	size_t i;
	int e = c->gather_err;

	for (i = 0; names && i < c->inv.nhosts; i++)
		names[i] = c->inv.hosts[i].name;
	if (!e && !c->stdout_err)
		e = names ? fo__gather_print(&c->groups, names, c->json, !c->json && isatty(1), to_stdout, NULL)
			  : -ENOMEM;
	if (e)
		fprintf(stderr, "fanout: --gather: %s\n", strerror(-e));
	if (e && !c->stdout_err)
		c->stdout_err = e;
	free(names);
}

/* --compare: h's outputs seen in the previous tree (what is left unseen
 * at the end is gone), its changes counted, and without --json a line on
 * stderr naming what changed. */
static void note_changes(struct cfg *c, const struct fo_inv_host *h, const struct fo_rec *rec)
{
	struct jb b = { 0 };
	size_t k, n[FO_CHANGE_N] = { 0 };

	for (k = 0; k < rec->ncmds; k++) {
		fo_cmp_tree_mark(&c->cmp, h->name, rec->cmds[k].command);
		n[rec->cmds[k].change]++;
		c->nchange[rec->cmds[k].change]++;
	}
	if (!n[FO_CHANGE_CHANGED] && !n[FO_CHANGE_NEW])
		return;
	c->nchanged_hosts++;
	if (c->json)
		return;
	if (c->progress)
		jb_s(&b, "\r\033[K");
	fo__term_adds(&b, h->name);
	int lead = 0;

	for (enum fo_rec_change ch = FO_CHANGE_CHANGED; ch <= FO_CHANGE_NEW; ch++) {
		const char *sep = "";

		if (!n[ch])
			continue;
		jb_s(&b, lead++ ? "; " : ": ");
		jb_s(&b, ch == FO_CHANGE_CHANGED ? "changed: " : "new: ");
		for (k = 0; k < rec->ncmds; k++)
			if (rec->cmds[k].change == ch) {
				jb_s(&b, sep);
				fo__term_adds(&b, rec->cmds[k].command);
				sep = ", ";
			}
	}
	jb_s(&b, "\n");
	if (!b.oom)
		fputs(b.p, stderr);
	free(b.p);
}

static void on_result(const struct fo_result *r, void *arg)
{
	struct cfg *c = arg;
	const struct fo_inv_host *h = &c->inv.hosts[r->index];
	struct fo_rec rec;
	int e = result_rec(c, r, &rec);

	c->count[e ? FO_SSH_FAILED : rec.status]++;
	c->done++;
	if (!e && rec.attempts > 1)
		c->retried++;
	if (!e)
		note_out_error(c, &rec);
	if (c->gather && !e)
		gather_host(c, h, &rec);
	for (size_t k = 0; !e && k < rec.ncmds; k++) {
		c->nparsed += rec.cmds[k].parsed != NULL;
		c->nunparsed += rec.cmds[k].parse_error != NULL;
	}
	if (c->cmp_open && !e)
		note_changes(c, h, &rec);
	if (c->json && (!c->gather || e || rec.status != FO_SSH_OK))
		emit_json(c, h, e ? NULL : &rec);
	else if (!c->json && (e || rec.status != FO_SSH_OK))
		show_not_ok(c, h, e ? &(struct fo_rec){ .status = FO_SSH_FAILED } : &rec);
	note_slow(c, r);
	progress(c, false);
	fo__rec_release(&rec);
}

/* --compare's lines of the summary: the counts, then what is gone (an
 * output of the previous tree no host of this run gave: its host not
 * chosen, not reached, or the command no longer run), the first few. */
static void summary_changes(struct cfg *c, struct jb *b)
{
	size_t i, gone = 0, shown = 0;

	for (i = 0; i < c->cmp.n; i++)
		gone += !c->cmp.e[i].seen;
	c->ngone = gone;
	jb_fmt(b, "compared with %s: %zu hosts changed; outputs: %zu changed, %zu new, %zu unchanged, %zu gone\n",
	       c->compare_dir, c->nchanged_hosts, c->nchange[FO_CHANGE_CHANGED], c->nchange[FO_CHANGE_NEW],
	       c->nchange[FO_CHANGE_UNCHANGED], gone);
	for (i = 0; i < c->cmp.n && shown < 10; i++) {
		if (c->cmp.e[i].seen)
			continue;
		jb_s(b, shown++ ? ", " : "gone: ");
		fo__term_adds(b, c->cmp.e[i].host);
		jb_s(b, ": ");
		fo__term_adds(b, c->cmp.e[i].command);
	}
	if (shown)
		jb_fmt(b, gone > shown ? ", and %zu more\n" : "\n", gone - shown);
}

static void summary(struct cfg *c, double secs)
{
	struct jb b = { 0 };
	int s, k;

	jb_fmt(&b, "fanout run: %zu hosts in %.2fs:", c->total, secs);
	for (s = 0; s < FO_SSH_NSTATUS; s++)
		if (c->count[s])
			jb_fmt(&b, " %s %zu", fo_ssh_status_name((enum fo_ssh_status)s), c->count[s]);
	jb_s(&b, "\n");
	if (c->cmp_open)
		summary_changes(c, &b);
	if (c->parse)
		jb_fmt(&b, "parsed: %zu outputs into records, %zu kept as text only (see parse_error)\n", c->nparsed,
		       c->nunparsed);
	if (c->retried)
		jb_fmt(&b, "retried: %zu hosts took more than one login (--retry-shed, --retry)\n", c->retried);
	if (c->total > 1 && c->slow[0].ms > 0) {
		jb_s(&b, "slowest:");
		for (k = 0; k < 5 && c->slow[k].ms > 0; k++) {
			jb_s(&b, " ");
			fo__term_adds(&b, c->inv.hosts[c->slow[k].i].name);
			jb_fmt(&b, " %.2fs", c->slow[k].ms / 1000.0);
		}
		jb_s(&b, "\n");
	}
	if (c->out_bad) {
		jb_fmt(&b, "fanout: the --out files of %zu host%s not all written (those hosts failed); the first: ",
		       c->out_bad, c->out_bad == 1 ? " were" : "s were");
		fo__term_adds(&b, c->out_first ? c->out_first : "?");
		jb_s(&b, "\n");
	}
	if (c->stdout_err)
		jb_fmt(&b, "fanout: cannot write results to stdout: %s\n", strerror(-c->stdout_err));
	if (b.p)
		fputs(b.p, stderr);
	free(b.p);
}

/* ---- name resolution, all names at once (src/net/dns.h) ------------------------------- */

static bool numeric(const char *n)
{
	struct in6_addr a6;

	return inet_pton(AF_INET, n, &a6) == 1 || inet_pton(AF_INET6, n, &a6) == 1;
}

/* Every host's addresses (c->addrs[i], "A,B,C") or why it has none
 * (c->resolve_err[i]): numeric ones as they are, names through the
 * asynchronous resolver, each distinct name asked once. 0 or -errno (err:
 * why, for people). */
static int resolve_all(struct cfg *c, char *err, size_t errlen)
{
	struct fo_dns_cfg dc = { .servers = c->dns, .timeout = c->dns_timeout, .window = (size_t)c->dns_window,
				 .rate = (double)c->dns_rate };
	struct fo_dns_name *names = NULL;
	struct fo__map idx = { 0 };
	size_t i, n = 0, *which = NULL;
	int e = 0;

	c->addrs = calloc(c->inv.nhosts, sizeof(char *));
	c->resolve_err = calloc(c->inv.nhosts, sizeof(char *));
	if (!c->addrs || !c->resolve_err)
		return -ENOMEM;
	for (i = 0; i < c->inv.nhosts; i++)
		if (numeric(c->inv.hosts[i].hostname) && !(c->addrs[i] = strdup(c->inv.hosts[i].hostname)))
			return -ENOMEM;
	if (c->task == T_SLEEP || c->task == T_EXEC)
		return 0;
	names = calloc(c->inv.nhosts, sizeof(*names));
	which = calloc(c->inv.nhosts, sizeof(*which));
	if (!names || !which) {
		e = -ENOMEM;
		goto out;
	}
	for (i = 0; i < c->inv.nhosts; i++) {
		const char *h = c->inv.hosts[i].hostname;
		/* values are the name's index + 1 (a map's values are never NULL) */
		uintptr_t k;

		if (c->addrs[i])
			continue;
		k = (uintptr_t)fo__map_get(&idx, h);
		if (!k) {
			names[n].name = h;
			k = ++n;
			if (fo__map_put(&idx, h, (const void *)k) < 0) {
				e = -ENOMEM;
				goto out;
			}
		}
		which[i] = k - 1;
	}
	e = fo_dns_resolve(&dc, names, n, err, errlen);
	if (e < 0)
		goto out;
	for (i = 0; i < c->inv.nhosts; i++) {
		const struct fo_dns_name *nm = &names[which[i]];

		if (c->addrs[i])
			continue;
		if (nm->addrs)
			c->addrs[i] = strdup(nm->addrs);
		else
			c->resolve_err[i] = strdup(nm->error);
		if (!c->addrs[i] && !c->resolve_err[i]) {
			e = -ENOMEM;
			goto out;
		}
	}
out:
	if (e == -ENOMEM && !*err)
		snprintf(err, errlen, "out of memory");
	fo_dns_names_release(names, n);
	free(names);
	free(which);
	fo__map_free(&idx);
	return e;
}

/* ---- command line ---------------------------------------------------------------------- */

/* The first Ctrl-C: start no more hosts; stopsig's thread cancels what is
 * in flight after --grace, or at once on a second Ctrl-C. */
static void stop_starting(void)
{
	atomic_store(&stopping, 1);
}

static int push(const char ***arr, size_t *n, const char *v)
{
	const char **a = realloc(*arr, (*n + 1) * sizeof(*a));

	if (!a)
		return -1;
	a[(*n)++] = v;
	*arr = a;
	return 0;
}

#define STOP_OK (-1) /* a step's "nothing more to do, exit 0" (--help, an empty shard) */

static int oom(void)
{
	fprintf(stderr, "fanout: out of memory\n");
	return 1;
}

/* -c CMD and --commands-file FILE, kept in command-line order: the files
 * are read once every flag is (read_commands). */
static int add_command(void *cfg, const struct fo_opt *o, const char *v)
{
	struct cfg *c = cfg;
	struct cmdarg *a;

	if (!*v) /* an empty command would be an empty file name, and does nothing */
		return -EINVAL;
	a = realloc(c->cmdargs, (c->ncmdargs + 1) * sizeof(*a));
	if (!a)
		return -ENOMEM;
	c->cmdargs = a;
	c->cmdargs[c->ncmdargs++] = (struct cmdarg){ !strcmp(o->name, "commands-file"), v };
	return 0;
}

#define OFF(f) offsetof(struct cfg, f)
#define END { NULL, 0, 0, 0, NULL, NULL, NULL, NULL, 0, 0, NULL, NULL, 0, 0, NULL }

/* The flags of fanout run; ctx: the tasks a flag belongs to (0: every one). */
static const struct fo_opt opts[] = {
	FO_INV_ARGS_OPTS(struct cfg, hosts),
	{ "task", 0, FO_OPT_ENUM, OFF(task), "TASK", "the task", "Task", "ssh", 0, 0,
	  "ssh|tcp|sleep|exec|http|copy", NULL, 0, 0, NULL },
	{ "rtt", 0, FO_OPT_DURATION, OFF(rtt), "DUR", "sleep: the simulated round trip", "Task", "50ms", 0, 0, NULL,
	  NULL, 0, M_SLEEP, NULL },
	{ "run", 0, FO_OPT_STRING, OFF(exec_tmpl), "CMD", "exec: the local command per host", "Task", NULL, 0, 0,
	  NULL, "a command such as 'ping -c1 {hostname}'", 0, M_EXEC, NULL },
	{ "url", 0, FO_OPT_STRING, OFF(url_tmpl), "TEMPLATE", "http: the URL to get", "Task",
	  "http://{hostname}:{port}/", 0, 0, NULL, "a URL template", 0, M_HTTP, NULL },
	{ "head", 0, FO_OPT_BOOL, OFF(head), NULL, "http: HEAD instead of GET", "Task", NULL, 0, 0, NULL, NULL, 0,
	  M_HTTP, NULL },
	{ "push", 0, FO_OPT_FILE, OFF(push), "LOCAL REMOTE", "copy: LOCAL to REMOTE on every host", "Task", NULL,
	  0, 0, NULL, NULL, FO_OPT_TWO, M_COPY, NULL },
	{ "pull", 0, FO_OPT_STRING, OFF(pull), "REMOTE DIR", "copy: REMOTE of every host to DIR/HOST/NAME", "Task",
	  NULL, 0, 0, NULL, NULL, FO_OPT_TWO, M_COPY, NULL },
	{ "via", 0, FO_OPT_ENUM, OFF(via), "HOW", "copy: by platform (auto), sftp or scp", "Task", "auto", 0, 0,
	  "auto|sftp|scp", NULL, 0, M_COPY, NULL },
	{ "timeout", 0, FO_OPT_DURATION, OFF(timeout), "DUR", "tcp, exec, http: per host", "Task", "5s", 0, 0,
	  NULL, NULL, 0, M_TCP | M_EXEC | M_HTTP, NULL },
	{ "dns", 0, FO_OPT_STRING, OFF(dns), "IP[:PORT],...", "name servers to ask (default: resolv.conf's)",
	  "Names", NULL, 0, 0, NULL, "IP[:PORT] or [IPV6]:PORT, comma-separated", 0,
	  M_SSH | M_TCP | M_HTTP | M_COPY, NULL },
	{ "dns-timeout", 0, FO_OPT_DURATION, OFF(dns_timeout), "DUR", "bound on resolving every name",
	  "Names", "10s", 0, 0, NULL, NULL, 0, M_SSH | M_TCP | M_HTTP | M_COPY, NULL },
	{ "dns-window", 0, FO_OPT_COUNT, OFF(dns_window), "N", "lookups in flight at most", "Names", "4096", 1,
	  30000, NULL, "a count from 1 to 30000", 0, M_SSH | M_TCP | M_HTTP | M_COPY, NULL },
	{ "dns-rate", 0, FO_OPT_COUNT, OFF(dns_rate), "N", "lookups started per second at most", "Names",
	  "10000", 1, 10000000, NULL, "a count from 1 to 10000000", 0, M_SSH | M_TCP | M_HTTP | M_COPY, NULL },
	{ "max-output", 0, FO_OPT_SIZE, OFF(ssh.max_output), "SIZE", "ssh, exec, http: per command", "Task", "16M",
	  1, 1 << 30, NULL, "a size from 1 to 1G, such as 512K or 16M", 0, M_SSH | M_EXEC | M_HTTP, NULL },
	{ "command", 'c', FO_OPT_FN, OFF(cmdargs), "CMD", "a command to run (repeat for more)", "SSH", NULL, 0, 0,
	  NULL, "a command", FO_OPT_REPEAT, M_SSH, add_command },
	{ "commands-file", 0, FO_OPT_FN, OFF(cmdargs), "FILE",
	  "commands, one a line (# skipped); {platform}: per platform", "SSH",
	  NULL, 0, 0, NULL, "a path", FO_OPT_REPEAT, M_SSH, add_command },
	{ "setup", 0, FO_OPT_LIST, OFF(setup), "CMD", "sent first in shell mode (repeat)", "SSH", NULL, 0, 0, NULL,
	  "a command", 0, M_SSH, NULL },
	{ "shell", 0, FO_OPT_BOOL, OFF(force_shell), NULL, "one interactive session, prompts detected", "SSH",
	  NULL, 0, 0, NULL, NULL, 0, M_SSH, NULL },
	{ "exec", 0, FO_OPT_BOOL, OFF(force_exec), NULL, "an exec channel per command", "SSH", NULL, 0, 0, NULL,
	  NULL, 0, M_SSH, NULL },
	{ "prompt", 0, FO_OPT_STRING, OFF(ssh.prompt), "REGEX", "the prompt (default: the platform's levels)",
	  "SSH", NULL, 0, 0, NULL, "a regular expression", 0, M_SSH, NULL },
	{ "platform", 0, FO_OPT_STRING, OFF(platform), "NAME", "the platform of hosts without one", "Platform",
	  NULL, 0, 0, NULL, "a platform such as ios, nxos, eos, junos, iosxr, linux", 0, M_LOGIN, NULL },
	{ "platform-file", 0, FO_OPT_LIST, OFF(plat_files), "FILE",
	  "a platform definition in scrapligo's format (repeat)", "Platform", NULL, 0, 0, NULL, "a path", 0,
	  M_LOGIN, NULL },
	{ "level", 0, FO_OPT_STRING, OFF(ssh.level), "NAME", "the privilege level the commands run in",
	  "Platform", NULL, 0, 0, NULL, "a level of the platform, such as exec", 0, M_SSH, NULL },
	{ "secret-env", 0, FO_OPT_STRING, OFF(enable_env), "VAR", "the enable secret, from $VAR", "Platform",
	  NULL, 0, 0, NULL, "a variable name", 0, M_SSH, NULL },
	{ "secret-file", 0, FO_OPT_FILE, OFF(enable_file), "FILE", "... or the file's first line", "Platform",
	  NULL, 0, 0, NULL, NULL, 0, M_SSH, NULL },
	{ "config", 0, FO_OPT_FILE, OFF(config_file), "FILE", "configuration lines for every host (-: stdin)",
	  "Configuration", NULL, 0, 0, NULL, NULL, 0, M_SSH, NULL },
	{ "config-dir", 0, FO_OPT_FILE, OFF(config_dir), "DIR", "each host's lines from DIR/HOST.cfg",
	  "Configuration", NULL, 0, 0, NULL, NULL, 0, M_SSH, NULL },
	{ "config-continue", 0, FO_OPT_BOOL, OFF(ssh.config_continue), NULL, "go on past a rejected line",
	  "Configuration", NULL, 0, 0, NULL, NULL, 0, M_SSH, NULL },
	{ "dry-run", 0, FO_OPT_BOOL, OFF(ssh.dry_run), NULL, "commit platforms: check and compare, then abort",
	  "Configuration", NULL, 0, 0, NULL, NULL, 0, M_SSH, NULL },
	{ "confirm", 0, FO_OPT_DURATION, OFF(confirm), "DUR", "commit confirmed: rolled back unless confirmed",
	  "Configuration", NULL, 0, 0, NULL, NULL, 0, M_SSH, NULL },
	{ "save", 0, FO_OPT_BOOL, OFF(ssh.save), NULL, "save the configuration (write memory) after the lines",
	  "Configuration", NULL, 0, 0, NULL, NULL, 0, M_SSH, NULL },
	{ "key", 0, FO_OPT_FILE, OFF(key_file), "FILE", "private key", "SSH", NULL, 0, 0, NULL, NULL, 0, M_LOGIN,
	  NULL },
	{ "key-pass-env", 0, FO_OPT_STRING, OFF(key_pass_env), "VAR", "the key's passphrase is in $VAR", "SSH",
	  NULL, 0, 0, NULL, "a variable name", 0, M_LOGIN, NULL },
	{ "password-env", 0, FO_OPT_STRING, OFF(password_env), "VAR", "a password for every host, from $VAR",
	  "SSH", NULL, 0, 0, NULL, "a variable name", 0, M_LOGIN, NULL },
	{ "password-file", 0, FO_OPT_FILE, OFF(password_file), "FILE", "... or the file's first line", "SSH",
	  NULL, 0, 0, NULL, NULL, 0, M_LOGIN, NULL },
	{ "jump", 'J', FO_OPT_STRING, OFF(jump), "[USER@]HOST[:PORT]", "log in through this jump host", "SSH",
	  NULL, 0, 0, NULL, "[USER@]HOST[:PORT]", 0, M_LOGIN, NULL },
	{ "agent", 0, FO_OPT_BOOL, OFF(agent), NULL, "try ssh-agent", "SSH", "on", 0, 0, NULL, NULL, 0, M_LOGIN,
	  NULL },
	{ "host-keys", 0, FO_OPT_ENUM, OFF(hostkeys), "POLICY", "key checks", "SSH", "accept-new", 0, 0,
	  "strict|accept-new|off", NULL, 0, M_LOGIN, NULL },
	{ "known-hosts", 0, FO_OPT_FILE, OFF(ssh.known_hosts), "FILE", "host keys on record",
	  "SSH", NULL, 0, 0, NULL, NULL, 0, M_LOGIN, NULL },
	{ "connect-timeout", 0, FO_OPT_DURATION, OFF(ssh.connect_timeout), "DUR", "TCP, handshake and login",
	  "SSH", "10s", 0, 0, NULL, NULL, 0, M_LOGIN, NULL },
	{ "command-timeout", 0, FO_OPT_DURATION, OFF(ssh.command_timeout), "DUR",
	  "the first prompt and each command", "SSH", "30s", 0, 0, NULL, NULL, 0, M_LOGIN, NULL },
	{ "host-timeout", 0, FO_OPT_DURATION, OFF(ssh.host_timeout), "DUR", "the whole host (default: none)",
	  "SSH", NULL, 0, 0, NULL, NULL, 0, M_LOGIN, NULL },
	{ "max-logins", 0, FO_OPT_COUNT, OFF(max_logins), "N", "logins in progress at once (0: no cap)", "SSH",
	  "128", 0, 1000000, NULL, "a count from 0 (no limit) to 1000000", 0, M_LOGIN, NULL },
	{ "retry", 0, FO_OPT_COUNT, OFF(retry), "N", "retries of connection failures, with backoff", "SSH", "0",
	  0, 1000, NULL, "a count from 0 to 1000", 0, M_LOGIN, NULL },
	{ "retry-shed", 0, FO_OPT_COUNT, OFF(retry_shed), "N", "logins the server hung up on, tried again",
	  "SSH", "5", 0, 100, NULL, "a count from 0 to 100", 0, M_LOGIN, NULL },
	{ "out", 0, FO_OPT_FILE, OFF(out_dir), "DIR", "ssh, exec, http: DIR/HOST/COMMAND.txt", "Output", NULL, 0,
	  0, NULL, NULL, 0, M_SSH | M_EXEC | M_HTTP, NULL },
	{ "json", 0, FO_OPT_BOOL, OFF(json), NULL, "a JSON line per host on stdout", "Output", NULL, 0, 0, NULL,
	  NULL, 0, 0, NULL },
	{ "parse", 0, FO_OPT_BOOL, OFF(parse), NULL, "TextFSM records of each output (ntc-templates)",
	  "Output", NULL, 0, 0, NULL, NULL, 0, M_SSH, NULL },
	{ "templates", 0, FO_OPT_FILE, OFF(templates), "DIR", "--parse: the templates and their index",
	  "Output", NULL, 0, 0, NULL, NULL, 0, M_SSH, NULL },
	{ "compare", 0, FO_OPT_FILE, OFF(compare_dir), "DIR", "mark outputs changed since a previous --out DIR",
	  "Output", NULL, 0, 0, NULL, NULL, 0, M_SSH, NULL },
	{ "ignore", 0, FO_OPT_LIST, OFF(ignore), "REGEX", "--compare: lines that always change (repeat)",
	  "Output", NULL, 0, 0, NULL, NULL, 0, M_SSH, NULL },
	{ "fail-on-change", 0, FO_OPT_BOOL, OFF(fail_on_change), NULL, "--compare: exit 1 when anything changed",
	  "Output", NULL, 0, 0, NULL, NULL, 0, M_SSH, NULL },
	{ "gather", 'b', FO_OPT_BOOL, OFF(gather), NULL, "each distinct output once, with its hosts folded",
	  "Output", NULL, 0, 0, NULL, NULL, 0, 0, NULL },
	{ "progress", 0, FO_OPT_BOOL, OFF(progress), NULL, "a live progress line (default: on a terminal)",
	  "Output", NULL, 0, 0, NULL, NULL, 0, 0, NULL },
	{ "model", 0, FO_OPT_STRING, OFF(model_s), "MODEL", "execution model (default coro:cores)",
	  "Concurrency", NULL, 0, 0, NULL, "a model such as coro:4 or threads:256", 0, 0, NULL },
	{ "workers", 0, FO_OPT_COUNT, OFF(workers), "N",
	  "hosts in flight at most (default: ssh 8x --max-logins, else the fd limit's)",
	  "Concurrency", NULL, 1, 100000000, NULL, "a count, 1 or more", 0, 0, NULL },
	{ "grace", 0, FO_OPT_DURATION, OFF(grace), "DUR", "after Ctrl-C, time for hosts in flight",
	  "Concurrency", "2s", 0, 0, NULL, NULL, 0, 0, NULL },
	END,
};

const struct fo_opts fo_run_opts = {
	"run", "[options]",
	"Applies a task to every host and accounts for each.",
	"Every host ends ok, failed, timeout, unreachable, auth_failed, hostkey_mismatch\n"
	"or skipped, one result per command.\n"
	"\n"
	"Hosts: as `fanout inventory` (at least one source); --user and --port apply\n"
	"wherever they stand. --shard K/N: N runs (K = 1..N, on one machine or many)\n"
	"do each host once.\n"
	"\n"
	"ssh (the default task): host keys are on record in --known-hosts (default\n"
	"~/.config/fanout/known_hosts). --shell runs the commands in one interactive\n"
	"session with prompt detection, --exec each on its own exec channel; the\n"
	"default is shell for network platforms (ios, junos, nxos, eos, ...), exec\n"
	"otherwise.\n"
	"--setup defaults per platform (terminal length 0). A password comes from\n"
	"--password-env or --password-file (else the inventory's), never from the\n"
	"command line. --jump logs in as ssh -J, with the same credentials; its port\n"
	"defaults to the host's. --max-logins: the rest wait their turn, outside the\n"
	"connect timeout. --retry-shed: logins the server hung up on during the\n"
	"handshake (sshd's MaxStartups) are tried again from 0.1s apart, doubling.\n"
	"tcp: a connect to each host's port, with its latency.\n"
	"sleep: a simulated round trip.\n"
	"exec: --run 'CMD {host} {hostname} {port} {user} {platform}' locally per host,\n"
	"each value one single-quoted sh word (also in $FANOUT_HOST, $FANOUT_HOSTNAME,\n"
	"$FANOUT_PORT, $FANOUT_USER, $FANOUT_PLATFORM); --timeout kills all it started.\n"
	"http: a GET (--head: HEAD) of --url, ok below 400, with the status, latency\n"
	"and body.\n"
	"copy: --push LOCAL REMOTE or --pull REMOTE DIR (to DIR/HOST/NAME), by SFTP, or\n"
	"SCP for network platforms (--via), whole files only, sha256-checked where the\n"
	"host has a shell; the ssh task's login flags apply.\n"
	"--out: DIR/HOST/COMMAND.txt when ok, else COMMAND.partial.txt beside it;\n"
	"names escaped (docs/run.md).\n"
	"\n"
	"Every flag takes --flag VALUE or --flag=VALUE; a task's flags are refused with\n"
	"another task. Exit status: 0 all ok, 1 some host not ok (or --json lines not\n"
	"written), 2 bad usage, 130 interrupted.\n",
	opts, sizeof(struct cfg), false, true, "name hosts with -w LIST, -i DIR or --hosts-file FILE"
};

/* ---- what the table cannot check ------------------------------------------------------- */

/* --commands-file: a command a line, '#' lines and empty ones skipped; the
 * file is read whole (at most 1 MiB) and kept until exit. */
static int read_commands_file(struct cfg *c, const char *v, const char ***cmds, size_t *ncmds)
{
	char *buf, **bufs;
	size_t len;
	int e = fo__slurp_max(v, (size_t)1 << 20, &buf, &len);

	if (e < 0) {
		fprintf(stderr, "fanout: cannot read commands file '%s': %s\n", v,
			e == -EFBIG ? "over 1 MiB" : strerror(-e));
		return 2;
	}
	bufs = realloc(c->bufs, (c->nbufs + 1) * sizeof(*bufs));
	if (!bufs) {
		free(buf);
		return oom();
	}
	c->bufs = bufs;
	c->bufs[c->nbufs++] = buf;
	return split_lines(buf, "#", cmds, ncmds) < 0 ? oom() : 0;
}

/* The commands of -c and --commands-file, in the order given. A file
 * name with {platform} in it is read per platform, once the hosts are
 * known (plan_commands). */
static int read_commands(struct cfg *c)
{
	size_t i;
	int r = 0;

	for (i = 0; i < c->ncmdargs; i++)
		if (c->cmdargs[i].file && strstr(c->cmdargs[i].v, "{platform}"))
			c->per_platform = true;
	for (i = 0; i < c->ncmdargs && !r && !c->per_platform; i++) {
		if (c->cmdargs[i].file)
			r = read_commands_file(c, c->cmdargs[i].v, &c->cmds, &c->ncmds);
		else if (push(&c->cmds, &c->ncmds, c->cmdargs[i].v))
			r = oom();
	}
	return r;
}

/* tmpl with every {platform} replaced by type: 0, or 2 after saying why. */
static int platform_path(const char *tmpl, const char *type, char *path, size_t size)
{
	const char *p = tmpl, *q;
	size_t len = 0, k;

	if (!*type || strchr(type, '/') || !strcmp(type, "..")) {
		fprintf(stderr, "fanout: --commands-file '%s': platform '%s' cannot be part of a file name\n", tmpl,
			type);
		return 2;
	}
	while ((q = strstr(p, "{platform}"))) {
		k = (size_t)(q - p);
		if (len + k + strlen(type) >= size)
			goto long_;
		memcpy(path + len, p, k);
		memcpy(path + len + k, type, strlen(type));
		len += k + strlen(type);
		p = q + strlen("{platform}");
	}
	if (len + strlen(p) >= size)
		goto long_;
	memcpy(path + len, p, strlen(p) + 1);
	return 0;
long_:
	fprintf(stderr, "fanout: --commands-file '%s': %s\n", tmpl, strerror(ENAMETOOLONG));
	return 2;
}

/* The command set of h's platform, -c and --commands-file in the order
 * given, {platform} being the platform's type: 0, or 2 after saying why
 * (a host without a platform; a file missing for one). */
static int platform_cmds(struct cfg *c, const struct fo_inv_host *h, struct cmdset *set)
{
	const struct fo_platform *p = named_platform(c, h);
	char path[4096];
	size_t i;
	int r = 0;

	*set = (struct cmdset){ p, NULL, 0 };
	if (!p) {
		fprintf(stderr, "fanout: host %s: unknown platform '%s': give one of ios, nxos, eos, junos, iosxr, "
			"linux (or their netmiko names), or its definition with --platform-file\n", h->name,
			h->platform ? h->platform : c->platform);
		return 2;
	}
	if (p == c->default_plat) {
		fprintf(stderr, "fanout: host %s has no platform, and --commands-file names {platform}: give "
			"--platform NAME or the inventory's platform\n", h->name);
		return 2;
	}
	for (i = 0; i < c->ncmdargs && !r; i++) {
		if (!c->cmdargs[i].file)
			r = push(&set->cmds, &set->n, c->cmdargs[i].v) ? oom() : 0;
		else if (!(r = platform_path(c->cmdargs[i].v, fo_platform_info(p)->type, path, sizeof(path))))
			r = read_commands_file(c, path, &set->cmds, &set->n);
	}
	if (!r && set->n == 0) {
		fprintf(stderr, "fanout: no command for platform %s (host %s): '%s' has none\n",
			fo_platform_info(p)->type, h->name, path);
		r = 2;
	}
	if (r)
		free(set->cmds);
	return r;
}

/* --parse: the commands of platform p through the index. 0 or 2. */
static int parse_platform(struct cfg *c, const struct fo_platform *p, const char **cmds, size_t n)
{
	const struct fo_plat_info *pi = fo_platform_info(p);
	const char *tplat = pi->textfsm_platform ? pi->textfsm_platform : pi->type;
	char err[1024];
	size_t i;

	for (i = 0; i < n; i++)
		if (fo__parse_plan_add(&c->pp, p, p == c->default_plat ? NULL : tplat, cmds[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "fanout: %s\n", err);
			return 2;
		}
	return 0;
}

/* --parse: the index read and every template the run needs compiled,
 * before any login (a template that does not compile: exit 2). */
static int plan_parse(struct cfg *c)
{
	const struct fo_platform **seen = NULL, **v;
	size_t i, k, nseen = 0;
	char err[1024];
	int r = 0;

	if (!c->parse)
		return 0;
	if (fo__parse_plan_init(&c->pp, c->templates, err, sizeof(err)) < 0) {
		fprintf(stderr, "fanout: %s\n", err);
		return 2;
	}
	c->pp.json_flags = FO_TEXTFSM_JSON_LOWER; /* as netmiko and scrapli give them */
	if (c->per_platform) {
		for (i = 0; i < c->nsets && !r; i++)
			r = parse_platform(c, c->sets[i].plat, c->sets[i].cmds, c->sets[i].n);
		return r;
	}
	for (i = 0; i < c->inv.nhosts && !r; i++) {
		const struct fo_platform *p = named_platform(c, &c->inv.hosts[i]);

		for (k = 0; k < nseen && seen[k] != p; k++)
			;
		if (k < nseen || !p)
			continue;
		if (!(v = realloc(seen, (nseen + 1) * sizeof(*v)))) {
			r = oom();
			break;
		}
		seen = v;
		seen[nseen++] = p;
		r = parse_platform(c, p, c->cmds, c->ncmds);
	}
	free(seen);
	return r;
}

/* With --commands-file '...{platform}...': a command set for every
 * platform among the hosts, read before any login. */
static int plan_commands(struct cfg *c)
{
	size_t i, n;

	if (!c->per_platform || c->task != T_SSH)
		return 0;
	for (i = 0; i < c->inv.nhosts; i++) {
		const struct fo_inv_host *h = &c->inv.hosts[i];
		struct cmdset *sets;
		int r;

		if (host_cmds(c, h, &n))
			continue;
		if (!(sets = realloc(c->sets, (c->nsets + 1) * sizeof(*sets))))
			return oom();
		c->sets = sets;
		if ((r = platform_cmds(c, h, &c->sets[c->nsets])) != 0)
			return r;
		c->nsets++;
	}
	return 0;
}

/* --password-file's or --secret-file's first line, read with a bound (a
 * file given as a secret could be /dev/zero: STYLE 20), as the
 * inventory's password_file: 0 with the heap text in *out, or 2. */
static int read_secret_file(const char *flag, const char *v, char **out)
{
	const char *what = strstr(flag, "password") ? "password" : "secret";
	char *buf;
	size_t len, n;
	int e = fo__slurp_max(v, 65536, &buf, &len);

	if (e < 0) {
		if (e == -EISDIR || e == -EFBIG)
			fprintf(stderr, "fanout: %s '%s' is %s: give a file whose first line is the %s\n", flag, v,
				e == -EISDIR ? "a folder" : "over 64 KiB", what);
		else
			fprintf(stderr, "fanout: cannot read %s '%s': %s\n", flag, v, strerror(-e));
		return 2;
	}
	n = strcspn(buf, "\n");
	while (n && buf[n - 1] == '\r')
		n--;
	if (!n || memchr(buf, 0, n) != NULL) {
		fprintf(stderr, "fanout: %s '%s' %s: its first line must be the %s\n", flag, v,
			!len ? "is empty" : !n ? "starts with an empty line" : "holds a NUL byte", what);
		explicit_bzero(buf, len);
		free(buf);
		return 2;
	}
	explicit_bzero(buf + n, len - n); /* keep the first line only */
	*out = buf;
	return 0;
}

/* $VAR of --password-env or --key-pass-env, or NULL after the message. */
static const char *env_secret(const char *flag, const char *var)
{
	const char *s = getenv(var);

	if (!s)
		fprintf(stderr, "fanout: %s '%s': the variable is not set\n", flag, var);
	return s;
}

/* The credentials: the key readable, the secrets where the flags say. */
static int read_secrets(struct cfg *c)
{
	if (c->password_env && c->password_file) {
		fprintf(stderr, "fanout: give --password-env or --password-file, not both\n");
		return 2;
	}
	if (c->key_file && access(c->key_file, R_OK) < 0) {
		fprintf(stderr, "fanout: cannot read key file '%s': %s\n", c->key_file, strerror(errno));
		return 2;
	}
	if (c->key_pass_env && !(c->key_pass = env_secret("--key-pass-env", c->key_pass_env)))
		return 2;
	if (c->password_env && !(c->password = env_secret("--password-env", c->password_env)))
		return 2;
	if (c->password_file && read_secret_file("--password-file", c->password_file, &c->secret))
		return 2;
	if (c->secret)
		c->password = c->secret;
	if (c->enable_env && c->enable_file) {
		fprintf(stderr, "fanout: give --secret-env or --secret-file, not both\n");
		return 2;
	}
	if (c->enable_env && !(c->enable = env_secret("--secret-env", c->enable_env)))
		return 2;
	if (c->enable_file && read_secret_file("--secret-file", c->enable_file, &c->enable_buf))
		return 2;
	if (c->enable_buf)
		c->enable = c->enable_buf;
	return 0;
}

static void plat_warn(const char *msg, void *arg)
{
	(void)arg;
	fprintf(stderr, "fanout: warning: %s\n", msg);
}

/* --platform-file's files and --prompt's platform. 0 or 2. */
static int load_platforms(struct cfg *c)
{
	char err[512];
	size_t i;

	if (c->plat_files.n && !(c->plats = calloc(c->plat_files.n, sizeof(*c->plats))))
		return oom();
	for (i = 0; i < c->plat_files.n; i++) {
		c->plats[i] = fo_platform_load(c->plat_files.v[i], plat_warn, NULL, err, sizeof(err));
		if (!c->plats[i]) {
			fprintf(stderr, "fanout: bad --platform-file: %s\n", err);
			return 2;
		}
		c->nplats++;
	}
	c->default_plat = fo_platform_parse(default_platform_yaml, sizeof(default_platform_yaml) - 1, "default",
					    NULL, NULL, err, sizeof(err));
	if (!c->default_plat) {
		fprintf(stderr, "fanout: the default platform: %s\n", err);
		return 1;
	}
	if (c->ssh.prompt) {
		char forms[640];

		c->prompt_own = fo_platform_from_prompt(c->ssh.prompt, err, sizeof(err));
		if (!c->prompt_own) {
			snprintf(forms, sizeof(forms), "a regular expression (%s)", err);
			return fo_cli_bad("--prompt", c->ssh.prompt, forms);
		}
		c->prompt_plat = c->prompt_own;
	}
	return 0;
}

/* --config FILE (- : stdin): its lines. 0 or 2. */
static int read_config(struct cfg *c)
{
	size_t len;
	int e;

	if (!c->config_file)
		return 0;
	e = fo__slurp_max(!strcmp(c->config_file, "-") ? "/dev/stdin" : c->config_file, CONFIG_MAX,
			  &c->config_buf, &len);
	if (e < 0) {
		fprintf(stderr, "fanout: cannot read --config '%s': %s\n", c->config_file,
			e == -EFBIG ? "over 4 MiB" : strerror(-e));
		return 2;
	}
	if (split_lines(c->config_buf, "!#", &c->config, &c->nconfig) < 0)
		return oom();
	if (!c->nconfig) {
		fprintf(stderr, "fanout: --config '%s' has no lines (blank ones and those starting with ! or # "
			"are skipped)\n", c->config_file);
		return 2;
	}
	return 0;
}

/* The configuration flags together. 0 or 2. */
static int check_config_flags(struct cfg *c, const struct fo_optres *res)
{
	bool cfg = c->config_file || c->config_dir;

	if (c->config_file && c->config_dir) {
		fprintf(stderr, "fanout: give --config or --config-dir, not both\n");
		return 2;
	}
	if (!cfg && (c->ssh.dry_run || c->ssh.save || c->ssh.config_continue || c->confirm)) {
		fprintf(stderr, "fanout: --%s needs --config FILE or --config-dir DIR\n",
			c->ssh.dry_run ? "dry-run" : c->ssh.save ? "save" : c->ssh.config_continue ? "config-continue"
												     : "confirm");
		return 2;
	}
	if (cfg && c->force_exec) {
		fprintf(stderr, "fanout: configuration needs the shell mode; drop --exec\n");
		return 2;
	}
	if (c->confirm && c->ssh.dry_run) {
		fprintf(stderr, "fanout: give --confirm or --dry-run, not both\n");
		return 2;
	}
	(void)res;
	c->ssh.confirm_minutes = c->confirm ? (int)((c->confirm + 60 * FO_SEC - 1) / (60 * FO_SEC)) : 0;
	if (c->config_dir) {
		struct stat st;

		if (stat(c->config_dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
			fprintf(stderr, "fanout: bad --config-dir '%s': give a folder holding HOST.cfg files\n",
				c->config_dir);
			return 2;
		}
	}
	return read_config(c);
}

/* What the flags mean together, once every one is read: 0 or the exit code. */
static int check_flags(struct cfg *c, const struct fo_optres *res)
{
	int r;

	if ((r = load_platforms(c)) != 0)
		return r;
	if (c->force_shell && c->force_exec) {
		fprintf(stderr, "fanout: give --shell or --exec, not both\n");
		return 2;
	}
	c->shell = c->force_shell ? 1 : c->force_exec ? 0 : -1;
	if (!fo_opts_given(&fo_run_opts, res, "progress"))
		c->progress = isatty(2);
	if ((r = read_secrets(c)) != 0 || (r = check_config_flags(c, res)) != 0)
		return r;
	return read_commands(c);
}

/* The command line into c: 0, STOP_OK after --help, or the exit code. */
static int parse(struct cfg *c, int argc, char **argv, struct fo_optres *res)
{
	char task[32];
	int r = fo_opts_parse(&fo_run_opts, c, argc, argv, res);

	if (r)
		return r == FO_OPTS_HELP ? STOP_OK : 2;
	snprintf(task, sizeof(task), "--task %s", task_names[c->task]);
	if (fo_opts_check_ctx(&fo_run_opts, res, 1u << c->task, task))
		return 2;
	return check_flags(c, res);
}

static char *default_known_hosts(void)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char dir[4096], *path;

	if (x && *x)
		snprintf(dir, sizeof(dir), "%s/fanout", x);
	else
		snprintf(dir, sizeof(dir), "%s/.config/fanout", home ? home : ".");
	path = malloc(strlen(dir) + 16);
	if (!path)
		return NULL;
	snprintf(path, strlen(dir) + 16, "%s/known_hosts", dir);
	/* make the folder (and .config) if missing */
	{
		char *slash = strrchr(dir, '/');

		if (slash) {
			*slash = 0;
			mkdir(dir, 0700);
			*slash = '/';
		}
		mkdir(dir, 0700);
	}
	return path;
}

/* --jump [USER@]HOST[:PORT]: the host resolved now, once. */
static int parse_jump(struct cfg *c, char *err, size_t errlen)
{
	const char *v = c->jump, *at = strchr(v, '@'), *h = at ? at + 1 : v, *colon;
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *ai = NULL;
	size_t hl;
	int e;

	if (at) {
		if ((size_t)(at - v) >= sizeof(c->jump_user) || at == v) {
			snprintf(err, errlen, "expected [USER@]HOST[:PORT]");
			return -1;
		}
		memcpy(c->jump_user, v, (size_t)(at - v));
		c->jump_user[at - v] = 0;
	}
	colon = strrchr(h, ':');
	if (colon && strchr(h, ']') && colon < strchr(h, ']'))
		colon = NULL; /* [v6] without a port */
	hl = colon ? (size_t)(colon - h) : strlen(h);
	if (h[0] == '[' && hl >= 2 && h[hl - 1] == ']')
		h++, hl -= 2;
	if (!hl || hl >= sizeof(c->jump_host)) {
		snprintf(err, errlen, "expected [USER@]HOST[:PORT]");
		return -1;
	}
	memcpy(c->jump_host, h, hl);
	c->jump_host[hl] = 0;
	if (colon) {
		uint64_t p;

		if (fo_cli_uint(colon + 1, 1, 65535, &p) < 0) {
			snprintf(err, errlen, "the port must be 1 to 65535");
			return -1;
		}
		c->jump_port = (int)p;
	}
	e = getaddrinfo(c->jump_host, NULL, &hints, &ai); /* banned-ok: once, before the run */
	if (e || !ai) {
		snprintf(err, errlen, "cannot resolve '%s': %s", c->jump_host, gai_strerror(e));
		return -1;
	}
	if (ai->ai_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, c->jump_addr,
			  sizeof(c->jump_addr));
	else
		inet_ntop(AF_INET, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, c->jump_addr,
			  sizeof(c->jump_addr));
	freeaddrinfo(ai);
	return 0;
}

/* ---- the run ---------------------------------------------------------------------------- */

/* What the table's defaults do not set. */
static void cfg_init(struct cfg *c)
{
	struct passwd *pw = getpwuid(getuid());

	memset(c, 0, sizeof(*c));
	fo_inv_init(&c->inv);
	c->shell = -1;
	c->retry_base = 500 * FO_MSEC;
	c->me = strdup(pw && pw->pw_name ? pw->pw_name : "root");
}

static int load_hosts(struct cfg *c)
{
	char err[1200];

	if (!c->hosts.nhost_srcs) {
		fprintf(stderr, "fanout: no hosts: give -i DIR (nornir inventory), -w LIST or --hosts-file FILE\n");
		return 2;
	}
	if (fo_inv_args_load(&c->hosts, &c->inv, err, sizeof(err)) < 0) {
		say("", err, "");
		return 2;
	}
	return 0;
}

/* --out DIR: made if missing; a file, or a folder that cannot be made or
 * written into, is refused before any host starts. */
static int check_out_dir(const char *d)
{
	struct stat st;
	int e;

	if (mkdir(d, 0755) == 0)
		return 0;
	e = errno;
	if (e == EEXIST) {
		e = stat(d, &st) < 0 ? errno : !S_ISDIR(st.st_mode) ? ENOTDIR : 0;
		if (!e && access(d, W_OK | X_OK) < 0)
			e = errno;
		if (!e)
			return 0;
	}
	fprintf(stderr, "fanout: cannot use --out '%s': %s (give a folder, made if missing)\n", d, strerror(e));
	return 2;
}

/* --compare DIR (a fanout --out tree), its --ignore regexes. 0 or 2. */
static int check_compare(struct cfg *c)
{
	char err[1024];

	if (!c->compare_dir) {
		fprintf(stderr, "fanout: %s is for --compare DIR: give the previous --out folder\n",
			c->ignore.n ? "--ignore" : "--fail-on-change");
		return 2;
	}
	if (fo_cmp_tree_open(&c->cmp, c->compare_dir, 0, err, sizeof(err)) < 0) {
		fprintf(stderr, "fanout: --compare: %s\n", err);
		return 2;
	}
	c->cmp_open = true;
	if (c->ignore.n && fo_udiff_ignore_new(&c->ig, c->ignore.v, c->ignore.n, err, sizeof(err)) < 0) {
		fprintf(stderr, "fanout: --ignore: %s\n", err);
		return 2;
	}
	return 0;
}

/* What the task needs, host keys, the login gate, --out. */
static int check_cfg(struct cfg *c)
{
	char err[512];

	if (c->task == T_SSH && c->ncmds == 0 && !c->per_platform && !c->config_file && !c->config_dir) {
		fprintf(stderr, "fanout: no command: give -c CMD (repeat for more), --commands-file FILE or "
			"--config FILE\n");
		return 2;
	}
	if (c->task == T_EXEC && !c->exec_tmpl) {
		fprintf(stderr, "fanout: --task exec needs --run 'CMD {hostname}'\n");
		return 2;
	}
	if (c->task == T_COPY && fo__copy_job_init(&c->copy, c->push, c->pull, err, sizeof(err)) < 0) {
		say("", err, "");
		return 2;
	}
	if (c->task == T_COPY)
		snprintf(c->copy_name, sizeof(c->copy_name), "%s %s", c->push[0] ? "push" : "pull", c->copy.remote);
	if (c->jump && parse_jump(c, err, sizeof(err)) < 0) {
		fprintf(stderr, "fanout: bad --jump '%s': %s\n", c->jump, err);
		return 2;
	}
	c->ssh.hostkey = (enum fo_hostkey_policy)c->hostkeys; /* the table's order */
	if ((c->task == T_SSH || c->task == T_COPY) && c->ssh.hostkey == FO_HK_OFF)
		fprintf(stderr, "fanout: warning: host keys are not checked (--host-keys off): "
			"anyone on the path can read these sessions\n");
	if ((c->task == T_SSH || c->task == T_COPY) && !c->ssh.known_hosts)
		c->ssh.known_hosts = c->kh = default_known_hosts();
	if (c->setup.n) {
		c->ssh.setup = c->setup.v;
		c->ssh.nsetup = c->setup.n;
	}
	c->ssh.cmds = c->cmds;
	c->ssh.ncmds = c->ncmds;
	c->ssh.stop = &stopping;
	fo_gate_init(&c->login_gate, (int)c->max_logins);
	c->ssh.login_gate = c->max_logins > 0 ? &c->login_gate : NULL;
	/* the previous tree read before --out writes (--compare X --out X) */
	if (c->compare_dir || c->ignore.n || c->fail_on_change) {
		int r = check_compare(c);

		if (r)
			return r;
	}
	if (c->out_dir) {
		int r = check_out_dir(c->out_dir), e;

		if (r)
			return r;
		if ((e = fo_cmp_mark_out_dir(c->out_dir)) < 0) {
			fprintf(stderr, "fanout: cannot use --out '%s': %s\n", c->out_dir, strerror(-e));
			return 2;
		}
	}
	return 0;
}

static int select_hosts(struct cfg *c)
{
	char err[1024];

	if (fo_inv_args_filter(&c->hosts, &c->inv, err, sizeof(err)) < 0) {
		say("", err, "");
		return 2;
	}
	if (c->inv.nhosts == 0 && c->hosts.nshards) {
		/* more shards than hosts: an empty shard has done its part */
		fprintf(stderr, "fanout: shard %u/%u has no hosts (fewer hosts than shards)\n", c->hosts.shard,
			c->hosts.nshards);
		return STOP_OK;
	}
	if (c->inv.nhosts == 0) {
		fprintf(stderr, "fanout: no hosts left after the filters; check them with `fanout inventory`\n");
		return 2;
	}
	return 0;
}

/* The model, the libraries, how many hosts at once; then the names resolved. */
static int plan(struct cfg *c, struct fo_run_opts *o)
{
	char err[512];
	long nofile, per, cap, want;
	int e;

	if (c->model_s && fo_model_parse(c->model_s, &o->model, err, sizeof(err)) < 0) {
		fprintf(stderr, "fanout: bad --model '%s': %s\n", c->model_s, err);
		return 2;
	}
	if (!c->model_s)
		o->model = fo_model_default();
	if ((c->task == T_HTTP && fo_curl_global_init() < 0) ||
	    ((c->task == T_SSH || c->task == T_COPY) && fo_ssh_global_init() < 0)) {
		fprintf(stderr, "fanout: cannot start %s\n", c->task == T_HTTP ? "libcurl" : "libssh2");
		return 1;
	}
	if (fo_dns_global_init() < 0) {
		fprintf(stderr, "fanout: cannot start c-ares\n");
		return 1;
	}
	/* descriptors bound how many hosts are in flight; say so when they bind */
	nofile = fo_raise_nofile();
	per = c->task == T_EXEC ? 3 : 1;
	cap = nofile > 128 ? (nofile - 64) / per : 32;
	want = c->workers ? c->workers : (long)c->inv.nhosts;
	/* a host waiting at the login gate holds its coroutine's stack and
	 * its buffers (about 17 KB: 583 MB for 16,800 waiting, BENCHMARKS.md);
	 * 8 logins' worth of sessions in flight per login place keep the gate
	 * busy (a session of 15 commands lasts a few logins) at a fraction of
	 * that */
	if (!c->workers && (c->task == T_SSH || c->task == T_COPY) && c->max_logins > 0 &&
	    want > 8 * c->max_logins)
		want = 8 * c->max_logins;
	if (want > cap) {
		fprintf(stderr, "fanout: %zu hosts, at most %ld at once (the open-file limit is %ld)\n",
			c->inv.nhosts, cap, nofile);
		want = cap;
	}
	if (o->model.kind == FO_MODEL_CORO || o->model.kind == FO_MODEL_LOOP)
		o->max_inflight = (size_t)want;
	else if (c->workers && (o->model.kind == FO_MODEL_THREADS) && !c->model_s)
		o->model.threads = (int)want;
	e = resolve_all(c, err, sizeof(err));
	if (e < 0) {
		fprintf(stderr, "fanout: resolving host names: %s\n", err);
		return e == -EINVAL ? 2 : 1;
	}
	return 0;
}

/* The run itself: Ctrl-C and SIGTERM taken by a thread of their own
 * (src/util/stopsig.h), SIGPIPE ignored so that a closed stdout is an
 * error we report. */
static int execute(struct cfg *c, struct fo_run_opts *o)
{
	struct sigaction sa = { 0 }, old_pipe;
	struct fo_stopsig stop = { .first = stop_starting, .grace = c->grace };
	struct fo_run *run;
	int e = 0, ret = 1;

	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, &old_pipe);
	if ((e = fo__stopsig_start(&stop)) < 0) {
		fprintf(stderr, "fanout: cannot start the run: %s\n", strerror(-e));
		sigaction(SIGPIPE, &old_pipe, NULL);
		return 1;
	}
	c->total = c->inv.nhosts;
	c->t0 = fo_now();
	o->ntasks = c->inv.nhosts;
	o->fn = job;
	o->arg = c;
	o->on_result = on_result;
	o->on_result_arg = c;
	o->quiet = true;
	if (c->task == T_SSH || c->task == T_COPY) /* OpenSSL's key exchange wants a deep stack */
		o->stack_size = fo__cli_stack_size(&o->model, 512 * 1024);
	run = fo_run(o, &e);
	progress(c, true);
	if (!run) {
		fprintf(stderr, "fanout: cannot start the run: %s\n", fo_strerror(e));
	} else {
		if (c->gather)
			print_groups(c);
		summary(c, (double)(fo_now() - c->t0) / 1e9);
		ret = atomic_load(&stopping) || fo_interrupted() ? 130 :
		      c->count[FO_SSH_OK] == c->total && !c->stdout_err ? 0 : 1;
		if (ret == 0 && c->fail_on_change &&
		    (c->nchanged_hosts || c->ngone /* counted by the summary */))
			ret = 1;
		fo_run_free(run);
	}
	fo__stopsig_stop(&stop);
	sigaction(SIGPIPE, &old_pipe, NULL);
	return ret;
}

static void release(struct cfg *c)
{
	size_t k;

	for (k = 0; c->addrs && k < c->inv.nhosts; k++)
		free(c->addrs[k]);
	for (k = 0; c->resolve_err && k < c->inv.nhosts; k++)
		free(c->resolve_err[k]);
	free(c->addrs);
	free(c->resolve_err);
	fo_inv_release(&c->inv);
	fo_inv_args_release(&c->hosts);
	free(c->cmdargs);
	free(c->cmds);
	fo__gather_release(&c->groups);
	fo__parse_plan_release(&c->pp);
	if (c->cmp_open)
		fo_cmp_tree_release(&c->cmp);
	fo_udiff_ignore_free(c->ig);
	for (k = 0; k < c->nsets; k++)
		free(c->sets[k].cmds);
	free(c->sets);
	for (k = 0; k < c->nbufs; k++)
		free(c->bufs[k]);
	free(c->bufs);
	free(c->kh);
	if (c->secret)
		explicit_bzero(c->secret, strlen(c->secret));
	free(c->secret);
	if (c->enable_buf)
		explicit_bzero(c->enable_buf, strlen(c->enable_buf));
	free(c->enable_buf);
	for (k = 0; k < c->nplats; k++)
		fo_platform_free(c->plats[k]);
	free(c->plats);
	fo_platform_free(c->prompt_own);
	fo_platform_free(c->default_plat);
	free(c->config_buf);
	free(c->config);
	fo__copy_job_release(&c->copy);
	free((char *)c->me);
	free(c->out_first);
	if (c->ssh.login_gate)
		fo_gate_release(&c->login_gate);
}

/* Every ssh host's platform known, with the level the commands want and,
 * for configuration, a configuration level: refused before the run. */
static int check_platforms(const struct cfg *c)
{
	size_t i;

	if (c->task != T_SSH)
		return 0;
	if (c->platform && !c->prompt_plat && !fo_platform_builtin(c->platform)) {
		size_t k;

		for (k = 0; k < c->nplats && strcmp(fo_platform_info(c->plats[k])->type, c->platform); k++)
			;
		if (k == c->nplats) {
			fprintf(stderr, "fanout: bad --platform '%s': expected ios, nxos, eos, junos, iosxr, linux (or "
				"their netmiko names), or a --platform-file's platform-type\n", c->platform);
			return 2;
		}
	}
	for (i = 0; i < c->inv.nhosts; i++) {
		const struct fo_inv_host *h = &c->inv.hosts[i];
		const struct fo_platform *p = host_platform(c, h);
		const struct fo_plat_info *pi;

		if (!host_shell(c, h) && !c->config_file && !c->config_dir)
			continue;
		if (!p) {
			fprintf(stderr, "fanout: host %s: unknown platform '%s': give one of ios, nxos, eos, junos, "
				"iosxr, linux (or their netmiko names), or its definition with --platform-file\n",
				h->name, h->platform ? h->platform : c->platform);
			return 2;
		}
		pi = fo_platform_info(p);
		if (c->ssh.level && fo_platform_level_index(p, c->ssh.level) < 0) {
			fprintf(stderr, "fanout: host %s: platform %s has no level '%s' (it has:", h->name, pi->type,
				c->ssh.level);
			for (size_t k = 0; k < pi->nlevels; k++)
				fprintf(stderr, " %s", pi->levels[k].name);
			fprintf(stderr, ")\n");
			return 2;
		}
		if ((c->config_file || c->config_dir) && p == c->default_plat) {
			fprintf(stderr, "fanout: host %s has no platform, so no configuration level: give --platform "
				"NAME or the inventory's platform\n", h->name);
			return 2;
		}
		if (c->confirm && !pi->commit_confirmed) {
			fprintf(stderr, "fanout: host %s: platform %s has no commit confirmed, so nothing would roll "
				"back; --confirm is for commit platforms (junos, iosxr): narrow the hosts with --filter "
				"platform=...\n", h->name, pi->type);
			return 2;
		}
		if ((c->config_file || c->config_dir) && (pi->config_level < 0 || !host_shell(c, h))) {
			fprintf(stderr, "fanout: host %s: platform %s has no configuration level; --config cannot "
				"apply to it (narrow the hosts with --filter platform=...)\n", h->name, pi->type);
			return 2;
		}
	}
	return 0;
}

/* The run of a parsed command line: the exit code (STOP_OK: 0). */
static int run_hosts(struct cfg *c)
{
	struct fo_run_opts o = { 0 };
	int ret;

	if (!(ret = load_hosts(c)) && !(ret = check_cfg(c)) && !(ret = select_hosts(c)) &&
	    !(ret = check_platforms(c)) && !(ret = plan_commands(c)) &&
	    !(ret = plan_parse(c)) && !(ret = plan(c, &o)))
		ret = execute(c, &o);
	return ret;
}

int fo_run_main(int argc, char **argv)
{
	struct cfg c;
	struct fo_optres res;
	int ret;

	cfg_init(&c);
	ret = parse(&c, argc, argv, &res);
	if (!ret)
		ret = run_hosts(&c);
	release(&c);
	fo_opts_release(&fo_run_opts, &c, &res);
	return ret == STOP_OK ? 0 : ret;
}
