/*
 * A TCP connection to a host that has several addresses, on the runtime's
 * waits: happy eyeballs (RFC 8305). The addresses are tried in the order
 * given (the resolver's, src/net/dns.h: IPv6 and IPv4 interleaved); the
 * next starts when the one before fails, or 250 ms after it started if it
 * has not connected by then, and the first to connect wins. The attempts
 * in flight sit in an epoll set of the call's own, so one fo_wait_fd
 * waits for all of them. A host with one address costs no epoll set.
 */
#ifndef FO_NET_CONNECT_H
#define FO_NET_CONNECT_H

#include <stddef.h>
#include <stdint.h>

/* RFC 8305's "Connection Attempt Delay", its recommended value. */
#define FO_CONNECT_STAGGER (250 * INT64_C(1000000))

/*
 * Connects to port at one of addrs ("A,B,C", numeric IPv4 or IPv6) by
 * deadline (fo_now() time, or FO_NEVER). Returns the connected socket
 * (non-blocking, close-on-exec; the caller's to close) and the address it
 * reached in used[0..usedlen); or -ETIMEDOUT (the deadline passed first),
 * -ECANCELED (the task or the run was cancelled) or the last attempt's
 * -errno when every address failed, with err saying, for people, what
 * each address came to ("connect to A port P: Connection refused; B:
 * timed out").
 */
int fo_connect(const char *addrs, int port, int64_t deadline, char *used, size_t usedlen, char *err,
	       size_t errlen);

#endif
