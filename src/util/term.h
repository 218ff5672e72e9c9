/*
 * Untrusted text for a terminal (STYLE 17): host names, device output,
 * URLs and error text that came from outside are shown with control bytes,
 * ESC, DEL, C1 controls and bytes that are not UTF-8 as \xNN, so that they
 * cannot move the cursor, retitle the window or hide a line. Printable
 * ASCII and well-formed UTF-8 stay as they are. Files keep such text
 * exact and JSON has its own rule (json.h); this is for what people read
 * on stdout and stderr.
 */
#ifndef FO_UTIL_TERM_H
#define FO_UTIL_TERM_H

#include <stddef.h>

#include "sbuf.h"

/* Appends s[0..n) to b, neutralised. */
void fo__term_add(struct fo_sbuf *b, const char *s, size_t n);
/* The same for a NUL-terminated s (NULL as ""). */
void fo__term_adds(struct fo_sbuf *b, const char *s);
/* Is s[0..n) already safe as it is (nothing to neutralise)? */
int fo__term_safe(const char *s, size_t n);

#endif
