/*
 * `fanout run --parse`: each ok output turned into records by the TextFSM
 * template the ntc-templates index picks for (platform, command), as
 * netmiko's and scrapli's `use_textfsm` do (src/textfsm/).
 *
 * Everything that can fail on the templates' side is done before the run:
 * fo__parse_plan loads DIR/index and, for every (platform, command) pair
 * of the run, looks up and compiles the template(s) once; a template that
 * does not compile stops the run there (exit 2). During the run, workers
 * only parse (compiled templates are read-only and shared by threads).
 */
#ifndef FO_RUN_PARSE_H
#define FO_RUN_PARSE_H

#include <stddef.h>

#include "../util/sbuf.h"

struct fo_platform;
struct fo_tfsm_index;
struct fo_textfsm;

/* What one (platform, command) parses with: the template(s) of its index
 * row, or why none. Several are joined as CliTable joins them
 * (fo_textfsm_join). */
struct fo_parse_pick {
	const struct fo_platform *plat;
	const char *command;           /* borrowed: the run's command string */
	const struct fo_textfsm **t;   /* heap array of nt, the templates borrowed from the plan; NULL: see why */
	const char *const *names;      /* the row's template names, borrowed from the index */
	size_t nt;
	char *why;                     /* heap: no template for it, ... */
};

struct fo_parse_plan {
	char dir[4096];               /* the templates' folder */
	struct fo_tfsm_index *idx;
	struct fo_parse_tmpl { char *file; struct fo_textfsm *t; } *tmpls;
	size_t ntmpls;
	struct fo_parse_pick *picks;
	size_t npicks;
	unsigned json_flags;          /* FO_TEXTFSM_JSON_* */
};

/* The index of dir (NULL or "": $NTC_TEMPLATES_DIR, as netmiko) into p:
 * 0, or -1 with one line in err (what to give, or the index's own error). */
int fo__parse_plan_init(struct fo_parse_plan *p, const char *dir, char *err, size_t errlen);

/* The template of (plat, command), plat's textfsm-platform being tplat
 * (its type when it has none; NULL: a host without a platform, which
 * gets no template): looked up and compiled unless there
 * already. 0 (a pick made, with or without a template), or -1 with one
 * line in err: a template that does not read or compile (file, line,
 * what) — the run must not start. */
int fo__parse_plan_add(struct fo_parse_plan *p, const struct fo_platform *plat, const char *tplat,
		       const char *command, char *err, size_t errlen);

/* The pick for (plat, command), or NULL when plan_add never saw it. */
const struct fo_parse_pick *fo__parse_pick(const struct fo_parse_plan *p, const struct fo_platform *plat,
					    const char *command);

/*
 * out[0..len) through pick's template: 0 with the records as a JSON array
 * in *json (heap), or with *why (heap) saying why there are none (no
 * template; a template's Error action; templates whose tables CliTable
 * cannot join); -ENOMEM. Exactly one of *json,
 * *why is set on 0. Thread-safe.
 */
int fo__parse_output(const struct fo_parse_plan *p, const struct fo_parse_pick *pick, const char *out, size_t len,
		     char **json, char **why);

void fo__parse_plan_release(struct fo_parse_plan *p);

#endif
