/*
 * `fanout load`: a closed-loop (or, with --rate, open-loop) load generator
 * for `fanout serve` and its peers, many connections per thread on the
 * runtime's coroutines.
 *
 * Each connection is a task: connect, then send a request and wait for the
 * whole response, again and again until the duration ends. Latency goes
 * into a per-thread log-linear histogram (32 sub-buckets per power of two:
 * about 3% resolution, no locks). With --rate R the requests of each
 * connection are due at fixed times (R spread over the connections), and
 * latency is measured from when a request was due, not from when it was
 * sent, so a stalled server is not hidden (no coordinated omission, as in
 * wrk2). A thread outside the runtime prints req/s every second.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../cli/cli.h"
#include "fanout/runtime.h"
#include "load.h"

#define SUB 32
#define NBUCKETS (64 * SUB)
#define MAX_THREADS 256
#define RESP_BUF 16384

struct hist {
	uint64_t n[NBUCKETS];
	int64_t max;
};

/* A scheduler thread's numbers: written by its tasks only, read by the
 * reporter (relaxed) and merged at the end. */
struct tstats {
	struct hist h;
	atomic_llong reqs, errors;
	char pad[64];
};

struct cfg {
	int proto; /* 0 line, 1 http */
	struct sockaddr_storage addr;
	socklen_t alen;
	char hostport[300];
	int conns, threads;
	int64_t duration, timeout;
	double rate;
	bool json;
	const char *path;
	char *req;
	size_t req_len;
	const char *line;       /* --line: the line request's text */
	int64_t t0, end;
	struct tstats *ts[MAX_THREADS];
	atomic_int nts;
	pthread_mutex_t lock;
	atomic_llong starved, connect_errors, reconnects;
};

static struct cfg *C;
static __thread struct tstats *my;

static struct tstats *tstats(void)
{
	if (!my) {
		my = calloc(1, sizeof(*my));
		if (my) {
			int i = atomic_fetch_add(&C->nts, 1);

			if (i < MAX_THREADS)
				__atomic_store_n(&C->ts[i], my, __ATOMIC_RELEASE); /* read by the reporter */
		}
	}
	return my;
}

static int bucket(int64_t v)
{
	int e;

	if (v < SUB)
		return v < 0 ? 0 : (int)v;
	e = 63 - __builtin_clzll((unsigned long long)v); /* v in [2^e, 2^(e+1)) */
	return (e - 4) * SUB + (int)((v >> (e - 5)) & (SUB - 1));
}

static int64_t bucket_value(int b)
{
	int e, m;

	if (b < SUB)
		return b;
	e = b / SUB + 4;
	m = b % SUB;
	/* the middle of the bucket */
	return ((int64_t)(SUB + m) << (e - 5)) + ((int64_t)1 << (e - 5)) / 2;
}

static void record(struct tstats *t, int64_t ns)
{
	int b = bucket(ns);

	if (b >= NBUCKETS)
		b = NBUCKETS - 1;
	t->h.n[b]++;
	if (ns > t->h.max)
		t->h.max = ns;
	atomic_fetch_add_explicit(&t->reqs, 1, memory_order_relaxed);
}

/* ---- one connection -------------------------------------------------------- */

/* p stays put (the request is built once): on io_uring the kernel sends
 * it, with no system call of its own. */
