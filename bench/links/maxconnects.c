/*
 * A diagnostic for bench/links (not part of fanout): an LD_PRELOAD shim
 * that gives every curl_multi_init() a CURLMOPT_MAXCONNECTS of
 * $MAXCONNECTS (default 1024), to measure what connection reuse would
 * change in `fanout links` without touching src/.
 *
 * Why: src/net/curl.c, fo_curl_perform(), makes a multi handle for each
 * request. Connections live in the crawl's libcurl share, but when a
 * transfer ends libcurl trims the cache to the *multi's* limit, which by
 * default is 4 × its easy handles (libcurl 7.88, conncache.c,
 * Curl_conncache_return_conn): 4. With 256 requests in flight, nearly
 * every finished request closes a connection, so the crawl opens about
 * one connection per request (3,444 for 3,471 requests on the 2,000-page
 * site). With the limit raised: 256. See docs/BENCHMARKS.md.
 *
 *   cc -O2 -shared -fPIC -o /tmp/maxconnects.so bench/links/maxconnects.c -ldl
 *   LD_PRELOAD=/tmp/maxconnects.so build/fanout links http://127.0.0.1:PORT/ ...
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>

#include <curl/curl.h>

CURLM *curl_multi_init(void)
{
	static CURLM *(*real)(void);
	const char *s = getenv("MAXCONNECTS");
	CURLM *m;

	if (!real)
		real = (CURLM * (*)(void)) dlsym(RTLD_NEXT, "curl_multi_init");
	if (!real)
		return NULL;
	m = real();
	if (m)
		curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, s ? strtol(s, NULL, 10) : 1024L);
	return m;
}
