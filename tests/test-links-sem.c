/*
 * `fanout links` on what issue 14 named: a built site checked as a folder
 * (absolute links mapped into the root, nested index.html, --base, and no
 * way out of the root: "..", "%2e%2e", symbolic links, file: links), and
 * link semantics (malformed links reported, connection hints and text
 * fragments skipped, fragments matched raw then decoded then as GitHub's
 * user-content- ids, meta URLs extracted, a 304 not followed, --accept).
 * Each expectation is the behaviour the issue names; the pages are made
 * here, and HTTP goes to tests/fixtures/site/hostile.py on loopback.
 */
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../src/links/extract.h"
#include "../src/links/url.h"
#include "test.h"

#define CHECK_RC(call, want)                                                           \
	do {                                                                           \
		int rc_ = (call);                                                      \
		if (rc_ != (want))                                                     \
			fprintf(stderr, "stdout:\n%s\nstderr:\n%s\n", out ? out : "", err ? err : ""); \
		CHECK_EQ(rc_, want);                                                   \
	} while (0)

/* dir/name holding text (folders made as needed): its path. */
static const char *put(const char *dir, const char *name, const char *text)
{
	static char path[8][512];
	static int k;
	char cmd[700], *p = path[k++ % 8];

	snprintf(p, 512, "%s/%s", dir, name);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", p);
	CHECK_EQ(system(cmd), 0);
	fo_test_write(p, text, strlen(text));
	return p;
}

struct srv {
	pid_t pid;
	char port[16];
	char base[64];
};

static void srv_start(struct srv *s, const char *root)
{
	const char *argv[] = { "--root", root, NULL };

	s->pid = fo_test_py_server("tests/fixtures/site/hostile.py", argv, s->port);
	snprintf(s->base, sizeof(s->base), "http://127.0.0.1:%s", s->port);
}

static void srv_stop(struct srv *s)
{
	kill(s->pid, SIGTERM);
	waitpid(s->pid, NULL, 0);
}

/* The requests the server saw, one JSON object a line (malloc'd). */
static char *srv_log(struct srv *s)
{
	char cmd[256], *o = malloc(1 << 20);
	size_t len;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "curl -s '%s/__log'", s->base);
	CHECK((p = popen(cmd, "r")) != NULL);
	len = fread(o, 1, (1 << 20) - 1, p);
	o[len] = 0;
	pclose(p);
	return o;
}

static int count(const char *s, const char *needle)
{
	int n = 0;

	for (; (s = strstr(s, needle)); s += strlen(needle))
		n++;
	return n;
}

/* ---- 1. a built site as a folder ------------------------------------------------------------ */

/*
 * What Hugo, Jekyll, MkDocs or Sphinx leave in public/: absolute links,
 * folders with index.html, and, made hostile, links that try to leave
 * the folder. Outside it lies a page whose own link would show in the
 * report if it were ever read.
 */
