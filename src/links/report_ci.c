/*
 * The CI reports of `fanout links` (report.h): GitHub Actions workflow
 * commands, so that a broken link shows on the pull request's diff at its
 * line, and SARIF 2.1.0, which GitHub code scanning (and other viewers)
 * read. Both name a page that is a local file by its path relative to the
 * working directory (a workflow runs at the repository's root), and a page
 * fetched over HTTP by its URL.
 *
 * Escaping is GitHub's own (@actions/core, src/command.ts): a message
 * escapes %, CR and LF; a property also : and ,. A URL or a server's
 * reason can then never end the command or start another: a page that
 * links to "x\n::add-mask::" stays one line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/json.h"
#include "report.h"
#include "url.h"

#ifndef FO_VERSION
#define FO_VERSION "0"
#endif

void fo__gh_escape(FILE *f, const char *s, bool property)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '%': fputs("%25", f); break;
		case '\r': fputs("%0D", f); break;
		case '\n': fputs("%0A", f); break;
		case ':': property ? fputs("%3A", f) : fputc(':', f); break;
		case ',': property ? fputs("%2C", f) : fputc(',', f); break;
		default: fputc(*s, f);
		}
	}
}

/* The path of a page that is a local file, relative to the working
 * directory when under it; false for a page over HTTP. */
static bool local_path(const char *url, char *out, size_t len)
{
	char path[FO_URL_MAX + 2], cwd[4096], err[160];
	size_t k;

	if (strncmp(url, "file:", 5) || fo_url_to_path(url, path, sizeof(path), err, sizeof(err)) < 0)
		return false;
	if (getcwd(cwd, sizeof(cwd)) && (k = strlen(cwd)) && !strncmp(path, cwd, k) && path[k] == '/')
		snprintf(out, len, "%s", path + k + 1);
	else
		snprintf(out, len, "%s", path);
	return true;
}

static bool is_redirect(const struct fo__finding *x)
{
	return !strcmp(x->kind, "redirect");
}

static const char *title_of(const struct fo__finding *x)
{
	if (is_redirect(x))
		return "sitemap entry redirects";
	if (!strcmp(x->kind, "fragment"))
		return "broken fragment";
	return x->tag && (!strcmp(x->tag, "loc") || !strcmp(x->tag, "sitemap")) ? "broken sitemap entry" : "broken link";
}

void fo__report_github(FILE *f, const struct fo_crawl *c, const struct fo__finding *v, size_t n)
{
	char *path = malloc(FO_URL_MAX + 2);
	size_t i;

	if (!path)
		return;
	for (i = 0; i < n; i++) {
		const struct fo__finding *x = &v[i];
		bool file = local_path(x->page, path, FO_URL_MAX + 2);

		fprintf(f, "::%s ", is_redirect(x) ? "warning" : "error");
		if (file) {
			fputs("file=", f);
			fo__gh_escape(f, path, true);
			if (x->line)
				fprintf(f, ",line=%u", x->line);
			if (x->line && x->col)
				fprintf(f, ",col=%u", x->col);
			fputc(',', f);
		}
		fputs("title=", f);
		fo__gh_escape(f, title_of(x), true);
		fputs("::", f);
		fo__gh_escape(f, x->url, false);
		fputs(": ", f);
		fo__gh_escape(f, x->reason, false);
		if (!file) {
			/* no file to annotate: say where, in the message */
			fputs(" (in ", f);
			fo__gh_escape(f, x->page, false);
			if (x->line)
				fprintf(f, ", line %u", x->line);
			fputc(')', f);
		}
		fputc('\n', f);
	}
	for (i = 0; i < c->nt; i++) {
		const struct fo_target *t = c->t[i];

		if (!t->note)
			continue;
		if (local_path(t->url, path, FO_URL_MAX + 2)) {
			fputs("::warning file=", f);
			fo__gh_escape(f, path, true);
			fputs(",title=page not read whole::", f);
		} else {
			fputs("::warning title=page not read whole::", f);
			fo__gh_escape(f, t->url, false);
			fputs(": ", f);
		}
		fo__gh_escape(f, t->note, false);
		fputc('\n', f);
	}
	free(path);
}

/* ---- SARIF ------------------------------------------------------------------------------ */

struct rule {
	const char *id, *name, *level, *text;
};

