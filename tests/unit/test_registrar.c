/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The registrar through a net_ring port (REG, AUTH, LOCK, UNAUTH-7/10): REGISTER frames in,
 * exact responses out, bindings checked in the location shard, time on an injected clock.
 * The client side computes real digests (MD5 and SHA-256) from the nonce we challenged with.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "ctrlplane/param_table.h"
#include "dataplane/pkt_meta.h"
#include "dataplane/policy/policy.h"
#include "ctrlplane/cfg_policy.h"
#include "dataplane/keepalive/ka_worker.h"
#include "dataplane/net/neigh.h"
#include "dataplane/auth/auth.h"
#include "dataplane/auth/authfail.h"
#include "dataplane/auth/digest.h"
#include "dataplane/registrar/registrar.h"
#include "dataplane/sip/scan.h"
#include "dataplane/sip_input.h"
#include "dataplane/timer/timer_wheel.h"
#include "dataplane/worker.h"
#include "tests/unit/eal_fixture.h"

#define IP_B RTE_IPV4(10u, 99, 0, 8)
#define POLICY_DOC "{\"accounts\": [{\"user\": \"1001\", \"password\": \"pw\"}," \
		   " {\"user\": \"1002\", \"password\": \"secret\"}]}"
#define REALM "sipfast.test"

struct rfx {
	struct fx *f;
	struct snapshot *snap;
	struct rte_rcu_qsbr *qs;
	struct registrar_shared *sh;
	struct auth_shared *ash;
	struct digest_ctx *dctx;
	uint32_t now;                 /* the injected clock, s */
	char nonce[128];              /* last nonce challenged with */
	char out[4096];               /* last response */
	char last_msg[2048];          /* last REGISTER sent, as bytes (a retransmission or replay) */
	unsigned int cseq;
};

static uint32_t
test_clock(void *arg)
{
	return ((struct rfx *)arg)->now;
}

static int
rfx_setup(void **state)
{
	static struct rfx t;
	struct cfg_error err = {0};
	size_t qsz = rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE);
	json_t *doc;

	memset(&t, 0, sizeof(t));
	t.f = fx_create(0, 1, FX_FRAG_TIMEOUT_MS);
	if (t.f == NULL)
		return -1;
	t.snap = t.f->snap;
	param_table_defaults(&t.snap->params);
	snprintf(t.snap->domain, sizeof(t.snap->domain), REALM);
	doc = json_loads(POLICY_DOC, 0, NULL);
	if (doc == NULL || cfg_policy_parse(doc, t.snap, &err) != 0)
		return -1;
	json_decref(doc);
	t.qs = rte_zmalloc(NULL, qsz, RTE_CACHE_LINE_SIZE);
	if (t.qs == NULL || rte_rcu_qsbr_init(t.qs, RTE_MAX_LCORE) != 0)
		return -1;
	t.f->w->qsbr = t.qs;
	t.ash = auth_shared_create();
	t.now = 100000;
	/* the wheel runs on the injected clock in ms (registrar_binding_tick(), rfx_timers()) */
	tw_init(&t.f->w->wheel, (uint64_t)t.now * 1000);
	t.sh = registrar_shared_create(1);
	if (t.ash == NULL || auth_worker_init(t.f->w, t.ash) != 0 || t.sh == NULL ||
	    registrar_worker_init(t.f->w, t.sh, 1024) != 0)
		return -1;
	t.f->w->auth->clock = test_clock;
	t.f->w->auth->clock_arg = &t;
	t.dctx = digest_ctx_create();
	*state = &t;
	return t.dctx != NULL ? 0 : -1;
}

static int
rfx_teardown(void **state)
{
	struct rfx *t = *state;

	registrar_worker_fini(t->f->w);
	registrar_shared_destroy(t->sh);
	auth_worker_fini(t->f->w);
	auth_shared_destroy(t->ash);
	rte_free(t->qs);
	digest_ctx_destroy(t->dctx);
	fx_assert_no_leak(t->f);
	policy_free(t->snap->policy);
	t->snap->policy = NULL;
	fx_destroy(t->f);
	return 0;
}

/* What a client sends. */
struct creq {
	const char *user;
	const char *password;     /* digest computed with this; NULL = no credentials */
	const char *call_id;
	const char *contact;      /* Contact URI; NULL = no Contact; "*" = star */
	int expires;              /* Expires header; -1 = none */
	uint32_t src;             /* source IP, host order */
	uint16_t sport;
	bool proxy;               /* credentials in Proxy-Authorization */
	bool sha256;
	const char *nonce;        /* NULL = the last one challenged with */
	unsigned int nc;          /* 0 = no qop */
	const char *digest_uri;   /* the digest's uri; NULL = the Request-URI */
};

static void
client_creds(struct rfx *t, const struct creq *c, char *hdr, size_t cap)
{
	uint8_t ha1[DIGEST_HEX_MAX], resp[DIGEST_HEX_MAX];
	const char *ruri = c->digest_uri != NULL ? c->digest_uri : "sip:" REALM;
	const char *nonce = c->nonce != NULL ? c->nonce : t->nonce;
	char nc[9];
	struct digest_creds cr = {
		.username = {(const uint8_t *)c->user, (uint16_t)strlen(c->user)},
		.realm = {(const uint8_t *)REALM, sizeof(REALM) - 1},
		.nonce = {(const uint8_t *)nonce, (uint16_t)strlen(nonce)},
		.uri = {(const uint8_t *)ruri, (uint16_t)strlen(ruri)},
		.cnonce = {(const uint8_t *)"c0ffee", 6},
		.nc = {(const uint8_t *)nc, 8},
		.alg = c->sha256 ? DIGEST_ALG_SHA256 : DIGEST_ALG_MD5,
		.qop_auth = c->nc > 0,
	};
	size_t hl = digest_hex_len(cr.alg);

	snprintf(nc, sizeof(nc), "%08x", c->nc);
	assert_int_equal(digest_ha1(t->dctx, cr.alg, cr.username, cr.realm,
				    (struct sf_span){(const uint8_t *)c->password,
						     (uint16_t)strlen(c->password)}, ha1), 0);
	assert_int_equal(digest_response(t->dctx, &cr, (struct sf_span){(const uint8_t *)"REGISTER", 8},
					 (struct sf_span){ha1, (uint16_t)hl}, resp), 0);
	if (c->nc > 0)
		snprintf(hdr, cap, "%s: Digest username=\"%s\", realm=\"" REALM "\", nonce=\"%s\", "
			 "uri=\"%s\", response=\"%.*s\", algorithm=%s, qop=auth, nc=%s, "
			 "cnonce=\"c0ffee\"\r\n", c->proxy ? "Proxy-Authorization" : "Authorization",
			 c->user, nonce, ruri, (int)hl, resp, c->sha256 ? "SHA-256" : "MD5", nc);
	else
		snprintf(hdr, cap, "%s: Digest username=\"%s\", realm=\"" REALM "\", nonce=\"%s\", "
			 "uri=\"%s\", response=\"%.*s\", algorithm=%s\r\n",
			 c->proxy ? "Proxy-Authorization" : "Authorization", c->user, nonce, ruri,
			 (int)hl, resp, c->sha256 ? "SHA-256" : "MD5");
}

/* What the worker loop does between bursts: poll the wheel, here at the injected clock. */
static void
rfx_timers(struct rfx *t)
{
	assert_true(tw_poll(&t->f->w->wheel, (uint64_t)t->now * 1000, UINT32_MAX) >= 0);
}

/* The worker's housekeeping tick after its timers. */
static void
rfx_housekeeping(struct rfx *t)
{
	rfx_timers(t);
	registrar_housekeeping(t->f->w);
}

/* Send the SIP text @msg from @src:@sport; the response (if any) lands in t->out. */
static enum verdict
send_raw(struct rfx *t, uint32_t src, uint16_t sport, const char *msg)
{
	struct rte_mbuf *m[4];
	enum verdict v;
	unsigned int n;
	char *p;

	rfx_timers(t);
	v = fx_rx(t->f, fx_sip_frame(t->f, src, sport, msg));
	t->out[0] = '\0';
	n = fx_tx(t->f, m, RTE_DIM(m));
	assert_true(n <= 1);
	if (n == 1) {
		uint32_t off = sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) +
			       sizeof(struct rte_udp_hdr);
		uint32_t len = rte_pktmbuf_pkt_len(m[0]) - off;

		assert_true(len < sizeof(t->out));
		fx_read(m[0], off, len, t->out);
		t->out[len] = '\0';
		rte_pktmbuf_free(m[0]);
		p = strstr(t->out, "nonce=\"");
		if (p != NULL) {
			p += 7;
			snprintf(t->nonce, sizeof(t->nonce), "%.*s", (int)(strchr(p, '"') - p), p);
		}
	}
	return v;
}

/* Send REGISTER @c; returns the verdict; the response (if any) lands in t->out. */
static enum verdict
reg(struct rfx *t, struct creq c)
{
	char auth[512] = "", contact[256] = "", expires[64] = "";
	struct in_addr a = {.s_addr = htonl(c.src ? c.src : FX_PEER_IP)};

	if (c.src == 0)
		c.src = FX_PEER_IP;
	if (c.sport == 0)
		c.sport = FX_PEER_PORT;
	if (c.call_id == NULL)
		c.call_id = "cid-1";
	t->cseq++;
	if (c.password != NULL)
		client_creds(t, &c, auth, sizeof(auth));
	if (c.contact != NULL && strcmp(c.contact, "*") == 0)
		snprintf(contact, sizeof(contact), "Contact: *\r\n");
	else if (c.contact != NULL)
		snprintf(contact, sizeof(contact), "Contact: <%s>\r\n", c.contact);
	if (c.expires >= 0)
		snprintf(expires, sizeof(expires), "Expires: %d\r\n", c.expires);
	snprintf(t->last_msg, sizeof(t->last_msg),
		 "REGISTER sip:" REALM " SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP %s:%u;branch=z9hG4bK-%u;rport\r\n"
		 "Max-Forwards: 70\r\nFrom: <sip:%s@" REALM ">;tag=ft1\r\nTo: <sip:%s@" REALM ">\r\n"
		 "Call-ID: %s\r\nCSeq: %u REGISTER\r\n%s%s%sContent-Length: 0\r\n\r\n",
		 inet_ntoa(a), c.sport, t->cseq, c.user, c.user, c.call_id, t->cseq, contact,
		 expires, auth);
	return send_raw(t, c.src, c.sport, t->last_msg);
}

static void
assert_has(const char *msg, const char *needle)
{
	if (strstr(msg, needle) == NULL)
		print_error("missing \"%s\" in:\n%s\n", needle, msg);
	assert_non_null(strstr(msg, needle));
}

static const struct location_binding *
binding(struct rfx *t, const char *user)
{
	return location_lookup(t->f->w->reg->loc,
			       (struct sf_span){(const uint8_t *)user, (uint16_t)strlen(user)},
			       t->now);
}

#define A_CONTACT "sip:1001@10.99.0.7:40000"

/* Challenge, then answer: 200 OK. */
static void
register_ok(struct rfx *t, struct creq c)
{
	struct creq first = c;

	first.password = NULL;
	assert_int_equal(reg(t, first), VERDICT_SIP_REGISTER_CHALLENGED);
	assert_int_equal(reg(t, c), VERDICT_SIP_REGISTER_OK);
	assert_has(t->out, "SIP/2.0 200 OK\r\n");
}

static void
test_AUTH_1_REG_1_challenge_then_200_capped(void **state)
{
	struct rfx *t = *state;
	struct worker *w = t->f->w;
	const struct location_binding *b;

	assert_int_equal(reg(t, (struct creq){.user = "1001", .contact = A_CONTACT, .expires = 7200}),
			 VERDICT_SIP_REGISTER_CHALLENGED);
	assert_has(t->out, "SIP/2.0 401 Unauthorized\r\n");
	assert_has(t->out, "WWW-Authenticate: Digest realm=\"" REALM "\", nonce=\"");
	assert_has(t->out, "algorithm=SHA-256");
	assert_has(t->out, "algorithm=MD5");
	assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
					      .expires = 7200, .nc = 1}),
			 VERDICT_SIP_REGISTER_OK);
	assert_has(t->out, "SIP/2.0 200 OK\r\n");
	assert_has(t->out, "Contact: <" A_CONTACT ">;expires=3600\r\n");
	b = binding(t, "1001");
	assert_non_null(b);
	assert_false(b->nat);
	assert_int_equal(b->granted_s, 3600);
	assert_true(registrar_binding_live(w, htonl(FX_PEER_IP), htons(FX_PEER_PORT)));
	assert_false(registrar_binding_live(w, htonl(FX_PEER_IP), htons(FX_PEER_PORT + 1)));
	assert_int_equal(w->counters[COUNTER_REG_OK], 1);
	assert_int_equal(w->counters[COUNTER_REG_CHALLENGES], 1);
}

static void
test_AUTH_3_sha256_digest_accepted(void **state)
{
	struct rfx *t = *state;

	register_ok(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
				     .expires = -1, .sha256 = true, .nc = 1});
	assert_has(t->out, ";expires=3600\r\n"); /* REG-4: no Expires -> the cap */
}

