/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP: answer echo requests (unless the interface turns them off). Nothing else is answered
 * and no ICMP error is ever sent: a silent host is the point.
 */
#include <rte_icmp.h>
#include <rte_ip.h>

#include "dataplane/net/net.h"
#include "dataplane/worker.h"

#define ICMP_TTL 64

/* Internet checksum of @len bytes at @off in the (possibly chained) mbuf; 0xffff = valid. */
static uint16_t
icmp_cksum(const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	uint16_t sum = 0;

	if (rte_raw_cksum_mbuf(m, off, len, &sum) != 0)
		return 0;
	return sum;
}

enum verdict
icmp_input(struct worker *w, struct rte_mbuf *m, uint16_t port_id, struct rte_ipv4_hdr *ip)
{
	uint16_t ihl = (uint16_t)((ip->version_ihl & 0x0f) * 4);
	uint32_t off = sizeof(struct rte_ether_hdr) + ihl;
	uint32_t len = rte_be_to_cpu_16(ip->total_length) - ihl;
	struct rte_ether_addr asker;
	struct rte_icmp_hdr *icmp;
	uint32_t tmp;
	enum verdict v = VERDICT_DROP_ICMP;

	if (unlikely(len < sizeof(*icmp) || rte_pktmbuf_data_len(m) < off + sizeof(*icmp)))
		goto out_free;
	icmp = rte_pktmbuf_mtod_offset(m, struct rte_icmp_hdr *, off);
	if (icmp->icmp_type != RTE_IP_ICMP_ECHO_REQUEST || icmp->icmp_code != 0)
		goto out_free;
	if (!w->cfg->ifaces[port_id].icmp_echo) {
		v = VERDICT_DROP_ICMP_DISABLED;
		goto out_free;
	}
	if (unlikely(icmp_cksum(m, off, len) != 0xffff))
		goto out_free;

	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = (uint16_t)~icmp_cksum(m, off, len);
	tmp = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = tmp;
	ip->time_to_live = ICMP_TTL;
	ip->fragment_offset = 0;
	rte_ether_addr_copy(&rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->src_addr, &asker);
	rte_pktmbuf_adj(m, sizeof(struct rte_ether_hdr));
	ipv4_send(w, port_id, m, &asker);
	return VERDICT_ICMP_ECHO_REPLIED;
out_free:
	rte_pktmbuf_free(m);
	return v;
}
