/*
 * fo_curl_perform: a libcurl transfer on the runtime's waits.
 *
 * curl's multi-socket interface tells us, through two callbacks, which
 * sockets to watch for what and when its next timeout is; we wait for that
 * with fo_wait_fd()/fo_sleep_until() and hand the readiness back with
 * curl_multi_socket_action(). So the calling task parks like any other
 * wait, under every model, and curl never blocks a thread (its threaded
 * resolver signals through a socket, which we watch like the others).
 */
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "curl.h"
#include "fanout/runtime.h"

#define MAXSOCK 8

struct drv {
	curl_socket_t fd[MAXSOCK];
	int what[MAXSOCK];
	int n;
	long timeout_ms; /* -1: none */
	int64_t timer_set_at;
};

static long keep_connections; /* 0: curl's default */

void fo_curl_keep_connections(long n)
{
	keep_connections = n;
}

int fo_curl_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -EIO;
}

static int on_socket(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct drv *d = userp;
	int i;

	(void)e;
	(void)socketp;
	for (i = 0; i < d->n && d->fd[i] != s; i++)
		;
	if (what == CURL_POLL_REMOVE) {
		if (i < d->n) {
			d->fd[i] = d->fd[d->n - 1];
			d->what[i] = d->what[d->n - 1];
			d->n--;
		}
		return 0;
	}
	if (i == d->n) {
		if (d->n == MAXSOCK)
			return -1;
		d->n++;
	}
	d->fd[i] = s;
	d->what[i] = what;
	return 0;
}

static int on_timer(CURLM *m, long timeout_ms, void *userp)
{
	struct drv *d = userp;

	(void)m;
	d->timeout_ms = timeout_ms;
	d->timer_set_at = fo_now();
	return 0;
}

static int events_of(int what)
{
	return (what & CURL_POLL_IN ? FO_READ : 0) | (what & CURL_POLL_OUT ? FO_WRITE : 0);
}

/* One transfer driven through the runtime's waits with curl's
 * multi-socket API: its socket and timer callbacks, the wait, and the
 * completion. Over 80 lines because the callbacks' state is local to this
 * one transfer; NEEDSWORK: a struct and three small functions. */
CURLcode fo_curl_perform(CURL *easy, int64_t deadline)
{
	struct drv d = { .timeout_ms = -1 };
	CURLM *m = curl_multi_init();
	CURLcode res = CURLE_OK;
	CURLMsg *msg;
	int running = 1, left;

	if (!m)
		return CURLE_OUT_OF_MEMORY;
	curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(m, CURLMOPT_SOCKETDATA, &d);
	curl_multi_setopt(m, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(m, CURLMOPT_TIMERDATA, &d);
	if (keep_connections > 0)
		curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, keep_connections);
	if (curl_multi_add_handle(m, easy) != CURLM_OK) {
		curl_multi_cleanup(m);
		return CURLE_FAILED_INIT;
	}
	/* d is on this task's stack: curl calls back into it only from the
	 * curl calls below, made by this task while it runs */
	curl_multi_socket_action(m, CURL_SOCKET_TIMEOUT, 0, &running);
	while (running) {
		int64_t now = fo_now(), dl = deadline;
		int r;

		if (d.timeout_ms >= 0) {
			int64_t t = d.timer_set_at + (int64_t)d.timeout_ms * FO_MSEC;

			if (t < dl)
				dl = t;
		}
		if (now >= deadline) {
			res = CURLE_OPERATION_TIMEDOUT;
			goto out;
		}
		if (d.n == 0) {
			r = fo_sleep_until(dl);
			if (r == -ECANCELED) {
				res = CURLE_ABORTED_BY_CALLBACK;
				goto out;
			}
			d.timeout_ms = -1;
			curl_multi_socket_action(m, CURL_SOCKET_TIMEOUT, 0, &running);
			continue;
		}
		if (d.n > 1) {
			/* happy eyeballs: several sockets at once; poll them all
			 * now, else wait on the first a little and look again */
			struct pollfd p[MAXSOCK];
			int i, k;

			for (i = 0; i < d.n; i++) {
				p[i].fd = d.fd[i];
				p[i].events = (short)((d.what[i] & CURL_POLL_IN ? POLLIN : 0) |
						      (d.what[i] & CURL_POLL_OUT ? POLLOUT : 0));
			}
			k = poll(p, (nfds_t)d.n, 0);
			if (k > 0) {
				curl_socket_t fds[MAXSOCK];
				int ev[MAXSOCK], n = 0;

				for (i = 0; i < d.n; i++) {
					if (!p[i].revents)
						continue;
					fds[n] = p[i].fd;
					ev[n++] = (p[i].revents & (POLLIN | POLLHUP | POLLERR) ? CURL_CSELECT_IN : 0) |
						  (p[i].revents & (POLLOUT | POLLERR) ? CURL_CSELECT_OUT : 0);
				}
				for (i = 0; i < n; i++)
					curl_multi_socket_action(m, fds[i], ev[i], &running);
				continue;
			}
			if (dl > now + 5 * FO_MSEC)
				dl = now + 5 * FO_MSEC;
		}
		r = fo_wait_fd(d.fd[0], events_of(d.what[0]), dl);
		if (r == -ECANCELED) {
			res = CURLE_ABORTED_BY_CALLBACK;
			goto out;
		}
		if (r > 0) {
			curl_multi_socket_action(m, d.fd[0],
						 (r & FO_READ ? CURL_CSELECT_IN : 0) | (r & FO_WRITE ? CURL_CSELECT_OUT : 0),
						 &running);
		} else if (d.timeout_ms >= 0 && fo_now() >= d.timer_set_at + (int64_t)d.timeout_ms * FO_MSEC) {
			d.timeout_ms = -1;
			curl_multi_socket_action(m, CURL_SOCKET_TIMEOUT, 0, &running);
		}
	}
	while ((msg = curl_multi_info_read(m, &left)))
		if (msg->msg == CURLMSG_DONE && msg->easy_handle == easy)
			res = msg->data.result;
out:
	curl_multi_remove_handle(m, easy);
	curl_multi_cleanup(m);
	return res;
}
