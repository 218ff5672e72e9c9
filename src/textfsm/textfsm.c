/*
 * The TextFSM engine (textfsm.h): reading a template the way
 * python3-textfsm's parser.py reads it, translating its regexes to PCRE2,
 * and running outputs through the state machine with parser.py's
 * semantics, down to the order in which a Value's options act.
 *
 * The file is in four parts: text helpers (Python's idea of whitespace,
 * template lines), the template reader (Values, states, rules and their
 * actions), the regex translation and compilation, and the run (the
 * current record, the records, and copying them out at the end).
 *
 * Costs: compiling is one PCRE2 compile and JIT per rule; a parse is one
 * JIT match per rule tried per line, with one match data for the whole
 * parse. Matched text is kept as spans of the caller's output until the
 * end, then copied once into the result's arena, so a line costs no
 * allocation; the vectors that hold records and list items grow by
 * doubling.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/json.h"
#include "../util/utf8.h"
#include "textfsm.h"

#define MAX_NAME_LEN  48         /* parser.py's MAX_NAME_LEN, in characters */
#define MATCH_LIMIT   10000000u  /* PCRE2's steps for one match: past it the parse fails */
#define JIT_STACK_MAX (1 << 20)
#define NODICT        UINT32_MAX

enum line_op { LOP_NEXT, LOP_CONTINUE, LOP_ERROR };
enum rec_op { ROP_NONE, ROP_RECORD, ROP_CLEAR, ROP_CLEARALL };
enum { ST_NONE = -1, ST_END = -2, ST_EOF = -3 }; /* a rule's next state, besides an index */

/*
 * A compiled regex, twice: [0] in UTF mode with Unicode properties, for
 * any line; [1] without either (PCRE2's byte mode and ASCII classes), for
 * lines that are pure ASCII, where the two agree (see ascii_copy_ok) and
 * the byte mode is the cheaper to run. [1].code is [0].code where the
 * pattern cannot have an ASCII copy. Each also keeps what PCRE2 knows of
 * its matches (their least length, the bytes they may start with), so
 * that most lines skip most rules without a call into PCRE2.
 */
struct rx {
	pcre2_code *code;
	bool jit;
	bool has_map;    /* map holds every byte a match may start with */
	uint32_t minlen; /* in characters, so a shorter line in bytes fails too */
	uint8_t map[32];
	/* ASCII copies of "^\s+REST" and "^\s*REST" only (ws: 2 and 1):
	 * the bytes REST may start with, past the line's leading spaces */
	uint8_t ws;
	uint8_t wsmap[32];
};

#define NO_LEAD SIZE_MAX /* rx_skips: the leading whitespace is not known */

/* Which options a Value has, in the order written: only Required and
 * List act on saving a record, and Python runs them in that order. */
struct tvalue {
	char *name, *regex, *tmpl; /* tmpl: "(?P<name>" and the regex after its '(' */
	unsigned opts;
	bool required_first; /* Required written before List */
	/* List values whose regex has groups of its own (python: groups > 1): */
	struct rx nested[2]; /* nested[0].code NULL: none */
	size_t nkeys;
	char **keys;       /* its named groups' names, in group order (NULL: none) */
	uint32_t *key_grp; /* their group numbers */
};

struct trule {
	struct rx re[2];
	enum line_op lop;
	enum rec_op rop;
	int next;     /* a state index, or ST_* */
	char *errmsg; /* Error's word or "quoted message" as written, or NULL */
	unsigned line;
	size_t nassign;
	uint32_t *grp, *val; /* named groups that are Values: group number, value index */
	char *next_name;     /* until states are resolved */
};

struct tstate {
	char *name;
	struct trule *rules;
	size_t nrules, cap;
	unsigned line;
};

struct fo_textfsm {
	struct tvalue *values;
	const char **header;
	size_t nvalues;
	struct tstate *states;
	size_t nstates;
	int start;
	bool has_eof;        /* an explicit EOF state: no implicit record at the end */
	uint32_t max_groups; /* the most capture groups of any pattern */
};

/* ---- text helpers ----------------------------------------------------------------------- */

/* The length of the whitespace character at s[0..n) (n >= 1) as Python's
 * str.isspace and re's \s see it, or 0. */
static size_t ws_at(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f))
		return 1;
	if (c == 0xc2 && n >= 2 && (s[1] == 0x85 || s[1] == 0xa0))
		return 2;
	if (n >= 3) {
		if (c == 0xe1 && s[1] == 0x9a && s[2] == 0x80)
			return 3; /* U+1680 */
		if (c == 0xe2 && s[1] == 0x80 &&
		    ((s[2] >= 0x80 && s[2] <= 0x8a) || s[2] == 0xa8 || s[2] == 0xa9 || s[2] == 0xaf))
			return 3; /* U+2000-200A, U+2028, U+2029, U+202F */
		if (c == 0xe2 && s[1] == 0x81 && s[2] == 0x9f)
			return 3; /* U+205F */
		if (c == 0xe3 && s[1] == 0x80 && s[2] == 0x80)
			return 3; /* U+3000 */
	}
	return 0;
}

/* The same for the whitespace character that ends at s[n-1], or 0. */
static size_t ws_before(const unsigned char *s, size_t n)
{
	if (n >= 1 && s[n - 1] < 0x80)
		return ws_at(s + n - 1, 1);
	if (n >= 2 && ws_at(s + n - 2, 2) == 2)
		return 2;
	if (n >= 3 && ws_at(s + n - 3, 3) == 3)
		return 3;
	return 0;
}

static size_t skip_ws(const char *s, size_t n, size_t i)
{
	size_t w;

	while (i < n && (w = ws_at((const unsigned char *)s + i, n - i)))
		i += w;
	return i;
}

static size_t rstrip(const char *s, size_t n)
{
	size_t w;

	while (n && (w = ws_before((const unsigned char *)s, n)))
		n -= w;
	return n;
}

/* The length of the word character (re's \w) at s[0..n), or 0. Python's
 * is Unicode's letters and digits; here any character past ASCII that is
 * not whitespace counts (NEEDSWORK: Unicode punctuation in state names). */
static size_t word_at(const char *s, size_t n)
{
	unsigned char c = (unsigned char)s[0];
	unsigned cp;
	size_t bad, k;

	if (c < 0x80)
		return (c == '_' || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) ? 1 : 0;
	if (ws_at((const unsigned char *)s, n))
		return 0;
	k = fo__utf8_next((const unsigned char *)s, n, &cp, &bad);
	return k;
}

static bool all_word(const char *s, size_t n)
{
	size_t i = 0, k;

	if (!n)
		return false;
	while (i < n) {
		if (!(k = word_at(s + i, n - i)))
			return false;
		i += k;
	}
	return true;
}

static size_t nchars(const char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xc0) != 0x80;
	return k;
}

static bool is_comment(const char *s, size_t n) /* parser.py: ^\s*# */
{
	size_t i = skip_ws(s, n, 0);

	return i < n && s[i] == '#';
}

static bool eq(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && !memcmp(s, w, n);
}

static char *dupn(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = 0;
	}
	return p;
}

/* Grows the vector *p of *cap elements of size sz to hold need: 0 or -ENOMEM. */
static int vgrow(void *pp, size_t *cap, size_t need, size_t sz)
{
	void **p = pp, *np;
	size_t nc;

	if (need <= *cap)
		return 0;
	nc = *cap ? *cap * 2 : 16;
	while (nc < need)
		nc *= 2;
	if (nc > SIZE_MAX / sz)
		return -ENOMEM;
	np = realloc(*p, nc * sz);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = nc;
	return 0;
}

/* ---- the template reader ---------------------------------------------------------------- */

struct reader {
	const char *name;
	const char *p, *end; /* the template text still to read */
	unsigned line;
	char *err;
	size_t errlen;
	struct fo_textfsm *t;
	size_t capvalues, capstates;
};

