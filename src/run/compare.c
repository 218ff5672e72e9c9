/*
 * A previous --out tree, read back for `fanout run --compare` (compare.h):
 * its listing (for the gone outputs), one output compared with this run's
 * (for unchanged, changed and new, with the diff from udiff.c), and the
 * marker that makes a folder a tree.
 *
 * Everything is opened relative to the tree's descriptor, one escaped
 * name at a time (no '/', no leading '.'), with O_NOFOLLOW, and read only
 * when fstat says it is a regular file of at most the bound: a tree that
 * someone else can write into cannot point us elsewhere, and a FIFO or a
 * huge file cannot stall or exhaust us.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/file.h"
#include "../util/sbuf.h"
#include "compare.h"

const char *fo_cmp_state_name(enum fo_cmp_state s)
{
	switch (s) {
	case FO_CMP_UNCHANGED:
		return "unchanged";
	case FO_CMP_CHANGED:
		return "changed";
	case FO_CMP_NEW:
		return "new";
	case FO_CMP_GONE:
		return "gone";
	}
	return "?";
}

/* ---- names --------------------------------------------------------------------------- */

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/*
 * The raw name whose file name is f (urllib.parse.unquote_plus), heap, or
 * NULL when fo__run_file_name cannot have made f: the decoded name must
 * encode back to f exactly. *exact is false for a shortened name, which
 * is returned as it is.
 */
static char *unname(const char *f, bool *exact)
{
	size_t n = strlen(f), i, o = 0;
	char *raw = malloc(n + 1), back[FO_RUN_NAME_MAX + 1];
	int h, l;

	*exact = true;
	if (!raw || !n)
		goto bad;
	if (strchr(f, '~')) {
		/* a shortened name: at most 160 encoded bytes, '~' and 16 hex digits */
		*exact = false;
		if (n < 17 || strchr(f, '~') != f + n - 17 || strspn(f + n - 16, "0123456789abcdef") != 16 ||
		    f[0] == '.' || strchr(f, '/'))
			goto bad;
		memcpy(raw, f, n + 1);
		return raw;
	}
	for (i = 0; i < n; i++) {
		if (f[i] == '+') {
			raw[o++] = ' ';
		} else if (f[i] == '%' && i + 2 < n && (h = hexval(f[i + 1])) >= 0 &&
			   (l = hexval(f[i + 2])) >= 0) {
			raw[o++] = (char)(h << 4 | l);
			i += 2;
		} else {
			raw[o++] = f[i];
		}
	}
	raw[o] = 0;
	if (memchr(raw, 0, o))
		goto bad;
	fo__run_file_name(raw, back);
	if (strcmp(back, f))
		goto bad;
	return raw;
bad:
	free(raw);
	return NULL;
}

/* ---- the listing --------------------------------------------------------------------- */

static int entry_cmp(const void *x, const void *y)
{
	const struct fo_cmp_entry *a = x, *b = y;
	int r = strcmp(a->hfile, b->hfile);

	return r ? r : strcmp(a->cfile, b->cfile);
}

static bool ends_with(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);

	return n >= k && !memcmp(s + n - k, suf, k);
}

