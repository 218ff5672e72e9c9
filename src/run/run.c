/*
 * `fanout run`: apply a task to every host of an inventory and account for
 * every host.
 *
 * The hosts come from inventory.c (nornir files, host lists); names that
 * are not addresses are resolved first, on a pool of threads (the one
 * place that may block in getaddrinfo). Then one fo_run over the hosts in
 * the chosen model: each task makes its host's whole result, one JSON
 * object, as the task's output; the runtime carries it back to this
 * process from any worker, and on_result, here, prints it (--json), counts
 * it, and moves the progress line. A host whose worker died, or that was
 * never started because of Ctrl-C, gets a result made here from the
 * runtime's record: no host is ever missing.
 *
 * Ctrl-C: no new hosts start (they end "skipped"); hosts in flight get a
 * grace (--grace, 2 s) and are then cancelled; the results so far and the
 * summary are written. A second Ctrl-C cancels at once.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
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
#include "../net/curl.h"
#include "../util/sbuf.h"
#include "fanout/runtime.h"
#include "gate.h"
#include "inventory.h"
#include "run.h"
#include "ssh.h"

extern char **environ;

enum task { T_SSH, T_TCP, T_SLEEP, T_EXEC, T_HTTP };

struct cfg {
	enum task task;
	struct fo_inv inv;
	char **addrs;              /* per host: the address to reach */
	char **resolve_err;        /* per host: why it has none, or NULL */
	struct fo_ssh_cfg ssh;
	const char **cmds;
	size_t ncmds;
	const char **setup;
	size_t nsetup;
	bool setup_given;
	int shell;                 /* -1: by platform */
	const char *key_file, *key_pass;
	bool agent;
	const char *password;      /* --password-env/--password-file, for every host */
	int64_t rtt;               /* sleep */
	const char *exec_tmpl;     /* exec */
	const char *url_tmpl;      /* http */
	const char *method;
	const char *me;            /* the user running this, for hosts with none */
	const char *jump;          /* --jump [USER@]HOST[:PORT], as given */
	char jump_user[128], jump_addr[64], jump_host[256];
	int jump_port;             /* 0: the host's port */
	int64_t timeout;           /* tcp, exec: per host */
	int retry;
	int64_t retry_base;
	int retry_shed;            /* tries again of logins the server hung up on */
	size_t retried;            /* hosts that took more than one login (from the lines) */
	struct fo_gate login_gate;
	long max_logins;
	const char *out_dir;
	bool json, progress;
	int64_t grace;
	/* on_result's */
	size_t count[FO_SSH_NSTATUS];
	size_t done, total;
	int64_t t0, last_progress;
	struct slow { int64_t ms; size_t i; } slow[5];
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

