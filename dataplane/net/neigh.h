/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Neighbour table of one port: IPv4 address -> MAC for on-link hosts, learned from ARP and
 * from received frames. Shared by every worker without locks: each slot is one 64-bit word
 * (MAC + tag) written with a single atomic store, so readers never see a torn entry and
 * concurrent writers simply leave the latest MAC.
 */
#ifndef SF_NEIGH_H
#define SF_NEIGH_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>

/*
 * Slots are indexed by the low 16 bits of the host part and tagged with the next 16 bits, so two
 * distinct hosts never share an entry for any prefix length; for the /16-or-longer subnets of a
 * SIP edge the table is a plain direct map (512 KiB per port).
 */
#define NEIGH_SLOTS 65536
#define NEIGH_PENDING 256  /* outstanding ARP requests remembered (hashed by address) */
#define NEIGH_PENDING_SHIFT 20 /* pending deadlines in units of 2^20 TSC cycles (~0.3-1 ms) */

struct neigh_table {
	uint32_t net;      /* on-link network, host byte order */
	uint32_t mask;     /* host byte order */
	uint32_t pinned_be; /* an address whose entry ARP never changes (static gateway_mac), 0 */
	uint64_t slots[NEIGH_SLOTS]; /* (tag << 48) | mac, 0 = empty */
	/*
	 * ARP requests we sent and still wait for: (address_be << 32) | deadline in
	 * 2^NEIGH_PENDING_SHIFT-cycle units, one 64-bit word each (atomic, any lcore). A reply
	 * is only believed when it answers one of these (arp.c).
	 */
	uint64_t pending[NEIGH_PENDING];
};

/* Reset @t for the on-link network @ip/@prefix_len (addresses in network byte order). */
void neigh_init(struct neigh_table *t, uint32_t ip_be, uint8_t prefix_len);

/*
 * Set @ip_be's entry to @mac for good: ARP never changes it afterwards (neigh_learn() refuses
 * it). For the interface's static gateway_mac; control plane, before the workers start.
 */
void neigh_pin(struct neigh_table *t, uint32_t ip_be, const struct rte_ether_addr *mac);

/* We just asked for @ip_be: a reply is awaited until @deadline_tsc. Any lcore. */
void neigh_asked(struct neigh_table *t, uint32_t ip_be, uint64_t deadline_tsc);

/* Did we ask for @ip_be, with the answer still awaited at @now_tsc? Any lcore. */
bool neigh_awaited(const struct neigh_table *t, uint32_t ip_be, uint64_t now_tsc);

/* Is @ip_be (network byte order) on the table's network? */
static inline bool
neigh_is_onlink(const struct neigh_table *t, uint32_t ip_be)
{
	return (rte_be_to_cpu_32(ip_be) & t->mask) == t->net;
}

/* Look @ip_be up. Returns true and fills @mac when known. Any lcore. */
bool neigh_lookup(const struct neigh_table *t, uint32_t ip_be, struct rte_ether_addr *mac);

/*
 * Remember that @ip_be is at @mac. Ignored for off-link addresses, the network and broadcast
 * addresses, the pinned address (neigh_pin), and multicast or zero MACs. Writes only when the entry changes. Any lcore.
 * Returns true when the entry was added or changed.
 */
bool neigh_learn(struct neigh_table *t, uint32_t ip_be, const struct rte_ether_addr *mac);

#endif
