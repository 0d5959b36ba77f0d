/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 fragments: per-worker reassembly with DPDK's rte_ip_frag (bounded table, timeouts), and
 * fragmentation of datagrams we send above the MTU.
 *
 * Reassembly runs before any source or port check, so anyone can fill the tables with
 * fragments that never complete (issue 12 defect 1). Two bounds keep that from reaching the
 * rest of the daemon:
 *  - every admitted fragment is copied into the socket's fragment pool
 *    (runtime.frag_mbufs) and the received mbuf is freed at once: the tables hold only
 *    fragment-pool mbufs, so the packet pool that feeds RX rings, replies and keep-alives is
 *    never held by reassembly; an empty fragment pool refuses the fragment
 *    (drop_frag_pool_empty);
 *  - each source address may have runtime.frag_source_max fragments admitted per
 *    reassembly-timeout window (drop_frag_source_budget), so one sender cannot take the whole
 *    fragment pool either.
 * Copying costs a memcpy per fragment; fragments are rare on a SIP edge.
 */
#include <rte_cycles.h>
#include <rte_ip_frag.h>

#include "dataplane/net/net.h"
#include "dataplane/net/net_worker.h"
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

/* May @src_be have one more fragment admitted now? Counts it when yes. */
static inline bool
frag_source_admit(struct net_worker *net, uint32_t src_be, uint64_t now)
{
	struct frag_source *s =
		&net->frag_src[(rte_be_to_cpu_32(src_be) * UINT32_C(2654435761)) >> 22];
	uint32_t window = (uint32_t)(now / net->frag_window_cycles);

	RTE_BUILD_BUG_ON(SF_FRAG_SOURCES != 1u << (32 - 22));
	if (s->src != src_be || s->window != window) {
		s->src = src_be;
		s->window = window;
		s->count = 0;
	}
	if (s->count >= net->frag_source_max)
		return false;
	s->count++;
	return true;
}

/*
 * One reassembly call puts at most one flow's fragments plus the new one on the death row
 * (and as many for a timed-out entry it recycles): room for two such calls is kept.
 */
#define FRAG_DEATH_ROW_ROOM (RTE_IP_FRAG_DEATH_ROW_MBUF_LEN - 2 * (RTE_LIBRTE_IP_FRAG_MAX_FRAG + 1))

struct rte_mbuf *
frag_reassemble(struct worker *w, struct rte_mbuf *m, struct rte_ipv4_hdr *ip,
		enum verdict *verdict)
{
	struct net_worker *net = w->net;
	uint64_t now = rte_rdtsc();
	struct rte_mbuf *whole, *copy;
	uint32_t refused_before;

	/*
	 * The death row has no bounds check of its own; the loop empties it every pass
	 * (frag_free_refused()), but a pass may read several ports' bursts, so make room here.
	 */
	if (unlikely(net->death_row.cnt > FRAG_DEATH_ROW_ROOM))
		rte_ip_frag_free_death_row(&net->death_row, 0);
	refused_before = net->death_row.cnt;
	if (unlikely(!frag_source_admit(net, ip->src_addr, now))) {
		rte_pktmbuf_free(m);
		*verdict = VERDICT_DROP_FRAG_SOURCE_BUDGET;
		return NULL;
	}
	copy = rte_pktmbuf_copy(m, w->frag_pool, 0, UINT32_MAX);
	rte_pktmbuf_free(m);
	if (unlikely(copy == NULL)) {
		*verdict = VERDICT_DROP_FRAG_POOL_EMPTY;
		return NULL;
	}
	m = copy;
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	m->l2_len = sizeof(struct rte_ether_hdr);
	m->l3_len = (uint16_t)((ip->version_ihl & 0x0f) * 4);
	whole = rte_ipv4_frag_reassemble_packet(net->frag_tbl, &net->death_row, m, now, ip);
	if (whole != NULL)
		return whole;
	/*
	 * NULL means "kept" or "refused": a refused fragment (table full, overlap, too many
	 * fragments) goes to the death row, which net's poll frees after the loop's bursts.
	 */
	*verdict = frag_was_refused(&net->death_row, refused_before, m) ? VERDICT_DROP_FRAG :
									    VERDICT_FRAG_HELD;
	return NULL;
}

void
frag_free_refused(struct worker *w)
{
	struct net_worker *net = w->net;

	if (net->death_row.cnt != 0)
		rte_ip_frag_free_death_row(&net->death_row, SF_PREFETCH);
}

void
frag_expire(struct worker *w, uint64_t now_tsc)
{
	struct net_worker *net = w->net;

	rte_ip_frag_table_del_expired_entries(net->frag_tbl, &net->death_row, now_tsc);
	frag_free_refused(w);
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
