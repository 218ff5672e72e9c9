/*
 * fanout-tools: the tools that need libssh2, libssh, libcurl, libxml2 and
 * libyaml, in an executable of their own (see src/cli/main.c). `fanout
 * run ...`, `fanout inventory ...`, `fanout links ...` and `fanout
 * devices ...` exec it as `fanout-tools run ...`.
 */
#include <stdio.h>
#include <string.h>

#include "../devices/server.h"
#include "../links/links.h"
#include "doc.h"
#include "../run/inventory.h"
#include "../run/run.h"
#include "../util/diag.h"

int main(int argc, char **argv)
{
	char envmsg[256];

	fo_set_diag(fo__cli_diag, NULL); /* the runtime's notes, on stderr */
	if (argc >= 2 && !strcmp(argv[1], "doc")) /* no run: the build makes the man page with it */
		return fo_doc_main(argc - 2, argv + 2);
	if (fo_env_problem(envmsg, sizeof(envmsg))) {
		fprintf(stderr, "fanout: %s\n", envmsg);
		return 2;
	}
	if (argc >= 2 && !strcmp(argv[1], "run"))
		return fo_run_main(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "merge"))
		return fo_merge_main(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "inventory"))
		return fo_inventory_main(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "links"))
		return fo_links_main(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "devices"))
		return fo_devices_main(argc - 2, argv + 2);
	fprintf(stderr, "usage: fanout run|merge|inventory|links|devices [options] (see fanout --help)\n");
	return 2;
}
