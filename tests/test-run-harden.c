/*
 * `fanout run` against hostile inputs and a hostile machine: inventory
 * values that are shell syntax, terminal escapes or paths; commands that
 * leave children behind; a full disk, a full or closed stdout, a kill -9;
 * secrets that are devices; options that mean nothing. The exec and sleep
 * tasks need no ssh; everything is local.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../src/run/run.h"
#include "test.h"

/* ---- helpers ------------------------------------------------------------------------ */

/* A fresh folder of this test's own (the caller removes it with rm_dir). */
static void tmp_dir(char *out, size_t cap)
{
	snprintf(out, cap, "/tmp/fanout-harden.XXXXXX");
	CHECK(mkdtemp(out) != NULL);
}

static void rm_dir(const char *d)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
	CHECK_EQ(system(cmd), 0);
}

static void put_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	CHECK_EQ(fwrite(s, 1, strlen(s), f), strlen(s));
	CHECK_EQ(fclose(f), 0);
}

/* The whole file (malloc'd), or NULL when it does not exist. */
static char *get_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *b;
	size_t n = 0, cap = 1 << 16, r;

	if (!f)
		return NULL;
	b = malloc(cap);
	CHECK(b != NULL);
	while ((r = fread(b + n, 1, cap - n - 1, f)) > 0) {
		n += r;
		if (cap - n < 2) {
			b = realloc(b, cap *= 2);
			CHECK(b != NULL);
		}
	}
	fclose(f);
	b[n] = 0;
	if (len)
		*len = n;
	return b;
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* s as a YAML double-quoted scalar. */
static void yaml_q(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\x%02x", (unsigned char)*s);
		else if ((unsigned char)s[0] == 0xc2 && (unsigned char)s[1] >= 0x80 && (unsigned char)s[1] < 0xa0)
			fprintf(f, "\\x%02x", (unsigned char)*++s); /* a C1 control: YAML wants it escaped */
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

struct hh {
	const char *name, *hostname, *user, *platform;
};

/* A nornir inventory of the hosts in dir/inv (any bytes in any value). */
static void write_inventory(const char *dir, const struct hh *h, size_t n, char *inv, size_t cap)
{
	char path[400];
	FILE *f;
	size_t i;

	snprintf(inv, cap, "%s/inv", dir);
	CHECK_EQ(mkdir(inv, 0700), 0);
	snprintf(path, sizeof(path), "%s/hosts.yaml", inv);
	f = fopen(path, "w");
	CHECK(f != NULL);
	for (i = 0; i < n; i++) {
		yaml_q(f, h[i].name);
		fputs(":\n  hostname: ", f);
		yaml_q(f, h[i].hostname ? h[i].hostname : "127.0.0.1");
		if (h[i].user) {
			fputs("\n  username: ", f);
			yaml_q(f, h[i].user);
		}
		if (h[i].platform) {
			fputs("\n  platform: ", f);
			yaml_q(f, h[i].platform);
		}
		fputc('\n', f);
	}
	CHECK_EQ(fclose(f), 0);
}

/* s as fo__json_str writes it (the subset these tests need). */
static char *json_esc(const char *s)
{
	char *o = malloc(strlen(s) * 6 + 3), *p = o;

	CHECK(o != NULL);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\') {
			*p++ = '\\';
			*p++ = *s;
		} else if (*s == '\n') {
			*p++ = '\\';
			*p++ = 'n';
		} else {
			*p++ = *s;
		}
	}
	*p = 0;
	return o;
}

/* Is process pid gone (or a zombie nobody reaped yet)? */
static bool pid_gone(pid_t pid)
{
	char path[64], *st, *p;
	bool zombie;

	if (kill(pid, 0) < 0 && errno == ESRCH)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	st = get_file(path, NULL);
	if (!st)
		return true;
	p = strrchr(st, ')');
	zombie = p && (p[2] == 'Z' || p[2] == 'X');
	free(st);
	return zombie;
}

/* Waits (bounded: 20 s) until pid is gone; kills it anyway after. */
static bool wait_gone(pid_t pid)
{
	long long end = fo_test_now_ms() + 20000;
	bool gone;

	while (!(gone = pid_gone(pid)) && fo_test_now_ms() < end)
		fo_test_sleep_ms(20);
	if (!gone)
		kill(pid, SIGKILL);
	return gone;
}

