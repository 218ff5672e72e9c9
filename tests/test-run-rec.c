/*
 * The record of a host's result (src/run/rec.h): what a task writes the
 * parent reads back the same; a truncated or corrupt record is refused,
 * and the parser never reads outside the bytes it is given (each case is
 * parsed from a heap copy of exactly its length, for ASan).
 */
#include <errno.h>

#include "../src/run/rec.h"
#include "test.h"

static const char out2[] = "line\0with NUL\n\xff";

static struct fo_rec_cmd cmds[] = {
	{ "show version", FO_SSH_OK, NULL, 0, "IOS 15\n", 7, NULL, 12, "[{\"VERSION\":\"15\"}]", NULL,
	  FO_CHANGE_CHANGED, "@@ -1 +1 @@\n-IOS 14\n+IOS 15\n\0x", 30 },
	{ "bad", FO_SSH_TIMEOUT, "command", -1, out2, sizeof(out2) - 1, "timed out", 3000, NULL,
	  "no template", FO_CHANGE_NEW, NULL, 0 },
	{ "", FO_SSH_SKIPPED, NULL, 404, NULL, 0, "", -5, NULL, NULL, FO_CHANGE_NONE, NULL, 0 },
};

static struct fo_rec sample(void)
{
	return (struct fo_rec){ FO_SSH_TIMEOUT, 3012, 3, "10.0.0.1", "cannot write 'x': EIO", cmds, 3 };
}

/* bytes[0..n) parsed from a heap copy of exactly n bytes */
static int parse_copy(const char *bytes, size_t n, struct fo_rec *r)
{
	char *p = malloc(n ? n : 1);
	int e;

	CHECK(p);
	memcpy(p, bytes, n);
	e = fo__rec_parse(p, n, r);
	fo__rec_release(r);
	free(p);
	return e;
}

static struct fo_sbuf written(const struct fo_rec *r)
{
	struct fo_sbuf b = { 0 };

	fo__rec_write(&b, r);
	CHECK(!b.oom && b.p);
	return b;
}

TEST(run_rec_round_trip)
{
	struct fo_rec in = sample(), r;
	struct fo_sbuf b = written(&in);
	size_t i;

	CHECK_EQ(fo__rec_parse(b.p, b.len, &r), 0);
	CHECK_EQ(r.status, FO_SSH_TIMEOUT);
	CHECK_EQ(r.ms, 3012);
	CHECK_EQ(r.attempts, 3);
	CHECK_STR(r.address, "10.0.0.1");
	CHECK_STR(r.out_error, "cannot write 'x': EIO");
	CHECK_EQ(r.ncmds, 3);
	for (i = 0; i < 3; i++) {
		CHECK_STR(r.cmds[i].command, cmds[i].command);
		CHECK_EQ(r.cmds[i].status, cmds[i].status);
		CHECK_EQ(r.cmds[i].exit_code, cmds[i].exit_code);
		CHECK_EQ(r.cmds[i].ms, cmds[i].ms);
		CHECK_EQ(r.cmds[i].out_len, cmds[i].out_len);
		CHECK(r.cmds[i].out && !memcmp(r.cmds[i].out, cmds[i].out ? cmds[i].out : "", cmds[i].out_len));
		CHECK_EQ(!r.cmds[i].error, !cmds[i].error);
	}
	CHECK(!r.cmds[0].phase && !r.cmds[0].error);
	CHECK_STR(r.cmds[1].phase, "command");
	CHECK_STR(r.cmds[1].error, "timed out");
	CHECK_STR(r.cmds[2].error, "");
	CHECK_STR(r.cmds[0].parsed, "[{\"VERSION\":\"15\"}]");
	CHECK(!r.cmds[0].parse_error && !r.cmds[1].parsed && !r.cmds[2].parsed);
	CHECK_STR(r.cmds[1].parse_error, "no template");
	CHECK_EQ(r.cmds[0].change, FO_CHANGE_CHANGED);
	CHECK_EQ(r.cmds[1].change, FO_CHANGE_NEW);
	CHECK_EQ(r.cmds[2].change, FO_CHANGE_NONE);
	CHECK_EQ(r.cmds[0].diff_len, 30); /* a NUL inside is kept */
	CHECK(!memcmp(r.cmds[0].diff, cmds[0].diff, 30));
	CHECK(!r.cmds[1].diff && !r.cmds[2].diff);
	fo__rec_release(&r);
	CHECK(!r.cmds && !r.ncmds);
	free(b.p);
}

