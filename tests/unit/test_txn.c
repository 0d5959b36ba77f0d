/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the transaction layer (dataplane/txn, issue 13) on the net_ring fixture with a
 * fake clock: the worker's wheel is polled one ms at a time and every frame the layer sends is
 * taken off the port's TX ring with the time it left. Each state machine, every timer and every
 * retransmission, named after the behaviour ids (INV-1..8, GEN-2, GEN-3); the ACK/CANCEL
 * builders (sip/build_req.c); the server index (collisions, full, stale handles).
 */
#include <errno.h>
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
#include <rte_udp.h>

#include "dataplane/module.h"
#include "dataplane/pkt_meta.h"
#include "dataplane/sip/build_req.h"
#include "dataplane/sip/token.h"
#include "dataplane/loop.h"
#include "dataplane/txn/txn.h"
#include "dataplane/txn/txn_impl.h"
#include "dataplane/worker.h"
#include "tests/unit/eal_fixture.h"

#define TT_T0 1000000u      /* the fake clock's start, ms */
#define TT_MAX_TX 128
#define TT_INDEX_CAP 4      /* server index capacity of the fixture */
#define TT_CLIENTS 4
#define TT_SERVERS 8

/* One frame the worker sent: when, its first line, and its whole payload. */
struct tt_frame {
	uint64_t at;        /* ms after TT_T0 */
	char line[64];      /* start line */
	char text[1024];    /* payload, NUL-terminated */
	uint32_t dst_ip;    /* network order */
	uint16_t dst_port;  /* network order */
};

struct tt {
	struct fx *f;
	struct worker *w;
	uint64_t now;                 /* wheel ms */
	struct txn_schedule sched;    /* the default SS_SIP_RESEND_INTERVAL */
	struct txn_dest dest;         /* us:5060 -> peer:40000, next hop from the neighbour table */
	struct rte_ether_addr req_mac; /* L2 source of the requests we receive (not in neigh) */
	struct txn_client tc[TT_CLIENTS];
	uint16_t tc_gen[TT_CLIENTS];
	struct txn_server ts[TT_SERVERS];
	uint16_t ts_gen[TT_SERVERS];
	/* what the callbacks saw */
	int n_resp;
	uint16_t resp_status;
	int n_ctimeout;
	enum txn_timeout ctimeout_why;
	uint64_t ctimeout_at;
	int n_stimeout;
	uint64_t stimeout_at;
	int n_ack;
	int n_term;
	uint64_t term_at;
	/* frames sent */
	struct tt_frame tx[TT_MAX_TX];
	int n_tx;
};

static struct tt *T; /* the callbacks' view of the running test */

static const uint32_t default_resend_ms[] = {500, 1000, 2000, 4000, 4000,
					     4000, 4000, 4000, 4000, 4000};

/* ---- callbacks (the TU) ---- */

static void
cb_response(struct worker *w, struct txn_client *tc, const struct sip_scan *s, struct rte_mbuf *m)
{
	(void)w;
	(void)tc;
	(void)m;
	T->n_resp++;
	T->resp_status = s->line.status_code;
}

static void
cb_client_timeout(struct worker *w, struct txn_client *tc, enum txn_timeout why)
{
	(void)w;
	assert_false(txn_client_active(tc));
	T->n_ctimeout++;
	T->ctimeout_why = why;
	T->ctimeout_at = T->now - TT_T0;
}

static void
cb_server_timeout(struct worker *w, struct txn_server *ts, enum txn_timeout why)
{
	(void)w;
	assert_false(txn_server_active(ts));
	assert_int_equal(why, TXN_TIMEOUT_NO_ACK);
	T->n_stimeout++;
	T->stimeout_at = T->now - TT_T0;
}

static void
cb_ack(struct worker *w, struct txn_server *ts, const struct sip_scan *s, struct rte_mbuf *m)
{
	(void)w;
	(void)ts;
	(void)s;
	(void)m;
	T->n_ack++;
}

static void
cb_terminated(struct worker *w, struct txn_client *tc, struct txn_server *ts)
{
	(void)w;
	assert_true((tc == NULL) != (ts == NULL));
	T->n_term++;
	T->term_at = T->now - TT_T0;
}

static struct txn_client *
cb_client_resolve(struct worker *w, const struct sip_token *t)
{
	(void)w;
	if (t->slot >= TT_CLIENTS || t->gen != T->tc_gen[t->slot])
		return NULL;
	return &T->tc[t->slot];
}

static struct txn_server *
cb_server_resolve(struct worker *w, uint64_t handle)
{
	uint64_t v = TXN_HANDLE_VALUE(handle);
	uint32_t slot = (uint32_t)(v & 0xffff);

	(void)w;
	if (slot >= TT_SERVERS || (uint16_t)(v >> 16) != T->ts_gen[slot])
		return NULL;
	return &T->ts[slot];
}

static const struct txn_ops tt_ops = {
	.response = cb_response,
	.client_timeout = cb_client_timeout,
	.server_timeout = cb_server_timeout,
	.ack = cb_ack,
	.terminated = cb_terminated,
	.client_resolve = cb_client_resolve,
	.server_resolve = cb_server_resolve,
};

/* ---- fixture ---- */

static void
tt_schedule(struct txn_schedule *s, const uint32_t *ms, uint8_t n)
{
	uint8_t i;

	memset(s, 0, sizeof(*s));
	s->n = n;
	for (i = 0; i < n; i++)
		s->wait_ms[i] = ms[i];
}

static int
tt_setup(void **state)
{
	const struct module_env env = {.txn_index_capacity = TT_INDEX_CAP};
	struct txn_user u = {.kind = TXN_USER_TEST};
	struct tt *t = calloc(1, sizeof(*t));
	unsigned int i;

	if (t == NULL)
		return -1;
	t->f = fx_create(0, 1, FX_FRAG_TIMEOUT_MS);
	if (t->f == NULL)
		return -1;
	t->w = t->f->w;
	t->now = TT_T0;
	tw_init(&t->w->wheel, t->now);
	if (txn_module.worker_init(t->w, &env) != 0 ||
	    txn_set_ops(t->w->txn, TXN_USER_TEST, &tt_ops) != 0)
		return -1;
	assert_true(neigh_learn(t->f->neigh, fx_be32(FX_PEER_IP), &t->f->peer_mac));
	tt_schedule(&t->sched, default_resend_ms, 10);
	fx_mac(&t->req_mac, 9);
	t->dest = (struct txn_dest){.src_ip = fx_be32(FX_OUR_IP),
				    .dst_ip = fx_be32(FX_PEER_IP),
				    .src_port = rte_cpu_to_be_16(FX_SIP_PORT),
				    .dst_port = rte_cpu_to_be_16(FX_PEER_PORT),
				    .port_id = t->f->port};
	for (i = 0; i < TT_CLIENTS; i++) {
		u.index = i;
		txn_client_init(&t->tc[i], &u);
		t->tc_gen[i] = (uint16_t)(7 + i);
	}
	for (i = 0; i < TT_SERVERS; i++) {
		u.index = i;
		txn_server_init(&t->ts[i], &u);
		t->ts_gen[i] = (uint16_t)(3 + i);
	}
	T = t;
	*state = t;
	return 0;
}

