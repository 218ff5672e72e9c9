/*
 * The shell session (src/run/shell.c) against the simulated devices'
 * CLI (src/devices/engine.c), in one process: what the session writes is
 * the device's input, what the device answers is what the session reads.
 * Both sides are the real code; only the SSH between them is left out
 * (test-devices-server.c and test-run.c have it). A read with nothing to
 * read is a device that says nothing more: the session's wait would time
 * out, so the read says -ETIMEDOUT at once (no clock involved).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "../src/devices/engine.h"
#include "../src/run/platform.h"
#include "../src/run/shell.h"
#include "fanout/runtime.h"
#include "test.h"

struct wire {
	struct fo_dev *dev;
	struct fo_dev_sess *sess;
	struct fo_sbuf pend;   /* the device's bytes not read yet */
	size_t off;
	struct fo_sbuf typed;  /* everything the session sent */
	bool closed;
	enum fo_ssh_status st;
	char phase[32], msg[256];
	int failures;
};

static ssize_t w_read(void *arg, char *buf, size_t cap, int64_t dl)
{
	struct wire *w = arg;
	size_t n = w->pend.len - w->off;

	(void)dl;
	if (!n)
		return w->closed ? 0 : -ETIMEDOUT;
	if (n > cap)
		n = cap;
	if (n > 700) /* a few reads per answer, as a network gives them */
		n = 700;
	memcpy(buf, w->pend.p + w->off, n);
	w->off += n;
	if (w->off == w->pend.len)
		w->off = w->pend.len = 0;
	return (ssize_t)n;
}

static int w_write(void *arg, const char *buf, size_t len, int64_t dl)
{
	struct wire *w = arg;
	int act;

	(void)dl;
	if (w->closed)
		return -EPIPE;
	fo_sbuf_add(&w->typed, buf, len);
	act = fo_dev_sess_input(w->sess, buf, len, &w->pend);
	CHECK(!w->pend.oom);
	if (act & FO_DEV_CLOSE)
		w->closed = true;
	return 0;
}

static void w_fail(void *arg, enum fo_ssh_status st, const char *phase, const char *msg)
{
	struct wire *w = arg;

	w->st = st;
	snprintf(w->phase, sizeof(w->phase), "%s", phase);
	snprintf(w->msg, sizeof(w->msg), "%s", msg);
	w->failures++;
}

static void w_wait_failed(void *arg, int r, const char *phase)
{
	w_fail(arg, r == -ETIMEDOUT ? FO_SSH_TIMEOUT : FO_SSH_FAILED, phase, r == -ETIMEDOUT ? "timed out" : "error");
}

static int64_t w_deadline(void *arg, int64_t t)
{
	(void)arg;
	return fo_now() + t;
}

static struct fo_shell_io io_of(struct wire *w)
{
	const struct fo_shell_io io = { w, w_read, w_write, w_fail, w_wait_failed, w_deadline };

	return io;
}

static const struct fo_dev_fleet_cfg fleet = { "netops", "s3cret" };

/* A device of platform dp at 127.1.0.x, a shell session open on it. */
static void wire_open(struct wire *w, const char *dp, unsigned x, struct fo_dev *reuse)
{
	memset(w, 0, sizeof(*w));
	w->dev = reuse ? reuse : fo_dev_new(0x7f010000u | x, (enum fo_dev_platform)fo_dev_platform_parse(dp),
					   FO_DEV_OK, &fleet);
	CHECK(w->dev != NULL);
	w->sess = fo_dev_sess_open(w->dev, false, &w->pend);
	CHECK(w->sess != NULL);
}

static void wire_close(struct wire *w, bool keep_dev)
{
	fo_dev_sess_close(w->sess);
	if (!keep_dev)
		fo_dev_free(w->dev);
	free(w->pend.p);
	free(w->typed.p);
}

static struct fo_shell_job job_of(const char *plat, const char *const *cmds, size_t n)
{
	struct fo_shell_job j = { 0 };

	j.plat = fo_platform_builtin(plat);
	CHECK(j.plat != NULL);
	j.secret = "s3cret";
	j.cmds = cmds;
	j.ncmds = n;
	j.max_output = 16 << 20;
	j.command_timeout = 30 * FO_SEC;
	return j;
}

