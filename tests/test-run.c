/*
 * `fanout run` end to end: the ssh task against the fixture (a real OpenSSH
 * sshd on loopback whose logins run devsim, tests/fixtures/ssh/), every
 * misbehaving device a distinct status, host keys, outputs, exit codes,
 * Ctrl-C; and the tcp, sleep and exec tasks.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../src/cli/opt.h"
#include "../src/run/run.h"
#include "proc.h"
#include "test.h"

/* ---- the fixture ------------------------------------------------------------------ */

struct fx {
	char dir[128];
	char port[16];
	char key[200];
	char kh[200];
	char user[64];
	char password[64];
};

static void build_dir(char *out, size_t cap)
{
	const char *bin = getenv("FANOUT_BIN");
	const char *slash;

	if (!bin)
		bin = "build/fanout";
	slash = strrchr(bin, '/');
	snprintf(out, cap, "%.*s", slash ? (int)(slash - bin) : 5, slash ? bin : "build");
}

static void fx_stop(struct fx *f)
{
	fo_test_sshd_stop(f->dir);
}

/* Starts the fixture with n devices; skips the test where sshd is missing. */
static void fx_start(struct fx *f, int n, const char *extra)
{
	char cmd[600], bdir[200], envf[200];
	int rc;

	if (access("/usr/sbin/sshd", X_OK) < 0)
		fo_test_skip("no /usr/sbin/sshd (openssh-server)");
	snprintf(f->dir, sizeof(f->dir), "/tmp/fanout-test-fx.%d", (int)getpid());
	build_dir(bdir, sizeof(bdir));
	/* --owner: it stops itself when this test's process is gone, however
	 * the test ends (a passing test leaves by _exit, skipping atexit) */
	snprintf(cmd, sizeof(cmd), "BUILD=%s bash tests/fixtures/ssh/sshd-fixture.sh start %s --devices %d --owner %d %s >%s.log 2>&1",
		 bdir, f->dir, n, (int)getpid(), extra ? extra : "", f->dir);
	rc = system(cmd);
	if (rc != 0) {
		snprintf(cmd, sizeof(cmd), "cat %s.log >&2", f->dir);
		if (system(cmd)) {}
		CHECK_EQ(rc, 0);
	}
	snprintf(envf, sizeof(envf), "%s/env", f->dir);
	fo_test_env_get(envf, "FIXTURE_PORT", f->port, sizeof(f->port));
	fo_test_env_get(envf, "FIXTURE_KEY", f->key, sizeof(f->key));
	fo_test_env_get(envf, "FIXTURE_USER", f->user, sizeof(f->user));
	fo_test_env_get(envf, "FIXTURE_PASSWORD", f->password, sizeof(f->password));
	snprintf(f->kh, sizeof(f->kh), "%s/kh-run", f->dir);
	CHECK(f->port[0] && f->key[0] && f->user[0]);
}

