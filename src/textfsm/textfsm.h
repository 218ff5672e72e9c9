/*
 * A TextFSM engine: the template language of Google's textfsm (the state
 * machines of ntc-templates), read as python3-textfsm reads it and run as
 * it runs, so that a template gives the same records here as under
 * Python. Its parser.py is the reference; tests/test-textfsm.c checks
 * every template and output of the corpus (tests/fixtures/textfsm/)
 * against it, record for record.
 *
 * A template is compiled once (fo_textfsm_compile): its Value lines, its
 * states and their rules, each rule's regex with the values substituted,
 * translated from Python's `re` syntax to PCRE2's and JIT-compiled. The
 * compiled template is read-only afterwards: threads may parse with one
 * template at the same time. A parse (fo_textfsm_parse) runs the lines of
 * one output through it and gives the records, the cells of which are
 * copied out of the output at the end; the only allocations on the way
 * are vectors that grow, never one per line.
 *
 * Regexes. Python's `re` on str and PCRE2 in UTF mode with Unicode
 * properties (PCRE2_UTF | PCRE2_UCP) agree on \d, \w, \s, \b and case for
 * what device output holds; rules are matched as re.match does (anchored
 * at the start, not at the end). Translated: (?P<name>...) (renamed
 * inside, so that value names up to TextFSM's 48 characters work where
 * PCRE2 allows 32), (?P=name), \Z (PCRE2's \z), {,n}, \xhh, \uXXXX and
 * \UXXXXXXXX. Refused as Python refuses them: unknown letter escapes
 * (\h, \K, \R...), (?<name>...), global flags after the start, duplicate
 * group names. Differences left: bytes of the output that are not
 * well-formed UTF-8 match nothing (PCRE2_MATCH_INVALID_UTF; Python would
 * see U+FFFD where the caller decoded with errors="replace"), so `(.*)`
 * stops before them; \N{NAME} and (?x) verbose patterns are not
 * supported; PCRE2 has its own limit on a match's work where Python
 * would run on (the parse ends with an error naming the rule).
 *
 * Errors. A template that python3-textfsm refuses is refused here, with
 * one line in the caller's buffer: the template's name, the line and what
 * is wrong ("'show_version.textfsm': line 3: unknown option 'Filldwn'").
 * A rule's Error action stops a parse the way TextFSMError does in
 * Python: the result then has no records and error holds Python's own
 * message ("State Error raised. Rule Line: 7. Input Line: x"), so a
 * caller can compare it with what ntc-templates users see.
 *
 * Nothing here prints.
 */
#ifndef FO_TEXTFSM_H
#define FO_TEXTFSM_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/sbuf.h"

struct fo_textfsm;

/* A Value's options (TextFSM's Filldown, Key, Required, List, Fillup). */
enum {
	FO_TEXTFSM_OPT_FILLDOWN = 1 << 0,
	FO_TEXTFSM_OPT_KEY = 1 << 1, /* metadata only: the value is part of a record's key */
	FO_TEXTFSM_OPT_REQUIRED = 1 << 2,
	FO_TEXTFSM_OPT_LIST = 1 << 3,
	FO_TEXTFSM_OPT_FILLUP = 1 << 4,
};

/*
 * Compiles the template text[0..len) (UTF-8; NUL bytes are refused).
 * name is only for error messages (the file name, say). Returns the
 * template, which the caller frees with fo_textfsm_free; or NULL, with
 * one line in err[0..errlen) saying why (out of memory included). text
 * and name may be freed as soon as this returns.
 */
struct fo_textfsm *fo_textfsm_compile(const char *name, const char *text, size_t len, char *err,
				      size_t errlen);
/* Frees t and what it holds (NULL is fine). Results of t must be
 * released first: their header and dict keys point into t. */
void fo_textfsm_free(struct fo_textfsm *t);

/* The Values, in the template's order: their count, name and options. */
size_t fo_textfsm_nvalues(const struct fo_textfsm *t);
const char *fo_textfsm_value_name(const struct fo_textfsm *t, size_t i);
unsigned fo_textfsm_value_opts(const struct fo_textfsm *t, size_t i);

/* A cell of a record. A record's cells are FO_TEXTFSM_STR (a value that
 * never matched is "", as in Python) or FO_TEXTFSM_LIST (a List value).
 * A list's items are STR, NONE (an optional group that did not take part)
 * or DICT (a List value whose regex has named groups of its own, as
 * python-textfsm makes them); a dict's values are STR or NONE. */
enum fo_textfsm_kind { FO_TEXTFSM_NONE, FO_TEXTFSM_STR, FO_TEXTFSM_LIST, FO_TEXTFSM_DICT };

