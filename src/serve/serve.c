/*
 * `fanout serve`: the request/response server of the classic experiment,
 * in every model, on the runtime's one task API.
 *
 * Each worker runs an acceptor (a per-worker run: one task per scheduler
 * thread, pool thread or process). Models:
 *   coro:N (default), loop  an acceptor per scheduler thread, each on its own
 *                           SO_REUSEPORT listener; a coroutine per connection
 *   threads                 one acceptor; a thread per connection
 *   threads:N               N threads share the listener and each serves one
 *                           connection at a time (the classic pool: clients
 *                           beyond N wait, and the stats say so)
 *   processes:N             N pre-forked workers share the listener; a
 *                           thread per connection in each
 *   blended:PxT             P processes of T threads that each serve one
 *                           connection at a time
 *
 * Protocols: line (read up to a newline or one read's worth, answer
 * "hello world\n" per line) and http (HTTP/1.1 keep-alive, pipelining).
 *
 * Buffers. Connections read into the thread's buffer (rbuf; up to 512
 * bytes at a time for line, 2 KB for http) through fo_recv_scratch: on
 * io_uring the kernel reads into a buffer of the scheduler's ring of
 * provided buffers, taken only when data comes, and the bytes are copied to
 * rbuf when the task runs again, so a read costs no system call and never
 * fails with EAGAIN, and a waiting connection holds no read buffer (without
 * a ring: recv into rbuf, a readiness wait while there is nothing). rbuf is
 * done with before the task parks again: the unparsed rest of an http
 * request goes to a heap buffer of the connection's own (the stash), which
 * is freed as soon as it is empty. The common reply (one line, one plain
 * 200) is sent as it is, from the server's prebuilt copy, through fo_send;
 * replies built per request go out from a per-thread buffer, and what the
 * socket does not take at once is copied to the heap before the task
 * parks. An idle connection costs its coroutine slot (384 bytes) and the
 * part of its parked stack that does not fit in the slot, its wait record
 * and its timer: about 600 bytes (docs/BENCHMARKS.md, "Idle connections").
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../cli/cli.h"
#include "fanout/runtime.h"
#include "common.h"
#include "http.h"
#include "serve.h"

#define RBUF 16384
#define LINE_RBUF 512
#define HTTP_RBUF 2048

/* The per-thread reply buffer: 64 KB, or room for two of the longest
 * response when --reply is big (set once at start). */
static size_t WBUF = 65536;

/*
 * HTTP's 200s carry a Date (RFC 9110 6.6.1: an origin server with a clock
 * MUST), so they change once a second. Each thread keeps its own for its
 * last NDATE seconds, built when the second is first used, in slots that
 * are never freed or moved while the thread lives: a reply handed to the
 * kernel from one (sent with the next read, see serve_http) stays valid,
 * and is rewritten only NDATE seconds later, when only a reply the client
 * left unread that long could still be waiting to go. OKCAP (set once at
 * start) is a slot's half: the keep-alive 200, then the closing one; 0
 * when there are no slots: for the line protocol, and for a --reply so
 * long (OKMAX) that 16 copies a thread would cost more than the copy into
 * the thread's buffer that each reply then takes (see answer).
 */
#define NDATE 8
#define OKMAX 2048
static size_t OKCAP;

enum proto { P_LINE, P_HTTP };
enum mode { M_SPAWN, M_INLINE };

/* Counters shared with forked workers: in a MAP_SHARED page. */
struct counters {
	atomic_llong conns, reqs, active, peak_active, refused, backoffs, idle_closed, bad;
};

struct srv {
	enum proto proto;
	enum mode mode;
	bool own_listeners;         /* a SO_REUSEPORT listener per worker */
	int lfd;                    /* the first (or only) listener */
	int *lfds;                  /* own_listeners: one per worker, [0] = lfd */
	int nlfds;
	struct sockaddr_storage addr;
	socklen_t alen;
	int64_t idle;
	size_t max_head;
	const char *reply;
	size_t reply_len;
	char *ok_keep, *ok_close;   /* full 200 responses, prebuilt but for the Date (see ok_now) */
	size_t date_at;             /* where in them the Date line goes */
	size_t ok_keep_len, ok_close_len;
	struct counters *c;
};