/* Runs fanout run against the fixture with the common flags plus args. */
static int fx_run(struct fx *f, char **out, char **err, const char *const *args)
{
	const char *argv[128];
	int n = 0;

	argv[n++] = "run";
	argv[n++] = "--port";
	argv[n++] = f->port;
	argv[n++] = "--user";
	argv[n++] = f->user;
	argv[n++] = "--known-hosts";
	argv[n++] = f->kh;
	argv[n++] = "--no-agent";
	for (; *args && n < 126; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	return fo_test_cliv(out, err, argv);
}

static int count(const char *s, const char *needle)
{
	int n = 0;

	while (s && (s = strstr(s, needle))) {
		n++;
		s += strlen(needle);
	}
	return n;
}

/* The JSON line of host h in out (malloc'd copy), or NULL. */
static char *line_of(const char *out, const char *h)
{
	char key[128];
	const char *p, *e;

	snprintf(key, sizeof(key), "\"host\":\"%s\"", h);
	p = strstr(out, key);
	if (!p)
		return NULL;
	while (p > out && p[-1] != '\n')
		p--;
	e = strchr(p, '\n');
	return strndup(p, e ? (size_t)(e - p) : strlen(p));
}

/* ---- ssh: the good path ----------------------------------------------------------- */

TEST_T(run_ssh_exec_every_device, 120)
{
	struct fx f;
	char *out = NULL, *err = NULL;
	int rc;

	fx_start(&f, 20, NULL);
	{
		const char *a[] = { "-w", "127.1.0.[1-20]", "--key", f.key, "--exec", "-c", "show version",
				    "--json", NULL };

		rc = fx_run(&f, &out, &err, a);
	}
	CHECK_EQ(rc, 0);
	CHECK_EQ(count(out, "\n"), 20);
	CHECK_EQ(count(out, "{\"status\":\"ok\""), 20);
	CHECK_HAS(out, "dev-1-0-7 uptime is");
	CHECK_HAS(out, "\"exit\":0");
	CHECK_HAS(err, "20 hosts");
	free(out);
	free(err);
	fx_stop(&f);
}

TEST_T(run_ssh_shell_many_commands, 120)
{
	struct fx f;
	char *out = NULL, *err = NULL, *l;
	int rc;
	const char *a[] = { "-w", "127.1.0.[1-3]", "--key", f.key, "--shell", "-c", "show version", "-c",
			    "show running-config", "-c", "show ip route", "-c", "show clock", "--json", NULL };

	fx_start(&f, 3, NULL);
	a[3] = f.key;
	rc = fx_run(&f, &out, &err, a);
	CHECK_EQ(rc, 0);
	l = line_of(out, "127.1.0.2");
	CHECK(l != NULL);
	CHECK_EQ(count(l, "\"status\":\"ok\""), 5); /* the host and its 4 commands */
	/* the echo and the prompt are not part of the output */
	CHECK_LACKS(l, "dev-1-0-2#");
	CHECK_HAS(l, "hostname dev-1-0-2");
	/* a running-config of realistic size came whole */
	CHECK(strlen(l) > 10000);
	free(l);
	free(out);
	free(err);
	fx_stop(&f);
}

TEST_T(run_ssh_device_error_is_failed, 120)
{
	struct fx f;
	char *out = NULL, *err = NULL;
	int rc;
	const char *a[] = { "-w", "127.1.0.1", "--key", NULL, "--shell", "-c", "show bogus thing", "-c",
			    "show clock", "--json", NULL };

	fx_start(&f, 1, NULL);
	a[3] = f.key;
	rc = fx_run(&f, &out, &err, a);
	CHECK_EQ(rc, 1);
	CHECK_HAS(out, "{\"status\":\"failed\"");
	CHECK_HAS(out, "the device said: % Invalid input");
	/* the next command still ran */
	CHECK_HAS(out, "\"command\":\"show clock\",\"status\":\"ok\"");
	free(out);
	free(err);
	fx_stop(&f);
}

/* The public key comes from KEY.pub when it is there; without it, from the
 * private key; a .pub of another key fails the login, as with ssh(1). */
TEST_T(run_ssh_key_with_and_without_pub, 120)
{
	struct fx f;
	char *out = NULL, *err = NULL, key[300], cmd[2000];
	int rc;
	const char *a[] = { "-w", "127.1.0.1", "--key", key, "--exec", "-c", "show clock", "--host-keys", "off",
			    "--json", NULL };

	fx_start(&f, 1, NULL);
	snprintf(key, sizeof(key), "%s/lone_key", f.dir);
	snprintf(cmd, sizeof(cmd), "cp %s %s && chmod 600 %s", f.key, key, key);
	CHECK_EQ(system(cmd), 0);
	rc = fx_run(&f, &out, &err, a); /* no lone_key.pub */
	CHECK_EQ(rc, 0);
	CHECK_HAS(out, "\"status\":\"ok\"");
	free(out);
	free(err);
	snprintf(cmd, sizeof(cmd), "cp %s.pub %s.pub", f.key, key);
	CHECK_EQ(system(cmd), 0);
	rc = fx_run(&f, &out, &err, a);
	CHECK_EQ(rc, 0);
	free(out);
	free(err);
	snprintf(cmd, sizeof(cmd), "rm -f %s.x* && ssh-keygen -q -t ed25519 -N '' -f %s.x && cp %s.x.pub %s.pub", key,
		 key, key, key);
	CHECK_EQ(system(cmd), 0);
	rc = fx_run(&f, &out, &err, a);
	CHECK_EQ(rc, 1);
	CHECK_HAS(out, "{\"status\":\"auth_failed\"");
	free(out);
	free(err);
	fx_stop(&f);
}

TEST_T(run_ssh_password_and_out_dir, 120)
{
	struct fx f;
	char *out = NULL, *err = NULL, path[300], outdir[200];
	struct stat st;
	int rc;
	const char *a[] = { "-w", "127.1.0.[1-2]", "--password-env", "FANOUT_TEST_PW", "--exec", "-c",
			    "show version", "-c", "show inventory", "--out", NULL, NULL };

	fx_start(&f, 2, NULL);
	if (geteuid() != 0)
		fo_test_skip("password logins need the fixture as root");
	snprintf(outdir, sizeof(outdir), "%s/out", f.dir);
	a[10] = outdir;
	setenv("FANOUT_TEST_PW", f.password, 1);
	rc = fx_run(&f, &out, &err, a);
	CHECK_EQ(rc, 0);
	snprintf(path, sizeof(path), "%s/127.1.0.2/show+inventory.txt", outdir);
	CHECK_EQ(stat(path, &st), 0);
	CHECK(st.st_size > 100);
	/* the password is never printed */
	CHECK_LACKS(err, f.password);
	CHECK_LACKS(out, f.password);
	free(out);
	free(err);
	fx_stop(&f);
}

/* ---- ssh: every fault its own status ------------------------------------------------- */

/* --max-output under a read's 16 KiB: the first 100 bytes are kept and
 * the command fails as over, in exec and in shell mode; an output under
 * the cap is whole. */
TEST_T(run_ssh_small_max_output, 120)
{
	struct fx f;
	const char *modes[] = { "--exec", "--shell" };

	fx_start(&f, 1, NULL);
	for (int m = 0; m < 2; m++) {
		char *out = NULL, *err = NULL;
		const char *a[] = { "-w", "127.1.0.1", "--key", f.key, modes[m], "-c", "show version", "--max-output",
				    "100", "--json", NULL };
		const char *o;

		CHECK_EQ(fx_run(&f, &out, &err, a), 1);
		CHECK_HAS(out, "output over 100 bytes");
		o = strstr(out, "\"output\":\"");
		CHECK(o != NULL);
		o += 10;
		CHECK(strstr(o, "\"}") - o >= 90); /* 100 bytes, some JSON-escaped longer */
		free(out);
		free(err);
		a[8] = "1M";
		CHECK_EQ(fx_run(&f, &out, &err, a), 0);
		free(out);
		free(err);
	}
	fx_stop(&f);
}

TEST_T(run_ssh_faults_each_a_status, 120)
{
	struct fx f;
	char *out = NULL, *err = NULL, *l;
	int rc, lfd;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	char refused[64];
	const char *a[] = { "-w", NULL, "--key", NULL, "--password-env", "FANOUT_TEST_BAD", "--shell",
			    "-c", "show version", "-c", "show running-config", "--command-timeout", "1500ms",
			    "--max-output", "1M", "--json", NULL };

	fx_start(&f, 1, NULL);
	/* a port nobody listens on: bind one, close it */
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK_EQ(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	getsockname(lfd, (struct sockaddr *)&sa, &sl);
	close(lfd);
	(void)refused;
	a[1] = "127.9.0.[1-5],127.1.0.1";
	a[3] = f.key;
	setenv("FANOUT_TEST_BAD", "not-the-password", 1);
	rc = fx_run(&f, &out, &err, a);
	CHECK_EQ(rc, 1);
	CHECK_EQ(count(out, "\n"), 6);
	l = line_of(out, "127.9.0.1");
	CHECK_HAS(l, "{\"status\":\"auth_failed\"");
	free(l);
	l = line_of(out, "127.9.0.2"); /* logs in, never a prompt */
	CHECK_HAS(l, "{\"status\":\"timeout\"");
	CHECK_HAS(l, "\"phase\":\"prompt\"");
	CHECK_HAS(l, "no prompt seen");
	free(l);
	l = line_of(out, "127.9.0.3"); /* drops halfway through an output */
	CHECK_HAS(l, "{\"status\":\"failed\"");
	CHECK_HAS(l, "closed the connection during the command");
	free(l);
	l = line_of(out, "127.9.0.5"); /* prints forever: the output cap ends it */
	CHECK_HAS(l, "{\"status\":\"failed\"");
	CHECK_HAS(l, "output over 1048576 bytes");
	free(l);
	l = line_of(out, "127.1.0.1"); /* unaffected */
	CHECK_HAS(l, "{\"status\":\"ok\"");
	free(l);
	free(out);
	free(err);

	/* refused port and an address with nothing behind it: unreachable */
	{
		char port[16];
		const char *b[] = { "run", "-w", "127.1.0.1", "--port", port, "--task", "ssh", "-c", "x",
				    "--no-agent", "--connect-timeout", "1s", "--json", NULL };

		snprintf(port, sizeof(port), "%d", ntohs(sa.sin_port));
		rc = fo_test_cliv(&out, &err, b);
		CHECK_EQ(rc, 1);
		CHECK_HAS(out, "{\"status\":\"unreachable\"");
		CHECK_HAS(out, "Connection refused");
		free(out);
		free(err);
	}
	fx_stop(&f);
}

TEST_T(run_ssh_host_keys, 120)
{
	struct fx f;
	char *out = NULL, *err = NULL, cmd[2000];
	int rc;
	const char *strict[] = { "-w", "127.1.0.1", "--key", NULL, "--exec", "-c", "show clock",
				 "--host-keys", "strict", "--json", NULL };
	const char *accept[] = { "-w", "127.1.0.1", "--key", NULL, "--exec", "-c", "show clock", "--json", NULL };

	fx_start(&f, 1, NULL);
	strict[3] = accept[3] = f.key;
	/* strict, key not on record: refused, nothing recorded */
	rc = fx_run(&f, &out, &err, strict);
	CHECK_EQ(rc, 1);
	CHECK_HAS(out, "{\"status\":\"hostkey_mismatch\"");
	CHECK_HAS(out, "is not in");
	CHECK(access(f.kh, F_OK) < 0);
	free(out);
	free(err);
	/* accept-new (the default): recorded, ok; then strict is ok too */
	rc = fx_run(&f, &out, &err, accept);
	CHECK_EQ(rc, 0);
	free(out);
	free(err);
	rc = fx_run(&f, &out, &err, strict);
	CHECK_EQ(rc, 0);
	free(out);
	free(err);
	/* the key on record changes: refused under both policies */
	snprintf(cmd, sizeof(cmd),
		 "sed -i 's/ \\([^ ]*\\)$/ AAAAC3NzaC1lZDI1NTE5AAAAIBmWEnyEyAu8XoRkzj2pXqUzWxXuOBPbbBS3uqfU3u2N/' %s",
		 f.kh);
	CHECK_EQ(system(cmd), 0);
	rc = fx_run(&f, &out, &err, accept);
	CHECK_EQ(rc, 1);
	CHECK_HAS(out, "{\"status\":\"hostkey_mismatch\"");
	CHECK_HAS(out, "changed");
	free(out);
	free(err);
	/* OpenSSH's own file, as the fixture writes it for ssh: a [127.*]:PORT
	 * pattern, under strict */
	snprintf(cmd, sizeof(cmd), "cp %s/known_hosts %s", f.dir, f.kh);
	CHECK_EQ(system(cmd), 0);
	rc = fx_run(&f, &out, &err, strict);
	CHECK_EQ(rc, 0);
	free(out);
	free(err);
	/* the same hashed by ssh-keygen -H (a literal name is what it hashes) */
	snprintf(cmd, sizeof(cmd),
		 "sed -i 's/^\\[127\\.\\*\\]/[127.1.0.1]/' %s && ssh-keygen -q -H -f %s >/dev/null 2>&1 && "
		 "rm -f %s.old && grep -q '^|1|' %s && ! grep -q 127 %s",
		 f.kh, f.kh, f.kh, f.kh, f.kh);
	CHECK_EQ(system(cmd), 0);
	rc = fx_run(&f, &out, &err, strict);
	CHECK_EQ(rc, 0);
	free(out);
	free(err);
	/* a key marked @revoked is refused, also where another line has it */
	snprintf(cmd, sizeof(cmd), "sed -n 's/^[^ ]* /@revoked * /p' %s >>%s", f.kh, f.kh);
	CHECK_EQ(system(cmd), 0);
	rc = fx_run(&f, &out, &err, accept);
	CHECK_EQ(rc, 1);
	CHECK_HAS(out, "{\"status\":\"hostkey_mismatch\"");
	CHECK_HAS(out, "@revoked");
	free(out);
	free(err);
	fx_stop(&f);
}

/* ---- the other tasks, and accounting --------------------------------------------------- */

TEST(run_sleep_10000_hosts_all_accounted)
{
	char *out = NULL, *err = NULL;
	int rc = fo_test_cli(&out, &err, "run", "--task", "sleep", "--rtt", "20ms", "-w",
			     "h[00001-10000]", "--json", NULL);

	CHECK_EQ(rc, 0);
	CHECK_EQ(count(out, "{\"status\":\"ok\""), 10000);
	CHECK_HAS(err, "10000 hosts");
	free(out);
	free(err);
}

TEST(run_tcp_checks)
{
	int lfd = socket(AF_INET, SOCK_STREAM, 0), rc;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	char port[16], *out = NULL, *err = NULL;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK_EQ(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	CHECK_EQ(listen(lfd, 512), 0);
	getsockname(lfd, (struct sockaddr *)&sa, &sl);
	snprintf(port, sizeof(port), "%d", ntohs(sa.sin_port));
	/* 127.0.0.1 listens; 127.0.0.2 on the same port refuses */
	rc = fo_test_cli(&out, &err, "run", "--task", "tcp", "-w", "127.0.0.[1-2]", "--port", port,
			 "--json", NULL);
	CHECK_EQ(rc, 1);
	CHECK_HAS(out, "{\"status\":\"ok\",\"host\":\"127.0.0.1\"");
	CHECK_HAS(out, "{\"status\":\"unreachable\",\"host\":\"127.0.0.2\"");
	free(out);
	free(err);
	close(lfd);
}

TEST(run_exec_templates)
{
	char *out = NULL, *err = NULL;
	int rc = fo_test_cli(&out, &err, "run", "--task", "exec", "--run", "echo {host}:{port}; test {host} != b",
			     "-w", "a,b", "--port", "2222", "--json", NULL);

	CHECK_EQ(rc, 1);
	CHECK_HAS(out, "{\"status\":\"ok\",\"host\":\"a\"");
	CHECK_HAS(out, "\"output\":\"a:2222\\n\"");
	CHECK_HAS(out, "{\"status\":\"failed\",\"host\":\"b\"");
	CHECK_HAS(out, "exit status 1");
	free(out);
	free(err);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines of s that hold "host", with their "ms" fields (timings) cut,
 * sorted: what two runs of the same hosts must agree on. */
static char *host_lines(const char *s)
{
	char *copy = strdup(s ? s : ""), *save = NULL, *ln, **v = NULL, *out;
	size_t n = 0, cap = 0, len = 1, i;

	CHECK(copy != NULL);
	for (ln = strtok_r(copy, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
		char *m;

		if (!strstr(ln, "\"host\":"))
			continue;
		while ((m = strstr(ln, "\"ms\":"))) {
			char *e = m + 5;

			while (*e >= '0' && *e <= '9')
				e++;
			memmove(m, e, strlen(e) + 1);
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			v = realloc(v, cap * sizeof(*v));
			CHECK(v != NULL);
		}
		v[n++] = ln;
		len += strlen(ln) + 1;
	}
	qsort(v, n, sizeof(*v), cmp_str);
	out = malloc(len);
	CHECK(out != NULL);
	len = 0;
	for (i = 0; i < n; i++) {
		size_t l = strlen(v[i]);

		memcpy(out + len, v[i], l);
		out[len + l] = '\n';
		len += l + 1;
	}
	out[len] = 0;
	free(v);
	free(copy);
	return out;
}

/* DESIGN's sharding: N runs with --shard K/N, as separate processes, do
 * what one run does, each host once. */
TEST(run_shards_merge_into_one_run)
{
	char *out = NULL, *err = NULL, *all, *merged = NULL, *got, shard[16];
	size_t len = 0;
	int k;
	const char *base[] = { "run", "--task", "exec", "--run", "echo {host}; test {host} != h037",
			       "-w", "h[001-100]", "-x", "h050", "--json", "--shard", shard, NULL };

	CHECK_EQ(fo_test_cli(&out, &err, "run", "--task", "exec", "--run", "echo {host}; test {host} != h037", "-w",
			     "h[001-100]", "-x", "h050", "--json", NULL),
		 1);
	all = host_lines(out);
	CHECK_EQ(count(all, "\n"), 99);
	free(out);
	free(err);
	for (k = 1; k <= 3; k++) {
		snprintf(shard, sizeof(shard), "%d/3", k);
		CHECK_EQ(fo_test_cliv(&out, &err, base), k == 1 ? 1 : 0); /* h037 is the 36th host: shard 1 */
		CHECK_EQ(count(out, "{\"status\""), 33);
		merged = realloc(merged, len + strlen(out) + 1);
		CHECK(merged != NULL);
		memcpy(merged + len, out, strlen(out) + 1);
		len += strlen(out);
		free(out);
		free(err);
	}
	got = host_lines(merged);
	CHECK_STR(got, all);
	free(got);
	free(merged);
	free(all);
}

TEST(run_bad_input)
{
	char *out = NULL, *err = NULL;

	CHECK_EQ(fo_test_cli(&out, &err, "run", "-c", "x", NULL), 2);
	CHECK_HAS(err, "no hosts");
	free(out), free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "run", "-w", "a", NULL), 2);
	CHECK_HAS(err, "no command");
	free(out), free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "run", "-w", "a[1-", "-c", "x", NULL), 2);
	CHECK_HAS(err, "bad -w 'a[1-'");
	free(out), free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "run", "-w", "a", "-c", "x", "--task", "ftp", NULL), 2);
	CHECK_HAS(err, "bad --task 'ftp'");
	free(out), free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "run", "-w", "a", "-c", "x", "--key", "/nonexistent/key", NULL), 2);
	CHECK_HAS(err, "cannot read key file '/nonexistent/key'");
	free(out), free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "run", "-w", "a", "-c", "x", "--group", "nope", NULL), 2);
	CHECK_HAS(err, "nope");
	free(out), free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "run", "-w", "a", "-c", "x", "--connect-timeout", "soon", NULL), 2);
	CHECK_HAS(err, "bad --connect-timeout 'soon'");
	free(out), free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "run", "-w", "a", "-c", "x", "--password-env", "FANOUT_NOT_SET_X", NULL), 2);
	CHECK_HAS(err, "FANOUT_NOT_SET_X");
	free(out), free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "run", "-w", "a", "-c", "x", "--retry-shed", "-1", NULL), 2);
	CHECK_HAS(err, "bad --retry-shed '-1'");
	free(out), free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "run", "-w", "a", "-c", "x", "--shard", "3/2", NULL), 2);
	CHECK_HAS(err, "bad --shard '3/2': expected K/N");
	free(out), free(err);
}

