/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SIP transactions over UDP (txn.h): the state machines, their one timer each on the worker's
 * wheel, matching and the server index. No allocation but the copies of held datagrams from
 * w->pool, no lock, no log.
 */
#include <errno.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_mbuf.h>

#include "dataplane/net/net.h"
#include "dataplane/pkt_meta.h"
#include "dataplane/sip/build_req.h"
#include "dataplane/txn/txn_impl.h"
#include "dataplane/worker.h"

#define TXN_F_PROV 0x01u /* client INVITE: a provisional arrived (invite timeout off) */

/* The ACK we build for a non-2xx final: request line + copied headers of our own INVITE. */
#define TXN_ACK_MAX 2048u

/* ---- Schedules ---- */

void
txn_schedule_from_params(struct txn_schedule *s, const struct sf_params *p)
{
	uint8_t i, n = p->n_resend;

	if (n > TXN_SCHED_MAX)
		n = TXN_SCHED_MAX;
	s->n = n;
	for (i = 0; i < TXN_SCHED_MAX; i++)
		s->wait_ms[i] = i < n ? RTE_MAX(p->resend_ms[i], 1u) : 0;
}

/* When transmission @k (0-based) is due, ms after t0: the sum of the waits before it. */
static uint32_t
sched_at(const struct txn_schedule *s, uint8_t k)
{
	uint32_t t = 0;
	uint8_t i;

	for (i = 0; i < k && i < s->n; i++)
		t += s->wait_ms[i];
	return t;
}

uint32_t
txn_schedule_total_ms(const struct txn_schedule *s)
{
	return sched_at(s, s->n);
}

static bool
sched_ok(const struct txn_schedule *s)
{
	uint8_t i;

	if (s == NULL || s->n == 0 || s->n > TXN_SCHED_MAX)
		return false;
	for (i = 0; i < s->n; i++)
		if (s->wait_ms[i] == 0)
			return false;
	return true;
}

/* ---- Sending ---- */

static int
txn_xmit_copy(struct worker *w, const struct txn_dest *d, const struct rte_mbuf *held)
{
	struct rte_mbuf *c = rte_pktmbuf_copy(held, w->pool, 0, UINT32_MAX);

	if (unlikely(c == NULL)) {
		w->txn->stats.send_failed++;
		return -ENOBUFS;
	}
	return udp_send(w, d->port_id, c, d->src_ip, d->src_port, d->dst_ip, d->dst_port,
			d->has_mac ? &d->mac : NULL);
}

int
txn_send(struct worker *w, const struct txn_dest *dest, struct rte_mbuf *payload)
{
	int rc = udp_send(w, dest->port_id, payload, dest->src_ip, dest->src_port, dest->dst_ip,
			  dest->dst_port, dest->has_mac ? &dest->mac : NULL);

	if (rc != 0)
		w->txn->stats.send_failed++;
	return rc;
}

void
txn_dest_reply(struct txn_dest *d, const struct rte_mbuf *m)
{
	const struct pkt_meta *pm = pkt_meta((struct rte_mbuf *)(uintptr_t)m);

	d->src_ip = pm->dst_ip;
	d->dst_ip = pm->src_ip;
	d->src_port = pm->dst_port;
	d->dst_port = pm->src_port;
	d->port_id = pm->in_port;
	d->mac = pm->src_mac;
	d->has_mac = true;
}

/* ---- Common ---- */

static inline uint32_t
txn_elapsed(const struct worker *w, const struct txn_common *c)
{
	return (uint32_t)w->wheel.now - c->t0_ms;
}

static void
txn_arm(struct worker *w, struct txn_common *c, uint64_t at_ms)
{
	/* Every delay here is below 32 x 60 s + the invite timeout: inside the horizon. */
	if (tw_start(&w->wheel, &c->timer, TW_KIND_TXN, at_ms) != 0)
		tw_stop(&w->wheel, &c->timer);
}

