/*
 * `fanout links` for CI: --format github (the exact workflow commands for
 * a local site with broken links, escaped as @actions/core does), --format
 * sarif (its structure checked with Python's json module against the
 * fields SARIF 2.1.0 requires), and --sitemap against sitemaps served on
 * loopback by the test site's server: good, broken and redirecting
 * entries, an index, gzip, malformed sitemaps and the bounds.
 */
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../src/links/report.h"
#include "../src/links/sitemap.h"
#include "test.h"

static void put(const char *dir, const char *name, const char *text)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fo_test_write(path, text, strlen(text));
}

/* ---- escaping ---------------------------------------------------------------------------- */

static char *escaped(const char *s, bool property)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK(f != NULL);
	fo__gh_escape(f, s, property);
	fclose(f);
	return buf;
}

TEST(links_ci_github_escape)
{
	char *a = escaped("100% a:b,c\r\n::error::x", false), *b = escaped("100% a:b,c\r\n::error::x", true);

	CHECK_STR(a, "100%25 a:b,c%0D%0A::error::x");
	CHECK_STR(b, "100%25 a%3Ab%2Cc%0D%0A%3A%3Aerror%3A%3Ax");
	free(a), free(b);
}

/* ---- --format github and sarif on a local site --------------------------------------------- */

/* A site in a folder under the working directory (so that file= is a
 * relative path, as in a workflow): its name in dir. */
static void local_site(char *dir, size_t len)
{
	char cmd[300];

	snprintf(dir, len, "build/test-links-ci.%d", (int)getpid());
	snprintf(cmd, sizeof(cmd), "rm -rf %s && mkdir -p %s/sub", dir, dir);
	CHECK_EQ(system(cmd), 0);
	put(dir, "index.html",
	    "<html><body>\n"
	    "<a href=\"sub/ok.html\">fine</a>\n"
	    "<p>text <a href=\"missing.html\">broken</a>\n"
	    "<img\n  src=\"nope.png\"></p>\n"
	    "<a href=\"sub/ok.html#gone\">fragment</a>\n"
	    "<a href=\"we,ird:page.html\">fine too</a>\n"
	    "</body></html>\n");
	put(dir, "sub/ok.html", "<html><body><h1 id=\"here\">ok</h1></body></html>\n");
	put(dir, "we,ird:page.html", "<html><body>\n\n<a href=\"100%25.html\">broken</a></body></html>\n");
}

static void rm_site(const char *dir)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK_EQ(system(cmd), 0);
}

TEST(links_ci_github_exact)
{
	char dir[128], cwd[512], want[16384], *out = NULL, *err = NULL;

	local_site(dir, sizeof(dir));
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	CHECK_EQ(fo_test_cli(&out, &err, "links", dir, "--format", "github", NULL), 1);
	/* the line of an element is where its start tag ends (libxml2's) */
	snprintf(want, sizeof(want),
		 "::error file=%s/index.html,line=3,title=broken link::file://%s/%s/missing.html: cannot open "
		 "'%s/%s/missing.html': No such file or directory\n"
		 "::error file=%s/index.html,line=5,title=broken link::file://%s/%s/nope.png: cannot open "
		 "'%s/%s/nope.png': No such file or directory\n"
		 "::error file=%s/index.html,line=6,title=broken fragment::file://%s/%s/sub/ok.html#gone: no id or "
		 "name 'gone' in the page\n"
		 "::error file=%s/we%%2Cird%%3Apage.html,line=3,title=broken link::file://%s/%s/100%%2525.html: "
		 "cannot open '%s/%s/100%%25.html': No such file or directory\n",
		 dir, cwd, dir, cwd, dir, dir, cwd, dir, cwd, dir, dir, cwd, dir, dir, cwd, dir, cwd, dir);
	CHECK(strncmp(out, want, strlen(want)) == 0 || (fprintf(stderr, "got:\n%s\nwant:\n%s", out, want), 0));
	/* then the summary, one plain line */
	CHECK_HAS(out + strlen(want), "4 broken links");
	CHECK_EQ(strchr(out + strlen(want), '\n') - (out + strlen(want)) + 1, (long)strlen(out + strlen(want)));
	free(out), free(err);
	rm_site(dir);
}

