/*
 * The ntc-templates index (src/textfsm/index.c) against python3-textfsm's
 * CliTable, the reader it follows: the same index files, the same
 * thousands of lookups (every platform of the fixture, commands cut to
 * every mix of word prefixes, with and without hostnames, with attributes
 * left out), the same Template picked, compared line by line through
 * tests/fixtures/textfsm-index/lookup.py under /usr/bin/python3 (the
 * interpreter that has textfsm). Then the refusals, one line each, and the
 * templates directory as NTC_TEMPLATES_DIR and NET_TEXTFSM name it.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "../src/textfsm/index.h"
#include "../src/util/sbuf.h"
#include "test.h"

#define FIXTURE "tests/fixtures/textfsm-index"
#define PY      "/usr/bin/python3"

static void need_textfsm(void)
{
	if (system(PY " -c 'import textfsm.clitable' 2>/dev/null") != 0)
		fo_test_skip("no python3-textfsm for " PY);
}

/* ---- the differential ----------------------------------------------------------------------- */

/* One query: tab-separated Key=value pairs, as lookup.py reads them. */
static void add_query(struct fo_sbuf *q, const char *platform, const char *command, const char *hostname)
{
	if (platform)
		fo_sbuf_addf(q, "Platform=%s\t", platform);
	fo_sbuf_addf(q, "Command=%s", command);
	if (hostname)
		fo_sbuf_addf(q, "\tHostname=%s", hostname);
	fo_sbuf_add(q, "\n", 1);
}

/* Every way to cut each of the first four words of cmd to a prefix of 1,
 * 2 or all of its letters (at most 3^4 of them), into q with the given platform and
 * hostname; then a few decorated forms of the whole. */
static void add_abbrevs(struct fo_sbuf *q, const char *platform, const char *cmd, const char *hostname)
{
	const char *w[8];
	size_t wl[8], nw = 0, i, combos = 1, c, k, cut;
	const char *p = cmd;
	char buf[256];
	size_t len;

	while (*p && nw < 8) {
		while (*p == ' ')
			p++;
		w[nw] = p;
		while (*p && *p != ' ')
			p++;
		wl[nw] = (size_t)(p - w[nw]);
		nw++;
	}
	for (i = 0; i < nw && combos < 81; i++)
		combos *= 3;
	for (c = 0; c < combos; c++) {
		len = 0;
		for (i = 0, k = c; i < nw; i++, k /= 3) {
			cut = k % 3 == 2 || i >= 4 ? wl[i] : k % 3 + 1;
			cut = cut > wl[i] ? wl[i] : cut;
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%.*s", i ? " " : "", (int)cut, w[i]);
		}
		add_query(q, platform, buf, hostname);
	}
	snprintf(buf, sizeof(buf), "%s | include up", cmd);
	add_query(q, platform, buf, hostname);
	snprintf(buf, sizeof(buf), "%s ", cmd);
	add_query(q, platform, buf, hostname);
	snprintf(buf, sizeof(buf), " %s", cmd);
	add_query(q, platform, buf, hostname);
	snprintf(buf, sizeof(buf), "%s", cmd);
	buf[0] = (char)(buf[0] - 32 * (buf[0] >= 'a' && buf[0] <= 'z'));
	add_query(q, platform, buf, hostname);
	snprintf(buf, sizeof(buf), "%sx", cmd);
	add_query(q, platform, buf, hostname);
}

/* Splits a query line back into attributes (in place). */
static size_t parse_query(char *line, struct fo_tfsm_attr *a, size_t max)
{
	size_t n = 0;
	char *kv, *save = NULL, *eq;

	for (kv = strtok_r(line, "\t", &save); kv && n < max; kv = strtok_r(NULL, "\t", &save)) {
		eq = strchr(kv, '=');
		CHECK(eq != NULL);
		*eq = 0;
		a[n++] = (struct fo_tfsm_attr){ kv, eq + 1 };
	}
	return n;
}

/* Runs the queries q through lookup.py over dir/index and through ours;
 * fails on the first that differs. Returns how many were compared. */
