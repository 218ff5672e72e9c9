/* libFuzzer target: known_hosts parsing and lookup (src/run/knownhosts.c).
 * The input is the file; its last line doubles as a name to look up, with
 * the type and key of its first line's second and third words. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/run/knownhosts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fo_kh *kh = fo_kh_new();
	char *s = malloc(size + 1), *last, type[64] = "ssh-ed25519", key[128] = "AAAA";

	if (!kh || !s) {
		fo_kh_free(kh);
		free(s);
		return 0;
	}
	memcpy(s, data, size);
	s[size] = 0;
	if (fo_kh_parse(kh, (const char *)data, size) == 0) {
		last = strrchr(s, '\n');
		last = last ? last + 1 : s;
		(void)sscanf(s, "%*s %63s %127s", type, key);
		(void)fo_kh_check(kh, last, type, key);
		(void)fo_kh_check(kh, "[127.0.0.1]:2222", type, key);
		if (fo_kh_add(kh, last, type, key) == 0 && strlen(last) < 1000 && fo_kh_check(kh, last, type, key) != FO_KH_OK &&
		    fo_kh_check(kh, last, type, key) != FO_KH_REVOKED)
			abort(); /* a name just added is found */
	}
	fo_kh_free(kh);
	free(s);
	return 0;
}
