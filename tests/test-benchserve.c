/* `fanout bench serve` end to end: servers and load generators it starts
 * itself on loopback, rows per model and client count, --plot, and
 * --timeline. */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"

/* Is there an executable gnuplot on PATH (where fanout looks for it)? */
static bool have_gnuplot(void)
{
	const char *path = getenv("PATH");
	char *dup, *dir, *save = NULL, file[4096];
	bool found = false;

	if (!path)
		return false;
	dup = strdup(path);
	CHECK(dup != NULL);
	for (dir = strtok_r(dup, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		snprintf(file, sizeof(file), "%s/gnuplot", dir);
		found = access(file, X_OK) == 0;
	}
	free(dup);
	return found;
}


/* A fresh directory of our own under /tmp, for the files a run writes. */
static void tmp_dir(char *buf, size_t len)
{
	snprintf(buf, len, "/tmp/fanout-benchserve-XXXXXX");
	CHECK(mkdtemp(buf) != NULL);
}

TEST_T(bench_serve_rows, 120)
{
	char *out = NULL, *err = NULL;
	int rc = fo_test_cli(&out, &err, "bench", "serve", "--model", "coro:1,threads:2", "--clients", "1,4", "-d",
			     "300ms", NULL);

	if (rc != 0)
		fprintf(stderr, "rc %d\nstdout:\n%s\nstderr:\n%s\n", rc, out, err);
	CHECK_EQ(rc, 0);
	CHECK(strstr(out, "req/s") && strstr(out, "served"));
	/* every connection served by coroutines; a pool of 2 serves 2 of 4 */
	CHECK(strstr(out, "1/1"));
	CHECK(strstr(out, "4/4"));
	CHECK(strstr(out, "2/4"));
	free(out);
	free(err);
}

/* Reads fd into got (cap bytes, NUL-terminated) until it holds want, or
 * for 60 s at most; CHECKs that it came. */
static void read_until(int fd, char *got, size_t cap, const char *want)
{
	long long until = fo_test_now_ms() + 60000;
	size_t have = strlen(got);

	while (!strstr(got, want) && fo_test_now_ms() < until && have + 1 < cap) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		ssize_t r;

		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		r = read(fd, got + have, cap - 1 - have);
		if (r <= 0)
			break;
		have += (size_t)r;
		got[have] = 0;
	}
	CHECK_HAS(got, want);
}

/*
 * Runs `fanout args`, and once its first "coro:1" row is out sends SIGINT
 * to it alone (as kill(1) does); checks exit 130 and returns its stdout.
 */
static char *interrupt_after_first_row(const char *const *args)
{
	char got[4096] = "", *out = NULL;
	int fd, rc;
	pid_t pid = fo_test_cli_start(args, &fd);

	CHECK(pid > 0);
	read_until(fd, got, sizeof(got), "\ncoro:1 ");
	rc = fo_test_cli_end(pid, fd, SIGINT, &out);
	if (rc != 130)
		fprintf(stderr, "exit %d\n%s%s\n", rc, got, out);
	CHECK_EQ(rc, 130);
	return out;
}

/* Ctrl-C (to this process only, as kill(1) sends it) ends the row in
 * flight, marked (interrupted) and in no file; the rows before it are in
 * the CSV, renamed into place, and the exit is 130. */
