/*
 * The inventory of `fanout run` (src/run/): host lists (ranges, padding,
 * lists, combinations, ^FILE, caps), nornir SimpleInventory files
 * (inheritance host -> groups depth first -> defaults, data per key,
 * connection options, YAML anchors and merge keys, secrets), errors with
 * their line numbers, filters, and `fanout inventory` end to end.
 */
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../src/cli/opt.h"
#include "../src/run/inventory.h"
#include "test.h"

/* ---- helpers ------------------------------------------------------------------- */

/* Files written by a test go when it ends, passed or failed. */
static char tmp_dir[64];
static char tmp_files[16][128];
static int ntmp_files;

static void tmp_cleanup(void)
{
	while (ntmp_files > 0)
		unlink(tmp_files[--ntmp_files]);
	if (tmp_dir[0])
		rmdir(tmp_dir);
}

/* A fresh directory for this test's files. */
static const char *tmpdir(void)
{
	if (!tmp_dir[0]) {
		snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/fanout-inv-XXXXXX");
		CHECK(mkdtemp(tmp_dir) != NULL);
		atexit(tmp_cleanup);
	}
	return tmp_dir;
}

/* Writes text to DIR/name; returns the path (static storage of the test). */
static const char *put(const char *name, const char *text)
{
	char *p;
	FILE *f;

	CHECK(ntmp_files < 16);
	p = tmp_files[ntmp_files++];
	snprintf(p, 128, "%s/%s", tmpdir(), name);
	f = fopen(p, "w");
	CHECK(f != NULL);
	fputs(text, f);
	CHECK(fclose(f) == 0);
	return p;
}

struct names {
	char buf[4096];
	size_t len, n;
};

static int collect(void *arg, const char *name, size_t len)
{
	struct names *c = arg;

	CHECK(strlen(name) == len);
	if (c->len + len + 2 < sizeof(c->buf)) {
		c->len += (size_t)snprintf(c->buf + c->len, sizeof(c->buf) - c->len, "%s%s", c->n ? " " : "", name);
	}
	c->n++;
	return 0;
}

/* The names list expands to, space-separated; checks the count agrees. */
static const char *expand(const char *list, unsigned flags)
{
	static struct names c;
	char err[512];
	size_t count = 0;

	memset(&c, 0, sizeof(c));
	if (fo_hostlist_expand(list, flags, collect, &c, err, sizeof(err)) != 0) {
		fprintf(stderr, "expanding '%s' failed: %s\n", list, err);
		exit(1);
	}
	CHECK_EQ(fo_hostlist_count(list, flags, &count, err, sizeof(err)), 0);
	CHECK_EQ(count, c.n);
	return c.buf;
}

/* Expanding list fails with code; returns the message. */
static const char *expand_fails(const char *list, unsigned flags, int code)
{
	static char err[512];
	struct names c;
	int r;

	memset(&c, 0, sizeof(c));
	err[0] = 0;
	r = fo_hostlist_expand(list, flags, collect, &c, err, sizeof(err));
	if (r != code) {
		fprintf(stderr, "expanding '%s': got %d (%s), expected %d\n", list, r, err, code);
		exit(1);
	}
	CHECK_EQ(c.n, 0); /* nothing handed out before the error */
	CHECK(err[0] != 0);
	return err;
}

static int load(struct fo_inv *inv, const char *hosts, const char *groups, const char *defaults, char *err,
		size_t errlen)
{
	return fo_inv_load_nornir_text(inv, hosts, hosts ? strlen(hosts) : 0, groups, groups ? strlen(groups) : 0,
				       defaults, defaults ? strlen(defaults) : 0, err, errlen);
}

/* Loads and checks it worked. */
static void load_ok(struct fo_inv *inv, const char *hosts, const char *groups, const char *defaults)
{
	char err[1024] = "";
	int r = load(inv, hosts, groups, defaults, err, sizeof(err));

	if (r) {
		fprintf(stderr, "load failed: %d: %s\n", r, err);
		exit(1);
	}
}

/* Loading fails with -EINVAL (or code) and a message; returns it. */
static const char *load_fails(const char *hosts, const char *groups, const char *defaults, int code)
{
	static char err[1024];
	struct fo_inv inv;
	int r;

	fo_inv_init(&inv);
	err[0] = 0;
	r = load(&inv, hosts, groups, defaults, err, sizeof(err));
	if (r != code) {
		fprintf(stderr, "load: got %d (%s), expected %d\n", r, err, code);
		exit(1);
	}
	CHECK_EQ(inv.nhosts, 0);
	fo_inv_release(&inv);
	return err;
}

static const struct fo_inv_host *host(const struct fo_inv *inv, const char *name)
{
	size_t i;

	for (i = 0; i < inv->nhosts; i++)
		if (!strcmp(inv->hosts[i].name, name))
			return &inv->hosts[i];
	fprintf(stderr, "no host '%s'\n", name);
	exit(1);
}

/* Names of the inventory's hosts, space-separated. */
static const char *host_names(const struct fo_inv *inv)
{
	static char buf[4096];
	size_t i, len = 0;

	buf[0] = 0;
	for (i = 0; i < inv->nhosts && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? " " : "", inv->hosts[i].name);
	return buf;
}

/* A host's all_groups, space-separated. */
static const char *group_names(const struct fo_inv_host *h)
{
	static char buf[1024];
	size_t i, len = 0;

	buf[0] = 0;
	for (i = 0; i < h->nall_groups && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? " " : "", h->all_groups[i]);
	return buf;
}

/* The data keys of h in order, space-separated. */
static const char *data_keys(const struct fo_inv_host *h)
{
	static char buf[1024];
	size_t i, len = 0;

	buf[0] = 0;
	for (i = 0; i < h->data.n && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? " " : "", h->data.keys[i]);
	return buf;
}

static const char *data_str(const struct fo_inv_host *h, const char *key)
{
	const struct fo_inv_val *v = fo_inv_val_get(&h->data, key);

	return v ? v->s : NULL;
}

