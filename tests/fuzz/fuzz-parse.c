/*
 * libFuzzer harness for the parsers of outside input in the runtime: flag
 * values that users type (durations, models). Each input is tried as both;
 * a parse must either fail cleanly or give a value that formats and parses
 * back to itself.
 *   scripts/fuzz.sh [seconds]
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fanout/runtime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), err[256], buf[64];
	struct fo_model m, m2;
	int64_t ns, ns2;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	if (fo_duration_parse(s, &ns) == 0) {
		if (ns < 0)
			abort();
		fo_duration_format(ns, buf, sizeof(buf));
		if (fo_duration_parse(buf, &ns2) != 0 || ns2 != ns)
			abort();
	}
	if (fo_model_parse(s, &m, err, sizeof(err)) == 0) {
		fo_model_format(&m, buf, sizeof(buf));
		if (fo_model_parse(buf, &m2, err, sizeof(err)) != 0 || m2.kind != m.kind ||
		    fo_model_workers(&m2) != fo_model_workers(&m))
			abort();
	} else if (!memchr(err, 0, sizeof(err))) {
		abort();
	}
	free(s);
	return 0;
}
