/*
 * fleet_expect: checks what `fanout run --out DIR` wrote for a fleet of
 * `fanout devices` against what the simulator's engine says each device
 * sent, byte for byte.
 *
 *   fleet_expect [--config PLATFORM=FILE]... --out DIR --cmds PLATFORM=FILE... INVENTORY...
 *   fleet_expect --print ADDR PLATFORM COMMAND    (one expected output, on stdout)
 *
 * Every device's outputs are a function of (address, platform) (src/devices/
 * README.md), so this program makes each device of the inventories (nornir
 * hosts.yaml as `fanout devices -i` writes them) with the same engine, runs
 * the platform's commands on it and compares each output with
 * DIR/HOST/COMMAND.txt, the file name escaped as `fanout run --out` does.
 * The expectation is made as `fanout run --shell` shows an output: without
 * the echo and the prompt, \r\n turned into \n. It is taken from the
 * engine's exec mode, which prints the same bytes at the privileged level
 * with paging off, the level and paging fanout run's setup puts a shell in.
 *
 * --config PLATFORM=FILE: before the commands, a device of that platform
 * is configured with FILE's lines in a shell session of the engine (enable,
 * configure, the lines, then write memory or commit), so that `show
 * running-config` / `show configuration` expect the configured device: the
 * check that a configuration run left every device as intended.
 *
 * Output: one line per mismatch or missing file (the first 20), then a
 * summary line "fleet_expect: hosts H, outputs N, bytes B, ok K, mismatched
 * M, missing X"; exit 0 when every output matched, 1 otherwise, 2 on bad
 * usage. Linked against the engine's objects (build/obj/src/devices/).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/devices/engine.h"
#include "../../src/util/sbuf.h"

#define MAXCMDS 64
#define MAXLINES 256

struct list {
	char *v[MAXLINES];
	int n;
};

static struct list cmds[FO_DEV_NPLATFORMS];
static struct list conf[FO_DEV_NPLATFORMS];
static int have_conf[FO_DEV_NPLATFORMS];
static long n_hosts, n_out, n_ok, n_bad, n_missing, n_reported;
static unsigned long long n_bytes;

static void die(const char *msg, const char *what)
{
	fprintf(stderr, "fleet_expect: %s '%s'\n", msg, what);
	exit(2);
}

static void read_list(const char *path, struct list *l)
{
	FILE *f = fopen(path, "r");
	char line[4096];

	if (!f)
		die("cannot read", path);
	while (fgets(line, sizeof(line), f)) {
		size_t n = strcspn(line, "\r\n");

		line[n] = 0;
		if (!n || line[0] == '#' || line[0] == '!')
			continue;
		if (l->n == MAXLINES)
			die("too many lines in", path);
		l->v[l->n++] = strdup(line);
	}
	fclose(f);
}

static void platform_arg(const char *arg, struct list *lists, int *have)
{
	const char *eq = strchr(arg, '=');
	char name[32];
	int p;

	if (!eq || (size_t)(eq - arg) >= sizeof(name))
		die("expected PLATFORM=FILE, not", arg);
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = 0;
	p = fo_dev_platform_parse(name);
	if (p < 0)
		die("unknown platform", name);
	read_list(eq + 1, &lists[p]);
	if (have)
		have[p] = 1;
}

/* As fanout run --out names a file: quote_plus, a leading '.' as %2E. */
static void escape(const char *s, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (size_t i = 0; s[i] && o + 4 < cap; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == ' ')
			out[o++] = '+';
		else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			 c == '-' || c == '_' || (c == '.' && i > 0))
			out[o++] = (char)c;
		else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = 0;
}

/* \r\n (and a lone \r before \n) to \n, in place; returns the new length. */
static size_t crlf(char *b, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (b[i] == '\r' && i + 1 < n && b[i + 1] == '\n')
			continue;
		b[o++] = b[i];
	}
	return o;
}

static char *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	char *b;
	size_t got = 0;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return NULL;
	}
	b = malloc((size_t)st.st_size + 1);
	while (b && got < (size_t)st.st_size) {
		ssize_t r = read(fd, b + got, (size_t)st.st_size - got);

		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	*len = got;
	return b;
}

/* Types the configuration into a shell session of the engine, as a
 * client would: to the configuration level, the lines, then saved or
 * committed. */
