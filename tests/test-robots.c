/* robots.txt as RFC 9309 reads it (src/links/robots.c). */
#include "../src/links/robots.h"
#include "test.h"

static bool allowed(const char *txt, const char *path)
{
	struct fo_robots *r = fo_robots_parse(txt, strlen(txt), "fanout");
	bool a;

	CHECK(r != NULL);
	a = fo_robots_allowed(r, path);
	fo_robots_free(r);
	return a;
}

TEST(robots_groups_and_longest_match)
{
	const char *t = "User-agent: *\nDisallow: /private/\nAllow: /private/open/\n\n"
			"User-agent: otherbot\nDisallow: /\n";

	CHECK(allowed(t, "/"));
	CHECK(!allowed(t, "/private/x.html"));
	CHECK(allowed(t, "/private/open/x.html"));
	CHECK(allowed(t, "/privatex"));
	/* our own group wins over "*", whatever its order */
	CHECK(!allowed("User-agent: *\nAllow: /\nUser-agent: FanOut/1.0\nDisallow: /a\n", "/a/b"));
	CHECK(allowed("User-agent: fanoutish\nDisallow: /\n", "/x")); /* another product */
	/* several agents share a group */
	CHECK(!allowed("User-agent: a\nUser-agent: fanout\nDisallow: /x\n", "/x"));
	/* a tie: allow wins */
	CHECK(allowed("User-agent: *\nDisallow: /a\nAllow: /a\n", "/a"));
	/* empty Disallow allows all; robots.txt itself is always allowed */
	CHECK(allowed("User-agent: *\nDisallow:\n", "/x"));
	CHECK(allowed("User-agent: *\nDisallow: /\n", "/robots.txt"));
}

TEST(robots_wildcards_comments_and_delay)
{
	const char *t = "# comment\nuser-agent: * # trailing\ndisallow: /*.pdf$\ndisallow: /q*x\n"
			"crawl-delay: 2.5\n";
	struct fo_robots *r = fo_robots_parse(t, strlen(t), "fanout");

	CHECK(!fo_robots_allowed(r, "/a/b.pdf"));
	CHECK(fo_robots_allowed(r, "/a/b.pdf?x=1"));
	CHECK(!fo_robots_allowed(r, "/q123x"));
	CHECK(!fo_robots_allowed(r, "/qx/more"));
	CHECK(fo_robots_allowed(r, "/q123"));
	CHECK(fo_robots_delay(r) == 2.5);
	fo_robots_free(r);
}

TEST(robots_garbage)
{
	char junk[4096];
	size_t i;
	struct fo_robots *r;

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (char)((i * 131 + 7) & 0xff);
	r = fo_robots_parse(junk, sizeof(junk), "fanout");
	CHECK(r != NULL);
	(void)fo_robots_allowed(r, "/");
	fo_robots_free(r);
	/* an HTML error page served as robots.txt: no rules */
	CHECK(allowed("<html><body>Not found: Disallow: / </body></html>", "/x"));
}