/* ---- the option table -------------------------------------------------------------- */

/* The --task choice that a flag of context ctx belongs to, the tasks being
 * the bits of the --task entry's choices in order: sleep and exec (no
 * network) first. */
static const char *task_for(const struct fo_opt *task, unsigned ctx)
{
	static const char *const pref[] = { "sleep", "exec", "ssh", "tcp", "http", "copy" };
	static char name[16];
	size_t i;

	for (i = 0; i < sizeof(pref) / sizeof(pref[0]); i++) {
		const char *p = task->choices;
		unsigned bit = 0;

		while (strncmp(p, pref[i], strlen(pref[i])) || (p[strlen(pref[i])] && p[strlen(pref[i])] != '|')) {
			p += strcspn(p, "|") + 1;
			bit++;
		}
		if (!ctx || (ctx & (1u << bit))) {
			snprintf(name, sizeof(name), "%s", pref[i]);
			return name;
		}
	}
	return NULL;
}

/* A good value of each flag of `fanout run` that takes one. */
static const char *run_sample(const struct fo_opt *o, const char *dir)
{
	static char path[256], num[32];
	static const char *const v[][2] = {
		{ "hosts", "h2" }, { "user", "u" }, { "port", "2222" }, { "exclude", "h9" }, { "limit", "1" },
		{ "group", "g1" }, { "filter", "name=h1" }, { "shard", "1/1" }, { "task", "sleep" },
		{ "run", "true" }, { "command", "x" }, { "setup", "terminal length 0" }, { "prompt", "[>#] ?$" },
		{ "key-pass-env", "HOME" }, { "password-env", "HOME" }, { "jump", "127.0.0.1:1" },
		{ "host-keys", "strict" }, { "model", "coro:2" }, { "url", "http://{hostname}:{port}/x" }, { "rtt", "1ms" },
		{ "platform", "junos" }, { "level", "exec" }, { "secret-env", "HOME" }, { "via", "scp" },
		{ "pull", "/etc/hostname" }, { "ignore", "^uptime" }, { "dns", "127.0.0.1:1" },
	};
	static const char *const files[][2] = { { "inventory", "" }, { "hosts-file", "/hosts.txt" },
						{ "commands-file", "/cmds" }, { "key", "/cmds" },
						{ "password-file", "/pw" }, { "known-hosts", "/kh" },
						{ "out", "/out" }, { "platform-file", "/plat.yaml" },
						{ "secret-file", "/pw" }, { "config", "/cfg" }, { "config-dir", "" },
						{ "push", "/cmds" }, { "templates", "/tfsm" }, { "compare", "/prev" } };
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (!strcmp(o->name, v[i][0]))
			return v[i][1];
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (!strcmp(o->name, files[i][0])) {
			snprintf(path, sizeof(path), "%s%s", dir, files[i][1]);
			return path;
		}
	if (o->kind == FO_OPT_COUNT)
		snprintf(num, sizeof(num), "%.0f", o->min + 1);
	return o->kind == FO_OPT_COUNT ? num : o->kind == FO_OPT_DURATION ? "2s" : o->kind == FO_OPT_SIZE ? "1M"
										     : NULL;
}

