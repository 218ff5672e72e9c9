/*
 * The streaming link extractor (extract.h) over libxml2's HTML push
 * parser. libxml2 calls start_element for every start tag, with tag and
 * attribute names lowercased, entities decoded, duplicate attributes
 * dropped (the first wins, as in browsers); we look the tag up in a small
 * table and report its link attributes. srcset and meta refresh are split
 * by the HTML standard's own algorithms, transcribed below.
 *
 * libxml2 2.9.14 (Debian 12) needs three work-arounds in its push parser,
 * each explained where it is made: the page goes inside a root element of
 * ours (fo_extract_init: else the first end tag that empties its stack
 * ends the document); its look-ahead restarts before each step while it
 * holds back a tag or comment (parity_pending: else a step ending inside a
 * quoted value stalls it to the end of the page); and a step never ends
 * just after a "<" (push: else "</scr|ipt>" never closes the script).
 * NEEDSWORK: libxml2 2.12 and later fixed these and rewrote the quadratic
 * paths; drop what is no longer needed when Debian ships one.
 *
 * Costs: libxml2 parses in time linear in the input, but for the two
 * quadratic paths that extract.h describes; the limits that keep those
 * linear are checked here: the depth and a tag's attributes in
 * start_element (after libxml2 parsed the tag: a cost paid once, as the
 * page then stops), and the attributes of a long tag before libxml2 parses
 * it (tag_guard, between steps of FEED_STEP bytes, so that a tag parsed
 * within one step has at most FEED_STEP / 2 attributes). Restarting the
 * look-ahead rescans a pending tag or comment once per step, which is why
 * those are capped at FO_EXTRACT_MAX_TAG (1 MB: 128 MB scanned). Our own
 * part is linear in each tag's attributes. Errors in the page are many in
 * binary input (libxml2 formats a message for each, about a microsecond);
 * its error callbacks are off (HTML_PARSE_NOERROR/NOWARNING) and the
 * structured one is a no-op.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

#include "extract.h"

#define FEED_STEP 4096 /* bytes handed to libxml2 at a time */
#define ROOT "<fanout-links-root>" /* see fo_extract_init */

static const char *const kind_names[FO_LINK_NKINDS] = {
	[FO_LINK_A_HREF] = "a href",
	[FO_LINK_AREA_HREF] = "area href",
	[FO_LINK_IMG_SRC] = "img src",
	[FO_LINK_IMG_SRCSET] = "img srcset",
	[FO_LINK_LINK_HREF] = "link href",
	[FO_LINK_SCRIPT_SRC] = "script src",
	[FO_LINK_SOURCE_SRC] = "source src",
	[FO_LINK_SOURCE_SRCSET] = "source srcset",
	[FO_LINK_IFRAME_SRC] = "iframe src",
	[FO_LINK_VIDEO_SRC] = "video src",
	[FO_LINK_VIDEO_POSTER] = "video poster",
	[FO_LINK_AUDIO_SRC] = "audio src",
	[FO_LINK_TRACK_SRC] = "track src",
	[FO_LINK_OBJECT_DATA] = "object data",
	[FO_LINK_EMBED_SRC] = "embed src",
	[FO_LINK_META_REFRESH] = "meta refresh",
	[FO_LINK_META_CONTENT] = "meta content",
	[FO_LINK_BASE_HREF] = "base href",
	[FO_ANCHOR_ID] = "id",
	[FO_ANCHOR_NAME] = "a name",
};

const char *fo_link_kind_name(int kind)
{
	return kind >= 0 && kind < FO_LINK_NKINDS ? kind_names[kind] : "?";
}

/* How an attribute's value holds its URLs. */
enum how { ONE, SRCSET };

