/*
 * fo_recv and fo_send: the same calls under every model; and, for the
 * completion-based way (coroutines on io_uring, where the kernel writes
 * into the caller's buffer while the task waits), that a wait which ends
 * early never leaves the kernel holding the buffer and never loses bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fanout/runtime.h"
#include "test.h"

static const char *const io_models[] = {
	"sequential", "threads:4", "processes:2", "blended:2x2", "loop", "coro:2",
};
#define NIO (sizeof(io_models) / sizeof(io_models[0]))

static struct fo_run *run(const char *model, size_t n, fo_job_fn fn, void *arg)
{
	struct fo_run_opts o;
	struct fo_run *r;
	char err[256];
	int e = 0;

	memset(&o, 0, sizeof(o));
	CHECK_EQ(fo_model_parse(model, &o.model, err, sizeof(err)), 0);
	o.ntasks = n;
	o.fn = fn;
	o.arg = arg;
	o.keep_results = true;
	o.quiet = true;
	r = fo_run(&o, &e);
	CHECK(r != NULL);
	return r;
}

static void all_ok(struct fo_run *r, const char *model)
{
	const struct fo_run_stats *st = fo_run_stats(r);
	size_t i;

	for (i = 0; i < st->ntasks; i++) {
		const struct fo_result *res = fo_run_result(r, i);

		if (res->status != FO_OK)
			fprintf(stderr, "%s: task %zu: %s\n", model, i, res->error ? res->error : "?");
		CHECK_EQ(res->status, FO_OK);
	}
}

static int pair(int sv[2])
{
	return socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
}

/* ---- round trip, heap and stack buffers, end of stream ------------------------ */

static int echo_task(struct fo_job *job, void *arg)
{
	char *heap = malloc(64), stackbuf[64];
	int sv[2], ret = -EIO;
	ssize_t n;

	(void)arg;
	if (!heap || pair(sv) < 0)
		goto out;
	memcpy(heap, "ping", 4);
	/* heap to heap: the completion-based way under coroutines on io_uring */
	if (fo_send(sv[0], heap, 4, fo_now() + FO_SEC) != 4)
		goto close;
	memset(heap, 0, 64);
	n = fo_recv(sv[1], heap, 64, fo_now() + FO_SEC);
	if (n != 4 || memcmp(heap, "ping", 4))
		goto close;
	/* a buffer on the (shared) stack takes the readiness way */
	if (fo_send(sv[1], "pong", 4, fo_now() + FO_SEC) != 4)
		goto close;
	n = fo_recv(sv[0], stackbuf, sizeof(stackbuf), fo_now() + FO_SEC);
	if (n != 4 || memcmp(stackbuf, "pong", 4))
		goto close;
	/* nothing there: waits, then times out */
	n = fo_recv(sv[0], heap, 64, fo_now() + 5 * FO_MSEC);
	if (n != -ETIMEDOUT) {
		fo_job_errorf(job, "recv on an empty socket: %zd", n);
		goto close;
	}
	/* the peer closes: end of stream */
	close(sv[1]);
	sv[1] = -1;
	n = fo_recv(sv[0], heap, 64, fo_now() + FO_SEC);
	if (n != 0)
		goto close;
	/* and sending to a closed peer is -EPIPE, not SIGPIPE */
	n = fo_send(sv[0], heap, 4, fo_now() + FO_SEC);
	if (n != -EPIPE) {
		fo_job_errorf(job, "send to a closed peer: %zd", n);
		goto close;
	}
	ret = 0;
close:
	close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
out:
	free(heap);
	return ret;
}

TEST(io_recv_send_every_model)
{
	size_t m;

	for (m = 0; m < NIO; m++) {
		struct fo_run *r = run(io_models[m], 8, echo_task, NULL);

		all_ok(r, io_models[m]);
		fo_run_free(r);
	}
}

/* ---- a send bigger than the socket takes: partial sends, then the rest ---------- */

#define BIG (4 << 20)

struct big {
	int fd;
	char *buf;
	size_t got;
};

static int big_reader(void *arg)
{
	struct big *b = arg;

	while (b->got < BIG) {
		ssize_t n = fo_recv(b->fd, b->buf + b->got, BIG - b->got, fo_now() + 5 * FO_SEC);

		if (n <= 0)
			return (int)n;
		b->got += (size_t)n;
	}
	return 0;
}

