/*
 * Runs: apply one task to every index 0..n-1 under a model, and account for
 * every index with exactly one result. Here: model parsing, the claim
 * counter every model pulls from, result recording, the job API tasks use,
 * and the sequential and thread-pool models. Coroutines are in sched.c,
 * processes in proc.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "internal.h"

/* ---- models ---------------------------------------------------------------- */

static int ncores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)n : 1;
}

struct fo_model fo_model_default(void)
{
	struct fo_model m = { FO_MODEL_CORO, 1, ncores() };

	return m;
}

static int parse_count(const char *s, const char *end, int *out)
{
	long v = 0;

	if (s == end)
		return -1;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > 1000000)
			return -1;
	}
	if (v < 1)
		return -1;
	*out = (int)v;
	return 0;
}

int fo_model_parse(const char *s, struct fo_model *m, char *err, size_t errlen)
{
	const char *colon = s ? strchr(s, ':') : NULL;
	size_t nlen = colon ? (size_t)(colon - s) : (s ? strlen(s) : 0);
	const char *arg = colon ? colon + 1 : NULL;
	const char *argend = arg ? arg + strlen(arg) : NULL;

#define NAME_IS(x) (nlen == strlen(x) && !strncmp(s, x, nlen))
	if (!s || !*s)
		goto bad;
	memset(m, 0, sizeof(*m));
	m->procs = 1;
	if (NAME_IS("sequential") && !arg) {
		m->kind = FO_MODEL_SEQUENTIAL;
		m->threads = 1;
	} else if (NAME_IS("loop") && !arg) {
		m->kind = FO_MODEL_LOOP;
		m->threads = 1;
	} else if (NAME_IS("coro")) {
		m->kind = FO_MODEL_CORO;
		m->threads = ncores();
		if (arg && parse_count(arg, argend, &m->threads) < 0)
			goto bad;
	} else if (NAME_IS("threads")) {
		m->kind = FO_MODEL_THREADS;
		m->threads = 100;
		if (arg && parse_count(arg, argend, &m->threads) < 0)
			goto bad;
	} else if (NAME_IS("processes")) {
		m->kind = FO_MODEL_PROCESSES;
		m->procs = ncores();
		if (arg && parse_count(arg, argend, &m->procs) < 0)
			goto bad;
		m->threads = 1;
	} else if (NAME_IS("blended")) {
		const char *x;

		m->kind = FO_MODEL_BLENDED;
		if (!arg)
			goto bad;
		x = strchr(arg, 'x');
		if (!x || parse_count(arg, x, &m->procs) < 0 || parse_count(x + 1, argend, &m->threads) < 0 ||
		    (long long)m->procs * m->threads > 10000000)
			goto bad;
	} else {
		goto bad;
	}
#undef NAME_IS
	return 0;
bad:
	if (err)
		snprintf(err, errlen, "unknown model '%s': expected %s (N >= 1)", s ? s : "", FO_MODEL_FORMS);
	return -EINVAL;
}

char *fo_model_format(const struct fo_model *m, char *buf, size_t len)
{
	switch (m->kind) {
	case FO_MODEL_SEQUENTIAL:
		snprintf(buf, len, "sequential");
		break;
	case FO_MODEL_THREADS:
		snprintf(buf, len, "threads:%d", m->threads);
		break;
	case FO_MODEL_PROCESSES:
		snprintf(buf, len, "processes:%d", m->procs);
		break;
	case FO_MODEL_BLENDED:
		snprintf(buf, len, "blended:%dx%d", m->procs, m->threads);
		break;
	case FO_MODEL_LOOP:
		snprintf(buf, len, "loop");
		break;
	case FO_MODEL_CORO:
		snprintf(buf, len, "coro:%d", m->threads);
		break;
	}
	return buf;
}

int fo_model_workers(const struct fo_model *m)
{
	switch (m->kind) {
	case FO_MODEL_THREADS:
	case FO_MODEL_CORO:
		return m->threads;
	case FO_MODEL_PROCESSES:
		return m->procs;
	case FO_MODEL_BLENDED:
		return m->procs * m->threads;
	default:
		return 1;
	}
}

