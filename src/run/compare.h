/*
 * `fanout run --compare DIR`: this run's outputs against a previous --out
 * tree, DIR/HOST/COMMAND.txt (names escaped by fo__run_file_name, run.h).
 * Each host's command is unchanged, changed (with a unified diff as GNU
 * `diff -u` makes it, udiff.h), new (no good output before) or gone (in
 * the tree, not in this run).
 *
 * A tree is recognised by its marker file, DIR/.fanout-out, which --out
 * writes (fo_cmp_mark_out_dir); anything else is refused, so that
 * `--compare ~/configs` cannot diff against some other folder's files.
 * The tree is read without leaving it (STYLE 18): only escaped names are
 * opened, relative to the tree's descriptor, never through a symbolic
 * link (O_NOFOLLOW), and only regular files of at most a bound's bytes
 * (STYLE 20).
 */
#ifndef FO_RUN_COMPARE_H
#define FO_RUN_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/udiff.h"
#include "run.h"

/* The marker of an --out tree, and what --out writes into it. */
#define FO_CMP_MARKER ".fanout-out"
#define FO_CMP_MARKER_TEXT "fanout --out tree 1\n"
/* The default bound on one previous output read back (--out files are
 * outputs of at most a few MB). */
#define FO_CMP_READ_MAX ((size_t)64 << 20)
/* At most this many HOST/COMMAND outputs in one tree. */
#define FO_CMP_ENTRIES_MAX ((size_t)1 << 20)

enum fo_cmp_state { FO_CMP_UNCHANGED, FO_CMP_CHANGED, FO_CMP_NEW, FO_CMP_GONE };

/* "unchanged", "changed", "new", "gone": static strings. */
const char *fo_cmp_state_name(enum fo_cmp_state s);

/* One output of the previous tree: DIR/hfile/cfile.txt. */
struct fo_cmp_entry {
	char hfile[FO_RUN_NAME_MAX + 1], cfile[FO_RUN_NAME_MAX + 1];
	/* the host and the command decoded (owned by the tree); a shortened
	 * name (see run.h) cannot be, and is its file name, exact false */
	char *host, *command;
	bool exact;
	bool seen; /* set by fo_cmp_tree_mark */
};

/* A previous --out tree, open. The caller owns the struct; every field is
 * the tree's, released by fo_cmp_tree_release. */
struct fo_cmp_tree {
	char *dir;                 /* as given */
	int fd;                    /* DIR, O_DIRECTORY */
	size_t max;                /* the bound on one file */
	struct fo_cmp_entry *e;    /* every good output, sorted by (hfile, cfile) */
	size_t n;
};

/*
 * Opens dir as a previous --out tree, lists its outputs (HOST/NAME.txt;
 * NAME.partial.txt, NAME.diff, temporary files, hidden names, symbolic
 * links and names fo__run_file_name cannot have made are not outputs),
 * with max (0: FO_CMP_READ_MAX) as the bound on reading one file back.
 * 0, or -errno with one line for people in err: -ENOENT, -ENOTDIR,
 * -EINVAL when dir is not a fanout --out tree ("'DIR' is not a fanout
 * --out tree (it has no .fanout-out)"), -E2BIG past FO_CMP_ENTRIES_MAX,
 * -ENOMEM. On error t needs no release.
 */
int fo_cmp_tree_open(struct fo_cmp_tree *t, const char *dir, size_t max, char *err, size_t errlen);
void fo_cmp_tree_release(struct fo_cmp_tree *t);

/* What fo_cmp_output found. */
struct fo_cmp_result {
	enum fo_cmp_state state;
	char *diff;      /* changed: the diff, labels a/HFILE/CFILE.txt and b/...; else NULL (heap) */
	size_t diff_len;
	bool masked;     /* unchanged, yet the bytes differ: every difference was ignored (-I) */
};
void fo_cmp_result_release(struct fo_cmp_result *r);

/*
 * One host's command output (out, len bytes: this run's, complete)
 * against the tree's: unchanged, changed (with r->diff, ignore applied
 * as GNU diff -I; NULL for none; context lines 3), or new (the tree has
 * no good output for it; a failed one, NAME.partial.txt, is not one).
 * 0, or -errno with one line in err naming the file: -EFBIG past the
 * bound, -ELOOP for a symbolic link, -EINVAL for what is not a regular
 * file, -EIO, -ENOMEM. Reads only: threads may call it at once on one
 * tree. The caller releases r.
 */
int fo_cmp_output(const struct fo_cmp_tree *t, const char *host, const char *command, const char *out, size_t len,
		  const struct fo_udiff_ignore *ignore, struct fo_cmp_result *r, char *err, size_t errlen);

/*
 * Marks host's command as seen in this run: 1 when the tree has it, 0
 * when not. One thread at a time. Afterwards the entries t->e[i] with
 * !seen are the gone ones (a whole host is gone when all its are).
 */
int fo_cmp_tree_mark(struct fo_cmp_tree *t, const char *host, const char *command);

/* Writes dir's marker (dir/.fanout-out, whole or not at all): 0 or -errno. */
int fo_cmp_mark_out_dir(const char *dir);

#endif
