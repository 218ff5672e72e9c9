/*
 * handshake: the cost of an SSH login alone, the floor under `fanout run`.
 *
 * Connects to each address in turn, N logins in all, one after the other:
 * TCP connect, libssh2_session_handshake (key exchange, host key), public
 * key authentication, a disconnect, nothing else (no channel, no command).
 * libssh2 runs in blocking mode, so the process sleeps in the kernel while
 * the server works and the CPU it reports is the client's own: the same
 * libssh2 calls `fanout run` makes per host, without the runtime, the
 * coroutines, the result records or the output. Its CPU per login is what
 * bench/ssh/run.py compares fanout's CPU per host with.
 *
 *   handshake --port P --user U --key FILE [-n N] [--kex LIST] [-v] ADDR...
 *
 * Prints one line: logins=N ok=N wall=S user=S sys=S cpu_per_login_ms=X
 * maxrss_kb=K, and with -v the methods the first login negotiated. The
 * CPU is getrusage(RUSAGE_SELF) over the logins only (process start and
 * libssh2_init are left out).
 */
#include <arpa/inet.h>
#include <libssh2.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One login to addr:port; 0 when authenticated. */
static int login(const char *addr, int port, const char *user, const char *key, const char *kex,
		 int verbose)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	LIBSSH2_SESSION *s = NULL;
	int fd, one = 1, ret = -1;

	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "handshake: not an address: '%s'\n", addr);
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("handshake: connect");
		goto out;
	}
	s = libssh2_session_init();
	if (!s)
		goto out;
	libssh2_session_set_blocking(s, 1);
	if (kex && libssh2_session_method_pref(s, LIBSSH2_METHOD_KEX, kex) != 0) {
		fprintf(stderr, "handshake: kex '%s' not supported by this libssh2\n", kex);
		goto out;
	}
	if (libssh2_session_handshake(s, fd) != 0) {
		char *msg = NULL;

		libssh2_session_last_error(s, &msg, NULL, 0);
		fprintf(stderr, "handshake: handshake with %s: %s\n", addr, msg ? msg : "?");
		goto out;
	}
	if (verbose)
		fprintf(stderr, "kex=%s hostkey=%s cipher=%s mac=%s compression=%s\n",
			libssh2_session_methods(s, LIBSSH2_METHOD_KEX),
			libssh2_session_methods(s, LIBSSH2_METHOD_HOSTKEY),
			libssh2_session_methods(s, LIBSSH2_METHOD_CRYPT_CS),
			libssh2_session_methods(s, LIBSSH2_METHOD_MAC_CS),
			libssh2_session_methods(s, LIBSSH2_METHOD_COMP_CS));
	if (libssh2_userauth_publickey_fromfile(s, user, NULL, key, NULL) != 0) {
		char *msg = NULL;

		libssh2_session_last_error(s, &msg, NULL, 0);
		fprintf(stderr, "handshake: login to %s: %s\n", addr, msg ? msg : "?");
		goto out;
	}
	libssh2_session_disconnect(s, "done");
	ret = 0;
out:
	if (s)
		libssh2_session_free(s);
	close(fd);
	return ret;
}

int main(int argc, char **argv)
{
	const char *user = NULL, *key = NULL, *kex = NULL;
	int port = 22, n = 100, verbose = 0, i, ok = 0, naddr;
	char **addr;
	struct rusage r0, r1;
	double t0, t1;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--port") && i + 1 < argc)
			port = (int)strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--user") && i + 1 < argc)
			user = argv[++i];
		else if (!strcmp(argv[i], "--key") && i + 1 < argc)
			key = argv[++i];
		else if (!strcmp(argv[i], "-n") && i + 1 < argc)
			n = (int)strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--kex") && i + 1 < argc)
			kex = argv[++i];
		else if (!strcmp(argv[i], "-v"))
			verbose = 1;
		else
			break;
	}
	naddr = argc - i;
	addr = argv + i;
	if (!user || !key || naddr < 1 || n < 1) {
		fprintf(stderr, "usage: handshake --port P --user U --key FILE [-n N] [--kex LIST] [-v] ADDR...\n");
		return 2;
	}
	if (libssh2_init(0) != 0)
		return 1;
	getrusage(RUSAGE_SELF, &r0);
	t0 = now_s();
	for (i = 0; i < n; i++)
		ok += login(addr[i % naddr], port, user, key, kex, verbose && i == 0) == 0;
	t1 = now_s();
	getrusage(RUSAGE_SELF, &r1);
	printf("logins=%d ok=%d wall=%.3f user=%.3f sys=%.3f cpu_per_login_ms=%.3f maxrss_kb=%ld\n", n, ok,
	       t1 - t0, tv_s(r1.ru_utime) - tv_s(r0.ru_utime), tv_s(r1.ru_stime) - tv_s(r0.ru_stime),
	       (tv_s(r1.ru_utime) - tv_s(r0.ru_utime) + tv_s(r1.ru_stime) - tv_s(r0.ru_stime)) * 1e3 / n,
	       r1.ru_maxrss);
	libssh2_exit();
	return ok == n ? 0 : 1;
}
