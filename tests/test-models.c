/*
 * The same task suite under every execution model: the two waits, spawn and
 * join, results (ok, failed, timeout, output, error text), task deadlines,
 * interrupts, dead worker processes. Plus what only coroutines have: stack
 * copying, run order, yield fairness, caps, stack overflow detection.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fanout/runtime.h"
#include "test.h"

static const char *const all_models[] = {
	"sequential", "threads:8", "processes:2", "blended:2x4", "loop", "coro:2",
};
#define NMODELS (sizeof(all_models) / sizeof(all_models[0]))

static struct fo_run *run_model(const char *model, size_t n, fo_job_fn fn, void *arg, int64_t timeout)
{
	struct fo_run_opts o;
	struct fo_run *r;
	char err[256];
	int e = 0;

	memset(&o, 0, sizeof(o));
	CHECK_EQ(fo_model_parse(model, &o.model, err, sizeof(err)), 0);
	o.ntasks = n;
	o.fn = fn;
	o.arg = arg;
	o.task_timeout = timeout;
	o.keep_results = true;
	o.quiet = true;
	r = fo_run(&o, &e);
	if (!r)
		fprintf(stderr, "model %s: %s\n", model, fo_strerror(e));
	CHECK(r != NULL);
	return r;
}

static size_t total(const struct fo_run_stats *st)
{
	size_t t = 0;
	int i;

	for (i = 0; i < FO_STATUS_COUNT; i++)
		t += st->count[i];
	return t;
}

/* ---- sleep ---------------------------------------------------------------- */

static int sleep_task(struct fo_job *job, void *arg)
{
	(void)job;
	(void)arg;
	return fo_sleep(10 * FO_MSEC);
}

TEST(models_sleep_every_model)
{
	size_t m, i;

	for (m = 0; m < NMODELS; m++) {
		struct fo_run *r = run_model(all_models[m], 40, sleep_task, NULL, 0);
		const struct fo_run_stats *st = fo_run_stats(r);

		CHECK_EQ(st->count[FO_OK], 40);
		CHECK_EQ(total(st), 40);
		for (i = 0; i < 40; i++) {
			const struct fo_result *res = fo_run_result(r, i);

			CHECK_EQ(res->index, i);
			CHECK_EQ(res->status, FO_OK);
			/* a sleep never ends early */
			CHECK(res->end - res->start >= 10 * FO_MSEC);
		}
		fo_run_free(r);
	}
}

/* ---- fd waits, spawn and join ----------------------------------------------- */

struct pipe_arg {
	int wfd;
};

static int writer(void *p)
{
	struct pipe_arg *a = p;

	fo_sleep(5 * FO_MSEC);
	return write(a->wfd, "x", 1) == 1 ? 7 : -1;
}

static int fd_task(struct fo_job *job, void *arg)
{
	struct pipe_arg *a = malloc(sizeof(*a)); /* reached by another task: heap, not stack */
	int fds[2], r, ret = -1;
	char c;
	fo_task *t;

	(void)job;
	(void)arg;
	if (pipe2(fds, O_NONBLOCK) < 0)
		return -errno;
	/* nothing to read: the wait's own deadline passes */
	r = fo_wait_fd(fds[0], FO_READ, fo_now() + 5 * FO_MSEC);
	if (r != -ETIMEDOUT) {
		fo_job_errorf(job, "expected a timeout, got %d", r);
		goto out;
	}
	/* another task writes; this one waits for it */
	a->wfd = fds[1];
	t = fo_spawn(writer, a);
	if (!t) {
		fo_job_errorf(job, "spawn failed");
		goto out;
	}
	r = fo_wait_fd(fds[0], FO_READ, fo_now() + 5 * FO_SEC);
	if (r <= 0 || !(r & FO_READ) || read(fds[0], &c, 1) != 1) {
		fo_job_errorf(job, "expected readiness, got %d", r);
		fo_join(t, NULL);
		goto out;
	}
	if (fo_join(t, &r) != 0 || r != 7) {
		fo_job_errorf(job, "join gave %d", r);
		goto out;
	}
	/* a writable end is writable */
	r = fo_wait_fd(fds[1], FO_WRITE, FO_NEVER);
	ret = (r > 0 && (r & FO_WRITE)) ? 0 : -EIO;
out:
	close(fds[0]);
	close(fds[1]);
	free(a);
	return ret;
}

