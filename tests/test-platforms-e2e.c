/*
 * Every shipped platform end to end, as a user runs them: `fanout devices`
 * (an SSH server per loopback address, libssh, the engine's CLIs) and
 * `fanout run --json` (libssh2, src/run/shell.c) as separate processes.
 * test-shell.c drives shell.c against the engine in one process; here the
 * same goes through real SSH: show commands on ios, nxos, eos, junos and
 * iosxr at their default level, their outputs clean of echo, prompt and
 * pager; paging left on (--setup replaces on-open's terminal length 0);
 * ios's levels, enable with the inventory's secret or --secret-env, a
 * refused secret, the badsecret fault; --level checked before the run;
 * configuration with --save, commit, --dry-run, --confirm, --config-dir, a
 * rejected line; Ctrl-C during configuration on slow devices; the
 * misbehaving devices (hang, drop, flood) beside good ones; and a real
 * OpenSSH sshd (the SSH fixture) in front of devsim, where a platform's
 * shell session gives what the exec channel gives.
 *
 * What a host's configuration did is checked by a second run that shows
 * the device's configuration, never by reading the server's state.
 * The processes are tests/proc.h's (a fleet per test, in a process group
 * of its own, dying with the test; every wait bounded). No
 * timed assertions: the one sleep (before Ctrl-C) only picks a moment,
 * and what is checked holds whenever the signal lands.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../src/util/json.h"
#include "../src/util/sbuf.h"
#include "proc.h"
#include "test.h"

/* ---- the fleet ---------------------------------------------------------------------- */

struct host {
	char name[32], addr[16], plat[8];
};

struct fleet {
	struct fo_test_fleet d;
	struct host h[32];
	size_t nh;
};

/* The inventory's hosts: name, address, platform. */
static void fleet_hosts(struct fleet *f)
{
	char *inv = fo_test_read(f->d.inv), *p;

	CHECK(inv != NULL);
	f->nh = 0;
	for (p = inv; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		struct host *h = &f->h[f->nh ? f->nh - 1 : 0];

		if (!strncmp(p, "dev-", 4) && f->nh < sizeof(f->h) / sizeof(f->h[0])) {
			h = &f->h[f->nh++];
			snprintf(h->name, sizeof(h->name), "%.*s", (int)strcspn(p, ":"), p);
		} else if (f->nh && !strncmp(p, "  hostname: ", 12)) {
			snprintf(h->addr, sizeof(h->addr), "%.*s", (int)strcspn(p + 12, "\n"), p + 12);
		} else if (f->nh && !strncmp(p, "  platform: ", 12)) {
			snprintf(h->plat, sizeof(h->plat), "%.*s", (int)strcspn(p + 12, "\n"), p + 12);
		}
	}
	free(inv);
	CHECK(f->nh > 0);
}

/* The fleet (tests/proc.h), and the hosts of its inventory. */
static void fleet_start(struct fleet *f, const char *const *args)
{
	fo_test_fleet_start(&f->d, args);
	fleet_hosts(f);
}

/* SIGTERM; the server ends cleanly with its stats line. */
static void fleet_stop(struct fleet *f)
{
	free(fo_test_fleet_stop(&f->d));
}

/* The argv of `fanout run -i INVENTORY --known-hosts KH --host-keys strict
 * --json ARGS...` in a (static, 64) */
static const char **run_argv(struct fleet *f, const char **a, const char *const *args)
{
	int n = 0;

	a[n++] = fo_test_bin();
	a[n++] = "run";
	a[n++] = "-i";
	a[n++] = f->d.inv;
	a[n++] = "--known-hosts";
	a[n++] = f->d.kh;
	a[n++] = "--host-keys";
	a[n++] = "strict";
	a[n++] = "--json";
	for (; *args && n < 62; args++)
		a[n++] = *args;
	a[n] = NULL;
	return a;
}

/* fanout run to its end (killed after 120 s, scaled): exit status; stdout
 * and stderr together in *out (malloc'd). */
static int fleet_run(struct fleet *f, char **out, const char *const *args)
{
	const char *a[64];

	return fo_test_run(out, 120, run_argv(f, a, args));
}

/* fanout run ARGS, its exit status CHECKed to be want (the output shown
 * when not): the output (malloc'd). */
static char *run_want(struct fleet *f, int want, const char *const *args)
{
	char *out;
	int rc = fleet_run(f, &out, args);

	if (rc != want) {
		fprintf(stderr, "fanout run");
		for (const char *const *a = args; *a; a++)
			fprintf(stderr, " '%s'", *a);
		fprintf(stderr, ": exit %d, not %d:\n%.8000s\n", rc, want, out);
	}
	CHECK_EQ(rc, want);
	return out;
}

/* ---- a host's JSON line ------------------------------------------------------------ */

struct res {
	char *command, *status, *phase, *error, *output;
};

struct hres {
	char *status;
	struct res r[8];
	size_t n;
};

