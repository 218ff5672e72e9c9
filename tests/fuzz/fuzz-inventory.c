/*
 * libFuzzer harness for the nornir inventory loader of `fanout run`
 * (src/run/nornir.c over libyaml): the input is hosts.yaml, then
 * groups.yaml and defaults.yaml after NUL bytes. A load must either fail
 * with a message and no hosts, or give hosts whose effective fields are all
 * set and sane, whose JSON line (what `fanout inventory --json` prints) is
 * valid JSON, and which survive a filter. Secrets are not read
 * (FO_INV_NO_SECRETS), so inputs cannot reach the environment or files.
 *   scripts/fuzz.sh [seconds]
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/run/inventory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- a strict JSON checker: advances *p past one value, false if invalid ---- */

static void ws(const char **p)
{
	while (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')
		(*p)++;
}

static bool value(const char **p, int depth);

static bool string(const char **p)
{
	if (**p != '"')
		return false;
	for ((*p)++; **p != '"'; (*p)++) {
		unsigned char c = (unsigned char)**p;

		if (c < 0x20)
			return false;
		if (c == '\\') {
			(*p)++;
			if (**p == 'u') {
				int i;

				for (i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF", (*p)[i]) || !(*p)[i])
						return false;
				*p += 4;
			} else if (!**p || !strchr("\"\\/bfnrt", **p)) {
				return false;
			}
		}
	}
	(*p)++;
	return true;
}

static bool number(const char **p)
{
	const char *s = *p;

	if (**p == '-')
		(*p)++;
	if (**p == '0')
		(*p)++;
	else if (**p >= '1' && **p <= '9')
		while (**p >= '0' && **p <= '9')
			(*p)++;
	else
		return false;
	if (**p == '.') {
		(*p)++;
		if (!(**p >= '0' && **p <= '9'))
			return false;
		while (**p >= '0' && **p <= '9')
			(*p)++;
	}
	if (**p == 'e' || **p == 'E') {
		(*p)++;
		if (**p == '+' || **p == '-')
			(*p)++;
		if (!(**p >= '0' && **p <= '9'))
			return false;
		while (**p >= '0' && **p <= '9')
			(*p)++;
	}
	return *p > s;
}

static bool value(const char **p, int depth)
{
	if (depth > 200)
		return false;
	ws(p);
	if (**p == '{' || **p == '[') {
		char close = **p == '{' ? '}' : ']';
		bool obj = close == '}';

		(*p)++;
		ws(p);
		if (**p == close) {
			(*p)++;
			return true;
		}
		for (;;) {
			if (obj) {
				ws(p);
				if (!string(p))
					return false;
				ws(p);
				if (**p != ':')
					return false;
				(*p)++;
			}
			if (!value(p, depth + 1))
				return false;
			ws(p);
			if (**p == close) {
				(*p)++;
				return true;
			}
			if (**p != ',')
				return false;
			(*p)++;
		}
	}
	if (**p == '"')
		return string(p);
	if (!strncmp(*p, "true", 4) || !strncmp(*p, "null", 4)) {
		*p += 4;
		return true;
	}
	if (!strncmp(*p, "false", 5)) {
		*p += 5;
		return true;
	}
	return number(p);
}

static void check_host(const struct fo_inv_host *h)
{
	char *buf = NULL;
	size_t len = 0, i;
	const char *p;
	FILE *m;

	if (!h->name || !h->hostname || !h->username || h->port < 1 || h->port > 65535 ||
	    h->data.type != FO_INV_MAP || (h->ngroups && !h->groups) || h->nall_groups < h->ngroups)
		abort();
	for (i = 0; i < h->nconn; i++)
		if (!h->conn[i].name || !h->conn[i].hostname || h->conn[i].port < 1 || h->conn[i].port > 65535)
			abort();
	m = open_memstream(&buf, &len);
	if (!m)
		return;
	fo_inv_host_json(m, h);
	fclose(m);
	p = buf;
	if (!value(&p, 0) || strcmp(p, "\n") || memchr(buf, '\n', len - 1))
		abort();
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *parts[3] = { NULL, NULL, NULL }, *site[] = { "site=a*", "platform!=ios" }, *grp[1];
	size_t lens[3] = { 0, 0, 0 }, i, k = 0, start = 0;
	char *s = malloc(size + 1), err[1024];
	struct fo_inv inv;
	struct fo_inv_filter f;
	int r;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	for (i = 0; i <= size && k < 3; i++)
		if (i == size || s[i] == 0) {
			parts[k] = s + start;
			lens[k++] = i - start;
			start = i + 1;
		}
	fo_inv_init(&inv);
	inv.user = "fuzz";
	inv.flags = FO_INV_NO_SECRETS;
	err[0] = 0;
	r = fo_inv_load_nornir_text(&inv, parts[0], lens[0], parts[1], lens[1], parts[2], lens[2], err, sizeof(err));
	if (r < 0) {
		if (!err[0] || inv.nhosts)
			abort();
	} else {
		for (i = 0; i < inv.nhosts; i++)
			check_host(&inv.hosts[i]);
		memset(&f, 0, sizeof(f));
		f.attrs = site;
		f.nattrs = 2;
		f.exclude = "x[1-3]";
		f.limit = 3;
		if (inv.nhosts && inv.hosts[0].nall_groups) {
			grp[0] = inv.hosts[0].all_groups[0];
			f.groups = grp;
			f.ngroups = 1;
		}
		if (fo_inv_filter(&inv, &f, err, sizeof(err)) < 0 || inv.nhosts > 3)
			abort();
		for (i = 0; i < inv.nhosts; i++)
			check_host(&inv.hosts[i]);
	}
	fo_inv_release(&inv);
	free(s);
	return 0;
}