static int
tt_teardown(void **state)
{
	struct tt *t = *state;
	unsigned int i;

	for (i = 0; i < TT_CLIENTS; i++)
		txn_client_stop(t->w, &t->tc[i]);
	for (i = 0; i < TT_SERVERS; i++)
		txn_server_stop(t->w, &t->ts[i]);
	assert_int_equal(t->w->txn->stats.active_client, 0);
	assert_int_equal(t->w->txn->stats.active_server, 0);
	assert_int_equal(t->w->txn->index->used, 0);
	assert_int_equal(tw_count(&t->w->wheel), 0);
	txn_module.fini(t->w);
	fx_assert_no_leak(t->f); /* every held mbuf and copy went back to the pool */
	fx_destroy(t->f);
	free(t);
	T = NULL;
	return 0;
}

/* Take every frame the worker sent into t->tx, stamped with the clock. */
static void
tt_collect(struct tt *t)
{
	struct rte_mbuf *out[32];
	unsigned int n, i;

	while ((n = fx_tx(t->f, out, RTE_DIM(out))) > 0) {
		for (i = 0; i < n; i++) {
			struct rte_udp_hdr *udp = fx_udp(out[i]);
			const char *p = (const char *)(udp + 1);
			/*
			 * Responses go to the MAC their request came from (txn_dest_reply()),
			 * requests we originate to the neighbour table's MAC of the peer.
			 */
			struct rte_ipv4_hdr *ip = fx_assert_ipv4_out(
				t->f, out[i],
				strncmp(p, "SIP/2.0 ", 8) == 0 ? &t->req_mac : &t->f->peer_mac);
			size_t len = rte_be_to_cpu_16(udp->dgram_len) - sizeof(*udp), l;
			struct tt_frame *fr;

			assert_true(t->n_tx < TT_MAX_TX);
			fr = &t->tx[t->n_tx++];
			fr->at = t->now - TT_T0;
			fr->dst_ip = ip->dst_addr;
			fr->dst_port = udp->dst_port;
			assert_true(len < sizeof(fr->text));
			memcpy(fr->text, p, len);
			fr->text[len] = '\0';
			for (l = 0; l < len && p[l] != '\r' && l < sizeof(fr->line) - 1; l++)
				fr->line[l] = p[l];
			fr->line[l] = '\0';
			rte_pktmbuf_free(out[i]);
		}
	}
}

/* Advance the fake clock to TT_T0 + @until_ms, one ms per wheel poll, collecting frames. */
static void
tt_run(struct tt *t, uint64_t until_ms)
{
	while (t->now < TT_T0 + until_ms) {
		t->now++;
		assert_true(tw_poll(&t->w->wheel, t->now, UINT32_MAX) >= 0);
		tt_collect(t);
	}
}

/* A payload-only mbuf holding @text. */
static struct rte_mbuf *
tt_payload(struct tt *t, const char *text)
{
	struct rte_mbuf *m = fx_alloc(t->f->pool);
	size_t len = strlen(text);

	memcpy(fx_append(m, (uint16_t)len), text, len);
	return m;
}

/* A received datagram (payload only, pkt_meta as udp_input() leaves it) scanned into @s. */
static struct rte_mbuf *
tt_rx(struct tt *t, const char *text, struct sip_scan *s)
{
	struct rte_mbuf *m = tt_payload(t, text);
	struct pkt_meta *pm = pkt_meta(m);

	memset(pm, 0, sizeof(*pm));
	pm->src_ip = fx_be32(FX_PEER_IP);
	pm->dst_ip = fx_be32(FX_OUR_IP);
	pm->src_port = rte_cpu_to_be_16(FX_PEER_PORT);
	pm->dst_port = rte_cpu_to_be_16(FX_SIP_PORT);
	pm->in_port = t->f->port;
	pm->src_mac = t->req_mac;
	pm->payload_off = 0;
	pm->payload_len = (uint16_t)strlen(text);
	memset(s, 0, sizeof(*s));
	assert_int_equal(sip_scan(rte_pktmbuf_mtod(m, const uint8_t *), strlen(text), s,
				  SIP_WANT_ALL),
			 SIP_SCAN_OK);
	return m;
}

/* Our branch for client slot @slot: "z9hG4bK" + token, NUL-terminated. */
static void
tt_branch(struct tt *t, unsigned int slot, char out[SIP_TOKEN_BRANCH_LEN + 1])
{
	struct sip_token tok = {.owner = 0, .slot = slot, .gen = t->tc_gen[slot], .sub = 1,
				.entropy = 0x1234abcd};

	sip_token_write_branch((uint8_t *)out, &tok);
	out[SIP_TOKEN_BRANCH_LEN] = '\0';
}

/* A request we send (client side), method @method with CSeq @cseq and branch @branch. */
static void
tt_request_text(char *buf, size_t cap, const char *method, const char *branch, uint32_t cseq)
{
	snprintf(buf, cap,
		 "%s sip:100@10.99.0.7:40000 SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 10.99.0.1:5060;branch=%s\r\n"
		 "Max-Forwards: 70\r\n"
		 "Route: <sip:10.99.0.7;lr>\r\n"
		 "From: <sip:200@10.99.0.1>;tag=ourtag\r\n"
		 "To: <sip:100@10.99.0.7>\r\n"
		 "Call-ID: ourcall@10.99.0.1\r\n"
		 "CSeq: %u %s\r\n"
		 "Content-Length: 0\r\n\r\n",
		 method, branch, cseq, method);
}

/* A response to that request. */
static void
tt_response_text(char *buf, size_t cap, unsigned int code, const char *branch, uint32_t cseq,
		 const char *method)
{
	snprintf(buf, cap,
		 "SIP/2.0 %u Whatever\r\n"
		 "Via: SIP/2.0/UDP 10.99.0.1:5060;branch=%s\r\n"
		 "From: <sip:200@10.99.0.1>;tag=ourtag\r\n"
		 "To: <sip:100@10.99.0.7>%s\r\n"
		 "Call-ID: ourcall@10.99.0.1\r\n"
		 "CSeq: %u %s\r\n"
		 "Content-Length: 0\r\n\r\n",
		 code, branch, code > 100 ? ";tag=theirtag" : "", cseq, method);
}

/* Start client transaction @slot sending @method (CSeq 1) on @sched. */
static void
tt_client_start(struct tt *t, unsigned int slot, const char *method, enum sip_scan_method mid,
		const struct txn_schedule *sched, uint32_t invite_timeout_ms)
{
	char branch[SIP_TOKEN_BRANCH_LEN + 1], text[1024];

	tt_branch(t, slot, branch);
	tt_request_text(text, sizeof(text), method, branch, 1);
	assert_int_equal(txn_client_start(t->w, &t->tc[slot], tt_payload(t, text), &t->dest, mid,
					  1, sched, invite_timeout_ms),
			 0);
	tt_collect(t);
}

/* Give client @slot the response @code to @method (through the dispatcher). */
static enum txn_resp
tt_client_rx(struct tt *t, unsigned int slot, unsigned int code, const char *method)
{
	char branch[SIP_TOKEN_BRANCH_LEN + 1], text[1024];
	struct sip_scan s;
	struct rte_mbuf *m;
	enum txn_resp r;

	tt_branch(t, slot, branch);
	tt_response_text(text, sizeof(text), code, branch, 1, method);
	m = tt_rx(t, text, &s);
	r = txn_response_input(t->w, &s, m);
	rte_pktmbuf_free(m);
	tt_collect(t);
	return r;
}