/* fanout run with the flag under test (arg) on a base for task that does
 * not repeat that flag: -i DIR (h1, 127.0.0.1, in group g1), and for the
 * tasks that connect, port 1 on loopback (refused at once). */
static int run_with(const char *name, const char *arg, const char *arg2, const char *task, const char *dir,
		    char **out, char **err)
{
	static const char *const base[][3] = {
		{ "sleep", "--rtt", "1ms" }, { "exec", "--run", "true" }, { "ssh", "--command", "x" },
		{ "ssh", "--known-hosts", NULL }, { "copy", "--known-hosts", NULL }, { "", "--port", "1" },
		{ "", "--task", NULL },
		{ "ssh", "--platform", "ios" },
	};
	static const char *const needs_config[] = { "dry-run", "save", "config-continue", "confirm" };
	static const char *const needs_compare[] = { "ignore", "fail-on-change" };
	const char *a[32] = { "run", "-i", dir, arg, arg2 };
	char kh[256], cfg[256], tfsm[256], prev[256];
	size_t i, n = arg2 ? 5 : 4;

	snprintf(kh, sizeof(kh), "%s/kh", dir);
	snprintf(cfg, sizeof(cfg), "%s/cfg", dir);
	snprintf(tfsm, sizeof(tfsm), "%s/tfsm", dir);
	snprintf(prev, sizeof(prev), "%s/prev", dir);
	if (!strcmp(name, "parse")) {
		a[n++] = "--templates";
		a[n++] = tfsm;
	}
	for (i = 0; i < sizeof(needs_compare) / sizeof(needs_compare[0]); i++)
		if (!strcmp(name, needs_compare[i])) {
			a[n++] = "--compare";
			a[n++] = prev;
		}
	for (i = 0; i < sizeof(needs_config) / sizeof(needs_config[0]); i++)
		if (!strcmp(name, needs_config[i])) {
			a[n++] = "--config";
			a[n++] = cfg;
		}
	for (i = 0; i < sizeof(base) / sizeof(base[0]); i++) {
		if (!strcmp(base[i][1] + 2, name))
			continue; /* the flag under test itself */
		if (!strcmp(base[i][1], "--task")) {
			a[n++] = "--task";
			a[n++] = task;
		} else if (!*base[i][0] && (!strcmp(task, "sleep") || !strcmp(task, "exec"))) {
			continue;
		} else if (!*base[i][0] || !strcmp(base[i][0], task)) {
			a[n++] = base[i][1];
			a[n++] = base[i][2] ? base[i][2] : kh;
			if (!strcmp(base[i][1], "--platform") && !strcmp(name, "confirm"))
				a[n - 1] = "junos"; /* commit confirmed is a commit platform's */
		}
	}
	if (!strcmp(task, "copy") && strcmp(name, "push") && strcmp(name, "pull")) {
		a[n++] = "--pull"; /* what copy needs, unless the flag under test is it */
		a[n++] = "/etc/hostname";
		a[n++] = dir;
	}
	a[n] = NULL;
	return fo_test_cliv(out, err, a);
}

