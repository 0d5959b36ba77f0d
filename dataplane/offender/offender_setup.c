/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cold code of the offender memory (offender.h): the table on the worker's NUMA socket at
 * start, freed at stop. Never on the packet path.
 */
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "dataplane/offender/offender.h"
#include "dataplane/worker.h"

struct offender *
offender_create(uint32_t table_size, int socket, uint32_t seed)
{
	struct offender *o;
	uint32_t n_buckets;

	if (table_size < OFFENDER_TABLE_MIN || table_size > OFFENDER_TABLE_MAX ||
	    !rte_is_power_of_2(table_size))
		return NULL;
	n_buckets = table_size / OFFENDER_WAYS;
	o = rte_zmalloc_socket("sf_offender", sizeof(*o), RTE_CACHE_LINE_SIZE, socket);
	if (o == NULL)
		return NULL;
	o->filter = rte_zmalloc_socket("sf_offender_filter", OFFENDER_FILTER_SLOTS,
				       RTE_CACHE_LINE_SIZE, socket);
	o->buckets = rte_zmalloc_socket("sf_offender_table",
					(size_t)n_buckets * sizeof(struct offender_bucket),
					RTE_CACHE_LINE_SIZE, socket);
	o->authed = rte_zmalloc_socket("sf_offender_authed",
				       OFFENDER_AUTHED_SLOTS * sizeof(struct offender_authed),
				       RTE_CACHE_LINE_SIZE, socket);
	if (o->filter == NULL || o->buckets == NULL || o->authed == NULL) {
		offender_free(o);
		return NULL;
	}
	o->bucket_mask = n_buckets - 1;
	o->seed = seed;
	o->threshold = SF_OFFENDER_THRESHOLD_DEFAULT;
	o->window_ms = SF_OFFENDER_WINDOW_MS_DEFAULT;
	o->remember_ms = SF_OFFENDER_REMEMBER_S_DEFAULT * 1000u;
	return o;
}

void
offender_free(struct offender *o)
{
	if (o == NULL)
		return;
	rte_free(o->filter);
	rte_free(o->buckets);
	rte_free(o->authed);
	rte_free(o);
}

int
offender_worker_init(struct worker *w, uint32_t table_size)
{
	int socket = (int)rte_lcore_to_socket_id(w->lcore_id);

	if (socket < 0)
		socket = SOCKET_ID_ANY;
	w->offender = offender_create(table_size, socket, (uint32_t)rte_rand());
	if (w->offender == NULL)
		return -ENOMEM;
	if (w->tsc_per_ms != 0)
		w->offender->now_ms = (uint32_t)(rte_rdtsc() / w->tsc_per_ms);
	return 0;
}

void
offender_worker_fini(struct worker *w)
{
	offender_free(w->offender);
	w->offender = NULL;
}
