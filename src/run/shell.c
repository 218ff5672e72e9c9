/*
 * A network device's shell session by its platform's levels: see shell.h.
 *
 * Every read ends in one of: a pager (answered with a space, its text and
 * the device's erasing of it cut from the output), the escalate-auth
 * question of a level being entered (answered with the secret), a prompt
 * of some level (the step is done, and the session is at that level), or
 * more bytes to wait for. The level is never remembered across steps: it
 * is what the last prompt says.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fanout/runtime.h"
#include "../util/sbuf.h"
#include "shell.h"

struct sess {
	const struct fo_shell_io *io;
	const struct fo_shell_job *j;
	const struct fo_plat_info *pi;
	struct fo_sbuf b;     /* what the device sent in the current step */
	size_t prompt_at;     /* where the last prompt began in b */
	size_t erase_at;      /* a pager was cut here: the device's erasing follows */
	bool erase_pending;
	bool rest_checked;    /* the pager's rest (if any) was cut */
	int level;            /* where the session is, by the last prompt */
	bool quiet;           /* closing: nothing fails the host any more */
};

static void sfail(struct sess *s, enum fo_ssh_status st, const char *phase, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void sfail(struct sess *s, enum fo_ssh_status st, const char *phase, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (s->quiet)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->io->fail(s->io->arg, st, phase, msg);
}

static const char *level_name(const struct sess *s, int i)
{
	return i >= 0 && (size_t)i < s->pi->nlevels ? s->pi->levels[i].name : "none";
}

/* ---- the pager's erasing -------------------------------------------------------- */

/*
 * After a pager is answered, devices erase its text before the next page:
 * backspaces, blanks and backspaces (IOS), a carriage return, blanks and a
 * carriage return (Junos, EOS), or an ANSI erase (ESC [ ... K). The length
 * of such a run at p[0..n): > 0 when one is whole, 0 when none starts
 * there, -1 when one may start there but more bytes are needed.
 */
static long erase_len(const char *p, size_t n)
{
	size_t i = 0;

	if (!n)
		return -1;
	if (p[0] == '\x1b') {
		if (n < 2)
			return -1;
		if (p[1] != '[')
			return 0;
		for (i = 2; i < n; i++)
			if ((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= 'a' && p[i] <= 'z'))
				return (long)i + 1;
			else if (!((p[i] >= '0' && p[i] <= '9') || p[i] == ';'))
				return 0;
		return -1;
	}
	if (p[0] == '\b') {
		while (i < n && p[i] == '\b')
			i++;
		while (i < n && p[i] == ' ')
			i++;
		while (i < n && p[i] == '\b')
			i++;
		return i < n ? (long)i : -1;
	}
	if (p[0] == '\r') {
		i = 1;
		while (i < n && p[i] == ' ')
			i++;
		if (i == n)
			return -1;
		if (p[i] == '\r' && i > 1)
			return (long)i + 1 == (long)n || p[i + 1] != '\n' ? (long)i + 1 : (long)i;
		return i == 1 && p[1] != '\n' ? 1 : 0;
	}
	return 0;
}

/*
 * The rest of a pager that came after the part seen (a read may end in
 * "---(more 4" and bring "2%)---" next): at most 64 printable bytes on the
 * pager's line, followed by the device's erasing. Its length, 0 when
 * there is none, -1 while it cannot be told yet.
 */
static long pager_rest_len(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && i <= 64 && p[i] != '\n' && p[i] != '\r' && p[i] != '\b' && p[i] != '\x1b')
		i++;
	if (i == n)
		return i <= 64 ? -1 : 0;
	return i && i <= 64 && p[i] != '\n' ? (long)i : 0;
}

/* Cuts the erasing at erase_at once it has come: false while it may be
 * coming still. */
