/*
 * The inventory of `fanout run`: which hosts to reach and with what
 * settings. Three sources add up into one list of resolved hosts:
 *
 *   - nornir's SimpleInventory files as they are (hosts.yaml, groups.yaml,
 *     defaults.yaml), read with libyaml (nornir.c); every attribute
 *     resolved host -> its groups depth-first (each group's own groups
 *     right after it) -> defaults, as nornir does, `data` per key alike;
 *   - pdsh/ClusterShell host lists: `core-[01-40].dc[1-3]`, `a,b,c`,
 *     `^FILE` (hostlist.c);
 *   - a plain file of hosts, one per line (`^FILE` by another name).
 *
 * Then filters narrow it: names to drop or keep (host lists), groups
 * (nested membership counts), data attributes, and a count.
 *
 * Ownership: a struct fo_inv owns everything it hands out. Every string,
 * host, value and array reachable from inv->hosts lives in the inventory's
 * arena and stays valid, unchanged, until fo_inv_release(); the caller
 * frees nothing of it. Functions never keep a pointer to their arguments
 * past the call. Errors are negative errno values, with a line for people
 * in err (lowercase, the input quoted, the line number when there is one,
 * without the "fanout: " prefix a command adds).
 *
 * Secrets: besides nornir's `password: TEXT`, every place that takes a
 * password (host, group, defaults, a connection option) also takes
 *   password_env: VAR     the password is the value of $VAR
 *   password_file: PATH   the password is the file's content, without the
 *                         final newline; PATH relative to the YAML file
 * (one of the three per place). Only the one that wins resolution is read,
 * when the inventory loads; an unset variable, or a file that cannot be
 * read, is a directory, is empty or holds more than 64 KiB, is an error
 * naming it. Nothing here prints a password; tools print "********", and
 * so for the values of data and extras under secret keys (fo_inv_key_secret).
 */
#ifndef FO_INVENTORY_H
#define FO_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* ---- values of `data` and `extras`, as written in YAML ------------------------ */

enum fo_inv_type {
	FO_INV_NULL,  /* ~, null or nothing */
	FO_INV_BOOL,  /* true/false (YAML 1.2 core schema, as nornir's ruamel) */
	FO_INV_INT,   /* 12, -3, 0x1f, 0o17 */
	FO_INV_FLOAT, /* 1.5, 1e3, .inf */
	FO_INV_STR,
	FO_INV_LIST,
	FO_INV_MAP,
};

/*
 * One YAML value. Scalars keep their text as written (BOOL as "true" or
 * "false"); a list or map keeps n items, a map also n keys in file order.
 * Values are shared, not copied, where YAML aliases (&a / *a) share them.
 */
struct fo_inv_val {
	enum fo_inv_type type;
	const char *s;                         /* scalars: the text; "" for NULL */
	size_t n;                              /* LIST, MAP: how many items */
	const char *const *keys;               /* MAP: the n keys */
	const struct fo_inv_val *const *items; /* LIST, MAP: the n values */
};

/* The value of key in map (a FO_INV_MAP), or NULL when map lacks it. */
const struct fo_inv_val *fo_inv_val_get(const struct fo_inv_val *map, const char *key);

/*
 * Whether a key of `data` or `extras` names a secret, at any depth. Compared
 * without case and with '-' read as '_', the key is one of password,
 * passwd, pwd, secret (netmiko's and napalm's enable password), token,
 * passphrase, api_key, apikey, private_key, auth_secondary (scrapli's), or
 * ends in _password, _passwd, _secret, _token, _passphrase or _key. Every
 * value under such a key but null is secret, and so is every scalar within a
 * list or map under one: `fanout inventory` prints each as "********".
 * (password_env and password_file name where a secret is, and print.)
 */
bool fo_inv_key_secret(const char *key);

/* ---- a resolved host -------------------------------------------------------------- */

