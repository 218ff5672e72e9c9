/*
 * The simulated device (engine.h): devices and their configuration
 * journal, sessions and what a terminal does with their bytes (echo,
 * line editing, \r\n), the pager, and the faults. What a line typed
 * does is the platform's interpreter's: cli_ios.c (ios, nxos, eos,
 * iosxr) and cli_junos.c.
 *
 * The pager, as the devices do it: an output longer than the screen
 * stops after one screen less a line at the platform's marker; a space
 * shows the next screen, return the next line, q (on Cisco and Arista
 * any other key) ends the output. The marker is then erased: IOS and
 * IOS-XR back over " --More-- " with ten backspaces, ten spaces and ten
 * backspaces (what netmiko strips); NX-OS, EOS and Junos return to the
 * line's start, write spaces over it and return again ("\r" + spaces +
 * "\r", as Junos does). Junos's marker shows how much was shown:
 * "---(more 42%)---" (of the lines).
 */
#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine_int.h"

static const char *const platform_names[FO_DEV_NPLATFORMS] = {
	[FO_DEV_IOS] = "ios", [FO_DEV_NXOS] = "nxos", [FO_DEV_EOS] = "eos", [FO_DEV_JUNOS] = "junos",
	[FO_DEV_IOSXR] = "iosxr",
};

int fo_dev_platform_parse(const char *name)
{
	for (int p = 0; p < FO_DEV_NPLATFORMS; p++)
		if (name && !strcmp(name, platform_names[p]))
			return p;
	return -1;
}

const char *fo_dev_platform_name(enum fo_dev_platform p)
{
	return p < FO_DEV_NPLATFORMS ? platform_names[p] : "unknown";
}

/* ---- devices ------------------------------------------------------------------ */

struct fo_dev *fo_dev_new(uint32_t addr, enum fo_dev_platform p, enum fo_dev_fault f,
			  const struct fo_dev_fleet_cfg *cfg)
{
	struct fo_dev *d;

	if (p >= FO_DEV_NPLATFORMS)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	fo__devid_init(&d->id, addr, p, cfg ? cfg->user : NULL);
	d->fault = f;
	if (cfg && cfg->secret) {
		d->secret = strdup(cfg->secret);
		if (!d->secret) {
			free(d);
			return NULL;
		}
	}
	snprintf(d->hostname, sizeof(d->hostname), "%s", d->id.name);
	return d;
}

void fo_dev_free(struct fo_dev *d)
{
	if (!d)
		return;
	fo__files_free(d);
	free(d->journal.p);
	free(d->cand.p);
	free(d->secret);
	free(d);
}

const char *fo_dev_name(const struct fo_dev *d)
{
	return d->id.name;
}

enum fo_dev_platform fo_dev_platform(const struct fo_dev *d)
{
	return d->id.platform;
}

enum fo_dev_fault fo_dev_fault(const struct fo_dev *d)
{
	return d->fault;
}

static fo__gen_fn running_gen(enum fo_dev_platform p)
{
	switch (p) {
	case FO_DEV_JUNOS:
		return fo__jn_config;
	case FO_DEV_NXOS:
		return fo__nxos_running;
	case FO_DEV_EOS:
		return fo__eos_running;
	case FO_DEV_IOSXR:
		return fo__iosxr_running;
	default:
		return fo__ios_running;
	}
}

static int replay(const struct fo_dev *d, struct fo__conf *c, const struct fo_sbuf *j, size_t len);

int fo__dev_conf(const struct fo_dev *d, size_t len, const struct fo_sbuf *extra, struct fo__conf *c)
{
	struct fo_sbuf b = { 0 };
	size_t body = 0;
	int r;

	fo__gen_run(running_gen(d->id.platform), &d->id, 0, &b);
	if (b.oom) {
		free(b.p);
		memset(c, 0, sizeof(*c));
		return -1;
	}
	if (d->id.platform == FO_DEV_IOS)
		body = fo__conf_ios_body(b.p, b.len);
	r = fo__conf_parse(c, d->id.platform, b.p + body, b.len - body);
	free(b.p);
	if (!r)
		r = replay(d, c, &d->journal, len);
	if (!r && extra)
		r = replay(d, c, extra, extra->len);
	if (r) {
		fo__conf_release(c);
		return -1;
	}
	return 0;
}