/* The required fields of SARIF 2.1.0 (sarif-schema-2.1.0.json: sarifLog
 * version and runs; run tool; tool driver; toolComponent name;
 * reportingDescriptor id; result message; message text or id;
 * invocation executionSuccessful; region startLine >= 1), with the types
 * the schema gives, and what code scanning needs on top (a location). */
static const char sarif_check[] =
	"import json, sys\n"
	"log = json.load(open(sys.argv[1]))\n"
	"def need(o, k, t):\n"
	"    assert isinstance(o, dict) and k in o, 'missing %s in %r' % (k, o)\n"
	"    assert isinstance(o[k], t), '%s: %r' % (k, o[k])\n"
	"    return o[k]\n"
	"assert need(log, 'version', str) == '2.1.0'\n"
	"assert log.get('$schema', '').endswith('sarif-2.1.0.json')\n"
	"runs = need(log, 'runs', list)\n"
	"assert len(runs) == 1\n"
	"for run in runs:\n"
	"    drv = need(need(run, 'tool', dict), 'driver', dict)\n"
	"    assert need(drv, 'name', str) == 'fanout links'\n"
	"    need(drv, 'version', str)\n"
	"    rules = need(drv, 'rules', list)\n"
	"    ids = [need(r, 'id', str) for r in rules]\n"
	"    assert len(set(ids)) == len(ids)\n"
	"    for r in rules:\n"
	"        need(need(r, 'shortDescription', dict), 'text', str)\n"
	"        assert need(need(r, 'defaultConfiguration', dict), 'level', str) in ('none', 'note', 'warning', 'error')\n"
	"    for inv in run.get('invocations', []):\n"
	"        need(inv, 'executionSuccessful', bool)\n"
	"    res = need(run, 'results', list)\n"
	"    for x in res:\n"
	"        assert need(x, 'ruleId', str) in ids\n"
	"        assert ids[need(x, 'ruleIndex', int)] == x['ruleId']\n"
	"        assert need(x, 'level', str) in ('none', 'note', 'warning', 'error')\n"
	"        need(need(x, 'message', dict), 'text', str)\n"
	"        locs = need(x, 'locations', list)\n"
	"        assert len(locs) == 1\n"
	"        pl = need(locs[0], 'physicalLocation', dict)\n"
	"        need(need(pl, 'artifactLocation', dict), 'uri', str)\n"
	"        if 'region' in pl:\n"
	"            assert need(pl['region'], 'startLine', int) >= 1\n"
	"    print('%d results' % len(res))\n"
	"    for x in res:\n"
	"        pl = x['locations'][0]['physicalLocation']\n"
	"        print(x['ruleId'], pl['artifactLocation']['uri'], pl.get('region', {}).get('startLine', 0))\n";

TEST(links_ci_sarif_structure)
{
	char dir[128], report[300], cmd[700], got[4096], *out = NULL, *err = NULL;
	const char *script = fo_test_put("check_sarif.py", sarif_check, sizeof(sarif_check) - 1);
	FILE *p;
	size_t n;

	if (system("command -v python3 >/dev/null 2>&1") != 0)
		fo_test_skip("no python3");
	local_site(dir, sizeof(dir));
	snprintf(report, sizeof(report), "%s/links.sarif", fo_test_dir());
	CHECK_EQ(fo_test_cli(&out, &err, "links", dir, "--format", "sarif", "-o", report, NULL), 1);
	snprintf(cmd, sizeof(cmd), "python3 %s %s 2>&1", script, report);
	p = popen(cmd, "r");
	CHECK(p != NULL);
	n = fread(got, 1, sizeof(got) - 1, p);
	got[n] = 0;
	CHECK_EQ(pclose(p), 0);
	snprintf(cmd, sizeof(cmd),
		 "4 results\nbroken-link %s/index.html 3\nbroken-link %s/index.html 5\n"
		 "broken-fragment %s/index.html 6\nbroken-link %s/we%%2Cird%%3Apage.html 3\n",
		 dir, dir, dir, dir);
	CHECK_STR(got, cmd);
	free(out), free(err);
	rm_site(dir);
}

/* ---- --sitemap ---------------------------------------------------------------------------- */