/* Times (ms after TT_T0) of the frames whose start line begins with @prefix. */
static int
tt_times(const struct tt *t, const char *prefix, uint64_t *at, int max)
{
	int i, n = 0;

	for (i = 0; i < t->n_tx; i++)
		if (strncmp(t->tx[i].line, prefix, strlen(prefix)) == 0 && n < max)
			at[n++] = t->tx[i].at;
	return n;
}

static void
tt_assert_times(const struct tt *t, const char *prefix, const uint64_t *want, int n_want)
{
	uint64_t at[TT_MAX_TX];
	int n = tt_times(t, prefix, at, TT_MAX_TX), i;

	if (n != n_want) {
		for (i = 0; i < n; i++)
			print_message("%s at %llu\n", prefix, (unsigned long long)at[i]);
	}
	assert_int_equal(n, n_want);
	for (i = 0; i < n; i++)
		assert_int_equal(at[i], want[i]);
}

/* ---- INVITE client ---- */

/* INV-1: defaults -> INVITE at 0, 0.5, 1.5, 3.5, 7.5 s; the leg fails at 10 s; no CANCEL. */
static void
test_INV_1_default_schedule_five_transmissions_then_timeout_at_10s(void **state)
{
	struct tt *t = *state;
	static const uint64_t want[] = {0, 500, 1500, 3500, 7500};

	tt_client_start(t, 0, "INVITE", SIP_METHOD_INVITE, &t->sched, 10000);
	tt_run(t, 9999);
	assert_int_equal(t->n_ctimeout, 0);
	tt_run(t, 40000);
	tt_assert_times(t, "INVITE ", want, 5);
	assert_int_equal(t->n_tx, 5); /* nothing else: no CANCEL, no ACK */
	assert_int_equal(t->n_ctimeout, 1);
	assert_int_equal(t->ctimeout_why, TXN_TIMEOUT_INVITE);
	assert_int_equal(t->ctimeout_at, 10000);
	assert_false(txn_client_active(&t->tc[0]));
	assert_int_equal(t->w->txn->stats.started_client, 1);
	assert_int_equal(t->w->txn->stats.retransmits_sent, 4);
	assert_int_equal(t->w->txn->stats.timeouts, 1);
	/* every retransmission is the same datagram */
	assert_string_equal(t->tx[0].text, t->tx[4].text);
	assert_int_equal(t->tx[0].dst_ip, fx_be32(FX_PEER_IP));
	assert_int_equal(t->tx[0].dst_port, rte_cpu_to_be_16(FX_PEER_PORT));
}

/* INV-2: the gateway's invite timeout 5 s -> 0, 0.5, 1.5, 3.5 (4 packets), fails at 5 s. */
static void
test_INV_2_gateway_timeout_5s_four_transmissions(void **state)
{
	struct tt *t = *state;
	static const uint64_t want[] = {0, 500, 1500, 3500};

	tt_client_start(t, 0, "INVITE", SIP_METHOD_INVITE, &t->sched, 5000);
	tt_run(t, 40000);
	tt_assert_times(t, "INVITE ", want, 4);
	assert_int_equal(t->n_ctimeout, 1);
	assert_int_equal(t->ctimeout_why, TXN_TIMEOUT_INVITE);
	assert_int_equal(t->ctimeout_at, 5000);
}

/* INV-3: invite timeout 40 s -> all 10 transmissions (last at 27.5 s), none after; fails at 40. */
static void
test_INV_3_timeout_40s_all_ten_transmissions_none_after(void **state)
{
	struct tt *t = *state;
	static const uint64_t want[] = {0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500,
					27500};

	tt_client_start(t, 0, "INVITE", SIP_METHOD_INVITE, &t->sched, 40000);
	tt_run(t, 39999);
	assert_int_equal(t->n_ctimeout, 0); /* the schedule's end (31.5 s) is not the leg's */
	tt_run(t, 60000);
	tt_assert_times(t, "INVITE ", want, 10);
	assert_int_equal(t->n_ctimeout, 1);
	assert_int_equal(t->ctimeout_why, TXN_TIMEOUT_INVITE);
	assert_int_equal(t->ctimeout_at, 40000);
}

/* INV-4: 100 Trying at 0.8 s -> no further INVITE; the invite timer is cancelled. */
static void
test_INV_4_provisional_stops_retransmission_and_invite_timer(void **state)
{
	struct tt *t = *state;
	static const uint64_t want[] = {0, 500};

	tt_client_start(t, 0, "INVITE", SIP_METHOD_INVITE, &t->sched, 10000);
	tt_run(t, 800);
	assert_int_equal(tt_client_rx(t, 0, 100, "INVITE"), TXN_RESP_DELIVERED);
	assert_int_equal(t->n_resp, 1);
	assert_int_equal(t->resp_status, 100);
	assert_int_equal(t->tc[0].c.state, TXN_C_PROCEEDING);
	tt_run(t, 60000);
	tt_assert_times(t, "INVITE ", want, 2);
	assert_int_equal(t->n_tx, 2);
	assert_int_equal(t->n_ctimeout, 0);
	assert_true(txn_client_active(&t->tc[0])); /* waits for a final (the call's timers) */
	assert_non_null(txn_client_request(&t->tc[0])); /* the INVITE a CANCEL is built from */
	assert_int_equal(tw_count(&t->w->wheel), 0);
	/* a second provisional is news too (180 after 100) */
	assert_int_equal(tt_client_rx(t, 0, 180, "INVITE"), TXN_RESP_DELIVERED);
	assert_int_equal(t->resp_status, 180);
}

/* INV-5: a 486 is ACKed at once on the same branch; a retransmitted 486 is ACKed again. */
static void
test_INV_5_non2xx_final_acked_same_branch(void **state)
{
	struct tt *t = *state;
	char branch[SIP_TOKEN_BRANCH_LEN + 1], via[128];
	static const uint64_t want_ack[] = {600, 2000};
	static const uint64_t want_inv[] = {0, 500};

	tt_branch(t, 0, branch);
	tt_client_start(t, 0, "INVITE", SIP_METHOD_INVITE, &t->sched, 10000);
	tt_run(t, 600);
	assert_int_equal(tt_client_rx(t, 0, 486, "INVITE"), TXN_RESP_DELIVERED);
	assert_int_equal(t->n_resp, 1);
	assert_int_equal(t->resp_status, 486);
	assert_int_equal(t->tc[0].c.state, TXN_C_COMPLETED);
	tt_run(t, 2000);
	assert_int_equal(tt_client_rx(t, 0, 486, "INVITE"), TXN_RESP_ABSORBED); /* Timer D */
	assert_int_equal(t->n_resp, 1); /* the TU heard it once */
	tt_run(t, 40000);
	tt_assert_times(t, "INVITE ", want_inv, 2);
	tt_assert_times(t, "ACK ", want_ack, 2);
	/* the ACK: same Request-URI, same branch, To from the response, CSeq 1 ACK */
	assert_string_equal(t->tx[2].line, "ACK sip:100@10.99.0.7:40000 SIP/2.0");
	snprintf(via, sizeof(via), "\r\nVia: SIP/2.0/UDP 10.99.0.1:5060;branch=%s\r\n", branch);
	assert_non_null(strstr(t->tx[2].text, via));
	assert_non_null(strstr(t->tx[2].text, "\r\nTo: <sip:100@10.99.0.7>;tag=theirtag\r\n"));
	assert_non_null(strstr(t->tx[2].text, "\r\nFrom: <sip:200@10.99.0.1>;tag=ourtag\r\n"));
	assert_non_null(strstr(t->tx[2].text, "\r\nCall-ID: ourcall@10.99.0.1\r\n"));
	assert_non_null(strstr(t->tx[2].text, "\r\nCSeq: 1 ACK\r\n"));
	assert_non_null(strstr(t->tx[2].text, "\r\nRoute: <sip:10.99.0.7;lr>\r\n"));
	assert_string_equal(t->tx[2].text, t->tx[3].text);
	/* Timer D ended the transaction at the schedule's total after the final, quietly */
	assert_int_equal(t->n_ctimeout, 0);
	assert_int_equal(t->n_term, 1);
	assert_int_equal(t->term_at, 600 + 31500);
	assert_false(txn_client_active(&t->tc[0]));
	assert_int_equal(t->w->txn->stats.retransmits_absorbed, 1);
}