/* The entry junos's rollback N leaves: the configuration as it was with
 * the journal's first bytes ("\001reset LEN"). */
static bool is_reset(const char *e, size_t *len)
{
	char *end;

	if (strncmp(e, "\001reset ", 7))
		return false;
	*len = (size_t)strtoull(e + 7, &end, 10);
	return true;
}

/* Applies a journal's first len bytes; a reset starts again from the
 * configuration it names (an earlier point of the journal). */
static int replay(const struct fo_dev *d, struct fo__conf *c, const struct fo_sbuf *j, size_t len)
{
	for (size_t at = 0; at < len && at < j->len;) {
		const char *e = j->p + at;
		size_t back;

		if (is_reset(e, &back)) {
			fo__conf_release(c);
			if (back > d->journal.len || (j == &d->journal && back > at) || fo__dev_conf(d, back, NULL, c))
				return -1;
		} else if (fo__conf_apply(c, e) < 0) {
			return -1;
		}
		at += strlen(e) + 1;
	}
	return 0;
}

/* The configuration after the journal's first len bytes, as show prints
 * it; head: IOS's line that states the size ("%zu" in it). */
static void dev_config_text(const struct fo_dev *d, size_t len, const char *head, struct fo_sbuf *out)
{
	struct fo__conf c;
	struct fo_sbuf body = { 0 };

	if (fo__dev_conf(d, len, NULL, &c)) {
		out->oom = true;
		return;
	}
	fo__conf_print(&c, &body);
	fo__conf_release(&c);
	if (body.oom)
		out->oom = true;
	else if (head)
		fo__addf(out, head, body.len);
	if (body.p)
		fo_sbuf_add(out, body.p, body.len);
	free(body.p);
}

void fo__dev_running(const struct fo_dev *d, struct fo_sbuf *out)
{
	bool ios = d->id.platform == FO_DEV_IOS;

	if (!d->journal.len) { /* as generated: no parse, the benchmark's case */
		fo__gen_run(running_gen(d->id.platform), &d->id, 0, out);
		return;
	}
	dev_config_text(d, d->journal.len, ios ? "Building configuration...\n\nCurrent configuration : %zu bytes\n" : NULL,
			out);
}

void fo__dev_startup(struct fo_dev *d, struct fo_sbuf *out)
{
	size_t start = out->len;
	char *m;

	if (d->id.platform == FO_DEV_IOS) {
		if (!d->saved || !d->startup)
			fo__gen_run(fo__ios_startup, &d->id, 0, out);
		else
			dev_config_text(d, d->startup, "Using %zu out of 2097152 bytes\n", out);
		return;
	}
	if (!d->saved || !d->startup)
		fo__gen_run(running_gen(d->id.platform), &d->id, 0, out);
	else
		dev_config_text(d, d->startup, NULL, out);
	/* the head says which it is: "!Command: show startup-config" */
	if (!out->oom && (m = memmem(out->p + start, out->len - start < 200 ? out->len - start : 200,
				     "show running-config", 19)))
		memcpy(m + 5, "startup", 7);
}

int fo__journal_add(struct fo_sbuf *j, const char *entry)
{
	size_t len = j->len, n = strlen(entry) + 1;

	if (len + n > FO__DEV_JOURNAL_MAX)
		return -1;
	fo_sbuf_add(j, entry, n);
	if (j->oom) {
		/* the old buffer stays good: forget the failed entry only */
		j->oom = false;
		j->len = len;
		return -1;
	}
	return 0;
}

