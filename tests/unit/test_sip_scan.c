/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the pure SIP scanner (dataplane/sip/scan*.c). Every message is scanned from
 * an exact-size heap copy so ASan catches any read past the datagram.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dataplane/sip/scan.h"

#define RL    "REGISTER sip:example.com SIP/2.0\r\n"
#define VIA   "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\r\n"
#define FROM  "From: <sip:alice@example.com>;tag=a1\r\n"
#define TO    "To: <sip:alice@example.com>\r\n"
#define CID   "Call-ID: c1@192.0.2.1\r\n"
#define CSEQ  "CSeq: 1 REGISTER\r\n"
#define CL0   "Content-Length: 0\r\n"
#define BASE  VIA FROM TO CID CSEQ
#define MSG(...) RL BASE __VA_ARGS__ "\r\n"

static uint8_t *scan_buf;   /* exact-size copy of the last scanned message */
static struct sip_scan res; /* result of the last scan */

static void
drop_buf(void)
{
	free(scan_buf);
	scan_buf = NULL;
}

static enum sip_scan_status
scan_n(const void *msg, size_t len, unsigned int want)
{
	drop_buf();
	scan_buf = malloc(len ? len : 1);
	assert_non_null(scan_buf);
	memcpy(scan_buf, msg, len);
	return sip_scan(scan_buf, len, &res, want);
}

static enum sip_scan_status
scan(const char *msg, unsigned int want)
{
	return scan_n(msg, strlen(msg), want);
}

static int
teardown(void **state)
{
	(void)state;
	drop_buf();
	return 0;
}

#define assert_span(s, lit)                                                                  \
	do {                                                                                 \
		assert_non_null((s).p);                                                      \
		assert_int_equal((s).len, sizeof(lit) - 1);                                  \
		assert_memory_equal((s).p, (lit), sizeof(lit) - 1);                          \
	} while (0)
#define assert_span_empty(s) assert_int_equal((s).len, 0)

static struct sf_span
cspan(const char *s)
{
	struct sf_span sp = { (const uint8_t *)s, (uint16_t)strlen(s) };

	return sp;
}

/* --- start line --- */

static void
test_request_line_fields(void **state)
{
	(void)state;
	assert_int_equal(scan("INVITE sip:bob@biloxi.example.com:5070;transport=udp SIP/2.0\r\n"
			      VIA FROM TO CID "CSeq: 7 INVITE\r\n" CL0 "\r\n",
			      SIP_WANT_ALL),
			 SIP_SCAN_OK);
	assert_true(res.line.is_request);
	assert_int_equal(res.line.method, SIP_METHOD_INVITE);
	assert_span(res.line.method_name, "INVITE");
	assert_span(res.line.ruri, "sip:bob@biloxi.example.com:5070;transport=udp");
	assert_span(res.line.ruri_user, "bob");
	assert_span(res.line.ruri_host, "biloxi.example.com");
	assert_int_equal(res.cseq, 7);
	assert_span(res.cseq_method, "INVITE");
	assert_true(res.complete);
}

static void
test_request_line_alone(void **state)
{
	static const char m[] = "OPTIONS sip:100@198.51.100.1 SIP/2.0\r\nVia: x\r\n";
	struct sip_scan_line l;

	(void)state;
	assert_int_equal(sip_scan_request_line((const uint8_t *)m, sizeof(m) - 1, &l), SIP_SCAN_OK);
	assert_int_equal(l.method, SIP_METHOD_OPTIONS);
	assert_span(l.ruri_user, "100");
	assert_span(l.ruri_host, "198.51.100.1");
	assert_int_equal(l.len, 38);
	assert_true(sip_scan_is_request((const uint8_t *)m, sizeof(m) - 1));
	assert_false(sip_scan_is_request((const uint8_t *)"SIP/2.0 200 OK\r\n", 16));
	assert_false(sip_scan_is_request((const uint8_t *)"INVITE", 6));
	assert_false(sip_scan_is_request((const uint8_t *)"\r\n", 2));
}

static void
test_status_line(void **state)
{
	(void)state;
	assert_int_equal(scan("SIP/2.0 180 Ringing\r\n" VIA FROM TO CID "CSeq: 7 INVITE\r\n"
			      "\r\n", SIP_WANT_ALL),
			 SIP_SCAN_OK);
	assert_false(res.line.is_request);
	assert_int_equal(res.line.status_code, 180);
	assert_span(res.line.reason, "Ringing");
	assert_span(res.cseq_method, "INVITE"); /* no mismatch check on responses */
	assert_int_equal(scan("SIP/2.0 100 \r\n" BASE "\r\n", SIP_WANT_ALL), SIP_SCAN_OK);
	assert_span_empty(res.line.reason);
}

static void
test_method_names(void **state)
{
	static const char *const names[] = { "INVITE", "ACK", "BYE", "CANCEL", "REGISTER",
		"OPTIONS", "INFO", "UPDATE", "PRACK", "SUBSCRIBE", "NOTIFY", "MESSAGE", "REFER",
		"PUBLISH" };
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		enum sip_scan_method m = sip_scan_method_of(cspan(names[i]));

		assert_int_not_equal(m, SIP_METHOD_OTHER);
		assert_string_equal(sip_scan_method_name(m), names[i]);
	}
	assert_int_equal(sip_scan_method_of(cspan("invite")), SIP_METHOD_OTHER);
	assert_int_equal(sip_scan_method_of(cspan("RE%47IST%45R")), SIP_METHOD_OTHER);
	assert_int_equal(sip_scan_method_of(cspan("INVITEX")), SIP_METHOD_OTHER);
	assert_string_equal(sip_scan_method_name(SIP_METHOD_MAX), "?");
}

/* --- header names --- */

static void
test_compact_forms(void **state)
{
	(void)state;
	assert_int_equal(scan(RL "v: SIP/2.0/UDP h1;branch=z9hG4bKc\r\n"
			      "f: <sip:a@x.example>;tag=ft\r\n"
			      "t: sip:b@y.example\r\n"
			      "i: cid-compact\r\n"
			      "CSeq: 1 REGISTER\r\n"
			      "m: <sip:a@192.0.2.9>\r\n"
			      "c: application/sdp\r\n"
			      "k: timer, 100rel\r\n"
			      "x: 1800;refresher=uac\r\n"
			      "l: 3\r\n"
			      "\r\nabc", SIP_WANT_ALL),
			 SIP_SCAN_OK);
	assert_span(res.via.host, "h1");
	assert_span(res.from.user, "a");
	assert_span(res.from.tag, "ft");
	assert_span(res.to.host, "y.example");
	assert_span(res.call_id, "cid-compact");
	assert_span(res.contact.host, "192.0.2.9");
	assert_span(res.content_type, "application/sdp");
	assert_true(res.timer_supported);
	assert_int_equal(res.session_expires, 1800);
	assert_span(res.session_refresher, "uac");
	assert_int_equal(res.content_length, 3);
	assert_span(res.body, "abc");
}

static void
test_case_insensitive_names(void **state)
{
	(void)state;
	assert_int_equal(scan(RL "vIA: SIP/2.0/UDP h2;branch=z9hG4bKd\r\n"
			      "FROM: <sip:a@x>;TAG=T1\r\n"
			      "tO: <sip:b@y>\r\n"
			      "CALL-ID: up\r\n"
			      "cseq: 2 REGISTER\r\n"
			      "MAX-FORWARDS: 69\r\n"
			      "user-AGENT: Foo/1.0\r\n"
			      "\r\n", SIP_WANT_ALL),
			 SIP_SCAN_OK);
	assert_span(res.via.host, "h2");
	assert_span(res.from.tag, "T1");
	assert_span(res.call_id, "up");
	assert_int_equal(res.max_forwards, 69);
	assert_span(res.user_agent, "Foo/1.0");
	assert_true(res.hdr_seen & (1u << SIP_HDR_USER_AGENT));
}

static void
test_header_folding(void **state)
{
	(void)state;
	assert_int_equal(scan(RL "Via: SIP  /  2.0\r\n /UDP\r\n\t192.0.2.4 ;\r\n branch=\r\n z9hG4bKf\r\n"
			      "From: <sip:a@x>\r\n  ;\r\n  tag = fold1\r\n"
			      TO CID "CSeq: 0009\r\n  REGISTER\r\n"
			      "\r\n", SIP_WANT_ALL),
			 SIP_SCAN_OK);
	assert_span(res.via.transport, "UDP");
	assert_span(res.via.host, "192.0.2.4");
	assert_span(res.via.branch, "z9hG4bKf");
	assert_span(res.from.tag, "fold1");
	assert_int_equal(res.cseq, 9);
}