TEST(models_fd_wait_spawn_join_every_model)
{
	size_t m;

	for (m = 0; m < NMODELS; m++) {
		struct fo_run *r = run_model(all_models[m], 20, fd_task, NULL, 0);
		const struct fo_run_stats *st = fo_run_stats(r);

		if (st->count[FO_OK] != 20) {
			size_t i;

			for (i = 0; i < 20; i++)
				if (fo_run_result(r, i)->status != FO_OK)
					fprintf(stderr, "%s: task %zu: %s\n", all_models[m], i,
						fo_run_result(r, i)->error);
		}
		CHECK_EQ(st->count[FO_OK], 20);
		fo_run_free(r);
	}
}

/* ---- results: ok with output, failed with an error, timeout ---------------------- */

static int mixed_task(struct fo_job *job, void *arg)
{
	size_t i = fo_job_index(job);
	char buf[64];
	int n;

	(void)arg;
	switch (i % 4) {
	case 0:
		n = snprintf(buf, sizeof(buf), "hello %zu", i);
		fo_job_output(job, buf, (size_t)n);
		return 0;
	case 1:
		fo_job_errorf(job, "device %zu said no", i);
		return -EIO;
	case 2:
		return fo_sleep(10 * FO_SEC); /* the task deadline stops it */
	default:
		fo_sleep(FO_MSEC);
		return 0;
	}
}

TEST(models_results_every_model)
{
	size_t m, i, n = 24;

	for (m = 0; m < NMODELS; m++) {
		struct fo_run *r = run_model(all_models[m], n, mixed_task, NULL, 50 * FO_MSEC);
		const struct fo_run_stats *st = fo_run_stats(r);

		CHECK_EQ(total(st), n);
		CHECK_EQ(st->count[FO_OK], n / 2);
		CHECK_EQ(st->count[FO_FAILED], n / 4);
		CHECK_EQ(st->count[FO_TIMEOUT], n / 4);
		for (i = 0; i < n; i++) {
			const struct fo_result *res = fo_run_result(r, i);
			char want[64];

			CHECK_EQ(res->index, i);
			switch (i % 4) {
			case 0:
				snprintf(want, sizeof(want), "hello %zu", i);
				CHECK_EQ(res->status, FO_OK);
				CHECK_STR(res->output, want);
				CHECK_EQ(res->output_len, strlen(want));
				break;
			case 1:
				snprintf(want, sizeof(want), "device %zu said no", i);
				CHECK_EQ(res->status, FO_FAILED);
				CHECK_EQ(res->err, -EIO);
				CHECK_STR(res->error, want);
				break;
			case 2:
				CHECK_EQ(res->status, FO_TIMEOUT);
				CHECK_EQ(res->err, -ETIMEDOUT);
				break;
			default:
				CHECK_EQ(res->status, FO_OK);
				CHECK(res->output == NULL);
			}
		}
		fo_run_free(r);
	}
}

/* ---- on_result: streamed, once per task, never concurrently ------------------------ */

struct stream {
	atomic_int inside;
	int calls, overlap;
	unsigned char seen[200];
};

static void on_res(const struct fo_result *r, void *arg)
{
	struct stream *s = arg;

	if (atomic_fetch_add(&s->inside, 1) != 0)
		s->overlap++;
	s->calls++;
	if (r->index < 200)
		s->seen[r->index]++;
	atomic_fetch_sub(&s->inside, 1);
}

TEST(models_on_result_every_model)
{
	size_t m;
	int i;

	for (m = 0; m < NMODELS; m++) {
		struct stream s;
		struct fo_run_opts o;
		struct fo_run *r;
		char err[128];
		int e;

		memset(&s, 0, sizeof(s));
		memset(&o, 0, sizeof(o));
		fo_model_parse(all_models[m], &o.model, err, sizeof(err));
		o.ntasks = 200;
		o.fn = mixed_task;
		o.task_timeout = 20 * FO_MSEC;
		o.on_result = on_res;
		o.on_result_arg = &s;
		o.quiet = true;
		r = fo_run(&o, &e);
		CHECK(r != NULL);
		CHECK_EQ(s.calls, 200);
		CHECK_EQ(s.overlap, 0);
		for (i = 0; i < 200; i++)
			CHECK_EQ(s.seen[i], 1);
		CHECK(fo_run_result(r, 0) == NULL); /* not kept */
		fo_run_free(r);
	}
}

