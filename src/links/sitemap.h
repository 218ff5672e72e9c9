/*
 * Sitemaps for `fanout links --sitemap URL|FILE`: the sitemaps.org protocol
 * (0.9), as search engines read it. A sitemap is `<urlset>` of `<url>`s,
 * each naming a page in its `<loc>`; a sitemap index is `<sitemapindex>`
 * of `<sitemap>`s, each naming another sitemap in its `<loc>`. Either may
 * be gzip'd (`sitemap.xml.gz`: read by its bytes, not its name).
 *
 * fo_sitemap_read fetches the sitemaps named, follows the indexes (a
 * bounded number of levels and files), and returns every `<loc>` as a link
 * of the sitemap that lists it, with its line: the crawl then checks them
 * as it checks a page's links (struct fo_crawl_seed), and the report calls
 * an entry that redirects a finding of its own (sitemaps should list final
 * URLs). The parser (fo_sitemap_parse) is libxml2's XML push parser with a
 * SAX handler of our own, which keeps no tree, defines no entities (so an
 * entity bomb has nothing to expand), loads no DTD and goes to no network.
 *
 * Bounds (STYLE 20; flags in links_opts.c): the bytes of one sitemap after
 * gunzip (sitemaps.org's own limit, 50 MB, by default), the entries of all
 * of them, the sitemaps read, and how deep indexes nest. Past any, reading
 * stops with an error naming the sitemap and the flag to raise: a sitemap
 * read in part would leave pages unchecked without saying which.
 *
 * Fetching: libcurl, blocking, on the calling thread before the crawl's
 * workers start (a few files, not the crawl's hot path). Redirects are
 * followed here hop by hop so that the -H headers and cookies go only to
 * the origins given (as crawl.c's request() does).
 */
#ifndef FO_LINKS_SITEMAP_H
#define FO_LINKS_SITEMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crawl.h"

#define FO_SITEMAP_MAX_BYTES (50u << 20) /* sitemaps.org: 50 MB, uncompressed */
#define FO_SITEMAP_MAX_URLS 1000000      /* entries of all sitemaps read */
#define FO_SITEMAP_MAX_FILES 1000        /* sitemaps read, indexes included */
#define FO_SITEMAP_MAX_DEPTH 2           /* index → index → sitemap */

enum fo_sitemap_kind { FO_SITEMAP_URLSET = 1, FO_SITEMAP_INDEX = 2 };

/* The tags of the links a sitemap gives (struct fo_ref.tag): "loc" for
 * `<url><loc>`, "sitemap" for `<sitemap><loc>`. */
extern const char fo_sitemap_tag_url[];
extern const char fo_sitemap_tag_index[];

/* Is tag one of those two (the link came from a sitemap)? */
bool fo_sitemap_tag(const char *tag);

/* Called for each <loc> of a document of kind (enum fo_sitemap_kind), its
 * text trimmed of white space, NUL-terminated at len; line is 1-based. A
 * non-zero return stops the parse with it. */
typedef int (*fo_sitemap_fn)(void *arg, int kind, const char *loc, size_t len, long line);

/*
 * Parses one sitemap document, buf[0..len) (not gzip'd: fo_sitemap_gunzip
 * first). Returns its kind, or a negative errno with err saying why for
 * people: -EINVAL when it is not well-formed XML ("line 3: ...") or not a
 * sitemap (its root is neither <urlset> nor <sitemapindex>), -E2BIG for a
 * <loc> longer than FO_URL_MAX, -ENOMEM, or fn's return. A <loc> counts
 * only as a child of a <url> of a <urlset> (or a <sitemap> of a
 * <sitemapindex>) in the root's namespace: image:loc and the like are not
 * entries.
 */
int fo_sitemap_parse(const void *buf, size_t len, fo_sitemap_fn fn, void *arg, char *err, size_t errlen);

/* Do the bytes start as gzip does (1f 8b)? */
bool fo_sitemap_is_gzip(const void *buf, size_t len);

/*
 * Inflates the gzip stream in[0..len) into *out (malloc'd, NUL-terminated;
 * the caller frees it), at most max bytes: a zip bomb stops there. 0,
 * -EFBIG past max, -EINVAL when it is not gzip or is cut or corrupt,
 * -ENOMEM.
 */
int fo_sitemap_gunzip(const void *in, size_t len, size_t max, char **out, size_t *outlen);

struct fo_sitemap_opts {
	size_t max_bytes;  /* of one sitemap, after gunzip */
	size_t max_urls;   /* entries of all sitemaps */
	size_t max_files;  /* sitemaps read */
	int max_depth;     /* index levels followed */
	/* fetching, as the crawl does (its options, borrowed) */
	const struct fo_crawl_opts *crawl;
	const char *const *origins; /* scheme://host:port where -H and cookies go */
	size_t norigins;
};

/* What the sitemaps gave: their links in the order read (an index's before
 * those of the sitemaps it lists), all strings owned. */
struct fo_sitemap {
	struct fo_crawl_seed *v;
	size_t n, cap;
	size_t files;      /* sitemaps read */
	size_t skipped;    /* <loc>s that are not http(s) (or file: in a local sitemap) */
};

/*
 * Reads the sitemaps roots[0..nroots) (absolute http(s) or file: URLs) and
 * those their indexes list, into s (which the caller then releases). 0, or
 * a negative errno with err saying why for people, naming the sitemap
 * ("sitemap 'URL': HTTP 404"). A <loc> that is not an http(s) URL is
 * skipped (counted in s->skipped, with a warning on stderr by the caller).
 */
int fo_sitemap_read(struct fo_sitemap *s, const char *const *roots, size_t nroots, const struct fo_sitemap_opts *o,
		    char *err, size_t errlen);

void fo_sitemap_release(struct fo_sitemap *s);

#endif
