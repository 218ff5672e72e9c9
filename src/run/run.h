/* `fanout run`: a task applied to every host of an inventory (run.c). */
#ifndef FO_RUN_RUN_H
#define FO_RUN_RUN_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "../util/map.h"

/* Returns the exit code: 0 all ok, 1 some host not ok, 2 usage, 130 interrupted. */
int fo_run_main(int argc, char **argv);

/* `fanout merge` (merge.c): the parts of a sharded run as one run's. */
int fo_merge_main(int argc, char **argv);
extern const struct fo_opts fo_merge_opts;

/* One command's --out file(s) under dir, as run writes them: NAME.txt when
 * ok (a NAME.partial.txt of an earlier run removed), else
 * NAME.partial.txt; with parse NAME.json of r->parsed, with compare
 * NAME.diff. NULL, or why not (heap). merge.c writes its tree with it. */
struct fo_rec_cmd;
char *fo__run_write_one(const char *dir, const struct fo_rec_cmd *r, bool parse, bool compare);

/* Its flags (src/cli/opt.h), for --help, the man page and the completions. */
struct fo_opts;
extern const struct fo_opts fo_run_opts;

/*
 * The file name of a host (a folder under --out) or of a command (its
 * output file, NAME.txt or NAME.partial.txt): the one mapping of names to
 * files (STYLE 18), described in docs/run.md.
 *
 * The bytes are the application/x-www-form-urlencoded serializer's (WHATWG
 * URL, what Python's urllib.parse.quote_plus makes): [A-Za-z0-9], '-', '.'
 * and '_' kept, a space as '+', every other byte as %XX (uppercase hex).
 * So '/' is %2F and no two names share a file. Besides: a leading '.' is
 * %2E (no ".", ".." or hidden names), and the '.' of a name ending in
 * ".partial" is %2E (a command "x.partial" would otherwise write "x"'s
 * partial file). urllib.parse.unquote_plus gives the name back.
 *
 * An encoding of more than FO_RUN_NAME_MAX bytes becomes its first 160
 * bytes (never half of a %XX), '~' and the 16 hex digits of the raw name's
 * FNV-1a: '~' is escaped everywhere else, so a shortened name never equals
 * another's whole one. Such a name is not reversible; the JSON line has it.
 *
 * It lives here, static inline, so that the tests (which link no run.o)
 * can check it directly.
 */
#define FO_RUN_NAME_MAX 200

/* One byte encoded into e (1 or 3 bytes); returns how many. */
static inline size_t fo__run_name_byte(unsigned char c, bool first, char *e)
{
	static const char hex[] = "0123456789ABCDEF";

	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
	    c == '_' || (c == '.' && !first)) {
		e[0] = (char)c;
		return 1;
	}
	if (c == ' ') {
		e[0] = '+';
		return 1;
	}
	e[0] = '%';
	e[1] = hex[c >> 4];
	e[2] = hex[c & 15];
	return 3;
}

/* raw's file name into dst, which holds FO_RUN_NAME_MAX + 1 bytes. */
static inline void fo__run_file_name(const char *raw, char *dst)
{
	char buf[FO_RUN_NAME_MAX + 8];
	size_t n = strlen(raw), i, o = 0, cut = 0;

	/* encode until it is known to fit, or not: at most MAX + 3 bytes */
	for (i = 0; i < n && o <= FO_RUN_NAME_MAX; i++) {
		if (raw[i] == '.' && n - i == 8 && !memcmp(raw + i, ".partial", 8)) {
			memcpy(buf + o, "%2E", 3);
			o += 3;
		} else {
			o += fo__run_name_byte((unsigned char)raw[i], i == 0, buf + o);
		}
		if (o <= 160)
			cut = o;
	}
	if (o <= FO_RUN_NAME_MAX) {
		memcpy(dst, buf, o);
		dst[o] = 0;
		return;
	}
	memcpy(dst, buf, cut);
	snprintf(dst + cut, FO_RUN_NAME_MAX + 1 - cut, "~%016llx", (unsigned long long)fo__fnv1a(raw));
}

#endif
