/* known_hosts as OpenSSH reads it (src/run/knownhosts.c). */
#include "../src/run/knownhosts.h"
#include "test.h"

#define K1 "AAAAC3NzaC1lZDI1NTE5AAAAIBmWEnyEyAu8XoRkzj2pXqUzWxXuOBPbbBS3uqfU3u2N"
#define K2 "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GhJl"
#define ED "ssh-ed25519"

static struct fo_kh *parse(const char *text)
{
	struct fo_kh *kh = fo_kh_new();

	CHECK(kh != NULL);
	CHECK_EQ(fo_kh_parse(kh, text, strlen(text)), 0);
	return kh;
}

TEST(knownhosts_literal_names_ports_and_case)
{
	struct fo_kh *kh = parse("# a comment\n\n"
				 "core-sw1,10.0.0.1 " ED " " K1 " a comment\n"
				 "[edge-r1]:2222 " ED " " K2 "\n"
				 "Core-SW2\t" ED "\t" K2 "\r\n");
	char name[64];

	CHECK_EQ(fo_kh_check(kh, "core-sw1", ED, K1), FO_KH_OK);
	CHECK_EQ(fo_kh_check(kh, "10.0.0.1", ED, K1), FO_KH_OK);
	CHECK_EQ(fo_kh_check(kh, "CORE-SW1", ED, K1), FO_KH_OK); /* names ignore case */
	CHECK_EQ(fo_kh_check(kh, "core-sw2", ED, K2), FO_KH_OK);
	CHECK_EQ(fo_kh_check(kh, "core-sw1", ED, K2), FO_KH_CHANGED);
	CHECK_EQ(fo_kh_check(kh, "core-sw3", ED, K1), FO_KH_UNKNOWN);
	/* another type on record is not a change: OpenSSH asks as for a new host */
	CHECK_EQ(fo_kh_check(kh, "core-sw1", "ssh-rsa", K2), FO_KH_UNKNOWN);
	/* a port other than 22 is a name of its own */
	fo_kh_name(name, sizeof(name), "edge-r1", 2222);
	CHECK_STR(name, "[edge-r1]:2222");
	CHECK_EQ(fo_kh_check(kh, name, ED, K2), FO_KH_OK);
	CHECK_EQ(fo_kh_check(kh, "edge-r1", ED, K2), FO_KH_UNKNOWN);
	fo_kh_name(name, sizeof(name), "core-sw1", 22);
	CHECK_STR(name, "core-sw1");
	CHECK_EQ(fo_kh_skipped(kh), 0);
	fo_kh_free(kh);
}

TEST(knownhosts_patterns_and_negation)
{
	struct fo_kh *kh = parse("[127.*]:2222 " ED " " K1 "\n"
				 "rtr-??.dc1,*.lab,!bad.lab " ED " " K2 "\n");

	CHECK_EQ(fo_kh_check(kh, "[127.1.0.1]:2222", ED, K1), FO_KH_OK);
	CHECK_EQ(fo_kh_check(kh, "[127.1.0.1]:2223", ED, K1), FO_KH_UNKNOWN);
	CHECK_EQ(fo_kh_check(kh, "[10.1.0.1]:2222", ED, K1), FO_KH_UNKNOWN);
	CHECK_EQ(fo_kh_check(kh, "rtr-01.dc1", ED, K2), FO_KH_OK);
	CHECK_EQ(fo_kh_check(kh, "rtr-001.dc1", ED, K2), FO_KH_UNKNOWN); /* ? is one character */
	CHECK_EQ(fo_kh_check(kh, "a.b.lab", ED, K2), FO_KH_OK);
	CHECK_EQ(fo_kh_check(kh, "A.LAB", ED, K1), FO_KH_CHANGED);
	CHECK_EQ(fo_kh_check(kh, "bad.lab", ED, K2), FO_KH_UNKNOWN); /* negated: the line is not for it */
	fo_kh_free(kh);
}

TEST(knownhosts_hashed_names_from_ssh_keygen)
{
	/* written by OpenSSH's `ssh-keygen -H` from "[router1.example.net]:2222 ... K1"
	 * and "core-sw1 ... K2" */
	struct fo_kh *kh = parse("|1|Ve8/re6Q4q2hFTPgf9AUIVWQ380=|+RkwwdHg/7m+MXkejM4zhp9PMus= " ED " " K1 "\n"
				 "|1|LQvxx6tmWUVtGOKix6cYVW+YVmE=|L3AL6wSeET4BWBR5AvyAN1+d3rc= " ED " " K2 "\n");

	CHECK_EQ(fo_kh_check(kh, "[router1.example.net]:2222", ED, K1), FO_KH_OK);
	CHECK_EQ(fo_kh_check(kh, "[Router1.Example.net]:2222", ED, K1), FO_KH_OK);
	CHECK_EQ(fo_kh_check(kh, "router1.example.net", ED, K1), FO_KH_UNKNOWN);
	CHECK_EQ(fo_kh_check(kh, "core-sw1", ED, K2), FO_KH_OK);
	CHECK_EQ(fo_kh_check(kh, "core-sw1", ED, K1), FO_KH_CHANGED);
	CHECK_EQ(fo_kh_skipped(kh), 0);
	fo_kh_free(kh);
}

TEST(knownhosts_markers_and_malformed_lines)
{
	struct fo_kh *kh = parse("@cert-authority *.lab " ED " " K1 "\n"
				 "@revoked * " ED " " K2 "\n"
				 "a.lab " ED " " K2 "\n"
				 "@bogus a.lab " ED " " K1 "\n"
				 "justaname\n"
				 "b.lab " ED "\n"
				 "|1|notbase64!|x= " ED " " K1 "\n"
				 "|1|YWJj|YWJj " ED " " K1 "\n");

	/* a CA key is not a host key */
	CHECK_EQ(fo_kh_check(kh, "x.lab", ED, K1), FO_KH_UNKNOWN);
	/* revoked wins over a line that has it */
	CHECK_EQ(fo_kh_check(kh, "a.lab", ED, K2), FO_KH_REVOKED);
	CHECK_EQ(fo_kh_check(kh, "b.lab", ED, K2), FO_KH_REVOKED);
	CHECK_EQ(fo_kh_skipped(kh), 5);
	fo_kh_free(kh);
}

TEST(knownhosts_add_and_many_names)
{
	struct fo_kh *kh = fo_kh_new();
	char name[64];
	int i;

	CHECK(kh != NULL);
	for (i = 0; i < 20000; i++) {
		snprintf(name, sizeof(name), "[10.%d.%d.1]:22", i / 256, i % 256);
		CHECK_EQ(fo_kh_add(kh, name, ED, i % 2 ? K1 : K2), 0);
	}
	for (i = 0; i < 20000; i += 997) {
		snprintf(name, sizeof(name), "[10.%d.%d.1]:22", i / 256, i % 256);
		CHECK_EQ(fo_kh_check(kh, name, ED, i % 2 ? K1 : K2), FO_KH_OK);
		CHECK_EQ(fo_kh_check(kh, name, ED, i % 2 ? K2 : K1), FO_KH_CHANGED);
	}
	CHECK_EQ(fo_kh_load(kh, "/nonexistent/known_hosts"), -ENOENT);
	fo_kh_free(kh);
}