/* Arm at t0 + @off_ms. */
static void
txn_arm_at(struct worker *w, struct txn_common *c, uint32_t off_ms)
{
	uint32_t el = txn_elapsed(w, c);

	/* Late (a backlog on the wheel): due now, not 49 days from now. */
	txn_arm(w, c, w->wheel.now + (off_ms > el ? off_ms - el : 0));
}

static void
txn_release(struct worker *w, struct txn_common *c)
{
	tw_stop(&w->wheel, &c->timer);
	if (c->held != NULL) {
		rte_pktmbuf_free(c->held);
		c->held = NULL;
	}
	c->n_tx = 0;
	c->flags = 0;
	if (c->state != 0) {
		if (c->is_server)
			w->txn->stats.active_server--;
		else
			w->txn->stats.active_client--;
	}
	c->state = 0;
}

static inline const struct txn_ops *
txn_ops_of(struct worker *w, const struct txn_common *c)
{
	return &w->txn->ops[c->user.kind & (TXN_USER_KINDS - 1)];
}

static void
txn_init_common(struct txn_common *c, const struct txn_user *user, bool is_server)
{
	memset(c, 0, sizeof(*c));
	tw_node_init(&c->timer);
	if (user != NULL)
		c->user = *user;
	c->is_server = is_server;
}

/* ---- Client ---- */

void
txn_client_init(struct txn_client *tc, const struct txn_user *user)
{
	txn_init_common(&tc->c, user, false);
	tc->cseq = 0;
	tc->invite_timeout_ms = 0;
}

static inline bool
client_is_invite(const struct txn_client *tc)
{
	return tc->c.method == SIP_METHOD_INVITE;
}

/* Does the invite timeout govern @tc (INVITE with one, no provisional yet)? */
static inline bool
client_invite_timer_on(const struct txn_client *tc)
{
	return client_is_invite(tc) && tc->invite_timeout_ms != 0 && !(tc->c.flags & TXN_F_PROV);
}

/*
 * Arm the next event of a retransmitting client: the next transmission, the invite timeout,
 * or the schedule's end (give-up) - the earliest, as offsets from t0.
 */
static void
client_arm_next(struct worker *w, struct txn_client *tc)
{
	const struct txn_schedule *s = tc->c.sched;
	uint32_t next = UINT32_MAX;

	if (client_is_invite(tc) && (tc->c.flags & TXN_F_PROV)) {
		tw_stop(&w->wheel, &tc->c.timer); /* Proceeding: the call's progress timers rule */
		return;
	}
	if (tc->c.n_tx < s->n)
		next = sched_at(s, tc->c.n_tx);
	if (client_invite_timer_on(tc))
		next = RTE_MIN(next, tc->invite_timeout_ms);
	else
		next = RTE_MIN(next, txn_schedule_total_ms(s));
	txn_arm_at(w, &tc->c, next);
}

int
txn_client_start(struct worker *w, struct txn_client *tc, struct rte_mbuf *req,
		 const struct txn_dest *dest, enum sip_scan_method method, uint32_t cseq,
		 const struct txn_schedule *sched, uint32_t invite_timeout_ms)
{
	int rc;

	if (txn_client_active(tc)) {
		rte_pktmbuf_free(req);
		return -EBUSY;
	}
	if (!sched_ok(sched) || method == SIP_METHOD_ACK || req == NULL) {
		rte_pktmbuf_free(req);
		return -EINVAL;
	}
	tc->c.held = req;
	tc->c.sched = sched;
	tc->c.dest = *dest;
	tc->c.t0_ms = (uint32_t)w->wheel.now;
	tc->c.status = 0;
	tc->c.method = (uint8_t)method;
	tc->c.flags = 0;
	tc->cseq = cseq;
	tc->invite_timeout_ms = method == SIP_METHOD_INVITE ? invite_timeout_ms : 0;
	rc = txn_xmit_copy(w, dest, req);
	if (rc == -ENOBUFS) {
		rte_pktmbuf_free(req);
		tc->c.held = NULL;
		return rc;
	}
	/* A send that ARP holds or drops still counts: the schedule retransmits. */
	tc->c.state = method == SIP_METHOD_INVITE ? TXN_C_CALLING : TXN_C_TRYING;
	tc->c.n_tx = 1;
	w->txn->stats.started_client++;
	w->txn->stats.active_client++;
	client_arm_next(w, tc);
	return 0;
}

