/*
 * Host-set folding (src/run/nodeset.c) against ClusterShell's `nodeset -f`,
 * the tool whose output it copies: hundreds of generated sets (random
 * subsets of r[1-500], core-[01-40].dc[1-3], mixed paddings, names without
 * digits, three indexes, IPv4 addresses, and all of them mixed) folded by
 * both and compared as strings, through tests/fixtures/nodeset/fold.py
 * (ClusterShell's library as the command drives it, many sets in one
 * process) and, for a sample, /usr/bin/nodeset itself. Every fold is also
 * expanded back by our host-list expander (hostlist.c) and must give the
 * same set of names.
 */
#include "../src/run/inventory.h"
#include "../src/run/nodeset.h"
#include "../src/util/sbuf.h"
#include "test.h"

#define PY      "/usr/bin/python3"
#define FOLD_PY "tests/fixtures/nodeset/fold.py"

static void need_clustershell(void)
{
	if (system(PY " -c 'import ClusterShell.NodeSet' 2>/dev/null") != 0 || system("test -x /usr/bin/nodeset") != 0)
		fo_test_skip("no ClusterShell for " PY);
}

/* ---- sets ----------------------------------------------------------------------------------- */

struct set {
	char **v;
	size_t n, cap;
};

static void set_add(struct set *s, const char *name)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		CHECK(s->v != NULL);
	}
	s->v[s->n] = strdup(name);
	CHECK(s->v[s->n] != NULL);
	s->n++;
}

static void set_free(struct set *s)
{
	while (s->n)
		free(s->v[--s->n]);
	free(s->v);
	s->v = NULL;
	s->cap = 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted, duplicates out. */
static void set_norm(struct set *s)
{
	size_t i, k = 0;

	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), cmp_str);
	for (i = 0; i < s->n; i++) {
		if (k && !strcmp(s->v[k - 1], s->v[i]))
			free(s->v[i]);
		else
			s->v[k++] = s->v[i];
	}
	s->n = k;
}

static unsigned long long rng_state = 88172645463325252ULL;

static unsigned rnd(unsigned n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)(rng_state % n);
}

/* Adds each name of a host list with probability pct%. */
static void add_some(struct set *s, const char *list, unsigned pct);

static int add_one(void *arg, const char *name, size_t len)
{
	struct set *s = ((void **)arg)[0];
	unsigned pct = *(unsigned *)((void **)arg)[1];

	(void)len;
	if (rnd(100) < pct)
		set_add(s, name);
	return 0;
}

static void add_some(struct set *s, const char *list, unsigned pct)
{
	char err[256];
	void *arg[2] = { s, &pct };

	CHECK_EQ(fo_hostlist_expand(list, 0, add_one, arg, err, sizeof(err)), 0);
}

/* ---- the round trip and the reference --------------------------------------------------------- */

static int collect(void *arg, const char *name, size_t len)
{
	(void)len;
	set_add(arg, name);
	return 0;
}

/* Folds s (ours), checks that it expands back to s, returns the fold. */
static char *fold_round_trip(const struct set *s)
{
	struct set a = { 0 }, b = { 0 };
	char *out, err[256];
	size_t i;

	CHECK_EQ(fo_nodeset_fold((const char *const *)s->v, s->n, &out, err, sizeof(err)), 0);
	for (i = 0; i < s->n; i++)
		set_add(&a, s->v[i]);
	if (s->n)
		CHECK_EQ(fo_hostlist_expand(out, 0, collect, &b, err, sizeof(err)), 0);
	set_norm(&a);
	set_norm(&b);
	CHECK_EQ(a.n, b.n);
	for (i = 0; i < a.n; i++)
		CHECK_STR(b.v[i], a.v[i]);
	set_free(&a);
	set_free(&b);
	return out;
}

