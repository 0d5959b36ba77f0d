/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The scan-first SIP path through a net_ring port (GEN, UNAUTH): what each request's verdict
 * is, the exact responses that go out (to the request's source address, port and MAC, from
 * our address and SIP port), that nothing at all goes out where the spec wants silence, and
 * that no mbuf leaks.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_udp.h>

#include "ctrlplane/param_table.h"
#include "dataplane/auth/auth.h"
#include "dataplane/policy/policy.h"
#include "ctrlplane/cfg_policy.h"
#include "dataplane/registrar/registrar.h"
#include "tests/unit/eal_fixture.h"

#define GW_IP RTE_IPV4(10u, 99, 0, 2)
#define POLICY_DOC                                                                            \
	"{\"accounts\": [{\"user\": \"1001\", \"password\": \"pw\"}],"                        \
	" \"gateways\": [{\"name\": \"gw\", \"address\": \"10.99.0.2\"}]}"

#define AUTH_HDR(user)                                                                        \
	"Authorization: Digest username=\"" user "\", realm=\"sipfast.test\", nonce=\"n\", "  \
	"uri=\"sip:10.99.0.1\", response=\"00000000000000000000000000000000\"\r\n"

/* A request with every mandatory header; @to_tag is "" or ";tag=...". */
#define REQ(method, from_user, to_tag, extra)                                                 \
	method " sip:" from_user "@10.99.0.1 SIP/2.0\r\n"                                     \
	       "Via: SIP/2.0/UDP 10.99.0.7:40000;branch=z9hG4bK-1;rport\r\n"                  \
	       "Max-Forwards: 70\r\n"                                                         \
	       "From: <sip:" from_user "@sipfast.test>;tag=ft1\r\n"                           \
	       "To: <sip:" from_user "@sipfast.test>" to_tag "\r\n"                           \
	       "Call-ID: cid-1@10.99.0.7\r\n"                                                 \
	       "CSeq: 1 " method "\r\n" extra "Content-Length: 0\r\n\r\n"

/* The auth and registrar sipfastd always attaches to a worker (the production paths). */
struct reg_attached {
	struct rte_rcu_qsbr *qs;
	struct auth_shared *ash;
	struct registrar_shared *sh;
};

static int
attach_registrar(struct fx *f, struct reg_attached *r)
{
	size_t qsz = rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE);

	r->qs = rte_zmalloc(NULL, qsz, RTE_CACHE_LINE_SIZE);
	if (r->qs == NULL || rte_rcu_qsbr_init(r->qs, RTE_MAX_LCORE) != 0)
		return -1;
	f->w->qsbr = r->qs;
	r->ash = auth_shared_create();
	r->sh = registrar_shared_create(1);
	if (r->ash == NULL || r->sh == NULL || auth_worker_init(f->w, r->ash) != 0)
		return -1;
	return registrar_worker_init(f->w, r->sh, 64);
}

static void
detach_registrar(struct fx *f, struct reg_attached *r)
{
	registrar_worker_fini(f->w);
	auth_worker_fini(f->w);
	registrar_shared_destroy(r->sh);
	auth_shared_destroy(r->ash);
	f->w->qsbr = NULL;
	rte_free(r->qs);
}

struct sfx {
	struct fx *f;
	struct snapshot *snap; /* f->snap, with a policy */
	struct reg_attached r;
};

static int
sfx_setup(void **state)
{
	static struct sfx t;
	struct cfg_error err = {0};
	json_t *doc;

	t.f = fx_create(0, 1, FX_FRAG_TIMEOUT_MS);
	if (t.f == NULL)
		return -1;
	t.snap = t.f->snap;
	param_table_defaults(&t.snap->params);
	snprintf(t.snap->domain, sizeof(t.snap->domain), "sipfast.test");
	doc = json_loads(POLICY_DOC, 0, NULL);
	if (doc == NULL || cfg_policy_parse(doc, t.snap, &err) != 0)
		return -1;
	json_decref(doc);
	if (attach_registrar(t.f, &t.r) != 0)
		return -1;
	*state = &t;
	return 0;
}

static int
sfx_teardown(void **state)
{
	struct sfx *t = *state;

	detach_registrar(t->f, &t->r);
	fx_assert_no_leak(t->f);
	policy_free(t->snap->policy);
	t->snap->policy = NULL;
	fx_destroy(t->f);
	return 0;
}

static void
set_reply(struct sfx *t, bool on)
{
	t->snap->params.reply_unauthorized = on;
}

/* A UDP frame from @src:FX_PEER_PORT to our SIP port carrying @text. */
static struct rte_mbuf *
sip_frame(struct fx *f, uint32_t src, const char *text)
{
	return fx_sip_frame(f, src, FX_PEER_PORT, text);
}

