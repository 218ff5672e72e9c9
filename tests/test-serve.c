/*
 * `fanout serve` and `fanout load` end to end: every test runs the real
 * binary ($FANOUT_BIN, default build/fanout) on loopback, talks to it over
 * raw sockets and checks what it answers, how it ends and what it prints.
 *
 *   1. the line protocol under every model, --reply, SIGTERM and its stats
 *   2. HTTP/1.1: pipelining, HEAD, 405 with a body skipped, HTTP/1.0, 400,
 *      431, 501, a head split over reads, curl
 *   3. faults: idle and half-sent requests closed after --idle-timeout, a
 *      trickled head not kept alive by its trickle, other clients served
 *      meanwhile, clients that reset
 *   4. a port in use and bad flags: exit 2, one line on stderr
 *   5. out of descriptors (RLIMIT_NOFILE 64): back off, serve what it can
 *   6. `fanout load`: text, --json, --rate, http, starvation, bad input
 *   7. every connection served: 10,000 under threads, 64 under processes:2
 *
 * Servers start with --port 0; the port comes from their first stdout
 * line. Every server runs in a process group of its own and dies with the
 * test (tests/proc.h: PR_SET_PDEATHSIG, an atexit hook, and an alarm that
 * fires before the runner's limit). No timed assertions: deadlines are generous and
 * only bound the waiting.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"
#include "test.h"

/* ---- helpers ------------------------------------------------------------------ */

/* A load run's duration: as asked, or 2 s under a sanitizer, where a
 * loaded machine made 300 ms runs end before any reply came. */
static const char *load_d(const char *d)
{
	return *fo_test_san() ? "2s" : d;
}

/* Deadlines stretch under sanitizers (the runner gives such runs 4x too). */
static long long scale(void)
{
	return *fo_test_san() ? 3 : 1;
}

/*
 * Under a sanitizer? FANOUT_SAN says so when the suite is run by
 * scripts/test-all.sh; a test binary built with one knows it anyway (the
 * fanout it runs is then built alike).
 */
static const char *sanitizer(void)
{
#if defined(__SANITIZE_THREAD__)
	return "tsan";
#elif defined(__SANITIZE_ADDRESS__)
	return "asan";
#else
	return fo_test_san();
#endif
}



/* Never a NULL for %s. */
static const char *ns(const char *s)
{
	return s ? s : "(null)";
}



static int count_char(const char *s, size_t len, char c)
{
	int n = 0;
	size_t i;

	for (i = 0; s && i < len; i++)
		n += s[i] == c;
	return n;
}

/* The number after "label " in s (e.g. "requests 123"), or -1. */
static long long num_after(const char *s, const char *label)
{
	const char *p = s ? strstr(s, label) : NULL;
	long long v;

	if (!p || sscanf(p + strlen(label), "%lld", &v) != 1)
		return -1;
	return v;
}

/* ---- child processes ---------------------------------------------------------- */

/*
 * A process of ours: stdout on a pipe (read as it comes), stderr in an
 * unlinked temporary file (it can never fill and block the server).
 */
struct proc {
	pid_t pid;
	int out_fd, err_fd;
	char *out, *err;
	size_t out_len;
	int port;
	int status; /* exit code, 128+sig when killed, -1 when it overran */
	bool exited;
};

static void spawn_argv(struct proc *p, rlim_t nofile, const char *const *argv)
{
	char tmpl[] = "/tmp/fanout-serve-err-XXXXXX";
	int ef;

	memset(p, 0, sizeof(*p));
	ef = mkostemp(tmpl, O_CLOEXEC | O_APPEND);
	CHECK(ef >= 0);
	unlink(tmpl);
	p->pid = fo_test_spawn(argv, &p->out_fd, ef, nofile);
	fcntl(p->out_fd, F_SETFL, O_NONBLOCK);
	p->err_fd = ef;
	p->out = calloc(1, 1);
	CHECK(p->out != NULL);
}

/* Runs `fanout args...` (NULL-terminated list in va). */
static void spawn_va(struct proc *p, rlim_t nofile, const char *first, va_list ap)
{
	const char *argv[64];
	const char *a;
	int n = 0;

	argv[n++] = fo_test_bin();
	for (a = first; a && n < 63; a = va_arg(ap, const char *))
		argv[n++] = a;
	argv[n] = NULL;
	spawn_argv(p, nofile, argv);
}

/* Reads what stdout has now (waits up to wait_ms for something); false at EOF. */
static bool pump_out(struct proc *p, int wait_ms)
{
	struct pollfd pf = { p->out_fd, POLLIN, 0 };
	char buf[4096];
	ssize_t r;

	if (p->out_fd < 0)
		return false;
	if (wait_ms > 0)
		poll(&pf, 1, wait_ms);
	for (;;) {
		r = read(p->out_fd, buf, sizeof(buf));
		if (r > 0) {
			char *b = realloc(p->out, p->out_len + (size_t)r + 1);

			CHECK(b != NULL);
			memcpy(b + p->out_len, buf, (size_t)r);
			p->out_len += (size_t)r;
			b[p->out_len] = 0;
			p->out = b;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0) {
			close(p->out_fd);
			p->out_fd = -1;
			return false;
		}
		return true; /* EAGAIN */
	}
}

static void read_err(struct proc *p)
{
	struct stat sb;
	ssize_t r;

	free(p->err);
	p->err = NULL;
	CHECK(fstat(p->err_fd, &sb) == 0);
	p->err = calloc(1, (size_t)sb.st_size + 1);
	CHECK(p->err != NULL);
	r = pread(p->err_fd, p->err, (size_t)sb.st_size, 0);
	p->err[r > 0 ? r : 0] = 0;
}

/*
 * The live processes (not zombies) of process group pg, from /proc: up to
 * max pids into pids; returns how many there are.
 */
static int group_pids(pid_t pg, pid_t *pids, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char path[300], buf[512], *rp, state;
		int fd, pgrp;
		ssize_t r;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		r = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (r <= 0)
			continue;
		buf[r] = 0;
		rp = strrchr(buf, ')');
		if (rp && sscanf(rp + 1, " %c %*d %d", &state, &pgrp) == 2 && pgrp == pg && state != 'Z' &&
		    state != 'X') {
			if (n < max)
				pids[n] = (pid_t)strtol(de->d_name, NULL, 10);
			n++;
		}
	}
	closedir(d);
	return n;
}

static int group_alive(pid_t pg)
{
	return group_pids(pg, NULL, 0);
}

/*
 * Waits for the process to end, reading its stdout, at most limit_ms; past
 * that kills its group and returns false. Afterwards nothing of its group
 * may be left running (a worker that outlives its server is a leak):
 * checked, then the group is killed all the same.
 */
static bool finish(struct proc *p, long long limit_ms)
{
	long long end = fo_test_now_ms() + limit_ms;
	int st = 0, left;
	bool ok = true;

	for (;;) {
		pid_t w = waitpid(p->pid, &st, WNOHANG);

		if (w == p->pid)
			break;
		if (w < 0 && errno != EINTR) {
			ok = false;
			break;
		}
		if (fo_test_now_ms() >= end) {
			kill(-p->pid, SIGKILL);
			kill(p->pid, SIGKILL);
			waitpid(p->pid, &st, 0);
			ok = false;
			break;
		}
		pump_out(p, 20);
	}
	pump_out(p, 0);
	read_err(p);
	if (!ok) {
		p->status = -1;
		fprintf(stderr, "fanout (pid %d) did not end within %lld ms; stdout:\n%s\nstderr:\n%s\n", (int)p->pid,
			limit_ms, p->out, p->err);
	} else {
		p->exited = WIFEXITED(st);
		p->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
	/* what is left of the group: workers must end with their server */
	for (end = fo_test_now_ms() + 3000 * scale(); (left = group_alive(p->pid)) > 0 && fo_test_now_ms() < end;)
		fo_test_sleep_ms(20);
	kill(-p->pid, SIGKILL);
	fo_test_kid_del(p->pid);
	if (left > 0) {
		fprintf(stderr, "%d process(es) of fanout's group %d still ran after it ended\n", left, (int)p->pid);
		ok = false;
		p->status = -1;
	}
	if (p->out_fd >= 0)
		close(p->out_fd);
	p->out_fd = -1;
	close(p->err_fd);
	p->err_fd = -1;
	return ok;
}

static void proc_free(struct proc *p)
{
	free(p->out);
	free(p->err);
	p->out = p->err = NULL;
}

/* Runs `fanout args...` to its end (at most limit_ms); returns its status. */
static int run_cli(struct proc *p, long long limit_ms, const char *first, ...) __attribute__((sentinel));
static int run_cli(struct proc *p, long long limit_ms, const char *first, ...)
{
	va_list ap;

	va_start(ap, first);
	spawn_va(p, 0, first, ap);
	va_end(ap);
	if (!finish(p, limit_ms * scale()))
		return -1;
	return p->status;
}

/*
 * Starts `fanout serve --port 0 args...` (with RLIMIT_NOFILE nofile when
 * not 0) and reads its first line, which names the port. False when the
 * server ended or said nothing of the kind (it is then reaped).
 */
static bool try_start_server_v(struct proc *p, rlim_t nofile, va_list ap)
{
	const char *argv[64];
	const char *a, *line, *port;
	long long end;
	int n = 0;

	argv[n++] = fo_test_bin();
	argv[n++] = "serve";
	argv[n++] = "--port";
	argv[n++] = "0";
	for (a = va_arg(ap, const char *); a && n < 63; a = va_arg(ap, const char *))
		argv[n++] = a;
	argv[n] = NULL;
	spawn_argv(p, nofile, argv);
	end = fo_test_now_ms() + 10000 * scale();
	while (!strchr(p->out, '\n') && fo_test_now_ms() < end)
		if (!pump_out(p, 50))
			break;
	line = strstr(p->out, "fanout serve: listening on ");
	port = line ? strstr(line, " port ") : NULL;
	if (!line || line != p->out || !strchr(line, '\n') || !port || sscanf(port, " port %d,", &p->port) != 1 ||
	    p->port <= 0) {
		if (!finish(p, 5000 * scale())) {
			kill(-p->pid, SIGKILL);
			p->status = -1;
		}
		return false;
	}
	return true;
}

static bool try_start_server(struct proc *p, rlim_t nofile, ...) __attribute__((sentinel));
static bool try_start_server(struct proc *p, rlim_t nofile, ...)
{
	va_list ap;
	bool ok;

	va_start(ap, nofile);
	ok = try_start_server_v(p, nofile, ap);
	va_end(ap);
	return ok;
}

static void start_server(struct proc *p, rlim_t nofile, ...) __attribute__((sentinel));
static void start_server(struct proc *p, rlim_t nofile, ...)
{
	va_list ap;
	bool ok;

	va_start(ap, nofile);
	ok = try_start_server_v(p, nofile, ap);
	va_end(ap);
	if (!ok) {
		fprintf(stderr, "the server did not say where it listens; exit %d; stdout:\n%s\nstderr:\n%s\n", p->status,
			p->out, ns(p->err));
		exit(1);
	}
}

/* Is the server still running (not exited)? */
static bool alive(struct proc *p)
{
	int st;
	pid_t w = waitpid(p->pid, &st, WNOHANG);

	if (w == p->pid) {
		p->exited = WIFEXITED(st);
		p->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		read_err(p);
		fprintf(stderr, "the server ended (status %d); stdout:\n%s\nstderr:\n%s\n", p->status, p->out, p->err);
		fo_test_kid_del(p->pid);
		kill(-p->pid, SIGKILL);
		p->pid = -1;
		return false;
	}
	return true;
}

/*
 * Stops the server with sig and checks it ends well: exit 0, a "stopped:"
 * line. Returns that line's request count.
 */
static long long stop_server(struct proc *p, int sig)
{
	const char *s;
	long long reqs;

	CHECK(alive(p));
	CHECK(kill(p->pid, sig) == 0);
	CHECK(finish(p, 15000 * scale()));
	if (p->status != 0 || !fo_test_has(p->out, "fanout serve: stopped: "))
		fprintf(stderr, "after signal %d: exit %d; stdout:\n%s\nstderr:\n%s\n", sig, p->status, p->out,
			p->err);
	CHECK(p->exited);
	CHECK_EQ(p->status, 0);
	s = strstr(p->out, "fanout serve: stopped: ");
	CHECK(s != NULL);
	CHECK(strchr(s, '\n') != NULL);
	CHECK_HAS(s, " connections, ");
	reqs = num_after(s, "connections, ");
	CHECK(reqs >= 0);
	CHECK_HAS(s, " requests, ");
	return reqs;
}

/* ---- clients --------------------------------------------------------------------- */

static int connect_to(int family, int port)
{
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0), r;

	CHECK(fd >= 0);
	if (family == AF_INET6) {
		struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };

		a.sin6_addr = in6addr_loopback;
		r = connect(fd, (struct sockaddr *)&a, sizeof(a));
	} else {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };

		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		r = connect(fd, (struct sockaddr *)&a, sizeof(a));
	}
	if (r < 0)
		fprintf(stderr, "connect to port %d: %s\n", port, strerror(errno));
	CHECK(r == 0);
	return fd;
}

static int cli(int port)
{
	return connect_to(AF_INET, port);
}

static void send_bytes(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			fprintf(stderr, "send: %s\n", strerror(errno));
		CHECK(w > 0);
		s += w;
		n -= (size_t)w;
	}
}

