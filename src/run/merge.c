/*
 * `fanout merge PART...`: the --json lines of the shards of one run
 * (--shard K/N or auto) made into what one unsharded run gives: its JSON
 * lines, its not-ok lines and summary on stderr, its exit status and its
 * --out tree (docs/run.md, "Shards"): copied from the shards' own trees
 * when they are given as parts (exact bytes), else made from the lines.
 *
 * Given the inventory (the same host flags and filters as the runs,
 * inv_args.h), every host is accounted for exactly once: a host in no part
 * is `missing` (its shard died or never ran) and fails the merge; a host
 * in two parts, or not in the inventory, is an error (exit 2). Without
 * one, the hosts are the parts' and nothing can be missing.
 *
 * Lines are kept verbatim, so that the merged lines are byte for byte the
 * run's: a part is read once, a line at a time through a bounded buffer,
 * and each host keeps only where its line is (part, offset, length) and
 * what the summary counts, about 48 bytes a host; the lines are read again
 * (pread) when they are written, in inventory order. So the memory is the
 * inventory's and the longest line's, whatever the parts weigh. Parsing
 * the lines is most of the work: without --wait the parts are read on a
 * thread a core, each line kept as what the accounting needs (its host,
 * status and place), then accounted for in order on one thread.
 *
 * --wait reads parts still being written: a part not there yet, or a last
 * line without its newline (a shard writing, or killed mid-write), is
 * read again every 100 ms until every host is in, or --timeout passes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../cli/opt.h"
#include "../util/file.h"
#include "../util/json.h"
#include "../util/map.h"
#include "../util/sbuf.h"
#include "../util/term.h"
#include "compare.h"
#include "fanout/runtime.h"
#include "inv_args.h"
#include "jline.h"
#include "rec.h"
#include "run.h"
#include "ssh.h"

#define CHUNK ((size_t)1 << 20)   /* read a part a megabyte at a time */
#define POLL_NS (100 * FO_MSEC)   /* --wait: how often parts are read again */
#define NAME_MAX_ (64 * 1024)     /* a host name longer than this is not fanout's */

/* A part: a file of --json lines. */
struct part {
	const char *path;
	int fd;                /* -1: not opened yet (--wait) */
	off_t off;             /* bytes read into whole lines */
	struct fo_sbuf buf;    /* what was read past off: the start of a line */
	size_t lineno;         /* lines read */
	bool tree;             /* an --out tree (a folder with FO_CMP_MARKER): files, no lines */
};

/* A host: where its line is, and what the summary counts. */
struct mhost {
	int part;              /* -1: in no part yet */
	off_t off;
	size_t len;            /* the line's, without its newline */
	long long ms;
	int attempts;
	unsigned char status;  /* enum fo_ssh_status */
	bool out_error;
	int tree;              /* the tree part holding its folder, or -1 */
};

struct mcfg {
	struct fo_inv_args hosts;
	struct fo_inv inv;
	bool json, wait;
	const char *out_dir;
	int64_t timeout;       /* --wait's bound */
	size_t max_line;
	struct part *parts;
	size_t nparts, ntrees;
	struct mhost *h;       /* per host: the inventory's order, or the parts' */
	char **names;          /* without an inventory: the hosts' names (heap) */
	size_t nh, cap, found;
	bool inventory;
	struct fo__map idx;    /* name -> index + 1 */
	size_t nparsed, nunparsed;
	char *out_first;       /* the first out_error of a part, or of ours */
	size_t out_bad;
	int stdout_err;
	struct fo_sbuf line;   /* a line read again */
	struct fo_sbuf obuf;   /* --json lines to write */
};

static const char *host_name(const struct mcfg *c, size_t i)
{
	return c->inventory ? c->inv.hosts[i].name : c->names[i];
}

/* "fanout: merge: 'PART' line N: WHY" */
static int bad_line(const struct part *p, size_t lineno, const char *why)
{
	struct fo_sbuf b = { 0 };

	fo_sbuf_addf(&b, "fanout: merge: '");
	fo__term_adds(&b, p->path);
	fo_sbuf_addf(&b, "' line %zu: %s\n", lineno, why);
	if (b.p)
		fputs(b.p, stderr);
	fo_sbuf_release(&b);
	return 2;
}

static int status_of(const struct fo_jspan *s)
{
	int k;

	for (k = 0; k < FO_SSH_NSTATUS; k++)
		if (fo__jspan_is(s, fo_ssh_status_name((enum fo_ssh_status)k)))
			return k;
	return -1;
}

/* A new host of the parts (no inventory): its index, or -1. */
static long add_host(struct mcfg *c, const char *name)
{
	char *n;

	if (c->nh == c->cap) {
		size_t nc = c->cap ? 2 * c->cap : 1024;
		struct mhost *h = realloc(c->h, nc * sizeof(*h));
		char **nn = h ? realloc(c->names, nc * sizeof(*nn)) : NULL;

		if (h)
			c->h = h;
		if (!nn)
			return -1;
		c->names = nn;
		c->cap = nc;
	}
	if (!(n = strdup(name)))
		return -1;
	c->names[c->nh] = n;
	c->h[c->nh] = (struct mhost){ .part = -1, .tree = -1 };
	if (fo__map_put(&c->idx, n, (const void *)(uintptr_t)(c->nh + 1)) < 0) {
		free(n);
		return -1;
	}
	return (long)c->nh++;
}

