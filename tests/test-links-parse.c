/*
 * The two pure parsers of `fanout links` (src/links/): the link extractor
 * over libxml2 (every element and attribute, srcset, base, meta refresh,
 * anchors, malformed and binary input, the limits, a 50 MB page) and the
 * URL resolver over libcurl (RFC 3986's examples, normalising, IDN,
 * fragments, skipped schemes, the file scheme, host keys and scope).
 */
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../src/links/extract.h"
#include "../src/links/url.h"
#include "test.h"

/* ---- the extractor: helpers ------------------------------------------------------------ */

/* What the callback saw, one line per link: "KIND|VALUE|LINE[|rel=REL]". */
struct seen {
	char *s;
	size_t len, cap;
	size_t n;
	size_t stop_after; /* the callback asks to stop after this many; 0: never */
};

static void seen_add(struct seen *w, const char *line)
{
	size_t n = strlen(line);

	if (w->len + n + 1 > w->cap) {
		w->cap = (w->len + n + 1) * 2;
		w->s = realloc(w->s, w->cap);
		CHECK(w->s != NULL);
	}
	memcpy(w->s + w->len, line, n + 1);
	w->len += n;
}

static int on_link(void *arg, const struct fo_link *l)
{
	struct seen *w = arg;
	char line[1024];

	CHECK(l->value != NULL);
	CHECK_EQ(strlen(l->value), l->len);
	CHECK(l->line >= 1);
	CHECK(l->kind >= 0 && l->kind < FO_LINK_NKINDS);
	snprintf(line, sizeof(line), "%s|%.900s|%ld%s%s\n", fo_link_kind_name(l->kind), l->value, l->line,
		 l->rel ? "|rel=" : "", l->rel ? l->rel : "");
	seen_add(w, line);
	w->n++;
	return w->stop_after && w->n >= w->stop_after;
}

/* Extracts page, fed in chunks of chunk bytes (0: at once); returns what was seen. */
static char *extract_opts(const char *page, size_t len, size_t chunk, struct fo_extract_opts *o,
			  struct fo_extract *x, int *ret)
{
	static struct seen w;
	size_t i;
	int r = 0;

	free(w.s);
	memset(&w, 0, sizeof(w));
	seen_add(&w, "");
	fo_extract_global_init();
	o->fn = on_link;
	o->arg = &w;
	CHECK_EQ(fo_extract_init(x, o), 0);
	if (!chunk)
		chunk = len ? len : 1;
	for (i = 0; i < len && r == 0; i += chunk)
		r = fo_extract_feed(x, page + i, len - i < chunk ? len - i : chunk);
	if (r == 0)
		r = fo_extract_end(x);
	CHECK(r == 0 || r == FO_EXTRACT_STOP);
	if (ret)
		*ret = r;
	return w.s;
}

static char *extract(const char *page, size_t chunk)
{
	struct fo_extract_opts o = { 0 };
	struct fo_extract x;
	char *s = extract_opts(page, strlen(page), chunk, &o, &x, NULL);

	CHECK(!x.stopped);
	fo_extract_release(&x);
	return s;
}

/* ---- the extractor ---------------------------------------------------------------------------- */

static const char every_kind[] =
	"<!DOCTYPE html>\n"
	"<HTML><head><BASE HREF=\"/base/\"><base href=\"/second/\">\n"
	"<meta http-equiv=\"Refresh\" content=\"5; URL='next.html'\">\n"
	"<link rel=\"stylesheet\" href=\"s.css\"><link rel=icon href=/f.ico><link href=\"norel.css\">\n"
	"<script src=\"a.js?x=1&amp;y=2\"></script></head>\n"
	"<body><a href=\"x.html#top\" name=\"n1\" id=\"i1\" rel=\"nofollow\">x</a>\n"
	"<img src=\"i.png\" srcset=\"a.png 1x, b.png 2x\">\n"
	"<picture><source srcset=\"s1.webp 100w, s2.webp 200w\" src=\"s.png\"></picture>\n"
	"<iframe src=\"if.html\"></iframe><video src=v.mp4 poster=p.jpg><track src=t.vtt></video>"
	"<audio src=a.mp3></audio>\n"
	"<object data=o.swf></object><embed src=e.swf><map><area href=ar.html></map>\n"
	"<form action=form.cgi><input name=q></form><p id=p2>\n"
	"<a href>empty</a><a href=\"\">empty2</a><a href=\"  mailto:x@y  \">m</a>\n"
	"<a href=\"a&#10;b\">newline</a><A HREF=\"UP.html\" HREF=\"dup.html\">dup</A>\n"
	"<!-- <a href=comment.html> --><script>document.write('<a href=script.html>')</script>\n"
	"<textarea><a href=textarea.html></textarea><a href=\"&eacute;t&#xE9;.html\">e</a>\n";

TEST(links_parse_every_kind)
{
	char *s = extract(every_kind, 0);

	CHECK_HAS(s, "base href|/base/|2\n");
	CHECK_LACKS(s, "/second/");
	CHECK_HAS(s, "meta refresh|next.html|3\n");
	CHECK_HAS(s, "link href|s.css|4|rel=stylesheet\n");
	CHECK_HAS(s, "link href|/f.ico|4|rel=icon\n");
	CHECK_HAS(s, "link href|norel.css|4\n");
	CHECK_HAS(s, "script src|a.js?x=1&y=2|5\n");
	CHECK_HAS(s, "id|i1|6\n");
	CHECK_HAS(s, "a name|n1|6\n");
	CHECK_HAS(s, "a href|x.html#top|6|rel=nofollow\n");
	CHECK_HAS(s, "img src|i.png|7\n");
	CHECK_HAS(s, "img srcset|a.png|7\nimg srcset|b.png|7\n");
	CHECK_HAS(s, "source src|s.png|8\n");
	CHECK_HAS(s, "source srcset|s1.webp|8\nsource srcset|s2.webp|8\n");
	CHECK_HAS(s, "iframe src|if.html|9\n");
	CHECK_HAS(s, "video src|v.mp4|9\n");
	CHECK_HAS(s, "video poster|p.jpg|9\n");
	CHECK_HAS(s, "track src|t.vtt|9\n");
	CHECK_HAS(s, "audio src|a.mp3|9\n");
	CHECK_HAS(s, "object data|o.swf|10\n");
	CHECK_HAS(s, "embed src|e.swf|10\n");
	CHECK_HAS(s, "area href|ar.html|10\n");
	CHECK_LACKS(s, "form.cgi");
	CHECK_LACKS(s, "a name|q"); /* name counts on a only */
	CHECK_HAS(s, "id|p2|11\n");
	/* <a href> and <a href=""> are links to the page itself; spaces kept for url.c */
	CHECK_HAS(s, "a href||12\na href||12\na href|  mailto:x@y  |12\n");
	CHECK_HAS(s, "a href|a\nb|13\n");
	/* names are case-insensitive; the first of two equal attributes wins */
	CHECK_HAS(s, "a href|UP.html|13\n");
	CHECK_LACKS(s, "dup.html");
	/* not links: comments, script text, textarea text */
	CHECK_LACKS(s, "comment.html");
	CHECK_LACKS(s, "script.html");
	/* libxml2 2.9 reads textarea (and title) content as markup; browsers do not */
	CHECK_HAS(s, "a href|textarea.html|15\n");
	/* entities decoded, in UTF-8 */
	CHECK_HAS(s, "a href|\xc3\xa9t\xc3\xa9.html|15\n");
}

