/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Steer first, scan once (issue 11 items 1-2) on the production path: sip_input() and
 * sip_resume() with the registrar attached on two workers. Per class of datagram, received
 * by a worker that owns neither its source nor its AoR: it is counted in sip_received exactly
 * once, and its skim/scan passes (sip_scan_passes) are the ones the class needs, whichever
 * workers it crosses. A paid-for hand-off to a full ring is held and answered, not dropped.
 * Asserts on the wire and the counters. Fixture as tests/unit/test_sip_guard.c.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "ctrlplane/param_table.h"
#include "dataplane/pkt_meta.h"
#include "dataplane/policy/policy.h"
#include "ctrlplane/cfg_policy.h"
#include "dataplane/auth/auth.h"
#include "dataplane/auth/authfail.h"
#include "dataplane/auth/digest.h"
#include "dataplane/registrar/location.h"
#include "dataplane/registrar/registrar.h"
#include "dataplane/sip_input.h"
#include "dataplane/steer.h"
#include "tests/unit/eal_fixture.h"

#define REALM "sipfast.test"
#define GW_IP RTE_IPV4(10u, 99, 0, 2)
#define IP_Y RTE_IPV4(10u, 99, 0, 9)
/* 1001: password; 2001: ha1 only (MD5 of "2001:sipfast.test:pw2"). */
#define POLICY_DOC                                                                            \
	"{\"accounts\": [{\"user\": \"1001\", \"password\": \"pw\"},"                         \
	" {\"user\": \"2001\", \"ha1\": \"5afa8228d0a094688cb8582ebc2b78de\"}],"              \
	" \"gateways\": [{\"name\": \"gw\", \"address\": \"10.99.0.2\"}]}"

#define N_W 2

struct gfx {
	uint16_t n;                   /* workers in use */
	struct fx *f[N_W];
	struct worker *w[N_W];
	struct rte_rcu_qsbr *qs;
	struct registrar_shared *sh;
	struct auth_shared *ash;
	struct digest_ctx *dctx;
	uint32_t now;                 /* injected clock, s */
	char nonce[128];
	char out[4096];
	unsigned int cseq;
};

static uint32_t
test_clock(void *arg)
{
	return ((struct gfx *)arg)->now;
}

static int
gfx_setup_n(void **state, uint16_t n)
{
	struct gfx *t = calloc(1, sizeof(*t));
	size_t qsz = rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE);
	uint16_t i;

	if (t == NULL)
		return -1;
	*state = t;
	t->n = n;
	t->qs = rte_zmalloc(NULL, qsz, RTE_CACHE_LINE_SIZE);
	if (t->qs == NULL || rte_rcu_qsbr_init(t->qs, RTE_MAX_LCORE) != 0)
		return -1;
	t->ash = auth_shared_create();
	t->sh = registrar_shared_create(n);
	if (t->ash == NULL || t->sh == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		struct cfg_error err = {0};
		struct snapshot *snap;
		json_t *doc;

		t->f[i] = fx_create(i, n, FX_FRAG_TIMEOUT_MS);
		if (t->f[i] == NULL)
			return -1;
		t->w[i] = t->f[i]->w;
		snap = t->f[i]->snap;
		param_table_defaults(&snap->params);
		snprintf(snap->domain, sizeof(snap->domain), REALM);
		doc = json_loads(POLICY_DOC, 0, NULL);
		if (doc == NULL || cfg_policy_parse(doc, snap, &err) != 0)
			return -1;
		json_decref(doc);
		t->w[i]->qsbr = t->qs;
		if (auth_worker_init(t->w[i], t->ash) != 0 ||
		    registrar_worker_init(t->w[i], t->sh, 1024) != 0)
			return -1;
		t->w[i]->auth->clock = test_clock;
		t->w[i]->auth->clock_arg = t;
	}
	if (n > 1 && steer_create(t->w, n, sip_resume) != 0)
		return -1;
	t->now = 100000;
	t->dctx = digest_ctx_create();
	return t->dctx != NULL ? 0 : -1;
}

static int
gfx_setup2(void **state)
{
	return gfx_setup_n(state, 2);
}

static int
gfx_teardown(void **state)
{
	struct gfx *t = *state;
	uint16_t i;

	if (t->n > 1)
		steer_destroy(t->w, t->n);
	for (i = 0; i < t->n; i++) {
		registrar_worker_fini(t->w[i]);
		auth_worker_fini(t->w[i]);
		fx_assert_no_leak(t->f[i]);
		policy_free(t->f[i]->snap->policy);
		t->f[i]->snap->policy = NULL;
		fx_destroy(t->f[i]);
	}
	registrar_shared_destroy(t->sh);
	auth_shared_destroy(t->ash);
	rte_free(t->qs);
	digest_ctx_destroy(t->dctx);
	free(t);
	return 0;
}

