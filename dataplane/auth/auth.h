/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Authentication for any method (AUTH, LOCK, HARDEN-7; issue 11 item 3): digest challenges
 * with stateless nonces, verification, auth sessions and lockout (authfail), the replay guard.
 * REGISTER uses it today (registrar.c); the call engine challenges and verifies INVITEs the
 * same way. The caller answers (it owns the transaction); auth/ decides and counts.
 *
 * Owner rule: all auth state of a source (lockout and session entries, replay pairs) lives on
 * steer_source_owner(source IP), rule S: a request is verified on that worker, which then marks it
 * PKT_META_F_AUTHENTICATED so no other worker verifies it again. Challenges need no state and
 * may be issued on any worker (the nonce names its issuer but verifies on every worker).
 *
 * Per worker: struct auth (w->auth, set by auth_worker_init(); NULL in fixtures without auth).
 * It hangs off the worker, not off the registrar, because it is shared by every method's
 * module: the registrar and the call engine both call in, neither owns it.
 * Shared: struct auth_shared, the nonce key ring that ctrlplane creates and rotates.
 * Cold code (create, destroy, rotation on CLOCK_MONOTONIC) is in auth_setup.c.
 */
#ifndef SF_AUTH_H
#define SF_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataplane/auth/nonce.h"
#include "dataplane/sf_span.h"
#include "dataplane/sip/scan.h"
#include "dataplane/verdict.h"

struct worker;
struct pkt_meta;
struct policy_account;
struct sf_params;
struct authfail_table;
struct replay_table;
struct digest_ctx;

#define AUTH_AUTHFAIL_CAPACITY 16384u /**< runtime.authfail_entries default */

/** State every worker shares: the nonce keys (written by ctrlplane only). */
struct auth_shared {
	struct nonce_keyring_pub keys; /* published by ctrlplane: a random ring at create, a
					  new key every NONCE_KEY_ROTATE_S (auth_rotate()) */
	uint64_t keys_rotated_s;       /* ctrlplane only: monotonic s of the last rotation */
	/* Per-worker table sizes (runtime.*, set by ctrlplane before auth_worker_init(); 0 = the
	   default). */
	uint32_t authfail_entries;     /* runtime.authfail_entries: auth-failure slots */
	uint32_t replay_entries;       /* runtime.register_replay_entries: (nonce, nc) seen */
};

/** Clock in s; tests and --bench-fixed-nonce inject one, the daemon uses the TSC. */
typedef uint32_t (*auth_clock_fn)(void *arg);

/** One worker's auth state (w->auth). Written by that worker only (clock: before launch). */
struct auth {
	struct auth_shared *sh;
	struct authfail_table *af;       /* entries of sources this worker owns */
	struct nonce_ctx *nctx;
	struct digest_ctx *dctx;
	uint32_t keys_seen;              /* sh->keys.seq applied to nctx */
	/*
	 * The edge's seconds clock: nonce times, sessions, lockouts, and (registrar_now()) binding
	 * expiry and the reply budget, so a test or the bench freezes all of them at once.
	 */
	auth_clock_fn clock;             /* NULL = TSC seconds */
	void *clock_arg;
	/* HARDEN-7 replay guard (on the digest-verifying, source-IP owner worker). */
	struct replay_table *replay;     /* (nonce, nc) pairs that verified, until they expire */
	uint32_t rp_horizon_s;           /* largest nonce lifetime seen: entries live this long */
	uint32_t rp_low_s;               /* horizon before the last raise (UINT32_MAX: none) */
	uint32_t rp_raised_at_s;         /* when the horizon last grew (0: never) */
};

/** One request to verify, gathered by the caller (the method's module). */
struct auth_req {
	const struct sip_scan *s;          /* scanned with credentials (SIP_SCAN_AUTH) */
	const struct policy_account *acct; /* NULL: the identity is no configured account */
	const struct sf_params *p;         /* the account's parameters, else the global ones */
	struct sf_span user;               /* lockout key: auth username, else From user */
	uint32_t now;                      /* s, auth_now() */
	bool is_register;                  /* SS_ENDPOINT_REGISTER_* lockout pair, else
					      SS_AUTHENTICATION_* (I-6) */
	/*
	 * AUTH-9: a stale nonce of its own session (same Call-ID, no qop) is not a late answer
	 * when this says the identity's live state came from that Call-ID (REGISTER: the AoR's
	 * binding). NULL: never.
	 */
	bool (*same_call_live)(void *arg);
	void *arg;
};