TEST_T(bench_serve_rows_interrupted, 120)
{
	char dir[64], csv[128], *out, *text, *p;
	const char *args[] = { "bench", "serve", "--model", "coro:1", "--clients", "1,2,4,8,16,32", "-d", "3s", "--csv",
			       csv, NULL };
	int lines = 0;

	tmp_dir(dir, sizeof(dir));
	snprintf(csv, sizeof(csv), "%s/rows.csv", dir);
	out = interrupt_after_first_row(args);
	/* the row in flight says (interrupted), unless Ctrl-C fell between two rows */
	CHECK_HAS(out, "# interrupted: the rows up to then are above");
	text = fo_test_read(csv);
	CHECK(text != NULL);
	CHECK(!strncmp(text, "model,proto,clients,", 20));
	for (p = text; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	CHECK(lines >= 2 && lines <= 6); /* the header, the first row, not all six */
	CHECK_HAS(text, "\ncoro:1,line,1,");
	CHECK_LACKS(text, "\ncoro:1,line,32,");
	CHECK_LACKS(text, "interrupted");
	free(text);
	CHECK_EQ(unlink(csv), 0);
	CHECK_EQ(rmdir(dir), 0); /* no temporary file beside it */
	free(out);
}

/* Whether a child of pid has word among its command line's words. */
static bool has_child_with(pid_t pid, const char *word)
{
	char path[64], cmd[512];
	bool found = false;
	FILE *f;
	int k;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	if (!(f = fopen(path, "r")))
		return false;
	while (!found && fscanf(f, "%d", &k) == 1) {
		FILE *c;
		size_t n, i, at = 0;

		snprintf(path, sizeof(path), "/proc/%d/cmdline", k);
		if (!(c = fopen(path, "r")))
			continue;
		n = fread(cmd, 1, sizeof(cmd) - 1, c);
		fclose(c);
		cmd[n] = 0;
		for (i = 0; i <= n && !found; i++)
			if (i == n || cmd[i] == 0) {
				found = !strcmp(cmd + at, word);
				at = i + 1;
			}
	}
	fclose(f);
	return found;
}

/*
 * Ctrl-C during the first row, to this process only: the load in flight is
 * told too (with -d 300s, a load left running would outlast the test's
 * limit), and with no row done the --csv of an earlier run stays as it was.
 */
TEST_T(bench_serve_rows_interrupted_first, 120)
{
	char dir[64], csv[128], got[4096] = "", *out = NULL, *text;
	const char *args[] = { "bench", "serve", "--model", "coro:1", "--clients", "1,2", "-d", "300s", "--csv", csv,
			       NULL };
	long long until = fo_test_now_ms() + 60000;
	int fd, rc;
	pid_t pid;
	FILE *f;

	tmp_dir(dir, sizeof(dir));
	snprintf(csv, sizeof(csv), "%s/earlier.csv", dir);
	CHECK((f = fopen(csv, "w")) != NULL);
	CHECK(fputs("an earlier run's rows\n", f) >= 0);
	CHECK_EQ(fclose(f), 0);
	pid = fo_test_cli_start(args, &fd);
	CHECK(pid > 0);
	/* the table's header is out: the handler is in, the first row under way */
	read_until(fd, got, sizeof(got), "served\n");
	/* and the load is running: a child of it whose words include "load" */
	while (!has_child_with(pid, "load") && fo_test_now_ms() < until)
		usleep(20000);
	CHECK(has_child_with(pid, "load"));
	rc = fo_test_cli_end(pid, fd, SIGINT, &out);
	if (rc != 130)
		fprintf(stderr, "exit %d\n%s%s\n", rc, got, out);
	CHECK_EQ(rc, 130);
	CHECK_HAS(out, "(interrupted)");
	CHECK_HAS(out, "# interrupted before any row: --csv '");
	text = fo_test_read(csv);
	CHECK(text != NULL);
	CHECK_STR(text, "an earlier run's rows\n");
	free(text);
	CHECK_EQ(unlink(csv), 0);
	CHECK_EQ(rmdir(dir), 0); /* no temporary file beside it */
	free(out);
}

TEST(bench_serve_bad_input)
{
	char *out = NULL, *err = NULL;

	CHECK_EQ(fo_test_cli(&out, &err, "bench", "serve", "--clients", "0", NULL), 2);
	CHECK(strstr(err, "--clients") && strchr(err, '\n') == strrchr(err, '\n'));
	free(out);
	free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "bench", "serve", "--model", "bogus", NULL), 2);
	CHECK(strstr(err, "--model"));
	free(out);
	free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "bench", "serve", "--proto", "ftp", NULL), 2);
	CHECK(strstr(err, "--proto"));
	free(out);
	free(err);
}

