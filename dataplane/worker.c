/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What every room may do with a struct worker: the verdict and counter names, the wheel's
 * start, the TX flush. The loop that drives a worker is loop.c (the top room).
 */
#include <assert.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "dataplane/worker.h"

static_assert(TW_KIND_COUNT <= TW_KINDS, "timer kinds exceed the wheel's handler table");

const char *const verdict_names[VERDICT_MAX] = {
#define X(name, text) [VERDICT_##name] = text,
	VERDICT_LIST(X)
#undef X
};

const char *const counter_names[COUNTER_MAX] = {
#define X(name, text) [COUNTER_##name] = text,
	COUNTER_LIST(X)
#undef X
};

void
worker_timers_init(struct worker *w)
{
	w->tsc_per_ms = rte_get_tsc_hz() / 1000;
	tw_init(&w->wheel, worker_now_ms(w));
}

void
worker_flush_tx(struct worker *w)
{
	uint16_t i;

	for (i = 0; i < SF_MAX_PORTS; i++)
		if (w->ports[i].txb != NULL)
			rte_eth_tx_buffer_flush(i, w->ports[i].queue, w->ports[i].txb);
}
