/*
 * The flags of `fanout load`, declared once (STYLE 16): this table gives
 * the parsing (`--flag value`, `--flag=value`), the checks, --help, the
 * man page and the completions. Its own file, so that the tests can walk
 * it without linking the load generator.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "../cli/cli.h"
#include "fanout/runtime.h"
#include "load.h"

/* --line: one line of text, sent with a newline after it. */
static int set_line(void *cfg, const struct fo_opt *o, const char *v)
{
	(void)o;
	if (!*v || strpbrk(v, "\r\n"))
		return -EINVAL;
	((struct fo_load_cfg *)cfg)->line = v;
	return 0;
}

/* --path: what goes in the request line as it is. */
static int set_path(void *cfg, const struct fo_opt *o, const char *v)
{
	(void)o;
	if (v[0] != '/' || strpbrk(v, " \r\n"))
		return -EINVAL;
	((struct fo_load_cfg *)cfg)->path = v;
	return 0;
}

/* --ramp: "N[,N...]", counts from 1 to 1000000 that never fall, at most
 * FO_LOAD_MAX_RAMP of them. */
static int set_ramp(void *cfg, const struct fo_opt *o, const char *v)
{
	struct fo_load_cfg *c = cfg;
	int64_t got[FO_LOAD_MAX_RAMP];
	int n = 0;

	(void)o;
	for (;;) {
		size_t k = strcspn(v, ",");
		char tok[32];
		uint64_t x;

		if (!k || k >= sizeof(tok) || n == FO_LOAD_MAX_RAMP)
			return -EINVAL;
		memcpy(tok, v, k);
		tok[k] = 0;
		if (fo_cli_uint(tok, 1, 1000000, &x) < 0 || (n && (int64_t)x < got[n - 1]))
			return -EINVAL;
		got[n++] = (int64_t)x;
		if (!v[k])
			break;
		v += k + 1;
	}
	memcpy(c->ramp, got, sizeof(got[0]) * (size_t)n);
	c->nramp = n;
	return 0;
}

#define OFF(f) offsetof(struct fo_load_cfg, f)
static const struct fo_opt opts[] = {
	{ .name = "proto", .kind = FO_OPT_ENUM, .off = OFF(proto), .arg = "PROTO", .group = "Load",
	  .help = "the protocol", .def = "line", .choices = "line|http", .forms = "line or http" },
	{ .name = "connections", .shrt = 'c', .kind = FO_OPT_COUNT, .off = OFF(conns), .arg = "N", .group = "Load",
	  .help = "connections, each a request at a time", .def = "16", .min = 1, .max = 1000000,
	  .forms = "a number of connections from 1 to 1000000" },
	{ .name = "duration", .shrt = 'd', .kind = FO_OPT_DURATION, .off = OFF(duration), .arg = "DUR",
	  .group = "Load", .help = "how long to run", .def = "10s", .min = 1, .max = 9e18,
	  .forms = "a duration such as 10s or 500ms" },
	{ .name = "rate", .kind = FO_OPT_RATE, .off = OFF(rate), .arg = "R", .group = "Load",
	  .help = "open loop: R requests per second over all connections, at fixed times", .min = 0.001,
	  .max = 1e9, .forms = "requests per second from 0.001 to 1000000000, such as 10000" },
	{ .name = "ramp", .kind = FO_OPT_FN, .off = OFF(ramp), .arg = "N[,N...]", .group = "Load",
	  .help = "connections in steps: N at the start, then the next count after each --ramp-every "
		  "(instead of -c and -d)",
	  .forms = "connection counts from 1 to 1000000 that never fall, at most 32, such as 1,2,4,8",
	  .fn = set_ramp },
	{ .name = "ramp-every", .kind = FO_OPT_DURATION, .off = OFF(ramp_every), .arg = "DUR", .group = "Load",
	  .help = "how long each step of --ramp lasts", .def = "2s", .min = 1e6, .max = 3600e9,
	  .forms = "a duration from 1ms to 1h such as 2s or 500ms" },
	{ .name = "threads", .shrt = 't', .kind = FO_OPT_COUNT, .off = OFF(threads), .arg = "T", .group = "Load",
	  .help = "scheduler threads (default: one per core)", .min = 1, .max = 256,
	  .forms = "a thread count from 1 to 256" },
	{ .name = "path", .kind = FO_OPT_FN, .off = OFF(path), .arg = "PATH", .group = "Requests",
	  .help = "http: the path to GET", .def = "/",
	  .forms = "a path starting with / and without spaces", .fn = set_path },
	{ .name = "line", .kind = FO_OPT_FN, .off = OFF(line), .arg = "TEXT", .group = "Requests",
	  .help = "line: send TEXT and a newline (--line PING drives redis) instead of \"1\"",
	  .forms = "one line of text, such as PING", .fn = set_line },
	{ .name = "json", .kind = FO_OPT_BOOL, .off = OFF(json), .group = "Output",
	  .help = "the totals as one JSON object" },
	{ .name = "json-seconds", .kind = FO_OPT_BOOL, .off = OFF(json_seconds), .group = "Output",
	  .help = "--json, and before the totals a JSON object each second: second, t, connections (open in "
		  "its middle), requests, served (connections that have had a reply)" },
	{ .name = NULL },
};

const struct fo_opts fo_load_opts = {
	.cmd = "load",
	.synopsis = "[options] HOST:PORT",
	.about = "a closed-loop or fixed-rate load generator for fanout serve and its peers",
	.more = "Closed loop by default: each connection sends a request, waits for the whole\n"
		"response, and sends the next. --rate R: open loop, R requests per second over all\n"
		"connections at fixed times; latency counts from when a request was due.\n"
		"Prints req/s every second, then the total, req/s, latency p50/p90/p99/p99.9/max,\n"
		"errors, and connections that got no reply at all (starved).\n"
		"--ramp 1,2,4,8: 1 connection, then 2 after --ramp-every, 4 after two steps, ...; the run\n"
		"lasts one step per count (the clients-added-one-by-one experiment; bench serve --timeline).\n"
		"http: only a 2xx or 3xx response counts as a request done; other statuses are\n"
		"counted by class (non-2xx/3xx), a malformed response is an error and closes the\n"
		"connection. http requests are GET keep-alive.\n"
		"HOST:PORT: a numeric host (127.0.0.1:7000, [::1]:7000); no name is looked up.\n"
		"\n"
		"Every flag takes --flag value and --flag=value.\n"
		"exit: 0 every request answered well, 1 some failed (errors, non-2xx/3xx, refused\n"
		"connections, no reply at all), 2 bad usage, 130 interrupted\n",
	.opts = opts,
	.cfg_size = sizeof(struct fo_load_cfg),
};
