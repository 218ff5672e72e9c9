/*
 * libFuzzer harness for the link extractor of `fanout links`
 * (src/links/extract.c over libxml2's HTML push parser): pages are outside
 * input. The first byte moves a 4 KB boundary of the extractor into the
 * page (padding in front), the second sets small limits, the rest is the
 * page, fed once whole and once in chunks of random sizes. Both runs must
 * report the same links in the same order, each a NUL-terminated value of
 * the stated length with a sane kind and line, stop for the same reason,
 * and never parse more than the page; every link resolves (src/links/
 * url.c) to an error or a URL that resolves to itself.
 *   scripts/fuzz.sh [seconds]
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/links/extract.h"
#include "../../src/links/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct log {
	uint64_t hash; /* FNV-1a over kind, value and line of every event */
	size_t n;
	int resolve;   /* resolve the links too (the first run) */
};

static void mix(struct log *l, const void *p, size_t len)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		l->hash = (l->hash ^ b[i]) * 1099511628211ULL;
}

static void check_url(const char *ref)
{
	static char out[2 * FO_URL_MAX + 8], again[2 * FO_URL_MAX + 8];
	char err[256];
	const char *frag;
	int k = fo_url_resolve("http://example.com/dir/page.html", ref, out, sizeof(out), &frag, err, sizeof(err));

	if (k < 0) {
		if (!err[0] && k != -ENOMEM)
			abort();
		return;
	}
	if (k == FO_URL_HTTP || k == FO_URL_FILE || k == FO_URL_SAME_PAGE) {
		int k2 = fo_url_resolve(NULL, out, again, sizeof(again), &frag, err, sizeof(err));

		if ((k2 != FO_URL_HTTP && k2 != FO_URL_FILE) || strcmp(out, again) || frag)
			abort();
	}
}

static int on_link(void *arg, const struct fo_link *link)
{
	struct log *l = arg;

	if (link->kind < 0 || link->kind >= FO_LINK_NKINDS || link->line < 1 || !link->value ||
	    strlen(link->value) != link->len)
		abort();
	if (link->rel && link->kind != FO_LINK_A_HREF && link->kind != FO_LINK_LINK_HREF)
		abort();
	mix(l, &link->kind, sizeof(link->kind));
	mix(l, link->value, link->len + 1);
	mix(l, &link->line, sizeof(link->line));
	l->n++;
	if (l->resolve && !fo_link_is_anchor(link->kind))
		check_url(link->value);
	return 0;
}

struct result {
	struct log log;
	size_t bytes, nlinks, nanchors;
	int too_big, too_many, too_complex, ret;
	char base[64];
};

static void run(const char *page, size_t len, const struct fo_extract_opts *opts, const uint8_t *chunks,
		size_t nchunks, int resolve, struct result *r)
{
	struct fo_extract_opts o = *opts;
	struct fo_extract x;
	size_t off = 0, i = 0;
	int ret = 0;

	memset(r, 0, sizeof(*r));
	r->log.hash = 14695981039346656037ULL;
	r->log.resolve = resolve;
	o.fn = on_link;
	o.arg = &r->log;
	if (fo_extract_init(&x, &o) != 0)
		abort();
	while (off < len && ret == 0) {
		size_t n = chunks ? 1 + (size_t)chunks[i++ % nchunks] * 37 : len;

		if (n > len - off)
			n = len - off;
		ret = fo_extract_feed(&x, page + off, n);
		off += n;
	}
	if (ret == 0)
		ret = fo_extract_end(&x);
	if (ret != 0 && ret != FO_EXTRACT_STOP)
		abort();
	if (x.bytes > len || x.nlinks != (size_t)(r->log.n - x.nanchors) || (ret == 0) != !x.stopped)
		abort();
	if (x.stopped && !x.why)
		abort();
	r->bytes = x.bytes;
	r->nlinks = x.nlinks;
	r->nanchors = x.nanchors;
	r->too_big = x.too_big;
	r->too_many = x.too_many;
	r->too_complex = x.too_complex;
	r->ret = ret;
	snprintf(r->base, sizeof(r->base), "%s", fo_extract_base(&x) ? fo_extract_base(&x) : "(none)");
	fo_extract_release(&x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct fo_extract_opts o = { 0 };
	struct result a, b;
	size_t pad, len;
	char *page;

	if (!init) {
		fo_extract_global_init();
		init = 1;
	}
	if (size < 2)
		return 0;
	/* padding that puts the extractor's first 4 KB boundary inside the fuzzed bytes */
	pad = data[0] & 1 ? 4096 - 7 - (size_t)(data[0] >> 1) * 8 % 2048 : 0;
	if (data[1] & 1) {
		o.max_links = 1 + (data[1] >> 4);
		o.max_anchors = 1 + (data[1] >> 5);
	}
	if (data[1] & 2)
		o.max_depth = 2 + (data[1] >> 3);
	if (data[1] & 4)
		o.max_bytes = 1 + (size_t)data[1] * 16;
	if (data[1] & 8)
		o.charset = "iso-8859-1";
	data += 2;
	size -= 2;
	len = pad + size;
	page = malloc(len + 8);
	if (!page)
		return 0;
	if (pad) {
		memcpy(page, "<p>", 3);
		memset(page + 3, 'x', pad - 7);
		memcpy(page + pad - 4, "</p>", 4);
	}
	memcpy(page + pad, data, size);
	run(page, len, &o, NULL, 0, 1, &a);
	run(page, len, &o, size ? data : NULL, size, 0, &b);
	if (a.log.hash != b.log.hash || a.log.n != b.log.n || a.bytes != b.bytes || a.nlinks != b.nlinks ||
	    a.nanchors != b.nanchors || a.too_big != b.too_big || a.too_many != b.too_many ||
	    a.too_complex != b.too_complex || a.ret != b.ret || strcmp(a.base, b.base))
		abort();
	free(page);
	return 0;
}
