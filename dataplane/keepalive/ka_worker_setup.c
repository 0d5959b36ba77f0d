/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NAT keep-alive of one worker: init on the worker's socket before launch, and shutdown after
 * the workers stopped (control plane; cold by name).
 */
#include <errno.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "dataplane/keepalive/ka_tx.h"
#include "dataplane/keepalive/ka_worker.h"
#include "dataplane/keepalive/ka_worker_impl.h"
#include "dataplane/keepalive/schedule.h"
#include "dataplane/registrar/location.h"
#include "dataplane/registrar/registrar.h"
#include "dataplane/worker.h"

int
ka_worker_init(struct worker *w, uint32_t capacity)
{
	int socket = (int)rte_lcore_to_socket_id(w->lcore_id);
	size_t len = ka_sched_size(capacity);
	struct ka_worker *ka;
	void *mem;

	if (w->reg == NULL || w->reg->loc == NULL)
		return -EINVAL;
	ka = rte_zmalloc_socket("sf_ka", sizeof(*ka), RTE_CACHE_LINE_SIZE, socket);
	mem = rte_zmalloc_socket("sf_ka_sched", len, RTE_CACHE_LINE_SIZE, socket);
	if (ka == NULL || mem == NULL)
		goto out_free;
	ka->sched = ka_sched_init(mem, len, capacity, rte_rdtsc() ^ w->index);
	ka->tx = ka_tx_create(w->pool, ka_worker_lookup, w, socket);
	if (ka->sched == NULL || ka->tx == NULL)
		goto out_free;
	ka->tsc_per_ms = RTE_MAX(rte_get_tsc_hz() / 1000, (uint64_t)1);
	w->ka = ka;
	location_set_notify(w->reg->loc, ka_worker_binding_event, ka);
	return 0;
out_free:
	if (ka != NULL)
		ka_tx_free(ka->tx);
	rte_free(mem);
	rte_free(ka);
	return -ENOMEM;
}

void
ka_worker_fini(struct worker *w)
{
	struct ka_worker *ka = w->ka;

	if (ka == NULL)
		return;
	if (w->reg != NULL && w->reg->loc != NULL)
		location_set_notify(w->reg->loc, NULL, NULL);
	ka_tx_free(ka->tx);
	rte_free(ka->sched); /* ka_sched_init() built it in place */
	rte_free(ka);
	w->ka = NULL;
}