static void jb_fmt(struct jb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void jb_fmt(struct jb *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		jb_add(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* A JSON string of s[0..n): control characters escaped, invalid UTF-8 as U+FFFD. */
static void jb_str(struct jb *b, const char *s, size_t n)
{
	size_t i = 0, run = 0;

	jb_add(b, "\"", 1);
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t k = 0;

		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			i++;
			run++;
			continue;
		}
		jb_add(b, s + i - run, run);
		run = 0;
		if (c < 0x80) {
			char e[8];

			if (c == '"' || c == '\\')
				snprintf(e, sizeof(e), "\\%c", c);
			else if (c == '\n')
				snprintf(e, sizeof(e), "\\n");
			else if (c == '\t')
				snprintf(e, sizeof(e), "\\t");
			else if (c == '\r')
				snprintf(e, sizeof(e), "\\r");
			else
				snprintf(e, sizeof(e), "\\u%04x", c);
			jb_s(b, e);
			i++;
			continue;
		}
		/* UTF-8: pass well-formed sequences through */
		if (c >= 0xc2 && c <= 0xdf)
			k = 1;
		else if (c >= 0xe0 && c <= 0xef)
			k = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			k = 3;
		if (k && i + k < n) {
			size_t j;
			bool ok = true;

			for (j = 1; ok && j <= k; j++)
				ok = ((unsigned char)s[i + j] & 0xc0) == 0x80;
			if (ok) {
				jb_add(b, s + i, k + 1);
				i += k + 1;
				continue;
			}
		}
		jb_s(b, "\\ufffd");
		i++;
	}
	jb_add(b, s + i - run, run);
	jb_add(b, "\"", 1);
}

static void jb_cstr(struct jb *b, const char *s)
{
	if (s)
		jb_str(b, s, strlen(s));
	else
		jb_s(b, "null");
}

/* ---- the per-host record ---------------------------------------------------------- */

struct cmdres {
	const char *command;
	enum fo_ssh_status status;
	const char *phase;
	int exit_code;            /* exec; for http the HTTP status */
	const char *out;
	size_t out_len;
	const char *error;
	int64_t ms;
};

/* {"status":..,"host":..,...,"results":[...]}: status first, on_result reads it. */
static void host_json(struct jb *b, const struct fo_inv_host *h, const char *addr,
		      enum fo_ssh_status worst, int64_t ms, int attempts, const struct cmdres *r,
		      size_t n)
{
	size_t i;

	jb_s(b, "{\"status\":");
	jb_cstr(b, fo_ssh_status_name(worst));
	jb_s(b, ",\"host\":");
	jb_cstr(b, h->name);
	jb_s(b, ",\"hostname\":");
	jb_cstr(b, h->hostname);
	if (addr && strcmp(addr, h->hostname)) {
		jb_s(b, ",\"address\":");
		jb_cstr(b, addr);
	}
	jb_fmt(b, ",\"port\":%d,\"ms\":%lld,\"attempts\":%d,\"results\":[", h->port, (long long)ms,
	       attempts);
	for (i = 0; i < n; i++) {
		jb_s(b, i ? ",{\"command\":" : "{\"command\":");
		jb_cstr(b, r[i].command);
		jb_s(b, ",\"status\":");
		jb_cstr(b, fo_ssh_status_name(r[i].status));
		if (r[i].phase) {
			jb_s(b, ",\"phase\":");
			jb_cstr(b, r[i].phase);
		}
		if (r[i].exit_code >= 0)
			jb_fmt(b, strcmp(r[i].command, "http") ? ",\"exit\":%d" : ",\"http_status\":%d",
			       r[i].exit_code);
		jb_fmt(b, ",\"ms\":%lld", (long long)r[i].ms);
		if (r[i].error) {
			jb_s(b, ",\"error\":");
			jb_cstr(b, r[i].error);
		}
		jb_s(b, ",\"output\":");
		jb_str(b, r[i].out ? r[i].out : "", r[i].out ? r[i].out_len : 0);
		jb_s(b, "}");
	}
	jb_s(b, "]}");
}

/* Every command of the host with one status (resolution failed, skipped...). */
static void host_json_all(struct jb *b, const struct cfg *c, const struct fo_inv_host *h,
			  enum fo_ssh_status st, const char *phase, const char *error)
{
	struct cmdres one = { c->task == T_SSH ? NULL : "", st, phase, -1, "", 0, error, 0 };
	struct cmdres *r = calloc(c->task == T_SSH ? c->ncmds : 1, sizeof(*r));
	size_t i, n = c->task == T_SSH ? c->ncmds : 1;

	if (!r) {
		b->oom = true;
		return;
	}
	for (i = 0; i < n; i++) {
		r[i] = one;
		r[i].command = c->task == T_SSH ? c->cmds[i] : c->task == T_TCP ? "tcp" :
			       c->task == T_SLEEP ? "sleep" : c->task == T_HTTP ? "http" : c->exec_tmpl;
	}
	host_json(b, h, NULL, st, 0, 0, r, n);
	free(r);
}

/* ---- --out DIR -------------------------------------------------------------------- */

static void slug(char *dst, size_t cap, const char *s)
{
	size_t o = 0;

	for (; *s && o + 1 < cap; s++) {
		unsigned char c = (unsigned char)*s;

		dst[o++] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			   c == '-' || c == '.' ? (char)c : '_';
	}
	if (o == 0 || (o == 1 && dst[0] == '.'))
		dst[o++] = '_';
	dst[o] = 0;
}

static void write_outputs(const struct cfg *c, const struct fo_inv_host *h, const struct cmdres *r, size_t n)
{
	char dir[4096], name[200], path[4400];
	size_t i;

	slug(name, sizeof(name), h->name);
	snprintf(dir, sizeof(dir), "%s/%s", c->out_dir, name);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return;
	for (i = 0; i < n; i++) {
		FILE *f;

		slug(name, sizeof(name), r[i].command);
		snprintf(path, sizeof(path), "%s/%s.txt", dir, name);
		f = fopen(path, "we");
		if (!f)
			continue;
		if (r[i].out_len)
			fwrite(r[i].out, 1, r[i].out_len, f);
		fclose(f);
	}
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

static bool is_network_platform(const char *p)
{
	return p && (!strcmp(p, "ios") || !strcmp(p, "cisco_ios") || !strcmp(p, "cisco_xe") ||
		     !strcmp(p, "cisco_nxos") || !strcmp(p, "nxos") || !strcmp(p, "eos") ||
		     !strcmp(p, "arista_eos") || !strcmp(p, "junos") || !strcmp(p, "juniper_junos") ||
		     !strcmp(p, "juniper") || !strcmp(p, "cisco_xr") || !strcmp(p, "iosxr"));
}

static const char *const ios_setup[] = { "terminal length 0", "terminal width 511" };
static const char *const junos_setup[] = { "set cli screen-length 0", "set cli screen-width 1024" };

static void task_ssh(struct fo_job *job, struct cfg *c, const struct fo_inv_host *h, const char *addr,
		     struct jb *b)
{
	struct fo_ssh_target t = {
		.name = h->name, .addr = addr, .hostname = h->hostname, .port = h->port,
		.user = h->username ? h->username : c->me,
		.password = c->password ? c->password : h->password,
		.key_file = c->key_file, .key_pass = c->key_pass, .agent = c->agent,
		.platform = h->platform,
	};
	struct fo_ssh_cfg sc = c->ssh;
	struct fo_ssh_res *res = calloc(c->ncmds, sizeof(*res));
	struct cmdres *r = calloc(c->ncmds, sizeof(*r));
	enum fo_ssh_status worst = FO_SSH_FAILED;
	int64_t t0 = fo_now(), backoff = c->retry_base, shed_backoff = 100 * FO_MSEC;
	int attempt, sheds = 0;
	size_t i;

	(void)job;
	if (!res || !r) {
		b->oom = true;
		goto out;
	}
	struct fo_ssh_target jt = t;

	if (c->jump) {
		jt.name = c->jump;
		jt.addr = c->jump_addr;
		jt.hostname = c->jump_host;
		jt.port = c->jump_port ? c->jump_port : h->port;
		jt.user = c->jump_user[0] ? c->jump_user : t.user;
		jt.platform = "linux";
		jt.jump = NULL;
		t.jump = &jt;
	}
	sc.shell = c->shell >= 0 ? c->shell : is_network_platform(h->platform);
	if (sc.shell && !c->setup_given) {
		bool junos = h->platform && strstr(h->platform, "jun");

		sc.setup = is_network_platform(h->platform) ? (junos ? junos_setup : ios_setup) : NULL;
		sc.nsetup = sc.setup ? 2 : 0;
	}
	for (attempt = 0;; attempt++) {
		int64_t wait;

		worst = fo_ssh_host(&t, &sc, res);
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
		fo_ssh_results_release(res, c->ncmds);
		if (fo_sleep(wait) < 0)
			break;
	}
	for (i = 0; i < c->ncmds; i++) {
		r[i] = (struct cmdres){ c->cmds[i], res[i].status, res[i].phase, res[i].exit_code,
					res[i].out, res[i].out_len, res[i].error, res[i].ms };
	}
	host_json(b, h, addr, worst, (fo_now() - t0) / FO_MSEC, attempt + 1, r, c->ncmds);
	if (c->out_dir)
		write_outputs(c, h, r, c->ncmds);
	fo_ssh_results_release(res, c->ncmds);
out:
	free(res);
	free(r);
}

static void task_tcp(struct cfg *c, const struct fo_inv_host *h, const char *addr, struct jb *b)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t sl = 0;
	int64_t t0 = fo_now(), dl = c->timeout > 0 ? t0 + c->timeout : FO_NEVER;
	struct cmdres r = { "tcp", FO_SSH_OK, NULL, -1, "", 0, NULL, 0 };
	char err[160] = "";
	int fd = -1, soerr = 0, w;
	socklen_t el = sizeof(soerr);

	if (inet_pton(AF_INET, addr, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		((struct sockaddr_in *)&ss)->sin_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)h->port);
		sl = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, addr, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)h->port);
		sl = sizeof(struct sockaddr_in6);
	}
	fd = socket(ss.ss_family ? ss.ss_family : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r.status = FO_SSH_FAILED;
		snprintf(err, sizeof(err), "socket: %s", strerror(errno));
	} else if (connect(fd, (struct sockaddr *)&ss, sl) < 0 && errno != EINPROGRESS) {
		r.status = FO_SSH_UNREACHABLE;
		snprintf(err, sizeof(err), "connect to %s port %d: %s", addr, h->port, strerror(errno));
	} else if ((w = fo_wait_fd(fd, FO_WRITE, dl)) < 0) {
		r.status = w == -ECANCELED ? FO_SSH_SKIPPED : FO_SSH_TIMEOUT;
		snprintf(err, sizeof(err), "connect to %s port %d: %s", addr, h->port,
			 w == -ECANCELED ? "interrupted" : "timed out");
	} else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &el) == 0 && soerr) {
		r.status = FO_SSH_UNREACHABLE;
		snprintf(err, sizeof(err), "connect to %s port %d: %s", addr, h->port, strerror(soerr));
	}
	if (fd >= 0)
		close(fd);
	r.ms = (fo_now() - t0) / FO_MSEC;
	r.phase = r.status == FO_SSH_OK ? NULL : "connect";
	r.error = *err ? err : NULL;
	host_json(b, h, addr, r.status, r.ms, 1, &r, 1);
}

