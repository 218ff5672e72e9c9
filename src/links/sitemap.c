/*
 * Sitemaps (sitemap.h): the parser over libxml2's SAX2 push parser, the
 * gunzip over zlib, and the reading of sitemaps and their indexes with
 * libcurl, before the crawl starts.
 *
 * Costs: parsing is linear in the bytes (libxml2's XML parser, no tree);
 * each <loc> is copied once into a buffer of FO_URL_MAX bytes, then once
 * more as the entry's URL. The sitemaps already read are a hash set, so an
 * index listing itself (or a cycle) is read once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <zlib.h>

#include "../util/file.h"
#include "../util/map.h"
#include "sitemap.h"
#include "url.h"

const char fo_sitemap_tag_url[] = "loc";
const char fo_sitemap_tag_index[] = "sitemap";

bool fo_sitemap_tag(const char *tag)
{
	return tag == fo_sitemap_tag_url || tag == fo_sitemap_tag_index;
}

/* ---- the parser -------------------------------------------------------------------- */

struct parse {
	xmlParserCtxtPtr ctxt;
	fo_sitemap_fn fn;
	void *arg;
	int kind;        /* enum fo_sitemap_kind, once the root is seen */
	int depth;       /* elements open */
	char *ns;        /* the root's namespace URI (NULL: none) */
	bool item;       /* the element open at depth 2 is a <url> (<sitemap>) */
	bool in_loc;
	char *loc;       /* FO_URL_MAX + 1 bytes */
	size_t loclen;
	bool loc_long;
	long loc_line;
	int err;
	char *errbuf;
	size_t errlen;
};

static void quiet_generic(void *ctx, const char *msg, ...)
{
	(void)ctx, (void)msg;
}

/* XML's five entities only: one the document declares is "not defined",
 * an error, so nothing it declares ever expands (a billion laughs has
 * nothing to laugh with). */
static xmlEntityPtr predefined_only(void *ctx, const xmlChar *name)
{
	(void)ctx;
	return xmlGetPredefinedEntity(name);
}

static void fail(struct parse *p, int e)
{
	if (!p->err)
		p->err = e;
	xmlStopParser(p->ctxt);
}

static bool same_ns(const struct parse *p, const xmlChar *uri)
{
	if (!p->ns || !uri)
		return !p->ns && !uri;
	return !strcmp(p->ns, (const char *)uri);
}

static void on_start(void *ctx, const xmlChar *name, const xmlChar *prefix, const xmlChar *uri, int nns,
		     const xmlChar **nss, int nattr, int ndef, const xmlChar **attrs)
{
	struct parse *p = ctx;
	const char *n = (const char *)name;

	(void)prefix, (void)nns, (void)nss, (void)nattr, (void)ndef, (void)attrs;
	if (p->err)
		return;
	p->depth++;
	if (p->depth == 1) {
		if (!strcmp(n, "urlset"))
			p->kind = FO_SITEMAP_URLSET;
		else if (!strcmp(n, "sitemapindex"))
			p->kind = FO_SITEMAP_INDEX;
		else {
			snprintf(p->errbuf, p->errlen, "not a sitemap: its root element is <%.64s>, not <urlset> or "
				 "<sitemapindex>", n);
			fail(p, -EINVAL);
			return;
		}
		if (uri && !(p->ns = strdup((const char *)uri)))
			fail(p, -ENOMEM);
	} else if (p->depth == 2) {
		p->item = same_ns(p, uri) && !strcmp(n, p->kind == FO_SITEMAP_URLSET ? "url" : "sitemap");
	} else if (p->depth == 3 && p->item && same_ns(p, uri) && !strcmp(n, "loc")) {
		p->in_loc = true;
		p->loclen = 0;
		p->loc_long = false;
		p->loc_line = xmlSAX2GetLineNumber(p->ctxt);
	}
}

