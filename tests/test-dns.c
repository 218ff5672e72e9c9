/*
 * `fanout run`'s names (src/net/dns.c, src/net/connect.c) against a real
 * DNS server on loopback: dnsmasq, started by each test with a zone of its
 * own (a hosts-format file: several lines for a name give it several
 * addresses; names under fleet.test it does not list are NXDOMAIN), and a
 * "server" that never answers (a UDP socket this test opens and never
 * reads). The tcp task connects to what the names resolve to, so a result
 * shows both the resolver's words and every address tried.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../src/net/dns.h"
#include "proc.h"
#include "test.h"

/* 28,000 names, the fleet; a tenth under a sanitizer, where the
 * same test took 186 s of the 240 (28,000 refused connects and their JSON) */
static int nnames = 28000;

struct dnsd {
	pid_t pid;
	int out; /* its stdout and stderr */
	char port[16];
};

/* A free loopback port of the given type: bound, read, closed. */
static int free_port(int type)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, type, 0), p;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(fd >= 0);
	CHECK_EQ(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	CHECK_EQ(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	p = ntohs(sa.sin_port);
	close(fd);
	return p;
}

/* A loopback port free for both UDP and TCP (dnsmasq takes both). */
static int free_port_both(void)
{
	for (;;) {
		int p = free_port(SOCK_DGRAM), fd = socket(AF_INET, SOCK_STREAM, 0), ok;
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)p) };

		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		ok = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
		close(fd);
		if (ok)
			return p;
	}
}

/* A UDP socket on loopback that is never read: a name server that never
 * answers. Its port in port. */
