/*
 * The crawl: every distinct target checked once, pages crawled within the
 * scope, under per-host limits, by workers on the runtime.
 *
 * Frontier. Targets live in one table (id -> target) and a hash map (URL ->
 * target), so a URL seen again only gains a reference. Each host (origin)
 * keeps a FIFO of its queued targets, its requests in flight, the time it
 * may be asked again (rate limit, Retry-After) and its robots.txt. The
 * hosts with something queued are served round robin (the ring, pick()):
 * a link to a host whose queue was empty starts at the next free worker,
 * not after the thousands of pages of the site found before it. One mutex
 * guards all of it; it is never held across a wait.
 *
 * Workers. max_conc tasks of the chosen model (coroutines by default), each
 * taking the next target whose host has room, fetching it with libcurl on
 * the runtime's waits (src/net/curl.c), and adding what it found. A worker
 * with nothing to take waits on an eventfd of its own until another adds
 * work or frees a host's slot (or until a held-back host may be asked
 * again); the last one to find nothing queued and nothing running ends
 * them all. Connections, DNS and cookies are shared between workers
 * through a libcurl share, so pages of one host reuse kept-alive
 * connections.
 *
 * Requests. A page (in scope) is a GET whose body streams through the HTML
 * extractor as it arrives (bounded by max_page). A link out of scope is a
 * HEAD, and a GET when the HEAD fails (servers that answer HEAD wrongly
 * are common), or a GET from the start when a link names one of its
 * fragments (its anchors are needed). Redirects are followed here, hop by
 * hop up to max_redirects (request()), so that the -H headers and cookies
 * go only to hops in the starts' or --scope's origins; links on a page
 * resolve against where it ended up, and a page that ended up out of scope
 * is checked, not crawled. Pages past --max-depth or --max-pages are
 * checked, not crawled, and counted for the report.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "../net/curl.h"
#include "../util/diag.h"
#include "../util/map.h"
#include "../util/sbuf.h"
#include "cache.h"
#include "crawl.h"
#include "extract.h"
#include "markdown.h"
#include "robots.h"
#include "url.h"

struct fo__host {
	char *key;                  /* scheme://host:port */
	int active;
	int64_t next_at;            /* not before (rate, Retry-After) */
	int64_t interval;           /* 1 / rate, ns; 0 none */
	struct fo_robots *robots;
	int robots_state;           /* 0 unknown, 1 being fetched, 2 known */
	bool head_bad;              /* a HEAD here failed where GET worked: GET only */
	struct fo_target *qhead, *qtail;
	size_t qlen;
	struct fo__host *rnext;     /* the ring of hosts with something queued */
	bool in_ring;
};

/* ---- small things ------------------------------------------------------------------ */

static char *xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

/* ---- the frontier (caller holds c->lock) ------------------------------------------------ */

static int map_grow(struct fo_crawl *c)
{
	size_t ncap = c->mapcap ? c->mapcap * 2 : 1024, i;
	struct fo_target **n = calloc(ncap, sizeof(*n));

	if (!n)
		return -ENOMEM;
	for (i = 0; i < c->mapcap; i++) {
		struct fo_target *t = c->map[i];
		size_t j;

		if (!t)
			continue;
		for (j = fo__fnv1a(t->url) & (ncap - 1); n[j]; j = (j + 1) & (ncap - 1))
			;
		n[j] = t;
	}
	free(c->map);
	c->map = n;
	c->mapcap = ncap;
	return 0;
}

static struct fo_target *lookup(struct fo_crawl *c, const char *url)
{
	size_t j;

	if (!c->mapcap)
		return NULL;
	for (j = fo__fnv1a(url) & (c->mapcap - 1); c->map[j]; j = (j + 1) & (c->mapcap - 1))
		if (!strcmp(c->map[j]->url, url))
			return c->map[j];
	return NULL;
}

static struct fo__host *host_of(struct fo_crawl *c, const char *url)
{
	char key[FO_URL_MAX + 2];
	size_t i;
	struct fo__host *h;

	if (fo_url_host_key(url, key, sizeof(key)) < 0)
		snprintf(key, sizeof(key), "?");
	for (i = 0; i < c->nhosts; i++)
		if (!strcmp(c->hosts[i]->key, key))
			return c->hosts[i];
	if (c->nhosts == c->hcap) {
		size_t nc = c->hcap ? c->hcap * 2 : 16;
		struct fo__host **n = realloc(c->hosts, nc * sizeof(*n));

		if (!n)
			return NULL;
		c->hosts = n;
		c->hcap = nc;
	}
	h = calloc(1, sizeof(*h));
	if (!h || !(h->key = strdup(key))) {
		free(h);
		return NULL;
	}
	if (c->o->rate_per_host > 0)
		h->interval = (int64_t)(1e9 / c->o->rate_per_host);
	c->hosts[c->nhosts++] = h;
	return h;
}

/* Does one of the n patterns match url (--include, --exclude)? */
static bool any_match(regex_t *const *re, size_t n, const char *url)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (regexec(re[i], url, 0, NULL, 0) == 0)
			return true;
	return false;
}

static bool in_scope(struct fo_crawl *c, const char *url)
{
	size_t i;

	if (c->o->scope)
		return fo_url_in_scope(url, c->o->scope);
	for (i = 0; i < c->nscopes; i++)
		if (fo_url_in_scope(url, c->scopes[i]))
			return true;
	return false;
}

/* The ring: the hosts with a target queued, in the order they are served
 * (a singly linked list, head first; pick() moves a host it served to the
 * tail). A host joins at the tail when its queue stops being empty. */
static void ring_add(struct fo_crawl *c, struct fo__host *h)
{
	if (h->in_ring)
		return;
	h->in_ring = true;
	h->rnext = NULL;
	if (c->ring_tail)
		c->ring_tail->rnext = h;
	else
		c->ring_head = h;
	c->ring_tail = h;
}

/* Takes h, which follows prev (NULL: h is the head), out of the ring. */
static void ring_remove(struct fo_crawl *c, struct fo__host *prev, struct fo__host *h)
{
	if (prev)
		prev->rnext = h->rnext;
	else
		c->ring_head = h->rnext;
	if (c->ring_tail == h)
		c->ring_tail = prev;
	h->rnext = NULL;
	h->in_ring = false;
}

static void enqueue(struct fo_crawl *c, struct fo_target *t)
{
	struct fo__host *h = t->host;

	ring_add(c, h);
	t->state = FO_T_QUEUED;
	t->hnext = NULL;
	if (h->qtail)
		h->qtail->hnext = t;
	else
		h->qhead = t;
	h->qtail = t;
	h->qlen++;
	c->queued++;
}

/*
 * Whether a new target in scope is crawled, or only checked: not past
 * --max-depth, nor once --max-pages pages have been crawled (STYLE 20: a
 * calendar that links the next day for ever ends). Either is counted, for
 * the report to say so. Pages already queued when the page cap is reached
 * are fetched, but their links are not added (worker()).
 */
static bool crawl_allowed(struct fo_crawl *c, const struct fo_target *t)
{
	if (t->depth > (uint32_t)c->o->max_depth) {
		c->st.depth_capped++;
		return false;
	}
	if (c->st.pages >= c->o->max_pages) {
		c->st.pages_capped++;
		return false;
	}
	return true;
}

/* A new target for url, found from page from (NULL: a start), in the
 * table and the map; NULL without memory. */
static struct fo_target *new_target(struct fo_crawl *c, const char *url, const struct fo_target *from)
{
	struct fo_target *t;
	size_t j;

	if ((c->nt + 1) * 2 > c->mapcap && map_grow(c) < 0)
		return NULL;
	if (c->nt == c->tcap) {
		size_t nc = c->tcap ? c->tcap * 2 : 1024;
		struct fo_target **n = realloc(c->t, nc * sizeof(*n));

		if (!n)
			return NULL;
		c->t = n;
		c->tcap = nc;
	}
	t = calloc(1, sizeof(*t));
	if (!t || !(t->url = strdup(url)) || !(t->host = host_of(c, url))) {
		if (t)
			free(t->url);
		free(t);
		return NULL;
	}
	t->id = (uint32_t)c->nt;
	t->depth = from ? from->depth + 1 : 0;
	c->t[c->nt++] = t;
	for (j = fo__fnv1a(url) & (c->mapcap - 1); c->map[j]; j = (j + 1) & (c->mapcap - 1))
		;
	c->map[j] = t;
	c->st.targets++;
	return t;
}

/* What becomes of a new target: excluded, left unchecked (outside, and
 * --no-external), fine from the cache, or queued (a page to crawl when
 * inside the scope and the caps allow). */
