/*
 * src/run/compare.c: a previous --out tree built by hand in a temporary
 * folder (with the names fo__run_file_name makes), then each output
 * classified against it, its diff checked, the gone ones listed, and the
 * tree's traps (links out of it, a FIFO, a file past the bound, a folder
 * without the marker) refused with one line.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "../src/run/compare.h"
#include "../src/util/file.h"
#include "test.h"

struct tree {
	char dir[64];
};

static void put(const struct tree *t, const char *host, const char *file, const char *text)
{
	char h[FO_RUN_NAME_MAX + 1], path[512];

	fo__run_file_name(host, h);
	snprintf(path, sizeof(path), "%s/%s", t->dir, h);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", t->dir, h, file);
	CHECK_EQ(fo__write_file(path, text, strlen(text), 0644, false), 0);
}

/* cmd's output file name (NAME.txt) */
static const char *txt(const char *cmd, char *buf, size_t n)
{
	char c[FO_RUN_NAME_MAX + 1];

	fo__run_file_name(cmd, c);
	snprintf(buf, n, "%s.txt", c);
	return buf;
}

static void tree_make(struct tree *t)
{
	char f[256];

	snprintf(t->dir, sizeof(t->dir), "/tmp/fo-cmp-XXXXXX");
	CHECK(mkdtemp(t->dir));
	CHECK_EQ(fo_cmp_mark_out_dir(t->dir), 0);
	put(t, "r1", txt("show version", f, sizeof(f)), "IOS 15.2\nuptime is 3 days\n");
	put(t, "r1", txt("show run", f, sizeof(f)), "hostname r1\nvlan 10\n");
	put(t, "r1", txt("show clock", f, sizeof(f)), "10:00:01\n");
	put(t, "r1", "show+ip+route.partial.txt", "cut");
	put(t, "r1", "show+run.diff", "an old diff\n");
	put(t, "r1", "show+run.txt.tmp-1-1", "a temporary file\n");
	put(t, "r1", "not%2fcanonical.txt", "no name makes this file\n");
	put(t, "core/2", txt("show run", f, sizeof(f)), "hostname core2\n");
	put(t, "gone-host", txt("show run", f, sizeof(f)), "hostname old\n");
}

static void tree_rm(struct tree *t)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", t->dir);
	CHECK_EQ(system(cmd), 0);
}

TEST(compare_lists_the_tree)
{
	struct fo_cmp_tree ct;
	struct tree t;
	char err[256];
	size_t i;

	tree_make(&t);
	CHECK_EQ(fo_cmp_tree_open(&ct, t.dir, 0, err, sizeof(err)), 0);
	/* core/2: show run; gone-host: show run; r1: show clock, show run, show version */
	CHECK_EQ(ct.n, 5);
	CHECK_STR(ct.e[0].hfile, "core%2F2");
	CHECK_STR(ct.e[0].host, "core/2");
	CHECK_STR(ct.e[0].command, "show run");
	CHECK(ct.e[0].exact);
	CHECK_STR(ct.e[1].host, "gone-host");
	CHECK_STR(ct.e[2].command, "show clock");
	CHECK_STR(ct.e[4].command, "show version");
	CHECK_STR(ct.e[4].cfile, "show+version");
	/* marking: this run had r1's three and core/2's; gone-host is gone */
	CHECK_EQ(fo_cmp_tree_mark(&ct, "r1", "show version"), 1);
	CHECK_EQ(fo_cmp_tree_mark(&ct, "r1", "show run"), 1);
	CHECK_EQ(fo_cmp_tree_mark(&ct, "r1", "show clock"), 1);
	CHECK_EQ(fo_cmp_tree_mark(&ct, "core/2", "show run"), 1);
	CHECK_EQ(fo_cmp_tree_mark(&ct, "r1", "show ip route"), 0);
	for (i = 0; i < ct.n; i++)
		CHECK_EQ(ct.e[i].seen, strcmp(ct.e[i].host, "gone-host") != 0);
	fo_cmp_tree_release(&ct);
	tree_rm(&t);
}

