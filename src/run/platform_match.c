/*
 * Matching what a device prints against a platform (platform.h): prompts,
 * escalation questions, failures, pagers, and the way between levels.
 *
 * Matching runs after every read of every session (28,000 sessions x 15
 * commands x a few reads each), so it looks at a small window at the end
 * of the text only (FO_PLAT_WINDOW bytes, FO_PLAT_WINDOW_LINES lines, from
 * a line start) and costs one JIT run per level over at most that. The
 * compiled code is shared read-only; each thread has its own match data
 * and JIT stack (a pthread key), so nothing of PCRE2's lives on a
 * coroutine's stack and no lock is taken.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "platform_int.h"

#define MATCH_LIMIT   200000 /* PCRE2's steps for one match: a runaway pattern is a non-match */
#define HEAP_LIMIT_KB 4096   /* the interpreter's backtracking memory */
#define JIT_STACK_MIN (32 * 1024)
#define JIT_STACK_MAX (256 * 1024) /* virtual: only what a match touches is memory */
#define PAGER_TAIL    64  /* bytes a pager line may hold after the pager ("42%)---") */
#define PAGER_LINE    256 /* a longer last line is output, not a pager */

/* ---- per-thread match data and JIT stack ---------------------------------------------------- */

struct tls {
	pcre2_match_data *md;
	pcre2_jit_stack *js;
};

static pthread_once_t tls_once = PTHREAD_ONCE_INIT;
static pthread_key_t tls_key;
static pcre2_match_context *mctx; /* shared, read-only once made */
static bool tls_ready;

static void tls_free(void *v)
{
	struct tls *t = v;

	pcre2_match_data_free(t->md);
	pcre2_jit_stack_free(t->js);
	free(t);
}

/* JIT code asks for its stack here: the calling thread's own, on the heap. */
static pcre2_jit_stack *jit_stack(void *data)
{
	struct tls *t = pthread_getspecific(tls_key);

	return t ? t->js : NULL;
}

static void tls_init(void)
{
	if (pthread_key_create(&tls_key, tls_free))
		return;
	mctx = pcre2_match_context_create(NULL);
	if (!mctx)
		return;
	pcre2_set_match_limit(mctx, MATCH_LIMIT);
	pcre2_set_heap_limit(mctx, HEAP_LIMIT_KB);
	pcre2_jit_stack_assign(mctx, jit_stack, NULL);
	tls_ready = true;
}

/* The calling thread's match data and JIT stack, made on first use; NULL
 * without memory (then nothing matches). */
static struct tls *tls_get(void)
{
	struct tls *t;

	pthread_once(&tls_once, tls_init);
	if (!tls_ready)
		return NULL;
	t = pthread_getspecific(tls_key);
	if (t)
		return t;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->md = pcre2_match_data_create(1, NULL); /* the whole match is all we read */
	t->js = pcre2_jit_stack_create(JIT_STACK_MIN, JIT_STACK_MAX, NULL);
	if (!t->md || !t->js || pthread_setspecific(tls_key, t)) {
		tls_free(t);
		return NULL;
	}
	return t;
}

/*
 * The text a pattern sees: the last FO_PLAT_WINDOW bytes, from the first
 * line start in them, and at most the last FO_PLAT_WINDOW_LINES lines of
 * them, carriage returns dropped. Without a carriage return that is the
 * caller's text itself from an offset (no copy); with one, a copy in buf
 * behind one byte that stands for what came before (so that `^` holds at
 * the copy's start only where a line starts there).
 */
struct subject {
	const char *s;
	size_t len, off; /* what PCRE2 gets: subject, length, start offset */
	size_t ws;       /* where the window starts in the caller's text */
	bool copied;
	char buf[FO_PLAT_WINDOW + 2];
};

