/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stateless responses (sip/build.c) on exact-size heap copies: Via copied with received and
 * rport (RFC 3261 18.2.2, RFC 3581), From/Call-ID/CSeq byte-identical, a deterministic To tag,
 * Content-Length 0, no Server header unless asked, and the challenge header.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dataplane/sip/build.h"
#include "dataplane/sip/scan.h"

#define IP_203_0_113_5 0x057100cbu /* 203.0.113.5, network byte order on a little-endian host */

static const char opt_rport[] =
	"OPTIONS sip:10.99.0.1 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 192.168.1.10:5060;branch=z9hG4bK776asdhds;rport\r\n"
	"v: SIP/2.0/UDP proxy.example.com;branch=z9hG4bK1, SIP/2.0/UDP p2.example.com;branch=z9hG4bK2\r\n"
	"Max-Forwards: 70\r\n"
	"f: \"Alice\" <sip:alice@example.com>;tag=1928301774\r\n"
	"t: <sip:10.99.0.1>\r\n"
	"i: a84b4c76e66710@pc33.example.com\r\n"
	"CSeq: 63104 OPTIONS\r\n"
	"Content-Length: 0\r\n\r\n";

struct built {
	char out[2048];
	int len;
};

/* Scan @msg from an exact-size heap copy and build a response into @b. */
static void
build(const char *msg, const struct sip_build_resp *r, struct built *b, size_t cap)
{
	size_t len = strlen(msg);
	uint8_t *copy = malloc(len);
	struct sip_scan s;

	assert_non_null(copy);
	memcpy(copy, msg, len);
	assert_int_equal(sip_scan(copy, len, &s, SIP_WANT_ALL), SIP_SCAN_OK);
	memset(b->out, 0, sizeof(b->out));
	b->len = sip_build_response((uint8_t *)b->out, cap, copy, len, &s, r);
	free(copy);
}

static struct sip_build_resp
resp_200(void)
{
	return (struct sip_build_resp){.code = 200, .reason = SIP_BUILD_LIT("OK"),
				       .src_ip_be = IP_203_0_113_5, .src_port = 40001,
				       .tag_key = 42};
}

static void
test_BUILD_top_via_gets_received_and_rport_value(void **state)
{
	struct sip_build_resp r = resp_200();
	struct built b;

	(void)state;
	build(opt_rport, &r, &b, 2048);
	assert_true(b.len > 0);
	assert_non_null(strstr(b.out, "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.168.1.10:5060;"
				      "branch=z9hG4bK776asdhds;rport=40001;received=203.0.113.5\r\n"));
}

static void
test_BUILD_every_via_copied_in_order(void **state)
{
	struct sip_build_resp r = resp_200();
	struct built b;
	const char *v1, *v2;

	(void)state;
	build(opt_rport, &r, &b, 2048);
	v1 = strstr(b.out, "Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bK1, "
			   "SIP/2.0/UDP p2.example.com;branch=z9hG4bK2\r\n");
	assert_non_null(v1);
	v2 = strstr(b.out, "Via: SIP/2.0/UDP 192.168.1.10");
	assert_true(v2 < v1);
}

static void
test_BUILD_no_rport_param_gets_only_received(void **state)
{
	static const char msg[] = "BYE sip:x@10.99.0.1 SIP/2.0\r\n"
				  "Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKx;rport=1234\r\n"
				  "From: <sip:a@b>;tag=f\r\nTo: <sip:x@10.99.0.1>;tag=t\r\n"
				  "Call-ID: c1\r\nCSeq: 2 BYE\r\n\r\n";
	struct sip_build_resp r = resp_200();
	struct built b;

	(void)state;
	r.code = 481;
	r.reason = SIP_BUILD_LIT("Call/Transaction Does Not Exist");
	build(msg, &r, &b, 2048);
	assert_non_null(strstr(b.out, "SIP/2.0 481 Call/Transaction Does Not Exist\r\n"
				      "Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKx;rport=1234;"
				      "received=203.0.113.5\r\n"));
	/* The To tag the request had is kept, none is added. */
	assert_non_null(strstr(b.out, "\r\nTo: <sip:x@10.99.0.1>;tag=t\r\nCall-ID: c1\r\n"));
}