static bool cut_erase(struct sess *s)
{
	if (!s->rest_checked) {
		long r = pager_rest_len(s->b.p + s->erase_at, s->b.len - s->erase_at);

		if (r < 0)
			return false;
		if (r > 0) {
			memmove(s->b.p + s->erase_at, s->b.p + s->erase_at + r,
				s->b.len - s->erase_at - (size_t)r + 1);
			s->b.len -= (size_t)r;
		}
		s->rest_checked = true;
	}
	for (;;) {
		long n = erase_len(s->b.p + s->erase_at, s->b.len - s->erase_at);

		if (n < 0)
			return false;
		if (n == 0) {
			s->erase_pending = false;
			return true;
		}
		memmove(s->b.p + s->erase_at, s->b.p + s->erase_at + n, s->b.len - s->erase_at - (size_t)n + 1);
		s->b.len -= (size_t)n;
	}
}

/* ---- reading to a prompt ------------------------------------------------------- */

enum { GOT_PROMPT = 0, GOT_AUTH = 1, GOT_FAIL = -1 };

static void swait_failed(struct sess *s, int r, const char *phase)
{
	if (!s->quiet)
		s->io->wait_failed(s->io->arg, r, phase);
}

static int swrite(struct sess *s, const char *p, size_t n, int64_t dl, const char *phase)
{
	int r = s->io->write(s->io->arg, p, n, dl);

	if (r < 0)
		swait_failed(s, r, phase);
	return r;
}

/* The last up-to-60 bytes of b, printable, for a message. */
static void tail_text(const struct fo_sbuf *b, char *out, size_t cap)
{
	size_t k = 0, from = b->len > 60 ? b->len - 60 : 0;

	for (; from < b->len && k + 1 < cap; from++) {
		unsigned char c = (unsigned char)b->p[from];

		if (c >= 0x20 && c < 0x7f)
			out[k++] = (char)c;
		else if (k && out[k - 1] != ' ')
			out[k++] = ' ';
	}
	out[k] = 0;
}

/* Reads into s->b until a prompt (GOT_PROMPT, s->level set) or, when
 * auth_level >= 0, that level's escalate-auth question (GOT_AUTH). */
static int read_prompt(struct sess *s, int64_t dl, const char *phase, int auth_level)
{
	char tail[64];

	for (;;) {
		size_t want;
		ssize_t n;

		if (s->b.len && (!s->erase_pending || cut_erase(s))) {
			long pg = fo_platform_pager_at_end(s->j->plat, s->b.p, s->b.len);
			size_t at;
			int lv;

			if (pg >= 0) {
				s->b.len = (size_t)pg;
				s->b.p[s->b.len] = 0;
				s->erase_at = s->b.len;
				s->erase_pending = true;
				s->rest_checked = false;
				if (swrite(s, " ", 1, dl, phase) < 0)
					return GOT_FAIL;
				continue;
			}
			if (auth_level >= 0 && fo_platform_match_auth_prompt(s->j->plat, auth_level, s->b.p, s->b.len))
				return GOT_AUTH;
			lv = fo_platform_match_prompt(s->j->plat, s->b.p, s->b.len, &at);
			if (lv >= 0) {
				s->level = lv;
				s->prompt_at = at;
				return GOT_PROMPT;
			}
		}
		if (s->b.len > s->j->max_output) {
			s->b.len = s->j->max_output; /* one more was read, to know */
			s->b.p[s->b.len] = 0;
			sfail(s, FO_SSH_FAILED, phase, "output over %zu bytes; cut there", s->j->max_output);
			return GOT_FAIL;
		}
		want = s->j->max_output + 1 - s->b.len < 16384 ? s->j->max_output + 1 - s->b.len : 16384;
		if (fo_sbuf_grow(&s->b, want) < 0) {
			sfail(s, FO_SSH_FAILED, phase, "out of memory for the output");
			return GOT_FAIL;
		}
		n = s->io->read(s->io->arg, s->b.p + s->b.len, want, dl);
		if (n > 0) {
			s->b.len += (size_t)n;
			s->b.p[s->b.len] = 0;
			continue;
		}
		if (n == 0) {
			sfail(s, FO_SSH_FAILED, phase, "%s",
			      !strcmp(phase, "prompt") ? "the device closed the session before a prompt"
						       : "the device closed the connection during the command");
			return GOT_FAIL;
		}
		swait_failed(s, (int)n, phase);
		if (n == -ETIMEDOUT && !strcmp(phase, "prompt")) {
			tail_text(&s->b, tail, sizeof(tail));
			sfail(s, FO_SSH_TIMEOUT, phase, "no prompt seen (platform %s) in %zu bytes%s%s",
			      s->pi->type, s->b.len, tail[0] ? ", the last: " : "", tail);
		}
		return GOT_FAIL;
	}
}