static void run_opts_files(const char *dir)
{
	static const char plat[] = "platform-type: 'lab_os'\ndefault:\n  driver-type: 'network'\n"
				   "  privilege-levels:\n    exec:\n      pattern: '(?m)^\\w+>$'\n";
	char p[256];

	snprintf(p, sizeof(p), "%s/hosts.yaml", dir);
	fo_test_write(p, "h1: {hostname: 127.0.0.1, groups: [g1]}\n", 40);
	snprintf(p, sizeof(p), "%s/groups.yaml", dir);
	fo_test_write(p, "g1: {}\n", 7);
	snprintf(p, sizeof(p), "%s/hosts.txt", dir);
	fo_test_write(p, "h3\n", 3);
	snprintf(p, sizeof(p), "%s/cmds", dir);
	fo_test_write(p, "x\n", 2);
	snprintf(p, sizeof(p), "%s/pw", dir);
	fo_test_write(p, "pw\n", 3);
	snprintf(p, sizeof(p), "%s/cfg", dir);
	fo_test_write(p, "hostname x\n", 11);
	snprintf(p, sizeof(p), "%s/plat.yaml", dir);
	fo_test_write(p, plat, strlen(plat));
	/* --templates: an index of no templates; --compare: an empty --out tree */
	snprintf(p, sizeof(p), "%s/tfsm", dir);
	CHECK(mkdir(p, 0755) == 0);
	snprintf(p, sizeof(p), "%s/tfsm/index", dir);
	fo_test_write(p, "Template, Hostname, Platform, Command\n", 38);
	snprintf(p, sizeof(p), "%s/prev", dir);
	CHECK(mkdir(p, 0755) == 0);
	snprintf(p, sizeof(p), "%s/prev/.fanout-out", dir);
	fo_test_write(p, "fanout --out tree 1\n", 20);
}