static int big_task(struct fo_job *job, void *arg)
{
	/* not on the stack: the reader may not point into a parked task's */
	struct big *bp = calloc(1, sizeof(*bp)), b0 = { 0 };
	char *out = malloc(BIG);
	size_t sent = 0, i;
	fo_task *rd;
	int sv[2], ret = -EIO, rr = -1;

	(void)arg;
	if (!bp)
		return -ENOMEM;
	b0.buf = malloc(BIG);
	*bp = b0;
	if (!out || !bp->buf || pair(sv) < 0)
		goto out;
	for (i = 0; i < BIG; i++)
		out[i] = (char)(i * 7 + 3);
	bp->fd = sv[1];
	rd = fo_spawn(big_reader, bp);
	if (!rd)
		goto close;
	while (sent < BIG) {
		ssize_t n = fo_send(sv[0], out + sent, BIG - sent, fo_now() + 5 * FO_SEC);

		if (n <= 0)
			break;
		sent += (size_t)n;
	}
	fo_join(rd, &rr);
	if (sent == BIG && rr == 0 && bp->got == BIG && !memcmp(out, bp->buf, BIG))
		ret = 0;
	else
		fo_job_errorf(job, "sent %zu, read %zu, reader %d", sent, bp->got, rr);
close:
	close(sv[0]);
	close(sv[1]);
out:
	free(out);
	free(bp->buf);
	free(bp);
	return ret;
}

TEST(io_big_send_every_model)
{
	size_t m;

	for (m = 0; m < NIO; m++) {
		struct fo_run *r = run(io_models[m], 2, big_task, NULL);

		all_ok(r, io_models[m]);
		fo_run_free(r);
	}
}

/* ---- a wait that ends early lets go of the buffer, and loses nothing ------------ */

struct racer {
	int fd;
	int64_t delay;
};

static int late_writer(void *arg)
{
	struct racer *w = arg;

	fo_sleep(w->delay);
	return send(w->fd, "z", 1, MSG_NOSIGNAL) == 1 ? 0 : -errno;
}

/*
 * The byte is sent near the reader's deadline, on either side of it. A
 * timed-out recv must leave the byte in the socket, and the buffer
 * untouched from then on; a recv that got it reports it.
 */
static int race_task(struct fo_job *job, void *arg)
{
	char *buf = malloc(16);
	struct racer *w = malloc(sizeof(*w));
	int sv[2], k, ret = -EIO, got = 0, timeouts = 0;

	(void)arg;
	if (!buf || !w || pair(sv) < 0)
		goto out;
	for (k = 0; k < 60; k++) {
		fo_task *wt;
		ssize_t n;

		w->fd = sv[1];
		w->delay = (int64_t)(k % 5) * 500 * FO_USEC;
		wt = fo_spawn(late_writer, w);
		if (!wt)
			goto close;
		buf[0] = 'a';
		n = fo_recv(sv[0], buf, 16, fo_now() + 1 * FO_MSEC);
		if (n == -ETIMEDOUT) {
			timeouts++;
			if (buf[0] != 'a')
				goto bad; /* written into after it gave up */
			fo_join(wt, NULL);
			fo_sleep(FO_MSEC);
			if (buf[0] != 'a')
				goto bad;
			n = fo_recv(sv[0], buf, 16, fo_now() + FO_SEC);
		} else {
			fo_join(wt, NULL);
		}
		if (n != 1 || buf[0] != 'z') {
			fo_job_errorf(job, "round %d: recv %zd '%c'", k, n, buf[0]);
			goto close;
		}
		got++;
	}
	ret = got == 60 ? 0 : -EIO;
	(void)timeouts;
	goto close;
bad:
	fo_job_errorf(job, "the buffer changed after recv timed out");
close:
	close(sv[0]);
	close(sv[1]);
out:
	free(buf);
	free(w);
	return ret;
}

TEST(io_recv_deadline_race)
{
	const char *models[] = { "loop", "coro:2", "threads:2" };
	size_t m;

	for (m = 0; m < 3; m++) {
		struct fo_run *r = run(models[m], 4, race_task, NULL);

		all_ok(r, models[m]);
		fo_run_free(r);
	}
}

/* ---- cancel and interrupt a task waiting in recv ------------------------------- */

struct waiter {
	int fd;
	char *buf;
	ssize_t res;
};

static int waiter_main(void *arg)
{
	struct waiter *w = arg;

	w->res = fo_recv(w->fd, w->buf, 16, FO_NEVER);
	return 0;
}