/* The link attributes of a tag. */
static const struct rule {
	const char *tag, *attr;
	int kind;
	enum how how;
} rules[] = {
	{ "a", "href", FO_LINK_A_HREF, ONE },
	{ "area", "href", FO_LINK_AREA_HREF, ONE },
	{ "img", "src", FO_LINK_IMG_SRC, ONE },
	{ "img", "srcset", FO_LINK_IMG_SRCSET, SRCSET },
	{ "link", "href", FO_LINK_LINK_HREF, ONE },
	{ "script", "src", FO_LINK_SCRIPT_SRC, ONE },
	{ "source", "src", FO_LINK_SOURCE_SRC, ONE },
	{ "source", "srcset", FO_LINK_SOURCE_SRCSET, SRCSET },
	{ "iframe", "src", FO_LINK_IFRAME_SRC, ONE },
	{ "video", "src", FO_LINK_VIDEO_SRC, ONE },
	{ "video", "poster", FO_LINK_VIDEO_POSTER, ONE },
	{ "audio", "src", FO_LINK_AUDIO_SRC, ONE },
	{ "track", "src", FO_LINK_TRACK_SRC, ONE },
	{ "object", "data", FO_LINK_OBJECT_DATA, ONE },
	{ "embed", "src", FO_LINK_EMBED_SRC, ONE },
	{ "base", "href", FO_LINK_BASE_HREF, ONE },
};

/* ---- reporting ------------------------------------------------------------------------ */

static void stop(struct fo_extract *x)
{
	x->stopped = true;
	if (x->ctxt)
		xmlStopParser(x->ctxt);
}

static void too_complex(struct fo_extract *x, const char *why)
{
	x->too_complex = true;
	x->why = why;
	stop(x);
}

static long line_of(struct fo_extract *x)
{
	htmlParserCtxtPtr c = x->ctxt;

	return c && c->input ? c->input->line : 0;
}

/* Reports one link or anchor; value must be NUL-terminated at len. */
static void report(struct fo_extract *x, int kind, const char *value, size_t len, const char *rel)
{
	struct fo_link l = { kind, value, len, rel, line_of(x), 0 };

	if (x->stopped)
		return;
	if (fo_link_is_anchor(kind) ? x->nanchors >= x->o.max_anchors : x->nlinks >= x->o.max_links) {
		x->too_many = true;
		x->why = fo_link_is_anchor(kind) ? "too many anchors" : "too many links";
		stop(x);
		return;
	}
	if (fo_link_is_anchor(kind))
		x->nanchors++;
	else
		x->nlinks++;
	if (x->o.fn(x->o.arg, &l))
		stop(x);
}

/* [s, s + len) NUL-terminated in x's scratch buffer; NULL when out of memory. */
static char *scratch(struct fo_extract *x, const char *s, size_t len)
{
	if (len + 1 > x->scratch_cap) {
		size_t cap = len + 1 > 2 * x->scratch_cap ? len + 1 : 2 * x->scratch_cap;
		char *n = realloc(x->scratch, cap);

		if (!n) {
			x->err = -ENOMEM;
			stop(x);
			return NULL;
		}
		x->scratch = n;
		x->scratch_cap = cap;
	}
	memcpy(x->scratch, s, len);
	x->scratch[len] = 0;
	return x->scratch;
}

static void report_part(struct fo_extract *x, int kind, const char *s, size_t len)
{
	char *v = scratch(x, s, len);

	if (v)
		report(x, kind, v, len, NULL);
}

/* ---- the HTML standard's algorithms ------------------------------------------------------------- */

