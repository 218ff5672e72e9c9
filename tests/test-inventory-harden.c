/*
 * The inventory against hostile input: files that never end (/dev/zero),
 * directories and empty files where a file is expected, host lists that
 * add up past the cap of a run, YAML nested deep enough to make libyaml's
 * scanner quadratic, aliases that expand, secrets under keys other than
 * password, and flag values that strtol would have taken. Each test names
 * what must happen; none asserts on time (a test's own timeout is what
 * stops one that hangs).
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../src/run/inventory.h"
#include "test.h"

/* ---- helpers ------------------------------------------------------------------- */

static char tmp_dir[64];
static char tmp_files[16][160];
static int ntmp_files;
static char sub_dir[160];

static void tmp_cleanup(void)
{
	while (ntmp_files > 0)
		unlink(tmp_files[--ntmp_files]);
	if (sub_dir[0])
		rmdir(sub_dir);
	if (tmp_dir[0])
		rmdir(tmp_dir);
}

static const char *tmpdir(void)
{
	if (!tmp_dir[0]) {
		snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/fanout-invh-XXXXXX");
		CHECK(mkdtemp(tmp_dir) != NULL);
		atexit(tmp_cleanup);
	}
	return tmp_dir;
}

/* An empty directory DIR/sub: its path. */
static const char *subdir(void)
{
	if (!sub_dir[0]) {
		snprintf(sub_dir, sizeof(sub_dir), "%s/sub", tmpdir());
		CHECK(mkdir(sub_dir, 0755) == 0);
	}
	return sub_dir;
}

/* Writes len bytes of text to DIR/name; returns the path. */
static const char *put_n(const char *name, const char *text, size_t len)
{
	char *p;
	FILE *f;

	CHECK(ntmp_files < 16);
	p = tmp_files[ntmp_files++];
	snprintf(p, sizeof(tmp_files[0]), "%s/%s", tmpdir(), name);
	f = fopen(p, "w");
	CHECK(f != NULL);
	CHECK(fwrite(text, 1, len, f) == len);
	CHECK(fclose(f) == 0);
	return p;
}

static const char *put(const char *name, const char *text)
{
	return put_n(name, text, strlen(text));
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

/* `fanout inventory ARGS` fails with exit 2, one line on stderr holding
 * needle, nothing on stdout. */
static void cli_refuses(const char *needle, const char *const *args)
{
	const char *argv[16] = { "inventory" };
	char *out = NULL, *err = NULL;
	int i, rc;

	for (i = 0; args[i]; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	rc = fo_test_cliv(&out, &err, argv);
	if (rc != 2 || count_lines(err) != 1 || !fo_test_has(err, needle) || (out && *out) ||
	    strncmp(err, "fanout: ", 8)) {
		fprintf(stderr, "inventory %s ...: rc %d, stderr:\n%s(expected '%s')\nstdout:\n%.200s\n", args[0], rc,
			err, needle, out);
		exit(1);
	}
	free(out);
	free(err);
}

#define REFUSES(needle, ...) cli_refuses(needle, (const char *const[]){ __VA_ARGS__, NULL })

/* ---- unbounded reads --------------------------------------------------------------- */

TEST_T(inventory_harden_endless_host_file, 120)
{
	/* a file that never ends stops at the bound with a one-line error */
	REFUSES("cannot read host file '/dev/zero': larger than 256 MiB", "-w", "^/dev/zero");
	REFUSES("cannot read host file '/dev/zero': larger than 256 MiB", "--hosts-file", "/dev/zero");
	REFUSES("cannot read host file '/dev/zero': larger than 256 MiB", "-w", "a", "-x", "^/dev/zero");
}

TEST_T(inventory_harden_host_file_out_of_memory, 60)
{
	pid_t pid;
	int status;

	if (*fo_test_san())
		fo_test_skip("a memory limit and a sanitizer's shadow memory do not mix");
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = { (rlim_t)160 << 20, (rlim_t)160 << 20 };
		char err[512] = "";
		size_t n = 0;
		int r;

		CHECK(setrlimit(RLIMIT_AS, &rl) == 0);
		r = fo_hostlist_count("^/dev/zero", FO_HOSTLIST_FILES, &n, err, sizeof(err));
		if (r != -ENOMEM || strcmp(err, "cannot read host file '/dev/zero': out of memory")) {
			fprintf(stderr, "got %d: %s\n", r, err);
			_exit(1);
		}
		_exit(0);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST_T(inventory_harden_directories, 30)
{
	char hosts[300], list[300];

	snprintf(list, sizeof(list), "^%s", subdir());
	REFUSES("cannot read host file '", "-w", list);
	REFUSES("/sub': it is a directory; expected a file of hosts", "-w", list);
	REFUSES("/sub': it is a directory; expected a file of hosts", "--hosts-file", subdir());
	snprintf(hosts, sizeof(hosts), "%s/hosts.yaml", tmpdir());
	put("hosts.yaml", "r1: {password_file: sub}\n");
	REFUSES("hosts.yaml': line 1: password_file '", "-i", hosts);
	REFUSES("/sub' is a directory; expected a file holding the password", "-i", hosts);
	/* as a connection option's */
	put("hosts.yaml", "r1:\n  connection_options:\n    netconf: {password_file: sub}\n");
	REFUSES("/sub' is a directory; expected a file holding the password", "-i", hosts);
}

TEST_T(inventory_harden_empty_password_file, 30)
{
	char hosts[300];
	char *out = NULL, *err = NULL;

	snprintf(hosts, sizeof(hosts), "%s/hosts.yaml", tmpdir());
	put("empty.txt", "");
	put("newline.txt", "\n");
	put("hosts.yaml", "r1: {password_file: empty.txt}\n");
	REFUSES("hosts.yaml': line 1: password_file '", "-i", hosts);
	REFUSES("/empty.txt' is empty; put the password in it, or write password: '' for none", "-i", hosts);
	put("hosts.yaml", "r1: {password_file: newline.txt}\n");
	REFUSES("/newline.txt' is empty", "-i", hosts);
	/* a real one is still read */
	put("pw.txt", "s3cret\n");
	put("hosts.yaml", "r1: {password_file: pw.txt}\n");
	CHECK_EQ(fo_test_cli(&out, &err, "inventory", "-i", hosts, NULL), 0);
	CHECK_HAS(out, "********");
	CHECK_LACKS(out, "s3cret");
	free(out);
	free(err);
}

TEST_T(inventory_harden_password_file_bound, 30)
{
	char hosts[300];

	snprintf(hosts, sizeof(hosts), "%s/hosts.yaml", tmpdir());
	put("hosts.yaml", "r1: {password_file: /dev/zero}\n");
	REFUSES("password_file '/dev/zero': larger than 64 KiB", "-i", hosts);
}

