/*
 * What `fanout serve` and `fanout load` share: literal addresses (no name
 * lookup, no inet_aton shorthand such as "0" or "127.1"); and the signal
 * thread of src/util/stopsig.h.
 */
#ifndef FO_SERVE_COMMON_H
#define FO_SERVE_COMMON_H

#include <stdint.h>
#include <sys/socket.h>

/*
 * host as a literal IPv4 address in dotted-quad form ("127.0.0.1",
 * "0.0.0.0") or a literal IPv6 address ("::1", "::", also in brackets),
 * with port, into *ss and *len: 0, or -EINVAL for anything else (names,
 * "0", "127.1", "0x7f.1", scoped IPv6 addresses).
 */
int fo__addr_literal(const char *host, uint16_t port, struct sockaddr_storage *ss, socklen_t *len);

#include "../util/stopsig.h"

#endif