/* The pid in a file the command writes, waiting (bounded) for it. */
static pid_t read_pid(const char *path)
{
	long long end = fo_test_now_ms() + 20000;
	char *s = NULL;
	pid_t pid;

	while (fo_test_now_ms() < end) {
		s = get_file(path, NULL);
		if (s && strchr(s, '\n'))
			break;
		free(s);
		s = NULL;
		fo_test_sleep_ms(20);
	}
	CHECK(s != NULL);
	pid = (pid_t)strtol(s, NULL, 10);
	free(s);
	CHECK(pid > 1);
	return pid;
}

static const char *bin(void)
{
	const char *b = getenv("FANOUT_BIN");

	return b ? b : "build/fanout";
}

/* fanout run args... in the background, stdout into out_path: its pid. */
static pid_t spawn_run(const char *out_path, const char *const *args)
{
	const char *argv[64];
	int n = 0;
	pid_t pid;

	argv[n++] = bin();
	argv[n++] = "run";
	for (; *args && n < 62; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(127);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid;
}

/* ---- 1: inventory values never become shell syntax ------------------------------------ */

TEST(run_harden_exec_values_are_quoted)
{
	char d[64], inv[128], names[3][200], hostnames[3][200], user[200], plat[200], wl[200], path[300];
	char *out = NULL, *err = NULL;
	struct hh h[3];
	int i;

	tmp_dir(d, sizeof(d));
	snprintf(names[0], 200, "h1;touch${IFS}%s/x1", d);
	snprintf(hostnames[0], 200, "a\nb;touch %s/x2", d);
	snprintf(names[1], 200, "$(touch %s/x3)", d);
	snprintf(hostnames[1], 200, "`touch %s/x4`", d);
	snprintf(names[2], 200, "it's \"q\" \\");
	snprintf(hostnames[2], 200, "'; touch %s/x5; '", d);
	snprintf(user, sizeof(user), "$(touch %s/x6)'", d);
	snprintf(plat, sizeof(plat), "`touch %s/x7`\n", d);
	for (i = 0; i < 3; i++)
		h[i] = (struct hh){ names[i], hostnames[i], i == 2 ? user : NULL, i == 2 ? plat : NULL };
	write_inventory(d, h, 3, inv, sizeof(inv));
	CHECK_EQ(fo_test_cli(&out, &err, "run", "-i", inv, "--task", "exec", "--run",
			     "printf '%s|' {host} {hostname} {user} {platform} \"$FANOUT_HOST\" \"$FANOUT_HOSTNAME\" "
			     "\"$FANOUT_USER\" \"$FANOUT_PLATFORM\" \"$FANOUT_PORT\"",
			     "--port", "2222", "--json", NULL),
		 0);
	for (i = 1; i <= 7; i++) {
		snprintf(path, sizeof(path), "%s/x%d", d, i);
		CHECK(!exists(path));
	}
	/* each value came back exactly, as a word and from the environment */
	for (i = 0; i < 3; i++) {
		char want[2000], *esc;
		const char *u = i == 2 ? user : "", *p = i == 2 ? plat : "";

		snprintf(want, sizeof(want), "\"output\":\"%s|%s|%s|%s|%s|%s|%s|%s|2222|\"", names[i], hostnames[i], u,
			 p, names[i], hostnames[i], u, p);
		esc = json_esc(want + 10); /* the value, without "output":" */
		snprintf(want + 10, sizeof(want) - 10, "%s", esc);
		want[strlen(want) - 2] = 0; /* the escaped closing quote */
		CHECK_HAS(out, want);
		free(esc);
	}
	free(out);
	free(err);
	/* the issue's own: a host list */
	snprintf(wl, sizeof(wl), "h1;touch${IFS}%s/x8", d);
	CHECK_EQ(fo_test_cli(&out, &err, "run", "-w", wl, "--task", "exec", "--run", "echo {host}", "--json", NULL), 0);
	snprintf(path, sizeof(path), "%s/x8", d);
	CHECK(!exists(path));
	CHECK_HAS(out, wl);
	free(out);
	free(err);
	rm_dir(d);
}

/* ---- 2: a timeout or Ctrl-C kills all the command started ----------------------------- */

TEST(run_harden_exec_timeout_kills_the_group)
{
	char d[64], run[300], pidf[128], *out = NULL, *err = NULL;
	pid_t pid;

	tmp_dir(d, sizeof(d));
	snprintf(pidf, sizeof(pidf), "%s/pid", d);
	snprintf(run, sizeof(run), "sleep 300 & echo $! >%s; wait", pidf);
	CHECK_EQ(fo_test_cli(&out, &err, "run", "-w", "a", "--task", "exec", "--run", run, "--timeout", "500ms",
			     "--json", NULL),
		 1);
	CHECK_HAS(out, "{\"status\":\"timeout\"");
	pid = read_pid(pidf);
	CHECK(wait_gone(pid));
	free(out);
	free(err);
	rm_dir(d);
}

TEST(run_harden_exec_ctrl_c_kills_the_group)
{
	char d[64], run[300], pidf[128], outf[128];
	const char *a[] = { "-w", "a", "--task", "exec", "--run", run, "--timeout", "5m", "--grace", "0", "--json",
			    NULL };
	pid_t pid, fan;
	int st;

	tmp_dir(d, sizeof(d));
	snprintf(pidf, sizeof(pidf), "%s/pid", d);
	snprintf(outf, sizeof(outf), "%s/out", d);
	snprintf(run, sizeof(run), "sleep 300 & echo $! >%s; wait", pidf);
	fan = spawn_run(outf, a);
	pid = read_pid(pidf);
	kill(fan, SIGINT);
	CHECK_EQ(waitpid(fan, &st, 0), fan);
	CHECK(wait_gone(pid));
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 130);
	rm_dir(d);
}