static void
set_reply(struct gfx *t, bool on)
{
	uint16_t i;

	for (i = 0; i < t->n; i++)
		t->f[i]->snap->params.reply_unauthorized = on;
}

/* What a client sends. */
struct creq {
	const char *method;       /* NULL = REGISTER */
	const char *user;
	const char *password;     /* digest computed with this; NULL = no credentials */
	const char *call_id;      /* NULL = "cid-1" */
	uint32_t src;             /* host order; 0 = FX_PEER_IP */
	bool sha256;
	uint16_t rx_worker;       /* worker that receives the frame */
};

static void
client_creds(struct gfx *t, const struct creq *c, const char *method, const char *ruri,
	     char *hdr, size_t cap)
{
	uint8_t ha1[DIGEST_HEX_MAX], resp[DIGEST_HEX_MAX];
	struct digest_creds cr = {
		.username = {(const uint8_t *)c->user, (uint16_t)strlen(c->user)},
		.realm = {(const uint8_t *)REALM, sizeof(REALM) - 1},
		.nonce = {(const uint8_t *)t->nonce, (uint16_t)strlen(t->nonce)},
		.uri = {(const uint8_t *)ruri, (uint16_t)strlen(ruri)},
		.alg = c->sha256 ? DIGEST_ALG_SHA256 : DIGEST_ALG_MD5,
	};
	size_t hl = digest_hex_len(cr.alg);

	assert_int_equal(digest_ha1(t->dctx, cr.alg, cr.username, cr.realm,
				    (struct sf_span){(const uint8_t *)c->password,
						     (uint16_t)strlen(c->password)}, ha1), 0);
	assert_int_equal(digest_response(t->dctx, &cr,
					 (struct sf_span){(const uint8_t *)method,
							  (uint16_t)strlen(method)},
					 (struct sf_span){ha1, (uint16_t)hl}, resp), 0);
	snprintf(hdr, cap, "Authorization: Digest username=\"%s\", realm=\"" REALM "\", "
		 "nonce=\"%s\", uri=\"%s\", response=\"%.*s\", algorithm=%s\r\n", c->user,
		 t->nonce, ruri, (int)hl, resp, c->sha256 ? "SHA-256" : "MD5");
}

/* Move whatever sits in the steer rings through sip_resume() until they are empty. */
static void
drain_steer(struct gfx *t)
{
	unsigned int moved;
	uint16_t i;

	if (t->n < 2)
		return;
	do {
		moved = 0;
		for (i = 0; i < t->n; i++)
			moved += steer_drain(t->w[i]);
	} while (moved != 0);
}

/*
 * Send @c from src:FX_PEER_PORT to worker c.rx_worker, let the steer rings settle; the one
 * response any worker sent (or "") lands in t->out, its size in *@out_len. Returns the
 * receiving worker's verdict.
 */
static enum verdict
send_req(struct gfx *t, struct creq c, size_t *out_len)
{
	const char *method = c.method != NULL ? c.method : "REGISTER";
	const char *ruri = "sip:" REALM;
	char msg[2048], auth[512] = "";
	struct rte_mbuf *m[4];
	unsigned int n, total = 0;
	enum verdict v;
	uint16_t i;
	char *p;

	if (c.src == 0)
		c.src = FX_PEER_IP;
	if (c.call_id == NULL)
		c.call_id = "cid-1";
	t->cseq++;
	if (c.password != NULL)
		client_creds(t, &c, method, ruri, auth, sizeof(auth));
	snprintf(msg, sizeof(msg),
		 "%s %s SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 10.99.0.7:40000;branch=z9hG4bK-%u;rport\r\n"
		 "Max-Forwards: 70\r\nFrom: <sip:%s@" REALM ">;tag=ft1\r\nTo: <sip:%s@" REALM ">\r\n"
		 "Call-ID: %s\r\nCSeq: %u %s\r\nContact: <sip:%s@10.99.0.7:40000>\r\n"
		 "%sContent-Length: 0\r\n\r\n",
		 method, ruri, t->cseq, c.user, c.user, c.call_id, t->cseq, method, c.user, auth);
	v = fx_rx(t->f[c.rx_worker], fx_sip_frame(t->f[c.rx_worker], c.src, FX_PEER_PORT, msg));
	drain_steer(t);
	t->out[0] = '\0';
	if (out_len != NULL)
		*out_len = 0;
	for (i = 0; i < t->n; i++) {
		n = fx_tx(t->f[i], m, RTE_DIM(m));
		assert_true(n <= 1);
		total += n;
		if (n == 1) {
			uint32_t off = sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) +
				       sizeof(struct rte_udp_hdr);
			uint32_t len = rte_pktmbuf_pkt_len(m[0]) - off;

			assert_true(len < sizeof(t->out));
			fx_read(m[0], off, len, t->out);
			t->out[len] = '\0';
			if (out_len != NULL)
				*out_len = len;
			rte_pktmbuf_free(m[0]);
		}
	}
	assert_true(total <= 1);
	p = strstr(t->out, "nonce=\"");
	if (p != NULL) {
		p += 7;
		snprintf(t->nonce, sizeof(t->nonce), "%.*s", (int)(strchr(p, '"') - p), p);
	}
	return v;
}

