/*
 * src/util/udiff.c against GNU diff itself: each case writes two texts to
 * files, runs /usr/bin/diff -a -u --label a/X --label b/X on them (with
 * -U N, --minimal or -I RE as the case says, LC_ALL=C) and wants the same
 * bytes from fo_udiff. The cases are made by a seeded generator: random
 * texts over small line alphabets (so that many lines repeat and the
 * choices between equal scripts matter), random edits of them, missing
 * final newlines, CRLF lines, long lines and any bytes; a few big ones.
 * The regular expressions given to -I are ones that mean the same in
 * GNU's basic syntax and in PCRE2.
 */
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../src/util/file.h"
#include "../src/util/sbuf.h"
#include "../src/util/udiff.h"
#include "test.h"

extern char **environ;

#define GNU_DIFF "/usr/bin/diff"

struct fx {
	char dir[64], pa[96], pb[96], po[96];
};

static void fx_init(struct fx *x)
{
	if (access(GNU_DIFF, X_OK) < 0)
		fo_test_skip("no " GNU_DIFF " (diffutils)");
	snprintf(x->dir, sizeof(x->dir), "/tmp/fo-udiff-XXXXXX");
	CHECK(mkdtemp(x->dir));
	snprintf(x->pa, sizeof(x->pa), "%s/a", x->dir);
	snprintf(x->pb, sizeof(x->pb), "%s/b", x->dir);
	snprintf(x->po, sizeof(x->po), "%s/out", x->dir);
}

static void fx_done(struct fx *x)
{
	unlink(x->pa);
	unlink(x->pb);
	unlink(x->po);
	rmdir(x->dir);
}

/* GNU diff's output for a and b with the extra options (NULL-ended). */
static char *gnu_diff(struct fx *x, const char *a, size_t alen, const char *b, size_t blen, const char *const *extra,
		      size_t *olen)
{
	const char *argv[32] = { GNU_DIFF, "-a", "--label", "a/X", "--label", "b/X" };
	char *env[] = { "LC_ALL=C", NULL }, *out = NULL;
	posix_spawn_file_actions_t fa;
	size_t n = 6;
	pid_t pid;
	int st;

	while (extra && *extra)
		argv[n++] = *extra++;
	argv[n++] = x->pa;
	argv[n++] = x->pb;
	argv[n] = NULL;
	CHECK_EQ(fo__write_file(x->pa, a, alen, 0600, false), 0);
	CHECK_EQ(fo__write_file(x->pb, b, blen, 0600, false), 0);
	CHECK_EQ(posix_spawn_file_actions_init(&fa), 0);
	CHECK_EQ(posix_spawn_file_actions_addopen(&fa, 1, x->po, O_WRONLY | O_CREAT | O_TRUNC, 0600), 0);
	CHECK_EQ(posix_spawn(&pid, GNU_DIFF, &fa, NULL, (char *const *)argv, env), 0);
	posix_spawn_file_actions_destroy(&fa);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) <= 1);
	CHECK_EQ(fo__slurp(x->po, &out, olen), 0);
	return out;
}

struct mode {
	int context;
	bool minimal;
	const char *const *res; /* -I, NULL-ended */
};

static void dump(const char *what, const char *s, size_t n)
{
	fprintf(stderr, "---- %s (%zu bytes) ----\n", what, n);
	fwrite(s, 1, n, stderr);
	fprintf(stderr, "\n---- end ----\n");
}

