/*
 * `fanout devices`: a fleet of simulated network devices, each its own
 * loopback address with a real SSH server in front of the device CLI of
 * engine.h, so that automation (ours, netmiko, scrapli, ansible) can be
 * tried against thousands of devices on one machine.
 *
 * Threads and tasks. One process. The runtime runs one acceptor per
 * scheduler thread (a per-worker run under coro:N, as `fanout serve`
 * does); device i's listening socket belongs to thread i % N, in that
 * thread's epoll set, which the acceptor waits on with fo_wait_fd. Every
 * connection is a coroutine (fo_go) on the thread that accepted it, so
 * all sessions of a device run on one thread: the engine's rule, with no
 * lock anywhere. A device's engine state (struct fo_dev) is made at its
 * first login, by that thread.
 *
 * libssh. We accept the socket ourselves and hand it to libssh with
 * ssh_bind_accept_fd; each thread has its own ssh_bind (one per host
 * key: the fleet's and, with --fault hostkey, the other), so that no
 * ssh_bind is shared between threads. Sessions are non-blocking: the key
 * exchange is ssh_handle_key_exchange until it stops saying SSH_AGAIN,
 * and afterwards ssh_execute_message_callbacks pumps what arrived
 * (ssh_handle_packets with a zero timeout) into the server and channel
 * callbacks, which only record what the client asked (a login, a
 * channel, a pty, a shell, an exec, bytes typed). Between pumps the task
 * does the work (the engine, the waits of --rtt and of slow devices, the
 * writes) and parks in fo_wait_fd on the session's socket: for reading,
 * and for writing while libssh holds output the socket did not take
 * (ssh_get_status's SSH_WRITE_PENDING). Nothing is done inside a
 * callback that could park, and nothing libssh keeps a pointer to (the
 * callback structs, the connection) lives on a coroutine's stack.
 *
 * What a connection costs: a coroutine slot, the libssh session (its
 * buffers and crypto state, tens of KB) and a socket.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <libssh/server.h>

#include "../cli/cli.h"
#include "../util/diag.h"
#include "../util/file.h"
#include "../util/stopsig.h"
#include "fanout/runtime.h"
#include "server_int.h"

#define MAX_CHANS 10       /* channels at once per connection (OpenSSH's sshd: 10 sessions) */
#define MAX_AUTH_TRIES 6   /* failed logins before the connection is closed (sshd's MaxAuthTries) */
#define WRITE_CHUNK 32768  /* bytes handed to libssh at once */
#define FLOOD_CHUNK 16384  /* a flooding device's output per turn */
#define ACCEPT_BATCH 64    /* connections taken from one listener before the others get a turn */
#define LISTEN_BACKLOG 128 /* per device */
#define DROP_FLUSH FO_SEC  /* how long a dropping device still tries to send what it printed */
#define KEYS_FILE_MAX ((size_t)1 << 20)

/* The counters of the stats line, over every thread. auth_failed counts
 * connections that tried credentials and never logged in; turned_away,
 * those closed at accept (--max-connections, no memory). */
struct counters {
	atomic_llong conns, logins, auth_failed, commands, active, peak, kex_failed, turned_away, dropped,
		idle_closed, backoffs;
};

/* A scheduler thread's share: its listeners and its own ssh_binds. */
struct worker {
	int ep;         /* epoll set of the listeners of devices i % nworkers == index */
	ssh_bind bind;  /* the fleet's host key */
	ssh_bind other; /* --fault hostkey: another key, or NULL */
};

struct srv {
	const struct fo_devices_cfg *cfg;
	struct fo__fleet fleet;
	struct fo_dev_fleet_cfg fc;
	long port;
	int *lfd;             /* per device, -1 when not open */
	struct fo_dev **dev;  /* per device, made at its first login by its thread */
	int nworkers;
	struct worker *w;
	ssh_key key, other_key;
	ssh_key *authkeys;
	size_t nauthkeys;
	struct counters c;
};

struct conn;

/* A channel: an exec (one command) or a shell, its engine session and
 * what goes each way. */
struct chan {
	struct conn *cn;
	ssh_channel c;
	struct ssh_channel_callbacks_struct cb;
	struct fo_dev_sess *es;
	struct fo_sbuf in, out; /* typed and not yet fed; printed and not yet sent */
	size_t sent;            /* of out */
	char *cmd;              /* exec: the command, until it runs */
	struct fo__scp *scp;    /* exec of scp -t / -f: the transfer (server_scp.c) */
	bool shell, started, peer_eof, done, hung, flooding, last_cr; /* done: closed, either side */
	int after;              /* FO_DEV_CLOSE or FO_DEV_DROP_NOW, once out is sent */
	int exit_code;
};

struct conn {
	struct srv *sv;
	struct worker *w;
	size_t dev;
	int fd;
	ssh_session s;
	struct ssh_server_callbacks_struct scb;
	struct chan *ch[MAX_CHANS];
	int auth_tries;
	bool authed, drop, fd_owned; /* fd_owned: libssh has the socket (and closes it) */
	int64_t login_deadline;
};

/* ---- callbacks: record what the client asked, nothing more --------------------- */

