/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 fragments: per-worker reassembly with DPDK's rte_ip_frag (bounded table, timeouts), and
 * fragmentation of datagrams we send above the MTU.
 */
#include <rte_cycles.h>
#include <rte_ip_frag.h>

#include "dataplane/net/net.h"
#include "dataplane/worker.h"

#define FRAG_MAX_OUT 64 /* 64 fragments of >= 576 bytes cover any 64 KiB datagram */

/*
 * Did the last reassembly call put @m on the death row (alone or chained behind another
 * fragment)? The row also grows when a timed-out entry is recycled for a fragment it keeps.
 */
static bool
frag_was_refused(const struct rte_ip_frag_death_row *dr, uint32_t from, const struct rte_mbuf *m)
{
	const struct rte_mbuf *seg;
	uint32_t i;

	for (i = from; i < dr->cnt; i++)
		for (seg = dr->row[i]; seg != NULL; seg = seg->next)
			if (seg == m)
				return true;
	return false;
}

struct rte_mbuf *
frag_reassemble(struct worker *w, struct rte_mbuf *m, struct rte_ipv4_hdr *ip,
		enum verdict *verdict)
{
	uint32_t refused_before = w->death_row.cnt;
	struct rte_mbuf *whole;

	m->l2_len = sizeof(struct rte_ether_hdr);
	m->l3_len = (uint16_t)((ip->version_ihl & 0x0f) * 4);
	whole = rte_ipv4_frag_reassemble_packet(w->frag_tbl, &w->death_row, m, rte_rdtsc(), ip);
	if (whole != NULL)
		return whole;
	/*
	 * NULL means "kept" or "refused": a refused fragment (table full, overlap, too many
	 * fragments) goes to the death row, which the worker loop frees after the burst.
	 */
	*verdict = frag_was_refused(&w->death_row, refused_before, m) ? VERDICT_DROP_FRAG :
									  VERDICT_FRAG_HELD;
	return NULL;
}

int
frag_send(struct worker *w, uint16_t port_id, struct rte_mbuf *m, uint16_t mtu,
	  const struct rte_ether_addr *dst_mac)
{
	struct rte_mbuf *out[FRAG_MAX_OUT];
	int32_t n, i;

	n = rte_ipv4_fragment_packet(m, out, FRAG_MAX_OUT, mtu, w->pool, w->pool);
	rte_pktmbuf_free(m); /* the fragments hold their own references to its data */
	if (unlikely(n < 0)) {
		worker_count(w, COUNTER_TX_FRAG_FAILED, 1);
		return n;
	}
	worker_count(w, COUNTER_TX_FRAGMENTS, (uint64_t)n);
	for (i = 0; i < n; i++) {
		struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(out[i], struct rte_ipv4_hdr *);

		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		eth_send(w, port_id, out[i], dst_mac, RTE_ETHER_TYPE_IPV4);
	}
	return 0;
}