static int cancel_task(struct fo_job *job, void *arg)
{
	struct waiter *wp = calloc(1, sizeof(*wp));
	int sv[2], ret = -EIO;
	fo_task *t;

	(void)arg;
	if (!wp)
		return -ENOMEM;
	wp->buf = malloc(16);
	if (!wp->buf || pair(sv) < 0)
		goto out;
	wp->fd = sv[0];
	wp->res = 1;
	wp->buf[0] = 'a';
	t = fo_spawn(waiter_main, wp);
	if (!t)
		goto close;
	fo_sleep(5 * FO_MSEC);
	fo_cancel(t);
	fo_join(t, NULL);
	if (wp->res != -ECANCELED) {
		fo_job_errorf(job, "cancelled recv returned %zd", wp->res);
		goto close;
	}
	/* the kernel no longer reads into the buffer: a byte stays queued */
	if (send(sv[1], "z", 1, 0) != 1)
		goto close;
	fo_sleep(2 * FO_MSEC);
	if (wp->buf[0] != 'a') {
		fo_job_errorf(job, "buffer written after cancel");
		goto close;
	}
	ret = fo_recv(sv[0], wp->buf, 16, fo_now() + FO_SEC) == 1 ? 0 : -EIO;
close:
	close(sv[0]);
	close(sv[1]);
out:
	free(wp->buf);
	free(wp);
	return ret;
}

TEST(io_recv_cancel)
{
	const char *models[] = { "loop", "coro:2", "threads:2", "sequential" };
	size_t m;

	for (m = 0; m < 4; m++) {
		struct fo_run *r = run(models[m], 3, cancel_task, NULL);

		all_ok(r, models[m]);
		fo_run_free(r);
	}
}

static atomic_int parked;

static int stuck_task(struct fo_job *job, void *arg)
{
	char *buf = malloc(16);
	int sv[2];
	ssize_t n;

	(void)job;
	(void)arg;
	if (!buf || pair(sv) < 0)
		return -ENOMEM;
	atomic_fetch_add(&parked, 1);
	n = fo_recv(sv[0], buf, 16, FO_NEVER);
	close(sv[0]);
	close(sv[1]);
	free(buf);
	return (int)n;
}

static void *interrupter(void *arg)
{
	int want = *(int *)arg;
	int64_t end = fo_now() + 5 * FO_SEC;

	while (atomic_load(&parked) < want && fo_now() < end)
		usleep(1000);
	usleep(5000);
	fo_interrupt();
	return NULL;
}

TEST(io_recv_interrupted)
{
	const char *models[] = { "loop", "coro:2" };
	size_t m;

	for (m = 0; m < 2; m++) {
		pthread_t th;
		int want = 200;
		struct fo_run *r;
		const struct fo_run_stats *st;
		size_t i, seen = 0;

		atomic_store(&parked, 0);
		fo_interrupt_reset();
		CHECK_EQ(pthread_create(&th, NULL, interrupter, &want), 0);
		r = run(models[m], 200, stuck_task, NULL);
		pthread_join(th, NULL);
		st = fo_run_stats(r);
		for (i = 0; i < st->ntasks; i++) {
			const struct fo_result *res = fo_run_result(r, i);

			CHECK(res->status != FO_OK);
			seen++;
		}
		CHECK_EQ(seen, 200);
		fo_run_free(r);
		fo_interrupt_reset();
	}
}

/* ---- fo_send_recv: a turn in one call; a send that fails or stalls ends it ------- */

static char stalled[BIG]; /* stays put: a send may still hold it after a timeout */

static int turn_task(struct fo_job *job, void *arg)
{
	char *heap = malloc(64), *back = malloc(64);
	int sv[2], ret = -EIO;
	ssize_t n;

	(void)arg;
	if (!heap || !back || pair(sv) < 0)
		goto out;
	/* the answer is there before the question: both arrive, in order */
	if (send(sv[1], "pong", 4, 0) != 4)
		goto close;
	n = fo_send_recv(sv[0], "ping", 4, heap, 64, fo_now() + FO_SEC);
	if (n != 4 || memcmp(heap, "pong", 4)) {
		fo_job_errorf(job, "turn: %zd", n);
		goto close;
	}
	n = fo_recv(sv[1], back, 64, fo_now() + FO_SEC);
	if (n != 4 || memcmp(back, "ping", 4))
		goto close;
	/* a send that cannot finish (the peer reads nothing): the deadline ends it */
	n = fo_send_recv(sv[0], stalled, BIG, heap, 64, fo_now() + 20 * FO_MSEC);
	if (n != -ETIMEDOUT) {
		fo_job_errorf(job, "stalled send: %zd", n);
		goto close;
	}
	/* the peer is gone: the send's error, nothing read */
	close(sv[1]);
	sv[1] = -1;
	n = fo_send_recv(sv[0], "ping", 4, heap, 64, fo_now() + FO_SEC);
	if (n != -EPIPE && n != -ECONNRESET) {
		fo_job_errorf(job, "send to a closed peer: %zd", n);
		goto close;
	}
	ret = 0;
close:
	close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
out:
	free(heap);
	free(back);
	return ret;
}