static enum verdict
req(struct gfx *t, struct creq c)
{
	return send_req(t, c, NULL);
}

static void
assert_has(const char *msg, const char *needle)
{
	if (strstr(msg, needle) == NULL)
		print_error("missing \"%s\" in:\n%s\n", needle, msg);
	assert_non_null(strstr(msg, needle));
}

static uint64_t
verdicts(struct gfx *t, enum verdict v)
{
	uint64_t n = 0;
	uint16_t i;

	for (i = 0; i < t->n; i++)
		n += t->w[i]->verdicts[v];
	return n;
}

static uint64_t
counters(struct gfx *t, enum counter c)
{
	uint64_t n = 0;
	uint16_t i;

	for (i = 0; i < t->n; i++)
		n += t->w[i]->counters[c];
	return n;
}

/* Host-order address in 10.99.0.10-250 whose source owner (rule S) is worker @owner. */
static uint32_t
ip_owned_by(uint16_t owner)
{
	uint32_t ip;

	for (ip = RTE_IPV4(10u, 99, 0, 10); ip < RTE_IPV4(10u, 99, 0, 250); ip++)
		if (steer_source_owner(rte_cpu_to_be_32(ip), N_W) == owner)
			return ip;
	fail();
	return 0;
}

static uint16_t
aor_owner(const char *user)
{
	return steer_owner(location_aor_hash((struct sf_span){(const uint8_t *)user,
							      (uint16_t)strlen(user)}),
			   N_W);
}

/* Counter deltas across both workers around one request. */
struct delta {
	uint64_t received, passes;
};

static struct delta
delta_now(struct gfx *t)
{
	return (struct delta){counters(t, COUNTER_SIP_RECEIVED),
			      counters(t, COUNTER_SIP_SCAN_PASSES)};
}

static void
assert_read_once(struct gfx *t, struct delta before, uint64_t passes)
{
	struct delta now = delta_now(t);

	assert_int_equal(now.received - before.received, 1);
	assert_int_equal(now.passes - before.passes, passes);
}

/*
 * UNAUTH-5 (Off): an unknown source's REGISTER received by the worker that does not own its
 * address is settled where it landed: the skim's silent drop reads only the shared snapshot,
 * so a flood costs no hand-off (sip_input(), rule S's one exception): one sip_received, one
 * pass, nothing sent, nothing handed over.
 */
static void
test_UNAUTH_5_unknown_drop_settled_where_received_read_once(void **state)
{
	struct gfx *t = *state;
	uint32_t src = ip_owned_by(1);
	struct delta d;

	set_reply(t, false);
	d = delta_now(t);
	assert_int_equal(req(t, (struct creq){.user = "9999", .src = src, .rx_worker = 0}),
			 VERDICT_SIP_DROP_UNKNOWN_REGISTER);
	assert_string_equal(t->out, "");
	assert_int_equal(t->w[0]->verdicts[VERDICT_SIP_DROP_UNKNOWN_REGISTER], 1);
	assert_int_equal(t->w[1]->counters[COUNTER_SIP_RECEIVED], 0); /* the owner saw nothing */
	assert_int_equal(t->w[1]->counters[COUNTER_RX_STEERED_IN], 0);
	assert_read_once(t, d, 1);
}

/*
 * UNAUTH-1 (On): the unknown source's REGISTER is challenged by its source owner: one lazy
 * policy pass, which read to the end (no credentials to stop at), so the reply's resumption
 * reads nothing: one pass, one sip_received. (Before: policy scan, then a reply scan.)
 */
