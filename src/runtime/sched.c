/*
 * Coroutines and their scheduler: the "loop" and "coro:N" models.
 *
 * One scheduler per thread, each with its run queue, user-space timers and
 * poller. Tasks never move once started (libraries' handles are not
 * thread-safe to move); threads share only the run's counter of unstarted
 * task indices, claimed in batches, which balances the load the way
 * stealing unstarted tasks would.
 *
 * Stacks. All tasks of a thread run on one shared stack. A task that parks
 * leaves its frames there; only when another task needs the stack are they
 * copied out, to the task's own slot, and what does not fit there to a
 * buffer of its own. So a waiting task costs its slot (FO__SLOT bytes) plus
 * whatever of its stack did not fit in it, not a page, and a million of
 * them fit in about half a GB. Copying costs a memcpy of the used
 * part (a few hundred bytes when parked in a wait) per switch between
 * different tasks. The rule that follows is in runtime.h: nothing may point
 * into a parked task's stack. The shared stack has a guard page below it,
 * so an overflow faults at once instead of corrupting memory; with one stack
 * per thread this costs one mapping, not one per task.
 *
 * Slots are carved from slabs in address order as tasks need them (pages
 * of a slab that no task has used yet cost no memory) and reused LIFO
 * through a per-thread free list, so tasks that start after early ones
 * finish reuse warm memory.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctx.h"
#include "internal.h"
#include "poller.h"
#include "timer.h"

#if defined(__SANITIZE_ADDRESS__)
#define FO_ASAN 1
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif
#if defined(__SANITIZE_THREAD__)
#define FO_TSAN 1
#include <sanitizer/tsan_interface.h>
#endif

/* A slot: the task record followed by its inline save area. */
#ifdef FO_CTX_ASM
#define FO__SLOT 384
#else
#define FO__SLOT 2048 /* ucontext_t alone is about 1 KB */
#endif
#define FO__SLAB_MIN 128   /* slots in the first slab (48 KB) */
#define FO__SLAB_MAX 16384 /* and at most (6 MB: huge pages, few faults) */
#define FO__BATCH 128
#define RECV_SEL_MAX 65535 /* a recv_select's length (wait_rec.sel_len) */
#define FO__EVS 256

enum { T_NEW, T_READY, T_RUNNING, T_PARKED, T_DONE };
enum { K_JOB, K_SPAWN };
struct fo__task {
	struct fo_task h;
	unsigned char state, what;
	bool cancelled, detached;
	uint32_t rec;          /* fd wait record index + 1, or 0 */
	int wake_buf;          /* a recv_select's buffer, or -1 */
	struct fo__ctx ctx;
	struct fo__sched *sched;
	struct fo__task *next; /* run queue or free list */
	struct fo__task *lprev, *lnext; /* live list, for cancel-all */
	uint64_t seq;          /* the current wait; timers and records check it */
	int wake_res;          /* what the wait returns */
	int timeout_res;       /* what it returns if its timer fires */
	int64_t wait_dl;       /* the deadline of the current wait, or FO_NEVER */
	int64_t timer_at;      /* the deadline of this task's entry in the timers, 0 = none */
	int64_t deadline;      /* the task's own deadline */
	char *save;            /* out-of-line save area (big stacks) */
	uint32_t save_len, save_cap;
	union {
		struct fo_job job;
		struct {
			fo_task_fn fn;
			void *arg;
			int ret;
			struct fo__task *joiner;
		} sp;
	} u;
#ifdef FO_ASAN
	void *asan_fake;
#endif
#ifdef FO_TSAN
	void *tsan_fiber;
#endif
	/* the inline save area follows, to the end of the slot: TASK_INL() */
};

#define TASK_INL(t) ((char *)((t) + 1))

#define FO__INLINE (FO__SLOT - (uint32_t)sizeof(struct fo__task))
_Static_assert(sizeof(struct fo__task) + 128 <= FO__SLOT, "task slot too small");

struct wait_rec {
	struct fo__task *task; /* NULL once orphaned (disarmed, key not yet free) */
	uint64_t seq;
	int fd;
	uint32_t next_free;
	bool io;               /* a recv or send the kernel does (FO__PK_IO) */
	bool sel;              /* io: a recv_select (its event may hold a buffer) */
	uint16_t sel_len;      /* sel: its length, for another try */
	int abort_res;         /* io: cancelled; what the task gets unless the IO won */
};

struct slab {
	struct slab *next;
	size_t len; /* of the whole mapping */
};

struct fo__sched {
	struct fo__ctx ctx;
	struct fo__runctl *rc;
	int id;
	char *stack_lo;        /* usable shared stack [stack_lo, stack_hi) */
	char *stack_hi;
	void *map;
	size_t map_len;
	struct fo__task *owner; /* whose frames are on the shared stack */
	struct fo__task *rq_head, *rq_tail;
	size_t rq_len;
	struct fo__task live;  /* sentinel of the live list */
	size_t nlive, cap;
	bool src_done, interrupted;
	struct fo__timers timers;
	struct fo__poller poller;
	struct wait_rec *recs;
	uint32_t nrecs, recs_cap, rec_free; /* rec_free: index + 1, 0 = none */
	struct fo__task *free_slots;
	struct slab *slabs;
	char *carve, *carve_end; /* the newest slab's never-used slots */
	size_t slab_next;      /* slots in the next slab */
	size_t nsaves;         /* free slots holding an out-of-line save area */
	int64_t now;           /* fo_now() as of this loop turn */
	size_t timers_peak;
	size_t nobufs;         /* recv_selects that found every buffer taken (tried again) */
	struct fo__poll_ev evs[FO__EVS];
	int err;
#ifdef FO_ASAN
	void *asan_fake;
	const void *asan_bottom;
	size_t asan_size;
#endif
#ifdef FO_TSAN
	void *tsan_fiber;
#endif
};

/* ---- sanitizer hooks: tell ASan and TSan which stack is live ---------------- */

static inline void san_enter_task(struct fo__sched *s, struct fo__task *t)
{
#ifdef FO_ASAN
	__sanitizer_start_switch_fiber(&s->asan_fake, s->stack_lo, (size_t)(s->stack_hi - s->stack_lo));
#endif
#ifdef FO_TSAN
	__tsan_switch_to_fiber(t->tsan_fiber, 0);
#endif
	(void)s;
	(void)t;
}