static size_t differ(const char *dir, const struct fo_sbuf *q)
{
	struct fo_tfsm_index *idx = NULL;
	const struct fo_tfsm_entry *e;
	struct fo_tfsm_attr a[8];
	char cmd[4096], err[512], *out, *qs, *line, *want, *s1 = NULL, *s2 = NULL;
	const char *qpath, *opath;
	size_t n = 0, na;
	int rc;

	CHECK(!q->oom);
	qpath = fo_test_put("queries", q->p, q->len);
	opath = fo_test_put("answers", "", 0);
	snprintf(cmd, sizeof(cmd), PY " " FIXTURE "/lookup.py '%s' '%s' >'%s'", dir, qpath, opath);
	CHECK_EQ(system(cmd), 0);
	out = fo_test_read(opath);
	CHECK(out != NULL);
	rc = fo_tfsm_index_load(&idx, dir, err, sizeof(err));
	if (rc)
		fprintf(stderr, "load: %s\n", err);
	CHECK_EQ(rc, 0);
	qs = strdup(q->p);
	CHECK(qs != NULL);
	for (line = strtok_r(qs, "\n", &s1), want = strtok_r(out, "\n", &s2); line;
	     line = strtok_r(NULL, "\n", &s1), want = strtok_r(NULL, "\n", &s2)) {
		char copy[512];

		CHECK(want != NULL);
		snprintf(copy, sizeof(copy), "%s", line);
		na = parse_query(line, a, 8);
		rc = fo_tfsm_index_match(idx, a, na, &e, err, sizeof(err));
		CHECK(rc == 0 || rc == -ENOENT);
		if (strcmp(rc ? "-" : e->field, want)) {
			fprintf(stderr, "query %zu '%s': CliTable picks '%s', we pick '%s'\n", n + 1, copy, want,
				rc ? "-" : e->field);
			CHECK(0);
		}
		n++;
	}
	CHECK(want == NULL || strtok_r(NULL, "\n", &s2) == NULL);
	free(qs);
	free(out);
	fo_tfsm_index_free(idx);
	return n;
}

static const char *const platforms[] = {
	"cisco_ios",    "cisco_nxos",    "cisco_xr",       "arista_eos",  "juniper_junos",
	"cisco_asa",    "cisco_ftd",     "hp_comware",     "hp_procurve", "huawei",
	"huawei_vrpv8", "linux",         "paloalto_panos", "fortinet",    "ubiquiti_edgeswitch",
	"vyos",         "cisco_wlc_ssh", "cisco_iosxe",    "nokia_sros",  NULL,
};

static const char *const commands[] = {
	"show version",
	"show interfaces",
	"show ip interface brief",
	"show ip interface",
	"show ip bgp summary",
	"show ip bgp vpnv4 vrf RED summary",
	"show ip bgp",
	"show ip route",
	"show ip arp",
	"show arp",
	"show mac-address-table",
	"show mac address-table",
	"show cdp neighbors detail",
	"show cdp neighbors",
	"show running-config interface Gi0/1",
	"show vlan",
	"show ip access-lists",
	"show access-lists",
	"dir",
	"show interface brief",
	"show ip route vrf RED",
	"show vpc",
	"show lldp neighbors",
	"show bgp neighbors",
	"show ipv4 interface brief",
	"admin show platform",
	"show interfaces status",
	"show mlag",
	"show interfaces terse",
	"show route",
	"show chassis hardware",
	"display version",
	"ifconfig -a",
	"/sbin/ifconfig",
	"ip -4 addr show",
	"ip a",
	"df -hk",
	"show system info",
	"get system status",
	"show ver",
	"sho ver",
	"show anything at all",
	NULL,
};

TEST(tfsm_index_differs_not_from_clitable)
{
	static const char *const hosts[] = { NULL, "core-1", "edge12", "leaf3" };
	struct fo_sbuf q = { 0 };
	size_t p, c, h, n;

	need_textfsm();
	for (p = 0; platforms[p]; p++)
		for (c = 0; commands[c]; c++)
			add_abbrevs(&q, platforms[p], commands[c], NULL);
	/* hostnames, and no platform at all, for a sample */
	for (h = 1; h < 4; h++)
		for (c = 0; commands[c]; c += 3)
			add_abbrevs(&q, h == 3 ? NULL : "juniper_junos", commands[c], hosts[h]);
	for (c = 0; commands[c]; c++)
		add_abbrevs(&q, "cisco_ios", commands[c], "core-7");
	n = differ(FIXTURE, &q);
	fprintf(stderr, "%zu lookups agree\n", n);
	CHECK(n > 3000);
	free(q.p);
}

/* Columns in another order, an extra column, an empty header name,
 * comments and blank lines in odd places, CRLF and CR line ends,
 * whitespace Python strips (tabs, NBSP), completion next to regex
 * characters, a row starting with blanks then '#' (a row, to CliTable). */
