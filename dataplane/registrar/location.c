/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Location shard: fixed binding array + two lock-free rte_hash indexes (AoR, source ip:port),
 * deletions reclaimed through each hash's QSBR defer queue (see location.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "dataplane/registrar/location.h"

static_assert(sizeof(struct location_binding) <= 256, "a binding must fit in 256 bytes");

/* Source index key: observed address as the packet carried it. */
struct location_src_key {
	uint32_t ip;   /* network order */
	uint16_t port; /* network order */
	uint16_t zero; /* padding, always 0 */
};

struct location {
	uint16_t owner;                 /* worker index that writes this shard */
	uint32_t capacity;              /* bindings */
	struct rte_hash *by_aor;        /* AoR key -> binding index */
	struct rte_hash *by_src;        /* location_src_key -> binding index */
	struct location_binding *b;     /* capacity entries */
	uint32_t *free_idx;             /* stack of free binding indexes */
	uint32_t n_free;                /* owner only */
	uint32_t n_live;                /* owner writes, others read relaxed */
	uint32_t cursor;                /* sweep position, owner only */
	location_notify_fn notify;      /* issue 6: keep-alive schedule, NULL = none */
	void *notify_arg;
};

uint32_t
location_aor_hash(struct sf_span aor)
{
	uint8_t key[LOCATION_AOR_MAX] = {0};

	memcpy(key, aor.p, RTE_MIN(aor.len, (uint16_t)LOCATION_AOR_MAX));
	return rte_hash_crc(key, sizeof(key), 0);
}

/* QSBR reclaim callback of the AoR hash: the binding slot is free again (owner lcore). */
static void
location_free_slot(void *p, void *key_data)
{
	struct location *loc = p;

	loc->free_idx[loc->n_free++] = (uint32_t)(uintptr_t)key_data;
}

static struct rte_hash *
location_hash(const char *kind, uint16_t owner, uint32_t entries, uint32_t key_len, int socket,
	      struct rte_rcu_qsbr *qs, struct location *loc, rte_hash_free_key_data fn)
{
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = entries,
		.key_len = key_len,
		.hash_func = rte_hash_crc,
		.socket_id = socket,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};
	struct rte_hash_rcu_config rc = {
		.v = qs,
		.mode = RTE_HASH_QSBR_MODE_DQ,
		.trigger_reclaim_limit = 32,
		.max_reclaim_size = 64,
		.key_data_ptr = loc,
		.free_key_data_func = fn,
	};
	struct rte_hash *h;

	snprintf(name, sizeof(name), "sf_loc_%s_%u", kind, owner); /* cold: init */
	h = rte_hash_create(&hp);
	if (h != NULL && rte_hash_rcu_qsbr_add(h, &rc) != 0) {
		rte_hash_free(h);
		h = NULL;
	}
	return h;
}

struct location *
location_create(uint16_t owner, uint32_t capacity, struct rte_rcu_qsbr *qs, int socket)
{
	/* Room for the hashes' load factor: rte_hash without an extension table fills ~90%. */
	uint32_t entries = capacity + capacity / 4 + 64, i;
	struct location *loc;

	if (qs == NULL || capacity == 0)
		return NULL;
	loc = rte_zmalloc_socket("sf_loc", sizeof(*loc), RTE_CACHE_LINE_SIZE, socket); /* cold: init */
	if (loc == NULL)
		return NULL;
	loc->owner = owner;
	loc->capacity = capacity;
	loc->b = rte_zmalloc_socket("sf_loc_b", (size_t)capacity * sizeof(*loc->b), /* cold: init */
				    RTE_CACHE_LINE_SIZE, socket);
	loc->free_idx = rte_malloc_socket("sf_loc_free", (size_t)capacity * sizeof(uint32_t), /* cold: init */
					  0, socket);
	if (loc->b == NULL || loc->free_idx == NULL)
		goto out_free;
	for (i = 0; i < capacity; i++)
		loc->free_idx[i] = capacity - 1 - i;
	loc->n_free = capacity;
	loc->by_aor = location_hash("aor", owner, entries, LOCATION_AOR_MAX, socket, qs, loc,
				    location_free_slot);
	loc->by_src = location_hash("src", owner, entries, sizeof(struct location_src_key),
				    socket, qs, loc, NULL);
	if (loc->by_aor == NULL || loc->by_src == NULL)
		goto out_free;
	return loc;
out_free:
	location_destroy(loc);
	return NULL;
}

void
location_destroy(struct location *loc)
{
	if (loc == NULL)
		return;
	rte_hash_free(loc->by_aor);
	rte_hash_free(loc->by_src);
	rte_free(loc->b);        /* cold: shutdown */
	rte_free(loc->free_idx); /* cold: shutdown */
	rte_free(loc);           /* cold: shutdown */
}

static inline bool
location_alive(const struct location_binding *b, uint32_t now)
{
	return __atomic_load_n(&b->live, __ATOMIC_ACQUIRE) != 0 &&
	       (int32_t)(__atomic_load_n(&b->expires_at_s, __ATOMIC_RELAXED) - now) > 0;
}

static inline void
location_key(uint8_t key[LOCATION_AOR_MAX], struct sf_span aor)
{
	memset(key, 0, LOCATION_AOR_MAX);
	memcpy(key, aor.p, RTE_MIN(aor.len, (uint16_t)LOCATION_AOR_MAX));
}

