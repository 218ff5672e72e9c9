/*
 * src/util/file.c: bounded whole-file reads and all-or-nothing writes
 * (STYLE 19-20), on a real small tmpfs for the full-disk case.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../src/util/file.h"
#include "test.h"

TEST(file_slurp_bounded)
{
	char *b = NULL, dir[] = "/tmp/fo-slurp-XXXXXX", path[64];
	size_t n;

	CHECK_EQ(fo__slurp_max("/dev/zero", 1 << 20, &b, &n), -EFBIG);
	CHECK(mkdtemp(dir));
	CHECK_EQ(fo__slurp(dir, &b, &n), -EISDIR);
	snprintf(path, sizeof(path), "%s/f", dir);
	CHECK_EQ(fo__write_file(path, "hello", 5, 0600, false), 0);
	CHECK_EQ(fo__slurp_max(path, 4, &b, &n), -EFBIG);
	CHECK_EQ(fo__slurp_max(path, 5, &b, &n), 0);
	CHECK_EQ(n, 5);
	CHECK_STR(b, "hello");
	free(b);
	unlink(path);
	rmdir(dir);
}

TEST(file_write_full_disk_keeps_the_old_file)
{
	const char *fs = fo_test_small_fs(64 << 10);
	char path[128], *b = NULL, big[200000];
	struct fo_wfile w;
	size_t n;
	int e;

	snprintf(path, sizeof(path), "%s/report", fs);
	CHECK_EQ(fo__write_file(path, "good", 4, 0644, true), 0);
	memset(big, 'x', sizeof(big));
	e = fo__write_file(path, big, sizeof(big), 0644, true);
	CHECK_EQ(e, -ENOSPC);
	CHECK_EQ(fo__slurp(path, &b, &n), 0);
	CHECK_STR(b, "good");
	free(b);
	/* no temporary file is left behind, by commit's failure or by abort */
	CHECK_EQ(fo__wfile_open(&w, path, 0644), 0);
	fputs("half", w.f);
	fo__wfile_abort(&w);
	{
		char cmd[256], *out = NULL;
		FILE *p;

		snprintf(cmd, sizeof(cmd), "ls -A %s", fs);
		p = popen(cmd, "r");
		CHECK(p);
		out = calloc(1, 4096);
		CHECK_EQ(fread(out, 1, 4095, p) > 0, 1);
		pclose(p);
		CHECK_STR(out, "report\n");
		free(out);
	}
}

/* A device or FIFO given as the output is written in place: renaming a
 * temporary file over /dev/full would replace the device. */
TEST(file_write_device_in_place)
{
	struct stat st;
	char dir[] = "/tmp/fo-wdev-XXXXXX";

	CHECK_EQ(fo__write_file("/dev/full", "x", 1, 0644, true), -ENOSPC);
	CHECK_EQ(stat("/dev/full", &st), 0);
	CHECK(S_ISCHR(st.st_mode));
	CHECK_EQ(fo__write_file("/dev/null", "x", 1, 0644, true), 0);
	CHECK_EQ(stat("/dev/null", &st), 0);
	CHECK(S_ISCHR(st.st_mode));
	CHECK(mkdtemp(dir));
	CHECK_EQ(fo__write_file(dir, "x", 1, 0644, false), -EISDIR);
	rmdir(dir);
}

/* A symbolic link as the output: its target is replaced, the link kept. */
TEST(file_write_through_a_link)
{
	char dir[] = "/tmp/fo-wlink-XXXXXX", target[64], link[64], *b = NULL;
	struct stat st;
	size_t n;

	CHECK(mkdtemp(dir));
	snprintf(target, sizeof(target), "%s/report.txt", dir);
	snprintf(link, sizeof(link), "%s/latest", dir);
	CHECK_EQ(fo__write_file(target, "old", 3, 0644, false), 0);
	CHECK_EQ(symlink("report.txt", link), 0);
	CHECK_EQ(fo__write_file(link, "new", 3, 0644, false), 0);
	CHECK_EQ(lstat(link, &st), 0);
	CHECK(S_ISLNK(st.st_mode));
	CHECK_EQ(fo__slurp(target, &b, &n), 0);
	CHECK_STR(b, "new");
	free(b);
	unlink(link);
	unlink(target);
	rmdir(dir);
}
