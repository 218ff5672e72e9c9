/*
 * The ntc-templates index (index.h): the file read line by line as
 * texttable.CsvToTable reads it, each regex field rewritten from Python's
 * `re` dialect into PCRE2's and compiled once at load, and a lookup that
 * walks the rows in order as IndexTable.GetRowMatch does. A lookup costs
 * one anchored match per given attribute per row until the first row that
 * matches: O(rows), about 1,700 rows for all of ntc-templates.
 *
 * Python's `re` against PCRE2, as used here: both are backtracking Perl
 * dialects; the index's regexes use the common part. What we bridge:
 * Unicode classes for \d \w \s \b (PCRE2_UCP, as Python's str patterns),
 * `\Z` (Python's end of string is PCRE2's `\z`), `\uXXXX` and two-digit `\xXX` (PCRE2_ALT_BSUX). What we do not:
 * escapes PCRE2 knows and Python refuses (`\h`, `\R`, `\K`, ...) compile here and are errors there; Python's `(?a)` and
 * `(?L)` flags are errors here. (Python's `{,n}` cannot occur: a comma ends the field.) NEEDSWORK: the TextFSM engine
 * (textfsm.c) needs the same rewriting; one shared fo__pyre_compile would keep them in step.
 *
 * Python's re has no match limit; PCRE2's is set so that a pathological
 * regex fails the lookup (-E2BIG) instead of hanging the caller.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "../util/file.h"
#include "../util/sbuf.h"
#include "../util/utf8.h"
#include "index.h"

#define MATCH_LIMIT   1000000 /* PCRE2 backtracking steps for one field */
#define HEAP_LIMIT_KB 16384   /* and its backtracking memory */
#define QUOTE_MAX     60      /* bytes of a field or an attribute quoted in a message */

struct row {
	struct fo_tfsm_entry e;
	char *field;      /* the Template field */
	char *names;      /* a copy of it, its ':' made NULs */
	char **templates; /* pointers into names */
	pcre2_code **re;  /* per column; NULL for Template's and for empty fields */
};

struct fo_tfsm_index {
	char *name;  /* for messages */
	char **cols; /* the header's names */
	size_t ncols;
	size_t tcol; /* Template's column */
	struct row *rows;
	size_t nrows, cap;
	pcre2_match_context *mctx;
};

/* ---- messages ------------------------------------------------------------------------------- */

