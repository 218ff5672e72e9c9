/*
 * --parse (parse.h): the ntc-templates index and the TextFSM templates it
 * names, loaded and compiled before the run; outputs parsed in the
 * workers.
 */
#include "parse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../textfsm/index.h"
#include "../textfsm/textfsm.h"
#include "../util/file.h"
#include "platform.h"

/* a template is a page or two; ntc-templates' largest is under 20 KB */
#define TEMPLATE_MAX ((size_t)1 << 20)

int fo__parse_plan_init(struct fo_parse_plan *p, const char *dir, char *err, size_t errlen)
{
	char why[512];

	*p = (struct fo_parse_plan){ .json_flags = 0 };
	if (fo_tfsm_templates_dir(dir, p->dir, sizeof(p->dir), why, sizeof(why)) < 0) {
		snprintf(err, errlen, "--parse needs the templates: %s", why);
		return -1;
	}
	if (fo_tfsm_index_load(&p->idx, p->dir, err, errlen) < 0)
		return -1;
	return 0;
}

/* A name from the index as a file under p->dir: never a path elsewhere
 * (STYLE 18): no '/', no "..", not hidden. */
static int template_path(const struct fo_parse_plan *p, const char *name, char *path, size_t size)
{
	if (!*name || strchr(name, '/') || name[0] == '.')
		return -EINVAL;
	if ((size_t)snprintf(path, size, "%s/%s", p->dir, name) >= size)
		return -ENAMETOOLONG;
	return 0;
}

/* The compiled template called name, compiled now when new: it, or NULL
 * with err set. */