/* INVITE 2xx: Accepted; a retransmitted 2xx goes to the TU again (it re-ACKs); no ACK by us. */
static void
test_INV_client_2xx_accepted_retransmissions_to_tu(void **state)
{
	struct tt *t = *state;

	tt_client_start(t, 0, "INVITE", SIP_METHOD_INVITE, &t->sched, 10000);
	tt_run(t, 100);
	assert_int_equal(tt_client_rx(t, 0, 200, "INVITE"), TXN_RESP_DELIVERED);
	assert_int_equal(t->tc[0].c.state, TXN_C_ACCEPTED);
	assert_null(t->tc[0].c.held); /* nothing to retransmit: no mbuf held */
	tt_run(t, 600);
	assert_int_equal(tt_client_rx(t, 0, 200, "INVITE"), TXN_RESP_DELIVERED);
	assert_int_equal(t->n_resp, 2);
	tt_run(t, 40000);
	assert_int_equal(t->n_tx, 1); /* the INVITE only: the ACK for a 2xx is the TU's */
	assert_int_equal(t->n_ctimeout, 0);
	assert_int_equal(t->n_term, 1);
	assert_int_equal(t->term_at, 100 + 31500);
}

/* ---- INVITE server ---- */

static const char *const tt_invite_in =
	"INVITE sip:100@10.99.0.1 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 10.99.0.7:40000;branch=z9hG4bKcaller1\r\n"
	"Max-Forwards: 70\r\n"
	"From: <sip:300@10.99.0.7>;tag=c1\r\n"
	"To: <sip:100@10.99.0.1>\r\n"
	"Call-ID: callercall@10.99.0.7\r\n"
	"CSeq: 5 INVITE\r\n"
	"Content-Length: 0\r\n\r\n";

static const char *const tt_ack_in =
	"ACK sip:100@10.99.0.1 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 10.99.0.7:40000;branch=z9hG4bKcaller1\r\n"
	"Max-Forwards: 70\r\n"
	"From: <sip:300@10.99.0.7>;tag=c1\r\n"
	"To: <sip:100@10.99.0.1>;tag=ours\r\n"
	"Call-ID: callercall@10.99.0.7\r\n"
	"CSeq: 5 ACK\r\n"
	"Content-Length: 0\r\n\r\n";

static const char *const tt_bye_in =
	"BYE sip:100@10.99.0.1 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 10.99.0.7:40000;branch=z9hG4bKbye1\r\n"
	"Max-Forwards: 70\r\n"
	"From: <sip:300@10.99.0.7>;tag=c1\r\n"
	"To: <sip:100@10.99.0.1>;tag=ours\r\n"
	"Call-ID: callercall@10.99.0.7\r\n"
	"CSeq: 6 BYE\r\n"
	"Content-Length: 0\r\n\r\n";

/* A response we send: "SIP/2.0 @code X" plus a marker so copies can be told apart. */
static struct rte_mbuf *
tt_resp_payload(struct tt *t, unsigned int code, const char *marker)
{
	char text[256];

	snprintf(text, sizeof(text),
		 "SIP/2.0 %u X\r\nVia: SIP/2.0/UDP 10.99.0.7:40000;branch=z9hG4bKcaller1\r\n"
		 "X-Marker: %s\r\nContent-Length: 0\r\n\r\n",
		 code, marker);
	return tt_payload(t, text);
}

/* Start server transaction @slot for @text (handle: slot + gen). */
static int
tt_server_start(struct tt *t, unsigned int slot, const char *text)
{
	struct sip_scan s;
	struct rte_mbuf *m = tt_rx(t, text, &s);
	struct txn_dest d;
	int rc;

	txn_dest_reply(&d, m);
	rc = txn_server_start(t->w, &t->ts[slot], &s, &d,
			      TXN_HANDLE(TXN_USER_TEST, slot | (uint32_t)t->ts_gen[slot] << 16),
			      &t->sched);
	rte_pktmbuf_free(m);
	return rc;
}

/* A request arriving: through the dispatcher. */
static enum txn_req
tt_server_rx(struct tt *t, const char *text)
{
	struct sip_scan s;
	struct rte_mbuf *m = tt_rx(t, text, &s);
	enum txn_req r = txn_request_input(t->w, &s, m);

	rte_pktmbuf_free(m);
	tt_collect(t);
	return r;
}

/* INV-6: a retransmitted INVITE is absorbed and the latest provisional re-sent. */
static void
test_INV_6_retransmitted_invite_absorbed_latest_provisional_resent(void **state)
{
	struct tt *t = *state;

	assert_int_equal(tt_server_rx(t, tt_invite_in), TXN_REQ_NEW);
	assert_int_equal(tt_server_start(t, 0, tt_invite_in), 0);
	/* before anything was sent a retransmission is absorbed silently */
	assert_int_equal(tt_server_rx(t, tt_invite_in), TXN_REQ_ABSORBED);
	assert_int_equal(t->n_tx, 0);
	assert_int_equal(txn_server_respond(t->w, &t->ts[0], tt_resp_payload(t, 100, "a"), 100), 0);
	tt_collect(t);
	tt_run(t, 300);
	assert_int_equal(txn_server_respond(t->w, &t->ts[0], tt_resp_payload(t, 180, "b"), 180), 0);
	tt_collect(t);
	tt_run(t, 1000);
	assert_int_equal(tt_server_rx(t, tt_invite_in), TXN_REQ_ABSORBED);
	assert_int_equal(t->n_tx, 3);
	assert_string_equal(t->tx[0].line, "SIP/2.0 100 X");
	assert_string_equal(t->tx[1].line, "SIP/2.0 180 X");
	assert_string_equal(t->tx[2].text, t->tx[1].text); /* the latest provisional, unchanged */
	assert_int_equal(t->tx[2].at, 1000);
	/* responses go to the request's source */
	assert_int_equal(t->tx[2].dst_ip, fx_be32(FX_PEER_IP));
	assert_int_equal(t->tx[2].dst_port, rte_cpu_to_be_16(FX_PEER_PORT));
	/* provisionals are not re-sent on a timer */
	tt_run(t, 40000);
	assert_int_equal(t->n_tx, 3);
	assert_int_equal(t->w->txn->stats.retransmits_absorbed, 2);
	assert_int_equal(t->w->txn->stats.started_server, 1);
}

