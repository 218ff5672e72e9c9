/*
 * `fanout bench`'s outputs and flags, hardened: text reaches a gnuplot
 * script only through fo__gp_quote (unit-tested here, as bench.c calls
 * it), no file name ever goes into the script (a fake gnuplot on PATH
 * keeps the script it was given), --csv and --plot are written whole or
 * not at all, and numbers are parsed strictly.
 */
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../src/bench/gnuplot.h"
#include "test.h"

static char *quoted(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK(f != NULL);
	fo__gp_quote(f, s);
	CHECK(fclose(f) == 0);
	return buf;
}

TEST(bench_gp_quote)
{
	static const char *const cases[][2] = {
		{ "coro:1", "'coro:1'" },
		{ "", "''" },
		{ "it's", "'it''s'" },
		{ "''", "''''''" },
		/* a newline would end the command and start the data's own */
		{ "x.svg\n!touch /tmp/pwned", "'x.svg !touch /tmp/pwned'" },
		{ "a\r\nb\tc\x01" "d\x7f", "'a  b c d '" },
		/* nothing is substituted inside single quotes: kept as they are */
		{ "`touch /tmp/pwned`", "'`touch /tmp/pwned`'" },
		{ "@macro \\n \"dq\"", "'@macro \\n \"dq\"'" },
		{ "system(\"touch /tmp/x\")", "'system(\"touch /tmp/x\")'" },
		{ "x'\nplot '", "'x'' plot '''" },
		{ "caf\xc3\xa9", "'caf\xc3\xa9'" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *q = quoted(cases[i][0]);

		CHECK_STR(q, cases[i][1]);
		CHECK(!strchr(q, '\n') && !strchr(q, '\r'));
		free(q);
	}
}


static void write_text(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	CHECK(fputs(text, f) >= 0);
	CHECK(fclose(f) == 0);
	CHECK(chmod(path, mode) == 0);
}

/* How many entries dir holds (but . and ..). */
static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	CHECK(d != NULL);
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n;
}

/*
 * A directory with a fake gnuplot that keeps its script in DIR/script and
 * prints svg_out (as gnuplot prints an SVG with no `set output`), exiting
 * with status; PATH gets it first. Returns the directory (static).
 */
static const char *fake_gnuplot(const char *svg_out, int status)
{
	static char dir[64], path[4096];
	char gp[128], script[512];
	const char *old = getenv("PATH");

	snprintf(dir, sizeof(dir), "/tmp/fanout-fakegp-XXXXXX");
	CHECK(mkdtemp(dir) != NULL);
	snprintf(gp, sizeof(gp), "%s/gnuplot", dir);
	snprintf(script, sizeof(script), "#!/bin/sh\ncat > '%s/script'\nprintf '%%s' '%s'\nexit %d\n", dir, svg_out,
		 status);
	write_text(gp, script, 0755);
	snprintf(path, sizeof(path), "%s:%s", dir, old ? old : "/usr/bin:/bin");
	CHECK(setenv("PATH", path, 1) == 0);
	return dir;
}

static void rm_dir(const char *dir)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
}

/*
 * --plot names that would be gnuplot commands if they reached the script,
 * in dir, and dir/pwned, which such a command would make. The test moves
 * into dir (so the command needs no slash) with FANOUT_BIN made absolute.
 */
static void hostile_names(const char *dir, char names[3][256], char pwned[128])
{
	const char *bin = getenv("FANOUT_BIN");
	char abs_bin[4096];

	CHECK(realpath(bin && *bin ? bin : "build/fanout", abs_bin) != NULL);
	CHECK(setenv("FANOUT_BIN", abs_bin, 1) == 0);
	CHECK(chdir(dir) == 0);
	snprintf(pwned, 128, "%s/pwned", dir);
	snprintf(names[0], 256, "%s/x.svg\n!touch pwned\n#", dir);
	snprintf(names[1], 256, "%s/x.svg' . system(\"touch pwned\") . '.svg", dir);
	snprintf(names[2], 256, "%s/it's `touch pwned` @x.svg", dir);
}

/* A sweep small enough to take well under a second: two rows of 10 hosts. */
#define SWEEP "bench", "rtt", "--hosts", "10", "--rtt", "1ms", "--model", "coro:1,threads:2"

/*
 * --plot names that would be gnuplot commands if they went into the
 * script: none does (the SVG comes back on gnuplot's stdout), nothing is
 * run, and the SVG lands under the very name asked for.
 */