static void
test_quoted_display_escaped_quotes(void **state)
{
	(void)state;
	assert_int_equal(scan(RL VIA "From: \"J \\\"Rosie\\\" R \\\\\" <sip:jr@x>;tag=q1\r\n"
			      "To: \"a;b,c<d>\"<sip:b@y>\r\n" CID CSEQ "\r\n", SIP_WANT_ALL),
			 SIP_SCAN_OK);
	assert_span(res.from.display, "J \\\"Rosie\\\" R \\\\");
	assert_span(res.from.user, "jr");
	assert_span(res.from.tag, "q1");
	assert_span(res.to.display, "a;b,c<d>");
	assert_span(res.to.uri, "sip:b@y");
}

static void
test_token_display_and_bare_uri(void **state)
{
	(void)state;
	assert_int_equal(scan(RL VIA "From: Alice Smith<sip:alice@x>;tag=t\r\n"
			      "To: sip:bob@y;tag=tt\r\n" CID CSEQ "\r\n", SIP_WANT_ALL),
			 SIP_SCAN_OK);
	assert_span(res.from.display, "Alice Smith");
	assert_span(res.to.uri, "sip:bob@y");
	assert_span(res.to.tag, "tt"); /* a bare addr-spec's params are header params */
}

/* --- Via --- */

static void
test_via_multiple_in_one_header(void **state)
{
	(void)state;
	assert_int_equal(scan(RL "Via: SIP/2.0/UDP top.example:5062;branch=z9hG4bKtop;rport=5063"
			      ";received=192.0.2.7, SIP/2.0/TCP second.example;branch=z9hG4bK2\r\n"
			      FROM TO CID CSEQ "\r\n", SIP_WANT_ALL),
			 SIP_SCAN_OK);
	assert_int_equal(res.n_via, 2);
	assert_span(res.via.host, "top.example");
	assert_int_equal(res.via.port, 5062);
	assert_span(res.via.branch, "z9hG4bKtop");
	assert_true(res.via.has_rport);
	assert_span(res.via.rport, "5063");
	assert_span(res.via.received, "192.0.2.7");
}

static void
test_via_across_headers(void **state)
{
	(void)state;
	assert_int_equal(scan(RL "Via: SIP/2.0/UDP first;branch=z9hG4bK1;rport\r\n"
			      FROM "v: SIP/2.0/UDP second;branch=z9hG4bK2, SIP/2.0/UDP third\r\n"
			      TO CID CSEQ "\r\n", SIP_WANT_ALL),
			 SIP_SCAN_OK);
	assert_int_equal(res.n_via, 3);
	assert_span(res.via.host, "first");
	assert_span(res.via.branch, "z9hG4bK1");
	assert_true(res.via.has_rport);
	assert_span_empty(res.via.rport);
	assert_int_equal(res.via.port, 0);
}

static void
test_via_ipv6(void **state)
{
	(void)state;
	assert_int_equal(scan(RL "Via: SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bK6\r\n"
			      FROM TO CID CSEQ "\r\n", SIP_WANT_ALL),
			 SIP_SCAN_OK);
	assert_span(res.via.host, "[2001:db8::1]");
	assert_int_equal(res.via.port, 5060);
}

/* --- Contact, Expires --- */

static void
test_contact_star(void **state)
{
	(void)state;
	assert_int_equal(scan(MSG("Contact: *\r\nExpires: 0\r\n"), SIP_WANT_ALL), SIP_SCAN_OK);
	assert_true(res.contact_star);
	assert_int_equal(res.n_contact, 1);
	assert_int_equal(res.expires, 0);
	assert_int_equal(res.contact_expires, -1);
}

static void
test_contact_expires_param(void **state)
{
	(void)state;
	assert_int_equal(scan(MSG("Contact: \"A\" <sip:alice@192.0.2.1:5080;transport=udp>"
				  ";q=0.7;expires=3600, <sip:alice@192.0.2.2>;expires=60\r\n"
				  "m: sip:alice@192.0.2.3\r\n"),
			      SIP_WANT_ALL),
			 SIP_SCAN_OK);
	assert_false(res.contact_star);
	assert_int_equal(res.n_contact, 3);
	assert_int_equal(res.contact_expires, 3600);
	assert_span(res.contact.uri, "sip:alice@192.0.2.1:5080;transport=udp");
	assert_span(res.contact.user, "alice");
	assert_span(res.contact.host, "192.0.2.1");
	assert_int_equal(res.expires, -1);
}

/* --- Authorization --- */

static void
test_auth_digest_params_any_order(void **state)
{
	(void)state;
	assert_int_equal(scan(MSG("Authorization: Digest  nc=00000001,cnonce=\"0a4f\" , "
				  "algorithm=MD5,\r\n response=\"6629fae4\", qop=auth, "
				  "uri=\"sip:example.com\", nonce=\"dcd98b\", realm=\"ex \\\"q\\\"\","
				  " username=\"alice\"\r\n"),
			      SIP_WANT_ALL),
			 SIP_SCAN_OK);
	assert_true(res.auth.is_digest);
	assert_false(res.auth.is_proxy);
	assert_span(res.auth.username, "alice");
	assert_span(res.auth.realm, "ex \\\"q\\\"");
	assert_span(res.auth.nonce, "dcd98b");
	assert_span(res.auth.uri, "sip:example.com");
	assert_span(res.auth.response, "6629fae4");
	assert_span(res.auth.qop, "auth");
	assert_span(res.auth.nc, "00000001");
	assert_span(res.auth.cnonce, "0a4f");
	assert_span(res.auth.algorithm, "MD5");
}

static void
test_proxy_authorization(void **state)
{
	(void)state;
	assert_int_equal(scan(MSG("Proxy-Authorization: digest username=bob,realm=r\r\n"
				  "Authorization: Digest username=\"other\"\r\n"),
			      SIP_WANT_ALL),
			 SIP_SCAN_OK);
	assert_true(res.auth.is_proxy);
	assert_span(res.auth.username, "bob");
	assert_span(res.auth.realm, "r");
	assert_true(res.hdr_seen & (1u << SIP_HDR_AUTHORIZATION));
}

static void
test_auth_unknown_scheme(void **state)
{
	(void)state;
	assert_int_equal(scan(MSG("Authorization: NoOneKnowsThisScheme opaque-data=here\r\n"),
			      SIP_WANT_ALL),
			 SIP_SCAN_OK);
	assert_false(res.auth.is_digest);
	assert_span(res.auth.scheme, "NoOneKnowsThisScheme");
	assert_null(res.auth.username.p);
}

/* --- other headers --- */

static void
test_session_timer_headers(void **state)
{
	(void)state;
	assert_int_equal(scan(MSG("Session-Expires: 1800 ; refresher=uas\r\nMin-SE: 90\r\n"
				  "Supported: 100rel,TIMER\r\nRequire: timer\r\n"),
			      SIP_WANT_ALL),
			 SIP_SCAN_OK);
	assert_int_equal(res.session_expires, 1800);
	assert_span(res.session_refresher, "uas");
	assert_int_equal(res.min_se, 90);
	assert_true(res.timer_supported);
	assert_true(res.timer_required);
	assert_int_equal(scan(MSG("Supported: timers, 100rel\r\n"), SIP_WANT_ALL), SIP_SCAN_OK);
	assert_false(res.timer_supported);
	assert_false(res.timer_required);
	assert_int_equal(res.session_expires, -1);
}

static void
test_identity_headers(void **state)
{
	(void)state;
	assert_int_equal(scan(MSG("Privacy: id; user\r\n"
				  "P-Asserted-Identity: \"Alice\" <sip:+15551234@example.com>, "
				  "<tel:+15551234>\r\n"
				  "P-Preferred-Identity: <sip:alice@example.com>\r\n"),
			      SIP_WANT_ALL),
			 SIP_SCAN_OK);
	assert_span(res.privacy, "id; user");
	assert_span(res.pai.display, "Alice");
	assert_span(res.pai.user, "+15551234");
	assert_span(res.ppi.host, "example.com");
}