static void
test_UNAUTH_1_unknown_challenge_read_once(void **state)
{
	struct gfx *t = *state;
	uint32_t src = ip_owned_by(1);
	struct delta d;

	set_reply(t, true);
	d = delta_now(t);
	assert_int_equal(req(t, (struct creq){.user = "9999", .src = src, .rx_worker = 0}),
			 VERDICT_STEERED);
	assert_has(t->out, "SIP/2.0 401 Unauthorized\r\n");
	assert_int_equal(t->w[1]->verdicts[VERDICT_SIP_CHALLENGED_UNKNOWN], 1);
	assert_read_once(t, d, 1);
}

/*
 * AUTH-1 (Off): a configured account's REGISTER without credentials: skim (not certainly
 * unknown), the policy pass from the skim's start line, which reads to the end (no
 * credentials to stop at): two passes on the source owner, one sip_received, a 401.
 */
static void
test_AUTH_1_account_challenge_read_once(void **state)
{
	struct gfx *t = *state;
	uint32_t src = ip_owned_by(1);
	struct delta d;

	set_reply(t, false);
	d = delta_now(t);
	assert_int_equal(req(t, (struct creq){.user = "1001", .src = src, .rx_worker = 0}),
			 VERDICT_STEERED);
	assert_has(t->out, "SIP/2.0 401 Unauthorized\r\n");
	assert_int_equal(t->w[1]->verdicts[VERDICT_SIP_REGISTER_CHALLENGED], 1);
	assert_read_once(t, d, 2);
}

/*
 * REG-1 on two workers, source owner != AoR owner, received by the AoR owner: its skim (reply
 * Off) finds a configured identity, so rule S hands it on to the source owner, which reads and
 * authenticates it (the policy pass, which reads to the end: this request has no User-Agent to
 * stop at; two passes with the skim), rule K hands it with its scan to the AoR owner, which binds and answers
 * without reading it again: one sip_received, two passes in all. (Before: sip_received 3,
 * eight skims and scans: 2 on the receiving worker, 3 on each owner.)
 */
static void
test_REG_1_authenticated_source_and_aor_owners_read_once(void **state)
{
	struct gfx *t = *state;
	uint16_t aor = aor_owner("1001"), src_owner = (uint16_t)(1 - aor);
	uint32_t src = ip_owned_by(src_owner);
	uint64_t rx_before, passes_before;
	struct delta d;

	set_reply(t, false);
	req(t, (struct creq){.user = "1001", .src = src, .rx_worker = aor});
	assert_has(t->out, "SIP/2.0 401 Unauthorized\r\n");
	d = delta_now(t);
	rx_before = t->w[aor]->counters[COUNTER_SIP_RECEIVED];
	passes_before = t->w[aor]->counters[COUNTER_SIP_SCAN_PASSES];
	assert_int_equal(req(t, (struct creq){.user = "1001", .password = "pw", .src = src,
					      .rx_worker = aor}),
			 VERDICT_STEERED);
	assert_has(t->out, "SIP/2.0 200 OK\r\n");
	assert_int_equal(t->w[src_owner]->counters[COUNTER_REG_STEERED_AUTHED], 1);
	assert_int_equal(t->w[aor]->verdicts[VERDICT_SIP_REGISTER_OK], 1);
	assert_int_equal(t->w[aor]->counters[COUNTER_REG_OK], 1);
	/*
	 * The AoR owner received it (its skim found a configured identity, so it went on to
	 * the source owner marked skimmed) and bound it after rule K, but never counted or read
	 * it beyond that one skim.
	 */
	assert_int_equal(t->w[aor]->counters[COUNTER_SIP_RECEIVED], rx_before);
	assert_int_equal(t->w[aor]->counters[COUNTER_SIP_SCAN_PASSES], passes_before + 1);
	assert_read_once(t, d, 2);
}

/*
 * UNAUTH-9: OPTIONS from a gateway's address is trusted by address: answered where it was
 * received (no hand-off), one scan, one sip_received.
 */
static void
test_UNAUTH_9_gateway_options_where_received_read_once(void **state)
{
	struct gfx *t = *state;
	uint16_t rx = (uint16_t)(1 - steer_source_owner(rte_cpu_to_be_32(GW_IP), N_W));
	struct delta d = delta_now(t);

	assert_int_equal(req(t, (struct creq){.method = "OPTIONS", .user = "gw", .src = GW_IP,
					      .rx_worker = rx}),
			 VERDICT_SIP_REPLIED_OPTIONS);
	assert_has(t->out, "SIP/2.0 200 OK\r\n");
	assert_int_equal(counters(t, COUNTER_RX_STEERED_IN), 0);
	assert_read_once(t, d, 1);
}