/* --plot: an SVG with a line per model, and the table as without it. */
TEST_T(bench_serve_plot, 120)
{
	char *out = NULL, *err = NULL, *svg_text, dir[64], svg[128], said[160];
	struct stat sb;
	int rc;

	if (!have_gnuplot())
		fo_test_skip("gnuplot is not installed");
	tmp_dir(dir, sizeof(dir));
	snprintf(svg, sizeof(svg), "%s/serve.svg", dir);
	rc = fo_test_cli(&out, &err, "bench", "serve", "--model", "coro:1,threads", "--clients", "1,4", "-d", "200ms",
			 "--plot", svg, NULL);
	if (rc != 0)
		fprintf(stderr, "rc %d\nstdout:\n%s\nstderr:\n%s\n", rc, out, err);
	CHECK_EQ(rc, 0);
	CHECK_HAS(out, "4/4");
	snprintf(said, sizeof(said), "# plot: %s\n", svg);
	CHECK_HAS(out, said);
	CHECK(stat(svg, &sb) == 0 && sb.st_size > 0);
	svg_text = fo_test_read(svg);
	CHECK(svg_text != NULL);
	CHECK_HAS(svg_text, "<svg");
	CHECK_HAS(svg_text, "</svg>");
	CHECK_HAS(svg_text, "coro:1");  /* the key names each model */
	CHECK_HAS(svg_text, "threads");
	CHECK_HAS(svg_text, "requests per second");
	free(svg_text);
	unlink(svg);
	rmdir(dir);
	free(out);
	free(err);
}

/*
 * --plot that cannot be drawn is found before anything runs: one line on
 * stderr, exit 2, no table, no file. Without gnuplot (PATH without it, in
 * this test's own process) and with a directory that does not exist.
 */
TEST_T(bench_serve_plot_errors, 60)
{
	char *out = NULL, *err = NULL, *path = getenv("PATH"), dir[64], svg[160];

	path = path ? strdup(path) : NULL;
	tmp_dir(dir, sizeof(dir));
	snprintf(svg, sizeof(svg), "%s/serve.svg", dir);
	CHECK(setenv("PATH", dir, 1) == 0); /* an empty directory: no gnuplot */
	CHECK_EQ(fo_test_cli(&out, &err, "bench", "serve", "--clients", "1", "-d", "100ms", "--plot", svg, NULL), 2);
	CHECK_STR(out, "");
	CHECK_HAS(err, "gnuplot");
	CHECK_HAS(err, svg);
	CHECK(strchr(err, '\n') == err + strlen(err) - 1);
	CHECK(access(svg, F_OK) != 0);
	free(out);
	free(err);

	/* gnuplot or not, a directory that is not there is an error */
	if (path)
		CHECK(setenv("PATH", path, 1) == 0);
	else
		CHECK(unsetenv("PATH") == 0);
	snprintf(svg, sizeof(svg), "%s/no/such/dir/serve.svg", dir);
	CHECK_EQ(fo_test_cli(&out, &err, "bench", "serve", "--clients", "1", "-d", "100ms", "--plot", svg, NULL), 2);
	CHECK_STR(out, "");
	CHECK_HAS(err, "--plot");
	CHECK_HAS(err, svg);
	CHECK(strchr(err, '\n') == err + strlen(err) - 1);
	free(out);
	free(err);
	free(path);
	rmdir(dir);
}

/* ---- --timeline ------------------------------------------------------------ */

/* A row of the timeline's CSV. */
struct tl_row {
	char model[48], proto[16];
	int second, clients, threads, procs;
	double t, rps, cpu;
	long long requests, served;
	long rss_kb;
};

#define TL_HEADER                                                                                           \
	"model,proto,second,t_s,clients,served,requests,rps,server_rss_kb,server_cpu_pct,server_threads,"   \
	"server_procs\n"