static inline void san_back_in_sched(struct fo__sched *s)
{
#ifdef FO_ASAN
	__sanitizer_finish_switch_fiber(s->asan_fake, NULL, NULL);
#endif
	(void)s;
}

static inline void san_in_task(struct fo__sched *s, struct fo__task *t)
{
#ifdef FO_ASAN
	__sanitizer_finish_switch_fiber(t->asan_fake, &s->asan_bottom, &s->asan_size);
#endif
	(void)s;
	(void)t;
}

static inline void san_leave_task(struct fo__sched *s, struct fo__task *t, bool last)
{
#ifdef FO_ASAN
	__sanitizer_start_switch_fiber(last ? NULL : &t->asan_fake, s->asan_bottom, s->asan_size);
#endif
#ifdef FO_TSAN
	__tsan_switch_to_fiber(s->tsan_fiber, 0);
#endif
	(void)s;
	(void)t;
	(void)last;
}

static inline void san_unpoison(void *p, size_t len)
{
#ifdef FO_ASAN
	ASAN_UNPOISON_MEMORY_REGION(p, len);
#endif
	(void)p;
	(void)len;
}

/* ---- slots ----------------------------------------------------------------- */

static struct fo__task *slot_get(struct fo__sched *s)
{
	struct fo__task *t = s->free_slots;
	size_t n, len;
	struct slab *sl;

	if (t) {
		s->free_slots = t->next;
		if (t->save)
			s->nsaves--;
		return t;
	}
	/* Never-used slots are carved off the newest slab in address order
	 * when wanted, not threaded onto the free list when it is made:
	 * pages of slots no task has had are never touched, so they cost no
	 * memory (a free list through a 6 MB slab touched all of it). */
	if (s->carve == s->carve_end) {
		/* A new slab straight from mmap: big ones are backed by huge
		 * pages (one fault per 2 MB instead of per 4 KB), and it is
		 * zeroed, so seq starts at 0 and no save area hangs off a
		 * fresh slot. */
		n = s->slab_next;
		len = 64 + n * FO__SLOT;
		sl = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (sl == MAP_FAILED)
			return NULL;
		if (len >= 2 * 1024 * 1024)
			madvise(sl, len, MADV_HUGEPAGE);
		sl->next = s->slabs;
		sl->len = len;
		s->slabs = sl;
		if (s->slab_next < FO__SLAB_MAX)
			s->slab_next *= 2;
		s->carve = (char *)sl + 64;
		s->carve_end = s->carve + n * FO__SLOT;
	}
	t = (struct fo__task *)s->carve;
	s->carve += FO__SLOT;
	return t;
}

static void slot_put(struct fo__sched *s, struct fo__task *t)
{
	if (t->save_cap > 16384) {
		free(t->save);
		t->save = NULL;
		t->save_cap = 0;
	}
	if (t->save)
		s->nsaves++;
	t->next = s->free_slots;
	s->free_slots = t;
}

static struct fo__task *task_new(struct fo__sched *s, int what)
{
	struct fo__task *t = slot_get(s);

	if (!t)
		return NULL;
	t->h.kind = FO__TASK_CORO;
	t->state = T_NEW;
	t->what = (unsigned char)what;
	t->cancelled = false;
	t->detached = false;
	t->rec = 0;
	t->sched = s;
	t->next = NULL;
	t->wake_res = 0;
	t->deadline = FO_NEVER;
	t->wait_dl = FO_NEVER;
	t->timer_at = 0; /* entries a former task of this slot left behind are stale */
	t->save_len = 0;
	/* the live list */
	t->lnext = s->live.lnext;
	t->lprev = &s->live;
	s->live.lnext->lprev = t;
	s->live.lnext = t;
	s->nlive++;
	return t;
}

static void live_unlink(struct fo__sched *s, struct fo__task *t)
{
	t->lprev->lnext = t->lnext;
	t->lnext->lprev = t->lprev;
	s->nlive--;
}

/* ---- run queue -------------------------------------------------------------- */

static inline void rq_push(struct fo__sched *s, struct fo__task *t)
{
	t->next = NULL;
	if (s->rq_tail)
		s->rq_tail->next = t;
	else
		s->rq_head = t;
	s->rq_tail = t;
	s->rq_len++;
}

static inline struct fo__task *rq_pop(struct fo__sched *s)
{
	struct fo__task *t = s->rq_head;

	if (t) {
		s->rq_head = t->next;
		if (!s->rq_head)
			s->rq_tail = NULL;
		s->rq_len--;
	}
	return t;
}

static void make_ready(struct fo__sched *s, struct fo__task *t, int res)
{
	t->wake_res = res;
	t->state = T_READY;
	t->seq++; /* any record of the finished wait is now stale */
	t->wait_dl = FO_NEVER;
	rq_push(s, t);
}

/* ---- wait records (fd registrations) --------------------------------------------- */

static uint32_t rec_get(struct fo__sched *s)
{
	uint32_t i;

	if (s->rec_free) {
		i = s->rec_free - 1;
		s->rec_free = s->recs[i].next_free;
		return i;
	}
	if (s->nrecs == s->recs_cap) {
		uint32_t ncap = s->recs_cap ? s->recs_cap * 2 : 64;
		struct wait_rec *n = realloc(s->recs, ncap * sizeof(*n));

		if (!n)
			return UINT32_MAX;
		s->recs = n;
		s->recs_cap = ncap;
	}
	return s->nrecs++;
}

static void rec_put(struct fo__sched *s, uint32_t i)
{
	s->recs[i].task = NULL;
	s->recs[i].next_free = s->rec_free;
	s->rec_free = i + 1;
}

/* Ends t's current wait early (timer, cancel): drops its fd registration. */
static void wait_abort(struct fo__sched *s, struct fo__task *t)
{
	if (t->rec && !s->recs[t->rec - 1].io) {
		uint32_t i = t->rec - 1;

		t->rec = 0;
		s->poller.ops->disarm(&s->poller, s->recs[i].fd, (uint64_t)i + 1);
		if (s->poller.ops->async_disarm)
			s->recs[i].task = NULL; /* freed by its last event */
		else
			rec_put(s, i);
	}
}