/* A bad value: exit 2 and the one line, starting with want. */
static void run_bad(const char *want, const char *a1, const char *a2, const char *a3)
{
	char *out = NULL, *err = NULL;
	const char *a[] = { "run", "-w", "h1", a1, a2, a3, NULL };

	CHECK_EQ(fo_test_cliv(&out, &err, a), 2);
	if (strncmp(err, want, strlen(want)) || strchr(err, '\n') != err + strlen(err) - 1) {
		fprintf(stderr, "run %s: stderr:\n%s(expected '%s')\n", a1, err, want);
		exit(1);
	}
	free(out);
	free(err);
}

/* Every shown flag is in --help; every flag that takes a value takes it as
 * --flag=VALUE, with a task it belongs to; bad values are the one format. */
TEST_T(run_opts_table, 120)
{
	const char *dir = fo_test_dir();
	const struct fo_opt *o, *task = NULL;
	char *help = NULL, *out = NULL, *err = NULL;

	run_opts_files(dir);
	CHECK_EQ(fo_test_cli(&help, &err, "run", "--help", NULL), 0);
	free(err);
	for (o = fo_run_opts.opts; o->name; o++)
		if (!strcmp(o->name, "task"))
			task = o;
	CHECK(task != NULL);
	for (o = fo_run_opts.opts; o->name; o++) {
		const char *v = run_sample(o, dir), *t = task_for(task, o->ctx);
		char arg[512];
		int rc;

		if (!strcmp(o->name, "shards"))
			continue; /* only with --shard auto and a scheduler's environment: test-merge.c */
		snprintf(arg, sizeof(arg), o->kind == FO_OPT_BOOL && o->def ? "]%s" : "--%s", o->name);
		if (!(o->flags & FO_OPT_HIDDEN))
			CHECK_HAS(help, arg);
		if (o->kind != FO_OPT_BOOL && o->kind != FO_OPT_FLAG && !v) {
			fprintf(stderr, "no sample value for --%s in run_opts_table\n", o->name);
			exit(1);
		}
		if (o->kind == FO_OPT_BOOL || o->kind == FO_OPT_FLAG)
			snprintf(arg, sizeof(arg), "--%s", o->name);
		else
			snprintf(arg, sizeof(arg), "--%s=%s", o->name, v);
		CHECK(t != NULL);
		rc = run_with(o->name, arg, o->flags & FO_OPT_TWO ? (o->kind == FO_OPT_FILE ? "/tmp/x" : dir) : NULL, t,
			      dir, &out, &err);
		/* sleep and exec end ok; the others are refused on port 1 */
		if (rc != (!strcmp(t, "sleep") || !strcmp(t, "exec") ? 0 : 1) || fo_test_has(err, "fanout: bad") ||
		    fo_test_has(err, "(see fanout run --help)")) {
			fprintf(stderr, "run %s (--task %s): exit %d, stderr:\n%s", arg, t, rc, err);
			exit(1);
		}
		free(out);
		free(err);
	}
	free(help);
	run_bad("fanout: bad --workers '0': expected a count, 1 or more\n", "--task=sleep", "--workers=0", NULL);
	run_bad("fanout: bad --task 'ftp': expected one of ssh, tcp, sleep, exec, http, copy\n", "--task=ftp", NULL, NULL);
	run_bad("fanout: bad --max-output '2G': expected a size from 1 to 1G", "-c", "x", "--max-output=2G");
	run_bad("fanout: bad --rtt 'soon': expected a duration", "--task", "sleep", "--rtt=soon");
	run_bad("fanout: bad --host-keys 'maybe': expected one of strict, accept-new, off\n", "-c", "x",
		"--host-keys=maybe");
	run_bad("fanout: '--json' takes no value (see fanout run --help)\n", "--task=sleep", "--json=1", NULL);
	run_bad("fanout: '--grace' is given more than once", "--grace=1s", "--grace", "2s");
	run_bad("fanout: --rtt is not an option of --task ssh (see fanout run --help)\n", "-c", "x", "--rtt=1ms");
	run_bad("fanout: unexpected 'stray'", "--task=sleep", "stray", NULL);
}