static __thread char *rbuf, *wbuf, *okbuf; /* okbuf: NDATE slots of 2 * OKCAP */
static __thread int64_t oksec[NDATE];     /* the second each slot holds, 0: none */
static pthread_key_t bufs_key;
static pthread_once_t bufs_once = PTHREAD_ONCE_INIT;

/* A thread per connection comes and goes: its buffers go with it. */
static void bufs_free(void *unused)
{
	(void)unused;
	free(rbuf);
	free(wbuf);
	free(okbuf);
	rbuf = wbuf = okbuf = NULL;
	memset(oksec, 0, sizeof(oksec));
}

static void bufs_key_make(void)
{
	pthread_key_create(&bufs_key, bufs_free);
}

static bool thread_bufs(void)
{
	if (!rbuf || !wbuf || (OKCAP && !okbuf)) {
		pthread_once(&bufs_once, bufs_key_make);
		pthread_setspecific(bufs_key, (void *)1);
		if (!rbuf)
			rbuf = malloc(RBUF);
		if (!wbuf)
			wbuf = malloc(WBUF);
		if (OKCAP && !okbuf)
			okbuf = malloc(NDATE * 2 * OKCAP);
	}
	return rbuf && wbuf && (!OKCAP || okbuf);
}

/* ---- writing: never park holding the thread's buffer --------------------------- */

/*
 * Writes len bytes. What the socket does not take at once is copied to the
 * heap before the task waits. When the run is being stopped, the rest gets
 * up to a second of plain poll(): a reply already computed still goes out.
 */
static int send_all(struct srv *sv, int fd, const char *data, size_t len)
{
	char *heap = NULL;
	int ret = 0;

	while (len) {
		ssize_t w = send(fd, data, len, MSG_NOSIGNAL);

		if (w > 0) {
			data += w;
			len -= (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			int r;

			if (!heap) {
				heap = malloc(len);
				if (!heap) {
					ret = -ENOMEM;
					break;
				}
				memcpy(heap, data, len);
				data = heap;
			}
			r = fo_wait_fd(fd, FO_WRITE, fo_now() + sv->idle);
			if (r == -ECANCELED) {
				struct pollfd p = { fd, POLLOUT, 0 };

				if (poll(&p, 1, 1000) <= 0) {
					ret = r;
					break;
				}
			} else if (r < 0) {
				ret = r;
				break;
			}
			continue;
		}
		ret = w < 0 ? -errno : -EPIPE;
		break;
	}
	free(heap);
	return ret;
}

/* Sends from memory that stays put while the task waits (not the thread's
 * buffers): on io_uring the kernel sends it, no system call of its own. */
static int send_whole(struct srv *sv, const int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t w = fo_send(fd, data, len, fo_now() + sv->idle);

		if (w < 0)
			return (int)w;
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

/* ---- line protocol ------------------------------------------------------------ */

static void serve_line(struct srv *sv, int fd)
{
	bool pend = false; /* the reply is still to send, before the next read */

	for (;;) {
		/* into the thread's rbuf: nothing is read into it while this
		 * task waits (fo_recv_scratch, and fo_send_recv's read), and it
		 * is done with before the next park */
		int64_t deadline = fo_now() + sv->idle;
		ssize_t n = pend ? fo_send_recv(fd, sv->reply, sv->reply_len, rbuf, LINE_RBUF, deadline)
				 : fo_recv_scratch(fd, rbuf, LINE_RBUF, deadline);
		size_t k = 0, i, out = 0;

		if (n <= 0) {
			if (n == -ETIMEDOUT)
				atomic_fetch_add(&sv->c->idle_closed, 1);
			break;
		}
		for (i = 0; i < (size_t)n; i++)
			k += rbuf[i] == '\n';
		if (k == 0)
			k = 1; /* one read's worth */
		atomic_fetch_add_explicit(&sv->c->reqs, (long long)k, memory_order_relaxed);
		pend = k == 1;
		if (pend)
			continue; /* the common case: the reply as it is (it stays put), with the next read */
		while (k--) {
			if (out + sv->reply_len > WBUF) {
				if (send_all(sv, fd, wbuf, out) < 0)
					return;
				out = 0;
			}
			memcpy(wbuf + out, sv->reply, sv->reply_len);
			out += sv->reply_len;
		}
		if (out && send_all(sv, fd, wbuf, out) < 0)
			break;
	}
}

/* ---- http -------------------------------------------------------------------- */

struct conn {
	char *stash;       /* unparsed bytes that must outlive a park (NULL when none) */
	size_t stash_len, stash_cap;
	long long skip;    /* body bytes of a refused request still to discard */
	const char *ok;    /* the plain 200 that *lazy stands for (see answer) */
};

static int stash_set(struct conn *c, const char *p, size_t n)
{
	if (n > c->stash_cap) {
		size_t cap = n < 512 ? 512 : n;
		char *s = malloc(cap);

		if (!s)
			return -ENOMEM;
		free(c->stash);
		c->stash = s;
		c->stash_cap = cap;
	}
	memmove(c->stash, p, n);
	c->stash_len = n;
	return 0;
}

/* Appends n bytes to the kept ones. */
static int stash_add(struct conn *c, const char *p, size_t n)
{
	if (c->stash_len + n > c->stash_cap) {
		size_t cap = c->stash_cap ? c->stash_cap : 512;
		char *s;

		while (cap < c->stash_len + n)
			cap *= 2;
		s = realloc(c->stash, cap);
		if (!s)
			return -ENOMEM;
		c->stash = s;
		c->stash_cap = cap;
	}
	memcpy(c->stash + c->stash_len, p, n);
	c->stash_len += n;
	return 0;
}

/* "Date: <IMF-fixdate>\r\n" for second s, DATE_LEN bytes, no NUL (C
 * locale names, whatever the process's locale). */
#define DATE_LEN 37
#define DATE_HOLE "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
static void put_date(char *out, int64_t s)
{
	static const char days[] = "SunMonTueWedThuFriSat", months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	time_t t = (time_t)s;
	struct tm tm;
	char tmp[96];

	if (!gmtime_r(&t, &tm))
		memset(&tm, 0, sizeof(tm));
	/* each field its fixed width (a year past 9999 wraps: the line keeps its length) */
	snprintf(tmp, sizeof(tmp), "Date: %.3s, %02u %.3s %04u %02u:%02u:%02u GMT\r\n",
		 days + (unsigned)tm.tm_wday % 7 * 3, (unsigned)tm.tm_mday % 100, months + (unsigned)tm.tm_mon % 12 * 3,
		 (unsigned)(tm.tm_year + 1900) % 10000, (unsigned)tm.tm_hour % 100, (unsigned)tm.tm_min % 100,
		 (unsigned)tm.tm_sec % 100);
	memcpy(out, tmp, DATE_LEN);
}

/* The wall clock's second (the coarse clock: a Date needs no finer). */
static int64_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME_COARSE, &ts);
	return (int64_t)ts.tv_sec;
}

