/*
 * Prints a simulated device's show output (src/devices/outputs.h), for
 * bench/textfsm/run.sh's show version:
 *   dump PLATFORM "show version" [ADDRESS]
 * Without a command, lists the platform's show commands and their sizes.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/outputs.h"

int main(int argc, char **argv)
{
	static const char *const names[] = { "ios", "nxos", "eos", "junos", "iosxr" };
	struct fo__devid d;
	struct in_addr a;
	int p = 0;

	if (argc < 2 || argc > 4)
		return 2;
	while (p < 5 && strcmp(names[p], argv[1]))
		p++;
	if (p == 5 || inet_pton(AF_INET, argc > 3 ? argv[3] : "127.1.0.5", &a) != 1)
		return 2;
	fo__devid_init(&d, ntohl(a.s_addr), (enum fo_dev_platform)p, NULL);
	for (const struct fo__show *t = fo__show_table((enum fo_dev_platform)p); t->words; t++) {
		struct fo_sbuf b = { 0 };

		if (argc > 2 && strcmp(argv[2], t->words))
			continue;
		fo__gen_run(t->gen, &d, 0, &b);
		if (argc > 2)
			fwrite(b.p, 1, b.len, stdout);
		else
			printf("%s: %zu\n", t->words, b.len);
		free(b.p);
	}
	return 0;
}
