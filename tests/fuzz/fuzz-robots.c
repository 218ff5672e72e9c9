/* libFuzzer target: robots.txt parsing and matching (src/links/robots.c).
 * The input is the file, its last line doubling as a path to check. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/links/robots.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fo_robots *r = fo_robots_parse((const char *)data, size, "fanout");
	char path[256] = "/";
	size_t i, n = 1;

	for (i = size; i > 0 && size - i < 200 && data[i - 1] != '\n'; i--)
		;
	for (; i < size && n < sizeof(path) - 1; i++)
		if (data[i])
			path[n++] = (char)data[i];
	path[n] = 0;
	if (r) {
		(void)fo_robots_allowed(r, path);
		(void)fo_robots_delay(r);
		fo_robots_free(r);
	}
	return 0;
}