static void
test_AUTH_2_proxy_mode_407_and_authorization_ignored(void **state)
{
	struct rfx *t = *state;

	t->snap->params.auth_code = SF_AUTH_CODE_407;
	assert_int_equal(reg(t, (struct creq){.user = "1001", .contact = A_CONTACT, .expires = 60}),
			 VERDICT_SIP_REGISTER_CHALLENGED);
	assert_has(t->out, "SIP/2.0 407 Proxy Authentication Required\r\n");
	assert_has(t->out, "Proxy-Authenticate: Digest realm=");
	/* Right digest in the wrong header: another challenge, not a failure (I-4). */
	assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
					      .expires = 60, .nc = 1}),
			 VERDICT_SIP_REGISTER_CHALLENGED);
	assert_int_equal(t->f->w->counters[COUNTER_REG_FAIL_WRONG], 0);
	assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
					      .expires = 60, .nc = 1, .proxy = true}),
			 VERDICT_SIP_REGISTER_OK);
	assert_has(t->out, ";expires=60\r\n"); /* REG-2 */
}

static void
test_REG_3_nat_capped_at_nat_expire(void **state)
{
	struct rfx *t = *state;
	const struct location_binding *b;

	register_ok(t, (struct creq){.user = "1001", .password = "pw",
				     .contact = "sip:1001@192.168.1.10:5060", .expires = 3600,
				     .nc = 1});
	assert_has(t->out, "Contact: <sip:1001@192.168.1.10:5060>;expires=300\r\n");
	b = binding(t, "1001");
	assert_non_null(b);
	assert_true(b->nat);
	assert_int_equal(b->src_ip, htonl(FX_PEER_IP)); /* REG-13 target: observed source */
	assert_int_equal(b->src_port, htons(FX_PEER_PORT));
}

static void
test_REG_5_REG_6_refresh_recounts_then_expires(void **state)
{
	struct rfx *t = *state;
	struct worker *w = t->f->w;
	int i;

	register_ok(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
				     .expires = 100, .nc = 1});
	t->now += 90;
	/* Refresh, a new session: challenged again, then 200 with the expiry recounted. */
	register_ok(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
				     .expires = 100, .nc = 1, .call_id = "cid-2"});
	assert_has(t->out, ";expires=100\r\n");
	t->now += 99;
	assert_non_null(binding(t, "1001"));
	t->now += 1;
	assert_null(binding(t, "1001")); /* expired on time, even before the sweep */
	assert_false(registrar_binding_live(w, htonl(FX_PEER_IP), htons(FX_PEER_PORT)));
	for (i = 0; i < 1024 / REGISTRAR_SWEEP_BUDGET; i++)
		rfx_housekeeping(t);
	assert_int_equal(location_count(w->reg->loc), 0);
	assert_int_equal(w->counters[COUNTER_REG_EXPIRED], 1);
}

/*
 * REG-6 on the worker's wheel (issue 11 item 4): the binding's timer unlinks it at the tick of
 * its expiry on the registrar clock, not one tick before (the wheel polled with that clock in
 * ms), without any housekeeping sweep; housekeeping then counts it once.
 */
static void
test_REG_6_binding_expires_on_the_wheel_at_its_tick(void **state)
{
	struct rfx *t = *state;
	struct worker *w = t->f->w;
	uint32_t t0;

	register_ok(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
				     .expires = 100, .nc = 1});
	t0 = t->now;
	assert_int_equal(tw_count(&w->wheel), 1);
	t->now = t0 + 99; /* the registrar clock and the wheel move together, as on a worker */
	assert_int_equal(tw_poll(&w->wheel, (uint64_t)(t0 + 100) * 1000 - 1, UINT32_MAX), 0);
	assert_int_equal(location_count(w->reg->loc), 1);
	t->now = t0 + 100;
	assert_int_equal(tw_poll(&w->wheel, (uint64_t)(t0 + 100) * 1000, UINT32_MAX), 1);
	assert_int_equal(location_count(w->reg->loc), 0); /* unlinked by its timer */
	assert_int_equal(tw_count(&w->wheel), 0);
	assert_int_equal(w->counters[COUNTER_REG_EXPIRED], 0); /* counted at housekeeping */
	rfx_housekeeping(t);
	rfx_housekeeping(t);
	assert_int_equal(w->counters[COUNTER_REG_EXPIRED], 1);
	assert_int_equal(location_expiry_late_max(w->reg->loc), 0);
}

/*
 * REG-7 with the wheel: an unregister (Expires: 0) stops the binding's timer, so nothing fires
 * at its old expiry and nothing is counted as expired; a refresh in place moves the timer.
 */
static void
test_REG_7_unregister_stops_binding_timer(void **state)
{
	struct rfx *t = *state;
	struct worker *w = t->f->w;
	uint32_t t0;

	register_ok(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
				     .expires = 100, .nc = 1});
	t0 = t->now;
	t->now = t0 + 50;
	register_ok(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
				     .expires = 100, .nc = 1, .call_id = "cid-r7"});
	assert_int_equal(tw_count(&w->wheel), 1);
	t->now = t0 + 149;
	rfx_housekeeping(t); /* past the first grant, before the refreshed one */
	assert_int_equal(location_count(w->reg->loc), 1);
	register_ok(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
				     .expires = 0, .nc = 1, .call_id = "cid-r7b"});
	assert_int_equal(location_count(w->reg->loc), 0);
	assert_int_equal(tw_count(&w->wheel), 0); /* stopped */
	t->now = t0 + 1000;
	rfx_housekeeping(t);
	assert_int_equal(w->counters[COUNTER_REG_EXPIRED], 0);
	assert_int_equal(w->counters[COUNTER_REG_REMOVED], 1);
}

/*
 * On the TSC (no injected clock) a binding's tick is exact: at_s has come on registrar_now()
 * (rdtsc / hz) from the first wheel tick (rdtsc / tsc_per_ms) at which rdtsc >= at_s x hz,
 * never a tick before, whatever the remainder of hz / 1000 (this machine's hz, and TSC rates
 * that are no multiple of 1000, where at_s x 1000 would fire up to 0.5 s early after a day),
 * even at the top of the clock.
 */
static void
test_REG_6_binding_tick_on_the_tsc_is_exact(void **state)
{
	struct rfx *t = *state;
	struct worker *w = t->f->w;
	const uint32_t at[] = {0, 1, 59, 100000, 86400 * 365, UINT32_MAX / 4, UINT32_MAX};
	const uint64_t rates[] = {rte_get_tsc_hz(), 2099999777ull, 3192614999ull, 1000999ull};
	auth_clock_fn saved = w->auth->clock;
	unsigned int i, k;

	assert_true(w->tsc_per_ms > 0);
	w->auth->clock = NULL;
	for (k = 0; k < RTE_DIM(rates); k++) {
		unsigned __int128 hz = rates[k], p = rates[k] / 1000;

		for (i = 0; i < RTE_DIM(at); i++) {
			unsigned __int128 tick = k == 0 ? registrar_binding_tick(w, at[i])
						       : registrar_tsc_tick(at[i], rates[k], rates[k] / 1000);

			assert_true(tick * p >= (unsigned __int128)at[i] * hz); /* not early */
			if (tick > 0) /* the first such tick */
				assert_true((tick - 1) * p < (unsigned __int128)at[i] * hz);
		}
	}
	w->auth->clock = saved;
}

static void
test_REG_7_REG_8_deregistration(void **state)
{
	struct rfx *t = *state;

	register_ok(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
				     .expires = 600, .nc = 1});
	assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
					      .expires = 0, .nc = 2}),
			 VERDICT_SIP_REGISTER_OK);
	assert_null(strstr(t->out, "Contact:"));
	assert_null(binding(t, "1001"));
	register_ok(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
				     .expires = 600, .nc = 1, .call_id = "cid-3"});
	assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "pw", .contact = "*",
					      .expires = 0, .nc = 2, .call_id = "cid-3"}),
			 VERDICT_SIP_REGISTER_OK);
	assert_null(binding(t, "1001"));
}

/*
 * Issue 5 bug, through the registrar: two accounts registered from one ip:port (a two-line
 * phone). De-registering the one that registered last must not make the policy forget the
 * address (I-1(b)): the other binding is live. It goes with the last de-registration.
 */
static void
test_REG_two_accounts_one_address_deregister_one_source_still_known(void **state)
{
	struct rfx *t = *state;
	struct worker *w = t->f->w;
	uint32_t ip = htonl(FX_PEER_IP);
	uint16_t port = htons(FX_PEER_PORT);
	char n1001[128], n1002[128];

	register_ok(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
				     .expires = 600, .nc = 1, .call_id = "cid-l1"});
	snprintf(n1001, sizeof(n1001), "%s", t->nonce);
	register_ok(t, (struct creq){.user = "1002", .password = "secret",
				     .contact = "sip:1002@10.99.0.7:40000", .expires = 600, .nc = 1,
				     .call_id = "cid-l2"});
	snprintf(n1002, sizeof(n1002), "%s", t->nonce);
	assert_true(registrar_binding_live(w, ip, port));
	assert_int_equal(reg(t, (struct creq){.user = "1002", .password = "secret",
					      .contact = "sip:1002@10.99.0.7:40000", .expires = 0,
					      .nc = 2, .nonce = n1002, .call_id = "cid-l2"}),
			 VERDICT_SIP_REGISTER_OK);
	assert_null(binding(t, "1002"));
	assert_non_null(binding(t, "1001"));
	assert_true(registrar_binding_live(w, ip, port)); /* 1001 is still registered there */
	assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
					      .expires = 0, .nc = 2, .nonce = n1001,
					      .call_id = "cid-l1"}),
			 VERDICT_SIP_REGISTER_OK);
	assert_null(binding(t, "1001"));
	assert_false(registrar_binding_live(w, ip, port));
	assert_int_equal(w->counters[COUNTER_REG_REMOVED], 2);
}

static void
test_REG_423_interval_too_brief(void **state)
{
	struct rfx *t = *state;

	assert_int_equal(reg(t, (struct creq){.user = "1001", .contact = A_CONTACT, .expires = 5}),
			 VERDICT_SIP_REGISTER_CHALLENGED);
	assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
					      .expires = 5, .nc = 1}),
			 VERDICT_SIP_REGISTER_REFUSED);
	assert_has(t->out, "SIP/2.0 423 Interval Too Brief\r\n");
	assert_has(t->out, "Min-Expires: 20\r\n");
	assert_null(binding(t, "1001"));
}

static void
test_REG_9_replace_on_kicks_old_binding(void **state)
{
	struct rfx *t = *state;
	const struct location_binding *b;

	register_ok(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
				     .expires = 600, .nc = 1});
	register_ok(t, (struct creq){.user = "1001", .password = "pw", .src = IP_B,
				     .contact = "sip:1001@10.99.0.8:40000", .expires = 600, .nc = 1,
				     .call_id = "cid-b"});
	assert_has(t->out, "Contact: <sip:1001@10.99.0.8:40000>;expires=600\r\n");
	assert_null(strstr(t->out, A_CONTACT));
	b = binding(t, "1001");
	assert_non_null(b);
	assert_int_equal(b->src_ip, htonl(IP_B));
	assert_false(registrar_binding_live(t->f->w, htonl(FX_PEER_IP), htons(FX_PEER_PORT)));
}

static void
test_REG_10_REG_11_replace_off(void **state)
{
	struct rfx *t = *state;
	const struct location_binding *b;

	char a_nonce[128];

	t->snap->params.register_replace = false;
	register_ok(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
				     .expires = 600, .nc = 1});
	snprintf(a_nonce, sizeof(a_nonce), "%s", t->nonce);
	assert_int_equal(reg(t, (struct creq){.user = "1001", .src = IP_B,
					      .contact = "sip:1001@10.99.0.8:40000", .expires = 600,
					      .call_id = "cid-b"}),
			 VERDICT_SIP_REGISTER_CHALLENGED);
	assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "pw", .src = IP_B,
					      .contact = "sip:1001@10.99.0.8:40000", .expires = 600,
					      .nc = 1, .call_id = "cid-b"}),
			 VERDICT_SIP_REGISTER_REJECTED);
	assert_has(t->out, "SIP/2.0 403 Forbidden\r\n");
	b = binding(t, "1001");
	assert_non_null(b);
	assert_int_equal(b->src_ip, htonl(FX_PEER_IP));
	/* REG-11: a refresh from A is never a replace. */
	assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
					      .expires = 600, .nc = 2, .nonce = a_nonce}),
			 VERDICT_SIP_REGISTER_OK);
	/* After A unregisters, B gets in. */
	assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
					      .expires = 0, .nc = 3, .nonce = a_nonce}),
			 VERDICT_SIP_REGISTER_OK);
	assert_int_equal(reg(t, (struct creq){.user = "1001", .src = IP_B,
					      .contact = "sip:1001@10.99.0.8:40000", .expires = 600,
					      .call_id = "cid-b2"}),
			 VERDICT_SIP_REGISTER_CHALLENGED);
	assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "pw", .src = IP_B,
					      .contact = "sip:1001@10.99.0.8:40000", .expires = 600,
					      .nc = 1, .call_id = "cid-b2"}),
			 VERDICT_SIP_REGISTER_OK);
}

