/*
 * `fanout run --task copy` end to end against the SSH fixture's real
 * OpenSSH sshd (tests/fixtures/ssh/): its Linux hosts 127.3.* have
 * sftp-server, scp and sha256sum; its devices 127.1.* have neither SFTP
 * nor a shell. Pushes and pulls by SFTP and SCP, content, mode bits and
 * the sha256 check, many hosts at once, and the failures: a missing
 * source, a folder the login user may not write, a full disk, each
 * leaving no file under the final name. The one shell quoting function
 * is checked here too.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../src/util/shquote.h"
#include "proc.h"
#include "test.h"

struct fx {
	char dir[128];
	char port[16];
	char key[200];
	char kh[200];
	char user[64];
};

static void fx_stop(struct fx *f)
{
	fo_test_sshd_stop(f->dir);
}

/* The fixture with one device (and the Linux hosts); skipped without sshd. */
static void fx_start(struct fx *f)
{
	const char *bin = getenv("FANOUT_BIN"), *slash;
	char cmd[700], bdir[200], envf[200];
	int rc;

	if (access("/usr/sbin/sshd", X_OK) < 0)
		fo_test_skip("no /usr/sbin/sshd (openssh-server)");
	if (access("/usr/lib/openssh/sftp-server", X_OK) < 0)
		fo_test_skip("no /usr/lib/openssh/sftp-server");
	bin = bin ? bin : "build/fanout";
	slash = strrchr(bin, '/');
	snprintf(bdir, sizeof(bdir), "%.*s", slash ? (int)(slash - bin) : 5, slash ? bin : "build");
	snprintf(f->dir, sizeof(f->dir), "/tmp/fanout-test-copy.%d", (int)getpid());
	snprintf(cmd, sizeof(cmd), "BUILD=%s bash tests/fixtures/ssh/sshd-fixture.sh start %s --devices 1 --owner %d >%s.log 2>&1",
		 bdir, f->dir, (int)getpid(), f->dir);
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
	snprintf(f->kh, sizeof(f->kh), "%s/kh-copy", f->dir);
	CHECK(f->port[0] && f->key[0] && f->user[0]);
}