static int filter(struct fo_inv *inv, const struct fo_inv_filter *f)
{
	char err[512] = "";
	int r = fo_inv_filter(inv, f, err, sizeof(err));

	if (r)
		fprintf(stderr, "filter: %d: %s\n", r, err);
	return r;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

/* ---- host lists ------------------------------------------------------------------ */

TEST(inventory_hostlist_padding)
{
	CHECK_STR(expand("core-[01-03]", 0), "core-01 core-02 core-03");
	CHECK_STR(expand("n[8-11]", 0), "n8 n9 n10 n11");
	CHECK_STR(expand("n[008-010]", 0), "n008 n009 n010");
	CHECK_STR(expand("n[098-101]", 0), "n098 n099 n100 n101");
	CHECK_STR(expand("[1-3]", 0), "1 2 3");
	CHECK_STR(expand("n[0]", 0), "n0");
	CHECK_STR(expand("plain.example.com", 0), "plain.example.com");
}

TEST(inventory_hostlist_lists_and_steps)
{
	CHECK_STR(expand("n[1,3,5-7]", 0), "n1 n3 n5 n6 n7");
	CHECK_STR(expand("n[0-10/5]", 0), "n0 n5 n10");
	CHECK_STR(expand("n[01-09/4],x", 0), "n01 n05 n09 x");
	CHECK_STR(expand("a,b c\td", 0), "a b c d");
	CHECK_STR(expand(" ,a,,b, ", 0), "a b");
	CHECK_STR(expand("x[1-2],y,z[7,9]", 0), "x1 x2 y z7 z9");
	CHECK_STR(expand("dup,dup", 0), "dup dup"); /* the inventory drops repeats, not the expander */
}

TEST(inventory_hostlist_cartesian)
{
	CHECK_STR(expand("core-[01-02].dc[1-3]", 0),
		  "core-01.dc1 core-01.dc2 core-01.dc3 core-02.dc1 core-02.dc2 core-02.dc3");
	CHECK_STR(expand("r[1-2]s[1-2]", 0), "r1s1 r1s2 r2s1 r2s2");
	CHECK_STR(expand("10.0.[0-1].[1-2]", 0), "10.0.0.1 10.0.0.2 10.0.1.1 10.0.1.2");
	{
		size_t n = 0;
		char err[256];

		CHECK_EQ(fo_hostlist_count("core-[01-40].dc[1-3]", 0, &n, err, sizeof(err)), 0);
		CHECK_EQ(n, 120);
		CHECK_EQ(fo_hostlist_count("dev[0-9999]", 0, &n, err, sizeof(err)), 0);
		CHECK_EQ(n, 10000);
	}
}

TEST(inventory_hostlist_errors)
{
	char big[400];

	CHECK_HAS(expand_fails("a[1-", 0, -EINVAL), "'[' without ']' in 'a[1-'");
	CHECK_HAS(expand_fails("a]", 0, -EINVAL), "']' without '['");
	CHECK_HAS(expand_fails("a[1[2]]", 0, -EINVAL), "brackets inside brackets");
	CHECK_HAS(expand_fails("a[]", 0, -EINVAL), "is empty");
	CHECK_HAS(expand_fails("a[x-y]", 0, -EINVAL), "expected numbers such as [01-40]");
	CHECK_HAS(expand_fails("a[1,,2]", 0, -EINVAL), "expected numbers");
	CHECK_HAS(expand_fails("a[1-2/0]", 0, -EINVAL), "expected numbers");
	CHECK_HAS(expand_fails("a[1 -2]", 0, -EINVAL), "expected numbers");
	CHECK_HAS(expand_fails("a[9-3]", 0, -EINVAL), "range '9-3' in 'a[9-3]' goes down");
	CHECK_HAS(expand_fails("a[1234567890123456789]", 0, -EINVAL), "more than 18 digits");
	CHECK_HAS(expand_fails("", 0, -EINVAL), "names no hosts");
	CHECK_HAS(expand_fails(" , ,", 0, -EINVAL), "names no hosts");
	CHECK_HAS(expand_fails("^/etc/hostname", 0, -EINVAL), "^FILE is not allowed here");
	CHECK_HAS(expand_fails("^", FO_HOSTLIST_FILES, -EINVAL), "without a file name");
	memset(big, 'a', sizeof(big));
	big[300] = 0;
	CHECK_HAS(expand_fails(big, 0, -E2BIG), "longer than 255 bytes");
	memcpy(big + 250, "[1-100000]", 11);
	CHECK_HAS(expand_fails(big, 0, -E2BIG), "longer than 255 bytes");
	/* an error late in the list: nothing handed out (checked in expand_fails) */
	expand_fails("ok[1-5],bad[", 0, -EINVAL);
}

TEST(inventory_hostlist_too_large)
{
	size_t n = 0;
	char err[256];

	CHECK_HAS(expand_fails("dev[0-99999999]", 0, -E2BIG), "'dev[0-99999999]' makes more than 10000000 names");
	CHECK_HAS(expand_fails("a[0-9999]b[0-9999]", 0, -E2BIG), "more than 10000000");
	CHECK_HAS(expand_fails("a[0-99999],b[0-9999999]", 0, -E2BIG), "'b[0-9999999]' makes more than");
	CHECK_HAS(expand_fails("x[0-999999999999999999]y[0-999999999999999999]", 0, -E2BIG), "more than");
	/* exactly the cap is fine (counted, not expanded) */
	CHECK_EQ(fo_hostlist_count("d[0-9999999]", 0, &n, err, sizeof(err)), 0);
	CHECK_EQ(n, FO_HOSTLIST_MAX);
}

TEST(inventory_hostlist_file)
{
	const char *p = put("hosts.txt", "# the lab\n"
					  "r1\n"
					  "\n"
					  "   r2   # trailing comment\n"
					  "core-[1-2],edge\n"
					  "\t\n");
	const char *nested = put("nested.txt", "a\n^other\n");
	const char *bad = put("bad.txt", "ok\nbad[\n");
	char list[300];

	snprintf(list, sizeof(list), "first,^%s,last", p);
	CHECK_STR(expand(list, FO_HOSTLIST_FILES), "first r1 r2 core-1 core-2 edge last");
	snprintf(list, sizeof(list), "^%s", nested);
	CHECK_HAS(expand_fails(list, FO_HOSTLIST_FILES, -EINVAL), "inside a host file");
	snprintf(list, sizeof(list), "^%s", bad);
	CHECK_HAS(expand_fails(list, FO_HOSTLIST_FILES, -EINVAL), "line 2: '[' without ']'");
	CHECK_HAS(expand_fails("^/nonexistent/fanout-hosts", FO_HOSTLIST_FILES, -ENOENT),
		  "cannot read host file '/nonexistent/fanout-hosts': No such file");
	CHECK_HAS(expand_fails(list, 0, -EINVAL), "not allowed");
}

TEST(inventory_hostlist_into_inventory)
{
	struct fo_inv inv;
	char err[512];
	const char *p = put("plain.txt", "r9\nr1\n");

	fo_inv_init(&inv);
	inv.user = "ops";
	inv.port = 2222;
	CHECK_EQ(fo_inv_add_hostlist(&inv, "r[1-3],r2,r1", err, sizeof(err)), 0);
	CHECK_STR(host_names(&inv), "r1 r2 r3"); /* repeats dropped, first kept */
	CHECK_EQ(fo_inv_add_hosts_file(&inv, p, err, sizeof(err)), 0);
	CHECK_STR(host_names(&inv), "r1 r2 r3 r9");
	CHECK_STR(host(&inv, "r9")->hostname, "r9");
	CHECK_STR(host(&inv, "r9")->username, "ops");
	CHECK_EQ(host(&inv, "r9")->port, 2222);
	CHECK(host(&inv, "r9")->password == NULL);
	CHECK_EQ(host(&inv, "r9")->data.type, FO_INV_MAP);
	CHECK_EQ(host(&inv, "r9")->data.n, 0);
	/* a failed add changes nothing */
	CHECK_EQ(fo_inv_add_hostlist(&inv, "x[1-3],y[", err, sizeof(err)), -EINVAL);
	CHECK_EQ(fo_inv_add_hostlist(&inv, "z[0-99999999]", err, sizeof(err)), -E2BIG);
	CHECK_STR(host_names(&inv), "r1 r2 r3 r9");
	CHECK_EQ(fo_inv_add_hostlist(&inv, "r4", err, sizeof(err)), 0);
	CHECK_STR(host_names(&inv), "r1 r2 r3 r9 r4");
	fo_inv_release(&inv);
	CHECK_EQ(inv.nhosts, 0);
	/* no $USER: no username */
	fo_inv_init(&inv);
	inv.user = NULL;
	CHECK_EQ(fo_inv_add_hostlist(&inv, "a", err, sizeof(err)), 0);
	CHECK(inv.hosts[0].username == NULL);
	CHECK_EQ(inv.hosts[0].port, 22);
	fo_inv_release(&inv);
}

/* ---- nornir files ----------------------------------------------------------------------- */

/*
 * host(g1, g2), g1(g11, g12): nornir (since 3.0.x, PR #623) resolves
 * host -> g1 -> g11 -> g12 -> g2 -> defaults.
 */
static const char inh_hosts[] = "---\n"
				"r1:\n"
				"  groups: [g1, g2]\n"
				"r2:\n"
				"  hostname: 10.0.0.2\n"
				"  username: own\n"
				"  platform: eos\n"
				"  port: 2022\n"
				"  groups: [g2]\n"
				"r3: {}\n"
				"r4:\n";
static const char inh_groups[] = "g1:\n"
				 "  groups: [g11, g12]\n"
				 "g11:\n"
				 "  port: 1111\n"
				 "g12:\n"
				 "  platform: ios\n"
				 "  groups: [g11]\n"
				 "g2:\n"
				 "  username: from-g2\n"
				 "  platform: junos\n"
				 "  hostname: from-g2.example\n";
static const char inh_defaults[] = "username: admin\n"
				   "platform: linux\n"
				   "port: 22022\n";

TEST(inventory_nornir_inheritance)
{
	struct fo_inv inv;
	const struct fo_inv_host *h;

	fo_inv_init(&inv);
	inv.user = "fallback";
	load_ok(&inv, inh_hosts, inh_groups, inh_defaults);
	CHECK_STR(host_names(&inv), "r1 r2 r3 r4");

	h = host(&inv, "r1");
	CHECK_STR(group_names(h), "g1 g11 g12 g2"); /* g11 once, though twice reachable */
	CHECK_EQ(h->ngroups, 2);
	CHECK_STR(h->groups[0], "g1");
	CHECK_STR(h->groups[1], "g2");
	CHECK_EQ(h->port, 1111);                        /* nested group g11 */
	CHECK_STR(h->platform, "ios");                  /* g12 before g2 and defaults */
	CHECK_STR(h->username, "from-g2");              /* g2 before defaults */
	CHECK_STR(h->hostname, "from-g2.example");      /* hostname inherits like the rest */

	h = host(&inv, "r2");
	CHECK_STR(h->hostname, "10.0.0.2");
	CHECK_STR(h->username, "own");
	CHECK_STR(h->platform, "eos");
	CHECK_EQ(h->port, 2022);

	h = host(&inv, "r3"); /* only defaults */
	CHECK_STR(h->hostname, "r3");
	CHECK_STR(h->username, "admin");
	CHECK_STR(h->platform, "linux");
	CHECK_EQ(h->port, 22022);
	CHECK_EQ(h->ngroups, 0);
	CHECK_EQ(h->nall_groups, 0);
	CHECK(host(&inv, "r4")->username != NULL);
	fo_inv_release(&inv);

	/* nothing anywhere: the name, inv->port and inv->user */
	fo_inv_init(&inv);
	inv.user = "fallback";
	load_ok(&inv, "bare:\n", NULL, NULL);
	h = host(&inv, "bare");
	CHECK_STR(h->hostname, "bare");
	CHECK_STR(h->username, "fallback");
	CHECK_EQ(h->port, 22);
	CHECK(h->platform == NULL && h->password == NULL);
	fo_inv_release(&inv);
}

TEST(inventory_nornir_data)
{
	struct fo_inv inv;
	const struct fo_inv_host *h;
	const struct fo_inv_val *v;

	fo_inv_init(&inv);
	load_ok(&inv,
		"r1:\n"
		"  groups: [ams-core]\n"
		"  data:\n"
		"    role: spine\n"
		"    site: override\n"
		"    gone: ~\n"
		"r2:\n"
		"  groups: [ams-core]\n",
		"ams-core:\n"
		"  groups: [ams, core]\n"
		"  data: {tier: 1, nested: {a: 1}}\n"
		"ams:\n"
		"  data:\n"
		"    site: ams\n"
		"    nested: {b: 2}\n"
		"    tags: [x, \"y z\"]\n"
		"core:\n"
		"  data: {site: core-site, vlan: 0x10, ratio: 0.5, up: True, quoted: \"123\"}\n",
		"data:\n"
		"  ntp: 10.1.1.1\n"
		"  site: nowhere\n"
		"  gone: from-defaults\n");
	h = host(&inv, "r1");
	CHECK_STR(data_keys(h), "role site gone tier nested tags vlan ratio up quoted ntp");
	CHECK_STR(data_str(h, "role"), "spine");
	CHECK_STR(data_str(h, "site"), "override");
	CHECK_EQ(fo_inv_val_get(&h->data, "gone")->type, FO_INV_NULL); /* present null wins, as nornir */
	CHECK_STR(data_str(h, "ntp"), "10.1.1.1");
	v = fo_inv_val_get(&h->data, "nested"); /* whole values, never merged */
	CHECK(v && v->type == FO_INV_MAP && v->n == 1);
	CHECK_STR(v->keys[0], "a");
	CHECK_EQ(fo_inv_val_get(&h->data, "tier")->type, FO_INV_INT);
	CHECK_EQ(fo_inv_val_get(&h->data, "vlan")->type, FO_INV_INT);
	CHECK_EQ(fo_inv_val_get(&h->data, "ratio")->type, FO_INV_FLOAT);
	CHECK_EQ(fo_inv_val_get(&h->data, "up")->type, FO_INV_BOOL);
	CHECK_STR(data_str(h, "up"), "true");
	CHECK_EQ(fo_inv_val_get(&h->data, "quoted")->type, FO_INV_STR);
	v = fo_inv_val_get(&h->data, "tags");
	CHECK(v && v->type == FO_INV_LIST && v->n == 2);
	CHECK_STR(v->items[1]->s, "y z");

	h = host(&inv, "r2");
	CHECK_STR(data_keys(h), "tier nested site tags vlan ratio up quoted ntp gone");
	CHECK_STR(data_str(h, "site"), "ams"); /* ams before core: depth first, in order */
	CHECK_STR(data_str(h, "gone"), "from-defaults");
	fo_inv_release(&inv);
}

TEST(inventory_nornir_connection_options)
{
	struct fo_inv inv;
	const struct fo_inv_host *h;
	const struct fo_inv_conn *c;

	fo_inv_init(&inv);
	load_ok(&inv,
		"r1:\n"
		"  hostname: 10.0.0.1\n"
		"  groups: [junos]\n"
		"  connection_options:\n"
		"    netconf:\n"
		"      port: 8830\n",
		"junos:\n"
		"  platform: junos\n"
		"  connection_options:\n"
		"    netconf:\n"
		"      port: 830\n"
		"      username: nc\n"
		"      extras: {hostkey_verify: false}\n"
		"    napalm:\n"
		"      platform: junos-napalm\n",
		"username: admin\n"
		"password: top\n"
		"connection_options:\n"
		"  netconf:\n"
		"    hostname: mgmt.example\n"
		"    password: nc-secret\n"
		"    extras: {allow_agent: false, hostkey_verify: true}\n"
		"  scrapli: ~\n");
	h = host(&inv, "r1");
	CHECK_EQ(h->nconn, 3);
	CHECK_STR(h->conn[0].name, "netconf");
	CHECK_STR(h->conn[1].name, "napalm");
	CHECK_STR(h->conn[2].name, "scrapli");
	c = fo_inv_host_conn(h, "netconf");
	CHECK(c != NULL);
	CHECK_EQ(c->port, 8830);                 /* host */
	CHECK_STR(c->username, "nc");            /* group */
	CHECK_STR(c->hostname, "mgmt.example");  /* defaults */
	CHECK_STR(c->password, "nc-secret");     /* defaults' option before the host's password */
	CHECK_STR(c->platform, "junos");         /* none set: the host's effective */
	CHECK_EQ(c->extras.type, FO_INV_MAP);    /* extras whole from the first, as nornir */
	CHECK_EQ(c->extras.n, 1);
	CHECK_STR(c->extras.keys[0], "hostkey_verify");
	c = fo_inv_host_conn(h, "napalm");
	CHECK_STR(c->platform, "junos-napalm");
	CHECK_STR(c->hostname, "10.0.0.1");
	CHECK_STR(c->username, "admin");
	CHECK_STR(c->password, "top");
	CHECK_EQ(c->port, 22);
	CHECK_EQ(c->extras.type, FO_INV_NULL);
	c = fo_inv_host_conn(h, "scrapli");
	CHECK_STR(c->hostname, "10.0.0.1");
	CHECK(fo_inv_host_conn(h, "ssh") == NULL);
	fo_inv_release(&inv);
}

/*
 * The order nornir resolves connection options in (Host.
 * _get_connection_options_recursively): each group asked in turn for its
 * options resolved whole, down to the defaults, before the next group.
 * r1(g1, g2), g1(g11): r1, g1, g11, defaults, g2. The attributes keep
 * their own order (defaults last), checked here on the same files.
 */
TEST(inventory_nornir_connection_order)
{
	struct fo_inv inv;
	const struct fo_inv_host *h;
	const struct fo_inv_conn *c;

	fo_inv_init(&inv);
	load_ok(&inv,
		"r1:\n"
		"  groups: [g1, g2]\n"
		"r2:\n"
		"  groups: [g2, g1]\n"
		"r3:\n"
		"  groups: [g1, g2]\n"
		"  connection_options:\n"
		"    netconf: {port: 1830}\n"
		"r4:\n"
		"  groups: [plain, g2]\n",
		"g1:\n"
		"  groups: [g11]\n"
		"  connection_options:\n"
		"    netconf: {username: from-g1}\n"
		"g11:\n"
		"  connection_options:\n"
		"    netconf: {platform: from-g11}\n"
		"g2:\n"
		"  username: attr-g2\n"
		"  connection_options:\n"
		"    netconf:\n"
		"      port: 2830\n"
		"      username: from-g2\n"
		"      platform: from-g2\n"
		"      hostname: from-g2\n"
		"      extras: {g2: true}\n"
		"plain: {}\n",
		"username: attr-defaults\n"
		"connection_options:\n"
		"  netconf:\n"
		"    port: 830\n"
		"    extras: {defaults: true}\n");

	/* g1 lacks the port, its defaults have it: the defaults' before g2's */
	h = host(&inv, "r1");
	c = fo_inv_host_conn(h, "netconf");
	CHECK(c != NULL);
	CHECK_EQ(c->port, 830);
	CHECK_STR(c->username, "from-g1");
	CHECK_STR(c->platform, "from-g11");  /* g11 (g1's) before the defaults */
	CHECK_STR(c->hostname, "from-g2");   /* nobody before g2 sets it */
	CHECK_EQ(c->extras.n, 1);
	CHECK_STR(c->extras.keys[0], "defaults");
	CHECK_STR(h->username, "attr-g2");   /* an attribute: every group before the defaults */

	/* g2 first: all of g2's */
	c = fo_inv_host_conn(host(&inv, "r2"), "netconf");
	CHECK_EQ(c->port, 2830);
	CHECK_STR(c->username, "from-g2");
	CHECK_STR(c->platform, "from-g2");
	CHECK_STR(c->extras.keys[0], "g2");

	/* the host's own first */
	c = fo_inv_host_conn(host(&inv, "r3"), "netconf");
	CHECK_EQ(c->port, 1830);
	CHECK_STR(c->username, "from-g1");

	/* a first group with no options of its own still reaches the defaults first */
	h = host(&inv, "r4");
	c = fo_inv_host_conn(h, "netconf");
	CHECK_EQ(c->port, 830);
	CHECK_STR(c->username, "from-g2");
	CHECK_STR(c->extras.keys[0], "defaults");
	fo_inv_release(&inv);

	/* defaults without the connection: the groups in their order */
	fo_inv_init(&inv);
	load_ok(&inv, "r1:\n  groups: [a, b]\n", "a: {}\nb:\n  connection_options:\n    ssh: {port: 2222}\n",
		"port: 22\nconnection_options:\n  netconf: {port: 830}\n");
	CHECK_EQ(fo_inv_host_conn(host(&inv, "r1"), "ssh")->port, 2222);
	CHECK_EQ(fo_inv_host_conn(host(&inv, "r1"), "netconf")->port, 830);
	fo_inv_release(&inv);
}

TEST(inventory_nornir_yaml_features)
{
	struct fo_inv inv;
	const struct fo_inv_host *h;

	fo_inv_init(&inv);
	load_ok(&inv,
		"# anchors, aliases and merge keys, as people write them\n"
		".base: &base\n"
		"  platform: ios\n"
		"  data: &d {site: ams, role: leaf}\n"
		"r1:\n"
		"  <<: *base\n"
		"  hostname: \"r1.example\"\n"
		"r2:\n"
		"  <<: [*base, {port: 2200, platform: eos}]\n"
		"  data:\n"
		"    <<: *d\n"
		"    role: spine\n"
		"r3: {hostname: 'r3.example', port: 23, data: *d}\n"
		"r4:\n"
		"  data:\n"
		"    motd: |\n"
		"      line one\n"
		"      line two\n",
		"", "");
	CHECK_STR(host_names(&inv), ".base r1 r2 r3 r4");
	h = host(&inv, "r1");
	CHECK_STR(h->platform, "ios");
	CHECK_STR(h->hostname, "r1.example");
	CHECK_STR(data_str(h, "site"), "ams");
	h = host(&inv, "r2");
	CHECK_STR(h->platform, "ios"); /* the first merged mapping wins */
	CHECK_EQ(h->port, 2200);
	CHECK_STR(data_str(h, "role"), "spine"); /* own keys beat merged ones */
	CHECK_STR(data_str(h, "site"), "ams");
	CHECK_STR(data_keys(h), "role site");
	h = host(&inv, "r3");
	CHECK_EQ(h->port, 23);
	CHECK(h->data.items[0] == host(&inv, "r1")->data.items[0]); /* shared, not copied */
	CHECK_STR(data_str(host(&inv, "r4"), "motd"), "line one\nline two\n");
	fo_inv_release(&inv);

	/* empty files, null documents */
	fo_inv_init(&inv);
	load_ok(&inv, "", "~\n", "---\n");
	CHECK_EQ(inv.nhosts, 0);
	fo_inv_release(&inv);
}

TEST(inventory_nornir_errors)
{
	CHECK_STR(load_fails("r1:\n  hostname: a\n  port: [1, 2\nr2: {}\n", NULL, NULL, -EINVAL),
		  "cannot read inventory 'hosts.yaml': line 4, column 3: did not find expected ',' or ']' "
		  "(while parsing a flow sequence on line 3)");
	CHECK_STR(load_fails("r1:\n  hostname: a\n bad\n", NULL, NULL, -EINVAL),
		  "cannot read inventory 'hosts.yaml': line 3, column 2: did not find expected key "
		  "(while parsing a block mapping on line 1)");
	CHECK_STR(load_fails("- r1\n- r2\n", NULL, NULL, -EINVAL),
		  "cannot read inventory 'hosts.yaml': line 1: expected a mapping of host names to their "
		  "settings, not a list");
	CHECK_STR(load_fails("r1: {}\nr2:\n  - hostname\n", NULL, NULL, -EINVAL),
		  "cannot read inventory 'hosts.yaml': line 3: host 'r2': expected a mapping of settings "
		  "(hostname:, port:, ...), not a list");
	CHECK_STR(load_fails("r1:\n  groups: [core, nope]\n", "core: {}\n", NULL, -EINVAL),
		  "cannot read inventory 'hosts.yaml': line 2: host 'r1' is in group 'nope', which groups.yaml "
		  "does not define");
	CHECK_HAS(load_fails("r1:\n  groups: [core]\n", NULL, NULL, -EINVAL), "(no groups.yaml)");
	CHECK_STR(load_fails("r1: {groups: [a]}\n", "a:\n  groups: [b]\nb:\n  groups: [nope]\n", NULL, -EINVAL),
		  "cannot read inventory 'groups.yaml': line 4: group 'b' is in group 'nope', which groups.yaml "
		  "does not define");
	CHECK_HAS(load_fails("r1: {groups: [a]}\n", "a: {groups: [b]}\nb: {groups: [c]}\nc: {groups: [a]}\n", NULL,
			     -EINVAL),
		  "group 'a' is in itself (a -> b -> c -> a)");
	CHECK_HAS(load_fails("r1: {groups: [a]}\n", "a: {groups: [a]}\n", NULL, -EINVAL), "is in itself");
	CHECK_STR(load_fails("r1:\n  port: 70000\n", NULL, NULL, -EINVAL),
		  "cannot read inventory 'hosts.yaml': line 2: host 'r1': port '70000': expected a number from 1 "
		  "to 65535");
	CHECK_HAS(load_fails("r1:\n  port: ssh\n", NULL, NULL, -EINVAL), "port 'ssh'");
	CHECK_HAS(load_fails("r1:\n  hostname: [a]\n", NULL, NULL, -EINVAL),
		  "line 2: host 'r1': hostname: expected a single value, not a list");
	CHECK_HAS(load_fails("r1:\n  groups: core\n", "core: {}\n", NULL, -EINVAL),
		  "groups: expected a list such as [core, ams]");
	CHECK_HAS(load_fails("r1:\n  data: [a]\n", NULL, NULL, -EINVAL), "data: expected a mapping");
	CHECK_HAS(load_fails("r1: {}\nr2: {}\nr1: {}\n", NULL, NULL, -EINVAL), "line 3: 'r1' appears twice");
	CHECK_HAS(load_fails("r1:\n  data: {a: 1, a: 2}\n", NULL, NULL, -EINVAL), "'a' appears twice");
	CHECK_HAS(load_fails("r1:\n  password: x\n  password_env: Y\n", NULL, NULL, -EINVAL),
		  "line 3: host 'r1': set one of password, password_env and password_file");
	CHECK_HAS(load_fails("r1: {}\n---\nr2: {}\n", NULL, NULL, -EINVAL), "a second YAML document");
	CHECK_HAS(load_fails("\"\": {}\n", NULL, NULL, -EINVAL), "a host with an empty name");
	CHECK_HAS(load_fails("r1:\n  hostname: \"a\\0b\"\n", NULL, NULL, -EINVAL), "a NUL character");
	CHECK_HAS(load_fails("r1: {}\n", NULL, "data: 1\n", -EINVAL),
		  "cannot read inventory 'defaults.yaml': line 1: defaults: data: expected a mapping");
	CHECK_HAS(load_fails("r1:\n  data: &a {x: *a}\n", NULL, NULL, -EINVAL),
		  "an alias refers to the value that holds it");
	CHECK_HAS(load_fails("r1:\n  <<: 3\n", NULL, NULL, -EINVAL), "'<<' merges a mapping");
	CHECK_HAS(load_fails("? [a]\n: 1\n", NULL, NULL, -EINVAL), "expected a name as key, not a list");
	/* the billion laughs: refused, not expanded */
	CHECK_HAS(load_fails("r1:\n"
			     "  data:\n"
			     "    a: &a [x, x, x, x, x, x, x, x, x, x]\n"
			     "    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
			     "    c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
			     "    d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
			     "    e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
			     "    f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
			     "    g: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n",
			     NULL, NULL, -E2BIG),
		  "line 8: a value that expands to more than 1000000 items through aliases");
	/* deep nesting */
	{
		char deep[400];

		memset(deep, 0, sizeof(deep));
		memcpy(deep, "r1:\n  data: {x: ", 16);
		memset(deep + 16, '[', 100);
		CHECK_HAS(load_fails(deep, NULL, NULL, -EINVAL), "line");
		memset(deep, 0, sizeof(deep));
		memcpy(deep, "r1:\n  data: {x: ", 16);
		memset(deep + 16, '[', 80);
		memset(deep + 96, ']', 80);
		deep[176] = '}';
		CHECK_HAS(load_fails(deep, NULL, NULL, -EINVAL), "nested more than 64 deep");
	}
}

TEST(inventory_nornir_failed_load_changes_nothing)
{
	struct fo_inv inv;
	char err[512];

	fo_inv_init(&inv);
	load_ok(&inv, "r1: {}\nr2: {}\n", NULL, NULL);
	CHECK_EQ(load(&inv, "r3: {}\nr4: {groups: [x]}\n", NULL, NULL, err, sizeof(err)), -EINVAL);
	CHECK_STR(host_names(&inv), "r1 r2");
	/* a second good load adds; a name seen already is skipped */
	load_ok(&inv, "r2: {hostname: other}\nr5: {}\n", NULL, NULL);
	CHECK_STR(host_names(&inv), "r1 r2 r5");
	CHECK_STR(host(&inv, "r2")->hostname, "r2");
	fo_inv_release(&inv);
}

TEST(inventory_nornir_unknown_settings_warn)
{
	struct fo_inv inv;

	fo_inv_init(&inv);
	load_ok(&inv, "r1:\n  hostnme: typo\n  connection_options:\n    netconf: {prot: 830}\n", NULL,
		"groups: [a]\n");
	CHECK_EQ(inv.nhosts, 1);
	CHECK_EQ(inv.nwarnings, 3);
	CHECK_STR(inv.warnings[0],
		  "inventory 'hosts.yaml': line 2: host 'r1': unknown setting 'hostnme' ignored, as nornir "
		  "does; expected hostname, port, username, password (or password_env, password_file), "
		  "platform, groups, data or connection_options");
	CHECK_HAS(inv.warnings[1], "line 4: host 'r1': connection_options: netconf: unknown setting 'prot'");
	CHECK_HAS(inv.warnings[2], "'defaults.yaml': line 1: defaults: groups ignored");
	fo_inv_release(&inv);
}

TEST(inventory_nornir_from_files)
{
	struct fo_inv inv;
	char err[1024], path[200];

	put("hosts.yml", "r1: {groups: [g]}\n");
	put("groups.yaml", "g: {platform: ios}\n");
	put("defaults.yaml", "username: dflt\n");
	fo_inv_init(&inv);
	CHECK_EQ(fo_inv_load_nornir(&inv, tmpdir(), err, sizeof(err)), 0);
	CHECK_STR(host(&inv, "r1")->platform, "ios");
	CHECK_STR(host(&inv, "r1")->username, "dflt");
	fo_inv_release(&inv);

	/* the hosts file itself: groups and defaults from beside it */
	snprintf(path, sizeof(path), "%s/hosts.yml", tmpdir());
	fo_inv_init(&inv);
	CHECK_EQ(fo_inv_load_nornir(&inv, path, err, sizeof(err)), 0);
	CHECK_STR(host(&inv, "r1")->platform, "ios");
	fo_inv_release(&inv);

	/* errors name the file as given */
	put("bad.yaml", "r1:\n  - x\n");
	snprintf(path, sizeof(path), "%s/bad.yaml", tmpdir());
	fo_inv_init(&inv);
	CHECK_EQ(fo_inv_load_nornir_files(&inv, path, NULL, NULL, err, sizeof(err)), -EINVAL);
	CHECK_HAS(err, "cannot read inventory '");
	CHECK_HAS(err, "/bad.yaml': line 2: host 'r1': expected a mapping");
	CHECK_EQ(fo_inv_load_nornir(&inv, "/nonexistent/inv", err, sizeof(err)), -ENOENT);
	CHECK_STR(err, "cannot read inventory '/nonexistent/inv': No such file or directory");
	CHECK_EQ(fo_inv_load_nornir(&inv, "/", err, sizeof(err)), -ENOENT);
	CHECK_HAS(err, "cannot read inventory '/': no hosts.yaml in it");
	fo_inv_release(&inv);
}

TEST(inventory_secrets)
{
	struct fo_inv inv;
	char err[1024], path[200];
	const struct fo_inv_host *h;

	put("pw.txt", "from-file\n");
	put("hosts.yaml", "r1:\n"
			  "  password_env: FANOUT_TEST_PW\n"
			  "r2:\n"
			  "  password_file: pw.txt\n"
			  "  connection_options:\n"
			  "    netconf: {password_env: FANOUT_TEST_NC}\n"
			  "r3:\n"
			  "  groups: [g]\n"
			  "r4:\n"
			  "  password: ''\n"
			  "  groups: [g]\n");
	put("groups.yaml", "g:\n  password_env: FANOUT_TEST_UNSET\n");
	snprintf(path, sizeof(path), "%s/hosts.yaml", tmpdir());
	setenv("FANOUT_TEST_PW", "from-env", 1);
	setenv("FANOUT_TEST_NC", "nc-pw", 1);
	unsetenv("FANOUT_TEST_UNSET");

	/* r3's group names an unset variable: an error naming it */
	fo_inv_init(&inv);
	CHECK_EQ(fo_inv_load_nornir(&inv, path, err, sizeof(err)), -EINVAL);
	CHECK_HAS(err, "/groups.yaml': line 2: password_env 'FANOUT_TEST_UNSET' is not set; export "
		       "FANOUT_TEST_UNSET=... or use password_file");
	CHECK_EQ(inv.nhosts, 0);
	setenv("FANOUT_TEST_UNSET", "group-pw", 1);
	CHECK_EQ(fo_inv_load_nornir(&inv, path, err, sizeof(err)), 0);
	h = host(&inv, "r1");
	CHECK_STR(h->password, "from-env");
	CHECK_STR(h->password_ref, "env FANOUT_TEST_PW");
	h = host(&inv, "r2");
	CHECK_STR(h->password, "from-file"); /* relative to the YAML file, newline dropped */
	CHECK_STR(h->password_ref, "file pw.txt");
	CHECK_STR(fo_inv_host_conn(h, "netconf")->password, "nc-pw");
	CHECK_STR(host(&inv, "r3")->password, "group-pw");
	CHECK_STR(host(&inv, "r4")->password, ""); /* an empty password is one */
	CHECK(host(&inv, "r4")->password_ref == NULL);
	fo_inv_release(&inv);

	/* FO_INV_NO_SECRETS: references kept, nothing read */
	unsetenv("FANOUT_TEST_UNSET");
	fo_inv_init(&inv);
	inv.flags = FO_INV_NO_SECRETS;
	CHECK_EQ(fo_inv_load_nornir(&inv, path, err, sizeof(err)), 0);
	CHECK(host(&inv, "r3")->password == NULL);
	CHECK_STR(host(&inv, "r3")->password_ref, "env FANOUT_TEST_UNSET");
	fo_inv_release(&inv);

	put("hosts2.yaml", "r1: {password_file: missing.txt}\n");
	snprintf(path, sizeof(path), "%s/hosts2.yaml", tmpdir());
	fo_inv_init(&inv);
	CHECK_EQ(fo_inv_load_nornir_files(&inv, path, NULL, NULL, err, sizeof(err)), -ENOENT);
	CHECK_HAS(err, "line 1: password_file '");
	CHECK_HAS(err, "/missing.txt': No such file or directory");
	fo_inv_release(&inv);
}

/* ---- filters ------------------------------------------------------------------------------- */

static const char flt_hosts[] = "ams1: {groups: [ams-core], data: {site: ams, tags: [edge, lab]}}\n"
				"ams2: {groups: [ams], data: {site: ams, rack: {row: 3}}}\n"
				"rtm1: {groups: [rtm-core], platform: junos, data: {site: rtm, managed: false}}\n"
				"lon1: {data: {site: lon}}\n"
				"bare: {}\n";
static const char flt_groups[] = "ams-core: {groups: [ams, core]}\n"
				 "rtm-core: {groups: [core]}\n"
				 "ams: {platform: ios}\n"
				 "core: {}\n"
				 "unused: {}\n";

static void flt_load(struct fo_inv *inv)
{
	fo_inv_init(inv);
	load_ok(inv, flt_hosts, flt_groups, NULL);
}

/* The names left after f. */
static const char *after(const struct fo_inv_filter *f)
{
	static char buf[256];
	struct fo_inv inv;

	flt_load(&inv);
	CHECK_EQ(filter(&inv, f), 0);
	snprintf(buf, sizeof(buf), "%s", host_names(&inv));
	fo_inv_release(&inv);
	return buf;
}

TEST(inventory_filter_groups)
{
	const char *core[] = { "core" }, *ams[] = { "ams" }, *two[] = { "rtm-core", "ams-core" },
		   *glob[] = { "*-core" }, *unused[] = { "unused" };
	struct fo_inv_filter f;

	memset(&f, 0, sizeof(f));
	f.groups = core;
	f.ngroups = 1;
	CHECK_STR(after(&f), "ams1 rtm1"); /* through nested groups */
	f.groups = ams;
	CHECK_STR(after(&f), "ams1 ams2");
	f.groups = two;
	f.ngroups = 2;
	CHECK_STR(after(&f), "ams1 rtm1"); /* any of them, in inventory order */
	f.groups = glob;
	f.ngroups = 1;
	CHECK_STR(after(&f), "ams1 rtm1");
	f.groups = unused;
	CHECK_STR(after(&f), "");
}

TEST(inventory_filter_attributes)
{
	const char *site[] = { "site=ams" }, *both[] = { "site=ams", "platform=ios" }, *neg[] = { "site!=ams" },
		   *glob[] = { "name=*1" }, *list[] = { "tags=lab" }, *nested[] = { "rack.row=3" },
		   *data_pfx[] = { "data.site=lon" }, *missing[] = { "site=" }, *boolean[] = { "managed=False" },
		   *plat[] = { "platform=junos" }, *grp[] = { "group=core" }, *port[] = { "port=22" },
		   *host[] = { "hostname=lon*" };
	struct fo_inv_filter f;

	memset(&f, 0, sizeof(f));
	f.nattrs = 1;
	f.attrs = site;
	CHECK_STR(after(&f), "ams1 ams2");
	f.attrs = both;
	f.nattrs = 2;
	CHECK_STR(after(&f), "ams1 ams2"); /* both inherit ios from group ams */
	f.nattrs = 1;
	f.attrs = neg;
	CHECK_STR(after(&f), "rtm1 lon1 bare");
	f.attrs = glob;
	CHECK_STR(after(&f), "ams1 rtm1 lon1");
	f.attrs = list;
	CHECK_STR(after(&f), "ams1");
	f.attrs = nested;
	CHECK_STR(after(&f), "ams2");
	f.attrs = data_pfx;
	CHECK_STR(after(&f), "lon1");
	f.attrs = missing;
	CHECK_STR(after(&f), "bare");
	f.attrs = boolean;
	CHECK_STR(after(&f), "rtm1");
	f.attrs = plat;
	CHECK_STR(after(&f), "rtm1");
	f.attrs = grp;
	CHECK_STR(after(&f), "ams1 rtm1");
	f.attrs = port;
	CHECK_STR(after(&f), "ams1 ams2 rtm1 lon1 bare");
	f.attrs = host;
	CHECK_STR(after(&f), "lon1");
}

/* The hosts of a (one --filter) keeps from an inventory of its own. */
static const char *kept(const char *hosts, const char *groups, const char *a)
{
	static char buf[256];
	const char *attrs[1] = { a };
	struct fo_inv_filter f;
	struct fo_inv inv;

	memset(&f, 0, sizeof(f));
	f.attrs = attrs;
	f.nattrs = 1;
	fo_inv_init(&inv);
	load_ok(&inv, hosts, groups, NULL);
	CHECK_EQ(filter(&inv, &f), 0);
	snprintf(buf, sizeof(buf), "%s", host_names(&inv));
	fo_inv_release(&inv);
	return buf;
}

/*
 * --filter KEY=[1,2] compares the text: a value is a glob only when it
 * holds '*' or '?' outside brackets (issue 14: the brackets were a class).
 */
TEST(inventory_filter_literal_brackets)
{
	static const char hosts[] = "a: {groups: ['g[1]'], data: {vlans: '[1,2]', tag: 'x?'}}\n"
				    "b: {groups: [g1], data: {vlans: '1', tag: xy}}\n"
				    "c: {data: {vlans: '2', list: ['[1,2]', '3']}}\n"
				    "d: {data: {vlans: '12'}}\n"
				    "'r[1]': {}\n"
				    "r1: {}\n";
	static const char groups[] = "'g[1]': {}\ng1: {}\n";

	CHECK_STR(kept(hosts, groups, "vlans=[1,2]"), "a");
	CHECK_STR(kept(hosts, groups, "vlans!=[1,2]"), "b c d r[1] r1");
	CHECK_STR(kept(hosts, groups, "vlans=[12]"), "");
	CHECK_STR(kept(hosts, groups, "vlans=[12]*"), "b c d");  /* '*' outside: a glob, [12] a class */
	CHECK_STR(kept(hosts, groups, "vlans=?"), "b c");
	CHECK_STR(kept(hosts, groups, "vlans=[*]"), "");          /* '*' inside brackets only: text */
	CHECK_STR(kept(hosts, groups, "list=[1,2]"), "c");        /* a list item, compared alike */
	CHECK_STR(kept(hosts, groups, "name=r[1]"), "r[1]");
	CHECK_STR(kept(hosts, groups, "name=r[1]*"), "r1");
	CHECK_STR(kept(hosts, groups, "group=g[1]"), "a");
	CHECK_STR(kept(hosts, groups, "tag=x?"), "a b");          /* a glob; the value itself matches too */
	CHECK_STR(kept(hosts, groups, "tag=x\\?"), "a");        /* escaped: only the text x? */
}

TEST(inventory_filter_names_and_limit)
{
	struct fo_inv_filter f;
	const char *core[] = { "core" };

	memset(&f, 0, sizeof(f));
	f.exclude = "ams[1-2],nothere";
	CHECK_STR(after(&f), "rtm1 lon1 bare");
	memset(&f, 0, sizeof(f));
	f.names = "bare,ams[1-9]";
	CHECK_STR(after(&f), "ams1 ams2 bare"); /* inventory order, not the list's */
	memset(&f, 0, sizeof(f));
	f.limit = 2;
	CHECK_STR(after(&f), "ams1 ams2");
	f.limit = 100;
	CHECK_STR(after(&f), "ams1 ams2 rtm1 lon1 bare");
	f.limit = 1;
	f.groups = core;
	f.ngroups = 1;
	f.exclude = "ams1";
	CHECK_STR(after(&f), "rtm1"); /* the limit counts what is left */
}

TEST(inventory_filter_shards)
{
	struct fo_inv_filter f;
	const char *core[] = { "core" };
	char err[200];
	unsigned k = 0, n = 0;

	memset(&f, 0, sizeof(f));
	f.nshards = 2;
	f.shard = 1;
	CHECK_STR(after(&f), "ams1 rtm1 bare");
	f.shard = 2;
	CHECK_STR(after(&f), "ams2 lon1");
	f.nshards = 5;
	f.shard = 5;
	CHECK_STR(after(&f), "bare");
	f.nshards = 7;
	f.shard = 7;
	CHECK_STR(after(&f), ""); /* more shards than hosts: some are empty */
	/* after every other filter: the shards split what the run would do */
	f.nshards = 2;
	f.shard = 2;
	f.limit = 3;
	CHECK_STR(after(&f), "ams2");
	f.limit = 0;
	f.groups = core;
	f.ngroups = 1;
	f.exclude = "ams1";
	f.shard = 1;
	CHECK_STR(after(&f), "rtm1");
	CHECK_EQ(fo_inv_parse_shard("3/8", &k, &n, err, sizeof(err)), 0);
	CHECK_EQ(k, 3);
	CHECK_EQ(n, 8);
	CHECK_EQ(fo_inv_parse_shard("8/8", &k, &n, err, sizeof(err)), 0);
	CHECK_EQ(fo_inv_parse_shard("0/8", &k, &n, err, sizeof(err)), -EINVAL);
	CHECK_HAS(err, "bad --shard '0/8': expected K/N");
	CHECK_EQ(fo_inv_parse_shard("9/8", &k, &n, err, sizeof(err)), -EINVAL);
	CHECK_EQ(fo_inv_parse_shard("1/", &k, &n, err, sizeof(err)), -EINVAL);
	CHECK_EQ(fo_inv_parse_shard("/2", &k, &n, err, sizeof(err)), -EINVAL);
	CHECK_EQ(fo_inv_parse_shard("1/2x", &k, &n, err, sizeof(err)), -EINVAL);
	CHECK_EQ(fo_inv_parse_shard("-1/2", &k, &n, err, sizeof(err)), -EINVAL);
	CHECK_EQ(fo_inv_parse_shard("1/99999999999999999999", &k, &n, err, sizeof(err)), -EINVAL);
}

TEST(inventory_filter_errors)
{
	struct fo_inv inv;
	struct fo_inv_filter f;
	const char *nope[] = { "nope" }, *bad[] = { "site" }, *bad2[] = { "=x" };
	char err[512];

	flt_load(&inv);
	memset(&f, 0, sizeof(f));
	f.groups = nope;
	f.ngroups = 1;
	CHECK_EQ(fo_inv_filter(&inv, &f, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "bad --group 'nope': no such group in the inventory");
	f.ngroups = 0;
	f.attrs = bad;
	f.nattrs = 1;
	CHECK_EQ(fo_inv_filter(&inv, &f, err, sizeof(err)), -EINVAL);
	CHECK_HAS(err, "bad --filter 'site': expected KEY=VALUE");
	f.attrs = bad2;
	CHECK_EQ(fo_inv_filter(&inv, &f, err, sizeof(err)), -EINVAL);
	f.nattrs = 0;
	f.exclude = "x[";
	CHECK_EQ(fo_inv_filter(&inv, &f, err, sizeof(err)), -EINVAL);
	CHECK_HAS(err, "'[' without ']'");
	CHECK_EQ(inv.nhosts, 5); /* unchanged */
	/* filtered out, then added again: the name is free */
	memset(&f, 0, sizeof(f));
	f.exclude = "bare";
	CHECK_EQ(fo_inv_filter(&inv, &f, err, sizeof(err)), 0);
	CHECK_EQ(inv.nhosts, 4);
	CHECK_EQ(fo_inv_add_hostlist(&inv, "bare,ams1", err, sizeof(err)), 0);
	CHECK_STR(host_names(&inv), "ams1 ams2 rtm1 lon1 bare");
	fo_inv_release(&inv);
}

/* ---- fanout inventory -------------------------------------------------------------------------- */

static void cli_files(void)
{
	put("hosts.yaml", "r1:\n"
			  "  hostname: 10.0.0.1\n"
			  "  groups: [ams-core]\n"
			  "  data: {role: spine}\n"
			  "r2:\n"
			  "  groups: [lab]\n"
			  "  password_env: FANOUT_TEST_R2\n"
			  "  connection_options:\n"
			  "    netconf: {port: 830}\n"
			  "r3:\n"
			  "  data: {descr: \"two words\", tags: [a, b]}\n");
	put("groups.yaml", "ams-core: {groups: [ams, core], platform: ios}\n"
			   "ams: {data: {site: ams}}\n"
			   "core: {username: netops}\n"
			   "lab: {password: hunter2, data: {site: lab}}\n");
	put("defaults.yaml", "username: admin\ndata: {ntp: 10.1.1.1}\n");
	setenv("FANOUT_TEST_R2", "sup3r-s3cret", 1);
}

TEST_T(inventory_cli_table, 30)
{
	char *out = NULL, *err = NULL;

	cli_files();
	CHECK_EQ(fo_test_cli(&out, &err, "inventory", "-i", tmpdir(), NULL), 0);
	CHECK_STR(err, "");
	CHECK_EQ(count_lines(out), 4);
	CHECK_HAS(out, "NAME  HOSTNAME  PORT  USERNAME  PLATFORM  GROUPS    PASSWORD  OPTIONS");
	CHECK_HAS(out, "r1    10.0.0.1  22    netops    ios       ams-core  -");
	CHECK_HAS(out, "role=spine site=ams ntp=10.1.1.1\n");
	CHECK_HAS(out, "r2    r2        22    admin     -         lab       ********  netconf(port=830)");
	CHECK_HAS(out, "descr=\"two words\" tags=[\"a\",\"b\"] ntp=10.1.1.1\n");
	CHECK_LACKS(out, "hunter2");
	CHECK_LACKS(out, "sup3r-s3cret");
	free(out);
	free(err);
}

TEST_T(inventory_cli_json, 30)
{
	char *out = NULL, *err = NULL;

	cli_files();
	CHECK_EQ(fo_test_cli(&out, &err, "inventory", "-i", tmpdir(), "--json", "--filter", "site=ams", NULL), 0);
	CHECK_STR(out, "{\"name\":\"r1\",\"hostname\":\"10.0.0.1\",\"port\":22,\"username\":\"netops\","
		       "\"password\":null,\"platform\":\"ios\",\"groups\":[\"ams-core\"],"
		       "\"all_groups\":[\"ams-core\",\"ams\",\"core\"],"
		       "\"data\":{\"role\":\"spine\",\"site\":\"ams\",\"ntp\":\"10.1.1.1\"},"
		       "\"connection_options\":{}}\n");
	free(out);
	free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "inventory", "-i", tmpdir(), "--json", "-x", "r1", "--group", "lab", NULL),
		 0);
	CHECK_HAS(out, "\"name\":\"r2\"");
	CHECK_HAS(out, "\"password\":\"********\"");
	CHECK_HAS(out, "\"connection_options\":{\"netconf\":{\"hostname\":\"r2\",\"port\":830,"
		       "\"username\":\"admin\",\"password\":\"********\",\"platform\":null,\"extras\":null}}");
	CHECK_LACKS(out, "sup3r");
	CHECK_LACKS(out, "hunter2");
	CHECK_EQ(count_lines(out), 1);
	free(out);
	free(err);
}