/* ASCII whitespace: TAB, LF, FF, CR, SPACE. */
static int ws(int c)
{
	return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

/*
 * "Parse a srcset attribute": candidates split by commas, each a URL (a
 * run of non-whitespace, which may hold commas: "a,b.png 1x") and then
 * descriptors up to a comma outside parentheses. Candidates with invalid
 * descriptors, which browsers drop, are reported all the same: their URL
 * is a link the author wrote.
 */
static void srcset(struct fo_extract *x, int kind, const char *s)
{
	const char *p = s;

	for (;;) {
		const char *u, *ue;
		int paren = 0;

		while (*p && (ws((unsigned char)*p) || *p == ','))
			p++;
		if (!*p)
			return;
		for (u = p; *p && !ws((unsigned char)*p); p++)
			;
		ue = p;
		if (ue[-1] == ',') {
			while (ue > u && ue[-1] == ',')
				ue--;
		} else {
			/* the descriptors: up to a comma outside parentheses */
			for (; *p; p++) {
				if (*p == '(')
					paren = 1;
				else if (*p == ')')
					paren = 0;
				else if (*p == ',' && !paren)
					break;
			}
			if (*p == ',')
				p++;
		}
		report_part(x, kind, u, (size_t)(ue - u));
		if (x->stopped)
			return;
	}
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/*
 * The URL of <meta http-equiv=refresh content=...>, by the standard's
 * "shared declarative refresh steps": a time (digits and dots), then ";"
 * or "," or whitespace, then optionally "url=" (any case, spaces around
 * "="), then the URL, optionally quoted. No URL (a plain "5"): none
 * reported, the page reloads itself.
 */
static void refresh(struct fo_extract *x, const char *s)
{
	const char *p = s, *u, *e;
	char quote = 0;
	int digits = 0;

	while (ws((unsigned char)*p))
		p++;
	while (*p >= '0' && *p <= '9')
		p++, digits++;
	if (!digits && *p != '.')
		return;
	while ((*p >= '0' && *p <= '9') || *p == '.')
		p++;
	if (!*p)
		return;
	if (!ws((unsigned char)*p) && *p != ';' && *p != ',')
		return;
	while (ws((unsigned char)*p))
		p++;
	if (*p == ';' || *p == ',')
		p++;
	while (ws((unsigned char)*p))
		p++;
	if (!*p)
		return;
	u = p;
	if (lower(*p) == 'u') {
		p++;
		if (lower(*p) != 'r')
			goto parse;
		p++;
		if (lower(*p) != 'l')
			goto parse;
		p++;
		while (ws((unsigned char)*p))
			p++;
		if (*p != '=')
			goto parse;
		p++;
		while (ws((unsigned char)*p))
			p++;
	}
	if (*p == '\'' || *p == '"')
		quote = *p++;
	u = p;
parse:
	e = u + strlen(u);
	if (quote) {
		const char *q = strchr(u, quote);

		if (q)
			e = q;
	}
	if (e > u)
		report_part(x, FO_LINK_META_REFRESH, u, (size_t)(e - u));
}

/* The Open Graph and Twitter card properties whose content is a URL
 * (ogp.me; developer.x.com's cards markup). */
static const char *const meta_urls[] = {
	"og:url",	  "og:image",	      "og:image:url",	     "og:image:secure_url", "og:video",
	"og:video:url",	  "og:video:secure_url", "og:audio",	     "og:audio:url",	    "og:audio:secure_url",
	"twitter:image", "twitter:image:src",  "twitter:player",
};

/* ---- libxml2's callbacks --------------------------------------------------------------------- */

static const char *attr(const xmlChar **atts, const char *name)
{
	size_t i;

	for (i = 0; atts && atts[i]; i += 2)
		if (!strcmp((const char *)atts[i], name))
			return atts[i + 1] ? (const char *)atts[i + 1] : "";
	return NULL;
}

static int ascii_ieq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (lower((unsigned char)*a) != lower((unsigned char)*b))
			return 0;
	return *a == *b;
}

/* Does a meta property (or name) hold a URL in its content? */
static bool meta_url(const char *prop)
{
	size_t i;

	for (i = 0; i < sizeof(meta_urls) / sizeof(meta_urls[0]); i++)
		if (ascii_ieq(prop, meta_urls[i]))
			return true;
	return false;
}

static void start_element(void *ctx, const xmlChar *name, const xmlChar **atts)
{
	struct fo_extract *x = ctx;
	const char *tag = (const char *)name, *v, *rel = NULL;
	size_t i;

	if (x->stopped || !tag)
		return;
	for (i = 0; atts && atts[i]; i += 2)
		;
	if (i / 2 > FO_EXTRACT_MAX_ATTRS) {
		too_complex(x, "too many attributes in a tag");
		return;
	}
	if ((size_t)((htmlParserCtxtPtr)x->ctxt)->nameNr > x->o.max_depth) {
		too_complex(x, "elements nested too deep");
		return;
	}
	if ((v = attr(atts, "id")) && *v)
		report(x, FO_ANCHOR_ID, v, strlen(v), NULL);
	if (!strcmp(tag, "a") && (v = attr(atts, "name")) && *v)
		report(x, FO_ANCHOR_NAME, v, strlen(v), NULL);
	if (!strcmp(tag, "meta")) {
		if ((v = attr(atts, "http-equiv")) && ascii_ieq(v, "refresh") && (v = attr(atts, "content")))
			refresh(x, v);
		else if (((v = attr(atts, "property")) || (v = attr(atts, "name"))) && meta_url(v) &&
			 (v = attr(atts, "content")) && *v)
			report(x, FO_LINK_META_CONTENT, v, strlen(v), NULL);
		return;
	}
	if (!strcmp(tag, "a") || !strcmp(tag, "link"))
		rel = attr(atts, "rel");
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]) && !x->stopped; i++) {
		if (strcmp(tag, rules[i].tag) || !(v = attr(atts, rules[i].attr)))
			continue;
		if (rules[i].how == SRCSET) {
			srcset(x, rules[i].kind, v);
		} else if (rules[i].kind == FO_LINK_BASE_HREF) {
			if (x->base)
				continue;
			if (!(x->base = strdup(v))) {
				x->err = -ENOMEM;
				stop(x);
				return;
			}
			report(x, FO_LINK_BASE_HREF, v, strlen(v), NULL);
		} else {
			report(x, rules[i].kind, v, strlen(v), rel);
		}
	}
}