/* The hostname the journal's first len bytes leave. */
static const char *host_at(struct fo_dev *d, size_t len)
{
	const char *name = d->id.name;
	bool junos = d->id.platform == FO_DEV_JUNOS;

	for (size_t at = 0; at < len && at < d->journal.len;) {
		const char *e = d->journal.p + at;
		size_t back;

		if (is_reset(e, &back) && back <= at) {
			name = host_at(d, back);
		} else if (junos) {
			if (!strncmp(e, "set system host-name ", 21))
				name = e + 21;
			else if (!strcmp(e, "delete system host-name") || !strcmp(e, "delete system"))
				name = d->id.name;
		} else if (!strncmp(e, "hostname ", 9)) {
			name = e + 9;
		} else if (!strcmp(e, "no hostname") || !strncmp(e, "no hostname ", 12)) {
			name = d->id.name;
		}
		at += strlen(e) + 1;
	}
	return name;
}

void fo__dev_rehost(struct fo_dev *d)
{
	const char *name = host_at(d, d->journal.len);
	size_t n;

	if (*name == '"') /* set system host-name "x" */
		name++;
	n = strcspn(name, " \"");
	if (n >= sizeof(d->hostname))
		n = sizeof(d->hostname) - 1;
	memcpy(d->hostname, name, n);
	d->hostname[n] = '\0';
}

int fo__dev_commit(struct fo_dev *d, const struct fo_sbuf *changes, unsigned confirm_secs)
{
	size_t before = d->journal.len;

	if (before + changes->len > FO__DEV_JOURNAL_MAX)
		return -1;
	for (size_t at = 0; at < changes->len;) {
		const char *e = changes->p + at;

		if (fo__journal_add(&d->journal, e)) {
			d->journal.len = before;
			return -1;
		}
		at += strlen(e) + 1;
	}
	memmove(d->commits + 1, d->commits, (FO__DEV_COMMITS - 1) * sizeof(d->commits[0]));
	d->commits[0] = before;
	if (d->ncommits < FO__DEV_COMMITS)
		d->ncommits++;
	if (confirm_secs) {
		if (!d->confirm_pending)
			d->confirm_len = before; /* a second one extends the first */
		d->confirm_pending = true;
		d->confirm_secs = confirm_secs;
		d->confirm_id = ++d->next_confirm_id;
	} else {
		d->confirm_pending = false; /* any commit confirms */
	}
	fo__dev_rehost(d);
	return 0;
}

bool fo_dev_confirm_pending(const struct fo_dev *d, unsigned *secs, uint64_t *id)
{
	if (d->confirm_pending) {
		if (secs)
			*secs = d->confirm_secs;
		if (id)
			*id = d->confirm_id;
	}
	return d->confirm_pending;
}

bool fo_dev_confirm_expire(struct fo_dev *d, uint64_t id)
{
	unsigned keep = 0;

	if (!d->confirm_pending || d->confirm_id != id)
		return false;
	d->confirm_pending = false;
	d->journal.len = d->confirm_len;
	/* the commits it undoes are no rollback points any more */
	while (keep < d->ncommits && d->commits[keep] >= d->confirm_len)
		keep++;
	memmove(d->commits, d->commits + keep, (d->ncommits - keep) * sizeof(d->commits[0]));
	d->ncommits -= keep;
	d->cand.len = 0; /* junos loads the rollback into the candidate too */
	fo__dev_rehost(d);
	return true;
}

void fo_dev_running_config(const struct fo_dev *d, struct fo_sbuf *out)
{
	fo__dev_running(d, out);
}

bool fo__dev_show(struct fo_dev *d, const char *words, struct fo_sbuf *out)
{
	for (const struct fo__show *t = fo__show_table(d->id.platform); t->words; t++) {
		if (!strcmp(t->words, words)) {
			fo__gen_run(t->gen, &d->id, 0, out);
			return true;
		}
	}
	return false;
}

/* ---- filters --------------------------------------------------------------------- */