struct fo_textfsm_cell {
	enum fo_textfsm_kind kind;
	const char *s;                     /* STR: the bytes, NUL-terminated */
	size_t len;                        /* STR: their count; LIST, DICT: entries in sub */
	const struct fo_textfsm_cell *sub; /* LIST: the items; DICT: the values in keys' order */
	const char *const *keys;           /* DICT: the names of its groups */
};

/*
 * What a parse gives: ncols names (the Values', as written) and nrows
 * records of ncols cells each, row after row, in cells. error is NULL, or
 * the message of the Error action that stopped the parse (Python's
 * TextFSMError text; there are no records then). Everything is owned by
 * the result and freed by fo_textfsm_result_release; the header and the
 * dict keys point into the template, which must outlive the result.
 */
struct fo_textfsm_result {
	size_t ncols, nrows;
	const char *const *header;
	const struct fo_textfsm_cell *cells;
	char *error;
	void *mem_[2]; /* private */
};

/*
 * Runs text[0..len) through t from its Start state, as python-textfsm's
 * ParseText(text) (lines split as str.splitlines splits them, the
 * implicit EOF record). Fills *res (which the caller then releases, also
 * after an error) and returns 0, error or not; or -ENOMEM, res empty.
 * text may be freed as soon as this returns.
 */
int fo_textfsm_parse(const struct fo_textfsm *t, const char *text, size_t len, struct fo_textfsm_result *res);
/* Frees what res holds; res is empty afterwards (NULL fields). */
void fo_textfsm_result_release(struct fo_textfsm_result *res);

/*
 * Joins the tables of one output parsed by several templates (the
 * Template field `a.textfsm:b.textfsm` of an ntc-templates index row) into
 * one, exactly as python3-textfsm's clitable.CliTable.ParseCmd does
 * (clitable.py _ParseCmdItem, texttable.py TextTable.extend):
 *   - the keys are the Key values of the first template that has any,
 *     looked for up to and including the table being joined
 *   - columns: the first table's, then each further table's columns not
 *     there yet, in its order; a table with no new column changes nothing
 *   - rows: the first table's, in its order; no row is added, dropped or
 *     sorted (CliTable's sort() is not called by ParseCmd)
 *   - with keys, a row takes the new columns of the first row of the
 *     next table whose key values equal its own (several rows may take
 *     the same one; rows of the next table that no row matches are lost);
 *     without keys, row i takes row i's, to the shorter table's end
 *   - a new column a row got nothing for is "" (also for a List value)
 *   - stops, as Python raises, with out->error set and no records: a
 *     table whose template's Error action fired (that table's message:
 *     the first such table's, in order, as Python parses them in order);
 *     a key that is not a column of the tables before (IndexError
 *     "Unknown key", when the first template has no Key and a later
 *     one has); a key missing from a later table while both have rows
 *     (IndexError "No such column": with several keys Python's set order
 *     decides whether it is reached; here it always is)
 * Keys compare as CliTable's stringified rows do: strings by bytes, lists
 * item by item, a list item None equal to the string "None".
 *
 * t[0..n) are the templates (n >= 1), parts[0..n) their results on the
 * same text, in the row's order; names[0..n) (or NULL) name them in
 * errors. Fills *out and returns 0 (records or error); -ENOMEM or
 * -EINVAL (n == 0), out empty. out owns only its header and cell arrays
 * (fo_textfsm_result_release frees them); its cells' strings and lists
 * point into parts, which must outlive out, and its names into t.
 */
int fo_textfsm_join(const struct fo_textfsm *const *t, const struct fo_textfsm_result *parts, size_t n,
		    const char *const *names, struct fo_textfsm_result *out);

/* fo_textfsm_json's flags. The default keys are the Value names as
 * written, as python-textfsm's ParseTextToDicts gives them;
 * FO_TEXTFSM_JSON_LOWER lowercases them (ASCII), as netmiko's
 * use_textfsm does with ntc-templates. Dict keys inside lists stay as
 * written either way. */
enum { FO_TEXTFSM_JSON_LOWER = 1 << 0 };

/*
 * Appends the records to b as JSON, the way ParseTextToDicts would dump
 * them: a list of objects, one line each, keys in the template's order.
 * A result with an error is {"error": "<message>"} instead. Strings go
 * through the repo's one JSON writer (src/util/json.h). Failures set
 * b->oom, as with every sbuf append.
 */
void fo_textfsm_json(const struct fo_textfsm_result *res, struct fo_sbuf *b, unsigned flags);

#endif
