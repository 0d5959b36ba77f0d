/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NAT keep-alive wiring for one worker (see ka_worker.h). Binding ids are the location
 * shard's dense slot indexes: a NAT binding joins the schedule when its slot is linked and
 * leaves it when the slot is unlinked (expiry, Expires: 0, replaced, account removed: KA-8).
 * A refresh in place changes nothing, and nothing here touches an expiry (KA-10).
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_malloc.h>

#include "dataplane/keepalive/ka_tx.h"
#include "dataplane/keepalive/ka_worker.h"
#include "dataplane/keepalive/schedule.h"
#include "dataplane/registrar/location.h"
#include "dataplane/registrar/registrar.h"
#include "dataplane/worker.h"

/* Bench-only TSC accounting of ka_worker_poll_due() (ka_worker_bench_enable). */
struct ka_worker_bench {
	uint64_t first_tsc, last_tsc; /* start of the first accounted poll, end of the last */
	uint64_t poll_tsc, busy_tsc;  /* TSC in all polls / in polls that sent */
	uint64_t polls, busy_polls;
	uint64_t max_poll_tsc;
	uint64_t burst_start_tsc; /* start of the running run of sending polls, 0 = none */
	uint64_t max_burst_tsc;
};

struct ka_worker {
	struct ka_worker_gate gate; /* first: read inline by ka_worker_poll() */
	struct ka_sched *sched;
	struct ka_tx *tx;
	uint64_t tsc_per_ms;
	bool bench; /* TSC accounting on (bench only) */
	struct ka_worker_bench b;
};

/* ka_tx lookup: where binding slot @id's keep-alive goes, false once it is no NAT binding. */
static bool
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
static void
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

int
ka_worker_init(struct worker *w, uint32_t capacity)
{
	int socket = (int)rte_lcore_to_socket_id(w->lcore_id);
	size_t len = ka_sched_size(capacity);
	struct ka_worker *ka;
	void *mem;

	if (w->reg == NULL || w->reg->loc == NULL)
		return -EINVAL;
	ka = rte_zmalloc_socket("sf_ka", sizeof(*ka), RTE_CACHE_LINE_SIZE, socket); /* cold: init */
	mem = rte_zmalloc_socket("sf_ka_sched", len, RTE_CACHE_LINE_SIZE, socket); /* cold: init */
	if (ka == NULL || mem == NULL)
		goto out_free;
	ka->sched = ka_sched_init(mem, len, capacity, rte_rdtsc() ^ w->index);
	ka->tx = ka_tx_create(w->pool, ka_worker_lookup, w, socket);
	if (ka->sched == NULL || ka->tx == NULL)
		goto out_free;
	ka->tsc_per_ms = RTE_MAX(rte_get_tsc_hz() / 1000, (uint64_t)1);
	w->ka = ka;
	location_set_notify(w->reg->loc, ka_worker_binding_event, ka);
	return 0;
out_free:
	if (ka != NULL)
		ka_tx_free(ka->tx);
	rte_free(mem); /* cold: init failure */
	rte_free(ka);  /* cold: init failure */
	return -ENOMEM;
}

void
ka_worker_fini(struct worker *w)
{
	struct ka_worker *ka = w->ka;

	if (ka == NULL)
		return;
	if (w->reg != NULL && w->reg->loc != NULL)
		location_set_notify(w->reg->loc, NULL, NULL);
	ka_tx_free(ka->tx);
	rte_free(ka->sched); /* cold: shutdown; ka_sched_init() built it in place */
	rte_free(ka);        /* cold: shutdown */
	w->ka = NULL;
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

/* Bench only: account one poll that started at @t0 and sent @sent frames. */
static void __rte_noinline
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
ka_worker_bench_enable(struct worker *w)
{
	if (w->ka != NULL)
		w->ka->bench = true;
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
	r->loop_tsc = ka->b.last_tsc - ka->b.first_tsc;
	r->poll_tsc = ka->b.poll_tsc;
	r->busy_tsc = ka->b.busy_tsc;
	r->polls = ka->b.polls;
	r->busy_polls = ka->b.busy_polls;
	r->max_poll_tsc = ka->b.max_poll_tsc;
	r->max_burst_tsc = ka->b.max_burst_tsc;
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
