/*
 * The poller behind fo_wait_fd for coroutines: one per scheduler thread,
 * one-shot readiness registrations keyed by a 64-bit value, and one kernel
 * wait per loop turn with a nanosecond deadline. Two backends behind the
 * same small interface, one file each (poll_uring.c, poll_epoll.c), chosen
 * once per process: io_uring where the kernel allows it, epoll otherwise,
 * FANOUT_POLLER=epoll|io_uring to override.
 */
#ifndef FO_POLLER_H
#define FO_POLLER_H

#include <stdbool.h>
#include <stdint.h>

/* Keys with a meaning of their own; every other key is the caller's. */
#define FO__PK_IGNORE 0
#define FO__PK_INTR   (UINT64_MAX - 1)
/* Set in the key of a completion-based IO operation (recv, send): its event
 * carries the operation's result (bytes or a negative errno), not readiness. */
#define FO__PK_IO     (UINT64_C(1) << 62)
/* The send half of a send_recv: its key with this bit too. Its events are
 * the poller's own (never reported); disarm cancels it along with the
 * recv, which a link does not reach while its send waits. */
#define FO__PK_LINKED (UINT64_C(1) << 61)

struct fo__poll_ev {
	uint64_t key;
	/* FO_READ/FO_WRITE (errors set both) or, for a registration that
	 * ended after disarm, a negative errno: the key is free again. */
	int revents;
	/* Set for IO events only: the recv_select buffer the bytes are in,
	 * or -1 (none taken: an error, -ENOBUFS when the ring was empty). */
	int buf;
};

struct fo__poller;

struct fo__poller_ops {
	const char *name;
	/* true when disarm only requests removal: the key's last event
	 * (revents < 0, or a late readiness) arrives from wait() later */
	bool async_disarm;
	int (*init)(struct fo__poller *p);
	void (*release)(struct fo__poller *p);
	int (*arm)(struct fo__poller *p, int fd, int events, uint64_t key);
	int (*disarm)(struct fo__poller *p, int fd, uint64_t key);
	/*
	 * Completion-based IO, NULL where the backend has none (epoll): starts
	 * a recv or a send of len bytes at buf on socket fd; key has FO__PK_IO
	 * set. Its one event comes from wait() with revents = the result.
	 * buf must stay valid until that event: disarm(key) only requests a
	 * cancel, and the event still comes (-ECANCELED, or the bytes moved if
	 * the operation won the race).
	 */
	int (*recv)(struct fo__poller *p, int fd, void *buf, unsigned len, uint64_t key);
	int (*send)(struct fo__poller *p, int fd, const void *buf, unsigned len, uint64_t key);
	/*
	 * A recv into a buffer the backend picks only when data comes (from
	 * io_uring's ring of provided buffers), so nothing is held while the
	 * socket is quiet: at most len bytes, and at most a buffer's size.
	 * NULL where the backend has none; -ENOTSUP from it where this poller
	 * has none (select_bufs == 0). Its event has revents = the result and
	 * buf = the buffer (bytes at buf_at(), valid until buf_put() gives it
	 * back, which must come soon: a held buffer is one fewer for every
	 * other connection) or -1; every buffer taken: -ENOBUFS, the data
	 * still in the socket.
	 */
	int (*recv_select)(struct fo__poller *p, int fd, unsigned len, uint64_t key);
	const char *(*buf_at)(struct fo__poller *p, int buf);
	void (*buf_put)(struct fo__poller *p, int buf);
	/*
	 * A send of all of sbuf linked to a recv_select of at most rlen
	 * bytes, NULL where the backend cannot link them (-ENOTSUP from it
	 * where this poller cannot): one event, key's, as recv_select's;
	 * when the send fails, -ECANCELED (the recv never ran). sbuf must
	 * outlive any send still in flight, even after a disarm.
	 */
	int (*send_recv)(struct fo__poller *p, int fd, const void *sbuf, unsigned slen, unsigned rlen, uint64_t key);
	/* deadline: 0 = do not block, INT64_MAX = no deadline */
	int (*wait)(struct fo__poller *p, int64_t deadline, struct fo__poll_ev *evs, int max);
};

struct fo__poller {
	const struct fo__poller_ops *ops;
	void *impl;
	unsigned select_bufs; /* recv_select's buffers; 0: none */
};

extern const struct fo__poller_ops fo__poll_epoll_ops;
extern const struct fo__poller_ops fo__poll_uring_ops;

/* The backend for this process; a scheduler whose init of it fails says so
 * with fo__poller_failed() and uses epoll, and so does everyone after. */
const struct fo__poller_ops *fo__poller_choose(void);
void fo__poller_failed(const struct fo__poller_ops *ops);

#endif
