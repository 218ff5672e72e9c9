/*
 * What the option tables print about themselves: --help, the man page in
 * roff and the bash and zsh completions (see opt.h). All three walk the
 * same table, so none can list a flag the parser does not take, or miss
 * one it does.
 */
#include <string.h>

#include "opt.h"

/* "-c, --command CMD" / "    --json" / "--shell[=BOOL]" */
static void flag_words(const struct fo_opt *o, char *buf, size_t len)
{
	size_t k = 0;

	if (o->shrt)
		k += (size_t)snprintf(buf, len, "-%c, ", o->shrt);
	else
		k += (size_t)snprintf(buf, len, "    ");
	k += (size_t)snprintf(buf + k, len - k, "--%s%s", o->kind == FO_OPT_BOOL && o->def &&
			      !strcmp(o->def, "on") ? "[no-]" : "", o->name);
	if (o->kind != FO_OPT_BOOL && o->kind != FO_OPT_FLAG && k < len)
		snprintf(buf + k, len - k, " %s", o->arg ? o->arg : "VALUE");
}

static bool shown(const struct fo_opt *o)
{
	return !(o->flags & FO_OPT_HIDDEN);
}

/* Calls fn for each group, in the order groups first appear. */
static bool group_seen_before(const struct fo_opt *opts, const struct fo_opt *o)
{
	const struct fo_opt *p;

	for (p = opts; p < o; p++)
		if (shown(p) && !strcmp(p->group ? p->group : "", o->group ? o->group : ""))
			return true;
	return false;
}

static bool same_group(const struct fo_opt *a, const struct fo_opt *b)
{
	return !strcmp(a->group ? a->group : "", b->group ? b->group : "");
}

/* text from column col on, wrapped at 80 columns at spaces, continued
 * lines indented to col; a word longer than the room stays whole. */
static void wrap(FILE *f, const char *text, size_t col)
{
	size_t room = col < 60 ? 80 - col : 20, len = strlen(text);

	while (len > room) {
		size_t k = room;

		while (k > 0 && text[k] != ' ')
			k--;
		if (k == 0)
			k = strcspn(text, " ");
		if (k >= len)
			break;
		fprintf(f, "%.*s\n%*s", (int)k, text, (int)col, "");
		text += k + 1;
		len -= k + 1;
	}
	fprintf(f, "%s\n", text);
}

void fo_opts_help(const struct fo_opts *t, FILE *f)
{
	const struct fo_opt *g, *o;
	char w[160], line[1024];

	fprintf(f, "usage: fanout %s %s\n%s\n", t->cmd, t->synopsis ? t->synopsis : "[options]",
		t->about ? t->about : "");
	for (g = t->opts; g->name; g++) {
		if (!shown(g) || group_seen_before(t->opts, g))
			continue;
		fprintf(f, "\n%s:\n", g->group ? g->group : "options");
		for (o = g; o->name; o++) {
			if (!shown(o) || !same_group(o, g))
				continue;
			flag_words(o, w, sizeof(w));
			if (strlen(w) > 26)
				fprintf(f, "  %s\n  %-26s  ", w, "");
			else
				fprintf(f, "  %-26s  ", w);
			snprintf(line, sizeof(line), "%s%s%s%s%s%s%s", o->help ? o->help : "",
				 o->kind == FO_OPT_ENUM && o->choices ? " (" : "",
				 o->kind == FO_OPT_ENUM && o->choices ? o->choices : "",
				 o->kind == FO_OPT_ENUM && o->choices ? ")" : "",
				 o->def && o->kind != FO_OPT_BOOL ? " [" : "",
				 o->def && o->kind != FO_OPT_BOOL ? o->def : "",
				 o->def && o->kind != FO_OPT_BOOL ? "]" : "");
			wrap(f, line, 30);
		}
	}
	fprintf(f, "\n  -h, --help                  this text\n");
	if (t->more)
		fprintf(f, "\n%s", t->more);
}

/* ---- the man page -------------------------------------------------------------- */

/* Text for roff: backslashes doubled as \e, '-' as \-, and a line that
 * would start with '.' or '\'' guarded with \&. */
static void roff(FILE *f, const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", f);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", f);
		else if (*s == '-')
			fputs("\\-", f);
		else if (*s == '\n') {
			fputc('\n', f);
			if (s[1] == '.' || s[1] == '\'')
				fputs("\\&", f);
		} else
			fputc(*s, f);
	}
}

static void man_upper(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s == ' ' ? '-' : *s >= 'a' && *s <= 'z' ? *s - 32 : *s, f);
}