/* One line as read, before it is accounted for: what take_line needs,
 * copied out of the line, so that the parts can be read on several
 * threads and accounted for in order on one. */
struct pline {
	off_t off;
	size_t len;
	const char *why;       /* NULL: a line to take; else why it is bad */
	bool blank, too_long;  /* too_long: no line, the part's --max-line error */
	int st;
	char *host;            /* decoded (heap) */
	long long ms, attempts;
	bool out_error;
	char *out_error_text;  /* decoded, at most 4 KB (heap), when out_error */
	size_t nparsed, nparse_error;
};

static void pline_release(struct pline *pl)
{
	free(pl->host);
	free(pl->out_error_text);
	pl->host = pl->out_error_text = NULL;
}

/* Reads the line s[0..len) (NUL-terminated) into *pl: no shared state. */
static void parse_line(const char *s, size_t len, off_t off, struct pline *pl)
{
	struct fo_sbuf name = { 0 };
	struct fo_jline l;

	*pl = (struct pline){ .off = off, .len = len };
	if (len == strspn(s, " \t\r")) {
		pl->blank = true;
		return;
	}
	if (fo__jline_parse(s, len, &l) < 0) {
		pl->why = "not a JSON object (not a --json line of fanout run?)";
		return;
	}
	if (!l.host.p) {
		pl->why = "no \"host\" (a --gather group's line? merge the runs without --gather)";
		return;
	}
	if ((pl->st = status_of(&l.status)) < 0) {
		pl->why = "no \"status\" that fanout run writes";
		return;
	}
	if (fo__jspan_str(&l.host, &name, NAME_MAX_) < 0 || name.len >= NAME_MAX_ ||
	    strlen(name.p ? name.p : "") != name.len) {
		pl->why = name.oom ? "out of memory" : "a \"host\" that no inventory has";
		fo_sbuf_release(&name);
		return;
	}
	pl->host = name.p ? name.p : strdup("");
	if (!pl->host) {
		pl->why = "out of memory";
		return;
	}
	pl->ms = l.ms;
	pl->attempts = l.attempts;
	pl->out_error = l.out_error.p != NULL;
	if (pl->out_error) {
		struct fo_sbuf e = { 0 };

		fo__jspan_str(&l.out_error, &e, 4096);
		pl->out_error_text = e.p;
	}
	pl->nparsed = l.nparsed;
	pl->nparse_error = l.nparse_error;
}

/* Accounts for one line of part pi, read by parse_line: 0, or 2 said. */
static int take_line(struct mcfg *c, size_t pi, struct pline *pl)
{
	struct part *p = &c->parts[pi];
	struct mhost *h;
	uintptr_t v;
	int r = 2;
	long i;

	p->lineno++;
	if (pl->blank)
		return 0;
	if (pl->why)
		return bad_line(p, p->lineno, pl->why);
	v = (uintptr_t)fo__map_get(&c->idx, pl->host);
	if (!v && c->inventory) {
		struct fo_sbuf b = { 0 };

		fo_sbuf_addf(&b, "host '");
		fo__term_adds(&b, pl->host);
		fo_sbuf_addf(&b, "' is not in the inventory: give merge the runs' host flags and filters");
		r = bad_line(p, p->lineno, b.p ? b.p : "out of memory");
		fo_sbuf_release(&b);
		return r;
	}
	i = v ? (long)v - 1 : add_host(c, pl->host);
	if (i < 0)
		return bad_line(p, p->lineno, "out of memory");
	h = &c->h[i];
	if (h->part >= 0) {
		struct fo_sbuf b = { 0 };

		fo_sbuf_addf(&b, "fanout: merge: host '");
		fo__term_adds(&b, pl->host);
		fo_sbuf_addf(&b, "' is in two parts: '");
		fo__term_adds(&b, c->parts[h->part].path);
		fo_sbuf_addf(&b, "' and '");
		fo__term_adds(&b, p->path);
		fo_sbuf_addf(&b, "' (line %zu): parts of different runs, or shards that overlap\n", p->lineno);
		if (b.p)
			fputs(b.p, stderr);
		fo_sbuf_release(&b);
		return 2;
	}
	*h = (struct mhost){ (int)pi, pl->off, pl->len, pl->ms,
			     (int)(pl->attempts > 0 && pl->attempts < INT_MAX ? pl->attempts : 1), (unsigned char)pl->st,
			     pl->out_error, -1 };
	c->found++;
	c->nparsed += pl->nparsed;
	c->nunparsed += pl->nparse_error;
	if (pl->out_error && !c->out_first) {
		c->out_first = pl->out_error_text;
		pl->out_error_text = NULL;
	}
	c->out_bad += pl->out_error;
	return 0;
}

