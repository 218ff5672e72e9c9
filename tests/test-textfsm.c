/*
 * The TextFSM engine (src/textfsm/) against python3-textfsm, its
 * reference: every template of tests/fixtures/textfsm/ with its outputs
 * (hand-made cases for each option and action, and the show commands of
 * every simulated platform, made here by src/devices/'s generators), the
 * engine's JSON compared record by record with ParseTextToDicts by
 * tests/fixtures/textfsm/ref.py, in one Python run per test. Templates
 * Python refuses must be refused here too, with the file and line named.
 * Several templates' tables joined (fo_textfsm_join) are compared with
 * clitable.CliTable.ParseCmd's table by ref_join.py, on the cases of
 * tests/fixtures/textfsm/join/cases.
 * Debian's python3-textfsm is importable by /usr/bin/python3 only (the
 * PATH's python3 may be another), so that is the one called; without it
 * the differential tests skip and the direct checks still run.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <stdint.h>
#include <unistd.h>

#include "../src/devices/outputs.h"
#include "../src/textfsm/textfsm.h"
#include "../src/util/json.h"
#include "test.h"

#define FIX "tests/fixtures/textfsm"
#define PY  "/usr/bin/python3"

static bool have_textfsm(void)
{
	return system(PY " -c 'import textfsm' 2>/dev/null") == 0;
}

static struct fo_textfsm *compile_str(const char *name, const char *text, char *err, size_t errlen)
{
	return fo_textfsm_compile(name, text, strlen(text), err, errlen);
}

static struct fo_textfsm *compile_file(const char *path, char *err, size_t errlen)
{
	char *text = fo_test_read(path);
	struct fo_textfsm *t;

	CHECK(text);
	t = fo_textfsm_compile(path, text, strlen(text), err, errlen);
	free(text);
	return t;
}

/* The engine's JSON for template t and the output at path (NULL: the
 * text out[0..outlen) ). */
static char *json_of(const struct fo_textfsm *t, const char *out, size_t outlen)
{
	struct fo_textfsm_result res;
	struct fo_sbuf b = { 0 };

	CHECK_EQ(fo_textfsm_parse(t, out, outlen, &res), 0);
	fo_textfsm_json(&res, &b, 0);
	fo_textfsm_result_release(&res);
	CHECK(!b.oom);
	return fo_sbuf_detach(&b);
}

/* ---- direct checks -------------------------------------------------------------------------- */

static const char tpl_basic[] = "# a comment\n"
				"Value Filldown,Key Chassis (\\S+)\n"
				"Value Required Slot (\\d+)\n"
				"Value List Ports (\\S+)\n"
				"\n"
				"Start\n"
				"  ^chassis ${Chassis}\n"
				"  ^slot ${Slot} -> Continue\n"
				"  ^slot \\d+ port ${Ports}\n"
				"  ^end -> Record\n";