TEST(links_parse_kind_names)
{
	int k;

	for (k = 0; k < FO_LINK_NKINDS; k++)
		CHECK(strcmp(fo_link_kind_name(k), "?") != 0);
	CHECK_STR(fo_link_kind_name(-1), "?");
	CHECK_STR(fo_link_kind_name(FO_LINK_NKINDS), "?");
	CHECK(fo_link_is_anchor(FO_ANCHOR_ID) && fo_link_is_anchor(FO_ANCHOR_NAME));
	CHECK(!fo_link_is_anchor(FO_LINK_A_HREF) && !fo_link_is_anchor(FO_LINK_BASE_HREF));
}

/*
 * The same links whatever the chunks: a tag, an entity, a UTF-8 character
 * split. The extractor hands libxml2 4 KB at a time whatever the caller's
 * chunks; padding in front moves that boundary across every byte of the
 * page (libxml2 2.9 loses its way when it falls inside a quoted value, a
 * comment or "</script>": extract.c works around it).
 */
TEST(links_parse_chunks)
{
	char *whole = strdup(extract(every_kind, 0)), *page;
	size_t sizes[] = { 1, 2, 3, 7, 64, 4095 };
	size_t i, n = strlen(every_kind), pad;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		CHECK_STR(extract(every_kind, sizes[i]), whole);
	page = malloc(4096 + n + 64);
	CHECK(page != NULL);
	for (pad = 4096 - n - 16; pad <= 4096 + 16; pad++) {
		memcpy(page, "<p>", 3);
		memset(page + 3, 'x', pad);
		memcpy(page + 3 + pad, "</p>", 4);
		memcpy(page + 7 + pad, every_kind, n + 1);
		if (strcmp(extract(page, 1000), whole))
			fprintf(stderr, "boundary at byte %zu of the page\n", 4096 - pad - 7);
		CHECK_STR(extract(page, 1000), whole);
	}
	free(page);
	free(whole);
}

/* Links come as the page arrives, not all at its end. */
TEST(links_parse_streams)
{
	static const char para[] = "<p id=\"p%d\" title='it''s'>Text <a href=\"/%d.html\" title=\"a > b\">x</a>"
				   "<!-- a \"comment\" --><script>var s = '</b>';</script><style>p{}</style>\n";
	struct fo_extract_opts o = { 0 };
	struct fo_extract x;
	char *b = malloc(1u << 20), *s;
	size_t n = 0, fed;
	int k;

	CHECK(b != NULL);
	for (k = 0; n < (1u << 20) - 256; k++)
		n += (size_t)snprintf(b + n, 256, para, k, k);
	s = extract_opts(b, n / 2, 777, &o, &x, NULL); /* half the page, not ended */
	fed = x.nlinks;
	CHECK(fed > (size_t)k / 2 - 100);
	CHECK(x.nanchors > (size_t)k / 2 - 100);
	CHECK_HAS(s, "a href|/0.html|1\n");
	fo_extract_release(&x);
	extract_opts(b, n, 777, &o, &x, NULL);
	CHECK_EQ(x.nlinks, (size_t)k);
	CHECK_EQ(x.nanchors, (size_t)k);
	CHECK(!x.stopped);
	fo_extract_release(&x);
	free(b);
}

TEST(links_parse_srcset)
{
	char *s = extract("<img srcset=\"a.png 1x, b,c.png 2x,d.png,e.png 100w\">"
			  "<img srcset=\"data:image/png;base64,iVBO/R=, f.png\">"
			  "<img srcset=\"  ,, g.png  (a, b) 1x ,h.png\t2x\n,  i.png,,,  j.png  \">"
			  "<img srcset=\"k.png 1x 2x, l.png ( , ), m.png\">"
			  "<img srcset=\"n.png,o.png\"><img srcset=\"\"><img srcset=\" , \"><img srcset>",
			  0);

	CHECK_STR(s, "img srcset|a.png|1\n"
		     "img srcset|b,c.png|1\n" /* a URL may hold commas */
		     "img srcset|d.png,e.png|1\n" /* no space after the comma: one URL */
		     "img srcset|data:image/png;base64,iVBO/R=|1\n"
		     "img srcset|f.png|1\n"
		     "img srcset|g.png|2\n" /* a comma in parentheses is a descriptor's */
		     "img srcset|h.png|2\n" /* (line 2: where the tag ends) */
		     "img srcset|i.png|2\n" /* trailing commas end a URL */
		     "img srcset|j.png|2\n"
		     "img srcset|k.png|2\n" /* invalid descriptors: reported all the same */
		     "img srcset|l.png|2\n"
		     "img srcset|m.png|2\n"
		     "img srcset|n.png,o.png|2\n");
}

TEST(links_parse_base)
{
	struct fo_extract_opts o = { 0 };
	struct fo_extract x;
	const char *page = "<a href=before.html></a><base target=_top><base href=\"https://other.example/dir/\">"
			   "<base href=\"/ignored/\"><a href=after.html>";
	char *s = extract_opts(page, strlen(page), 5, &o, &x, NULL);

	CHECK_STR(s, "a href|before.html|1\nbase href|https://other.example/dir/|1\na href|after.html|1\n");
	/* the first base with an href, for every link of the page */
	CHECK_STR(fo_extract_base(&x), "https://other.example/dir/");
	fo_extract_release(&x);
	CHECK(x.ctxt == NULL && fo_extract_base(&x) == NULL);

	page = "<p>no base</p>";
	extract_opts(page, strlen(page), 0, &o, &x, NULL);
	CHECK(fo_extract_base(&x) == NULL);
	fo_extract_release(&x);
}

