/*
 * The tools' option tables (STYLE 16), walked: every flag a table shows
 * is in the tool's --help, every value flag takes --flag=VALUE (its
 * default, or a sample), in this process and in the CLI; a bad value is
 * exit 2 and the one line, "fanout: bad --flag 'value': expected ...".
 */
#include <stdarg.h>
#include <stddef.h>

#include "../src/bench/bench.h"
#include "../src/devices/server.h"
#include "../src/load/load.h"
#include "../src/run/run.h"
#include "../src/serve/serve.h"
#include "test.h"

/* A value entry o takes: a sample of the tool's, or its default. */
static const char *sample(const struct fo_opt *o, const char *const (*samples)[2])
{
	for (; samples && (*samples)[0]; samples++)
		if (!strcmp((*samples)[0], o->name))
			return (*samples)[1];
	return o->def;
}

static bool takes_value(const struct fo_opt *o)
{
	return o->kind != FO_OPT_BOOL && o->kind != FO_OPT_FLAG;
}

/* "--flag=VALUE" (or "--flag") parses into a config of the table's size. */
static void parses_here(const struct fo_opts *t, const char *arg)
{
	void *cfg = calloc(1, t->cfg_size);
	char *argv[] = { (char *)arg, NULL };
	struct fo_optres res;
	int r;

	CHECK(cfg != NULL);
	r = fo_opts_parse(t, cfg, 1, argv, &res);
	if (r)
		fprintf(stderr, "fanout %s %s: parse gave %d\n", t->cmd, arg, r);
	CHECK_EQ(r, 0);
	fo_opts_release(t, cfg, &res);
	free(cfg);
}

/* `fanout <words> ARG --help`: ARG is taken (else exit 2 before the help). */
static void parses_in_cli(const char *const *words, int nwords, const char *arg)
{
	const char *args[8];
	char *out = NULL, *err = NULL;
	int i, rc;

	for (i = 0; i < nwords; i++)
		args[i] = words[i];
	args[i++] = arg;
	args[i++] = "--help";
	args[i] = NULL;
	rc = fo_test_cliv(&out, &err, args);
	if (rc != 0)
		fprintf(stderr, "fanout %s ... %s --help: exit %d\n%s\n", words[nwords - 1], arg, rc, err);
	CHECK_EQ(rc, 0);
	CHECK_STR(err, "");
	free(out);
	free(err);
}

/* Walks t: the help of `fanout <words> --help` against every entry. */
static void walk(const struct fo_opts *t, const char *const *words, int nwords, const char *const (*samples)[2])
{
	const char *args[8];
	char *help = NULL, *err = NULL;
	const struct fo_opt *o;
	int i;

	for (i = 0; i < nwords; i++)
		args[i] = words[i];
	args[i++] = "--help";
	args[i] = NULL;
	CHECK_EQ(fo_test_cliv(&help, &err, args), 0);
	CHECK_HAS(help, t->about);
	for (o = t->opts; o->name; o++) {
		char flag[96], arg[160];

		if (o->shrt)
			snprintf(flag, sizeof(flag), "-%c, --%s", o->shrt, o->name);
		else
			snprintf(flag, sizeof(flag), "    --%s", o->name);
		if (o->flags & FO_OPT_HIDDEN) {
			snprintf(flag, sizeof(flag), "--%s ", o->name);
			CHECK_LACKS(help, flag);
		} else {
			CHECK_HAS(help, flag);
		}
		if (takes_value(o)) {
			const char *v = sample(o, samples);

			if (!v)
				fprintf(stderr, "--%s of %s: no default and no sample\n", o->name, t->cmd);
			CHECK(v != NULL);
			snprintf(arg, sizeof(arg), "--%s=%s", o->name, v);
		} else {
			snprintf(arg, sizeof(arg), "--%s", o->name);
		}
		parses_here(t, arg);
		parses_in_cli(words, nwords, arg);
	}
	free(help);
	free(err);
}

/* `fanout ARGS...` (NULL-terminated) is a usage error whose one line starts with want. */
static void bad(const char *want, ...)
{
	const char *args[16];
	char *out = NULL, *err = NULL;
	va_list ap;
	int n = 0, rc;

	va_start(ap, want);
	while (n < 15 && (args[n] = va_arg(ap, const char *)))
		n++;
	va_end(ap);
	args[n] = NULL;
	rc = fo_test_cliv(&out, &err, args);
	if (rc != 2 || strncmp(err, want, strlen(want)))
		fprintf(stderr, "exit %d (want 2), stderr [%s], want it to start [%s]\n", rc, err, want);
	CHECK_EQ(rc, 2);
	CHECK_STR(out, "");
	CHECK(!strncmp(err, want, strlen(want)));
	CHECK(strchr(err, '\n') == err + strlen(err) - 1);
	free(out);
	free(err);
}