static void
test_numbers_and_body(void **state)
{
	(void)state;
	assert_int_equal(scan(RL BASE "Max-Forwards: 0070\r\nExpires: 4294967295\r\n"
			      "Content-Type: text/plain\r\nContent-Length: 5\r\n\r\nhelloEXTRA",
			      SIP_WANT_ALL),
			 SIP_SCAN_OK);
	assert_int_equal(res.max_forwards, 70);
	assert_int_equal(res.expires, 4294967295LL);
	assert_int_equal(res.content_length, 5);
	assert_span(res.body, "hello"); /* bytes after Content-Length are ignored */
	assert_span(res.content_type, "text/plain");
	/* No Content-Length: the body runs to the end of the datagram (RFC 3261 18.3). */
	assert_int_equal(scan(RL BASE "\r\nrest", SIP_WANT_ALL), SIP_SCAN_OK);
	assert_int_equal(res.content_length, -1);
	assert_span(res.body, "rest");
}

static void
test_repeated_multi_value_headers_allowed(void **state)
{
	(void)state;
	assert_int_equal(scan(MSG("Supported: a\r\nSupported: timer\r\nX-Foo: 1\r\nX-Foo: 2\r\n"),
			      SIP_WANT_ALL),
			 SIP_SCAN_OK);
	assert_true(res.timer_supported);
	assert_int_equal(res.n_headers, 9);
}

/* --- lazy scanning (UNAUTH: the flood decision needs From/To and Authorization only) --- */

static void
test_UNAUTH_5_lazy_scan_stops_after_wanted_headers(void **state)
{
	(void)state;
	assert_int_equal(scan(RL FROM TO "Authorization: Digest username=\"1001\", realm=\"r\"\r\n"
			      VIA CID CSEQ "Content-Length: garbage\r\n\r\n",
			      SIP_WANT_FROM_TO | SIP_WANT_AUTH),
			 SIP_SCAN_OK);
	assert_false(res.complete);
	assert_span(res.from.user, "alice");
	assert_span(res.auth.username, "1001");
	assert_int_equal(res.n_headers, 3);
	assert_null(res.via.host.p);
	assert_null(res.call_id.p);
	/* The full scan of the same bytes reads on and finds the bad Content-Length. */
	assert_int_equal(scan(RL FROM TO "Authorization: Digest username=\"1001\", realm=\"r\"\r\n"
			      VIA CID CSEQ "Content-Length: garbage\r\n\r\n", SIP_WANT_ALL),
			 SIP_SCAN_ERR_BAD_CONTENT_LENGTH);
}

static void
test_UNAUTH_5_lazy_scan_without_auth_reads_to_end(void **state)
{
	(void)state;
	/* No Authorization: a lazy scan cannot stop early, so it validates the whole head. */
	assert_int_equal(scan(RL FROM TO "\r\n", SIP_WANT_FROM_TO | SIP_WANT_AUTH),
			 SIP_SCAN_ERR_NO_VIA);
	assert_int_equal(scan(MSG(""), SIP_WANT_FROM_TO | SIP_WANT_AUTH), SIP_SCAN_OK);
	assert_true(res.complete);
	assert_null(res.auth.scheme.p);
	assert_null(res.via.host.p); /* Via was seen but not wanted */
	assert_true(res.hdr_seen & (1u << SIP_HDR_VIA));
}

static void
test_want_none_reads_start_line_only(void **state)
{
	(void)state;
	assert_int_equal(scan(RL "garbage without colon\r\n", 0), SIP_SCAN_OK);
	assert_int_equal(res.n_headers, 0);
	assert_int_equal(res.line.method, SIP_METHOD_REGISTER);
}

/* --- malformed input (GEN-1: never a reply, counted by reason) --- */

struct bad_case {
	const char *msg;
	enum sip_scan_status want;
};

static const struct bad_case bad_cases[] = {
	{ RL VIA FROM, SIP_SCAN_ERR_TRUNCATED },
	{ "HELLO\r\n\r\n", SIP_SCAN_ERR_BAD_START_LINE },
	{ "REGISTER sip:example.com SIP/3.0\r\n" BASE "\r\n", SIP_SCAN_ERR_BAD_VERSION },
	{ "REGISTER <sip:example.com> SIP/2.0\r\n" BASE "\r\n", SIP_SCAN_ERR_BAD_REQUEST_URI },
	{ "SIP/2.0 99 Low\r\n" BASE "\r\n", SIP_SCAN_ERR_BAD_STATUS },
	{ RL "Via SIP/2.0/UDP h\r\n\r\n", SIP_SCAN_ERR_BAD_HEADER },
	{ RL VIA VIA FROM TO CID CID CSEQ "\r\n", SIP_SCAN_ERR_DUP_HEADER },
	{ RL FROM TO CID CSEQ "\r\n", SIP_SCAN_ERR_NO_VIA },
	{ RL "Via: SIP/2.0/UDP\r\n" FROM TO CID CSEQ "\r\n", SIP_SCAN_ERR_BAD_VIA },
	{ RL VIA TO CID CSEQ "\r\n", SIP_SCAN_ERR_NO_FROM },
	{ RL VIA "From: Bell, Alex <sip:a@x>;tag=1\r\n" TO CID CSEQ "\r\n", SIP_SCAN_ERR_BAD_FROM },
	{ RL VIA FROM CID CSEQ "\r\n", SIP_SCAN_ERR_NO_TO },
	{ RL VIA FROM "To: \"open <sip:b@y>\r\n" CID CSEQ "\r\n", SIP_SCAN_ERR_BAD_TO },
	{ RL VIA FROM TO CSEQ "\r\n", SIP_SCAN_ERR_NO_CALL_ID },
	{ RL VIA FROM TO "Call-ID: a b\r\n" CSEQ "\r\n", SIP_SCAN_ERR_BAD_CALL_ID },
	{ RL VIA FROM TO CID "\r\n", SIP_SCAN_ERR_NO_CSEQ },
	{ RL VIA FROM TO CID "CSeq: 4294967296 REGISTER\r\n\r\n", SIP_SCAN_ERR_BAD_CSEQ },
	{ RL VIA FROM TO CID "CSeq: 1 INVITE\r\n\r\n", SIP_SCAN_ERR_CSEQ_METHOD_MISMATCH },
	{ MSG("Contact: <sip:a@x>;;\r\n"), SIP_SCAN_ERR_BAD_CONTACT },
	{ MSG("Expires: 4294967296\r\n"), SIP_SCAN_ERR_BAD_EXPIRES },
	{ MSG("Max-Forwards: 256\r\n"), SIP_SCAN_ERR_BAD_MAX_FORWARDS },
	{ MSG("Content-Length: -999\r\n"), SIP_SCAN_ERR_BAD_CONTENT_LENGTH },
	{ RL BASE "Content-Length: 10\r\n\r\nabc", SIP_SCAN_ERR_BODY_TRUNCATED },
	{ MSG("Authorization: Digest username\r\n"), SIP_SCAN_ERR_BAD_AUTH },
	{ MSG("Session-Expires: soon\r\n"), SIP_SCAN_ERR_BAD_SESSION_TIMER },
	{ MSG("P-Asserted-Identity: <sip:a@x\r\n"), SIP_SCAN_ERR_BAD_IDENTITY },
	{ MSG("Date: Sat, 13 Nov 2010 23:29:00 EST\r\n"), SIP_SCAN_ERR_BAD_DATE },
};

static void
test_GEN_1_each_malformed_reason(void **state)
{
	bool covered[SIP_SCAN_STATUS_MAX] = { false };
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		enum sip_scan_status st = scan(bad_cases[i].msg, SIP_WANT_ALL);

		if (st != bad_cases[i].want)
			fail_msg("case %u: got \"%s\", want \"%s\"", i, sip_scan_reason_name(st),
				 sip_scan_reason_name(bad_cases[i].want));
		covered[st] = true;
	}
	/* Reasons that need big inputs are covered by their own tests below. */
	covered[SIP_SCAN_OK] = covered[SIP_SCAN_ERR_TOO_BIG] = true;
	covered[SIP_SCAN_ERR_TOO_MANY_HEADERS] = covered[SIP_SCAN_ERR_HEADER_TOO_LONG] = true;
	for (i = 0; i < SIP_SCAN_STATUS_MAX; i++)
		if (!covered[i])
			fail_msg("reason %s has no test case", sip_scan_reason_name(i));
}