static bool same(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned char d = la != lb;

	/* in time that does not depend on where they differ: a habit (a simulator's
	 * password is no secret), and it costs nothing */
	for (i = 0; i < la && i < lb; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

static int on_auth_password(ssh_session s, const char *user, const char *password, void *ud)
{
	struct conn *cn = ud;

	(void)s;
	if (same(user, cn->sv->cfg->user) && same(password, cn->sv->cfg->password)) {
		cn->authed = true;
		return SSH_AUTH_SUCCESS;
	}
	cn->auth_tries++;
	return SSH_AUTH_DENIED;
}

static int on_auth_pubkey(ssh_session s, const char *user, struct ssh_key_struct *key, char state, void *ud)
{
	struct conn *cn = ud;
	size_t i;

	(void)s;
	if (same(user, cn->sv->cfg->user))
		for (i = 0; i < cn->sv->nauthkeys; i++)
			if (ssh_key_cmp(key, cn->sv->authkeys[i], SSH_KEY_CMP_PUBLIC) == 0) {
				if (state == SSH_PUBLICKEY_STATE_NONE)
					return SSH_AUTH_SUCCESS; /* a probe: "this key would do" */
				if (state != SSH_PUBLICKEY_STATE_VALID)
					break;
				cn->authed = true;
				return SSH_AUTH_SUCCESS;
			}
	cn->auth_tries++; /* a key offered and refused counts, as sshd counts it */
	return SSH_AUTH_DENIED;
}

static int on_data(ssh_session s, ssh_channel c, void *data, uint32_t len, int is_stderr, void *ud)
{
	struct chan *ch = ud;

	(void)s, (void)c, (void)is_stderr;
	/* a shell's typing, and an exec's until it started (scp's protocol
	 * starts at once: the source's first \0 may come before our turn) */
	if ((ch->shell || ch->scp || (ch->cmd && !ch->started)) && !ch->hung && !ch->after)
		fo_sbuf_add(&ch->in, data, len);
	return (int)len;
}

static void on_eof(ssh_session s, ssh_channel c, void *ud)
{
	(void)s, (void)c;
	((struct chan *)ud)->peer_eof = true;
}

static void on_close(ssh_session s, ssh_channel c, void *ud)
{
	(void)s, (void)c;
	((struct chan *)ud)->done = true;
}

static int on_pty(ssh_session s, ssh_channel c, const char *term, int w, int h, int pw, int ph, void *ud)
{
	(void)s, (void)c, (void)term, (void)w, (void)h, (void)pw, (void)ph, (void)ud;
	return 0; /* yes: the engine echoes as a pty would in a shell anyway */
}

static int on_pty_resize(ssh_session s, ssh_channel c, int w, int h, int pw, int ph, void *ud)
{
	(void)s, (void)c, (void)w, (void)h, (void)pw, (void)ph, (void)ud;
	return 0;
}

static int on_shell(ssh_session s, ssh_channel c, void *ud)
{
	struct chan *ch = ud;

	(void)s, (void)c;
	if (ch->shell || ch->cmd || ch->started)
		return -1;
	ch->shell = true;
	return 0;
}

static int on_exec(ssh_session s, ssh_channel c, const char *command, void *ud)
{
	struct chan *ch = ud;

	(void)s, (void)c;
	if (ch->shell || ch->cmd || ch->started)
		return -1;
	ch->cmd = strdup(command);
	return ch->cmd ? 0 : -1;
}

static ssh_channel on_channel_open(ssh_session s, void *ud)
{
	struct conn *cn = ud;
	struct chan *ch;
	int i;

	if (!cn->authed)
		return NULL;
	for (i = 0; i < MAX_CHANS && cn->ch[i]; i++)
		;
	if (i == MAX_CHANS || !(ch = calloc(1, sizeof(*ch))))
		return NULL;
	ch->c = ssh_channel_new(s);
	if (!ch->c) {
		free(ch);
		return NULL;
	}
	ch->cn = cn;
	ssh_callbacks_init(&ch->cb);
	ch->cb.userdata = ch;
	ch->cb.channel_data_function = on_data;
	ch->cb.channel_eof_function = on_eof;
	ch->cb.channel_close_function = on_close;
	ch->cb.channel_pty_request_function = on_pty;
	ch->cb.channel_pty_window_change_function = on_pty_resize;
	ch->cb.channel_shell_request_function = on_shell;
	ch->cb.channel_exec_request_function = on_exec;
	ssh_set_channel_callbacks(ch->c, &ch->cb);
	cn->ch[i] = ch;
	return ch->c;
}

/* ---- the session's pump and waits ------------------------------------------------ */

static bool alive(struct conn *cn)
{
	return ssh_is_connected(cn->s) && !(ssh_get_status(cn->s) & (SSH_CLOSED | SSH_CLOSED_ERROR));
}

static bool write_pending(struct conn *cn)
{
	return (ssh_get_status(cn->s) & SSH_WRITE_PENDING) != 0;
}

/* Waits for the socket as libssh needs it next. */
static int wait_session(struct conn *cn, int64_t deadline)
{
	return fo_wait_fd(cn->fd, FO_READ | (write_pending(cn) ? FO_WRITE : 0), deadline);
}

/* What a device does before a reply: the round trip, and a slow one's thinking. */
static int delay(struct conn *cn, int64_t think)
{
	int64_t d = cn->sv->cfg->rtt + think;

	return d > 0 ? fo_sleep(d) : 0;
}

/* Hands out to libssh as far as the channel's window allows: 0, or -1
 * when the channel or the session failed. */
static int send_out(struct chan *ch)
{
	while (ch->sent < ch->out.len) {
		uint32_t win = ssh_channel_window_size(ch->c);
		size_t k = ch->out.len - ch->sent;
		int w;

		if (win == 0)
			break;
		if (k > win)
			k = win;
		if (k > WRITE_CHUNK)
			k = WRITE_CHUNK;
		w = ssh_channel_write(ch->c, ch->out.p + ch->sent, (uint32_t)k);
		if (w < 0)
			return -1;
		if (w == 0)
			break;
		ch->sent += (size_t)w;
	}
	if (ch->sent == ch->out.len)
		ch->sent = ch->out.len = 0;
	return 0;
}

/* The output of a device that drops: what libssh holds goes out for up to
 * DROP_FLUSH, then the connection goes, without SSH's goodbye. */
static void drop_now(struct conn *cn)
{
	int64_t end = fo_now() + DROP_FLUSH;

	while (write_pending(cn) && alive(cn)) {
		if (fo_wait_fd(cn->fd, FO_WRITE, end) < 0)
			break;
		ssh_execute_message_callbacks(cn->s);
	}
	shutdown(cn->fd, SHUT_RDWR);
	cn->drop = true;
	atomic_fetch_add(&cn->sv->c.dropped, 1);
}

/* ---- channels: the engine behind them --------------------------------------------- */

static struct fo_dev *device(struct conn *cn)
{
	struct srv *sv = cn->sv;
	struct fo_dev *d = sv->dev[cn->dev];

	if (!d) {
		int64_t slow;
		enum fo_dev_fault f = fo__fleet_fault(&sv->fleet, cn->dev, &slow);

		d = fo_dev_new(sv->fleet.addr[cn->dev], (enum fo_dev_platform)sv->fleet.plat[cn->dev], f, &sv->fc);
		sv->dev[cn->dev] = d;
	}
	return d;
}

static int64_t slow_time(struct conn *cn, enum fo_dev_fault *f)
{
	int64_t slow;

	*f = fo__fleet_fault(&cn->sv->fleet, cn->dev, &slow);
	return *f == FO_DEV_SLOW ? slow : 0;
}

/* Lines typed: what the stats call commands (\r\n counts once). */
static long lines_in(struct chan *ch, const char *p, size_t n)
{
	long k = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\r' || (p[i] == '\n' && !ch->last_cr))
			k++;
		ch->last_cr = p[i] == '\r';
	}
	return k;
}

/* An exec channel that runs scp: the protocol's turns (scp_feed), as the
 * device's fault has it: hang says nothing, drop drops the connection at
 * once, slow thinks before its first word; corrupt and diskfull are the
 * protocol's and the store's (server_scp.c, files.c). */
static int start_scp(struct conn *cn, struct chan *ch, enum fo_dev_fault f, int64_t think)
{
	atomic_fetch_add(&cn->sv->c.commands, 1);
	if (f == FO_DEV_HANG) {
		ch->hung = true;
		ch->out.len = 0;
		ch->in.len = 0;
		return 0;
	}
	if (f == FO_DEV_DROP) {
		ch->out.len = 0;
		ch->after = FO_DEV_DROP_NOW;
		return 0;
	}
	return delay(cn, think);
}

/* What the client sent to an scp channel, to the protocol; its end ends
 * the channel with the exit status. */
static void scp_feed(struct chan *ch)
{
	int status = 0;

	if (ch->hung || ch->after)
		return;
	if (fo__scp_input(ch->scp, ch->in.p, ch->in.len, ch->peer_eof, &ch->out, &status)) {
		ch->exit_code = status;
		ch->after = FO_DEV_CLOSE;
	}
	ch->in.len = 0;
}

/* An exec channel: the command, then its output and exit status, as the
 * device's fault has it (the engine's acts are a shell's; an exec's fault
 * is carried out here). */
static int start_exec(struct conn *cn, struct chan *ch, struct fo_dev *d)
{
	enum fo_dev_fault f;
	int64_t think = slow_time(cn, &f);
	int r = fo__scp_start(&ch->scp, d, ch->cmd, &ch->out);

	if (r <= 0)
		return r < 0 ? -1 : start_scp(cn, ch, f, think);
	ch->es = fo_dev_sess_open(d, true, &ch->out);
	if (!ch->es)
		return -1;
	ch->out.len = 0; /* an exec prints no banner */
	ch->exit_code = fo_dev_exec(ch->es, ch->cmd, &ch->out);
	atomic_fetch_add(&cn->sv->c.commands, 1);
	switch (f) {
	case FO_DEV_HANG:
		ch->hung = true;
		ch->out.len = 0;
		return 0;
	case FO_DEV_DROP:
		ch->out.len /= 2; /* half way through */
		if (ch->out.p)
			ch->out.p[ch->out.len] = 0;
		ch->after = FO_DEV_DROP_NOW;
		break;
	case FO_DEV_FLOOD:
		ch->flooding = true;
		break;
	default:
		ch->after = FO_DEV_CLOSE;
	}
	return delay(cn, think);
}

static int start_shell(struct conn *cn, struct chan *ch, struct fo_dev *d)
{
	ch->es = fo_dev_sess_open(d, false, &ch->out);
	if (!ch->es)
		return -1;
	return ch->out.len ? delay(cn, 0) : 0;
}

/* Carries out the engine's acts for what it just printed. */
static int acts(struct conn *cn, struct chan *ch, int act, size_t printed)
{
	enum fo_dev_fault f;
	int64_t think = (act & FO_DEV_THINK) ? slow_time(cn, &f) : 0;

	if (act & FO_DEV_HANG_NOW) {
		ch->hung = true;
		ch->in.len = 0;
	}
	if (act & FO_DEV_FLOODING)
		ch->flooding = true;
	if (act & FO_DEV_DROP_NOW)
		ch->after = FO_DEV_DROP_NOW;
	else if (act & FO_DEV_CLOSE)
		ch->after = FO_DEV_CLOSE;
	return printed || think ? delay(cn, think) : 0;
}

/* Ends a channel from our side: exit status and EOF now, the close when
 * free_chan gives the channel back to libssh. */
static void end_chan(struct chan *ch)
{
	if (ssh_channel_is_open(ch->c)) {
		ssh_channel_request_send_exit_status(ch->c, ch->exit_code);
		ssh_channel_send_eof(ch->c);
	}
	ch->done = true;
}

static void free_chan(struct chan *ch)
{
	ssh_remove_channel_callbacks(ch->c, &ch->cb);
	ssh_channel_free(ch->c); /* sends our close; libssh frees it once both sides closed */
	if (ch->es)
		fo_dev_sess_close(ch->es);
	fo__scp_free(ch->scp);
	free(ch->in.p);
	free(ch->out.p);
	free(ch->cmd);
	free(ch);
}

/* Feeds what was typed to the engine (a shell that still listens) and
 * carries out its acts: 0, or -1 when the connection must end. */
static int feed(struct conn *cn, struct chan *ch)
{
	size_t before = ch->out.len;
	int act;

	if (ch->scp) {
		scp_feed(ch);
		return 0;
	}
	if (!ch->in.len)
		return 0;
	if (!ch->shell || ch->hung || ch->after || ch->flooding) {
		ch->in.len = 0; /* typed at a device that no longer listens */
		return 0;
	}
	atomic_fetch_add_explicit(&cn->sv->c.commands, lines_in(ch, ch->in.p, ch->in.len), memory_order_relaxed);
	act = fo_dev_sess_input(ch->es, ch->in.p, ch->in.len, &ch->out);
	ch->in.len = 0;
	return acts(cn, ch, act, ch->out.len - before);
}

/*
 * One turn of a channel after a pump: start it, feed what was typed,
 * send, carry out what the engine asked. libssh reads (and calls our
 * callbacks) inside its writes too, so input that came while we sent is
 * fed in the same turn, before an EOF that came after it is acted on.
 * Returns 1 when it has more to do at once (a flood with room), 0, or -1
 * when the connection must end.
 */
static int chan_turn(struct conn *cn, struct chan *ch)
{
	struct fo_dev *d;

	if (ch->done)
		return 0;
	if (!ch->started) {
		if (!ch->cmd && !ch->shell)
			return 0;
		ch->started = true;
		d = device(cn);
		if (!d || (ch->cmd ? start_exec(cn, ch, d) : start_shell(cn, ch, d)) < 0)
			return -1;
	}
	do {
		if (feed(cn, ch) < 0 || ch->out.oom || ch->in.oom)
			return -1;
		if (ch->hung)
			return 0;
		if (ch->flooding && ch->out.len == 0 && !write_pending(cn) && ssh_channel_window_size(ch->c) > 0)
			fo_dev_sess_flood(ch->es, FLOOD_CHUNK, &ch->out);
		if (send_out(ch) < 0)
			return -1;
		if (ch->done)
			return 0;
	} while (ch->in.len);
	if (ch->out.len)
		return 0;
	if (ch->after == FO_DEV_DROP_NOW) {
		drop_now(cn);
		return -1;
	}
	if (ch->after == FO_DEV_CLOSE || (ch->peer_eof && !ch->flooding)) {
		end_chan(ch);
		return 0;
	}
	return ch->flooding && !write_pending(cn) && ssh_channel_window_size(ch->c) > 0;
}

/* ---- a connection ------------------------------------------------------------------- */

static int key_exchange(struct conn *cn)
{
	for (;;) {
		int r = ssh_handle_key_exchange(cn->s);

		if (r == SSH_OK)
			return 0;
		if (r != SSH_AGAIN)
			return -EPROTO;
		r = wait_session(cn, cn->login_deadline);
		if (r < 0)
			return r;
	}
}

/* Every channel's turn; the finished ones freed. <0: end the connection. */
static int turns(struct conn *cn, bool *busy)
{
	int i, r;

	*busy = false;
	for (i = 0; i < MAX_CHANS; i++) {
		struct chan *ch = cn->ch[i];

		if (!ch)
			continue;
		r = chan_turn(cn, ch);
		if (r < 0)
			return r;
		*busy |= r > 0;
		if (ch->done) {
			free_chan(ch);
			cn->ch[i] = NULL;
		}
	}
	return 0;
}

static void serve_session(struct conn *cn)
{
	struct srv *sv = cn->sv;
	bool counted = false;

	if (key_exchange(cn) < 0) {
		atomic_fetch_add(&sv->c.kex_failed, 1);
		return;
	}
	if (delay(cn, 0) < 0) /* the login's round trip: the answer to it comes that much later */
		return;
	for (;;) {
		bool busy;
		int r;

		ssh_execute_message_callbacks(cn->s);
		if (!alive(cn) || cn->auth_tries >= MAX_AUTH_TRIES)
			break;
		if (cn->authed && !counted) {
			counted = true;
			atomic_fetch_add(&sv->c.logins, 1);
		}
		if (turns(cn, &busy) < 0 || cn->drop)
			break;
		if (busy) {
			fo_yield();
			if (fo_cancelled())
				break;
			continue;
		}
		r = wait_session(cn, cn->authed ? fo_now() + sv->cfg->idle : cn->login_deadline);
		if (r == -ETIMEDOUT && cn->authed)
			atomic_fetch_add(&sv->c.idle_closed, 1);
		if (r < 0)
			break;
	}
}

static void conn_free(struct conn *cn)
{
	int i;

	if (cn->s) {
		if (cn->fd_owned && !cn->drop && alive(cn))
			ssh_disconnect(cn->s); /* best effort: the goodbye may not leave */
		cn->fd_owned = cn->fd_owned || ssh_get_fd(cn->s) == cn->fd;
		ssh_free(cn->s); /* closes the socket once it has it, frees the channels */
	}
	if (!cn->fd_owned)
		close(cn->fd);
	for (i = 0; i < MAX_CHANS; i++) {
		struct chan *ch = cn->ch[i];

		if (!ch)
			continue;
		if (ch->es)
			fo_dev_sess_close(ch->es);
		fo__scp_free(ch->scp);
		free(ch->in.p);
		free(ch->out.p);
		free(ch->cmd);
		free(ch);
	}
	free(cn);
}

static int conn_task(void *arg)
{
	struct conn *cn = arg;
	struct srv *sv = cn->sv;
	ssh_bind b = cn->w->bind;
	int64_t slow;

	if (fo__fleet_fault(&sv->fleet, cn->dev, &slow) == FO_DEV_HOSTKEY && cn->w->other)
		b = cn->w->other;
	cn->s = ssh_new();
	if (cn->s && ssh_bind_accept_fd(b, cn->s, cn->fd) == SSH_OK) {
		cn->fd_owned = true;
		ssh_set_blocking(cn->s, 0);
		ssh_callbacks_init(&cn->scb);
		cn->scb.userdata = cn;
		cn->scb.auth_password_function = on_auth_password;
		cn->scb.auth_pubkey_function = on_auth_pubkey;
		cn->scb.channel_open_request_session_function = on_channel_open;
		ssh_set_server_callbacks(cn->s, &cn->scb);
		ssh_set_auth_methods(cn->s, SSH_AUTH_METHOD_PASSWORD |
						    (sv->nauthkeys ? SSH_AUTH_METHOD_PUBLICKEY : 0));
		serve_session(cn);
	}
	if (cn->auth_tries && !cn->authed)
		atomic_fetch_add(&sv->c.auth_failed, 1);
	conn_free(cn);
	atomic_fetch_sub(&sv->c.active, 1);
	return 0;
}

/* ---- accepting ------------------------------------------------------------------------ */

static void note_active(struct srv *sv, long long a)
{
	long long peak;

	while ((peak = atomic_load(&sv->c.peak)) < a && !atomic_compare_exchange_weak(&sv->c.peak, &peak, a))
		;
}

/* Takes up to ACCEPT_BATCH connections of device i: 0, or the errno that
 * stopped it other than EAGAIN. */
static int accept_some(struct srv *sv, struct worker *w, size_t i)
{
	int k;

	for (k = 0; k < ACCEPT_BATCH; k++) {
		int fd = accept4(sv->lfd[i], NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), one = 1;
		struct conn *cn;
		long long a;

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
				continue;
			return errno == EAGAIN ? 0 : errno;
		}
		atomic_fetch_add_explicit(&sv->c.conns, 1, memory_order_relaxed);
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		a = atomic_fetch_add(&sv->c.active, 1) + 1;
		cn = a <= sv->cfg->max_conns ? calloc(1, sizeof(*cn)) : NULL;
		if (!cn) {
			atomic_fetch_sub(&sv->c.active, 1);
			atomic_fetch_add(&sv->c.turned_away, 1);
			close(fd);
			continue;
		}
		note_active(sv, a);
		cn->sv = sv;
		cn->w = w;
		cn->dev = i;
		cn->fd = fd;
		cn->login_deadline = fo_now() + sv->cfg->login_grace;
		if (fo_go(conn_task, cn) < 0) {
			atomic_fetch_sub(&sv->c.active, 1);
			atomic_fetch_add(&sv->c.turned_away, 1);
			close(fd);
			free(cn);
		}
	}
	return 0;
}

