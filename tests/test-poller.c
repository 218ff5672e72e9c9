/* Both poller backends through the one internal interface: readiness,
 * deadlines, disarm, hang-ups, re-arming, many fds. */
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../src/runtime/poller.h"
#include "fanout/runtime.h"
#include "test.h"

static int backend(const char *name, struct fo__poller *p)
{
	p->ops = !strcmp(name, "epoll") ? &fo__poll_epoll_ops : &fo__poll_uring_ops;
	return p->ops->init(p);
}

static int wait_all(struct fo__poller *p, int64_t deadline, struct fo__poll_ev *evs, int max)
{
	int n = p->ops->wait(p, deadline, evs, max);

	CHECK(n >= 0);
	return n;
}

static void readiness(const char *name)
{
	struct fo__poller p;
	struct fo__poll_ev ev[8];
	int fds[2], n;
	int64_t t0;

	if (backend(name, &p) < 0)
		fo_test_skip("backend not available here");
	CHECK_EQ(pipe2(fds, O_NONBLOCK), 0);
	CHECK_EQ(p.ops->arm(&p, fds[0], FO_READ, 42), 0);
	/* nothing to read: the deadline passes with no event */
	t0 = fo_now();
	n = wait_all(&p, t0 + 20 * FO_MSEC, ev, 8);
	CHECK_EQ(n, 0);
	CHECK(fo_now() >= t0 + 20 * FO_MSEC);
	CHECK_EQ(write(fds[1], "x", 1), 1);
	n = wait_all(&p, fo_now() + FO_SEC, ev, 8);
	CHECK_EQ(n, 1);
	CHECK_EQ(ev[0].key, 42);
	CHECK(ev[0].revents & FO_READ);
	/* one-shot: no second event without a new arm */
	n = wait_all(&p, 0, ev, 8);
	CHECK_EQ(n, 0);
	/* re-arm the same fd: fires at once, the byte is still there */
	CHECK_EQ(p.ops->arm(&p, fds[0], FO_READ, 43), 0);
	n = wait_all(&p, fo_now() + FO_SEC, ev, 8);
	CHECK_EQ(n, 1);
	CHECK_EQ(ev[0].key, 43);
	close(fds[0]);
	close(fds[1]);
	p.ops->release(&p);
}

TEST(poller_epoll_readiness) { readiness("epoll"); }
TEST(poller_uring_readiness) { readiness("io_uring"); }

static void disarm(const char *name)
{
	struct fo__poller p;
	struct fo__poll_ev ev[8];
	int fds[2], n;

	if (backend(name, &p) < 0)
		fo_test_skip("backend not available here");
	CHECK_EQ(pipe2(fds, O_NONBLOCK), 0);
	CHECK_EQ(p.ops->arm(&p, fds[0], FO_READ, 7), 0);
	n = wait_all(&p, 0, ev, 8); /* io_uring: the arm reaches the kernel */
	CHECK_EQ(n, 0);
	CHECK_EQ(p.ops->disarm(&p, fds[0], 7), 0);
	CHECK_EQ(write(fds[1], "x", 1), 1);
	n = wait_all(&p, fo_now() + 50 * FO_MSEC, ev, 8);
	if (p.ops->async_disarm) {
		/* the removed registration's last word: -ECANCELED, or the
		 * readiness that got there before the removal did */
		CHECK_EQ(n, 1);
		CHECK_EQ(ev[0].key, 7);
		CHECK(ev[0].revents == -ECANCELED || ev[0].revents > 0);
	} else {
		CHECK_EQ(n, 0);
	}
	close(fds[0]);
	close(fds[1]);
	p.ops->release(&p);
}

TEST(poller_epoll_disarm) { disarm("epoll"); }
TEST(poller_uring_disarm) { disarm("io_uring"); }

static void hangup_and_write(const char *name)
{
	struct fo__poller p;
	struct fo__poll_ev ev[8];
	int sv[2], fds[2], n;

	if (backend(name, &p) < 0)
		fo_test_skip("backend not available here");
	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	CHECK_EQ(p.ops->arm(&p, sv[0], FO_WRITE, 1), 0);
	n = wait_all(&p, fo_now() + FO_SEC, ev, 8);
	CHECK_EQ(n, 1);
	CHECK(ev[0].revents & FO_WRITE);
	CHECK_EQ(pipe2(fds, O_NONBLOCK), 0);
	CHECK_EQ(p.ops->arm(&p, fds[0], FO_READ, 2), 0);
	close(fds[1]); /* the writer goes away */
	n = wait_all(&p, fo_now() + FO_SEC, ev, 8);
	CHECK_EQ(n, 1);
	CHECK_EQ(ev[0].key, 2);
	CHECK(ev[0].revents & FO_READ);
	close(fds[0]);
	close(sv[0]);
	close(sv[1]);
	p.ops->release(&p);
}

TEST(poller_epoll_hangup) { hangup_and_write("epoll"); }
TEST(poller_uring_hangup) { hangup_and_write("io_uring"); }

static void many(const char *name)
{
	enum { N = 1000 };
	static int fds[N][2];
	static unsigned char seen[N];
	struct fo__poller p;
	struct fo__poll_ev ev[64];
	int i, got = 0;
	int64_t end;

	if (backend(name, &p) < 0)
		fo_test_skip("backend not available here");
	fo_raise_nofile();
	for (i = 0; i < N; i++) {
		CHECK_EQ(pipe2(fds[i], O_NONBLOCK), 0);
		CHECK_EQ(p.ops->arm(&p, fds[i][0], FO_READ, (uint64_t)i + 100), 0);
	}
	for (i = 0; i < N; i++)
		CHECK_EQ(write(fds[i][1], "x", 1), 1);
	end = fo_now() + 5 * FO_SEC;
	while (got < N && fo_now() < end) {
		int n = wait_all(&p, fo_now() + 100 * FO_MSEC, ev, 64), k;

		for (k = 0; k < n; k++) {
			uint64_t key = ev[k].key - 100;

			CHECK(key < N);
			CHECK(!seen[key]);
			seen[key] = 1;
			got++;
		}
	}
	CHECK_EQ(got, N);
	for (i = 0; i < N; i++) {
		close(fds[i][0]);
		close(fds[i][1]);
	}
	p.ops->release(&p);
}

TEST(poller_epoll_many) { many("epoll"); }
TEST(poller_uring_many) { many("io_uring"); }

TEST(poller_env_override)
{
	/* FANOUT_POLLER is read once per process: this test's own process */
	setenv("FANOUT_POLLER", "epoll", 1);
	CHECK_STR(fo_poller_name(), "epoll");
}
