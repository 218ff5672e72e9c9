/*
 * `fanout links` on Markdown (src/links/markdown.c): GitHub's heading ids
 * against a table written from GitHub's documented behaviour, the
 * positions of every kind of link, the walk of a folder, and a fixture
 * repository of our own end to end (README.md, the .md files of docs/, a real HTTP
 * server on loopback for the outside links): every broken link found at
 * its file:line:col, no false alarm.
 */
#include <errno.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>

#include "../src/links/markdown.h"
#include "test.h"

/* ---- heading ids --------------------------------------------------------------------------- */

TEST(links_md_slug_table)
{
	/* GitHub: lowercase; punctuation and symbols (emoji too) dropped but
	 * "-" and "_"; Unicode letters and digits kept; each space a "-" */
	static const struct { const char *text, *id; } cases[] = {
		{ "Hello World", "hello-world" },
		{ "Hello, World!", "hello-world" },
		{ "foo_bar-baz", "foo_bar-baz" },
		{ "C++ & Rust", "c--rust" },
		{ "What's new?", "whats-new" },
		{ "Version 1.2.3", "version-123" },
		{ "1. Numbered", "1-numbered" },
		{ "a  b", "a--b" },
		{ "tab\there", "tabhere" },
		{ "  edges  ", "--edges--" },
		{ "Ünïcödé Letters", "ünïcödé-letters" },
		{ "Über", "über" },
		{ "Español: ñandú", "español-ñandú" },
		{ "Привет, мир", "привет-мир" },
		{ "ΑΒΓ δ", "αβγ-δ" },
		{ "日本語の見出し", "日本語の見出し" },
		{ "Emoji 🎉 party", "emoji--party" },
		{ "🚀", "" },
		{ "x² + y³", "x--y" },
		{ "a—b – c", "ab--c" },
		{ "(parens) [brackets] {braces}", "parens-brackets-braces" },
		{ "$PATH/to ~home", "pathto-home" },
		{ "Ⅻ roman", "ⅻ-roman" },
		{ "café\xcc\x81", "café\xcc\x81" }, /* a combining mark is kept */
		{ "bad\xff\xfe utf-8", "bad-utf-8" },
		{ "", "" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fo_md_slugger s;
		const char *id;

		fo_md_slugger_init(&s);
		CHECK_EQ(fo_md_slug(&s, cases[i].text, strlen(cases[i].text), &id), 0);
		if (strcmp(id, cases[i].id))
			fprintf(stderr, "case %zu: '%s'\n", i, cases[i].text);
		CHECK_STR(id, cases[i].id);
		fo_md_slugger_release(&s);
	}
}

TEST(links_md_slug_duplicates)
{
	/* github-slugger: a repeat gets -1, -2; a heading that is already
	 * someone's suffixed id counts on from it */
	static const char *const in[] = { "Setup", "Setup", "setup", "Setup-1", "Setup 1", "", "", "🎉" };
	static const char *const out[] = { "setup", "setup-1", "setup-2", "setup-1-1", "setup-1-2", "", "-1", "-2" };
	struct fo_md_slugger s;
	size_t i;

	fo_md_slugger_init(&s);
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		const char *id;

		CHECK_EQ(fo_md_slug(&s, in[i], strlen(in[i]), &id), 0);
		CHECK_STR(id, out[i]);
	}
	fo_md_slugger_release(&s);
}

/* ---- extraction -------------------------------------------------------------------------- */

struct seen {
	char buf[8192];
	size_t len;
};

static int on_event(void *arg, const struct fo_link *l)
{
	struct seen *s = arg;

	s->len += (size_t)snprintf(s->buf + s->len, sizeof(s->buf) - s->len, "%s %ld:%ld %s\n",
				   fo_link_kind_name(l->kind), l->line, l->col, l->value);
	return 0;
}

static void extract(const char *doc, struct seen *s, struct fo_md *x)
{
	struct fo_md_opts o = { .fn = on_event, .arg = s };

	memset(s, 0, sizeof(*s));
	fo_extract_global_init();
	CHECK_EQ(fo_md_extract(x, &o, doc, strlen(doc)), 0);
}

