/*
 * A string-keyed hash map for the tools (the inventory's name sets and
 * YAML anchors, known_hosts names, the links cache): open addressing with
 * linear probing over FNV-1a, at most half full. Keys are borrowed: each
 * must outlive its entry (keep it in the value, or in an arena). Values
 * must not be NULL.
 */
#ifndef FO_UTIL_MAP_H
#define FO_UTIL_MAP_H

#include <stddef.h>
#include <stdint.h>

/* FNV-1a of a NUL-terminated string: the tools' one string hash. */
static inline uint64_t fo__fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

struct fo__map {
	const char **keys;
	const void **vals;
	size_t cap, n;
};

const void *fo__map_get(const struct fo__map *m, const char *key);
/* 1 when added, 0 when key was there already (its value kept), -ENOMEM. */
int fo__map_put(struct fo__map *m, const char *key, const void *val);
void fo__map_clear(struct fo__map *m);
void fo__map_free(struct fo__map *m);

#endif
