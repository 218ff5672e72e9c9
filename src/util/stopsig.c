/*
 * Ctrl-C and SIGTERM taken by a thread of their own: see stopsig.h. (It
 * began in src/serve/common.c for serve and load.)
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>

#include "fanout/runtime.h"
#include "stopsig.h"

static atomic_bool ending; /* fo__stopsig_stop's signal to the thread */
static sigset_t stop_set;

/* The next signal of the set within ns (or forever when ns < 0): the
 * signal, or 0 when the time ran out. */
static int next_signal(int64_t ns)
{
	struct timespec ts = { (time_t)(ns / FO_SEC), (long)(ns % FO_SEC) };
	int sig;

	for (;;) {
		if (ns < 0) {
			if (sigwait(&stop_set, &sig) == 0)
				return sig;
			continue;
		}
		sig = sigtimedwait(&stop_set, NULL, &ts);
		if (sig > 0)
			return sig;
		if (errno == EAGAIN)
			return 0;
		/* EINTR: another signal's handler ran; wait again (the grace restarts,
		 * a bound all the same) */
	}
}

static void *stopsig_main(void *arg)
{
	struct fo_stopsig *s = arg;
	bool first = true;

	sem_post(&s->ready);
	for (;;) {
		next_signal(-1);
		if (atomic_load(&ending))
			return NULL;
		if (first && s->first)
			s->first();
		if (first && s->grace > 0) {
			next_signal(s->grace); /* a second Ctrl-C, or the grace is over */
			if (atomic_load(&ending))
				return NULL;
		}
		first = false;
		fo_interrupt();
	}
}

int fo__stopsig_start(struct fo_stopsig *s)
{
	sigset_t old;
	int e;

	s->started = false;
	atomic_store(&ending, false);
	sigemptyset(&stop_set);
	sigaddset(&stop_set, SIGINT);
	sigaddset(&stop_set, SIGTERM);
	e = pthread_sigmask(SIG_BLOCK, &stop_set, &old);
	if (e)
		return -e;
	if (sem_init(&s->ready, 0, 0) < 0) {
		e = errno;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		return -e;
	}
	e = pthread_create(&s->thread, NULL, stopsig_main, s);
	if (e) {
		sem_destroy(&s->ready);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		return -e;
	}
	/* bounded: the thread's first step is the post */
	while (sem_wait(&s->ready) < 0 && errno == EINTR)
		;
	sem_destroy(&s->ready);
	s->started = true;
	return 0;
}

void fo__stopsig_stop(struct fo_stopsig *s)
{
	if (!s->started)
		return;
	atomic_store(&ending, true);
	pthread_kill(s->thread, SIGTERM);
	pthread_join(s->thread, NULL);
	s->started = false;
}