static void configure(struct fo_dev *d, const struct list *l)
{
	struct fo_sbuf out = { 0 };
	struct fo_dev_sess *s = fo_dev_sess_open(d, false, &out);
	enum fo_dev_platform p = fo_dev_platform(d);
	char line[4200];

	if (!s)
		die("out of memory configuring", fo_dev_name(d));
#define TYPE(str) fo_dev_sess_input(s, (str), strlen(str), &out)
	if (p == FO_DEV_IOS || p == FO_DEV_EOS) {
		TYPE("enable\r");
		TYPE("enable\r");
	}
	TYPE(p == FO_DEV_JUNOS || p == FO_DEV_IOSXR ? "configure\r" : "configure terminal\r");
	for (int i = 0; i < l->n; i++) {
		snprintf(line, sizeof(line), "%s\r", l->v[i]);
		TYPE(line);
	}
	if (p == FO_DEV_JUNOS || p == FO_DEV_IOSXR) {
		TYPE("commit\r");
		TYPE("end\r");
	} else {
		TYPE("end\r");
		TYPE(p == FO_DEV_NXOS ? "copy running-config startup-config\r" : "write memory\r");
	}
#undef TYPE
	fo_dev_sess_close(s);
	free(out.p);
}

/* A shell session of the engine as fanout run --shell leaves it before
 * the commands: at the privileged level (enable and its secret where the
 * platform has them) and paging off (the platforms' on-open setup). */
static struct fo_dev_sess *shell_open(struct fo_dev *d)
{
	struct fo_sbuf out = { 0 };
	struct fo_dev_sess *s = fo_dev_sess_open(d, false, &out);
	enum fo_dev_platform p = fo_dev_platform(d);
	const char *setup = p == FO_DEV_JUNOS ? "set cli screen-length 0\r" : "terminal length 0\r";

	if (!s)
		die("out of memory for", fo_dev_name(d));
	if (p == FO_DEV_IOS || p == FO_DEV_EOS) {
		fo_dev_sess_input(s, "enable\r", 7, &out);
		fo_dev_sess_input(s, "enable\r", 7, &out);
	}
	fo_dev_sess_input(s, setup, strlen(setup), &out);
	free(out.p);
	return s;
}

/* One command typed into the shell; out gets what fanout run --shell
 * keeps of the reply: the echoed line and the prompt (the last line) cut,
 * \r\n as \n. Returns the length. */
static size_t shell_cmd(struct fo_dev_sess *s, const char *cmd, struct fo_sbuf *out)
{
	struct fo_sbuf raw = { 0 };
	char line[4200], *nl, *last;

	snprintf(line, sizeof(line), "%s\r", cmd);
	fo_dev_sess_input(s, line, strlen(line), &raw);
	if (raw.oom)
		die("out of memory running", cmd);
	nl = memchr(raw.p, '\n', raw.len);
	last = raw.p + raw.len;
	while (last > raw.p && last[-1] != '\n')
		last--;
	if (!nl || last <= nl) {
		free(raw.p);
		return 0;
	}
	fo_sbuf_add(out, nl + 1, (size_t)(last - nl - 1));
	free(raw.p);
	if (out->oom)
		die("out of memory running", cmd);
	return out->len = crlf(out->p, out->len);
}