/* Compares our folds of sets[0..n) with fold.py's, line by line. */
static void differ(struct set *sets, size_t n)
{
	struct fo_sbuf in = { 0 };
	char cmd[1024], *want, *line, *save = NULL, *ours;
	const char *path, *opath;
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < sets[i].n; j++)
			fo_sbuf_addf(&in, "%s\n", sets[i].v[j]);
		fo_sbuf_adds(&in, "--\n");
	}
	CHECK(!in.oom);
	path = fo_test_put("sets", in.p, in.len);
	opath = fo_test_put("folds", "", 0);
	snprintf(cmd, sizeof(cmd), PY " " FOLD_PY " '%s' >'%s'", path, opath);
	CHECK_EQ(system(cmd), 0);
	want = fo_test_read(opath);
	CHECK(want != NULL);
	/* an empty set folds to an empty line: split by hand */
	line = want;
	for (i = 0; i < n; i++) {
		save = strchr(line, '\n');
		CHECK(save != NULL);
		*save = 0;
		ours = fold_round_trip(&sets[i]);
		if (strcmp(ours, line)) {
			fprintf(stderr, "set %zu of %zu names:\n  nodeset -f: %s\n  ours:       %s\n", i, sets[i].n,
				line, ours);
			CHECK(0);
		}
		free(ours);
		line = save + 1;
	}
	CHECK(*line == 0);
	free(want);
	free(in.p);
}

/* The same for one set through /usr/bin/nodeset -f itself. */
static void differ_cli(const struct set *s)
{
	struct fo_sbuf in = { 0 };
	char cmd[1024], *want, *ours;
	const char *path, *opath;
	size_t j;

	for (j = 0; j < s->n; j++)
		fo_sbuf_addf(&in, "%s\n", s->v[j]);
	path = fo_test_put("cli-in", in.p ? in.p : "", in.len);
	opath = fo_test_put("cli-out", "", 0);
	snprintf(cmd, sizeof(cmd), "/usr/bin/nodeset -f <'%s' >'%s'", path, opath);
	CHECK_EQ(system(cmd), 0);
	want = fo_test_read(opath);
	CHECK(want != NULL && strlen(want) > 0);
	want[strlen(want) - 1] = 0;
	ours = fold_round_trip(s);
	CHECK_STR(ours, want);
	free(ours);
	free(want);
	free(in.p);
}

/* ---- generators ------------------------------------------------------------------------------- */

static const char *const lists[] = {
	"r[1-500]",
	"core-[01-40].dc[1-3]",
	"n[9-11],n[09-11],n[009-011],n[0-12],n[00-02],n[98-101],n[098-101]",
	"login,gateway,db-master,db-replica,x-y",
	"s[1-4]r[1-5]n[01-10]",
	"10.0.[0-3].[1-50]",
	"leaf[1-8]-eth[1-4]",
	"cn[0001-1200]",
	"gpu[1-3]x[1-4]y[1-2]",
	"x%[1-3],x%s,100%,n%[7-9]d",
	"[1-30],[01-12]",
	"a[0-9]b,a[10-19]b,a[010-019]b",
};

static void gen(struct set *s, unsigned mask, unsigned pct)
{
	size_t i;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		if (mask & (1u << i))
			add_some(s, lists[i], pct);
	/* shuffled, with a few duplicates: order and repeats must not matter */
	for (i = s->n; i > 1; i--) {
		size_t j = rnd((unsigned)i);
		char *t = s->v[i - 1];

		s->v[i - 1] = s->v[j];
		s->v[j] = t;
	}
	for (i = 0; s->n && i < 3; i++)
		set_add(s, s->v[rnd((unsigned)s->n)]);
}

TEST(nodeset_one_list_each)
{
	static const unsigned pcts[] = { 100, 97, 90, 70, 50, 30, 10, 3 };
	struct set sets[sizeof(lists) / sizeof(lists[0]) * 8 * 3] = { { 0 } };
	size_t i, p, r, n = 0;

	need_clustershell();
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		for (p = 0; p < 8; p++)
			for (r = 0; r < 3; r++)
				gen(&sets[n++], 1u << i, pcts[p]);
	differ(sets, n);
	for (i = 0; i < n; i++)
		set_free(&sets[i]);
}

TEST(nodeset_lists_mixed)
{
	struct set sets[150] = { { 0 } };
	size_t i;

	need_clustershell();
	for (i = 0; i < 150; i++)
		gen(&sets[i], 1 + rnd((1u << (sizeof(lists) / sizeof(lists[0]))) - 1), 1 + rnd(100));
	differ(sets, 150);
	for (i = 0; i < 150; i++)
		set_free(&sets[i]);
}

/* The library against the command itself, on a sample. */
TEST(nodeset_cli_agrees)
{
	size_t i;

	need_clustershell();
	for (i = 0; i < 6; i++) {
		struct set s = { 0 };

		gen(&s, (i % 2 ? 0xfffu : 1u << (i * 2)), 40 + 10 * (unsigned)i);
		differ_cli(&s);
		set_free(&s);
	}
}