/*
 * The output filters after a '|', matched with POSIX extended regular
 * expressions as the devices match them ("| include up|down"). ios and
 * iosxr take one filter, its pattern the rest of the line; nxos, eos
 * and junos chain them. include/exclude/begin/section/count (ios-like,
 * abbreviated as on IOS), grep (nxos, eos), match/except/find/count/
 * last N (junos; match's pattern may be quoted), no-more (never paged).
 */
struct pat {
	regex_t re;
	bool ok;
	const char *lit; /* when the pattern is no regular expression */
};

static void pat_init(struct pat *p, const char *text)
{
	p->lit = text;
	p->ok = !regcomp(&p->re, text, REG_EXTENDED | REG_NOSUB);
}

static bool pat_has(const struct pat *p, const char *line)
{
	return p->ok ? !regexec(&p->re, line, 0, NULL, 0) : strstr(line, p->lit) != NULL;
}

static void pat_release(struct pat *p)
{
	if (p->ok)
		regfree(&p->re);
}

enum { F_INCLUDE, F_EXCLUDE, F_BEGIN, F_SECTION, F_COUNT_IOS, F_COUNT_JN, F_LAST, F_NOMORE };

/* Filters out's lines; count and last print a count / keep the end. */
static void filter_lines(struct fo__out *o, int kind, const char *pattern)
{
	struct fo_sbuf *b = &o->text;
	struct pat p;
	size_t w = 0, n = 0, lines = 0;
	bool in = false;

	pat_init(&p, pattern);
	for (size_t r = 0; r < b->len;) {
		char *nl = memchr(b->p + r, '\n', b->len - r);
		size_t end = nl ? (size_t)(nl - b->p) + 1 : b->len, len = end - r;
		char save = b->p[end - 1];
		bool has, keep;

		if (save == '\n')
			b->p[end - 1] = '\0';
		has = pat_has(&p, b->p + r);
		b->p[end - 1] = save;
		switch (kind) {
		case F_INCLUDE:
			keep = has;
			break;
		case F_EXCLUDE:
			keep = !has;
			break;
		case F_BEGIN:
			keep = in = in || has;
			break;
		case F_SECTION: /* a top-level line that matches, and the lines indented under it */
			if (b->p[r] != ' ')
				in = has;
			keep = in;
			break;
		default:
			keep = false;
			n += !*pattern || has;
		}
		if (keep) {
			memmove(b->p + w, b->p + r, len);
			w += len;
		}
		lines++;
		r = end;
	}
	b->len = w;
	if (b->p)
		b->p[w] = '\0';
	if (kind == F_COUNT_IOS)
		fo__addf(b, "Number of lines which match regexp = %zu\n", n);
	else if (kind == F_COUNT_JN)
		fo__addf(b, "Count: %zu lines\n", n);
	pat_release(&p);
}

static size_t count_lines(const char *p, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += p[i] == '\n';
	return n + (len && p[len - 1] != '\n');
}

static void filter_last(struct fo_sbuf *b, unsigned keep)
{
	size_t lines = count_lines(b->p, b->len), skip = lines > keep ? lines - keep : 0, at = 0;

	while (skip && at < b->len) {
		char *nl = memchr(b->p + at, '\n', b->len - at);

		at = nl ? (size_t)(nl - b->p) + 1 : b->len;
		skip--;
	}
	memmove(b->p, b->p + at, b->len - at);
	b->len -= at;
	if (b->p)
		b->p[b->len] = '\0';
}