static int send_all(int fd, const char *p, size_t len, int64_t deadline)
{
	while (len) {
		ssize_t w = fo_send(fd, p, len, deadline);

		if (w < 0)
			return (int)w;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* How many bytes of buf[0..len) make one whole response; 0 = not yet. */
static size_t response_len(const struct cfg *c, const char *buf, size_t len, bool *close)
{
	size_t i;

	if (c->proto == 0) {
		const char *nl = memchr(buf, '\n', len);

		return nl ? (size_t)(nl - buf) + 1 : 0;
	}
	for (i = 3; i < len; i++) {
		if (buf[i] == '\n' && buf[i - 1] == '\r' && buf[i - 2] == '\n' && buf[i - 3] == '\r') {
			size_t head = i + 1;
			long long cl = 0;
			const char *p = buf;

			/* HTTP/1.0 closes after each response unless it says otherwise */
			if (len > 8 && !memcmp(buf, "HTTP/1.0", 8))
				*close = true;
			while (p < buf + head) {
				const char *eol = memchr(p, '\n', (size_t)(buf + head - p));

				if (!eol)
					break;
				if ((size_t)(eol - p) > 15 && !strncasecmp(p, "content-length:", 15))
					cl = strtoll(p + 15, NULL, 10);
				if ((size_t)(eol - p) > 11 && !strncasecmp(p, "connection:", 11) &&
				    strstr(p + 11, "close") && strstr(p + 11, "close") < eol)
					*close = true;
				p = eol + 1;
			}
			if (cl < 0)
				return 0;
			return len >= head + (size_t)cl ? head + (size_t)cl : 0;
		}
	}
	return 0;
}

/* Connects fd to the target; returns the fd or a negative errno. */
static int dial(struct cfg *c)
{
	int fd = socket(c->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), r, one = 1;

	if (fd < 0)
		return -errno;
	r = connect(fd, (struct sockaddr *)&c->addr, c->alen);
	if (r < 0 && errno == EINPROGRESS) {
		int err = 0;
		socklen_t el = sizeof(err);

		r = fo_wait_fd(fd, FO_WRITE, c->end);
		if (r > 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err)
			r = -err;
	} else if (r < 0) {
		r = -errno;
	}
	if (r < 0) {
		close(fd);
		return r;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/*
 * One connection's life: requests back to back until the end. When the
 * server closes the connection (EOF, or a response with Connection: close,
 * as nginx does after its keepalive_requests), it connects again, as wrk
 * does, and counts it.
 */
static int conn_task(struct fo_job *job, void *arg)
{
	struct cfg *c = arg;
	struct tstats *t = tstats();
	char *buf = malloc(RESP_BUF);
	size_t have = 0;
	long long replies = 0;
	int64_t interval = c->rate > 0 ? (int64_t)((double)c->conns / c->rate * 1e9) : 0;
	/* spread the connections' schedules over one interval */
	int64_t due = c->t0 + (interval ? interval * (int64_t)fo_job_index(job) / c->conns : 0);
	int fd = -1, r, ret = 0;

	if (!buf || !t) {
		free(buf);
		return -ENOMEM;
	}
	for (;;) {
		int64_t start, now = fo_now();
		bool close_after = false;
		size_t rl;

		if (now >= c->end)
			break;
		if (fd < 0) {
			fd = dial(c);
			if (fd < 0) {
				if (fd != -ECANCELED && fd != -ETIMEDOUT)
					atomic_fetch_add(&c->connect_errors, 1);
				fo_job_errorf(job, "connect %s: %s", c->hostport, fo_strerror(fd));
				ret = fd;
				goto out;
			}
			have = 0;
		}
		if (interval) {
			if (due > now && fo_sleep_until(due < c->end ? due : c->end) < 0)
				break;
			if (due >= c->end)
				break;
			start = due;
			due += interval;
		} else {
			start = now;
		}
		r = send_all(fd, c->req, c->req_len, c->end);
		if (r < 0) {
			if (r == -ECANCELED || r == -ETIMEDOUT)
				break;
			goto reconnect; /* the server went away between requests */
		}
		/* read until one whole response is here */
		while (!(rl = response_len(c, buf, have, &close_after))) {
			ssize_t n;

			if (have == RESP_BUF) {
				fo_job_errorf(job, "a response larger than %d bytes", RESP_BUF);
				ret = -EMSGSIZE;
				goto out;
			}
			n = fo_recv(fd, buf + have, RESP_BUF - have, c->end);
			if (n > 0) {
				have += (size_t)n;
				continue;
			}
			if (n == 0 || n == -ECONNRESET) {
				/* closed with this request unanswered: an error */
				atomic_fetch_add_explicit(&t->errors, 1, memory_order_relaxed);
				fo_job_errorf(job, "the server closed the connection before answering");
				goto reconnect;
			}
			if (n == -ECANCELED || n == -ETIMEDOUT)
				goto out; /* the run's end: this request does not count */
			ret = (int)n;
			atomic_fetch_add_explicit(&t->errors, 1, memory_order_relaxed);
			goto out;
		}
		if (fo_now() > c->end)
			break; /* it came after the run's end: not counted */
		record(t, fo_now() - start);
		replies++;
		memmove(buf, buf + rl, have - rl);
		have -= rl;
		if (!close_after)
			continue;
reconnect:
		close(fd);
		fd = -1;
		atomic_fetch_add(&c->reconnects, 1);
	}
out:
	if (replies == 0)
		atomic_fetch_add(&c->starved, 1);
	if (fd >= 0)
		close(fd);
	free(buf);
	return ret == -ETIMEDOUT || ret == -ECANCELED ? 0 : ret;
}

/* ---- reporting -------------------------------------------------------------- */

static long long total_reqs(void)
{
	long long s = 0;
	int i, n = atomic_load(&C->nts);

	for (i = 0; i < n && i < MAX_THREADS; i++) {
		struct tstats *t = __atomic_load_n(&C->ts[i], __ATOMIC_ACQUIRE);

		if (t)
			s += atomic_load_explicit(&t->reqs, memory_order_relaxed);
	}
	return s;
}

static atomic_bool reporter_stop;

static void *reporter(void *arg)
{
	long long last = 0;
	int sec = 0;

	(void)arg;
	while (!atomic_load(&reporter_stop)) {
		int64_t next = C->t0 + (int64_t)(sec + 1) * FO_SEC;

		while (fo_now() < next && !atomic_load(&reporter_stop))
			usleep(10000);
		if (atomic_load(&reporter_stop) || fo_now() > C->end + FO_SEC / 2)
			break;
		{
			long long now = total_reqs();

			sec++;
			if (!C->json)
				fprintf(stderr, "%4ds %10lld req/s\n", sec, now - last);
			last = now;
		}
	}
	return NULL;
}

static void fmt_ns(int64_t ns, char *b, size_t len)
{
	if (ns < 10 * FO_USEC)
		snprintf(b, len, "%.2fus", (double)ns / 1e3);
	else if (ns < 10 * FO_MSEC)
		snprintf(b, len, "%.0fus", (double)ns / 1e3);
	else
		snprintf(b, len, "%.2fms", (double)ns / 1e6);
}

static void on_int(int sig)
{
	(void)sig;
	fo_interrupt();
}

static void usage(FILE *f)
{
	fputs("usage: fanout load [--proto line|http] [-c CONNECTIONS] [-d DURATION] [--rate R]\n"
	      "                   [--threads T] [--path /] [--line TEXT] [--json] HOST:PORT\n"
	      "\n"
	      "Closed loop by default: each connection sends a request, waits for the whole\n"
	      "response, and sends the next. --rate R: open loop, R requests per second over all\n"
	      "connections at fixed times; latency counts from when a request was due.\n"
	      "Prints req/s every second, then the total, req/s, latency p50/p90/p99/p99.9/max,\n"
	      "errors, and connections that got no reply at all (starved).\n"
	      "defaults: --proto line -c 16 -d 10s --threads cores --path /\n"
	      "line requests are \"1\" (answered by one line), or TEXT and a newline with --line\n"
	      "(--line PING drives redis); http requests are GET keep-alive.\n",
	      f);
}

int fo_load_main(int argc, char **argv)
{
	struct cfg c;
	struct fo_run_opts o;
	struct fo_run *run;
	const char *target = NULL;
	pthread_t rep;
	struct hist all;
	long long reqs = 0, errors = 0;
	double secs;
	int i, e;

	memset(&c, 0, sizeof(c));
	c.conns = 16;
	c.duration = 10 * FO_SEC;
	c.path = "/";
	c.threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--json")) {
			c.json = true;
			continue;
		} else if (a[0] != '-') {
			if (target) {
				fprintf(stderr, "fanout: one HOST:PORT only ('%s' and '%s')\n", target, a);
				return 2;
			}
			target = a;
			continue;
		}
		if (!v) {
			fprintf(stderr, "fanout: %s needs a value (see fanout load --help)\n", a);
			return 2;
		}
		i++;
		if (!strcmp(a, "--proto")) {
			if (!strcmp(v, "line"))
				c.proto = 0;
			else if (!strcmp(v, "http"))
				c.proto = 1;
			else
				return fo_cli_bad(a, v, "line or http");
		} else if (!strcmp(a, "-c") || !strcmp(a, "--connections")) {
			long n = strtol(v, &end, 10);

			if (end == v || *end || n < 1 || n > 1000000)
				return fo_cli_bad(a, v, "a number of connections from 1 to 1000000");
			c.conns = (int)n;
		} else if (!strcmp(a, "-d") || !strcmp(a, "--duration")) {
			if (fo_duration_parse(v, &c.duration) < 0 || c.duration <= 0)
				return fo_cli_bad(a, v, "a duration such as 10s or 500ms");
		} else if (!strcmp(a, "--rate")) {
			c.rate = strtod(v, &end);
			if (end == v || *end || !(c.rate > 0))
				return fo_cli_bad(a, v, "requests per second, such as 10000");
		} else if (!strcmp(a, "--threads") || !strcmp(a, "-t")) {
			long n = strtol(v, &end, 10);

			if (end == v || *end || n < 1 || n > MAX_THREADS)
				return fo_cli_bad(a, v, "a thread count from 1 to 256");
			c.threads = (int)n;
		} else if (!strcmp(a, "--line")) {
			if (strpbrk(v, "\r\n") || !*v)
				return fo_cli_bad(a, v, "one line of text, such as PING");
			c.line = v;
		} else if (!strcmp(a, "--path")) {
			if (v[0] != '/' || strpbrk(v, " \r\n"))
				return fo_cli_bad(a, v, "a path starting with / and without spaces");
			c.path = v;
		} else {
			fprintf(stderr, "fanout: unknown option '%s' for 'load' (see fanout load --help)\n", a);
			return 2;
		}
	}
	if (!target) {
		fprintf(stderr, "fanout: load needs HOST:PORT, e.g. fanout load 127.0.0.1:7000\n");
		return 2;
	}
	{
		const char *colon = strrchr(target, ':');
		char host[256];
		struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV, .ai_socktype = SOCK_STREAM };
		struct addrinfo *ai = NULL;
		size_t hl = colon ? (size_t)(colon - target) : 0;

		{
			char *pend;
			long pn = colon ? strtol(colon + 1, &pend, 10) : 0;

			if (!colon || !hl || hl >= sizeof(host) || !colon[1] || *pend || pn < 1 || pn > 65535)
				return fo_cli_bad("target", target,
					   "HOST:PORT with a numeric host and a port from 1 to 65535, such as "
					   "127.0.0.1:7000 or [::1]:7000");
		}
		memcpy(host, target, hl);
		host[hl] = 0;
		if (host[0] == '[' && host[hl - 1] == ']') {
			memmove(host, host + 1, hl - 2);
			host[hl - 2] = 0;
		}
		/* numeric only: no name lookup, nothing blocks */
		if (getaddrinfo(host, colon + 1, &hints, &ai) != 0 || !ai) /* banned-ok: numeric, at start */
			return fo_cli_bad("target", target, "HOST:PORT with a numeric host, such as 127.0.0.1:7000 or [::1]:7000");
		memcpy(&c.addr, ai->ai_addr, ai->ai_addrlen);
		c.alen = (socklen_t)ai->ai_addrlen;
		freeaddrinfo(ai);
		snprintf(c.hostport, sizeof(c.hostport), "%s", target);
		if (c.proto == 1) {
			size_t cap = strlen(c.path) + strlen(target) + 64;

			c.req = malloc(cap);
			if (!c.req)
				return 1;
			c.req_len = (size_t)snprintf(c.req, cap, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", c.path, target);
		} else if (c.line) {
			/* a line of the caller's, e.g. PING for redis's inline protocol */
			size_t n = strlen(c.line);

			c.req = malloc(n + 2);
			if (!c.req)
				return 1;
			memcpy(c.req, c.line, n);
			memcpy(c.req + n, "\n", 2);
			c.req_len = n + 1;
		} else {
			c.req = strdup("1");
			c.req_len = 1;
		}
	}
	C = &c;
	fo_raise_nofile();
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_int);
	signal(SIGTERM, on_int);
	memset(&o, 0, sizeof(o));
	o.model.kind = FO_MODEL_CORO;
	o.model.procs = 1;
	o.model.threads = c.threads;
	o.ntasks = (size_t)c.conns;
	o.fn = conn_task;
	o.arg = &c;
	o.keep_results = true;
	c.t0 = fo_now();
	c.end = c.t0 + c.duration;
	pthread_create(&rep, NULL, reporter, NULL);
	run = fo_run(&o, &e);
	atomic_store(&reporter_stop, true);
	pthread_join(rep, NULL);
	if (!run) {
		fprintf(stderr, "fanout: cannot start the load: %s\n", fo_strerror(e));
		return 1;
	}
	secs = (double)(fo_now() - c.t0) / 1e9;
	if (fo_interrupted())
		secs = (double)(fo_now() - c.t0) / 1e9;
	else if (secs > (double)c.duration / 1e9)
		secs = (double)c.duration / 1e9;
	memset(&all, 0, sizeof(all));
	for (i = 0; i < atomic_load(&c.nts) && i < MAX_THREADS; i++) {
		int b;

		for (b = 0; b < NBUCKETS; b++)
			all.n[b] += c.ts[i]->h.n[b];
		if (c.ts[i]->h.max > all.max)
			all.max = c.ts[i]->h.max;
		reqs += atomic_load(&c.ts[i]->reqs);
		errors += atomic_load(&c.ts[i]->errors);
	}
	{
		const double qs[] = { 0.5, 0.9, 0.99, 0.999 };
		int64_t pv[4] = { 0 };
		const char *first_err = NULL;
		const struct fo_run_stats *st = fo_run_stats(run);
		long long seen = 0;
		int q = 0, b;

		for (b = 0; b < NBUCKETS && q < 4; b++) {
			seen += (long long)all.n[b];
			while (q < 4 && reqs > 0 && (double)seen >= qs[q] * (double)reqs)
				pv[q++] = bucket_value(b);
		}
		for (size_t k = 0; k < (size_t)c.conns; k++) {
			const struct fo_result *r = fo_run_result(run, k);

			if (r && r->status != FO_OK && r->error) {
				first_err = r->error;
				break;
			}
		}
		errors += (long long)st->count[FO_FAILED];
		if (c.json) {
			printf("{\"target\":\"%s\",\"proto\":\"%s\",\"connections\":%d,\"threads\":%d,"
			       "\"duration_s\":%.3f,\"rate\":%.1f,\"requests\":%lld,\"rps\":%.1f,\"errors\":%lld,"
			       "\"connect_errors\":%lld,\"reconnects\":%lld,\"starved\":%lld,\"latency_us\":{\"p50\":%.1f,\"p90\":%.1f,"
			       "\"p99\":%.1f,\"p99.9\":%.1f,\"max\":%.1f}}\n",
			       c.hostport, c.proto ? "http" : "line", c.conns, c.threads, secs, c.rate, reqs,
			       (double)reqs / secs, errors, atomic_load(&c.connect_errors), atomic_load(&c.reconnects),
			       atomic_load(&c.starved),
			       (double)pv[0] / 1e3, (double)pv[1] / 1e3, (double)pv[2] / 1e3, (double)pv[3] / 1e3,
			       (double)all.max / 1e3);
		} else {
			char p50[32], p90[32], p99[32], p999[32], mx[32];

			fmt_ns(pv[0], p50, sizeof(p50));
			fmt_ns(pv[1], p90, sizeof(p90));
			fmt_ns(pv[2], p99, sizeof(p99));
			fmt_ns(pv[3], p999, sizeof(p999));
			fmt_ns(all.max, mx, sizeof(mx));
			printf("fanout load: %s, proto %s, %d connections on %d threads, %.2fs%s\n", c.hostport,
			       c.proto ? "http" : "line", c.conns, c.threads, secs,
			       c.rate > 0 ? " (open loop)" : "");
			printf("  requests %lld, %.0f req/s, errors %lld, starved %lld of %d connections", reqs,
			       (double)reqs / secs, errors, atomic_load(&c.starved), c.conns);
			if (atomic_load(&c.reconnects))
				printf(", %lld reconnects (the server closed)", atomic_load(&c.reconnects));
			printf("\n");
			printf("  latency  p50 %s  p90 %s  p99 %s  p99.9 %s  max %s%s\n", p50, p90, p99, p999, mx,
			       c.rate > 0 ? "  (from when each request was due)" : "");
			if (first_err)
				printf("  first error: %s\n", first_err);
		}
		fo_run_free(run);
		free(c.req);
		for (i = 0; i < atomic_load(&c.nts) && i < MAX_THREADS; i++)
			free(c.ts[i]);
		if (fo_interrupted())
			return 130;
		if (reqs == 0 && !c.json)
			fprintf(stderr, "fanout: no replies at all from %s (is it speaking --proto %s?)\n",
				c.hostport, c.proto ? "http" : "line");
		return errors || atomic_load(&c.connect_errors) || reqs == 0 ? 1 : 0;
	}
}
