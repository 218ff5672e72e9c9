/*
 * URLs for `fanout links`: what a link in a page points at, in one
 * canonical spelling, so that each target is checked once and pages are
 * grouped by host. Parsing, reference resolution (RFC 3986 section 5.2)
 * and dot-segment removal are libcurl's URL API (curl_url_set on a handle
 * that holds the base); this file adds what that API leaves to its caller:
 * telling the kinds of links apart, and normalising what curl keeps as
 * written (host case, percent-encoding, default ports).
 *
 * The canonical form (RFC 3986 section 6.2.2, plus a little of what
 * browsers do):
 *   - scheme and host lowercased; a Unicode host in punycode (xn--...)
 *     when the process runs under a UTF-8 LC_CTYPE (see below);
 *   - no default port (":80" on http, ":443" on https);
 *   - dot segments removed, also those written %2E;
 *   - percent-encoding with uppercase hex, unreserved characters
 *     (A-Z a-z 0-9 - . _ ~) decoded, every other byte that RFC 3986 does not
 *     allow in a path or query (space, controls, "<>\"`{}|^[]\\", a lone
 *     "%", UTF-8) encoded: "/a b/ü?q=ä" is "/a%20b/%C3%BC?q=%C3%A4";
 *   - an empty path is "/"; an empty query ("?") or fragment ("#") is
 *     dropped; "+" in a query stays "+";
 *   - no fragment: it is returned apart, percent-decoded, as page ids are
 *     written (see fo_url_resolve);
 *   - userinfo ("user:pw@") kept as written; an IPv6 zone ("%25eth0")
 *     dropped;
 *   - file URLs: "file:///path" (curl keeps no host but localhost, which
 *     it drops, and no query).
 * Canonical URLs are plain ASCII (but for a Unicode host under a non-UTF-8
 * locale) and a fixed point: resolving one again gives it back unchanged
 * (tests/fuzz/fuzz-url.c checks that).
 *
 * What links look like before that, as HTML does it (WHATWG URL): leading
 * and trailing spaces and controls stripped, tabs and newlines inside
 * removed, and "\" read as "/" before the query in http, https and file
 * links ("..\img\a.png"). The scheme-relative forms "http:g" of RFC 3986
 * section 5.4.2 are errors (libcurl wants "scheme://").
 *
 * Decisions on libcurl's flags:
 *   - CURLU_NON_SUPPORT_SCHEME on every parse, so that http, https and file
 *     parse alike whichever protocols this libcurl was built with (whether
 *     a transfer can be made is the checker's business, not the parser's);
 *   - no CURLU_GUESS_SCHEME: in a page, "www.example.com" is a relative
 *     path, as browsers read it; a command-line argument without a scheme
 *     is a local file (fo_url_from_path), not a guessed host;
 *   - no CURLU_URLENCODE: it turns spaces in queries into "+" (not the same
 *     thing) and writes lowercase hex; we encode ourselves, after parsing,
 *     one component at a time;
 *   - CURLU_NO_DEFAULT_PORT when reading the URL back; CURLU_PUNYCODE
 *     (libcurl 7.88) for the host.
 *
 * libcurl behaviours worth knowing (7.88, Debian 12): it lowercases the
 * scheme but not the host; it keeps "%7e" and "%2e" as written in a whole
 * URL, but lowercases the hex of a part set alone ("%2F" -> "%2f");
 * resolving "" or "#s" against a base loses the base's last segment and
 * query (so those are handled here, as the same page); "file:///" reads
 * back as "file://(nil)" (so file URLs are rebuilt from their path); a
 * failed CURLU_PUNYCODE get returns CURLUE_OUT_OF_MEMORY and leaves an
 * allocated string behind (freed here); it takes a host of any bytes
 * ("a\xff.com", refused here as not UTF-8); IDN conversion goes through
 * libidn2's idn2_lookup_ul, which reads the host in the locale's charset:
 * under the C locale it fails, and the host stays Unicode (lowercased in
 * ASCII only). Programs that want punycode hosts call
 * setlocale(LC_CTYPE, "C.UTF-8") (or "") once at start; libcurl's own
 * transfers to such hosts need the same.
 *
 * Every function is pure (no state of its own; any thread; only IDN hosts
 * depend on the process's locale, as above) but fo_url_from_path and
 * fo_url_to_path, which ask the file system. They
 * never keep a pointer to an argument. Errors are negative errno values
 * with a line for people in err (lowercase, the link quoted, cut at 80
 * bytes): -EINVAL a link libcurl cannot parse, -ENAMETOOLONG a URL longer
 * than FO_URL_MAX or than the caller's buffer, -ENOMEM, -ENOENT and the
 * like from the file system.
 */
#ifndef FO_LINKS_URL_H
#define FO_LINKS_URL_H