/* The kind of a filter word, as the platform abbreviates it; -1 none. */
static int filter_kind(enum fo_dev_platform p, const char *k)
{
	static const struct {
		const char *word;
		size_t min;
		int kind;
		unsigned plats; /* 0: the ios-like ones */
	} kinds[] = {
		{ "include", 1, F_INCLUDE, 0 },	 { "exclude", 1, F_EXCLUDE, 0 },
		{ "begin", 1, F_BEGIN, 0 },	 { "section", 1, F_SECTION, 0 },
		{ "count", 1, F_COUNT_IOS, 0 },	 { "grep", 4, F_INCLUDE, 1u << FO_DEV_NXOS | 1u << FO_DEV_EOS },
		{ "no-more", 7, F_NOMORE, 1u << FO_DEV_NXOS | 1u << FO_DEV_EOS },
		{ "match", 1, F_INCLUDE, 1u << FO_DEV_JUNOS }, { "except", 1, F_EXCLUDE, 1u << FO_DEV_JUNOS },
		{ "find", 1, F_BEGIN, 1u << FO_DEV_JUNOS }, { "count", 1, F_COUNT_JN, 1u << FO_DEV_JUNOS },
		{ "last", 1, F_LAST, 1u << FO_DEV_JUNOS }, { "no-more", 1, F_NOMORE, 1u << FO_DEV_JUNOS },
	};
	size_t l = strlen(k);

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		unsigned plats = kinds[i].plats ? kinds[i].plats : ~(1u << FO_DEV_JUNOS);

		if ((plats & (1u << p)) && l >= kinds[i].min && l <= strlen(kinds[i].word) &&
		    !strncasecmp(k, kinds[i].word, l))
			return kinds[i].kind;
	}
	return -1;
}

int fo__dev_filters(struct fo_dev_sess *s, const char *pipe, struct fo__out *o, size_t *bad)
{
	enum fo_dev_platform p = s->d->id.platform;
	bool one = p == FO_DEV_IOS || p == FO_DEV_IOSXR;
	const char *seg = pipe;

	while (seg) {
		const char *next = one ? NULL : strchr(seg, '|');
		char buf[FO__DEV_LINE_MAX + 8], *k, *pat;
		size_t l = next ? (size_t)(next - seg) : strlen(seg);
		int kind;

		if (l >= sizeof(buf))
			l = sizeof(buf) - 1;
		memcpy(buf, seg, l);
		buf[l] = '\0';
		k = buf + strspn(buf, " ");
		pat = k + strcspn(k, " ");
		if (*pat)
			*pat++ = '\0';
		pat += strspn(pat, " ");
		for (size_t e = strlen(pat); e && pat[e - 1] == ' ';)
			pat[--e] = '\0';
		if (p == FO_DEV_JUNOS && pat[0] == '"' && strlen(pat) >= 2 && pat[strlen(pat) - 1] == '"') {
			pat[strlen(pat) - 1] = '\0';
			pat++;
		}
		kind = *k ? filter_kind(p, k) : -1;
		if (kind < 0 || (kind <= F_SECTION && !*pat) || (kind == F_LAST && !isdigit((unsigned char)*pat))) {
			*bad = (size_t)(k - buf) + (size_t)(seg - pipe);
			return -1;
		}
		if (kind == F_NOMORE)
			o->no_more = true;
		else if (kind == F_LAST)
			filter_last(&o->text, (unsigned)strtoul(pat, NULL, 10));
		else
			filter_lines(o, kind, pat);
		seg = next ? next + 1 : NULL;
	}
	return 0;
}

/* ---- sessions ----------------------------------------------------------------------- */

/* Appends text with its \n line ends as \r\n, as terminals get them. */
static void add_crlf(struct fo_sbuf *out, const char *p, size_t n)
{
	size_t from = 0;

	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r')) {
			fo_sbuf_add(out, p + from, i - from);
			fo_sbuf_add(out, "\r\n", 2);
			from = i + 1;
		}
	}
	fo_sbuf_add(out, p + from, n - from);
}

static bool is_junos(const struct fo_dev_sess *s)
{
	return s->d->id.platform == FO_DEV_JUNOS;
}

static void prompt(struct fo_dev_sess *s, struct fo_sbuf *out)
{
	struct fo_sbuf p = { 0 };

	if (is_junos(s))
		fo__jn_prompt(s, &p);
	else
		fo__ios_prompt(s, &p);
	add_crlf(out, p.p ? p.p : "", p.len);
	if (p.oom)
		out->oom = true;
	free(p.p);
}

