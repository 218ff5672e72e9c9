/*
 * The flags of `fanout bench rtt`, `bench tasks` and `bench serve`,
 * declared once (STYLE 16): these tables give the parsing (`--flag value`,
 * `--flag=value`), the checks, --help, the man pages and the completions.
 * Their own file, so that the tests can walk them without linking the
 * experiments. rtt and tasks are one experiment under two names: each
 * takes the other's words for the list flags (--tasks for --hosts,
 * --duration for --rtt), hidden.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "bench.h"
#include "../cli/cli.h"
#include "fanout/runtime.h"

/* The next comma-separated token of *p into tok (empty ones are skipped,
 * as strtok does): false at the end, or for a token too long for tok. */
static bool next_token(const char **p, char *tok, size_t cap, bool *bad)
{
	size_t k;

	while (**p == ',')
		(*p)++;
	if (!**p)
		return false;
	k = strcspn(*p, ",");
	if (k >= cap) {
		*bad = true;
		return false;
	}
	memcpy(tok, *p, k);
	tok[k] = 0;
	*p += k;
	return true;
}

/* "N[,N...]": at most cap whole numbers in [o->min, o->max]. */
static int set_counts(const struct fo_opt *o, struct fo_bench_list *l, const char *v, int cap)
{
	struct fo_bench_list out = { .n = 0 };
	bool bad = false;
	char tok[64];
	uint64_t n;

	while (next_token(&v, tok, sizeof(tok), &bad)) {
		if (out.n == cap || fo_cli_uint(tok, (uint64_t)o->min, (uint64_t)o->max, &n) < 0)
			return -EINVAL;
		out.v[out.n++] = (int64_t)n;
	}
	if (bad || !out.n)
		return -EINVAL;
	*l = out;
	return 0;
}

/* --hosts, --tasks */
static int set_hosts(void *cfg, const struct fo_opt *o, const char *v)
{
	return set_counts(o, (struct fo_bench_list *)(void *)((char *)cfg + o->off), v, FO_BENCH_MAX_LIST);
}

/* --clients */
static int set_clients(void *cfg, const struct fo_opt *o, const char *v)
{
	return set_counts(o, (struct fo_bench_list *)(void *)((char *)cfg + o->off), v, FO_BENCH_MAX_CLIENTS);
}

/* --ramp: client counts that never fall. */
static int set_ramp(void *cfg, const struct fo_opt *o, const char *v)
{
	struct fo_bench_list *l = (struct fo_bench_list *)(void *)((char *)cfg + o->off);
	struct fo_bench_list got;
	int i, r = set_counts(o, &got, v, FO_BENCH_MAX_LIST);

	if (r)
		return r;
	for (i = 1; i < got.n; i++)
		if (got.v[i] < got.v[i - 1])
			return -EINVAL;
	*l = got;
	return 0;
}

/* --rtt, --duration: "D[,D...]", zero allowed. */
static int set_durations(void *cfg, const struct fo_opt *o, const char *v)
{
	struct fo_bench_list out = { .n = 0 };
	bool bad = false;
	char tok[64];
	int64_t ns;

	while (next_token(&v, tok, sizeof(tok), &bad)) {
		if (out.n == FO_BENCH_MAX_LIST || fo_duration_parse(tok, &ns) < 0)
			return -EINVAL;
		out.v[out.n++] = ns;
	}
	if (bad || !out.n)
		return -EINVAL;
	*(struct fo_bench_list *)(void *)((char *)cfg + o->off) = out;
	return 0;
}

#define OFF(f) offsetof(struct fo_bench_cfg, f)
#define COUNTS_FORMS "a positive integer such as 10000, or a list 100,1000"
#define DURS_FORMS "a duration such as 50ms, 1s, 250us or 2.5s (a list: 50ms,1s)"
#define HOSTS(NAME, HELP, DEF, FLAGS)                                                                       \
	{ .name = NAME, .kind = FO_OPT_FN, .off = OFF(hosts), .arg = "N[,N...]", .group = "Experiment",       \
	  .help = HELP, .def = DEF, .min = 1, .max = 100000000, .forms = COUNTS_FORMS, .flags = FLAGS,         \
	  .fn = set_hosts }
#define RTTS(NAME, HELP, DEF, FLAGS)                                                                        \
	{ .name = NAME, .kind = FO_OPT_FN, .off = OFF(rtt), .arg = "D[,D...]", .group = "Experiment",         \
	  .help = HELP, .def = DEF, .forms = DURS_FORMS, .flags = FLAGS, .fn = set_durations }
#define ONE_DURATION(NAME, FIELD, HELP)                                                                     \
	{ .name = NAME, .kind = FO_OPT_DURATION, .off = OFF(FIELD), .arg = "D", .group = "Limits",           \
	  .help = HELP, .min = 1, .max = 9e18, .forms = "one duration above zero such as 50ms, 10s or 1m" }