TEST(compare_classifies_and_diffs)
{
	static const char *const res[] = { "^uptime is ", "^[0-9][0-9]:[0-9][0-9]:[0-9][0-9]$", NULL };
	struct fo_udiff_ignore *ig;
	struct fo_cmp_result r;
	struct fo_cmp_tree ct;
	struct tree t;
	char err[256];

	tree_make(&t);
	CHECK_EQ(fo_cmp_tree_open(&ct, t.dir, 0, err, sizeof(err)), 0);
	CHECK_EQ(fo_cmp_output(&ct, "r1", "show run", "hostname r1\nvlan 10\n", 20, NULL, &r, err, sizeof(err)), 0);
	CHECK_EQ(r.state, FO_CMP_UNCHANGED);
	CHECK(!r.diff && !r.masked);
	fo_cmp_result_release(&r);

	CHECK_EQ(fo_cmp_output(&ct, "r1", "show run", "hostname r1\nvlan 20\n", 20, NULL, &r, err, sizeof(err)), 0);
	CHECK_EQ(r.state, FO_CMP_CHANGED);
	CHECK_STR(r.diff, "--- a/r1/show+run.txt\n+++ b/r1/show+run.txt\n@@ -1,2 +1,2 @@\n hostname r1\n"
			  "-vlan 10\n+vlan 20\n");
	CHECK_EQ(r.diff_len, strlen(r.diff));
	CHECK_STR(fo_cmp_state_name(r.state), "changed");
	fo_cmp_result_release(&r);

	/* a host never seen, a command never seen, one that only failed before */
	CHECK_EQ(fo_cmp_output(&ct, "r9", "show run", "x\n", 2, NULL, &r, err, sizeof(err)), 0);
	CHECK_EQ(r.state, FO_CMP_NEW);
	CHECK_EQ(fo_cmp_output(&ct, "r1", "show bgp", "x\n", 2, NULL, &r, err, sizeof(err)), 0);
	CHECK_EQ(r.state, FO_CMP_NEW);
	CHECK_EQ(fo_cmp_output(&ct, "r1", "show ip route", "x\n", 2, NULL, &r, err, sizeof(err)), 0);
	CHECK_EQ(r.state, FO_CMP_NEW);
	/* names are escaped: core/2 is core%2F2, never a path */
	CHECK_EQ(fo_cmp_output(&ct, "core/2", "show run", "hostname core2\n", 15, NULL, &r, err, sizeof(err)), 0);
	CHECK_EQ(r.state, FO_CMP_UNCHANGED);

	/* -I: lines that always change are masked */
	CHECK_EQ(fo_udiff_ignore_new(&ig, res, 2, err, sizeof(err)), 0);
	CHECK_EQ(fo_cmp_output(&ct, "r1", "show version", "IOS 15.2\nuptime is 4 days\n", 26, ig, &r, err,
			       sizeof(err)),
		 0);
	CHECK_EQ(r.state, FO_CMP_UNCHANGED);
	CHECK(r.masked && !r.diff);
	CHECK_EQ(fo_cmp_output(&ct, "r1", "show clock", "11:00:00\n", 9, ig, &r, err, sizeof(err)), 0);
	CHECK_EQ(r.state, FO_CMP_UNCHANGED);
	CHECK_EQ(fo_cmp_output(&ct, "r1", "show version", "IOS 15.3\nuptime is 4 days\n", 26, ig, &r, err,
			       sizeof(err)),
		 0);
	CHECK_EQ(r.state, FO_CMP_CHANGED);
	CHECK_HAS(r.diff, "-IOS 15.2\n-uptime is 3 days\n+IOS 15.3\n+uptime is 4 days\n");
	fo_cmp_result_release(&r);
	fo_udiff_ignore_free(ig);
	fo_cmp_tree_release(&ct);
	tree_rm(&t);
}