static void built_site(const char *top, char *root, size_t len)
{
	char cmd[600];

	snprintf(root, len, "%s/public", top);
	put(top, "outside/secret.html", "<html><body><a href=\"/SECRET-WAS-READ.html\">x</a></body></html>\n");
	put(root, "index.html",
	    "<html><head><link rel=\"stylesheet\" href=\"/css/site.css\"></head><body>\n"
	    "<a href=\"/docs/\">docs</a>\n"                        /* line 2: a folder, absolute */
	    "<a href=\"/docs/guide/install.html#run\">run</a>\n"   /* 3 */
	    "<a href=\"/../../outside/secret.html\">dots</a>\n"    /* 4: stops at the root */
	    "<a href=\"/%2e%2e/%2E%2E/outside/secret.html\">encoded dots</a>\n" /* 5 */
	    "<a href=\"/linked-out/secret.html\">a folder link</a>\n"           /* 6 */
	    "<a href=\"/docs/leak.html\">a file link</a>\n"                     /* 7 */
	    "<a href=\"file:///etc/passwd\">a file: URL</a>\n"                  /* 8 */
	    "<a href=\"/missing/\">no index.html</a>\n"                         /* 9 */
	    "</body></html>\n");
	put(root, "css/site.css", "body {}\n");
	put(root, "docs/index.html",
	    "<html><body><a href=\"guide/\">guide</a>\n<a href=\"../\">up</a>\n"
	    "<a href=\"../../../../../outside/secret.html\">relative dots</a></body></html>\n");
	put(root, "docs/guide/index.html", "<html><body><a href=\"/\">home</a><a href=\"/docs/gone.html\">g</a></body></html>\n");
	put(root, "docs/guide/install.html", "<html><body><h2 id=\"run\">Run</h2></body></html>\n");
	snprintf(cmd, sizeof(cmd), "ln -s ../outside '%s/linked-out' && ln -s ../../outside/secret.html '%s/docs/leak.html'",
		 root, root);
	CHECK_EQ(system(cmd), 0);
}

TEST(links_sem_folder_is_a_site)
{
	char root[300], *out = NULL, *err = NULL;

	built_site(fo_test_dir(), root, sizeof(root));
	CHECK_RC(fo_test_cli(&out, &err, "links", root, NULL), 1);
	/* "/x" is the root's x: found, and the pages behind are crawled */
	CHECK_LACKS(out, "site.css");
	CHECK_LACKS(out, "install.html");
	CHECK_HAS(out, "/public/docs/gone.html  line 1"); /* found on /docs/guide/, two folders down */
	CHECK_HAS(out, "4 pages");
	/* a folder without index.html is broken, as a server's 404 */
	CHECK_HAS(out, "/public/missing/index.html  line 9");
	/* ".." and "%2e%2e" stop at the root, as at a host's "/" */
	CHECK_HAS(out, "/public/outside/secret.html  line 4");
	CHECK_HAS(out, "/public/outside/secret.html  line 5");
	CHECK_HAS(out, "/public/outside/secret.html  line 3 <a href>"); /* docs/index.html's */
	/* symbolic links out of the root are refused, not followed */
	CHECK_HAS(out, "linked-out/secret.html  line 6 <a href>: '");
	CHECK_HAS(out, "leads out of the site's root");
	CHECK_HAS(out, "docs/leak.html  line 7");
	CHECK_HAS(out, "file:///etc/passwd  line 8 <a href>: 'file:///etc/passwd' is outside the site's root");
	/* nothing outside was read: its link would be in the report */
	CHECK_LACKS(out, "SECRET-WAS-READ");
	free(out), free(err);
}

