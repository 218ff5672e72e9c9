/* The record of a host's result: see rec.h. */
#include <errno.h>
#include <string.h>

#include "rec.h"

#define REC_MAGIC 0x32524f46u /* "FOR2" */
#define REC_NULL 0xffffffffu
/* the fewest bytes a command takes: seven NULL strs, u8, i32, i64, u8 */
#define REC_CMD_MIN (7 * 4 + 1 + 4 + 8 + 1)

static void put_u(struct fo_sbuf *b, uint64_t v, size_t n)
{
	unsigned char t[8];
	size_t i;

	for (i = 0; i < n; i++)
		t[i] = (unsigned char)(v >> (8 * i));
	fo_sbuf_add(b, t, n);
}

static void put_str(struct fo_sbuf *b, const char *s, size_t n)
{
	if (!s || n >= REC_NULL) {
		put_u(b, REC_NULL, 4);
		return;
	}
	put_u(b, n, 4);
	fo_sbuf_add(b, s, n);
	fo_sbuf_add(b, "", 1);
}

static void put_strz(struct fo_sbuf *b, const char *s)
{
	put_str(b, s, s ? strlen(s) : 0);
}

void fo__rec_write(struct fo_sbuf *b, const struct fo_rec *r)
{
	size_t i;

	put_u(b, REC_MAGIC, 4);
	put_u(b, (uint64_t)r->status, 1);
	put_u(b, (uint64_t)r->ms, 8);
	put_u(b, (uint64_t)(uint32_t)r->attempts, 4);
	put_strz(b, r->address);
	put_strz(b, r->out_error);
	put_u(b, r->ncmds, 4);
	for (i = 0; i < r->ncmds; i++) {
		const struct fo_rec_cmd *c = &r->cmds[i];

		put_strz(b, c->command);
		put_u(b, (uint64_t)c->status, 1);
		put_strz(b, c->phase);
		put_u(b, (uint64_t)(uint32_t)c->exit_code, 4);
		put_u(b, (uint64_t)c->ms, 8);
		put_strz(b, c->error);
		put_str(b, c->out ? c->out : "", c->out ? c->out_len : 0);
		put_strz(b, c->parsed);
		put_strz(b, c->parse_error);
		put_u(b, (uint64_t)c->change, 1);
		put_str(b, c->diff, c->diff ? c->diff_len : 0);
	}
}

/* A reader over p[0..n): a failed read sets bad and gives zeros. */
struct rd {
	const unsigned char *p;
	size_t n, off;
	int bad;
};

static uint64_t get_u(struct rd *d, size_t n)
{
	uint64_t v = 0;
	size_t i;

	if (d->bad || d->n - d->off < n) {
		d->bad = 1;
		return 0;
	}
	for (i = 0; i < n; i++)
		v |= (uint64_t)d->p[d->off + i] << (8 * i);
	d->off += n;
	return v;
}

/* A str; text: no NUL inside. NULL when absent (or bad). */
static const char *get_str(struct rd *d, size_t *len, int text)
{
	uint64_t n = get_u(d, 4);
	const char *s;

	*len = 0;
	if (d->bad || n == REC_NULL)
		return NULL;
	if (d->n - d->off <= n || d->p[d->off + n] != 0 ||
	    (text && memchr(d->p + d->off, 0, (size_t)n))) {
		d->bad = 1;
		return NULL;
	}
	s = (const char *)d->p + d->off;
	d->off += (size_t)n + 1;
	*len = (size_t)n;
	return s;
}

static enum fo_ssh_status get_status(struct rd *d)
{
	uint64_t s = get_u(d, 1);

	if (s >= FO_SSH_NSTATUS)
		d->bad = 1;
	return d->bad ? FO_SSH_FAILED : (enum fo_ssh_status)s;
}

static void get_cmd(struct rd *d, struct fo_rec_cmd *c)
{
	size_t len;

	c->command = get_str(d, &len, 1);
	c->status = get_status(d);
	c->phase = get_str(d, &len, 1);
	c->exit_code = (int)(int32_t)(uint32_t)get_u(d, 4);
	c->ms = (int64_t)get_u(d, 8);
	c->error = get_str(d, &len, 1);
	c->out = get_str(d, &c->out_len, 0);
	c->parsed = get_str(d, &len, 1);
	c->parse_error = get_str(d, &len, 1);
	c->change = (enum fo_rec_change)get_u(d, 1);
	if (c->change >= FO_CHANGE_N)
		d->bad = 1;
	c->diff = get_str(d, &c->diff_len, 0);
}

int fo__rec_parse(const void *p, size_t n, struct fo_rec *r)
{
	struct rd d = { p, p ? n : 0, 0, 0 };
	size_t len, i;
	uint64_t nc;

	memset(r, 0, sizeof(*r));
	if (get_u(&d, 4) != REC_MAGIC)
		return -EINVAL;
	r->status = get_status(&d);
	r->ms = (int64_t)get_u(&d, 8);
	r->attempts = (int)(int32_t)(uint32_t)get_u(&d, 4);
	r->address = get_str(&d, &len, 1);
	r->out_error = get_str(&d, &len, 1);
	nc = get_u(&d, 4);
	if (d.bad || nc > (d.n - d.off) / REC_CMD_MIN)
		goto bad;
	if (nc && !(r->cmds = calloc((size_t)nc, sizeof(*r->cmds)))) {
		memset(r, 0, sizeof(*r));
		return -ENOMEM;
	}
	r->ncmds = (size_t)nc;
	for (i = 0; i < r->ncmds && !d.bad; i++)
		get_cmd(&d, &r->cmds[i]);
	if (!d.bad && d.off == d.n)
		return 0;
bad:
	fo__rec_release(r);
	return -EINVAL;
}

void fo__rec_release(struct fo_rec *r)
{
	free(r->cmds);
	memset(r, 0, sizeof(*r));
}