static enum verdict
rx(struct sfx *t, uint32_t src, const char *text)
{
	return fx_rx(t->f, sip_frame(t->f, src, text));
}

static void
assert_silent(struct sfx *t)
{
	assert_int_equal(fx_tx_discard(t->f), 0);
}

/*
 * Exactly one frame went out: a UDP datagram from our address and SIP port to @dst:
 * FX_PEER_PORT and the peer's MAC. Its payload is copied into @out as a C string.
 */
static void
tx_one(struct sfx *t, uint32_t dst, char *out, size_t cap)
{
	struct rte_mbuf *m[4];
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr udp;
	uint32_t off, len;

	assert_int_equal(fx_tx(t->f, m, RTE_DIM(m)), 1);
	ip = fx_assert_ipv4_out(t->f, m[0], &t->f->peer_mac);
	assert_int_equal(ip->src_addr, fx_be32(FX_OUR_IP));
	assert_int_equal(ip->dst_addr, fx_be32(dst));
	assert_int_equal(ip->next_proto_id, IPPROTO_UDP);
	off = sizeof(struct rte_ether_hdr) + sizeof(*ip);
	fx_read(m[0], off, sizeof(udp), &udp);
	assert_int_equal(rte_be_to_cpu_16(udp.src_port), FX_SIP_PORT);
	assert_int_equal(rte_be_to_cpu_16(udp.dst_port), FX_PEER_PORT);
	assert_int_equal(rte_ipv4_udptcp_cksum_verify(ip, rte_pktmbuf_mtod_offset(
						      m[0], void *, off)), 0);
	len = rte_be_to_cpu_16(udp.dgram_len) - (uint32_t)sizeof(udp);
	assert_true(len < cap);
	fx_read(m[0], off + (uint32_t)sizeof(udp), len, out);
	out[len] = '\0';
	rte_pktmbuf_free(m[0]);
}

static void
assert_has(const char *msg, const char *needle)
{
	if (strstr(msg, needle) == NULL)
		print_error("missing \"%s\" in:\n%s\n", needle, msg);
	assert_non_null(strstr(msg, needle));
}

static void
test_UNAUTH_5_unknown_requests_silent_and_counted_when_off(void **state)
{
	struct sfx *t = *state;
	struct worker *w = t->f->w;

	set_reply(t, false);
	assert_int_equal(rx(t, FX_PEER_IP, REQ("REGISTER", "9999", "", "")),
			 VERDICT_SIP_DROP_UNKNOWN_REGISTER);
	assert_int_equal(rx(t, FX_PEER_IP, REQ("INVITE", "9999", "", "")),
			 VERDICT_SIP_DROP_UNKNOWN_INVITE);
	assert_int_equal(rx(t, FX_PEER_IP, REQ("OPTIONS", "9999", "", "")),
			 VERDICT_SIP_DROP_UNKNOWN_OPTIONS);
	assert_int_equal(rx(t, FX_PEER_IP, REQ("MESSAGE", "9999", "", "")),
			 VERDICT_SIP_DROP_UNKNOWN_OTHER);
	assert_int_equal(rx(t, FX_PEER_IP, REQ("REGISTER", "9999", "", AUTH_HDR("9999"))),
			 VERDICT_SIP_DROP_UNKNOWN_REGISTER);
	assert_int_equal(w->verdicts[VERDICT_SIP_DROP_UNKNOWN_REGISTER], 2);
	assert_int_equal(w->counters[COUNTER_SIP_RECEIVED], 5);
	assert_silent(t);
}

/*
 * Off, unknown sources are decided by a skim (DESIGN: scan lazily). Known identities still
 * take the full path wherever their credentials sit; what the skim does not read is not
 * proven, so an unknown request with a bad CSeq is dropped as unknown (silent either way),
 * while a known one is still malformed.
 */
