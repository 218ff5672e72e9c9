/*
 * The pieces every platform's show outputs are made of (outputs.h says
 * how outputs are derived from the address): the PRNG, what a device is
 * (ports, site, model, serial, uptime), appending to a buffer, and the
 * output filters devsim has always applied.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outputs.h"

/* ---- the PRNG: splitmix64 -------------------------------------------- */

uint64_t fo__rnd(struct fo__gen *g)
{
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

unsigned fo__rndn(struct fo__gen *g, unsigned n)
{
	return n ? (unsigned)(fo__rnd(g) % n) : 0;
}

/* Each command reseeds, so its output does not depend on what ran before. */
void fo__reseed(struct fo__gen *g, unsigned salt)
{
	g->rng = g->d->seed ^ ((uint64_t)salt * 0x100000001b3ULL);
}

const char *fo__pick(struct fo__gen *g, const char *const *v, unsigned n)
{
	return v[fo__rndn(g, n)];
}

void fo__devid_init(struct fo__devid *d, uint32_t addr, enum fo_dev_platform p, const char *user)
{
	struct fo__gen g = { .d = d, .rng = addr };

	memset(d, 0, sizeof(*d));
	d->addr = addr;
	d->o2 = addr >> 16 & 255;
	d->o3 = addr >> 8 & 255;
	d->o4 = addr & 255;
	d->platform = p;
	snprintf(d->name, sizeof(d->name), "dev-%u-%u-%u", d->o2, d->o3, d->o4);
	snprintf(d->user, sizeof(d->user), "%s", user && *user ? user : "admin");
	d->seed = fo__rnd(&g);
}

/* ---- appending ---------------------------------------------------------- */

void fo__adds(struct fo_sbuf *b, const char *s)
{
	fo_sbuf_add(b, s, strlen(s));
}

void fo__addf(struct fo_sbuf *b, const char *fmt, ...)
{
	char tmp[2048], *p = tmp;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(tmp)) {
		p = malloc((size_t)n + 1);
		if (!p) {
			b->oom = true;
			return;
		}
		va_start(ap, fmt);
		vsnprintf(p, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	fo_sbuf_add(b, p, (size_t)n);
	if (p != tmp)
		free(p);
}

void fo__gen_run(fo__gen_fn gen, const struct fo__devid *d, long long now, struct fo_sbuf *b)
{
	struct fo__gen g = { .b = b, .d = d, .rng = d->seed, .now = now };

	gen(&g);
}

long long fo__gen_time(const struct fo__gen *g)
{
	return g->now ? g->now : 1741079700LL; /* 2025-03-04 09:15:00 UTC */
}

/* ---- what a device is made of ------------------------------------------- */

const char *const fo__sites[8] = { "ams1", "fra2", "lon3", "nyc1", "sjc2", "sin1", "syd4", "par1" };
const char *const fo__roles[4] = { "access", "distribution", "core", "edge" };
const char *const fo__descs[10] = { "user-desk", "printer", "ap-ceiling", "camera", "voip-phone",
				    "uplink-spare", "lab-bench", "badge-reader", "kiosk", "conf-room" };

static const char *const models[FO_DEV_NPLATFORMS][4] = {
	[FO_DEV_IOS] = { "C9300-48P", "C9300-24T", "C9200L-48P-4X", "C3850-48T" },
	[FO_DEV_JUNOS] = { "ex4300-48t", "ex3400-24p", "qfx5120-48y", "mx204" },
	[FO_DEV_NXOS] = { "N9K-C93180YC-FX", "N9K-C9348GC-FXP", "N9K-C93108TC-FX", "N9K-C9336C-FX2" },
	[FO_DEV_EOS] = { "DCS-7050SX3-48YC8", "DCS-7280SR3-48YC8", "DCS-7050TX3-48C8", "CCS-720XP-48Y6" },
	[FO_DEV_IOSXR] = { "ASR-9901", "NCS-540-28Z4C-SYS-A", "NCS-55A1-24H", "ASR-9903" },
};

unsigned fo__nports(const struct fo__devid *d)
{
	return 24 + (unsigned)(d->seed % 4) * 24; /* 24..96 access ports */
}

int fo__if_up(const struct fo__devid *d, unsigned i)
{
	return ((d->seed >> (i % 61)) ^ i) % 5 != 0 || i >= fo__nports(d);
}

/* A hash of (seed, i) for what a port is (no PRNG: every output of the
 * port agrees without drawing in the same order). */
static uint64_t port_hash(const struct fo__devid *d, unsigned i, uint64_t salt)
{
	uint64_t h = d->seed ^ ((uint64_t)(i + 1) * 0x9e3779b97f4a7c15ULL) ^ salt;

	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
	return h ^ (h >> 31);
}

unsigned fo__port_vlan(const struct fo__devid *d, unsigned i)
{
	return 100 + (unsigned)(port_hash(d, i, 1) % fo__nvlans(d)) * 10;
}

const char *fo__port_desc(const struct fo__devid *d, unsigned i)
{
	return fo__descs[port_hash(d, i, 2) % 10];
}

unsigned fo__nvlans(const struct fo__devid *d)
{
	return 4 + (unsigned)(d->seed % 12);
}

const char *fo__site(const struct fo__devid *d)
{
	return fo__sites[d->seed % 8];
}

const char *fo__role(const struct fo__devid *d)
{
	return fo__roles[(d->seed >> 8) % 4];
}

const char *fo__model(const struct fo__devid *d)
{
	return models[d->platform < FO_DEV_NPLATFORMS ? d->platform : FO_DEV_IOS][(d->seed >> 16) % 4];
}

void fo__serial(const struct fo__devid *d, char *s, size_t n)
{
	snprintf(s, n, "FOC%02u%02u%04X", d->o2 % 100, d->o3 % 100, (unsigned)(d->seed >> 32) & 0xffff);
}

unsigned fo__uptime_min(const struct fo__devid *d)
{
	return 1000 + (unsigned)((d->seed >> 20) % 500000);
}

void fo__uptime_str(const struct fo__devid *d, char *s, size_t n)
{
	unsigned m = fo__uptime_min(d);

	snprintf(s, n, "%u weeks, %u days, %u hours, %u minutes", m / 10080, m / 1440 % 7, m / 60 % 24,
		 m % 60);
}

const struct fo__show *fo__show_table(enum fo_dev_platform p)
{
	switch (p) {
	case FO_DEV_JUNOS:
		return fo__show_junos;
	case FO_DEV_NXOS:
		return fo__show_nxos;
	case FO_DEV_EOS:
		return fo__show_eos;
	case FO_DEV_IOSXR:
		return fo__show_iosxr;
	default:
		return fo__show_ios;
	}
}

/* ---- filters ------------------------------------------------------------- */

int fo__out_filter(struct fo_sbuf *out, const char *filter)
{
	char kind[32] = "", pat[256] = "";
	size_t w = 0, lines = 0;
	int mode, begun = 0;

	if (sscanf(filter, " %31s %255[^\n]", kind, pat) < 1)
		return -1;
	if (!strncmp(kind, "include", strlen(kind)) || !strcmp(kind, "match"))
		mode = 1;
	else if (!strncmp(kind, "exclude", strlen(kind)) || !strcmp(kind, "except"))
		mode = 2;
	else if (!strncmp(kind, "begin", strlen(kind)))
		mode = 3;
	else if (!strcmp(kind, "count"))
		mode = 4;
	else
		return -1;
	for (size_t r = 0; r < out->len;) {
		char *nl = memchr(out->p + r, '\n', out->len - r);
		size_t end = nl ? (size_t)(nl - out->p) + 1 : out->len, n = end - r;
		char save = out->p[end - 1];
		int keep, has;

		out->p[end - 1] = '\0';
		has = strstr(out->p + r, pat) != NULL;
		out->p[end - 1] = save;
		keep = mode == 1 ? has : mode == 2 ? !has : mode == 3 ? (begun |= has) : has || !pat[0];
		if (mode == 4) {
			lines += keep;
		} else if (keep) {
			memmove(out->p + w, out->p + r, n);
			w += n;
		}
		r = end;
	}
	out->len = w;
	if (out->p)
		out->p[w] = '\0';
	if (mode == 4)
		fo__addf(out, "Count: %zu lines\n", lines);
	return 0;
}

void fo__rndv(struct fo__gen *g, unsigned *r, const unsigned *lim, size_t n)
{
	while (n-- > 0)
		r[n] = fo__rndn(g, lim[n]);
}
