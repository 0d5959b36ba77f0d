/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP: answer requests for our address, learn neighbours under the policy of
 * arp_learn_policy() (replies only to our own requests), ask for unknown next hops, and keep a
 * short per-worker hold queue of packets waiting for an answer (net_worker.h; each entry's
 * re-ask and deadline is a timer on the worker's wheel).
 */
#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "dataplane/net/neigh.h"
#include "dataplane/net/net.h"
#include "dataplane/net/net_worker.h"
#include "dataplane/worker.h"

static bool
arp_is_valid(const struct rte_arp_hdr *a)
{
	return a->arp_hardware == RTE_BE16(RTE_ARP_HRD_ETHER) &&
	       a->arp_protocol == RTE_BE16(RTE_ETHER_TYPE_IPV4) &&
	       a->arp_hlen == RTE_ETHER_ADDR_LEN && a->arp_plen == sizeof(uint32_t) &&
	       (a->arp_opcode == RTE_BE16(RTE_ARP_OP_REQUEST) ||
		a->arp_opcode == RTE_BE16(RTE_ARP_OP_REPLY));
}

/* Turn the request in @m into our reply, in place, and send it back to the asker. */
static void
arp_reply_in_place(struct worker *w, struct rte_mbuf *m, uint16_t port_id, struct rte_arp_hdr *a)
{
	struct rte_ether_addr asker = a->arp_data.arp_sha;
	uint32_t asker_ip = a->arp_data.arp_sip;

	a->arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
	a->arp_data.arp_tha = asker;
	a->arp_data.arp_tip = asker_ip;
	a->arp_data.arp_sip = w->cfg->ifaces[port_id].ipv4;
	rte_ether_addr_copy(&w->ports[port_id].mac, &a->arp_data.arp_sha);
	rte_pktmbuf_adj(m, sizeof(struct rte_ether_hdr));
	rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - sizeof(*a)); /* drop Ethernet padding */
	eth_send(w, port_id, m, &asker, RTE_ETHER_TYPE_ARP);
}

/*
 * What a valid ARP frame from another host may teach us (docs/ARCHITECTURE.md, "ARP and the
 * gateway"): ARP_LEARNED when its sender may be written to the neighbour table, else the
 * drop reason (the frame is still answered when it asks for our address).
 *  - A reply is believed only when it answers a request we sent that is still awaited
 *    (neigh_asked/neigh_awaited): an unsolicited reply changes nothing.
 *  - The gateway's entry comes only from such an answer (or from the static gateway_mac,
 *    which nothing changes): a request or gratuitous ARP naming the gateway's address is
 *    never learned, so a spoofer on the LAN cannot redirect keep-alives or replies to it.
 *  - Any other host is learned from a request it sends us (RFC 826), and a host we know is
 *    refreshed by its gratuitous ARP (a new MAC after a NIC swap or fail-over).
 */
static enum verdict
arp_learn_policy(struct worker *w, uint16_t port_id, const struct rte_arp_hdr *a,
		 const struct sf_iface *ifc)
{
	const struct neigh_table *nt = w->ports[port_id].neigh;
	uint32_t sip = a->arp_data.arp_sip;

	if (a->arp_opcode == RTE_BE16(RTE_ARP_OP_REPLY))
		return neigh_awaited(nt, sip, rte_rdtsc()) ? VERDICT_ARP_LEARNED :
							       VERDICT_DROP_ARP_UNSOLICITED;
	if (sip == ifc->gateway)
		return VERDICT_DROP_ARP_GATEWAY;
	if (a->arp_data.arp_tip == ifc->ipv4 ||
	    neigh_lookup(nt, sip, &(struct rte_ether_addr){}))
		return VERDICT_ARP_LEARNED;
	return VERDICT_DROP_ARP_NOT_US;
}

enum verdict
arp_input(struct worker *w, struct rte_mbuf *m, uint16_t port_id)
{
	const struct sf_iface *ifc = &w->cfg->ifaces[port_id];
	struct rte_arp_hdr *a;
	enum verdict v;

	if (unlikely(rte_pktmbuf_data_len(m) < sizeof(struct rte_ether_hdr) + sizeof(*a))) {
		v = VERDICT_DROP_RUNT;
		goto out_free;
	}
	a = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, sizeof(struct rte_ether_hdr));
	if (unlikely(!arp_is_valid(a))) {
		v = VERDICT_DROP_ARP_BAD;
		goto out_free;
	}
	/* Someone else claims our address (RFC 5227 conflict): never learn or answer it. */
	if (unlikely(a->arp_data.arp_sip == ifc->ipv4)) {
		v = VERDICT_DROP_ARP_CONFLICT;
		goto out_free;
	}
	v = arp_learn_policy(w, port_id, a, ifc);
	if (v == VERDICT_ARP_LEARNED)
		neigh_learn(w->ports[port_id].neigh, a->arp_data.arp_sip, &a->arp_data.arp_sha);
	if (a->arp_opcode == RTE_BE16(RTE_ARP_OP_REQUEST) && a->arp_data.arp_tip == ifc->ipv4) {
		arp_reply_in_place(w, m, port_id, a);
		return VERDICT_ARP_REPLIED;
	}
