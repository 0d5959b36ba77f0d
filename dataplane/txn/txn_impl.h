/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inside the transaction layer: the server-transaction index (txn_index.c), shared by txn.c and
 * txn_setup.c. Not for users of the layer (txn.h is the API).
 *
 * The index: open addressing with linear probing and backward-shift deletion (no tombstones),
 * power-of-two table at most 3/4 full. An entry is a 64-bit keyed hash of (top Via branch,
 * sent-by host, sent-by port, method class) and the TU's 64-bit handle: 16 bytes. Key 0 means
 * empty (a hash of 0 is stored as 1). Two keys whose 64-bit hashes collide would be taken for
 * one transaction; the hash is keyed per worker at set-up, so a sender cannot aim for that.
 */
#ifndef SF_TXN_IMPL_H
#define SF_TXN_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "dataplane/txn/txn.h"

struct txn_index_entry {
	uint64_t key;     /* 0 = empty */
	uint64_t handle;
};

struct txn_index {
	uint32_t mask;    /* slots - 1 */
	uint32_t limit;   /* live entries at most (capacity asked for) */
	uint32_t used;
	uint32_t pad;
	struct txn_index_entry e[];
};

#define TXN_INDEX_NONE UINT32_MAX

/* Slot of @key, or TXN_INDEX_NONE. */
uint32_t txn_index_find(const struct txn_index *ix, uint64_t key);
/* Insert: the slot, or TXN_INDEX_NONE when full (-ENOSPC) / present (*exists set). */
uint32_t txn_index_insert(struct txn_index *ix, uint64_t key, uint64_t handle, bool *exists);
/* Remove @key if present (backward shift: later entries of its run move up). */
void txn_index_remove(struct txn_index *ix, uint64_t key);
/* Bytes of an index for @capacity live entries. */
size_t txn_index_size(uint32_t capacity);
/* Make an empty index in @mem (txn_index_size(@capacity) bytes). */
void txn_index_init(struct txn_index *ix, uint32_t capacity);
/* The keyed hash of a server transaction's key; never 0. */
uint64_t txn_key(uint64_t seed, struct sf_span branch, struct sf_span host, uint16_t port,
		 uint8_t method);

#endif