static void task_sleep(struct cfg *c, const struct fo_inv_host *h, struct jb *b)
{
	int64_t t0 = fo_now();
	int w = fo_sleep(c->rtt);
	struct cmdres r = { "sleep", w == 0 ? FO_SSH_OK : w == -ECANCELED ? FO_SSH_SKIPPED : FO_SSH_TIMEOUT,
			    w ? "sleep" : NULL, -1, "", 0, w ? fo_strerror(w) : NULL, 0 };

	r.ms = (fo_now() - t0) / FO_MSEC;
	host_json(b, h, NULL, r.status, r.ms, 1, &r, 1);
}

/* {host} {hostname} {port} {user} {platform} in the template, for sh -c. */
static char *expand(const char *tmpl, const struct fo_inv_host *h)
{
	struct jb b = { 0 };
	const char *p = tmpl;

	while (*p) {
		const char *q = strchr(p, '{');
		const char *v = NULL;
		size_t k = 0;

		if (!q) {
			jb_s(&b, p);
			break;
		}
		jb_add(&b, p, (size_t)(q - p));
		if (!strncmp(q, "{host}", 6))
			v = h->name, k = 6;
		else if (!strncmp(q, "{hostname}", 10))
			v = h->hostname, k = 10;
		else if (!strncmp(q, "{port}", 6))
			k = 6;
		else if (!strncmp(q, "{user}", 6))
			v = h->username ? h->username : "", k = 6;
		else if (!strncmp(q, "{platform}", 10))
			v = h->platform ? h->platform : "", k = 10;
		if (k == 6 && !strncmp(q, "{port}", 6))
			jb_fmt(&b, "%d", h->port);
		else if (v)
			jb_s(&b, v);
		else
			jb_add(&b, q, (k = 1));
		p = q + k;
	}
	if (!b.p)
		jb_s(&b, "");
	return b.p;
}

static void task_exec(struct cfg *c, const struct fo_inv_host *h, struct jb *b)
{
	char *cmd = expand(c->exec_tmpl, h);
	struct cmdres r = { c->exec_tmpl, FO_SSH_OK, NULL, -1, "", 0, NULL, 0 };
	struct jb out = { 0 };
	char err[200] = "", *argv[4] = { "sh", "-c", cmd, NULL };
	int64_t t0 = fo_now(), dl = c->timeout > 0 ? t0 + c->timeout : FO_NEVER;
	posix_spawn_file_actions_t fa;
	int p[2] = { -1, -1 }, pidfd = -1, st = 0;
	pid_t pid = -1;

	if (!cmd || pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0) {
		r.status = FO_SSH_FAILED;
		snprintf(err, sizeof(err), "cannot start: %s", strerror(errno));
		goto done;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_adddup2(&fa, p[1], 2);
	if (posix_spawn(&pid, "/bin/sh", &fa, NULL, argv, environ) != 0)
		pid = -1;
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	p[1] = -1;
	if (pid < 0) {
		r.status = FO_SSH_FAILED;
		snprintf(err, sizeof(err), "cannot start /bin/sh");
		goto done;
	}
	for (;;) {
		char tmp[4096];
		ssize_t n = read(p[0], tmp, sizeof(tmp));
		int w;

		if (n > 0) {
			if (out.len < c->ssh.max_output)
				jb_add(&out, tmp, (size_t)n);
			continue;
		}
		if (n == 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			break;
		w = fo_wait_fd(p[0], FO_READ, dl);
		if (w < 0) {
			r.status = w == -ECANCELED ? FO_SSH_SKIPPED : FO_SSH_TIMEOUT;
			snprintf(err, sizeof(err), "%s; killed", w == -ECANCELED ? "interrupted" : "timed out");
			kill(pid, SIGKILL);
			break;
		}
	}
	/* the output ended: wait for the exit without blocking the thread */
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd >= 0) {
		if (waitpid(pid, &st, WNOHANG) == 0) {
			if (fo_wait_fd(pidfd, FO_READ, dl) < 0)
				kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
		}
		close(pidfd);
	} else {
		waitpid(pid, &st, 0);
	}
	if (r.status == FO_SSH_OK) {
		if (WIFEXITED(st))
			r.exit_code = WEXITSTATUS(st);
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			r.status = FO_SSH_FAILED;
			if (WIFEXITED(st))
				snprintf(err, sizeof(err), "exit status %d", WEXITSTATUS(st));
			else
				snprintf(err, sizeof(err), "killed by signal %d", WTERMSIG(st));
		}
	}
done:
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	r.out = out.p ? out.p : "";
	r.out_len = out.len;
	r.error = *err ? err : NULL;
	r.phase = r.status == FO_SSH_OK ? NULL : "command";
	r.ms = (fo_now() - t0) / FO_MSEC;
	host_json(b, h, NULL, r.status, r.ms, 1, &r, 1);
	if (c->out_dir)
		write_outputs(c, h, &r, 1);
	free(out.p);
	free(cmd);
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct jb *out = arg;
	size_t len = size * n;

	if (out->len + len > out->cap && out->len + len > (16u << 20))
		return 0; /* over the cap: curl stops with a write error */
	jb_add(out, p, len);
	return out->oom ? 0 : len;
}

