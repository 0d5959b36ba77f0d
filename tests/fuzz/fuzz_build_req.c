/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the requests built from our INVITE (dataplane/sip/build_req.c, used by
 * the transaction layer for the ACK of a non-2xx final and by the call layer for CANCEL): the
 * input is split into an "INVITE" and a response To value; the builders must stay inside their
 * buffer whatever the bytes, return -1 or a length <= the capacity, and what they write must
 * start with the method and end with the empty line. sip_header_value() must return a span
 * inside the message.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dataplane/sip/build_req.h"

#define CHECK(c)                                                                                  \
	do {                                                                                      \
		if (!(c))                                                                         \
			__builtin_trap();                                                         \
	} while (0)

static void
check_out(const uint8_t *out, int n, size_t cap, const char *method)
{
	size_t ml = strlen(method);

	CHECK(n == -1 || (n > 0 && (size_t)n <= cap));
	if (n <= 0)
		return;
	CHECK((size_t)n > ml + 4 && memcmp(out, method, ml) == 0 && out[ml] == ' ');
	CHECK(memcmp(out + n - 4, "\r\n\r\n", 4) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[4096];
	size_t split, cap;
	struct sf_span to, v;
	int n;

	if (size < 2)
		return 0;
	cap = (size_t)data[0] * 16 + 1; /* 1 .. 4081 */
	data++;
	size--;
	split = size;
	/* the To value is whatever follows the last NUL byte, if any */
	for (size_t i = size; i > 0; i--)
		if (data[i - 1] == 0) {
			split = i - 1;
			break;
		}
	to = split < size ? sf_span_of(data + split + 1, size - split - 1)
			  : (struct sf_span){NULL, 0};
	if (size > UINT16_MAX)
		return 0;

	v = sip_header_value(data, split, "Via", 'v');
	CHECK(v.len == 0 || (v.p >= data && v.p + v.len <= data + split));
	v = sip_header_value(data, split, "Call-ID", 'i');
	CHECK(v.len == 0 || (v.p >= data && v.p + v.len <= data + split));

	n = sip_build_ack(out, cap, data, split, to);
	check_out(out, n, cap, "ACK");
	n = sip_build_cancel(out, cap, data, split);
	check_out(out, n, cap, "CANCEL");
	return 0;
}
