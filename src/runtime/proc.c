/*
 * processes:N and blended:PxT: forked workers pull task indices from a
 * counter in shared memory (so a fast worker takes more, as a pool does) and
 * run each with blocking waits, one at a time (processes) or in T threads
 * (blended). Every result goes back to the parent through the worker's
 * pipe as soon as it exists, so a worker that dies loses only the tasks it
 * was running; the parent turns those into error results and, while
 * unclaimed tasks remain, forks a replacement. The count of results always
 * equals the count of tasks.
 *
 * Frames on the pipe: a header {type, length} and a payload; type 1 is a
 * result, type 2 the worker's thread count.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

enum { FR_RESULT = 1, FR_THREADS = 2 };

struct fr_hdr {
	uint32_t type, len;
};

struct fr_result {
	uint64_t index;
	uint32_t status;
	int32_t err;
	int64_t start, end;
	uint32_t out_len, err_len;
};

struct shm {
	atomic_size_t next;
	atomic_int intr;
};

struct worker {
	pid_t pid;
	int rfd;
	char *buf;
	size_t len, cap;
};

/* ---- the worker's side ------------------------------------------------------------ */

static int write_all(int fd, const void *p, size_t len)
{
	const char *c = p;

	while (len) {
		ssize_t w = write(fd, c, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		c += w;
		len -= (size_t)w;
	}
	return 0;
}

static void record_pipe(struct fo__runctl *rc, size_t index, enum fo_status st, int err, int64_t start,
			int64_t end, char *out, size_t out_len, char *errtext)
{
	size_t elen = errtext ? strlen(errtext) : 0;
	struct fr_hdr h = { FR_RESULT, (uint32_t)(sizeof(struct fr_result) + out_len + elen) };
	struct fr_result r = { index, st, err, start, end, (uint32_t)out_len, (uint32_t)elen };
	size_t len = sizeof(h) + h.len;
	char *buf = malloc(len);

	if (buf) {
		memcpy(buf, &h, sizeof(h));
		memcpy(buf + sizeof(h), &r, sizeof(r));
		if (out_len)
			memcpy(buf + sizeof(h) + sizeof(r), out, out_len);
		if (elen)
			memcpy(buf + sizeof(h) + sizeof(r) + out_len, errtext, elen);
		pthread_mutex_lock(&rc->lock);
		write_all(rc->wfd, buf, len);
		pthread_mutex_unlock(&rc->lock);
		free(buf);
	}
	/* Without memory for the frame the parent reports the task as lost:
	 * still one result. */
	free(out);
	free(errtext);
}

static void worker_main(struct fo__runctl *rc, struct shm *shm, int wfd, int threads, int k)
{
	struct fo_run_stats st = { 0 };
	struct fr_hdr h = { FR_THREADS, 2 * sizeof(int32_t) };
	int32_t th[2];

	rc->next = &shm->next;
	rc->shared_intr = &shm->intr;
	rc->record = record_pipe;
	rc->wfd = wfd;
	rc->results = NULL;
	rc->worker_base = (size_t)k * (size_t)threads;
	pthread_mutex_init(&rc->lock, NULL);
	fo__pool_run(rc, threads, &st);
	th[0] = st.threads_wanted;
	th[1] = st.threads_started;
	write_all(wfd, &h, sizeof(h));
	write_all(wfd, th, sizeof(th));
	_exit(0);
}

/* ---- the parent's side ---------------------------------------------------------- */

struct procrun {
	struct fo__runctl *rc;
	struct shm *shm;
	struct worker *w;
	int nw, threads;
	unsigned char *done;
	struct fo_run_stats *st;
	char died_msg[160];
	int respawns_left;
};

static int spawn_worker(struct procrun *pr, int k)
{
	int p[2], i;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		int err = -errno;

		close(p[0]);
		close(p[1]);
		return err;
	}
	if (pid == 0) {
		close(p[0]);
		for (i = 0; i < pr->nw; i++)
			if (pr->w[i].rfd >= 0)
				close(pr->w[i].rfd);
		worker_main(pr->rc, pr->shm, p[1], pr->threads, k);
	}
	close(p[1]);
	pr->w[k].pid = pid;
	pr->w[k].rfd = p[0];
	pr->w[k].len = 0;
	pr->st->procs_started++;
	return 0;
}