/* The lines a part's reader found: handed to take_line as they come (one
 * thread), or kept for it (reading on several threads). */
struct sink {
	struct mcfg *c;
	size_t pi;
	struct pline *v;       /* kept (NULL: take at once) */
	size_t n, cap;
	bool keep;
	int err;               /* an errno of open or read (kept) */
};

static int sink_line(struct sink *k, struct pline *pl)
{
	if (!k->keep) {
		int r = take_line(k->c, k->pi, pl);

		pline_release(pl);
		return r;
	}
	if (k->n == k->cap) {
		size_t nc = k->cap ? 2 * k->cap : 256;
		struct pline *v = realloc(k->v, nc * sizeof(*v));

		if (!v) {
			pline_release(pl);
			pl->why = "out of memory";
		} else {
			k->v = v;
			k->cap = nc;
		}
	}
	if (k->n < k->cap)
		k->v[k->n++] = *pl;
	/* a bad line ends the part, as it ends the merge */
	return pl->why || pl->too_long ? 2 : 0;
}

/* A part that could not be read (errno err): said, or kept for the
 * thread that accounts for the lines (said then, in order). 2. */
static int part_failed(struct sink *k, const char *path, int err)
{
	if (k->keep) {
		k->err = err;
		return 2;
	}
	if (err == ENOMEM)
		fprintf(stderr, "fanout: merge: out of memory\n");
	else
		fprintf(stderr, "fanout: merge: cannot read '%s': %s\n", path, strerror(err));
	return 2;
}

/* The part's whole lines since the last read, into the sink: 0, or 2
 * (said at once when not kept). A part not there is waited for with
 * --wait, else an error. */