TEST(io_send_recv_every_model)
{
	size_t m;

	for (m = 0; m < NIO; m++) {
		struct fo_run *r = run(io_models[m], 4, turn_task, NULL);

		all_ok(r, io_models[m]);
		fo_run_free(r);
	}
}

/* ---- fo_recv_scratch: a buffer lent only for the call --------------------------- */

#define SCR_CONNS 64
#define SCR_BYTES 9000 /* more than four ring buffers' worth each */

/* The buffer every reader of a thread lends to fo_recv_scratch in turn. */
static __thread char scratch[16384];

struct scr {
	int fd;
	int id;
	size_t got;
	unsigned char *buf;
	int res;
};

static unsigned char scr_byte(int id, size_t i)
{
	return (unsigned char)(id * 31 + i * 7 + (i >> 9));
}

static int scr_reader(void *arg)
{
	struct scr *c = arg;

	while (c->got < SCR_BYTES) {
		ssize_t n = fo_recv_scratch(c->fd, scratch, sizeof(scratch), fo_now() + 20 * FO_SEC);

		if (n <= 0 || c->got + (size_t)n > SCR_BYTES) {
			c->res = n <= 0 ? (n ? (int)n : -EPIPE) : -E2BIG;
			return 0;
		}
		memcpy(c->buf + c->got, scratch, (size_t)n);
		c->got += (size_t)n;
		/* the others read into scratch meanwhile */
		fo_yield();
	}
	c->res = 0;
	return 0;
}

/* Sends bytes [from, to) of connection c's stream. */
static int scr_send(struct scr *c, int wfd, size_t from, size_t to)
{
	unsigned char b[SCR_BYTES];
	size_t i;

	for (i = from; i < to; i++)
		b[i - from] = scr_byte(c->id, i);
	while (from < to) {
		ssize_t w = fo_send(wfd, b, to - from, fo_now() + 20 * FO_SEC);

		if (w <= 0)
			return w ? (int)w : -EPIPE;
		memmove(b, b + w, to - from - (size_t)w);
		from += (size_t)w;
	}
	return 0;
}

/*
 * SCR_CONNS socket pairs, each with data before its reader starts (so that
 * every reader's first read finds data at once: with a small ring most find
 * no buffer), then the rest in pieces while they read. Every reader gets
 * its stream whole and in order.
 */
static int scratch_task(struct fo_job *job, void *arg)
{
	struct scr *cs = calloc(SCR_CONNS, sizeof(*cs));
	int (*sv)[2] = calloc(SCR_CONNS, sizeof(*sv));
	fo_task *ts[SCR_CONNS];
	int i, k, ret = -EIO, nt = 0;
	size_t j;

	(void)arg;
	if (!cs || !sv)
		goto out;
	for (i = 0; i < SCR_CONNS; i++)
		sv[i][0] = sv[i][1] = -1;
	for (i = 0; i < SCR_CONNS; i++) {
		cs[i].buf = malloc(SCR_BYTES);
		if (!cs[i].buf || pair(sv[i]) < 0)
			goto close;
		cs[i].fd = sv[i][0];
		cs[i].id = i;
		cs[i].res = 1;
		if (scr_send(&cs[i], sv[i][1], 0, 3000) < 0)
			goto close;
	}
	for (nt = 0; nt < SCR_CONNS; nt++) {
		ts[nt] = fo_spawn(scr_reader, &cs[nt]);
		if (!ts[nt])
			goto join;
	}
	for (k = 1; k < 4; k++) {
		for (i = 0; i < SCR_CONNS; i++)
			if (scr_send(&cs[i], sv[i][1], 1000 + 2000 * (size_t)k, 3000 + 2000 * (size_t)k) < 0)
				goto join;
		fo_yield();
	}
	ret = 0;
join:
	for (i = 0; i < nt; i++)
		fo_join(ts[i], NULL);
	for (i = 0; i < nt && ret == 0; i++) {
		if (cs[i].res != 0 || cs[i].got != SCR_BYTES) {
			fo_job_errorf(job, "reader %d: %d, %zu bytes", i, cs[i].res, cs[i].got);
			ret = -EIO;
			break;
		}
		for (j = 0; j < SCR_BYTES; j++)
			if (cs[i].buf[j] != scr_byte(i, j)) {
				fo_job_errorf(job, "reader %d: byte %zu wrong", i, j);
				ret = -EIO;
				break;
			}
	}
close:
	for (i = 0; i < SCR_CONNS; i++) {
		if (sv[i][0] >= 0) {
			close(sv[i][0]);
			close(sv[i][1]);
		}
		free(cs[i].buf);
	}
out:
	free(cs);
	free(sv);
	return ret;
}