TEST_T(bench_plot_name_not_in_script, 60)
{
	const char *dir = fake_gnuplot("<svg>fake</svg>\n", 0);
	char names[3][256], script[128], pwned[128], *out = NULL, *err = NULL, *text;
	int i, rc;

	hostile_names(dir, names, pwned);
	snprintf(script, sizeof(script), "%s/script", dir);
	for (i = 0; i < 3; i++) {
		rc = fo_test_cli(&out, &err, SWEEP, "--plot", names[i], NULL);
		if (rc != 0)
			fprintf(stderr, "--plot [%s]: exit %d\n%s\n%s\n", names[i], rc, out, err);
		CHECK_EQ(rc, 0);
		text = fo_test_read(script);
		CHECK(text != NULL);
		CHECK_LACKS(text, dir);            /* no file name in the script */
		CHECK_LACKS(text, "set output");
		CHECK_HAS(text, "title 'coro, rtt 1ms'");
		CHECK_HAS(text, "noenhanced");
		free(text);
		text = fo_test_read(names[i]);
		CHECK(text != NULL);
		CHECK_STR(text, "<svg>fake</svg>\n");
		free(text);
		CHECK(access(pwned, F_OK) != 0);
		free(out);
		free(err);
	}
	CHECK_EQ(entries(dir), 5); /* gnuplot, script and the three SVGs: no temporary file left */
	/* a device is written in place, not replaced */
	CHECK_EQ(fo_test_cli(&out, &err, SWEEP, "--plot", "/dev/null", NULL), 0);
	free(out);
	free(err);
	CHECK(chdir("/") == 0);
	rm_dir(dir);
}

/* Is there an executable gnuplot on PATH? */
static bool have_gnuplot(void)
{
	const char *path = getenv("PATH");
	char *dup, *d, *save = NULL, file[4096];
	bool found = false;

	if (!path || !(dup = strdup(path)))
		return false;
	for (d = strtok_r(dup, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		snprintf(file, sizeof(file), "%s/gnuplot", d);
		found = access(file, X_OK) == 0;
	}
	free(dup);
	return found;
}

/* The same names with the real gnuplot: real SVGs under those names, nothing run. */
TEST_T(bench_plot_real_gnuplot, 60)
{
	char dir[64], names[3][256], pwned[128], *out = NULL, *err = NULL, *text;
	int i, rc;

	if (!have_gnuplot())
		fo_test_skip("gnuplot is not installed");
	snprintf(dir, sizeof(dir), "/tmp/fanout-realgp-XXXXXX");
	CHECK(mkdtemp(dir) != NULL);
	hostile_names(dir, names, pwned);
	for (i = 0; i < 3; i++) {
		rc = fo_test_cli(&out, &err, SWEEP, "--plot", names[i], NULL);
		if (rc != 0)
			fprintf(stderr, "--plot [%s]: exit %d\n%s\n%s\n", names[i], rc, out, err);
		CHECK_EQ(rc, 0);
		text = fo_test_read(names[i]);
		CHECK(text != NULL);
		CHECK_HAS(text, "<svg");
		CHECK_HAS(text, "</svg>");
		CHECK_HAS(text, "coro, rtt 1ms");
		free(text);
		CHECK(access(pwned, F_OK) != 0);
		free(out);
		free(err);
	}
	CHECK_EQ(entries(dir), 3);
	CHECK(chdir("/") == 0);
	rm_dir(dir);
}

/*
 * A plot gnuplot fails to draw, or draws cut short (a full disk), does
 * not replace the one there: exit 1, one line, the old file as it was.
 */
TEST_T(bench_plot_failed_keeps_old, 60)
{
	static const struct {
		const char *svg;
		int status;
		const char *needle;
	} cases[] = {
		{ "<svg>half", 0, "cut short" },
		{ "<svg></svg>\n", 1, "gnuplot failed" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *dir = fake_gnuplot(cases[i].svg, cases[i].status);
		char svg[128], *out = NULL, *err = NULL, *text;
		int rc;

		snprintf(svg, sizeof(svg), "%s/plot.svg", dir);
		write_text(svg, "the old plot\n", 0644);
		rc = fo_test_cli(&out, &err, SWEEP, "--plot", svg, NULL);
		if (rc != 1 || !fo_test_has(err, cases[i].needle))
			fprintf(stderr, "exit %d\n%s\n%s\n", rc, out, err);
		CHECK_EQ(rc, 1);
		CHECK_HAS(err, cases[i].needle);
		CHECK_HAS(err, svg);
		text = fo_test_read(svg);
		CHECK_STR(text, "the old plot\n");
		free(text);
		CHECK_EQ(entries(dir), 3); /* gnuplot, script, the old plot */
		free(out);
		free(err);
		rm_dir(dir);
	}
}

/* --csv: empty is bad usage; a directory that is not there is found before any row runs. */
TEST_T(bench_csv_errors, 60)
{
	char *out = NULL, *err = NULL;

	CHECK_EQ(fo_test_cli(&out, &err, SWEEP, "--csv", "", NULL), 2);
	CHECK_HAS(err, "--csv ''");
	CHECK_STR(out, "");
	free(out);
	free(err);
	CHECK_EQ(fo_test_cli(&out, &err, SWEEP, "--plot", "", NULL), 2);
	CHECK_HAS(err, "--plot ''");
	free(out);
	free(err);
	CHECK_EQ(fo_test_cli(&out, &err, SWEEP, "--csv", "/nonexistent-dir/rows.csv", NULL), 2);
	CHECK_HAS(err, "cannot write --csv '/nonexistent-dir/rows.csv'");
	CHECK(strchr(err, '\n') == err + strlen(err) - 1);
	CHECK_LACKS(out, "coro:1"); /* no row ran */
	free(out);
	free(err);
	/* a write error reaches the exit code */
	CHECK_EQ(fo_test_cli(&out, &err, SWEEP, "--csv", "/dev/full", NULL), 1);
	CHECK_HAS(err, "cannot write --csv '/dev/full'");
	free(out);
	free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "bench", "serve", "--csv", "", NULL), 2);
	CHECK_HAS(err, "--csv ''");
	free(out);
	free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "bench", "serve", "--plot", "", NULL), 2);
	CHECK_HAS(err, "--plot ''");
	free(out);
	free(err);
}

