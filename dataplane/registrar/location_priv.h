/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The location shard's own types, shared by its hot file (location.c: the packet path and the
 * owner's expiry timers) and its cold one (location_setup.c: create, destroy, set-up). Nothing
 * outside dataplane/registrar/location*.c includes this.
 */
#ifndef SF_LOCATION_PRIV_H
#define SF_LOCATION_PRIV_H

#include <assert.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_hash.h>
#include <rte_rcu_qsbr.h>

#include "dataplane/registrar/location.h"
#include "dataplane/timer/timer_wheel.h"

#define LOCATION_NONE UINT32_MAX /* no slot / no key position */

/* Source index key: observed address as the packet carried it. */
struct location_src_key {
	uint32_t ip;   /* network order */
	uint16_t port; /* network order */
	uint16_t zero; /* padding, always 0 */
};

/* One slot of the binding array. @next and @src_pos are the owner's, never read by readers. */
struct location_slot {
	struct location_binding b;
	uint32_t next;    /* limbo/waiting list link, LOCATION_NONE ends it */
	uint32_t src_pos; /* source key position released with this slot, or LOCATION_NONE */
};

static_assert(sizeof(struct location_binding) == 152, "binding layout: 44 B + text");
static_assert(sizeof(struct location_slot) == 160, "slot: binding + 8 B of reclaim state");
static_assert(LOCATION_AOR_MAX <= UINT8_MAX && LOCATION_AOR_MAX < LOCATION_TEXT_MAX,
	      "aor_len is a byte and an AoR leaves room for a Contact");

struct location {
	uint16_t owner;                 /* worker index that writes this shard */
	uint32_t slots;                 /* binding slots = AoR table entries */
	struct rte_hash *by_aor;        /* location_aor_key -> position = slot index */
	struct rte_hash *by_src;        /* location_src_key -> slot index (key data) */
	struct location_slot *s;        /* @slots entries */
	struct rte_rcu_qsbr *qs;        /* readers of every shard */
	uint32_t limbo;                 /* unlinked, no token yet (list head) */
	uint32_t waiting;               /* unlinked before @token was taken (list head) */
	uint64_t token;                 /* rte_rcu_qsbr_start() token of @waiting */
	uint32_t cursor;                /* sweep position, owner only */
	uint16_t gen;                   /* last binding generation stored in a live field */
	location_notify_fn notify;      /* issue 6: keep-alive schedule, NULL = none */
	void *notify_arg;
	uint8_t *filter;                /* source filter: 2 4-bit counters a byte, low first */
	uint8_t filter_shift;           /* counter index = filter hash >> this */
	/*
	 * Expiry timers (issue 11 item 4), the owner's only: slot i's timer is tn[i], an array
	 * apart from the slots, so no reader (lookup, source probe, location_copy()) ever loads
	 * a node and the owner's timer writes never touch a cache line readers use.
	 */
	struct tw_wheel *tw;            /* the owner's wheel, NULL = no expiry timers */
	struct tw_node *tn;             /* @slots nodes, TW_KIND_BINDING */
	location_tick_fn tick;          /* expires_at_s -> tick on @tw */
	void *tick_arg;
	uint64_t expired;               /* unlinked by their timer (owner) */
	uint64_t expired_taken;         /* @expired already handed out by location_expired_take() */
	uint64_t expiry_late_max;       /* largest lateness of an expiry, ticks */
	uint64_t expiry_early;          /* timers that fired before expires_at_s: armed again */
	/*
	 * Live bindings: owner writes, every worker reads it per unknown-source packet (the
	 * binding probe skips an empty shard), so it sits alone on its cache line, away from
	 * the owner's busy reclaim fields above.
	 */
	uint32_t n_live __rte_cache_aligned;
};

#endif