static int acceptor(struct fo_job *job, void *arg)
{
	struct srv *sv = arg;
	struct worker *w = &sv->w[fo_job_index(job)];
	int64_t backoff = FO_MSEC;

	for (;;) {
		struct epoll_event ev[64];
		int n = epoll_wait(w->ep, ev, 64, 0), i, e = 0;

		if (n < 0 && errno != EINTR) {
			fo_job_errorf(job, "epoll_wait: %s", strerror(errno));
			return -errno;
		}
		if (n <= 0) {
			if (fo_wait_fd(w->ep, FO_READ, FO_NEVER) == -ECANCELED)
				break;
			continue;
		}
		for (i = 0; i < n; i++) {
			int r = accept_some(sv, w, ev[i].data.u32);

			if (r)
				e = r;
		}
		if (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM) {
			/* out of descriptors: serve what we have, then try again */
			atomic_fetch_add(&sv->c.backoffs, 1);
			if (fo_sleep(backoff) == -ECANCELED)
				break;
			if (backoff < FO_SEC / 4)
				backoff *= 2;
			continue;
		}
		backoff = FO_MSEC;
		fo_yield();
		if (fo_cancelled())
			break;
	}
	return 0;
}

/* ---- setting up ------------------------------------------------------------------------ */

/* --host-key FILE: read it, or make it there when it is missing; none: a
 * new ed25519 key. 0, or 1 with the reason printed. */