static void take_frames(struct procrun *pr, struct worker *w)
{
	size_t off = 0;

	while (w->len - off >= sizeof(struct fr_hdr)) {
		struct fr_hdr h;
		char *p = w->buf + off + sizeof(h);

		memcpy(&h, w->buf + off, sizeof(h));
		if (w->len - off - sizeof(h) < h.len)
			break;
		if (h.type == FR_RESULT && h.len >= sizeof(struct fr_result)) {
			struct fr_result r;
			char *out = NULL, *err = NULL;

			memcpy(&r, p, sizeof(r));
			if (r.index < pr->rc->n && !(pr->done[r.index / 8] & (1u << (r.index % 8))) &&
			    r.status < FO_STATUS_COUNT && sizeof(r) + (size_t)r.out_len + r.err_len <= h.len) {
				if (r.out_len) {
					out = malloc(r.out_len + 1);
					if (out) {
						memcpy(out, p + sizeof(r), r.out_len);
						out[r.out_len] = 0;
					}
				}
				if (r.err_len)
					err = strndup(p + sizeof(r) + r.out_len, r.err_len);
				pr->done[r.index / 8] |= (unsigned char)(1u << (r.index % 8));
				fo__record_local(pr->rc, (size_t)r.index, (enum fo_status)r.status, r.err, r.start,
						 r.end, out, out ? r.out_len : 0, err);
			}
		} else if (h.type == FR_THREADS && h.len == 2 * sizeof(int32_t)) {
			int32_t th[2];

			memcpy(th, p, sizeof(th));
			pr->st->threads_wanted += th[0];
			pr->st->threads_started += th[1];
		}
		off += sizeof(h) + h.len;
	}
	memmove(w->buf, w->buf + off, w->len - off);
	w->len -= off;
}

/* Reads what the worker sent; returns 0 at EOF. */
static int drain(struct procrun *pr, struct worker *w)
{
	for (;;) {
		ssize_t r;

		if (w->cap - w->len < 65536) {
			size_t ncap = w->cap ? w->cap * 2 : 131072;
			char *n = realloc(w->buf, ncap);

			if (!n)
				return -ENOMEM;
			w->buf = n;
			w->cap = ncap;
		}
		r = read(w->rfd, w->buf + w->len, w->cap - w->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r == 0 ? 0 : (errno == EAGAIN ? 1 : -errno);
		w->len += (size_t)r;
		take_frames(pr, w);
		if ((size_t)r < 65536)
			return 1;
	}
}

static void reap_worker(struct procrun *pr, int k)
{
	struct worker *w = &pr->w[k];
	struct rusage ru;
	int status = 0;

	close(w->rfd);
	w->rfd = -1;
	while (wait4(w->pid, &status, 0, &ru) < 0 && errno == EINTR)
		;
	pr->st->maxrss_kb_sum += ru.ru_maxrss;
	if (WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 0)) {
		pr->st->workers_died++;
		if (WIFSIGNALED(status))
			snprintf(pr->died_msg, sizeof(pr->died_msg),
				 "worker process %d killed by signal %d (%s) before the task ended", (int)w->pid,
				 WTERMSIG(status), strsignal(WTERMSIG(status)));
		else
			snprintf(pr->died_msg, sizeof(pr->died_msg),
				 "worker process %d exited with status %d before the task ended", (int)w->pid,
				 WEXITSTATUS(status));
		/* More work waiting and nobody to do it soon: a replacement. */
		if (pr->respawns_left > 0 &&
		    (pr->rc->o->per_worker || atomic_load(&pr->shm->next) < pr->rc->n) &&
		    !fo_interrupted() && !atomic_load(&pr->shm->intr)) {
			pr->respawns_left--;
			if (spawn_worker(pr, k) == 0)
				return;
		}
	}
	w->pid = -1;
}

/* Reads every worker's pipe until all have ended, reaping each at its EOF.
 * Returns 0, or -errno when poll() itself fails. */
