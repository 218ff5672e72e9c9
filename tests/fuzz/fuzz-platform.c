/*
 * libFuzzer target: scrapligo platform files (src/run/platform.c over
 * libyaml and PCRE2). The input is the file. A parse must either fail with
 * one line "t.yaml:..." and no platform, or give a platform whose indexes
 * are all in range; that platform then matches prompts against fixed
 * texts and against the input itself (its patterns are the input's: PCRE2's
 * match limit must keep each match bounded), walks every privilege path,
 * and looks for failures and pagers in the input.
 *   scripts/fuzz.sh [seconds]
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/run/platform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const texts[] = {
	"r1>",
	"r1#",
	"r1(config)#",
	"r1(config-if)#",
	"RP/0/RP0/CPU0:r1#",
	"user@r1> ",
	"[edit]\nuser@r1# ",
	"x\r\n[edit]\r\nuser@r1# ",
	"$ ",
	"Password: ",
	"--More--",
	"",
	"\xff\xfe#",
};

static void check(const struct fo_platform *p, const char *s, size_t size)
{
	const struct fo_plat_info *in = fo_platform_info(p);
	int n = (int)in->nlevels, i, j, steps[FO_PLAT_MAX_LEVELS], k;
	size_t t, start, len;

	if (!in->type || !in->driver_type || n < 1 || n > FO_PLAT_MAX_LEVELS || in->default_level < 0 ||
	    in->default_level >= n || in->config_level < -1 || in->config_level >= n)
		abort();
	for (i = 0; i < n; i++)
		if (!in->levels[i].name || !in->levels[i].pattern || in->levels[i].previous < -1 ||
		    in->levels[i].previous >= n || fo_platform_level_index(p, in->levels[i].name) > i)
			abort();
	for (t = 0; t < sizeof(texts) / sizeof(texts[0]) + 1; t++) {
		const char *x = t < sizeof(texts) / sizeof(texts[0]) ? texts[t] : s;

		len = t < sizeof(texts) / sizeof(texts[0]) ? strlen(x) : size;
		start = len + 1;
		i = fo_platform_match_prompt(p, x, len, &start);
		if (i < -1 || i >= n || (i >= 0 && start >= len) || fo_platform_at_prompt(p, x, len) != (i >= 0))
			abort();
		for (j = 0; j < n; j++)
			(void)fo_platform_match_auth_prompt(p, j, x, len);
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			k = fo_platform_path(p, i, j, steps, FO_PLAT_MAX_LEVELS);
			if (k > 0 && (k >= n || steps[k - 1] != j))
				abort();
			if ((i == j) != (k == 0))
				abort();
		}
	(void)fo_platform_failed(p, s, size);
	if (fo_platform_pager_at_end(p, s, size) > (long)size)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fo_platform *p;
	char err[512];

	err[0] = 0;
	p = fo_platform_parse((const char *)data, size, "t.yaml", NULL, NULL, err, sizeof(err));
	if (!p) {
		if (strncmp(err, "t.yaml", 6) || strchr(err, '\n'))
			abort();
		return 0;
	}
	check(p, (const char *)data, size);
	fo_platform_free(p);
	return 0;
}
