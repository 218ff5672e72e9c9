/*
 * The asynchronous resolver (dns.h): one c-ares channel for all the names
 * of a run, its sockets in an epoll set of our own that the calling task
 * waits on with fo_wait_fd, so that the task parks (or the thread blocks
 * in ppoll) until any of c-ares's sockets is ready, whatever model runs it.
 *
 * c-ares tells us which sockets to watch through its socket-state callback
 * (sock_state), which edits the epoll set; we hand every ready socket back
 * to ares_process_fd. Its per-try timeouts are processed on every call, and
 * on a 50 ms tick when nothing is readable: ares_timeout() would tell the
 * next one exactly, but walks every query in flight (O(n) in c-ares 1.18),
 * which 8,000 queries in flight make the main cost; a tick costs one
 * wake-up per 50 ms of waiting.
 *
 * At most cfg->window lookups are in flight, and they start at most
 * cfg->rate a second (a token bucket holding FO_DNS_BURST): a burst of
 * thousands of queries overflows a server's socket buffer (dnsmasq's here
 * lost a fifth of 1,024 sent at once), and c-ares asks again only after
 * resolv.conf's timeout, seconds later. Paced, a long list is a stream.
 */
#include <arpa/inet.h>
#include <ares.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "fanout/runtime.h"
#include "dns.h"

/* The tick that processes c-ares's timeouts while nothing is readable. */
#define TICK (50 * FO_MSEC)

struct lookup;

struct dns {
	ares_channel ch;
	int epfd;
	struct fo_dns_name *names;
	struct lookup *lk;
	size_t inflight, done, timeouts;
	bool oom;
};

/* One name's lookup: c-ares's callback argument. */
struct lookup {
	struct dns *d;
	size_t i;
};

int fo_dns_global_init(void)
{
	return ares_library_init(ARES_LIB_INIT_ALL) == ARES_SUCCESS ? 0 : -EIO;
}

/* c-ares opens, closes or changes interest in a socket: mirror it in the
 * epoll set. */
static void sock_state(void *arg, ares_socket_t fd, int readable, int writable)
{
	struct dns *d = arg;
	struct epoll_event ev = { .events = (readable ? EPOLLIN : 0u) | (writable ? EPOLLOUT : 0u),
				  .data.fd = fd };

	if (!readable && !writable) {
		epoll_ctl(d->epfd, EPOLL_CTL_DEL, fd, NULL);
		return;
	}
	if (epoll_ctl(d->epfd, EPOLL_CTL_MOD, fd, &ev) < 0 && errno == ENOENT)
		epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev);
}

static char *msgf(const char *fmt, const char *name, const char *why)
{
	size_t len = strlen(fmt) + strlen(name) + strlen(why);
	char *m = malloc(len);

	if (m)
		snprintf(m, len, fmt, name, why);
	return m;
}

/* Is the address a (length al) already in the list out? */
static bool listed(const char *out, const char *a, size_t al)
{
	while (*out) {
		size_t l = strcspn(out, ",");

		if (l == al && !strncmp(out, a, al))
			return true;
		out += l + (out[l] == ',');
	}
	return false;
}

/* The next node of res->nodes from *n on of family f, moving *n past it. */
static const struct ares_addrinfo_node *next_of(const struct ares_addrinfo_node **n, int f)
{
	const struct ares_addrinfo_node *r;

	while (*n && (*n)->ai_family != f)
		*n = (*n)->ai_next;
	r = *n;
	if (r)
		*n = r->ai_next;
	return r;
}

/* The numeric addresses of res as "A,B,C": IPv6 and IPv4 interleaved, IPv6
 * first (RFC 8305 section 4), each family in the order DNS gave it, each
 * address once. Heap, or NULL (none, or out of memory: *oom). */
