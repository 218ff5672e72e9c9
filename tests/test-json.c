/*
 * The one JSON string writer (src/util/json.h) and every tool's JSON
 * through it: hostile bytes in (device output, host names, inventory
 * values, hrefs and folder names), output checked by Python's json module
 * in strict mode (tests/fixtures/json/strict.py), which also holds each
 * string against Python's own decoding of the bytes with
 * errors="replace": the rule json.h documents.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "../src/util/json.h"
#include "../src/util/utf8.h"
#include "test.h"

#define STRICT "tests/fixtures/json/strict.py"

/* Every kind of byte the rule has a case for, one after the other,
 * each between <>: the tools' tests feed it as device output. */
static const char hostile[] =
	"ok <\"q\" \\> <\x01\x1b[31m\x07\b\f\r\t\n> <\0> <\x7f> <\xc2\x9b\xc2\x85> <\xff\xfe> <\x80> <\xe2\x82>"
	" <\xed\xa0\x80> <\xed\xa0\xbd\xed\xb8\x80> <\xc0\xaf> <\xe0\x80\xaf> <\xf4\x90\x80\x80> <\xf0\x9f\x98>"
	" <caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x80\xa8 \xc2\xa0> end";

/* ... and what they come to in JSON, as the writer spells it. */
static const char *const hostile_json[] = {
	"ok <\\\"q\\\" \\\\> <\\u0001\\u001b[31m\\u0007\\b\\f\\r\\t\\n> <\\u0000> <\\u007f> <\\u009b\\u0085>",
	"<\\ufffd\\ufffd> <\\ufffd> <\\ufffd>", /* stray bytes, a cut sequence: one for its maximal subpart */
	"<\\ufffd\\ufffd\\ufffd> <\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd>", /* surrogates (CESU-8) */
	"<\\ufffd\\ufffd> <\\ufffd\\ufffd\\ufffd> <\\ufffd\\ufffd\\ufffd\\ufffd> <\\ufffd>", /* overlong, > U+10FFFF */
	"<caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x80\xa8 \xc2\xa0> end", /* well-formed: as it is */
	NULL
};

static bool have_python(void)
{
	return system("python3 -c 'import json' 2>/dev/null") == 0;
}

#define put fo_test_put

/* out passes strict.py, each of the NULL-terminated want files' text
 * (decoded by the rule) standing in one of its strings. */
static void check_strict(const char *out, const char *const *wants)
{
	char cmd[2048];
	size_t len;

	len = (size_t)snprintf(cmd, sizeof(cmd), "python3 " STRICT " '%s'", put("out.json", out, strlen(out)));
	for (; *wants; wants++)
		len += (size_t)snprintf(cmd + len, sizeof(cmd) - len, " '%s'", *wants);
	CHECK(len < sizeof(cmd));
	CHECK_EQ(system(cmd), 0);
}

static const char *put_text(const char *name, const char *s)
{
	return put(name, s, strlen(s));
}

static void check_hostile_json(const char *out)
{
	int i;

	for (i = 0; hostile_json[i]; i++)
		CHECK_HAS(out, hostile_json[i]);
}

/* ---- the writer ------------------------------------------------------------------- */

static char *json_of(const char *s, size_t n)
{
	struct fo_sbuf b = { 0 };

	fo__json_str(&b, s, n);
	CHECK(!b.oom && b.p);
	return b.p;
}

TEST(util_json_rule)
{
	char *j = json_of(hostile, sizeof(hostile) - 1), *f = NULL;
	size_t fl = 0;
	FILE *m;

	check_hostile_json(j);
	CHECK(j[0] == '"' && j[strlen(j) - 1] == '"');
	/* the FILE form writes the same, and NULL is null for both */
	m = open_memstream(&f, &fl);
	CHECK(m);
	fo__json_fputs(m, "x\x01\xff\xc2\x9by");
	fputc(' ', m);
	fo__json_fputs(m, NULL);
	CHECK_EQ(fclose(m), 0);
	CHECK_STR(f, "\"x\\u0001\\ufffd\\u009by\" null");
	free(f);
	free(j);
	j = json_of("", 0);
	CHECK_STR(j, "\"\"");
	free(j);
	/* the end of the input cuts a sequence: never read past n */
	j = json_of("a\xe2\x82\xac", 3);
	CHECK_STR(j, "\"a\\ufffd\"");
	free(j);
}

/* json.h's rule is Python's errors="replace", byte for byte: the corner
 * cases and 3000 strings of random bytes, most of them near UTF-8. */
