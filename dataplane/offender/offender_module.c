/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The offender memory's entry in the module table (dataplane/module.h): the table at start
 * (runtime offender table_size, env->offender_table_size), its settings at every snapshot,
 * the clock, the expiry sweep and the counters' mirror at every housekeeping tick, and
 * offenders.clear on the worker's request ring.
 */
#include <errno.h>

#include "dataplane/module.h"
#include "dataplane/offender/offender.h"
#include "dataplane/request.h"
#include "dataplane/worker.h"

/* REQUEST_OFFENDERS_CLEAR: args[0] != 0 to match one source, args[1] its IPv4 (net order). */
static int
offender_req_clear(void *ctx, const struct request_msg *req, struct request_resp *resp)
{
	struct worker *w = ctx;

	if (w->offender == NULL)
		return -ENODEV;
	resp->result[0] = offender_clear(w->offender, req->args[0] != 0, (uint32_t)req->args[1]);
	return 0;
}

static int
offender_module_init(struct worker *w, const struct module_env *env)
{
	int rc = offender_worker_init(w, env->offender_table_size != 0
					       ? env->offender_table_size
					       : SF_OFFENDER_TABLE_SIZE_DEFAULT);

	if (rc == 0 && w->req != NULL)
		rc = request_register(w->req, REQUEST_OFFENDERS_CLEAR, offender_req_clear, w);
	return rc;
}

/* The clock (once per tick, never per packet), the sweep, the counters for stats.get. */
static void
offender_module_housekeeping(struct worker *w, uint64_t now_tsc)
{
	struct offender *o = w->offender;

	if (o == NULL)
		return;
	__atomic_store_n(&o->now_ms, (uint32_t)(now_tsc / w->tsc_per_ms), __ATOMIC_RELAXED);
	offender_sweep(o, OFFENDER_SWEEP_BUCKETS);
	__atomic_store_n(&w->counters[COUNTER_OFFENDER_REMEMBERED], o->n_remembered,
			 __ATOMIC_RELAXED);
	__atomic_store_n(&w->counters[COUNTER_OFFENDER_REMEMBERED_TOTAL],
			 o->stats.remembered_total, __ATOMIC_RELAXED);
	__atomic_store_n(&w->counters[COUNTER_OFFENDER_EXPIRED], o->stats.expired,
			 __ATOMIC_RELAXED);
	__atomic_store_n(&w->counters[COUNTER_OFFENDER_TABLE_FULL], o->stats.table_full,
			 __ATOMIC_RELAXED);
	__atomic_store_n(&w->counters[COUNTER_OFFENDER_EXEMPT], o->stats.exempt,
			 __ATOMIC_RELAXED);
	__atomic_store_n(&w->counters[COUNTER_OFFENDER_CLEARED], o->stats.cleared,
			 __ATOMIC_RELAXED);
}

const struct module_ops offender_module = {
	.name = "offender",
	.worker_init = offender_module_init,
	.config_changed = offender_config_changed,
	.housekeeping = offender_module_housekeeping,
	.fini = offender_worker_fini,
};
