/*
 * Time and error text: the monotonic clock every deadline is measured on,
 * parsing and printing of durations ("50ms", "1s") for flags, and
 * fo_strerror().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fanout/runtime.h"

int64_t fo_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * FO_SEC + ts.tv_nsec;
}

static const struct {
	const char *suffix;
	int64_t mult;
} units[] = {
	{ "ns", FO_NSEC }, { "us", FO_USEC }, { "ms", FO_MSEC },
	{ "s", FO_SEC },   { "m", 60 * FO_SEC }, { "h", 3600 * FO_SEC },
};

int fo_duration_parse(const char *s, int64_t *ns)
{
	const char *p = s;
	int64_t whole = 0, frac = 0, fracdiv = 1;
	int64_t mult = FO_MSEC;
	size_t i;

	if (!s || !*s)
		return -EINVAL;
	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (whole > (INT64_MAX - 9) / 10)
			return -EINVAL;
		whole = whole * 10 + (*p - '0');
	}
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -EINVAL;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (fracdiv < INT64_C(1000000000000)) {
				frac = frac * 10 + (*p - '0');
				fracdiv *= 10;
			}
		}
	}
	if (*p) {
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (!strcmp(p, units[i].suffix))
				break;
		if (i == sizeof(units) / sizeof(units[0]))
			return -EINVAL;
		mult = units[i].mult;
	}
	if (whole > INT64_MAX / mult / 2)
		return -EINVAL;
	*ns = whole * mult + (int64_t)((double)frac * (double)mult / (double)fracdiv);
	return 0;
}

char *fo_duration_format(int64_t ns, char *buf, size_t len)
{
	/* the largest unit that divides it exactly: the text parses back to
	 * the same value */
	if (ns != 0 && ns % FO_SEC == 0)
		snprintf(buf, len, "%llds", (long long)(ns / FO_SEC));
	else if (ns != 0 && ns % FO_MSEC == 0)
		snprintf(buf, len, "%lldms", (long long)(ns / FO_MSEC));
	else if (ns != 0 && ns % FO_USEC == 0)
		snprintf(buf, len, "%lldus", (long long)(ns / FO_USEC));
	else
		snprintf(buf, len, "%lldns", (long long)ns);
	return buf;
}

const char *fo_strerror(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case 0:
		return "success";
	case ETIMEDOUT:
		return "timed out";
	case ECANCELED:
		return "interrupted";
	default:
		return strerror(err);
	}
}

const char *fo_status_name(enum fo_status s)
{
	static const char *const names[] = { "ok", "failed", "timeout", "error", "skipped" };

	return (unsigned)s < FO_STATUS_COUNT ? names[s] : "unknown";
}