/* Sends line and a newline, then reads to the next prompt; s->b holds
 * what came. */
static int send_line(struct sess *s, const char *line, int64_t dl, const char *phase, int auth_level)
{
	size_t n = strlen(line);
	char *l = malloc(n + 1);
	int r;

	if (!l) {
		sfail(s, FO_SSH_FAILED, phase, "out of memory");
		return GOT_FAIL;
	}
	memcpy(l, line, n);
	l[n] = '\n';
	s->b.len = 0;
	s->erase_pending = false;
	r = swrite(s, l, n + 1, dl, phase);
	free(l);
	if (r < 0)
		return GOT_FAIL;
	return read_prompt(s, dl, phase, auth_level);
}

/* The output of the step in s->b: from after the echoed line to the
 * prompt, \r dropped. A heap string (s->b is left empty). */
static void take_output(struct sess *s, struct fo_ssh_res *res)
{
	char *p = s->b.p, *end, *o, *w;

	if (!p) {
		res->out = strdup("");
		res->out_len = 0;
		return;
	}
	end = p + s->prompt_at;
	o = memchr(p, '\n', (size_t)(end - p));
	o = o ? o + 1 : end;
	for (w = p; o < end; o++)
		if (*o != '\r')
			*w++ = *o;
	*w = 0;
	s->b.len = (size_t)(w - p);
	res->out_len = s->b.len;
	if (!(res->out = fo_sbuf_detach(&s->b)))
		res->out_len = 0;
}

/* Keeps what came of a failed step in res. */
static void keep_partial(struct sess *s, struct fo_ssh_res *res)
{
	if (s->b.p && !res->out) {
		res->out_len = s->b.len;
		if (!(res->out = fo_sbuf_detach(&s->b)))
			res->out_len = 0;
	}
}

/* ---- levels ------------------------------------------------------------------------ */

/* Enters level `to` from where the session is: 0, or -1 (failed). */
static int acquire(struct sess *s, int to, const char *phase)
{
	const struct fo_plat_info *pi = s->pi;
	int steps[16], n, i;

	if (s->level == to)
		return 0;
	n = fo_platform_path(s->j->plat, s->level, to, steps, 16);
	if (n < 0 || n > 16) {
		sfail(s, FO_SSH_FAILED, phase, "no way from level %s to %s on platform %s", level_name(s, s->level),
		      level_name(s, to), pi->type);
		return -1;
	}
	for (i = 0; i < n; i++) {
		int next = steps[i], from = s->level, r;
		const struct fo_plat_level *L = &pi->levels[next];
		bool up = pi->levels[next].previous == from;
		const char *cmd = up ? L->escalate : pi->levels[from].deescalate;
		int64_t dl = s->io->deadline(s->io->arg, s->j->command_timeout);

		if (!cmd) {
			sfail(s, FO_SSH_FAILED, phase, "platform %s has no command from level %s to %s", pi->type,
			      level_name(s, from), L->name);
			return -1;
		}
		r = send_line(s, cmd, dl, phase, up && L->escalate_auth ? next : -1);
		if (r == GOT_AUTH) {
			if (!s->j->secret) {
				sfail(s, FO_SSH_AUTH, phase,
				      "level %s asks for a secret; give one (inventory secret, --secret-env or "
				      "--secret-file)",
				      L->name);
				return -1;
			}
			s->b.len = 0;
			if (swrite(s, s->j->secret, strlen(s->j->secret), dl, phase) < 0 ||
			    swrite(s, "\n", 1, dl, phase) < 0)
				return -1;
			r = read_prompt(s, dl, phase, next);
			if (r == GOT_AUTH || (r == GOT_PROMPT && s->level != next)) {
				sfail(s, FO_SSH_AUTH, phase, "the secret for level %s was refused (%s%s)", L->name,
				      r == GOT_AUTH ? "asked again" : "still at ",
				      r == GOT_AUTH ? "" : level_name(s, s->level));
				return -1;
			}
		}
		if (r != GOT_PROMPT)
			return -1;
		if (s->level != next) {
			sfail(s, FO_SSH_FAILED, phase, "'%s' left the device at level %s, not %s (stuck?)", cmd,
			      level_name(s, s->level), L->name);
			return -1;
		}
	}
	return 0;
}