/* ---- interrupt: every task still ends with a result ------------------------------- */

static void *interrupter(void *arg)
{
	(void)arg;
	usleep(150 * 1000);
	fo_interrupt();
	return NULL;
}

static int long_task(struct fo_job *job, void *arg)
{
	(void)job;
	(void)arg;
	return fo_sleep(30 * FO_SEC);
}

TEST(models_interrupt_every_model)
{
	size_t m;

	for (m = 0; m < NMODELS; m++) {
		pthread_t th;
		struct fo_run *r;
		const struct fo_run_stats *st;
		int64_t t0 = fo_now();

		fo_interrupt_reset();
		pthread_create(&th, NULL, interrupter, NULL);
		r = run_model(all_models[m], 50, long_task, NULL, 0);
		pthread_join(th, NULL);
		st = fo_run_stats(r);
		if (st->count[FO_OK])
			fprintf(stderr, "%s: %zu ok\n", all_models[m], st->count[FO_OK]);
		CHECK(st->interrupted);
		CHECK_EQ(total(st), 50);
		CHECK_EQ(st->count[FO_OK], 0);
		CHECK(st->count[FO_ERROR] + st->count[FO_SKIPPED] == 50);
		/* it stopped at the interrupt, not after the sleeps */
		CHECK(fo_now() - t0 < 20 * FO_SEC);
		fo_run_free(r);
		fo_interrupt_reset();
	}
}

/* ---- a worker process killed mid-run ----------------------------------------------- */

static int killer_task(struct fo_job *job, void *arg)
{
	(void)arg;
	fo_sleep(2 * FO_MSEC);
	if (fo_job_index(job) == 5)
		raise(SIGKILL);
	return 0;
}

TEST(models_worker_killed)
{
	const char *models[] = { "processes:2", "blended:2x4" };
	size_t m, i;

	for (m = 0; m < 2; m++) {
		struct fo_run *r = run_model(models[m], 60, killer_task, NULL, 0);
		const struct fo_run_stats *st = fo_run_stats(r);
		bool found = false;

		CHECK_EQ(total(st), 60);
		CHECK(st->workers_died >= 1);
		CHECK(st->count[FO_ERROR] >= 1);
		CHECK(st->count[FO_OK] >= 60 - 8); /* only what the dead worker held */
		for (i = 0; i < 60; i++) {
			const struct fo_result *res = fo_run_result(r, i);

			if (res->status == FO_ERROR) {
				CHECK(res->error && strstr(res->error, "signal 9"));
				found = true;
			}
		}
		CHECK(found);
		CHECK(fo_run_result(r, 5)->status == FO_ERROR);
		fo_run_free(r);
	}
}

/* ---- coroutines: stacks survive parking ------------------------------------------------ */

static int pattern_task(struct fo_job *job, void *arg)
{
	size_t i = fo_job_index(job), k;
	volatile unsigned char small[100];
	int rounds;

	(void)arg;
	for (rounds = 0; rounds < 5; rounds++) {
		for (k = 0; k < sizeof(small); k++)
			small[k] = (unsigned char)(i * 31 + k + (size_t)rounds);
		fo_sleep(FO_MSEC * (int64_t)(1 + i % 3));
		for (k = 0; k < sizeof(small); k++)
			if (small[k] != (unsigned char)(i * 31 + k + (size_t)rounds))
				return -EIO;
		/* a deep frame parks too: its save goes out of line */
		if (i % 5 == 0) {
			volatile unsigned char big[20000];

			for (k = 0; k < sizeof(big); k += 97)
				big[k] = (unsigned char)(i + k);
			fo_yield();
			fo_sleep(FO_MSEC);
			for (k = 0; k < sizeof(big); k += 97)
				if (big[k] != (unsigned char)(i + k))
					return -EIO;
		}
	}
	return 0;
}

TEST(coro_stacks_survive_parking)
{
	const char *models[] = { "loop", "coro:2", "coro:4" };
	size_t m;

	for (m = 0; m < 3; m++) {
		struct fo_run *r = run_model(models[m], 2000, pattern_task, NULL, 0);

		CHECK_EQ(fo_run_stats(r)->count[FO_OK], 2000);
		fo_run_free(r);
	}
}