struct smsite {
	char dir[300], port[16], base[64];
	pid_t pid;
};

static void sm_start(struct smsite *s)
{
	const char *args[] = { "--root", s->dir, "--port", "0", "--max-life", "300", NULL };
	char cmd[700], text[4096];
	const char *b = s->base;

	snprintf(s->dir, sizeof(s->dir), "%s/site", fo_test_dir());
	CHECK_EQ(mkdir(s->dir, 0755), 0);
	s->pid = fo_test_py_server("tests/fixtures/site/serve.py", args, s->port);
	snprintf(s->base, sizeof(s->base), "http://127.0.0.1:%s", s->port);
	put(s->dir, "a.html", "<html><body><a href=\"b.html\">b</a></body></html>\n");
	put(s->dir, "b.html", "<html><body>b</body></html>\n");
	snprintf(text, sizeof(text),
		 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		 "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"\n"
		 "        xmlns:image=\"http://www.google.com/schemas/sitemap-image/1.1\">\n"
		 "  <url><loc>%s/a.html</loc><lastmod>2026-01-01</lastmod></url>\n"
		 "  <url><loc>%s/missing.html</loc></url>\n"
		 "  <url>\n"
		 "    <loc>\n      %s/redirect/301/b.html?x=1&amp;y=2\n    </loc>\n"
		 "    <image:image><image:loc>%s/not-an-entry.png</image:loc></image:image>\n"
		 "  </url>\n"
		 "</urlset>\n", b, b, b, b);
	put(s->dir, "sitemap.xml", text);
	snprintf(text, sizeof(text),
		 "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><url><loc>%s/b.html</loc></url>\n"
		 "<url><loc>%s/gz-missing.html</loc></url></urlset>\n", b, b);
	put(s->dir, "plain2.xml", text);
	snprintf(cmd, sizeof(cmd), "gzip -c %s/plain2.xml >%s/sitemap2.xml.gz", s->dir, s->dir);
	CHECK_EQ(system(cmd), 0);
	snprintf(text, sizeof(text),
		 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		 "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
		 "  <sitemap><loc>%s/sitemap.xml</loc></sitemap>\n"
		 "  <sitemap><loc>%s/sitemap2.xml.gz</loc></sitemap>\n"
		 "  <sitemap><loc>%s/index.xml</loc></sitemap>\n"
		 "</sitemapindex>\n", b, b, b);
	put(s->dir, "index.xml", text);
	snprintf(text, sizeof(text),
		 "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
		 "<sitemap><loc>%s/index.xml</loc></sitemap></sitemapindex>\n", b);
	put(s->dir, "index2.xml", text);
}

static void sm_stop(struct smsite *s)
{
	kill(s->pid, SIGTERM);
	waitpid(s->pid, NULL, 0);
}

TEST_T(links_ci_sitemap_entries, 120)
{
	struct smsite s;
	char url[128], want[1024], *out = NULL, *err = NULL;

	sm_start(&s);
	snprintf(url, sizeof(url), "%s/sitemap.xml", s.base);
	CHECK_EQ(fo_test_cli(&out, &err, "links", "--sitemap", url, NULL), 1);
	snprintf(want, sizeof(want),
		 "%s/sitemap.xml\n"
		 "  %s/missing.html  line 5 <loc>: HTTP 404\n"
		 "  %s/redirect/301/b.html?x=1&y=2  line 7 <loc>: redirects to %s/b.html?x=1&y=2: a sitemap "
		 "should list the final URL\n\n",
		 s.base, s.base, s.base, s.base);
	CHECK(strncmp(out, want, strlen(want)) == 0 || (fprintf(stderr, "got:\n%s\nwant:\n%s", out, want), 0));
	CHECK_LACKS(out, "a.html");
	CHECK_LACKS(out, "not-an-entry");
	free(out), free(err);

	/* as GitHub commands: no file (the sitemap is on a server) */
	CHECK_EQ(fo_test_cli(&out, &err, "links", "--sitemap", url, "--format", "github", NULL), 1);
	snprintf(want, sizeof(want),
		 "::error title=broken sitemap entry::%s/missing.html: HTTP 404 (in %s/sitemap.xml, line 5)\n"
		 "::warning title=sitemap entry redirects::%s/redirect/301/b.html?x=1&y=2: redirects to "
		 "%s/b.html?x=1&y=2: a sitemap should list the final URL (in %s/sitemap.xml, line 7)\n",
		 s.base, s.base, s.base, s.base, s.base);
	CHECK(strncmp(out, want, strlen(want)) == 0 || (fprintf(stderr, "got:\n%s\nwant:\n%s", out, want), 0));
	free(out), free(err);

	/* the entries are crawled: a.html's link to b.html is checked, and
	 * with --max-depth 0 it is not */
	CHECK_EQ(fo_test_cli(&out, &err, "links", "--sitemap", url, "--format", "json", NULL), 1);
	CHECK_HAS(out, "\"kind\":\"redirect\"");
	CHECK_HAS(out, "\"kind\":\"http\"");
	free(out), free(err);
	sm_stop(&s);
}