static void
test_GEN_1_junk_hello_crlf_empty(void **state)
{
	static const uint8_t junk[] = { 0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x0d,
					0x0a, 0xff, 0xfe };

	(void)state;
	assert_int_equal(scan_n(junk, sizeof(junk), SIP_WANT_ALL), SIP_SCAN_ERR_BAD_START_LINE);
	assert_int_equal(scan("HELLO", SIP_WANT_ALL), SIP_SCAN_ERR_TRUNCATED);
	assert_int_equal(scan("\r\n", SIP_WANT_ALL), SIP_SCAN_ERR_BAD_START_LINE);
	assert_int_equal(scan("\r\n\r\n", SIP_WANT_ALL), SIP_SCAN_ERR_BAD_START_LINE);
	assert_int_equal(scan("", SIP_WANT_ALL), SIP_SCAN_ERR_TRUNCATED);
	assert_int_equal(scan("INVITE sip:a@b SIP/2.", SIP_WANT_ALL), SIP_SCAN_ERR_TRUNCATED);
	assert_int_equal(scan("INVITE\r\n", SIP_WANT_ALL), SIP_SCAN_ERR_BAD_START_LINE);
	assert_int_equal(scan("INVITE SIP/2.0\r\n", SIP_WANT_ALL), SIP_SCAN_ERR_BAD_START_LINE);
	assert_int_equal(scan("INVITE sip:a@b SIP/2.0\n\n", SIP_WANT_ALL),
			 SIP_SCAN_ERR_BAD_START_LINE);
	assert_int_equal(scan("SIP/2.0 4294967301 big\r\n" BASE "\r\n", SIP_WANT_ALL),
			 SIP_SCAN_ERR_BAD_STATUS);
	assert_int_equal(scan("SIP/1.0 200 OK\r\n" BASE "\r\n", SIP_WANT_ALL),
			 SIP_SCAN_ERR_BAD_VERSION);
	assert_int_equal(scan(RL BASE "\r", SIP_WANT_ALL), SIP_SCAN_ERR_TRUNCATED);
	assert_int_equal(scan(RL BASE "\rX", SIP_WANT_ALL), SIP_SCAN_ERR_BAD_HEADER);
	assert_int_equal(scan(RL "Via: bare-lf\n\r\n", SIP_WANT_ALL), SIP_SCAN_ERR_BAD_HEADER);
}

static void
test_GEN_1_request_uri_forms(void **state)
{
	(void)state;
	assert_int_equal(scan("INVITE sip:a@b; lr SIP/2.0\r\n" BASE "\r\n", SIP_WANT_ALL),
			 SIP_SCAN_ERR_BAD_REQUEST_URI);
	assert_int_equal(scan("INVITE  sip:a@b SIP/2.0\r\n" BASE "\r\n", SIP_WANT_ALL),
			 SIP_SCAN_ERR_BAD_START_LINE);
	assert_int_equal(scan("INVITE sip:a@b?Route=x SIP/2.0\r\n" BASE "\r\n", SIP_WANT_ALL),
			 SIP_SCAN_ERR_BAD_REQUEST_URI);
	assert_int_equal(scan("INVITE sip:a@b:99999 SIP/2.0\r\n" BASE "\r\n", SIP_WANT_ALL),
			 SIP_SCAN_ERR_BAD_REQUEST_URI);
	assert_int_equal(scan("INVITE 1sip:a@b SIP/2.0\r\n" BASE "\r\n", SIP_WANT_ALL),
			 SIP_SCAN_ERR_BAD_REQUEST_URI);
	/* Other schemes are syntax only: no user/host. */
	assert_int_equal(scan("OPTIONS tel:+15551234 SIP/2.0\r\n" VIA FROM TO CID
			      "CSeq: 1 OPTIONS\r\n\r\n", SIP_WANT_ALL),
			 SIP_SCAN_OK);
	assert_span(res.line.ruri, "tel:+15551234");
	assert_null(res.line.ruri_host.p);
}

static void
test_GEN_1_nul_bytes(void **state)
{
	static const char in_name[] = RL "Vi\0a: SIP/2.0/UDP h\r\n\r\n";
	static const char in_line[] = "REG\0ISTER sip:a@b SIP/2.0\r\n" BASE "\r\n";
	static const char in_uri[] = "REGISTER sip:a\0@b SIP/2.0\r\n" BASE "\r\n";
	static const char in_display[] = RL VIA FROM "To: \"NUL:\\\0 x\" <sip:b@y>\r\n" CID CSEQ
					 "\r\n";
	static const char in_callid[] = RL VIA FROM TO "Call-ID: a\0b\r\n" CSEQ "\r\n";

	(void)state;
	assert_int_equal(scan_n(in_name, sizeof(in_name) - 1, SIP_WANT_ALL),
			 SIP_SCAN_ERR_BAD_HEADER);
	assert_int_equal(scan_n(in_line, sizeof(in_line) - 1, SIP_WANT_ALL),
			 SIP_SCAN_ERR_BAD_START_LINE);
	assert_int_equal(scan_n(in_uri, sizeof(in_uri) - 1, SIP_WANT_ALL),
			 SIP_SCAN_ERR_BAD_REQUEST_URI);
	/* A quoted-pair may escape NUL (RFC 4475 3.1.1.2). */
	assert_int_equal(scan_n(in_display, sizeof(in_display) - 1, SIP_WANT_ALL), SIP_SCAN_OK);
	assert_int_equal(res.to.display.len, 8);
	assert_int_equal(res.to.display.p[5], 0);
	assert_int_equal(scan_n(in_callid, sizeof(in_callid) - 1, SIP_WANT_ALL),
			 SIP_SCAN_ERR_BAD_CALL_ID);
}

static void
test_GEN_1_absurdly_long_header(void **state)
{
	size_t pre = strlen(RL BASE "User-Agent: ");
	char *m = malloc(pre + 10000 + 4);

	(void)state;
	assert_non_null(m);
	memcpy(m, RL BASE "User-Agent: ", pre);
	memset(m + pre, 'A', 10000);
	memcpy(m + pre + 10000, "\r\n\r\n", 4);
	assert_int_equal(scan_n(m, pre + 10004, SIP_WANT_ALL), SIP_SCAN_ERR_HEADER_TOO_LONG);
	/* Unterminated and long: still too long, not merely truncated. */
	assert_int_equal(scan_n(m, pre + 10000, SIP_WANT_ALL), SIP_SCAN_ERR_HEADER_TOO_LONG);
	/* Just under the limit is fine. */
	memcpy(m + pre + 4000, "\r\n\r\n", 4);
	assert_int_equal(scan_n(m, pre + 4004, SIP_WANT_ALL), SIP_SCAN_OK);
	assert_int_equal(res.user_agent.len, 4000);
	/* A start line that never ends. */
	memset(m, 'A', pre + 10004);
	assert_int_equal(scan_n(m, pre + 10004, SIP_WANT_ALL), SIP_SCAN_ERR_HEADER_TOO_LONG);
	free(m);
}

static void
test_GEN_1_too_many_headers(void **state)
{
	char *m = malloc(strlen(MSG("")) + 200 * 8);
	unsigned int i;
	size_t n;

	(void)state;
	assert_non_null(m);
	n = strlen(RL BASE);
	memcpy(m, RL BASE, n);
	for (i = 0; i < SIP_SCAN_MAX_HEADERS - 5; i++, n += 8)
		memcpy(m + n, "X-A: 1\r\n", 8);
	memcpy(m + n, "\r\n", 2);
	assert_int_equal(scan_n(m, n + 2, SIP_WANT_ALL), SIP_SCAN_OK);
	assert_int_equal(res.n_headers, SIP_SCAN_MAX_HEADERS);
	memcpy(m + n, "X-A: 1\r\n\r\n", 10);
	assert_int_equal(scan_n(m, n + 10, SIP_WANT_ALL), SIP_SCAN_ERR_TOO_MANY_HEADERS);
	free(m);
}

static void
test_GEN_1_too_big(void **state)
{
	char *m = calloc(1, SIP_SCAN_MAX_LEN + 1);

	(void)state;
	assert_non_null(m);
	memcpy(m, MSG(""), strlen(MSG("")));
	assert_int_equal(scan_n(m, SIP_SCAN_MAX_LEN + 1, SIP_WANT_ALL), SIP_SCAN_ERR_TOO_BIG);
	free(m);
}

