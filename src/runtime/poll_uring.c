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
 *
 * And reads into buffers of its own (recv_select): a ring of provided
 * buffers (IORING_REGISTER_PBUF_RING, buffer group 0) from which the
 * kernel takes one only when data comes, so a connection that waits for a
 * request holds no buffer at all. RECV_BUFS buffers of RECV_BUF_SIZE bytes
 * (FANOUT_RECV_BUFS=N to change the count, 0 for none), in memory that is
 * only touched as used. A kernel without buffer rings (before 5.19) gets
 * none, and callers read the other way.
 */
#include <errno.h>
#include <liburing.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <sys/socket.h>

#include "fanout/runtime.h"
#include "poller.h"

#define URING_ENTRIES 1024
#define RECV_BUFS 128        /* at most 32768, a power of two */
#define RECV_BUF_SIZE 2048
#define RECV_BGID 0

struct ur {
	struct io_uring ring;
	struct io_uring_buf_ring *br; /* NULL: no buffer ring */
	char *bufs;                   /* nbufs * RECV_BUF_SIZE */
	unsigned nbufs;
	size_t br_len;
};

/*
 * FANOUT_RECV_BUFS: the ring's size (0: none), rounded up to a power of
 * two, at most 32768, in *n. 0, or -EINVAL (and *n the default) when it is
 * not a whole number; fo_env_problem() says so before a run of the CLI.
 */
int fo__recv_bufs_env(unsigned *n)
{
	const char *env = getenv("FANOUT_RECV_BUFS");
	unsigned long v;
	char *end;

	*n = RECV_BUFS;
	if (!env || !*env)
		return 0;
	errno = 0;
	v = strtoul(env, &end, 10);
	if (*end || *env < '0' || *env > '9' || errno)
		return -EINVAL;
	if (v == 0) {
		*n = 0;
		return 0;
	}
	for (*n = 1; *n < v && *n < 32768;)
		*n *= 2;
	return 0;
}

/* After the ring's exit: the kernel is done with the buffers. */
static void bufs_release(struct ur *u)
{
	if (u->br)
		munmap(u->br, u->br_len);
	if (u->bufs)
		munmap(u->bufs, (size_t)u->nbufs * RECV_BUF_SIZE);
	u->br = NULL;
	u->bufs = NULL;
	u->nbufs = 0;
}

/* The buffer ring, where the kernel has them: p->select_bufs buffers, or 0. */
static void bufs_init(struct fo__poller *p, struct ur *u)
{
	struct io_uring_buf_reg reg = { 0 };
	unsigned n, i;

	(void)fo__recv_bufs_env(&n); /* a bad value: the default, as fo_env_problem() says */

	p->select_bufs = 0;
	if (!n)
		return;
	u->nbufs = n;
	u->br_len = (size_t)n * sizeof(struct io_uring_buf);
	u->br = mmap(NULL, u->br_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	u->bufs = mmap(NULL, (size_t)n * RECV_BUF_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		       0);
	if (u->br == MAP_FAILED || u->bufs == MAP_FAILED) {
		if (u->br != MAP_FAILED)
			munmap(u->br, u->br_len);
		if (u->bufs != MAP_FAILED)
			munmap(u->bufs, (size_t)n * RECV_BUF_SIZE);
		u->br = NULL;
		u->bufs = NULL;
		u->nbufs = 0;
		return;
	}
	reg.ring_addr = (uint64_t)(uintptr_t)u->br;
	reg.ring_entries = n;
	reg.bgid = RECV_BGID;
	if (io_uring_register_buf_ring(&u->ring, &reg, 0) < 0) {
		/* EINVAL before 5.19: no rings; callers read the other way */
		munmap(u->br, u->br_len);
		munmap(u->bufs, (size_t)n * RECV_BUF_SIZE);
		u->br = NULL;
		u->bufs = NULL;
		u->nbufs = 0;
		return;
	}
	io_uring_buf_ring_init(u->br);
	for (i = 0; i < n; i++)
		io_uring_buf_ring_add(u->br, u->bufs + (size_t)i * RECV_BUF_SIZE, RECV_BUF_SIZE, (unsigned short)i,
				      io_uring_buf_ring_mask(n), (int)i);
	io_uring_buf_ring_advance(u->br, (int)n);
	p->select_bufs = n;
}

static int ur_init(struct fo__poller *p)
{
	struct ur *u = calloc(1, sizeof(*u));
	struct io_uring *r = u ? &u->ring : NULL;
	struct io_uring_params prm = { 0 };
	int err;

	if (!u)
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
		free(u);
		return err;
	}
	if (!(prm.features & IORING_FEAT_EXT_ARG) && !(r->features & IORING_FEAT_EXT_ARG)) {
		io_uring_queue_exit(r);
		free(u);
		return -ENOSYS;
	}
	p->impl = u;
	bufs_init(p, u);
	return 0;
}