static void classify(struct fo_crawl *c, struct fo_target *t)
{
	const char *url = t->url;
	bool inside;
	int st;

	if (any_match(c->o->exclude, c->o->nexclude, url) ||
	    (c->o->ninclude && !any_match(c->o->include, c->o->ninclude, url))) {
		t->state = FO_T_DONE;
		t->result = FO_TR_SKIPPED;
		t->reason = strdup("excluded (--include/--exclude)");
		c->st.excluded++;
		return;
	}
	inside = in_scope(c, url);
	t->page = inside && crawl_allowed(c, t);
	if (!t->page && !inside && !c->o->check_external) {
		t->state = FO_T_DONE;
		t->result = FO_TR_UNCHECKED;
	} else if (!inside && c->cache && fo_lcache_get(c->cache, url, &st, &t->cached_at)) {
		/* fine when last asked, recently enough: not asked again (no
		 * anchors: a fragment link gets a GET) */
		t->state = FO_T_DONE;
		t->result = FO_TR_OK;
		t->status = st;
		t->cached = true;
		t->headed = true;
		c->st.cached++;
		c->done++;
	} else {
		enqueue(c, t);
	}
}

/* A link to t with a fragment: t's anchors are wanted. A target already
 * checked with a HEAD (no anchors) is asked once more with a GET, or the
 * fragment would pass unchecked (still running: a worker does it). */
static void want_anchors(struct fo_crawl *c, struct fo_target *t)
{
	t->want_anchors = true;
	if (t->state == FO_T_DONE && t->headed && t->result == FO_TR_OK) {
		t->headed = false;
		if (t->cached)
			c->st.cached--;
		t->cached = false;
		c->done--;
		enqueue(c, t);
	}
}

/*
 * The target for url, made and queued when new; a reference from page
 * (id, line, tag, fragment) is added. Returns NULL without memory.
 */
static struct fo_target *add_link(struct fo_crawl *c, const char *url, const struct fo_target *from,
				  uint32_t line, const char *tag, const char *frag)
{
	static char idx[FO_URL_MAX + 16]; /* under c->lock */
	struct fo_target *t;
	size_t ul = strlen(url);

	/* a local folder is its index.html: one target, not two (but for a
	 * Markdown page, which links to a folder as a folder) */
	if (!strncmp(url, "file:", 5) && !(from && from->markdown) && ul && url[ul - 1] == '/' && ul + 11 < sizeof(idx)) {
		memcpy(idx, url, ul);
		memcpy(idx + ul, "index.html", 11);
		url = idx;
	}
	t = lookup(c, url);
	if (!t) {
		if (!(t = new_target(c, url, from)))
			return NULL;
		classify(c, t);
	}
	if (from && from->markdown)
		t->folder_ok = true;
	if (frag && *frag && !t->want_anchors)
		want_anchors(c, t);
	if (from) {
		struct fo_ref *r = calloc(1, sizeof(*r));

		if (!r)
			return NULL;
		r->page = from->id;
		r->line = line;
		r->tag = tag;
		r->frag = frag && *frag ? strdup(frag) : NULL;
		r->next = t->refs;
		t->refs = r;
		c->st.links++;
	}
	return t;
}

/* Wakes up to n idle workers (caller holds the lock). */
static void wake(struct fo_crawl *c, size_t n)
{
	int i;
	uint64_t one = 1;

	for (i = 0; i < c->nworkers && n; i++) {
		if (!c->idle[i])
			continue;
		c->idle[i] = false;
		if (write(c->wake_fds[i], &one, sizeof(one)) < 0) {
			/* already signalled */
		}
		n--;
	}
}

enum { PICK_TARGET, PICK_ROBOTS, PICK_WAIT, PICK_DONE };

/*
 * The next thing for a worker to do; *until: how long to wait if nothing.
 *
 * Round robin over the hosts with something queued: the first host of the
 * ring that may be asked now gives its oldest target and goes to the
 * ring's tail (or leaves it, its queue empty), so every host with work
 * gets one request in turn, each within its own limits (--max-per-host,
 * --rate, Crawl-delay, Retry-After). A host that may not be asked now
 * keeps its place near the head, first in line when it may again. Costs
 * O(hosts with something queued) a pick, not O(hosts seen), and one
 * request a turn: a site's FIFO of thousands of pages no longer holds back
 * the one link to another host found behind them (issue 14).
 */
static int pick(struct fo_crawl *c, struct fo_target **out, struct fo__host **hout, int64_t *until)
{
	int64_t now = fo_now(), soonest = FO_NEVER;
	struct fo__host *h, *prev = NULL;

	for (h = c->ring_head; h; prev = h, h = h->rnext) {
		struct fo_target *t = h->qhead;

		if (h->active >= c->o->max_per_host)
			continue;
		if (h->next_at > now) {
			if (h->next_at < soonest)
				soonest = h->next_at;
			continue;
		}
		if (c->o->robots && t->page && h->robots_state != 2) {
			if (h->robots_state == 1)
				continue; /* another worker is fetching it */
			h->robots_state = 1;
			h->active++;
			c->running++;
			*hout = h;
			return PICK_ROBOTS;
		}
		h->qhead = t->hnext;
		if (!h->qhead)
			h->qtail = NULL;
		h->qlen--;
		c->queued--;
		ring_remove(c, prev, h);
		if (h->qhead)
			ring_add(c, h);
		h->active++;
		c->running++;
		if (h->interval)
			h->next_at = now + h->interval;
		t->state = FO_T_RUNNING;
		*out = t;
		return PICK_TARGET;
	}
	if (c->queued == 0 && c->running == 0)
		return PICK_DONE;
	*until = soonest;
	return PICK_WAIT;
}

/* ---- libcurl ------------------------------------------------------------------------- */

static void share_lock(CURL *e, curl_lock_data d, curl_lock_access a, void *arg)
{
	struct fo_crawl *c = arg;

	(void)e, (void)a;
	pthread_mutex_lock(&c->share_locks[d & 7]);
}

static void share_unlock(CURL *e, curl_lock_data d, void *arg)
{
	struct fo_crawl *c = arg;

	(void)e;
	pthread_mutex_unlock(&c->share_locks[d & 7]);
}

/* What a fetch collects: the body's links and anchors (pages), its size. */
struct fetch {
	struct fo_crawl *c;
	struct fo_target *t;
	struct fo_extract xs;
	struct fo_extract *x;     /* &xs while parsing, else NULL */
	bool checked_type, is_html, want_links, over;
	bool enough;              /* we stopped reading a body we do not need */
	bool redirect;            /* this hop's body is a redirect's: not read */
	bool interrupted;         /* the request was cut by Ctrl-C */
	size_t bytes;
	size_t hints;             /* <link rel=preconnect|dns-prefetch> skipped */
	/* links found: raw, with line and tag */
	struct raw { char *url; uint32_t line, col; const char *tag; } *raw;
	size_t nraw, rawcap;
	char *base;               /* <base href>, raw */
	struct fo_sbuf anchors;   /* "\0"-separated ids and names */
	char *md_note;            /* a Markdown file not read whole: why */
	CURL *e;
};

/*
 * Is a rel only connection hints ("preconnect", "dns-prefetch", any case,
 * any order)? Their href is an origin to warm up, not a resource: a
 * server's root may well answer 404 while the site is fine. preload and
 * prefetch name real resources and are checked.
 */
static bool only_hints(const char *rel)
{
	const char *p = rel;
	bool any = false;

	while (p && *p) {
		size_t n;

		p += strspn(p, " \t\n\f\r");
		if (!(n = strcspn(p, " \t\n\f\r")))
			break;
		if (!((n == 10 && !strncasecmp(p, "preconnect", n)) || (n == 12 && !strncasecmp(p, "dns-prefetch", n))))
			return false;
		any = true;
		p += n;
	}
	return any;
}

static void on_link(struct fetch *f, const struct fo_link *l)
{
	/* the extractor stops the page at max_links, with a note (worker) */
	if (!f->want_links)
		return;
	if (l->kind == FO_LINK_LINK_HREF && l->rel && only_hints(l->rel)) {
		f->hints++;
		return;
	}
	if (f->nraw == f->rawcap) {
		size_t nc = f->rawcap ? f->rawcap * 2 : 64;
		struct raw *n = realloc(f->raw, nc * sizeof(*n));

		if (!n)
			return;
		f->raw = n;
		f->rawcap = nc;
	}
	f->raw[f->nraw].url = strndup(l->value, l->len);
	if (!f->raw[f->nraw].url)
		return;
	f->raw[f->nraw].line = (uint32_t)l->line;
	f->raw[f->nraw].col = (uint32_t)l->col;
	f->raw[f->nraw].tag = fo_link_kind_name(l->kind); /* static */
	f->nraw++;
}