TEST(links_sem_root_dir_and_base)
{
	char root[300], docs[320], *out = NULL, *err = NULL;
	const char *top = fo_test_dir();

	built_site(top, root, sizeof(root));
	/* a start below the root: "/" links still map to the root */
	snprintf(docs, sizeof(docs), "%s/docs/", root);
	CHECK_RC(fo_test_cli(&out, &err, "links", docs, "--root-dir", root, NULL), 1);
	CHECK_HAS(out, "/public/docs/gone.html");
	CHECK_LACKS(out, "/public/css");
	free(out), free(err);
	/* without --root-dir the start's folder is the root */
	CHECK_RC(fo_test_cli(&out, &err, "links", docs, NULL), 1);
	CHECK_HAS(out, "/public/docs/docs/gone.html");
	free(out), free(err);

	/* --base: the site's own absolute links are read from the folder (a
	 * port nobody listens on: a request would be a broken link) */
	put(top, "site/index.html",
	    "<html><head><meta property=\"og:url\" content=\"http://127.0.0.1:1/site/\">\n"
	    "<meta property=\"og:image\" content=\"http://127.0.0.1:1/site/img/card.png\"></head><body>\n"
	    "<a href=\"http://127.0.0.1:1/site/about/\">about</a>\n"
	    "<a href=\"http://127.0.0.1:1/other/\">not under --base</a>\n"
	    "<a href=\"/site/img/card.png\">absolute path</a></body></html>\n");
	put(top, "site/about/index.html", "<html><body><a href=\"http://127.0.0.1:1/site/nope.html\">x</a></body></html>\n");
	put(top, "site/img/card.png", "png");
	snprintf(root, sizeof(root), "%s/site", top);
	CHECK_RC(fo_test_cli(&out, &err, "links", root, "--base", "http://127.0.0.1:1/site", "--format", "json", NULL), 1);
	CHECK_HAS(out, "\"pages\":2,");
	CHECK_HAS(out, "\"requests\":1,"); /* /other/ only */
	CHECK_HAS(out, "\"url\":\"http://127.0.0.1:1/other/\"");
	CHECK_HAS(out, "/site/nope.html\",\"line\":1");
	CHECK_EQ(count(out, "\"kind\""), 2);
	free(out), free(err);

	/* usage errors */
	CHECK_RC(fo_test_cli(&out, &err, "links", "http://127.0.0.1:1/", "--root-dir", root, NULL), 2);
	CHECK_HAS(err, "--root-dir is for a local folder");
	free(out), free(err);
	CHECK_RC(fo_test_cli(&out, &err, "links", root, "--root-dir", docs, NULL), 2);
	CHECK_HAS(err, "is not inside --root-dir");
	free(out), free(err);
	CHECK_RC(fo_test_cli(&out, &err, "links", root, "--base", "ftp://x/", NULL), 2);
	CHECK_HAS(err, "bad --base 'ftp://x/'");
	free(out), free(err);
	CHECK_RC(fo_test_cli(&out, &err, "links", root, "--root-dir", "/no/such/dir", NULL), 2);
	CHECK_HAS(err, "bad --root-dir '/no/such/dir'");
	free(out), free(err);
}

/* ---- 2. link semantics ------------------------------------------------------------------------ */

/* A checker says what it could not check: malformed links are broken,
 * with the parser's reason, counted, exit 1. */
TEST(links_sem_malformed_reported)
{
	const char *dir = fo_test_dir();
	char *out = NULL, *err = NULL;

	put(dir, "index.html",
	    "<html><body><a href=\"//////\">a</a>\n<a href=\"https://example]org/x\">b</a>\n"
	    "<a href=\"http://\">c</a>\n<a href=\"http://127.0.0.1:99999/\">d</a>\n"
	    "<a href=\"http://\">c again</a></body></html>\n");
	CHECK_RC(fo_test_cli(&out, &err, "links", dir, NULL), 1);
	CHECK_HAS(out, "//////  line 1 <a href>: cannot parse link '//////'");
	CHECK_HAS(out, "https://example]org/x  line 2 <a href>: cannot parse link");
	CHECK_HAS(out, "http://  line 3 <a href>: cannot parse link 'http://'");
	CHECK_HAS(out, "http://  line 5 <a href>");
	CHECK_HAS(out, "http://127.0.0.1:99999/  line 4 <a href>: cannot parse link");
	CHECK_HAS(out, "5 broken links (4 targets");
	CHECK_HAS(out, "4 links not checkable");
	CHECK_HAS(out, "0 requests");
	free(out), free(err);
	CHECK_RC(fo_test_cli(&out, &err, "links", dir, "--format", "json", NULL), 1);
	CHECK_HAS(out, "\"malformed\":4,");
	free(out), free(err);
}

