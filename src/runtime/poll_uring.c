/*
 * The io_uring backend. A registration is a one-shot IORING_OP_POLL_ADD
 * whose user_data is the caller's key; registrations are only queued and go
 * to the kernel with the next wait, in one io_uring_enter that also waits
 * (batched submit-and-wait, with the timeout passed as an argument, so no
 * timeout SQE and no kernel timer per task). Disarm queues a POLL_REMOVE;
 * the removed poll's own completion (-ECANCELED, or a readiness that won
 * the race) is reported later, which frees the key.
 *
 * It also does the IO itself where asked (recv, send): the kernel reads
 * into the caller's buffer when data comes, so a read costs no system call
 * of its own and never returns EAGAIN; one io_uring_enter carries every
 * connection's operations of a loop turn.
 */
#include <errno.h>
#include <liburing.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/utsname.h>
#include <sys/socket.h>

#include "fanout/runtime.h"
#include "poller.h"

#define URING_ENTRIES 1024

static int ur_init(struct fo__poller *p)
{
	struct io_uring *r = calloc(1, sizeof(*r));
	struct io_uring_params prm = { 0 };
	int err;

	if (!r)
		return -ENOMEM;
	/* Only this thread submits: skip the kernel's cross-thread care.
	 * (SINGLE_ISSUER needs 6.0; fall back without it.) */
	prm.flags = IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_SINGLE_ISSUER;
	err = io_uring_queue_init_params(URING_ENTRIES, r, &prm);
	if (err == -EINVAL) {
		struct io_uring_params p2 = { 0 };

		err = io_uring_queue_init_params(URING_ENTRIES, r, &p2);
	}
	if (err < 0) {
		free(r);
		return err;
	}
	if (!(prm.features & IORING_FEAT_EXT_ARG) && !(r->features & IORING_FEAT_EXT_ARG)) {
		io_uring_queue_exit(r);
		free(r);
		return -ENOSYS;
	}
	p->impl = r;
	return 0;
}

static void ur_release(struct fo__poller *p)
{
	struct io_uring *r = p->impl;

	if (!r)
		return;
	io_uring_queue_exit(r);
	free(r);
	p->impl = NULL;
}

static struct io_uring_sqe *get_sqe(struct io_uring *r)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(r);

	if (!sqe) {
		io_uring_submit(r);
		sqe = io_uring_get_sqe(r);
	}
	return sqe;
}

static int ur_arm(struct fo__poller *p, int fd, int events, uint64_t key)
{
	struct io_uring_sqe *sqe = get_sqe(p->impl);
	unsigned mask = ((events & FO_READ) ? POLLIN | POLLRDHUP : 0) | ((events & FO_WRITE) ? POLLOUT : 0);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_poll_add(sqe, fd, mask);
	io_uring_sqe_set_data64(sqe, key);
	return 0;
}

static int ur_recv(struct fo__poller *p, int fd, void *buf, unsigned len, uint64_t key)
{
	struct io_uring_sqe *sqe = get_sqe(p->impl);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_recv(sqe, fd, buf, len, 0);
	/* Wait for data before trying to read: the callers (fanout serve,
	 * fanout load) read just after they wrote, when the answer cannot
	 * be there yet, and a first try would be a wasted socket read. */
	sqe->ioprio |= IORING_RECVSEND_POLL_FIRST;
	io_uring_sqe_set_data64(sqe, key);
	return 0;
}

static int ur_send(struct fo__poller *p, int fd, const void *buf, unsigned len, uint64_t key)
{
	struct io_uring_sqe *sqe = get_sqe(p->impl);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_send(sqe, fd, buf, len, MSG_NOSIGNAL);
	io_uring_sqe_set_data64(sqe, key);
	return 0;
}

/* Can sends be linked to a recv? MSG_WAITALL on a send (the kernel
 * retries a short one, where a link would otherwise go on after it) came
 * with Linux 5.18. */
static bool links_ok(void)
{
	static atomic_int ok = -1; /* schedulers' threads ask at once */
	int v = atomic_load_explicit(&ok, memory_order_relaxed);
	struct utsname u;
	int maj = 0, min = 0;

	if (v < 0) {
		v = !uname(&u) && sscanf(u.release, "%d.%d", &maj, &min) == 2 && (maj > 5 || (maj == 5 && min >= 18));
		atomic_store_explicit(&ok, v, memory_order_relaxed);
	}
	return v;
}