TEST_T(inventory_cli_host_lists, 30)
{
	char *out = NULL, *err = NULL;
	const char *file = put("list.txt", "# lab\nsw[1-2]\n");
	char hf[200];

	snprintf(hf, sizeof(hf), "^%s", file);
	CHECK_EQ(fo_test_cli(&out, &err, "inventory", "-w", "core-[01-40].dc[1-3]", "-x", "core-[02-40].dc[1-3]",
			     "--user", "ops", "--port", "2222", "--json", NULL),
		 0);
	CHECK_EQ(count_lines(out), 3);
	CHECK_HAS(out, "{\"name\":\"core-01.dc1\",\"hostname\":\"core-01.dc1\",\"port\":2222,\"username\":\"ops\","
		       "\"password\":null,\"platform\":null,\"groups\":[],\"all_groups\":[],\"data\":{},"
		       "\"connection_options\":{}}\n");
	CHECK_HAS(out, "\"name\":\"core-01.dc3\"");
	free(out);
	free(err);
	setenv("USER", "from-env-user", 1);
	CHECK_EQ(fo_test_cli(&out, &err, "inventory", "--hosts-file", file, "-w", "a,sw1", "--limit", "2", NULL), 0);
	CHECK_HAS(out, "sw1   sw1       22    from-env-user");
	CHECK_HAS(out, "sw2 ");
	CHECK_LACKS(out, "\na ");
	free(out);
	free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "inventory", "-w", hf, "-w", "x[1-3]", "--limit", "x[2-9],sw2", NULL), 0);
	CHECK_EQ(count_lines(out), 4);
	CHECK_HAS(out, "\nsw2 ");
	CHECK_HAS(out, "\nx2 ");
	CHECK_HAS(out, "\nx3 ");
	free(out);
	free(err);
}

