/*
 * The simulated device's CLI engine (src/devices/engine.h), driven through
 * fo_dev_sess_input as an SSH server would, for every platform: levels
 * and prompts, enable with the right and wrong secret, configuration with
 * a bad line, the running configuration after configuration and in a new
 * session, write memory, commit/abort (iosxr), commit check/compare/
 * rollback/commit confirmed (junos), paging with and without terminal
 * length 0, exec channels, echo, and the faults. No timing.
 */
#include <stdint.h>

#include "../src/devices/conf.h"
#include "../src/devices/engine.h"
#include "../src/devices/outputs.h"
#include "../src/devices/server_int.h"
#include "test.h"

static const struct fo_dev_fleet_cfg fleet = { "netops", "s3cret" };

static uint32_t addr_of(const char *s)
{
	unsigned o[4];

	CHECK_EQ(sscanf(s, "%u.%u.%u.%u", &o[0], &o[1], &o[2], &o[3]), 4);
	return o[0] << 24 | o[1] << 16 | o[2] << 8 | o[3];
}

static struct fo_dev *dev(const char *platform, const char *addr, enum fo_dev_fault f)
{
	int p = fo_dev_platform_parse(platform);
	struct fo_dev *d;

	CHECK(p >= 0);
	d = fo_dev_new(addr_of(addr), (enum fo_dev_platform)p, f, &fleet);
	CHECK(d != NULL);
	return d;
}

/* A shell session and what it printed: raw (as sent) and since the last
 * line typed, with \r\n as \n. */
struct term {
	struct fo_dev_sess *s;
	struct fo_sbuf out;
	size_t mark;
	char *last;
	int act;
};

static void term_take(struct term *t)
{
	size_t w = 0;

	CHECK(!t->out.oom);
	free(t->last);
	t->last = malloc(t->out.len - t->mark + 1);
	CHECK(t->last != NULL);
	for (size_t i = t->mark; i < t->out.len; i++)
		if (!(t->out.p[i] == '\r' && i + 1 < t->out.len && t->out.p[i + 1] == '\n'))
			t->last[w++] = t->out.p[i];
	t->last[w] = '\0';
	t->mark = t->out.len;
}

static void term_open(struct term *t, struct fo_dev *d)
{
	memset(t, 0, sizeof(*t));
	t->s = fo_dev_sess_open(d, false, &t->out);
	CHECK(t->s != NULL);
	t->act = fo_dev_sess_act(t->s);
	term_take(t);
}

/* Sends bytes as typed; returns what came back (\n line ends). */
static const char *keys(struct term *t, const char *bytes)
{
	t->act = fo_dev_sess_input(t->s, bytes, strlen(bytes), &t->out);
	term_take(t);
	return t->last;
}

/* Types a line and return. */
static const char *type(struct term *t, const char *line)
{
	char buf[4200];

	snprintf(buf, sizeof(buf), "%s\r", line);
	return keys(t, buf);
}

static void term_close(struct term *t)
{
	fo_dev_sess_close(t->s);
	free(t->out.p);
	free(t->last);
}

/* Does s end with the prompt p? */
static bool ends(const char *s, const char *p)
{
	size_t ls = strlen(s), lp = strlen(p);

	return ls >= lp && !strcmp(s + ls - lp, p);
}

#define CHECK_ENDS(s, p)                                                                               \
	do {                                                                                           \
		const char *s2_ = (s), *p2_ = (p);                                                     \
		if (!ends(s2_, p2_)) {                                                                 \
			fprintf(stderr, "%s:%d: check failed: ends with \"%s\"; it is:\n%s\n", __FILE__, \
				__LINE__, p2_, s2_);                                                   \
			exit(1);                                                                       \
		}                                                                                      \
	} while (0)

static char *running(struct fo_dev *d)
{
	struct fo_sbuf b = { 0 };

	fo_dev_running_config(d, &b);
	CHECK(!b.oom && b.p);
	return b.p;
}

