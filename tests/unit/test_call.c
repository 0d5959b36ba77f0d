/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The call engine (issue 13) through a net_ring port: INVITEs in from a gateway and from a
 * phone (real digests), every message on both legs asserted as it goes over the wire, time on
 * an injected clock (auth's seconds, the wheel's ms). One worker; the owner rules are the
 * token's and hash(Call-ID)'s, both worker 0 here.
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

#include "ctrlplane/cfg_policy.h"
#include "ctrlplane/param_table.h"
#include "dataplane/auth/auth.h"
#include "dataplane/auth/digest.h"
#include "dataplane/call/call.h"
#include "dataplane/call/call_ctl.h"
#include "dataplane/call/call_impl.h"
#include "dataplane/loop.h"
#include "dataplane/net/neigh.h"
#include "dataplane/pkt_meta.h"
#include "dataplane/policy/policy.h"
#include "dataplane/registrar/location.h"
#include "dataplane/registrar/registrar.h"
#include "dataplane/sip/token.h"
#include "dataplane/sip_input.h"
#include "dataplane/steer.h"
#include "dataplane/timer/timer_wheel.h"
#include "dataplane/txn/txn.h"
#include "dataplane/worker.h"
#include "tests/unit/eal_fixture.h"

#define REALM "sipfast.test"
#define OUR "10.99.0.1"
#define GW1 RTE_IPV4(10u, 99, 0, 20)
#define GW2 RTE_IPV4(10u, 99, 0, 21)
#define GW3 RTE_IPV4(10u, 99, 0, 22)
#define PH1 RTE_IPV4(10u, 99, 0, 31) /* phone 1001 */
#define PH2 RTE_IPV4(10u, 99, 0, 32) /* phone 1002's observed (NAT) source */
#define PH2_PORT 40002
#define OTHER RTE_IPV4(10u, 99, 0, 40)
#define CAPACITY 16u

#define POLICY_DOC                                                                          \
	"{\"accounts\": [{\"user\": \"1001\", \"password\": \"pw1\"},"                        \
	" {\"user\": \"1002\", \"password\": \"pw2\"}, {\"user\": \"1003\", \"password\": \"pw3\"}]," \
	" \"gateways\": [{\"name\": \"gw1\", \"address\": \"10.99.0.20\", \"prefixes\": [\"9\"], " \
	"\"priority\": 5}, {\"name\": \"gw2\", \"address\": \"10.99.0.21\", \"prefixes\": [\"90\"], " \
	"\"priority\": 9}, {\"name\": \"gw3\", \"address\": \"10.99.0.22\", \"prefixes\": [\"9\", \"8\"], " \
	"\"priority\": 1, \"invite_timeout\": 5}]}"

#define SDP "v=0\r\no=- 1 1 IN IP4 10.99.0.20\r\ns=-\r\nc=IN IP4 10.99.0.20\r\nt=0 0\r\n" \
	    "m=audio 4000 RTP/AVP 0\r\n"

#define N_W 2

struct cfx {
	struct fx *f;          /* fs[0]: where frames arrive */
	struct fx *fs[N_W];
	struct worker *ws[N_W];
	uint16_t n;            /* workers */
	struct snapshot *snap;
	struct rte_rcu_qsbr *qs;
	struct registrar_shared *sh;
	struct auth_shared *ash;
	struct digest_ctx *dctx;
	uint64_t ms;       /* the injected clock, ms (auth sees ms / 1000) */
	char nonce[128];
};

struct out_msg {
	uint32_t dst;      /* host order */
	uint16_t dport;    /* host order */
	char text[4096];
};

static uint32_t
test_clock(void *arg)
{
	return (uint32_t)(((struct cfx *)arg)->ms / 1000);
}

static void
pin(struct cfx *t, uint32_t ip)
{
	struct rte_ether_addr mac;

	fx_mac(&mac, (uint16_t)(ip & 0xffff));
	neigh_pin(t->f->neigh, fx_be32(ip), &mac);
}

static int
cfx_setup_n(void **state, uint16_t n)
{
	struct cfx *tp = calloc(1, sizeof(*tp));
	size_t qsz = rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE);
	uint16_t i;

	if (tp == NULL)
		return -1;
	*state = tp;
	tp->n = n;
	tp->ms = 100000000;
	tp->qs = rte_zmalloc(NULL, qsz, RTE_CACHE_LINE_SIZE);
	if (tp->qs == NULL || rte_rcu_qsbr_init(tp->qs, RTE_MAX_LCORE) != 0)
		return -1;
	tp->ash = auth_shared_create();
	tp->sh = registrar_shared_create(n);
	if (tp->ash == NULL || tp->sh == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		struct cfg_error err = {0};
		struct snapshot *snap;
		struct worker *w;
		json_t *doc;

		tp->fs[i] = fx_create(i, n, FX_FRAG_TIMEOUT_MS);
		if (tp->fs[i] == NULL)
			return -1;
		w = tp->ws[i] = tp->fs[i]->w;
		snap = tp->fs[i]->snap;
		param_table_defaults(&snap->params);
		snprintf(snap->domain, sizeof(snap->domain), REALM);
		doc = json_loads(POLICY_DOC, 0, NULL);
		if (doc == NULL || cfg_policy_parse(doc, snap, &err) != 0) {
			print_error("policy: %s %s\n", err.path, err.msg);
			return -1;
		}
		json_decref(doc);
		w->qsbr = tp->qs;
		tw_init(&w->wheel, tp->ms);
		/* the transaction layer as txn_module sets it up: the call layer is its user */
		w->txn = txn_worker_create(2 * CAPACITY, 0x5eedu + i, SOCKET_ID_ANY);
		if (w->txn == NULL || tw_set_handler(&w->wheel, TW_KIND_TXN, txn_timer_fired, w) != 0)
			return -1;
		if (auth_worker_init(w, tp->ash) != 0 || registrar_worker_init(w, tp->sh, 64) != 0 ||
		    call_worker_init(w, CAPACITY, true) != 0)
			return -1;
		w->auth->clock = test_clock;
		w->auth->clock_arg = tp;
		tp->f = tp->fs[i];
		pin(tp, GW1);
		pin(tp, GW2);
		pin(tp, GW3);
		pin(tp, PH1);
		pin(tp, PH2);
		pin(tp, OTHER);
	}
	tp->f = tp->fs[0];
	tp->snap = tp->f->snap;
	if (n > 1 && steer_create(tp->ws, n, sip_resume) != 0)
		return -1;
	tp->dctx = digest_ctx_create();
	return tp->dctx != NULL ? 0 : -1;
}

static int
cfx_setup(void **state)
{
	return cfx_setup_n(state, 1);
}

static int
cfx_setup2(void **state)
{
	return cfx_setup_n(state, 2);
}

static int
cfx_teardown(void **state)
{
	struct cfx *t = *state;
	uint16_t i;

	if (t->n > 1)
		steer_destroy(t->ws, t->n);
	for (i = 0; i < t->n; i++) {
		call_worker_fini(t->ws[i]);
		txn_worker_free(t->ws[i]->txn);
		t->ws[i]->txn = NULL;
		registrar_worker_fini(t->ws[i]);
		auth_worker_fini(t->ws[i]);
		fx_assert_no_leak(t->fs[i]);
		policy_free(t->fs[i]->snap->policy);
		t->fs[i]->snap->policy = NULL;
		fx_destroy(t->fs[i]);
	}
	registrar_shared_destroy(t->sh);
	auth_shared_destroy(t->ash);
	rte_free(t->qs);
	digest_ctx_destroy(t->dctx);
	free(t);
	return 0;
}

/* --- helpers ---------------------------------------------------------------------------- */

static void
advance(struct cfx *t, uint64_t ms)
{
	uint64_t end = t->ms + ms;

	uint16_t i;

	while (t->ms < end) { /* tick by tick, as the loop polls */
		t->ms++;
		for (i = 0; i < t->n; i++)
			tw_poll(&t->ws[i]->wheel, t->ms, UINT32_MAX);
	}
}

/* Hand-offs between workers until none is left (the loops' steer_drain()). */
static void
drain(struct cfx *t)
{
	unsigned int moved;
	uint16_t i;

	if (t->n < 2)
		return;
	do {
		moved = 0;
		for (i = 0; i < t->n; i++)
			moved += steer_drain(t->ws[i]);
	} while (moved != 0);
}

/* A frame received by worker 0; with two workers, the verdict of its last stage. */
static enum verdict
rx(struct cfx *t, uint32_t src, uint16_t sport, const char *text)
{
	uint64_t before[VERDICT_MAX];
	enum verdict v = fx_rx(t->f, fx_sip_frame(t->f, src, sport, text));
	unsigned int k;
	uint16_t i;

	if (t->n < 2 || v != VERDICT_STEERED)
		return v;
	memset(before, 0, sizeof(before));
	for (i = 0; i < t->n; i++)
		for (k = 0; k < VERDICT_MAX; k++)
			before[k] += t->ws[i]->verdicts[k];
	drain(t);
	for (k = 0; k < VERDICT_MAX; k++) {
		uint64_t now = 0;

		for (i = 0; i < t->n; i++)
			now += t->ws[i]->verdicts[k];
		if (k != VERDICT_STEERED && now != before[k])
			return (enum verdict)k;
	}
	return VERDICT_STEERED;
}

/* Every frame sent since the last call, into @out (up to @max). */
static unsigned int
take(struct cfx *t, struct out_msg *out, unsigned int max)
{
	struct rte_mbuf *m[16];
	unsigned int n = 0, i;
	uint16_t wi;

	for (wi = 0; wi < t->n; wi++)
		n += fx_tx(t->fs[wi], m + n, RTE_DIM(m) - n);

	for (i = 0; i < n; i++) {
		struct rte_ipv4_hdr ip;
		struct rte_udp_hdr udp;
		uint32_t off = sizeof(struct rte_ether_hdr), len;

		fx_read(m[i], off, sizeof(ip), &ip);
		fx_read(m[i], off + sizeof(ip), sizeof(udp), &udp);
		len = rte_be_to_cpu_16(udp.dgram_len) - (uint32_t)sizeof(udp);
		if (i < max) {
			out[i].dst = rte_be_to_cpu_32(ip.dst_addr);
			out[i].dport = rte_be_to_cpu_16(udp.dst_port);
			assert_true(len < sizeof(out[i].text));
			fx_read(m[i], off + sizeof(ip) + sizeof(udp), len, out[i].text);
			out[i].text[len] = '\0';
		}
		rte_pktmbuf_free(m[i]);
	}
	return n;
}

static void
assert_has(const char *msg, const char *needle)
{
	if (strstr(msg, needle) == NULL)
		print_error("missing \"%s\" in:\n%s\n", needle, msg);
	assert_non_null(strstr(msg, needle));
}

static void
assert_lacks(const char *msg, const char *needle)
{
	if (strstr(msg, needle) != NULL)
		print_error("unexpected \"%s\" in:\n%s\n", needle, msg);
	assert_null(strstr(msg, needle));
}

/* The value of header @name (e.g. "Via") of @msg into @out. */
static void
hdr(const char *msg, const char *name, char *out, size_t cap)
{
	char key[64];
	const char *p, *e;

	snprintf(key, sizeof(key), "\r\n%s: ", name);
	p = strstr(msg, key);
	if (p == NULL)
		print_error("no %s in:\n%s\n", name, msg);
	assert_non_null(p);
	p += strlen(key);
	e = strstr(p, "\r\n");
	assert_non_null(e);
	snprintf(out, cap, "%.*s", (int)(e - p), p);
}

/* A response from a UA to request @req: its Via, From, Call-ID, CSeq; To with @tag. */
static void
resp_to(const char *req, int code, const char *reason, const char *tag, const char *extra,
	const char *body, char *out, size_t cap)
{
	char via[256], from[256], to[256], cid[128], cseq[64];

	hdr(req, "Via", via, sizeof(via));
	hdr(req, "From", from, sizeof(from));
	hdr(req, "To", to, sizeof(to));
	hdr(req, "Call-ID", cid, sizeof(cid));
	hdr(req, "CSeq", cseq, sizeof(cseq));
	snprintf(out, cap,
		 "SIP/2.0 %d %s\r\nVia: %s\r\nFrom: %s\r\nTo: %s%s%s\r\nCall-ID: %s\r\n"
		 "CSeq: %s\r\n%s%sContent-Length: %zu\r\n\r\n%s",
		 code, reason, via, from, to, tag != NULL && strstr(to, ";tag=") == NULL ? ";tag=" : "",
		 tag != NULL && strstr(to, ";tag=") == NULL ? tag : "", cid, cseq,
		 extra != NULL ? extra : "",
		 body != NULL ? "Content-Type: application/sdp\r\n" : "",
		 body != NULL ? strlen(body) : 0, body != NULL ? body : "");
}

/* An in-dialog request from the UA that received @resp_or_req's dialog. */
static void
in_dialog(const char *method, const char *ruri, const char *from, const char *to,
	  const char *cid, unsigned int cseq, const char *via_host, char *out, size_t cap)
{
	snprintf(out, cap,
		 "%s %s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK-%s-%u\r\nMax-Forwards: 70\r\n"
		 "From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %u %s\r\nContent-Length: 0\r\n\r\n",
		 method, ruri, via_host, method, cseq, from, to, cid, cseq, method);
}