static const char *jskip(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* The value at p: a string into *s (malloc'd, when s), anything else
 * skipped (objects and arrays whole). Returns where it ends. */
static const char *jval(const char *p, char **s)
{
	int depth = 0;

	p = jskip(p);
	if (*p == '"') {
		struct fo_sbuf b = { 0 };

		fo_sbuf_add(&b, "", 0);
		p = fo__json_unstr(&b, p + 1, SIZE_MAX);
		CHECK(!b.oom);
		if (s)
			*s = b.p;
		else
			free(b.p);
		return p;
	}
	for (; *p && *p != '\n'; p++) {
		if (*p == '"') {
			p = jval(p, NULL) - 1;
		} else if (*p == '{' || *p == '[') {
			depth++;
		} else if (*p == '}' || *p == ']') {
			if (depth-- == 0)
				return p;
			if (depth == 0)
				return p + 1;
		} else if (*p == ',' && depth == 0) {
			return p;
		}
	}
	return p;
}

/* The members of the object at p (just after its '{'): each key's string
 * value through set. Returns after the object. */
static const char *jobj(const char *p, void (*set)(void *, const char *, char *, const char *), void *arg)
{
	for (;;) {
		char *key = NULL, *v = NULL;
		const char *vp;

		p = jskip(p);
		if (*p == ',')
			p = jskip(p + 1);
		if (*p != '"')
			return *p == '}' ? p + 1 : p;
		p = jval(p, &key);
		p = jskip(p);
		CHECK(*p == ':');
		vp = jskip(p + 1);
		p = jval(vp, *vp == '"' ? &v : NULL);
		set(arg, key, v, vp);
		free(key);
	}
}

static void set_res(void *arg, const char *key, char *v, const char *vp)
{
	struct res *r = arg;
	char **to = !strcmp(key, "command") ? &r->command : !strcmp(key, "status") ? &r->status
		  : !strcmp(key, "phase")   ? &r->phase
		  : !strcmp(key, "error")   ? &r->error
		  : !strcmp(key, "output")  ? &r->output
					    : NULL;

	(void)vp;
	if (to)
		*to = v;
	else
		free(v);
}

static void set_host(void *arg, const char *key, char *v, const char *vp)
{
	struct hres *h = arg;

	if (!strcmp(key, "status")) {
		h->status = v;
		return;
	}
	free(v);
	if (strcmp(key, "results"))
		return;
	CHECK(*vp == '[');
	for (vp = jskip(vp + 1); *vp == '{' || *vp == ','; vp = jskip(vp)) {
		if (*vp == ',')
			vp = jskip(vp + 1);
		CHECK(*vp == '{' && h->n < sizeof(h->r) / sizeof(h->r[0]));
		vp = jobj(vp + 1, set_res, &h->r[h->n++]);
	}
}

/* Host name's JSON line in out, parsed (CHECKed to be there). */
static struct hres hres(const char *out, const char *name)
{
	struct hres h = { 0 };
	char key[64];
	const char *p;

	snprintf(key, sizeof(key), "\"host\":\"%s\"", name);
	p = out ? strstr(out, key) : NULL;
	if (!p)
		fprintf(stderr, "no line for host %s in:\n%s\n", name, out ? out : "(null)");
	CHECK(p != NULL);
	while (p > out && p[-1] != '\n')
		p--;
	CHECK(*p == '{');
	jobj(p + 1, set_host, &h);
	CHECK(h.status != NULL);
	return h;
}

/* Result i of the host, CHECKed to be there. */
static struct res *res_at(struct hres *h, size_t i)
{
	if (i >= h->n)
		fprintf(stderr, "the host has %zu results, not %zu\n", h->n, i + 1);
	CHECK(i < h->n);
	return &h->r[i];
}

static void hres_free(struct hres *h)
{
	free(h->status);
	for (size_t i = 0; i < h->n; i++) {
		free(h->r[i].command);
		free(h->r[i].status);
		free(h->r[i].phase);
		free(h->r[i].error);
		free(h->r[i].output);
	}
	memset(h, 0, sizeof(*h));
}

/* Every host of the fleet with platform plat (NULL: any) has status st. */
static void all_status(struct fleet *f, const char *out, const char *plat, const char *st)
{
	for (size_t i = 0; i < f->nh; i++) {
		struct hres h;

		if (plat && strcmp(f->h[i].plat, plat))
			continue;
		h = hres(out, f->h[i].name);
		if (strcmp(h.status, st))
			fprintf(stderr, "host %s (%s): %s, not %s:\n%s\n", f->h[i].name, f->h[i].plat, h.status, st,
				out);
		CHECK_STR(h.status, st);
		hres_free(&h);
	}
}

/* The first host of platform plat (the n-th, from 0). */
static const struct host *host_of(struct fleet *f, const char *plat, int n)
{
	for (size_t i = 0; i < f->nh; i++)
		if (!strcmp(f->h[i].plat, plat) && n-- == 0)
			return &f->h[i];
	CHECK(!"no such host in the fleet");
	return NULL;
}

/* One command's output on one host: the device as a second run sees it
 * (malloc'd; the run CHECKed ok). */
static char *show(struct fleet *f, const char *name, const char *cmd)
{
	const char *args[] = { "--limit", name, "-c", cmd, NULL };
	struct hres h;
	char *out, *o;
	int rc = fleet_run(f, &out, args);

	if (rc != 0)
		fprintf(stderr, "show '%s' on %s: exit %d:\n%s\n", cmd, name, rc, out);
	CHECK_EQ(rc, 0);
	h = hres(out, name);
	o = res_at(&h, 0)->output;
	res_at(&h, 0)->output = NULL;
	CHECK(o != NULL);
	hres_free(&h);
	free(out);
	return o;
}

/* The configuration lines that each platform takes (and shows back as
 * given, tag in each). */
static const char *config_for(const char *plat, const char *tag, char *buf, size_t cap)
{
	if (!strcmp(plat, "junos"))
		snprintf(buf, cap, "set interfaces xe-0/0/1 description %s-j\n\n# a comment\nset snmp location %s\n", tag,
			 tag);
	else if (!strcmp(plat, "iosxr"))
		snprintf(buf, cap, "snmp-server location %s\ninterface GigabitEthernet0/0/0/1\n description %s-x\n", tag,
			 tag);
	else
		snprintf(buf, cap, "! a comment\nsnmp-server location %s\n\nsnmp-server contact %s-c\n", tag, tag);
	return buf;
}

/* ---- show commands, paging --------------------------------------------------------- */

/* The output of a command has none of the session around it. */
static void clean_output(const struct host *h, const char *cmd, const struct res *r)
{
	char prompt[48];

	CHECK(r->output && strlen(r->output) > 20);
	CHECK(strncmp(r->output, cmd, strlen(cmd)) != 0); /* no echo */
	CHECK_LACKS(r->output, "More");
	CHECK_LACKS(r->output, "---(more");
	CHECK_LACKS(r->output, "\b");
	CHECK_LACKS(r->output, "\r");
	CHECK_LACKS(r->output, "\x1b");
	snprintf(prompt, sizeof(prompt), "%s#", h->name);
	CHECK_LACKS(r->output, prompt);
	snprintf(prompt, sizeof(prompt), "%s>", h->name);
	CHECK_LACKS(r->output, prompt);
	CHECK_LACKS(r->output, "Password:");
}

TEST_PROC(devices_e2e_show_every_platform, 120)
{
	static const char *const plats[] = { "ios", "nxos", "eos", "junos", "iosxr" };
	static const char *const fargs[] = { "-n", "10", "--platforms", "ios,nxos,eos,junos,iosxr", NULL };
	struct fleet f;

	fleet_start(&f, fargs);
	CHECK_HAS(f.d.out, "(ios 2, nxos 2, eos 2, junos 2, iosxr 2)");
	for (size_t k = 0; k < sizeof(plats) / sizeof(plats[0]); k++) {
		const char *pl = plats[k];
		const char *big = !strcmp(pl, "junos") ? "show configuration" : "show running-config";
		/* a command every platform has, the other longer than a page */
		const char *setup = !strcmp(pl, "junos") ? "show system uptime" : "show clock";
		char filter[32];
		const char *unpaged[] = { "--filter", filter, "-c", "show version", "-c", big, NULL };
		const char *paged[] = { "--filter", filter, "--setup", setup, "-c", "show version", "-c", big, NULL };
		char *o1, *o2;
		int rc;

		snprintf(filter, sizeof(filter), "platform=%s", pl);
		rc = fleet_run(&f, &o1, unpaged);
		if (rc != 0)
			fprintf(stderr, "%s: exit %d:\n%s\n", pl, rc, o1);
		CHECK_EQ(rc, 0);
		CHECK_EQ(fleet_run(&f, &o2, paged), 0);
		all_status(&f, o1, pl, "ok");
		all_status(&f, o2, pl, "ok");
		for (int n = 0; n < 2; n++) {
			const struct host *h = host_of(&f, pl, n);
			struct hres a = hres(o1, h->name), b = hres(o2, h->name);

			CHECK_EQ(a.n, 2);
			CHECK_EQ(b.n, 2);
			for (size_t i = 0; i < 2; i++) {
				CHECK_STR(a.r[i].status, "ok");
				clean_output(h, a.r[i].command, &a.r[i]);
				clean_output(h, b.r[i].command, &b.r[i]);
				/* paged (the device's 24 lines a page) equals unpaged */
				if (strcmp(a.r[i].output, b.r[i].output))
					fprintf(stderr, "%s %s: paged and unpaged differ:\n%s\n----\n%s\n", h->name,
						a.r[i].command, a.r[i].output, b.r[i].output);
				CHECK_STR(a.r[i].output, b.r[i].output);
			}
			/* well over a page, so the pager had its say */
			{
				size_t lines = 0;

				for (const char *p = a.r[1].output; (p = strchr(p, '\n')); p++)
					lines++;
				CHECK(lines > 48);
			}
			/* the device's own output: its name is in its configuration */
			CHECK_HAS(a.r[1].output, h->name);
			hres_free(&a);
			hres_free(&b);
		}
		free(o1);
		free(o2);
	}
	fleet_stop(&f);
}

/* One run for a mixed fleet: --commands-file DIR/{platform}.txt gives each
 * host its platform's list (after the -c given before it); a platform
 * whose file is missing, or a host without a platform, is refused before
 * any login. */
TEST_PROC(devices_e2e_commands_per_platform, 120)
{
	static const char *const fargs[] = { "-n", "10", "--platforms", "ios,nxos,eos,junos,iosxr", NULL };
	static const struct {
		const char *plat, *type, *text, *first;
	} files[] = {
		{ "ios", "cisco_iosxe", "# ios\nshow clock\nshow ip route\n", "show clock" },
		{ "nxos", "cisco_nxos", "show clock\n", "show clock" },
		{ "eos", "arista_eos", "show clock\nshow vlan\n", "show clock" },
		{ "junos", "juniper_junos", "show system uptime\nshow route\n", "show system uptime" },
		{ "iosxr", "cisco_iosxr", "show clock\n", "show clock" },
	};
	char tmpl[512], path[512], *out;
	struct fleet f;
	size_t k;

	fleet_start(&f, fargs);
	for (k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
		snprintf(path, sizeof(path), "%s/%s.txt", fo_test_dir(), files[k].type);
		fo_test_write(path, files[k].text, strlen(files[k].text));
	}
	snprintf(tmpl, sizeof(tmpl), "%s/{platform}.txt", fo_test_dir());
	{
		const char *args[] = { "-c", "show version", "--commands-file", tmpl, NULL };

		out = run_want(&f, 0, args);
	}
	all_status(&f, out, NULL, "ok");
	for (k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
		for (int n = 0; n < 2; n++) {
			const struct host *h = host_of(&f, files[k].plat, n);
			struct hres r = hres(out, h->name);
			size_t want = 1; /* show version, then the file's lines but comments */

			for (const char *p = files[k].text; *p; p = strchr(p, '\n') + 1)
				want += *p != '#';
			CHECK_EQ(r.n, want);
			CHECK_STR(res_at(&r, 0)->command, "show version");
			CHECK_STR(res_at(&r, 1)->command, files[k].first);
			for (size_t i = 0; i < r.n; i++) {
				CHECK_STR(res_at(&r, i)->status, "ok");
				CHECK(res_at(&r, i)->output && *res_at(&r, i)->output);
			}
			hres_free(&r);
		}
	}
	free(out);

	/* junos's file gone: refused before any login, naming the file */
	snprintf(path, sizeof(path), "%s/juniper_junos.txt", fo_test_dir());
	CHECK(unlink(path) == 0);
	{
		const char *args[] = { "--commands-file", tmpl, NULL };

		out = run_want(&f, 2, args);
	}
	CHECK_HAS(out, "juniper_junos.txt");
	CHECK(!strstr(out, "\"status\"")); /* no host ran */
	free(out);
	{
		/* only ios hosts: junos's file is not needed */
		const char *args[] = { "--filter", "platform=ios", "--commands-file", tmpl, NULL };

		out = run_want(&f, 0, args);
		all_status(&f, out, "ios", "ok");
		free(out);
	}
	{
		/* a host without a platform: which list would it run? */
		char w[64];
		const char *a[] = { fo_test_bin(), "run", "-w", w, "--commands-file", tmpl, NULL };

		snprintf(w, sizeof(w), "%s:%s", host_of(&f, "ios", 0)->addr, f.d.port);
		CHECK_EQ(fo_test_run(&out, 60, a), 2);
		CHECK_HAS(out, "has no platform");
		CHECK_HAS(out, "--platform");
		free(out);
	}
	fleet_stop(&f);
}

/* ---- levels and secrets ------------------------------------------------------------- */

TEST_PROC(devices_e2e_levels_and_secrets, 120)
{
	static const char *const fargs[] = { "-n", "4", "--platforms", "ios:3,junos:1", "--enable-secret", "s3cret",
					     "--fault", "badsecret=127.1.0.2", NULL };
	static const char *const exec_lv[] = { "--filter", "platform=ios", "--level", "exec", "-c", "show clock", "-c",
					       "show running-config", NULL };
	static const char *const priv[] = { "--filter", "platform=ios", "-c", "show running-config", NULL };
	static const char *const env_secret[] = { "--filter", "platform=ios", "--secret-env", "FO_E2E_SECRET", "-c",
						  "show running-config", NULL };
	struct fleet f;
	const struct host *bad, *good;
	char *out;
	struct hres h;

	fleet_start(&f, fargs);
	CHECK_HAS(f.d.out, "; faults: badsecret 1");
	bad = &f.h[1];
	CHECK_STR(bad->addr, "127.1.0.2");
	CHECK_STR(bad->plat, "ios");
	good = bad == host_of(&f, "ios", 0) ? host_of(&f, "ios", 1) : host_of(&f, "ios", 0);
	{
		char *inv = fo_test_read(f.d.inv);

		CHECK_HAS(inv, "secret: 's3cret'");
		free(inv);
	}

	/* exec: show clock works there, show running-config is privileged
	 * (the device says so). On-open's acquire-priv goes to the commands'
	 * level, so no enable is sent: the badsecret device answers as the
	 * others do. */
	out = run_want(&f, 1, exec_lv);
	for (size_t i = 0; i < f.nh; i++) {
		if (strcmp(f.h[i].plat, "ios"))
			continue;
		h = hres(out, f.h[i].name);
		CHECK_STR(h.status, "failed");
		CHECK_STR(res_at(&h, 0)->status, "ok");
		CHECK_HAS(h.r[0].output, "09:15:00");
		CHECK_STR(res_at(&h, 1)->status, "failed");
		CHECK_HAS(h.r[1].error, "% Invalid input");
		hres_free(&h);
	}
	free(out);

	/* privilege-exec, the default: enable with the inventory's secret; the
	 * badsecret device refuses it, the others are unaffected */
	out = run_want(&f, 1, priv);
	h = hres(out, good->name);
	CHECK_STR(h.status, "ok");
	CHECK_HAS(res_at(&h, 0)->output, "hostname ");
	hres_free(&h);
	h = hres(out, bad->name);
	CHECK_STR(h.status, "auth_failed");
	CHECK_HAS(res_at(&h, 0)->error, "the secret for level privilege-exec was refused");
	hres_free(&h);
	free(out);

	/* --secret-env: a wrong one is refused everywhere; the right one works */
	setenv("FO_E2E_SECRET", "wrong", 1);
	out = run_want(&f, 1, env_secret);
	all_status(&f, out, "ios", "auth_failed");
	h = hres(out, good->name);
	CHECK_HAS(res_at(&h, 0)->error, "refused");
	hres_free(&h);
	free(out);
	setenv("FO_E2E_SECRET", "s3cret", 1);
	out = run_want(&f, 1, env_secret);
	h = hres(out, good->name);
	CHECK_STR(h.status, "ok");
	hres_free(&h);
	h = hres(out, bad->name);
	CHECK_STR(h.status, "auth_failed");
	hres_free(&h);
	free(out);

	/* a --level a platform lacks: refused before the run, exit 2, no host
	 * reached (no JSON line) */
	{
		static const char *const nope[] = { "--level", "nope", "-c", "show clock", NULL };
		static const char *const junos_priv[] = { "--level", "privilege-exec", "-c", "show clock", NULL };

		out = run_want(&f, 2, nope);
		CHECK_HAS(out, "has no level 'nope'");
		CHECK_LACKS(out, "\"host\":");
		free(out);
		/* the whole fleet: junos has no privilege-exec */
		out = run_want(&f, 2, junos_priv);
		CHECK_HAS(out, "platform juniper_junos has no level 'privilege-exec'");
		CHECK_LACKS(out, "\"host\":");
		free(out);
	}
	/* a host without a secret: privilege-exec asks for one */
	{
		char *inv = fo_test_read(f.d.inv), *p;
		static const char *const priv_all[] = { "--filter", "platform=ios", "-c", "show running-config", NULL };

		while ((p = strstr(inv, "secret: 's3cret'")))
			memcpy(p, "secrex", 6); /* no longer a key fanout run knows */
		fo_test_write(f.d.inv, inv, strlen(inv));
		free(inv);
		out = run_want(&f, 1, priv_all);
		all_status(&f, out, "ios", "auth_failed");
		h = hres(out, good->name);
		CHECK_HAS(res_at(&h, 0)->error, "level privilege-exec asks for a secret");
		hres_free(&h);
		free(out);
	}
	fleet_stop(&f);
}

/* ---- configuration ------------------------------------------------------------------- */

/* What shows a platform's configuration. */
static const char *show_config_cmd(const char *plat)
{
	return !strcmp(plat, "junos") ? "show configuration | display set" : "show running-config";
}

/* Does the configuration that host h's device shows (running, or startup
 * where startup) hold both lines of config_for(plat, tag)? Both or
 * neither, CHECKed: a half-applied configuration fails the test. */
static bool config_has(struct fleet *f, const struct host *h, const char *tag, bool startup)
{
	char loc[64], other[64], *c;
	bool a, b;

	c = show(f, h->name, startup ? "show startup-config" : show_config_cmd(h->plat));
	snprintf(loc, sizeof(loc), "location %s\n", tag);
	snprintf(other, sizeof(other), !strcmp(h->plat, "junos") ? "description %s-j\n"
				       : !strcmp(h->plat, "iosxr") ? "description %s-x\n"
								   : "snmp-server contact %s-c\n",
		 tag);
	a = fo_test_has(c, loc);
	b = fo_test_has(c, other);
	if (a != b)
		fprintf(stderr, "%s (%s): half of the configuration '%s' is there:\n%s\n", h->name, h->plat, tag, c);
	CHECK_EQ(a, b);
	free(c);
	return a;
}

/* DIR/HOST.cfg for every host (escaped as --out escapes: these names need
 * none): config_for(its platform, tag). The folder's path. */
static const char *config_dir(struct fleet *f, const char *name, const char *tag)
{
	static char dir[300];
	char path[400], text[512];

	snprintf(dir, sizeof(dir), "%s/%s", fo_test_dir(), name);
	CHECK(mkdir(dir, 0755) == 0);
	for (size_t i = 0; i < f->nh; i++) {
		snprintf(path, sizeof(path), "%s/%s.cfg", dir, f->h[i].name);
		config_for(f->h[i].plat, tag, text, sizeof(text));
		fo_test_write(path, text, strlen(text));
	}
	return dir;
}

/* --dry-run changes nothing anywhere; --config-dir then applies each host's
 * own lines, --save saving them where saving is a step of its own, commit
 * where there is one. */
TEST_PROC(devices_e2e_config_dry_run_commit_save, 180)
{
	static const char *const fargs[] = { "-n", "5", "--platforms", "ios,nxos,eos,junos,iosxr", NULL };
	struct fleet f;
	const char *dir;
	char *out;
	int rc;

	fleet_start(&f, fargs);
	dir = config_dir(&f, "dry", "e2edry");
	{
		const char *a[] = { "--config-dir", dir, "--dry-run", "-c", "show version", NULL };

		rc = fleet_run(&f, &out, a);
		if (rc != 0)
			fprintf(stderr, "--dry-run: exit %d:\n%s\n", rc, out);
		CHECK_EQ(rc, 0);
	}
	all_status(&f, out, NULL, "ok");
	for (size_t i = 0; i < f.nh; i++) {
		const struct host *h = &f.h[i];
		struct hres r = hres(out, h->name);
		bool commit = !strcmp(h->plat, "junos") || !strcmp(h->plat, "iosxr");

		CHECK_EQ(r.n, 3);
		CHECK_STR(r.r[1].command, "config");
		CHECK_STR(r.r[2].command, "config diff");
		if (commit) {
			/* the compare's output: what a commit would change */
			CHECK_HAS(r.r[2].output, "location e2edry");
			CHECK_HAS(r.r[1].output, "location e2edry");
			CHECK_HAS(r.r[1].output, !strcmp(h->plat, "junos") ? "rollback 0" : "abort");
			CHECK_LACKS(r.r[1].output, "commit complete");
		} else {
			/* no candidate: nothing sent, and the transcript says so */
			CHECK_HAS(r.r[1].output, "dry run: none of the 2 lines sent: platform ");
			CHECK_LACKS(r.r[1].output, "e2edry");
			CHECK_STR(r.r[2].output, "");
		}
		hres_free(&r);
		CHECK(!config_has(&f, h, "e2edry", false));
	}
	free(out);

	dir = config_dir(&f, "real", "e2ereal");
	{
		const char *a[] = { "--config-dir", dir, "--save", "-c", "show version", NULL };

		rc = fleet_run(&f, &out, a);
		if (rc != 0)
			fprintf(stderr, "--config-dir --save: exit %d:\n%s\n", rc, out);
		CHECK_EQ(rc, 0);
	}
	all_status(&f, out, NULL, "ok");
	for (size_t i = 0; i < f.nh; i++) {
		const struct host *h = &f.h[i];
		struct hres r = hres(out, h->name);

		CHECK_EQ(r.n, 3);
		/* the transcript: every line, not the comments and blanks */
		CHECK_HAS(r.r[1].output, "location e2ereal\n");
		CHECK_LACKS(r.r[1].output, "comment");
		if (!strcmp(h->plat, "junos")) {
			CHECK_HAS(r.r[1].output, "commit complete");
			CHECK_HAS(r.r[2].output, "+      location e2ereal;");
		} else if (!strcmp(h->plat, "iosxr")) {
			CHECK_HAS(r.r[1].output, "\ncommit\n");
			CHECK_HAS(r.r[2].output, "+  snmp-server location e2ereal");
		} else {
			CHECK_HAS(r.r[1].output, !strcmp(h->plat, "nxos") ? "copy running-config startup-config"
									  : "write memory");
		}
		hres_free(&r);
		CHECK(config_has(&f, h, "e2ereal", false));
		if (strcmp(h->plat, "junos") && strcmp(h->plat, "iosxr"))
			CHECK(config_has(&f, h, "e2ereal", true));
		/* the dry run's lines never arrived */
		CHECK(!config_has(&f, h, "e2edry", false));
	}
	free(out);

	/* without --save: running holds the lines, startup does not */
	{
		const struct host *ios = host_of(&f, "ios", 0);
		char text[512];
		const char *path = fo_test_put("nosave.cfg", text,
					       strlen(config_for("ios", "e2enosave", text, sizeof(text))));
		const char *a[] = { "--limit", ios->name, "--config", path, NULL }; /* configuration alone */
		struct hres r;

		out = run_want(&f, 0, a);
		r = hres(out, ios->name);
		CHECK_EQ(r.n, 2);
		CHECK_STR(r.r[0].command, "config");
		CHECK_STR(r.r[0].status, "ok");
		hres_free(&r);
		free(out);
		CHECK(config_has(&f, ios, "e2enosave", false));
		CHECK(!config_has(&f, ios, "e2enosave", true));
		CHECK(config_has(&f, ios, "e2ereal", true));
	}
	fleet_stop(&f);
}

/* A rejected line fails its host with the line and the device's words;
 * commit platforms drop the candidate; the other hosts are ok. */
TEST_PROC(devices_e2e_config_rejected_line, 120)
{
	static const char *const fargs[] = { "-n", "5", "--platforms", "ios,nxos,eos,junos,iosxr", NULL };
	struct fleet f;
	const char *dir;
	const struct host *ios, *junos, *xr;
	char *out, path[400], text[512];
	struct hres r;

	fleet_start(&f, fargs);
	dir = config_dir(&f, "cfg", "e2ebad");
	ios = host_of(&f, "ios", 0);
	junos = host_of(&f, "junos", 0);
	xr = host_of(&f, "iosxr", 0);
	/* a line in the middle the device does not take, on three of them */
	snprintf(path, sizeof(path), "%s/%s.cfg", dir, ios->name);
	snprintf(text, sizeof(text), "snmp-server location e2ebad\nfrobnicate the widget\nsnmp-server contact e2ebad-c\n");
	fo_test_write(path, text, strlen(text));
	snprintf(path, sizeof(path), "%s/%s.cfg", dir, junos->name);
	snprintf(text, sizeof(text), "set snmp location e2ebad\nset frobnicate widget\nset interfaces xe-0/0/1 "
				     "description e2ebad-j\n");
	fo_test_write(path, text, strlen(text));
	snprintf(path, sizeof(path), "%s/%s.cfg", dir, xr->name);
	snprintf(text, sizeof(text), "snmp-server location e2ebad\nfrobnicate the widget\ninterface "
				     "GigabitEthernet0/0/0/1\n description e2ebad-x\n");
	fo_test_write(path, text, strlen(text));
	{
		const char *a[] = { "--config-dir", dir, "-c", "show version", NULL };

		out = run_want(&f, 1, a);
	}
	for (size_t i = 0; i < f.nh; i++) {
		const struct host *h = &f.h[i];

		r = hres(out, h->name);
		if (h != ios && h != junos && h != xr) {
			CHECK_STR(r.status, "ok");
			CHECK(config_has(&f, h, "e2ebad", false));
		} else {
			CHECK_STR(r.status, "failed");
			CHECK_STR(res_at(&r, 0)->status, "ok"); /* the command before is kept */
			CHECK_STR(res_at(&r, 1)->status, "failed");
			CHECK_STR(r.r[1].phase, "config");
			CHECK_HAS(r.r[1].error, "line 2 '");
			CHECK_HAS(r.r[1].error, "frobnicate");
			CHECK_HAS(r.r[1].error, "' rejected: the device said: ");
			CHECK_HAS(r.r[1].error, h == junos ? "syntax error" : "% Invalid input");
			/* the lines after it were not sent */
			CHECK_LACKS(r.r[1].output, "e2ebad-");
		}
		hres_free(&r);
	}
	free(out);
	/* commit platforms: nothing of it committed; ios took line 1 at once */
	CHECK(!config_has(&f, junos, "e2ebad", false));
	CHECK(!config_has(&f, xr, "e2ebad", false));
	{
		char *c = show(&f, ios->name, "show running-config");

		CHECK_HAS(c, "snmp-server location e2ebad\n");
		CHECK_LACKS(c, "e2ebad-c");
		free(c);
	}
	/* --config-continue: past the rejected line, the rest sent (ios), and
	 * still failed */
	{
		const char *a[] = { "--limit", ios->name, "--config-dir", dir, "--config-continue", "-c", "show clock",
				    NULL };

		out = run_want(&f, 1, a);
		r = hres(out, ios->name);
		CHECK_STR(r.status, "failed");
		CHECK_HAS(res_at(&r, 1)->error, "line 2 'frobnicate the widget' rejected");
		CHECK_HAS(r.r[1].output, "snmp-server contact e2ebad-c");
		hres_free(&r);
		free(out);
		CHECK(config_has(&f, ios, "e2ebad", false));
	}
	fleet_stop(&f);
}

/* --confirm on junos: commit confirmed, the minutes rounded up; the
 * device's commit history says so. */
TEST_PROC(devices_e2e_config_confirm, 120)
{
	static const char *const fargs[] = { "-n", "2", "--platforms", "junos,iosxr", NULL };
	struct fleet f;
	const struct host *j, *x;
	char *out, *c, text[512];
	const char *path;
	struct hres r;

	fleet_start(&f, fargs);
	j = host_of(&f, "junos", 0);
	x = host_of(&f, "iosxr", 0);
	config_for("junos", "e2econf", text, sizeof(text));
	path = fo_test_put("j.cfg", text, strlen(text));
	{
		const char *a[] = { "--limit", j->name, "--config", path, "--confirm", "90s", "-c", "show version", NULL };

		out = run_want(&f, 0, a);
	}
	r = hres(out, j->name);
	CHECK_HAS(res_at(&r, 1)->output, "\ncommit confirmed 2\n");
	CHECK_HAS(r.r[1].output, "rolled back in 2 minutes unless confirmed");
	hres_free(&r);
	free(out);
	CHECK(config_has(&f, j, "e2econf", false));
	c = show(&f, j->name, "show system commit");
	CHECK_HAS(c, "by admin via cli commit confirmed, rollback in 2mins\n");
	free(c);
	/* iosxr: commit confirmed minutes N */
	config_for("iosxr", "e2econf", text, sizeof(text));
	path = fo_test_put("x.cfg", text, strlen(text));
	{
		const char *a[] = { "--limit", x->name, "--config", path, "--confirm", "3m", "-c", "show version", NULL };

		out = run_want(&f, 0, a);
	}
	r = hres(out, x->name);
	CHECK_HAS(res_at(&r, 1)->output, "\ncommit confirmed minutes 3\n");
	hres_free(&r);
	free(out);
	CHECK(config_has(&f, x, "e2econf", false));
	fleet_stop(&f);
}

/* ---- Ctrl-C during configuration ------------------------------------------------------ */

/* Ctrl-C while slow devices take their configuration: every host has its
 * result; the configuration results say interrupted and after how many
 * lines; commit platforms committed nothing, the others hold exactly the
 * lines sent. The fast hosts, done before, are ok. */
TEST_PROC(devices_e2e_config_interrupted, 240)
{
	static const char *const fargs[] = { "-n", "10", "--platforms", "ios,nxos,eos,junos,iosxr", "--fault",
					     "slow=127.1.0.1-127.1.0.5:200ms", NULL };
	enum { LINES = 60 };
	struct fleet f;
	char dir[300], path[400], *out = NULL;
	const char *argv[64];
	size_t len = 0;
	long long end;
	int fd, rc;
	pid_t pid;

	fleet_start(&f, fargs);
	CHECK_HAS(f.d.out, "; faults: slow 5");
	snprintf(dir, sizeof(dir), "%s/cfg", fo_test_dir());
	CHECK(mkdir(dir, 0755) == 0);
	for (size_t i = 0; i < f.nh; i++) {
		struct fo_sbuf b = { 0 };
		char line[128];

		for (int k = 1; k <= LINES; k++) {
			if (!strcmp(f.h[i].plat, "junos"))
				snprintf(line, sizeof(line), "set interfaces xe-0/0/%d description e2eint-%d\n", k % 8, k);
			else
				snprintf(line, sizeof(line), "logging host 10.7.0.%d\n", k);
			fo_sbuf_adds(&b, line);
		}
		CHECK(!b.oom);
		snprintf(path, sizeof(path), "%s/%s.cfg", dir, f.h[i].name);
		fo_test_write(path, b.p, b.len);
		free(b.p);
	}
	{
		const char *const a[] = { "--config-dir", dir, "-c", "show version", "--grace", "120s", NULL };

		pid = fo_test_spawn(run_argv(&f, argv, a), &fd, FO_TEST_ERR_OUT, 0);
	}
	end = fo_test_now_ms() + 120000LL * fo_test_scale();
	/* the fast devices are done: the slow ones are on their way */
	for (size_t i = 5; i < f.nh; i++) {
		char key[64];

		snprintf(key, sizeof(key), "\"host\":\"%s\"", f.h[i].name);
		CHECK(fo_test_read_until(fd, &out, &len, key, end));
	}
	/* a moment into their configuration (200 ms a reply, 60 lines: about
	 * 12 s of it); wherever they are, what follows holds */
	fo_test_sleep_ms(3000);
	kill(pid, SIGINT);
	fo_test_read_until(fd, &out, &len, NULL, end);
	close(fd);
	rc = fo_test_reap(pid, 0, end);
	if (rc != 130)
		fprintf(stderr, "fanout run: exit %d:\n%s\n", rc, out);
	CHECK_EQ(rc, 130);
	for (size_t i = 0; i < f.nh; i++) {
		const struct host *h = &f.h[i];
		bool commit = !strcmp(h->plat, "junos") || !strcmp(h->plat, "iosxr");
		struct hres r = hres(out, h->name);
		unsigned long n;
		char *c, want[64];
		const char *p;

		if (i >= 5) {
			CHECK_STR(r.status, "ok");
			hres_free(&r);
			continue;
		}
		CHECK_EQ(h->addr[strlen(h->addr) - 1], '1' + (int)i); /* the slow ones: .1 to .5 */
		if (strcmp(r.status, "failed") || r.n != 3)
			fprintf(stderr, "%s (%s):\n%s\n", h->name, h->plat, out);
		CHECK_STR(r.status, "failed");
		CHECK_EQ(r.n, 3);
		CHECK_STR(r.r[0].status, "ok");
		CHECK_STR(r.r[1].status, "failed");
		p = r.r[1].error;
		CHECK(p && !strncmp(p, "interrupted after ", 18));
		n = strtoul(p + 18, NULL, 10);
		snprintf(want, sizeof(want), " of %d lines: ", LINES);
		CHECK_HAS(p, want);
		CHECK(n < LINES);
		CHECK_HAS(p, commit ? "not committed, the changes dropped" : "the lines before stay applied");
		hres_free(&r);
		/* what the device holds now */
		c = show(&f, h->name, show_config_cmd(h->plat));
		if (commit) {
			CHECK_LACKS(c, "e2eint");
			CHECK_LACKS(c, "10.7.0.");
		} else {
			for (unsigned long k = 1; k <= LINES; k++) {
				snprintf(want, sizeof(want), "logging host 10.7.0.%lu\n", k);
				if (fo_test_has(c, want) != (k <= n))
					fprintf(stderr, "%s (%s): %lu lines sent, line %lu: %s\n", h->name, h->plat, n,
						k, fo_test_has(c, want) ? "there" : "missing");
				CHECK_EQ(fo_test_has(c, want), k <= n);
			}
		}
		free(c);
	}
	free(out);
	fleet_stop(&f);
}

/* ---- misbehaving devices ------------------------------------------------------------ */

/* hang, drop and flood beside good devices of every platform, with and
 * without configuration: the bad ones time out or fail, each for its own
 * reason; the others are ok and configured. */
TEST_PROC(devices_e2e_misbehaving, 180)
{
	static const char *const fargs[] = { "-n", "8", "--platforms", "ios,nxos,eos,junos,iosxr", "--fault",
					     "hang=127.1.0.1", "--fault", "drop=127.1.0.2", "--fault", "flood=127.1.0.3",
					     NULL };
	struct fleet f;
	const char *dir;
	char *out;
	int pass;

	fleet_start(&f, fargs);
	CHECK_HAS(f.d.out, "; faults: hang 1, drop 1, flood 1");
	dir = config_dir(&f, "cfg", "e2emis");
	for (pass = 0; pass < 2; pass++) {
		const char *const shows[] = { "-c", "show version", "--command-timeout", "3s", "--max-output", "256K",
					      NULL };
		const char *const cfg[] = { "--config-dir", dir, "-c", "show version", "--command-timeout", "3s",
					    "--max-output", "256K", NULL };
		struct hres r;

		out = run_want(&f, 1, pass ? cfg : shows);
		/* hang: a banner, never a prompt */
		r = hres(out, f.h[0].name);
		CHECK_STR(r.status, "timeout");
		CHECK_STR(res_at(&r, 0)->status, "timeout");
		hres_free(&r);
		/* drop: the connection goes half way through an output */
		r = hres(out, f.h[1].name);
		CHECK(strcmp(r.status, "ok") && strcmp(r.status, "timeout"));
		CHECK(strcmp(res_at(&r, 0)->status, "ok"));
		hres_free(&r);
		/* flood: an output that never ends, cut by --max-output or the
		 * command's timeout (whichever comes first) */
		r = hres(out, f.h[2].name);
		CHECK(strcmp(r.status, "ok"));
		CHECK(!strcmp(res_at(&r, 0)->status, "timeout") ||
		      (!strcmp(r.r[0].status, "failed") && fo_test_has(r.r[0].error, "output over")));
		hres_free(&r);
		for (size_t i = 3; i < f.nh; i++) {
			r = hres(out, f.h[i].name);
			if (strcmp(r.status, "ok"))
				fprintf(stderr, "%s (%s): %s %s\n", f.h[i].name, f.h[i].plat, r.status,
					r.r[r.n - 1].error ? r.r[r.n - 1].error : "");
			CHECK_STR(r.status, "ok");
			CHECK_EQ(r.n, pass ? 3u : 1u);
			hres_free(&r);
			if (pass)
				CHECK(config_has(&f, &f.h[i], "e2emis", false));
		}
		free(out);
	}
	fleet_stop(&f);
}

/* ---- a real OpenSSH server ------------------------------------------------------------ */

/* The value of key in the fixture's env file (KEY=VALUE lines). */
static void fx_env(const char *dir, const char *key, char *out, size_t cap)
{
	char path[400], *env, *p;
	size_t kl = strlen(key);

	snprintf(path, sizeof(path), "%s/env", dir);
	env = fo_test_read(path);
	CHECK(env != NULL);
	out[0] = 0;
	for (p = env; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, key, kl) && p[kl] == '=') {
			snprintf(out, cap, "%.*s", (int)strcspn(p + kl + 1, "\n"), p + kl + 1);
			break;
		}
	free(env);
	CHECK(out[0] != 0);
}

static char fx_dir[256];

/* The fixture stopped and its folder gone, however the test ends. */
static void fx_cleanup(void)
{
	char cmd[1024];
	int rc;

	if (!fx_dir[0])
		return;
	snprintf(cmd, sizeof(cmd), "bash tests/fixtures/ssh/sshd-fixture.sh stop %s >/dev/null 2>&1; rm -rf %s %s.log",
		 fx_dir, fx_dir, fx_dir);
	rc = system(cmd);
	(void)rc;
	fx_dir[0] = 0;
}

/* The SSH fixture (tests/fixtures/ssh/: OpenSSH's sshd, devsim behind
 * it): the platforms' shell sessions through a real server give what its
 * exec channels give (devsim prints \r\n there; a pty's lines too). */
TEST_PROC(devices_e2e_openssh_fixture, 120)
{
	static const char *const hosts[][3] = { { "127.1.0.1", "ios", "show running-config" },
						{ "127.2.0.1", "junos", "show configuration" } };
	char dir[256], bdir[200], cmd[900], port[16], user[64], key[300], kh[300];
	const char *bin = fo_test_bin(), *slash = strrchr(bin, '/');
	int rc;

	if (access("/usr/sbin/sshd", X_OK) < 0)
		fo_test_skip("no /usr/sbin/sshd (openssh-server)");
	/* not in fo_test_dir(): sshd's StrictModes wants the key's folders
	 * as the fixture makes them */
	snprintf(dir, sizeof(dir), "/tmp/fanout-e2e-fx.%d", (int)getpid());
	snprintf(fx_dir, sizeof(fx_dir), "%s", dir);
	atexit(fx_cleanup);
	snprintf(bdir, sizeof(bdir), "%.*s", slash ? (int)(slash - bin) : 5, slash ? bin : "build");
	/* --owner: it stops by itself once this test's process is gone */
	snprintf(cmd, sizeof(cmd),
		 "BUILD=%s timeout %d bash tests/fixtures/ssh/sshd-fixture.sh start %s --devices 1 --junos 1 "
		 "--owner %d --max-life 600 >%s.log 2>&1",
		 bdir, 60 * fo_test_scale(), dir, (int)getpid(), dir);
	rc = system(cmd);
	if (rc != 0) {
		snprintf(cmd, sizeof(cmd), "cat %s.log >&2", dir);
		rc = system(cmd);
		CHECK(!"the fixture did not start");
	}
	fx_env(dir, "FIXTURE_PORT", port, sizeof(port));
	fx_env(dir, "FIXTURE_USER", user, sizeof(user));
	fx_env(dir, "FIXTURE_KEY", key, sizeof(key));
	snprintf(kh, sizeof(kh), "%s/known_hosts", dir);
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		char *o[2];
		struct hres r[2];

		for (int mode = 0; mode < 2; mode++) {
			const char *argv[] = { bin, "run", "-w", hosts[i][0], "--port", port, "--user", user, "--key", key,
					       "--no-agent", "--known-hosts", kh, "--host-keys", "strict", "--platform",
					       hosts[i][1], mode ? "--exec" : "--shell", "--json", "-c", "show version",
					       "-c", hosts[i][2], NULL };

			rc = fo_test_run(&o[mode], 60, argv);
			if (rc != 0)
				fprintf(stderr, "%s %s: exit %d:\n%.4000s\n", hosts[i][1], mode ? "exec" : "shell", rc,
					o[mode]);
			CHECK_EQ(rc, 0);
			r[mode] = hres(o[mode], hosts[i][0]);
			CHECK_STR(r[mode].status, "ok");
			CHECK_EQ(r[mode].n, 2);
		}
		for (size_t k = 0; k < 2; k++) {
			char *e = r[1].r[k].output, *w = e;

			for (char *p = e; *p; p++) /* the exec channel's \r\n as a shell's output has it */
				if (!(p[0] == '\r' && p[1] == '\n'))
					*w++ = *p;
			*w = 0;
			/* Junos prints a blank line before its prompt in a shell,
			 * which is the device's output as it came: compared
			 * without the trailing newlines */
			while (w > e && w[-1] == '\n')
				*--w = 0;
			for (w = r[0].r[k].output + strlen(r[0].r[k].output); w > r[0].r[k].output && w[-1] == '\n';)
				*--w = 0;
			CHECK(strlen(e) > 100);
			if (strcmp(r[0].r[k].output, e))
				fprintf(stderr, "%s '%s': shell and exec differ:\n%s\n----\n%s\n", hosts[i][1],
					r[0].r[k].command, r[0].r[k].output, e);
			CHECK_STR(r[0].r[k].output, e);
		}
		for (int mode = 0; mode < 2; mode++) {
			hres_free(&r[mode]);
			free(o[mode]);
		}
	}
	fx_cleanup();
}