/* The CSV at path into rows (at most cap): how many; CHECKs its header and every row's form. */
static int tl_rows(const char *path, struct tl_row *rows, int cap)
{
	char *text = fo_test_read(path), *line, *save = NULL;
	int n = 0;

	CHECK(text != NULL);
	CHECK(!strncmp(text, TL_HEADER, strlen(TL_HEADER)));
	CHECK(text[strlen(text) - 1] == '\n');
	for (line = strtok_r(text + strlen(TL_HEADER), "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct tl_row *r = &rows[n];
		int used = 0;

		CHECK(n < cap);
		if (sscanf(line, "%47[^,],%15[^,],%d,%lf,%d,%lld,%lld,%lf,%ld,%lf,%d,%d%n", r->model, r->proto,
			   &r->second, &r->t, &r->clients, &r->served, &r->requests, &r->rps, &r->rss_kb, &r->cpu,
			   &r->threads, &r->procs, &used) != 12 ||
		    line[used]) {
			fprintf(stderr, "a bad row: [%s]\n", line);
			CHECK(0);
		}
		n++;
	}
	free(text);
	return n;
}

/* Row r is model's second sec with clients, and plausible: requests done,
 * memory and processes seen, no negative CPU. */
static void tl_check_row(const struct tl_row *r, const char *model, int sec, int clients)
{
	if (strcmp(r->model, model) || r->second != sec || r->clients != clients || r->requests <= 0 ||
	    r->rps <= 0 || r->rss_kb <= 0 || r->cpu < 0 || r->threads < 1 || r->procs < 1 || r->t <= 0)
		fprintf(stderr, "want %s second %d with %d clients, got %s %d %d: requests %lld rps %.1f rss %ld "
				"cpu %.1f threads %d procs %d t %.3f\n",
			model, sec, clients, r->model, r->second, r->clients, r->requests, r->rps, r->rss_kb, r->cpu,
			r->threads, r->procs, r->t);
	CHECK_STR(r->model, model);
	CHECK_STR(r->proto, "line");
	CHECK_EQ(r->second, sec);
	CHECK_EQ(r->clients, clients);
	CHECK(r->requests > 0 && r->rps > 0);
	CHECK(r->served >= 1 && r->served <= clients); /* requests came back on one at least */
	CHECK(r->rss_kb > 0);
	CHECK(r->cpu >= 0);
	CHECK(r->threads >= 1 && r->procs >= 1);
}

/* Every piece of text in the SVG, which must parse as XML (libxml2). */
static char *svg_text(const char *path)
{
	xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xmlNodePtr root;
	xmlChar *all;
	char *out;

	if (!doc)
		fprintf(stderr, "%s does not parse as XML\n", path);
	CHECK(doc != NULL);
	root = xmlDocGetRootElement(doc);
	CHECK(root != NULL && !strcmp((const char *)root->name, "svg"));
	all = xmlNodeGetContent(root);
	CHECK(all != NULL);
	out = strdup((const char *)all);
	xmlFree(all);
	xmlFreeDoc(doc);
	return out;
}

/*
 * The three models in one command, two steps of a second each: the SVG
 * (well-formed, its three panels and a line per model, the clients on the
 * right), the CSV beside it (a row per second per model, plausible), and
 * a table per model on stdout. No figure is compared with another.
 */
TEST_T(bench_serve_timeline, 180)
{
	static const char *const models[] = { "threads", "processes:2", "coro:1" };
	char *out = NULL, *err = NULL, *text, dir[64], svg[128], csv[128], said[192];
	struct tl_row rows[32];
	int rc, n, m;

	if (!have_gnuplot())
		fo_test_skip("gnuplot is not installed");
	tmp_dir(dir, sizeof(dir));
	snprintf(svg, sizeof(svg), "%s/tl.svg", dir);
	snprintf(csv, sizeof(csv), "%s/tl.csv", dir);
	rc = fo_test_cli(&out, &err, "bench", "serve", "--timeline", svg, "--ramp", "1,2", "--ramp-every=1s", NULL);
	if (rc != 0)
		fprintf(stderr, "rc %d\nstdout:\n%s\nstderr:\n%s\n", rc, out, err);
	CHECK_EQ(rc, 0);
	/* the default models, a table each, the files said */
	CHECK_HAS(out, "# fanout bench serve --timeline: proto line, clients 1,2, a step every 1s");
	snprintf(said, sizeof(said), "# samples: %s\n", csv);
	CHECK_HAS(out, said);
	snprintf(said, sizeof(said), "# timeline: %s\n", svg);
	CHECK_HAS(out, said);
	for (m = 0; m < 3; m++) {
		char row[64];

		snprintf(row, sizeof(row), "\n%-14s       1 ", models[m]);
		CHECK_HAS(out, row);
		snprintf(row, sizeof(row), "\n%-14s       2 ", models[m]);
		CHECK_HAS(out, row);
	}
	text = strstr(out, "model ");
	for (m = 0; text; m++)
		text = strstr(text + 1, "model ");
	CHECK_EQ(m, 3); /* a header per model */

	/* the CSV: seconds 1 and 2 of each model, with 1 and then 2 clients */
	n = tl_rows(csv, rows, 32);
	CHECK_EQ(n, 6);
	for (m = 0; m < 3; m++) {
		tl_check_row(&rows[2 * m], models[m], 1, 1);
		tl_check_row(&rows[2 * m + 1], models[m], 2, 2);
	}
	/* the worker processes of processes:2 are summed in; coro:1 has none */
	CHECK_EQ(rows[2].procs, 3);
	CHECK_EQ(rows[3].procs, 3);
	CHECK_EQ(rows[4].procs, 1);

	/* the SVG: XML, the three panels, a key entry per model, the clients */
	text = svg_text(svg);
	CHECK_HAS(text, "throughput");
	CHECK_HAS(text, "memory");
	CHECK_HAS(text, "CPU");
	CHECK_HAS(text, "requests per second");
	CHECK_HAS(text, "server RSS");
	CHECK_HAS(text, "server CPU");
	CHECK_HAS(text, "clients");
	CHECK_HAS(text, "seconds since the first client");
	for (m = 0; m < 3; m++)
		CHECK_HAS(text, models[m]);
	free(text);
	CHECK_EQ(unlink(svg), 0);
	CHECK_EQ(unlink(csv), 0);
	CHECK_EQ(rmdir(dir), 0); /* nothing else left behind: no temporary file */
	free(out);
	free(err);
}

/* --timeline-data alone: the samples without gnuplot (PATH without it). */
TEST_T(bench_serve_timeline_data_only, 120)
{
	char *out = NULL, *err = NULL, *path = getenv("PATH"), dir[64], csv[128];
	struct tl_row rows[8];
	int rc;

	path = path ? strdup(path) : NULL;
	tmp_dir(dir, sizeof(dir));
	snprintf(csv, sizeof(csv), "%s/only.csv", dir);
	CHECK(setenv("PATH", dir, 1) == 0);
	rc = fo_test_cli(&out, &err, "bench", "serve", "--timeline-data", csv, "--model", "coro:1", "--ramp", "1,2",
			 "--ramp-every", "500ms", NULL);
	if (path)
		CHECK(setenv("PATH", path, 1) == 0);
	if (rc != 0)
		fprintf(stderr, "rc %d\nstdout:\n%s\nstderr:\n%s\n", rc, out, err);
	CHECK_EQ(rc, 0);
	CHECK_LACKS(out, "# timeline:");
	CHECK_HAS(out, "# samples: ");
	/* one second: its middle is in the first step */
	CHECK_EQ(tl_rows(csv, rows, 8), 1);
	tl_check_row(&rows[0], "coro:1", 1, 1);
	CHECK_EQ(unlink(csv), 0);
	CHECK_EQ(rmdir(dir), 0);
	free(out);
	free(err);
	free(path);
}

/* Bad input: exit 2 and one line naming the input, before anything runs or is written. */
TEST_T(bench_serve_timeline_bad_input, 60)
{
	char dir[64], svg[128], csv[128], nodir[160];
	struct {
		const char *args[12];
		const char *needle;
	} cases[] = {
		{ { "--ramp", "1,2", NULL }, "--ramp is not an option of bench serve without --timeline" },
		{ { "--ramp-every", "1s", NULL }, "--ramp-every is not an option of bench serve without --timeline" },
		{ { "--timeline", svg, "--clients", "4", NULL }, "--clients is not an option of bench serve --timeline" },
		{ { "--timeline", svg, "-d", "1s", NULL }, "--duration is not an option of bench serve --timeline" },
		{ { "--timeline", svg, "--plot", svg, NULL }, "--plot is not an option of bench serve --timeline" },
		{ { "--timeline", svg, "--ramp", "4,2", NULL }, "bad --ramp '4,2': expected counts from 1 to 100000 "
								 "that never fall" },
		{ { "--timeline", svg, "--ramp", "0", NULL }, "bad --ramp '0'" },
		{ { "--timeline", svg, "--ramp", "", NULL }, "bad --ramp ''" },
		{ { "--timeline", svg, "--ramp-every", "10ms", NULL }, "bad --ramp-every '10ms': expected a duration "
								      "from 100ms to 1h" },
		{ { "--timeline", svg, "--ramp", "1", "--ramp-every", "500ms", NULL }, "lasts under 1s" },
		{ { "--timeline", svg, "--timeline-data", svg, NULL }, "--timeline and --timeline-data are both" },
		{ { "--timeline", nodir, NULL }, "--timeline '" }, /* cannot write it, or no gnuplot to draw it */
		{ { "--timeline-data", nodir, NULL }, "cannot write --timeline-data '" },
		{ { "--timeline", svg, "--model", "bogus", NULL }, "bad --model 'bogus'" },
		{ { "--timeline", svg, "--proto", "ftp", NULL }, "bad --proto 'ftp'" },
	};
	size_t i;

	tmp_dir(dir, sizeof(dir));
	snprintf(svg, sizeof(svg), "%s/tl.svg", dir);
	snprintf(csv, sizeof(csv), "%s/tl.csv", dir);
	snprintf(nodir, sizeof(nodir), "%s/no/such/dir/tl.svg", dir);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *args[16] = { "bench", "serve" };
		char *out = NULL, *err = NULL;
		int k, rc;

		for (k = 0; cases[i].args[k]; k++)
			args[2 + k] = cases[i].args[k];
		args[2 + k] = NULL;
		rc = fo_test_cliv(&out, &err, args);
		if (rc != 2 || !fo_test_has(err, cases[i].needle) || strchr(err, '\n') != err + strlen(err) - 1)
			fprintf(stderr, "case %zu: exit %d, stderr [%s], want [%s]\n", i, rc, err, cases[i].needle);
		CHECK_EQ(rc, 2);
		CHECK_HAS(err, cases[i].needle);
		CHECK(strchr(err, '\n') == err + strlen(err) - 1);
		CHECK_STR(out, "");
		free(out);
		free(err);
	}
	CHECK(access(svg, F_OK) != 0 && access(csv, F_OK) != 0);
	CHECK_EQ(rmdir(dir), 0);
}

