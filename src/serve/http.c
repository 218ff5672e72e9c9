/*
 * Request-head parsing for HTTP/1.x (RFC 9112): request line, header
 * fields, and the three fields the server acts on (Connection,
 * Content-Length, Transfer-Encoding). Strict where laxness smuggles
 * requests: obsolete line folding, a bare LF or CR (found as soon as it
 * comes, not when a blank line does), conflicting lengths, and
 * Content-Length beside Transfer-Encoding are all malformed.
 */
#include <string.h>
#include <strings.h>

#include "http.h"

/* RFC 9110's tchar: ALPHA, DIGIT and "!#$%&'*+-.^_`|~". */
static const bool tchar[256] = {
	['0' ... '9'] = true, ['A' ... 'Z'] = true, ['a' ... 'z'] = true,
	['!'] = true, ['#'] = true, ['$'] = true, ['%'] = true, ['&'] = true, ['\''] = true,
	['*'] = true, ['+'] = true, ['-'] = true, ['.'] = true, ['^'] = true, ['_'] = true,
	['`'] = true, ['|'] = true, ['~'] = true,
};

static inline bool is_tchar(unsigned char c)
{
	return tchar[c];
}

/* Does the comma-separated list v (len n) hold the token tok? */
static bool has_token(const char *v, size_t n, const char *tok)
{
	size_t tl = strlen(tok), i = 0;

	while (i < n) {
		size_t s, e;

		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		s = i;
		while (i < n && v[i] != ',')
			i++;
		e = i;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e - s == tl && !strncasecmp(v + s, tok, tl))
			return true;
	}
	return false;
}

/*
 * The end of the head (after its CRLF CRLF) in buf[0..len), or NULL while
 * there is none. A LF without its CR, or a CR without its LF, sets *bad at
 * once: RFC 9112 §2.2 lets a recipient take a bare LF as a line end, but a
 * server that does while a proxy in front does not is how requests get
 * smuggled; we answer 400 instead, without waiting for a blank line that
 * bare LFs never make.
 */
static const char *find_end(const char *buf, size_t len, bool *bad)
{
	const char *p = buf, *end = buf + len;

	*bad = false;
	/* line by line (memchr: few calls on a short head, each fast) */
	for (;;) {
		const char *lf = memchr(p, '\n', (size_t)(end - p));
		const char *stop = lf ? lf : end;
		const char *cr = memchr(p, '\r', (size_t)(stop - p));

		/* a CR is allowed only just before the LF, or as the last byte
		 * read so far (its LF may come) */
		if (cr && cr != stop - 1) {
			*bad = true;
			return NULL;
		}
		if (!lf)
			return NULL;
		if (lf == buf || lf[-1] != '\r') {
			*bad = true;
			return NULL;
		}
		if (lf - buf >= 3 && lf[-2] == '\n' && lf[-3] == '\r')
			return lf + 1;
		p = lf + 1;
	}
}

/* One pass over the request head (RFC 9112 section 2-3, 6): request
 * line, then every field line with the framing rules that guard against
 * smuggling; kept whole so the order of checks is visible. */
int fo_http_parse(const char *buf, size_t len, size_t max_head, struct fo_http_req *r)
{
	const char *end, *p, *line_end;
	bool conn_close = false, conn_keep = false, have_cl = false, bad = false;

	end = find_end(buf, len < max_head ? len : max_head, &bad);
	if (bad)
		return FO_HTTP_BAD;
	if (!end)
		return len >= max_head ? FO_HTTP_BIG : FO_HTTP_MORE;
	memset(r, 0, sizeof(*r));
	r->content_length = -1;
	p = buf;
	/* method SP target SP HTTP/1.x CRLF */
	r->method = p;
	while (p < end && is_tchar((unsigned char)*p))
		p++;
	r->method_len = (size_t)(p - r->method);
	if (!r->method_len || *p != ' ')
		return FO_HTTP_BAD;
	r->target = ++p;
	while (p < end && (unsigned char)*p > ' ' && *p != 0x7f)
		p++;
	r->target_len = (size_t)(p - r->target);
	if (!r->target_len || *p != ' ')
		return FO_HTTP_BAD;
	p++;
	if (end - p < 10 || memcmp(p, "HTTP/1.", 7) || p[7] < '0' || p[7] > '9' || p[8] != '\r' || p[9] != '\n')
		return FO_HTTP_BAD;
	r->minor = p[7] - '0';
	p += 10;
	/* header fields, up to the blank line */
	while (p < end - 2) {
		const char *name = p, *v, *ve;
		size_t nl;

		line_end = memchr(p, '\r', (size_t)(end - p));
		if (!line_end || line_end[1] != '\n')
			return FO_HTTP_BAD;
		while (p < line_end && is_tchar((unsigned char)*p))
			p++;
		nl = (size_t)(p - name);
		if (!nl || *p != ':')
			return FO_HTTP_BAD; /* also catches obs-fold: a line starting with SP */
		v = p + 1;
		while (v < line_end && (*v == ' ' || *v == '\t'))
			v++;
		ve = line_end;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		for (const char *q = v; q < ve; q++)
			if (((unsigned char)*q < ' ' && *q != '\t') || *q == 0x7f)
				return FO_HTTP_BAD;
		if (nl == 10 && !strncasecmp(name, "connection", 10)) {
			conn_close |= has_token(v, (size_t)(ve - v), "close");
			conn_keep |= has_token(v, (size_t)(ve - v), "keep-alive");
		} else if (nl == 14 && !strncasecmp(name, "content-length", 14)) {
			long long cl = 0;
			const char *q;

			if (v == ve)
				return FO_HTTP_BAD;
			for (q = v; q < ve; q++) {
				if (*q < '0' || *q > '9' || cl > 100000000000000LL)
					return FO_HTTP_BAD;
				cl = cl * 10 + (*q - '0');
			}
			if (have_cl && cl != r->content_length)
				return FO_HTTP_BAD;
			have_cl = true;
			r->content_length = cl;
		} else if (nl == 17 && !strncasecmp(name, "transfer-encoding", 17)) {
			r->chunked = has_token(v, (size_t)(ve - v), "chunked");
			if (!r->chunked)
				return FO_HTTP_BAD; /* an encoding we cannot frame */
		}
		p = line_end + 2;
	}
	if (r->chunked && have_cl)
		return FO_HTTP_BAD;
	r->keep_alive = r->minor >= 1 ? !conn_close : (conn_keep && !conn_close);
	r->head_len = (size_t)(end - buf);
	return (int)r->head_len;
}
