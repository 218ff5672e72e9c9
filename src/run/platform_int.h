/*
 * What platform.c (reading) and platform_match.c (matching) share: a
 * loaded platform, its compiled patterns, and the arena its strings live in.
 */
#ifndef FO_RUN_PLATFORM_INT_H
#define FO_RUN_PLATFORM_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8

#include <pcre2.h>
#include <stddef.h>

#include "platform.h"

struct chunk {
	struct chunk *next;
	size_t used, cap;
	max_align_t data[];
};

struct arena {
	struct chunk *head;
};

struct pat {
	pcre2_code *code; /* end-anchored; NULL: none */
	bool jit;         /* JIT-compiled: matched through pcre2_jit_match */
};

struct fo_platform {
	struct fo_plat_info info;
	struct arena a;      /* every string and array of info */
	struct pat *re;      /* per level: its pattern */
	struct pat *auth_re; /* per level: its escalate-prompt */
};

#endif
