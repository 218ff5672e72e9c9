/*
 * libFuzzer target: the --json line reader of fanout merge
 * (src/run/jline.c). Any bytes: the reader must stay inside them (ASan
 * checks), and a line it takes must be consistent: every span inside the
 * line, strings decodable, the results walkable to their end with every
 * result's spans inside "results".
 *   scripts/fuzz.sh [seconds]
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/run/jline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(const struct fo_jspan *s, const char *p, size_t n)
{
	if (s->p && (s->p < p || s->p + s->n > p + n))
		abort();
}

static void decodes(const struct fo_jspan *s)
{
	struct fo_sbuf b = { 0 };

	if (s->p && s->p[0] == '"' && fo__jspan_str(s, &b, 1 << 16) < 0)
		abort();
	fo_sbuf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *p = malloc(size + 1);
	struct fo_jline l;
	struct fo_jres r;
	const char *at = NULL;
	int n = 0;

	if (!p)
		return 0;
	memcpy(p, data, size);
	p[size] = 0; /* as merge has it: the NUL where the newline was */
	if (fo__jline_parse(p, size, &l) == 0) {
		inside(&l.status, p, size);
		inside(&l.host, p, size);
		inside(&l.hostname, p, size);
		inside(&l.out_error, p, size);
		inside(&l.results, p, size);
		inside(&l.error, p, size);
		decodes(&l.host);
		decodes(&l.error);
		while (fo__jline_next_result(&l, &at, &r) == 1) {
			inside(&r.command, l.results.p, l.results.n);
			inside(&r.output, l.results.p, l.results.n);
			inside(&r.parsed, l.results.p, l.results.n);
			decodes(&r.command);
			decodes(&r.output);
			if (++n > (int)size)
				abort();
		}
	}
	free(p);
	return 0;
}
