/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SIP transactions over UDP (RFC 3261 section 17), per worker, on the worker's wheel
 * (TW_KIND_TXN): the bottom layer of the call engine (issue 13; docs/ARCHITECTURE.md
 * "Transactions (dataplane/txn/)"). Nothing here calls up except through the callbacks a
 * transaction user (TU: the call layer, later the outbound-registration UA) registers.
 *
 * Contract
 * - Memory: struct txn_client / struct txn_server are embedded in their owner's struct (the
 *   call); the layer never allocates one. The owner txn_*_init()s them once (or zeroes them)
 *   and must not reuse or free the container while txn_*_active() is true (stop them first:
 *   txn_client_stop() / txn_server_stop() are immediate and quiet).
 * - Held mbufs: a transaction keeps the datagram it may retransmit as a payload-only mbuf
 *   (request, or the last response of a server transaction, or the ACK of a non-2xx final)
 *   and sends a copy (rte_pktmbuf_copy() from w->pool) each time; "an mbuf is held only while
 *   a transaction may retransmit it". An INVITE client transaction keeps its INVITE until it
 *   completes (the ACK for a non-2xx and the TU's CANCEL are built from it).
 * - Schedule (I-15, I-34): a transaction points at a struct txn_schedule the TU snapshotted
 *   when the call started (txn_schedule_from_params()); entry n = wait after transmission n
 *   (ms), n = max transmissions, the transaction gives up after the last wait. It must live as
 *   long as the transaction (keep it in the call).
 * - Units: times are ms on the worker's wheel clock (w->wheel.now; ticks of 1 ms); addresses and
 *   UDP ports in network byte order.
 * - Mbufs given to txn_* functions: a payload mbuf passed to a start/respond/send function is
 *   owned by the layer from then on, whatever it returns; a received mbuf (@m with its scan
 *   @s) is borrowed: the caller keeps and frees it.
 * - Threads: all state is the owner worker's; no locks, no allocation after set-up, nothing
 *   logged per packet. No globals: everything hangs off w->txn (struct txn_worker), so a fuzz
 *   target or a test may build a worker with its own.
 * - Callbacks run from txn_* calls and from the wheel (tw_poll()); a callback may stop or
 *   restart any transaction, including the one it is called for, and may free its container
 *   once that transaction is no longer active.
 */
#ifndef SF_TXN_H
#define SF_TXN_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "dataplane/params.h"
#include "dataplane/sf_span.h"
#include "dataplane/sip/scan.h"
#include "dataplane/sip/token.h"
#include "dataplane/timer/timer_wheel.h"

struct worker;

#define TXN_SCHED_MAX SF_PARAMS_RESEND_MAX /**< entries of a schedule */
#define TXN_T4_MS 5000u                    /**< RFC 3261 T4: Timer K and Timer I, ms */
#define TXN_USER_KINDS 4u                  /**< callback tables (enum txn_user_kind) */
#define TXN_DEFAULT_INDEX_CAPACITY 8192u   /**< server index entries when env gives 0 */

/** Retransmission schedule (SS_SIP_RESEND_INTERVAL snapshot). 132 bytes. */
struct txn_schedule {
	uint8_t n;                         /* transmissions at most, 1..TXN_SCHED_MAX */
	uint32_t wait_ms[TXN_SCHED_MAX];   /* wait after transmission i (0-based), ms, >= 1 */
};

/**
 * Where a transaction's datagrams go: a UDP 4-tuple on a port, and the next hop's MAC when it
 * is known (responses: the MAC the request came from, as sip_reply does); without one the
 * next hop comes from the neighbour table (ARP and hold on a miss).
 */
struct txn_dest {
	uint32_t src_ip;   /* our address, network byte order */
	uint32_t dst_ip;   /* network byte order */
	uint16_t src_port; /* network byte order */
	uint16_t dst_port; /* network byte order */
	uint16_t port_id;  /* DPDK port */
	struct rte_ether_addr mac; /* next hop, valid when has_mac */
	bool has_mac;      /* false: look the next hop up (requests we originate) */
};

/** Who uses a transaction: selects the callback table (txn_set_ops()). */
enum txn_user_kind {
	TXN_USER_CALL = 0, /* dataplane/call */
	TXN_USER_UA = 1,   /* outbound registration (later) */
	TXN_USER_TEST = 3, /* unit tests, fuzzers */
};

/** Identity of a transaction for its user, set by the TU at init; the layer only reads kind. */
struct txn_user {
	uint32_t index;  /* TU's container index (e.g. call slot) */
	uint16_t gen;    /* TU's container generation */
	uint8_t kind;    /* enum txn_user_kind */
	uint8_t which;   /* which transaction of the container (TU-defined) */
};

/** Client transaction states (RFC 3261 17.1.1 / 17.1.2). */
enum txn_client_state {
	TXN_C_IDLE = 0,    /* never started or terminated: not active */
	TXN_C_CALLING,     /* INVITE sent, retransmitting (Timer A on the schedule) */
	TXN_C_TRYING,      /* non-INVITE sent, retransmitting (Timer E on the schedule) */
	TXN_C_PROCEEDING,  /* provisional received: INVITE stops retransmitting; non-INVITE goes on */
	TXN_C_COMPLETED,   /* final received: INVITE non-2xx holds the ACK (Timer D); non-INVITE K */
	TXN_C_ACCEPTED,    /* INVITE 2xx received (RFC 6026): retransmitted 2xx go to the TU, which
			      re-ACKs them; nothing held; ends after the schedule's total (Timer M) */
};

/** Server transaction states (RFC 3261 17.2.1 / 17.2.2, RFC 6026 for INVITE 2xx). */
enum txn_server_state {
	TXN_S_IDLE = 0,    /* not active */
	TXN_S_TRYING,      /* non-INVITE received, nothing sent yet (retransmissions absorbed) */
	TXN_S_PROCEEDING,  /* provisional sent: a retransmitted request gets it again */
	TXN_S_ACCEPTED,    /* INVITE 2xx sent: re-sent on the schedule until txn_server_acked() */
	TXN_S_COMPLETED,   /* final sent: INVITE non-2xx re-sent on the schedule (G) until the ACK
			      or the end (H); non-INVITE keeps it for retransmissions (Timer J) */
	TXN_S_CONFIRMED,   /* INVITE non-2xx ACKed: absorbs ACK retransmissions (Timer I) */
};

/** Why a timeout callback ran. */
enum txn_timeout {
	TXN_TIMEOUT_SCHEDULE, /* client: the schedule ran out with no response (Timer B/F) */
	TXN_TIMEOUT_INVITE,   /* client INVITE: the invite timeout (INV-1..3) */
	TXN_TIMEOUT_NO_ACK,   /* server INVITE: no ACK for our final by the schedule's end
				 (2xx: INV-7, the TU sends BYE; non-2xx: Timer H) */
};

/**
 * What client and server transactions share (first member of both). Fields are the layer's;
 * the TU reads them through the functions below, except user (the TU's) and status.
 */
struct txn_common {
	struct tw_node timer;            /* the one timer: retransmission, A..M as the state says */
	struct rte_mbuf *held;           /* datagram we may (re)send, payload only; NULL = none */
	const struct txn_schedule *sched;
	struct txn_dest dest;            /* where our datagrams go */
	uint32_t t0_ms;                  /* wheel time (low 32 bits) the schedule counts from:
					    client start; server: first final sent */
	uint16_t status;                 /* last response seen (client) / sent (server), 0 = none */
	uint8_t state;                   /* enum txn_client_state / enum txn_server_state */
	uint8_t method;                  /* enum sip_scan_method of the request */
	uint8_t n_tx;                    /* transmissions of the held datagram on the schedule */
	uint8_t flags;                   /* layer-internal */
	uint8_t is_server;               /* layer-internal: which struct contains this */
	struct txn_user user;
};

/** A client transaction (we send a request). Embedded in its owner; 96 bytes on x86-64. */
struct txn_client {
	struct txn_common c;
	uint32_t cseq;                   /* CSeq number of the request */
	uint32_t invite_timeout_ms;      /* INVITE: the leg fails this long after start, 0 = none */
};

/** A server transaction (we received a request). Embedded in its owner; 96 bytes. */
struct txn_server {
	struct txn_common c;
	uint64_t key;                    /* its key in the worker's server index */
};

/**
 * What the layer tells its user. Every pointer may be NULL except where said. @m / @s are
 * borrowed for the call's duration.
 */
struct txn_ops {
	/*
	 * Client: a response that belongs to @tc and is not a retransmission the layer absorbed
	 * (first provisional of each status and every later provisional, the first final). For an
	 * INVITE non-2xx final the layer has already sent the ACK (INV-5); for a 2xx the TU sends
	 * the ACK (a new transaction, RFC 3261 13.2.2.4) and every retransmitted 2xx is delivered
	 * again (status, state unchanged) so the TU can re-ACK it. Required.
	 */
	void (*response)(struct worker *w, struct txn_client *tc, const struct sip_scan *s,
			 struct rte_mbuf *m);
	/* Client: gave up (@why SCHEDULE or INVITE). @tc is no longer active. Required. */
	void (*client_timeout)(struct worker *w, struct txn_client *tc, enum txn_timeout why);
	/* Server INVITE: no ACK for our final (@why NO_ACK). @ts is no longer active. Required. */
	void (*server_timeout)(struct worker *w, struct txn_server *ts, enum txn_timeout why);
	/* Server INVITE: the ACK for our non-2xx arrived (first one only). Optional. */
	void (*ack)(struct worker *w, struct txn_server *ts, const struct sip_scan *s,
		    struct rte_mbuf *m);
	/*
	 * A transaction ended quietly after its last timer (D, K, I, J, or the schedule's end of an
	 * ACKed/stopped transaction): @tc or @ts (the other NULL) is no longer active, so the TU
	 * may free its container. Not called after a timeout callback or txn_*_stop(). Optional.
	 */
	void (*terminated)(struct worker *w, struct txn_client *tc, struct txn_server *ts);
	/*
	 * Dispatch (txn_response_input()): the client transaction a token of ours names
	 * (t->slot, t->gen, t->sub as the TU minted them), or NULL when it names none (stale
	 * generation, free slot): the response is then a stray (GEN-2). Optional: without it
	 * the TU calls txn_client_response() itself.
	 */
	struct txn_client *(*client_resolve)(struct worker *w, const struct sip_token *t);
	/*
	 * Dispatch (txn_request_input()): the server transaction a handle names (the value the TU
	 * gave txn_server_start()), or NULL when stale. Optional, as client_resolve.
	 */
	struct txn_server *(*server_resolve)(struct worker *w, uint64_t handle);
};

/**
 * Per-worker counters, exported as counters "txn_<name>" (stats.get workers[i].counters and
 * total, telemetry /sipfast/stats) by ctrlplane/stats.c:
 * - started_client: txn_client_start() that sent; started_server: txn_server_start() indexed
 * - retransmits_sent: our retransmissions (requests, responses, ACK re-sends)
 * - retransmits_absorbed: retransmitted requests / responses / ACKs absorbed
 * - timeouts: timeout callbacks (client and server)
 * - stray_response: responses matching no client transaction, dropped (GEN-2)
 * - index_full: txn_server_start() refused, index full (the TU answers 503)
 * - send_failed: copies that could not be made or sent (pool empty)
 * - active_client, active_server: gauges of active transactions
 */
#define TXN_STATS_LIST(X) \
	X(started_client) X(started_server) X(retransmits_sent) X(retransmits_absorbed) \
	X(timeouts) X(stray_response) X(index_full) X(send_failed) X(active_client) \
	X(active_server)

struct txn_stats {
#define X(name) uint64_t name;
	TXN_STATS_LIST(X)
#undef X
};

struct txn_index;

/** Per-worker state: w->txn. */
struct txn_worker {
	struct txn_ops ops[TXN_USER_KINDS];
	struct txn_index *index;         /* server-transaction index */
	uint64_t hash_seed;              /* keys the index hash (set-up, random) */
	struct txn_stats stats;
};

/* ---- Set-up (txn_setup.c, control plane) ---- */

/**
 * Make the per-worker state on @socket with a server index of @index_capacity live entries
 * (rounded up; e.g. 2 x runtime.calls_per_worker), hash keyed by @seed. NULL on ENOMEM.
 */
struct txn_worker *txn_worker_create(uint32_t index_capacity, uint64_t seed, int socket);
/** Free it (NULL is fine). Held mbufs belong to the transactions: stop them first. */
void txn_worker_free(struct txn_worker *tw);
/** Register @ops for @kind (< TXN_USER_KINDS); copies the table. 0 or -EINVAL. */
int txn_set_ops(struct txn_worker *tw, enum txn_user_kind kind, const struct txn_ops *ops);
/** The wheel's callback for TW_KIND_TXN (@arg: the struct worker); the module registers it. */
void txn_timer_fired(struct tw_wheel *wheel, struct tw_node *n, uint64_t now_ms, void *arg);

/* ---- Schedules ---- */

/** Copy SS_SIP_RESEND_INTERVAL (p->resend_ms, p->n_resend) into @s (I-34). */
void txn_schedule_from_params(struct txn_schedule *s, const struct sf_params *p);
/** Sum of the waits: when a transaction started at 0 gives up (31500 ms by default). */
uint32_t txn_schedule_total_ms(const struct txn_schedule *s);

/* ---- Client transactions ---- */

/** Make @tc idle and set its user (once, before first use). */
void txn_client_init(struct txn_client *tc, const struct txn_user *user);

/**
 * Start a client transaction: send @req (payload only: the whole request; its top Via branch
 * is the TU's minted token, @cseq its CSeq number, @method its method) to @dest now, then
 * retransmit on @sched (INVITE: Timer A, until the first provisional; other methods: Timer E,
 * until the final). INVITE with @invite_timeout_ms > 0: the transaction fails (callback
 * client_timeout TXN_TIMEOUT_INVITE) that long after now unless a provisional or final came
 * (INV-1..4), even if the schedule ends earlier or later; with 0 it fails at the schedule's
 * end (TXN_TIMEOUT_SCHEDULE), as every non-INVITE does (Timer F).
 * @return 0; -EBUSY when @tc is active; -EINVAL for a bad schedule; -ENOBUFS when the first
 *         copy could not be made. On error @tc stays idle and @req is freed.
 */
int txn_client_start(struct worker *w, struct txn_client *tc, struct rte_mbuf *req,
		     const struct txn_dest *dest, enum sip_scan_method method, uint32_t cseq,
		     const struct txn_schedule *sched, uint32_t invite_timeout_ms);

/** Outcome of a response given to a client transaction. */
enum txn_resp {
	TXN_RESP_DELIVERED, /* passed to ops.response */
	TXN_RESP_ABSORBED,  /* a retransmission the layer handled (counted; e.g. re-sent the ACK) */
	TXN_RESP_STRAY,     /* matches no client transaction: dropped, counted (GEN-2) */
};

/**
 * A response (@m, scanned into @s with at least SIP_WANT_VIA | SIP_WANT_FROM_TO |
 * SIP_WANT_DIALOG; pkt_meta(@m)->payload_off/len locate the datagram, as udp_input() leaves
 * them: the ACK takes the response's To from there) whose top Via branch the TU matched to
 * @tc. Checks the CSeq method and number and the state (a response for an idle @tc, or of
 * another method, is STRAY), updates the state machine (above) and calls ops.response when it
 * is news.
 * INVITE: a 1xx stops the retransmissions and the invite timeout (INV-4); a 3xx-6xx is ACKed
 * at once (same branch, To from the response, INV-5) and Completed holds that ACK for the
 * retransmitted finals (Timer D = the schedule's total); a 2xx -> Accepted (the TU ACKs it;
 * retransmitted and forked 2xx are delivered again for the TU to re-ACK, Timer M = the
 * schedule's total). Non-INVITE: a final -> Completed
 * (Timer K = T4), retransmitted finals absorbed.
 */
enum txn_resp txn_client_response(struct worker *w, struct txn_client *tc,
				  const struct sip_scan *s, struct rte_mbuf *m);

/**
 * Dispatcher for any response on this worker: reads our token from the top Via branch, checks
 * its owner is this worker, asks ops[kind].client_resolve (every kind with one, in kind order,
 * until one answers), then txn_client_response(). Anything else is STRAY (GEN-2, counted).
 */
enum txn_resp txn_response_input(struct worker *w, const struct sip_scan *s, struct rte_mbuf *m);

/** Stop @tc now: timer stopped, held mbuf freed, idle; no callback. Idle is fine. */
void txn_client_stop(struct worker *w, struct txn_client *tc);

/** True while @tc holds a timer or an mbuf (not idle). */
static inline bool
txn_client_active(const struct txn_client *tc)
{
	return tc->c.state != TXN_C_IDLE;
}

/**
 * True while @tc still waits for its final response (Calling, Trying, Proceeding); false when
 * idle or when it only absorbs retransmissions (Completed: Timer D/K; Accepted: Timer M), so
 * its owner may stop it (txn_client_stop()) once nothing else needs the container.
 */
static inline bool
txn_client_waiting(const struct txn_client *tc)
{
	return tc->c.state == TXN_C_CALLING || tc->c.state == TXN_C_TRYING ||
	       tc->c.state == TXN_C_PROCEEDING;
}

/**
 * The request @tc sent (payload only, read-only), for the TU to build a CANCEL from an INVITE
 * (dataplane/sip/build_req.h); NULL once @tc completed or is idle.
 */
static inline const struct rte_mbuf *
txn_client_request(const struct txn_client *tc)
{
	return tc->c.state == TXN_C_CALLING || tc->c.state == TXN_C_TRYING ||
			       tc->c.state == TXN_C_PROCEEDING
		       ? tc->c.held
		       : NULL;
}

/* ---- Server transactions ---- */

/** Make @ts idle and set its user (once, before first use). */
void txn_server_init(struct txn_server *ts, const struct txn_user *user);

/**
 * Start a server transaction for the request @s (method @s->line.method, not ACK; CANCEL is
 * a non-INVITE transaction of its own) received from @dest's dst (responses go to @dest: the
 * request's source, src = our address). Indexes it by (top Via branch, sent-by host:port,
 * method) with @handle (the TU's value, given back by txn_server_find() and to
 * ops.server_resolve). Nothing is sent (the TU responds with txn_server_respond(); an INVITE
 * should get its 100 at once, INV-6). Retransmissions of the schedule for our finals use
 * @sched.
 * @return 0; -EBUSY when @ts is active; -EEXIST when the key is already indexed;
 *         -ENOSPC when the index is full (counted: the TU answers 503 statelessly);
 *         -EINVAL when @s has no top Via branch.
 */
int txn_server_start(struct worker *w, struct txn_server *ts, const struct sip_scan *s,
		     const struct txn_dest *dest, uint64_t handle,
		     const struct txn_schedule *sched);

/**
 * Send a response (@resp payload only, status @status) for @ts and keep it as the last one
 * (GEN-3). INVITE: 1xx -> Proceeding (re-sent on a retransmitted INVITE, INV-6); 2xx ->
 * Accepted, re-sent on the schedule until txn_server_acked() (INV-7; the schedule's end ->
 * ops.server_timeout NO_ACK); 3xx-6xx -> Completed, re-sent on the schedule (Timer G) until
 * the ACK (-> Confirmed, Timer I = T4) or the end (Timer H -> ops.server_timeout NO_ACK).
 * Non-INVITE: 1xx -> Proceeding; final -> Completed, kept for the schedule's total (Timer J).
 * @return 0; -EINVAL when @ts cannot send (idle, or a final already sent: @resp is freed).
 *         A copy that cannot be made is counted (send_failed) and 0 is returned: the state
 *         moves on and the next retransmission tries again.
 */
int txn_server_respond(struct worker *w, struct txn_server *ts, struct rte_mbuf *resp,
		       uint16_t status);

/** Server INVITE in Accepted: the TU matched the ACK for our 2xx; stop re-sending, end @ts. */
void txn_server_acked(struct worker *w, struct txn_server *ts);

/** Outcome of a request given to the server side. */
enum txn_req {
	TXN_REQ_NEW,       /* no server transaction: the TU processes it (maybe starts one) */
	TXN_REQ_ABSORBED,  /* a retransmission: the last response re-sent or nothing (counted) */
	TXN_REQ_ACK,       /* the ACK for our INVITE non-2xx: Confirmed (ops.ack called) */
};

/**
 * A request that matched @ts (same key; the TU found it by txn_server_find()): a
 * retransmission re-sends the last response (GEN-3, INV-6; nothing yet sent: absorbed
 * silently); an ACK for our non-2xx final moves to Confirmed. An ACK in Accepted (2xx) is not
 * ours (it has its own branch): TXN_REQ_NEW.
 */
enum txn_req txn_server_request(struct worker *w, struct txn_server *ts,
				const struct sip_scan *s, struct rte_mbuf *m);

/**
 * Look up the server transaction of request @s (ACK and @as_invite map to INVITE: CANCEL
 * with @as_invite finds the INVITE it cancels). 0 and *@handle, or -ENOENT.
 */
int txn_server_find(struct worker *w, const struct sip_scan *s, bool as_invite,
		    uint64_t *handle);

/**
 * Dispatcher for any request on this worker: txn_server_find() (not as_invite), then
 * ops[kind].server_resolve where kind = the handle's top 8 bits (TXN_HANDLE()), then
 * txn_server_request(). NEW when nothing matched or the handle is stale.
 */
enum txn_req txn_request_input(struct worker *w, const struct sip_scan *s, struct rte_mbuf *m);

/** A handle whose top 8 bits are the user kind, for txn_request_input()'s dispatch. */
#define TXN_HANDLE(kind, v) (((uint64_t)(kind) << 56) | ((uint64_t)(v) & ((1ull << 56) - 1)))
#define TXN_HANDLE_KIND(h) ((uint8_t)((h) >> 56))
#define TXN_HANDLE_VALUE(h) ((h) & ((1ull << 56) - 1))

/** Stop @ts now: timer stopped, index entry removed, held mbuf freed, idle; no callback. */
void txn_server_stop(struct worker *w, struct txn_server *ts);

static inline bool
txn_server_active(const struct txn_server *ts)
{
	return ts->c.state != TXN_S_IDLE;
}

/**
 * True while @ts still owes something: no final sent yet (Trying, Proceeding), or an INVITE
 * final that waits for its ACK and is re-sent (Accepted, Completed: G/H, INV-7). False when
 * idle or when it only absorbs retransmissions (Confirmed: Timer I; non-INVITE Completed:
 * Timer J), so its owner may stop it once nothing else needs the container.
 */
static inline bool
txn_server_waiting(const struct txn_server *ts)
{
	switch (ts->c.state) {
	case TXN_S_TRYING:
	case TXN_S_PROCEEDING:
	case TXN_S_ACCEPTED:
		return true;
	case TXN_S_COMPLETED:
		return ts->c.method == SIP_METHOD_INVITE;
	default:
		return false;
	}
}

/* ---- Sending outside a transaction ---- */

/**
 * Send @payload (payload only; owned by the layer) to @dest once, e.g. the TU's ACK for a 2xx
 * or a stateless 503. 0 or a negative errno (counted in send_failed when no copy/frame).
 */
int txn_send(struct worker *w, const struct txn_dest *dest, struct rte_mbuf *payload);

/**
 * The destination for responses to the request in @m (pkt_meta: its source address and port
 * as received, RFC 3261 18.2.2 with rport semantics for UDP; our address it came to; the MAC
 * it came from as the next hop, like sip_reply).
 */
void txn_dest_reply(struct txn_dest *d, const struct rte_mbuf *m);

#endif
