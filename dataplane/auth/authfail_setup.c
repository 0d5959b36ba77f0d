/* SPDX-License-Identifier: BSD-3-Clause */
/* Cold code of authfail.c: the per-worker table at start and stop (never per packet). */
#include <stdlib.h>
#include <string.h>

#include "dataplane/auth/authfail.h"
#include "dataplane/auth/authfail_impl.h"

struct authfail_table *
authfail_create(const struct authfail_config *cfg, uint64_t seed)
{
	struct authfail_table *tbl;
	uint32_t cap = AF_PROBE;

	if (cfg->capacity == 0 || cfg->capacity > AF_CAPACITY_MAX)
		return NULL;
	if (!authfail_ip_ceiling_ok(cfg->ip_max_fail, cfg->ip_window_s, cfg->ip_suspend_s))
		return NULL;
	while (cap < cfg->capacity)
		cap <<= 1;
	tbl = calloc(1, sizeof(*tbl));
	if (tbl == NULL)
		return NULL;
	tbl->slots = aligned_alloc(64, (size_t)cap * sizeof(struct af_entry));
	if (tbl->slots == NULL) {
		free(tbl);
		return NULL;
	}
	memset(tbl->slots, 0, (size_t)cap * sizeof(struct af_entry));
	tbl->mask = cap - 1;
	tbl->seed = seed;
	tbl->cfg = *cfg;
	tbl->cfg.capacity = cap;
	if (tbl->cfg.idle_s == 0)
		tbl->cfg.idle_s = AF_IDLE_DEFAULT_S;
	return tbl;
}

void
authfail_destroy(struct authfail_table *tbl)
{
	if (tbl == NULL)
		return;
	free(tbl->slots);
	free(tbl);
}