/* Ctrl-C: hosts in flight get the grace, then are cancelled; the rest are
 * skipped; every host has its line; exit 130. */
TEST(run_interrupt_accounts_for_every_host)
{
	char *out = NULL;
	int fd;
	pid_t pid;

	pid = fo_test_cli_start((const char *const[]){ "run", "--task", "sleep", "--rtt", "30s", "-w", "h[1-3000]",
						       "--workers", "1000", "--grace", "200ms", "--json", NULL },
				&fd);
	CHECK(pid > 0);
	fo_test_sleep_ms(500);
	CHECK_EQ(fo_test_cli_end(pid, fd, SIGINT, &out), 130);
	CHECK_EQ(count(out, "\n"), 3000);
	CHECK_EQ(count(out, "{\"status\":\"skipped\""), 3000);
	CHECK_HAS(out, "interrupted before it started");        /* waiting: never started */
	CHECK_HAS(out, "\"phase\":\"sleep\",\"ms\"");      /* in flight: cancelled */
	free(out);
}

/* 10,000 hosts with a real connection each: no descriptor errors, every
 * host accounted for. (The hosts are names in a nornir inventory that all
 * point at one listener on 127.0.0.1.) */
static void *acceptor(void *arg)
{
	int lfd = *(int *)arg, c;

	while ((c = accept(lfd, NULL, NULL)) >= 0)
		close(c);
	return NULL;
}