/* ---- 3: every write error reaches the host and the exit code -------------------------- */

TEST(run_harden_out_full_disk_fails_hosts)
{
	const char *fs = fo_test_small_fs(64 << 10);
	char outd[200], *out = NULL, *err = NULL, path[1000];
	DIR *top;
	struct dirent *e;
	int whole = 0;

	snprintf(outd, sizeof(outd), "%s/out", fs);
	CHECK_EQ(fo_test_cli(&out, &err, "run", "-w", "h[1-6]", "--task", "exec", "--run",
			     "head -c 30000 /dev/zero | tr '\\0' x", "--out", outd, "--json", NULL),
		 1);
	CHECK_HAS(out, "{\"status\":\"failed\"");
	CHECK_HAS(out, "No space left on device");
	CHECK_HAS(out, "\"phase\":\"output\"");
	CHECK_HAS(out, "\"out_error\":\"cannot write '");
	CHECK_HAS(err, "failed ");
	CHECK_HAS(err, "not all written");
	CHECK_HAS(err, "No space left on device");
	/* what is there is whole: no cut file, no temporary left */
	top = opendir(outd);
	CHECK(top != NULL);
	while ((e = readdir(top))) {
		DIR *sub;
		struct dirent *f;
		char hd[600];

		if (e->d_name[0] == '.')
			continue;
		snprintf(hd, sizeof(hd), "%s/%s", outd, e->d_name);
		sub = opendir(hd);
		CHECK(sub != NULL);
		while ((f = readdir(sub))) {
			struct stat st;

			if (f->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", hd, f->d_name);
			CHECK_LACKS(f->d_name, ".tmp-");
			CHECK_EQ(stat(path, &st), 0);
			CHECK_EQ(st.st_size, 30000);
			whole++;
		}
		closedir(sub);
	}
	closedir(top);
	CHECK(whole < 6);
	free(out);
	free(err);
}

TEST(run_harden_out_not_a_folder)
{
	char d[64], file[128], sub[160], run[300], mark[160], *out = NULL, *err = NULL;

	tmp_dir(d, sizeof(d));
	snprintf(file, sizeof(file), "%s/file", d);
	snprintf(sub, sizeof(sub), "%s/file/sub", d);
	snprintf(mark, sizeof(mark), "%s/ran", d);
	snprintf(run, sizeof(run), "touch %s", mark);
	put_file(file, "");
	CHECK_EQ(fo_test_cli(&out, &err, "run", "-w", "a", "--task", "exec", "--run", run, "--out", file, NULL), 2);
	CHECK_HAS(err, "fanout: cannot use --out '");
	CHECK_HAS(err, "Not a directory");
	CHECK_EQ(strchr(err, '\n') - err + 1, (long)strlen(err)); /* one line */
	free(out);
	free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "run", "-w", "a", "--task", "exec", "--run", run, "--out", sub, NULL), 2);
	CHECK_HAS(err, "Not a directory");
	CHECK(!exists(mark));
	free(out);
	free(err);
	rm_dir(d);
}