/* fanout run --task copy against the fixture, with args. */
static int fx_copy(struct fx *f, char **out, char **err, const char *const *args)
{
	const char *argv[64] = { "run", "--task", "copy", "--port", f->port, "--user", f->user, "--key", f->key,
				 "--known-hosts", f->kh, "--no-agent", "--json" };
	int n = 13;

	for (; *args && n < 62; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	free(*out);
	free(*err);
	*out = *err = NULL;
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

/* A folder the fixture's login user (another uid) may write into. */
static const char *shared_dir(const char *name)
{
	static char p[4][256];
	static int k;
	char *d = p[k++ % 4];

	snprintf(d, 256, "%s/%s", fo_test_dir(), name);
	CHECK(mkdir(d, 0777) == 0 || errno == EEXIST);
	CHECK_EQ(chmod(d, 0777), 0);
	CHECK_EQ(chmod(fo_test_dir(), 0755), 0);
	return d;
}

/* A file of n pseudo-random bytes with the given mode: its path. */
static const char *make_src(const char *dir, size_t n, mode_t mode)
{
	static char path[256];
	char *b = malloc(n);
	unsigned x = 12345;
	size_t i;

	CHECK(b != NULL);
	for (i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		b[i] = (char)(x >> 16);
	}
	snprintf(path, sizeof(path), "%s/src.bin", dir);
	fo_test_write(path, b, n);
	CHECK_EQ(chmod(path, mode), 0);
	free(b);
	return path;
}

static bool same_file(const char *a, const char *b)
{
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	bool same = fa && fb;
	int ca, cb;

	while (same) {
		ca = getc(fa);
		cb = getc(fb);
		same = ca == cb;
		if (ca == EOF)
			break;
	}
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

/* How many names dir holds (a temporary file left would show here). */
static int entries(const char *dir)
{
	char cmd[400];
	char *out = NULL;
	int n;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", dir);
	CHECK_EQ(fo_test_run(&out, 30, (const char *const[]){ "sh", "-c", cmd, NULL }), 0);
	n = (int)strtol(out, NULL, 10);
	free(out);
	return n;
}

/* ---- the quoting ----------------------------------------------------------------- */

TEST(copy_sh_quote)
{
	struct fo_sbuf b = { 0 };

	fo__sh_quote(&b, "/tmp/a b");
	fo_sbuf_adds(&b, "|");
	fo__sh_quote(&b, "it's;$(reboot)`x`\n");
	fo_sbuf_adds(&b, "|");
	fo__sh_quote(&b, "");
	CHECK_STR(b.p, "'/tmp/a b'|'it'\\''s;$(reboot)`x`\n'|''");
	free(b.p);
}

/* ---- push ------------------------------------------------------------------------ */

TEST_T(copy_push_sftp_and_scp, 120)
{
	struct fx f;
	char *out = NULL, *err = NULL, dst[300], dst2[300], q[300];
	const char *rd = shared_dir("remote"), *src = make_src(fo_test_dir(), 3 << 20, 0640);
	struct stat st;

	fx_start(&f);
	snprintf(dst, sizeof(dst), "%s/pushed.bin", rd);
	CHECK_EQ(fx_copy(&f, &out, &err, (const char *const[]){ "-w", "127.3.0.1", "--push", src, dst, NULL }), 0);
	CHECK_HAS(out, "\"command\":\"push ");
	CHECK_HAS(out, "\"status\":\"ok\"");
	CHECK_HAS(out, "bytes: 3145728\\nvia: sftp\\nverified: size+sha256\\n");
	CHECK(same_file(src, dst));
	CHECK_EQ(stat(dst, &st), 0);
	CHECK_EQ(st.st_mode & 07777, 0640);
	CHECK_EQ(entries(rd), 1);

	/* again over it (SFTP v3 will not rename over a file: mv -f), and by
	 * SCP, mode 0755, into a name that needs quoting */
	CHECK_EQ(chmod(src, 0755), 0);
	CHECK_EQ(fx_copy(&f, &out, &err, (const char *const[]){ "-w", "127.3.0.2", "--push", src, dst, NULL }), 0);
	CHECK(same_file(src, dst));
	snprintf(dst2, sizeof(dst2), "%s/it's $(x).bin", rd);
	CHECK_EQ(fx_copy(&f, &out, &err,
			 (const char *const[]){ "-w", "127.3.0.1", "--via", "scp", "--push", src, dst2, NULL }), 0);
	CHECK_HAS(out, "via: scp\\nverified: size+sha256\\n");
	CHECK(same_file(src, dst2));
	CHECK_EQ(stat(dst2, &st), 0);
	CHECK_EQ(st.st_mode & 07777, 0755);
	CHECK_EQ(entries(rd), 2);
	(void)q;

	/* a network platform goes by SCP; the devices have no SFTP */
	CHECK_EQ(fx_copy(&f, &out, &err,
			 (const char *const[]){ "-w", "127.1.0.1", "--platform", "ios", "--push", src, "x.bin", NULL }), 1);
	CHECK_HAS(out, "via: scp");
	CHECK_EQ(fx_copy(&f, &out, &err,
			 (const char *const[]){ "-w", "127.1.0.1", "--via", "sftp", "--push", src, "x.bin", NULL }), 1);
	CHECK_HAS(out, "cannot start SFTP");
	free(out);
	free(err);
	fx_stop(&f);
}

/* ---- the fixture's per-host folders (bench/ssh/copy.py) ----------------------------- */

/* The Linux hosts share one home; where HOME/hosts/ADDR exists, devsim
 * makes it that host's working directory, so one relative REMOTE is a
 * file of each host's own, by SFTP and by SCP alike. */
TEST_T(copy_push_relative_per_host_folder, 120)
{
	struct fx f;
	char *out = NULL, *err = NULL, path[400];
	const char *src = make_src(fo_test_dir(), 200000, 0644), *via[] = { "sftp", "scp" };
	struct stat home;
	int v, i;

	fx_start(&f);
	snprintf(path, sizeof(path), "%s/home", f.dir);
	CHECK_EQ(stat(path, &home), 0);
	snprintf(path, sizeof(path), "%s/home/hosts", f.dir);
	CHECK_EQ(mkdir(path, 0755), 0);
	for (i = 1; i <= 2; i++) {
		snprintf(path, sizeof(path), "%s/home/hosts/127.3.0.%d", f.dir, i);
		CHECK_EQ(mkdir(path, 0755), 0);
		CHECK_EQ(chown(path, home.st_uid, home.st_gid), 0);
	}
	for (v = 0; v < 2; v++) {
		char name[32];

		snprintf(name, sizeof(name), "rel-%s.bin", via[v]);
		CHECK_EQ(fx_copy(&f, &out, &err,
				 (const char *const[]){ "-w", "127.3.0.[1-3]", "--via", via[v], "--push", src, name, NULL }),
			 0);
		CHECK_EQ(count(out, "verified: size+sha256"), 3);
		for (i = 1; i <= 2; i++) {
			snprintf(path, sizeof(path), "%s/home/hosts/127.3.0.%d/%s", f.dir, i, name);
			CHECK(same_file(src, path));
		}
		/* a host without its folder writes to the shared home, as before */
		snprintf(path, sizeof(path), "%s/home/%s", f.dir, name);
		CHECK(same_file(src, path));
	}
	snprintf(path, sizeof(path), "%s/home/hosts/127.3.0.1", f.dir);
	CHECK_EQ(entries(path), 2);
	free(out);
	free(err);
	fx_stop(&f);
}

/* ---- pull, many hosts ------------------------------------------------------------- */

TEST_T(copy_pull_many_hosts, 120)
{
	struct fx f;
	char *out = NULL, *err = NULL, path[400];
	const char *rd = shared_dir("remote"), *src = make_src(rd, 1 << 20, 0644), *via[] = { "sftp", "scp" };
	int v, i;

	fx_start(&f);
	for (v = 0; v < 2; v++) {
		char dir[300];

		snprintf(dir, sizeof(dir), "%s/pulled-%s", fo_test_dir(), via[v]);
		CHECK_EQ(fx_copy(&f, &out, &err,
				 (const char *const[]){ "-w", "127.3.0.[1-12]", "--via", via[v], "--pull", src, dir, NULL }),
			 0);
		CHECK_EQ(count(out, "{\"status\":\"ok\""), 12);
		CHECK_EQ(count(out, "verified: size+sha256"), 12);
		for (i = 1; i <= 12; i++) {
			snprintf(path, sizeof(path), "%s/127.3.0.%d/src.bin", dir, i);
			CHECK(same_file(src, path));
			snprintf(path, sizeof(path), "%s/127.3.0.%d", dir, i);
			CHECK_EQ(entries(path), 1);
		}
	}
	/* a file the host lacks: failed, nothing under the name */
	snprintf(path, sizeof(path), "%s/missing.bin", rd);
	CHECK_EQ(fx_copy(&f, &out, &err,
			 (const char *const[]){ "-w", "127.3.0.1", "--pull", path, fo_test_dir(), NULL }), 1);
	CHECK_HAS(out, "no such file");
	snprintf(path, sizeof(path), "%s/127.3.0.1/missing.bin", fo_test_dir());
	CHECK(access(path, F_OK) < 0);
	free(out);
	free(err);
	fx_stop(&f);
}

/* ---- failures --------------------------------------------------------------------- */

TEST(copy_missing_source_exit_2)
{
	char *out = NULL, *err = NULL;
	char path[300];

	snprintf(path, sizeof(path), "%s/nope.bin", fo_test_dir());
	CHECK_EQ(fo_test_cli(&out, &err, "run", "--task", "copy", "-w", "127.0.0.1", "--port", "1", "--push", path,
			     "/tmp/x", NULL), 2);
	CHECK_HAS(err, "fanout: cannot read --push '");
	CHECK_HAS(err, "nope.bin': No such file or directory\n");
	CHECK_EQ(count(err, "\n"), 1);
	free(out);
	free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "run", "--task", "copy", "-w", "h1", NULL), 2);
	CHECK_HAS(err, "--task copy needs --push LOCAL REMOTE or --pull REMOTE DIR");
	free(out);
	free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "run", "--task", "copy", "-w", "h1", "--push", path, NULL), 2);
	CHECK_HAS(err, "'--push' needs two values, LOCAL REMOTE");
	free(out);
	free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "run", "--task", "copy", "-w", "h1", "-c", "x", "--pull", "/a", "b", NULL),
		 2);
	CHECK_HAS(err, "--command is not an option of --task copy");
	free(out);
	free(err);
}

