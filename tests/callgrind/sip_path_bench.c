/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Instruction counts of the SIP path's pure parts, one noinline function per case so callgrind
 * can collect each alone (commands in tests/callgrind/README.md):
 *   unknown_drop   - what sip_input does for an unknown source with SS_REPLY_UNAUTHORIZED Off:
 *                    gateway probe, lazy policy scan, account probe, scanner User-Agent check
 *                    (the mbuf free is not in it)
 *   known_options  - OPTIONS from a gateway: gateway probe, full scan, 200 OK built in a buffer
 *   osip_parse     - libosip2 full parse of the same INVITE on the per-thread arena
 *   register_challenge - the pure part of the challenge that precedes register_auth: the
 *                    same account's first REGISTER, without credentials: full scan,
 *                    nonce_issue (HMAC-SHA256; its tag from Call-ID, Via branch and CSeq),
 *                    both WWW-Authenticate lines (MD5, then SHA-256: a password account can
 *                    answer either) and the 401 built in a buffer. Not in it: the account and
 *                    lockout probes, the mbuf and the send.
 *   register_auth  - the pure part of an admitted REGISTER (what scripts/bench_gen.py sends
 *                    for register_digest: qop=auth MD5 over a nonce of ours): full scan,
 *                    nonce_verify (HMAC-SHA256), digest_verify from the account's precomputed
 *                    HA1, and the 200 OK with Contact/Expires built in a buffer. Not in it:
 *                    the lockout/session probes, the location store, the mbuf and the send.
 * An admitted REGISTER (challenge, then the answer and its 200 OK) is register_challenge +
 * register_auth.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/policy/policy.h"
#include "dataplane/policy/scanner_ua.h"
#include "dataplane/auth/digest.h"
#include "dataplane/auth/nonce.h"
#include "dataplane/sip/build.h"
#include "dataplane/sip/msg.h"
#include "dataplane/sip/scan.h"

#define N 10000

static const char reg[] = /* what svwar sends, roughly */
	"REGISTER sip:10.99.0.1 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 10.99.0.2:5060;branch=z9hG4bK-3086183279;rport\r\n"
	"Max-Forwards: 70\r\n"
	"To: \"2001\" <sip:2001@10.99.0.1>\r\n"
	"From: \"2001\" <sip:2001@10.99.0.1>;tag=6435623139303061\r\n"
	"User-Agent: friendly-scanner\r\n"
	"Call-ID: 1157237573717484148\r\n"
	"Contact: sip:2001@10.99.0.2:5060\r\n"
	"CSeq: 1 REGISTER\r\n"
	"Accept: application/sdp\r\n"
	"Content-Length: 0\r\n\r\n";

static const char inv[] =
	"INVITE sip:8801911000000@10.99.0.1 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 10.99.0.2:5060;branch=z9hG4bK776asdhds;rport\r\n"
	"Max-Forwards: 70\r\n"
	"From: \"Alice\" <sip:1001@sipfast.test>;tag=1928301774\r\n"
	"To: <sip:8801911000000@sipfast.test>\r\n"
	"Call-ID: a84b4c76e66710@pc33.example.com\r\n"
	"CSeq: 314159 INVITE\r\n"
	"Contact: <sip:1001@10.99.0.2:5060>\r\n"
	"Supported: timer\r\nSession-Expires: 1800\r\n"
	"User-Agent: bench\r\n"
	"Content-Type: application/sdp\r\n"
	"Content-Length: 132\r\n\r\n"
	"v=0\r\no=alice 2890844526 2890844526 IN IP4 10.99.0.2\r\ns=-\r\n"
	"c=IN IP4 10.99.0.2\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

static const char opt[] =
	"OPTIONS sip:10.99.0.1 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 10.99.0.2:5071;branch=z9hG4bK-1-0;rport\r\n"
	"From: <sip:gw@10.99.0.2:5071>;tag=1SIPpTag01\r\n"
	"To: <sip:10.99.0.1:5060>\r\n"
	"Call-ID: 1-1@10.99.0.2\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
	"Contact: <sip:gw@10.99.0.2:5071>\r\nContent-Length: 0\r\n\r\n";

static volatile unsigned int sink;

static __attribute__((noinline)) void
unknown_drop(const struct policy *pol, const uint8_t *m, size_t len, uint32_t ip)
{
	struct sip_scan s;

	if (policy_classify_source(pol, &policy_hooks_none, ip, htons(5060), NULL) != POLICY_UNKNOWN)
		abort();
	if (sip_scan(m, len, &s, SIP_WANT_FROM_TO | SIP_WANT_AUTH | SIP_WANT_DIALOG | SIP_WANT_UA) !=
	    SIP_SCAN_OK)
		abort();
	if (policy_classify_request(pol, &policy_hooks_none, ip, &s, NULL) != POLICY_UNKNOWN)
		abort();
	sink += scanner_ua_is_scanner(s.user_agent); /* the drop verdict: sip_drop_scanner_ua */
}

