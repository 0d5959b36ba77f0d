/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The call engine's packet path (issue 13): a B2BUA per worker. An INVITE that passed auth
 * (gateways by address, phones by digest through auth/) goes to its owner worker
 * (hash(Call-ID), rule K), becomes a call: 100 Trying to A at once, a route (registered phone,
 * else a gateway by longest prefix then priority), a new INVITE on the B leg with identifiers
 * minted from sip/token.h. Responses reach the call through the token in their top Via branch,
 * in-dialog requests through the token in their To tag; a retransmitted INVITE and a CANCEL,
 * which carry no token of ours, through the A index (Call-ID, From tag).
 * Every request and response that may be repeated goes through dataplane/txn/: the call
 * embeds three transaction slots (enum call_t: A's INVITE server transaction, B's INVITE
 * client transaction, CANCEL/BYE) and is their user (TXN_USER_CALL, call_txn_ops); the call's
 * own timer on the wheel is only the setup limit and the linger after the end. No malloc,
 * lock, log or syscall: set-up, control and the module entry are in call_setup.c.
 */
#include <errno.h>
#include <string.h>

#include "dataplane/auth/auth.h"
#include "dataplane/call/call.h"
#include "dataplane/call/call_impl.h"
#include "dataplane/net/net.h"
#include "dataplane/pkt_meta.h"
#include "dataplane/registrar/location.h"
#include "dataplane/registrar/registrar.h"
#include "dataplane/sip/build.h"
#include "dataplane/sip/token.h"
#include "dataplane/sip_reply.h"
#include "dataplane/steer.h"
#include "dataplane/worker.h"

/*
 * Largest message we build (an INVITE or an answer with its SDP, bytes): a reassembled INVITE
 * is at most ~11.8 KB (8 fragments, net/frag.c), so one carrying that much SDP still fits.
 */
#define CALL_MSG_MAX 12000u
#define CALL_NO_SPAN ((struct sf_span){NULL, 0})

/* --- small helpers ---------------------------------------------------------------------- */

static inline uint32_t
call_slot(const struct call_engine *ce, const struct call *c)
{
	return (uint32_t)(c - ce->calls);
}

static inline uint64_t
call_now_ms(const struct worker *w)
{
	return w->wheel.now;
}

static inline uint64_t
call_index_hash(struct sf_span call_id, struct sf_span from_tag)
{
	uint64_t h = sf_fnv1a64(SF_FNV1A64_OFFSET, call_id.p, call_id.len);

	h = sf_fnv1a64(h ^ 0x5bd1e995u, from_tag.p, from_tag.len);
	return h != 0 ? h : 1;
}

/* Owner worker of a call that starts here: hash(A's Call-ID) (rule K). */
static inline uint16_t
call_owner_of(struct sf_span call_id, uint16_t n_workers)
{
	return steer_owner((uint32_t)sf_fnv1a64(SF_FNV1A64_OFFSET, call_id.p, call_id.len),
			   n_workers);
}

static void
call_token_text(const struct worker *w, const struct call *c, uint8_t sub,
		uint8_t out[SIP_TOKEN_LEN])
{
	struct sip_token t = {
		.slot = call_slot(w->call, c), .entropy = c->entropy, .gen = c->gen,
		.owner = (uint8_t)w->index, .sub = sub,
	};

	sip_token_write(out, &t);
}

/* The live call @t names on this worker, or NULL (not ours, stale, other worker). */
static struct call *
call_by_token(const struct worker *w, const struct sip_token *t)
{
	const struct call_engine *ce = w->call;
	struct call *c;

	if (ce == NULL || t->owner != w->index || t->slot >= ce->capacity)
		return NULL;
	c = &ce->calls[t->slot];
	if (c->state == CALL_FREE || c->gen != t->gen || c->entropy != t->entropy)
		return NULL;
	return c;
}

/* Append @n bytes to @c's text as *@dst. False when the text area is full. */
static bool
call_put(struct call *c, struct call_str *dst, const void *p, size_t n)
{
	if (n > CALL_TEXT_MAX - c->text_len)
		return false;
	if (n > 0)
		memcpy(c->text + c->text_len, p, n);
	dst->off = c->text_len;
	dst->len = (uint16_t)n;
	c->text_len = (uint16_t)(c->text_len + n);
	return true;
}

/* "<uri>" [";tag=" tag] into @c's text as *@dst. */
static bool
call_put_addr(struct call *c, struct call_str *dst, struct sf_span display, struct sf_span uri,
	      struct sf_span tag)
{
	uint8_t *start = c->text + c->text_len;
	struct sip_bw b = SIP_BW_INIT(start, CALL_TEXT_MAX - c->text_len);

	if (display.len > 0) {
		SIP_BW_LIT(&b, "\"");
		sip_bw_span(&b, display);
		SIP_BW_LIT(&b, "\" ");
	}
	SIP_BW_LIT(&b, "<");
	sip_bw_span(&b, uri);
	SIP_BW_LIT(&b, ">");
	if (tag.len > 0) {
		SIP_BW_LIT(&b, ";tag=");
		sip_bw_span(&b, tag);
	}
	if (!b.ok)
		return false;
	dst->off = c->text_len;
	dst->len = (uint16_t)(b.p - start);
	c->text_len = (uint16_t)(c->text_len + dst->len);
	return true;
}

static void
bw_ipv4(struct sip_bw *b, uint32_t ip_be)
{
	const uint8_t *p = (const uint8_t *)&ip_be;

	sip_bw_uint(b, p[0]);
	SIP_BW_LIT(b, ".");
	sip_bw_uint(b, p[1]);
	SIP_BW_LIT(b, ".");
	sip_bw_uint(b, p[2]);
	SIP_BW_LIT(b, ".");
	sip_bw_uint(b, p[3]);
}

static void
bw_hostport(struct sip_bw *b, uint32_t ip_be, uint16_t port_be)
{
	bw_ipv4(b, ip_be);
	SIP_BW_LIT(b, ":");
	sip_bw_uint(b, rte_be_to_cpu_16(port_be));
}

/* --- gauges and outcomes ---------------------------------------------------------------- */

static void
call_count_outcome(struct worker *w, uint16_t code)
{
	if (code >= 600)
		worker_count(w, COUNTER_CALL_6XX, 1);
	else if (code >= 500)
		worker_count(w, COUNTER_CALL_5XX, 1);
	else if (code >= 400)
		worker_count(w, COUNTER_CALL_4XX, 1);
}

/* --- the A index (Call-ID + From tag -> slot), open addressing, backward-shift delete -- */

static struct call *
call_index_find(struct worker *w, struct sf_span call_id, struct sf_span from_tag)
{
	struct call_engine *ce = w->call;
	uint64_t key = call_index_hash(call_id, from_tag);
	uint32_t i = (uint32_t)key & ce->index_mask;

	while (ce->index_key[i] != 0) {
		if (ce->index_key[i] == key) {
			struct call *c = &ce->calls[ce->index_slot[i]];

			if (c->state != CALL_FREE && sf_span_eq(call_text(c, c->a.call_id), call_id) &&
			    sf_span_eq(call_text(c, c->a.from_tag), from_tag))
				return c;
		}
		i = (i + 1) & ce->index_mask;
	}
	return NULL;
}

static void
call_index_add(struct worker *w, struct call *c)
{
	struct call_engine *ce = w->call;
	uint64_t key = call_index_hash(call_text(c, c->a.call_id), call_text(c, c->a.from_tag));
	uint32_t i = (uint32_t)key & ce->index_mask;

	while (ce->index_key[i] != 0) /* twice as many slots as calls: never full */
		i = (i + 1) & ce->index_mask;
	ce->index_key[i] = key;
	ce->index_slot[i] = call_slot(ce, c);
	c->a_index_key = key;
}

static void
call_index_del(struct worker *w, struct call *c)
{
	struct call_engine *ce = w->call;
	uint32_t slot = call_slot(ce, c), mask = ce->index_mask;
	uint32_t i = (uint32_t)c->a_index_key & mask, j, home;

	if (c->a_index_key == 0)
		return;
	while (ce->index_key[i] != 0 && !(ce->index_key[i] == c->a_index_key &&
					  ce->index_slot[i] == slot))
		i = (i + 1) & mask;
	c->a_index_key = 0;
	if (ce->index_key[i] == 0)
		return;
	ce->index_key[i] = 0;
	/* backward shift: move later entries of the run into the hole when their home allows */
	for (j = (i + 1) & mask; ce->index_key[j] != 0; j = (j + 1) & mask) {
		home = (uint32_t)ce->index_key[j] & mask;
		if (((j - home) & mask) >= ((j - i) & mask)) {
			ce->index_key[i] = ce->index_key[j];
			ce->index_slot[i] = ce->index_slot[j];
			ce->index_key[j] = 0;
			i = j;
		}
	}
}

/* --- the call's transactions (dataplane/txn/) ------------------------------------------- */

static inline bool
call_txn_is_server(const struct call *c, unsigned int k)
{
	return c->t[k].c.is_server != 0;
}

