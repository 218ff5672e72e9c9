/*
 * The fleet of `fanout devices` laid out from its flags: the addresses
 * (from --base up, skipping .0 and .255 in the last octet, so that no
 * device has an address people read as a network or a broadcast one),
 * the platform of each device (--platforms, interleaved by smooth
 * weighted round robin: every stretch of the fleet has the mix, and the
 * totals are exact for a multiple of the weights' sum), the fault of
 * each (--fault ranges, a later one winning), and the files that tell
 * clients about it: a nornir hosts.yaml and a known_hosts file.
 *
 * Memory: 6 bytes a device here (address, platform, fault index).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../cli/cli.h"
#include "../util/file.h"
#include "fanout/runtime.h"
#include "server_int.h"

#define LAST_ADDR 0x7ffffffeu /* 127.255.255.254 */
#define DEFAULT_SLOW (1 * FO_SEC)

#define PLATFORM_FORMS                                                                              \
	"platforms as NAME[:WEIGHT],... such as ios:60,nxos:10,eos:10,junos:15,iosxr:5 (names: ios, " \
	"nxos, eos, junos, iosxr; weights whole numbers, at least one above 0)"
#define FAULT_FORMS                                                                                    \
	"KIND=RANGE with KIND hang, drop, slow, badsecret, flood, hostkey, diskfull or corrupt (slow=RANGE:DUR for a think " \
	"time) and RANGE an address, ADDR/PREFIX or FIRST-LAST in 127.0.0.0/8 holding some of the devices"

char *fo__addr_text(uint32_t addr, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 255, (addr >> 8) & 255, addr & 255);
	return buf;
}

static bool addr_parse(const char *s, size_t n, uint32_t *out)
{
	char buf[INET_ADDRSTRLEN];
	struct in_addr a;

	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = 0;
	if (inet_pton(AF_INET, buf, &a) != 1)
		return false;
	*out = ntohl(a.s_addr);
	return true;
}

/* A usable device address: not .0 or .255 in the last octet. */
static uint32_t next_usable(uint32_t a)
{
	while ((a & 255) == 0 || (a & 255) == 255)
		a++;
	return a;
}

static int lay_addresses(struct fo__fleet *f, const struct fo_devices_cfg *cfg)
{
	uint32_t a = 0;
	size_t i;
	char count[24];

	addr_parse(cfg->base, strlen(cfg->base), &a);
	a = next_usable(a);
	for (i = 0; i < f->n; i++) {
		if (a > LAST_ADDR) {
			char forms[160];

			snprintf(forms, sizeof(forms),
				 "a number of devices that fits in 127.0.0.0/8 from --base %s: at most %zu", cfg->base,
				 i);
			snprintf(count, sizeof(count), "%ld", cfg->count);
			return fo_cli_bad("--count", count, forms);
		}
		f->addr[i] = a;
		a = next_usable(a + 1);
	}
	return 0;
}

/* --platforms: NAME[:WEIGHT],... into weights per platform. */
static int parse_mix(const char *mix, unsigned long w[FO_DEV_NPLATFORMS])
{
	const char *p = mix;
	unsigned long sum = 0;

	memset(w, 0, sizeof(unsigned long) * FO_DEV_NPLATFORMS);
	while (*p) {
		size_t n = strcspn(p, ",:"), k;
		char name[32];
		uint64_t weight = 1;
		int plat;

		if (n == 0 || n >= sizeof(name))
			return -EINVAL;
		memcpy(name, p, n);
		name[n] = 0;
		plat = fo_dev_platform_parse(name);
		if (plat < 0)
			return -EINVAL;
		p += n;
		if (*p == ':') {
			char num[16];

			k = strcspn(++p, ",");
			if (k == 0 || k >= sizeof(num))
				return -EINVAL;
			memcpy(num, p, k);
			num[k] = 0;
			if (fo_cli_uint(num, 0, 1000000, &weight) < 0)
				return -EINVAL;
			p += k;
		}
		w[plat] += (unsigned long)weight;
		sum += (unsigned long)weight;
		if (*p == ',' && !*++p)
			return -EINVAL;
	}
	return sum > 0 ? 0 : -EINVAL;
}