/*
 * A connection option of nornir (connection_options: NAME: {...}) after
 * resolution: each field the first set in nornir's order for them, else
 * the host's own effective field; extras whole, as nornir. That order is
 * not the attributes': nornir asks each group for its options resolved
 * down to the defaults before it asks the next, so the defaults come right
 * after the host's first group, that group's first group, and so on to
 * one without groups (host(g1, g2), g1(g11): host, g1, g11, defaults, g2).
 */
struct fo_inv_conn {
	const char *name; /* e.g. "netmiko", "netconf" */
	const char *hostname;
	int port;
	const char *username;     /* NULL when none */
	const char *password;     /* secret; NULL when none */
	const char *password_ref; /* "env VAR" / "file PATH" when it came from one, else NULL */
	const char *platform;     /* NULL when none */
	struct fo_inv_val extras; /* FO_INV_MAP, or FO_INV_NULL when none */
};

/* A host with its effective settings. */
struct fo_inv_host {
	const char *name;
	const char *hostname;     /* host -> groups -> defaults, else name */
	int port;                 /* ... else inv->port (22) */
	const char *username;     /* ... else inv->user ($USER); NULL when neither */
	const char *password;     /* secret, see above; NULL when none (or not read) */
	const char *password_ref; /* "env VAR" / "file PATH" when it came from one */
	const char *platform;     /* NULL when none */
	const char *const *groups;     /* the host's own groups, in order */
	size_t ngroups;
	const char *const *all_groups; /* with nested groups, in resolution order */
	size_t nall_groups;
	struct fo_inv_val data;   /* FO_INV_MAP: the effective data, host's keys first */
	const struct fo_inv_conn *conn;
	size_t nconn;
};

/* The connection option called name of h, or NULL. */
const struct fo_inv_conn *fo_inv_host_conn(const struct fo_inv_host *h, const char *name);

/* ---- the inventory ------------------------------------------------------------------- */

#define FO_INV_DEFAULT_PORT 22
#define FO_INV_MAX_VALUES 1000000 /* items one data value may expand to through aliases */
#define FO_INV_MAX_WARNINGS 100
#define FO_INV_FILE_MAX ((size_t)64 << 20) /* bytes of one YAML file: libyaml's tree is ~45 times that */
#define FO_INV_MAX_DEPTH 64 /* nesting of a YAML file, and of a value through aliases and merge keys */

/* fo_inv.flags */
#define FO_INV_NO_SECRETS 1 /* leave password_env/password_file unread (password NULL) */

struct fo_inv__priv;

struct fo_inv {
	struct fo_inv_host *hosts; /* nhosts hosts, in the order the sources gave them */
	size_t nhosts;
	/* Settings for the loads that follow; fo_inv_init sets them. */
	const char *user;          /* username of hosts that set none: $USER (copied at use) */
	int port;                  /* port of hosts that set none: 22 */
	unsigned flags;            /* FO_INV_* */
	/* Input nornir ignores and so do we (an unknown setting, groups in the
	 * defaults): the first FO_INV_MAX_WARNINGS messages, like err's. */
	const char *const *warnings;
	size_t nwarnings;
	struct fo_inv__priv *priv;
};

/* Sets up an empty inventory (no allocation yet). */
void fo_inv_init(struct fo_inv *inv);

/* Frees everything the inventory holds; inv is then as after fo_inv_init. */
void fo_inv_release(struct fo_inv *inv);

/*
 * Adds the hosts of a nornir SimpleInventory. path is a directory holding
 * hosts.yaml (or .yml), and optionally groups.yaml and defaults.yaml, or
 * the hosts file itself, groups and defaults then read from beside it.
 * A host whose name the inventory already has is skipped (the first source
 * wins). On error the inventory is as before the call. Each file is read
 * whole, at most FO_INV_FILE_MAX bytes (-EFBIG past it), and YAML nested
 * more than FO_INV_MAX_DEPTH deep is refused as it is read, before the rest
 * of the file is. Returns 0, -ENOENT (no hosts file), -EINVAL (bad content,
 * err says where), -EFBIG, -ENOMEM.
 */
