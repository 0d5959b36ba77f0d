/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The transaction layer's entry in the module table (dataplane/module.h), before the call
 * module: makes w->txn (server index sized from env->txn_index_capacity) and registers
 * TW_KIND_TXN on the worker's wheel. Users register their callbacks with txn_set_ops() in
 * their own worker_init, which runs after this one.
 */
#include <errno.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_random.h>

#include "dataplane/module.h"
#include "dataplane/txn/txn.h"
#include "dataplane/worker.h"

static int
txn_module_init(struct worker *w, const struct module_env *env)
{
	uint32_t cap = env->txn_index_capacity != 0 ? env->txn_index_capacity
						    : TXN_DEFAULT_INDEX_CAPACITY;
	uint64_t seed = rte_rand() ^ rte_rdtsc();

	w->txn = txn_worker_create(cap, seed != 0 ? seed : 1,
				   (int)rte_lcore_to_socket_id(w->lcore_id));
	if (w->txn == NULL)
		return -ENOMEM;
	return tw_set_handler(&w->wheel, TW_KIND_TXN, txn_timer_fired, w);
}

static void
txn_module_stop(struct worker *w)
{
	RTE_SET_USED(w); /* the users stop their transactions (they own them) */
}

static void
txn_module_fini(struct worker *w)
{
	txn_worker_free(w->txn);
	w->txn = NULL;
}

const struct module_ops txn_module = {
	.name = "txn",
	.worker_init = txn_module_init,
	.stop = txn_module_stop,
	.fini = txn_module_fini,
};