TEST_T(run_tcp_10000_hosts, 120)
{
	int lfd = socket(AF_INET, SOCK_STREAM, 0), rc, i;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	char dir[128], path[200], port[16], *out = NULL, *err = NULL;
	pthread_t th;
	FILE *f;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK_EQ(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	CHECK_EQ(listen(lfd, 4096), 0);
	getsockname(lfd, (struct sockaddr *)&sa, &sl);
	snprintf(port, sizeof(port), "%d", ntohs(sa.sin_port));
	CHECK_EQ(pthread_create(&th, NULL, acceptor, &lfd), 0);
	snprintf(dir, sizeof(dir), "/tmp/fanout-test-inv.%d", (int)getpid());
	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/hosts.yaml", dir);
	f = fopen(path, "w");
	CHECK(f != NULL);
	for (i = 0; i < 10000; i++)
		fprintf(f, "h%05d:\n  hostname: 127.0.0.1\n  port: %s\n", i, port);
	fclose(f);
	rc = fo_test_cli(&out, &err, "run", "--task", "tcp", "-i", dir, "--json", NULL);
	CHECK_EQ(rc, 0);
	CHECK_EQ(count(out, "{\"status\":\"ok\""), 10000);
	CHECK_LACKS(err, "Too many open files");
	free(out);
	free(err);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	CHECK_EQ(system(path), 0);
	shutdown(lfd, SHUT_RDWR); /* the acceptor's accept fails: it returns */
	CHECK_EQ(pthread_join(th, NULL), 0);
	close(lfd);
}

/* The http task against fanout serve --proto http: status, body, latency;
 * a refused port is unreachable. */
TEST(run_http_task)
{
	const char *bin = getenv("FANOUT_BIN");
	char line[256] = "", *out = NULL, *err = NULL, *p;
	int po[2], rc;
	pid_t pid;
	FILE *f;

	if (!bin)
		bin = "build/fanout";
	CHECK_EQ(pipe(po), 0);
	pid = fork();
	if (pid == 0) {
		dup2(po[1], 1);
		close(po[0]);
		execl(bin, bin, "serve", "--proto", "http", "--port", "0", "--reply", "pong", (char *)NULL);
		_exit(127);
	}
	close(po[1]);
	f = fdopen(po[0], "r");
	CHECK(fgets(line, sizeof(line), f) != NULL);
	p = strstr(line, " port ");
	CHECK(p != NULL);
	p += 6;
	p[strspn(p, "0123456789")] = 0;
	rc = fo_test_cli(&out, &err, "run", "--task", "http", "-w", "127.0.0.1", "--port", p, "--json", NULL);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	fclose(f);
	CHECK_EQ(rc, 0);
	CHECK_HAS(out, "\"http_status\":200");
	CHECK_HAS(out, "\"output\":\"pong");
	free(out);
	free(err);
	rc = fo_test_cli(&out, &err, "run", "--task", "http", "-w", "127.0.0.1", "--port", p, "--json", NULL);
	CHECK_EQ(rc, 1);
	CHECK_HAS(out, "{\"status\":\"unreachable\"");
	free(out);
	free(err);
}

/* Through a jump host (ssh -J): the fixture's 127.8.0.1 forwards TCP; a
 * device that does not is a clear unreachable. */
TEST_T(run_ssh_jump_host, 120)
{
	struct fx f;
	char *out = NULL, *err = NULL;
	int rc;
	const char *a[] = { "-w", "127.1.0.[1-3]", "--key", NULL, "--jump", "127.8.0.1", "--shell", "-c",
			    "show version", "--json", NULL };

	fx_start(&f, 3, NULL);
	a[3] = f.key;
	rc = fx_run(&f, &out, &err, a);
	CHECK_EQ(rc, 0);
	CHECK_EQ(count(out, "{\"status\":\"ok\""), 3);
	CHECK_HAS(out, "dev-1-0-3 uptime is");
	free(out);
	free(err);
	a[5] = "127.1.0.1"; /* a device: forwarding is off there */
	rc = fx_run(&f, &out, &err, a);
	CHECK_EQ(rc, 1);
	CHECK_HAS(out, "{\"status\":\"unreachable\"");
	CHECK_HAS(out, "through jump host 127.1.0.1: cannot reach");
	free(out);
	free(err);
	fx_stop(&f);
}

/* Logins through the gate, a few at a time, under coroutines and threads:
 * every host still ends ok. */
/* An sshd that sheds load (MaxStartups 3:100:3: every unauthenticated
 * connection past 3 dropped): the logins it hangs up on are tried again by
 * default, and all end ok; without (--retry-shed 0) they fail, saying why. */
TEST_T(run_ssh_load_shedding_retried, 120)
{
	struct fx f;
	char *out = NULL, *err = NULL;
	const char *a[] = { "-w", "127.1.0.[1-30]", "--key", NULL, "--exec", "-c", "show clock", "--max-logins",
			    "0", "--json", NULL, NULL, NULL };

	fx_start(&f, 30, "--max-startups 3:100:3");
	a[3] = f.key;
	CHECK_EQ(fx_run(&f, &out, &err, a), 0);
	CHECK_EQ(count(out, "{\"status\":\"ok\""), 30);
	CHECK_HAS(err, "retried: ");
	CHECK(count(out, "\"attempts\":1,") < 30);
	free(out);
	free(err);
	a[10] = "--retry-shed";
	a[11] = "0";
	CHECK_EQ(fx_run(&f, &out, &err, a), 1);
	CHECK_HAS(out, "the server hung up: too many logins at once?");
	CHECK_LACKS(err, "retried: ");
	free(out);
	free(err);
	fx_stop(&f);
}

TEST_T(run_ssh_login_gate, 120)
{
	struct fx f;
	char *out = NULL, *err = NULL;
	const char *models[] = { "coro:2", "threads:8" };
	const char *a[] = { "-w", "127.1.0.[1-12]", "--key", NULL, "--exec", "-c", "show clock", "--max-logins",
			    "2", "--model", NULL, "--json", NULL };
	size_t m;

	fx_start(&f, 12, NULL);
	a[3] = f.key;
	for (m = 0; m < 2; m++) {
		a[10] = models[m];
		CHECK_EQ(fx_run(&f, &out, &err, a), 0);
		CHECK_EQ(count(out, "{\"status\":\"ok\""), 12);
		free(out);
		free(err);
	}
	fx_stop(&f);
}

/* --out with real devices: 'show clock' and 'show/clock' are two files; a
 * device error and a connection dropped halfway through an output are
 * written as NAME.partial.txt, and a good NAME.txt of an earlier run
 * stays as it was. */
TEST_T(run_ssh_out_partial_and_names, 120)
{
	struct fx f;
	char *out = NULL, *err = NULL, outdir[200], path[400], cmd[600];
	struct stat st;
	FILE *fp;
	const char *a[] = { "-w", "127.1.0.1,127.9.0.3", "--key", NULL, "--shell", "-c", "show clock", "-c", "show/clock",
			    "-c", "show running-config", "--out", outdir, "--json", NULL };

	fx_start(&f, 1, NULL);
	a[3] = f.key;
	snprintf(outdir, sizeof(outdir), "%s/out", f.dir);
	CHECK_EQ(mkdir(outdir, 0755), 0);
	/* a good file from an earlier run of the dropping device */
	snprintf(path, sizeof(path), "%s/127.9.0.3", outdir);
	CHECK_EQ(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/127.9.0.3/show+running-config.txt", outdir);
	fp = fopen(path, "w");
	CHECK(fp != NULL);
	fputs("GOOD\n", fp);
	fclose(fp);
	CHECK_EQ(fx_run(&f, &out, &err, a), 1);
	snprintf(path, sizeof(path), "%s/127.1.0.1/show+clock.txt", outdir);
	CHECK_EQ(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/127.1.0.1/show%%2Fclock.partial.txt", outdir); /* the device's error */
	CHECK_EQ(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/127.1.0.1/show+running-config.txt", outdir);
	CHECK_EQ(stat(path, &st), 0);
	CHECK(st.st_size > 10000);
	snprintf(path, sizeof(path), "%s/127.9.0.3/show+running-config.txt", outdir);
	CHECK_EQ(stat(path, &st), 0);
	CHECK_EQ(st.st_size, 5); /* GOOD\n, untouched */
	snprintf(cmd, sizeof(cmd), "ls %s/127.9.0.3 | grep -c 'partial.txt$' | grep -qx '[1-3]'", outdir);
	CHECK_EQ(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "! ls -R %s | grep -q 'tmp-'", outdir);
	CHECK_EQ(system(cmd), 0);
	free(out);
	free(err);
	fx_stop(&f);
}
