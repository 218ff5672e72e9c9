/*
 * SCP on a simulated device, as network devices take it: an exec request
 * `scp -t PATH` (the device is the sink: an upload) or `scp -f PATH` (the
 * source: a download), then the classic protocol on the channel
 * (OpenSSH's scp.c is its only definition): the sink says \0 when ready;
 * the source sends `T<mtime> 0 <atime> 0\n` (with -p) and `C<mode> <size>
 * <name>\n`, each answered \0, then size bytes and a \0, answered \0; an
 * error is \1 (or \2, fatal) and a line of text instead of the \0. Exit
 * status 0 when every file went, 1 otherwise.
 *
 * The files are the device's store (files.c): one flat folder, so PATH is
 * a file of it ("flash:x.bin", "/var/tmp/x.bin", "x.bin") or the store
 * itself ("flash:", "/var/tmp"), the C line's name then naming the file.
 * No recursion (D/E lines are refused), one PATH. Faults: corrupt flips
 * the middle byte of every file taken or sent; diskfull is the store's.
 *
 * Pure state, no IO: server.c feeds the channel's bytes and sends what
 * comes out, as it does for the engine's sessions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"
#include "server_int.h"

#define LINE_MAX_SCP 1024
#define SCP_TIME "1741079700" /* the engine's clock: 2025-03-04 09:15:00 UTC */

enum st { ST_LINE, ST_DATA, ST_READY, ST_T_ACK, ST_C_ACK, ST_DATA_ACK, ST_DONE };

struct fo__scp {
	struct fo_dev *d;
	bool sink, times;
	enum st st;
	char path[FO__DEV_LINE_MAX + 1];
	char target[FO__DEV_LINE_MAX + 1]; /* sink: the file the data goes to */
	struct fo_sbuf line;
	char *data;                        /* sink: the file as it comes */
	size_t size, got;
	int status;
};

/* The command's words, unquoted as a POSIX shell would ('...', "...",
 * backslash), into buf; at most max words. -1 when a quote is left open. */
static int split(const char *cmd, char *buf, size_t cap, char **w, int max)
{
	const char *p = cmd;
	size_t n = 0;
	int k = 0;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return k;
		if (k == max)
			return -1;
		w[k++] = buf + n;
		while (*p && *p != ' ' && *p != '\t') {
			if (n + 2 >= cap)
				return -1;
			if (*p == '\'') {
				for (p++; *p && *p != '\''; p++)
					if (n + 2 < cap)
						buf[n++] = *p;
				if (!*p++)
					return -1;
			} else if (*p == '"') {
				for (p++; *p && *p != '"'; p++) {
					if (*p == '\\' && (p[1] == '"' || p[1] == '\\' || p[1] == '$' || p[1] == '`'))
						p++;
					if (n + 2 < cap)
						buf[n++] = *p;
				}
				if (!*p++)
					return -1;
			} else {
				if (*p == '\\' && p[1])
					p++;
				buf[n++] = *p++;
			}
		}
		buf[n++] = 0;
	}
}

static void fail(struct fo__scp *sp, const char *msg, struct fo_sbuf *out)
{
	fo_sbuf_adds(out, "\1");
	fo_sbuf_adds(out, msg);
	fo_sbuf_adds(out, "\n");
	sp->status = 1;
	sp->st = ST_DONE;
}

/* The store itself, not a file of it: "flash:", "flash:/", "/var/tmp". */
static bool is_store(const char *path)
{
	static const char *const v[] = { "flash:", "flash:/", "bootflash:", "bootflash:/", "disk0:", "disk0:/",
					 "harddisk:", "harddisk:/", "/var/tmp", "/var/tmp/", "/mnt/flash",
					 "/mnt/flash/", "/bootflash", "/bootflash/", ".", "", NULL };
	size_t i;

	for (i = 0; v[i]; i++)
		if (!strcmp(path, v[i]))
			return true;
	return false;
}