/* Fuzzer regression: an empty input arrives as (NULL, 0); no arithmetic on NULL. */
static void
test_GEN_1_null_empty_input(void **state)
{
	struct sf_span none = { NULL, 0 }, v;
	struct sip_scan_uri u;
	struct sip_scan_line l;
	uint64_t n;

	(void)state;
	assert_int_equal(sip_scan(NULL, 0, &res, SIP_WANT_ALL), SIP_SCAN_ERR_TRUNCATED);
	assert_int_equal(sip_scan_request_line(NULL, 0, &l), SIP_SCAN_ERR_TRUNCATED);
	assert_false(sip_scan_is_request(NULL, 0));
	assert_int_equal(sip_scan_uri(none, &u), -1);
	assert_int_equal(SIP_SCAN_PARAM(none, "tag", &v), 0);
	assert_int_equal(sip_scan_uint(none, 10, &n), -1);
}

/* Every strict prefix of a message with a body is malformed, and nothing reads past it. */
static void
test_GEN_1_truncated_at_every_offset(void **state)
{
	static const char m[] = "INVITE sip:bob@example.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK9;rport\r\n"
		"From: \"Al \\\"x\\\"\" <sip:al@example.com>;tag=9\r\n"
		"To: sip:bob@example.com\r\n"
		"Call-ID: t@192.0.2.1\r\nCSeq: 1 INVITE\r\n"
		"Contact: <sip:al@192.0.2.1>;expires=30\r\n"
		"Proxy-Authorization: Digest username=\"al\", nonce=\"n\"\r\n"
		"Session-Expires: 90;refresher=uac\r\nP-Asserted-Identity: <sip:al@x>\r\n"
		"Content-Length: 4\r\n\r\nv=0\n";
	static const unsigned int wants[] = { 0, SIP_WANT_FROM_TO | SIP_WANT_AUTH, SIP_WANT_ALL };
	size_t n;
	unsigned int w;

	(void)state;
	assert_int_equal(scan(m, SIP_WANT_ALL), SIP_SCAN_OK);
	for (n = 0; n < sizeof(m) - 1; n++) {
		assert_int_not_equal(scan_n(m, n, SIP_WANT_ALL), SIP_SCAN_OK);
		for (w = 0; w < 2; w++)
			(void)scan_n(m, n, wants[w]);
	}
}

/* The known-name fast path must reach exactly what the generic token path reaches. */
static void
test_header_name_fast_path(void **state)
{
	static const char m_ctl[] = RL BASE "Max\rForwards: 70\r\n\r\n";
	static const char m_sub[] = RL VIA "From\x1a <sip:a@example.com>\r\n" TO CID CSEQ "\r\n";

	(void)state;
	/* CR where '-' belongs, and 0x1a (0x3a with bit 5 clear) where ':' belongs. */
	assert_int_equal(scan_n(m_ctl, sizeof(m_ctl) - 1, SIP_WANT_ALL), SIP_SCAN_ERR_BAD_HEADER);
	assert_int_equal(scan_n(m_sub, sizeof(m_sub) - 1, SIP_WANT_ALL), SIP_SCAN_ERR_BAD_HEADER);
	/* Known name with LWS before ':', any case. */
	assert_int_equal(scan(MSG("mAX-forwards \t: 70\r\n"), SIP_WANT_ALL), SIP_SCAN_OK);
	assert_int_equal(res.max_forwards, 70);
	/* A known name as a prefix of an unknown one. */
	assert_int_equal(scan(MSG("Content-Lengthx: 5\r\n" "Tox: 1\r\n" "Via-x: 2\r\n"),
			      SIP_WANT_ALL), SIP_SCAN_OK);
	assert_int_equal(res.content_length, -1);
	assert_int_equal(res.n_headers, 8);
	assert_int_equal(res.n_via, 1);
	/* Compact forms: a non-token first byte is a bad header; repeats are still repeats. */
	assert_int_equal(scan(MSG("@: x\r\n"), SIP_WANT_ALL), SIP_SCAN_ERR_BAD_HEADER);
	assert_int_equal(scan(MSG("i: c2\r\n"), SIP_WANT_ALL), SIP_SCAN_ERR_DUP_HEADER);
	assert_int_equal(scan(MSG("CALL-ID: c2\r\n"), SIP_WANT_ALL), SIP_SCAN_ERR_DUP_HEADER);
	/* Every long name in upper case lands on its own bit. */
	assert_int_equal(scan(MSG("P-ASSERTED-IDENTITY: <sip:a@example.com>\r\n"
				  "P-PREFERRED-IDENTITY: <sip:b@example.com>\r\n"
				  "PROXY-AUTHORIZATION: Digest username=\"u\"\r\n"
				  "SESSION-EXPIRES: 90\r\nMIN-SE: 90\r\nSUPPORTED: timer\r\n"
				  "REQUIRE: timer\r\nPRIVACY: id\r\nUSER-AGENT: x\r\n"
				  "CONTENT-TYPE: a/b\r\nEXPIRES: 5\r\nCONTACT: *\r\n"
				  "AUTHORIZATION: Basic x\r\nACCEPT: a/b\r\nALLOW: INVITE\r\n"
				  "DATE: Sat, 13 Nov 2010 23:29:00 GMT\r\n"),
			      SIP_WANT_ALL), SIP_SCAN_OK);
	assert_int_equal(res.hdr_seen, ((1u << SIP_HDR_MAX) - 1) &
				       ~((1u << SIP_HDR_MAX_FORWARDS) | (1u << SIP_HDR_CONTENT_LENGTH)));
	assert_int_equal(res.n_headers, 21);
	assert_true(res.auth.is_proxy);
	assert_int_equal(res.auth.username.len, 1);
	/* Truncated inside or right after a known name. */
	assert_int_equal(scan(RL "Via", SIP_WANT_ALL), SIP_SCAN_ERR_TRUNCATED);
	assert_int_equal(scan(RL "Via:", SIP_WANT_ALL), SIP_SCAN_ERR_TRUNCATED);
	assert_int_equal(scan(RL "v:", SIP_WANT_ALL), SIP_SCAN_ERR_TRUNCATED);
}

static void
test_reason_names(void **state)
{
	unsigned int i, j;

	(void)state;
	assert_string_equal(sip_scan_reason_name(SIP_SCAN_OK), "ok");
	assert_string_equal(sip_scan_reason_name(SIP_SCAN_ERR_NO_VIA), "no Via");
	assert_string_equal(sip_scan_reason_name(SIP_SCAN_STATUS_MAX), "?");
	for (i = 0; i < SIP_SCAN_STATUS_MAX; i++) {
		assert_non_null(sip_scan_reason_name(i));
		for (j = 0; j < i; j++)
			assert_string_not_equal(sip_scan_reason_name(i), sip_scan_reason_name(j));
	}
}

/* --- helpers other modules use --- */

static void
test_uri_helper(void **state)
{
	struct sip_scan_uri u;

	(void)state;
	assert_int_equal(sip_scan_uri(cspan("sips:alice:secret@[2001:db8::1]:5061;transport=tls"
					    ";lr?Subject=hi"), &u),
			 0);
	assert_true(u.is_sips);
	assert_span(u.user, "alice");
	assert_span(u.host, "[2001:db8::1]");
	assert_int_equal(u.port, 5061);
	assert_span(u.params, "transport=tls;lr");
	assert_span(u.headers, "Subject=hi");
	assert_int_equal(sip_scan_uri(cspan("SIP:example.com"), &u), 0);
	assert_null(u.user.p);
	assert_span(u.host, "example.com");
	assert_int_equal(sip_scan_uri(cspan("sip:user;par=u%40x@example.com"), &u), 0);
	assert_span(u.user, "user;par=u%40x");
	assert_int_equal(sip_scan_uri(cspan("sip:a@b:"), &u), -1);
	assert_int_equal(sip_scan_uri(cspan("sip:a@b:65536"), &u), -1);
	assert_int_equal(sip_scan_uri(cspan("sip:a@"), &u), -1);
	assert_int_equal(sip_scan_uri(cspan("sip:a@b c"), &u), -1);
	assert_int_equal(sip_scan_uri(cspan("tel:+1555"), &u), -1);
	assert_int_equal(sip_scan_uri(cspan("sip:[::1"), &u), -1);
}

