/*
 * What `fanout serve` and `fanout load` share: literal addresses (no name
 * lookup, no inet_aton shorthand such as "0" or "127.1"), and SIGINT and
 * SIGTERM taken by a thread of their own rather than by a handler.
 */
#ifndef FO_SERVE_COMMON_H
#define FO_SERVE_COMMON_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

/*
 * host as a literal IPv4 address in dotted-quad form ("127.0.0.1",
 * "0.0.0.0") or a literal IPv6 address ("::1", "::", also in brackets),
 * with port, into *ss and *len: 0, or -EINVAL for anything else (names,
 * "0", "127.1", "0x7f.1", scoped IPv6 addresses).
 */
int fo__addr_literal(const char *host, uint16_t port, struct sockaddr_storage *ss, socklen_t *len);

/*
 * SIGINT and SIGTERM call fo_interrupt() from a thread that waits for them
 * (sigwait): blocked in the caller, and so in every thread and worker
 * process it starts afterwards. Start it before any other thread. Why not
 * a handler: under TSan a handler runs only when the thread the signal hit
 * next calls a function TSan intercepts, in the same coroutine (TSan
 * keeps pending signals per fiber); a signal that hits a connection's
 * coroutine as it ends is never handled, and the server ignored SIGTERM.
 */
struct fo_stopsig {
	pthread_t thread;
	bool started;
};

/* 0, or -errno (the signals are then as they were). */
int fo__stopsig_start(struct fo_stopsig *s);
/* Ends the thread; SIGINT and SIGTERM stay blocked (the caller is ending). */
void fo__stopsig_stop(struct fo_stopsig *s);

#endif
