/* SPDX-License-Identifier: BSD-3-Clause */
/* Per worker-pair SP/SC rings for handing a packet to the worker that owns its state. */
#include <stdio.h>

#include <rte_lcore.h>
#include <rte_ring.h>

#include "dataplane/sip_input.h"
#include "dataplane/steer.h"
#include "dataplane/worker.h"

int
steer_create(struct worker *const *workers, uint16_t n)
{
	char name[RTE_RING_NAMESIZE];
	uint16_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++) {
			struct rte_ring *r;

			if (i == j)
				continue;
			snprintf(name, sizeof(name), "sf_steer_%u_%u", i, j); /* cold: setup */
			/* The ring lives where its consumer runs. */
			r = rte_ring_create(name, STEER_RING_SIZE,
					    rte_lcore_to_socket_id(workers[j]->lcore_id),
					    RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (r == NULL) {
				steer_destroy(workers, n);
				return -rte_errno;
			}
			workers[i]->steer_out[j] = r;
			workers[j]->steer_in[i] = r;
		}
	}
	return 0;
}

void
steer_destroy(struct worker *const *workers, uint16_t n)
{
	struct rte_mbuf *m;
	uint16_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++) {
			struct rte_ring *r = workers[i]->steer_out[j];

			if (r == NULL)
				continue;
			while (rte_ring_sc_dequeue(r, (void **)&m) == 0)
				rte_pktmbuf_free(m);
			rte_ring_free(r);
			workers[i]->steer_out[j] = NULL;
			workers[j]->steer_in[i] = NULL;
		}
	}
}

enum verdict
steer_to(struct worker *w, uint16_t owner, struct rte_mbuf *m)
{
	if (unlikely(rte_ring_sp_enqueue(w->steer_out[owner], m) != 0)) {
		rte_pktmbuf_free(m);
		return VERDICT_DROP_STEER_FULL;
	}
	return VERDICT_STEERED;
}

unsigned int
steer_drain(struct worker *w)
{
	struct rte_mbuf *pkts[SF_BURST];
	unsigned int total = 0, n, i;
	uint16_t j;

	for (j = 0; j < w->n_workers; j++) {
		if (w->steer_in[j] == NULL)
			continue;
		n = rte_ring_sc_dequeue_burst(w->steer_in[j], (void **)pkts, SF_BURST, NULL);
		for (i = 0; i < n; i++)
			w->verdicts[sip_input(w, pkts[i])]++;
		total += n;
	}
	worker_count(w, COUNTER_RX_STEERED_IN, total);
	return total;
}
