/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * UDP: length checks, the checksum (offloaded, or deferred to sip_input()'s gate), the SIP
 * port hand-off (the datagram goes back to the worker loop, which calls SIP: net never calls
 * up), and datagrams we send.
 */
#include <rte_ip.h>
#include <rte_udp.h>

#include "dataplane/net/net.h"
#include "dataplane/pkt_meta.h"
#include "dataplane/net/net_worker.h"
#include "dataplane/worker.h"

#define UDP_TTL 64

/*
 * What udp_input() knows about the checksum before the SIP layer sees the datagram.
 * UDP_CKSUM_DEFERRED: the port cannot vouch for it and the sender computed one; verifying it
 * means summing every payload byte (~400 instructions for a 400-byte request, callgrind), so
 * udp_input() only marks the datagram (PKT_META_F_CKSUM_UNVERIFIED) and sip_input()'s gate
 * verifies it before anything but a silent drop can happen (udp_cksum_verify_deferred()).
 */
enum udp_cksum_state { UDP_CKSUM_OK, UDP_CKSUM_BAD, UDP_CKSUM_DEFERRED };

static inline enum udp_cksum_state
udp_cksum_state(const struct worker *w, const struct rte_mbuf *m, uint16_t port_id,
		const struct rte_udp_hdr *udp)
{
	if (udp->dgram_cksum == 0) /* sender computed none (RFC 768) */
		return UDP_CKSUM_OK;
	if (w->ports[port_id].rx_cksum_offload &&
	    (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) != RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN)
		return (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_GOOD
			       ? UDP_CKSUM_OK : UDP_CKSUM_BAD;
	return UDP_CKSUM_DEFERRED;
}

bool
udp_cksum_verify_deferred(struct rte_mbuf *m)
{
	struct pkt_meta *meta = pkt_meta(m);
	uint16_t udp_len = (uint16_t)(meta->payload_len + sizeof(struct rte_udp_hdr));
	const void *udp = rte_pktmbuf_mtod_offset(m, const void *,
						  meta->payload_off - sizeof(struct rte_udp_hdr));
	uint32_t sum;

	/*
	 * RFC 768 over the pseudo-header and the datagram as udp_input() left it (trimmed to the
	 * UDP length, contiguous): the addresses and length come from pkt_meta, not from the IP
	 * header. One's-complement sums do not depend on byte order, so the network-order words
	 * are added as they sit in memory (as rte_ipv4_phdr_cksum() does). A valid datagram,
	 * checksum field included, sums to 0xffff.
	 */
	sum = (meta->src_ip >> 16) + (meta->src_ip & 0xffff) + (meta->dst_ip >> 16) +
	      (meta->dst_ip & 0xffff) + rte_cpu_to_be_16(IPPROTO_UDP) + rte_cpu_to_be_16(udp_len);
	sum = __rte_raw_cksum(udp, udp_len, sum);
	meta->flags &= (uint16_t)~PKT_META_F_CKSUM_UNVERIFIED;
	return __rte_raw_cksum_reduce(sum) == 0xffff;
}

/*
 * Make the datagram contiguous: a reassembled chain is copied into one big-pool buffer.
 * Returns the mbuf to continue with (may be @m itself), or NULL when it was dropped.
 */
static struct rte_mbuf *
udp_linearize(struct worker *w, struct rte_mbuf *m)
{
	struct rte_mbuf *big;
	uint32_t len = rte_pktmbuf_pkt_len(m);
	char *dst;

	if (likely(rte_pktmbuf_is_contiguous(m)))
		return m;
	big = rte_pktmbuf_alloc(w->big_pool);
	if (big == NULL || len > rte_pktmbuf_tailroom(big)) {
		rte_pktmbuf_free(big);
		rte_pktmbuf_free(m);
		return NULL;
	}
	dst = rte_pktmbuf_append(big, (uint16_t)len);
	rte_pktmbuf_read(m, 0, len, dst); /* copies: the chain is not contiguous */
	big->port = m->port;
	rte_pktmbuf_free(m);
	return big;
}

struct rte_mbuf *
udp_input(struct worker *w, struct rte_mbuf *m, uint16_t port_id, struct rte_ipv4_hdr *ip,
	  enum verdict *verdict)
{
	uint16_t ihl = (uint16_t)((ip->version_ihl & 0x0f) * 4);
	uint16_t l4_off = (uint16_t)(sizeof(struct rte_ether_hdr) + ihl);
	uint16_t ip_payload = (uint16_t)(rte_be_to_cpu_16(ip->total_length) - ihl);
	const struct rte_udp_hdr *udp;
	enum udp_cksum_state cks;
	struct pkt_meta *meta;
	uint16_t dgram_len;
	enum verdict v;

	if (unlikely(ip_payload < sizeof(*udp) ||
		     rte_pktmbuf_data_len(m) < l4_off + sizeof(*udp))) {
		v = VERDICT_DROP_RUNT;
		goto out_free;
	}
	udp = rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *, l4_off);
	/*
	 * Swapped once: DPDK's x86 byte swap is an asm volatile the compiler may not merge, and
	 * this used to swap the same field four times on the way to SIP.
	 */
	dgram_len = rte_be_to_cpu_16(udp->dgram_len);
	if (unlikely(dgram_len < sizeof(*udp) || dgram_len > ip_payload)) {
		v = VERDICT_DROP_UDP_BAD;
		goto out_free;
	}
	if (dgram_len < ip_payload) {
		/* RFC 768: bytes after the UDP length are not part of the datagram or its checksum */
		rte_pktmbuf_trim(m, (uint16_t)(ip_payload - dgram_len));
		ip->total_length = rte_cpu_to_be_16((uint16_t)(ihl + dgram_len));
	}
	if (udp->dst_port != w->cfg->sip_port_be) {
		v = VERDICT_DROP_UDP_PORT;
		goto out_free;
	}
	cks = udp_cksum_state(w, m, port_id, udp);
	if (unlikely(cks == UDP_CKSUM_BAD)) {
		v = VERDICT_DROP_UDP_BAD_CKSUM;
		goto out_free;
	}
	meta = pkt_meta(m);
	meta->src_ip = ip->src_addr;
	meta->dst_ip = ip->dst_addr;
	meta->src_port = udp->src_port;
	meta->dst_port = udp->dst_port;
	meta->in_port = port_id;
	meta->flags = cks == UDP_CKSUM_DEFERRED ? PKT_META_F_CKSUM_UNVERIFIED : 0;
	meta->payload_off = (uint16_t)(l4_off + sizeof(*udp));
	meta->payload_len = (uint16_t)(dgram_len - sizeof(*udp));
	rte_ether_addr_copy(&rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->src_addr, &meta->src_mac);
	if (unlikely(!rte_pktmbuf_is_contiguous(m))) {
		struct pkt_meta saved = *meta;

		m = udp_linearize(w, m);
		if (m == NULL) {
			*verdict = VERDICT_DROP_TOO_BIG;
			return NULL;
		}
		*pkt_meta(m) = saved;
	}
	return m; /* the caller hands it to SIP */
out_free:
	worker_drop(w, m);
	*verdict = v;
	return NULL;
}

int
udp_send(struct worker *w, uint16_t port_id, struct rte_mbuf *m, uint32_t src_ip,
	 uint16_t src_port, uint32_t dst_ip, uint16_t dst_port, const struct rte_ether_addr *dst_mac)
{
	uint32_t payload_len = rte_pktmbuf_pkt_len(m);
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;

	ip = (struct rte_ipv4_hdr *)rte_pktmbuf_prepend(m, sizeof(*ip) + sizeof(*udp));
	if (unlikely(ip == NULL || payload_len > UINT16_MAX - sizeof(*ip) - sizeof(*udp))) {
		worker_count(w, COUNTER_TX_NO_MBUF, 1);
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	udp = (struct rte_udp_hdr *)(ip + 1);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(payload_len + sizeof(*ip) + sizeof(*udp)));
	ip->packet_id = rte_cpu_to_be_16(w->net->ip_id);
	w->net->ip_id = (uint16_t)(w->net->ip_id + w->n_workers);
	ip->fragment_offset = 0;
	ip->time_to_live = UDP_TTL;
	ip->next_proto_id = IPPROTO_UDP;
	ip->hdr_checksum = 0;
	ip->src_addr = src_ip;
	ip->dst_addr = dst_ip;
	udp->src_port = src_port;
	udp->dst_port = dst_port;
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(payload_len + sizeof(*udp)));
	udp->dgram_cksum = 0;
	if (w->ports[port_id].tx_cksum_offload &&
	    rte_pktmbuf_pkt_len(m) <= w->cfg->ifaces[port_id].mtu) {
		m->l3_len = sizeof(*ip);
		m->l4_len = sizeof(*udp);
		m->ol_flags |= RTE_MBUF_F_TX_UDP_CKSUM;
		udp->dgram_cksum = rte_ipv4_phdr_cksum(ip, m->ol_flags | RTE_MBUF_F_TX_IPV4);
	} else {
		/* rte_ipv4_udptcp_cksum_mbuf maps a computed 0 to 0xffff (RFC 768). */
		udp->dgram_cksum = rte_ipv4_udptcp_cksum_mbuf(m, ip, sizeof(*ip));
	}
	return ipv4_send(w, port_id, m, dst_mac);
}