TEST(textfsm_values_and_records)
{
	const char out[] = "chassis c1\nslot 1 port p1\nslot 1 port p2\nend\nslot 2 port p9\nend\nend\nchassis c2\n";
	struct fo_textfsm_result res;
	struct fo_textfsm *t;
	char err[256];

	t = compile_str("basic.textfsm", tpl_basic, err, sizeof(err));
	CHECK(t);
	CHECK_EQ(fo_textfsm_nvalues(t), 3);
	CHECK_STR(fo_textfsm_value_name(t, 0), "Chassis");
	CHECK_EQ(fo_textfsm_value_opts(t, 0), FO_TEXTFSM_OPT_FILLDOWN | FO_TEXTFSM_OPT_KEY);
	CHECK_EQ(fo_textfsm_value_opts(t, 1), FO_TEXTFSM_OPT_REQUIRED);
	CHECK_EQ(fo_textfsm_value_opts(t, 2), FO_TEXTFSM_OPT_LIST);
	CHECK(!fo_textfsm_value_name(t, 3));
	CHECK_EQ(fo_textfsm_parse(t, out, sizeof(out) - 1, &res), 0);
	CHECK(!res.error);
	CHECK_EQ(res.ncols, 3);
	CHECK_STR(res.header[2], "Ports");
	/* the last "end" has no Slot (Required): dropped, and so is the EOF
	 * record, "c2" having no slot */
	CHECK_EQ(res.nrows, 2);
	CHECK_EQ(res.cells[0].kind, FO_TEXTFSM_STR);
	CHECK_STR(res.cells[0].s, "c1");
	CHECK_STR(res.cells[1].s, "1");
	CHECK_EQ(res.cells[2].kind, FO_TEXTFSM_LIST);
	CHECK_EQ(res.cells[2].len, 2);
	CHECK_STR(res.cells[2].sub[1].s, "p2");
	CHECK_STR(res.cells[3].s, "c1"); /* filled down */
	CHECK_STR(res.cells[4].s, "2");
	CHECK_EQ(res.cells[5].len, 1);
	fo_textfsm_result_release(&res);
	CHECK(!res.cells && !res.error);
	fo_textfsm_free(t);
}

TEST(textfsm_json_keys)
{
	struct fo_textfsm_result res;
	struct fo_sbuf b = { 0 };
	struct fo_textfsm *t;
	char err[256];
	const char out[] = "chassis C\nslot 3 port \"q\"\nend\n";

	t = compile_str("basic.textfsm", tpl_basic, err, sizeof(err));
	CHECK(t);
	CHECK_EQ(fo_textfsm_parse(t, out, sizeof(out) - 1, &res), 0);
	fo_textfsm_json(&res, &b, 0);
	CHECK_STR(b.p, "[\n {\"Chassis\": \"C\", \"Slot\": \"3\", \"Ports\": [\"\\\"q\\\"\"]}\n]\n");
	fo_sbuf_reset(&b);
	fo_textfsm_json(&res, &b, FO_TEXTFSM_JSON_LOWER);
	CHECK_STR(b.p, "[\n {\"chassis\": \"C\", \"slot\": \"3\", \"ports\": [\"\\\"q\\\"\"]}\n]\n");
	fo_textfsm_result_release(&res);
	/* no records: an empty list */
	CHECK_EQ(fo_textfsm_parse(t, "", 0, &res), 0);
	fo_sbuf_reset(&b);
	fo_textfsm_json(&res, &b, 0);
	CHECK_STR(b.p, "[]\n");
	fo_textfsm_result_release(&res);
	fo_sbuf_release(&b);
	fo_textfsm_free(t);
}

TEST(textfsm_error_action)
{
	const char tpl[] = "Value A (\\S+)\n\nStart\n  ^ok ${A} -> Record\n  ^bad -> Error \"stop here\"\n"
			   "  ^worse -> Error\n";
	struct fo_textfsm_result res;
	struct fo_textfsm *t;
	char err[256];

	t = compile_str("e.textfsm", tpl, err, sizeof(err));
	CHECK(t);
	CHECK_EQ(fo_textfsm_parse(t, "ok 1\nbad x\nok 2\n", 16, &res), 0);
	CHECK_STR(res.error, "Error: \"stop here\". Rule Line: 5. Input Line: bad x.");
	CHECK_EQ(res.nrows, 0);
	fo_textfsm_result_release(&res);
	CHECK_EQ(fo_textfsm_parse(t, "worse", 5, &res), 0);
	CHECK_STR(res.error, "State Error raised. Rule Line: 6. Input Line: worse");
	fo_textfsm_result_release(&res);
	fo_textfsm_free(t);
}