/* ---- claims and results -------------------------------------------------------- */

size_t fo__claim(struct fo__runctl *rc, size_t want, size_t *first)
{
	size_t i;

	if (fo_interrupted() || (rc->shared_intr && atomic_load(rc->shared_intr)))
		return 0;
	if (rc->o->per_worker) {
		size_t w = fo__cur.worker;

		if (fo__cur.own_claimed || w >= rc->n)
			return 0;
		fo__cur.own_claimed = true;
		if (rc->pw_claimed)
			rc->pw_claimed[w] = 1;
		*first = w;
		return 1;
	}
	if (atomic_load_explicit(rc->next, memory_order_relaxed) >= rc->n)
		return 0;
	i = atomic_fetch_add(rc->next, want);
	if (i >= rc->n)
		return 0;
	*first = i;
	return i + want > rc->n ? rc->n - i : want;
}

void fo__record_local(struct fo__runctl *rc, size_t index, enum fo_status st, int err, int64_t start,
		      int64_t end, char *out, size_t out_len, char *errtext)
{
	const struct fo_run_opts *o = rc->o;
	struct fo_result r = { index, st, err, start, end, out, out_len, errtext };

	atomic_fetch_add_explicit(&rc->counts[st], 1, memory_order_relaxed);
	if (rc->results)
		rc->results[index] = r;
	if (o->on_result) {
		pthread_mutex_lock(&rc->lock);
		o->on_result(&r, o->on_result_arg);
		pthread_mutex_unlock(&rc->lock);
	}
	if (!rc->results) {
		free(out);
		free(errtext);
	}
}

void fo__record_skip(struct fo__runctl *rc, size_t index, enum fo_status st, int err, const char *why)
{
	int64_t now = fo_now();

	rc->record(rc, index, st, err, st == FO_SKIPPED ? 0 : now, now, NULL, 0, why ? strdup(why) : NULL);
}

void fo__job_finish(struct fo__runctl *rc, struct fo_job *job, int ret)
{
	enum fo_status st = FO_OK;

	if (ret == -ETIMEDOUT)
		st = FO_TIMEOUT;
	else if (ret == -ECANCELED)
		st = FO_ERROR;
	else if (ret < 0 || ret > 0)
		st = FO_FAILED;
	if (st != FO_OK && !job->err)
		job->err = strdup(ret < 0 ? fo_strerror(ret) : "task returned failure");
	if (st == FO_OK && job->err) {
		free(job->err);
		job->err = NULL;
	}
	rc->record(rc, job->index, st, ret > 0 ? 0 : ret, job->start, fo_now(), job->out, job->out_len,
		   job->err);
	job->out = NULL;
	job->err = NULL;
	job->out_len = job->out_cap = 0;
}

size_t fo_job_index(const struct fo_job *job)
{
	return job->index;
}

int fo_job_output(struct fo_job *job, const void *data, size_t len)
{
	if (job->out_len + len + 1 > job->out_cap) {
		size_t cap = job->out_cap ? job->out_cap : 64;
		char *n;

		while (cap < job->out_len + len + 1)
			cap *= 2;
		n = realloc(job->out, cap);
		if (!n)
			return -ENOMEM;
		job->out = n;
		job->out_cap = cap;
	}
	memcpy(job->out + job->out_len, data, len);
	job->out_len += len;
	job->out[job->out_len] = 0;
	return 0;
}

void fo_job_errorf(struct fo_job *job, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	free(job->err);
	job->err = s;
}

/* ---- diagnostics -------------------------------------------------------------------- */

/* The process-wide callback. Two words, so a run that starts while
 * fo_set_diag() runs may see a mixed pair: runtime.h says not to. */
static _Atomic(fo_diag_fn) diag_fn;
static _Atomic(void *) diag_arg;

void fo_set_diag(fo_diag_fn fn, void *arg)
{
	atomic_store(&diag_arg, arg);
	atomic_store(&diag_fn, fn);
}