/* An INVITE from a gateway (port 5060) for @user. */
static void
gw_invite(const char *user, const char *cid, const char *gw_ip, char *out, size_t cap)
{
	snprintf(out, cap,
		 "INVITE sip:%s@" OUR " SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP %s:5060;branch=z9hG4bK-gw-%s;rport\r\n"
		 "Max-Forwards: 70\r\n"
		 "From: \"Carrier\" <sip:5551234@%s>;tag=gwtag-%s\r\n"
		 "To: <sip:%s@" OUR ">\r\n"
		 "Call-ID: %s\r\n"
		 "CSeq: 10 INVITE\r\n"
		 "Contact: <sip:5551234@%s:5060>\r\n"
		 "Content-Type: application/sdp\r\n"
		 "Content-Length: %zu\r\n\r\n" SDP,
		 user, gw_ip, cid, gw_ip, cid, user, cid, gw_ip, strlen(SDP));
}

static uint16_t
aor_owner(struct cfx *t, const char *user)
{
	return steer_owner(location_aor_hash((struct sf_span){(const uint8_t *)user,
							      (uint16_t)strlen(user)}), t->n);
}

/* Phone 1002 registered: its binding from PH2:PH2_PORT with a private Contact (REG-13). */
static void
bind_1002(struct cfx *t)
{
	struct location_binding b;

	memset(&b, 0, sizeof(b));
	assert_int_equal(location_binding_set_text(&b, (struct sf_span){(const uint8_t *)"1002", 4},
						   (struct sf_span){(const uint8_t *)"sip:1002@192.168.1.50:5062", 26}), 0);
	b.src_ip = fx_be32(PH2);
	b.src_port = rte_cpu_to_be_16(PH2_PORT);
	b.local_ip = fx_be32(FX_OUR_IP);
	b.local_port = rte_cpu_to_be_16(FX_SIP_PORT);
	b.in_port = t->f->port;
	b.nat = true;
	b.granted_s = 3600;
	b.expires_at_s = test_clock(t) + 3600;
	assert_int_equal(location_put(t->ws[aor_owner(t, "1002")]->reg->loc, &b), 0);
}

static void
unbind_1002(struct cfx *t)
{
	location_remove(t->ws[aor_owner(t, "1002")]->reg->loc,
			(struct sf_span){(const uint8_t *)"1002", 4});
}

static uint64_t
ctr(struct cfx *t, enum counter c)
{
	uint64_t sum = 0;
	uint16_t i;

	for (i = 0; i < t->n; i++)
		sum += t->ws[i]->counters[c];
	return sum;
}

/* The tag of header value @v ("...;tag=x"). */
static void
tag_of(const char *v, char *out, size_t cap)
{
	const char *p = strstr(v, ";tag=");

	assert_non_null(p);
	p += 5;
	snprintf(out, cap, "%.*s", (int)strcspn(p, ";\r\n"), p);
}

/* A token of ours in @s: decoded, owner 0, sub @sub. */
static void
assert_token(const char *s, uint8_t sub, struct sip_token *tok)
{
	struct sip_token t;

	assert_true(sip_token_read((struct sf_span){(const uint8_t *)s, (uint16_t)strlen(s)}, &t));
	assert_true(t.owner < N_W);
	assert_int_equal(t.sub, sub);
	assert_int_equal(t.entropy, 0); /* bench tokens in this fixture */
	if (tok != NULL)
		*tok = t;
}

/* The branch of a Via value. */
static void
branch_of(const char *via, char *out, size_t cap)
{
	const char *p = strstr(via, "branch=");

	assert_non_null(p);
	p += 7;
	snprintf(out, cap, "%.*s", (int)strcspn(p, ";\r\n"), p);
}

static unsigned int
calls_live(struct cfx *t)
{
	unsigned int sum = 0;
	uint16_t i;

	for (i = 0; i < t->n; i++)
		sum += t->ws[i]->call->n_used;
	return sum;
}

/*
 * Past every linger and transaction timer (40 s): what was still sent is dropped unread, and
 * the call table must then be empty.
 */
static void
linger_out(struct cfx *t)
{
	static struct out_msg o[16];

	advance(t, 40000);
	take(t, o, 16);
	fx_tx_discard(t->f);
	assert_int_equal(calls_live(t), 0);
}

/* The worker that holds a call (the first with one). */
static struct worker *
call_w(struct cfx *t)
{
	uint16_t i;

	for (i = 0; i < t->n; i++)
		if (t->ws[i]->call->n_used > 0)
			return t->ws[i];
	return t->ws[0];
}

/* --- a whole call, gateway -> phone ----------------------------------------------------- */

struct leg_state {
	char b_invite[4096];  /* the INVITE we sent B */
	char a_to[256];       /* To A saw in our responses (with our tag) */
	char b_to[256];       /* B's To with its tag */
};

/*
 * Gateway GW1 calls phone 1002: INVITE -> 100 to the gateway at once (INV-6) and the INVITE on
 * the B leg to the binding's observed source (REG-13), with the SDP unchanged.
 */
static void
start_gw_to_phone(struct cfx *t, const char *cid, struct leg_state *ls)
{
	char msg[4096], v[256];
	struct out_msg o[4];

	gw_invite("1002", cid, "10.99.0.20", msg, sizeof(msg));
	assert_int_equal(rx(t, GW1, 5060, msg), VERDICT_SIP_INVITE_ADMITTED);
	assert_int_equal(take(t, o, 4), 2);
	/* 100 Trying to A, without a To tag */
	assert_int_equal(o[0].dst, GW1);
	assert_int_equal(o[0].dport, 5060);
	assert_has(o[0].text, "SIP/2.0 100 Trying\r\n");
	assert_has(o[0].text, "\r\nTo: <sip:1002@" OUR ">\r\n");
	assert_has(o[0].text, "\r\nCSeq: 10 INVITE\r\n");
	/* the B leg's INVITE to 1002's observed source, never the private Contact */
	assert_int_equal(o[1].dst, PH2);
	assert_int_equal(o[1].dport, PH2_PORT);
	assert_has(o[1].text, "INVITE sip:1002@192.168.1.50:5062 SIP/2.0\r\n");
	assert_has(o[1].text, "\r\nMax-Forwards: 69\r\n");
	assert_has(o[1].text, "\r\nCSeq: 1 INVITE\r\n");
	assert_has(o[1].text, "\r\nContact: <sip:" OUR ":5060>\r\n");
	assert_has(o[1].text, "\r\nFrom: \"Carrier\" <sip:5551234@10.99.0.20>;tag=sf1");
	assert_has(o[1].text, "\r\nTo: <sip:1002@192.168.1.50:5062>\r\n");
	assert_has(o[1].text, "\r\nContent-Type: application/sdp\r\n");
	assert_has(o[1].text, "\r\n\r\n" SDP);
	assert_lacks(o[1].text, cid); /* a new Call-ID on the B leg */
	hdr(o[1].text, "Via", v, sizeof(v));
	assert_has(v, "SIP/2.0/UDP " OUR ":5060;branch=z9hG4bKsf1");
	{
		char br[64], cidv[128];

		branch_of(v, br, sizeof(br));
		assert_token(br, CALL_SUB_B_INVITE, NULL);
		hdr(o[1].text, "Call-ID", cidv, sizeof(cidv));
		assert_token(cidv, CALL_SUB_B_CALLID, NULL);
		assert_has(cidv, "@" OUR);
	}
	snprintf(ls->b_invite, sizeof(ls->b_invite), "%s", o[1].text);
}

/* B rings and answers; A gets 180 and 200 with our To tag; B gets its ACK. */
static void
answer_b(struct cfx *t, struct leg_state *ls, uint32_t a_ip, uint16_t a_port, uint32_t b_ip,
	 uint16_t b_port)
{
	char msg[4096], tag[64];
	struct out_msg o[4];

	resp_to(ls->b_invite, 180, "Ringing", "btag1", NULL, NULL, msg, sizeof(msg));
	assert_int_equal(rx(t, b_ip, b_port, msg), VERDICT_SIP_CALL_RESPONSE);
	assert_int_equal(take(t, o, 4), 1);
	assert_int_equal(o[0].dst, a_ip);
	assert_int_equal(o[0].dport, a_port);
	assert_has(o[0].text, "SIP/2.0 180 Ringing\r\n");
	hdr(o[0].text, "To", ls->a_to, sizeof(ls->a_to));
	tag_of(ls->a_to, tag, sizeof(tag));
	assert_token(tag, CALL_SUB_A_TAG, NULL);
	resp_to(ls->b_invite, 200, "OK", "btag1",
		"Contact: <sip:1002@192.168.1.50:5062>\r\n", SDP, msg, sizeof(msg));
	assert_int_equal(rx(t, b_ip, b_port, msg), VERDICT_SIP_CALL_RESPONSE);
	assert_int_equal(take(t, o, 4), 2);
	/* ACK to B on a new branch, B's To tag, CSeq 1 ACK */
	assert_int_equal(o[0].dst, b_ip);
	assert_has(o[0].text, "ACK sip:1002@192.168.1.50:5062 SIP/2.0\r\n");
	assert_has(o[0].text, ";tag=btag1\r\n");
	assert_has(o[0].text, "\r\nCSeq: 1 ACK\r\n");
	/* 200 to A with the SDP and our Contact */
	assert_int_equal(o[1].dst, a_ip);
	assert_has(o[1].text, "SIP/2.0 200 OK\r\n");
	assert_has(o[1].text, ls->a_to);
	assert_has(o[1].text, "\r\nContact: <sip:" OUR ":5060>\r\n");
	assert_has(o[1].text, "\r\n\r\n" SDP);
	assert_int_equal(ctr(t, COUNTER_CALL_ACTIVE), 1);
	assert_int_equal(ctr(t, COUNTER_CALL_SETUP), 0);
}

static void
test_CALL_gateway_to_phone_whole_call(void **state)
{
	struct cfx *t = *state;
	struct leg_state ls;
	char msg[4096], ack[1024], cid[32], from[128];
	struct out_msg o[4];
	struct call_info ci;
	uint64_t answered = ctr(t, COUNTER_CALL_ANSWERED);
	unsigned int k;

	bind_1002(t);
	/* a Call-ID whose owner is the last worker: with two, every message is handed over */
	for (k = 1;; k++) {
		snprintf(cid, sizeof(cid), "gwcall-%u", k);
		if (steer_owner((uint32_t)sf_fnv1a64(SF_FNV1A64_OFFSET, (const uint8_t *)cid, strlen(cid)), t->n) ==
		    t->n - 1)
			break;
	}
	snprintf(from, sizeof(from), "\"Carrier\" <sip:5551234@10.99.0.20>;tag=gwtag-%s", cid);
	start_gw_to_phone(t, cid, &ls);
	assert_int_equal(ctr(t, COUNTER_CALL_SETUP), 1);
	assert_true(call_info_at(call_w(t), 0, &ci) || call_info_at(call_w(t), 1, &ci));
	answer_b(t, &ls, GW1, 5060, PH2, PH2_PORT);
	assert_int_equal(ctr(t, COUNTER_CALL_ANSWERED), answered + 1);
	/* A's ACK: the call is up, no mbuf left */
	in_dialog("ACK", "sip:" OUR ":5060", from, ls.a_to, cid, 10, "10.99.0.20:5060", ack,
		  sizeof(ack));
	assert_int_equal(rx(t, GW1, 5060, ack), VERDICT_SIP_CALL_REQUEST);
	assert_int_equal(take(t, o, 4), 0);
	{
		struct call_engine *ce = call_w(t)->call;
		uint32_t i;
		bool found = false;

		for (i = 0; i < ce->capacity; i++) {
			if (call_info_at(call_w(t), i, &ci)) {
				found = true;
				assert_int_equal(ci.state, CALL_CONFIRMED);
				assert_string_equal(ci.b_user, "1002");
				assert_string_equal(ci.a_user, "5551234");
				assert_string_equal(ci.a_call_id, cid);
				/* no mbuf: not A's INVITE, none held by a transaction */
				assert_null(ce->calls[i].a_invite);
				for (unsigned int j = 0; j < CALL_T_N; j++)
					assert_null(ce->calls[i].t[j].c.held);
				assert_false(txn_server_active(&ce->calls[i].t[CALL_T_A].sv));
			}
		}
		assert_true(found);
	}
	/* the gateway hangs up: 200 to it, BYE to the phone; the phone's 200 ends the call */
	in_dialog("BYE", "sip:" OUR ":5060", from, ls.a_to, cid, 11, "10.99.0.20:5060", msg,
		  sizeof(msg));
	assert_int_equal(rx(t, GW1, 5060, msg), VERDICT_SIP_CALL_REQUEST);
	assert_int_equal(take(t, o, 4), 2);
	assert_int_equal(o[0].dst, GW1);
	assert_has(o[0].text, "SIP/2.0 200 OK\r\n");
	assert_has(o[0].text, "\r\nCSeq: 11 BYE\r\n");
	assert_int_equal(o[1].dst, PH2);
	assert_int_equal(o[1].dport, PH2_PORT);
	assert_has(o[1].text, "BYE sip:1002@192.168.1.50:5062 SIP/2.0\r\n");
	assert_has(o[1].text, ";tag=btag1\r\n");
	assert_has(o[1].text, "\r\nCSeq: 2 BYE\r\n");
	resp_to(o[1].text, 200, "OK", NULL, NULL, NULL, msg, sizeof(msg));
	assert_int_equal(rx(t, PH2, PH2_PORT, msg), VERDICT_SIP_CALL_RESPONSE);
	assert_int_equal(calls_live(t), 0);
	assert_int_equal(ctr(t, COUNTER_CALL_ACTIVE), 0);
	assert_int_equal(ctr(t, COUNTER_CALL_SETUP), 0);
	/* a late response to the ended call's BYE: GEN-2, dropped and counted */
	assert_int_equal(rx(t, PH2, PH2_PORT, msg), VERDICT_SIP_DROP_CALL_STALE);
	assert_int_equal(take(t, o, 4), 0);
	if (t->n > 1) { /* the hand-offs happened: to the call's owner and the sources' */
		uint64_t steered = 0;
		uint16_t i;

		for (i = 0; i < t->n; i++)
			steered += t->ws[i]->verdicts[VERDICT_STEERED];
		assert_true(steered > 0);
	}
	unbind_1002(t);
}

