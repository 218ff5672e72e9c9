/*
 * libFuzzer harness for the URL resolver of `fanout links`
 * (src/links/url.c over libcurl's URL API). The input is a base and a link
 * split at the first NUL (no NUL: the link alone, against RFC 3986's
 * example base). Resolving must fail with a message, or give a kind and:
 *   - for a URL (http, file, same page): printable, no spaces, and a fixed
 *     point: resolved again, alone, it comes back unchanged, as itself and
 *     as the base of an empty link; its host key and scope work;
 *   - for a skipped or unsupported link: a lowercase scheme.
 * Runs under a UTF-8 locale, so that IDN hosts go through punycode.
 *   scripts/fuzz.sh [seconds]
 */
#include <errno.h>
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/links/url.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setlocale(LC_CTYPE, "C.UTF-8");
	return 0;
}

static char out[2 * FO_URL_MAX + 8], again[2 * FO_URL_MAX + 8];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1), err[256], key[FO_URL_MAX + 64];
	const char *base = "http://a/b/c/d;p?q", *ref, *frag, *frag2, *p;
	int k, k2;

	if (!in)
		return 0;
	memcpy(in, data, size);
	in[size] = 0;
	ref = in;
	if (strlen(in) < size) { /* a NUL: base, then the link */
		base = in;
		ref = in + strlen(in) + 1;
	}
	err[0] = 0;
	k = fo_url_resolve(base, ref, out, sizeof(out), &frag, err, sizeof(err));
	if (k < 0) {
		if (k != -EINVAL && k != -ENAMETOOLONG && k != -ENOMEM)
			abort();
		if (!err[0] && k != -ENOMEM)
			abort();
		if (!memchr(err, 0, sizeof(err)) || out[0])
			abort();
	} else if (k == FO_URL_SKIPPED || k == FO_URL_UNSUPPORTED) {
		if (!out[0] || frag)
			abort();
		for (p = out; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.'))
				abort();
	} else if (k == FO_URL_HTTP || k == FO_URL_FILE || k == FO_URL_SAME_PAGE) {
		if (strlen(out) > FO_URL_MAX || (frag && (!*frag || frag != out + strlen(out) + 1)))
			abort();
		for (p = out; *p; p++)
			if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '#')
				abort();
		k2 = fo_url_resolve(NULL, out, again, sizeof(again), &frag2, err, sizeof(err));
		if ((k2 != FO_URL_HTTP && k2 != FO_URL_FILE) || strcmp(out, again) || frag2)
			abort();
		if (k != FO_URL_SAME_PAGE && k2 != k)
			abort();
		k2 = fo_url_resolve(out, "", again, sizeof(again), &frag2, err, sizeof(err));
		if (k2 != FO_URL_SAME_PAGE || strcmp(out, again) || frag2)
			abort();
		if (fo_url_host_key(out, key, sizeof(key)) != 0 || !fo_url_in_scope(out, out))
			abort();
		if (k2 == FO_URL_FILE && strcmp(key, "file://"))
			abort();
	} else {
		abort();
	}
	free(in);
	return 0;
}
