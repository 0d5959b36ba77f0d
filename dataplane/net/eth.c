/* SPDX-License-Identifier: BSD-3-Clause */
/* Ethernet: accept frames for our MAC or broadcast, dispatch ARP and IPv4, and send frames. */
#include <rte_ethdev.h>

#include "dataplane/net/net.h"
#include "dataplane/worker.h"

static inline bool
eth_is_for_us(const struct rte_ether_addr *dst, const struct rte_ether_addr *ours)
{
	return rte_is_same_ether_addr(dst, ours) || rte_is_broadcast_ether_addr(dst);
}

struct rte_mbuf *
eth_input(struct worker *w, struct rte_mbuf *m, uint16_t port_id, enum verdict *verdict)
{
	const struct rte_ether_hdr *eth;
	enum verdict v;

	if (unlikely(rte_pktmbuf_data_len(m) < sizeof(*eth))) {
		v = VERDICT_DROP_RUNT;
		goto out_free;
	}
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (unlikely(!eth_is_for_us(&eth->dst_addr, &w->ports[port_id].mac))) {
		v = VERDICT_DROP_FOREIGN_MAC;
		goto out_free;
	}
	/* A group source address is never a real sender; answering it would broadcast. */
	if (unlikely(rte_is_multicast_ether_addr(&eth->src_addr))) {
		v = VERDICT_DROP_GROUP_SRC_MAC;
		goto out_free;
	}
	switch (eth->ether_type) {
	case RTE_BE16(RTE_ETHER_TYPE_IPV4):
		return ipv4_input(w, m, port_id, verdict);
	case RTE_BE16(RTE_ETHER_TYPE_ARP):
		*verdict = arp_input(w, m, port_id);
		return NULL;
	case RTE_BE16(RTE_ETHER_TYPE_VLAN):
	case RTE_BE16(RTE_ETHER_TYPE_QINQ):
		v = VERDICT_DROP_VLAN;
		break;
	default:
		v = VERDICT_DROP_ETHERTYPE;
		break;
	}
out_free:
	worker_drop(w, m);
	*verdict = v;
	return NULL;
}

void
eth_send(struct worker *w, uint16_t port_id, struct rte_mbuf *m,
	 const struct rte_ether_addr *dst_mac, uint16_t ether_type)
{
	struct worker_port *p = &w->ports[port_id];
	struct rte_ether_hdr *eth;

	eth = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, sizeof(*eth));
	if (unlikely(eth == NULL)) {
		worker_count(w, COUNTER_TX_NO_MBUF, 1);
		rte_pktmbuf_free(m);
		return;
	}
	rte_ether_addr_copy(dst_mac, &eth->dst_addr);
	rte_ether_addr_copy(&p->mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(ether_type);
	m->l2_len = sizeof(*eth);
	worker_count(w, COUNTER_TX_PACKETS, 1);
	rte_eth_tx_buffer(port_id, p->queue, p->txb, m);
}