TEST(links_md_extract_positions)
{
	static const char doc[] =
		"# Title\n"                                                    /* 1 */
		"\n"                                                            /* 2 */
		"An [inline](a.md#x) link, ![img](i.png \"t\") and [ref][r].\n" /* 3 */
		"<http://a.example/auto> https://b.example/bare www.c.example\n" /* 4 */
		"mail@d.example and [**strong**][r] and [esc](e\\_f.md)\n"     /* 5 */
		"\n"                                                            /* 6 */
		"<p><a href=\"raw.md\" id=\"raw-id\">x</a></p>\n"               /* 7 */
		"\n"                                                            /* 8 */
		"`[code](no.md)` and ü [ü](u.md)\n"                             /* 9 */
		"\n"                                                            /* 10 */
		"```\n[fenced](no.md)\n```\n"                                   /* 11-13 */
		"## Title\n"                                                    /* 14 */
		"[r]: ref.md\n";                                                /* 15 */
	struct seen s;
	struct fo_md x;

	extract(doc, &s, &x);
	CHECK_HAS(s.buf, "id 1:3 title\n");
	CHECK_HAS(s.buf, "a href 3:13 a.md#x\n");      /* the URL, where it is written */
	CHECK_HAS(s.buf, "img src 3:34 i.png\n");
	CHECK_HAS(s.buf, "a href 3:49 ref.md\n");      /* a reference link: its "[" */
	CHECK_HAS(s.buf, "a href 4:2 http://a.example/auto\n");
	CHECK_HAS(s.buf, "a href 4:25 https://b.example/bare\n");
	CHECK_HAS(s.buf, "a href 4:48 http://www.c.example\n");
	CHECK_HAS(s.buf, "a href 5:1 mailto:mail@d.example\n");
	CHECK_HAS(s.buf, "a href 5:20 ref.md\n");      /* "[**strong**][r]": its "[" */
	CHECK_HAS(s.buf, "a href 5:40 e_f.md\n");      /* rebuilt by md4c: its "[" */
	CHECK_HAS(s.buf, "a href 7:13 raw.md\n");      /* raw HTML, through extract.c */
	CHECK_HAS(s.buf, "id 7:25 raw-id\n");
	CHECK_HAS(s.buf, "a href 9:27 u.md\n");        /* columns in characters */
	CHECK_HAS(s.buf, "id 14:4 title-1\n");
	CHECK_LACKS(s.buf, "no.md");                   /* code is not links */
	CHECK_EQ(x.nlinks, 11);
	CHECK_EQ(x.nanchors, 3);
}

TEST(links_md_extract_heading_text)
{
	/* the text a browser shows: code kept, emphasis markers, images' alt
	 * text and tags not; entities decoded; a setext heading's line end
	 * dropped */
	static const char doc[] = "## The `fanout` *tool* ![alt](x.png) <em>now</em> &amp; caf&eacute;\n"
				  "Two\nlines\n===\n";
	struct seen s;
	struct fo_md x;

	extract(doc, &s, &x);
	CHECK_HAS(s.buf, "id 1:4 the-fanout-tool--now--café\n");
	CHECK_HAS(s.buf, "id 2:1 twolines\n");
}

TEST(links_md_extract_limits)
{
	static const char doc[] = "[a](1) [b](2) [c](3) [d](4)\n";
	struct seen s = { .len = 0 };
	struct fo_md_opts o = { .fn = on_event, .arg = &s, .max_links = 2 };
	struct fo_md x;

	fo_extract_global_init();
	CHECK_EQ(fo_md_extract(&x, &o, doc, strlen(doc)), FO_EXTRACT_STOP);
	CHECK(x.too_many && x.stopped && x.why);
	CHECK_EQ(x.nlinks, 2);
	o.max_links = 0;
	o.max_bytes = 10;
	s.len = 0;
	CHECK_EQ(fo_md_extract(&x, &o, doc, strlen(doc)), FO_EXTRACT_STOP);
	CHECK(x.too_big && x.bytes == 10);
}

/* ---- the walk ------------------------------------------------------------------------------- */

static void mkdirs(const char *root, const char *const *dirs)
{
	char p[1024];

	for (; *dirs; dirs++) {
		snprintf(p, sizeof(p), "%s/%s", root, *dirs);
		CHECK_EQ(mkdir(p, 0755), 0);
	}
}

