/*
 * libFuzzer harness for the HTTP request-head parser (src/serve/http.c):
 * whatever the bytes, it returns a head length within the input (and the
 * fields it points at lie inside the head), MORE, BAD or BIG.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/serve/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fo_http_req r;
	char *buf = malloc(size ? size : 1);
	int h;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	h = fo_http_parse(buf, size, 1024, &r);
	if (h > 0) {
		if ((size_t)h > size || r.head_len != (size_t)h)
			abort();
		if (r.method < buf || r.method + r.method_len > buf + h || r.target < buf ||
		    r.target + r.target_len > buf + h || !r.method_len || !r.target_len)
			abort();
		if (r.chunked && r.content_length >= 0)
			abort();
	} else if (h != FO_HTTP_MORE && h != FO_HTTP_BAD && h != FO_HTTP_BIG) {
		abort();
	}
	free(buf);
	return 0;
}