static void send_str(int fd, const char *s)
{
	send_bytes(fd, s, strlen(s));
}

/* What a client read: bytes, and whether it met EOF or an error (reset). */
struct rd {
	char *b;
	size_t len;
	bool eof;
	int err;
};

static void rd_init(struct rd *r)
{
	memset(r, 0, sizeof(*r));
	r->b = calloc(1, 1);
	CHECK(r->b != NULL);
}

static void rd_free(struct rd *r)
{
	free(r->b);
	r->b = NULL;
}

/* Reads once, waiting until end_ms at most; 1 data, 0 EOF or error, -1 timed out. */
static int rd_more(int fd, struct rd *r, long long end_ms)
{
	for (;;) {
		struct pollfd pf = { fd, POLLIN, 0 };
		long long left = end_ms - fo_test_now_ms();
		char buf[65536];
		ssize_t n;

		if (r->eof)
			return 0;
		if (left <= 0)
			return -1;
		if (poll(&pf, 1, (int)(left > 1000 ? 1000 : left)) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0) {
			char *b = realloc(r->b, r->len + (size_t)n + 1);

			CHECK(b != NULL);
			memcpy(b + r->len, buf, (size_t)n);
			r->len += (size_t)n;
			b[r->len] = 0;
			r->b = b;
			return 1;
		}
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		r->eof = true;
		r->err = n < 0 ? errno : 0;
		return 0;
	}
}

/* Reads until there are n newlines (or EOF, or ms pass); true when there are. */
static bool read_lines(int fd, struct rd *r, int n, long long ms)
{
	long long end = fo_test_now_ms() + ms * scale();

	while (count_char(r->b, r->len, '\n') < n)
		if (rd_more(fd, r, end) <= 0)
			break;
	return count_char(r->b, r->len, '\n') >= n;
}

/* Reads until EOF or a reset (true), or until ms pass (false). */
static bool read_eof(int fd, struct rd *r, long long ms)
{
	long long end = fo_test_now_ms() + ms * scale();

	while (rd_more(fd, r, end) > 0)
		;
	return r->eof;
}

/* Closes with a reset: SO_LINGER {1, 0}. */
static void close_reset(int fd)
{
	struct linger lg = { 1, 0 };

	CHECK(setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == 0);
	close(fd);
}

/* ---- HTTP responses ---------------------------------------------------------------- */

struct resp {
	int status;
	long long cl;
	bool conn_close, allow;
	const char *body;
	size_t body_len;
};

/* Whether [p, end) holds word (no NUL in it). */
static bool strcasestr_n(const char *p, const char *end, const char *word)
{
	size_t wl = strlen(word);

	for (; p + wl <= end; p++)
		if (!strncasecmp(p, word, wl))
			return true;
	return false;
}

/*
 * Splits b[0..len) into responses (is_head[i]: the i-th answers a HEAD: no
 * body). Returns how many are complete; *used is the bytes they take.
 */
static int parse_resps(const char *b, size_t len, const bool *is_head, int max, struct resp *out, size_t *used)
{
	size_t off = 0;
	int n = 0;

	while (n < max && off < len) {
		const char *s = b + off, *he = NULL, *p;
		struct resp *r = &out[n];
		size_t i, hl;

		for (i = 3; off + i < len; i++)
			if (s[i] == '\n' && s[i - 1] == '\r' && s[i - 2] == '\n' && s[i - 3] == '\r') {
				he = s + i + 1;
				break;
			}
		if (!he)
			break;
		hl = (size_t)(he - s);
		memset(r, 0, sizeof(*r));
		r->cl = -1;
		if (sscanf(s, "HTTP/1.1 %d ", &r->status) != 1)
			r->status = -1;
		for (p = s; p < he;) {
			const char *eol = memchr(p, '\n', (size_t)(he - p));

			if (!eol)
				break;
			if (!strncasecmp(p, "Content-Length:", 15))
				r->cl = strtoll(p + 15, NULL, 10);
			if (!strncasecmp(p, "Connection:", 11) && strcasestr_n(p, eol, "close"))
				r->conn_close = true;
			if (!strncasecmp(p, "Allow:", 6))
				r->allow = true;
			p = eol + 1;
		}
		if (is_head && is_head[n]) {
			r->body = he;
			r->body_len = 0;
			off += hl;
		} else {
			if (r->cl < 0 || off + hl + (size_t)r->cl > len)
				break;
			r->body = he;
			r->body_len = (size_t)r->cl;
			off += hl + (size_t)r->cl;
		}
		n++;
	}
	*used = off;
	return n;
}

/*
 * Sends req on a new connection, reads to EOF, and expects exactly nresp
 * responses with the given statuses and nothing after them (is_head may be
 * NULL). Fills out[] for more checks.
 */
static void http_exchange(int port, const char *req, size_t req_len, const bool *is_head, int nresp,
			  const int *statuses, struct resp *out, struct rd *r)
{
	int fd = cli(port), n, i;
	size_t used = 0;

	rd_init(r);
	send_bytes(fd, req, req_len);
	if (!read_eof(fd, r, 10000)) {
		fprintf(stderr, "no EOF after:\n%s\n--- got:\n%s\n", req, r->b);
		CHECK(!"the server closes the connection");
	}
	close(fd);
	n = parse_resps(r->b, r->len, is_head, 16, out, &used);
	if (n != nresp || used != r->len || r->err) {
		fprintf(stderr, "request:\n%s\n--- response (%zu bytes, %d parsed, %zu used, error %d):\n%s\n", req,
			r->len, n, used, r->err, r->b);
	}
	CHECK_EQ(r->err, 0); /* a FIN, not a reset: the replies got through */
	CHECK_EQ(n, nresp);
	CHECK_EQ(used, r->len);
	for (i = 0; i < nresp; i++) {
		if (out[i].status != statuses[i])
			fprintf(stderr, "response %d: %d, want %d:\n%s\n", i, out[i].status, statuses[i], r->b);
		CHECK_EQ(out[i].status, statuses[i]);
	}
}

#define GET_KA "GET / HTTP/1.1\r\nHost: t\r\n\r\n"
#define GET_CLOSE "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"

#define HTTP(port, req, heads, n, out, r, ...)                                        \
	http_exchange(port, req, strlen(req), heads, n, (const int[]){ __VA_ARGS__ }, out, r)

static bool body_is(const struct resp *r, const char *want)
{
	return r->body_len == strlen(want) && !memcmp(r->body, want, r->body_len);
}

/* ---- 1. the line protocol under every model ------------------------------------------ */

static void line_model(const char *model)
{
	struct proc s;
	struct rd r;
	int fd, fds[4], i, sent = 0, idle;
	long long reqs;

	start_server(&s, 0, "--model", model, NULL);
	CHECK_HAS(s.out, "proto line");
	CHECK_HAS(s.out, "127.0.0.1 port ");

	/* one request, one reply, exactly */
	fd = cli(s.port);
	rd_init(&r);
	send_str(fd, "1");
	sent++;
	CHECK(read_lines(fd, &r, 1, 10000));
	CHECK_STR(r.b, "hello world\n");
	/* three lines in one send: three replies */
	send_str(fd, "a\nb\nc\n");
	sent += 3;
	r.len = 0;
	r.b[0] = 0;
	CHECK(read_lines(fd, &r, 3, 10000));
	CHECK_STR(r.b, "hello world\nhello world\nhello world\n");
	/* the same connection goes on */
	send_str(fd, "x\n");
	sent++;
	r.len = 0;
	CHECK(read_lines(fd, &r, 1, 10000));
	CHECK_STR(r.b, "hello world\n");
	rd_free(&r);
	close(fd);

	/* four clients at once (every model serves at least four) */
	for (i = 0; i < 4; i++)
		fds[i] = cli(s.port);
	for (i = 0; i < 4; i++) {
		send_str(fds[i], "q\nq\n");
		sent += 2;
	}
	for (i = 0; i < 4; i++) {
		rd_init(&r);
		CHECK(read_lines(fds[i], &r, 2, 10000));
		CHECK_STR(r.b, "hello world\nhello world\n");
		rd_free(&r);
		close(fds[i]);
	}

	/* a client still connected (idle) when the signal comes */
	idle = cli(s.port);
	send_str(idle, "1");
	sent++;
	rd_init(&r);
	CHECK(read_lines(idle, &r, 1, 10000));
	rd_free(&r);
	reqs = stop_server(&s, SIGTERM);
	if (reqs < sent)
		fprintf(stderr, "%s: the server counted %lld requests; %d were sent\n%s", model, reqs, sent, s.out);
	CHECK(reqs >= sent);
	CHECK(num_after(strstr(s.out, "stopped: "), "stopped: ") >= 6); /* connections */
	close(idle);
	proc_free(&s);

	/* --reply changes the text */
	start_server(&s, 0, "--model", model, "--reply", "pong", NULL);
	fd = cli(s.port);
	rd_init(&r);
	send_str(fd, "ping\nping\n");
	CHECK(read_lines(fd, &r, 2, 10000));
	CHECK_STR(r.b, "pong\npong\n");
	rd_free(&r);
	close(fd);
	CHECK(stop_server(&s, SIGINT) >= 2);
	proc_free(&s);
}

TEST_PROC(serve_line_coro2, 30)
{
	line_model("coro:2");
}

TEST_PROC(serve_line_loop, 30)
{
	line_model("loop");
}

TEST_PROC(serve_line_threads, 30)
{
	line_model("threads");
}

TEST_PROC(serve_line_threads4, 30)
{
	line_model("threads:4");
}

TEST_PROC(serve_line_processes2, 30)
{
	line_model("processes:2");
}

TEST_PROC(serve_line_blended2x2, 30)
{
	line_model("blended:2x2");
}

/* Many lines in one burst: replies beyond one write buffer all arrive, in order. */
TEST_PROC(serve_line_big_burst, 30)
{
	enum { N = 20000 };
	static const char *const models[] = { "coro:2", "threads" };
	size_t m;

	for (m = 0; m < 2; m++) {
		struct proc s;
		struct rd r;
		char *req = malloc(2 * N);
		size_t off = 0, want = (size_t)N * strlen("hello world\n");
		long long end;
		int fd, i;

		CHECK(req != NULL);
		for (i = 0; i < N; i++) {
			req[2 * i] = '1';
			req[2 * i + 1] = '\n';
		}
		start_server(&s, 0, "--model", models[m], NULL);
		fd = cli(s.port);
		fcntl(fd, F_SETFL, O_NONBLOCK);
		rd_init(&r);
		/* send and read at once: neither side's buffers need to hold it all */
		end = fo_test_now_ms() + 20000 * scale();
		while (r.len < want && fo_test_now_ms() < end && !r.eof) {
			if (off < 2 * N) {
				ssize_t w = send(fd, req + off, 2 * N - off, MSG_NOSIGNAL);

				if (w > 0)
					off += (size_t)w;
				else
					CHECK(errno == EAGAIN || errno == EINTR);
			}
			rd_more(fd, &r, fo_test_now_ms() + 10);
		}
		if (r.len != want)
			fprintf(stderr, "%s: %zu bytes of %zu sent; %zu of %zu bytes back\n", models[m], off,
				(size_t)2 * N, r.len, want);
		CHECK_EQ(r.len, want);
		for (i = 0; i < N; i++)
			CHECK(!memcmp(r.b + (size_t)i * 12, "hello world\n", 12));
		rd_free(&r);
		close(fd);
		CHECK(stop_server(&s, SIGTERM) >= N);
		proc_free(&s);
		free(req);
	}
}

/* A reply longer than the server's write buffer (64 KB): all of it, once; line and http. */
TEST_PROC(serve_line_long_reply, 30)
{
	enum { LEN = 70000 };
	char *reply = malloc(LEN + 1);
	struct proc s;
	struct rd r;
	int fd;

	CHECK(reply != NULL);
	memset(reply, 'x', LEN);
	reply[LEN] = 0;
	start_server(&s, 0, "--reply", reply, NULL);
	fd = cli(s.port);
	rd_init(&r);
	/* three at once: more than one write buffer's worth, whatever its size */
	send_str(fd, "1\n2\n3\n");
	read_lines(fd, &r, 3, 10000);
	if (r.len != 3 * (LEN + 1) || !alive(&s))
		fprintf(stderr, "a %d-byte --reply, 3 requests: got %zu bytes back (eof %d, error %d)\n", LEN, r.len,
			r.eof, r.err);
	CHECK(alive(&s));
	CHECK_EQ(r.len, 3 * (LEN + 1));
	CHECK(r.b[LEN] == '\n' && r.b[2 * LEN + 1] == '\n' && r.b[3 * LEN + 2] == '\n');
	CHECK_EQ(count_char(r.b, r.len, 'x'), 3 * LEN);
	rd_free(&r);
	close(fd);
	stop_server(&s, SIGTERM);
	proc_free(&s);

	/* http: a 200 with all of it (not a request left waiting until the idle timeout) */
	{
		struct resp o[2];

		start_server(&s, 0, "--proto", "http", "--idle-timeout", "5s", "--reply", reply, NULL);
		HTTP(s.port, GET_CLOSE, NULL, 1, o, &r, 200);
		CHECK_EQ(o[0].body_len, LEN + 1);
		rd_free(&r);
		stop_server(&s, SIGTERM);
		proc_free(&s);
	}
	free(reply);
}