/* What rtt and tasks share after their list flags. */
#define SHARED                                                                                              \
	{ .name = "jitter", .kind = FO_OPT_DURATION, .off = OFF(jitter), .arg = "D", .group = "Experiment",   \
	  .help = "adds 0..D to each task's wait, the same for every model", .def = "0",                     \
	  .forms = "one duration such as 50ms, 1s or 0" },                                                   \
	{ .name = "model", .kind = FO_OPT_LIST, .off = OFF(models), .arg = "M[,M...]", .group = "Models",     \
	  .help = "models, a list, or all (repeatable; without it: the default, in this process)",           \
	  .forms = FO_MODEL_FORMS ", or all" },                                                               \
	{ .name = "workers", .kind = FO_OPT_COUNT, .off = OFF(workers), .arg = "N", .group = "Models",        \
	  .help = "pool size for threads/processes given without a count; tasks in flight for loop/coro",    \
	  .min = 1, .max = 1000000, .forms = "a positive integer such as 1000" },                            \
	{ .name = "runs", .kind = FO_OPT_COUNT, .off = OFF(runs), .arg = "K", .group = "Experiment",         \
	  .help = "runs per row; the row shows medians, the CSV every run", .def = "1", .min = 1,            \
	  .max = 1000, .forms = "a positive integer such as 5" },                                            \
	ONE_DURATION("timeout", timeout, "per-task deadline: a task still waiting then ends timeout"),       \
	ONE_DURATION("max-time", max_time, "stop a row after D: tasks not started end skipped, those cut mid-wait error (the row shows ok/total)"), \
	{ .name = "row", .kind = FO_OPT_BOOL, .off = OFF(row), .help = "one run, its figures on fd 3",       \
	  .flags = FO_OPT_HIDDEN },                                                                           \
	{ .name = "quiet", .kind = FO_OPT_BOOL, .off = OFF(quiet), .help = "no header, quiet runtime",       \
	  .flags = FO_OPT_HIDDEN }

#define FILES(WHAT)                                                                                         \
	{ .name = "csv", .kind = FO_OPT_FILE, .off = OFF(csv), .arg = "FILE", .group = "Output",              \
	  .help = "every run as CSV", .forms = "a file name such as " WHAT ".csv" },                         \
	{ .name = "plot", .kind = FO_OPT_FILE, .off = OFF(plot), .arg = "FILE.svg", .group = "Output",        \
	  .help = "wall time against workers, a line per model family and duration (gnuplot)",              \
	  .forms = "a file name such as " WHAT ".svg" }

static const struct fo_opt rtt_opts[] = {
	HOSTS("hosts", "simulated hosts, or a list of counts", "10000", 0),
	HOSTS("tasks", "the same as --hosts", NULL, FO_OPT_HIDDEN),
	RTTS("rtt", "the round trip each host waits, or a list", "50ms", 0),
	RTTS("duration", "the same as --rtt", NULL, FO_OPT_HIDDEN),
	SHARED,
	FILES("rtt"),
	{ .name = "demo", .kind = FO_OPT_BOOL, .off = OFF(demo), .group = "Experiment",
	  .help = "10,000 hosts x 50 ms under every model, table and plot (build/bench-rtt.*)" },
	{ .name = NULL },
};

static const struct fo_opt tasks_opts[] = {
	HOSTS("tasks", "tasks, or a list of counts", "1000", 0),
	HOSTS("hosts", "the same as --tasks", NULL, FO_OPT_HIDDEN),
	RTTS("duration", "how long each task waits, or a list", "1s", 0),
	RTTS("rtt", "the same as --duration", NULL, FO_OPT_HIDDEN),
	SHARED,
	FILES("tasks"),
	{ .name = "demo", .kind = FO_OPT_BOOL, .off = OFF(demo), .help = "see bench rtt --demo",
	  .flags = FO_OPT_HIDDEN },
	{ .name = NULL },
};

#define MORE_MODELS                                                                                         \
	"models: " FO_MODEL_FORMS "; all = every model\n"                                                   \
	"durations: 50ms, 1s, 250us, 2.5s (a bare number is milliseconds)\n"                               \
	"\n"                                                                                                \
	"Every flag takes --flag value and --flag=value.\n"

const struct fo_opts fo_bench_rtt_opts = {
	.cmd = "bench rtt",
	.no_operands = true,
	.synopsis = "[options]",
	.about = "N simulated hosts, each waiting one round trip, under each model",
	.more = "One row per run, like `time`: model, workers, hosts, rtt, wall, user, sys, cpu%, max RSS,\n"
		"ok/total. Without --model (and without --runs, --csv, --plot or lists) the default model\n"
		"(coro:N, N = cores) runs once, in this process; a sweep runs each row in a child.\n"
		"\n" MORE_MODELS,
	.opts = rtt_opts,
	.cfg_size = sizeof(struct fo_bench_cfg),
};

const struct fo_opts fo_bench_tasks_opts = {
	.cmd = "bench tasks",
	.no_operands = true,
	.synopsis = "[options]",
	.about = "n tasks of duration h under each model: overhead over the ideal",
	.more = "One row per run: model, workers, tasks, duration, wall, the ideal (ceil(n / concurrency) x h),\n"
		"the overhead over it, cpu, max RSS, ok/total.\n"
		"\n" MORE_MODELS,
	.opts = tasks_opts,
	.cfg_size = sizeof(struct fo_bench_cfg),
};