/* One request per host: status, latency, body (capped by --max-output). */
static void task_http(struct cfg *c, const struct fo_inv_host *h, const char *addr, struct jb *b)
{
	char *url = expand(c->url_tmpl, h), err[CURL_ERROR_SIZE] = "", msg[CURL_ERROR_SIZE + 40] = "";
	struct cmdres r = { "http", FO_SSH_OK, NULL, -1, "", 0, NULL, 0 };
	struct jb body = { 0 };
	int64_t t0 = fo_now(), dl = c->timeout > 0 ? t0 + c->timeout : FO_NEVER;
	struct curl_slist *resolve = NULL;
	CURL *e = curl_easy_init();
	CURLcode cc;
	long code = 0;

	if (!e || !url) {
		r.status = FO_SSH_FAILED;
		snprintf(msg, sizeof(msg), "out of memory");
		goto done;
	}
	/* the name was resolved before the run: pin it, no lookup per host */
	if (addr && strcmp(addr, h->hostname)) {
		char pin[600];

		snprintf(pin, sizeof(pin), "%s:%d:%s", h->hostname, h->port, addr);
		resolve = curl_slist_append(NULL, pin);
		curl_easy_setopt(e, CURLOPT_RESOLVE, resolve);
	}
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, err);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "fanout-run/1");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	if (c->method && !strcmp(c->method, "HEAD"))
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	cc = fo_curl_perform(e, dl);
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
	r.exit_code = (int)code;
	if (cc == CURLE_OK) {
		if (code >= 400) {
			r.status = FO_SSH_FAILED;
			snprintf(msg, sizeof(msg), "HTTP %ld", code);
		}
	} else {
		r.status = cc == CURLE_OPERATION_TIMEDOUT ? FO_SSH_TIMEOUT
			   : cc == CURLE_ABORTED_BY_CALLBACK ? FO_SSH_SKIPPED
			   : cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST ? FO_SSH_UNREACHABLE
			   : FO_SSH_FAILED;
		snprintf(msg, sizeof(msg), "%s", cc == CURLE_ABORTED_BY_CALLBACK ? "interrupted" :
			 cc == CURLE_OPERATION_TIMEDOUT ? "timed out" : *err ? err : curl_easy_strerror(cc));
	}
done:
	r.out = body.p ? body.p : "";
	r.out_len = body.len;
	r.error = *msg ? msg : NULL;
	r.phase = r.status == FO_SSH_OK ? NULL : "request";
	r.ms = (fo_now() - t0) / FO_MSEC;
	host_json(b, h, addr, r.status, r.ms, 1, &r, 1);
	if (e)
		curl_easy_cleanup(e);
	curl_slist_free_all(resolve);
	free(body.p);
	free(url);
}