/* The server on ::1 when the machine has IPv6 loopback; load reaches it as [::1]:P. */
TEST_PROC(serve_line_ipv6, 30)
{
	struct proc s, l;
	struct rd r;
	char target[64];
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in6 a = { .sin6_family = AF_INET6 };

	a.sin6_addr = in6addr_loopback;
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		fo_test_skip("no IPv6 loopback here");
	close(fd);
	start_server(&s, 0, "--bind", "::1", NULL);
	CHECK_HAS(s.out, "listening on ::1 port ");
	fd = connect_to(AF_INET6, s.port);
	rd_init(&r);
	send_str(fd, "1\n");
	CHECK(read_lines(fd, &r, 1, 10000));
	CHECK_STR(r.b, "hello world\n");
	rd_free(&r);
	close(fd);
	snprintf(target, sizeof(target), "[::1]:%d", s.port);
	CHECK_EQ(run_cli(&l, 15000, "load", "-c", "2", "-d", load_d("300ms"), target, NULL), 0);
	CHECK_HAS(l.out, "starved 0 of 2");
	proc_free(&l);
	stop_server(&s, SIGTERM);
	proc_free(&s);
}

/* Resident memory of process group pg (the server and any workers), in KB. */
static long group_rss_kb(pid_t pg)
{
	pid_t pids[256];
	int n = group_pids(pg, pids, 256), i;
	long sum = 0;

	for (i = 0; i < n && i < 256; i++) {
		char path[64], buf[256];
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/status", (int)pids[i]);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (fgets(buf, sizeof(buf), f)) {
			long kb;

			if (sscanf(buf, "VmRSS: %ld", &kb) == 1)
				sum += kb;
		}
		fclose(f);
	}
	return sum;
}

/* n connections one after another, each one request and its reply. */
static void sequential_clients(int port, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		struct rd r;
		int fd = cli(port);

		rd_init(&r);
		send_str(fd, "1\n");
		CHECK(read_lines(fd, &r, 1, 10000));
		rd_free(&r);
		close(fd);
	}
}

/*
 * Connections that come and go leave nothing behind: after a warm-up, 3000
 * more (one after another) may not grow the server's resident memory by
 * more than 8 MB, under a thread-per-connection model as under the others
 * (a buffer kept per connection, 8 KB of it touched, grows it by 24 MB).
 */
TEST_PROC(serve_no_memory_per_connection, 60)
{
	static const char *const models[] = { "coro:2", "threads", "processes:2", "threads:4" };
	char problems[1024] = "";
	size_t m, pl = 0;

	if (*sanitizer())
		fo_test_skip("sanitizers keep freed memory in quarantine: resident memory says nothing here");
	for (m = 0; m < 4; m++) {
		struct proc s;
		long before, after;

		start_server(&s, 0, "--model", models[m], NULL);
		sequential_clients(s.port, 300);
		fo_test_sleep_ms(200);
		before = group_rss_kb(s.pid);
		sequential_clients(s.port, 3000);
		fo_test_sleep_ms(200);
		after = group_rss_kb(s.pid);
		CHECK(before > 0 && after > 0);
		fprintf(stderr, "%s: resident %ld KB after a warm-up, %ld KB after 3000 more connections\n",
			models[m], before, after);
		if (after - before > 8 * 1024)
			pl += (size_t)snprintf(problems + pl, sizeof(problems) - pl,
					       "%s: +%ld KB over 3000 connections (%.1f KB each)\n", models[m],
					       after - before, (double)(after - before) / 3000);
		stop_server(&s, SIGTERM);
		proc_free(&s);
	}
	if (pl)
		fprintf(stderr, "memory that connections leave behind:\n%s", problems);
	CHECK_EQ(pl, 0);
}

/* ---- 2. HTTP --------------------------------------------------------------------------- */

static void http_model(const char *model, bool with_curl)
{
	struct proc s;
	struct resp o[16];
	struct rd r;
	char big[1400];
	const char *st;
	int fd;

	start_server(&s, 0, "--proto", "http", "--max-header", "256", "--model", model, NULL);
	CHECK_HAS(s.out, "proto http");

	/* a pipelined burst of three, the last asking to close: three 200s in order, EOF */
	HTTP(s.port, GET_KA GET_KA GET_CLOSE, NULL, 3, o, &r, 200, 200, 200);
	CHECK(body_is(&o[0], "hello world\n") && body_is(&o[1], "hello world\n") && body_is(&o[2], "hello world\n"));
	CHECK(!o[0].conn_close && !o[1].conn_close && o[2].conn_close);
	CHECK(!strncmp(r.b, "HTTP/1.1 200 OK\r\n", 17));
	rd_free(&r);

	/* HEAD: the head alone (its Content-Length is the GET's), then a GET */
	HTTP(s.port, "HEAD / HTTP/1.1\r\nHost: t\r\n\r\n" GET_CLOSE, ((const bool[]){ true, false }), 2, o, &r, 200,
	     200);
	CHECK_EQ(o[0].cl, 12);
	CHECK(body_is(&o[1], "hello world\n"));
	rd_free(&r);

	/* POST with a body: 405, the body skipped, the connection goes on */
	HTTP(s.port, "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello" GET_CLOSE, NULL, 2, o, &r, 405,
	     200);
	CHECK(o[0].allow);
	CHECK(!o[0].conn_close);
	CHECK(body_is(&o[1], "hello world\n"));
	rd_free(&r);

	/* the same with the body in a later packet than its head */
	fd = cli(s.port);
	rd_init(&r);
	send_str(fd, "POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 7\r\n\r\nab");
	fo_test_sleep_ms(50);
	send_str(fd, "cde");
	fo_test_sleep_ms(50);
	send_str(fd, "fg" GET_CLOSE);
	CHECK(read_eof(fd, &r, 10000));
	close(fd);
	{
		size_t used;

		CHECK_EQ(parse_resps(r.b, r.len, NULL, 16, o, &used), 2);
		CHECK_EQ(used, r.len);
		CHECK_EQ(o[0].status, 405);
		CHECK_EQ(o[1].status, 200);
	}
	rd_free(&r);

	/* a head that arrives in pieces */
	fd = cli(s.port);
	rd_init(&r);
	send_str(fd, "GET / HT");
	fo_test_sleep_ms(50);
	send_str(fd, "TP/1.1\r\nHost: t\r\nConn");
	fo_test_sleep_ms(50);
	send_str(fd, "ection: close\r\n\r\n");
	CHECK(read_eof(fd, &r, 10000));
	close(fd);
	{
		size_t used;

		CHECK_EQ(parse_resps(r.b, r.len, NULL, 16, o, &used), 1);
		CHECK_EQ(used, r.len);
		CHECK_EQ(o[0].status, 200);
	}
	rd_free(&r);

	/* HTTP/1.0 without keep-alive: the response, then close */
	HTTP(s.port, "GET / HTTP/1.0\r\nHost: t\r\n\r\n", NULL, 1, o, &r, 200);
	CHECK(body_is(&o[0], "hello world\n"));
	rd_free(&r);
	/* HTTP/1.0 with keep-alive: the connection stays for the next */
	HTTP(s.port, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" GET_CLOSE, NULL, 2, o, &r, 200, 200);
	rd_free(&r);

	/* garbage: 400 and close */
	HTTP(s.port, "GARBAGE\r\n\r\n", NULL, 1, o, &r, 400);
	CHECK(o[0].conn_close);
	rd_free(&r);
	/* a bare LF, a folded header: malformed too */
	HTTP(s.port, "GET / HTTP/1.1\nHost: t\n\n\r\n\r\n", NULL, 1, o, &r, 400);
	rd_free(&r);
	HTTP(s.port, "GET / HTTP/1.1\r\nHost: t\r\n folded\r\n\r\n", NULL, 1, o, &r, 400);
	rd_free(&r);
	/* a good request before the garbage is still answered */
	HTTP(s.port, GET_KA "GARBAGE\r\n\r\n", NULL, 2, o, &r, 200, 400);
	rd_free(&r);

	/* a head over --max-header (256): 431 and close */
	snprintf(big, sizeof(big), "GET / HTTP/1.1\r\nHost: t\r\nX-Big: %01024d\r\n\r\n", 0);
	HTTP(s.port, big, NULL, 1, o, &r, 431);
	CHECK(o[0].conn_close);
	rd_free(&r);

	/* chunked: 501 and close */
	HTTP(s.port, "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", NULL,
	     1, o, &r, 501);
	CHECK(o[0].conn_close);
	rd_free(&r);

	if (with_curl) {
		if (access("/usr/bin/curl", X_OK) != 0) {
			fprintf(stderr, "(curl is not installed: that part skipped)\n");
		} else {
			char url[64];
			const char *argv[] = { "/usr/bin/curl", "-s", "-S", "-m", "10", "--noproxy", "*",
					       url, url, NULL };
			struct proc c;

			snprintf(url, sizeof(url), "http://127.0.0.1:%d/", s.port);
			spawn_argv(&c, 0, argv);
			CHECK(finish(&c, 15000 * scale()));
			if (c.status != 0)
				fprintf(stderr, "curl: exit %d\n%s\n%s\n", c.status, c.out, c.err);
			CHECK_EQ(c.status, 0);
			/* two URLs: one connection, two answers */
			CHECK_STR(c.out, "hello world\nhello world\n");
			proc_free(&c);
		}
	}

	CHECK(stop_server(&s, SIGTERM) >= 15);
	st = strstr(s.out, "stopped: ");
	CHECK(num_after(st, "requests, peak ") >= 0);
	CHECK_HAS(st, " malformed");
	proc_free(&s);
}

TEST_PROC(serve_http_coro, 30)
{
	http_model("coro:2", true);
}

TEST_PROC(serve_http_loop, 30)
{
	http_model("loop", false);
}

TEST_PROC(serve_http_threads, 30)
{
	http_model("threads", true);
}

TEST_PROC(serve_http_threads4, 30)
{
	http_model("threads:4", false);
}

TEST_PROC(serve_http_processes2, 30)
{
	http_model("processes:2", false);
}

TEST_PROC(serve_http_blended2x2, 30)
{
	http_model("blended:2x2", false);
}

/*
 * Checks that each of the n responses in b has one Date: an IMF-fixdate
 * whose weekday is right and whose second lies in [t0 - 1, t1 + 1].
 */
static void check_dates(const char *what, const char *b, int n, time_t t0, time_t t1)
{
	const char *p;
	int got = 0;

	for (p = b; (p = strstr(p, "HTTP/1.1 ")) != NULL; p++) {
		const char *d = strstr(p, "\r\nDate: "), *next = strstr(p + 1, "HTTP/1.1 ");
		char val[64], again[64];
		struct tm tm;
		time_t t;

		CHECK(d != NULL && (!next || d < next)); /* in this response */
		d += 8;
		CHECK(strstr(d, "\r\n") == d + 29); /* "Thu, 03 Dec 2026 22:24:39 GMT" */
		memcpy(val, d, 29);
		val[29] = 0;
		memset(&tm, 0, sizeof(tm));
		CHECK(strptime(val, "%a, %d %b %Y %H:%M:%S GMT", &tm) == val + 29);
		t = timegm(&tm);
		if (t < t0 - 1 || t > t1 + 1)
			fprintf(stderr, "%s: Date %s, clock %lld..%lld\n", what, val, (long long)t0, (long long)t1);
		CHECK(t >= t0 - 1 && t <= t1 + 1);
		/* printed back: the weekday and every field as sent */
		gmtime_r(&t, &tm);
		CHECK(strftime(again, sizeof(again), "%a, %d %b %Y %H:%M:%S GMT", &tm) == 29);
		CHECK_STR(val, again);
		CHECK(!strstr(d, "\r\nDate: ") || (next && strstr(d, "\r\nDate: ") > next)); /* one */
		got++;
	}
	CHECK_EQ(got, n);
}

/* One GET on fd, its whole response read into r (reset first). */
static void get_one(int fd, struct rd *r)
{
	long long end = fo_test_now_ms() + 10000;
	struct resp o[2];
	size_t used = 0;

	r->len = 0;
	send_str(fd, GET_KA);
	while (parse_resps(r->b ? r->b : "", r->len, NULL, 2, o, &used) < 1 || used != r->len)
		CHECK(rd_more(fd, r, end) == 1);
}

/*
 * Every response carries one Date (RFC 9110 6.6.1: an origin server with a
 * clock MUST). Pipelined: a 200, HEAD, a 405, a 200 and the closing 200,
 * built in the thread's buffer. One request at a time: the plain 200 sent
 * as it is from the thread's slot of this second, with the next read. And
 * with a --reply too long for slots, built with the Date each time.
 */
TEST_PROC(serve_http_date, 30)
{
	static const char *const models[] = { "coro:2", "threads", "processes:2" };
	static const char req[] = GET_KA "HEAD / HTTP/1.1\r\nHost: t\r\n\r\n"
				  "DELETE / HTTP/1.1\r\nHost: t\r\n\r\n" GET_KA GET_CLOSE;
	static const bool heads[] = { false, true, false, false, false };
	char long_reply[3001];
	size_t m;

	for (m = 0; m < sizeof(models) / sizeof(models[0]) + 1; m++) {
		bool big = m == sizeof(models) / sizeof(models[0]);
		const char *model = big ? "coro:1" : models[m];
		struct proc s;
		struct resp o[8];
		struct rd r;
		time_t t0, t1;
		int fd, k;

		memset(long_reply, 'a', sizeof(long_reply) - 1);
		long_reply[sizeof(long_reply) - 1] = 0;
		start_server(&s, 0, "--proto", "http", "--model", model, "--reply", big ? long_reply : "hello world",
			     NULL);
		t0 = time(NULL);
		HTTP(s.port, req, heads, 5, o, &r, 200, 200, 405, 200, 200);
		t1 = time(NULL);
		check_dates(model, r.b, 5, t0, t1);
		CHECK(o[0].body_len == strlen(big ? long_reply : "hello world") + 1);
		CHECK(o[4].conn_close);
		rd_free(&r);

		/* one at a time, on one connection */
		fd = cli(s.port);
		rd_init(&r);
		for (k = 0; k < 3; k++) {
			t0 = time(NULL);
			get_one(fd, &r);
			t1 = time(NULL);
			check_dates(model, r.b, 1, t0, t1);
			CHECK_HAS(r.b, big ? "\r\n\r\naaaa" : "\r\n\r\nhello world\n");
		}
		rd_free(&r);
		close(fd);
		stop_server(&s, SIGTERM);
		proc_free(&s);
	}
}

/* A head larger than one read (16 KB) but within --max-header: kept across reads, answered. */
TEST_PROC(serve_http_head_across_reads, 30)
{
	static const char *const models[] = { "coro:2", "threads" };
	size_t m;

	for (m = 0; m < 2; m++) {
		struct proc s;
		struct resp o[4];
		struct rd r;
		size_t n = 40000;
		char *req = malloc(n + 200);
		int k;

		CHECK(req != NULL);
		k = snprintf(req, 200, "GET / HTTP/1.1\r\nHost: t\r\nX-Big: ");
		memset(req + k, 'a', n);
		strcpy(req + k + n, "\r\nConnection: close\r\n\r\n");
		start_server(&s, 0, "--proto", "http", "--max-header", "65536", "--model", models[m], NULL);
		HTTP(s.port, req, NULL, 1, o, &r, 200);
		CHECK(body_is(&o[0], "hello world\n"));
		rd_free(&r);
		stop_server(&s, SIGTERM);
		proc_free(&s);
		free(req);
	}
}

/*
 * Line ends other than CRLF (RFC 9112 §2.2): a bare LF or a bare CR gets a
 * 400 and the connection closes, at once, not after --idle-timeout (the
 * blank line a server waits for never comes as CRLF CRLF). A good request
 * before it on the same connection is answered first.
 */
TEST_PROC(serve_http_bare_lf, 30)
{
	static const char *const models[] = { "coro:2", "threads" };
	static const char *const bad[] = {
		"GET / HTTP/1.1\nHost: t\n\n",
		"GET / HTTP/1.1\r\nHost: t\n\r\n",
		"GET / HTTP/1.1\r\nHost: t\r\n\n",
		"GET / HTTP/1.1\rHost: t\r\n\r\n",
		"GET / HTTP/1.1\nHost: t\n", /* no blank line at all: still found at once */
	};
	size_t m, i;

	for (m = 0; m < 2; m++) {
		struct proc s;
		struct resp o[4];
		struct rd r;
		char req[256];

		/* an idle timeout longer than the reads wait: a reply must not wait for it */
		start_server(&s, 0, "--proto", "http", "--idle-timeout", "60s", "--model", models[m], NULL);
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			HTTP(s.port, bad[i], NULL, 1, o, &r, 400);
			CHECK(o[0].conn_close);
			rd_free(&r);
		}
		snprintf(req, sizeof(req), "%s%s", GET_KA, bad[0]);
		HTTP(s.port, req, NULL, 2, o, &r, 200, 400);
		rd_free(&r);
		stop_server(&s, SIGTERM);
		CHECK_HAS(s.out, " malformed");
		proc_free(&s);
	}
}