/* INV-7: our 200 re-sent per the schedule until the ACK; none by 31.5 s -> reported. */
static void
test_INV_7_2xx_resent_until_ack_no_ack_by_31_5s_reported(void **state)
{
	struct tt *t = *state;
	static const uint64_t want[] = {0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500,
					27500};
	static const uint64_t want_acked[] = {0, 500, 1500};

	/* no ACK */
	assert_int_equal(tt_server_start(t, 0, tt_invite_in), 0);
	assert_int_equal(txn_server_respond(t->w, &t->ts[0], tt_resp_payload(t, 200, "ok"), 200), 0);
	tt_collect(t);
	tt_run(t, 31499);
	assert_int_equal(t->n_stimeout, 0);
	tt_run(t, 40000);
	tt_assert_times(t, "SIP/2.0 200", want, 10);
	assert_int_equal(t->n_stimeout, 1);
	assert_int_equal(t->stimeout_at, 31500);
	assert_false(txn_server_active(&t->ts[0]));
	assert_int_equal(tt_server_rx(t, tt_invite_in), TXN_REQ_NEW); /* out of the index */

	/* the ACK (the TU matched it in the dialog) at 2 s stops the re-sending */
	t->n_tx = 0;
	t->now = TT_T0;
	tw_init(&t->w->wheel, t->now);
	assert_int_equal(tw_set_handler(&t->w->wheel, TW_KIND_TXN, txn_timer_fired, t->w), 0);
	assert_int_equal(tt_server_start(t, 1, tt_invite_in), 0);
	assert_int_equal(txn_server_respond(t->w, &t->ts[1], tt_resp_payload(t, 200, "ok"), 200), 0);
	tt_collect(t);
	tt_run(t, 2000);
	/* an ACK with the INVITE's branch in Accepted is not the transaction's: the TU's */
	assert_int_equal(tt_server_rx(t, tt_ack_in), TXN_REQ_NEW);
	txn_server_acked(t->w, &t->ts[1]);
	assert_false(txn_server_active(&t->ts[1]));
	tt_run(t, 40000);
	tt_assert_times(t, "SIP/2.0 200", want_acked, 3);
	assert_int_equal(t->n_stimeout, 1);
}

/* INVITE server non-2xx: re-sent on the schedule (G) until the ACK (Confirmed, I), or H. */
static void
test_INV_server_non2xx_timer_G_ack_confirmed_timer_I_and_H(void **state)
{
	struct tt *t = *state;
	static const uint64_t want[] = {0, 500, 1500};

	assert_int_equal(tt_server_start(t, 0, tt_invite_in), 0);
	assert_int_equal(txn_server_respond(t->w, &t->ts[0], tt_resp_payload(t, 486, "busy"), 486),
			 0);
	/* a second final is refused */
	assert_int_equal(txn_server_respond(t->w, &t->ts[0], tt_resp_payload(t, 500, "x"), 500),
			 -EINVAL);
	tt_collect(t);
	tt_run(t, 2000);
	assert_int_equal(tt_server_rx(t, tt_ack_in), TXN_REQ_ACK);
	assert_int_equal(t->n_ack, 1);
	assert_int_equal(t->ts[0].c.state, TXN_S_CONFIRMED);
	assert_null(t->ts[0].c.held);
	tt_run(t, 3000);
	assert_int_equal(tt_server_rx(t, tt_ack_in), TXN_REQ_ABSORBED); /* ACK retransmission */
	assert_int_equal(tt_server_rx(t, tt_invite_in), TXN_REQ_ABSORBED); /* nothing re-sent */
	tt_run(t, 40000);
	tt_assert_times(t, "SIP/2.0 486", want, 3);
	assert_int_equal(t->n_ack, 1);
	assert_int_equal(t->n_term, 1);
	assert_int_equal(t->term_at, 2000 + TXN_T4_MS); /* Timer I */
	assert_int_equal(t->n_stimeout, 0);

	/* no ACK at all: Timer H at the schedule's end */
	assert_int_equal(tt_server_start(t, 1, tt_invite_in), 0);
	assert_int_equal(txn_server_respond(t->w, &t->ts[1], tt_resp_payload(t, 486, "busy"), 486),
			 0);
	tt_run(t, 40000 + 31500);
	assert_int_equal(t->n_stimeout, 1);
	assert_int_equal(t->stimeout_at, 40000 + 31500);
}

/* ---- INV-8, I-34 ---- */

/* INV-8: schedule 1,1,1 -> 3 transmissions at 0, 1, 2 s, give up at 3 s; I-34: snapshot. */
static void
test_INV_8_schedule_1_1_1_three_transmissions_give_up_at_3s(void **state)
{
	struct tt *t = *state;
	struct sf_params p;
	struct txn_schedule before, after;
	static const uint64_t want_bye[] = {0, 1000, 2000};
	static const uint64_t want_inv[] = {0, 500, 1500, 3500, 7500};
	static const uint64_t want_inv2[] = {10000, 11000};
	uint8_t i;

	memset(&p, 0, sizeof(p));
	p.n_resend = 10;
	for (i = 0; i < 10; i++)
		p.resend_ms[i] = default_resend_ms[i];
	txn_schedule_from_params(&before, &p);
	assert_int_equal(txn_schedule_total_ms(&before), 31500);
	/* an INVITE started before the update */
	tt_client_start(t, 1, "INVITE", SIP_METHOD_INVITE, &before, 10000);
	/* SS_SIP_RESEND_INTERVAL = 1,1,1 */
	p.n_resend = 3;
	for (i = 0; i < 3; i++)
		p.resend_ms[i] = 1000;
	txn_schedule_from_params(&after, &p);
	assert_int_equal(txn_schedule_total_ms(&after), 3000);
	tt_client_start(t, 0, "BYE", SIP_METHOD_BYE, &after, 0);
	tt_run(t, 2999);
	assert_int_equal(t->n_ctimeout, 0);
	tt_run(t, 3000);
	assert_int_equal(t->n_ctimeout, 1);
	assert_int_equal(t->ctimeout_why, TXN_TIMEOUT_SCHEDULE);
	assert_int_equal(t->ctimeout_at, 3000);
	tt_run(t, 10000);
	tt_assert_times(t, "BYE ", want_bye, 3);
	/* the INVITE kept the schedule it started with (I-34) */
	tt_assert_times(t, "INVITE ", want_inv, 5);
	assert_int_equal(t->n_ctimeout, 2);
	assert_int_equal(t->ctimeout_why, TXN_TIMEOUT_INVITE);

	/* an INVITE on 1,1,1 whose invite timeout (1.5 s) is shorter fails at that */
	t->n_tx = 0;
	tt_client_start(t, 2, "INVITE", SIP_METHOD_INVITE, &after, 1500);
	tt_run(t, 10000 + 5000);
	tt_assert_times(t, "INVITE ", want_inv2, 2);
	assert_int_equal(t->n_ctimeout, 3);
	assert_int_equal(t->ctimeout_at, 10000 + 1500);
}

/*
 * Regression (found in review): a wheel polled late (a stall) made the next offset negative,
 * which wrapped to 49 days: tw_start() refused it and the transaction stalled for good, never
 * retransmitting nor timing out. Now what is overdue fires at once and the schedule catches up.
 */