const struct location_binding *
location_lookup(const struct location *loc, struct sf_span aor, uint32_t now)
{
	uint8_t key[LOCATION_AOR_MAX];
	void *data;

	if (aor.len == 0 || aor.len > LOCATION_AOR_MAX)
		return NULL;
	location_key(key, aor);
	if (rte_hash_lookup_data(loc->by_aor, key, &data) < 0)
		return NULL;
	return location_alive(&loc->b[(uintptr_t)data], now) ? &loc->b[(uintptr_t)data] : NULL;
}

bool
location_source_live(const struct location *loc, uint32_t ip, uint16_t port, uint32_t now)
{
	struct location_src_key k = {.ip = ip, .port = port, .zero = 0};
	void *data;

	if (rte_hash_lookup_data(loc->by_src, &k, &data) < 0)
		return false;
	return location_alive(&loc->b[(uintptr_t)data], now);
}

/* Unindex binding @idx: readers stop finding it now; its slot returns after a grace period. */
static void
location_unlink(struct location *loc, uint32_t idx)
{
	struct location_binding *b = &loc->b[idx];
	struct location_src_key k = {.ip = b->src_ip, .port = b->src_port, .zero = 0};
	void *data;

	__atomic_store_n(&b->live, 0, __ATOMIC_RELEASE);
	/* Another account may have registered from the same address since: keep its entry. */
	if (rte_hash_lookup_data(loc->by_src, &k, &data) >= 0 && (uintptr_t)data == idx)
		rte_hash_del_key(loc->by_src, &k);
	rte_hash_del_key(loc->by_aor, b->aor);
	loc->n_live--;
	if (loc->notify != NULL) /* issue 6: leaves the keep-alive schedule at once (KA-8) */
		loc->notify(loc->notify_arg, idx, b, false);
}

int
location_remove(struct location *loc, struct sf_span aor)
{
	uint8_t key[LOCATION_AOR_MAX];
	void *data;

	if (aor.len == 0 || aor.len > LOCATION_AOR_MAX)
		return -ENOENT;
	location_key(key, aor);
	if (rte_hash_lookup_data(loc->by_aor, key, &data) < 0)
		return -ENOENT;
	location_unlink(loc, (uint32_t)(uintptr_t)data);
	return 0;
}

static bool
location_same_place(const struct location_binding *a, const struct location_binding *b)
{
	return a->src_ip == b->src_ip && a->src_port == b->src_port &&
	       a->contact_len == b->contact_len && memcmp(a->contact, b->contact, a->contact_len) == 0;
}

int
location_put(struct location *loc, const struct location_binding *nb)
{
	struct location_src_key k = {.ip = nb->src_ip, .port = nb->src_port, .zero = 0};
	struct location_binding *b;
	void *data;
	uint32_t idx;

	if (nb->aor_len == 0 || nb->aor_len > LOCATION_AOR_MAX ||
	    nb->contact_len > LOCATION_CONTACT_MAX)
		return -EINVAL;
	if (rte_hash_lookup_data(loc->by_aor, nb->aor, &data) >= 0) {
		b = &loc->b[(uintptr_t)data];
		if (location_same_place(b, nb)) { /* refresh (REG-5): in place */
			b->granted_s = nb->granted_s;
			b->registered_at_s = nb->registered_at_s;
			b->cseq = nb->cseq;
			b->call_id_hash = nb->call_id_hash;
			__atomic_store_n(&b->expires_at_s, nb->expires_at_s, __ATOMIC_RELEASE);
			return 0;
		}
		location_unlink(loc, (uint32_t)(uintptr_t)data);
	}
	if (loc->n_free == 0)
		return -ENOSPC;
	idx = loc->free_idx[--loc->n_free];
	b = &loc->b[idx];
	*b = *nb;
	b->live = 0;
	if (rte_hash_add_key_data(loc->by_aor, b->aor, (void *)(uintptr_t)idx) != 0) {
		loc->free_idx[loc->n_free++] = idx;
		return -ENOSPC;
	}
	if (rte_hash_add_key_data(loc->by_src, &k, (void *)(uintptr_t)idx) != 0) {
		rte_hash_del_key(loc->by_aor, b->aor); /* the slot comes back through QSBR */
		return -ENOSPC;
	}
	loc->n_live++;
	__atomic_store_n(&b->live, 1, __ATOMIC_RELEASE);
	if (loc->notify != NULL) /* issue 6: a NAT binding joins the keep-alive schedule */
		loc->notify(loc->notify_arg, idx, b, true);
	return 0;
}

unsigned int
location_sweep(struct location *loc, uint32_t now, unsigned int budget, location_keep_fn keep,
	       void *arg)
{
	unsigned int removed = 0;

	while (budget-- > 0) {
		struct location_binding *b = &loc->b[loc->cursor];
		uint32_t idx = loc->cursor;

		loc->cursor = loc->cursor + 1 == loc->capacity ? 0 : loc->cursor + 1;
		if (b->live == 0)
			continue;
		if ((int32_t)(b->expires_at_s - now) <= 0 || (keep != NULL && !keep(b, arg))) {
			location_unlink(loc, idx);
			removed++;
		}
	}
	return removed;
}

void
location_set_notify(struct location *loc, location_notify_fn fn, void *arg)
{
	loc->notify = fn;
	loc->notify_arg = arg;
}

uint32_t
location_count(const struct location *loc)
{
	return __atomic_load_n(&loc->n_live, __ATOMIC_RELAXED);
}

uint32_t
location_capacity(const struct location *loc)
{
	return loc->capacity;
}

const struct location_binding *
location_at(const struct location *loc, uint32_t idx)
{
	if (idx >= loc->capacity || __atomic_load_n(&loc->b[idx].live, __ATOMIC_ACQUIRE) == 0)
		return NULL;
	return &loc->b[idx];
}
