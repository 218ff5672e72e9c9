/*
 * known_hosts: see knownhosts.h.
 *
 * Every usable line becomes an entry (type, key, marker). Its names go
 * where a lookup finds them fastest: each literal name into a hash map
 * (src/util/map.h; lowercased), a names field with a wildcard or a negation to the list of
 * pattern entries, a hashed name (salt and HMAC decoded) to the list of
 * hashed entries. A lookup gathers the entries whose names match and
 * judges the key against them.
 */
#include <ctype.h>
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/file.h"
#include "../util/map.h"
#include "knownhosts.h"

enum { M_NONE, M_REVOKED };

struct ent {
	char *type;
	char *key;     /* base64, as written */
	char *names;   /* pattern entries: the names field, lowercased */
	unsigned char salt[64], mac[20];
	size_t saltlen;
	int marker;
};

struct node {
	char *name;
	size_t ent;
	struct node *next;
};

struct fo_kh {
	struct ent *e;
	size_t n, cap;
	struct fo__map names;        /* literal name -> its first node (node->name is the key) */
	size_t *pat, npat, cappat;   /* entries with patterns */
	size_t *hash, nhash, caphash; /* entries with a hashed name */
	size_t skipped;
};

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

struct fo_kh *fo_kh_new(void)
{
	return calloc(1, sizeof(struct fo_kh));
}

void fo_kh_free(struct fo_kh *kh)
{
	size_t i;

	if (!kh)
		return;
	for (i = 0; i < kh->names.cap; i++) {
		struct node *nd = kh->names.keys[i] ? (struct node *)kh->names.vals[i] : NULL, *next;

		for (; nd; nd = next) {
			next = nd->next;
			free(nd->name);
			free(nd);
		}
	}
	fo__map_free(&kh->names);
	for (i = 0; i < kh->n; i++) {
		free(kh->e[i].type);
		free(kh->e[i].key);
		free(kh->e[i].names);
	}
	free(kh->e);
	free(kh->pat);
	free(kh->hash);
	free(kh);
}

size_t fo_kh_skipped(const struct fo_kh *kh)
{
	return kh->skipped;
}

static int push(size_t **a, size_t *n, size_t *cap, size_t v)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		size_t *na = realloc(*a, nc * sizeof(*na));

		if (!na)
			return -ENOMEM;
		*a = na;
		*cap = nc;
	}
	(*a)[(*n)++] = v;
	return 0;
}

/* A literal name (lowercased copy made here) for entry ei: the first node
 * of a name is the map's value, more for the same name chain after it. */
static int add_name(struct fo_kh *kh, const char *name, size_t ei)
{
	struct node *nd = malloc(sizeof(*nd)), *first;
	int r;

	if (!nd || !(nd->name = strdup(name))) {
		free(nd);
		return -ENOMEM;
	}
	lower(nd->name);
	nd->ent = ei;
	nd->next = NULL;
	first = (struct node *)fo__map_get(&kh->names, nd->name);
	if (first) {
		nd->next = first->next;
		first->next = nd;
		return 0;
	}
	r = fo__map_put(&kh->names, nd->name, nd);
	if (r < 0) {
		free(nd->name);
		free(nd);
	}
	return r < 0 ? r : 0;
}

static int new_ent(struct fo_kh *kh, const char *type, size_t tlen, const char *key, size_t klen, int marker)
{
	struct ent *e;

	if (kh->n == kh->cap) {
		size_t nc = kh->cap ? kh->cap * 2 : 64;
		struct ent *ne = realloc(kh->e, nc * sizeof(*ne));

		if (!ne)
			return -ENOMEM;
		kh->e = ne;
		kh->cap = nc;
	}
	e = &kh->e[kh->n];
	memset(e, 0, sizeof(*e));
	e->type = strndup(type, tlen);
	e->key = strndup(key, klen);
	e->marker = marker;
	if (!e->type || !e->key) {
		free(e->type);
		free(e->key);
		return -ENOMEM;
	}
	kh->n++; /* the entry is kh->n - 1 */
	return 0;
}