struct fo_dev_sess *fo_dev_sess_open(struct fo_dev *d, bool exec_mode, struct fo_sbuf *out)
{
	struct fo_dev_sess *s = calloc(1, sizeof(*s));
	struct fo_sbuf b = { 0 };

	if (!s)
		return NULL;
	s->d = d;
	s->exec_mode = exec_mode;
	s->screen = exec_mode ? 0 : 24;
	if (d->id.platform == FO_DEV_JUNOS) {
		s->jpath = calloc(1, FO__JPATH_MAX);
		if (!s->jpath) {
			free(s);
			return NULL;
		}
	}
	/* logins land where the platform puts an admin: > on ios and eos, #
	 * on nxos and iosxr; exec channels run at the privileged level */
	s->lvl = exec_mode || d->id.platform == FO_DEV_NXOS || d->id.platform == FO_DEV_IOSXR ? FO__PRIV : FO__USER;
	if (d->id.platform == FO_DEV_JUNOS)
		s->lvl = FO__USER;
	d->nsess++;
	if (exec_mode) {
		s->act = d->fault == FO_DEV_HANG ? FO_DEV_HANG_NOW : 0;
		return s;
	}
	if (is_junos(s))
		fo__jn_banner(s, &b);
	else
		fo__ios_banner(s, &b);
	add_crlf(out, b.p ? b.p : "", b.len);
	free(b.p);
	if (d->fault == FO_DEV_HANG) {
		s->hung = true;
		s->act = FO_DEV_HANG_NOW;
		return s;
	}
	prompt(s, out);
	s->act = d->fault == FO_DEV_SLOW ? FO_DEV_THINK : 0;
	return s;
}

void fo_dev_sess_close(struct fo_dev_sess *s)
{
	if (!s)
		return;
	if (is_junos(s))
		fo__jn_close(s);
	else
		fo__ios_close(s);
	for (int i = 0; i < s->nctx; i++)
		free(s->ctx[i]);
	s->d->nsess--;
	free(s->jpath);
	free(s->cand.p);
	free(s->line.p);
	free(s->pend.p);
	free(s->flood.p);
	free(s);
}

int fo_dev_sess_act(const struct fo_dev_sess *s)
{
	return s->act;
}

/* ---- the pager ------------------------------------------------------------------------ */

static const char *pager_text(const struct fo_dev_sess *s, char *buf, size_t size)
{
	switch (s->d->id.platform) {
	case FO_DEV_JUNOS:
		snprintf(buf, size, "---(more %zu%%)---", s->pend_lines ? s->pend_shown * 100 / s->pend_lines : 100);
		return buf;
	case FO_DEV_NXOS:
		return "--More--";
	default:
		return " --More-- ";
	}
}

static void pager_erase(const struct fo_dev_sess *s, struct fo_sbuf *out)
{
	char buf[64];
	size_t n = strlen(pager_text(s, buf, sizeof(buf)));

	if (s->d->id.platform == FO_DEV_IOS || s->d->id.platform == FO_DEV_IOSXR) {
		for (int pass = 0; pass < 3; pass++)
			for (size_t i = 0; i < n; i++)
				fo_sbuf_add(out, pass == 1 ? " " : "\b", 1);
		return;
	}
	fo_sbuf_add(out, "\r", 1);
	for (size_t i = 0; i < n; i++)
		fo_sbuf_add(out, " ", 1);
	fo_sbuf_add(out, "\r", 1);
}

static void pager_done(struct fo_dev_sess *s, struct fo_sbuf *out)
{
	s->pend.len = 0;
	s->pend_at = s->pend_lines = s->pend_shown = 0;
	prompt(s, out);
}

/* Shows up to n more lines of what the pager holds, then its marker or,
 * at the end, the prompt. */