/* Slot @k becomes an idle client (@server false) or server transaction of @c. */
static void
call_txn_init(struct worker *w, struct call *c, unsigned int k, bool server)
{
	struct txn_user u = {
		.index = call_slot(w->call, c), .gen = c->gen, .kind = TXN_USER_CALL,
		.which = (uint8_t)k,
	};

	if (server)
		txn_server_init(&c->t[k].sv, &u);
	else
		txn_client_init(&c->t[k].cl, &u);
}

/* Stop slot @k now, quietly (idle is fine). */
static void
call_txn_stop(struct worker *w, struct call *c, unsigned int k)
{
	if (call_txn_is_server(c, k))
		txn_server_stop(w, &c->t[k].sv);
	else
		txn_client_stop(w, &c->t[k].cl);
}

/* The value of a server transaction handle: slot, generation and which transaction. */
static inline uint64_t
call_handle(const struct worker *w, const struct call *c, unsigned int k)
{
	return (uint64_t)call_slot(w->call, c) | (uint64_t)c->gen << 24 | (uint64_t)k << 40;
}

/* Does slot @k still wait for something (not idle, not only absorbing retransmissions)? */
static bool
call_txn_waiting(const struct call *c, unsigned int k)
{
	return call_txn_is_server(c, k) ? txn_server_waiting(&c->t[k].sv)
					: txn_client_waiting(&c->t[k].cl);
}

/* Slot @k stopped and made an idle transaction of the other kind when needed. */
static void
call_txn_reuse(struct worker *w, struct call *c, unsigned int k, bool server)
{
	call_txn_stop(w, c, k);
	if (call_txn_is_server(c, k) != server)
		call_txn_init(w, c, k, server);
}

/* Slot @k as A's INVITE server transaction (still before its final or awaiting an ACK). */
static inline struct txn_server *
call_a_invite_txn(struct call *c)
{
	struct txn_server *ts = &c->t[CALL_T_A].sv;

	if (!call_txn_is_server(c, CALL_T_A) || !txn_server_active(ts) ||
	    ts->c.method != SIP_METHOD_INVITE)
		return NULL;
	return ts;
}

/*
 * The resend schedule a new call takes (I-34: the parameters now, kept for the call's life):
 * the current shared slot when @p's schedule is the same, else a slot no call uses. All
 * CALL_SCHED_SLOTS in use by calls of as many different schedules: the current one (the
 * parameters changed more often than calls end; the newest calls keep the older schedule).
 */
static uint8_t
call_sched_take(struct call_engine *ce, const struct sf_params *p)
{
	struct txn_schedule s;
	uint8_t i;

	memset(&s, 0, sizeof(s));
	txn_schedule_from_params(&s, p);
	if (ce->sched_refs[ce->sched_cur] == 0 || ce->sched[ce->sched_cur].n != s.n ||
	    memcmp(ce->sched[ce->sched_cur].wait_ms, s.wait_ms, sizeof(s.wait_ms)) != 0) {
		for (i = 0; i < CALL_SCHED_SLOTS; i++) {
			if (ce->sched_refs[i] == 0) {
				ce->sched[i] = s;
				ce->sched_cur = i;
				break;
			}
		}
	}
	ce->sched_refs[ce->sched_cur]++;
	return ce->sched_cur;
}

static inline const struct txn_schedule *
call_sched(const struct worker *w, const struct call *c)
{
	return &w->call->sched[c->sched];
}

/* --- the table -------------------------------------------------------------------------- */

static struct call *
call_alloc(struct worker *w)
{
	struct call_engine *ce = w->call;
	struct call *c;
	uint16_t gen;

	if (ce->free_head == 0)
		return NULL;
	c = &ce->calls[ce->free_head - 1];
	ce->free_head = c->next_free;
	gen = (uint16_t)(c->gen + 1);
	memset(c, 0, sizeof(*c));
	c->gen = gen;
	tw_node_init(&c->timer);
	call_txn_init(w, c, CALL_T_A, true);
	call_txn_init(w, c, CALL_T_B, false);
	call_txn_init(w, c, CALL_T_X, false);
	c->sched = call_sched_take(ce, &w->cfg->params);
	c->entropy = sip_token_entropy(&ce->entropy_state);
	c->state = CALL_TRYING;
	ce->n_used++;
	worker_count(w, COUNTER_CALL_SETUP, 1);
	return c;
}

/* Free everything @c holds and put its slot back; the gauges leave it. */
static void
call_free(struct worker *w, struct call *c)
{
	struct call_engine *ce = w->call;

	unsigned int k;

	for (k = 0; k < CALL_T_N; k++)
		call_txn_stop(w, c, k);
	tw_stop(&w->wheel, &c->timer);
	rte_pktmbuf_free(c->a_invite);
	c->a_invite = NULL;
	ce->sched_refs[c->sched]--;
	call_index_del(w, c);
	if (c->counted_active)
		w->counters[COUNTER_CALL_ACTIVE]--;
	else
		w->counters[COUNTER_CALL_SETUP]--;
	c->state = CALL_FREE;
	c->next_free = ce->free_head;
	ce->free_head = call_slot(ce, c) + 1;
	ce->n_used--;
}

/*
 * The call has nothing left to wait for: free it. Transactions that only absorb
 * retransmissions (Timers D, K, M, I, J) do not keep a call that ended: they are stopped with
 * it, and a late retransmission then meets a stale token (GEN-2, 481).
 */
static void
call_maybe_free(struct worker *w, struct call *c)
{
	unsigned int k;

	if (c->state != CALL_ENDING && c->state != CALL_CANCELLING)
		return;
	for (k = 0; k < CALL_T_N; k++)
		if (call_txn_waiting(c, k))
			return;
	if (!c->b_final || tw_pending(&c->timer))
		return;
	call_free(w, c);
}

/*
 * The conversation's cap, armed at answer (I-28, I-29): SS_MAX_CALL_DURATION for every call,
 * and SS_SIP_NO_TIMER_REINVITE_INTERVAL too for a caller without session-timer support (the
 * smaller wins, MAX-4); a timer-capable caller only has MAX (ST-10; RFC 4028 refreshes are not
 * built). Taken from the snapshot at answer: a later change leaves this call's cap alone
 * (NT-4, MAX-5, I-34). Measured from answer, so ringing time does not count (NT-2). In the
 * answered states the call's timer holds nothing else (the setup limit stopped at the 2xx).
 */
static void
call_cap_start(struct worker *w, struct call *c)
{
	const struct sf_params *p = &w->cfg->params;
	uint32_t cap_s = p->max_call_duration_none ? 0 : p->max_call_duration_s;

	if (!c->a_timer && (cap_s == 0 || p->no_timer_interval_s < cap_s))
		cap_s = p->no_timer_interval_s;
	if (cap_s == 0)
		return; /* MAX None and a timer call: no cap (MAX-1) */
	/* <= 604,800 s (I-35), inside the wheel's 24.8-day horizon; a refusal is counted there */
	(void)tw_start(&w->wheel, &c->timer, TW_KIND_CALL,
		       call_now_ms(w) + (uint64_t)cap_s * 1000u);
}

/* An answered call ends (BYE either way, calls.hangup, INV-7): its cap is no longer due. */
static void
call_answered_ends(struct worker *w, struct call *c)
{
	tw_stop(&w->wheel, &c->timer);
	c->state = CALL_ENDING;
}

/* --- sending ---------------------------------------------------------------------------- */

/* Where datagrams on @leg go (A: to the MAC its INVITE came from; B: the neighbour table). */
static void
call_leg_dest(const struct call_leg *leg, struct txn_dest *d)
{
	memset(d, 0, sizeof(*d));
	d->src_ip = leg->local_ip;
	d->dst_ip = leg->peer_ip;
	d->src_port = leg->local_port;
	d->dst_port = leg->peer_port;
	d->port_id = leg->port_id;
	d->has_mac = leg->has_mac;
	if (leg->has_mac)
		memcpy(&d->mac, leg->mac, sizeof(d->mac));
}

/*
 * Start request @msg (payload, taken) on @leg as a client transaction in slot @k of @c
 * (whatever the slot held is stopped). False when nothing could be sent (counted).
 */
static bool
call_client_start(struct worker *w, struct call *c, unsigned int k, struct call_leg *leg,
		  struct rte_mbuf *msg, enum sip_scan_method method, uint32_t cseq,
		  uint32_t invite_timeout_ms)
{
	struct txn_dest d;

	call_txn_reuse(w, c, k, false);
	if (msg == NULL) {
		worker_count(w, COUNTER_CALL_TX_FAILED, 1);
		return false;
	}
	call_leg_dest(leg, &d);
	if (txn_client_start(w, &c->t[k].cl, msg, &d, method, cseq, call_sched(w, c),
			     invite_timeout_ms) != 0) {
		worker_count(w, COUNTER_CALL_TX_FAILED, 1);
		return false;
	}
	return true;
}

/* One message on the wire, not repeated (the ACK for a 2xx): @msg is taken. */
static void
call_send_once(struct worker *w, const struct call_leg *leg, struct rte_mbuf *msg)
{
	struct txn_dest d;

	if (msg == NULL) {
		worker_count(w, COUNTER_CALL_TX_FAILED, 1);
		return;
	}
	call_leg_dest(leg, &d);
	txn_send(w, &d, msg);
}

/* --- building requests ------------------------------------------------------------------ */

