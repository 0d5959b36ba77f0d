/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The call engine's per-worker state (w->call): the call table (slots with generations and a
 * free list), the index of A legs by (Call-ID, From tag) for what carries no token of ours
 * (a retransmitted INVITE, CANCEL), and each call's two legs. Private to dataplane/call/.
 *
 * A call keeps copies of the few identifiers its legs repeat (Call-ID, URIs, tags) in one
 * text area, never a message; its transactions (dataplane/txn/, embedded: three slots) hold
 * the datagrams they may re-send, and the call holds A's INVITE until A has its final (the
 * responses to A are built from it), so an established call holds no mbuf
 * (docs/ARCHITECTURE.md "Calls": bytes per call).
 */
#ifndef SF_CALL_IMPL_H
#define SF_CALL_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "dataplane/call/call_ctl.h"
#include "dataplane/params.h"
#include "dataplane/sf_span.h"
#include "dataplane/timer/timer_wheel.h"
#include "dataplane/txn/txn.h"

#define CALL_DEFAULT_PER_WORKER 16384u  /* runtime.calls_per_worker default */
#define CALL_MIN_PER_WORKER 16u
#define CALL_MAX_PER_WORKER (1u << 20)  /* < SIP_TOKEN_MAX_SLOT */
#define CALL_TEXT_MAX 544u              /* bytes of copied identifiers per call */
#define CALL_RETRY_AFTER_S 5u           /* Retry-After of the 503 when the table is full */
#define CALL_SETUP_MAX_MS 180000u       /* RFC 3261 timer C: B provisional but no final */
#define CALL_LINGER_MS 32000u           /* after A's final: catch late 2xx / ACK (timer D/H) */
#define CALL_SCHED_SLOTS 8u             /* distinct resend schedules live at once per worker */

/* Token sub-identifiers: which of a call's minted identifiers a token is. */
enum call_sub {
	CALL_SUB_A_TAG = 0,    /* our To tag towards A */
	CALL_SUB_B_CALLID = 1, /* the B leg's Call-ID */
	CALL_SUB_B_TAG = 2,    /* our From tag towards B */
	CALL_SUB_B_INVITE = 3, /* branch of the INVITE to B (and its CANCEL, non-2xx ACK) */
	CALL_SUB_B_ACK = 4,    /* branch of the ACK for B's 2xx */
	CALL_SUB_B_BYE = 5,    /* branch of our BYE to B */
	CALL_SUB_A_BYE = 6,    /* branch of our BYE to A */
};

/* A stored string: offset and length in struct call.text. */
struct call_str {
	uint16_t off;
	uint16_t len;
};

/*
 * A call's transaction slots (struct call.t[]): what each holds over the call's life. A slot is
 * a client or a server transaction by turns (txn_*_init() when its role changes; the union's
 * first member is the txn_common both start with).
 *  CALL_T_A: A's INVITE server transaction; then the BYE server transaction of A's BYE, or
 *            the client transaction of our BYE to A (sub CALL_SUB_A_BYE).
 *  CALL_T_B: B's INVITE client transaction (sub CALL_SUB_B_INVITE), until its end (D / M).
 *  CALL_T_X: the CANCEL to B (sub CALL_SUB_B_INVITE, CSeq method CANCEL), our BYE to B (sub
 *            CALL_SUB_B_BYE), or the BYE server transaction of B's BYE.
 */
enum call_t {
	CALL_T_A = 0,
	CALL_T_B = 1,
	CALL_T_X = 2,
	CALL_T_N = 3,
};

union call_txn {
	struct txn_common c;
	struct txn_client cl;
	struct txn_server sv;
};

/* One side of the call. Addresses and ports in network order. */
struct call_leg {
	uint32_t peer_ip;           /* where we send: observed source (REG-13) or gateway */
	uint32_t local_ip;          /* our address on that side */
	uint16_t peer_port;
	uint16_t local_port;
	uint16_t port_id;           /* DPDK port */
	bool has_mac;               /* A: @mac is the L2 source its INVITE came from */
	uint8_t mac[6];             /* A: where our answers and requests to A go (as sip_reply) */
	uint32_t cseq;              /* A: its INVITE's CSeq; B: our last CSeq on the B leg */
	uint32_t our_cseq;          /* A: our last CSeq for requests we send A (BYE) */
	struct call_str call_id;    /* A: A's Call-ID (B: minted, not stored) */
	struct call_str from;       /* A: A's From "<uri>;tag=x"; B: ours "<uri>" (+ our tag) */
	struct call_str to;         /* A: A's To "<uri>" (+ our tag); B: B's To with its tag */
	struct call_str target;     /* remote target URI: A's Contact, B's Request-URI/Contact */
	struct call_str user;       /* A: From user; B: called number */
	struct call_str from_tag;   /* A: A's From tag (for the index) */
};

