/*
 * The tools' string-keyed hash map: see map.h. (It began as the
 * inventory's; known_hosts and the links cache use it too.)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "map.h"

static size_t map_find(const struct fo__map *m, const char *key)
{
	size_t i = (size_t)fo__fnv1a(key) & (m->cap - 1);

	while (m->keys[i] && strcmp(m->keys[i], key))
		i = (i + 1) & (m->cap - 1);
	return i;
}

const void *fo__map_get(const struct fo__map *m, const char *key)
{
	size_t i;

	if (!m->cap)
		return NULL;
	i = map_find(m, key);
	return m->keys[i] ? m->vals[i] : NULL;
}

/* 1 when added, 0 when key was there already (its value kept), -ENOMEM. */
int fo__map_put(struct fo__map *m, const char *key, const void *val)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		struct fo__map g = { 0 };
		size_t k;

		g.cap = m->cap ? m->cap * 2 : 16;
		g.keys = calloc(g.cap, sizeof(*g.keys));
		g.vals = calloc(g.cap, sizeof(*g.vals));
		if (!g.keys || !g.vals) {
			free(g.keys);
			free(g.vals);
			return -ENOMEM;
		}
		for (k = 0; k < m->cap; k++)
			if (m->keys[k]) {
				i = map_find(&g, m->keys[k]);
				g.keys[i] = m->keys[k];
				g.vals[i] = m->vals[k];
			}
		g.n = m->n;
		free(m->keys);
		free(m->vals);
		*m = g;
	}
	i = map_find(m, key);
	if (m->keys[i])
		return 0;
	m->keys[i] = key;
	m->vals[i] = val;
	m->n++;
	return 1;
}

void fo__map_clear(struct fo__map *m)
{
	if (m->cap) {
		memset(m->keys, 0, m->cap * sizeof(*m->keys));
		m->n = 0;
	}
}

void fo__map_free(struct fo__map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}