static void put(const char *root, const char *name, const char *text)
{
	char p[1024];

	snprintf(p, sizeof(p), "%s/%s", root, name);
	fo_test_write(p, text, strlen(text));
}

static int on_path(void *arg, const char *path)
{
	struct seen *s = arg;

	s->len += (size_t)snprintf(s->buf + s->len, sizeof(s->buf) - s->len, "%s\n", strrchr(path, '/') + 1);
	return 0;
}

TEST(links_md_walk)
{
	static const char *const dirs[] = { "r", "r/.git", "r/docs", "r/docs/sub", "out", NULL };
	const char *d = fo_test_dir();
	char root[512], p[512], t[512], err[256];
	struct seen s = { .len = 0 };

	mkdirs(d, dirs);
	put(d, "r/README.md", "x");
	put(d, "r/.git/git.md", "x");
	put(d, "r/docs/b.markdown", "x");
	put(d, "r/docs/a.MD", "x");
	put(d, "r/docs/notes.txt", "x");
	put(d, "r/docs/sub/c.md", "x");
	put(d, "out/outside.md", "x");
	snprintf(p, sizeof(p), "%s/r/docs/outside.md", d);
	snprintf(t, sizeof(t), "%s/out/outside.md", d);
	CHECK_EQ(symlink(t, p), 0);       /* leaves the tree: skipped */
	snprintf(p, sizeof(p), "%s/r/docs/inside.md", d);
	CHECK_EQ(symlink("sub/c.md", p), 0); /* stays inside: taken */
	snprintf(p, sizeof(p), "%s/r/docs/loop", d);
	CHECK_EQ(symlink("..", p), 0);    /* a folder link: not entered */
	snprintf(root, sizeof(root), "%s/r", d);
	CHECK_EQ(fo_md_walk(root, on_path, &s, err, sizeof(err)), 0);
	CHECK_STR(s.buf, "README.md\na.MD\nb.markdown\ninside.md\nc.md\n");
	snprintf(p, sizeof(p), "%s/none", d);
	CHECK(fo_md_walk(p, on_path, &s, err, sizeof(err)) < 0);
	CHECK_HAS(err, "cannot read the folder");
}

/* ---- a repository, end to end ---------------------------------------------------------------- */

/* The fixture repository: README.md and docs/guide.md, links of every
 * kind, good and broken; PORT is the loopback server's. */
static const char readme[] =
	"# Fanout Test Repo\n"
	"\n"
	"Read [the guide](docs/guide.md) and [install](docs/guide.md#install-it).\n"
	"A [bad fragment](docs/guide.md#no-such-heading) here.\n"
	"See [missing file](docs/missing.md), [the docs folder](docs/), [src](src), [nodir](nodir/).\n"
	"![logo](img/logo.png) and ![gone](img/gone.png)\n"
	"Use the [reference][guide-ref] and [broken ref][nope-ref].\n"
	"Autolink <http://127.0.0.1:PORT/ok.html> and <http://127.0.0.1:PORT/missing.html>.\n"
	"Bare http://127.0.0.1:PORT/ok.html#x too, and [mail](mailto:a@b.example).\n"
	"<a href=\"docs/nothere.html\">raw</a> and <a href=\"#fanout-test-repo\">top</a>\n"
	"Back to [top](#fanout-test-repo), [bad](#not-a-heading), [dup](docs/guide.md#setup-1).\n"
	"`[not a link](nowhere.md)`\n"
	"\n"
	"```\n"
	"[nor](in-code.md)\n"
	"```\n"
	"\n"
	"[guide-ref]: docs/guide.md\n"
	"[nope-ref]: docs/nope.md\n";

static const char guide[] =
	"# Guide\n"
	"## Install it!\n"
	"## Setup\n"
	"## Setup\n"
	"### C++ & Rust: ünïcödé 🎉\n"
	"See [readme](../README.md#fanout-test-repo), [bad](../README.md#nope), [uni](#c--rust-ünïcödé-).\n"
	"<div>\n"
	"  <img src=\"../img/logo.png\" alt=\"x\">\n"
	"  <a href=\"../img/none.png\">none</a>\n"
	"</div>\n"
	"\n"
	"[outside 404](http://127.0.0.1:PORT/missing.html) and [ok](http://127.0.0.1:PORT/ok.html)\n";