struct call {
	struct call_leg a;
	struct call_leg b;
	union call_txn t[CALL_T_N]; /* the call's transactions (enum call_t) */
	struct tw_node timer;       /* TW_KIND_CALL: setup limit, the duration cap once answered
				     * (NT, MAX), linger once ended */
	struct rte_mbuf *a_invite;  /* A's INVITE until A has its final (responses built from it) */
	uint64_t a_index_key;       /* key in the A index (0 = not indexed) */
	uint32_t entropy;           /* token entropy of every identifier of this call */
	uint32_t start_s, answer_s;
	uint32_t next_free;         /* free list: next free slot + 1 */
	uint16_t gen;
	uint16_t text_len;
	uint16_t gateway;           /* gateway index + 1 (0 = a phone) */
	uint16_t best_code;         /* best final from B so far (RFC 3261 16.7) */
	uint8_t sched;              /* its resend schedule: call_engine.sched[sched] (I-34) */
	uint8_t state;              /* enum call_state */
	bool b_provisional;         /* B sent a provisional: CANCEL may go */
	bool cancel_pending;        /* A cancelled before B's provisional */
	bool a_final_sent;          /* A got its final response */
	bool b_final;               /* B's INVITE transaction has its final (or timed out) */
	bool b_timed_out;           /* our invite timeout fired on B */
	bool late_handled;          /* a 2xx after CANCEL/timeout was ACKed and BYEd once */
	bool counted_active;        /* in the active gauge (else in setup) */
	bool a_timer;               /* A's INVITE showed session-timer support (I-26) */
	uint8_t text[CALL_TEXT_MAX];
};

/* Per worker (w->call). */
struct call_engine {
	struct call *calls;         /* capacity slots */
	uint32_t capacity;
	uint32_t free_head;         /* first free slot + 1, 0 = full */
	uint32_t n_used;
	uint32_t index_mask;        /* A index slots - 1 */
	uint64_t *index_key;        /* 0 = empty */
	uint32_t *index_slot;
	uint64_t entropy_state;     /* sip_token_entropy() (0 = bench: fixed tokens) */
	/*
	 * Resend schedules (SS_SIP_RESEND_INTERVAL snapshots, I-34) shared by the calls that
	 * started under them: a call takes a reference at start (the current one when the
	 * parameters did not change) and drops it when freed; a slot without references is
	 * reused for the next new schedule.
	 */
	struct txn_schedule sched[CALL_SCHED_SLOTS];
	uint32_t sched_refs[CALL_SCHED_SLOTS];
	uint8_t sched_cur;          /* the slot new calls take while the parameters match it */
};

static inline struct sf_span
call_text(const struct call *c, struct call_str s)
{
	return (struct sf_span){c->text + s.off, s.len};
}

/* 16.7 ranking of a final response for the caller: larger is better. */
static inline int
call_final_rank(uint16_t code)
{
	if (code >= 600)
		return 5;
	if (code >= 200 && code < 300)
		return 6;
	switch (code) {
	case 401:
	case 407:
	case 415:
	case 420:
	case 484:
		return 4;
	case 503:
		return 1;
	default:
		break;
	}
	if (code >= 400 && code < 500)
		return 3;
	if (code >= 500)
		return 2;
	return 0; /* 3xx: a B2BUA does not forward it (mapped to 503) */
}

/* The code A gets for B's final @code (I-18): 401/407/3xx -> 503, else the same. */
static inline uint16_t
call_map_final(uint16_t code)
{
	if (code == 401 || code == 407 || (code >= 300 && code < 400))
		return 503;
	return code;
}

/* --- call.c (packet path) -------------------------------------------------------------- */
void call_timer_fired(struct tw_wheel *wh, struct tw_node *n, uint64_t now, void *arg);
/* End @c now (BYE / CANCEL / 487 as its state needs); calls.hangup. */
void call_end_now(struct worker *w, struct call *c);
/* The call's struct txn_ops (TXN_USER_CALL), registered by call_worker_init(). */
extern const struct txn_ops call_txn_ops;

#endif
