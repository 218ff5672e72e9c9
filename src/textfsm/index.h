/*
 * The ntc-templates `index` file: which TextFSM template(s) parse the
 * output of a command on a platform. Read exactly as python3-textfsm's
 * clitable.CliTable reads it (textfsm/clitable.py, texttable.py), so that
 * an index written for netmiko or ntc-templates picks the same templates
 * here:
 *   - lines before the header that are blank or comments are skipped; the
 *     header is the first line with something left once cut at its first
 *     `#`; its comma-separated names (stripped) name the columns, in any
 *     order, extra columns allowed, a `Template` column required
 *   - after it, a line whose first byte is `#` is a comment; every other
 *     line is a row: fields split at commas and stripped of whitespace
 *   - every field but Template's is a Python regular expression, matched
 *     as re.match does: anchored at the start only, case-sensitive; the
 *     Command field's `[[xyz]]` (command completion) becomes `(x(y(z)?)?)?`
 *     first, so `sh[[ow]] ver[[sion]]` takes `sh ver`, `show version` and
 *     `show version | i up` alike; an empty field matches anything
 *   - the first row whose fields match every attribute given wins; an
 *     attribute the index has no column for is ignored
 *   - Template may name several templates separated by `:`
 * Python's `re` is spoken through PCRE2 (UTF-8, Unicode classes, `\Z`
 * read as Python means it); see index.c for the differences that remain.
 *
 * Two deliberate differences from CliTable, both refusals where it is
 * silent or stuck: a row whose field count differs from the header's is an
 * error (CliTable drops the row without a word), and a file without a
 * header row is an error (CliTable loops forever on it). A blank line after
 * the header is skipped (CliTable makes it a row only in an index of one
 * column, an accident nobody relies on).
 *
 * The library never prints: every failure is a negative errno-style code
 * and one line for people in the caller's buffer,
 *   'DIR/index': line N: what is wrong
 */
#ifndef FO_TEXTFSM_INDEX_H
#define FO_TEXTFSM_INDEX_H

#include <stddef.h>

/* An index file's bound: a bigger one is refused (ntc-templates' is 60 KB). */
#define FO_TFSM_INDEX_MAX ((size_t)16 << 20)

struct fo_tfsm_index; /* opaque */

/* The row a lookup picked. Everything in it belongs to the index and lives
 * as long as it does. */
struct fo_tfsm_entry {
	const char *field;            /* the Template field as written ("a.textfsm:b.textfsm") */
	const char *const *templates; /* it split at ':', as CliTable splits it (names not stripped) */
	size_t ntemplates;            /* at least 1 */
	long line;                    /* the row's line in the file, from 1 */
};

/* One attribute to match: a column name and the value its regex is matched against. */
struct fo_tfsm_attr {
	const char *key; /* "Platform", "Command", "Hostname", or an extra column's name */
	const char *value;
};

/*
 * Reads dir/index (at most FO_TFSM_INDEX_MAX bytes) and compiles every
 * regex in it. On success *out is a new index the caller frees with
 * fo_tfsm_index_free and 0 is returned; otherwise *out is NULL and the
 * code is -ENOENT and friends for an unreadable file, -EINVAL for a
 * malformed one, -ENOMEM; err (errlen bytes, may be NULL) gets one line.
 */
int fo_tfsm_index_load(struct fo_tfsm_index **out, const char *dir, char *err, size_t errlen);

/* The same over text[0..len) in memory; name stands for the file in
 * messages ('NAME': line N: ...). text need not be NUL-terminated and is
 * not kept. */
int fo_tfsm_index_parse(struct fo_tfsm_index **out, const char *text, size_t len, const char *name, char *err,
			size_t errlen);

/*
 * The first row matching platform, command and hostname; a NULL one is not
 * given (its column is not looked at). On 0, *out points into the index.
 * -ENOENT when no row matches (err says for what), -E2BIG when a regex
 * needed more than PCRE2's match limit on this subject (err names the
 * row), -ENOMEM. Safe to call from several threads at once.
 */
int fo_tfsm_index_lookup(const struct fo_tfsm_index *idx, const char *platform, const char *command,
			 const char *hostname, const struct fo_tfsm_entry **out, char *err, size_t errlen);

/* The same with any attributes, n of them (CliTable's attributes dict). */
int fo_tfsm_index_match(const struct fo_tfsm_index *idx, const struct fo_tfsm_attr *attrs, size_t n,
			const struct fo_tfsm_entry **out, char *err, size_t errlen);

/* Rows in the index (comments and blank lines not counted). */
size_t fo_tfsm_index_rows(const struct fo_tfsm_index *idx);

/* Frees an index and everything lookups returned from it; NULL is fine. */
void fo_tfsm_index_free(struct fo_tfsm_index *idx);

/*
 * The templates directory, into buf (buflen bytes): dir when the caller
 * gives one (not NULL, not empty); else $NTC_TEMPLATES_DIR, as
 * ntc-templates' own parse_output reads it (as it is); else $NET_TEXTFSM,
 * as netmiko reads it (a leading ~/ is $HOME; when it has no `index` file,
 * its `templates` subdirectory, for a checkout of ntc-templates). Returns
 * 0; -ENOENT when none is set (err says what to set); -ENAMETOOLONG when
 * the path does not fit in buf. It does not check that an index is there:
 * fo_tfsm_index_load says so when it is not.
 */
int fo_tfsm_templates_dir(const char *dir, char *buf, size_t buflen, char *err, size_t errlen);

#endif