/* Many pipelined requests in one send: as many 200s, in order (replies beyond one write buffer). */
TEST_PROC(serve_http_long_pipeline, 30)
{
	enum { N = 3000 };
	static const char *const models[] = { "coro:2", "threads" };
	size_t m, one = strlen(GET_KA);

	for (m = 0; m < 2; m++) {
		struct proc s;
		struct rd r;
		struct resp *o = calloc(N + 1, sizeof(*o));
		char *req = malloc(one * N + strlen(GET_CLOSE) + 1);
		size_t off = 0, total, used;
		long long end;
		int fd, i, n;

		CHECK(o && req);
		for (i = 0; i < N; i++)
			memcpy(req + one * (size_t)i, GET_KA, one);
		strcpy(req + one * N, GET_CLOSE);
		total = strlen(req);
		start_server(&s, 0, "--proto", "http", "--model", models[m], NULL);
		fd = cli(s.port);
		fcntl(fd, F_SETFL, O_NONBLOCK);
		rd_init(&r);
		end = fo_test_now_ms() + 20000 * scale();
		while (!r.eof && fo_test_now_ms() < end) {
			if (off < total) {
				ssize_t w = send(fd, req + off, total - off, MSG_NOSIGNAL);

				if (w > 0)
					off += (size_t)w;
				else
					CHECK(errno == EAGAIN || errno == EINTR);
			}
			rd_more(fd, &r, fo_test_now_ms() + 10);
		}
		close(fd);
		CHECK(r.eof);
		CHECK_EQ(r.err, 0);
		n = parse_resps(r.b, r.len, NULL, N + 1, o, &used);
		if (n != N + 1)
			fprintf(stderr, "%s: %d responses of %d\n", models[m], n, N + 1);
		CHECK_EQ(n, N + 1);
		CHECK_EQ(used, r.len);
		for (i = 0; i <= N; i++) {
			CHECK_EQ(o[i].status, 200);
			CHECK(body_is(&o[i], "hello world\n"));
		}
		rd_free(&r);
		CHECK(stop_server(&s, SIGTERM) >= N + 1);
		proc_free(&s);
		free(req);
		free(o);
	}
}

/* ---- 3. faults ---------------------------------------------------------------------------- */

/* A client of a --idle-timeout 300ms server that says nothing, or half a request. */
static void idle_clients_closed(const char *model, const char *proto)
{
	struct proc s;
	struct rd r;
	int fd, quiet, half;
	long long end;
	size_t sent = 0;
	const char *line;
	static const char trickle[] = "GET / HTTP/1.1\r\nHost: t\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
				      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";

	start_server(&s, 0, "--model", model, "--proto", proto, "--idle-timeout", "300ms", NULL);

	/* says nothing: closed (a clean EOF) */
	quiet = cli(s.port);
	/* half a request line, then nothing */
	half = cli(s.port);
	send_str(half, "GET / HT");
	rd_init(&r);
	if (!read_eof(quiet, &r, 5000))
		fprintf(stderr, "%s %s: a quiet client was not closed\n", model, proto);
	CHECK(r.eof);
	CHECK_EQ(r.err, 0);
	CHECK_EQ(r.len, 0);
	rd_free(&r);
	close(quiet);
	rd_init(&r);
	if (!read_eof(half, &r, 5000))
		fprintf(stderr, "%s %s: a client with half a request was not closed\n", model, proto);
	CHECK(r.eof);
	CHECK_EQ(r.err, 0);
	if (!strcmp(proto, "http"))
		CHECK_EQ(r.len, 0); /* no response to half a request */
	else
		CHECK_STR(r.b, "hello world\n"); /* line: a read without a newline is a request */
	rd_free(&r);
	close(half);

	/*
	 * http: a head trickled a byte every 50 ms is closed although no gap
	 * reaches the idle timeout: the deadline runs from the head's first
	 * byte (slowloris). The trickle would take ~7 s; it must not finish.
	 */
	if (!strcmp(proto, "http")) {
		fd = cli(s.port);
		rd_init(&r);
		end = fo_test_now_ms() + 20000 * scale();
		while (sent < sizeof(trickle) - 1 && !r.eof && fo_test_now_ms() < end) {
			if (send(fd, trickle + sent, 1, MSG_NOSIGNAL) != 1)
				break; /* closed under us */
			sent++;
			rd_more(fd, &r, fo_test_now_ms() + 50);
		}
		if (!r.eof)
			read_eof(fd, &r, 5000);
		if (sent == sizeof(trickle) - 1 || r.len)
			fprintf(stderr, "%s: a trickled head: %zu of %zu bytes went, %zu came back:\n%s\n", model,
				sent, sizeof(trickle) - 1, r.len, r.b);
		CHECK(sent < sizeof(trickle) - 1);
		CHECK_EQ(r.len, 0);
		rd_free(&r);
		close(fd);
	}

	/* the server goes on */
	fd = cli(s.port);
	rd_init(&r);
	send_str(fd, !strcmp(proto, "http") ? GET_CLOSE : "1\n");
	if (!strcmp(proto, "http"))
		CHECK(read_eof(fd, &r, 10000) && fo_test_has(r.b, "HTTP/1.1 200 OK\r\n"));
	else
		CHECK(read_lines(fd, &r, 1, 10000) && !strcmp(r.b, "hello world\n"));
	rd_free(&r);
	close(fd);
	stop_server(&s, SIGTERM);
	line = strstr(s.out, "stopped: ");
	if (num_after(line, ", ") < 0 || !fo_test_has(line, " closed idle"))
		fprintf(stderr, "%s\n", s.out);
	CHECK_HAS(line, " closed idle");
	proc_free(&s);
}

/*
 * While idle and half-sent clients hold connections (idle timeout 20 s),
 * others are served: their replies come long before any idle client could
 * have been closed.
 */
static void served_beside_idle(const char *model, const char *proto)
{
	enum { NIDLE = 20, NHALF = 10 };
	struct proc s;
	struct rd r;
	int idle[NIDLE], half[NHALF], i, k;
	bool http = !strcmp(proto, "http");

	start_server(&s, 0, "--model", model, "--proto", proto, "--idle-timeout", "20s", NULL);
	for (i = 0; i < NIDLE; i++)
		idle[i] = cli(s.port);
	for (i = 0; i < NHALF; i++) {
		half[i] = cli(s.port);
		send_str(half[i], http ? "GET / HTTP/1.1\r\nHos" : "");
	}
	for (k = 0; k < 3; k++) {
		int fd = cli(s.port);

		rd_init(&r);
		send_str(fd, http ? GET_CLOSE : "1\n");
		/* 5 s: a quarter of the idle timeout */
		if (http)
			CHECK(read_eof(fd, &r, 5000) && fo_test_has(r.b, "HTTP/1.1 200 OK\r\n") && fo_test_has(r.b, "hello world\n"));
		else
			CHECK(read_lines(fd, &r, 1, 5000) && !strcmp(r.b, "hello world\n"));
		rd_free(&r);
		close(fd);
	}
	/* the idle ones are still open: nothing closed them early */
	for (i = 0; i < NIDLE; i++) {
		struct pollfd pf = { idle[i], POLLIN, 0 };

		CHECK_EQ(poll(&pf, 1, 0), 0);
	}
	stop_server(&s, SIGTERM);
	for (i = 0; i < NIDLE; i++)
		close(idle[i]);
	for (i = 0; i < NHALF; i++)
		close(half[i]);
	proc_free(&s);
}

/*
 * Clients that reset: after half a request, and in the middle of taking
 * many replies. The server goes on serving and ends well.
 */
static void resets(const char *model, const char *proto)
{
	struct proc s;
	struct rd r;
	bool http = !strcmp(proto, "http");
	char *flood;
	size_t one = http ? strlen(GET_KA) : 2, n = 20000, i;
	int fd, k;

	flood = malloc(one * n);
	CHECK(flood != NULL);
	for (i = 0; i < n; i++)
		memcpy(flood + i * one, http ? GET_KA : "1\n", one);
	start_server(&s, 0, "--model", model, "--proto", proto, NULL);
	for (k = 0; k < 20; k++) {
		fd = cli(s.port);
		send_str(fd, http ? "GET / HT" : "abc");
		if (k % 2)
			fo_test_sleep_ms(10); /* sometimes after the server read it */
		close_reset(fd);
	}
	/* many requests, no reading, then a reset: the server meets EPIPE/ECONNRESET mid-reply */
	for (k = 0; k < 5; k++) {
		long long end = fo_test_now_ms() + 5000 * scale();
		size_t off = 0;

		fd = cli(s.port);
		fcntl(fd, F_SETFL, O_NONBLOCK);
		while (off < one * n && fo_test_now_ms() < end) {
			ssize_t w = send(fd, flood + off, one * n - off, MSG_NOSIGNAL);

			if (w > 0)
				off += (size_t)w;
			else if (errno == EAGAIN)
				break; /* the server stopped reading: its replies are stuck */
			else
				CHECK(errno == EINTR);
		}
		fo_test_sleep_ms(20);
		close_reset(fd);
	}
	/* connected, reset at once, before any byte */
	for (k = 0; k < 20; k++)
		close_reset(cli(s.port));
	CHECK(alive(&s));
	for (k = 0; k < 3; k++) {
		fd = cli(s.port);
		rd_init(&r);
		send_str(fd, http ? GET_CLOSE : "1\n");
		if (http)
			CHECK(read_eof(fd, &r, 10000) && fo_test_has(r.b, "HTTP/1.1 200 OK\r\n"));
		else
			CHECK(read_lines(fd, &r, 1, 10000) && !strcmp(r.b, "hello world\n"));
		rd_free(&r);
		close(fd);
	}
	stop_server(&s, SIGTERM);
	proc_free(&s);
	free(flood);
}