/*
 * A pool of two threads, four clients: the table and the CSV say how many
 * of them the server has answered at all, never more than its two threads
 * (the other two wait, starved, as in the classic experiment).
 */
TEST_T(bench_serve_timeline_starved, 120)
{
	char *out = NULL, *err = NULL, *text = NULL, dir[64], csv[128], svg[128];
	bool draw = have_gnuplot();
	struct tl_row rows[8];
	int rc;

	tmp_dir(dir, sizeof(dir));
	snprintf(csv, sizeof(csv), "%s/pool.csv", dir);
	snprintf(svg, sizeof(svg), "%s/pool.svg", dir);
	if (draw) /* the CSV beside it */
		rc = fo_test_cli(&out, &err, "bench", "serve", "--timeline", svg, "--model", "threads:2", "--ramp",
				 "1,4", "--ramp-every", "1s", NULL);
	else
		rc = fo_test_cli(&out, &err, "bench", "serve", "--timeline-data", csv, "--model", "threads:2",
				 "--ramp", "1,4", "--ramp-every", "1s", NULL);
	if (rc != 0)
		fprintf(stderr, "rc %d\nstdout:\n%s\nstderr:\n%s\n", rc, out, err);
	CHECK_EQ(rc, 0);
	CHECK_HAS(out, "model          clients  served   seconds");
	CHECK_EQ(tl_rows(csv, rows, 8), 2);
	tl_check_row(&rows[0], "threads:2", 1, 1);
	tl_check_row(&rows[1], "threads:2", 2, 4);
	CHECK(rows[1].served <= 2); /* two threads, one connection each */
	if (draw) {
		/* the pool left clients waiting: its served line, in the key */
		text = svg_text(svg);
		CHECK_HAS(text, "threads:2: clients served");
		free(text);
		CHECK_EQ(unlink(svg), 0);
	}
	CHECK_EQ(unlink(csv), 0);
	CHECK_EQ(rmdir(dir), 0);
	free(out);
	free(err);
}

/*
 * Ctrl-C in the middle: the load is stopped, the samples up to then are
 * written whole (no temporary file left), exit 130.
 */
TEST_T(bench_serve_timeline_interrupted, 120)
{
	char dir[64], csv[128], *out;
	const char *args[] = { "bench", "serve", "--timeline-data", csv, "--model", "coro:1", "--ramp", "1,2,4,8",
			       "--ramp-every", "5s", NULL };
	struct tl_row rows[32];
	int n, i;

	tmp_dir(dir, sizeof(dir));
	snprintf(csv, sizeof(csv), "%s/cut.csv", dir);
	out = interrupt_after_first_row(args);
	CHECK_HAS(out, "# interrupted");
	n = tl_rows(csv, rows, 32);
	CHECK(n >= 1 && n < 20); /* cut before the 20 seconds of the ramp */
	for (i = 0; i < n; i++)
		CHECK_EQ(rows[i].second, i + 1);
	CHECK_EQ(unlink(csv), 0);
	CHECK_EQ(rmdir(dir), 0); /* no temporary file beside it */
	free(out);
}
