/*
 * Network platforms as data: scrapligo's platform definition files (one
 * YAML file per platform, as scrapligo publishes them under
 * assets/platforms/), read with libyaml, their patterns compiled with
 * PCRE2 (which takes Go's syntax: inline flags such as (?im), classes
 * such as [[:ascii:]]). fanout ships its own definitions (platforms/NAME.yaml,
 * written from the vendors' documented CLI behaviour) built into the
 * binary; --platform-file adds or overrides one.
 *
 * What a file holds (scrapligo's keys; under `default`):
 *   driver-type, privilege-levels (NAME: name, pattern, not-contains,
 *   previous-priv, deescalate, escalate, escalate-auth, escalate-prompt),
 *   default-desired-privilege-level, failed-when-contains,
 *   textfsm-platform, network-on-open, network-on-close (operation:
 *   acquire-priv [target], driver.send-command command, channel.write
 *   input, channel.return).
 * Also read: `on-open`/`on-close` (scrapligo's generic driver: they are
 * on_open/on_close for driver-type generic when network-on-* are absent),
 * and, with a warning that fanout does not use them, `options` and
 * `variants`. A level's name is its key (a `name` that differs is a
 * warning). Empty values are null, as in scrapligo's files (`escalate:`).
 * YAML anchors, aliases and merge keys (<<) work as yaml.v3 reads them.
 *
 * fanout's own keys, also under `default` (absent from scrapligo's files;
 * without them a platform has no commit and no save):
 *   config-level       the level configuration lines are sent in
 *                      (default: "configuration" when there is one)
 *   commit             e.g. "commit"            (commit platforms)
 *   commit-check       e.g. "commit check"      (--dry-run, before abort)
 *   compare            e.g. "show | compare"    (the diff, before commit)
 *   abort              e.g. "rollback 0" / "abort"  (drop uncommitted changes)
 *   commit-confirmed   e.g. "commit confirmed {minutes}"
 *   save               e.g. "write memory"      (--save, non-commit platforms)
 *   pagers             strings that mark a pager (answered with a space)
 *   copy-verify        e.g. "verify /sha256 {file}" (the copy task's check of
 *                      a file on the device: {file} is its path, else it
 *                      goes at the end; the answer must hold the SHA-256 as
 *                      one word of 64 hex digits)
 * An unknown key is a warning through the callback, never an error (files
 * grow keys). A bad regex (PCRE2's message and offset), a missing required
 * key (platform-type, default, privilege-levels, each level's pattern;
 * default-desired-privilege-level unless there is one level only), a
 * value of the wrong type, a level, target or config-level naming no level
 * is an error "FILE:LINE: KEY: reason", KEY a path such as
 * "privilege-levels.exec.pattern".
 *
 * Bounds: a file of more than FO_PLAT_FILE_MAX bytes is refused, values
 * nest at most 16 deep, a file has at most FO_PLAT_MAX_LEVELS levels and
 * at most FO_PLAT_MAX_LIST items in any list or mapping, a pattern at most
 * 4 KB; matching stops at PCRE2's match limit (a runaway pattern is a
 * non-match, not a hang).
 *
 * Thread safety: a loaded platform is read-only and shared by every task;
 * matching uses match data (and a JIT stack) of the calling thread's own,
 * so no coroutine stack holds PCRE2's. Parsing compiles patterns (PCRE2's
 * compiler takes tens of KB of stack): load platforms before the tasks
 * start, not from a coroutine.
 */
#ifndef FO_RUN_PLATFORM_H
#define FO_RUN_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>

#define FO_PLAT_FILE_MAX   ((size_t)1 << 20) /* bytes of a platform file */
#define FO_PLAT_MAX_LEVELS 64                /* privilege levels of a platform */
#define FO_PLAT_MAX_LIST   256               /* items of a list or keys of a mapping */

struct fo_platform;

enum fo_plat_op_kind { FO_OP_ACQUIRE_PRIV, FO_OP_SEND_COMMAND, FO_OP_WRITE, FO_OP_RETURN };

struct fo_plat_op {
	enum fo_plat_op_kind kind;
	const char *arg; /* target level (NULL: default desired), command, or input */
};

struct fo_plat_level {
	const char *name;
	const char *pattern;          /* as written */
	const char *const *not_contains;
	size_t n_not_contains;
	int previous;                 /* index of previous-priv, -1 when none */
	const char *escalate;         /* command from previous into this one, or NULL */
	const char *deescalate;       /* command from this one back to previous, or NULL */
	bool escalate_auth;           /* escalate asks for a secret */
	const char *escalate_prompt;  /* pattern of that question, or NULL */
};

struct fo_plat_info {
	const char *type;             /* platform-type */
	const char *driver_type;      /* "network" or "generic" */
	const struct fo_plat_level *levels;
	size_t nlevels;
	int default_level;            /* index of default-desired-privilege-level */
	int config_level;             /* index, -1 when the platform has none */
	const char *const *failed_when;
	size_t nfailed;
	const char *textfsm_platform; /* or NULL */
	const struct fo_plat_op *on_open, *on_close;
	size_t non_open, non_close;
	const char *commit, *commit_check, *compare, *abort, *commit_confirmed, *save; /* or NULL */
	const char *copy_verify;      /* or NULL */
	const char *const *pagers;
	size_t npagers;
};

