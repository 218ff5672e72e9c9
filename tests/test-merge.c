/*
 * fanout merge (src/run/merge.c) and --shard auto (src/run/shard.c):
 * shards run as separate local processes, their parts merged, against one
 * unsharded run of the same hosts: the same lines, summary, exit status
 * and --out tree, byte for byte but for the timings (the "ms" fields, the
 * summary's time, its "slowest:" line). Then the failures merge exists to
 * catch: a shard killed by SIGKILL (its unfinished hosts, exactly, are
 * missing), a host in two parts, a line cut short, parts still being
 * written (--wait). And the line reader (jline.c) on its own.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../src/run/jline.h"
#include "proc.h"
#include "test.h"

static const char *const EXEC = "echo out {host}; test {host} != h037";

/* s without its "ms":N members. */
static char *no_ms(const char *s)
{
	char *o = strdup(s), *m;

	CHECK(o != NULL);
	while ((m = strstr(o, "\"ms\":"))) {
		char *e = m + 5;

		while (*e >= '0' && *e <= '9')
			e++;
		if (*e == ',')
			e++;
		memmove(m, e, strlen(e) + 1);
	}
	return o;
}

/* stderr without the timings: the summary's time, its slowest line. */
static char *no_times(const char *s)
{
	char *o = strdup(s), *p;

	CHECK(o != NULL);
	if ((p = strstr(o, "slowest:"))) {
		char *e = strchr(p, '\n');

		memmove(p, e ? e + 1 : p + strlen(p), strlen(e ? e + 1 : p + strlen(p)) + 1);
	}
	if ((p = strstr(o, " hosts in "))) {
		char *e = strchr(p + 10, ':');

		CHECK(e != NULL);
		memmove(p + 10, e, strlen(e) + 1);
	}
	return o;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines of s sorted (one run writes them as hosts end). */
static char *sorted(const char *s)
{
	char *c = strdup(s), *save = NULL, *l, **v = NULL, *o;
	size_t n = 0, i, len = 0;

	CHECK(c != NULL);
	for (l = strtok_r(c, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		v = realloc(v, (n + 1) * sizeof(*v));
		CHECK(v != NULL);
		v[n++] = l;
		len += strlen(l) + 1;
	}
	qsort(v, n, sizeof(*v), cmp_line);
	o = calloc(1, len + 1);
	CHECK(o != NULL);
	for (i = 0; i < n; i++) {
		strcat(o, v[i]);
		strcat(o, "\n");
	}
	free(v);
	free(c);
	return o;
}

/* Two trees the same: every name, every file's bytes. */
static void same_tree(const char *a, const char *b)
{
	struct dirent **ea, **eb;
	int na = scandir(a, &ea, NULL, alphasort), nb = scandir(b, &eb, NULL, alphasort), i;

	CHECK(na >= 0 && nb >= 0);
	CHECK_EQ(na, nb);
	for (i = 0; i < na; i++) {
		char pa[1024], pb[1024];
		struct stat st;

		CHECK_STR(ea[i]->d_name, eb[i]->d_name);
		if (!strcmp(ea[i]->d_name, ".") || !strcmp(ea[i]->d_name, ".."))
			goto next;
		snprintf(pa, sizeof(pa), "%s/%s", a, ea[i]->d_name);
		snprintf(pb, sizeof(pb), "%s/%s", b, eb[i]->d_name);
		CHECK(stat(pa, &st) == 0);
		if (S_ISDIR(st.st_mode)) {
			same_tree(pa, pb);
		} else {
			char *fa = fo_test_read(pa), *fb = fo_test_read(pb);

			CHECK(fa && fb);
			CHECK_STR(fb, fa);
			free(fa);
			free(fb);
		}
next:
		free(ea[i]);
		free(eb[i]);
	}
	free(ea);
	free(eb);
}

/* The merge of 3 shards is the one run: lines (in inventory order),
 * summary, exit status, --out tree; without --json, the not-ok lines. */
TEST_PROC(merge_is_one_run, 120)
{
	const char *d = fo_test_dir();
	char one[512], part[3][512], tree[3][512], mtree[512], shard[16], *out, *err1, *a, *b;
	int k;

	snprintf(one, sizeof(one), "%s/one", d);
	CHECK_EQ(fo_test_cli(&out, &err1, "run", "--task", "exec", "--run", EXEC, "-w", "h[001-100]", "-x", "h050",
			     "--json", "--out", one, NULL),
		 1);
	for (k = 0; k < 3; k++) {
		snprintf(shard, sizeof(shard), "%d/3", k + 1);
		snprintf(part[k], sizeof(part[k]), "%s/p%d.jsonl", d, k);
		snprintf(tree[k], sizeof(tree[k]), "%s/t%d", d, k);
		const char *args[] = { "run", "--task", "exec", "--run", EXEC, "-w", "h[001-100]", "-x", "h050",
				       "--json", "--out", tree[k], "--shard", shard, NULL };
		char *e = NULL;

		fo_test_cli_stdout(part[k], &e, args);
		free(e);
	}
	snprintf(mtree, sizeof(mtree), "%s/merged", d);
	char *mout, *merr;

	CHECK_EQ(fo_test_cli(&mout, &merr, "merge", "-w", "h[001-100]", "-x", "h050", "--json", "--out", mtree,
			     part[0], part[1], part[2], NULL),
		 1);
	/* the same lines, but for "ms" */
	a = no_ms(out), b = no_ms(mout);
	char *sa = sorted(a), *sb = sorted(b);

	CHECK_STR(sb, sa);
	/* in inventory order */
	const char *prev = b;

	for (k = 1; k <= 100; k++) {
		char host[32];
		const char *at;

		snprintf(host, sizeof(host), "\"host\":\"h%03d\"", k);
		at = strstr(b, host);
		CHECK(k == 50 ? !at : at > prev);
		prev = at ? at : prev;
	}
	/* the same summary */
	CHECK_STR(no_times(merr), no_times(err1));
	CHECK_HAS(merr, "fanout run: 99 hosts in ");
	CHECK_HAS(merr, ": ok 98 failed 1\n");
	same_tree(one, mtree);
	free(out), free(err1), free(mout), free(merr), free(a), free(b), free(sa), free(sb);

	/* the shards' --out trees as parts: their files copied */
	snprintf(mtree, sizeof(mtree), "%s/merged-trees", d);
	CHECK_EQ(fo_test_cli(&mout, &merr, "merge", "-w", "h[001-100]", "-x", "h050", "--out", mtree, part[0],
			     part[1], part[2], tree[0], tree[1], tree[2], NULL),
		 1);
	same_tree(one, mtree);
	free(mout), free(merr);
	/* a tree alone has no results; a host's folder in two trees */
	CHECK_EQ(fo_test_cli(&mout, &merr, "merge", "--out", mtree, tree[0], NULL), 2);
	CHECK_HAS(merr, "--out trees give files, not results");
	free(mout), free(merr);
	CHECK_EQ(fo_test_cli(&mout, &merr, "merge", "--out", mtree, part[0], tree[0], tree[0], NULL), 2);
	CHECK_HAS(merr, "' has files in two --out trees: '");
	free(mout), free(merr);
	CHECK_EQ(fo_test_cli(&mout, &merr, "merge", "--out", mtree, part[0], d, NULL), 2);
	CHECK_HAS(merr, "is a folder but not a fanout --out tree");
	free(mout), free(merr);

	/* without --json: run's not-ok lines and summary, exactly */
	CHECK_EQ(fo_test_cli(&out, &err1, "run", "--task", "exec", "--run", EXEC, "-w", "h[001-100]", "-x", "h050",
			     NULL),
		 1);
	CHECK_EQ(fo_test_cli(&mout, &merr, "merge", "-w", "h[001-100]", "-x", "h050", part[0], part[1], part[2],
			     NULL),
		 1);
	CHECK_STR(mout, "");
	CHECK_STR(no_times(merr), no_times(err1));
	CHECK_HAS(merr, "h037: failed: exit status 1\n");
	free(out), free(err1), free(mout), free(merr);

	/* without the inventory: the parts' hosts, none can be missing */
	CHECK_EQ(fo_test_cli(&mout, &merr, "merge", part[1], part[2], NULL), 0);
	CHECK_HAS(merr, "fanout run: 66 hosts in ");
	free(mout), free(merr);
}

/* Output that is not UTF-8: the lines have it as U+FFFD, so only the
 * shards' trees give the run's files exactly. */
TEST_PROC(merge_trees_keep_bytes, 60)
{
	const char *d = fo_test_dir();
	char one[512], t1[512], t2[512], p1[512], p2[512], m[512], f[600], *x, *e;
	const char *run = "printf 'a\\377b'";

	snprintf(one, sizeof(one), "%s/one", d);
	snprintf(t1, sizeof(t1), "%s/t1", d);
	snprintf(t2, sizeof(t2), "%s/t2", d);
	snprintf(p1, sizeof(p1), "%s/p1", d);
	snprintf(p2, sizeof(p2), "%s/p2", d);
	snprintf(m, sizeof(m), "%s/m", d);
	CHECK_EQ(fo_test_cli(NULL, NULL, "run", "--task", "exec", "--run", run, "-w", "b[1-3]", "--out", one, NULL), 0);
	const char *a1[] = { "run", "--task", "exec", "--run", run, "-w", "b[1-3]", "--out", t1, "--json", "--shard",
			     "1/2", NULL };
	const char *a2[] = { "run", "--task", "exec", "--run", run, "-w", "b[1-3]", "--out", t2, "--json", "--shard",
			     "2/2", NULL };

	CHECK_EQ(fo_test_cli_stdout(p1, &e, a1), 0);
	free(e);
	CHECK_EQ(fo_test_cli_stdout(p2, &e, a2), 0);
	free(e);
	CHECK_EQ(fo_test_cli(NULL, NULL, "merge", "-w", "b[1-3]", "--out", m, p1, p2, t1, t2, NULL), 0);
	same_tree(one, m);
	snprintf(f, sizeof(f), "%s/b2/printf+%%27a%%5C377b%%27.txt", m);
	CHECK((x = fo_test_read(f)) != NULL);
	CHECK_STR(x, "a\377b");
	free(x);
}

/* A host in two parts: both named, exit 2; a shard not run: its hosts
 * missing, exit 1, in --json too; a host of no inventory: exit 2. */
TEST_PROC(merge_missing_and_twice, 60)
{
	const char *d = fo_test_dir();
	char p1[512], p2[512], *out, *err;
	const char *a1[] = { "run", "--task", "sleep", "--rtt", "1ms", "-w", "r[1-9]", "--json", "--shard", "1/3", NULL };
	const char *a2[] = { "run", "--task", "sleep", "--rtt", "1ms", "-w", "r[1-9]", "--json", "--shard", "2/3", NULL };

	snprintf(p1, sizeof(p1), "%s/p1", d);
	snprintf(p2, sizeof(p2), "%s/p2", d);
	CHECK_EQ(fo_test_cli_stdout(p1, &err, a1), 0);
	free(err);
	CHECK_EQ(fo_test_cli_stdout(p2, &err, a2), 0);
	free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "merge", "-w", "r[1-9]", p1, p2, NULL), 1);
	CHECK_HAS(err, "r3: missing: in no part: its shard died or never ran\n");
	CHECK_HAS(err, "r6: missing");
	CHECK_HAS(err, "r9: missing");
	CHECK(!strstr(err, "r1: missing"));
	CHECK_HAS(err, "fanout run: 9 hosts in ");
	CHECK_HAS(err, ": ok 6 missing 3\n");
	free(out), free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "merge", "-w", "r[1-9]", "--json", p1, p2, NULL), 1);
	CHECK_HAS(out, "{\"status\":\"missing\",\"host\":\"r3\",\"hostname\":\"r3\",\"port\":22,");
	free(out), free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "merge", "-w", "r[1-9]", p1, p2, p1, NULL), 2);
	CHECK_HAS(err, "fanout: merge: host 'r"); /* the first of p1's lines: any of r1, r4, r7 */
	CHECK_HAS(err, "' is in two parts: '");
	CHECK_HAS(err, "/p1' and '");
	free(out), free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "merge", "-w", "r[1-5]", p1, p2, NULL), 2);
	CHECK_HAS(err, "host 'r7' is not in the inventory");
	free(out), free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "merge", NULL), 2);
	CHECK_HAS(err, "merge needs parts");
	free(out), free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "merge", "--wait", p1, NULL), 2);
	CHECK_HAS(err, "--wait needs the hosts");
	free(out), free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "merge", fo_test_put("junk", "{\"a\":1}\n", 8), NULL), 2);
	CHECK_HAS(err, "line 1: no \"host\"");
	free(out), free(err);
}