static int fail(char *err, size_t errlen, int code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

/* s[0..len) for a message: at most QUOTE_MAX bytes, control bytes as '?',
 * so that the message stays one line (buf: QUOTE_MAX + 4 bytes). */
static const char *quote(char *buf, const char *s, size_t len)
{
	size_t i, n = len > QUOTE_MAX ? QUOTE_MAX : len;

	for (i = 0; i < n; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	if (n < len)
		memcpy(buf + n, "...", 4);
	else
		buf[n] = 0;
	return buf;
}

/* ---- Python's str.strip() and str.split() --------------------------------------------------- */

/* Is the code point whitespace to Python (str.isspace)? */
static bool py_space(unsigned cp)
{
	return (cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x20) || cp == 0x85 || cp == 0xa0 || cp == 0x1680 ||
	       (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f ||
	       cp == 0x3000;
}

/* The length of the whitespace character at s[0..n), or 0. */
static size_t space_at(const char *s, size_t n)
{
	unsigned cp;
	size_t k, bad;

	k = fo__utf8_next((const unsigned char *)s, n, &cp, &bad);
	return k && py_space(cp) ? k : 0;
}

/* The length of the whitespace character that ends s[0..n), or 0. */
static size_t space_before(const char *s, size_t n)
{
	size_t k;

	for (k = 1; k <= 4 && k <= n; k++)
		if (((unsigned char)s[n - k] & 0xc0) != 0x80)
			return space_at(s + n - k, k) == k ? k : 0;
	return 0;
}

static void strip(const char **s, size_t *len)
{
	size_t k;

	while (*len && (k = space_at(*s, *len))) {
		*s += k;
		*len -= k;
	}
	while (*len && (k = space_before(*s, *len)))
		*len -= k;
}

static char *dup(const char *s, size_t len)
{
	char *p = malloc(len + 1);

	if (p) {
		memcpy(p, s, len);
		p[len] = 0;
	}
	return p;
}

/* The next comma-separated field of *s (*len bytes), stripped, into
 * *f and *flen; *s and *len move past it and its comma (none after the
 * last). */
static void next_field(const char **s, size_t *len, bool last, const char **f, size_t *flen)
{
	*f = *s;
	*flen = last ? *len : (size_t)((const char *)memchr(*s, ',', *len) - *s);
	*s += *flen + !last;
	*len -= *flen + !last;
	strip(f, flen);
}

/* How many commas s[0..len) has. */
static size_t commas(const char *s, size_t len)
{
	size_t n = 0, i;

	for (i = 0; i < len; i++)
		n += s[i] == ',';
	return n;
}

/* ---- regexes -------------------------------------------------------------------------------- */

/* CliTable's command completion: each `[[w]]` (w at least one character,
 * the shortest that reaches a `]]`) becomes `(w1(w2(...)?)?)?`, one group
 * per character (code point) of w. */
static void complete(struct fo_sbuf *b, const char *s, size_t len)
{
	size_t i = 0, k, j, n, c, bad;
	unsigned cp;

	while (i < len) {
		if (i + 2 > len || s[i] != '[' || s[i + 1] != '[') {
			fo_sbuf_add(b, s + i, 1);
			i++;
			continue;
		}
		for (k = i + 3; k + 2 <= len; k++)
			if (s[k] == ']' && s[k + 1] == ']')
				break;
		if (k + 2 > len) { /* no `]]` after: nothing later completes either */
			fo_sbuf_add(b, s + i, len - i);
			break;
		}
		for (n = 0, j = i + 2; j < k; j += c, n++) {
			c = fo__utf8_next((const unsigned char *)s + j, k - j, &cp, &bad);
			c = c ? c : bad; /* the file was checked: never taken */
			fo_sbuf_add(b, "(", 1);
			fo_sbuf_add(b, s + j, c);
		}
		while (n--)
			fo_sbuf_add(b, ")?", 2);
		i = k + 2;
	}
}

/* Python's `re` dialect into PCRE2's, for what differs in a way that
 * matters (the file's comment says which). */
static void py2pcre(struct fo_sbuf *b, const char *s, size_t len)
{
	bool cls = false;
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len) {
			fo_sbuf_add(b, !cls && s[i + 1] == 'Z' ? "\\z" : s + i, 2);
			i++;
		} else if (cls) {
			fo_sbuf_add(b, s + i, 1);
			if (s[i] == ']')
				cls = false;
		} else if (s[i] == '[') {
			cls = true;
			fo_sbuf_add(b, s + i, 1);
			if (i + 1 < len && s[i + 1] == '^')
				fo_sbuf_add(b, s + ++i, 1);
			if (i + 1 < len && s[i + 1] == ']') /* a `]` first is a member */
				fo_sbuf_add(b, s + ++i, 1);
		} else {
			fo_sbuf_add(b, s + i, 1);
		}
	}
}

/* Compiles field s[0..len) of column col: 0, or -EINVAL/-ENOMEM with err. */
static int compile(pcre2_code **out, const char *s, size_t len, bool command, const char *where, const char *col,
		   char *err, size_t errlen)
{
	struct fo_sbuf pre = { 0 }, pat = { 0 };
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	char q[QUOTE_MAX + 4];
	int rc = 0, ec;

	*out = NULL;
	if (command)
		complete(&pre, s, len);
	else
		fo_sbuf_add(&pre, s, len);
	if (!pre.oom)
		py2pcre(&pat, pre.p ? pre.p : "", pre.len);
	if (pre.oom || pat.oom) {
		rc = fail(err, errlen, -ENOMEM, "%s: out of memory", where);
		goto out;
	}
	*out = pcre2_compile((PCRE2_SPTR)(pat.p ? pat.p : ""), pat.len,
			     PCRE2_UTF | PCRE2_UCP | PCRE2_ALT_BSUX | PCRE2_MATCH_INVALID_UTF, &ec, &off, NULL);
	if (!*out) {
		if (pcre2_get_error_message(ec, msg, sizeof(msg)) < 0)
			snprintf((char *)msg, sizeof(msg), "error %d", ec);
		rc = fail(err, errlen, -EINVAL, "%s: bad regex in %s '%s': %s", where, col, quote(q, s, len),
			  (char *)msg);
	}
out:
	free(pre.p);
	free(pat.p);
	return rc;
}

/* ---- parsing -------------------------------------------------------------------------------- */

static void row_release(struct fo_tfsm_index *idx, struct row *r)
{
	size_t i;

	if (r->re)
		for (i = 0; i < idx->ncols; i++)
			pcre2_code_free(r->re[i]);
	free(r->re);
	free(r->templates);
	free(r->names);
	free(r->field);
}

/* The header line s[0..len) (cut at its '#' and stripped already). */
static int parse_header(struct fo_tfsm_index *idx, const char *s, size_t len, const char *where, char *err,
			size_t errlen)
{
	size_t i, j, n = commas(s, len) + 1, flen;
	const char *f;
	char q[QUOTE_MAX + 4];
	bool have_t = false;

	idx->cols = calloc(n, sizeof(*idx->cols));
	if (!idx->cols)
		return fail(err, errlen, -ENOMEM, "%s: out of memory", where);
	for (i = 0; i < n; i++) {
		next_field(&s, &len, i + 1 == n, &f, &flen);
		for (j = 0; j < i; j++)
			if (strlen(idx->cols[j]) == flen && !memcmp(idx->cols[j], f, flen))
				return fail(err, errlen, -EINVAL, "%s: column '%s' twice in the header", where,
					    quote(q, f, flen));
		idx->cols[i] = dup(f, flen);
		idx->ncols = i + 1;
		if (!idx->cols[i])
			return fail(err, errlen, -ENOMEM, "%s: out of memory", where);
		if (flen == 8 && !memcmp(f, "Template", 8)) {
			have_t = true;
			idx->tcol = i;
		}
	}
	if (!have_t)
		return fail(err, errlen, -EINVAL, "%s: the header has no Template column", where);
	return 0;
}

/* A row: line s[0..len), not stripped. */
static int parse_row(struct fo_tfsm_index *idx, const char *s, size_t len, long line, const char *where, char *err,
		     size_t errlen)
{
	size_t i, n = commas(s, len) + 1, flen, k, nt;
	const char *f;
	struct row *r, *nr;
	char *p;
	int rc;

	if (n != idx->ncols)
		return fail(err, errlen, -EINVAL, "%s: %zu fields where the header has %zu", where, n, idx->ncols);
	if (idx->nrows == idx->cap) {
		k = idx->cap ? idx->cap * 2 : 64;
		nr = realloc(idx->rows, k * sizeof(*nr));
		if (!nr)
			return fail(err, errlen, -ENOMEM, "%s: out of memory", where);
		idx->rows = nr;
		idx->cap = k;
	}
	r = &idx->rows[idx->nrows++];
	memset(r, 0, sizeof(*r));
	r->e.line = line;
	r->re = calloc(idx->ncols, sizeof(*r->re));
	if (!r->re)
		return fail(err, errlen, -ENOMEM, "%s: out of memory", where);
	for (i = 0; i < n; i++) {
		next_field(&s, &len, i + 1 == n, &f, &flen);
		if (i == idx->tcol) {
			r->field = dup(f, flen);
			if (!r->field)
				return fail(err, errlen, -ENOMEM, "%s: out of memory", where);
			continue;
		}
		if (!flen)
			continue;
		rc = compile(&r->re[i], f, flen, !strcmp(idx->cols[i], "Command"), where, idx->cols[i], err, errlen);
		if (rc < 0)
			return rc;
	}
	/* the Template field split at ':' in place: "a:b" is {"a", "b"} */
	nt = 1;
	for (p = r->field; *p; p++)
		nt += *p == ':';
	r->templates = malloc((nt + 1) * sizeof(*r->templates));
	if (!r->templates)
		return fail(err, errlen, -ENOMEM, "%s: out of memory", where);
	r->e.field = r->field;
	/* the field is kept whole for e.field, so the names are a second copy */
	p = r->names = dup(r->field, strlen(r->field));
	if (!p)
		return fail(err, errlen, -ENOMEM, "%s: out of memory", where);
	r->templates[0] = p;
	for (k = 1; *p; p++)
		if (*p == ':') {
			*p = 0;
			r->templates[k++] = p + 1;
		}
	r->templates[nt] = NULL;
	r->e.templates = (const char *const *)r->templates;
	r->e.ntemplates = nt;
	return 0;
}

int fo_tfsm_index_parse(struct fo_tfsm_index **out, const char *text, size_t len, const char *name, char *err,
			size_t errlen)
{
	struct fo_tfsm_index *idx;
	const char *s, *end = text + len, *eol, *cut, *h;
	char where[4200];
	size_t n, k, c, hlen, bad;
	unsigned cp;
	long line = 0;
	bool header = false;
	int rc = 0;

	*out = NULL;
	idx = calloc(1, sizeof(*idx));
	if (!idx || !(idx->name = dup(name, strlen(name)))) {
		rc = fail(err, errlen, -ENOMEM, "'%s': out of memory", name);
		goto out;
	}
	idx->mctx = pcre2_match_context_create(NULL);
	if (!idx->mctx) {
		rc = fail(err, errlen, -ENOMEM, "'%s': out of memory", name);
		goto out;
	}
	pcre2_set_match_limit(idx->mctx, MATCH_LIMIT);
	pcre2_set_heap_limit(idx->mctx, HEAP_LIMIT_KB);
	for (s = text; s < end; s = eol) {
		/* a line ends at \n, \r\n or \r: Python's universal newlines */
		for (eol = s; eol < end && *eol != '\n' && *eol != '\r'; eol++)
			;
		n = (size_t)(eol - s);
		eol += eol < end ? (*eol == '\r' && eol + 1 < end && eol[1] == '\n' ? 2 : 1) : 0;
		line++;
		snprintf(where, sizeof(where), "'%s': line %ld", name, line);
		for (k = 0; k < n; k += c) {
			c = s[k] ? fo__utf8_next((const unsigned char *)s + k, n - k, &cp, &bad) : 0;
			if (!c) {
				rc = fail(err, errlen, -EINVAL, "%s: %s", where,
					  s[k] ? "not valid UTF-8 (Python reads the index as UTF-8)" : "a NUL byte");
				goto out;
			}
		}
		if (!header) {
			cut = memchr(s, '#', n);
			h = s;
			hlen = cut ? (size_t)(cut - s) : n;
			strip(&h, &hlen);
			if (!hlen)
				continue;
			rc = parse_header(idx, h, hlen, where, err, errlen);
			if (rc < 0)
				goto out;
			header = true;
			continue;
		}
		if (n && s[0] == '#')
			continue;
		h = s;
		hlen = n;
		strip(&h, &hlen);
		if (!hlen)
			continue;
		rc = parse_row(idx, s, n, line, where, err, errlen);
		if (rc < 0)
			goto out;
	}
	if (!header)
		rc = fail(err, errlen, -EINVAL, "'%s': no header row (such as: Template, Hostname, Platform, Command)",
			  name);
out:
	if (rc < 0) {
		fo_tfsm_index_free(idx);
		return rc;
	}
	*out = idx;
	return 0;
}

int fo_tfsm_index_load(struct fo_tfsm_index **out, const char *dir, char *err, size_t errlen)
{
	char path[4096], *text = NULL;
	size_t len = 0;
	int rc, n;

	*out = NULL;
	n = snprintf(path, sizeof(path), "%s/index", dir);
	if (n < 0 || (size_t)n >= sizeof(path))
		return fail(err, errlen, -ENAMETOOLONG, "templates directory name too long");
	rc = fo__slurp_max(path, FO_TFSM_INDEX_MAX, &text, &len);
	if (rc < 0)
		return fail(err, errlen, rc, "cannot read '%s': %s", path,
			    rc == -EFBIG ? "more than 16 MB" : strerror(-rc));
	rc = fo_tfsm_index_parse(out, text, len, path, err, errlen);
	free(text);
	return rc;
}

/* ---- lookups -------------------------------------------------------------------------------- */

static long column(const struct fo_tfsm_index *idx, const char *key)
{
	size_t i;

	for (i = 0; i < idx->ncols; i++)
		if (!strcmp(idx->cols[i], key))
			return (long)i;
	return -1;
}

int fo_tfsm_index_match(const struct fo_tfsm_index *idx, const struct fo_tfsm_attr *attrs, size_t n,
			const struct fo_tfsm_entry **out, char *err, size_t errlen)
{
	pcre2_match_data *md;
	long cols[16];
	size_t r, a;
	char q[QUOTE_MAX + 4];
	bool ok;
	int rc = -ENOENT, m;

	*out = NULL;
	if (n > sizeof(cols) / sizeof(cols[0]))
		return fail(err, errlen, -EINVAL, "more than 16 attributes");
	for (a = 0; a < n; a++)
		cols[a] = column(idx, attrs[a].key);
	md = pcre2_match_data_create(1, NULL);
	if (!md)
		return fail(err, errlen, -ENOMEM, "out of memory");
	for (r = 0; r < idx->nrows; r++) {
		ok = true;
		for (a = 0; ok && a < n; a++) {
			if (cols[a] < 0 || !idx->rows[r].re[cols[a]])
				continue; /* no such column, or an empty field: CliTable skips it */
			m = pcre2_match(idx->rows[r].re[cols[a]], (PCRE2_SPTR)attrs[a].value, strlen(attrs[a].value), 0,
					PCRE2_ANCHORED, md, idx->mctx);
			if (m == PCRE2_ERROR_MATCHLIMIT || m == PCRE2_ERROR_HEAPLIMIT || m == PCRE2_ERROR_DEPTHLIMIT) {
				rc = fail(err, errlen, -E2BIG, "'%s': line %ld: the %s regex took too long on '%s'",
					  idx->name, idx->rows[r].e.line, attrs[a].key,
					  quote(q, attrs[a].value, strlen(attrs[a].value)));
				goto out;
			}
			ok = m >= 0;
		}
		if (ok) {
			*out = &idx->rows[r].e;
			rc = 0;
			goto out;
		}
	}
	if (err && errlen) {
		size_t len = (size_t)snprintf(err, errlen, "'%s': no template for", idx->name);

		for (a = 0; a < n && len < errlen; a++)
			len += (size_t)snprintf(err + len, errlen - len, "%s %s '%s'", a ? "," : "", attrs[a].key,
						quote(q, attrs[a].value, strlen(attrs[a].value)));
	}
out:
	pcre2_match_data_free(md);
	return rc;
}

int fo_tfsm_index_lookup(const struct fo_tfsm_index *idx, const char *platform, const char *command,
			 const char *hostname, const struct fo_tfsm_entry **out, char *err, size_t errlen)
{
	struct fo_tfsm_attr a[3];
	size_t n = 0;

	if (platform)
		a[n++] = (struct fo_tfsm_attr){ "Platform", platform };
	if (command)
		a[n++] = (struct fo_tfsm_attr){ "Command", command };
	if (hostname)
		a[n++] = (struct fo_tfsm_attr){ "Hostname", hostname };
	return fo_tfsm_index_match(idx, a, n, out, err, errlen);
}

size_t fo_tfsm_index_rows(const struct fo_tfsm_index *idx)
{
	return idx->nrows;
}

void fo_tfsm_index_free(struct fo_tfsm_index *idx)
{
	size_t i;

	if (!idx)
		return;
	for (i = 0; i < idx->nrows; i++)
		row_release(idx, &idx->rows[i]);
	free(idx->rows);
	for (i = 0; i < idx->ncols; i++)
		free(idx->cols[i]);
	free(idx->cols);
	pcre2_match_context_free(idx->mctx);
	free(idx->name);
	free(idx);
}

/* ---- the templates directory ---------------------------------------------------------------- */

static int put_path(char *buf, size_t buflen, const char *a, const char *b, char *err, size_t errlen)
{
	int n = snprintf(buf, buflen, "%s%s", a, b);

	if (n < 0 || (size_t)n >= buflen)
		return fail(err, errlen, -ENAMETOOLONG, "templates directory name too long: '%s%s'", a, b);
	return 0;
}

int fo_tfsm_templates_dir(const char *dir, char *buf, size_t buflen, char *err, size_t errlen)
{
	const char *v, *home;
	char tmp[4096], idx[4200];
	struct stat st;
	int rc;

	if (dir && *dir)
		return put_path(buf, buflen, dir, "", err, errlen);
	v = getenv("NTC_TEMPLATES_DIR");
	if (v && *v)
		return put_path(buf, buflen, v, "", err, errlen);
	v = getenv("NET_TEXTFSM");
	if (!v || !*v)
		return fail(err, errlen, -ENOENT,
			    "no templates directory: give one, or set NTC_TEMPLATES_DIR to the folder that holds "
			    "ntc-templates' index");
	/* netmiko: os.path.expanduser, then <dir>/templates when <dir> has no index */
	home = getenv("HOME");
	if (v[0] == '~' && (v[1] == '/' || !v[1]) && home && *home)
		rc = put_path(tmp, sizeof(tmp), home, v + 1, err, errlen);
	else
		rc = put_path(tmp, sizeof(tmp), v, "", err, errlen);
	if (rc < 0)
		return rc;
	snprintf(idx, sizeof(idx), "%s/index", tmp);
	if (stat(idx, &st) == 0 && S_ISREG(st.st_mode))
		return put_path(buf, buflen, tmp, "", err, errlen);
	return put_path(buf, buflen, tmp, "/templates", err, errlen);
}