/* One case: fo_udiff and GNU diff agree, bytes and "anything shown". */
static void same(struct fx *x, const char *a, size_t alen, const char *b, size_t blen, const struct mode *m)
{
	const char *extra[16];
	char ctx[16], err[256];
	struct fo_udiff_opts o = FO_UDIFF_OPTS("a/X", "b/X");
	struct fo_udiff_ignore *ig = NULL;
	struct fo_sbuf sb = { 0 };
	size_t ne = 0, nres = 0, glen;
	char *g;
	int rc;

	o.context = m->context;
	o.minimal = m->minimal;
	snprintf(ctx, sizeof(ctx), "-U%d", m->context);
	extra[ne++] = ctx;
	if (m->minimal)
		extra[ne++] = "--minimal";
	while (m->res && m->res[nres]) {
		extra[ne++] = "-I";
		extra[ne++] = m->res[nres++];
	}
	extra[ne] = NULL;
	if (nres) {
		CHECK_EQ(fo_udiff_ignore_new(&ig, m->res, nres, err, sizeof(err)), 0);
		o.ignore = ig;
	}
	g = gnu_diff(x, a, alen, b, blen, extra, &glen);
	rc = fo_udiff(a, alen, b, blen, &o, &sb);
	CHECK(rc >= 0);
	if (sb.len != glen || memcmp(sb.p ? sb.p : "", g, glen)) {
		dump("a", a, alen);
		dump("b", b, blen);
		dump("gnu", g, glen);
		dump("ours", sb.p ? sb.p : "", sb.len);
		fprintf(stderr, "mode: -U%d%s", m->context, m->minimal ? " --minimal" : "");
		for (nres = 0; m->res && m->res[nres]; nres++)
			fprintf(stderr, " -I '%s'", m->res[nres]);
		fprintf(stderr, "\n");
		CHECK(!"fo_udiff differs from GNU diff");
	}
	CHECK_EQ(rc, glen > 0);
	free(g);
	fo_sbuf_release(&sb);
	fo_udiff_ignore_free(ig);
}

static const struct mode DEFAULT_MODE = { 3, false, NULL };

/* ---- the generator ------------------------------------------------------------------- */

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static size_t rndn(size_t n)
{
	return n ? (size_t)(rnd() % n) : 0;
}

/* One line of kind k: from a small set (so lines repeat), with CRs, long,
 * or any bytes. */
static void gen_line(struct fo_sbuf *s, int kind, size_t alphabet)
{
	size_t i, n;

	switch (kind) {
	case 0:
		fo_sbuf_addf(s, "line %zu", rndn(alphabet));
		break;
	case 1:
		fo_sbuf_addf(s, "%c", (char)('a' + rndn(alphabet < 26 ? alphabet : 26)));
		break;
	case 2:
		fo_sbuf_addf(s, "interface Gi0/%zu\r", rndn(alphabet));
		break;
	case 3:
		n = rndn(3) ? rndn(4) : 300 + rndn(3000);
		for (i = 0; i < n; i++)
			fo_sbuf_addf(s, "%c", (char)('x' + rndn(2)));
		break;
	default:
		n = rndn(6);
		for (i = 0; i < n; i++) {
			char c = (char)rndn(256);

			if (c != '\n')
				fo_sbuf_add(s, &c, 1);
		}
		break;
	}
	fo_sbuf_add(s, "\n", 1);
}

/* A text of n lines, and an edit of it: each line of a is kept, deleted
 * or replaced, with lines inserted before it, about edits times in all;
 * either text may lose its last '\n'. */
static void gen_pair(struct fo_sbuf *a, struct fo_sbuf *b, size_t n, int kind, size_t alphabet, size_t edits)
{
	size_t i, s = 0, k;

	fo_sbuf_reset(a);
	fo_sbuf_reset(b);
	for (i = 0; i < n; i++)
		gen_line(a, kind, alphabet);
	for (i = 0; i <= a->len; i++) {
		if (i < a->len && a->p[i] != '\n')
			continue;
		if (rndn(n + 1) < edits)
			for (k = 1 + rndn(3); k > 0; k--)
				gen_line(b, kind, alphabet); /* inserted */
		if (i == a->len)
			break;
		if (rndn(n + 1) >= edits || rndn(2))
			fo_sbuf_add(b, a->p + s, i + 1 - s); /* kept */
		s = i + 1;
	}
	if (a->len && rndn(5) == 0)
		a->p[--a->len] = 0;
	if (b->len && rndn(5) == 0)
		b->p[--b->len] = 0;
	CHECK(!a->oom && !b->oom);
}

static void random_cases(uint64_t seed, int ncases, size_t maxlines, const struct mode *modes, size_t nmodes)
{
	struct fo_sbuf a = { 0 }, b = { 0 };
	struct fx x;
	int c;

	fx_init(&x);
	rng = seed;
	for (c = 0; c < ncases; c++) {
		size_t n = rndn(maxlines + 1), alphabet = 1 + rndn(rndn(2) ? 4 : 40);
		int kind = (int)(rndn(10) < 6 ? rndn(2) : rndn(5));

		gen_pair(&a, &b, n, kind, alphabet, 1 + rndn(n / 4 + 2));
		same(&x, a.p ? a.p : "", a.len, b.p ? b.p : "", b.len, &modes[c % nmodes]);
	}
	fo_sbuf_release(&a);
	fo_sbuf_release(&b);
	fx_done(&x);
}