/*
 * Ends t's wait early (its timer, a cancel) with res. An IO wait cannot end
 * before the kernel lets go of the task's buffer: the operation is
 * cancelled and the task stays parked until the operation's own completion
 * comes, which then ends the wait (with the bytes moved, if the IO won).
 */
static void end_wait(struct fo__sched *s, struct fo__task *t, int res)
{
	struct wait_rec *r = t->rec ? &s->recs[t->rec - 1] : NULL;

	if (r && r->io) {
		if (!r->abort_res) {
			r->abort_res = res;
			s->poller.ops->disarm(&s->poller, r->fd, (uint64_t)t->rec | FO__PK_IO);
		}
		t->wait_dl = FO_NEVER;
		return;
	}
	wait_abort(s, t);
	make_ready(s, t, res);
}

/* ---- stacks ---------------------------------------------------------------- */

/* Copies the parked owner's frames off the shared stack. */
/* len, hidden from the compiler: knowing it at most FO__INLINE, GCC copies
 * with an inline rep movsq, slower than memcpy's vector loads for these
 * few hundred bytes (and 27 "instructions" to callgrind). */
static inline size_t opaque(size_t len)
{
	__asm__("" : "+r"(len));
	return len;
}

/*
 * Copies the parked owner's frames off the shared stack: the innermost
 * FO__INLINE bytes to its slot, the rest (if any) to a buffer of its own,
 * so a park a little deeper than the slot holds costs only the difference.
 */
static int save_out(struct fo__sched *s, struct fo__task *t)
{
	size_t len = (size_t)(s->stack_hi - (char *)t->ctx.sp);
	const char *sp = t->ctx.sp;

	san_unpoison(t->ctx.sp, len);
	if (len > FO__INLINE) {
		size_t over = len - FO__INLINE;

		if (over > t->save_cap) {
			/* in steps of 32, less malloc's 8-byte header (glibc: a
			 * chunk of exactly 32k bytes): depths vary a little */
			size_t cap = ((over + 8 + 31) & ~(size_t)31) - 8;
			char *n = realloc(t->save, cap);

			if (!n)
				return -ENOMEM;
			t->save = n;
			t->save_cap = (uint32_t)cap;
		}
		memcpy(t->save, sp + FO__INLINE, over);
		len = FO__INLINE;
	}
	memcpy(TASK_INL(t), sp, opaque(len));
	t->save_len = (uint32_t)(s->stack_hi - sp);
	return 0;
}

static void copy_in(struct fo__sched *s, struct fo__task *t)
{
	size_t len = t->save_len;
	char *sp = t->ctx.sp;

	(void)s;
	san_unpoison(sp, len);
	if (len > FO__INLINE) {
		memcpy(sp + FO__INLINE, t->save, len - FO__INLINE);
		len = FO__INLINE;
	}
	memcpy(sp, TASK_INL(t), opaque(len));
}

/* ---- the task's side -------------------------------------------------------------- */

__thread struct fo__cur fo__cur;

/*
 * Nothing of this frame is needed across fn but what the thread-local
 * gives back: t kept in a register would be saved registers on the stack
 * of every parked task (bytes of memory per waiting connection).
 */
static void task_main(void *p)
{
	struct fo__task *t = p;
	int ret;

	san_in_task(t->sched, t);
	if (t->what == K_JOB) {
		struct fo__runctl *rc = t->sched->rc;

		t->u.job.start = t->sched->now;
		if (rc->o->task_timeout > 0)
			t->deadline = t->u.job.start + rc->o->task_timeout;
		t->u.job.deadline = t->deadline;
		ret = rc->o->fn(&t->u.job, rc->o->arg);
	} else {
		ret = t->u.sp.fn(t->u.sp.arg);
	}
	t = fo__cur.task;
	if (t->what == K_JOB)
		fo__job_finish(t->sched->rc, &t->u.job, ret);
	else
		t->u.sp.ret = ret;
	t->state = T_DONE;
	san_leave_task(t->sched, t, true);
	fo__ctx_switch(&t->ctx, &t->sched->ctx);
	abort(); /* a finished task is never resumed */
}

static int park(struct fo__sched *s, struct fo__task *t)
{
	t->state = T_PARKED;
	san_leave_task(s, t, false);
	fo__ctx_switch(&t->ctx, &s->ctx);
	san_in_task(s, t);
	return t->wake_res;
}

/* The deadline a wait really has: its own or the task's, whichever is first. */
static inline int64_t wait_deadline(struct fo__task *t, int64_t deadline, int *tmo_res, int own)
{
	if (t->deadline < deadline) {
		*tmo_res = -ETIMEDOUT;
		return t->deadline;
	}
	*tmo_res = own;
	return deadline;
}

static inline bool task_stopped(struct fo__sched *s, struct fo__task *t)
{
	return t->cancelled || s->interrupted;
}

/*
 * Gives t's wait a timer. A task keeps at most one live entry: when it
 * already has one due no later than this wait's deadline, that one will do
 * (when it comes due it re-arms for the real deadline). Without this, a
 * server whose connections wait with an idle deadline of a minute would
 * leave an entry per request behind for a minute: at 164k requests/s, 23 MB
 * of timer entries after 3 s (docs/BENCHMARKS.md, "Timers under a server's
 * load").
 */
static int arm_timer(struct fo__sched *s, struct fo__task *t, int64_t deadline)
{
	t->wait_dl = deadline;
	if (deadline == FO_NEVER || (t->timer_at && t->timer_at <= deadline))
		return 0;
	if (fo__timers_add(&s->timers, deadline, t, 0) < 0)
		return -ENOMEM;
	t->timer_at = deadline;
	if (fo__timers_len(&s->timers) > s->timers_peak)
		s->timers_peak = fo__timers_len(&s->timers);
	return 0;
}

int fo__coro_sleep_until(int64_t deadline)
{
	struct fo__task *t = fo__cur.task;
	struct fo__sched *s = t->sched;
	int tmo;

	if (task_stopped(s, t))
		return -ECANCELED;
	deadline = wait_deadline(t, deadline, &tmo, 0);
	/* FO_NEVER: sleeps until cancelled */
	if (arm_timer(s, t, deadline) < 0)
		return -ENOMEM;
	t->timeout_res = tmo;
	return park(s, t);
}