static void
test_TXN_late_wheel_poll_catches_up_never_stalls(void **state)
{
	struct tt *t = *state;
	static const uint64_t want[] = {0, 2000, 2000, 3500, 7500};

	tt_client_start(t, 0, "INVITE", SIP_METHOD_INVITE, &t->sched, 10000);
	t->now = TT_T0 + 2000; /* one poll 2 s late: transmissions 1 and 2 are both overdue */
	assert_true(tw_poll(&t->w->wheel, t->now, UINT32_MAX) >= 0);
	tt_collect(t);
	tt_run(t, 12000);
	tt_assert_times(t, "INVITE ", want, 5);
	assert_int_equal(t->n_ctimeout, 1);
	assert_int_equal(t->ctimeout_at, 10000);
}

/* ---- non-INVITE client: Timer E/F on the schedule, K ---- */

/*
 * Regression (issue 13, INV-1 failed live): the worker loop's timer step keeps the wheel's clock
 * current while nothing is pending. An INVITE started after an idle minute must still go out at
 * 0, 0.5, 1.5, 3.5, 7.5 s and fail at 10 s, measured from when it started: with the old step
 * (no poll of an idle wheel) the transaction counted from the stale clock and fired at once.
 * Driven through loop_timers() with a fake TSC of 1,000 cycles per ms.
 */
static void
test_INV_1_idle_wheel_clock_not_stale_loop_step(void **state)
{
	struct tt *t = *state;
	static const uint64_t want[] = {0, 500, 1500, 3500, 7500};
	const uint64_t saved = t->w->tsc_per_ms;

	t->w->tsc_per_ms = 1000;
	loop_timers(t->w, t->now * 1000);
	t->now += 60000; /* a minute with nothing pending: the loop passes, the wheel idles */
	loop_timers(t->w, t->now * 1000);
	const uint64_t t_start = t->now;
	tt_client_start(t, 0, "INVITE", SIP_METHOD_INVITE, &t->sched, 10000);
	while (t->now < t_start + 12000) {
		t->now++;
		loop_timers(t->w, t->now * 1000);
		tt_collect(t);
	}
	t->w->tsc_per_ms = saved;
	assert_int_equal(t->n_tx, 5);
	for (unsigned int i = 0; i < 5; i++)
		assert_int_equal(t->tx[i].at - (t_start - TT_T0), want[i]);
	assert_int_equal(t->n_ctimeout, 1);
	assert_int_equal(t->ctimeout_at - (t_start - TT_T0), 10000);
}

static void
test_TXN_non_invite_client_E_F_K(void **state)
{
	struct tt *t = *state;
	static const uint64_t want[] = {0, 500, 1500, 3500};
	static const uint64_t want_f[] = {0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500,
					  27500};

	tt_client_start(t, 0, "BYE", SIP_METHOD_BYE, &t->sched, 0);
	tt_run(t, 600);
	/* a provisional does not stop a non-INVITE's retransmissions (Proceeding) */
	assert_int_equal(tt_client_rx(t, 0, 100, "BYE"), TXN_RESP_DELIVERED);
	assert_int_equal(t->tc[0].c.state, TXN_C_PROCEEDING);
	tt_run(t, 4000);
	assert_int_equal(tt_client_rx(t, 0, 200, "BYE"), TXN_RESP_DELIVERED);
	assert_int_equal(t->tc[0].c.state, TXN_C_COMPLETED);
	assert_null(t->tc[0].c.held); /* nothing to retransmit: no mbuf held */
	tt_run(t, 5000);
	assert_int_equal(tt_client_rx(t, 0, 200, "BYE"), TXN_RESP_ABSORBED);
	assert_int_equal(t->n_resp, 2);
	tt_run(t, 40000);
	tt_assert_times(t, "BYE ", want, 4);
	assert_int_equal(t->n_tx, 4); /* no ACK for a non-INVITE */
	assert_int_equal(t->n_term, 1);
	assert_int_equal(t->term_at, 4000 + TXN_T4_MS); /* Timer K */

	/* Timer F: nothing comes back -> 10 transmissions, give up at 31.5 s */
	t->n_tx = 0;
	t->now = TT_T0;
	tw_init(&t->w->wheel, t->now);
	assert_int_equal(tw_set_handler(&t->w->wheel, TW_KIND_TXN, txn_timer_fired, t->w), 0);
	tt_client_start(t, 1, "OPTIONS", SIP_METHOD_OPTIONS, &t->sched, 0);
	tt_run(t, 40000);
	tt_assert_times(t, "OPTIONS ", want_f, 10);
	assert_int_equal(t->n_ctimeout, 1);
	assert_int_equal(t->ctimeout_why, TXN_TIMEOUT_SCHEDULE);
	assert_int_equal(t->ctimeout_at, 31500);
}

/* ---- GEN-2, GEN-3 ---- */

/* GEN-2: responses that match no client transaction are dropped and counted, nothing sent. */
static void
test_GEN_2_response_matching_no_client_txn_dropped_counted(void **state)
{
	struct tt *t = *state;
	char branch[SIP_TOKEN_BRANCH_LEN + 1], text[1024];
	struct sip_scan s;
	struct rte_mbuf *m;

	/* a peer's branch, not our token */
	tt_response_text(text, sizeof(text), 200, "z9hG4bKnotours", 1, "INVITE");
	m = tt_rx(t, text, &s);
	assert_int_equal(txn_response_input(t->w, &s, m), TXN_RESP_STRAY);
	rte_pktmbuf_free(m);
	assert_int_equal(t->w->txn->stats.stray_response, 1);
	/* our token, slot idle */
	assert_int_equal(tt_client_rx(t, 0, 200, "INVITE"), TXN_RESP_STRAY);
	assert_int_equal(t->w->txn->stats.stray_response, 2);
	/* our token, stale generation */
	tt_client_start(t, 0, "INVITE", SIP_METHOD_INVITE, &t->sched, 10000);
	tt_branch(t, 0, branch);
	t->tc_gen[0]++; /* the slot was reused */
	tt_response_text(text, sizeof(text), 180, branch, 1, "INVITE");
	m = tt_rx(t, text, &s);
	assert_int_equal(txn_response_input(t->w, &s, m), TXN_RESP_STRAY);
	rte_pktmbuf_free(m);
	t->tc_gen[0]--;
	assert_int_equal(t->w->txn->stats.stray_response, 3);
	/* right transaction, other method or other CSeq number */
	assert_int_equal(tt_client_rx(t, 0, 200, "BYE"), TXN_RESP_STRAY);
	tt_response_text(text, sizeof(text), 180, branch, 2, "INVITE");
	m = tt_rx(t, text, &s);
	assert_int_equal(txn_response_input(t->w, &s, m), TXN_RESP_STRAY);
	rte_pktmbuf_free(m);
	/* another worker's token */
	{
		struct sip_token tok = {.owner = 1, .slot = 0, .gen = t->tc_gen[0], .sub = 1};
		char b2[SIP_TOKEN_BRANCH_LEN + 1];

		sip_token_write_branch((uint8_t *)b2, &tok);
		b2[SIP_TOKEN_BRANCH_LEN] = '\0';
		tt_response_text(text, sizeof(text), 180, b2, 1, "INVITE");
		m = tt_rx(t, text, &s);
		assert_int_equal(txn_response_input(t->w, &s, m), TXN_RESP_STRAY);
		rte_pktmbuf_free(m);
	}
	assert_int_equal(t->w->txn->stats.stray_response, 6);
	assert_int_equal(t->n_resp, 0);
	assert_int_equal(t->n_tx, 1); /* the INVITE only: nothing sent for a stray */
	assert_int_equal(t->tc[0].c.state, TXN_C_CALLING);
}