TEST(run_harden_stdout_errors)
{
	const char *a[] = { "run", "-w", "h[1-3]", "--task", "sleep", "--rtt", "1ms", "--json", NULL };
	char *err = NULL;
	int po[2], st;
	pid_t pid;

	CHECK_EQ(fo_test_cli_stdout("/dev/full", &err, a), 1);
	CHECK_HAS(err, "fanout: cannot write results to stdout: No space left on device\n");
	free(err);
	/* a closed pipe: an error, not a silent SIGPIPE */
	CHECK_EQ(pipe(po), 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		close(po[0]);
		dup2(po[1], 1);
		dup2(devnull, 2);
		execl(bin(), bin(), "run", "-w", "h[1-3]", "--task", "sleep", "--rtt", "1ms", "--json", (char *)NULL);
		_exit(127);
	}
	close(po[0]);
	close(po[1]);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 1);
}

/* ---- 4: a failed, cut or timed-out output never replaces a good one ------------------ */

/* part holds want, and good is still the 4000-byte good output. */
static void partial_beside_good(const char *part, const char *want, const char *good)
{
	size_t len;
	char *s = get_file(part, NULL);

	CHECK_STR(s, want);
	free(s);
	s = get_file(good, &len);
	CHECK_EQ(len, 4000);
	free(s);
}

/* One exec run of tmpl over host h with --out dir, extra flags. */
static int run_out(const char *dir, const char *tmpl, const char *x1, const char *x2)
{
	char *out = NULL, *err = NULL;
	const char *a[] = { "run", "-w", "h", "--task", "exec", "--run", tmpl, "--out", dir, "--json", x1, x2, NULL };
	int rc = fo_test_cliv(&out, &err, a);

	free(out);
	free(err);
	return rc;
}

TEST(run_harden_partial_beside_good)
{
	char d[64], outd[128], src[128], fail[128], hang[128], tmpl[600], name[FO_RUN_NAME_MAX + 1];
	char good[400], part[400], *s, big[4001];
	size_t len;

	tmp_dir(d, sizeof(d));
	snprintf(outd, sizeof(outd), "%s/out", d);
	snprintf(src, sizeof(src), "%s/src", d);
	snprintf(fail, sizeof(fail), "%s/fail", d);
	snprintf(hang, sizeof(hang), "%s/hang", d);
	snprintf(tmpl, sizeof(tmpl), "cat %s; test ! -e %s || exec sleep 60; test ! -e %s", src, hang, fail);
	fo__run_file_name(tmpl, name);
	snprintf(good, sizeof(good), "%s/h/%s.txt", outd, name);
	snprintf(part, sizeof(part), "%s/h/%s.partial.txt", outd, name);
	memset(big, 'g', 4000);
	big[4000] = 0;
	put_file(src, big);
	CHECK_EQ(run_out(outd, tmpl, NULL, NULL), 0);
	s = get_file(good, &len);
	CHECK_EQ(len, 4000);
	free(s);
	CHECK(!exists(part));
	/* failed: the fragment beside, the good one untouched */
	put_file(src, "frag");
	put_file(fail, "");
	CHECK_EQ(run_out(outd, tmpl, NULL, NULL), 1);
	partial_beside_good(part, "frag", good);
	/* cut by --max-output (and otherwise fine): partial too */
	unlink(fail);
	put_file(src, "0123456789abcdef");
	CHECK_EQ(run_out(outd, tmpl, "--max-output", "10"), 1);
	partial_beside_good(part, "0123456789", good);
	/* timed out: partial */
	put_file(src, "slow");
	put_file(hang, "");
	CHECK_EQ(run_out(outd, tmpl, "--timeout", "300ms"), 1);
	partial_beside_good(part, "slow", good);
	/* good again: replaces the good one, the stale partial goes */
	unlink(hang);
	put_file(src, "new");
	CHECK_EQ(run_out(outd, tmpl, NULL, NULL), 0);
	s = get_file(good, NULL);
	CHECK_STR(s, "new");
	free(s);
	CHECK(!exists(part));
	rm_dir(d);
}

