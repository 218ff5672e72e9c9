/*
 * Host lists where pdsh and ClusterShell have more than ranges (issue 14):
 * ClusterShell's set operators, pdsh's USER@HOSTS, -x '', and what we
 * refuse. Each behaviour is checked as the issue names it, then against
 * the tools themselves: some 400 generated lists, operators and all, read
 * by ClusterShell's library (tests/fixtures/nodeset/expand.py, all of them
 * in one process) and by us, names compared as sets and folds as strings,
 * a sample through /usr/bin/nodeset -e and -f; and USER@HOSTS through
 * pdsh's exec module, which prints the user it would log in as.
 */
#include "../src/run/inventory.h"
#include "../src/run/nodeset.h"
#include "../src/util/sbuf.h"
#include "test.h"

#define PY        "/usr/bin/python3"
#define EXPAND_PY "tests/fixtures/nodeset/expand.py"

/* ---- our side ------------------------------------------------------------------------------ */

struct names {
	char **v;
	size_t n, cap;
	struct fo_sbuf users; /* "name=user " for each name with a user */
};

static void names_free(struct names *s)
{
	while (s->n)
		free(s->v[--s->n]);
	free(s->v);
	free(s->users.p);
	memset(s, 0, sizeof(*s));
}

static int add(void *arg, const char *name, size_t len, const char *user)
{
	struct names *s = arg;

	CHECK(strlen(name) == len);
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		CHECK(s->v != NULL);
	}
	s->v[s->n] = strdup(name);
	CHECK(s->v[s->n] != NULL);
	s->n++;
	if (user)
		fo_sbuf_addf(&s->users, "%s=%s ", name, user);
	return 0;
}

/* Expands list (users allowed): 0 or the error, err filled. */
static int expand(const char *list, unsigned flags, struct names *s, char *err, size_t errlen)
{
	size_t count = 0;
	int r;

	memset(s, 0, sizeof(*s));
	r = fo_hostlist_expand_users(list, flags, 0, add, s, &count, err, errlen);
	if (r == 0)
		CHECK_EQ(count, s->n);
	return r;
}

/* The names of list in the order given, blank-separated. */
static const char *names_of(const char *list)
{
	static char buf[4096];
	struct names s;
	char err[512];
	size_t i, len = 0;

	if (expand(list, FO_HOSTLIST_FILES, &s, err, sizeof(err)) != 0) {
		fprintf(stderr, "expanding '%s' failed: %s\n", list, err);
		exit(1);
	}
	buf[0] = 0;
	for (i = 0; i < s.n && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? " " : "", s.v[i]);
	names_free(&s);
	return buf;
}

/* The users list gives, "name=user " each. */
static const char *users_of(const char *list)
{
	static char buf[4096];
	struct names s;
	char err[512];

	CHECK_EQ(expand(list, FO_HOSTLIST_FILES, &s, err, sizeof(err)), 0);
	snprintf(buf, sizeof(buf), "%s", s.users.p ? s.users.p : "");
	names_free(&s);
	return buf;
}

static const char *refused(const char *list, unsigned flags)
{
	static char err[512];
	struct names s;

	err[0] = 0;
	CHECK_EQ(expand(list, flags, &s, err, sizeof(err)), -EINVAL);
	CHECK_EQ(s.n, 0);
	names_free(&s);
	return err;
}

/* ---- behaviours, as the issue names them ------------------------------------------------------ */