struct call_req {
	struct sf_span method;
	struct sf_span ruri;
	struct sf_span from;       /* full value with tag */
	struct sf_span to;         /* full value */
	struct sf_span call_id;
	struct sf_span body;
	struct sf_span content_type;
	uint32_t cseq;
	struct sf_span cseq_method;
	int32_t max_forwards;
	uint8_t sub;               /* branch token sub */
	bool contact;
};

/* The B leg's Call-ID text: token@our-address, into @out (>= 48 bytes). */
static uint16_t
call_b_callid(const struct worker *w, const struct call *c, uint8_t *out, size_t cap)
{
	struct sip_bw b = SIP_BW_INIT(out, cap);
	uint8_t tok[SIP_TOKEN_LEN];

	call_token_text(w, c, CALL_SUB_B_CALLID, tok);
	sip_bw_put(&b, tok, sizeof(tok));
	SIP_BW_LIT(&b, "@");
	bw_ipv4(&b, c->b.local_ip);
	return b.ok ? (uint16_t)(b.p - out) : 0;
}

/* Writes one message into [@dst, @dst + @cap): its length, or < 0 when it does not fit. */
typedef int (*call_writer)(uint8_t *dst, size_t cap, const void *arg);

/*
 * A payload-only mbuf holding what @write writes, or NULL (counted tx_no_mbuf when no mbuf).
 * Most messages fit one mbuf of w->pool (2 KB data room). One that does not (an INVITE or an
 * answer whose SDP passes ~1.5 KB; issue 13 left it a 500) is written into a 16 KiB buffer of
 * the big pool and copied into a chain of w->pool mbufs (rte_pktmbuf_copy()), so the big
 * buffer, which reassembly needs, is held for the build only and not while a transaction may
 * retransmit it; a chain goes out fragmented like any datagram above the MTU (net/frag.c),
 * and the transaction's copies (rte_pktmbuf_copy()) and ACK (txn.c) take chains.
 */
static struct rte_mbuf *
call_build_msg(struct worker *w, call_writer write, const void *arg)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(w->pool), *chain;
	int len;

	if (unlikely(m == NULL)) {
		worker_count(w, COUNTER_TX_NO_MBUF, 1);
		return NULL;
	}
	len = write(rte_pktmbuf_mtod(m, uint8_t *), RTE_MIN(rte_pktmbuf_tailroom(m), CALL_MSG_MAX),
		    arg);
	if (likely(len >= 0)) {
		rte_pktmbuf_append(m, (uint16_t)len);
		return m;
	}
	rte_pktmbuf_free(m);
	if (w->big_pool == NULL || (m = rte_pktmbuf_alloc(w->big_pool)) == NULL)
		return NULL;
	len = write(rte_pktmbuf_mtod(m, uint8_t *), RTE_MIN(rte_pktmbuf_tailroom(m), CALL_MSG_MAX),
		    arg);
	if (len < 0) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	rte_pktmbuf_append(m, (uint16_t)len);
	chain = rte_pktmbuf_copy(m, w->pool, 0, UINT32_MAX);
	rte_pktmbuf_free(m);
	if (chain == NULL)
		worker_count(w, COUNTER_TX_NO_MBUF, 1);
	return chain;
}

/* A request for call_write_req(): which call and leg, and what (call_build_req()). */
struct call_req_ctx {
	const struct worker *w;
	const struct call *c;
	const struct call_leg *leg;
	const struct call_req *r;
};

/*
 * Write the request @arg (struct call_req_ctx) into [@dst, @dst + @cap): its length, or -1
 * when it does not fit.
 */
static int
call_write_req(uint8_t *dst, size_t cap, const void *arg)
{
	const struct call_req_ctx *x = arg;
	const struct worker *w = x->w;
	const struct call *c = x->c;
	const struct call_leg *leg = x->leg;
	const struct call_req *r = x->r;
	uint8_t branch[SIP_TOKEN_BRANCH_LEN];
	struct sip_token t = {
		.slot = call_slot(w->call, c), .entropy = c->entropy, .gen = c->gen,
		.owner = (uint8_t)w->index, .sub = r->sub,
	};
	struct sip_bw b = SIP_BW_INIT(dst, cap);

	sip_token_write_branch(branch, &t);
	sip_bw_span(&b, r->method);
	SIP_BW_LIT(&b, " ");
	sip_bw_span(&b, r->ruri);
	SIP_BW_LIT(&b, " SIP/2.0\r\nVia: SIP/2.0/UDP ");
	bw_hostport(&b, leg->local_ip, leg->local_port);
	SIP_BW_LIT(&b, ";branch=");
	sip_bw_put(&b, branch, sizeof(branch));
	SIP_BW_LIT(&b, ";rport\r\nMax-Forwards: ");
	sip_bw_uint(&b, (uint32_t)(r->max_forwards >= 0 ? r->max_forwards : 70));
	SIP_BW_LIT(&b, "\r\nFrom: ");
	sip_bw_span(&b, r->from);
	SIP_BW_LIT(&b, "\r\nTo: ");
	sip_bw_span(&b, r->to);
	SIP_BW_LIT(&b, "\r\nCall-ID: ");
	sip_bw_span(&b, r->call_id);
	SIP_BW_LIT(&b, "\r\nCSeq: ");
	sip_bw_uint(&b, r->cseq);
	SIP_BW_LIT(&b, " ");
	sip_bw_span(&b, r->cseq_method.len > 0 ? r->cseq_method : r->method);
	SIP_BW_LIT(&b, "\r\n");
	if (r->contact) {
		SIP_BW_LIT(&b, "Contact: <sip:");
		bw_hostport(&b, leg->local_ip, leg->local_port);
		SIP_BW_LIT(&b, ">\r\n");
	}
	if (w->cfg->server_len > 0) {
		SIP_BW_LIT(&b, "User-Agent: ");
		sip_bw_put(&b, w->cfg->server, w->cfg->server_len);
		SIP_BW_LIT(&b, "\r\n");
	}
	if (r->body.len > 0) {
		SIP_BW_LIT(&b, "Content-Type: ");
		sip_bw_span(&b, r->content_type);
		SIP_BW_LIT(&b, "\r\n");
	}
	SIP_BW_LIT(&b, "Content-Length: ");
	sip_bw_uint(&b, r->body.len);
	SIP_BW_LIT(&b, "\r\n\r\n");
	sip_bw_span(&b, r->body);
	return b.ok ? (int)(b.p - dst) : -1;
}

static struct rte_mbuf *
call_build_req(struct worker *w, const struct call *c, const struct call_leg *leg,
	       const struct call_req *r)
{
	const struct call_req_ctx x = { .w = w, .c = c, .leg = leg, .r = r };

	return call_build_msg(w, call_write_req, &x);
}

/* A request on the B leg in its dialog (ACK, BYE, CANCEL): our From, B's To, our Call-ID. */
static struct rte_mbuf *
call_build_b(struct worker *w, const struct call *c, struct sf_span method, uint32_t cseq,
	     struct sf_span cseq_method, uint8_t sub, struct sf_span to, struct sf_span ruri)
{
	uint8_t cid[64];
	struct call_req r = {
		.method = method, .ruri = ruri,
		.from = call_text(c, c->b.from), .to = to,
		.call_id = {cid, call_b_callid(w, c, cid, sizeof(cid))},
		.cseq = cseq, .cseq_method = cseq_method, .max_forwards = 70, .sub = sub,
	};

	return call_build_req(w, c, &c->b, &r);
}

/* Our BYE on @leg (either side), per the dialog state we copied. */
static struct rte_mbuf *
call_build_bye(struct worker *w, struct call *c, struct call_leg *leg)
{
	if (leg == &c->b) {
		c->b.cseq++;
		return call_build_b(w, c, SIP_BUILD_LIT("BYE"), c->b.cseq, CALL_NO_SPAN,
				    CALL_SUB_B_BYE, call_text(c, c->b.to), call_text(c, c->b.target));
	}
	struct call_req r = {
		.method = SIP_BUILD_LIT("BYE"), .ruri = call_text(c, c->a.target),
		.from = call_text(c, c->a.to), .to = call_text(c, c->a.from),
		.call_id = call_text(c, c->a.call_id), .cseq = ++c->a.our_cseq,
		.max_forwards = 70, .sub = CALL_SUB_A_BYE,
	};
	return call_build_req(w, c, &c->a, &r);
}

/* --- responses to A --------------------------------------------------------------------- */

/* A response to A for call_write_a_resp(): A's INVITE and what to answer. */
struct call_resp_ctx {
	struct rte_mbuf *inv;
	const struct sip_build_resp *r;
};

static int
call_write_a_resp(uint8_t *dst, size_t cap, const void *arg)
{
	const struct call_resp_ctx *x = arg;

	return sip_build_response(dst, cap, pkt_meta_payload(x->inv), pkt_meta(x->inv)->payload_len,
				  &pkt_sip(x->inv)->scan, x->r);
}

/*
 * Build a response to A's INVITE (held in c->a_invite): A's Vias, From, Call-ID, CSeq, To with
 * our tag (none for 100), Contact for 18x/2xx, @body with @ctype. Payload-only mbuf or NULL.
 */