static int fail(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct reader *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!r->errlen)
		return -EINVAL;
	if (r->line)
		n = snprintf(r->err, r->errlen, "'%s': line %u: ", r->name, r->line);
	else
		n = snprintf(r->err, r->errlen, "'%s': ", r->name);
	if (n >= 0 && (size_t)n < r->errlen) {
		va_start(ap, fmt);
		vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	/* one line, whatever the template held */
	for (char *c = r->err; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
	return -EINVAL;
}

static int oom(struct reader *r)
{
	fail(r, "out of memory");
	return -ENOMEM;
}

/* The next template line (as Python's text files split them: \n, \r\n,
 * \r), right-stripped, counted in r->line: false at the end. */
static bool next_line(struct reader *r, const char **s, size_t *n)
{
	const char *q = r->p;

	if (q >= r->end)
		return false;
	while (q < r->end && *q != '\n' && *q != '\r')
		q++;
	*s = r->p;
	*n = rstrip(r->p, (size_t)(q - r->p));
	if (q < r->end && *q == '\r' && q + 1 < r->end && q[1] == '\n')
		q++;
	r->p = q < r->end ? q + 1 : q;
	r->line++;
	return true;
}

static const char *const option_names[] = { "Filldown", "Key", "Required", "List", "Fillup" };

static int add_option(struct reader *r, struct tvalue *v, const char *s, size_t n, unsigned *seen_base)
{
	for (unsigned i = 0; i < 5; i++)
		if (eq(s, n, option_names[i])) {
			if (v->opts & (1u << i))
				return fail(r, "duplicate option '%.*s'", (int)n, s);
			v->opts |= 1u << i;
			if (i == 3)
				v->required_first = v->opts & FO_TEXTFSM_OPT_REQUIRED;
			return 0;
		}
	/* parser.py's option lookup also finds its base class: an option
	 * that does nothing */
	if (eq(s, n, "OptionBase")) {
		if ((*seen_base)++)
			return fail(r, "duplicate option '%.*s'", (int)n, s);
		return 0;
	}
	return fail(r, "unknown option '%.*s'", (int)n, s);
}

static int compile_nested(struct reader *r, struct tvalue *v);

/* "Value [Options] name (regex)", split on single spaces as parser.py does. */
static int parse_value(struct reader *r, const char *s, size_t n)
{
	struct fo_textfsm *t = r->t;
	const char *sp[3] = { 0 }, *name, *regex;
	size_t nsp = 0, name_n, regex_n;
	struct tvalue *v;
	unsigned base = 0;
	int rc;

	for (size_t i = 0; i < n && nsp < 3; i++)
		if (s[i] == ' ')
			sp[nsp++] = s + i;
	if (nsp < 2)
		return fail(r, "expected 'Value [options] name (regex)'");
	if (vgrow(&t->values, &r->capvalues, t->nvalues + 1, sizeof(*t->values)))
		return oom(r);
	v = &t->values[t->nvalues];
	memset(v, 0, sizeof(*v));
	if (sp[1][1] != '(') { /* options, then the name */
		const char *o = sp[0] + 1, *oe = sp[1], *c;

		for (;; o = c + 1) {
			c = memchr(o, ',', (size_t)(oe - o));
			if (!c)
				c = oe;
			if ((rc = add_option(r, v, o, (size_t)(c - o), &base)))
				return rc;
			if (c == oe)
				break;
		}
		name = sp[1] + 1;
		name_n = (size_t)((nsp > 2 ? sp[2] : s + n) - name);
		regex = nsp > 2 ? sp[2] + 1 : s + n;
	} else {
		name = sp[0] + 1;
		name_n = (size_t)(sp[1] - name);
		regex = sp[1] + 1;
	}
	regex_n = (size_t)(s + n - regex);
	if (nchars(name, name_n) > MAX_NAME_LEN)
		return fail(r, "value name '%.*s' is longer than %d characters", (int)name_n, name, MAX_NAME_LEN);
	{
		size_t open = 0, close = 0;

		for (size_t i = 0; i < regex_n; i++)
			open += regex[i] == '(', close += regex[i] == ')';
		if (regex_n < 2 || regex[0] != '(' || regex[regex_n - 1] != ')' || open != close)
			return fail(r, "value '%.*s' needs its regex within one '()' pair: '%.*s'", (int)name_n,
				    name, (int)regex_n, regex);
	}
	for (size_t i = 0; i < t->nvalues; i++)
		if (eq(name, name_n, t->values[i].name))
			return fail(r, "duplicate value '%.*s'", (int)name_n, name);
	v->name = dupn(name, name_n);
	v->regex = dupn(regex, regex_n);
	v->tmpl = malloc(name_n + regex_n + 5);
	t->nvalues++; /* from here on fo_textfsm_free frees it */
	if (!v->name || !v->regex || !v->tmpl)
		return oom(r);
	memcpy(v->tmpl, "(?P<", 4);
	memcpy(v->tmpl + 4, name, name_n);
	v->tmpl[4 + name_n] = '>';
	memcpy(v->tmpl + 5 + name_n, regex + 1, regex_n - 1);
	v->tmpl[name_n + regex_n + 4] = 0;
	if (v->opts & FO_TEXTFSM_OPT_LIST)
		return compile_nested(r, v);
	return 0;
}

/* ---- regexes: Python's re to PCRE2 ------------------------------------------------------- */

/* The named groups of one pattern, in the order they open: the original
 * names; in the pattern they are g0, g1... */
struct gnames {
	char **v;
	size_t n, cap;
};

static void gnames_release(struct gnames *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->v[i]);
	free(g->v);
	memset(g, 0, sizeof(*g));
}

static bool hexn(const char *s, size_t n, size_t k, unsigned long *out)
{
	unsigned long x = 0;

	if (n < k)
		return false;
	for (size_t i = 0; i < k; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;

		if (d < 0)
			return false;
		x = x * 16 + (unsigned long)d;
	}
	*out = x;
	return true;
}