TEST_PROC(serve_faults_idle_coro, 30)
{
	idle_clients_closed("coro:2", "http");
	idle_clients_closed("coro:2", "line");
}

TEST_PROC(serve_faults_idle_threads, 30)
{
	idle_clients_closed("threads", "http");
	idle_clients_closed("threads", "line");
}

TEST_PROC(serve_faults_served_beside_idle_coro, 30)
{
	served_beside_idle("coro:2", "http");
	served_beside_idle("coro:2", "line");
}

TEST_PROC(serve_faults_served_beside_idle_threads, 30)
{
	served_beside_idle("threads", "http");
	served_beside_idle("threads", "line");
}

TEST_PROC(serve_faults_reset_coro, 30)
{
	resets("coro:2", "http");
	resets("coro:2", "line");
}

TEST_PROC(serve_faults_reset_threads, 30)
{
	resets("threads", "http");
	resets("threads", "line");
}

/* ---- 4. a port in use, bad flags ---------------------------------------------------------- */

/* Exit 2, nothing on stdout, exactly one line on stderr, with every needle in it. */
static void one_line_error(struct proc *p, int rc, const char *what, const char *n1, const char *n2)
{
	if (rc != 2 || *p->out || count_char(p->err, strlen(p->err), '\n') != 1 ||
	    p->err[strlen(p->err) - 1] != '\n' || (n1 && !fo_test_has(p->err, n1)) || (n2 && !fo_test_has(p->err, n2))) {
		fprintf(stderr, "%s: exit %d (want 2)\nstdout (want empty): [%s]\nstderr (want one line with '%s'%s%s%s): [%s]\n",
			what, rc, p->out, n1 ? n1 : "", n2 ? ", '" : "", n2 ? n2 : "", n2 ? "'" : "", p->err);
		exit(1);
	}
	CHECK(!strncmp(p->err, "fanout: ", 8));
}

TEST_PROC(serve_port_in_use, 30)
{
	static const char *const first[] = { "coro:2", "threads", "processes:2" };
	static const char *const second[] = { "coro:2", "threads", "threads:4", "loop" };
	size_t i, j;

	for (i = 0; i < 3; i++) {
		struct proc s;
		struct rd r;
		char port[16], needle[32];
		int fd, k;

		start_server(&s, 0, "--model", first[i], NULL);
		snprintf(port, sizeof(port), "%d", s.port);
		snprintf(needle, sizeof(needle), "port %d", s.port);
		for (j = 0; j < 4; j++) {
			struct proc t;
			int rc = run_cli(&t, 10000, "serve", "--port", port, "--model", second[j], NULL);
			char what[96];

			snprintf(what, sizeof(what), "a second server (%s) on the port of a first (%s)", second[j],
				 first[i]);
			one_line_error(&t, rc, what, needle, "in use");
			proc_free(&t);
		}
		/* the first still has the port, all of it: every connection is its */
		for (k = 0; k < 8; k++) {
			fd = cli(s.port);
			rd_init(&r);
			send_str(fd, "1\n");
			CHECK(read_lines(fd, &r, 1, 10000));
			CHECK_STR(r.b, "hello world\n");
			rd_free(&r);
			close(fd);
		}
		CHECK(stop_server(&s, SIGTERM) >= 8);
		proc_free(&s);
	}
}

/* A port someone else holds (a plain socket, no SO_REUSEPORT): also "in use". */
TEST_PROC(serve_port_in_use_by_other, 30)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	char port[16], needle[32];
	struct proc t;
	int rc;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(lfd >= 0);
	CHECK(bind(lfd, (struct sockaddr *)&a, sizeof(a)) == 0);
	CHECK(listen(lfd, 16) == 0);
	CHECK(getsockname(lfd, (struct sockaddr *)&a, &al) == 0);
	snprintf(port, sizeof(port), "%d", ntohs(a.sin_port));
	snprintf(needle, sizeof(needle), "port %d", ntohs(a.sin_port));
	rc = run_cli(&t, 10000, "serve", "--port", port, NULL);
	one_line_error(&t, rc, "serve on a port in use", needle, "in use");
	proc_free(&t);
	rc = run_cli(&t, 10000, "serve", "--port", port, "--model", "threads", NULL);
	one_line_error(&t, rc, "serve --model threads on a port in use", needle, "in use");
	proc_free(&t);
	close(lfd);
}

TEST_PROC(serve_bad_flags, 30)
{
	static const char *const cases[][4] = {
		/* flag, value, what the line must name */
		{ "--port", "70000", "--port", "70000" },
		{ "--port", "-1", "--port", "'-1'" },
		{ "--port", "80x", "--port", "'80x'" },
		{ "--port", "", "--port", "''" },
		{ "--proto", "bogus", "--proto", "bogus" },
		{ "--model", "bogus", "--model", "bogus" },
		{ "--model", "threads:0", "--model", "threads:0" },
		{ "--bind", "not-an-address", "--bind", "not-an-address" },
		{ "--bind", "localhost", "--bind", "localhost" },
		/* inet_aton's shorthands: "0" would listen on every address */
		{ "--bind", "0", "--bind", "'0'" },
		{ "--bind", "127.1", "--bind", "'127.1'" },
		{ "--bind", "0x7f.0.0.1", "--bind", "0x7f.0.0.1" },
		{ "--bind", "2130706433", "--bind", "2130706433" },
		{ "--bind", " 127.0.0.1", "--bind", "' 127.0.0.1'" },
		{ "--bind", "", "--bind", "''" },
		{ "--port", " 80", "--port", "' 80'" },
		{ "--port", "+80", "--port", "'+80'" },
		{ "--port", "0x50", "--port", "0x50" },
		{ "--max-header", " 100", "--max-header", "' 100'" },
		{ "--max-header", "1e4", "--max-header", "1e4" },
		{ "--max-header", "2M", "--max-header", "2M" },
		{ "--idle-timeout", "0", "--idle-timeout", "'0'" },
		{ "--idle-timeout", "soon", "--idle-timeout", "soon" },
		{ "--max-header", "10", "--max-header", "'10'" },
		{ "--max-header", "lots", "--max-header", "lots" },
		{ "--frobnicate", "1", "--frobnicate", NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct proc t;
		char what[96];
		int rc;

		/* --port 0 after the flag: a server that wrongly starts does not take 7000 */
		if (!strcmp(cases[i][0], "--port"))
			rc = run_cli(&t, 10000, "serve", cases[i][0], cases[i][1], NULL);
		else
			rc = run_cli(&t, 10000, "serve", "--port", "0", cases[i][0], cases[i][1], NULL);
		snprintf(what, sizeof(what), "serve %s '%s'", cases[i][0], cases[i][1]);
		one_line_error(&t, rc, what, cases[i][2], cases[i][3]);
		proc_free(&t);
	}
}

/* Every address only when asked for in full: 0.0.0.0 (and [::1] in brackets). */
TEST_PROC(serve_bind_every_address, 30)
{
	struct proc s;
	struct rd r;
	int fd;

	start_server(&s, 0, "--bind", "0.0.0.0", NULL);
	CHECK_HAS(s.out, "listening on 0.0.0.0 port ");
	fd = cli(s.port);
	rd_init(&r);
	send_str(fd, "1\n");
	CHECK(read_lines(fd, &r, 1, 10000) && !strcmp(r.b, "hello world\n"));
	rd_free(&r);
	close(fd);
	stop_server(&s, SIGTERM);
	proc_free(&s);
	start_server(&s, 0, "--bind", "[::1]", NULL);
	CHECK_HAS(s.out, "listening on ::1 port ");
	stop_server(&s, SIGTERM);
	proc_free(&s);
}

/*
 * A flag without its value: exit 2, one line naming the flag and saying
 * what is wrong, as the rest of the CLI does ("needs a value"), not
 * calling a known flag unknown.
 */
TEST_PROC(serve_flag_without_value, 30)
{
	static const char *const flags[] = { "--port", "--model", "--reply" };
	size_t i;

	for (i = 0; i < 3; i++) {
		struct proc t;
		int rc = run_cli(&t, 10000, "serve", flags[i], NULL);
		char what[64];

		snprintf(what, sizeof(what), "serve %s (no value)", flags[i]);
		one_line_error(&t, rc, what, flags[i], "needs a value");
		proc_free(&t);
	}
}

TEST_PROC(serve_help, 30)
{
	struct proc t;

	CHECK_EQ(run_cli(&t, 10000, "serve", "--help", NULL), 0);
	CHECK_HAS(t.out, "usage: fanout serve");
	CHECK_HAS(t.out, "--idle-timeout");
	CHECK_STR(t.err, "");
	proc_free(&t);
	CHECK_EQ(run_cli(&t, 10000, "load", "--help", NULL), 0);
	CHECK_HAS(t.out, "usage: fanout load");
	CHECK_HAS(t.out, "--rate");
	CHECK_STR(t.err, "");
	proc_free(&t);
}

/* A signal as soon as the server says it listens (its workers may still be starting): it stops, exit 0. */
TEST_PROC(serve_stop_right_away, 40)
{
	static const char *const models[] = { "coro:2", "loop", "threads", "threads:4", "processes:2", "blended:2x2" };
	size_t m;
	int k;

	/* a SIGTERM right after start meets idle threads: under TSan their
	 * handler waits for an intercepted call that may never come (see
	 * serve_flood_at_startup); plain and ASan cover it */
	if (!strcmp(fo_test_san(), "tsan"))
		fo_test_skip("TSan defers signal handlers of idle threads");

	for (m = 0; m < 6; m++)
		for (k = 0; k < 3; k++) {
			struct proc s;

			start_server(&s, 0, "--model", models[m], NULL);
			stop_server(&s, k == 1 ? SIGINT : SIGTERM);
			proc_free(&s);
		}
}

/* ---- 5. out of descriptors ------------------------------------------------------------------ */

/* Sockets listening on 127.0.0.1:port (from /proc/net/tcp); -1 when it cannot be read. */
static int count_listeners(int port)
{
	FILE *f = fopen("/proc/net/tcp", "re");
	char line[512];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned addr, lport, st;

		if (sscanf(line, " %*d: %8x:%4x %*x:%*x %2x", &addr, &lport, &st) == 3 && (int)lport == port &&
		    st == 0x0A)
			n++;
	}
	fclose(f);
	return n;
}

/* N of "model coro:N" in a server's first line; 1 for other models. */
static int coro_workers(const char *out)
{
	const char *p = strstr(out, "model coro:");
	int n;

	return p && sscanf(p + 11, "%d", &n) == 1 ? n : 1;
}

/* 200 non-blocking connections to port, all connected, "1" sent on each. */
static void open_many(int *fds, struct rd *rds, int n, int port)
{
	long long end;
	int i, connected = 0;

	for (i = 0; i < n; i++) {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };

		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		CHECK(fds[i] >= 0);
		if (connect(fds[i], (struct sockaddr *)&a, sizeof(a)) < 0)
			CHECK(errno == EINPROGRESS);
		rd_init(&rds[i]);
	}
	end = fo_test_now_ms() + 10000 * scale();
	for (i = 0; i < n; i++) {
		struct pollfd pf = { fds[i], POLLOUT, 0 };
		int err = 0;
		socklen_t el = sizeof(err);
		long long left = end - fo_test_now_ms();

		if (poll(&pf, 1, left > 0 ? (int)left : 0) == 1 &&
		    getsockopt(fds[i], SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == 0)
			connected++;
		else
			fprintf(stderr, "connection %d: %s\n", i, err ? strerror(err) : "not connected in time");
	}
	CHECK_EQ(connected, n); /* the kernel's backlog takes them all */
	for (i = 0; i < n; i++)
		CHECK(send(fds[i], "1", 1, MSG_NOSIGNAL) == 1);
}

/* A new client gets its reply (retrying while the server frees descriptors). */
static void new_client_served(struct proc *s)
{
	long long end = fo_test_now_ms() + 15000 * scale();
	struct rd r;
	int fd = -1;

	rd_init(&r);
	while (fo_test_now_ms() < end) {
		fd = cli(s->port);
		send_str(fd, "1\n");
		if (read_lines(fd, &r, 1, 2000))
			break;
		close(fd);
		fd = -1;
	}
	CHECK(fd >= 0);
	CHECK_STR(r.b, "hello world\n");
	close(fd);
	rd_free(&r);
}

