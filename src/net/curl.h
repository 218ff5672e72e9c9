/*
 * libcurl driven by the runtime's waits: one transfer, written in blocking
 * style, that parks the calling task (coroutine or thread) while curl waits
 * on its sockets, through curl's multi-socket interface.
 *
 * One multi handle per call. Connections outlive a call only through a
 * share with CURL_LOCK_DATA_CONNECT set on the easy handle (the link
 * checker's); fo_curl_keep_connections() then bounds how many stay open.
 * NEEDSWORK: DESIGN.md's one multi handle per scheduler thread (one timer,
 * no multi set up per transfer) needs a way for a task to wake another
 * parked on a socket curl has since closed.
 */
#ifndef FO_NET_CURL_H
#define FO_NET_CURL_H

#include <curl/curl.h>
#include <stdint.h>

/* Process set-up, once, before threads: 0 or -EIO. */
int fo_curl_global_init(void);

/*
 * How many connections, in use or idle, a shared connection cache may hold
 * before a finished transfer closes the oldest idle one. curl's default,
 * four per easy handle in the multi, would be 4 here (one easy handle per
 * multi), so every transfer but a few would close its connection. Set it
 * once, before transfers start, to the most transfers at once (the idle
 * connections then stay bounded by it, however many hosts are linked).
 */
void fo_curl_keep_connections(long n);

/*
 * Performs easy (set up by the caller, who keeps owning it) until done or
 * the deadline (fo_now() time; FO_NEVER for none) passes. Returns curl's
 * result: CURLE_OPERATION_TIMEDOUT at the deadline, CURLE_ABORTED_BY_CALLBACK
 * when the task was cancelled.
 */
CURLcode fo_curl_perform(CURL *easy, int64_t deadline);

#endif
