/*
 * Files for the tools: whole files read into memory at once for the
 * parsers (nornir YAML, known_hosts, the links cache, secrets), with a
 * bound on what is read; and output files written whole or not at all
 * (STYLE 19): under a temporary name beside the target, renamed over it
 * only when every write, the flush and the close succeeded.
 */
#ifndef FO_UTIL_FILE_H
#define FO_UTIL_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The default bound of fo__slurp: a parser's input over this is refused. */
#define FO_SLURP_MAX ((size_t)256 << 20)

/* The whole file at path, malloc'd and NUL-terminated (the caller frees
 * *out), its length in *len: 0, or -errno: -EISDIR for a directory,
 * -EFBIG for a file of more than FO_SLURP_MAX bytes (a device such as
 * /dev/zero included: the read stops there), -EIO for a read error. */
int fo__slurp(const char *path, char **out, size_t *len);
/* The same with a bound of max bytes. */
int fo__slurp_max(const char *path, size_t max, char **out, size_t *len);

/* An output file being written: f is an ordinary stdio stream on a
 * temporary file "PATH.tmp-PID-N" in the same directory (so that the
 * rename is atomic), whose writes keep the first error's errno (stdio
 * keeps only a flag). The caller writes to f as it likes, then ends with
 * exactly one of fo__wfile_commit and fo__wfile_abort, which free
 * everything. */
struct fo_wfile {
	FILE *f;
	char *path, *tmp;
	int fd, err;  /* the temporary file; the first write's -errno */
};

/* Creates the temporary file with the given mode (0644 for outputs, 0600
 * for anything that may hold a secret): 0 or -errno (-EISDIR for a
 * directory). A path that is there and is not a regular file (/dev/stdout,
 * a FIFO, a device) is written in place, never renamed over; a symbolic
 * link is followed (its target replaced, the link kept). */
int fo__wfile_open(struct fo_wfile *w, const char *path, int mode);
/* Flushes, fsyncs when sync, closes and renames over path: 0, or the
 * first -errno that any of it (or any earlier write to f) met, in which
 * case the temporary file is removed and path is left as it was. */
int fo__wfile_commit(struct fo_wfile *w, bool sync);
/* Closes and removes the temporary file; path is left as it was. */
void fo__wfile_abort(struct fo_wfile *w);
/* The whole of one buffer as the file at path, by the three above. */
int fo__write_file(const char *path, const void *p, size_t n, int mode, bool sync);

/* Writes all n bytes to fd, again after EINTR and short writes (waiting
 * with poll on EAGAIN): 0 or -errno. For stdout, where a full disk or a
 * closed pipe must reach the exit code. */
int fo__write_all(int fd, const void *p, size_t n);

#endif
