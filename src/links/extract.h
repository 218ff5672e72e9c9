/*
 * The links of an HTML page, for `fanout links`: a streaming extractor over
 * libxml2's HTML push parser (htmlCreatePushParserCtxt, a SAX startElement
 * callback, no tree kept). The caller feeds the page as it arrives, in
 * chunks of any size, and gets a callback for each link and each anchor
 * (a place a "#fragment" can point at), with its line number. libxml2
 * does the tokenizing, entities, misnested and unclosed tags and character
 * sets; this file picks attributes, splits srcset and meta refresh as the
 * HTML standard says, and enforces limits.
 *
 * What is reported (enum fo_link_kind): a and area href, img src and
 * srcset, link href (any rel, which is passed along: the caller may skip
 * rel=preconnect and the like), script src, source src and srcset, iframe
 * src, video src and poster, audio src, track src, object data, embed src,
 * meta http-equiv=refresh (the URL in its content), the content of the
 * meta tags that hold a URL (property or name og:url, og:image,
 * og:image:url, og:image:secure_url, og:video, og:video:url,
 * og:video:secure_url, og:audio, og:audio:url, og:audio:secure_url,
 * twitter:image, twitter:image:src, twitter:player), and the first base
 * href; as anchors: every non-empty id attribute, and name on a. Not:
 * form action, frame src, cite, ping, link imagesrcset, CSS url()s.
 *
 * libxml2 reads HTML much as browsers do (misnested and unclosed tags,
 * attributes without quotes, the first of two equal attributes winning,
 * comments and script text not markup; a NUL byte or invalid UTF-8 ends
 * nothing), with these differences: the content of title, textarea and
 * xmp is markup to it (a link there is reported); an attribute holding an
 * invalid character reference ("&#0;", "&#xD800;") comes as an empty
 * value; the id of <html> is not reported (extract.c says why).
 *
 * Values are passed as written in the page, entities decoded, in UTF-8
 * (libxml2 converts from the page's charset: the caller's, else a meta
 * charset, else Latin-1, libxml2's default: UTF-8 that declares nothing is
 * misread).
 * Resolving them is url.h's work: against the page's URL, or against the
 * base href when the page has one (itself resolved against the page's
 * URL). Only the first <base href> counts, and it applies to every link of
 * the page, even one written before it: a caller that must be exact
 * collects a page's links and resolves them after fo_extract_end, against
 * fo_extract_base(x).
 *
 * Bad input: pages are outside input. Whatever the bytes (binary served as
 * text/html, malformed HTML, NULs, 50 MB), parsing ends without a crash, in
 * time linear in the bytes parsed: at most max_bytes of a page are parsed
 * (then fo_extract_feed says stop and too_big is set) and at most
 * max_links links and max_anchors anchors are reported (then too_many).
 * Two more limits keep libxml2 2.9 (Debian 12) linear, as it spends time
 * quadratic in the nesting depth (each end tag searches the stack of open
 * elements: 1 MB of "<div>"s then "</p>"s took 50 s) and in the attributes
 * of one tag (each is compared with those before it: one 2.5 MB tag took
 * 110 s): max_depth open elements, and FO_EXTRACT_MAX_ATTRS attributes in a
 * tag (counted before libxml2 parses a long tag, from the bytes it holds
 * back); past either, the page stops with too_complex, as it does at a
 * tag or comment longer than FO_EXTRACT_MAX_TAG (libxml2's push parser
 * must rescan those as they grow: extract.c says why). Measured here, the
 * worst 10 MB pages within these limits take 1 to 3 s (a normal page:
 * 30 ms per MB). The reason a page stopped is in x->why.
 *
 * Threads: no state is shared between extractors; one per task, used by
 * one thread at a time. fo_extract_global_init runs once per process,
 * before threads (libxml2's xmlInitParser). fo_extract_init also silences
 * libxml2's per-thread generic error handler of the calling thread (the
 * channel that encoding errors take to stderr, whatever the parser's
 * options say); fanout uses libxml2 for nothing else.
 */
#ifndef FO_LINKS_EXTRACT_H
#define FO_LINKS_EXTRACT_H

#include <stdbool.h>
#include <stddef.h>

#define FO_EXTRACT_MAX_BYTES (10u << 20) /* default bytes of a page parsed */
#define FO_EXTRACT_MAX_LINKS 100000      /* default links reported per page */
#define FO_EXTRACT_MAX_ANCHORS 100000    /* default anchors reported per page */
#define FO_EXTRACT_MAX_DEPTH 256         /* default open elements (browsers: 512) */
#define FO_EXTRACT_MAX_ATTRS 256         /* attributes of one tag */
#define FO_EXTRACT_MAX_TAG (1u << 20)    /* bytes of one tag or comment */