static int dead_server(char port[16])
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK_EQ(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	CHECK_EQ(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	snprintf(port, 16, "%d", ntohs(sa.sin_port));
	return fd;
}

/* dnsmasq serving hosts (a hosts-format file) and NXDOMAIN for the rest of
 * fleet.test, on 127.0.0.1; up once probe resolves through it. */
static void dnsd_start(struct dnsd *d, const char *hosts, const char *probe)
{
	char portarg[32], hostsarg[300], pidarg[300], servers[40];
	const char *argv[16];
	int n = 0;
	long long until;

	if (access("/usr/sbin/dnsmasq", X_OK) != 0)
		fo_test_skip("dnsmasq is not installed (scripts/deps.sh test)");
	snprintf(d->port, sizeof(d->port), "%d", free_port_both());
	snprintf(portarg, sizeof(portarg), "--port=%s", d->port);
	snprintf(hostsarg, sizeof(hostsarg), "--addn-hosts=%s", hosts);
	snprintf(pidarg, sizeof(pidarg), "--pid-file=%s/dnsmasq.pid", fo_test_dir());
	argv[n++] = "/usr/sbin/dnsmasq";
	argv[n++] = "--keep-in-foreground";
	argv[n++] = "--conf-file=/dev/null";
	argv[n++] = "--no-resolv";
	argv[n++] = "--no-hosts";
	argv[n++] = "--listen-address=127.0.0.1";
	argv[n++] = "--bind-interfaces";
	argv[n++] = "--local=/fleet.test/";
	argv[n++] = portarg;
	argv[n++] = hostsarg;
	argv[n++] = pidarg;
	if (getuid() == 0)
		argv[n++] = "--user=root"; /* else it drops to nobody, who may not read the zone */
	argv[n] = NULL;
	d->pid = fo_test_spawn(argv, &d->out, FO_TEST_ERR_OUT, 0);
	snprintf(servers, sizeof(servers), "127.0.0.1:%s", d->port);
	CHECK_EQ(fo_dns_global_init(), 0);
	until = fo_test_now_ms() + 20000LL * fo_test_scale();
	for (;;) {
		struct fo_dns_cfg c = { .servers = servers, .timeout = 500 * 1000000LL };
		struct fo_dns_name nm = { .name = probe };
		char err[200] = "";
		bool up;

		CHECK_EQ(fo_dns_resolve(&c, &nm, 1, err, sizeof(err)), 0);
		up = nm.addrs != NULL;
		fo_dns_names_release(&nm, 1);
		if (up)
			break;
		if (fo_test_now_ms() >= until) {
			char *said = NULL;
			size_t len = 0;

			fo_test_read_until(d->out, &said, &len, NULL, fo_test_now_ms() + 1000);
			fprintf(stderr, "dnsmasq is not answering on port %s; it said: %s\n", d->port,
				said ? said : "");
			CHECK(!"dnsmasq answers");
		}
		fo_test_sleep_ms(50);
	}
}

static void dnsd_stop(struct dnsd *d)
{
	fo_test_reap(d->pid, SIGTERM, fo_test_now_ms() + 10000);
	close(d->out);
}

static int count(const char *s, const char *needle)
{
	int n = 0;

	while (s && (s = strstr(s, needle))) {
		n++;
		s += strlen(needle);
	}
	return n;
}

/* The line of out about host h ("host":"h"), malloc'd, or NULL. */
static char *line_of(const char *out, const char *h)
{
	char key[200];
	const char *p, *b, *e;

	snprintf(key, sizeof(key), "\"host\":\"%s\"", h);
	p = strstr(out, key);
	if (!p)
		return NULL;
	for (b = p; b > out && b[-1] != '\n'; b--)
		;
	e = strchr(p, '\n');
	return strndup(b, e ? (size_t)(e - b) : strlen(b));
}

/*
 * 28,000 names through one server: every tenth missing
 * (NXDOMAIN: unreachable in phase "resolve", with the resolver's words),
 * every tenth from the second on three IPv4 addresses, one in a hundred
 * also ::1 (tried first), the rest one address. The port is closed, so
 * each connect is refused at once and the result lists every address
 * tried.
 */
TEST_PROC(run_dns_28000_names, 240)
{
	const char *dir = fo_test_dir();
	char hosts[300], port[16], *out = NULL, *err = NULL, *l;
	struct dnsd d;
	FILE *f;
	int i, rc;

	if (*fo_test_san())
		nnames = 2800;
	snprintf(hosts, sizeof(hosts), "%s/zone", dir);
	f = fopen(hosts, "w");
	CHECK(f != NULL);
	for (i = 1; i <= nnames; i++) {
		int x = i / 256, y = i % 256;

		if (i % 10 == 0)
			continue;
		fprintf(f, "127.1.%d.%d h%05d.fleet.test\n", x, y, i);
		if (i % 10 == 1) {
			fprintf(f, "127.2.%d.%d h%05d.fleet.test\n", x, y, i);
			fprintf(f, "127.3.%d.%d h%05d.fleet.test\n", x, y, i);
		}
		if (i % 100 == 11)
			fprintf(f, "::1 h%05d.fleet.test\n", i);
	}
	CHECK_EQ(fclose(f), 0);
	chmod(dir, 0755);
	chmod(hosts, 0644);
	dnsd_start(&d, hosts, "h00001.fleet.test");
	snprintf(port, sizeof(port), "%d", free_port(SOCK_STREAM));
	/* a busy machine (a sanitizer, other tests) can starve dnsmasq, whose
	 * socket then drops queries: fewer at once, and c-ares asks again
	 * after a second rather than resolv.conf's five */
	setenv("RES_OPTIONS", "timeout:1 attempts:8", 1);
	{
		char servers[40], list[40];
		const char *args[] = { "run", "--task", "tcp", "-w", list, "--port", port,
				       "--dns", servers, "--dns-timeout", "150s", "--dns-rate", "5000",
				       "--dns-window", "256", "--json", NULL };

		snprintf(servers, sizeof(servers), "127.0.0.1:%s", d.port);
		snprintf(list, sizeof(list), "h[00001-%05d].fleet.test", nnames);
		rc = fo_test_cliv(&out, &err, args);
	}
	dnsd_stop(&d);
	CHECK_EQ(rc, 1);
	{
		char want[32];

		snprintf(want, sizeof(want), "%d hosts", nnames);
		CHECK_HAS(err, want);
	}
	{
		/* on a failure below, the first name that did not resolve for
		 * another reason than NXDOMAIN says why */
		const char *p = out;

		while ((p = strstr(p, "\"phase\":\"resolve\""))) {
			const char *e = strchr(p, '\n');

			if (!memmem(p, e ? (size_t)(e - p) : strlen(p), "Domain name not found", 21)) {
				fprintf(stderr, "unexpected: %.*s\n", e ? (int)(e - p) : -1, p);
				break;
			}
			p += 10;
		}
	}
	CHECK_EQ(count(out, "\"status\":\"unreachable\",\"host\""), nnames);
	/* the missing: the resolver's words */
	CHECK_EQ(count(out, "\"phase\":\"resolve\""), nnames / 10);
	CHECK_EQ(count(out, ".fleet.test': Domain name not found"), nnames / 10);
	CHECK_EQ(count(out, "\"phase\":\"connect\""), nnames - nnames / 10);
	/* several addresses: each tried in turn, ::1 first */
	CHECK_EQ(count(out, "Connection refused"),
		 (nnames - nnames / 5) + 3 * (nnames / 10 - nnames / 100) + 4 * (nnames / 100));
	CHECK_EQ(count(out, "\"error\":\"connect to ::1 port"), nnames / 100);
	l = line_of(out, "h00011.fleet.test");
	CHECK(l != NULL);
	/* IPv6 first, then the IPv4 ones in the server's order */
	CHECK_HAS(l, "\"address\":\"::1,127.");
	CHECK_HAS(l, "\"error\":\"connect to ::1 port ");
	CHECK_HAS(l, "127.1.0.11: Connection refused");
	CHECK_HAS(l, "127.2.0.11: Connection refused");
	CHECK_HAS(l, "127.3.0.11: Connection refused\"");
	free(l);
	l = line_of(out, "h00010.fleet.test");
	CHECK(l != NULL);
	CHECK_HAS(l, "\"error\":\"cannot resolve 'h00010.fleet.test': Domain name not found\"");
	free(l);
	free(out);
	free(err);
}

/* A TCP listener on addr:port; backlog 0 and never accepted when hang (its
 * queue full after one connection, further SYNs go unanswered). */
static int listener(const char *addr, int port, bool hang)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	CHECK_EQ(inet_pton(AF_INET, addr, &sa.sin_addr), 1);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	CHECK_EQ(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	CHECK_EQ(listen(fd, hang ? 0 : 64), 0);
	return fd;
}

/*
 * A name whose first addresses refuse or never answer still connects to
 * the one that listens: tried in turn, the next started 250 ms after one
 * that hangs (happy eyeballs); the record names the address reached.
 */
TEST_PROC(run_dns_every_address_tried, 120)
{
	char hosts[300], port[16], servers[40], *out = NULL, *err = NULL, *l;
	int p = free_port(SOCK_STREAM), good, hang, filler, rc;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct dnsd d;
	static const char zone[] = "127.0.0.2 refused.fleet.test\n"
				   "127.0.0.3 refused.fleet.test\n"
				   "::1 v6first.fleet.test\n"
				   "127.0.0.3 v6first.fleet.test\n"
				   "127.0.0.4 hangs.fleet.test\n"
				   "127.0.0.3 hangs.fleet.test\n"
				   "127.0.0.2 none.fleet.test\n"
				   "127.0.0.5 none.fleet.test\n";

	snprintf(hosts, sizeof(hosts), "%s", fo_test_put("zone", zone, sizeof(zone) - 1));
	chmod(fo_test_dir(), 0755);
	chmod(hosts, 0644);
	dnsd_start(&d, hosts, "refused.fleet.test");
	snprintf(port, sizeof(port), "%d", p);
	snprintf(servers, sizeof(servers), "127.0.0.1:%s", d.port);
	good = listener("127.0.0.3", p, false);
	hang = listener("127.0.0.4", p, true);
	/* fill 127.0.0.4's queue: the next SYNs to it are not answered */
	filler = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	sa.sin_port = htons((uint16_t)p);
	inet_pton(AF_INET, "127.0.0.4", &sa.sin_addr);
	connect(filler, (struct sockaddr *)&sa, sizeof(sa));
	fo_test_sleep_ms(100);
	{
		const char *args[] = { "run",     "--task",    "tcp",  "-w",   "refused.fleet.test,v6first.fleet.test,"
									      "hangs.fleet.test,none.fleet.test",
				       "--port",  port,        "--dns", servers, "--timeout", "20s", "--json", NULL };

		rc = fo_test_cliv(&out, &err, args);
	}
	dnsd_stop(&d);
	CHECK_EQ(rc, 1);
	l = line_of(out, "refused.fleet.test");
	CHECK_HAS(l, "{\"status\":\"ok\"");
	CHECK_HAS(l, "\"address\":\"127.0.0.3\"");
	free(l);
	l = line_of(out, "v6first.fleet.test");
	CHECK_HAS(l, "{\"status\":\"ok\"");
	CHECK_HAS(l, "\"address\":\"127.0.0.3\"");
	free(l);
	l = line_of(out, "hangs.fleet.test");
	CHECK_HAS(l, "{\"status\":\"ok\"");
	CHECK_HAS(l, "\"address\":\"127.0.0.3\"");
	free(l);
	l = line_of(out, "none.fleet.test");
	CHECK_HAS(l, "{\"status\":\"unreachable\"");
	CHECK_HAS(l, "\"error\":\"connect to 127.0.0.");
	CHECK_HAS(l, "127.0.0.2");
	CHECK_HAS(l, "127.0.0.5");
	CHECK_EQ(count(l, "Connection refused"), 2);
	free(l);
	free(out);
	free(err);
	close(filler);
	close(hang);
	close(good);
}

/*
 * A name server that never answers: behind it, a good one still answers
 * (after resolv.conf's per-try timeout, here from $RES_OPTIONS); alone, it
 * leaves every name unreachable within --dns-timeout, saying so, while
 * names in the hosts file ($CARES_HOSTS, else /etc/hosts) need no server.
 */
TEST_PROC(run_dns_server_never_answers, 120)
{
	char hosts[300], etc[300], dead[16], servers[80], *out = NULL, *err = NULL, *l;
	int dfd = dead_server(dead), rc;
	struct dnsd d;
	static const char zone[] = "127.0.0.2 a.fleet.test\n127.0.0.2 b.fleet.test\n";
	static const char own[] = "127.0.0.7 fromhosts.fleet.test\n";

	snprintf(hosts, sizeof(hosts), "%s", fo_test_put("zone", zone, sizeof(zone) - 1));
	snprintf(etc, sizeof(etc), "%s", fo_test_put("hosts", own, sizeof(own) - 1));
	chmod(fo_test_dir(), 0755);
	chmod(hosts, 0644);
	dnsd_start(&d, hosts, "a.fleet.test");
	setenv("RES_OPTIONS", "timeout:1 attempts:2", 1);
	snprintf(servers, sizeof(servers), "127.0.0.1:%s,127.0.0.1:%s", dead, d.port);
	{
		const char *args[] = { "run", "--task", "tcp", "-w", "a.fleet.test,b.fleet.test", "--port", "1",
				       "--dns", servers, "--json", NULL };

		rc = fo_test_cliv(&out, &err, args);
	}
	CHECK_EQ(rc, 1);
	CHECK_EQ(count(out, "\"phase\":\"connect\""), 2);
	CHECK_EQ(count(out, "\"address\":\"127.0.0.2\""), 2);
	free(out);
	free(err);
	dnsd_stop(&d);
	/* the dead server alone; the hosts file still answers */
	setenv("CARES_HOSTS", etc, 1);
	snprintf(servers, sizeof(servers), "127.0.0.1:%s", dead);
	{
		const char *args[] = { "run", "--task", "tcp", "-w", "a.fleet.test,fromhosts.fleet.test", "--port",
				       "1", "--dns", servers, "--dns-timeout", "1500ms", "--json", NULL };

		rc = fo_test_cliv(&out, &err, args);
	}
	CHECK_EQ(rc, 1);
	l = line_of(out, "a.fleet.test");
	CHECK_HAS(l, "\"phase\":\"resolve\"");
	CHECK_HAS(l, "\"error\":\"cannot resolve 'a.fleet.test': ");
	free(l);
	l = line_of(out, "fromhosts.fleet.test");
	CHECK_HAS(l, "\"phase\":\"connect\"");
	CHECK_HAS(l, "\"address\":\"127.0.0.7\"");
	free(l);
	free(out);
	free(err);
	/* /etc/hosts itself: localhost needs no server either */
	unsetenv("CARES_HOSTS");
	{
		const char *args[] = { "run", "--task", "tcp", "-w", "localhost", "--port", "1", "--dns", servers,
				       "--dns-timeout", "1500ms", "--json", NULL };

		rc = fo_test_cliv(&out, &err, args);
	}
	CHECK_EQ(rc, 1);
	CHECK_HAS(out, "\"phase\":\"connect\"");
	CHECK_HAS(out, "\"address\":\"127.0.0.1");
	free(out);
	free(err);
	/* a bad --dns is the one usage error */
	{
		const char *args[] = { "run", "--task", "tcp", "-w", "a.fleet.test", "--dns", "not-an-ip", NULL };

		rc = fo_test_cliv(&out, &err, args);
	}
	CHECK_EQ(rc, 2);
	CHECK_HAS(err, "bad --dns 'not-an-ip'");
	free(out);
	free(err);
	close(dfd);
}