static __attribute__((noinline)) void
known_options(const struct policy *pol, const uint8_t *m, size_t len, uint32_t ip)
{
	static const char extra[] = "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, UPDATE\r\n"
				    "Accept: application/sdp\r\nSupported: timer\r\n";
	struct sip_build_resp r = {.code = 200, .reason = SIP_BUILD_LIT("OK"), .src_ip_be = ip,
				   .src_port = 5071, .extra = SIP_BUILD_LIT(extra)};
	uint8_t out[1500];
	struct sip_scan s;

	if (policy_classify_source(pol, &policy_hooks_none, ip, htons(5071), NULL) != POLICY_GATEWAY)
		abort();
	if (sip_scan(m, len, &s, SIP_WANT_ALL) != SIP_SCAN_OK)
		abort();
	sink += (unsigned int)sip_build_response(out, sizeof(out), m, len, &s, &r);
}

#define REG_REALM "sipfast.test"
#define REG_CALL_ID "reg-17@10.99.0.2"

/* An admitted REGISTER's pure work; see the file comment. @ha1: the account's HA1, hex. */
static __attribute__((noinline)) void
register_auth(struct nonce_ctx *nctx, struct digest_ctx *dctx, const uint8_t *m, size_t len,
	      uint32_t ip, struct sf_span ha1)
{
	static const char contact[] = "sip:u00017@10.99.0.2:5060";
	struct sip_build_resp r = {.code = 200, .reason = SIP_BUILD_LIT("OK"), .src_ip_be = ip,
				   .src_port = 5060};
	uint8_t out[1500], extra[256];
	struct sip_bw w = SIP_BW_INIT(extra, sizeof(extra));
	struct digest_creds c;
	struct nonce_info info;
	struct sip_scan s;

	if (sip_scan(m, len, &s, SIP_WANT_ALL) != SIP_SCAN_OK ||
	    digest_creds_from_scan(&s.auth, &c) != 0)
		abort();
	if (nonce_verify(nctx, c.nonce, ip, SIP_BUILD_LIT(REG_REALM), s.call_id, 1000, 30,
			 &info) != NONCE_OK)
		abort();
	if (digest_verify(dctx, &c, s.line.method_name, ha1) != DIGEST_OK)
		abort();
	SIP_BW_LIT(&w, "Contact: <");
	sip_bw_put(&w, contact, sizeof(contact) - 1);
	SIP_BW_LIT(&w, ">;expires=");
	sip_bw_uint(&w, 3600);
	SIP_BW_LIT(&w, "\r\nExpires: ");
	sip_bw_uint(&w, 3600);
	SIP_BW_LIT(&w, "\r\n");
	r.extra = (struct sf_span){extra, (uint16_t)(w.p - extra)};
	sink += (unsigned int)sip_build_response(out, sizeof(out), m, len, &s, &r);
}

/*
 * The challenge to a configured account's REGISTER without credentials; see the file comment.
 * The steps of auth_challenge_header() (dataplane/auth/auth.c) as the registrar answers a
 * password account, on the bench's fixed clock.
 */
static __attribute__((noinline)) void
register_challenge(struct nonce_ctx *nctx, const uint8_t *m, size_t len, uint32_t ip)
{
	struct sip_build_resp r = {.code = 401, .reason = SIP_BUILD_LIT("Unauthorized"),
				   .src_ip_be = ip, .src_port = 5060};
	uint8_t out[1500], extra[512], nonce[NONCE_TEXT_LEN];
	struct digest_challenge ch = {.realm = SIP_BUILD_LIT(REG_REALM),
				      .nonce = {nonce, NONCE_TEXT_LEN},
				      .offers = DIGEST_OFFER_MD5};
	struct sip_scan s;
	int md5, sha;

	if (sip_scan(m, len, &s, SIP_WANT_ALL) != SIP_SCAN_OK || s.auth.username.len != 0)
		abort();
	if (nonce_issue(nctx, ip, ch.realm, s.call_id, nonce_request_tag(s.via.branch, s.cseq),
			1000, nonce) != 0)
		abort();
	md5 = digest_challenge_render(extra, sizeof(extra), &ch);
	if (md5 < 0)
		abort();
	ch.offers = DIGEST_OFFER_SHA256;
	sha = digest_challenge_render(extra + md5, sizeof(extra) - (size_t)md5, &ch);
	if (sha < 0)
		abort();
	r.extra = (struct sf_span){extra, (uint16_t)(md5 + sha)};
	len = (size_t)sip_build_response(out, sizeof(out), m, len, &s, &r);
	if (len > sizeof(out)) /* -1: the 401 did not fit */
		abort();
	sink += (unsigned int)len;
}

/*
 * The REGISTER bench_gen.py's register_digest sends, with a nonce of @nctx that verifies
 * (@with_auth), or the same phone's first REGISTER, the one challenged: CSeq 1, no
 * Authorization line.
 */
