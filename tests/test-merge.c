/*
 * fanout merge (src/run/merge.c) and --shard auto (src/run/shard.c):
 * shards run as separate local processes, their parts merged, against one
 * unsharded run of the same hosts: the same lines, summary, exit status
 * and --out tree, byte for byte but for the timings (the "ms" fields, the
 * summary's time, its "slowest:" line). Then the failures merge exists to
 * catch: a shard killed by SIGKILL (its unfinished hosts, exactly, are
 * missing), a host in two parts, a line cut short, parts still being
 * written (--wait). And the line reader (jline.c) on its own. Last,
 * examples/slurm as it is, on a real one-node Slurm (Debian's slurmctld,
 * slurmd and munge: tests/fixtures/slurm/) over the SSH fixture's
 * devices: its merge is one run too.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

/* ---- Slurm, for real ------------------------------------------------------------- */

static char slurm_dir[128], slurm_ssh[128], slurm_work[256];

/* A file of the test's copied into the work folder. */
static void slurm_copy(const char *from, const char *to)
{
	char *s = fo_test_read(from);

	CHECK(s != NULL);
	fo_test_write(to, s, strlen(s));
	free(s);
}

/* Both fixtures stopped and their folders gone, however the test ends (a
 * failing CHECK's exit too, after the logs); a test killed outright has
 * them stop by themselves (--owner). */
static void slurm_cleanup(void)
{
	char cmd[1200];
	int rc;

	if (slurm_dir[0]) {
		if (slurm_work[0]) { /* still set: the test did not get to its end */
			snprintf(cmd, sizeof(cmd),
				 "cd %s && for f in log/slurmctld.log log/slurmd.log %s/results/*.log; do "
				 "[ -f \"$f\" ] && { echo \"== $f\"; tail -n 25 \"$f\"; }; done >&2",
				 slurm_dir, slurm_work);
			rc = system(cmd);
		}
		snprintf(cmd, sizeof(cmd), "bash tests/fixtures/slurm/slurm-fixture.sh stop %s >/dev/null 2>&1; rm -rf %s %s.log",
			 slurm_dir, slurm_dir, slurm_dir);
		rc = system(cmd);
		slurm_dir[0] = 0;
	}
	if (slurm_ssh[0]) {
		fo_test_sshd_stop(slurm_ssh);
		slurm_ssh[0] = 0;
	}
	(void)rc;
}

/* A fixture script's start, its output in DIR.log, shown when it fails;
 * exit 77 (Slurm's fixture: it cannot run here) skips the test. */
static void slurm_start(const char *script, const char *dir, const char *args)
{
	const char *bin = fo_test_bin(), *slash = strrchr(bin, '/');
	char cmd[1000];
	int rc;

	snprintf(cmd, sizeof(cmd), "BUILD=%.*s timeout %d bash %s start %s %s --owner %d --max-life 1200 >%s.log 2>&1",
		 slash ? (int)(slash - bin) : 5, slash ? bin : "build", 120 * fo_test_scale(), script, dir, args,
		 (int)getpid(), dir);
	rc = system(cmd);
	if (WIFEXITED(rc) && WEXITSTATUS(rc) == 77) {
		static char why[300];
		char *said;

		snprintf(cmd, sizeof(cmd), "%s.log", dir);
		said = fo_test_read(cmd);
		snprintf(why, sizeof(why), "%s", said ? said : "the fixture cannot run here");
		why[strcspn(why, "\n")] = 0;
		free(said);
		slurm_work[0] = 0; /* no logs to show */
		slurm_cleanup();   /* fo_test_skip leaves by _exit: no atexit */
		fo_test_skip(why);
	}
	if (rc != 0) {
		snprintf(cmd, sizeof(cmd), "cat %s.log >&2", dir);
		if (system(cmd)) {}
		CHECK(!"the fixture did not start");
	}
}

/* `scontrol -o show job ID` (ID NULL: every job), one line a job. */
static char *slurm_jobs(const char *id)
{
	const char *argv[] = { "scontrol", "-o", "show", "job", id, NULL };
	char *out;

	CHECK_EQ(fo_test_run(&out, 30, argv), 0);
	return out;
}