/*
 * Issue 11 item 2: the ring from the source owner to the AoR owner is full when an
 * authenticated REGISTER is handed on. It is held (steer_held), the source owner takes no
 * new frames meanwhile (steer_backlogged()), and once the AoR owner drained its ring the
 * REGISTER is bound and answered: nothing paid for is lost. (Before: drop_steer_full.)
 */
static void
test_REG_1_authenticated_held_on_full_ring_then_answered(void **state)
{
	struct gfx *t = *state;
	uint16_t aor = aor_owner("1001"), src_owner = (uint16_t)(1 - aor);
	uint32_t src = ip_owned_by(src_owner);
	struct rte_ring *r = t->w[src_owner]->steer_out[aor];
	unsigned int i, cap = rte_ring_get_capacity(r);
	struct rte_mbuf *m;

	set_reply(t, false);
	req(t, (struct creq){.user = "1001", .src = src, .rx_worker = src_owner});
	assert_has(t->out, "SIP/2.0 401 Unauthorized\r\n");
	/* Fill the ring with datagrams handed over unread (they turn out malformed: empty). */
	for (i = 0; i < cap; i++) {
		m = fx_alloc(t->f[aor]->pool);
		memset(pkt_meta(m), 0, sizeof(struct pkt_meta));
		pkt_sip(m)->stage = PKT_SIP_SOURCE;
		assert_int_equal(steer_to(t->w[src_owner], aor, m), VERDICT_STEERED);
	}
	assert_int_equal(rte_ring_count(r), cap);
	assert_int_equal(req(t, (struct creq){.user = "1001", .password = "pw", .src = src,
					      .rx_worker = src_owner}),
			 VERDICT_STEERED);
	assert_int_equal(counters(t, COUNTER_STEER_HELD), 1);
	assert_int_equal(verdicts(t, VERDICT_DROP_STEER_FULL_PAID), 0);
	assert_int_equal(verdicts(t, VERDICT_DROP_STEER_FULL_SOURCE), 0);
	assert_false(steer_backlogged(t->w[src_owner])); /* drained by req() */
	assert_has(t->out, "SIP/2.0 200 OK\r\n");
	assert_int_equal(t->w[aor]->verdicts[VERDICT_SIP_REGISTER_OK], 1);
	assert_int_equal(t->w[aor]->verdicts[VERDICT_SIP_DROP_MALFORMED], cap);
}

/* steer_hold(): held in order behind a full ring, backlogged until the ring has room. */
static void
test_steer_hold_keeps_order_and_backlog(void **state)
{
	struct gfx *t = *state;
	struct rte_ring *r = t->w[0]->steer_out[1];
	unsigned int i, cap = rte_ring_get_capacity(r);
	struct rte_mbuf *held[3], *m;

	for (i = 0; i < cap; i++) {
		m = fx_alloc(t->f[0]->pool);
		assert_int_equal(steer_hold(t->w[0], 1, m), VERDICT_STEERED);
	}
	assert_false(steer_backlogged(t->w[0]));
	for (i = 0; i < RTE_DIM(held); i++) {
		held[i] = fx_alloc(t->f[1]->pool);
		assert_int_equal(steer_hold(t->w[0], 1, held[i]), VERDICT_STEERED);
	}
	assert_true(steer_backlogged(t->w[0]));
	assert_int_equal(t->w[0]->counters[COUNTER_STEER_HELD], RTE_DIM(held));
	/* Make room by hand (the consumer's side), then the producer's drain moves them on. */
	for (i = 0; i < cap; i++) {
		assert_int_equal(rte_ring_sc_dequeue(r, (void **)&m), 0);
		rte_pktmbuf_free(m);
	}
	steer_drain(t->w[0]);
	assert_false(steer_backlogged(t->w[0]));
	for (i = 0; i < RTE_DIM(held); i++) {
		assert_int_equal(rte_ring_sc_dequeue(r, (void **)&m), 0);
		assert_ptr_equal(m, held[i]);
		rte_pktmbuf_free(m);
	}
}

#define G_TEST2(fn) cmocka_unit_test_setup_teardown(fn, gfx_setup2, gfx_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		G_TEST2(test_UNAUTH_5_unknown_drop_settled_where_received_read_once),
		G_TEST2(test_UNAUTH_1_unknown_challenge_read_once),
		G_TEST2(test_AUTH_1_account_challenge_read_once),
		G_TEST2(test_REG_1_authenticated_source_and_aor_owners_read_once),
		G_TEST2(test_UNAUTH_9_gateway_options_where_received_read_once),
		G_TEST2(test_REG_1_authenticated_held_on_full_ring_then_answered),
		G_TEST2(test_steer_hold_keeps_order_and_backlog),
	};

	if (fx_eal_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