void fo__diag(const struct fo__runctl *rc, int level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!rc->diag || (level == FO_DIAG_WARN && rc->o->quiet))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rc->diag(rc->diag_arg, level, msg);
}

/* ---- sequential and threads:N ------------------------------------------------------- */

#define FO__GUARD_MAX 1024
static const uint64_t canary = 0x6661e0757ca7a7ull;

/* Runs one claimed index in the calling thread with blocking waits. */
static void run_blocking(struct fo__runctl *rc, size_t index)
{
	struct fo_job job = { 0 };
	struct fo__btask b;
	int ret;

	job.index = index;
	job.start = fo_now();
	b.deadline = rc->o->task_timeout > 0 ? job.start + rc->o->task_timeout : FO_NEVER;
	job.deadline = b.deadline;
	atomic_init(&b.cancelled, false);
	b.cancel_fd = -1;
	fo__cur.btask = &b;
	ret = rc->o->fn(&job, rc->o->arg);
	fo__cur.btask = NULL;
	fo__job_finish(rc, &job, ret);
}

static void canary_check(const struct fo__runctl *rc, const char *bottom)
{
	uint64_t v;

	memcpy(&v, bottom, sizeof(v));
	if (v != canary) {
		fo__diag(rc, FO_DIAG_FATAL, "thread stack overflow (canary overwritten): raise the stack size");
		abort();
	}
}

static void *pool_main_checked(struct fo__runctl *rc, const char *bottom, size_t worker)
{
	size_t i;

	fo__cur.model = rc->model_name;
	fo__set_worker(rc->worker_base + worker);
	while (fo__claim(rc, 1, &i)) {
		run_blocking(rc, i);
		if (bottom)
			canary_check(rc, bottom);
	}
	return NULL;
}

static void *pool_main(void *arg)
{
	struct fo__runctl *rc = arg;
	size_t i;

	fo__cur.model = rc->model_name;
	fo__set_worker(rc->worker_base);
	while (fo__claim(rc, 1, &i))
		run_blocking(rc, i);
	return NULL;
}

/*
 * Thread stacks for a big pool come from one mapping made before any pool
 * thread runs. glibc would map and mprotect each stack as its thread is
 * made, taking the address-space lock for writing while the threads already
 * running fault in their stacks: at 10,000 threads that contention was most
 * of the run's time.
 *
 * Each stack gets a guard page below it. Where the kernel has lightweight
 * guards (MADV_GUARD_INSTALL, Linux 6.13) they cost nothing later; with
 * mprotect guards 10,000 stacks split the mapping into 20,000 pieces and
 * every later clone and fault pays for the bigger tree (threads:10000
 * took 1.2-1.4 times as long with them: docs/BENCHMARKS.md). So without lightweight guards, past
 * FO__GUARD_MAX threads (unless FANOUT_DEBUG is set) a canary word at the
 * bottom of each stack is checked after every task instead; it finds an
 * overflow after the fact, and costs the bottom page of each stack in RSS.
 */
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif

enum { GUARD_LIGHT, GUARD_MPROTECT, GUARD_CANARY };

static void *pool_stacks(int n, size_t stack, size_t *maplen, int *kind)
{
	const char *d = getenv("FANOUT_DEBUG");
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), each = stack + pg;
	char *m;
	int i;

	*maplen = each * (size_t)n;
	m = mmap(NULL, *maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK,
		 -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	*kind = GUARD_LIGHT;
	if (madvise(m, pg, MADV_GUARD_INSTALL) < 0)
		*kind = n <= FO__GUARD_MAX || (d && *d && *d != '0') ? GUARD_MPROTECT : GUARD_CANARY;
	for (i = 0; i < n; i++) {
		char *g = m + each * (size_t)i;

		if (*kind == GUARD_LIGHT && madvise(g, pg, MADV_GUARD_INSTALL) < 0)
			*kind = GUARD_MPROTECT;
		if (*kind == GUARD_MPROTECT)
			mprotect(g, pg, PROT_NONE);
		else if (*kind == GUARD_CANARY)
			memcpy(g + pg, &canary, sizeof(canary));
	}
	return m;
}