/* Wrong password R times (one session per attempt): the 6th is the final reject + lockout. */
static void
test_LOCK_7_LOCK_2_wrong_register_digests_lock_out(void **state)
{
	struct rfx *t = *state;
	struct worker *w = t->f->w;
	char cid[32];
	int i;

	for (i = 1; i <= 6; i++) {
		snprintf(cid, sizeof(cid), "cid-w%d", i);
		assert_int_equal(reg(t, (struct creq){.user = "1001", .contact = A_CONTACT,
						      .expires = 60, .call_id = cid}),
				 VERDICT_SIP_REGISTER_CHALLENGED);
		assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "bad",
						      .contact = A_CONTACT, .expires = 60, .nc = 1,
						      .call_id = cid}),
				 i < 6 ? VERDICT_SIP_REGISTER_CHALLENGED : VERDICT_SIP_REGISTER_REJECTED);
		t->now += 1;
	}
	assert_has(t->out, "SIP/2.0 403 Forbidden\r\n");
	assert_int_equal(w->counters[COUNTER_REG_LOCKOUTS], 1);
	assert_int_equal(w->counters[COUNTER_REG_FAIL_WRONG], 6);
	/* LOCK-2: no challenge, even without credentials; nothing counted. */
	assert_int_equal(reg(t, (struct creq){.user = "1001", .contact = A_CONTACT, .expires = 60,
					      .call_id = "cid-x"}),
			 VERDICT_SIP_REGISTER_REJECTED);
	assert_int_equal(w->counters[COUNTER_REG_FAIL_WRONG], 6);
	/* LOCK-5: the same user from another IP is served. */
	register_ok(t, (struct creq){.user = "1001", .password = "pw", .src = IP_B,
				     .contact = "sip:1001@10.99.0.8:40000", .expires = 60, .nc = 1,
				     .call_id = "cid-y"});
	/* LOCK-3 (REGISTER pair): after SS_ENDPOINT_REGISTER_SUSPEND, a normal challenge. */
	t->now += t->snap->params.register_suspend_s;
	assert_int_equal(reg(t, (struct creq){.user = "1001", .contact = A_CONTACT, .expires = 60,
					      .call_id = "cid-z"}),
			 VERDICT_SIP_REGISTER_CHALLENGED);
}

/* AUTH-4 + UNAUTH-10: one session, R wrong answers; Off -> the final reject is silence. */
static void
test_AUTH_4_UNAUTH_10_retry_budget_silent_when_off(void **state)
{
	struct rfx *t = *state;
	int i;

	t->snap->params.reply_unauthorized = false;
	t->snap->params.register_retry = 0; /* isolate the session budget */
	assert_int_equal(reg(t, (struct creq){.user = "1001", .contact = A_CONTACT, .expires = 60}),
			 VERDICT_SIP_REGISTER_CHALLENGED); /* UNAUTH-7: configured account */
	for (i = 1; i <= 6; i++)
		assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "bad",
						      .contact = A_CONTACT, .expires = 60, .nc = 1}),
				 i < 6 ? VERDICT_SIP_REGISTER_CHALLENGED
				       : VERDICT_SIP_DROP_REGISTER_REJECTED);
	assert_int_equal(t->out[0], '\0');
}

static void
test_AUTH_9_old_nonce_new_session_gets_stale(void **state)
{
	struct rfx *t = *state;
	char old[128];

	register_ok(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
				     .expires = 3600, .nc = 1});
	snprintf(old, sizeof(old), "%s", t->nonce);
	t->now += 3000;
	assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
					      .expires = 3600, .nc = 2, .nonce = old,
					      .call_id = "cid-later"}),
			 VERDICT_SIP_REGISTER_CHALLENGED);
	assert_has(t->out, "stale=true");
	assert_int_equal(t->f->w->counters[COUNTER_REG_FAIL_WRONG], 0);
	assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
					      .expires = 3600, .nc = 1, .call_id = "cid-later"}),
			 VERDICT_SIP_REGISTER_OK);
}

/*
 * AUTH-4 (first wrong answer of a session): a configured account's wrong password is not 403
 * at once (that is UNAUTH-2, for names that are not configured) but a new challenge with a
 * fresh nonce; no binding.
 */
static void
test_AUTH_4_configured_account_wrong_password_rechallenged_fresh_nonce(void **state)
{
	struct rfx *t = *state;
	char first[128], first_401[sizeof(t->out)];

	assert_int_equal(reg(t, (struct creq){.user = "1001", .contact = A_CONTACT, .expires = 60}),
			 VERDICT_SIP_REGISTER_CHALLENGED);
	snprintf(first, sizeof(first), "%s", t->nonce);
	snprintf(first_401, sizeof(first_401), "%s", t->out);
	/*
	 * That REGISTER retransmitted (same Via branch and CSeq) in the same second: the same
	 * challenge again, byte for byte, as a transaction would resend it.
	 */
	t->cseq--; /* reg() numbers branch and CSeq from it: the same request again */
	assert_int_equal(reg(t, (struct creq){.user = "1001", .contact = A_CONTACT, .expires = 60}),
			 VERDICT_SIP_REGISTER_CHALLENGED);
	assert_string_equal(t->out, first_401);
	/* The wrong answer, same second, Call-ID and source: a new request, a new nonce. */
	assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "nope",
					      .contact = A_CONTACT, .expires = 60, .nc = 1}),
			 VERDICT_SIP_REGISTER_CHALLENGED);
	assert_has(t->out, "SIP/2.0 401 Unauthorized\r\n");
	assert_string_not_equal(t->nonce, first);
	assert_null(binding(t, "1001"));
	assert_int_equal(t->f->w->counters[COUNTER_REG_FAIL_WRONG], 1);
	/* The fresh nonce is good: the right password over it, still in that second, binds. */
	assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
					      .expires = 60, .nc = 1}),
			 VERDICT_SIP_REGISTER_OK);
	assert_non_null(binding(t, "1001"));
}

/* UNAUTH-2 through the registrar: credentials for a name that is no account -> 403, no binding. */
static void
test_UNAUTH_2_credentials_for_unknown_user_403_no_binding(void **state)
{
	struct rfx *t = *state;

	/* UNAUTH-1: without credentials the unknown name is challenged like an account. */
	assert_int_equal(reg(t, (struct creq){.user = "9999", .contact = "sip:9999@10.99.0.7:40000",
					      .expires = 60}),
			 VERDICT_SIP_CHALLENGED_UNKNOWN);
	assert_has(t->out, "SIP/2.0 401 Unauthorized\r\n");
	assert_int_equal(reg(t, (struct creq){.user = "9999", .password = "pw",
					      .contact = "sip:9999@10.99.0.7:40000", .expires = 60,
					      .nc = 1}),
			 VERDICT_SIP_REJECTED_UNKNOWN);
	assert_has(t->out, "SIP/2.0 403 Forbidden\r\n");
	assert_null(strstr(t->out, "Authenticate"));
	assert_null(binding(t, "9999"));
	assert_int_equal(location_count(t->f->w->reg->loc), 0);
	assert_int_equal(t->f->w->counters[COUNTER_REG_OK], 0);
}

/* REG-2 (non-NAT, below the cap: honoured) and REG-4 (no Expires anywhere: the cap, NAT too). */
static void
test_REG_2_REG_4_below_cap_honoured_missing_expires_gets_cap(void **state)
{
	struct rfx *t = *state;
	const struct location_binding *b;

	register_ok(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
				     .expires = 600, .nc = 1});
	assert_has(t->out, "Contact: <" A_CONTACT ">;expires=600\r\n");
	b = binding(t, "1001");
	assert_non_null(b);
	assert_int_equal(b->granted_s, 600);
	register_ok(t, (struct creq){.user = "1002", .password = "secret", .src = IP_B,
				     .contact = "sip:1002@192.168.1.10:5060", .expires = -1, .nc = 1,
				     .call_id = "cid-nat"});
	assert_has(t->out, "Contact: <sip:1002@192.168.1.10:5060>;expires=300\r\n");
	b = binding(t, "1002");
	assert_non_null(b);
	assert_true(b->nat);
	assert_int_equal(b->granted_s, 300);
}

/*
 * REG-12 (I-34): SS_ENDPOINT_NAT_EXPIRE 300 -> 120 while a NAT binding is live. The binding
 * keeps the 300 s it was granted (housekeeping does not cut it); its next REGISTER is granted
 * at most 120.
 */
static void
test_REG_12_nat_expire_change_applies_at_next_register(void **state)
{
	struct rfx *t = *state;
	struct worker *w = t->f->w;
	const struct location_binding *b;
	uint32_t t0;
	int i;

	register_ok(t, (struct creq){.user = "1001", .password = "pw",
				     .contact = "sip:1001@192.168.1.10:5060", .expires = 3600,
				     .nc = 1});
	assert_has(t->out, ";expires=300\r\n");
	t0 = t->now;
	t->snap->params.endpoint_nat_expire_s = 120;
	t->now = t0 + 250; /* past the new cap, before the old grant ends */
	for (i = 0; i < 1024 / REGISTRAR_SWEEP_BUDGET; i++)
		rfx_housekeeping(t);
	b = binding(t, "1001");
	assert_non_null(b);
	assert_int_equal(b->granted_s, 300);
	assert_int_equal(b->expires_at_s, t0 + 300);
	assert_int_equal(w->counters[COUNTER_REG_EXPIRED], 0);
	/* The next REGISTER (a refresh in a new session) asks 3600 and gets the new cap. */
	register_ok(t, (struct creq){.user = "1001", .password = "pw",
				     .contact = "sip:1001@192.168.1.10:5060", .expires = 3600,
				     .nc = 1, .call_id = "cid-r12"});
	assert_has(t->out, "Contact: <sip:1001@192.168.1.10:5060>;expires=120\r\n");
	b = binding(t, "1001");
	assert_non_null(b);
	assert_int_equal(b->granted_s, 120);
	t->now = t0 + 250 + 119;
	assert_non_null(binding(t, "1001"));
	t->now = t0 + 250 + 120;
	assert_null(binding(t, "1001"));
}

/*
 * LOCK-11 (I-6): (source IP, U) suspended by wrong REGISTER digests from the very address of
 * U's binding; the binding is not deleted: lookup and the by-source table still find it until
 * its own expiry (inside the suspension). A correct REGISTER meanwhile is refused (LOCK-2) and
 * does not refresh it. Calls towards U (the "delivered" half) need INVITE routing: not built.
 */
static void
test_LOCK_11_suspension_keeps_existing_binding_until_expiry(void **state)
{
	struct rfx *t = *state;
	struct worker *w = t->f->w;
	const struct location_binding *b;
	uint32_t t0;
	char cid[32];
	int i;

	register_ok(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
				     .expires = 100, .nc = 1});
	t0 = t->now;
	for (i = 1; i <= 6; i++) {
		snprintf(cid, sizeof(cid), "cid-l11-%d", i);
		assert_int_equal(reg(t, (struct creq){.user = "1001", .contact = A_CONTACT,
						      .expires = 100, .call_id = cid}),
				 VERDICT_SIP_REGISTER_CHALLENGED);
		assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "bad",
						      .contact = A_CONTACT, .expires = 100, .nc = 1,
						      .call_id = cid}),
				 i < 6 ? VERDICT_SIP_REGISTER_CHALLENGED : VERDICT_SIP_REGISTER_REJECTED);
		t->now += 1;
	}
	assert_int_equal(w->counters[COUNTER_REG_LOCKOUTS], 1);
	for (i = 0; i < 1024 / REGISTRAR_SWEEP_BUDGET; i++)
		rfx_housekeeping(t);
	b = binding(t, "1001");
	assert_non_null(b);
	assert_int_equal(b->expires_at_s, t0 + 100);
	assert_true(registrar_binding_live(w, htonl(FX_PEER_IP), htons(FX_PEER_PORT)));
	/* LOCK-2: the right password from the suspended pair is refused, nothing refreshed. */
	assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
					      .expires = 100, .nc = 2, .call_id = "cid-l11-6"}),
			 VERDICT_SIP_REGISTER_REJECTED);
	assert_has(t->out, "SIP/2.0 403 Forbidden\r\n");
	assert_int_equal(binding(t, "1001")->expires_at_s, t0 + 100);
	t->now = t0 + 99;
	for (i = 0; i < 1024 / REGISTRAR_SWEEP_BUDGET; i++)
		rfx_housekeeping(t);
	assert_non_null(binding(t, "1001"));
	assert_int_equal(w->counters[COUNTER_REG_EXPIRED], 0);
	/* Its own expiry still applies (the suspension runs to t0 + 6 + 180). */
	t->now = t0 + 100;
	for (i = 0; i < 1024 / REGISTRAR_SWEEP_BUDGET; i++)
		rfx_housekeeping(t);
	assert_null(binding(t, "1001"));
	assert_false(registrar_binding_live(w, htonl(FX_PEER_IP), htons(FX_PEER_PORT)));
	assert_int_equal(w->counters[COUNTER_REG_EXPIRED], 1);
}

static void
test_REG_account_removed_drops_binding(void **state)
{
	struct rfx *t = *state;
	struct cfg_error err = {0};
	struct policy *old = t->snap->policy;
	json_t *doc;
	int i;

	register_ok(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
				     .expires = 600, .nc = 1});
	register_ok(t, (struct creq){.user = "1002", .password = "secret", .src = IP_B,
				     .contact = "sip:1002@10.99.0.8:40000", .expires = 600, .nc = 1,
				     .call_id = "cid-2"});
	doc = json_loads("{\"accounts\": [{\"user\": \"1002\", \"password\": \"secret\"}]}", 0,
			 NULL);
	assert_non_null(doc);
	assert_int_equal(cfg_policy_parse(doc, t->snap, &err), 0);
	json_decref(doc);
	policy_free(old);
	for (i = 0; i < 1024 / REGISTRAR_SWEEP_BUDGET; i++)
		rfx_housekeeping(t);
	assert_null(binding(t, "1001"));
	assert_non_null(binding(t, "1002")); /* unrelated binding kept */
}