/* --- phone -> gateway, with a digest ---------------------------------------------------- */

static void
phone_invite(struct cfx *t, const char *to_user, const char *cid, unsigned int cseq,
	     const char *password, char *out, size_t cap)
{
	char auth[512] = "";

	if (password != NULL) {
		uint8_t ha1[DIGEST_HEX_MAX], resp[DIGEST_HEX_MAX];
		char ruri[64];
		struct digest_creds cr;
		size_t hl;

		snprintf(ruri, sizeof(ruri), "sip:%s@" OUR, to_user);
		cr = (struct digest_creds){
			.username = {(const uint8_t *)"1001", 4},
			.realm = {(const uint8_t *)REALM, sizeof(REALM) - 1},
			.nonce = {(const uint8_t *)t->nonce, (uint16_t)strlen(t->nonce)},
			.uri = {(const uint8_t *)ruri, (uint16_t)strlen(ruri)},
			.cnonce = {(const uint8_t *)"c0ffee", 6},
			.nc = {(const uint8_t *)"00000001", 8},
			.alg = DIGEST_ALG_MD5, .qop_auth = true,
		};
		hl = digest_hex_len(cr.alg);
		assert_int_equal(digest_ha1(t->dctx, cr.alg, cr.username, cr.realm,
					    (struct sf_span){(const uint8_t *)password,
							     (uint16_t)strlen(password)}, ha1), 0);
		assert_int_equal(digest_response(t->dctx, &cr,
						 (struct sf_span){(const uint8_t *)"INVITE", 6},
						 (struct sf_span){ha1, (uint16_t)hl}, resp), 0);
		snprintf(auth, sizeof(auth),
			 "Authorization: Digest username=\"1001\", realm=\"" REALM "\", nonce=\"%s\", "
			 "uri=\"%s\", response=\"%.*s\", algorithm=MD5, qop=auth, nc=00000001, "
			 "cnonce=\"c0ffee\"\r\n", t->nonce, ruri, (int)hl, resp);
	}
	snprintf(out, cap,
		 "INVITE sip:%s@" OUR " SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 10.99.0.31:5060;branch=z9hG4bK-ph-%s-%u;rport\r\n"
		 "Max-Forwards: 70\r\n"
		 "From: <sip:1001@" REALM ">;tag=phtag-%s\r\n"
		 "To: <sip:%s@" OUR ">\r\n"
		 "Call-ID: %s\r\n"
		 "CSeq: %u INVITE\r\n"
		 "Contact: <sip:1001@10.99.0.31:5060>\r\n"
		 "%s"
		 "Content-Type: application/sdp\r\n"
		 "Content-Length: %zu\r\n\r\n" SDP,
		 to_user, cid, cseq, cid, to_user, cid, cseq, auth, strlen(SDP));
}

/* AUTH-1: the phone's first INVITE is challenged; the nonce is kept for the answer. */
static void
phone_challenged(struct cfx *t, const char *to_user, const char *cid)
{
	char msg[4096];
	struct out_msg o[4];
	const char *p;

	phone_invite(t, to_user, cid, 1, NULL, msg, sizeof(msg));
	assert_int_equal(rx(t, PH1, 5060, msg), VERDICT_SIP_INVITE_CHALLENGED);
	assert_int_equal(take(t, o, 4), 1);
	assert_int_equal(o[0].dst, PH1);
	assert_has(o[0].text, "SIP/2.0 401 Unauthorized\r\n");
	p = strstr(o[0].text, "nonce=\"");
	assert_non_null(p);
	p += 7;
	snprintf(t->nonce, sizeof(t->nonce), "%.*s", (int)(strchr(p, '"') - p), p);
}

static void
test_AUTH_1_AUTH_3_phone_to_gateway_whole_call(void **state)
{
	struct cfx *t = *state;
	struct leg_state ls;
	char msg[4096], ack[1024];
	struct out_msg o[4];

	phone_challenged(t, "9123", "phcall-1");
	phone_invite(t, "9123", "phcall-1", 2, "pw1", msg, sizeof(msg));
	assert_int_equal(rx(t, PH1, 5060, msg), VERDICT_SIP_INVITE_ADMITTED);
	assert_int_equal(take(t, o, 4), 2);
	assert_int_equal(o[0].dst, PH1);
	assert_has(o[0].text, "SIP/2.0 100 Trying\r\n");
	/* "9" matches gw1 (priority 5) and gw3 (priority 1): gw3 */
	assert_int_equal(o[1].dst, GW3);
	assert_int_equal(o[1].dport, 5060);
	assert_has(o[1].text, "INVITE sip:9123@10.99.0.22:5060 SIP/2.0\r\n");
	assert_lacks(o[1].text, "Authorization");
	snprintf(ls.b_invite, sizeof(ls.b_invite), "%s", o[1].text);
	answer_b(t, &ls, PH1, 5060, GW3, 5060);
	in_dialog("ACK", "sip:" OUR ":5060", "<sip:1001@" REALM ">;tag=phtag-phcall-1", ls.a_to,
		  "phcall-1", 2, "10.99.0.31:5060", ack, sizeof(ack));
	assert_int_equal(rx(t, PH1, 5060, ack), VERDICT_SIP_CALL_REQUEST);
	assert_int_equal(take(t, o, 4), 0);
	/* the gateway hangs up (B -> A): its BYE carries our From tag as its To tag */
	{
		char our_from[256], b_to[256], bye[1024], b_cid[128];

		hdr(ls.b_invite, "From", our_from, sizeof(our_from));
		hdr(ls.b_invite, "To", b_to, sizeof(b_to));
		hdr(ls.b_invite, "Call-ID", b_cid, sizeof(b_cid));
		strncat(b_to, ";tag=btag1", sizeof(b_to) - strlen(b_to) - 1);
		in_dialog("BYE", "sip:" OUR ":5060", b_to, our_from, b_cid, 5, "10.99.0.22:5060",
			  bye, sizeof(bye));
		/* UNAUTH-14: the same BYE from another address does not end the call (403: On) */
		assert_int_equal(rx(t, OTHER, 5060, bye), VERDICT_SIP_REJECTED_UNKNOWN);
		assert_int_equal(take(t, o, 4), 1);
		assert_int_equal(o[0].dst, OTHER);
		assert_has(o[0].text, "SIP/2.0 403 Forbidden\r\n");
		assert_int_equal(calls_live(t), 1);
		assert_int_equal(rx(t, GW3, 5060, bye), VERDICT_SIP_CALL_REQUEST);
		assert_int_equal(take(t, o, 4), 2);
		assert_int_equal(o[0].dst, GW3);
		assert_has(o[0].text, "SIP/2.0 200 OK\r\n");
		assert_int_equal(o[1].dst, PH1);
		assert_has(o[1].text, "BYE sip:1001@10.99.0.31:5060 SIP/2.0\r\n");
		assert_has(o[1].text, "\r\nCall-ID: phcall-1\r\n");
		assert_has(o[1].text, "\r\nTo: <sip:1001@" REALM ">;tag=phtag-phcall-1\r\n");
		resp_to(o[1].text, 200, "OK", NULL, NULL, NULL, msg, sizeof(msg));
		/* not from A's address: no match (I-36); from A (not registered): the call ends */
		assert_int_equal(rx(t, OTHER, 5060, msg), VERDICT_SIP_DROP_CALL_STALE);
		assert_int_equal(calls_live(t), 1);
		assert_int_equal(rx(t, PH1, 5060, msg), VERDICT_SIP_CALL_RESPONSE);
	}
	assert_int_equal(calls_live(t), 0);
	advance(t, 32000);
	assert_int_equal(calls_live(t), 0);
	assert_int_equal(ctr(t, COUNTER_CALL_ACTIVE), 0);
	take(t, o, 4);
	fx_tx_discard(t->f);
}

/* The nonce of the challenge in @msg. */
static void
keep_nonce(struct cfx *t, const char *msg)
{
	const char *p = strstr(msg, "nonce=\"");

	assert_non_null(p);
	p += 7;
	snprintf(t->nonce, sizeof(t->nonce), "%.*s", (int)(strchr(p, '"') - p), p);
}

/*
 * LOCK-1 / LOCK-2 for INVITE (I-6): six wrong INVITE digests from (PH1, 1001) -> the 6th gets
 * the final reject (403, reply On) and nothing is routed; during the suspension even a correct
 * INVITE gets 403 and no INVITE leaves for a gateway.
 */
static void
test_LOCK_1_LOCK_2_wrong_invite_digests_lock_out(void **state)
{
	struct cfx *t = *state;
	char msg[4096];
	struct out_msg o[4];
	unsigned int i;

	phone_challenged(t, "9123", "lock-1");
	for (i = 1; i <= 6; i++) {
		phone_invite(t, "9123", "lock-1", 1 + i, "wrong", msg, sizeof(msg));
		if (i < 6) {
			assert_int_equal(rx(t, PH1, 5060, msg), VERDICT_SIP_INVITE_CHALLENGED);
			assert_int_equal(take(t, o, 4), 1);
			assert_has(o[0].text, "SIP/2.0 401 Unauthorized\r\n");
			keep_nonce(t, o[0].text);
		} else {
			assert_int_equal(rx(t, PH1, 5060, msg), VERDICT_SIP_INVITE_REJECTED);
			assert_int_equal(take(t, o, 4), 1);
			assert_has(o[0].text, "SIP/2.0 403 Forbidden\r\n");
		}
	}
	phone_invite(t, "9123", "lock-2", 1, "pw1", msg, sizeof(msg));
	assert_int_equal(rx(t, PH1, 5060, msg), VERDICT_SIP_REJECTED_SUSPENDED);
	assert_int_equal(take(t, o, 4), 1);
	assert_int_equal(o[0].dst, PH1);
	assert_has(o[0].text, "SIP/2.0 403 Forbidden\r\n");
	assert_int_equal(calls_live(t), 0);
	assert_int_equal(ctr(t, COUNTER_CALL_SETUP), 0);
}

/*
 * AUTH-7 for INVITE: SS_SIP_AUTHENTICATION_TIMEOUT 10; the correct answer 11 s after the
 * challenge -> final reject, nothing sent to any gateway; a new session answered at +9 s is
 * routed.
 */
static void
test_AUTH_7_invite_answer_after_auth_timeout_rejected(void **state)
{
	struct cfx *t = *state;
	char msg[4096];
	struct out_msg o[4];

	t->snap->params.auth_timeout_s = 10;
	phone_challenged(t, "9123", "a7-late");
	advance(t, 11000);
	phone_invite(t, "9123", "a7-late", 2, "pw1", msg, sizeof(msg));
	assert_int_equal(rx(t, PH1, 5060, msg), VERDICT_SIP_INVITE_REJECTED);
	assert_int_equal(take(t, o, 4), 1);
	assert_has(o[0].text, "SIP/2.0 403 Forbidden\r\n");
	assert_int_equal(calls_live(t), 0);
	phone_challenged(t, "9123", "a7-ok");
	advance(t, 9000);
	phone_invite(t, "9123", "a7-ok", 2, "pw1", msg, sizeof(msg));
	assert_int_equal(rx(t, PH1, 5060, msg), VERDICT_SIP_INVITE_ADMITTED);
	assert_int_equal(take(t, o, 4), 2);
	assert_int_equal(o[1].dst, GW3);
	assert_int_equal(calls_live(t), 1);
	advance(t, 60000);
	take(t, o, 4);
	fx_tx_discard(t->f);
	assert_int_equal(calls_live(t), 0);
}

/*
 * The caller (a phone that did not register: its source is known only by the call) hangs up:
 * its BYE reaches the call through the dialog hook (I-36), 200 to it, BYE to the gateway.
 */