/* Standard base64 (padding optional) into out; its length, or -1. */
static long unb64(const char *s, size_t len, unsigned char *out, size_t cap)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0, i;

	for (i = 0; i < len && s[i] != '='; i++) {
		const char c = s[i];
		int v = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26
			: c >= '0' && c <= '9' ? c - '0' + 52 : c == '+' ? 62 : c == '/' ? 63 : -1;

		if (v < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == cap)
				return -1;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	return (long)o;
}

/* "|1|salt|mac" into e; 0, or -1 when malformed. */
static int parse_hashed(struct ent *e, const char *s, size_t len)
{
	const char *bar;
	long n;

	if (len < 3 || memcmp(s, "|1|", 3))
		return -1;
	s += 3;
	len -= 3;
	bar = memchr(s, '|', len);
	if (!bar)
		return -1;
	n = unb64(s, (size_t)(bar - s), e->salt, sizeof(e->salt));
	if (n <= 0)
		return -1;
	e->saltlen = (size_t)n;
	len -= (size_t)(bar + 1 - s);
	return unb64(bar + 1, len, e->mac, sizeof(e->mac)) == (long)sizeof(e->mac) ? 0 : -1;
}

/* One line (no newline). 0, 1 when skipped as malformed, or -ENOMEM. */
static int parse_line(struct fo_kh *kh, const char *s, size_t len)
{
	const char *f[4] = { 0 };
	size_t fl[4] = { 0 }, nf = 0, i = 0, ei;
	int marker = M_NONE, r;

	while (nf < 4) {
		while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
			i++;
		if (i == len)
			break;
		if (nf == 0 && s[i] == '#')
			return 0;
		f[nf] = s + i;
		while (i < len && s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			i++;
		fl[nf] = (size_t)(s + i - f[nf]);
		nf++;
	}
	if (nf == 0)
		return 0;
	if (f[0][0] == '@') {
		if (fl[0] == 8 && !memcmp(f[0], "@revoked", 8))
			marker = M_REVOKED;
		else if (fl[0] == 15 && !memcmp(f[0], "@cert-authority", 15))
			return 0; /* certificates are not used here */
		else
			return 1;
		f[0] = f[1], fl[0] = fl[1];
		f[1] = f[2], fl[1] = fl[2];
		f[2] = f[3], fl[2] = fl[3];
		nf--;
	}
	if (nf < 3)
		return 1;
	r = new_ent(kh, f[1], fl[1], f[2], fl[2], marker);
	if (r < 0)
		return r;
	ei = kh->n - 1;
	if (f[0][0] == '|') {
		if (parse_hashed(&kh->e[ei], f[0], fl[0]) < 0) {
			free(kh->e[ei].type);
			free(kh->e[ei].key);
			kh->n--;
			return 1;
		}
		return push(&kh->hash, &kh->nhash, &kh->caphash, ei);
	}
	if (memchr(f[0], '*', fl[0]) || memchr(f[0], '?', fl[0]) || memchr(f[0], '!', fl[0])) {
		kh->e[ei].names = strndup(f[0], fl[0]);
		if (!kh->e[ei].names)
			return -ENOMEM;
		lower(kh->e[ei].names);
		return push(&kh->pat, &kh->npat, &kh->cappat, ei);
	}
	for (i = 0; i < fl[0];) {
		size_t j = i;
		char name[1024];

		while (j < fl[0] && f[0][j] != ',')
			j++;
		if (j > i && j - i < sizeof(name)) {
			memcpy(name, f[0] + i, j - i);
			name[j - i] = 0;
			r = add_name(kh, name, ei);
			if (r < 0)
				return r;
		}
		i = j + 1;
	}
	return 0;
}

int fo_kh_parse(struct fo_kh *kh, const char *text, size_t len)
{
	size_t i = 0;

	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - (text + i)) : len - i;
		int r = parse_line(kh, text + i, ll);

		if (r < 0)
			return r;
		kh->skipped += (size_t)r;
		i += ll + 1;
	}
	return 0;
}