TEST_T(serve_opts_table, 60)
{
	static const char *const words[] = { "serve" };

	walk(&fo_serve_opts, words, 1, NULL);
	bad("fanout: bad --port '65536': expected a port number from 0 to 65535\n", "serve", "--port=65536", NULL);
	bad("fanout: bad --idle-timeout '0': expected ", "serve", "--idle-timeout", "0", NULL);
	bad("fanout: bad --max-header '63': expected ", "serve", "--max-header=63", NULL);
	bad("fanout: bad --proto 'udp': expected line or http\n", "serve", "--proto=udp", NULL);
	bad("fanout: bad --bind 'localhost': expected ", "serve", "--bind=localhost", NULL);
	bad("fanout: bad --model 'threads:0': expected ", "serve", "--model=threads:0", NULL);
	bad("fanout: unknown option '--ports' (see fanout serve --help)\n", "serve", "--ports=1", NULL);
	bad("fanout: '--reply' needs a value (see fanout serve --help)\n", "serve", "--reply", NULL);
	bad("fanout: '--port' is given more than once", "serve", "--port", "0", "--port=1", NULL);
}

TEST_T(load_opts_table, 60)
{
	static const char *const words[] = { "load" };
	static const char *const samples[][2] = {
		{ "rate", "100" }, { "threads", "2" }, { "line", "PING" }, { "ramp", "1,2,4" }, { NULL, NULL },
	};

	walk(&fo_load_opts, words, 1, samples);
	bad("fanout: bad -c '0': expected a number of connections from 1 to 1000000\n", "load", "-c0", "127.0.0.1:1",
	    NULL);
	bad("fanout: bad --connections ' 4': expected ", "load", "--connections= 4", "127.0.0.1:1", NULL);
	bad("fanout: bad --rate 'inf': expected ", "load", "--rate=inf", "127.0.0.1:1", NULL);
	bad("fanout: bad --threads '257': expected a thread count from 1 to 256\n", "load", "--threads=257",
	    "127.0.0.1:1", NULL);
	bad("fanout: bad --path 'x': expected ", "load", "--path=x", "127.0.0.1:1", NULL);
	bad("fanout: bad -d '0': expected ", "load", "-d", "0", "127.0.0.1:1", NULL);
	bad("fanout: bad target 'localhost:1': expected ", "load", "localhost:1", NULL);
	bad("fanout: unknown option '-x' (see fanout load --help)\n", "load", "-x", "127.0.0.1:1", NULL);
	bad("fanout: bad --ramp '2,1': expected connection counts from 1 to 1000000 that never fall", "load",
	    "--ramp=2,1", "127.0.0.1:1", NULL);
	bad("fanout: bad --ramp '1,,2': expected ", "load", "--ramp", "1,,2", "127.0.0.1:1", NULL);
	bad("fanout: bad --ramp-every '0': expected a duration from 1ms to 1h", "load", "--ramp", "1",
	    "--ramp-every=0", "127.0.0.1:1", NULL);
	bad("fanout: --ramp-every is the length of a --ramp step: give --ramp too", "load", "--ramp-every", "1s",
	    "127.0.0.1:1", NULL);
	bad("fanout: --connections cannot go with --ramp", "load", "--ramp", "1,2", "-c", "2", "127.0.0.1:1", NULL);
	bad("fanout: --duration cannot go with --ramp", "load", "--ramp", "1,2", "-d", "2s", "127.0.0.1:1", NULL);
	bad("fanout: --rate cannot go with --ramp", "load", "--ramp", "1,2", "--rate=10", "127.0.0.1:1", NULL);
}