static void
test_param_helper(void **state)
{
	struct sf_span v;

	(void)state;
	assert_int_equal(SIP_SCAN_PARAM(cspan(";transport=udp; LR ;Tag = \"a;b\";x"), "tag", &v), 1);
	assert_span(v, "a;b");
	assert_int_equal(SIP_SCAN_PARAM(cspan("transport=udp;lr"), "LR", &v), 1);
	assert_span_empty(v);
	assert_int_equal(SIP_SCAN_PARAM(cspan("transport=udp;lr"), "transport", &v), 1);
	assert_span(v, "udp");
	assert_int_equal(SIP_SCAN_PARAM(cspan("transport=udp;lr"), "tag", &v), 0);
	assert_int_equal(SIP_SCAN_PARAM(cspan(";a=1, <sip:x>;tag=2"), "tag", &v), 0);
	assert_int_equal(SIP_SCAN_PARAM(cspan(";a=\"unterminated;tag=1"), "tag", &v), 0);
	assert_int_equal(sip_scan_param((struct sf_span){ NULL, 0 }, "a", 1, &v), 0);
}

static void
test_uint_helper(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_int_equal(sip_scan_uint(cspan("0068"), 255, &v), 0);
	assert_int_equal(v, 68);
	assert_int_equal(sip_scan_uint(cspan("4294967295"), UINT32_MAX, &v), 0);
	assert_int_equal(v, 4294967295ULL);
	assert_int_equal(sip_scan_uint(cspan("4294967296"), UINT32_MAX, &v), -1);
	assert_int_equal(sip_scan_uint(cspan("18446744073709551615"), UINT64_MAX / 10, &v), -1);
	assert_int_equal(sip_scan_uint(cspan("36893488147419103232"), UINT32_MAX, &v), -1);
	assert_int_equal(sip_scan_uint(cspan(""), 10, &v), -1);
	assert_int_equal(sip_scan_uint(cspan("-1"), 10, &v), -1);
	assert_int_equal(sip_scan_uint(cspan("1 "), 10, &v), -1);
}

/* --- sip_scan_skim(): what the unknown-source drop reads ------------------------------ */

static struct sip_skim skim_res; /* result of the last skim */

static enum sip_scan_status
skim_n(const void *msg, size_t len)
{
	drop_buf();
	scan_buf = malloc(len ? len : 1);
	assert_non_null(scan_buf);
	if (len > 0) /* memcpy from NULL is undefined even for 0 bytes (UBSan) */
		memcpy(scan_buf, msg, len);
	return sip_scan_skim(scan_buf, len, &skim_res);
}

static enum sip_scan_status
skim(const char *msg)
{
	return skim_n(msg, strlen(msg));
}

/* What svwar sends: the skim keeps the spans sip_scan() would parse, and only those. */
static void
test_UNAUTH_5_skim_keeps_what_the_drop_decides_on(void **state)
{
	static const char m[] = "REGISTER sip:2001@10.99.0.1 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 10.99.0.2:5060;branch=z9hG4bK-3086183279;rport\r\n"
		"Max-Forwards: 70\r\n"
		"To: \"2001\" <sip:2001@10.99.0.1>\r\n"
		"From: \"2001\" <sip:2001@10.99.0.1>;tag=6435623139303061\r\n"
		"User-Agent:   friendly-scanner \r\n"
		"Call-ID: 1157237573717484148\r\n"
		"Proxy-Authorization: Digest username=\"p\"\r\n"
		"Authorization: Digest username=\"a\"\r\n"
		"CSeq: 1 REGISTER\r\n"
		"Content-Length: 0\r\n\r\n";
	struct sip_scan_addr a;
	struct sip_scan_auth cr;

	(void)state;
	assert_int_equal(skim(m), SIP_SCAN_OK);
	assert_true(skim_res.line.is_request);
	assert_int_equal(skim_res.line.method, SIP_METHOD_REGISTER);
	assert_span(skim_res.line.ruri, "sip:2001@10.99.0.1");
	assert_null(skim_res.line.ruri_user.p); /* the Request-URI is not split */
	assert_span(skim_res.to, "\"2001\" <sip:2001@10.99.0.1>");
	assert_span(skim_res.from, "\"2001\" <sip:2001@10.99.0.1>;tag=6435623139303061");
	assert_span(skim_res.user_agent, "friendly-scanner");
	assert_span(skim_res.auth, "Digest username=\"p\""); /* the first credentials */
	assert_true(skim_res.auth_is_proxy);
	assert_int_equal(skim_res.n_headers, 10);
	/* Parsed on demand, the values are what sip_scan() makes of them. */
	assert_int_equal(sip_scan_addr(skim_res.from, &a), 0);
	assert_span(a.user, "2001");
	assert_span(a.tag, "6435623139303061");
	assert_int_equal(sip_scan_credentials(skim_res.auth, true, &cr), SIP_SCAN_OK);
	assert_span(cr.username, "p");
	assert_true(cr.is_proxy);
	assert_int_equal(sip_scan_credentials((struct sf_span){NULL, 0}, false, &cr),
			 SIP_SCAN_ERR_BAD_AUTH);
	/* The username alone: the same span, without reading the parameters after it. */
	{
		static const char *const vals[] = {
			"Digest username=\"u1\", realm=\"r\"", "Digest realm=\"r\",username=u2",
			"digest  nonce=\"n\" , username=\"u\\\"3\"", "Digest realm=\"r\"",
			"Basic Zm9vOmJhcg==", "Digest username=\"u4\", username=\"u5\"",
		};
		struct sf_span u;

		for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
			assert_int_equal(sip_scan_credentials(cspan(vals[i]), false, &cr),
					 SIP_SCAN_OK);
			assert_int_equal(sip_scan_credentials_user(cspan(vals[i]), &u),
					 SIP_SCAN_OK);
			assert_int_equal(u.len, cr.username.len);
			assert_ptr_equal(u.p, cr.username.p);
		}
		/* Broken after the username: only the full parse notices. */
		assert_int_equal(sip_scan_credentials(cspan("Digest username=\"u\", realm"), false,
						      &cr), SIP_SCAN_ERR_BAD_AUTH);
		assert_int_equal(sip_scan_credentials_user(cspan("Digest username=\"u\", realm"),
							   &u), SIP_SCAN_OK);
		assert_int_equal(u.len, 1);
		/* Broken before it: both do. */
		assert_int_equal(sip_scan_credentials_user(cspan("Digest realm, username=u"), &u),
				 SIP_SCAN_ERR_BAD_AUTH);
		assert_int_equal(sip_scan_credentials_user((struct sf_span){NULL, 0}, &u),
				 SIP_SCAN_ERR_BAD_AUTH);
		assert_int_equal(sip_scan_credentials_user(cspan("Digest"), &u),
				 SIP_SCAN_ERR_BAD_AUTH);
	}
	assert_int_equal(sip_scan_addr((struct sf_span){NULL, 0}, &a), -1);
	assert_int_equal(sip_scan_addr(cspan("<sip:x@y"), &a), -1);
}

/* Compact forms, odd spacing, folding and a repeated User-Agent: same spans as sip_scan(). */
static void
test_skim_agrees_with_scan(void **state)
{
	static const char *const msgs[] = {
		MSG("User-Agent: one\r\n" "User-Agent: two\r\n"),
		RL VIA "f: <sip:bob@example.com>;tag=1\r\nt: Bob <sip:bob@example.com>\r\n" CID CSEQ
		"\r\n",
		RL VIA "From  : <sip:bob@example.com>\r\n ;tag=7\r\nTO:\t<sip:c@d>\r\n" CID CSEQ
		"user-agent: x\r\n\t y\r\nAUTHORIZATION: Digest username=\"u\"\r\n\r\n",
		RL "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\n\r\n",
		MSG("X-Long: " "0123456789012345678901234567890123456789012345678901234567890123"
		    "0123456789012345678901234567890123456789012345678901234567890123\r\n"),
	};
	struct sip_scan_addr a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		enum sip_scan_status st = scan(msgs[i], SIP_WANT_ALL);
		struct sip_scan full = res;

		if (st != SIP_SCAN_OK && st != SIP_SCAN_ERR_NO_VIA)
			print_error("msg %zu: %s\n", i, sip_scan_reason_name(st));
		assert_true(st == SIP_SCAN_OK || st == SIP_SCAN_ERR_NO_VIA);
		assert_int_equal(skim(msgs[i]), SIP_SCAN_OK);
		assert_int_equal(skim_res.n_headers, full.n_headers);
		assert_int_equal(skim_res.line.method, full.line.method);
		assert_int_equal(sip_scan_addr(skim_res.from, &a), 0);
		assert_int_equal(a.user.len, full.from.user.len);
		assert_memory_equal(a.tag.p, full.from.tag.p, a.tag.len);
		assert_int_equal(a.tag.len, full.from.tag.len);
		assert_int_equal(sip_scan_addr(skim_res.to, &a), 0);
		assert_int_equal(a.user.len, full.to.user.len);
		assert_int_equal(skim_res.user_agent.len, full.user_agent.len);
		if (full.user_agent.len > 0)
			assert_memory_equal(skim_res.user_agent.p, full.user_agent.p,
					    full.user_agent.len);
		assert_int_equal(skim_res.auth.p != NULL, full.auth.scheme.p != NULL);
	}
	assert_int_equal(skim(msgs[0]), SIP_SCAN_OK);
	assert_span(skim_res.user_agent, "two"); /* the last one, as sip_scan() keeps it */
}

