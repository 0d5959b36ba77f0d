/* SPDX-License-Identifier: BSD-3-Clause */
/* Cold code of replay.c: the per-worker table at start and stop (never per packet). */
#include <stdlib.h>

#include "dataplane/auth/replay.h"
#include "dataplane/auth/replay_impl.h"

struct replay_table *
replay_create(uint32_t entries, uint64_t seed)
{
	struct replay_table *t;
	uint32_t cap = 1;

	if (entries == 0 || entries > REPLAY_ENTRIES_MAX)
		return NULL;
	while (cap < entries)
		cap <<= 1;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->slots = calloc(cap, sizeof(*t->slots));
	if (t->slots == NULL) {
		free(t);
		return NULL;
	}
	t->mask = cap - 1;
	t->seed = seed;
	return t;
}

void
replay_destroy(struct replay_table *t)
{
	if (t == NULL)
		return;
	free(t->slots);
	free(t);
}
