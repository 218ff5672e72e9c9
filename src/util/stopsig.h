/*
 * Ctrl-C and SIGTERM for the tools, taken by a thread that waits for them
 * (sigwait) rather than by a handler: SIGINT and SIGTERM are blocked in
 * the caller, and so in every thread and worker process it starts
 * afterwards. Start it before any other thread.
 *
 * Why not a handler: under TSan a handler runs only when the thread the
 * signal hit next calls a function TSan intercepts, in the same coroutine
 * (TSan keeps pending signals per fiber); a signal that hit a coroutine as
 * it ended was never handled, and `fanout serve` ignored SIGTERM (the
 * flaky serve_faults_served_beside_idle_coro). A thread of its own also
 * lets the grace below be a plain timed wait instead of a POSIX timer.
 *
 * What a signal does: first() is called (when set), then, after a grace
 * of `grace` ns, or at once on a second signal, fo_interrupt(). Later
 * signals call fo_interrupt() again.
 */
#ifndef FO_UTIL_STOPSIG_H
#define FO_UTIL_STOPSIG_H

#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdint.h>

struct fo_stopsig {
	void (*first)(void); /* the first signal: e.g. start no more work */
	int64_t grace;       /* ns from the first signal to fo_interrupt(); 0: at once */
	pthread_t thread;
	sem_t ready; /* posted by the thread once it is waiting */
	bool started;
};

/* Blocks SIGINT and SIGTERM and starts the thread: 0, or -errno (the
 * signals are then as they were). first and grace are read as set. It
 * returns once the thread is up, so that a fork() after it never copies a
 * thread half way through starting (under ASan a starting thread holds an
 * allocator lock; a worker forked then hung at its first malloc). */
int fo__stopsig_start(struct fo_stopsig *s);
/* Ends the thread; SIGINT and SIGTERM stay blocked (the caller is ending). */
void fo__stopsig_stop(struct fo_stopsig *s);

#endif