static uint8_t *
register_msg(struct nonce_ctx *nctx, struct digest_ctx *dctx, uint32_t ip, struct sf_span ha1,
	     bool with_auth, size_t *len)
{
	uint8_t nonce[NONCE_TEXT_LEN], resp[DIGEST_HEX_MAX];
	struct digest_creds c = {.alg = DIGEST_ALG_MD5, .qop_auth = true};
	char *msg = malloc(2048), auth[512] = "";

	if (msg == NULL)
		abort();
	if (with_auth) {
		if (nonce_issue(nctx, ip, SIP_BUILD_LIT(REG_REALM), SIP_BUILD_LIT(REG_CALL_ID), 0,
				1000, nonce) != 0)
			abort();
		c.nonce = (struct sf_span){nonce, NONCE_TEXT_LEN};
		c.uri = SIP_BUILD_LIT("sip:" REG_REALM);
		c.nc = SIP_BUILD_LIT("00000001");
		c.cnonce = SIP_BUILD_LIT("8a3f09c1");
		if (digest_response(dctx, &c, SIP_BUILD_LIT("REGISTER"), ha1, resp) != 0)
			abort();
		snprintf(auth, sizeof(auth),
			 "Authorization: Digest username=\"u00017\", realm=\"" REG_REALM "\", "
			 "nonce=\"%.*s\", uri=\"sip:" REG_REALM "\", response=\"%.32s\", "
			 "algorithm=MD5, qop=auth, nc=00000001, cnonce=\"8a3f09c1\"\r\n",
			 NONCE_TEXT_LEN, nonce, resp);
	}
	*len = (size_t)snprintf(msg, 2048,
		"REGISTER sip:" REG_REALM " SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 10.99.0.2:5060;branch=z9hG4bK5f1e2d3c4b5a;rport\r\n"
		"Max-Forwards: 70\r\n"
		"From: <sip:u00017@" REG_REALM ">;tag=1a2b3c4d\r\n"
		"To: <sip:u00017@" REG_REALM ">\r\n"
		"Call-ID: " REG_CALL_ID "\r\n"
		"CSeq: %d REGISTER\r\n"
		"Contact: <sip:u00017@10.99.0.2:5060>;expires=3600\r\n"
		"%s"
		"User-Agent: bench-phone\r\n"
		"Content-Length: 0\r\n\r\n", with_auth ? 2 : 1, auth);
	return (uint8_t *)msg;
}

static __attribute__((noinline)) void
osip_parse(struct msg_arena *a, const uint8_t *m, size_t len)
{
	struct osip_message *msg;

	if (msg_parse(a, m, len, &msg) != 0)
		abort();
	msg_release(a);
}

static uint8_t *
heap_copy(const char *s, size_t *len)
{
	uint8_t *p;

	*len = strlen(s);
	p = malloc(*len);
	if (p == NULL)
		abort();
	memcpy(p, s, *len);
	return p;
}

int
main(void)
{
	struct policy *pol = policy_create(1, 1);
	struct msg_arena *a = calloc(1, sizeof(*a));
	size_t reg_len, opt_len, inv_len;
	uint8_t *r = heap_copy(reg, &reg_len), *o = heap_copy(opt, &opt_len);
	uint8_t *iv = heap_copy(inv, &inv_len);
	uint32_t gw = inet_addr("10.99.0.2"), unknown = inet_addr("203.0.113.5");
	struct nonce_ctx *nctx = nonce_ctx_create(0);
	struct digest_ctx *dctx = digest_ctx_create();
	uint8_t ha1_hex[DIGEST_HEX_MAX];
	struct sf_span ha1 = {ha1_hex, 32};
	struct nonce_keyring kr;
	uint8_t *rg;
	size_t rg_len;
	int i;

	if (pol == NULL || a == NULL)
		return 1;
	memcpy(pol->accounts[0].user, "1001", 5);
	pol->accounts[0].user_len = 4;
	memcpy(pol->gateways[0].name, "gw", 3);
	pol->gateways[0].ip_be = gw;
	pol->gateways[0].port = 5060;
	if (policy_finalize(pol) != 0)
		return 1;
	for (i = 0; i < N; i++)
		unknown_drop(pol, r, reg_len, unknown);
	for (i = 0; i < N; i++)
		known_options(pol, o, opt_len, gw);
	for (i = 0; i < N; i++)
		osip_parse(a, iv, inv_len);
	nonce_keyring_init_deterministic(&kr, 7);
	if (nctx == NULL || dctx == NULL || nonce_ctx_apply(nctx, &kr) != 0 ||
	    digest_ha1(dctx, DIGEST_ALG_MD5, SIP_BUILD_LIT("u00017"), SIP_BUILD_LIT(REG_REALM),
		       SIP_BUILD_LIT("pw-00017-bench"), ha1_hex) != 0)
		return 1;
	rg = register_msg(nctx, dctx, gw, ha1, false, &rg_len);
	for (i = 0; i < N; i++)
		register_challenge(nctx, rg, rg_len, gw);
	free(rg);
	rg = register_msg(nctx, dctx, gw, ha1, true, &rg_len);
	for (i = 0; i < N; i++)
		register_auth(nctx, dctx, rg, rg_len, gw, ha1);
	free(rg);
	nonce_ctx_destroy(nctx);
	digest_ctx_destroy(dctx);
	printf("%d iterations each; arena high water %zu bytes\n", N, a->high_water);
	policy_free(pol);
	free(a);
	free(r);
	free(o);
	free(iv);
	return 0;
}
