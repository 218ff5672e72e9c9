/*
 * robots.txt (RFC 9309): see robots.h. One pass over the lines; the rules
 * of the groups that apply to us are kept, the rest dropped. Matching is
 * the RFC's: longest rule wins, allow wins ties, "*" wildcards and a
 * final "$". A rule's match is O(rule × path) in the worst case, with
 * both bounded (a path is a URL's, rules come from a capped file).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "robots.h"

struct rule {
	char *pat;
	size_t len;
	bool allow;
};

struct fo_robots {
	struct rule *rules;
	size_t n, cap;
	double delay;
};

static int add_rule(struct fo_robots *r, const char *p, size_t n, bool allow)
{
	char *pat;

	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 16;
		struct rule *nr = realloc(r->rules, nc * sizeof(*nr));

		if (!nr)
			return -1;
		r->rules = nr;
		r->cap = nc;
	}
	pat = malloc(n + 1);
	if (!pat)
		return -1;
	memcpy(pat, p, n);
	pat[n] = 0;
	r->rules[r->n++] = (struct rule){ pat, n, allow };
	return 0;
}

/* Does pattern p (with * and a final $) match a prefix of s, or all of s? */
static bool match(const char *p, size_t pn, const char *s)
{
	size_t i = 0, j = 0, star_p = (size_t)-1, star_s = 0;
	size_t sn = strlen(s);

	if (pn && p[pn - 1] == '$') {
		/* anchored: the whole path must match */
		pn--;
		while (j < sn) {
			if (i < pn && p[i] == '*') {
				star_p = i++;
				star_s = j;
			} else if (i < pn && p[i] == s[j]) {
				i++;
				j++;
			} else if (star_p != (size_t)-1) {
				i = star_p + 1;
				j = ++star_s;
			} else {
				return false;
			}
		}
		while (i < pn && p[i] == '*')
			i++;
		return i == pn;
	}
	/* a prefix match: the pattern must be used up */
	while (i < pn) {
		if (p[i] == '*') {
			star_p = i++;
			star_s = j;
			if (i == pn)
				return true;
			continue;
		}
		if (j < sn && p[i] == s[j]) {
			i++;
			j++;
			continue;
		}
		if (star_p != (size_t)-1 && star_s < sn) {
			i = star_p + 1;
			j = ++star_s;
			continue;
		}
		return false;
	}
	return true;
}

/* Trims blanks at both ends of [*s, *e). */
static void trim(const char **s, const char **e)
{
	while (*s < *e && isspace((unsigned char)**s))
		(*s)++;
	while (*e > *s && isspace((unsigned char)(*e)[-1]))
		(*e)--;
}

/* One pass over robots.txt (RFC 9309): records, groups of user-agent
 * lines and their rules; the longest over 80 lines because the group
 * state is carried line to line, as the RFC's grammar reads. */
struct fo_robots *fo_robots_parse(const char *text, size_t len, const char *agent)
{
	struct fo_robots *r = calloc(1, sizeof(*r)), *star = calloc(1, sizeof(*star));
	const char *p = text, *end = text + (len > FO_ROBOTS_MAX ? FO_ROBOTS_MAX : len);
	bool in_agents = false, ours = false, is_star = false, named = false;
	size_t alen = strlen(agent);

	if (!r || !star)
		goto oom;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *ls, *le, *colon, *ks, *ke, *vs, *ve, *hash;

		if (!eol)
			eol = end;
		ls = p;
		le = eol;
		p = eol + 1;
		hash = memchr(ls, '#', (size_t)(le - ls));
		if (hash)
			le = hash;
		colon = memchr(ls, ':', (size_t)(le - ls));
		if (!colon)
			continue;
		ks = ls;
		ke = colon;
		vs = colon + 1;
		ve = le;
		trim(&ks, &ke);
		trim(&vs, &ve);
		if ((size_t)(ke - ks) == 10 && !strncasecmp(ks, "user-agent", 10)) {
			if (!in_agents) {
				/* a new group starts */
				ours = is_star = false;
				in_agents = true;
			}
			if (ve - vs == 1 && *vs == '*')
				is_star = true;
			else if ((size_t)(ve - vs) >= alen && !strncasecmp(vs, agent, alen) &&
				 ((size_t)(ve - vs) == alen || !isalnum((unsigned char)vs[alen])))
				ours = named = true;
			continue;
		}
		in_agents = false;
		if (!ours && !is_star)
			continue;
		if ((size_t)(ke - ks) == 5 && !strncasecmp(ks, "allow", 5)) {
			if (ve > vs) {
				if (ours && add_rule(r, vs, (size_t)(ve - vs), true) < 0)
					goto oom;
				if (is_star && add_rule(star, vs, (size_t)(ve - vs), true) < 0)
					goto oom;
			}
		} else if ((size_t)(ke - ks) == 8 && !strncasecmp(ks, "disallow", 8)) {
			if (ve > vs) { /* "Disallow:" with nothing allows all */
				if (ours && add_rule(r, vs, (size_t)(ve - vs), false) < 0)
					goto oom;
				if (is_star && add_rule(star, vs, (size_t)(ve - vs), false) < 0)
					goto oom;
			}
		} else if ((size_t)(ke - ks) == 11 && !strncasecmp(ks, "crawl-delay", 11)) {
			char num[32];
			size_t n = (size_t)(ve - vs) < sizeof(num) - 1 ? (size_t)(ve - vs) : sizeof(num) - 1;
			double d;

			memcpy(num, vs, n);
			num[n] = 0;
			d = strtod(num, NULL);
			if (d > 0 && d < 86400) {
				if (ours)
					r->delay = d;
				if (is_star)
					star->delay = d;
			}
		}
	}
	if (!named) {
		/* no group names us: the "*" group's rules */
		struct fo_robots *t = r;

		r = star;
		star = t;
	}
	fo_robots_free(star);
	return r;
oom:
	fo_robots_free(r);
	fo_robots_free(star);
	return NULL;
}

bool fo_robots_allowed(const struct fo_robots *r, const char *path)
{
	size_t i, best = 0;
	bool allow = true, found = false;

	if (!r)
		return true;
	if (!strcmp(path, "/robots.txt"))
		return true;
	for (i = 0; i < r->n; i++) {
		const struct rule *u = &r->rules[i];

		if (!match(u->pat, u->len, path))
			continue;
		if (!found || u->len > best || (u->len == best && u->allow && !allow)) {
			best = u->len;
			allow = u->allow;
			found = true;
		}
	}
	return allow;
}

double fo_robots_delay(const struct fo_robots *r)
{
	return r ? r->delay : 0;
}

void fo_robots_free(struct fo_robots *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++)
		free(r->rules[i].pat);
	free(r->rules);
	free(r);
}