static struct rte_mbuf *
call_build_a_resp(struct worker *w, struct call *c, uint16_t code, struct sf_span reason,
		  struct sf_span body, struct sf_span ctype)
{
	struct rte_mbuf *inv = c->a_invite;
	const struct pkt_meta *meta;
	uint8_t tag[SIP_TOKEN_LEN];
	uint8_t extra[96];
	struct sip_bw b = SIP_BW_INIT(extra, sizeof(extra));

	if (inv == NULL)
		return NULL;
	meta = pkt_meta(inv);
	call_token_text(w, c, CALL_SUB_A_TAG, tag);
	if (code > 100 && code < 300) {
		SIP_BW_LIT(&b, "Contact: <sip:");
		bw_hostport(&b, c->a.local_ip, c->a.local_port);
		SIP_BW_LIT(&b, ">\r\n");
	}
	if (code == 503) {
		SIP_BW_LIT(&b, "Retry-After: ");
		sip_bw_uint(&b, CALL_RETRY_AFTER_S);
		SIP_BW_LIT(&b, "\r\n");
	}
	struct sip_build_resp r = {
		.code = code, .reason = reason, .src_ip_be = meta->src_ip,
		.src_port = rte_be_to_cpu_16(meta->src_port),
		.extra = {extra, (uint16_t)(b.p - extra)},
		.server = {(const uint8_t *)w->cfg->server, w->cfg->server_len},
		.to_tag = {tag, sizeof(tag)}, .no_to_tag = code == 100,
		.body = body, .content_type = ctype,
	};
	const struct call_resp_ctx x = { .inv = inv, .r = &r };

	return call_build_msg(w, call_write_a_resp, &x);
}

/*
 * Send a provisional (or 100) to A through A's INVITE server transaction, which keeps it as
 * the last response for A's retransmissions (INV-6, GEN-3).
 */
static void
call_a_provisional(struct worker *w, struct call *c, uint16_t code, struct sf_span reason,
		   struct sf_span body, struct sf_span ctype)
{
	struct txn_server *ts = call_a_invite_txn(c);
	struct rte_mbuf *m;

	if (ts == NULL)
		return;
	m = call_build_a_resp(w, c, code, reason, body, ctype);
	if (m == NULL || txn_server_respond(w, ts, m, code) != 0)
		worker_count(w, COUNTER_CALL_TX_FAILED, 1);
}

/*
 * A's final response, counted by outcome once, through A's INVITE server transaction: re-sent
 * on the schedule until A's ACK (2xx: INV-7, server_timeout; non-2xx: timers G/H/I). A's
 * INVITE is no longer needed then.
 */
static void
call_a_final(struct worker *w, struct call *c, uint16_t code, struct sf_span reason,
	     struct sf_span body, struct sf_span ctype)
{
	struct txn_server *ts = call_a_invite_txn(c);
	struct rte_mbuf *m;

	if (c->a_final_sent)
		return;
	c->a_final_sent = true;
	if (code >= 300)
		call_count_outcome(w, code);
	m = ts != NULL ? call_build_a_resp(w, c, code, reason, body, ctype) : NULL;
	if (m == NULL || txn_server_respond(w, ts, m, code) != 0)
		worker_count(w, COUNTER_CALL_TX_FAILED, 1);
	rte_pktmbuf_free(c->a_invite);
	c->a_invite = NULL;
}

static struct sf_span
call_reason_of(uint16_t code)
{
	switch (code) {
	case 404:
		return SIP_BUILD_LIT("Not Found");
	case 408:
		return SIP_BUILD_LIT("Request Timeout");
	case 480:
		return SIP_BUILD_LIT("Temporarily Unavailable");
	case 487:
		return SIP_BUILD_LIT("Request Terminated");
	case 500:
		return SIP_BUILD_LIT("Server Internal Error");
	case 503:
		return SIP_BUILD_LIT("Service Unavailable");
	default:
		return SIP_BUILD_LIT("Error");
	}
}

/* A call that failed before or on the B leg: A gets @code; the call ends when done. */
static void
call_fail_a(struct worker *w, struct call *c, uint16_t code, struct sf_span reason)
{
	call_a_final(w, c, code, reason.len > 0 ? reason : call_reason_of(code), CALL_NO_SPAN,
		     CALL_NO_SPAN);
	c->state = CALL_ENDING;
	/* the setup limit no longer applies: linger to catch late messages, then end */
	tw_stop(&w->wheel, &c->timer);
	tw_start(&w->wheel, &c->timer, TW_KIND_CALL, call_now_ms(w) + CALL_LINGER_MS);
}

/* --- ending ----------------------------------------------------------------------------- */

/*
 * BYE on @leg when its dialog is up, a client transaction (A: slot A, whose INVITE server
 * transaction stops re-sending our 2xx; B: slot X); the call ends when the BYEs are done.
 */
static void
call_bye_leg(struct worker *w, struct call *c, struct call_leg *leg)
{
	unsigned int k = leg == &c->a ? CALL_T_A : CALL_T_X;
	struct rte_mbuf *m = call_build_bye(w, c, leg); /* moves the leg's CSeq on */

	call_client_start(w, c, k, leg, m, SIP_METHOD_BYE,
			  leg == &c->a ? c->a.our_cseq : c->b.cseq, 0);
}

/* CANCEL on the B leg (slot X), on the INVITE's branch, once B sent a provisional. */
static void
call_cancel_b(struct worker *w, struct call *c)
{
	struct rte_mbuf *m;

	if (!c->b_provisional) {
		c->cancel_pending = true; /* sent when a provisional arrives, never after a timeout */
		return;
	}
	m = call_build_b(w, c, SIP_BUILD_LIT("CANCEL"), 1, CALL_NO_SPAN, CALL_SUB_B_INVITE,
			 call_text(c, c->b.to), call_text(c, c->b.target));
	call_client_start(w, c, CALL_T_X, &c->b, m, SIP_METHOD_CANCEL, 1, 0);
}

static void
call_to_active(struct worker *w, struct call *c)
{
	if (c->counted_active)
		return;
	c->counted_active = true;
	w->counters[COUNTER_CALL_SETUP]--;
	worker_count(w, COUNTER_CALL_ACTIVE, 1);
}

void
call_end_now(struct worker *w, struct call *c)
{
	switch (c->state) {
	case CALL_TRYING:
	case CALL_EARLY:
		call_fail_a(w, c, 487, CALL_NO_SPAN);
		worker_count(w, COUNTER_CALL_CANCELLED, 1);
		c->state = CALL_CANCELLING;
		call_cancel_b(w, c);
		break;
	case CALL_ANSWERED:
	case CALL_CONFIRMED:
		call_answered_ends(w, c);
		call_bye_leg(w, c, &c->a);
		call_bye_leg(w, c, &c->b);
		break;
	default:
		break;
	}
	call_maybe_free(w, c);
}

/* --- timers ----------------------------------------------------------------------------- */

void
call_timer_fired(struct tw_wheel *wh, struct tw_node *n, uint64_t now, void *arg)
{
	struct worker *w = arg;
	struct call *c = container_of(n, struct call, timer);

	RTE_SET_USED(wh);
	RTE_SET_USED(now);
	if (c->state == CALL_ANSWERED || c->state == CALL_CONFIRMED) {
		/* NT-1/2, MAX-2/3/4: the conversation reached its cap */
		worker_count(w, COUNTER_CALL_DURATION_CAPPED, 1);
		call_end_now(w, c);
		return;
	}
	if (c->state == CALL_EARLY || c->state == CALL_TRYING) {
		/* timer C: B rang but never answered */
		worker_count(w, COUNTER_CALL_TIMEOUT, 1);
		call_fail_a(w, c, 408, CALL_NO_SPAN);
		c->state = CALL_CANCELLING;
		call_cancel_b(w, c);
		if (!c->b_provisional)
			c->b_final = true;
	} else {
		/* the linger ended: whatever A or B still owes us, we stop waiting */
		c->b_final = true;
		call_txn_stop(w, c, CALL_T_A);
		if (txn_client_waiting(&c->t[CALL_T_B].cl))
			call_txn_stop(w, c, CALL_T_B);
	}
	call_maybe_free(w, c);
}

/* --- routing ---------------------------------------------------------------------------- */

struct call_route {
	uint16_t code;                  /* 0 = routed, else the final for A */
	const struct policy_gateway *gw;
	uint16_t gw_index;
	const struct location_binding *b;
};

static bool
call_prefix_of(struct sf_span user, const char *prefix, size_t *len)
{
	size_t n = 0;

	while (prefix[n] != '\0') {
		if (n >= user.len || user.p[n] != (uint8_t)prefix[n])
			return false;
		n++;
	}
	*len = n;
	return true;
}

/*
 * Where @user's call goes: a configured account -> its binding (newest; its observed source,
 * REG-9/13), or 480 when not registered (REG-6); else the gateways whose prefix matches,
 * longest prefix first, then priority (lower first); none -> 404.
 */
