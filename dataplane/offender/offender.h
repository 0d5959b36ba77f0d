/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Offender memory (issue 14 item 1): per worker, the source IPv4 addresses that produced only
 * unknown-source drops (silent unknown drops, scanner User-Agents, malformed datagrams, 403s
 * to unknown sources) at or above a rate are remembered for a configured time, and every
 * datagram from a remembered source is dropped right after the IPv4 header
 * (VERDICT_DROP_L3_OFFENDER), before the UDP checksum and before any SIP byte.
 *
 * Layout (docs/ARCHITECTURE.md "Offender memory"):
 *  - n_remembered: 0 short-circuits the probe on one load (the common case);
 *  - filter: 2^16 one-byte counters, one per hashed source, counting the remembered entries
 *    that hash there (a counting filter, so expiry can remove): a source that is not
 *    remembered costs one byte load;
 *  - buckets: table_size / 4 buckets of 4 entries of 16 bytes (one cache line each), keyed
 *    by IP with a per-worker random seed: candidates (counting drops in a fixed window) and
 *    remembered entries (until a deadline; their count is then hits);
 *  - authed: 4096 direct-mapped (IP, until) slots of sources whose digest verified on this
 *    worker (never remembered while the slot holds them).
 * Expiry: lazily on the probe (a hit past its deadline is removed there, so the drop stops on
 * time) plus a budgeted sweep of OFFENDER_SWEEP_BUCKETS buckets per housekeeping tick that
 * reclaims sources that went quiet (so n_remembered returns to 0). No timer per entry: a
 * wheel node would double an entry and the bucket would no longer be one cache line.
 * Clock: o->now_ms, the worker's ms clock (32 bits, wrap-safe differences) set at every
 * housekeeping tick (~100 us), never read per packet.
 *
 * Only the owning worker writes any of it; ctrlplane reads entries racily for offenders.list
 * (a stale row at worst, the arrays live until the worker is freed). No malloc, lock, syscall
 * or log on the worker side.
 */
#ifndef SF_OFFENDER_H
#define SF_OFFENDER_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>

#include "dataplane/snapshot.h"

struct worker;
struct policy_hooks;

#define OFFENDER_FILTER_BITS 16
#define OFFENDER_FILTER_SLOTS (1u << OFFENDER_FILTER_BITS)
#define OFFENDER_FILTER_MAX 255          /* a filter slot saturates: refuse, count table full */
#define OFFENDER_WAYS 4
#define OFFENDER_AUTHED_SLOTS 4096
#define OFFENDER_SWEEP_BUCKETS 64        /* buckets the housekeeping sweep visits per tick */
/* The config section's defaults and ranges: dataplane/snapshot.h SF_OFFENDER_*. */
#define OFFENDER_TABLE_MIN SF_OFFENDER_TABLE_SIZE_MIN
#define OFFENDER_TABLE_MAX SF_OFFENDER_TABLE_SIZE_MAX

/* One source: a candidate (until_ms == 0) or remembered (until_ms != 0). */
struct offender_entry {
	uint32_t ip;        /* network order; 0 = free slot */
	uint32_t count;     /* candidate: drops in this window; remembered: datagrams dropped */
	uint32_t since_ms;  /* candidate: window start; remembered: when it was remembered */
	uint32_t until_ms;  /* 0 = candidate; else remembered until this ms (never 0) */
};

struct offender_bucket {
	struct offender_entry e[OFFENDER_WAYS];
} __rte_cache_aligned;

struct offender_authed {
	uint32_t ip;        /* network order, 0 = empty */
	uint32_t until_ms;  /* never remembered before this */
};

/* What the table counted; mirrored into w->counters at every housekeeping tick. */
struct offender_stats {
	uint64_t remembered_total;  /* sources remembered */
	uint64_t expired;           /* remembered sources whose time ran out */
	uint64_t table_full;        /* drops not counted (their bucket holds only live
				     * remembered entries), and sources over the threshold not
				     * remembered (their filter slot saturated) */
	uint64_t exempt;            /* over the threshold but a gateway, binding or authed */
	uint64_t cleared;           /* removed by offenders.clear or a config change */
};

struct offender {
	/* Read per packet. */
	uint32_t n_remembered;          /* 0: the probe returns on this load */
	uint32_t now_ms;                /* the worker's ms clock, set per housekeeping tick */
	uint8_t *filter;                /* OFFENDER_FILTER_SLOTS counters */
	struct offender_bucket *buckets;
	uint32_t bucket_mask;           /* n_buckets - 1 */
	uint32_t seed;                  /* hash key, random per worker */
	/* Config (the snapshot's "offender" section, taken at config_changed). */
	bool enabled;
	uint32_t threshold;             /* drops in one window that remember a source */
	uint32_t window_ms;
	uint32_t remember_ms;
	/* Housekeeping. */
	uint32_t sweep_next;            /* next bucket the sweep visits */
	struct offender_authed *authed; /* OFFENDER_AUTHED_SLOTS */
	struct offender_stats stats;
};

/* The probe's hash: 64-bit multiply of the seeded address; filter = top 16 bits. */
static inline uint64_t
offender_hash(const struct offender *o, uint32_t ip_be)
{
	return (uint64_t)(ip_be ^ o->seed) * 0x9e3779b97f4a7c15ull;
}