static void
test_UNAUTH_14_non_peer_bye_rejected_then_caller_hangs_up(void **state)
{
	struct cfx *t = *state;
	struct leg_state ls;
	char msg[4096], ack[1024], bye[1024];
	struct out_msg o[4];

	phone_challenged(t, "9123", "phbye-1");
	phone_invite(t, "9123", "phbye-1", 2, "pw1", msg, sizeof(msg));
	assert_int_equal(rx(t, PH1, 5060, msg), VERDICT_SIP_INVITE_ADMITTED);
	assert_int_equal(take(t, o, 4), 2);
	snprintf(ls.b_invite, sizeof(ls.b_invite), "%s", o[1].text);
	answer_b(t, &ls, PH1, 5060, GW3, 5060);
	in_dialog("ACK", "sip:" OUR ":5060", "<sip:1001@" REALM ">;tag=phtag-phbye-1", ls.a_to,
		  "phbye-1", 2, "10.99.0.31:5060", ack, sizeof(ack));
	assert_int_equal(rx(t, PH1, 5060, ack), VERDICT_SIP_CALL_REQUEST);
	in_dialog("BYE", "sip:" OUR ":5060", "<sip:1001@" REALM ">;tag=phtag-phbye-1", ls.a_to,
		  "phbye-1", 3, "10.99.0.31:5060", bye, sizeof(bye));
	/* UNAUTH-14: the same BYE from a gateway's address is not the peer's: 403, call stays */
	assert_int_equal(rx(t, GW1, 5060, bye), VERDICT_SIP_REJECTED_UNKNOWN);
	assert_int_equal(take(t, o, 4), 1);
	assert_has(o[0].text, "SIP/2.0 403 Forbidden\r\n");
	assert_int_equal(ctr(t, COUNTER_CALL_ACTIVE), 1);
	assert_int_equal(rx(t, PH1, 5060, bye), VERDICT_SIP_CALL_REQUEST);
	assert_int_equal(take(t, o, 4), 2);
	assert_int_equal(o[0].dst, PH1);
	assert_has(o[0].text, "SIP/2.0 200 OK\r\n");
	assert_int_equal(o[1].dst, GW3);
	assert_has(o[1].text, "BYE sip:1002@192.168.1.50:5062 SIP/2.0\r\n"); /* its Contact */
	resp_to(o[1].text, 200, "OK", NULL, NULL, NULL, msg, sizeof(msg));
	assert_int_equal(rx(t, GW3, 5060, msg), VERDICT_SIP_CALL_RESPONSE);
	assert_int_equal(calls_live(t), 0);
	assert_int_equal(ctr(t, COUNTER_CALL_ACTIVE), 0);
}

/*
 * Phone 1002 bound, gateway GW1 calls it (@cid) and it answers: the call's owner worker, its
 * row in *@ci. Unbind with unbind_1002().
 */
static struct worker *
answered_gw_to_phone(struct cfx *t, const char *cid, struct call_info *ci)
{
	struct leg_state ls;
	struct worker *w;
	uint32_t i;

	bind_1002(t);
	start_gw_to_phone(t, cid, &ls);
	answer_b(t, &ls, GW1, 5060, PH2, PH2_PORT);
	w = call_w(t);
	for (i = 0; i < CAPACITY; i++)
		if (call_info_at(w, i, ci))
			break;
	assert_true(i < CAPACITY);
	return w;
}

/* calls.hangup on an answered call: BYE on both legs; their 200s end it (gauges back to 0). */
static void
test_CALL_hangup_answered_call_byes_both_legs(void **state)
{
	struct cfx *t = *state;
	char msg[4096];
	struct out_msg o[4];
	struct call_info ci;
	struct worker *w;
	unsigned int k, byes = 0;

	w = answered_gw_to_phone(t, "hang-1", &ci);
	assert_int_equal(ci.state, CALL_ANSWERED);
	assert_int_equal(call_hangup(w, ci.slot, (uint16_t)(ci.gen + 1)), -ENOENT);
	assert_int_equal(call_hangup(w, ci.slot, ci.gen), 0);
	assert_int_equal(ctr(t, COUNTER_CALL_HANGUPS), 1);
	k = take(t, o, 4);
	assert_int_equal(k, 2);
	while (k-- > 0) {
		assert_has(o[k].text, "BYE ");
		resp_to(o[k].text, 200, "OK", NULL, NULL, NULL, msg, sizeof(msg));
		assert_int_equal(rx(t, o[k].dst, o[k].dport, msg), VERDICT_SIP_CALL_RESPONSE);
		byes++;
	}
	assert_int_equal(byes, 2);
	assert_int_equal(calls_live(t), 0);
	assert_int_equal(ctr(t, COUNTER_CALL_ACTIVE), 0);
	unbind_1002(t);
}

/*
 * Regression (issue 13 leftover): a second calls.hangup of a call whose BYEs are already out
 * answered "ended" again and counted call_hangups twice. Now call_hangup() says 1 (already
 * ending): nothing is sent, nothing counted; the call still ends on the legs' 200s.
 */
static void
test_CALL_second_hangup_of_an_ending_call_sends_and_counts_nothing(void **state)
{
	struct cfx *t = *state;
	char msg[4096];
	struct out_msg o[4];
	struct call_info ci;
	struct worker *w;
	unsigned int k;

	w = answered_gw_to_phone(t, "hang-2", &ci);
	assert_int_equal(call_hangup(w, ci.slot, ci.gen), 0);
	k = take(t, o, 4);
	assert_int_equal(k, 2); /* the two BYEs */
	assert_int_equal(call_hangup(w, ci.slot, ci.gen), 1);
	assert_int_equal(take(t, o + 2, 2), 0);
	assert_int_equal(ctr(t, COUNTER_CALL_HANGUPS), 1);
	while (k-- > 0) {
		resp_to(o[k].text, 200, "OK", NULL, NULL, NULL, msg, sizeof(msg));
		assert_int_equal(rx(t, o[k].dst, o[k].dport, msg), VERDICT_SIP_CALL_RESPONSE);
	}
	assert_int_equal(calls_live(t), 0);
	assert_int_equal(call_hangup(w, ci.slot, ci.gen), -ENOENT); /* gone now */
	unbind_1002(t);
}

/*
 * @text as one UDP datagram from @src:@sport (no UDP checksum, RFC 768) in two IPv4 fragments,
 * the way a phone sends an INVITE larger than the MTU; returns the verdict of the second one
 * (the first waits in reassembly).
 */
static enum verdict
rx_fragmented(struct cfx *t, uint32_t src, uint16_t sport, const char *text)
{
	static uint8_t dgram[sizeof(struct rte_udp_hdr) + 8192];
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)dgram;
	size_t len = strlen(text), total = sizeof(*udp) + len, first = 1400;
	struct rte_mbuf *m;

	assert_true(total <= sizeof(dgram) && total > first);
	udp->src_port = rte_cpu_to_be_16(sport);
	udp->dst_port = rte_cpu_to_be_16(FX_SIP_PORT);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)total);
	udp->dgram_cksum = 0;
	memcpy(dgram + sizeof(*udp), text, len);
	m = fx_ipv4_frame(t->f, src, FX_OUR_IP, IPPROTO_UDP, dgram, (uint16_t)first);
	fx_ip(m)->packet_id = rte_cpu_to_be_16(0x4242);
	fx_ip(m)->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG);
	fx_ip_recksum(m);
	assert_int_equal(fx_rx(t->f, m), VERDICT_FRAG_HELD);
	m = fx_ipv4_frame(t->f, src, FX_OUR_IP, IPPROTO_UDP, dgram + first,
			  (uint16_t)(total - first));
	fx_ip(m)->packet_id = rte_cpu_to_be_16(0x4242);
	fx_ip(m)->fragment_offset = rte_cpu_to_be_16((uint16_t)(first / 8));
	fx_ip_recksum(m);
	return fx_rx(t->f, m);
}

/*
 * Regression (issue 13 leftover: "an INVITE larger than one mbuf gets 500"): a gateway's
 * INVITE with a 2.6 KB SDP (fragmented, reassembled) is relayed to the phone whole; the B-leg
 * INVITE no longer fits one 2 KB mbuf, so it is built in a big buffer and sent as a chain. A
 * 486 from B is then ACKed from that chained INVITE (txn.c) and relayed to A.
 */
/* An SDP of about 2.6 KB (ICE candidates) into @sdp; its length. */
static size_t
big_sdp(char *sdp, size_t cap)
{
	size_t n = 0;
	unsigned int i;

	n += (size_t)snprintf(sdp + n, cap - n, "v=0\r\no=- 1 1 IN IP4 10.99.0.20\r\n"
			      "s=-\r\nc=IN IP4 10.99.0.20\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n");
	for (i = 0; n + 64 < 2600 && n + 64 < cap; i++)
		n += (size_t)snprintf(sdp + n, cap - n,
				      "a=candidate:%u 1 UDP 2130706431 10.99.0.20 %u typ host\r\n",
				      i, 40000 + i);
	return n;
}

/* Gateway GW1's INVITE for 1002 (Call-ID @cid) carrying @sdp (@n bytes), into @msg. */
static void
big_gw_invite(const char *cid, const char *sdp, size_t n, char *msg, size_t cap)
{
	snprintf(msg, cap,
		 "INVITE sip:1002@" OUR " SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 10.99.0.20:5060;branch=z9hG4bK-gw-%s;rport\r\n"
		 "Max-Forwards: 70\r\n"
		 "From: \"Carrier\" <sip:5551234@10.99.0.20>;tag=gwtag-%s\r\n"
		 "To: <sip:1002@" OUR ">\r\n"
		 "Call-ID: %s\r\n"
		 "CSeq: 10 INVITE\r\n"
		 "Contact: <sip:5551234@10.99.0.20:5060>\r\n"
		 "Content-Type: application/sdp\r\n"
		 "Content-Length: %zu\r\n\r\n%s", cid, cid, cid, n, sdp);
}

static void
test_CALL_invite_larger_than_one_mbuf_relayed_whole(void **state)
{
	struct cfx *t = *state;
	static char sdp[2800], msg[4096];
	char resp[4096];
	struct out_msg o[4];
	size_t n = big_sdp(sdp, sizeof(sdp));
	unsigned int i;

	t->f->snap->ifaces[t->f->port].mtu = 9000; /* B's INVITE leaves as one frame to read */
	bind_1002(t);
	big_gw_invite("big-sdp-1", sdp, n, msg, sizeof(msg));
	assert_true(strlen(msg) > 2048);
	assert_int_equal(rx_fragmented(t, GW1, 5060, msg), VERDICT_SIP_INVITE_ADMITTED);
	assert_int_equal(take(t, o, 4), 2);
	assert_has(o[0].text, "SIP/2.0 100 Trying\r\n");
	assert_int_equal(o[1].dst, PH2);
	assert_has(o[1].text, "INVITE sip:1002@192.168.1.50:5062 SIP/2.0\r\n");
	assert_true(strlen(o[1].text) > 2048);
	{
		char cl[64];

		snprintf(cl, sizeof(cl), "\r\nContent-Length: %zu\r\n\r\n", n);
		assert_has(o[1].text, cl);
	}
	assert_string_equal(strstr(o[1].text, "\r\n\r\n") + 4, sdp); /* the SDP, every byte */
	assert_int_equal(ctr(t, COUNTER_CALL_TX_FAILED), 0);
	/* B busy: ACKed from the chained INVITE, 486 to A */
	resp_to(o[1].text, 486, "Busy Here", "phtag-big", NULL, NULL, resp, sizeof(resp));
	assert_int_equal(rx(t, PH2, PH2_PORT, resp), VERDICT_SIP_CALL_RESPONSE);
	assert_int_equal(take(t, o, 4), 2);
	for (i = 0; i < 2 && o[i].dst != PH2; i++)
		;
	assert_true(i < 2);
	assert_has(o[i].text, "ACK sip:1002@192.168.1.50:5062 SIP/2.0\r\n");
	assert_has(o[1 - i].text, "SIP/2.0 486 Busy Here\r\n");
	assert_int_equal(o[1 - i].dst, GW1);
	unbind_1002(t);
}

/*
 * The same INVITE at the usual MTU of 1500: B's INVITE (a chain of pool mbufs) leaves as IPv4
 * fragments to the phone, offsets contiguous, MF on all but the last, and their payloads put
 * together are one UDP datagram whose SIP body is the whole SDP.
 */
static void
test_CALL_invite_larger_than_the_mtu_leaves_in_fragments(void **state)
{
	struct cfx *t = *state;
	static char sdp[2800], msg[4096];
	static uint8_t dgram[8192];
	struct rte_mbuf *m[16];
	size_t n = big_sdp(sdp, sizeof(sdp)), got = 0, udp_len = 0;
	unsigned int k, i, frags = 0;
	bool last_seen = false;

	bind_1002(t);
	big_gw_invite("big-sdp-2", sdp, n, msg, sizeof(msg));
	assert_int_equal(rx_fragmented(t, GW1, 5060, msg), VERDICT_SIP_INVITE_ADMITTED);
	k = fx_tx(t->f, m, RTE_DIM(m));
	for (i = 0; i < k; i++) {
		struct rte_ipv4_hdr ip;
		uint16_t fo, len, off;

		fx_read(m[i], sizeof(struct rte_ether_hdr), sizeof(ip), &ip);
		if (rte_be_to_cpu_32(ip.dst_addr) != PH2) { /* the 100 Trying to the gateway */
			rte_pktmbuf_free(m[i]);
			continue;
		}
		fo = rte_be_to_cpu_16(ip.fragment_offset);
		off = (uint16_t)((fo & RTE_IPV4_HDR_OFFSET_MASK) * 8);
		len = (uint16_t)(rte_be_to_cpu_16(ip.total_length) - sizeof(ip));
		assert_int_equal(off, got); /* sent in order, no gap */
		assert_true(got + len <= sizeof(dgram));
		fx_read(m[i], sizeof(struct rte_ether_hdr) + sizeof(ip), len, dgram + got);
		got += len;
		frags++;
		if (!(fo & RTE_IPV4_HDR_MF_FLAG))
			last_seen = true;
		assert_true(rte_be_to_cpu_16(ip.total_length) <= 1500);
		rte_pktmbuf_free(m[i]);
	}
	assert_true(frags >= 2);
	assert_true(last_seen);
	udp_len = rte_be_to_cpu_16(((struct rte_udp_hdr *)dgram)->dgram_len);
	assert_int_equal(udp_len, got);
	dgram[got] = '\0';
	assert_non_null(strstr((const char *)dgram + sizeof(struct rte_udp_hdr),
			       "INVITE sip:1002@192.168.1.50:5062 SIP/2.0\r\n"));
	assert_string_equal(
		strstr((const char *)dgram + sizeof(struct rte_udp_hdr), "\r\n\r\n") + 4, sdp);
	assert_int_equal(ctr(t, COUNTER_CALL_TX_FAILED), 0);
	unbind_1002(t);
}