static void
call_route_user(struct worker *w, struct sf_span user, struct call_route *rt)
{
	const struct policy *pol = w->cfg->policy;
	size_t best_len = 0, len;
	uint32_t i, k;

	memset(rt, 0, sizeof(*rt));
	if (pol == NULL || user.len == 0) {
		rt->code = 404;
		return;
	}
	if (policy_account_by_user(pol, user) != NULL) {
		const struct registrar_shared *sh = w->reg != NULL ? w->reg->sh : NULL;

		if (sh != NULL) {
			uint16_t o = steer_owner(location_aor_hash(user), sh->n_workers);

			if (sh->shard[o] != NULL)
				rt->b = location_lookup(sh->shard[o], user, registrar_now(w));
		}
		rt->code = rt->b != NULL ? 0 : 480;
		return;
	}
	for (i = 0; i < pol->n_gateways; i++) {
		const struct policy_gateway *g = &pol->gateways[i];

		for (k = 0; k < g->n_prefixes; k++) {
			if (!call_prefix_of(user, g->prefixes[k], &len))
				continue;
			if (rt->gw == NULL || len > best_len ||
			    (len == best_len && g->priority < rt->gw->priority)) {
				rt->gw = g;
				rt->gw_index = (uint16_t)i;
				best_len = len;
			}
		}
	}
	rt->code = rt->gw != NULL ? 0 : 404;
}

/* --- A: a new INVITE -------------------------------------------------------------------- */

/* Copy A's identifiers out of its INVITE. False when they do not fit. */
static bool
call_copy_a(struct call *c, const struct sip_scan *s)
{
	struct call_leg *a = &c->a;

	uint8_t src[32];
	struct sip_bw b = SIP_BW_INIT(src, sizeof(src));
	struct sf_span target = s->contact.uri;

	if (target.len == 0) { /* no Contact: A's source address is the best target we have */
		SIP_BW_LIT(&b, "sip:");
		bw_hostport(&b, a->peer_ip, a->peer_port);
		target = (struct sf_span){src, (uint16_t)(b.p - src)};
	}
	return call_put(c, &a->call_id, s->call_id.p, s->call_id.len) &&
	       call_put(c, &a->from_tag, s->from.tag.p, s->from.tag.len) &&
	       call_put(c, &a->user, s->from.user.p, s->from.user.len) &&
	       call_put_addr(c, &a->from, s->from.display, s->from.uri, s->from.tag) &&
	       call_put(c, &a->target, target.p, target.len) &&
	       call_put(c, &c->b.user, s->line.ruri_user.p, s->line.ruri_user.len);
}

/* Set up the B leg per @rt and send its INVITE. False when it could not be built. */
static bool
call_start_b(struct worker *w, struct call *c, struct rte_mbuf *inv,
	     const struct sip_scan *s, const struct call_route *rt)
{
	const struct pkt_meta *meta = pkt_meta(inv);
	struct call_leg *b = &c->b;
	uint8_t tag[SIP_TOKEN_LEN], ruri[160];
	struct sip_bw rb = SIP_BW_INIT(ruri, sizeof(ruri));
	uint8_t cid[64];
	uint32_t timeout_s;

	if (rt->b != NULL) {
		b->peer_ip = rt->b->src_ip; /* REG-13: the observed source, never the Contact */
		b->peer_port = rt->b->src_port;
		b->local_ip = rt->b->local_ip;
		b->local_port = rt->b->local_port;
		b->port_id = rt->b->in_port;
		sip_bw_span(&rb, location_binding_contact(rt->b));
		timeout_s = w->cfg->params.timeout_invite_s;
	} else {
		b->peer_ip = rt->gw->ip_be;
		b->peer_port = rte_cpu_to_be_16(rt->gw->port);
		b->local_ip = meta->dst_ip;
		b->local_port = meta->dst_port;
		b->port_id = meta->in_port;
		SIP_BW_LIT(&rb, "sip:");
		sip_bw_span(&rb, s->line.ruri_user);
		SIP_BW_LIT(&rb, "@");
		bw_hostport(&rb, b->peer_ip, b->peer_port);
		c->gateway = (uint16_t)(rt->gw_index + 1);
		timeout_s = rt->gw->invite_timeout_s != 0 ? rt->gw->invite_timeout_s
							  : w->cfg->params.timeout_invite_s;
	}
	call_token_text(w, c, CALL_SUB_B_TAG, tag);
	if (!rb.ok || !call_put(c, &b->target, ruri, (size_t)(rb.p - ruri)) ||
	    !call_put_addr(c, &b->from, s->from.display, s->from.uri,
			   (struct sf_span){tag, sizeof(tag)}) ||
	    !call_put_addr(c, &b->to, CALL_NO_SPAN, call_text(c, b->target), CALL_NO_SPAN))
		return false;
	b->cseq = 1;
	struct call_req r = {
		.method = SIP_BUILD_LIT("INVITE"), .ruri = call_text(c, b->target),
		.from = call_text(c, b->from), .to = call_text(c, b->to),
		.call_id = {cid, call_b_callid(w, c, cid, sizeof(cid))}, .cseq = 1,
		.max_forwards = s->max_forwards > 0 ? s->max_forwards - 1 : 70,
		.sub = CALL_SUB_B_INVITE, .contact = true,
		.body = s->body, .content_type = s->content_type,
	};
	if (s->content_length <= 0)
		r.body = CALL_NO_SPAN;
	/* INV-1..4: the invite timeout runs in B's INVITE client transaction */
	return call_client_start(w, c, CALL_T_B, b, call_build_req(w, c, b, &r), SIP_METHOD_INVITE,
				 1, timeout_s * 1000u);
}

/*
 * A's INVITE again (GEN-3, INV-6): A's INVITE server transaction re-sends the last response
 * (nothing once it ended); nothing is forwarded.
 */
static enum verdict
call_a_retrans(struct worker *w, struct call *c, struct rte_mbuf *m, const struct sip_scan *s)
{
	struct txn_server *ts = call_a_invite_txn(c);

	if (ts != NULL)
		txn_server_request(w, ts, s, m);
	rte_pktmbuf_free(m);
	return VERDICT_SIP_CALL_RETRANS;
}

/* A routing refusal (404/480) or the 503 of a full table, stateless, counted. */
static enum verdict
call_refuse(struct worker *w, struct rte_mbuf *m, const struct sip_scan *s, uint16_t code)
{
	uint8_t extra[32];
	struct sip_bw b = SIP_BW_INIT(extra, sizeof(extra));
	enum verdict v;

	if (code == 503) {
		SIP_BW_LIT(&b, "Retry-After: ");
		sip_bw_uint(&b, CALL_RETRY_AFTER_S);
		SIP_BW_LIT(&b, "\r\n");
	}
	v = sip_reply_verdict(sip_reply_send(w, m, s, code, call_reason_of(code),
					     (struct sf_span){extra, (uint16_t)(b.p - extra)}),
			      VERDICT_SIP_INVITE_ADMITTED);
	rte_pktmbuf_free(m);
	return v;
}

/* On the owner: a new call from A's authorised INVITE @m. */
static enum verdict
call_invite_owner(struct worker *w, struct rte_mbuf *m, const struct sip_scan *s)
{
	uint8_t tag[SIP_TOKEN_LEN];
	struct call_route rt;
	struct call *c;

	c = call_index_find(w, s->call_id, s->from.tag);
	if (c != NULL) {
		if (s->cseq == c->a.cseq || !c->a_final_sent)
			return call_a_retrans(w, c, m, s);
		/*
		 * A new INVITE (new CSeq) after the old one's final: a new call; the old lingers,
		 * but its INVITE server transaction ends (the caller has its final and moved on;
		 * a request that reuses the branch is then the new call's).
		 */
		call_index_del(w, c);
		if (call_a_invite_txn(c) != NULL)
			call_txn_stop(w, c, CALL_T_A);
		call_maybe_free(w, c);
	}
	call_route_user(w, s->line.ruri_user, &rt);
	if (rt.code != 0) {
		call_count_outcome(w, rt.code);
		return call_refuse(w, m, s, rt.code);
	}
	c = call_alloc(w);
	if (c == NULL) {
		worker_count(w, COUNTER_CALL_REJECTED_FULL, 1);
		return call_refuse(w, m, s, 503);
	}
	c->a.peer_ip = pkt_meta(m)->src_ip;
	c->a.peer_port = pkt_meta(m)->src_port;
	c->a.local_ip = pkt_meta(m)->dst_ip;
	c->a.local_port = pkt_meta(m)->dst_port;
	c->a.port_id = pkt_meta(m)->in_port;
	c->a.has_mac = true;
	memcpy(c->a.mac, &pkt_meta(m)->src_mac, sizeof(c->a.mac));
	c->a.cseq = s->cseq;
	c->start_s = auth_now(w);
	/* I-26: Session-Expires, or "timer" in Supported/Require, picks the call's timer mode */
	c->a_timer = s->session_expires >= 0 || s->timer_supported || s->timer_required;
	/* A's INVITE server transaction: retransmissions, our responses (INV-6, GEN-3, INV-7) */
	{
		struct txn_dest d;
		int rc;

		txn_dest_reply(&d, m);
		rc = txn_server_start(w, &c->t[CALL_T_A].sv, s, &d,
				      TXN_HANDLE(TXN_USER_CALL, call_handle(w, c, CALL_T_A)),
				      call_sched(w, c));
		if (rc != 0) { /* index full (counted), no branch, or a duplicate key */
			c->state = CALL_ENDING;
			c->b_final = true;
			call_free(w, c);
			worker_count(w, COUNTER_CALL_TX_FAILED, 1);
			return call_refuse(w, m, s, 503);
		}
	}
	c->a_invite = m; /* held until A has its final: the responses to A are built from it */
	/* A's identifiers, and A's To with our tag so a BYE to A repeats it */
	call_token_text(w, c, CALL_SUB_A_TAG, tag);
	if (!call_copy_a(c, s) || !call_put_addr(c, &c->a.to, s->to.display, s->to.uri,
						 (struct sf_span){tag, sizeof(tag)})) {
		worker_count(w, COUNTER_CALL_TX_FAILED, 1);
		c->b_final = true;
		call_fail_a(w, c, 500, CALL_NO_SPAN);
		return VERDICT_SIP_INVITE_ADMITTED;
	}
	call_index_add(w, c);
	call_a_provisional(w, c, 100, SIP_BUILD_LIT("Trying"), CALL_NO_SPAN, CALL_NO_SPAN);
	if (!call_start_b(w, c, m, s, &rt)) {
		worker_count(w, COUNTER_CALL_TX_FAILED, 1);
		c->b_final = true;
		call_fail_a(w, c, 500, CALL_NO_SPAN);
	}
	return VERDICT_SIP_INVITE_ADMITTED;
}

