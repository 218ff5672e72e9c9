/* Platform files as scrapligo writes them, and fanout's shipped ones
 * (src/run/platform.c, platforms/NAME.yaml): parsing, messages, prompts,
 * privilege paths, failures and pagers. */
#include <pthread.h>

#include "../src/run/platform.h"
#include "test.h"

/* ---- helpers -------------------------------------------------------------------------------- */

struct warns {
	int n;
	char all[4096];
};

static void on_warn(const char *msg, void *arg)
{
	struct warns *w = arg;
	size_t len = strlen(w->all);

	w->n++;
	snprintf(w->all + len, sizeof(w->all) - len, "%s\n", msg);
}

static struct fo_platform *parse_ok(const char *text, struct warns *w)
{
	char err[512] = "";
	struct fo_platform *p = fo_platform_parse(text, strlen(text), "t.yaml", on_warn, w, err, sizeof(err));

	if (!p)
		fprintf(stderr, "parse failed: %s\n", err);
	CHECK(p != NULL);
	return p;
}

/* The error a text gives (a static buffer). */
static const char *parse_err(const char *text)
{
	static char err[512];
	struct warns w = { 0 };
	struct fo_platform *p;

	err[0] = 0;
	p = fo_platform_parse(text, strlen(text), "t.yaml", on_warn, &w, err, sizeof(err));
	if (p)
		fprintf(stderr, "parsed, but should not have:\n%s\n", text);
	CHECK(p == NULL);
	CHECK(err[0] != 0);
	return err;
}

static const struct fo_platform *builtin(const char *name)
{
	const struct fo_platform *p = fo_platform_builtin(name);

	CHECK(p != NULL);
	return p;
}

static int level(const struct fo_platform *p, const char *name)
{
	int i = fo_platform_level_index(p, name);

	if (i < 0)
		fprintf(stderr, "no level '%s'\n", name);
	CHECK(i >= 0);
	return i;
}

/* The name of the level text ends at, or "-" for none. */
static const char *at(const struct fo_platform *p, const char *text)
{
	int i = fo_platform_match_prompt(p, text, strlen(text), NULL);

	CHECK_EQ(fo_platform_at_prompt(p, text, strlen(text)), i >= 0);
	return i < 0 ? "-" : fo_platform_info(p)->levels[i].name;
}

/* ---- the shipped platforms ------------------------------------------------------------------ */

TEST(platform_builtin_files_parse_without_warnings)
{
	const char *const *names = fo_platform_builtin_names();
	char path[128], err[512];
	size_t n = 0;

	for (; *names; names++, n++) {
		const struct fo_platform *p = builtin(*names);
		const struct fo_plat_info *in = fo_platform_info(p);
		struct warns w = { 0 };
		struct fo_platform *f;
		size_t i;

		CHECK_STR(in->type, *names); /* platform-type is the file's name */
		CHECK(in->nlevels >= 1);
		CHECK(in->default_level >= 0 && (size_t)in->default_level < in->nlevels);
		CHECK(in->textfsm_platform != NULL);
		CHECK(in->nfailed >= 1);
		for (i = 0; i < in->nlevels; i++)
			CHECK(in->levels[i].previous < (int)in->nlevels);
		/* the file in the tree is what the binary holds, and it warns of nothing */
		snprintf(path, sizeof(path), "platforms/%s.yaml", *names);
		f = fo_platform_load(path, on_warn, &w, err, sizeof(err));
		if (!f)
			fprintf(stderr, "%s\n", err);
		CHECK(f != NULL);
		if (w.n)
			fprintf(stderr, "%s", w.all);
		CHECK_EQ(w.n, 0);
		CHECK_STR(fo_platform_info(f)->type, *names);
		fo_platform_free(f);
	}
	CHECK_EQ(n, 6);
}

