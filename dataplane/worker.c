/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What every room may do with a struct worker: the verdict and counter names, the wheel's
 * start, the TX flush. The loop that drives a worker is loop.c (the top room).
 */
#include <assert.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "dataplane/worker.h"

static_assert(TW_KIND_COUNT <= TW_KINDS, "timer kinds exceed the wheel's handler table");

const char *const verdict_names[VERDICT_MAX] = {
#define X(name, text) [VERDICT_##name] = text,
	VERDICT_LIST(X)
#undef X
};

const char *const counter_names[COUNTER_MAX] = {
#define X(name, text) [COUNTER_##name] = text,
	COUNTER_LIST(X)
#undef X
};

void
worker_timers_init(struct worker *w)
{
	w->tsc_per_ms = rte_get_tsc_hz() / 1000;
	tw_init(&w->wheel, worker_now_ms(w));
}

/*
 * The frames of worker_drop(), back to their pools. Written out rather than
 * rte_pktmbuf_free_bulk(), which cost 41 instructions a frame (callgrind, flood_unknown: a
 * sanity check, the pre-free steps and a pool compare per segment): a frame that is one direct
 * segment with no other reference (every flood frame) needs none of it, so it goes into one
 * rte_mempool_put_bulk() with the others of its pool, ~10 a frame. Anything else (a chain, an
 * indirect or shared mbuf, another pool) takes rte_pktmbuf_free() on its own.
 */
void
worker_drop_free(struct worker *w)
{
	struct rte_mbuf **d = w->drop;
	struct rte_mempool *mp = d[0]->pool;
	uint16_t i, n = w->n_drop, k = 0;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = d[i];

		if (likely(m->pool == mp && rte_mbuf_refcnt_read(m) == 1 && m->next == NULL &&
			   m->nb_segs == 1 && RTE_MBUF_DIRECT(m)))
			d[k++] = m;
		else
			rte_pktmbuf_free(m);
	}
	rte_mempool_put_bulk(mp, (void **)d, k);
	w->n_drop = 0;
}

void
worker_flush_tx(struct worker *w)
{
	uint16_t i;

	for (i = 0; i < SF_MAX_PORTS; i++)
		if (w->ports[i].txb != NULL)
			rte_eth_tx_buffer_flush(i, w->ports[i].queue, w->ports[i].txb);
}