static char *join_addrs(const struct ares_addrinfo *res, bool *oom)
{
	static const int fams[2] = { AF_INET6, AF_INET };
	const struct ares_addrinfo_node *n, *at[2];
	size_t cap = 1, len = 0;
	char *out;

	for (n = res ? res->nodes : NULL; n; n = n->ai_next)
		cap += INET6_ADDRSTRLEN + 1;
	if (cap == 1)
		return NULL;
	out = malloc(cap);
	if (!out) {
		*oom = true;
		return NULL;
	}
	out[0] = 0;
	at[0] = at[1] = res->nodes;
	while (at[0] || at[1]) {
		int f;

		for (f = 0; f < 2; f++) {
			const struct ares_addrinfo_node *x = next_of(&at[f], fams[f]);
			char a[INET6_ADDRSTRLEN];
			const void *src;
			size_t al;

			if (!x)
				continue;
			src = fams[f] == AF_INET6 ? (const void *)&((const struct sockaddr_in6 *)x->ai_addr)->sin6_addr
						  : (const void *)&((const struct sockaddr_in *)x->ai_addr)->sin_addr;
			if (!inet_ntop(fams[f], src, a, sizeof(a)))
				continue;
			al = strlen(a);
			if (listed(out, a, al)) /* a hosts file may list one twice */
				continue;
			if (len)
				out[len++] = ',';
			memcpy(out + len, a, al + 1);
			len += al;
		}
	}
	if (!len) {
		free(out);
		return NULL;
	}
	return out;
}

static void on_answer(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
	struct lookup *l = arg;
	struct dns *d = l->d;
	struct fo_dns_name *nm = &d->names[l->i];

	d->timeouts += (size_t)(timeouts > 0 ? timeouts : 0);
	if (status == ARES_EDESTRUCTION || status == ARES_ECANCELLED) {
		/* the channel is going away: fo_dns_resolve says why */
		ares_freeaddrinfo(res);
		return;
	}
	d->inflight--;
	d->done++;
	if (status == ARES_SUCCESS)
		nm->addrs = join_addrs(res, &d->oom);
	if (!nm->addrs && !d->oom)
		nm->error = msgf("cannot resolve '%s': %s", nm->name,
				 status == ARES_SUCCESS ? "no addresses" : ares_strerror(status));
	if (!nm->addrs && !nm->error)
		d->oom = true;
	ares_freeaddrinfo(res);
}

/* Starts the lookup of name i. */
static void start(struct dns *d, size_t i)
{
	struct ares_addrinfo_hints hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
					     .ai_flags = ARES_AI_NOSORT | ARES_AI_ENVHOSTS };

	d->lk[i] = (struct lookup){ d, i };
	d->inflight++;
	/* the answer may come at once (a hosts file, a bad name): on_answer */
	ares_getaddrinfo(d->ch, d->names[i].name, NULL, &hints, on_answer, &d->lk[i]);
}

/* Hands every ready socket to c-ares; on the tick, its timeouts alone. */
static void process(struct dns *d, bool tick)
{
	struct epoll_event ev[64];
	int k, n;

	if (tick) {
		ares_process_fd(d->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
		return;
	}
	n = epoll_wait(d->epfd, ev, 64, 0);
	for (k = 0; k < n; k++) {
		int fd = ev[k].data.fd;

		ares_process_fd(d->ch, ev[k].events & (EPOLLIN | EPOLLERR | EPOLLHUP) ? fd : ARES_SOCKET_BAD,
				ev[k].events & EPOLLOUT ? fd : ARES_SOCKET_BAD);
	}
	if (n <= 0)
		ares_process_fd(d->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
}

/* The names without an answer when the lookups stop: why. */
static void unanswered(struct dns *d, size_t n, const char *why)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!d->names[i].addrs && !d->names[i].error) {
			d->names[i].error = msgf("cannot resolve '%s': %s", d->names[i].name, why);
			if (!d->names[i].error)
				d->oom = true;
		}
}

