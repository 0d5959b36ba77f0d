/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Benchmark only (sipfastd --bench-ka-bindings, scripts/bench_keepalive.sh): TSC accounting
 * of the keep-alive polls that ask the scheduler. The packet path pays one predictable branch
 * on ka->bench while it is off; the accounting itself lives here, out of ka_worker.c, in its
 * own function call so it never grows the hot loop. Listed cold in scripts/check-forbidden.sh.
 */
#include <stdbool.h>

#include <rte_cycles.h>

#include "dataplane/keepalive/ka_worker.h"
#include "dataplane/keepalive/ka_worker_impl.h"

void
ka_worker_bench_account(struct ka_worker_bench *b, uint64_t t0, unsigned int sent)
{
	uint64_t t1 = rte_rdtsc(), d = t1 - t0;

	if (b->polls == 0)
		b->first_tsc = t0;
	b->last_tsc = t1;
	b->polls++;
	b->poll_tsc += d;
	if (d > b->max_poll_tsc)
		b->max_poll_tsc = d;
	if (sent > 0) {
		b->busy_polls++;
		b->busy_tsc += d;
		if (b->burst_start_tsc == 0)
			b->burst_start_tsc = t0;
		if (t1 - b->burst_start_tsc > b->max_burst_tsc)
			b->max_burst_tsc = t1 - b->burst_start_tsc;
	} else {
		b->burst_start_tsc = 0;
	}
}

void
ka_worker_bench_enable(struct worker *w)
{
	if (w->ka != NULL)
		w->ka->bench = true;
}

void
ka_worker_bench_report(const struct ka_worker_bench *b, struct ka_worker_report *r)
{
	r->loop_tsc = b->last_tsc - b->first_tsc;
	r->poll_tsc = b->poll_tsc;
	r->busy_tsc = b->busy_tsc;
	r->polls = b->polls;
	r->busy_polls = b->busy_polls;
	r->max_poll_tsc = b->max_poll_tsc;
	r->max_burst_tsc = b->max_burst_tsc;
}