/* Bad input: exit 2, one line on stderr that names the input, nothing on stdout. */
static void cli_bad(const char *needle, const char *a1, const char *a2, const char *a3, const char *a4)
{
	char *out = NULL, *err = NULL;
	int rc = fo_test_cli(&out, &err, "inventory", a1, a2, a3, a4, NULL);

	if (rc != 2 || count_lines(err) != 1 || !fo_test_has(err, needle) || (out && *out)) {
		fprintf(stderr, "inventory %s %s %s %s: rc %d, stderr:\n%s(expected '%s')\nstdout:\n%s\n", a1,
			a2 ? a2 : "", a3 ? a3 : "", a4 ? a4 : "", rc, err, needle, out);
		exit(1);
	}
	CHECK(!strncmp(err, "fanout: ", 8));
	free(out);
	free(err);
}

TEST_T(inventory_cli_bad_input, 60)
{
	char bad_dir[200];

	cli_files();
	put("sub-hosts.yaml", "r1:\n  port: 0\n");
	snprintf(bad_dir, sizeof(bad_dir), "%s/sub-hosts.yaml", tmpdir());
	cli_bad("fanout: inventory needs hosts: -i DIR", "--json", NULL, NULL, NULL);
	cli_bad("fanout: bad -w 'core-[01-': '[' without ']' in 'core-[01-'", "-w", "core-[01-", NULL, NULL);
	cli_bad("'dev[0-99999999]' makes more than 10000000 names; narrow the ranges", "-w", "dev[0-99999999]", NULL,
		NULL);
	cli_bad("fanout: bad -x 'a[': ", "-w", "a", "-x", "a[");
	cli_bad("fanout: bad --limit 'a[': ", "-w", "a", "--limit", "a[");
	cli_bad("fanout: bad --limit '0': expected a count", "-w", "a", "--limit", "0");
	cli_bad("fanout: bad --port 'ssh': expected a port from 1 to 65535", "-w", "a", "--port", "ssh");
	cli_bad("fanout: bad --filter 'site': expected KEY=VALUE", "-w", "a", "--filter", "site");
	cli_bad("fanout: bad --group 'nope': no such group in the inventory", "-i", tmpdir(), "--group", "nope");
	cli_bad("fanout: '-w' needs a value", "-w", NULL, NULL, NULL);
	cli_bad("fanout: unknown option '--frobnicate'", "-w", "a", "--frobnicate", "x");
	cli_bad("fanout: unexpected 'stray'", "stray", NULL, NULL, NULL);
	cli_bad("fanout: cannot read inventory '/nonexistent': No such file or directory", "-i", "/nonexistent", NULL,
		NULL);
	cli_bad("sub-hosts.yaml': line 2: host 'r1': port '0': expected a number from 1 to 65535", "-i", bad_dir,
		NULL, NULL);
	cli_bad("fanout: cannot read host file '/nonexistent/h': No such file or directory", "--hosts-file",
		"/nonexistent/h", NULL, NULL);
	unsetenv("FANOUT_TEST_R2");
	cli_bad("password_env 'FANOUT_TEST_R2' is not set", "-i", tmpdir(), NULL, NULL);
}

