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
 * Buffers. Each connection reads into a small buffer of its own (512 bytes
 * for line, 2 KB for http) through fo_recv: on io_uring the kernel fills it
 * when data comes, so a read costs no system call and never fails with
 * EAGAIN, and the buffer must outlive the task's park (the thread's
 * buffers belong to whichever connection runs next). The common reply (one
 * line, one plain 200) is sent as it is, from the server's prebuilt copy,
 * through fo_send; replies built per request go out from a per-thread
 * buffer, and what the socket does not take at once is copied to the heap
 * before the task parks. An idle connection costs its coroutine slot, a
 * few hundred bytes of stack and its read buffer.
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
	char *ok_keep, *ok_close;   /* full 200 responses, prebuilt */
	size_t ok_keep_len, ok_close_len;
	struct counters *c;
};

static __thread char *rbuf, *wbuf;
static pthread_key_t bufs_key;
static pthread_once_t bufs_once = PTHREAD_ONCE_INIT;

/* A thread per connection comes and goes: its buffers go with it. */
static void bufs_free(void *unused)
{
	(void)unused;
	free(rbuf);
	free(wbuf);
	rbuf = wbuf = NULL;
}

static void bufs_key_make(void)
{
	pthread_key_create(&bufs_key, bufs_free);
}

static bool thread_bufs(void)
{
	if (!rbuf || !wbuf) {
		pthread_once(&bufs_once, bufs_key_make);
		pthread_setspecific(bufs_key, (void *)1);
		if (!rbuf)
			rbuf = malloc(RBUF);
		if (!wbuf)
			wbuf = malloc(WBUF);
	}
	return rbuf && wbuf;
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

/* ---- reading ---------------------------------------------------------------- */

/* Reads into buf; waits while there is nothing. Returns bytes, 0 at EOF,
 * or a negative errno (-ETIMEDOUT when idle past deadline). */
static ssize_t recv_wait(int fd, char *buf, size_t cap, int64_t deadline)
{
	for (;;) {
		ssize_t n = recv(fd, buf, cap, 0);
		int r;

		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -errno;
		r = fo_wait_fd(fd, FO_READ, deadline);
		if (r < 0)
			return r;
	}
}

/* ---- line protocol ------------------------------------------------------------ */

static void serve_line(struct srv *sv, int fd)
{
	/* A buffer of the connection's own: on io_uring the kernel reads into
	 * it while the task waits, when the thread's rbuf may be another's. */
	char *buf = malloc(LINE_RBUF);

	if (!buf)
		return;
	for (;;) {
		ssize_t n = fo_recv(fd, buf, LINE_RBUF, fo_now() + sv->idle);
		size_t k = 0, i, out = 0;

		if (n <= 0) {
			if (n == -ETIMEDOUT)
				atomic_fetch_add(&sv->c->idle_closed, 1);
			break;
		}
		for (i = 0; i < (size_t)n; i++)
			k += buf[i] == '\n';
		if (k == 0)
			k = 1; /* one read's worth */
		atomic_fetch_add_explicit(&sv->c->reqs, (long long)k, memory_order_relaxed);
		if (k == 1) {
			/* the common case: the reply as it is (it stays put) */
			if (send_whole(sv, fd, sv->reply, sv->reply_len) < 0)
				break;
			continue;
		}
		while (k--) {
			if (out + sv->reply_len > WBUF) {
				if (send_all(sv, fd, wbuf, out) < 0)
					goto out;
				out = 0;
			}
			memcpy(wbuf + out, sv->reply, sv->reply_len);
			out += sv->reply_len;
		}
		if (out && send_all(sv, fd, wbuf, out) < 0)
			break;
	}
out:
	free(buf);
}

/* ---- http -------------------------------------------------------------------- */

struct conn {
	char *stash;       /* unparsed bytes that must outlive a park */
	size_t stash_len, stash_cap;
	long long skip;    /* body bytes of a refused request still to discard */
};

static int stash_set(struct conn *c, const char *p, size_t n)
{
	if (n > c->stash_cap) {
		size_t cap = n < 4096 ? 4096 : n;
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

static size_t put_error(char *out, size_t cap, int code, bool close)
{
	const char *text = code == 400 ? "Bad Request"
			 : code == 431 ? "Request Header Fields Too Large"
			 : code == 405 ? "Method Not Allowed"
			 : "Not Implemented";
	int n = snprintf(out, cap,
			 "HTTP/1.1 %d %s\r\nServer: fanout\r\nContent-Length: %zu\r\n"
			 "Content-Type: text/plain\r\n%s%s\r\n%s\n",
			 code, text, strlen(text) + 1, code == 405 ? "Allow: GET, HEAD\r\n" : "",
			 close ? "Connection: close\r\n" : "", text);

	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/*
 * Answers every complete request in buf[0..len). Returns the bytes
 * consumed; sets *close when the connection must end after the replies
 * in wbuf[0..*out). Stops early when wbuf is nearly full.
 */
static size_t answer(struct srv *sv, struct conn *c, const char *buf, size_t len, size_t *out, bool *close)
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
			const char *resp = r.keep_alive ? sv->ok_keep : sv->ok_close;
			size_t rl = r.keep_alive ? sv->ok_keep_len : sv->ok_close_len;

			if (r.method_len == 4)
				rl -= sv->reply_len; /* HEAD: the head alone */
			memcpy(wbuf + *out, resp, rl);
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
		ssize_t n = recv_wait(fd, rbuf, RBUF, end);

		if (n <= 0)
			break;
		dropped += (size_t)n;
	}
}

static void serve_http(struct srv *sv, int fd)
{
	struct conn c = { NULL, 0, 0, 0 };
	int64_t started = 0; /* when the pending partial request began */
	/* the connection's own read buffer: see serve_line */
	char *cbuf = malloc(HTTP_RBUF);

	if (!cbuf)
		return;

	for (;;) {
		bool partial = c.stash_len > 0, close = false;
		int64_t deadline = (partial ? started : fo_now()) + sv->idle;
		const char *buf;
		size_t len, used, out = 0;
		ssize_t n;

		if (partial) {
			/* read after the kept bytes, in the heap: this may park */
			if (c.stash_cap - c.stash_len < 4096) {
				char *s = realloc(c.stash, c.stash_cap * 2);

				if (!s)
					break;
				c.stash = s;
				c.stash_cap *= 2;
			}
			n = fo_recv(fd, c.stash + c.stash_len, c.stash_cap - c.stash_len, deadline);
			if (n > 0)
				c.stash_len += (size_t)n;
			buf = c.stash;
			len = c.stash_len;
		} else {
			n = fo_recv(fd, cbuf, HTTP_RBUF, deadline);
			buf = cbuf;
			len = n > 0 ? (size_t)n : 0;
		}
		if (n <= 0) {
			if (n == -ETIMEDOUT)
				atomic_fetch_add(&sv->c->idle_closed, 1);
			break;
		}
		for (;;) {
			used = answer(sv, &c, buf, len, &out, &close);
			if (close || used == len || out == 0)
				break; /* done, or a partial request waits for more */
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
		} else {
			c.stash_len = 0;
		}
		if (out == sv->ok_keep_len && !memcmp(wbuf, sv->ok_keep, out)) {
			/* one plain 200, the common case: from memory that stays put */
			if (send_whole(sv, fd, sv->ok_keep, out) < 0)
				break;
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
	free(cbuf);
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

static void usage(FILE *f)
{
	fputs("usage: fanout serve [--model M] [--proto line|http] [--bind ADDR] [--port P]\n"
	      "                    [--reply TEXT] [--idle-timeout D] [--max-header BYTES]\n"
	      "\n"
	      "The request/response server of the classic experiment. line: answers each line\n"
	      "(or each read without a newline) with the reply; http: HTTP/1.1 keep-alive, GET and\n"
	      "HEAD answered 200 with the reply, pipelining, 400 for malformed requests, 431 for\n"
	      "heads over --max-header. Ctrl-C or SIGTERM: stop accepting, end the connections,\n"
	      "print a line of stats.\n"
	      "\n"
	      "models: threads (a thread per connection), threads:N (a pool; N clients at once),\n"
	      "        processes:N, blended:PxT, loop, coro or coro:N (the default)\n"
	      "defaults: --proto line --bind 127.0.0.1 --port 7000 --reply 'hello world'\n"
	      "          --idle-timeout 60s --max-header 8192; --port 0 picks a free port\n"
	      "--bind takes a literal address; every address only as 0.0.0.0 or ::\n",
	      f);
}

/* The command line's results that are not in the server itself. */
struct opts {
	struct fo_model model;
	const char *model_text, *bind, *reply;
	long port;
};

/* One flag and its value: 0, or the exit code for a bad one. */
static int parse_flag(struct srv *sv, struct opts *op, const char *a, const char *v)
{
	char err[256];
	uint64_t n;

	if (!strcmp(a, "--model")) {
		op->model_text = v;
		if (fo_model_parse(v, &op->model, err, sizeof(err)) < 0)
			return fo_cli_bad(a, v, FO_MODEL_FORMS);
	} else if (!strcmp(a, "--proto")) {
		if (strcmp(v, "line") && strcmp(v, "http"))
			return fo_cli_bad(a, v, "line or http");
		sv->proto = !strcmp(v, "http") ? P_HTTP : P_LINE;
	} else if (!strcmp(a, "--bind")) {
		op->bind = v;
	} else if (!strcmp(a, "--port")) {
		if (fo_cli_uint(v, 0, 65535, &n) < 0)
			return fo_cli_bad(a, v, "a port number from 0 to 65535");
		op->port = (long)n;
	} else if (!strcmp(a, "--reply")) {
		op->reply = v;
	} else if (!strcmp(a, "--idle-timeout")) {
		if (fo_duration_parse(v, &sv->idle) < 0 || sv->idle <= 0)
			return fo_cli_bad(a, v, "a duration such as 60s or 500ms");
	} else if (!strcmp(a, "--max-header")) {
		if (fo_cli_size(v, 64, 1048576, &n) < 0)
			return fo_cli_bad(a, v, "a size in bytes from 64 to 1048576, such as 8192 or 16K");
		sv->max_head = (size_t)n;
	} else {
		fprintf(stderr, "fanout: unknown option '%s' for 'serve' (see fanout serve --help)\n", a);
		return 2;
	}
	return 0;
}

/* The command line: 0, -1 after --help, or an exit code. */
static int parse_args(struct srv *sv, struct opts *op, int argc, char **argv)
{
	static const char *const valued[] = { "--model", "--proto", "--bind", "--port", "--reply",
					      "--idle-timeout", "--max-header" };
	int i, r;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		size_t k;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return -1;
		}
		if (!v) {
			for (k = 0; k < sizeof(valued) / sizeof(valued[0]) && strcmp(a, valued[k]); k++)
				;
			if (k < sizeof(valued) / sizeof(valued[0]))
				fprintf(stderr, "fanout: %s needs a value (see fanout serve --help)\n", a);
			else
				fprintf(stderr, "fanout: unknown option '%s' for 'serve' (see fanout serve --help)\n", a);
			return 2;
		}
		if ((r = parse_flag(sv, op, a, v)) != 0)
			return r;
		i++;
	}
	return 0;
}

/*
 * --bind: a literal IPv4 address in dotted-quad form or a literal IPv6
 * address; every address only when written so, 0.0.0.0 or ::. inet_aton's
 * shorthands ("0" for 0.0.0.0, "127.1") are refused, and so are names,
 * localhost included: no lookup happens here.
 */
static int set_bind(struct srv *sv, const char *bind_addr, long port)
{
	if (fo__addr_literal(bind_addr, (uint16_t)port, &sv->addr, &sv->alen) < 0)
		return fo_cli_bad("--bind", bind_addr,
				  "a literal address such as 127.0.0.1 or ::1 (every address: 0.0.0.0 or ::)");
	return 0;
}

int fo_serve_main(int argc, char **argv)
{
	struct srv sv;
	struct opts op = { .bind = "127.0.0.1", .reply = "hello world", .port = 7000 };
	struct fo_run_opts o;
	struct fo_run *run;
	struct fo_stopsig stop = { 0 };
	long port;
	char model_name[64], err[256], host[INET6_ADDRSTRLEN];
	const char *bind_addr, *model_text, *reply;
	struct rusage self, kids;
	int i, e, rc = 0;

	memset(&sv, 0, sizeof(sv));
	memset(&o, 0, sizeof(o));
	sv.proto = P_LINE;
	sv.idle = 60 * FO_SEC;
	sv.max_head = 8192;
	op.model = fo_model_default();
	rc = parse_args(&sv, &op, argc, argv);
	if (rc)
		return rc < 0 ? 0 : rc;
	if ((rc = set_bind(&sv, op.bind, op.port)) != 0)
		return rc;
	o.model = op.model;
	port = op.port;
	bind_addr = op.bind;
	model_text = op.model_text;
	reply = op.reply;
	/* the model decides how connections are served */
	if (model_text && !strcmp(model_text, "threads")) {
		o.model.kind = FO_MODEL_SEQUENTIAL; /* one acceptor, a thread per connection */
		o.model.threads = 1;
		sv.mode = M_SPAWN;
		snprintf(model_name, sizeof(model_name), "threads (a thread per connection)");
	} else {
		fo_model_format(&o.model, model_name, sizeof(model_name));
		sv.mode = (o.model.kind == FO_MODEL_THREADS || o.model.kind == FO_MODEL_BLENDED ||
			   o.model.kind == FO_MODEL_SEQUENTIAL) ? M_INLINE : M_SPAWN;
		sv.own_listeners = o.model.kind == FO_MODEL_CORO;
	}
	{
		long nofile = fo_raise_nofile();

		/* listeners, pollers, the interrupt, and room for clients */
		if (nofile < 64) {
			fprintf(stderr,
				"fanout: only %ld file descriptors (RLIMIT_NOFILE): serve needs at least 64; "
				"raise it with ulimit -n\n",
				nofile);
			return 2;
		}
	}
	/*
	 * SO_REUSEPORT would let this server share a port another server
	 * holds (with the same option and user) and quietly take half its
	 * traffic: a first bind without it finds a port in use.
	 */
	if (sv.own_listeners) {
		int probe = listener(&sv, false, err, sizeof(err));

		if (probe < 0) {
			sv.lfd = -1;
			goto cannot_listen;
		}
		if (port == 0) {
			socklen_t sl = sizeof(sv.addr);

			getsockname(probe, (struct sockaddr *)&sv.addr, &sl);
			sv.alen = sl;
		}
		close(probe);
	}
	sv.lfd = listener(&sv, sv.own_listeners, err, sizeof(err));
	/* Every worker's listener exists before any worker accepts: a burst
	 * at start-up cannot take the descriptors the others need. */
	if (sv.lfd >= 0 && sv.own_listeners) {
		int w, n = fo_model_workers(&o.model);

		sv.lfds = calloc((size_t)n, sizeof(int));
		if (!sv.lfds) {
			rc = 1;
			goto out;
		}
		sv.nlfds = n;
		sv.lfds[0] = sv.lfd;
		for (w = 1; w < n; w++) {
			sv.lfds[w] = listener(&sv, true, err, sizeof(err));
			if (sv.lfds[w] < 0) {
				fprintf(stderr, "fanout: cannot make listener %d of %d on port %ld: %s\n", w + 1, n,
					port, err);
				sv.nlfds = w;
				rc = 2;
				goto out;
			}
		}
	}
cannot_listen:
	if (sv.lfd < 0) {
		fprintf(stderr, "fanout: cannot listen on %s port %ld: %s%s\n", bind_addr, port, err,
			errno == EADDRINUSE ? " (is another server running? pick another --port)"
			: errno == EACCES ? " (ports below 1024 need root: pick another --port)" : "");
		return 2;
	}
	if (port == 0) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);

		getsockname(sv.lfd, (struct sockaddr *)&ss, &sl);
		memcpy(&sv.addr, &ss, sl);
		sv.alen = sl;
		port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						       : ((struct sockaddr_in *)&ss)->sin_port);
	}
	/* the reply: line adds the newline; http wraps it in a response */
	{
		size_t rl = strlen(reply);
		char *line = malloc(rl + 2);
		size_t cap = rl + 256;

		sv.ok_keep = malloc(cap);
		sv.ok_close = malloc(cap);
		if (!line || !sv.ok_keep || !sv.ok_close) {
			free(line);
			rc = 1;
			goto out;
		}
		memcpy(line, reply, rl);
		line[rl] = '\n';
		line[rl + 1] = 0;
		sv.reply = line;
		sv.reply_len = rl + 1;
		sv.ok_keep_len = (size_t)snprintf(sv.ok_keep, cap,
						  "HTTP/1.1 200 OK\r\nServer: fanout\r\nContent-Length: %zu\r\n"
						  "Content-Type: text/plain\r\n\r\n%s",
						  rl + 1, line);
		sv.ok_close_len = (size_t)snprintf(sv.ok_close, cap,
						   "HTTP/1.1 200 OK\r\nServer: fanout\r\nContent-Length: %zu\r\n"
						   "Content-Type: text/plain\r\nConnection: close\r\n\r\n%s",
						   rl + 1, line);
	}
	if (sv.ok_close_len + 512 > WBUF / 2)
		WBUF = 2 * (sv.ok_close_len + 512);
	sv.c = mmap(NULL, sizeof(*sv.c), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sv.c == MAP_FAILED) {
		sv.c = NULL;
		rc = 1;
		goto out;
	}
	memset(sv.c, 0, sizeof(*sv.c));
	the_srv = &sv;
	signal(SIGPIPE, SIG_IGN);
	if ((e = fo__stopsig_start(&stop)) < 0) {
		fprintf(stderr, "fanout: cannot start the signal thread: %s\n", fo_strerror(e));
		rc = 1;
		goto out;
	}
	inet_ntop(sv.addr.ss_family,
		  sv.addr.ss_family == AF_INET6 ? (void *)&((struct sockaddr_in6 *)&sv.addr)->sin6_addr
						: (void *)&((struct sockaddr_in *)&sv.addr)->sin_addr,
		  host, sizeof(host));
	printf("fanout serve: listening on %s port %ld, proto %s, model %s\n", host, port,
	       sv.proto == P_LINE ? "line" : "http", model_name);
	fflush(stdout);

	o.per_worker = true;
	o.fn = acceptor;
	o.arg = &sv;
	o.quiet = false;
	o.keep_results = true;
	run = fo_run(&o, &e);
	if (!run) {
		fprintf(stderr, "fanout: cannot start model '%s': %s\n", model_name, fo_strerror(e));
		rc = 1;
		goto out;
	}
	/* threads of a thread-per-connection server end on their own: give
	 * them a moment to finish what is in flight */
	{
		int64_t end = fo_now() + 2 * FO_SEC;

		while (atomic_load(&sv.c->active) > 0 && fo_now() < end)
			usleep(10000);
	}
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	{
		const struct fo_run_stats *st = fo_run_stats(run);
		double user = (double)(self.ru_utime.tv_sec + kids.ru_utime.tv_sec) +
			      (double)(self.ru_utime.tv_usec + kids.ru_utime.tv_usec) / 1e6;
		double sys = (double)(self.ru_stime.tv_sec + kids.ru_stime.tv_sec) +
			     (double)(self.ru_stime.tv_usec + kids.ru_stime.tv_usec) / 1e6;

		printf("fanout serve: stopped: %lld connections, %lld requests, peak %lld at once, "
		       "peak RSS %.1f MB, CPU %.2fs (user %.2fs, sys %.2fs)",
		       atomic_load(&sv.c->conns), atomic_load(&sv.c->reqs), atomic_load(&sv.c->peak_active),
		       (double)st->maxrss_kb_sum / 1024.0, user + sys, user, sys);
		if (atomic_load(&sv.c->idle_closed))
			printf(", %lld closed idle", atomic_load(&sv.c->idle_closed));
		if (atomic_load(&sv.c->bad))
			printf(", %lld malformed", atomic_load(&sv.c->bad));
		if (atomic_load(&sv.c->backoffs))
			printf(", %lld accept back-offs (out of descriptors)", atomic_load(&sv.c->backoffs));
		if (atomic_load(&sv.c->refused))
			printf(", %lld refused (no task)", atomic_load(&sv.c->refused));
		printf("\n");
		fflush(stdout);
		for (size_t w = 0; w < st->ntasks; w++) {
			const struct fo_result *res = fo_run_result(run, w);

			if (res && res->status != FO_OK && res->error)
				fprintf(stderr, "fanout: serve worker %zu: %s\n", w, res->error);
		}
		if (st->count[FO_FAILED])
			rc = 1;
	}
	fo_run_free(run);
out:
	fo__stopsig_stop(&stop);
	/* shutdown(): out of LISTEN now, not when the kernel is done with
	 * the pollers' last references (io_uring: some ms after exit), so a
	 * server started again at once finds the port free */
	if (sv.lfds) {
		for (i = 1; i < sv.nlfds; i++) {
			shutdown(sv.lfds[i], SHUT_RDWR);
			close(sv.lfds[i]);
		}
		free(sv.lfds);
	}
	if (sv.lfd >= 0) {
		shutdown(sv.lfd, SHUT_RDWR);
		close(sv.lfd);
	}
	free((char *)sv.reply);
	free(sv.ok_keep);
	free(sv.ok_close);
	if (sv.c)
		munmap(sv.c, sizeof(*sv.c));
	return rc;
}