TEST(platform_builtin_aliases)
{
	static const char *const map[][2] = {
		{ "cisco_ios", "cisco_iosxe" }, { "cisco_xe", "cisco_iosxe" },
		{ "ios", "cisco_iosxe" },       { "iosxe", "cisco_iosxe" },
		{ "xe", "cisco_iosxe" },        { "cisco_iosxe", "cisco_iosxe" },
		{ "cisco_nxos", "cisco_nxos" }, { "nxos", "cisco_nxos" },
		{ "nxos_ssh", "cisco_nxos" },   { "cisco_xr", "cisco_iosxr" },
		{ "iosxr", "cisco_iosxr" },     { "arista_eos", "arista_eos" },
		{ "eos", "arista_eos" },        { "juniper_junos", "juniper_junos" },
		{ "juniper", "juniper_junos" }, { "junos", "juniper_junos" },
		{ "linux", "linux" },           { "generic", "linux" },
		{ "IOS", "cisco_iosxe" },       { "Junos", "juniper_junos" },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		CHECK_STR(fo_platform_info(builtin(map[i][0]))->type, map[i][1]);
	CHECK(fo_platform_builtin("cisco_asa") == NULL);
	CHECK(fo_platform_builtin("") == NULL);
	CHECK(fo_platform_builtin(NULL) == NULL);
	CHECK(fo_platform_builtin("ios") == fo_platform_builtin("cisco_ios")); /* built once, shared */
}

TEST(platform_prompts_iosxe)
{
	const struct fo_platform *p = builtin("ios");
	const char *out = "show clock\n*10:01:02.003 UTC Mon Mar 1 2021\nr1#", *o;
	size_t start = 0;

	CHECK_STR(at(p, "r1>"), "exec");
	CHECK_STR(at(p, "r1#"), "privilege-exec");
	CHECK_STR(at(p, "\nedge-r1.lab#"), "privilege-exec");
	CHECK_STR(at(p, "r1(config)#"), "configuration");
	CHECK_STR(at(p, "r1(config-if)#"), "configuration");
	CHECK_STR(at(p, "r1(config-router)#"), "configuration");
	CHECK_STR(at(p, "r1(dhcp-config)#"), "configuration");
	/* Tcl's shell looks like a sub-mode: not-contains keeps it out */
	CHECK_STR(at(p, "r1(tcl)#"), "tclsh");
	/* a prompt is what the text ends with */
	CHECK_STR(at(p, "r1#\n"), "-");
	CHECK_STR(at(p, "r1#show version\nCisco IOS XE Software"), "-");
	CHECK_STR(at(p, "interface Gi1 # a comment"), "-");
	CHECK_STR(at(p, ""), "-");
	CHECK_EQ(fo_platform_match_prompt(p, out, strlen(out), &start), level(p, "privilege-exec"));
	CHECK_EQ(start, strlen(out) - 3);
	/* carriage returns are dropped, as scrapligo's channel does */
	CHECK_STR(at(p, "show clock\r\n10:01\r\nr1#"), "privilege-exec");
	o = "x\r\n\rr1(config)#";
	CHECK_EQ(fo_platform_match_prompt(p, o, strlen(o), &start), level(p, "configuration"));
	CHECK_EQ(start, 4);
	/* the enable secret's question */
	CHECK(fo_platform_match_auth_prompt(p, level(p, "privilege-exec"), "r1>enable\nPassword: ", 20));
	CHECK(!fo_platform_match_auth_prompt(p, level(p, "privilege-exec"), "r1>enable\nr1#", 13));
	CHECK(!fo_platform_match_auth_prompt(p, level(p, "exec"), "Password: ", 10));
	CHECK(!fo_platform_match_auth_prompt(p, 99, "Password: ", 10));
}

TEST(platform_prompts_nxos_iosxr_eos_linux)
{
	const struct fo_platform *nx = builtin("nxos"), *xr = builtin("iosxr"), *eos = builtin("eos"),
				 *lx = builtin("linux");

	CHECK_STR(at(nx, "switch#"), "privilege-exec");
	CHECK_STR(at(nx, "switch>"), "-"); /* no user EXEC level by default */
	CHECK_STR(at(nx, "switch(config)#"), "configuration");
	CHECK_STR(at(nx, "switch(config-if)#"), "configuration");
	CHECK_STR(at(nx, "switch(config-subif)#"), "configuration");
	CHECK_STR(at(nx, "switch(config-s)#"), "-");
	CHECK_STR(at(nx, "switch(config-tcl)#"), "-");
	CHECK_STR(at(nx, "switch# "), "privilege-exec");

	CHECK_STR(at(xr, "RP/0/RP0/CPU0:r1#"), "exec");
	CHECK_STR(at(xr, "RP/0/RSP0/CPU0:core-1.lab#"), "exec");
	CHECK_STR(at(xr, "RP/0/0/CPU0:xrv#"), "exec");
	CHECK_STR(at(xr, "RP/0/RP0/CPU0:r1(config)#"), "configuration");
	CHECK_STR(at(xr, "RP/0/RP0/CPU0:r1(config-if)#"), "configuration");
	CHECK_STR(at(xr, "RP/0/RP0/CPU0:r1(config-bgp-nbr)#"), "configuration");
	CHECK_STR(fo_platform_info(xr)->commit, "commit");
	CHECK_STR(fo_platform_info(xr)->compare, "show commit changes diff");
	CHECK_STR(fo_platform_info(xr)->abort, "abort");
	CHECK(fo_platform_info(xr)->save == NULL);

	CHECK_STR(at(eos, "leaf1>"), "exec");
	CHECK_STR(at(eos, "leaf1#"), "privilege-exec");
	CHECK_STR(at(eos, "leaf1(config)#"), "configuration");
	CHECK_STR(at(eos, "leaf1(config-if-Et1)#"), "configuration");
	CHECK_STR(at(eos, "leaf1(config-s-sess1)#"), "configuration-session");
	CHECK_STR(at(eos, "leaf1(config-s-sess1-if-Et1)#"), "configuration-session");
	CHECK_STR(fo_platform_info(eos)->save, "write memory");
	CHECK(fo_platform_info(eos)->commit == NULL);

	CHECK_STR(at(lx, "user@host:~$ "), "shell");
	CHECK_STR(at(lx, "uptime\n 10:00:00 up 1 day\n[user@host ~]$ "), "shell");
	CHECK_STR(at(lx, "root@host:/# "), "shell");
	CHECK_STR(at(lx, "$ "), "shell");
	CHECK_STR(at(lx, "Linux host 6.1.0\n"), "-");
	CHECK_STR(fo_platform_info(lx)->driver_type, "generic");
	CHECK_EQ(fo_platform_info(lx)->config_level, -1);
	CHECK_EQ(fo_platform_info(lx)->non_close, 2); /* on-close, scrapligo's generic key */
}

TEST(platform_prompts_junos)
{
	const struct fo_platform *p = builtin("junos");
	const struct fo_plat_info *in = fo_platform_info(p);
	const char *cfg = "set system host-name r1\n\n[edit]\nuser@r1# ";
	const char *deep = "show\r\n## Last changed\r\n\r\n[edit interfaces ge-0/0/0]\r\nuser@r1# ";
	const char *vc = "{master:0}[edit]\nuser@r1#";
	size_t start = 0;

	CHECK_STR(at(p, "user@r1> "), "exec");
	CHECK_STR(at(p, "show version\nHostname: r1\n\nuser@r1>"), "exec");
	CHECK_STR(at(p, "{master:0}\nuser@r1> "), "exec");
	CHECK_EQ(fo_platform_match_prompt(p, cfg, strlen(cfg), &start), level(p, "configuration"));
	CHECK_STR(cfg + start, "[edit]\nuser@r1# "); /* the prompt is both lines */
	CHECK_EQ(fo_platform_match_prompt(p, deep, strlen(deep), &start), level(p, "configuration"));
	CHECK_STR(deep + start, "[edit interfaces ge-0/0/0]\r\nuser@r1# ");
	CHECK_EQ(fo_platform_match_prompt(p, vc, strlen(vc), &start), level(p, "configuration"));
	CHECK_EQ(start, 0);
	CHECK_STR(at(p, "user@r1#"), "configuration");
	CHECK_STR(in->commit, "commit");
	CHECK_STR(in->commit_check, "commit check");
	CHECK_STR(in->compare, "show | compare");
	CHECK_STR(in->abort, "rollback 0");
	CHECK_STR(in->commit_confirmed, "commit confirmed {minutes}");
	CHECK_EQ(in->config_level, level(p, "configuration"));
	CHECK_EQ(in->default_level, level(p, "exec"));
	CHECK_EQ(in->non_open, 4);
	CHECK_EQ(in->on_open[0].kind, FO_OP_ACQUIRE_PRIV);
	CHECK(in->on_open[0].arg == NULL);
	CHECK_EQ(in->on_open[1].kind, FO_OP_SEND_COMMAND);
	CHECK_STR(in->on_open[1].arg, "set cli screen-length 0");
	CHECK_EQ(in->on_close[1].kind, FO_OP_WRITE);
	CHECK_EQ(in->on_close[2].kind, FO_OP_RETURN);
}

/* Only the last FO_PLAT_WINDOW bytes count, from a line start. */
TEST(platform_prompt_window)
{
	const struct fo_platform *p = builtin("ios");
	size_t n = 100000, start = 0;
	char *big = malloc(n + 16);
	int i;

	CHECK(big != NULL);
	memset(big, 'a', n);
	for (i = 80; i < (int)n; i += 81)
		big[i] = '\n';
	memcpy(big + n, "\nr1#", 5);
	CHECK_EQ(fo_platform_match_prompt(p, big, n + 4, &start), level(p, "privilege-exec"));
	CHECK_EQ(start, n + 1);
	/* a last line longer than the window is not a prompt, even if its end looks like one */
	memset(big, 'a', n);
	memcpy(big + n, "r1#", 4);
	CHECK_STR(at(p, big), "-");
	memcpy(big + n - 2000, "\nr1#\n", 5);
	CHECK_STR(at(p, big), "-");
	free(big);
}

/* And at most FO_PLAT_WINDOW_LINES lines of it. */
TEST(platform_prompt_window_lines)
{
	struct warns w = { 0 };
	struct fo_platform *p = parse_ok("platform-type: t\n"
					 "default:\n"
					 "  privilege-levels:\n"
					 "    four: {pattern: '(?m)^b\\nc\\nd\\ne#$'}\n"
					 "    five: {pattern: '(?m)^a\\nb\\nc\\nd\\ne#$'}\n"
					 "  default-desired-privilege-level: four\n",
					 &w);
	const char *five = "a\nb\nc\nd\ne#";
	size_t start = 0;

	CHECK_EQ(fo_platform_match_prompt(p, five, strlen(five), &start), 0);
	CHECK_EQ(start, 2);
	CHECK_STR(at(p, "a\nb\r\nc\nd\ne#"), "four");
	fo_platform_free(p);
}

/* ---- privilege paths ------------------------------------------------------------------------ */

TEST(platform_paths)
{
	const struct fo_platform *p = builtin("ios");
	const struct fo_plat_level *l = fo_platform_info(p)->levels;
	int ex = level(p, "exec"), pe = level(p, "privilege-exec"), cf = level(p, "configuration"), steps[8];

	CHECK_EQ(fo_platform_path(p, ex, cf, steps, 8), 2);
	CHECK_EQ(steps[0], pe);
	CHECK_EQ(steps[1], cf);
	CHECK_STR(l[steps[0]].escalate, "enable");
	CHECK(l[steps[0]].escalate_auth);
	CHECK_STR(l[steps[1]].escalate, "configure terminal");
	CHECK_EQ(fo_platform_path(p, cf, ex, steps, 8), 2);
	CHECK_EQ(steps[0], pe);
	CHECK_EQ(steps[1], ex);
	CHECK_STR(l[cf].deescalate, "end");
	CHECK_STR(l[pe].deescalate, "disable");
	/* across the tree: down, then up another branch */
	CHECK_EQ(fo_platform_path(p, level(p, "tclsh"), cf, steps, 8), 2);
	CHECK_EQ(steps[0], pe);
	CHECK_EQ(steps[1], cf);
	CHECK_EQ(fo_platform_path(p, pe, pe, steps, 8), 0);
	/* the count even where max is short */
	steps[0] = -7;
	CHECK_EQ(fo_platform_path(p, ex, cf, steps, 1), 2);
	CHECK_EQ(steps[0], pe);
	CHECK_EQ(fo_platform_path(p, ex, cf, NULL, 0), 2);
	CHECK_EQ(fo_platform_path(p, ex, 42, steps, 8), -1);
	CHECK_EQ(fo_platform_path(p, -1, cf, steps, 8), -1);

	p = builtin("junos");
	CHECK_EQ(fo_platform_path(p, level(p, "exec"), level(p, "configuration"), steps, 8), 1);
	CHECK_EQ(steps[0], level(p, "configuration"));
	p = builtin("nxos");
	CHECK_EQ(fo_platform_path(p, level(p, "configuration"), level(p, "privilege-exec"), steps, 8), 1);
}

TEST(platform_path_needs_commands)
{
	struct warns w = { 0 };
	struct fo_platform *p = parse_ok("platform-type: two_roots\n"
					 "default:\n"
					 "  privilege-levels:\n"
					 "    a: {pattern: 'a>$'}\n"
					 "    b: {pattern: 'b>$', previous-priv: a, escalate: go-b}\n"
					 "    c: {pattern: 'c>$'}\n"
					 "    d: {pattern: 'd>$', previous-priv: a}\n"
					 "  default-desired-privilege-level: a\n",
					 &w);
	int steps[4];

	CHECK_EQ(w.n, 0);
	CHECK_EQ(fo_platform_path(p, 0, 1, steps, 4), 1);
	CHECK_EQ(fo_platform_path(p, 1, 0, steps, 4), -1); /* b has no deescalate */
	CHECK_EQ(fo_platform_path(p, 0, 2, steps, 4), -1); /* c is another root */
	CHECK_EQ(fo_platform_path(p, 0, 3, steps, 4), -1); /* d has no escalate */
	fo_platform_free(p);
}

/* ---- scrapligo's format --------------------------------------------------------------------- */

/* A fictional vendor written the way scrapligo's assets/platforms files are:
 * every key, empty values for null, comments, Go's regexp syntax. */
static const char acme[] =
	"---\n"
	"# a made-up vendor, in scrapligo's layout\n"
	"platform-type: 'acme_os'\n"
	"default:\n"
	"  driver-type: 'network'\n"
	"  privilege-levels:\n"
	"    exec:\n"
	"      name: 'exec'\n"
	"      pattern: '(?im)^[\\w.\\-]{1,40}>\\s?$'\n"
	"      previous-priv:\n"
	"      deescalate:\n"
	"      escalate:\n"
	"      escalate-auth: false\n"
	"      escalate-prompt:\n"
	"    privilege-exec:\n"
	"      name: 'privilege-exec'\n"
	"      pattern: '(?im)^[\\w.\\-]{1,40}#\\s?$'\n"
	"      previous-priv: 'exec'\n"
	"      deescalate: 'lower'\n"
	"      escalate: 'raise'\n"
	"      escalate-auth: true\n"
	"      escalate-prompt: '(?im)^(?:raise\\s){0,1}secret:\\s?$'\n"
	"    configuration:\n"
	"      name: 'configuration'\n"
	"      pattern: '(?im)^({\\w+}\\n){0,1}[\\w.\\-]{1,40}\\([[:ascii:]]{0,32}\\)#\\s?$'\n"
	"      not-contains:\n"
	"        - 'script)'\n"
	"      previous-priv: 'privilege-exec'\n"
	"      deescalate: 'leave'\n"
	"      escalate: 'edit'\n"
	"      escalate-auth: false\n"
	"      escalate-prompt:\n"
	"  default-desired-privilege-level: 'privilege-exec'\n"
	"  failed-when-contains:\n"
	"    - '% Bad word'\n"
	"    - \"% Not now\"\n"
	"  textfsm-platform: 'acme_os' # a trailing comment\n"
	"  on-open:\n"
	"    - operation: 'channel.write'\n"
	"      input: 'hello'\n"
	"    - operation: 'channel.return'\n"
	"  network-on-open:\n"
	"    - operation: 'acquire-priv' # no target: the default level\n"
	"    - operation: 'driver.send-command'\n"
	"      command: 'pager off'\n"
	"    - operation: 'acquire-priv'\n"
	"      target: 'configuration'\n"
	"    - operation: 'channel.write'\n"
	"      input: 'x'\n"
	"      redacted: true\n"
	"  network-on-close:\n"
	"    - operation: 'acquire-priv'\n"
	"    - operation: 'channel.write'\n"
	"      input: 'bye'\n"
	"    - operation: 'channel.return'\n"
	"variants:\n"
	"  quiet:\n"
	"    failed-when-contains:\n"
	"      - 'oops'\n";

TEST(platform_scrapligo_format)
{
	struct warns w = { 0 };
	char err[512];
	struct fo_platform *p = parse_ok(acme, &w);
	const struct fo_plat_info *in = fo_platform_info(p);
	const struct fo_platform *again;
	size_t start;

	/* variants are scrapligo's and read by it alone: a warning, no error */
	CHECK_EQ(w.n, 1);
	CHECK_HAS(w.all, "t.yaml:56: variants: not used by fanout");
	CHECK_STR(in->type, "acme_os");
	CHECK_STR(in->driver_type, "network");
	CHECK_EQ(in->nlevels, 3);
	CHECK_STR(in->levels[0].name, "exec");
	CHECK_EQ(in->levels[0].previous, -1);
	CHECK(in->levels[0].escalate == NULL && in->levels[0].escalate_prompt == NULL);
	CHECK_EQ(in->levels[1].previous, 0);
	CHECK(in->levels[1].escalate_auth);
	CHECK_STR(in->levels[1].escalate_prompt, "(?im)^(?:raise\\s){0,1}secret:\\s?$");
	CHECK_EQ(in->levels[2].n_not_contains, 1);
	CHECK_STR(in->levels[2].not_contains[0], "script)");
	CHECK_EQ(in->default_level, 1);
	CHECK_EQ(in->config_level, 2); /* the level named configuration */
	CHECK_EQ(in->nfailed, 2);
	CHECK_STR(in->failed_when[1], "% Not now");
	CHECK_STR(in->textfsm_platform, "acme_os");
	CHECK_EQ(in->non_open, 4); /* network-on-open wins over on-open */
	CHECK_STR(in->on_open[1].arg, "pager off");
	CHECK_STR(in->on_open[2].arg, "configuration");
	CHECK_EQ(in->on_open[3].kind, FO_OP_WRITE);
	CHECK_EQ(in->non_close, 3);
	CHECK(in->commit == NULL && in->save == NULL && in->npagers == 0);
	/* Go's syntax works: (?im), \w, {0,1}, [[:ascii:]], literal braces */
	CHECK_STR(at(p, "Box1>"), "exec");
	CHECK_STR(at(p, "BOX1# "), "privilege-exec");
	CHECK_STR(at(p, "box1(conf-if)#"), "configuration");
	CHECK_STR(at(p, "box1(script)#"), "-");
	CHECK_EQ(fo_platform_match_prompt(p, "x\n{main}\nbox1(c)#", 17, &start), 2);
	CHECK_EQ(start, 2);
	CHECK(fo_platform_match_auth_prompt(p, 1, "raise\nRaise Secret: ", 20));
	CHECK(fo_platform_match_auth_prompt(p, 1, "Secret:", 7));
	fo_platform_free(p);

	/* the same from a file */
	memset(&w, 0, sizeof(w));
	p = fo_platform_load(fo_test_put("acme_os.yaml", acme, strlen(acme)), on_warn, &w, err, sizeof(err));
	CHECK(p != NULL);
	CHECK_HAS(w.all, "acme_os.yaml:56: variants:");
	fo_platform_free(p);
	again = fo_platform_builtin("acme_os");
	CHECK(again == NULL);
}

/* Longest match first: a level whose pattern spans two lines beats one that
 * matches the last line alone; then the first listed. */
TEST(platform_longest_match_wins)
{
	struct warns w = { 0 };
	struct fo_platform *p = parse_ok("platform-type: t\n"
					 "default:\n"
					 "  privilege-levels:\n"
					 "    any: {pattern: '(?m)^\\w+#$'}\n"
					 "    edit: {pattern: '(?m)^\\[edit\\]\\n\\w+#$', previous-priv: any}\n"
					 "    same: {pattern: '(?m)^\\w+#$'}\n"
					 "  default-desired-privilege-level: any\n",
					 &w);
	size_t start = 9;

	CHECK_STR(at(p, "out\n[edit]\nr1#"), "edit");
	CHECK_STR(at(p, "out\nr1#"), "any");
	CHECK_EQ(fo_platform_match_prompt(p, "r1#", 3, &start), 0);
	CHECK_EQ(start, 0);
	fo_platform_free(p);
}

TEST(platform_fanout_keys)
{
	struct warns w = { 0 };
	struct fo_platform *p =
		parse_ok("platform-type: x\n"
			 "default:\n"
			 "  privilege-levels:\n"
			 "    op: {pattern: '>$'}\n"
			 "    cfg: {pattern: '#$', previous-priv: op, escalate: edit, deescalate: quit}\n"
			 "  default-desired-privilege-level: op\n"
			 "  config-level: cfg\n"
			 "  commit: 'commit'\n"
			 "  commit-check: 'commit check'\n"
			 "  compare: 'show | compare'\n"
			 "  abort: 'rollback 0'\n"
			 "  commit-confirmed: 'commit confirmed {minutes}'\n"
			 "  save: ''\n"
			 "  pagers: ['-- more --', 'Hit a key']\n",
			 &w);
	const struct fo_plat_info *in = fo_platform_info(p);

	CHECK_EQ(w.n, 0);
	CHECK_EQ(in->config_level, 1);
	CHECK_STR(in->commit_check, "commit check");
	CHECK_STR(in->commit_confirmed, "commit confirmed {minutes}");
	CHECK(in->save == NULL); /* empty is null */
	CHECK_EQ(in->npagers, 2);
	CHECK_EQ(fo_platform_pager_at_end(p, "a\nHit a key", 11), 2);
	CHECK_EQ(in->driver_type[0], 'n'); /* network unless said */
	fo_platform_free(p);
}

/* YAML as yaml.v3 reads it: anchors, aliases, merge keys, flow style. */
TEST(platform_yaml_anchors_and_merge_keys)
{
	struct warns w = { 0 };
	struct fo_platform *p = parse_ok("platform-type: y\n"
					 "default:\n"
					 "  privilege-levels:\n"
					 "    base: &base {pattern: 'b>$', escalate-auth: no}\n"
					 "    up:\n"
					 "      <<: *base\n"
					 "      pattern: 'u#$'\n"
					 "      previous-priv: base\n"
					 "      escalate: up\n"
					 "      not-contains: &nc [zz]\n"
					 "    up2: {<<: [*base], previous-priv: base, not-contains: *nc}\n"
					 "  default-desired-privilege-level: base\n",
					 &w);
	const struct fo_plat_info *in = fo_platform_info(p);

	CHECK_EQ(w.n, 0);
	CHECK_STR(in->levels[1].pattern, "u#$");
	CHECK_STR(in->levels[2].pattern, "b>$");
	CHECK_STR(in->levels[2].not_contains[0], "zz");
	fo_platform_free(p);
}

/* ---- messages ------------------------------------------------------------------------------- */

#define HEAD "platform-type: t\ndefault:\n  privilege-levels:\n"

TEST(platform_errors_name_file_line_key)
{
	const char *e;

	e = parse_err(HEAD "    exec:\n      pattern: '(?im)^[\\w]+(>$'\n  default-desired-privilege-level: exec\n");
	CHECK_HAS(e, "t.yaml:5: privilege-levels.exec.pattern: bad regex: missing closing parenthesis at offset");
	e = parse_err(HEAD "    exec:\n      escalate: x\n  default-desired-privilege-level: exec\n");
	CHECK_STR(e, "t.yaml:4: privilege-levels.exec.pattern: missing (required)");
	e = parse_err(HEAD "    exec:\n      pattern:\n");
	CHECK_STR(e, "t.yaml:5: privilege-levels.exec.pattern: missing (required)");
	e = parse_err(HEAD "    exec:\n");
	CHECK_STR(e, "t.yaml:4: privilege-levels.exec.pattern: missing (required)");
	e = parse_err("default:\n  privilege-levels:\n    exec: {pattern: x}\n");
	CHECK_STR(e, "t.yaml:1: platform-type: missing (required)");
	e = parse_err("platform-type: t\n");
	CHECK_STR(e, "t.yaml:1: default: missing (required)");
	e = parse_err("platform-type: t\ndefault:\n  driver-type: network\n");
	CHECK_STR(e, "t.yaml:2: privilege-levels: missing (required)");
	e = parse_err("platform-type: t\ndefault:\n  privilege-levels:\n    - exec\n");
	CHECK_STR(e, "t.yaml:4: privilege-levels: expected a mapping of levels, found a list");
	e = parse_err("platform-type: [a, b]\n");
	CHECK_STR(e, "t.yaml:1: platform-type: expected a single value, found a list");
	e = parse_err(HEAD "    exec: {pattern: x, escalate-auth: maybe}\n");
	CHECK_STR(e, "t.yaml:4: privilege-levels.exec.escalate-auth: expected true or false, found 'maybe'");
	e = parse_err(HEAD "    exec: {pattern: x, not-contains: tcl}\n");
	CHECK_STR(e, "t.yaml:4: privilege-levels.exec.not-contains: expected a list, found a single value");
	e = parse_err(HEAD "    exec: {pattern: x, not-contains: ['']}\n");
	CHECK_HAS(e, "t.yaml:4: privilege-levels.exec.not-contains[0]: an empty string");
	e = parse_err(HEAD "    exec: {pattern: x}\n    cfg:\n      pattern: y\n      previous-priv: priv\n");
	CHECK_STR(e, "t.yaml:7: privilege-levels.cfg.previous-priv: no level named 'priv'");
	e = parse_err(HEAD "    exec: {pattern: x}\n  default-desired-privilege-level: enable\n");
	CHECK_STR(e, "t.yaml:5: default-desired-privilege-level: no level named 'enable'");
	e = parse_err(HEAD "    a: {pattern: x}\n    b: {pattern: y}\n");
	CHECK_STR(e,
		  "t.yaml:2: default-desired-privilege-level: missing (required where there is more than one level)");
	e = parse_err(HEAD "    exec: {pattern: x}\n  config-level: configuration\n");
	CHECK_STR(e, "t.yaml:5: config-level: no level named 'configuration'");
	e = parse_err(HEAD "    exec: {pattern: x}\n  driver-type: telnet\n");
	CHECK_STR(e, "t.yaml:5: driver-type: expected network or generic, found 'telnet'");
	e = parse_err(HEAD "    exec: {pattern: x}\n  network-on-open:\n    - operation: acquire-priv\n"
			   "      target: config\n");
	CHECK_STR(e, "t.yaml:7: network-on-open[0].target: no level named 'config'");
	e = parse_err(HEAD "    exec: {pattern: x}\n  network-on-open:\n    - operation: driver.send-command\n");
	CHECK_STR(e, "t.yaml:6: network-on-open[0]: missing (required): command");
	e = parse_err(HEAD "    exec: {pattern: x}\n  network-on-open: {operation: channel.return}\n");
	CHECK_STR(e, "t.yaml:5: network-on-open: expected a list of operations, found a mapping");
	e = parse_err(HEAD "    exec: {pattern: x}\n    exec: {pattern: y}\n");
	CHECK_STR(e, "t.yaml:5: privilege-levels.exec: defined twice in one mapping (first on line 4)");
	e = parse_err(HEAD "    exec: {pattern: x, escalate-prompt: '[a-'}\n");
	CHECK_HAS(e, "t.yaml:4: privilege-levels.exec.escalate-prompt: bad regex: missing terminating ] for character "
		     "class at offset 3");
	e = parse_err("platform-type: t\ndefault: {\n");
	CHECK_HAS(e, "t.yaml:3: ");
	e = parse_err("- a\n- b\n");
	CHECK_STR(e, "t.yaml:1: expected a mapping (platform-type, default), found a list");
	e = parse_err("");
	CHECK_STR(e, "t.yaml:1: platform-type: missing (required): the file is empty");
	e = parse_err("a: *nowhere\n");
	CHECK_HAS(e, "t.yaml:1: found undefined alias '*nowhere'");
}

TEST(platform_unknown_keys_warn)
{
	struct warns w = { 0 };
	const char *e;
	struct fo_platform *p = parse_ok("platform-type: t\n"
					 "vendor: acme\n"
					 "default:\n"
					 "  privilege-levels:\n"
					 "    exec:\n"
					 "      name: 'shell'\n"
					 "      pattern: '>$'\n"
					 "      colour: red\n"
					 "  timeout-ops: 30\n"
					 "  options:\n"
					 "    - option: port\n"
					 "      value: 22\n"
					 "  network-on-open:\n"
					 "    - operation: channel.sleep\n"
					 "      seconds: 1\n"
					 "    - operation: channel.return\n"
					 "---\n"
					 "platform-type: second\n",
					 &w);

	CHECK_EQ(w.n, 8);
	CHECK_HAS(w.all, "t.yaml:17: a second YAML document (---), ignored");
	CHECK_HAS(w.all, "t.yaml:2: vendor: unknown key, ignored\n");
	CHECK_HAS(w.all, "t.yaml:6: privilege-levels.exec.name: 'shell' differs from the level's key 'exec'");
	CHECK_HAS(w.all, "t.yaml:8: privilege-levels.exec.colour: unknown key, ignored\n");
	CHECK_HAS(w.all, "t.yaml:9: timeout-ops: unknown key, ignored\n");
	CHECK_HAS(w.all, "t.yaml:10: options: scrapligo's driver options are not used by fanout");
	CHECK_HAS(w.all, "t.yaml:15: network-on-open[0].seconds: unknown key, ignored\n");
	CHECK_HAS(w.all, "t.yaml:14: network-on-open[0]: unknown operation 'channel.sleep', skipped\n");
	CHECK_EQ(fo_platform_info(p)->non_open, 1);
	CHECK_STR(fo_platform_info(p)->levels[0].name, "exec");
	fo_platform_free(p);
	/* a NULL callback drops them */
	e = "platform-type: t\nx: 1\ndefault: {privilege-levels: {a: {pattern: a}}}\n";
	p = fo_platform_parse(e, strlen(e), "t", NULL, NULL, NULL, 0);
	CHECK(p != NULL);
	fo_platform_free(p);
}

TEST(platform_bounds)
{
	size_t n = FO_PLAT_FILE_MAX + 1, i, len;
	char *big = malloc(n + 1), err[256], *deep;
	const char *e;

	CHECK(big != NULL);
	memset(big, '#', n);
	big[n] = 0;
	CHECK(fo_platform_parse(big, n, "big.yaml", NULL, NULL, err, sizeof(err)) == NULL);
	CHECK_HAS(err, "big.yaml: larger than 1024 KiB");
	CHECK(fo_platform_load(fo_test_put("big.yaml", big, n), NULL, NULL, err, sizeof(err)) == NULL);
	CHECK_HAS(err, "big.yaml: larger than 1024 KiB");
	free(big);
	CHECK(fo_platform_load("/nonexistent/p.yaml", NULL, NULL, err, sizeof(err)) == NULL);
	CHECK_STR(err, "cannot read platform file '/nonexistent/p.yaml': No such file or directory");

	deep = malloc(4096);
	CHECK(deep != NULL);
	for (len = 0, i = 0; i < 40; i++)
		deep[len++] = '[';
	deep[len] = 0;
	e = parse_err(deep);
	CHECK_HAS(e, "nested more than 16 deep");

	/* 65 levels */
	big = malloc(65 * 40 + 200);
	CHECK(big != NULL);
	len = (size_t)snprintf(big, 200, "%s", HEAD);
	for (i = 0; i < 65; i++)
		len += (size_t)snprintf(big + len, 40, "    l%zu: {pattern: x}\n", i);
	e = parse_err(big);
	CHECK_HAS(e, "t.yaml:4: privilege-levels: more than 64 levels");
	free(big);
	free(deep);
}

/* ---- failures and pagers -------------------------------------------------------------------- */

TEST(platform_failed_when)
{
	const struct fo_platform *p = builtin("ios");
	const char *bad = "r1#show ip rout\n        ^\n% Invalid input detected at '^' marker.\n\nr1#";

	CHECK_STR(fo_platform_failed(p, bad, strlen(bad)), "% Invalid input detected");
	CHECK(fo_platform_failed(p, "r1#show clock\n10:00\nr1#", 24) == NULL);
	CHECK(fo_platform_failed(p, "% invalid input detected", 24) == NULL); /* case matters */
	CHECK_STR(fo_platform_failed(builtin("junos"), "\nsyntax error, expecting <command>.\n", 36), "syntax error");
	CHECK(fo_platform_failed(p, NULL, 0) == NULL);
}

TEST(platform_pagers)
{
	const struct fo_platform *ios = builtin("ios");
	const char *o;

	o = "line 1\nline 2\n --More-- ";
	CHECK_EQ(fo_platform_pager_at_end(ios, o, strlen(o)), 14);
	CHECK_EQ(fo_platform_pager_at_end(ios, "a\n--More--", 10), 2);
	o = "ge-0/0/0 up\n---(more)---";
	CHECK_EQ(fo_platform_pager_at_end(NULL, o, strlen(o)), 12);
	o = "ge-0/0/0 up\n---(more 42%)---";
	CHECK_EQ(fo_platform_pager_at_end(NULL, o, strlen(o)), 12);
	o = "x\r\n  -- More --  ";
	CHECK_EQ(fo_platform_pager_at_end(NULL, o, strlen(o)), 3);
	o = "x\nPress any key to continue (Q to quit)";
	CHECK_EQ(fo_platform_pager_at_end(NULL, o, strlen(o)), 2);
	o = "<--- More --->";
	CHECK_EQ(fo_platform_pager_at_end(NULL, o, strlen(o)), 0);
	o = "x\n-- MORE --, next page: Space, next line: Enter, quit: Control-C";
	CHECK_EQ(fo_platform_pager_at_end(NULL, o, strlen(o)), 2);
	/* not at a pager */
	CHECK_EQ(fo_platform_pager_at_end(ios, "r1#", 3), -1);
	CHECK_EQ(fo_platform_pager_at_end(ios, " --More-- \nr1#", 14), -1);
	CHECK_EQ(fo_platform_pager_at_end(ios, "--More--\n", 9), -1);
	CHECK_EQ(fo_platform_pager_at_end(ios, "the --More-- prompt", 19), -1);
	CHECK_EQ(fo_platform_pager_at_end(ios, "", 0), -1);
	CHECK_EQ(fo_platform_pager_at_end(ios, "   ", 3), -1);
	CHECK_EQ(fo_platform_pager_at_end(ios, NULL, 0), -1);
	o = "--More--                                                                               x";
	CHECK_EQ(fo_platform_pager_at_end(ios, o, strlen(o)), -1);
}

/* ---- threads -------------------------------------------------------------------------------- */

static void *matcher(void *arg)
{
	const struct fo_platform *p = arg;
	const char *cfg = "show\n[edit]\r\nuser@r1# ", *ex = "show version\nuser@r1> ";
	int cf = fo_platform_level_index(p, "configuration"), e = fo_platform_level_index(p, "exec"), i;
	size_t start;

	for (i = 0; i < 20000; i++) {
		if (fo_platform_match_prompt(p, cfg, strlen(cfg), &start) != cf || start != 5)
			return (void *)1;
		if (fo_platform_match_prompt(p, ex, strlen(ex), NULL) != e)
			return (void *)1;
		if (fo_platform_at_prompt(p, "user@r1", 7))
			return (void *)1;
	}
	return NULL;
}

TEST(platform_match_from_many_threads)
{
	const struct fo_platform *p = builtin("junos");
	pthread_t t[8];
	void *rv;
	int i;

	for (i = 0; i < 8; i++)
		CHECK_EQ(pthread_create(&t[i], NULL, matcher, (void *)p), 0);
	for (i = 0; i < 8; i++) {
		CHECK_EQ(pthread_join(t[i], &rv), 0);
		CHECK(rv == NULL);
	}
}
