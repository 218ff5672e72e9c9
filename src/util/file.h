/*
 * Whole files for the tools' parsers (nornir YAML, known_hosts, the links
 * cache): read into memory at once, since each is parsed in one pass.
 */
#ifndef FO_UTIL_FILE_H
#define FO_UTIL_FILE_H

#include <stddef.h>

/* The whole file at path, malloc'd and NUL-terminated (the caller frees
 * *out), its length in *len: 0, or -errno (-EIO for a read error). */
int fo__slurp(const char *path, char **out, size_t *len);

#endif
