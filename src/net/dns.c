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
 * thousands of queries overflows a server's socket buffer (unpaced, with
 * 1,024 names in flight, dnsmasq here left 2,734 tries of 28,000 names
 * unanswered), and c-ares asks again only after resolv.conf's timeout,
 * seconds later. Paced, a long list is a stream.
 */
#include <arpa/inet.h>
#include <ares.h>
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "fanout/runtime.h"
#include "../util/file.h"
#include "../util/map.h"
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

/* Addresses in text, with their family, as a name's sources give them. */
struct alist {
	size_t n;
	int fam[64];
	char txt[64][INET6_ADDRSTRLEN];
};

static void alist_add(struct alist *l, int fam, const char *txt)
{
	if (l->n < 64) {
		l->fam[l->n] = fam;
		snprintf(l->txt[l->n++], INET6_ADDRSTRLEN, "%s", txt);
	}
}

/* l as "A,B,C": IPv6 and IPv4 interleaved, IPv6 first (RFC 8305 section
 * 4), each family in the order given, each address once. Heap, or NULL
 * (none, or out of memory: *oom). */
static char *join_addrs(const struct alist *l, bool *oom)
{
	static const int fams[2] = { AF_INET6, AF_INET };
	size_t at[2] = { 0, 0 }, len = 0;
	char *out;

	if (!l->n)
		return NULL;
	out = malloc(l->n * INET6_ADDRSTRLEN + 1);
	if (!out) {
		*oom = true;
		return NULL;
	}
	out[0] = 0;
	while (at[0] < l->n || at[1] < l->n) {
		int f;

		for (f = 0; f < 2; f++) {
			size_t al;

			while (at[f] < l->n && l->fam[at[f]] != fams[f])
				at[f]++;
			if (at[f] >= l->n)
				continue;
			al = strlen(l->txt[at[f]]);
			if (!listed(out, l->txt[at[f]], al)) { /* a hosts file may list one twice */
				if (len)
					out[len++] = ',';
				memcpy(out + len, l->txt[at[f]], al + 1);
				len += al;
			}
			at[f]++;
		}
	}
	return out;
}

/* res's addresses into l. */
static void alist_of(struct alist *l, const struct ares_addrinfo *res)
{
	const struct ares_addrinfo_node *x;

	for (x = res ? res->nodes : NULL; x; x = x->ai_next) {
		char a[INET6_ADDRSTRLEN];
		const void *src = x->ai_family == AF_INET6
					  ? (const void *)&((const struct sockaddr_in6 *)x->ai_addr)->sin6_addr
					  : (const void *)&((const struct sockaddr_in *)x->ai_addr)->sin_addr;

		if ((x->ai_family == AF_INET || x->ai_family == AF_INET6) && inet_ntop(x->ai_family, src, a, sizeof(a)))
			alist_add(l, x->ai_family, a);
	}
}

/* ---- the hosts file, read once ---------------------------------------------------- */

/* c-ares 1.18 opens and parses the hosts file again for every name (five
 * system calls a name, as many as its two queries and answers take), so
 * it is read once here, and c-ares asked for DNS alone (lookups "b"):
 * files first, then DNS, as nsswitch.conf's usual "hosts: files dns". */
struct hent {
	char *name;  /* lower case */
	int fam;
	char addr[INET6_ADDRSTRLEN];
	size_t next; /* the name's next entry + 1, or 0 */
};

struct hosts {
	struct fo__map map; /* name -> its first entry + 1 */
	struct hent *e;
	size_t n, cap;
};