/* A refusal is one line: the name, the line, what is wrong. */
TEST(textfsm_template_errors)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "# version\nValue Filldown Os (\\S+)\nValue Filldwn Serial (\\S+)\n\nStart\n  ^${Os}\n",
		  "'show_version.textfsm': line 3: unknown option 'Filldwn'" },
		{ "Value A (x)\n\nStart\n   ^${A}\n",
		  "'show_version.textfsm': line 4: expected a rule: 1 or 2 spaces or a tab, then '^'" },
		{ "Value A (x)\n\nStart\n  ^${A} -> Continue Other\n\nOther\n",
		  "'show_version.textfsm': line 4: 'Continue' cannot change the state (to 'Other')" },
		{ "Value A (x)\n\nStart\n  ^${A} -> Other\n",
		  "'show_version.textfsm': line 4: no state 'Other' (in state 'Start')" },
		{ "Value A (x)\n\nBegin\n", "'show_version.textfsm': no 'Start' state" },
		{ "Value A (x)\n\nStart\n  ^a\r\n  ^\xff\n", "'show_version.textfsm': line 5: not valid UTF-8" },
	};
	char err[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK(!compile_str("show_version.textfsm", cases[i].text, err, sizeof(err)));
		CHECK_STR(err, cases[i].msg);
	}
	/* a short buffer: cut, still NUL-terminated */
	CHECK(!compile_str("show_version.textfsm", cases[0].text, err, 8));
	CHECK_STR(err, "'show_v");
}

/* Every template of bad/: refused, with the file's name and a line. */
TEST(textfsm_bad_templates)
{
	DIR *d = opendir(FIX "/bad");
	struct dirent *e;
	int n = 0;

	CHECK(d);
	while ((e = readdir(d))) {
		char path[512], want[600], err[512];
		size_t len = strlen(e->d_name);

		if (len < 9 || strcmp(e->d_name + len - 8, ".textfsm"))
			continue;
		snprintf(path, sizeof(path), FIX "/bad/%s", e->d_name);
		CHECK(!compile_file(path, err, sizeof(err)));
		snprintf(want, sizeof(want), "'%s': ", path);
		CHECK(!strncmp(err, want, strlen(want)));
		CHECK(!strchr(err, '\n'));
		if (!fo_test_has(err, "'Start' state"))
			CHECK_HAS(err, ": line ");
		n++;
	}
	closedir(d);
	CHECK(n >= 30);
}

/* Output that is not text: bad UTF-8, NULs, no final newline. Python
 * would see U+FFFD; here the bytes match nothing (textfsm.h). */
TEST(textfsm_hostile_output)
{
	const char tpl[] = "Value List L (.*)\nValue W (\\w+)\n\nStart\n  ^${L}\n  ^w ${W} -> Record\n";
	const char out[] = "a\xff" "b\nc\0d\nw x\xe2\x82\nlast";
	struct fo_textfsm_result res;
	struct fo_textfsm *t;
	char err[256];

	t = compile_str("h.textfsm", tpl, err, sizeof(err));
	CHECK(t);
	CHECK_EQ(fo_textfsm_parse(t, out, sizeof(out) - 1, &res), 0);
	CHECK_EQ(res.nrows, 1);
	CHECK_EQ(res.cells[0].len, 4);
	CHECK_STR(res.cells[0].sub[0].s, "a");
	CHECK_EQ(res.cells[0].sub[1].len, 3); /* "c\0d" */
	CHECK(!memcmp(res.cells[0].sub[1].s, "c\0d", 3));
	CHECK_STR(res.cells[0].sub[3].s, "last");
	fo_textfsm_result_release(&res);
	fo_textfsm_free(t);
}

/* ---- against python3-textfsm ------------------------------------------------------------------ */

struct manifest {
	struct fo_sbuf b;
	int n;
};

/* Adds "template, output, ours" to m, ours written from our parse (or
 * our refusal) into the test's folder. */