void
txn_client_stop(struct worker *w, struct txn_client *tc)
{
	txn_release(w, &tc->c);
}

/* The client's timer: retransmit, or give up, or (Completed/Accepted) end quietly. */
static void
client_timer(struct worker *w, struct txn_client *tc)
{
	const struct txn_ops *ops = txn_ops_of(w, &tc->c);
	const struct txn_schedule *s = tc->c.sched;
	uint32_t el = txn_elapsed(w, &tc->c);
	enum txn_timeout why;

	switch (tc->c.state) {
	case TXN_C_COMPLETED:
	case TXN_C_ACCEPTED:
		txn_release(w, &tc->c);
		if (ops->terminated != NULL)
			ops->terminated(w, tc, NULL);
		return;
	case TXN_C_CALLING:
	case TXN_C_TRYING:
	case TXN_C_PROCEEDING:
		break;
	default:
		return;
	}
	if (client_invite_timer_on(tc) ? el >= tc->invite_timeout_ms
				       : el >= txn_schedule_total_ms(s)) {
		why = client_invite_timer_on(tc) ? TXN_TIMEOUT_INVITE : TXN_TIMEOUT_SCHEDULE;
		txn_release(w, &tc->c);
		w->txn->stats.timeouts++;
		if (ops->client_timeout != NULL)
			ops->client_timeout(w, tc, why);
		return;
	}
	if (tc->c.n_tx < s->n && el >= sched_at(s, tc->c.n_tx)) {
		txn_xmit_copy(w, &tc->c.dest, tc->c.held);
		tc->c.n_tx++;
		w->txn->stats.retransmits_sent++;
	}
	client_arm_next(w, tc);
}

/* Build the ACK for the non-2xx final @m (To from it) from our held INVITE into a new mbuf. */
static struct rte_mbuf *
client_build_ack(struct worker *w, struct txn_client *tc, struct rte_mbuf *m)
{
	const struct rte_mbuf *inv = tc->c.held;
	const struct pkt_meta *pm = pkt_meta(m);
	const uint8_t *resp = rte_pktmbuf_mtod_offset(m, const uint8_t *, pm->payload_off);
	struct sf_span to = sip_header_value(resp, pm->payload_len, "To", 't');
	struct rte_mbuf *ack;
	uint16_t room;
	uint8_t *p;
	int n;

	/*
	 * An INVITE too big for one mbuf is a chain (call.c call_build_msg()); its header section,
	 * all that the ACK copies, lies in the first segment (the headers we write are far below
	 * its 2 KB), so the first segment alone is read (bounded by its length).
	 */
	if (inv == NULL)
		return NULL;
	ack = rte_pktmbuf_alloc(w->pool);
	if (ack == NULL)
		return NULL;
	room = rte_pktmbuf_tailroom(ack);
	p = rte_pktmbuf_mtod(ack, uint8_t *);
	n = sip_build_ack(p, RTE_MIN(room, TXN_ACK_MAX), rte_pktmbuf_mtod(inv, const uint8_t *),
			  rte_pktmbuf_data_len(inv), to);
	if (n <= 0 || rte_pktmbuf_append(ack, (uint16_t)n) == NULL) {
		rte_pktmbuf_free(ack);
		return NULL;
	}
	return ack;
}

enum txn_resp
txn_client_response(struct worker *w, struct txn_client *tc, const struct sip_scan *s,
		    struct rte_mbuf *m)
{
	const struct txn_ops *ops = txn_ops_of(w, &tc->c);
	uint16_t code = s->line.status_code;
	struct rte_mbuf *ack;

