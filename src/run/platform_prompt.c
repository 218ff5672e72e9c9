/*
 * `fanout run --prompt REGEX` as a platform: one level, the prompt a last
 * line in which the pattern matches (as the shell mode read --prompt
 * before platforms: an unanchored match in the last line).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"

struct fo_platform *fo_platform_from_prompt(const char *pattern, char *err, size_t errlen)
{
	static const char head[] = "platform-type: 'prompt'\n"
				   "default:\n"
				   "  driver-type: 'network'\n"
				   "  privilege-levels:\n"
				   "    prompt:\n"
				   "      name: 'prompt'\n"
				   "      pattern: '(?m)^[^\\n]*(?:";
	static const char tail[] = ")[^\\n]*$'\n"
				   "  default-desired-privilege-level: 'prompt'\n";
	size_t n = strlen(pattern), i, o = 0, at;
	struct fo_platform *p;
	char *y;
	pcre2_code *re;
	int e;

	/* the pattern alone first: its complaint with an offset in it */
	re = pcre2_compile((PCRE2_SPTR)pattern, n, PCRE2_UTF, &e, &at, NULL);
	if (!re) {
		PCRE2_UCHAR msg[160];

		pcre2_get_error_message(e, msg, sizeof(msg));
		snprintf(err, errlen, "%s at offset %zu", (const char *)msg, at);
		return NULL;
	}
	pcre2_code_free(re);
	y = malloc(sizeof(head) + 2 * n + sizeof(tail));

	if (strpbrk(pattern, "\r\n")) {
		snprintf(err, errlen, "one line, without line breaks");
		free(y);
		return NULL;
	}
	if (!y) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	memcpy(y, head, sizeof(head) - 1);
	o = sizeof(head) - 1;
	for (i = 0; i < n; i++) { /* YAML single quotes: ' is written '' */
		if (pattern[i] == '\'')
			y[o++] = '\'';
		y[o++] = pattern[i];
	}
	memcpy(y + o, tail, sizeof(tail));
	o += sizeof(tail) - 1;
	p = fo_platform_parse(y, o, "--prompt", NULL, NULL, err, errlen);
	free(y);
	if (!p && errlen) {
		/* "--prompt:LINE: pattern: why": the why alone */
		char *why = strstr(err, "pattern: ");

		if (why)
			memmove(err, why + 9, strlen(why + 9) + 1);
	}
	return p;
}