TEST_T(inventory_cli_empty_and_warnings, 30)
{
	char *out = NULL, *err = NULL;
	char dir[200];

	CHECK_EQ(fo_test_cli(&out, &err, "inventory", "-w", "a,b", "-x", "a,b", NULL), 1);
	CHECK_STR(err, "fanout: no host left after -x, --limit, --group, --filter and --shard\n");
	CHECK_STR(out, "");
	free(out);
	free(err);
	put("hosts.yaml", "# nobody yet\n");
	CHECK_EQ(fo_test_cli(&out, &err, "inventory", "-i", tmpdir(), NULL), 1);
	CHECK_HAS(err, "fanout: the inventory has no hosts");
	free(out);
	free(err);
	snprintf(dir, sizeof(dir), "%s/hosts.yaml", tmpdir());
	put("hosts.yaml", "r1: {hostnme: x}\n");
	CHECK_EQ(fo_test_cli(&out, &err, "inventory", "-i", dir, NULL), 0);
	CHECK_HAS(err, "fanout: warning: inventory '");
	CHECK_HAS(err, "hosts.yaml': line 1: host 'r1': unknown setting 'hostnme' ignored");
	CHECK_HAS(out, "\nr1 ");
	free(out);
	free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "inventory", "--help", NULL), 0);
	CHECK_HAS(out, "usage: fanout inventory");
	CHECK_HAS(out, "password_env");
	free(out);
	free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "--help", NULL), 0);
	CHECK_HAS(out, "  inventory ");
	free(out);
	free(err);
}