/* The outputs of one host folder (named hname) into t. */
static int list_host(struct fo_cmp_tree *t, const char *hname, size_t *cap, char *err, size_t errlen)
{
	size_t hlen = strlen(hname);
	int fd, rc = 0;
	char *host = NULL;
	struct dirent *de;
	bool hexact;
	DIR *d;

	if (hlen > FO_RUN_NAME_MAX) /* not a name fo__run_file_name makes */
		return 0;
	fd = openat(t->fd, hname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0; /* not a folder, or a link to one: not ours */
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	host = unname(hname, &hexact);
	if (!host)
		goto out;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		struct fo_cmp_entry *e;
		struct stat st;

		if (de->d_name[0] == '.' || !ends_with(de->d_name, n, ".txt") ||
		    ends_with(de->d_name, n, ".partial.txt") || n - 4 > FO_RUN_NAME_MAX)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (t->n == FO_CMP_ENTRIES_MAX) {
			snprintf(err, errlen, "'%s' has more than %zu outputs", t->dir, FO_CMP_ENTRIES_MAX);
			rc = -E2BIG;
			goto out;
		}
		if (t->n == *cap) {
			size_t nc = *cap ? *cap * 2 : 64;
			struct fo_cmp_entry *ne = realloc(t->e, nc * sizeof(*ne));

			if (!ne) {
				rc = -ENOMEM;
				goto out;
			}
			t->e = ne;
			*cap = nc;
		}
		e = &t->e[t->n];
		memset(e, 0, sizeof(*e));
		memcpy(e->cfile, de->d_name, n - 4);
		e->command = unname(e->cfile, &e->exact);
		if (!e->command)
			continue;
		memcpy(e->hfile, hname, hlen + 1);
		e->host = strdup(host);
		if (!e->host) {
			free(e->command);
			rc = -ENOMEM;
			goto out;
		}
		e->exact = e->exact && hexact;
		t->n++;
	}
out:
	free(host);
	closedir(d);
	return rc;
}

int fo_cmp_tree_open(struct fo_cmp_tree *t, const char *dir, size_t max, char *err, size_t errlen)
{
	struct stat st;
	struct dirent *de;
	size_t cap = 0;
	DIR *d = NULL;
	int fd, rc;

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	t->max = max ? max : FO_CMP_READ_MAX;
	/* the folder given may be a symbolic link: the user named it */
	t->fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (t->fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot open '%s': %s", dir, strerror(errno));
		goto fail;
	}
	t->dir = strdup(dir);
	if (!t->dir) {
		rc = -ENOMEM;
		goto fail;
	}
	if (fstatat(t->fd, FO_CMP_MARKER, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "'%s' is not a fanout --out tree (it has no " FO_CMP_MARKER ")", dir);
		rc = -EINVAL;
		goto fail;
	}
	fd = dup(t->fd);
	d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		rc = -errno;
		if (fd >= 0)
			close(fd);
		snprintf(err, errlen, "cannot read '%s': %s", dir, strerror(-rc));
		goto fail;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || strlen(de->d_name) > FO_RUN_NAME_MAX)
			continue;
		rc = list_host(t, de->d_name, &cap, err, errlen);
		if (rc < 0) {
			if (rc != -E2BIG)
				snprintf(err, errlen, "cannot read '%s/%s': %s", dir, de->d_name, strerror(-rc));
			goto fail;
		}
	}
	closedir(d);
	d = NULL;
	if (t->n)
		qsort(t->e, t->n, sizeof(*t->e), entry_cmp);
	return 0;
fail:
	if (d)
		closedir(d);
	fo_cmp_tree_release(t);
	return rc;
}

void fo_cmp_tree_release(struct fo_cmp_tree *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->e[i].host);
		free(t->e[i].command);
	}
	free(t->e);
	free(t->dir);
	if (t->fd >= 0)
		close(t->fd);
	memset(t, 0, sizeof(*t));
	t->fd = -1;
}

int fo_cmp_tree_mark(struct fo_cmp_tree *t, const char *host, const char *command)
{
	struct fo_cmp_entry key, *e;

	fo__run_file_name(host, key.hfile);
	fo__run_file_name(command, key.cfile);
	e = t->n ? bsearch(&key, t->e, t->n, sizeof(*t->e), entry_cmp) : NULL;
	if (!e)
		return 0;
	e->seen = true;
	return 1;
}

/* ---- one output ---------------------------------------------------------------------- */

/* hfile/cfile.txt of the tree, whole, into *buf: 0, -ENOENT when it (or
 * its host folder) is not there, or -errno. */