/* The fragment as written, then decoded, then GitHub's user-content-. */
TEST(links_sem_fragments_raw_decoded_github)
{
	const char *dir = fo_test_dir();
	char *out = NULL, *err = NULL;

	put(dir, "page.html",
	    "<html><head><meta charset=\"utf-8\"></head><body><h2 id=\"tangent%3A-kustomize\">t</h2>\n"
	    "<h2 id=\"caf\xc3\xa9\">c</h2><h2 id=\"a b\">s</h2><h2 id=\"user-content-install\">i</h2></body></html>\n");
	put(dir, "index.html",
	    "<html><body><a href=\"page.html#tangent%3A-kustomize\">raw</a>\n"  /* 1 */
	    "<a href=\"page.html#caf%C3%A9\">decoded</a>\n"                     /* 2 */
	    "<a href=\"page.html#a%20b\">space</a>\n"                           /* 3 */
	    "<a href=\"page.html#install\">github</a>\n"                        /* 4 */
	    "<a href=\"page.html#tangent:-kustomize\">decoded is not raw</a>\n" /* 5 */
	    "</body></html>\n");
	CHECK_RC(fo_test_cli(&out, &err, "links", dir, NULL), 1);
	CHECK_LACKS(out, "line 1 ");
	CHECK_LACKS(out, "line 2 ");
	CHECK_LACKS(out, "line 3 ");
	CHECK_HAS(out, "page.html#install  line 4 <a href>: no id or name 'install' in the page");
	CHECK_HAS(out, "line 5 <a href>: no id or name 'tangent:-kustomize'");
	free(out), free(err);
	CHECK_RC(fo_test_cli(&out, &err, "links", dir, "--github-anchors", NULL), 1);
	CHECK_LACKS(out, "line 4 ");
	CHECK_HAS(out, "line 5 ");
	free(out), free(err);
}

/* Hints are not links; a text directive is not an anchor; preload is. */
TEST(links_sem_hints_and_text_fragments)
{
	const char *dir = fo_test_dir();
	char page[1024], *out = NULL, *err = NULL, *log;
	struct srv s;

	srv_start(&s, dir);
	put(dir, "doc.html", "<html><body><h2 id=\"sec\">s</h2><p>hello word</p></body></html>\n");
	snprintf(page, sizeof(page),
		 "<html><head><link rel=\"preconnect\" href=\"%s/preconnect-origin\">\n"
		 "<link rel=\"DNS-Prefetch\" href=\"%s/dns-prefetch-origin\">\n"
		 "<link rel=\"preconnect dns-prefetch\" href=\"%s/both\">\n"
		 "<link rel=\"preload\" href=\"/preload-missing.css\" as=\"style\">\n" /* line 4 */
		 "</head><body><a href=\"/doc.html#:~:text=hello\">text</a>\n"
		 "<a href=\"/doc.html#sec:~:text=word\">anchor and text</a>\n"
		 "<a href=\"/doc.html#nope:~:text=word\">missing anchor and text</a>\n" /* line 7 */
		 "<a href=\"/doc.html#:~:text=a&text=b\">two</a></body></html>\n",
		 s.base, s.base, s.base);
	put(dir, "index.html", page);
	snprintf(page, sizeof(page), "%s/index.html", s.base);
	CHECK_RC(fo_test_cli(&out, &err, "links", page, NULL), 1);
	CHECK_HAS(out, "/preload-missing.css  line 4 <link href>: HTTP 404");
	CHECK_HAS(out, "doc.html#nope  line 7 <a href>: no id or name 'nope'");
	CHECK_LACKS(out, "#sec");
	CHECK_LACKS(out, "text=");
	CHECK_HAS(out, "2 broken links");
	CHECK_HAS(out, "not links: 3 connection hints, 2 text fragments");
	free(out), free(err);
	log = srv_log(&s);
	CHECK_LACKS(log, "origin");
	CHECK_LACKS(log, "/both");
	free(log);
	srv_stop(&s);
}

