/*
 * Commands matched as the devices' parsers match them (engine_int.h has
 * the word syntax of a command table): each word typed may be any prefix
 * of a keyword ("sh ip int br"), words are resolved one at a time across
 * every command still possible, so that "sh in" is ambiguous (interfaces,
 * inventory) where "sh int" is not, a keyword typed in full wins over the
 * longer ones it begins ("show interfaces" beside "show interfaces
 * status"), a keyword wins over a placeholder, and the first word no
 * command takes is where the error marker goes.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine_int.h"

void fo__words_split(struct fo__words *w, const char *line, bool quotes)
{
	size_t len = strlen(line), i = 0;

	if (len > FO__DEV_LINE_MAX)
		len = FO__DEV_LINE_MAX;
	memcpy(w->buf, line, len);
	w->buf[len] = '\0';
	w->n = 0;
	while (i < len && w->n < FO__MAXW) {
		while (i < len && (w->buf[i] == ' ' || w->buf[i] == '\t'))
			w->buf[i++] = '\0';
		if (i == len)
			break;
		w->w[w->n] = w->buf + i;
		w->at[w->n++] = i;
		while (i < len && w->buf[i] != ' ' && w->buf[i] != '\t') {
			if (quotes && w->buf[i] == '"') {
				char *q = memchr(w->buf + i + 1, '"', len - i - 1);

				if (q)
					i = (size_t)(q - w->buf);
			}
			i++;
		}
		if (i < len)
			w->buf[i++] = '\0';
	}
}

bool fo__is_ipv4(const char *s)
{
	unsigned o[4];
	int n = 0;

	if (sscanf(s, "%3u.%3u.%3u.%3u%n", &o[0], &o[1], &o[2], &o[3], &n) != 4 || s[n])
		return false;
	for (int i = 0; i < 4; i++)
		if (o[i] > 255)
			return false;
	return isdigit((unsigned char)s[0]);
}

bool fo__is_prefix(const char *s)
{
	const char *slash = strchr(s, '/');
	char a[32];
	unsigned len;
	int n = 0;

	if (!slash || (size_t)(slash - s) >= sizeof(a))
		return false;
	memcpy(a, s, (size_t)(slash - s));
	a[slash - s] = '\0';
	return fo__is_ipv4(a) && sscanf(slash + 1, "%2u%n", &len, &n) == 1 && !slash[1 + n] && len <= 32 &&
	       isdigit((unsigned char)slash[1]);
}

static bool is_num(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* ---- interface names ---------------------------------------------------------- */

struct iftype {
	const char *name;
	bool physical;
};

static const struct iftype if_ios[] = {
	{ "GigabitEthernet", true }, { "TenGigabitEthernet", true }, { "FastEthernet", true },
	{ "TwentyFiveGigE", true }, { "FortyGigabitEthernet", true }, { "HundredGigE", true },
	{ "AppGigabitEthernet", true }, { "Loopback", false }, { "Vlan", false }, { "Port-channel", false },
	{ "Tunnel", false }, { NULL, false },
};
static const struct iftype if_nxos[] = {
	{ "Ethernet", true }, { "mgmt", true }, { "loopback", false }, { "Vlan", false },
	{ "port-channel", false }, { "tunnel", false }, { "nve", false }, { NULL, false },
};
static const struct iftype if_eos[] = {
	{ "Ethernet", true }, { "Management", true }, { "Loopback", false }, { "Vlan", false },
	{ "Port-Channel", false }, { "Tunnel", false }, { "Vxlan", false }, { NULL, false },
};
static const struct iftype if_xr[] = {
	{ "GigabitEthernet", true }, { "TenGigE", true }, { "TwentyFiveGigE", true }, { "FortyGigE", true },
	{ "HundredGigE", true }, { "MgmtEth", true }, { "Loopback", false }, { "Bundle-Ether", false },
	{ "BVI", false }, { "tunnel-ip", false }, { NULL, false },
};

static const struct iftype *iftypes(enum fo_dev_platform p)
{
	return p == FO_DEV_NXOS ? if_nxos : p == FO_DEV_EOS ? if_eos : p == FO_DEV_IOSXR ? if_xr : if_ios;
}

/*
 * An interface name as the platform spells it: the type may be any
 * prefix that only one type has ("gi1/0/1", "Gi1/0/1", "lo0"), the
 * number starts with a digit. Returns 1 (physical) or 0, and the name in
 * out; -1 when it is none.
 */
int fo__ifname(enum fo_dev_platform p, const char *in, char *out, size_t size)
{
	const struct iftype *t = iftypes(p), *found = NULL;
	size_t tl = 0;
	int n = 0;

	while (isalpha((unsigned char)in[tl]) || (tl && in[tl] == '-'))
		tl++;
	if (!tl || !isdigit((unsigned char)in[tl]))
		return -1;
	for (const char *c = in + tl; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '/' && *c != '.' && *c != ':')
			return -1;
	for (; t->name; t++) {
		if (strlen(t->name) >= tl && !strncasecmp(t->name, in, tl)) {
			if (strlen(t->name) == tl) { /* spelled in full */
				found = t;
				n = 1;
				break;
			}
			found = t;
			n++;
		}
	}
	if (n != 1)
		return -1;
	if ((size_t)snprintf(out, size, "%s%s", found->name, in + tl) >= size)
		return -1;
	return found->physical;
}