/* --shard auto: N local shards told their index as Kubernetes and Slurm
 * tell it, merged into the whole; one killed with SIGKILL mid-run: its
 * unfinished hosts, and only they, missing. */
TEST_PROC(merge_shard_auto_and_kill9, 120)
{
	const char *d = fo_test_dir();
	char p[3][512], *out, *err, *lines = NULL, idx[16];
	size_t len = 0;
	int k, fd;
	const char *args[] = { "run", "--task", "sleep", "--rtt", "1ms", "-w", "s[01-30]", "--json", "--shard",
			       "auto", NULL };

	/* Kubernetes: JOB_COMPLETION_INDEX, the count in FANOUT_SHARDS */
	setenv("FANOUT_SHARDS", "3", 1);
	for (k = 0; k < 3; k++) {
		snprintf(idx, sizeof(idx), "%d", k);
		setenv("JOB_COMPLETION_INDEX", idx, 1);
		snprintf(p[k], sizeof(p[k]), "%s/k%d", d, k);
		CHECK_EQ(fo_test_cli_stdout(p[k], &err, args), 0);
		free(err);
	}
	CHECK_EQ(fo_test_cli(&out, &err, "merge", "-w", "s[01-30]", p[0], p[1], p[2], NULL), 0);
	CHECK_HAS(err, ": ok 30\n");
	free(out), free(err);
	unsetenv("JOB_COMPLETION_INDEX");
	unsetenv("FANOUT_SHARDS");
	/* Slurm: --array=5-7, so K = ID - MIN + 1 */
	setenv("SLURM_ARRAY_TASK_COUNT", "3", 1);
	setenv("SLURM_ARRAY_TASK_MIN", "5", 1);
	for (k = 0; k < 3; k++) {
		snprintf(idx, sizeof(idx), "%d", k + 5);
		setenv("SLURM_ARRAY_TASK_ID", idx, 1);
		snprintf(p[k], sizeof(p[k]), "%s/s%d", d, k);
		CHECK_EQ(fo_test_cli_stdout(p[k], &err, args), 0);
		free(err);
	}
	CHECK_EQ(fo_test_cli(&out, &err, "merge", "-w", "s[01-30]", p[0], p[1], p[2], NULL), 0);
	CHECK_HAS(err, ": ok 30\n");
	free(out), free(err);
	unsetenv("SLURM_ARRAY_TASK_COUNT");
	unsetenv("SLURM_ARRAY_TASK_MIN");
	unsetenv("SLURM_ARRAY_TASK_ID");

	/* shard 2 of 3 (index 1), one host at a time, killed once a line is out */
	setenv("JOB_COMPLETION_INDEX", "1", 1);
	const char *slow[] = { "run", "--task", "sleep", "--rtt", "400ms", "--workers", "1", "-w", "s[01-30]",
			       "--json", "--shard", "auto", "--shards", "3", NULL };
	pid_t pid = fo_test_cli_start(slow, &fd);

	CHECK(pid > 0);
	CHECK(fo_test_read_until(fd, &lines, &len, "\n", fo_test_now_ms() + 60000LL * fo_test_scale()));
	char *rest = NULL;

	CHECK_EQ(fo_test_cli_end(pid, fd, SIGKILL, &rest), 128 + SIGKILL);
	lines = realloc(lines, len + strlen(rest) + 1);
	CHECK(lines != NULL);
	strcat(lines, rest);
	free(rest);
	unsetenv("JOB_COMPLETION_INDEX");
	fo_test_write(p[1], lines, strlen(lines));
	CHECK_EQ(fo_test_cli(&out, &err, "merge", "-w", "s[01-30]", p[0], p[1], p[2], NULL), 1);
	/* shard 2's hosts: s02, s05, ... s29; missing: those without a line */
	int nmissing = 0;

	for (k = 2; k <= 30; k += 3) {
		char host[32], miss[64];

		snprintf(host, sizeof(host), "\"host\":\"s%02d\"", k);
		snprintf(miss, sizeof(miss), "s%02d: missing", k);
		if (strstr(lines, host)) {
			CHECK(!strstr(err, miss));
		} else {
			CHECK_HAS(err, miss);
			nmissing++;
		}
	}
	CHECK(nmissing > 0);
	char want[64];

	snprintf(want, sizeof(want), " missing %d\n", nmissing);
	CHECK_HAS(err, want);
	free(lines), free(out), free(err);
}