/* GEN-3: a retransmitted BYE gets the same 200, is not processed again; Timer J ends it. */
static void
test_GEN_3_retransmitted_bye_gets_same_200(void **state)
{
	struct tt *t = *state;

	assert_int_equal(tt_server_rx(t, tt_bye_in), TXN_REQ_NEW);
	assert_int_equal(tt_server_start(t, 2, tt_bye_in), 0);
	assert_int_equal(tt_server_start(t, 3, tt_bye_in), -EEXIST);
	assert_int_equal(txn_server_respond(t->w, &t->ts[2], tt_resp_payload(t, 200, "bye"), 200),
			 0);
	tt_collect(t);
	tt_run(t, 1000);
	assert_int_equal(tt_server_rx(t, tt_bye_in), TXN_REQ_ABSORBED);
	tt_run(t, 20000);
	assert_int_equal(tt_server_rx(t, tt_bye_in), TXN_REQ_ABSORBED);
	assert_int_equal(t->n_tx, 3);
	assert_string_equal(t->tx[1].text, t->tx[0].text);
	assert_string_equal(t->tx[2].text, t->tx[0].text);
	assert_int_equal(t->tx[1].at, 1000);
	/* a non-INVITE final is not re-sent on a timer; Timer J = the schedule's total */
	tt_run(t, 31499);
	assert_int_equal(t->n_term, 0);
	tt_run(t, 31500);
	assert_int_equal(t->n_term, 1);
	assert_int_equal(t->n_tx, 3);
	assert_int_equal(tt_server_rx(t, tt_bye_in), TXN_REQ_NEW);
}

/* ---- server index ---- */

static void
test_TXN_server_index_full_exists_stale_and_collisions(void **state)
{
	struct tt *t = *state;
	char text[1024];
	unsigned int i;
	struct txn_index *ix;
	uint64_t handle;
	struct sip_scan s;
	struct rte_mbuf *m;
	bool exists;
	uint32_t slot;

	/* capacity 4: the 5th is refused and counted (the TU answers 503) */
	for (i = 0; i < TT_INDEX_CAP + 1; i++) {
		snprintf(text, sizeof(text),
			 "OPTIONS sip:100@10.99.0.1 SIP/2.0\r\n"
			 "Via: SIP/2.0/UDP 10.99.0.7:40000;branch=z9hG4bKopt%u\r\n"
			 "From: <sip:300@10.99.0.7>;tag=c1\r\nTo: <sip:100@10.99.0.1>\r\n"
			 "Call-ID: c%u\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
			 i, i);
		assert_int_equal(tt_server_start(t, i, text), i < TT_INDEX_CAP ? 0 : -ENOSPC);
	}
	assert_int_equal(t->w->txn->stats.index_full, 1);
	assert_int_equal(t->w->txn->stats.started_server, TT_INDEX_CAP);
	/* stale handle: the TU's slot was reused (generation moved on) -> not matched */
	t->ts_gen[0]++;
	assert_int_equal(tt_server_rx(t, "OPTIONS sip:100@10.99.0.1 SIP/2.0\r\n"
					 "Via: SIP/2.0/UDP 10.99.0.7:40000;branch=z9hG4bKopt0\r\n"
					 "From: <sip:300@10.99.0.7>;tag=c1\r\nTo: <sip:100@10.99.0.1>\r\n"
					 "Call-ID: c0\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"),
			 TXN_REQ_NEW);
	t->ts_gen[0]--;
	/* same branch, other sent-by port or method -> another transaction */
	m = tt_rx(t,
		  "OPTIONS sip:100@10.99.0.1 SIP/2.0\r\n"
		  "Via: SIP/2.0/UDP 10.99.0.7:40001;branch=z9hG4bKopt0\r\n"
		  "From: <sip:300@10.99.0.7>;tag=c1\r\nTo: <sip:100@10.99.0.1>\r\n"
		  "Call-ID: c0\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
		  &s);
	assert_int_equal(txn_server_find(t->w, &s, false, &handle), -ENOENT);
	rte_pktmbuf_free(m);
	m = tt_rx(t,
		  "INFO sip:100@10.99.0.1 SIP/2.0\r\n"
		  "Via: SIP/2.0/UDP 10.99.0.7:40000;branch=z9hG4bKopt0\r\n"
		  "From: <sip:300@10.99.0.7>;tag=c1\r\nTo: <sip:100@10.99.0.1>\r\n"
		  "Call-ID: c0\r\nCSeq: 1 INFO\r\nContent-Length: 0\r\n\r\n",
		  &s);
	assert_int_equal(txn_server_find(t->w, &s, false, &handle), -ENOENT);
	rte_pktmbuf_free(m);
	/* stop frees the entry: one more fits */
	txn_server_stop(t->w, &t->ts[1]);
	assert_int_equal(tt_server_start(t, TT_INDEX_CAP, tt_bye_in), 0);

	/* collisions: keys with the same home slot, removal from the middle of the run */
	ix = t->w->txn->index;
	for (i = 0; i < TT_SERVERS; i++)
		txn_server_stop(t->w, &t->ts[i]);
	assert_int_equal(ix->used, 0);
	for (i = 0; i < 3; i++)
		assert_int_not_equal(txn_index_insert(ix, 5 + (uint64_t)i * (ix->mask + 1), 100 + i,
						      &exists),
				     TXN_INDEX_NONE);
	assert_int_not_equal(txn_index_insert(ix, 6, 200, &exists), TXN_INDEX_NONE); /* home 6 */
	assert_int_equal(txn_index_insert(ix, 5, 1, &exists), TXN_INDEX_NONE);
	assert_true(exists);
	txn_index_remove(ix, 5 + (uint64_t)(ix->mask + 1)); /* the middle one */
	slot = txn_index_find(ix, 5 + 2 * (uint64_t)(ix->mask + 1));
	assert_int_not_equal(slot, TXN_INDEX_NONE);
	assert_int_equal(ix->e[slot].handle, 102);
	slot = txn_index_find(ix, 6);
	assert_int_not_equal(slot, TXN_INDEX_NONE);
	assert_int_equal(ix->e[slot].handle, 200);
	assert_int_not_equal(txn_index_find(ix, 5), TXN_INDEX_NONE);
	assert_int_equal(txn_index_find(ix, 5 + (uint64_t)(ix->mask + 1)), TXN_INDEX_NONE);
	txn_index_remove(ix, 5);
	txn_index_remove(ix, 6);
	txn_index_remove(ix, 5 + 2 * (uint64_t)(ix->mask + 1));
	assert_int_equal(ix->used, 0);
	for (i = 0; i <= ix->mask; i++)
		assert_int_equal(ix->e[i].key, 0);
}