#include <stdbool.h>
#include <stddef.h>

/* The longest link and the longest canonical URL handled (bytes, without the NUL). */
#define FO_URL_MAX 8192

enum fo_url_kind {
	FO_URL_HTTP = 1,    /* http: or https: — out holds the canonical URL */
	FO_URL_FILE,        /* file: — out holds "file:///absolute/path" */
	FO_URL_SAME_PAGE,   /* "" or "#frag": out holds the canonical base */
	FO_URL_SKIPPED,     /* mailto:, tel:, javascript:, data: — out holds the scheme */
	FO_URL_UNSUPPORTED, /* any other scheme (ftp:, irc:, ssh:...) — out holds the scheme */
};

/* "http", "file", "same page", "skipped", "unsupported"; "?" for others. */
const char *fo_url_kind_name(int kind);

/*
 * Resolves ref (a link as written in a page: an attribute's value) against
 * base (the page's URL, or its <base href> resolved against that; NULL when
 * ref must be absolute, as on a command line) and writes the canonical
 * result to out (outlen bytes, FO_URL_MAX + 2 is always enough for
 * the URL, and twice that with a fragment).
 *
 * Returns the kind (> 0) or a negative error. For FO_URL_HTTP, FO_URL_FILE
 * and FO_URL_SAME_PAGE, out holds the URL without its fragment, and *frag
 * (frag may be NULL) points at the fragment inside out, past the URL's NUL:
 * percent-decoded (UTF-8, as ids are written; a "%00" stays encoded), or
 * NULL when the link has none or an empty one. For FO_URL_SKIPPED and
 * FO_URL_UNSUPPORTED, out holds the scheme, lowercased ("mailto"), so that
 * the caller can count by scheme, and *frag is NULL; such links need no
 * base and may be any length (a data: URL of a megabyte is skipped, not an
 * error).
 *
 * base must be an http, https or file URL (any spelling; it is made
 * canonical too). Only the first matching <base href> of a page counts
 * (fo_extract_base), and it is itself resolved against the page's URL.
 */
int fo_url_resolve(const char *base, const char *ref, char *out, size_t outlen, const char **frag,
		   char *err, size_t errlen);

/*
 * The key that per-host limits count under: "scheme://host:port" with the
 * port always written ("https://example.com:443"), from a canonical URL;
 * "file://" for every file URL. 0 or a negative error.
 */
int fo_url_host_key(const char *url, char *out, size_t outlen);

/*
 * Does url lie within scope? Both canonical (outputs of fo_url_resolve). A
 * prefix match that stops at a boundary: scope "https://a.com/docs" covers
 * ".../docs", ".../docs/x" and ".../docs?x" but not ".../docs2"; a scope
 * ending in "/" covers everything under it.
 */
bool fo_url_in_scope(const char *url, const char *scope);

/*
 * A local file or folder (path as given on a command line, relative to the
 * working directory) as a canonical file URL, symlinks resolved: a folder
 * ends with "/" so that relative links in its index.html resolve inside it.
 * The path must exist (-ENOENT and the like otherwise).
 */
int fo_url_from_path(const char *path, char *out, size_t outlen, char *err, size_t errlen);

/*
 * The local path a canonical file URL names, percent-decoded, written to
 * path. A folder is its index.html: "file:///site/" gives
 * "/site/index.html". Returns 0, or FO_URL_DIR when the URL named a folder
 * without the final "/" ("file:///site/docs"): the caller then treats the
 * page as moved to the URL plus "/" (as web servers redirect), so that its
 * relative links resolve inside the folder. A "%00" or "%2F" in the URL is
 * -EINVAL; whether index.html exists is left to the caller's open().
 */
#define FO_URL_DIR 1
int fo_url_to_path(const char *url, char *path, size_t pathlen, char *err, size_t errlen);

/*
 * The fragment of ref (a link as written) as the URL standard keeps it,
 * not decoded: what follows the first "#", tabs and newlines dropped, the
 * ends trimmed, and the fragment percent-encode set (controls, space,
 * '"', "<", ">", "`", bytes past 0x7E) encoded; "%" stays as written, so
 * "#tangent%3A-x" is "tangent%3A-x". HTML looks a fragment up raw first,
 * then percent-decoded (fo_url_decode): fo_url_resolve's *frag is the
 * decoded one. Returns its length, -ENOENT when ref has no "#", or
 * -ENAMETOOLONG when out (outlen bytes) cannot hold it.
 */
int fo_url_fragment(const char *ref, char *out, size_t outlen);

/* s percent-decoded into d, which has room for strlen(s) + 1 bytes (d may
 * be s); a "%00" stays as written, as in fo_url_resolve's fragments. */
void fo_url_decode(char *d, const char *s);

#endif