static void on_anchor(struct fetch *f, const char *name, size_t len)
{
	fo_sbuf_add(&f->anchors, name, len);
	fo_sbuf_add(&f->anchors, "", 1); /* each name NUL-terminated */
}

static int on_found(void *arg, const struct fo_link *l)
{
	struct fetch *f = arg;

	if (fo_link_is_anchor(l->kind))
		on_anchor(f, l->value, l->len);
	else if (l->kind == FO_LINK_BASE_HREF) {
		if (!f->base)
			f->base = strndup(l->value, l->len);
	} else {
		on_link(f, l);
	}
	return 0;
}

/* Starts the extractor on f's page; charset is the HTTP header's (NULL:
 * the page's own, else libxml2's default, Latin-1). */
static void extract_start(struct fetch *f, const char *charset)
{
	const struct fo_crawl_opts *o = f->c->o;
	struct fo_extract_opts xo = { .fn = on_found, .arg = f, .max_bytes = o->max_page,
				      .max_links = o->max_links, .max_anchors = o->max_links,
				      .charset = charset };

	if (fo_extract_init(&f->xs, &xo) == 0)
		f->x = &f->xs;
}

/*
 * The charset parameter of a Content-Type ("text/html; charset=iso-8859-1",
 * quoted or not) into buf; NULL when there is none. libxml2 then reads the
 * page in it: the HTML standard puts the header's charset before a meta
 * charset of the page (a BOM before both).
 */
static const char *content_charset(const char *ct, char *buf, size_t len)
{
	const char *p = ct ? strcasestr(ct, "charset=") : NULL;
	size_t n = 0;

	if (!p)
		return NULL;
	p += 8;
	if (*p == '"' || *p == '\'')
		p++;
	while (p[n] && p[n] != ';' && p[n] != '"' && p[n] != '\'' && p[n] != ' ' && n + 1 < len) {
		buf[n] = p[n];
		n++;
	}
	buf[n] = 0;
	return n ? buf : NULL;
}

/* Is the response being received a redirect that request() will follow? */
static bool is_redirect(CURL *e)
{
	long code = 0;
	char *loc = NULL;

	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(e, CURLINFO_REDIRECT_URL, &loc);
	return code >= 300 && code < 400 && code != 304 && loc;
}

/* The body of a redirect: read (so the connection stays usable) up to 64 KB. */
static size_t redirect_body(size_t *bytes, size_t len)
{
	*bytes += len;
	return *bytes > 65536 ? 0 : len;
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct fetch *f = arg;
	size_t len = size * n;

	if (!f->checked_type) {
		char *ct = NULL, cs[64];

		f->checked_type = true;
		f->redirect = is_redirect(f->e);
		curl_easy_getinfo(f->e, CURLINFO_CONTENT_TYPE, &ct);
		/* no type: by the name */
		f->is_html = !f->redirect && (ct ? strstr(ct, "text/html") || strstr(ct, "application/xhtml")
						 : strstr(f->t->url, ".htm") || f->t->url[strlen(f->t->url) - 1] == '/');
		if (f->is_html && (f->want_links || f->t->want_anchors))
			extract_start(f, content_charset(ct, cs, sizeof(cs)));
	}
	if (f->redirect)
		return redirect_body(&f->bytes, len);
	f->bytes += len;
	if (f->x && !f->over && fo_extract_feed(f->x, p, len) != 0)
		f->over = true; /* past max_page (or the parser's limits) */
	if (f->over) {
		f->enough = true;
		return 0; /* the rest is not parsed, so not read either */
	}
	if (!f->x && f->bytes > 65536) {
		f->enough = true;
		return 0; /* a body we do not parse: its status is all we need */
	}
	return len;
}

/* Where the -H headers and cookies may go (STYLE 21): the origins of the
 * starts and of --scope, or everywhere with --header-all-hosts. */
static bool creds_for(const struct fo_crawl *c, const char *url)
{
	char key[FO_URL_MAX + 2];
	size_t i;

	if (c->o->creds_all_hosts)
		return true;
	if (fo_url_host_key(url, key, sizeof(key)) < 0)
		return false;
	for (i = 0; i < c->norigins; i++)
		if (!strcmp(c->origins[i], key))
			return true;
	return false;
}

/*
 * A worker's libcurl handles: one for the hops that carry the -H headers
 * and cookies, one for those that do not. Two, because a handle that was
 * once given a cookie file keeps its cookie engine on through
 * curl_easy_reset (7.88), and would send the shared cookies that match a
 * host's name (not its port) to any later hop; the plain handle never
 * turns it on, so the share's cookies never leave with it.
 */
struct curls {
	CURL *creds, *plain;
	struct curl_slist *hdrs; /* the -H headers */
	bool cookie_file;        /* creds was given --cookies FILE */
};

/* What request() asks: the URL, HEAD or GET, where the body goes. */
struct req {
	const char *url;
	bool head;
	curl_write_callback write; /* NULL: the body is not asked for (HEAD) */
	void *arg;
	void (*hop)(void *arg, CURL *e, const char *url); /* before each hop: per-hop state */
	curl_off_t max_size;                      /* 0: none */
};

/* A body not asked for (HEAD; none comes) goes nowhere. */
static size_t discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p, (void)arg;
	return size * n;
}

/*
 * One hop of a request on e, with or without the credentials. Redirects
 * are not followed by curl (request() does it, deciding the credentials
 * hop by hop); left is what remains of the whole request's timeout. Every
 * option used anywhere is set here each time, without curl_easy_reset:
 * libcurl 7.88 leaks the cookie file list a reset drops, and the cookie
 * file is given to a handle once (its cookie engine then stays on; the
 * cookies live in the share).
 */
static void easy_setup(struct fo_crawl *c, struct curls *k, CURL *e, const char *url, const struct req *q,
		       int hop, int64_t left)
{
	const struct fo_crawl_opts *o = c->o;
	bool creds = e == k->creds;

	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(left / FO_MSEC > 0 ? left / FO_MSEC : 1));
	/* a local file may start a crawl; a redirect goes to http(s) only */
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, hop ? "http,https" : "http,https,file");
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, creds ? k->hdrs : NULL);
	/* cookies only when asked for, as LinkChecker and lychee do */
	curl_easy_setopt(e, CURLOPT_COOKIE, creds && o->cookies && strchr(o->cookies, '=') ? o->cookies : NULL);
	if (creds && o->cookies && !strchr(o->cookies, '=') && !k->cookie_file) {
		curl_easy_setopt(e, CURLOPT_COOKIEFILE, o->cookies);
		k->cookie_file = true;
	}
	if (q->head)
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	else
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, q->write ? q->write : discard);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, q->arg);
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, q->max_size);
}

/* The options that do not change between requests, once per handle. */
static void easy_init(struct fo_crawl *c, CURL *e)
{
	const struct fo_crawl_opts *o = c->o;

	curl_easy_setopt(e, CURLOPT_SHARE, (CURLSH *)c->share);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, o->user_agent);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)(o->connect_timeout / FO_MSEC));
	if (o->insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
}

/* The outcome of one request. */
struct outcome {
	CURLcode cc;
	long status;
	long redirects;
	curl_off_t retry_after;
	char final[2048];
	char err[CURL_ERROR_SIZE];
};

static void perform(struct fo_crawl *c, CURL *e, int64_t deadline, struct outcome *r)
{
	r->err[0] = 0;
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->err);
	r->cc = fo_curl_perform(e, deadline + FO_SEC);
	r->status = 0;
	r->retry_after = 0;
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(e, CURLINFO_RETRY_AFTER, &r->retry_after);
	pthread_mutex_lock(&c->lock);
	c->st.requests++;
	pthread_mutex_unlock(&c->lock);
}

/*
 * One request and its redirects, followed here hop by hop rather than by
 * curl's FOLLOWLOCATION, so that whether the -H headers and cookies go
 * along is decided for each hop's own URL: a redirect from a host in scope
 * to another does not carry them (curl 7.88 keeps only Authorization and
 * Cookie headers to the first host; X-Api-Key and the like would follow).
 * Costs a multi handle per hop, as per request. r->final is where it ended.
 */
