/* SPDX-License-Identifier: BSD-3-Clause */
/* Transaction layer set-up and teardown (control plane, before launch / after stop). */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>

#include "dataplane/txn/txn_impl.h"

struct txn_worker *
txn_worker_create(uint32_t index_capacity, uint64_t seed, int socket)
{
	struct txn_worker *tw;

	if (index_capacity == 0 || index_capacity > (1u << 28))
		return NULL;
	tw = rte_zmalloc_socket("txn_worker", sizeof(*tw), RTE_CACHE_LINE_SIZE, socket);
	if (tw == NULL)
		return NULL;
	tw->index = rte_zmalloc_socket("txn_index", txn_index_size(index_capacity),
				       RTE_CACHE_LINE_SIZE, socket);
	if (tw->index == NULL) {
		rte_free(tw);
		return NULL;
	}
	txn_index_init(tw->index, index_capacity);
	tw->hash_seed = seed;
	return tw;
}

void
txn_worker_free(struct txn_worker *tw)
{
	if (tw == NULL)
		return;
	rte_free(tw->index);
	rte_free(tw);
}

int
txn_set_ops(struct txn_worker *tw, enum txn_user_kind kind, const struct txn_ops *ops)
{
	if (tw == NULL || (unsigned int)kind >= TXN_USER_KINDS || ops == NULL)
		return -EINVAL;
	tw->ops[kind] = *ops;
	return 0;
}
