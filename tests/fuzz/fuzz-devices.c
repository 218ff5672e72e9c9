/*
 * libFuzzer target: the simulated devices' CLI (src/devices/engine.c),
 * which `fanout devices` feeds whatever an SSH client types. The first
 * byte picks the platform, the fault and whether a secret is set; the
 * rest is typed into a shell session in pieces (so lines, pagers and
 * questions split anywhere), then run as exec commands line by line. The
 * engine must never crash, read out of bounds or grow without bound; a
 * second session on the same device then sees whatever configuration the
 * first left.
 *   scripts/fuzz.sh [seconds]
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/devices/engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void feed(struct fo_dev *d, const char *in, size_t n)
{
	struct fo_sbuf out = { 0 };
	struct fo_dev_sess *s = fo_dev_sess_open(d, false, &out);
	size_t i = 0;

	if (!s) {
		free(out.p);
		return;
	}
	while (i < n) {
		size_t k = 1 + (unsigned char)in[i] % 17; /* piece sizes from the input itself */
		int act;

		if (k > n - i)
			k = n - i;
		act = fo_dev_sess_input(s, in + i, k, &out);
		i += k;
		if (act & FO_DEV_FLOODING)
			fo_dev_sess_flood(s, 4096, &out);
		if (act & (FO_DEV_CLOSE | FO_DEV_DROP_NOW | FO_DEV_HANG_NOW))
			break;
		if (out.len > (1u << 20))
			fo_sbuf_reset(&out);
	}
	fo_dev_sess_close(s);
	free(out.p);
}

static void exec_lines(struct fo_dev *d, const char *in, size_t n)
{
	struct fo_sbuf out = { 0 };
	char line[512];
	size_t i = 0;

	while (i < n) {
		size_t e = i;
		struct fo_dev_sess *s;

		while (e < n && in[e] != '\n')
			e++;
		if (e - i < sizeof(line)) {
			memcpy(line, in + i, e - i);
			line[e - i] = 0;
			s = fo_dev_sess_open(d, true, NULL);
			if (s) {
				fo_dev_exec(s, line, &out);
				fo_dev_sess_close(s);
			}
			fo_sbuf_reset(&out);
		}
		i = e + 1;
	}
	free(out.p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fo_dev_fleet_cfg fc = { "admin", "s3cret" };
	enum fo_dev_fault faults[] = { FO_DEV_OK, FO_DEV_BADSECRET, FO_DEV_FLOOD, FO_DEV_DROP };
	struct fo_dev *d;
	unsigned sel;

	if (!size)
		return 0;
	sel = data[0];
	if (sel & 0x40)
		fc.secret = NULL;
	d = fo_dev_new(0x7f010105u, (enum fo_dev_platform)(sel % FO_DEV_NPLATFORMS), faults[(sel >> 3) & 3], &fc);
	if (!d)
		return 0;
	feed(d, (const char *)data + 1, size - 1);
	feed(d, (const char *)data + 1, size - 1); /* the configuration the first left */
	exec_lines(d, (const char *)data + 1, size - 1);
	fo_dev_free(d);
	return 0;
}