/* ---- results: --parse, --compare ------------------------------------------------- */

#define TFSM_DIR "tests/fixtures/textfsm/devices"

/* --parse: show version's records (the index picks each platform's
 * template by its textfsm-platform), in --json and as COMMAND.json beside
 * COMMAND.txt; a command without a template keeps its text and says so;
 * a template that does not compile stops the run before any login. */
TEST_PROC(devices_e2e_parse, 120)
{
	static const char *const fargs[] = { "-n", "8", "--platforms", "ios,nxos,eos,iosxr", NULL };
	char out_dir[512], path[1024], *out, *json;
	struct fleet f;

	fleet_start(&f, fargs);
	snprintf(out_dir, sizeof(out_dir), "%s/out", fo_test_dir());
	{
		const char *args[] = { "-c", "show version", "-c", "show clock", "--parse", "--templates", TFSM_DIR,
				       "--out", out_dir, NULL };

		out = run_want(&f, 0, args);
	}
	CHECK_HAS(out, "parsed: 8 outputs into records, 8 kept as text only");
	for (size_t k = 0; k < f.nh; k++) {
		const struct host *h = &f.h[k];
		char want[64];

		/* the line of h: show version parsed, its hostname the device's */
		{
			const char *line = strstr(out, h->name), *end;

			CHECK(line);
			while (line > out && line[-1] != '\n')
				line--;
			end = strchr(line, '\n');
			CHECK(end);
			CHECK(memmem(line, (size_t)(end - line), "\"parsed\":[ {", 12));
			snprintf(want, sizeof(want), "\"hostname\": \"%s\"", h->name);
			CHECK(strcmp(h->plat, "ios") || memmem(line, (size_t)(end - line), want, strlen(want)));
			CHECK(memmem(line, (size_t)(end - line), "\"parse_error\":\"no template for platform", 39));
		}
		snprintf(path, sizeof(path), "%s/%s/show+version.json", out_dir, h->name);
		json = fo_test_read(path);
		CHECK(json != NULL);
		CHECK(!strncmp(json, "[\n {\"", 5)); /* records, a line each */
		if (!strcmp(h->plat, "ios")) /* ios's template has the name */
			CHECK_HAS(json, want);
		free(json);
		snprintf(path, sizeof(path), "%s/%s/show+clock.json", out_dir, h->name);
		CHECK(access(path, F_OK) < 0 && errno == ENOENT);
	}
	free(out);
	{
		/* a broken template: exit 2 naming the file and line, nobody logs in */
		char dir[512];
		const char *args[] = { "-c", "show version", "--parse", "--templates", dir, NULL };
		static const char index[] = "Template, Hostname, Platform, Command\n\n"
					    "broken.textfsm, .*, cisco_ios, sh[[ow]] ver[[sion]]\n";
		static const char broken[] = "Value VERSION (\\S+)\n\nStart\n  ^Version ${VERSION} -> Nowhere\n";

		snprintf(dir, sizeof(dir), "%s/bad", fo_test_dir());
		CHECK(mkdir(dir, 0755) == 0);
		snprintf(path, sizeof(path), "%s/index", dir);
		fo_test_write(path, index, strlen(index));
		snprintf(path, sizeof(path), "%s/broken.textfsm", dir);
		fo_test_write(path, broken, strlen(broken));
		out = run_want(&f, 2, args);
		CHECK_HAS(out, "broken.textfsm");
		CHECK_HAS(out, "line 4");
		CHECK(!strstr(out, "\"status\""));
		free(out);
	}
	{
		/* an index row of two templates: their tables joined as
		 * CliTable joins them, on the second's Key (the first has none) */
		char dir[512], *tpl;
		const char *args[] = { "-c", "show version", "--parse", "--templates", dir, NULL };
		static const char index[] = "Template, Hostname, Platform, Command\n\n"
					    "ios_show_version.textfsm:uptime.textfsm, .*, cisco_ios, sh[[ow]] ver[[sion]]\n";
		static const char uptime[] = "Value Key Hostname (\\S+)\nValue Uptime_Words (.+)\n\n"
					     "Start\n  ^${Hostname} uptime is ${Uptime_Words} -> Record\n";
		const struct host *ios = host_of(&f, "ios", 0);

		snprintf(dir, sizeof(dir), "%s/two", fo_test_dir());
		CHECK(mkdir(dir, 0755) == 0);
		snprintf(path, sizeof(path), "%s/index", dir);
		fo_test_write(path, index, strlen(index));
		snprintf(path, sizeof(path), "%s/uptime.textfsm", dir);
		fo_test_write(path, uptime, strlen(uptime));
		tpl = fo_test_read(TFSM_DIR "/ios_show_version.textfsm");
		CHECK(tpl);
		snprintf(path, sizeof(path), "%s/ios_show_version.textfsm", dir);
		fo_test_write(path, tpl, strlen(tpl));
		free(tpl);
		out = run_want(&f, 0, args);
		{
			/* ios's line, as offsets (GCC's -Wnonnull under the
			 * sanitizers loses track of a pointer walked back) */
			const char *hit = strstr(out, ios->name), *want_s = "], \"uptime_words\": \"";
			char want[64];
			size_t a, n;

			CHECK(hit);
			for (a = (size_t)(hit - out); a > 0 && out[a - 1] != '\n';)
				a--;
			n = strcspn(out + a, "\n");
			snprintf(want, sizeof(want), "\"hostname\": \"%s\"", ios->name);
			CHECK(memmem(out + a, n, want, strlen(want)));
			/* the first template's columns, then the second's new one */
			CHECK(memmem(out + a, n, want_s, strlen(want_s)));
			CHECK(!memmem(out + a, n, "parse_error", 11));
		}
		free(out);
	}
	fleet_stop(&f);
}