static void subject_init(struct subject *sj, const char *text, size_t len)
{
	size_t ws = len > FO_PLAT_WINDOW ? len - FO_PLAT_WINDOW : 0, i, n = 0, ls = len;
	bool midline = false;
	int k;

	/* at most FO_PLAT_WINDOW_LINES lines: a prompt spans one or two, and
	 * each line start is a place every pattern is tried at */
	for (k = 0; k < FO_PLAT_WINDOW_LINES && ls > ws; k++) {
		const char *nl = memrchr(text + ws, '\n', ls - ws);

		if (!nl)
			break;
		ls = (size_t)(nl - text);
	}
	if (k == FO_PLAT_WINDOW_LINES) {
		ws = ls + 1;
	} else if (ws > 0 && text[ws - 1] != '\n') {
		const char *nl = memchr(text + ws, '\n', len - ws);

		if (nl)
			ws = (size_t)(nl - text) + 1;
		else
			midline = true;
	}
	sj->ws = ws;
	sj->copied = memchr(text + ws, '\r', len - ws) != NULL;
	if (!sj->copied) {
		sj->s = text;
		sj->len = len;
		sj->off = ws;
		return;
	}
	if (ws > 0)
		sj->buf[n++] = midline ? 'x' : '\n';
	for (i = ws; i < len; i++)
		if (text[i] != '\r')
			sj->buf[n++] = text[i];
	sj->s = sj->buf;
	sj->len = n;
	sj->off = ws > 0 ? 1 : 0;
}

/* Offset o of the subject as an offset in the caller's text. */
static size_t subject_orig(const struct subject *sj, const char *text, size_t len, size_t o)
{
	size_t i = sj->ws, k;

	if (!sj->copied)
		return o;
	for (k = o - sj->off; i < len; i++) {
		if (text[i] == '\r')
			continue;
		if (!k)
			break;
		k--;
	}
	return i;
}

/* Does code match the subject to its end? The match's start and end. */
static bool match_end(const struct pat *pat, const struct subject *sj, struct tls *t, size_t *start, size_t *end)
{
	PCRE2_SIZE *ov;
	int rc;

	if (pat->jit) /* the fast path: no checks of the arguments, which are ours */
		rc = pcre2_jit_match(pat->code, (PCRE2_SPTR)sj->s, sj->len, sj->off, PCRE2_NOTEMPTY, t->md, mctx);
	else
		rc = pcre2_match(pat->code, (PCRE2_SPTR)sj->s, sj->len, sj->off, PCRE2_NO_UTF_CHECK | PCRE2_NOTEMPTY,
				 t->md, mctx);
	if (rc < 0) /* no match, or PCRE2's limits: a runaway pattern matches nothing */
		return false;
	ov = pcre2_get_ovector_pointer(t->md);
	*start = ov[0];
	*end = ov[1];
	return *start < *end && *end == sj->len;
}

static bool contains_none(const struct fo_plat_level *l, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < l->n_not_contains; i++)
		if (memmem(s, n, l->not_contains[i], strlen(l->not_contains[i])))
			return false;
	return true;
}

/* The level at the end of text (first: stop at the first that matches). */
static int match_levels(const struct fo_platform *p, const char *text, size_t len, bool first, size_t *prompt_start)
{
	struct tls *t = tls_get();
	struct subject sj;
	size_t i, start, end, best_len = 0, best_start = 0;
	int best = -1;

	if (!p || !t || (!text && len))
		return -1;
	if (!text)
		text = "";
	subject_init(&sj, text, len);
	for (i = 0; i < p->info.nlevels; i++) {
		const struct fo_plat_level *l = &p->info.levels[i];

		if (!match_end(&p->re[i], &sj, t, &start, &end) || !contains_none(l, sj.s + start, end - start))
			continue;
		if (best < 0 || end - start > best_len) {
			best = (int)i;
			best_len = end - start;
			best_start = start;
			if (first)
				break;
		}
	}
	if (best >= 0 && prompt_start)
		*prompt_start = subject_orig(&sj, text, len, best_start);
	return best;
}

int fo_platform_match_prompt(const struct fo_platform *p, const char *text, size_t len, size_t *prompt_start)
{
	return match_levels(p, text, len, false, prompt_start);
}