TEST_T(copy_permission_denied_leaves_nothing, 120)
{
	struct fx f;
	char *out = NULL, *err = NULL, dst[400], ro[300];
	const char *src = make_src(fo_test_dir(), 100000, 0644), *via[] = { "sftp", "scp" };
	int v;

	fx_start(&f);
	snprintf(ro, sizeof(ro), "%s/ro", fo_test_dir());
	CHECK_EQ(mkdir(ro, 0755), 0); /* root's: the login user may not write */
	CHECK_EQ(chmod(fo_test_dir(), 0755), 0);
	snprintf(dst, sizeof(dst), "%s/x.bin", ro);
	for (v = 0; v < 2; v++) {
		/* with a host that can write beside it: the others are unaffected */
		char ok[300];

		snprintf(ok, sizeof(ok), "%s/ok-%s.bin", shared_dir("w"), via[v]);
		CHECK_EQ(fx_copy(&f, &out, &err,
				 (const char *const[]){ "-w", "127.3.0.[1-3]", "--via", via[v], "--push", src, dst, NULL }),
			 1);
		CHECK_EQ(count(out, "{\"status\":\"failed\""), 3);
		CHECK_HAS(out, "\"phase\":\"copy\"");
		if (v == 0)
			CHECK_HAS(out, "permission denied");
		CHECK_EQ(entries(ro), 0);
		CHECK_EQ(fx_copy(&f, &out, &err,
				 (const char *const[]){ "-w", "127.3.0.[1-3]", "--via", via[v], "--push", src, ok, NULL }), 0);
	}
	free(out);
	free(err);
	fx_stop(&f);
}