/* A kill -9 leaves only whole --json lines: each is one write(2), no
 * stdio buffer holds half of one (or its newline). */
TEST(run_harden_json_lines_whole_after_kill)
{
	char d[64], outf[128], pidf[128], run[400], *s = NULL;
	const char *a[] = { "-w", "a,b", "--task", "exec", "--run", run, "--timeout", "5m", "--json", NULL };
	long long end;
	size_t len = 0;
	pid_t fan;

	tmp_dir(d, sizeof(d));
	snprintf(outf, sizeof(outf), "%s/out.json", d);
	snprintf(pidf, sizeof(pidf), "%s/pid", d);
	snprintf(run, sizeof(run),
		 "if [ {host} = a ]; then head -c 6000 /dev/zero | tr '\\0' x; else echo $$ >%s; exec sleep 60; fi",
		 pidf);
	fan = spawn_run(outf, a);
	end = fo_test_now_ms() + 20000;
	while (fo_test_now_ms() < end) {
		s = get_file(outf, &len);
		if (s && len && s[len - 1] == '\n')
			break;
		free(s);
		s = NULL;
		fo_test_sleep_ms(20);
	}
	kill(fan, SIGKILL);
	waitpid(fan, NULL, 0);
	kill(read_pid(pidf), SIGKILL);
	CHECK(s != NULL);
	free(s);
	s = get_file(outf, &len);
	CHECK(len > 6000);
	CHECK(s[len - 1] == '\n' && s[len - 2] == '}');
	CHECK_EQ(strchr(s, '\n') - s + 1, (long)len); /* one line, whole */
	free(s);
	rm_dir(d);
}

/* ---- 5: file names: reversible, no escape, no collision ------------------------------- */

static void name_is(const char *raw, const char *want)
{
	char got[FO_RUN_NAME_MAX + 1];

	fo__run_file_name(raw, got);
	CHECK_STR(got, want);
}

TEST(run_harden_file_names)
{
	char raw[400], got[FO_RUN_NAME_MAX + 1], got2[FO_RUN_NAME_MAX + 1], want[300];

	name_is("r1", "r1");
	name_is("a/b", "a%2Fb");
	name_is("a_b", "a_b");
	name_is("a:b", "a%3Ab");
	name_is("..", "%2E.");
	name_is(".", "%2E");
	name_is(".hidden", "%2Ehidden");
	name_is("show clock", "show+clock");
	name_is("show/clock", "show%2Fclock");
	name_is("show+clock", "show%2Bclock");
	name_is("x.partial", "x%2Epartial");
	name_is(".partial", "%2Epartial");
	name_is("x.partial.txt", "x.partial.txt");
	name_is("x.partialy", "x.partialy");
	name_is("~t%", "%7Et%25");
	name_is("caf\xc3\xa9\n\x1b", "caf%C3%A9%0A%1B");
	name_is("", "");
	/* 200 encoded bytes stay; 201 are shortened to 160 + ~ + 16 hex */
	memset(raw, 'a', 200);
	raw[200] = 0;
	fo__run_file_name(raw, got);
	CHECK_STR(got, raw);
	raw[200] = 'b';
	raw[201] = 0;
	fo__run_file_name(raw, got);
	snprintf(want, sizeof(want), "%.160s~%016llx", raw, (unsigned long long)fo__fnv1a(raw));
	CHECK_STR(got, want);
	CHECK_EQ(strlen(got), 177);
	raw[200] = 'c';
	fo__run_file_name(raw, got2);
	CHECK(strcmp(got, got2) != 0);
	/* a %XX across the 160th byte is not cut */
	memset(raw, 'a', 159);
	memcpy(raw + 159, "/zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", 52);
	raw[211] = 0;
	fo__run_file_name(raw, got);
	CHECK_EQ(strcspn(got, "~"), 159);
	/* 67 bytes of %XX: 201 encoded */
	memset(raw, '/', 67);
	raw[67] = 0;
	fo__run_file_name(raw, got);
	CHECK_EQ(strcspn(got, "~"), 159);
	CHECK_EQ(strlen(got), 176);
}

