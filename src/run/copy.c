/*
 * The copy task over one logged-in session (copy.h): push or pull one
 * file by SFTP or SCP, then check it and put it in place.
 *
 * Push: SFTP opens `.NAME.fanout-tmp-XXXXXXXX` beside the target with
 * O_EXCL, writes LOCAL's bytes (libssh2 pipelines up to 1 MiB of writes
 * in flight), sets LOCAL's permission bits, reads the size back, closes;
 * SCP sends the same temporary name (the target itself on hosts without a
 * shell: SCP cannot rename) and reads the sink's answer and exit status,
 * where a full disk or a refusal is said. Then, on hosts with a shell,
 * `sha256sum 'TMP'` is compared with LOCAL's; only then the rename (SFTP
 * rename; if the target exists, which SFTP v3 refuses, `mv -f` through
 * the shell, else remove then rename). Any failure removes the temporary
 * file (best effort, within the same bounds), so the final name holds
 * either what it held or the whole new file.
 *
 * Pull: the file is read (SFTP, with its size from fstat; SCP, with the
 * size the source announces) into DIR/HOST/.NAME.tmp-PID-N through
 * fo__wfile (src/util/file.h), hashed as it comes; the size is checked,
 * and the hash against `sha256sum` on hosts with a shell; then renamed.
 *
 * Every wait is bounded: each by --command-timeout (a transfer that keeps
 * moving is not cut), the whole host by --host-timeout.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libssh2_sftp.h>
#include <stdarg.h>
#include <stdint.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fanout/runtime.h"
#include "../util/file.h"
#include "../util/sbuf.h"
#include "../util/shquote.h"
#include "copy.h"

#define CHUNK ((size_t)1 << 20) /* libssh2 keeps this much of a write in flight */
#define RBUF  ((size_t)64 << 10)

/* One host's copy in progress. */
struct cp {
	const struct fo_copy_io *io;
	const struct fo_copy_host *ch;
	LIBSSH2_SFTP *sftp;
	char tmp[4096];       /* the remote temporary name, or "" */
	char err[512];        /* the failure, said once at the end */
	enum fo_ssh_status st;
	const char *verified; /* "size+sha256", "size", "none" */
	char got_sha[65];     /* the host's sha256sum, or "" */
	uint64_t bytes;
};

static const char *const sftp_words[] = {
	"ok", "end of file", "no such file", "permission denied", "failure", "bad message",
	"no connection", "connection lost", "operation unsupported", "invalid handle",
	"no such path", "file already exists", "write protected", "no media",
	"no space on filesystem", "quota exceeded", "unknown principal", "lock conflict",
	"directory not empty", "not a directory", "invalid filename", "link loop",
};

/* ---- waits and errors ----------------------------------------------------------- */

static bool failed(struct cp *c)
{
	return c->err[0] || c->io->broken(c->io->arg);
}

