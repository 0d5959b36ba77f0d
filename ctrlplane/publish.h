/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Snapshot publication: hand a new immutable snapshot to every worker through its SP/SC config
 * ring, and free the previous one once rte_rcu_qsbr shows every worker has moved past it.
 * Main lcore only; never blocks on a worker.
 */
#ifndef SF_PUBLISH_H
#define SF_PUBLISH_H

#include <stdint.h>

#include <rte_rcu_qsbr.h>

#include "dataplane/snapshot.h"
#include "dataplane/worker.h"

#define PUBLISH_PENDING_MAX 16 /* retired snapshots awaiting reclaim */

struct publisher {
	struct rte_rcu_qsbr *qsbr;
	struct worker *const *workers;
	uint16_t n_workers;
	uint64_t generation;            /* of the newest published snapshot */
	struct snapshot *current;       /* newest published snapshot (owned) */
	uint16_t n_retired;
	struct {
		struct snapshot *snap;      /* owned until reclaimed */
		uint64_t token;             /* QSBR token taken after it was replaced */
	} retired[PUBLISH_PENDING_MAX];
};

void publish_init(struct publisher *pub, struct rte_rcu_qsbr *qsbr,
		  struct worker *const *workers, uint16_t n_workers);

/*
 * Publish @snap (allocated with malloc, owned by the publisher from now on when this succeeds):
 * sets its generation and enqueues it on every worker's ring, all or none. Returns 0, or
 * -EBUSY when a worker has not taken earlier updates (then @snap stays the caller's).
 */
int publish_snapshot(struct publisher *pub, struct snapshot *snap);

/* Free retired snapshots no worker can still see. Returns how many remain pending. */
unsigned int publish_reclaim(struct publisher *pub);

/* Wait for every worker to stop, then free everything (shutdown). */
void publish_destroy(struct publisher *pub);

#endif