static void release(struct fo_ssh_res *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(r[i].out);
		free(r[i].error);
	}
}

/* Every shipped platform: show version comes back, the prompt and the
 * echo cut off, at the default level. */
TEST(shell_show_version_every_platform)
{
	static const char *const plats[][2] = {
		{ "ios", "cisco_iosxe" }, { "nxos", "cisco_nxos" }, { "eos", "arista_eos" },
		{ "junos", "juniper_junos" }, { "iosxr", "cisco_iosxr" },
	};
	const char *cmds[] = { "show version" };

	for (size_t k = 0; k < sizeof(plats) / sizeof(plats[0]); k++) {
		struct wire w;
		struct fo_shell_job j = job_of(plats[k][1], cmds, 1);
		const struct fo_shell_io io = io_of(&w);
		struct fo_ssh_res res[1] = { 0 };
		long f;

		wire_open(&w, plats[k][0], 5 + (unsigned)k, NULL);
		f = fo_shell_session(&io, &j, res);
		if (f >= 0 || w.failures)
			fprintf(stderr, "%s: failed at %ld: %s %s\ntyped:\n%s\n", plats[k][0], f, w.phase, w.msg,
				w.typed.p ? w.typed.p : "");
		CHECK_EQ(w.failures, 0);
		CHECK_EQ(f, -1);
		CHECK_EQ(res[0].status, FO_SSH_OK);
		CHECK(res[0].out_len > 100);
		CHECK_LACKS(res[0].out, "show version");
		CHECK_LACKS(res[0].out, "--More--");
		CHECK_LACKS(res[0].out, "---(more");
		CHECK(!strchr(res[0].out, '\r'));
		release(res, 1);
		wire_close(&w, false);
	}
}

/* Without terminal length 0 the device pages: the pager is answered and
 * the output is the same as without it. */
TEST(shell_pager_answered_and_cut)
{
	static const char *const plats[][2] = {
		{ "ios", "cisco_iosxe" }, { "eos", "arista_eos" }, { "junos", "juniper_junos" },
		{ "iosxr", "cisco_iosxr" }, { "nxos", "cisco_nxos" },
	};
	const char *cmd[] = { "show running-config" };

	for (size_t k = 0; k < sizeof(plats) / sizeof(plats[0]); k++) {
		const char *c2[] = { !strcmp(plats[k][0], "junos") ? "show configuration" : cmd[0] };
		struct fo_ssh_res paged[1] = { 0 }, flat[1] = { 0 };
		struct fo_shell_job j = job_of(plats[k][1], c2, 1);
		const char *nosetup[] = { "show clock" }; /* replaces on-open's terminal length 0 */
		struct wire w;
		const struct fo_shell_io io = io_of(&w);

		wire_open(&w, plats[k][0], 40 + (unsigned)k, NULL);
		CHECK_EQ(fo_shell_session(&io, &j, flat), -1);
		wire_close(&w, false);
		j.setup = nosetup;
		j.nsetup = 1;
		wire_open(&w, plats[k][0], 40 + (unsigned)k, NULL);
		CHECK_EQ(fo_shell_session(&io, &j, paged), -1);
		CHECK_EQ(w.failures, 0);
		CHECK_HAS(w.typed.p, "\n "); /* a pager answered */
		if (strcmp(flat[0].out, paged[0].out)) {
			fo_test_write("/tmp/shell-flat.txt", flat[0].out, flat[0].out_len);
			fo_test_write("/tmp/shell-paged.txt", paged[0].out, paged[0].out_len);
			fprintf(stderr, "%s: paged output differs: /tmp/shell-flat.txt /tmp/shell-paged.txt\n",
				plats[k][0]);
		}
		CHECK_STR(paged[0].out, flat[0].out);
		CHECK(flat[0].out_len > 2000); /* more than a screen */
		release(paged, 1);
		release(flat, 1);
		wire_close(&w, false);
	}
}

/* ios: show commands at privilege-exec need enable and its secret; a
 * wrong secret and none are each their own failure. */