/* Hostile host names through --out: one folder each, inside DIR, and
 * Python's unquote_plus gives every name back. */
TEST(run_harden_out_names_python)
{
	static const char *const names[] = { "..", ".", "a/b", "a_b", "a:b", "a b", "a+b", ".hidden", "x.partial",
					     "~t", "caf\xc3\xa9", "new\nline", "esc\x1b[1m", "../../etc" };
	size_t n = sizeof(names) / sizeof(names[0]), i;
	char d[64], inv[128], outd[128], cmd[600], longa[260], longb[260], *out = NULL, *err = NULL, *got, *want;
	struct hh h[20];
	FILE *f;
	size_t wl = 0;

	if (system("python3 -c 'import urllib.parse' 2>/dev/null") != 0)
		fo_test_skip("no python3");
	tmp_dir(d, sizeof(d));
	memset(longa, 'L', 250);
	longa[250] = 0;
	memcpy(longb, longa, 251);
	longb[249] = 'M';
	for (i = 0; i < n; i++)
		h[i] = (struct hh){ names[i], NULL, NULL, NULL };
	h[n] = (struct hh){ longa, NULL, NULL, NULL };
	h[n + 1] = (struct hh){ longb, NULL, NULL, NULL };
	write_inventory(d, h, n + 2, inv, sizeof(inv));
	snprintf(outd, sizeof(outd), "%s/out", d);
	CHECK_EQ(fo_test_cli(&out, &err, "run", "-i", inv, "--task", "exec", "--run", "echo {host}", "--out", outd,
			     NULL),
		 0);
	free(out);
	free(err);
	/* nothing outside DIR/out: d holds inv and out only */
	snprintf(cmd, sizeof(cmd), "ls -A '%s' | tr '\\n' ' '", d);
	f = popen(cmd, "r");
	CHECK(f != NULL);
	got = calloc(1, 4096);
	CHECK(fread(got, 1, 4095, f) > 0);
	pclose(f);
	CHECK_STR(got, "inv out ");
	free(got);
	/* every folder unquoted, as hex, sorted; the two long ones shortened */
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && python3 -c 'import os,sys,urllib.parse as u\n"
		 "names=[x for x in os.listdir(\".\") if x != \".fanout-out\"]\n"
		 "assert len(names)==%zu, names\n"
		 "assert sum(\"~\" in x for x in names)==2, names\n"
		 "print(\" \".join(sorted(u.unquote_plus(x,encoding=\"latin-1\").encode(\"latin-1\").hex() for x in names if \"~\" not in x)))'",
		 outd, n + 2);
	f = popen(cmd, "r");
	CHECK(f != NULL);
	got = calloc(1, 8192);
	CHECK(fread(got, 1, 8191, f) > 0);
	CHECK_EQ(pclose(f), 0);
	/* the same from the raw names, NUL-separated in a file */
	{
		char tmpf[128], *raw = calloc(1, 4096), c2[700];

		CHECK(raw != NULL);
		for (i = 0; i < n; i++) {
			memcpy(raw + wl, names[i], strlen(names[i]));
			wl += strlen(names[i]) + 1; /* NUL-separated */
		}
		snprintf(tmpf, sizeof(tmpf), "%s/raw", d);
		f = fopen(tmpf, "w");
		CHECK(f != NULL);
		fwrite(raw, 1, wl - 1, f);
		fclose(f);
		free(raw);
		snprintf(c2, sizeof(c2),
			 "python3 -c 'import sys; print(\" \".join(sorted(x.hex() for x in open(sys.argv[1],\"rb\").read().split(b\"\\0\"))))' '%s'",
			 tmpf);
		f = popen(c2, "r");
		CHECK(f != NULL);
		want = calloc(1, 8192);
		CHECK(fread(want, 1, 8191, f) > 0);
		CHECK_EQ(pclose(f), 0);
	}
	CHECK_STR(got, want);
	free(got);
	free(want);
	rm_dir(d);
}