/* Replace the running accounts with u1..u@n, password "pw" (a PBX's worth of names). */
static void
use_accounts(struct rfx *t, unsigned int n)
{
	struct policy *old = t->snap->policy;
	struct cfg_error err = {0};
	char doc_text[1024];
	size_t len;
	json_t *doc;
	unsigned int i;

	len = (size_t)snprintf(doc_text, sizeof(doc_text), "{\"accounts\": [");
	for (i = 1; i <= n; i++)
		len += (size_t)snprintf(doc_text + len, sizeof(doc_text) - len,
					"%s{\"user\": \"u%u\", \"password\": \"pw\"}",
					i > 1 ? ", " : "", i);
	snprintf(doc_text + len, sizeof(doc_text) - len, "]}");
	assert_true(len < sizeof(doc_text) - 2);
	doc = json_loads(doc_text, 0, NULL);
	assert_non_null(doc);
	assert_int_equal(cfg_policy_parse(doc, t->snap, &err), 0);
	json_decref(doc);
	policy_free(old);
}

/* One wrong REGISTER digest of @user from @src in a session of its own: challenge, answer. */
static enum verdict
wrong_register(struct rfx *t, const char *user, uint32_t src, unsigned int n)
{
	char cid[32], contact[64];

	snprintf(cid, sizeof(cid), "cid-%s-%u", user, n);
	snprintf(contact, sizeof(contact), "sip:%s@10.99.0.7:40000", user);
	assert_int_equal(reg(t, (struct creq){.user = user, .contact = contact, .expires = 60,
					      .src = src, .call_id = cid}),
			 VERDICT_SIP_REGISTER_CHALLENGED);
	return reg(t, (struct creq){.user = user, .password = "wrong", .contact = contact,
				    .expires = 60, .src = src, .call_id = cid, .nc = 1});
}

/*
 * Per-source-IP ceiling (beyond the seed; lockout.per_ip_*, here set live on the running
 * snapshot): an svcrack-style run from one IP that rotates usernames, one wrong password per
 * name (the per-(IP, user) lockout of LOCK-7 never fires), hits the ceiling at the 5th wrong
 * answer: final reject, then every request from that IP, any user, right password or none,
 * is refused without a challenge until per_ip_suspend_s is over. Another IP is unaffected.
 */
static void
test_LOCK_ip_ceiling_username_rotation_refuses_whole_ip(void **state)
{
	struct rfx *t = *state;
	struct worker *w = t->f->w;
	char user[8];
	unsigned int i;
	uint32_t t0;

	use_accounts(t, 8);
	t->snap->ip_ceiling = (struct sf_ip_ceiling){.max_failures = 5, .window_s = 60,
						     .suspend_s = 300};
	t0 = t->now;
	for (i = 1; i <= 5; i++) {
		snprintf(user, sizeof(user), "u%u", i);
		assert_int_equal(wrong_register(t, user, FX_PEER_IP, i),
				 i < 5 ? VERDICT_SIP_REGISTER_CHALLENGED
				       : VERDICT_SIP_REGISTER_REJECTED);
		t->now += 2;
	}
	assert_has(t->out, "SIP/2.0 403 Forbidden\r\n");
	assert_int_equal(w->counters[COUNTER_REG_FAIL_WRONG], 5);
	assert_int_equal(w->counters[COUNTER_REG_LOCKOUTS], 1);
	assert_int_equal(authfail_stats(w->auth->af)->ip_lockouts, 1);
	assert_int_equal(authfail_stats(w->auth->af)->lockouts, 0); /* no (IP, user) lockout */
	/* The whole IP: a name never tried, without credentials, and a right password. */
	assert_int_equal(reg(t, (struct creq){.user = "u6", .contact = "sip:u6@10.99.0.7:40000",
					      .expires = 60, .call_id = "cid-u6"}),
			 VERDICT_SIP_REGISTER_REJECTED);
	assert_null(strstr(t->out, "Authenticate"));
	assert_int_equal(reg(t, (struct creq){.user = "u7", .password = "pw",
					      .contact = "sip:u7@10.99.0.7:40000", .expires = 60,
					      .call_id = "cid-u7", .nc = 1}),
			 VERDICT_SIP_REGISTER_REJECTED);
	assert_null(binding(t, "u7"));
	assert_int_equal(w->counters[COUNTER_REG_FAIL_LOCKED], 2);
	assert_int_equal(w->counters[COUNTER_REG_FAIL_WRONG], 5); /* nothing counted meanwhile */
	/* Another source IP is served. */
	register_ok(t, (struct creq){.user = "u1", .password = "pw", .src = IP_B,
				     .contact = "sip:u1@10.99.0.8:40000", .expires = 60, .nc = 1,
				     .call_id = "cid-b-u1"});
	/* The suspension ends per_ip_suspend_s after the 5th wrong answer. */
	t->now = t0 + 4 * 2 + 300 - 1;
	assert_int_equal(reg(t, (struct creq){.user = "u6", .contact = "sip:u6@10.99.0.7:40000",
					      .expires = 60, .call_id = "cid-u6b"}),
			 VERDICT_SIP_REGISTER_REJECTED);
	t->now += 1;
	register_ok(t, (struct creq){.user = "u6", .password = "pw",
				     .contact = "sip:u6@10.99.0.7:40000", .expires = 60, .nc = 1,
				     .call_id = "cid-u6c"});
}

/*
 * The ceiling is off by default (lockout absent: max_failures 0): the same rotation, twice as
 * long, only ever gets challenges, and a right password from that IP then registers.
 */
static void
test_LOCK_ip_ceiling_off_by_default_username_rotation_not_refused(void **state)
{
	struct rfx *t = *state;
	struct worker *w = t->f->w;
	char user[8];
	unsigned int i;

	use_accounts(t, 8);
	assert_int_equal(t->snap->ip_ceiling.max_failures, 0);
	for (i = 1; i <= 16; i++) {
		snprintf(user, sizeof(user), "u%u", (i - 1) % 8 + 1);
		assert_int_equal(wrong_register(t, user, FX_PEER_IP, i),
				 VERDICT_SIP_REGISTER_CHALLENGED);
		t->now += 1;
	}
	assert_int_equal(w->counters[COUNTER_REG_FAIL_WRONG], 16);
	assert_int_equal(w->counters[COUNTER_REG_LOCKOUTS], 0);
	assert_int_equal(authfail_stats(w->auth->af)->ip_lockouts, 0);
	register_ok(t, (struct creq){.user = "u3", .password = "pw",
				     .contact = "sip:u3@10.99.0.7:40000", .expires = 60, .nc = 1,
				     .call_id = "cid-ok"});
	assert_non_null(binding(t, "u3"));
}

/* The granted expiry of the last 200 OK (its Contact's ;expires=), -1 when there is none. */
static int
granted_in_ok(const struct rfx *t)
{
	const char *p = strstr(t->out, ">;expires=");

	return p != NULL ? atoi(p + 10) : -1;
}

/*
 * Expiry jitter (beyond the seed, sip.register_expiry_jitter): off by default, every grant is
 * exact (REG-1/REG-2 hold). At 20 %, a grant of 1000 becomes a random value in [800, 1000]
 * that the 200 OK and the binding agree on, and 30 grants are not all the same; a grant near
 * the minimum never drops below the 20-s Min-Expires, one at the minimum is left alone.
 */
static void
test_REG_expiry_jitter_off_by_default_spreads_grants_when_on(void **state)
{
	struct rfx *t = *state;
	unsigned int lo = 1000, hi = 0, i;
	char cid[32];
	int g;

	register_ok(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
				     .expires = 1000, .nc = 1});
	assert_int_equal(granted_in_ok(t), 1000);
	t->snap->reg_expiry_jitter_pct = 20;
	for (i = 0; i < 30; i++) {
		snprintf(cid, sizeof(cid), "cid-j%u", i);
		register_ok(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
					     .expires = 1000, .nc = 1, .call_id = cid});
		g = granted_in_ok(t);
		assert_in_range(g, 800, 1000);
		assert_int_equal(binding(t, "1001")->granted_s, (unsigned int)g);
		assert_int_equal(binding(t, "1001")->expires_at_s, t->now + (unsigned int)g);
		lo = RTE_MIN(lo, (unsigned int)g);
		hi = RTE_MAX(hi, (unsigned int)g);
		t->now += 1;
	}
	assert_true(hi > lo);
	t->snap->reg_expiry_jitter_pct = 50;
	for (i = 0; i < 10; i++) {
		snprintf(cid, sizeof(cid), "cid-m%u", i);
		register_ok(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
					     .expires = 30, .nc = 1, .call_id = cid});
		assert_in_range(granted_in_ok(t), 20, 30);
		snprintf(cid, sizeof(cid), "cid-n%u", i);
		register_ok(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
					     .expires = 20, .nc = 1, .call_id = cid});
		assert_int_equal(granted_in_ok(t), 20);
		t->now += 1;
	}
}

/* A Contact the shard cannot hold whole (AoR + Contact > LOCATION_TEXT_MAX) is refused and
 * counted, never stored truncated; the binding in place stays. */
static void
test_REG_contact_too_long_refused_counted(void **state)
{
	struct rfx *t = *state;
	char fits[LOCATION_TEXT_MAX + 1], over[LOCATION_TEXT_MAX + 2];
	size_t n = LOCATION_TEXT_MAX - strlen("1001");
	const struct location_binding *b;

	snprintf(fits, sizeof(fits), "%s;x=%0*d", A_CONTACT, (int)(n - strlen(A_CONTACT) - 3), 0);
	assert_int_equal(strlen(fits), n);
	snprintf(over, sizeof(over), "%s0", fits);
	register_ok(t, (struct creq){.user = "1001", .password = "pw", .contact = fits,
				     .expires = 600, .nc = 1});
	assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "pw", .contact = over,
					      .expires = 600, .nc = 2}),
			 VERDICT_SIP_REGISTER_REFUSED);
	assert_has(t->out, "SIP/2.0 500 Server Internal Error\r\n");
	assert_int_equal(t->f->w->counters[COUNTER_REG_CONTACT_TOO_LONG], 1);
	b = binding(t, "1001");
	assert_non_null(b);
	assert_int_equal(b->contact_len, n);
	assert_memory_equal(location_binding_contact(b).p, fits, n);
}

/*
 * The nonce key rotation reaches the worker at its next REGISTER: a nonce challenged before
 * one rotation is still answered 200 (previous key), before two it is re-challenged (unknown
 * key: INVALID, so no stale=true and nothing counted as a failure).
 */
static void
test_AUTH_nonce_key_rotation_reaches_the_worker(void **state)
{
	struct rfx *t = *state;
	struct worker *w = t->f->w;
	uint64_t last = 0;
	char old[sizeof(t->nonce)];

	assert_int_equal(reg(t, (struct creq){.user = "1001", .contact = A_CONTACT, .expires = 60}),
			 VERDICT_SIP_REGISTER_CHALLENGED);
	snprintf(old, sizeof(old), "%s", t->nonce);
	assert_int_equal(nonce_keyring_rotate_due(&t->ash->keys, NONCE_KEY_ROTATE_S, &last,
						  NONCE_KEY_ROTATE_S), 1);
	assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "pw", .nonce = old,
					      .contact = A_CONTACT, .expires = 60, .nc = 1}),
			 VERDICT_SIP_REGISTER_OK);
	assert_int_equal(w->auth->keys_seen, t->ash->keys.seq);
	assert_int_equal(nonce_keyring_rotate_due(&t->ash->keys, 2 * NONCE_KEY_ROTATE_S, &last,
						  NONCE_KEY_ROTATE_S), 1);
	assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "pw", .nonce = old,
					      .contact = A_CONTACT, .expires = 60, .nc = 2}),
			 VERDICT_SIP_REGISTER_CHALLENGED);
	assert_has(t->out, "SIP/2.0 401 Unauthorized\r\n");
	assert_null(strstr(t->out, "stale=true"));
	assert_int_equal(w->counters[COUNTER_REG_FAIL_WRONG], 0);
	/* The fresh nonce of that challenge works under the new key. */
	assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "pw",
					      .contact = A_CONTACT, .expires = 60, .nc = 1}),
			 VERDICT_SIP_REGISTER_OK);
}

/*
 * Regression (issue 11, auth/): a challenge sent by the stateless path (sip_reply_challenge():
 * an INVITE, an unknown name's REGISTER) carries the current nonce key even when the worker
 * verified nothing since the rotation. Before auth/, only the registrar's own REGISTER path
 * applied a rotated key ring, so after two rotations a worker that saw only INVITEs kept
 * issuing nonces under a retired key that no worker verifies: every answer re-challenged.
 */