/* ---- coroutines: order, fairness, cancel ------------------------------------------------ */

struct order {
	int log[64];
	int n;
};

static struct order ord;

static int logger(void *p)
{
	int id = (int)(intptr_t)p, k;

	for (k = 0; k < 3; k++) {
		ord.log[ord.n++] = id;
		fo_yield();
	}
	return id;
}

static int order_task(struct fo_job *job, void *arg)
{
	fo_task *a, *b, *c;
	int ra, rb, rc;

	(void)job;
	(void)arg;
	ord.n = 0;
	a = fo_spawn(logger, (void *)1);
	b = fo_spawn(logger, (void *)2);
	c = fo_spawn(logger, (void *)3);
	fo_join(a, &ra);
	fo_join(b, &rb);
	fo_join(c, &rc);
	return (ra == 1 && rb == 2 && rc == 3) ? 0 : -EIO;
}

TEST(coro_spawn_order_and_yield_fairness)
{
	struct fo_run *r = run_model("loop", 1, order_task, NULL, 0);
	int want[] = { 1, 2, 3, 1, 2, 3, 1, 2, 3 }, i;

	CHECK_EQ(fo_run_stats(r)->count[FO_OK], 1);
	CHECK_EQ(ord.n, 9);
	for (i = 0; i < 9; i++)
		CHECK_EQ(ord.log[i], want[i]);
	fo_run_free(r);
}

static int sleeper(void *p)
{
	int *res = p;

	*res = fo_sleep(60 * FO_SEC);
	return fo_cancelled() ? 1 : 0;
}

static int cancel_task(struct fo_job *job, void *arg)
{
	int *res = malloc(sizeof(int)), ret = -1, out = 0;
	fo_task *t;

	(void)job;
	(void)arg;
	*res = 12345;
	t = fo_spawn(sleeper, res);
	fo_sleep(5 * FO_MSEC);
	fo_cancel(t);
	if (fo_join(t, &ret) == 0 && ret == 1 && *res == -ECANCELED)
		out = 0;
	else
		out = -EIO;
	free(res);
	return out;
}

TEST(models_cancel_every_model)
{
	size_t m;

	for (m = 0; m < NMODELS; m++) {
		struct fo_run *r = run_model(all_models[m], 4, cancel_task, NULL, 0);

		CHECK_EQ(fo_run_stats(r)->count[FO_OK], 4);
		fo_run_free(r);
	}
}

/* ---- coroutines: the in-flight cap ---------------------------------------------------- */

static atomic_int inflight, peak;

static int counting_task(struct fo_job *job, void *arg)
{
	int now = atomic_fetch_add(&inflight, 1) + 1, p;

	(void)job;
	(void)arg;
	while (now > (p = atomic_load(&peak)) && !atomic_compare_exchange_weak(&peak, &p, now))
		;
	fo_sleep(2 * FO_MSEC);
	atomic_fetch_sub(&inflight, 1);
	return 0;
}

TEST(coro_max_inflight)
{
	struct fo_run_opts o;
	struct fo_run *r;
	char err[64];
	int e;

	memset(&o, 0, sizeof(o));
	fo_model_parse("coro:2", &o.model, err, sizeof(err));
	o.ntasks = 3000;
	o.fn = counting_task;
	o.max_inflight = 100;
	o.quiet = true;
	r = fo_run(&o, &e);
	CHECK(r);
	CHECK_EQ(fo_run_stats(r)->count[FO_OK], 3000);
	CHECK(atomic_load(&peak) <= 100);
	CHECK(atomic_load(&peak) >= 10);
	fo_run_free(r);
}

/* ---- coroutines: many tasks at once ------------------------------------------------------- */

TEST(coro_hundred_thousand_at_once)
{
	struct fo_run *r;

	if (!strcmp(fo_test_san(), "tsan"))
		fo_test_skip("a fiber per task: too slow under TSan");
	r = run_model("coro:2", 100000, sleep_task, NULL, 0);
	CHECK_EQ(fo_run_stats(r)->count[FO_OK], 100000);
	fo_run_free(r);
}

/* ---- stack overflow: a clear message, not silent corruption ------------------------------- */

