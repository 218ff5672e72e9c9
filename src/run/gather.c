/*
 * --gather (gather.h): distinct outputs per command, each with its hosts,
 * printed once at the end with the hosts folded as ClusterShell folds
 * them (nodeset.h).
 */
#include "gather.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../util/json.h"
#include "../util/term.h"
#include "nodeset.h"

struct fo_gather_group {
	uint64_t hash;
	size_t cmd;      /* index into g->commands */
	char *out;       /* the output, once (heap) */
	size_t len;
	size_t *hosts;   /* host indices, in order of arrival */
	size_t nhosts, cap;
};

/* A hash of the command index and the bytes, eight at a time (FNV-1a a
 * byte at a time took 11 s over 28,000 devices' 4.6 GB of outputs; this
 * takes a tenth of that): a multiply and a rotate per word, mixed at the
 * end. Equal outputs are confirmed with memcmp, so collisions only cost. */
static uint64_t hash_of(size_t cmd, const char *s, size_t n)
{
	const uint64_t k = 0x9e3779b97f4a7c15ULL;
	uint64_t h = (uint64_t)cmd * k ^ (uint64_t)n, w;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * k;
		h ^= h >> 29;
	}
	if (i < n) {
		w = 0;
		memcpy(&w, s + i, n - i);
		h = (h ^ w) * k;
	}
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ULL;
	return h ^ (h >> 32);
}

static int command_index(struct fo_gather *g, const char *command, size_t *idx)
{
	const char **v;
	size_t i;

	/* a run has a few commands (15 is many): a scan beats a map */
	for (i = g->ncommands; i-- > 0;)
		if (g->commands[i] == command || !strcmp(g->commands[i], command)) {
			*idx = i;
			return 0;
		}
	if (!(v = realloc(g->commands, (g->ncommands + 1) * sizeof(*v))))
		return -ENOMEM;
	g->commands = v;
	g->commands[g->ncommands] = command;
	*idx = g->ncommands++;
	return 0;
}

static int grow(struct fo_gather *g)
{
	size_t cap = g->cap ? 2 * g->cap : 256, i, k;
	struct fo_gather_group **s = calloc(cap, sizeof(*s));

	if (!s)
		return -ENOMEM;
	for (i = 0; i < g->cap; i++) {
		if (!g->slots[i])
			continue;
		for (k = g->slots[i]->hash & (cap - 1); s[k]; k = (k + 1) & (cap - 1))
			;
		s[k] = g->slots[i];
	}
	free(g->slots);
	g->slots = s;
	g->cap = cap;
	return 0;
}