static void request(struct fo_crawl *c, struct curls *k, const struct req *q, struct outcome *r)
{
	int64_t deadline = fo_now() + c->o->timeout;
	long hop;

	snprintf(r->final, sizeof(r->final), "%s", q->url);
	for (hop = 0;; hop++) {
		char *loc = NULL;
		bool creds = creds_for(c, r->final), more;
		CURL *e = creds ? k->creds : k->plain;

		easy_setup(c, k, e, r->final, q, (int)hop, deadline - fo_now());
		if (q->hop)
			q->hop(q->arg, e, r->final);
		perform(c, e, deadline, r);
		curl_easy_getinfo(e, CURLINFO_REDIRECT_URL, &loc);
		/* a 304 is an answer to a conditional request, not a redirect,
		 * whatever Location it carries (browsers and curl agree) */
		more = r->status >= 300 && r->status < 400 && r->status != 304 && loc;
		if (more && r->cc == CURLE_WRITE_ERROR)
			r->cc = CURLE_OK; /* we stopped reading a long redirect body */
		if (r->cc != CURLE_OK || !more)
			break;
		if (hop == c->o->max_redirects) {
			r->cc = CURLE_TOO_MANY_REDIRECTS;
			break;
		}
		if (strncasecmp(loc, "http://", 7) && strncasecmp(loc, "https://", 8)) {
			r->cc = CURLE_UNSUPPORTED_PROTOCOL;
			snprintf(r->err, sizeof(r->err), "a redirect to '%.200s': only http and https are followed", loc);
			break;
		}
		if (strlen(loc) >= sizeof(r->final)) {
			r->cc = CURLE_URL_MALFORMAT;
			snprintf(r->err, sizeof(r->err), "a redirect to a URL longer than %zu bytes", sizeof(r->final) - 1);
			break;
		}
		snprintf(r->final, sizeof(r->final), "%s", loc);
	}
	r->redirects = hop;
}

/* The page's anchors move from the fetch to its target. */
static void take_anchors(struct fo_target *t, struct fetch *f)
{
	free(t->anchors);
	t->anchors = f->anchors.p;
	t->anchors_len = f->anchors.len;
	f->anchors.p = NULL;
}

static const char *root_of(const struct fo_crawl *c, const char *url);

/*
 * The path to open for a file of a local site: path with its symbolic
 * links resolved, into real, when that lies within the root folder; else
 * -EPERM with err saying so (a link in the site must not read what the
 * site does not hold: STYLE 18). A path that does not exist is given back
 * as it is, for open() to fail on. The resolved path is what is opened.
 */
static int in_root(const char *root, const char *path, char *real, size_t len, char *err, size_t errlen)
{
	char rpath[FO_URL_MAX + 16], *r;
	size_t n;

	if (fo_url_to_path(root, rpath, sizeof(rpath), err, errlen) < 0)
		return -EINVAL;
	n = strlen(rpath) - strlen("index.html"); /* the root ends in "/" */
	rpath[n] = 0;
	if (!(r = realpath(path, NULL))) {
		snprintf(real, len, "%s", path);
		return 0;
	}
	if (strncmp(r, rpath, n) || strlen(r) >= len) {
		snprintf(err, errlen, "'%.200s' leads out of the site's root '%.200s' (a symbolic link to '%.200s'): not read",
			 path, rpath, r);
		free(r);
		return -EPERM;
	}
	snprintf(real, len, "%s", r);
	free(r);
	return 0;
}

/* A folder a Markdown page links to ("docs/", "../src"): fine when it is
 * one. path is its index.html (fo_url_to_path), which is not looked at. */
static void fetch_folder(struct fo_target *t, char *path)
{
	size_t n = strlen(path);
	struct stat st;

	if (n > 10 && !strcmp(path + n - 10, "index.html"))
		path[n - 10] = 0;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		t->result = FO_TR_OK;
		t->status = 200;
		return;
	}
	t->result = FO_TR_BROKEN;
	t->reason = fmt("no folder '%s'", path);
}

static const char *size_text(size_t n, char *buf, size_t len);

/* A local Markdown file (markdown.h): read whole, as md4c wants it (up to
 * --max-page), when its links or its headings' ids are wanted; those come
 * through on_found as an HTML page's do. */
static void fetch_markdown(struct fo_crawl *c, struct fo_target *t, struct fetch *f, int fd)
{
	const struct fo_crawl_opts *o = c->o;
	struct fo_md_opts mo = { .fn = on_found, .arg = f, .max_bytes = o->max_page, .max_links = o->max_links,
				 .max_anchors = o->max_links };
	struct fo_md md;
	char sz[32];
	int e;

	t->markdown = true;
	f->checked_type = f->is_html = true;
	if (f->want_links || t->want_anchors) {
		if ((e = fo_md_extract_fd(&md, &mo, fd)) < 0 && e != -ENOMEM) {
			t->result = FO_TR_BROKEN;
			t->reason = fmt("cannot read it: %s", strerror(-e));
			return;
		}
		f->bytes = md.bytes;
		if (md.too_big)
			f->md_note = fmt("not all checked: the file is over --max-page %s",
					 size_text(o->max_page, sz, sizeof(sz)));
		else if (md.too_many)
			f->md_note = fmt("not all checked: %s (--max-links %zu)", md.why, o->max_links);
	}
	t->result = FO_TR_OK;
	t->status = 200;
	t->html = true;
	take_anchors(t, f);
}

/* A local file (file:// URL): read here, no libcurl. Folders are their
 * index.html (but for a Markdown page's links: fetch_folder). */
static void fetch_file(struct fo_crawl *c, struct fo_target *t, struct fetch *f)
{
	char path[FO_URL_MAX + 2], real[FO_URL_MAX + 2], err[800], buf[65536];
	int k = fo_url_to_path(t->url, path, sizeof(path), err, sizeof(err)), fd;
	const char *root = root_of(c, t->url);
	ssize_t n;

	if (k >= 0 && root && in_root(root, path, real, sizeof(real), err, sizeof(err)) < 0)
		k = -EPERM;
	if (k < 0) {
		t->result = FO_TR_BROKEN;
		t->reason = strdup(err);
		return;
	}
	if (t->folder_ok && (k == FO_URL_DIR || t->url[strlen(t->url) - 1] == '/')) {
		fetch_folder(t, path);
		return;
	}
	if (k == FO_URL_DIR)
		t->final_url = fmt("%s/", t->url); /* as a web server redirects */
	fd = open(root ? real : path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		t->result = FO_TR_BROKEN;
		t->reason = fmt("cannot open '%s': %s", path, strerror(errno));
		return;
	}
	if (fo_md_is_markdown(path)) {
		fetch_markdown(c, t, f, fd);
		close(fd);
		return;
	}
	f->checked_type = true;
	f->is_html = strstr(path, ".htm") != NULL;
	if (f->is_html && (f->want_links || t->want_anchors))
		extract_start(f, NULL);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		f->bytes += (size_t)n;
		if (!f->x || fo_extract_feed(f->x, buf, (size_t)n) != 0)
			break;
	}
	close(fd);
	if (f->x)
		fo_extract_end(f->x);
	t->result = FO_TR_OK;
	t->status = 200;
	t->html = f->is_html;
	take_anchors(t, f);
}

/* Before each hop of a fetch: its body is looked at afresh, and a page is
 * crawled only where it is in scope (a link that redirects off-site lands
 * on a page that is checked, not crawled). */
static void fetch_hop(void *arg, CURL *e, const char *url)
{
	struct fetch *f = arg;

	f->e = e;
	f->checked_type = false;
	f->redirect = false;
	f->want_links = f->t->page && in_scope(f->c, url);
}

/* A 429 or 503: > 0 to ask again after that many ns, else 0 (the link
 * ends with its status; a Retry-After over --max-retry-wait is noted). */
static int64_t retry_wait(struct fo_crawl *c, struct fo_target *t, const struct outcome *r)
{
	int64_t bound = c->o->max_retry_wait, wait;

	if (r->retry_after > 0 && (r->retry_after > INT64_MAX / FO_SEC || r->retry_after * FO_SEC > bound)) {
		char d[32];

		t->reason = fmt("HTTP %ld (the server asked for a wait of %lld s; --max-retry-wait is %s)",
				r->status, (long long)r->retry_after, fo_duration_format(bound, d, sizeof(d)));
		return 0;
	}
	if (t->attempts >= c->o->retries)
		return 0;
	wait = r->retry_after > 0 ? (int64_t)r->retry_after * FO_SEC
				  : (t->attempts < 30 ? FO_SEC << t->attempts : bound);
	t->attempts++;
	return wait > bound ? bound : wait > 0 ? wait : 1;
}

/* Is an HTTP status fine: in --accept's ranges, else below 400? */
static bool accepted(const struct fo_crawl *c, long status)
{
	size_t i;

	if (!c->o->naccept)
		return status < 400;
	for (i = 0; i < c->o->naccept; i++)
		if (status >= c->o->accept[i].lo && status <= c->o->accept[i].hi)
			return true;
	return false;
}

