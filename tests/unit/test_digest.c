/* SPDX-License-Identifier: BSD-3-Clause */
/* Digest computation and verification (RFC 2617, RFC 7616 vectors) and challenge rendering. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dataplane/auth/digest.h"
#include "dataplane/sip/scan.h"

static struct sf_span
S(const char *s)
{
	return (struct sf_span){ .p = (const uint8_t *)s, .len = (uint16_t)strlen(s) };
}

static int
setup(void **state)
{
	*state = digest_ctx_create();
	return *state == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	digest_ctx_destroy(*state);
	return 0;
}

static struct sf_span
ha1_of(struct digest_ctx *ctx, enum digest_alg alg, const char *user, const char *realm,
       const char *pw, uint8_t buf[DIGEST_HEX_MAX])
{
	assert_int_equal(digest_ha1(ctx, alg, S(user), S(realm), S(pw), buf), 0);
	return (struct sf_span){ .p = buf, .len = (uint16_t)digest_hex_len(alg) };
}

/* RFC 2617 section 3.5 (its errata'd response for "Circle Of Life"). */
static struct digest_creds
rfc2617_creds(void)
{
	return (struct digest_creds){
		.username = S("Mufasa"),
		.realm = S("testrealm@host.com"),
		.nonce = S("dcd98b7102dd2f0e8b11d0f600bfb0c093"),
		.uri = S("/dir/index.html"),
		.response = S("6629fae49393a05397450978507c4ef1"),
		.cnonce = S("0a4f113b"),
		.nc = S("00000001"),
		.alg = DIGEST_ALG_MD5,
		.qop_auth = true,
	};
}

static void
test_rfc2617_md5_vector_verifies(void **state)
{
	struct digest_creds c = rfc2617_creds();
	uint8_t ha1[DIGEST_HEX_MAX];
	struct sf_span h = ha1_of(*state, DIGEST_ALG_MD5, "Mufasa", "testrealm@host.com",
				  "Circle Of Life", ha1);

	assert_int_equal(digest_verify(*state, &c, S("GET"), h), DIGEST_OK);
	/* Upper-case hex from the client is the same response. */
	c.response = S("6629FAE49393A05397450978507C4EF1");
	assert_int_equal(digest_verify(*state, &c, S("GET"), h), DIGEST_OK);
}

static struct digest_creds
rfc7616_creds(enum digest_alg alg, const char *response)
{
	return (struct digest_creds){
		.username = S("Mufasa"),
		.realm = S("http-auth@example.org"),
		.nonce = S("7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"),
		.uri = S("/dir/index.html"),
		.response = S(response),
		.cnonce = S("f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"),
		.nc = S("00000001"),
		.alg = alg,
		.qop_auth = true,
	};
}