TEST(shell_enable_secret)
{
	const char *cmds[] = { "show running-config" };
	struct fo_shell_job j = job_of("cisco_iosxe", cmds, 1);
	struct fo_ssh_res res[1] = { 0 };
	struct wire w;
	const struct fo_shell_io io = io_of(&w);

	wire_open(&w, "ios", 7, NULL);
	CHECK_EQ(fo_shell_session(&io, &j, res), -1);
	CHECK_EQ(w.failures, 0);
	CHECK_HAS(w.typed.p, "enable\n");
	CHECK_HAS(w.typed.p, "s3cret\n");
	CHECK_HAS(res[0].out, "hostname");
	release(res, 1);
	wire_close(&w, false);

	j.secret = "wrong";
	memset(res, 0, sizeof(res));
	wire_open(&w, "ios", 7, NULL);
	fo_shell_session(&io, &j, res);
	CHECK_EQ(w.st, FO_SSH_AUTH);
	CHECK_HAS(w.msg, "refused");
	release(res, 1);
	wire_close(&w, false);

	j.secret = NULL;
	memset(res, 0, sizeof(res));
	wire_open(&w, "ios", 7, NULL);
	fo_shell_session(&io, &j, res);
	CHECK_EQ(w.st, FO_SSH_AUTH);
	CHECK_HAS(w.msg, "asks for a secret");
	release(res, 1);
	wire_close(&w, false);
}

/* A command the device rejects fails with its words; the next runs. */
TEST(shell_failed_when_contains)
{
	const char *cmds[] = { "show nonsense here", "show version" };
	struct fo_shell_job j = job_of("cisco_iosxe", cmds, 2);
	struct fo_ssh_res res[2] = { 0 };
	struct wire w;
	const struct fo_shell_io io = io_of(&w);

	wire_open(&w, "ios", 8, NULL);
	CHECK_EQ(fo_shell_session(&io, &j, res), -1);
	CHECK_EQ(res[0].status, FO_SSH_FAILED);
	CHECK_HAS(res[0].error, "the device said: % Invalid input");
	CHECK_EQ(res[1].status, FO_SSH_OK);
	release(res, 2);
	wire_close(&w, false);
}

/* Configuration on ios: the lines land in the running config, the level
 * is left, write memory with save. */
TEST(shell_config_ios)
{
	const char *cmds[] = { "show clock" };
	const char *lines[] = { "interface Loopback77", " description fanout-test", "ip domain-name fanout.example" };
	struct fo_shell_job j = job_of("cisco_iosxe", cmds, 1);
	struct fo_ssh_res res[3] = { 0 };
	struct fo_sbuf rc = { 0 };
	struct wire w;
	const struct fo_shell_io io = io_of(&w);

	j.config = lines;
	j.nconfig = 3;
	j.save = true;
	wire_open(&w, "ios", 9, NULL);
	CHECK_EQ(fo_shell_session(&io, &j, res), -1);
	if (w.failures || res[1].status != FO_SSH_OK)
		fprintf(stderr, "%s %s / %s\n%s\n", w.phase, w.msg, res[1].error, res[1].out);
	CHECK_EQ(w.failures, 0);
	CHECK_EQ(res[1].status, FO_SSH_OK);
	CHECK_HAS(res[1].out, "interface Loopback77");
	CHECK_HAS(w.typed.p, "configure terminal\n");
	CHECK_HAS(w.typed.p, "write memory\n");
	fo_dev_running_config(w.dev, &rc);
	CHECK_HAS(rc.p, "interface Loopback77");
	CHECK_HAS(rc.p, "description fanout-test");
	CHECK_HAS(rc.p, "ip domain-name fanout.example");
	free(rc.p);
	release(res, 3);
	wire_close(&w, false);
}