static int recurse(int depth)
{
	volatile char pad[1024];

	pad[0] = (char)depth;
	if (depth == 0)
		return pad[0];
	return recurse(depth - 1) + pad[0];
}

static int deep_task(struct fo_job *job, void *arg)
{
	(void)job;
	(void)arg;
	return recurse(100000) == 12345 ? 0 : 1; /* 100 MB of frames */
}

/* The overflow's diagnostic comes from the SIGSEGV handler: write(2) only. */
static int diag_fd = -1;

static void diag_to_fd(void *arg, int level, const char *msg)
{
	char line[300];
	size_t n = strlen(msg);

	(void)arg;
	if (n > sizeof(line) - 3)
		n = sizeof(line) - 3;
	line[0] = (char)('0' + level);
	memcpy(line + 1, msg, n);
	line[n + 1] = '\n';
	if (write(diag_fd, line, n + 2) < 0)
		_exit(3);
}

/* A loop run whose task overflows its stack, in a child whose stderr is a
 * pipe and whose diagnostics go (when with_diag) to another: what each
 * got, and that the child died of SIGSEGV. */
static void overflow_child(bool with_diag, char *err, char *diag, size_t len)
{
	int pe[2], pd[2], status;
	pid_t pid;
	ssize_t n;

	CHECK_EQ(pipe(pe), 0);
	CHECK_EQ(pipe(pd), 0);
	pid = fork();
	if (pid == 0) {
		dup2(pe[1], 2);
		diag_fd = pd[1];
		if (with_diag)
			fo_set_diag(diag_to_fd, NULL);
		run_model("loop", 1, deep_task, NULL, 0);
		_exit(0);
	}
	close(pe[1]);
	close(pd[1]);
	n = read(pe[0], err, len - 1);
	err[n > 0 ? n : 0] = 0;
	n = read(pd[0], diag, len - 1);
	diag[n > 0 ? n : 0] = 0;
	close(pe[0]);
	close(pd[0]);
	waitpid(pid, &status, 0);
	CHECK(WIFSIGNALED(status));
	CHECK_EQ(WTERMSIG(status), SIGSEGV);
}

TEST(coro_stack_overflow_detected)
{
	char err[512], diag[512];

	if (*fo_test_san())
		fo_test_skip("the sanitizers own SIGSEGV");
	/* the message goes to the callback, fatal, and never to stderr */
	overflow_child(true, err, diag, sizeof(err));
	CHECK_STR(err, "");
	CHECK(diag[0] == '0' + FO_DIAG_FATAL);
	CHECK(strstr(diag, "task stack overflow (stack 256 KB): raise FANOUT_STACK_SIZE"));
	/* without a callback: nothing at all, still SIGSEGV */
	overflow_child(false, err, diag, sizeof(err));
	CHECK_STR(err, "");
	CHECK_STR(diag, "");
}

/* ---- models: parsing ----------------------------------------------------------------------- */

TEST(models_parse)
{
	struct fo_model m;
	char err[256], buf[64];

	CHECK_EQ(fo_model_parse("threads:100", &m, err, sizeof(err)), 0);
	CHECK_STR(fo_model_format(&m, buf, sizeof(buf)), "threads:100");
	CHECK_EQ(fo_model_parse("blended:2x5000", &m, err, sizeof(err)), 0);
	CHECK_EQ(m.procs, 2);
	CHECK_EQ(m.threads, 5000);
	CHECK_EQ(fo_model_workers(&m), 10000);
	CHECK_EQ(fo_model_parse("coro", &m, err, sizeof(err)), 0);
	CHECK_EQ(m.kind, FO_MODEL_CORO);
	CHECK(m.threads >= 1);
	CHECK_EQ(fo_model_parse("bogus", &m, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "bogus") && strstr(err, "blended:PxT"));
	CHECK_EQ(fo_model_parse("threads:0", &m, err, sizeof(err)), -EINVAL);
	CHECK_EQ(fo_model_parse("threads:-1", &m, err, sizeof(err)), -EINVAL);
	CHECK_EQ(fo_model_parse("blended:2", &m, err, sizeof(err)), -EINVAL);
	CHECK_EQ(fo_model_parse("loop:3", &m, err, sizeof(err)), -EINVAL);
	m = fo_model_default();
	CHECK_EQ(m.kind, FO_MODEL_CORO);
}