static void
test_UNAUTH_5_skim_decides_only_certain_unknowns(void **state)
{
	struct sfx *t = *state;
	struct worker *w = t->f->w;

	set_reply(t, false);
	/* The last User-Agent names the scanner, as with a full scan. */
	assert_int_equal(rx(t, FX_PEER_IP, REQ("OPTIONS", "9999", "",
					       "User-Agent: Linphone\r\nUser-Agent: sipvicious\r\n")),
			 VERDICT_SIP_DROP_SCANNER_UA);
	assert_int_equal(rx(t, FX_PEER_IP, REQ("OPTIONS", "9999", "",
					       "User-Agent: sipvicious\r\nUser-Agent: Linphone\r\n")),
			 VERDICT_SIP_DROP_UNKNOWN_OPTIONS);
	/*
	 * Credentials after the User-Agent still make the source known (UNAUTH-11): the INVITE
	 * is verified through auth/ (a nonce we never issued: challenged again, never routed).
	 */
	assert_int_equal(rx(t, FX_PEER_IP, REQ("INVITE", "9999", "",
					       "User-Agent: friendly-scanner\r\n" AUTH_HDR("1001"))),
			 VERDICT_SIP_INVITE_CHALLENGED);
	fx_tx_discard(t->f);
	/* A To tag may name a dialog: the full path decides (no dialog here: unknown). */
	assert_int_equal(rx(t, FX_PEER_IP, REQ("BYE", "9999", ";tag=x", "")),
			 VERDICT_SIP_DROP_UNKNOWN_OTHER);
	/* Not read by the skim: an unknown request's bad CSeq is an unknown drop ... */
	assert_int_equal(rx(t, FX_PEER_IP, "INVITE sip:9999@10.99.0.1 SIP/2.0\r\n"
					   "From: <sip:9999@sipfast.test>;tag=1\r\n"
					   "To: <sip:9999@sipfast.test>\r\nCSeq: x\r\n\r\n"),
			 VERDICT_SIP_DROP_UNKNOWN_INVITE);
	/* ... a known identity's is malformed, by reason, as before. */
	assert_int_equal(rx(t, FX_PEER_IP, "INVITE sip:1001@10.99.0.1 SIP/2.0\r\n"
					   "From: <sip:1001@sipfast.test>;tag=1\r\n"
					   "To: <sip:1001@sipfast.test>\r\nCSeq: x\r\n\r\n"),
			 VERDICT_SIP_DROP_MALFORMED);
	assert_int_equal(w->sip_malformed[SIP_SCAN_ERR_BAD_CSEQ], 1);
	/*
	 * What the skim finds malformed goes to the full scan, which decides and counts as it
	 * always did: a request with no end of headers, a known identity's bad From, and (the
	 * policy scan stops once it has what it wants) an unknown one whose bad line comes
	 * after every header it wants, dropped as unknown, not malformed.
	 */
	assert_int_equal(rx(t, FX_PEER_IP, "REGISTER sip:10.99.0.1 SIP/2.0\r\n"
					   "From: <sip:9999@sipfast.test>;tag=1\r\n"
					   "To: <sip:9999@sipfast.test>\r\nCall-ID: c\r\n"
					   "CSeq: 1 REGISTER\r\nMax-Forwards: 70\r\n" AUTH_HDR("9999")
					   "User-Agent: x\r\nBad\n\r\n"),
			 VERDICT_SIP_DROP_UNKNOWN_REGISTER);
	assert_int_equal(rx(t, FX_PEER_IP, "OPTIONS sip:1@10.99.0.1 SIP/2.0\r\nTo: <sip:1@x>\r\n"),
			 VERDICT_SIP_DROP_MALFORMED);
	assert_int_equal(w->sip_malformed[SIP_SCAN_ERR_TRUNCATED], 1);
	assert_int_equal(rx(t, FX_PEER_IP, "INVITE sip:1001@10.99.0.1 SIP/2.0\r\n"
					   "From: <sip:1001@sipfast.test\r\n\r\n"),
			 VERDICT_SIP_DROP_MALFORMED);
	assert_int_equal(w->sip_malformed[SIP_SCAN_ERR_BAD_FROM], 1);
	assert_silent(t);
}

static void
test_UNAUTH_6_unknown_invite_retransmissions_stay_silent(void **state)
{
	struct sfx *t = *state;
	int i;

	set_reply(t, false);
	for (i = 0; i < 10; i++)
		assert_int_equal(rx(t, FX_PEER_IP, REQ("INVITE", "9999", "", "")),
				 VERDICT_SIP_DROP_UNKNOWN_INVITE);
	assert_int_equal(t->f->w->verdicts[VERDICT_SIP_DROP_UNKNOWN_INVITE], 10);
	assert_silent(t);
}

/* The challenge lines of @msg ("WWW-Authenticate: Digest realm=..., algorithm=X"), nonces cut. */
static void
challenge_lines(const char *msg, char *out, size_t cap)
{
	const char *p = msg, *e, *n;
	size_t len = 0;

	out[0] = '\0';
	while ((p = strstr(p, "\r\nWWW-Authenticate:")) != NULL) {
		p += 2;
		e = strstr(p, "\r\n");
		assert_non_null(e);
		n = strstr(p, "nonce=\"");
		assert_true(n != NULL && n < e);
		n = strchr(n + 7, '"'); /* the nonce differs per request; the rest must not */
		len += (size_t)snprintf(out + len, cap - len, "%.*s|%.*s\n",
					(int)(strstr(p, "nonce=\"") - p), p, (int)(e - n), n);
		assert_true(len < cap);
		p = e;
	}
}

