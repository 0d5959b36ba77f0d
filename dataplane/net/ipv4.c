/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4: header checks, martian sources, reassembly hand-off, protocol dispatch; and the send
 * side: header checksum, fragmentation above the MTU, next-hop resolution with a hold queue.
 */
#include <rte_cycles.h>
#include <rte_ip.h>

#include "dataplane/net/neigh.h"
#include "dataplane/net/net.h"
#include "dataplane/net/net_worker.h"
#include "dataplane/offender/offender.h"
#include "dataplane/worker.h"

/*
 * Sources that can never be a real peer (RFC 1122 3.2.1.3, RFC 5735): 0/8, 127/8, class D/E,
 * our own address, and the broadcast address of our subnet (only subnets that have one: /31 and
 * /32 do not, RFC 3021). Never answer them.
 */
static inline bool
ipv4_is_martian(uint32_t src_be, const struct sf_iface *ifc)
{
	uint32_t src = rte_be_to_cpu_32(src_be);
	uint32_t mask = rte_be_to_cpu_32(ifc->netmask);
	uint8_t first = (uint8_t)(src >> 24);

	if (first == 0 || first == 127 || first >= 224 || src_be == ifc->ipv4)
		return true;
	return ifc->prefix_len <= 30 && (src_be & ifc->netmask) == (ifc->ipv4 & ifc->netmask) &&
	       (src | mask) == UINT32_MAX;
}

/* Checks on a header that lies inside the first segment; returns a drop verdict or 0. */
static inline enum verdict
ipv4_check(const struct worker *w, const struct rte_mbuf *m, uint16_t port_id,
	   const struct rte_ipv4_hdr *ip, const struct sf_iface *ifc)
{
	uint16_t ihl = (uint16_t)((ip->version_ihl & 0x0f) * 4);
	uint16_t total = rte_be_to_cpu_16(ip->total_length);

	if (unlikely((ip->version_ihl >> 4) != 4 || ihl < sizeof(*ip) || total < ihl ||
		     ihl > rte_pktmbuf_data_len(m) - sizeof(struct rte_ether_hdr)))
		return VERDICT_DROP_IP_BAD_HEADER;
	if (w->ports[port_id].rx_cksum_offload) {
		if (unlikely((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) ==
			     RTE_MBUF_F_RX_IP_CKSUM_BAD))
			return VERDICT_DROP_IP_BAD_CKSUM;
	} else if (unlikely(ipv4_hdr_sum(ip, ihl) != 0xffff)) {
		return VERDICT_DROP_IP_BAD_CKSUM;
	}
	/*
	 * A sound header (checksum right) whose datagram is longer than the frame: cut short on
	 * the way, or by the port (a datagram the kernel reassembled for net_af_packet, past
	 * its framesz). Counted apart from bad headers (issue 12).
	 */
	if (unlikely(total > rte_pktmbuf_pkt_len(m) - sizeof(struct rte_ether_hdr)))
		return VERDICT_DROP_IP_TRUNCATED;
	if (unlikely(ip->dst_addr != ifc->ipv4))
		return VERDICT_DROP_IP_NOT_US;
	if (unlikely(ipv4_is_martian(ip->src_addr, ifc)))
		return VERDICT_DROP_IP_MARTIAN;
	return 0;
}