static int read_part_into(struct mcfg *c, struct sink *k)
{
	struct part *p = &c->parts[k->pi];

	if (p->tree)
		return 0;
	if (p->fd < 0 && (p->fd = open(p->path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (c->wait && errno == ENOENT)
			return 0;
		return part_failed(k, p->path, errno);
	}
	for (;;) {
		size_t start = 0;
		ssize_t n;
		char *nl;

		if (fo_sbuf_grow(&p->buf, CHUNK) < 0)
			return part_failed(k, p->path, ENOMEM);
		n = pread(p->fd, p->buf.p + p->buf.len, CHUNK, p->off + (off_t)p->buf.len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return part_failed(k, p->path, errno);
		if (n == 0)
			return 0;
		p->buf.len += (size_t)n;
		while ((nl = memchr(p->buf.p + start, '\n', p->buf.len - start))) {
			size_t len = (size_t)(nl - (p->buf.p + start));
			struct pline pl;
			int r;

			*nl = 0;
			parse_line(p->buf.p + start, len, p->off + (off_t)start, &pl);
			if ((r = sink_line(k, &pl)))
				return r;
			start += len + 1;
		}
		memmove(p->buf.p, p->buf.p + start, p->buf.len - start);
		p->buf.len -= start;
		p->off += (off_t)start;
		if (p->buf.len > c->max_line) {
			struct pline pl = { .too_long = true };

			if (k->keep)
				return sink_line(k, &pl);
			return bad_line(p, p->lineno + 1, "longer than --max-line (give a larger one)");
		}
	}
}

static int read_part(struct mcfg *c, size_t pi)
{
	struct sink k = { .c = c, .pi = pi };

	return read_part_into(c, &k);
}

/* ---- the parts read on several threads (not with --wait) ------------------------------ */

struct preread {
	struct mcfg *c;
	struct sink *sinks;
	size_t next;           /* the next part to read (atomic) */
};

static void *preread_main(void *arg)
{
	struct preread *w = arg;
	size_t i;

	while ((i = __atomic_fetch_add(&w->next, 1, __ATOMIC_RELAXED)) < w->c->nparts)
		read_part_into(w->c, &w->sinks[i]);
	return NULL;
}

/*
 * Reads every part on up to as many threads as there are cores (parsing a
 * line is most of a merge's work), then accounts for their lines in order,
 * part by part, as one thread would have: the same hosts, errors and
 * messages. 0, 2 said, or -1 when the threads could not be had (the
 * caller reads on one).
 */
static int read_parts_threaded(struct mcfg *c)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nt = ncpu > 1 ? (size_t)ncpu : 1, i, j, started = 0;
	struct preread w = { c, NULL, 0 };
	pthread_t th[8];
	int r = 0;

	if (nt > 8)
		nt = 8;
	if (nt > c->nparts)
		nt = c->nparts;
	if (nt < 2 || !(w.sinks = calloc(c->nparts, sizeof(*w.sinks))))
		return -1;
	for (i = 0; i < c->nparts; i++)
		w.sinks[i] = (struct sink){ .c = c, .pi = i, .keep = true };
	for (i = 0; i + 1 < nt; i++)
		if (pthread_create(&th[started], NULL, preread_main, &w) == 0)
			started++;
	preread_main(&w);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < c->nparts; i++) {
		struct sink *k = &w.sinks[i];

		for (j = 0; j < k->n && !r; j++) {
			if (k->v[j].too_long)
				r = bad_line(&c->parts[i], c->parts[i].lineno + 1,
					     "longer than --max-line (give a larger one)");
			else
				r = take_line(c, i, &k->v[j]);
		}
		if (!r && k->err) {
			k->keep = false;
			r = part_failed(k, c->parts[i].path, k->err);
		}
		for (j = 0; j < k->n; j++)
			pline_release(&k->v[j]);
		free(k->v);
	}
	free(w.sinks);
	return r;
}

/* Every part read, again until every host is in with --wait: 0 or 2. */
static int read_parts(struct mcfg *c)
{
	int64_t deadline = fo_now() + c->timeout;
	size_t i;
	int r;

	if (!c->wait && (r = read_parts_threaded(c)) >= 0) {
		if (r)
			return r;
		goto done;
	}
	for (;;) {
		for (i = 0; i < c->nparts; i++)
			if ((r = read_part(c, i)))
				return r;
		if (!c->wait || c->found == c->nh || fo_now() >= deadline)
			break;
		nanosleep(&(struct timespec){ 0, POLL_NS }, NULL);
	}
done:
	for (i = 0; i < c->nparts; i++) {
		if (c->parts[i].fd < 0 && !c->parts[i].tree && c->found < c->nh)
			fprintf(stderr, "fanout: merge: '%s' never came (--timeout passed)\n", c->parts[i].path);
		else if (c->parts[i].buf.len)
			bad_line(&c->parts[i], c->parts[i].lineno + 1,
				 "no newline: a line cut short (its shard killed while writing?), ignored");
	}
	return 0;
}

/* ---- --out trees as parts ---------------------------------------------------------------- */

/* Which tree part holds each host's folder (DIR/NAME, NAME escaped as run
 * escapes it): 0, or 2 when two do, said. A host in none has no files. */
static int find_trees(struct mcfg *c)
{
	char name[FO_RUN_NAME_MAX + 1];
	size_t i, t;

	for (i = 0; c->ntrees && i < c->nh; i++) {
		fo__run_file_name(host_name(c, i), name);
		for (t = 0; t < c->nparts; t++) {
			struct stat st;

			if (!c->parts[t].tree || fstatat(c->parts[t].fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
			    !S_ISDIR(st.st_mode))
				continue;
			if (c->h[i].tree >= 0) {
				struct fo_sbuf b = { 0 };

				fo_sbuf_addf(&b, "fanout: merge: host '");
				fo__term_adds(&b, host_name(c, i));
				fo_sbuf_addf(&b, "' has files in two --out trees: '");
				fo__term_adds(&b, c->parts[c->h[i].tree].path);
				fo_sbuf_addf(&b, "' and '");
				fo__term_adds(&b, c->parts[t].path);
				fo_sbuf_addf(&b, "': trees of different runs, or shards that overlap\n");
				if (b.p)
					fputs(b.p, stderr);
				fo_sbuf_release(&b);
				return 2;
			}
			c->h[i].tree = (int)t;
		}
	}
	return 0;
}

/* What run writes under a host's folder: NAME.txt (and .partial.txt),
 * .json, .diff; not a temporary file a killed shard left. */
static bool run_file(const char *n)
{
	static const char *const ext[] = { ".txt", ".json", ".diff" };
	size_t l = strlen(n), k, x;

	for (k = 0; n[0] != '.' && k < sizeof(ext) / sizeof(ext[0]); k++)
		if (l > (x = strlen(ext[k])) && !strcmp(n + l - x, ext[k]))
			return true;
	return false;
}

/* The whole of file name in folder dir onto b, at most max bytes: 0 or -errno. */
static int read_whole(int dir, const char *name, size_t max, struct fo_sbuf *b)
{
	int f = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), e = 0;
	ssize_t n;

	if (f < 0)
		return -errno;
	while (!e && (e = fo_sbuf_grow(b, CHUNK)) == 0 && (n = read(f, b->p + b->len, CHUNK)) != 0) {
		if (n < 0)
			e = errno == EINTR ? 0 : -errno;
		else if (b->len + (size_t)n > max)
			e = -EFBIG;
		else
			b->len += (size_t)n;
	}
	close(f);
	return e;
}

/* Host i's folder copied from its tree part into --out, file by file,
 * each whole or not at all (fo__write_file): NULL, or why not (heap). */
static char *copy_host(struct mcfg *c, size_t i)
{
	char name[FO_RUN_NAME_MAX + 1], dst[PATH_MAX], *bad = NULL;
	const struct part *t = &c->parts[c->h[i].tree];
	struct dirent *e;
	DIR *d;
	int fd;

	fo__run_file_name(host_name(c, i), name);
	if ((size_t)snprintf(dst, sizeof(dst), "%s/%s", c->out_dir, name) >= sizeof(dst))
		return strdup("a path over PATH_MAX");
	if (mkdir(dst, 0755) < 0 && errno != EEXIST)
		return asprintf(&bad, "cannot make '%s': %s", dst, strerror(errno)) < 0 ? NULL : bad;
	if ((fd = openat(t->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return asprintf(&bad, "cannot read '%s/%s': %s", t->path, name, strerror(errno)) < 0 ? NULL : bad;
	}
	while (!bad && (e = readdir(d))) {
		char path[PATH_MAX];
		struct fo_sbuf b = { 0 };
		struct stat st;
		int r;

		if (!run_file(e->d_name) || fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if ((r = read_whole(fd, e->d_name, c->max_line, &b)) < 0) {
			if (asprintf(&bad, "cannot read '%s/%s/%s': %s", t->path, name, e->d_name, strerror(-r)) < 0)
				bad = NULL;
		} else if ((size_t)snprintf(path, sizeof(path), "%s/%s", dst, e->d_name) >= sizeof(path)) {
			bad = strdup("a path over PATH_MAX");
		} else if ((r = fo__write_file(path, b.p ? b.p : "", b.len, 0644, false)) < 0 &&
			   asprintf(&bad, "cannot write '%s': %s", path, strerror(-r)) < 0) {
			bad = NULL;
		}
		fo_sbuf_release(&b);
	}
	closedir(d);
	return bad;
}

/* ---- writing -------------------------------------------------------------------------- */

/* The --json lines so far to stdout (one write(2) a megabyte or so, whole
 * lines only); the first error kept. */
static void flush_json(struct mcfg *c)
{
	if (!c->stdout_err && c->obuf.len)
		c->stdout_err = c->obuf.oom ? -ENOMEM : fo__write_all(1, c->obuf.p, c->obuf.len);
	c->obuf.len = 0;
}

/* Host i's line read again into c->line: 0, or -errno. */
static int reread(struct mcfg *c, const struct mhost *h)
{
	size_t got = 0;

	c->line.len = 0;
	if (fo_sbuf_grow(&c->line, h->len) < 0)
		return -ENOMEM;
	while (got < h->len) {
		ssize_t n = pread(c->parts[h->part].fd, c->line.p + got, h->len - got, h->off + (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		got += (size_t)n;
	}
	c->line.len = got;
	c->line.p[got] = 0;
	return 0;
}

/* run's line of a host that is not ok: "NAME: STATUS: ERROR" (300 bytes of
 * it), neutralised for the terminal. */
static void show_not_ok(const char *name, const char *status, const struct fo_jspan *err)
{
	struct fo_sbuf b = { 0 }, e = { 0 };

	fo__term_adds(&b, name);
	fo_sbuf_addf(&b, ": %s", status);
	if (err && err->p && fo__jspan_str(err, &e, 4096) == 0 && e.p) {
		fo_sbuf_addf(&b, ": ");
		fo__term_add(&b, e.p, strnlen(e.p, 300));
	}
	fo_sbuf_addf(&b, "\n");
	if (b.p)
		fputs(b.p, stderr);
	fo_sbuf_release(&b);
	fo_sbuf_release(&e);
}

/* --parse's records as run writes them under --out (fo_textfsm_json: a
 * record a line), from the line's copy, which has their newlines taken
 * out: "[" "\n {...}" ",\n {...}" "\n]\n", or "[]\n", or "{...}\n". */
static void records_file(const struct fo_jspan *v, struct fo_sbuf *b)
{
	const char *p = v->p, *end = v->p + v->n;
	int depth = 0;
	bool in_str = false, any = false;

	if (*p != '[') {
		fo_sbuf_add(b, p, v->n);
		fo_sbuf_add(b, "\n", 1);
		return;
	}
	for (; p < end; p++) {
		if (in_str) {
			fo_sbuf_add(b, p, 1);
			if (*p == '\\' && p + 1 < end)
				fo_sbuf_add(b, ++p, 1);
			else if (*p == '"')
				in_str = false;
			continue;
		}
		if (*p == '"')
			in_str = true;
		if (depth == 1 && *p == ' ' && !any) /* "[ {" was "[\n {" */
			continue;
		if (depth == 1 && *p == '{' && !any) {
			fo_sbuf_add(b, "\n ", 2);
			any = true;
		}
		if (depth == 1 && *p == ',') {
			fo_sbuf_add(b, ",\n", 2);
			continue;
		}
		if (*p == '{' || *p == '[')
			depth++;
		if (*p == '}' || *p == ']')
			depth--;
		if (depth == 0 && *p == ']' && any)
			fo_sbuf_add(b, "\n", 1);
		fo_sbuf_add(b, p, 1);
	}
	fo_sbuf_add(b, "\n", 1);
}

/* Host i's files under --out from its line (c->line): NULL, or the first
 * reason one was not written (heap). */
static char *write_host(struct mcfg *c, const char *name, const struct fo_jline *l)
{
	char fname[FO_RUN_NAME_MAX + 1], dir[PATH_MAX], *bad = NULL;
	const char *at = NULL;
	struct fo_jres res;

	fo__run_file_name(name, fname);
	if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", c->out_dir, fname) >= sizeof(dir))
		return strdup("a path over PATH_MAX");
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		char *m = NULL;

		return asprintf(&m, "cannot make '%s': %s", dir, strerror(errno)) < 0 ? NULL : m;
	}
	while (!bad && fo__jline_next_result(l, &at, &res) == 1) {
		struct fo_sbuf cmd = { 0 }, out = { 0 }, parsed = { 0 }, diff = { 0 };
		int st = status_of(&res.status);

		fo__jspan_str(&res.command, &cmd, SIZE_MAX);
		fo__jspan_str(&res.output, &out, SIZE_MAX);
		if (res.parsed.p)
			records_file(&res.parsed, &parsed);
		if (res.diff.p)
			fo__jspan_str(&res.diff, &diff, SIZE_MAX);
		if (cmd.oom || out.oom || parsed.oom || diff.oom)
			bad = strdup("out of memory");
		else if (!cmd.len || st < 0)
			bad = strdup("a result without a command or a status");
		else
			bad = fo__run_write_one(dir, &(struct fo_rec_cmd){ .command = cmd.p, .status = st,
					       .out = out.p ? out.p : "", .out_len = out.len, .parsed = parsed.p,
					       .change = res.diff.p ? FO_CHANGE_CHANGED : FO_CHANGE_NONE,
					       .diff = diff.p, .diff_len = diff.len },
					       res.parsed.p != NULL, res.diff.p != NULL);
		fo_sbuf_release(&cmd);
		fo_sbuf_release(&out);
		fo_sbuf_release(&parsed);
		fo_sbuf_release(&diff);
	}
	return bad;
}

/* A host no part has: its JSON line, or its line on stderr. */
static void missing(struct mcfg *c, size_t i)
{
	const char *name = host_name(c, i);

	if (c->json) {
		const struct fo_inv_host *h = c->inventory ? &c->inv.hosts[i] : NULL;

		fo_sbuf_addf(&c->obuf, "{\"status\":\"missing\",\"host\":");
		fo__json_strz(&c->obuf, name);
		if (h) {
			fo_sbuf_addf(&c->obuf, ",\"hostname\":");
			fo__json_strz(&c->obuf, h->hostname);
			fo_sbuf_addf(&c->obuf, ",\"port\":%d", h->port);
		}
		fo_sbuf_addf(&c->obuf, ",\"error\":\"in no part: its shard died or never ran\",\"results\":[]}\n");
		return;
	}
	show_not_ok(name, "missing", &(struct fo_jspan){ "\"in no part: its shard died or never ran\"", 42 });
}

/* Every host in order: its line (--json) or its not-ok line, its files
 * (--out). 0, or 1 when a line could not be read again. */
static int write_hosts(struct mcfg *c)
{
	size_t i;
	int e;

	for (i = 0; i < c->nh; i++) {
		const struct mhost *h = &c->h[i];
		struct fo_jline l;
		char *bad;

		if (h->part < 0) {
			missing(c, i);
		} else if ((e = reread(c, h)) < 0 ||
			   /* read again only for what the first read did not keep */
			   (((c->out_dir && !c->ntrees) || (!c->json && h->status != FO_SSH_OK)) &&
			    fo__jline_parse(c->line.p, c->line.len, &l) < 0)) {
			fprintf(stderr, "fanout: merge: cannot read '%s' again: %s (was it changed?)\n",
				c->parts[h->part].path, e < 0 ? strerror(-e) : "the line is not the same");
			return 1;
		} else {
			if (c->json) {
				fo_sbuf_add(&c->obuf, c->line.p, c->line.len);
				fo_sbuf_add(&c->obuf, "\n", 1);
			} else if (h->status != FO_SSH_OK) {
				show_not_ok(host_name(c, i), fo_ssh_status_name(h->status), &l.error);
			}
			bad = !c->out_dir ? NULL : c->ntrees ? (h->tree >= 0 ? copy_host(c, i) : NULL)
							 : write_host(c, host_name(c, i), &l);
			if (bad) {
				c->out_bad++;
				if (!c->out_first)
					c->out_first = bad;
				else
					free(bad);
			}
		}
		if (c->obuf.len >= CHUNK)
			flush_json(c);
	}
	flush_json(c);
	return 0;
}

/* run's summary (run.c's summary()), from the lines: the counts, --parse's,
 * the retried, the slowest by the lines' "ms"; then the missing. */
static void summary(struct mcfg *c, double secs)
{
	struct fo_sbuf b = { 0 };
	size_t count[FO_SSH_NSTATUS] = { 0 }, missing_n = 0, retried = 0, i;
	struct { long long ms; size_t i; } slow[6] = { { 0, 0 } };
	int s, k;

	for (i = 0; i < c->nh; i++) {
		const struct mhost *h = &c->h[i];

		if (h->part < 0) {
			missing_n++;
			continue;
		}
		count[h->status]++;
		retried += h->attempts > 1;
		for (k = 0; k < 5; k++)
			if (h->ms > slow[k].ms || !slow[k].ms) {
				memmove(&slow[k + 1], &slow[k], (size_t)(4 - k) * sizeof(slow[0]));
				slow[k].ms = h->ms > 0 ? h->ms : 0;
				slow[k].i = i;
				break;
			}
	}
	fo_sbuf_addf(&b, "fanout run: %zu hosts in %.2fs:", c->nh, secs);
	for (s = 0; s < FO_SSH_NSTATUS; s++)
		if (count[s])
			fo_sbuf_addf(&b, " %s %zu", fo_ssh_status_name((enum fo_ssh_status)s), count[s]);
	if (missing_n)
		fo_sbuf_addf(&b, " missing %zu", missing_n);
	fo_sbuf_addf(&b, "\n");
	if (c->nparsed || c->nunparsed)
		fo_sbuf_addf(&b, "parsed: %zu outputs into records, %zu kept as text only (see parse_error)\n",
			     c->nparsed, c->nunparsed);
	if (retried)
		fo_sbuf_addf(&b, "retried: %zu hosts took more than one login (--retry-shed, --retry)\n", retried);
	if (c->nh > 1 && slow[0].ms > 0) {
		fo_sbuf_addf(&b, "slowest:");
		for (k = 0; k < 5 && slow[k].ms > 0; k++) {
			fo_sbuf_addf(&b, " ");
			fo__term_adds(&b, host_name(c, slow[k].i));
			fo_sbuf_addf(&b, " %.2fs", (double)slow[k].ms / 1000.0);
		}
		fo_sbuf_addf(&b, "\n");
	}
	if (c->out_bad) {
		fo_sbuf_addf(&b, "fanout: the --out files of %zu host%s not all written (those hosts failed); the first: ",
			     c->out_bad, c->out_bad == 1 ? " were" : "s were");
		fo__term_adds(&b, c->out_first ? c->out_first : "?");
		fo_sbuf_addf(&b, "\n");
	}
	if (c->stdout_err)
		fo_sbuf_addf(&b, "fanout: cannot write results to stdout: %s\n", strerror(-c->stdout_err));
	if (missing_n)
		fo_sbuf_addf(&b, "fanout: merge: %zu host%s in no part (their shards died or never ran)\n", missing_n,
			     missing_n == 1 ? " is" : "s are");
	if (b.p)
		fputs(b.p, stderr);
	fo_sbuf_release(&b);
}

/* ---- command line --------------------------------------------------------------------- */

#define OFF(f) offsetof(struct mcfg, f)
#define END { NULL, 0, 0, 0, NULL, NULL, NULL, NULL, 0, 0, NULL, NULL, 0, 0, NULL }

static const struct fo_opt opts[] = {
	FO_INV_ARGS_OPTS(struct mcfg, hosts),
	{ "json", 0, FO_OPT_BOOL, OFF(json), NULL, "the JSON lines, a host's a line, in inventory order", "Output",
	  NULL, 0, 0, NULL, NULL, 0, 0, NULL },
	{ "out", 0, FO_OPT_FILE, OFF(out_dir), "DIR", "one --out tree: DIR/HOST/COMMAND.txt", "Output", NULL, 0,
	  0, NULL, NULL, 0, 0, NULL },
	{ "wait", 0, FO_OPT_BOOL, OFF(wait), NULL, "read the parts until every host is in (needs the inventory)",
	  "Parts", NULL, 0, 0, NULL, NULL, 0, 0, NULL },
	{ "timeout", 0, FO_OPT_DURATION, OFF(timeout), "DUR", "--wait: at most this long", "Parts", "1h", 0, 0,
	  NULL, NULL, 0, 0, NULL },
	{ "max-line", 0, FO_OPT_SIZE, OFF(max_line), "SIZE", "the longest line read", "Parts", "1G", 1024,
	  (double)((size_t)16 << 30), NULL, "a size from 1K to 16G, such as 512M", 0, 0, NULL },
	END,
};

const struct fo_opts fo_merge_opts = {
	"merge", "[options] PART...",
	"Merges the --json lines of a sharded run's parts into one run's.",
	"PART: a file of `fanout run --json` lines from one shard (--shard K/N or\n"
	"auto), or for --out DIR a shard's --out tree, whose files are copied.\n"
	"Given the hosts (-i, -w, --hosts-file and the filters of the runs, without\n"
	"--shard), every host must be in exactly one part: a host in none is missing\n"
	"(exit 1), in two an error naming both (exit 2).\n"
	"\n"
	"Out comes what one run of those hosts would give: the lines in inventory\n"
	"order (--json), else a line on stderr per host not ok; the summary on\n"
	"stderr; with --out DIR the --out tree (from the trees, else the lines);\n"
	"the exit status (0 all ok, 1 some host not ok or missing, 2 bad usage or\n"
	"bad parts).\n"
	"\n"
	"--wait: parts still being written are read again every 0.1s, a line cut\n"
	"short ignored until whole, until every host is in or --timeout passes.\n",
	opts, sizeof(struct mcfg), false, false, NULL
};

static int check(struct mcfg *c, const struct fo_optres *res)
{
	char err[1200];
	size_t i;

	if (!res->operands.n) {
		fprintf(stderr, "fanout: merge needs parts: the files of `fanout run --json` of each shard\n");
		return 2;
	}
	c->inventory = c->hosts.nhost_srcs > 0;
	if (c->wait && !c->inventory) {
		fprintf(stderr, "fanout: --wait needs the hosts (-i, -w or --hosts-file): it waits until each is in\n");
		return 2;
	}
	if (c->inventory && (fo_inv_args_load(&c->hosts, &c->inv, err, sizeof(err)) < 0 ||
			     fo_inv_args_filter(&c->hosts, &c->inv, err, sizeof(err)) < 0)) {
		fprintf(stderr, "fanout: %s\n", err);
		return 2;
	}
	if (c->inventory) {
		c->nh = c->inv.nhosts;
		if (!(c->h = calloc(c->nh ? c->nh : 1, sizeof(*c->h))))
			return 2;
		for (i = 0; i < c->nh; i++) {
			c->h[i].part = -1;
			c->h[i].tree = -1;
			if (fo__map_put(&c->idx, c->inv.hosts[i].name, (const void *)(uintptr_t)(i + 1)) < 0)
				return 2;
		}
	}
	if (!(c->parts = calloc(res->operands.n, sizeof(*c->parts))))
		return 2;
	c->nparts = res->operands.n;
	for (i = 0; i < c->nparts; i++) {
		struct part *p = &c->parts[i];
		struct stat st;

		*p = (struct part){ res->operands.v[i], -1, 0, { 0 }, 0, false };
		if (stat(p->path, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		p->tree = true;
		c->ntrees++;
		if ((p->fd = open(p->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
		    faccessat(p->fd, FO_CMP_MARKER, F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
			fprintf(stderr, "fanout: merge: '%s' is a folder but not a fanout --out tree (no %s in it)\n",
				p->path, FO_CMP_MARKER);
			return 2;
		}
	}
	if (c->ntrees == c->nparts) {
		fprintf(stderr, "fanout: merge: --out trees give files, not results: give the shards' --json lines "
			"too\n");
		return 2;
	}
	if (c->ntrees && !c->out_dir) {
		fprintf(stderr, "fanout: merge: --out trees are parts only for --out DIR: give it\n");
		return 2;
	}
	if (c->out_dir) {
		int e = mkdir(c->out_dir, 0755) < 0 && errno != EEXIST ? -errno : fo_cmp_mark_out_dir(c->out_dir);

		if (e < 0) {
			fprintf(stderr, "fanout: cannot use --out '%s': %s\n", c->out_dir, strerror(-e));
			return 2;
		}
	}
	return 0;
}

static void release(struct mcfg *c)
{
	size_t i;

	for (i = 0; i < c->nparts; i++) {
		if (c->parts[i].fd >= 0)
			close(c->parts[i].fd);
		fo_sbuf_release(&c->parts[i].buf);
	}
	free(c->parts);
	for (i = 0; c->names && i < c->nh; i++)
		free(c->names[i]);
	free(c->names);
	free(c->h);
	fo__map_free(&c->idx);
	fo_inv_release(&c->inv);
	fo_inv_args_release(&c->hosts);
	free(c->out_first);
	fo_sbuf_release(&c->line);
	fo_sbuf_release(&c->obuf);
}

int fo_merge_main(int argc, char **argv)
{
	struct mcfg c;
	struct fo_optres res;
	int64_t t0 = fo_now();
	size_t i, bad = 0;
	int r;

	signal(SIGPIPE, SIG_IGN); /* a closed stdout is an error said, as run says it */
	memset(&c, 0, sizeof(c));
	fo_inv_init(&c.inv);
	r = fo_opts_parse(&fo_merge_opts, &c, argc, argv, &res);
	r = r == FO_OPTS_HELP ? -1 : r ? 2 : 0;
	if (!r)
		r = check(&c, &res);
	if (!r)
		r = read_parts(&c);
	if (!r)
		r = find_trees(&c);
	if (!r)
		r = write_hosts(&c);
	if (!r) {
		summary(&c, (double)(fo_now() - t0) / 1e9);
		for (i = 0; i < c.nh; i++)
			bad += c.h[i].part < 0 || c.h[i].status != FO_SSH_OK;
		r = bad || c.out_bad || c.stdout_err ? 1 : 0;
	}
	release(&c);
	fo_opts_release(&fo_merge_opts, &c, &res);
	return r < 0 ? 0 : r;
}