static void
test_AUTH_challenge_after_two_rotations_carries_current_key(void **state)
{
	struct rfx *t = *state;
	uint64_t last = 0;

	assert_int_equal(nonce_keyring_rotate_due(&t->ash->keys, NONCE_KEY_ROTATE_S, &last,
						  NONCE_KEY_ROTATE_S), 1);
	assert_int_equal(nonce_keyring_rotate_due(&t->ash->keys, 2 * NONCE_KEY_ROTATE_S, &last,
						  NONCE_KEY_ROTATE_S), 1);
	assert_int_equal(send_raw(t, FX_PEER_IP, FX_PEER_PORT,
				  "INVITE sip:2000@" REALM " SIP/2.0\r\n"
				  "Via: SIP/2.0/UDP 10.99.0.7:40000;branch=z9hG4bK-inv1;rport\r\n"
				  "Max-Forwards: 70\r\nFrom: <sip:1001@" REALM ">;tag=fi1\r\n"
				  "To: <sip:2000@" REALM ">\r\nCall-ID: cid-inv-rot\r\n"
				  "CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"),
			 VERDICT_SIP_INVITE_CHALLENGED);
	assert_has(t->out, "SIP/2.0 401 Unauthorized\r\n");
	/* That nonce verifies: a REGISTER answering it with the right password is bound. */
	assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "pw",
					      .call_id = "cid-inv-rot", .contact = A_CONTACT,
					      .expires = 60, .nc = 1}),
			 VERDICT_SIP_REGISTER_OK);
	assert_has(t->out, "SIP/2.0 200 OK\r\n");
}

/* An INVITE from 1001 at FX_PEER_IP, with an Authorization for @nonce and @password (NULL: none). */
static void
invite_text(struct rfx *t, char *out, size_t cap, const char *nonce, const char *password)
{
	static const char ruri[] = "sip:2000@" REALM;
	uint8_t ha1[DIGEST_HEX_MAX], resp[DIGEST_HEX_MAX];
	struct digest_creds cr = {
		.username = {(const uint8_t *)"1001", 4},
		.realm = {(const uint8_t *)REALM, sizeof(REALM) - 1},
		.uri = {(const uint8_t *)ruri, sizeof(ruri) - 1},
		.alg = DIGEST_ALG_MD5,
	};
	char auth[512] = "";

	t->cseq++;
	if (password != NULL) {
		cr.nonce = (struct sf_span){(const uint8_t *)nonce, (uint16_t)strlen(nonce)};
		assert_int_equal(digest_ha1(t->dctx, cr.alg, cr.username, cr.realm,
					    (struct sf_span){(const uint8_t *)password,
							     (uint16_t)strlen(password)}, ha1), 0);
		assert_int_equal(digest_response(t->dctx, &cr,
						 (struct sf_span){(const uint8_t *)"INVITE", 6},
						 (struct sf_span){ha1, 32}, resp), 0);
		snprintf(auth, sizeof(auth), "Authorization: Digest username=\"1001\", realm=\""
			 REALM "\", nonce=\"%s\", uri=\"%s\", response=\"%.32s\", "
			 "algorithm=MD5\r\n", nonce, ruri, resp);
	}
	snprintf(out, cap, "INVITE %s SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 10.99.0.7:40000;branch=z9hG4bK-i%u;rport\r\n"
		 "Max-Forwards: 70\r\nFrom: <sip:1001@" REALM ">;tag=fi1\r\n"
		 "To: <sip:2000@" REALM ">\r\nCall-ID: cid-auth-api\r\n"
		 "CSeq: %u INVITE\r\n%sContent-Length: 0\r\n\r\n", ruri, t->cseq, t->cseq,
		 auth);
}

/* auth_verify() of @text as received from FX_PEER_IP:FX_PEER_PORT, for account 1001. */
static enum auth_outcome
verify_text(struct rfx *t, const char *text, struct auth_result *res)
{
	struct worker *w = t->f->w;
	struct pkt_meta meta = {.src_ip = fx_be32(FX_PEER_IP),
				.src_port = rte_cpu_to_be_16(FX_PEER_PORT)};
	struct sip_scan s;
	struct auth_req q = {
		.s = &s, .acct = policy_account_by_user(w->cfg->policy,
							 (struct sf_span){(const uint8_t *)"1001", 4}),
		.p = &w->cfg->params, .user = {(const uint8_t *)"1001", 4}, .now = t->now,
		.is_register = false,
	};

	assert_non_null(q.acct);
	assert_int_equal(sip_scan((const uint8_t *)text, strlen(text), &s, SIP_WANT_ALL),
			 SIP_SCAN_OK);
	auth_verify(w, &meta, &q, res);
	return res->outcome;
}

/*
 * auth/ serves any method (issue 11 item 3): an INVITE is challenged with
 * auth_challenge_header() and verified with auth_verify() exactly like a REGISTER, and its
 * wrong answers count against the non-REGISTER lockout pair (SS_AUTHENTICATION_MAX_RETRY /
 * _FAILED_SUSPEND, I-6), not the REGISTER one.
 */
static void
test_AUTH_invite_verified_through_auth_api_with_its_own_lockout_pair(void **state)
{
	struct rfx *t = *state;
	struct worker *w = t->f->w;
	struct auth_result res;
	char msg[2048], hdr[768], nonce[64];
	struct sip_scan s;
	const char *p;
	int n;

	t->snap->params.auth_max_retry = 2;
	t->snap->params.auth_failed_suspend_s = 60;
	t->snap->params.register_retry = 0;
	t->snap->params.auth_retry = 10;
	invite_text(t, msg, sizeof(msg), NULL, NULL);
	assert_int_equal(verify_text(t, msg, &res), AUTH_CHALLENGE); /* no credentials */
	assert_int_equal(sip_scan((const uint8_t *)msg, strlen(msg), &s, SIP_WANT_ALL),
			 SIP_SCAN_OK);
	n = auth_challenge_header(w, &s, fx_be32(FX_PEER_IP), false, (uint8_t *)hdr,
				  sizeof(hdr) - 1);
	assert_true(n > 0);
	hdr[n] = '\0';
	assert_has(hdr, "WWW-Authenticate: Digest realm=\"" REALM "\", nonce=\"");
	p = strstr(hdr, "nonce=\"") + 7;
	snprintf(nonce, sizeof(nonce), "%.*s", (int)(strchr(p, '"') - p), p);
	invite_text(t, msg, sizeof(msg), nonce, "pw");
	assert_int_equal(verify_text(t, msg, &res), AUTH_OK);
	/*
	 * Two wrong answers: a challenge, then (1001, source IP) is locked. SS_ENDPOINT_REGISTER_
	 * RETRY is 0 (that pair off), so the lock comes from the non-REGISTER pair.
	 */
	invite_text(t, msg, sizeof(msg), nonce, "bad");
	assert_int_equal(verify_text(t, msg, &res), AUTH_CHALLENGE);
	assert_int_equal(w->counters[COUNTER_REG_FAIL_WRONG], 1);
	invite_text(t, msg, sizeof(msg), nonce, "bad");
	assert_int_equal(verify_text(t, msg, &res), AUTH_REJECT);
	assert_int_equal(res.why, COUNTER_REG_LOCKOUTS);
	assert_int_equal(w->counters[COUNTER_REG_LOCKOUTS], 1);
	assert_true(auth_suspended(w, fx_be32(FX_PEER_IP), (struct sf_span){(const uint8_t *)"1001",
									    4}));
	/* Locked: even the right password is refused, counted as locked. */
	invite_text(t, msg, sizeof(msg), nonce, "pw");
	assert_int_equal(verify_text(t, msg, &res), AUTH_REJECT);
	assert_int_equal(res.why, COUNTER_REG_FAIL_LOCKED);
	assert_int_equal(authfail_stats(w->auth->af)->lockouts, 1);
}

/*
 * A REGISTER hashes no password: the HA1 made when the snapshot was built is used (a password
 * changed behind the snapshot's back does not matter); a policy whose HA1 are not for this
 * realm (built without the parser) falls back to hashing the password.
 */
static void
test_AUTH_ha1_precomputed_per_realm(void **state)
{
	struct rfx *t = *state;
	struct policy_account *a = (struct policy_account *)policy_account_by_user(
		t->snap->policy, (struct sf_span){(const uint8_t *)"1001", 4});

	assert_non_null(a);
	snprintf(a->password, sizeof(a->password), "not-the-password");
	register_ok(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
				     .expires = 60, .nc = 1});
	register_ok(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
				     .expires = 60, .sha256 = true, .nc = 1});
	t->snap->policy->ha1_realm_len = 0; /* not computed for this realm: from the password */
	assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "pw",
					      .contact = A_CONTACT, .expires = 60, .nc = 1}),
			 VERDICT_SIP_REGISTER_CHALLENGED);
	snprintf(a->password, sizeof(a->password), "pw");
	assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "pw",
					      .contact = A_CONTACT, .expires = 60, .nc = 1}),
			 VERDICT_SIP_REGISTER_OK);
}

/*
 * registrar_binding_live() asks every shard (a binding lives with its AoR's owner, whatever
 * its source), skipping the empty ones on their live count. Shard 0 (this worker's) is empty
 * here, the binding sits in a second shard: it must still be found, and not once it expired
 * (the clock is read when a shard is asked) or was removed.
 */
static void
test_REG_binding_live_skips_empty_shards_asks_the_others(void **state)
{
	struct rfx *t = *state;
	struct worker *w = t->f->w;
	struct location *other = location_create(1, 64, t->qs, SOCKET_ID_ANY);
	struct sf_span aor = {(const uint8_t *)"1002", 4};
	struct sf_span contact = {(const uint8_t *)"sip:1002@10.99.0.8:5070", 23};
	struct location_binding b;

	assert_non_null(other);
	memset(&b, 0, sizeof(b));
	assert_int_equal(location_binding_set_text(&b, aor, contact), 0);
	b.src_ip = htonl(IP_B);
	b.src_port = htons(5070);
	b.expires_at_s = t->now + 600;
	b.granted_s = 600;
	t->sh->shard[1] = other;
	t->sh->n_workers = 2;
	assert_int_equal(location_count(w->reg->loc), 0);
	assert_false(registrar_binding_live(w, htonl(IP_B), htons(5070)));
	assert_int_equal(location_put(other, &b), 0);
	assert_true(registrar_binding_live(w, htonl(IP_B), htons(5070)));
	assert_false(registrar_binding_live(w, htonl(IP_B), htons(5071)));
	t->now += 600; /* expired, still counted until the owner's sweep */
	assert_int_equal(location_count(other), 1);
	assert_false(registrar_binding_live(w, htonl(IP_B), htons(5070)));
	t->now -= 1;
	assert_true(registrar_binding_live(w, htonl(IP_B), htons(5070)));
	assert_int_equal(location_remove(other, aor), 0);
	assert_false(registrar_binding_live(w, htonl(IP_B), htons(5070)));
	t->sh->n_workers = 1;
	t->sh->shard[1] = NULL;
	location_destroy(other);
}

/* 50 filler bindings in @loc (account f<shard>_<i> from 10.50.<shard>.<i>:6000). */
static void
fill_shard(struct location *loc, unsigned int shard, uint32_t now)
{
	unsigned int i;

	for (i = 0; i < 50; i++) {
		struct location_binding b;
		char aor[16];

		memset(&b, 0, sizeof(b));
		snprintf(aor, sizeof(aor), "f%u_%u", shard, i);
		assert_int_equal(location_binding_set_text(&b, (struct sf_span){(const uint8_t *)aor,
						(uint16_t)strlen(aor)},
					(struct sf_span){(const uint8_t *)"sip:f@x", 7}), 0);
		b.src_ip = htonl(RTE_IPV4(10u, 50, shard, i));
		b.src_port = htons(6000);
		b.expires_at_s = now + 600;
		b.granted_s = 600;
		assert_int_equal(location_put(loc, &b), 0);
	}
}

/*
 * Every shard holds bindings (production; no shard is skipped on its count), so every shard's
 * source filter is asked: a source bound on the second or the last shard is found behind the
 * filters of the others, one bound on the worker's own shard too, and unbound sources are not.
 */
static void
test_REG_binding_live_every_shard_bound_filters_find_the_binding(void **state)
{
	struct rfx *t = *state;
	struct worker *w = t->f->w;
	struct location *other[2] = {location_create(1, 64, t->qs, SOCKET_ID_ANY),
				     location_create(2, 64, t->qs, SOCKET_ID_ANY)};
	struct sf_span aor = {(const uint8_t *)"1002", 4};
	struct sf_span contact = {(const uint8_t *)"sip:1002@10.99.0.8:5070", 23};
	struct location_binding b;
	unsigned int s, i;

	assert_non_null(other[0]);
	assert_non_null(other[1]);
	t->sh->shard[1] = other[0];
	t->sh->shard[2] = other[1];
	t->sh->n_workers = 3;
	fill_shard(w->reg->loc, 0, t->now);
	fill_shard(other[0], 1, t->now);
	fill_shard(other[1], 2, t->now);
	for (s = 0; s < 3; s++) /* every filler found, wherever it lives */
		for (i = 0; i < 50; i++)
			assert_true(registrar_binding_live(w, htonl(RTE_IPV4(10u, 50, s, i)),
							   htons(6000)));
	for (s = 0; s < 2; s++) { /* 1002 on shard 1, then on shard 2 (the last) */
		memset(&b, 0, sizeof(b));
		assert_int_equal(location_binding_set_text(&b, aor, contact), 0);
		b.src_ip = htonl(IP_B);
		b.src_port = htons(5070);
		b.expires_at_s = t->now + 600;
		b.granted_s = 600;
		assert_false(registrar_binding_live(w, htonl(IP_B), htons(5070)));
		assert_int_equal(location_put(other[s], &b), 0);
		assert_true(registrar_binding_live(w, htonl(IP_B), htons(5070)));
		assert_false(registrar_binding_live(w, htonl(IP_B), htons(5071)));
		assert_false(registrar_binding_live(w, htonl(RTE_IPV4(10u, 50, 3, 0)), htons(6000)));
		assert_int_equal(location_remove(other[s], aor), 0);
		assert_false(registrar_binding_live(w, htonl(IP_B), htons(5070)));
	}
	for (i = 0; i < 1000; i++) /* unbound: never live (the lookup answers a false positive) */
		assert_false(registrar_binding_live(w, htonl(RTE_IPV4(10u, 51, i >> 8, i & 0xff)),
						    htons(6000)));
	t->sh->n_workers = 1;
	t->sh->shard[1] = NULL;
	t->sh->shard[2] = NULL;
	location_destroy(other[0]);
	location_destroy(other[1]);
}