TEST(tfsm_index_layout_differs_not)
{
	static const char text[] = "  # comment\r\n"
				   "\r\n"
				   "Command ,Vendor, Platform,Template,\t\r\n"
				   "sh[[ow]] ver[[sion]] (detail|brief), acme, cisco_ios, a_detail.textfsm ,\r\n"
				   "\r"
				   "# comment\r"
				   "sh[[ow]]  ver[[sion]], acme, cisco_ios, a_twospaces.textfsm,\n"
				   "\t\xc2\xa0sh[[ow]] ver[[sion]]\xc2\xa0, acme, cisco_ios, a.textfsm:b.textfsm:,\n"
				   "sh[[ow]] ver[[sion]], other, cisco_nxos, c.textfsm,x\n"
				   "  # row, v, # p, hash.textfsm, \n"
				   "[[a]b]] x[[]], q, z, odd.textfsm,\n"
				   "sh[[ow]] fo{0}o\\Z, q, z, quant.textfsm,\n"
				   "sh[[ow]] \\d+[[x]], q, z, digits.textfsm,\n";
	static const char *const cmds[] = {
		"sh ver",
		"show version detail",
		"show version brief",
		"sh  ver",
		"show  version",
		"sh ver x",
		"show",
		"a",
		"a]",
		"a]b x[[]]",
		"a]b x[]",
		"a]b x[",
		"sh o",
		"sh ",
		"sh fo",
		"sh foo",
		"sh fooo",
		"sh f",
		"sh 12",
		"sh 12x",
		"sh x",
		"# row",
		"# row x",
		"sh \xd9\xa3",
		"sh foo\n",
		NULL,
	};
	static const char *const plats[] = { "cisco_ios", "cisco_nxos", "z", "# p", "", NULL };
	static const char *const vendors[] = { NULL, "acme", "other", "q" };
	char dir[512];
	struct fo_sbuf q = { 0 };
	size_t c, p, v;

	need_textfsm();
	snprintf(dir, sizeof(dir), "%s/layout", fo_test_dir());
	CHECK_EQ(mkdir(dir, 0755), 0);
	snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/index");
	fo_test_write(dir, text, sizeof(text) - 1);
	*strrchr(dir, '/') = 0;
	for (c = 0; cmds[c]; c++) {
		if (strchr(cmds[c], '\n'))
			continue; /* the query file is line by line: tested apart below */
		for (p = 0; plats[p]; p++)
			for (v = 0; v < 4; v++) {
				fo_sbuf_addf(&q, "Platform=%s\tCommand=%s", plats[p], cmds[c]);
				if (vendors[v])
					fo_sbuf_addf(&q, "\tVendor=%s", vendors[v]);
				fo_sbuf_add(&q, "\n", 1);
			}
		fo_sbuf_addf(&q, "Command=%s\n", cmds[c]);
	}
	CHECK(differ(dir, &q) > 400);
	free(q.p);
}

TEST(tfsm_index_entries)
{
	struct fo_tfsm_index *idx;
	const struct fo_tfsm_entry *e;
	char err[512];

	CHECK_EQ(fo_tfsm_index_load(&idx, FIXTURE, err, sizeof(err)), 0);
	CHECK_EQ(fo_tfsm_index_rows(idx), 49);
	CHECK_EQ(fo_tfsm_index_lookup(idx, "cisco_ios", "sh ip ro", NULL, &e, err, sizeof(err)), 0);
	CHECK_STR(e->field, "cisco_ios_show_ip_route.textfsm:cisco_ios_show_ip_route_summary.textfsm");
	CHECK_EQ(e->ntemplates, 2);
	CHECK_STR(e->templates[0], "cisco_ios_show_ip_route.textfsm");
	CHECK_STR(e->templates[1], "cisco_ios_show_ip_route_summary.textfsm");
	CHECK(e->templates[2] == NULL);
	CHECK_EQ(e->line, 26);
	/* the hostname row wins only when a hostname is given and matches */
	CHECK_EQ(fo_tfsm_index_lookup(idx, "cisco_ios", "show version", "core-9", &e, err, sizeof(err)), 0);
	CHECK_STR(e->field, "cisco_ios_show_version_core.textfsm");
	CHECK_EQ(fo_tfsm_index_lookup(idx, "cisco_ios", "show version", "edge-9", &e, err, sizeof(err)), 0);
	CHECK_STR(e->field, "cisco_ios_show_version.textfsm");
	CHECK_EQ(e->ntemplates, 1);
	/* none: one line naming what was asked */
	CHECK_EQ(fo_tfsm_index_lookup(idx, "cisco_ios", "s ver", NULL, &e, err, sizeof(err)), -ENOENT);
	CHECK(e == NULL);
	CHECK_STR(err, "'" FIXTURE "/index': no template for Platform 'cisco_ios', Command 's ver'");
	fo_tfsm_index_free(idx);
	fo_tfsm_index_free(NULL);
}