/*
 * UNAUTH-1 / I-2 on the production challenge path (a registrar attached, as sipfastd always
 * has): an unknown name's REGISTER gets the 401 with realm and nonce, MD5 and SHA-256 offered,
 * line for line the challenge a configured account gets.
 */
static void
test_UNAUTH_1_unknown_register_challenged_when_on(void **state)
{
	struct sfx *t = *state;
	char out[2048], unknown[1024], known[1024];

	set_reply(t, true);
	assert_int_equal(rx(t, FX_PEER_IP, REQ("REGISTER", "9999", "", "")),
			 VERDICT_SIP_CHALLENGED_UNKNOWN);
	tx_one(t, FX_PEER_IP, out, sizeof(out));
	assert_has(out, "SIP/2.0 401 Unauthorized\r\n");
	assert_has(out, "\r\nVia: SIP/2.0/UDP 10.99.0.7:40000;branch=z9hG4bK-1;rport=40000;"
			"received=10.99.0.7\r\n");
	assert_has(out, "\r\nWWW-Authenticate: Digest realm=\"sipfast.test\", nonce=\"");
	assert_has(out, "algorithm=MD5");
	assert_has(out, "algorithm=SHA-256");
	assert_has(out, "\r\nCall-ID: cid-1@10.99.0.7\r\nCSeq: 1 REGISTER\r\n");
	assert_has(out, "\r\nTo: <sip:9999@sipfast.test>;tag=");
	assert_null(strstr(out, "Server:"));
	challenge_lines(out, unknown, sizeof(unknown));
	/* The same challenge as a configured account gets: usernames are not revealed. */
	assert_int_equal(rx(t, FX_PEER_IP, REQ("REGISTER", "1001", "", "")),
			 VERDICT_SIP_REGISTER_CHALLENGED);
	tx_one(t, FX_PEER_IP, out, sizeof(out));
	assert_has(out, "SIP/2.0 401 Unauthorized\r\n");
	challenge_lines(out, known, sizeof(known));
	assert_string_equal(unknown, known);
}

static void
test_UNAUTH_1_challenge_code_follows_auth_code_407(void **state)
{
	struct sfx *t = *state;
	char out[2048];

	set_reply(t, true);
	t->snap->params.auth_code = SF_AUTH_CODE_407;
	assert_int_equal(rx(t, FX_PEER_IP, REQ("REGISTER", "9999", "", "")),
			 VERDICT_SIP_CHALLENGED_UNKNOWN);
	t->snap->params.auth_code = SF_AUTH_CODE_401;
	tx_one(t, FX_PEER_IP, out, sizeof(out));
	assert_has(out, "SIP/2.0 407 Proxy Authentication Required\r\n");
	assert_has(out, "\r\nProxy-Authenticate: Digest realm=\"sipfast.test\"");
}

static void
test_UNAUTH_2_unknown_user_credentials_get_403_when_on(void **state)
{
	struct sfx *t = *state;
	char out[2048];

	set_reply(t, true);
	assert_int_equal(rx(t, FX_PEER_IP, REQ("REGISTER", "9999", "", AUTH_HDR("9999"))),
			 VERDICT_SIP_REJECTED_UNKNOWN);
	tx_one(t, FX_PEER_IP, out, sizeof(out));
	assert_has(out, "SIP/2.0 403 Forbidden\r\n");
	assert_null(strstr(out, "Authenticate"));
}

static void
test_UNAUTH_3_unknown_invite_403_without_trying_when_on(void **state)
{
	struct sfx *t = *state;
	char out[2048];

	set_reply(t, true);
	assert_int_equal(rx(t, FX_PEER_IP, REQ("INVITE", "9999", "", "")),
			 VERDICT_SIP_REJECTED_UNKNOWN);
	tx_one(t, FX_PEER_IP, out, sizeof(out)); /* exactly one frame: no 100 Trying */
	assert_has(out, "SIP/2.0 403 Forbidden\r\n");
	/* The ACK for our 403 is never answered. */
	assert_int_equal(rx(t, FX_PEER_IP, REQ("ACK", "9999", ";tag=x", "")),
			 VERDICT_SIP_DROP_UNKNOWN_OTHER);
	assert_silent(t);
}