/*
 * What the skim still rejects, with sip_scan()'s reason: the start line, the line structure
 * and the names it must read. What it does not prove: a value or header it does not read.
 */
static void
test_GEN_1_skim_malformed_reasons(void **state)
{
	static const struct {
		const char *msg;
		enum sip_scan_status want;
	} cases[] = {
		{ "HELLO", SIP_SCAN_ERR_TRUNCATED },
		{ "\r\n", SIP_SCAN_ERR_BAD_START_LINE },
		{ "INVITE sip:x@y SIP/3.0\r\n\r\n", SIP_SCAN_ERR_BAD_VERSION },
		{ "INVITE  sip:x@y SIP/2.0\r\n\r\n", SIP_SCAN_ERR_BAD_START_LINE },
		{ "INVITE <sip:x@y> SIP/2.0\r\n\r\n", SIP_SCAN_ERR_BAD_REQUEST_URI },
		{ RL VIA, SIP_SCAN_ERR_TRUNCATED },
		{ RL VIA "\r", SIP_SCAN_ERR_TRUNCATED },
		{ RL VIA "\rX", SIP_SCAN_ERR_BAD_HEADER },
		{ RL "Via: x\n\r\n", SIP_SCAN_ERR_BAD_HEADER },
		{ RL "\n\r\n", SIP_SCAN_ERR_BAD_HEADER },
		{ RL FROM FROM "\r\n", SIP_SCAN_ERR_DUP_HEADER },
		{ RL TO "t: <sip:b@c>\r\n\r\n", SIP_SCAN_ERR_DUP_HEADER },
		{ RL "From <sip:a@b>\r\n\r\n", SIP_SCAN_ERR_BAD_HEADER },
		{ RL "To: <sip:a@b>", SIP_SCAN_ERR_TRUNCATED },
		/* Not read, so not proven: a bad CSeq, a missing Via, a nameless line. */
		{ RL FROM TO "CSeq: x\r\n\r\n", SIP_SCAN_OK },
		{ RL "Call-ID: a b\r\n\r\n", SIP_SCAN_OK },
		{ RL "garbage\r\n\r\n", SIP_SCAN_OK },
		{ "SIP/2.0 200 OK\r\n" VIA "\r\n", SIP_SCAN_OK },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum sip_scan_status st = skim(cases[i].msg);

		if (st != cases[i].want)
			print_error("case %zu: got \"%s\"\n", i, sip_scan_reason_name(st));
		assert_int_equal(st, cases[i].want);
	}
	assert_false(skim_res.line.is_request);
	assert_int_equal(skim_n(NULL, 0), SIP_SCAN_ERR_TRUNCATED);
}

/* The line-end bit masks at every length and alignment: too long, too many, every prefix. */
static void
test_GEN_1_skim_limits_and_every_prefix(void **state)
{
	static const char m[] = "INVITE sip:bob@example.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK9;rport\r\n"
		"From: \"Al \\\"x\\\"\" <sip:al@example.com>;tag=9\r\n"
		"To: sip:bob@example.com\r\n"
		"Call-ID: t@192.0.2.1\r\nCSeq: 1 INVITE\r\n"
		"X-Folded: a\r\n b\r\n\tc\r\n"
		"Proxy-Authorization: Digest username=\"al\", nonce=\"n\"\r\n"
		"User-Agent: x\r\nContent-Length: 4\r\n\r\nv=0\n";
	size_t n, end = strstr(m, "\r\n\r\n") + 4 - m, hl;
	enum sip_scan_status st;
	char *big;

	(void)state;
	assert_int_equal(skim(m), SIP_SCAN_OK);
	assert_int_equal(skim_res.n_headers, 9); /* the folded line counts once */
	assert_span(skim_res.user_agent, "x");
	for (n = 0; n < sizeof(m) - 1; n++) {
		st = skim_n(m, n);
		if (n >= end)
			assert_int_equal(st, SIP_SCAN_OK);
		else
			assert_int_not_equal(st, SIP_SCAN_OK);
	}
	/* A header line of exactly the limit passes, one byte more does not; both scanners. */
	big = malloc(SIP_SCAN_MAX_HEADER_LEN + 256);
	assert_non_null(big);
	for (hl = SIP_SCAN_MAX_HEADER_LEN - 1; hl <= SIP_SCAN_MAX_HEADER_LEN + 1; hl++) {
		/* "X: " + filler + CR: the LF sits hl bytes after the line start. */
		n = (size_t)sprintf(big, "%s", RL);
		memcpy(big + n, "X: ", 3);
		memset(big + n + 3, 'a', hl - 4);
		memcpy(big + n + hl - 1, "\r\n\r\n", 5);
		/* sip_scan() reads on to the end (no Via there) unless the line is too long. */
		st = scan(big, SIP_WANT_AUTH);
		assert_int_equal(skim(big), st == SIP_SCAN_ERR_HEADER_TOO_LONG ? st : SIP_SCAN_OK);
		assert_int_equal(skim(big), hl <= SIP_SCAN_MAX_HEADER_LEN ? SIP_SCAN_OK
									: SIP_SCAN_ERR_HEADER_TOO_LONG);
	}
	/* No line end within the limit: too long, not truncated. */
	assert_int_equal(skim_n(big, strlen(RL) + SIP_SCAN_MAX_HEADER_LEN + 8),
			 SIP_SCAN_ERR_HEADER_TOO_LONG);
	free(big);
	/* SIP_SCAN_MAX_HEADERS lines pass, one more does not. */
	big = malloc(sizeof(RL) + (SIP_SCAN_MAX_HEADERS + 1) * 6 + 3);
	assert_non_null(big);
	for (hl = SIP_SCAN_MAX_HEADERS; hl <= SIP_SCAN_MAX_HEADERS + 1; hl++) {
		n = (size_t)sprintf(big, "%s", RL);
		for (size_t k = 0; k < hl; k++)
			n += (size_t)sprintf(big + n, "X: a\r\n");
		sprintf(big + n, "\r\n");
		assert_int_equal(skim(big), hl <= SIP_SCAN_MAX_HEADERS ?
				 SIP_SCAN_OK : SIP_SCAN_ERR_TOO_MANY_HEADERS);
	}
	free(big);
}

/* --- resumable scan (issue 11 item 1): sip_scan_lazy(), sip_scan_resume() ----------- */

#define POLICY_WANT (SIP_WANT_FROM_TO | SIP_WANT_AUTH | SIP_WANT_DIALOG | SIP_WANT_UA)
#define REPLY_WANT (POLICY_WANT | SIP_WANT_VIA | SIP_WANT_COMPLETE)

static struct sip_scan lazy;

static enum sip_scan_status
lazy_n(const char *msg, unsigned int parse, unsigned int stop)
{
	size_t len = strlen(msg);

	drop_buf();
	scan_buf = malloc(len);
	assert_non_null(scan_buf);
	memcpy(scan_buf, msg, len);
	return sip_scan_lazy(scan_buf, len, &lazy, parse, stop);
}

