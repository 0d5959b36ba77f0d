/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Location store: one shard per worker, written only by its owner worker
 * (steer_owner(location_aor_hash(AoR), n_workers)), read lock-free by every worker. Two
 * rte_hash tables with RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF index a fixed binding array
 * sized at init: AoR -> binding, observed source ip:port -> binding. Deleted entries (and
 * their binding slots) are reclaimed through the hash's QSBR defer queue, so a reader keeps a
 * valid binding pointer until it next reports quiescence. One binding per account (I-9).
 * Times are s on the caller's clock (injected, so tests simulate it).
 */
#ifndef SF_LOCATION_H
#define SF_LOCATION_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_rcu_qsbr.h>

#include "dataplane/sf_span.h"

#define LOCATION_AOR_MAX 64      /**< AoR key bytes (account user), zero padded */
#define LOCATION_CONTACT_MAX 132 /**< Contact URI bytes kept */
#define LOCATION_DEFAULT_CAPACITY 65536u /**< bindings per worker shard */

/** One registration binding. Fields a reader uses after lookup are stored atomically. */
struct location_binding {
	uint8_t aor[LOCATION_AOR_MAX];         /* key: account user, zero padded */
	uint8_t contact[LOCATION_CONTACT_MAX]; /* Contact URI (inside <>) as registered */
	uint16_t contact_len;                  /* bytes of @contact */
	uint8_t aor_len;                       /* bytes of @aor */
	bool nat;                              /* source differs from Contact/Via (I-8) */
	uint32_t src_ip;                       /* observed source, network order (REG-13 target) */
	uint16_t src_port;                     /* observed source port, network order */
	uint16_t local_port;                   /* our SIP port it sent to, network order */
	uint32_t local_ip;                     /* our address it sent to, network order */
	uint16_t in_port;                      /* DPDK port it arrived on */
	uint16_t live;                         /* 1 while indexed (owner stores, readers load) */
	uint32_t expires_at_s;                 /* absolute, caller's clock (atomic) */
	uint32_t granted_s;                    /* expiry granted by the last REGISTER */
	uint32_t registered_at_s;              /* last REGISTER accepted */
	uint32_t cseq;                         /* CSeq of the last REGISTER accepted */
	uint64_t call_id_hash;                 /* Call-ID of the last REGISTER accepted */
} __attribute__((aligned(8)));

struct location;

/**
 * Make shard @owner (init code, any lcore): @capacity bindings, hashes on @socket, deleted
 * entries reclaimed through @qs (must not be NULL). NULL on failure (logged by the caller).
 */
struct location *location_create(uint16_t owner, uint32_t capacity, struct rte_rcu_qsbr *qs,
				 int socket);

/** Free a shard after every worker stopped; NULL is a no-op. */
void location_destroy(struct location *loc);

/** Hash of an AoR (for steer_owner); the same on every worker. */
uint32_t location_aor_hash(struct sf_span aor);

/** Any worker: the binding of @aor, or NULL (also when expired at @now). */
const struct location_binding *location_lookup(const struct location *loc, struct sf_span aor,
					       uint32_t now);

/** Any worker: is @ip:@port (network order) the source of a live binding at @now? */
bool location_source_live(const struct location *loc, uint32_t ip, uint16_t port, uint32_t now);

/**
 * Owner only: store @b under its AoR. A binding with the same AoR, source and contact is
 * refreshed in place (readers see the new expiry at once); anything else replaces it.
 * @return 0, -ENOSPC when the shard is full, -EINVAL for a bad AoR/contact length
 */
int location_put(struct location *loc, const struct location_binding *b);

/** Owner only: remove @aor's binding. 0, or -ENOENT. */
int location_remove(struct location *loc, struct sf_span aor);

/** Verdict of a location_sweep() visit: keep the binding or remove it. */
typedef bool (*location_keep_fn)(const struct location_binding *b, void *arg);

/**
 * Owner only, from the housekeeping tick: visit at most @budget slots from the sweep cursor,
 * removing bindings expired at @now and those @keep (may be NULL) refuses.
 * @return bindings removed
 */
unsigned int location_sweep(struct location *loc, uint32_t now, unsigned int budget,
			    location_keep_fn keep, void *arg);

/*
 * Link/unlink event (issue 6, NAT keep-alive): slot @idx of @b became live (@linked) or was
 * unindexed (expiry, removal, replacement). Owner lcore, inside location_put/_remove/_sweep.
 */
typedef void (*location_notify_fn)(void *arg, uint32_t idx, const struct location_binding *b,
				   bool linked);

/** Init/shutdown: call @fn (NULL = none) on every link and unlink of the shard. */
void location_set_notify(struct location *loc, location_notify_fn fn, void *arg);

/** Live bindings in the shard (owner-written, read relaxed). */
uint32_t location_count(const struct location *loc);

/** Slots in the shard; location_at() takes 0..capacity-1. */
uint32_t location_capacity(const struct location *loc);

/**
 * Slot @idx or NULL when it holds no live binding. For listing from the control plane: the
 * array is never freed while the shard exists, so a racing update gives a stale entry, never a
 * fault; copy the binding and check @live again.
 */
const struct location_binding *location_at(const struct location *loc, uint32_t idx);

#endif
