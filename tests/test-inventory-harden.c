/*
 * The inventory against hostile input: files that never end (/dev/zero),
 * directories and empty files where a file is expected, host lists that
 * add up past the cap of a run, YAML nested deep enough to make libyaml's
 * scanner quadratic, aliases that expand, secrets under keys other than
 * password, and flag values that strtol would have taken. Each test names
 * what must happen; none asserts on time (a test's own timeout is what
 * stops one that hangs).
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../src/run/inventory.h"
#include "test.h"

/* ---- helpers ------------------------------------------------------------------- */

#define tmpdir fo_test_dir

/* An empty directory DIR/sub: its path. */
static const char *subdir(void)
{
	static char sub_dir[160];

	if (!sub_dir[0]) {
		snprintf(sub_dir, sizeof(sub_dir), "%s/sub", tmpdir());
		CHECK(mkdir(sub_dir, 0755) == 0);
	}
	return sub_dir;
}

#define put_n fo_test_put

static const char *put(const char *name, const char *text)
{
	return put_n(name, text, strlen(text));
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

/* `fanout inventory ARGS` fails with exit 2, one line on stderr holding
 * needle, nothing on stdout. */
static void cli_refuses(const char *needle, const char *const *args)
{
	const char *argv[16] = { "inventory" };
	char *out = NULL, *err = NULL;
	int i, rc;

	for (i = 0; args[i]; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	rc = fo_test_cliv(&out, &err, argv);
	if (rc != 2 || count_lines(err) != 1 || !fo_test_has(err, needle) || (out && *out) ||
	    strncmp(err, "fanout: ", 8)) {
		fprintf(stderr, "inventory %s ...: rc %d, stderr:\n%s(expected '%s')\nstdout:\n%.200s\n", args[0], rc,
			err, needle, out);
		exit(1);
	}
	free(out);
	free(err);
}

#define REFUSES(needle, ...) cli_refuses(needle, (const char *const[]){ __VA_ARGS__, NULL })

/* ---- unbounded reads --------------------------------------------------------------- */

TEST_T(inventory_harden_endless_host_file, 120)
{
	/* a file that never ends stops at the bound with a one-line error */
	REFUSES("cannot read host file '/dev/zero': larger than 256 MiB", "-w", "^/dev/zero");
	REFUSES("cannot read host file '/dev/zero': larger than 256 MiB", "--hosts-file", "/dev/zero");
	REFUSES("cannot read host file '/dev/zero': larger than 256 MiB", "-w", "a", "-x", "^/dev/zero");
}

TEST_T(inventory_harden_host_file_out_of_memory, 60)
{
	pid_t pid;
	int status;

	if (*fo_test_san())
		fo_test_skip("a memory limit and a sanitizer's shadow memory do not mix");
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = { (rlim_t)160 << 20, (rlim_t)160 << 20 };
		char err[512] = "";
		size_t n = 0;
		int r;

		CHECK(setrlimit(RLIMIT_AS, &rl) == 0);
		r = fo_hostlist_count("^/dev/zero", FO_HOSTLIST_FILES, &n, err, sizeof(err));
		if (r != -ENOMEM || strcmp(err, "cannot read host file '/dev/zero': out of memory")) {
			fprintf(stderr, "got %d: %s\n", r, err);
			_exit(1);
		}
		_exit(0);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST_T(inventory_harden_directories, 30)
{
	char hosts[300], list[300];

	snprintf(list, sizeof(list), "^%s", subdir());
	REFUSES("cannot read host file '", "-w", list);
	REFUSES("/sub': it is a directory; expected a file of hosts", "-w", list);
	REFUSES("/sub': it is a directory; expected a file of hosts", "--hosts-file", subdir());
	snprintf(hosts, sizeof(hosts), "%s/hosts.yaml", tmpdir());
	put("hosts.yaml", "r1: {password_file: sub}\n");
	REFUSES("hosts.yaml': line 1: password_file '", "-i", hosts);
	REFUSES("/sub' is a directory; expected a file holding the password", "-i", hosts);
	/* as a connection option's */
	put("hosts.yaml", "r1:\n  connection_options:\n    netconf: {password_file: sub}\n");
	REFUSES("/sub' is a directory; expected a file holding the password", "-i", hosts);
}

TEST_T(inventory_harden_empty_password_file, 30)
{
	char hosts[300];
	char *out = NULL, *err = NULL;

	snprintf(hosts, sizeof(hosts), "%s/hosts.yaml", tmpdir());
	put("empty.txt", "");
	put("newline.txt", "\n");
	put("hosts.yaml", "r1: {password_file: empty.txt}\n");
	REFUSES("hosts.yaml': line 1: password_file '", "-i", hosts);
	REFUSES("/empty.txt' is empty; put the password in it, or write password: '' for none", "-i", hosts);
	put("hosts.yaml", "r1: {password_file: newline.txt}\n");
	REFUSES("/newline.txt' is empty", "-i", hosts);
	/* a real one is still read */
	put("pw.txt", "s3cret\n");
	put("hosts.yaml", "r1: {password_file: pw.txt}\n");
	CHECK_EQ(fo_test_cli(&out, &err, "inventory", "-i", hosts, NULL), 0);
	CHECK_HAS(out, "********");
	CHECK_LACKS(out, "s3cret");
	free(out);
	free(err);
}

TEST_T(inventory_harden_password_file_bound, 30)
{
	char hosts[300];

	snprintf(hosts, sizeof(hosts), "%s/hosts.yaml", tmpdir());
	put("hosts.yaml", "r1: {password_file: /dev/zero}\n");
	REFUSES("password_file '/dev/zero': larger than 64 KiB", "-i", hosts);
}

TEST_T(inventory_harden_names_cap_per_run, 60)
{
	struct fo_inv inv;
	char err[512] = "";
	struct fo_inv_filter f;
	size_t n = 0;

	/* three lists of 4 million each: 12 million in all, refused before any is expanded */
	REFUSES("past 10000000 names in all", "-w", "a[1-4000000]", "-w", "b[1-4000000]", "-w",
		"c[1-4000000]");
	REFUSES("split the hosts over several runs", "-w", "a[1-4000000]", "-w", "b[1-4000000]", "-w",
		"c[1-4000000]");
	REFUSES("bad -x 'x[1-6000000]': ", "-w", "a[1-5000000]", "-x", "x[1-6000000]");
	REFUSES("past 10000000 names in all", "-w", "a[1-5000000]", "--limit", "x[1-6000000]");

	/* the library counts on from the run's earlier lists */
	CHECK_EQ(fo_hostlist_expand_after("x[1-2]", 0, FO_HOSTLIST_MAX - 1, NULL, NULL, &n, err, sizeof(err)),
		 -E2BIG);
	CHECK_HAS(err, "'x[1-2]' takes the host lists of this run past 10000000 names in all");
	CHECK_EQ(fo_hostlist_expand_after("x[1-2]", 0, FO_HOSTLIST_MAX - 2, NULL, NULL, &n, err, sizeof(err)), 0);
	CHECK_EQ(n, 2);

	/* and an inventory's filters count on from its host lists */
	fo_inv_init(&inv);
	CHECK_EQ(fo_inv_add_hostlist(&inv, "r[1-5]", err, sizeof(err)), 0);
	memset(&f, 0, sizeof(f));
	f.exclude = "x[0-9999999]"; /* exactly the cap on its own */
	CHECK_EQ(fo_inv_filter(&inv, &f, err, sizeof(err)), -E2BIG);
	CHECK_HAS(err, "past 10000000 names in all");
	CHECK_EQ(inv.nhosts, 5);
	fo_inv_release(&inv);
}

/* ---- YAML nesting ------------------------------------------------------------------- */

/* hosts.yaml with a data value of depth brackets ('[' then ']'), open
 * when unclosed; malloc'd. */
static char *nested(size_t depth, bool closed)
{
	size_t len = 32 + 2 * depth, n;
	char *s = malloc(len);

	CHECK(s != NULL);
	n = (size_t)snprintf(s, len, "r1:\n  data: {x: ");
	memset(s + n, '[', depth);
	n += depth;
	if (closed) {
		memset(s + n, ']', depth);
		n += depth;
		s[n++] = '}';
	}
	s[n++] = '\n';
	s[n] = 0;
	return s;
}

TEST_T(inventory_harden_deep_yaml, 60)
{
	char hosts[300];
	char *deep, *out = NULL, *err = NULL;
	struct fo_inv inv;
	int r;

	snprintf(hosts, sizeof(hosts), "%s/hosts.yaml", tmpdir());
	/* 200 KB of '[': libyaml alone spends a minute of CPU on it */
	deep = nested(200 * 1024, false);
	put("hosts.yaml", deep);
	REFUSES("hosts.yaml': line 2: values nested more than 64 deep", "-i", hosts);
	free(deep);
	deep = nested(100 * 1024, true);
	put("hosts.yaml", deep);
	REFUSES("values nested more than 64 deep", "-i", hosts);
	fo_inv_init(&inv);
	r = fo_inv_load_nornir_text(&inv, deep, strlen(deep), NULL, 0, NULL, 0, err = malloc(512), 512);
	CHECK_EQ(r, -EINVAL);
	CHECK_STR(err, "cannot read inventory 'hosts.yaml': line 2: values nested more than 64 deep");
	CHECK_EQ(inv.nhosts, 0);
	fo_inv_release(&inv);
	free(err);
	free(deep);
	/* 64 levels in all (the hosts map, the host, data, then 61 lists) are fine */
	deep = nested(61, true);
	put("hosts.yaml", deep);
	free(deep);
	CHECK_EQ(fo_test_cli(&out, &err, "inventory", "-i", hosts, "--json", NULL), 0);
	CHECK_HAS(out, "\"data\":{\"x\":[[[");
	free(out);
	free(err);
	deep = nested(62, true);
	put("hosts.yaml", deep);
	free(deep);
	REFUSES("values nested more than 64 deep", "-i", hosts);
	/* deep flow mappings too */
	put("hosts.yaml", "r1: {data: {a: {b: {c: {d: {e: {f: {g: {h: {i: {j: {k: {l: {m: {n: {o: {p: "
			  "{q: {r: {s: {t: {u: {v: {w: {x: {y: {z: {a: {b: {c: {d: {e: {f: {g: {h: {i: {j: {k: "
			  "{l: {m: {n: {o: {p: {q: {r: {s: {t: {u: {v: {w: {x: {y: {z: {a: {b: {c: {d: {e: {f: "
			  "{g: {h: {i: {j: {k: {l: {m: {n: 1}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}"
			  "}}}}}}}}}}}}}}}}}}}\n");
	REFUSES("values nested more than 64 deep", "-i", hosts);
}

TEST_T(inventory_harden_aliases, 30)
{
	char hosts[300];
	char *out = NULL, *err = NULL;

	snprintf(hosts, sizeof(hosts), "%s/hosts.yaml", tmpdir());
	/* the billion laughs (the fuzzer's seed): refused, as before the loader
	 * read events */
	{
		char *text = fo_test_read("tests/fuzz/corpus-inventory/billion-laughs");

		CHECK(text != NULL);
		put("hosts.yaml", text);
		free(text);
	}
	REFUSES("line 8: a value that expands to more than 1000000 items through aliases", "-i", hosts);
	/* an alias nests what it names: depth through aliases is bounded too */
	{
		char text[400], open[60], close[60];

		memset(open, '[', 56);
		memset(close, ']', 56);
		snprintf(text, sizeof(text), "a: {data: {x: &a %.56s1%.56s}}\nb: {data: {y: %.56s*a%.56s}}\n", open,
			 close, open, close);
		put("hosts.yaml", text);
		REFUSES("values nested more than 64 deep (counting through aliases)", "-i", hosts);
	}
	put("hosts.yaml", "r1: {data: {x: *nope}}\n");
	REFUSES("line 1, column 16: found undefined alias '*nope'; define its anchor (&nope) before it", "-i", hosts);
	put("hosts.yaml", "r1: {data: &d {x: *d}}\n");
	REFUSES("an alias refers to the value that holds it", "-i", hosts);
	/* an anchor defined again: the aliases after it take the new one (ruamel, as nornir, warns) */
	put("hosts.yaml", "a: {data: &v {k: 1}}\nb: {data: *v}\nc: {data: &v {k: 2}}\nd: {data: *v}\n");
	CHECK_EQ(fo_test_cli(&out, &err, "inventory", "-i", hosts, "--json", NULL), 0);
	CHECK_HAS(out, "\"name\":\"b\",\"hostname\":\"b\",\"port\":22,");
	CHECK_HAS(err, "hosts.yaml': line 3: anchor '&v' defined again (first on line 1)");
	{
		const char *b = strstr(out, "\"name\":\"b\""), *d = strstr(out, "\"name\":\"d\"");

		CHECK(b && d);
		CHECK(!strncmp(strstr(b, "\"data\":"), "\"data\":{\"k\":1}", 14));
		CHECK(!strncmp(strstr(d, "\"data\":"), "\"data\":{\"k\":2}", 14));
	}
	free(out);
	free(err);
}

/* ---- secrets in every output -------------------------------------------------------- */

static const char *const secret_values[] = { "xs3cret-extras", "xpw-data",    "xenable-data", "xapi-key",
					     "xauth-token",    "xnested-pw",  "xlist-1",      "xlist-2",
					     "xpriv-key",      "xsecret-dash", "xpassphrase", "12345678" };

static void secret_files(void)
{
	put("hosts.yaml",
	    "r1:\n"
	    "  hostname: 10.0.0.1\n"
	    "  connection_options:\n"
	    "    netmiko:\n"
	    "      extras: {secret: xs3cret-extras, fast_cli: false, key_file: /etc/k}\n"
	    "  data:\n"
	    "    password: xpw-data\n"
	    "    enable_secret: xenable-data\n"
	    "    API_Key: xapi-key\n"
	    "    snmp: {auth_token: xauth-token, version: 3}\n"
	    "    deep: {users: [{name: bob, password: xnested-pw}]}\n"
	    "    token: [xlist-1, xlist-2]\n"
	    "    ssh_private_key: |\n"
	    "      xpriv-key\n"
	    "    vault-secret: xsecret-dash\n"
	    "    passphrase: xpassphrase\n"
	    "    pin_password: 12345678\n"
	    "    none_password: ~\n"
	    "    keyboard: us\n"
	    "    hostkey_verify: true\n"
	    "    key: plain-key-name\n");
}

static void check_no_secrets(const char *out)
{
	size_t i;

	for (i = 0; i < sizeof(secret_values) / sizeof(secret_values[0]); i++)
		CHECK_LACKS(out, secret_values[i]);
	CHECK_HAS(out, "us");
	CHECK_HAS(out, "plain-key-name");
	CHECK_HAS(out, "/etc/k");
}

TEST_T(inventory_harden_secrets_redacted, 30)
{
	char *out = NULL, *err = NULL;

	secret_files();
	CHECK_EQ(fo_test_cli(&out, &err, "inventory", "-i", tmpdir(), "--json", NULL), 0);
	check_no_secrets(out);
	CHECK_HAS(out, "\"extras\":{\"secret\":\"********\",\"fast_cli\":false,\"key_file\":\"/etc/k\"}");
	CHECK_HAS(out, "\"password\":\"********\",\"enable_secret\":\"********\",\"API_Key\":\"********\"");
	CHECK_HAS(out, "\"snmp\":{\"auth_token\":\"********\",\"version\":3}");
	CHECK_HAS(out, "\"deep\":{\"users\":[{\"name\":\"bob\",\"password\":\"********\"}]}");
	CHECK_HAS(out, "\"token\":[\"********\",\"********\"]");
	CHECK_HAS(out, "\"ssh_private_key\":\"********\",\"vault-secret\":\"********\"");
	CHECK_HAS(out, "\"pin_password\":\"********\",\"none_password\":null");
	CHECK_HAS(out, "\"keyboard\":\"us\",\"hostkey_verify\":true,\"key\":\"plain-key-name\"");
	free(out);
	free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "inventory", "-i", tmpdir(), NULL), 0);
	check_no_secrets(out);
	CHECK_HAS(out, "password=******** enable_secret=******** API_Key=********");
	CHECK_HAS(out, "extras={\"secret\":\"********\"");
	free(out);
	free(err);
}

TEST(inventory_harden_secret_key_rule)
{
	static const char *const yes[] = { "password",     "Password",      "passwd",         "pwd",
					   "secret",       "enable_secret", "enable_password", "token",
					   "api_key",      "apikey",        "private_key",    "passphrase",
					   "auth_password", "access_token", "client_secret",  "ssh-key",
					   "auth_secondary", "auth_private_key_passphrase" };
	static const char *const no[] = { "key",      "keyboard", "hostkey_verify", "key_file", "use_keys",
					  "tokens",   "secretary", "monkey",        "site",     "password_env",
					  "password_file", "" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!fo_inv_key_secret(yes[i])) {
			fprintf(stderr, "'%s' should be secret\n", yes[i]);
			exit(1);
		}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (fo_inv_key_secret(no[i])) {
			fprintf(stderr, "'%s' should not be secret\n", no[i]);
			exit(1);
		}
}

/* ---- strict flag values ------------------------------------------------------------- */

TEST_T(inventory_harden_strict_numbers, 60)
{
	static const char *const bad_ports[] = { " 22", "22 ", "", "-1", "+22", "0", "65536", "18446744073709551616",
						 "0x16", "22x" };
	static const char *const bad_limits[] = { "", "0", "-1", "+5", " 5", "5 ", "18446744073709551616",
						  "10000001" };
	size_t i;
	char *out = NULL, *err = NULL;

	for (i = 0; i < sizeof(bad_ports) / sizeof(bad_ports[0]); i++)
		REFUSES("fanout: bad --port '", "-w", "a", "--port", bad_ports[i]);
	REFUSES("fanout: bad --port ' 22': expected a port from 1 to 65535", "-w", "a", "--port", " 22");
	for (i = 0; i < sizeof(bad_limits) / sizeof(bad_limits[0]); i++)
		REFUSES("fanout: bad --limit '", "-w", "a", "--limit", bad_limits[i]);
	REFUSES("fanout: bad --limit '-1': expected a count from 1 to 10000000, or host names such as r[1-4]", "-w",
		"a", "--limit", "-1");
	/* good values still work */
	CHECK_EQ(fo_test_cli(&out, &err, "inventory", "-w", "a,b,c", "--port", "65535", "--limit", "2", "--json",
			     NULL),
		 0);
	CHECK_EQ(count_lines(out), 2);
	CHECK_HAS(out, "\"port\":65535");
	free(out);
	free(err);
}

/* Names and values from an inventory reach the terminal neutralised: ESC
 * and BEL were quoted as JSON already, but a C1 control (U+009B, CSI, which
 * many terminals obey as ESC [) went out raw; now it shows as \xc2\x9b.
 * --json keeps the characters (as JSON). */
TEST_T(inventory_harden_terminal_text, 30)
{
	char *out = NULL, *err = NULL;

	put("hosts.yaml", "\"r1\\e[2J\\u009b2J\":\n  hostname: 127.0.0.1\n  data:\n    site: \"ams\\u009b31m\"\n");
	CHECK_EQ(fo_test_cli(&out, &err, "inventory", "-i", tmpdir(), NULL), 0);
	CHECK_LACKS(out, "\x1b");
	CHECK_LACKS(out, "\xc2\x9b");
	CHECK_HAS(out, "\"r1\\u001b[2J\\u009b2J\""); /* a quoted cell: JSON's escapes */
	CHECK_HAS(out, "ams\\xc2\\x9b31m");
	free(out);
	free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "inventory", "-i", tmpdir(), "--json", NULL), 0);
	CHECK_HAS(out, "\"name\":\"r1\\u001b[2J");
	free(out);
	free(err);
}
