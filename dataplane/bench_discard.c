/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BENCHMARK ONLY (sipfastd --bench-discard): the PMD's own cost, an empty loop. Kept out of
 * the worker loop's file so production code holds no bench path; linked into sipfastd because
 * scripts/bench.sh runs the daemon binary with the flag.
 */
#include <rte_ethdev.h>

#include "dataplane/bench_discard.h"
#include "dataplane/worker.h"

int
bench_discard_main(void *arg)
{
	struct worker *w = arg;
	struct rte_mbuf *pkts[SF_BURST];
	uint16_t i, n;

	while (!__atomic_load_n(w->stop, __ATOMIC_RELAXED)) {
		for (i = 0; i < SF_MAX_PORTS; i++) {
			if (w->ports[i].txb == NULL)
				continue;
			n = rte_eth_rx_burst(w->ports[i].port_id, w->ports[i].queue, pkts,
					     SF_BURST);
			worker_count(w, COUNTER_RX_PACKETS, n);
			rte_pktmbuf_free_bulk(pkts, n);
		}
		if (unlikely(w->rx_limit != 0 && w->counters[COUNTER_RX_PACKETS] >= w->rx_limit))
			break;
	}
	return 0;
}
