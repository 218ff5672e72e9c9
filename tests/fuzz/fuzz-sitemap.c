/* libFuzzer target: the sitemap parser (src/links/sitemap.c) over libxml2,
 * and its gunzip when the input starts as gzip does (bounded at 1 MB, so a
 * zip bomb stops there). Every <loc> is resolved as the reader does. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/links/sitemap.h"
#include "../../src/links/url.h"

static char abs_url[FO_URL_MAX + 2];

static int on_loc(void *arg, int kind, const char *loc, size_t len, long line)
{
	const char *frag;
	char err[160];

	(void)arg, (void)kind, (void)line;
	if (strlen(loc) != len)
		abort(); /* NUL inside a <loc>: libxml2 refuses those */
	(void)fo_url_resolve("https://example.com/sitemap.xml", loc, abs_url, sizeof(abs_url), &frag, err, sizeof(err));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512], *text = NULL;
	size_t tlen = 0;

	if (fo_sitemap_is_gzip(data, size)) {
		if (fo_sitemap_gunzip(data, size, 1 << 20, &text, &tlen) == 0)
			(void)fo_sitemap_parse(text, tlen, on_loc, NULL, err, sizeof(err));
		free(text);
		return 0;
	}
	(void)fo_sitemap_parse(data, size, on_loc, NULL, err, sizeof(err));
	return 0;
}
