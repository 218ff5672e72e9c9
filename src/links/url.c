/*
 * Links to canonical URLs over libcurl's URL API (url.h says what
 * canonical means and which libcurl flags we use, and why).
 *
 * The work for one link: strip and clean it as HTML does (spaces at the
 * ends, tabs and newlines inside), read its scheme to sort out the links
 * that are not checked (mailto:, data:...) without asking curl (which
 * wants "scheme://" and refuses "mailto:x"), encode the few bytes that are
 * never valid anywhere in a URL, then let curl parse it against the base.
 * From curl's handle we take host, path and query one at a time,
 * normalise them and put them back; the URL is read back and parsed once
 * more, so that dot segments written as %2E (decoded by the normalising)
 * are removed like the others. The byte scans here never look for the
 * structure of a URL beyond its scheme; that is curl's job.
 *
 * Costs: two curl_url handles and a few small allocations per link, some
 * microseconds; a page has hundreds of links, not millions.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <curl/curl.h>
#include <curl/mprintf.h>

#include "url.h"

#define QUOTE_MAX 80  /* bytes of a link quoted in a message (and a character) */
#define SCHEME_MAX 32 /* longer schemes are unsupported all the same */
/* Every parse: see url.h for why NON_SUPPORT_SCHEME. */
#define PARSE_FLAGS CURLU_NON_SUPPORT_SCHEME

static const char *const skipped_schemes[] = { "mailto", "tel", "javascript", "data" };

