/*
 * What `fanout run --parse` adds to the 28,000-device job: the outputs of
 * N simulated devices (the simulator's own generators, src/devices/out_*.c,
 * the fleet bench's platform mix) × 15 show commands each, each parsed as
 * a run's worker parses it (src/run/parse.c: the template the index picks
 * for the platform's textfsm-platform and the command, records to JSON),
 * with the test suite's templates (tests/fixtures/textfsm/devices/, 24 of
 * them: a third of the outputs have one). Prints the CPU of the parses per
 * host, to set beside the run's own client CPU per host.
 *   bench/run/parse.sh [DEVICES]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "devices/outputs.h"
#include "run/parse.h"

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static const enum fo_dev_platform mix[20] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 3, 4 };
	static const char *const tplat[FO_DEV_NPLATFORMS] = { "cisco_ios", "cisco_nxos", "arista_eos", "juniper_junos",
							      "cisco_xr" };
	/* stand-ins for the platforms: parse.c keys its picks by the pointer */
	static const char plat_id[FO_DEV_NPLATFORMS] = { 0 };
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 28000, i, bytes = 0, parsed = 0, outs = 0;
	struct fo_parse_plan pp;
	struct fo_sbuf b = { 0 };
	char err[1024];
	double t = 0, t0;

	if (fo__parse_plan_init(&pp, "tests/fixtures/textfsm/devices", err, sizeof(err)) < 0) {
		fprintf(stderr, "parse: %s\n", err);
		return 1;
	}
	pp.json_flags = 1; /* FO_TEXTFSM_JSON_LOWER, as fanout run */
	for (int p = 0; p < FO_DEV_NPLATFORMS; p++) {
		const struct fo__show *s = fo__show_table((enum fo_dev_platform)p);

		for (int k = 0; s[k].words && k < 15; k++)
			if (fo__parse_plan_add(&pp, (const struct fo_platform *)&plat_id[p], tplat[p], s[k].words, err,
					       sizeof(err)) < 0) {
				fprintf(stderr, "parse: %s\n", err);
				return 1;
			}
	}
	for (i = 0; i < n; i++) {
		struct fo__devid d;
		const struct fo__show *s;
		int k = 0;

		fo__devid_init(&d, 0x7f010001u + (uint32_t)i, mix[i % 20], NULL);
		for (s = fo__show_table(d.platform); s->words && k < 15; s++, k++) {
			const struct fo_parse_pick *pick =
				fo__parse_pick(&pp, (const struct fo_platform *)&plat_id[d.platform], s->words);
			char *json, *why;

			fo_sbuf_reset(&b);
			fo__gen_run(s->gen, &d, 0, &b);
			bytes += b.len;
			outs++;
			t0 = cpu_s();
			if (fo__parse_output(&pp, pick, b.p, b.len, &json, &why) < 0) {
				fprintf(stderr, "parse: out of memory\n");
				return 1;
			}
			t += cpu_s() - t0;
			parsed += json != NULL;
			free(json);
			free(why);
		}
	}
	printf("devices %zu outputs %zu (%.1f MB) parsed %zu\n", n, outs, bytes / 1048576.0, parsed);
	printf("cpu_parse_s %.3f per_host_ms %.3f\n", t, 1000 * t / (double)n);
	fo__parse_plan_release(&pp);
	free(b.p);
	return 0;
}