/* A rejected line: the host fails with the line and the device's words. */
TEST(shell_config_rejected_line)
{
	const char *lines[] = { "hostname ok-name", "this is not a command", "ip domain-name never.example" };
	struct fo_shell_job j = job_of("cisco_iosxe", NULL, 0);
	struct fo_ssh_res res[2] = { 0 };
	struct fo_sbuf rc = { 0 };
	struct wire w;
	const struct fo_shell_io io = io_of(&w);

	j.config = lines;
	j.nconfig = 3;
	wire_open(&w, "ios", 10, NULL);
	fo_shell_session(&io, &j, res);
	CHECK_EQ(res[0].status, FO_SSH_FAILED);
	CHECK_HAS(res[0].error, "line 2 'this is not a command' rejected");
	CHECK_HAS(res[0].error, "Invalid input");
	fo_dev_running_config(w.dev, &rc);
	CHECK_LACKS(rc.p, "never.example");
	free(rc.p);
	release(res, 2);
	wire_close(&w, false);
}

/* junos: commit, and --dry-run's check, compare and rollback. */
TEST(shell_config_junos_commit_and_dry_run)
{
	const char *lines[] = { "set system domain-name fanout.example", "set interfaces lo0 description fanout" };
	struct fo_shell_job j = job_of("juniper_junos", NULL, 0);
	struct fo_ssh_res res[2] = { 0 };
	struct fo_sbuf rc = { 0 };
	struct wire w;
	const struct fo_shell_io io = io_of(&w);

	j.config = lines;
	j.nconfig = 2;
	j.dry_run = true;
	wire_open(&w, "junos", 11, NULL);
	CHECK_EQ(fo_shell_session(&io, &j, res), -1);
	CHECK_EQ(w.failures, 0);
	CHECK_EQ(res[0].status, FO_SSH_OK);
	CHECK_HAS(res[1].out, "fanout.example"); /* the compare */
	CHECK_HAS(w.typed.p, "commit check\n");
	CHECK_LACKS(w.typed.p, "commit\n");
	fo_dev_running_config(w.dev, &rc);
	CHECK_LACKS(rc.p, "fanout.example");
	free(rc.p);
	memset(&rc, 0, sizeof(rc));
	release(res, 2);
	wire_close(&w, true);

	j.dry_run = false;
	memset(res, 0, sizeof(res));
	wire_open(&w, "junos", 11, w.dev);
	CHECK_EQ(fo_shell_session(&io, &j, res), -1);
	CHECK_EQ(w.failures, 0);
	CHECK_HAS(w.typed.p, "commit\n");
	fo_dev_running_config(w.dev, &rc);
	CHECK_HAS(rc.p, "fanout.example");
	free(rc.p);
	release(res, 2);
	wire_close(&w, false);
}

/* iosxr: a rejected line aborts the candidate; nothing is committed. */
TEST(shell_config_iosxr_abort_on_error)
{
	const char *lines[] = { "hostname never-committed", "bogus line here" };
	struct fo_shell_job j = job_of("cisco_iosxr", NULL, 0);
	struct fo_ssh_res res[2] = { 0 };
	struct fo_sbuf rc = { 0 };
	struct wire w;
	const struct fo_shell_io io = io_of(&w);

	j.config = lines;
	j.nconfig = 2;
	wire_open(&w, "iosxr", 12, NULL);
	fo_shell_session(&io, &j, res);
	CHECK_EQ(res[0].status, FO_SSH_FAILED);
	CHECK_HAS(w.typed.p, "abort\n");
	fo_dev_running_config(w.dev, &rc);
	CHECK_LACKS(rc.p, "never-committed");
	free(rc.p);
	release(res, 2);
	wire_close(&w, false);
}

/* Ctrl-C before the lines: none is sent, the result says so. */
TEST(shell_config_stopped)
{
	const char *lines[] = { "set system domain-name stopped.example" };
	struct fo_shell_job j = job_of("juniper_junos", NULL, 0);
	struct fo_ssh_res res[2] = { 0 };
	atomic_int stop = 1;
	struct wire w;
	const struct fo_shell_io io = io_of(&w);

	j.config = lines;
	j.nconfig = 1;
	j.stop = &stop;
	wire_open(&w, "junos", 13, NULL);
	fo_shell_session(&io, &j, res);
	CHECK_EQ(res[0].status, FO_SSH_FAILED);
	CHECK_HAS(res[0].error, "interrupted after 0 of 1 lines");
	CHECK_LACKS(w.typed.p, "stopped.example");
	release(res, 2);
	wire_close(&w, false);
}
