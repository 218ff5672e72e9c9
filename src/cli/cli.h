/*
 * What the tools' command lines share: the one-line usage error
 * ("fanout: bad --flag 'value': expected <forms>", exit code 2).
 */
#ifndef FO_CLI_H
#define FO_CLI_H

#include <stdio.h>

/* Prints the error for a bad flag value; returns the exit code, 2. */
static inline int fo_cli_bad(const char *flag, const char *value, const char *forms)
{
	fprintf(stderr, "fanout: bad %s '%s': expected %s\n", flag, value, forms);
	return 2;
}

#endif