/* ---- the option table ------------------------------------------------------------------ */

/* A good value of each flag of `fanout inventory` that takes one. */
static const char *inv_sample(const char *name)
{
	static char hf[256];
	static const char *const v[][2] = { { "hosts", "r1" },     { "user", "u" },       { "port", "2222" },
					    { "exclude", "r9" },   { "limit", "1" },      { "group", "ams" },
					    { "filter", "name=r1" }, { "shard", "1/1" } };
	size_t i;

	if (!strcmp(name, "inventory"))
		return tmpdir();
	if (!strcmp(name, "hosts-file")) {
		snprintf(hf, sizeof(hf), "%s", put("hosts.txt", "r1\n"));
		return hf;
	}
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (!strcmp(name, v[i][0]))
			return v[i][1];
	return NULL;
}

/* A bad value: exit 2 and the one line "fanout: bad --flag 'value': expected ...". */
static void inv_bad(const char *arg, const char *want)
{
	char *out = NULL, *err = NULL;

	CHECK_EQ(fo_test_cli(&out, &err, "inventory", "-i", tmpdir(), arg, NULL), 2);
	CHECK(!strncmp(err, want, strlen(want)));
	CHECK_EQ(count_lines(err), 1);
	free(out);
	free(err);
}

/* Every shown flag is in --help, and every flag that takes a value takes
 * it as --flag=VALUE; bad values are the one format. */