static void pager_show(struct fo_dev_sess *s, size_t n, struct fo_sbuf *out)
{
	size_t at = s->pend_at;
	char buf[64];

	while (n > 0 && at < s->pend.len) {
		char *nl = memchr(s->pend.p + at, '\n', s->pend.len - at);

		at = nl ? (size_t)(nl - s->pend.p) + 1 : s->pend.len;
		s->pend_shown++;
		n--;
	}
	add_crlf(out, s->pend.p + s->pend_at, at - s->pend_at);
	s->pend_at = at;
	if (at >= s->pend.len) {
		pager_done(s, out);
		return;
	}
	fo__adds(out, pager_text(s, buf, sizeof(buf)));
}

/* A key at the pager's marker. */
static void pager_key(struct fo_dev_sess *s, char c, struct fo_sbuf *out)
{
	unsigned page = s->screen > 1 ? s->screen - 1 : 1;

	if (c == '\n' && s->skip_lf) {
		s->skip_lf = false;
		return;
	}
	s->skip_lf = c == '\r';
	if (c == ' ') {
		pager_erase(s, out);
		pager_show(s, page, out);
	} else if (c == '\r' || c == '\n') {
		pager_erase(s, out);
		pager_show(s, 1, out);
	} else if (c == 'q' || c == 'Q' || !is_junos(s)) {
		pager_erase(s, out);
		if (is_junos(s))
			fo_sbuf_add(out, "\r\n", 2);
		pager_done(s, out);
	}
	/* junos: other keys do nothing here */
}

/* ---- a line's output ----------------------------------------------------------------- */

/* What a command printed goes out: as the faults make it, paged, then the
 * prompt (unless the session ends or a question waits). */
static int output(struct fo_dev_sess *s, struct fo__out *o, int act, struct fo_sbuf *out)
{
	struct fo_dev *d = s->d;
	size_t lines;

	if (o->is_output && o->text.len) {
		if (d->fault == FO_DEV_DROP) {
			add_crlf(out, o->text.p, o->text.len / 2);
			s->dropped = true;
			return act | FO_DEV_DROP_NOW;
		}
		if (d->fault == FO_DEV_FLOOD) {
			s->flood.len = 0;
			fo_sbuf_add(&s->flood, o->text.p, o->text.len);
			s->flood_at = 0;
			add_crlf(out, o->text.p, o->text.len);
			return act | FO_DEV_FLOODING;
		}
	}
	if (d->fault == FO_DEV_SLOW)
		act |= FO_DEV_THINK;
	lines = count_lines(o->text.p, o->text.len);
	if (!s->exec_mode && s->screen > 1 && !o->no_more && lines > s->screen - 1 && !(act & FO_DEV_CLOSE)) {
		s->pend.len = 0;
		fo_sbuf_add(&s->pend, o->text.p, o->text.len);
		if (s->pend.oom) {
			s->pend.oom = false;
			s->pend.len = 0;
			out->oom = true;
			return act;
		}
		if (o->text.p[o->text.len - 1] != '\n')
			fo_sbuf_add(&s->pend, "\n", 1);
		s->pend_at = s->pend_shown = 0;
		s->pend_lines = lines;
		pager_show(s, s->screen - 1, out);
		return act;
	}
	add_crlf(out, o->text.p ? o->text.p : "", o->text.len);
	if (!s->exec_mode && !(act & FO_DEV_CLOSE) && s->ask == FO__ASK_NONE)
		prompt(s, out);
	return act;
}

static int run_line(struct fo_dev_sess *s, const char *line, struct fo_sbuf *out)
{
	struct fo__out o = { 0 };
	int act;

	act = is_junos(s) ? fo__jn_line(s, line, &o) : fo__ios_line(s, line, &o);
	if (o.text.oom)
		out->oom = true;
	act = output(s, &o, act, out);
	free(o.text.p);
	return act;
}

static bool echo_off(const struct fo_dev_sess *s)
{
	return s->ask == FO__ASK_SECRET;
}

