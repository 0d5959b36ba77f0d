/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Location store: one shard per worker, written only by its owner worker
 * (steer_owner(location_aor_hash(AoR), n_workers)), read lock-free by every worker. Two
 * rte_hash tables with RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF and 8-byte keys index a fixed
 * binding array sized at init: AoR (a 64-bit hash of it, checked against the AoR kept in the
 * binding) -> binding, observed source ip:port -> the newest binding from there, which links
 * to the older ones from the same address (several accounts may share one: a multi-line
 * phone, a PBX). A binding's slot index is its AoR key position in the AoR table. An unlinked binding keeps its slot and both key positions
 * until every reader registered on the shard's QSBR variable has reported quiescence, so a
 * reader's binding pointer stays valid until it next reports. One binding per account (I-9).
 * Times are s on the caller's clock (injected, so tests simulate it); each binding's expiry
 * is a timer on the owner's wheel (location_set_wheel()).
 */
#ifndef SF_LOCATION_H
#define SF_LOCATION_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_rcu_qsbr.h>

#include "dataplane/sf_span.h"

#define LOCATION_AOR_MAX 64       /**< AoR bytes at most (an account user) */
#define LOCATION_TEXT_MAX 108     /**< AoR + Contact URI bytes, stored back to back */
#define LOCATION_DEFAULT_CAPACITY 65536u /**< bindings per worker shard */
#define LOCATION_FILTER_MAX 15u   /**< a source filter counter saturates (sticks) here */

/**
 * One registration binding (152 bytes). Fields a reader uses after lookup are stored
 * atomically. The AoR and the Contact URI share @text: a Contact may use what the AoR leaves
 * (LOCATION_TEXT_MAX - aor_len bytes); read them with location_binding_aor()/_contact().
 * @src_next belongs to the shard: location_put() ignores the caller's value.
 */
struct location_binding {
	uint64_t call_id_hash;                 /* Call-ID of the last REGISTER accepted */
	uint32_t src_ip;                       /* observed source, network order (REG-13 target) */
	uint32_t local_ip;                     /* our address it sent to, network order */
	uint32_t expires_at_s;                 /* absolute, caller's clock (atomic) */
	uint32_t granted_s;                    /* expiry granted by the last REGISTER; the last
						  REGISTER was accepted at expires_at_s - granted_s */
	uint32_t src_next;                     /* the shard's own: next older binding from the
						  same source ip:port (slot index), see location.c */
	uint32_t cseq;                         /* CSeq of the last REGISTER accepted */
	uint16_t src_port;                     /* observed source port, network order */
	uint16_t local_port;                   /* our SIP port it sent to, network order */
	uint16_t in_port;                      /* DPDK port it arrived on */
	uint16_t live;                         /* non-zero while indexed: the generation of the
						  contents (owner stores, readers load) */
	uint16_t contact_len;                  /* Contact bytes at text + aor_len */
	uint8_t aor_len;                       /* AoR bytes at text */
	bool nat;                              /* source differs from Contact/Via (I-8) */
	uint8_t text[LOCATION_TEXT_MAX];       /* AoR (account user), then Contact URI (inside <>) */
};

/** The AoR of @b (account user). */
static inline struct sf_span
location_binding_aor(const struct location_binding *b)
{
	return (struct sf_span){b->text, b->aor_len};
}

/** The Contact URI of @b, as registered (inside <>). */
static inline struct sf_span
location_binding_contact(const struct location_binding *b)
{
	return (struct sf_span){b->text + b->aor_len, b->contact_len};
}

/**
 * Store @aor and @contact in @b (its other fields untouched). Refuses rather than truncates:
 * -EINVAL for an empty AoR or one over LOCATION_AOR_MAX, -E2BIG when AoR + Contact exceed
 * LOCATION_TEXT_MAX; @b's text is unchanged then.
 */
int location_binding_set_text(struct location_binding *b, struct sf_span aor,
			      struct sf_span contact);

struct location;

/**
 * Make shard @owner (init code, any lcore): room for at least @capacity bindings (see
 * location_capacity()), hashes on @socket, unlinked slots reclaimed once every reader
 * registered on @qs (must not be NULL) reported quiescence. NULL on failure (logged by the
 * caller).
 */