static inline uint32_t
offender_filter_slot(uint64_t h)
{
	return (uint32_t)(h >> (64 - OFFENDER_FILTER_BITS));
}

/**
 * The probe's slow half: @ip_be's filter slot is set (@h = offender_hash(@o, @ip_be)); look
 * it up, count a hit, expire it when its time ran out.
 */
bool offender_probe_hit(struct offender *o, uint32_t ip_be, uint64_t h);

/**
 * The probe, right after the IPv4 header (net/ipv4.c): true = @ip_be is remembered, drop the
 * datagram as VERDICT_DROP_L3_OFFENDER. NULL @o (module absent) or an empty table: one load.
 */
static inline bool
offender_probe(struct offender *o, uint32_t ip_be)
{
	uint64_t h;

	if (likely(o == NULL || o->n_remembered == 0))
		return false;
	h = offender_hash(o, ip_be);
	if (likely(o->filter[offender_filter_slot(h)] == 0))
		return false;
	return offender_probe_hit(o, ip_be, h);
}

/* --- the table, on its own (offender.c; unit tests drive it on a fake clock) ----------- */

/** Result of counting one drop. */
enum offender_count_result {
	OFFENDER_COUNTED,     /* below the threshold (or already remembered, or disabled) */
	OFFENDER_AT_THRESHOLD,/* the threshold is reached in this window: remember or exempt */
	OFFENDER_NO_ROOM,     /* its bucket holds only live remembered entries: not counted */
};

/** Count one drop from @ip_be at o->now_ms. */
enum offender_count_result offender_count(struct offender *o, uint32_t ip_be);

/**
 * Remember @ip_be (which offender_count() just put at the threshold) until now +
 * remember_ms. 0, or -ENOSPC (its filter slot is saturated; counted table_full).
 */
int offender_remember(struct offender *o, uint32_t ip_be);

/** @ip_be over the threshold is exempt: restart its window (counted exempt). */
void offender_exempt(struct offender *o, uint32_t ip_be);

/** Is @ip_be remembered now (no hit counted)? */
bool offender_is_remembered(const struct offender *o, uint32_t ip_be);

/** A digest from @ip_be verified: never remember it for remember_ms. */
void offender_note_authed(struct offender *o, uint32_t ip_be);

/** Did a digest from @ip_be verify within remember_ms? */
bool offender_is_authed(const struct offender *o, uint32_t ip_be);

/** Forget every entry (@match_ip false) or @ip_be's; returns remembered entries removed. */
unsigned int offender_clear(struct offender *o, bool match_ip, uint32_t ip_be);

/** Expire remembered entries in up to @budget buckets from the sweep cursor; returns how many. */
unsigned int offender_sweep(struct offender *o, uint32_t budget);

/**
 * Take new settings. Turning the memory off forgets everything (the probe is then one load).
 * @remember_s and @window_ms in their units.
 */
void offender_configure(struct offender *o, bool enabled, uint32_t threshold,
			uint32_t window_ms, uint32_t remember_s);

/* --- the worker's side (offender.c) ------------------------------------------------------ */

/** Does @o learn (module present and enabled)? Callers test it inline before offender_learn(). */
static inline bool
offender_learning(const struct offender *o)
{
	return o != NULL && o->enabled;
}

/**
 * A drop that counts against its source (sip_input.c: skim drop, unknown-source drop or 403,
 * malformed): count it; at the threshold remember the source unless it is a gateway
 * (policy_gateway_by_source()), the address of a live binding (@hooks->binding_live, for
 * @ip_be:@port_be) or authenticated within remember_ms (offender_note_authed()), checked only
 * then (a cold path). Worker only.
 */
void offender_learn(struct worker *w, uint32_t ip_be, uint16_t port_be,
		    const struct policy_hooks *hooks);

/** A digest from @ip_be verified on @w (auth/auth.c). Worker only; NULL w->offender is fine. */
void offender_auth_ok(struct worker *w, uint32_t ip_be);

/**
 * The snapshot changed: take its "offender" settings, and forget remembered sources that
 * are now gateways. Worker only.
 */
void offender_config_changed(struct worker *w);

/* --- reading the table from ctrlplane (racy by design, offenders.list) ------------------ */

/** A remembered entry as offender_foreach() reports it. */
struct offender_row {
	uint32_t ip;            /* network order */
	uint32_t hits;          /* datagrams dropped since it was remembered */
	uint32_t remaining_ms;  /* until it is forgotten */
	uint32_t age_ms;        /* since it was remembered */
};

typedef void (*offender_visit_fn)(const struct offender_row *row, void *arg);

/** Visit every live remembered entry; returns how many. Any thread (racy read). */
unsigned int offender_foreach(const struct offender *o, offender_visit_fn fn, void *arg);

/* --- cold (offender_setup.c) --------------------------------------------------------------- */

/**
 * A table of @table_size entries (a power of two in [OFFENDER_TABLE_MIN, OFFENDER_TABLE_MAX])
 * on NUMA @socket, disabled until offender_configure(). NULL on a bad size or no memory.
 */
struct offender *offender_create(uint32_t table_size, int socket, uint32_t seed);

/** Free @o (NULL is fine). */
void offender_free(struct offender *o);

/** Module entry points (offender_module.c). */
int offender_worker_init(struct worker *w, uint32_t table_size);
void offender_worker_fini(struct worker *w);

#endif