int fo_inv_load_nornir(struct fo_inv *inv, const char *path, char *err, size_t errlen);

/* The same with each file named; groups and defaults may be NULL. */
int fo_inv_load_nornir_files(struct fo_inv *inv, const char *hosts, const char *groups,
			     const char *defaults, char *err, size_t errlen);

/*
 * The same from text in memory (tests, the fuzzer); a text may be NULL
 * (absent). Messages name the files hosts.yaml, groups.yaml, defaults.yaml;
 * password_file paths are relative to the working directory.
 */
int fo_inv_load_nornir_text(struct fo_inv *inv, const char *hosts, size_t hosts_len,
			    const char *groups, size_t groups_len, const char *defaults,
			    size_t defaults_len, char *err, size_t errlen);

/*
 * Adds the hosts a host list names (see fo_hostlist_expand; ^FILE allowed),
 * each with hostname = name, inv->port and inv->user. Names the inventory
 * already has are skipped. On error the inventory is as before the call.
 * The names of every host list an inventory takes (here and in the filters'
 * exclude and names) count together against FO_HOSTLIST_MAX, as the lists
 * of one run. Returns 0, -EINVAL (bad list), -E2BIG (too many names),
 * -ENOENT/-errno (unreadable ^FILE), -ENOMEM (err then says "out of
 * memory" and what was being read).
 */
int fo_inv_add_hostlist(struct fo_inv *inv, const char *list, char *err, size_t errlen);

/* A plain file of hosts, one per line, # comments: fo_inv_add_hostlist("^path"). */
int fo_inv_add_hosts_file(struct fo_inv *inv, const char *path, char *err, size_t errlen);

/*
 * What to keep; a zero field keeps everything. Applied in the order below.
 * Pointers are borrowed for the call only.
 */
struct fo_inv_filter {
	const char *exclude;       /* host list (-x): drop these names */
	const char *names;         /* host list (--limit LIST): keep only these names */
	const char *const *groups; /* keep hosts in any of these groups, directly or */
	size_t ngroups;            /* through nested groups */
	const char *const *attrs;  /* "KEY=VALUE" or "KEY!=VALUE", all must hold; KEY is */
	size_t nattrs;             /* name, hostname, port, username, platform, group, or */
	                           /* a data key (a.b walks nested maps); VALUE the text, */
	                           /* or a glob when it holds * or ? outside brackets or */
	                           /* a \ escape; a list value matches when an item does */
	size_t limit;              /* then keep the first limit hosts; 0: all */
	unsigned shard, nshards;   /* then keep every nshards-th host from the shard-th */
	                           /* (1-based: --shard K/N); nshards 0: all */
};

/*
 * Parses "K/N" (1 <= K <= N <= 1,000,000) as --shard takes it: 0, or
 * -EINVAL with err saying why. The shards of one inventory and filters
 * split it exactly: host i (0-based, after every other filter) goes to
 * shard i mod N + 1, so N runs with K = 1..N together do each host once,
 * and each has hosts / N of them, rounded up or down.
 */
int fo_inv_parse_shard(const char *s, unsigned *k, unsigned *n, char *err, size_t errlen);

/*
 * Keeps the hosts that pass f, in their order. An unknown group or a
 * malformed attribute is an error (-EINVAL, err says which) and changes
 * nothing. Ending with no host is not an error: check inv->nhosts.
 */
int fo_inv_filter(struct fo_inv *inv, const struct fo_inv_filter *f, char *err, size_t errlen);

/* ---- host lists (hostlist.c) ----------------------------------------------------- */

#define FO_HOSTLIST_MAX 10000000 /* names the host lists of a run may expand to, in all */
#define FO_HOSTLIST_NAME_MAX 255 /* bytes in one name */
#define FO_HOSTLIST_FILES 1      /* flag: allow ^FILE items */
#define FO_HOSTLIST_USERS 2      /* flag: allow USER@HOSTS items (the user is dropped
				    unless the caller takes it: fo_hostlist_expand_users) */