/* ---- steps ------------------------------------------------------------------------- */

/* A command whose output is dropped (on-open, setup). 0 or -1. */
static int quiet_command(struct sess *s, const char *cmd, const char *phase)
{
	int64_t dl = s->io->deadline(s->io->arg, s->j->command_timeout);

	return send_line(s, cmd, dl, phase, -1) == GOT_PROMPT ? 0 : -1;
}

/* The platform's on-open operations (with --setup in place of its
 * send-commands). An acquire-priv without a target goes to `want`, the
 * commands' level: the platform's default desired level, or the one the
 * run asked for (so that commands at exec need no enable secret, and
 * configuration is entered from its own previous level). 0 or -1. */
static int on_open(struct sess *s, int want)
{
	const struct fo_plat_info *pi = s->pi;
	size_t i;
	bool setup_sent = false;

	for (i = 0; i < pi->non_open; i++) {
		const struct fo_plat_op *op = &pi->on_open[i];
		int lv;

		switch (op->kind) {
		case FO_OP_ACQUIRE_PRIV:
			lv = op->arg ? fo_platform_level_index(s->j->plat, op->arg) : want;
			if (acquire(s, lv < 0 ? want : lv, "setup") < 0)
				return -1;
			break;
		case FO_OP_SEND_COMMAND:
			if (s->j->nsetup) {
				size_t k;

				for (k = 0; k < s->j->nsetup && !setup_sent; k++)
					if (quiet_command(s, s->j->setup[k], "setup") < 0)
						return -1;
				setup_sent = true;
				break;
			}
			if (quiet_command(s, op->arg, "setup") < 0)
				return -1;
			break;
		case FO_OP_WRITE:
		case FO_OP_RETURN:
			/* a write whose answer is not waited for would leave its
			 * prompt to the next step: the next read takes it */
			if (quiet_command(s, op->kind == FO_OP_WRITE ? op->arg : "", "setup") < 0)
				return -1;
			break;
		}
	}
	for (i = 0; i < s->j->nsetup && !setup_sent; i++)
		if (quiet_command(s, s->j->setup[i], "setup") < 0)
			return -1;
	return 0;
}

/* One command at level lv into res. 0, or -1 (failed; res holds what came). */
static int one_command(struct sess *s, const char *cmd, int lv, struct fo_ssh_res *res)
{
	int64_t t0 = fo_now(), dl;
	const char *bad;

	if (acquire(s, lv, "command") < 0)
		goto fail;
	dl = s->io->deadline(s->io->arg, s->j->command_timeout);
	if (send_line(s, cmd, dl, "command", -1) != GOT_PROMPT)
		goto fail;
	take_output(s, res);
	res->ms = (fo_now() - t0) / FO_MSEC;
	res->status = FO_SSH_OK;
	res->exit_code = -1;
	if (res->out && (bad = fo_platform_failed(s->j->plat, res->out, res->out_len))) {
		const char *b = memmem(res->out, res->out_len, bad, strlen(bad));
		size_t len;
		char msg[256];

		if (!b)
			b = res->out;
		while (b > res->out && b[-1] != '\n')
			b--;
		len = strcspn(b, "\n");
		snprintf(msg, sizeof(msg), "the device said: %.*s", (int)(len > 200 ? 200 : len), b);
		res->status = FO_SSH_FAILED;
		res->phase = "command";
		res->error = strdup(msg);
	}
	return 0;
fail:
	keep_partial(s, res);
	res->ms = (fo_now() - t0) / FO_MSEC;
	return -1;
}

static void add_str(struct fo_sbuf *b, const char *s)
{
	fo_sbuf_add(b, s, strlen(s));
}

/* A configuration step's command (commit, compare, save, abort) with its
 * output added to the transcript t. The output as a heap string in *out
 * when out is given. 0 or -1. */
