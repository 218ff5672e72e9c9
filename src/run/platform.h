/*
 * Network platforms as data: scrapligo's platform definition files (one
 * YAML file per platform, as scrapligo publishes them under
 * assets/platforms/), read with libyaml, their patterns compiled with
 * PCRE2 (which takes Go's syntax: inline flags such as (?im), classes
 * such as [[:ascii:]]). fanout ships its own definitions (platforms/*.yaml,
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
 * fanout's own keys, also under `default` (absent from scrapligo's files;
 * without them a platform has no commit and no save):
 *   config-level       the level configuration lines are sent in
 *                      (default: "configuration")
 *   commit             e.g. "commit"            (commit platforms)
 *   commit-check       e.g. "commit check"      (--dry-run, before abort)
 *   compare            e.g. "show | compare"    (the diff, before commit)
 *   abort              e.g. "rollback 0" / "abort"  (drop uncommitted changes)
 *   commit-confirmed   e.g. "commit confirmed {minutes}"
 *   save               e.g. "write memory"      (--save, non-commit platforms)
 *   pagers             strings that mark a pager (answered with a space)
 * An unknown key is a warning through the diag callback, never an error
 * (files grow keys). A bad regex, a missing required key (platform-type,
 * privilege-levels, each level's pattern) or a value of the wrong type is
 * an error "FILE:LINE: KEY: reason".
 *
 * Thread safety: a loaded platform is read-only and shared by every task;
 * matching uses per-call match data.
 */
#ifndef FO_RUN_PLATFORM_H
#define FO_RUN_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>

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
	const char *const *pagers;
	size_t npagers;
};

/* Warnings (unknown keys) go here; NULL: dropped. */
typedef void (*fo_plat_warn_fn)(const char *msg, void *arg);

/* Parses a platform file's text; name is the file name for messages.
 * The platform, or NULL with "NAME:LINE: KEY: reason" in err. */
struct fo_platform *fo_platform_parse(const char *text, size_t len, const char *name, fo_plat_warn_fn warn,
				      void *warn_arg, char *err, size_t errlen);
/* Reads and parses a file (bounded read). */
struct fo_platform *fo_platform_load(const char *path, fo_plat_warn_fn warn, void *warn_arg, char *err,
				     size_t errlen);
void fo_platform_free(struct fo_platform *p);

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
 * prompt a device printed; trailing blanks allowed as the pattern allows)
 * and whose not-contains strings are absent from the matched prompt: its
 * index, or -1. *prompt_start gets the offset where the prompt begins.
 * When several match, the one whose match is longest wins (a level whose
 * pattern spans [edit]\n before the prompt beats one that takes the last
 * line alone), then the first listed.
 */
int fo_platform_match_prompt(const struct fo_platform *p, const char *text, size_t len, size_t *prompt_start);
/* Does any level's pattern match at the end of text? (as above, -1 when
 * none) — the same call, named for the read loop. */
/* Does the escalate-prompt of level `level` match at the end of text? */
bool fo_platform_match_auth_prompt(const struct fo_platform *p, int level, const char *text, size_t len);

/*
 * The steps from level `from` to level `to`: each step is a level index
 * the session moves to next (escalating to a child through its escalate,
 * or deescalating to the previous through the current one's deescalate).
 * Writes at most max steps into steps; returns the count, or -1 when `to`
 * cannot be reached from `from`.
 */
int fo_platform_path(const struct fo_platform *p, int from, int to, int *steps, int max);

/* The first failed-when-contains string found in out, or NULL. */
const char *fo_platform_failed(const struct fo_platform *p, const char *out, size_t len);
/* The pager text at the end of out (one of `pagers`, or the shipped
 * list: "--More--", " --More-- ", "---(more)---", "-- More --",
 * "Press any key", ...), as its offset; -1 when out does not end in one. */
long fo_platform_pager_at_end(const struct fo_platform *p, const char *out, size_t len);

#endif