/* The 200s of this second, from this thread's slots: the keep-alive one
 * (sv->ok_keep_len bytes), and the closing one in *close. */
static const char *ok_now(const struct srv *sv, const char **close)
{
	int64_t s = now_s();
	size_t i = (size_t)s % NDATE;
	char *slot = okbuf + i * 2 * OKCAP;

	if (oksec[i] != s) {
		memcpy(slot, sv->ok_keep, sv->ok_keep_len);
		memcpy(slot + OKCAP, sv->ok_close, sv->ok_close_len);
		put_date(slot + sv->date_at, s);
		put_date(slot + OKCAP + sv->date_at, s);
		oksec[i] = s;
	}
	*close = slot + OKCAP;
	return slot;
}

static size_t put_error(char *out, size_t cap, int code, bool close)
{
	char date[DATE_LEN + 1];

	const char *text = code == 400 ? "Bad Request"
			 : code == 431 ? "Request Header Fields Too Large"
			 : code == 405 ? "Method Not Allowed"
			 : "Not Implemented";
	int n;

	put_date(date, now_s());
	date[DATE_LEN] = 0;
	n = snprintf(out, cap,
		     "HTTP/1.1 %d %s\r\nServer: fanout\r\n%sContent-Length: %zu\r\n"
		     "Content-Type: text/plain\r\n%s%s\r\n%s\n",
		     code, text, date, strlen(text) + 1, code == 405 ? "Allow: GET, HEAD\r\n" : "",
		     close ? "Connection: close\r\n" : "", text);

	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* *lazy: wbuf[0..*out) stands for one plain 200 (c->ok) not yet copied
 * there; copies it before anything is added after it. */
static void unlazy(const struct srv *sv, const struct conn *c, bool *lazy)
{
	if (*lazy) {
		memcpy(wbuf, c->ok, sv->ok_keep_len);
		*lazy = false;
	}
}

/*
 * Answers every complete request in buf[0..len). Returns the bytes
 * consumed; sets *close when the connection must end after the replies
 * in wbuf[0..*out). Stops early when wbuf is nearly full. The common
 * case, one plain 200 and nothing else, is not copied: *lazy says so
 * (see unlazy), and the caller sends c->ok, a slot of this second's
 * 200s (see ok_now), as it is.
 */
static size_t answer(struct srv *sv, struct conn *c, const char *buf, size_t len, size_t *out, bool *close,
		     bool *lazy)
{
	size_t used = 0;

	while (used < len && !*close) {
		struct fo_http_req r;
		int h;

		if (c->skip) {
			size_t k = (size_t)c->skip < len - used ? (size_t)c->skip : len - used;

			c->skip -= (long long)k;
			used += k;
			continue;
		}
		if (*out + sv->ok_close_len + 512 > WBUF)
			break;
		h = fo_http_parse(buf + used, len - used, sv->max_head, &r);
		if (h == FO_HTTP_MORE)
			break;
		unlazy(sv, c, lazy);
		if (h < 0) {
			atomic_fetch_add(&sv->c->bad, 1);
			*out += put_error(wbuf + *out, WBUF - *out, -h, true);
			*close = true;
			break;
		}
		used += (size_t)h;
		atomic_fetch_add_explicit(&sv->c->reqs, 1, memory_order_relaxed);
		if (r.chunked) {
			*out += put_error(wbuf + *out, WBUF - *out, 501, true);
			*close = true;
		} else if ((r.method_len == 3 && !memcmp(r.method, "GET", 3)) ||
			   (r.method_len == 4 && !memcmp(r.method, "HEAD", 4))) {
			size_t rl = r.keep_alive ? sv->ok_keep_len : sv->ok_close_len;

			if (r.method_len == 4)
				rl -= sv->reply_len; /* HEAD: the head alone */
			if (!OKCAP) {
				/* a long --reply: the template and this second's Date */
				memcpy(wbuf + *out, r.keep_alive ? sv->ok_keep : sv->ok_close, rl);
				put_date(wbuf + *out + sv->date_at, now_s());
			} else {
				const char *close_r, *keep_r = ok_now(sv, &close_r);
				const char *resp = r.keep_alive ? keep_r : close_r;

				if (*out == 0 && resp == keep_r && rl == sv->ok_keep_len) {
					*lazy = true;
					c->ok = keep_r;
				} else {
					memcpy(wbuf + *out, resp, rl);
				}
			}
			*out += rl;
			*close = !r.keep_alive;
			if (r.content_length > 0)
				c->skip = r.content_length;
		} else {
			*close = !r.keep_alive;
			*out += put_error(wbuf + *out, WBUF - *out, 405, *close);
			if (r.content_length > 0)
				c->skip = r.content_length;
		}
	}
	return used;
}

/*
 * Closing with unread input makes the kernel reset the connection, and a
 * reset can overtake the response just sent (a 400 or 431 the client never
 * sees). So: no more writes, then read and drop what the client still sends,
 * up to 256 KB or half a second, then close.
 */
static void linger_close(int fd)
{
	int64_t end = fo_now() + FO_SEC / 2;
	size_t dropped = 0;

	shutdown(fd, SHUT_WR);
	while (dropped < 256 * 1024) {
		ssize_t n = fo_recv_scratch(fd, rbuf, RBUF, end);

		if (n <= 0)
			break;
		dropped += (size_t)n;
	}
}

static void serve_http(struct srv *sv, int fd)
{
	struct conn c = { NULL, 0, 0, 0, NULL };
	int64_t started = 0; /* when the pending partial request began */

	bool pend = false; /* one plain 200 still to send, before the next read */

	for (;;) {
		bool partial = c.stash_len > 0, close = false, lazy = false;
		int64_t deadline = (partial ? started : fo_now()) + sv->idle;
		const char *buf;
		size_t len, used, out = 0;
		ssize_t n;

		if (partial && pend) {
			if (send_whole(sv, fd, c.ok, sv->ok_keep_len) < 0)
				break;
			pend = false;
		}
		/* into the thread's rbuf (see serve_line); a partial request's
		 * bytes wait in the heap, the new ones join them there. A plain
		 * 200 goes out with this read: one wait for both */
		n = pend ? fo_send_recv(fd, c.ok, sv->ok_keep_len, rbuf, HTTP_RBUF, deadline)
			 : fo_recv_scratch(fd, rbuf, HTTP_RBUF, deadline);
		pend = false;
		if (n <= 0) {
			if (n == -ETIMEDOUT)
				atomic_fetch_add(&sv->c->idle_closed, 1);
			break;
		}
		if (partial) {
			if (stash_add(&c, rbuf, (size_t)n) < 0)
				break;
			buf = c.stash;
			len = c.stash_len;
		} else {
			buf = rbuf;
			len = (size_t)n;
		}
		for (;;) {
			used = answer(sv, &c, buf, len, &out, &close, &lazy);
			if (close || used == len || out == 0)
				break; /* done, or a partial request waits for more */
			unlazy(sv, &c, &lazy);
			/* wbuf is full: keep the rest in the heap, send, go on */
			if (stash_set(&c, buf + used, len - used) < 0)
				goto done;
			buf = c.stash;
			len = c.stash_len;
			if (send_all(sv, fd, wbuf, out) < 0)
				goto done;
			out = 0;
		}
		if (!close && used < len) {
			if (stash_set(&c, buf + used, len - used) < 0)
				goto done;
			if (!partial || used > 0)
				started = fo_now();
		} else if (c.stash) {
			/* nothing kept: a waiting connection holds no buffer */
			free(c.stash);
			c.stash = NULL;
			c.stash_len = c.stash_cap = 0;
		}
		if (lazy) {
			/* one plain 200, the common case: from memory that stays put,
			 * sent with the next read */
			pend = true;
		} else if (out && send_all(sv, fd, wbuf, out) < 0) {
			break;
		}
		if (close) {
			linger_close(fd);
			break;
		}
	}
done:
	free(c.stash);
}

/* ---- connections and acceptors ----------------------------------------------------- */

static struct srv *the_srv;

/* connections of this process (the shared counters add up all workers) */
static atomic_int local_active;

static void conn_main(struct srv *sv, int fd)
{
	long long a = atomic_fetch_add(&sv->c->active, 1) + 1, peak;

	atomic_fetch_add(&local_active, 1);
	while ((peak = atomic_load(&sv->c->peak_active)) < a &&
	       !atomic_compare_exchange_weak(&sv->c->peak_active, &peak, a))
		;
	if (thread_bufs()) {
		if (sv->proto == P_LINE)
			serve_line(sv, fd);
		else
			serve_http(sv, fd);
	}
	close(fd);
	atomic_fetch_sub(&sv->c->active, 1);
	atomic_fetch_sub(&local_active, 1);
}

static int conn_task(void *arg)
{
	conn_main(the_srv, (int)(intptr_t)arg);
	return 0;
}

static int listener(struct srv *sv, bool reuseport, char *err, size_t errlen)
{
	int fd = socket(sv->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0) {
		snprintf(err, errlen, "cannot make a socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (reuseport)
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sv->addr, sv->alen) < 0 || listen(fd, 4096) < 0) {
		int e = errno;

		snprintf(err, errlen, "%s", strerror(e));
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int acceptor(struct fo_job *job, void *arg)
{
	struct srv *sv = arg;
	int lfd = sv->lfd;
	int64_t backoff = FO_MSEC;
	char err[256];

	(void)err;
	if (sv->own_listeners)
		lfd = sv->lfds[fo_job_index(job)];
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), r;

		if (fd >= 0) {
			int one = 1;

			backoff = FO_MSEC;
			atomic_fetch_add_explicit(&sv->c->conns, 1, memory_order_relaxed);
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			if (sv->mode == M_INLINE) {
				conn_main(sv, fd);
			} else if (fo_go(conn_task, (void *)(intptr_t)fd) < 0) {
				atomic_fetch_add(&sv->c->refused, 1);
				close(fd);
			}
			if (fo_cancelled())
				break;
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
			continue;
		if (errno == EAGAIN) {
			r = fo_wait_fd(lfd, FO_READ, FO_NEVER);
			if (r == -ECANCELED)
				break;
			continue;
		}
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			/* out of descriptors: leave the queue be, serve what we have */
			atomic_fetch_add(&sv->c->backoffs, 1);
			if (fo_sleep(backoff) == -ECANCELED)
				break;
			if (backoff < FO_SEC / 4)
				backoff *= 2;
			continue;
		}
		fo_job_errorf(job, "accept: %s", strerror(errno));
		break;
	}
	/* a worker process must not exit under its connections' threads */
	if (sv->mode == M_SPAWN && strcmp(fo_current_model(), "coro") && strcmp(fo_current_model(), "loop")) {
		int64_t end = fo_now() + 2 * FO_SEC;

		while (atomic_load(&local_active) > 0 && fo_now() < end)
			usleep(5000);
	}
	return 0;
}

/* ---- the command ------------------------------------------------------------------- */

/* The server from the config: protocol, limits, and how the model serves connections. */
static void srv_init(struct srv *sv, const struct fo_serve_cfg *cfg, struct fo_run_opts *o, char *name,
		     size_t len)
{
	memset(sv, 0, sizeof(*sv));
	memset(o, 0, sizeof(*o));
	sv->lfd = -1;
	sv->proto = cfg->proto ? P_HTTP : P_LINE;
	sv->idle = cfg->idle;
	sv->max_head = cfg->max_head;
	o->model = cfg->model;
	if (cfg->model_text && !strcmp(cfg->model_text, "threads")) {
		o->model.kind = FO_MODEL_SEQUENTIAL; /* one acceptor, a thread per connection */
		o->model.threads = 1;
		sv->mode = M_SPAWN;
		snprintf(name, len, "threads (a thread per connection)");
		return;
	}
	fo_model_format(&o->model, name, len);
	sv->mode = (o->model.kind == FO_MODEL_THREADS || o->model.kind == FO_MODEL_BLENDED ||
		    o->model.kind == FO_MODEL_SEQUENTIAL) ? M_INLINE : M_SPAWN;
	sv->own_listeners = o->model.kind == FO_MODEL_CORO;
}

/* Listeners, pollers, the interrupt, and room for clients: 0, or exit code 2. */
static int check_nofile(void)
{
	long nofile = fo_raise_nofile();

	if (nofile >= 64)
		return 0;
	fprintf(stderr,
		"fanout: only %ld file descriptors (RLIMIT_NOFILE): serve needs at least 64; "
		"raise it with ulimit -n\n",
		nofile);
	return 2;
}

static int cannot_listen(const char *bind_addr, long port, const char *err, int e)
{
	fprintf(stderr, "fanout: cannot listen on %s port %ld: %s%s\n", bind_addr, port, err,
		e == EADDRINUSE ? " (is another server running? pick another --port)"
		: e == EACCES ? " (ports below 1024 need root: pick another --port)" : "");
	return 2;
}

/*
 * SO_REUSEPORT would let this server share a port another server holds
 * (with the same option and user) and quietly take half its traffic: a
 * first bind without it finds a port in use. With --port 0 it also picks
 * the port every listener then takes.
 */
static int probe_port(struct srv *sv, const char *bind_addr, long port)
{
	char err[256];
	int probe = listener(sv, false, err, sizeof(err));

	if (probe < 0)
		return cannot_listen(bind_addr, port, err, errno);
	if (port == 0) {
		socklen_t sl = sizeof(sv->addr);

		getsockname(probe, (struct sockaddr *)&sv->addr, &sl);
		sv->alen = sl;
	}
	close(probe);
	return 0;
}

/* Every worker's listener exists before any worker accepts: a burst at
 * start-up cannot take the descriptors the others need. */
static int more_listeners(struct srv *sv, int n, long port)
{
	char err[256];
	int w;

	sv->lfds = calloc((size_t)n, sizeof(int));
	if (!sv->lfds)
		return 1;
	sv->nlfds = n;
	sv->lfds[0] = sv->lfd;
	for (w = 1; w < n; w++) {
		sv->lfds[w] = listener(sv, true, err, sizeof(err));
		if (sv->lfds[w] < 0) {
			fprintf(stderr, "fanout: cannot make listener %d of %d on port %ld: %s\n", w + 1, n, port, err);
			sv->nlfds = w;
			return 2;
		}
	}
	return 0;
}

/* The listeners; *port becomes the one got for --port 0. 0, or an exit code. */
static int open_listeners(struct srv *sv, const char *bind_addr, const struct fo_model *m, long *port)
{
	char err[256];
	int rc;

	if (sv->own_listeners && (rc = probe_port(sv, bind_addr, *port)) != 0)
		return rc;
	sv->lfd = listener(sv, sv->own_listeners, err, sizeof(err));
	if (sv->lfd < 0)
		return cannot_listen(bind_addr, *port, err, errno);
	if (sv->own_listeners && (rc = more_listeners(sv, fo_model_workers(m), *port)) != 0)
		return rc;
	if (*port == 0) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);

		getsockname(sv->lfd, (struct sockaddr *)&ss, &sl);
		memcpy(&sv->addr, &ss, sl);
		sv->alen = sl;
		*port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						       : ((struct sockaddr_in *)&ss)->sin_port);
	}
	return 0;
}