static const struct rule rules[] = {
	{ "broken-link", "BrokenLink", "error",
	  "A link to a page or file that does not answer, or answers with an error" },
	{ "broken-fragment", "BrokenFragment", "error",
	  "A link to a #fragment that the page it points at does not define (no id or name)" },
	{ "sitemap-redirect", "SitemapRedirect", "warning",
	  "A sitemap entry that redirects: a sitemap should list final URLs" },
};

static size_t rule_of(const struct fo__finding *x)
{
	return is_redirect(x) ? 2 : !strcmp(x->kind, "fragment") ? 1 : 0;
}

/* A relative path as a URI reference: every byte but the unreserved ones
 * and / percent-encoded (RFC 3986). */
static void uri_path(FILE *f, const char *p)
{
	static const char hex[] = "0123456789ABCDEF";
	char q[8];

	fputc('"', f);
	for (; *p; p++) {
		unsigned char ch = (unsigned char)*p;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    strchr("-._~/", ch))
			fputc(ch, f);
		else {
			q[0] = '%', q[1] = hex[ch >> 4], q[2] = hex[ch & 15], q[3] = 0;
			fputs(q, f);
		}
	}
	fputc('"', f);
}

static void sarif_rules(FILE *f)
{
	size_t i;

	fputs("\"rules\":[", f);
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		fprintf(f, "%s{\"id\":\"%s\",\"name\":\"%s\",\"shortDescription\":{\"text\":", i ? "," : "", rules[i].id,
			rules[i].name);
		fo__json_fputs(f, rules[i].text);
		fprintf(f, "},\"defaultConfiguration\":{\"level\":\"%s\"}}", rules[i].level);
	}
	fputc(']', f);
}

static void sarif_result(FILE *f, const struct fo__finding *x, char *path, size_t plen)
{
	size_t r = rule_of(x);
	char msg[FO_URL_MAX * 3];

	fprintf(f, "{\"ruleId\":\"%s\",\"ruleIndex\":%zu,\"level\":\"%s\",\"message\":{\"text\":", rules[r].id, r,
		rules[r].level);
	snprintf(msg, sizeof(msg), "%s: %s", x->url, x->reason);
	fo__json_fputs(f, msg);
	fputs("},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":", f);
	if (local_path(x->page, path, plen))
		uri_path(f, path);
	else
		fo__json_fputs(f, x->page);
	fputc('}', f);
	if (x->line) {
		fprintf(f, ",\"region\":{\"startLine\":%u", x->line);
		if (x->col)
			fprintf(f, ",\"startColumn\":%u", x->col);
		fputc('}', f);
	}
	fputs("}}],\"properties\":{\"url\":", f);
	fo__json_fputs(f, x->url);
	fputs(",\"tag\":", f);
	fo__json_fputs(f, x->tag ? x->tag : "start");
	fputs(",\"kind\":", f);
	fo__json_fputs(f, x->kind);
	fputs("}}", f);
}

void fo__report_sarif(FILE *f, const struct fo_crawl *c, const struct fo__finding *v, size_t n)
{
	char *path = malloc(FO_URL_MAX + 2);
	size_t i;
	bool first = true;

	if (!path)
		return;
	fputs("{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{"
	      "\"tool\":{\"driver\":{\"name\":\"fanout links\",\"version\":\"" FO_VERSION "\","
	      "\"informationUri\":\"https://github.com/fanout\",",
	      f);
	sarif_rules(f);
	fputs("}},\"invocations\":[{\"executionSuccessful\":true,\"toolExecutionNotifications\":[", f);
	for (i = 0; i < c->nt; i++) {
		char msg[FO_URL_MAX + 512];

		if (!c->t[i]->note)
			continue;
		snprintf(msg, sizeof(msg), "%s: %s", c->t[i]->url, c->t[i]->note);
		fputs(first ? "{\"level\":\"warning\",\"message\":{\"text\":" : ",{\"level\":\"warning\",\"message\":{\"text\":",
		      f);
		fo__json_fputs(f, msg);
		fputs("}}", f);
		first = false;
	}
	fputs("]}],\"results\":[", f);
	for (i = 0; i < n; i++) {
		if (i)
			fputc(',', f);
		sarif_result(f, &v[i], path, FO_URL_MAX + 2);
	}
	fputs("]}]}\n", f);
	free(path);
}