/* A full disk: exit 1, and the CSV that was there is still there, whole. */
TEST_T(bench_csv_full_disk, 60)
{
	const char *fs = fo_test_small_fs(64 << 10);
	char csv[128], fill[128], *out = NULL, *err = NULL, *text;
	FILE *f;
	int rc;

	snprintf(csv, sizeof(csv), "%s/rows.csv", fs);
	snprintf(fill, sizeof(fill), "%s/fill", fs);
	write_text(csv, "the old rows\n", 0644);
	f = fopen(fill, "w");
	CHECK(f != NULL);
	while (fputc('x', f) != EOF && !ferror(f))
		;
	fclose(f);
	rc = fo_test_cli(&out, &err, SWEEP, "--csv", csv, NULL);
	if (rc != 1)
		fprintf(stderr, "exit %d\n%s\n%s\n", rc, out, err);
	CHECK_EQ(rc, 1);
	CHECK_HAS(err, "cannot write --csv");
	text = fo_test_read(csv);
	CHECK_STR(text, "the old rows\n");
	free(text);
	CHECK_EQ(entries(fs), 2);
	free(out);
	free(err);
}

/* The CSV of a good run: every row, renamed into place. */
TEST_T(bench_csv_written, 60)
{
	char dir[64], csv[128], *out = NULL, *err = NULL, *text;

	snprintf(dir, sizeof(dir), "/tmp/fanout-benchcsv-XXXXXX");
	CHECK(mkdtemp(dir) != NULL);
	snprintf(csv, sizeof(csv), "%s/rows.csv", dir);
	CHECK_EQ(fo_test_cli(&out, &err, SWEEP, "--csv", csv, NULL), 0);
	text = fo_test_read(csv);
	CHECK(text != NULL);
	CHECK(!strncmp(text, "model,workers,", 14));
	CHECK_HAS(text, "\ncoro:1,");
	CHECK_HAS(text, "\nthreads:2,");
	CHECK_EQ(entries(dir), 1);
	free(text);
	free(out);
	free(err);
	rm_dir(dir);
}

/* Numbers as strtol took them: leading spaces, signs, hex. */
TEST(bench_strict_numbers)
{
	static const char *const cases[][3] = {
		{ "rtt", "--hosts", " 10" },   { "rtt", "--hosts", "+10" },  { "rtt", "--hosts", "10, 20" },
		{ "rtt", "--hosts", "0x10" },  { "rtt", "--runs", " 3" },    { "rtt", "--workers", "+5" },
		{ "rtt", "--workers", "1e3" }, { "serve", "--clients", " 4" }, { "serve", "--clients", "1,+4" },
		{ "serve", "--clients", "0x4" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = NULL, *err = NULL;
		int rc = fo_test_cli(&out, &err, "bench", cases[i][0], cases[i][1], cases[i][2], "--csv", "",
				     NULL);

		if (rc != 2 || !fo_test_has(err, cases[i][1]))
			fprintf(stderr, "bench %s %s '%s': exit %d\n%s\n%s\n", cases[i][0], cases[i][1], cases[i][2],
				rc, out, err);
		CHECK_EQ(rc, 2);
		CHECK_HAS(err, cases[i][1]);
		CHECK(strchr(err, '\n') == err + strlen(err) - 1);
		free(out);
		free(err);
	}
}
