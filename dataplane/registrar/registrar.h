/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inbound registrar (REG): bindings in the per-worker location shards, answers to REGISTER.
 * Authentication (AUTH, LOCK: digest, nonces, sessions, lockout, replay) is auth/'s
 * (dataplane/auth/auth.h): the registrar calls auth_verify() and answers what it decides.
 *
 * Ownership (DESIGN.md "State ownership"): auth state is owned by steer_source_owner(source
 * IP) (rule S), the binding by steer_owner(hash(AoR)). A REGISTER is steered to its source-IP owner,
 * authenticated there, marked PKT_META_F_AUTHENTICATED and steered to its AoR owner, which
 * writes the binding and answers. With one worker nothing moves.
 */
#ifndef SF_REGISTRAR_H
#define SF_REGISTRAR_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "dataplane/policy/policy.h"
#include "dataplane/registrar/location.h"
#include "dataplane/sip/scan.h"
#include "dataplane/verdict.h"

struct worker;

/** Smallest non-zero expiry we grant; below it: 423 + Min-Expires (RFC 3261 10.3 step 7). */
#define REGISTRAR_MIN_EXPIRES_S 20
/** Binding slots the removed-account sweep visits per housekeeping tick (~100 us): 65536
    slots every ~0.1 s. Expiry is not swept: it runs on the worker's wheel. */
#define REGISTRAR_SWEEP_BUDGET 64
/** Answers to authenticated REGISTERs kept for retransmissions (GEN-3), ~0.8 KiB each. */
#define REGISTRAR_ANSWER_CACHE 1024u
#define REGISTRAR_ANSWER_CACHE_MAX 65536u
/** How long a cached answer is worth keeping (RFC 3261 Timer F = 64 x T1): older ones are
    overwritten without counting an eviction. */
#define REGISTRAR_ANSWER_KEEP_S 32u
/** Bytes of header lines the registrar adds to one response. */
#define REGISTRAR_EXTRA_MAX 768

/*
 * One answer to an authenticated REGISTER as the AoR owner sent it, to re-send unchanged to
 * a retransmission (GEN-3): the status and the header lines we added; the rest of a response
 * is rebuilt from the request, which a retransmission repeats byte for byte.
 */
struct reg_answer {
	uint64_t key;              /* reg_answer_key(); 0 = empty */
	uint32_t src_ip;           /* network order */
	uint16_t src_port;         /* network order */
	uint16_t code;
	uint32_t at_s;             /* when it was sent */
	uint16_t extra_len;
	struct sf_span reason;     /* a string literal (SIP_BUILD_LIT) */
	uint8_t extra[REGISTRAR_EXTRA_MAX];
};

/** State every worker shares: the shards (read by all). The nonce keys are auth/'s. */
struct registrar_shared {
	uint16_t n_workers;
	struct location *shard[32];    /* by worker index; shard[i] written by worker i only */
	/* Per-worker table size (runtime.*, set by ctrlplane before registrar_worker_init();
	   0 = the default). */
	uint32_t answer_entries;       /* runtime.register_answer_cache: answers kept (GEN-3) */
};

/**
 * One worker's registrar state (w->reg). Written by that worker only; control requests
 * (suspended.clear, registrations.clear) reach it through the worker's request ring
 * (registrar_requests.c).
 */
struct registrar {
	struct registrar_shared *sh;
	struct location *loc;            /* == sh->shard[worker index] */
	struct policy_hooks hooks;       /* binding_live, suspended (auth_suspended); ctx = w */
	/* GEN-3 answer cache (on the AoR owner, which answers). Direct-mapped, answer_mask + 1. */
	struct reg_answer *answers;
	uint32_t answer_mask;
};

/* --- cold (registrar_setup.c) ---------------------------------------------------------- */

/** ctrlplane: shared state for @n_workers (empty shard table). NULL on failure. */
struct registrar_shared *registrar_shared_create(uint16_t n_workers);
void registrar_shared_destroy(struct registrar_shared *sh);

/**
 * ctrlplane, before launch: make @w's registrar (location shard of @capacity bindings on
 * @w's socket, answer cache) and set w->reg. 0 or -errno. REGISTERs are verified through
 * w->auth (auth_worker_init()); without it they are dropped (registrar_input()).
 */
int registrar_worker_init(struct worker *w, struct registrar_shared *sh, uint32_t capacity);

/** Free @w's registrar after the workers stopped; safe when init failed half way. */
void registrar_worker_fini(struct worker *w);

/** Worker housekeeping tick: count expiries, drop removed accounts, sweep lockouts. */
void registrar_housekeeping(struct worker *w);

/* --- packet path (registrar.c) -------------------------------------------------------- */

/** The worker's registrar clock, s: auth's (auth_now()), so a test freezes both at once. */
uint32_t registrar_now(const struct worker *w);
/**
 * location_tick_fn of @worker's shard: the tick of w->wheel at which registrar_now() reaches
 * @at_s. On the TSC exact (never early, at most 1 ms late); with an injected clock, relative
 * to the wheel's latest poll (tests poll the wheel with that clock x 1000).
 */
uint64_t registrar_binding_tick(void *worker, uint32_t at_s);

/**
 * The TSC case of registrar_binding_tick(): the first tick (rdtsc / @p, @p = @hz / 1000) at
 * which rdtsc / @hz >= @at_s, i.e. ceil(@at_s x @hz / @p) = @at_s x 1000 + ceil(@at_s x r / @p),
 * r = @hz - 1000 @p < 1000 (no overflow for any uint32 @at_s).
 */
static inline uint64_t
registrar_tsc_tick(uint32_t at_s, uint64_t hz, uint64_t p)
{
	return (uint64_t)at_s * 1000 + ((uint64_t)at_s * (hz - 1000 * p) + p - 1) / p;
}

/** policy hook: is @ip:@port (network order) a live binding's source, in any shard? */
bool registrar_binding_live(void *worker, uint32_t ip_be, uint16_t port_be);

/*
 * A REGISTER the source policy admitted as @cls (@acct set for POLICY_ACCOUNT), scanned
 * completely into @s. Takes ownership of @m. Returns the verdict. Needs w->reg and w->auth
 * (without them, a fixture that attached neither, the request is dropped as a failed reply).
 */
enum verdict registrar_input(struct worker *w, struct rte_mbuf *m, const struct sip_scan *s,
			     enum policy_class cls, const struct policy_account *acct);

#endif