static void add_pair(struct manifest *m, const char *tpl_path, const char *out_path)
{
	char err[512], name[64], *out, *json;
	struct fo_textfsm *t = compile_file(tpl_path, err, sizeof(err));
	const char *ours;
	size_t outlen;

	if (!t) {
		struct fo_sbuf b = { 0 };

		fo_sbuf_adds(&b, "{\"template_error\": ");
		fo__json_strz(&b, err);
		fo_sbuf_adds(&b, "}\n");
		json = fo_sbuf_detach(&b);
	} else {
		FILE *f = fopen(out_path, "rb");

		CHECK(f);
		out = malloc(1 << 20);
		CHECK(out);
		outlen = fread(out, 1, 1 << 20, f);
		fclose(f);
		json = json_of(t, out, outlen);
		free(out);
		fo_textfsm_free(t);
	}
	CHECK(json);
	snprintf(name, sizeof(name), "ours-%d.json", m->n++);
	ours = fo_test_put(name, json, strlen(json));
	free(json);
	fo_sbuf_addf(&m->b, "%s\t%s\t%s\n", tpl_path, out_path, ours);
}

static void run_ref(struct manifest *m)
{
	char cmd[1024];
	const char *path = fo_test_put("manifest", m->b.p, m->b.len);

	snprintf(cmd, sizeof(cmd), PY " " FIX "/ref.py '%s' >&2", path);
	CHECK_EQ(system(cmd), 0);
	fo_sbuf_release(&m->b);
}

/* The hand-made cases: NAME.textfsm with NAME.txt, NAME.2.txt... */
TEST(textfsm_diff_cases)
{
	struct manifest m = { 0 };
	DIR *d;
	struct dirent *e;

	if (!have_textfsm())
		fo_test_skip("python3-textfsm not importable by " PY);
	d = opendir(FIX "/cases");
	CHECK(d);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char tpl[512], out[512];

		if (len < 9 || strcmp(e->d_name + len - 8, ".textfsm"))
			continue;
		snprintf(tpl, sizeof(tpl), FIX "/cases/%s", e->d_name);
		for (int i = 1; i < 10; i++) {
			if (i == 1)
				snprintf(out, sizeof(out), FIX "/cases/%.*s.txt", (int)(len - 8), e->d_name);
			else
				snprintf(out, sizeof(out), FIX "/cases/%.*s.%d.txt", (int)(len - 8), e->d_name, i);
			if (access(out, R_OK))
				break;
			add_pair(&m, tpl, out);
		}
	}
	closedir(d);
	CHECK(m.n >= 25);
	run_ref(&m);
}

/* The refused templates: Python refuses each too. */
TEST(textfsm_diff_bad)
{
	struct manifest m = { 0 };
	DIR *d;
	struct dirent *e;

	if (!have_textfsm())
		fo_test_skip("python3-textfsm not importable by " PY);
	d = opendir(FIX "/bad");
	CHECK(d);
	while ((e = readdir(d))) {
		char tpl[512];
		size_t len = strlen(e->d_name);

		if (len < 9 || strcmp(e->d_name + len - 8, ".textfsm"))
			continue;
		snprintf(tpl, sizeof(tpl), FIX "/bad/%s", e->d_name);
		add_pair(&m, tpl, "/dev/null");
	}
	closedir(d);
	run_ref(&m);
}

static const struct {
	enum fo_dev_platform p;
	const char *name;
} platforms[] = {
	{ FO_DEV_IOS, "ios" }, { FO_DEV_NXOS, "nxos" }, { FO_DEV_EOS, "eos" },
	{ FO_DEV_JUNOS, "junos" }, { FO_DEV_IOSXR, "iosxr" },
};

/*
 * Every show command of every simulated platform, for three devices:
 * the platform's template for that command when devices/ has one
 * (PLATFORM_show_WORDS.textfsm), and the two that take any output
 * (any_*.textfsm). Each platform template must give records somewhere,
 * so that agreeing on nothing cannot pass.
 */