static void man_flag(FILE *f, const struct fo_opt *o)
{
	fputs(".TP\n", f);
	if (o->shrt)
		fprintf(f, "\\fB\\-%c\\fR, ", o->shrt);
	fputs("\\fB\\-\\-", f);
	roff(f, o->name);
	fputs("\\fR", f);
	if (o->kind != FO_OPT_BOOL && o->kind != FO_OPT_FLAG) {
		fputs(" \\fI", f);
		roff(f, o->arg ? o->arg : "VALUE");
		fputs("\\fR", f);
	}
	fputc('\n', f);
	roff(f, o->help ? o->help : "");
	if (o->kind == FO_OPT_ENUM && o->choices) {
		fputs(" (", f);
		roff(f, o->choices);
		fputc(')', f);
	}
	if (o->def && o->kind != FO_OPT_BOOL) {
		fputs("; default ", f);
		roff(f, o->def);
	}
	if (o->kind == FO_OPT_BOOL)
		fputs(o->def && !strcmp(o->def, "on") ? "; on unless \\-\\-no\\-" : "", f);
	if (o->kind == FO_OPT_BOOL && o->def && !strcmp(o->def, "on"))
		roff(f, o->name);
	fputs(".\n", f);
}

void fo_opts_man(const struct fo_opts *t, const char *date, FILE *f)
{
	const struct fo_opt *g, *o;

	fputs(".TH FANOUT-", f);
	man_upper(f, t->cmd);
	fprintf(f, " 1 \"%s\" \"fanout\" \"fanout manual\"\n.SH NAME\nfanout\\-", date);
	for (const char *p = t->cmd; *p; p++)
		fputc(*p == ' ' ? '-' : *p, f);
	fputs(" \\- ", f);
	roff(f, t->about ? t->about : "");
	fputs("\n.SH SYNOPSIS\n.B fanout ", f);
	roff(f, t->cmd);
	fputc('\n', f);
	roff(f, t->synopsis ? t->synopsis : "[options]");
	fputs("\n.SH OPTIONS\n", f);
	for (g = t->opts; g->name; g++) {
		if (!shown(g) || group_seen_before(t->opts, g))
			continue;
		fputs(".SS ", f);
		roff(f, g->group ? g->group : "Options");
		fputc('\n', f);
		for (o = g; o->name; o++)
			if (shown(o) && same_group(o, g))
				man_flag(f, o);
	}
	fputs(".TP\n\\fB\\-h\\fR, \\fB\\-\\-help\\fR\nthe options, briefly.\n", f);
	if (t->more) {
		fputs(".SH DESCRIPTION\n.nf\n", f);
		roff(f, t->more);
		fputs("\n.fi\n", f);
	}
	fputs(".SH SEE ALSO\n\\fBfanout\\fR(1)\n", f);
}

/* ---- completions ---------------------------------------------------------------- */

static void bash_words(FILE *f, const struct fo_opts *t)
{
	const struct fo_opt *o;

	for (o = t->opts; o->name; o++) {
		if (!shown(o))
			continue;
		fprintf(f, " --%s", o->name);
		if (o->kind == FO_OPT_BOOL)
			fprintf(f, " --no-%s", o->name);
		if (o->shrt)
			fprintf(f, " -%c", o->shrt);
	}
	fputs(" --help", f);
}

static void bash_values(FILE *f, const struct fo_opts *t)
{
	const struct fo_opt *o;

	fputs("\t\tcase \"$prev\" in\n", f);
	for (o = t->opts; o->name; o++) {
		if (!shown(o) || o->kind == FO_OPT_BOOL || o->kind == FO_OPT_FLAG)
			continue;
		fprintf(f, "\t\t--%s", o->name);
		if (o->shrt)
			fprintf(f, "|-%c", o->shrt);
		if (o->kind == FO_OPT_FILE)
			fputs(") COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n", f);
		else if (o->kind == FO_OPT_ENUM) {
			fputs(") COMPREPLY=($(compgen -W \"", f);
			for (const char *p = o->choices; *p; p++)
				fputc(*p == '|' ? ' ' : *p, f);
			fputs("\" -- \"$cur\")); return ;;\n", f);
		} else
			fputs(") return ;;\n", f);
	}
	fputs("\t\tesac\n", f);
}