/* --- INVITE authentication (phones), on the source-IP owner ----------------------------- */

static enum verdict
call_auth_reply(struct worker *w, struct rte_mbuf *m, const struct sip_scan *s,
		const struct auth_result *res)
{
	enum verdict v;

	if (res->outcome == AUTH_REJECT) {
		/* I-3: 403 with reply On, silence with Off; auth/ counted the reason */
		if (!w->cfg->params.reply_unauthorized) {
			rte_pktmbuf_free(m);
			return VERDICT_SIP_DROP_INVITE_REJECTED;
		}
		v = sip_reply_verdict(sip_reply_send(w, m, s, 403, SIP_BUILD_LIT("Forbidden"),
						     CALL_NO_SPAN),
				      VERDICT_SIP_INVITE_REJECTED);
		rte_pktmbuf_free(m);
		return v;
	}
	{
		bool proxy = w->cfg->params.auth_code == SF_AUTH_CODE_407;
		uint8_t hdr[768];
		int n = auth_challenge_header(w, s, pkt_meta(m)->src_ip, res->stale, hdr,
					      sizeof(hdr));

		if (n < 0) {
			rte_pktmbuf_free(m);
			return VERDICT_SIP_DROP_REPLY_FAILED;
		}
		worker_count(w, COUNTER_CALL_AUTH_CHALLENGES, 1);
		v = sip_reply_verdict(
			sip_reply_send(w, m, s, proxy ? 407 : 401,
				       proxy ? SIP_BUILD_LIT("Proxy Authentication Required")
					     : SIP_BUILD_LIT("Unauthorized"),
				       (struct sf_span){hdr, (uint16_t)n}),
			VERDICT_SIP_INVITE_CHALLENGED);
		rte_pktmbuf_free(m);
		return v;
	}
}

/*
 * A new INVITE (no To tag): a phone's is verified through auth/ on its source-IP owner exactly
 * like a REGISTER (no INVITE is routed on an unverified Authorization header); a gateway's is
 * trusted by address (UNAUTH-9). Then to the owner, hash(Call-ID) (rule K).
 */
static enum verdict
call_invite(struct worker *w, struct rte_mbuf *m, const struct sip_scan *s,
	    enum policy_class cls, const struct policy_account *acct)
{
	struct pkt_meta *meta = pkt_meta(m);
	uint16_t owner;

	if (cls != POLICY_GATEWAY && !(meta->flags & PKT_META_F_AUTHENTICATED)) {
		const struct sf_params *p = &w->cfg->params;
		struct auth_result res;

		if (unlikely(w->auth == NULL)) {
			rte_pktmbuf_free(m);
			return VERDICT_SIP_DROP_REPLY_FAILED;
		}
		owner = steer_source_owner(meta->src_ip, w->n_workers);
		if (owner != w->index) {
			meta->sip.stage = PKT_SIP_SCANNED;
			meta->sip.cls = (uint8_t)cls;
			return steer_hold(w, owner, m);
		}
		struct sf_span user = policy_identity(s);

		if (acct == NULL)
			acct = policy_account_by_user(w->cfg->policy, user);
		if (acct != NULL && acct->params != NULL)
			p = acct->params;
		struct auth_req q = {
			.s = s, .acct = acct, .p = p, .user = user, .now = auth_now(w),
			.is_register = false,
		};
		auth_verify(w, meta, &q, &res);
		if (res.outcome != AUTH_OK)
			return call_auth_reply(w, m, s, &res);
		meta->flags |= PKT_META_F_AUTHENTICATED;
	}
	owner = call_owner_of(s->call_id, w->n_workers);
	if (owner != w->index) {
		meta->sip.stage = PKT_SIP_CALL;
		meta->sip.cls = (uint8_t)cls;
		return steer_hold(w, owner, m);
	}
	if (unlikely(w->call == NULL)) {
		rte_pktmbuf_free(m);
		return VERDICT_SIP_INVITE_ADMITTED;
	}
	return call_invite_owner(w, m, s);
}

/* --- responses from the legs ------------------------------------------------------------ */

/* B's 2xx after we gave up on B (CANCEL crossed, our timeout): ACK it and BYE it, once. */
static void
call_b_late_2xx(struct worker *w, struct call *c, const struct sip_scan *s)
{
	struct call_str to, target;

	if (c->late_handled)
		return;
	c->late_handled = true;
	worker_count(w, COUNTER_CALL_LATE_2XX, 1);
	if (!call_put_addr(c, &to, s->to.display, s->to.uri, s->to.tag))
		to = c->b.to;
	target = c->b.target;
	if (s->contact.uri.len > 0)
		call_put(c, &target, s->contact.uri.p, s->contact.uri.len);
	c->b.to = to;
	c->b.target = target;
	call_send_once(w, &c->b,
		       call_build_b(w, c, SIP_BUILD_LIT("ACK"), 1, CALL_NO_SPAN, CALL_SUB_B_ACK,
				    call_text(c, to), call_text(c, target)));
	c->b_final = true;
	call_bye_leg(w, c, &c->b);
}

/* B's response to our INVITE. */
static void
call_b_invite_resp(struct worker *w, struct call *c, const struct sip_scan *s)
{
	uint16_t code = s->line.status_code;
	struct sf_span body = s->content_length > 0 ? s->body : CALL_NO_SPAN;

	if (code < 200) { /* INV-4: B's INVITE transaction stopped retransmitting */
		if (c->b_final)
			return; /* after its final or our timeout: no CANCEL, nothing relayed */
		c->b_provisional = true;
		if (c->cancel_pending) {
			c->cancel_pending = false;
			call_cancel_b(w, c);
			return;
		}
		if (c->state == CALL_TRYING && !tw_pending(&c->timer))
			tw_start(&w->wheel, &c->timer, TW_KIND_CALL,
				 call_now_ms(w) + CALL_SETUP_MAX_MS);
		if (code > 100 && (c->state == CALL_TRYING || c->state == CALL_EARLY)) {
			c->state = CALL_EARLY;
			call_a_provisional(w, c, code, s->line.reason, body, s->content_type);
		}
		return;
	}
	if (code < 300) {
		if (c->state != CALL_TRYING && c->state != CALL_EARLY) {
			if (c->state == CALL_ANSWERED || c->state == CALL_CONFIRMED) {
				/* B's 2xx again: our ACK was lost */
				call_send_once(w, &c->b,
					       call_build_b(w, c, SIP_BUILD_LIT("ACK"), 1,
							    CALL_NO_SPAN, CALL_SUB_B_ACK,
							    call_text(c, c->b.to),
							    call_text(c, c->b.target)));
				return;
			}
			call_b_late_2xx(w, c, s);
			call_maybe_free(w, c);
			return;
		}
		tw_stop(&w->wheel, &c->timer);
		if (!call_put_addr(c, &c->b.to, s->to.display, s->to.uri, s->to.tag) ||
		    (s->contact.uri.len > 0 &&
		     !call_put(c, &c->b.target, s->contact.uri.p, s->contact.uri.len))) {
			worker_count(w, COUNTER_CALL_TX_FAILED, 1);
		}
		c->b_final = true;
		c->state = CALL_ANSWERED;
		c->answer_s = auth_now(w);
		worker_count(w, COUNTER_CALL_ANSWERED, 1);
		call_to_active(w, c);
		call_cap_start(w, c);
		call_send_once(w, &c->b,
			       call_build_b(w, c, SIP_BUILD_LIT("ACK"), 1, CALL_NO_SPAN,
					    CALL_SUB_B_ACK, call_text(c, c->b.to),
					    call_text(c, c->b.target)));
		call_a_final(w, c, code, s->line.reason, body, s->content_type);
		return;
	}
	/*
	 * A final non-2xx: B's INVITE transaction ACKed it on the INVITE's branch with B's To
	 * (INV-5) and absorbs its retransmissions (Timer D). Our CANCEL, if any, is done.
	 */
	if (c->b_final)
		return;
	if (!call_txn_is_server(c, CALL_T_X) && c->t[CALL_T_X].c.method == SIP_METHOD_CANCEL &&
	    txn_client_waiting(&c->t[CALL_T_X].cl))
		call_txn_stop(w, c, CALL_T_X);
	c->b_final = true;
	if (call_final_rank(call_map_final(code)) > call_final_rank(c->best_code))
		c->best_code = call_map_final(code);
	if (c->state == CALL_TRYING || c->state == CALL_EARLY) {
		uint16_t to_a = c->best_code;

		call_fail_a(w, c, to_a, to_a == code ? s->line.reason : CALL_NO_SPAN);
	}
	call_maybe_free(w, c);
}

