/* libFuzzer target: the results cache file of fanout links
 * (src/links/cache.c): parse, then look up and replace what was read. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/links/cache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fo_lcache *lc = fo_lcache_new();
	char *s = malloc(size + 1), *url;
	int st;
	int64_t at;

	if (!lc || !s)
		goto out;
	memcpy(s, data, size);
	s[size] = 0;
	if (fo_lcache_parse(lc, (const char *)data, size, 0) < 0)
		goto out;
	/* every URL that parsed is found, with a status from 100 to 399 */
	for (url = strstr(s, " http"); url; url = strstr(url + 1, " http")) {
		char u[256];
		size_t n = strcspn(url + 1, "\n");

		if (n >= sizeof(u))
			continue;
		memcpy(u, url + 1, n);
		u[n] = 0;
		if (fo_lcache_get(lc, u, &st, &at) && (st < 100 || st > 399 || at < 0))
			abort();
		if (fo_lcache_put(lc, u, 200, 1) == 0 && (!fo_lcache_get(lc, u, &st, &at) || st != 200 || at != 1))
			abort();
	}
out:
	fo_lcache_free(lc);
	free(s);
	return 0;
}