/* --compare: a run against an earlier --out tree after ios's configuration
 * changed: those hosts changed (COMMAND.diff beside COMMAND.txt, the diff
 * in --json), the others unchanged; --fail-on-change makes that exit 1;
 * --ignore of the changed lines makes it unchanged again; a folder that
 * is not an --out tree is refused. */
TEST_PROC(devices_e2e_compare, 120)
{
	static const char *const fargs[] = { "-n", "4", "--platforms", "ios,eos", NULL };
	char a[512], b[512], cfg[512], path[1024], *out, *diff;
	const char *cmd = "show running-config";
	const struct host *ios;
	struct fleet f;

	fleet_start(&f, fargs);
	ios = host_of(&f, "ios", 0);
	snprintf(a, sizeof(a), "%s/a", fo_test_dir());
	snprintf(b, sizeof(b), "%s/b", fo_test_dir());
	{
		const char *args[] = { "-c", cmd, "--out", a, NULL };

		free(run_want(&f, 0, args));
	}
	{
		const char *args[] = { "-c", cmd, "--compare", a, "--fail-on-change", NULL };

		out = run_want(&f, 0, args); /* nothing changed yet */
		CHECK_HAS(out, "0 hosts changed; outputs: 0 changed, 0 new, 4 unchanged, 0 gone");
		free(out);
	}
	snprintf(cfg, sizeof(cfg), "%s/change.cfg", fo_test_dir());
	fo_test_write(cfg, "snmp-server location rack-42\n", 29);
	{
		const char *args[] = { "--limit", ios->name, "--config", cfg, NULL };

		free(run_want(&f, 0, args));
	}
	{
		const char *args[] = { "-c", cmd, "--compare", a, "--out", b, NULL };

		out = run_want(&f, 0, args); /* changes alone do not fail a run */
		CHECK_HAS(out, "1 hosts changed; outputs: 1 changed, 0 new, 3 unchanged, 0 gone");
		CHECK_HAS(out, "\"change\":\"changed\"");
		CHECK_HAS(out, "\"change\":\"unchanged\"");
		free(out);
	}
	snprintf(path, sizeof(path), "%s/%s/show+running-config.diff", b, ios->name);
	diff = fo_test_read(path);
	CHECK(diff != NULL);
	CHECK_HAS(diff, "\n+snmp-server location rack-42\n");
	CHECK(!strncmp(diff, "--- a/", 6));
	free(diff);
	for (size_t k = 0; k < f.nh; k++) {
		snprintf(path, sizeof(path), "%s/%s/show+running-config.diff", b, f.h[k].name);
		CHECK_EQ(access(path, F_OK) == 0, &f.h[k] == ios);
	}
	{
		const char *args[] = { "-c", cmd, "--compare", a, "--fail-on-change", NULL };

		out = run_want(&f, 1, args);
		CHECK_HAS(out, "\"change\":\"changed\"");
		CHECK_HAS(out, "\"diff\":\"--- a/");
		free(out);
	}
	{
		/* IOS also says when and how big: those lines always change */
		const char *args[] = { "-c", cmd, "--compare", a, "--fail-on-change", "--ignore", "^snmp-server location",
				       "--ignore", "^Current configuration :", "--ignore", "^! Last configuration change",
				       NULL };

		out = run_want(&f, 0, args);
		CHECK_HAS(out, "0 hosts changed");
		free(out);
	}
	{
		const char *args[] = { "-c", cmd, "--compare", fo_test_dir(), NULL };

		out = run_want(&f, 2, args);
		CHECK_HAS(out, "is not a fanout --out tree");
		free(out);
	}
	fleet_stop(&f);
}