/* Reads what is there on each of fds[from..to) not yet replied; counts replies. */
static int collect(const int *fds, bool *replied, struct rd *rds, int from, int to)
{
	int i, n = 0;

	for (i = from; i < to; i++) {
		char buf[256];
		ssize_t k;

		if (fds[i] < 0 || replied[i])
			continue;
		while ((k = recv(fds[i], buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
			char *b = realloc(rds[i].b, rds[i].len + (size_t)k + 1);

			CHECK(b != NULL);
			memcpy(b + rds[i].len, buf, (size_t)k);
			rds[i].len += (size_t)k;
			b[rds[i].len] = 0;
			rds[i].b = b;
		}
		if (strstr(rds[i].b, "hello world\n")) {
			replied[i] = true;
			n++;
		}
	}
	return n;
}

/* Waits for a first reply (up to limit_ms), then until no new reply has come
 * for quiet_ms, or until limit_ms; returns the new replies. */
static int collect_until_quiet(const int *fds, bool *replied, struct rd *rds, int from, int to, long long quiet_ms,
			       long long limit_ms)
{
	long long end = fo_test_now_ms() + limit_ms, last = fo_test_now_ms();
	int total = 0;

	/* quiet counts only once something came: on a loaded machine the
	 * first reply may take longer than quiet_ms (it failed so, with 0) */
	while (fo_test_now_ms() < end && (total == 0 || fo_test_now_ms() - last < quiet_ms)) {
		int n = collect(fds, replied, rds, from, to);

		if (n) {
			total += n;
			last = fo_test_now_ms();
		}
		fo_test_sleep_ms(20);
	}
	return total;
}

TEST_PROC(serve_out_of_descriptors, 40)
{
	enum { N = 200 };
	static int fds[N];
	static bool replied[N];
	static struct rd rds[N];
	struct rlimit rl;
	struct proc s;
	long long end;
	int i, early, later = 0, first_half, want, have = 0;
	const char *line;

	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	if (rl.rlim_cur < N + 64) {
		if (rl.rlim_max < N + 64)
			fo_test_skip("RLIMIT_NOFILE too low here for 200 client connections");
		rl.rlim_cur = rl.rlim_max;
		CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	}
	start_server(&s, 64, NULL);
	/*
	 * Wait until every worker listens (coro:N: a listener each): a flood
	 * while they start is serve_flood_at_startup's business.
	 */
	want = coro_workers(s.out);
	for (end = fo_test_now_ms() + 10000 * scale(); fo_test_now_ms() < end; fo_test_sleep_ms(10))
		if ((have = count_listeners(s.port)) >= want || have < 0)
			break;
	if (have >= 0 && have < want)
		fprintf(stderr, "only %d of %d listeners after 10 s\n", have, want);
	CHECK(have < 0 || have >= want);

	open_many(fds, rds, N, s.port);
	/* the server lives, and serves what its descriptors allow */
	early = collect_until_quiet(fds, replied, rds, 0, N, 1500 * scale(), 15000 * scale());
	CHECK(alive(&s));
	first_half = 0;
	for (i = 0; i < N / 2; i++)
		first_half += replied[i];
	fprintf(stderr, "with 64 descriptors: %d of %d connections answered (%d of the first %d)\n", early, N,
		first_half, N / 2);
	CHECK(early >= 1);
	CHECK(first_half >= 1);

	/* close half: the server's descriptors come back, more get answered */
	for (i = 0; i < N / 2; i++) {
		close(fds[i]);
		fds[i] = -1;
	}
	if (early < N) {
		later = collect_until_quiet(fds, replied, rds, N / 2, N, 2000 * scale(), 15000 * scale());
		fprintf(stderr, "after closing %d: %d more answered\n", N / 2, later);
		CHECK(alive(&s));
		CHECK(later >= 1);
	}
	for (i = 0; i < N; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		rd_free(&rds[i]);
	}
	/* and it still serves a new client */
	new_client_served(&s);
	stop_server(&s, SIGTERM);
	line = strstr(s.out, "stopped: ");
	CHECK_HAS(line, "back-offs");
	CHECK(num_after(line, "stopped: ") >= early + later);
	proc_free(&s);
}

/*
 * The same flood while the server starts: 200 connections queue up on its
 * first listener before its workers run (it is stopped with SIGSTOP as
 * soon as it says it listens, and continued after the flood). The first
 * worker must not take the descriptors the others need to start without
 * anyone hearing of it: the server serves, recovers, and ends with exit 0
 * or with stderr saying what failed.
 */
TEST_PROC(serve_flood_at_startup, 60)
{
	enum { N = 200 };
	static int fds[N];
	static bool replied[N];
	static struct rd rds[N];
	struct rlimit rl;
	int it, i;

	/* Under TSan a signal's handler runs only when the thread next calls a
	 * function TSan intercepts, which epoll_pwait2 is not: a SIGTERM to
	 * eight idle schedulers then waited forever, now and then, on a loaded
	 * machine. Plain and ASan runs cover this test. */
	if (!strcmp(fo_test_san(), "tsan"))
		fo_test_skip("TSan defers signal handlers past epoll_pwait2");
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	if (rl.rlim_cur < N + 64) {
		if (rl.rlim_max < N + 64)
			fo_test_skip("RLIMIT_NOFILE too low here for 200 client connections");
		rl.rlim_cur = rl.rlim_max;
		CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	}
	for (it = 0; it < 6; it++) {
		struct proc s;
		int got;

		start_server(&s, 64, "--model", "coro:8", NULL);
		CHECK(kill(s.pid, SIGSTOP) == 0);
		memset(replied, 0, sizeof(replied));
		open_many(fds, rds, N, s.port);
		CHECK(kill(s.pid, SIGCONT) == 0);
		got = collect_until_quiet(fds, replied, rds, 0, N, 1000 * scale(), 15000 * scale());
		CHECK(alive(&s));
		CHECK(got >= 1);
		for (i = 0; i < N; i++) {
			close(fds[i]);
			rd_free(&rds[i]);
		}
		new_client_served(&s);
		CHECK(kill(s.pid, SIGTERM) == 0);
		CHECK(finish(&s, 15000 * scale()));
		if (s.status != 0)
			fprintf(stderr, "round %d: exit %d; stdout:\n%s\nstderr:\n%s\n", it + 1, s.status, s.out,
				ns(s.err));
		CHECK(s.exited);
		CHECK(s.status == 0 || (s.err && *s.err)); /* a failure says what failed */
		proc_free(&s);
	}
}

/*
 * Few descriptors from the start: RLIMIT_NOFILE from 6 up, under coro:4
 * (each worker wants a poller and a listener of its own). Whatever the
 * server makes of so few, two things hold: when it says it listens and
 * keeps running, a client gets served; when it ends with a failure,
 * stderr says why.
 */
TEST_PROC(serve_few_descriptors, 40)
{
	char problems[2048] = "";
	size_t pl = 0;
	int lim, nproblems = 0;

	for (lim = 6; lim <= 24 && nproblems < 3; lim++) {
		struct proc s;
		struct rd r;
		bool served = false, running;
		int fd;

		if (!try_start_server(&s, (rlim_t)lim, "--model", "coro:4", NULL)) {
			if (s.status == 0 || !s.err || !*s.err) {
				pl += (size_t)snprintf(problems + pl, sizeof(problems) - pl,
						       "RLIMIT_NOFILE %d: did not start, exit %d, stderr [%s]\n", lim,
						       s.status, ns(s.err));
				nproblems++;
			}
			proc_free(&s);
			continue;
		}
		fd = cli(s.port);
		rd_init(&r);
		send_str(fd, "1\n");
		served = read_lines(fd, &r, 1, 2000) && !strcmp(r.b, "hello world\n");
		rd_free(&r);
		close(fd);
		running = alive(&s);
		if (running) {
			CHECK(kill(s.pid, SIGTERM) == 0);
			CHECK(finish(&s, 15000 * scale()));
		}
		if (running && !served) {
			pl += (size_t)snprintf(problems + pl, sizeof(problems) - pl,
					       "RLIMIT_NOFILE %d: says it listens, runs, serves nobody; stderr [%s]\n", lim,
					       ns(s.err));
			nproblems++;
		}
		if (s.status != 0 && (!s.err || !*s.err)) {
			pl += (size_t)snprintf(problems + pl, sizeof(problems) - pl,
					       "RLIMIT_NOFILE %d: exit %d after SIGTERM with nothing on stderr; stdout [%s]\n",
					       lim, s.status, s.out);
			nproblems++;
		}
		proc_free(&s);
	}
	if (pl)
		fprintf(stderr, "%s", problems);
	CHECK_EQ(nproblems, 0);
}

/* ---- 6. fanout load ------------------------------------------------------------------------ */

static void target_of(const struct proc *s, char *buf, size_t len)
{
	snprintf(buf, len, "127.0.0.1:%d", s->port);
}

/* A number field of a one-line JSON object: "name":N */
static double json_num(const char *json, const char *name)
{
	char key[64];
	const char *p;
	double v;

	snprintf(key, sizeof(key), "\"%s\":", name);
	p = strstr(json, key);
	if (!p || sscanf(p + strlen(key), "%lf", &v) != 1)
		return -1;
	return v;
}

TEST_PROC(load_line_text_and_json, 30)
{
	struct proc s, l;
	char target[64];
	long long served, requests, rj;
	int rc;

	start_server(&s, 0, NULL);
	target_of(&s, target, sizeof(target));

	rc = run_cli(&l, 15000, "load", "-c", "8", "-d", load_d("500ms"), target, NULL);
	if (rc != 0)
		fprintf(stderr, "load: exit %d\n%s\n%s\n", rc, ns(l.out), ns(l.err));
	CHECK_EQ(rc, 0);
	CHECK_HAS(l.out, "fanout load: ");
	CHECK_HAS(l.out, "req/s");
	CHECK_HAS(l.out, "starved 0 of 8");
	CHECK_HAS(l.out, "p99");
	CHECK_HAS(l.out, "errors 0");
	CHECK_HAS(l.out, "8 connections");
	requests = num_after(l.out, "requests ");
	CHECK(requests > 0);
	proc_free(&l);

	rc = run_cli(&l, 15000, "load", "--json", "-c", "8", "-d", load_d("500ms"), target, NULL);
	if (rc != 0)
		fprintf(stderr, "load --json: exit %d\n%s\n%s\n", rc, l.out, l.err);
	CHECK_EQ(rc, 0);
	CHECK_EQ(count_char(l.out, strlen(l.out), '\n'), 1);
	CHECK(l.out[0] == '{');
	CHECK(!strcmp(l.out + strlen(l.out) - 2, "}\n"));
	CHECK_HAS(l.out, "\"requests\":");
	CHECK_HAS(l.out, "\"starved\":0");
	CHECK_HAS(l.out, "\"errors\":0");
	CHECK_HAS(l.out, "\"connections\":8");
	CHECK_HAS(l.out, "\"p99\":");
	rj = (long long)json_num(l.out, "requests");
	CHECK(rj > 0);
	CHECK(json_num(l.out, "rps") > 0);
	proc_free(&l);

	/* every reply load counted was a request the server counted */
	served = stop_server(&s, SIGTERM);
	CHECK(served >= requests + rj);
	proc_free(&s);
}

/* --ramp 1,3 --json-seconds: a JSON line a second with the connections
 * open in its middle, then the totals; the connections all served. */
TEST_PROC(load_ramp_json_seconds, 30)
{
	struct proc s, l;
	char target[64], *second;
	int rc;

	start_server(&s, 0, NULL);
	target_of(&s, target, sizeof(target));
	rc = run_cli(&l, 15000, "load", "--ramp", "1,3", "--ramp-every", "1s", "--json-seconds", target, NULL);
	if (rc != 0)
		fprintf(stderr, "load --ramp: exit %d\n%s\n%s\n", rc, ns(l.out), ns(l.err));
	CHECK_EQ(rc, 0);
	CHECK_EQ(count_char(l.out, strlen(l.out), '\n'), 3);
	CHECK(!strncmp(l.out, "{\"second\":1,\"t\":", 16));
	CHECK_HAS(l.out, ",\"connections\":1,\"requests\":");
	CHECK(json_num(l.out, "served") <= 1); /* of the connections open */
	second = strchr(l.out, '\n') + 1;
	CHECK(!strncmp(second, "{\"second\":2,\"t\":", 16));
	CHECK_HAS(second, ",\"connections\":3,\"requests\":");
	CHECK(json_num(second, "served") <= 3);
	CHECK_HAS(second, ",\"served\":");
	/* the totals: three connections, each answered, over the two steps */
	second = strchr(second, '\n') + 1;
	CHECK_HAS(second, "\"connections\":3,");
	CHECK_HAS(second, "\"duration_s\":2.000,");
	CHECK_HAS(second, "\"starved\":0,");
	CHECK_HAS(second, "\"errors\":0,");
	CHECK(json_num(second, "requests") > 0);
	proc_free(&l);
	stop_server(&s, SIGTERM);
	proc_free(&s);
}

TEST_PROC(load_fixed_rate, 30)
{
	struct proc s, l;
	char target[64];
	double req;
	int rc;

	start_server(&s, 0, NULL);
	target_of(&s, target, sizeof(target));
	rc = run_cli(&l, 15000, "load", "--json", "--rate", "200", "-c", "4", "-d", "1s", target, NULL);
	if (rc != 0)
		fprintf(stderr, "load: exit %d\n%s\n%s\n", rc, ns(l.out), ns(l.err));
	CHECK_EQ(rc, 0);
	req = json_num(l.out, "requests");
	if (req < 100 || req > 300)
		fprintf(stderr, "--rate 200 -d 1s: %.0f requests\n%s\n", req, l.out);
	CHECK(req >= 100 && req <= 300);
	CHECK(json_num(l.out, "rate") == 200.0);
	proc_free(&l);

	rc = run_cli(&l, 15000, "load", "--rate", "200", "-c", "3", "-d", "1s", target, NULL);
	CHECK_EQ(rc, 0);
	CHECK_HAS(l.out, "(open loop)");
	CHECK_HAS(l.out, "from when each request was due");
	req = (double)num_after(l.out, "requests ");
	CHECK(req >= 100 && req <= 300);
	proc_free(&l);
	stop_server(&s, SIGTERM);
	proc_free(&s);
}

TEST_PROC(load_http, 30)
{
	static const char *const models[] = { "coro:2", "threads" };
	size_t m;

	for (m = 0; m < 2; m++) {
		struct proc s, l;
		char target[64];
		int rc;

		start_server(&s, 0, "--proto", "http", "--model", models[m], NULL);
		target_of(&s, target, sizeof(target));
		rc = run_cli(&l, 15000, "load", "--proto", "http", "-c", "4", "-d", load_d("300ms"), target, NULL);
		if (rc != 0)
			fprintf(stderr, "load --proto http: exit %d\n%s\n%s\n", rc, l.out, l.err);
		CHECK_EQ(rc, 0);
		CHECK_HAS(l.out, "proto http");
		CHECK_HAS(l.out, "starved 0 of 4");
		CHECK(num_after(l.out, "requests ") > 0);
		proc_free(&l);
		rc = run_cli(&l, 15000, "load", "--proto", "http", "--path", "/some/path?q=1", "-c", "2", "-d", load_d("200ms"),
			     target, NULL);
		CHECK_EQ(rc, 0);
		CHECK_HAS(l.out, "errors 0");
		proc_free(&l);
		stop_server(&s, SIGTERM);
		proc_free(&s);
	}
}

/* A pool of 2 threads, each serving one connection at a time: 4 of 6 get nothing. */
TEST_PROC(load_starved_by_pool, 30)
{
	struct proc s, l;
	char target[64];
	int rc;

	start_server(&s, 0, "--model", "threads:2", NULL);
	target_of(&s, target, sizeof(target));
	rc = run_cli(&l, 15000, "load", "-c", "6", "-d", load_d("500ms"), target, NULL);
	if (!fo_test_has(l.out, "starved 4 of 6"))
		fprintf(stderr, "load: exit %d\n%s\n%s\n", rc, ns(l.out), ns(l.err));
	CHECK_HAS(l.out, "starved 4 of 6");
	CHECK(rc == 0 || rc == 1);
	proc_free(&l);
	/* the pool serves the waiting connections once the others are gone */
	rc = run_cli(&l, 15000, "load", "-c", "2", "-d", load_d("300ms"), target, NULL);
	CHECK_EQ(rc, 0);
	CHECK_HAS(l.out, "starved 0 of 2");
	proc_free(&l);
	stop_server(&s, SIGTERM);
	proc_free(&s);
}

/* Nobody listening: connect errors, exit 1, and the first error says why. */
TEST_PROC(load_connection_refused, 30)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), rc;
	char target[64];
	struct proc l;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	CHECK(getsockname(fd, (struct sockaddr *)&a, &al) == 0);
	/* bound, never listening: connects are refused */
	snprintf(target, sizeof(target), "127.0.0.1:%d", ntohs(a.sin_port));
	rc = run_cli(&l, 15000, "load", "-c", "2", "-d", load_d("300ms"), target, NULL);
	if (rc != 1)
		fprintf(stderr, "load: exit %d\n%s\n%s\n", rc, ns(l.out), ns(l.err));
	CHECK_EQ(rc, 1);
	CHECK_HAS(l.out, "starved 2 of 2");
	CHECK_HAS(l.out, "first error: connect");
	proc_free(&l);
	close(fd);
}