/* Smooth weighted round robin (nginx's): each device goes to the platform
 * furthest behind its share. */
static void lay_platforms(struct fo__fleet *f, const unsigned long w[FO_DEV_NPLATFORMS])
{
	long cur[FO_DEV_NPLATFORMS] = { 0 }, total = 0;
	size_t i;
	int p, best;

	for (p = 0; p < FO_DEV_NPLATFORMS; p++)
		total += (long)w[p];
	for (i = 0; i < f->n; i++) {
		best = -1;
		for (p = 0; p < FO_DEV_NPLATFORMS; p++) {
			if (!w[p])
				continue;
			cur[p] += (long)w[p];
			if (best < 0 || cur[p] > cur[best])
				best = p;
		}
		cur[best] -= total;
		f->plat[i] = (unsigned char)best;
		f->per_plat[best]++;
	}
}

static const char *const fault_names[] = {
	[FO_DEV_HANG] = "hang",	  [FO_DEV_DROP] = "drop",   [FO_DEV_SLOW] = "slow",
	[FO_DEV_BADSECRET] = "badsecret", [FO_DEV_FLOOD] = "flood", [FO_DEV_HOSTKEY] = "hostkey",
	[FO_DEV_DISKFULL] = "diskfull", [FO_DEV_CORRUPT] = "corrupt",
};

/* RANGE: ADDR, ADDR/PREFIX or FIRST-LAST. */
static int parse_range(const char *s, size_t n, uint32_t *lo, uint32_t *hi)
{
	const char *slash = memchr(s, '/', n), *dash = memchr(s, '-', n);

	if (slash) {
		uint64_t bits;
		char num[4];
		size_t k = n - (size_t)(slash + 1 - s);

		if (k == 0 || k >= sizeof(num) || !addr_parse(s, (size_t)(slash - s), lo))
			return -EINVAL;
		memcpy(num, slash + 1, k);
		num[k] = 0;
		if (fo_cli_uint(num, 8, 32, &bits) < 0)
			return -EINVAL;
		*lo &= bits == 32 ? 0xffffffffu : ~(0xffffffffu >> bits);
		*hi = *lo | (bits == 32 ? 0 : 0xffffffffu >> bits);
	} else if (dash) {
		if (!addr_parse(s, (size_t)(dash - s), lo) || !addr_parse(dash + 1, n - (size_t)(dash + 1 - s), hi) ||
		    *hi < *lo)
			return -EINVAL;
	} else {
		if (!addr_parse(s, n, lo))
			return -EINVAL;
		*hi = *lo;
	}
	return (*lo >> 24) == 127 && (*hi >> 24) == 127 ? 0 : -EINVAL;
}

/* KIND=RANGE[:DUR] (DUR for slow only). */
static int parse_fault(const char *spec, struct fo__fault *fl)
{
	const char *eq = strchr(spec, '='), *r, *colon;
	size_t k;
	int kind = -1;

	if (!eq)
		return -EINVAL;
	for (k = 1; k < sizeof(fault_names) / sizeof(fault_names[0]); k++)
		if (fault_names[k] && strlen(fault_names[k]) == (size_t)(eq - spec) &&
		    !memcmp(spec, fault_names[k], (size_t)(eq - spec)))
			kind = (int)k;
	if (kind < 0)
		return -EINVAL;
	memset(fl, 0, sizeof(*fl));
	fl->kind = (enum fo_dev_fault)kind;
	fl->slow = DEFAULT_SLOW;
	r = eq + 1;
	colon = strchr(r, ':');
	if (colon && (kind != FO_DEV_SLOW || fo_duration_parse(colon + 1, &fl->slow) < 0 || fl->slow < 0 ||
		      fl->slow > 3600 * FO_SEC))
		return -EINVAL;
	return parse_range(r, colon ? (size_t)(colon - r) : strlen(r), &fl->lo, &fl->hi);
}