static bool space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void on_end(void *ctx, const xmlChar *name, const xmlChar *prefix, const xmlChar *uri)
{
	struct parse *p = ctx;
	char *s = p->loc;
	size_t n = p->loclen;
	int r;

	(void)name, (void)prefix, (void)uri;
	if (p->err)
		return;
	if (p->depth == 3 && p->in_loc) {
		p->in_loc = false;
		if (p->loc_long) {
			snprintf(p->errbuf, p->errlen, "line %ld: a <loc> longer than %d bytes", p->loc_line, FO_URL_MAX);
			fail(p, -E2BIG);
			return;
		}
		while (n && space(*s))
			s++, n--;
		while (n && space(s[n - 1]))
			n--;
		s[n] = 0;
		if ((r = p->fn(p->arg, p->kind, s, n, p->loc_line)) != 0) {
			fail(p, r < 0 ? r : -ECANCELED);
			return;
		}
	}
	p->depth--;
}

static void on_text(void *ctx, const xmlChar *ch, int len)
{
	struct parse *p = ctx;

	if (!p->in_loc || p->err || len <= 0)
		return;
	if (p->loclen + (size_t)len > FO_URL_MAX) {
		p->loc_long = true;
		return;
	}
	memcpy(p->loc + p->loclen, ch, (size_t)len);
	p->loclen += (size_t)len;
}

/* libxml2's message for the first error, on one line. */
static void xml_error(struct parse *p)
{
	const xmlError *x = xmlCtxtGetLastError(p->ctxt);
	char msg[256];
	size_t n;

	snprintf(msg, sizeof(msg), "%s", x && x->message ? x->message : "malformed XML");
	n = strlen(msg);
	while (n && space(msg[n - 1]))
		msg[--n] = 0;
	snprintf(p->errbuf, p->errlen, "line %d: %s", x && x->line ? x->line : 1, msg);
}