/* fo__coro_wait_fd's first half, a function of its own so that the
 * registers it uses are not saved on the parked task's stack: 1 when t is
 * to park, else what the wait returns. */
static __attribute__((noinline)) int wait_fd_arm(int fd, int events, int64_t deadline)
{
	struct fo__task *t = fo__cur.task;
	struct fo__sched *s = t->sched;
	uint32_t i;
	int tmo, err;

	if (task_stopped(s, t))
		return -ECANCELED;
	if (!(events & (FO_READ | FO_WRITE)))
		return -EINVAL;
	deadline = wait_deadline(t, deadline, &tmo, -ETIMEDOUT);
	if (deadline <= fo_now())
		return tmo;
	i = rec_get(s);
	if (i == UINT32_MAX)
		return -ENOMEM;
	err = s->poller.ops->arm(&s->poller, fd, events, (uint64_t)i + 1);
	if (err < 0) {
		s->recs[i].next_free = s->rec_free;
		s->rec_free = i + 1;
		return err;
	}
	s->recs[i].task = t;
	s->recs[i].seq = t->seq;
	s->recs[i].fd = fd;
	s->recs[i].io = false;
	s->recs[i].sel = false;
	s->recs[i].abort_res = 0;
	t->rec = i + 1;
	if (arm_timer(s, t, deadline) < 0) {
		wait_abort(s, t);
		return -ENOMEM;
	}
	t->timeout_res = tmo;
	return 1;
}

int fo__coro_wait_fd(int fd, int events, int64_t deadline)
{
	struct fo__task *t;
	int r = wait_fd_arm(fd, events, deadline);

	if (r < 0)
		return r;
	t = fo__cur.task;
	return park(t->sched, t);
}

/* Makes IO wait record i t's wait, which the kernel's completion ends;
 * t parks next. */
static void io_arm(struct fo__sched *s, struct fo__task *t, uint32_t i, int fd, bool sel, int64_t deadline, int tmo)
{
	s->recs[i].task = t;
	s->recs[i].seq = t->seq;
	s->recs[i].fd = fd;
	s->recs[i].io = true;
	s->recs[i].sel = sel;
	s->recs[i].abort_res = 0;
	t->rec = i + 1;
	t->timeout_res = tmo;
	if (arm_timer(s, t, deadline) < 0)
		end_wait(s, t, -ENOMEM);
}

/*
 * recv or send done by the kernel (io_uring): the task parks until the
 * operation completes. Returns -ENOTSUP, before doing anything, where that
 * cannot be: no completion-based backend, or buf on the shared stack (the
 * kernel would write into whichever task is on it then).
 */
ssize_t fo__coro_io(bool send, int fd, void *buf, size_t len, int64_t deadline)
{
	struct fo__task *t = fo__cur.task;
	struct fo__sched *s = t->sched;
	const struct fo__poller_ops *ops = s->poller.ops;
	uint32_t i;
	int tmo, err;

	if (!ops->recv || ((char *)buf + len > s->stack_lo - 4096 && (char *)buf < s->stack_hi))
		return -ENOTSUP;
	if (task_stopped(s, t))
		return -ECANCELED;
	if (len > INT32_MAX)
		len = INT32_MAX;
	deadline = wait_deadline(t, deadline, &tmo, -ETIMEDOUT);
	if (deadline <= fo_now())
		return tmo;
	i = rec_get(s);
	if (i == UINT32_MAX)
		return -ENOMEM;
	if (send)
		err = ops->send(&s->poller, fd, buf, (unsigned)len, ((uint64_t)i + 1) | FO__PK_IO);
	else
		err = ops->recv(&s->poller, fd, buf, (unsigned)len, ((uint64_t)i + 1) | FO__PK_IO);
	if (err < 0) {
		s->recs[i].next_free = s->rec_free;
		s->rec_free = i + 1;
		return err;
	}
	io_arm(s, t, i, fd, false, deadline, tmo);
	return park(s, t);
}

/*
 * fo_recv_scratch on a buffer ring: the kernel reads into a buffer of the
 * poller's ring, taken only when data comes, and the bytes are copied to
 * buf once the task runs again, so nothing is read into buf while the task
 * waits. When every buffer was taken (-ENOBUFS: the bytes are still in the
 * socket) the scheduler tries again in its next turn, after the tasks that
 * hold buffers have run and given them back; the task waits on meanwhile.
 * Its frames are kept small (only t and buf live across the park): the
 * stack a parked connection keeps is memory per idle connection.
 */
/* recv_ring's first half, a function of its own (as is its last) so that
 * the registers it uses are not saved on the parked task's stack: 1 when t
 * is to park, else what fo_recv_scratch returns. */
static __attribute__((noinline)) int recv_ring_arm(struct fo__task *t, int fd, const void *sbuf, size_t slen,
							size_t len, int64_t deadline)
{
	struct fo__sched *s = t->sched;
	uint32_t i;
	int tmo, err;

	deadline = wait_deadline(t, deadline, &tmo, -ETIMEDOUT);
	if (deadline <= fo_now())
		return tmo;
	i = rec_get(s);
	if (i == UINT32_MAX)
		return -ENOMEM;
	if (len > RECV_SEL_MAX)
		len = RECV_SEL_MAX;
	if (sbuf) /* fo_send_recv: the send first, linked */
		err = s->poller.ops->send_recv(&s->poller, fd, sbuf, (unsigned)slen, (unsigned)len,
					       ((uint64_t)i + 1) | FO__PK_IO);
	else
		err = s->poller.ops->recv_select(&s->poller, fd, (unsigned)len, ((uint64_t)i + 1) | FO__PK_IO);
	if (err < 0) {
		s->recs[i].next_free = s->rec_free;
		s->rec_free = i + 1;
		return err;
	}
	s->recs[i].sel_len = (uint16_t)len;
	t->wake_buf = -1;
	io_arm(s, t, i, fd, true, deadline, tmo);
	return 1;
}

