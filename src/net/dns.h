/*
 * Names to addresses for a whole run at once, asynchronously: c-ares, every
 * lookup of the run through one channel, its sockets driven by the
 * runtime's waits (one epoll set holding c-ares's sockets, waited on with
 * fo_wait_fd), so resolving is one wait for many names rather than a
 * blocking getaddrinfo per name on a pool of threads.
 *
 * Each name gets A and AAAA (ares_getaddrinfo, AF_UNSPEC). The hosts file
 * ($CARES_HOSTS, else /etc/hosts) is read once and answers first, as
 * nsswitch.conf's usual "files dns"; /etc/resolv.conf names the servers,
 * search domains, per-try timeout and attempts, as the C library reads it
 * (c-ares reads it; $RES_OPTIONS adds options).
 *
 * Ownership: fo_dns_resolve fills names[i].addrs and names[i].error with
 * heap strings the caller frees (fo_dns_names_release); it keeps no pointer
 * to its arguments.
 */
#ifndef FO_NET_DNS_H
#define FO_NET_DNS_H

#include <stddef.h>
#include <stdint.h>

/* What a fo_dns_resolve came to, for benchmarks and diagnostics. */
struct fo_dns_stats {
	size_t resolved, failed; /* names with addresses, names without */
	size_t timeouts;         /* tries that went unanswered (c-ares then asked again) */
};

struct fo_dns_cfg {
	const char *servers; /* "IP[:PORT],[IPV6]:PORT,..." instead of resolv.conf's; NULL: resolv.conf's */
	int64_t timeout;     /* bound on the whole lookup of every name, ns; 0: 10 s */
	size_t window;       /* lookups in flight at most; 0: FO_DNS_WINDOW */
	double rate;         /* lookups started per second at most; 0: FO_DNS_RATE */
	struct fo_dns_stats *stats; /* filled when not NULL */
};

/* Lookups in flight at once by default: enough that 28,000 names behind a
 * 50 ms resolver take a few round trips, few enough that two queries per
 * name stay well inside DNS's 65,536 query ids and a resolver's socket
 * buffer is not flooded at once (bench/dns/ measures it). */
#define FO_DNS_WINDOW 4096

/* Lookups started per second by default, in bursts of FO_DNS_BURST at
 * most: a server's socket holds a few hundred queries, and what a burst
 * overflows is lost until c-ares asks again, seconds later (resolv.conf's
 * timeout). dnsmasq on this 2-core machine under load lost queries from
 * 20,000 names a second (40,000 queries) on; at 10,000 it lost none, and
 * 28,000 names take about 3 s (bench/dns/). A bigger resolver takes more:
 * --dns-rate. */
#define FO_DNS_RATE 10000
#define FO_DNS_BURST 64

struct fo_dns_name {
	const char *name; /* in: the name (the caller's) */
	char *addrs;      /* out: the numeric addresses, comma-separated, IPv6 and IPv4
			   * interleaved, IPv6 first (RFC 8305); NULL when none */
	char *error;      /* out: why there are none, for people ("cannot resolve
			   * 'x': Domain name not found"), or NULL */
};

/* Once per process, before threads: 0 or -EIO. */
int fo_dns_global_init(void);

/*
 * Resolves names[0..n) until each has addresses or an error, the timeout
 * passes or the run is interrupted (the names left get an error saying
 * which). Call from a task or a plain thread: it blocks in fo_wait_fd.
 * Returns 0, or -errno when the resolver cannot start at all (err says
 * why: a bad --dns list, say).
 */
int fo_dns_resolve(const struct fo_dns_cfg *cfg, struct fo_dns_name *names, size_t n, char *err,
		   size_t errlen);

/* Frees what fo_dns_resolve put in names[0..n). */
void fo_dns_names_release(struct fo_dns_name *names, size_t n);

#endif
