/*
 * `fanout links`'s flags come from one table (src/links/links_opts.c):
 * every shown flag is in --help, every value flag takes --flag=VALUE,
 * repeats only where the table says so, and bad usage is the one format.
 * Against a local folder, so nothing goes to the network.
 */
#include <stddef.h>
#include <stdio.h>

#include "../src/links/links.h"
#include "test.h"

static bool takes_value(const struct fo_opt *o)
{
	return o->kind != FO_OPT_BOOL && o->kind != FO_OPT_FLAG;
}

/* A valid value for o: its default, or a sample for those without one
 * (a new flag without either fails the test: add a sample here). */
static const char *sample(const struct fo_opt *o, const char *dir, char *buf, size_t len)
{
	static const char *const fixed[][2] = {
		{ "include", "index" }, { "exclude", "^nothing$" }, { "header", "X-Test: 1" },
		{ "cookies", "a=b" },   { "rate", "10" }, { "base", "https://example.com/docs/" },
	};
	size_t i;

	if (!strcmp(o->name, "root-dir")) {
		snprintf(buf, len, "%s", dir);
		return buf;
	}
	if (!strcmp(o->name, "scope")) {
		snprintf(buf, len, "file://%s/", dir);
		return buf;
	}
	if (!strcmp(o->name, "sitemap")) {
		static const char sm[] = "<urlset><url><loc>index.html</loc></url></urlset>\n";

		snprintf(buf, len, "%s/sitemap.xml", dir);
		fo_test_write(buf, sm, sizeof(sm) - 1);
		return buf;
	}
	if (!strcmp(o->name, "output") || !strcmp(o->name, "cache")) {
		snprintf(buf, len, "%s/%s.out", dir, o->name);
		return buf;
	}
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (!strcmp(o->name, fixed[i][0]))
			return fixed[i][1];
	return o->def;
}

/* Runs `fanout links DIR args...` (at most 4); says which on a wrong exit. */
static void run(int want, char **err, const char *dir, const char *a, const char *b, const char *c,
		const char *d)
{
	const char *args[] = { "links", dir, a, b, c, d, NULL };
	char *out = NULL, *e = NULL;
	int rc = fo_test_cliv(&out, &e, args);

	if (rc != want)
		fprintf(stderr, "links %s %s %s %s: exit %d, not %d: %s\n", a ? a : "", b ? b : "", c ? c : "",
			d ? d : "", rc, want, e ? e : "");
	CHECK_EQ(rc, want);
	free(out);
	if (err)
		*err = e;
	else
		free(e);
}

static const char *site(void)
{
	const char *dir = fo_test_dir();
	char path[512];
	static const char page[] = "<html><body><a href=\"index.html\">self</a></body></html>\n";

	snprintf(path, sizeof(path), "%s/index.html", dir);
	fo_test_write(path, page, sizeof(page) - 1);
	return dir;
}

TEST(links_opts_table_in_help)
{
	const struct fo_opt *o;
	char *out = NULL, *err = NULL, want[128];

	CHECK_EQ(fo_test_cli(&out, &err, "links", "--help", NULL), 0);
	for (o = fo_links_opts.opts; o->name; o++) {
		size_t k = 0;

		if (o->flags & FO_OPT_HIDDEN)
			continue;
		if (o->shrt)
			k = (size_t)snprintf(want, sizeof(want), "-%c, ", o->shrt);
		snprintf(want + k, sizeof(want) - k, "--%s%s%s%s", o->kind == FO_OPT_BOOL && o->def ? "[no-]" : "",
			 o->name, takes_value(o) ? " " : "  ", takes_value(o) ? o->arg : "");
		CHECK_HAS(out, want);
	}
	CHECK_HAS(out, "usage: fanout links [options] URL|PATH...");
	CHECK_HAS(out, "-h, --help");
	CHECK_HAS(out, "Every flag takes `--flag value` and `--flag=value`");
	CHECK_HAS(out, "Exit: 0 nothing broken");
	CHECK(!err || !*err);
	free(out), free(err);
}

/* Every value flag as --flag=VALUE and as --flag VALUE; twice only when
 * the table says REPEAT; every boolean as --flag and --no-flag. */