/* A group name as Python takes it: an identifier (past ASCII: any letter). */
static bool py_ident(const char *s, size_t n)
{
	if (!n || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x80 && !(c == '_' || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')))
			return false;
	}
	return true;
}

/* What translate() saw, for the ASCII copy. */
enum {
	TR_WIDE = 1 << 0, /* a character past ASCII, or an escape that may be one */
};

/*
 * Translates the Python pattern s[0..n) into PCRE2's syntax in out, the
 * named groups' names into g (see struct gnames), TR_* into *facts.
 * Returns 0, or -1 with why (a phrase) when Python would refuse the
 * pattern, -ENOMEM.
 *
 * Over 120 lines, kept whole: it is one scanner over the pattern whose
 * state (inside a class, where the class began) every branch reads and
 * changes, and its cases are read in order against Python's sre_parse.
 * NEEDSWORK: the backslash-escape branch could be a function of its own
 * taking that state; index.c has a second, smaller translation to share.
 */
static int translate(const char *s, size_t n, struct fo_sbuf *out, struct gnames *g, const char **why,
		     unsigned *facts)
{
	bool in_class = false;
	size_t class_first = 0, i = 0;
	char num[32];

	for (size_t k = 0; k < n; k++) /* group names past ASCII included: simpler */
		if ((unsigned char)s[k] >= 0x80)
			*facts |= TR_WIDE;
	while (i < n) {
		char c = s[i];

		if (c == '\\') {
			char d = i + 1 < n ? s[i + 1] : 0;
			unsigned long x;

			if (i + 1 >= n)
				return *why = "bad escape (end of pattern)", -1;
			if (((d | 0x20) >= 'a' && (d | 0x20) <= 'z')) {
				if (!strchr(in_class ? "dDsSwWabfnrtvxuUN" : "ABbdDsSwWZafnrtvxuUN", d))
					return *why = "bad escape", -1;
				if (d == 'Z') {
					fo_sbuf_adds(out, "\\z");
					i += 2;
				} else if (d == 'x' || d == 'u' || d == 'U') {
					size_t k = d == 'x' ? 2 : d == 'u' ? 4 : 8;

					if (!hexn(s + i + 2, n - i - 2, k, &x))
						return *why = "incomplete escape", -1;
					if (x > 0x10ffff)
						return *why = "bad escape (beyond U+10FFFF)", -1;
					if (x > 0x7f)
						*facts |= TR_WIDE;
					fo_sbuf_addf(out, "\\x{%lx}", x);
					i += 2 + k;
				} else if (d == 'N') {
					return *why = "\\N{...} is not supported", -1;
				} else {
					fo_sbuf_add(out, s + i, 2);
					i += 2;
				}
			} else {
				size_t k = 1;
				unsigned cp;
				size_t bad;

				if (d >= '0' && d <= '9')
					*facts |= TR_WIDE; /* octal escapes: past ASCII perhaps */
				if ((unsigned char)d >= 0x80)
					k = fo__utf8_next((const unsigned char *)s + i + 1, n - i - 1, &cp, &bad);
				if (!k)
					k = bad;
				fo_sbuf_add(out, s + i, 1 + k);
				i += 1 + k;
			}
			continue;
		}
		if (in_class) {
			if (c == ']' && i != class_first)
				in_class = false;
			if (c == '[') /* literal in Python; a POSIX class to PCRE2 */
				fo_sbuf_adds(out, "\\[");
			else
				fo_sbuf_add(out, &c, 1);
			i++;
			continue;
		}
		if (c == '[') {
			fo_sbuf_add(out, "[", 1);
			i++;
			if (i < n && s[i] == '^')
				fo_sbuf_add(out, "^", 1), i++;
			class_first = i;
			in_class = true;
			continue;
		}
		if (c == '(' && i + 2 < n && s[i + 1] == '?') {
			char e = s[i + 2];

			if (e == 'P' && i + 3 < n && (s[i + 3] == '<' || s[i + 3] == '=')) {
				bool def = s[i + 3] == '<';
				const char *nm = s + i + 4, *ne = memchr(nm, def ? '>' : ')', n - i - 4);
				size_t k;

				if (!ne)
					return *why = "missing group name terminator", -1;
				if (!py_ident(nm, (size_t)(ne - nm)))
					return *why = "bad character in group name", -1;
				for (k = 0; k < g->n; k++)
					if (eq(nm, (size_t)(ne - nm), g->v[k]))
						break;
				if (def) {
					if (k < g->n)
						return *why = "redefinition of group name", -1;
					if (vgrow(&g->v, &g->cap, g->n + 1, sizeof(*g->v)))
						return -ENOMEM;
					if (!(g->v[g->n] = dupn(nm, (size_t)(ne - nm))))
						return -ENOMEM;
					snprintf(num, sizeof(num), "(?<g%zu>", g->n++);
				} else {
					if (k == g->n)
						return *why = "unknown group name", -1;
					snprintf(num, sizeof(num), "(?P=g%zu)", k);
				}
				fo_sbuf_adds(out, num);
				i = (size_t)(ne - s) + 1;
				continue;
			}
			if (e == 'P')
				return *why = "unknown extension ?P", -1;
			if (e == '<' && (i + 3 >= n || (s[i + 3] != '=' && s[i + 3] != '!')))
				return *why = "unknown extension ?<", -1;
			if (e && strchr("aiLmsux-", e)) {
				size_t j = i + 2;

				while (j < n && s[j] && strchr("aiLmsux-", s[j]))
					j++;
				if (j < n && s[j] == ')' && i != 0)
					return *why = "global flags not at the start of the expression", -1;
				for (size_t k = i + 2; k < j; k++)
					if (s[k] == 'a' || s[k] == 'L')
						return *why = "flags a and L are not supported", -1;
				fo_sbuf_add(out, "(?", 2);
				for (size_t k = i + 2; k < j; k++)
					if (s[k] != 'u') /* Unicode: what PCRE2_UCP gives anyway */
						fo_sbuf_add(out, s + k, 1);
				if (j == i + 3 && s[i + 2] == 'u' && j < n && s[j] == ')') {
					out->len -= 2; /* "(?u)" alone: nothing left */
					out->p[out->len] = 0;
					i = j + 1;
					continue;
				}
				i = j;
				continue;
			}
		}
		if (c == '{' && i + 1 < n && s[i + 1] == ',') { /* {,n}: PCRE2 10.42 reads it as text */
			size_t j = i + 2;

			while (j < n && s[j] >= '0' && s[j] <= '9')
				j++;
			if (j > i + 2 && j < n && s[j] == '}') {
				fo_sbuf_add(out, "{0,", 3);
				i += 2;
				continue;
			}
		}
		fo_sbuf_add(out, &c, 1);
		i++;
	}
	if (in_class)
		return *why = "unterminated character set", -1;
	return out->oom ? -ENOMEM : 0;
}

/* What PCRE2 knows of x's matches, for rx_skips: their least length,
 * and the bytes they may start with where that is a short list. */
static void rx_study(struct rx *x, bool bytes_mode)
{
	uint32_t type = 0, cu = 0;
	const uint8_t *bm = NULL;

	x->jit = pcre2_jit_compile(x->code, PCRE2_JIT_COMPLETE) == 0;
	pcre2_pattern_info(x->code, PCRE2_INFO_MINLENGTH, &x->minlen);
	pcre2_pattern_info(x->code, PCRE2_INFO_FIRSTCODETYPE, &type);
	if (type == 1) {
		/* One first byte, perhaps caseless: PCRE2 does not say, and
		 * makes [Cc] a caseless 'c' itself. So a letter stands for
		 * both its cases, and in UTF mode for every byte past ASCII
		 * too (a caseless 'k' matches U+212A, 's' U+017F). A first
		 * byte past ASCII (UTF mode: a character's first) may have
		 * cases with other first bytes: no map then. */
		pcre2_pattern_info(x->code, PCRE2_INFO_FIRSTCODEUNIT, &cu);
		if (cu >= 0x80)
			return;
		x->map[cu >> 3] |= (uint8_t)(1u << (cu & 7));
		if ((cu | 0x20) >= 'a' && (cu | 0x20) <= 'z') {
			cu ^= 0x20;
			x->map[cu >> 3] |= (uint8_t)(1u << (cu & 7));
			if (!bytes_mode)
				memset(x->map + 16, 0xff, 16);
		}
		x->has_map = true;
	} else if (pcre2_pattern_info(x->code, PCRE2_INFO_FIRSTBITMAP, &bm) == 0 && bm) {
		memcpy(x->map, bm, sizeof(x->map));
		x->has_map = true;
	}
}

/*
 * Whether x cannot match s[0..n): too short, or a first byte no match
 * starts with. PCRE2 makes these checks itself only when it searches
 * (not anchored) and in its interpreter; here they save the call, which
 * is most of the cost of a rule that does not match.
 */
static inline bool rx_skips(const struct rx *x, const char *s, size_t n, size_t lead)
{
	unsigned char c;

	if (n < x->minlen)
		return true;
	if (x->has_map) {
		if (!n)
			return true; /* a match has a first byte */
		c = (unsigned char)s[0];
		if (!(x->map[c >> 3] & (1u << (c & 7))))
			return true;
	}
	if (!x->ws || lead == NO_LEAD)
		return false;
	if ((x->ws == 2 && !lead) || lead == n)
		return true;
	c = (unsigned char)s[lead];
	return !(x->wsmap[c >> 3] & (1u << (c & 7)));
}

/*
 * Most rules of a template for indented output are "^\s+Literal...":
 * every indented line gets past the first-byte map, and fails on the
 * literal only in the call. For such a pattern (bytes mode), REST alone
 * is compiled, to learn which bytes it may start with; when none is
 * whitespace, a match's REST starts where the line's leading whitespace
 * ends, which rx_skips then checks. Not when REST has a top-level '|'
 * (its other branches are not after the spaces), and not past anything
 * but plain groups and assertions ("(?#", "(?i", recursion...).
 */
static void rx_study_lead(struct rx *x, const char *pat, size_t n)
{
	int depth = 0, ec;
	bool in_class = false;
	const uint8_t *bm = NULL;
	uint32_t type = 0, cu = 0;
	size_t i, k = 0;
	pcre2_code *rest;
	PCRE2_SIZE off;
	uint8_t map[32] = { 0 };

	if (n > 4 && !memcmp(pat, "^\\s+", 4))
		x->ws = 2;
	else if (n > 4 && !memcmp(pat, "^\\s*", 4))
		x->ws = 1;
	else
		return;
	if (strchr("?+*{", pat[4]))
		goto none; /* "\s+?", "\s++", "\s*{"... */
	for (i = 4; i < n; i++) {
		char c = pat[i];

		if (c == '\\') {
			i++;
			continue;
		}
		if (in_class) {
			in_class = c != ']' || i == k;
			continue;
		}
		if (c == '[') {
			in_class = true;
			k = i + 1 < n && pat[i + 1] == '^' ? i + 2 : i + 1; /* a ']' there is literal */
			continue;
		}
		if (c == '(' && i + 2 < n && pat[i + 1] == '?' && !strchr(":<=!", pat[i + 2]))
			goto none;
		depth += (c == '(') - (c == ')');
		if (c == '|' && depth == 0)
			goto none;
	}
	rest = pcre2_compile((PCRE2_SPTR)pat + 4, n - 4, PCRE2_ANCHORED, &ec, &off, NULL);
	if (!rest)
		goto none;
	pcre2_pattern_info(rest, PCRE2_INFO_FIRSTCODETYPE, &type);
	if (type == 1) {
		pcre2_pattern_info(rest, PCRE2_INFO_FIRSTCODEUNIT, &cu);
		map[cu >> 3] |= (uint8_t)(1u << (cu & 7));
		if ((cu | 0x20) >= 'a' && (cu | 0x20) <= 'z') { /* (caseless or not) */
			cu ^= 0x20;
			map[cu >> 3] |= (uint8_t)(1u << (cu & 7));
		}
	} else if (pcre2_pattern_info(rest, PCRE2_INFO_FIRSTBITMAP, &bm) == 0 && bm) {
		memcpy(map, bm, sizeof(map));
	} else {
		type = 0;
		bm = NULL;
	}
	pcre2_code_free(rest);
	if (type != 1 && !bm)
		goto none;
	for (const char *w = " \t\n\v\f\r"; *w; w++) /* \s in bytes mode */
		if (map[*w >> 3] & (1u << (*w & 7)))
			goto none;
	memcpy(x->wsmap, map, sizeof(map));
	return;
none:
	x->ws = 0;
}

static void rx_release(struct rx *x)
{
	if (x[1].code != x[0].code)
		pcre2_code_free(x[1].code);
	pcre2_code_free(x[0].code);
	memset(x, 0, 2 * sizeof(*x));
}

/*
 * Compiles the Python pattern s[0..n) (names into g) into x[0] and its
 * ASCII copy into x[1]: 0, or -EINVAL/-ENOMEM with fail() called.
 *
 * The ASCII copy (no PCRE2_UTF, no PCRE2_UCP) gives what the Unicode one
 * gives on a line that is all ASCII: there \d, \w, \s, \b and their
 * negations, '.', negated classes and caseless letters mean the same in
 * both modes (POSIX classes cannot occur: translate() escapes '[' in a
 * class). It is made only for patterns that are ASCII themselves, with
 * no \x escape past 0x7f and no backslash-digit (an octal escape may be
 * past it): a caseless character past ASCII may match an ASCII one
 * (U+212A 'k', U+017F 's'), which only the Unicode mode knows.
 */
static int compile_re(struct reader *r, const char *s, size_t n, struct gnames *g, struct rx *x,
		      uint32_t *ngroups)
{
	struct fo_sbuf out = { 0 };
	const char *why = NULL, *pat;
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	unsigned facts = 0;
	int rc, ec;

	memset(x, 0, 2 * sizeof(*x));
	rc = translate(s, n, &out, g, &why, &facts);
	if (rc == -ENOMEM || out.oom) {
		rc = oom(r);
		goto out;
	}
	if (rc) {
		rc = fail(r, "invalid regular expression '%.*s': %s", (int)n, s, why);
		goto out;
	}
	pat = out.p ? out.p : "";
	x[0].code = pcre2_compile((PCRE2_SPTR)pat, out.len,
				  PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF | PCRE2_ANCHORED, &ec, &off, NULL);
	if (!x[0].code) {
		pcre2_get_error_message(ec, msg, sizeof(msg));
		rc = fail(r, "invalid regular expression '%.*s': %s", (int)n, s, (const char *)msg);
		goto out;
	}
	rx_study(&x[0], false);
	if (!(facts & TR_WIDE))
		x[1].code = pcre2_compile((PCRE2_SPTR)pat, out.len, PCRE2_ANCHORED, &ec, &off, NULL);
	if (x[1].code) {
		rx_study(&x[1], true);
		rx_study_lead(&x[1], pat, out.len);
	} else {
		x[1] = x[0]; /* (no copy, or PCRE2 would not: the Unicode code for every line) */
	}
	pcre2_pattern_info(x[0].code, PCRE2_INFO_CAPTURECOUNT, ngroups);
	if (*ngroups + 1 > r->t->max_groups)
		r->t->max_groups = *ngroups + 1;
	rc = 0;
out:
	fo_sbuf_release(&out);
	return rc;
}

/* For each name g<k> of code, its group number into grp[k]. */
static void group_numbers(const pcre2_code *code, uint32_t *grp, size_t n)
{
	uint32_t count = 0, size = 0;
	PCRE2_SPTR tab = NULL;

	pcre2_pattern_info(code, PCRE2_INFO_NAMECOUNT, &count);
	pcre2_pattern_info(code, PCRE2_INFO_NAMEENTRYSIZE, &size);
	pcre2_pattern_info(code, PCRE2_INFO_NAMETABLE, &tab);
	for (uint32_t i = 0; i < count; i++) {
		const unsigned char *e = tab + (size_t)i * size;
		unsigned long k = strtoul((const char *)e + 3, NULL, 10); /* after the number and 'g' */

		if (k < n)
			grp[k] = (uint32_t)e[0] << 8 | e[1];
	}
}

/* A List value's own regex: python-textfsm compiles it for every List
 * value, and matches it again against each item when it has more than
 * one group, to give a dict of its named groups. */
static int compile_nested(struct reader *r, struct tvalue *v)
{
	struct gnames g = { 0 };
	uint32_t ngroups = 0;
	int rc = 0;

	if ((rc = compile_re(r, v->regex, strlen(v->regex), &g, v->nested, &ngroups)))
		goto out;
	if (ngroups <= 1 || !g.n) { /* python appends the string then */
		rx_release(v->nested);
		goto out;
	}
	v->key_grp = calloc(g.n, sizeof(*v->key_grp));
	if (!v->key_grp) {
		rc = oom(r);
		goto out;
	}
	group_numbers(v->nested[0].code, v->key_grp, g.n);
	v->keys = g.v;
	v->nkeys = g.n;
	memset(&g, 0, sizeof(g));
out:
	gnames_release(&g);
	return rc;
}

/* ${name}, $name and $$ as Python's string.Template.substitute does them,
 * s[0..n) into out: 0, or fail(). */
static int substitute(struct reader *r, const char *s, size_t n, struct fo_sbuf *out)
{
	const struct fo_textfsm *t = r->t;

	for (size_t i = 0; i < n;) {
		const char *nm;
		size_t j, k;
		bool braced;

		if (s[i] != '$') {
			fo_sbuf_add(out, s + i, 1);
			i++;
			continue;
		}
		if (i + 1 < n && s[i + 1] == '$') {
			fo_sbuf_add(out, "$", 1);
			i += 2;
			continue;
		}
		braced = i + 1 < n && s[i + 1] == '{';
		nm = s + i + 1 + braced;
		j = 0;
		while (nm + j < s + n && (nm[j] == '_' || ((nm[j] | 0x20) >= 'a' && (nm[j] | 0x20) <= 'z') ||
					  (j && nm[j] >= '0' && nm[j] <= '9')))
			j++;
		if (!j || (braced && (nm + j >= s + n || nm[j] != '}')))
			return fail(r, "invalid '$' in rule '%.*s' (a literal '$' is '$$')", (int)n, s);
		for (k = 0; k < t->nvalues; k++)
			if (eq(nm, j, t->values[k].name))
				break;
		if (k == t->nvalues)
			return fail(r, "rule '%.*s' names no value '%.*s'", (int)n, s, (int)j, nm);
		fo_sbuf_adds(out, t->values[k].tmpl);
		i = (size_t)(nm - s) + j + braced;
	}
	return out->oom ? oom(r) : 0;
}

static const char *const lop_names[] = { "Next", "Continue", "Error" };
static const char *const rop_names[] = { "NoRecord", "Record", "Clear", "Clearall" };

static int word_in(const char *s, size_t n, const char *const *names, int count)
{
	for (int i = 0; i < count; i++)
		if (eq(s, n, names[i]))
			return i;
	return -1;
}

/* parser.py's `(\s+(?P<new_state>\w+|\".*\"))?$` at a[i..n). */
static bool state_tail(const char *a, size_t n, size_t i, const char **st, size_t *stn)
{
	size_t j;

	if (i == n)
		return true;
	j = skip_ws(a, n, i);
	if (j == i || j == n)
		return false;
	if (!all_word(a + j, n - j) && !(a[j] == '"' && n - j >= 2 && a[n - 1] == '"'))
		return false;
	*st = a + j;
	*stn = n - j;
	return true;
}

static size_t token_end(const char *a, size_t n, size_t i, bool dot)
{
	while (i < n && !(dot && a[i] == '.') && !ws_at((const unsigned char *)a + i, n - i))
		i++;
	return i;
}

/* The action after "->": the three forms parser.py tries in turn. */
static bool parse_action(const char *a, size_t n, struct trule *ru, const char **st, size_t *stn)
{
	size_t p = skip_ws(a, n, 0), q, e;
	int lop, rop = 0;

	*st = NULL;
	*stn = 0;
	if (p > 0) { /* Line[.Record] [state] */
		q = token_end(a, n, p, true);
		lop = word_in(a + p, q - p, lop_names, 3);
		if (lop >= 0 && q < n && a[q] == '.') {
			e = token_end(a, n, q + 1, false);
			rop = word_in(a + q + 1, e - q - 1, rop_names, 4);
			q = rop >= 0 ? e : n + 1;
		}
		if (lop >= 0 && q <= n && state_tail(a, n, q, st, stn)) {
			ru->lop = (enum line_op)lop;
			ru->rop = (enum rec_op)(rop < 0 ? 0 : rop);
			return true;
		}
		/* Record [state] */
		q = token_end(a, n, p, false);
		rop = word_in(a + p, q - p, rop_names, 4);
		if (rop >= 0 && state_tail(a, n, q, st, stn)) {
			ru->rop = (enum rec_op)rop;
			return true;
		}
	}
	return state_tail(a, n, 0, st, stn); /* [state] */
}

static int parse_rule(struct reader *r, struct tstate *stt, const char *s, size_t n)
{
	struct fo_textfsm *t = r->t;
	struct fo_sbuf re = { 0 };
	struct gnames g = { 0 };
	struct trule *ru;
	const char *act = NULL, *st;
	size_t mn, stn, i = skip_ws(s, n, 0), an = 0;
	uint32_t ngroups;
	int rc = 0;

	s += i, n -= i;
	mn = n;
	for (size_t k = n; k-- > 1;) /* the last " ->": parser.py's greedy (?P<match>.*)\s-> */
		if (s[k] == '-' && k + 1 < n && s[k + 1] == '>' && (i = ws_before((const unsigned char *)s, k))) {
			mn = k - i;
			act = s + k + 2;
			an = n - k - 2;
			break;
		}
	if (vgrow(&stt->rules, &stt->cap, stt->nrules + 1, sizeof(*stt->rules)))
		return oom(r);
	ru = &stt->rules[stt->nrules++];
	memset(ru, 0, sizeof(*ru));
	ru->line = r->line;
	ru->next = ST_NONE;
	if (t->nvalues) { /* parser.py substitutes only with Values */
		if ((rc = substitute(r, s, mn, &re)))
			goto out;
	} else {
		fo_sbuf_add(&re, s, mn);
	}
	if ((rc = compile_re(r, re.p ? re.p : "", re.len, &g, ru->re, &ngroups)))
		goto out;
	ru->grp = calloc(g.n + 1, sizeof(*ru->grp));
	ru->val = calloc(g.n + 1, sizeof(*ru->val));
	if (!ru->grp || !ru->val) {
		rc = oom(r);
		goto out;
	}
	group_numbers(ru->re[0].code, ru->grp, g.n);
	for (size_t k = 0; k < g.n; k++) /* the named groups that are Values, in group order */
		for (size_t v = 0; v < t->nvalues; v++)
			if (!strcmp(g.v[k], t->values[v].name)) {
				ru->grp[ru->nassign] = ru->grp[k];
				ru->val[ru->nassign++] = (uint32_t)v;
				break;
			}
	if (!act)
		goto out;
	if (!parse_action(act, an, ru, &st, &stn)) {
		rc = fail(r, "badly formatted rule action '%.*s'", (int)an, act);
		goto out;
	}
	if (st && ru->lop == LOP_CONTINUE) {
		rc = fail(r, "'Continue' cannot change the state (to '%.*s')", (int)stn, st);
		goto out;
	}
	if (st && ru->lop != LOP_ERROR && st[0] == '"') {
		rc = fail(r, "a state name has word characters only: %.*s", (int)stn, st);
		goto out;
	}
	if (st) {
		char *d = dupn(st, stn);

		if (!d) {
			rc = oom(r);
			goto out;
		}
		if (ru->lop == LOP_ERROR)
			ru->errmsg = d;
		else
			ru->next_name = d;
	}
out:
	gnames_release(&g);
	fo_sbuf_release(&re);
	return rc;
}

static int parse_values(struct reader *r)
{
	const char *s;
	size_t n;
	int rc;

	while (next_line(r, &s, &n)) {
		if (!n)
			return 0;
		if (is_comment(s, n))
			continue;
		if (n >= 6 && !memcmp(s, "Value ", 6)) {
			if ((rc = parse_value(r, s, n)))
				return rc;
		} else if (!r->t->nvalues) {
			return fail(r, "expected a Value line (no Value definitions found)");
		} else {
			return fail(r, "expected a blank line after the last Value");
		}
	}
	return 0;
}

static int parse_states(struct reader *r)
{
	struct fo_textfsm *t = r->t;
	const char *s;
	size_t n;
	int rc;

	for (;;) {
		struct tstate *stt;
		bool found = false;

		while (next_line(r, &s, &n))
			if (n && !is_comment(s, n)) {
				found = true;
				break;
			}
		if (!found)
			return 0;
		if (!all_word(s, n) || nchars(s, n) > MAX_NAME_LEN || word_in(s, n, lop_names, 3) >= 0 ||
		    word_in(s, n, rop_names, 4) >= 0)
			return fail(r, "invalid state name '%.*s'", (int)n, s);
		for (size_t i = 0; i < t->nstates; i++)
			if (eq(s, n, t->states[i].name))
				return fail(r, "duplicate state name '%.*s'", (int)n, s);
		if (vgrow(&t->states, &r->capstates, t->nstates + 1, sizeof(*t->states)))
			return oom(r);
		stt = &t->states[t->nstates++];
		memset(stt, 0, sizeof(*stt));
		stt->line = r->line;
		if (!(stt->name = dupn(s, n)))
			return oom(r);
		while (next_line(r, &s, &n)) {
			if (!n)
				break;
			if (is_comment(s, n))
				continue;
			if (!(n >= 2 && ((s[0] == ' ' && s[1] == '^') || (s[0] == '\t' && s[1] == '^') ||
					 (n >= 3 && s[0] == ' ' && s[1] == ' ' && s[2] == '^'))))
				return fail(r, "expected a rule: 1 or 2 spaces or a tab, then '^'");
			if ((rc = parse_rule(r, stt, s, n)))
				return rc;
		}
	}
}

static int find_state(const struct fo_textfsm *t, const char *name)
{
	for (size_t i = 0; i < t->nstates; i++)
		if (!strcmp(t->states[i].name, name))
			return (int)i;
	return -1;
}

/* parser.py's _ValidateFSM: Start, empty End and EOF, targets that exist. */
static int validate(struct reader *r)
{
	struct fo_textfsm *t = r->t;
	int i;

	r->line = 0;
	t->start = find_state(t, "Start");
	if (t->start < 0)
		return fail(r, "no 'Start' state");
	for (const char *const *sp = (const char *const[]){ "End", "EOF", NULL }; *sp; sp++)
		if ((i = find_state(t, *sp)) >= 0 && t->states[i].nrules) {
			r->line = t->states[i].rules[0].line;
			return fail(r, "the '%s' state must be empty", *sp);
		}
	t->has_eof = find_state(t, "EOF") >= 0;
	for (size_t k = 0; k < t->nstates; k++)
		for (size_t j = 0; j < t->states[k].nrules; j++) {
			struct trule *ru = &t->states[k].rules[j];

			if (!ru->next_name)
				continue;
			if (!strcmp(ru->next_name, "End"))
				ru->next = ST_END;
			else if (!strcmp(ru->next_name, "EOF"))
				ru->next = ST_EOF;
			else if ((ru->next = find_state(t, ru->next_name)) < 0) {
				r->line = ru->line;
				return fail(r, "no state '%s' (in state '%s')", ru->next_name, t->states[k].name);
			}
		}
	return 0;
}

struct fo_textfsm *fo_textfsm_compile(const char *name, const char *text, size_t len, char *err,
				      size_t errlen)
{
	struct reader r = { .name = name ? name : "template", .p = text, .end = text + len, .err = err,
			    .errlen = errlen };
	int rc = -EINVAL;

	if (errlen)
		err[0] = 0;
	r.t = calloc(1, sizeof(*r.t));
	if (!r.t) {
		oom(&r);
		return NULL;
	}
	for (size_t i = 0; i < len;) { /* Python reads templates as UTF-8 text */
		unsigned cp;
		size_t bad, k = fo__utf8_next((const unsigned char *)text + i, len - i, &cp, &bad);

		if (!k || !cp) {
			r.line = 1;
			for (size_t j = 0; j < i; j++)
				r.line += text[j] == '\n' || (text[j] == '\r' && (j + 1 == len || text[j + 1] != '\n'));
			fail(&r, k ? "NUL byte" : "not valid UTF-8");
			goto out;
		}
		i += k;
	}
	if ((rc = parse_values(&r)) || (rc = parse_states(&r)) || (rc = validate(&r)))
		goto out;
	r.t->header = calloc(r.t->nvalues + 1, sizeof(*r.t->header));
	if (!r.t->header) {
		rc = oom(&r);
		goto out;
	}
	for (size_t i = 0; i < r.t->nvalues; i++)
		r.t->header[i] = r.t->values[i].name;
out:
	if (rc) {
		fo_textfsm_free(r.t);
		return NULL;
	}
	return r.t;
}

void fo_textfsm_free(struct fo_textfsm *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nvalues; i++) {
		struct tvalue *v = &t->values[i];

		free(v->name);
		free(v->regex);
		free(v->tmpl);
		rx_release(v->nested);
		for (size_t k = 0; k < v->nkeys; k++)
			free(v->keys[k]);
		free(v->keys);
		free(v->key_grp);
	}
	for (size_t i = 0; i < t->nstates; i++) {
		for (size_t j = 0; j < t->states[i].nrules; j++) {
			struct trule *ru = &t->states[i].rules[j];

			rx_release(ru->re);
			free(ru->errmsg);
			free(ru->next_name);
			free(ru->grp);
			free(ru->val);
		}
		free(t->states[i].rules);
		free(t->states[i].name);
	}
	free(t->states);
	free(t->values);
	free(t->header);
	free(t);
}