/* CANCEL finds the INVITE it cancels (as_invite), ACK maps to INVITE. */
static void
test_TXN_cancel_and_ack_find_the_invite(void **state)
{
	struct tt *t = *state;
	struct sip_scan s;
	struct rte_mbuf *m;
	uint64_t handle = 0;

	assert_int_equal(tt_server_start(t, 0, tt_invite_in), 0);
	m = tt_rx(t,
		  "CANCEL sip:100@10.99.0.1 SIP/2.0\r\n"
		  "Via: SIP/2.0/UDP 10.99.0.7:40000;branch=z9hG4bKcaller1\r\n"
		  "From: <sip:300@10.99.0.7>;tag=c1\r\nTo: <sip:100@10.99.0.1>\r\n"
		  "Call-ID: callercall@10.99.0.7\r\nCSeq: 5 CANCEL\r\nContent-Length: 0\r\n\r\n",
		  &s);
	assert_int_equal(txn_server_find(t->w, &s, false, &handle), -ENOENT);
	assert_int_equal(txn_server_find(t->w, &s, true, &handle), 0);
	assert_int_equal(handle, TXN_HANDLE(TXN_USER_TEST, 0 | (uint32_t)t->ts_gen[0] << 16));
	/* the CANCEL's own transaction next to the INVITE's */
	assert_int_equal(txn_server_start(t->w, &t->ts[1], &s, &t->dest, 1, &t->sched), 0);
	rte_pktmbuf_free(m);
	m = tt_rx(t, tt_ack_in, &s);
	assert_int_equal(txn_server_find(t->w, &s, false, &handle), 0);
	rte_pktmbuf_free(m);
}

/* ---- the builders ---- */

static void
test_INV_5_build_ack_and_cancel_from_invite(void **state)
{
	char inv[1024], out[1024];
	const char *to = "<sip:100@10.99.0.7>;tag=theirtag";
	int n;

	(void)state;
	tt_request_text(inv, sizeof(inv), "INVITE", "z9hG4bKabc", 7);
	n = sip_build_ack((uint8_t *)out, sizeof(out) - 1, (const uint8_t *)inv, strlen(inv),
			  sf_span_of(to, strlen(to)));
	assert_true(n > 0);
	out[n] = '\0';
	assert_string_equal(out, "ACK sip:100@10.99.0.7:40000 SIP/2.0\r\n"
				 "Via: SIP/2.0/UDP 10.99.0.1:5060;branch=z9hG4bKabc\r\n"
				 "Max-Forwards: 70\r\n"
				 "Route: <sip:10.99.0.7;lr>\r\n"
				 "From: <sip:200@10.99.0.1>;tag=ourtag\r\n"
				 "To: <sip:100@10.99.0.7>;tag=theirtag\r\n"
				 "Call-ID: ourcall@10.99.0.1\r\n"
				 "CSeq: 7 ACK\r\n"
				 "Content-Length: 0\r\n\r\n");
	n = sip_build_cancel((uint8_t *)out, sizeof(out) - 1, (const uint8_t *)inv, strlen(inv));
	assert_true(n > 0);
	out[n] = '\0';
	assert_string_equal(out, "CANCEL sip:100@10.99.0.7:40000 SIP/2.0\r\n"
				 "Via: SIP/2.0/UDP 10.99.0.1:5060;branch=z9hG4bKabc\r\n"
				 "Max-Forwards: 70\r\n"
				 "Route: <sip:10.99.0.7;lr>\r\n"
				 "From: <sip:200@10.99.0.1>;tag=ourtag\r\n"
				 "To: <sip:100@10.99.0.7>\r\n"
				 "Call-ID: ourcall@10.99.0.1\r\n"
				 "CSeq: 7 CANCEL\r\n"
				 "Content-Length: 0\r\n\r\n");
	/* too small a buffer, missing headers */
	assert_int_equal(sip_build_cancel((uint8_t *)out, 40, (const uint8_t *)inv, strlen(inv)),
			 -1);
	assert_int_equal(sip_build_ack((uint8_t *)out, sizeof(out), (const uint8_t *)inv,
				       strlen(inv), (struct sf_span){NULL, 0}),
			 -1);
	/* compact header names, any case */
	assert_int_equal(sip_header_value((const uint8_t *)"INVITE x SIP/2.0\r\nv: a\r\ni:  b \r\n\r\n",
					  34, "Call-ID", 'i')
				 .len,
			 1);
}

/* The sizes docs/ARCHITECTURE.md reports. */
static void
test_TXN_struct_sizes(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct txn_client), 96);
	assert_int_equal(sizeof(struct txn_server), 96);
	assert_int_equal(sizeof(struct txn_schedule), 132);
	assert_int_equal(sizeof(struct txn_index_entry), 16);
}

static int
tt_group_setup(void **state)
{
	(void)state;
	return fx_eal_init();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    /* one line each: scripts/check-ids.py reads the ids here */
	    cmocka_unit_test_setup_teardown(test_INV_1_default_schedule_five_transmissions_then_timeout_at_10s, tt_setup, tt_teardown),
	    cmocka_unit_test_setup_teardown(test_INV_2_gateway_timeout_5s_four_transmissions, tt_setup, tt_teardown),
	    cmocka_unit_test_setup_teardown(test_INV_3_timeout_40s_all_ten_transmissions_none_after, tt_setup, tt_teardown),
	    cmocka_unit_test_setup_teardown(test_INV_4_provisional_stops_retransmission_and_invite_timer, tt_setup, tt_teardown),
	    cmocka_unit_test_setup_teardown(test_INV_5_non2xx_final_acked_same_branch, tt_setup, tt_teardown),
	    cmocka_unit_test_setup_teardown(test_INV_5_build_ack_and_cancel_from_invite, tt_setup, tt_teardown),
	    cmocka_unit_test_setup_teardown(test_INV_client_2xx_accepted_retransmissions_to_tu, tt_setup, tt_teardown),
	    cmocka_unit_test_setup_teardown(test_INV_6_retransmitted_invite_absorbed_latest_provisional_resent, tt_setup, tt_teardown),
	    cmocka_unit_test_setup_teardown(test_INV_7_2xx_resent_until_ack_no_ack_by_31_5s_reported, tt_setup, tt_teardown),
	    cmocka_unit_test_setup_teardown(test_INV_server_non2xx_timer_G_ack_confirmed_timer_I_and_H, tt_setup, tt_teardown),
	    cmocka_unit_test_setup_teardown(test_INV_8_schedule_1_1_1_three_transmissions_give_up_at_3s, tt_setup, tt_teardown),
	    cmocka_unit_test_setup_teardown(test_INV_1_idle_wheel_clock_not_stale_loop_step, tt_setup, tt_teardown),
	    cmocka_unit_test_setup_teardown(test_TXN_non_invite_client_E_F_K, tt_setup, tt_teardown),
	    cmocka_unit_test_setup_teardown(test_TXN_late_wheel_poll_catches_up_never_stalls, tt_setup, tt_teardown),
	    cmocka_unit_test_setup_teardown(test_GEN_2_response_matching_no_client_txn_dropped_counted, tt_setup, tt_teardown),
	    cmocka_unit_test_setup_teardown(test_GEN_3_retransmitted_bye_gets_same_200, tt_setup, tt_teardown),
	    cmocka_unit_test_setup_teardown(test_TXN_server_index_full_exists_stale_and_collisions, tt_setup, tt_teardown),
	    cmocka_unit_test_setup_teardown(test_TXN_cancel_and_ack_find_the_invite, tt_setup, tt_teardown),
	    cmocka_unit_test_setup_teardown(test_TXN_struct_sizes, tt_setup, tt_teardown),
	};

	return cmocka_run_group_tests(tests, tt_group_setup, NULL);
}