/** What auth_verify() decided; the caller answers accordingly. */
enum auth_outcome {
	AUTH_OK,        /* digest verified (meta PKT_META_F_RETRANS: the same request again) */
	AUTH_CHALLENGE, /* answer with a fresh challenge (stale=true when @stale) */
	AUTH_REJECT,    /* final reject (I-3: 403, or silence when SS_REPLY_UNAUTHORIZED is Off) */
};

struct auth_result {
	enum auth_outcome outcome;
	bool stale;        /* AUTH_CHALLENGE: stale=true (AUTH-9, I-5), not a failure */
	enum counter why;  /* AUTH_REJECT: the reason, already counted */
};

/** The worker's auth clock, s: the injected one, else TSC seconds (also without w->auth). */
uint32_t auth_now(const struct worker *w);

/*
 * Render the challenge lines (WWW-/Proxy-Authenticate per SS_SIP_AUTHENTICATION_CODE) for
 * request @s from @src_ip into @hdr: a fresh stateless nonce, MD5 and SHA-256 offered, the
 * same format whether or not the identity is a configured account (I-2). Any worker.
 * Returns the bytes written, or a negative errno (-ENOTSUP without w->auth).
 */
int auth_challenge_header(struct worker *w, const struct sip_scan *s, uint32_t src_ip,
			  bool stale, uint8_t *hdr, size_t cap);

/*
 * Verify @req, received as @meta, on the source-IP owner (steer_source_owner(), rule S): lockout,
 * credentials, nonce, session, digest, replay, in the order test_authfail.c table_sequence()
 * drives the tables. Counts the reasons (reg_fail_*, reg_lockouts, reg_replay_*) and records
 * failures and success in the lockout table; sets PKT_META_F_RETRANS on a retransmission of a
 * request that verified (GEN-3). Challenges and rejects are answered by the caller; it counts
 * the challenges it sends. Needs w->auth.
 */
void auth_verify(struct worker *w, struct pkt_meta *meta, const struct auth_req *req,
		 struct auth_result *res);

/** policy hook: is (@ip_be, @user) locked out in this worker's table (the source's owner)? */
bool auth_suspended(void *worker, uint32_t ip_be, struct sf_span user);

/*
 * Worker housekeeping tick: sweep up to @budget lockout-table slots (ended suspensions, idle
 * counters, sessions past twice their timeout) and export the table's refusal count.
 */
void auth_housekeeping(struct worker *w, unsigned int budget);

/*
 * Worker side of suspended.clear: lift the lockout entries of @src_ip (when @match_ip) or all
 * of them from this worker's table; sessions stay. Returns the entries removed.
 */
unsigned int auth_clear(struct worker *w, bool match_ip, uint32_t src_ip);

/* --- cold (auth_setup.c) --------------------------------------------------------------- */

/** ctrlplane: shared state with a fresh random key ring. NULL on failure. */
struct auth_shared *auth_shared_create(void);
void auth_shared_destroy(struct auth_shared *sh);

/**
 * ctrlplane, from its loop (any period): rotate the nonce key when NONCE_KEY_ROTATE_S passed
 * since the last rotation (or auth_shared_create()), on CLOCK_MONOTONIC. Workers pick the new
 * ring up at their next challenge or verification. 1 rotated, 0 not due, -errno (retried).
 */
int auth_rotate(struct auth_shared *sh);

/**
 * ctrlplane, before launch: make @w's auth state (lockout and replay tables, nonce and digest
 * contexts) on @w's socket and set w->auth. 0 or -errno.
 */
int auth_worker_init(struct worker *w, struct auth_shared *sh);

/** Free @w's auth state after the workers stopped; safe when init failed half way. */
void auth_worker_fini(struct worker *w);

#endif