/*
 * HARDEN-2 (issue 12 defect 2): a REGISTER the source-IP owner authenticated under snapshot A
 * (account 1001 present) reaches the AoR owner, which already swapped to snapshot B where a
 * config.apply removed 1001. The source is still a live binding (the sweep has not run), so
 * it is admitted without an account: it must be dropped and counted, not dereference NULL.
 */
static void
test_HARDEN_2_authenticated_register_account_gone_dropped_counted(void **state)
{
	struct rfx *t = *state;
	struct worker *w = t->f->w;
	struct cfg_error err = {0};
	struct snapshot *b = rte_zmalloc(NULL, sizeof(*b), 0);
	json_t *doc = json_loads("{\"accounts\": [{\"user\": \"1002\", \"password\": \"secret\"}]}",
				 0, NULL);
	char msg[512];
	struct rte_mbuf *m;
	struct pkt_meta *meta;
	uint16_t off = sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) +
		       sizeof(struct rte_udp_hdr);

	register_ok(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
				     .expires = 600, .nc = 1}); /* snapshot A */
	assert_non_null(b);
	assert_non_null(doc);
	memcpy(b, t->snap, sizeof(*b));
	b->policy = NULL;
	assert_int_equal(cfg_policy_parse(doc, b, &err), 0); /* snapshot B: 1001 removed */
	json_decref(doc);
	snprintf(msg, sizeof(msg),
		 "REGISTER sip:" REALM " SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 10.99.0.7:40000;branch=z9hG4bK-gone;rport\r\n"
		 "Max-Forwards: 70\r\nFrom: <sip:1001@" REALM ">;tag=ft1\r\n"
		 "To: <sip:1001@" REALM ">\r\nCall-ID: cid-gone\r\nCSeq: 7 REGISTER\r\n"
		 "Contact: <" A_CONTACT ">\r\nExpires: 600\r\n"
		 "Authorization: Digest username=\"1001\", realm=\"" REALM "\", nonce=\"x\", "
		 "uri=\"sip:" REALM "\", response=\"00\"\r\nContent-Length: 0\r\n\r\n");
	m = fx_sip_frame(t->f, FX_PEER_IP, FX_PEER_PORT, msg);
	meta = pkt_meta(m);
	memset(meta, 0, sizeof(*meta)); /* as the source-IP owner hands it over */
	meta->src_ip = htonl(FX_PEER_IP);
	meta->src_port = htons(FX_PEER_PORT);
	meta->dst_ip = htonl(FX_OUR_IP);
	meta->dst_port = htons(FX_SIP_PORT);
	meta->in_port = t->f->port;
	meta->payload_off = off;
	meta->payload_len = (uint16_t)strlen(msg);
	meta->flags = PKT_META_F_AUTHENTICATED;
	w->cfg = b;
	assert_true(registrar_binding_live(w, htonl(FX_PEER_IP), htons(FX_PEER_PORT)));
	assert_int_equal(sip_input(w, m), VERDICT_SIP_DROP_REGISTER_ACCOUNT_GONE);
	w->cfg = t->snap;
	assert_int_equal(w->counters[COUNTER_REG_ACCOUNT_GONE], 1);
	assert_int_equal(fx_tx_discard(t->f), 0); /* nothing on the wire */
	assert_non_null(binding(t, "1001")); /* untouched; the owner's sweep removes it */
	policy_free(b->policy);
	rte_free(b);
}


/*
 * GEN-3 (REGISTER): a retransmission of an answered REGISTER (same bytes: Via branch, CSeq,
 * source) gets the same last response again, byte for byte, and is not processed a second
 * time: no second binding update (the expiry is not recounted), REG_OK stays at 1. Also for
 * a de-registration. Fails on the old code (processed twice: REG_OK 2, expiry recounted).
 */
static void
test_GEN_3_register_retransmission_same_answer(void **state)
{
	struct rfx *t = *state;
	struct worker *w = t->f->w;
	char first[sizeof(t->out)], msg[sizeof(t->last_msg)];
	uint32_t expires_at;

	register_ok(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
				     .expires = 600, .nc = 1});
	snprintf(first, sizeof(first), "%s", t->out);
	snprintf(msg, sizeof(msg), "%s", t->last_msg);
	expires_at = binding(t, "1001")->expires_at_s;
	t->now += 4; /* the client's Timer E fired a few times */
	assert_int_equal(send_raw(t, FX_PEER_IP, FX_PEER_PORT, msg), VERDICT_SIP_REGISTER_RESENT);
	assert_string_equal(t->out, first);
	assert_int_equal(send_raw(t, FX_PEER_IP, FX_PEER_PORT, msg), VERDICT_SIP_REGISTER_RESENT);
	assert_string_equal(t->out, first);
	assert_int_equal(w->counters[COUNTER_REG_OK], 1);
	assert_int_equal(w->counters[COUNTER_REG_RETRANS_RESENT], 2);
	assert_int_equal(binding(t, "1001")->expires_at_s, expires_at);
	/* A de-registration retransmitted: the same 200, counted removed once. */
	assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
					      .expires = 0, .nc = 2}),
			 VERDICT_SIP_REGISTER_OK);
	snprintf(first, sizeof(first), "%s", t->out);
	snprintf(msg, sizeof(msg), "%s", t->last_msg);
	assert_null(binding(t, "1001"));
	assert_int_equal(send_raw(t, FX_PEER_IP, FX_PEER_PORT, msg), VERDICT_SIP_REGISTER_RESENT);
	assert_string_equal(t->out, first);
	assert_int_equal(w->counters[COUNTER_REG_REMOVED], 1);
	assert_int_equal(w->counters[COUNTER_REG_REPLAY_REFUSED], 0);
}

/*
 * HARDEN-7 (issue 12 defect 7): a captured REGISTER replayed from another port of the same IP
 * within the nonce lifetime is refused (a fresh challenge, counted), whether it moves the
 * binding (a registration) or removes it (Expires: 0): the binding stays where it was.
 * @nc 0: the client sends no qop, so the nonce itself may be used once.
 */
static void
harden_7_replay(struct rfx *t, unsigned int nc)
{
	struct worker *w = t->f->w;
	char reg_msg[sizeof(t->last_msg)], dereg_msg[sizeof(t->last_msg)];
	const struct location_binding *b;

	register_ok(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
				     .expires = 600, .nc = nc});
	snprintf(reg_msg, sizeof(reg_msg), "%s", t->last_msg);
	t->now += 2;
	/* The capture replayed from another port: would move the binding there. */
	assert_int_equal(send_raw(t, FX_PEER_IP, FX_PEER_PORT + 1, reg_msg),
			 VERDICT_SIP_REGISTER_CHALLENGED);
	assert_has(t->out, "SIP/2.0 401 Unauthorized\r\n");
	b = binding(t, "1001");
	assert_non_null(b);
	assert_int_equal(b->src_port, htons(FX_PEER_PORT));
	assert_int_equal(w->counters[COUNTER_REG_REPLAY_REFUSED], 1);
	/* A de-registration the attacker captured, then the phone registers again. */
	register_ok(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
				     .expires = 0, .nc = nc, .call_id = "cid-d"});
	snprintf(dereg_msg, sizeof(dereg_msg), "%s", t->last_msg);
	assert_null(binding(t, "1001"));
	register_ok(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
				     .expires = 600, .nc = nc, .call_id = "cid-r"});
	assert_non_null(binding(t, "1001"));
	t->now += 2;
	assert_int_equal(send_raw(t, FX_PEER_IP, FX_PEER_PORT + 1, dereg_msg),
			 VERDICT_SIP_REGISTER_CHALLENGED);
	assert_non_null(binding(t, "1001")); /* not removed */
	assert_int_equal(w->counters[COUNTER_REG_REPLAY_REFUSED], 2);
	assert_int_equal(w->counters[COUNTER_REG_REMOVED], 1);
	/* The same request from the same port is a retransmission, not a replay. */
	assert_int_equal(send_raw(t, FX_PEER_IP, FX_PEER_PORT, reg_msg),
			 VERDICT_SIP_REGISTER_RESENT);
}

static void
test_HARDEN_7_register_replay_other_port_refused_qop(void **state)
{
	harden_7_replay(*state, 1);
}

static void
test_HARDEN_7_register_replay_other_port_refused_no_qop(void **state)
{
	harden_7_replay(*state, 0);
}

/*
 * HARDEN-7 with qop: the same nonce with a new nc for a new request is fine (RFC 7616
 * 3.4.5), a used nc again is a replay even from the same port.
 */
static void
test_HARDEN_7_qop_new_nc_accepted_reused_nc_refused(void **state)
{
	struct rfx *t = *state;
	char n[128];

	register_ok(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
				     .expires = 600, .nc = 1});
	snprintf(n, sizeof(n), "%s", t->nonce);
	assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
					      .expires = 600, .nc = 2, .nonce = n}),
			 VERDICT_SIP_REGISTER_OK);
	assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
					      .expires = 600, .nc = 2, .nonce = n}),
			 VERDICT_SIP_REGISTER_CHALLENGED);
	assert_int_equal(t->f->w->counters[COUNTER_REG_REPLAY_REFUSED], 1);
	assert_int_equal(t->f->w->counters[COUNTER_REG_OK], 2);
}


/* --- round-1 ids through the wire (issue 12 "Also in this issue") ------------------- */

/* One wrong answer to the challenge of a new session @cid: no credentials first, then wrong. */
static enum verdict
wrong_in_session(struct rfx *t, const char *cid, bool first)
{
	if (first)
		assert_int_equal(reg(t, (struct creq){.user = "1001", .contact = A_CONTACT,
						      .expires = 60, .call_id = cid}),
				 VERDICT_SIP_REGISTER_CHALLENGED);
	return reg(t, (struct creq){.user = "1001", .password = "bad", .contact = A_CONTACT,
				    .expires = 60, .call_id = cid, .nc = 1});
}

/* AUTH-5: RETRY = 1 -> the first wrong credentialed attempt gets the final reject (403, On). */
static void
test_AUTH_5_retry_1_first_wrong_answer_final_reject_on_wire(void **state)
{
	struct rfx *t = *state;
	struct worker *w = t->f->w;

	t->snap->params.auth_retry = 1;
	t->snap->params.register_retry = 0; /* the session budget alone */
	assert_int_equal(wrong_in_session(t, "cid-a5", true), VERDICT_SIP_REGISTER_REJECTED);
	assert_has(t->out, "SIP/2.0 403 Forbidden\r\n");
	assert_null(strstr(t->out, "WWW-Authenticate"));
	assert_int_equal(w->counters[COUNTER_REG_FAIL_WRONG], 1);
	assert_int_equal(w->counters[COUNTER_REG_FAIL_FINAL], 1);
	assert_null(binding(t, "1001"));
}

/*
 * AUTH-6: after a session ended in the final reject, a new request without credentials and a
 * new Call-ID from the (not suspended) terminal starts a new session: a new challenge, with a
 * nonce other than the last one, which the right password then answers.
 */
static void
test_AUTH_6_new_session_after_final_reject_gets_new_challenge(void **state)
{
	struct rfx *t = *state;
	struct worker *w = t->f->w;
	char first_nonce[128];

	t->snap->params.auth_retry = 1;
	t->snap->params.register_retry = 0;
	assert_int_equal(wrong_in_session(t, "cid-a6", true), VERDICT_SIP_REGISTER_REJECTED);
	snprintf(first_nonce, sizeof(first_nonce), "%s", t->nonce);
	assert_int_equal(reg(t, (struct creq){.user = "1001", .contact = A_CONTACT, .expires = 60,
					      .call_id = "cid-a6-new"}),
			 VERDICT_SIP_REGISTER_CHALLENGED);
	assert_has(t->out, "SIP/2.0 401 Unauthorized\r\n");
	assert_string_not_equal(t->nonce, first_nonce);
	assert_int_equal(w->counters[COUNTER_REG_CHALLENGES], 2);
	assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
					      .expires = 60, .call_id = "cid-a6-new", .nc = 1}),
			 VERDICT_SIP_REGISTER_OK);
	assert_non_null(binding(t, "1001"));
}

/*
 * AUTH-8: timeout 5 s, RETRY 6; wrong answers 2 s after each challenge: +2 s and +4 s get
 * challenges, +6 s the final reject (the timeout is reached before the retry count).
 */