TEST(durations_parse)
{
	int64_t ns;
	char buf[32];

	CHECK_EQ(fo_duration_parse("50ms", &ns), 0);
	CHECK_EQ(ns, 50 * FO_MSEC);
	CHECK_EQ(fo_duration_parse("2.5s", &ns), 0);
	CHECK_EQ(ns, 2500 * FO_MSEC);
	CHECK_EQ(fo_duration_parse("250us", &ns), 0);
	CHECK_EQ(ns, 250 * FO_USEC);
	CHECK_EQ(fo_duration_parse("5parsecs", &ns), -EINVAL);
	CHECK_EQ(fo_duration_parse("-1s", &ns), -EINVAL);
	CHECK_EQ(fo_duration_parse("", &ns), -EINVAL);
	CHECK_STR(fo_duration_format(50 * FO_MSEC, buf, sizeof(buf)), "50ms");
	CHECK_STR(fo_duration_format(FO_SEC, buf, sizeof(buf)), "1s");
}

/* ---- coroutines: unstarted tasks go to whichever thread is free ------------------------ */

static atomic_int busy_tid, on_busy, on_other;

static int hog_task(struct fo_job *job, void *arg)
{
	(void)arg;
	if (fo_job_index(job) == 0) {
		/* hog this scheduler thread (no wait) until the other thread
		 * has run every task this one had not claimed yet */
		int64_t end = fo_now() + 50 * FO_SEC; /* a safety valve, not a timing: TSan on a busy machine took 17 s */

		atomic_store(&busy_tid, gettid());
		while (fo_now() < end && atomic_load(&on_other) < 5000 - 128)
			;
		return 0;
	}
	fo_sleep(FO_MSEC);
	if (atomic_load(&busy_tid) == gettid())
		atomic_fetch_add(&on_busy, 1);
	else
		atomic_fetch_add(&on_other, 1);
	return 0;
}

TEST_T(coro_unstarted_tasks_go_to_free_thread, 90)
{
	struct fo_run *r;

	r = run_model("coro:2", 5000, hog_task, NULL, 0);
	CHECK_EQ(fo_run_stats(r)->count[FO_OK], 5000);
	/* the hogged thread had claimed one batch (128) before it blocked;
	 * the free thread ran all the rest while it was blocked */
	CHECK(atomic_load(&on_other) >= 5000 - 128);
	fo_run_free(r);
}

/* ---- per-worker runs: one task per worker, index = worker number ------------------------- */

static atomic_int pw_seen[64];

static int pw_task(struct fo_job *job, void *arg)
{
	(void)arg;
	atomic_fetch_add(&pw_seen[fo_job_index(job) % 64], 1);
	return fo_sleep(FO_MSEC);
}

TEST(models_per_worker_every_model)
{
	const char *models[] = { "sequential", "threads:4", "loop", "coro:3", "processes:2", "blended:2x3" };
	int expect[] = { 1, 4, 1, 3, 2, 6 };
	size_t m;
	int i;

	for (m = 0; m < sizeof(models) / sizeof(models[0]); m++) {
		struct fo_run_opts o;
		struct fo_run *r;
		char err[64];
		int e;

		for (i = 0; i < 64; i++)
			atomic_store(&pw_seen[i], 0);
		memset(&o, 0, sizeof(o));
		fo_model_parse(models[m], &o.model, err, sizeof(err));
		o.ntasks = 1000; /* ignored */
		o.per_worker = true;
		o.fn = pw_task;
		o.keep_results = true;
		o.quiet = true;
		r = fo_run(&o, &e);
		CHECK(r);
		CHECK_EQ(fo_run_stats(r)->count[FO_OK], expect[m]);
		CHECK_EQ(fo_run_stats(r)->ntasks, expect[m]); /* not the 1000 given */
		for (i = 0; i < expect[m]; i++) {
			CHECK_EQ(fo_run_result(r, (size_t)i)->status, FO_OK);
			/* in-process models ran each index exactly once here */
			if (o.model.kind != FO_MODEL_PROCESSES && o.model.kind != FO_MODEL_BLENDED)
				CHECK_EQ(atomic_load(&pw_seen[i]), 1);
		}
		CHECK(fo_run_result(r, (size_t)expect[m]) == NULL);
		fo_run_free(r);
	}
}