/* t's result and reason from the outcome of its last request. */
static void settle(struct fo_crawl *c, struct fo_target *t, const struct outcome *r)
{
	if (r->cc == CURLE_OK && accepted(c, r->status)) {
		t->result = FO_TR_OK;
		return;
	}
	t->result = FO_TR_BROKEN;
	if (t->reason)
		return; /* retry_wait's */
	if (r->cc == CURLE_OK)
		t->reason = r->redirects ? fmt("HTTP %ld after %ld redirect%s (%s)", r->status, r->redirects,
					       r->redirects > 1 ? "s" : "", r->final)
					 : fmt("HTTP %ld", r->status);
	else if (r->cc == CURLE_OPERATION_TIMEDOUT)
		t->reason = fmt("timed out after %.3gs", (double)c->o->timeout / 1e9);
	else if (r->cc == CURLE_TOO_MANY_REDIRECTS)
		t->reason = fmt("more than %d redirects (a loop?)", c->o->max_redirects);
	else
		t->reason = fmt("%s", r->err[0] ? r->err : curl_easy_strerror(r->cc));
}

/* Did HEAD say no where a GET may say yes? Many servers answer HEAD
 * wrongly (not after a timeout: that would only double the wait). */
static bool head_refused(const struct fo_crawl *c, const struct outcome *r)
{
	return (r->cc == CURLE_OK && !accepted(c, r->status) && r->status != 429) ||
	       (r->cc != CURLE_OK && r->cc != CURLE_OPERATION_TIMEDOUT && r->cc != CURLE_COULDNT_CONNECT &&
		r->cc != CURLE_COULDNT_RESOLVE_HOST && r->cc != CURLE_TOO_MANY_REDIRECTS &&
		r->cc != CURLE_ABORTED_BY_CALLBACK);
}

/* Fetches t; fills its result. Returns > 0 to retry after that many ns. */
static int64_t fetch_target(struct fo_crawl *c, struct curls *k, struct fo_target *t, struct fetch *f)
{
	struct outcome r;
	struct req q = { .url = t->url, .arg = f, .hop = fetch_hop };
	bool fell_back = false;
	int64_t t0 = fo_now();

	memset(f, 0, sizeof(*f));
	f->c = c;
	f->t = t;
	f->want_links = t->page;
	pthread_mutex_lock(&c->lock);
	q.head = !t->page && !t->want_anchors && !t->host->head_bad;
	pthread_mutex_unlock(&c->lock);
	if (!strncmp(t->url, "file:", 5)) {
		fetch_file(c, t, f);
		t->ms = (fo_now() - t0) / FO_MSEC;
		return 0;
	}
again:
	q.write = q.head ? NULL : on_body;
	request(c, k, &q, &r);
	t->headed = q.head;
	if (q.head) {
		if (head_refused(c, &r)) {
			q.head = false;
			fell_back = true;
			goto again;
		}
	}
	if (fell_back && (r.cc == CURLE_OK || (r.cc == CURLE_WRITE_ERROR && f->enough)) && accepted(c, r.status)) {
		/* HEAD lied here: ask this host with GET from now on */
		pthread_mutex_lock(&c->lock);
		t->host->head_bad = true;
		pthread_mutex_unlock(&c->lock);
	}
	if (f->x)
		fo_extract_end(f->x);
	t->ms = (fo_now() - t0) / FO_MSEC;
	t->status = (int)r.status;
	t->redirects = (int)r.redirects;
	free(t->final_url);
	t->final_url = r.redirects && r.final[0] && strcmp(r.final, t->url) ? strdup(r.final) : NULL;
	t->html = f->is_html;
	if (f->anchors.p)
		take_anchors(t, f);
	if (r.cc == CURLE_WRITE_ERROR && f->enough)
		r.cc = CURLE_OK; /* we stopped it ourselves */
	if (r.cc == CURLE_ABORTED_BY_CALLBACK) {
		/* Ctrl-C: not checked, which is not broken */
		t->result = FO_TR_SKIPPED;
		t->interrupted = f->interrupted = true;
		return 0;
	}
	free(t->reason);
	t->reason = NULL;
	if ((r.status == 429 || r.status == 503) && !accepted(c, r.status)) {
		int64_t wait = retry_wait(c, t, &r);

		if (wait > 0)
			return wait;
	}
	if ((r.cc == CURLE_RECV_ERROR || r.cc == CURLE_GOT_NOTHING || r.cc == CURLE_SEND_ERROR) &&
	    t->attempts < c->o->retries && t->attempts < 1) {
		t->attempts++;
		return 100 * FO_MSEC; /* a reset: once more, soon */
	}
	settle(c, t, &r);
	return 0;
}

/* ---- local sites: a folder as the site it will be served as ---------------------------- */

/* A host that never resolves (RFC 6761 .invalid): the site a local folder
 * is read as when --base does not say where it will be served. */
#define VIRTUAL_BASE "https://fanout-root.invalid/"

/*
 * The root folder (a file URL ending in "/") of a local page: --root-dir,
 * else the folder of the local start it lies under — the outermost, so
 * that `fanout links README.md docs/` is one repository whose root is
 * README.md's folder, and docs/a.md's "../README.md" reaches it; NULL for
 * http pages and for files outside every root.
 */
static const char *root_of(const struct fo_crawl *c, const char *url)
{
	const char *best = NULL;
	size_t i;

	if (strncmp(url, "file:", 5))
		return NULL;
	if (c->o->root_dir)
		return fo_url_in_scope(url, c->o->root_dir) ? c->o->root_dir : NULL;
	for (i = 0; i < c->nscopes; i++)
		if (!strncmp(c->scopes[i], "file:", 5) && fo_url_in_scope(url, c->scopes[i]) &&
		    (!best || strlen(c->scopes[i]) < strlen(best)))
			best = c->scopes[i];
	return best;
}

static const char *site_base(const struct fo_crawl *c)
{
	return c->o->site_base ? c->o->site_base : VIRTUAL_BASE;
}

/*
 * A link resolved on a page of a local site, as a browser resolves it on
 * the served site: against the page's web URL (its place under the root,
 * moved to the site's base), so "/x" is the root's x and ".." stops at
 * the root as it stops at a host's "/" (dot segments, "%2e%2e" too, are
 * removed by url.c); what lands under the base comes back as a file URL
 * under the root. A file URL outside the root (a "file:" link) is refused
 * as -EPERM, with err saying so. Returns the kind, as fo_url_resolve.
 */
static int resolve_in_site(const struct fo_crawl *c, const char *root, const char *base, const char *ref,
			   char *abs, size_t len, char *err, size_t errlen)
{
	static char file[2 * FO_URL_MAX + 8]; /* under c->lock */
	const char *frag, *b = site_base(c);
	int k = fo_url_resolve(base, ref, abs, len, &frag, err, errlen), k2;

	if (k == FO_URL_FILE && !fo_url_in_scope(abs, root)) {
		snprintf(err, errlen, "'%.200s' is outside the site's root '%.200s' (--root-dir): not read", abs, root);
		return -EPERM;
	}
	if ((k != FO_URL_HTTP && k != FO_URL_SAME_PAGE) || !fo_url_in_scope(abs, b))
		return k;
	snprintf(file, sizeof(file), "%s%s", root, abs + strlen(b));
	k2 = fo_url_resolve(NULL, file, abs, len, &frag, err, errlen);
	return k2 == FO_URL_FILE ? (k == FO_URL_SAME_PAGE ? k : k2) : k2 < 0 ? k2 : -EINVAL;
}

/* The web URL of a local page under root (its path moved to the site's
 * base) into out, for its links to resolve against. */
static void web_url(const struct fo_crawl *c, const char *root, const char *url, char *out, size_t len)
{
	snprintf(out, len, "%s%s", site_base(c), url + strlen(root));
}

/* A link that cannot be checked (does not parse, leaves the root): a
 * broken target of its own, keyed by the link as written (no canonical
 * URL equals one: those parse), so that it is reported, counted and makes
 * the exit status 1. Caller holds the lock. */
static void add_malformed(struct fo_crawl *c, const struct fo_target *from, const char *link, uint32_t line,
			  const char *tag, const char *why)
{
	static char key[FO_URL_MAX + 8]; /* under c->lock */
	struct fo_target *t;
	struct fo_ref *r;

	snprintf(key, sizeof(key), "%s", link);
	if (!(t = lookup(c, key))) {
		if (!(t = new_target(c, key, from)))
			return;
		t->state = FO_T_DONE;
		t->result = FO_TR_BROKEN;
		t->reason = strdup(why);
		c->st.broken++;
		c->st.malformed++;
	}
	if (!(r = calloc(1, sizeof(*r))))
		return;
	r->page = from->id;
	r->line = line;
	r->tag = tag;
	r->next = t->refs;
	t->refs = r;
	c->st.links++;
}