static void
test_AUTH_8_timeout_wins_before_retry_count_on_wire(void **state)
{
	struct rfx *t = *state;
	struct worker *w = t->f->w;

	t->snap->params.auth_timeout_s = 5;
	t->snap->params.auth_retry = 6;
	t->snap->params.register_retry = 0;
	assert_int_equal(reg(t, (struct creq){.user = "1001", .contact = A_CONTACT, .expires = 60,
					      .call_id = "cid-a8"}),
			 VERDICT_SIP_REGISTER_CHALLENGED);
	t->now += 2;
	assert_int_equal(wrong_in_session(t, "cid-a8", false), VERDICT_SIP_REGISTER_CHALLENGED);
	assert_has(t->out, "SIP/2.0 401 Unauthorized\r\n");
	t->now += 2;
	assert_int_equal(wrong_in_session(t, "cid-a8", false), VERDICT_SIP_REGISTER_CHALLENGED);
	t->now += 2;
	assert_int_equal(wrong_in_session(t, "cid-a8", false), VERDICT_SIP_REGISTER_REJECTED);
	assert_has(t->out, "SIP/2.0 403 Forbidden\r\n");
	assert_int_equal(w->counters[COUNTER_REG_FAIL_FINAL], 1);
	assert_int_equal(w->counters[COUNTER_REG_CHALLENGES], 3);
}

/*
 * AUTH-12: RETRY changed from 6 to 2 while a session is in progress: that session finishes
 * under 6 (its 2nd..5th wrong answers still get challenges, the 6th the final reject); the
 * next session uses 2.
 */
static void
test_AUTH_12_retry_change_applies_to_next_session(void **state)
{
	struct rfx *t = *state;
	int i;

	t->snap->params.auth_retry = 6;
	t->snap->params.register_retry = 0;
	assert_int_equal(wrong_in_session(t, "cid-a12", true), VERDICT_SIP_REGISTER_CHALLENGED);
	t->snap->params.auth_retry = 2; /* config.apply while the session runs */
	for (i = 2; i <= 6; i++)
		assert_int_equal(wrong_in_session(t, "cid-a12", false),
				 i < 6 ? VERDICT_SIP_REGISTER_CHALLENGED
				       : VERDICT_SIP_REGISTER_REJECTED);
	assert_int_equal(wrong_in_session(t, "cid-a12-next", true),
			 VERDICT_SIP_REGISTER_CHALLENGED);
	assert_int_equal(wrong_in_session(t, "cid-a12-next", false),
			 VERDICT_SIP_REGISTER_REJECTED);
	assert_has(t->out, "SIP/2.0 403 Forbidden\r\n");
	assert_int_equal(t->f->w->counters[COUNTER_REG_FAIL_FINAL], 2);
}

/*
 * LOCK-6: 5 wrong, 1 correct, 5 wrong REGISTER digests (same source, same user) -> no
 * suspension (a success resets the count): still challenged, lockouts 0. The count is live:
 * a 6th consecutive wrong one then suspends.
 */
static void
test_LOCK_6_success_resets_count_no_suspension_on_wire(void **state)
{
	struct rfx *t = *state;
	struct worker *w = t->f->w;
	unsigned int i;

	for (i = 1; i <= 5; i++)
		assert_int_equal(wrong_register(t, "1001", FX_PEER_IP, i),
				 VERDICT_SIP_REGISTER_CHALLENGED);
	register_ok(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
				     .expires = 60, .nc = 1, .call_id = "cid-l6-ok"});
	for (i = 6; i <= 10; i++)
		assert_int_equal(wrong_register(t, "1001", FX_PEER_IP, i),
				 VERDICT_SIP_REGISTER_CHALLENGED);
	assert_has(t->out, "SIP/2.0 401 Unauthorized\r\n");
	assert_int_equal(w->counters[COUNTER_REG_LOCKOUTS], 0);
	assert_int_equal(w->counters[COUNTER_REG_FAIL_WRONG], 10);
	assert_int_equal(wrong_register(t, "1001", FX_PEER_IP, 11), VERDICT_SIP_REGISTER_REJECTED);
	assert_int_equal(w->counters[COUNTER_REG_LOCKOUTS], 1);
}

/*
 * LOCK-9: SS_AUTHENTICATION_FAILED_SUSPEND is the suspension window; 59 and 3601 are refused
 * (the error names the parameter, the value in place is kept), 60 and 3600 accepted.
 */
static void
test_LOCK_9_failed_suspend_range_60_3600(void **state)
{
	struct rfx *t = *state;
	struct sf_params p = t->snap->params;
	struct cfg_error err = {0};
	static const char *const bad[] = {"{\"SS_AUTHENTICATION_FAILED_SUSPEND\": 59}",
					  "{\"SS_AUTHENTICATION_FAILED_SUSPEND\": 3601}"};
	static const int good[] = {60, 3600, 600};
	unsigned int i;
	char doc[96];

	for (i = 0; i < RTE_DIM(bad); i++) {
		json_t *o = json_loads(bad[i], 0, NULL);

		memset(&err, 0, sizeof(err));
		assert_int_equal(param_table_merge(o, &p, &err), -EINVAL);
		assert_non_null(strstr(err.path, "SS_AUTHENTICATION_FAILED_SUSPEND"));
		assert_int_equal(p.auth_failed_suspend_s, t->snap->params.auth_failed_suspend_s);
		json_decref(o);
	}
	for (i = 0; i < RTE_DIM(good); i++) {
		json_t *o;

		snprintf(doc, sizeof(doc), "{\"SS_AUTHENTICATION_FAILED_SUSPEND\": %d}", good[i]);
		o = json_loads(doc, 0, NULL);
		assert_int_equal(param_table_merge(o, &p, &err), 0);
		assert_int_equal(p.auth_failed_suspend_s, (uint32_t)good[i]);
		json_decref(o);
	}
}

/* REG-5: a refresh from the same contact before expiry -> 200; the expiry counts from it. */
static void
test_REG_5_refresh_before_expiry_recounts(void **state)
{
	struct rfx *t = *state;
	struct worker *w = t->f->w;

	register_ok(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
				     .expires = 100, .nc = 1});
	t->now += 60;
	register_ok(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
				     .expires = 100, .nc = 1, .call_id = "cid-r5"});
	assert_has(t->out, "Contact: <" A_CONTACT ">;expires=100\r\n");
	assert_int_equal(binding(t, "1001")->expires_at_s, t->now + 100);
	assert_int_equal(location_count(w->reg->loc), 1);
	assert_int_equal(w->counters[COUNTER_REG_OK], 2);
	t->now += 99; /* 159 s after the first REGISTER: alive only through the refresh */
	assert_non_null(binding(t, "1001"));
}

/* REG-7: authenticated Expires: 0 -> 200 OK without Contact, the binding deleted at once. */
static void
test_REG_7_expires_0_deletes_binding_at_once(void **state)
{
	struct rfx *t = *state;
	struct worker *w = t->f->w;

	register_ok(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
				     .expires = 600, .nc = 1});
	assert_true(registrar_binding_live(w, htonl(FX_PEER_IP), htons(FX_PEER_PORT)));
	assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
					      .expires = 0, .nc = 2}),
			 VERDICT_SIP_REGISTER_OK);
	assert_has(t->out, "SIP/2.0 200 OK\r\n");
	assert_null(strstr(t->out, "Contact:"));
	assert_null(binding(t, "1001"));
	assert_int_equal(location_count(w->reg->loc), 0);
	assert_false(registrar_binding_live(w, htonl(FX_PEER_IP), htons(FX_PEER_PORT)));
	assert_int_equal(w->counters[COUNTER_REG_REMOVED], 1);
}

/* REG-8: Contact: * with Expires: 0 -> all of U's bindings removed, 200 OK; '*' otherwise 400. */
static void
test_REG_8_star_expires_0_removes_all(void **state)
{
	struct rfx *t = *state;
	struct worker *w = t->f->w;

	register_ok(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
				     .expires = 600, .nc = 1});
	register_ok(t, (struct creq){.user = "1002", .password = "secret",
				     .contact = "sip:1002@10.99.0.7:40000", .expires = 600, .nc = 1,
				     .call_id = "cid-r8b"});
	assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "pw", .contact = "*",
					      .expires = 600, .nc = 2}),
			 VERDICT_SIP_REGISTER_REFUSED);
	assert_has(t->out, "SIP/2.0 400 Bad Request\r\n");
	assert_non_null(binding(t, "1001"));
	assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "pw", .contact = "*",
					      .expires = 0, .nc = 3}),
			 VERDICT_SIP_REGISTER_OK);
	assert_has(t->out, "SIP/2.0 200 OK\r\n");
	assert_null(strstr(t->out, "Contact:"));
	assert_null(binding(t, "1001"));
	assert_non_null(binding(t, "1002")); /* another user's binding stays */
	assert_int_equal(w->counters[COUNTER_REG_REMOVED], 1);
}

/*
 * REG-10: REPLACE Off; U bound at A (unexpired); an authenticated REGISTER from B -> 403,
 * binding still A; once A has expired, B's REGISTER -> 200.
 */
static void
test_REG_10_replace_off_403_until_a_expires(void **state)
{
	struct rfx *t = *state;
	struct worker *w = t->f->w;

	t->snap->params.register_replace = false;
	register_ok(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
				     .expires = 60, .nc = 1});
	assert_int_equal(reg(t, (struct creq){.user = "1001", .src = IP_B,
					      .contact = "sip:1001@10.99.0.8:40000", .expires = 600,
					      .call_id = "cid-b"}),
			 VERDICT_SIP_REGISTER_CHALLENGED);
	assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "pw", .src = IP_B,
					      .contact = "sip:1001@10.99.0.8:40000", .expires = 600,
					      .nc = 1, .call_id = "cid-b"}),
			 VERDICT_SIP_REGISTER_REJECTED);
	assert_has(t->out, "SIP/2.0 403 Forbidden\r\n");
	assert_int_equal(binding(t, "1001")->src_ip, htonl(FX_PEER_IP));
	assert_int_equal(w->counters[COUNTER_REG_REPLACE_REFUSED], 1);
	t->now += 60; /* A expired (not yet swept) */
	register_ok(t, (struct creq){.user = "1001", .password = "pw", .src = IP_B,
				     .contact = "sip:1001@10.99.0.8:40000", .expires = 600, .nc = 1,
				     .call_id = "cid-b2"});
	assert_has(t->out, "Contact: <sip:1001@10.99.0.8:40000>;expires=600\r\n");
	assert_int_equal(binding(t, "1001")->src_ip, htonl(IP_B));
}

/*
 * AUTH-7 (REGISTER round): SS_SIP_AUTHENTICATION_TIMEOUT = 10; challenged at t0, the correct
 * answer (same Call-ID) at t0 + 9 s binds; in another session the correct answer at t0 + 11 s is
 * finally rejected (silent here: reply_unauthorized off is not needed, On gives the 403), not
 * re-challenged with stale=true, and binds nothing.
 */
static void
test_AUTH_7_correct_answer_after_timeout_final_reject(void **state)
{
	struct rfx *t = *state;
	struct worker *w = t->f->w;

	t->snap->params.auth_timeout_s = 10;
	assert_int_equal(reg(t, (struct creq){.user = "1001", .contact = A_CONTACT, .expires = 60,
					      .call_id = "cid-in-time"}),
			 VERDICT_SIP_REGISTER_CHALLENGED);
	t->now += 9;
	assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
					      .expires = 60, .nc = 1, .call_id = "cid-in-time"}),
			 VERDICT_SIP_REGISTER_OK);
	assert_has(t->out, "SIP/2.0 200 OK\r\n");
	assert_int_equal(reg(t, (struct creq){.user = "1002", .contact = "sip:1002@10.99.0.7:40000",
					      .expires = 60, .call_id = "cid-too-late"}),
			 VERDICT_SIP_REGISTER_CHALLENGED);
	t->now += 11;
	assert_int_equal(reg(t, (struct creq){.user = "1002", .password = "secret",
					      .contact = "sip:1002@10.99.0.7:40000", .expires = 60,
					      .nc = 1, .call_id = "cid-too-late"}),
			 VERDICT_SIP_REGISTER_REJECTED);
	assert_has(t->out, "SIP/2.0 403 Forbidden\r\n");
	assert_null(strstr(t->out, "stale=true"));
	assert_null(binding(t, "1002"));
	assert_int_equal(w->counters[COUNTER_REG_FAIL_FINAL], 1);
	assert_int_equal(w->counters[COUNTER_REG_STALE_CHALLENGES], 0);
}

/*
 * AUTH-8: timeout 5 s, RETRY 6; wrong answers at +2 s and +4 s (each over the nonce of the
 * challenge before it) get challenges; the answer at +6 s gets the final reject although the
 * retry budget is far from spent - even a correct one: the session timed out (I-5).
 */