/* The reply: line adds the newline; http wraps it in a response. 0, or exit code 1. */
static int make_replies(struct srv *sv, const char *reply)
{
	size_t rl = strlen(reply), cap = rl + 256;
	char *line = malloc(rl + 2);

	sv->ok_keep = malloc(cap);
	sv->ok_close = malloc(cap);
	if (!line || !sv->ok_keep || !sv->ok_close) {
		free(line);
		return 1;
	}
	memcpy(line, reply, rl);
	line[rl] = '\n';
	line[rl + 1] = 0;
	sv->reply = line;
	sv->reply_len = rl + 1;
	/* templates: ok_now() writes each second's Date over the 37 x's */
	sv->ok_keep_len = (size_t)snprintf(sv->ok_keep, cap,
					   "HTTP/1.1 200 OK\r\nServer: fanout\r\n%.*s"
					   "Content-Length: %zu\r\nContent-Type: text/plain\r\n\r\n%s",
					   DATE_LEN, DATE_HOLE, rl + 1, line);
	sv->ok_close_len = (size_t)snprintf(sv->ok_close, cap,
					    "HTTP/1.1 200 OK\r\nServer: fanout\r\n%.*s"
					    "Content-Length: %zu\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n%s",
					    DATE_LEN, DATE_HOLE, rl + 1, line);
	sv->date_at = strlen("HTTP/1.1 200 OK\r\nServer: fanout\r\n");
	OKCAP = sv->proto == P_HTTP && sv->ok_close_len <= OKMAX ? sv->ok_close_len : 0;
	if (sv->ok_close_len + 512 > WBUF / 2)
		WBUF = 2 * (sv->ok_close_len + 512);
	return 0;
}