struct rte_mbuf *
ipv4_input(struct worker *w, struct rte_mbuf *m, uint16_t port_id, enum verdict *verdict)
{
	const struct sf_iface *ifc = &w->cfg->ifaces[port_id];
	struct rte_ipv4_hdr *ip;
	enum verdict v;
	uint32_t pad;

	if (unlikely(rte_pktmbuf_data_len(m) < sizeof(struct rte_ether_hdr) + sizeof(*ip))) {
		v = VERDICT_DROP_RUNT;
		goto out_free;
	}
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	v = ipv4_check(w, m, port_id, ip, ifc);
	if (unlikely(v != 0))
		goto out_free;
	if (unlikely(offender_probe(w->offender, ip->src_addr))) { /* before any L4/SIP byte */
		v = VERDICT_DROP_L3_OFFENDER;
		goto out_free;
	}
	/*
	 * Ethernet padding of short frames must not reach the upper layers. Trimmed only when
	 * there is some: rte_pktmbuf_trim() walks to the last segment even for 0 bytes (~20
	 * instructions a frame, callgrind flood_unknown).
	 */
	pad = rte_pktmbuf_pkt_len(m) - sizeof(struct rte_ether_hdr) -
	      rte_be_to_cpu_16(ip->total_length);
	if (unlikely(pad != 0))
		rte_pktmbuf_trim(m, (uint16_t)pad);
	if (unlikely(rte_ipv4_frag_pkt_is_fragmented(ip))) {
		m = frag_reassemble(w, m, ip, verdict);
		if (m == NULL)
			return NULL;
		ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
					     sizeof(struct rte_ether_hdr));
	}
	switch (ip->next_proto_id) {
	case IPPROTO_UDP:
		return udp_input(w, m, port_id, ip, verdict);
	case IPPROTO_ICMP:
		*verdict = icmp_input(w, m, port_id, ip);
		return NULL;
	default:
		v = VERDICT_DROP_PROTO;
		break;
	}
out_free:
	worker_drop(w, m);
	*verdict = v;
	return NULL;
}

/*
 * Queue @m until @next_hop answers ARP; the first request goes out now, the entry's timer
 * asks again every arp_retry_ms and drops it at hold_ms (hold_timer_fired(), net/arp.c).
 */
static int
ipv4_hold(struct worker *w, uint16_t port_id, struct rte_mbuf *m, uint32_t next_hop)
{
	struct net_worker *net = w->net;
	uint64_t now = worker_now_ms(w);
	struct hold_entry *h;
	unsigned int i;

	if (unlikely(net->n_hold == SF_HOLD_MAX)) {
		worker_count(w, COUNTER_HOLD_FULL, 1);
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	RTE_BUILD_BUG_ON(SF_HOLD_MAX > 32);
	i = (unsigned int)__builtin_ctz(~net->hold_used); /* a free slot: n_hold < SF_HOLD_MAX */
	h = &net->hold[i];
	h->m = m;
	h->next_hop = next_hop;
	h->port_id = port_id;
	h->deadline_ms = now + net->hold_ms;
	if (unlikely(tw_start(&w->wheel, &h->timer, TW_KIND_ARP_HOLD,
			      now + RTE_MIN(net->arp_retry_ms, net->hold_ms)) != 0)) {
		worker_count(w, COUNTER_HOLD_FULL, 1); /* unreachable: hold_ms is bounded by config */
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	net->hold_used |= 1u << i;
	net->n_hold++;
	worker_count(w, COUNTER_HOLD_QUEUED, 1);
	arp_send_request(w, port_id, next_hop);
	return 0;
}

int
ipv4_send(struct worker *w, uint16_t port_id, struct rte_mbuf *m,
	  const struct rte_ether_addr *dst_mac)
{
	const struct sf_iface *ifc = &w->cfg->ifaces[port_id];
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	struct rte_ether_addr mac;

	if (dst_mac == NULL) {
		const struct neigh_table *nt = w->ports[port_id].neigh;
		uint32_t next_hop = neigh_is_onlink(nt, ip->dst_addr) ? ip->dst_addr : ifc->gateway;

		if (unlikely(next_hop == 0)) {
			worker_count(w, COUNTER_NO_ROUTE, 1);
			rte_pktmbuf_free(m);
			return -EHOSTUNREACH;
		}
		if (!neigh_lookup(nt, next_hop, &mac))
			return ipv4_hold(w, port_id, m, next_hop);
		dst_mac = &mac;
	}
	if (unlikely(rte_pktmbuf_pkt_len(m) > ifc->mtu))
		return frag_send(w, port_id, m, ifc->mtu, dst_mac);
	m->l3_len = (uint16_t)((ip->version_ihl & 0x0f) * 4);
	ip->hdr_checksum = 0;
	if (w->ports[port_id].tx_cksum_offload) {
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
	} else {
		/* rte_ip_frag leaves TX_IP_CKSUM on reassembled mbufs: never hand a NIC stale flags */
		m->ol_flags &= ~(RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_L4_MASK);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	eth_send(w, port_id, m, dst_mac, RTE_ETHER_TYPE_IPV4);
	return 0;
}