static void
test_UNAUTH_4_unknown_options_and_message_403_when_on(void **state)
{
	struct sfx *t = *state;
	char out[2048];

	set_reply(t, true);
	assert_int_equal(rx(t, FX_PEER_IP, REQ("OPTIONS", "9999", "", "")),
			 VERDICT_SIP_REJECTED_UNKNOWN);
	tx_one(t, FX_PEER_IP, out, sizeof(out));
	assert_has(out, "SIP/2.0 403 Forbidden\r\n");
	assert_has(out, "CSeq: 1 OPTIONS\r\n");
	assert_int_equal(rx(t, FX_PEER_IP, REQ("MESSAGE", "9999", "", "")),
			 VERDICT_SIP_REJECTED_UNKNOWN);
	tx_one(t, FX_PEER_IP, out, sizeof(out));
	assert_has(out, "SIP/2.0 403 Forbidden\r\n");
	assert_has(out, "CSeq: 1 MESSAGE\r\n");
	assert_int_equal(rx(t, FX_PEER_IP, REQ("SUBSCRIBE", "9999", "", "")),
			 VERDICT_SIP_REJECTED_UNKNOWN);
	tx_one(t, FX_PEER_IP, out, sizeof(out));
	assert_has(out, "SIP/2.0 403 Forbidden\r\n");
}

static void
test_UNAUTH_9_gateway_options_200_and_invite_not_challenged(void **state)
{
	struct sfx *t = *state;
	char out[2048];

	set_reply(t, false);
	assert_int_equal(rx(t, GW_IP, REQ("OPTIONS", "9999", "", "")),
			 VERDICT_SIP_REPLIED_OPTIONS);
	tx_one(t, GW_IP, out, sizeof(out));
	assert_has(out, "SIP/2.0 200 OK\r\n");
	assert_has(out, ";rport=40000;received=10.99.0.2\r\n");
	assert_has(out, "\r\nAllow: INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER");
	assert_has(out, "\r\nAccept: application/sdp\r\n");
	assert_has(out, "\r\nSupported: ");
	assert_has(out, "\r\nContent-Length: 0\r\n\r\n");
	/* An INVITE from the gateway goes to the call engine unchallenged (no reply yet). */
	assert_int_equal(rx(t, GW_IP, REQ("INVITE", "9999", "", "")), VERDICT_SIP_INVITE_ADMITTED);
	assert_silent(t);
}

static void
test_UNAUTH_11_account_invite_challenged_credentials_verified(void **state)
{
	struct sfx *t = *state;
	char out[2048];

	set_reply(t, false);
	assert_int_equal(rx(t, FX_PEER_IP, REQ("INVITE", "1001", "", "")),
			 VERDICT_SIP_INVITE_CHALLENGED);
	tx_one(t, FX_PEER_IP, out, sizeof(out));
	assert_has(out, "SIP/2.0 401 Unauthorized\r\n");
	/*
	 * With credentials (an all-zero digest nobody verified) the INVITE is verified through
	 * auth/ like the REGISTER: a nonce we never issued gets a fresh challenge (AUTH-1), the
	 * call is never routed (test_AUTH_invite_with_unverified_authorization_never_routed).
	 */
	assert_int_equal(rx(t, FX_PEER_IP, REQ("INVITE", "1001", "", AUTH_HDR("1001"))),
			 VERDICT_SIP_INVITE_CHALLENGED);
	tx_one(t, FX_PEER_IP, out, sizeof(out));
	assert_has(out, "SIP/2.0 401 Unauthorized\r\n");
	assert_int_equal(rx(t, FX_PEER_IP, REQ("REGISTER", "1001", "", AUTH_HDR("1001"))),
			 VERDICT_SIP_REGISTER_CHALLENGED);
	tx_one(t, FX_PEER_IP, out, sizeof(out));
	assert_has(out, "SIP/2.0 401 Unauthorized\r\n");
	assert_int_equal(t->f->w->counters[COUNTER_REG_FAIL_WRONG], 0);
}

/*
 * Regression (issue 13: "an INVITE with any Authorization header is admitted without a nonce or
 * digest check"): an account's INVITE whose Authorization carries a made-up nonce and digest,
 * from a live binding's address and from an arbitrary one, is challenged, never admitted to
 * routing. Fails on 0a98a1d (VERDICT_SIP_INVITE_ADMITTED, nothing sent).
 */
static void
test_AUTH_invite_with_unverified_authorization_never_routed(void **state)
{
	struct sfx *t = *state;
	char out[2048];

	set_reply(t, true);
	assert_int_equal(rx(t, FX_PEER_IP, REQ("INVITE", "1001", "", AUTH_HDR("1001"))),
			 VERDICT_SIP_INVITE_CHALLENGED);
	tx_one(t, FX_PEER_IP, out, sizeof(out));
	assert_has(out, "SIP/2.0 401 Unauthorized\r\n");
	assert_has(out, "WWW-Authenticate: Digest");
	assert_int_equal(t->f->w->verdicts[VERDICT_SIP_INVITE_ADMITTED], 0);
}

