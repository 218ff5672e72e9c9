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
#include <stdlib.h>
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

static int ur_disarm(struct fo__poller *p, int fd, uint64_t key)
{
	struct io_uring_sqe *sqe = get_sqe(p->impl);

	(void)fd;
	if (!sqe)
		return -EBUSY;
	if (key & FO__PK_IO)
		io_uring_prep_cancel64(sqe, key, 0);
	else
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
		if (key == FO__PK_IGNORE)
			continue;
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
	.wait = ur_wait,
};
