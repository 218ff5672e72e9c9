/*
 * What the files of the inventory share and nobody else sees: the arena
 * every handed-out string and host lives in, and the private part of
 * struct fo_inv (its hash maps are src/util/map.h). inventory.c
 * implements these; nornir.c (the YAML loader) uses them.
 */
#ifndef FO_INVENTORY_INT_H
#define FO_INVENTORY_INT_H

#include <stddef.h>

#include "../util/map.h"
#include "inventory.h"

/* A chain of 64 KiB chunks; freed all at once. Blocks are max_align_t aligned. */
struct chunk {
	struct chunk *next;
	size_t used, cap;
	max_align_t mem[];
};

struct arena {
	struct chunk *head;
};

void *fo__arena_alloc(struct arena *a, size_t size);
char *fo__arena_strndup(struct arena *a, const char *s, size_t len);
void fo__arena_free(struct arena *a);



struct fo_inv__priv {
	struct arena arena;
	struct fo__map names;  /* host names (value: the name), for dedup; rebuilt by filters */
	struct fo__map groups; /* every group name loaded, for --group */
	size_t cap;        /* of inv->hosts */
	size_t listed;     /* names host lists made so far, against FO_HOSTLIST_MAX */
	const char *warn[FO_INV_MAX_WARNINGS];
};

extern const struct fo_inv_val fo__inv_empty_map; /* data of a host without any */

/* Creates inv->priv when missing: 0 or -ENOMEM. */
int fo__inv_priv(struct fo_inv *inv);
/* Room for more hosts in inv->hosts: 0 or -ENOMEM. */
int fo__inv_reserve(struct fo_inv *inv, size_t more);
/* The name set again from inv->hosts (after hosts were dropped). */
int fo__inv_names_rebuild(struct fo_inv *inv);
/* inv->user copied into the arena (NULL when unset). */
int fo__inv_user(struct fo_inv *inv, const char **user);

#endif
