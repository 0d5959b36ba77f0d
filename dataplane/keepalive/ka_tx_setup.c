/* SPDX-License-Identifier: BSD-3-Clause */
/* Creating and freeing a worker's keep-alive transmit side (init and shutdown; cold by name). */
#include <rte_malloc.h>

#include "dataplane/keepalive/ka_tx.h"
#include "dataplane/keepalive/ka_tx_impl.h"

struct ka_tx *
ka_tx_create(struct rte_mempool *pool, ka_tx_lookup_fn lookup, void *ctx, int socket_id)
{
	struct ka_tx *tx;

	if (pool == NULL || lookup == NULL ||
	    rte_pktmbuf_data_room_size(pool) < RTE_PKTMBUF_HEADROOM + KA_FRAME_MAX)
		return NULL;
	tx = rte_zmalloc_socket("ka_tx", sizeof(*tx), RTE_CACHE_LINE_SIZE, socket_id);
	if (tx == NULL)
		return NULL;
	tx->pool = pool;
	tx->lookup = lookup;
	tx->ctx = ctx;
	tx->ip_id_step = 1;
	return tx;
}

void
ka_tx_free(struct ka_tx *tx)
{
	if (tx == NULL)
		return;
	rte_pktmbuf_free_bulk(tx->stash, tx->n_stash);
	rte_free(tx);
}
