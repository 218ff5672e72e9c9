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
#include <ctype.h>
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
#include "../serve/common.h"
#include "../util/json.h"
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
	atomic_llong malformed;   /* of the errors: responses that were not HTTP */
	atomic_llong cls[6];      /* whole responses by status class, other than 2xx and 3xx */
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
	bool json, json_seconds;
	int64_t ramp[FO_LOAD_MAX_RAMP]; /* --ramp: connection counts, one a step */
	int nramp;
	int64_t ramp_every;
	const char *path;
	char *req;
	size_t req_len;
	const char *line;       /* --line: the line request's text */
	int64_t t0, end;
	struct tstats *ts[MAX_THREADS];
	atomic_int nts;
	pthread_mutex_t lock;
	atomic_llong starved, connect_errors, reconnects;
	atomic_llong served[FO_LOAD_MAX_RAMP]; /* connections that have had a reply, by the --ramp step they opened in */
	atomic_bool have_first_err;
	char first_err[256];    /* the first error a connection went on after */
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

/*
 * Reading a response, a piece at a time (RFC 9112 §6.3 for where an HTTP
 * body ends): the head whole in the buffer, then the body skipped as it
 * comes (Content-Length, chunked, or up to the close), so no size of body
 * is too big. A malformed response (not HTTP/1.x, a status outside
 * 100-599, a header line without a colon, a bad length or chunk size) ends
 * the reading with why set.
 */
enum phase { PH_HEAD, PH_BODY, PH_CHUNK_SIZE, PH_CHUNK_DATA, PH_CHUNK_END, PH_TRAILERS, PH_TO_CLOSE, PH_DONE };

struct resp {
	enum phase ph;
	int status;        /* 0 for the line protocol */
	long long left;    /* body or chunk bytes still to come */
	bool close;        /* the server closes after this response */
	const char *why;   /* malformed: what is wrong */
};

/* The end of the line starting at p (LF, or CR LF), or NULL; *next after it. */
static const char *line_end(const char *p, const char *end, const char **next)
{
	const char *lf = memchr(p, '\n', (size_t)(end - p));

	if (!lf)
		return NULL;
	*next = lf + 1;
	return lf > p && lf[-1] == '\r' ? lf - 1 : lf;
}