#define FO_HOSTLIST_FILE_MAX ((size_t)256 << 20) /* bytes of one ^FILE (about the cap's worth) */

/* Gets each name (NUL-terminated, len bytes; valid during the call only). */
typedef int (*fo_hostlist_fn)(void *arg, const char *name, size_t len);

/* The same with the user an item gave it (bob@r[1-3]), else NULL. */
typedef int (*fo_hostlist_user_fn)(void *arg, const char *name, size_t len, const char *user);

/*
 * Expands a pdsh/ClusterShell host list and calls fn for every name, in
 * order, duplicates included:
 *   items separated by commas or blanks   a,b c
 *   ranges in brackets, zero padding kept  core-[01-40]     core-01 ... core-40
 *   lists and steps in brackets            n[1,3,5-7] n[0-10/5]
 *   several brackets: every combination    r[1-2]s[1-2]     r1s1 r1s2 r2s1 r2s2
 *   ^FILE (with FO_HOSTLIST_FILES)         each line a list; # comments, blank lines
 *   USER@ITEM (with FO_HOSTLIST_USERS)     pdsh's: the user for the item's names
 * ClusterShell's set operators make the list an expression, taken left to
 * right without precedence (a,b!c is (a,b)!c); its names are then a set,
 * each once, in the order they entered it:
 *   a!b  difference   a&b  intersection   a^b  exclusive-or (no blank
 *   before '^': a '^' that begins an item is ^FILE); a name keeps the user
 *   of the operand that put it in the set. An operand is an item or a ^FILE.
 * Refused with a message: ClusterShell's @group, pdsh's -name exclusion,
 * a user where the flag does not allow one, '@' in a name, an operator
 * with nothing on one side.
 * A list must name at least one host and at most FO_HOSTLIST_MAX, which is
 * checked before fn is first called; an expression's operands count too,
 * as if joined by commas. A ^FILE is read whole, at most
 * FO_HOSTLIST_FILE_MAX bytes. Returns 0, what fn returned when not 0
 * (stopping there), -EINVAL (bad syntax), -E2BIG (too many names or a name
 * too long), or the -errno of an unreadable file (-EFBIG past the bound,
 * -EISDIR, -ENOMEM among them); err says which, naming the file.
 */
int fo_hostlist_expand(const char *list, unsigned flags, fo_hostlist_fn fn, void *arg, char *err,
		       size_t errlen);

/* How many names list expands to (duplicates included), without expanding
 * (an expression is evaluated, and its set counted). */
int fo_hostlist_count(const char *list, unsigned flags, size_t *count, char *err, size_t errlen);

/*
 * Either of the two above (expands when fn is not NULL, else only counts)
 * for a list of a run whose earlier lists made used names: the cap is on
 * the run, used + this list's names at most FO_HOSTLIST_MAX, else -E2BIG
 * with err naming the cap and saying to split the run. *count (when not
 * NULL) gets this list's names; the caller adds them to its used.
 */
int fo_hostlist_expand_after(const char *list, unsigned flags, size_t used, fo_hostlist_fn fn, void *arg,
			     size_t *count, char *err, size_t errlen);

/* fo_hostlist_expand_after with FO_HOSTLIST_USERS, fn getting each name's user. */
int fo_hostlist_expand_users(const char *list, unsigned flags, size_t used, fo_hostlist_user_fn fn, void *arg,
			     size_t *count, char *err, size_t errlen);

/* ---- the command (inventory_cli.c) ------------------------------------------------ */

/* `fanout inventory ...`: prints the resolved hosts; returns the exit code. */
int fo_inventory_main(int argc, char **argv);

/* Its flags (src/cli/opt.h), for --help, the man page and the completions. */
struct fo_opts;
extern const struct fo_opts fo_inventory_opts;

/* One host as a JSON object on one line, to f: passwords and the values under
 * secret keys (fo_inv_key_secret) masked. */
void fo_inv_host_json(FILE *f, const struct fo_inv_host *h);

#endif