/* og:url, og:image, twitter:image and kin are links. */
TEST(links_sem_meta_urls)
{
	const char *dir = fo_test_dir();
	char *out = NULL, *err = NULL;

	put(dir, "card.png", "png");
	put(dir, "index.html",
	    "<html><head>\n<meta property=\"og:url\" content=\"index.html\">\n"
	    "<meta property=\"og:image\" content=\"card.png\">\n"
	    "<meta name=\"twitter:image\" content=\"twitter-missing.png\">\n"
	    "<meta property=\"og:image:secure_url\" content=\"secure-missing.png\">\n"
	    "<meta property=\"OG:VIDEO\" content=\"video-missing.mp4\">\n"
	    "<meta property=\"og:title\" content=\"title-not-a-url\">\n"
	    "<meta name=\"description\" content=\"description-not-a-url\">\n"
	    "</head><body></body></html>\n");
	CHECK_RC(fo_test_cli(&out, &err, "links", dir, NULL), 1);
	CHECK_HAS(out, "twitter-missing.png  line 4 <meta content>");
	CHECK_HAS(out, "secure-missing.png  line 5 <meta content>");
	CHECK_HAS(out, "video-missing.mp4  line 6 <meta content>");
	CHECK_LACKS(out, "card.png");
	CHECK_LACKS(out, "not-a-url");
	CHECK_HAS(out, "5 links"); /* og:url, og:image and the three missing */
	free(out), free(err);
}

/* A 304 is an answer, not a redirect; --accept says which statuses are
 * fine (LinkedIn's 999, a 429 one would rather not wait for). */
TEST(links_sem_304_and_accept)
{
	const char *dir = fo_test_dir();
	char page[1024], *out = NULL, *err = NULL, *log;
	struct srv s;

	srv_start(&s, dir);
	snprintf(page, sizeof(page),
		 "<html><body><a href=\"%s/redirect?code=304&amp;to=/followed-304\">304</a>\n"
		 "<a href=\"%s/redirect?code=999&amp;to=/x\">999</a>\n"
		 "<a href=\"%s/redirect?code=429&amp;to=/x\">429</a>\n"
		 "<a href=\"%s/redirect?code=302&amp;to=/ok\">302</a></body></html>\n",
		 s.base, s.base, s.base, s.base);
	put(dir, "index.html", page);
	/* a local start: every link is out of scope, so HEAD first */
	CHECK_RC(fo_test_cli(&out, &err, "links", dir, "--retries", "0", NULL), 1);
	CHECK_HAS(out, "code=999&to=/x  line 2 <a href>: HTTP 999");
	CHECK_HAS(out, "code=429&to=/x  line 3 <a href>: HTTP 429");
	CHECK_LACKS(out, "code=304");
	CHECK_HAS(out, "2 broken links");
	free(out), free(err);
	log = srv_log(&s);
	CHECK_LACKS(log, "\"path\": \"/followed-304");
	CHECK_HAS(log, "\"path\": \"/ok\"");
	free(log);

	CHECK_RC(fo_test_cli(&out, &err, "links", dir, "--accept", "200-399,429,999", NULL), 0);
	free(out), free(err);
	/* the 302's target is fine, but the 304 is not in 200-299 */
	CHECK_RC(fo_test_cli(&out, &err, "links", dir, "--accept=200-299,429,999", NULL), 1);
	CHECK_HAS(out, "code=304&to=/followed-304  line 1 <a href>: HTTP 304");
	CHECK_HAS(out, "1 broken link ");
	free(out), free(err);
	log = srv_log(&s);
	CHECK_LACKS(log, "\"path\": \"/followed-304");
	free(log);

	static const char *const bad[] = { "99", "200-100", "abc", "1000", "200,", "2000-3000", "200-29" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[64];

		CHECK_RC(fo_test_cli(&out, &err, "links", dir, "--accept", bad[i], NULL), 2);
		snprintf(want, sizeof(want), "fanout: bad --accept '%s': expected statuses", bad[i]);
		CHECK_HAS(err, want);
		free(out), free(err);
	}
	srv_stop(&s);
}