int fo_sitemap_parse(const void *buf, size_t len, fo_sitemap_fn fn, void *arg, char *err, size_t errlen)
{
	xmlSAXHandler sax;
	struct parse p = { .fn = fn, .arg = arg, .errbuf = err, .errlen = errlen };
	const char *b = buf;
	size_t off = 0;
	int r = 0;

	if (errlen)
		err[0] = 0;
	if (!(p.loc = malloc(FO_URL_MAX + 1)))
		return -ENOMEM;
	/* our callbacks only: no entity but XML's own, no DTD loaded, no
	 * network, nothing printed */
	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = on_start;
	sax.endElementNs = on_end;
	sax.characters = on_text;
	sax.cdataBlock = on_text;
	sax.getEntity = predefined_only;
	xmlSetGenericErrorFunc(NULL, quiet_generic);
	p.ctxt = xmlCreatePushParserCtxt(&sax, &p, NULL, 0, NULL);
	if (!p.ctxt) {
		free(p.loc);
		return -ENOMEM;
	}
	xmlCtxtUseOptions(p.ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
	/* in steps, so that a stop takes effect soon; libxml2 takes an int */
	do {
		size_t k = len - off > 65536 ? 65536 : len - off;

		r = xmlParseChunk(p.ctxt, b + off, (int)k, off + k == len);
		off += k;
	} while (r == 0 && !p.err && off < len);
	if (!p.err && (r != 0 || !p.ctxt->wellFormed)) {
		xml_error(&p);
		p.err = -EINVAL;
	}
	if (!p.err && !p.kind) {
		snprintf(err, errlen, "not a sitemap: no <urlset> or <sitemapindex>");
		p.err = -EINVAL;
	}
	/* libxml2 keeps the entities declared in a document of its own
	 * ("SAX compatibility mode"), ours to free */
	if (p.ctxt->myDoc)
		xmlFreeDoc(p.ctxt->myDoc);
	xmlFreeParserCtxt(p.ctxt);
	free(p.ns);
	free(p.loc);
	return p.err ? p.err : p.kind;
}

/* ---- gzip ---------------------------------------------------------------------------- */

bool fo_sitemap_is_gzip(const void *buf, size_t len)
{
	const unsigned char *b = buf;

	return len >= 2 && b[0] == 0x1f && b[1] == 0x8b;
}

int fo_sitemap_gunzip(const void *in, size_t len, size_t max, char **out, size_t *outlen)
{
	z_stream z;
	char *o = NULL, *n;
	size_t cap = 0;
	int zr = Z_OK, e = 0;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return -ENOMEM;
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = len > UINT32_MAX ? UINT32_MAX : (uInt)len;
	while (zr != Z_STREAM_END) {
		if (z.total_out == cap) {
			if (cap > max) {
				e = -EFBIG;
				break;
			}
			cap = cap ? cap * 2 : 65536;
			if (cap > max + 1)
				cap = max + 1; /* one byte past max tells "too big" */
			if (!(n = realloc(o, cap + 1))) {
				e = -ENOMEM;
				break;
			}
			o = n;
		}
		z.next_out = (Bytef *)o + z.total_out;
		z.avail_out = (uInt)(cap - z.total_out);
		zr = inflate(&z, Z_NO_FLUSH);
		if (zr == Z_STREAM_END)
			break;
		if (zr != Z_OK || (z.avail_in == 0 && z.avail_out != 0)) {
			e = zr == Z_MEM_ERROR ? -ENOMEM : -EINVAL; /* corrupt, or cut short */
			break;
		}
		if (z.total_out > max) {
			e = -EFBIG;
			break;
		}
	}
	if (!e && z.total_out > max)
		e = -EFBIG;
	inflateEnd(&z);
	if (e) {
		free(o);
		return e;
	}
	if (!o && !(o = malloc(1)))
		return -ENOMEM;
	o[z.total_out] = 0;
	*out = o;
	*outlen = z.total_out;
	return 0;
}

/* ---- fetching -------------------------------------------------------------------------- */

struct body {
	char *p;
	size_t len, max;
	bool too_big;
};

static size_t on_data(char *d, size_t size, size_t nmemb, void *arg)
{
	struct body *b = arg;
	size_t k = size * nmemb;
	char *n;

	if (b->len + k > b->max) {
		b->too_big = true;
		return 0;
	}
	if (!(n = realloc(b->p, b->len + k + 1)))
		return 0;
	b->p = n;
	memcpy(b->p + b->len, d, k);
	b->len += k;
	b->p[b->len] = 0;
	return k;
}

static bool creds_for(const struct fo_sitemap_opts *o, const char *url)
{
	char key[FO_URL_MAX + 2];
	size_t i;

	if (o->crawl->creds_all_hosts)
		return true;
	if (fo_url_host_key(url, key, sizeof(key)) < 0)
		return false;
	for (i = 0; i < o->norigins; i++)
		if (!strcmp(o->origins[i], key))
			return true;
	return false;
}

/* One hop: a fresh handle each time, so that a cookie engine turned on
 * for one host never serves another (crawl.c's struct curls says why). */
static CURLcode hop(const struct fo_sitemap_opts *o, const char *url, struct body *b, long *status, char *loc,
		    size_t loclen, char *cerr)
{
	const struct fo_crawl_opts *c = o->crawl;
	struct curl_slist *h = NULL;
	bool creds = creds_for(o, url);
	CURL *e = curl_easy_init();
	char *r = NULL;
	CURLcode cc;
	size_t i;

	if (!e)
		return CURLE_OUT_OF_MEMORY;
	for (i = 0; creds && i < c->nheaders; i++)
		h = curl_slist_append(h, c->headers[i]);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, c->user_agent);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(c->timeout / 1000000));
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)(c->connect_timeout / 1000000));
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	if (creds && c->cookies)
		curl_easy_setopt(e, strchr(c->cookies, '=') ? CURLOPT_COOKIE : CURLOPT_COOKIEFILE, c->cookies);
	if (c->insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, cerr);
	cerr[0] = 0;
	cc = curl_easy_perform(e);
	*status = 0;
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, status);
	loc[0] = 0;
	if (curl_easy_getinfo(e, CURLINFO_REDIRECT_URL, &r) == CURLE_OK && r && strlen(r) < loclen)
		snprintf(loc, loclen, "%s", r);
	curl_easy_cleanup(e);
	curl_slist_free_all(h);
	return cc;
}

/* The body of the sitemap at url (http(s) or file:), into b; final gets
 * where it ended after redirects (the base of relative <loc>s). 0 or
 * -errno with err for people (without the sitemap's name). */