static void corrupt(const struct fo__scp *sp, char *p, size_t n)
{
	if (fo_dev_fault(sp->d) == FO_DEV_CORRUPT && n)
		p[n / 2] ^= 0x20;
}

/* The source's C line (after T's ack, or at once). */
static void send_c(struct fo__scp *sp, struct fo_sbuf *out)
{
	char name[FO__DEV_FILE_NAME_MAX + 1], err[300];
	size_t len = 0;

	if (!fo_dev_file_get(sp->d, sp->path, &len, err, sizeof(err))) {
		fail(sp, err, out);
		return;
	}
	fo_dev_file_name(sp->d, sp->path, name, sizeof(name));
	fo__addf(out, "C0644 %zu %s\n", len, name);
	sp->st = ST_C_ACK;
}

int fo__scp_start(struct fo__scp **spp, struct fo_dev *d, const char *cmd, struct fo_sbuf *out)
{
	char buf[FO__DEV_LINE_MAX + 8], *w[8];
	int n = split(cmd, buf, sizeof(buf), w, 8), i, dir = 0;
	bool times = false;
	struct fo__scp *sp;
	const char *path = NULL;

	*spp = NULL;
	if (n < 1 || strcmp(w[0], "scp"))
		return 1;
	for (i = 1; i < n; i++) {
		const char *f = w[i];

		if (f[0] != '-' || path) {
			if (path)
				dir = -1; /* two paths */
			path = f;
			continue;
		}
		if (!strcmp(f, "--")) {
			if (i + 1 < n)
				path = w[++i];
			continue;
		}
		for (f++; *f; f++)
			if (*f == 't' || *f == 'f')
				dir = dir ? -1 : *f;
			else if (*f == 'p')
				times = true;
			else if (*f != 'v' && *f != 'd' && *f != 'q')
				dir = -1; /* -r, or a flag the device has not */
	}
	if (!(sp = calloc(1, sizeof(*sp))))
		return -1;
	*spp = sp;
	sp->d = d;
	sp->times = times;
	sp->sink = dir == 't';
	snprintf(sp->path, sizeof(sp->path), "%s", path ? path : "");
	if (n < 0 || dir <= 0 || !path) {
		fail(sp, "scp: usage: scp [-p] -t|-f PATH (one file; no -r)", out);
		return 0;
	}
	if (sp->sink) {
		fo_sbuf_add(out, "", 1);
		sp->st = ST_LINE;
	} else {
		sp->st = ST_READY;
	}
	return 0;
}

/* A line the sink got: T, C, or what it refuses. */
static void sink_line(struct fo__scp *sp, char *l, struct fo_sbuf *out)
{
	char err[300], *end;
	unsigned long long size;
	const char *name;

	if (l[0] == 'T') {
		fo_sbuf_add(out, "", 1);
		return;
	}
	if (l[0] == '\1' || l[0] == '\2') { /* the source's own error */
		sp->status = 1;
		if (l[0] == '\2')
			sp->st = ST_DONE;
		return;
	}
	if (l[0] == 'D' || l[0] == 'E') {
		fail(sp, "scp: recursive copies are not supported", out);
		return;
	}
	if (l[0] != 'C' || strspn(l + 1, "01234567") != 4 || l[5] != ' ') {
		fail(sp, "scp: protocol error: expected a C line", out);
		return;
	}
	size = strtoull(l + 6, &end, 10);
	if (end == l + 6 || *end != ' ' || !end[1]) {
		fail(sp, "scp: protocol error: bad C line", out);
		return;
	}
	name = end + 1;
	if (is_store(sp->path))
		snprintf(sp->target, sizeof(sp->target), "%s%s", fo__files_fs(sp->d), name);
	else
		snprintf(sp->target, sizeof(sp->target), "%s", sp->path);
	if (fo_dev_file_can_put(sp->d, sp->target, size, err, sizeof(err)) < 0) {
		fail(sp, err, out);
		return;
	}
	sp->size = (size_t)size;
	sp->got = 0;
	sp->data = malloc(sp->size + 1);
	if (!sp->data) {
		fail(sp, "scp: out of memory", out);
		return;
	}
	fo_sbuf_add(out, "", 1);
	sp->st = ST_DATA;
}