/* The policy pass stops where its headers are found; the resumption reads only the rest. */
static void
test_resume_continues_where_the_lazy_pass_stopped(void **state)
{
	const char *msg = RL FROM TO CID CSEQ "Max-Forwards: 70\r\nUser-Agent: x\r\n"
			  "Authorization: Digest username=\"alice\", realm=\"r\", nonce=\"n\", "
			  "uri=\"sip:example.com\", response=\"00\"\r\n" VIA
			  "Contact: <sip:alice@192.0.2.1>;expires=60\r\n" CL0 "\r\n";
	size_t len = strlen(msg);
	uint16_t stopped_at;

	(void)state;
	assert_int_equal(lazy_n(msg, SIP_WANT_ALL, POLICY_WANT), SIP_SCAN_OK);
	assert_false(lazy.complete);
	assert_int_equal(lazy.n_headers, 7); /* up to the credentials, nothing after */
	assert_null(lazy.via.host.p);
	stopped_at = lazy.next_off;
	assert_memory_equal(scan_buf + stopped_at, VIA, strlen(VIA));
	assert_int_equal(sip_scan_resume(scan_buf, len, &lazy, SIP_WANT_ALL), SIP_SCAN_OK);
	assert_true(lazy.complete);
	assert_int_equal(lazy.n_headers, 10); /* 3 more lines read, not 10 again */
	assert_int_equal(lazy.contact_expires, 60);
	assert_int_equal(lazy.via.port, 5060);
	assert_int_equal(lazy.auth.username.len, 5);
	/* The same as one complete scan. */
	assert_int_equal(sip_scan(scan_buf, len, &res, SIP_WANT_ALL), SIP_SCAN_OK);
	assert_ptr_equal(res.body.p, lazy.body.p);
	assert_int_equal(res.hdr_seen, lazy.hdr_seen);
	assert_ptr_equal(res.contact.uri.p, lazy.contact.uri.p);
	/* Resuming a complete scan reads nothing more. */
	assert_int_equal(sip_scan_resume(scan_buf, len, &lazy, SIP_WANT_ALL), SIP_SCAN_OK);
	assert_int_equal(lazy.n_headers, 10);
}

/*
 * A bad value the policy pass does not want (Contact) does not fail it, as sip_scan(policy)
 * would not; the resumption that wants it fails with its reason, one that does not (the
 * reply's groups) succeeds like sip_scan(reply). A bad value the pass wants fails it.
 */
static void
test_GEN_1_resume_defers_bad_values_the_pass_does_not_want(void **state)
{
	const char *msg = RL VIA "Contact: <sip:alice@192.0.2.1\r\n" FROM TO CID CSEQ CL0 "\r\n";
	size_t len = strlen(msg);

	(void)state;
	assert_int_equal(lazy_n(msg, SIP_WANT_ALL, POLICY_WANT), SIP_SCAN_OK);
	assert_int_equal(sip_scan_resume(scan_buf, len, &lazy, SIP_WANT_ALL),
			 SIP_SCAN_ERR_BAD_CONTACT);
	assert_int_equal(sip_scan(scan_buf, len, &res, SIP_WANT_ALL), SIP_SCAN_ERR_BAD_CONTACT);
	/* Failed for good. */
	assert_int_equal(sip_scan_resume(scan_buf, len, &lazy, REPLY_WANT),
			 SIP_SCAN_ERR_BAD_CONTACT);

	assert_int_equal(lazy_n(msg, SIP_WANT_ALL, POLICY_WANT), SIP_SCAN_OK);
	assert_int_equal(sip_scan_resume(scan_buf, len, &lazy, REPLY_WANT), SIP_SCAN_OK);
	assert_int_equal(sip_scan(scan_buf, len, &res, REPLY_WANT), SIP_SCAN_OK);

	assert_int_equal(lazy_n(RL VIA "From: <sip:alice@example.com\r\n" TO CID CSEQ "\r\n",
				SIP_WANT_ALL, POLICY_WANT),
			 SIP_SCAN_ERR_BAD_FROM);
}

/* From a skim: its start line is taken, the sip URI split the skim leaves out is checked. */
static void
test_GEN_1_scan_from_skim_checks_the_request_uri(void **state)
{
	const char *good = RL BASE CL0 "\r\n";
	const char *bad = "REGISTER sip:a@b:99999 SIP/2.0\r\n" BASE CL0 "\r\n";
	struct sip_skim k;

	(void)state;
	scan(good, SIP_WANT_ALL);
	assert_int_equal(sip_scan_skim(scan_buf, strlen(good), &k), SIP_SCAN_OK);
	assert_int_equal(sip_scan_from_skim(scan_buf, strlen(good), &lazy, &k, SIP_WANT_ALL,
					    POLICY_WANT),
			 SIP_SCAN_OK);
	assert_int_equal(sip_scan_resume(scan_buf, strlen(good), &lazy, SIP_WANT_ALL),
			 SIP_SCAN_OK);
	assert_ptr_equal(lazy.line.ruri_host.p, res.line.ruri_host.p);
	assert_int_equal(lazy.line.ruri_host.len, res.line.ruri_host.len);
	assert_ptr_equal(lazy.body.p, res.body.p);

	scan(bad, SIP_WANT_ALL);
	assert_int_equal(res.status, SIP_SCAN_ERR_BAD_REQUEST_URI);
	assert_int_equal(sip_scan_skim(scan_buf, strlen(bad), &k), SIP_SCAN_OK);
	assert_int_equal(sip_scan_from_skim(scan_buf, strlen(bad), &lazy, &k, SIP_WANT_ALL,
					    POLICY_WANT),
			 SIP_SCAN_ERR_BAD_REQUEST_URI);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_line_fields),
		cmocka_unit_test(test_request_line_alone),
		cmocka_unit_test(test_status_line),
		cmocka_unit_test(test_method_names),
		cmocka_unit_test(test_compact_forms),
		cmocka_unit_test(test_header_name_fast_path),
		cmocka_unit_test(test_case_insensitive_names),
		cmocka_unit_test(test_header_folding),
		cmocka_unit_test(test_quoted_display_escaped_quotes),
		cmocka_unit_test(test_token_display_and_bare_uri),
		cmocka_unit_test(test_via_multiple_in_one_header),
		cmocka_unit_test(test_via_across_headers),
		cmocka_unit_test(test_via_ipv6),
		cmocka_unit_test(test_contact_star),
		cmocka_unit_test(test_contact_expires_param),
		cmocka_unit_test(test_auth_digest_params_any_order),
		cmocka_unit_test(test_proxy_authorization),
		cmocka_unit_test(test_auth_unknown_scheme),
		cmocka_unit_test(test_session_timer_headers),
		cmocka_unit_test(test_identity_headers),
		cmocka_unit_test(test_numbers_and_body),
		cmocka_unit_test(test_repeated_multi_value_headers_allowed),
		cmocka_unit_test(test_UNAUTH_5_lazy_scan_stops_after_wanted_headers),
		cmocka_unit_test(test_UNAUTH_5_lazy_scan_without_auth_reads_to_end),
		cmocka_unit_test(test_want_none_reads_start_line_only),
		cmocka_unit_test(test_GEN_1_each_malformed_reason),
		cmocka_unit_test(test_GEN_1_junk_hello_crlf_empty),
		cmocka_unit_test(test_GEN_1_request_uri_forms),
		cmocka_unit_test(test_GEN_1_nul_bytes),
		cmocka_unit_test(test_GEN_1_absurdly_long_header),
		cmocka_unit_test(test_GEN_1_too_many_headers),
		cmocka_unit_test(test_GEN_1_too_big),
		cmocka_unit_test(test_GEN_1_null_empty_input),
		cmocka_unit_test(test_GEN_1_truncated_at_every_offset),
		cmocka_unit_test(test_reason_names),
		cmocka_unit_test(test_uri_helper),
		cmocka_unit_test(test_param_helper),
		cmocka_unit_test(test_uint_helper),
		cmocka_unit_test(test_UNAUTH_5_skim_keeps_what_the_drop_decides_on),
		cmocka_unit_test(test_skim_agrees_with_scan),
		cmocka_unit_test(test_GEN_1_skim_malformed_reasons),
		cmocka_unit_test(test_GEN_1_skim_limits_and_every_prefix),
		cmocka_unit_test_teardown(test_resume_continues_where_the_lazy_pass_stopped, teardown),
		cmocka_unit_test_teardown(test_GEN_1_resume_defers_bad_values_the_pass_does_not_want,
					  teardown),
		cmocka_unit_test_teardown(test_GEN_1_scan_from_skim_checks_the_request_uri, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
