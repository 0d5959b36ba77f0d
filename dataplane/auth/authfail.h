/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Authentication sessions (SS_SIP_AUTHENTICATION_RETRY / _TIMEOUT, I-4, I-5) and terminal
 * lockout (SS_AUTHENTICATION_MAX_RETRY / _FAILED_SUSPEND, SS_ENDPOINT_REGISTER_RETRY /
 * _SUSPEND, I-6), plus an optional per-source-IP ceiling across usernames (beyond the seed,
 * off by default). One fixed-size table per worker; the owner of every entry is
 * steer_owner(hash(source IP)), so all state of one source is in one place. Pure C, no DPDK.
 *
 * State exists only after the first WRONG answer: a challenge (and a flood of them) creates
 * none; the session's start comes from the nonce's issue time. Times are s on the caller's
 * monotonic clock (uint32), passed in so tests simulate time. Only the owner worker calls in.
 */
#ifndef SF_AUTHFAIL_H
#define SF_AUTHFAIL_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/sf_span.h"

struct sf_params;
struct authfail_table;

#define AUTHFAIL_NAME_MAX 32 /**< user / Call-ID bytes kept verbatim in an entry */

/**
 * Table settings at creation. The IP ceiling (beyond the seed; ip_max_fail 0 = off) can be
 * changed later with authfail_set_ip_ceiling(); the rest is fixed.
 */
struct authfail_config {
	uint32_t capacity;     /* slots, rounded up to a power of two; 64 bytes each */
	uint32_t idle_s;       /* forget a (source IP, user) failure count idle this long; 0 = 3600 */
	uint32_t ip_max_fail;  /* wrong answers from one source IP, any users, per window; 0 = off */
	uint32_t ip_window_s;  /* the ceiling's fixed counting window, s */
	uint32_t ip_suspend_s; /* how long the whole source IP is refused once it hits the ceiling */
};

/** authfail_check(): may this (source IP, user) be challenged / verified at all? */
enum authfail_check {
	AUTHFAIL_ALLOW,
	AUTHFAIL_LOCKED, /* suspended (LOCK-2): final reject, no challenge, nothing counted */
};

/** authfail_session_check(): state of the auth session (source IP, Call-ID). */
enum authfail_session {
	AUTHFAIL_SESSION_NONE,      /* no wrong answer yet in this session */
	AUTHFAIL_SESSION_OPEN,      /* wrong answers so far < R, within the timeout */
	AUTHFAIL_SESSION_TIMED_OUT, /* older than its timeout: final reject (I-5), entry removed */
};

/** authfail_record_failure(): what to answer to a wrong digest. */
enum authfail_result {
	AUTHFAIL_CHALLENGE_AGAIN, /* new challenge with a fresh nonce */
	AUTHFAIL_FINAL_REJECT,    /* R-th wrong answer or session timeout (I-4, I-5) */
	AUTHFAIL_NOW_LOCKED,      /* lockout limit reached: final reject, key suspended (I-6) */
};

/** One wrong digest answer. */
struct authfail_attempt {
	uint32_t src_ip;         /* network byte order, as pkt_meta.src_ip */
	struct sf_span user;     /* authentication username (Authorization username) */
	struct sf_span call_id;  /* the session (I-5) */
	uint32_t challenged_s;   /* issue time of the answered nonce when it was NONCE_OK, else now */
	bool is_register;        /* REGISTER: SS_ENDPOINT_REGISTER_* pair; else SS_AUTHENTICATION_* */
};

/** Counters, written by the owner worker only. */
struct authfail_stats {
	uint64_t failures;      /* wrong answers recorded */
	uint64_t final_rejects; /* sessions ended by retry count or timeout */
	uint64_t lockouts;      /* (source IP, user) suspensions started */
	uint64_t ip_lockouts;   /* source-IP-wide suspensions started (ceiling) */
	uint64_t evictions;     /* ended entries (never live ones) replaced in a full window */
	uint64_t refused_full;  /* new counting refused: probe window full of live entries (the
				   wrong answer then gets a final reject; HARDEN-9) */
};