/*
 * The start tag that libxml2 holds back until its ">" arrives: counts the
 * attribute names in the bytes that came since the last look (so, linear
 * in the tag), as libxml2 will read them (a quote opens a value only after
 * "="), and stops the page before libxml2 parses a tag of too many. Reads
 * the parser's input buffer: the public fields of xmlParserInput.
 */
enum { T_SPACE, T_NAME, T_AFTER_NAME, T_AFTER_EQ, T_UVALUE, T_QVALUE };

static void tag_guard(struct fo_extract *x)
{
	htmlParserCtxtPtr c = x->ctxt;
	xmlParserInputPtr in = c->input;
	const xmlChar *p, *e;
	unsigned long pos;

	if (c->instate != XML_PARSER_START_TAG || !in || !in->cur || in->end < in->cur) {
		x->tag.scanned = 0;
		return;
	}
	pos = in->consumed + (unsigned long)(in->cur - in->base);
	if (!x->tag.scanned || x->tag.pos != pos) {
		x->tag.pos = pos;
		x->tag.scanned = 0;
		x->tag.words = 0;
		x->tag.state = T_SPACE;
	}
	if ((size_t)(in->end - in->cur) <= x->tag.scanned)
		return;
	for (p = in->cur + x->tag.scanned, e = in->end; p < e; p++) {
		int ch = *p, space = ws(ch);

		switch (x->tag.state) {
		case T_SPACE:
		case T_AFTER_NAME:
			if (space)
				break;
			if (ch == '=' && x->tag.state == T_AFTER_NAME) {
				x->tag.state = T_AFTER_EQ;
				break;
			}
			x->tag.words++;
			x->tag.state = T_NAME;
			break;
		case T_NAME:
			if (space)
				x->tag.state = T_AFTER_NAME;
			else if (ch == '=')
				x->tag.state = T_AFTER_EQ;
			break;
		case T_AFTER_EQ:
			if (ch == '"' || ch == '\'') {
				x->tag.quote = (char)ch;
				x->tag.state = T_QVALUE;
			} else if (!space) {
				x->tag.state = T_UVALUE;
			}
			break;
		case T_UVALUE:
			if (space)
				x->tag.state = T_SPACE;
			break;
		case T_QVALUE:
			if (ch == x->tag.quote)
				x->tag.state = T_SPACE;
			break;
		}
	}
	x->tag.scanned = (size_t)(e - in->cur);
	/* the first word is "<tag" */
	if (x->tag.words > FO_EXTRACT_MAX_ATTRS + 1)
		too_complex(x, "too many attributes in a tag");
}

/* Errors in the page are the page's business: counted by libxml2, not printed. */
static void quiet(void *ctx, xmlErrorPtr error)
{
	(void)ctx;
	(void)error;
}