/* The send waits for all of it and the recv runs only then (a link: the
 * recv is cancelled when the send fails). The send's completion comes
 * with key | FO__PK_LINKED and is dropped: the recv's says how it went.
 * (Not IOSQE_CQE_SKIP_SUCCESS: when a send with it fails, the kernel
 * drops the cancelled recv's completion too, and the task would wait on.) */
static int ur_send_recv(struct fo__poller *p, int fd, const void *sbuf, unsigned slen, void *rbuf, unsigned rlen,
			uint64_t key)
{
	struct io_uring *r = p->impl;
	struct io_uring_sqe *sqe;

	if (!links_ok())
		return -ENOTSUP;
	if (io_uring_sq_space_left(r) < 2)
		io_uring_submit(r);
	if (io_uring_sq_space_left(r) < 2)
		return -EBUSY;
	sqe = io_uring_get_sqe(r);
	io_uring_prep_send(sqe, fd, sbuf, slen, MSG_NOSIGNAL | MSG_WAITALL);
	io_uring_sqe_set_data64(sqe, key | FO__PK_LINKED);
	sqe->flags |= IOSQE_IO_LINK;
	return ur_recv(p, fd, rbuf, rlen, key);
}

static int ur_disarm(struct fo__poller *p, int fd, uint64_t key)
{
	struct io_uring_sqe *sqe = get_sqe(p->impl);

	(void)fd;
	if (!sqe)
		return -EBUSY;
	if (key & FO__PK_IO) {
		io_uring_prep_cancel64(sqe, key, 0);
		io_uring_sqe_set_data64(sqe, FO__PK_IGNORE);
		/* and a send_recv's send, if any (else the cancel finds nothing) */
		if (!(sqe = get_sqe(p->impl)))
			return -EBUSY;
		io_uring_prep_cancel64(sqe, key | FO__PK_LINKED, 0);
	} else
		io_uring_prep_poll_remove(sqe, key);
	io_uring_sqe_set_data64(sqe, FO__PK_IGNORE);
	return 0;
}

static int ur_wait(struct fo__poller *p, int64_t deadline, struct fo__poll_ev *out, int max)
{
	struct io_uring *r = p->impl;
	struct io_uring_cqe *cqe;
	unsigned head, seen = 0;
	int n = 0, err;

	if (deadline == 0) {
		err = io_uring_submit(r);
	} else if (deadline == INT64_MAX) {
		err = io_uring_submit_and_wait(r, 1);
	} else {
		int64_t d = deadline - fo_now();
		struct __kernel_timespec ts;

		if (d < 0)
			d = 0;
		ts.tv_sec = d / FO_SEC;
		ts.tv_nsec = d % FO_SEC;
		err = io_uring_submit_and_wait_timeout(r, &cqe, 1, &ts, NULL);
	}
	if (err < 0 && err != -ETIME && err != -EINTR && err != -EAGAIN && err != -EBUSY)
		return err;
	io_uring_for_each_cqe(r, head, cqe) {
		uint64_t key = io_uring_cqe_get_data64(cqe);
		int res = cqe->res, rev = 0;

		if (n == max)
			break;
		seen++;
		if (key == FO__PK_IGNORE || (key & FO__PK_LINKED && key < FO__PK_INTR))
			continue; /* a send_recv's send: its recv reports */
		if ((key & FO__PK_IO) && key < FO__PK_INTR) {
			rev = res;
		} else if (res < 0) {
			rev = res;
		} else {
			if (res & (POLLERR | POLLHUP | POLLNVAL))
				rev = FO_READ | FO_WRITE;
			if (res & (POLLIN | POLLRDHUP))
				rev |= FO_READ;
			if (res & POLLOUT)
				rev |= FO_WRITE;
		}
		out[n].key = key;
		out[n].revents = rev;
		n++;
	}
	io_uring_cq_advance(r, seen);
	return n;
}

const struct fo__poller_ops fo__poll_uring_ops = {
	.name = "io_uring",
	.async_disarm = true,
	.init = ur_init,
	.release = ur_release,
	.arm = ur_arm,
	.disarm = ur_disarm,
	.recv = ur_recv,
	.send = ur_send,
	.send_recv = ur_send_recv,
	.wait = ur_wait,
};