/* fo_url_fragment: the URL standard's fragment, not decoded. */
TEST(links_sem_url_fragment)
{
	char f[64];

	CHECK_EQ(fo_url_fragment("page.html", f, sizeof(f)), -ENOENT);
	CHECK_EQ(fo_url_fragment("page.html#", f, sizeof(f)), 0);
	CHECK_EQ(fo_url_fragment("#tangent%3A-kustomize", f, sizeof(f)), 20);
	CHECK_STR(f, "tangent%3A-kustomize");
	CHECK_EQ(fo_url_fragment("  http://a.com/p?q#a b\"<>`\xc3\xa9#c  ", f, sizeof(f)), 25);
	CHECK_STR(f, "a%20b%22%3C%3E%60%C3%A9#c");
	CHECK_EQ(fo_url_fragment("#a\tb\nc", f, sizeof(f)), 3);
	CHECK_STR(f, "abc");
	CHECK_EQ(fo_url_fragment("#:~:text=x", f, sizeof(f)), 9);
	CHECK_EQ(fo_url_fragment("#0123456789", f, 8), -ENAMETOOLONG);
	fo_url_decode(f, "caf%C3%A9%20x%00y");
	CHECK_STR(f, "caf\xc3\xa9 x%00y");
}

/* The meta tags that hold URLs, as the extractor reports them. */
static int on_meta(void *arg, const struct fo_link *l)
{
	char *seen = arg;

	if (l->kind == FO_LINK_META_CONTENT)
		snprintf(seen + strlen(seen), 512 - strlen(seen), "%s|", l->value);
	return 0;
}

TEST(links_sem_extract_meta)
{
	static const char page[] = "<meta property=og:url content=u1><meta name=twitter:image content=u2>"
				   "<meta property=og:audio:url content=u3><meta property=og:type content=no1>"
				   "<meta name=twitter:image:src content=u4><meta property=og:image content=\"\">"
				   "<meta http-equiv=refresh content=\"0; url=r\">";
	char seen[512] = "";
	struct fo_extract_opts o = { .fn = on_meta, .arg = seen };
	struct fo_extract x;

	fo_extract_global_init();
	CHECK_EQ(fo_extract_init(&x, &o), 0);
	CHECK_EQ(fo_extract_feed(&x, page, sizeof(page) - 1), 0);
	CHECK_EQ(fo_extract_end(&x), 0);
	fo_extract_release(&x);
	CHECK_STR(seen, "u1|u2|u3|u4|");
	CHECK_STR(fo_link_kind_name(FO_LINK_META_CONTENT), "meta content");
}

/* A page that declares no charset is read as UTF-8 when it is UTF-8 (its
 * percent-encoded fragments then match its ids), as Latin-1 when not. */
TEST(links_sem_undeclared_charset)
{
	const char *dir = fo_test_dir();
	char *out = NULL, *err = NULL;
	const char *u8;

	u8 = put(dir, "utf8.html",
	    "<html><body><h1 id=\"caf\xc3\xa9\">x</h1>\n<a href=\"#caf%C3%A9\">a</a>\n"
	    "<a href=\"#caf\xc3\xa9\">b</a>\n<a href=\"#th\xc3\xa9\">c</a></body></html>\n");
	CHECK_RC(fo_test_cli(&out, &err, "links", u8, NULL), 1);
	CHECK_LACKS(out, "line 2 ");
	CHECK_LACKS(out, "line 3 ");
	CHECK_HAS(out, "line 4 <a href>: no id or name 'th%C3%A9' in the page");
	CHECK_HAS(out, "1 broken link ");
	free(out), free(err);
	/* Latin-1, undeclared: still Latin-1 (its raw link matches its id) */
	CHECK_EQ(unlink(u8), 0);
	CHECK_RC(fo_test_cli(&out, &err, "links",
			     put(dir, "latin.html", "<html><body><h1 id=\"caf\xe9\">x</h1>\n<a href=\"#caf\xe9\">a</a></body></html>\n"),
			     NULL), 0);
	free(out), free(err);
}
