/*
 * The results cache of `fanout links` (see cache.h): URL -> (time,
 * status) in the tools' hash map (src/util/map.h), read from and written
 * to one text file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/file.h"
#include "../util/map.h"
#include "../util/sbuf.h"
#include "cache.h"

#define HEADER "# fanout links cache 1\n"

struct ent {
	char *url;
	int64_t at;
	int status;
};

struct fo_lcache {
	struct fo__map m; /* url -> struct ent (its url is the key) */
};

struct fo_lcache *fo_lcache_new(void)
{
	return calloc(1, sizeof(struct fo_lcache));
}

void fo_lcache_free(struct fo_lcache *lc)
{
	size_t i;

	if (!lc)
		return;
	for (i = 0; i < lc->m.cap; i++) {
		struct ent *e = lc->m.keys[i] ? (struct ent *)lc->m.vals[i] : NULL;

		if (e) {
			free(e->url);
			free(e);
		}
	}
	fo__map_free(&lc->m);
	free(lc);
}

int fo_lcache_put(struct fo_lcache *lc, const char *url, int status, int64_t at)
{
	struct ent *e = (struct ent *)fo__map_get(&lc->m, url);

	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e || !(e->url = strdup(url)) || fo__map_put(&lc->m, e->url, e) < 0) {
			if (e)
				free(e->url);
			free(e);
			return -ENOMEM;
		}
	}
	e->at = at;
	e->status = status;
	return 0;
}

bool fo_lcache_get(const struct fo_lcache *lc, const char *url, int *status, int64_t *at)
{
	const struct ent *e = fo__map_get(&lc->m, url);

	if (!e)
		return false;
	*status = e->status;
	*at = e->at;
	return true;
}

size_t fo_lcache_size(const struct fo_lcache *lc)
{
	return lc->m.n;
}

/* "AT STATUS URL" with AT >= 0, STATUS 100..399, a URL of printable bytes. */
static int parse_line(struct fo_lcache *lc, const char *s, size_t len, int64_t oldest)
{
	char buf[8200], *end, *url;
	long long at;
	long st;
	size_t i;

	if (!len || s[0] == '#' || len >= sizeof(buf))
		return 0;
	memcpy(buf, s, len);
	buf[len] = 0;
	if (buf[0] < '0' || buf[0] > '9')
		return 0;
	at = strtoll(buf, &end, 10);
	if (*end != ' ' || end[1] < '1' || end[1] > '9')
		return 0;
	st = strtol(end + 1, &end, 10);
	if (*end != ' ' || st < 100 || st > 399 || at < oldest)
		return 0;
	url = end + 1;
	if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
		return 0;
	for (i = 0; url[i]; i++)
		if ((unsigned char)url[i] <= ' ' || url[i] == 0x7f)
			return 0;
	{
		int old_st;
		int64_t old_at;

		if (fo_lcache_get(lc, url, &old_st, &old_at) && old_at >= at)
			return 0;
	}
	return fo_lcache_put(lc, url, (int)st, at);
}

int fo_lcache_parse(struct fo_lcache *lc, const char *text, size_t len, int64_t oldest)
{
	size_t i = 0;

	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - (text + i)) : len - i;
		int r = parse_line(lc, text + i, ll, oldest);

		if (r < 0)
			return r;
		i += ll + 1;
	}
	return 0;
}

int fo_lcache_load(struct fo_lcache *lc, const char *path, int64_t oldest)
{
	char *buf;
	size_t len;
	int r = fo__slurp(path, &buf, &len);

	if (r < 0)
		return r == -ENOENT ? 0 : r;
	/* a file of something else is not ours to replace at the end */
	if (len && (len < sizeof(HEADER) - 1 || memcmp(buf, HEADER, sizeof(HEADER) - 1))) {
		free(buf);
		return -EEXIST;
	}
	r = fo_lcache_parse(lc, buf, len, oldest);
	free(buf);
	return r;
}

/* Built in memory, then written with write(2) on fo__wfile's fd (see
 * links.c's write_whole: glibc's stdio on its cookie stream crashed under
 * ASan when a large write failed). */
int fo_lcache_save(const struct fo_lcache *lc, const char *path)
{
	struct fo_sbuf b = { 0 };
	struct fo_wfile w;
	char line[64];
	size_t i;
	int r;

	fo_sbuf_add(&b, HEADER, strlen(HEADER));
	for (i = 0; i < lc->m.cap; i++) {
		const struct ent *e = lc->m.keys[i] ? lc->m.vals[i] : NULL;
		int n;

		if (!e)
			continue;
		n = snprintf(line, sizeof(line), "%lld %d ", (long long)e->at, e->status);
		fo_sbuf_add(&b, line, (size_t)n);
		fo_sbuf_add(&b, e->url, strlen(e->url));
		fo_sbuf_add(&b, "\n", 1);
	}
	if (b.oom) {
		free(b.p);
		return -ENOMEM;
	}
	if ((r = fo__wfile_open(&w, path, 0644)) == 0) {
		if ((r = fo__write_all(w.fd, b.p, b.len)) != 0)
			fo__wfile_abort(&w);
		else
			r = fo__wfile_commit(&w, false);
	}
	free(b.p);
	return r;
}