/* ---- detached tasks ------------------------------------------------------------------------ */

static atomic_int go_done;

static int go_child(void *arg)
{
	(void)arg;
	fo_sleep(2 * FO_MSEC);
	atomic_fetch_add(&go_done, 1);
	return 0;
}

static int go_task(struct fo_job *job, void *arg)
{
	int i, before = atomic_load(&go_done);
	int64_t end = fo_now() + 10 * FO_SEC;

	(void)job;
	(void)arg;
	for (i = 0; i < 10; i++)
		if (fo_go(go_child, NULL) < 0)
			return -EIO;
	while (atomic_load(&go_done) < before + 10 && fo_now() < end)
		fo_sleep(FO_MSEC);
	return atomic_load(&go_done) >= before + 10 ? 0 : -EIO;
}

TEST(models_detached_tasks_every_model)
{
	size_t m;

	for (m = 0; m < NMODELS; m++) {
		struct fo_run *r;

		atomic_store(&go_done, 0);
		r = run_model(all_models[m], 3, go_task, NULL, 0);
		/* NEEDSWORK: failed once (2 of 3 ok) under ASan in a loaded make
		 * test, not again in 15 runs alone: say which model and how */
		if (fo_run_stats(r)->count[FO_OK] != 3)
			fprintf(stderr, "model %s: %zu ok, %zu failed, %zu error, %zu timed out, %zu skipped; "
				"go_done %d\n", all_models[m], fo_run_stats(r)->count[FO_OK],
				fo_run_stats(r)->count[FO_FAILED], fo_run_stats(r)->count[FO_ERROR],
				fo_run_stats(r)->count[FO_TIMEOUT], fo_run_stats(r)->count[FO_SKIPPED],
				atomic_load(&go_done));
		CHECK_EQ(fo_run_stats(r)->count[FO_OK], 3);
		fo_run_free(r);
	}
}

/* ---- coroutines: waits that end early leave no pile of timer entries ------------------ */

static int many_waits_task(struct fo_job *job, void *arg)
{
	int fds[2], i, r;
	char c;

	(void)job;
	(void)arg;
	if (pipe2(fds, O_NONBLOCK) < 0)
		return -errno;
	for (i = 0; i < 20000; i++) {
		if (write(fds[1], "x", 1) != 1)
			break;
		/* a far deadline, as a server's idle timeout: ready at once */
		r = fo_wait_fd(fds[0], FO_READ, fo_now() + 60 * FO_SEC);
		if (r <= 0 || read(fds[0], &c, 1) != 1)
			break;
	}
	close(fds[0]);
	close(fds[1]);
	return i == 20000 ? 0 : -EIO;
}

TEST(coro_timer_entries_bounded)
{
	struct fo_run *r = run_model("loop", 2, many_waits_task, NULL, 0);

	CHECK_EQ(fo_run_stats(r)->count[FO_OK], 2);
	/* one live entry per task, not one per wait */
	CHECK(fo_run_stats(r)->timers_peak <= 4);
	fo_run_free(r);
}

/* ---- diagnostics: to the callback, never to stderr ------------------------------------------ */

struct diag_log {
	pthread_mutex_t lock;
	char text[2048];
	int warns, others;
};

/* may run on any of the run's threads */
static void diag_collect(void *arg, int level, const char *msg)
{
	struct diag_log *d = arg;
	size_t at;

	pthread_mutex_lock(&d->lock);
	if (level == FO_DIAG_WARN)
		d->warns++;
	else
		d->others++;
	at = strlen(d->text);
	snprintf(d->text + at, sizeof(d->text) - at, "%s\n", msg);
	pthread_mutex_unlock(&d->lock);
}

static int nop_task(struct fo_job *job, void *arg)
{
	(void)job;
	(void)arg;
	return 0;
}

/*
 * Runs n nop tasks under model with the given stack size and diagnostics,
 * stderr sent to a file meanwhile; checks every task ran ok and that
 * nothing reached stderr. Returns the run's stats' threads_started.
 */