static int config_step(struct sess *s, const char *cmd, struct fo_sbuf *t, char **out)
{
	struct fo_ssh_res r = { 0 };
	int rc = one_command(s, cmd, s->level, &r);

	add_str(t, cmd);
	add_str(t, "\n");
	if (r.out)
		fo_sbuf_add(t, r.out, r.out_len);
	if (rc == 0 && r.status != FO_SSH_OK) {
		sfail(s, FO_SSH_FAILED, "commit", "'%s': %s", cmd, r.error ? r.error : "failed");
		rc = -1;
	}
	if (out && rc == 0) {
		*out = r.out;
		r.out = NULL;
	}
	free(r.out);
	free(r.error);
	return rc;
}

/* The lines, each checked; the first rejected one fails the host unless
 * config_continue. Returns 0, 1 (lines rejected, continued), -1. */
static int config_lines(struct sess *s, struct fo_sbuf *t, char *why, size_t whylen)
{
	size_t i;
	int bad = 0;

	for (i = 0; i < s->j->nconfig; i++) {
		struct fo_ssh_res r = { 0 };
		int rc;

		if (s->j->stop && atomic_load(s->j->stop)) {
			snprintf(why, whylen, "interrupted after %zu of %zu lines: %s", i, s->j->nconfig,
				 s->pi->commit ? (s->pi->abort ? "not committed, the changes dropped" : "not committed")
					       : "the lines before stay applied");
			return 1;
		}
		rc = one_command(s, s->j->config[i], s->level, &r);

		add_str(t, s->j->config[i]);
		add_str(t, "\n");
		if (r.out)
			fo_sbuf_add(t, r.out, r.out_len);
		if (rc == 0 && r.status != FO_SSH_OK && !bad) {
			snprintf(why, whylen, "line %zu '%s' rejected: %s", i + 1, s->j->config[i],
				 r.error ? r.error : "failed");
			bad = 1;
		}
		free(r.out);
		free(r.error);
		if (rc < 0)
			return -1;
		if (bad && !s->j->config_continue)
			break;
	}
	return bad;
}

/* The configuration: level, lines, then commit (or check and abort), or
 * save. res[0] gets the transcript, res[1] the difference. 0 or -1. */
static int configure(struct sess *s, struct fo_ssh_res *res)
{
	const struct fo_plat_info *pi = s->pi;
	struct fo_sbuf t = { 0 };
	char why[300] = "", *diff = NULL, cmd[128];
	int64_t t0 = fo_now();
	int bad = 0, rc = -1;

	if (pi->config_level < 0) {
		sfail(s, FO_SSH_FAILED, "config", "platform %s has no configuration level", pi->type);
		goto out;
	}
	if (s->j->dry_run && !pi->commit) {
		/* no candidate: a line sent is a line applied, so a dry run
		 * sends none and says so */
		snprintf(why, sizeof(why), "dry run: none of the %zu lines sent: platform %s applies each line at "
			 "once (no candidate to check them in)\n", s->j->nconfig, pi->type);
		add_str(&t, why);
		why[0] = 0;
		rc = 0;
		goto out;
	}
	if (acquire(s, pi->config_level, "config") < 0)
		goto out;
	bad = config_lines(s, &t, why, sizeof(why));
	if (bad < 0)
		goto out;
	if (pi->compare && config_step(s, pi->compare, &t, &diff) < 0)
		goto out;
	if (bad || (s->j->dry_run && pi->commit)) {
		if (pi->commit && s->j->dry_run && !bad && pi->commit_check &&
		    config_step(s, pi->commit_check, &t, NULL) < 0)
			goto out;
		if (pi->abort && config_step(s, pi->abort, &t, NULL) < 0)
			goto out;
	} else if (pi->commit) {
		if (s->j->confirm_minutes > 0 && pi->commit_confirmed) {
			const char *m = strstr(pi->commit_confirmed, "{minutes}");

			if (m)
				snprintf(cmd, sizeof(cmd), "%.*s%d%s", (int)(m - pi->commit_confirmed),
					 pi->commit_confirmed, s->j->confirm_minutes, m + 9);
			else
				snprintf(cmd, sizeof(cmd), "%s %d", pi->commit_confirmed, s->j->confirm_minutes);
		} else {
			snprintf(cmd, sizeof(cmd), "%s", pi->commit);
		}
		if (config_step(s, cmd, &t, NULL) < 0)
			goto out;
	}
	if (acquire(s, pi->default_level, "config") < 0)
		goto out;
	if (!bad && !s->j->dry_run && s->j->save && pi->save && !pi->commit &&
	    config_step(s, pi->save, &t, NULL) < 0)
		goto out;
	rc = 0;
out:
	res[0].status = rc == 0 && !bad ? FO_SSH_OK : FO_SSH_FAILED;
	res[0].exit_code = -1;
	if (bad) {
		res[0].phase = "config";
		res[0].error = strdup(why);
	}
	res[0].out = t.oom ? NULL : t.p;
	res[0].out_len = t.oom ? 0 : t.len;
	if (t.oom)
		free(t.p);
	if (!res[0].out)
		res[0].out = strdup("");
	res[0].ms = (fo_now() - t0) / FO_MSEC;
	res[1].status = FO_SSH_OK;
	res[1].exit_code = -1;
	res[1].out = diff ? diff : strdup("");
	res[1].out_len = res[1].out ? strlen(res[1].out) : 0;
	if (rc < 0)
		keep_partial(s, &res[0]);
	return rc;
}

