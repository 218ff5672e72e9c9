/*
 * `fanout-tools doc`: the man pages and shell completions, made from every
 * tool's option table at build time (Makefile: build/man, build/completion)
 * so that neither can list a flag the tools do not take. It lives in
 * fanout-tools, which links every table (the serve, load and bench tables
 * are small files of their own, apart from those tools' code).
 *
 *   fanout-tools doc man DIR DATE     DIR/fanout-<cmd>.1 for each command
 *   fanout-tools doc bash|zsh FILE    the completion script
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../bench/bench.h"
#include "../devices/server.h"
#include "../links/links.h"
#include "../load/load.h"
#include "../run/inventory.h"
#include "../run/run.h"
#include "../serve/serve.h"
#include "../util/file.h"
#include "doc.h"
#include "opt.h"

static const struct fo_opts *const tables[] = {
	&fo_run_opts,	    &fo_merge_opts, &fo_inventory_opts,	  &fo_links_opts,	&fo_serve_opts,
	&fo_load_opts,	    &fo_bench_rtt_opts,	  &fo_bench_tasks_opts, &fo_bench_serve_opts,
	&fo_devices_opts,
};
#define NTABLES (sizeof(tables) / sizeof(tables[0]))

/* One generated file, written whole (fo__wfile): 0 or 1 with the reason said. */
static int emit(const char *path, void (*fn)(FILE *, size_t, const char *), size_t i, const char *arg)
{
	struct fo_wfile w;
	int e = fo__wfile_open(&w, path, 0644);

	if (!e) {
		fn(w.f, i, arg);
		e = fo__wfile_commit(&w, false);
	}
	if (e)
		fprintf(stderr, "fanout: cannot write '%s': %s\n", path, strerror(-e));
	return e ? 1 : 0;
}

static void man(FILE *f, size_t i, const char *date)
{
	fo_opts_man(tables[i], date, f);
}

static void completion(FILE *f, size_t i, const char *shell)
{
	(void)i;
	fo_opts_completion(tables, NTABLES, shell, f);
}

/* fanout(1): the commands, each with its line and page. */
static void man_main(FILE *f, size_t n, const char *date)
{
	size_t i, k;

	fprintf(f, ".TH FANOUT 1 \"%s\" \"fanout\" \"fanout manual\"\n.SH NAME\n"
		   "fanout \\- IO-bound work at massive concurrency\n.SH SYNOPSIS\n"
		   ".B fanout\n\\fIcommand\\fR [options]\n.SH COMMANDS\n", date);
	for (i = 0; i < n; i++) {
		fprintf(f, ".TP\n\\fBfanout %s\\fR\n%s; see \\fBfanout\\-", tables[i]->cmd, tables[i]->about);
		for (k = 0; tables[i]->cmd[k]; k++)
			fputc(tables[i]->cmd[k] == ' ' ? '-' : tables[i]->cmd[k], f);
		fputs("\\fR(1).\n", f);
	}
	fputs(".TP\n\\fBfanout version\\fR\nthe version and the poller this machine uses.\n"
	      ".SH ENVIRONMENT\n\\fBFANOUT_POLLER\\fR=epoll|io_uring picks the poller.\n"
	      ".br\n\\fBFANOUT_STACK_SIZE\\fR=512k sizes the coroutines' shared stack.\n"
	      ".br\n\\fBFANOUT_RECV_BUFS\\fR=N sizes each scheduler thread's io_uring ring of receive buffers (128; 0: none).\n",
	      f);
}

int fo_doc_main(int argc, char **argv)
{
	char path[4096], name[64];
	size_t i, k;
	int r = 0;

	if (argc == 3 && !strcmp(argv[0], "man")) {
		for (i = 0; i < NTABLES; i++) {
			snprintf(name, sizeof(name), "%s", tables[i]->cmd);
			for (k = 0; name[k]; k++)
				name[k] = name[k] == ' ' ? '-' : name[k];
			snprintf(path, sizeof(path), "%s/fanout-%s.1", argv[1], name);
			r |= emit(path, man, i, argv[2]);
		}
		snprintf(path, sizeof(path), "%s/fanout.1", argv[1]);
		return r | emit(path, man_main, NTABLES, argv[2]);
	}
	if (argc == 2 && (!strcmp(argv[0], "bash") || !strcmp(argv[0], "zsh")))
		return emit(argv[1], completion, 0, argv[0]);
	fprintf(stderr, "usage: fanout-tools doc man DIR DATE | doc bash FILE | doc zsh FILE\n");
	return 2;
}