/* The value of KEY= in a line of scontrol -o (into v). */
static void slurm_field(const char *line, const char *key, char *v, size_t cap)
{
	char k[64];
	const char *p;

	snprintf(k, sizeof(k), " %s=", key);
	p = strstr(line, k);
	CHECK(p != NULL);
	p += strlen(k);
	snprintf(v, cap, "%.*s", (int)strcspn(p, " \n"), p);
}

/*
 * examples/slurm as it is, on a real Slurm (tests/fixtures/slurm/: Debian's
 * slurmctld, slurmd and munge, a one-node cluster of the test's own): its
 * submit.sh queues fanout-shards.sbatch, an array of 8 tasks, each
 * `fanout run --shard auto` over the SSH fixture's devices (K and N from
 * Slurm's own variables), and fanout-merge.sbatch after them
 * (--dependency=afterany). One device refuses every login, so its task
 * fails, and the merge runs all the same. The merge is one unsharded run
 * of the same inventory: lines, summary, exit status and --out tree, byte
 * for byte but for the timings.
 */
TEST_PROC(merge_slurm_array, 240)
{
	const char *d = fo_test_dir();
	char bindir[4096], path[8192], p[600], q[600], envf[200], port[16], user[64], pw[64], conf[300];
	char *out, *err, *one, *one_err, *jobs, *s, *a, *b, *sa, *sb, merge_id[32], array_id[32];
	const char *const tools[] = { "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/sbin/munged", "/usr/bin/sbatch",
				      "/usr/bin/scontrol" };
	size_t i;
	int k, rc;

	if (geteuid() != 0)
		fo_test_skip("Slurm here needs root (slurmd starts each job as its user)");
	for (i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (access(tools[i], X_OK) < 0)
			fo_test_skip("no slurmctld, slurmd, munged or sbatch (apt-get install slurmctld slurmd "
				     "slurm-client munge: scripts/deps.sh test)");
	if (access("/usr/sbin/sshd", X_OK) < 0)
		fo_test_skip("no /usr/sbin/sshd (openssh-server)");
	CHECK(realpath(fo_test_bin(), bindir) != NULL);
	*strrchr(bindir, '/') = 0;
	atexit(slurm_cleanup);

	/* the devices: 20 that answer, and one that refuses every login */
	snprintf(slurm_ssh, sizeof(slurm_ssh), "/tmp/fanout-test-slurm-ssh.%d", (int)getpid());
	slurm_start("tests/fixtures/ssh/sshd-fixture.sh", slurm_ssh, "--devices 20");
	snprintf(envf, sizeof(envf), "%s/env", slurm_ssh);
	fo_test_env_get(envf, "FIXTURE_PORT", port, sizeof(port));
	fo_test_env_get(envf, "FIXTURE_USER", user, sizeof(user));
	fo_test_env_get(envf, "FIXTURE_PASSWORD", pw, sizeof(pw));
	CHECK(port[0] && user[0] && pw[0]);

	/* the job's folder: the example's three files, an inventory, the
	 * fixture's host keys as fanout's known_hosts */
	snprintf(slurm_work, sizeof(slurm_work), "%s/job", d);
	CHECK(mkdir(slurm_work, 0755) == 0);
	static const char *const ex[] = { "fanout-shards.sbatch", "fanout-merge.sbatch", "submit.sh" };
	for (i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "examples/slurm/%s", ex[i]);
		snprintf(q, sizeof(q), "%s/%s", slurm_work, ex[i]);
		slurm_copy(p, q);
	}
	snprintf(p, sizeof(p), "%s/inventory", slurm_work);
	CHECK(mkdir(p, 0755) == 0);
	{
		char hosts[2048];
		int n = 0;

		for (k = 1; k <= 20; k++)
			n += snprintf(hosts + n, sizeof(hosts) - n, "dev%02d: {hostname: 127.1.0.%d}\n", k, k);
		n += snprintf(hosts + n, sizeof(hosts) - n, "locked: {hostname: 127.9.0.1}\n");
		snprintf(p, sizeof(p), "%s/inventory/hosts.yaml", slurm_work);
		fo_test_write(p, hosts, (size_t)n);
		n = snprintf(hosts, sizeof(hosts), "port: %s\nusername: %s\npassword_file: password\nplatform: cisco_ios\n",
			     port, user);
		snprintf(p, sizeof(p), "%s/inventory/defaults.yaml", slurm_work);
		fo_test_write(p, hosts, (size_t)n);
		n = snprintf(hosts, sizeof(hosts), "%s\n", pw);
		snprintf(p, sizeof(p), "%s/inventory/password", slurm_work);
		fo_test_write(p, hosts, (size_t)n);
	}
	snprintf(p, sizeof(p), "%s/config", slurm_work);
	CHECK(mkdir(p, 0755) == 0);
	setenv("XDG_CONFIG_HOME", p, 1);
	snprintf(p, sizeof(p), "%s/config/fanout", slurm_work);
	CHECK(mkdir(p, 0755) == 0);
	snprintf(p, sizeof(p), "%s/known_hosts", slurm_ssh);
	snprintf(q, sizeof(q), "%s/config/fanout/known_hosts", slurm_work);
	slurm_copy(p, q);

	/* the one unsharded run */
	snprintf(p, sizeof(p), "%s/inventory", slurm_work);
	snprintf(q, sizeof(q), "%s/one", d);
	unsetenv("SSH_AUTH_SOCK");
	CHECK_EQ(fo_test_cli(&one, &one_err, "run", "-i", p, "-c", "show version", "--json", "--out", q, NULL), 1);
	CHECK_HAS(one_err, "fanout run: 21 hosts in ");
	CHECK_HAS(one_err, ": ok 20 auth_failed 1\n");

	/* Slurm, and the example submitted as its README says; sbatch hands
	 * the jobs this environment: PATH (fanout), XDG_CONFIG_HOME */
	snprintf(slurm_dir, sizeof(slurm_dir), "/tmp/fanout-test-slurm.%d", (int)getpid());
	slurm_start("tests/fixtures/slurm/slurm-fixture.sh", slurm_dir, "");
	snprintf(envf, sizeof(envf), "%s/env", slurm_dir);
	fo_test_env_get(envf, "SLURM_CONF", conf, sizeof(conf));
	CHECK(conf[0]);
	setenv("SLURM_CONF", conf, 1);
	snprintf(path, sizeof(path), "%s:%s", bindir, getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	setenv("PATH", path, 1);
	snprintf(p, sizeof(p), "cd %s && exec sh submit.sh", slurm_work);
	{
		const char *argv[] = { "sh", "-c", p, NULL };

		rc = fo_test_run(&out, 60, argv);
		if (rc != 0)
			fprintf(stderr, "submit.sh: exit %d: %s\n", rc, out);
		CHECK_EQ(rc, 0);
	}
	CHECK((s = strstr(out, "Submitted batch job ")) != NULL);
	snprintf(merge_id, sizeof(merge_id), "%.*s", (int)strspn(s + 20, "0123456789"), s + 20);
	CHECK(merge_id[0]);
	free(out);

	/* until the merge has ended (afterany: so has every task), bounded */
	long long deadline = fo_test_now_ms() + 150000LL * fo_test_scale();
	char state[64] = "";

	for (;;) {
		jobs = slurm_jobs(merge_id);
		slurm_field(jobs, "JobState", state, sizeof(state));
		free(jobs);
		if (strcmp(state, "PENDING") && strcmp(state, "RUNNING") && strcmp(state, "CONFIGURING") &&
		    strcmp(state, "COMPLETING"))
			break;
		if (fo_test_now_ms() > deadline) {
			fprintf(stderr, "the merge job %s is still %s: stuck\n", merge_id, state);
			CHECK(!"the jobs ended");
		}
		fo_test_sleep_ms(200);
	}

	/* every job's end: the merge and task 4 (shard 5 of 8: dev05, dev13
	 * and locked, the 21st host) exit 1, the other tasks 0 */
	jobs = slurm_jobs(NULL);
	{
		char *save = NULL, *l, v[64], deps[128], tasks_seen[8] = { 0 };
		int njobs = 0;

		for (l = strtok_r(jobs, "\n", &save); l; l = strtok_r(NULL, "\n", &save), njobs++) {
			char line[8192];

			snprintf(line, sizeof(line), " %s", l);
			slurm_field(line, "JobId", v, sizeof(v));
			if (!strcmp(v, merge_id)) {
				slurm_field(line, "JobName", v, sizeof(v));
				CHECK_STR(v, "fanout-merge");
				slurm_field(line, "JobState", v, sizeof(v));
				CHECK_STR(v, "FAILED");
				slurm_field(line, "ExitCode", v, sizeof(v));
				CHECK_STR(v, "1:0");
				slurm_field(line, "Dependency", deps, sizeof(deps));
				continue;
			}
			slurm_field(line, "JobName", v, sizeof(v));
			CHECK_STR(v, "fanout-shards");
			slurm_field(line, "ArrayJobId", array_id, sizeof(array_id));
			slurm_field(line, "ArrayTaskId", v, sizeof(v));
			k = (int)strtol(v, NULL, 10);
			CHECK(k >= 0 && k < 8 && !tasks_seen[k]);
			tasks_seen[k] = 1;
			slurm_field(line, "JobState", v, sizeof(v));
			CHECK_STR(v, k == 4 ? "FAILED" : "COMPLETED");
			slurm_field(line, "ExitCode", v, sizeof(v));
			CHECK_STR(v, k == 4 ? "1:0" : "0:0");
		}
		CHECK_EQ(njobs, 9);
		/* the dependency is met and cleared once the array ended */
		CHECK(!strcmp(deps, "(null)") || fo_test_has(deps, array_id));
	}
	free(jobs);

	/* each task's part renamed once its shard was done, its log there */
	for (k = 0; k < 8; k++) {
		snprintf(p, sizeof(p), "%s/results/out-%d.jsonl", slurm_work, k);
		CHECK((s = fo_test_read(p)) != NULL);
		CHECK(k == 4 ? fo_test_has(s, "\"host\":\"locked\"") : !fo_test_has(s, "\"host\":\"locked\""));
		free(s);
		snprintf(p, sizeof(p), "%s/results/.out-%d.jsonl.tmp", slurm_work, k);
		CHECK(access(p, F_OK) < 0);
		snprintf(p, sizeof(p), "%s/results/slurm-%s_%d.log", slurm_work, array_id, k);
		CHECK((s = fo_test_read(p)) != NULL);
		CHECK_HAS(s, k == 4 ? ": ok 2 auth_failed 1\n" : ": ok ");
		free(s);
	}

	/* the merge is the one run: lines (in inventory order), summary, tree */
	snprintf(p, sizeof(p), "%s/results/all.jsonl", slurm_work);
	CHECK((s = fo_test_read(p)) != NULL);
	a = no_ms(one), b = no_ms(s);
	sa = sorted(a), sb = sorted(b);
	CHECK_STR(sb, sa);
	{
		const char *prev = b, *at;
		char host[32];

		for (k = 1; k <= 21; k++) {
			if (k <= 20)
				snprintf(host, sizeof(host), "\"host\":\"dev%02d\"", k);
			else
				snprintf(host, sizeof(host), "\"host\":\"locked\"");
			at = strstr(b, host);
			CHECK(at != NULL && at >= prev);
			prev = at;
		}
	}
	snprintf(p, sizeof(p), "%s/results/merge-%s.log", slurm_work, merge_id);
	CHECK((err = fo_test_read(p)) != NULL);
	char *ta = no_times(one_err), *tb = no_times(err);

	CHECK_STR(tb, ta);
	snprintf(p, sizeof(p), "%s/results/all", slurm_work);
	snprintf(q, sizeof(q), "%s/one", d);
	same_tree(q, p);
	free(s), free(a), free(b), free(sa), free(sb), free(err), free(ta), free(tb), free(one), free(one_err);

	slurm_work[0] = 0; /* passed: no logs to show */
	slurm_cleanup();
}