static int fetch(const struct fo_sitemap_opts *o, const char *url, struct body *b, char *final, size_t flen,
		 char *err, size_t errlen)
{
	char cerr[CURL_ERROR_SIZE], loc[FO_URL_MAX + 2];
	long status = 0;
	int n;
	CURLcode cc;

	snprintf(final, flen, "%s", url);
	if (!strncmp(url, "file:", 5)) {
		char path[FO_URL_MAX + 2];
		int e;

		if (fo_url_to_path(url, path, sizeof(path), err, errlen) < 0)
			return -EINVAL;
		e = fo__slurp_max(path, b->max, &b->p, &b->len);
		if (e == -EFBIG)
			b->too_big = true;
		else if (e < 0)
			snprintf(err, errlen, "%s", strerror(-e));
		return e;
	}
	for (n = 0;; n++) {
		free(b->p);
		b->p = NULL;
		b->len = 0;
		cc = hop(o, final, b, &status, loc, sizeof(loc), cerr);
		if (cc != CURLE_OK && !(cc == CURLE_WRITE_ERROR && status >= 300 && status < 400 && loc[0])) {
			if (b->too_big)
				return -EFBIG;
			snprintf(err, errlen, "%s", cerr[0] ? cerr : curl_easy_strerror(cc));
			return -EIO;
		}
		if (status < 300 || status >= 400 || !loc[0])
			break;
		if (n == o->crawl->max_redirects) {
			snprintf(err, errlen, "more than %d redirects (a loop?)", o->crawl->max_redirects);
			return -EIO;
		}
		if (strncasecmp(loc, "http://", 7) && strncasecmp(loc, "https://", 8)) {
			snprintf(err, errlen, "a redirect to '%.200s': only http and https are followed", loc);
			return -EIO;
		}
		snprintf(final, flen, "%s", loc);
	}
	if (status >= 400) {
		snprintf(err, errlen, "HTTP %ld", status);
		return -EIO;
	}
	return 0;
}

/* ---- reading ------------------------------------------------------------------------------ */

/* A sitemap to read: its URL (owned) and its index level (0: named). */
struct todo {
	char *url;
	int depth;
};

struct reader {
	struct fo_sitemap *s;
	const struct fo_sitemap_opts *o;
	struct todo *q;
	size_t nq, qcap, qhead;
	struct fo__map seen;  /* URLs of the sitemaps queued; keys are the todos' */
	const char *page;     /* the sitemap being read (its URL as linked) */
	const char *base;     /* where it ended up */
	bool local;           /* a local file: file: entries are fine */
	int depth;
	int kind;
	char *err;
	size_t errlen;
};

static int enqueue(struct reader *r, const char *url, int depth)
{
	struct todo *n;
	int k;

	if (fo__map_get(&r->seen, url))
		return 0;
	if (r->nq == r->qcap) {
		size_t c = r->qcap ? r->qcap * 2 : 16;

		if (!(n = realloc(r->q, c * sizeof(*n))))
			return -ENOMEM;
		r->q = n;
		r->qcap = c;
	}
	if (!(r->q[r->nq].url = strdup(url)))
		return -ENOMEM;
	r->q[r->nq].depth = depth;
	if ((k = fo__map_put(&r->seen, r->q[r->nq].url, r->q[r->nq].url)) < 0) {
		free(r->q[r->nq].url);
		return k;
	}
	r->nq++;
	return 0;
}

static int add_entry(struct reader *r, const char *url, long line)
{
	struct fo_sitemap *s = r->s;
	struct fo_crawl_seed *v;

	if (s->n == s->cap) {
		size_t c = s->cap ? s->cap * 2 : 256;

		if (!(v = realloc(s->v, c * sizeof(*v))))
			return -ENOMEM;
		s->v = v;
		s->cap = c;
	}
	v = &s->v[s->n];
	v->page = strdup(r->page);
	v->url = strdup(url);
	v->line = line > 0 && line < (long)UINT32_MAX ? (uint32_t)line : 0;
	v->tag = r->kind == FO_SITEMAP_INDEX ? fo_sitemap_tag_index : fo_sitemap_tag_url;
	s->n++;
	if (!v->page || !v->url)
		return -ENOMEM; /* released with the rest */
	return 0;
}

/* One <loc>: resolved against the sitemap, an entry; in an index, a
 * sitemap to read next. */