/* on-close: back to the default level when the way is known, then its
 * writes; no answer is waited for after the last. */
static void on_close(struct sess *s)
{
	const struct fo_plat_info *pi = s->pi;
	int64_t dl = s->io->deadline(s->io->arg, s->j->command_timeout);
	size_t i;

	s->quiet = true;
	for (i = 0; i < pi->non_close; i++) {
		const struct fo_plat_op *op = &pi->on_close[i];

		if (op->kind == FO_OP_ACQUIRE_PRIV) {
			int lv = op->arg ? fo_platform_level_index(s->j->plat, op->arg) : pi->default_level;

			if (lv >= 0 && s->level != lv && acquire(s, lv, "close") < 0)
				return;
		} else if (op->kind == FO_OP_WRITE && op->arg) {
			if (s->io->write(s->io->arg, op->arg, strlen(op->arg), dl) < 0)
				return;
		} else if (op->kind == FO_OP_RETURN) {
			if (s->io->write(s->io->arg, "\n", 1, dl) < 0)
				return;
		} else if (op->kind == FO_OP_SEND_COMMAND && op->arg && quiet_command(s, op->arg, "close") < 0) {
			return;
		}
	}
}

size_t fo_shell_nres(const struct fo_shell_job *j)
{
	return j->ncmds + (j->nconfig ? 2 : 0);
}

long fo_shell_session(const struct fo_shell_io *io, const struct fo_shell_job *j, struct fo_ssh_res *res)
{
	struct sess s = { .io = io, .j = j, .pi = fo_platform_info(j->plat), .level = -1 };
	int64_t dl = io->deadline(io->arg, j->command_timeout);
	long failed = -1;
	int lv;
	size_t i;

	lv = j->level ? fo_platform_level_index(j->plat, j->level) : s.pi->default_level;
	if (lv < 0) {
		sfail(&s, FO_SSH_FAILED, "command", "platform %s has no level %s", s.pi->type, j->level);
		return 0;
	}
	if (read_prompt(&s, dl, "prompt", -1) != GOT_PROMPT || on_open(&s, lv) < 0)
		goto out;
	for (i = 0; i < j->ncmds; i++)
		if (one_command(&s, j->cmds[i], lv, &res[i]) < 0) {
			failed = (long)i;
			goto out;
		}
	if (j->nconfig && configure(&s, &res[j->ncmds]) < 0) {
		failed = (long)j->ncmds;
		goto out;
	}
	/* a device that does not leave the level politely is no failure:
	 * the results are in */
	on_close(&s);
	fo_sbuf_release(&s.b);
	return -1;
out:
	fo_sbuf_release(&s.b);
	return failed; /* -1: before the commands, every result's failure */
}