#undef OFF
#define OFF(f) offsetof(struct fo_bench_serve_cfg, f)
#define ROWS FO_BENCH_SERVE_ROWS
#define TIMELINE FO_BENCH_SERVE_TIMELINE
static const struct fo_opt serve_opts[] = {
	{ .name = "model", .kind = FO_OPT_LIST, .off = OFF(models), .arg = "M[,M...]", .group = "Experiment",
	  .help = "server models, a list, or all (repeatable; --timeline: threads,processes:2,coro:1)",
	  .def = "coro:1", .forms = FO_MODEL_FORMS ", or all" },
	{ .name = "proto", .kind = FO_OPT_ENUM, .off = OFF(proto), .arg = "PROTO", .group = "Experiment",
	  .help = "the protocol", .def = "line", .choices = "line|http", .forms = "line or http" },
	{ .name = "clients", .kind = FO_OPT_FN, .off = OFF(clients), .arg = "N[,N...]", .group = "Experiment",
	  .help = "client counts: a row each", .def = "1,2,4,8,16,64,256,1024", .min = 1, .max = 100000,
	  .forms = "counts from 1 to 100000 such as 1,16,64", .fn = set_clients, .ctx = ROWS },
	{ .name = "duration", .shrt = 'd', .kind = FO_OPT_DURATION, .off = OFF(duration), .arg = "D",
	  .group = "Experiment", .help = "per row", .def = "2s", .min = 1, .max = 9e18,
	  .forms = "a duration such as 2s", .ctx = ROWS },
	{ .name = "pin", .kind = FO_OPT_BOOL, .off = OFF(pin), .group = "Experiment",
	  .help = "the server on core 0, the client on core 1" },
	{ .name = "csv", .kind = FO_OPT_FILE, .off = OFF(csv), .arg = "FILE", .group = "Output",
	  .help = "every row, with its placement", .forms = "a file name such as serve.csv", .ctx = ROWS },
	{ .name = "plot", .kind = FO_OPT_FILE, .off = OFF(plot), .arg = "FILE.svg", .group = "Output",
	  .help = "req/s against clients (log scale), a line per model (gnuplot)",
	  .forms = "a file name such as serve.svg", .ctx = ROWS },
	{ .name = "timeline", .kind = FO_OPT_FILE, .off = OFF(timeline), .arg = "FILE.svg", .group = "Timeline",
	  .help = "instead of rows: clients added in --ramp steps, req/s, server RSS and CPU each second "
		  "(gnuplot)",
	  .forms = "a file name such as timeline.svg", .ctx = TIMELINE },
	{ .name = "timeline-data", .kind = FO_OPT_FILE, .off = OFF(timeline_data), .arg = "FILE",
	  .group = "Timeline", .help = "the timeline's samples as CSV (default: FILE.svg's name with .csv)",
	  .forms = "a file name such as timeline.csv", .ctx = TIMELINE },
	{ .name = "ramp", .kind = FO_OPT_FN, .off = OFF(ramp), .arg = "N[,N...]", .group = "Timeline",
	  .help = "client counts, a step each", .def = "1,2,4,8,16,32,64", .min = 1, .max = 100000,
	  .forms = "counts from 1 to 100000 that never fall, at most 32, such as 1,2,4,8", .fn = set_ramp,
	  .ctx = TIMELINE },
	{ .name = "ramp-every", .kind = FO_OPT_DURATION, .off = OFF(ramp_every), .arg = "D", .group = "Timeline",
	  .help = "how long each step lasts", .def = "2s", .min = 100e6, .max = 3600e9,
	  .forms = "a duration from 100ms to 1h such as 2s", .ctx = TIMELINE },
	{ .name = NULL },
};

const struct fo_opts fo_bench_serve_opts = {
	.cmd = "bench serve",
	.no_operands = true,
	.synopsis = "[options]",
	.about = "fanout serve under each model, driven by fanout load at each client count",
	.more = "Starts `fanout serve` under each model and drives it with `fanout load` at each\n"
		"client count: req/s, server CPU% and CPU per request, server peak RSS, connections\n"
		"served.\n"
		"\n"
		"--timeline FILE.svg: one server per model and one load that adds clients in --ramp\n"
		"steps (1, 2, 4, ... 64, 2s each); each second the requests done, and the server's\n"
		"RSS (VmRSS) and CPU (utime+stime) summed over its processes from /proc. The SVG\n"
		"draws req/s above, memory and CPU below, on one time axis, a line per model; the\n"
		"samples go to a CSV beside it (or --timeline-data FILE), a table per model to\n"
		"stdout. --timeline-data alone: the samples without the picture (no gnuplot).\n"
		"Without --model: threads, processes:2 and coro:1, about 45s in all.\n"
		"\n"
		"models: " FO_MODEL_FORMS "; all = every model\n"
		"\n"
		"Every flag takes --flag value and --flag=value.\n",
	.opts = serve_opts,
	.cfg_size = sizeof(struct fo_bench_serve_cfg),
};
