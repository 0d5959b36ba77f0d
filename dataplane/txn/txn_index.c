/* SPDX-License-Identifier: BSD-3-Clause */
/* The server-transaction index (txn_impl.h): linear probing, backward-shift deletion. */
#include <string.h>

#include "dataplane/txn/txn_impl.h"

static uint64_t
txn_hash_bytes(uint64_t h, struct sf_span s)
{
	const uint8_t *p = s.p;
	uint32_t n = s.len;
	uint64_t v;

	h = sf_mix64(h ^ (0x9e3779b97f4a7c15ULL * (n + 1)));
	while (n >= 8) {
		memcpy(&v, p, 8);
		h = sf_mix64(h ^ v) + 0x9e3779b97f4a7c15ULL;
		p += 8;
		n -= 8;
	}
	if (n > 0) {
		v = 0;
		memcpy(&v, p, n);
		h = sf_mix64(h ^ v ^ ((uint64_t)n << 56));
	}
	return h;
}

uint64_t
txn_key(uint64_t seed, struct sf_span branch, struct sf_span host, uint16_t port, uint8_t method)
{
	uint64_t h = txn_hash_bytes(seed, branch);

	h = txn_hash_bytes(h, host);
	h = sf_mix64(h ^ ((uint64_t)port << 8 | method));
	return h != 0 ? h : 1;
}

uint32_t
txn_index_find(const struct txn_index *ix, uint64_t key)
{
	uint32_t i = (uint32_t)key & ix->mask;

	while (ix->e[i].key != 0) {
		if (ix->e[i].key == key)
			return i;
		i = (i + 1) & ix->mask;
	}
	return TXN_INDEX_NONE;
}

uint32_t
txn_index_insert(struct txn_index *ix, uint64_t key, uint64_t handle, bool *exists)
{
	uint32_t i = (uint32_t)key & ix->mask;

	*exists = false;
	while (ix->e[i].key != 0) {
		if (ix->e[i].key == key) {
			*exists = true;
			return TXN_INDEX_NONE;
		}
		i = (i + 1) & ix->mask;
	}
	if (ix->used >= ix->limit)
		return TXN_INDEX_NONE;
	ix->e[i].key = key;
	ix->e[i].handle = handle;
	ix->used++;
	return i;
}

void
txn_index_remove(struct txn_index *ix, uint64_t key)
{
	uint32_t i = txn_index_find(ix, key), j, home;

	if (i == TXN_INDEX_NONE)
		return;
	/* Backward shift: move up every later entry of the run whose home is not in (i, j]. */
	j = i;
	for (;;) {
		j = (j + 1) & ix->mask;
		if (ix->e[j].key == 0)
			break;
		home = (uint32_t)ix->e[j].key & ix->mask;
		/* Skip j when its home lies cyclically in (i, j]: it cannot move to i. */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		ix->e[i] = ix->e[j];
		i = j;
	}
	ix->e[i].key = 0;
	ix->e[i].handle = 0;
	ix->used--;
}

size_t
txn_index_size(uint32_t capacity)
{
	uint64_t slots = 16;

	/* At most 3/4 full: slots >= capacity * 4 / 3. */
	while (slots * 3 < (uint64_t)capacity * 4)
		slots <<= 1;
	return sizeof(struct txn_index) + slots * sizeof(struct txn_index_entry);
}

void
txn_index_init(struct txn_index *ix, uint32_t capacity)
{
	size_t n = (txn_index_size(capacity) - sizeof(struct txn_index)) /
		   sizeof(struct txn_index_entry);

	memset(ix, 0, txn_index_size(capacity));
	ix->mask = (uint32_t)n - 1;
	ix->limit = capacity;
	ix->used = 0;
}