static void lower(char *dst, const char *src, size_t cap)
{
	size_t i;

	for (i = 0; i + 1 < cap && src[i]; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[i] = 0;
}

/* One address and name of a line. -ENOMEM or 0. */
static int hosts_add(struct hosts *h, int fam, const char *addr, const char *name)
{
	struct hent *e;
	uintptr_t first;
	char *key;

	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 16;
		struct hent *ne = realloc(h->e, cap * sizeof(*ne));

		if (!ne)
			return -ENOMEM;
		h->e = ne;
		h->cap = cap;
	}
	key = strdup(name);
	if (!key)
		return -ENOMEM;
	lower(key, name, strlen(name) + 1);
	e = &h->e[h->n];
	*e = (struct hent){ .name = key, .fam = fam, .next = 0 };
	snprintf(e->addr, sizeof(e->addr), "%s", addr);
	first = (uintptr_t)fo__map_get(&h->map, key);
	h->n++;
	if (!first)
		return fo__map_put(&h->map, key, (const void *)(uintptr_t)h->n) < 0 ? -ENOMEM : 0;
	while (h->e[first - 1].next) /* in the file's order */
		first = h->e[first - 1].next;
	h->e[first - 1].next = h->n;
	return 0;
}

/* $CARES_HOSTS, else /etc/hosts (a missing one is empty). -ENOMEM or 0. */
static int hosts_load(struct hosts *h)
{
	const char *path = getenv("CARES_HOSTS");
	char *text = NULL, *line, *save = NULL;
	size_t len = 0;
	int e = 0;

	if (!path || !*path)
		path = "/etc/hosts";
	if (fo__slurp_max(path, 64u << 20, &text, &len) < 0)
		return 0;
	for (line = strtok_r(text, "\n", &save); line && !e; line = strtok_r(NULL, "\n", &save)) {
		char *tok, *ts = NULL, *addr;
		unsigned char a[16];
		int fam;

		line[strcspn(line, "#")] = 0;
		addr = strtok_r(line, " \t\r", &ts);
		if (!addr)
			continue;
		fam = inet_pton(AF_INET, addr, a) == 1 ? AF_INET : inet_pton(AF_INET6, addr, a) == 1 ? AF_INET6 : 0;
		if (!fam)
			continue;
		while (!e && (tok = strtok_r(NULL, " \t\r", &ts)))
			e = hosts_add(h, fam, addr, tok);
	}
	free(text);
	return e;
}

/* name's addresses from the hosts file, joined; NULL when it has none. */
static char *hosts_find(const struct hosts *h, const char *name, bool *oom)
{
	char key[256];
	struct alist l;
	uintptr_t i;

	lower(key, name, sizeof(key));
	l.n = 0;
	for (i = (uintptr_t)fo__map_get(&h->map, key); i; i = h->e[i - 1].next)
		alist_add(&l, h->e[i - 1].fam, h->e[i - 1].addr);
	return join_addrs(&l, oom);
}

static void hosts_release(struct hosts *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		free(h->e[i].name);
	free(h->e);
	fo__map_free(&h->map);
}

/* ---- lookups ---------------------------------------------------------------------- */

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
	if (status == ARES_SUCCESS) {
		struct alist got;

		got.n = 0;
		alist_of(&got, res);
		nm->addrs = join_addrs(&got, &d->oom);
	}
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
					     .ai_flags = ARES_AI_NOSORT };

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
	struct hosts hf = { 0 };
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
	if (hosts_load(&hf) < 0) {
		e = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if ((names[i].addrs = hosts_find(&hf, names[i].name, &d.oom)))
			d.done++;
	o.sock_state_cb = sock_state;
	o.lookups = (char *)"b"; /* the hosts file is read above */
	o.sock_state_cb_data = &d;
	/* answers come back in bursts of thousands: room for them while we
	 * are busy (the kernel caps it at net.core.rmem_max) */
	o.socket_receive_buffer_size = 4 << 20;
	s = ares_init_options(&d.ch, &o, ARES_OPT_SOCK_STATE_CB | ARES_OPT_SOCK_RCVBUF | ARES_OPT_LOOKUPS);
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
			if (names[next].addrs) { /* from the hosts file */
				next++;
				continue;
			}
			start(&d, next++);
			tokens -= 1;
		}
		while (next < n && names[next].addrs)
			next++;
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
	hosts_release(&hf);
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
