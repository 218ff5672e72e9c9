/*
 * Markdown for `fanout links`: the links of a repository's README.md and
 * the .md files of docs/, read with md4c (GitHub's dialect: tables, strikethrough, task
 * lists, and bare http://, www. and e-mail autolinks), and the ids GitHub
 * gives their headings, so that "#usage" and "docs/a.md#install" can be
 * checked.
 *
 * fo_md_extract reports through the HTML extractor's callback (extract.h's
 * struct fo_link), so the crawl takes both alike: links ("a href" for
 * links, reference links and autolinks, "img src" for images), with the
 * 1-based line and column (in characters) where the URL is written, or,
 * for a reference link "[text][ref]", where the link is; anchors (the
 * headings' ids, FO_ANCHOR_ID). Raw HTML inside the Markdown goes through
 * the HTML extractor (extract.h): its links and its id and name anchors
 * are reported too, at the line of the HTML and the column where the
 * value is written (the line's first column when it is not written as is,
 * say with an entity). Nothing inside code spans or code blocks is a link.
 *
 * Headings' ids are GitHub's (fo_md_slug): the heading's text (what a
 * browser shows: no markup, no image alt text) lowercased, every
 * character dropped but letters, marks, decimal and letter numbers,
 * connector punctuation ("_"), "-" and " ", then each space a "-"; a
 * repeat gets "-1", "-2"... as github-slugger (which GitHub's renderer and
 * most Markdown tools follow) does.
 *
 * Costs: md4c parses the document whole (it is not a push parser), so a
 * file is read into memory, at most max_bytes of it (then too_big). Time is
 * linear in the document but for raw HTML, which starts a libxml2 parser
 * per inline tag or HTML block (some microseconds each). Bad input: a file
 * is outside input; whatever the bytes (binary, NULs, invalid UTF-8), the
 * parse ends without a crash (tests/fuzz/fuzz-markdown.c).
 *
 * Threads: no shared state but the slug pattern, compiled once
 * (pthread_once); one extraction per thread at a time.
 */
#ifndef FO_LINKS_MARKDOWN_H
#define FO_LINKS_MARKDOWN_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/map.h"
#include "extract.h"

/* ---- heading ids, as GitHub makes them ---- */

/* The ids given so far in one document (for the "-1" of a repeat). */
struct fo_md_slugger {
	struct fo__map seen; /* id -> itself; keys owned (arena below) */
	char **own;
	size_t n, cap;
};

void fo_md_slugger_init(struct fo_md_slugger *s);
void fo_md_slugger_release(struct fo_md_slugger *s);

/*
 * The id of a heading whose text (UTF-8, as a browser shows it) is
 * text[0..len): *out points at it, NUL-terminated, owned by s (valid until
 * fo_md_slugger_release). Invalid UTF-8 bytes are dropped. 0 or -ENOMEM.
 */
int fo_md_slug(struct fo_md_slugger *s, const char *text, size_t len, const char **out);

/* ---- links ---- */

/* Is path a Markdown file, by its name: ".md" or ".markdown", any case. */
bool fo_md_is_markdown(const char *path);

struct fo_md_opts {
	fo_extract_fn fn;    /* required: each link and anchor (line and col set) */
	void *arg;
	size_t max_bytes;    /* 0: FO_EXTRACT_MAX_BYTES */
	size_t max_links;    /* 0: FO_EXTRACT_MAX_LINKS */
	size_t max_anchors;  /* 0: FO_EXTRACT_MAX_ANCHORS */
};

/* One document's extraction: what was read and why it stopped. */
struct fo_md {
	size_t bytes;      /* bytes parsed */
	size_t nlinks, nanchors;
	bool too_big;      /* the document is over max_bytes: the rest not read */
	bool too_many;     /* stopped at max_links or max_anchors */
	bool stopped;      /* stopped by the callback, a limit or an error */
	const char *why;   /* the limit that stopped it, for people; NULL if none */
};

/*
 * Reports the links and anchors of the Markdown doc[0..len) (at most
 * max_bytes of it) through o->fn. 0, FO_EXTRACT_STOP when the callback or a
 * limit stopped it (x says which), or -ENOMEM.
 */
int fo_md_extract(struct fo_md *x, const struct fo_md_opts *o, const char *doc, size_t len);

/* The same for the file open on fd, read here (at most max_bytes). 0,
 * FO_EXTRACT_STOP, -ENOMEM, or -errno of a read. */
int fo_md_extract_fd(struct fo_md *x, const struct fo_md_opts *o, int fd);

/* ---- folders ---- */

/*
 * Calls fn with the path of every Markdown file under the folder dir
 * (recursively, in name order; "dir/a.md", "dir/sub/b.md"), skipping
 * ".git" folders, not entering symbolic links to folders (no loops, no
 * leaving the tree), and taking a symbolic link to a file only when the
 * file lies inside dir. A non-zero return from fn stops the walk and is
 * returned; else 0, or -errno when dir cannot be read (err says why;
 * a sub-folder that cannot be read is skipped).
 */
int fo_md_walk(const char *dir, int (*fn)(void *arg, const char *path), void *arg, char *err, size_t errlen);

#endif