size_t fo_textfsm_nvalues(const struct fo_textfsm *t)
{
	return t->nvalues;
}

const char *fo_textfsm_value_name(const struct fo_textfsm *t, size_t i)
{
	return i < t->nvalues ? t->values[i].name : NULL;
}

unsigned fo_textfsm_value_opts(const struct fo_textfsm *t, size_t i)
{
	return i < t->nvalues ? t->values[i].opts : 0;
}

/* ---- the run ----------------------------------------------------------------------------- */

struct span {
	const char *p; /* NULL: Python's None */
	size_t n;
};

/* A list item: a string (or None), or a dict whose values start at dict
 * in a span vector. */
struct item {
	struct span s;
	uint32_t dict;
};

enum { V_NONE, V_STR, V_LIST };

/* A Value while parsing: parser.py's value.value (None, a string, or
 * the list a save made: only whether it is empty matters later), the
 * Filldown copy, and the List option's items. */
struct vstate {
	int kind;
	struct span s;
	bool list_full;
	struct span myvar;
	struct item *items;
	size_t nitems, capitems;
	struct span *dv;
	size_t ndv, capdv;
};

struct rcell {
	int kind; /* V_STR or V_LIST */
	struct span s;
	size_t start, count; /* V_LIST: in run's items */
};

struct run {
	const struct fo_textfsm *t;
	struct vstate *v;
	struct rcell *cells;
	size_t ncells, capcells, nrows;
	struct item *items;
	size_t nitems, capitems;
	struct span *dv;
	size_t ndv, capdv;
	pcre2_match_data *md; /* the thread's (struct tls) */
	PCRE2_SIZE *ov;
	struct span *spans; /* a rule's groups, read before they are assigned */
	pcre2_match_context *mc;
	bool ascii; /* the line being matched is all ASCII: rx[1] applies */
	struct fo_sbuf err;
	bool oom, failed;
};