/*
 * The fragment of a link as written (fo_url_fragment: raw, as HTML first
 * looks it up) into buf, without a text directive (":~:text=...", which
 * names words, not an element: counted as skipped); NULL when none is left.
 */
static const char *link_frag(struct fo_crawl *c, const char *link, char *buf, size_t len)
{
	char *d;

	if (fo_url_fragment(link, buf, len) <= 0)
		return NULL;
	if ((d = strstr(buf, ":~:"))) {
		*d = 0;
		if (!*buf)
			c->st.skipped_text++;
	}
	return *buf ? buf : NULL;
}

/* Resolves f's links against where the page ended up, adds them. Caller
 * holds the lock. */
static size_t add_found(struct fo_crawl *c, struct fo_target *t, struct fetch *f)
{
	static char base[2 * FO_URL_MAX + 8], abs[2 * FO_URL_MAX + 8]; /* under c->lock */
	static char fr[3 * FO_URL_MAX + 8];
	char err[512];
	const char *frag, *page = t->final_url ? t->final_url : t->url, *root = root_of(c, page);
	size_t i, before = c->queued;
	int k;

	c->st.skipped_hints += f->hints;
	if (root)
		web_url(c, root, page, base, sizeof(base));
	else
		snprintf(base, sizeof(base), "%s", page);
	if (f->base) {
		/* <base href>, itself resolved against the page's URL */
		k = fo_url_resolve(base, f->base, abs, sizeof(abs), &frag, err, sizeof(err));
		if (k == FO_URL_HTTP || (k == FO_URL_FILE && (root || !strncmp(base, "file:", 5))))
			snprintf(base, sizeof(base), "%s", abs);
	}
	for (i = 0; i < f->nraw; i++) {
		const char *link = f->raw[i].url;

		struct fo_target *to = NULL;

		k = root ? resolve_in_site(c, root, base, link, abs, sizeof(abs), err, sizeof(err))
			 : fo_url_resolve(base, link, abs, sizeof(abs), &frag, err, sizeof(err));
		frag = k > 0 ? link_frag(c, link, fr, sizeof(fr)) : NULL;
		if (k == FO_URL_HTTP || k == FO_URL_FILE)
			to = add_link(c, abs, t, f->raw[i].line, f->raw[i].tag, frag);
		else if (k == FO_URL_SAME_PAGE) /* "#x": the base's document, this page unless <base> */
			to = add_link(c, f->base ? abs : t->url, t, f->raw[i].line, f->raw[i].tag, frag);
		else if (k == FO_URL_SKIPPED || k == FO_URL_UNSUPPORTED)
			c->st.skipped_scheme++;
		else if (k == -EPERM)
			add_malformed(c, t, abs, f->raw[i].line, f->raw[i].tag, err);
		else if (k != -ENOMEM)
			add_malformed(c, t, link, f->raw[i].line, f->raw[i].tag, err);
		if (to)
			to->refs->col = f->raw[i].col; /* the ref add_link just made */
	}
	return c->queued > before ? c->queued - before : 0;
}

static void fetch_free(struct fetch *f)
{
	size_t i;

	for (i = 0; i < f->nraw; i++)
		free(f->raw[i].url);
	free(f->raw);
	free(f->base);
	free(f->anchors.p);
	free(f->md_note);
	if (f->x)
		fo_extract_release(f->x);
}

/* robots.txt as it arrives: the final answer's body (a redirect's is not
 * kept), at most FO_ROBOTS_MAX bytes (CURLOPT_MAXFILESIZE and here). */
struct robots_body {
	CURL *e;
	struct fo_sbuf b;
	size_t skipped;
	bool checked, redirect;
};

static size_t on_robots(char *p, size_t size, size_t n, void *arg)
{
	struct robots_body *rb = arg;
	size_t len = size * n;

	if (!rb->checked) {
		rb->checked = true;
		rb->redirect = is_redirect(rb->e);
	}
	if (rb->redirect)
		return redirect_body(&rb->skipped, len);
	if (rb->b.len + len > FO_ROBOTS_MAX)
		return 0;
	fo_sbuf_add(&rb->b, p, len);
	return len;
}

static void robots_hop(void *arg, CURL *e, const char *url)
{
	struct robots_body *rb = arg;

	(void)url;
	rb->e = e;
	rb->checked = rb->redirect = false;
	rb->b.len = 0;
}

static void fetch_robots(struct fo_crawl *c, struct curls *k, struct fo__host *h)
{
	char url[600];
	struct outcome r;
	struct robots_body body = { 0 };
	struct req q = { .url = url, .write = on_robots, .arg = &body, .hop = robots_hop,
			 .max_size = (curl_off_t)FO_ROBOTS_MAX };
	struct fo_robots *rb = NULL;

	snprintf(url, sizeof(url), "%s/robots.txt", h->key);
	if (!strncmp(h->key, "http", 4)) {
		request(c, k, &q, &r);
		/* only a 2xx robots.txt has rules; 4xx: no rules; 5xx: RFC says assume
		 * all disallowed, we say allowed and note nothing (NEEDSWORK) */
		if (r.cc == CURLE_OK && r.status >= 200 && r.status < 300 && !body.b.oom)
			rb = fo_robots_parse(body.b.p ? body.b.p : "", body.b.len, "fanout");
		free(body.b.p);
	}
	pthread_mutex_lock(&c->lock);
	h->robots = rb;
	h->robots_state = 2;
	if (rb && fo_robots_delay(rb) > 0) {
		int64_t d = (int64_t)(fo_robots_delay(rb) * 1e9);

		if (d > h->interval)
			h->interval = d;
	}
	pthread_mutex_unlock(&c->lock);
}

static bool robots_forbid(struct fo_crawl *c, struct fo_target *t)
{
	const char *p;

	if (!c->o->robots || !t->page || !t->host->robots)
		return false;
	p = strstr(t->url, "://");
	p = p ? strchr(p + 3, '/') : NULL;
	return !fo_robots_allowed(t->host->robots, p ? p : "/");
}

/* "10M", "512K" or bytes: as --max-page is written. */
static const char *size_text(size_t n, char *buf, size_t len)
{
	if (n && n % (1u << 20) == 0)
		snprintf(buf, len, "%zuM", n >> 20);
	else if (n && n % 1024 == 0)
		snprintf(buf, len, "%zuK", n >> 10);
	else
		snprintf(buf, len, "%zu", n);
	return buf;
}

/* Why the extractor stopped reading t's page before its end, for the
 * report (nothing past a limit is dropped silently); NULL if it did not. */
static char *page_note(struct fo_crawl *c, const struct fetch *f)
{
	char sz[32];

	if (!f->x || !(f->x->too_many || f->x->too_big || f->x->too_complex))
		return NULL;
	if (f->x->too_big)
		return fmt("not all checked: the page is over --max-page %s", size_text(c->o->max_page, sz, sizeof(sz)));
	if (f->x->too_many)
		return fmt("not all checked: %s (--max-links %zu)",
			   f->x->nanchors >= c->o->max_links ? "too many ids and names" : "too many links",
			   c->o->max_links);
	return fmt("not all checked: %s", f->x->why ? f->x->why : "the page is too complex");
}

/* A target is done: its counts, its note, and its links added when it is
 * a page to crawl (in scope where it ended, within --max-pages). Caller
 * holds the lock. Returns how many targets were queued. */
static size_t finish(struct fo_crawl *c, struct fo_target *t, struct fetch *f)
{
	t->state = FO_T_DONE;
	c->done++;
	c->st.bytes += f->bytes;
	if (t->interrupted) {
		c->st.interrupted++;
		return 0;
	}
	if (t->result == FO_TR_BROKEN)
		c->st.broken++;
	if ((t->note = f->md_note ? f->md_note : page_note(c, f)))
		c->st.notes++;
	f->md_note = NULL;
	if (!t->page || !t->html || !f->want_links)
		return 0;
	if (c->st.pages >= c->o->max_pages) {
		c->st.pages_capped++;
		return 0;
	}
	c->st.pages++;
	return add_found(c, t, f);
}

/* ---- workers ------------------------------------------------------------------------------ */

struct wctx {
	struct fo_crawl *c;
};

static int curls_init(struct curls *k, struct fo_crawl *c)
{
	size_t i;

	memset(k, 0, sizeof(*k));
	k->creds = curl_easy_init();
	/* with no -H header and no cookie there is nothing to keep from any
	 * host: one handle does both (a second is about 9 KB a worker: the
	 * 2,000-page bench's peak went from 35.7 to 40.0 MiB with it) */
	k->plain = c->o->nheaders || c->o->cookies ? curl_easy_init() : k->creds;
	for (i = 0; i < c->o->nheaders; i++)
		k->hdrs = curl_slist_append(k->hdrs, c->o->headers[i]);
	if (!k->creds || !k->plain || (!k->hdrs && c->o->nheaders))
		return -ENOMEM;
	easy_init(c, k->creds);
	if (k->plain != k->creds)
		easy_init(c, k->plain);
	return 0;
}