static void bash(const struct fo_opts *const *ts, size_t n, FILE *f)
{
	size_t i;

	fputs("# bash completion for fanout (generated from its option tables)\n"
	      "_fanout()\n{\n\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	      "\tlocal key=${COMP_WORDS[1]} opts=\n"
	      "\tif [ \"$COMP_CWORD\" -eq 1 ]; then\n\t\tCOMPREPLY=($(compgen -W \"", f);
	for (i = 0; i < n; i++) {
		size_t k = strcspn(ts[i]->cmd, " "), j;

		for (j = 0; j < i; j++) /* "bench rtt" and "bench tasks": one "bench" */
			if (strcspn(ts[j]->cmd, " ") == k && !strncmp(ts[j]->cmd, ts[i]->cmd, k))
				break;
		if (j == i)
			fprintf(f, "%s%.*s", i ? " " : "", (int)k, ts[i]->cmd);
	}
	fputs(" version help\" -- \"$cur\"))\n\t\treturn\n\tfi\n"
	      "\tcase $key in bench) key=\"$key ${COMP_WORDS[2]}\" ;; esac\n\tcase $key in\n", f);
	for (i = 0; i < n; i++) {
		fprintf(f, "\t\"%s\")\n", ts[i]->cmd);
		bash_values(f, ts[i]);
		fputs("\t\topts=\"", f);
		bash_words(f, ts[i]);
		fputs("\" ;;\n", f);
	}
	fputs("\tesac\n\tCOMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n}\ncomplete -F _fanout fanout\n", f);
}

/* zsh's _arguments spec quoting: ' as '\'' and the spec's own :[] escaped. */
static void zsh_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else if (*s == ':' || *s == '[' || *s == ']' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else
			fputc(*s, f);
	}
}

static void zsh_flag(FILE *f, const struct fo_opt *o)
{
	bool val = o->kind != FO_OPT_BOOL && o->kind != FO_OPT_FLAG;
	int i;

	for (i = 0; i < (o->shrt ? 2 : 1); i++) {
		fputs(" \\\n\t\t'", f);
		if (o->kind == FO_OPT_LIST || o->kind == FO_OPT_FLAG || (o->flags & FO_OPT_REPEAT))
			fputc('*', f);
		if (i == 0)
			fprintf(f, "--%s%s", o->name, val ? "=" : "");
		else
			fprintf(f, "-%c%s", o->shrt, val ? "+" : "");
		fputc('[', f);
		zsh_text(f, o->help ? o->help : "");
		fputc(']', f);
		if (val) {
			fputc(':', f);
			zsh_text(f, o->arg ? o->arg : "VALUE");
			fputc(':', f);
			if (o->kind == FO_OPT_FILE)
				fputs("_files", f);
			else if (o->kind == FO_OPT_ENUM) {
				fputc('(', f);
				for (const char *p = o->choices; *p; p++)
					fputc(*p == '|' ? ' ' : *p, f);
				fputc(')', f);
			}
		}
		fputc('\'', f);
	}
	if (o->kind == FO_OPT_BOOL)
		fprintf(f, " \\\n\t\t'--no-%s[not --%s]'", o->name, o->name);
}

static void zsh(const struct fo_opts *const *ts, size_t n, FILE *f)
{
	size_t i;

	fputs("#compdef fanout\n# zsh completion for fanout (generated from its option tables)\n"
	      "_fanout() {\n\tlocal key\n\tif (( CURRENT == 2 )); then\n\t\tlocal -a cmds\n\t\tcmds=(", f);
	for (i = 0; i < n; i++) {
		fputs(" '", f);
		for (const char *p = ts[i]->cmd; *p; p++)
			fputc(*p == ' ' ? '-' : *p, f);
		fputc(':', f);
		zsh_text(f, ts[i]->about ? ts[i]->about : "");
		fputc('\'', f);
	}
	fputs(" )\n\t\t_describe command cmds\n\t\treturn\n\tfi\n"
	      "\tkey=$words[2]\n\tif [[ $key == bench ]]; then key=\"$key $words[3]\"; shift words; (( CURRENT-- )); fi\n"
	      "\tshift words; (( CURRENT-- ))\n\tcase $key in\n", f);
	for (i = 0; i < n; i++) {
		const struct fo_opt *o;

		fprintf(f, "\t\"%s\")\n\t\t_arguments -s", ts[i]->cmd);
		for (o = ts[i]->opts; o->name; o++)
			if (shown(o))
				zsh_flag(f, o);
		fputs(" \\\n\t\t'*:operand:_files' ;;\n", f);
	}
	fputs("\tesac\n}\n_fanout \"$@\"\n", f);
}

void fo_opts_completion(const struct fo_opts *const *ts, size_t n, const char *shell, FILE *f)
{
	if (!strcmp(shell, "zsh"))
		zsh(ts, n, f);
	else
		bash(ts, n, f);
}
