/* SPDX-License-Identifier: BSD-3-Clause */
/* Creating and freeing the hand-off rings and overflow queues (control plane, cold). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_ring.h>

#include "dataplane/steer.h"
#include "dataplane/worker.h"

struct steer_lcore steer_lcores[STEER_MAX_WORKERS];

int
steer_create(struct worker *const *workers, uint16_t n, steer_handler_fn fn)
{
	char name[RTE_RING_NAMESIZE];
	uint16_t i, j;

	if (fn == NULL || n > SF_MAX_WORKERS)
		return -EINVAL;
	memset(steer_lcores, 0, sizeof(steer_lcores));
	for (i = 0; i < n; i++) {
		steer_lcores[i].fn = fn;
		for (j = 0; j < n; j++) {
			int socket = (int)rte_lcore_to_socket_id(workers[j]->lcore_id);
			struct rte_ring *r;

			if (i == j)
				continue;
			snprintf(name, sizeof(name), "sf_steer_%u_%u", i, j); /* cold: setup */
			/* The ring lives where its consumer runs, the queue where its producer does. */
			r = rte_ring_create(name, STEER_RING_SIZE, socket,
					    RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (r == NULL) {
				steer_destroy(workers, n);
				return -rte_errno;
			}
			workers[i]->steer_out[j] = r;
			workers[j]->steer_in[i] = r;
			steer_lcores[i].q[j] = rte_zmalloc_socket(
				"sf_steer_q", sizeof(struct steer_queue), RTE_CACHE_LINE_SIZE,
				(int)rte_lcore_to_socket_id(workers[i]->lcore_id));
			if (steer_lcores[i].q[j] == NULL) {
				steer_destroy(workers, n);
				return -ENOMEM;
			}
		}
	}
	return 0;
}

void
steer_destroy(struct worker *const *workers, uint16_t n)
{
	struct rte_mbuf *m;
	uint16_t i, j;

	for (i = 0; i < n && i < SF_MAX_WORKERS; i++) {
		for (j = 0; j < n; j++) {
			struct rte_ring *r = workers[i]->steer_out[j];
			struct steer_queue *q = steer_lcores[i].q[j];

			if (q != NULL) {
				while (q->count > 0) {
					rte_pktmbuf_free(q->m[q->head]);
					q->head = (q->head + 1) & (STEER_OVERFLOW_SIZE - 1);
					q->count--;
				}
				rte_free(q); /* cold: shutdown */
				steer_lcores[i].q[j] = NULL;
			}
			if (r == NULL)
				continue;
			while (rte_ring_sc_dequeue(r, (void **)&m) == 0)
				rte_pktmbuf_free(m);
			rte_ring_free(r);
			workers[i]->steer_out[j] = NULL;
			workers[j]->steer_in[i] = NULL;
		}
		steer_lcores[i].held = 0;
	}
}
