/*
 * Host-set folding: the inverse of the host-list expander (hostlist.c).
 * Given host names, it writes the folded list exactly as ClusterShell's
 * `nodeset -f` writes it (NodeSet.py, RangeSet.py, version 1.9), so that
 * what fanout prints can be pasted into clush, pdsh or fanout -w alike:
 *   r1 r2 r3 r7                          r[1-3,7]
 *   core-01.dc1 ... core-40.dc3          core-[01-40].dc[1-3]
 *   n9 n09 n10 n11                       n[9,09-11]    (padding kept apart)
 *   10.0.0.1 10.0.0.2 10.0.1.1           10.0.0.[1-2],10.0.1.1
 * Each run of ASCII digits in a name is a dimension; names with the same
 * text around their digits form a pattern; patterns come out sorted by
 * that text (ClusterShell's pattern strings, `%s` for each digit run).
 * A pattern whose names vary in one dimension folds in O(n log n); one
 * that varies in several is merged by ClusterShell's own heuristic
 * (RangeSetND._fold_multivariate), ported step for step so that the
 * result is the same. 28,000 names fold in 5 to 50 ms. One corner stops
 * short of nodeset on purpose: a sparse scatter over several indexes,
 * where the heuristic's quadratic passes would take seconds (nodeset
 * takes hours); there the fold is exact as a set but may be less merged
 * than nodeset's (nodeset.c says when).
 */
#ifndef FO_RUN_NODESET_H
#define FO_RUN_NODESET_H

#include <stddef.h>

/*
 * Folds names[0..n) (duplicates allowed, any order) into one string,
 * malloc'd into *out: the caller frees it. n == 0 gives "". Returns 0,
 * -EINVAL when a name cannot be written in a host list (empty, longer
 * than 255 bytes, or holding a comma, a blank, a bracket, a set operator
 * '!', '&' or '^', an '@', or a leading '-'; err names it), or -ENOMEM; *out is NULL on error. err (errlen
 * bytes) may be NULL. The names are not kept.
 */
int fo_nodeset_fold(const char *const *names, size_t n, char **out, char *err, size_t errlen);

#endif
