/*
 * What `fanout serve` and `fanout load` share: literal addresses and the
 * thread that turns SIGINT and SIGTERM into fo_interrupt() (common.h says
 * why a thread and not a handler).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>

#include "common.h"
#include "fanout/runtime.h"

int fo__addr_literal(const char *host, uint16_t port, struct sockaddr_storage *ss, socklen_t *len)
{
	char buf[INET6_ADDRSTRLEN + 2];
	size_t n = strlen(host);

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
		((struct sockaddr_in *)ss)->sin_family = AF_INET;
		((struct sockaddr_in *)ss)->sin_port = htons(port);
		*len = sizeof(struct sockaddr_in);
		return 0;
	}
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof(buf)) {
		memcpy(buf, host + 1, n - 2);
		buf[n - 2] = 0;
		host = buf;
	}
	if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
		*len = sizeof(struct sockaddr_in6);
		return 0;
	}
	return -EINVAL;
}

static atomic_bool stopping;

static void *stopsig_main(void *arg)
{
	sigset_t *set = arg;
	int sig;

	for (;;) {
		if (sigwait(set, &sig) != 0)
			continue;
		if (atomic_load(&stopping))
			return NULL;
		fo_interrupt();
	}
}

static sigset_t stop_set;

int fo__stopsig_start(struct fo_stopsig *s)
{
	sigset_t old;
	int e;

	s->started = false;
	atomic_store(&stopping, false);
	sigemptyset(&stop_set);
	sigaddset(&stop_set, SIGINT);
	sigaddset(&stop_set, SIGTERM);
	e = pthread_sigmask(SIG_BLOCK, &stop_set, &old);
	if (e)
		return -e;
	e = pthread_create(&s->thread, NULL, stopsig_main, &stop_set);
	if (e) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		return -e;
	}
	s->started = true;
	return 0;
}

void fo__stopsig_stop(struct fo_stopsig *s)
{
	if (!s->started)
		return;
	atomic_store(&stopping, true);
	pthread_kill(s->thread, SIGTERM);
	pthread_join(s->thread, NULL);
	s->started = false;
}