/* Device indexes in [lo, hi] by binary search (addresses ascend). */
static size_t lower_bound(const struct fo__fleet *f, uint32_t a)
{
	size_t lo = 0, hi = f->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->addr[mid] < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int lay_faults(struct fo__fleet *f, const struct fo_devices_cfg *cfg)
{
	size_t k, i;

	if (cfg->faults.n > 255) {
		fprintf(stderr, "fanout: at most 255 --fault flags, not %zu\n", cfg->faults.n);
		return 2;
	}
	f->faults = calloc(cfg->faults.n + 1, sizeof(*f->faults));
	if (!f->faults)
		return 1;
	for (k = 0; k < cfg->faults.n; k++) {
		struct fo__fault *fl = &f->faults[k];
		size_t from, to;

		if (parse_fault(cfg->faults.v[k], fl) < 0)
			return fo_cli_bad("--fault", cfg->faults.v[k], FAULT_FORMS);
		from = lower_bound(f, fl->lo);
		to = fl->hi == 0xffffffffu ? f->n : lower_bound(f, fl->hi + 1);
		if (from >= to)
			return fo_cli_bad("--fault", cfg->faults.v[k], FAULT_FORMS);
		for (i = from; i < to; i++)
			f->fault[i] = (unsigned char)(k + 1);
	}
	f->nfaults = cfg->faults.n;
	for (i = 0; i < f->n; i++)
		if (f->fault[i])
			f->faults[f->fault[i] - 1].devices++;
	return 0;
}

int fo__fleet_init(struct fo__fleet *f, const struct fo_devices_cfg *cfg)
{
	unsigned long w[FO_DEV_NPLATFORMS];
	int rc;

	memset(f, 0, sizeof(*f));
	if (parse_mix(cfg->platforms, w) < 0)
		return fo_cli_bad("--platforms", cfg->platforms, PLATFORM_FORMS);
	f->n = (size_t)cfg->count;
	f->addr = calloc(f->n, sizeof(*f->addr));
	f->plat = calloc(f->n, 1);
	f->fault = calloc(f->n, 1);
	if (!f->addr || !f->plat || !f->fault) {
		fprintf(stderr, "fanout: out of memory for %zu devices\n", f->n);
		return 1;
	}
	if ((rc = lay_addresses(f, cfg)) != 0)
		return rc;
	lay_platforms(f, w);
	return lay_faults(f, cfg);
}

void fo__fleet_release(struct fo__fleet *f)
{
	free(f->addr);
	free(f->plat);
	free(f->fault);
	free(f->faults);
	memset(f, 0, sizeof(*f));
}

enum fo_dev_fault fo__fleet_fault(const struct fo__fleet *f, size_t i, int64_t *slow)
{
	const struct fo__fault *fl = f->fault[i] ? &f->faults[f->fault[i] - 1] : NULL;

	*slow = fl ? fl->slow : 0;
	return fl ? fl->kind : FO_DEV_OK;
}

static void addf(struct fo_sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void addf(struct fo_sbuf *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		fo_sbuf_add(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

void fo__fleet_describe(const struct fo__fleet *f, long port, struct fo_sbuf *out)
{
	char a[16], b[16];
	const char *sep = " (";
	size_t k;
	int p;

	addf(out, "%zu device%s on %s", f->n, f->n == 1 ? "" : "s", fo__addr_text(f->addr[0], a, sizeof(a)));
	if (f->n > 1)
		addf(out, "-%s", fo__addr_text(f->addr[f->n - 1], b, sizeof(b)));
	addf(out, " port %ld", port);
	for (p = 0; p < FO_DEV_NPLATFORMS; p++) {
		if (!f->per_plat[p])
			continue;
		addf(out, "%s%s %zu", sep, fo_dev_platform_name((enum fo_dev_platform)p), f->per_plat[p]);
		sep = ", ";
	}
	fo_sbuf_add(out, ")", 1);
	sep = "; faults: ";
	for (k = 0; k < f->nfaults; k++) {
		if (!f->faults[k].devices)
			continue;
		addf(out, "%s%s %zu", sep, fault_names[f->faults[k].kind], f->faults[k].devices);
		sep = ", ";
	}
}

/* A YAML scalar in single quotes (' doubled): any text stays text. */
static void yaml_str(FILE *o, const char *s)
{
	fputc('\'', o);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', o);
		fputc(*s, o);
	}
	fputc('\'', o);
}

static int write_hosts(FILE *o, const struct fo__fleet *f, const struct fo_devices_cfg *cfg, long port)
{
	struct fo_dev_fleet_cfg fc = { cfg->user, cfg->secret };
	char a[16];
	size_t i;

	fputs("# fanout devices: the simulated fleet, as a nornir SimpleInventory hosts.yaml\n---\n", o);
	for (i = 0; i < f->n; i++) {
		int64_t slow;
		enum fo_dev_fault fault = fo__fleet_fault(f, i, &slow);
		struct fo_dev *d = fo_dev_new(f->addr[i], (enum fo_dev_platform)f->plat[i], fault, &fc);

		if (!d)
			return -ENOMEM;
		fprintf(o, "%s:\n  hostname: %s\n  port: %ld\n  username: ", fo_dev_name(d),
			fo__addr_text(f->addr[i], a, sizeof(a)), port);
		fo_dev_free(d);
		yaml_str(o, cfg->user);
		fputs("\n  password: ", o);
		yaml_str(o, cfg->password);
		fprintf(o, "\n  platform: %s\n  data:\n    secret: ", fo_dev_platform_name((enum fo_dev_platform)f->plat[i]));
		yaml_str(o, cfg->secret); /* the enable secret, as netmiko reads it */
		fputc('\n', o);
		if (fault != FO_DEV_OK)
			fprintf(o, "    fault: %s\n", fault_names[fault]);
	}
	return 0;
}

int fo__fleet_write_inventory(const struct fo__fleet *f, const struct fo_devices_cfg *cfg, long port,
			      const char *path)
{
	struct fo_wfile w;
	struct stat st;
	char *full = NULL;
	int e;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		size_t n = strlen(path) + sizeof("/hosts.yaml");

		full = malloc(n);
		if (!full)
			return 1;
		snprintf(full, n, "%s/hosts.yaml", path);
		path = full;
	}
	e = fo__wfile_open(&w, path, 0600);
	if (!e) {
		e = write_hosts(w.f, f, cfg, port);
		if (e)
			fo__wfile_abort(&w);
		else
			e = fo__wfile_commit(&w, false);
	}
	if (e)
		fprintf(stderr, "fanout: cannot write inventory '%s': %s\n", path, strerror(-e));
	free(full);
	return e ? 1 : 0;
}

int fo__fleet_write_known_hosts(const struct fo__fleet *f, long port, const char *type, const char *b64,
				const char *path)
{
	struct fo_wfile w;
	char a[16];
	size_t i;
	int e = fo__wfile_open(&w, path, 0644);

	if (!e) {
		for (i = 0; i < f->n; i++) {
			if (port == 22)
				fprintf(w.f, "%s %s %s\n", fo__addr_text(f->addr[i], a, sizeof(a)), type, b64);
			else
				fprintf(w.f, "[%s]:%ld %s %s\n", fo__addr_text(f->addr[i], a, sizeof(a)), port, type,
					b64);
		}
		e = fo__wfile_commit(&w, false);
	}
	if (e)
		fprintf(stderr, "fanout: cannot write known hosts '%s': %s\n", path, strerror(-e));
	return e ? 1 : 0;
}