/* --- NT, MAX: the conversation's cap ------------------------------------------------- */

/*
 * Gateway GW1 calls phone 1002 (Call-ID @cid; @timer: its INVITE carries Supported: timer and
 * Session-Expires: 1800, I-26), rings for @ring_ms, is answered and ACKed: a confirmed call.
 * @from and @a_to (256 bytes) get A's From and the To A saw, for in-dialog requests.
 */
static void
capped_call(struct cfx *t, const char *cid, bool timer, uint64_t ring_ms, char *from,
	    char *a_to)
{
	struct leg_state ls;
	char msg[4096], ack[1024];
	struct out_msg o[4];

	bind_1002(t);
	gw_invite("1002", cid, "10.99.0.20", msg, sizeof(msg));
	if (timer) {
		char *at = strstr(msg, "CSeq: 10 INVITE\r\n") + strlen("CSeq: 10 INVITE\r\n");
		char tail[4096];

		snprintf(tail, sizeof(tail), "%s", at);
		snprintf(at, sizeof(msg) - (size_t)(at - msg),
			 "Supported: timer\r\nSession-Expires: 1800\r\n%s", tail);
	}
	assert_int_equal(rx(t, GW1, 5060, msg), VERDICT_SIP_INVITE_ADMITTED);
	assert_int_equal(take(t, o, 4), 2);
	snprintf(ls.b_invite, sizeof(ls.b_invite), "%s", o[1].text);
	if (ring_ms > 0) { /* B rings first (its 180 stops the invite timeout, INV-3) */
		resp_to(ls.b_invite, 180, "Ringing", "btag1", NULL, NULL, msg, sizeof(msg));
		assert_int_equal(rx(t, PH2, PH2_PORT, msg), VERDICT_SIP_CALL_RESPONSE);
		assert_int_equal(take(t, o, 4), 1);
		advance(t, ring_ms);
		assert_int_equal(take(t, o, 4), 0);
	}
	answer_b(t, &ls, GW1, 5060, PH2, PH2_PORT);
	snprintf(from, 256, "\"Carrier\" <sip:5551234@10.99.0.20>;tag=gwtag-%s", cid);
	snprintf(a_to, 256, "%s", ls.a_to);
	in_dialog("ACK", "sip:" OUR ":5060", from, a_to, cid, 10, "10.99.0.20:5060", ack,
		  sizeof(ack));
	assert_int_equal(rx(t, GW1, 5060, ack), VERDICT_SIP_CALL_REQUEST);
	assert_int_equal(take(t, o, 4), 0);
}

/*
 * The cap must fire at answer + @cap_s exactly: nothing one tick before; then BYE to both legs,
 * counted call_duration_capped; their 200s free the call.
 */
static void
expect_capped_at(struct cfx *t, uint64_t cap_s)
{
	char msg[1024];
	struct out_msg o[4];
	unsigned int k, to_gw = 0, to_phone = 0;

	advance(t, cap_s * 1000 - 1);
	assert_int_equal(take(t, o, 4), 0);
	assert_int_equal(ctr(t, COUNTER_CALL_DURATION_CAPPED), 0);
	advance(t, 1);
	k = take(t, o, 4);
	assert_int_equal(k, 2);
	assert_int_equal(ctr(t, COUNTER_CALL_DURATION_CAPPED), 1);
	while (k-- > 0) {
		assert_has(o[k].text, "BYE ");
		to_gw += o[k].dst == GW1;
		to_phone += o[k].dst == PH2;
		resp_to(o[k].text, 200, "OK", NULL, NULL, NULL, msg, sizeof(msg));
		assert_int_equal(rx(t, o[k].dst, o[k].dport, msg), VERDICT_SIP_CALL_RESPONSE);
	}
	assert_int_equal(to_gw, 1);
	assert_int_equal(to_phone, 1);
	assert_int_equal(calls_live(t), 0);
	assert_int_equal(ctr(t, COUNTER_CALL_ACTIVE), 0);
	unbind_1002(t);
}

static struct sf_params *
params_of(struct cfx *t)
{
	return &t->fs[0]->snap->params; /* one worker in these tests */
}

/* NT-1, NT-2: a caller without timer support is cut at answer + NO_TIMER; ringing not counted. */
static void
test_NT_1_NT_2_no_timer_call_byed_at_cap_from_answer(void **state)
{
	struct cfx *t = *state;
	char from[256], a_to[256];

	params_of(t)->no_timer_interval_s = 900;
	capped_call(t, "nt-1", false, 60000, from, a_to); /* 60 s of ringing first */
	expect_capped_at(t, 900);
}

/* NT-3: A hangs up first: normal teardown, the cap never fires, the slot is free at once. */
static void
test_NT_3_hangup_before_the_cap_no_bye_later(void **state)
{
	struct cfx *t = *state;
	char from[256], a_to[256], msg[1024];
	struct out_msg o[4];

	params_of(t)->no_timer_interval_s = 900;
	capped_call(t, "nt-3", false, 0, from, a_to);
	advance(t, 600000);
	in_dialog("BYE", "sip:" OUR ":5060", from, a_to, "nt-3", 11, "10.99.0.20:5060", msg,
		  sizeof(msg));
	assert_int_equal(rx(t, GW1, 5060, msg), VERDICT_SIP_CALL_REQUEST);
	assert_int_equal(take(t, o, 4), 2); /* 200 to A, BYE to B */
	resp_to(o[1].text, 200, "OK", NULL, NULL, NULL, msg, sizeof(msg));
	assert_int_equal(rx(t, PH2, PH2_PORT, msg), VERDICT_SIP_CALL_RESPONSE);
	advance(t, 32000); /* A's BYE transaction (Timer J) */
	assert_int_equal(calls_live(t), 0); /* not held until the cap */
	advance(t, 400000);
	assert_int_equal(take(t, o, 4), 0);
	assert_int_equal(ctr(t, COUNTER_CALL_DURATION_CAPPED), 0);
	unbind_1002(t);
}

/*
 * A confirmed call (@timer: a timer-capable caller) under NO_TIMER @no_timer_s and MAX @max_s
 * (0 = None) is cut exactly at answer + @cap_s.
 */
static void
cap_case(struct cfx *t, const char *cid, bool timer, uint32_t no_timer_s, uint32_t max_s,
	 uint64_t cap_s)
{
	char from[256], a_to[256];

	params_of(t)->no_timer_interval_s = no_timer_s;
	params_of(t)->max_call_duration_none = max_s == 0;
	params_of(t)->max_call_duration_s = max_s;
	capped_call(t, cid, timer, 0, from, a_to);
	expect_capped_at(t, cap_s);
}

/* MAX-3: MAX below NO_TIMER, non-timer call: MAX wins. */
static void
test_MAX_3_max_below_no_timer_wins(void **state)
{
	cap_case(*state, "max-3", false, 900, 120, 120);
}

/* MAX-4: NO_TIMER below MAX, non-timer call: the smaller limit (NO_TIMER) wins. */
static void
test_MAX_4_no_timer_below_max_wins(void **state)
{
	cap_case(*state, "max-4", false, 100, 900, 100);
}

/* MAX-2, ST-10: a timer-capable caller is not cut at NO_TIMER, only at MAX. */
static void
test_MAX_2_timer_call_capped_by_max_only(void **state)
{
	cap_case(*state, "max-2", true, 60, 150, 150);
}

/* NT-4, MAX-5: the cap is the one in force at answer; a later change leaves the call alone. */
static void
test_NT_4_MAX_5_cap_fixed_at_answer(void **state)
{
	struct cfx *t = *state;
	char from[256], a_to[256];

	params_of(t)->no_timer_interval_s = 200;
	capped_call(t, "nt-4", false, 0, from, a_to);
	params_of(t)->no_timer_interval_s = 1800; /* an update mid-call */
	params_of(t)->max_call_duration_none = false;
	params_of(t)->max_call_duration_s = 60;
	expect_capped_at(t, 200);
}

/*
 * A caller that did not register cancels: its CANCEL finds the call (200 + 487); a CANCEL that
 * names no call of that source gets what an unknown source gets (403 with reply On), not 481,
 * so an account's identity draws no other answer (I-1).
 */
static void
test_CALL_phone_caller_cancels(void **state)
{
	struct cfx *t = *state;
	char msg[4096], cancel[1024];
	struct out_msg o[4];

	phone_challenged(t, "9123", "phcx-1");
	phone_invite(t, "9123", "phcx-1", 2, "pw1", msg, sizeof(msg));
	assert_int_equal(rx(t, PH1, 5060, msg), VERDICT_SIP_INVITE_ADMITTED);
	assert_int_equal(take(t, o, 4), 2);
	snprintf(cancel, sizeof(cancel),
		 "CANCEL sip:9123@" OUR " SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 10.99.0.31:5060;branch=z9hG4bK-ph-phcx-1-2;rport\r\n"
		 "Max-Forwards: 70\r\nFrom: <sip:1001@" REALM ">;tag=phtag-%s\r\n"
		 "To: <sip:9123@" OUR ">\r\nCall-ID: %s\r\nCSeq: 2 CANCEL\r\n"
		 "Content-Length: 0\r\n\r\n", "nothing", "nothing");
	assert_int_equal(rx(t, PH1, 5060, cancel), VERDICT_SIP_REJECTED_UNKNOWN);
	assert_int_equal(take(t, o, 4), 1);
	assert_has(o[0].text, "SIP/2.0 403 Forbidden\r\n");
	snprintf(cancel, sizeof(cancel),
		 "CANCEL sip:9123@" OUR " SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 10.99.0.31:5060;branch=z9hG4bK-ph-phcx-1-2;rport\r\n"
		 "Max-Forwards: 70\r\nFrom: <sip:1001@" REALM ">;tag=phtag-%s\r\n"
		 "To: <sip:9123@" OUR ">\r\nCall-ID: %s\r\nCSeq: 2 CANCEL\r\n"
		 "Content-Length: 0\r\n\r\n", "phcx-1", "phcx-1");
	assert_int_equal(rx(t, PH1, 5060, cancel), VERDICT_SIP_CALL_REQUEST);
	assert_int_equal(take(t, o, 4), 2);
	assert_has(o[0].text, "SIP/2.0 200 OK\r\n");
	assert_has(o[1].text, "SIP/2.0 487 Request Terminated\r\n");
	advance(t, 60000);
	take(t, o, 4);
	fx_tx_discard(t->f);
	assert_int_equal(calls_live(t), 0);
}

/* Six wrong INVITE digests of 1001 from PH1 in one session; returns after the 6th. */
static void
six_wrong_invites(struct cfx *t, const char *cid, enum verdict last)
{
	char msg[4096];
	struct out_msg o[4];
	unsigned int i;

	phone_challenged(t, "9123", cid);
	for (i = 1; i <= 6; i++) {
		phone_invite(t, "9123", cid, 1 + i, "wrong", msg, sizeof(msg));
		assert_int_equal(rx(t, PH1, 5060, msg),
				 i < 6 ? VERDICT_SIP_INVITE_CHALLENGED : last);
		assert_int_equal(take(t, o, 4), 1);
		if (i < 6)
			keep_nonce(t, o[0].text);
	}
}

/*
 * LOCK-8: SS_AUTHENTICATION_MAX_RETRY 0 -> wrong INVITE digests never suspend: the session
 * still ends per AUTH-4 (the 6th wrong answer gets the final reject), and the next INVITE
 * with the right password is routed.
 */
static void
test_LOCK_8_max_retry_0_never_suspends_invite(void **state)
{
	struct cfx *t = *state;
	char msg[4096];
	struct out_msg o[4];

	t->snap->params.auth_max_retry = 0;
	six_wrong_invites(t, "l8-1", VERDICT_SIP_INVITE_REJECTED);
	phone_challenged(t, "9123", "l8-2");
	phone_invite(t, "9123", "l8-2", 2, "pw1", msg, sizeof(msg));
	assert_int_equal(rx(t, PH1, 5060, msg), VERDICT_SIP_INVITE_ADMITTED);
	assert_int_equal(take(t, o, 4), 2);
	assert_int_equal(o[1].dst, GW3);
	advance(t, 60000);
	take(t, o, 4);
	fx_tx_discard(t->f);
	assert_int_equal(calls_live(t), 0);
}

/* LOCK-11: (PH1, 1001) suspended; 1001's binding stays and calls to 1001 are still delivered. */
static void
test_LOCK_11_suspended_phone_still_called(void **state)
{
	struct cfx *t = *state;
	struct location_binding b;
	char msg[4096];
	struct out_msg o[4];

	memset(&b, 0, sizeof(b));
	assert_int_equal(location_binding_set_text(&b, (struct sf_span){(const uint8_t *)"1001", 4},
						   (struct sf_span){(const uint8_t *)"sip:1001@10.99.0.31:5060", 24}), 0);
	b.src_ip = fx_be32(PH1);
	b.src_port = rte_cpu_to_be_16(5060);
	b.local_ip = fx_be32(FX_OUR_IP);
	b.local_port = rte_cpu_to_be_16(FX_SIP_PORT);
	b.in_port = t->f->port;
	b.granted_s = 3600;
	b.expires_at_s = test_clock(t) + 3600;
	assert_int_equal(location_put(t->ws[aor_owner(t, "1001")]->reg->loc, &b), 0);
	six_wrong_invites(t, "l11", VERDICT_SIP_INVITE_REJECTED);
	gw_invite("1001", "l11-in", "10.99.0.20", msg, sizeof(msg));
	assert_int_equal(rx(t, GW1, 5060, msg), VERDICT_SIP_INVITE_ADMITTED);
	assert_int_equal(take(t, o, 4), 2);
	assert_int_equal(o[1].dst, PH1);
	assert_has(o[1].text, "INVITE sip:1001@10.99.0.31:5060 SIP/2.0\r\n");
	location_remove(t->ws[aor_owner(t, "1001")]->reg->loc,
			(struct sf_span){(const uint8_t *)"1001", 4});
	advance(t, 60000);
	take(t, o, 4);
	fx_tx_discard(t->f);
	assert_int_equal(calls_live(t), 0);
}

