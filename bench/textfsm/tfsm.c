/*
 * The C side of bench/textfsm/run.sh, and a handy way to try a template:
 *   tfsm TEMPLATE OUTPUT [REPEAT]
 * parses OUTPUT with TEMPLATE REPEAT times (default 1) and prints the
 * records of the last parse as JSON (src/textfsm/textfsm.h), then, on
 * stderr, the CPU time the parses took ("cpu_s 0.123"): compiling the
 * template and reading the files are not counted.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../src/textfsm/textfsm.h"

static char *slurp(const char *path, size_t *len)
{
	struct fo_sbuf b = { 0 };
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return NULL;
	while (fo_sbuf_grow(&b, 65536) == 0 && (n = fread(b.p + b.len, 1, b.cap - b.len - 1, f)) > 0)
		b.len += n;
	fclose(f);
	*len = b.len;
	return fo_sbuf_detach(&b);
}

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct fo_textfsm_result res = { 0 };
	struct fo_sbuf out = { 0 };
	struct fo_textfsm *t = NULL;
	size_t tlen = 0, ilen = 0;
	char *tpl = NULL, *in = NULL, err[512], *end;
	long repeat = 1;
	double t0;
	int rc = 2;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: tfsm TEMPLATE OUTPUT [REPEAT]\n");
		return 2;
	}
	if (argc == 4) {
		errno = 0;
		repeat = strtol(argv[3], &end, 10);
		if (errno || *end || repeat < 1) {
			fprintf(stderr, "tfsm: bad repeat count '%s'\n", argv[3]);
			return 2;
		}
	}
	tpl = slurp(argv[1], &tlen);
	in = slurp(argv[2], &ilen);
	if (!tpl || !in) {
		fprintf(stderr, "tfsm: cannot read '%s'\n", !tpl ? argv[1] : argv[2]);
		goto out;
	}
	t = fo_textfsm_compile(argv[1], tpl, tlen, err, sizeof(err));
	if (!t) {
		fprintf(stderr, "tfsm: %s\n", err);
		goto out;
	}
	t0 = cpu_now();
	for (long i = 0; i < repeat; i++) {
		fo_textfsm_result_release(&res);
		if (fo_textfsm_parse(t, in, ilen, &res)) {
			fprintf(stderr, "tfsm: out of memory\n");
			goto out;
		}
	}
	fprintf(stderr, "cpu_s %.6f\n", cpu_now() - t0);
	fo_textfsm_json(&res, &out, 0);
	if (out.oom || fwrite(out.p, 1, out.len, stdout) != out.len)
		goto out;
	rc = res.error ? 1 : 0;
out:
	fo_textfsm_result_release(&res);
	fo_textfsm_free(t);
	fo_sbuf_release(&out);
	free(tpl);
	free(in);
	return rc;
}