bool fo_platform_at_prompt(const struct fo_platform *p, const char *text, size_t len)
{
	return match_levels(p, text, len, true, NULL) >= 0;
}

bool fo_platform_match_auth_prompt(const struct fo_platform *p, int level, const char *text, size_t len)
{
	struct tls *t = tls_get();
	struct subject sj;
	size_t start, end;

	if (!p || !t || level < 0 || (size_t)level >= p->info.nlevels || !p->auth_re[level].code || (!text && len))
		return false;
	subject_init(&sj, text ? text : "", len);
	return match_end(&p->auth_re[level], &sj, t, &start, &end);
}

/* ---- privilege paths, failures, pagers ------------------------------------------------------ */

int fo_platform_path(const struct fo_platform *p, int from, int to, int *steps, int max)
{
	const struct fo_plat_level *l;
	int n, prev[FO_PLAT_MAX_LEVELS], queue[FO_PLAT_MAX_LEVELS], head = 0, tail = 0, i, at, count = 0;
	bool seen[FO_PLAT_MAX_LEVELS] = { false };

	if (!p)
		return -1;
	l = p->info.levels;
	n = (int)p->info.nlevels;
	if (from < 0 || to < 0 || from >= n || to >= n)
		return -1;
	if (from == to)
		return 0;
	seen[from] = true;
	queue[tail++] = from;
	while (head < tail && !seen[to]) { /* breadth first: the fewest steps */
		int cur = queue[head++];

		for (i = 0; i < n; i++) {
			bool up = l[i].previous == cur && l[i].escalate;
			bool down = l[cur].previous == i && l[cur].deescalate;

			if (seen[i] || !(up || down))
				continue;
			seen[i] = true;
			prev[i] = cur;
			queue[tail++] = i;
		}
	}
	if (!seen[to])
		return -1;
	for (at = to; at != from; at = prev[at])
		count++;
	i = count;
	for (at = to; at != from; at = prev[at])
		if (--i < max && steps)
			steps[i] = at;
	return count;
}

const char *fo_platform_failed(const struct fo_platform *p, const char *out, size_t len)
{
	size_t i;

	if (!p || !out)
		return NULL;
	for (i = 0; i < p->info.nfailed; i++)
		if (memmem(out, len, p->info.failed_when[i], strlen(p->info.failed_when[i])))
			return p->info.failed_when[i];
	return NULL;
}

static const char *const shipped_pagers[] = {
	"--More--",       " --More-- ", "---(more)---", "---(more ", "-- More --", "Press any key to continue",
	"<--- More --->", NULL,
};

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Does s[0..n) begin with pager (its own blanks aside, case aside), with at
 * most PAGER_TAIL bytes after it? */
static bool pager_is(const char *s, size_t n, const char *pager)
{
	size_t pl, i;

	while (blank(*pager))
		pager++;
	pl = strlen(pager);
	while (pl && blank(pager[pl - 1]))
		pl--;
	if (!pl || pl > n || n - pl > PAGER_TAIL)
		return false;
	for (i = 0; i < pl; i++)
		if (lower(s[i]) != lower(pager[i]))
			return false;
	return true;
}

long fo_platform_pager_at_end(const struct fo_platform *p, const char *out, size_t len)
{
	size_t end = len, ls, s, i;

	if (!out)
		return -1;
	while (end > 0 && blank(out[end - 1]))
		end--;
	for (ls = end; ls > 0 && out[ls - 1] != '\n' && out[ls - 1] != '\r'; ls--)
		if (end - ls > PAGER_LINE)
			return -1;
	for (s = ls; s < end && blank(out[s]); s++)
		;
	if (s == end)
		return -1;
	for (i = 0; p && i < p->info.npagers; i++)
		if (pager_is(out + s, end - s, p->info.pagers[i]))
			return (long)ls;
	for (i = 0; shipped_pagers[i]; i++)
		if (pager_is(out + s, end - s, shipped_pagers[i]))
			return (long)ls;
	return -1;
}