/* Its last: the bytes from the ring's buffer to buf, the buffer back. */
static __attribute__((noinline)) ssize_t recv_ring_take(struct fo__task *t, void *buf, ssize_t n)
{
	struct fo__sched *s = t->sched;

	if (n > 0)
		memcpy(buf, s->poller.ops->buf_at(&s->poller, t->wake_buf), (size_t)n);
	s->poller.ops->buf_put(&s->poller, t->wake_buf);
	t->wake_buf = -1;
	return n;
}

static __attribute__((noinline)) ssize_t recv_ring(struct fo__task *t, int fd, void *buf, size_t len,
						   int64_t deadline)
{
	ssize_t n = recv_ring_arm(t, fd, NULL, 0, len, deadline);

	if (n < 0)
		return n;
	n = park(t->sched, t);
	if (t->wake_buf < 0)
		return n;
	return recv_ring_take(t, buf, n);
}

ssize_t fo__coro_recv_scratch(int fd, void *buf, size_t len, int64_t deadline)
{
	struct fo__task *t = fo__cur.task;

	if (!t)
		return fo_recv(fd, buf, len, deadline);
	if (task_stopped(t->sched, t))
		return -ECANCELED;
	if (t->sched->poller.select_bufs && len)
		return recv_ring(t, fd, buf, len, deadline);
	return fo__recv_poll(fd, buf, len, deadline); /* without a ring (wait.c) */
}

/*
 * fo_send_recv on a buffer ring: the send linked to the ring's recv, one
 * park for both (recv_ring's way). -ENOTSUP, before doing anything, where
 * that cannot be (no ring, no links, sbuf on the shared stack): the caller
 * then sends and reads in two calls.
 */
ssize_t fo__coro_send_recv(int fd, const void *sbuf, size_t slen, void *buf, size_t len, int64_t deadline)
{
	struct fo__task *t = fo__cur.task;
	struct fo__sched *s = t->sched;
	ssize_t n;

	if (!s->poller.select_bufs || !s->poller.ops->send_recv || !len || slen > INT32_MAX ||
	    ((const char *)sbuf + slen > s->stack_lo - 4096 && (const char *)sbuf < s->stack_hi))
		return -ENOTSUP;
	if (task_stopped(s, t))
		return -ECANCELED;
	n = recv_ring_arm(t, fd, sbuf, slen, len, deadline);
	if (n < 0)
		return n;
	n = park(s, t);
	if (t->wake_buf >= 0)
		return recv_ring_take(t, buf, n);
	/* the recv cancelled by its failed send, not by a stop or timeout */
	if (n == -ECANCELED && !task_stopped(s, t))
		n = -EPIPE;
	return n;
}

void fo__coro_yield(void)
{
	struct fo__task *t = fo__cur.task;
	struct fo__sched *s = t->sched;

	/* Ready again at once: to the back of the queue, not parked. */
	make_ready(s, t, 0);
	san_leave_task(s, t, false);
	fo__ctx_switch(&t->ctx, &s->ctx);
	san_in_task(s, t);
}

int64_t fo__coro_deadline(void)
{
	return fo__cur.task->deadline;
}

bool fo__coro_cancelled(void)
{
	return task_stopped(fo__cur.task->sched, fo__cur.task);
}

fo_task *fo__coro_spawn(fo_task_fn fn, void *arg, bool detached)
{
	struct fo__sched *s = fo__cur.sched;
	struct fo__task *t = task_new(s, K_SPAWN);

	if (!t) {
		errno = ENOMEM;
		return NULL;
	}
	t->detached = detached;
	t->u.sp.fn = fn;
	t->u.sp.arg = arg;
	t->u.sp.ret = 0;
	t->u.sp.joiner = NULL;
	t->state = T_NEW;
	rq_push(s, t);
	return &t->h;
}

static void task_cancel(struct fo__sched *s, struct fo__task *t)
{
	t->cancelled = true;
	if (t->state == T_PARKED)
		end_wait(s, t, -ECANCELED);
}

void fo__coro_cancel(fo_task *h)
{
	struct fo__task *t = (struct fo__task *)h;

	if (t->state != T_DONE)
		task_cancel(t->sched, t);
}

int fo__coro_join(fo_task *h, int *ret)
{
	struct fo__task *t = (struct fo__task *)h;
	struct fo__task *me = fo__cur.task;
	struct fo__sched *s = me->sched;
	int res = 0;

	if (t->sched != s)
		return -EXDEV; /* handles belong to the thread that spawned them */
	while (t->state != T_DONE) {
		int r;

		t->u.sp.joiner = me;
		me->timeout_res = 0;
		r = park(s, me);
		if (r == -ECANCELED && !t->cancelled) {
			res = -ECANCELED;
			task_cancel(s, t);
		}
	}
	if (ret)
		*ret = t->u.sp.ret;
	slot_put(s, t);
	return res;
}

/* ---- the scheduler's side ----------------------------------------------------------- */

static void reap(struct fo__sched *s, struct fo__task *t)
{
#ifdef FO_TSAN
	__tsan_destroy_fiber(t->tsan_fiber);
#endif
	if (s->owner == t)
		s->owner = NULL;
	wait_abort(s, t);
	live_unlink(s, t);
	if (t->what == K_JOB || t->detached) {
		slot_put(s, t);
	} else {
		struct fo__task *j = t->u.sp.joiner;

		if (j && j->state == T_PARKED)
			make_ready(s, j, 0);
	}
}

static void resume(struct fo__sched *s, struct fo__task *t)
{
	if (s->owner != t) {
		if (s->owner && save_out(s, s->owner) < 0) {
			/* No memory to park the owner's frames: let t wait. */
			rq_push(s, t);
			return;
		}
		if (t->state == T_NEW) {
			san_unpoison(s->stack_hi - 4096, 4096);
			fo__ctx_make(&t->ctx, s->stack_lo, (size_t)(s->stack_hi - s->stack_lo), task_main, t);
#ifdef FO_TSAN
			t->tsan_fiber = __tsan_create_fiber(0);
#endif
		} else {
			copy_in(s, t);
		}
		s->owner = t;
	}
	t->state = T_RUNNING;
	fo__cur.task = t;
	san_enter_task(s, t);
	fo__ctx_switch(&s->ctx, &t->ctx);
	san_back_in_sched(s);
	fo__cur.task = NULL;
	if (t->state == T_DONE)
		reap(s, t);
}