static void quiet_generic(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

/* ---- the API --------------------------------------------------------------------------- */

void fo_extract_global_init(void)
{
	xmlInitParser();
}

int fo_extract_init(struct fo_extract *x, const struct fo_extract_opts *opts)
{
	htmlSAXHandler sax;
	htmlParserCtxtPtr c;

	memset(x, 0, sizeof(*x));
	if (!opts || !opts->fn)
		return -EINVAL;
	x->o = *opts;
	if (!x->o.max_bytes)
		x->o.max_bytes = FO_EXTRACT_MAX_BYTES;
	if (!x->o.max_links)
		x->o.max_links = FO_EXTRACT_MAX_LINKS;
	if (!x->o.max_anchors)
		x->o.max_anchors = FO_EXTRACT_MAX_ANCHORS;
	if (!x->o.max_depth)
		x->o.max_depth = FO_EXTRACT_MAX_DEPTH;
	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC; /* so that libxml2 uses serror */
	sax.startElement = start_element;
	sax.serror = quiet;
	xmlSetGenericErrorFunc(NULL, quiet_generic); /* this thread's; see extract.h */
	c = htmlCreatePushParserCtxt(&sax, x, NULL, 0, NULL, XML_CHAR_ENCODING_NONE);
	if (!c || !(x->hold = malloc(FEED_STEP))) {
		if (c)
			htmlFreeParserCtxt(c);
		return -ENOMEM;
	}
	htmlCtxtUseOptions(c, HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
				      HTML_PARSE_NOIMPLIED);
	x->ctxt = c;
	/*
	 * libxml2 2.9's push parser ends the document when its stack of open
	 * elements empties: after "</html>" or a stray "</p>" at the start,
	 * the next tag stops it, and the links after are lost (its pull
	 * parser reads on, as browsers do). So the page goes inside a root of
	 * ours, and HTML_PARSE_NOIMPLIED keeps libxml2 from putting <html>
	 * around that root: the page's own <html> is then misplaced, so
	 * libxml2 drops it and ignores the matching "</html>"; "</body>"
	 * closes what it opened. Costs: no startElement for <html> (an id on
	 * it is not reported), and a page holding "</fanout-links-root>"
	 * stops there.
	 */
	htmlParseChunk(c, ROOT, (int)strlen(ROOT), 0);
	if (x->o.charset) {
		xmlCharEncodingHandlerPtr h = xmlFindCharEncodingHandler(x->o.charset);

		/* an unknown charset: the page's own declaration, else Latin-1 */
		if (h)
			xmlSwitchToEncoding(c, h);
	}
	return 0;
}

/*
 * Is libxml2 holding back a construct whose end it looks for with a quote
 * parity (a start or end tag, a comment or doctype)? Its 2.9 push parser
 * resumes that look-ahead where the last one stopped but forgets whether
 * it was inside a quoted value, so a chunk that ends inside one ("<img
 * alt="a b|" src=...>") leaves the parity inverted: it then finds no end
 * until the page ends, and parses everything after at fo_extract_end
 * (worse, tag_guard would count that as one tag). Starting the look-ahead
 * afresh (checkIndex 0) costs a rescan of the pending bytes per step,
 * which is why such constructs are limited to FO_EXTRACT_MAX_TAG bytes.
 */
static size_t parity_pending(htmlParserCtxtPtr c)
{
	xmlParserInputPtr in = c->input;
	size_t pending;

	if (!in || !in->cur || in->end <= in->cur)
		return 0;
	pending = (size_t)(in->end - in->cur);
	if (c->instate == XML_PARSER_START_TAG || c->instate == XML_PARSER_END_TAG ||
	    (c->instate == XML_PARSER_CONTENT && pending >= 2 && in->cur[0] == '<' && in->cur[1] == '!'))
		return pending;
	return 0;
}

/*
 * Hands x->hold to libxml2, but for a tail that starts with a "<" in its
 * last HOLD_BACK bytes when more is to come: libxml2 2.9 takes a chunk
 * ending in "</scr" inside a script for text, and the script then never
 * ends. The tail stays for the next step.
 */
#define HOLD_BACK 16

/* Is p[0..n) UTF-8 (a sequence cut at the end allowed when more comes)? */
static bool is_utf8(const unsigned char *p, size_t n, bool more)
{
	size_t i = 0, k, j;

	while (i < n) {
		unsigned char c = p[i];

		if (c < 0x80) {
			i++;
			continue;
		}
		k = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
		if (!k)
			return false;
		for (j = 1; j < k; j++) {
			if (i + j >= n)
				return more;
			if ((p[i + j] & 0xC0) != 0x80)
				return false;
		}
		/* no overlong three- or four-byte forms, no surrogates, nothing past U+10FFFF */
		if ((c == 0xE0 && p[i + 1] < 0xA0) || (c == 0xED && p[i + 1] >= 0xA0) ||
		    (c == 0xF0 && p[i + 1] < 0x90) || (c == 0xF4 && p[i + 1] >= 0x90))
			return false;
		i += k;
	}
	return true;
}

/*
 * A page that says nothing of its charset: no HTTP charset, no byte order
 * mark, and no "charset" in its first 1,024 bytes (where the HTML
 * standard's prescan looks for a meta charset). libxml2 would read it as
 * Latin-1, so a UTF-8 id ("café") would not match the link that names it
 * percent-encoded ("#caf%C3%A9"): a false alarm. Such a page is read as
 * UTF-8 when its first step of bytes is UTF-8, as browsers that detect
 * the encoding do, and as Latin-1 otherwise.
 */
static void sniff(struct fo_extract *x, bool more)
{
	const unsigned char *p = (const unsigned char *)x->hold;
	size_t n = x->nhold, scan = n < 1024 ? n : 1024, i;
	xmlCharEncodingHandlerPtr h;

	x->sniffed = true;
	if (x->o.charset || n == 0)
		return;
	if ((n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) ||
	    (n >= 2 && ((p[0] == 0xFE && p[1] == 0xFF) || (p[0] == 0xFF && p[1] == 0xFE))))
		return; /* a byte order mark: libxml2 follows it */
	for (i = 0; i + 7 <= scan; i++)
		if ((p[i] | 0x20) == 'c' && !strncasecmp((const char *)p + i, "charset", 7))
			return; /* a declaration: libxml2 reads it */
	if (!is_utf8(p, n, more))
		return;
	h = xmlFindCharEncodingHandler("UTF-8");
	if (h)
		xmlSwitchToEncoding(x->ctxt, h);
}

static void push(struct fo_extract *x, bool more)
{
	htmlParserCtxtPtr c = x->ctxt;
	size_t n, i, pending;

	if (!x->sniffed)
		sniff(x, more);
	n = x->nhold;

	if (more && n > HOLD_BACK) {
		for (i = n - HOLD_BACK; i < n; i++)
			if (x->hold[i] == '<') {
				n = i;
				break;
			}
	}
	if ((pending = parity_pending(c)) > 0) {
		if (pending > FO_EXTRACT_MAX_TAG) {
			too_complex(x, "a tag or comment too long");
			return;
		}
		c->checkIndex = 0;
	}
	htmlParseChunk(c, x->hold, (int)n, 0);
	memmove(x->hold, x->hold + n, x->nhold - n);
	x->nhold -= n;
	if (!x->stopped)
		tag_guard(x);
}

int fo_extract_feed(struct fo_extract *x, const void *buf, size_t len)
{
	const char *p = buf;

	if (x->err)
		return x->err;
	if (x->stopped)
		return FO_EXTRACT_STOP;
	if (len > x->o.max_bytes - x->bytes) {
		len = x->o.max_bytes - x->bytes;
		x->too_big = true;
	}
	x->bytes += len;
	/* FEED_STEP bytes at a time, through x->hold (libxml2 copies them again) */
	while (len && !x->stopped) {
		size_t n = FEED_STEP - x->nhold < len ? FEED_STEP - x->nhold : len;

		memcpy(x->hold + x->nhold, p, n);
		x->nhold += n;
		p += n;
		len -= n;
		if (x->nhold == FEED_STEP)
			push(x, true);
	}
	if (x->err)
		return x->err;
	if (x->too_big && !x->stopped) {
		x->why = "page too big";
		stop(x);
	}
	return x->stopped ? FO_EXTRACT_STOP : 0;
}

int fo_extract_end(struct fo_extract *x)
{
	if (x->err)
		return x->err;
	if (x->stopped)
		return FO_EXTRACT_STOP;
	if (x->nhold)
		push(x, false);
	if (!x->stopped)
		htmlParseChunk(x->ctxt, NULL, 0, 1);
	if (x->err)
		return x->err;
	return x->stopped ? FO_EXTRACT_STOP : 0;
}

const char *fo_extract_base(const struct fo_extract *x)
{
	return x->base;
}

void fo_extract_release(struct fo_extract *x)
{
	htmlParserCtxtPtr c = x->ctxt;

	if (c) {
		if (c->myDoc) /* none without a startDocument callback; to be sure */
			xmlFreeDoc(c->myDoc);
		htmlFreeParserCtxt(c);
	}
	free(x->base);
	free(x->scratch);
	free(x->hold);
	memset(x, 0, sizeof(*x));
}
