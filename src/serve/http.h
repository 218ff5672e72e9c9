/*
 * The HTTP/1.1 request-head parser of `fanout serve`: a pure function over
 * bytes (no IO, no allocation), so the server, the load generator's tests
 * and the fuzzer (tests/fuzz/fuzz-http.c) share it.
 */
#ifndef FO_HTTP_H
#define FO_HTTP_H

#include <stdbool.h>
#include <stddef.h>

struct fo_http_req {
	const char *method, *target; /* point into the parsed buffer */
	size_t method_len, target_len;
	int minor;                   /* HTTP/1.minor */
	bool keep_alive;             /* after the version and any Connection header */
	bool chunked;                /* Transfer-Encoding: chunked */
	long long content_length;    /* -1 when absent */
	size_t head_len;             /* request line + headers + the blank line */
};

#define FO_HTTP_MORE 0     /* no complete head yet */
#define FO_HTTP_BAD (-400) /* malformed */
#define FO_HTTP_BIG (-431) /* head larger than max_head */

/*
 * Parses the request head at the start of buf[0..len). Returns the head's
 * length (> 0) and fills r, FO_HTTP_MORE, FO_HTTP_BAD or FO_HTTP_BIG.
 */
int fo_http_parse(const char *buf, size_t len, size_t max_head, struct fo_http_req *r);

#endif