/* Starts up to a batch of the run's unstarted tasks. */
static void admit(struct fo__sched *s)
{
	size_t want = FO__BATCH, first, n, i;

	if (s->cap && s->nlive + want > s->cap)
		want = s->cap > s->nlive ? s->cap - s->nlive : 0;
	if (!want)
		return;
	n = fo__claim(s->rc, want, &first);
	s->now = fo_now();
	if (n == 0) {
		s->src_done = true;
		return;
	}
	for (i = 0; i < n; i++) {
		struct fo__task *t = task_new(s, K_JOB);

		if (!t) {
			/* Out of memory for slots: the rest end as errors. */
			for (; i < n; i++)
				fo__record_skip(s->rc, first + i, FO_ERROR, -ENOMEM,
						"no memory for another task");
			return;
		}
		memset(&t->u.job, 0, sizeof(t->u.job));
		t->u.job.index = first + i;
		rq_push(s, t);
	}
}

static void on_interrupt(struct fo__sched *s)
{
	struct fo__task *t;

	s->interrupted = true;
	for (t = s->live.lnext; t != &s->live; t = t->lnext)
		task_cancel(s, t);
}

/* Runs the tasks ready now; those made ready meanwhile wait for the next
 * pass, after IO and timers had their turn. */
static void run_ready(struct fo__sched *s)
{
	size_t n = s->rq_len;
	struct fo__task *t;

	while (n-- && (t = rq_pop(s))) {
		if (t->state == T_NEW && t->what == K_JOB && s->interrupted) {
			fo__record_skip(s->rc, t->u.job.index, FO_SKIPPED, -ECANCELED,
					"interrupted before it started");
			live_unlink(s, t);
			slot_put(s, t);
		} else {
			resume(s, t);
		}
	}
}

static void on_events(struct fo__sched *s, int n)
{
	int k;

	for (k = 0; k < n; k++) {
		uint64_t key = s->evs[k].key;
		int rev = s->evs[k].revents;
		struct wait_rec *r;
		struct fo__task *t;

		if (key == FO__PK_INTR) {
			on_interrupt(s);
			continue;
		}
		key &= ~FO__PK_IO;
		if (key == FO__PK_IGNORE || key > s->nrecs)
			continue;
		r = &s->recs[key - 1];
		t = r->task;
		if (!t || r->seq != t->seq || t->state != T_PARKED) {
			/* cannot happen for a recv_select (IO waits are never
			 * orphaned), but its buffer would be lost for good */
			if (r->sel && s->evs[k].buf >= 0)
				s->poller.ops->buf_put(&s->poller, s->evs[k].buf);
			if (!t) /* the last word of a disarmed registration */
				rec_put(s, (uint32_t)(key - 1));
			continue; /* else NEEDSWORK: cannot happen; assert in debug builds */
		}
		if (r->io && r->abort_res && rev < 0)
			rev = r->abort_res; /* cancelled: timed out, or the task was */
		if (r->sel) {
			if (rev == -ENOBUFS) {
				/* every buffer was taken: again, once their
				 * holders (ready now) have given them back */
				s->nobufs++;
				rev = s->poller.ops->recv_select(&s->poller, r->fd, r->sel_len, key | FO__PK_IO);
				if (rev == 0)
					continue;
			}
			t->wake_buf = s->evs[k].buf;
		}
		t->rec = 0;
		rec_put(s, (uint32_t)(key - 1));
		make_ready(s, t, rev);
	}
}

static void on_timers(struct fo__sched *s)
{
	struct fo__timer_ent e;

	while (fo__timers_pop(&s->timers, s->now, &e)) {
		struct fo__task *t = e.owner;

		if (e.deadline != t->timer_at)
			continue; /* stale: its task made a newer entry, or left */
		t->timer_at = 0;
		if (t->state != T_PARKED || t->wait_dl == FO_NEVER)
			continue; /* that wait ended otherwise */
		if (t->wait_dl > s->now) {
			/* the task waits on with a later deadline: re-arm */
			if (arm_timer(s, t, t->wait_dl) < 0)
				end_wait(s, t, -ENOMEM);
			continue;
		}
		end_wait(s, t, t->timeout_res);
	}
}

static void loop(struct fo__sched *s)
{
	for (;;) {
		int64_t dl;
		int n;

		/* a batch every pass, busy or not: when waking tasks keep the
		 * queue from ever being empty (a load generator's connections
		 * against a fast server) new tasks must still start */
		if (!s->src_done && !s->interrupted)
			admit(s);
		run_ready(s);
		if (s->nlive == 0 && (s->src_done || s->interrupted))
			break;
		if (s->rq_head || (!s->src_done && !s->interrupted && (!s->cap || s->nlive < s->cap)))
			dl = 0;
		else
			dl = fo__timers_next(&s->timers);
		n = s->poller.ops->wait(&s->poller, dl, s->evs, FO__EVS);
		if (n < 0) {
			s->err = n;
			fo__diag(s->rc, FO_DIAG_ERROR, "poller wait failed: %s", fo_strerror(n));
			fo_interrupt();
			n = 0;
		}
		s->now = fo_now();
		on_events(s, n);
		on_timers(s);
	}
}

/* ---- set-up ---------------------------------------------------------------- */

static void sched_release(struct fo__sched *s)
{
	struct slab *sl, *nx;

	if (s->poller.ops)
		s->poller.ops->release(&s->poller);
	fo__timers_release(&s->timers);
	free(s->recs);
	/* out-of-line save areas hang off free slots, which live in slabs */
	if (s->nsaves) {
		struct fo__task *t;

		for (t = s->free_slots; t; t = t->next)
			free(t->save);
	}
	for (sl = s->slabs; sl; sl = nx) {
		nx = sl->next;
		munmap(sl, sl->len);
	}
	if (s->map)
		munmap(s->map, s->map_len);
}

/*
 * The first slab holds this thread's expected share of the run (so a run of
 * 10,000 makes one slab per thread, not six), rounded up to whole 2 MB
 * huge pages once it is big enough for them to pay.
 */