static int read_prev(const struct fo_cmp_tree *t, const char *hfile, const char *cfile, char **buf, size_t *len)
{
	char name[FO_RUN_NAME_MAX + 8];
	struct fo_sbuf b = { 0 };
	int hfd, fd = -1, rc;
	struct stat st;
	ssize_t r;

	*buf = NULL;
	hfd = openat(t->fd, hfile, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (hfd < 0)
		return errno == ENOTDIR ? -ELOOP : -errno; /* a link to a folder is ENOTDIR here */
	snprintf(name, sizeof(name), "%s.txt", cfile);
	fd = openat(hfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = -EINVAL;
		goto out;
	}
	if ((size_t)st.st_size > t->max) {
		rc = -EFBIG;
		goto out;
	}
	/* read to the end, whatever fstat said, but never past the bound */
	for (;;) {
		if (fo_sbuf_grow(&b, 65536) < 0) {
			rc = -ENOMEM;
			goto out;
		}
		r = read(fd, b.p + b.len, b.cap - b.len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -EIO;
			goto out;
		}
		if (r == 0)
			break;
		b.len += (size_t)r;
		b.p[b.len] = 0;
		if (b.len > t->max) {
			rc = -EFBIG;
			goto out;
		}
	}
	*len = b.len;
	*buf = b.p ? b.p : strdup("");
	b.p = NULL;
	rc = *buf ? 0 : -ENOMEM;
out:
	fo_sbuf_release(&b);
	if (fd >= 0)
		close(fd);
	close(hfd);
	return rc;
}

int fo_cmp_output(const struct fo_cmp_tree *t, const char *host, const char *command, const char *out, size_t len,
		  const struct fo_udiff_ignore *ignore, struct fo_cmp_result *r, char *err, size_t errlen)
{
	char hfile[FO_RUN_NAME_MAX + 1], cfile[FO_RUN_NAME_MAX + 1], la[2 * FO_RUN_NAME_MAX + 16],
		lb[2 * FO_RUN_NAME_MAX + 16];
	struct fo_udiff_opts o;
	struct fo_sbuf sb = { 0 };
	char *prev = NULL;
	size_t plen = 0;
	int rc;

	memset(r, 0, sizeof(*r));
	fo__run_file_name(host, hfile);
	fo__run_file_name(command, cfile);
	rc = read_prev(t, hfile, cfile, &prev, &plen);
	if (rc == -ENOENT) {
		r->state = FO_CMP_NEW;
		return 0;
	}
	if (rc < 0) {
		snprintf(err, errlen, "cannot read '%s/%s/%s.txt': %s", t->dir, hfile, cfile,
			 rc == -EFBIG	? "larger than the bound"
			 : rc == -ELOOP ? "a symbolic link (not followed)"
			 : rc == -EINVAL ? "not a regular file"
					 : strerror(-rc));
		return rc;
	}
	snprintf(la, sizeof(la), "a/%s/%s.txt", hfile, cfile);
	snprintf(lb, sizeof(lb), "b/%s/%s.txt", hfile, cfile);
	o = FO_UDIFF_OPTS(la, lb);
	o.ignore = ignore;
	rc = fo_udiff(prev, plen, out, len, &o, &sb);
	if (rc < 0) {
		snprintf(err, errlen, "cannot diff '%s/%s/%s.txt': %s", t->dir, hfile, cfile, strerror(-rc));
		goto out;
	}
	if (rc == 0) {
		r->state = FO_CMP_UNCHANGED;
		r->masked = plen != len || memcmp(prev, out, len);
	} else {
		r->state = FO_CMP_CHANGED;
		r->diff_len = sb.len;
		r->diff = fo_sbuf_detach(&sb);
		if (!r->diff) {
			rc = -ENOMEM;
			goto out;
		}
	}
	rc = 0;
out:
	fo_sbuf_release(&sb);
	free(prev);
	return rc;
}

void fo_cmp_result_release(struct fo_cmp_result *r)
{
	free(r->diff);
	memset(r, 0, sizeof(*r));
}

int fo_cmp_mark_out_dir(const char *dir)
{
	char path[PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, FO_CMP_MARKER) >= sizeof(path))
		return -ENAMETOOLONG;
	return fo__write_file(path, FO_CMP_MARKER_TEXT, strlen(FO_CMP_MARKER_TEXT), 0644, false);
}
