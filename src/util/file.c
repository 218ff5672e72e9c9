/*
 * Files for the tools: see file.h. (The reader began as nornir.c's reader
 * of YAML files; the writer as the links cache's temporary-and-rename.)
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"

int fo__slurp_max(const char *path, size_t max, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	size_t cap = 65536, n = 0;
	char *b = NULL, *nb;
	struct stat st;
	int e = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		e = -errno;
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		e = -EISDIR;
		goto out;
	}
	if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > max) {
		e = -EFBIG;
		goto out;
	}
	for (;;) {
		ssize_t r;

		if (!b || cap - n < 2) {
			if (b && cap > max + 1) { /* a device or a growing file past the bound */
				e = -EFBIG;
				break;
			}
			cap = b ? cap * 2 : cap;
			nb = realloc(b, cap);
			if (!nb) {
				e = -ENOMEM;
				break;
			}
			b = nb;
		}
		r = read(fd, b + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			e = errno == EISDIR ? -EISDIR : -EIO;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			e = -EFBIG;
			break;
		}
	}
out:
	close(fd);
	if (e) {
		free(b);
		return e;
	}
	if (!b && !(b = malloc(1)))
		return -ENOMEM;
	b[n] = 0;
	*out = b;
	*len = n;
	return 0;
}

int fo__slurp(const char *path, char **out, size_t *len)
{
	return fo__slurp_max(path, FO_SLURP_MAX, out, len);
}

/* The stream's writes: all of it to the fd, the first error kept. On an
 * error it returns 0, never -1: fopencookie(3) says the function must not
 * return a negative value, and glibc's fwrite then copies with a negative
 * length (a crash in memmove, seen under ASan on a full disk). */
static ssize_t wfile_write(void *cookie, const char *p, size_t n)
{
	struct fo_wfile *w = cookie;
	int e = fo__write_all(w->fd, p, n);

	if (e) {
		if (!w->err)
			w->err = e;
		errno = -e;
		return 0;
	}
	return (ssize_t)n;
}

static int wfile_close(void *cookie)
{
	struct fo_wfile *w = cookie;
	int r = close(w->fd);

	if (r < 0 && !w->err)
		w->err = -errno;
	w->fd = -1;
	return r;
}

/* Where fo__wfile_open writes: path itself (in place) for a device or a
 * FIFO, else a temporary file beside path, or beside the file a symbolic
 * link at path points to (the link stays). 0 or -errno. */
static int wfile_where(struct fo_wfile *w, const char *path)
{
	static atomic_uint seq;
	struct stat st, lst;
	bool there = stat(path, &st) == 0, in_place = there && !S_ISREG(st.st_mode);
	size_t tl;

	if (there && S_ISDIR(st.st_mode))
		return -EISDIR;
	if (there && !in_place && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode))
		w->path = realpath(path, NULL);
	else
		w->path = strdup(path);
	if (!w->path)
		return -errno;
	if (in_place)
		return 0;
	tl = strlen(w->path) + 40;
	if (!(w->tmp = malloc(tl)))
		return -ENOMEM;
	snprintf(w->tmp, tl, "%s.tmp-%ld-%u", w->path, (long)getpid(), atomic_fetch_add(&seq, 1));
	return 0;
}

int fo__wfile_open(struct fo_wfile *w, const char *path, int mode)
{
	static const cookie_io_functions_t io = { .write = wfile_write, .close = wfile_close };
	int e;

	w->f = NULL;
	w->fd = -1;
	w->err = 0;
	w->path = w->tmp = NULL;
	if ((e = wfile_where(w, path)) < 0)
		goto fail;
	if (w->tmp)
		w->fd = open(w->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, mode);
	else /* a device, a FIFO, /dev/stdout: written in place, never replaced */
		w->fd = open(w->path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (w->fd < 0) {
		e = -errno;
		goto fail;
	}
	w->f = fopencookie(w, "w", io);
	if (!w->f) {
		e = -errno;
		close(w->fd);
		if (w->tmp)
			unlink(w->tmp);
		goto fail;
	}
	return 0;
fail:
	free(w->path);
	free(w->tmp);
	w->path = w->tmp = NULL;
	return e;
}

int fo__wfile_commit(struct fo_wfile *w, bool sync)
{
	int e = 0;

	if (fflush(w->f) != 0 || ferror(w->f))
		e = w->err ? w->err : -EIO;
	if (!e && sync && w->tmp && fsync(w->fd) < 0)
		e = -errno;
	fclose(w->f); /* closes fd by wfile_close, which keeps its error */
	if (!e && w->err)
		e = w->err;
	w->f = NULL;
	if (!e && w->tmp && rename(w->tmp, w->path) < 0)
		e = -errno;
	if (e && w->tmp)
		unlink(w->tmp);
	free(w->path);
	free(w->tmp);
	w->path = w->tmp = NULL;
	return e;
}

void fo__wfile_abort(struct fo_wfile *w)
{
	if (w->f)
		fclose(w->f);
	if (w->tmp)
		unlink(w->tmp);
	free(w->path);
	free(w->tmp);
	w->f = NULL;
	w->path = w->tmp = NULL;
}

int fo__write_file(const char *path, const void *p, size_t n, int mode, bool sync)
{
	struct fo_wfile w;
	int e = fo__wfile_open(&w, path, mode);

	if (e)
		return e;
	if (n)
		fwrite(p, 1, n, w.f);
	return fo__wfile_commit(&w, sync);
}

int fo__write_all(int fd, const void *p, size_t n)
{
	const char *s = p;

	while (n) {
		ssize_t r = write(fd, s, n);

		if (r < 0) {
			struct pollfd pfd = { fd, POLLOUT, 0 };

			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				return -errno;
			poll(&pfd, 1, 1000);
			continue;
		}
		s += r;
		n -= (size_t)r;
	}
	return 0;
}