TEST(hostlist_operators)
{
	CHECK_STR(names_of("n[1-5]&n[3-8]"), "n3 n4 n5");
	CHECK_STR(names_of("n[1-3]!n2"), "n1 n3");
	CHECK_STR(names_of("n[1-5]^n[3-8]"), "n1 n2 n6 n7 n8");
	/* left to right, no precedence: ((a,b)!c) then & */
	CHECK_STR(names_of("a[1-2]^a[2-3]&a[1-3]"), "a1 a3");
	CHECK_STR(names_of("a,b!a,a"), "b a"); /* a set: each once, in the order it entered */
	CHECK_STR(names_of("n[1-3] ! n2 , n9 & n[1-9]"), "n1 n3 n9");
	CHECK_STR(names_of("r[1-2]s[1-3]!r1s2,r2s[1-2]"), "r1s1 r1s3 r2s1 r2s2 r2s3");
	CHECK_STR(names_of("r[1-3]!r2,r2"), "r1 r3 r2"); /* dropped, then added again: at the end */
	/* without operators: a stream, duplicates and order kept (the inventory drops repeats) */
	CHECK_STR(names_of("b,a,b"), "b a b");
	{
		size_t n = 0;
		char err[256];

		CHECK_EQ(fo_hostlist_count("n[1-10]!n[3-4]", 0, &n, err, sizeof(err)), 0);
		CHECK_EQ(n, 8);
		CHECK_EQ(fo_hostlist_count("n1!n1", 0, &n, err, sizeof(err)), -EINVAL);
		CHECK_HAS(err, "'n1!n1' names no hosts");
		/* the operands' names count against the cap, not only the result */
		CHECK_EQ(fo_hostlist_count("x[0-5999999]!x[0-5999999]", 0, &n, err, sizeof(err)), -E2BIG);
		CHECK_HAS(err, "more than 10000000");
	}
}

TEST(hostlist_operators_refused)
{
	CHECK_HAS(refused("!a", 0), "'!' with no hosts on its left in '!a'");
	CHECK_HAS(refused("a,&b", 0), "'&' with no hosts on its left");
	CHECK_HAS(refused("a!", 0), "'!' with no hosts on its right in 'a!'");
	CHECK_HAS(refused("a&,b", 0), "'&' with no hosts on its right");
	CHECK_HAS(refused("a!&b", 0), "'&' right after '!'");
	CHECK_HAS(refused("a[1!2]", 0), "expected numbers");
	CHECK_HAS(refused("@rack1", 0), "ClusterShell's @group is not supported");
	CHECK_HAS(refused("n[1-3],-n2", 0), "a leading '-' is pdsh's exclusion");
	/* a '^' that begins an item is pdsh's file, not ClusterShell's xor */
	CHECK_HAS(refused("a ^ b", FO_HOSTLIST_FILES), "'^' without a file name; write ^FILE (or a^b");
	CHECK_HAS(refused("a,^f", 0), "^FILE is not allowed here");
}

TEST(hostlist_files_and_operators)
{
	static const char text[] = "r[1-4]\n# down\nr9!r9\nbob@r7\n";
	const char *f = fo_test_put("hosts", text, strlen(text));
	char list[512];

	/* ^FILE at the start, after a comma or a blank, or an operator's right */
	snprintf(list, sizeof(list), "^%s", f);
	CHECK_STR(names_of(list), "r1 r2 r3 r4 r7");
	snprintf(list, sizeof(list), "^%s!r[2-3]", f);
	CHECK_STR(names_of(list), "r1 r4 r7");
	snprintf(list, sizeof(list), "r[1-8]&^%s", f);
	CHECK_STR(names_of(list), "r1 r2 r3 r4 r7");
	snprintf(list, sizeof(list), "r0 ^%s", f);
	CHECK_STR(names_of(list), "r0 r1 r2 r3 r4 r7");
	snprintf(list, sizeof(list), "r[3-5]^^%s", f); /* xor, then a file */
	CHECK_STR(names_of(list), "r5 r1 r2 r7");
	snprintf(list, sizeof(list), "^%s", f);
	CHECK_STR(users_of(list), "r7=bob ");
}

TEST(hostlist_users)
{
	/* pdsh -w 'root@n[1-2]': the user of each name the item makes */
	CHECK_STR(users_of("root@n[1-2],n3"), "n1=root n2=root ");
	CHECK_STR(users_of("alice@a,bob@b"), "a=alice b=bob ");
	CHECK_STR(names_of("root@n[1-2],n3"), "n1 n2 n3");
	/* in an expression names compare without users; a name keeps the
	 * user of the operand that put it in */
	CHECK_STR(users_of("bob@n[1-3]!eve@n2,eve@n4"), "n1=bob n3=bob n4=eve ");
	CHECK_STR(users_of("bob@n[1-3]&eve@n[2-4]"), "n2=bob n3=bob ");
	CHECK_STR(users_of("bob@n[1-3]^eve@n[3-4]"), "n1=bob n2=bob n4=eve ");
	CHECK_HAS(refused("u[1-2]@n1", 0), "brackets in the user");
	CHECK_HAS(refused("bob@", 0), "no host after the '@'");
	CHECK_HAS(refused("a@b@c", 0), "'@' in a host name");
	{
		char err[256];
		size_t n;

		/* where users mean nothing (-x, --limit), they are refused */
		CHECK_EQ(fo_hostlist_count("bob@n1", 0, &n, err, sizeof(err)), -EINVAL);
		CHECK_HAS(err, "'bob@n1': a user (bob@) has no meaning here; write the host names alone");
		CHECK_EQ(fo_hostlist_count("bob@n[1-3]", FO_HOSTLIST_USERS, &n, err, sizeof(err)), 0);
		CHECK_EQ(n, 3);
	}
}