/*
 * Each thread's match data, match context and JIT stack, made on its
 * first parse and kept until it exits (a pthread key's destructor frees
 * them): creating a JIT stack is an mmap of JIT_STACK_MAX and its
 * munmap, which cost more than parsing a short output. A parse never
 * yields (no coroutine switch inside it), so one set per thread serves
 * every coroutine the thread runs. The match data grows to the most
 * groups any template has asked for.
 */
struct tls {
	pcre2_match_data *md;
	pcre2_match_context *mc;
	pcre2_jit_stack *js;
};

static pthread_once_t tls_once = PTHREAD_ONCE_INIT;
static pthread_key_t tls_key;
static bool tls_ready;

static void tls_free(void *p)
{
	struct tls *t = p;

	pcre2_match_data_free(t->md);
	pcre2_match_context_free(t->mc);
	pcre2_jit_stack_free(t->js);
	free(t);
}

static void tls_init(void)
{
	tls_ready = pthread_key_create(&tls_key, tls_free) == 0;
}

/* The calling thread's set, with room for ngroups groups; NULL without memory. */
static struct tls *tls_get(uint32_t ngroups)
{
	struct tls *t;

	pthread_once(&tls_once, tls_init);
	if (!tls_ready)
		return NULL;
	t = pthread_getspecific(tls_key);
	if (!t) {
		t = calloc(1, sizeof(*t));
		if (!t)
			return NULL;
		t->mc = pcre2_match_context_create(NULL);
		t->js = pcre2_jit_stack_create(32 * 1024, JIT_STACK_MAX, NULL);
		if (!t->mc || !t->js || pthread_setspecific(tls_key, t)) {
			tls_free(t);
			return NULL;
		}
		pcre2_set_match_limit(t->mc, MATCH_LIMIT);
		pcre2_jit_stack_assign(t->mc, NULL, t->js);
	}
	if (!t->md || pcre2_get_ovector_count(t->md) < ngroups) {
		pcre2_match_data_free(t->md);
		t->md = pcre2_match_data_create(ngroups, NULL);
	}
	return t->md ? t : NULL;
}