static void
test_AUTH_8_session_timeout_wins_before_retry_count(void **state)
{
	struct rfx *t = *state;
	struct worker *w = t->f->w;

	t->snap->params.auth_timeout_s = 5;
	t->snap->params.auth_retry = 6;
	t->snap->params.register_retry = 0; /* isolate the session limits */
	assert_int_equal(reg(t, (struct creq){.user = "1001", .contact = A_CONTACT, .expires = 60}),
			 VERDICT_SIP_REGISTER_CHALLENGED);
	t->now += 2;
	assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "bad",
					      .contact = A_CONTACT, .expires = 60, .nc = 1}),
			 VERDICT_SIP_REGISTER_CHALLENGED);
	assert_has(t->out, "SIP/2.0 401 Unauthorized\r\n");
	t->now += 2;
	assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "bad",
					      .contact = A_CONTACT, .expires = 60, .nc = 1}),
			 VERDICT_SIP_REGISTER_CHALLENGED);
	assert_has(t->out, "SIP/2.0 401 Unauthorized\r\n");
	t->now += 2; /* +6 s from the first challenge; the last nonce is 2 s old */
	assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "pw",
					      .contact = A_CONTACT, .expires = 60, .nc = 1}),
			 VERDICT_SIP_REGISTER_REJECTED);
	assert_has(t->out, "SIP/2.0 403 Forbidden\r\n");
	assert_null(binding(t, "1001"));
	assert_int_equal(w->counters[COUNTER_REG_FAIL_FINAL], 1);
}

/*
 * UNAUTH-1 / I-2: an unknown name is challenged exactly like a configured account: the same
 * header lines, MD5 and SHA-256 both offered, so the reply reveals nothing.
 */
static void
test_UNAUTH_1_I_2_unknown_user_offered_md5_and_sha256_like_an_account(void **state)
{
	struct rfx *t = *state;
	char known[sizeof(t->out)];
	const char *a, *b;

	assert_int_equal(reg(t, (struct creq){.user = "1001", .contact = A_CONTACT, .expires = 60}),
			 VERDICT_SIP_REGISTER_CHALLENGED);
	snprintf(known, sizeof(known), "%s", t->out);
	assert_int_equal(reg(t, (struct creq){.user = "9999", .contact = "sip:9999@10.99.0.7:40000",
					      .expires = 60}),
			 VERDICT_SIP_CHALLENGED_UNKNOWN);
	assert_has(t->out, "SIP/2.0 401 Unauthorized\r\n");
	assert_has(t->out, "algorithm=MD5");
	assert_has(t->out, "algorithm=SHA-256");
	/* the same number of challenge lines as for the account */
	for (a = known, b = t->out; ; a += 17, b += 17) {
		a = strstr(a, "WWW-Authenticate:");
		b = strstr(b, "WWW-Authenticate:");
		assert_true((a == NULL) == (b == NULL));
		if (a == NULL)
			break;
	}
}

/* I-8: NAT when the source IP *or* port differs from the Contact: same IP, other port -> NAT. */
static void
test_REG_3_I_8_nat_when_only_the_port_differs(void **state)
{
	struct rfx *t = *state;
	const struct location_binding *b;

	register_ok(t, (struct creq){.user = "1001", .password = "pw",
				     .contact = "sip:1001@10.99.0.7:5060", .expires = 3600, .nc = 1});
	assert_has(t->out, "Contact: <sip:1001@10.99.0.7:5060>;expires=300\r\n");
	b = binding(t, "1001");
	assert_non_null(b);
	assert_true(b->nat);
}

/*
 * config/README accounts[].params: per-account overrides win over the globals for that account
 * only: 1001 with SS_ENDPOINT_EXPIRE 600 is capped at 600, 1002 keeps the global 3600.
 */
static void
test_REG_per_account_params_override_the_globals(void **state)
{
	struct rfx *t = *state;
	struct policy *old = t->snap->policy;
	struct cfg_error err = {0};
	json_t *doc;

	doc = json_loads("{\"accounts\": [{\"user\": \"1001\", \"password\": \"pw\", "
			 "\"params\": {\"SS_ENDPOINT_EXPIRE\": 600}}, "
			 "{\"user\": \"1002\", \"password\": \"secret\"}]}", 0, NULL);
	assert_non_null(doc);
	assert_int_equal(cfg_policy_parse(doc, t->snap, &err), 0);
	json_decref(doc);
	policy_free(old);
	register_ok(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
				     .expires = 7200, .nc = 1});
	assert_has(t->out, "Contact: <" A_CONTACT ">;expires=600\r\n");
	register_ok(t, (struct creq){.user = "1002", .password = "secret", .src = IP_B,
				     .contact = "sip:1002@10.99.0.8:40000", .expires = 7200, .nc = 1,
				     .call_id = "cid-2"});
	assert_has(t->out, "Contact: <sip:1002@10.99.0.8:40000>;expires=3600\r\n");
}

/*
 * KA-3 on production's NAT detection: 1001 registers from FX_PEER_IP:40000 with a Contact of
 * another address (NAT, reg_is_nat), 1002 from IP_B:40000 with its own address as Contact
 * (not NAT). Over two keep-alive periods only 1001's address gets keep-alives; IP_B none.
 */
static void
test_KA_3_only_registrar_detected_nat_binding_gets_keepalives(void **state)
{
	struct rfx *t = *state;
	struct worker *w = t->f->w;
	struct sf_params *p = &t->snap->params;
	uint64_t ms, hz_ms = RTE_MAX(rte_get_tsc_hz() / 1000, (uint64_t)1);
	unsigned int to_nat = 0, to_other = 0, i, n;
	struct ka_worker_report r;
	struct rte_mbuf *out[8];

	assert_int_equal(ka_worker_init(w, location_capacity(w->reg->loc)), 0);
	assert_true(neigh_learn(t->f->neigh, htonl(FX_PEER_IP), &t->f->peer_mac));
	assert_true(neigh_learn(t->f->neigh, htonl(IP_B), &t->f->peer_mac));
	memcpy(p->ka_message, "KA", 2);
	p->ka_message_len = 2;
	p->ka_period_s = 10;
	p->ka_send_interval_ms = 500;
	p->ka_send_one_time = 10;
	ka_worker_configure(w);
	register_ok(t, (struct creq){.user = "1001", .password = "pw",
				     .contact = "sip:1001@192.168.1.10:5060", .expires = 3600,
				     .nc = 1});
	assert_true(binding(t, "1001")->nat);
	register_ok(t, (struct creq){.user = "1002", .password = "secret", .src = IP_B,
				     .contact = "sip:1002@10.99.0.8:40000", .expires = 3600, .nc = 1,
				     .call_id = "cid-2"});
	assert_false(binding(t, "1002")->nat);
	for (ms = 0; ms < 20000; ms += 250) {
		ka_worker_poll(w, ms * hz_ms);
		n = fx_tx(t->f, out, RTE_DIM(out));
		for (i = 0; i < n; i++) {
			struct rte_ipv4_hdr ip;

			fx_read(out[i], sizeof(struct rte_ether_hdr), sizeof(ip), &ip);
			if (ip.dst_addr == htonl(FX_PEER_IP))
				to_nat++;
			else
				to_other++;
			rte_pktmbuf_free(out[i]);
		}
	}
	assert_int_equal(to_nat, 2); /* one per 10 s cycle (KA-12) */
	assert_int_equal(to_other, 0);
	ka_worker_report(w, &r);
	assert_int_equal(r.bindings, 1); /* the non-NAT binding never entered the schedule */
	assert_int_equal(r.skipped, 0);
	ka_worker_fini(w);
}

/* REG-8 / RFC 3261 10.3 step 6: "Contact: *" only with Expires: 0; with 60 -> 400, kept. */
static void
test_REG_8_star_contact_needs_expires_0(void **state)
{
	struct rfx *t = *state;

	register_ok(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
				     .expires = 600, .nc = 1});
	assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "pw", .contact = "*",
					      .expires = 60, .nc = 2}),
			 VERDICT_SIP_REGISTER_REFUSED);
	assert_has(t->out, "SIP/2.0 400 Bad Request\r\n");
	assert_non_null(binding(t, "1001"));
	assert_int_equal(t->f->w->counters[COUNTER_REG_FAIL_MALFORMED], 1);
}

/* A digest computed for another URI than the request's is refused: no binding, counted. */
static void
test_AUTH_digest_for_another_uri_refused(void **state)
{
	struct rfx *t = *state;

	assert_int_equal(reg(t, (struct creq){.user = "1001", .contact = A_CONTACT, .expires = 60}),
			 VERDICT_SIP_REGISTER_CHALLENGED);
	assert_int_equal(reg(t, (struct creq){.user = "1001", .password = "pw", .contact = A_CONTACT,
					      .expires = 60, .nc = 1,
					      .digest_uri = "sip:elsewhere.test"}),
			 VERDICT_SIP_REGISTER_REJECTED);
	assert_has(t->out, "SIP/2.0 403 Forbidden\r\n");
	assert_null(binding(t, "1001"));
	assert_int_equal(t->f->w->counters[COUNTER_REG_FAIL_MALFORMED], 1);
	assert_int_equal(t->f->w->counters[COUNTER_REG_OK], 0);
}

#define REG_TEST(fn) cmocka_unit_test_setup_teardown(fn, rfx_setup, rfx_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		REG_TEST(test_AUTH_1_REG_1_challenge_then_200_capped),
		REG_TEST(test_AUTH_3_sha256_digest_accepted),
		REG_TEST(test_AUTH_2_proxy_mode_407_and_authorization_ignored),
		REG_TEST(test_REG_3_nat_capped_at_nat_expire),
		REG_TEST(test_REG_5_REG_6_refresh_recounts_then_expires),
		REG_TEST(test_REG_6_binding_expires_on_the_wheel_at_its_tick),
		REG_TEST(test_REG_7_unregister_stops_binding_timer),
		REG_TEST(test_REG_6_binding_tick_on_the_tsc_is_exact),
		REG_TEST(test_REG_7_REG_8_deregistration),
		REG_TEST(test_REG_two_accounts_one_address_deregister_one_source_still_known),
		REG_TEST(test_REG_423_interval_too_brief),
		REG_TEST(test_REG_9_replace_on_kicks_old_binding),
		REG_TEST(test_REG_10_REG_11_replace_off),
		REG_TEST(test_LOCK_7_LOCK_2_wrong_register_digests_lock_out),
		REG_TEST(test_AUTH_4_UNAUTH_10_retry_budget_silent_when_off),
		REG_TEST(test_AUTH_9_old_nonce_new_session_gets_stale),
		REG_TEST(test_AUTH_4_configured_account_wrong_password_rechallenged_fresh_nonce),
		REG_TEST(test_UNAUTH_2_credentials_for_unknown_user_403_no_binding),
		REG_TEST(test_REG_2_REG_4_below_cap_honoured_missing_expires_gets_cap),
		REG_TEST(test_REG_12_nat_expire_change_applies_at_next_register),
		REG_TEST(test_LOCK_11_suspension_keeps_existing_binding_until_expiry),
		REG_TEST(test_REG_account_removed_drops_binding),
		REG_TEST(test_REG_contact_too_long_refused_counted),
		REG_TEST(test_AUTH_nonce_key_rotation_reaches_the_worker),
		REG_TEST(test_AUTH_challenge_after_two_rotations_carries_current_key),
		REG_TEST(test_AUTH_invite_verified_through_auth_api_with_its_own_lockout_pair),
		REG_TEST(test_AUTH_ha1_precomputed_per_realm),
		REG_TEST(test_REG_expiry_jitter_off_by_default_spreads_grants_when_on),
		REG_TEST(test_LOCK_ip_ceiling_username_rotation_refuses_whole_ip),
		REG_TEST(test_LOCK_ip_ceiling_off_by_default_username_rotation_not_refused),
		REG_TEST(test_REG_binding_live_skips_empty_shards_asks_the_others),
		REG_TEST(test_REG_binding_live_every_shard_bound_filters_find_the_binding),
		REG_TEST(test_HARDEN_2_authenticated_register_account_gone_dropped_counted),
		REG_TEST(test_GEN_3_register_retransmission_same_answer),
		REG_TEST(test_HARDEN_7_register_replay_other_port_refused_qop),
		REG_TEST(test_HARDEN_7_register_replay_other_port_refused_no_qop),
		REG_TEST(test_HARDEN_7_qop_new_nc_accepted_reused_nc_refused),
		REG_TEST(test_AUTH_5_retry_1_first_wrong_answer_final_reject_on_wire),
		REG_TEST(test_AUTH_6_new_session_after_final_reject_gets_new_challenge),
		REG_TEST(test_AUTH_8_timeout_wins_before_retry_count_on_wire),
		REG_TEST(test_AUTH_12_retry_change_applies_to_next_session),
		REG_TEST(test_LOCK_6_success_resets_count_no_suspension_on_wire),
		REG_TEST(test_LOCK_9_failed_suspend_range_60_3600),
		REG_TEST(test_REG_5_refresh_before_expiry_recounts),
		REG_TEST(test_REG_7_expires_0_deletes_binding_at_once),
		REG_TEST(test_REG_8_star_expires_0_removes_all),
		REG_TEST(test_REG_10_replace_off_403_until_a_expires),
		REG_TEST(test_AUTH_7_correct_answer_after_timeout_final_reject),
		REG_TEST(test_AUTH_8_session_timeout_wins_before_retry_count),
		REG_TEST(test_UNAUTH_1_I_2_unknown_user_offered_md5_and_sha256_like_an_account),
		REG_TEST(test_REG_3_I_8_nat_when_only_the_port_differs),
		REG_TEST(test_REG_per_account_params_override_the_globals),
		REG_TEST(test_KA_3_only_registrar_detected_nat_binding_gets_keepalives),
		REG_TEST(test_REG_8_star_contact_needs_expires_0),
		REG_TEST(test_AUTH_digest_for_another_uri_refused),
	};

	if (fx_eal_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