static void
test_BUILD_from_callid_cseq_copied_and_length_zero(void **state)
{
	struct sip_build_resp r = resp_200();
	struct built b;

	(void)state;
	build(opt_rport, &r, &b, 2048);
	assert_non_null(strstr(b.out, "\r\nFrom: \"Alice\" <sip:alice@example.com>;tag=1928301774\r\n"));
	assert_non_null(strstr(b.out, "\r\nCall-ID: a84b4c76e66710@pc33.example.com\r\n"));
	assert_non_null(strstr(b.out, "\r\nCSeq: 63104 OPTIONS\r\n"));
	assert_true(b.len > 24);
	assert_string_equal(b.out + b.len - 21, "Content-Length: 0\r\n\r\n");
	assert_int_equal((int)strlen(b.out), b.len);
	assert_null(strstr(b.out, "Server:"));
}

static void
test_BUILD_to_tag_minted_deterministically(void **state)
{
	struct sip_build_resp r = resp_200();
	struct built a, b;
	const char *t;

	(void)state;
	build(opt_rport, &r, &a, 2048);
	build(opt_rport, &r, &b, 2048);
	assert_string_equal(a.out, b.out); /* a retransmission gets the same tag */
	t = strstr(a.out, "\r\nTo: <sip:10.99.0.1>;tag=");
	assert_non_null(t);
	assert_int_equal(strspn(t + 26, "0123456789abcdef"), SIP_BUILD_TAG_LEN);
	r.tag_key = 43;
	build(opt_rport, &r, &b, 2048);
	assert_string_not_equal(a.out, b.out);
}

static void
test_BUILD_extra_and_server_headers(void **state)
{
	struct sip_build_resp r = resp_200();
	struct built b;

	(void)state;
	r.extra = SIP_BUILD_LIT("Allow: INVITE\r\n");
	r.server = SIP_BUILD_LIT("sipfast");
	build(opt_rport, &r, &b, 2048);
	assert_non_null(strstr(b.out, "\r\nAllow: INVITE\r\nServer: sipfast\r\nContent-Length: 0\r\n"));
}

static void
test_BUILD_too_small_buffer_fails(void **state)
{
	struct sip_build_resp r = resp_200();
	struct built b;
	int full;

	(void)state;
	build(opt_rport, &r, &b, 2048);
	full = b.len;
	build(opt_rport, &r, &b, (size_t)full - 1);
	assert_int_equal(b.len, -1);
	build(opt_rport, &r, &b, (size_t)full);
	assert_int_equal(b.len, full);
}

static void
test_BUILD_challenge_header(void **state)
{
	uint8_t nonce[SIP_BUILD_NONCE_LEN], n2[SIP_BUILD_NONCE_LEN];
	char out[256] = {0};
	int n;

	(void)state;
	sip_build_nonce(nonce, 7, IP_203_0_113_5, 1000);
	sip_build_nonce(n2, 7, IP_203_0_113_5 + 1, 1000);
	assert_memory_not_equal(nonce, n2, sizeof(nonce));
	assert_memory_equal(nonce, "000003e8", 8);
	n = sip_build_challenge((uint8_t *)out, sizeof(out), false, SIP_BUILD_LIT("sipfast.test"),
				(struct sf_span){nonce, sizeof(nonce)});
	assert_true(n > 0);
	assert_memory_equal(out, "WWW-Authenticate: Digest realm=\"sipfast.test\", nonce=\"", 54);
	assert_string_equal(out + 54 + SIP_BUILD_NONCE_LEN, "\", algorithm=MD5, qop=\"auth\"\r\n");
	n = sip_build_challenge((uint8_t *)out, sizeof(out), true, SIP_BUILD_LIT("r"),
				(struct sf_span){nonce, sizeof(nonce)});
	assert_memory_equal(out, "Proxy-Authenticate: Digest realm=\"r\"", 36);
	assert_int_equal(sip_build_challenge((uint8_t *)out, 20, true, SIP_BUILD_LIT("r"),
					     (struct sf_span){nonce, sizeof(nonce)}), -1);
}