static bool truthy(const struct vstate *v)
{
	return v->kind == V_STR ? v->s.n > 0 : v->kind == V_LIST ? v->list_full : false;
}

/* Runs x (the pair of one regex) on s[0..n), lead bytes of which are leading whitespace (or NO_LEAD). */
static int match(struct run *r, const struct rx *x, const char *s, size_t n, size_t lead)
{
	const struct rx *e = &x[r->ascii];

	if (rx_skips(e, s, n, lead))
		return PCRE2_ERROR_NOMATCH;
	if (e->jit)
		return pcre2_jit_match(e->code, (PCRE2_SPTR)s, n, 0, 0, r->md, r->mc);
	return pcre2_match(e->code, (PCRE2_SPTR)s, n, 0, 0, r->md, r->mc);
}

static void clear_record(struct run *r)
{
	for (size_t i = 0; i < r->t->nvalues; i++) {
		struct vstate *v = &r->v[i];
		unsigned o = r->t->values[i].opts;

		v->kind = V_NONE;
		if (o & FO_TEXTFSM_OPT_FILLDOWN) {
			v->s = v->myvar;
			v->kind = v->s.p ? V_STR : V_NONE;
		} else if (o & FO_TEXTFSM_OPT_LIST) {
			v->nitems = v->ndv = 0;
		}
	}
}

static void clearall_record(struct run *r)
{
	for (size_t i = 0; i < r->t->nvalues; i++) {
		struct vstate *v = &r->v[i];

		v->kind = V_NONE;
		v->myvar.p = NULL;
		v->nitems = v->ndv = 0;
	}
}