static void
test_UNAUTH_13_bye_without_dialog(void **state)
{
	struct sfx *t = *state;
	char out[2048];

	set_reply(t, false);
	assert_int_equal(rx(t, GW_IP, REQ("BYE", "9999", ";tag=tt", "")),
			 VERDICT_SIP_REPLIED_NO_DIALOG);
	tx_one(t, GW_IP, out, sizeof(out));
	assert_has(out, "SIP/2.0 481 Call/Transaction Does Not Exist\r\n");
	assert_has(out, "\r\nTo: <sip:9999@sipfast.test>;tag=tt\r\n");
	assert_int_equal(rx(t, FX_PEER_IP, REQ("BYE", "9999", ";tag=tt", "")),
			 VERDICT_SIP_DROP_UNKNOWN_OTHER);
	assert_silent(t);
	set_reply(t, true);
	assert_int_equal(rx(t, FX_PEER_IP, REQ("BYE", "9999", ";tag=tt", "")),
			 VERDICT_SIP_REJECTED_UNKNOWN);
	tx_one(t, FX_PEER_IP, out, sizeof(out));
	assert_has(out, "SIP/2.0 403 Forbidden\r\n");
}

static void
test_UNAUTH_12_switch_takes_effect_on_the_next_request(void **state)
{
	struct sfx *t = *state;
	char out[2048];

	set_reply(t, false);
	assert_int_equal(rx(t, FX_PEER_IP, REQ("INVITE", "9999", "", "")),
			 VERDICT_SIP_DROP_UNKNOWN_INVITE);
	assert_silent(t);
	set_reply(t, true);
	assert_int_equal(rx(t, FX_PEER_IP, REQ("INVITE", "9999", "", "")),
			 VERDICT_SIP_REJECTED_UNKNOWN);
	tx_one(t, FX_PEER_IP, out, sizeof(out));
	set_reply(t, false);
	assert_int_equal(rx(t, FX_PEER_IP, REQ("INVITE", "9999", "", "")),
			 VERDICT_SIP_DROP_UNKNOWN_INVITE);
	assert_silent(t);
}

static void
test_GEN_1_malformed_is_silent_and_counted_by_reason(void **state)
{
	static const char *const junk[] = {
		"HELLO", "\r\n", "INVITE sip:x@10.99.0.1", "\x01\x02\x03\xff garbage",
		"INVITE sip:x@10.99.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKq\r\n",
		"OPTIONS sip:x@10.99.0.1 SIP/3.0\r\n\r\n",
	};
	struct sfx *t = *state;
	struct worker *w = t->f->w;
	uint64_t sum = 0;
	unsigned int i, k;

	for (k = 0; k < 2; k++) {
		set_reply(t, k == 1);
		for (i = 0; i < RTE_DIM(junk); i++) {
			assert_int_equal(rx(t, FX_PEER_IP, junk[i]), VERDICT_SIP_DROP_MALFORMED);
			assert_int_equal(rx(t, GW_IP, junk[i]), VERDICT_SIP_DROP_MALFORMED);
		}
	}
	assert_silent(t);
	for (i = 0; i < SIP_SCAN_STATUS_MAX; i++)
		sum += w->sip_malformed[i];
	assert_int_equal(sum, 4 * RTE_DIM(junk));
	assert_int_equal(w->sip_malformed[SIP_SCAN_OK], 0);
	assert_true(w->sip_malformed[SIP_SCAN_ERR_BAD_START_LINE] > 0);
	assert_true(w->sip_malformed[SIP_SCAN_ERR_BAD_VERSION] > 0);
	/* A known source's request missing mandatory headers is malformed, never answered. */
	assert_int_equal(rx(t, GW_IP, "OPTIONS sip:x@10.99.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP h;"
				      "branch=z9hG4bKq\r\nContent-Length: 0\r\n\r\n"),
			 VERDICT_SIP_DROP_MALFORMED);
	assert_silent(t);
}

static void
test_GEN_2_stray_response_dropped_silently(void **state)
{
	static const char resp[] = "SIP/2.0 200 OK\r\n"
				   "Via: SIP/2.0/UDP 10.99.0.1;branch=z9hG4bKz\r\n"
				   "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\n"
				   "Call-ID: r@x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
	struct sfx *t = *state;

	set_reply(t, true);
	assert_int_equal(rx(t, FX_PEER_IP, resp), VERDICT_SIP_DROP_RESPONSE);
	assert_int_equal(rx(t, GW_IP, resp), VERDICT_SIP_DROP_RESPONSE);
	assert_silent(t);
}

static void
test_SIP_known_stray_ack_not_answered(void **state)
{
	struct sfx *t = *state;

	assert_int_equal(rx(t, GW_IP, REQ("ACK", "9999", ";tag=a", "")),
			 VERDICT_SIP_DROP_STRAY_ACK);
	assert_silent(t);
}

