/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * REGISTER replay guard: 16-byte slots, linear probing inside a window of REPLAY_PROBE
 * slots from the key's home (one or two cache lines). An entry is dead once its expiry
 * passed; dead slots are reused in place, so no sweep is needed and no live pair is ever
 * dropped (a dropped pair would make its nonce replayable again).
 */
#include <string.h>

#include "dataplane/auth/replay.h"
#include "dataplane/auth/replay_impl.h"


uint32_t
replay_txn(struct sf_span via_branch, uint32_t cseq, uint16_t src_port)
{
	uint64_t h = sf_fnv1a64(SF_FNV1A64_OFFSET, via_branch.p, via_branch.len);

	h = sf_mix64(h ^ ((uint64_t)cseq << 16) ^ src_port);
	return (uint32_t)(h ^ h >> 32);
}

static inline int
replay_live(const struct replay_entry *e, uint32_t now)
{
	return e->key != 0 && (int32_t)(e->expires_s - now) > 0;
}

enum replay_result
replay_check(struct replay_table *t, struct sf_span nonce, uint32_t nc, uint32_t txn,
	     uint32_t now, uint32_t expires_s)
{
	uint64_t key = sf_mix64(sf_fnv1a64(t->seed, nonce.p, nonce.len) ^ nc);
	struct replay_entry *free_slot = NULL;
	uint32_t i;

	if (key == 0)
		key = 1;
	for (i = 0; i < REPLAY_PROBE; i++) {
		struct replay_entry *e = &t->slots[(uint32_t)(key + i) & t->mask];

		if (!replay_live(e, now)) {
			if (free_slot == NULL)
				free_slot = e;
			continue;
		}
		if (e->key == key)
			return e->txn == txn ? REPLAY_RETRANS : REPLAY_REUSED;
	}
	if (free_slot == NULL)
		return REPLAY_FULL;
	free_slot->key = key;
	free_slot->expires_s = expires_s;
	free_slot->txn = txn;
	return REPLAY_NEW;
}

uint32_t
replay_count(const struct replay_table *t, uint32_t now)
{
	uint32_t i, n = 0;

	for (i = 0; i <= t->mask; i++)
		n += (uint32_t)replay_live(&t->slots[i], now);
	return n;
}