TEST_T(links_opts_table, 180)
{
	const char *dir = site();
	const struct fo_opt *o;
	char eq[1200], val[512], flag[128], want[256], *err;
	/* what users repeat today, and the short names */
	static const char *const repeat[] = { "header", "include", "exclude" };
	size_t i;

	for (i = 0; i < sizeof(repeat) / sizeof(repeat[0]); i++) {
		for (o = fo_links_opts.opts; o->name && strcmp(o->name, repeat[i]); o++)
			;
		CHECK(o->name && (o->flags & FO_OPT_REPEAT));
	}
	run(0, NULL, dir, "-H", "A: 1", "-HB: 2", NULL);
	run(0, NULL, dir, "-o", "/dev/null", NULL, NULL);
	for (o = fo_links_opts.opts; o->name; o++) {
		const char *v = takes_value(o) ? sample(o, dir, val, sizeof(val)) : NULL;

		snprintf(flag, sizeof(flag), "--%s", o->name);
		if (!takes_value(o)) {
			run(0, NULL, dir, flag, NULL, NULL, NULL);
			snprintf(eq, sizeof(eq), "--no-%s", o->name);
			run(o->kind == FO_OPT_BOOL ? 0 : 2, NULL, dir, eq, NULL, NULL, NULL);
			continue;
		}
		if (!v)
			fprintf(stderr, "--%s: no default and no sample in tests/test-links-opts.c\n", o->name);
		CHECK(v);
		snprintf(eq, sizeof(eq), "--%s=%s", o->name, v);
		run(0, NULL, dir, eq, NULL, NULL, NULL);
		run(0, NULL, dir, flag, v, NULL, NULL);
		if (o->flags & FO_OPT_REPEAT) {
			run(0, NULL, dir, eq, flag, v, NULL);
			continue;
		}
		run(2, &err, dir, eq, flag, v, NULL);
		snprintf(want, sizeof(want), "fanout: '--%s' is given more than once (see fanout links --help)\n",
			 o->name);
		CHECK_STR(err, want);
		free(err);
	}
}

/* Bad usage: exit 2 and one line, in the one format, nothing on stdout. */
TEST(links_opts_bad_usage)
{
	static const char *const bad[][3] = {
		{ "--max-depth=-1", NULL, "fanout: bad --max-depth '-1': expected a whole number from 0 to 1000000\n" },
		{ "--max-pages", "0", "fanout: bad --max-pages '0': expected a whole number from 1 to 1000000000\n" },
		{ "--format=xml", NULL, "fanout: bad --format 'xml': expected one of text, json, junit, markdown, csv, github, "
		  "sarif\n" },
		{ "--timeout=5 s", NULL,
		  "fanout: bad --timeout '5 s': expected a duration from 1ms to 24h, such as 5s or 500ms\n" },
		{ "--max-page=16E", NULL, "fanout: bad --max-page '16E': expected a size from 1K to 1G, such as 512K or 10M\n" },
		{ "--rate=inf", NULL,
		  "fanout: bad --rate 'inf': expected requests per second from 0.001 to 1000000, such as 10 or 0.5\n" },
		{ "-H", "nocolon", "fanout: bad -H 'nocolon': expected 'Name: value'\n" },
		{ "--header=nocolon", NULL, "fanout: bad --header 'nocolon': expected 'Name: value'\n" },
		{ "--exclude=(", NULL, "fanout: bad --exclude '(': expected an extended regular expression\n" },
		{ "--scope=docs/", NULL,
		  "fanout: bad --scope 'docs/': expected an absolute URL prefix such as https://example.com/docs/\n" },
		{ "--model=processes:2", NULL,
		  "fanout: bad --model 'processes:2': expected loop, coro:N, threads:N or sequential (one process "
		  "holds the crawl)\n" },
		{ "--cache=", NULL, "fanout: bad --cache '': expected a path\n" },
		{ "--bogus", NULL, "fanout: unknown option '--bogus' (see fanout links --help)\n" },
		{ "-x", NULL, "fanout: unknown option '-x' (see fanout links --help)\n" },
		{ "--rate", NULL, "fanout: '--rate' needs a value (see fanout links --help)\n" },
		{ "--insecure=yes", NULL, "fanout: '--insecure' takes no value (see fanout links --help)\n" },
		{ "--no-timeout", NULL, "fanout: unknown option '--no-timeout' (see fanout links --help)\n" },
	};
	const char *dir = site();
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *args[] = { "links", dir, bad[i][0], bad[i][1], NULL };
		char *out = NULL, *err = NULL;

		CHECK_EQ(fo_test_cliv(&out, &err, args), 2);
		CHECK_STR(err, bad[i][2]);
		CHECK(!out || !*out);
		free(out), free(err);
	}
}

/* --include and --exclude repeat: a URL is checked when it matches no
 * --exclude and one --include. */
TEST(links_opts_patterns_repeat)
{
	const char *dir = fo_test_dir();
	char path[512], *out = NULL, *err = NULL;
	static const char page[] = "<html><body><a href=\"a.html\">a</a> <a href=\"b.html\">b</a></body></html>\n";

	snprintf(path, sizeof(path), "%s/index.html", dir);
	fo_test_write(path, page, sizeof(page) - 1);
	CHECK_EQ(fo_test_cli(&out, &err, "links", dir, NULL), 1);
	CHECK_HAS(out, "2 broken links");
	free(out), free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "links", dir, "--exclude", "/a\\.html$", "--exclude=/b\\.html$", NULL), 0);
	CHECK_HAS(out, "0 broken links");
	CHECK_HAS(out, "2 excluded");
	free(out), free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "links", dir, "--include", "/index\\.html$", "--include=/a\\.html$", NULL), 1);
	CHECK_HAS(out, "/a.html");
	CHECK_LACKS(out, "/b.html");
	CHECK_HAS(out, "1 excluded");
	free(out), free(err);
}