/* ---- matching ----------------------------------------------------------------------- */

enum tok { T_LIT, T_WORD, T_NUM, T_IPV4, T_PREFIX, T_IF, T_LINE, T_REST };

/* A command still possible, at its token pi (tok, tl: that token; tl 0
 * past the last). */
struct cand {
	const struct fo__cmd *cmd;
	const char *tok;
	size_t tl;
	int pi, rest;
	bool done;
};

static enum tok tok_kind(const char *t, size_t l)
{
	static const struct {
		const char *s;
		enum tok k;
	} ph[] = { { "WORD", T_WORD }, { "NUM", T_NUM },   { "IPV4", T_IPV4 }, { "PREFIX", T_PREFIX },
		   { "IF", T_IF },     { "LINE", T_LINE }, { "REST", T_REST } };

	for (size_t i = 0; i < sizeof(ph) / sizeof(ph[0]); i++)
		if (strlen(ph[i].s) == l && !memcmp(ph[i].s, t, l))
			return ph[i].k;
	return T_LIT;
}

static void cand_init(struct cand *c, const struct fo__cmd *cmd)
{
	memset(c, 0, sizeof(*c));
	c->cmd = cmd;
	c->rest = -1;
	c->tok = cmd->words;
	c->tl = strcspn(c->tok, " ");
}

/* On to the command's next token. */
static void cand_next(struct cand *c)
{
	const char *p = c->tok + c->tl;

	while (*p == ' ')
		p++;
	c->tok = p;
	c->tl = strcspn(p, " ");
	c->pi++;
}

/* Is the token the last one? */
static bool cand_last(const struct cand *c)
{
	const char *p = c->tok + c->tl;

	while (*p == ' ')
		p++;
	return !*p;
}

static bool ph_ok(enum tok k, enum fo_dev_platform p, const char *w)
{
	char tmp[64];

	switch (k) {
	case T_WORD:
		return true;
	case T_NUM:
		return is_num(w);
	case T_IPV4:
		return fo__is_ipv4(w);
	case T_PREFIX:
		return fo__is_prefix(w);
	case T_IF:
		return fo__ifname(p, w, tmp, sizeof(tmp)) >= 0;
	default:
		return false;
	}
}

/* The command with its keywords in full, placeholders as typed (interface
 * names as the platform spells them), LINE/REST as the line has them. */
static void canon(const struct cand *c, enum fo_dev_platform p, const struct fo__words *w, int from, const char *line,
		  struct fo__match *m)
{
	size_t len = 0, cap = sizeof(m->canon);
	int upto = c->done ? c->rest - from : c->pi;
	struct cand t;

	m->canon[0] = '\0';
	m->nargs = 0;
	m->rest = c->done ? c->rest : -1;
	cand_init(&t, c->cmd);
	for (int j = 0; j < upto && t.tl; j++, cand_next(&t)) {
		enum tok k = tok_kind(t.tok, t.tl);
		const char *word = w->w[from + j];
		char ifn[64];
		int n;

		if (k == T_LIT) {
			n = snprintf(m->canon + len, cap - len, "%s%.*s", len ? " " : "", (int)t.tl, t.tok);
		} else {
			if (k == T_IF && fo__ifname(p, word, ifn, sizeof(ifn)) >= 0)
				word = ifn;
			if (m->nargs < 8)
				m->arg[m->nargs++] = from + j;
			n = snprintf(m->canon + len, cap - len, "%s%s", len ? " " : "", word);
		}
		if (n < 0 || (size_t)n >= cap - len)
			return;
		len += (size_t)n;
	}
	if (c->done && c->rest < w->n) {
		const char *r = line + w->at[c->rest];
		size_t rl = strlen(r);

		while (rl && (r[rl - 1] == ' ' || r[rl - 1] == '\t'))
			rl--;
		snprintf(m->canon + len, cap - len, "%s%.*s", len ? " " : "", (int)rl, r);
	}
}

/* The commands of a mode and platform, those of tab then those of tab2,
 * each at its first token; NULL when out of memory. */
static struct cand *cands_make(const struct fo__cmd *tab, const struct fo__cmd *tab2, unsigned mode,
			       enum fo_dev_platform p, int *nc)
{
	const struct fo__cmd *tabs[2] = { tab, tab2 };
	struct cand *cands;
	int max = 0;