TEST(run_rec_empty_and_null)
{
	struct fo_rec in = { FO_SSH_SKIPPED, 0, 0, NULL, NULL, NULL, 0 }, r;
	struct fo_sbuf b = written(&in);

	CHECK_EQ(fo__rec_parse(b.p, b.len, &r), 0);
	CHECK(r.status == FO_SSH_SKIPPED && !r.address && !r.out_error && !r.ncmds && !r.cmds);
	fo__rec_release(&r);
	CHECK_EQ(fo__rec_parse(NULL, 0, &r), -EINVAL);
	CHECK_EQ(fo__rec_parse("", 0, &r), -EINVAL);
	free(b.p);
}

/* Every proper prefix is refused, and so is a byte more. */
TEST(run_rec_truncated)
{
	struct fo_rec in = sample(), r;
	struct fo_sbuf b = written(&in);
	size_t n;

	for (n = 0; n < b.len; n++)
		CHECK_EQ(parse_copy(b.p, n, &r), -EINVAL);
	CHECK_EQ(parse_copy(b.p, b.len, &r), 0);
	fo_sbuf_add(&b, "x", 1);
	CHECK_EQ(parse_copy(b.p, b.len, &r), -EINVAL);
	free(b.p);
}

/* Any one byte changed: refused or parsed, never a read outside; the
 * fields that are checked are refused when corrupt. */
TEST(run_rec_corrupt)
{
	struct fo_rec in = sample(), r;
	struct fo_sbuf b = written(&in);
	size_t i;
	int v;

	for (i = 0; i < b.len; i++) {
		for (v = 0; v < 256; v += 51) {
			char keep = b.p[i];

			b.p[i] = (char)(keep ^ (v ? v : 0x80));
			CHECK(parse_copy(b.p, b.len, &r) <= 0);
			b.p[i] = keep;
		}
	}
	b.p[0] ^= 1; /* magic */
	CHECK_EQ(parse_copy(b.p, b.len, &r), -EINVAL);
	b.p[0] ^= 1;
	b.p[4] = (char)FO_SSH_NSTATUS; /* status out of range */
	CHECK_EQ(parse_copy(b.p, b.len, &r), -EINVAL);
	b.p[4] = (char)FO_SSH_TIMEOUT;
	memset(b.p + 17, 0x7f, 4); /* address length far past the end */
	CHECK_EQ(parse_copy(b.p, b.len, &r), -EINVAL);
	free(b.p);
}

/* A string's NUL missing or one inside, a huge command count. */
TEST(run_rec_bad_strings)
{
	struct fo_rec in = { FO_SSH_OK, 1, 1, "abc", NULL, NULL, 0 }, r;
	struct fo_sbuf b = written(&in);

	CHECK_EQ(parse_copy(b.p, b.len, &r), 0);
	b.p[21 + 3] = 'x'; /* the NUL after "abc" */
	CHECK_EQ(parse_copy(b.p, b.len, &r), -EINVAL);
	b.p[21 + 3] = 0;
	b.p[21 + 1] = 0; /* a NUL inside the text */
	CHECK_EQ(parse_copy(b.p, b.len, &r), -EINVAL);
	b.p[21 + 1] = 'b';
	memset(b.p + b.len - 4, 0xff, 4); /* ncmds */
	CHECK_EQ(parse_copy(b.p, b.len, &r), -EINVAL);
	free(b.p);
}