/** A suspended key as authfail_suspended_foreach() reports it. */
struct authfail_suspended {
	uint32_t src_ip;           /* network byte order */
	const uint8_t *user;       /* first user_len bytes of the user; NULL for an IP-wide entry */
	uint8_t user_len;          /* bytes at @c user (at most AUTHFAIL_NAME_MAX) */
	bool user_truncated;       /* the user was longer than AUTHFAIL_NAME_MAX */
	bool ip_wide;              /* the per-source-IP ceiling, every user refused */
	uint32_t remaining_s;      /* until the suspension ends */
};

typedef void (*authfail_visit_fn)(const struct authfail_suspended *s, void *arg);

/** Wrong answers per window the ceiling can count (its counter saturates there). */
#define AUTHFAIL_IP_MAX_FAIL_MAX UINT16_MAX

/**
 * Make a table (init code). @p seed keys the slot hash (take it from getrandom()).
 * Returns NULL on a bad config (capacity 0 or above 2^24, ceiling on with window or suspend 0
 * or above AUTHFAIL_IP_MAX_FAIL_MAX) or no memory.
 */
struct authfail_table *authfail_create(const struct authfail_config *cfg, uint64_t seed);

/**
 * Owner worker, live: set the per-source-IP ceiling (@p max_fail 0 = off). The next check and
 * the next wrong answer use it. An IP suspension already running keeps its end time; a
 * counting window already open is judged by the new @p window_s and @p max_fail. Turning it
 * off stops checking the IP-wide entries at once (they are swept as they expire).
 * @return 0, or -EINVAL (nothing changed) when on with @p window_s or @p suspend_s 0 or
 *         @p max_fail above AUTHFAIL_IP_MAX_FAIL_MAX
 */
int authfail_set_ip_ceiling(struct authfail_table *tbl, uint32_t max_fail, uint32_t window_s,
			    uint32_t suspend_s);

/** Free a table; NULL is a no-op. */
void authfail_destroy(struct authfail_table *tbl);

/** Is (src_ip, user) or src_ip as a whole suspended? An ended suspension is cleared here. */
enum authfail_check authfail_check(struct authfail_table *tbl, uint32_t src_ip,
				   struct sf_span user, uint32_t now);

/** Look up the session (src_ip, call_id); removes it when it reports TIMED_OUT. */
enum authfail_session authfail_session_check(struct authfail_table *tbl, uint32_t src_ip,
					     struct sf_span call_id, uint32_t now);

/**
 * Record a wrong answer: count it against (src_ip, user) under the current @p p, and against
 * the session (src_ip, call_id), whose R and timeout are taken from @p p when the session is
 * created by this call and kept for its life (I-34, AUTH-12). The lockout is checked first, so
 * the answer that reaches SS_*_RETRY gets NOW_LOCKED (a final reject) rather than a challenge.
 */
enum authfail_result authfail_record_failure(struct authfail_table *tbl,
					     const struct authfail_attempt *a,
					     const struct sf_params *p, uint32_t now);

/** A correct answer: both failure counters of (src_ip, user) go to 0 and the session ends. */
void authfail_record_success(struct authfail_table *tbl, uint32_t src_ip, struct sf_span user,
			     struct sf_span call_id);

/**
 * Incremental sweep from the table's cursor over at most @p budget slots (timer tick):
 * removes ended suspensions, idle counters and sessions past twice their timeout (kept that
 * long so a late answer to a re-challenge still meets its timed-out session).
 * @return entries removed
 */
unsigned int authfail_expire(struct authfail_table *tbl, uint32_t now, unsigned int budget);

/** Call @p fn for every active suspension (suspended.list); returns how many. */
unsigned int authfail_suspended_foreach(const struct authfail_table *tbl, uint32_t now,
					authfail_visit_fn fn, void *arg);

/**
 * suspended.clear: lift suspensions and counters matching @p src_ip (when @p match_ip) and
 * @p user (when user.len > 0). Both unset clears every lockout entry; sessions stay.
 * @return entries removed
 */
unsigned int authfail_clear(struct authfail_table *tbl, bool match_ip, uint32_t src_ip,
			    struct sf_span user);

/** Live entries (any kind) and the counters. */
uint32_t authfail_count(const struct authfail_table *tbl);
const struct authfail_stats *authfail_stats(const struct authfail_table *tbl);

#endif