	*nc = 0;
	/* on the heap: a server may run this on a coroutine's small stack */
	for (int t = 0; t < 2; t++)
		for (const struct fo__cmd *c = tabs[t]; c && c->words; c++)
			max++;
	cands = malloc((size_t)(max ? max : 1) * sizeof(*cands));
	if (!cands)
		return NULL;
	for (int t = 0; t < 2; t++)
		for (const struct fo__cmd *c = tabs[t]; c && c->words; c++)
			if ((c->modes & mode) && (!c->plats || (c->plats & (1u << p))))
				cand_init(&cands[(*nc)++], c);
	return cands;
}

/*
 * The keyword a word is taken as by the commands still possible: one it
 * spells in full wins, else the one it begins (*lit NULL: none, the word
 * is for a placeholder). Returns whether it begins several different
 * ones and spells none in full: ambiguous.
 */
static bool word_keyword(const struct cand *cands, int nc, const char *word, const char **lit, size_t *litl)
{
	size_t wl = strlen(word);
	bool exact = false, ambiguous = false;

	*lit = NULL;
	*litl = 0;
	for (int k = 0; k < nc; k++) {
		const struct cand *c = &cands[k];
		enum tok t;

		if (c->done || !c->tl)
			continue;
		t = tok_kind(c->tok, c->tl);
		if (t != T_LIT)
			continue;
		if (wl > c->tl || strncasecmp(word, c->tok, wl))
			continue;
		if (wl == c->tl) {
			if (!exact)
				*lit = c->tok, *litl = c->tl;
			exact = true;
		} else if (!exact) {
			if (*lit && (*litl != c->tl || memcmp(*lit, c->tok, *litl)))
				ambiguous = true;
			*lit = c->tok;
			*litl = c->tl;
		}
	}
	return *lit && ambiguous && !exact;
}

/* Keeps the commands that take word i the way that won (the keyword lit,
 * or a placeholder when lit is NULL), each on to its next token. Returns
 * how many are kept. */
static int cands_keep(struct cand *cands, int nc, enum fo_dev_platform p, const char *word, int i, const char *lit,
		      size_t litl)
{
	int keep = 0;

	for (int k = 0; k < nc; k++) {
		struct cand *c = &cands[k];
		bool ok = false;

		if (c->done) {
			ok = !lit; /* the rest of a line: unless a keyword took the word */
		} else if (c->tl) {
			enum tok t = tok_kind(c->tok, c->tl);

			if (t == T_LIT)
				ok = lit && c->tl == litl && !memcmp(c->tok, lit, litl);
			else if (!lit && (t == T_LINE || t == T_REST)) {
				c->done = true;
				c->rest = i;
				ok = true;
			} else
				ok = !lit && ph_ok(t, p, word);
			if (ok && !c->done)
				cand_next(c);
		}
		if (ok)
			cands[keep++] = *c;
	}
	return keep;
}

/* After the last word: the first command complete there wins; else the
 * line is incomplete (what was typed of the first command, and whether a
 * value is what it lacks) or, with none left, invalid. */
static void match_end(struct cand *cands, int nc, enum fo_dev_platform p, const struct fo__words *w, int from,
		      const char *line, struct fo__match *m)
{
	for (int k = 0; k < nc; k++) {
		struct cand *c = &cands[k];

		if (!c->done && c->tl && cand_last(c) && tok_kind(c->tok, c->tl) == T_REST) {
			c->done = true;
			c->rest = w->n;
		}
		if (c->done || !c->tl) {
			m->st = FO__M_OK;
			m->cmd = c->cmd;
			canon(c, p, w, from, line, m);
			return;
		}
	}
	m->st = nc ? FO__M_INCOMPLETE : FO__M_INVALID;
	m->bad = w->n;
	if (nc) {
		struct cand *c = &cands[0];

		m->cmd = c->cmd;
		m->incomplete_value = tok_kind(c->tok, c->tl) != T_LIT;
		canon(c, p, w, from, line, m);
	}
}

void fo__cmd_match(const struct fo__cmd *tab, const struct fo__cmd *tab2, unsigned mode, enum fo_dev_platform p,
		   const struct fo__words *w, int from, const char *line, struct fo__match *m)
{
	struct cand *cands;
	int nc;

	memset(m, 0, sizeof(*m));
	m->rest = -1;
	m->st = FO__M_INVALID;
	cands = cands_make(tab, tab2, mode, p, &nc);
	if (!cands) {
		m->oom = true;
		return;
	}
	/* word by word, across every command still possible */
	for (int i = from; i < w->n; i++) {
		const char *lit;
		size_t litl;

		if (word_keyword(cands, nc, w->w[i], &lit, &litl)) {
			m->st = FO__M_AMBIGUOUS;
			m->bad = i;
			goto out;
		}
		nc = cands_keep(cands, nc, p, w->w[i], i, lit, litl);
		if (!nc) {
			m->st = FO__M_INVALID;
			m->bad = i;
			goto out;
		}
	}
	match_end(cands, nc, p, w, from, line, m);
out:
	free(cands);
}