	if (!txn_client_active(tc) || s->line.is_request || code < 100 ||
	    sip_scan_method_of(s->cseq_method) != tc->c.method || s->cseq != tc->cseq) {
		w->txn->stats.stray_response++;
		return TXN_RESP_STRAY;
	}
	switch (tc->c.state) {
	case TXN_C_COMPLETED:
		/* A retransmitted final: INVITE re-sends the ACK (Timer D); non-INVITE absorbs. */
		if (client_is_invite(tc) && code >= 300 && tc->c.held != NULL) {
			txn_xmit_copy(w, &tc->c.dest, tc->c.held);
			w->txn->stats.retransmits_sent++;
		}
		w->txn->stats.retransmits_absorbed++;
		return TXN_RESP_ABSORBED;
	case TXN_C_ACCEPTED:
		if (code >= 200 && code < 300)
			break; /* retransmitted or forked 2xx: the TU re-ACKs */
		w->txn->stats.retransmits_absorbed++;
		return TXN_RESP_ABSORBED;
	default:
		break;
	}
	tc->c.status = code;
	if (code < 200) {
		if (tc->c.state == TXN_C_CALLING || tc->c.state == TXN_C_TRYING) {
			tc->c.state = TXN_C_PROCEEDING;
			if (client_is_invite(tc)) {
				tc->c.flags |= TXN_F_PROV; /* INV-4: no retransmission, no timeout */
				client_arm_next(w, tc);    /* which now stops the timer */
			}
		}
	} else if (tc->c.state != TXN_C_ACCEPTED) {
		if (client_is_invite(tc) && code < 300) {
			/* RFC 6026 Accepted: nothing to re-send; Timer M = the schedule's total. */
			rte_pktmbuf_free(tc->c.held);
			tc->c.held = NULL;
			tc->c.state = TXN_C_ACCEPTED;
			txn_arm(w, &tc->c, w->wheel.now + txn_schedule_total_ms(tc->c.sched));
		} else if (client_is_invite(tc)) {
			/* INV-5: ACK now, hold it for retransmitted finals (Timer D). */
			ack = client_build_ack(w, tc, m);
			rte_pktmbuf_free(tc->c.held);
			tc->c.held = ack;
			if (ack != NULL)
				txn_xmit_copy(w, &tc->c.dest, ack);
			else
				w->txn->stats.send_failed++;
			tc->c.state = TXN_C_COMPLETED;
			txn_arm(w, &tc->c, w->wheel.now + txn_schedule_total_ms(tc->c.sched));
		} else {
			rte_pktmbuf_free(tc->c.held);
			tc->c.held = NULL;
			tc->c.state = TXN_C_COMPLETED;
			txn_arm(w, &tc->c, w->wheel.now + TXN_T4_MS); /* Timer K */
		}
	}
	if (ops->response != NULL)
		ops->response(w, tc, s, m);
	return TXN_RESP_DELIVERED;
}

enum txn_resp
txn_response_input(struct worker *w, const struct sip_scan *s, struct rte_mbuf *m)
{
	struct txn_client *tc = NULL;
	struct sip_token t;
	unsigned int k;

	if (sip_token_read(s->via.branch, &t) && t.owner == w->index)
		for (k = 0; k < TXN_USER_KINDS && tc == NULL; k++)
			if (w->txn->ops[k].client_resolve != NULL)
				tc = w->txn->ops[k].client_resolve(w, &t);
	if (tc == NULL) {
		w->txn->stats.stray_response++;
		return TXN_RESP_STRAY;
	}
	return txn_client_response(w, tc, s, m);
}

/* ---- Server ---- */

void
txn_server_init(struct txn_server *ts, const struct txn_user *user)
{
	txn_init_common(&ts->c, user, true);
	ts->key = 0;
}

/* The index key of request @s; @as_invite (or an ACK) maps the method to INVITE. */
static uint64_t
server_key(const struct worker *w, const struct sip_scan *s, bool as_invite)
{
	uint8_t method = s->line.method;

	if (as_invite || method == SIP_METHOD_ACK)
		method = SIP_METHOD_INVITE;
	return txn_key(w->txn->hash_seed, s->via.branch, s->via.host, s->via.port, method);
}