/* ---- refusals ------------------------------------------------------------------------------- */

static const char *parse_err(const char *text, int want)
{
	static char err[512];
	struct fo_tfsm_index *idx = (void *)1;

	err[0] = 0;
	CHECK_EQ(fo_tfsm_index_parse(&idx, text, strlen(text), "d/index", err, sizeof(err)), want);
	CHECK(idx == NULL);
	CHECK(strchr(err, '\n') == NULL);
	return err;
}

TEST(tfsm_index_refusals)
{
	CHECK_STR(parse_err("# only\n\n", -EINVAL),
		  "'d/index': no header row (such as: Template, Hostname, Platform, Command)");
	CHECK_STR(parse_err("", -EINVAL), "'d/index': no header row (such as: Template, Hostname, Platform, Command)");
	CHECK_STR(parse_err("#\nHostname, Platform, Command\n", -EINVAL),
		  "'d/index': line 2: the header has no Template column");
	CHECK_STR(parse_err("template, Platform\n", -EINVAL), "'d/index': line 1: the header has no Template column");
	CHECK_STR(parse_err("Template, Platform, Template\n", -EINVAL),
		  "'d/index': line 1: column 'Template' twice in the header");
	CHECK_STR(parse_err("Template, Platform, Command\n\na.textfsm, x, sh(ow\n", -EINVAL),
		  "'d/index': line 3: bad regex in Command 'sh(ow': missing closing parenthesis");
	CHECK_STR(parse_err("Template, Platform, Command\na.textfsm, [x, show\n", -EINVAL),
		  "'d/index': line 2: bad regex in Platform '[x': missing terminating ] for character class");
	CHECK_STR(parse_err("Template, Platform, Command\na.textfsm, x, show, extra\n", -EINVAL),
		  "'d/index': line 2: 4 fields where the header has 3");
	CHECK_STR(parse_err("Template, Platform, Command\na.textfsm, x\n", -EINVAL),
		  "'d/index': line 2: 2 fields where the header has 3");
	CHECK_STR(parse_err("Template, Platform, Command\na.textfsm, x, sh\xff\n", -EINVAL),
		  "'d/index': line 2: not valid UTF-8 (Python reads the index as UTF-8)");
	CHECK_STR(parse_err("Template, Platform, Command\r\n\r\na.textfsm, x, sh\x01\x02\x03(\n", -EINVAL),
		  "'d/index': line 3: bad regex in Command 'sh??"
		  "?(': missing closing parenthesis");
	{
		static const char nul[] = "Template, Platform, Command\na.textfsm, x\0, show\n";
		struct fo_tfsm_index *idx;
		char err[256];

		CHECK_EQ(fo_tfsm_index_parse(&idx, nul, sizeof(nul) - 1, "d/index", err, sizeof(err)), -EINVAL);
		CHECK_STR(err, "'d/index': line 2: a NUL byte");
	}
}

/* Python refuses the same regexes we do, for the cases above. */
TEST(tfsm_index_refusals_python_agrees)
{
	static const char *const bad[] = { "sh(ow", "[x", "(?<=a+)b", "(?P<n>x)(?P<n>y)", "*x", NULL };
	static const char *const good[] = { "x\\Z", "(?P<n>x)(?P=n)", "\\d+", "[]a]", "a]", NULL };
	struct fo_tfsm_index *idx;
	char text[256], cmd[512], err[512];
	size_t i;

	need_textfsm();
	for (i = 0; bad[i]; i++) {
		snprintf(text, sizeof(text), "Template, Platform\na.textfsm, %s\n", bad[i]);
		CHECK_EQ(fo_tfsm_index_parse(&idx, text, strlen(text), "d/index", err, sizeof(err)), -EINVAL);
		snprintf(cmd, sizeof(cmd), PY " -c 'import re,sys; re.compile(sys.argv[1])' '%s' 2>/dev/null", bad[i]);
		CHECK(system(cmd) != 0);
	}
	for (i = 0; good[i]; i++) {
		snprintf(text, sizeof(text), "Template, Platform\na.textfsm, %s\n", good[i]);
		CHECK_EQ(fo_tfsm_index_parse(&idx, text, strlen(text), "d/index", err, sizeof(err)), 0);
		fo_tfsm_index_free(idx);
		snprintf(cmd, sizeof(cmd), PY " -c 'import re,sys; re.compile(sys.argv[1])' '%s'", good[i]);
		CHECK_EQ(system(cmd), 0);
	}
}