static int host_key(const char *path, ssh_key *key)
{
	struct stat st;
	char *b64 = NULL;
	int e;

	if (path && stat(path, &st) == 0) {
		if (ssh_pki_import_privkey_file(path, NULL, NULL, NULL, key) != SSH_OK) {
			fprintf(stderr, "fanout: cannot read host key '%s': not a private key libssh reads "
					"(without a passphrase)\n", path);
			return 1;
		}
		return 0;
	}
	if (ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, key) != SSH_OK) {
		fprintf(stderr, "fanout: cannot make an ed25519 host key\n");
		return 1;
	}
	if (!path)
		return 0;
	if (ssh_pki_export_privkey_base64(*key, NULL, NULL, NULL, &b64) != SSH_OK) {
		fprintf(stderr, "fanout: cannot write host key '%s'\n", path);
		return 1;
	}
	e = fo__write_file(path, b64, strlen(b64), 0600, true);
	ssh_string_free_char(b64);
	if (e) {
		fprintf(stderr, "fanout: cannot write host key '%s': %s\n", path, strerror(-e));
		return 1;
	}
	return 0;
}

/* One line of an authorized_keys file: [options] TYPE BASE64 [comment]. */
static int authorized_line(struct srv *sv, char *line)
{
	char *tok, *save = NULL;
	enum ssh_keytypes_e type = SSH_KEYTYPE_UNKNOWN;
	ssh_key k = NULL, *more;

	for (tok = strtok_r(line, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (type != SSH_KEYTYPE_UNKNOWN)
			break;
		type = ssh_key_type_from_name(tok);
	}
	if (!tok || ssh_pki_import_pubkey_base64(tok, type, &k) != SSH_OK)
		return -EINVAL;
	more = realloc(sv->authkeys, (sv->nauthkeys + 1) * sizeof(*more));
	if (!more) {
		ssh_key_free(k);
		return -ENOMEM;
	}
	sv->authkeys = more;
	sv->authkeys[sv->nauthkeys++] = k;
	return 0;
}

static int authorized_keys(struct srv *sv, const char *path)
{
	char *text, *line, *save = NULL;
	size_t len;
	int e = fo__slurp_max(path, KEYS_FILE_MAX, &text, &len), n = 0;

	if (e) {
		fprintf(stderr, "fanout: cannot read authorized keys '%s': %s\n", path,
			e == -EFBIG ? "larger than 1 MiB" : strerror(-e));
		return 1;
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		n++;
		line[strcspn(line, "\r")] = 0;
		if (!line[strspn(line, " \t")] || line[strspn(line, " \t")] == '#')
			continue;
		if ((e = authorized_line(sv, line)) < 0) {
			fprintf(stderr, "fanout: cannot read authorized keys '%s': line %d: %s\n", path, n,
				e == -ENOMEM ? "out of memory" : "expected TYPE BASE64 [comment], such as ssh-ed25519 AAAA...");
			free(text);
			return 1;
		}
	}
	free(text);
	if (!sv->nauthkeys) {
		fprintf(stderr, "fanout: authorized keys '%s' holds no key\n", path);
		return 1;
	}
	return 0;
}

static ssh_bind make_bind(ssh_key key)
{
	ssh_bind b = ssh_bind_new();
	ssh_key k = ssh_key_dup(key);
	int verbosity = SSH_LOG_NOLOG;
	bool no = false;

	if (!b || !k || ssh_bind_options_set(b, SSH_BIND_OPTIONS_LOG_VERBOSITY, &verbosity) < 0 ||
	    ssh_bind_options_set(b, SSH_BIND_OPTIONS_PROCESS_CONFIG, &no) < 0 ||
	    ssh_bind_options_set(b, SSH_BIND_OPTIONS_IMPORT_KEY, k) < 0) {
		ssh_key_free(k);
		if (b)
			ssh_bind_free(b);
		return NULL;
	}
	return b; /* it owns k now */
}

/*
 * Descriptors: one listening socket per device, one per connection, and
 * a few of our own. Raises the limit as far as it goes (past the hard
 * limit where the process may: CAP_SYS_RESOURCE). 0, or 2 with the
 * numbers said.
 */
static int check_nofile(const struct srv *sv)
{
	long n = (long)sv->fleet.n, need = n + 64, lim = fo_raise_nofile();

	if (lim < need + 1024) {
		struct rlimit rl = { (rlim_t)(need + 65536), (rlim_t)(need + 65536) };

		if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
			lim = (long)rl.rlim_cur;
	}
	if (lim < need) {
		fprintf(stderr,
			"fanout: %ld devices need %ld file descriptors (a listening socket each, and a few) and one "
			"more per connection, but RLIMIT_NOFILE allows %ld here: raise it (ulimit -n, LimitNOFILE=) "
			"or ask for fewer devices (-n %ld leaves 1000 for connections)\n",
			n, need, lim, lim > 1064 + 64 ? lim - 1064 : 1);
		return 2;
	}
	if (lim - need < 1000)
		fprintf(stderr, "fanout: note: RLIMIT_NOFILE %ld leaves %ld connections at once over the fleet "
				"(raise it with ulimit -n)\n", lim, lim - need);
	return 0;
}

static int listen_one(struct srv *sv, size_t i)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;
	char a[16];

	sa.sin_addr.s_addr = htonl(sv->fleet.addr[i]);
	sa.sin_port = htons((uint16_t)sv->port);
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, LISTEN_BACKLOG) < 0) {
		int e = errno;

		fprintf(stderr, "fanout: cannot listen on %s port %ld: %s%s\n",
			fo__addr_text(sv->fleet.addr[i], a, sizeof(a)), sv->port, strerror(e),
			e == EADDRINUSE ? " (is another server on that port? pick another --port)"
			: e == EACCES ? " (ports below 1024 need root: pick another --port)" : "");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (sv->port == 0) {
		socklen_t sl = sizeof(sa);

		getsockname(fd, (struct sockaddr *)&sa, &sl);
		sv->port = ntohs(sa.sin_port);
	}
	sv->lfd[i] = fd;
	return 0;
}

