/* SPDX-License-Identifier: BSD-3-Clause */
/* replay.c's private table, shared with replay_setup.c (create/destroy). Not an API. */
#ifndef SF_REPLAY_IMPL_H
#define SF_REPLAY_IMPL_H

#include <stdint.h>

#define REPLAY_PROBE 8

struct replay_entry {
	uint64_t key;       /* keyed hash of nonce and nc; 0 = never used */
	uint32_t expires_s; /* dead from this second on */
	uint32_t txn;       /* request that first used the pair */
};

_Static_assert(sizeof(struct replay_entry) == 16, "replay entry is 16 bytes");

struct replay_table {
	struct replay_entry *slots;
	uint32_t mask;
	uint64_t seed;
};

#endif
