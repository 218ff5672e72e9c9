/*
 * The `fanout` command: dispatches to the tools. Each tool parses its own
 * flags and returns the exit code: 0 done and all ok, 1 something failed,
 * 2 bad usage.
 *
 * The tools that need big libraries (run, inventory, links, devices: libssh2, libssh,
 * libcurl with OpenSSL, libxml2, libyaml) live in their own executable,
 * fanout-tools, next to this one, which we exec, as git does with
 * git-<command>: loading those
 * libraries costs about 6 MB of resident memory, which `fanout serve`,
 * whose budget is 4 MB, should not pay.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../bench/bench.h"
#include "../load/load.h"
#include "../serve/serve.h"
#include "../util/diag.h"
#include "fanout/runtime.h"

static void usage(FILE *f)
{
	fputs("usage: fanout <command> [options]\n"
	      "\n"
	      "commands:\n"
	      "  bench rtt     N simulated hosts, each waiting one round trip, under each model\n"
	      "  bench tasks   n tasks of duration h under each model: overhead over the ideal\n"
	      "  bench serve   fanout serve under each model, driven by fanout load at each client count\n"
	      "  serve         a request/response server (line or HTTP/1.1) in any model\n"
	      "  load          a closed-loop or fixed-rate load generator for it\n"
	      "  run           apply a task (ssh, tcp, http, sleep, exec) to every host of an inventory\n"
	      "  merge         the --json lines of a sharded run's parts as one run's, each host once\n"
	      "  links         check every link of a site (crawl, fragments, robots.txt), for CI\n"
	      "  inventory     the hosts a run would reach (nornir files, host lists), resolved\n"
	      "  devices       a simulated fleet of SSH network devices on loopback, to test automation\n"
	      "  version       print the version and the poller this machine uses\n"
	      "\n"
	      "models (--model): " FO_MODEL_FORMS "\n"
	      "`fanout <command> --help` tells more.\n",
	      f);
}

/* Runs tool argv[1] argv[2]... from beside this executable (the build
 * tree) or from ../libexec/fanout (where make install puts it). */
static int exec_tool(const char *tool, char **argv)
{
	static const char *const where[] = { "%.*s/%s", "%.*s/../libexec/fanout/%s" };
	char self[PATH_MAX], path[PATH_MAX + 64];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	const char *slash;
	size_t i;

	self[n > 0 ? n : 0] = 0;
	slash = strrchr(self, '/');
	if (!slash) {
		fprintf(stderr, "fanout: cannot find where fanout is installed to run '%s'\n", tool);
		return 2;
	}
	for (i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		snprintf(path, sizeof(path), where[i], (int)(slash - self), self, tool);
		argv[0] = path;
		execv(path, argv);
	}
	snprintf(path, sizeof(path), where[0], (int)(slash - self), self, tool);
	fprintf(stderr, "fanout: cannot run '%s': %s (it is built with fanout: make)\n", path, strerror(errno));
	return 2;
}

int main(int argc, char **argv)
{
	char envmsg[256];

	fo_set_diag(fo__cli_diag, NULL); /* the runtime's notes, on stderr */
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	/* before any work (help above does none) */
	if (fo_env_problem(envmsg, sizeof(envmsg))) {
		fprintf(stderr, "fanout: %s\n", envmsg);
		return 2;
	}
	if (!strcmp(argv[1], "bench"))
		return fo_bench_main(argc - 2, argv + 2);
	if (!strcmp(argv[1], "serve"))
		return fo_serve_main(argc - 2, argv + 2);
	if (!strcmp(argv[1], "load"))
		return fo_load_main(argc - 2, argv + 2);
	if (!strcmp(argv[1], "run") || !strcmp(argv[1], "merge") || !strcmp(argv[1], "inventory") || !strcmp(argv[1], "links") ||
	    !strcmp(argv[1], "devices"))
		return exec_tool("fanout-tools", argv);
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
		printf("fanout %s (poller %s)\n", FO_VERSION, fo_poller_name());
		return 0;
	}
	fprintf(stderr, "fanout: unknown command '%s' (see fanout --help)\n", argv[1]);
	return 2;
}
