/* The results cache file of `fanout links --cache` (src/links/cache.c). */
#include <unistd.h>

#include "../src/links/cache.h"
#include "test.h"

TEST(links_cache_file)
{
	struct fo_lcache *lc = fo_lcache_new();
	const char *text = "# fanout links cache 1\n"
			   "1000 200 http://a.example/x\n"
			   "2000 301 https://b.example/y?q=1\n"
			   "500 200 http://old.example/\n"      /* older than oldest: dropped */
			   "3000 404 http://broken.example/\n"  /* never a broken one */
			   "3000 200 ftp://c.example/\n"        /* not http(s) */
			   "3000 200 http://d.example/a b\n"    /* a space in the URL */
			   "x 200 http://e.example/\n"
			   "3000 200\n"
			   "1500 200 http://a.example/x\n"      /* newer: it wins */
			   "1200 204 http://a.example/x\n"      /* older than the one held */
			   "4000 204 http://f.example/";         /* no final newline */
	char path[128];
	int st;
	int64_t at;

	CHECK(lc != NULL);
	CHECK_EQ(fo_lcache_parse(lc, text, strlen(text), 900), 0);
	CHECK_EQ(fo_lcache_size(lc), 3);
	CHECK(fo_lcache_get(lc, "http://a.example/x", &st, &at));
	CHECK_EQ(st, 200);
	CHECK_EQ(at, 1500);
	CHECK(fo_lcache_get(lc, "https://b.example/y?q=1", &st, &at));
	CHECK_EQ(st, 301);
	CHECK(fo_lcache_get(lc, "http://f.example/", &st, &at));
	CHECK(!fo_lcache_get(lc, "http://old.example/", &st, &at));
	CHECK(!fo_lcache_get(lc, "http://broken.example/", &st, &at));
	CHECK(!fo_lcache_get(lc, "http://e.example/", &st, &at));
	/* written and read back: the same entries */
	snprintf(path, sizeof(path), "/tmp/fanout-test-cache.%d", (int)getpid());
	CHECK_EQ(fo_lcache_put(lc, "http://g.example/", 200, 5000), 0);
	CHECK_EQ(fo_lcache_save(lc, path), 0);
	fo_lcache_free(lc);
	lc = fo_lcache_new();
	CHECK_EQ(fo_lcache_load(lc, path, 0), 0);
	CHECK_EQ(fo_lcache_size(lc), 4);
	CHECK(fo_lcache_get(lc, "http://g.example/", &st, &at));
	CHECK_EQ(at, 5000);
	fo_lcache_free(lc);
	lc = fo_lcache_new();
	CHECK_EQ(fo_lcache_load(lc, path, 1600), 0); /* the max age applies when read */
	CHECK_EQ(fo_lcache_size(lc), 3);
	unlink(path);
	CHECK_EQ(fo_lcache_load(lc, path, 0), 0); /* no file yet: empty, fine */
	CHECK_EQ(fo_lcache_save(lc, "/nonexistent/dir/cache"), -ENOENT);
	/* a file that is not a cache is refused (it would be overwritten);
	 * an empty one is a cache with nothing in it */
	{
		FILE *f = fopen(path, "w");

		CHECK(f != NULL);
		fputs("# fanout links cache\n1000 200 http://a.example/\n", f);
		CHECK_EQ(fclose(f), 0);
		CHECK_EQ(fo_lcache_load(lc, path, 0), -EEXIST);
		f = fopen(path, "w");
		CHECK(f != NULL);
		CHECK_EQ(fclose(f), 0);
		CHECK_EQ(fo_lcache_load(lc, path, 0), 0);
		unlink(path);
	}
	fo_lcache_free(lc);
	/* many entries: the table grows */
	lc = fo_lcache_new();
	for (int i = 0; i < 5000; i++) {
		char u[64];

		snprintf(u, sizeof(u), "http://h%d.example/", i);
		CHECK_EQ(fo_lcache_put(lc, u, 200, i), 0);
	}
	CHECK_EQ(fo_lcache_size(lc), 5000);
	CHECK(fo_lcache_get(lc, "http://h4321.example/", &st, &at));
	CHECK_EQ(at, 4321);
	fo_lcache_free(lc);
}
