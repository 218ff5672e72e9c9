/*
 * The host flags that `fanout inventory` and `fanout run` share (-i, -w,
 * --hosts-file, -x, --limit, --group, --filter, --shard, --user, --port):
 * their option-table entries (src/cli/opt.h), the config they parse into,
 * and the loading and filtering that follow, so that both tools take the
 * same flags the same way and make the same selection.
 *
 * Sources and host-list filters are order-dependent: they are kept as
 * (flag, value) pairs in command-line order, and every host list among
 * them is counted, in that order, against FO_HOSTLIST_MAX before any is
 * expanded. --user and --port apply to every source wherever they stand.
 */
#ifndef FO_RUN_INV_ARGS_H
#define FO_RUN_INV_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "../cli/opt.h"
#include "inventory.h"

/* One source or host-list filter as given: flag as documented ("-w"). */
struct fo_inv_arg {
	const char *flag, *value;
};

/*
 * What the host flags gave. The arrays and comma lists are malloc'd (freed
 * by fo_inv_args_release); the strings they point to are argv's.
 */
struct fo_inv_args {
	struct fo_inv_arg *src;   /* -i, -w, --hosts-file, -x, --limit LIST, in order */
	size_t nsrc, nhost_srcs;  /* all of them; those that add hosts */
	char *exclude, *names;    /* every -x, every --limit LIST, as one comma list */
	char *groups;             /* every --group, as one comma list */
	const char **attrs;       /* every --filter */
	size_t nattrs;
	size_t limit;             /* --limit N; 0: none */
	unsigned shard, nshards;  /* --shard K/N; 0: none */
	bool shard_auto;          /* --shard auto (shard.c): K and N from the environment */
	unsigned shard_index;     /* its JOB_COMPLETION_INDEX + 1, or 0 */
	unsigned shards_given;    /* --shards N, or 0 */
	const char *user;         /* --user, or NULL */
	long port;                /* --port, or 0 */
};

/* The entries' parsers (FO_OPT_FN): each finds its struct fo_inv_args at
 * the entry's offset in the config. */
int fo__inv_arg_source(void *cfg, const struct fo_opt *o, const char *v);
int fo__inv_arg_exclude(void *cfg, const struct fo_opt *o, const char *v);
int fo__inv_arg_limit(void *cfg, const struct fo_opt *o, const char *v);
int fo__inv_arg_group(void *cfg, const struct fo_opt *o, const char *v);
int fo__inv_arg_filter(void *cfg, const struct fo_opt *o, const char *v);
int fo__inv_arg_shard(void *cfg, const struct fo_opt *o, const char *v);
int fo__inv_arg_shards(void *cfg, const struct fo_opt *o, const char *v);

/* shard.c: --shard auto from a Slurm job array's or a Kubernetes Indexed
 * Job's environment: 0, or FO_OPTS_BAD with the one line printed. */
int fo__inv_shard_auto(struct fo_inv_args *a);
/* Once every flag is parsed: 0, or -EINVAL with err saying why (--shards
 * without --shard auto; an Indexed Job's index with no count). */
int fo__inv_shard_pending(const struct fo_inv_args *a, char *err, size_t errlen);

#define FO__IA_LIST "host names such as core-[01-40]"

/* The entries, for a tool whose config type T holds a struct fo_inv_args
 * as member m; groups "Hosts" and "Filters". */
#define FO_INV_ARGS_OPTS(T, m)                                                                               \
	{ "inventory", 'i', FO_OPT_FN, offsetof(T, m), "DIR",                                                 \
	  "nornir SimpleInventory folder, or its hosts.yaml",         \
	  "Hosts", NULL, 0, 0, NULL, "a path", FO_OPT_REPEAT, 0, fo__inv_arg_source },                          \
	{ "hosts", 'w', FO_OPT_FN, offsetof(T, m), "LIST",                                                    \
	  "host list: core-[01-40].dc[1-3], a,b, ^FILE", "Hosts", NULL, 0, 0, NULL,             \
	  FO__IA_LIST, FO_OPT_REPEAT, 0, fo__inv_arg_source },                                                \
	{ "hosts-file", 0, FO_OPT_FN, offsetof(T, m), "FILE",                                                 \
	  "hosts one per line (each line a LIST; # comments)", "Hosts", NULL, 0, 0, NULL, "a path",    \
	  FO_OPT_REPEAT, 0, fo__inv_arg_source },                                                             \
	{ "user", 'l', FO_OPT_STRING, offsetof(T, m.user), "USER",                                            \
	  "username of hosts that set none ($USER)", "Hosts", NULL, 0, 0, NULL, "a user name", 0, 0,  \
	  NULL },                                          \
	{ "port", 'p', FO_OPT_COUNT, offsetof(T, m.port), "PORT", "port of hosts that set none", "Hosts",    \
	  "22", 1, 65535, NULL, "a port from 1 to 65535", 0, 0, NULL },                                       \
	{ "exclude", 'x', FO_OPT_FN, offsetof(T, m), "LIST", "drop these names (a host list)",         \
	  "Filters", NULL, 0, 0, NULL, FO__IA_LIST, FO_OPT_REPEAT, 0, fo__inv_arg_exclude },                   \
	{ "limit", 0, FO_OPT_FN, offsetof(T, m), "N|LIST",                                                    \
	  "keep only these names, or the first N hosts", "Filters", NULL, 0, 0, NULL,       \
	  "a count from 1 to 10000000, or host names such as r[1-4]", FO_OPT_REPEAT, 0, fo__inv_arg_limit },  \
	{ "group", 'g', FO_OPT_FN, offsetof(T, m), "G[,G...]",                                                \
	  "hosts in any of these groups (nested; globs)", "Filters", NULL, 0, 0, NULL,    \
	  "a group name, or several with commas", FO_OPT_REPEAT, 0, fo__inv_arg_group },                      \
	{ "filter", 0, FO_OPT_FN, offsetof(T, m), "KEY=VALUE",                                                \
	  "hosts whose KEY is VALUE (* ? globs); != negates", "Filters", NULL, 0, 0, NULL,                         \
	  "KEY=VALUE or KEY!=VALUE, such as site=ams or platform=ios", FO_OPT_REPEAT, 0, fo__inv_arg_filter }, \
	{ "shard", 0, FO_OPT_FN, offsetof(T, m), "K/N|auto",                                                  \
	  "then every Nth host from the Kth (K = 1..N); auto: Slurm's or Kubernetes'", "Filters", NULL, 0, 0,  \
	  NULL, "K/N with 1 <= K <= N, such as 2/8, or auto", 0, 0, fo__inv_arg_shard },                       \
	{ "shards", 0, FO_OPT_FN, offsetof(T, m), "N",                                                        \
	  "--shard auto in an Indexed Job: N shards ($FANOUT_SHARDS)", "Filters", NULL, 0, 0, NULL,          \
	  "a count from 1 to 1000000", 0, 0, fo__inv_arg_shards }

/*
 * Loads the sources of a into inv, in order, after counting every host
 * list against the cap: 0, or -1 with the message (without "fanout: ") in
 * err. Sets inv->user and inv->port first when --user and --port were given.
 */
int fo_inv_args_load(const struct fo_inv_args *a, struct fo_inv *inv, char *err, size_t errlen);

/* Applies the filters of a to inv: fo_inv_filter's result, err filled. */
int fo_inv_args_filter(const struct fo_inv_args *a, struct fo_inv *inv, char *err, size_t errlen);

/* Frees what the parsers allocated; a is then empty. */
void fo_inv_args_release(struct fo_inv_args *a);

#endif