static const struct fo_run_stats *scratch_run(const char *model, struct fo_run **rp)
{
	*rp = run(model, 2, scratch_task, NULL);
	all_ok(*rp, model);
	return fo_run_stats(*rp);
}

TEST(io_recv_scratch_every_model)
{
	const char *models[] = { "loop", "coro:2", "threads:2", "sequential" };
	size_t m;

	for (m = 0; m < 4; m++) {
		struct fo_run *r;

		scratch_run(models[m], &r);
		fo_run_free(r);
	}
}

/* Two ring buffers for 64 readers whose data is there before they read:
 * most reads find the ring empty, wait, and lose nothing. */
TEST(io_recv_scratch_ring_exhausted)
{
	const char *models[] = { "loop", "coro:2" };
	size_t m;

	CHECK_EQ(setenv("FANOUT_RECV_BUFS", "2", 1), 0);
	for (m = 0; m < 2; m++) {
		struct fo_run *r;
		const struct fo_run_stats *st = scratch_run(models[m], &r);

		/* a ring where the poller is io_uring and the kernel has them */
		if (st->recv_bufs) {
			CHECK_EQ(st->recv_bufs, 2);
			CHECK(st->recv_nobufs > 0);
		}
		fo_run_free(r);
	}
}

/* No ring (as on a kernel without them): recv into the lent buffer. */
TEST(io_recv_scratch_no_ring)
{
	struct fo_run *r;
	const struct fo_run_stats *st;

	CHECK_EQ(setenv("FANOUT_RECV_BUFS", "0", 1), 0);
	st = scratch_run("coro:2", &r);
	CHECK_EQ(st->recv_bufs, 0);
	CHECK_EQ(st->recv_nobufs, 0);
	fo_run_free(r);
}

static int scr_waiter(void *arg)
{
	struct waiter *w = arg;

	w->res = fo_recv_scratch(w->fd, scratch, 16, FO_NEVER);
	return 0;
}

/* A read that times out or is cancelled takes nothing: the bytes that come
 * after it go to the next read, whole. */
static int scratch_wait_task(struct fo_job *job, void *arg)
{
	struct waiter *wp = calloc(1, sizeof(*wp));
	int sv[2] = { -1, -1 }, ret = -EIO;
	fo_task *t;
	ssize_t n;

	(void)arg;
	if (!wp || pair(sv) < 0)
		goto out;
	n = fo_recv_scratch(sv[0], scratch, sizeof(scratch), fo_now() + 5 * FO_MSEC);
	if (n != -ETIMEDOUT) {
		fo_job_errorf(job, "recv on an empty socket: %zd", n);
		goto out;
	}
	wp->fd = sv[0];
	wp->res = 1;
	t = fo_spawn(scr_waiter, wp);
	if (!t)
		goto out;
	fo_sleep(5 * FO_MSEC);
	fo_cancel(t);
	fo_join(t, NULL);
	if (wp->res != -ECANCELED) {
		fo_job_errorf(job, "cancelled recv returned %zd", wp->res);
		goto out;
	}
	if (send(sv[1], "abcdef", 6, 0) != 6)
		goto out;
	n = fo_recv_scratch(sv[0], scratch, 3, fo_now() + 5 * FO_SEC);
	if (n != 3 || memcmp(scratch, "abc", 3))
		goto out;
	n = fo_recv_scratch(sv[0], scratch, sizeof(scratch), fo_now() + 5 * FO_SEC);
	if (n != 3 || memcmp(scratch, "def", 3))
		goto out;
	close(sv[1]);
	sv[1] = -1;
	n = fo_recv_scratch(sv[0], scratch, sizeof(scratch), fo_now() + 5 * FO_SEC);
	if (n != 0) {
		fo_job_errorf(job, "recv at end of stream: %zd", n);
		goto out;
	}
	ret = 0;
out:
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	free(wp);
	return ret;
}

TEST(io_recv_scratch_waits)
{
	const char *models[] = { "loop", "coro:2", "threads:2", "sequential" };
	size_t m;

	for (m = 0; m < 4; m++) {
		struct fo_run *r = run(models[m], 3, scratch_wait_task, NULL);

		all_ok(r, models[m]);
		fo_run_free(r);
	}
}