static int proc_wait_all(struct procrun *pr, struct pollfd *pfd)
{
	int k;

	for (;;) {
		int n = 0;

		for (k = 0; k < pr->nw; k++) {
			if (pr->w[k].rfd >= 0) {
				pfd[n].fd = pr->w[k].rfd;
				pfd[n].events = POLLIN;
				n++;
			}
		}
		if (!n)
			return 0;
		/* the interrupt eventfd, shared with the workers (they see it
		 * too); once seen it stays readable, so it is watched no more */
		pfd[n].fd = fo__intr_fd();
		pfd[n].events = atomic_load(&pr->shm->intr) ? 0 : POLLIN;
		if (poll(pfd, (nfds_t)n + 1, -1) < 0 && errno != EINTR)
			return -errno;
		if (pfd[n].revents & POLLIN)
			atomic_store(&pr->shm->intr, 1);
		for (k = 0, n = 0; k < pr->nw; k++) {
			if (pr->w[k].rfd < 0)
				continue;
			if (pfd[n].revents && drain(pr, &pr->w[k]) <= 0)
				reap_worker(pr, k);
			n++;
		}
	}
}

/* Every index without a result gets one now: unclaimed ones are skipped,
 * claimed ones were lost with their worker. */
static void proc_record_rest(struct procrun *pr)
{
	struct fo__runctl *rc = pr->rc;
	bool stopped = fo_interrupted() || atomic_load(&pr->shm->intr);
	size_t claimed = atomic_load(&pr->shm->next), i;

	for (i = 0; i < rc->n; i++) {
		if (pr->done[i / 8] & (1u << (i % 8)))
			continue;
		if (i >= claimed && !(rc->o->per_worker && pr->died_msg[0]))
			fo__record_skip(rc, i, FO_SKIPPED, -ECANCELED,
					stopped ? "interrupted before it started" : "no worker process left");
		else
			fo__record_skip(rc, i, FO_ERROR, -ECHILD,
					pr->died_msg[0] ? pr->died_msg : "worker process ended before the task did");
	}
	atomic_store(rc->next, rc->n);
}

int fo__proc_run(struct fo__runctl *rc, int procs, int threads, struct fo_run_stats *st)
{
	struct procrun pr;
	struct pollfd *pfd = NULL;
	int k, err = 0;

	memset(&pr, 0, sizeof(pr));
	pr.rc = rc;
	pr.st = st;
	pr.nw = procs;
	pr.threads = threads;
	pr.respawns_left = procs * 4;
	st->procs_wanted = procs;
	pr.shm = mmap(NULL, sizeof(struct shm), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (pr.shm == MAP_FAILED)
		return -errno;
	atomic_init(&pr.shm->next, 0);
	atomic_init(&pr.shm->intr, 0);
	pr.w = calloc((size_t)procs, sizeof(*pr.w));
	pr.done = calloc(rc->n / 8 + 1, 1);
	pfd = calloc((size_t)procs + 1, sizeof(*pfd));
	if (!pr.w || !pr.done || !pfd) {
		err = -ENOMEM;
		goto out;
	}
	for (k = 0; k < procs; k++) {
		pr.w[k].rfd = -1;
		pr.w[k].pid = -1;
	}
	for (k = 0; k < procs; k++) {
		err = spawn_worker(&pr, k);
		if (err < 0)
			break;
	}
	if (st->procs_started == 0)
		goto out;
	if (st->procs_started < procs)
		fo__diag(rc, FO_DIAG_WARN, "started %d of %d worker processes (%s); running with %d",
			 st->procs_started, procs, fo_strerror(err), st->procs_started);
	err = proc_wait_all(&pr, pfd);
	proc_record_rest(&pr);
out:
	if (pr.w) {
		for (k = 0; k < procs; k++) {
			if (pr.w[k].rfd >= 0)
				close(pr.w[k].rfd);
			free(pr.w[k].buf);
		}
	}
	free(pr.w);
	free(pr.done);
	free(pfd);
	munmap(pr.shm, sizeof(struct shm));
	if (st->procs_started == 0)
		return err < 0 ? err : -ECHILD;
	return err;
}
