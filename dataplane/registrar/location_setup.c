/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The location shard's cold code (issue 11 item 6): create, destroy and set-up, run before the
 * workers launch or after they stopped. The packet path and the owner's timers are in
 * location.c; the design is at the top of that file.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "dataplane/registrar/location_priv.h"
#include "dataplane/timer/timer_kinds.h"

static struct rte_hash *
location_hash(const char *kind, uint16_t owner, uint32_t entries, int socket)
{
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = entries,
		.key_len = sizeof(uint64_t), /* both keys are 8 bytes: a 16-byte key-store entry */
		.hash_func = rte_hash_crc,
		.socket_id = socket,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};

	static_assert(sizeof(struct location_src_key) == sizeof(uint64_t), "8-byte source key");
	snprintf(name, sizeof(name), "sf_loc_%s_%u", kind, owner); /* cold: setup file */
	return rte_hash_create(&hp);
}

/*
 * Table entries for @capacity bindings. rte_hash makes align32pow2(entries) / 8 buckets of 8
 * and (entries + 1) key slots; without an extension table a cuckoo table cannot be filled to
 * 100%, so entries must exceed @capacity and the buckets round up: capacity + 1 gives 50% load
 * at a power-of-two capacity. Above 7/8 load the buckets are doubled (more slots than asked).
 */
static uint32_t
location_entries(uint32_t capacity)
{
	uint32_t e = RTE_MAX(capacity + 1, (uint32_t)16);

	if ((uint64_t)e * 8 > (uint64_t)rte_align32pow2(e) * 7)
		e = rte_align32pow2(e) + 1;
	return e;
}

struct location *
location_create(uint16_t owner, uint32_t capacity, struct rte_rcu_qsbr *qs, int socket)
{
	struct location *loc;
	uint32_t entries;
	uint64_t fcount;

	if (qs == NULL || capacity == 0 || capacity > (1u << 28))
		return NULL;
	entries = location_entries(capacity);
	fcount = 4 * (uint64_t)rte_align32pow2(capacity); /* counters, >= 4: see "Source filter" */
	loc = rte_zmalloc_socket("sf_loc", sizeof(*loc), RTE_CACHE_LINE_SIZE, socket);
	if (loc == NULL)
		return NULL;
	loc->owner = owner;
	loc->slots = entries;
	loc->qs = qs;
	loc->limbo = LOCATION_NONE;
	loc->waiting = LOCATION_NONE;
	loc->s = rte_zmalloc_socket("sf_loc_b", (size_t)entries * sizeof(*loc->s),
				    RTE_CACHE_LINE_SIZE, socket);
	loc->by_aor = location_hash("aor", owner, entries, socket);
	loc->by_src = location_hash("src", owner, entries, socket);
	loc->filter = rte_zmalloc_socket("sf_loc_f", (size_t)(fcount / 2),
					 RTE_CACHE_LINE_SIZE, socket);
	loc->filter_shift = (uint8_t)(64 - rte_bsf64(fcount));
	/* expiry timer nodes: zeroed = stopped (tw_node_init()), armed once a wheel is set */
	loc->tn = rte_zmalloc_socket("sf_loc_t", (size_t)entries * sizeof(*loc->tn),
				     RTE_CACHE_LINE_SIZE, socket);
	if (loc->s == NULL || loc->by_aor == NULL || loc->by_src == NULL || loc->filter == NULL ||
	    loc->tn == NULL) {
		location_destroy(loc);
		return NULL;
	}
	return loc;
}

void
location_destroy(struct location *loc)
{
	if (loc == NULL)
		return;
	(void)location_set_wheel(loc, NULL, NULL, NULL); /* no node of ours left on the wheel */
	rte_hash_free(loc->by_aor);
	rte_hash_free(loc->by_src);
	rte_free(loc->s); /* cold: setup file */
	rte_free(loc->filter); /* cold: setup file */
	rte_free(loc->tn); /* cold: setup file */
	rte_free(loc); /* cold: setup file */
}

void
location_set_notify(struct location *loc, location_notify_fn fn, void *arg)
{
	loc->notify = fn;
	loc->notify_arg = arg;
}

int
location_set_wheel(struct location *loc, struct tw_wheel *tw, location_tick_fn tick, void *arg)
{
	uint32_t i;

	if (tw != NULL && (tick == NULL ||
			   tw_set_handler(tw, TW_KIND_BINDING, location_timer_fire, loc) != 0))
		return -EINVAL;
	if (loc->tw != NULL) /* another wheel before: its timers go (set-up only, no poll runs) */
		for (i = 0; i < loc->slots; i++)
			(void)tw_stop(loc->tw, &loc->tn[i]);
	loc->tw = tw;
	loc->tick = tick;
	loc->tick_arg = arg;
	return 0;
}
