/* The HTTP request-head parser of `fanout serve`, as a pure function. */
#include "../src/serve/http.h"
#include "test.h"

static int parse(const char *s, struct fo_http_req *r)
{
	return fo_http_parse(s, strlen(s), 8192, r);
}

TEST(http_parse_get)
{
	struct fo_http_req r;
	const char *s = "GET /a?b=1 HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Upgrade\r\n\r\nGET";

	CHECK_EQ(parse(s, &r), (int)(strlen(s) - 3));
	CHECK_EQ(r.method_len, 3);
	CHECK(!memcmp(r.method, "GET", 3));
	CHECK_EQ(r.target_len, 6);
	CHECK(!memcmp(r.target, "/a?b=1", 6));
	CHECK_EQ(r.minor, 1);
	CHECK(r.keep_alive);
	CHECK_EQ(r.content_length, -1);
}

TEST(http_parse_connection_and_versions)
{
	struct fo_http_req r;

	CHECK(parse("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", &r) > 0);
	CHECK(!r.keep_alive);
	CHECK(parse("GET / HTTP/1.1\r\nconnection: Keep-Alive, CLOSE\r\n\r\n", &r) > 0);
	CHECK(!r.keep_alive);
	CHECK(parse("GET / HTTP/1.0\r\n\r\n", &r) > 0);
	CHECK(!r.keep_alive);
	CHECK(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", &r) > 0);
	CHECK(r.keep_alive);
}

TEST(http_parse_incomplete_and_too_big)
{
	struct fo_http_req r;
	char big[300];

	CHECK_EQ(parse("GET / HTTP/1.1\r\nHost: x\r\n", &r), FO_HTTP_MORE);
	CHECK_EQ(parse("", &r), FO_HTTP_MORE);
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
	CHECK_EQ(fo_http_parse(big, sizeof(big), 256, &r), FO_HTTP_BIG);
	CHECK_EQ(fo_http_parse(big, 200, 256, &r), FO_HTTP_MORE);
}

TEST(http_parse_malformed)
{
	struct fo_http_req r;
	const char *bad[] = {
		"GARBAGE\r\n\r\n",
		"GET  / HTTP/1.1\r\n\r\n",
		"GET / HTTP/2.0\r\n\r\n",
		"GET / HTTP/1.1\r\nNo colon here\r\n\r\n",
		"GET / HTTP/1.1\r\nX: a\r\n folded\r\n\r\n",
		"GET / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
		"GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
		"GET / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
		"GET / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
		"GET / HTTP/1.1\nHost: x\r\n\r\n",
		" GET / HTTP/1.1\r\n\r\n",
		"GET /\x01 HTTP/1.1\r\n\r\n",
		"GET / HTTP/1.1\r\nX: a\x01b\r\n\r\n",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int h = parse(bad[i], &r);

		if (h != FO_HTTP_BAD)
			fprintf(stderr, "case %zu: %d\n", i, h);
		CHECK_EQ(h, FO_HTTP_BAD);
	}
}

TEST(http_parse_lengths)
{
	struct fo_http_req r;

	CHECK(parse("POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", &r) > 0);
	CHECK_EQ(r.content_length, 5);
	CHECK(parse("POST /x HTTP/1.1\r\nContent-Length: 5\r\ncontent-length: 5\r\n\r\n", &r) > 0);
	CHECK(parse("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", &r) > 0);
	CHECK(r.chunked);
}

/* A bare LF or CR is malformed as soon as it is there, not when a blank line comes (it never does). */
TEST(http_parse_bare_line_ends_at_once)
{
	struct fo_http_req r;

	CHECK_EQ(parse("GET / HTTP/1.1\nHost: x\n\n", &r), FO_HTTP_BAD);
	CHECK_EQ(parse("GET / HTTP/1.1\nHo", &r), FO_HTTP_BAD);
	CHECK_EQ(parse("GET / HTTP/1.1\r\nHost: x\n", &r), FO_HTTP_BAD);
	CHECK_EQ(parse("GET / HTTP/1.1\rHost", &r), FO_HTTP_BAD);
	CHECK_EQ(parse("\n", &r), FO_HTTP_BAD);
	/* a CR whose LF has not come yet is not bare */
	CHECK_EQ(parse("GET / HTTP/1.1\r", &r), FO_HTTP_MORE);
	CHECK_EQ(parse("GET / HTTP/1.1\r\nHost: x\r\n\r", &r), FO_HTTP_MORE);
	CHECK(parse("GET / HTTP/1.1\r\nHost: x\r\n\r\n", &r) > 0);
}
