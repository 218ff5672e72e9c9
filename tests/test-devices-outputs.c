/*
 * The show outputs the device engine shares with the SSH fixture's devsim
 * (src/devices/out_*.c): devsim's bytes are kept exactly, checked against
 * checksums of devsim's outputs recorded before the generators moved out
 * of tests/fixtures/ssh/devsim.c (build/devsim --addr A -c CMD, \r\n as
 * \n, every show command but show clock, which prints the time).
 */
#include <stdint.h>

#include "../src/devices/outputs.h"
#include "test.h"

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint32_t addr_of(const char *s)
{
	unsigned o[4];

	CHECK_EQ(sscanf(s, "%u.%u.%u.%u", &o[0], &o[1], &o[2], &o[3]), 4);
	return o[0] << 24 | o[1] << 16 | o[2] << 8 | o[3];
}

/* devsim before the move: total bytes and FNV-1a of every output, each
 * followed by a NUL, in the order of its command table */
static const struct {
	const char *addr;
	enum fo_dev_platform p;
	size_t bytes;
	uint64_t hash;
} recorded[] = {
	{ "127.1.0.1", FO_DEV_IOS, 135646, 0x6d6d306449f0309cULL },
	{ "127.1.0.1", FO_DEV_JUNOS, 75363, 0xf941aaa7a43f0da5ULL },
	{ "127.1.0.5", FO_DEV_IOS, 134717, 0x6f3de4525f093ee3ULL },
	{ "127.1.0.5", FO_DEV_JUNOS, 75925, 0xb57df84186470908ULL },
	{ "127.1.3.77", FO_DEV_IOS, 204211, 0xd62673f4439afd7bULL },
	{ "127.1.3.77", FO_DEV_JUNOS, 99550, 0x195770406bd1a8d5ULL },
	{ "127.1.200.250", FO_DEV_IOS, 202563, 0x4a6a9e691158cdf1ULL },
	{ "127.1.200.250", FO_DEV_JUNOS, 105235, 0x0976a34a7f6616a3ULL },
	{ "10.20.30.40", FO_DEV_IOS, 203128, 0xfcd83b8e2b5ba111ULL },
	{ "10.20.30.40", FO_DEV_JUNOS, 106720, 0x32a20e89ee545ed7ULL },
	{ "127.2.0.1", FO_DEV_IOS, 203418, 0xc72ad1fb1f12d927ULL },
	{ "127.2.0.1", FO_DEV_JUNOS, 99071, 0x7fa42b86429b1354ULL },
	{ "127.2.0.9", FO_DEV_IOS, 136024, 0x74868ee4d31902c1ULL },
	{ "127.2.0.9", FO_DEV_JUNOS, 75100, 0x0cb1db88878047c3ULL },
};

TEST(devices_outputs_as_devsim_printed)
{
	for (size_t i = 0; i < sizeof(recorded) / sizeof(recorded[0]); i++) {
		const struct fo__show *t = recorded[i].p == FO_DEV_JUNOS ? fo__show_junos : fo__show_ios;
		struct fo__devid d;
		uint64_t h = 0xcbf29ce484222325ULL;
		size_t total = 0;

		fo__devid_init(&d, addr_of(recorded[i].addr), recorded[i].p, "netops");
		for (; t->words; t++) {
			struct fo_sbuf b = { 0 };

			if (!strcmp(t->words, "show clock"))
				continue;
			fo__gen_run(t->gen, &d, 0, &b);
			CHECK(!b.oom && b.len > 0);
			h = fnv(fnv(h, b.p, b.len), "", 1);
			total += b.len;
			free(b.p);
		}
		if (total != recorded[i].bytes || h != recorded[i].hash)
			fprintf(stderr, "%s %s: %zu bytes, %016llx\n", recorded[i].addr,
				recorded[i].p == FO_DEV_JUNOS ? "junos" : "ios", total, (unsigned long long)h);
		CHECK_EQ(total, recorded[i].bytes);
		CHECK(h == recorded[i].hash);
	}
}

/* show clock: the time given, or a fixed one (the engine has no clock) */
TEST(devices_outputs_clock)
{
	const struct fo__show *t = fo__show_ios;
	struct fo__devid d;
	struct fo_sbuf b = { 0 };

	fo__devid_init(&d, addr_of("127.1.0.5"), FO_DEV_IOS, NULL);
	CHECK_STR(d.name, "dev-1-0-5");
	CHECK_STR(d.user, "admin");
	while (strcmp(t->words, "show clock"))
		t++;
	fo__gen_run(t->gen, &d, 0, &b);
	CHECK_STR(b.p, "*09:15:00.000 UTC Tue Mar 04 2025\n");
	b.len = 0;
	fo__gen_run(t->gen, &d, 86400, &b);
	CHECK_STR(b.p, "*00:00:00.000 UTC Fri Jan 02 1970\n");
	free(b.p);
}

/* the filters devsim applies after a '|' */
TEST(devices_outputs_filters)
{
	static const struct {
		const char *filter, *want;
		int ret;
	} cases[] = {
		{ " include an", "banana\nmango\n", 0 },
		{ " inc an", "banana\nmango\n", 0 },
		{ " exclude an", "apple\ncherry\n", 0 },
		{ " begin ch", "cherry\nmango\n", 0 },
		{ " count an", "Count: 2 lines\n", 0 },
		{ " match app", "apple\n", 0 },
		{ " except a", "cherry\n", 0 },
		{ " no-more", "apple\nbanana\ncherry\nmango\n", -1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fo_sbuf b = { 0 };

		fo__adds(&b, "apple\nbanana\ncherry\nmango\n");
		CHECK_EQ(fo__out_filter(&b, cases[i].filter), cases[i].ret);
		CHECK_STR(b.p, cases[i].want);
		free(b.p);
	}
}