/* parser.py's _AppendRecord. */
static void append_record(struct run *r)
{
	const struct fo_textfsm *t = r->t;
	size_t nv = t->nvalues;
	bool any = false;

	if (!nv)
		return;
	for (size_t i = 0; i < nv; i++) {
		struct vstate *v = &r->v[i];
		unsigned o = t->values[i].opts;

		if ((o & FO_TEXTFSM_OPT_REQUIRED) && (t->values[i].required_first || !(o & FO_TEXTFSM_OPT_LIST)) &&
		    !truthy(v))
			goto skip;
		if (o & FO_TEXTFSM_OPT_LIST) {
			v->kind = V_LIST;
			v->list_full = v->nitems > 0;
		}
		if ((o & FO_TEXTFSM_OPT_REQUIRED) && (o & FO_TEXTFSM_OPT_LIST) && !t->values[i].required_first &&
		    !truthy(v))
			goto skip;
		any |= v->kind == V_STR || (v->kind == V_LIST && v->list_full);
	}
	if (!any)
		return; /* python returns without clearing */
	if (vgrow(&r->cells, &r->capcells, r->ncells + nv, sizeof(*r->cells))) {
		r->oom = true;
		return;
	}
	for (size_t i = 0; i < nv; i++) {
		struct vstate *v = &r->v[i];
		struct rcell *c = &r->cells[r->ncells++];

		c->kind = v->kind == V_LIST ? V_LIST : V_STR;
		c->s = v->kind == V_STR ? v->s : (struct span){ "", 0 };
		if (v->kind != V_LIST)
			continue;
		if (vgrow(&r->items, &r->capitems, r->nitems + v->nitems, sizeof(*r->items)) ||
		    vgrow(&r->dv, &r->capdv, r->ndv + v->ndv, sizeof(*r->dv))) {
			r->oom = true;
			return;
		}
		c->start = r->nitems;
		c->count = v->nitems;
		for (size_t k = 0; k < v->nitems; k++) {
			struct item it = v->items[k];

			if (it.dict != NODICT)
				it.dict += (uint32_t)r->ndv;
			r->items[r->nitems++] = it;
		}
		if (v->ndv) /* (memcpy's pointers may not be NULL, even for 0 bytes) */
			memcpy(r->dv + r->ndv, v->dv, v->ndv * sizeof(*v->dv));
		r->ndv += v->ndv;
	}
	r->nrows++;
skip:
	clear_record(r);
}

/* parser.py's AssignVar and the options' OnAssignVar. */
static void assign(struct run *r, size_t vi, struct span s)
{
	const struct tvalue *tv = &r->t->values[vi];
	struct vstate *v = &r->v[vi];

	v->kind = s.p ? V_STR : V_NONE;
	v->s = s;
	if (tv->opts & FO_TEXTFSM_OPT_FILLDOWN)
		v->myvar = s;
	if ((tv->opts & FO_TEXTFSM_OPT_FILLUP) && s.n) {
		size_t nv = r->t->nvalues;

		for (size_t row = r->nrows; row-- > 0;) {
			struct rcell *c = &r->cells[row * nv + vi];

			if (c->kind == V_STR ? c->s.n > 0 : c->count > 0)
				break;
			c->kind = V_STR;
			c->s = s;
		}
	}
	if (tv->opts & FO_TEXTFSM_OPT_LIST) {
		struct item it = { s, NODICT };

		if (vgrow(&v->items, &v->capitems, v->nitems + 1, sizeof(*v->items))) {
			r->oom = true;
			return;
		}
		/* the item's own groups: the match data is free again, the
		 * rule's groups having been read before this */
		if (tv->nested[0].code && s.p) {
			int rc = match(r, tv->nested, s.p, s.n, NO_LEAD); /* an ASCII line's part is ASCII */

			if (rc >= 0) {
				if (vgrow(&v->dv, &v->capdv, v->ndv + tv->nkeys, sizeof(*v->dv))) {
					r->oom = true;
					return;
				}
				it.dict = (uint32_t)v->ndv;
				for (size_t k = 0; k < tv->nkeys; k++) {
					uint32_t g = tv->key_grp[k];
					struct span d = { NULL, 0 };

					if (g < (uint32_t)rc && r->ov[2 * g] != PCRE2_UNSET)
						d = (struct span){ s.p + r->ov[2 * g], r->ov[2 * g + 1] - r->ov[2 * g] };
					v->dv[v->ndv++] = d;
				}
			}
		}
		v->items[v->nitems++] = it;
	}
}

/*
 * The next line of p[0..end) as str.splitlines splits: \n, \r, \r\n, \v,
 * \f, \x1c-\x1e, U+0085, U+2028, U+2029; *ascii says whether it is all
 * ASCII (false also when it only ends with U+0085, U+2028 or U+2029).
 * Every break and every byte past ASCII is below 0x20 or above 0x7f, so
 * eight bytes at a time are skipped when none of them is.
 */
static bool next_input_line(const char **pp, const char *end, struct span *line, bool *ascii)
{
	static const unsigned char brk[256] = { ['\n'] = 1, ['\r'] = 1, [0x0b] = 1, [0x0c] = 1, [0x1c] = 1,
						[0x1d] = 1, [0x1e] = 1, [0xc2] = 2, [0xe2] = 3 };
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	const char *p = *pp, *q = p;
	unsigned char hi = 0;

	if (p >= end)
		return false;
	while (q < end) {
		unsigned char c, b;
		size_t k = 0;
		uint64_t w;

		if (end - q >= 8) {
			memcpy(&w, q, 8);
			if (!((((w - ones * 0x20) & ~w) | w) & highs)) { /* no byte < 0x20 or > 0x7f */
				q += 8;
				continue;
			}
		}
		c = (unsigned char)*q;
		hi |= c;
		b = brk[c];
		if (b == 1)
			k = c == '\r' && q + 1 < end && q[1] == '\n' ? 2 : 1;
		else if (b == 2 && q + 1 < end && (unsigned char)q[1] == 0x85)
			k = 2;
		else if (b == 3 && q + 2 < end && (unsigned char)q[1] == 0x80 &&
			 ((unsigned char)q[2] == 0xa8 || (unsigned char)q[2] == 0xa9))
			k = 3;
		if (k) {
			*line = (struct span){ p, (size_t)(q - p) };
			*ascii = hi < 0x80;
			*pp = q + k;
			return true;
		}
		q++;
	}
	*line = (struct span){ p, (size_t)(end - p) };
	*ascii = hi < 0x80;
	*pp = end;
	return true;
}

/* Runs one line through the current state: parser.py's _CheckLine. */
static void check_line(struct run *r, int *state, struct span line)
{
	const struct tstate *st = &r->t->states[*state];
	size_t lead = 0;

	if (r->ascii) /* (\s of PCRE2's bytes mode) */
		while (lead < line.n && (line.p[lead] == ' ' || (line.p[lead] >= '\t' && line.p[lead] <= '\r')))
			lead++;
	for (size_t i = 0; i < st->nrules; i++) {
		const struct trule *ru = &st->rules[i];
		int rc = match(r, ru->re, line.p, line.n, lead);

		if (rc == PCRE2_ERROR_NOMATCH)
			continue;
		if (rc < 0) {
			PCRE2_UCHAR msg[128];

			pcre2_get_error_message(rc, msg, sizeof(msg));
			fo_sbuf_addf(&r->err, "Rule Line: %u: %s. Input Line: %.*s", ru->line, (const char *)msg,
				     (int)line.n, line.p);
			r->failed = true;
			return;
		}
		/* read every group before assigning: a List value's own
		 * regex reuses the match data */
		for (size_t k = 0; k < ru->nassign; k++) {
			uint32_t g = ru->grp[k];

			r->spans[k] = (struct span){ NULL, 0 };
			if (g < (uint32_t)rc && r->ov[2 * g] != PCRE2_UNSET)
				r->spans[k] = (struct span){ line.p + r->ov[2 * g], r->ov[2 * g + 1] - r->ov[2 * g] };
		}
		for (size_t k = 0; k < ru->nassign; k++)
			assign(r, ru->val[k], r->spans[k]);
		if (ru->rop == ROP_RECORD)
			append_record(r);
		else if (ru->rop == ROP_CLEAR)
			clear_record(r);
		else if (ru->rop == ROP_CLEARALL)
			clearall_record(r);
		if (ru->lop == LOP_ERROR) {
			if (ru->errmsg)
				fo_sbuf_addf(&r->err, "Error: %s. Rule Line: %u. Input Line: %.*s.", ru->errmsg,
					     ru->line, (int)line.n, line.p);
			else
				fo_sbuf_addf(&r->err, "State Error raised. Rule Line: %u. Input Line: %.*s",
					     ru->line, (int)line.n, line.p);
			r->failed = true;
			return;
		}
		if (ru->lop == LOP_CONTINUE)
			continue;
		if (ru->next != ST_NONE)
			*state = ru->next;
		return;
	}
}

/* Copies the records out of the run into res: one array of cells (the
 * records', then the lists' and dicts'), one arena of strings. */