TEST(nodeset_examples)
{
	static const char *const names[] = {
		"n9",   "n09",  "n10",  "n11",  "n010", "a",        "b1",       "x%y1",
		"c1d2", "c1d3", "c2d2", "c2d3", "c3d2", "10.0.0.1", "10.0.0.2", "10.0.1.1"
	};
	char *out, err[256];

	CHECK_EQ(fo_nodeset_fold(names, sizeof(names) / sizeof(names[0]), &out, err, sizeof(err)), 0);
	/* as `nodeset -f` prints it */
	CHECK_STR(out, "10.0.0.[1-2],10.0.1.1,a,b1,c[1-2]d[2-3],c3d2,n[9,09-11,010],x%y1");
	free(out);
	CHECK_EQ(fo_nodeset_fold(NULL, 0, &out, err, sizeof(err)), 0);
	CHECK_STR(out, "");
	free(out);
}

TEST(nodeset_refusals)
{
	static const char *const bad[][2] = {
		{ "", "cannot fold host name '': it is empty" },
		{ "a,b", "cannot fold host name 'a,b': it holds a comma" },
		{ "a b", "cannot fold host name 'a b': it holds a blank" },
		{ "a[1]", "cannot fold host name 'a[1]': it holds a bracket" },
		{ "^hosts", "cannot fold host name '^hosts': it starts with '^'" },
		/* what the expander reads as operators, users, pdsh's exclusion */
		{ "a!b", "cannot fold host name 'a!b': it holds a set operator (! & ^)" },
		{ "a&b", "cannot fold host name 'a&b': it holds a set operator (! & ^)" },
		{ "a^b", "cannot fold host name 'a^b': it holds a set operator (! & ^)" },
		{ "bob@r1", "cannot fold host name 'bob@r1': it holds an '@'" },
		{ "-r1", "cannot fold host name '-r1': it starts with '-'" },
	};
	const char *names[2] = { "ok1" };
	char *out = (char *)1, err[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		names[1] = bad[i][0];
		CHECK_EQ(fo_nodeset_fold(names, 2, &out, err, sizeof(err)), -EINVAL);
		CHECK(out == NULL);
		CHECK_STR(err, bad[i][1]);
	}
}

/* 28,000 names of a grid with holes and 28,000 in one range: folded
 * (speed is bench/'s; this checks the result, through the round trip). */
TEST(nodeset_big)
{
	struct set s = { 0 };
	char *out;

	add_some(&s, "rack[001-100]-node[001-280]", 100);
	out = fold_round_trip(&s);
	CHECK_STR(out, "rack[001-100]-node[001-280]");
	free(out);
	set_free(&s);
	add_some(&s, "r[1-40000]", 70);
	out = fold_round_trip(&s);
	free(out);
	set_free(&s);
	add_some(&s, "rack[1-100]-node[1-560]", 50);
	out = fold_round_trip(&s);
	free(out);
	set_free(&s);
}

/* Bigger sets against the reference, where the multivariate merge has
 * the most to do: half of a 200 x 140 grid (28,000 names), and scatters
 * over three indexes. */
TEST_T(nodeset_big_differs_not, 120)
{
	struct set sets[4] = { { 0 } };
	size_t i;

	need_clustershell();
	add_some(&sets[0], "r[1-200]n[1-140]", 50);
	add_some(&sets[1], "s[1-30]r[1-30]n[1-30]", 10);
	add_some(&sets[2], "10.[0-1].[0-40].[1-60]", 30);
	add_some(&sets[3], "dc[1-3]-rack[01-20]-node[001-100]", 70);
	differ(sets, 4);
	for (i = 0; i < 4; i++)
		set_free(&sets[i]);
}

/* The corner where we stop short of nodeset (nodeset.c): 28,000 names
 * scattered in a 1000^3 cube. Still exactly the names. */
TEST(nodeset_sparse_corner)
{
	struct set s = { 0 };
	char name[64], *out;
	size_t i;

	for (i = 0; i < 28000; i++) {
		snprintf(name, sizeof(name), "s%ur%un%u", 1 + rnd(1000), 1 + rnd(1000), 1 + rnd(1000));
		set_add(&s, name);
	}
	out = fold_round_trip(&s);
	free(out);
	set_free(&s);
}