TEST_T(textfsm_diff_devices, 120)
{
	static const char *const addrs[] = { "127.1.0.5", "10.20.30.40", "127.2.0.9" };
	struct manifest m = { 0 };
	int with_records = 0, templates = 0;

	if (!have_textfsm())
		fo_test_skip("python3-textfsm not importable by " PY);
	for (size_t p = 0; p < sizeof(platforms) / sizeof(platforms[0]); p++)
		for (size_t a = 0; a < sizeof(addrs) / sizeof(addrs[0]); a++) {
			struct fo__devid d;
			struct in_addr in;

			CHECK_EQ(inet_pton(AF_INET, addrs[a], &in), 1);
			fo__devid_init(&d, ntohl(in.s_addr), platforms[p].p, NULL);
			for (const struct fo__show *s = fo__show_table(platforms[p].p); s->words; s++) {
				char base[128], tpl[256], name[160];
				struct fo_sbuf b = { 0 };
				const char *out;
				char *c;

				snprintf(base, sizeof(base), "%s_%s", platforms[p].name, s->words);
				for (c = base; *c; c++)
					if (*c == ' ')
						*c = '_';
				fo__gen_run(s->gen, &d, 0, &b);
				CHECK(!b.oom && b.p);
				snprintf(name, sizeof(name), "%s-%zu.txt", base, a);
				out = fo_test_put(name, b.p, b.len);
				snprintf(tpl, sizeof(tpl), FIX "/devices/%s.textfsm", base);
				if (!access(tpl, R_OK)) {
					struct fo_textfsm_result res;
					char err[512];
					struct fo_textfsm *t = compile_file(tpl, err, sizeof(err));

					if (!t)
						fprintf(stderr, "%s\n", err);
					CHECK(t);
					CHECK_EQ(fo_textfsm_parse(t, b.p, b.len, &res), 0);
					templates += a == 0;
					with_records += a == 0 && res.nrows > 0;
					fo_textfsm_result_release(&res);
					fo_textfsm_free(t);
					add_pair(&m, tpl, out);
				}
				add_pair(&m, FIX "/devices/any_words.textfsm", out);
				add_pair(&m, FIX "/devices/any_kv.textfsm", out);
				free(b.p);
			}
		}
	CHECK(templates >= 20);
	CHECK_EQ(with_records, templates);
	run_ref(&m);
}

/* ---- several templates joined, as CliTable joins them ---------------------------------------- */

#define JOIN FIX "/join"

/* The JSON of out parsed by each template of list (an index row's
 * Template field, "a.textfsm:b.textfsm", found in dir) and joined. */
static char *join_json(const char *dir, const char *list, const char *out, size_t outlen)
{
	struct fo_textfsm *t[8];
	struct fo_textfsm_result parts[8], res;
	const char *names[8];
	char buf[512], path[1024], err[512], *save = NULL, *name;
	struct fo_sbuf b = { 0 };
	size_t n = 0;

	snprintf(buf, sizeof(buf), "%s", list);
	for (name = strtok_r(buf, ":", &save); name; name = strtok_r(NULL, ":", &save)) {
		CHECK(n < 8);
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		t[n] = compile_file(path, err, sizeof(err));
		if (!t[n])
			fprintf(stderr, "%s\n", err);
		CHECK(t[n]);
		CHECK_EQ(fo_textfsm_parse(t[n], out, outlen, &parts[n]), 0);
		names[n++] = name;
	}
	CHECK_EQ(fo_textfsm_join((const struct fo_textfsm *const *)t, parts, n, names, &res), 0);
	fo_textfsm_json(&res, &b, 0);
	fo_textfsm_result_release(&res);
	for (size_t i = 0; i < n; i++) {
		fo_textfsm_result_release(&parts[i]);
		fo_textfsm_free(t[i]);
	}
	CHECK(!b.oom);
	return fo_sbuf_detach(&b);
}

static char *join_file(const char *list, const char *out_name)
{
	char path[512], *out, *json;

	snprintf(path, sizeof(path), JOIN "/%s", out_name);
	out = fo_test_read(path);
	CHECK(out);
	json = join_json(JOIN, list, out, strlen(out));
	free(out);
	return json;
}

