/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Lossless config updates: the new snapshot is queued to each worker, which swaps it in between
 * bursts (loop_take_new_config); nothing pauses. A retired snapshot is freed only after every
 * worker reported a quiescent state following the swap, so no worker can still hold it.
 *
 * Why the token is taken after the enqueue: a worker that reports quiescence with a counter at
 * or past the token has loaded the token (acquire) after we stored it (release), hence it also
 * sees our enqueue and will take the new snapshot before it next reads the config.
 */
#include <errno.h>
#include <stdlib.h>

#include "ctrlplane/publish.h"

void
publish_init(struct publisher *pub, struct rte_rcu_qsbr *qsbr, struct worker *const *workers,
	     uint16_t n_workers)
{
	*pub = (struct publisher){.qsbr = qsbr, .workers = workers, .n_workers = n_workers};
}

int
publish_snapshot(struct publisher *pub, struct snapshot *snap)
{
	uint16_t i;

	publish_reclaim(pub);
	if (pub->n_retired == PUBLISH_PENDING_MAX)
		return -EBUSY;
	/* All or none: we are the only producer, so free space can only grow meanwhile. */
	for (i = 0; i < pub->n_workers; i++)
		if (rte_ring_free_count(pub->workers[i]->cfg_ring) == 0)
			return -EBUSY;
	snap->generation = ++pub->generation;
	for (i = 0; i < pub->n_workers; i++)
		rte_ring_sp_enqueue(pub->workers[i]->cfg_ring, snap);
	if (pub->current != NULL) {
		pub->retired[pub->n_retired].snap = pub->current;
		pub->retired[pub->n_retired].token = rte_rcu_qsbr_start(pub->qsbr);
		pub->n_retired++;
	}
	pub->current = snap;
	return 0;
}

unsigned int
publish_reclaim(struct publisher *pub)
{
	uint16_t i = 0;

	while (i < pub->n_retired) {
		if (rte_rcu_qsbr_check(pub->qsbr, pub->retired[i].token, false) == 1) {
			snapshot_free(pub->retired[i].snap);
			pub->retired[i] = pub->retired[--pub->n_retired];
		} else {
			i++;
		}
	}
	return pub->n_retired;
}

void
publish_destroy(struct publisher *pub)
{
	while (pub->n_retired > 0)
		snapshot_free(pub->retired[--pub->n_retired].snap);
	snapshot_free(pub->current);
	pub->current = NULL;
}