enum fo_link_kind {
	FO_LINK_A_HREF,
	FO_LINK_AREA_HREF,
	FO_LINK_IMG_SRC,
	FO_LINK_IMG_SRCSET, /* one event per candidate URL */
	FO_LINK_LINK_HREF,  /* rel in fo_link.rel */
	FO_LINK_SCRIPT_SRC,
	FO_LINK_SOURCE_SRC,
	FO_LINK_SOURCE_SRCSET, /* one event per candidate URL */
	FO_LINK_IFRAME_SRC,
	FO_LINK_VIDEO_SRC,
	FO_LINK_VIDEO_POSTER,
	FO_LINK_AUDIO_SRC,
	FO_LINK_TRACK_SRC,
	FO_LINK_OBJECT_DATA,
	FO_LINK_EMBED_SRC,
	FO_LINK_META_REFRESH, /* the URL of content="5; url=..." */
	FO_LINK_META_CONTENT, /* og:url, og:image, twitter:image...: content="URL" */
	FO_LINK_BASE_HREF,    /* the first only; see fo_extract_base */
	FO_ANCHOR_ID,         /* id="..." on any element (not empty) */
	FO_ANCHOR_NAME,       /* name="..." on a (not empty) */
	FO_LINK_NKINDS
};

/* "a href", "img srcset", "meta refresh", "id", "a name"... */
const char *fo_link_kind_name(int kind);

/* Is kind an anchor (FO_ANCHOR_*) rather than a link? */
static inline bool fo_link_is_anchor(int kind)
{
	return kind == FO_ANCHOR_ID || kind == FO_ANCHOR_NAME;
}

/* One link or anchor, valid during the callback only (copy what you keep). */
struct fo_link {
	int kind;          /* enum fo_link_kind */
	const char *value; /* as written (entities decoded, UTF-8), NUL-terminated */
	size_t len;        /* strlen(value) */
	const char *rel;   /* a and link: the rel attribute, or NULL */
	long line;         /* 1-based line of the end of the element's start tag */
	long col;          /* 1-based column of the value (Markdown: markdown.h); 0: not known (HTML) */
};

/* Called for each link and anchor; a non-zero return stops the page. */
typedef int (*fo_extract_fn)(void *arg, const struct fo_link *link);

struct fo_extract_opts {
	fo_extract_fn fn; /* required */
	void *arg;
	size_t max_bytes;   /* 0: FO_EXTRACT_MAX_BYTES */
	size_t max_links;   /* 0: FO_EXTRACT_MAX_LINKS */
	size_t max_anchors; /* 0: FO_EXTRACT_MAX_ANCHORS */
	size_t max_depth;   /* 0: FO_EXTRACT_MAX_DEPTH */
	const char *charset; /* the HTTP header's, e.g. "iso-8859-1"; NULL: the page says */
};

/*
 * One page's extraction. The caller owns the struct (on its stack, in its
 * task); fo_extract_init fills it, fo_extract_release frees what it holds.
 * The fields above "private" may be read at any time.
 */
struct fo_extract {
	size_t bytes;      /* bytes parsed so far */
	size_t nlinks;     /* links reported (base href included) */
	size_t nanchors;   /* anchors reported */
	bool too_big;      /* stopped at max_bytes */
	bool too_many;     /* stopped at max_links or max_anchors */
	bool too_complex;  /* stopped at max_depth or FO_EXTRACT_MAX_ATTRS */
	bool stopped;      /* stopped by the callback, a limit, or an error */
	const char *why;   /* the limit that stopped the page, for people; NULL if none */
	/* private */
	struct fo_extract_opts o;
	void *ctxt;        /* libxml2's htmlParserCtxtPtr */
	char *base;        /* the first base href, malloc'd */
	char *scratch;     /* srcset candidates and refresh URLs, NUL-terminated */
	size_t scratch_cap;
	int err;           /* -ENOMEM seen in a callback */
	char *hold;        /* bytes not yet handed to libxml2 (FEED_STEP) */
	size_t nhold;
	bool sniffed;      /* the first bytes looked at for a charset (sniff) */
	struct {           /* the start tag libxml2 holds back, if any */
		unsigned long pos; /* where it starts in the page */
		size_t scanned;    /* bytes of it counted */
		size_t words;      /* words (outside quotes) in them */
		int state;         /* where the scan is in the tag's grammar */
		char quote;        /* the quote of a quoted value */
	} tag;
};

/* Once per process, before threads: libxml2's xmlInitParser. */
void fo_extract_global_init(void);

/* 0, or -ENOMEM (x is then released already); -EINVAL without opts->fn. */
int fo_extract_init(struct fo_extract *x, const struct fo_extract_opts *opts);

/*
 * Parses the next len bytes of the page (any split: a tag may straddle
 * chunks). The extractor hands libxml2 4 KB at a time, so links come in
 * the feed that completes such a step, the rest in fo_extract_end.
 * Returns 0 to go on, FO_EXTRACT_STOP when the page should not be read
 * further (a limit or the callback; the flags and why say which; the part
 * before max_bytes was parsed), or -ENOMEM. The bytes are copied: buf may
 * be reused at once.
 */
#define FO_EXTRACT_STOP 1
int fo_extract_feed(struct fo_extract *x, const void *buf, size_t len);

/* The page has ended: reports what the parser held back. Same returns. */
int fo_extract_end(struct fo_extract *x);

/* The first base href seen, as written (NULL when none); owned by x. */
const char *fo_extract_base(const struct fo_extract *x);

/* Frees what x holds; x may be initialised again. */
void fo_extract_release(struct fo_extract *x);

#endif
