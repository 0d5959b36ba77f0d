/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The call engine's control surface (issue 13; calls.list, calls.hangup, sipfastctl calls,
 * stats): what the control plane may ask of one worker's call table. The functions run on
 * the worker that owns the call (from a request handler, dataplane/request.h), except
 * call_id_format()/call_id_parse(), which are pure.
 *
 * A call's ID is the text of its token without prefix, sub and entropy: owner (2 hex), slot
 * (6 hex), generation (4 hex), e.g. "0100002a0003": the control plane knows the owner
 * worker from the ID alone, and a stale ID (the slot was reused) is recognised by its
 * generation.
 *
 * Counters (COUNTER_CALL_*, dataplane/verdict.h, exported like every counter): outcomes
 * answered, 4xx, 5xx, 6xx, timeout, cancelled, rejected_full (503, table full); gauges active
 * (answered, not ended) and setup (allocated, not answered); a gauge is per worker, the sum
 * over workers is the table occupancy.
 */
#ifndef SF_CALL_CTL_H
#define SF_CALL_CTL_H

#include <stdbool.h>
#include <stdint.h>

struct worker;

#define CALL_ID_TEXT_LEN 12u   /* owner(2) + slot(6) + gen(4) hex digits, no NUL */
#define CALL_INFO_USER_MAX 64u /* bytes with NUL */
#define CALL_INFO_CALLID_MAX 96u /* bytes with NUL (longer Call-IDs are cut) */

/* Call states, in order; call_state_name() gives the text calls.list shows. */
#define CALL_STATE_LIST(X)                                                                 \
	X(FREE, "free")             /* slot unused (never listed) */                         \
	X(TRYING, "trying")         /* INVITE sent on the B leg, nothing back yet */         \
	X(EARLY, "early")           /* B sent a provisional (18x) */                         \
	X(ANSWERED, "answered")     /* 2xx relayed to A, waiting for A's ACK */              \
	X(CONFIRMED, "confirmed")   /* ACKed: the call is up */                              \
	X(CANCELLING, "cancelling") /* A cancelled, B leg being cancelled */                 \
	X(ENDING, "ending")         /* BYE sent, waiting for the legs to finish */

enum call_state {
#define X(name, text) CALL_##name,
	CALL_STATE_LIST(X)
#undef X
	CALL_STATE_MAX
};

/** One call, as calls.list shows it (a copy; no pointer into the table). */
struct call_info {
	char id[CALL_ID_TEXT_LEN + 1];      /* owner+slot+gen hex, NUL-terminated */
	uint32_t slot;
	uint16_t gen;
	uint8_t owner;                      /* worker index */
	uint8_t state;                      /* enum call_state */
	bool b_is_gateway;                  /* B leg goes to a gateway (else a phone) */
	char a_user[CALL_INFO_USER_MAX];    /* caller: From user of A's INVITE */
	char b_user[CALL_INFO_USER_MAX];    /* called number: Request-URI user */
	char gateway[CALL_INFO_USER_MAX];   /* gateway name when b_is_gateway, else "" */
	uint32_t a_ip_be;                   /* A peer address, network order */
	uint16_t a_port;                    /* host order */
	uint32_t b_ip_be;                   /* B peer address, network order */
	uint16_t b_port;                    /* host order */
	uint32_t start_s;                   /* auth_now() seconds when A's INVITE arrived */
	uint32_t answer_s;                  /* when B answered (2xx), 0 = not answered */
	uint32_t now_s;                     /* the worker's auth_now() when this was filled */
	char a_call_id[CALL_INFO_CALLID_MAX];
	char b_call_id[CALL_INFO_CALLID_MAX];
};

/** Text of @state ("confirmed"); "?" when out of range. */
const char *call_state_name(unsigned int state);

/** Write the ID of (@owner, @slot, @gen): CALL_ID_TEXT_LEN hex digits + NUL into @out. */
void call_id_format(char out[CALL_ID_TEXT_LEN + 1], uint8_t owner, uint32_t slot, uint16_t gen);

/** Parse an ID (exactly CALL_ID_TEXT_LEN hex digits, any case). False when it is not one. */
bool call_id_parse(const char *text, uint8_t *owner, uint32_t *slot, uint16_t *gen);

/** Call slots of @w's table (runtime.calls_per_worker); 0 without a call engine. */
uint32_t call_capacity(const struct worker *w);

/**
 * On @w (the owner): fill @out for the call in @slot. False when the slot is free or out of
 * range (page through 0..call_capacity()-1).
 */
bool call_info_at(const struct worker *w, uint32_t slot, struct call_info *out);

/**
 * On @w (the owner): end the call in (@slot, @gen) now: BYE on every leg that is
 * established, CANCEL/487 for one in setup, and free the slot when the legs are done.
 * 0 (ended now, counted call_hangups); 1 when the call is already ending (its BYEs or
 * CANCEL are out: nothing is sent or counted again); -ENOENT when no such call (free slot,
 * or @gen is stale).
 */
int call_hangup(struct worker *w, uint32_t slot, uint16_t gen);

/*
 * Registered by the call engine on the worker's request channel (dataplane/request.h):
 * REQUEST_CALLS_HANGUP, args[0] = slot, args[1] = gen; status 0 or -ENOENT, result[0] = 1
 * when a call was ended.
 */

#endif