/* The listeners, each in its thread's epoll set: 0, or 2. */
static int open_listeners(struct srv *sv)
{
	size_t i;

	for (i = 0; i < sv->fleet.n; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)i };

		if (listen_one(sv, i) < 0)
			return 2;
		if (epoll_ctl(sv->w[i % (size_t)sv->nworkers].ep, EPOLL_CTL_ADD, sv->lfd[i], &ev) < 0) {
			fprintf(stderr, "fanout: epoll_ctl: %s\n", strerror(errno));
			return 1;
		}
	}
	return 0;
}

static int make_workers(struct srv *sv, const struct fo_model *m)
{
	int i;

	sv->nworkers = fo_model_workers(m);
	sv->w = calloc((size_t)sv->nworkers, sizeof(*sv->w));
	if (!sv->w)
		return 1;
	for (i = 0; i < sv->nworkers; i++) {
		struct worker *w = &sv->w[i];

		w->ep = epoll_create1(EPOLL_CLOEXEC);
		w->bind = make_bind(sv->key);
		if (sv->other_key)
			w->other = make_bind(sv->other_key);
		if (w->ep < 0 || !w->bind || (sv->other_key && !w->other)) {
			fprintf(stderr, "fanout: cannot set up thread %d's server: %s\n", i,
				w->ep < 0 ? strerror(errno) : "libssh refused the host key");
			return 1;
		}
	}
	return 0;
}