/* --- INVITE timeout and retransmissions (INV-1/2/4) ------------------------------------- */

/*
 * A gateway that never answers: the INVITE's transmission times (ms after the first) and the
 * time of the 408 to A; the call must then end.
 */
static void
run_invite_timeout(struct cfx *t, const char *number, const char *cid, uint32_t gw,
		   const uint64_t *want_at, unsigned int want_n, uint64_t want_408,
		   uint64_t run_ms)
{
	char msg[4096];
	struct out_msg o[16];
	uint64_t at[16], start = t->ms, timeouts = ctr(t, COUNTER_CALL_TIMEOUT);
	unsigned int n = 0, i, k;
	uint64_t first_408 = 0;

	gw_invite(number, cid, "10.99.0.20", msg, sizeof(msg));
	assert_int_equal(rx(t, GW1, 5060, msg), VERDICT_SIP_INVITE_ADMITTED);
	assert_int_equal(take(t, o, 16), 2);
	at[n++] = 0;
	for (i = 0; i < run_ms; i++) {
		advance(t, 1);
		k = take(t, o, 16);
		while (k-- > 0) {
			if (o[k].dst == gw) {
				assert_has(o[k].text, "INVITE sip:");
				assert_true(n < RTE_DIM(at));
				at[n++] = t->ms - start;
			} else {
				assert_int_equal(o[k].dst, GW1);
				assert_has(o[k].text, "SIP/2.0 408 Request Timeout\r\n");
				if (first_408 == 0)
					first_408 = t->ms - start;
			}
		}
	}
	assert_int_equal(n, want_n);
	for (i = 0; i < want_n; i++)
		assert_int_equal(at[i], want_at[i]);
	assert_int_equal(first_408, want_408);
	assert_int_equal(ctr(t, COUNTER_CALL_TIMEOUT), timeouts + 1);
	/* A never ACKs the 408: re-sent on the schedule, then the call ends */
	linger_out(t);
	assert_int_equal(ctr(t, COUNTER_CALL_SETUP), 0);
}

/* INV-2: the gateway's invite_timeout 5 -> transmissions at 0, 0.5, 1.5, 3.5; fails at 5 s. */
static void
test_INV_2_gateway_invite_timeout_5s(void **state)
{
	static const uint64_t at[] = {0, 500, 1500, 3500};

	run_invite_timeout(*state, "8001", "inv2", GW3, at, RTE_DIM(at), 5000, 6000);
}

/* INV-1: defaults (SS_SIP_TIMEOUT_INVITE 10) -> 0, 0.5, 1.5, 3.5, 7.5 (5 packets); 10 s. */
static void
test_INV_1_default_invite_timeout(void **state)
{
	static const uint64_t at[] = {0, 500, 1500, 3500, 7500};

	run_invite_timeout(*state, "9055", "inv1", GW2, at, RTE_DIM(at), 10000, 12000);
}

/* INV-3: a timeout of 40 s outlasts the schedule: all 10 transmissions, none after; 40 s. */
static void
test_INV_3_invite_timeout_longer_than_schedule(void **state)
{
	static const uint64_t at[] = {0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500};
	struct cfx *t = *state;

	t->snap->params.timeout_invite_s = 40;
	run_invite_timeout(t, "9056", "inv3", GW2, at, RTE_DIM(at), 40000, 42000);
}

/*
 * INV-8: SS_SIP_RESEND_INTERVAL 1,1,1 -> 3 transmissions at 0, 1, 2 s, none after. An INVITE's
 * leg fails at its invite timeout (10 s), as in INV-3 where the timeout outlasts the schedule
 * (the same rule as dataplane/txn/'s INVITE client).
 */
static void
test_INV_8_resend_interval_1_1_1(void **state)
{
	static const uint64_t at[] = {0, 1000, 2000};
	struct cfx *t = *state;

	t->snap->params.n_resend = 3;
	t->snap->params.resend_ms[0] = t->snap->params.resend_ms[1] =
		t->snap->params.resend_ms[2] = 1000;
	run_invite_timeout(t, "9057", "inv8", GW2, at, RTE_DIM(at), 10000, 12000);
}

static void
test_INV_4_provisional_stops_retransmission(void **state)
{
	struct cfx *t = *state;
	char msg[4096], inv[4096];
	struct out_msg o[16];
	unsigned int i, k;

	gw_invite("8002", "inv4", "10.99.0.20", msg, sizeof(msg));
	assert_int_equal(rx(t, GW1, 5060, msg), VERDICT_SIP_INVITE_ADMITTED);
	assert_int_equal(take(t, o, 16), 2);
	snprintf(inv, sizeof(inv), "%s", o[1].text);
	advance(t, 800);
	assert_int_equal(take(t, o, 16), 1); /* the 0.5 s retransmission */
	resp_to(inv, 100, "Trying", NULL, NULL, NULL, msg, sizeof(msg));
	assert_int_equal(rx(t, GW3, 5060, msg), VERDICT_SIP_CALL_RESPONSE);
	for (i = 0; i < 20; i++) {
		advance(t, 1000);
		k = take(t, o, 16);
		if (k != 0)
			print_error("sent at %u s: %s\n", i, o[0].text);
		assert_int_equal(k, 0); /* no retransmission, no 408 at 5 s */
	}
	/* the caller gives up: CANCEL -> 200 + 487 to A, CANCEL to B (it sent a provisional) */
	{
		char cancel[1024];

		snprintf(cancel, sizeof(cancel),
			 "CANCEL sip:8002@" OUR " SIP/2.0\r\n"
			 "Via: SIP/2.0/UDP 10.99.0.20:5060;branch=z9hG4bK-gw-inv4;rport\r\n"
			 "Max-Forwards: 70\r\nFrom: \"Carrier\" <sip:5551234@10.99.0.20>;tag=gwtag-inv4\r\n"
			 "To: <sip:8002@" OUR ">\r\nCall-ID: inv4\r\nCSeq: 10 CANCEL\r\n"
			 "Content-Length: 0\r\n\r\n");
		assert_int_equal(rx(t, GW1, 5060, cancel), VERDICT_SIP_CALL_REQUEST);
		assert_int_equal(take(t, o, 16), 3);
		assert_has(o[0].text, "SIP/2.0 200 OK\r\n");
		assert_has(o[0].text, "CSeq: 10 CANCEL\r\n");
		assert_has(o[1].text, "SIP/2.0 487 Request Terminated\r\n");
		assert_has(o[1].text, "CSeq: 10 INVITE\r\n");
		assert_int_equal(o[2].dst, GW3);
		assert_has(o[2].text, "CANCEL sip:8002@10.99.0.22:5060 SIP/2.0\r\n");
		assert_has(o[2].text, "\r\nCSeq: 1 CANCEL\r\n");
		{
			char v1[256], v2[256];

			hdr(inv, "Via", v1, sizeof(v1));
			hdr(o[2].text, "Via", v2, sizeof(v2));
			assert_string_equal(v1, v2); /* same branch as the INVITE */
		}
		/* B: 200 to the CANCEL, 487 to the INVITE (ACKed on the INVITE's branch) */
		resp_to(o[2].text, 200, "OK", "gw3t", NULL, NULL, msg, sizeof(msg));
		assert_int_equal(rx(t, GW3, 5060, msg), VERDICT_SIP_CALL_RESPONSE);
		resp_to(inv, 487, "Request Terminated", "gw3t", NULL, NULL, msg, sizeof(msg));
		assert_int_equal(rx(t, GW3, 5060, msg), VERDICT_SIP_CALL_RESPONSE);
		assert_int_equal(take(t, o, 16), 1);
		assert_has(o[0].text, "ACK sip:8002@10.99.0.22:5060 SIP/2.0\r\n");
		assert_has(o[0].text, ";tag=gw3t\r\n");
	}
	assert_int_equal(ctr(t, COUNTER_CALL_CANCELLED), 1);
	linger_out(t);
}

/* --- CANCEL before a provisional, then a 200 crossing it -------------------------------- */

static void
test_CALL_cancel_before_provisional_then_200_acked_and_byed_once(void **state)
{
	struct cfx *t = *state;
	char msg[4096], inv[4096], cancel[1024];
	struct out_msg o[16];
	uint64_t late = ctr(t, COUNTER_CALL_LATE_2XX);

	gw_invite("8003", "cx1", "10.99.0.20", msg, sizeof(msg));
	assert_int_equal(rx(t, GW1, 5060, msg), VERDICT_SIP_INVITE_ADMITTED);
	assert_int_equal(take(t, o, 16), 2);
	snprintf(inv, sizeof(inv), "%s", o[1].text);
	snprintf(cancel, sizeof(cancel),
		 "CANCEL sip:8003@" OUR " SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 10.99.0.20:5060;branch=z9hG4bK-gw-cx1;rport\r\n"
		 "Max-Forwards: 70\r\nFrom: \"Carrier\" <sip:5551234@10.99.0.20>;tag=gwtag-cx1\r\n"
		 "To: <sip:8003@" OUR ">\r\nCall-ID: cx1\r\nCSeq: 10 CANCEL\r\n"
		 "Content-Length: 0\r\n\r\n");
	assert_int_equal(rx(t, GW1, 5060, cancel), VERDICT_SIP_CALL_REQUEST);
	/* 200 + 487 to A; no CANCEL to B: it sent nothing provisional yet */
	assert_int_equal(take(t, o, 16), 2);
	assert_int_equal(o[0].dst, GW1);
	assert_int_equal(o[1].dst, GW1);
	assert_has(o[1].text, "SIP/2.0 487 Request Terminated\r\n");
	/* B's 180 arrives: now the CANCEL goes */
	resp_to(inv, 180, "Ringing", "x1", NULL, NULL, msg, sizeof(msg));
	assert_int_equal(rx(t, GW3, 5060, msg), VERDICT_SIP_CALL_RESPONSE);
	assert_int_equal(take(t, o, 16), 1);
	assert_has(o[0].text, "CANCEL sip:8003@");
	/* a 200 crosses our CANCEL: ACK and BYE, once */
	resp_to(inv, 200, "OK", "x1", "Contact: <sip:8003@10.99.0.22>\r\n", NULL, msg, sizeof(msg));
	assert_int_equal(rx(t, GW3, 5060, msg), VERDICT_SIP_CALL_RESPONSE);
	assert_int_equal(take(t, o, 16), 2);
	assert_has(o[0].text, "ACK sip:8003@10.99.0.22 SIP/2.0\r\n");
	assert_has(o[1].text, "BYE sip:8003@10.99.0.22 SIP/2.0\r\n");
	assert_has(o[1].text, ";tag=x1\r\n");
	assert_int_equal(ctr(t, COUNTER_CALL_LATE_2XX), late + 1);
	/* its retransmission: nothing more (the BYE is already on its way) */
	assert_int_equal(rx(t, GW3, 5060, msg), VERDICT_SIP_CALL_RESPONSE);
	{
		unsigned int k = take(t, o, 16);

		while (k-- > 0)
			assert_lacks(o[k].text, "BYE sip:8003@10.99.0.22 SIP/2.0\r\nVia: SIP/2.0/UDP "
						OUR ":5060;branch=z9hG4bKsf1000");
	}
	linger_out(t);
	assert_int_equal(ctr(t, COUNTER_CALL_SETUP), 0);
	assert_int_equal(ctr(t, COUNTER_CALL_ACTIVE), 0);
}

/*
 * CANCEL before any provisional, then the leg times out: no CANCEL is ever sent, not even when a
 * provisional arrives afterwards (INV-1: never after the leg timed out).
 */
static void
test_CALL_cancel_pending_never_sent_after_timeout(void **state)
{
	struct cfx *t = *state;
	char msg[4096], inv[4096], cancel[1024];
	struct out_msg o[16];
	unsigned int i, k;

	gw_invite("8004", "cx2", "10.99.0.20", msg, sizeof(msg)); /* gw3: invite timeout 5 s */
	assert_int_equal(rx(t, GW1, 5060, msg), VERDICT_SIP_INVITE_ADMITTED);
	assert_int_equal(take(t, o, 16), 2);
	snprintf(inv, sizeof(inv), "%s", o[1].text);
	snprintf(cancel, sizeof(cancel),
		 "CANCEL sip:8004@" OUR " SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 10.99.0.20:5060;branch=z9hG4bK-gw-cx2;rport\r\n"
		 "Max-Forwards: 70\r\nFrom: \"Carrier\" <sip:5551234@10.99.0.20>;tag=gwtag-cx2\r\n"
		 "To: <sip:8004@" OUR ">\r\nCall-ID: cx2\r\nCSeq: 10 CANCEL\r\n"
		 "Content-Length: 0\r\n\r\n");
	assert_int_equal(rx(t, GW1, 5060, cancel), VERDICT_SIP_CALL_REQUEST);
	assert_int_equal(take(t, o, 16), 2); /* 200 + 487 to A */
	for (i = 0; i < 6000; i++) {
		advance(t, 1);
		k = take(t, o, 16);
		while (k-- > 0)
			assert_lacks(o[k].text, "CANCEL sip:8004@10.99.0.22");
	}
	resp_to(inv, 180, "Ringing", "late", NULL, NULL, msg, sizeof(msg));
	assert_int_equal(rx(t, GW3, 5060, msg), VERDICT_SIP_CALL_RESPONSE);
	k = take(t, o, 16);
	while (k-- > 0) {
		assert_lacks(o[k].text, "CANCEL sip:8004@10.99.0.22");
		assert_lacks(o[k].text, "180 Ringing");
	}
	advance(t, 60000);
	take(t, o, 16);
	fx_tx_discard(t->f);
	assert_int_equal(calls_live(t), 0);
}