/* --gather: each distinct output once, its hosts folded exactly as
 * ClusterShell's `nodeset -f` folds them, largest group first; in --json a
 * line per group. */
TEST_PROC(devices_e2e_gather, 120)
{
	static const char *const fargs[] = { "-n", "12", "--platforms", "ios:2,eos,nxos", NULL };
	const char *args[] = { "-c", "show clock", "--gather", NULL };
	char *out, *p;
	size_t groups = 0, hosts = 0, last = SIZE_MAX;
	struct fleet f;

	if (access("/usr/bin/nodeset", X_OK) < 0) {
		fprintf(stderr, "skipped: no /usr/bin/nodeset (ClusterShell)\n");
		exit(77);
	}
	fleet_start(&f, fargs);
	out = run_want(&f, 0, args); /* --json (run_argv): a line per group */
	for (p = out; (p = strstr(p, "{\"command\":\"show clock\",\"hosts\":\"")); p++) {
		char *h = p + strlen("{\"command\":\"show clock\",\"hosts\":\""), *q = strchr(h, '"'), *nodes;
		const char *nargv[] = { "/usr/bin/nodeset", "-f", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL };
		size_t count = strtoul(strstr(q, "\"count\":") + 8, NULL, 10), k, n = 0;
		char names[8][32], *folded;

		CHECK(q && count > 0 && count <= 8);
		CHECK(count <= last); /* largest first */
		last = count;
		*q = '\0';
		/* what nodeset -f makes of the same names (expanded by nodeset -e) */
		{
			const char *eargv[] = { "/usr/bin/nodeset", "-e", h, NULL };
			char *tok, *save = NULL;

			CHECK_EQ(fo_test_run(&nodes, 30, eargv), 0);
			for (tok = strtok_r(nodes, " \n", &save); tok && n < 8; tok = strtok_r(NULL, " \n", &save)) {
				snprintf(names[n], sizeof(names[n]), "%s", tok);
				nargv[2 + n] = names[n];
				n++;
			}
			free(nodes);
		}
		CHECK_EQ(n, count);
		/* one platform's clock: its hosts, all of one platform */
		for (k = 0; k < n; k++) {
			const struct host *a = NULL, *b = NULL;

			for (size_t j = 0; j < f.nh; j++) {
				a = !strcmp(f.h[j].name, names[0]) ? &f.h[j] : a;
				b = !strcmp(f.h[j].name, names[k]) ? &f.h[j] : b;
			}
			CHECK(a && b && !strcmp(a->plat, b->plat));
		}
		CHECK_EQ(fo_test_run(&folded, 30, nargv), 0);
		folded[strcspn(folded, "\n")] = '\0';
		CHECK_STR(h, folded);
		free(folded);
		groups++;
		hosts += count;
		p = q;
	}
	CHECK_EQ(hosts, f.nh); /* every host in one group */
	CHECK(groups >= 2 && groups <= 3);
	free(out);
	fleet_stop(&f);
}