/* A line cut short (a shard killed mid-write) is ignored, its host
 * missing; with --wait, merge reads on until the line is whole. */
TEST_PROC(merge_wait_for_parts, 60)
{
	const char *d = fo_test_dir();
	const char *l1 = "{\"status\":\"ok\",\"host\":\"a\",\"hostname\":\"a\",\"port\":22,\"ms\":1,\"attempts\":1,"
			 "\"results\":[{\"command\":\"sleep\",\"status\":\"ok\",\"ms\":1,\"output\":\"\"}]}\n";
	const char *l2 = "{\"status\":\"failed\",\"host\":\"b\",\"hostname\":\"b\",\"port\":22,\"ms\":1,\"attempts\":1,"
			 "\"results\":[{\"command\":\"sleep\",\"status\":\"failed\",\"ms\":1,\"error\":\"no\",\"output\":\"\"}]}\n";
	char p1[512], p2[512], buf[1024], *out, *err;
	int fd;

	snprintf(p1, sizeof(p1), "%s/a.jsonl", d);
	snprintf(p2, sizeof(p2), "%s/b.jsonl", d);
	fo_test_write(p1, l1, strlen(l1));
	fo_test_write(p2, l2, 30); /* cut */
	CHECK_EQ(fo_test_cli(&out, &err, "merge", "-w", "a,b", p1, p2, NULL), 1);
	CHECK_HAS(err, "b.jsonl' line 1: no newline: a line cut short");
	CHECK_HAS(err, "b: missing");
	free(out), free(err);

	/* --wait: started with b cut and c not there; both come later */
	unlink(p2);
	fo_test_write(p2, l2, 30);
	snprintf(buf, sizeof(buf), "%s/c.jsonl", d);
	const char *args[] = { "merge", "-w", "a,b", "--wait", "--timeout", "60s", "--json", p1, p2, buf, NULL };
	pid_t pid = fo_test_cli_start(args, &fd);

	CHECK(pid > 0);
	int w = open(p2, O_WRONLY | O_APPEND);

	CHECK(w >= 0);
	CHECK_EQ(write(w, l2 + 30, strlen(l2) - 30), (long)(strlen(l2) - 30));
	close(w);
	fo_test_write(buf, "", 0);
	out = NULL;
	CHECK_EQ(fo_test_cli_end(pid, fd, 0, &out), 1); /* b failed */
	CHECK_HAS(out, "\"host\":\"a\"");
	CHECK_HAS(out, "\"host\":\"b\"");
	CHECK(strstr(out, "\"host\":\"a\"") < strstr(out, "\"host\":\"b\""));
	free(out);
	/* --wait with a host that never comes: bounded by --timeout */
	CHECK_EQ(fo_test_cli(&out, &err, "merge", "-w", "a,b,z", "--wait", "--timeout", "300ms", p1, p2, NULL), 1);
	CHECK_HAS(err, "z: missing");
	free(out), free(err);
}