TEST(compare_refuses_what_is_not_a_tree)
{
	struct fo_cmp_tree ct;
	char err[256], dir[] = "/tmp/fo-cmp-XXXXXX", path[128];

	CHECK(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/r1", dir);
	CHECK_EQ(mkdir(path, 0755), 0);
	CHECK_EQ(fo_cmp_tree_open(&ct, dir, 0, err, sizeof(err)), -EINVAL);
	CHECK_HAS(err, "is not a fanout --out tree (it has no .fanout-out)");
	CHECK(!strchr(err, '\n'));
	/* a marker that is a link is no marker */
	snprintf(path, sizeof(path), "%s/.fanout-out", dir);
	CHECK_EQ(symlink("r1", path), 0);
	CHECK_EQ(fo_cmp_tree_open(&ct, dir, 0, err, sizeof(err)), -EINVAL);
	unlink(path);
	CHECK_EQ(fo_cmp_tree_open(&ct, "/nonexistent/fo-cmp", 0, err, sizeof(err)), -ENOENT);
	CHECK_HAS(err, "cannot open '/nonexistent/fo-cmp': ");
	snprintf(path, sizeof(path), "%s/r1/f", dir);
	CHECK_EQ(fo__write_file(path, "x", 1, 0644, false), 0);
	CHECK_EQ(fo_cmp_tree_open(&ct, path, 0, err, sizeof(err)), -ENOTDIR);
	unlink(path);
	snprintf(path, sizeof(path), "%s/r1", dir);
	rmdir(path);
	rmdir(dir);
}

TEST(compare_reads_safely)
{
	struct fo_cmp_result r;
	struct fo_cmp_tree ct;
	struct tree t;
	char err[256], path[512], outside[] = "/tmp/fo-cmp-out-XXXXXX";

	tree_make(&t);
	/* a host folder that is a link out of the tree, and an output that is
	 * a link to a file outside: neither is listed nor read */
	CHECK(mkdtemp(outside));
	snprintf(path, sizeof(path), "%s/show+run.txt", outside);
	CHECK_EQ(fo__write_file(path, "secret\n", 7, 0644, false), 0);
	snprintf(path, sizeof(path), "%s/evil", t.dir);
	CHECK_EQ(symlink(outside, path), 0);
	snprintf(path, sizeof(path), "%s/r1/show+users.txt", t.dir);
	CHECK_EQ(symlink("/etc/passwd", path), 0);
	snprintf(path, sizeof(path), "%s/r1/show+fifo.txt", t.dir);
	CHECK_EQ(mkfifo(path, 0644), 0);
	CHECK_EQ(fo_cmp_tree_open(&ct, t.dir, 16, err, sizeof(err)), 0);
	CHECK_EQ(ct.n, 5);
	CHECK_EQ(fo_cmp_output(&ct, "evil", "show run", "x\n", 2, NULL, &r, err, sizeof(err)), -ELOOP);
	CHECK_HAS(err, "/evil/show+run.txt': a symbolic link (not followed)");
	CHECK_EQ(fo_cmp_output(&ct, "r1", "show users", "x\n", 2, NULL, &r, err, sizeof(err)), -ELOOP);
	CHECK_EQ(fo_cmp_output(&ct, "r1", "show fifo", "x\n", 2, NULL, &r, err, sizeof(err)), -EINVAL);
	CHECK_HAS(err, "not a regular file");
	/* the bound (16 bytes here): "IOS 15.2\nuptime is 3 days\n" is 26 */
	CHECK_EQ(fo_cmp_output(&ct, "r1", "show version", "x\n", 2, NULL, &r, err, sizeof(err)), -EFBIG);
	CHECK_HAS(err, "larger than the bound");
	CHECK(!strchr(err, '\n'));
	CHECK_EQ(fo_cmp_output(&ct, "r1", "show clock", "10:00:01\n", 9, NULL, &r, err, sizeof(err)), 0);
	CHECK_EQ(r.state, FO_CMP_UNCHANGED);
	fo_cmp_tree_release(&ct);
	tree_rm(&t);
	snprintf(path, sizeof(path), "%s/show+run.txt", outside);
	unlink(path);
	rmdir(outside);
}

TEST(compare_long_names_round_trip)
{
	char host[400], f[256];
	struct fo_cmp_tree ct;
	struct tree t;
	char err[256];

	memset(host, 'h', sizeof(host) - 1);
	host[sizeof(host) - 1] = 0;
	snprintf(t.dir, sizeof(t.dir), "/tmp/fo-cmp-XXXXXX");
	CHECK(mkdtemp(t.dir));
	CHECK_EQ(fo_cmp_mark_out_dir(t.dir), 0);
	put(&t, host, txt("show run | include ~x", f, sizeof(f)), "a\n");
	CHECK_EQ(fo_cmp_tree_open(&ct, t.dir, 0, err, sizeof(err)), 0);
	CHECK_EQ(ct.n, 1);
	CHECK(!ct.e[0].exact);                               /* the host's name was shortened */
	CHECK_STR(ct.e[0].command, "show run | include ~x"); /* the command's was not */
	CHECK_EQ(fo_cmp_tree_mark(&ct, host, "show run | include ~x"), 1);
	fo_cmp_tree_release(&ct);
	tree_rm(&t);
}