static void cp_fail(struct cp *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cp_fail(struct cp *c, const char *fmt, ...)
{
	va_list ap;

	if (c->err[0])
		return; /* the first failure is the one said */
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	c->st = FO_SSH_FAILED;
}

/* libssh2 said EAGAIN: wait, a fresh --command-timeout each time. 0, or
 * -1 with the session ended. */
static int again(struct cp *c)
{
	const struct fo_copy_io *io = c->io;
	int r = io->wait(io->arg, io->deadline(io->arg, io->timeout));

	if (r < 0) {
		io->wait_failed(io->arg, r, "copy");
		return -1;
	}
	return 0;
}

static const char *ssh_err(struct cp *c)
{
	char *msg = NULL;

	libssh2_session_last_error(c->io->s, &msg, NULL, 0);
	return msg && *msg ? msg : "unknown libssh2 error";
}

/* An SFTP call failed: the server's status as its words, else libssh2's. */
static void sftp_fail(struct cp *c, const char *what, const char *path)
{
	unsigned long e = c->sftp ? libssh2_sftp_last_error(c->sftp) : 0;

	if (libssh2_session_last_errno(c->io->s) == LIBSSH2_ERROR_SFTP_PROTOCOL && e &&
	    e < sizeof(sftp_words) / sizeof(sftp_words[0]))
		cp_fail(c, "sftp %s '%s': %s%s", what, path, sftp_words[e],
			e == 4 ? " (SFTP v3 servers say no more: a full disk, for one)" : "");
	else
		cp_fail(c, "sftp %s '%s': %s", what, path, ssh_err(c));
}

/* ---- names and hashes -------------------------------------------------------------- */

void fo__copy_sha256(const void *p, size_t n, char hex[65])
{
	unsigned char md[32];
	unsigned int ml = 0;
	size_t i;

	EVP_Digest(p, n, md, &ml, EVP_sha256(), NULL);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	hex[64] = 0;
}

/* The temporary name beside the target: DIR/.NAME.fanout-tmp-XXXXXXXX,
 * random enough that two runs (or hosts sharing a disk) do not meet;
 * O_EXCL catches the rest. 0, or -1 when too long. */
static int tmp_name(struct cp *c)
{
	const char *r = c->ch->job->remote, *slash = strrchr(r, '/');
	unsigned long x = (unsigned long)fo_now() ^ ((unsigned long)getpid() << 16) ^ (unsigned long)(uintptr_t)c;
	size_t dl = slash ? (size_t)(slash - r) + 1 : 0;
	int n;

	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9UL;
	x ^= x >> 32;
	n = snprintf(c->tmp, sizeof(c->tmp), "%.*s.%s.fanout-tmp-%08lx", (int)dl, r, slash ? slash + 1 : r,
		     x & 0xffffffffUL);
	if (n < 0 || (size_t)n >= sizeof(c->tmp)) {
		c->tmp[0] = 0;
		cp_fail(c, "the remote path '%s' is too long", r);
		return -1;
	}
	return 0;
}

/* ---- commands on the host's shell ----------------------------------------------------- */

/* `WORDS 'ARG1' ['ARG2']` on an exec channel: 0 when it exited 0 (its
 * output in *out, heap, when out is not NULL), else -1 with the failure
 * recorded (why: what it was for). */
static int sh(struct cp *c, const char *words, const char *a1, const char *a2, const char *why, char **out)
{
	struct fo_sbuf cmd = { 0 };
	struct fo_ssh_res res = { .exit_code = -1 };
	int ret = -1;

	fo_sbuf_adds(&cmd, words);
	fo_sbuf_adds(&cmd, " ");
	fo__sh_quote(&cmd, a1);
	if (a2) {
		fo_sbuf_adds(&cmd, " ");
		fo__sh_quote(&cmd, a2);
	}
	if (cmd.oom) {
		cp_fail(c, "out of memory");
		goto out;
	}
	c->io->exec(c->io->arg, cmd.p, &res);
	if (c->io->broken(c->io->arg))
		goto out;
	if (res.status != FO_SSH_OK) {
		cp_fail(c, "%s: %s", why, res.error ? res.error : "failed");
		goto out;
	}
	if (out) {
		*out = res.out;
		res.out = NULL;
	}
	ret = 0;
out:
	fo_ssh_results_release(&res, 1);
	free(cmd.p);
	return ret;
}

/* The host's SHA-256 of path into c->got_sha, compared with want: 0 when
 * they agree (c->verified says so), -1 with the failure recorded. */
static int remote_sha(struct cp *c, const char *path, const char *want)
{
	char *out = NULL;
	size_t i;

	if (sh(c, "sha256sum --", path, NULL, "sha256sum on the host", &out) < 0)
		return -1;
	for (i = 0; i < 64 && out[i] && strchr("0123456789abcdef", out[i]); i++)
		;
	if (i != 64) {
		cp_fail(c, "sha256sum on the host: unexpected answer '%.80s'", out);
		free(out);
		return -1;
	}
	memcpy(c->got_sha, out, 64);
	c->got_sha[64] = 0;
	free(out);
	if (strcmp(c->got_sha, want)) {
		cp_fail(c, "sha256 mismatch: the host has %s, expected %s", c->got_sha, want);
		return -1;
	}
	c->verified = "size+sha256";
	return 0;
}

/* ---- the device's CLI: its own digest command ---------------------------------------- */

/* A path the device's CLI takes as one word: it has no quoting, so only
 * these bytes (a space, |, ;, ? or a quote would change the command). */
static bool cli_word(const char *p)
{
	for (; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:/+@=,~-", *p))
			return false;
	return true;
}

/* The first word of exactly 64 hex digits in out, into hex (lowercase):
 * true when there is one. */
static bool find_sha(const char *out, char hex[65])
{
	const char *p = out;

	while ((p = strpbrk(p, "0123456789abcdefABCDEF"))) {
		size_t n = strspn(p, "0123456789abcdefABCDEF"), i;

		if (n == 64 && (p == out || !isalnum((unsigned char)p[-1])) && !isalnum((unsigned char)p[64])) {
			for (i = 0; i < 64; i++)
				hex[i] = (char)tolower((unsigned char)p[i]);
			hex[64] = 0;
			return true;
		}
		p += n;
	}
	return false;
}

/* The platform's copy-verify at the device's CLI ({file} the remote
 * path), its SHA-256 compared with want: 0 when they
 * agree (c->verified says what was checked), -1 with the failure
 * recorded, the device's words in it. */
static int device_sha(struct cp *c, const char *want, const char *verified)
{
	const char *tpl = c->ch->verify, *r = c->ch->job->remote, *at = strstr(tpl, "{file}");
	struct fo_ssh_res res = { .exit_code = -1 };
	char cmd[4200], got[65];
	int n, ret = -1;

	n = at ? snprintf(cmd, sizeof(cmd), "%.*s%s%s", (int)(at - tpl), tpl, r, at + 6)
	       : snprintf(cmd, sizeof(cmd), "%s %s", tpl, r);
	if (n < 0 || (size_t)n >= sizeof(cmd)) {
		cp_fail(c, "the remote path '%s' is too long", r);
		return -1;
	}
	c->io->cli(c->io->arg, cmd, &res);
	if (c->io->broken(c->io->arg))
		goto out; /* the session said why */
	if (res.status != FO_SSH_OK) {
		cp_fail(c, "'%s' on the device: %s", cmd, res.error ? res.error : "failed");
		goto out;
	}
	if (!res.out || !find_sha(res.out, got)) {
		const char *o = res.out ? res.out + strspn(res.out, "\r\n. ") : "";

		cp_fail(c, "'%s' on the device gave no SHA-256: '%.*s'", cmd, (int)strcspn(o, "\r\n"), o);
		goto out;
	}
	if (strcmp(got, want)) {
		cp_fail(c, "sha256 mismatch: the device has %s, %s %s", got,
			c->ch->job->dir == FO_COPY_PUSH ? "expected" : "what came has", want);
		goto out;
	}
	c->verified = verified;
	ret = 0;
out:
	fo_ssh_results_release(&res, 1);
	return ret;
}

/* ---- SFTP ----------------------------------------------------------------------------- */

static int sftp_start(struct cp *c)
{
	for (;;) {
		c->sftp = libssh2_sftp_init(c->io->s);
		if (c->sftp)
			return 0;
		if (libssh2_session_last_errno(c->io->s) != LIBSSH2_ERROR_EAGAIN) {
			cp_fail(c, "cannot start SFTP: %s (a host without SFTP takes --via scp)", ssh_err(c));
			return -1;
		}
		if (again(c) < 0)
			return -1;
	}
}

static LIBSSH2_SFTP_HANDLE *sftp_open(struct cp *c, const char *path, unsigned long flags, long mode)
{
	LIBSSH2_SFTP_HANDLE *fh;

	for (;;) {
		fh = libssh2_sftp_open_ex(c->sftp, path, (unsigned)strlen(path), flags, mode, LIBSSH2_SFTP_OPENFILE);
		if (fh)
			return fh;
		if (libssh2_session_last_errno(c->io->s) != LIBSSH2_ERROR_EAGAIN) {
			sftp_fail(c, "open", path);
			return NULL;
		}
		if (again(c) < 0)
			return NULL;
	}
}

/* rc = expr until it stops saying EAGAIN; a failed wait (the session
 * ended) makes rc WAITFAIL. */
#define WAITFAIL ((long)INT32_MIN)
#define CP_DO(c, rc, expr)                                             \
	do {                                                           \
		while (((rc) = (long)(expr)) == LIBSSH2_ERROR_EAGAIN)  \
			if (again(c) < 0) {                            \
				(rc) = WAITFAIL;                       \
				break;                                 \
			}                                              \
	} while (0)

static void sftp_close(struct cp *c, LIBSSH2_SFTP_HANDLE **fh, const char *path)
{
	long rc;

	if (!*fh)
		return;
	CP_DO(c, rc, libssh2_sftp_close_handle(*fh));
	*fh = NULL;
	if (rc < 0 && rc != WAITFAIL)
		sftp_fail(c, "close", path); /* a late write error (a full disk) shows here */
}

/* The whole of LOCAL's bytes to c->tmp, LOCAL's mode, the size read back. */
static void sftp_push_tmp(struct cp *c)
{
	const struct fo_copy_job *j = c->ch->job;
	LIBSSH2_SFTP_HANDLE *fh;
	LIBSSH2_SFTP_ATTRIBUTES a = { 0 };
	size_t off = 0;
	long rc;

	fh = sftp_open(c, c->tmp, LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_EXCL | LIBSSH2_FXF_TRUNC,
		       0600);
	if (!fh)
		return;
	while (off < j->size) {
		size_t n = j->size - off < CHUNK ? j->size - off : CHUNK;

		CP_DO(c, rc, libssh2_sftp_write(fh, (const char *)j->data + off, n));
		if (rc == WAITFAIL)
			goto out;
		if (rc <= 0) {
			sftp_fail(c, "write", c->tmp);
			goto out;
		}
		off += (size_t)rc;
	}
	c->bytes = off;
	a.flags = LIBSSH2_SFTP_ATTR_PERMISSIONS;
	a.permissions = j->mode & 07777;
	CP_DO(c, rc, libssh2_sftp_fsetstat(fh, &a));
	if (rc != 0) {
		if (rc != WAITFAIL)
			sftp_fail(c, "chmod", c->tmp);
		goto out;
	}
	memset(&a, 0, sizeof(a));
	CP_DO(c, rc, libssh2_sftp_fstat(fh, &a));
	if (rc != 0) {
		if (rc != WAITFAIL)
			sftp_fail(c, "stat", c->tmp);
		goto out;
	}
	if (!(a.flags & LIBSSH2_SFTP_ATTR_SIZE) || a.filesize != j->size)
		cp_fail(c, "'%s' has %llu bytes on the host after the copy, not %zu", c->tmp,
			(unsigned long long)a.filesize, j->size);
	else
		c->verified = "size";
out:
	sftp_close(c, &fh, c->tmp);
}

/* c->tmp over the target: SFTP rename; SFTP v3 (OpenSSH) refuses when the
 * target exists, and then `mv -f` on a shell (one rename(2)), else remove
 * and rename (a moment with no file: never a partial one). */
static void sftp_into_place(struct cp *c)
{
	const char *r = c->ch->job->remote;
	long rc;

	CP_DO(c, rc, libssh2_sftp_rename_ex(c->sftp, c->tmp, (unsigned)strlen(c->tmp), r, (unsigned)strlen(r),
					      LIBSSH2_SFTP_RENAME_OVERWRITE | LIBSSH2_SFTP_RENAME_ATOMIC |
					      LIBSSH2_SFTP_RENAME_NATIVE));
	if (rc == 0 || rc == WAITFAIL)
		goto done;
	if (c->ch->shell) {
		if (sh(c, "mv -f --", c->tmp, r, "mv on the host", NULL) == 0)
			goto done;
		return;
	}
	CP_DO(c, rc, libssh2_sftp_unlink_ex(c->sftp, r, (unsigned)strlen(r)));
	if (rc == WAITFAIL)
		return;
	CP_DO(c, rc, libssh2_sftp_rename_ex(c->sftp, c->tmp, (unsigned)strlen(c->tmp), r, (unsigned)strlen(r),
					      LIBSSH2_SFTP_RENAME_OVERWRITE | LIBSSH2_SFTP_RENAME_ATOMIC |
					      LIBSSH2_SFTP_RENAME_NATIVE));
	if (rc == WAITFAIL)
		return;
	if (rc != 0) {
		sftp_fail(c, "rename", r);
		return;
	}
done:
	if (!failed(c))
		c->tmp[0] = 0; /* in place: nothing to remove */
}

static void sftp_push(struct cp *c)
{
	if (sftp_start(c) < 0 || tmp_name(c) < 0)
		return;
	sftp_push_tmp(c);
	if (!failed(c) && c->ch->shell)
		remote_sha(c, c->tmp, c->ch->job->sha256);
	if (!failed(c))
		sftp_into_place(c);
}

/* Remote bytes into w, hashed into md; exactly size bytes when size is
 * known (>= 0). */
static void sftp_pull(struct cp *c, struct fo_wfile *w, EVP_MD_CTX *md, char *buf)
{
	const char *r = c->ch->job->remote;
	LIBSSH2_SFTP_HANDLE *fh;
	LIBSSH2_SFTP_ATTRIBUTES a = { 0 };
	long rc;

	if (sftp_start(c) < 0 || !(fh = sftp_open(c, r, LIBSSH2_FXF_READ, 0)))
		return;
	CP_DO(c, rc, libssh2_sftp_fstat(fh, &a));
	if (rc != 0) {
		if (rc != WAITFAIL)
			sftp_fail(c, "stat", r);
		goto out;
	}
	for (;;) {
		CP_DO(c, rc, libssh2_sftp_read(fh, buf, RBUF));
		if (rc == WAITFAIL)
			goto out;
		if (rc < 0) {
			sftp_fail(c, "read", r);
			goto out;
		}
		if (rc == 0)
			break;
		if (fwrite(buf, 1, (size_t)rc, w->f) != (size_t)rc && !w->err)
			w->err = -errno;
		EVP_DigestUpdate(md, buf, (size_t)rc);
		c->bytes += (uint64_t)rc;
	}
	if (!(a.flags & LIBSSH2_SFTP_ATTR_SIZE))
		c->verified = "none";
	else if (a.filesize != c->bytes)
		cp_fail(c, "'%s' has %llu bytes on the host, %llu came", r, (unsigned long long)a.filesize,
			(unsigned long long)c->bytes);
	else
		c->verified = "size";
out:
	sftp_close(c, &fh, r);
}

/* ---- SCP ------------------------------------------------------------------------------- */

/* After the data: the sink's answer (\0, or \1/\2 and its message) and
 * its exit status. 0 when it took the file, else -1 with its words. */
static int scp_finish(struct cp *c, LIBSSH2_CHANNEL *ch)
{
	struct fo_sbuf said = { 0 };
	char buf[1024];
	long rc;
	int ret = -1, status;

	CP_DO(c, rc, libssh2_channel_send_eof(ch));
	if (rc == WAITFAIL)
		goto out;
	for (;;) {
		ssize_t n = libssh2_channel_read(ch, buf, sizeof(buf));

		if (n == LIBSSH2_ERROR_EAGAIN) {
			n = libssh2_channel_read_stderr(ch, buf, sizeof(buf));
			if (n == LIBSSH2_ERROR_EAGAIN) {
				if (libssh2_channel_eof(ch))
					break;
				if (libssh2_poll_channel_read(ch, 0) || libssh2_poll_channel_read(ch, 1))
					continue;
				if (again(c) < 0)
					goto out;
				continue;
			}
		}
		if (n < 0) {
			cp_fail(c, "scp: the connection ended: %s", ssh_err(c));
			goto out;
		}
		if (n == 0 && libssh2_channel_eof(ch))
			break;
		if (said.len < 4096)
			fo_sbuf_add(&said, buf, (size_t)n);
	}
	CP_DO(c, rc, libssh2_channel_wait_closed(ch));
	if (rc == WAITFAIL)
		goto out;
	status = libssh2_channel_get_exit_status(ch);
	if (status != 0 || (said.p && memchr(said.p, '\1', said.len)) || (said.p && memchr(said.p, '\2', said.len))) {
		char *p = said.p ? said.p : "", *e;

		while (*p == 0 || *p == 1 || *p == 2)
			p++; /* the acks and the error marks before the message */
		if ((e = strchr(p, '\n')))
			*e = 0;
		cp_fail(c, "scp on the host: %s", *p ? p : status ? "exit status not 0" : "refused");
		goto out;
	}
	ret = 0;
out:
	free(said.p);
	return ret;
}

/* One answer of the scp sink: \0, or \1/\2 and a line of its words. 0,
 * or -1 with the failure recorded (what: what was answered). */
static int scp_ack(struct cp *c, LIBSSH2_CHANNEL *ch, const char *to, const char *what)
{
	char b[512];
	size_t n = 0;
	ssize_t r;

	for (;;) {
		r = libssh2_channel_read(ch, b + n, 1);
		if (r == LIBSSH2_ERROR_EAGAIN) {
			if (again(c) < 0)
				return -1;
			continue;
		}
		if (r < 0 || (r == 0 && libssh2_channel_eof(ch))) {
			cp_fail(c, "scp to '%s': the host ended the transfer (%s)%s", to, what,
				n ? "" : ": has it an scp server?");
			return -1;
		}
		if (r == 0)
			continue;
		if (n == 0 && b[0] == 0)
			return 0;
		if (b[n] == '\n' || n + 2 >= sizeof(b))
			break;
		n++;
	}
	b[n] = 0;
	cp_fail(c, "scp on the host: %s", n > 1 ? b + 1 : "refused");
	return -1;
}

/*
 * The sink's side by hand, as libssh2_scp_send64 does it (`scp -t PATH`,
 * its \0, the C line, its \0), because libssh2 1.10 drops the sink's
 * words when it refuses the file (a full disk, no such folder) and says
 * "failed to send file": here they are the failure. NULL with it recorded.
 */
static LIBSSH2_CHANNEL *scp_sink(struct cp *c, const char *to, unsigned mode, size_t size)
{
	const char *base = to + strlen(to);
	struct fo_sbuf cmd = { 0 };
	LIBSSH2_CHANNEL *ch;
	char line[600];
	long rc;

	while (base > to && base[-1] != '/' && base[-1] != ':')
		base--;
	for (;;) {
		ch = libssh2_channel_open_session(c->io->s);
		if (ch)
			break;
		if (libssh2_session_last_errno(c->io->s) != LIBSSH2_ERROR_EAGAIN) {
			cp_fail(c, "scp to '%s': cannot open a channel: %s", to, ssh_err(c));
			return NULL;
		}
		if (again(c) < 0)
			return NULL;
	}
	fo_sbuf_adds(&cmd, "scp -t ");
	fo__sh_quote(&cmd, to);
	if (cmd.oom) {
		cp_fail(c, "out of memory");
		goto fail;
	}
	CP_DO(c, rc, libssh2_channel_process_startup(ch, "exec", 4, cmd.p, (unsigned)cmd.len));
	if (rc == WAITFAIL)
		goto fail;
	if (rc != 0) {
		cp_fail(c, "scp to '%s': the host refused to run scp: %s", to, ssh_err(c));
		goto fail;
	}
	if (scp_ack(c, ch, to, "at the start") < 0)
		goto fail;
	snprintf(line, sizeof(line), "C%04o %zu %.500s\n", mode & 0777, size, *base ? base : "file");
	for (size_t off = 0, len = strlen(line); off < len;) {
		ssize_t w = libssh2_channel_write(ch, line + off, len - off);

		if (w == LIBSSH2_ERROR_EAGAIN) {
			if (again(c) < 0)
				goto fail;
			continue;
		}
		if (w < 0) {
			cp_fail(c, "scp to '%s': %s", to, ssh_err(c));
			goto fail;
		}
		off += (size_t)w;
	}
	if (scp_ack(c, ch, to, "after the file's name and size") < 0)
		goto fail;
	free(cmd.p);
	return ch;
fail:
	free(cmd.p);
	if (!c->io->broken(c->io->arg))
		while (libssh2_channel_free(ch) == LIBSSH2_ERROR_EAGAIN && again(c) == 0)
			;
	return NULL;
}

static void scp_push(struct cp *c)
{
	const struct fo_copy_job *j = c->ch->job;
	const char *to = j->remote;
	LIBSSH2_CHANNEL *ch = NULL;
	size_t off = 0;

	if (c->ch->shell) {
		if (tmp_name(c) < 0)
			return;
		to = c->tmp;
	}
	if (!(ch = scp_sink(c, to, j->mode, j->size)))
		return;
	/* the data, then the protocol's end-of-file byte */
	while (off < j->size + 1) {
		ssize_t n = off < j->size ? libssh2_channel_write(ch, (const char *)j->data + off, j->size - off)
					  : libssh2_channel_write(ch, "", 1);

		if (n == LIBSSH2_ERROR_EAGAIN) {
			if (again(c) < 0)
				goto out;
			continue;
		}
		if (n < 0) {
			/* the sink gave up (a full disk): its words come after */
			scp_finish(c, ch);
			cp_fail(c, "scp to '%s': %s", to, ssh_err(c));
			goto out;
		}
		off += (size_t)n;
	}
	c->bytes = j->size;
	if (scp_finish(c, ch) < 0)
		goto out;
	c->verified = "none"; /* the sink took size bytes; nothing read back */
	if (c->ch->shell && remote_sha(c, c->tmp, j->sha256) == 0 &&
	    sh(c, "mv -f --", c->tmp, j->remote, "mv on the host", NULL) == 0)
		c->tmp[0] = 0;
	else if (!c->ch->shell && c->ch->verify) {
		/* the channel first: one at a time, as a device may allow */
		while (libssh2_channel_free(ch) == LIBSSH2_ERROR_EAGAIN && again(c) == 0)
			;
		ch = NULL;
		if (!failed(c))
			device_sha(c, j->sha256, "sha256");
	}
out:
	if (ch && !c->io->broken(c->io->arg))
		while (libssh2_channel_free(ch) == LIBSSH2_ERROR_EAGAIN && again(c) == 0)
			;
}

static void scp_pull(struct cp *c, struct fo_wfile *w, EVP_MD_CTX *md, char *buf)
{
	const char *r = c->ch->job->remote;
	libssh2_struct_stat st;
	LIBSSH2_CHANNEL *ch = NULL;
	uint64_t size;

	memset(&st, 0, sizeof(st));
	for (;;) {
		ch = libssh2_scp_recv2(c->io->s, r, &st);
		if (ch)
			break;
		if (libssh2_session_last_errno(c->io->s) != LIBSSH2_ERROR_EAGAIN) {
			cp_fail(c, "scp from '%s': %s", r, ssh_err(c));
			return;
		}
		if (again(c) < 0)
			return;
	}
	size = (uint64_t)st.st_size;
	while (c->bytes < size) {
		size_t want = size - c->bytes < RBUF ? (size_t)(size - c->bytes) : RBUF;
		ssize_t n = libssh2_channel_read(ch, buf, want);

		if (n == LIBSSH2_ERROR_EAGAIN) {
			if (again(c) < 0)
				goto out;
			continue;
		}
		if (n < 0 || (n == 0 && libssh2_channel_eof(ch))) {
			cp_fail(c, "scp from '%s': the transfer ended after %llu of %llu bytes: %s", r,
				(unsigned long long)c->bytes, (unsigned long long)size, n < 0 ? ssh_err(c) : "EOF");
			goto out;
		}
		if (fwrite(buf, 1, (size_t)n, w->f) != (size_t)n && !w->err)
			w->err = -errno;
		EVP_DigestUpdate(md, buf, (size_t)n);
		c->bytes += (uint64_t)n;
	}
	c->verified = "size"; /* the size the source announced, all of it came */
out:
	if (ch && !c->io->broken(c->io->arg))
		while (libssh2_channel_free(ch) == LIBSSH2_ERROR_EAGAIN && again(c) == 0)
			;
}

/* ---- the two directions ------------------------------------------------------------------ */

static void push(struct cp *c)
{
	if (c->ch->via == FO_COPY_SCP)
		scp_push(c);
	else
		sftp_push(c);
}

/* DIR/HOST of a pull's DIR/HOST/NAME: 0 or -errno. */
static int make_host_dir(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');

	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	return mkdir(dir, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

static void pull(struct cp *c)
{
	struct fo_wfile w = { 0 };
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	char *buf = malloc(RBUF);
	unsigned char d[32];
	unsigned int dl = 0, i;
	char hex[65];
	int e;

	if (!md || !buf || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		cp_fail(c, "out of memory");
		goto out;
	}
	if (!c->ch->local[0]) {
		cp_fail(c, "the local path of '%s' is too long", c->ch->job->name);
		goto out;
	}
	if ((e = make_host_dir(c->ch->local)) < 0) {
		cp_fail(c, "cannot make the folder of '%s': %s", c->ch->local, strerror(-e));
		goto out;
	}
	if ((e = fo__wfile_open(&w, c->ch->local, 0644)) < 0) {
		cp_fail(c, "cannot write '%s': %s", c->ch->local, strerror(-e));
		goto out;
	}
	if (c->ch->via == FO_COPY_SCP)
		scp_pull(c, &w, md, buf);
	else
		sftp_pull(c, &w, md, buf);
	EVP_DigestFinal_ex(md, d, &dl);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	hex[64] = 0;
	if (!failed(c))
		memcpy(c->got_sha, hex, sizeof(hex)); /* what came; remote_sha checks the host's */
	if (!failed(c) && c->ch->shell)
		remote_sha(c, c->ch->job->remote, hex);
	else if (!failed(c) && c->ch->verify)
		device_sha(c, hex, "size+sha256");
	if (failed(c)) {
		fo__wfile_abort(&w);
	} else if ((e = fo__wfile_commit(&w, false)) < 0) {
		cp_fail(c, "cannot write '%s': %s", c->ch->local, strerror(-e));
	}
out:
	EVP_MD_CTX_free(md);
	free(buf);
}

/* A failed push leaves no temporary file where it can help it. */
static void remove_tmp(struct cp *c)
{
	long rc;

	if (!c->tmp[0] || c->io->broken(c->io->arg))
		return;
	if (c->sftp)
		CP_DO(c, rc, libssh2_sftp_unlink_ex(c->sftp, c->tmp, (unsigned)strlen(c->tmp)));
	else if (c->ch->shell)
		sh(c, "rm -f --", c->tmp, NULL, "rm on the host", NULL);
}

static void report(struct cp *c, struct fo_ssh_res *res)
{
	const struct fo_copy_host *ch = c->ch;
	struct fo_sbuf o = { 0 };

	fo_sbuf_addf(&o, "bytes: %llu\nvia: %s\nverified: %s\n", (unsigned long long)c->bytes,
		     ch->via == FO_COPY_SCP ? "scp" : "sftp", c->verified);
	if (ch->job->dir == FO_COPY_PUSH)
		fo_sbuf_addf(&o, "sha256: %s\nremote: %s\n", ch->job->sha256, ch->job->remote);
	else if (c->got_sha[0])
		fo_sbuf_addf(&o, "sha256: %s\nremote: %s\nlocal: %s\n", c->got_sha, ch->job->remote, ch->local);
	else
		fo_sbuf_addf(&o, "remote: %s\nlocal: %s\n", ch->job->remote, ch->local);
	res->out = o.oom ? NULL : o.p;
	res->out_len = o.oom ? 0 : o.len;
	if (o.oom)
		free(o.p);
}

void fo__copy_session(const struct fo_copy_io *io, const struct fo_copy_host *ch, struct fo_ssh_res *res)
{
	struct cp c = { .io = io, .ch = ch, .verified = "none" };

	if (!ch->shell && ch->verify && !cli_word(ch->job->remote))
		cp_fail(&c, "the remote path '%s' cannot go to the device's CLI to be verified: only letters, "
			    "digits and ._:/+@=,~- do", ch->job->remote);
	else if (ch->job->dir == FO_COPY_PUSH)
		push(&c);
	else
		pull(&c);
	if (failed(&c))
		remove_tmp(&c); /* its own failure is not said: the first one is */
	if (c.sftp && !io->broken(io->arg))
		while (libssh2_sftp_shutdown(c.sftp) == LIBSSH2_ERROR_EAGAIN && again(&c) == 0)
			;
	report(&c, res);
	res->exit_code = -1;
	if (c.err[0] && !io->broken(io->arg))
		io->fail(io->arg, c.st, "copy", c.err);
	else if (!c.err[0] && !io->broken(io->arg))
		res->status = FO_SSH_OK;
}