/* --shard auto's errors: one line each, exit 2. */
TEST(merge_shard_auto_errors)
{
	char *out, *err;

	unsetenv("JOB_COMPLETION_INDEX");
	unsetenv("SLURM_ARRAY_TASK_ID");
	unsetenv("FANOUT_SHARDS");
	CHECK_EQ(fo_test_cli(&out, &err, "inventory", "-w", "h[1-9]", "--shard", "auto", NULL), 2);
	CHECK_HAS(err, "fanout: --shard auto: no shard in the environment: a Slurm job array sets");
	free(out), free(err);
	setenv("JOB_COMPLETION_INDEX", "2", 1);
	CHECK_EQ(fo_test_cli(&out, &err, "inventory", "-w", "h[1-9]", "--shard", "auto", NULL), 2);
	CHECK_HAS(err, "give --shards N or set FANOUT_SHARDS");
	free(out), free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "inventory", "-w", "h[1-9]", "--shards", "2", "--shard", "auto", NULL), 2);
	CHECK_HAS(err, "JOB_COMPLETION_INDEX 2 is not below the 2 shards");
	free(out), free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "inventory", "-w", "h[1-9]", "--shard", "auto", "--shards", "3", NULL), 0);
	CHECK_HAS(out, "h3 ");
	CHECK_HAS(out, "h6 ");
	CHECK(!strstr(out, "h1 "));
	free(out), free(err);
	unsetenv("JOB_COMPLETION_INDEX");
	CHECK_EQ(fo_test_cli(&out, &err, "inventory", "-w", "h[1-9]", "--shards", "3", NULL), 2);
	CHECK_HAS(err, "--shards N is for --shard auto");
	free(out), free(err);
	setenv("SLURM_ARRAY_TASK_ID", "4", 1);
	CHECK_EQ(fo_test_cli(&out, &err, "inventory", "-w", "h[1-9]", "--shard", "auto", NULL), 2);
	CHECK_HAS(err, "SLURM_ARRAY_TASK_ID is set but not SLURM_ARRAY_TASK_COUNT");
	free(out), free(err);
	setenv("SLURM_ARRAY_TASK_COUNT", "3", 1);
	setenv("SLURM_ARRAY_TASK_MIN", "0", 1);
	setenv("SLURM_ARRAY_TASK_STEP", "2", 1);
	CHECK_EQ(fo_test_cli(&out, &err, "inventory", "-w", "h[1-9]", "--shard", "auto", NULL), 0);
	CHECK_HAS(out, "h3 "); /* IDs 0,2,4: 4 is the third */
	CHECK(!strstr(out, "h2 "));
	free(out), free(err);
	setenv("SLURM_ARRAY_TASK_ID", "3", 1);
	CHECK_EQ(fo_test_cli(&out, &err, "inventory", "-w", "h[1-9]", "--shard", "auto", NULL), 2);
	CHECK_HAS(err, "Slurm array task 3 is not one of 3 tasks from 0 by 2");
	free(out), free(err);
	setenv("SLURM_ARRAY_TASK_ID", "x", 1);
	CHECK_EQ(fo_test_cli(&out, &err, "inventory", "-w", "h[1-9]", "--shard", "auto", NULL), 2);
	CHECK_HAS(err, "bad SLURM_ARRAY_TASK_ID 'x'");
	free(out), free(err);
}