out_free:
	rte_pktmbuf_free(m);
	return v;
}

void
arp_send_request(struct worker *w, uint16_t port_id, uint32_t target_ip)
{
	static const struct rte_ether_addr bcast = {
		.addr_bytes = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
	struct rte_mbuf *m = rte_pktmbuf_alloc(w->pool);
	struct rte_arp_hdr *a;

	if (unlikely(m == NULL)) {
		worker_count(w, COUNTER_TX_NO_MBUF, 1);
		return;
	}
	a = (struct rte_arp_hdr *)rte_pktmbuf_append(m, sizeof(*a));
	a->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = RTE_ETHER_ADDR_LEN;
	a->arp_plen = sizeof(uint32_t);
	a->arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST);
	rte_ether_addr_copy(&w->ports[port_id].mac, &a->arp_data.arp_sha);
	a->arp_data.arp_sip = w->cfg->ifaces[port_id].ipv4;
	memset(&a->arp_data.arp_tha, 0, sizeof(a->arp_data.arp_tha));
	a->arp_data.arp_tip = target_ip;
	neigh_asked(w->ports[port_id].neigh, target_ip,
		    rte_rdtsc() + w->net->hold_cycles + w->net->arp_retry_cycles);
	worker_count(w, COUNTER_ARP_REQUESTS_SENT, 1);
	eth_send(w, port_id, m, &bcast, RTE_ETHER_TYPE_ARP);
}

/* Take entry @i off the hold queue (its packet is already gone); its timer is stopped. */
static inline void
hold_remove(struct worker *w, unsigned int i)
{
	struct net_worker *net = w->net;

	tw_stop(&w->wheel, &net->hold[i].timer);
	net->hold[i].m = NULL;
	net->hold_used &= ~(1u << i);
	net->n_hold--;
}

/* Send held entry @i to @mac now that its next hop is known. */
static void
hold_send(struct worker *w, unsigned int i, const struct rte_ether_addr *mac)
{
	struct hold_entry *h = &w->net->hold[i];
	struct rte_mbuf *m = h->m;
	uint16_t port_id = h->port_id;

	hold_remove(w, i);
	worker_count(w, COUNTER_HOLD_SENT, 1);
	ipv4_send(w, port_id, m, mac);
}

void
hold_service(struct worker *w)
{
	struct net_worker *net = w->net;
	uint32_t todo = net->hold_used;
	struct rte_ether_addr mac;

	while (todo != 0) {
		unsigned int i = (unsigned int)__builtin_ctz(todo);
		const struct hold_entry *h = &net->hold[i];

		todo &= todo - 1;
		if (neigh_lookup(w->ports[h->port_id].neigh, h->next_hop, &mac))
			hold_send(w, i, &mac);
	}
}

void
hold_timer_fired(struct tw_wheel *wheel, struct tw_node *n, uint64_t now_ms, void *arg)
{
	struct worker *w = arg;
	struct net_worker *net = w->net;
	struct hold_entry *h = (struct hold_entry *)((char *)n - offsetof(struct hold_entry, timer));
	unsigned int i = (unsigned int)(h - net->hold);
	struct rte_ether_addr mac;

	if (neigh_lookup(w->ports[h->port_id].neigh, h->next_hop, &mac)) {
		hold_send(w, i, &mac); /* answered since the last housekeeping tick */
	} else if (now_ms >= h->deadline_ms) {
		worker_count(w, COUNTER_HOLD_TIMEOUT, 1);
		rte_pktmbuf_free(h->m);
		hold_remove(w, i);
	} else {
		arp_send_request(w, h->port_id, h->next_hop);
		tw_start(wheel, n, TW_KIND_ARP_HOLD,
			 RTE_MIN(now_ms + net->arp_retry_ms, h->deadline_ms));
	}
}

void
hold_flush(struct worker *w)
{
	struct net_worker *net = w->net;

	while (net->hold_used != 0) {
		unsigned int i = (unsigned int)__builtin_ctz(net->hold_used);

		rte_pktmbuf_free(net->hold[i].m);
		hold_remove(w, i);
	}
}
