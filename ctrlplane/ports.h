/* SPDX-License-Identifier: BSD-3-Clause */
/* Port and worker setup on the main lcore: pools per socket, queues per worker, RSS. */
#ifndef SF_PORTS_H
#define SF_PORTS_H

#include <stdint.h>

#include "ctrlplane/config.h"
#include "dataplane/worker.h"

struct net_env {
	uint16_t n_workers;
	struct worker *workers[SF_MAX_WORKERS];
	struct rte_mempool *pool[RTE_MAX_NUMA_NODES];     /* frames, per socket in use */
	struct rte_mempool *big_pool[RTE_MAX_NUMA_NODES]; /* reassembled datagrams */
	struct rte_mempool *frag_pool[RTE_MAX_NUMA_NODES]; /* fragments held by reassembly */
	struct rte_mempool *rx_pool[SF_MAX_PORTS]; /* big-frame RX pool of a port, NULL = pool[] */
	struct neigh_table *neigh[SF_MAX_PORTS];          /* per configured port */
	bool port_started[SF_MAX_PORTS];
	volatile bool stop;                               /* workers leave their loop */
};

/*
 * Create pools, configure and start every configured port with one RX/TX queue per worker
 * lcore, and build the workers (not yet launched). Returns 0 or a negative errno (logged, with
 * the port or key at fault); on failure call net_env_destroy().
 */
int net_env_create(struct net_env *env, const struct snapshot *snap, const struct sf_runtime *rt,
		   struct rte_rcu_qsbr *qsbr);

/* Stop and close ports, free workers, rings and pools (after the workers returned). */
void net_env_destroy(struct net_env *env);

#endif