/* The sink has the file's bytes and its \0: into the store. */
static void sink_store(struct fo__scp *sp, struct fo_sbuf *out)
{
	char err[300];
	char *data = sp->data;

	sp->data = NULL;
	corrupt(sp, data, sp->size);
	if (fo_dev_file_put(sp->d, sp->target, data, sp->size, err, sizeof(err)) < 0) {
		fail(sp, err, out);
		return;
	}
	fo_sbuf_add(out, "", 1);
	sp->st = ST_LINE;
}

/* One byte the source waited for: \0 goes on, anything else ends it. */
static void source_ack(struct fo__scp *sp, char c, struct fo_sbuf *out)
{
	if (c != 0) {
		sp->status = 1;
		sp->st = ST_DONE;
		return;
	}
	switch (sp->st) {
	case ST_READY:
		if (sp->times) {
			fo_sbuf_adds(out, "T" SCP_TIME " 0 " SCP_TIME " 0\n");
			sp->st = ST_T_ACK;
		} else {
			send_c(sp, out);
		}
		break;
	case ST_T_ACK:
		send_c(sp, out);
		break;
	case ST_C_ACK: {
		char err[300];
		size_t len = 0, at = out->len;
		const char *p = fo_dev_file_get(sp->d, sp->path, &len, err, sizeof(err));

		if (!p) {
			fail(sp, err, out);
			break;
		}
		fo_sbuf_add(out, p, len);
		fo_sbuf_add(out, "", 1);
		if (!out->oom)
			corrupt(sp, out->p + at, len);
		sp->st = ST_DATA_ACK;
		break;
	}
	case ST_DATA_ACK:
		sp->st = ST_DONE;
		break;
	default:
		break;
	}
}

int fo__scp_input(struct fo__scp *sp, const char *in, size_t len, bool eof, struct fo_sbuf *out, int *status)
{
	size_t i = 0;

	while (i < len && sp->st != ST_DONE) {
		if (sp->st == ST_DATA) {
			size_t k = len - i;

			if (sp->got < sp->size) {
				if (k > sp->size - sp->got)
					k = sp->size - sp->got;
				memcpy(sp->data + sp->got, in + i, k);
				sp->got += k;
				i += k;
				continue;
			}
			if (in[i++] != 0) {
				free(sp->data);
				sp->data = NULL;
				fail(sp, "scp: protocol error: no end of file mark", out);
				break;
			}
			sink_store(sp, out);
		} else if (sp->st == ST_LINE) {
			const char *nl = memchr(in + i, '\n', len - i);
			size_t k = nl ? (size_t)(nl - (in + i)) : len - i;

			if (sp->line.len + k > LINE_MAX_SCP) {
				fail(sp, "scp: protocol error: line too long", out);
				break;
			}
			fo_sbuf_add(&sp->line, in + i, k);
			i += k;
			if (!nl)
				break;
			i++;
			fo_sbuf_add(&sp->line, "", 1);
			if (sp->line.oom) {
				fail(sp, "scp: out of memory", out);
				break;
			}
			sink_line(sp, sp->line.p, out);
			sp->line.len = 0;
		} else {
			source_ack(sp, in[i++], out);
		}
	}
	if (eof && sp->st != ST_DONE) {
		if ((sp->st != ST_LINE || sp->line.len) && sp->st != ST_DATA_ACK)
			sp->status = 1; /* cut short */
		sp->st = ST_DONE;
	}
	*status = sp->status;
	return sp->st == ST_DONE;
}

void fo__scp_free(struct fo__scp *sp)
{
	if (!sp)
		return;
	free(sp->data);
	free(sp->line.p);
	free(sp);
}
