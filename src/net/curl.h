/*
 * libcurl driven by the runtime's waits: one transfer, written in blocking
 * style, that parks the calling task (coroutine or thread) while curl waits
 * on its sockets, through curl's multi-socket interface.
 *
 * NEEDSWORK: one multi handle per call, so no connection reuse between
 * calls; DESIGN.md's one multi handle per scheduler thread (shared
 * connections, one timer) is for the link checker.
 */
#ifndef FO_NET_CURL_H
#define FO_NET_CURL_H

#include <curl/curl.h>
#include <stdint.h>

/* Process set-up, once, before threads: 0 or -EIO. */
int fo_curl_global_init(void);

/*
 * Performs easy (set up by the caller, who keeps owning it) until done or
 * the deadline (fo_now() time; FO_NEVER for none) passes. Returns curl's
 * result: CURLE_OPERATION_TIMEDOUT at the deadline, CURLE_ABORTED_BY_CALLBACK
 * when the task was cancelled.
 */
CURLcode fo_curl_perform(CURL *easy, int64_t deadline);

#endif