int fo_dns_resolve(const struct fo_dns_cfg *cfg, struct fo_dns_name *names, size_t n, char *err,
		   size_t errlen)
{
	struct ares_options o = { 0 };
	struct dns d = { .epfd = -1, .names = names };
	int64_t timeout = cfg->timeout > 0 ? cfg->timeout : 10 * FO_SEC, dl = fo_now() + timeout;
	size_t window = cfg->window ? cfg->window : FO_DNS_WINDOW, next = 0;
	double rate = cfg->rate > 0 ? cfg->rate : FO_DNS_RATE, tokens = FO_DNS_BURST;
	int64_t filled = fo_now();
	const char *stop = NULL;
	char why[64];
	int e = 0, s;

	if (!n)
		return 0;
	d.lk = calloc(n, sizeof(*d.lk));
	d.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!d.lk || d.epfd < 0) {
		e = d.lk ? -errno : -ENOMEM;
		snprintf(err, errlen, "cannot start the resolver: %s", strerror(-e));
		goto out;
	}
	o.sock_state_cb = sock_state;
	o.sock_state_cb_data = &d;
	/* answers come back in bursts of thousands: room for them while we
	 * are busy (the kernel caps it at net.core.rmem_max) */
	o.socket_receive_buffer_size = 4 << 20;
	s = ares_init_options(&d.ch, &o, ARES_OPT_SOCK_STATE_CB | ARES_OPT_SOCK_RCVBUF);
	if (s != ARES_SUCCESS) {
		e = s == ARES_ENOMEM ? -ENOMEM : -EIO;
		snprintf(err, errlen, "cannot start the resolver: %s", ares_strerror(s));
		goto out;
	}
	if (cfg->servers && (s = ares_set_servers_ports_csv(d.ch, cfg->servers)) != ARES_SUCCESS) {
		e = -EINVAL;
		snprintf(err, errlen, "bad --dns '%s': %s", cfg->servers,
			 s == ARES_EBADSTR ? "expected IP[:PORT] or [IPV6]:PORT, comma-separated" : ares_strerror(s));
		goto out;
	}
	while (d.done < n && !d.oom) {
		int64_t now = fo_now(), due, w;

		tokens += (double)(now - filled) * rate / 1e9;
		if (tokens > FO_DNS_BURST)
			tokens = FO_DNS_BURST;
		filled = now;
		while (next < n && d.inflight < window && tokens >= 1) {
			start(&d, next++);
			tokens -= 1;
		}
		if (d.done == n || d.oom)
			break;
		if (now >= dl) {
			snprintf(why, sizeof(why), "no answer within %.3gs (--dns-timeout)", (double)timeout / 1e9);
			stop = why;
			break;
		}
		due = now + TICK;
		if (next < n && d.inflight < window) /* waiting for tokens: until a burst's worth is back */
			due = now + (int64_t)(FO_DNS_BURST * 1e9 / rate);
		w = fo_wait_fd(d.epfd, FO_READ, due < dl ? due : dl);
		if (w == -ECANCELED) {
			stop = "not resolved (interrupted)";
			break;
		}
		process(&d, w == -ETIMEDOUT);
	}
	if (d.oom) {
		e = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	unanswered(&d, n, stop ? stop : "not resolved");
	if (cfg->stats) {
		size_t i;

		*cfg->stats = (struct fo_dns_stats){ .timeouts = d.timeouts };
		for (i = 0; i < n; i++)
			names[i].addrs ? cfg->stats->resolved++ : cfg->stats->failed++;
	}
out:
	if (d.ch)
		ares_destroy(d.ch); /* the lookups left are called back with ARES_EDESTRUCTION */
	if (d.epfd >= 0)
		close(d.epfd);
	free(d.lk);
	return e;
}

void fo_dns_names_release(struct fo_dns_name *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(names[i].addrs);
		free(names[i].error);
		names[i].addrs = names[i].error = NULL;
	}
}