/* ---- the tests ----------------------------------------------------------------------- */

TEST(udiff_edges_match_gnu)
{
	static const char *const T[] = {
		"",         "\n",         "a",          "a\n",           "b\n",          "a\nb\n",
		"a\nb",     "b\na\n",     "a\r\nb\r\n", "a\nb\r\n",      "\n\n\n",       "x\nx\nx\nx\nx\ny\n",
		"x\nx\nx\nx\nx\nx\ny\n",  "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\n", "a\nb\nc\nd\nE\nf\ng\nh\ni\nJ\nk\n",
		"a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk", "\0\n\xff\n", "\0\n\xfe\n",
	};
	static const int ctx[] = { 0, 1, 3, 5 };
	struct fx x;
	size_t i, j, k;

	fx_init(&x);
	for (i = 0; i < sizeof(T) / sizeof(T[0]); i++)
		for (j = 0; j < sizeof(T) / sizeof(T[0]); j++)
			for (k = 0; k < 4; k++) {
				struct mode m = { ctx[k], k == 1, NULL };
				size_t la = i >= 16 ? 4 : strlen(T[i]), lb = j >= 16 ? 4 : strlen(T[j]);

				same(&x, T[i], la, T[j], lb, &m);
			}
	fx_done(&x);
}

TEST(udiff_identical_is_empty)
{
	struct fo_udiff_opts o = FO_UDIFF_OPTS("a", "b");
	struct fo_sbuf sb = { 0 };

	CHECK_EQ(fo_udiff("x\ny\n", 4, "x\ny\n", 4, &o, &sb), 0);
	CHECK_EQ(sb.len, 0);
	CHECK_EQ(fo_udiff("", 0, "", 0, &o, &sb), 0);
	CHECK_EQ(sb.len, 0);
	o.context = -1;
	CHECK_EQ(fo_udiff("x", 1, "y", 1, &o, &sb), -EINVAL);
	o.context = 3;
	CHECK_EQ(fo_udiff("x\n", 2, "y\n", 2, &o, &sb), 1);
	CHECK_STR(sb.p, "--- a\n+++ b\n@@ -1 +1 @@\n-x\n+y\n");
	fo_sbuf_release(&sb);
}

TEST_T(udiff_random_small_match_gnu, 300)
{
	static const struct mode modes[] = { { 3, false, NULL }, { 3, true, NULL }, { 0, false, NULL },
					     { 1, false, NULL }, { 3, false, NULL }, { 5, true, NULL } };

	random_cases(0x5eed0001, 3000, 30, modes, sizeof(modes) / sizeof(modes[0]));
}

TEST_T(udiff_random_medium_match_gnu, 300)
{
	static const struct mode modes[] = { { 3, false, NULL }, { 3, true, NULL } };

	random_cases(0x5eed0002, 400, 400, modes, 2);
}

TEST_T(udiff_random_big_match_gnu, 300)
{
	static const struct mode modes[] = { { 3, false, NULL }, { 3, true, NULL } };

	random_cases(0x5eed0003, 16, 20000, modes, 2);
}

/* Texts that share little, over two or three lines: the search gives up
 * on subproblems (too_expensive) and both must give up the same way. */
TEST_T(udiff_too_expensive_matches_gnu, 300)
{
	struct fo_sbuf a = { 0 }, b = { 0 };
	struct fx x;
	int c;
	size_t i;

	fx_init(&x);
	rng = 0x5eed0006;
	for (c = 0; c < 4; c++) {
		fo_sbuf_reset(&a);
		fo_sbuf_reset(&b);
		for (i = 0; i < 40000; i++) {
			fo_sbuf_addf(&a, "%c\n", (char)('a' + rndn(2 + (size_t)c % 2)));
			fo_sbuf_addf(&b, "%c\n", (char)('a' + rndn(2 + (size_t)c % 2)));
		}
		same(&x, a.p, a.len, b.p, b.len, &DEFAULT_MODE);
	}
	fo_sbuf_release(&a);
	fo_sbuf_release(&b);
	fx_done(&x);
}