/*
 * Making 10,000 threads one after another from one thread takes most of a
 * round trip's time; so a creator hands half its range to a new thread,
 * which makes those while it goes on with its own half, and thread
 * creation runs on every core. A creator thread then works the pool like
 * the others.
 */
struct pool {
	struct fo__runctl *rc;
	pthread_t *th;
	unsigned char *ok;     /* ok[i]: thread i exists and must be joined */
	struct creator *cs;
	char *stacks;
	bool guards;
	size_t stack, pg;
	atomic_int attempts;   /* creations tried, successful or not */
	atomic_int started;
	atomic_int first_err;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int n;
};

struct creator {
	struct pool *p;
	int lo, hi;            /* threads this one makes, after itself */
	int splits;            /* how often it may hand half of them on */
};

/* one per thread, so no thread start needs a malloc */
#define CREATOR(p, i) (&(p)->cs[i])

static void *pool_thread(void *arg);

static int make_thread(struct pool *p, int i, void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	int err;

	pthread_attr_init(&attr);
	if (p->stacks)
		pthread_attr_setstack(&attr, p->stacks + (p->stack + p->pg) * (size_t)i + p->pg, p->stack);
	else
		pthread_attr_setstacksize(&attr, p->stack);
	err = pthread_create(&p->th[i], &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return err;
}

static void attempts_add(struct pool *p, int k)
{
	if (atomic_fetch_add(&p->attempts, k) + k == p->n) {
		pthread_mutex_lock(&p->lock);
		pthread_cond_broadcast(&p->cond);
		pthread_mutex_unlock(&p->lock);
	}
}

/*
 * Makes threads lo..hi-1, handing half the range to a new creator while
 * splits remain: one creator per core keeps every core making threads, and
 * each creator costs a malloc arena (the new thread's TLS vector is malloc'd
 * by the creating thread): 64 MB of address space that an RLIMIT_AS budget
 * would rather spend on stacks (with a creator per 64 threads, 600 MB gave
 * 160 threads instead of 4,600).
 */
static void create_range(struct pool *p, int lo, int hi, int splits)
{
	while (lo < hi) {
		struct creator *c = CREATOR(p, lo);
		int err, mid = lo;

		c->p = p;
		c->lo = c->hi = c->splits = 0;
		if (splits > 0 && hi - lo > 64) {
			mid = lo + (hi - lo) / 2;
			splits--;
			c = CREATOR(p, mid);
			c->p = p;
			c->lo = mid + 1;
			c->hi = hi;
			c->splits = splits;
		}
		err = make_thread(p, mid, pool_thread, c);
		if (err) {
			int zero = 0;

			atomic_compare_exchange_strong(&p->first_err, &zero, err);
			/* no more threads to be had: give up the rest of this range */
			attempts_add(p, hi - lo);
			return;
		}
		p->ok[mid] = 1;
		atomic_fetch_add(&p->started, 1);
		attempts_add(p, 1);
		if (mid == lo)
			lo++;
		else
			hi = mid; /* the new thread makes mid+1..hi-1 */
	}
}

static void *pool_thread(void *arg)
{
	struct creator *c = arg;
	struct pool *p = c->p;
	const char *bottom = NULL;

	if (c->hi > c->lo)
		create_range(p, c->lo, c->hi, c->splits);
	if (p->stacks && !p->guards)
		bottom = p->stacks + (p->stack + p->pg) * (size_t)(c - p->cs) + p->pg;
	return pool_main_checked(p->rc, bottom, (size_t)(c - p->cs));
}

int fo__pool_run(struct fo__runctl *rc, int nthreads, struct fo_run_stats *st)
{
	struct pool p;
	size_t maplen = 0;
	int i, started;

	st->threads_wanted = nthreads;
	if (nthreads <= 1) {
		st->threads_started = 1;
		pool_main(rc);
		return 0;
	}
	if ((size_t)nthreads > rc->n) {
		nthreads = (int)(rc->n ? rc->n : 1); /* no thread would find work */
		st->threads_wanted = nthreads;
	}
	memset(&p, 0, sizeof(p));
	p.rc = rc;
	p.n = nthreads;
	p.pg = (size_t)sysconf(_SC_PAGESIZE);
	p.stack = rc->o->stack_size ? rc->o->stack_size : FO__POOL_STACK_DEFAULT;
	p.stack = (p.stack + p.pg - 1) & ~(p.pg - 1);
	p.th = calloc((size_t)nthreads, sizeof(*p.th));
	p.ok = calloc((size_t)nthreads, 1);
	p.cs = calloc((size_t)nthreads, sizeof(*p.cs));
	if (!p.th || !p.ok || !p.cs) {
		free(p.th);
		free(p.ok);
		free(p.cs);
		return -ENOMEM;
	}
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.cond, NULL);
	if (nthreads > 64) {
		int kind = GUARD_MPROTECT;

		p.stacks = pool_stacks(nthreads, p.stack, &maplen, &kind);
		p.guards = kind != GUARD_CANARY;
	}
	{
		int splits = 0;
		long cores = sysconf(_SC_NPROCESSORS_ONLN);

		while ((1L << splits) < cores)
			splits++;
		create_range(&p, 0, nthreads, splits);
	}
	pthread_mutex_lock(&p.lock);
	while (atomic_load(&p.attempts) < nthreads)
		pthread_cond_wait(&p.cond, &p.lock);
	pthread_mutex_unlock(&p.lock);
	started = atomic_load(&p.started);
	st->threads_started = started;
	if (started < nthreads)
		fo__diag(rc, FO_DIAG_WARN, "started %d of %d threads (%s); running with %d", started, nthreads,
			 strerror(atomic_load(&p.first_err)), started ? started : 1);
	if (started == 0)
		pool_main(rc); /* the caller does the work itself */
	for (i = 0; i < nthreads; i++)
		if (p.ok[i])
			pthread_join(p.th[i], NULL);
	free(p.th);
	free(p.ok);
	free(p.cs);
	pthread_mutex_destroy(&p.lock);
	pthread_cond_destroy(&p.cond);
	if (p.stacks)
		munmap(p.stacks, maplen);
	return 0;
}