/* ---- bytes (no <ctype.h>: its answers depend on the locale) ---------------------- */

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int hexval(int c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* RFC 3986 unreserved: ALPHA DIGIT - . _ ~ */
static int unreserved(int c)
{
	return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* What a path (or, with query, a query) may hold as is, besides %XX. */
static int allowed(int c, int query)
{
	return unreserved(c) || strchr("!$&'()*+,;=:@/", c) != NULL || (query && c == '?');
}

/* Never valid in any part of a URL; encoded before curl sees the link. */
static int never_valid(int c)
{
	return c <= 0x20 || c == 0x7f || (c && strchr("\"<>`{}|^", c) != NULL);
}

static int tab_or_newline(int c)
{
	return c == '\t' || c == '\n' || c == '\r';
}

static const char hex[] = "0123456789ABCDEF";

/*
 * The length of the UTF-8 sequence at s (1 for ASCII), or 0 when it is
 * not valid UTF-8 (overlong, a surrogate, past U+10FFFF, cut short).
 */
static int utf8_len(const unsigned char *s)
{
	int n = *s < 0x80 ? 0 : *s >= 0xc2 && *s <= 0xdf ? 1 : *s >= 0xe0 && *s <= 0xef ? 2 :
		*s >= 0xf0 && *s <= 0xf4 ? 3 : -1;
	unsigned cp = *s & (0x3fu >> (n > 0 ? n : 0));
	int i;

	if (n < 0)
		return 0;
	for (i = 1; i <= n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n + 1;
}

static int utf8_valid(const char *s)
{
	int n;

	for (; *s; s += n)
		if (!(n = utf8_len((const unsigned char *)s)))
			return 0;
	return 1;
}

/* ---- messages ---------------------------------------------------------------------- */

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

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

/*
 * About QUOTE_MAX bytes of s for a message, with controls and bytes that
 * are not UTF-8 as '?' (messages go to terminals and JSON).
 */
static const char *quote(char *buf, size_t size, const char *s)
{
	size_t i = 0, n = 0;

	while (s[i] && i < QUOTE_MAX && n + 8 < size) {
		int k = utf8_len((const unsigned char *)s + i);

		if (k == 1 && ((unsigned char)s[i] < 0x20 || s[i] == 0x7f))
			k = 0;
		if (k) {
			memcpy(buf + n, s + i, (size_t)k);
			n += (size_t)k;
			i += (size_t)k;
		} else {
			buf[n++] = '?';
			i++;
		}
	}
	if (s[i] && n + 4 <= size) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = 0;
	return buf;
}

/* curl's message for rc, with a lowercase first letter as ours. */
static const char *curl_msg(char *buf, size_t size, CURLUcode rc)
{
	snprintf(buf, size, "%s", curl_url_strerror(rc));
	buf[0] = (char)lower(buf[0]);
	return buf;
}

/*
 * curl_url_get, with *s NULL after a failure: libcurl 7.88 leaves an
 * allocated string there when CURLU_PUNYCODE fails (curl issues 10984,
 * 19440), which would leak.
 */
static CURLUcode get(CURLU *h, CURLUPart what, char **s, unsigned flags)
{
	CURLUcode rc;

	*s = NULL;
	rc = curl_url_get(h, what, s, flags);
	if (rc != CURLUE_OK && *s) {
		curl_free(*s);
		*s = NULL;
	}
	return rc;
}

static int curl_error(CURLUcode rc)
{
	return rc == CURLUE_OUT_OF_MEMORY ? -ENOMEM : -EINVAL;
}

/* ---- the link before curl ------------------------------------------------------------ */

/* The link without leading and trailing controls and spaces (WHATWG URL). */
static void trim(const char *s, const char **b, const char **e)
{
	*b = s;
	*e = s + strlen(s);
	while (*b < *e && (unsigned char)**b <= 0x20)
		(*b)++;
	while (*e > *b && (unsigned char)(*e)[-1] <= 0x20)
		(*e)--;
}

/*
 * The scheme of [b, e) (RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
 * ":"; tabs and newlines skipped as HTML does), lowercased into buf (at most
 * SCHEME_MAX bytes kept); "" when the link is relative.
 */
static const char *scheme_of(const char *b, const char *e, char *buf)
{
	size_t n = 0;
	const char *p;

	buf[0] = 0;
	for (p = b; p < e; p++) {
		int c = (unsigned char)*p;

		if (tab_or_newline(c))
			continue;
		if (c == ':') {
			if (n)
				buf[n < SCHEME_MAX ? n : SCHEME_MAX] = 0;
			else
				buf[0] = 0;
			return buf;
		}
		if (!(is_alpha(c) || (n && (is_digit(c) || c == '+' || c == '-' || c == '.'))))
			break;
		if (n < SCHEME_MAX)
			buf[n] = (char)lower(c);
		n++;
	}
	buf[0] = 0;
	return buf;
}

static int special(const char *scheme)
{
	return !strcmp(scheme, "http") || !strcmp(scheme, "https") || !strcmp(scheme, "file");
}

/*
 * [b, e) cleaned for curl, in a malloc'd string: tabs and newlines dropped,
 * bytes never valid in a URL percent-encoded, and (when backslash) "\" as
 * "/" before the query or fragment, as browsers read http and file links.
 */
static char *clean(const char *b, const char *e, int backslash)
{
	char *s = malloc((size_t)(e - b) * 3 + 1), *o = s;
	int in_path = 1;

	if (!s)
		return NULL;
	for (; b < e; b++) {
		int c = (unsigned char)*b;

		if (tab_or_newline(c))
			continue;
		if (c == '?' || c == '#')
			in_path = 0;
		if (c == '\\' && backslash && in_path) {
			*o++ = '/';
		} else if (never_valid(c) || c == '\\') {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		} else {
			*o++ = (char)c;
		}
	}
	*o = 0;
	return s;
}

/* ---- normalising curl's parts -------------------------------------------------------------- */

/* A path or query in canonical percent-encoding (url.h), malloc'd. */
static char *normalise(const char *s, int query)
{
	char *r = malloc(strlen(s) * 3 + 1), *o = r;

	if (!r)
		return NULL;
	for (; *s; s++) {
		int c = (unsigned char)*s, h1, h2;

		if (c == '%' && (h1 = hexval(s[1])) >= 0 && (h2 = hexval(s[2])) >= 0) {
			int v = h1 * 16 + h2;

			if (unreserved(v)) {
				*o++ = (char)v;
			} else {
				*o++ = '%';
				*o++ = hex[v >> 4];
				*o++ = hex[v & 15];
			}
			s += 2;
		} else if (allowed(c, query)) {
			*o++ = (char)c;
		} else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o = 0;
	return r;
}

/* Percent-decodes s into d (as long as s): "%00" stays as written. */
void fo_url_decode(char *d, const char *s)
{
	for (; *s; s++) {
		int h1, h2;

		if (*s == '%' && (h1 = hexval(s[1])) >= 0 && (h2 = hexval(s[2])) >= 0 && (h1 || h2)) {
			*d++ = (char)(h1 * 16 + h2);
			s += 2;
		} else {
			*d++ = *s;
		}
	}
	*d = 0;
}

/*
 * Canonical host, path and query in h (url.h); the fragment is taken out
 * into *frag (malloc'd, raw; NULL when none or empty). 0 or a CURLUcode.
 */
static CURLUcode canon_parts(CURLU *h, char **frag)
{
	char *host = NULL, *path = NULL, *query = NULL, *n = NULL;
	CURLUcode rc;

	*frag = NULL;
	rc = get(h, CURLUPART_HOST, &host, CURLU_PUNYCODE);
	if (rc != CURLUE_OK && rc != CURLUE_NO_HOST)
		rc = get(h, CURLUPART_HOST, &host, 0); /* the C locale: stays Unicode */
	if (rc == CURLUE_OK) {
		char *p;

		/* curl takes any bytes for a name that IDN cannot convert */
		if (!utf8_valid(host)) {
			rc = CURLUE_BAD_HOSTNAME;
			goto out;
		}
		for (p = host; *p; p++)
			*p = (char)lower((unsigned char)*p);
		if ((rc = curl_url_set(h, CURLUPART_HOST, host, 0)) != CURLUE_OK)
			goto out;
	} else if (rc != CURLUE_NO_HOST) {
		goto out;
	}
	if ((rc = get(h, CURLUPART_PATH, &path, 0)) != CURLUE_OK)
		goto out;
	if (!(n = normalise(path, 0))) {
		rc = CURLUE_OUT_OF_MEMORY;
		goto out;
	}
	if ((rc = curl_url_set(h, CURLUPART_PATH, *n ? n : "/", 0)) != CURLUE_OK)
		goto out;
	free(n);
	n = NULL;
	rc = get(h, CURLUPART_QUERY, &query, 0);
	if (rc == CURLUE_OK) {
		if (!(n = normalise(query, 1))) {
			rc = CURLUE_OUT_OF_MEMORY;
			goto out;
		}
		if ((rc = curl_url_set(h, CURLUPART_QUERY, *n ? n : NULL, 0)) != CURLUE_OK)
			goto out;
	} else if (rc != CURLUE_NO_QUERY) {
		goto out;
	}
	curl_free(query);
	query = NULL;
	rc = get(h, CURLUPART_FRAGMENT, &query, 0);
	if (rc == CURLUE_OK && *query && !(*frag = strdup(query))) {
		rc = CURLUE_OUT_OF_MEMORY;
		goto out;
	}
	if (rc != CURLUE_OK && rc != CURLUE_NO_FRAGMENT)
		goto out;
	rc = curl_url_set(h, CURLUPART_FRAGMENT, NULL, 0);
out:
	if (rc != CURLUE_OK) {
		free(*frag);
		*frag = NULL;
	}
	free(n);
	curl_free(host);
	curl_free(path);
	curl_free(query);
	return rc;
}

/*
 * Uppercase hex in every %XX of s. curl_url_set lowercases it when it takes
 * a part (7.88), but keeps it as written in a whole URL.
 */
static void upper_hex(char *s)
{
	for (; (s = strchr(s, '%')); s++)
		if (hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
			s[1] = (char)(s[1] >= 'a' ? s[1] - 32 : s[1]);
			s[2] = (char)(s[2] >= 'a' ? s[2] - 32 : s[2]);
		}
}

/*
 * The canonical URL of h into *url (curl_free it); *frag as canon_parts.
 * The URL goes through curl once more, as a whole: decoding %2E may have
 * made dot segments, which a fresh parse removes, and a whole URL keeps
 * the uppercase hex that curl lowercased in the parts.
 */
static CURLUcode canon(CURLU *h, char **url, char **frag)
{
	CURLU *h2 = NULL;
	char *s = NULL;
	CURLUcode rc;

	*url = NULL;
	if ((rc = canon_parts(h, frag)) != CURLUE_OK)
		return rc;
	if ((rc = get(h, CURLUPART_URL, &s, CURLU_NO_DEFAULT_PORT)) != CURLUE_OK)
		goto out;
	upper_hex(s);
	if (!(h2 = curl_url())) {
		rc = CURLUE_OUT_OF_MEMORY;
		goto out;
	}
	if ((rc = curl_url_set(h2, CURLUPART_URL, s, PARSE_FLAGS)) != CURLUE_OK)
		goto out;
	if (!strncmp(s, "file:", 5)) {
		/* 7.88 writes "file:///" back as "file://(nil)": a file URL is its path */
		char *path;

		if ((rc = get(h2, CURLUPART_PATH, &path, 0)) != CURLUE_OK)
			goto out;
		if (!(*url = curl_maprintf("file://%s", path)))
			rc = CURLUE_OUT_OF_MEMORY;
		curl_free(path);
		goto out;
	}
	rc = get(h2, CURLUPART_URL, url, CURLU_NO_DEFAULT_PORT);
out:
	if (rc != CURLUE_OK) {
		free(*frag);
		*frag = NULL;
	}
	curl_url_cleanup(h2);
	curl_free(s);
	return rc;
}

/* ---- the API --------------------------------------------------------------------------- */

const char *fo_url_kind_name(int kind)
{
	switch (kind) {
	case FO_URL_HTTP:
		return "http";
	case FO_URL_FILE:
		return "file";
	case FO_URL_SAME_PAGE:
		return "same page";
	case FO_URL_SKIPPED:
		return "skipped";
	case FO_URL_UNSUPPORTED:
		return "unsupported";
	}
	return "?";
}

/* Writes the scheme to out for a skipped or unsupported link. */
static int scheme_result(int kind, const char *scheme, char *out, size_t outlen, char *err, size_t errlen)
{
	if (strlen(scheme) >= outlen)
		return fail(err, errlen, -ENAMETOOLONG, "no room for the scheme '%s'", scheme);
	memcpy(out, scheme, strlen(scheme) + 1);
	return kind;
}

/* A link resolved against its page as a browser does: trimmed, skipped
 * and unsupported schemes, the length bound, relative resolution through
 * curl's URL API, the fragment apart. Over 80 lines as one ordered list
 * of checks, each with its own error text. NEEDSWORK: the checks before
 * the resolution could stand in a function of their own. */
int fo_url_resolve(const char *base, const char *ref, char *out, size_t outlen, const char **frag,
		   char *err, size_t errlen)
{
	char scheme[SCHEME_MAX + 1], bscheme[SCHEME_MAX + 1], q[QUOTE_MAX + 8], m[128];
	char *cref = NULL, *cbase = NULL, *url = NULL, *fr = NULL;
	const char *b, *e;
	CURLU *h = NULL;
	CURLUcode rc;
	size_t i, ulen, flen;
	int kind = 0, same = 0, ret;

	if (frag)
		*frag = NULL;
	if (err && errlen)
		err[0] = 0;
	if (outlen)
		out[0] = 0;
	trim(ref, &b, &e);
	scheme_of(b, e, scheme);
	for (i = 0; i < sizeof(skipped_schemes) / sizeof(skipped_schemes[0]); i++)
		if (!strcmp(scheme, skipped_schemes[i]))
			return scheme_result(FO_URL_SKIPPED, scheme, out, outlen, err, errlen);
	if (*scheme && !special(scheme))
		return scheme_result(FO_URL_UNSUPPORTED, scheme, out, outlen, err, errlen);
	if ((size_t)(e - b) > FO_URL_MAX)
		return fail(err, errlen, -ENAMETOOLONG, "link '%s' is longer than %d bytes", quote(q, sizeof(q), ref),
			    FO_URL_MAX);
	if (!*scheme) {
		const char *p = b;

		if (!base)
			return fail(err, errlen, -EINVAL, "link '%s' is relative and there is no base to resolve it against",
				    quote(q, sizeof(q), ref));
		while (p < e && tab_or_newline(*p))
			p++;
		same = p == e || *p == '#';
	}
	if (base && (!*scheme || same)) {
		const char *bb, *be;

		trim(base, &bb, &be);
		if (!special(scheme_of(bb, be, bscheme)))
			return fail(err, errlen, -EINVAL, "base '%s' is not an http, https or file URL",
				    quote(q, sizeof(q), base));
		if ((size_t)(be - bb) > FO_URL_MAX)
			return fail(err, errlen, -ENAMETOOLONG, "base '%s' is longer than %d bytes",
				    quote(q, sizeof(q), base), FO_URL_MAX);
		if (!(cbase = clean(bb, be, 1))) {
			ret = -ENOMEM;
			goto out;
		}
	}
	if (!(cref = clean(b, e, *scheme ? special(scheme) : special(bscheme))) || !(h = curl_url())) {
		ret = -ENOMEM;
		goto out;
	}
	if (cbase && (rc = curl_url_set(h, CURLUPART_URL, cbase, PARSE_FLAGS)) != CURLUE_OK) {
		ret = fail(err, errlen, curl_error(rc), "cannot parse the base '%s': %s", quote(q, sizeof(q), base),
			   curl_msg(m, sizeof(m), rc));
		goto out;
	}
	if (!same && (rc = curl_url_set(h, CURLUPART_URL, cref, PARSE_FLAGS)) != CURLUE_OK) {
		ret = fail(err, errlen, curl_error(rc), "cannot parse link '%s': %s", quote(q, sizeof(q), ref),
			   curl_msg(m, sizeof(m), rc));
		goto out;
	}
	if ((rc = canon(h, &url, &fr)) != CURLUE_OK) {
		ret = fail(err, errlen, curl_error(rc), "cannot parse link '%s': %s", quote(q, sizeof(q), ref),
			   curl_msg(m, sizeof(m), rc));
		goto out;
	}
	if (same) {
		/* the link's own fragment, not the base's ("#" alone: none) */
		const char *hash = memchr(cref, '#', strlen(cref));

		free(fr);
		fr = NULL;
		if (hash && hash[1] && !(fr = strdup(hash + 1))) {
			ret = -ENOMEM;
			goto out;
		}
		kind = FO_URL_SAME_PAGE;
	} else {
		kind = !strncmp(url, "file:", 5) ? FO_URL_FILE : !strncmp(url, "http", 4) ? FO_URL_HTTP : 0;
		if (!kind) { /* curl reads schemes more loosely than RFC 3986: "1http://x" */
			ret = fail(err, errlen, -EINVAL, "link '%s' is not http, https or file", quote(q, sizeof(q), ref));
			goto out;
		}
	}
	ulen = strlen(url);
	flen = fr ? strlen(fr) + 1 : 0;
	if (ulen > FO_URL_MAX || ulen + 1 + flen > outlen) {
		ret = fail(err, errlen, -ENAMETOOLONG, "link '%s' makes a URL longer than %zu bytes",
			   quote(q, sizeof(q), ref), ulen > FO_URL_MAX ? (size_t)FO_URL_MAX : outlen);
		goto out;
	}
	memcpy(out, url, ulen + 1);
	if (fr) {
		fo_url_decode(out + ulen + 1, fr);
		if (frag)
			*frag = out + ulen + 1;
	}
	ret = kind;
out:
	if (ret < 0 && outlen)
		out[0] = 0;
	curl_url_cleanup(h);
	curl_free(url);
	free(fr);
	free(cref);
	free(cbase);
	return ret;
}

int fo_url_host_key(const char *url, char *out, size_t outlen)
{
	CURLU *h = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL;
	CURLUcode rc;
	int ret = -EINVAL, n;

	if (!h)
		return -ENOMEM;
	if ((rc = curl_url_set(h, CURLUPART_URL, url, PARSE_FLAGS)) != CURLUE_OK ||
	    (rc = get(h, CURLUPART_SCHEME, &scheme, 0)) != CURLUE_OK) {
		ret = curl_error(rc);
		goto out;
	}
	if (!strcmp(scheme, "file")) {
		n = snprintf(out, outlen, "file://");
	} else {
		if ((rc = get(h, CURLUPART_HOST, &host, 0)) != CURLUE_OK ||
		    (rc = get(h, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT)) != CURLUE_OK) {
			ret = curl_error(rc);
			goto out;
		}
		n = snprintf(out, outlen, "%s://%s:%s", scheme, host, port);
	}
	ret = n >= 0 && (size_t)n < outlen ? 0 : -ENAMETOOLONG;
out:
	if (ret < 0 && outlen)
		out[0] = 0;
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(h);
	return ret;
}

bool fo_url_in_scope(const char *url, const char *scope)
{
	size_t n = strlen(scope);

	if (!n || strncmp(url, scope, n))
		return false;
	return scope[n - 1] == '/' || url[n] == 0 || url[n] == '/' || url[n] == '?';
}

int fo_url_from_path(const char *path, char *out, size_t outlen, char *err, size_t errlen)
{
	char q[QUOTE_MAX + 8], *abs, *s = NULL, *o;
	const char *p;
	struct stat st;
	int ret;

	if (!(abs = realpath(path, NULL)))
		return fail(err, errlen, -errno, "cannot read '%s': %s", quote(q, sizeof(q), path), strerror(errno));
	if (stat(abs, &st) < 0) {
		ret = fail(err, errlen, -errno, "cannot read '%s': %s", quote(q, sizeof(q), path), strerror(errno));
		goto out;
	}
	if (strlen(abs) > FO_URL_MAX) {
		ret = fail(err, errlen, -ENAMETOOLONG, "path '%s' is longer than %d bytes", quote(q, sizeof(q), path),
			   FO_URL_MAX);
		goto out;
	}
	/* every byte a path segment does not hold as is, "%" included */
	if (!(s = malloc(strlen(abs) * 3 + 16))) {
		ret = -ENOMEM;
		goto out;
	}
	o = s + snprintf(s, 16, "file://");
	for (p = abs; *p; p++) {
		int c = (unsigned char)*p;

		if (allowed(c, 0)) {
			*o++ = (char)c;
		} else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	if (S_ISDIR(st.st_mode) && o[-1] != '/')
		*o++ = '/';
	*o = 0;
	ret = fo_url_resolve(NULL, s, out, outlen, NULL, err, errlen);
	if (ret > 0)
		ret = 0;
out:
	free(s);
	free(abs);
	return ret;
}

int fo_url_to_path(const char *url, char *path, size_t pathlen, char *err, size_t errlen)
{
	static const char index[] = "index.html";
	char q[QUOTE_MAX + 8], m[128], *upath = NULL, *scheme = NULL;
	CURLU *h = curl_url();
	CURLUcode rc;
	struct stat st;
	size_t n;
	const char *s;
	int ret = 0;

	if (!h)
		return -ENOMEM;
	if ((rc = curl_url_set(h, CURLUPART_URL, url, PARSE_FLAGS)) != CURLUE_OK ||
	    (rc = get(h, CURLUPART_SCHEME, &scheme, 0)) != CURLUE_OK ||
	    (rc = get(h, CURLUPART_PATH, &upath, 0)) != CURLUE_OK) {
		ret = fail(err, errlen, curl_error(rc), "cannot parse '%s': %s", quote(q, sizeof(q), url),
			   curl_msg(m, sizeof(m), rc));
		goto out;
	}
	if (strcmp(scheme, "file")) {
		ret = fail(err, errlen, -EINVAL, "'%s' is not a file URL", quote(q, sizeof(q), url));
		goto out;
	}
	for (s = upath; (s = strchr(s, '%')); s++) {
		int h1 = hexval(s[1]), h2 = h1 >= 0 ? hexval(s[2]) : -1;

		if (h2 >= 0 && (h1 * 16 + h2 == 0 || h1 * 16 + h2 == '/')) {
			ret = fail(err, errlen, -EINVAL, "'%s' names no file: it holds %%%c%c",
				   quote(q, sizeof(q), url), s[1], s[2]);
			goto out;
		}
	}
	if (strlen(upath) + sizeof(index) + 1 > pathlen) {
		ret = fail(err, errlen, -ENAMETOOLONG, "the path of '%s' is too long", quote(q, sizeof(q), url));
		goto out;
	}
	fo_url_decode(path, upath);
	n = strlen(path);
	if (n && path[n - 1] == '/') {
		memcpy(path + n, index, sizeof(index));
	} else if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		path[n] = '/';
		memcpy(path + n + 1, index, sizeof(index));
		ret = FO_URL_DIR;
	}
out:
	if (ret < 0 && pathlen)
		path[0] = 0;
	curl_free(upath);
	curl_free(scheme);
	curl_url_cleanup(h);
	return ret;
}

int fo_url_fragment(const char *ref, char *out, size_t outlen)
{
	const char *b, *e, *h;
	size_t n = 0;

	trim(ref, &b, &e);
	if (!(h = memchr(b, '#', (size_t)(e - b))))
		return -ENOENT;
	for (h++; h < e; h++) {
		int c = (unsigned char)*h;

		if (tab_or_newline(c))
			continue;
		if (n + 4 > outlen)
			return -ENAMETOOLONG;
		if (c <= 0x20 || c > 0x7e || strchr("\"<>`", c)) {
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		} else {
			out[n++] = (char)c;
		}
	}
	if (n >= outlen)
		return -ENAMETOOLONG;
	out[n] = 0;
	return (int)n;
}
