/*
 * The ssh task: one host, its commands, with libssh2 on the runtime.
 *
 * libssh2 runs non-blocking; every call that would block returns
 * LIBSSH2_ERROR_EAGAIN and we wait with fo_wait_fd() for the directions
 * libssh2_session_block_directions() names, until the phase's deadline.
 * So a host costs a socket, a libssh2 session and a task, and thousands
 * wait at once under the coroutine models.
 *
 * Phases and their deadlines: connect, handshake, hostkey and auth share
 * the connect timeout; the first prompt (shell) and each command have the
 * command timeout; everything also stops at the host timeout. A failure
 * before the commands ends every command of the host with that status.
 *
 * Host keys: a known_hosts file in OpenSSH's format (knownhosts.c: names,
 * [name]:port, wildcards, negations, hashed names, @revoked), read once per
 * process (libssh2's knownhost API wants a session and a file per check,
 * which is quadratic over a big fleet, and reads no patterns); accept-new
 * appends a line with O_APPEND, one write per key.
 *
 * Shell mode is what network devices need: a pty, the first prompt found
 * with the platform's pattern, then the exact prompt text marks the end of
 * each command's output; the echoed command and the prompt are cut off.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libssh2.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fanout/runtime.h"
#include "../net/connect.h"
#include "../util/sbuf.h"
#include "copy.h"
#include "gate.h"
#include "knownhosts.h"
#include "shell.h"
#include "ssh.h"

static const char *const status_names[FO_SSH_NSTATUS] = {
	"ok", "failed", "timeout", "unreachable", "auth_failed", "hostkey_mismatch", "skipped",
};

const char *fo_ssh_status_name(enum fo_ssh_status s)
{
	return (unsigned)s < FO_SSH_NSTATUS ? status_names[s] : "?";
}

int fo_ssh_global_init(void)
{
	return libssh2_init(0) ? -EIO : 0;
}

/* ---- one host's state ---------------------------------------------------------- */

struct host {
	const struct fo_ssh_target *t;
	const struct fo_ssh_cfg *c;
	int fd;                    /* the socket; through a jump host, the jump's */
	LIBSSH2_SESSION *s;
	struct host *jump;         /* the jump host's session, or NULL */
	LIBSSH2_CHANNEL *jch;      /* the tunnel through it (direct-tcpip) */
	int64_t host_dl;
	enum fo_ssh_status status; /* of the failure, when one ends the host */
	long failed_at;            /* the command it ended in; -1: before any */
	const char *phase;
	char err[512];
	char addr[64];             /* the address connected to (through a jump: asked for) */
	bool shed;                 /* hung up on during the handshake (see fo_ssh_res) */
};

static void fail(struct host *h, enum fo_ssh_status st, const char *phase, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void fail(struct host *h, enum fo_ssh_status st, const char *phase, const char *fmt, ...)
{
	va_list ap;

	h->status = st;
	h->phase = phase;
	va_start(ap, fmt);
	vsnprintf(h->err, sizeof(h->err), fmt, ap);
	va_end(ap);
}

static int64_t phase_dl(struct host *h, int64_t timeout)
{
	int64_t dl = timeout > 0 ? fo_now() + timeout : FO_NEVER;

	return dl < h->host_dl ? dl : h->host_dl;
}

/* A wait ended badly: timeout (which deadline) or interrupted. */
static void wait_failed(struct host *h, int r, const char *phase)
{
	if (r == -ECANCELED)
		fail(h, FO_SSH_SKIPPED, phase, "interrupted during %s", phase);
	else if (r == -ETIMEDOUT && fo_now() >= h->host_dl)
		fail(h, FO_SSH_TIMEOUT, phase, "host timeout during %s", phase);
	else if (r == -ETIMEDOUT)
		fail(h, FO_SSH_TIMEOUT, phase, "timed out during %s", phase);
	else
		fail(h, FO_SSH_FAILED, phase, "%s: %s", phase, fo_strerror(r));
}

/* libssh2 said EAGAIN: wait for what it is blocked on. 0 or -errno. */
static int ssh_wait(struct host *h, int64_t dl)
{
	int dir = libssh2_session_block_directions(h->s), ev = 0;

	if (h->jump) /* our bytes travel in the jump host's session: its socket */
		dir |= libssh2_session_block_directions(h->jump->s) | LIBSSH2_SESSION_BLOCK_INBOUND;
	if (dir & LIBSSH2_SESSION_BLOCK_INBOUND)
		ev |= FO_READ;
	if (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND)
		ev |= FO_WRITE;
	if (!ev)
		ev = FO_READ;
	return fo_wait_fd(h->fd, ev, dl) < 0 ? (fo_cancelled() ? -ECANCELED : -ETIMEDOUT) : 0;
}

/* Calls expr until it stops saying EAGAIN; on a failed wait, jumps to
 * label with r set to the wait's error. */
#define SSH_DO(h, dl, rc, expr, r, label)                     \
	for (;;) {                                            \
		(rc) = (expr);                                \
		if ((rc) != LIBSSH2_ERROR_EAGAIN)             \
			break;                                \
		if (((r) = ssh_wait((h), (dl))) < 0)          \
			goto label;                           \
	}

static const char *ssh_errmsg(struct host *h)
{
	char *msg = NULL;

	libssh2_session_last_error(h->s, &msg, NULL, 0);
	return msg && *msg ? msg : "unknown libssh2 error";
}

/* ---- connect ----------------------------------------------------------------------- */

/* A TCP connection to one of the host's addresses, tried in turn with
 * happy eyeballs (src/net/connect.h); h->addr gets the one reached. */
static int tcp_connect(struct host *h)
{
	const struct fo_ssh_target *t = h->t;
	int64_t dl = phase_dl(h, h->c->connect_timeout);
	int fd, one = 1;
	char err[sizeof(h->err)];

	fd = fo_connect(t->addr, t->port, dl, h->addr, sizeof(h->addr), err, sizeof(err));
	if (fd == -ECANCELED || (fd == -ETIMEDOUT && fo_now() >= h->host_dl)) {
		wait_failed(h, fd, "connect");
		return -1;
	}
	if (fd < 0) {
		fail(h, fd == -EMFILE || fd == -ENFILE || fd == -ENOMEM ? FO_SSH_FAILED : FO_SSH_UNREACHABLE,
		     "connect", "%s", err);
		return -1;
	}
	h->fd = fd;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return 0;
}

/* ---- known hosts -------------------------------------------------------------------- */

static pthread_mutex_t kh_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fo_kh *kh;
static char *kh_file; /* which file kh holds */

static void b64(const unsigned char *in, size_t n, char *out)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;

	for (i = 0; i + 2 < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];

		out[o++] = tab[v >> 18];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = tab[(v >> 6) & 63];
		out[o++] = tab[v & 63];
	}
	if (i < n) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0);

		out[o++] = tab[v >> 18];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = 0;
}