TEST_T(links_ci_sitemap_index, 120)
{
	struct smsite s;
	char url[128], local[400], *out = NULL, *err = NULL;

	sm_start(&s);
	/* index → sitemap.xml, sitemap2.xml.gz (gzip'd), and itself (read once) */
	snprintf(url, sizeof(url), "%s/index.xml", s.base);
	CHECK_EQ(fo_test_cli(&out, &err, "links", "--sitemap", url, "--format", "csv", NULL), 1);
	CHECK_HAS(out, "/missing.html\",404,");
	CHECK_HAS(out, "/redirect/301/b.html?x=1&y=2\",200,\"redirects to");
	CHECK_HAS(out, "/sitemap2.xml.gz\",2,0,\"loc\",\"");
	CHECK_HAS(out, "/gz-missing.html\",404,");
	free(out), free(err);

	/* a local sitemap file is read as a file, its entries checked */
	snprintf(local, sizeof(local), "%s/index.xml", s.dir);
	CHECK_EQ(fo_test_cli(&out, &err, "links", "--sitemap", local, "--format", "json", NULL), 1);
	CHECK_HAS(out, "gz-missing.html");
	free(out), free(err);

	/* nesting: index2 → index → sitemaps is two levels */
	snprintf(url, sizeof(url), "%s/index2.xml", s.base);
	CHECK_EQ(fo_test_cli(&out, &err, "links", "--sitemap", url, "--sitemap-max-depth", "1", NULL), 2);
	CHECK_HAS(err, "nests deeper than --sitemap-max-depth 1 (raise it)");
	free(out), free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "links", "--sitemap", url, "--format", "json", NULL), 1);
	CHECK_HAS(out, "gz-missing.html");
	free(out), free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "links", "--sitemap", url, "--sitemap-max-files", "2", NULL), 2);
	CHECK_HAS(err, "more than --sitemap-max-files 2 sitemaps (raise it)");
	free(out), free(err);
	sm_stop(&s);
}