struct location *location_create(uint16_t owner, uint32_t capacity, struct rte_rcu_qsbr *qs,
				 int socket);

/** Free a shard after every worker stopped; NULL is a no-op. */
void location_destroy(struct location *loc);

/** Hash of an AoR (for steer_owner); the same on every worker. */
uint32_t location_aor_hash(struct sf_span aor);

/**
 * A 64-bit hash of @aor (at most LOCATION_AOR_MAX bytes used): lookup3 (rte_jhash_2hashes),
 * its two 32-bit halves, over a zero-padded copy (lookup3 reads whole 32-bit words).
 */
uint64_t location_aor_key_hash(struct sf_span aor);

/**
 * The AoR index key, location_aor_key_hash(). Two AoRs with the same key cannot both be bound
 * in a shard (location_put says -EEXIST). Defined weak so a unit test can force a collision;
 * nothing else overrides it.
 */
uint64_t location_aor_key(struct sf_span aor);

/** Any worker: the binding of @aor, or NULL (also when expired at @now). */
const struct location_binding *location_lookup(const struct location *loc, struct sf_span aor,
					       uint32_t now);

/**
 * Any worker: is @ip:@port (network order) the source of a live binding at @now? True while
 * any of the bindings registered from there is live (several accounts may share one address:
 * a multi-line phone, a PBX), not only the newest.
 */
bool location_source_live(const struct location *loc, uint32_t ip, uint16_t port, uint32_t now);
/* (its source filter answers most unbound sources with one load, see below) */

/**
 * The source filter hash of @ip:@port (network order), the same for every shard, so a probe
 * of several shards computes it once.
 */
uint64_t location_source_fhash(uint32_t ip, uint16_t port);

/**
 * Any worker: the shard's source filter for @fh = location_source_fhash(ip, port). false = no
 * binding from that source is linked (no lookup needed); true = maybe (ask
 * location_source_lookup(); a false positive costs only that). Never false for a source with
 * a live binding (location.c, "Source filter"). One load.
 */
bool location_source_maybe(const struct location *loc, uint64_t fh);

/**
 * The filter counter @fh maps to (tests, diagnostics): linked bindings from every source
 * mapping there, or LOCATION_FILTER_MAX = saturated (stuck; no longer counts).
 */
unsigned int location_source_filter(const struct location *loc, uint64_t fh);

/**
 * Any worker: location_source_live() without the filter (the table lookup and the chain walk);
 * for a caller that asked location_source_maybe() first.
 */
bool location_source_lookup(const struct location *loc, uint32_t ip, uint16_t port,
			    uint32_t now);

/**
 * Owner only: store @b under its AoR. A binding with the same AoR, source and contact is
 * refreshed in place (readers see the new expiry at once); anything else replaces it. Every
 * binding from one source ip:port is on that source's chain (newest first).
 * @return 0, -ENOSPC when the shard is full (unlinked slots wait for a grace period),
 *         -EINVAL for a bad AoR/contact length, -EEXIST when another AoR with the same
 *         64-bit key is bound (see location_aor_key(); about 1e-10 for a full shard)
 */
int location_put(struct location *loc, const struct location_binding *b);

/** Owner only: remove @aor's binding. 0, or -ENOENT. */
int location_remove(struct location *loc, struct sf_span aor);

/** Verdict of a location_sweep() visit: keep the binding or remove it. */
typedef bool (*location_keep_fn)(const struct location_binding *b, void *arg);

/**
 * Owner only, from the housekeeping tick: return slots whose grace period ended, then visit
 * at most @budget slots from the sweep cursor, removing the bindings @keep refuses (an account
 * a config change removed). Expiry is not the sweep's: it runs on the owner's wheel
 * (location_set_wheel()). @keep NULL: only the reclaim.
 * @return bindings removed
 */
unsigned int location_sweep(struct location *loc, unsigned int budget, location_keep_fn keep,
			    void *arg);

struct tw_wheel;
struct tw_node;

/**
 * The tick of the owner's wheel at which @at_s (s on the owner's clock, the clock
 * expires_at_s is on) has come: the first tick at which the owner's clock reads >= @at_s.
 * The owner's mapping of its clock onto its wheel (registrar_binding_tick()).
 */
typedef uint64_t (*location_tick_fn)(void *arg, uint32_t at_s);