/* ---- 6: untrusted text on the terminal is neutralised ------------------------------ */

TEST(run_harden_terminal_text)
{
	char d[64], inv[128], *out = NULL, *err = NULL;
	struct hh h[1] = { { "evil\x1b]0;pwned\x07\xc2\x9b" "31m caf\xc3\xa9", "bad\x1b[2Jname.invalid", NULL, NULL } };

	tmp_dir(d, sizeof(d));
	write_inventory(d, h, 1, inv, sizeof(inv));
	/* the name unresolved: its error text holds the hostname */
	CHECK_EQ(fo_test_cli(&out, &err, "run", "-i", inv, "--task", "tcp", "--no-progress", NULL), 1);
	CHECK_LACKS(err, "\x1b");
	CHECK_LACKS(err, "\x07");
	CHECK_HAS(err, "evil\\x1b]0;pwned\\x07\\xc2\\x9b31m caf\xc3\xa9: unreachable: "); /* UTF-8 kept */
	CHECK_LACKS(err, "\xc2\x9b");
	CHECK_HAS(err, "bad\\x1b[2Jname.invalid");
	free(out);
	free(err);
	/* files and JSON keep the text exact (JSON escapes it) */
	CHECK_EQ(fo_test_cli(&out, &err, "run", "-i", inv, "--task", "tcp", "--json", NULL), 1);
	CHECK_HAS(out, "\"host\":\"evil\\u001b]0;pwned\\u0007");
	free(out);
	free(err);
	rm_dir(d);
}

/* ---- 7: a password file is a bounded read of a real first line ---------------------- */

TEST(run_harden_password_file)
{
	char d[64], f[128], *out = NULL, *err = NULL;

	tmp_dir(d, sizeof(d));
	CHECK_EQ(fo_test_cli(&out, &err, "run", "-w", "127.0.0.1", "-c", "x", "--password-file", "/dev/zero", NULL), 2);
	CHECK_HAS(err, "--password-file '/dev/zero' is over 64 KiB: give a file");
	free(out), free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "run", "-w", "127.0.0.1", "-c", "x", "--password-file", d, NULL), 2);
	CHECK_HAS(err, "is a folder");
	free(out), free(err);
	snprintf(f, sizeof(f), "%s/pw", d);
	put_file(f, "");
	CHECK_EQ(fo_test_cli(&out, &err, "run", "-w", "127.0.0.1", "-c", "x", "--password-file", f, NULL), 2);
	CHECK_HAS(err, "is empty: its first line must be the password");
	free(out), free(err);
	put_file(f, "\nsecret\n");
	CHECK_EQ(fo_test_cli(&out, &err, "run", "-w", "127.0.0.1", "-c", "x", "--password-file", f, NULL), 2);
	CHECK_HAS(err, "starts with an empty line");
	free(out), free(err);
	rm_dir(d);
}

/* ---- 8, 9: nonsense refused before anything runs ------------------------------------ */

static void refused(const char *want, const char *a1, const char *a2, const char *a3, const char *a4,
		    const char *a5, const char *a6)
{
	char *out = NULL, *err = NULL;
	const char *a[] = { "run", "-w", "127.0.0.1", a1, a2, a3, a4, a5, a6, NULL };

	CHECK_EQ(fo_test_cliv(&out, &err, a), 2);
	CHECK_HAS(err, want);
	CHECK_EQ(strchr(err, '\n') - err + 1, (long)strlen(err)); /* one line */
	free(out);
	free(err);
}

