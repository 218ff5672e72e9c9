/*
 * libFuzzer harness for the Markdown link extractor of `fanout links`
 * (src/links/markdown.c over md4c, raw HTML through src/links/extract.c):
 * Markdown files are outside input. The first byte sets small limits, the
 * rest is the document. Every event must be a NUL-terminated value of the
 * stated length with a sane kind, a line within the document and a column
 * within its line; links must resolve (src/links/url.c) to an error or a
 * URL that resolves to itself; a second run gives the same events (no
 * state leaks between documents), and the heading ids of one document are
 * all different (github-slugger's "-1", "-2").
 *   scripts/fuzz.sh [seconds]
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/links/extract.h"
#include "../../src/links/markdown.h"
#include "../../src/links/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct log {
	uint64_t hash;
	size_t n, nlinks, nanchors;
	const char *doc;
	size_t len;
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
	int k = fo_url_resolve("file:///repo/docs/page.md", ref, out, sizeof(out), &frag, err, sizeof(err));

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

/* The number of lines of the document and the characters of line ln
 * (1-based), counted as markdown.c does. */
static long line_chars(const struct log *l, long ln, long *nlines)
{
	size_t i;
	long cur = 1, chars = 0;

	for (i = 0; i < l->len; i++) {
		char c = l->doc[i];

		if (c == '\n' || c == '\r') {
			if (c == '\r' && i + 1 < l->len && l->doc[i + 1] == '\n')
				i++;
			cur++;
			continue;
		}
		if (cur == ln && ((unsigned char)c & 0xC0) != 0x80)
			chars++;
	}
	*nlines = cur;
	return chars;
}

static int on_event(void *arg, const struct fo_link *link)
{
	struct log *l = arg;
	long nlines, chars;

	if (link->kind < 0 || link->kind >= FO_LINK_NKINDS || !link->value || strlen(link->value) != link->len)
		abort();
	chars = line_chars(l, link->line, &nlines);
	if (link->line < 1 || link->line > nlines || link->col < 1 || link->col > chars + 1)
		abort();
	mix(l, &link->kind, sizeof(link->kind));
	mix(l, link->value, link->len + 1);
	mix(l, &link->line, sizeof(link->line));
	mix(l, &link->col, sizeof(link->col));
	l->n++;
	if (fo_link_is_anchor(link->kind)) {
		l->nanchors++;
	} else {
		l->nlinks++;
		check_url(link->value);
	}
	return 0;
}

static void run(const char *doc, size_t len, const struct fo_md_opts *opts, struct log *l, int *ret)
{
	struct fo_md_opts o = *opts;
	struct fo_md x;

	memset(l, 0, sizeof(*l));
	l->hash = 14695981039346656037ULL;
	l->doc = doc;
	l->len = len;
	o.fn = on_event;
	o.arg = l;
	*ret = fo_md_extract(&x, &o, doc, len);
	if (*ret != 0 && *ret != FO_EXTRACT_STOP && *ret != -ENOMEM)
		abort();
	if (x.nlinks != l->nlinks || x.nanchors != l->nanchors || x.bytes > len)
		abort();
	if ((*ret == FO_EXTRACT_STOP) != x.stopped || (x.stopped && !x.why))
		abort();
}

/* The slugger: ids of one document never repeat, and are never empty
 * after a repeat ("" then "-1"). */
static void check_slugs(const char *doc, size_t len)
{
	struct fo_md_slugger s;
	struct fo__map seen = { 0 };
	size_t i = 0, start = 0;

	fo_md_slugger_init(&s);
	for (i = 0; i <= len; i++) {
		const char *id;

		if (i < len && doc[i] != '\n')
			continue;
		if (fo_md_slug(&s, doc + start, i - start, &id) < 0)
			break;
		if (fo__map_put(&seen, id, id) != 1)
			abort(); /* an id given twice */
		start = i + 1;
	}
	fo__map_free(&seen);
	fo_md_slugger_release(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct fo_md_opts o = { 0 };
	struct log a, b;
	int ra, rb;

	if (!init) {
		fo_extract_global_init();
		init = 1;
	}
	if (size < 1)
		return 0;
	if (data[0] & 1) {
		o.max_links = 1 + (data[0] >> 4);
		o.max_anchors = 1 + (data[0] >> 5);
	}
	if (data[0] & 2)
		o.max_bytes = 1 + (size_t)data[0] * 8;
	data++;
	size--;
	run((const char *)data, size, &o, &a, &ra);
	run((const char *)data, size, &o, &b, &rb);
	if (a.hash != b.hash || a.n != b.n || ra != rb)
		abort();
	check_slugs((const char *)data, size);
	return 0;
}