static void
test_SIP_known_other_method_gets_405(void **state)
{
	struct sfx *t = *state;
	char out[2048];

	assert_int_equal(rx(t, GW_IP, REQ("MESSAGE", "9999", "", "")),
			 VERDICT_SIP_REPLIED_NOT_ALLOWED);
	tx_one(t, GW_IP, out, sizeof(out));
	assert_has(out, "SIP/2.0 405 Method Not Allowed\r\n");
	assert_has(out, "\r\nAllow: ");
}

/* sip_frame() with its (valid, non-zero) UDP checksum made wrong; never the "none" value 0. */
static struct rte_mbuf *
sip_frame_bad_cksum(struct fx *f, uint32_t src, const char *text)
{
	struct rte_mbuf *m = sip_frame(f, src, text);
	struct rte_udp_hdr *udp = fx_udp(m);

	assert_int_not_equal(udp->dgram_cksum, 0);
	udp->dgram_cksum ^= rte_cpu_to_be_16(0x0101);
	if (udp->dgram_cksum == 0)
		udp->dgram_cksum = rte_cpu_to_be_16(0x0101);
	return m;
}

/*
 * The checksum is verified at sip_input()'s gate, before anything that answers, changes
 * state or steers. A corrupted datagram from a gateway, or one that names an account, or an
 * unknown one the skim leaves to the full path, is dropped and counted drop_udp_bad_cksum
 * (not sip_received), exactly as when udp_input() checked it, and never answered. The same
 * datagram with its checksum intact is answered.
 */
static void
test_SIP_bad_udp_checksum_from_known_source_dropped_counted(void **state)
{
	struct sfx *t = *state;
	struct worker *w = t->f->w;
	char out[2048];

	set_reply(t, false);
	assert_int_equal(fx_rx(t->f, sip_frame_bad_cksum(t->f, GW_IP, REQ("OPTIONS", "9999", "", ""))),
			 VERDICT_DROP_UDP_BAD_CKSUM);
	/* An account's REGISTER and INVITE would be challenged. */
	assert_int_equal(fx_rx(t->f, sip_frame_bad_cksum(t->f, FX_PEER_IP,
							 REQ("REGISTER", "1001", "", ""))),
			 VERDICT_DROP_UDP_BAD_CKSUM);
	assert_int_equal(fx_rx(t->f, sip_frame_bad_cksum(t->f, FX_PEER_IP,
							 REQ("INVITE", "1001", "", ""))),
			 VERDICT_DROP_UDP_BAD_CKSUM);
	/* A To tag may name a dialog: the skim defers to the full path, so the gate decides. */
	assert_int_equal(fx_rx(t->f, sip_frame_bad_cksum(t->f, FX_PEER_IP,
							 REQ("BYE", "9999", ";tag=tt", ""))),
			 VERDICT_DROP_UDP_BAD_CKSUM);
	/* On: an unknown source is answered, so its checksum is verified first. */
	set_reply(t, true);
	assert_int_equal(fx_rx(t->f, sip_frame_bad_cksum(t->f, FX_PEER_IP,
							 REQ("OPTIONS", "9999", "", ""))),
			 VERDICT_DROP_UDP_BAD_CKSUM);
	assert_int_equal(fx_rx(t->f, sip_frame_bad_cksum(t->f, FX_PEER_IP,
							 REQ("REGISTER", "9999", "", ""))),
			 VERDICT_DROP_UDP_BAD_CKSUM);
	assert_silent(t);
	assert_int_equal(w->verdicts[VERDICT_DROP_UDP_BAD_CKSUM], 6);
	assert_int_equal(w->counters[COUNTER_SIP_RECEIVED], 0);
	/* Intact, the gateway's OPTIONS is answered. */
	set_reply(t, false);
	assert_int_equal(rx(t, GW_IP, REQ("OPTIONS", "9999", "", "")), VERDICT_SIP_REPLIED_OPTIONS);
	tx_one(t, GW_IP, out, sizeof(out));
	assert_has(out, "SIP/2.0 200 OK\r\n");
	assert_int_equal(w->verdicts[VERDICT_DROP_UDP_BAD_CKSUM], 6);
	assert_int_equal(w->counters[COUNTER_SIP_RECEIVED], 1);
}

/*
 * SS_REPLY_UNAUTHORIZED Off: a request the skim drops as certainly unknown is dropped before
 * the gate, checksum unread. A corrupted one is therefore counted as the unknown drop it would
 * be (and sip_received), not drop_udp_bad_cksum; silent either way (docs/ARCHITECTURE.md).
 */