/* Counters shared with forked workers: 0, or exit code 1. */
static int make_counters(struct srv *sv)
{
	sv->c = mmap(NULL, sizeof(*sv->c), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sv->c == MAP_FAILED) {
		sv->c = NULL;
		return 1;
	}
	memset(sv->c, 0, sizeof(*sv->c));
	return 0;
}

static void say_listening(const struct srv *sv, long port, const char *model_name)
{
	char host[INET6_ADDRSTRLEN];

	inet_ntop(sv->addr.ss_family,
		  sv->addr.ss_family == AF_INET6 ? (const void *)&((const struct sockaddr_in6 *)&sv->addr)->sin6_addr
						 : (const void *)&((const struct sockaddr_in *)&sv->addr)->sin_addr,
		  host, sizeof(host));
	printf("fanout serve: listening on %s port %ld, proto %s, model %s\n", host, port,
	       sv->proto == P_LINE ? "line" : "http", model_name);
	fflush(stdout);
}

/* The line of stats at the end, and each worker's error: the exit code. */
static int say_stopped(struct srv *sv, struct fo_run *run)
{
	const struct fo_run_stats *st = fo_run_stats(run);
	struct rusage self, kids;
	double user, sys;

	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	user = (double)(self.ru_utime.tv_sec + kids.ru_utime.tv_sec) +
	       (double)(self.ru_utime.tv_usec + kids.ru_utime.tv_usec) / 1e6;
	sys = (double)(self.ru_stime.tv_sec + kids.ru_stime.tv_sec) +
	      (double)(self.ru_stime.tv_usec + kids.ru_stime.tv_usec) / 1e6;
	printf("fanout serve: stopped: %lld connections, %lld requests, peak %lld at once, "
	       "peak RSS %.1f MB, CPU %.2fs (user %.2fs, sys %.2fs)",
	       atomic_load(&sv->c->conns), atomic_load(&sv->c->reqs), atomic_load(&sv->c->peak_active),
	       (double)st->maxrss_kb_sum / 1024.0, user + sys, user, sys);
	if (atomic_load(&sv->c->idle_closed))
		printf(", %lld closed idle", atomic_load(&sv->c->idle_closed));
	if (atomic_load(&sv->c->bad))
		printf(", %lld malformed", atomic_load(&sv->c->bad));
	if (atomic_load(&sv->c->backoffs))
		printf(", %lld accept back-offs (out of descriptors)", atomic_load(&sv->c->backoffs));
	if (atomic_load(&sv->c->refused))
		printf(", %lld refused (no task)", atomic_load(&sv->c->refused));
	printf("\n");
	fflush(stdout);
	for (size_t w = 0; w < st->ntasks; w++) {
		const struct fo_result *res = fo_run_result(run, w);

		if (res && res->status != FO_OK && res->error)
			fprintf(stderr, "fanout: serve worker %zu: %s\n", w, res->error);
	}
	return st->count[FO_FAILED] ? 1 : 0;
}