static int add_host(struct fo_gather_group *gr, size_t host)
{
	if (gr->nhosts == gr->cap) {
		size_t cap = gr->cap ? 2 * gr->cap : 4;
		size_t *v = realloc(gr->hosts, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		gr->hosts = v;
		gr->cap = cap;
	}
	gr->hosts[gr->nhosts++] = host;
	return 0;
}

int fo__gather_add(struct fo_gather *g, const char *command, size_t host, const char *out, size_t len)
{
	struct fo_gather_group *gr;
	uint64_t h;
	size_t cmd, k;

	if (!out)
		len = 0;
	if (command_index(g, command, &cmd) < 0 || (2 * (g->n + 1) > g->cap && grow(g) < 0))
		return -ENOMEM;
	h = hash_of(cmd, out, len);
	for (k = h & (g->cap - 1); (gr = g->slots[k]); k = (k + 1) & (g->cap - 1))
		if (gr->hash == h && gr->cmd == cmd && gr->len == len && (!len || !memcmp(gr->out, out, len)))
			return add_host(gr, host);
	if (!(gr = calloc(1, sizeof(*gr))) || !(gr->out = malloc(len + 1))) {
		free(gr);
		return -ENOMEM;
	}
	if (len)
		memcpy(gr->out, out, len);
	gr->out[len] = '\0';
	gr->hash = h;
	gr->cmd = cmd;
	gr->len = len;
	if (add_host(gr, host) < 0) {
		free(gr->out);
		free(gr);
		return -ENOMEM;
	}
	g->slots[k] = gr;
	g->n++;
	return 0;
}

/* Largest group first, then the one whose first host came first. */
static int by_size(const void *a, const void *b)
{
	const struct fo_gather_group *x = *(struct fo_gather_group *const *)a;
	const struct fo_gather_group *y = *(struct fo_gather_group *const *)b;

	if (x->cmd != y->cmd)
		return x->cmd < y->cmd ? -1 : 1;
	if (x->nhosts != y->nhosts)
		return x->nhosts > y->nhosts ? -1 : 1;
	return x->hosts[0] < y->hosts[0] ? -1 : x->hosts[0] > y->hosts[0];
}

static void print_text(const struct fo_gather *g, const struct fo_gather_group *gr, const char *hosts, bool term,
		       struct fo_sbuf *b)
{
	static const char rule[] = "---------------\n";

	fo_sbuf_adds(b, rule);
	if (term)
		fo__term_adds(b, hosts);
	else
		fo_sbuf_adds(b, hosts);
	if (gr->nhosts > 1)
		fo_sbuf_addf(b, " (%zu)", gr->nhosts);
	if (g->ncommands > 1) {
		fo_sbuf_adds(b, ": ");
		if (term)
			fo__term_adds(b, g->commands[gr->cmd]);
		else
			fo_sbuf_adds(b, g->commands[gr->cmd]);
	}
	fo_sbuf_adds(b, "\n");
	fo_sbuf_adds(b, rule);
	if (term)
		fo__term_add(b, gr->out, gr->len);
	else
		fo_sbuf_add(b, gr->out, gr->len);
	if (gr->len && gr->out[gr->len - 1] != '\n')
		fo_sbuf_adds(b, "\n");
}

static void print_json(const struct fo_gather *g, const struct fo_gather_group *gr, const char *hosts,
		       struct fo_sbuf *b)
{
	fo_sbuf_adds(b, "{\"command\":");
	fo__json_strz(b, g->commands[gr->cmd]);
	fo_sbuf_adds(b, ",\"hosts\":");
	fo__json_strz(b, hosts);
	fo_sbuf_addf(b, ",\"count\":%zu,\"output\":", gr->nhosts);
	fo__json_str(b, gr->out, gr->len);
	fo_sbuf_adds(b, "}\n");
}

/* The hosts as nodeset -f folds them; names a host list cannot hold (a
 * comma, a blank, a bracket, a set operator, an '@': nornir names may)
 * listed as they are, a space between. 0 or -ENOMEM. */
static int fold(const char *const *names, size_t n, char **out)
{
	struct fo_sbuf b = { 0 };
	int e = fo_nodeset_fold(names, n, out, NULL, 0);
	size_t i;

	if (e != -EINVAL)
		return e;
	for (i = 0; i < n; i++) {
		if (i)
			fo_sbuf_adds(&b, " ");
		fo_sbuf_adds(&b, names[i]);
	}
	if (b.oom || !b.p) {
		free(b.p);
		return -ENOMEM;
	}
	*out = b.p;
	return 0;
}

int fo__gather_print(const struct fo_gather *g, const char *const *names, bool json, bool term,
		     int (*emit)(void *arg, const char *p, size_t n), void *arg)
{
	struct fo_sbuf buf = { 0 }, *b = &buf;
	struct fo_gather_group **all = g->n ? malloc(g->n * sizeof(*all)) : NULL;
	const char **hn = NULL;
	size_t i, n = 0, most = 0;
	int r = 0;

	if (g->n && !all)
		return -ENOMEM;
	for (i = 0; i < g->cap; i++)
		if (g->slots[i]) {
			all[n++] = g->slots[i];
			most = all[n - 1]->nhosts > most ? all[n - 1]->nhosts : most;
		}
	qsort(all, n, sizeof(*all), by_size);
	if (n && !(hn = malloc(most * sizeof(*hn))))
		r = -ENOMEM;
	for (i = 0; i < n && !r; i++) {
		char *hosts;

		for (size_t k = 0; k < all[i]->nhosts; k++)
			hn[k] = names[all[i]->hosts[k]];
		if ((r = fold(hn, all[i]->nhosts, &hosts)) < 0)
			break;
		if (json)
			print_json(g, all[i], hosts, b);
		else
			print_text(g, all[i], hosts, term, b);
		free(hosts);
		/* out a megabyte at a time: the groups can be gigabytes */
		if (b->oom)
			r = -ENOMEM;
		else if ((b->len >= (1 << 20) || i + 1 == n) && (r = emit(arg, b->p, b->len)) == 0)
			fo_sbuf_reset(b);
	}
	free(hn);
	free(all);
	fo_sbuf_release(b);
	return r;
}

void fo__gather_release(struct fo_gather *g)
{
	size_t i;

	for (i = 0; i < g->cap; i++) {
		if (!g->slots[i])
			continue;
		free(g->slots[i]->out);
		free(g->slots[i]->hosts);
		free(g->slots[i]);
	}
	free(g->slots);
	free(g->commands);
	*g = (struct fo_gather){ 0 };
}