TEST_T(bench_opts_table, 60)
{
	static const char *const rtt[] = { "bench", "rtt" }, *const tasks[] = { "bench", "tasks" },
				 *const serve[] = { "bench", "serve" };
	static const char *const samples[][2] = {
		{ "hosts", "100,1000" }, { "tasks", "100" }, { "rtt", "10ms,1s" }, { "duration", "10ms" },
		{ "model", "coro:1,threads:2" }, { "workers", "8" }, { "timeout", "1s" }, { "max-time", "2s" },
		{ "csv", "x.csv" }, { "plot", "x.svg" }, { "timeline", "x.svg" }, { "timeline-data", "x.csv" },
		{ NULL, NULL },
	};
	char many[200] = "1";
	int i;

	walk(&fo_bench_rtt_opts, rtt, 2, samples);
	walk(&fo_bench_tasks_opts, tasks, 2, samples);
	walk(&fo_bench_serve_opts, serve, 2, samples);
	bad("fanout: bad --hosts '0': expected a positive integer such as 10000, or a list 100,1000\n", "bench", "rtt",
	    "--hosts=0", NULL);
	for (i = 0; i < 32; i++)
		strcat(many, ",1");
	bad("fanout: bad --tasks '1,1,", "bench", "tasks", "--tasks", many, NULL);
	bad("fanout: bad --duration '1y': expected a duration such as 50ms", "bench", "tasks", "--duration=1y", NULL);
	bad("fanout: bad --jitter '1s,2s': expected one duration such as 50ms, 1s or 0\n", "bench", "rtt",
	    "--jitter=1s,2s", NULL);
	bad("fanout: bad --runs '1001': expected a positive integer such as 5\n", "bench", "rtt", "--runs=1001", NULL);
	bad("fanout: bad --model 'bogus': expected ", "bench", "rtt", "--model=coro,bogus", NULL);
	bad("fanout: bad --clients '1,0': expected counts from 1 to 100000", "bench", "serve", "--clients=1,0", NULL);
	bad("fanout: bad -d '0': expected a duration such as 2s\n", "bench", "serve", "-d0", NULL);
	bad("fanout: bad --proto 'udp': expected line or http\n", "bench", "serve", "--proto=udp", NULL);
	bad("fanout: unknown option '--hosts' (see fanout bench serve --help)\n", "bench", "serve", "--hosts=1", NULL);
	bad("fanout: '--runs' is given more than once", "bench", "rtt", "--runs=2", "--runs", "3", NULL);
}

TEST_T(devices_opts_table, 60)
{
	static const char *const words[] = { "devices" };
	static const char *const samples[][2] = {
		{ "port", "2222" }, { "authorized-keys", "keys.pub" }, { "host-key", "host_key" },
		{ "fault", "hang=127.1.0.0/24" }, { "threads", "2" }, { "inventory", "hosts.yaml" },
		{ "known-hosts", "known_hosts" }, { NULL, NULL },
	};

	walk(&fo_devices_opts, words, 1, samples);
	bad("fanout: bad --port '65536': expected a port number from 0 to 65535\n", "devices", "--port=65536", NULL);
	bad("fanout: bad --base '127.1': expected an IPv4 address in 127.0.0.0/8", "devices", "--base=127.1", NULL);
	bad("fanout: bad --count 'many': expected a number of devices from 1 to 1000000\n", "devices", "--count=many",
	    NULL);
	bad("fanout: bad -t '0': expected a thread count from 1 to 256\n", "devices", "-t0", NULL);
	bad("fanout: bad --idle-timeout '0': expected ", "devices", "--idle-timeout", "0", NULL);
	bad("fanout: unknown option '--hosts' (see fanout devices --help)\n", "devices", "--hosts=1", NULL);
	bad("fanout: devices takes no operands, not 'x'", "devices", "x", NULL);
	bad("fanout: '--rtt' is given more than once", "devices", "--rtt=1ms", "--rtt", "2ms", NULL);
}

TEST_T(merge_opts_table, 60)
{
	static const char *const words[] = { "merge" };
	static const char *const samples[][2] = {
		{ "inventory", "inv" }, { "hosts", "r1" }, { "hosts-file", "h.txt" }, { "user", "u" },
		{ "exclude", "r9" },    { "limit", "1" },  { "group", "g" },          { "filter", "a=b" },
		{ "shard", "1/2" },     { "shards", "2" }, { "out", "dir" },          { NULL, NULL },
	};

	walk(&fo_merge_opts, words, 1, samples);
	bad("fanout: bad --max-line '1': expected a size from 1K to 16G", "merge", "--max-line=1", NULL);
	bad("fanout: bad --timeout 'soon': expected ", "merge", "--timeout=soon", "p", NULL);
}
