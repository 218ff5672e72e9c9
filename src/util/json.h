/*
 * The one JSON string writer of the tools (STYLE 17): `fanout run --json`,
 * `fanout inventory --json`, `fanout links --format json` and `fanout
 * load --json` write every string through it, so that the same bytes
 * come out the same everywhere, and always as valid JSON.
 *
 * The rule, for bytes s[0..n) of any kind (device output, host names,
 * URLs, inventory values):
 *   - well-formed UTF-8 from U+00A0 up is kept as it is;
 *   - `"` and `\` are escaped; \n \t \r \b \f by their short forms; the
 *     other C0 controls, DEL and the C1 controls (U+0080-U+009F, CSI to
 *     some terminals) as \u00XX, so that a JSON file shown with cat is
 *     safe on a terminal; NUL is \u0000;
 *   - a sequence that is not well-formed UTF-8 (a stray byte, a cut
 *     sequence, an overlong form, a surrogate as in CESU-8, more than
 *     U+10FFFF) becomes \ufffd, one for each maximal subpart (Unicode
 *     3.9): exactly what WHATWG's decoder and Python's
 *     bytes.decode("utf-8", errors="replace") give, so a consumer can
 *     check a line against the bytes. The exact bytes are in run's --out
 *     files, never in JSON.
 */
#ifndef FO_UTIL_JSON_H
#define FO_UTIL_JSON_H

#include <stddef.h>
#include <stdio.h>

#include "sbuf.h"

/* Appends the JSON string (quotes included) for s[0..n) to b. */
void fo__json_str(struct fo_sbuf *b, const char *s, size_t n);
/* The same for a NUL-terminated s; NULL appends null. */
void fo__json_strz(struct fo_sbuf *b, const char *s);
/* The same written to f (errors are f's, for the caller's ferror). */
void fo__json_fputs(FILE *f, const char *s);

/* Back from JSON: the string whose text starts at p (just after its
 * opening quote) is appended to b, unescaped, until its closing quote or
 * until b holds max bytes; \u escapes become UTF-8 (a lone surrogate
 * U+FFFD). Returns where it stopped: after the closing quote, or where
 * the text ended or was cut. */
const char *fo__json_unstr(struct fo_sbuf *b, const char *p, size_t max);

#endif
