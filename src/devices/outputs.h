/*
 * What a simulated device prints for its show commands, shared by the
 * device engine (engine.c) and the SSH fixture's devsim
 * (tests/fixtures/ssh/devsim.c), so that both print the same bytes.
 *
 * Everything is derived from the device's address and platform: a
 * PRNG seeded by the address (struct fo__devid's seed), reseeded by each
 * command with its own salt, so a command's output does not depend on what
 * ran before it and every login sees the same. Outputs are text with \n
 * line ends; the caller turns them into \r\n.
 *
 * The generators of ios and junos were devsim's and print its bytes
 * exactly (tests/test-devices.c checks checksums recorded before the
 * move). One thing they still depend on: where one call's arguments hold
 * several random draws, devsim's bytes came from gcc's order of evaluating
 * arguments: right to left. The draws are now sequenced by hand in that
 * order (into locals, or with fo__rndv), so any compiler prints the same
 * bytes; new generators draw into locals too.
 */
#ifndef FO_DEVICES_OUTPUTS_H
#define FO_DEVICES_OUTPUTS_H

#include <stdint.h>

#include "../util/sbuf.h"
#include "engine.h"

/* What a device's outputs are made from. */
struct fo__devid {
	uint32_t addr; /* host byte order */
	unsigned o2, o3, o4;
	char name[32], user[64];
	enum fo_dev_platform platform;
	uint64_t seed;
};

/* One output being generated: where it goes, for which device, the PRNG. */
struct fo__gen {
	struct fo_sbuf *b;
	const struct fo__devid *d;
	uint64_t rng;
	long long now; /* seconds since the epoch for show clock; 0: a fixed time */
};

typedef void (*fo__gen_fn)(struct fo__gen *g);

/* A show command of a platform: its full words and its generator. */
struct fo__show {
	const char *words;
	fo__gen_fn gen;
};

/* name "dev-O2-O3-O4", seed from addr; user NULL: "admin" */
void fo__devid_init(struct fo__devid *d, uint32_t addr, enum fo_dev_platform p, const char *user);

/* Appends to b (formatted / a string); failures set b->oom. */
void fo__addf(struct fo_sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fo__adds(struct fo_sbuf *b, const char *s);

/* Runs gen for d into b (now as in struct fo__gen). */
void fo__gen_run(fo__gen_fn gen, const struct fo__devid *d, long long now, struct fo_sbuf *b);

/* The PRNG (splitmix64) and the pieces every platform's outputs use. */
uint64_t fo__rnd(struct fo__gen *g);
unsigned fo__rndn(struct fo__gen *g, unsigned n);
void fo__reseed(struct fo__gen *g, unsigned salt);
const char *fo__pick(struct fo__gen *g, const char *const *v, unsigned n);
/* r[i] = fo__rndn(g, lim[i]) for i < n, drawn from the last to the first:
 * the order of devsim's arguments (outputs.h's opening comment) */
void fo__rndv(struct fo__gen *g, unsigned *r, const unsigned *lim, size_t n);

extern const char *const fo__sites[8], *const fo__roles[4], *const fo__descs[10];
unsigned fo__nports(const struct fo__devid *d);
int fo__if_up(const struct fo__devid *d, unsigned i);
const char *fo__site(const struct fo__devid *d);
const char *fo__role(const struct fo__devid *d);
const char *fo__model(const struct fo__devid *d);
void fo__serial(const struct fo__devid *d, char *s, size_t n);
unsigned fo__uptime_min(const struct fo__devid *d);
void fo__uptime_str(const struct fo__devid *d, char *s, size_t n);
unsigned fo__nvlans(const struct fo__devid *d);
/* An access port's VLAN and description word (nxos, eos, iosxr: the same
 * in every output, drawn from no PRNG) */
unsigned fo__port_vlan(const struct fo__devid *d, unsigned i);
const char *fo__port_desc(const struct fo__devid *d, unsigned i);
/* show clock's time: now, or 2025-03-04 09:15:00 UTC when now is 0 */
long long fo__gen_time(const struct fo__gen *g);

/*
 * One output filter, the text after a '|', as devsim has always applied
 * it: include/exclude/begin (any prefix of the word: "inc"), count,
 * match/except (Junos). Filters the text in out in place. Returns 0, or
 * -1 when the filter is none of these (out is left as it was: devsim
 * ignores no-more and the rest; the engine handles more filters itself).
 */
int fo__out_filter(struct fo_sbuf *out, const char *filter);

/* The show commands per platform, NULL-terminated. */
extern const struct fo__show fo__show_ios[], fo__show_junos[], fo__show_nxos[], fo__show_eos[],
	fo__show_iosxr[];
const struct fo__show *fo__show_table(enum fo_dev_platform p);

/* Generators the engine calls by name (its running configurations are
 * these, parsed, then changed). */
void fo__ios_running(struct fo__gen *g);
void fo__ios_startup(struct fo__gen *g);
void fo__jn_config(struct fo__gen *g);
void fo__nxos_running(struct fo__gen *g);
void fo__eos_running(struct fo__gen *g);
void fo__iosxr_running(struct fo__gen *g);

#endif