/* text with PORT replaced by port, into out. */
static void subst(const char *text, const char *port, char *out, size_t len)
{
	size_t n = 0;
	const char *p = text;

	while (*p && n + 16 < len) {
		if (!strncmp(p, "PORT", 4)) {
			n += (size_t)snprintf(out + n, sizeof(out) - n, "%s", port);
			p += 4;
		} else {
			out[n++] = *p++;
		}
	}
	out[n] = 0;
}

/* "line L:C" of the first needle in text (after the first after, if given). */
static void where(const char *text, const char *after, const char *needle, char *buf, size_t len)
{
	const char *from = after ? strstr(text, after) : text, *at, *p;
	long line = 1, col = 1;

	CHECK(from != NULL);
	at = strstr(from, needle);
	CHECK(at != NULL);
	for (p = text; p < at; p++) {
		if (*p == '\n')
			line++, col = 1;
		else if ((*p & 0xC0) != 0x80)
			col++;
	}
	snprintf(buf, len, "line %ld:%ld", line, col);
}

struct repo {
	char root[512], port[16];
	char readme[4096], guide[4096]; /* as written, PORT replaced */
	pid_t srv;
};

static void repo_start(struct repo *r)
{
	static const char *const dirs[] = { "repo", "repo/docs", "repo/img", "repo/src", "repo/.git", "www", NULL };
	const char *d = fo_test_dir();
	char www[512];
	const char *args[] = { "--root", www, "--port", "0", "--max-life", "120", NULL };

	if (system("command -v python3 >/dev/null 2>&1") != 0)
		fo_test_skip("no python3 for the test server");
	mkdirs(d, dirs);
	snprintf(www, sizeof(www), "%s/www", d);
	put(d, "www/ok.html", "<p id=\"x\">fine</p>\n");
	r->srv = fo_test_py_server("tests/fixtures/site/serve.py", args, r->port);
	snprintf(r->root, sizeof(r->root), "%s/repo", d);
	subst(readme, r->port, r->readme, sizeof(r->readme));
	subst(guide, r->port, r->guide, sizeof(r->guide));
	put(r->root, "README.md", r->readme);
	put(r->root, "docs/guide.md", r->guide);
	put(r->root, "img/logo.png", "png");
	put(r->root, "src/main.c", "int main;\n");
	put(r->root, ".git/skipped.md", "[never read](nowhere.md)\n");
}

static void repo_stop(struct repo *r)
{
	kill(r->srv, SIGTERM);
	waitpid(r->srv, NULL, 0);
}

/* Each broken link of the fixture, found at its line:col. */
static void check_findings(const char *out, const struct repo *r)
{
	static const struct { const char *file, *after, *needle, *url; } broken[] = {
		{ "README.md", NULL, "docs/guide.md#no-such-heading", "docs/guide.md#no-such-heading" },
		{ "README.md", NULL, "docs/missing.md", "docs/missing.md" },
		{ "README.md", NULL, "nodir/", "nodir/" },
		{ "README.md", NULL, "img/gone.png", "img/gone.png" },
		{ "README.md", NULL, "[broken ref]", "docs/nope.md" },
		{ "README.md", NULL, "http://127.0.0.1:PORT/missing", "/missing.html" },
		{ "README.md", NULL, "docs/nothere.html", "docs/nothere.html" },
		{ "README.md", NULL, "#not-a-heading", "README.md#not-a-heading" },
		{ "guide.md", NULL, "../README.md#nope", "README.md#nope" },
		{ "guide.md", NULL, "../img/none.png", "img/none.png" },
		{ "guide.md", NULL, "http://127.0.0.1:PORT/missing", "/missing.html" },
	};
	size_t i;

	for (i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		char at[64], want[256], needle[128];
		const char *text = !strcmp(broken[i].file, "README.md") ? r->readme : r->guide;

		subst(broken[i].needle, r->port, needle, sizeof(needle));
		where(text, broken[i].after, needle, at, sizeof(at));
		snprintf(want, sizeof(want), "%s  %s <", broken[i].url, at);
		CHECK_HAS(out, want);
	}
	/* and nothing else: no false alarm */
	CHECK_HAS(out, ", 11 broken links (");
	CHECK_LACKS(out, "skipped.md");
	CHECK_LACKS(out, "nowhere.md");
	CHECK_LACKS(out, "in-code.md");
}