TEST_T(udiff_ignore_match_gnu_I, 300)
{
	static const char *const r1[] = { "^line [0-3]$", NULL };
	static const char *const r2[] = { "[ab]", "^$", NULL };
	static const char *const r3[] = { "0", NULL };
	static const char *const r4[] = { "x", NULL };
	static const struct mode modes[] = { { 3, false, r1 }, { 3, false, r2 }, { 3, false, r3 },
					     { 1, false, r1 }, { 0, false, r2 }, { 3, true, r4 } };

	random_cases(0x5eed0004, 3000, 40, modes, sizeof(modes) / sizeof(modes[0]));
}

TEST(udiff_ignore_timestamps)
{
	static const char *const res[] = { "^uptime is ", "[0-9][0-9]:[0-9][0-9]:[0-9][0-9]", NULL };
	const char *a = "hostname r1\nuptime is 3 days\nclock 10:00:01\nvlan 10\n";
	const char *b = "hostname r1\nuptime is 4 days\nclock 11:02:03\nvlan 10\n";
	const char *c = "hostname r1\nuptime is 4 days\nclock 11:02:03\nvlan 20\n";
	struct fo_udiff_opts o = FO_UDIFF_OPTS("a/r1/show.txt", "b/r1/show.txt");
	struct fo_udiff_ignore *ig;
	struct fo_sbuf sb = { 0 };
	char err[256];
	struct fx x;

	CHECK_EQ(fo_udiff_ignore_new(&ig, res, 2, err, sizeof(err)), 0);
	o.ignore = ig;
	CHECK_EQ(fo_udiff(a, strlen(a), b, strlen(b), &o, &sb), 0);
	CHECK_EQ(sb.len, 0);
	/* a real change nearby shows the masked lines too, as diff -I does */
	CHECK_EQ(fo_udiff(a, strlen(a), c, strlen(c), &o, &sb), 1);
	CHECK_HAS(sb.p, "-vlan 10\n+uptime is 4 days\n+clock 11:02:03\n+vlan 20\n");
	fo_sbuf_release(&sb);
	fo_udiff_ignore_free(ig);
	fx_init(&x);
	same(&x, a, strlen(a), b, strlen(b), &(struct mode){ 3, false, res });
	same(&x, a, strlen(a), c, strlen(c), &(struct mode){ 3, false, res });
	fx_done(&x);
	CHECK_EQ(fo_udiff_ignore_new(&ig, (const char *const[]){ "(", NULL }, 1, err, sizeof(err)), -EINVAL);
	CHECK_HAS(err, "bad regular expression '(': ");
	/* catastrophic backtracking costs a bounded time and counts as no match */
	CHECK_EQ(fo_udiff_ignore_new(&ig, (const char *const[]){ "^(a+)+$", NULL }, 1, err, sizeof(err)), 0);
	CHECK(!fo_udiff_ignore_match(ig, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", 53));
	CHECK(fo_udiff_ignore_match(ig, "aaaa", 4));
	fo_udiff_ignore_free(ig);
}

/* A config of about 1 MB against itself with 1% of its lines changed:
 * the figure for docs/BENCHMARKS.md comes from bench, this checks it
 * matches GNU diff. */
TEST_T(udiff_config_1mb_matches_gnu, 300)
{
	struct fo_sbuf a = { 0 }, b = { 0 };
	struct fx x;
	size_t i;

	fx_init(&x);
	rng = 0x5eed0005;
	for (i = 0; a.len < (1 << 20); i++) {
		fo_sbuf_addf(&a, "interface GigabitEthernet0/%zu\n description uplink %zu\n", i, rndn(1000));
		fo_sbuf_addf(&a, " ip address 10.%zu.%zu.1 255.255.255.0\n!\n", i / 256, i % 256);
	}
	for (i = 0; i < a.len;) {
		const char *nl = memchr(a.p + i, '\n', a.len - i);
		size_t e = (size_t)(nl - a.p) + 1;

		if (rndn(100) == 0)
			fo_sbuf_addf(&b, " description changed %zu\n", rndn(1000));
		else
			fo_sbuf_add(&b, a.p + i, e - i);
		i = e;
	}
	same(&x, a.p, a.len, b.p, b.len, &DEFAULT_MODE);
	fo_sbuf_release(&a);
	fo_sbuf_release(&b);
	fx_done(&x);
}