TEST_T(copy_disk_full_leaves_nothing, 120)
{
	struct fx f;
	char *out = NULL, *err = NULL, dst[300], cmd[400];
	const char *src = make_src(fo_test_dir(), 1 << 20, 0644), *via[] = { "sftp", "scp" };
	const char *full = fo_test_small_fs(256 << 10); /* skips where that needs root */
	int v;

	CHECK_EQ(chmod(full, 0777), 0);
	fx_start(&f); /* after the mount: sshd's namespace copies ours */
	for (v = 0; v < 2; v++) {
		snprintf(dst, sizeof(dst), "%s/big-%s.bin", full, via[v]);
		CHECK_EQ(fx_copy(&f, &out, &err,
				 (const char *const[]){ "-w", "127.3.0.1", "--via", via[v], "--push", src, dst, NULL }), 1);
		CHECK_HAS(out, "\"status\":\"failed\"");
		CHECK_HAS(out, v == 0 ? "sftp " : "No space left on device");
		CHECK_EQ(entries(full), 0);
	}
	snprintf(cmd, sizeof(cmd), "umount '%s'", full);
	if (system(cmd)) {}
	free(out);
	free(err);
	fx_stop(&f);
}

/* ---- network devices: `fanout devices` ---------------------------------------------- */

/* fanout run --task copy against a fleet of `fanout devices`. */
static int fleet_copy(struct fo_test_fleet *fl, char **out, const char *const *args)
{
	const char *argv[48] = { fo_test_bin(), "run", "-i", fl->inv, "--known-hosts", fl->kh, "--host-keys",
				 "strict", "--task", "copy", "--json" };
	int n = 11;

	for (; *args && n < 46; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	free(*out);
	*out = NULL;
	return fo_test_run(out, 60, argv);
}

/* Whether the JSON line of host dev-1-0-N holds what. */
static bool dev_has(const char *out, int n, const char *what)
{
	char key[64];
	const char *p, *nl;

	snprintf(key, sizeof(key), "\"host\":\"dev-1-0-%d\"", n);
	p = out ? strstr(out, key) : NULL;
	if (!p)
		return false;
	while (p > out && p[-1] != '\n')
		p--;
	nl = strchr(p, '\n');
	p = strstr(p, what);
	return p && (!nl || p < nl);
}

/* SCP to and from every platform at once, checked with each platform's
 * own digest command (iosxr has none: size only), then the devices'
 * own listings show the file. */
TEST_PROC(copy_devices_push_pull_sha256, 120)
{
	static const char *const fleet[] = { "-n", "10", "--platforms", "ios,nxos,eos,junos,iosxr", NULL };
	struct fo_test_fleet fl;
	char *out = NULL, path[400], dir[300];
	const char *src = make_src(fo_test_dir(), 300000, 0644);
	int i;

	fo_test_fleet_start(&fl, fleet);
	CHECK_EQ(fleet_copy(&fl, &out, (const char *const[]){ "--push", src, "img.bin", NULL }), 0);
	CHECK_EQ(count(out, "{\"status\":\"ok\""), 10);
	CHECK_EQ(count(out, "via: scp\\nverified: sha256\\n"), 8);
	CHECK_EQ(count(out, "via: scp\\nverified: none\\n"), 2); /* iosxr */
	CHECK(dev_has(out, 5, "verified: none"));

	/* each platform's own path to its store */
	CHECK_EQ(fleet_copy(&fl, &out, (const char *const[]){ "--filter", "platform=junos", "--push", src,
							       "/var/tmp/j.bin", NULL }), 0);
	CHECK_EQ(count(out, "verified: sha256\\n"), 2);
	CHECK_EQ(fleet_copy(&fl, &out, (const char *const[]){ "--filter", "platform=nxos", "--push", src,
							       "bootflash:n.bin", NULL }), 0);
	CHECK_EQ(count(out, "verified: sha256\\n"), 2);

	snprintf(dir, sizeof(dir), "%s/pulled", fo_test_dir());
	CHECK_EQ(fleet_copy(&fl, &out, (const char *const[]){ "--pull", "flash:img.bin", dir, NULL }), 0);
	CHECK_EQ(count(out, "verified: size+sha256\\n"), 8);
	CHECK_EQ(count(out, "verified: size\\n"), 2);
	for (i = 1; i <= 10; i++) {
		snprintf(path, sizeof(path), "%s/dev-1-0-%d/img.bin", dir, i);
		CHECK(same_file(src, path));
	}
	CHECK_EQ(fleet_copy(&fl, &out, (const char *const[]){ "--filter", "platform=junos", "--pull", "/var/tmp/j.bin",
							       dir, NULL }), 0);
	CHECK_EQ(count(out, "verified: size+sha256\\n"), 2);
	snprintf(path, sizeof(path), "%s/dev-1-0-4/j.bin", dir);
	CHECK(same_file(src, path));

	/* the devices list them */
	{
		const char *argv[] = { fo_test_bin(), "run", "-i", fl.inv, "--known-hosts", fl.kh, "--limit", "dev-1-0-1",
				       "--exec", "--json", "-c", "dir flash:", NULL };

		free(out);
		out = NULL;
		CHECK_EQ(fo_test_run(&out, 60, argv), 0);
		CHECK_HAS(out, "Directory of flash:/");
		CHECK_HAS(out, "300000  Mar 4 2025 09:15:00 +00:00  img.bin");
	}
	free(out);
	free(fo_test_fleet_stop(&fl));
}

/* A full flash fails its host with the device's words; a device that
 * corrupts a byte fails the check both ways; the others are fine. */
TEST_PROC(copy_devices_disk_full_and_corrupt, 120)
{
	static const char *const fleet[] = { "-n", "5", "--platforms", "ios", "--fault", "diskfull=127.1.0.2",
					     "--fault", "corrupt=127.1.0.4", NULL };
	struct fo_test_fleet fl;
	char *out = NULL, path[400], dir[300];
	const char *src = make_src(fo_test_dir(), 100000, 0644);

	fo_test_fleet_start(&fl, fleet);
	CHECK_HAS(fl.out, "faults: diskfull 1, corrupt 1");
	CHECK_EQ(fleet_copy(&fl, &out, (const char *const[]){ "--push", src, "flash:x.bin", NULL }), 1);
	CHECK_EQ(count(out, "{\"status\":\"ok\""), 3);
	CHECK(dev_has(out, 2, "\"status\":\"failed\""));
	CHECK(dev_has(out, 2, "\"phase\":\"copy\""));
	CHECK(dev_has(out, 2, "scp on the host: %Error writing flash:x.bin (No space left on device)"));
	CHECK(dev_has(out, 4, "\"status\":\"failed\""));
	CHECK(dev_has(out, 4, "sha256 mismatch: the device has "));
	CHECK(dev_has(out, 1, "verified: sha256"));

	/* pulled: what comes is not what the device has */
	snprintf(dir, sizeof(dir), "%s/pulled", fo_test_dir());
	CHECK_EQ(fleet_copy(&fl, &out, (const char *const[]){ "--limit", "dev-1-0-[3-4]", "--pull", "flash:x.bin", dir,
							       NULL }), 1);
	CHECK_EQ(count(out, "\"host\":"), 2);
	CHECK(dev_has(out, 3, "verified: size+sha256"));
	CHECK(dev_has(out, 4, "sha256 mismatch: the device has "));
	snprintf(path, sizeof(path), "%s/dev-1-0-4/x.bin", dir);
	CHECK(access(path, F_OK) < 0);
	snprintf(path, sizeof(path), "%s/dev-1-0-3/x.bin", dir);
	CHECK(same_file(src, path));

	/* a path the device's CLI cannot take as one word is refused before
	 * anything is copied */
	CHECK_EQ(fleet_copy(&fl, &out, (const char *const[]){ "--limit", "dev-1-0-1", "--push", src, "flash:a b.bin",
							       NULL }), 1);
	CHECK_HAS(out, "cannot go to the device's CLI");
	free(out);
	free(fo_test_fleet_stop(&fl));
}