static size_t first_slab(size_t share)
{
	size_t huge = 2 * 1024 * 1024, n = share + 16, bytes;

	if (n < FO__SLAB_MIN)
		return FO__SLAB_MIN;
	if (n > FO__SLAB_MAX)
		return FO__SLAB_MAX;
	bytes = 64 + n * FO__SLOT;
	if (bytes > huge / 2)
		n = ((bytes + huge - 1) / huge * huge - 64) / FO__SLOT;
	return n;
}

static int sched_init(struct fo__sched *s, struct fo__runctl *rc, size_t stack_size, size_t cap, size_t share)
{
	long pg = sysconf(_SC_PAGESIZE);
	int err;

	memset(s, 0, sizeof(*s));
	s->rc = rc;
	s->cap = cap;
	s->live.lnext = s->live.lprev = &s->live;
	s->slab_next = first_slab(share);
	s->now = fo_now();
	fo__timers_init(&s->timers);
	stack_size = (stack_size + (size_t)pg - 1) & ~((size_t)pg - 1);
	s->map_len = stack_size + (size_t)pg;
	s->map = mmap(NULL, s->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
		      -1, 0);
	if (s->map == MAP_FAILED) {
		s->map = NULL;
		return -errno;
	}
	/* the guard page: an overflow faults here (see fo__stack_guard_hit) */
	mprotect(s->map, (size_t)pg, PROT_NONE);
	s->stack_lo = (char *)s->map + pg;
	s->stack_hi = (char *)s->map + s->map_len;
	s->poller.ops = fo__poller_choose();
	err = s->poller.ops->init(&s->poller);
	if (err < 0 && s->poller.ops != &fo__poll_epoll_ops) {
		fo__poller_failed(s->poller.ops);
		s->poller.ops = &fo__poll_epoll_ops;
		err = s->poller.ops->init(&s->poller);
	}
	if (err < 0) {
		s->poller.ops = NULL;
		return err;
	}
	err = s->poller.ops->arm(&s->poller, fo__intr_fd(), FO_READ, FO__PK_INTR);
	if (err < 0)
		return err;
	if (fo_interrupted())
		s->interrupted = true;
#ifdef FO_TSAN
	s->tsan_fiber = __tsan_get_current_fiber();
#endif
	return 0;
}

/* Guard pages of live shared stacks, and their runs, for the SIGSEGV
 * handler's diagnostic. */
#define FO__MAX_SCHED 1024
static struct {
	_Atomic(uintptr_t) lo, hi;
	_Atomic(struct fo__sched *) s;
} guards[FO__MAX_SCHED];

static void guard_register(struct fo__sched *s, int slot)
{
	if (slot < FO__MAX_SCHED) {
		atomic_store(&guards[slot].s, s);
		atomic_store(&guards[slot].lo, (uintptr_t)s->map);
		atomic_store(&guards[slot].hi, (uintptr_t)s->stack_lo);
	}
}

static void guard_unregister(int slot)
{
	if (slot < FO__MAX_SCHED) {
		atomic_store(&guards[slot].lo, 0);
		atomic_store(&guards[slot].hi, 0);
		atomic_store(&guards[slot].s, NULL);
	}
}

/* The overflow's diagnostic, from the SIGSEGV handler: snprintf of
 * integers and strings only, and the caller's callback, which runtime.h
 * tells to be async-signal-safe. */
static __attribute__((unused)) void overflow_diag(const struct fo__sched *s)
{
	const struct fo__runctl *rc = s ? s->rc : NULL;
	char msg[160];

	if (!rc || !rc->diag)
		return;
	snprintf(msg, sizeof(msg), "task stack overflow (stack %zu KB): %s",
		 (size_t)(s->stack_hi - s->stack_lo) / 1024,
		 rc->o->stack_size ? "raise the run's stack_size" : "raise FANOUT_STACK_SIZE");
	rc->diag(rc->diag_arg, FO_DIAG_FATAL, msg);
}