/*
 * The client transaction of @c a response with our token @t (CSeq method @method) is for:
 * B_INVITE -> B's INVITE (slot B) or our CANCEL (slot X: the CANCEL has the INVITE's branch);
 * B_BYE -> slot X; A_BYE -> slot A. NULL when that slot is not such a client transaction.
 */
static struct txn_client *
call_client_of(struct call *c, uint8_t sub, uint8_t method)
{
	unsigned int k;

	switch (sub) {
	case CALL_SUB_B_INVITE:
		k = method == SIP_METHOD_CANCEL ? CALL_T_X : CALL_T_B;
		break;
	case CALL_SUB_B_BYE:
		k = CALL_T_X;
		break;
	case CALL_SUB_A_BYE:
		k = CALL_T_A;
		break;
	default:
		return NULL;
	}
	return call_txn_is_server(c, k) ? NULL : &c->t[k].cl;
}

/*
 * A response that names a call of this worker in its top Via branch: to its client
 * transaction (txn_client_response(): news reaches call_txn_response(), retransmissions are
 * absorbed there). One matching no live transaction is a stray (GEN-2), except a 2xx to our
 * INVITE after B's transaction gave up (our invite timeout): ACKed and BYEd once.
 */
static enum verdict
call_response_owner(struct worker *w, struct rte_mbuf *m, const struct sip_scan *s,
		    const struct sip_token *t)
{
	struct call *c = call_by_token(w, t);
	uint8_t method = sip_scan_method_of(s->cseq_method);
	struct txn_client *tc;

	if (c == NULL) {
		rte_pktmbuf_free(m);
		return VERDICT_SIP_DROP_CALL_STALE; /* GEN-2 */
	}
	/* I-36: a response counts only from the leg's peer */
	if (pkt_meta(m)->src_ip != (t->sub == CALL_SUB_A_BYE ? c->a.peer_ip : c->b.peer_ip)) {
		rte_pktmbuf_free(m);
		return VERDICT_SIP_DROP_CALL_STALE;
	}
	tc = call_client_of(c, t->sub, method);
	if (tc == NULL)
		w->txn->stats.stray_response++; /* as txn_client_response() counts its strays */
	if (tc == NULL || txn_client_response(w, tc, s, m) == TXN_RESP_STRAY) {
		/*
		 * No transaction of the live call wants it (GEN-2: dropped, counted
		 * txn_stray_response), except B's 2xx after our invite timeout.
		 */
		if (t->sub == CALL_SUB_B_INVITE && method == SIP_METHOD_INVITE &&
		    s->line.status_code >= 200 && s->line.status_code < 300 && c->b_timed_out) {
			call_b_late_2xx(w, c, s);
			call_maybe_free(w, c);
		}
	}
	rte_pktmbuf_free(m);
	return VERDICT_SIP_CALL_RESPONSE;
}

/* --- the call as the transactions' user (struct txn_ops, TXN_USER_CALL) ------------------ */

/* The live call a transaction of ours belongs to (user.index = slot, user.gen). */
static struct call *
call_of_txn(struct worker *w, const struct txn_common *tc)
{
	struct call_engine *ce = w->call;
	struct call *c;

	if (ce == NULL || tc->user.index >= ce->capacity)
		return NULL;
	c = &ce->calls[tc->user.index];
	if (c->state == CALL_FREE || c->gen != tc->user.gen)
		return NULL;
	return c;
}

static void
call_txn_response(struct worker *w, struct txn_client *tc, const struct sip_scan *s,
		  struct rte_mbuf *m)
{
	struct call *c = call_of_txn(w, &tc->c);

	RTE_SET_USED(m);
	if (c == NULL)
		return;
	if (tc->c.user.which == CALL_T_B) {
		call_b_invite_resp(w, c, s);
		call_maybe_free(w, c);
		return;
	}
	/* our CANCEL or BYE: a provisional changes nothing; its final: done (Timer K absorbs) */
	if (s->line.status_code >= 200)
		call_maybe_free(w, c);
}

/* A client transaction gave up: B's INVITE (INV-1..3), or our CANCEL / BYE (Timer F). */
static void
call_txn_client_timeout(struct worker *w, struct txn_client *tc, enum txn_timeout why)
{
	struct call *c = call_of_txn(w, &tc->c);

	RTE_SET_USED(why);
	if (c == NULL)
		return;
	if (tc->c.user.which == CALL_T_B) {
		/* INV-1..3: the leg fails; no CANCEL (nothing provisional came) */
		c->b_final = true;
		c->b_timed_out = true;
		worker_count(w, COUNTER_CALL_TIMEOUT, 1);
		if (c->state == CALL_TRYING || c->state == CALL_EARLY)
			call_fail_a(w, c, 408, CALL_NO_SPAN);
	} else if (tc->c.method == SIP_METHOD_CANCEL) {
		c->b_final = true; /* no answer to our CANCEL: the leg is over anyway */
	}
	call_maybe_free(w, c);
}

/* A's INVITE server transaction: no ACK for our final by the schedule's end. */
static void
call_txn_server_timeout(struct worker *w, struct txn_server *ts, enum txn_timeout why)
{
	struct call *c = call_of_txn(w, &ts->c);

	RTE_SET_USED(why);
	if (c == NULL)
		return;
	if (c->state == CALL_ANSWERED && ts->c.status >= 200 && ts->c.status < 300) {
		/* INV-7: no ACK for our 2xx: BYE both legs */
		worker_count(w, COUNTER_CALL_NO_ACK, 1);
		call_answered_ends(w, c);
		call_bye_leg(w, c, &c->a);
		call_bye_leg(w, c, &c->b);
	}
	call_maybe_free(w, c); /* Timer H: A never ACKed our non-2xx */
}

/* A transaction ended quietly (D, K, M, I, J): the call may be done. */
static void
call_txn_terminated(struct worker *w, struct txn_client *tc, struct txn_server *ts)
{
	struct call *c = call_of_txn(w, tc != NULL ? &tc->c : &ts->c);

	if (c != NULL)
		call_maybe_free(w, c);
}

static struct txn_client *
call_txn_client_resolve(struct worker *w, const struct sip_token *t)
{
	struct call *c = call_by_token(w, t);

	return c != NULL ? call_client_of(c, t->sub, SIP_METHOD_INVITE) : NULL;
}

static struct txn_server *
call_txn_server_resolve(struct worker *w, uint64_t handle)
{
	uint64_t v = TXN_HANDLE_VALUE(handle);
	struct call_engine *ce = w->call;
	uint32_t slot = (uint32_t)(v & 0xffffffu);
	unsigned int k = (unsigned int)(v >> 40) & 0xffu;
	struct call *c;

	if (ce == NULL || slot >= ce->capacity || k >= CALL_T_N)
		return NULL;
	c = &ce->calls[slot];
	if (c->state == CALL_FREE || c->gen != (uint16_t)(v >> 24) || !call_txn_is_server(c, k))
		return NULL;
	return &c->t[k].sv;
}

const struct txn_ops call_txn_ops = {
	.response = call_txn_response,
	.client_timeout = call_txn_client_timeout,
	.server_timeout = call_txn_server_timeout,
	.terminated = call_txn_terminated,
	.client_resolve = call_txn_client_resolve,
	.server_resolve = call_txn_server_resolve,
};

enum verdict
call_response(struct worker *w, struct rte_mbuf *m, const struct sip_scan *s)
{
	struct sip_token t;

	if (!sip_token_maybe(s->via.branch) || !sip_token_read(s->via.branch, &t) ||
	    t.owner >= w->n_workers) {
		rte_pktmbuf_free(m);
		return VERDICT_SIP_DROP_RESPONSE; /* GEN-2: not one of our transactions */
	}
	if (t.owner != w->index) {
		pkt_meta(m)->sip.stage = PKT_SIP_CALL;
		return steer_hold(w, t.owner, m);
	}
	return call_response_owner(w, m, s, &t);
}

/* --- requests inside a call ------------------------------------------------------------- */

bool
call_dialog_known(void *ctx, const struct sip_scan *s, uint32_t ip_be)
{
	const struct worker *w = ctx;
	struct sip_token t;
	const struct call *c;

	if (!sip_token_maybe(s->to.tag) || !sip_token_read(s->to.tag, &t) ||
	    t.owner >= w->n_workers)
		return false;
	if (t.owner != w->index)
		return true; /* the owner checks the call and its peer (call_in_dialog()) */
	c = call_by_token(w, &t);
	if (c == NULL)
		return false;
	if (t.sub == CALL_SUB_A_TAG)
		return c->a.peer_ip == ip_be;
	return t.sub == CALL_SUB_B_TAG && c->b.peer_ip == ip_be;
}