/* Without Python: columns, rows, keys and the errors, by hand. */
TEST(textfsm_join)
{
	char *j;

	/* keyed: Gi2 has no description (""), Gi9's is lost, the rows stay */
	j = join_file("k_if.textfsm:k_desc.textfsm", "if.txt");
	CHECK_STR(j, "[\n {\"Interface\": \"Gi1\", \"Vlan\": \"10\", \"Mode\": \"access\", \"Description\": \"uplink\"},\n"
		     " {\"Interface\": \"Gi2\", \"Vlan\": \"20\", \"Mode\": \"trunk\", \"Description\": \"\"},\n"
		     " {\"Interface\": \"Gi3\", \"Vlan\": \"30\", \"Mode\": \"access\", \"Description\": \"server room\"},\n"
		     " {\"Interface\": \"Gi2\", \"Vlan\": \"21\", \"Mode\": \"access\", \"Description\": \"\"}\n]\n");
	free(j);
	/* no keys anywhere: row by row */
	j = join_file("nk_desc.textfsm:nk_if.textfsm", "if.txt");
	CHECK_HAS(j, "{\"Interface\": \"Gi3\", \"Description\": \"server room\", \"Vlan\": \"20\", \"Mode\": \"trunk\"}");
	free(j);
	/* a List column a row got nothing for is "", not [] */
	j = join_file("k_if.textfsm:k_tagged.textfsm", "if.txt");
	CHECK_HAS(j, "\"Tagged\": [\"10\", \"20\", \"30\"]}");
	CHECK_HAS(j, "\"Mode\": \"trunk\", \"Tagged\": \"\"}");
	free(j);
	/* the Error action of a later template stops it all */
	j = join_file("k_if.textfsm:err.textfsm", "if.txt");
	CHECK_STR(j, "{\"error\": \"Error: \\\"no good\\\". Rule Line: 4. Input Line: bad line.\"}\n");
	free(j);
	/* a key the first table has not; a key a later one has not */
	j = join_file("nk_if.textfsm:k_port_desc.textfsm", "empty.txt");
	CHECK_HAS(j, "its key 'Port' is not a column");
	CHECK_HAS(j, "'k_port_desc.textfsm'");
	free(j);
	j = join_file("k_if.textfsm:port_desc.textfsm", "if.txt");
	CHECK_HAS(j, "it has no column 'Interface', a key");
	free(j);
	j = join_file("k_if.textfsm:port_desc.textfsm", "empty.txt"); /* no rows to compare: no error */
	CHECK_STR(j, "[]\n");
	free(j);
	/* one template: the parse as it is */
	j = join_file("k_if.textfsm", "only_desc.txt");
	CHECK_STR(j, "[]\n");
	free(j);
}

/* Every case of join/cases against CliTable.ParseCmd (ref_join.py). */
TEST(textfsm_diff_join)
{
	struct fo_sbuf m = { 0 };
	char *cases = fo_test_read(JOIN "/cases"), *line, *save = NULL, cmd[1024];
	const char *path;
	int n = 0;

	if (!have_textfsm())
		fo_test_skip("python3-textfsm not importable by " PY);
	CHECK(cases);
	for (line = strtok_r(cases, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t'), *json, name[64], out[512];

		if (line[0] == '#')
			continue;
		CHECK(tab);
		*tab++ = 0;
		json = join_file(line, tab);
		snprintf(name, sizeof(name), "join-%d.json", n++);
		path = fo_test_put(name, json, strlen(json));
		free(json);
		snprintf(out, sizeof(out), JOIN "/%s", tab);
		fo_sbuf_addf(&m, "%s\t%s\t%s\t%s\n", JOIN, line, out, path);
	}
	free(cases);
	CHECK(n >= 25);
	path = fo_test_put("manifest-join", m.p, m.len);
	snprintf(cmd, sizeof(cmd), PY " " FIX "/ref_join.py '%s' >&2", path);
	CHECK_EQ(system(cmd), 0);
	fo_sbuf_release(&m);
}
