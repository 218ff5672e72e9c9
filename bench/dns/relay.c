/*
 * A DNS latency relay for bench/dns/: listens on 127.0.0.1:LISTEN (UDP),
 * forwards each query to 127.0.0.1:UPSTREAM and each answer back, every
 * packet held DELAY_MS first (each way: a round trip gains 2 x DELAY_MS).
 * Queries get ids of the relay's own on the way up (the answers come back
 * on one socket), their own again on the way down. No root needed.
 *
 *   relay LISTEN UPSTREAM DELAY_MS
 *
 * Prints "relay port LISTEN" once ready. One thread, poll(2); the queues
 * are FIFOs, as every packet waits the same time.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define QLEN 131072
#define PKT 1232

struct pkt {
	int64_t due;
	struct sockaddr_in to; /* down: the client */
	uint16_t len;
	unsigned char b[PKT];
};

struct queue {
	struct pkt *p;
	size_t head, tail; /* tail - head in flight */
};

static struct {
	struct sockaddr_in from;
	uint16_t id;
	int used;
} ids[65536];

static int64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int udp(int port, int rcvbuf)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (port && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("relay: bind");
		exit(1);
	}
	return fd;
}

static struct pkt *push(struct queue *q)
{
	if (q->tail - q->head >= QLEN)
		return NULL; /* full: dropped, as a link would */
	return &q->p[q->tail % QLEN];
}

int main(int argc, char **argv)
{
	struct queue up = { 0 }, down = { 0 };
	struct sockaddr_in us = { .sin_family = AF_INET };
	int lfd, ufd, next = 0;
	int64_t delay;

	if (argc != 4) {
		fprintf(stderr, "usage: relay LISTEN UPSTREAM DELAY_MS\n");
		return 2;
	}
	delay = (int64_t)atoi(argv[3]) * 1000000; /* banned-ok: a bench tool's arguments */
	up.p = calloc(QLEN, sizeof(struct pkt));
	down.p = calloc(QLEN, sizeof(struct pkt));
	lfd = udp(atoi(argv[1]), 16 << 20); /* banned-ok */
	ufd = udp(0, 16 << 20);
	us.sin_port = htons((uint16_t)atoi(argv[2])); /* banned-ok */
	us.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(ufd, (struct sockaddr *)&us, sizeof(us)) < 0) {
		perror("relay: connect");
		return 1;
	}
	printf("relay port %s\n", argv[1]);
	fflush(stdout);
	for (;;) {
		struct pollfd pf[2] = { { lfd, POLLIN, 0 }, { ufd, POLLIN, 0 } };
		int64_t t = now_ns(), wait = -1;
		struct pkt *p;

		if (up.tail > up.head)
			wait = up.p[up.head % QLEN].due - t;
		if (down.tail > down.head && (wait < 0 || down.p[down.head % QLEN].due - t < wait))
			wait = down.p[down.head % QLEN].due - t;
		poll(pf, 2, wait < 0 && up.tail == up.head && down.tail == down.head ? -1
			    : wait <= 0 ? 0 : (int)((wait + 999999) / 1000000));
		t = now_ns();
		/* queries in: a relay id each, then up after the delay */
		while ((p = push(&up))) {
			socklen_t sl = sizeof(p->to);
			ssize_t n = recvfrom(lfd, p->b, PKT, 0, (struct sockaddr *)&p->to, &sl);
			uint16_t id;

			if (n < 12)
				break;
			while (ids[next].used)
				next = (next + 1) & 0xffff;
			id = (uint16_t)next;
			next = (next + 1) & 0xffff;
			ids[id].used = 1;
			ids[id].from = p->to;
			ids[id].id = (uint16_t)(p->b[0] << 8 | p->b[1]);
			p->b[0] = (unsigned char)(id >> 8);
			p->b[1] = (unsigned char)id;
			p->len = (uint16_t)n;
			p->due = t + delay;
			up.tail++;
		}
		/* answers in: back to their client after the delay */
		while ((p = push(&down))) {
			ssize_t n = recv(ufd, p->b, PKT, 0);
			uint16_t id;

			if (n < 12)
				break;
			id = (uint16_t)(p->b[0] << 8 | p->b[1]);
			if (!ids[id].used)
				continue;
			ids[id].used = 0;
			p->to = ids[id].from;
			p->b[0] = (unsigned char)(ids[id].id >> 8);
			p->b[1] = (unsigned char)ids[id].id;
			p->len = (uint16_t)n;
			p->due = t + delay;
			down.tail++;
		}
		for (; up.head < up.tail && up.p[up.head % QLEN].due <= t; up.head++)
			send(ufd, up.p[up.head % QLEN].b, up.p[up.head % QLEN].len, 0);
		for (; down.head < down.tail && down.p[down.head % QLEN].due <= t; down.head++) {
			p = &down.p[down.head % QLEN];
			sendto(lfd, p->b, p->len, 0, (struct sockaddr *)&p->to, sizeof(p->to));
		}
	}
}