/* --- INV-7: no ACK for our 2xx -> BYE both legs at 31.5 s ------------------------------- */

static void
test_INV_7_no_ack_bye_both_legs(void **state)
{
	struct cfx *t = *state;
	struct leg_state ls;
	struct out_msg o[16];
	unsigned int i, k, resent = 0, byes = 0;
	uint64_t start;

	bind_1002(t);
	start_gw_to_phone(t, "noack-1", &ls);
	answer_b(t, &ls, GW1, 5060, PH2, PH2_PORT);
	start = t->ms;
	for (i = 0; i < 33000; i++) {
		advance(t, 1);
		k = take(t, o, 16);
		while (k-- > 0) {
			if (strncmp(o[k].text, "SIP/2.0 200 OK", 14) == 0) {
				resent++;
				assert_true(t->ms - start <= 27500);
			} else {
				assert_has(o[k].text, "BYE ");
				if (t->ms - start == 31500)
					byes++; /* later ones: the BYEs' own retransmissions */
				assert_true(t->ms - start >= 31500);
			}
		}
	}
	assert_int_equal(resent, 9); /* 10 transmissions in all */
	assert_int_equal(byes, 2);   /* BYE to A and to B */
	assert_int_equal(ctr(t, COUNTER_CALL_NO_ACK), 1);
	linger_out(t);
	assert_int_equal(ctr(t, COUNTER_CALL_ACTIVE), 0);
	unbind_1002(t);
}

/* --- routing ---------------------------------------------------------------------------- */

static void
test_REG_6_REG_13_routing_phone_480_prefixes_404(void **state)
{
	struct cfx *t = *state;
	char msg[4096];
	struct out_msg o[4];

	/* REG-6: an account without a binding -> 480 */
	gw_invite("1003", "r480", "10.99.0.20", msg, sizeof(msg));
	assert_int_equal(rx(t, GW1, 5060, msg), VERDICT_SIP_INVITE_ADMITTED);
	assert_int_equal(take(t, o, 4), 1);
	assert_has(o[0].text, "SIP/2.0 480 Temporarily Unavailable\r\n");
	/* no account, no prefix -> 404 */
	gw_invite("5555", "r404", "10.99.0.20", msg, sizeof(msg));
	assert_int_equal(rx(t, GW1, 5060, msg), VERDICT_SIP_INVITE_ADMITTED);
	assert_int_equal(take(t, o, 4), 1);
	assert_has(o[0].text, "SIP/2.0 404 Not Found\r\n");
	/* "90" (gw2) is longer than "9" (gw1, gw3): longest prefix first */
	gw_invite("9012", "r90", "10.99.0.20", msg, sizeof(msg));
	assert_int_equal(rx(t, GW1, 5060, msg), VERDICT_SIP_INVITE_ADMITTED);
	assert_int_equal(take(t, o, 4), 2);
	assert_int_equal(o[1].dst, GW2);
	assert_int_equal(calls_live(t), 1);
	assert_int_equal(call_hangup(t->f->w, 0, 0), -ENOENT); /* a stale generation */
	{
		struct call_info ci;
		uint32_t i;

		for (i = 0; i < CAPACITY; i++)
			if (call_info_at(t->f->w, i, &ci))
				break;
		assert_true(i < CAPACITY);
		assert_true(ci.b_is_gateway);
		assert_string_equal(ci.gateway, "gw2");
		assert_int_equal(call_hangup(t->f->w, ci.slot, ci.gen), 0);
	}
	linger_out(t);
}

/* REG-9: 1002's binding replaced by one from another address: the INVITE goes to the new one. */
static void
test_REG_9_invite_goes_to_the_newest_binding(void **state)
{
	struct cfx *t = *state;
	struct location_binding b;
	char msg[4096];
	struct out_msg o[4];

	bind_1002(t);
	memset(&b, 0, sizeof(b));
	assert_int_equal(location_binding_set_text(&b, (struct sf_span){(const uint8_t *)"1002", 4},
						   (struct sf_span){(const uint8_t *)"sip:1002@10.99.0.40:5070", 24}), 0);
	b.src_ip = fx_be32(OTHER);
	b.src_port = rte_cpu_to_be_16(5070);
	b.local_ip = fx_be32(FX_OUR_IP);
	b.local_port = rte_cpu_to_be_16(FX_SIP_PORT);
	b.in_port = t->f->port;
	b.granted_s = 3600;
	b.expires_at_s = test_clock(t) + 3600;
	assert_int_equal(location_put(t->ws[aor_owner(t, "1002")]->reg->loc, &b), 0);
	gw_invite("1002", "reg9", "10.99.0.20", msg, sizeof(msg));
	assert_int_equal(rx(t, GW1, 5060, msg), VERDICT_SIP_INVITE_ADMITTED);
	assert_int_equal(take(t, o, 4), 2);
	assert_int_equal(o[1].dst, OTHER);
	assert_int_equal(o[1].dport, 5070);
	assert_has(o[1].text, "INVITE sip:1002@10.99.0.40:5070 SIP/2.0\r\n");
	unbind_1002(t);
	advance(t, 60000);
	take(t, o, 4);
	fx_tx_discard(t->f);
	assert_int_equal(calls_live(t), 0);
}

/* --- the table: full -> 503 + Retry-After; generations; back to baseline ---------------- */

static void
test_CALL_table_full_503_and_back_to_baseline(void **state)
{
	struct cfx *t = *state;
	char msg[4096], cid[32];
	struct out_msg o[4];
	struct call_info ci;
	uint16_t gens[CAPACITY];
	unsigned int i;

	for (i = 0; i < CAPACITY; i++) {
		snprintf(cid, sizeof(cid), "full-%u", i);
		gw_invite("8100", cid, "10.99.0.20", msg, sizeof(msg));
		assert_int_equal(rx(t, GW1, 5060, msg), VERDICT_SIP_INVITE_ADMITTED);
		assert_int_equal(take(t, o, 4), 2);
	}
	for (i = 0; i < CAPACITY; i++) {
		assert_true(call_info_at(t->f->w, i, &ci));
		gens[i] = ci.gen;
	}
	gw_invite("8100", "full-x", "10.99.0.20", msg, sizeof(msg));
	assert_int_equal(rx(t, GW1, 5060, msg), VERDICT_SIP_INVITE_ADMITTED);
	assert_int_equal(take(t, o, 4), 1);
	assert_has(o[0].text, "SIP/2.0 503 Service Unavailable\r\n");
	assert_has(o[0].text, "\r\nRetry-After: 5\r\n");
	assert_int_equal(ctr(t, COUNTER_CALL_REJECTED_FULL), 1);
	assert_int_equal(ctr(t, COUNTER_CALL_SETUP), CAPACITY);
	/* nobody answers: every leg times out, A never ACKs the 408: all end */
	advance(t, 60000);
	take(t, o, 4);
	fx_tx_discard(t->f);
	assert_int_equal(calls_live(t), 0);
	assert_int_equal(ctr(t, COUNTER_CALL_SETUP), 0);
	assert_int_equal(ctr(t, COUNTER_CALL_ACTIVE), 0);
	/* slots come back with a new generation */
	gw_invite("8100", "full-y", "10.99.0.20", msg, sizeof(msg));
	assert_int_equal(rx(t, GW1, 5060, msg), VERDICT_SIP_INVITE_ADMITTED);
	take(t, o, 4);
	for (i = 0; i < CAPACITY; i++)
		if (call_info_at(t->f->w, i, &ci))
			break;
	assert_true(i < CAPACITY);
	assert_int_equal(ci.gen, (uint16_t)(gens[i] + 1));
	assert_int_equal(call_hangup(t->f->w, ci.slot, ci.gen), 0);
	advance(t, 60000);
	take(t, o, 4);
	fx_tx_discard(t->f);
	assert_int_equal(calls_live(t), 0);
}

/* --- GEN-3 / INV-6: A's INVITE again -> the last response, nothing forwarded ------------ */

static void
test_INV_6_retransmitted_invite_absorbed(void **state)
{
	struct cfx *t = *state;
	char msg[4096];
	struct out_msg o[4];

	gw_invite("8200", "rt1", "10.99.0.20", msg, sizeof(msg));
	assert_int_equal(rx(t, GW1, 5060, msg), VERDICT_SIP_INVITE_ADMITTED);
	assert_int_equal(take(t, o, 4), 2);
	assert_int_equal(rx(t, GW1, 5060, msg), VERDICT_SIP_CALL_RETRANS);
	assert_int_equal(take(t, o, 4), 1);
	assert_int_equal(o[0].dst, GW1);
	assert_has(o[0].text, "SIP/2.0 100 Trying\r\n");
	assert_int_equal(calls_live(t), 1);
	/* after the call's final (our 408 at 10 s) a new INVITE (new CSeq) is a new call */
	advance(t, 11000);
	take(t, o, 4);
	assert_int_equal(rx(t, GW1, 5060, msg), VERDICT_SIP_CALL_RETRANS); /* same CSeq: 408 */
	assert_int_equal(take(t, o, 4), 1);
	assert_has(o[0].text, "SIP/2.0 408 Request Timeout\r\n");
	{
		char *cseq = strstr(msg, "CSeq: 10 INVITE");

		assert_non_null(cseq);
		memcpy(cseq, "CSeq: 11", 8);
	}
	assert_int_equal(rx(t, GW1, 5060, msg), VERDICT_SIP_INVITE_ADMITTED);
	assert_int_equal(take(t, o, 4), 2);
	assert_has(o[0].text, "SIP/2.0 100 Trying\r\n");
	assert_has(o[1].text, "INVITE sip:8200@");
	assert_int_equal(calls_live(t), 2);
	advance(t, 60000);
	take(t, o, 4);
	fx_tx_discard(t->f);
	assert_int_equal(calls_live(t), 0);
}

/* --- the call's transactions are dataplane/txn/'s ------------------------------------- */

/* The transaction layer's counter @field summed over the workers. */
#define TXN_STAT(t, field)                                                                  \
	({                                                                                  \
		uint64_t sum_ = 0;                                                          \
		for (uint16_t i_ = 0; i_ < (t)->n; i_++)                                    \
			sum_ += (t)->ws[i_]->txn->stats.field;                              \
		sum_;                                                                       \
	})

/*
 * The call layer has no retransmission engine of its own: A's INVITE is a server transaction
 * of dataplane/txn/ (its retransmission absorbed there, the 100 re-sent), B's INVITE a client
 * transaction (its retransmissions counted there), and when the call is over no transaction
 * is left active (the gauges txn_active_client/server back to their baseline).
 */
static void
test_CALL_transactions_on_the_txn_layer(void **state)
{
	struct cfx *t = *state;
	char msg[4096];
	struct out_msg o[4];

	gw_invite("8210", "tl1", "10.99.0.20", msg, sizeof(msg));
	assert_int_equal(rx(t, GW1, 5060, msg), VERDICT_SIP_INVITE_ADMITTED);
	assert_int_equal(take(t, o, 4), 2);
	assert_int_equal(TXN_STAT(t, started_server), 1);
	assert_int_equal(TXN_STAT(t, started_client), 1);
	assert_int_equal(TXN_STAT(t, active_server), 1);
	assert_int_equal(TXN_STAT(t, active_client), 1);
	/* A's INVITE again: absorbed by A's INVITE server transaction, which re-sends the 100 */
	assert_int_equal(rx(t, GW1, 5060, msg), VERDICT_SIP_CALL_RETRANS);
	assert_int_equal(take(t, o, 4), 1);
	assert_has(o[0].text, "SIP/2.0 100 Trying\r\n");
	assert_int_equal(TXN_STAT(t, retransmits_absorbed), 1);
	assert_int_equal(TXN_STAT(t, retransmits_sent), 1);
	/* B's INVITE at 0.5 s is the client transaction's retransmission */
	advance(t, 500);
	assert_int_equal(take(t, o, 4), 1);
	assert_has(o[0].text, "INVITE sip:8210@10.99.0.22:5060 SIP/2.0\r\n");
	assert_int_equal(TXN_STAT(t, retransmits_sent), 2);
	/* gw3's invite timeout (5 s): the client transaction's timeout fails the leg: 408 */
	advance(t, 4500);
	take(t, o, 4);
	assert_int_equal(TXN_STAT(t, timeouts), 1);
	assert_int_equal(ctr(t, COUNTER_CALL_TIMEOUT), 1);
	linger_out(t);
	assert_int_equal(TXN_STAT(t, active_server), 0);
	assert_int_equal(TXN_STAT(t, active_client), 0);
}

/*
 * GEN-3 for BYE: the gateway's BYE is a server transaction; its retransmission gets the 200
 * again (absorbed, counted) and is not relayed: the phone gets one BYE.
 */