/* SIGINT mid-run: exit 130, the totals still printed. */
TEST_PROC(load_interrupted, 30)
{
	struct proc s, l;
	char target[64];

	start_server(&s, 0, NULL);
	target_of(&s, target, sizeof(target));
	{
		const char *argv[] = { fo_test_bin(), "load", "-c", "4", "-d", "60s", target, NULL };

		spawn_argv(&l, 0, argv);
	}
	/* after load has started (its handler set): slower under sanitizers */
	fo_test_sleep_ms(500 * scale());
	CHECK(kill(l.pid, SIGINT) == 0);
	CHECK(finish(&l, 10000 * scale()));
	if (l.status != 130)
		fprintf(stderr, "load after SIGINT: exit %d\n%s\n%s\n", l.status, l.out, l.err);
	CHECK_EQ(l.status, 130);
	CHECK_HAS(l.out, "req/s");
	CHECK_HAS(l.out, "starved 0 of 4");
	proc_free(&l);
	stop_server(&s, SIGTERM);
	proc_free(&s);
}

TEST_PROC(load_bad_input, 30)
{
	static const char *const cases[][5] = {
		/* args (up to 3), then a needle for the line */
		{ "-c", "8", NULL, NULL, "HOST:PORT" },         /* no target */
		{ "-c", "0", "127.0.0.1:1", NULL, "-c" },
		{ "-c", "-3", "127.0.0.1:1", NULL, "-c" },
		{ "-d", "0", "127.0.0.1:1", NULL, "-d" },
		{ "-d", "soon", "127.0.0.1:1", NULL, "-d" },
		{ "--proto", "x", "127.0.0.1:1", NULL, "--proto" },
		{ "--rate", "0", "127.0.0.1:1", NULL, "--rate" },
		{ "--threads", "0", "127.0.0.1:1", NULL, "--threads" },
		{ "--path", "nope", "127.0.0.1:1", NULL, "--path" },
		{ "nohost", NULL, NULL, NULL, "nohost" },
		{ "127.0.0.1", NULL, NULL, NULL, "127.0.0.1" },
		{ "127.0.0.1:", NULL, NULL, NULL, "127.0.0.1:" },
		{ "localhost:7000", NULL, NULL, NULL, "localhost:7000" },
		{ "127.0.0.1:http", NULL, NULL, NULL, "127.0.0.1:http" },
		{ "127.0.0.1:1", "127.0.0.1:2", NULL, NULL, "127.0.0.1:2" },
		{ "127.0.0.1:1", "-c", NULL, NULL, "-c" },
		{ "--frobnicate", "1", "127.0.0.1:1", NULL, "--frobnicate" },
		/* what strtod and strtol let in */
		{ "--rate", "inf", "127.0.0.1:1", NULL, "--rate" },
		{ "--rate", "nan", "127.0.0.1:1", NULL, "--rate" },
		{ "--rate", "1e999", "127.0.0.1:1", NULL, "--rate" },
		{ "--rate", "0x10", "127.0.0.1:1", NULL, "--rate" },
		{ "--rate", " 5", "127.0.0.1:1", NULL, "--rate" },
		{ "--rate", "-5", "127.0.0.1:1", NULL, "--rate" },
		{ "-c", " 4", "127.0.0.1:1", NULL, "-c" },
		{ "-c", "+4", "127.0.0.1:1", NULL, "-c" },
		{ "--threads", " 2", "127.0.0.1:1", NULL, "--threads" },
		{ "127.0.0.1: 7000", NULL, NULL, NULL, "127.0.0.1: 7000" },
		{ "127.0.0.1:+7000", NULL, NULL, NULL, "127.0.0.1:+7000" },
		{ "0:7000", NULL, NULL, NULL, "0:7000" },
		{ "127.1:7000", NULL, NULL, NULL, "127.1:7000" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct proc t;
		char what[128];
		int rc = run_cli(&t, 10000, "load", cases[i][0], cases[i][1], cases[i][2], NULL);

		snprintf(what, sizeof(what), "load %s %s %s", cases[i][0], cases[i][1] ? cases[i][1] : "",
			 cases[i][2] ? cases[i][2] : "");
		one_line_error(&t, rc, what, cases[i][4], NULL);
		proc_free(&t);
	}
}

/* A port number past 65535 is not a port. */
TEST_PROC(load_bad_port, 30)
{
	struct proc t;
	int rc = run_cli(&t, 10000, "load", "-d", "200ms", "127.0.0.1:70000", NULL);

	one_line_error(&t, rc, "load 127.0.0.1:70000", "127.0.0.1:70000", NULL);
	proc_free(&t);
}

/*
 * A hostile HTTP server, forked from the test: it answers every request
 * head with the same bytes (and closes after each when close_after).
 * Returns its pid (a process group of its own, killed with the test) and
 * its port.
 */
static void hostile_loop(int lfd, const char *resp, size_t rlen, bool close_after)
{
	enum { MAXC = 64 };
	struct pollfd pf[MAXC + 1];
	char buf[MAXC][2048];
	size_t len[MAXC];
	int n = 0, i;

	for (;;) {
		pf[n].fd = lfd;
		pf[n].events = POLLIN;
		if (poll(pf, (nfds_t)n + 1, -1) < 0)
			continue;
		if ((pf[n].revents & POLLIN) && n < MAXC) {
			int fd = accept(lfd, NULL, NULL);

			if (fd >= 0) {
				pf[n].fd = fd;
				pf[n].events = POLLIN;
				pf[n].revents = 0;
				len[n++] = 0;
			}
		}
		for (i = 0; i < n; i++) {
			ssize_t k;
			char *end;

			if (!pf[i].revents)
				continue;
			k = recv(pf[i].fd, buf[i] + len[i], sizeof(buf[i]) - len[i], 0);
			if (k > 0)
				len[i] += (size_t)k;
			while (k > 0 && (end = memmem(buf[i], len[i], "\r\n\r\n", 4))) {
				size_t used = (size_t)(end + 4 - buf[i]);

				if (send(pf[i].fd, resp, rlen, MSG_NOSIGNAL) < 0 || close_after)
					k = 0;
				memmove(buf[i], buf[i] + used, len[i] - used);
				len[i] -= used;
			}
			if (k <= 0 || len[i] == sizeof(buf[i])) {
				close(pf[i].fd);
				pf[i] = pf[--n];
				len[i] = len[n];
				memcpy(buf[i], buf[n], len[i]);
				i--;
			}
		}
	}
}

static pid_t hostile_start(const char *resp, size_t rlen, bool close_after, int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	pid_t pid;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(lfd >= 0 && bind(lfd, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(lfd, 64) == 0);
	CHECK(getsockname(lfd, (struct sockaddr *)&a, &al) == 0);
	*port = ntohs(a.sin_port);
	fflush(NULL);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGALRM, SIG_DFL);
		alarm(120); /* bounded, whatever happens to the test */
		hostile_loop(lfd, resp, rlen, close_after);
		_exit(0);
	}
	setpgid(pid, pid);
	fo_test_kid_add(pid);
	close(lfd);
	return pid;
}

static void hostile_stop(pid_t pid)
{
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	fo_test_kid_del(pid);
}

/* `fanout load --proto http` against a server answering resp: its exit code; out and err kept in l. */
static int load_against(struct proc *l, const char *resp, size_t rlen, bool close_after, bool json)
{
	char target[64];
	int port, rc;
	pid_t pid = hostile_start(resp, rlen, close_after, &port);

	snprintf(target, sizeof(target), "127.0.0.1:%d", port);
	if (json)
		rc = run_cli(l, 15000, "load", "--proto", "http", "--json", "-c", "2", "-d", load_d("300ms"), target, NULL);
	else
		rc = run_cli(l, 15000, "load", "--proto", "http", "-c", "2", "-d", load_d("300ms"), target, NULL);
	hostile_stop(pid);
	return rc;
}

/*
 * Only a well-formed 2xx or 3xx response is a request done. Other statuses
 * are counted by class and fail the run (exit 1); a malformed response
 * (not HTTP, a bad chunk size, a status outside 100-599) is an error.
 */
TEST_PROC(load_http_failures_count, 60)
{
	static const struct {
		const char *resp, *needle, *first_error;
	} bad[] = {
		{ "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\n\r\nboom\n", "5xx ", NULL },
		{ "HTTP/1.1 404 Not Found\r\nContent-Length: 5\r\n\r\nnope\n", "4xx ", NULL },
		{ "HTTP/1.1 503 Busy\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nbusy\r\n0\r\n\r\n", "5xx ", NULL },
		{ "garbage, not http at all\r\n\r\n", "malformed responses", "not an HTTP/1.x status line" },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", "malformed responses",
		  "a bad chunk size" },
		{ "HTTP/1.1 999 Odd\r\nContent-Length: 2\r\n\r\nok", "malformed responses", "outside 100-599" },
		{ "HTTP/1.1 2000 OK\r\nContent-Length: 2\r\n\r\nok", "malformed responses", "status line" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok", "malformed responses",
		  "Content-Length" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct proc l;
		int rc = load_against(&l, bad[i].resp, strlen(bad[i].resp), false, false);

		if (rc != 1 || !fo_test_has(l.out, bad[i].needle) || num_after(l.out, "requests ") != 0 ||
		    (bad[i].first_error && !fo_test_has(l.out, bad[i].first_error)))
			fprintf(stderr, "against [%s]: exit %d\n%s\n%s\n", bad[i].resp, rc, ns(l.out), ns(l.err));
		CHECK_EQ(rc, 1);
		CHECK_HAS(l.out, bad[i].needle);
		CHECK_EQ(num_after(l.out, "requests "), 0);
		if (bad[i].first_error) {
			CHECK(num_after(l.out, "errors ") > 0);
			CHECK_HAS(l.out, bad[i].first_error);
		} else {
			CHECK_HAS(l.out, "errors 0");
			CHECK(num_after(l.out, "non-2xx/3xx ") > 0);
		}
		proc_free(&l);
	}
	/* --json says the same */
	{
		struct proc l;
		const char *r500 = bad[0].resp;
		int rc = load_against(&l, r500, strlen(r500), false, true);

		CHECK_EQ(rc, 1);
		CHECK(json_num(l.out, "non_2xx_3xx") > 0);
		CHECK(json_num(l.out, "status_5xx") > 0);
		CHECK_EQ((long long)json_num(l.out, "requests"), 0);
		proc_free(&l);
	}
}