TEST_T(inventory_opts_table, 60)
{
	const struct fo_opt *o;
	char *help = NULL, *out = NULL, *err = NULL;

	cli_files();
	CHECK_EQ(fo_test_cli(&help, &err, "inventory", "--help", NULL), 0);
	free(err);
	CHECK_EQ(fo_inventory_opts.cfg_size > 0, 1);
	for (o = fo_inventory_opts.opts; o->name; o++) {
		char flag[512];
		const char *v;

		snprintf(flag, sizeof(flag), "--%s", o->name);
		if (!(o->flags & FO_OPT_HIDDEN))
			CHECK_HAS(help, flag);
		if (o->kind == FO_OPT_BOOL || o->kind == FO_OPT_FLAG || !strcmp(o->name, "shards"))
			continue; /* --shards: only with --shard auto and a scheduler's environment (test-merge.c) */
		v = inv_sample(o->name);
		if (!v) {
			fprintf(stderr, "no sample value for --%s in inventory_opts_table\n", o->name);
			exit(1);
		}
		snprintf(flag, sizeof(flag), "--%s=%s", o->name, v);
		if (fo_test_cli(&out, &err, "inventory", "-i", tmpdir(), flag, NULL) != 0 || !fo_test_has(out, "r1")) {
			fprintf(stderr, "inventory %s: stderr:\n%s", flag, err);
			exit(1);
		}
		free(out);
		free(err);
	}
	free(help);
	inv_bad("--port=0", "fanout: bad --port '0': expected a port from 1 to 65535\n");
	inv_bad("--limit=0", "fanout: bad --limit '0': expected a count from 1 to 10000000");
	inv_bad("--shard=2/1", "fanout: bad --shard '2/1': expected K/N");
	inv_bad("--filter=site", "fanout: bad --filter 'site': expected KEY=VALUE");
	inv_bad("--group=,", "fanout: bad --group ',': expected a group name");
	inv_bad("-x", "fanout: '-x' needs a value (see fanout inventory --help)\n");
	inv_bad("--json=1", "fanout: '--json' takes no value (see fanout inventory --help)\n");
	inv_bad("--user=", "fanout: bad --user '': expected a user name\n");
	{
		const char *a[] = { "inventory", "-i", tmpdir(), "--user", "a", "-l", "b", NULL };

		CHECK_EQ(fo_test_cliv(&out, &err, a), 2);
		CHECK_STR(err, "fanout: '-l' is given more than once (see fanout inventory --help)\n");
		free(out);
		free(err);
	}
}