/* Accepts and serves until stopped: the exit code. */
static int serve_until_stopped(struct srv *sv, struct fo_run_opts *o, struct fo_stopsig *stop, long port,
			       const char *model_name)
{
	struct fo_run *run;
	int64_t end;
	int e, rc;

	the_srv = sv;
	signal(SIGPIPE, SIG_IGN);
	if ((e = fo__stopsig_start(stop)) < 0) {
		fprintf(stderr, "fanout: cannot start the signal thread: %s\n", fo_strerror(e));
		return 1;
	}
	say_listening(sv, port, model_name);
	o->per_worker = true;
	o->fn = acceptor;
	o->arg = sv;
	o->keep_results = true;
	run = fo_run(o, &e);
	if (!run) {
		fprintf(stderr, "fanout: cannot start model '%s': %s\n", model_name, fo_strerror(e));
		return 1;
	}
	/* threads of a thread-per-connection server end on their own: give
	 * them a moment to finish what is in flight */
	end = fo_now() + 2 * FO_SEC;
	while (atomic_load(&sv->c->active) > 0 && fo_now() < end)
		usleep(10000);
	rc = say_stopped(sv, run);
	fo_run_free(run);
	return rc;
}

/*
 * shutdown(): out of LISTEN now, not when the kernel is done with the
 * pollers' last references (io_uring: some ms after exit), so a server
 * started again at once finds the port free.
 */