/* The line reader: what merge needs from a line, and what it refuses. */
TEST(merge_jline)
{
	static const char *const bad[] = { "", "[]", "{", "{\"host\":\"a\"", "{\"host\":\"a\"} x", "{\"host\":1}",
					   "{\"a\":tru}", "{\"a\":01}", "{\"a\":\"\\x\"}", "{\"a\":\"\x01\"}",
					   "{\"results\":{}}", "{\"results\":[1]}", "{\"a\":1,}", "{\"a\":-}",
					   "{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
					   "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}" };
	const char *ok = "{\"status\":\"failed\",\"host\":\"r\\u00e9\",\"x\":[1.5e3,null,true,{\"y\":[]}],\"ms\":12,"
			 "\"attempts\":2,\"results\":[{\"command\":\"a\",\"status\":\"ok\",\"output\":\"1\\n\","
			 "\"parsed\":[ {\"k\": \"v\"}]},{\"command\":\"b\",\"status\":\"failed\",\"error\":\"bad\","
			 "\"output\":\"\",\"parse_error\":\"none\"}]}";
	struct fo_jline l;
	struct fo_jres r;
	struct fo_sbuf b = { 0 };
	const char *at = NULL;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_EQ(fo__jline_parse(bad[i], strlen(bad[i]), &l), -EINVAL);
	CHECK_EQ(fo__jline_parse(ok, strlen(ok), &l), 0);
	CHECK(fo__jspan_is(&l.status, "failed"));
	CHECK_EQ(fo__jspan_str(&l.host, &b, 100), 0);
	CHECK_STR(b.p, "r\xc3\xa9");
	CHECK_EQ(l.ms, 12);
	CHECK_EQ(l.attempts, 2);
	CHECK_EQ(l.nparsed, 1);
	CHECK_EQ(l.nparse_error, 1);
	CHECK(fo__jspan_is(&l.error, "bad"));
	CHECK_EQ(fo__jline_next_result(&l, &at, &r), 1);
	CHECK(fo__jspan_is(&r.command, "a"));
	CHECK_EQ(r.parsed.n, strlen("[ {\"k\": \"v\"}]"));
	CHECK_EQ(fo__jline_next_result(&l, &at, &r), 1);
	CHECK(fo__jspan_is(&r.status, "failed"));
	CHECK_EQ(fo__jline_next_result(&l, &at, &r), 0);
	fo_sbuf_release(&b);
}
