/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NAT keep-alive wiring for one worker (see ka_worker.h). Binding ids are the location
 * shard's dense slot indexes: a NAT binding joins the schedule when its slot is linked and
 * leaves it when the slot is unlinked (expiry, Expires: 0, replaced, account removed: KA-8).
 * A refresh in place changes nothing, and nothing here touches an expiry (KA-10).
 * Packet path; init/fini are in ka_worker_setup.c, the bench-only TSC accounting in
 * ka_worker_bench.c.
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>

#include "dataplane/keepalive/ka_tx.h"
#include "dataplane/keepalive/ka_worker.h"
#include "dataplane/keepalive/ka_worker_impl.h"
#include "dataplane/keepalive/schedule.h"
#include "dataplane/registrar/location.h"
#include "dataplane/registrar/registrar.h"
#include "dataplane/worker.h"

/* ka_tx lookup: where binding slot @id's keep-alive goes, false once it is no NAT binding. */
bool
ka_worker_lookup(void *ctx, uint32_t id, struct ka_tx_dst *dst)
{
	const struct worker *w = ctx;
	const struct location_binding *b = location_at(w->reg->loc, id);

	if (b == NULL || !b->nat)
		return false;
	dst->src_ip = b->local_ip;
	dst->src_port = b->local_port;
	dst->dst_ip = b->src_ip;
	dst->dst_port = b->src_port;
	dst->port_id = b->in_port;
	return true;
}

/* Location event (owner lcore): slot @idx linked (@linked) or unlinked. */
void
ka_worker_binding_event(void *arg, uint32_t idx, const struct location_binding *b, bool linked)
{
	struct ka_worker *ka = arg;

	if (linked && b->nat) {
		ka_sched_add(ka->sched, idx);
		ka->gate.next_poll_tsc = 0; /* it may be due in this very tick */
	} else if (!linked) {
		ka_sched_remove(ka->sched, idx); /* -ENOENT for non-NAT: nothing to do */
	}
}

void
ka_worker_configure(struct worker *w)
{
	struct ka_worker *ka = w->ka;
	uint16_t p;

	if (ka == NULL || w->cfg == NULL)
		return;
	for (p = 0; p < SF_MAX_PORTS; p++)
		if (w->ports[p].txb != NULL)
			ka_tx_set_port(ka->tx, p, w->ports[p].queue, &w->ports[p].mac,
				       w->ports[p].neigh, w->cfg->ifaces[p].gateway);
	/*
	 * The config validator already bounds every KA parameter; -EINVAL keeps the old ones.
	 * Mode and parameters take effect at the next cycle start; the list is kept (KA-13).
	 */
	ka->gate.next_poll_tsc = 0; /* look at the new parameters at the next poll */
	ka_tx_configure(ka->tx, ka->sched, &w->cfg->params,
			w->cfg->ka_spread_even ? KA_SCHED_SPREAD : KA_SCHED_SEED_WALK, w->index,
			w->n_workers);
}

void
ka_worker_poll_due(struct worker *w, uint64_t now_tsc)
{
	struct ka_worker *ka = w->ka;
	uint64_t now_ms = now_tsc / ka->tsc_per_ms;
	unsigned int sent;

	/*
	 * The scheduler's clock is in ms: once a poll left nothing due, nothing new is due
	 * before the next ms, so the gate keeps the other loop iterations of this ms out (and
	 * they are not accounted in bench mode: an rdtsc would cost more than they do).
	 */
	sent = ka_tx_poll(ka->tx, ka->sched, now_ms);
	ka->gate.next_poll_tsc = ka_tx_more(ka->tx) ? 0 : (now_ms + 1) * ka->tsc_per_ms;
	if (unlikely(ka->bench))
		ka_worker_bench_account(&ka->b, now_tsc, sent);
}

void
ka_worker_report(const struct worker *w, struct ka_worker_report *r)
{
	const struct ka_worker *ka = w->ka;
	const struct ka_sched_stats *st;
	const uint64_t *c;
	unsigned int i;

	memset(r, 0, sizeof(*r));
	if (ka == NULL)
		return;
	c = ka_tx_counters(ka->tx);
	st = ka_sched_stats(ka->sched);
	r->sent = c[KA_TX_SENT];
	for (i = 0; i < KA_TX_COUNTER_MAX; i++)
		if (i != KA_TX_SENT && i != KA_TX_TX_DEFERRED)
			r->skipped += c[i];
	r->cycles = st->cycles;
	r->overruns = st->overruns;
	r->bindings = ka_sched_count(ka->sched);
	r->max_batch = st->max_batch;
	ka_worker_bench_report(&ka->b, r);
}

void
ka_worker_mirror(struct worker *w)
{
	const struct ka_sched_stats *st;
	const uint64_t *c;

	if (w->ka == NULL)
		return;
	c = ka_tx_counters(w->ka->tx);
	st = ka_sched_stats(w->ka->sched);
	__atomic_store_n(&w->counters[COUNTER_KA_SENT], c[KA_TX_SENT], __ATOMIC_RELAXED);
	__atomic_store_n(&w->counters[COUNTER_KA_SKIPPED_NO_NEIGHBOUR],
			 c[KA_TX_SKIPPED_NO_NEIGHBOUR], __ATOMIC_RELAXED);
	__atomic_store_n(&w->counters[COUNTER_KA_SKIPPED_OTHER],
			 c[KA_TX_SKIPPED_NO_ROUTE] + c[KA_TX_SKIPPED_GONE] +
				 c[KA_TX_SKIPPED_NO_PORT] + c[KA_TX_NO_MBUF] + c[KA_TX_TX_DROPPED],
			 __ATOMIC_RELAXED);
	__atomic_store_n(&w->counters[COUNTER_KA_OVERRUNS], st->overruns, __ATOMIC_RELAXED);
	__atomic_store_n(&w->counters[COUNTER_KA_NOT_REACHED], st->not_reached, __ATOMIC_RELAXED);
	__atomic_store_n(&w->counters[COUNTER_KA_BINDINGS], ka_sched_count(w->ka->sched),
			 __ATOMIC_RELAXED);
}