TEST_T(links_md_repo_every_broken_link, 120)
{
	struct repo r;
	char *out = NULL, *err = NULL;
	int rc;

	repo_start(&r);
	rc = fo_test_cli(&out, &err, "links", r.root, "--timeout", "20s", NULL);
	CHECK_EQ(rc, 1);
	check_findings(out, &r);
	CHECK_HAS(out, "2 pages,");
	free(out);
	free(err);
	/* JSON carries the column too */
	rc = fo_test_cli(&out, &err, "links", r.root, "--format", "json", NULL);
	CHECK_EQ(rc, 1);
	CHECK_HAS(out, "\"line\":4,\"col\":18,\"tag\":\"a href\"");
	free(out);
	free(err);
	repo_stop(&r);
}

TEST_T(links_md_files_and_urls_mixed, 120)
{
	struct repo r;
	char readme_path[600], guide_path[600], url[128], *out = NULL, *err = NULL;
	int rc;

	repo_start(&r);
	snprintf(readme_path, sizeof(readme_path), "%s/README.md", r.root);
	snprintf(guide_path, sizeof(guide_path), "%s/docs/guide.md", r.root);
	snprintf(url, sizeof(url), "http://127.0.0.1:%s/ok.html", r.port);
	rc = fo_test_cli(&out, &err, "links", readme_path, guide_path, url, NULL);
	CHECK_EQ(rc, 1);
	check_findings(out, &r);
	free(out);
	free(err);
	repo_stop(&r);
}

TEST(links_md_folder_without_markdown)
{
	const char *d = fo_test_dir();
	char *out = NULL, *err = NULL;
	int rc;

	rc = fo_test_cli(&out, &err, "links", d, NULL);
	CHECK_EQ(rc, 2);
	CHECK_HAS(err, "no index.html and no Markdown file");
	free(out);
	free(err);
}

/* --format github annotates a Markdown file's broken links at their line
 * and column (file= relative to the working directory, as a workflow
 * checks the repository out). */
TEST(links_md_github_line_and_col)
{
	char dir[512], path[600], *out = NULL, *err = NULL;
	static const char md[] = "# T\n\nsee [x](missing.md) and [y](#nope)\n";
	int rc;

	CHECK(mkdir("build", 0755) == 0 || errno == EEXIST);
	snprintf(dir, sizeof(dir), "build/test-md-col-%d", (int)getpid());
	CHECK(mkdir(dir, 0755) == 0);
	snprintf(path, sizeof(path), "%s/README.md", dir);
	fo_test_write(path, md, strlen(md));
	rc = fo_test_cli(&out, &err, "links", path, "--format", "github", NULL);
	CHECK_EQ(rc, 1);
	CHECK_HAS(out, ",line=3,col=9,title=broken link::");
	CHECK_HAS(out, ",line=3,col=29,title=broken fragment::");
	CHECK_HAS(out, "::error file=build/test-md-col-");
	free(out), free(err);
	/* the other formats carry the column too */
	CHECK_EQ(fo_test_cli(&out, &err, "links", path, "--format", "csv", NULL), 1);
	CHECK_HAS(out, "page,line,col,tag,url,status,reason\n");
	CHECK_HAS(out, ",3,9,\"a href\",");
	CHECK_HAS(out, ",3,29,\"a href\",");
	free(out), free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "links", path, "--format", "junit", NULL), 1);
	CHECK_HAS(out, ">line 3:9</failure>");
	free(out), free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "links", path, "--format", "markdown", NULL), 1);
	CHECK_HAS(out, " | 3:9 | ");
	free(out), free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "links", path, "--format", "json", NULL), 1);
	CHECK_HAS(out, "\"line\":3,\"col\":9,");
	unlink(path);
	rmdir(dir);
	free(out);
	free(err);
}