TEST_T(links_ci_sitemap_errors, 120)
{
	struct smsite s;
	char url[128], path[400], big[3000], *out = NULL, *err = NULL;
	size_t i;

	sm_start(&s);
	put(s.dir, "bad.xml", "<?xml version=\"1.0\"?>\n<urlset>\n<url><loc>x</url>\n</urlset>\n");
	put(s.dir, "feed.xml", "<rss version=\"2.0\"><channel/></rss>\n");
	snprintf(url, sizeof(url), "%s/bad.xml", s.base);
	CHECK_EQ(fo_test_cli(&out, &err, "links", "--sitemap", url, NULL), 2);
	snprintf(path, sizeof(path), "fanout: sitemap '%s': line 3: Opening and ending tag mismatch", url);
	CHECK_HAS(err, path);
	CHECK_EQ(strchr(err, '\n') - err + 1, (long)strlen(err)); /* one line */
	free(out), free(err);

	snprintf(path, sizeof(path), "%s/feed.xml", s.dir);
	CHECK_EQ(fo_test_cli(&out, &err, "links", "--sitemap", path, NULL), 2);
	CHECK_HAS(err, "feed.xml': not a sitemap: its root element is <rss>, not <urlset> or <sitemapindex>\n");
	free(out), free(err);

	snprintf(url, sizeof(url), "%s/none.xml", s.base);
	CHECK_EQ(fo_test_cli(&out, &err, "links", "--sitemap", url, NULL), 2);
	snprintf(path, sizeof(path), "fanout: cannot read sitemap '%s': HTTP 404\n", url);
	CHECK_STR(err, path);
	free(out), free(err);

	/* bounds: bytes (served and gunzip'd), entries */
	for (i = 0; i + 1 < sizeof(big); i++)
		big[i] = ' ';
	big[sizeof(big) - 1] = 0;
	memcpy(big, "<urlset>", 8);
	memcpy(big + sizeof(big) - 10, "</urlset>", 9);
	put(s.dir, "big.xml", big);
	snprintf(url, sizeof(url), "%s/big.xml", s.base);
	CHECK_EQ(fo_test_cli(&out, &err, "links", "--sitemap", url, "--sitemap-max-size", "1K", NULL), 2);
	CHECK_HAS(err, "big.xml': larger than --sitemap-max-size 1024 bytes (raise it)");
	free(out), free(err);
	snprintf(url, sizeof(url), "%s/sitemap.xml", s.base);
	CHECK_EQ(fo_test_cli(&out, &err, "links", "--sitemap", url, "--sitemap-max-urls", "2", NULL), 2);
	CHECK_HAS(err, "sitemap.xml': line 7: more than --sitemap-max-urls 2 entries in all (raise it)");
	free(out), free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "links", "--sitemap", "", NULL), 2);
	free(out), free(err);
	sm_stop(&s);
}

/* ---- the parser and gunzip, directly ------------------------------------------------------------- */

static int count_loc(void *arg, int kind, const char *loc, size_t len, long line)
{
	(void)kind, (void)loc, (void)len, (void)line;
	(*(int *)arg)++;
	return 0;
}

TEST(links_ci_sitemap_parse)
{
	static const char laughs[] = "<?xml version=\"1.0\"?>\n<!DOCTYPE urlset [<!ENTITY a \"aaaaaaaaaa\">"
				     "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>\n"
				     "<urlset><url><loc>https://x/&b;</loc></url></urlset>\n";
	static const char ok[] = "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><url><loc> "
				 "https://x/?a=1&amp;b=2 </loc></url><url><loc><![CDATA[https://x/c]]></loc></url>"
				 "<url><other><loc>https://x/no</loc></other></url></urlset>";
	char err[256], cmd[300], *z = NULL, *text = NULL;
	size_t zlen = 0, tlen = 0;
	int n = 0;

	CHECK_EQ(fo_sitemap_parse(ok, sizeof(ok) - 1, count_loc, &n, err, sizeof(err)), FO_SITEMAP_URLSET);
	CHECK_EQ(n, 2);
	n = 0;
	/* a declared entity is not defined to us: an error, never expanded */
	CHECK_EQ(fo_sitemap_parse(laughs, sizeof(laughs) - 1, count_loc, &n, err, sizeof(err)), -EINVAL);
	CHECK_HAS(err, "Entity 'b' not defined");
	CHECK_EQ(n, 0);
	CHECK_EQ(fo_sitemap_parse("", 0, count_loc, &n, err, sizeof(err)), -EINVAL);
	CHECK_HAS(err, "line 1: ");

	/* a zip bomb stops at the bound: 4 MB of zeros, 1 MB allowed */
	snprintf(cmd, sizeof(cmd), "head -c 4000000 /dev/zero | gzip -c >%s/bomb.gz", fo_test_dir());
	CHECK_EQ(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s/bomb.gz", fo_test_dir());
	z = fo_test_read(cmd);
	CHECK(z != NULL);
	{
		struct stat st;

		CHECK_EQ(stat(cmd, &st), 0);
		zlen = (size_t)st.st_size;
	}
	CHECK(fo_sitemap_is_gzip(z, zlen));
	CHECK_EQ(fo_sitemap_gunzip(z, zlen, 1 << 20, &text, &tlen), -EFBIG);
	CHECK_EQ(fo_sitemap_gunzip(z, zlen, 4000000, &text, &tlen), 0);
	CHECK_EQ(tlen, 4000000);
	free(text);
	CHECK_EQ(fo_sitemap_gunzip(z, zlen / 2, 4000000, &text, &tlen), -EINVAL); /* cut short */
	free(z);
}
