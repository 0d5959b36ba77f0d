/* SPDX-License-Identifier: BSD-3-Clause */
/* Lock-free IPv4 neighbour table: one 64-bit word per host, see neigh.h. */
#include <string.h>

#include <rte_byteorder.h>

#include "dataplane/net/neigh.h"

#define NEIGH_MAC_MASK ((UINT64_C(1) << 48) - 1)

void
neigh_init(struct neigh_table *t, uint32_t ip_be, uint8_t prefix_len)
{
	t->mask = prefix_len == 0 ? 0 : UINT32_MAX << (32 - prefix_len);
	t->net = rte_be_to_cpu_32(ip_be) & t->mask;
	t->pinned_be = 0;
	memset(t->slots, 0, sizeof(t->slots));
	memset(t->pending, 0, sizeof(t->pending));
}

static inline uint32_t
neigh_pending_idx(uint32_t ip_be)
{
	uint32_t h = rte_be_to_cpu_32(ip_be) * UINT32_C(2654435761); /* Fibonacci hashing */

	return h >> 24; /* NEIGH_PENDING = 256 = 2^8 */
}

void
neigh_asked(struct neigh_table *t, uint32_t ip_be, uint64_t deadline_tsc)
{
	uint64_t want = ((uint64_t)ip_be << 32) | (uint32_t)(deadline_tsc >> NEIGH_PENDING_SHIFT);

	__atomic_store_n(&t->pending[neigh_pending_idx(ip_be)], want, __ATOMIC_RELAXED);
}

bool
neigh_awaited(const struct neigh_table *t, uint32_t ip_be, uint64_t now_tsc)
{
	uint64_t w = __atomic_load_n(&t->pending[neigh_pending_idx(ip_be)], __ATOMIC_RELAXED);
	uint32_t now = (uint32_t)(now_tsc >> NEIGH_PENDING_SHIFT);

	/* wrap-safe: the deadline is at most a few seconds ahead of any request's clock */
	return w != 0 && (uint32_t)(w >> 32) == ip_be && (int32_t)((uint32_t)w - now) >= 0;
}

static inline uint64_t
neigh_mac_word(const struct rte_ether_addr *mac)
{
	uint64_t w = 0;
	unsigned int i;

	for (i = 0; i < RTE_ETHER_ADDR_LEN; i++)
		w = (w << 8) | mac->addr_bytes[i];
	return w;
}

/* Slot index and tag of a host, host byte order in. */
static inline uint32_t
neigh_slot(const struct neigh_table *t, uint32_t ip, uint64_t *tag)
{
	uint32_t host = ip & ~t->mask;

	*tag = (uint64_t)(host >> 16) << 48;
	return host & (NEIGH_SLOTS - 1);
}

bool
neigh_lookup(const struct neigh_table *t, uint32_t ip_be, struct rte_ether_addr *mac)
{
	uint32_t ip = rte_be_to_cpu_32(ip_be);
	uint64_t tag, w;
	unsigned int i;

	if ((ip & t->mask) != t->net)
		return false;
	w = __atomic_load_n(&t->slots[neigh_slot(t, ip, &tag)], __ATOMIC_RELAXED);
	if (w == 0 || (w & ~NEIGH_MAC_MASK) != tag)
		return false;
	for (i = RTE_ETHER_ADDR_LEN; i-- > 0; w >>= 8)
		mac->addr_bytes[i] = (uint8_t)w;
	return true;
}

bool
neigh_learn(struct neigh_table *t, uint32_t ip_be, const struct rte_ether_addr *mac)
{
	uint32_t ip = rte_be_to_cpu_32(ip_be);
	uint32_t host = ip & ~t->mask;
	uint64_t tag, want, *slot;

	if ((ip & t->mask) != t->net || host == 0 || host == ~t->mask)
		return false;
	if (!rte_is_valid_assigned_ether_addr(mac) || (ip_be == t->pinned_be && ip_be != 0))
		return false;
	slot = &t->slots[neigh_slot(t, ip, &tag)];
	want = tag | neigh_mac_word(mac);
	if (__atomic_load_n(slot, __ATOMIC_RELAXED) == want)
		return false; /* the common case: no write, no cache-line bouncing */
	__atomic_store_n(slot, want, __ATOMIC_RELAXED);
	return true;
}

void
neigh_pin(struct neigh_table *t, uint32_t ip_be, const struct rte_ether_addr *mac)
{
	t->pinned_be = 0;
	neigh_learn(t, ip_be, mac);
	t->pinned_be = ip_be;
}