int
txn_server_start(struct worker *w, struct txn_server *ts, const struct sip_scan *s,
		 const struct txn_dest *dest, uint64_t handle, const struct txn_schedule *sched)
{
	uint64_t key;
	bool exists;

	if (txn_server_active(ts))
		return -EBUSY;
	if (s->via.branch.len == 0 || s->line.method == SIP_METHOD_ACK || !s->line.is_request ||
	    !sched_ok(sched))
		return -EINVAL;
	key = server_key(w, s, false);
	if (txn_index_insert(w->txn->index, key, handle, &exists) == TXN_INDEX_NONE) {
		if (exists)
			return -EEXIST;
		w->txn->stats.index_full++;
		return -ENOSPC;
	}
	ts->key = key;
	ts->c.held = NULL;
	ts->c.sched = sched;
	ts->c.dest = *dest;
	ts->c.t0_ms = (uint32_t)w->wheel.now;
	ts->c.status = 0;
	ts->c.method = s->line.method;
	ts->c.n_tx = 0;
	ts->c.flags = 0;
	ts->c.state = s->line.method == SIP_METHOD_INVITE ? TXN_S_PROCEEDING : TXN_S_TRYING;
	w->txn->stats.started_server++;
	w->txn->stats.active_server++;
	return 0;
}

static void
server_end(struct worker *w, struct txn_server *ts)
{
	if (txn_server_active(ts))
		txn_index_remove(w->txn->index, ts->key);
	txn_release(w, &ts->c);
}

void
txn_server_stop(struct worker *w, struct txn_server *ts)
{
	server_end(w, ts);
}

/* Server INVITE final re-sends: the next transmission or the schedule's end (G/H, INV-7). */
static void
server_arm_next(struct worker *w, struct txn_server *ts)
{
	const struct txn_schedule *s = ts->c.sched;
	uint32_t next = txn_schedule_total_ms(s);

	if (ts->c.n_tx < s->n)
		next = RTE_MIN(next, sched_at(s, ts->c.n_tx));
	txn_arm_at(w, &ts->c, next);
}

int
txn_server_respond(struct worker *w, struct txn_server *ts, struct rte_mbuf *resp,
		   uint16_t status)
{
	bool invite = ts->c.method == SIP_METHOD_INVITE;

	if (resp == NULL || status < 100 || status > 699 ||
	    !(ts->c.state == TXN_S_TRYING || ts->c.state == TXN_S_PROCEEDING)) {
		rte_pktmbuf_free(resp);
		return -EINVAL;
	}
	rte_pktmbuf_free(ts->c.held);
	ts->c.held = resp;
	ts->c.status = status;
	txn_xmit_copy(w, &ts->c.dest, resp);
	if (status < 200) {
		ts->c.state = TXN_S_PROCEEDING;
		return 0;
	}
	ts->c.t0_ms = (uint32_t)w->wheel.now;
	ts->c.n_tx = 1;
	if (invite) {
		ts->c.state = status < 300 ? TXN_S_ACCEPTED : TXN_S_COMPLETED;
		server_arm_next(w, ts);
	} else {
		ts->c.state = TXN_S_COMPLETED; /* Timer J: keep it for retransmitted requests */
		txn_arm(w, &ts->c, w->wheel.now + txn_schedule_total_ms(ts->c.sched));
	}
	return 0;
}

void
txn_server_acked(struct worker *w, struct txn_server *ts)
{
	if (ts->c.state == TXN_S_ACCEPTED)
		server_end(w, ts);
}