static size_t count_of(const char *s, const char *needle)
{
	size_t n = 0;

	for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

TEST(devices_platform_names)
{
	static const char *const names[] = { "ios", "nxos", "eos", "junos", "iosxr" };

	for (int p = 0; p < FO_DEV_NPLATFORMS; p++)
		CHECK_EQ(fo_dev_platform_parse(fo_dev_platform_name((enum fo_dev_platform)p)), p);
	for (size_t i = 0; i < 5; i++)
		CHECK(fo_dev_platform_parse(names[i]) >= 0);
	CHECK_EQ(fo_dev_platform_parse("vyos"), -1);
	CHECK_EQ(fo_dev_platform_parse(NULL), -1);
	CHECK(fo_dev_new(1, FO_DEV_NPLATFORMS, FO_DEV_OK, &fleet) == NULL);
}

/* ---- ios -------------------------------------------------------------------------- */

TEST(devices_ios_levels_and_enable)
{
	struct fo_dev *d = dev("ios", "127.1.0.5", FO_DEV_OK);
	struct term t;

	CHECK_STR(fo_dev_name(d), "dev-1-0-5");
	term_open(&t, d);
	CHECK_HAS(t.last, "authorized access only");
	CHECK_ENDS(t.last, "\ndev-1-0-5>");
	/* a wrong secret: asked again, three times, then refused */
	CHECK_ENDS(type(&t, "enable"), "Password: ");
	CHECK_STR(type(&t, "nope"), "\nPassword: ");
	CHECK_STR(type(&t, "nope"), "\nPassword: ");
	CHECK_STR(type(&t, "nope"), "\n% Bad secrets\n\ndev-1-0-5>");
	/* the configuration needs enable first */
	CHECK_HAS(type(&t, "configure terminal"), "% Invalid input detected at '^' marker.");
	CHECK_ENDS(type(&t, "en"), "Password: ");
	CHECK_STR(type(&t, "s3cret"), "\ndev-1-0-5#");
	CHECK_STR(type(&t, "conf t"), "conf t\nEnter configuration commands, one per line.  End with CNTL/Z.\n"
				      "dev-1-0-5(config)#");
	CHECK_ENDS(type(&t, "interface GigabitEthernet1/0/2"), "\ndev-1-0-5(config-if)#");
	CHECK_ENDS(type(&t, "exit"), "\ndev-1-0-5(config)#");
	CHECK_ENDS(type(&t, "line vty 0 4"), "\ndev-1-0-5(config-line)#");
	CHECK_ENDS(type(&t, "router ospf 1"), "\ndev-1-0-5(config-router)#");
	CHECK_ENDS(type(&t, "end"), "\ndev-1-0-5#");
	CHECK_ENDS(type(&t, "conf t"), "(config)#");
	CHECK_ENDS(type(&t, "int gi1/0/3"), "(config-if)#");
	CHECK_STR(keys(&t, "\x1a"), "^Z\ndev-1-0-5#"); /* ^Z: end */
	CHECK_ENDS(type(&t, "disable"), "\ndev-1-0-5>");
	type(&t, "exit");
	CHECK_EQ(t.act, FO_DEV_CLOSE);
	term_close(&t);
	fo_dev_free(d);
}

TEST(devices_ios_errors)
{
	struct fo_dev *d = dev("ios", "127.1.0.5", FO_DEV_OK);
	struct term t;

	term_open(&t, d);
	type(&t, "enable");
	type(&t, "s3cret");
	type(&t, "terminal length 0");
	/* the marker under the first word no command takes, past the prompt */
	CHECK_STR(type(&t, "show bogus"), "show bogus\n               ^\n% Invalid input detected at '^' marker.\n\n"
					  "dev-1-0-5#");
	CHECK_STR(type(&t, "sh in"), "sh in\n% Ambiguous command:  \"sh in\"\ndev-1-0-5#");
	CHECK_STR(type(&t, "show"), "show\n% Incomplete command.\n\ndev-1-0-5#");
	CHECK_HAS(type(&t, "frobnicate"), "% Unknown command or computer name");
	CHECK_HAS(type(&t, "sh ip int br"), "Vlan100");
	CHECK_HAS(type(&t, "sh run | inc ^hostname|^interface Loopback0"), "hostname dev-1-0-5\ninterface Loopback0\n");
	CHECK_HAS(type(&t, "show run | frob x"), "                     ^\n% Invalid input detected");
	type(&t, "conf t");
	CHECK_STR(type(&t, "hostnme x"), "hostnme x\n                  ^\n% Invalid input detected at '^' marker.\n\n"
					 "dev-1-0-5(config)#");
	CHECK_HAS(type(&t, "ip address 1.1.1.1 255.0.0.0"), "% Invalid input"); /* not global */
	CHECK_HAS(type(&t, "interface"), "% Incomplete command.");
	CHECK_HAS(type(&t, "interface GigabitEthernet7/0/99"), "% Invalid input"); /* no such port */
	CHECK_HAS(type(&t, "no interface GigabitEthernet1/0/1"), "% Invalid input"); /* hardware */
	CHECK_ENDS(t.last, "(config)#");
	term_close(&t);
	fo_dev_free(d);
}

TEST(devices_ios_configuration)
{
	struct fo_dev *d = dev("ios", "127.1.0.5", FO_DEV_OK);
	char *before = running(d), *after, *again;
	struct term t;
	struct fo_sbuf gen = { 0 };
	struct fo__devid id;

	/* unconfigured: what devsim's show running-config prints */
	fo__devid_init(&id, addr_of("127.1.0.5"), FO_DEV_IOS, "netops");
	fo__gen_run(fo__ios_running, &id, 0, &gen);
	CHECK_STR(before, gen.p);
	free(gen.p);

	term_open(&t, d);
	type(&t, "enable");
	type(&t, "s3cret");
	type(&t, "configure terminal");
	type(&t, "interface gi1/0/2");
	type(&t, " description to the printer");
	type(&t, "shutdown");
	/* a line the device refuses changes nothing */
	CHECK_HAS(type(&t, "switchport mode sideways"), "% Invalid input detected");
	type(&t, "exit");
	type(&t, "interface Loopback7");
	type(&t, "ip address 10.7.7.7 255.255.255.255");
	type(&t, "no ntp server 10.1.1.123");
	CHECK_ENDS(type(&t, "hostname core-7"), "\ncore-7(config)#"); /* a global line leaves the section */
	type(&t, "end");
	after = running(d);
	CHECK(strcmp(before, after));
	CHECK_HAS(after, "\nhostname core-7\n");
	CHECK_HAS(after, "\ninterface GigabitEthernet1/0/2\n description to the printer\n");
	CHECK_HAS(after, "\ninterface Loopback7\n ip address 10.7.7.7 255.255.255.255\n!\n");
	CHECK_LACKS(after, "ntp server 10.1.1.123");
	CHECK_LACKS(after, "sideways");
	CHECK_HAS(after, "Current configuration : ");
	/* the size IOS states is the size of what follows */
	{
		const char *body = strchr(strstr(after, "Current configuration : "), '\n') + 1;
		unsigned long n = strtoul(strstr(after, " : ") + 3, NULL, 10);

		CHECK_EQ(n, strlen(body));
	}
	/* startup: still the old one, until write memory */
	CHECK_HAS(type(&t, "show startup-config | include ^hostname"), "hostname dev-1-0-5\n");
	CHECK_STR(type(&t, "write memory"), "write memory\nBuilding configuration...\n[OK]\ncore-7#");
	CHECK_HAS(type(&t, "show startup-config | include ^hostname"), "hostname core-7\n");
	CHECK_ENDS(type(&t, "copy running-config startup-config"), "Destination filename [startup-config]? ");
	CHECK_STR(type(&t, ""), "\nBuilding configuration...\n[OK]\ncore-7#");
	CHECK_HAS(type(&t, "show running-config interface Loopback7"), "interface Loopback7\n ip address 10.7.7.7");
	term_close(&t);

	/* a new session sees it */
	term_open(&t, d);
	CHECK_ENDS(t.last, "\ncore-7>");
	type(&t, "enable");
	type(&t, "s3cret");
	type(&t, "terminal length 0");
	CHECK_HAS(type(&t, "show running-config"), "description to the printer");
	type(&t, "conf t");
	type(&t, "no interface Loopback7");
	type(&t, "interface Gi1/0/2");
	type(&t, "no description");
	type(&t, "end");
	term_close(&t);
	again = running(d);
	CHECK_LACKS(again, "Loopback7");
	CHECK_LACKS(again, "to the printer");
	free(before);
	free(after);
	free(again);
	fo_dev_free(d);
}

TEST(devices_ios_paging)
{
	struct fo_dev *d = dev("ios", "127.1.0.5", FO_DEV_OK);
	struct term t;
	const char *o;

	term_open(&t, d);
	type(&t, "enable");
	type(&t, "s3cret");
	/* 24 lines a screen: 23 lines, then the marker */
	o = type(&t, "show running-config");
	CHECK_EQ(count_of(o, "\n"), 1 + 23);
	CHECK_ENDS(o, "\n --More-- ");
	CHECK_STR(t.out.p + t.out.len - 12, "\r\n --More-- ");
	/* a space: the marker erased, the next screen */
	o = keys(&t, " ");
	CHECK(!strncmp(o, "\b\b\b\b\b\b\b\b\b\b          \b\b\b\b\b\b\b\b\b\b", 30));
	CHECK_EQ(count_of(o, "\n"), 23);
	CHECK_ENDS(o, " --More-- ");
	/* return: one line */
	o = keys(&t, "\r");
	CHECK_EQ(count_of(o, "\n"), 1);
	CHECK_ENDS(o, " --More-- ");
	o = keys(&t, "\n"); /* the \n of \r\n is part of that return */
	CHECK_STR(o, "");
	o = keys(&t, "\n");
	CHECK_EQ(count_of(o, "\n"), 1);
	/* q: the output ends, the prompt comes */
	o = keys(&t, "q");
	CHECK_STR(o, "\b\b\b\b\b\b\b\b\b\b          \b\b\b\b\b\b\b\b\b\bdev-1-0-5#");
	/* terminal length N pages by N, 0 never */
	type(&t, "terminal length 10");
	o = type(&t, "show version");
	CHECK_EQ(count_of(o, "\n"), 1 + 9);
	keys(&t, "q");
	type(&t, "terminal length 0");
	o = type(&t, "show running-config");
	CHECK_LACKS(o, "--More--");
	CHECK_ENDS(o, "\nend\ndev-1-0-5#");
	term_close(&t);
	fo_dev_free(d);
}

/* ---- nxos, eos --------------------------------------------------------------------------- */

TEST(devices_nxos_session)
{
	struct fo_dev *d = dev("nxos", "127.1.0.9", FO_DEV_OK);
	struct term t;
	const char *o;
	char *run;

	term_open(&t, d);
	CHECK_HAS(t.last, "Cisco Nexus Operating System");
	CHECK_ENDS(t.last, "\ndev-1-0-9# "); /* an admin lands at #, no enable */
	CHECK_STR(type(&t, "show bogus"), "show bogus\n                ^\n% Invalid command at '^' marker.\ndev-1-0-9# ");
	CHECK_HAS(type(&t, "show version"), "NXOS: version 10.2(5)");
	CHECK_ENDS(t.last, "\n--More--"); /* nxos's marker */
	CHECK_STR(keys(&t, "q"), "\r        \rdev-1-0-9# ");
	CHECK_STR(type(&t, "configure terminal"), "configure terminal\n"
						  "Enter configuration commands, one per line. End with CNTL/Z.\n"
						  "dev-1-0-9(config)# ");
	CHECK_ENDS(type(&t, "interface eth1/3"), "\ndev-1-0-9(config-if)# ");
	type(&t, "description core link");
	type(&t, "no shutdown");
	CHECK_HAS(type(&t, "bogus words"), "% Invalid command at '^' marker.");
	CHECK_ENDS(type(&t, "vlan 999"), "(config-vlan)# ");
	type(&t, "name test-vlan");
	/* show commands work in configuration on nxos */
	o = type(&t, "show running-config interface Ethernet1/3");
	CHECK_HAS(o, "\ninterface Ethernet1/3\n  description core link\n");
	CHECK_HAS(o, "  no shutdown\n");
	type(&t, "end");
	CHECK_HAS(type(&t, "copy running-config startup-config"), "Copy complete.");
	run = running(d);
	CHECK_HAS(run, "\nvlan 999\n  name test-vlan\n");
	CHECK_HAS(run, "\ninterface Ethernet1/3\n  description core link\n");
	free(run);
	term_close(&t);
	fo_dev_free(d);
}

TEST(devices_eos_session)
{
	struct fo_dev *d = dev("eos", "127.1.0.9", FO_DEV_OK);
	struct term t;
	const char *o;
	char *run;

	term_open(&t, d);
	CHECK_ENDS(t.last, "\ndev-1-0-9>");
	CHECK_STR(type(&t, "show bogus"), "show bogus\n% Invalid input\ndev-1-0-9>");
	type(&t, "enable");
	CHECK_STR(type(&t, "wrong"), "\n% Access denied\ndev-1-0-9>");
	type(&t, "enable");
	CHECK_STR(type(&t, "s3cret"), "\ndev-1-0-9#");
	CHECK_ENDS(type(&t, "configure"), "\ndev-1-0-9(config)#");
	CHECK_ENDS(type(&t, "interface Ethernet7"), "\ndev-1-0-9(config-if-Et7)#");
	type(&t, "description to-server-7");
	CHECK_ENDS(type(&t, "vlan 300"), "\ndev-1-0-9(config-vlan-300)#");
	CHECK_STR(type(&t, "frob"), "frob\n% Invalid input\ndev-1-0-9(config-vlan-300)#");
	type(&t, "end");
	CHECK_HAS(type(&t, "write memory"), "Copy completed successfully.");
	/* the pager */
	o = type(&t, "show interfaces");
	CHECK_ENDS(o, " --More-- ");
	o = keys(&t, "q");
	CHECK_STR(o, "\r          \rdev-1-0-9#");
	run = running(d);
	CHECK_HAS(run, "\ninterface Ethernet7\n   description to-server-7\n");
	free(run);
	term_close(&t);
	fo_dev_free(d);
}

/* ---- iosxr ---------------------------------------------------------------------------------- */

TEST(devices_iosxr_commit_and_abort)
{
	struct fo_dev *d = dev("iosxr", "127.1.0.9", FO_DEV_OK);
	char *before = running(d), *run;
	struct term t;
	const char *o;
	unsigned secs = 0;
	uint64_t id = 0;

	term_open(&t, d);
	CHECK_ENDS(t.last, "\nRP/0/RP0/CPU0:dev-1-0-9#");
	CHECK_HAS(type(&t, "show version"), "Tue Mar  4 09:15:00.000 UTC\nCisco IOS XR Software, Version 7.5.2");
	CHECK_ENDS(type(&t, "configure"), "\nRP/0/RP0/CPU0:dev-1-0-9(config)#");
	type(&t, "interface Loopback9");
	type(&t, "ipv4 address 10.9.9.9 255.255.255.255");
	CHECK_HAS(type(&t, "frob"), "% Invalid input detected at '^' marker.");
	/* a candidate until commit */
	o = type(&t, "show commit changes diff");
	CHECK_HAS(o, "+  interface Loopback9\n+   ipv4 address 10.9.9.9 255.255.255.255\n");
	CHECK_HAS(type(&t, "show configuration"), "interface Loopback9\n ipv4 address 10.9.9.9");
	run = running(d);
	CHECK_STR(run, before);
	free(run);
	/* abort drops it and leaves */
	CHECK_ENDS(type(&t, "abort"), "\nRP/0/RP0/CPU0:dev-1-0-9#");
	run = running(d);
	CHECK_STR(run, before);
	free(run);
	/* commit makes it running */
	type(&t, "configure");
	type(&t, "hostname xr9");
	CHECK_STR(type(&t, "commit"), "commit\nRP/0/RP0/CPU0:xr9(config)#");
	CHECK_HAS(type(&t, "commit"), "% No configuration changes to commit.");
	/* leaving with changes asks */
	type(&t, "interface Loopback10");
	o = type(&t, "end");
	CHECK_ENDS(o, "Uncommitted changes found, commit them before exiting(yes/no/cancel)? [cancel]:");
	CHECK_ENDS(type(&t, ""), "(config-if)#"); /* cancel: stays */
	type(&t, "end");
	CHECK_ENDS(type(&t, "no"), "\nRP/0/RP0/CPU0:xr9#");
	run = running(d);
	CHECK_HAS(run, "\nhostname xr9\n");
	CHECK_LACKS(run, "Loopback10");
	free(run);
	/* commit confirmed: rolled back when the server says its time is up */
	type(&t, "configure");
	type(&t, "interface Loopback11");
	type(&t, "commit confirmed 120");
	CHECK(fo_dev_confirm_pending(d, &secs, &id));
	CHECK_EQ(secs, 120);
	run = running(d);
	CHECK_HAS(run, "Loopback11");
	free(run);
	CHECK(!fo_dev_confirm_expire(d, id + 1));
	CHECK(fo_dev_confirm_expire(d, id));
	CHECK(!fo_dev_confirm_pending(d, NULL, NULL));
	run = running(d);
	CHECK_LACKS(run, "Loopback11");
	CHECK_HAS(run, "hostname xr9");
	free(run);
	type(&t, "end");
	term_close(&t);
	free(before);
	fo_dev_free(d);
}

/* ---- junos ------------------------------------------------------------------------------------ */

TEST(devices_junos_commit_compare_rollback)
{
	struct fo_dev *d = dev("junos", "127.2.0.1", FO_DEV_OK);
	char *before = running(d), *run;
	struct term t;
	const char *o;
	unsigned secs = 0;
	uint64_t id = 0;

	term_open(&t, d);
	CHECK_HAS(t.last, "--- JUNOS 22.4R3-S2.11");
	CHECK_ENDS(t.last, "\nnetops@dev-2-0-1> ");
	CHECK_STR(type(&t, "configure"), "configure\nEntering configuration mode\n\n[edit]\nnetops@dev-2-0-1# ");
	CHECK_STR(type(&t, "set system host-name jn1"), "set system host-name jn1\n\n[edit]\nnetops@dev-2-0-1# ");
	type(&t, "set interfaces ge-0/0/3 description \"to core\"");
	o = type(&t, "set bogus thing");
	CHECK_HAS(o, "\n                      ^\nsyntax error.\n");
	CHECK_HAS(type(&t, "delete interfaces ge-0/0/99"), "warning: statement not found");
	o = type(&t, "show | compare");
	CHECK_HAS(o, "[edit system]\n-   host-name dev-2-0-1;\n+   host-name jn1;\n");
	CHECK_HAS(o, "[edit interfaces ge-0/0/3]\n");
	CHECK_HAS(o, "+   description \"to core\";\n");
	CHECK_STR(type(&t, "commit check"), "commit check\nconfiguration check succeeds\n\n[edit]\nnetops@dev-2-0-1# ");
	run = running(d);
	CHECK_STR(run, before);
	free(run);
	CHECK_STR(type(&t, "commit"), "commit\ncommit complete\n\n[edit]\nnetops@jn1# ");
	run = running(d);
	CHECK_HAS(run, "    host-name jn1;\n");
	CHECK_HAS(run, "description \"to core\";");
	free(run);
	/* rollback 0 drops what is not committed */
	type(&t, "set system domain-name lab.example.net");
	CHECK_HAS(type(&t, "show | compare"), "+   domain-name lab.example.net;");
	CHECK_HAS(type(&t, "rollback 0"), "load complete");
	CHECK_STR(type(&t, "show | compare"), "show | compare\n\n[edit]\nnetops@jn1# ");
	/* rollback 1: the configuration before the last commit */
	type(&t, "rollback 1");
	CHECK_HAS(type(&t, "show | compare"), "+   host-name dev-2-0-1;");
	type(&t, "rollback 0");
	/* commit confirmed: the prompt says it, the server ends it */
	type(&t, "set system location building-7");
	o = type(&t, "commit confirmed 5");
	CHECK_HAS(o, "commit confirmed will be automatically rolled back in 5 minutes unless confirmed\ncommit complete\n");
	CHECK_HAS(o, "\n# commit confirmed will be rolled back in 5 minutes\n[edit]\n");
	CHECK(fo_dev_confirm_pending(d, &secs, &id));
	CHECK_EQ(secs, 300);
	CHECK(fo_dev_confirm_expire(d, id));
	run = running(d);
	CHECK_LACKS(run, "building-7");
	CHECK_HAS(run, "host-name jn1;");
	free(run);
	/* confirmed by a commit: nothing to roll back */
	type(&t, "set system location building-8");
	type(&t, "commit confirmed");
	CHECK(fo_dev_confirm_pending(d, &secs, &id));
	CHECK_EQ(secs, 600);
	type(&t, "commit");
	CHECK(!fo_dev_confirm_expire(d, id));
	run = running(d);
	CHECK_HAS(run, "building-8");
	free(run);
	/* leaving with changes asks; the shared candidate keeps them */
	type(&t, "set system location building-9");
	o = type(&t, "exit");
	CHECK_ENDS(o, "The configuration has been changed but not committed\n"
		      "Exit with uncommitted changes? [yes,no] (yes) ");
	CHECK_ENDS(type(&t, "no"), "\n[edit]\nnetops@jn1# ");
	type(&t, "exit");
	CHECK_STR(type(&t, "yes"), "yes\nExiting configuration mode\n\nnetops@jn1> ");
	CHECK_HAS(type(&t, "configure"), "The configuration has been changed but not committed");
	CHECK_HAS(type(&t, "show | compare"), "+   location building-9;");
	type(&t, "rollback");
	CHECK_STR(type(&t, "exit configuration-mode"), "exit configuration-mode\nExiting configuration mode\n\n"
						       "netops@jn1> ");
	term_close(&t);
	free(before);
	fo_dev_free(d);
}

TEST(devices_junos_operational)
{
	struct fo_dev *d = dev("junos", "127.2.0.1", FO_DEV_OK);
	struct term t;
	const char *o;

	term_open(&t, d);
	CHECK_STR(type(&t, "set cli screen-length 0"), "set cli screen-length 0\nScreen length set to 0\n\n"
						       "netops@dev-2-0-1> ");
	CHECK_STR(type(&t, "frob"), "frob\n                  ^\nunknown command.\n\nnetops@dev-2-0-1> ");
	CHECK_STR(type(&t, "show frob"), "show frob\n                       ^\nsyntax error, expecting <command>.\n\n"
					 "netops@dev-2-0-1> ");
	o = type(&t, "show configuration | display set | match host-name");
	CHECK_STR(o, "show configuration | display set | match host-name\nset system host-name dev-2-0-1\n\n"
		     "netops@dev-2-0-1> ");
	CHECK_HAS(type(&t, "show configuration system ntp"), "server 10.2.0.123 prefer;\n");
	CHECK_HAS(type(&t, "sh ver"), "Model: ");
	type(&t, "configure");
	CHECK_HAS(type(&t, "run show system uptime"), "Current time: 2025-03-04 09:15:00 UTC");
	CHECK_ENDS(type(&t, "edit interfaces ge-0/0/1"), "\n[edit interfaces ge-0/0/1]\nnetops@dev-2-0-1# ");
	type(&t, "set description \"edited here\"");
	CHECK_HAS(type(&t, "show"), "description \"edited here\";");
	CHECK_ENDS(type(&t, "up"), "\n[edit interfaces]\nnetops@dev-2-0-1# ");
	CHECK_ENDS(type(&t, "top"), "\n[edit]\nnetops@dev-2-0-1# ");
	CHECK_HAS(type(&t, "show | display set | match ge-0/0/1"), "set interfaces ge-0/0/1 description \"edited here\"");
	CHECK_HAS(type(&t, "commit and-quit"), "commit complete\nExiting configuration mode\n");
	CHECK_ENDS(t.last, "\nnetops@dev-2-0-1> ");
	type(&t, "exit");
	CHECK_EQ(t.act, FO_DEV_CLOSE);
	term_close(&t);
	fo_dev_free(d);
}

TEST(devices_junos_paging)
{
	struct fo_dev *d = dev("junos", "127.2.0.1", FO_DEV_OK);
	struct term t;
	const char *o;

	term_open(&t, d);
	o = type(&t, "show configuration");
	CHECK_EQ(count_of(o, "\n"), 1 + 23);
	CHECK(strstr(o, "---(more ") && ends(o, "%)---"));
	o = keys(&t, " ");
	CHECK(o[0] == '\r');
	CHECK_HAS(o, "---(more ");
	o = keys(&t, "x"); /* not a pager key on junos */
	CHECK_STR(o, "");
	o = keys(&t, "q");
	CHECK_ENDS(o, "\nnetops@dev-2-0-1> ");
	/* | no-more, and screen-length 0 */
	CHECK_LACKS(type(&t, "show configuration | no-more"), "---(more");
	type(&t, "set cli screen-length 0");
	CHECK_LACKS(type(&t, "show interfaces"), "---(more");
	term_close(&t);
	fo_dev_free(d);
}

/* ---- every platform ------------------------------------------------------------------------------ */

static const struct {
	const char *platform, *shows[16];
} fifteen[] = {
	{ "ios", { "show version", "show running-config", "show interfaces", "show ip interface brief",
		   "show ip route", "show ip arp", "show inventory", "show vlan brief", "show cdp neighbors",
		   "show lldp neighbors", "show mac address-table", "show processes cpu", "show logging",
		   "show ntp status", "show ip bgp summary" } },
	{ "nxos", { "show version", "show running-config", "show interface", "show ip interface brief",
		    "show ip route", "show ip arp", "show inventory", "show vlan brief", "show cdp neighbors",
		    "show lldp neighbors", "show mac address-table", "show processes cpu", "show logging",
		    "show ntp peer-status", "show ip bgp summary" } },
	{ "eos", { "show version", "show running-config", "show interfaces", "show ip interface brief",
		   "show ip route", "show ip arp", "show inventory", "show vlan", "show interfaces status",
		   "show lldp neighbors", "show mac address-table", "show processes top once", "show logging",
		   "show ntp status", "show ip bgp summary" } },
	{ "iosxr", { "show version", "show running-config", "show interfaces", "show ipv4 interface brief",
		     "show route", "show arp", "show inventory", "show interfaces brief", "show cdp neighbors",
		     "show lldp neighbors", "show platform", "show processes cpu", "show logging",
		     "show ntp status", "show bgp summary" } },
	{ "junos", { "show version", "show configuration", "show interfaces", "show interfaces terse",
		     "show route", "show arp", "show chassis hardware", "show chassis environment",
		     "show system uptime", "show lldp neighbors", "show ethernet-switching table",
		     "show system processes summary", "show log messages", "show ntp associations",
		     "show bgp summary" } },
};

/* The 15 show commands a benchmark sends, on every platform, through an
 * exec channel and a shell: output, no error, the same at every login. */
TEST(devices_fifteen_shows_everywhere)
{
	for (size_t i = 0; i < sizeof(fifteen) / sizeof(fifteen[0]); i++) {
		struct fo_dev *d = dev(fifteen[i].platform, "127.3.4.5", FO_DEV_OK);
		struct fo_dev *d2 = dev(fifteen[i].platform, "127.3.4.5", FO_DEV_OK);

		for (int k = 0; k < 15; k++) {
			struct fo_dev_sess *s = fo_dev_sess_open(d, true, NULL), *s2 = fo_dev_sess_open(d2, true, NULL);
			struct fo_sbuf a = { 0 }, b = { 0 };

			CHECK(s && s2);
			CHECK_EQ(fo_dev_exec(s, fifteen[i].shows[k], &a), 0);
			CHECK_EQ(fo_dev_exec(s2, fifteen[i].shows[k], &b), 0);
			CHECK(!a.oom && a.len > 100);
			if (a.len != b.len || memcmp(a.p, b.p, a.len) || strstr(a.p, "nvalid") || strstr(a.p, "syntax error")) {
				fprintf(stderr, "%s: %s:\n%s\n", fifteen[i].platform, fifteen[i].shows[k], a.p);
				CHECK(0);
			}
			CHECK_EQ(fo_dev_sess_act(s), FO_DEV_CLOSE);
			fo_dev_sess_close(s);
			fo_dev_sess_close(s2);
			free(a.p);
			free(b.p);
		}
		fo_dev_free(d);
		fo_dev_free(d2);
	}
}

/* Two addresses print two devices; every show of the tables works. */
TEST(devices_every_show_command)
{
	for (int p = 0; p < FO_DEV_NPLATFORMS; p++) {
		const struct fo__show *t = fo__show_table((enum fo_dev_platform)p);
		struct fo__devid a, b;
		size_t n = 0, differ = 0;

		fo__devid_init(&a, addr_of("127.1.0.1"), (enum fo_dev_platform)p, "netops");
		fo__devid_init(&b, addr_of("127.1.0.2"), (enum fo_dev_platform)p, "netops");
		for (; t->words; t++, n++) {
			struct fo_sbuf x = { 0 }, y = { 0 };

			fo__gen_run(t->gen, &a, 0, &x);
			fo__gen_run(t->gen, &b, 0, &y);
			CHECK(!x.oom && x.len > 0 && !y.oom);
			differ += x.len != y.len || memcmp(x.p, y.p, x.len);
			free(x.p);
			free(y.p);
		}
		CHECK(n >= 15);
		CHECK(differ >= n / 2);
	}
}

/* The configuration model prints back what it parsed, byte for byte. */
TEST(devices_config_roundtrip)
{
	static const fo__gen_fn gens[FO_DEV_NPLATFORMS] = {
		[FO_DEV_IOS] = fo__ios_running, [FO_DEV_NXOS] = fo__nxos_running, [FO_DEV_EOS] = fo__eos_running,
		[FO_DEV_JUNOS] = fo__jn_config, [FO_DEV_IOSXR] = fo__iosxr_running,
	};

	for (int p = 0; p < FO_DEV_NPLATFORMS; p++) {
		for (uint32_t a = addr_of("127.1.0.1"); a < addr_of("127.1.0.1") + 40; a += 3) {
			struct fo__devid id;
			struct fo_sbuf b = { 0 }, o = { 0 };
			struct fo__conf c;
			size_t off;

			fo__devid_init(&id, a, (enum fo_dev_platform)p, "netops");
			fo__gen_run(gens[p], &id, 0, &b);
			off = p == FO_DEV_IOS ? fo__conf_ios_body(b.p, b.len) : 0;
			CHECK(p != FO_DEV_IOS || off > 0);
			CHECK_EQ(fo__conf_parse(&c, (enum fo_dev_platform)p, b.p + off, b.len - off), 0);
			fo__conf_print(&c, &o);
			CHECK_EQ(o.len, b.len - off);
			CHECK(!memcmp(o.p, b.p + off, o.len));
			fo__conf_release(&c);
			free(b.p);
			free(o.p);
		}
	}
}

/* ---- the terminal ------------------------------------------------------------------------------------ */

TEST(devices_echo)
{
	struct fo_dev *d = dev("ios", "127.1.0.5", FO_DEV_OK);
	struct term t;

	term_open(&t, d);
	/* typed characters come back one by one, a line end as \r\n */
	CHECK_STR(keys(&t, "sh"), "sh");
	CHECK_STR(keys(&t, "ow cl"), "ow cl");
	CHECK_STR(keys(&t, "x\x7f"), "x\b \b"); /* backspace */
	CHECK_STR(keys(&t, "\x1b[A"), "");      /* an arrow key: nothing */
	keys(&t, "ock\r\n");
	CHECK_HAS(t.out.p, "dev-1-0-5>show clx\b \bock\r\n*09:15:00.000 UTC Tue Mar 04 2025\r\ndev-1-0-5>");
	/* \r\n is one line end: no second prompt */
	CHECK_EQ(count_of(t.out.p, "dev-1-0-5>"), 2);
	/* secrets are not echoed */
	keys(&t, "enable\r");
	CHECK_STR(keys(&t, "s3cret"), "");
	CHECK_STR(keys(&t, "\r"), "\ndev-1-0-5#");
	/* ^C drops the line */
	keys(&t, "show ver");
	CHECK_STR(keys(&t, "\x03"), "^C\ndev-1-0-5#");
	term_close(&t);
	fo_dev_free(d);
}

TEST(devices_exec_channel)
{
	struct fo_dev *d = dev("ios", "127.1.0.5", FO_DEV_OK);
	struct fo_sbuf out = { 0 };
	struct fo_dev_sess *s = fo_dev_sess_open(d, true, &out);
	struct fo__devid id;
	struct fo_sbuf want = { 0 };

	CHECK(s != NULL);
	CHECK_EQ(out.len, 0); /* no banner, no prompt */
	/* privileged at once, no echo, no pager, \r\n */
	CHECK_EQ(fo_dev_exec(s, "show running-config", &out), 0);
	CHECK_EQ(fo_dev_sess_act(s), FO_DEV_CLOSE);
	fo__devid_init(&id, addr_of("127.1.0.5"), FO_DEV_IOS, "netops");
	fo__gen_run(fo__ios_running, &id, 0, &want);
	CHECK_EQ(count_of(out.p, "\r\n"), count_of(want.p, "\n"));
	CHECK_LACKS(out.p, "More");
	CHECK(!strncmp(out.p, "Building configuration...\r\n\r\nCurrent configuration : ", 53));
	fo_dev_sess_close(s);
	out.len = 0;
	s = fo_dev_sess_open(d, true, &out);
	CHECK_EQ(fo_dev_exec(s, "show nonsense", &out), 1);
	CHECK_HAS(out.p, "% Invalid input detected at '^' marker.");
	fo_dev_sess_close(s);
	free(out.p);
	free(want.p);
	fo_dev_free(d);
}

TEST(devices_faults)
{
	struct term t;
	struct fo_dev *d;
	struct fo_sbuf out = { 0 };
	const char *o;

	/* hang: the banner, then nothing ever */
	d = dev("ios", "127.9.0.2", FO_DEV_HANG);
	term_open(&t, d);
	CHECK_EQ(t.act, FO_DEV_HANG_NOW);
	CHECK_HAS(t.last, "authorized access only");
	CHECK_LACKS(t.last, "dev-9-0-2>");
	CHECK_STR(keys(&t, "show version\r"), "");
	CHECK_EQ(t.act, FO_DEV_HANG_NOW);
	term_close(&t);
	fo_dev_free(d);

	/* drop: half of the first output, then the connection goes */
	d = dev("junos", "127.9.0.3", FO_DEV_DROP);
	term_open(&t, d);
	type(&t, "set cli screen-length 0"); /* a message, not an output */
	CHECK_EQ(t.act, 0);
	o = type(&t, "show configuration");
	CHECK_EQ(t.act, FO_DEV_DROP_NOW);
	CHECK_HAS(o, "system {");
	CHECK_LACKS(o, "netops@dev-9-0-3>");
	term_close(&t);
	fo_dev_free(d);

	/* slow: every command asks the server to think */
	d = dev("eos", "127.9.0.4", FO_DEV_SLOW);
	term_open(&t, d);
	CHECK_EQ(t.act, FO_DEV_THINK);
	type(&t, "show clock");
	CHECK_EQ(t.act, FO_DEV_THINK);
	term_close(&t);
	fo_dev_free(d);

	/* flood: an output that never ends */
	d = dev("nxos", "127.9.0.5", FO_DEV_FLOOD);
	term_open(&t, d);
	o = type(&t, "show clock");
	CHECK_EQ(t.act, FO_DEV_FLOODING);
	CHECK_HAS(o, "Time source is NTP");
	for (int i = 0; i < 3; i++) {
		out.len = 0;
		fo_dev_sess_flood(t.s, 4096, &out);
		CHECK(out.len >= 4096);
		CHECK_HAS(out.p, "Time source is NTP\r\n");
	}
	term_close(&t);
	fo_dev_free(d);

	/* bad secret: the right one is refused too */
	d = dev("ios", "127.9.0.6", FO_DEV_BADSECRET);
	term_open(&t, d);
	type(&t, "enable");
	type(&t, "s3cret");
	type(&t, "s3cret");
	CHECK_HAS(type(&t, "s3cret"), "% Bad secrets");
	CHECK_ENDS(t.last, "dev-9-0-6>");
	term_close(&t);
	fo_dev_free(d);

	/* exec channels hang and drop too */
	d = dev("ios", "127.9.0.2", FO_DEV_HANG);
	{
		struct fo_dev_sess *s = fo_dev_sess_open(d, true, &out);

		out.len = 0;
		fo_dev_exec(s, "show version", &out);
		CHECK_EQ(out.len, 0);
		CHECK(fo_dev_sess_act(s) & FO_DEV_HANG_NOW);
		fo_dev_sess_close(s);
	}
	fo_dev_free(d);
	d = dev("iosxr", "127.9.0.3", FO_DEV_DROP);
	{
		struct fo_dev_sess *s = fo_dev_sess_open(d, true, &out);

		out.len = 0;
		fo_dev_exec(s, "show running-config", &out);
		CHECK(fo_dev_sess_act(s) & FO_DEV_DROP_NOW);
		CHECK(out.len > 100);
		fo_dev_sess_close(s);
	}
	fo_dev_free(d);
	free(out.p);
}

/* Sessions of one device interleave: one configures while another reads. */
TEST(devices_sessions_interleave)
{
	struct fo_dev *d = dev("junos", "127.2.0.7", FO_DEV_OK);
	struct term a, b;

	term_open(&a, d);
	term_open(&b, d);
	type(&a, "configure");
	CHECK_HAS(type(&b, "configure"), "Users currently editing the configuration:");
	type(&a, "set system host-name shared1");
	CHECK_HAS(type(&b, "show | compare"), "+   host-name shared1;"); /* the shared candidate */
	CHECK_HAS(type(&b, "exit"), "Exit with uncommitted changes?");
	CHECK_HAS(type(&b, "maybe"), "Exit with uncommitted changes?"); /* asked again */
	CHECK_HAS(type(&b, "yes"), "Exiting configuration mode");
	CHECK_HAS(type(&b, "configure private"), "error: shared configuration database modified");
	type(&a, "commit and-quit");
	CHECK_ENDS(type(&b, "show version"), "\nnetops@shared1> ");
	term_close(&a);
	term_close(&b);
	fo_dev_free(d);
}

/* Whatever a client sends, a session survives it (ASan watches): random
 * keys, and random lines of the words the devices know. */
TEST(devices_random_input_survives)
{
	static const char *const words[] = { "show", "sh", "run", "interface", "int", "gi1/0/1", "Ethernet1",
					     "conf", "t", "configure", "terminal", "set", "delete", "system",
					     "host-name", "commit", "rollback", "1", "0", "exit", "end", "no",
					     "description", "|", "include", "match", "count", "x", "edit", "up",
					     "enable", "s3cret", "vlan", "100", "abort", "yes", "do", "length",
					     "\"q", "ip", "address", "10.0.0.1", "255.255.255.0", "10.0.0.1/24" };
	uint64_t r = 42;

	for (int p = 0; p < FO_DEV_NPLATFORMS; p++) {
		struct fo_dev *d = fo_dev_new(0x7f050001 + (uint32_t)p, (enum fo_dev_platform)p, FO_DEV_OK, &fleet);
		struct fo_sbuf out = { 0 };
		struct fo_dev_sess *s = fo_dev_sess_open(d, false, &out);

		for (int i = 0; i < 20000 && s; i++) {
			char buf[256];
			size_t n = 0;
			int act;

			r = r * 6364136223846793005ULL + 1442695040888963407ULL;
			if (r >> 60 < 3) { /* keys, control ones too */
				for (unsigned k = 0; k < (r >> 8) % 40; k++)
					buf[n++] = (char)((r >> (k % 50)) * (k + 1) % 256);
			} else { /* a line of words */
				for (unsigned k = 0; k < 1 + (r >> 20) % 7 && n < 200; k++) {
					const char *w = words[(r >> (k * 5 + 3)) % (sizeof(words) / sizeof(words[0]))];

					n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s ", w);
				}
				buf[n++] = (r >> 40) % 2 ? '\r' : '\n';
			}
			act = fo_dev_sess_input(s, buf, n, &out);
			CHECK(!out.oom);
			out.len = 0;
			if (act & FO_DEV_CLOSE) {
				fo_dev_sess_close(s);
				s = fo_dev_sess_open(d, false, &out);
			}
		}
		fo_dev_sess_close(s);
		free(out.p);
		fo_dev_free(d);
	}
}

/* eos configure session: a candidate until commit, as a unified diff */
TEST(devices_eos_configure_session)
{
	struct fo_dev *d = dev("eos", "127.1.0.9", FO_DEV_OK);
	char *before = running(d), *run;
	struct term t;
	const char *o;

	term_open(&t, d);
	type(&t, "enable");
	type(&t, "s3cret");
	CHECK_HAS(type(&t, "commit"), "% Invalid input"); /* no session */
	CHECK_ENDS(type(&t, "configure session"), "\ndev-1-0-9(config-s-session1)#");
	CHECK_ENDS(type(&t, "interface Ethernet3"), "\ndev-1-0-9(config-s-session1-if-Et3)#");
	type(&t, "description via session");
	o = type(&t, "show session-config diffs");
	CHECK_HAS(o, "--- system:/running-config\n+++ session:/session1-session-config\n@@ -");
	CHECK_HAS(o, "\n interface Ethernet3\n");
	CHECK_HAS(o, "\n+   description via session\n");
	run = running(d);
	CHECK_STR(run, before);
	free(run);
	CHECK_ENDS(type(&t, "abort"), "\ndev-1-0-9#");
	run = running(d);
	CHECK_STR(run, before);
	free(run);
	type(&t, "configure session s1");
	type(&t, "hostname eos9");
	CHECK_ENDS(type(&t, "commit"), "\neos9#");
	run = running(d);
	CHECK_HAS(run, "\nhostname eos9\n");
	free(run);
	term_close(&t);
	free(before);
	fo_dev_free(d);
}

/* What a sub-mode does not take is tried in the modes around it; a bad
 * mask is IOS's own error. */
TEST(devices_ios_submode_falls_back)
{
	struct fo_dev *d = dev("ios", "127.1.0.5", FO_DEV_OK);
	struct term t;
	char *run;

	term_open(&t, d);
	type(&t, "enable");
	type(&t, "s3cret");
	type(&t, "conf t");
	type(&t, "interface Loopback3");
	CHECK_STR(type(&t, "ip address 10.3.3.3 255.0.255.0"), "ip address 10.3.3.3 255.0.255.0\n"
							       "% Bad mask 0xFF00FF00 for address 10.3.3.3\n"
							       "dev-1-0-5(config-if)#");
	type(&t, "ip address 10.3.3.3 255.255.255.255");
	/* "ip access-list" is no interface command: global, and its section */
	CHECK_ENDS(type(&t, "ip access-list extended EDGE"), "\ndev-1-0-5(config-ext-nacl)#");
	type(&t, "permit tcp any any eq 22");
	CHECK_HAS(type(&t, "ip adress 1.1.1.1"), "% Invalid input detected at '^' marker."); /* no level takes it */
	CHECK_ENDS(t.last, "(config-ext-nacl)#");
	type(&t, "end");
	run = running(d);
	CHECK_HAS(run, "\ninterface Loopback3\n ip address 10.3.3.3 255.255.255.255\n");
	CHECK_LACKS(run, "255.0.255.0");
	CHECK_HAS(run, "\nip access-list extended EDGE\n permit tcp any any eq 22\n");
	free(run);
	term_close(&t);
	fo_dev_free(d);
}

/* One exec command's output on a fresh exec session of d. */
static int exec1(struct fo_dev *d, const char *cmd, struct fo_sbuf *out)
{
	struct fo_dev_sess *s = fo_dev_sess_open(d, true, out);
	int rc;

	CHECK(s != NULL);
	out->len = 0;
	rc = fo_dev_exec(s, cmd, out);
	fo_sbuf_add(out, "", 1);
	fo_dev_sess_close(s);
	return rc;
}

/* The file store through SCP's protocol (server_scp.c) and each
 * platform's commands; "abc" hashes to ba7816bf...15ad. */
TEST(devices_files_scp_and_digests)
{
	static const char *const abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	struct fo_dev *ios = dev("ios", "127.1.0.5", FO_DEV_OK), *jn = dev("junos", "127.1.0.6", FO_DEV_OK);
	struct fo_dev *nx = dev("nxos", "127.1.0.7", FO_DEV_OK), *full = dev("ios", "127.1.0.8", FO_DEV_DISKFULL);
	struct fo__scp *sp;
	struct fo_sbuf out = { 0 };
	char want[200];
	int st = -1;

	/* an upload: ready, C line, data, end mark; each answered \0 */
	CHECK_EQ(fo__scp_start(&sp, ios, "scp -t 'flash:a.txt'", &out), 0);
	CHECK(out.len == 1 && out.p[0] == 0);
	out.len = 0;
	CHECK_EQ(fo__scp_input(sp, "C0644 3 a.txt\nabc", 17, false, &out, &st), 0);
	CHECK(out.len == 1 && out.p[0] == 0);
	CHECK_EQ(fo__scp_input(sp, "", 1, true, &out, &st), 1);
	CHECK_EQ(st, 0);
	CHECK(out.len == 2 && out.p[1] == 0);
	fo__scp_free(sp);
	CHECK_EQ(exec1(ios, "verify /sha256 flash:a.txt", &out), 0);
	snprintf(want, sizeof(want), "Done!\r\nverify /sha256 (flash:a.txt) = %s\r\n", abc);
	CHECK_HAS(out.p, want);
	CHECK_EQ(exec1(ios, "dir", &out), 0);
	CHECK_HAS(out.p, "Directory of flash:/");
	CHECK_HAS(out.p, " a.txt\r\n");
	CHECK_EQ(exec1(ios, "verify /sha256 flash:nope", &out), 1);
	CHECK_HAS(out.p, "%Error opening flash:nope (No such file or directory)");

	/* a download with -p: T line, C line, bytes and \0, after each ack */
	out.len = 0;
	CHECK_EQ(fo__scp_start(&sp, ios, "scp -pf a.txt", &out), 0);
	CHECK_EQ(out.len, 0);
	CHECK_EQ(fo__scp_input(sp, "", 1, false, &out, &st), 0);
	CHECK_EQ(fo__scp_input(sp, "", 1, false, &out, &st), 0);
	CHECK_EQ(fo__scp_input(sp, "", 1, false, &out, &st), 0);
	CHECK(out.len == 27 + 14 + 4);
	CHECK(!memcmp(out.p, "T1741079700 0 1741079700 0\nC0644 3 a.txt\nabc", 44));
	CHECK_EQ(fo__scp_input(sp, "", 1, false, &out, &st), 1);
	CHECK_EQ(st, 0);
	fo__scp_free(sp);

	/* junos and nxos: the store under their names, their own digests */
	out.len = 0;
	CHECK_EQ(fo__scp_start(&sp, jn, "scp -t /var/tmp/", &out), 0);
	CHECK_EQ(fo__scp_input(sp, "C0600 3 j.txt\nabc", 17, false, &out, &st), 0);
	CHECK_EQ(fo__scp_input(sp, "", 1, true, &out, &st), 1);
	fo__scp_free(sp);
	CHECK_EQ(exec1(jn, "file checksum sha-256 /var/tmp/j.txt", &out), 0);
	snprintf(want, sizeof(want), "SHA256 (/var/tmp/j.txt) = %s\r\n", abc);
	CHECK_HAS(out.p, want);
	CHECK_EQ(exec1(jn, "file list /var/tmp/", &out), 0);
	CHECK_HAS(out.p, "/var/tmp/:\r\nj.txt\r\n");
	out.len = 0;
	CHECK_EQ(fo__scp_start(&sp, nx, "scp -t bootflash:n.txt", &out), 0);
	CHECK_EQ(fo__scp_input(sp, "C0644 3 n.txt\nabc", 17, false, &out, &st), 0);
	CHECK_EQ(fo__scp_input(sp, "", 1, true, &out, &st), 1);
	fo__scp_free(sp);
	CHECK_EQ(exec1(nx, "show file bootflash:n.txt sha256sum", &out), 0);
	snprintf(want, sizeof(want), "%s\r\n", abc);
	CHECK_STR(out.p, want);

	/* refusals: a full flash, a folder the device has not, -r, a missing file */
	out.len = 0;
	CHECK_EQ(fo__scp_start(&sp, full, "scp -t flash:b.bin", &out), 0);
	CHECK_EQ(fo__scp_input(sp, "C0644 1 b.bin\n", 14, false, &out, &st), 1);
	CHECK_EQ(st, 1);
	fo_sbuf_add(&out, "", 1);
	CHECK_STR(out.p + 1, "\1%Error writing flash:b.bin (No space left on device)\n");
	fo__scp_free(sp);
	out.len = 0;
	CHECK_EQ(fo__scp_start(&sp, jn, "scp -t /etc/passwd", &out), 0);
	CHECK_EQ(fo__scp_input(sp, "C0644 1 passwd\n", 15, false, &out, &st), 1);
	fo_sbuf_add(&out, "", 1);
	CHECK_STR(out.p + 1, "\1scp: /etc/passwd: No such file or directory\n");
	fo__scp_free(sp);
	out.len = 0;
	CHECK_EQ(fo__scp_start(&sp, ios, "scp -r -t flash:", &out), 0);
	CHECK_EQ(fo__scp_input(sp, NULL, 0, false, &out, &st), 1);
	CHECK_EQ(st, 1);
	fo__scp_free(sp);
	out.len = 0;
	CHECK_EQ(fo__scp_start(&sp, ios, "scp -f flash:nope", &out), 0);
	CHECK_EQ(fo__scp_input(sp, "", 1, false, &out, &st), 1);
	fo_sbuf_add(&out, "", 1);
	CHECK_STR(out.p, "\1%Error opening flash:nope (No such file or directory)\n");
	fo__scp_free(sp);
	CHECK_EQ(fo__scp_start(&sp, ios, "show version", &out), 1);
	CHECK(sp == NULL);

	free(out.p);
	fo_dev_free(ios);
	fo_dev_free(jn);
	fo_dev_free(nx);
	fo_dev_free(full);
}