int fo_dev_sess_input(struct fo_dev_sess *s, const char *in, size_t len, struct fo_sbuf *out)
{
	int act = 0;

	if (s->hung || s->d->fault == FO_DEV_HANG)
		return s->act = FO_DEV_HANG_NOW;
	if (s->dropped)
		return s->act = FO_DEV_DROP_NOW;
	if (s->exec_mode || s->flood.len)
		return s->act = s->flood.len ? FO_DEV_FLOODING : 0;
	for (size_t i = 0; i < len && !(act & (FO_DEV_CLOSE | FO_DEV_DROP_NOW | FO_DEV_FLOODING)); i++) {
		char c = in[i];

		if (s->pend.len) {
			pager_key(s, c, out);
			continue;
		}
		if (s->esc) {
			/* ESC [ A and the like: arrow keys, not text */
			s->esc = s->esc == 1 && (c == '[' || c == 'O') ? 2 : s->esc == 2 && (c < 0x40 || c > 0x7e) ? 2 : 0;
			continue;
		}
		if (c == '\n' && s->skip_lf) {
			s->skip_lf = false;
			continue;
		}
		s->skip_lf = c == '\r';
		switch (c) {
		case '\r':
		case '\n':
			fo_sbuf_add(out, "\r\n", 2);
			if (s->line.p)
				s->line.p[s->line.len] = '\0';
			act |= run_line(s, s->line.p ? s->line.p : "", out);
			s->line.len = 0;
			break;
		case 0x7f:
		case '\b':
			if (s->line.len) {
				s->line.len--;
				if (!echo_off(s))
					fo_sbuf_add(out, "\b \b", 3);
			}
			break;
		case 0x15: /* ^U: the line goes */
			if (!echo_off(s))
				for (size_t k = 0; k < s->line.len; k++)
					fo_sbuf_add(out, "\b \b", 3);
			s->line.len = 0;
			break;
		case 0x03: /* ^C: the line and any question go */
			fo_sbuf_add(out, "^C\r\n", 4);
			s->line.len = 0;
			s->ask = FO__ASK_NONE;
			prompt(s, out);
			break;
		case 0x1a: /* ^Z: end, from configuration */
			fo_sbuf_add(out, "^Z\r\n", 4);
			s->line.len = 0;
			if (s->lvl == FO__CONF && s->ask == FO__ASK_NONE)
				act |= run_line(s, is_junos(s) ? "exit configuration-mode" : "end", out);
			else
				prompt(s, out);
			break;
		case 0x1b:
			s->esc = 1;
			break;
		default:
			if ((unsigned char)c < 0x20 || s->line.len >= FO__DEV_LINE_MAX)
				break; /* NEEDSWORK: tab and ? (completion, help) are not done */
			fo_sbuf_add(&s->line, &c, 1);
			if (s->line.oom) {
				s->line.oom = false;
				out->oom = true;
			} else if (!echo_off(s)) {
				fo_sbuf_add(out, &c, 1);
			}
		}
	}
	return s->act = act;
}

int fo_dev_exec(struct fo_dev_sess *s, const char *cmd, struct fo_sbuf *out)
{
	char line[FO__DEV_LINE_MAX + 1];
	int act;

	if (s->d->fault == FO_DEV_HANG) {
		s->act = FO_DEV_HANG_NOW;
		return 0;
	}
	snprintf(line, sizeof(line), "%s", cmd);
	line[strcspn(line, "\r\n")] = '\0';
	act = run_line(s, line, out);
	s->act = act | FO_DEV_CLOSE;
	return s->status;
}

void fo_dev_sess_flood(struct fo_dev_sess *s, size_t n, struct fo_sbuf *out)
{
	size_t start = out->len;

	while (s->flood.len && out->len - start < n && !out->oom) {
		size_t k = s->flood.len - s->flood_at;

		if (k > n - (out->len - start))
			k = n - (out->len - start);
		if (!k)
			k = 1;
		add_crlf(out, s->flood.p + s->flood_at, k);
		s->flood_at = (s->flood_at + k) % s->flood.len;
	}
}