TEST(links_parse_meta_refresh)
{
	static const struct {
		const char *content, *url; /* url NULL: none */
	} cases[] = {
		{ "5; url=a.html", "a.html" },
		{ "0;URL='b.html'", "b.html" },
		{ "3,url=c.html", "c.html" },
		{ "  7  ;  Url = 'd.html'  trailing", "d.html" },
		{ "5; e.html", "e.html" },          /* no "url=" */
		{ ".5; url=f.html", "f.html" },     /* a time may start with a dot */
		{ "1.5.7 url=g.html", "g.html" },   /* dots and digits, ignored */
		{ "5; url='h.html", "h.html" },     /* unterminated quote: the rest */
		{ "5; url=i.html'x", "i.html'x" },  /* unquoted: all */
		{ "5;urlfoo", "urlfoo" },           /* not "url=": the URL is all */
		{ "5; url = ", NULL },
		{ "5", NULL },                      /* reloads the page itself */
		{ "5;", NULL },
		{ "", NULL },
		{ "x; url=j.html", NULL },          /* no time: not a refresh */
		{ "5x; url=k.html", NULL },
		{ "5; URL='l.html?a=1&amp;b=2'", "l.html?a=1&b=2" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char page[256], want[256];
		char *s;

		snprintf(page, sizeof(page), "<meta http-equiv=\"REFRESH\" content=\"%s\">", cases[i].content);
		s = extract(page, 0);
		if (cases[i].url) {
			snprintf(want, sizeof(want), "meta refresh|%s|1\n", cases[i].url);
			if (strcmp(s, want))
				fprintf(stderr, "case %zu: %s\n", i, cases[i].content);
			CHECK_STR(s, want);
		} else {
			if (*s)
				fprintf(stderr, "case %zu: %s\n", i, cases[i].content);
			CHECK_STR(s, "");
		}
	}
	/* not a refresh */
	CHECK_STR(extract("<meta content=\"5; url=x.html\"><meta http-equiv=content-type content=\"5; url=y\">"
			  "<meta http-equiv=refresh>",
			  0),
		  "");
}

TEST(links_parse_anchors)
{
	char *s = extract("<h2 id=\"intro\">Intro</h2><a name=\"old-style\"></a><a id=both name=both2></a>\n"
			  "<div id=\"\"></div><input name=\"notanchor\"><span ID=\"Upper Case\"></span>"
			  "<p id=\"caf&eacute;\"><a name=\"\">x</a><svg><g id=inside-svg></g></svg>",
			  0);

	CHECK_STR(s, "id|intro|1\na name|old-style|1\nid|both|1\na name|both2|1\n"
		     "id|Upper Case|2\nid|caf\xc3\xa9|2\nid|inside-svg|2\n");
}

TEST(links_parse_malformed)
{
	static const char *const pages[] = {
		"<a href=one.html",                        /* the page ends inside the tag */
		"<a href='two.html>text</a>",              /* the quote never closes */
		"<a href=\"three.html\"<b>x</b>",          /* no > */
		"<<a href=four.html>>",
		"</a></div></p><a href=five.html>",        /* end tags that close nothing */
		"<a href=six.html><a href=seven.html>",    /* a in a */
		"<table><a href=eight.html></table>",      /* misnested */
		"<a\nhref\n=\nnine.html\n>",
		"<a href=ten.html/>",
		"<![CDATA[<a href=cdata.html>]]><a href=eleven.html>",
		"<?php echo 1 ?><a href=twelve.html>",
		"<a href=\"&#xD800;thirteen.html\">",
		"<a href=\"&bogus;&ampx&amp;&lt;&#65;&#x42;&nbsp;fourteen.html\">",
	};
	size_t i;

	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		extract(pages[i], 0);
	/* what matters: no crash; and these, as browsers read them */
	CHECK_HAS(extract(pages[4], 0), "a href|five.html|1\n");
	CHECK_HAS(extract(pages[5], 0), "a href|six.html|1\na href|seven.html|1\n");
	CHECK_HAS(extract(pages[6], 0), "a href|eight.html|1\n");
	CHECK_HAS(extract(pages[7], 0), "a href|nine.html|5\n");
	CHECK_HAS(extract(pages[8], 0), "a href|ten.html/|1\n");
	CHECK_HAS(extract(pages[10], 0), "a href|twelve.html|1\n");
	/* libxml2 2.9 drops a value holding an invalid character reference (browsers: U+FFFD) */
	CHECK_STR(extract(pages[11], 0), "a href||1\n");
	/* unknown entities, and "&amp" without ";" before a letter, stay as written (as in browsers) */
	CHECK_STR(extract(pages[12], 0), "a href|&bogus;&ampx&<AB\xc2\xa0" "fourteen.html|1\n");
}

/* A NUL, or bytes invalid in UTF-8, end nothing: libxml2 reads on in Latin-1. */
TEST(links_parse_nul_and_charsets)
{
	static const char page[] = "<a href=1.html>\0<a href=2.html>\xff\xfe<a href=\"\xe9.html\">";
	struct fo_extract_opts o = { 0 };
	struct fo_extract x;
	char *s = extract_opts(page, sizeof(page) - 1, 3, &o, &x, NULL);

	/* after the invalid bytes, libxml2 reads Latin-1: \xe9 is U+00E9 */
	CHECK_STR(s, "a href|1.html|1\na href|2.html|1\na href|\xc3\xa9.html|1\n");
	fo_extract_release(&x);

	/* a meta charset, and the HTTP header's charset over it */
	s = extract("<meta charset=iso-8859-1><a href=\"caf\xe9.html\">", 0);
	CHECK_HAS(s, "a href|caf\xc3\xa9.html|1\n");
	s = extract("<meta http-equiv=content-type content=\"text/html; charset=windows-1252\">"
		    "<a href=\"\x80.html\">",
		    0);
	CHECK_HAS(s, "a href|\xe2\x82\xac.html|1\n");
	o.charset = "iso-8859-15";
	s = extract_opts("<a href=\"\xa4.html\">", 18, 0, &o, &x, NULL);
	CHECK_HAS(s, "a href|\xe2\x82\xac.html|1\n");
	fo_extract_release(&x);
	o.charset = "no-such-charset";
	s = extract_opts("<a href=x.html>", 15, 0, &o, &x, NULL);
	CHECK_STR(s, "a href|x.html|1\n");
	fo_extract_release(&x);
}

/* xorshift: the same bytes on every run */
static unsigned long long rnd_state = 88172645463325252ULL;

static unsigned long long rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

TEST(links_parse_binary)
{
	size_t len = 4u << 20, i;
	char *b = malloc(len);
	struct fo_extract_opts o = { 0 };
	struct fo_extract x;
	int r, round;

	CHECK(b != NULL);
	for (round = 0; round < 3; round++) {
		for (i = 0; i < len; i++)
			b[i] = (char)rnd();
		if (round == 1) /* binary with many "<" and letters: tags everywhere */
			for (i = 0; i < len; i += 1 + rnd() % 16)
				b[i] = "<a =\"'/>"[rnd() % 8];
		if (round == 2) /* a PNG served as text/html */
			memcpy(b, "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
		extract_opts(b, len, 1000 + rnd() % 60000, &o, &x, &r);
		CHECK(x.bytes <= len);
		fo_extract_release(&x);
	}
	free(b);
}

/* Pieces of HTML shuffled at random: tags cut anywhere, quotes unbalanced. */
TEST(links_parse_tag_soup)
{
	static const char *const bits[] = {
		"<a href=", "\"", "'", ">", "<", "/", "x.html", " ", "<img srcset=\"", ",", " 1x", "<!--", "-->",
		"<script>", "</script>", "<base href=", "<meta http-equiv=refresh content=\"0;url=", "id=",
		"<div>", "</div>", "&amp;", "&#", "\n", "<![CDATA[", "]]>", "<p ", "=",
	};
	size_t len = 1u << 20, n = 0;
	char *b = malloc(len + 64);
	struct fo_extract_opts o = { 0 };
	struct fo_extract x;
	int r;

	CHECK(b != NULL);
	while (n < len) {
		const char *p = bits[rnd() % (sizeof(bits) / sizeof(bits[0]))];

		memcpy(b + n, p, strlen(p));
		n += strlen(p);
	}
	extract_opts(b, n, 1 + rnd() % 9000, &o, &x, &r);
	fo_extract_release(&x);
	free(b);
}

/* 50 MB of ordinary HTML: parsed up to the cap, then stop. */
TEST_T(links_parse_50mb, 120)
{
	static const char para[] = "<p id=p%zu>Some text <a href=\"/page/%zu.html#s\">link</a> and "
				   "<img src=\"/img/%zu.png\" srcset=\"/img/%zu@2x.png 2x\"> more text.</p>\n";
	size_t len = 50u << 20, n = 0, k = 0;
	char *b = malloc(len + 512);
	struct fo_extract_opts o = { .max_links = 1u << 30, .max_anchors = 1u << 30 };
	struct fo_extract x;
	char *s;
	int r;

	CHECK(b != NULL);
	n = (size_t)snprintf(b, len, "<!DOCTYPE html><html><head><title>big</title></head><body>\n");
	while (n < len) {
		n += (size_t)snprintf(b + n, 512, para, k, k, k, k);
		k++;
	}
	s = extract_opts(b, n, 64 * 1024, &o, &x, &r);
	CHECK_EQ(r, FO_EXTRACT_STOP);
	if (!x.too_big || !x.stopped || x.too_many || x.too_complex)
		fprintf(stderr, "bytes %zu links %zu anchors %zu: %s\n", x.bytes, x.nlinks, x.nanchors, x.why);
	CHECK(x.too_big && x.stopped && !x.too_many && !x.too_complex);
	CHECK_STR(x.why, "page too big");
	CHECK_EQ(x.bytes, FO_EXTRACT_MAX_BYTES);
	/* every paragraph before the cap, three links and an anchor each */
	CHECK(x.nanchors > 50000);
	CHECK(x.nlinks >= 3 * (x.nanchors - 1) && x.nlinks <= 3 * x.nanchors);
	CHECK_HAS(s, "a href|/page/0.html#s|2\nimg src|/img/0.png|2\n");
	/* past the cap, feed says stop and parses nothing */
	CHECK_EQ(fo_extract_feed(&x, "<a href=late.html>", 18), FO_EXTRACT_STOP);
	CHECK_EQ(fo_extract_end(&x), FO_EXTRACT_STOP);
	CHECK_EQ(x.bytes, FO_EXTRACT_MAX_BYTES);
	fo_extract_release(&x);

	/* a caller's smaller cap, and the whole 50 MB in one feed */
	o.max_bytes = 1u << 20;
	extract_opts(b, n, n, &o, &x, &r);
	CHECK(r == FO_EXTRACT_STOP && x.too_big && x.bytes == 1u << 20);
	fo_extract_release(&x);
	free(b);
}

TEST(links_parse_limits)
{
	struct fo_extract_opts o = { .max_links = 3, .max_anchors = 2 };
	struct fo_extract x;
	char *s, *b;
	size_t i, n;
	int r;

	s = extract_opts("<a href=1></a><a href=2 id=a></a><img srcset='3, 4, 5'>", 56, 0, &o, &x, &r);
	CHECK_EQ(r, FO_EXTRACT_STOP);
	CHECK(x.too_many && !x.too_big && x.nlinks == 3);
	CHECK_STR(x.why, "too many links");
	CHECK_STR(s, "a href|1|1\nid|a|1\na href|2|1\nimg srcset|3|1\n");
	fo_extract_release(&x);
	s = extract_opts("<p id=1><p id=2><p id=3><a href=x>", 34, 0, &o, &x, &r);
	CHECK(r == FO_EXTRACT_STOP && x.too_many && x.nanchors == 2);
	CHECK_STR(x.why, "too many anchors");
	CHECK_LACKS(s, "a href");
	fo_extract_release(&x);

	/* deep nesting: libxml2 2.9 is quadratic there; stopped at max_depth */
	memset(&o, 0, sizeof(o));
	n = 300000;
	b = malloc(n * 10 + 64);
	CHECK(b != NULL);
	for (i = 0; i < n; i++)
		memcpy(b + i * 5, "<div>", 5);
	for (i = 0; i < n; i++)
		memcpy(b + n * 5 + i * 5, "</pp>", 5);
	extract_opts(b, n * 10, 4096, &o, &x, &r);
	CHECK(r == FO_EXTRACT_STOP && x.too_complex && !x.too_big);
	CHECK_STR(x.why, "elements nested too deep");
	fo_extract_release(&x);
	o.max_depth = 10;
	s = extract_opts("<div><div><div><div><div><div><div><div><a href=deep9></a><div><div><a href=deep11>",
			 81, 0, &o, &x, &r);
	CHECK(r == FO_EXTRACT_STOP && x.too_complex);
	CHECK_HAS(s, "deep9");
	CHECK_LACKS(s, "deep11");
	fo_extract_release(&x);

	/* one tag of a million attributes: stopped before libxml2 parses it */
	memset(&o, 0, sizeof(o));
	n = 0;
	memcpy(b, "<div ", 5);
	n = 5;
	for (i = 0; n < 2900000; i++)
		n += (size_t)snprintf(b + n, 32, "a%zu=b ", i);
	extract_opts(b, n, 4096, &o, &x, &r);
	CHECK(r == FO_EXTRACT_STOP && x.too_complex && x.bytes < n);
	CHECK_STR(x.why, "too many attributes in a tag");
	fo_extract_release(&x);
	/* the same in one feed, and as a whole (ended) page */
	extract_opts(b, n, 0, &o, &x, &r);
	CHECK(r == FO_EXTRACT_STOP && x.too_complex);
	fo_extract_release(&x);
	/* but a long tag of few attributes is fine: a 600 KB data: URL, spaces in a quoted value */
	n = (size_t)snprintf(b, 64, "<img alt=\"");
	for (i = 0; i < 100000; i++)
		memcpy(b + n + i * 2, "w ", 2);
	n += 200000;
	n += (size_t)snprintf(b + n, 64, "\" src=\"data:image/png;base64,");
	memset(b + n, 'A', 600000);
	n += 600000;
	n += (size_t)snprintf(b + n, 64, "\"><a href=after.html>");
	s = extract_opts(b, n, 4096, &o, &x, &r);
	CHECK_EQ(r, 0);
	CHECK(!x.stopped);
	CHECK_HAS(s, "a href|after.html|1\n");
	CHECK_HAS(s, "img src|data:image/png;base64,AAAA");
	fo_extract_release(&x);
	free(b);
}

TEST(links_parse_callback_stops)
{
	struct fo_extract_opts o = { 0 };
	struct fo_extract x;
	struct seen w = { .stop_after = 2 };

	fo_extract_global_init();
	o.fn = on_link;
	o.arg = &w;
	CHECK_EQ(fo_extract_init(&x, &o), 0);
	/* held until 4 KB arrive or the page ends */
	CHECK_EQ(fo_extract_feed(&x, "<a href=1><a href=2><a href=3>", 30), 0);
	CHECK_EQ(w.n, 0);
	CHECK_EQ(fo_extract_end(&x), FO_EXTRACT_STOP);
	CHECK(x.stopped && !x.too_many && !x.too_big && !x.why);
	CHECK_EQ(w.n, 2);
	CHECK_EQ(fo_extract_feed(&x, "<a href=4>", 10), FO_EXTRACT_STOP);
	CHECK_EQ(fo_extract_end(&x), FO_EXTRACT_STOP);
	CHECK_EQ(w.n, 2);
	fo_extract_release(&x);
	free(w.s);
	/* no callback: refused */
	memset(&o, 0, sizeof(o));
	CHECK_EQ(fo_extract_init(&x, &o), -EINVAL);
	CHECK_EQ(fo_extract_init(&x, NULL), -EINVAL);
	/* an empty page */
	CHECK_STR(extract("", 0), "");
}

/* ---- URLs: helpers --------------------------------------------------------------------------- */

static char url_out[2 * FO_URL_MAX + 8];
static char url_err[256];
static const char *url_frag;

static int resolve(const char *base, const char *ref)
{
	url_err[0] = 0;
	return fo_url_resolve(base, ref, url_out, sizeof(url_out), &url_frag, url_err, sizeof(url_err));
}

/* ref resolved against base: kind, URL, fragment (NULL: none); and a fixed point. */
#define CHECK_URL(base, ref, kind, url, frag)                                                   \
	do {                                                                                    \
		int k_ = resolve(base, ref);                                                    \
		if (k_ < 0)                                                                     \
			fprintf(stderr, "'%s': %s\n", (const char *)(ref), url_err);            \
		CHECK_EQ(k_, kind);                                                             \
		CHECK_STR(url_out, url);                                                        \
		if ((frag) == NULL)                                                             \
			CHECK(url_frag == NULL);                                                \
		else                                                                            \
			CHECK_STR(url_frag, (const char *)(frag));                              \
		if (k_ == FO_URL_HTTP || k_ == FO_URL_FILE || k_ == FO_URL_SAME_PAGE)            \
			check_fixed_point(url_out);                                             \
	} while (0)

static void check_fixed_point(const char *url)
{
	char again[2 * FO_URL_MAX + 8], e[256];
	const char *f;
	int k = fo_url_resolve(NULL, url, again, sizeof(again), &f, e, sizeof(e));

	if (k <= 0 || strcmp(again, url))
		fprintf(stderr, "not a fixed point: '%s' -> '%s' (%d %s)\n", url, again, k, e);
	CHECK(k == FO_URL_HTTP || k == FO_URL_FILE);
	CHECK_STR(again, url);
	CHECK(f == NULL);
}

/* ---- URLs ---------------------------------------------------------------------------------------- */

/* RFC 3986 section 5.4, against its base "http://a/b/c/d;p?q". */
TEST(links_parse_url_rfc3986)
{
	static const char base[] = "http://a/b/c/d;p?q";
	static const struct {
		const char *ref, *url, *frag;
	} normal[] = {
		{ "g", "http://a/b/c/g", NULL },
		{ "./g", "http://a/b/c/g", NULL },
		{ "g/", "http://a/b/c/g/", NULL },
		{ "/g", "http://a/g", NULL },
		{ "//g", "http://g/", NULL }, /* "http://g", with the empty path as "/" */
		{ "?y", "http://a/b/c/d;p?y", NULL },
		{ "g?y", "http://a/b/c/g?y", NULL },
		{ "g#s", "http://a/b/c/g", "s" },
		{ "g?y#s", "http://a/b/c/g?y", "s" },
		{ ";x", "http://a/b/c/;x", NULL },
		{ "g;x", "http://a/b/c/g;x", NULL },
		{ "g;x?y#s", "http://a/b/c/g;x?y", "s" },
		{ ".", "http://a/b/c/", NULL },
		{ "./", "http://a/b/c/", NULL },
		{ "..", "http://a/b/", NULL },
		{ "../", "http://a/b/", NULL },
		{ "../g", "http://a/b/g", NULL },
		{ "../..", "http://a/", NULL },
		{ "../../", "http://a/", NULL },
		{ "../../g", "http://a/g", NULL },
		/* 5.4.2, abnormal */
		{ "../../../g", "http://a/g", NULL },
		{ "../../../../g", "http://a/g", NULL },
		{ "/./g", "http://a/g", NULL },
		{ "/../g", "http://a/g", NULL },
		{ "g.", "http://a/b/c/g.", NULL },
		{ ".g", "http://a/b/c/.g", NULL },
		{ "g..", "http://a/b/c/g..", NULL },
		{ "..g", "http://a/b/c/..g", NULL },
		{ "./../g", "http://a/b/g", NULL },
		{ "./g/.", "http://a/b/c/g/", NULL },
		{ "g/./h", "http://a/b/c/g/h", NULL },
		{ "g/../h", "http://a/b/c/h", NULL },
		{ "g;x=1/./y", "http://a/b/c/g;x=1/y", NULL },
		{ "g;x=1/../y", "http://a/b/c/y", NULL },
		{ "g?y/./x", "http://a/b/c/g?y/./x", NULL },
		{ "g?y/../x", "http://a/b/c/g?y/../x", NULL },
		{ "g#s/./x", "http://a/b/c/g", "s/./x" },
		{ "g#s/../x", "http://a/b/c/g", "s/../x" },
	};
	size_t i;

	for (i = 0; i < sizeof(normal) / sizeof(normal[0]); i++)
		CHECK_URL(base, normal[i].ref, FO_URL_HTTP, normal[i].url, normal[i].frag);
	/* the same page: no fetch needed (curl 7.88 alone gets these two wrong) */
	CHECK_URL(base, "", FO_URL_SAME_PAGE, "http://a/b/c/d;p?q", NULL);
	CHECK_URL(base, "#s", FO_URL_SAME_PAGE, "http://a/b/c/d;p?q", "s");
	/* "g:h" is the scheme g, which we do not check */
	CHECK_EQ(resolve(base, "g:h"), FO_URL_UNSUPPORTED);
	CHECK_STR(url_out, "g");
	/* "http:g": the strict reading is "http:g", the old one "http://a/b/c/g";
	 * curl wants "http://" and refuses it, and so do we */
	CHECK_EQ(resolve(base, "http:g"), -EINVAL);
	CHECK_HAS(url_err, "'http:g'");
}

TEST(links_parse_url_normalise)
{
	/* case: scheme and host, not path or query */
	CHECK_URL(NULL, "HTTP://Example.COM/A/B?Q=V", FO_URL_HTTP, "http://example.com/A/B?Q=V", NULL);
	CHECK_URL(NULL, "HTTPS://User:PW@Host.COM:8443", FO_URL_HTTP, "https://User:PW@host.com:8443/", NULL);
	/* default ports dropped, others kept */
	CHECK_URL(NULL, "http://a.com:80/", FO_URL_HTTP, "http://a.com/", NULL);
	CHECK_URL(NULL, "https://a.com:443/x", FO_URL_HTTP, "https://a.com/x", NULL);
	CHECK_URL(NULL, "http://a.com:443/", FO_URL_HTTP, "http://a.com:443/", NULL);
	CHECK_URL(NULL, "https://a.com:80/", FO_URL_HTTP, "https://a.com:80/", NULL);
	CHECK_URL(NULL, "http://a.com:0080/", FO_URL_HTTP, "http://a.com/", NULL);
	CHECK_URL(NULL, "http://a.com:/x", FO_URL_HTTP, "http://a.com/x", NULL);
	/* empty path, empty query, empty fragment */
	CHECK_URL(NULL, "http://a.com", FO_URL_HTTP, "http://a.com/", NULL);
	CHECK_URL(NULL, "http://a.com?", FO_URL_HTTP, "http://a.com/", NULL);
	CHECK_URL(NULL, "http://a.com/x?#", FO_URL_HTTP, "http://a.com/x", NULL);
	CHECK_URL(NULL, "http://a.com?x=1", FO_URL_HTTP, "http://a.com/?x=1", NULL);
	/* percent-encoding: uppercase hex, unreserved decoded, the rest encoded */
	CHECK_URL(NULL, "http://a.com/%7euser/%41%2f%2F%3a?q=%7e%2b+%26", FO_URL_HTTP,
		  "http://a.com/~user/A%2F%2F%3A?q=~%2B+%26", NULL);
	CHECK_URL(NULL, "http://a.com/a b/\"<>`{}|^[]\\?x y=\"z\"", FO_URL_HTTP,
		  "http://a.com/a%20b/%22%3C%3E%60%7B%7D%7C%5E%5B%5D/?x%20y=%22z%22", NULL);
	CHECK_URL(NULL, "http://a.com/100%/%zz/%4", FO_URL_HTTP, "http://a.com/100%25/%25zz/%254", NULL);
	CHECK_URL(NULL, "http://a.com/!$&'()*+,;=:@-._~", FO_URL_HTTP, "http://a.com/!$&'()*+,;=:@-._~", NULL);
	/* dot segments, also written %2E, but not in the query */
	CHECK_URL(NULL, "http://a.com/a/./b/../c/%2e%2E/d/%2E/e", FO_URL_HTTP, "http://a.com/a/d/e", NULL);
	CHECK_URL(NULL, "http://a.com/../../x?a/../b", FO_URL_HTTP, "http://a.com/x?a/../b", NULL);
	/* Unicode in path, query and fragment: UTF-8, percent-encoded; the fragment decoded */
	CHECK_URL("http://a.com/dir/", "\xc3\xbc ber/\xe2\x82\xac.html?q=\xc3\xa4#\xc3\xa9t%C3%A9", FO_URL_HTTP,
		  "http://a.com/dir/%C3%BC%20ber/%E2%82%AC.html?q=%C3%A4", "\xc3\xa9t\xc3\xa9");
	/* HTML's cleaning: spaces at the ends, tabs and newlines inside, "\" as "/" before the query */
	CHECK_URL("http://a.com/b/c", "  \t../x\n y.html \r\n", FO_URL_HTTP, "http://a.com/x%20y.html", NULL);
	CHECK_URL("http://a.com/b/c", "..\\d\\e.html?f\\g", FO_URL_HTTP, "http://a.com/d/e.html?f%5Cg", NULL);
	CHECK_URL("http://a.com/b/c", "\\\\other.com\\x", FO_URL_HTTP, "http://other.com/x", NULL);
	/* hosts: "%41" decoded by curl, IPv4 forms made dotted, IPv6 kept */
	CHECK_URL(NULL, "http://%41.com/", FO_URL_HTTP, "http://a.com/", NULL);
	CHECK_URL(NULL, "http://0x7f.1/", FO_URL_HTTP, "http://127.0.0.1/", NULL);
	CHECK_URL(NULL, "http://[::1]:80/", FO_URL_HTTP, "http://[::1]/", NULL);
	CHECK_URL(NULL, "http://[FE80::A]:8080/", FO_URL_HTTP, "http://[fe80::a]:8080/", NULL);
	/* a trailing dot is another name to curl; kept */
	CHECK_URL(NULL, "http://a.com./", FO_URL_HTTP, "http://a.com./", NULL);
	/* a base in any spelling */
	CHECK_URL("HTTP://A.com:80/x/../y/z", "w", FO_URL_HTTP, "http://a.com/y/w", NULL);
	/* absolute links need no base, and ignore it */
	CHECK_URL("file:///tmp/x.html", "https://b.com/", FO_URL_HTTP, "https://b.com/", NULL);
}

/*
 * IDN hosts: libcurl (7.88, libidn2) converts them to punycode only under
 * a UTF-8 LC_CTYPE; under the C locale the host stays Unicode, lowercased
 * in ASCII only. Both are fixed points.
 */
TEST(links_parse_url_idn)
{
	CHECK_URL(NULL, "http://B\xc3\xbc" "cher.Example/\xc3\xa4", FO_URL_HTTP,
		  "http://b\xc3\xbc" "cher.example/%C3%A4", NULL);
	/* not UTF-8, under any locale: a bad host name */
	CHECK_EQ(resolve(NULL, "http://a\xff.com/"), -EINVAL);
	CHECK_STR(url_err, "cannot parse link 'http://a?.com/': bad hostname");
	CHECK_EQ(resolve(NULL, "http://a\xc0\xaf.com/"), -EINVAL); /* an overlong "/" */
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		fo_test_skip("no C.UTF-8 locale");
	CHECK_URL(NULL, "http://B\xc3\xbc" "cher.Example/\xc3\xa4", FO_URL_HTTP,
		  "http://xn--bcher-kva.example/%C3%A4", NULL);
	CHECK_URL(NULL, "https://B\xc3\x9c" "CHER.example:443", FO_URL_HTTP, "https://xn--bcher-kva.example/", NULL);
	CHECK_URL(NULL, "http://\xe2\x98\x83.net/", FO_URL_HTTP, "http://xn--n3h.net/", NULL);
	CHECK_URL(NULL, "http://XN--N3H.net/", FO_URL_HTTP, "http://xn--n3h.net/", NULL);
	setlocale(LC_CTYPE, "C");
}

TEST(links_parse_url_fragments)
{
	static const char base[] = "http://a.com/p.html?q=1";

	CHECK_URL(base, "#top", FO_URL_SAME_PAGE, "http://a.com/p.html?q=1", "top");
	CHECK_URL(base, "#", FO_URL_SAME_PAGE, "http://a.com/p.html?q=1", NULL);
	CHECK_URL(base, "  #x y ", FO_URL_SAME_PAGE, "http://a.com/p.html?q=1", "x y");
	CHECK_URL(base, "#caf%C3%A9%20x", FO_URL_SAME_PAGE, "http://a.com/p.html?q=1", "caf\xc3\xa9 x");
	CHECK_URL(base, "#100%", FO_URL_SAME_PAGE, "http://a.com/p.html?q=1", "100%");
	CHECK_URL(base, "#a%00b", FO_URL_SAME_PAGE, "http://a.com/p.html?q=1", "a%00b");
	CHECK_URL(base, "#a#b", FO_URL_SAME_PAGE, "http://a.com/p.html?q=1", "a#b");
	/* the base's own fragment is not the link's */
	CHECK_URL("http://a.com/p.html#base", "", FO_URL_SAME_PAGE, "http://a.com/p.html", NULL);
	CHECK_URL("http://a.com/p.html#base", "#", FO_URL_SAME_PAGE, "http://a.com/p.html", NULL);
	/* another page, same or not */
	CHECK_URL(base, "p.html#x", FO_URL_HTTP, "http://a.com/p.html", "x");
	CHECK_URL(base, "?q=1#x", FO_URL_HTTP, "http://a.com/p.html?q=1", "x");
	CHECK_URL(base, "http://a.com/p.html?q=1#x", FO_URL_HTTP, "http://a.com/p.html?q=1", "x");
	/* frag may be NULL */
	CHECK_EQ(fo_url_resolve(base, "#x", url_out, sizeof(url_out), NULL, NULL, 0), FO_URL_SAME_PAGE);
}

TEST(links_parse_url_skipped)
{
	static const struct {
		const char *ref, *scheme;
		int kind;
	} cases[] = {
		{ "mailto:someone@example.com", "mailto", FO_URL_SKIPPED },
		{ "  MailTo:X@Y?subject=hi ", "mailto", FO_URL_SKIPPED },
		{ "tel:+1-555-0100", "tel", FO_URL_SKIPPED },
		{ "javascript:void(0)", "javascript", FO_URL_SKIPPED },
		{ "\tjava\nscript:alert(1)", "javascript", FO_URL_SKIPPED }, /* as browsers read it */
		{ "JAVASCRIPT:x", "javascript", FO_URL_SKIPPED },
		{ "data:text/html,<a href=x>", "data", FO_URL_SKIPPED },
		{ "ftp://ftp.example.com/file", "ftp", FO_URL_UNSUPPORTED },
		{ "irc://irc.example.net/chan", "irc", FO_URL_UNSUPPORTED },
		{ "urn:isbn:0451450523", "urn", FO_URL_UNSUPPORTED },
		{ "chrome-extension://abc/x", "chrome-extension", FO_URL_UNSUPPORTED },
		{ "c:\\windows\\x", "c", FO_URL_UNSUPPORTED },
		{ "git+ssh://x/y", "git+ssh", FO_URL_UNSUPPORTED },
	};
	size_t i, n = 1u << 20;
	char *big;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_EQ(resolve(i % 2 ? NULL : "http://a.com/", cases[i].ref), cases[i].kind);
		CHECK_STR(url_out, cases[i].scheme);
		CHECK(url_frag == NULL);
	}
	/* a megabyte of data: URL is skipped, not too long */
	big = malloc(n + 32);
	CHECK(big != NULL);
	memcpy(big, "data:image/png;base64,", 22);
	memset(big + 22, 'A', n);
	big[n + 22] = 0;
	CHECK_EQ(resolve("http://a.com/", big), FO_URL_SKIPPED);
	CHECK_STR(url_out, "data");
	free(big);
	/* not schemes: a path with a colon after a slash, a digit first */
	CHECK_URL("http://a.com/", "./g:h", FO_URL_HTTP, "http://a.com/g:h", NULL);
	CHECK_URL("http://a.com/", "a/b:c", FO_URL_HTTP, "http://a.com/a/b:c", NULL);
	CHECK_STR(fo_url_kind_name(FO_URL_SKIPPED), "skipped");
	CHECK_STR(fo_url_kind_name(FO_URL_SAME_PAGE), "same page");
	CHECK_STR(fo_url_kind_name(0), "?");
}

TEST(links_parse_url_errors)
{
	char small[16], *big;

	CHECK_EQ(resolve(NULL, "page.html"), -EINVAL);
	CHECK_STR(url_err, "link 'page.html' is relative and there is no base to resolve it against");
	CHECK_EQ(resolve(NULL, "#frag"), -EINVAL);
	CHECK_EQ(resolve(NULL, ""), -EINVAL);
	CHECK_EQ(resolve("mailto:x@y", "page.html"), -EINVAL);
	CHECK_STR(url_err, "base 'mailto:x@y' is not an http, https or file URL");
	CHECK_EQ(resolve("page.html", "x"), -EINVAL);
	CHECK_EQ(resolve("http://a.com/", "http://a.com:99999/"), -EINVAL);
	CHECK_HAS(url_err, "cannot parse link 'http://a.com:99999/': ");
	CHECK_EQ(resolve(NULL, "http://a b.com/"), -EINVAL);
	CHECK_EQ(resolve(NULL, "http://"), -EINVAL);
	CHECK_EQ(resolve(NULL, "http://a.com\x01/"), -EINVAL);
	CHECK_HAS(url_err, "'http://a.com?/'"); /* unprintable bytes as '?' in messages */
	/* too long: the link, or the caller's buffer */
	big = malloc(FO_URL_MAX + 64);
	CHECK(big != NULL);
	memcpy(big, "http://a.com/", 13);
	memset(big + 13, 'x', FO_URL_MAX);
	big[FO_URL_MAX + 13] = 0;
	CHECK_EQ(resolve(NULL, big), -ENAMETOOLONG);
	CHECK_HAS(url_err, "is longer than 8192 bytes");
	CHECK(strlen(url_err) < 200);
	big[FO_URL_MAX - 20] = 0;
	CHECK(resolve(NULL, big) == FO_URL_HTTP);
	/* percent-encoding may make it too long */
	memset(big + 13, ' ', FO_URL_MAX - 40);
	CHECK_EQ(resolve(NULL, big), -ENAMETOOLONG);
	free(big);
	CHECK_EQ(fo_url_resolve(NULL, "http://example.com/x", small, sizeof(small), NULL, url_err, sizeof(url_err)),
		 -ENAMETOOLONG);
	CHECK_STR(small, "");
	CHECK_EQ(fo_url_resolve(NULL, "http://a.com/#abcdefg", small, sizeof(small), NULL, NULL, 0), -ENAMETOOLONG);
	CHECK_EQ(fo_url_resolve(NULL, "mailto:x", small, 4, NULL, NULL, 0), -ENAMETOOLONG);
}

TEST(links_parse_url_file)
{
	char dir[] = "/tmp/fanout-links-XXXXXX", path[PATH_MAX + 32], url[FO_URL_MAX + 8], want[PATH_MAX + 64];
	char sub[PATH_MAX], file[PATH_MAX], cwd[PATH_MAX];
	int fd;

	/* resolving against a file base */
	CHECK_URL("file:///site/a/b.html", "../c.html#x", FO_URL_FILE, "file:///site/c.html", "x");
	CHECK_URL("file:///site/a/b.html", "/img/i.png", FO_URL_FILE, "file:///img/i.png", NULL);
	CHECK_URL("file:///site/a/b.html", "../../../../x", FO_URL_FILE, "file:///x", NULL);
	CHECK_URL("file:///site/a/b.html", "#f", FO_URL_SAME_PAGE, "file:///site/a/b.html", "f");
	/* curl keeps no query in a file URL */
	CHECK_URL("file:///site/a/b.html", "d%20e/f.html?q", FO_URL_FILE, "file:///site/a/d%20e/f.html", NULL);
	CHECK_URL("file:///site/a/b.html", "https://x.com", FO_URL_HTTP, "https://x.com/", NULL);
	CHECK_URL(NULL, "file://localhost/etc/x", FO_URL_FILE, "file:///etc/x", NULL);
	CHECK_URL(NULL, "FILE:/etc/x", FO_URL_FILE, "file:///etc/x", NULL);
	CHECK_URL(NULL, "file:///a b/\xc3\xbc", FO_URL_FILE, "file:///a%20b/%C3%BC", NULL);
	/* file URLs on other hosts: curl refuses them */
	CHECK_EQ(resolve(NULL, "file://otherhost/x"), -EINVAL);
	CHECK_EQ(resolve("file:///site/a.html", "//otherhost/x"), -EINVAL);

	/* local paths to URLs and back */
	CHECK(mkdtemp(dir) != NULL);
	snprintf(sub, sizeof(sub), "%s/my docs", dir);
	CHECK_EQ(mkdir(sub, 0700), 0);
	snprintf(file, sizeof(file), "%s/my docs/100%% caf\xc3\xa9#1.html", dir);
	fd = open(file, O_CREAT | O_WRONLY, 0600);
	CHECK(fd >= 0);
	close(fd);

	CHECK_EQ(fo_url_from_path(sub, url, sizeof(url), url_err, sizeof(url_err)), 0);
	snprintf(want, sizeof(want), "file://%s/my%%20docs/", dir);
	CHECK_STR(url, want); /* a folder ends with "/" */
	CHECK_EQ(fo_url_to_path(url, path, sizeof(path), url_err, sizeof(url_err)), 0);
	snprintf(want, sizeof(want), "%s/my docs/index.html", dir);
	CHECK_STR(path, want);

	CHECK_EQ(fo_url_from_path(file, url, sizeof(url), url_err, sizeof(url_err)), 0);
	snprintf(want, sizeof(want), "file://%s/my%%20docs/100%%25%%20caf%%C3%%A9%%231.html", dir);
	CHECK_STR(url, want);
	check_fixed_point(url);
	CHECK_EQ(fo_url_to_path(url, path, sizeof(path), url_err, sizeof(url_err)), 0);
	CHECK_STR(path, file);

	/* relative to the working directory, with dots */
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	CHECK_EQ(chdir(sub), 0);
	CHECK_EQ(fo_url_from_path("../my docs/./", url, sizeof(url), url_err, sizeof(url_err)), 0);
	snprintf(want, sizeof(want), "file://%s/my%%20docs/", dir);
	CHECK_STR(url, want);
	CHECK_EQ(chdir(cwd), 0);

	/* a folder without the final "/": the caller treats it as moved */
	snprintf(url, sizeof(url), "file://%s/my%%20docs", dir);
	CHECK_EQ(fo_url_to_path(url, path, sizeof(path), url_err, sizeof(url_err)), FO_URL_DIR);
	snprintf(want, sizeof(want), "%s/my docs/index.html", dir);
	CHECK_STR(path, want);
	/* a file that does not exist: its path all the same */
	CHECK_EQ(fo_url_to_path("file:///no/such%20file.html", path, sizeof(path), url_err, sizeof(url_err)), 0);
	CHECK_STR(path, "/no/such file.html");

	/* errors */
	CHECK_EQ(fo_url_from_path("/no/such/path", url, sizeof(url), url_err, sizeof(url_err)), -ENOENT);
	CHECK_STR(url_err, "cannot read '/no/such/path': No such file or directory");
	CHECK_EQ(fo_url_to_path("file:///a%2Fb", path, sizeof(path), url_err, sizeof(url_err)), -EINVAL);
	CHECK_HAS(url_err, "%2F");
	CHECK_EQ(fo_url_to_path("file:///a%00b", path, sizeof(path), url_err, sizeof(url_err)), -EINVAL);
	CHECK_EQ(fo_url_to_path("http://a.com/x", path, sizeof(path), url_err, sizeof(url_err)), -EINVAL);
	CHECK_STR(url_err, "'http://a.com/x' is not a file URL");
	CHECK_EQ(fo_url_to_path("file:///x/", path, 8, url_err, sizeof(url_err)), -ENAMETOOLONG);

	CHECK_EQ(unlink(file), 0);
	CHECK_EQ(rmdir(sub), 0);
	CHECK_EQ(rmdir(dir), 0);
}

TEST(links_parse_url_host_key_and_scope)
{
	char key[256];

	CHECK_EQ(fo_url_host_key("https://example.com/x?y", key, sizeof(key)), 0);
	CHECK_STR(key, "https://example.com:443");
	CHECK_EQ(fo_url_host_key("http://example.com/", key, sizeof(key)), 0);
	CHECK_STR(key, "http://example.com:80");
	CHECK_EQ(fo_url_host_key("http://u:p@example.com:8080/", key, sizeof(key)), 0);
	CHECK_STR(key, "http://example.com:8080");
	CHECK_EQ(fo_url_host_key("http://[::1]:8080/", key, sizeof(key)), 0);
	CHECK_STR(key, "http://[::1]:8080");
	CHECK_EQ(fo_url_host_key("file:///etc/passwd", key, sizeof(key)), 0);
	CHECK_STR(key, "file://");
	CHECK_EQ(fo_url_host_key("not a url", key, sizeof(key)), -EINVAL);
	CHECK_EQ(fo_url_host_key("https://example.com/", key, 8), -ENAMETOOLONG);

	CHECK(fo_url_in_scope("https://a.com/docs", "https://a.com/docs"));
	CHECK(fo_url_in_scope("https://a.com/docs/x.html", "https://a.com/docs"));
	CHECK(fo_url_in_scope("https://a.com/docs?x", "https://a.com/docs"));
	CHECK(!fo_url_in_scope("https://a.com/docs2", "https://a.com/docs"));
	CHECK(fo_url_in_scope("https://a.com/docs/x", "https://a.com/docs/"));
	CHECK(!fo_url_in_scope("https://a.com/docs", "https://a.com/docs/"));
	CHECK(fo_url_in_scope("https://a.com/", "https://a.com/"));
	CHECK(!fo_url_in_scope("http://a.com/", "https://a.com/"));
	CHECK(!fo_url_in_scope("https://a.com.evil.com/", "https://a.com/"));
	CHECK(!fo_url_in_scope("https://a.com:8443/", "https://a.com/"));
	CHECK(fo_url_in_scope("file:///site/a/b.html", "file:///site/"));
	CHECK(!fo_url_in_scope("https://a.com/", ""));
}

/* Links that are hard on a normaliser: each resolves to a fixed point, or fails. */
TEST(links_parse_url_fixed_points)
{
	static const char *const refs[] = {
		"%2e%2e/%2e%2e/%2e%2e/x", "./%2E./y", "a/%2e%2E/../../z", "..%2f..%2fw", "%", "%%", "%2", "%zz",
		"?%", "?a=%2e%2e/../", "//h/%2e", "///x", "////x", "//h:/", "//h:0/", "//[::ffff:1.2.3.4]/",
		"//1.2.3/", "//0/", "//h.com../", "//H_B.com/", "//xn--zz.com/", "/%C3%A9%c3%a9\xc3\xa9", "?\xff\xfe",
		"/\x7f\x01", "//u%40:p%3a@h/", "//u@h@h/", ";a?b", "/.", "/./", "/..", "/.../", "/a/.%2E", "//h?#",
		"\\..\\..\\x", "/a\\b?c\\d#e\\f", "//h/p\r\n?q\t#f",
	};
	size_t i;

	for (i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		int k = resolve("http://base.com/a/b/c", refs[i]);

		if (k == FO_URL_HTTP || k == FO_URL_SAME_PAGE)
			check_fixed_point(url_out);
		else
			CHECK(k < 0 && url_err[0]);
	}
}