TEST(tfsm_index_unreadable)
{
	struct fo_tfsm_index *idx;
	char err[512], want[600];

	CHECK_EQ(fo_tfsm_index_load(&idx, "/nonexistent/dir", err, sizeof(err)), -ENOENT);
	CHECK_STR(err, "cannot read '/nonexistent/dir/index': No such file or directory");
	snprintf(want, sizeof(want), "%s/index", fo_test_dir());
	CHECK_EQ(mkdir(want, 0755), 0);
	CHECK_EQ(fo_tfsm_index_load(&idx, fo_test_dir(), err, sizeof(err)), -EISDIR);
	CHECK(idx == NULL);
}

/* A regex that backtracks without end fails the lookup, not the caller. */
TEST(tfsm_index_match_limit)
{
	static const char text[] = "Template, Command\nslow.textfsm, (a+)+b\nfast.textfsm, a\n";
	struct fo_tfsm_index *idx;
	const struct fo_tfsm_entry *e;
	char err[512];

	CHECK_EQ(fo_tfsm_index_parse(&idx, text, strlen(text), "d/index", err, sizeof(err)), 0);
	CHECK_EQ(fo_tfsm_index_lookup(idx, NULL, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac b", NULL, &e, err, sizeof(err)),
		 -E2BIG);
	CHECK_HAS(err, "'d/index': line 2: the Command regex took too long on 'aaaa");
	CHECK_EQ(fo_tfsm_index_lookup(idx, NULL, "ab", NULL, &e, err, sizeof(err)), 0);
	CHECK_STR(e->field, "slow.textfsm");
	fo_tfsm_index_free(idx);
}

/* ---- the templates directory ---------------------------------------------------------------- */

TEST(tfsm_index_templates_dir)
{
	char buf[512], err[512], want[600];

	unsetenv("NTC_TEMPLATES_DIR");
	unsetenv("NET_TEXTFSM");
	CHECK_EQ(fo_tfsm_templates_dir(NULL, buf, sizeof(buf), err, sizeof(err)), -ENOENT);
	CHECK_HAS(err, "set NTC_TEMPLATES_DIR");
	CHECK_EQ(fo_tfsm_templates_dir("/given", buf, sizeof(buf), err, sizeof(err)), 0);
	CHECK_STR(buf, "/given");
	/* netmiko's variable: the folder itself when it has an index ... */
	setenv("NET_TEXTFSM", FIXTURE, 1);
	CHECK_EQ(fo_tfsm_templates_dir("", buf, sizeof(buf), err, sizeof(err)), 0);
	CHECK_STR(buf, FIXTURE);
	/* ... else its templates folder (a checkout of ntc-templates) */
	setenv("NET_TEXTFSM", "/checkout/ntc-templates", 1);
	CHECK_EQ(fo_tfsm_templates_dir(NULL, buf, sizeof(buf), err, sizeof(err)), 0);
	CHECK_STR(buf, "/checkout/ntc-templates/templates");
	setenv("HOME", fo_test_dir(), 1);
	setenv("NET_TEXTFSM", "~/ntc", 1);
	CHECK_EQ(fo_tfsm_templates_dir(NULL, buf, sizeof(buf), err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s/ntc/templates", fo_test_dir());
	CHECK_STR(buf, want);
	/* ntc-templates' own variable comes first, as it is */
	setenv("NTC_TEMPLATES_DIR", "/ntc/templates", 1);
	CHECK_EQ(fo_tfsm_templates_dir(NULL, buf, sizeof(buf), err, sizeof(err)), 0);
	CHECK_STR(buf, "/ntc/templates");
	CHECK_EQ(fo_tfsm_templates_dir("/given", buf, sizeof(buf), err, sizeof(err)), 0);
	CHECK_STR(buf, "/given");
	CHECK_EQ(fo_tfsm_templates_dir(NULL, buf, 5, err, sizeof(err)), -ENAMETOOLONG);
}