/**
 * Set-up (before the owner polls @tw, or on the owner lcore): expire bindings on @tw, the
 * owner's wheel (issue 11 item 4). Each slot has an expiry timer (struct tw_node,
 * TW_KIND_BINDING), kept apart from the slots and touched by the owner only, so nothing a
 * reader loads (lookups, source probes, location_copy()) depends on it. location_put() arms it
 * at @tick(@arg, expires_at_s) on a bind and moves it on a refresh; an unlink of any cause
 * stops it. When it fires the binding is unlinked (notify says so, as for any unlink) and
 * counted (location_expired()). Registers the TW_KIND_BINDING handler on @tw. @tw NULL: no
 * timers (stops any armed ones); a shard without a wheel never expires a binding by itself
 * (lookups still ignore expired ones). 0, or -EINVAL (no @tick, or the wheel refused the kind).
 */
int location_set_wheel(struct location *loc, struct tw_wheel *tw, location_tick_fn tick,
		       void *arg);

/** TW_KIND_BINDING handler set by location_set_wheel() (@arg = the shard); owner lcore. */
void location_timer_fire(struct tw_wheel *tw, struct tw_node *n, uint64_t now, void *arg);

/** Owner: bindings expired by their timer since the last call (for a counter). */
uint64_t location_expired_take(struct location *loc);

/** Bindings expired by their timer since create (owner-written). */
uint64_t location_expired(const struct location *loc);

/** Largest lateness of a binding's expiry: wheel ticks between its tick and the unlink. */
uint64_t location_expiry_late_max(const struct location *loc);

/**
 * Expiry timers that fired before the binding's expiry on the owner's clock and were armed
 * again (a grant past the wheel's horizon, or an injected clock the wheel does not follow).
 */
uint64_t location_expiry_early(const struct location *loc);

/*
 * Link/unlink event (issue 6, NAT keep-alive): slot @idx of @b became live (@linked) or was
 * unindexed (expiry, removal, replacement). Owner lcore, inside location_put/_remove/_sweep
 * and the expiry timer.
 */
typedef void (*location_notify_fn)(void *arg, uint32_t idx, const struct location_binding *b,
				   bool linked);

/** Init/shutdown: call @fn (NULL = none) on every link and unlink of the shard. */
void location_set_notify(struct location *loc, location_notify_fn fn, void *arg);

/** Live bindings in the shard (owner-written, read relaxed). */
uint32_t location_count(const struct location *loc);

/**
 * Slots in the shard (>= the capacity asked for; every slot can hold a binding);
 * location_at() takes 0..location_capacity()-1.
 */
uint32_t location_capacity(const struct location *loc);

/**
 * Slot @idx or NULL when it holds no live binding. For listing from the control plane: the
 * array is never freed while the shard exists, so a racing update gives a stale entry, never a
 * fault; copy the binding and check @live again.
 */
const struct location_binding *location_at(const struct location *loc, uint32_t idx);

#define LOCATION_COPY_TRIES 8

/**
 * Any thread, without being a QSBR reader (the control plane's registrations.list): copy slot
 * @idx into @out when it holds a live binding, consistently. The copy is taken between two
 * loads of the slot's generation (@live, a new one each time a slot is filled, 0 while
 * unlinked): when they differ, the slot was recycled during the copy and it is taken again
 * (up to LOCATION_COPY_TRIES times, then false). Lengths are checked against the text the
 * copy holds, so a caller never reads past it. An in-place refresh (REG-5) only rewrites
 * expiry, grant, CSeq and Call-ID hash, each a single store: a copy may show either value of
 * each, never text and lengths of two bindings.
 * @return true and @out filled, or false (no live binding there, or still changing)
 */
bool location_copy(const struct location *loc, uint32_t idx, struct location_binding *out);

#ifdef LOCATION_TEST_HOOK
/* HARDEN-10 test seam, only in a test build of location.c (see location.c): where a hook runs. */
enum location_copy_point {
	LOCATION_COPY_BEFORE, /* the first generation load done, nothing copied yet */
	LOCATION_COPY_MIDDLE, /* the fixed fields copied, the text not yet */
};
typedef void (*location_copy_hook_fn)(enum location_copy_point pt, const struct location *loc,
				      uint32_t idx);
extern location_copy_hook_fn location_copy_hook; /* NULL = none */
#endif

#endif