static bool has_fault(const struct fo__fleet *f, enum fo_dev_fault kind)
{
	size_t k;

	for (k = 0; k < f->nfaults; k++)
		if (f->faults[k].kind == kind && f->faults[k].devices)
			return true;
	return false;
}

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void say_stopped(struct srv *sv, double cpu)
{
	long long logins = atomic_load(&sv->c.logins);
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	printf("fanout devices: stopped: %lld logins, %lld refused, %lld commands, %lld connections "
	       "(peak %lld at once), CPU %.2fs serving",
	       logins, atomic_load(&sv->c.auth_failed), atomic_load(&sv->c.commands), atomic_load(&sv->c.conns),
	       atomic_load(&sv->c.peak), cpu);
	if (logins)
		printf(" (%.3f ms per login)", cpu * 1e3 / (double)logins);
	printf(", peak RSS %.1f MB", (double)ru.ru_maxrss / 1024.0);
	if (atomic_load(&sv->c.kex_failed))
		printf(", %lld key exchanges failed", atomic_load(&sv->c.kex_failed));
	if (atomic_load(&sv->c.dropped))
		printf(", %lld dropped (fault)", atomic_load(&sv->c.dropped));
	if (atomic_load(&sv->c.idle_closed))
		printf(", %lld closed idle", atomic_load(&sv->c.idle_closed));
	if (atomic_load(&sv->c.turned_away))
		printf(", %lld turned away (--max-connections)", atomic_load(&sv->c.turned_away));
	if (atomic_load(&sv->c.backoffs))
		printf(", %lld accept back-offs (out of descriptors)", atomic_load(&sv->c.backoffs));
	printf("\n");
	fflush(stdout);
}