/* Warnings go here, one line each, "FILE:LINE: KEY: what" (an unknown
 * key, a key fanout does not use); NULL: dropped. */
typedef void (*fo_plat_warn_fn)(const char *msg, void *arg);

/* Parses a platform file's text (len bytes, NUL not needed); name is the
 * file name for messages. The platform (the caller frees it with
 * fo_platform_free; every string its info points to lives as long as it
 * does), or NULL with "NAME:LINE: KEY: reason" in err. */
struct fo_platform *fo_platform_parse(const char *text, size_t len, const char *name, fo_plat_warn_fn warn,
				      void *warn_arg, char *err, size_t errlen);
/* Reads and parses a file (at most FO_PLAT_FILE_MAX bytes). */
struct fo_platform *fo_platform_load(const char *path, fo_plat_warn_fn warn, void *warn_arg, char *err,
				     size_t errlen);
void fo_platform_free(struct fo_platform *p);
/* `fanout run --prompt`: a platform of one level whose prompt is a last
 * line in which pattern matches; no on-open, no failure strings. NULL
 * with the regex's complaint in err. (platform_prompt.c) */
struct fo_platform *fo_platform_from_prompt(const char *pattern, char *err, size_t errlen);

/* A shipped platform by its name or an alias (netmiko's, nornir's and
 * napalm's names: ios, cisco_ios, cisco_xe, iosxe, nxos, nxos_ssh, eos,
 * junos, juniper, iosxr, cisco_xr, linux, generic, ...); NULL when none.
 * Built once, shared, never freed. */
const struct fo_platform *fo_platform_builtin(const char *name);
/* The shipped platforms' canonical names, NULL-terminated. */
const char *const *fo_platform_builtin_names(void);

const struct fo_plat_info *fo_platform_info(const struct fo_platform *p);
int fo_platform_level_index(const struct fo_platform *p, const char *name); /* -1 when none */

/*
 * The level whose pattern matches at the very end of text (the last
 * prompt a device printed; trailing blanks only as the pattern allows)
 * and whose not-contains strings are absent from the matched prompt: its
 * index, or -1. *prompt_start (may be NULL) gets the offset where the
 * prompt begins. When several match, the one whose match is longest wins
 * (a level whose pattern spans [edit]\n before the prompt beats one that
 * takes the last line alone), then the first listed.
 * Only the last FO_PLAT_WINDOW bytes are looked at (from a line start
 * when there is one in them), and of them the last FO_PLAT_WINDOW_LINES
 * lines at most (the last line counts, empty or not: a text ending in \n
 * gives it the three before). Carriage returns are ignored, as
 * scrapligo's channel drops them; an empty match never counts.
 * Each level's pattern (JIT-compiled) is tried at each line start of the
 * window: 0.2 to 1 us a call for the shipped platforms on a 2020s x86
 * core, whether the text ends at a prompt or not.
 */
#define FO_PLAT_WINDOW       1024
#define FO_PLAT_WINDOW_LINES 4
int fo_platform_match_prompt(const struct fo_platform *p, const char *text, size_t len, size_t *prompt_start);
/* Does any level's pattern match at the end of text? (as above, but stops
 * at the first level that matches) — for the read loop. */
bool fo_platform_at_prompt(const struct fo_platform *p, const char *text, size_t len);
/* Does the escalate-prompt of level `level` match at the end of text?
 * (false when the level has none) */
bool fo_platform_match_auth_prompt(const struct fo_platform *p, int level, const char *text, size_t len);

/*
 * The steps from level `from` to level `to`: each step is a level index
 * the session moves to next (escalating to a child through its escalate,
 * or deescalating to the previous through the current one's deescalate).
 * A step needs its command: an escalate to go up, a deescalate to go
 * down. Writes at most max steps into steps; returns the count (which may
 * be more than max, as snprintf does), 0 when from == to, or -1 when `to`
 * cannot be reached from `from` or either index is out of range.
 */
int fo_platform_path(const struct fo_platform *p, int from, int to, int *steps, int max);

/* The first failed-when-contains string (in the file's order) found in
 * out, or NULL. Case matters, as in scrapligo. */
const char *fo_platform_failed(const struct fo_platform *p, const char *out, size_t len);
/*
 * Is out waiting at a pager? The last line of out (after its last \n or
 * \r), leading and trailing blanks aside, begins with a pager string (the
 * platform's `pagers`, then the shipped list: "--More--", " --More-- ",
 * "---(more)---", "---(more ", "-- More --", "Press any key to continue",
 * "<--- More --->"; compared without their own blanks and ignoring case)
 * and holds at most 64 bytes after it ("---(more 42%)---", "Press any key
 * to continue (Q to quit)"). Returns the offset where that line begins
 * (its leading blanks included: out[0..offset) is the output without the
 * pager), or -1. p may be NULL (the shipped list alone).
 */
long fo_platform_pager_at_end(const struct fo_platform *p, const char *out, size_t len);

#endif