/* Reads path into kh (once per process and path); NULL when out of memory.
 * Caller holds kh_lock. */
static struct fo_kh *kh_get(const char *path)
{
	if (kh && kh_file && !strcmp(kh_file, path))
		return kh;
	fo_kh_free(kh);
	free(kh_file);
	kh = fo_kh_new();
	kh_file = strdup(path);
	if (!kh || !kh_file || fo_kh_load(kh, path) == -ENOMEM) {
		fo_kh_free(kh);
		kh = NULL;
		return NULL;
	}
	return kh;
}

static const char *key_type_name(int type)
{
	switch (type) {
	case LIBSSH2_HOSTKEY_TYPE_RSA: return "ssh-rsa";
	case LIBSSH2_HOSTKEY_TYPE_DSS: return "ssh-dss";
#ifdef LIBSSH2_HOSTKEY_TYPE_ECDSA_256
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: return "ecdsa-sha2-nistp256";
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: return "ecdsa-sha2-nistp384";
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return "ecdsa-sha2-nistp521";
#endif
#ifdef LIBSSH2_HOSTKEY_TYPE_ED25519
	case LIBSSH2_HOSTKEY_TYPE_ED25519: return "ssh-ed25519";
#endif
	default: return NULL;
	}
}

static int check_hostkey(struct host *h)
{
	const struct fo_ssh_cfg *c = h->c;
	const struct fo_ssh_target *t = h->t;
	size_t len;
	int type, ret = 0;
	const char *key = libssh2_session_hostkey(h->s, &len, &type), *tname;
	char name[300], *enc;
	enum fo_kh_verdict v;

	if (c->hostkey == FO_HK_OFF)
		return 0;
	tname = key_type_name(type);
	if (!key || !tname) {
		fail(h, FO_SSH_HOSTKEY, "hostkey", "no host key of a known type from the server");
		return -1;
	}
	fo_kh_name(name, sizeof(name), t->hostname, t->port);
	enc = malloc(len / 3 * 4 + 8);
	if (!enc) {
		fail(h, FO_SSH_FAILED, "hostkey", "out of memory");
		return -1;
	}
	b64((const unsigned char *)key, len, enc);
	pthread_mutex_lock(&kh_lock);
	if (!kh_get(c->known_hosts)) {
		fail(h, FO_SSH_FAILED, "hostkey", "out of memory");
		ret = -1;
		goto out;
	}
	v = fo_kh_check(kh, name, tname, enc);
	if (v == FO_KH_OK)
		goto out;
	if (v == FO_KH_REVOKED) {
		fail(h, FO_SSH_HOSTKEY, "hostkey", "host key for '%s' (%s) is marked @revoked in '%s'", name,
		     tname, c->known_hosts);
		ret = -1;
	} else if (v == FO_KH_CHANGED) {
		fail(h, FO_SSH_HOSTKEY, "hostkey",
		     "host key for '%s' changed (%s); if that is expected, remove its line from '%s'",
		     name, tname, c->known_hosts);
		ret = -1;
	} else if (c->hostkey == FO_HK_STRICT) {
		fail(h, FO_SSH_HOSTKEY, "hostkey",
		     "host key for '%s' is not in '%s' (use --host-keys accept-new to record it)", name,
		     c->known_hosts);
		ret = -1;
	} else {
		/* accept-new: record it, one append (O_APPEND keeps lines whole) */
		size_t ll = strlen(name) + strlen(tname) + strlen(enc) + 4;
		char *line = malloc(ll);
		int fd;

		if (line) {
			snprintf(line, ll, "%s %s %s\n", name, tname, enc);
			fd = open(c->known_hosts, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
			if (fd >= 0) {
				if (write(fd, line, strlen(line)) < 0)
					ret = 0; /* recorded or not, this login goes on */
				close(fd);
			}
			free(line);
		}
		fo_kh_add(kh, name, tname, enc);
	}
out:
	pthread_mutex_unlock(&kh_lock);
	free(enc);
	return ret;
}

/* ---- authentication ---------------------------------------------------------------- */

static void kbdint(const char *name, int name_len, const char *instr, int instr_len, int n,
		   const LIBSSH2_USERAUTH_KBDINT_PROMPT *prompts, LIBSSH2_USERAUTH_KBDINT_RESPONSE *resp,
		   void **abstract)
{
	struct host *h = *abstract;
	int i;

	(void)name, (void)name_len, (void)instr, (void)instr_len, (void)prompts;
	for (i = 0; i < n; i++) {
		resp[i].text = strdup(h->t->password ? h->t->password : "");
		resp[i].length = resp[i].text ? (unsigned)strlen(resp[i].text) : 0;
	}
}

static void tried_add(char *tried, size_t cap, const char *what)
{
	size_t n = strlen(tried);

	snprintf(tried + n, cap - n, "%s%s", n ? ", " : "", what);
}

/* Login: the methods the server offers, tried in OpenSSH's order (agent,
 * key file, password, keyboard-interactive), each with its EAGAIN loop;
 * what was tried is said when all fail. Over 80 lines as one ordered list
 * of attempts; NEEDSWORK: a table of methods. */
static int auth(struct host *h, int64_t dl)
{
	const struct fo_ssh_target *t = h->t;
	unsigned ul = (unsigned)strlen(t->user);
	char *methods = NULL, tried[128] = "";
	int rc, r;

	for (;;) {
		methods = libssh2_userauth_list(h->s, t->user, ul);
		if (methods || libssh2_userauth_authenticated(h->s))
			break;
		if (libssh2_session_last_errno(h->s) != LIBSSH2_ERROR_EAGAIN) {
			fail(h, FO_SSH_FAILED, "auth", "asking for login methods: %s", ssh_errmsg(h));
			return -1;
		}
		if ((r = ssh_wait(h, dl)) < 0)
			goto waitfail;
	}
	if (!methods)
		return 0; /* "none" was enough */
	if (t->key_file && strstr(methods, "publickey")) {
		/* The public key from KEY.pub when there is one, as ssh(1) does.
		 * Without it libssh2 derives it from the private key file, and
		 * first has OpenSSL 3 try (and fail, slowly) to decode an
		 * OpenSSH-format key as PEM: a third of a login's client CPU. */
		char pub[PATH_MAX];
		bool haspub = snprintf(pub, sizeof(pub), "%s.pub", t->key_file) < (int)sizeof(pub) &&
			      access(pub, R_OK) == 0;

		tried_add(tried, sizeof(tried), "publickey");
		SSH_DO(h, dl, rc, libssh2_userauth_publickey_fromfile_ex(h->s, t->user, ul, haspub ? pub : NULL,
									 t->key_file, t->key_pass), r, waitfail);
		if (rc == 0)
			return 0;
		if (rc == LIBSSH2_ERROR_FILE) {
			fail(h, FO_SSH_AUTH, "auth", "cannot use key file '%s': %s", t->key_file, ssh_errmsg(h));
			return -1;
		}
	}
	if (t->agent && strstr(methods, "publickey") && getenv("SSH_AUTH_SOCK")) {
		/* NEEDSWORK: libssh2's agent calls block on the local socket */
		LIBSSH2_AGENT *a = libssh2_agent_init(h->s);
		struct libssh2_agent_publickey *id = NULL, *prev = NULL;
		bool ok = false;

		tried_add(tried, sizeof(tried), "agent");
		if (a && libssh2_agent_connect(a) == 0 && libssh2_agent_list_identities(a) == 0) {
			while (!ok && libssh2_agent_get_identity(a, &id, prev) == 0) {
				SSH_DO(h, dl, rc, libssh2_agent_userauth(a, t->user, id), r, agentfail);
				ok = rc == 0;
				prev = id;
			}
		}
agentfail:
		if (a) {
			libssh2_agent_disconnect(a);
			libssh2_agent_free(a);
		}
		if (ok)
			return 0;
		if (fo_cancelled() || fo_now() >= dl) {
			r = fo_cancelled() ? -ECANCELED : -ETIMEDOUT;
			goto waitfail;
		}
	}
	if (t->password && strstr(methods, "password")) {
		tried_add(tried, sizeof(tried), "password");
		SSH_DO(h, dl, rc, libssh2_userauth_password_ex(h->s, t->user, ul, t->password,
							       (unsigned)strlen(t->password), NULL), r, waitfail);
		if (rc == 0)
			return 0;
	}
	if (t->password && strstr(methods, "keyboard-interactive")) {
		tried_add(tried, sizeof(tried), "keyboard-interactive");
		SSH_DO(h, dl, rc, libssh2_userauth_keyboard_interactive_ex(h->s, t->user, ul, kbdint), r,
		       waitfail);
		if (rc == 0)
			return 0;
	}
	if (!*tried)
		fail(h, FO_SSH_AUTH, "auth", "no way to log in as '%s': the server offers %s; give a key, "
		     "an agent or a password", t->user, methods);
	else
		fail(h, FO_SSH_AUTH, "auth", "authentication failed for '%s' (tried %s)", t->user, tried);
	return -1;
waitfail:
	wait_failed(h, r, "auth");
	return -1;
}

/* ---- output buffers ------------------------------------------------------------------- */

/*
 * Room in b to read up to want more bytes into b->p + b->len: how many
 * the read may take, at most one past max (so that an output of more than
 * max bytes is seen as such), or 0 when b already holds more than max (or
 * memory ran out). The caller adds what it read to b->len and writes the
 * NUL.
 */
static size_t read_room(struct fo_sbuf *b, size_t want, size_t max)
{
	if (b->len > max)
		return 0;
	if (want > max + 1 - b->len)
		want = max + 1 - b->len;
	return fo_sbuf_grow(b, want) < 0 ? 0 : want;
}

/* ---- exec mode ------------------------------------------------------------------------- */

/* One command over an exec channel: open, exec, read stdout and stderr
 * to EOF under the command deadline and --max-output, close, exit status.
 * Over 80 lines: each libssh2 step has its EAGAIN wait and its own error
 * text. NEEDSWORK: split with the platform modes' rework (issue 12). */
static void exec_one(struct host *h, const char *cmd, struct fo_ssh_res *res)
{
	const struct fo_ssh_cfg *c = h->c;
	int64_t dl = phase_dl(h, c->command_timeout);
	LIBSSH2_CHANNEL *ch = NULL;
	struct fo_sbuf out = { 0 }, err = { 0 };
	int rc, r = 0;
	bool cut = false;

	for (;;) {
		ch = libssh2_channel_open_session(h->s);
		if (ch)
			break;
		if (libssh2_session_last_errno(h->s) != LIBSSH2_ERROR_EAGAIN) {
			fail(h, FO_SSH_FAILED, "command", "cannot open a channel: %s", ssh_errmsg(h));
			goto out;
		}
		if ((r = ssh_wait(h, dl)) < 0)
			goto waitfail;
	}
	SSH_DO(h, dl, rc, libssh2_channel_exec(ch, cmd), r, waitfail);
	if (rc < 0) {
		fail(h, FO_SSH_FAILED, "command", "cannot run the command: %s", ssh_errmsg(h));
		goto out;
	}
	for (;;) {
		ssize_t n1 = LIBSSH2_ERROR_EAGAIN, n2 = LIBSSH2_ERROR_EAGAIN;
		size_t room;

		if ((room = read_room(&out, 16384, c->max_output)) > 0)
			n1 = libssh2_channel_read(ch, out.p + out.len, room);
		else
			cut = true;
		if (n1 > 0) {
			out.len += (size_t)n1;
			continue;
		}
		if ((room = read_room(&err, 4096, 65535)) > 0) {
			n2 = libssh2_channel_read_stderr(ch, err.p + err.len, room);
		} else {
			char drop[4096]; /* stderr past 64 KiB: read (so it cannot block stdout) and dropped */

			n2 = libssh2_channel_read_stderr(ch, drop, sizeof(drop));
			if (n2 > 0)
				continue;
		}
		if (n2 > 0) {
			err.len += (size_t)n2;
			continue;
		}
		if (cut)
			break;
		if (libssh2_channel_eof(ch))
			break;
		if ((n1 < 0 && n1 != LIBSSH2_ERROR_EAGAIN) || (n2 < 0 && n2 != LIBSSH2_ERROR_EAGAIN)) {
			fail(h, FO_SSH_FAILED, "command", "the connection ended during the command: %s",
			     ssh_errmsg(h));
			goto out;
		}
		/*
		 * Reading one stream reads the socket for both: the stderr read
		 * may have queued stdout data (and the EOF) inside libssh2, with
		 * nothing left on the socket to wake us. Wait only when libssh2
		 * holds nothing for this channel. (Without this check, 2 hosts
		 * in 1,000 waited for their command timeout.)
		 */
		if (libssh2_poll_channel_read(ch, 0) || libssh2_poll_channel_read(ch, 1))
			continue;
		if ((r = ssh_wait(h, dl)) < 0)
			goto waitfail;
	}
	if (!cut) {
		SSH_DO(h, dl, rc, libssh2_channel_close(ch), r, waitfail);
		SSH_DO(h, dl, rc, libssh2_channel_wait_closed(ch), r, waitfail);
		res->exit_code = libssh2_channel_get_exit_status(ch);
	}
	res->status = FO_SSH_OK;
	if (cut) {
		out.len = c->max_output; /* one more was read, to know */
		res->status = FO_SSH_FAILED;
		snprintf(h->err, sizeof(h->err), "output over %zu bytes; cut there", c->max_output);
		res->error = strdup(h->err);
		res->phase = "command";
	} else if (res->exit_code != 0) {
		size_t e = 0;

		while (err.p && e < err.len && err.p[e] != '\n')
			e++;
		res->status = FO_SSH_FAILED;
		res->phase = "command";
		snprintf(h->err, sizeof(h->err), "exit status %d%s%.*s", res->exit_code, e ? ": " : "",
			 (int)(e > 200 ? 200 : e), err.p ? err.p : "");
		res->error = strdup(h->err);
	}
	goto out;
waitfail:
	wait_failed(h, r, "command");
out:
	if (h->phase) {
		res->status = h->status;
		res->phase = h->phase;
		res->error = strdup(h->err);
	}
	if (out.p)
		out.p[out.len] = 0;
	res->out = out.p ? out.p : strdup("");
	res->out_len = out.len;
	free(err.p);
	if (ch) {
		if (h->phase) {
			/* the session is unusable or being abandoned: no goodbyes */
		} else {
			while (libssh2_channel_free(ch) == LIBSSH2_ERROR_EAGAIN && ssh_wait(h, dl) == 0)
				;
		}
	}
}

/* ---- shell mode: shell.c over a channel ------------------------------------------------- */

struct chan {
	struct host *h;
	LIBSSH2_CHANNEL *ch;
};

static ssize_t chan_read(void *arg, char *buf, size_t cap, int64_t dl)
{
	struct chan *c = arg;

	for (;;) {
		ssize_t n = libssh2_channel_read(c->ch, buf, cap);
		int r;

		if (n > 0)
			return n;
		if (n == 0 || libssh2_channel_eof(c->ch) || n != LIBSSH2_ERROR_EAGAIN)
			return 0; /* closed, or broken: the same to the session */
		if ((r = ssh_wait(c->h, dl)) < 0)
			return r;
	}
}

static int chan_write(void *arg, const char *buf, size_t len, int64_t dl)
{
	struct chan *c = arg;
	size_t done = 0;

	while (done < len) {
		ssize_t w = libssh2_channel_write(c->ch, buf + done, len - done);
		int r;

		if (w > 0)
			done += (size_t)w;
		else if (w != LIBSSH2_ERROR_EAGAIN)
			return -EPIPE;
		else if ((r = ssh_wait(c->h, dl)) < 0)
			return r;
	}
	return 0;
}

static void chan_fail(void *arg, enum fo_ssh_status st, const char *phase, const char *msg)
{
	fail(((struct chan *)arg)->h, st, phase, "%s", msg);
}

static void chan_wait_failed(void *arg, int r, const char *phase)
{
	struct chan *c = arg;

	if (r == -EPIPE)
		fail(c->h, FO_SSH_FAILED, phase, "cannot send to the device: %s", ssh_errmsg(c->h));
	else
		wait_failed(c->h, r, phase);
}

static int64_t chan_deadline(void *arg, int64_t timeout)
{
	return phase_dl(((struct chan *)arg)->h, timeout);
}

/* A pty and a shell, then shell.c's session of job. */
static void shell_job(struct host *h, const struct fo_shell_job *j, struct fo_ssh_res *res)
{
	const struct fo_ssh_cfg *c = h->c;
	struct chan ch = { h, NULL };
	const struct fo_shell_io io = { &ch, chan_read, chan_write, chan_fail, chan_wait_failed, chan_deadline };
	int64_t dl = phase_dl(h, c->command_timeout);
	int rc, r;

	if (!j->plat) {
		fail(h, FO_SSH_FAILED, "prompt", "no platform for the shell mode");
		return;
	}
	for (;;) {
		ch.ch = libssh2_channel_open_session(h->s);
		if (ch.ch)
			break;
		if (libssh2_session_last_errno(h->s) != LIBSSH2_ERROR_EAGAIN) {
			fail(h, FO_SSH_FAILED, "prompt", "cannot open a channel: %s", ssh_errmsg(h));
			return;
		}
		if ((r = ssh_wait(h, dl)) < 0)
			goto waitfail;
	}
	/* wide, so that long lines are not wrapped by the device */
	SSH_DO(h, dl, rc, libssh2_channel_request_pty_ex(ch.ch, "vt100", 5, NULL, 0, 511, 24, 0, 0), r,
	       waitfail);
	SSH_DO(h, dl, rc, libssh2_channel_shell(ch.ch), r, waitfail);
	if (rc < 0) {
		fail(h, FO_SSH_FAILED, "prompt", "cannot start a shell: %s", ssh_errmsg(h));
		goto out;
	}
	h->failed_at = fo_shell_session(&io, j, res);
	goto out;
waitfail:
	wait_failed(h, r, "prompt");
out:
	if (ch.ch && !h->phase)
		while (libssh2_channel_free(ch.ch) == LIBSSH2_ERROR_EAGAIN && ssh_wait(h, dl) == 0)
			;
}

/* The shell mode's session. */
static void run_shell(struct host *h, struct fo_ssh_res *res)
{
	const struct fo_ssh_cfg *c = h->c;
	const struct fo_shell_job job = {
		.plat = h->t->plat, .secret = h->t->secret, .setup = c->setup, .nsetup = c->nsetup,
		.cmds = c->cmds, .ncmds = c->ncmds, .level = c->level, .config = h->t->config,
		.nconfig = h->t->nconfig, .config_continue = c->config_continue, .dry_run = c->dry_run,
		.save = c->save, .confirm_minutes = c->confirm_minutes, .max_output = c->max_output,
		.command_timeout = c->command_timeout, .stop = c->stop,
	};

	shell_job(h, &job, res);
}

/* ---- copy mode: copy.c over the session ------------------------------------------------ */

static int copy_wait(void *arg, int64_t dl)
{
	return ssh_wait(arg, dl);
}

static int64_t copy_deadline(void *arg, int64_t timeout)
{
	return phase_dl(arg, timeout);
}

static void copy_wait_failed(void *arg, int r, const char *phase)
{
	wait_failed(arg, r, phase);
}

static void copy_fail(void *arg, enum fo_ssh_status st, const char *phase, const char *msg)
{
	fail(arg, st, phase, "%s", msg);
}

static bool copy_broken(void *arg)
{
	return ((struct host *)arg)->phase != NULL;
}

static void copy_exec(void *arg, const char *cmd, struct fo_ssh_res *res)
{
	memset(res, 0, sizeof(*res));
	res->exit_code = -1;
	exec_one(arg, cmd, res);
}

/* One command at the device's CLI: a shell with the host's platform
 * (its on-open, its level, its pager), as the shell mode runs it. */
static void copy_cli(void *arg, const char *cmd, struct fo_ssh_res *res)
{
	struct host *h = arg;
	const char *cmds[1] = { cmd };
	const struct fo_shell_job job = {
		.plat = h->t->plat, .secret = h->t->secret, .cmds = cmds, .ncmds = 1,
		.max_output = h->c->max_output, .command_timeout = h->c->command_timeout, .stop = h->c->stop,
	};

	memset(res, 0, sizeof(*res));
	res->exit_code = -1;
	shell_job(h, &job, res);
}

static void run_copy(struct host *h, struct fo_ssh_res *res)
{
	const struct fo_copy_io io = { h, h->s, h->c->command_timeout, copy_wait, copy_deadline,
				       copy_wait_failed, copy_fail, copy_broken, copy_exec, copy_cli };

	fo__copy_session(&io, h->t->copy, res);
}

/* ---- logging in, directly or through a jump host --------------------------------------------- */

/* The session's transport through a jump host: its tunnel channel. libssh2
 * takes these as its send and recv (errno-style results). */
static ssize_t jump_send(libssh2_socket_t sock, const void *buf, size_t len, int flags, void **abstract)
{
	struct host *h = *abstract;
	ssize_t n = libssh2_channel_write(h->jch, buf, len);

	(void)sock, (void)flags;
	if (n == LIBSSH2_ERROR_EAGAIN)
		return -EAGAIN;
	return n < 0 ? -ECONNRESET : n;
}

static ssize_t jump_recv(libssh2_socket_t sock, void *buf, size_t len, int flags, void **abstract)
{
	struct host *h = *abstract;
	ssize_t n = libssh2_channel_read(h->jch, buf, len);

	(void)sock, (void)flags;
	if (n == LIBSSH2_ERROR_EAGAIN)
		return -EAGAIN;
	if (n < 0)
		return -ECONNRESET;
	if (n == 0 && !libssh2_channel_eof(h->jch))
		return -EAGAIN;
	return n;
}

static int login_gated(struct host *h);

/* Connects (or tunnels), shakes hands, checks the host key, logs in; with
 * a place at the login gate, if there is one (its wait is not part of the
 * connect timeout: it is our own queue, not the network's). */
static int login(struct host *h)
{
	int r = h->c->login_gate ? fo_gate_enter(h->c->login_gate, h->host_dl) : 0;

	if (r < 0) {
		wait_failed(h, r, "connect");
		return -1;
	}
	r = login_gated(h);
	if (h->c->login_gate)
		fo_gate_leave(h->c->login_gate);
	return r;
}

static int login_gated(struct host *h)
{
	const struct fo_ssh_target *t = h->t;
	int64_t dl;
	int rc, r;

	if (h->jump) {
		/* a direct-tcpip channel from the jump host to ours (ssh -J) */
		dl = phase_dl(h, h->c->connect_timeout);
		/* NEEDSWORK: the jump host reaches the first address only; the
		 * others would each need a channel of their own, tried in turn */
		snprintf(h->addr, sizeof(h->addr), "%.*s", (int)strcspn(t->addr, ","), t->addr);
		for (;;) {
			h->jch = libssh2_channel_direct_tcpip_ex(h->jump->s, h->addr, t->port, "127.0.0.1", 22);
			if (h->jch)
				break;
			if (libssh2_session_last_errno(h->jump->s) != LIBSSH2_ERROR_EAGAIN) {
				char *msg = NULL;

				libssh2_session_last_error(h->jump->s, &msg, NULL, 0);
				fail(h, FO_SSH_UNREACHABLE, "connect", "through jump host %s: cannot reach %s port %d: %s",
				     h->jump->t->name, h->addr, t->port, msg ? msg : "?");
				return -1;
			}
			h->fd = h->jump->fd;
			if ((r = fo_wait_fd(h->jump->fd, FO_READ | FO_WRITE, dl)) < 0) {
				wait_failed(h, fo_cancelled() ? -ECANCELED : -ETIMEDOUT, "connect");
				return -1;
			}
		}
		h->fd = h->jump->fd;
	} else if (tcp_connect(h) < 0) {
		return -1;
	}
	dl = phase_dl(h, h->c->connect_timeout);
	h->s = libssh2_session_init_ex(NULL, NULL, NULL, h);
	if (!h->s) {
		fail(h, FO_SSH_FAILED, "handshake", "out of memory for a session");
		return -1;
	}
	libssh2_session_set_blocking(h->s, 0);
	if (h->jump) {
		libssh2_session_callback_set(h->s, LIBSSH2_CALLBACK_SEND, (void *)jump_send);
		libssh2_session_callback_set(h->s, LIBSSH2_CALLBACK_RECV, (void *)jump_recv);
	}
	SSH_DO(h, dl, rc, libssh2_session_handshake(h->s, h->fd), r, handshake_wait);
	if (rc) {
		/* closed on us before the banner or during the key exchange:
		 * what sshd does to connections past MaxStartups */
		h->shed = rc == LIBSSH2_ERROR_BANNER_RECV || rc == LIBSSH2_ERROR_SOCKET_DISCONNECT ||
			  rc == LIBSSH2_ERROR_SOCKET_RECV;
		fail(h, FO_SSH_FAILED, "handshake", "ssh handshake with %s port %d: %s%s", h->addr, t->port,
		     ssh_errmsg(h), h->shed ? " (the server hung up: too many logins at once?)" : "");
		return -1;
	}
	if (check_hostkey(h) < 0 || auth(h, dl) < 0)
		return -1;
	return 0;
handshake_wait:
	wait_failed(h, r, "handshake");
	return -1;
}

/* Ends a session: a polite goodbye when it went well (never a long wait),
 * else none; then frees it and closes its socket. */
static void logout(struct host *h)
{
	if (h->s) {
		if (!h->phase) {
			int64_t bye = phase_dl(h, 100 * FO_MSEC);

			while (libssh2_session_disconnect(h->s, "done") == LIBSSH2_ERROR_EAGAIN &&
			       ssh_wait(h, bye) == 0)
				;
		} else if (!h->jump && h->fd >= 0) {
			shutdown(h->fd, SHUT_RDWR); /* so that freeing it cannot wait */
		}
		while (libssh2_session_free(h->s) == LIBSSH2_ERROR_EAGAIN)
			if (ssh_wait(h, phase_dl(h, 100 * FO_MSEC)) < 0 && !h->jump)
				shutdown(h->fd, SHUT_RDWR);
		h->s = NULL;
	}
	if (h->jch) {
		while (libssh2_channel_free(h->jch) == LIBSSH2_ERROR_EAGAIN)
			if (fo_wait_fd(h->jump->fd, FO_READ, phase_dl(h, 100 * FO_MSEC)) < 0)
				break;
		h->jch = NULL;
	}
	if (!h->jump && h->fd >= 0)
		close(h->fd);
	h->fd = -1;
}

/* ---- a host ------------------------------------------------------------------------------- */

/* A host from connect to close: connect, handshake, host key, login,
 * the commands, and every phase's result. Over 80 lines as the one place
 * that shows a host's phases in order. */
size_t fo_ssh_nres(const struct fo_ssh_target *t, const struct fo_ssh_cfg *c)
{
	if (t->copy)
		return 1;
	return c->ncmds + (c->shell && t->nconfig ? 2 : 0);
}

enum fo_ssh_status fo_ssh_host(const struct fo_ssh_target *t, const struct fo_ssh_cfg *c,
			       struct fo_ssh_res *res)
{
	struct host h = { .t = t, .c = c, .fd = -1, .failed_at = -1 };
	struct host jh = { .c = c, .fd = -1, .failed_at = -1 };
	int64_t t0 = fo_now(), login_ms = 0;
	enum fo_ssh_status worst = FO_SSH_OK;
	size_t i, nres = fo_ssh_nres(t, c);

	h.host_dl = c->host_timeout > 0 ? t0 + c->host_timeout : FO_NEVER;
	if (fo_deadline() < h.host_dl)
		h.host_dl = fo_deadline();
	memset(res, 0, nres * sizeof(*res));
	for (i = 0; i < nres; i++) {
		res[i].exit_code = -1;
		res[i].status = FO_SSH_SKIPPED;
	}
	if (t->jump) {
		/* log into the jump host first; its failure is this host's */
		jh.t = t->jump;
		jh.host_dl = h.host_dl;
		if (login(&jh) < 0) {
			fail(&h, jh.status, jh.phase, "jump host %s: %s", t->jump->name, jh.err);
			h.shed = jh.shed;
			goto fail_all;
		}
		h.jump = &jh;
	}
	if (login(&h) < 0)
		goto fail_all;
	login_ms = (fo_now() - t0) / FO_MSEC;
	if (t->copy) {
		int64_t t1 = fo_now();

		run_copy(&h, res);
		res[0].ms = (fo_now() - t1) / FO_MSEC;
		if (h.phase)
			goto fail_rest;
	} else if (c->shell) {
		run_shell(&h, res);
		if (h.phase)
			goto fail_rest;
	} else {
		for (i = 0; i < c->ncmds; i++) {
			int64_t t1 = fo_now();

			exec_one(&h, c->cmds[i], &res[i]);
			res[i].ms = (fo_now() - t1) / FO_MSEC;
			if (h.phase) {
				h.failed_at = (long)i;
				goto fail_rest;
			}
		}
	}
	goto done;
fail_all:
	for (i = 0; i < nres; i++) {
		res[i].shed = h.shed;
		res[i].status = h.status;
		res[i].phase = h.phase;
		res[i].error = strdup(h.err);
		res[i].out = strdup("");
	}
	goto done;
fail_rest:
	/* Commands before h.failed_at have their results; the failure is that
	 * command's; those after it did not run. A failure before any command
	 * (the prompt, the setup: failed_at -1) is every command's. */
	for (i = 0; i < nres; i++) {
		bool fails = h.failed_at < 0 || (size_t)h.failed_at == i;

		if (h.failed_at >= 0 && i < (size_t)h.failed_at)
			continue;
		free(res[i].error);
		res[i].phase = h.phase;
		res[i].status = fails ? h.status : FO_SSH_SKIPPED;
		res[i].error = strdup(fails ? h.err : "not run: an earlier command ended the session");
		if (!res[i].out)
			res[i].out = strdup("");
	}
done:
	if (nres && res[0].ms == 0)
		res[0].ms = login_ms;
	if (nres)
		snprintf(res[0].addr, sizeof(res[0].addr), "%s", h.addr);
	logout(&h);
	if (h.jump)
		logout(&jh);
	for (i = 0; i < nres; i++)
		if (res[i].status > worst && res[i].status != FO_SSH_SKIPPED)
			worst = res[i].status;
	if (worst == FO_SSH_OK && nres && res[0].status == FO_SSH_SKIPPED)
		worst = FO_SSH_SKIPPED;
	return worst;
}

void fo_ssh_results_release(struct fo_ssh_res *res, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(res[i].out);
		free(res[i].error);
		res[i].out = res[i].error = NULL;
	}
}