/* The files that describe the fleet, and the start-up line. */
static int announce(struct srv *sv)
{
	const struct fo_devices_cfg *cfg = sv->cfg;
	struct fo_sbuf line = { 0 };

	if (cfg->inventory && fo__fleet_write_inventory(&sv->fleet, cfg, sv->port, cfg->inventory))
		return 1;
	if (cfg->known_hosts) {
		char *b64 = NULL;
		int r;

		if (ssh_pki_export_pubkey_base64(sv->key, &b64) != SSH_OK)
			return 1;
		r = fo__fleet_write_known_hosts(&sv->fleet, sv->port, ssh_key_type_to_char(ssh_key_type(sv->key)), b64,
						cfg->known_hosts);
		ssh_string_free_char(b64);
		if (r)
			return r;
	}
	fo__fleet_describe(&sv->fleet, sv->port, &line);
	if (line.oom)
		return 1;
	printf("fanout devices: %s\n", line.p);
	fflush(stdout);
	free(line.p);
	return 0;
}

static int serve(struct srv *sv, struct fo_run_opts *o)
{
	struct fo_stopsig stop = { 0 };
	struct fo_run *run;
	double cpu0;
	int e, rc = 0;
	size_t k;

	signal(SIGPIPE, SIG_IGN);
	if ((e = fo__stopsig_start(&stop)) < 0) {
		fprintf(stderr, "fanout: cannot start the signal thread: %s\n", fo_strerror(e));
		return 1;
	}
	if ((rc = announce(sv)) == 0) {
		cpu0 = cpu_seconds();
		o->per_worker = true;
		o->fn = acceptor;
		o->arg = sv;
		o->keep_results = true;
		run = fo_run(o, &e);
		if (!run) {
			fprintf(stderr, "fanout: cannot start the scheduler threads: %s\n", fo_strerror(e));
			rc = 1;
		} else {
			say_stopped(sv, cpu_seconds() - cpu0);
			for (k = 0; k < fo_run_stats(run)->ntasks; k++) {
				const struct fo_result *r = fo_run_result(run, k);

				if (r && r->status == FO_FAILED && r->error) {
					fprintf(stderr, "fanout: devices thread %zu: %s\n", k, r->error);
					rc = 1;
				}
			}
			fo_run_free(run);
		}
	}
	fo__stopsig_stop(&stop);
	return rc;
}

