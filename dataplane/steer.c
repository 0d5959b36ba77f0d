/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per worker-pair SP/SC rings for handing a datagram to the worker that owns its state, and
 * the producer's overflow queue that keeps paid-for work when a ring is full. Packet path:
 * no malloc, no lock, no log. Set-up in steer_setup.c.
 */
#include <rte_ring.h>

#include "dataplane/steer.h"
#include "dataplane/worker.h"

static_assert(STEER_MAX_WORKERS == SF_MAX_WORKERS, "one hand-off side per possible worker");
static_assert((STEER_OVERFLOW_SIZE & (STEER_OVERFLOW_SIZE - 1)) == 0, "a power of two");

enum verdict
steer_to(struct worker *w, uint16_t owner, struct rte_mbuf *m)
{
	if (unlikely(rte_ring_sp_enqueue(w->steer_out[owner], m) != 0)) {
		rte_pktmbuf_free(m);
		return VERDICT_DROP_STEER_FULL_SOURCE;
	}
	return VERDICT_STEERED;
}

enum verdict
steer_hold(struct worker *w, uint16_t owner, struct rte_mbuf *m)
{
	struct steer_lcore *sl = &steer_lcores[w->index];
	struct steer_queue *q = sl->q[owner];

	/* Behind what already waits (order), else straight onto the ring. */
	if (likely(q == NULL || q->count == 0) &&
	    likely(rte_ring_sp_enqueue(w->steer_out[owner], m) == 0))
		return VERDICT_STEERED;
	if (unlikely(q == NULL || q->count == STEER_OVERFLOW_SIZE)) {
		rte_pktmbuf_free(m);
		return VERDICT_DROP_STEER_FULL_PAID;
	}
	q->m[(q->head + q->count) & (STEER_OVERFLOW_SIZE - 1)] = m;
	q->count++;
	sl->held++;
	worker_count(w, COUNTER_STEER_HELD, 1);
	return VERDICT_STEERED;
}

/* Move what waits for worker @j onto its ring, oldest first, as far as there is room. */
static void
steer_flush_queue(struct worker *w, struct steer_lcore *sl, uint16_t j)
{
	struct steer_queue *q = sl->q[j];
	unsigned int n, k, run;

	while (q->count > 0) {
		run = RTE_MIN(q->count, STEER_OVERFLOW_SIZE - q->head); /* up to the wrap */
		n = rte_ring_sp_enqueue_burst(w->steer_out[j], (void **)&q->m[q->head], run, NULL);
		for (k = 0; k < n; k++)
			q->m[q->head + k] = NULL;
		q->head = (q->head + n) & (STEER_OVERFLOW_SIZE - 1);
		q->count -= n;
		sl->held -= n;
		if (n < run)
			return; /* ring full again */
	}
	q->head = 0;
}

bool
steer_backlogged(const struct worker *w)
{
	const struct steer_lcore *sl = &steer_lcores[w->index];

	return sl->held != 0 && sl->stalled < STEER_STALL_LOOPS;
}

unsigned int
steer_drain(struct worker *w)
{
	struct steer_lcore *sl = &steer_lcores[w->index];
	struct rte_mbuf *pkts[SF_BURST];
	unsigned int total = 0, n, i;
	uint16_t j;

	if (unlikely(sl->held != 0)) {
		uint32_t before = sl->held;

		for (j = 0; j < w->n_workers; j++)
			if (sl->q[j] != NULL && sl->q[j]->count != 0)
				steer_flush_queue(w, sl, j);
		sl->stalled = sl->held == before ? sl->stalled + 1 : 0;
	}
	for (j = 0; j < w->n_workers; j++) {
		if (w->steer_in[j] == NULL)
			continue;
		n = rte_ring_sc_dequeue_burst(w->steer_in[j], (void **)pkts, SF_BURST, NULL);
		for (i = 0; i < n; i++)
			w->verdicts[sl->fn(w, pkts[i])]++;
		total += n;
	}
	worker_count(w, COUNTER_RX_STEERED_IN, total);
	return total;
}