static void curls_release(struct curls *k)
{
	curl_slist_free_all(k->hdrs);
	if (k->plain != k->creds)
		curl_easy_cleanup(k->plain);
	curl_easy_cleanup(k->creds);
}

/* Nothing to take: waits for a wake-up or until. -ECANCELED on Ctrl-C.
 * Called and returns with the lock held. */
static int idle_wait(struct fo_crawl *c, int me, int64_t until)
{
	uint64_t v;
	int r;

	c->idle[me] = true;
	pthread_mutex_unlock(&c->lock);
	r = fo_wait_fd(c->wake_fds[me], FO_READ, until);
	if (r != -ECANCELED && read(c->wake_fds[me], &v, sizeof(v)) < 0) {
		/* a timeout: nothing to read */
	}
	pthread_mutex_lock(&c->lock);
	c->idle[me] = false;
	return r == -ECANCELED ? r : 0;
}

/* A page robots.txt disallows: skipped, not fetched. Caller holds the lock. */
static void skip_robots(struct fo_crawl *c, struct fo_target *t)
{
	t->result = FO_TR_SKIPPED;
	t->reason = strdup("robots.txt disallows it");
	t->state = FO_T_DONE;
	c->st.skipped_robots++;
	t->host->active--;
	c->running--;
	c->done++;
	wake(c, 1);
}

/* After a fetch: asked again later (retry > 0), again now with a GET, or
 * done. Caller holds the lock. */
static void fetched(struct fo_crawl *c, struct fo_target *t, struct fetch *f, int64_t retry)
{
	t->host->active--;
	c->running--;
	if (retry > 0) {
		int64_t at = fo_now() + retry;

		if (at > t->host->next_at)
			t->host->next_at = at;
		enqueue(c, t);
		wake(c, 1);
	} else if (t->headed && t->want_anchors && t->result == FO_TR_OK) {
		/* a link naming one of its fragments came while the HEAD
		 * ran: a GET for its anchors */
		t->headed = false;
		enqueue(c, t);
		wake(c, 1);
	} else {
		wake(c, finish(c, t, f) + 1);
		if (c->o->progress)
			c->o->progress(c->done, c->queued + c->running, c->st.broken, c->o->progress_arg);
	}
}

static int worker(struct fo_job *job, void *arg)
{
	struct fo_crawl *c = arg;
	int me = (int)fo_job_index(job);
	struct curls k;

	if (curls_init(&k, c) < 0) {
		curls_release(&k);
		return -ENOMEM;
	}
	for (;;) {
		struct fo_target *t = NULL;
		struct fo__host *h = NULL;
		int64_t until = FO_NEVER, retry;
		struct fetch f;
		int what;

		pthread_mutex_lock(&c->lock);
		what = pick(c, &t, &h, &until);
		if (what == PICK_DONE)
			wake(c, (size_t)c->nworkers);
		else if (what == PICK_WAIT && idle_wait(c, me, until) == 0) {
			pthread_mutex_unlock(&c->lock);
			continue;
		}
		pthread_mutex_unlock(&c->lock);
		if (what == PICK_DONE || what == PICK_WAIT)
			break; /* done, or Ctrl-C while idle */
		if (what == PICK_ROBOTS) {
			fetch_robots(c, &k, h);
			pthread_mutex_lock(&c->lock);
			h->active--;
			c->running--;
			wake(c, 1 + h->qlen);
			pthread_mutex_unlock(&c->lock);
			continue;
		}
		if (robots_forbid(c, t)) {
			pthread_mutex_lock(&c->lock);
			skip_robots(c, t);
			pthread_mutex_unlock(&c->lock);
			continue;
		}
		if (fo_cancelled())
			break;
		retry = fetch_target(c, &k, t, &f);
		pthread_mutex_lock(&c->lock);
		fetched(c, t, &f, retry);
		pthread_mutex_unlock(&c->lock);
		fetch_free(&f);
	}
	curls_release(&k);
	return 0;
}

/* ---- the crawl ------------------------------------------------------------------------------- */

/* Does t's page have an id or name equal to prefix + name? */
static bool has_anchor(const struct fo_target *t, const char *prefix, const char *name)
{
	size_t pl = strlen(prefix);
	const char *a;

	for (a = t->anchors; a && a < t->anchors + t->anchors_len; a += strlen(a) + 1)
		if (!strncmp(a, prefix, pl) && !strcmp(a + pl, name))
			return true;
	return false;
}

/* GitHub renders a README's heading ids as "user-content-NAME" and its
 * script scrolls "#NAME" to them. */
static bool github_page(const struct fo_crawl *c, const struct fo_target *t)
{
	return (c && c->o && c->o->github_anchors) || !strncmp(t->url, "https://github.com/", 19);
}

/*
 * The HTML standard's "find a potential indicated element": the fragment
 * as the URL holds it (r->frag, raw), then percent-decoded; on GitHub's
 * pages each also with "user-content-" before it. "#top" is the page's
 * top in every browser. Costs a copy of the fragment per reference.
 */
bool fo_crawl_frag_missing(const struct fo_crawl *c, const struct fo_ref *r, const struct fo_target *t)
{
	bool missing = true, gh;
	char *dec;

	if (!r->frag || t->result != FO_TR_OK || !t->html)
		return false;
	if (!strcasecmp(r->frag, "top") || has_anchor(t, "", r->frag))
		return false;
	gh = github_page(c, t);
	if (gh && has_anchor(t, "user-content-", r->frag))
		return false;
	if (!(dec = strdup(r->frag)))
		return false; /* no memory: not reported, rather than a false alarm */
	fo_url_decode(dec, dec);
	if (!strcasecmp(dec, "top") || has_anchor(t, "", dec) || (gh && has_anchor(t, "user-content-", dec)))
		missing = false;
	free(dec);
	return missing;
}

/* Out-of-scope http(s) targets that were fine go into the cache (with when
 * they were checked: a cached one keeps its time), then the file. */
static void save_cache(struct fo_crawl *c)
{
	int64_t now = (int64_t)time(NULL);
	size_t i;
	int e = 0;

	for (i = 0; i < c->nt && e == 0; i++) {
		const struct fo_target *t = c->t[i];

		if (t->state != FO_T_DONE || t->result != FO_TR_OK || t->page || t->status < 100 ||
		    t->status >= 400 || strncmp(t->url, "http", 4) || in_scope(c, t->url))
			continue;
		e = fo_lcache_put(c->cache, t->url, t->status, t->cached ? t->cached_at : now);
	}
	if (e == 0)
		e = fo_lcache_save(c->cache, c->o->cache);
	if (e < 0)
		fprintf(stderr, "fanout: warning: cannot write --cache '%s': %s\n", c->o->cache, strerror(-e));
}

/* The origins (scheme://host:port) of the starts and of --scope: where
 * the -H headers and cookies go (creds_for). 0 or -ENOMEM. */
static int set_origins(struct fo_crawl *c)
{
	const struct fo_crawl_opts *o = c->o;
	char key[FO_URL_MAX + 2];
	size_t i;

	c->origins = calloc(o->nstarts + 1, sizeof(char *));
	if (!c->origins)
		return -ENOMEM;
	for (i = 0; i <= o->nstarts; i++) {
		const char *u = i < o->nstarts ? o->starts[i] : o->scope;

		if (!u || strncmp(u, "http", 4) || fo_url_host_key(u, key, sizeof(key)) < 0)
			continue;
		if (!(c->origins[c->norigins] = strdup(key)))
			return -ENOMEM;
		c->norigins++;
	}
	return 0;
}

/* After Ctrl-C: what was still queued or picked is not checked either. */
static void mark_interrupted(struct fo_crawl *c)
{
	size_t i;

	for (i = 0; i < c->nt; i++) {
		struct fo_target *t = c->t[i];

		if (t->state == FO_T_DONE)
			continue;
		t->state = FO_T_DONE;
		t->result = FO_TR_SKIPPED;
		t->interrupted = true;
		c->st.interrupted++;
	}
}

/* The curl share of connections, DNS, cookies and TLS sessions that every
 * worker's handles use: 0 or -ENOMEM. */