static void
test_rfc7616_md5_and_sha256_vectors_verify(void **state)
{
	struct digest_creds md5 = rfc7616_creds(DIGEST_ALG_MD5, "8ca523f5e9506fed4657c9700eebdbec");
	struct digest_creds sha = rfc7616_creds(
		DIGEST_ALG_SHA256, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
	uint8_t b1[DIGEST_HEX_MAX], b2[DIGEST_HEX_MAX];

	assert_int_equal(digest_verify(*state, &md5, S("GET"),
				       ha1_of(*state, DIGEST_ALG_MD5, "Mufasa",
					      "http-auth@example.org", "Circle of Life", b1)),
			 DIGEST_OK);
	assert_int_equal(digest_verify(*state, &sha, S("GET"),
				       ha1_of(*state, DIGEST_ALG_SHA256, "Mufasa",
					      "http-auth@example.org", "Circle of Life", b2)),
			 DIGEST_OK);
}

/*
 * AUTH-4's "wrong answer": a response that differs from the right one in any single hex digit
 * - the first, one in the middle, the last - is wrong, for MD5 and SHA-256 alike (every
 * digit is compared, not a prefix).
 */
static void
test_AUTH_4_response_wrong_in_any_one_digit_is_wrong(void **state)
{
	static const char *const right[] = {
		"8ca523f5e9506fed4657c9700eebdbec",
		"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
	};
	static const enum digest_alg alg[] = {DIGEST_ALG_MD5, DIGEST_ALG_SHA256};
	uint8_t b[DIGEST_HEX_MAX];
	char resp[DIGEST_HEX_MAX + 1];
	unsigned int a, k;

	for (a = 0; a < 2; a++) {
		size_t len = strlen(right[a]);
		size_t at[3] = {0, len / 2, len - 1};
		struct sf_span h = ha1_of(*state, alg[a], "Mufasa", "http-auth@example.org",
					  "Circle of Life", b);

		for (k = 0; k < 3; k++) {
			struct digest_creds c;

			snprintf(resp, sizeof(resp), "%s", right[a]);
			resp[at[k]] = resp[at[k]] == '0' ? '1' : '0';
			c = rfc7616_creds(alg[a], resp);
			assert_int_equal(digest_verify(*state, &c, S("GET"), h), DIGEST_WRONG);
		}
		{
			struct digest_creds c = rfc7616_creds(alg[a], right[a]);

			assert_int_equal(digest_verify(*state, &c, S("GET"), h), DIGEST_OK);
		}
	}
}

/*
 * The context remembers the last HA2 (method:uri per hash): interleaving hashes, URIs and
 * methods on one context must give each request its own HA2 (RFC 2617 and 7616 vectors).
 */
static void
test_ha2_reuse_never_crosses_hash_method_or_uri(void **state)
{
	struct digest_creds md5 = rfc7616_creds(DIGEST_ALG_MD5, "8ca523f5e9506fed4657c9700eebdbec");
	struct digest_creds sha = rfc7616_creds(
		DIGEST_ALG_SHA256, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
	struct digest_creds old = rfc2617_creds();
	uint8_t b1[DIGEST_HEX_MAX], b2[DIGEST_HEX_MAX], b3[DIGEST_HEX_MAX];
	struct sf_span h_md5 = ha1_of(*state, DIGEST_ALG_MD5, "Mufasa", "http-auth@example.org",
				      "Circle of Life", b1);
	struct sf_span h_sha = ha1_of(*state, DIGEST_ALG_SHA256, "Mufasa",
				      "http-auth@example.org", "Circle of Life", b2);
	struct sf_span h_old = ha1_of(*state, DIGEST_ALG_MD5, "Mufasa", "testrealm@host.com",
				      "Circle Of Life", b3);
	unsigned int round;

	for (round = 0; round < 2; round++) { /* the second round starts from a warm entry */
		assert_int_equal(digest_verify(*state, &md5, S("GET"), h_md5), DIGEST_OK);
		assert_int_equal(digest_verify(*state, &md5, S("GET"), h_md5), DIGEST_OK);
		/* Same method and URI, other hash: SHA-256's own HA2. */
		assert_int_equal(digest_verify(*state, &sha, S("GET"), h_sha), DIGEST_OK);
		assert_int_equal(digest_verify(*state, &md5, S("GET"), h_md5), DIGEST_OK);
		/* Another method, then another URI of the same length: both wrong. */
		assert_int_equal(digest_verify(*state, &md5, S("PUT"), h_md5), DIGEST_WRONG);
		md5.uri = S("/dir/index.htmm");
		assert_int_equal(digest_verify(*state, &md5, S("GET"), h_md5), DIGEST_WRONG);
		md5.uri = S("/dir/index.html");
		assert_int_equal(digest_verify(*state, &old, S("GET"), h_old), DIGEST_OK);
		assert_int_equal(digest_verify(*state, &sha, S("GET"), h_sha), DIGEST_OK);
		assert_int_equal(digest_verify(*state, &sha, S("GETX"), h_sha), DIGEST_WRONG);
	}
}

static void
test_wrong_password_method_uri_nonce_fail(void **state)
{
	struct digest_creds c = rfc2617_creds();
	uint8_t good[DIGEST_HEX_MAX], bad[DIGEST_HEX_MAX];
	struct sf_span h = ha1_of(*state, DIGEST_ALG_MD5, "Mufasa", "testrealm@host.com",
				  "Circle Of Life", good);

	assert_int_equal(digest_verify(*state, &c,
				       S("GET"), ha1_of(*state, DIGEST_ALG_MD5, "Mufasa",
							"testrealm@host.com", "circle of life", bad)),
			 DIGEST_WRONG);
	assert_int_equal(digest_verify(*state, &c, S("POST"), h), DIGEST_WRONG);
	c.uri = S("/dir/index.htm");
	assert_int_equal(digest_verify(*state, &c, S("GET"), h), DIGEST_WRONG);
	c = rfc2617_creds();
	c.nonce = S("dcd98b7102dd2f0e8b11d0f600bfb0c094");
	assert_int_equal(digest_verify(*state, &c, S("GET"), h), DIGEST_WRONG);
	c = rfc2617_creds();
	c.nc = S("00000002");
	assert_int_equal(digest_verify(*state, &c, S("GET"), h), DIGEST_WRONG);
}

static void
test_malformed_is_not_a_guess(void **state)
{
	struct digest_creds c = rfc2617_creds();
	uint8_t b[DIGEST_HEX_MAX];
	struct sf_span h = ha1_of(*state, DIGEST_ALG_MD5, "Mufasa", "testrealm@host.com",
				  "Circle Of Life", b);

	c.response = S("6629fae49393a05397450978507c4ef"); /* 31 digits */
	assert_int_equal(digest_verify(*state, &c, S("GET"), h), DIGEST_MALFORMED);
	c = rfc2617_creds();
	c.cnonce = S("");
	assert_int_equal(digest_verify(*state, &c, S("GET"), h), DIGEST_MALFORMED);
	c = rfc2617_creds();
	c.nc = S("1");
	assert_int_equal(digest_verify(*state, &c, S("GET"), h), DIGEST_MALFORMED);
	c = rfc2617_creds();
	h.len = 31; /* HA1 of the wrong length (e.g. an MD5 HA1 offered for SHA-256) */
	assert_int_equal(digest_verify(*state, &c, S("GET"), h), DIGEST_MALFORMED);
}

/* RFC 2069 compatibility: no qop, response = H(HA1:nonce:HA2); RFC 2617 3.5 inputs. */
static void
test_no_qop_round_trip(void **state)
{
	struct digest_creds c = rfc2617_creds();
	uint8_t b[DIGEST_HEX_MAX], resp[DIGEST_HEX_MAX];
	struct sf_span h = ha1_of(*state, DIGEST_ALG_MD5, "Mufasa", "testrealm@host.com",
				  "Circle Of Life", b);

	c.qop_auth = false;
	c.nc = S("");
	c.cnonce = S("");
	assert_int_equal(digest_response(*state, &c, S("GET"), h, resp), 0);
	/* Independently: md5("939e7578ed9e3c518a452acee763bce9:dcd98b...093:39aff3a2bab6126f332b942af96d3366") */
	assert_memory_equal(resp, "670fd8c2df070c60b045671b8b24ff02", 32);
	c.response = (struct sf_span){ .p = resp, .len = 32 };
	assert_int_equal(digest_verify(*state, &c, S("GET"), h), DIGEST_OK);
}

/* -sess: HA1' = H(HA1:nonce:cnonce), then as usual; checked against a hand-chained compute. */
static void
test_sess_variants_chain_ha1(void **state)
{
	struct digest_creds c = rfc7616_creds(DIGEST_ALG_SHA256_SESS, "");
	uint8_t b[DIGEST_HEX_MAX], sess_ha1[DIGEST_HEX_MAX], resp[DIGEST_HEX_MAX];
	uint8_t plain[DIGEST_HEX_MAX];
	struct sf_span h = ha1_of(*state, DIGEST_ALG_SHA256, "Mufasa", "http-auth@example.org",
				  "Circle of Life", b);
	char joined[256];
	struct digest_creds p;

	/* HA1' computed with digest_ha1's H(a:b:c) over (HA1, nonce, cnonce). */
	snprintf(joined, sizeof(joined), "%.*s", 64, (const char *)b);
	assert_int_equal(digest_ha1(*state, DIGEST_ALG_SHA256, S(joined), c.nonce, c.cnonce,
				    sess_ha1),
			 0);
	assert_int_equal(digest_response(*state, &c, S("GET"), h, resp), 0);
	p = c;
	p.alg = DIGEST_ALG_SHA256;
	assert_int_equal(digest_response(*state, &p, S("GET"),
					 (struct sf_span){ .p = sess_ha1, .len = 64 }, plain),
			 0);
	assert_memory_equal(resp, plain, 64);
	c.response = (struct sf_span){ .p = resp, .len = 64 };
	assert_int_equal(digest_verify(*state, &c, S("GET"), h), DIGEST_OK);
}

static void
test_alg_parse(void **state)
{
	enum digest_alg a;

	(void)state;
	assert_int_equal(digest_alg_parse(S(""), &a), 0);
	assert_int_equal(a, DIGEST_ALG_MD5);
	assert_int_equal(digest_alg_parse(S("sha-256"), &a), 0);
	assert_int_equal(a, DIGEST_ALG_SHA256);
	assert_int_equal(digest_alg_parse(S("MD5-SESS"), &a), 0);
	assert_int_equal(a, DIGEST_ALG_MD5_SESS);
	assert_int_equal(digest_alg_parse(S("SHA-256-sess"), &a), 0);
	assert_int_equal(a, DIGEST_ALG_SHA256_SESS);
	assert_int_equal(digest_alg_parse(S("SHA-512-256"), &a), -ENOTSUP);
	assert_int_equal(digest_hex_len(DIGEST_ALG_MD5_SESS), 32);
	assert_int_equal(digest_hex_len(DIGEST_ALG_SHA256), 64);
}

/* AUTH-1 / AUTH-2 input side: credentials as the scanner hands them over. */
static void
test_creds_from_scanned_authorization(void **state)
{
	static const char msg[] =
		"REGISTER sip:example.org SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\r\n"
		"From: <sip:Mufasa@example.org>;tag=1\r\nTo: <sip:Mufasa@example.org>\r\n"
		"Call-ID: c1\r\nCSeq: 2 REGISTER\r\n"
		"Authorization: Digest username=\"Mufasa\", realm=\"http-auth@example.org\", "
		"uri=\"/dir/index.html\", algorithm=SHA-256, "
		"nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", nc=00000001, "
		"cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", qop=auth, "
		"response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\"\r\n"
		"Content-Length: 0\r\n\r\n";
	struct sip_scan s;
	struct digest_creds c;
	uint8_t b[DIGEST_HEX_MAX];

	assert_int_equal(sip_scan((const uint8_t *)msg, sizeof(msg) - 1, &s, SIP_WANT_ALL),
			 SIP_SCAN_OK);
	assert_int_equal(digest_creds_from_scan(&s.auth, &c), 0);
	assert_int_equal(c.alg, DIGEST_ALG_SHA256);
	assert_true(c.qop_auth);
	assert_int_equal(digest_verify(*state, &c, S("GET"),
				       ha1_of(*state, DIGEST_ALG_SHA256, "Mufasa",
					      "http-auth@example.org", "Circle of Life", b)),
			 DIGEST_OK);
	s.auth.qop = S("auth-int");
	assert_int_equal(digest_creds_from_scan(&s.auth, &c), -ENOTSUP);
	s.auth.is_digest = false;
	assert_int_equal(digest_creds_from_scan(&s.auth, &c), -EINVAL);
}

/* AUTH-1: 401 + WWW-Authenticate offering SHA-256 then MD5 (RFC 8760). */
static void
test_AUTH_1_challenge_www_authenticate_both_algorithms(void **state)
{
	static const char want[] =
		"WWW-Authenticate: Digest realm=\"sipfast\", nonce=\"abc\", qop=\"auth\", "
		"algorithm=SHA-256\r\n"
		"WWW-Authenticate: Digest realm=\"sipfast\", nonce=\"abc\", qop=\"auth\", "
		"algorithm=MD5\r\n";
	struct digest_challenge ch = { .realm = S("sipfast"), .nonce = S("abc") };
	uint8_t buf[512];
	int n;

	(void)state;
	n = digest_challenge_render(buf, sizeof(buf), &ch);
	assert_int_equal(n, (int)sizeof(want) - 1);
	assert_memory_equal(buf, want, sizeof(want) - 1);
	/* Exactly enough room works; one byte less is -ENOSPC. */
	assert_int_equal(digest_challenge_render(buf, sizeof(want) - 1, &ch), n);
	assert_int_equal(digest_challenge_render(buf, sizeof(want) - 2, &ch), -ENOSPC);
}

/* AUTH-2: 407 mode renders Proxy-Authenticate. AUTH-9/I-5: stale=true when asked. */
static void
test_AUTH_2_proxy_authenticate_and_AUTH_9_stale_flag(void **state)
{
	static const char want[] =
		"Proxy-Authenticate: Digest realm=\"r\", nonce=\"n\", qop=\"auth\", "
		"algorithm=MD5, stale=true\r\n";
	struct digest_challenge ch = { .realm = S("r"), .nonce = S("n"), .proxy = true,
				       .stale = true, .offers = DIGEST_OFFER_MD5 };
	uint8_t buf[256];

	(void)state;
	assert_int_equal(digest_challenge_render(buf, sizeof(buf), &ch), (int)sizeof(want) - 1);
	assert_memory_equal(buf, want, sizeof(want) - 1);
	ch.realm = S("bad\"realm");
	assert_int_equal(digest_challenge_render(buf, sizeof(buf), &ch), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc2617_md5_vector_verifies),
		cmocka_unit_test(test_rfc7616_md5_and_sha256_vectors_verify),
		cmocka_unit_test(test_AUTH_4_response_wrong_in_any_one_digit_is_wrong),
		cmocka_unit_test(test_ha2_reuse_never_crosses_hash_method_or_uri),
		cmocka_unit_test(test_wrong_password_method_uri_nonce_fail),
		cmocka_unit_test(test_malformed_is_not_a_guess),
		cmocka_unit_test(test_no_qop_round_trip),
		cmocka_unit_test(test_sess_variants_chain_ha1),
		cmocka_unit_test(test_alg_parse),
		cmocka_unit_test(test_creds_from_scanned_authorization),
		cmocka_unit_test(test_AUTH_1_challenge_www_authenticate_both_algorithms),
		cmocka_unit_test(test_AUTH_2_proxy_authenticate_and_AUTH_9_stale_flag),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