TEST(util_json_matches_python)
{
	static const unsigned char pick[] = { 0x00, 0x1f, 0x22, 0x5c, 0x7f, 0x80, 0x9b, 0xbf, 0xc0, 0xc1, 0xc2,
					      0xdf, 0xe0, 0xe1, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0xa0, 0x8f,
					      0x90, 'a' };
	struct fo_sbuf lines = { 0 }, hex = { 0 };
	unsigned long long x = 88172645463325252ULL;
	char cmd[1024], h[3];
	int i, j;

	if (!have_python())
		fo_test_skip("no python3");
	for (i = 0; i < 3000; i++) {
		unsigned char s[24];
		int n = (int)(x % 13);
		char *js;

		for (j = 0; j < n; j++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			s[j] = x % 3 ? pick[(x >> 8) % sizeof(pick)] : (unsigned char)(x >> 16);
		}
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		js = json_of((const char *)s, (size_t)n);
		fo_sbuf_add(&lines, js, strlen(js));
		fo_sbuf_add(&lines, "\n", 1);
		free(js);
		for (j = 0; j < n; j++) {
			snprintf(h, sizeof(h), "%02x", s[j]);
			fo_sbuf_add(&hex, h, 2);
		}
		fo_sbuf_add(&hex, "\n", 1);
	}
	CHECK(!lines.oom && !hex.oom);
	snprintf(cmd, sizeof(cmd), "python3 " STRICT " --pairs '%s' '%s'", put("lines", lines.p, lines.len),
		 put("hex", hex.p, hex.len));
	CHECK_EQ(system(cmd), 0);
	free(lines.p);
	free(hex.p);
}

/* fo__json_unstr gives back what the writer wrote: the text itself where
 * it was UTF-8, U+FFFD where it was not, and always well-formed UTF-8. */
TEST(util_json_back)
{
	static const char *const wellformed[] = { "plain", "q\"b\\s/\n\r\t\b\f\x01\x7f", "caf\xc3\xa9 \xc2\x9b",
						  "\xf0\x9f\x98\x80\xef\xbf\xbd", "" };
	struct fo_sbuf b = { 0 };
	const char *end;
	size_t i, k, bad;
	unsigned cp;
	char *j;

	for (i = 0; i < sizeof(wellformed) / sizeof(wellformed[0]); i++) {
		j = json_of(wellformed[i], strlen(wellformed[i]));
		b.len = 0;
		end = fo__json_unstr(&b, j + 1, 1 << 20);
		CHECK_EQ(*end, 0);
		CHECK_EQ(b.len, strlen(wellformed[i]));
		CHECK(!memcmp(b.p ? b.p : "", wellformed[i], b.len));
		free(j);
	}
	j = json_of(hostile, sizeof(hostile) - 1);
	b.len = 0;
	fo__json_unstr(&b, j + 1, 1 << 20);
	for (i = 0; i < b.len; i += k)
		CHECK((k = fo__utf8_next((const unsigned char *)b.p + i, b.len - i, &cp, &bad)) > 0);
	CHECK(memmem(b.p, b.len, "<\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd> ", 11)); /* the lone surrogate */
	CHECK(memmem(b.p, b.len, "<\0>", 3));
	free(j);
	/* escapes from elsewhere: a pair joined, a lone half replaced, a bound kept */
	b.len = 0;
	end = fo__json_unstr(&b, "\\ud83d\\ude00\\udc00\\u00e9\" tail", 1 << 20);
	CHECK_STR(b.p, "\xf0\x9f\x98\x80\xef\xbf\xbd\xc3\xa9");
	CHECK_STR(end, " tail");
	b.len = 0;
	fo__json_unstr(&b, "abcdef\"", 3);
	CHECK_EQ(b.len, 3);
	free(b.p);
}

/* ---- the tools ---------------------------------------------------------------------- */

/* Host names with bytes that are not UTF-8, C1 and C0 controls, quotes
 * and backslashes, one a line, for -w ^FILE ... */
static const char names[] = "bad\xffname\xc2\x9bx\nq\"b\\s\x7f\x01t\ncesu\xed\xa0\x80over\xc0\xaf\n";

/* ... in the output of a tool, the JSON line of each one's under key. */
static void check_names(const char *out, const char *key)
{
	static const char *const json[] = { "bad\\ufffdname\\u009bx\"", "q\\\"b\\\\s\\u007f\\u0001t\"",
					    "cesu\\ufffd\\ufffd\\ufffdover\\ufffd\\ufffd\"" };
	const char *wants[4];
	char want[200];
	size_t i, at = 0;

	for (i = 0; i < 3; i++) {
		size_t len = strcspn(names + at, "\n");

		snprintf(want, sizeof(want), "\"%s\":\"%s", key, json[i]);
		CHECK_HAS(out, want);
		snprintf(want, sizeof(want), "n%zu", i);
		wants[i] = put(want, names + at, len);
		at += len + 1;
	}
	wants[3] = NULL;
	check_strict(out, wants);
}