static int share_init(struct fo_crawl *c)
{
	CURLSH *sh = curl_share_init();

	if (!sh)
		return -ENOMEM;
	curl_share_setopt(sh, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(sh, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(sh, CURLSHOPT_USERDATA, c);
	curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE);
	curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	c->share = sh;
	return 0;
}

/* --cache FILE, read: 0 or -errno with the reason in errbuf. */
static int cache_open(struct fo_crawl *c, char *errbuf, size_t errlen)
{
	const struct fo_crawl_opts *o = c->o;
	int64_t oldest = (int64_t)time(NULL) - o->cache_max_age / FO_SEC;
	int e = 0;

	c->cache = fo_lcache_new();
	if (!c->cache || (e = fo_lcache_load(c->cache, o->cache, oldest)) == -ENOMEM) {
		snprintf(errbuf, errlen, "no memory for the cache '%s'", o->cache);
		return -ENOMEM;
	}
	if (e == -EEXIST)
		snprintf(errbuf, errlen, "--cache '%s' is not a fanout links cache (its first line is not "
			 "'# fanout links cache 1'): give another file, or remove it", o->cache);
	else if (e < 0)
		snprintf(errbuf, errlen, "cannot read --cache '%s': %s (remove it, or give another file)",
			 o->cache, strerror(-e));
	return e;
}

/* A start's scope: its host for http, its folder for a file. */
static char *start_scope(const char *url)
{
	const char *p = strstr(url, "://");

	p = p ? (!strncmp(url, "file:", 5) ? strrchr(url, '/') : strchr(p + 3, '/')) : NULL;
	return p ? strndup(url, (size_t)(p - url) + 1) : fmt("%s/", url);
}

/* Each start: its scope (its host for http, its folder for a file) and
 * its target, a page at depth 0. */
static void add_starts(struct fo_crawl *c)
{
	const struct fo_crawl_opts *o = c->o;
	size_t i;

	c->scopes = calloc(o->nstarts, sizeof(char *));
	for (i = 0; c->scopes && i < o->nstarts; i++) {
		struct fo_target *t;

		c->scopes[c->nscopes++] = start_scope(o->starts[i]);
		pthread_mutex_lock(&c->lock);
		t = add_link(c, o->starts[i], NULL, 0, NULL, NULL);
		if (t && t->state == FO_T_QUEUED) {
			t->page = true;
			t->depth = 0;
		}
		pthread_mutex_unlock(&c->lock);
	}
}

/* A page read before the crawl (a --sitemap): checked already, in scope
 * and given the credentials as a start is. Caller holds the lock. */
static struct fo_target *seed_page(struct fo_crawl *c, const char *url)
{
	char key[FO_URL_MAX + 2], **sc = realloc(c->scopes, (c->nscopes + 1) * sizeof(*sc)), **og;
	struct fo_target *t;

	if (!sc)
		return NULL;
	c->scopes = sc;
	if (!(c->scopes[c->nscopes] = start_scope(url)) || !(t = new_target(c, url, NULL)))
		return NULL;
	c->nscopes++;
	t->state = FO_T_DONE;
	t->result = FO_TR_OK;
	t->status = 200;
	c->done++;
	if (!strncmp(url, "http", 4) && fo_url_host_key(url, key, sizeof(key)) >= 0 &&
	    (og = realloc(c->origins, (c->norigins + 1) * sizeof(*og))) != NULL) {
		c->origins = og;
		if ((og[c->norigins] = strdup(key)) != NULL)
			c->norigins++;
	}
	return t;
}

/* The links read before the crawl (o->seeds: a sitemap's entries), added
 * as a page's are. A page that is a target already is a sitemap an index
 * lists: the crawl checks it as any link. */
static void add_seeds(struct fo_crawl *c)
{
	const struct fo_crawl_opts *o = c->o;
	struct fo_target *page = NULL;
	size_t i;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < o->nseeds; i++) {
		const struct fo_crawl_seed *s = &o->seeds[i];

		if (!page || strcmp(page->url, s->page))
			page = lookup(c, s->page);
		if (!page && !(page = seed_page(c, s->page)))
			break;
		if (!add_link(c, s->url, page, s->line, s->tag, NULL))
			break;
	}
	pthread_mutex_unlock(&c->lock);
}

/* --max-concurrency workers' wake-up eventfds and idle flags: 0 or -errno
 * with the reason in errbuf. */
static int workers_init(struct fo_crawl *c, char *errbuf, size_t errlen)
{
	int k, e;

	c->nworkers = c->o->max_conc;
	/* kept-alive connections, bounded by the transfers at once */
	fo_curl_keep_connections(c->o->max_conc);
	c->wake_fds = calloc((size_t)c->nworkers, sizeof(int));
	c->idle = calloc((size_t)c->nworkers, sizeof(bool));
	if (!c->wake_fds || !c->idle) {
		snprintf(errbuf, errlen, "no memory");
		return -ENOMEM;
	}
	for (k = 0; k < c->nworkers; k++) {
		c->wake_fds[k] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (c->wake_fds[k] < 0) {
			e = -errno;
			snprintf(errbuf, errlen, "cannot make %d workers: %s (lower --max-concurrency)", c->nworkers,
				 strerror(-e));
			for (; k > 0; k--)
				close(c->wake_fds[k - 1]);
			free(c->wake_fds);
			c->wake_fds = NULL;
			return e;
		}
	}
	return 0;
}

/* After the workers: fragments (now that every page fetched has its
 * anchors), what Ctrl-C left, and the cache. */
static int crawl_finish(struct fo_crawl *c)
{
	size_t i;

	for (i = 0; i < c->nt; i++) {
		struct fo_ref *r;

		for (r = c->t[i]->refs; r; r = r->next)
			if (fo_crawl_frag_missing(c, r, c->t[i]))
				c->st.broken_fragments++;
	}
	if (fo_interrupted())
		mark_interrupted(c);
	if (c->cache)
		save_cache(c);
	return fo_interrupted() ? -ECANCELED : 0;
}

int fo_crawl_run(struct fo_crawl *c, const struct fo_crawl_opts *o, char *errbuf, size_t errlen)
{
	struct fo_run_opts ro = { 0 };
	struct fo_run *run;
	int e = 0, k;

	memset(c, 0, sizeof(*c));
	c->o = o;
	pthread_mutex_init(&c->lock, NULL);
	for (k = 0; k < 8; k++)
		pthread_mutex_init(&c->share_locks[k], NULL);
	if (share_init(c) < 0) {
		snprintf(errbuf, errlen, "no memory for libcurl");
		return -ENOMEM;
	}
	if (o->cache && (e = cache_open(c, errbuf, errlen)) < 0)
		return e;
	if (set_origins(c) < 0) {
		snprintf(errbuf, errlen, "no memory");
		return -ENOMEM;
	}
	add_starts(c);
	add_seeds(c);
	if ((e = workers_init(c, errbuf, errlen)) < 0)
		return e;
	c->t0 = fo_now();
	ro.model = o->model;
	ro.ntasks = (size_t)c->nworkers;
	ro.fn = worker;
	ro.arg = c;
	ro.quiet = true;
	/* libcurl and OpenSSL want room */
	ro.stack_size = fo__cli_stack_size(&ro.model, 512 * 1024);
	run = fo_run(&ro, &e);
	if (!run) {
		snprintf(errbuf, errlen, "cannot start the workers: %s", fo_strerror(e));
		return e;
	}
	fo_run_free(run);
	c->st.secs = (double)(fo_now() - c->t0) / 1e9;
	return crawl_finish(c);
}

void fo_crawl_release(struct fo_crawl *c)
{
	size_t i;

	for (i = 0; i < c->nt; i++) {
		struct fo_target *t = c->t[i];
		struct fo_ref *r, *n;

		for (r = t->refs; r; r = n) {
			n = r->next;
			free((char *)r->frag);
			free(r);
		}
		free(t->url);
		free(t->final_url);
		free(t->reason);
		free(t->note);
		free(t->anchors);
		free(t);
	}
	free(c->t);
	free(c->map);
	for (i = 0; i < c->nhosts; i++) {
		fo_robots_free(c->hosts[i]->robots);
		free(c->hosts[i]->key);
		free(c->hosts[i]);
	}
	free(c->hosts);
	for (i = 0; i < c->nscopes; i++)
		free(c->scopes[i]);
	free(c->scopes);
	for (i = 0; i < c->norigins; i++)
		free(c->origins[i]);
	free(c->origins);
	if (c->wake_fds)
		for (int k = 0; k < c->nworkers; k++)
			close(c->wake_fds[k]);
	free(c->wake_fds);
	free(c->idle);
	if (c->share)
		curl_share_cleanup(c->share);
	fo_lcache_free(c->cache);
	pthread_mutex_destroy(&c->lock);
	(void)xstrdup;
}
