/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NAT keep-alive's entry in the module table (dataplane/module.h); it only points at
 * ka_worker.c's existing functions. Comes after the registrar in the table: its scheduler is
 * sized to the worker's location shard and subscribes to its link/unlink events.
 */
#include <errno.h>

#include "dataplane/keepalive/ka_worker.h"
#include "dataplane/module.h"
#include "dataplane/registrar/location.h"
#include "dataplane/registrar/registrar.h"
#include "dataplane/worker.h"

static int
ka_module_init(struct worker *w, const struct module_env *env)
{
	RTE_SET_USED(env);
	if (w->reg == NULL || w->reg->loc == NULL)
		return -EINVAL;
	return ka_worker_init(w, location_capacity(w->reg->loc));
}

/* Every loop pass: keep-alives due now (one load and compare while nothing is). */
static void
ka_module_poll(struct worker *w, uint64_t now_tsc)
{
	ka_worker_poll(w, now_tsc);
}

/* Housekeeping tick: keep-alive counters into w->counters for stats.get. */
static void
ka_module_housekeeping(struct worker *w, uint64_t now_tsc)
{
	RTE_SET_USED(now_tsc);
	ka_worker_mirror(w);
}

const struct module_ops ka_module = {
	.name = "keepalive",
	.worker_init = ka_module_init,
	.config_changed = ka_worker_configure, /* KA parameters apply at the next cycle */
	.poll = ka_module_poll,
	.housekeeping = ka_module_housekeeping,
	.fini = ka_worker_fini,
};