/* ---- fo_run ------------------------------------------------------------------- */

struct fo_run {
	struct fo_run_stats st;
	struct fo_result *results;
	size_t n;
};

/* The model's own runner: 0, or -errno when it could not start at all. */
static int run_model(struct fo__runctl *rc, const struct fo_model *m, struct fo_run_stats *st)
{
	switch (m->kind) {
	case FO_MODEL_SEQUENTIAL:
		return fo__pool_run(rc, 1, st);
	case FO_MODEL_THREADS:
		return fo__pool_run(rc, m->threads, st);
	case FO_MODEL_LOOP:
		return fo__coro_run(rc, 1, st);
	case FO_MODEL_CORO:
		return fo__coro_run(rc, m->threads, st);
	case FO_MODEL_PROCESSES:
		return fo__proc_run(rc, m->procs, 1, st);
	case FO_MODEL_BLENDED:
		return fo__proc_run(rc, m->procs, m->threads, st);
	}
	return -EINVAL;
}

static const char *model_kind_name(enum fo_model_kind k)
{
	switch (k) {
	case FO_MODEL_CORO:
		return "coro";
	case FO_MODEL_LOOP:
		return "loop";
	case FO_MODEL_THREADS:
		return "threads";
	case FO_MODEL_PROCESSES:
		return "processes";
	case FO_MODEL_BLENDED:
		return "blended";
	default:
		return "sequential";
	}
}

/* Indices no worker claimed (interrupted, or a coroutine run that lost
 * its schedulers) still end with a result. (processes and blended record
 * their own: the parent knows which a dead worker had claimed.) */