static const struct fo_textfsm *template_of(struct fo_parse_plan *p, const char *name, char *err, size_t errlen)
{
	struct fo_parse_tmpl *v;
	struct fo_textfsm *t;
	char path[4200], *text;
	size_t i, len;
	int e;

	for (i = 0; i < p->ntmpls; i++)
		if (!strcmp(p->tmpls[i].file, name))
			return p->tmpls[i].t;
	if ((e = template_path(p, name, path, sizeof(path))) < 0) {
		snprintf(err, errlen, "'%s/index': template '%s': %s", p->dir, name,
			 e == -EINVAL ? "not a file name in that folder" : strerror(-e));
		return NULL;
	}
	if ((e = fo__slurp_max(path, TEMPLATE_MAX, &text, &len)) < 0) {
		snprintf(err, errlen, "cannot read template '%s': %s", path, e == -EFBIG ? "over 1 MiB" : strerror(-e));
		return NULL;
	}
	t = fo_textfsm_compile(path, text, len, err, errlen);
	free(text);
	if (!t)
		return NULL;
	if (!(v = realloc(p->tmpls, (p->ntmpls + 1) * sizeof(*v))) || !(name = strdup(name))) {
		if (v)
			p->tmpls = v;
		fo_textfsm_free(t);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->tmpls = v;
	p->tmpls[p->ntmpls++] = (struct fo_parse_tmpl){ (char *)name, t };
	return t;
}

const struct fo_parse_pick *fo__parse_pick(const struct fo_parse_plan *p, const struct fo_platform *plat,
					    const char *command)
{
	size_t i;

	for (i = 0; i < p->npicks; i++)
		if (p->picks[i].plat == plat &&
		    (p->picks[i].command == command || !strcmp(p->picks[i].command, command)))
			return &p->picks[i];
	return NULL;
}

int fo__parse_plan_add(struct fo_parse_plan *p, const struct fo_platform *plat, const char *tplat,
		       const char *command, char *err, size_t errlen)
{
	const struct fo_tfsm_entry *row = NULL;
	struct fo_parse_pick pick = { .plat = plat, .command = command }, *v;
	char why[512];
	int e;

	if (fo__parse_pick(p, plat, command))
		return 0;
	e = tplat ? fo_tfsm_index_lookup(p->idx, tplat, command, NULL, &row, why, sizeof(why)) : -EDOM;
	if (e == -ENOMEM) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (e == -EDOM) {
		pick.why = strdup("the host has no platform, so no template: give --platform or the inventory's "
				  "platform");
	} else if (e < 0) {
		if (asprintf(&pick.why, "no template for platform %s, command '%s' in '%s/index'", tplat, command,
			     p->dir) < 0)
			pick.why = NULL;
	} else {
		/* the row's templates: one, or several whose tables are
		 * joined as CliTable joins them */
		if (!(pick.t = calloc(row->ntemplates, sizeof(*pick.t)))) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		pick.names = row->templates;
		pick.nt = row->ntemplates;
		for (size_t i = 0; i < row->ntemplates; i++)
			if (!(pick.t[i] = template_of(p, row->templates[i], err, errlen))) {
				free(pick.t);
				return -1;
			}
	}
	if ((!pick.t && !pick.why) || !(v = realloc(p->picks, (p->npicks + 1) * sizeof(*v)))) {
		free(pick.why);
		free(pick.t);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	p->picks = v;
	p->picks[p->npicks++] = pick;
	return 0;
}

/* out through pick's templates into *res: one parse, or each template's
 * joined (the parts then kept in *parts, which res points into). */
static int parse_all(const struct fo_parse_pick *pick, const char *out, size_t len, struct fo_textfsm_result *res,
		     struct fo_textfsm_result **parts)
{
	struct fo_textfsm_result *v;
	size_t i;
	int e = -ENOMEM;

	*parts = NULL;
	if (pick->nt == 1)
		return fo_textfsm_parse(pick->t[0], out, len, res);
	if (!(v = calloc(pick->nt, sizeof(*v))))
		return -ENOMEM;
	for (i = 0; i < pick->nt; i++)
		if ((e = fo_textfsm_parse(pick->t[i], out, len, &v[i])) < 0 || v[i].error)
			break; /* CliTable stops at the first TextFSMError */
	if (e == 0)
		e = fo_textfsm_join(pick->t, v, i < pick->nt ? i + 1 : pick->nt, pick->names, res);
	if (e < 0) {
		for (i = 0; i < pick->nt; i++)
			fo_textfsm_result_release(&v[i]);
		free(v);
		return e;
	}
	*parts = v;
	return 0;
}

int fo__parse_output(const struct fo_parse_plan *p, const struct fo_parse_pick *pick, const char *out, size_t len,
		     char **json, char **why)
{
	struct fo_textfsm_result res, *parts;
	struct fo_sbuf b = { 0 };
	int e;

	*json = *why = NULL;
	if (!pick || !pick->t) {
		*why = strdup(pick && pick->why ? pick->why : "no template");
		return *why ? 0 : -ENOMEM;
	}
	if ((e = parse_all(pick, out ? out : "", out ? len : 0, &res, &parts)) < 0)
		return e;
	if (res.error) {
		if (!(*why = strdup(res.error)))
			e = -ENOMEM;
	} else {
		fo_textfsm_json(&res, &b, p->json_flags);
		if (b.oom)
			e = -ENOMEM;
		else if (!(*json = b.p ? b.p : strdup("[]")))
			e = -ENOMEM;
	}
	if (e < 0)
		free(b.p);
	fo_textfsm_result_release(&res);
	for (size_t i = 0; parts && i < pick->nt; i++)
		fo_textfsm_result_release(&parts[i]);
	free(parts);
	return e;
}

void fo__parse_plan_release(struct fo_parse_plan *p)
{
	size_t i;

	for (i = 0; i < p->ntmpls; i++) {
		fo_textfsm_free(p->tmpls[i].t);
		free(p->tmpls[i].file);
	}
	for (i = 0; i < p->npicks; i++) {
		free(p->picks[i].why);
		free(p->picks[i].t);
	}
	free(p->tmpls);
	free(p->picks);
	fo_tfsm_index_free(p->idx);
	*p = (struct fo_parse_plan){ 0 };
}
