/*
 * Unified diffs of two texts, byte for byte what GNU `diff -u` prints
 * (diffutils 3.8) given the same labels: `diff -u --label A --label B`,
 * or with `-U N`, `--minimal` and `-I RE` as the options below say. For
 * `fanout run --compare`, where a device's output is diffed against the
 * previous run's and the diff is shown and kept beside the output.
 *
 * The texts are bytes: any byte may appear (NUL included; GNU diff would
 * call such a file binary unless given -a), a line ends at '\n', '\r' is
 * an ordinary byte, and a last line without '\n' gets GNU's "\ No newline
 * at end of file". The algorithm is GNU's, so that the hunks are GNU's
 * too: identical ends trimmed with its horizon, lines that match nothing
 * discarded first (unless minimal), Myers' O(ND) search with linear space
 * that gives up on a subproblem past about the square root of the input
 * (never below 4096 steps; unless minimal), boundaries shifted to join
 * changes. Cost: O(N) to hash lines, then O(N + D^2) time in practice for
 * D changed lines, O(N) memory; bounded by the give-up rule otherwise.
 */
#ifndef FO_UTIL_UDIFF_H
#define FO_UTIL_UDIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "sbuf.h"

/*
 * A set of regular expressions (PCRE2, no options) for `-I RE`: a hunk
 * all of whose deleted and inserted lines match one of them (searched
 * anywhere in the line, without its '\n') is not shown, with GNU -I's
 * rules for hunks that mix the two. Immutable once made: one set may be
 * used by many threads at once. A match that exceeds PCRE2's limits
 * counts as no match (the change is shown).
 */
struct fo_udiff_ignore;

/* Compiles res[0..n) into *out (the caller frees it with
 * fo_udiff_ignore_free): 0, -EINVAL with "bad regular expression 'RE':
 * WHY at offset N" in err, or -ENOMEM. */
int fo_udiff_ignore_new(struct fo_udiff_ignore **out, const char *const *res, size_t n, char *err,
			size_t errlen);
void fo_udiff_ignore_free(struct fo_udiff_ignore *ig);
/* Does line (len bytes, no '\n') match one of the set? */
bool fo_udiff_ignore_match(const struct fo_udiff_ignore *ig, const char *line, size_t len);

struct fo_udiff_opts {
	const char *label_a, *label_b;        /* after "--- " and "+++ ", as given */
	int context;                          /* lines of context: -U N (GNU -u: 3) */
	bool minimal;                         /* GNU --minimal */
	const struct fo_udiff_ignore *ignore; /* -I; NULL for none; borrowed */
};

/* GNU `diff -u`'s options, with these labels. */
#define FO_UDIFF_OPTS(a, b) ((struct fo_udiff_opts){ (a), (b), 3, false, NULL })

/*
 * The diff of a (alen bytes) to b (blen bytes), appended to out: 1 when
 * something was appended (the two label lines and the hunks), 0 when
 * nothing differs or every hunk was ignored (GNU prints nothing then),
 * -ENOMEM (out may hold part of it; out->oom is not relied upon), or
 * -EINVAL for a context below 0. The texts are borrowed for the call.
 */
int fo_udiff(const char *a, size_t alen, const char *b, size_t blen, const struct fo_udiff_opts *o,
	     struct fo_sbuf *out);

#endif
