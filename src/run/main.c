/*
 * fanout-run: the tools that need libssh2, libcurl and libyaml, in an
 * executable of their own (see src/cli/main.c). `fanout run ...` and
 * `fanout inventory ...` exec it as `fanout-run run ...`.
 */
#include <stdio.h>
#include <string.h>

#include "inventory.h"
#include "run.h"

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "run"))
		return fo_run_main(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "inventory"))
		return fo_inventory_main(argc - 2, argv + 2);
	fprintf(stderr, "usage: fanout run|inventory [options] (see fanout run --help)\n");
	return 2;
}