static int run_silent(const char *model, size_t n, size_t stack, bool quiet, struct diag_log *d, size_t *stack_used)
{
	struct fo_run_opts o;
	struct fo_run *r;
	char err[256];
	FILE *f = tmpfile();
	int saved = dup(2), e = 0, started;

	CHECK(f && saved >= 0);
	memset(&o, 0, sizeof(o));
	CHECK_EQ(fo_model_parse(model, &o.model, err, sizeof(err)), 0);
	o.ntasks = n;
	o.fn = nop_task;
	o.stack_size = stack;
	o.quiet = quiet;
	if (d) {
		o.diag = diag_collect;
		o.diag_arg = d;
	}
	fflush(stderr);
	dup2(fileno(f), 2);
	r = fo_run(&o, &e);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	CHECK(r != NULL);
	CHECK_EQ(fo_run_stats(r)->count[FO_OK], n);
	started = fo_run_stats(r)->threads_started;
	if (stack_used)
		*stack_used = fo_run_stats(r)->stack_size;
	fo_run_free(r);
	CHECK_EQ(ftell(f), 0); /* the library never prints */
	fclose(f);
	return started;
}

/* a stack no thread can have: the pool cannot start its threads */
#define HUGE_STACK ((size_t)1 << 46)

TEST(models_never_prints)
{
	struct diag_log d = { PTHREAD_MUTEX_INITIALIZER, "", 0, 0 };
	struct diag_log g = { PTHREAD_MUTEX_INITIALIZER, "", 0, 0 };

	/* a thread limit (what cli_thread_limit* meet), no callback anywhere */
	CHECK(run_silent("threads:65", 100, HUGE_STACK, false, NULL, NULL) < 65);
	/* ... with the run's own callback: a warning with the numbers */
	CHECK(run_silent("threads:65", 100, HUGE_STACK, false, &d, NULL) < 65);
	CHECK_EQ(d.warns, 1);
	CHECK_EQ(d.others, 0);
	CHECK(strstr(d.text, "started ") && strstr(d.text, " of 65 threads ("));
	CHECK(!strstr(d.text, "fanout:") && !strchr(d.text, '\n')[1]);
	/* quiet drops the warning */
	d.text[0] = 0;
	d.warns = 0;
	run_silent("threads:65", 100, HUGE_STACK, true, &d, NULL);
	CHECK_EQ(d.warns, 0);
	/* a bad FANOUT_STACK_SIZE is ignored, and said so: to the process-wide callback */
	setenv("FANOUT_STACK_SIZE", "12x", 1);
	run_silent("coro:2", 10, 0, false, NULL, NULL);
	fo_set_diag(diag_collect, &g);
	run_silent("coro:2", 10, 0, false, NULL, NULL);
	CHECK_EQ(g.warns, 1);
	CHECK(strstr(g.text, "FANOUT_STACK_SIZE=12x ignored"));
	/* a run's own callback takes the place of the process-wide one */
	run_silent("loop", 10, 0, false, &d, NULL);
	CHECK_EQ(g.warns, 1);
	CHECK_EQ(d.warns, 1);
	fo_set_diag(NULL, NULL);
	run_silent("coro:2", 10, 0, false, NULL, NULL);
	CHECK_EQ(g.warns, 1);
	unsetenv("FANOUT_STACK_SIZE");
}

/* FANOUT_STACK_SIZE applies where the caller asked for no stack size only */
TEST(models_stack_size_beats_env)
{
	size_t used = 0;

	unsetenv("FANOUT_STACK_SIZE");
	run_silent("coro:2", 10, 0, false, NULL, &used);
	CHECK_EQ(used, 256 * 1024);
	run_silent("loop", 10, 64 * 1024, false, NULL, &used);
	CHECK_EQ(used, 64 * 1024);
	setenv("FANOUT_STACK_SIZE", "1m", 1);
	run_silent("coro:2", 10, 0, false, NULL, &used);
	CHECK_EQ(used, 1024 * 1024);
	run_silent("coro:2", 10, 64 * 1024, false, NULL, &used);
	CHECK_EQ(used, 64 * 1024);
	run_silent("loop", 10, 512 * 1024, false, NULL, &used);
	CHECK_EQ(used, 512 * 1024);
	setenv("FANOUT_STACK_SIZE", "48k", 1);
	run_silent("loop", 10, 0, false, NULL, &used);
	CHECK_EQ(used, 48 * 1024);
	unsetenv("FANOUT_STACK_SIZE");
}