static __attribute__((unused)) void segv_handler(int sig, siginfo_t *si, void *uc)
{
	uintptr_t a = (uintptr_t)si->si_addr;
	int i;

	(void)uc;
	for (i = 0; i < FO__MAX_SCHED; i++) {
		if (a >= atomic_load(&guards[i].lo) && a < atomic_load(&guards[i].hi)) {
			overflow_diag(atomic_load(&guards[i].s));
			break;
		}
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * Runs a handler for overflows on an alternate stack (the faulting stack is
 * unusable): the process-wide handler once, if the program has none, and an
 * alternate stack for each scheduler thread while it runs. The sanitizers
 * bring their own SIGSEGV handling and alternate stacks: not under them.
 */
#if defined(FO_ASAN) || defined(FO_TSAN)
static void *guard_handler_install(void)
{
	return NULL;
}

static void guard_handler_remove(void *alt)
{
	(void)alt;
}
#else
#define FO__ALTSTACK 65536

static void *guard_handler_install(void)
{
	static atomic_bool installed;
	stack_t ss, old;
	void *alt = NULL;

	if (sigaltstack(NULL, &old) == 0 && (old.ss_flags & SS_DISABLE)) {
		alt = malloc(FO__ALTSTACK);
		if (alt) {
			ss.ss_sp = alt;
			ss.ss_size = FO__ALTSTACK;
			ss.ss_flags = 0;
			if (sigaltstack(&ss, NULL) < 0) {
				free(alt);
				alt = NULL;
			}
		}
	}
	if (!atomic_exchange(&installed, true)) {
		struct sigaction sa, prev;

		sigaction(SIGSEGV, NULL, &prev);
		if (prev.sa_handler == SIG_DFL) {
			memset(&sa, 0, sizeof(sa));
			sa.sa_sigaction = segv_handler;
			sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
			sigemptyset(&sa.sa_mask);
			sigaction(SIGSEGV, &sa, NULL);
		}
	}
	return alt;
}

static void guard_handler_remove(void *alt)
{
	stack_t ss;

	if (!alt)
		return;
	memset(&ss, 0, sizeof(ss));
	ss.ss_flags = SS_DISABLE;
	sigaltstack(&ss, NULL);
	free(alt);
}
#endif

/*
 * Every scheduler is set up (its poller made, which takes a descriptor)
 * before any of them runs a task: a server's first acceptor cannot use up
 * the descriptors the other schedulers still need.
 */
struct start_gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int ready; /* schedulers done setting up, whether they could or not */
	bool go;
};

static void gate_ready_and_wait(struct start_gate *g, bool wait)
{
	pthread_mutex_lock(&g->lock);
	g->ready++;
	pthread_cond_broadcast(&g->cond);
	while (wait && !g->go)
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
}

struct thread_arg {
	pthread_t thread; /* not in the sched: sched_init clears that */
	struct start_gate *gate;
	struct fo__sched *s;
	struct fo__runctl *rc;
	size_t stack, cap, share;
	int slot, worker;
};

static void sched_main(struct fo__sched *s, int slot, int worker)
{
	void *alt = guard_handler_install();

	fo__set_worker((size_t)worker);
	guard_register(s, slot);
	fo__cur.sched = s;
	fo__cur.model = s->rc->model_name;
	loop(s);
	fo__cur.sched = NULL;
	guard_unregister(slot);
	guard_handler_remove(alt);
}

static void *thread_main(void *p)
{
	struct thread_arg *a = p;
	int err = sched_init(a->s, a->rc, a->stack, a->cap, a->share);

	gate_ready_and_wait(a->gate, err == 0);
	if (err < 0) {
		/* the other schedulers take this one's share */
		fo__diag(a->rc, FO_DIAG_WARN, "a scheduler thread cannot start: %s", fo_strerror(err));
		sched_release(a->s);
		a->s->err = err;
		return NULL;
	}
	sched_main(a->s, a->slot, a->worker);
	sched_release(a->s);
	return NULL;
}

/*
 * FANOUT_STACK_SIZE (N, Nk or Nm, at least 16k) in *size, else the
 * default. 0, or -EINVAL (and *size the default) when it does not parse.
 */
int fo__stack_env(size_t *size)
{
	const char *env = getenv("FANOUT_STACK_SIZE");
	unsigned long long v;
	char *end;

	*size = FO__STACK_DEFAULT;
	if (!env || !*env)
		return 0;
	errno = 0;
	v = strtoull(env, &end, 10);
	if (*end == 'k' || *end == 'K') {
		v = v > ULLONG_MAX / 1024 ? ULLONG_MAX : v * 1024;
		end++;
	} else if (*end == 'm' || *end == 'M') {
		v = v > ULLONG_MAX / (1024 * 1024) ? ULLONG_MAX : v * 1024 * 1024;
		end++;
	}
	if (*env < '0' || *env > '9' || *end || errno || v < 16384 || v > SIZE_MAX / 2)
		return -EINVAL;
	*size = (size_t)v;
	return 0;
}

/* The shared stack's size: the caller's, else FANOUT_STACK_SIZE's, else
 * the default. An override that does not parse is ignored, and said so. */
static size_t stack_size_for(const struct fo__runctl *rc)
{
	size_t v;

	if (rc->o->stack_size)
		return rc->o->stack_size;
	if (fo__stack_env(&v) < 0)
		fo__diag(rc, FO_DIAG_WARN, "FANOUT_STACK_SIZE=%s ignored: want N, Nk or Nm of at least 16k; "
			 "the stack is %d KB", getenv("FANOUT_STACK_SIZE"), FO__STACK_DEFAULT / 1024);
	return v;
}

int fo__coro_run(struct fo__runctl *rc, int nthreads, struct fo_run_stats *st)
{
	struct fo__sched *ss;
	struct thread_arg *args;
	struct start_gate gate = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, false };
	size_t stack = stack_size_for(rc), cap = 0, share;
	int i, started = 0, err = 0;
	static atomic_int slot_base;
	int base;

	if (nthreads < 1)
		nthreads = 1;
	base = atomic_fetch_add(&slot_base, nthreads) % FO__MAX_SCHED;
	st->stack_size = stack;
	if (rc->o->max_inflight)
		cap = (rc->o->max_inflight + (size_t)nthreads - 1) / (size_t)nthreads;
	share = cap ? cap : (rc->n + (size_t)nthreads - 1) / (size_t)nthreads;
	ss = calloc((size_t)nthreads, sizeof(*ss));
	args = calloc((size_t)nthreads, sizeof(*args));
	if (!ss || !args) {
		free(ss);
		free(args);
		return -ENOMEM;
	}
	st->threads_wanted = nthreads;
	/* Scheduler 0 is the caller's thread. Each scheduler is set up on
	 * its own thread: an io_uring belongs to the thread that made it. */
	err = sched_init(&ss[0], rc, stack, cap, share);
	if (err < 0) {
		sched_release(&ss[0]);
		goto out;
	}
	st->poller = ss[0].poller.ops->name;
	st->recv_bufs = ss[0].poller.select_bufs;
	for (i = 1; i < nthreads; i++) {
		pthread_attr_t attr;

		args[i].s = &ss[i];
		args[i].slot = (base + i) % FO__MAX_SCHED;
		args[i].worker = i;
		args[i].gate = &gate;
		args[i].rc = rc;
		args[i].stack = stack;
		args[i].cap = cap;
		args[i].share = share;
		pthread_attr_init(&attr);
		pthread_attr_setstacksize(&attr, 256 * 1024);
		err = pthread_create(&args[i].thread, &attr, thread_main, &args[i]);
		pthread_attr_destroy(&attr);
		if (err) {
			fo__diag(rc, FO_DIAG_WARN, "started %d of %d scheduler threads (%s); running with %d", i,
				 nthreads, strerror(err), i);
			break;
		}
	}
	started = i;
	/* the others are set up (or could not be): now everyone runs */
	pthread_mutex_lock(&gate.lock);
	while (gate.ready < started - 1)
		pthread_cond_wait(&gate.cond, &gate.lock);
	gate.go = true;
	pthread_cond_broadcast(&gate.cond);
	pthread_mutex_unlock(&gate.lock);
	sched_main(&ss[0], base, 0);
	for (i = 1; i < started; i++)
		pthread_join(args[i].thread, NULL);
	for (i = 0; i < started; i++) {
		st->timers_peak += ss[i].timers_peak;
		st->recv_nobufs += ss[i].nobufs;
	}
	st->threads_started = 1;
	for (i = 1; i < started; i++)
		if (!ss[i].err)
			st->threads_started++;
	sched_release(&ss[0]);
	err = 0;
out:
	free(ss);
	free(args);
	return err;
}
