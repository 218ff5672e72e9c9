/*
 * Embedding the runtime: check which of a list of local TCP ports accept a
 * connection, every check written in plain blocking style, under whatever
 * model the first argument names (default: coro). Only loopback is touched.
 *
 *   build/examples/embed [model] [first-port] [count]
 *   build/examples/embed threads:50 8000 100
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fanout/runtime.h"

struct ports {
	int first;
};

/* One task: a non-blocking connect, then wait until it is writable. */
static int check_port(struct fo_job *job, void *arg)
{
	const struct ports *p = arg;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), r, err = 0;
	socklen_t len = sizeof(err);
	char line[64];

	if (fd < 0)
		return -errno;
	sa.sin_port = htons((uint16_t)(p->first + (int)fo_job_index(job)));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	if (r < 0 && errno == EINPROGRESS) {
		r = fo_wait_fd(fd, FO_WRITE, fo_now() + FO_SEC);
		if (r > 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0)
			r = err ? -err : 0;
	} else if (r < 0) {
		r = -errno;
	}
	close(fd);
	if (r < 0) {
		fo_job_errorf(job, "port %d: %s", ntohs(sa.sin_port), fo_strerror(r));
		return r;
	}
	r = snprintf(line, sizeof(line), "port %d open", ntohs(sa.sin_port));
	fo_job_output(job, line, (size_t)r);
	return 0;
}

static void print_result(const struct fo_result *r, void *arg)
{
	(void)arg;
	printf("%-8s %s\n", fo_status_name(r->status), r->status == FO_OK ? r->output : r->error);
}

/*
 * The library never prints: what it cannot return (fewer threads than
 * asked, a stack overflow about to kill the process) comes here, from any
 * thread of the run, and for an overflow from a signal handler: one
 * writev(2), no stdio.
 */
static void print_diag(void *arg, int level, const char *msg)
{
	struct iovec v[3] = { { (void *)"embed: ", 7 }, { (void *)msg, strlen(msg) }, { (void *)"\n", 1 } };

	(void)arg;
	(void)level;
	if (writev(2, v, 3) < 0) {
		/* stderr is gone */
	}
}

int main(int argc, char **argv)
{
	struct ports p = { argc > 2 ? (int)strtol(argv[2], NULL, 10) : 8000 };
	struct fo_run_opts o = { .model = fo_model_default(), .fn = check_port, .arg = &p,
				 .on_result = print_result };
	const struct fo_run_stats *st;
	struct fo_run *run;
	char err[256];
	int e;

	if (argc > 1 && fo_model_parse(argv[1], &o.model, err, sizeof(err)) < 0) {
		fprintf(stderr, "embed: %s\n", err);
		return 2;
	}
	o.ntasks = argc > 3 ? (size_t)strtoul(argv[3], NULL, 10) : 20;
	fo_set_diag(print_diag, NULL);
	run = fo_run(&o, &e);
	if (!run) {
		fprintf(stderr, "embed: %s\n", fo_strerror(e));
		return 1;
	}
	st = fo_run_stats(run);
	printf("%zu open, %zu closed\n", st->count[FO_OK], st->count[FO_FAILED]);
	fo_run_free(run);
	return 0;
}