static void check_host(const char *name, const char *addr, const char *plat, const char *dir)
{
	struct in_addr a;
	int p = fo_dev_platform_parse(plat);
	struct fo_dev_fleet_cfg cfg = { .user = "admin", .secret = "enable" };
	struct fo_dev *d;
	struct fo_dev_sess *s;
	char ename[600], ecmd[600], path[2048];

	if (p < 0 || inet_pton(AF_INET, addr, &a) != 1)
		die("bad host in inventory", name);
	d = fo_dev_new(ntohl(a.s_addr), (enum fo_dev_platform)p, FO_DEV_OK, &cfg);
	if (!d)
		die("out of memory for", name);
	if (have_conf[p])
		configure(d, &conf[p]);
	s = shell_open(d);
	escape(name, ename, sizeof(ename));
	n_hosts++;
	for (int i = 0; i < cmds[p].n; i++) {
		struct fo_sbuf want = { 0 };
		size_t wlen, glen = 0;
		char *got;
		int same;

		wlen = shell_cmd(s, cmds[p].v[i], &want);
		escape(cmds[p].v[i], ecmd, sizeof(ecmd));
		snprintf(path, sizeof(path), "%s/%s/%s.txt", dir, ename, ecmd);
		got = slurp(path, &glen);
		n_out++;
		if (!got) {
			n_missing++;
			if (n_reported++ < 20)
				printf("missing %s: %s\n", path, strerror(errno));
			free(want.p);
			continue;
		}
		same = glen == wlen && !memcmp(got, want.p, wlen);
		n_bytes += glen;
		if (same)
			n_ok++;
		else {
			size_t k = 0;

			while (k < glen && k < wlen && got[k] == want.p[k])
				k++;
			n_bad++;
			if (n_reported++ < 20)
				printf("mismatch %s: %zu bytes, expected %zu, first difference at byte %zu\n",
				       path, glen, wlen, k);
		}
		free(got);
		free(want.p);
	}
	fo_dev_sess_close(s);
	fo_dev_free(d);
}

/* The nornir hosts.yaml `fanout devices -i` writes: a name at column 0,
 * then its keys indented; only hostname and platform are read. */
static void check_inventory(const char *path, const char *dir)
{
	FILE *f = fopen(path, "r");
	char line[1024], name[512] = "", addr[64] = "", plat[32] = "";

	if (!f)
		die("cannot read", path);
	for (;;) {
		char *ok = fgets(line, sizeof(line), f);
		size_t n;

		if (!ok || (line[0] != ' ' && line[0] != '#' && strncmp(line, "---", 3))) {
			if (name[0] && addr[0] && plat[0] && cmds[fo_dev_platform_parse(plat) < 0 ? 0 : fo_dev_platform_parse(plat)].n)
				check_host(name, addr, plat, dir);
			name[0] = addr[0] = plat[0] = 0;
			if (!ok)
				break;
			n = strcspn(line, ":\r\n");
			if (n < sizeof(name)) {
				memcpy(name, line, n);
				name[n] = 0;
			}
			continue;
		}
		if (sscanf(line, "  hostname: %63s", addr) == 1 || sscanf(line, "  platform: %31s", plat) == 1)
			continue;
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	const char *dir = NULL;
	int i = 1;

	if (argc == 5 && !strcmp(argv[1], "--print")) {
		struct in_addr a;
		int p = fo_dev_platform_parse(argv[3]);
		struct fo_dev_fleet_cfg cfg = { .user = "admin", .secret = "enable" };
		struct fo_sbuf out = { 0 };
		struct fo_dev *d;
		struct fo_dev_sess *s;

		if (p < 0 || inet_pton(AF_INET, argv[2], &a) != 1)
			die("expected --print ADDR PLATFORM COMMAND, not", argv[2]);
		d = fo_dev_new(ntohl(a.s_addr), (enum fo_dev_platform)p, FO_DEV_OK, &cfg);
		s = shell_open(d);
		shell_cmd(s, argv[4], &out);
		fwrite(out.p, 1, out.len, stdout);
		return 0;
	}
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "--out") && i + 1 < argc)
			dir = argv[++i];
		else if (!strcmp(argv[i], "--cmds") && i + 1 < argc)
			platform_arg(argv[++i], cmds, NULL);
		else if (!strcmp(argv[i], "--config") && i + 1 < argc)
			platform_arg(argv[++i], conf, have_conf);
		else if (argv[i][0] == '-')
			die("unknown option", argv[i]);
		else
			break;
	}
	if (!dir || i == argc) {
		fprintf(stderr, "usage: fleet_expect [--config PLATFORM=FILE]... --out DIR --cmds PLATFORM=FILE... INVENTORY...\n"
				"       fleet_expect --print ADDR PLATFORM COMMAND\n");
		return 2;
	}
	for (; i < argc; i++)
		check_inventory(argv[i], dir);
	printf("fleet_expect: hosts %ld, outputs %ld, bytes %llu, ok %ld, mismatched %ld, missing %ld\n",
	       n_hosts, n_out, n_bytes, n_ok, n_bad, n_missing);
	return n_ok == n_out && n_out ? 0 : 1;
}