static int on_loc(void *arg, int kind, const char *loc, size_t len, long line)
{
	struct reader *r = arg;
	char abs[FO_URL_MAX + 2], e2[160];
	const char *frag;
	int k;

	(void)len;
	r->kind = kind;
	if (r->s->n >= r->o->max_urls) {
		snprintf(r->err, r->errlen, "line %ld: more than --sitemap-max-urls %zu entries in all (raise it)", line,
			 r->o->max_urls);
		return -E2BIG;
	}
	k = fo_url_resolve(r->base, loc, abs, sizeof(abs), &frag, e2, sizeof(e2));
	if (k != FO_URL_HTTP && !(k == FO_URL_FILE && r->local)) {
		r->s->skipped++;
		return 0;
	}
	if ((k = add_entry(r, abs, line)) < 0)
		return k;
	if (r->kind == FO_SITEMAP_INDEX) {
		if (r->depth + 1 > r->o->max_depth && !fo__map_get(&r->seen, abs)) {
			snprintf(r->err, r->errlen, "line %ld: sitemap '%.512s' nests deeper than --sitemap-max-depth %d "
				 "(raise it)", line, abs, r->o->max_depth);
			return -E2BIG;
		}
		return enqueue(r, abs, r->depth + 1);
	}
	return 0;
}

/* Reads the next sitemap in the queue. 0 or -errno with r->err. */
static int read_one(struct reader *r, const struct todo *t)
{
	struct body b = { .max = r->o->max_bytes };
	char final[FO_URL_MAX + 2], why[512], *text = NULL;
	size_t tlen = 0;
	int e;

	r->page = t->url;
	r->depth = t->depth;
	r->local = !strncmp(t->url, "file:", 5);
	why[0] = 0;
	e = fetch(r->o, t->url, &b, final, sizeof(final), why, sizeof(why));
	if (e == -EFBIG || b.too_big) {
		snprintf(r->err, r->errlen, "sitemap '%s': larger than --sitemap-max-size %zu bytes (raise it)", t->url,
			 r->o->max_bytes);
		e = -EFBIG;
		goto out;
	}
	if (e < 0) {
		snprintf(r->err, r->errlen, "cannot read sitemap '%s': %s", t->url, why);
		goto out;
	}
	r->base = final;
	if (fo_sitemap_is_gzip(b.p, b.len)) {
		e = fo_sitemap_gunzip(b.p, b.len, r->o->max_bytes, &text, &tlen);
		if (e < 0) {
			snprintf(r->err, r->errlen, e == -EFBIG ? "sitemap '%s': larger than --sitemap-max-size %zu bytes "
							  "once gunzip'd (raise it)"
								: "sitemap '%s': not valid gzip", t->url, r->o->max_bytes);
			goto out;
		}
	}
	e = fo_sitemap_parse(text ? text : b.p ? b.p : "", text ? tlen : b.len, on_loc, r, why, sizeof(why));
	r->s->files++;
	if (e < 0) {
		/* on_loc's errors are in r->err already */
		char tmp[640];

		snprintf(tmp, sizeof(tmp), "%s", why[0] ? why : r->err);
		snprintf(r->err, r->errlen, "sitemap '%s': %s", t->url, tmp);
	}
out:
	free(text);
	free(b.p);
	return e < 0 ? e : 0;
}

int fo_sitemap_read(struct fo_sitemap *s, const char *const *roots, size_t nroots, const struct fo_sitemap_opts *o,
		    char *err, size_t errlen)
{
	struct reader r = { .s = s, .o = o, .err = err, .errlen = errlen };
	size_t i;
	int e = 0;

	memset(s, 0, sizeof(*s));
	err[0] = 0;
	for (i = 0; i < nroots && !e; i++)
		e = enqueue(&r, roots[i], 0);
	for (; !e && r.qhead < r.nq; r.qhead++) {
		if (s->files >= o->max_files) {
			snprintf(err, errlen, "sitemap '%s': more than --sitemap-max-files %zu sitemaps (raise it)",
				 r.q[r.qhead].url, o->max_files);
			e = -E2BIG;
			break;
		}
		e = read_one(&r, &r.q[r.qhead]);
	}
	if (e == -ENOMEM && !err[0])
		snprintf(err, errlen, "no memory for the sitemaps");
	for (i = 0; i < r.nq; i++)
		free(r.q[i].url);
	free(r.q);
	fo__map_free(&r.seen);
	return e;
}

void fo_sitemap_release(struct fo_sitemap *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free((char *)s->v[i].page);
		free((char *)s->v[i].url);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}