static void srv_free(struct srv *sv)
{
	int i;

	if (sv->lfds) {
		for (i = 1; i < sv->nlfds; i++) {
			shutdown(sv->lfds[i], SHUT_RDWR);
			close(sv->lfds[i]);
		}
		free(sv->lfds);
	}
	if (sv->lfd >= 0) {
		shutdown(sv->lfd, SHUT_RDWR);
		close(sv->lfd);
	}
	free((char *)sv->reply);
	free(sv->ok_keep);
	free(sv->ok_close);
	if (sv->c)
		munmap(sv->c, sizeof(*sv->c));
}

int fo_serve_run(const struct fo_serve_cfg *cfg)
{
	struct srv sv;
	struct fo_run_opts o;
	struct fo_stopsig stop = { 0 };
	char model_name[64];
	long port = cfg->port;
	int rc;

	srv_init(&sv, cfg, &o, model_name, sizeof(model_name));
	if (fo__addr_literal(cfg->bind, (uint16_t)port, &sv.addr, &sv.alen) < 0)
		return fo_cli_bad("--bind", cfg->bind,
				  "a literal address such as 127.0.0.1 or ::1 (every address: 0.0.0.0 or ::)");
	if ((rc = check_nofile()) != 0)
		return rc;
	rc = open_listeners(&sv, cfg->bind, &o.model, &port);
	if (!rc)
		rc = make_replies(&sv, cfg->reply);
	if (!rc)
		rc = make_counters(&sv);
	if (!rc)
		rc = serve_until_stopped(&sv, &o, &stop, port, model_name);
	fo__stopsig_stop(&stop);
	srv_free(&sv);
	return rc;
}

/* The layer sets the defaults of the kinds it parses; a FN entry's is
 * given to the entry's own parser here. */
int fo_serve_main(int argc, char **argv)
{
	struct fo_serve_cfg cfg;
	struct fo_optres res;
	int r;

	memset(&cfg, 0, sizeof(cfg));
	r = fo_opts_parse(&fo_serve_opts, &cfg, argc, argv, &res);
	fo_opts_release(&fo_serve_opts, &cfg, &res);
	if (r)
		return r == FO_OPTS_HELP ? 0 : 2;
	return fo_serve_run(&cfg);
}