static int materialize(struct run *r, struct fo_textfsm_result *res)
{
	size_t nv = r->t->nvalues, ncells = r->ncells, bytes = 0, k = 0;
	struct fo_textfsm_cell *cells;
	char *arena, *a;

#define SPAN_BYTES(sp) ((sp).p ? (sp).n + 1 : 0)
	for (size_t i = 0; i < r->ncells; i++)
		if (r->cells[i].kind == V_STR)
			bytes += SPAN_BYTES(r->cells[i].s);
		else
			ncells += r->cells[i].count;
	for (size_t i = 0; i < r->nitems; i++) {
		const struct item *it = &r->items[i];

		bytes += SPAN_BYTES(it->s); /* a dict item's text is not kept */
		if (it->dict != NODICT)
			bytes -= SPAN_BYTES(it->s);
	}
	for (size_t i = 0; i < r->ndv; i++)
		bytes += SPAN_BYTES(r->dv[i]);
	ncells += r->ndv;
	cells = calloc(ncells + 1, sizeof(*cells));
	arena = malloc(bytes + 1);
	if (!cells || !arena) {
		free(cells);
		free(arena);
		return -ENOMEM;
	}
	a = arena;
#define PUT(cell, sp)                                                                                 \
	do {                                                                                          \
		if ((sp).p) {                                                                         \
			(cell)->kind = FO_TEXTFSM_STR;                                                \
			memcpy(a, (sp).p, (sp).n);                                                    \
			a[(sp).n] = 0;                                                                \
			(cell)->s = a;                                                                \
			(cell)->len = (sp).n;                                                         \
			a += (sp).n + 1;                                                              \
		} else {                                                                              \
			(cell)->kind = FO_TEXTFSM_NONE;                                               \
		}                                                                                     \
	} while (0)
	k = r->ncells;
	for (size_t i = 0; i < r->ncells; i++) {
		const struct rcell *c = &r->cells[i];
		struct fo_textfsm_cell *out = &cells[i];

		if (c->kind == V_STR) {
			PUT(out, c->s);
			continue;
		}
		out->kind = FO_TEXTFSM_LIST;
		out->len = c->count;
		out->sub = &cells[k];
		k += c->count;
	}
	/* the items, where each list's sub points, then the dicts' values */
	for (size_t i = 0, li = r->ncells; i < r->ncells; i++) {
		const struct rcell *c = &r->cells[i];

		if (c->kind != V_LIST)
			continue;
		for (size_t j = 0; j < c->count; j++, li++) {
			const struct item *it = &r->items[c->start + j];
			const struct tvalue *tv = &r->t->values[i % nv];
			struct fo_textfsm_cell *out = &cells[li];

			if (it->dict == NODICT) {
				PUT(out, it->s);
				continue;
			}
			out->kind = FO_TEXTFSM_DICT;
			out->len = tv->nkeys;
			out->keys = (const char *const *)tv->keys;
			out->sub = &cells[k];
			for (size_t d = 0; d < tv->nkeys; d++, k++)
				PUT(&cells[k], r->dv[it->dict + d]);
		}
	}
#undef PUT
#undef SPAN_BYTES
	res->cells = cells;
	res->mem_[0] = cells;
	res->mem_[1] = arena;
	return 0;
}

int fo_textfsm_parse(const struct fo_textfsm *t, const char *text, size_t len, struct fo_textfsm_result *res)
{
	struct run r = { .t = t };
	const char *p = text, *end = text + len;
	struct tls *tls = tls_get(t->max_groups + 1);
	struct span line;
	int state = t->start, rc = -ENOMEM;

	memset(res, 0, sizeof(*res));
	r.v = calloc(t->nvalues + 1, sizeof(*r.v));
	r.spans = calloc(t->max_groups + 1, sizeof(*r.spans));
	if (!tls || !r.v || !r.spans)
		goto out;
	r.md = tls->md;
	r.mc = tls->mc;
	r.ov = pcre2_get_ovector_pointer(r.md);
	clearall_record(&r);
	while (!r.failed && !r.oom && next_input_line(&p, end, &line, &r.ascii)) {
		check_line(&r, &state, line);
		if (state == ST_END || state == ST_EOF)
			break;
	}
	if (!r.failed && state != ST_END && !t->has_eof)
		append_record(&r); /* the implicit EOF record */
	if (r.oom || r.err.oom)
		goto out;
	res->ncols = t->nvalues;
	res->header = t->header;
	if (r.failed) {
		res->error = fo_sbuf_detach(&r.err);
		rc = res->error ? 0 : -ENOMEM;
		goto out;
	}
	if ((rc = materialize(&r, res)))
		goto out;
	res->nrows = r.nrows;
out:
	if (rc)
		fo_textfsm_result_release(res);
	for (size_t i = 0; r.v && i < t->nvalues; i++) {
		free(r.v[i].items);
		free(r.v[i].dv);
	}
	free(r.v);
	free(r.spans);
	free(r.cells);
	free(r.items);
	free(r.dv);
	fo_sbuf_release(&r.err);
	return rc;
}

void fo_textfsm_result_release(struct fo_textfsm_result *res)
{
	free(res->mem_[0]);
	free(res->mem_[1]);
	free(res->error);
	memset(res, 0, sizeof(*res));
}

/* ---- JSON --------------------------------------------------------------------------------- */

static void json_cell(struct fo_sbuf *b, const struct fo_textfsm_cell *c)
{
	switch (c->kind) {
	case FO_TEXTFSM_NONE:
		fo_sbuf_adds(b, "null");
		break;
	case FO_TEXTFSM_STR:
		fo__json_str(b, c->s, c->len);
		break;
	case FO_TEXTFSM_LIST:
		fo_sbuf_add(b, "[", 1);
		for (size_t i = 0; i < c->len; i++) {
			if (i)
				fo_sbuf_add(b, ", ", 2);
			json_cell(b, &c->sub[i]);
		}
		fo_sbuf_add(b, "]", 1);
		break;
	case FO_TEXTFSM_DICT:
		fo_sbuf_add(b, "{", 1);
		for (size_t i = 0; i < c->len; i++) {
			if (i)
				fo_sbuf_add(b, ", ", 2);
			fo__json_strz(b, c->keys[i]);
			fo_sbuf_add(b, ": ", 2);
			json_cell(b, &c->sub[i]);
		}
		fo_sbuf_add(b, "}", 1);
		break;
	}
}

void fo_textfsm_json(const struct fo_textfsm_result *res, struct fo_sbuf *b, unsigned flags)
{
	struct fo_sbuf keys = { 0 }, key = { 0 };
	size_t *off = NULL;

	if (res->error) {
		fo_sbuf_adds(b, "{\"error\": ");
		fo__json_strz(b, res->error);
		fo_sbuf_adds(b, "}\n");
		return;
	}
	/* the keys as JSON, `"name": `, made once (not per row): keys.p +
	 * off[i] .. off[i + 1] */
	if (res->nrows && !(off = malloc((res->ncols + 1) * sizeof(*off)))) {
		b->oom = true;
		return;
	}
	for (size_t i = 0; off && i < res->ncols; i++) {
		fo_sbuf_reset(&key);
		fo_sbuf_adds(&key, res->header[i]);
		if ((flags & FO_TEXTFSM_JSON_LOWER) && key.p)
			for (char *c = key.p; *c; c++)
				if (*c >= 'A' && *c <= 'Z')
					*c = (char)(*c + 32);
		off[i] = keys.len;
		fo__json_str(&keys, key.p ? key.p : "", key.len);
		fo_sbuf_add(&keys, ": ", 2);
	}
	if (off)
		off[res->ncols] = keys.len;
	fo_sbuf_add(b, "[", 1);
	for (size_t row = 0; row < res->nrows && !keys.oom; row++) {
		fo_sbuf_adds(b, row ? ",\n {" : "\n {");
		for (size_t i = 0; i < res->ncols; i++) {
			if (i)
				fo_sbuf_add(b, ", ", 2);
			fo_sbuf_add(b, keys.p + off[i], off[i + 1] - off[i]);
			json_cell(b, &res->cells[row * res->ncols + i]);
		}
		fo_sbuf_add(b, "}", 1);
	}
	fo_sbuf_adds(b, res->nrows ? "\n]\n" : "]\n");
	if (key.oom || keys.oom)
		b->oom = true;
	fo_sbuf_release(&key);
	fo_sbuf_release(&keys);
	free(off);
}