/* fanout inventory ARGS: stdout, exit 0 expected. */
static char *inv_out(const char *const *args)
{
	const char *argv[16] = { "inventory" };
	char *out = NULL, *err = NULL;
	size_t i;

	for (i = 0; args[i]; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	if (fo_test_cliv(&out, &err, argv) != 0) {
		fprintf(stderr, "fanout inventory failed:\n%s\n", err ? err : "");
		exit(1);
	}
	free(err);
	return out;
}

TEST_T(hostlist_cli, 30)
{
	const char *empty_x[] = { "-w", "n[1-3]", "-x", "", "--json", NULL };
	const char *users[] = { "-l", "carol", "-w", "bob@n[1-2],n3", "-x", "n2", "--json", NULL };
	const char *ops[] = { "-w", "n[1-5]&n[3-8]", "-x", "n[1-4]!n3", "--json", NULL };
	char *out, *err = NULL;

	out = inv_out(empty_x); /* pdsh and ClusterShell: nothing to exclude */
	CHECK_HAS(out, "\"name\":\"n1\"");
	CHECK_HAS(out, "\"name\":\"n3\"");
	free(out);
	out = inv_out(users); /* USER@ before -l, as pdsh */
	CHECK_HAS(out, "\"name\":\"n1\",\"hostname\":\"n1\",\"port\":22,\"username\":\"bob\"");
	CHECK_HAS(out, "\"name\":\"n3\",\"hostname\":\"n3\",\"port\":22,\"username\":\"carol\"");
	CHECK_LACKS(out, "\"name\":\"n2\"");
	free(out);
	out = inv_out(ops); /* n3 n4 n5, less n1 n2 n4 */
	CHECK_HAS(out, "\"name\":\"n3\"");
	CHECK_LACKS(out, "\"name\":\"n4\"");
	CHECK_HAS(out, "\"name\":\"n5\"");
	free(out);
	out = NULL;
	CHECK_EQ(fo_test_cli(&out, &err, "inventory", "-w", "n[1-3]", "-x", "bob@n2", NULL), 2);
	CHECK_HAS(err, "bad -x 'bob@n2'");
	CHECK_HAS(err, "a user (bob@) has no meaning here");
	free(out);
	free(err);
}

/* ---- against ClusterShell ------------------------------------------------------------------- */

static unsigned long long rng_state = 0x9E3779B97F4A7C15ULL;

static unsigned rnd(unsigned n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)(rng_state % n);
}

/* One operand ClusterShell and we both read: a name with 0 to 2 brackets,
 * padding within what ClusterShell takes (lo and hi the same width). */
static void gen_operand(struct fo_sbuf *b)
{
	static const char *const pfx[] = { "n", "r", "core-", "a", "x.y", "db" };
	static const char *const mid[] = { "s", "-", ".dc", "p" };
	unsigned nb = rnd(10) < 2 ? 0 : 1 + (rnd(4) == 0), k;

	fo_sbuf_adds(b, pfx[rnd(6)]);
	if (nb == 0) {
		fo_sbuf_addf(b, "%u", rnd(12));
		return;
	}
	for (k = 0; k < nb; k++) {
		unsigned w = rnd(4) == 0 ? 2 : 0, terms = 1 + rnd(3), t;

		if (k)
			fo_sbuf_adds(b, mid[rnd(4)]);
		fo_sbuf_adds(b, "[");
		for (t = 0; t < terms; t++) {
			unsigned lo = rnd(20), hi = lo + rnd(k ? 4 : 12);

			if (t)
				fo_sbuf_adds(b, ",");
			if (rnd(3) == 0)
				fo_sbuf_addf(b, "%0*u", (int)w, lo);
			else if (rnd(5) == 0)
				fo_sbuf_addf(b, "%0*u-%0*u/%u", (int)w, lo, (int)w, hi, 1 + rnd(3));
			else
				fo_sbuf_addf(b, "%0*u-%0*u", (int)w, lo, (int)w, hi);
		}
		fo_sbuf_adds(b, "]");
	}
	if (rnd(4) == 0)
		fo_sbuf_adds(b, ".lab");
}