static int job(struct fo_job *jb_, void *arg)
{
	struct cfg *c = arg;
	size_t i = fo_job_index(jb_);
	const struct fo_inv_host *h = &c->inv.hosts[i];
	struct jb b = { 0 };

	if (atomic_load(&stopping) || fo_cancelled())
		host_json_all(&b, c, h, FO_SSH_SKIPPED, NULL, "not started: the run was interrupted");
	else if (c->resolve_err[i])
		host_json_all(&b, c, h, FO_SSH_UNREACHABLE, "resolve", c->resolve_err[i]);
	else if (c->task == T_SSH)
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

static enum fo_ssh_status status_of(const char *json)
{
	static const char pre[] = "{\"status\":\"";
	int s;

	if (!json || strncmp(json, pre, sizeof(pre) - 1))
		return FO_SSH_FAILED;
	for (s = 0; s < FO_SSH_NSTATUS; s++) {
		const char *n = fo_ssh_status_name((enum fo_ssh_status)s);
		size_t l = strlen(n);

		if (!strncmp(json + sizeof(pre) - 1, n, l) && json[sizeof(pre) - 1 + l] == '"')
			return (enum fo_ssh_status)s;
	}
	return FO_SSH_FAILED;
}

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

static void on_result(const struct fo_result *r, void *arg)
{
	struct cfg *c = arg;
	const struct fo_inv_host *h = &c->inv.hosts[r->index];
	struct jb b = { 0 };
	const char *line = r->output;
	enum fo_ssh_status st;
	int64_t ms;
	int k;

	if (!line || r->status == FO_ERROR || r->status == FO_SKIPPED) {
		/* no record from the task: the worker died, or it never started */
		const char *why = r->error ? r->error : "no result from the task";

		host_json_all(&b, c, h, r->status == FO_SKIPPED ? FO_SSH_SKIPPED : FO_SSH_FAILED,
			      NULL, why);
		line = b.p ? b.p : "{\"status\":\"failed\"}";
	}
	st = status_of(line);
	c->count[st]++;
	c->done++;
	{
		const char *a = strstr(line, ",\"attempts\":");

		if (a && strtol(a + 12, NULL, 10) > 1)
			c->retried++;
	}
	if (c->json) {
		fputs(line, stdout);
		fputc('\n', stdout);
	} else if (st != FO_SSH_OK) {
		const char *e = strstr(line, "\"error\":\"");
		size_t n = 0;

		if (e) {
			e += 9;
			while (e[n] && !(e[n] == '"' && e[n - 1] != '\\') && n < 200)
				n++;
		}
		if (c->progress)
			fputs("\r\033[K", stderr);
		fprintf(stderr, "%s: %s%s%.*s\n", h->name, fo_ssh_status_name(st), e ? ": " : "", (int)n,
			e ? e : "");
	}
	ms = r->start ? (r->end - r->start) / FO_MSEC : 0;
	for (k = 0; k < 5; k++) {
		if (ms > c->slow[k].ms || !c->slow[k].ms) {
			memmove(&c->slow[k + 1], &c->slow[k], (size_t)(4 - k) * sizeof(c->slow[0]));
			c->slow[k].ms = ms;
			c->slow[k].i = r->index;
			break;
		}
	}
	progress(c, false);
	free(b.p);
}

static void summary(struct cfg *c, double secs)
{
	int s, k;

	fprintf(stderr, "fanout run: %zu hosts in %.2fs:", c->total, secs);
	for (s = 0; s < FO_SSH_NSTATUS; s++)
		if (c->count[s])
			fprintf(stderr, " %s %zu", fo_ssh_status_name((enum fo_ssh_status)s), c->count[s]);
	fputc('\n', stderr);
	if (c->retried)
		fprintf(stderr, "retried: %zu hosts took more than one login (--retry-shed, --retry)\n", c->retried);
	if (c->total > 1 && c->slow[0].ms > 0) {
		fputs("slowest:", stderr);
		for (k = 0; k < 5 && c->slow[k].ms > 0; k++)
			fprintf(stderr, " %s %.2fs", c->inv.hosts[c->slow[k].i].name, c->slow[k].ms / 1000.0);
		fputc('\n', stderr);
	}
}

/* ---- name resolution, on a pool of threads -------------------------------------------- */

static int resolve_job(struct fo_job *j, void *arg)
{
	struct cfg *c = arg;
	size_t i = fo_job_index(j);
	const char *name = c->inv.hosts[i].hostname;
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *ai = NULL;
	char buf[INET6_ADDRSTRLEN];
	struct in6_addr a6;
	int e;

	if (inet_pton(AF_INET, name, &a6) == 1 || inet_pton(AF_INET6, name, &a6) == 1) {
		c->addrs[i] = strdup(name);
		return 0;
	}
	e = getaddrinfo(name, NULL, &hints, &ai); /* banned-ok: on the resolver pool's threads */
	if (e || !ai) {
		char msg[300];

		snprintf(msg, sizeof(msg), "cannot resolve '%s': %s", name, gai_strerror(e));
		c->resolve_err[i] = strdup(msg);
		return 0;
	}
	if (ai->ai_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, buf, sizeof(buf));
	else
		inet_ntop(AF_INET, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, buf, sizeof(buf));
	c->addrs[i] = strdup(buf);
	freeaddrinfo(ai);
	return 0;
}

static int resolve_all(struct cfg *c)
{
	struct fo_run_opts o = { 0 };
	struct fo_run *r;
	size_t i, names = 0;
	int e = 0;
	struct in6_addr a6;

	c->addrs = calloc(c->inv.nhosts, sizeof(char *));
	c->resolve_err = calloc(c->inv.nhosts, sizeof(char *));
	if (!c->addrs || !c->resolve_err)
		return -ENOMEM;
	for (i = 0; i < c->inv.nhosts; i++) {
		const char *n = c->inv.hosts[i].hostname;

		if (inet_pton(AF_INET, n, &a6) == 1 || inet_pton(AF_INET6, n, &a6) == 1)
			c->addrs[i] = strdup(n);
		else
			names++;
	}
	if (!names || c->task == T_SLEEP || c->task == T_EXEC)
		return 0;
	o.model.kind = FO_MODEL_THREADS;
	o.model.threads = names < 64 ? (int)names : 64;
	o.ntasks = c->inv.nhosts;
	o.fn = resolve_job;
	o.arg = c;
	o.quiet = true;
	r = fo_run(&o, &e);
	if (!r)
		return e;
	fo_run_free(r);
	for (i = 0; i < c->inv.nhosts; i++)
		if (!c->addrs[i] && !c->resolve_err[i])
			c->resolve_err[i] = strdup("not resolved (interrupted)");
	return 0;
}

/* ---- command line ---------------------------------------------------------------------- */

static void usage(FILE *f)
{
	fputs("usage: fanout run [inventory] [--task ssh|tcp|http|sleep|exec] [task options] [run options]\n"
	      "\n"
	      "Applies a task to every host and accounts for each: ok, failed, timeout,\n"
	      "unreachable, auth_failed, hostkey_mismatch or skipped, one result per command.\n"
	      "\n"
	      "inventory (as `fanout inventory`; at least one source):\n"
	      "  -i DIR | -w LIST | --hosts-file FILE   nornir files, host list, file of hosts\n"
	      "  -x LIST  --group G  --filter KEY=VALUE  --limit N|LIST  --user U  --port P\n"
	      "  --shard K/N            every Nth host from the Kth, after the filters: N runs\n"
	      "                         (K = 1..N, on one machine or many) do each host once\n"
	      "ssh (the default task):\n"
	      "  -c, --command CMD      a command to run (repeat for more); --commands-file FILE\n"
	      "  --shell | --exec       one interactive session with prompt detection, or an exec\n"
	      "                         channel per command (default: shell for network platforms\n"
	      "                         such as ios, junos, nxos, eos; exec otherwise)\n"
	      "  --setup CMD            sent first in shell mode (default per platform: terminal length 0)\n"
	      "  --prompt REGEX         the prompt (default per platform)\n"
	      "  --key FILE             private key (--key-pass-env VAR for its passphrase)\n"
	      "  --password-env VAR | --password-file FILE   a password for every host\n"
	      "                         (else the inventory's); never on the command line\n"
	      "  --no-agent             do not try ssh-agent\n"
	      "  -J, --jump [USER@]HOST[:PORT]   log in through this jump host (as ssh -J), with\n"
	      "                         the same credentials; its port defaults to the host's\n"
	      "  --host-keys strict|accept-new|off   (default accept-new)\n"
	      "  --known-hosts FILE     default ~/.config/fanout/known_hosts\n"
	      "  --connect-timeout D (10s)  --command-timeout D (30s)  --host-timeout D (none)\n"
	      "  --max-output SIZE      per command (default 16M)\n"
	      "tcp: connect to each host's port, with its latency (--timeout D, default 5s)\n"
	      "sleep: --rtt D, a simulated round trip (default 50ms)\n"
	      "exec: --run 'CMD {host} {hostname} {port} {user}' locally per host (--timeout D)\n"
	      "http: a GET (--head: HEAD) of --url TEMPLATE (default http://{hostname}:{port}/),\n"
	      "      ok below 400, with the status, latency and body (--timeout D)\n"
	      "run:\n"
	      "  --model M              execution model (default coro:cores)\n"
	      "  --workers N            hosts in flight at most (default: bounded by the fd limit)\n"
	      "  --max-logins N         ssh logins in progress at once (default 128; 0: no cap):\n"
	      "                         the rest wait their turn, outside the connect timeout\n"
	      "  --retry N              retries of connection failures, with backoff (default 0)\n"
	      "  --retry-shed N         logins the server hung up on during the handshake (sshd's\n"
	      "                         MaxStartups under load) tried again, from 0.1s apart with\n"
	      "                         jitter, doubling (default 5; 0: never)\n"
	      "  --out DIR              outputs, DIR/HOST/COMMAND.txt\n"
	      "  --json                 a JSON line per host on stdout\n"
	      "  --grace D              after Ctrl-C, how long hosts in flight may finish (2s)\n"
	      "  --progress|--no-progress   (default: on a terminal)\n"
	      "exit status: 0 all ok, 1 some host not ok, 2 bad usage, 130 interrupted\n",
	      f);
}

static timer_t grace_timer;
static struct itimerspec grace_its;

static void on_sigint(int sig)
{
	(void)sig;
	if (atomic_exchange(&stopping, 1) || (!grace_its.it_value.tv_sec && !grace_its.it_value.tv_nsec))
		fo_interrupt(); /* the second Ctrl-C: now */
	else
		timer_settime(grace_timer, 0, &grace_its, NULL); /* async-signal-safe */
}

static void on_alarm(int sig)
{
	(void)sig;
	fo_interrupt(); /* the grace is over: cancel what is still in flight */
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

static int parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (end == s)
		return -1;
	if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	else if (*end == 'G' || *end == 'g')
		v <<= 30, end++;
	if (*end || v == 0)
		return -1;
	*out = (size_t)v;
	return 0;
}

static char *read_secret(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f) {
		snprintf(err, errlen, "cannot read password file '%s': %s", path, strerror(errno));
		return NULL;
	}
	n = getline(&line, &cap, f);
	fclose(f);
	if (n < 0) {
		free(line);
		return strdup("");
	}
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = 0;
	return line;
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
		char *end;
		long p = strtol(colon + 1, &end, 10);

		if (*end || p < 1 || p > 65535) {
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

int fo_run_main(int argc, char **argv)
{
	struct cfg c;
	struct fo_inv_filter flt = { 0 };
	const char **groups = NULL, **attrs = NULL;
	size_t ngroups = 0, nattrs = 0;
	const char *task = "ssh", *model_s = NULL, *hk = "accept-new", *limit = NULL;
	char err[512], *kh = NULL, *secret = NULL;
	long workers = 0;
	bool progress_set = false, have_timer = false;
	const char **srcs = NULL;
	size_t nsrcs = 0;
	struct fo_run_opts o = { 0 };
	struct fo_run *run = NULL;
	int i, e = 0, ret = 2;
	long nofile;
	struct sigaction sa = { 0 }, old_int, old_term, old_alrm;

	memset(&c, 0, sizeof(c));
	fo_inv_init(&c.inv);
	c.shell = -1;
	c.agent = true;
	c.ssh.connect_timeout = 10 * FO_SEC;
	c.ssh.command_timeout = 30 * FO_SEC;
	c.ssh.max_output = 16 << 20;
	c.rtt = 50 * FO_MSEC;
	c.timeout = 5 * FO_SEC;
	c.retry_base = 500 * FO_MSEC;
	c.retry_shed = 5;
	c.grace = 2 * FO_SEC;
	c.max_logins = 128;
	c.progress = isatty(2);
	{
		struct passwd *pw = getpwuid(getuid());

		c.me = pw && pw->pw_name ? strdup(pw->pw_name) : strdup("root");
	}

	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int64_t d;

#define NEED_V()                                                                           \
	do {                                                                               \
		if (!v) {                                                                  \
			fprintf(stderr, "fanout: '%s' needs a value (see fanout run --help)\n", a); \
			goto out;                                                          \
		}                                                                          \
		i++;                                                                       \
	} while (0)
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			ret = 0;
			goto out;
		} else if (!strcmp(a, "-i") || !strcmp(a, "--inventory") || !strcmp(a, "-w") ||
			   !strcmp(a, "--hosts-file")) {
			/* loaded after every flag is read: --user and --port apply
			 * to the hosts wherever they stand */
			NEED_V();
			push(&srcs, &nsrcs, a);
			push(&srcs, &nsrcs, v);
		} else if (!strcmp(a, "-x")) {
			NEED_V();
			flt.exclude = v;
		} else if (!strcmp(a, "--group")) {
			NEED_V();
			push(&groups, &ngroups, v);
		} else if (!strcmp(a, "--filter")) {
			NEED_V();
			push(&attrs, &nattrs, v);
		} else if (!strcmp(a, "--limit")) {
			NEED_V();
			limit = v;
		} else if (!strcmp(a, "--shard")) {
			NEED_V();
			if (fo_inv_parse_shard(v, &flt.shard, &flt.nshards, err, sizeof(err)) < 0) {
				fprintf(stderr, "fanout: %s\n", err);
				goto out;
			}
		} else if (!strcmp(a, "--user")) {
			NEED_V();
			c.inv.user = v;
		} else if (!strcmp(a, "--port")) {
			char *end;
			long p;

			NEED_V();
			p = strtol(v, &end, 10);
			if (*end || p < 1 || p > 65535) {
				ret = fo_cli_bad("--port", v, "a port number, 1 to 65535");
				goto out;
			}
			c.inv.port = (int)p;
		} else if (!strcmp(a, "--task")) {
			NEED_V();
			task = v;
		} else if (!strcmp(a, "-c") || !strcmp(a, "--command")) {
			NEED_V();
			push(&c.cmds, &c.ncmds, v);
		} else if (!strcmp(a, "--commands-file")) {
			FILE *f;
			char *line = NULL;
			size_t cap = 0;
			ssize_t n;

			NEED_V();
			f = fopen(v, "re");
			if (!f) {
				fprintf(stderr, "fanout: cannot read commands file '%s': %s\n", v, strerror(errno));
				goto out;
			}
			while ((n = getline(&line, &cap, f)) > 0) {
				while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
					line[--n] = 0;
				if (n && line[0] != '#')
					push(&c.cmds, &c.ncmds, strdup(line)); /* lives to exit */
			}
			free(line);
			fclose(f);
		} else if (!strcmp(a, "--setup")) {
			NEED_V();
			push(&c.setup, &c.nsetup, v);
			c.setup_given = true;
		} else if (!strcmp(a, "--shell")) {
			c.shell = 1;
		} else if (!strcmp(a, "--exec")) {
			c.shell = 0;
		} else if (!strcmp(a, "--prompt")) {
			NEED_V();
			c.ssh.prompt = v;
		} else if (!strcmp(a, "--key")) {
			NEED_V();
			if (access(v, R_OK) < 0) {
				fprintf(stderr, "fanout: cannot read key file '%s': %s\n", v, strerror(errno));
				goto out;
			}
			c.key_file = v;
		} else if (!strcmp(a, "--key-pass-env")) {
			NEED_V();
			c.key_pass = getenv(v);
			if (!c.key_pass) {
				fprintf(stderr, "fanout: --key-pass-env '%s': the variable is not set\n", v);
				goto out;
			}
		} else if (!strcmp(a, "--password-env")) {
			NEED_V();
			c.password = getenv(v);
			if (!c.password) {
				fprintf(stderr, "fanout: --password-env '%s': the variable is not set\n", v);
				goto out;
			}
		} else if (!strcmp(a, "--password-file")) {
			NEED_V();
			free(secret);
			secret = read_secret(v, err, sizeof(err));
			if (!secret) {
				fprintf(stderr, "fanout: %s\n", err);
				goto out;
			}
			c.password = secret;
		} else if (!strcmp(a, "--jump") || !strcmp(a, "-J")) {
			NEED_V();
			c.jump = v;
		} else if (!strcmp(a, "--no-agent")) {
			c.agent = false;
		} else if (!strcmp(a, "--host-keys")) {
			NEED_V();
			hk = v;
		} else if (!strcmp(a, "--known-hosts")) {
			NEED_V();
			c.ssh.known_hosts = v;
		} else if (!strcmp(a, "--connect-timeout") || !strcmp(a, "--command-timeout") ||
			   !strcmp(a, "--host-timeout") || !strcmp(a, "--timeout") || !strcmp(a, "--rtt") ||
			   !strcmp(a, "--grace")) {
			NEED_V();
			if (fo_duration_parse(v, &d) < 0 || d < 0) {
				ret = fo_cli_bad(a, v, "a duration such as 500ms, 10s or 2m");
				goto out;
			}
			if (!strcmp(a, "--connect-timeout"))
				c.ssh.connect_timeout = d;
			else if (!strcmp(a, "--command-timeout"))
				c.ssh.command_timeout = d;
			else if (!strcmp(a, "--host-timeout"))
				c.ssh.host_timeout = d;
			else if (!strcmp(a, "--timeout"))
				c.timeout = d;
			else if (!strcmp(a, "--rtt"))
				c.rtt = d;
			else
				c.grace = d;
		} else if (!strcmp(a, "--max-output")) {
			NEED_V();
			if (parse_size(v, &c.ssh.max_output) < 0) {
				ret = fo_cli_bad(a, v, "a size such as 512K or 16M");
				goto out;
			}
		} else if (!strcmp(a, "--run")) {
			NEED_V();
			c.exec_tmpl = v;
		} else if (!strcmp(a, "--url")) {
			NEED_V();
			c.url_tmpl = v;
		} else if (!strcmp(a, "--head")) {
			c.method = "HEAD";
		} else if (!strcmp(a, "--model")) {
			NEED_V();
			model_s = v;
		} else if (!strcmp(a, "--max-logins")) {
			char *end;

			NEED_V();
			c.max_logins = strtol(v, &end, 10);
			if (*end || c.max_logins < 0 || c.max_logins > 1000000) {
				ret = fo_cli_bad(a, v, "a count, 0 for no limit");
				goto out;
			}
		} else if (!strcmp(a, "--retry-shed")) {
			char *end;
			long n;

			NEED_V();
			n = strtol(v, &end, 10);
			if (!*v || *end || n < 0 || n > 100) {
				ret = fo_cli_bad(a, v, "a count from 0 to 100");
				goto out;
			}
			c.retry_shed = (int)n;
		} else if (!strcmp(a, "--workers") || !strcmp(a, "--retry")) {
			char *end;
			long n;

			NEED_V();
			n = strtol(v, &end, 10);
			if (*end || n < (a[2] == 'w' ? 1 : 0) || n > 100000000) {
				ret = fo_cli_bad(a, v, a[2] == 'w' ? "a count, 1 or more" : "a count, 0 or more");
				goto out;
			}
			if (a[2] == 'w')
				workers = n;
			else
				c.retry = (int)n;
		} else if (!strcmp(a, "--out")) {
			NEED_V();
			c.out_dir = v;
		} else if (!strcmp(a, "--json")) {
			c.json = true;
		} else if (!strcmp(a, "--progress") || !strcmp(a, "--no-progress")) {
			c.progress = a[2] == 'p';
			progress_set = true;
		} else {
			fprintf(stderr, "fanout: unknown option '%s' (see fanout run --help)\n", a);
			goto out;
		}
	}
	(void)progress_set;
	if (!strcmp(task, "ssh"))
		c.task = T_SSH;
	else if (!strcmp(task, "tcp"))
		c.task = T_TCP;
	else if (!strcmp(task, "sleep"))
		c.task = T_SLEEP;
	else if (!strcmp(task, "exec"))
		c.task = T_EXEC;
	else if (!strcmp(task, "http"))
		c.task = T_HTTP;
	else {
		ret = fo_cli_bad("--task", task, "ssh, tcp, http, sleep or exec");
		goto out;
	}
	if (!nsrcs) {
		fprintf(stderr, "fanout: no hosts: give -i DIR (nornir inventory), -w LIST or --hosts-file FILE\n");
		goto out;
	}
	for (size_t k = 0; k < nsrcs; k += 2) {
		const char *a = srcs[k], *v = srcs[k + 1];

		if (a[1] == 'i' || a[2] == 'i')
			e = fo_inv_load_nornir(&c.inv, v, err, sizeof(err));
		else if (a[1] == 'w')
			e = fo_inv_add_hostlist(&c.inv, v, err, sizeof(err));
		else
			e = fo_inv_add_hosts_file(&c.inv, v, err, sizeof(err));
		if (e < 0) {
			if (a[1] == 'w')
				fprintf(stderr, "fanout: bad host list '%s': %s\n", v, err);
			else /* the loaders name the file and line themselves */
				fprintf(stderr, "fanout: %s\n", err);
			goto out;
		}
	}
	if (c.task == T_SSH && c.ncmds == 0) {
		fprintf(stderr, "fanout: no command: give -c CMD (repeat for more) or --commands-file FILE\n");
		goto out;
	}
	if (c.task == T_EXEC && !c.exec_tmpl) {
		fprintf(stderr, "fanout: --task exec needs --run 'CMD {hostname}'\n");
		goto out;
	}
	if (c.jump && parse_jump(&c, err, sizeof(err)) < 0) {
		fprintf(stderr, "fanout: bad --jump '%s': %s\n", c.jump, err);
		goto out;
	}
	if (c.task == T_HTTP && !c.url_tmpl)
		c.url_tmpl = "http://{hostname}:{port}/";
	if (!strcmp(hk, "strict"))
		c.ssh.hostkey = FO_HK_STRICT;
	else if (!strcmp(hk, "accept-new"))
		c.ssh.hostkey = FO_HK_ACCEPT_NEW;
	else if (!strcmp(hk, "off"))
		c.ssh.hostkey = FO_HK_OFF;
	else {
		ret = fo_cli_bad("--host-keys", hk, "strict, accept-new or off");
		goto out;
	}
	if (c.task == T_SSH && c.ssh.hostkey == FO_HK_OFF)
		fprintf(stderr, "fanout: warning: host keys are not checked (--host-keys off): "
			"anyone on the path can read these sessions\n");
	if (!c.ssh.known_hosts)
		c.ssh.known_hosts = kh = default_known_hosts();
	if (c.nsetup) {
		c.ssh.setup = c.setup;
		c.ssh.nsetup = c.nsetup;
	}
	c.ssh.cmds = c.cmds;
	c.ssh.ncmds = c.ncmds;
	fo_gate_init(&c.login_gate, (int)c.max_logins);
	c.ssh.login_gate = c.max_logins > 0 ? &c.login_gate : NULL;
	if (c.out_dir && mkdir(c.out_dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "fanout: cannot make --out folder '%s': %s\n", c.out_dir, strerror(errno));
		goto out;
	}
	/* the filters */
	if (limit) {
		char *end;
		long n = strtol(limit, &end, 10);

		if (!*end && n > 0)
			flt.limit = (size_t)n;
		else
			flt.names = limit;
	}
	flt.groups = groups;
	flt.ngroups = ngroups;
	flt.attrs = attrs;
	flt.nattrs = nattrs;
	if (fo_inv_filter(&c.inv, &flt, err, sizeof(err)) < 0) {
		fprintf(stderr, "fanout: %s\n", err);
		goto out;
	}
	if (c.inv.nhosts == 0 && flt.nshards) {
		/* more shards than hosts: an empty shard has done its part */
		fprintf(stderr, "fanout: shard %u/%u has no hosts (fewer hosts than shards)\n", flt.shard,
			flt.nshards);
		ret = 0;
		goto out;
	}
	if (c.inv.nhosts == 0) {
		fprintf(stderr, "fanout: no hosts left after the filters; check them with `fanout inventory`\n");
		goto out;
	}
	if (model_s) {
		if (fo_model_parse(model_s, &o.model, err, sizeof(err)) < 0) {
			fprintf(stderr, "fanout: bad --model '%s': %s\n", model_s, err);
			goto out;
		}
	} else {
		o.model = fo_model_default();
	}
	if (c.task == T_HTTP && fo_curl_global_init() < 0) {
		fprintf(stderr, "fanout: cannot start libcurl\n");
		ret = 1;
		goto out;
	}
	if (c.task == T_SSH && fo_ssh_global_init() < 0) {
		fprintf(stderr, "fanout: cannot start libssh2\n");
		ret = 1;
		goto out;
	}
	/* descriptors bound how many hosts are in flight; say so when they bind */
	nofile = fo_raise_nofile();
	{
		long per = c.task == T_EXEC ? 3 : 1, cap = nofile > 128 ? (nofile - 64) / per : 32;
		long want = workers ? workers : (long)c.inv.nhosts;

		if (want > cap) {
			fprintf(stderr, "fanout: %zu hosts, at most %ld at once (the open-file limit is %ld)\n",
				c.inv.nhosts, cap, nofile);
			want = cap;
		}
		if (o.model.kind == FO_MODEL_CORO || o.model.kind == FO_MODEL_LOOP)
			o.max_inflight = (size_t)want;
		else if (workers && (o.model.kind == FO_MODEL_THREADS) && !model_s)
			o.model.threads = (int)want;
	}
	e = resolve_all(&c);
	if (e < 0) {
		fprintf(stderr, "fanout: resolving host names: %s\n", fo_strerror(e));
		ret = 1;
		goto out;
	}
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, &old_alrm);

	c.total = c.inv.nhosts;
	c.t0 = fo_now();
	o.ntasks = c.inv.nhosts;
	o.fn = job;
	o.arg = &c;
	o.on_result = on_result;
	o.on_result_arg = &c;
	o.quiet = true;
	if (c.task == T_SSH)
		o.stack_size = 512 * 1024; /* OpenSSL's key exchange wants a deep stack */
	{
		struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGALRM };

		grace_its.it_value.tv_sec = c.grace / FO_SEC;
		grace_its.it_value.tv_nsec = c.grace % FO_SEC;
		have_timer = timer_create(CLOCK_MONOTONIC, &sev, &grace_timer) == 0;
		if (!have_timer)
			grace_its.it_value.tv_sec = grace_its.it_value.tv_nsec = 0; /* no grace then */
	}
	run = fo_run(&o, &e);
	progress(&c, true);
	if (!run) {
		fprintf(stderr, "fanout: cannot start the run: %s\n", fo_strerror(e));
		ret = 1;
		goto restore;
	}
	summary(&c, (double)(fo_now() - c.t0) / 1e9);
	ret = atomic_load(&stopping) || fo_interrupted() ? 130 : c.count[FO_SSH_OK] == c.total ? 0 : 1;
restore:
	if (have_timer)
		timer_delete(grace_timer);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGALRM, &old_alrm, NULL);
out:
	if (run)
		fo_run_free(run);
	if (c.addrs)
		for (size_t k = 0; k < c.inv.nhosts; k++)
			free(c.addrs[k]);
	if (c.resolve_err)
		for (size_t k = 0; k < c.inv.nhosts; k++)
			free(c.resolve_err[k]);
	free(c.addrs);
	free(c.resolve_err);
	fo_inv_release(&c.inv);
	free(groups);
	free(attrs);
	free(srcs);
	free(c.cmds);
	free(c.setup);
	free(kh);
	free(secret);
	free((char *)c.me);
	if (c.ssh.login_gate)
		fo_gate_release(&c.login_gate);
	return ret;
}
