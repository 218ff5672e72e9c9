/*
 * The results cache of `fanout links --cache FILE`: links out of scope that
 * were fine, with when they were checked, so that the next run within
 * --cache-max-age does not ask other people's servers again (what lychee's
 * .lycheecache does for CI). Broken links are never cached: they are asked
 * again every run, so a fixed one stops being reported at once.
 *
 * The file is text, written whole to a temporary file renamed over FILE:
 *   # fanout links cache 1
 *   UNIX-SECONDS HTTP-STATUS URL
 * Lines that do not parse are skipped (the file is outside input).
 *
 * Ownership: the cache copies every URL given to it; fo_lcache_free()
 * frees them all.
 */
#ifndef FO_LINKS_CACHE_H
#define FO_LINKS_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fo_lcache;

struct fo_lcache *fo_lcache_new(void);
void fo_lcache_free(struct fo_lcache *lc);

/* Adds the entries of text checked after oldest (unix seconds); the
 * newest wins for a URL seen twice. 0 or -ENOMEM. */
int fo_lcache_parse(struct fo_lcache *lc, const char *text, size_t len, int64_t oldest);

/* Reads path with fo_lcache_parse(): 0 (also when there is no file yet,
 * or an empty one), -EEXIST when the file is not a cache (its first line
 * is not the header: it must not be overwritten), or -errno. */
int fo_lcache_load(struct fo_lcache *lc, const char *path, int64_t oldest);

/* Whether url has an entry; its status and time then. */
bool fo_lcache_get(const struct fo_lcache *lc, const char *url, int *status, int64_t *at);

/* Adds or replaces url's entry. 0 or -ENOMEM. */
int fo_lcache_put(struct fo_lcache *lc, const char *url, int status, int64_t at);

/* Entries held. */
size_t fo_lcache_size(const struct fo_lcache *lc);

/* Writes every entry to path (through a temporary file beside it and a
 * rename, fo__wfile: a failed write leaves path as it was): 0 or -errno. */
int fo_lcache_save(const struct fo_lcache *lc, const char *path);

#endif