/* What is well-formed counts, however it is framed: chunked, 3xx, a body up to the close, 40 KB. */
TEST_PROC(load_http_framings, 60)
{
	static const char *const good[] = {
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3;ext=1\r\n!!\n\r\n0\r\nX-T: 1\r\n\r\n",
		"HTTP/1.1 301 Moved\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 204 No Content\r\n\r\n",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
		"HTTP/1.1 200\nContent-Length: 2\n\nok",
	};
	size_t i, big = 40000;
	char *resp = malloc(big + 100);
	struct proc l;
	int rc, k;

	CHECK(resp != NULL);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		rc = load_against(&l, good[i], strlen(good[i]), false, false);
		if (rc != 0)
			fprintf(stderr, "against [%s]: exit %d\n%s\n%s\n", good[i], rc, ns(l.out), ns(l.err));
		CHECK_EQ(rc, 0);
		CHECK(num_after(l.out, "requests ") > 0);
		CHECK_HAS(l.out, "errors 0, non-2xx/3xx 0,");
		proc_free(&l);
	}
	/* a body up to the close, and a body bigger than the read buffer */
	rc = load_against(&l, "HTTP/1.0 200 OK\r\n\r\nuntil the close", strlen("HTTP/1.0 200 OK\r\n\r\nuntil the close"), true, false);
	CHECK_EQ(rc, 0);
	CHECK(num_after(l.out, "requests ") > 0);
	CHECK_HAS(l.out, "reconnects");
	proc_free(&l);
	k = snprintf(resp, 100, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", big);
	memset(resp + k, 'x', big);
	rc = load_against(&l, resp, (size_t)k + big, false, false);
	if (rc != 0)
		fprintf(stderr, "against a 40 KB body: exit %d\n%s\n%s\n", rc, ns(l.out), ns(l.err));
	CHECK_EQ(rc, 0);
	CHECK(num_after(l.out, "requests ") > 0);
	proc_free(&l);
	free(resp);
}

/* ---- 7. every connection served ---------------------------------------------------------- */

/*
 * Drives a `fanout serve --model model` with `fanout load -c conns -d
 * dur_ms` (closed loop, line protocol) and checks that every connection
 * was served: load says none starved (each got at least one reply),
 * nothing failed, and the server saw all of them at once, refused none and
 * never ran out of descriptors. The duration only bounds the run: long
 * enough for every connection to be reached, not a speed to meet.
 */
static void every_connection_served(const char *model, int conns, long long dur_ms)
{
	struct rlimit rl;
	struct proc s, l;
	char target[64], cs[16], dur[16];
	const char *line;
	long long served;
	int rc;

	/* one descriptor a connection on either side, and some to spare */
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < (rlim_t)conns + 64)
		fo_test_skip("the hard RLIMIT_NOFILE is below the connections plus 64");
	/* a thread a connection (root is not held to RLIMIT_NPROC) */
	CHECK(getrlimit(RLIMIT_NPROC, &rl) == 0);
	if (geteuid() != 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)conns + 1024)
		fo_test_skip("RLIMIT_NPROC is below a thread per connection plus 1024");
	snprintf(cs, sizeof(cs), "%d", conns);
	snprintf(dur, sizeof(dur), "%lldms", dur_ms);
	start_server(&s, 0, "--model", model, NULL);
	target_of(&s, target, sizeof(target));
	rc = run_cli(&l, dur_ms + 60000, "load", "--json", "-c", cs, "-d", dur, target, NULL);
	if (rc != 0 || json_num(l.out, "starved") != 0)
		fprintf(stderr, "%s, %d connections: load exit %d\nstdout:\n%s\nstderr:\n%s\n", model, conns, rc, l.out,
			ns(l.err));
	CHECK_EQ(rc, 0);
	CHECK_EQ(json_num(l.out, "connections"), conns);
	CHECK_EQ(json_num(l.out, "starved"), 0);
	CHECK_EQ(json_num(l.out, "errors"), 0);
	CHECK_EQ(json_num(l.out, "connect_errors"), 0);
	CHECK(json_num(l.out, "requests") >= conns);
	proc_free(&l);

	served = stop_server(&s, SIGTERM);
	line = strstr(s.out, "stopped: ");
	if (num_after(line, "stopped: ") != conns || num_after(line, "peak ") != conns)
		fprintf(stderr, "%s, %d connections: the server says\n%s", model, conns, s.out);
	CHECK_EQ(num_after(line, "stopped: "), conns); /* no connection failed and came again */
	CHECK_EQ(num_after(line, "peak "), conns);     /* all of them at once */
	CHECK_LACKS(line, "refused");
	CHECK_LACKS(line, "back-offs");
	CHECK(served >= conns);
	proc_free(&s);
}

/*
 * A thread per connection, 10,000 of them: each connection's thread costs
 * the server one descriptor (its socket) and a 256 KB stack, so the
 * 10,000 fit the descriptor limit of the server and of the load process
 * alike, and no connection may wait behind the others: not at accept,
 * not for a thread, not in the load generator. 10 s is ample: on 2 idle
 * cores runs of 4 s served every connection (2 s did not: the one acceptor
 * shares the cores with thousands of busy connection threads).
 */
TEST_PROC(serve_threads_10000_connections, 120)
{
	if (!strcmp(sanitizer(), "tsan"))
		fo_test_skip("10,000 threads under ThreadSanitizer: GBs of shadow, and too slow to reach them all");
	every_connection_served("threads", 10000, *sanitizer() ? 30000 : 10000);
}

/*
 * Two pre-forked workers, a thread per connection in each: all 64 served,
 * all at once. No duration here (a run of `fanout load` for a set time was
 * one: under ThreadSanitizer on a busy machine some connections had no
 * reply by its end): 64 connections are opened and held, each sends a
 * line, and each must be answered; the deadline only stops a hang.
 */
TEST_PROC(serve_processes2_64_connections, 120)
{
	enum { N = 64 };
	int fds[N], i;
	struct rd r[N];
	long long end;
	struct proc s;
	const char *line;

	start_server(&s, 0, "--model", "processes:2", NULL);
	for (i = 0; i < N; i++) {
		fds[i] = cli(s.port);
		rd_init(&r[i]);
	}
	for (i = 0; i < N; i++)
		send_str(fds[i], "hello\n");
	end = fo_test_now_ms() + 60000 * scale();
	for (i = 0; i < N; i++) {
		while (count_char(r[i].b, r[i].len, '\n') < 1)
			if (rd_more(fds[i], &r[i], end) <= 0)
				break;
		if (strcmp(r[i].b, "hello world\n"))
			fprintf(stderr, "connection %d of %d: [%s]%s\n", i + 1, N, r[i].b,
				r[i].eof ? " then EOF" : "");
		CHECK_STR(r[i].b, "hello world\n");
	}
	for (i = 0; i < N; i++) {
		close(fds[i]);
		rd_free(&r[i]);
	}
	stop_server(&s, SIGTERM);
	line = strstr(s.out, "stopped: ");
	CHECK(line != NULL);
	CHECK_EQ(num_after(line, "stopped: "), N); /* no connection failed and came again */
	CHECK_EQ(num_after(line, "peak "), N);     /* all of them at once */
	CHECK_LACKS(line, "refused");
	proc_free(&s);
}

/* ---- 8. reads through the ring of provided buffers ----------------------------------- */

/*
 * Reads until fd has given k responses (http: complete, each a 200 with the
 * reply; line: k lines, each the reply) and nothing more is pending in r;
 * false when it did not within ms.
 */
static bool read_replies(int fd, struct rd *r, bool http, int k, long long ms)
{
	long long end = fo_test_now_ms() + ms * scale();
	struct resp o[16];
	size_t used = 0;
	int n = 0, i;

	for (;;) {
		if (http)
			n = parse_resps(r->b, r->len, NULL, 16, o, &used);
		else
			n = count_char(r->b, r->len, '\n');
		if (n >= k || rd_more(fd, r, end) <= 0)
			break;
	}
	if (n != k)
		return false;
	if (!http) {
		for (i = 0; i < k; i++)
			if (memcmp(r->b + 12 * i, "hello world\n", 12))
				return false;
		return r->len == (size_t)12 * k;
	}
	for (i = 0; i < k; i++)
		if (o[i].status != 200 || !body_is(&o[i], "hello world\n"))
			return false;
	return used == r->len;
}

/*
 * Many connections at once, each read into the scheduler's ring of
 * provided buffers (FANOUT_RECV_BUFS buffers: bufs, or the default when
 * NULL; "0": no ring, the readiness way): requests split across sends
 * (http), pipelined ones sent to every connection before any reply is read
 * (more connections with data at once than a small ring has buffers: the
 * reads that find none must wait and lose nothing), requests bigger than a
 * ring buffer (2 KB), and connections idle all along that then ask. Every
 * reply comes, complete and in order; the server counts every request.
 */
static void ring_clients(const char *bufs, const char *model, const char *proto)
{
	enum { NC = 120, NIDLE = 24, NBIG = 12 };
	static char pad[5000], big[5200];
	static const char *const pieces[3] = { "GET /split HTTP/1.1\r\nHo", "st: t\r\nX-A: b", "\r\n\r\n" };
	bool http = !strcmp(proto, "http");
	int fds[NC], idle[NIDLE], i, k;
	long long want = 0, got;
	struct proc s;
	struct rd r;

	if (bufs)
		CHECK_EQ(setenv("FANOUT_RECV_BUFS", bufs, 1), 0);
	else
		unsetenv("FANOUT_RECV_BUFS");
	start_server(&s, 0, "--model", model, "--proto", proto, NULL);
	for (i = 0; i < NIDLE; i++)
		idle[i] = cli(s.port);
	for (i = 0; i < NC; i++)
		fds[i] = cli(s.port);

	/* http: each request in three sends, each send to every connection
	 * before the next: the server holds many partial requests at once */
	if (http) {
		for (k = 0; k < 3; k++)
			for (i = 0; i < NC; i++)
				send_str(fds[i], pieces[k]);
		for (i = 0; i < NC; i++) {
			rd_init(&r);
			if (!read_replies(fds[i], &r, http, 1, 10000))
				fprintf(stderr, "split request, connection %d: %zu bytes:\n%s\n", i, r.len, r.b);
			CHECK(read_replies(fds[i], &r, http, 1, 10000));
			rd_free(&r);
		}
		want += NC;
	}

	/* three pipelined requests on every connection before any reply is read */
	for (k = 0; k < 2; k++) {
		for (i = 0; i < NC; i++)
			send_str(fds[i], http ? GET_KA "GET /b HTTP/1.1\r\nHost: t\r\n\r\n" GET_KA : "a\nbb\nccc\n");
		for (i = 0; i < NC; i++) {
			rd_init(&r);
			if (!read_replies(fds[i], &r, http, 3, 10000))
				fprintf(stderr, "pipelined, connection %d: %zu bytes:\n%s\n", i, r.len, r.b);
			CHECK(read_replies(fds[i], &r, http, 3, 10000));
			rd_free(&r);
		}
		want += 3 * NC;
	}

	/* bigger than a ring buffer: a 5 KB head (http; under --max-header
	 * 8192) or 5 KB lines, then a small request in the same send */
	memset(pad, 'x', sizeof(pad) - 1);
	for (i = 0; i < NBIG; i++) {
		if (http) {
			snprintf(big, sizeof(big), "GET /big HTTP/1.1\r\nHost: t\r\nX-Pad: %.*s\r\n\r\n" GET_KA,
				 4900 - i, pad);
		} else {
			/* lines of 100: every 512-byte read holds a newline */
			size_t o = 0;

			for (k = 0; k < 50; k++) {
				memcpy(big + o, pad, 99);
				big[o + 99] = '\n';
				o += 100;
			}
			big[o] = 0;
		}
		send_str(fds[i], big);
	}
	for (i = 0; i < NBIG; i++) {
		rd_init(&r);
		CHECK(read_replies(fds[i], &r, http, http ? 2 : 50, 10000));
		rd_free(&r);
	}
	want += NBIG * (http ? 2 : 50);

	/* the idle ones, idle all along, now ask */
	for (i = 0; i < NIDLE; i++)
		send_str(idle[i], http ? GET_KA : "1\n");
	for (i = 0; i < NIDLE; i++) {
		rd_init(&r);
		CHECK(read_replies(idle[i], &r, http, 1, 10000));
		rd_free(&r);
		close(idle[i]);
	}
	want += NIDLE;
	for (i = 0; i < NC; i++)
		close(fds[i]);
	got = stop_server(&s, SIGTERM);
	if (got != want)
		fprintf(stderr, "FANOUT_RECV_BUFS=%s %s: %lld requests counted, %lld sent\n%s", bufs ? bufs : "-",
			proto, got, want, s.out);
	CHECK_EQ(got, want);
	proc_free(&s);
	unsetenv("FANOUT_RECV_BUFS");
}

TEST(serve_ring_http) { ring_clients(NULL, "coro:1", "http"); }
TEST(serve_ring_line) { ring_clients(NULL, "coro:1", "line"); }
/* two buffers for 144 connections: most reads find the ring empty */
TEST(serve_ring_http_exhausted) { ring_clients("2", "coro:1", "http"); }
TEST(serve_ring_line_exhausted) { ring_clients("2", "coro:2", "line"); }
/* no ring: as on a kernel without them */
TEST(serve_ring_http_none) { ring_clients("0", "coro:1", "http"); }