static void
test_GEN_3_retransmitted_bye_gets_its_200_again_not_relayed(void **state)
{
	struct cfx *t = *state;
	struct leg_state ls;
	char msg[4096], ack[1024], bye[1024];
	const char *from = "\"Carrier\" <sip:5551234@10.99.0.20>;tag=gwtag-g3bye";
	struct out_msg o[4];
	uint64_t absorbed;

	bind_1002(t);
	start_gw_to_phone(t, "g3bye", &ls);
	answer_b(t, &ls, GW1, 5060, PH2, PH2_PORT);
	in_dialog("ACK", "sip:" OUR ":5060", from, ls.a_to, "g3bye", 10, "10.99.0.20:5060", ack,
		  sizeof(ack));
	assert_int_equal(rx(t, GW1, 5060, ack), VERDICT_SIP_CALL_REQUEST);
	in_dialog("BYE", "sip:" OUR ":5060", from, ls.a_to, "g3bye", 11, "10.99.0.20:5060", bye,
		  sizeof(bye));
	assert_int_equal(rx(t, GW1, 5060, bye), VERDICT_SIP_CALL_REQUEST);
	assert_int_equal(take(t, o, 4), 2);
	assert_has(o[0].text, "SIP/2.0 200 OK\r\n");
	assert_has(o[1].text, "BYE sip:1002@192.168.1.50:5062 SIP/2.0\r\n");
	absorbed = TXN_STAT(t, retransmits_absorbed);
	assert_int_equal(rx(t, GW1, 5060, bye), VERDICT_SIP_CALL_RETRANS);
	assert_int_equal(take(t, o, 4), 1);
	assert_int_equal(o[0].dst, GW1);
	assert_has(o[0].text, "SIP/2.0 200 OK\r\n");
	assert_has(o[0].text, "\r\nCSeq: 11 BYE\r\n");
	assert_int_equal(TXN_STAT(t, retransmits_absorbed), absorbed + 1);
	/* our BYE to the phone is re-sent on the schedule (a client transaction) until its 200 */
	advance(t, 500);
	assert_int_equal(take(t, o, 4), 1);
	assert_has(o[0].text, "BYE sip:1002@192.168.1.50:5062 SIP/2.0\r\n");
	resp_to(o[0].text, 200, "OK", NULL, NULL, NULL, msg, sizeof(msg));
	assert_int_equal(rx(t, PH2, PH2_PORT, msg), VERDICT_SIP_CALL_RESPONSE);
	assert_int_equal(calls_live(t), 0);
	assert_int_equal(TXN_STAT(t, active_server), 0);
	assert_int_equal(TXN_STAT(t, active_client), 0);
	unbind_1002(t);
}

/*
 * I-34: a call keeps the SS_SIP_RESEND_INTERVAL it started under. A call to gw2 under the
 * default list, then the list changes to 1,1,1 and a call to gw3: gw2's INVITE is re-sent at
 * 0.5 and 1.5 s, gw3's at 1 and 2 s. The two calls use two shared schedule slots, released
 * when they end.
 */
static void
test_CALL_I_34_each_call_keeps_its_schedule(void **state)
{
	struct cfx *t = *state;
	char msg[4096];
	struct out_msg o[8];
	uint64_t start, at2[8], at3[8];
	unsigned int n2 = 0, n3 = 0, i, k;
	struct call_engine *ce;
	uint32_t refs = 0;

	gw_invite("9070", "i34a", "10.99.0.20", msg, sizeof(msg)); /* "90": gw2 */
	assert_int_equal(rx(t, GW1, 5060, msg), VERDICT_SIP_INVITE_ADMITTED);
	start = t->ms;
	assert_int_equal(take(t, o, 8), 2);
	t->snap->params.n_resend = 3;
	t->snap->params.resend_ms[0] = t->snap->params.resend_ms[1] =
		t->snap->params.resend_ms[2] = 1000;
	gw_invite("8070", "i34b", "10.99.0.20", msg, sizeof(msg)); /* "8": gw3 */
	assert_int_equal(rx(t, GW1, 5060, msg), VERDICT_SIP_INVITE_ADMITTED);
	assert_int_equal(take(t, o, 8), 2);
	ce = t->f->w->call;
	for (i = 0; i < CALL_SCHED_SLOTS; i++) {
		assert_true(ce->sched_refs[i] <= 1);
		refs += ce->sched_refs[i];
	}
	assert_int_equal(refs, 2);
	for (i = 0; i < 2500; i++) {
		advance(t, 1);
		k = take(t, o, 8);
		while (k-- > 0) {
			assert_has(o[k].text, "INVITE sip:");
			if (o[k].dst == GW2 && n2 < RTE_DIM(at2))
				at2[n2++] = t->ms - start;
			else if (o[k].dst == GW3 && n3 < RTE_DIM(at3))
				at3[n3++] = t->ms - start;
		}
	}
	assert_int_equal(n2, 2);
	assert_int_equal(at2[0], 500);
	assert_int_equal(at2[1], 1500);
	assert_int_equal(n3, 2);
	assert_int_equal(at3[0], 1000);
	assert_int_equal(at3[1], 2000);
	advance(t, 80000);
	take(t, o, 8);
	fx_tx_discard(t->f);
	assert_int_equal(calls_live(t), 0);
	for (i = 0; i < CALL_SCHED_SLOTS; i++)
		assert_int_equal(ce->sched_refs[i], 0);
}

/*
 * Regression (live t_call.sh with 2 workers: a call's first INVITE to B failed with 408 at
 * once): the loop polled the wheel only while it held timers, so on a worker whose wheel had
 * been empty the wheel's clock was stale, and a transaction started from it (t0 = that clock)
 * found its invite timeout long past at its first timer. Time here goes through the loop's
 * own wheel step, loop_timers(), with a TSC of ms x tsc_per_ms: idle for a minute, then a call
 * to gw3 (invite timeout 5 s) must retransmit at 0.5 s and send no 408 before 5 s.
 */
static void
test_CALL_idle_wheel_clock_first_call_not_timed_out_at_once(void **state)
{
	struct cfx *t = *state;
	struct worker *w = t->f->w;
	char msg[4096];
	struct out_msg o[4];
	uint64_t start;
	unsigned int i, k, invites = 0, r408 = 0;

	assert_true(w->tsc_per_ms > 0);
	assert_int_equal(tw_count(&w->wheel), 0);
	for (i = 0; i < 60000; i++) {
		t->ms++;
		loop_timers(w, t->ms * w->tsc_per_ms);
	}
	gw_invite("8220", "idle1", "10.99.0.20", msg, sizeof(msg));
	assert_int_equal(rx(t, GW1, 5060, msg), VERDICT_SIP_INVITE_ADMITTED);
	assert_int_equal(take(t, o, 4), 2);
	start = t->ms;
	for (i = 0; i < 4900; i++) {
		t->ms++;
		loop_timers(w, t->ms * w->tsc_per_ms);
		k = take(t, o, 4);
		while (k-- > 0) {
			if (strstr(o[k].text, "SIP/2.0 408") != NULL)
				r408++;
			else if (strstr(o[k].text, "INVITE sip:8220@") != NULL && invites++ == 0)
				assert_int_equal(t->ms - start, 500);
		}
	}
	assert_int_equal(r408, 0);
	assert_int_equal(invites, 3); /* 0.5, 1.5, 3.5 s */
	advance(t, 60000);
	take(t, o, 4);
	fx_tx_discard(t->f);
	assert_int_equal(calls_live(t), 0);
}

/* --- best final response, mapping (RFC 3261 16.7, I-18) --------------------------------- */

static void
test_CALL_best_final_and_mapping(void **state)
{
	(void)state;
	assert_int_equal(call_map_final(401), 503);
	assert_int_equal(call_map_final(407), 503);
	assert_int_equal(call_map_final(302), 503);
	assert_int_equal(call_map_final(486), 486);
	assert_true(call_final_rank(603) > call_final_rank(486));
	assert_true(call_final_rank(486) > call_final_rank(500));
	assert_true(call_final_rank(408) > call_final_rank(503));
	assert_true(call_final_rank(484) > call_final_rank(404));
}

/* B answers 486: ACKed on the INVITE's branch (INV-5), A gets the 486, counted 4xx. */
static void
test_INV_5_final_from_b_acked_and_relayed(void **state)
{
	struct cfx *t = *state;
	char msg[4096], inv[4096];
	struct out_msg o[4];
	uint64_t c4 = ctr(t, COUNTER_CALL_4XX);

	gw_invite("8300", "busy1", "10.99.0.20", msg, sizeof(msg));
	assert_int_equal(rx(t, GW1, 5060, msg), VERDICT_SIP_INVITE_ADMITTED);
	assert_int_equal(take(t, o, 4), 2);
	snprintf(inv, sizeof(inv), "%s", o[1].text);
	resp_to(inv, 486, "Busy Here", "b486", NULL, NULL, msg, sizeof(msg));
	assert_int_equal(rx(t, GW3, 5060, msg), VERDICT_SIP_CALL_RESPONSE);
	assert_int_equal(take(t, o, 4), 2);
	assert_has(o[0].text, "ACK sip:8300@10.99.0.22:5060 SIP/2.0\r\n");
	{
		char v1[256], v2[256];

		hdr(inv, "Via", v1, sizeof(v1));
		hdr(o[0].text, "Via", v2, sizeof(v2));
		assert_string_equal(v1, v2);
	}
	assert_has(o[1].text, "SIP/2.0 486 Busy Here\r\n");
	assert_int_equal(ctr(t, COUNTER_CALL_4XX), c4 + 1);
	/* A's ACK ends A's transaction; the call ends after the linger */
	{
		char to[256], ack[1024];

		hdr(o[1].text, "To", to, sizeof(to));
		in_dialog("ACK", "sip:8300@" OUR, "\"Carrier\" <sip:5551234@10.99.0.20>;tag=gwtag-busy1",
			  to, "busy1", 10, "10.99.0.20:5060", ack, sizeof(ack));
		assert_int_equal(rx(t, GW1, 5060, ack), VERDICT_SIP_CALL_REQUEST);
	}
	advance(t, 33000);
	assert_int_equal(take(t, o, 4), 0);
	assert_int_equal(calls_live(t), 0);
}

static void
test_CALL_bytes_per_call(void **state)
{
	(void)state;
	print_message("struct call: %zu B per call (setup and established); + %zu B of index\n",
		      sizeof(struct call), 2 * (sizeof(uint64_t) + sizeof(uint32_t)));
	assert_true(sizeof(struct call) <= 1024);
}


int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_CALL_gateway_to_phone_whole_call, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_AUTH_1_AUTH_3_phone_to_gateway_whole_call, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_UNAUTH_14_non_peer_bye_rejected_then_caller_hangs_up, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_CALL_phone_caller_cancels, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_CALL_hangup_answered_call_byes_both_legs, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_CALL_second_hangup_of_an_ending_call_sends_and_counts_nothing, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_CALL_invite_larger_than_one_mbuf_relayed_whole, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_CALL_invite_larger_than_the_mtu_leaves_in_fragments, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_NT_1_NT_2_no_timer_call_byed_at_cap_from_answer, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_NT_3_hangup_before_the_cap_no_bye_later, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_MAX_3_max_below_no_timer_wins, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_MAX_4_no_timer_below_max_wins, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_MAX_2_timer_call_capped_by_max_only, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_NT_4_MAX_5_cap_fixed_at_answer, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_LOCK_1_LOCK_2_wrong_invite_digests_lock_out, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_AUTH_7_invite_answer_after_auth_timeout_rejected, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_LOCK_8_max_retry_0_never_suspends_invite, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_LOCK_11_suspended_phone_still_called, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_INV_1_default_invite_timeout, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_INV_2_gateway_invite_timeout_5s, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_INV_3_invite_timeout_longer_than_schedule, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_INV_8_resend_interval_1_1_1, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_INV_4_provisional_stops_retransmission, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_CALL_cancel_before_provisional_then_200_acked_and_byed_once, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_CALL_cancel_pending_never_sent_after_timeout, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_INV_7_no_ack_bye_both_legs, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_REG_6_REG_13_routing_phone_480_prefixes_404, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_REG_9_invite_goes_to_the_newest_binding, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_CALL_table_full_503_and_back_to_baseline, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_INV_6_retransmitted_invite_absorbed, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_INV_5_final_from_b_acked_and_relayed, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_CALL_transactions_on_the_txn_layer, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_GEN_3_retransmitted_bye_gets_its_200_again_not_relayed, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_CALL_I_34_each_call_keeps_its_schedule, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_CALL_idle_wheel_clock_first_call_not_timed_out_at_once, cfx_setup, cfx_teardown),
		/* two workers: rule K hands every message to the call's owner */
		cmocka_unit_test_setup_teardown(test_CALL_gateway_to_phone_whole_call, cfx_setup2, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_AUTH_1_AUTH_3_phone_to_gateway_whole_call, cfx_setup2, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_CALL_cancel_before_provisional_then_200_acked_and_byed_once, cfx_setup2, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_INV_6_retransmitted_invite_absorbed, cfx_setup2, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_UNAUTH_14_non_peer_bye_rejected_then_caller_hangs_up, cfx_setup2, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_GEN_3_retransmitted_bye_gets_its_200_again_not_relayed, cfx_setup2, cfx_teardown),
		cmocka_unit_test(test_CALL_best_final_and_mapping),
		cmocka_unit_test(test_CALL_bytes_per_call),
	};

	if (fx_eal_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
