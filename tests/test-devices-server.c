/*
 * `fanout devices` end to end: a few devices on loopback addresses with a
 * free port, logged into with real clients, OpenSSH's ssh (key logins)
 * and `fanout run` (libssh2, password logins), as automation would.
 *
 * The device CLI is the engine's (src/devices/engine.h); these tests ask
 * of it only what its header promises: a shell shows a prompt and ends on
 * exit, `show version` prints something, an exec prints output and gives
 * an exit status. What the server itself promises is checked in full:
 * logins (password, key, a wrong password refused), exec and shell
 * channels, faults (hang: the client times out; drop: the connection
 * closes during a command; hostkey: another key than the fleet's), the
 * files it writes (--inventory read by fanout run, --known-hosts), the
 * start-up and stats lines, bad flags.
 *
 * Every server runs in a process group of its own and dies with the test
 * (tests/proc.h: PR_SET_PDEATHSIG, an atexit hook, an alarm before the
 * runner's limit); every wait is bounded. No timed assertions.
 */
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "test.h"

static bool have(const char *prog)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", prog);
	return system(cmd) == 0;
}

/* `fanout run -i INVENTORY --known-hosts KH ARGS...`: exit status, output. */
static int fleet_run(struct fo_test_fleet *f, char **out, const char *const *args)
{
	const char *argv[48];
	int n = 0;

	argv[n++] = fo_test_bin();
	argv[n++] = "run";
	argv[n++] = "-i";
	argv[n++] = f->inv;
	argv[n++] = "--known-hosts";
	argv[n++] = f->kh;
	for (; *args && n < 46; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	return fo_test_run(out, 60, argv);
}

/* The JSON line of host name (from fanout run --json). */
static const char *host_line(const char *out, const char *name)
{
	char key[64];

	snprintf(key, sizeof(key), "\"host\":\"%s\"", name);
	return out ? strstr(out, key) : NULL;
}

/* The field "key":"value" of the JSON line at p, before its newline. */
static bool line_has(const char *p, const char *what)
{
	const char *nl = p ? strchr(p, '\n') : NULL;
	const char *hit = p ? strstr(p, what) : NULL;

	return hit && (!nl || hit < nl);
}

/* The inventory's name of the device at addr (the engine names them). */
static char *name_of(struct fo_test_fleet *f, const char *addr)
{
	char *inv = fo_test_read(f->inv), *p, *start, *name;
	char key[64];

	CHECK(inv != NULL);
	snprintf(key, sizeof(key), "hostname: %s\n", addr);
	p = strstr(inv, key);
	CHECK(p != NULL);
	/* the host's key is the last line before it that starts in column 0 */
	for (start = p; start > inv && !(start[-1] == '\n' && start[0] != ' '); start--)
		;
	name = strndup(start, strcspn(start, ":"));
	CHECK(name != NULL);
	free(inv);
	return name;
}

/* ---- the tests --------------------------------------------------------------------- */

TEST_PROC(devices_run_exec_and_shell, 120)
{
	static const char *const args[] = { "-n", "3", "--platforms", "ios", NULL };
	static const char *const exec[] = { "--host-keys", "strict", "--exec", "-c", "show version", "--json", NULL };
	static const char *const shell[] = { "--host-keys", "strict", "--shell", "-c", "show version",
					     "--command-timeout", "20s", "--json", NULL };
	struct fo_test_fleet f;
	char *out, *inv, *kh, *stats;
	int rc;

	fo_test_fleet_start(&f, args);
	CHECK_HAS(f.out, "fanout devices: 3 devices on 127.1.0.1-127.1.0.3 port ");
	CHECK_HAS(f.out, "(ios 3)");
	inv = fo_test_read(f.inv);
	CHECK_HAS(inv, "hostname: 127.1.0.2\n");
	CHECK_HAS(inv, "platform: ios\n");
	kh = fo_test_read(f.kh);
	CHECK_HAS(kh, "[127.1.0.3]:");
	CHECK_HAS(kh, " ssh-ed25519 ");

	/* exec: an exec channel per command, output and exit status 0 */
	rc = fleet_run(&f, &out, exec);
	if (rc != 0)
		fprintf(stderr, "fanout run --exec: exit %d\n%s\n", rc, out);
	CHECK_EQ(rc, 0);
	CHECK_EQ(strstr(out, "\"status\":\"ok\"") != NULL, 1);
	CHECK_HAS(out, "\"exit\":0");
	CHECK_LACKS(out, "\"output\":\"\"");
	free(out);

	/* shell: a pty, the prompt found, the command's output between prompts */
	rc = fleet_run(&f, &out, shell);
	if (rc != 0)
		fprintf(stderr, "fanout run --shell: exit %d\n%s\n", rc, out);
	CHECK_EQ(rc, 0);
	CHECK_LACKS(out, "\"output\":\"\"");
	free(out);

	stats = fo_test_fleet_stop(&f);
	CHECK_HAS(stats, "stopped: 6 logins, 0 refused, ");
	CHECK_HAS(stats, " ms per login)");
	free(inv);
	free(kh);
	free(stats);
}

TEST_PROC(devices_openssh_key_login, 120)
{
	const char *key, *pub;
	char keyarg[300], dest[64], *out = NULL, *stats;
	struct fo_test_fleet f;
	int rc;

	if (!have("ssh") || !have("ssh-keygen"))
		fo_test_skip("no OpenSSH client here");
	key = fo_test_put("id", "", 0);
	unlink(key);
	{
		const char *kg[] = { "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key, NULL };

		CHECK_EQ(fo_test_run(&out, 30, kg), 0);
		free(out);
	}
	snprintf(keyarg, sizeof(keyarg), "%s.pub", key);
	pub = keyarg;
	{
		const char *args[] = { "-n", "2", "--authorized-keys", pub, NULL };

		fo_test_fleet_start(&f, args);
	}
	snprintf(keyarg, sizeof(keyarg), "%s", key);
	snprintf(dest, sizeof(dest), "admin@127.1.0.2");
	{
		/* exec: output and the exit status of the command */
		const char *ssh[] = { "ssh", "-F", "/dev/null", "-i", keyarg, "-p", f.port, "-o", "BatchMode=yes",
				      "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
				      "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=20", dest, "show version", NULL };

		rc = fo_test_run(&out, 60, ssh);
		if (rc != 0)
			fprintf(stderr, "ssh exec: exit %d: %s\n", rc, out);
		CHECK_EQ(rc, 0);
		CHECK(strlen(out) > 0);
		free(out);
	}
	{
		/* a shell with a pty: a prompt, `show version`, exit ends it */
		const char *in = fo_test_put("typed", "show version\nexit\n", 18);
		char cmd[1024];

		snprintf(cmd, sizeof(cmd),
			 "exec ssh -F /dev/null -tt -i '%s' -p %s -o BatchMode=yes -o StrictHostKeyChecking=no "
			 "-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=20 %s <'%s'",
			 keyarg, f.port, dest, in);
		{
			const char *sh[] = { "sh", "-c", cmd, NULL };

			rc = fo_test_run(&out, 60, sh);
		}
		if (rc != 0)
			fprintf(stderr, "ssh shell: exit %d: %s\n", rc, out);
		CHECK_EQ(rc, 0);
		CHECK_HAS(out, "show version");
		free(out);
	}
	{
		/* a key that is not in --authorized-keys is refused */
		const char *other = fo_test_put("other", "", 0);
		const char *kg[] = { "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other, NULL };
		const char *ssh[] = { "ssh", "-F", "/dev/null", "-i", other, "-p", f.port, "-o", "BatchMode=yes",
				      "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=no", "-o",
				      "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=20", dest, "show version", NULL };

		unlink(other);
		CHECK_EQ(fo_test_run(&out, 30, kg), 0);
		free(out);
		rc = fo_test_run(&out, 60, ssh);
		CHECK_EQ(rc, 255);
		CHECK_HAS(out, "Permission denied");
		free(out);
	}
	stats = fo_test_fleet_stop(&f);
	CHECK_HAS(stats, "stopped: 2 logins, 1 refused, ");
	free(stats);
}

TEST_PROC(devices_wrong_password_refused, 120)
{
	static const char *const args[] = { "-n", "2", "--password", "right", NULL };
	static const char *const run_args[] = { "--host-keys", "strict", "--exec", "-c", "show version", "--json",
						"--password-env", "FO_TEST_DEV_PW", NULL };
	struct fo_test_fleet f;
	char *out, *stats;

	fo_test_fleet_start(&f, args);
	setenv("FO_TEST_DEV_PW", "wrong", 1);
	CHECK_EQ(fleet_run(&f, &out, run_args), 1);
	CHECK_HAS(out, "\"status\":\"auth_failed\"");
	CHECK_LACKS(out, "\"status\":\"ok\"");
	free(out);
	setenv("FO_TEST_DEV_PW", "right", 1);
	CHECK_EQ(fleet_run(&f, &out, run_args), 0);
	free(out);
	stats = fo_test_fleet_stop(&f);
	CHECK_HAS(stats, "stopped: 2 logins, ");
	CHECK_LACKS(stats, " 0 refused");
	free(stats);
}

TEST_PROC(devices_fault_hang_and_drop, 120)
{
	static const char *const args[] = { "-n", "4", "--fault", "hang=127.1.0.2", "--fault",
					    "drop=127.1.0.3-127.1.0.3", NULL };
	static const char *const shell[] = { "--host-keys", "strict", "--shell", "-c", "show version",
					     "--command-timeout", "2s", "--json", NULL };
	static const char *const exec[] = { "--host-keys", "strict", "--exec", "-c", "show version",
					    "--command-timeout", "2s", "--json", NULL };
	struct fo_test_fleet f;
	char *out, *stats, *hang, *drop, *fine;

	fo_test_fleet_start(&f, args);
	CHECK_HAS(f.out, "; faults: hang 1, drop 1");
	hang = name_of(&f, "127.1.0.2");
	drop = name_of(&f, "127.1.0.3");
	fine = name_of(&f, "127.1.0.4");
	{
		char *inv = fo_test_read(f.inv);

		CHECK_HAS(inv, "fault: hang\n");
		CHECK_HAS(inv, "fault: drop\n");
		free(inv);
	}
	/* a shell: hang never shows a prompt (the client times out), drop closes
	 * the connection during the command; the others answer */
	CHECK_EQ(fleet_run(&f, &out, shell), 1);
	CHECK(line_has(host_line(out, hang), "\"status\":\"timeout\""));
	CHECK(!line_has(host_line(out, drop), "\"status\":\"ok\""));
	CHECK(!line_has(host_line(out, drop), "\"status\":\"timeout\""));
	CHECK(line_has(host_line(out, fine), "\"status\":\"ok\""));
	free(out);
	/* exec: the same faults on an exec channel */
	CHECK_EQ(fleet_run(&f, &out, exec), 1);
	CHECK(line_has(host_line(out, hang), "\"status\":\"timeout\""));
	CHECK(!line_has(host_line(out, drop), "\"status\":\"ok\""));
	CHECK(line_has(host_line(out, fine), "\"status\":\"ok\""));
	free(out);
	stats = fo_test_fleet_stop(&f);
	CHECK_HAS(stats, " dropped (fault)");
	free(stats);
	free(hang);
	free(drop);
	free(fine);
}

TEST_PROC(devices_fault_hostkey, 120)
{
	static const char *const args[] = { "-n", "4", "--fault", "hostkey=127.1.0.0/30", NULL };
	static const char *const exec[] = { "--host-keys", "strict", "--exec", "-c", "show version", "--json", NULL };
	struct fo_test_fleet f;
	char *out, *stats, *odd, *fine;

	/* 127.1.0.0/30 is .0 to .3: the devices at .1, .2 and .3 (none is at .0) */
	fo_test_fleet_start(&f, args);
	CHECK_HAS(f.out, "; faults: hostkey 3");
	odd = name_of(&f, "127.1.0.1");
	fine = name_of(&f, "127.1.0.4");
	CHECK_EQ(fleet_run(&f, &out, exec), 1);
	CHECK(line_has(host_line(out, odd), "\"status\":\"hostkey_mismatch\""));
	CHECK(line_has(host_line(out, fine), "\"status\":\"ok\""));
	free(out);
	stats = fo_test_fleet_stop(&f);
	free(stats);
	free(odd);
	free(fine);
}

/* A flag the tool refuses: exit 2 and the one line. */
static void refused(const char *want, const char *const *args)
{
	const char *argv[16];
	char *out = NULL, *err = NULL;
	int n = 0, rc;

	argv[n++] = "devices";
	for (; *args && n < 15; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	rc = fo_test_cliv(&out, &err, argv);
	if (rc != 2 || strncmp(err, want, strlen(want)))
		fprintf(stderr, "exit %d, stderr [%s], want [%s...]\n", rc, err, want);
	CHECK_EQ(rc, 2);
	CHECK(!strncmp(err, want, strlen(want)));
	CHECK(strchr(err, '\n') == err + strlen(err) - 1);
	CHECK_STR(out, "");
	free(out);
	free(err);
}

TEST_T(devices_bad_flags, 60)
{
	static const char *const a1[] = { "--fault", "melt=127.1.0.1", NULL };
	static const char *const a2[] = { "--fault", "hang=10.0.0.1", NULL };
	static const char *const a3[] = { "-n", "5", "--fault", "hang=127.9.0.0/16", NULL };
	static const char *const a4[] = { "--fault", "hang=127.1.0.1:2s", NULL };
	static const char *const a5[] = { "--platforms", "ios:60,cisco:40", NULL };
	static const char *const a6[] = { "--platforms", "ios:0", NULL };
	static const char *const a7[] = { "--base", "10.1.0.1", NULL };
	static const char *const a8[] = { "-n", "0", NULL };
	static const char *const a9[] = { "--base", "127.255.255.1", "-n", "300", NULL };
	static const char *const a10[] = { "--rtt", "2h", NULL };
	static const char *const a11[] = { "--fault", "slow=127.1.0.1-127.1.0.9:soon", NULL };

	refused("fanout: bad --fault 'melt=127.1.0.1': expected KIND=RANGE ", a1);
	refused("fanout: bad --fault 'hang=10.0.0.1': expected ", a2);
	refused("fanout: bad --fault 'hang=127.9.0.0/16': expected ", a3);
	refused("fanout: bad --fault 'hang=127.1.0.1:2s': expected ", a4);
	refused("fanout: bad --platforms 'ios:60,cisco:40': expected platforms as NAME[:WEIGHT]", a5);
	refused("fanout: bad --platforms 'ios:0': expected ", a6);
	refused("fanout: bad --base '10.1.0.1': expected an IPv4 address in 127.0.0.0/8", a7);
	refused("fanout: bad -n '0': expected a number of devices from 1 to 1000000\n", a8);
	refused("fanout: bad --count '300': expected a number of devices that fits in 127.0.0.0/8 from --base "
		"127.255.255.1: at most 254\n",
		a9);
	refused("fanout: bad --rtt '2h': expected ", a10);
	refused("fanout: bad --fault 'slow=127.1.0.1-127.1.0.9:soon': expected ", a11);
}

/* More devices than descriptors: said at once, exit 2 (where the process
 * may not raise its limit past the hard one, as here without
 * CAP_SYS_RESOURCE); else the fleet just starts. */
TEST_PROC(devices_fd_limit_said, 60)
{
	const char *argv[] = { fo_test_bin(), "devices", "-n", "500", "--port=0", NULL };
	char *out = NULL;
	size_t len = 0;
	int fd, rc;
	pid_t pid = fo_test_spawn(argv, &fd, FO_TEST_ERR_OUT, 256);
	long long end = fo_test_now_ms() + 20000LL * fo_test_scale();

	fo_test_read_until(fd, &out, &len, "\n", end);
	if (fo_test_has(out, "fanout devices: 500 devices on ")) {
		rc = fo_test_reap(pid, SIGTERM, end);
		CHECK_EQ(rc, 0);
		free(out);
		close(fd);
		fo_test_skip("this process may raise its descriptor limit: nothing to say");
	}
	fo_test_read_until(fd, &out, &len, NULL, end);
	close(fd);
	rc = fo_test_reap(pid, 0, end);
	CHECK_EQ(rc, 2);
	CHECK_HAS(out, "fanout: 500 devices need 564 file descriptors");
	CHECK_HAS(out, "RLIMIT_NOFILE allows 256 here");
	free(out);
}

TEST_PROC(devices_rtt_slow_and_flood, 120)
{
	static const char *const args[] = { "-n", "4", "--rtt", "20ms", "--fault", "slow=127.1.0.2:300ms", "--fault",
					    "flood=127.1.0.3", NULL };
	static const char *const exec[] = { "--host-keys", "strict", "--exec", "-c", "show version",
					    "--max-output", "64K", "--command-timeout", "20s", "--json", NULL };
	static const char *const shell[] = { "--host-keys", "strict", "--shell", "-c", "show version",
					     "--max-output", "64K", "--command-timeout", "20s", "--json", NULL };
	struct fo_test_fleet f;
	char *out, *stats, *slow, *flood, *fine;

	fo_test_fleet_start(&f, args);
	CHECK_HAS(f.out, "; faults: slow 1, flood 1");
	slow = name_of(&f, "127.1.0.2");
	flood = name_of(&f, "127.1.0.3");
	fine = name_of(&f, "127.1.0.4");
	/* slow and distant devices answer all the same; a flood never ends, so the
	 * client's cap on output ends it */
	CHECK_EQ(fleet_run(&f, &out, exec), 1);
	CHECK(line_has(host_line(out, slow), "\"status\":\"ok\""));
	CHECK(line_has(host_line(out, fine), "\"status\":\"ok\""));
	CHECK(line_has(host_line(out, flood), "\"status\":\"failed\""));
	CHECK(line_has(host_line(out, flood), "output over"));
	free(out);
	CHECK_EQ(fleet_run(&f, &out, shell), 1);
	CHECK(line_has(host_line(out, slow), "\"status\":\"ok\""));
	CHECK(line_has(host_line(out, fine), "\"status\":\"ok\""));
	CHECK(!line_has(host_line(out, flood), "\"status\":\"ok\""));
	free(out);
	stats = fo_test_fleet_stop(&f);
	free(stats);
	free(slow);
	free(flood);
	free(fine);
}

/* Logins at once on every thread: each device's sessions stay on its thread. */
TEST_PROC(devices_many_logins_at_once, 120)
{
	static const char *const args[] = { "-n", "64", "--platforms", "ios:3,nxos:1", NULL };
	static const char *const exec[] = { "--host-keys", "strict", "--exec", "-c", "show version", "-c",
					    "show version", NULL };
	struct fo_test_fleet f;
	char *out, *stats;
	int rc;

	fo_test_fleet_start(&f, args);
	CHECK_HAS(f.out, "fanout devices: 64 devices on 127.1.0.1-127.1.0.64 port ");
	CHECK_HAS(f.out, "(ios 48, nxos 16)");
	rc = fleet_run(&f, &out, exec);
	if (rc != 0)
		fprintf(stderr, "%s\n", out);
	CHECK_EQ(rc, 0);
	CHECK_HAS(out, "64 hosts in ");
	CHECK_HAS(out, "ok 64");
	free(out);
	stats = fo_test_fleet_stop(&f);
	CHECK_HAS(stats, "stopped: 64 logins, 0 refused, 128 commands, 64 connections ");
	free(stats);
}

/* Every wait of the server has a bound: a client that never logs in is
 * closed after --login-grace, a logged-in one that gets nothing (a hung
 * device) after --idle-timeout. */
TEST_PROC(devices_login_grace_and_idle, 120)
{
	static const char *const args[] = { "-n", "2", "--login-grace", "1s", "--idle-timeout", "1s", "--fault",
					    "hang=127.1.0.2", NULL };
	static const char *const shell[] = { "--host-keys", "strict", "--shell", "-c", "show version",
					     "--command-timeout", "60s", "--limit", "dev-1-0-2", "--json", NULL };
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct fo_test_fleet f;
	char *got = NULL, *out, *stats, *hang;
	size_t len = 0;
	int fd;

	fo_test_fleet_start(&f, args);
	/* a TCP client that says nothing: the server's banner, then the end */
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(fd >= 0);
	sa.sin_port = htons((uint16_t)strtol(f.port, NULL, 10));
	sa.sin_addr.s_addr = htonl(0x7f010001);
	CHECK(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	CHECK(fo_test_read_until(fd, &got, &len, NULL, fo_test_now_ms() + 30000LL * fo_test_scale()));
	CHECK(!strncmp(got, "SSH-2.0-", 8));
	close(fd);
	free(got);
	/* a hung device's shell: the server ends it, long before the client would */
	hang = name_of(&f, "127.1.0.2");
	{
		const char *a[16];
		int n = 0;

		for (const char *const *p = shell; *p; p++)
			a[n++] = strcmp(*p, "dev-1-0-2") ? *p : hang;
		a[n] = NULL;
		CHECK_EQ(fleet_run(&f, &out, a), 1);
	}
	CHECK(!line_has(host_line(out, hang), "\"status\":\"ok\""));
	free(out);
	stats = fo_test_fleet_stop(&f);
	CHECK_HAS(stats, ", 1 closed idle");
	free(stats);
	free(hang);
}