TEST(run_json_hostile_bytes)
{
	const char *raw, *wants[2];
	char cmd[512], list[300], *out = NULL, *err = NULL;

	if (!have_python())
		fo_test_skip("no python3");
	raw = put("device.out", hostile, sizeof(hostile) - 1);
	snprintf(list, sizeof(list), "^%s", put_text("hosts.txt", names));
	/* device output: the whole of it, each case as the rule says */
	snprintf(cmd, sizeof(cmd), "cat '%s'", raw);
	CHECK_EQ(fo_test_cli(&out, &err, "run", "-w", "localhost", "--task", "exec", "--run", cmd, "--json", NULL),
		 0);
	check_hostile_json(out);
	wants[0] = raw;
	wants[1] = NULL;
	check_strict(out, wants);
	free(out);
	free(err);
	/* host names, in "host" and back through the command */
	CHECK_EQ(fo_test_cli(&out, &err, "run", "-w", list, "--task", "exec",
			     "--run", "printf %s {host}", "--json", NULL),
		 0);
	check_names(out, "host");
	free(out);
	free(err);
}

TEST(inventory_json_hostile_bytes)
{
	static const char yaml[] = "\"r1\\e[2J\\u009b\\x7f\\\"q\\\\\\t\\U0001F600\":\n"
				   "  hostname: \"h\\x01\\u0085\"\n"
				   "  data:\n"
				   "    \"k\\e\": \"v\\a\\u2028\"\n"
				   "    list: [\"\\x9b\", 1]\n";
	const char *wants[6];
	char dir[300], *out = NULL, *err = NULL;

	if (!have_python())
		fo_test_skip("no python3");
	/* through YAML's escapes: what libyaml reads is UTF-8, control characters included */
	snprintf(dir, sizeof(dir), "%s/inv", fo_test_dir());
	CHECK_EQ(mkdir(dir, 0700), 0);
	put_text("inv/hosts.yaml", yaml);
	CHECK_EQ(fo_test_cli(&out, &err, "inventory", "-i", dir, "--json", NULL), 0);
	CHECK_HAS(out, "\"name\":\"r1\\u001b[2J\\u009b\\u007f\\\"q\\\\\\t\xf0\x9f\x98\x80\"");
	CHECK_HAS(out, "\"data\":{\"k\\u001b\":\"v\\u0007\xe2\x80\xa8\",\"list\":[\"\\u009b\",1]}");
	wants[0] = put_text("w1", "r1\x1b[2J\xc2\x9b\x7f\"q\\\t\xf0\x9f\x98\x80");
	wants[1] = put_text("w2", "h\x01\xc2\x85");
	wants[2] = put_text("w3", "k\x1b");
	wants[3] = put_text("w4", "v\x07\xe2\x80\xa8");
	wants[4] = NULL;
	check_strict(out, wants);
	free(out);
	free(err);
	/* and bytes that are not UTF-8, from a host file */
	snprintf(dir, sizeof(dir), "^%s", put_text("hosts.txt", names));
	CHECK_EQ(fo_test_cli(&out, &err, "inventory", "-w", dir, "--json", NULL), 0);
	check_names(out, "name");
	free(out);
	free(err);
}

/* A folder whose name is not UTF-8 and a page whose hrefs and ids hold
 * controls, quotes and backslashes: the report's URLs and reasons. */
TEST(links_json_hostile_bytes)
{
	static const char page[] = "<html><body><h1 id=\"ok\x01&quot;\\\\\">t</h1>\n"
				   "<a href=\"#ok\x01&quot;\\\\\">found</a>\n"
				   "<a href=\"#miss\x01\x7f&quot;q\\\\ \x1b[1m y\">b</a>\n"
				   "<a href=\"gone\x1b]0;t\x07.html\">c</a></body></html>\n";
	const char *wants[3];
	char dir[300], path[400], *out = NULL, *err = NULL;

	if (!have_python())
		fo_test_skip("no python3");
	snprintf(dir, sizeof(dir), "%s/s\xff\xed\xa0\x80\x1b\xc2\x9bx", fo_test_dir());
	CHECK_EQ(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/index.html", dir);
	fo_test_write(path, page, sizeof(page) - 1);
	CHECK_EQ(fo_test_cli(&out, &err, "links", "--format", "json", dir, NULL), 1);
	CHECK_HAS(out, "/s\\ufffd\\ufffd\\ufffd\\ufffd\\u001b\\u009bx/gone\\u001b]0;t\\u0007.html'");
	/* the fragment as the URL holds it (url.h's fo_url_fragment) */
	CHECK_HAS(out, "index.html#miss%01%7F%22q\\\\\\\\%20%1B[1m%20y\"");
	CHECK_LACKS(out, "#ok");
	wants[0] = put_text("w1", "s\xff\xed\xa0\x80\x1b\xc2\x9bx/gone\x1b]0;t\x07.html");
	wants[1] = put_text("w2", "#miss%01%7F%22q\\\\%20%1B[1m%20y");
	wants[2] = NULL;
	check_strict(out, wants);
	free(out);
	free(err);
}