int fo_kh_load(struct fo_kh *kh, const char *path)
{
	char *buf;
	size_t len;
	int r = fo__slurp(path, &buf, &len);

	if (r < 0)
		return r;
	r = fo_kh_parse(kh, buf, len);
	free(buf);
	return r;
}

int fo_kh_add(struct fo_kh *kh, const char *name, const char *type, const char *key_b64)
{
	int r = new_ent(kh, type, strlen(type), key_b64, strlen(key_b64), M_NONE);

	return r < 0 ? r : add_name(kh, name, kh->n - 1);
}

void fo_kh_name(char *buf, size_t len, const char *host, int port)
{
	if (port == 22)
		snprintf(buf, len, "%s", host);
	else
		snprintf(buf, len, "[%s]:%d", host, port);
}

/* OpenSSH's wildcards: '*' any run, '?' one character; s and p lowercased. */
static bool glob(const char *s, const char *p, size_t plen)
{
	const char *star = NULL, *ss = NULL, *pe = p + plen;

	while (*s) {
		if (p < pe && *p == '*') {
			star = ++p;
			ss = s;
		} else if (p < pe && (*p == '?' || *p == *s)) {
			s++;
			p++;
		} else if (star) {
			p = star;
			s = ++ss;
		} else {
			return false;
		}
	}
	while (p < pe && *p == '*')
		p++;
	return p == pe;
}

/* OpenSSH's match_hostname(): 1 when a pattern matches and no negated one does. */
static bool match_names(const char *name, const char *names)
{
	bool pos = false;

	while (*names) {
		size_t l = strcspn(names, ",");
		bool neg = names[0] == '!';

		if (glob(name, names + neg, l - neg)) {
			if (neg)
				return false;
			pos = true;
		}
		names += l + (names[l] == ',');
	}
	return pos;
}

static bool match_hashed(const struct ent *e, const char *name)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int ml = 0;

	if (!HMAC(EVP_sha1(), e->salt, (int)e->saltlen, (const unsigned char *)name, strlen(name), mac, &ml))
		return false;
	return ml == sizeof(e->mac) && !memcmp(mac, e->mac, ml);
}

struct judge {
	bool ok, seen, revoked;
};

static void judge(struct judge *j, const struct ent *e, const char *type, const char *key)
{
	if (e->marker == M_REVOKED) {
		if (!strcmp(e->key, key))
			j->revoked = true;
		return;
	}
	if (strcmp(e->type, type))
		return; /* another type on record: OpenSSH tries the next */
	j->seen = true;
	if (!strcmp(e->key, key))
		j->ok = true;
}

enum fo_kh_verdict fo_kh_check(const struct fo_kh *kh, const char *name, const char *type, const char *key_b64)
{
	struct judge j = { 0 };
	const struct node *nd;
	char low[1024];
	size_t i;

	snprintf(low, sizeof(low), "%s", name);
	lower(low);
	for (nd = fo__map_get(&kh->names, low); nd; nd = nd->next)
		judge(&j, &kh->e[nd->ent], type, key_b64);
	for (i = 0; i < kh->npat; i++)
		if (match_names(low, kh->e[kh->pat[i]].names))
			judge(&j, &kh->e[kh->pat[i]], type, key_b64);
	for (i = 0; i < kh->nhash; i++)
		if (match_hashed(&kh->e[kh->hash[i]], low))
			judge(&j, &kh->e[kh->hash[i]], type, key_b64);
	if (j.revoked)
		return FO_KH_REVOKED;
	if (j.ok)
		return FO_KH_OK;
	return j.seen ? FO_KH_CHANGED : FO_KH_UNKNOWN;
}