TEST(run_harden_nonsense_refused)
{
	char d[64], cf[128];

	refused("fanout: bad --prompt '(': expected a regular expression (missing closing parenthesis", "-c", "x",
		"--shell",
		"--prompt", "(", NULL);
	refused("fanout: --rtt is not an option of --task ssh (see fanout run --help)", "-c", "x", "--rtt", "1s", NULL, NULL);
	refused("fanout: --run is not an option of --task tcp", "--task", "tcp", "--run", "x", NULL, NULL);
	refused("fanout: --command is not an option of --task sleep", "--task", "sleep", "-c", "x", NULL, NULL);
	refused("fanout: --timeout is not an option of --task ssh", "-c", "x", "--timeout", "1s", NULL, NULL);
	refused("fanout: --out is not an option of --task sleep", "--task", "sleep", "--out", "/tmp", NULL, NULL);
	refused("bad --retry ''", "-c", "x", "--retry", "", NULL, NULL);
	refused("bad --max-logins ''", "-c", "x", "--max-logins", "", NULL, NULL);
	refused("bad --max-output '-1'", "-c", "x", "--max-output", "-1", NULL, NULL);
	refused("bad --max-output '18446744073709551616'", "-c", "x", "--max-output", "18446744073709551616", NULL,
		NULL);
	refused("bad --max-output '0'", "-c", "x", "--max-output", "0", NULL, NULL);
	refused("bad --port ' 22'", "-c", "x", "--port", " 22", NULL, NULL);
	refused("bad --workers ' 4'", "-c", "x", "--workers", " 4", NULL, NULL);
	refused("bad --retry-shed '+1'", "-c", "x", "--retry-shed", "+1", NULL, NULL);
	refused("bad --jump '127.0.0.1: 22'", "-c", "x", "--jump", "127.0.0.1: 22", NULL, NULL);
	/* empty values: an empty command would be a file named ".txt" */
	refused("fanout: bad -c '': expected a command", "-c", "", NULL, NULL, NULL, NULL);
	refused("bad --run ''", "--task", "exec", "--run", "", NULL, NULL);
	refused("bad --user ''", "-c", "x", "--user", "", NULL, NULL);
	refused("bad --out ''", "-c", "x", "--out", "", NULL, NULL);
	/* one "fanout:" before a bad host list's reason */
	refused("fanout: bad -w 'r[1-': '[' without ']' in 'r[1-'", "-w", "r[1-", "-c", "x", NULL, NULL);
	tmp_dir(d, sizeof(d));
	snprintf(cf, sizeof(cf), "%s/cmds", d);
	put_file(cf, "show clock\n# no\n\nshow version\n");
	refused("fanout: --commands-file is not an option of --task sleep", "--task", "sleep", "--commands-file", cf, NULL,
		NULL);
	/* platforms and configuration: refused before any host starts */
	refused("fanout: bad --platform 'foo': expected ios, nxos", "--platform", "foo", "-c", "x", NULL, NULL);
	refused("fanout: --dry-run needs --config FILE or --config-dir DIR", "--dry-run", "-c", "x", NULL, NULL, NULL);
	refused("fanout: host 127.0.0.1 has no platform, so no configuration level", "--config", cf, NULL, NULL, NULL,
		NULL);
	refused("fanout: host 127.0.0.1: platform cisco_iosxe has no commit confirmed", "--platform", "ios", "--config",
		cf, "--confirm", "2m");
	refused("fanout: host 127.0.0.1: platform cisco_iosxe has no level 'nope'", "--platform", "ios", "--level", "nope",
		"-c", "x");
	refused("fanout: give --config or --config-dir, not both", "--config", cf, "--config-dir", d, NULL, NULL);
	refused("fanout: bad --platform-file: ", "--platform-file", cf, "-c", "x", NULL, NULL);
	rm_dir(d);
}

/* --commands-file with the ssh task: its commands run, nothing leaks (the
 * ASan suite sets detect_leaks: a leak is exit code 23, not 1). */
TEST(run_harden_commands_file_no_leak)
{
	char d[64], cf[128], *out = NULL, *err = NULL;

	tmp_dir(d, sizeof(d));
	snprintf(cf, sizeof(cf), "%s/cmds", d);
	put_file(cf, "show clock\r\n# no\n\nshow version");
	/* port 1 on loopback: refused at once */
	CHECK_EQ(fo_test_cli(&out, &err, "run", "-w", "127.0.0.1", "--port", "1", "--commands-file", cf, "--no-agent",
			     "--host-keys", "off", "--known-hosts", "/dev/null", "--json", NULL),
		 1);
	CHECK_HAS(out, "{\"status\":\"unreachable\"");
	CHECK_HAS(out, "\"command\":\"show clock\",");
	CHECK_HAS(out, "\"command\":\"show version\",");
	CHECK_LACKS(out, "# no");
	free(out);
	free(err);
	rm_dir(d);
}