static void
server_timer(struct worker *w, struct txn_server *ts)
{
	const struct txn_ops *ops = txn_ops_of(w, &ts->c);
	const struct txn_schedule *s = ts->c.sched;
	bool invite = ts->c.method == SIP_METHOD_INVITE;
	uint32_t el = txn_elapsed(w, &ts->c);

	if (invite && (ts->c.state == TXN_S_ACCEPTED || ts->c.state == TXN_S_COMPLETED)) {
		if (el >= txn_schedule_total_ms(s)) {
			/* INV-7 (2xx) / Timer H (non-2xx): no ACK came. */
			server_end(w, ts);
			w->txn->stats.timeouts++;
			if (ops->server_timeout != NULL)
				ops->server_timeout(w, ts, TXN_TIMEOUT_NO_ACK);
			return;
		}
		if (ts->c.n_tx < s->n && el >= sched_at(s, ts->c.n_tx)) {
			txn_xmit_copy(w, &ts->c.dest, ts->c.held);
			ts->c.n_tx++;
			w->txn->stats.retransmits_sent++;
		}
		server_arm_next(w, ts);
		return;
	}
	/* Timer I (Confirmed) or J (non-INVITE Completed): the end. */
	server_end(w, ts);
	if (ops->terminated != NULL)
		ops->terminated(w, NULL, ts);
}

enum txn_req
txn_server_request(struct worker *w, struct txn_server *ts, const struct sip_scan *s,
		   struct rte_mbuf *m)
{
	const struct txn_ops *ops = txn_ops_of(w, &ts->c);

	if (!txn_server_active(ts))
		return TXN_REQ_NEW;
	if (s->line.method == SIP_METHOD_ACK) {
		if (ts->c.method != SIP_METHOD_INVITE || ts->c.state == TXN_S_ACCEPTED)
			return TXN_REQ_NEW; /* the ACK for a 2xx is the TU's (its own branch) */
		if (ts->c.state == TXN_S_COMPLETED) {
			ts->c.state = TXN_S_CONFIRMED;
			rte_pktmbuf_free(ts->c.held);
			ts->c.held = NULL;
			txn_arm(w, &ts->c, w->wheel.now + TXN_T4_MS); /* Timer I */
			if (ops->ack != NULL)
				ops->ack(w, ts, s, m);
			return TXN_REQ_ACK;
		}
		w->txn->stats.retransmits_absorbed++;
		return TXN_REQ_ABSORBED;
	}
	/* A retransmitted request: the last response again (GEN-3, INV-6), or nothing yet. */
	if (ts->c.held != NULL && ts->c.state != TXN_S_CONFIRMED) {
		txn_xmit_copy(w, &ts->c.dest, ts->c.held);
		w->txn->stats.retransmits_sent++;
	}
	w->txn->stats.retransmits_absorbed++;
	return TXN_REQ_ABSORBED;
}

int
txn_server_find(struct worker *w, const struct sip_scan *s, bool as_invite, uint64_t *handle)
{
	const struct txn_index *ix = w->txn->index;
	uint32_t i;

	if (s->via.branch.len == 0)
		return -ENOENT;
	i = txn_index_find(ix, server_key(w, s, as_invite));
	if (i == TXN_INDEX_NONE)
		return -ENOENT;
	*handle = ix->e[i].handle;
	return 0;
}

enum txn_req
txn_request_input(struct worker *w, const struct sip_scan *s, struct rte_mbuf *m)
{
	const struct txn_ops *ops;
	struct txn_server *ts;
	uint64_t handle;
	uint8_t kind;

	if (txn_server_find(w, s, false, &handle) != 0)
		return TXN_REQ_NEW;
	kind = TXN_HANDLE_KIND(handle);
	if (kind >= TXN_USER_KINDS)
		return TXN_REQ_NEW;
	ops = &w->txn->ops[kind];
	ts = ops->server_resolve != NULL ? ops->server_resolve(w, handle) : NULL;
	if (ts == NULL || !txn_server_active(ts) || ts->key != server_key(w, s, false))
		return TXN_REQ_NEW;
	return txn_server_request(w, ts, s, m);
}

/* ---- The wheel ---- */

void
txn_timer_fired(struct tw_wheel *wheel, struct tw_node *n, uint64_t now_ms, void *arg)
{
	struct worker *w = arg;
	struct txn_common *c = container_of(n, struct txn_common, timer);

	RTE_SET_USED(wheel);
	RTE_SET_USED(now_ms);
	if (c->is_server)
		server_timer(w, container_of(c, struct txn_server, c));
	else
		client_timer(w, container_of(c, struct txn_client, c));
}