/* The header walk (memchr per line): a folded header, colons in values, tab after colon. */
static void
test_BUILD_folded_header_and_colons_in_values(void **state)
{
	static const char msg[] = "OPTIONS sip:10.99.0.1 SIP/2.0\r\n"
				  "Via: SIP/2.0/UDP 10.0.0.5:5060\r\n ;branch=z9hG4bKf\r\n"
				  "From: <sip:a@b>;tag=f\r\nTo: <sip:x@10.99.0.1>;tag=t\r\n"
				  "Subject: a: b: c\r\n"
				  "Call-ID:\tc9 \r\nCSeq: 7 OPTIONS\r\n\r\n";
	struct sip_build_resp r = resp_200();
	struct built b;

	(void)state;
	build(msg, &r, &b, 2048);
	assert_true(b.len > 0);
	/* The folded Via is one header: its continuation (CRLF + space) stays in the value. */
	assert_non_null(strstr(b.out, "\r\nVia: SIP/2.0/UDP 10.0.0.5:5060\r\n ;branch=z9hG4bKf;"
				      "received=203.0.113.5\r\n"));
	assert_null(strstr(b.out, "Subject"));
	assert_non_null(strstr(b.out, "\r\nCall-ID: c9\r\nCSeq: 7 OPTIONS\r\n"));
}

/* A comma inside a quoted Via parameter does not end the top value; rport after it is found. */
static void
test_BUILD_quoted_comma_in_top_via(void **state)
{
	static const char msg[] = "OPTIONS sip:10.99.0.1 SIP/2.0\r\n"
				  "Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKq;x=\"a,b\";rport,"
				  " SIP/2.0/UDP p2.example.com;branch=z9hG4bK2\r\n"
				  "From: <sip:a@b>;tag=f\r\nTo: <sip:x@10.99.0.1>;tag=t\r\n"
				  "Call-ID: c1\r\nCSeq: 1 OPTIONS\r\n\r\n";
	struct sip_build_resp r = resp_200();
	struct built b;

	(void)state;
	build(msg, &r, &b, 2048);
	assert_true(b.len > 0);
	assert_non_null(strstr(b.out, "\r\nVia: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKq;"
				      "x=\"a,b\";rport=40001;received=203.0.113.5\r\n"
				      "Via: SIP/2.0/UDP p2.example.com;branch=z9hG4bK2\r\n"));
}

/* The writer the registrar shares: appends, decimal, and the overflow latch. */
static void
test_BUILD_writer_appends_and_latches_overflow(void **state)
{
	uint8_t buf[16];
	struct sip_bw w = SIP_BW_INIT(buf, sizeof(buf));

	(void)state;
	SIP_BW_LIT(&w, "n=");
	sip_bw_uint(&w, 0);
	SIP_BW_LIT(&w, ",");
	sip_bw_uint(&w, 4294967295u);
	assert_true(w.ok);
	assert_int_equal(w.p - buf, 14);
	assert_memory_equal(buf, "n=0,4294967295", 14);
	sip_bw_span(&w, (struct sf_span){NULL, 0}); /* an absent span is fine */
	assert_true(w.ok);
	SIP_BW_LIT(&w, "abc"); /* 3 > 2 left: refused whole, and the writer stays failed */
	assert_false(w.ok);
	assert_int_equal(w.p - buf, 14);
	SIP_BW_LIT(&w, "x");
	assert_false(w.ok);
	assert_int_equal(w.p - buf, 14);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_BUILD_top_via_gets_received_and_rport_value),
		cmocka_unit_test(test_BUILD_every_via_copied_in_order),
		cmocka_unit_test(test_BUILD_no_rport_param_gets_only_received),
		cmocka_unit_test(test_BUILD_from_callid_cseq_copied_and_length_zero),
		cmocka_unit_test(test_BUILD_to_tag_minted_deterministically),
		cmocka_unit_test(test_BUILD_extra_and_server_headers),
		cmocka_unit_test(test_BUILD_too_small_buffer_fails),
		cmocka_unit_test(test_BUILD_challenge_header),
		cmocka_unit_test(test_BUILD_folded_header_and_colons_in_values),
		cmocka_unit_test(test_BUILD_writer_appends_and_latches_overflow),
		cmocka_unit_test(test_BUILD_quoted_comma_in_top_via),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