/* A list of 1 to 5 operands joined by , ! & ^ (blanks around , ! & at times). */
static void gen_list(struct fo_sbuf *b)
{
	static const char ops[] = ",!&^";
	unsigned n = 1 + rnd(5), i;

	gen_operand(b);
	for (i = 1; i < n; i++) {
		char op = ops[rnd(4)];
		bool blanks = op != '^' && rnd(5) == 0;

		fo_sbuf_addf(b, "%s%c%s", blanks ? " " : "", op, blanks ? " " : "");
		gen_operand(b);
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Our names of list, sorted, duplicates out, blank-separated; and the fold. */
static void ours(const char *list, struct fo_sbuf *names, char **fold)
{
	struct names s;
	char err[512];
	size_t i, k = 0;

	if (expand(list, 0, &s, err, sizeof(err)) != 0) {
		fprintf(stderr, "ClusterShell reads '%s', we refuse it: %s\n", list, err);
		CHECK(0);
	}
	qsort(s.v, s.n, sizeof(*s.v), cmp_str);
	for (i = 0; i < s.n; i++)
		if (!k || strcmp(s.v[k - 1], s.v[i]))
			s.v[k++] = s.v[i];
		else
			free(s.v[i]);
	s.n = k;
	for (i = 0; i < s.n; i++)
		fo_sbuf_addf(names, "%s%s", i ? " " : "", s.v[i]);
	CHECK_EQ(fo_nodeset_fold((const char *const *)s.v, s.n, fold, err, sizeof(err)), 0);
	names_free(&s);
}

static char *run_capture(const char *cmd)
{
	const char *opath = fo_test_put("cli-out", "", 0);
	char full[2048];

	snprintf(full, sizeof(full), "%s >'%s'", cmd, opath);
	CHECK_EQ(system(full), 0);
	return fo_test_read(opath);
}

TEST_T(hostlist_against_clustershell, 120)
{
	enum { N = 400 };
	struct fo_sbuf in = { 0 };
	char *lists[N], *want, *line, *next, cmd[1024];
	const char *path;
	size_t i, compared = 0;

	if (system(PY " -c 'import ClusterShell.NodeSet' 2>/dev/null") != 0 || system("test -x /usr/bin/nodeset") != 0)
		fo_test_skip("no ClusterShell for " PY " (scripts/deps.sh test installs clustershell)");
	for (i = 0; i < N; i++) {
		struct fo_sbuf b = { 0 };

		gen_list(&b);
		CHECK(!b.oom);
		lists[i] = b.p;
		fo_sbuf_addf(&in, "%s\n", b.p);
	}
	path = fo_test_put("lists", in.p, in.len);
	snprintf(cmd, sizeof(cmd), PY " " EXPAND_PY " '%s'", path);
	want = run_capture(cmd);
	CHECK(want != NULL);
	line = want;
	for (i = 0; i < N; i++) {
		struct fo_sbuf got = { 0 };
		char *names = line, *fold, *ourfold;

		CHECK((next = strchr(line, '\n')) != NULL);
		*next = 0;
		fold = next + 1;
		CHECK((next = strchr(fold, '\n')) != NULL);
		*next = 0;
		line = next + 1;
		if (!strcmp(names, "error")) {
			fprintf(stderr, "ClusterShell refuses the generated '%s'\n", lists[i]);
			CHECK(0);
		}
		if (!*names) { /* an empty set: our error, ClusterShell's nothing */
			char err[512];
			size_t n;

			CHECK_EQ(fo_hostlist_count(lists[i], 0, &n, err, sizeof(err)), -EINVAL);
			CHECK_HAS(err, "names no hosts");
			continue;
		}
		ours(lists[i], &got, &ourfold);
		if (strcmp(got.p, names) || strcmp(ourfold, fold)) {
			fprintf(stderr,
				"list '%s':\n  nodeset -e: %s\n  ours:       %s\n  nodeset -f: %s\n  ours:       %s\n",
				lists[i], names, got.p, fold, ourfold);
			CHECK(0);
		}
		compared++;
		free(got.p);
		free(ourfold);
	}
	CHECK(*line == 0);
	CHECK(compared > N * 3 / 4); /* the generator makes mostly non-empty sets */
	free(want);

	/* a sample through the command itself, to hold expand.py to it */
	for (i = 0; i < N; i += 80) {
		struct fo_sbuf got = { 0 };
		char *e, *f, *ourfold, err[512];
		size_t n;

		if (fo_hostlist_count(lists[i], 0, &n, err, sizeof(err)) != 0)
			continue; /* an empty set, checked above */
		ours(lists[i], &got, &ourfold);
		snprintf(cmd, sizeof(cmd), "/usr/bin/nodeset -S '\\n' -e '%s' | LC_ALL=C sort | tr '\\n' ' '",
			 lists[i]);
		e = run_capture(cmd);
		snprintf(cmd, sizeof(cmd), "/usr/bin/nodeset -f '%s'", lists[i]);
		f = run_capture(cmd);
		if (*e) {
			e[strlen(e) - 1] = 0; /* the last blank */
			f[strlen(f) - 1] = 0; /* the newline */
			CHECK_STR(got.p, e);
			CHECK_STR(ourfold, f);
		}
		free(e);
		free(f);
		free(got.p);
		free(ourfold);
	}
	for (i = 0; i < N; i++)
		free(lists[i]);
	free(in.p);
}

/* ---- against pdsh ------------------------------------------------------------------------------ */

/*
 * pdsh's exec module runs `echo %u %h` locally for each host: the user it
 * would log in as, without a network. One difference on purpose: pdsh
 * 2.34 forgets the user of an item with two brackets (eve@r[1-2]s[1-2]
 * logs in as -l's user); we give it to every name, as for one bracket.
 */
TEST_T(hostlist_users_against_pdsh, 60)
{
	static const char *const lists[] = { "root@n[1-2],n3", "n3,bob@n[1-2]", "alice@a,bob@b[1-3]", "x[01-03]",
					     "eve@core-[1-2]-dc1" };
	size_t i;

	if (system("command -v pdsh >/dev/null 2>&1") != 0)
		fo_test_skip("no pdsh (scripts/deps.sh test installs it)");
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		struct names s;
		struct fo_sbuf mine = { 0 };
		char cmd[1024], err[512], *want;
		size_t k;

		CHECK_EQ(expand(lists[i], 0, &s, err, sizeof(err)), 0);
		for (k = 0; k < s.n; k++) {
			const char *u = strstr(s.users.p ? s.users.p : "", s.v[k]);
			char user[64] = "carol";

			/* "name=user " for the names with one */
			if (u && (u == s.users.p || u[-1] == ' ') && u[strlen(s.v[k])] == '=')
				sscanf(u + strlen(s.v[k]) + 1, "%63[^ ]", user);
			fo_sbuf_addf(&mine, "%s: %s %s\n", s.v[k], user, s.v[k]);
		}
		names_free(&s);
		snprintf(cmd, sizeof(cmd),
			 "PDSH_RCMD_TYPE=exec pdsh -R exec -f 1 -l carol -w '%s' echo %%u %%h 2>&1 | LC_ALL=C sort",
			 lists[i]);
		want = run_capture(cmd);
		{
			/* ours sorted the same way */
			const char *p = fo_test_put("mine", mine.p, mine.len);
			char *sorted;

			snprintf(cmd, sizeof(cmd), "LC_ALL=C sort '%s'", p);
			sorted = run_capture(cmd);
			CHECK_STR(sorted, want);
			free(sorted);
		}
		free(want);
		free(mine.p);
	}
}
