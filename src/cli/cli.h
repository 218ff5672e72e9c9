/*
 * What the tools' command lines share: the one-line usage error
 * ("fanout: bad --flag 'value': expected <forms>", exit code 2) and strict
 * parsers of numbers. Strict means: the whole string, decimal digits only
 * (no sign, no leading space, no 0x, no exponent, no inf or nan), no
 * overflow, within the bounds the caller gives. strtol and strtod accept
 * all of those quietly, which is how `--rate inf` and `--retry ''` got in.
 */
#ifndef FO_CLI_H
#define FO_CLI_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>

/* Prints the error for a bad flag value; returns the exit code, 2. */
static inline int fo_cli_bad(const char *flag, const char *value, const char *forms)
{
	fprintf(stderr, "fanout: bad %s '%s': expected %s\n", flag, value, forms);
	return 2;
}

/* A whole decimal number in [min, max]: 0, or -EINVAL (not a number) or
 * -ERANGE (out of bounds). */
static inline int fo_cli_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		unsigned d = (unsigned)(*s - '0');

		if (v > UINT64_MAX / 10 || (v == UINT64_MAX / 10 && d > UINT64_MAX % 10))
			return -ERANGE;
		v = v * 10 + d;
	}
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

/* A size: a whole number with an optional K, M or G (powers of 1024), in
 * [min, max] bytes. */
static inline int fo_cli_size(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char buf[32];
	size_t n = 0;
	unsigned shift = 0;
	uint64_t v;
	int r;

	if (!s)
		return -EINVAL;
	while (s[n] && n < sizeof(buf) - 1)
		n++;
	if (s[n] || n == 0)
		return -EINVAL;
	__builtin_memcpy(buf, s, n + 1);
	switch (buf[n - 1]) {
	case 'K': case 'k': shift = 10; break;
	case 'M': case 'm': shift = 20; break;
	case 'G': case 'g': shift = 30; break;
	}
	if (shift)
		buf[--n] = 0;
	if ((r = fo_cli_uint(buf, 0, UINT64_MAX >> shift, &v)) < 0)
		return r;
	v <<= shift;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

/* A decimal fraction "D[.D]" in [min, max]. */
static inline int fo_cli_real(const char *s, double min, double max, double *out)
{
	double v = 0, scale = 1;
	int digits = 0;

	if (!s)
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++, digits++)
		v = v * 10 + (*s - '0');
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return -EINVAL;
		for (; *s >= '0' && *s <= '9'; s++, digits++)
			v += (*s - '0') * (scale /= 10);
	}
	if (*s || !digits)
		return -EINVAL;
	if (!(v >= min && v <= max))
		return -ERANGE;
	*out = v;
	return 0;
}

#endif