static void record_unclaimed(struct fo__runctl *rc)
{
	const struct fo_run_opts *o = rc->o;
	size_t next, k;

	if (o->per_worker && o->model.kind != FO_MODEL_PROCESSES && o->model.kind != FO_MODEL_BLENDED) {
		for (k = 0; k < rc->n; k++)
			if (!rc->pw_claimed[k])
				fo__record_skip(rc, k, FO_SKIPPED, -ECANCELED,
						fo_interrupted() ? "interrupted before it started"
								 : "its worker never started");
		return;
	}
	next = atomic_load(rc->next);
	for (k = next; k < rc->n; k++)
		fo__record_skip(rc, k, FO_SKIPPED, -ECANCELED,
				fo_interrupted() ? "interrupted before it started" : "never started");
	if (next < rc->n)
		atomic_store(rc->next, rc->n);
}

/* The run's control block for o: 0, or -errno. */
static int runctl_init(struct fo__runctl *rc, const struct fo_run_opts *o)
{
	int i;

	memset(rc, 0, sizeof(*rc));
	rc->o = o;
	rc->diag = o->diag ? o->diag : atomic_load(&diag_fn);
	rc->diag_arg = o->diag ? o->diag_arg : atomic_load(&diag_arg);
	rc->n = o->per_worker ? (size_t)fo_model_workers(&o->model) : o->ntasks;
	atomic_init(&rc->next_local, 0);
	rc->next = &rc->next_local;
	rc->record = fo__record_local;
	rc->wfd = -1;
	rc->model_name = model_kind_name(o->model.kind);
	for (i = 0; i < FO_STATUS_COUNT; i++)
		atomic_init(&rc->counts[i], 0);
	pthread_mutex_init(&rc->lock, NULL);
	if (o->per_worker && !(rc->pw_claimed = calloc(rc->n, 1)))
		return -ENOMEM;
	if (o->keep_results && rc->n && !(rc->results = calloc(rc->n, sizeof(*rc->results))))
		return -ENOMEM;
	return 0;
}

struct fo_run *fo_run(const struct fo_run_opts *o, int *errp)
{
	struct fo__runctl rc;
	struct fo_run *run;
	struct rusage ru;
	int err, i;
	int64_t t0 = fo_now();

	if (!o->fn) {
		if (errp)
			*errp = -EINVAL;
		return NULL;
	}
	fo__intr_fd();
	run = calloc(1, sizeof(*run));
	err = run ? runctl_init(&rc, o) : -ENOMEM;
	if (err == 0) {
		run->st.ntasks = rc.n;
		err = run_model(&rc, &o->model, &run->st);
	}
	if (err < 0) {
		if (run) {
			free(rc.pw_claimed);
			free(rc.results);
			pthread_mutex_destroy(&rc.lock);
		}
		free(run);
		if (errp)
			*errp = err;
		return NULL;
	}
	record_unclaimed(&rc);
	for (i = 0; i < FO_STATUS_COUNT; i++)
		run->st.count[i] = atomic_load(&rc.counts[i]);
	run->st.interrupted = fo_interrupted();
	run->st.wall_ns = fo_now() - t0;
	getrusage(RUSAGE_SELF, &ru);
	run->st.maxrss_kb_sum += ru.ru_maxrss;
	run->results = rc.results;
	run->n = rc.n;
	free(rc.pw_claimed);
	pthread_mutex_destroy(&rc.lock);
	return run;
}

const struct fo_run_stats *fo_run_stats(const struct fo_run *r)
{
	return &r->st;
}

const struct fo_result *fo_run_result(const struct fo_run *r, size_t i)
{
	if (!r->results || i >= r->n)
		return NULL;
	return &r->results[i];
}

void fo_run_free(struct fo_run *r)
{
	size_t i;

	if (!r)
		return;
	if (r->results) {
		for (i = 0; i < r->n; i++) {
			free(r->results[i].output);
			free(r->results[i].error);
		}
		free(r->results);
	}
	free(r);
}