/* Whether the header value v..ve (a comma-separated list) holds tok, or ends with it. */
static bool list_has(const char *v, const char *ve, const char *tok, bool last_only)
{
	size_t tl = strlen(tok);
	bool found = false;

	while (v < ve) {
		const char *s, *e;

		while (v < ve && (*v == ' ' || *v == '\t' || *v == ','))
			v++;
		for (s = v; v < ve && *v != ','; v++)
			;
		for (e = v; e > s && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		found = (size_t)(e - s) == tl && !strncasecmp(s, tok, tl);
		if (found && !last_only)
			return true;
	}
	return found;
}

static int status_line(const char *p, const char *le, struct resp *r)
{
	if (le - p < 12 || memcmp(p, "HTTP/1.", 7) || (p[7] != '0' && p[7] != '1') || p[8] != ' ' ||
	    !isdigit((unsigned char)p[9]) || !isdigit((unsigned char)p[10]) || !isdigit((unsigned char)p[11]) ||
	    (le - p > 12 && p[12] != ' ')) {
		r->why = "not an HTTP/1.x status line";
		return -1;
	}
	r->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
	if (r->status < 100 || r->status > 599) {
		r->why = "a status outside 100-599";
		return -1;
	}
	r->close = p[7] == '0'; /* HTTP/1.0 closes unless it says keep-alive */
	return 0;
}

/* One header line: the fields that frame the body or end the connection. */
static int header_line(const char *p, const char *le, struct resp *r, long long *cl, bool *chunked)
{
	const char *colon = p, *v, *ve = le;

	while (colon < le && *colon != ':' && *colon != ' ' && *colon != '\t')
		colon++;
	if (colon == p || colon == le || *colon != ':') {
		r->why = "a header line without a name and a colon";
		return -1;
	}
	for (v = colon + 1; v < ve && (*v == ' ' || *v == '\t'); v++)
		;
	while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
		ve--;
	if (colon - p == 14 && !strncasecmp(p, "content-length", 14)) {
		long long n = 0;
		const char *q;

		for (q = v; q < ve; q++) {
			if (!isdigit((unsigned char)*q) || n > 100000000000000LL)
				break;
			n = n * 10 + (*q - '0');
		}
		if (v == ve || q != ve || (*cl >= 0 && *cl != n)) {
			r->why = "a bad Content-Length";
			return -1;
		}
		*cl = n;
	} else if (colon - p == 17 && !strncasecmp(p, "transfer-encoding", 17)) {
		*chunked = list_has(v, ve, "chunked", true);
		if (!*chunked)
			r->left = -1; /* another coding: the body runs to the close */
	} else if (colon - p == 10 && !strncasecmp(p, "connection", 10)) {
		if (list_has(v, ve, "close", false))
			r->close = true;
		else if (list_has(v, ve, "keep-alive", false))
			r->close = false;
	}
	return 0;
}

/* The head at b[0..len): its length, 0 while incomplete, -1 malformed. */
static long head_parse(const char *b, size_t len, struct resp *r)
{
	const char *p = b, *end = b + len, *le, *next;
	long long cl = -1;
	bool chunked = false;

	/* garbage shows in its first bytes: no need to wait for a blank line */
	if (memcmp(b, "HTTP/1.", len < 7 ? len : 7)) {
		r->why = "not an HTTP/1.x status line";
		return -1;
	}
	if (!(le = line_end(p, end, &next)))
		return 0;
	if (status_line(p, le, r) < 0)
		return -1;
	r->left = 0;
	for (p = next; (le = line_end(p, end, &next)) && le > p; p = next)
		if (header_line(p, le, r, &cl, &chunked) < 0)
			return -1;
	if (!le)
		return 0;
	if (r->status < 200 || r->status == 204 || r->status == 304)
		r->ph = PH_DONE;  /* no body (the requests are GETs) */
	else if (chunked)
		r->ph = PH_CHUNK_SIZE;
	else if (r->left < 0 || cl < 0)
		r->ph = PH_TO_CLOSE, r->close = true;
	else
		r->ph = cl ? PH_BODY : PH_DONE, r->left = cl;
	return (long)(next - b);
}

/* A chunk-size line: hex digits, maybe an extension after ';'. */
static long chunk_size(const char *b, size_t len, struct resp *r)
{
	const char *end = b + len, *le, *next, *p;
	long long n = 0;

	if (!(le = line_end(b, end, &next))) {
		if (len <= 1024)
			return 0;
		r->why = "a chunk-size line over 1024 bytes";
		return -1;
	}
	for (p = b; p < le && isxdigit((unsigned char)*p) && n < (1LL << 40); p++)
		n = n * 16 + (isdigit((unsigned char)*p) ? *p - '0' : (tolower((unsigned char)*p) - 'a' + 10));
	while (p < le && (*p == ' ' || *p == '\t'))
		p++;
	if (p == b || (p < le && *p != ';')) {
		r->why = "a bad chunk size";
		return -1;
	}
	r->left = n;
	r->ph = n ? PH_CHUNK_DATA : PH_TRAILERS;
	return (long)(next - b);
}

/*
 * Takes what it can of b[0..len) for the response being read: the bytes
 * used (the caller drops them), or -1 when it is malformed (r->why).
 * Complete when r->ph is PH_DONE; PH_TO_CLOSE ends at the close.
 */
static long resp_feed(const struct cfg *c, struct resp *r, const char *b, size_t len)
{
	size_t used = 0;

	while (used < len && r->ph != PH_DONE) {
		const char *p = b + used, *next;
		size_t n = len - used;
		long k = 0;

		if (c->proto == 0) {
			const char *nl = memchr(p, '\n', n);

			if (!nl)
				break;
			k = nl - p + 1;
			r->ph = PH_DONE;
		} else if (r->ph == PH_HEAD) {
			k = head_parse(p, n, r);
			if (k > 0 && r->status < 200 && r->status != 101)
				r->ph = PH_HEAD; /* an interim response: the real one follows */
		} else if (r->ph == PH_BODY || r->ph == PH_CHUNK_DATA || r->ph == PH_TO_CLOSE) {
			k = r->ph == PH_TO_CLOSE || (long long)n < r->left ? (long)n : (long)r->left;
			if (r->ph != PH_TO_CLOSE && !(r->left -= k))
				r->ph = r->ph == PH_BODY ? PH_DONE : PH_CHUNK_END;
		} else if (r->ph == PH_CHUNK_SIZE) {
			k = chunk_size(p, n, r);
		} else if (r->ph == PH_CHUNK_END) {
			if (!line_end(p, b + len, &next))
				break;
			if (*p != '\n' && (*p != '\r' || p[1] != '\n')) {
				r->why = "chunk data longer than its size";
				return -1;
			}
			k = (long)(next - p);
			r->ph = PH_CHUNK_SIZE;
		} else { /* trailers, up to a blank line */
			const char *le = line_end(p, b + len, &next);

			if (!le)
				break;
			k = (long)(next - p);
			if (le == p)
				r->ph = PH_DONE;
		}
		if (k < 0)
			return -1;
		if (k == 0)
			break;
		used += (size_t)k;
	}
	return (long)used;
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

/* How waiting for one response ended. */
enum outcome { O_GOT, O_CLOSED, O_MALFORMED, O_END, O_FAILED };

/*
 * Reads until the response to the request just sent is whole (r says
 * what it was). *have bytes wait in buf, before and after: what came after
 * the response stays for the next one.
 */
static enum outcome await_response(struct cfg *c, int fd, char *buf, size_t *have, struct resp *r, int *err)
{
	memset(r, 0, sizeof(*r));
	for (;;) {
		long used = resp_feed(c, r, buf, *have);
		ssize_t n;

		if (used < 0)
			return O_MALFORMED;
		memmove(buf, buf + used, *have - (size_t)used);
		*have -= (size_t)used;
		if (r->ph == PH_DONE)
			return O_GOT;
		if (*have == RESP_BUF) {
			r->why = c->proto ? "a response head over 16384 bytes" : "a line over 16384 bytes";
			return O_MALFORMED;
		}
		n = fo_recv(fd, buf + *have, RESP_BUF - *have, c->end);
		if (n > 0) {
			*have += (size_t)n;
		} else if (n == 0 && r->ph == PH_TO_CLOSE) {
			r->ph = PH_DONE; /* a body up to the close: it is whole now */
			return O_GOT;
		} else if (n == 0 || n == -ECONNRESET) {
			return O_CLOSED;
		} else if (n == -ECANCELED || n == -ETIMEDOUT) {
			return O_END; /* the run's end: this request does not count */
		} else {
			*err = (int)n;
			return O_FAILED;
		}
	}
}

/*
 * A whole response: a success (2xx or 3xx, or any line) goes into the
 * latency histogram and req/s; any other status is counted by its class.
 */
static void tally(struct tstats *t, struct resp *r, int64_t latency)
{
	if (r->status == 0 || (r->status >= 200 && r->status < 400)) {
		record(t, latency);
		return;
	}
	atomic_fetch_add_explicit(&t->cls[r->status / 100], 1, memory_order_relaxed);
	if (r->status == 101)
		r->close = true; /* switched to a protocol we do not speak */
}

/* Counts an error of this connection; the run's first is kept to be shown. */
static void conn_error(struct cfg *c, struct tstats *t, const struct resp *r)
{
	atomic_fetch_add_explicit(&t->errors, 1, memory_order_relaxed);
	if (r->why)
		atomic_fetch_add_explicit(&t->malformed, 1, memory_order_relaxed);
	if (atomic_exchange(&c->have_first_err, true))
		return;
	if (r->why)
		snprintf(c->first_err, sizeof(c->first_err), "a malformed response: %s", r->why);
	else
		snprintf(c->first_err, sizeof(c->first_err), "the server closed the connection before answering");
}

/*
 * One connection's life: requests back to back until the end. When the
 * server closes the connection (EOF, or a response with Connection: close,
 * as nginx does after its keepalive_requests), it connects again, as wrk
 * does, and counts it; so it does after an unanswered request or a
 * malformed response, which count as errors.
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
	int fd = -1, r, ret = 0, step = 0;

	if (!buf || !t) {
		free(buf);
		return -ENOMEM;
	}
	/* --ramp: this connection opens with the first step whose count takes it in */
	if (c->nramp) {
		while (step < c->nramp - 1 && (int64_t)fo_job_index(job) >= c->ramp[step])
			step++;
		if (step && fo_sleep_until(c->t0 + step * c->ramp_every) < 0) {
			free(buf);
			return 0; /* the run was stopped before its step came */
		}
	}
	for (;;) {
		int64_t start, now = fo_now();
		struct resp resp;

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
		switch (await_response(c, fd, buf, &have, &resp, &ret)) {
		case O_GOT:
			if (fo_now() > c->end)
				goto out; /* it came after the run's end: not counted */
			tally(t, &resp, fo_now() - start);
			if (replies++ == 0)
				atomic_fetch_add(&c->served[step], 1);
			if (!resp.close)
				continue;
			break;
		case O_CLOSED:
		case O_MALFORMED:
			conn_error(c, t, &resp);
			break;
		case O_END:
			goto out;
		case O_FAILED:
			atomic_fetch_add_explicit(&t->errors, 1, memory_order_relaxed);
			goto out;
		}
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

/* --ramp: the step under way just before t (ns since the start); 0 without. */
static int step_at(const struct cfg *c, int64_t t)
{
	int64_t step = t > 0 && c->nramp ? (t - 1) / c->ramp_every : 0;

	return (int)(step < c->nramp ? step : c->nramp - 1);
}

/* The connections open just before t. */
static int ramp_at(const struct cfg *c, int64_t t)
{
	return c->nramp ? (int)c->ramp[step_at(c, t)] : c->conns;
}

/* Of the connections open just before t, those that have had a reply. */
static long long served_at(const struct cfg *c, int64_t t)
{
	long long n = 0;
	int i, last = step_at(c, t);

	for (i = 0; i <= last; i++)
		n += atomic_load(&c->served[i]);
	return n;
}

/*
 * A line each second: req/s on stderr, or with --json-seconds a JSON
 * object on stdout (the second, the seconds since the start as measured,
 * the connections open in its middle, the requests done in it, and of
 * those connections the ones that have had a reply by its end: the rest
 * wait, starved so far, as a pool of N threads leaves client N+1). The last
 * whole second is reported even when the run ends as it does; a run cut
 * short by a signal stops the lines at once.
 */
static void *reporter(void *arg)
{
	long long last = 0;
	int sec = 0;

	(void)arg;
	for (;;) {
		int64_t next = C->t0 + (int64_t)(sec + 1) * FO_SEC, now;

		while ((now = fo_now()) < next && !atomic_load(&reporter_stop))
			usleep(10000);
		/* stopped before the second was whole; or past the run's end (a
		 * late wake-up still reports a second that was in it) */
		if (now < next || fo_interrupted() || next > C->end + FO_SEC / 2)
			break;
		{
			long long total = total_reqs();

			sec++;
			if (C->json_seconds) {
				printf("{\"second\":%d,\"t\":%.6f,\"connections\":%d,\"requests\":%lld,\"served\":%lld}\n",
				       sec, (double)(now - C->t0) / 1e9, ramp_at(C, (int64_t)sec * FO_SEC - FO_SEC / 2),
				       total - last, served_at(C, (int64_t)sec * FO_SEC - FO_SEC / 2));
				fflush(stdout);
			} else if (!C->json) {
				fprintf(stderr, "%4ds %10lld req/s\n", sec, total - last);
			}
			last = total;
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

/* The request, made once: GET for http, the line (or "1") for line. */
static int make_request(struct cfg *c, const char *target)
{
	size_t cap = strlen(c->path) + strlen(target) + 64;

	if (c->proto == 1) {
		c->req = malloc(cap);
		if (!c->req)
			return -ENOMEM;
		c->req_len = (size_t)snprintf(c->req, cap, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", c->path, target);
	} else if (c->line) {
		/* a line of the caller's, e.g. PING for redis's inline protocol */
		size_t n = strlen(c->line);

		c->req = malloc(n + 2);
		if (!c->req)
			return -ENOMEM;
		memcpy(c->req, c->line, n);
		memcpy(c->req + n, "\n", 2);
		c->req_len = n + 1;
	} else {
		c->req = strdup("1");
		c->req_len = 1;
	}
	return c->req ? 0 : -ENOMEM;
}

/* HOST:PORT, numeric only (no name lookup, nothing blocks): 0 or exit code 2. */
static int set_target(struct cfg *c, const char *target)
{
	static const char forms[] = "HOST:PORT with a numeric host and a port from 1 to 65535, such as "
				    "127.0.0.1:7000 or [::1]:7000";
	const char *colon = strrchr(target, ':');
	char host[256];
	size_t hl = colon ? (size_t)(colon - target) : 0;
	uint64_t port;

	if (!colon || !hl || hl >= sizeof(host) || fo_cli_uint(colon + 1, 1, 65535, &port) < 0)
		return fo_cli_bad("target", target, forms);
	memcpy(host, target, hl);
	host[hl] = 0;
	if (fo__addr_literal(host, (uint16_t)port, &c->addr, &c->alen) < 0)
		return fo_cli_bad("target", target, forms);
	snprintf(c->hostport, sizeof(c->hostport), "%s", target);
	return 0;
}

/* The threads' numbers added up. */
struct totals {
	struct hist all;
	long long reqs, errors, malformed, cls[6], other;
	int64_t pv[4]; /* p50, p90, p99, p99.9 */
};

static void add_up(struct cfg *c, struct totals *tt)
{
	const double qs[] = { 0.5, 0.9, 0.99, 0.999 };
	long long seen = 0;
	int i, b, k, q = 0;

	memset(tt, 0, sizeof(*tt));
	for (i = 0; i < atomic_load(&c->nts) && i < MAX_THREADS; i++) {
		for (b = 0; b < NBUCKETS; b++)
			tt->all.n[b] += c->ts[i]->h.n[b];
		if (c->ts[i]->h.max > tt->all.max)
			tt->all.max = c->ts[i]->h.max;
		tt->reqs += atomic_load(&c->ts[i]->reqs);
		tt->errors += atomic_load(&c->ts[i]->errors);
		tt->malformed += atomic_load(&c->ts[i]->malformed);
		for (k = 0; k < 6; k++)
			tt->cls[k] += atomic_load(&c->ts[i]->cls[k]);
	}
	tt->other = tt->cls[1] + tt->cls[4] + tt->cls[5];
	for (b = 0; b < NBUCKETS && q < 4; b++) {
		seen += (long long)tt->all.n[b];
		while (q < 4 && tt->reqs > 0 && (double)seen >= qs[q] * (double)tt->reqs)
			tt->pv[q++] = bucket_value(b);
	}
}

static void print_json(const struct cfg *c, const struct totals *tt, double secs)
{
	fputs("{\"target\":", stdout);
	fo__json_fputs(stdout, c->hostport); /* as typed: it may hold anything */
	printf(",\"proto\":\"%s\",\"connections\":%d,\"threads\":%d,"
	       "\"duration_s\":%.3f,\"rate\":%.1f,\"requests\":%lld,\"rps\":%.1f,\"errors\":%lld,"
	       "\"malformed\":%lld,\"non_2xx_3xx\":%lld,\"status_1xx\":%lld,\"status_4xx\":%lld,\"status_5xx\":%lld,"
	       "\"connect_errors\":%lld,\"reconnects\":%lld,\"starved\":%lld,\"latency_us\":{\"p50\":%.1f,\"p90\":%.1f,"
	       "\"p99\":%.1f,\"p99.9\":%.1f,\"max\":%.1f}}\n",
	       c->proto ? "http" : "line", c->conns, c->threads, secs, c->rate, tt->reqs,
	       (double)tt->reqs / secs, tt->errors, tt->malformed, tt->other, tt->cls[1], tt->cls[4], tt->cls[5],
	       atomic_load(&c->connect_errors), atomic_load(&c->reconnects), atomic_load(&c->starved),
	       (double)tt->pv[0] / 1e3, (double)tt->pv[1] / 1e3, (double)tt->pv[2] / 1e3, (double)tt->pv[3] / 1e3,
	       (double)tt->all.max / 1e3);
}

static void print_text(struct cfg *c, const struct totals *tt, double secs, const char *first_err)
{
	char p[5][32];
	int q;

	for (q = 0; q < 4; q++)
		fmt_ns(tt->pv[q], p[q], sizeof(p[q]));
	fmt_ns(tt->all.max, p[4], sizeof(p[4]));
	printf("fanout load: %s, proto %s, %d connections on %d threads, %.2fs%s\n", c->hostport,
	       c->proto ? "http" : "line", c->conns, c->threads, secs, c->rate > 0 ? " (open loop)" : "");
	printf("  requests %lld, %.0f req/s, errors %lld", tt->reqs, (double)tt->reqs / secs, tt->errors);
	if (tt->malformed)
		printf(" (%lld malformed responses)", tt->malformed);
	if (c->proto)
		printf(", non-2xx/3xx %lld", tt->other);
	if (tt->other)
		printf(" (1xx %lld, 4xx %lld, 5xx %lld)", tt->cls[1], tt->cls[4], tt->cls[5]);
	printf(", starved %lld of %d connections", atomic_load(&c->starved), c->conns);
	if (atomic_load(&c->reconnects))
		printf(", %lld reconnects (closed by the server or after an error)", atomic_load(&c->reconnects));
	printf("\n");
	printf("  latency  p50 %s  p90 %s  p99 %s  p99.9 %s  max %s%s\n", p[0], p[1], p[2], p[3], p[4],
	       c->rate > 0 ? "  (from when each request was due)" : "");
	if (first_err)
		printf("  first error: %s\n", first_err);
}

/* Prints the totals of run; returns the exit code. */
static int report(struct cfg *c, struct fo_run *run)
{
	const struct fo_run_stats *st = fo_run_stats(run);
	const char *first_err = c->have_first_err ? c->first_err : NULL;
	double secs = (double)(fo_now() - c->t0) / 1e9;
	struct totals tt;
	size_t k;

	if (!fo_interrupted() && secs > (double)c->duration / 1e9)
		secs = (double)c->duration / 1e9;
	add_up(c, &tt);
	for (k = 0; k < (size_t)c->conns && !first_err; k++) {
		const struct fo_result *r = fo_run_result(run, k);

		if (r && r->status != FO_OK && r->error)
			first_err = r->error;
	}
	tt.errors += (long long)st->count[FO_FAILED];
	if (c->json)
		print_json(c, &tt, secs);
	else
		print_text(c, &tt, secs, first_err);
	fflush(stdout);
	if (fo_interrupted())
		return 130;
	if (tt.reqs == 0 && tt.other == 0 && !c->json)
		fprintf(stderr, "fanout: no replies at all from %s (is it speaking --proto %s?)\n", c->hostport,
			c->proto ? "http" : "line");
	return tt.errors || tt.other || atomic_load(&c->connect_errors) || tt.reqs == 0 ? 1 : 0;
}

/* The config into the run's state: 0, or an exit code. */
static int load_init(struct cfg *c, const struct fo_load_cfg *cfg)
{
	int rc;

	memset(c, 0, sizeof(*c));
	c->proto = cfg->proto;
	c->conns = (int)cfg->conns;
	c->threads = (int)cfg->threads;
	c->duration = cfg->duration;
	c->rate = cfg->rate;
	c->json = cfg->json || cfg->json_seconds;
	c->json_seconds = cfg->json_seconds;
	c->path = cfg->path;
	if (cfg->nramp) {
		memcpy(c->ramp, cfg->ramp, sizeof(c->ramp));
		c->nramp = cfg->nramp;
		c->ramp_every = cfg->ramp_every;
		c->conns = (int)cfg->ramp[cfg->nramp - 1];
		c->duration = cfg->nramp * cfg->ramp_every;
	}
	c->line = cfg->line;
	if ((rc = set_target(c, cfg->target)) != 0)
		return rc;
	return make_request(c, cfg->target) < 0 ? 1 : 0;
}

static void load_free(struct cfg *c)
{
	int i;

	free(c->req);
	for (i = 0; i < atomic_load(&c->nts) && i < MAX_THREADS; i++)
		free(c->ts[i]);
}

int fo_load_run(const struct fo_load_cfg *cfg)
{
	struct cfg c;
	struct fo_run_opts o;
	struct fo_run *run;
	struct fo_stopsig stop = { 0 };
	pthread_t rep;
	bool have_rep;
	int e, rc;

	if ((rc = load_init(&c, cfg)) != 0) {
		free(c.req);
		return rc;
	}
	C = &c;
	fo_raise_nofile();
	signal(SIGPIPE, SIG_IGN);
	if ((e = fo__stopsig_start(&stop)) < 0) {
		fprintf(stderr, "fanout: cannot start the signal thread: %s\n", fo_strerror(e));
		free(c.req);
		return 1;
	}
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
	/* without the thread there are no per-second lines; the run and
	 * its report are the same */
	have_rep = pthread_create(&rep, NULL, reporter, NULL) == 0;
	run = fo_run(&o, &e);
	atomic_store(&reporter_stop, true);
	if (have_rep)
		pthread_join(rep, NULL);
	fo__stopsig_stop(&stop);
	if (!run) {
		fprintf(stderr, "fanout: cannot start the load: %s\n", fo_strerror(e));
		load_free(&c);
		return 1;
	}
	rc = report(&c, run);
	fo_run_free(run);
	load_free(&c);
	return rc;
}

/* The operands: one HOST:PORT. 0, or FO_OPTS_BAD after the one line. */
static int one_target(struct fo_load_cfg *cfg, const struct fo_optlist *ops)
{
	if (ops->n > 1) {
		fprintf(stderr, "fanout: one HOST:PORT only ('%s' and '%s')\n", ops->v[0], ops->v[1]);
		return FO_OPTS_BAD;
	}
	if (!ops->n) {
		fprintf(stderr, "fanout: load needs HOST:PORT, e.g. fanout load 127.0.0.1:7000\n");
		return FO_OPTS_BAD;
	}
	cfg->target = ops->v[0];
	return 0;
}

/* --ramp sets the connections and the duration, and is closed loop: -c,
 * -d and --rate are refused beside it, --ramp-every without it. 0, or
 * FO_OPTS_BAD after the one line. */
static int ramp_flags(const struct fo_load_cfg *cfg, const struct fo_optres *res)
{
	static const char *const not_with[] = { "connections", "duration", "rate" };
	size_t i;

	if (!cfg->nramp && fo_opts_given(&fo_load_opts, res, "ramp-every")) {
		fprintf(stderr, "fanout: --ramp-every is the length of a --ramp step: give --ramp too, such as "
				"--ramp 1,2,4,8\n");
		return FO_OPTS_BAD;
	}
	for (i = 0; cfg->nramp && i < sizeof(not_with) / sizeof(not_with[0]); i++)
		if (fo_opts_given(&fo_load_opts, res, not_with[i])) {
			fprintf(stderr, "fanout: --%s cannot go with --ramp (its counts are the connections, a "
					"--ramp-every each, closed loop): drop one\n", not_with[i]);
			return FO_OPTS_BAD;
		}
	return 0;
}

/* The layer sets the defaults of the kinds it parses; a FN entry's is
 * given to the entry's own parser here. */
int fo_load_main(int argc, char **argv)
{
	struct fo_load_cfg cfg;
	struct fo_optres res;
	int r;

	memset(&cfg, 0, sizeof(cfg));
	cfg.threads = sysconf(_SC_NPROCESSORS_ONLN);
	r = fo_opts_parse(&fo_load_opts, &cfg, argc, argv, &res);
	if (!r)
		r = one_target(&cfg, &res.operands);
	if (!r)
		r = ramp_flags(&cfg, &res);
	fo_opts_release(&fo_load_opts, &cfg, &res);
	if (r)
		return r == FO_OPTS_HELP ? 0 : 2;
	return fo_load_run(&cfg);
}