/* 200 to an in-dialog request (BYE, CANCEL). */
static void
call_reply_ok(struct worker *w, struct rte_mbuf *m, const struct sip_scan *s)
{
	sip_reply_send(w, m, s, 200, SIP_BUILD_LIT("OK"), CALL_NO_SPAN);
}

/*
 * UNAUTH-14 / I-36: a request naming a live dialog but not from its peer's IP is answered as an
 * unknown source's (403 with reply On, silence with Off); the call stays.
 */
static enum verdict
call_not_peer(struct worker *w, struct rte_mbuf *m, const struct sip_scan *s)
{
	enum verdict v;

	pkt_meta(m)->flags &= (uint16_t)~PKT_META_F_TRUSTED; /* the reply budget applies */
	if (!w->cfg->params.reply_unauthorized || s->line.method == SIP_METHOD_ACK) {
		rte_pktmbuf_free(m);
		return VERDICT_SIP_DROP_UNKNOWN_OTHER;
	}
	v = sip_reply_verdict(sip_reply_send(w, m, s, 403, SIP_BUILD_LIT("Forbidden"),
					     CALL_NO_SPAN),
			      VERDICT_SIP_REJECTED_UNKNOWN);
	rte_pktmbuf_free(m);
	return v;
}

static enum verdict
call_no_dialog(struct worker *w, struct rte_mbuf *m, const struct sip_scan *s)
{
	enum verdict v;

	if (s->line.method == SIP_METHOD_ACK) {
		rte_pktmbuf_free(m);
		return VERDICT_SIP_DROP_STRAY_ACK; /* an ACK is never answered */
	}
	v = sip_reply_verdict(sip_reply_send(w, m, s, 481,
					     SIP_BUILD_LIT("Call/Transaction Does Not Exist"),
					     CALL_NO_SPAN),
			      VERDICT_SIP_REPLIED_NO_DIALOG);
	rte_pktmbuf_free(m);
	return v;
}

/*
 * A BYE from @from_leg. In an answered call: a BYE server transaction for it (A's BYE: slot A,
 * whose INVITE transaction stops re-sending our 2xx; B's: slot X) answers 200 and re-sends it
 * to a retransmitted BYE (GEN-3) while the call lives; the other leg gets our BYE. A BYE its
 * server transaction already answered is absorbed there; any other BYE gets a stateless 200.
 */
static enum verdict
call_bye_in(struct worker *w, struct call *c, struct rte_mbuf *m, const struct sip_scan *s,
	    struct call_leg *from_leg, struct call_leg *other)
{
	unsigned int k = from_leg == &c->a ? CALL_T_A : CALL_T_X;
	struct txn_server *ts = &c->t[k].sv;
	struct rte_mbuf *ok;
	struct txn_dest d;

	if (call_txn_is_server(c, k) && txn_server_active(ts) &&
	    ts->c.method == SIP_METHOD_BYE) {
		txn_server_request(w, ts, s, m); /* GEN-3: the 200 again */
		rte_pktmbuf_free(m);
		return VERDICT_SIP_CALL_RETRANS;
	}
	if (c->state != CALL_ANSWERED && c->state != CALL_CONFIRMED) {
		call_reply_ok(w, m, s);
		rte_pktmbuf_free(m);
		return VERDICT_SIP_CALL_REQUEST;
	}
	call_answered_ends(w, c);
	call_txn_reuse(w, c, k, true);
	txn_dest_reply(&d, m);
	ok = rte_pktmbuf_alloc(w->pool);
	if (ok != NULL && txn_server_start(w, ts, s, &d, TXN_HANDLE(TXN_USER_CALL,
							      call_handle(w, c, k)),
					   call_sched(w, c)) == 0) {
		int n = sip_build_response(rte_pktmbuf_mtod(ok, uint8_t *),
					   RTE_MIN(rte_pktmbuf_tailroom(ok), CALL_MSG_MAX),
					   pkt_meta_payload(m), pkt_meta(m)->payload_len, s,
					   &(struct sip_build_resp){
						   .code = 200, .reason = SIP_BUILD_LIT("OK"),
						   .src_ip_be = pkt_meta(m)->src_ip,
						   .src_port = rte_be_to_cpu_16(pkt_meta(m)->src_port),
						   .server = {(const uint8_t *)w->cfg->server,
							      w->cfg->server_len},
					   });

		if (n > 0 && rte_pktmbuf_append(ok, (uint16_t)n) != NULL) {
			txn_server_respond(w, ts, ok, 200);
		} else {
			rte_pktmbuf_free(ok);
			txn_server_stop(w, ts);
			call_reply_ok(w, m, s);
		}
	} else {
		rte_pktmbuf_free(ok); /* NULL is fine */
		call_reply_ok(w, m, s); /* no transaction (index full, no branch): stateless */
	}
	rte_pktmbuf_free(m);
	call_bye_leg(w, c, other);
	call_maybe_free(w, c);
	return VERDICT_SIP_CALL_REQUEST;
}

/* A request with our token in its To tag, on the owner. */
static enum verdict
call_in_dialog(struct worker *w, struct rte_mbuf *m, const struct sip_scan *s,
	       const struct sip_token *t)
{
	struct call *c = call_by_token(w, t);
	struct call_leg *from_leg, *other;
	uint32_t src = pkt_meta(m)->src_ip;

	if (c == NULL)
		return call_no_dialog(w, m, s);
	if (t->sub == CALL_SUB_A_TAG) {
		from_leg = &c->a;
		other = &c->b;
	} else if (t->sub == CALL_SUB_B_TAG) {
		from_leg = &c->b;
		other = &c->a;
	} else {
		return call_no_dialog(w, m, s);
	}
	if (src != from_leg->peer_ip)
		return call_not_peer(w, m, s);
	switch (s->line.method) {
	case SIP_METHOD_ACK:
		if (from_leg == &c->a) {
			struct txn_server *ts = call_a_invite_txn(c);

			/*
			 * Our 2xx is ACKed (its own branch, matched here in the dialog): A's INVITE
			 * transaction ends. For a non-2xx, the transaction confirms (Timer I).
			 */
			if (ts != NULL && ts->c.state == TXN_S_ACCEPTED)
				txn_server_acked(w, ts);
			else if (ts != NULL)
				txn_server_request(w, ts, s, m);
			if (c->state == CALL_ANSWERED)
				c->state = CALL_CONFIRMED; /* no mbuf from here on */
			call_maybe_free(w, c);
		}
		rte_pktmbuf_free(m);
		return VERDICT_SIP_CALL_REQUEST;
	case SIP_METHOD_BYE:
		return call_bye_in(w, c, m, s, from_leg, other);
	default:
		/* re-INVITE, UPDATE, INFO, ...: not relayed yet (session work comes later) */
		sip_reply_send(w, m, s, 501, SIP_BUILD_LIT("Not Implemented"), CALL_NO_SPAN);
		rte_pktmbuf_free(m);
		return VERDICT_SIP_CALL_REQUEST;
	}
}

/*
 * CANCEL from A (no tag of ours): found through the A index. One from a source known only by
 * its account identity (a caller that did not register) that matches no call of that source
 * is answered as an unknown source's, so it tells nothing about the identity (I-1).
 */
static enum verdict
call_cancel(struct worker *w, struct rte_mbuf *m, const struct sip_scan *s,
	    enum policy_class cls)
{
	struct call *c = w->call != NULL ? call_index_find(w, s->call_id, s->from.tag) : NULL;

	if (c == NULL || pkt_meta(m)->src_ip != c->a.peer_ip)
		return cls == POLICY_ACCOUNT ? call_not_peer(w, m, s) : call_no_dialog(w, m, s);
	call_reply_ok(w, m, s);
	rte_pktmbuf_free(m);
	if (c->state == CALL_TRYING || c->state == CALL_EARLY)
		call_end_now(w, c); /* 487 to A, CANCEL to B when it may go */
	return VERDICT_SIP_CALL_REQUEST;
}

enum verdict
call_input(struct worker *w, struct rte_mbuf *m, const struct sip_scan *s, enum policy_class cls,
	   const struct policy_account *acct)
{
	struct pkt_meta *meta = pkt_meta(m);
	struct sip_token t;
	uint16_t owner;

	if (s->to.tag.len > 0 && sip_token_maybe(s->to.tag) && sip_token_read(s->to.tag, &t) &&
	    t.owner < w->n_workers) {
		if (t.owner != w->index) { /* rule K: the call's owner */
			meta->sip.stage = PKT_SIP_CALL;
			meta->sip.cls = (uint8_t)cls;
			return steer_hold(w, t.owner, m);
		}
		return call_in_dialog(w, m, s, &t);
	}
	if (s->line.method == SIP_METHOD_INVITE && s->to.tag.len == 0)
		return call_invite(w, m, s, cls, acct);
	if (s->line.method == SIP_METHOD_CANCEL) {
		owner = call_owner_of(s->call_id, w->n_workers);
		if (owner != w->index) {
			meta->sip.stage = PKT_SIP_CALL;
			meta->sip.cls = (uint8_t)cls;
			return steer_hold(w, owner, m);
		}
		return call_cancel(w, m, s, cls);
	}
	return call_no_dialog(w, m, s); /* UNAUTH-13: 481 (an ACK: dropped) */
}
