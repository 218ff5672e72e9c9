/*
 * libFuzzer target: TextFSM templates and the outputs run through them
 * (src/textfsm/textfsm.c over PCRE2). The input is a template, then a
 * NUL byte, then an output (no NUL: the output is the input itself). A
 * compile must either fail with one line "'t.textfsm': ..." or give a
 * template whose parse of the output has records of the right shape (or
 * an Error action's message), and whose JSON is complete.
 *   scripts/fuzz.sh [seconds]
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/textfsm/textfsm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_cell(const struct fo_textfsm_cell *c, int depth)
{
	if (c->kind == FO_TEXTFSM_STR) {
		if (!c->s || c->s[c->len] != 0)
			abort();
		return;
	}
	if (c->kind == FO_TEXTFSM_NONE) {
		if (depth == 0)
			abort(); /* a record's cell is never None */
		return;
	}
	if (c->kind == FO_TEXTFSM_LIST ? depth != 0 : depth != 1 || !c->keys)
		abort();
	for (size_t i = 0; i < c->len; i++)
		check_cell(&c->sub[i], depth + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *nul = memchr(text, 0, size);
	size_t tlen = nul ? (size_t)(nul - text) : size;
	const char *out = nul ? nul + 1 : text;
	size_t olen = nul ? size - tlen - 1 : size;
	struct fo_textfsm_result res;
	struct fo_sbuf b = { 0 };
	struct fo_textfsm *t;
	char err[256];

	err[0] = 0;
	t = fo_textfsm_compile("t.textfsm", text, tlen, err, sizeof(err));
	if (!t) {
		if (strncmp(err, "'t.textfsm': ", 13) || strchr(err, '\n'))
			abort();
		return 0;
	}
	if (fo_textfsm_parse(t, out, olen, &res))
		abort();
	if (res.ncols != fo_textfsm_nvalues(t) || (res.error && res.nrows))
		abort();
	for (size_t i = 0; i < res.ncols; i++)
		if (strcmp(res.header[i], fo_textfsm_value_name(t, i)))
			abort();
	for (size_t i = 0; i < res.nrows * res.ncols; i++)
		check_cell(&res.cells[i], 0);
	fo_textfsm_json(&res, &b, FO_TEXTFSM_JSON_LOWER);
	if (b.oom || !b.p || b.p[b.len - 1] != '\n')
		abort();
	fo_sbuf_release(&b);
	fo_textfsm_result_release(&res);
	fo_textfsm_free(t);
	return 0;
}
