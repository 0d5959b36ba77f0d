/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A scheduler on the heap (tests, benches and tools; workers build theirs in place with
 * ka_sched_init() on their socket's memory). Cold by name.
 */
#include <stdlib.h>

#include "dataplane/keepalive/schedule.h"

struct ka_sched *
ka_sched_create(uint32_t capacity, uint64_t seed)
{
	size_t len = ka_sched_size(capacity);
	void *mem = calloc(1, len);
	struct ka_sched *s = ka_sched_init(mem, len, capacity, seed);

	if (s == NULL)
		free(mem);
	return s;
}

void
ka_sched_free(struct ka_sched *s)
{
	free(s);
}