static void ur_release(struct fo__poller *p)
{
	struct ur *u = p->impl;

	if (!u)
		return;
	io_uring_queue_exit(&u->ring);
	bufs_release(u);
	free(u);
	p->impl = NULL;
	p->select_bufs = 0;
}

static struct io_uring_sqe *get_sqe(struct fo__poller *p)
{
	struct io_uring *r = &((struct ur *)p->impl)->ring;
	struct io_uring_sqe *sqe = io_uring_get_sqe(r);

	if (!sqe) {
		io_uring_submit(r);
		sqe = io_uring_get_sqe(r);
	}
	return sqe;
}

static int ur_arm(struct fo__poller *p, int fd, int events, uint64_t key)
{
	struct io_uring_sqe *sqe = get_sqe(p);
	unsigned mask = ((events & FO_READ) ? POLLIN | POLLRDHUP : 0) | ((events & FO_WRITE) ? POLLOUT : 0);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_poll_add(sqe, fd, mask);
	io_uring_sqe_set_data64(sqe, key);
	return 0;
}

static int ur_recv_select(struct fo__poller *p, int fd, unsigned len, uint64_t key)
{
	struct io_uring_sqe *sqe;

	if (!p->select_bufs)
		return -ENOTSUP;
	sqe = get_sqe(p);
	if (!sqe)
		return -EBUSY;
	io_uring_prep_recv(sqe, fd, NULL, len < RECV_BUF_SIZE ? len : RECV_BUF_SIZE, 0);
	sqe->ioprio |= IORING_RECVSEND_POLL_FIRST; /* as ur_recv's */
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = RECV_BGID;
	io_uring_sqe_set_data64(sqe, key);
	return 0;
}

static const char *ur_buf_at(struct fo__poller *p, int buf)
{
	return ((struct ur *)p->impl)->bufs + (size_t)buf * RECV_BUF_SIZE;
}

/* Back to the ring's tail: the kernel takes it again after the others. */
static void ur_buf_put(struct fo__poller *p, int buf)
{
	struct ur *u = p->impl;

	io_uring_buf_ring_add(u->br, u->bufs + (size_t)buf * RECV_BUF_SIZE, RECV_BUF_SIZE, (unsigned short)buf,
			      io_uring_buf_ring_mask(u->nbufs), 0);
	io_uring_buf_ring_advance(u->br, 1);
}

static int ur_recv(struct fo__poller *p, int fd, void *buf, unsigned len, uint64_t key)
{
	struct io_uring_sqe *sqe = get_sqe(p);

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
	struct io_uring_sqe *sqe = get_sqe(p);

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
static int ur_send_recv(struct fo__poller *p, int fd, const void *sbuf, unsigned slen, unsigned rlen, uint64_t key)
{
	struct io_uring *r = &((struct ur *)p->impl)->ring;
	struct io_uring_sqe *sqe;

	if (!p->select_bufs || !links_ok())
		return -ENOTSUP;
	if (io_uring_sq_space_left(r) < 2)
		io_uring_submit(r);
	if (io_uring_sq_space_left(r) < 2)
		return -EBUSY;
	sqe = io_uring_get_sqe(r);
	io_uring_prep_send(sqe, fd, sbuf, slen, MSG_NOSIGNAL | MSG_WAITALL);
	io_uring_sqe_set_data64(sqe, key | FO__PK_LINKED);
	sqe->flags |= IOSQE_IO_LINK;
	return ur_recv_select(p, fd, rlen, key);
}

static int ur_disarm(struct fo__poller *p, int fd, uint64_t key)
{
	struct io_uring_sqe *sqe = get_sqe(p);

	(void)fd;
	if (!sqe)
		return -EBUSY;
	if (key & FO__PK_IO) {
		io_uring_prep_cancel64(sqe, key, 0);
		io_uring_sqe_set_data64(sqe, FO__PK_IGNORE);
		/* and a send_recv's send, if any (else the cancel finds nothing) */
		if (!(sqe = get_sqe(p)))
			return -EBUSY;
		io_uring_prep_cancel64(sqe, key | FO__PK_LINKED, 0);
	} else
		io_uring_prep_poll_remove(sqe, key);
	io_uring_sqe_set_data64(sqe, FO__PK_IGNORE);
	return 0;
}

static int ur_wait(struct fo__poller *p, int64_t deadline, struct fo__poll_ev *out, int max)
{
	struct io_uring *r = &((struct ur *)p->impl)->ring;
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
			/* a recv_select's buffer (even with 0 bytes: it is taken) */
			out[n].buf = (cqe->flags & IORING_CQE_F_BUFFER) ? (int)(cqe->flags >> IORING_CQE_BUFFER_SHIFT)
									: -1;
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
	.recv_select = ur_recv_select,
	.buf_at = ur_buf_at,
	.buf_put = ur_buf_put,
	.send_recv = ur_send_recv,
	.wait = ur_wait,
};
