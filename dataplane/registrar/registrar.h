/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inbound registrar (REG, AUTH, LOCK): digest authentication with stateless nonces, auth
 * sessions and lockout (authfail), bindings in the per-worker location shards.
 *
 * Ownership (DESIGN.md "State ownership"): auth-failure state is owned by
 * steer_owner(hash(source IP)), the binding by steer_owner(hash(AoR)). A REGISTER is steered
 * to its source-IP owner, authenticated there, marked PKT_META_F_AUTHENTICATED and steered to
 * its AoR owner, which writes the binding and answers. With one worker nothing moves.
 */
#ifndef SF_REGISTRAR_H
#define SF_REGISTRAR_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "dataplane/policy/policy.h"
#include "dataplane/registrar/location.h"
#include "dataplane/registrar/nonce.h"
#include "dataplane/sip/scan.h"
#include "dataplane/verdict.h"

struct worker;
struct authfail_table;
struct replay_table;
struct reg_answer;

/** Smallest non-zero expiry we grant; below it: 423 + Min-Expires (RFC 3261 10.3 step 7). */
#define REGISTRAR_MIN_EXPIRES_S 20
/** Binding slots visited per housekeeping tick (~100 us): 65536 slots every ~0.1 s. */
#define REGISTRAR_SWEEP_BUDGET 64
#define REGISTRAR_AUTHFAIL_CAPACITY 16384u
/** Answers to authenticated REGISTERs kept for retransmissions (GEN-3), ~0.8 KiB each. */
#define REGISTRAR_ANSWER_CACHE 1024u
#define REGISTRAR_ANSWER_CACHE_MAX 65536u
/** How long a cached answer is worth keeping (RFC 3261 Timer F = 64 x T1): older ones are
    overwritten without counting an eviction. */
#define REGISTRAR_ANSWER_KEEP_S 32u

/** State every worker shares: the shards (read by all) and the nonce keys (ctrlplane's). */
struct registrar_shared {
	uint16_t n_workers;
	struct location *shard[32];    /* by worker index; shard[i] written by worker i only */
	struct nonce_keyring_pub keys; /* published by ctrlplane: a random ring at create, a
					  new key every NONCE_KEY_ROTATE_S (registrar_rotate) */
	uint64_t keys_rotated_s;       /* ctrlplane only: monotonic s of the last rotation */
	/* Per-worker table sizes (runtime.*, set by ctrlplane before registrar_worker_init();
	   0 = the default). */
	uint32_t authfail_entries;     /* runtime.authfail_entries: auth-failure slots */
	uint32_t replay_entries;       /* runtime.register_replay_entries: (nonce, nc) seen */
	uint32_t answer_entries;       /* runtime.register_answer_cache: answers kept (GEN-3) */
};

/** Clock in s; tests inject one, the daemon uses the TSC. */
typedef uint32_t (*registrar_clock_fn)(void *arg);

/**
 * One worker's registrar state (w->reg). Written by that worker only; control requests
 * (suspended.clear) reach it through the worker's request ring (registrar_requests.c).
 */
struct registrar {
	struct registrar_shared *sh;
	struct location *loc;            /* == sh->shard[worker index] */
	struct authfail_table *af;       /* entries of sources this worker owns */
	struct nonce_ctx *nctx;
	struct digest_ctx *dctx;
	uint32_t keys_seen;              /* sh->keys.seq applied to nctx */
	registrar_clock_fn clock;        /* NULL = TSC seconds */
	void *clock_arg;
	struct policy_hooks hooks;       /* binding_live, suspended; ctx = the worker */
	/* HARDEN-7 replay guard (on the digest-verifying, source-IP owner worker). */
	struct replay_table *replay;     /* (nonce, nc) pairs that verified, until they expire */
	uint32_t rp_horizon_s;           /* largest nonce lifetime seen: entries live this long */
	uint32_t rp_low_s;               /* horizon before the last raise (UINT32_MAX: none) */
	uint32_t rp_raised_at_s;         /* when the horizon last grew (0: never) */
	/* GEN-3 answer cache (on the AoR owner, which answers). Direct-mapped, answer_mask + 1. */
	struct reg_answer *answers;
	uint32_t answer_mask;
};

/** ctrlplane: shared state for @n_workers with a fresh random key ring. NULL on failure. */
struct registrar_shared *registrar_shared_create(uint16_t n_workers);

/**
 * ctrlplane, from its loop (any period): rotate the nonce key when NONCE_KEY_ROTATE_S passed
 * since the last rotation (or registrar_shared_create), on CLOCK_MONOTONIC. Workers pick the
 * new ring up at their next REGISTER. 1 rotated, 0 not due, -errno (no random key; retried).
 */
int registrar_rotate(struct registrar_shared *sh);
void registrar_shared_destroy(struct registrar_shared *sh);

/**
 * ctrlplane, before launch: make @w's registrar (location shard of @capacity bindings on
 * @w's socket, auth-failure table, nonce and digest contexts) and set w->reg. 0 or -errno.
 */
int registrar_worker_init(struct worker *w, struct registrar_shared *sh, uint32_t capacity);

/** Free @w's registrar after the workers stopped; safe when init failed half way. */
void registrar_worker_fini(struct worker *w);

/** Worker housekeeping tick: expire bindings, drop removed accounts, sweep lockouts. */
void registrar_housekeeping(struct worker *w);

/** The worker's registrar clock, s. */
uint32_t registrar_now(const struct worker *w);

/*
 * Render the registrar's challenge lines (WWW-/Proxy-Authenticate per
 * SS_SIP_AUTHENTICATION_CODE) for a request from @src_ip into @hdr: the same nonce format and
 * offers whether or not the identity is a configured account (I-2). Needs w->reg.
 * Returns the bytes written or a negative errno.
 */
int registrar_challenge_header(struct worker *w, const struct sip_scan *s, uint32_t src_ip,
			       uint8_t *hdr, size_t cap);

/** policy hook: is @ip:@port (network order) a live binding's source, in any shard? */
bool registrar_binding_live(void *worker, uint32_t ip_be, uint16_t port_be);

/** policy hook: is (@ip_be, @user) locked out in this worker's table (the source's owner)? */
bool registrar_suspended(void *worker, uint32_t ip_be, struct sf_span user);

/** The worker that owns source @ip_be's auth state (lockout, sessions) among @n_workers. */
uint16_t registrar_source_owner(uint32_t ip_be, uint16_t n_workers);

/*
 * A REGISTER the source policy admitted as @cls (@acct set for POLICY_ACCOUNT), scanned
 * completely into @s. Takes ownership of @m. Returns the verdict. Without w->reg (unit
 * fixtures of other modules) it only challenges requests without credentials.
 */
enum verdict registrar_input(struct worker *w, struct rte_mbuf *m, const struct sip_scan *s,
			     enum policy_class cls, const struct policy_account *acct);

#endif