static void srv_release(struct srv *sv)
{
	size_t i;

	for (i = 0; sv->lfd && i < sv->fleet.n; i++)
		if (sv->lfd[i] >= 0) {
			shutdown(sv->lfd[i], SHUT_RDWR);
			close(sv->lfd[i]);
		}
	for (i = 0; sv->dev && i < sv->fleet.n; i++)
		if (sv->dev[i])
			fo_dev_free(sv->dev[i]);
	for (i = 0; sv->w && i < (size_t)sv->nworkers; i++) {
		if (sv->w[i].ep >= 0)
			close(sv->w[i].ep);
		if (sv->w[i].bind)
			ssh_bind_free(sv->w[i].bind);
		if (sv->w[i].other)
			ssh_bind_free(sv->w[i].other);
	}
	for (i = 0; i < sv->nauthkeys; i++)
		ssh_key_free(sv->authkeys[i]);
	free(sv->authkeys);
	ssh_key_free(sv->key);
	ssh_key_free(sv->other_key);
	free(sv->w);
	free(sv->lfd);
	free(sv->dev);
	fo__fleet_release(&sv->fleet);
}

/* Keys, descriptors, threads' binds, listeners: 0 or the exit code. */
static int set_up(struct srv *sv, const struct fo_model *m)
{
	const struct fo_devices_cfg *cfg = sv->cfg;
	size_t i;
	int rc;

	if ((rc = fo__fleet_init(&sv->fleet, cfg)) != 0)
		return rc;
	if (cfg->authorized_keys && (rc = authorized_keys(sv, cfg->authorized_keys)) != 0)
		return rc;
	if ((rc = host_key(cfg->host_key, &sv->key)) != 0)
		return rc;
	if (has_fault(&sv->fleet, FO_DEV_HOSTKEY) && (rc = host_key(NULL, &sv->other_key)) != 0)
		return rc;
	if ((rc = check_nofile(sv)) != 0)
		return rc;
	sv->lfd = malloc(sv->fleet.n * sizeof(*sv->lfd));
	sv->dev = calloc(sv->fleet.n, sizeof(*sv->dev));
	if (!sv->lfd || !sv->dev)
		return 1;
	for (i = 0; i < sv->fleet.n; i++)
		sv->lfd[i] = -1;
	if ((rc = make_workers(sv, m)) != 0)
		return rc;
	return open_listeners(sv);
}

int fo_devices_run(const struct fo_devices_cfg *cfg)
{
	struct srv sv;
	struct fo_run_opts o;
	int rc;

	memset(&sv, 0, sizeof(sv));
	memset(&o, 0, sizeof(o));
	sv.cfg = cfg;
	sv.fc.user = cfg->user;
	sv.fc.secret = cfg->secret;
	sv.port = cfg->port_given ? cfg->port : geteuid() == 0 ? 22 : 2222;
	o.model = fo_model_default();
	if (cfg->threads)
		o.model.threads = (int)cfg->threads;
	o.stack_size = fo__cli_stack_size(&o.model, 512 * 1024);
	if (ssh_init() < 0) {
		fprintf(stderr, "fanout: cannot start libssh\n");
		return 1;
	}
	rc = set_up(&sv, &o.model);
	if (!rc)
		rc = serve(&sv, &o);
	srv_release(&sv);
	ssh_finalize();
	return rc;
}

int fo_devices_main(int argc, char **argv)
{
	struct fo_devices_cfg cfg;
	struct fo_optres res;
	int r;

	memset(&cfg, 0, sizeof(cfg));
	r = fo_opts_parse(&fo_devices_opts, &cfg, argc, argv, &res);
	if (!r) {
		cfg.port_given = fo_opts_given(&fo_devices_opts, &res, "port");
		r = fo_devices_run(&cfg);
	} else {
		r = r == FO_OPTS_HELP ? 0 : 2;
	}
	fo_opts_release(&fo_devices_opts, &cfg, &res); /* after the run: --fault's list is the table's */
	return r;
}