static void
test_UNAUTH_5_unknown_source_flood_skips_checksum(void **state)
{
	struct sfx *t = *state;
	struct worker *w = t->f->w;

	set_reply(t, false);
	assert_int_equal(fx_rx(t->f, sip_frame_bad_cksum(t->f, FX_PEER_IP,
							 REQ("OPTIONS", "9999", "", ""))),
			 VERDICT_SIP_DROP_UNKNOWN_OPTIONS);
	assert_int_equal(fx_rx(t->f, sip_frame_bad_cksum(t->f, FX_PEER_IP,
							 REQ("REGISTER", "9999", "", ""))),
			 VERDICT_SIP_DROP_UNKNOWN_REGISTER);
	assert_int_equal(fx_rx(t->f, sip_frame_bad_cksum(t->f, FX_PEER_IP,
							 REQ("INVITE", "9999", "",
							     "User-Agent: friendly-scanner\r\n"))),
			 VERDICT_SIP_DROP_SCANNER_UA);
	assert_int_equal(w->verdicts[VERDICT_DROP_UDP_BAD_CKSUM], 0);
	assert_int_equal(w->counters[COUNTER_SIP_RECEIVED], 3);
	assert_silent(t);
}

/*
 * A port with RX checksum offload: the NIC's verdict is used at once, as before the gate
 * existed. BAD drops even a flood request; GOOD is trusted (the field is not summed again).
 */
static void
test_SIP_rx_cksum_offload_verdict_used_at_udp(void **state)
{
	struct sfx *t = *state;
	struct worker *w = t->f->w;
	struct rte_mbuf *m;
	char out[2048];

	set_reply(t, false);
	w->ports[t->f->port].rx_cksum_offload = true;
	m = sip_frame(t->f, FX_PEER_IP, REQ("OPTIONS", "9999", "", ""));
	m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_BAD;
	assert_int_equal(fx_rx(t->f, m), VERDICT_DROP_UDP_BAD_CKSUM);
	m = sip_frame_bad_cksum(t->f, GW_IP, REQ("OPTIONS", "9999", "", ""));
	m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	assert_int_equal(fx_rx(t->f, m), VERDICT_SIP_REPLIED_OPTIONS);
	tx_one(t, GW_IP, out, sizeof(out));
	assert_has(out, "SIP/2.0 200 OK\r\n");
	/* UNKNOWN from the NIC: verified in software at the gate. */
	m = sip_frame_bad_cksum(t->f, GW_IP, REQ("OPTIONS", "9999", "", ""));
	assert_int_equal(m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK, RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN);
	assert_int_equal(fx_rx(t->f, m), VERDICT_DROP_UDP_BAD_CKSUM);
	w->ports[t->f->port].rx_cksum_offload = false;
	assert_int_equal(w->verdicts[VERDICT_DROP_UDP_BAD_CKSUM], 2);
	assert_silent(t);
}

#define SIP_TEST(fn) cmocka_unit_test_setup_teardown(fn, sfx_setup, sfx_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		SIP_TEST(test_UNAUTH_5_unknown_requests_silent_and_counted_when_off),
		SIP_TEST(test_UNAUTH_5_skim_decides_only_certain_unknowns),
		SIP_TEST(test_UNAUTH_6_unknown_invite_retransmissions_stay_silent),
		SIP_TEST(test_UNAUTH_1_unknown_register_challenged_when_on),
		SIP_TEST(test_UNAUTH_1_challenge_code_follows_auth_code_407),
		SIP_TEST(test_UNAUTH_2_unknown_user_credentials_get_403_when_on),
		SIP_TEST(test_UNAUTH_3_unknown_invite_403_without_trying_when_on),
		SIP_TEST(test_UNAUTH_4_unknown_options_and_message_403_when_on),
		SIP_TEST(test_UNAUTH_9_gateway_options_200_and_invite_not_challenged),
		SIP_TEST(test_UNAUTH_11_account_invite_challenged_credentials_verified),
		SIP_TEST(test_AUTH_invite_with_unverified_authorization_never_routed),
		SIP_TEST(test_UNAUTH_13_bye_without_dialog),
		SIP_TEST(test_UNAUTH_12_switch_takes_effect_on_the_next_request),
		SIP_TEST(test_GEN_1_malformed_is_silent_and_counted_by_reason),
		SIP_TEST(test_GEN_2_stray_response_dropped_silently),
		SIP_TEST(test_SIP_known_stray_ack_not_answered),
		SIP_TEST(test_SIP_known_other_method_gets_405),
		SIP_TEST(test_SIP_bad_udp_checksum_from_known_source_dropped_counted),
		SIP_TEST(test_UNAUTH_5_unknown_source_flood_skips_checksum),
		SIP_TEST(test_SIP_rx_cksum_offload_verdict_used_at_udp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
