/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker loop (DPDK l3fwd shape): take a new config snapshot if one is waiting, receive a
 * burst per port, classify each frame, serve steered packets, ARP holds and reassembly
 * timeouts, flush TX on a TSC deadline, report quiescence. No malloc, lock or syscall here.
 */
#include <assert.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_prefetch.h>

#include "dataplane/keepalive/ka_worker.h"
#include "dataplane/net/net.h"
#include "dataplane/registrar/registrar.h"
#include "dataplane/steer.h"
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

enum verdict
worker_classify(struct worker *w, struct rte_mbuf *m, uint16_t port_id)
{
	return eth_input(w, m, port_id);
}

void
worker_take_new_config(struct worker *w)
{
	void *newest = NULL, *p;

	/*
	 * Drain the ring and keep only the newest: an older snapshot may already be reclaimed
	 * once we report quiescence, so it must never be dereferenced (see ctrlplane/publish.c).
	 */
	while (rte_ring_sc_dequeue(w->cfg_ring, &p) == 0)
		newest = p;
	if (newest != NULL) {
		w->cfg = newest;
		__atomic_store_n(&w->cfg_generation, w->cfg->generation, __ATOMIC_RELAXED);
		worker_count(w, COUNTER_CONFIG_SWAPS, 1);
		ka_worker_configure(w); /* issue 6: KA parameters apply at the next cycle */
	}
}

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

/* Receive and classify one burst from @p; returns the number of frames. */
static inline uint16_t
worker_rx_port(struct worker *w, const struct worker_port *p)
{
	struct rte_mbuf *pkts[SF_BURST];
	uint16_t n, i;

	n = rte_eth_rx_burst(p->port_id, p->queue, pkts, SF_BURST);
	worker_count(w, COUNTER_RX_PACKETS, n);
	for (i = 0; i < n && i < SF_PREFETCH; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (i = 0; i < n; i++) {
		if (i + SF_PREFETCH < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + SF_PREFETCH], void *));
		w->verdicts[worker_classify(w, pkts[i], p->port_id)]++; /* owns pkts[i] */
	}
	/*
	 * The death row holds what reassembly refused; it has no bounds check of its own and
	 * takes at most one burst's worth, so it is emptied after every burst.
	 */
	rte_ip_frag_free_death_row(&w->death_row, SF_PREFETCH);
	return n;
}

/* Work that runs when the TX deadline passes (about every 100 µs), not per burst. */
static void
worker_housekeeping(struct worker *w, uint64_t now)
{
	worker_flush_tx(w);
	if (w->n_hold > 0)
		hold_service(w, now);
	rte_ip_frag_table_del_expired_entries(w->frag_tbl, &w->death_row, now);
	rte_ip_frag_free_death_row(&w->death_row, SF_PREFETCH);
	registrar_housekeeping(w); /* issue 5: binding expiry, lockout sweep, clears */
	ka_worker_mirror(w);       /* issue 6: keep-alive counters for stats.get */
	w->next_drain_tsc = now + w->tx_drain_cycles;
}

int
worker_main(void *arg)
{
	struct worker *w = arg;
	uint16_t i;

	rte_rcu_qsbr_thread_register(w->qsbr, w->lcore_id);
	rte_rcu_qsbr_thread_online(w->qsbr, w->lcore_id);
	worker_take_new_config(w);
	while (!__atomic_load_n(w->stop, __ATOMIC_RELAXED)) {
		uint64_t now;

		worker_take_new_config(w);
		/* Paid-for hand-offs wait for a full ring: take no new frames until they left. */
		if (likely(!steer_backlogged(w)))
			for (i = 0; i < SF_MAX_PORTS; i++)
				if (w->ports[i].txb != NULL)
					worker_rx_port(w, &w->ports[i]);
		if (w->n_workers > 1)
			steer_drain(w);
		now = rte_rdtsc();
		ka_worker_poll(w, now); /* issue 6: NAT keep-alives due now */
		if (tw_count(&w->wheel) != 0 || tw_backlog(&w->wheel))
			tw_poll(&w->wheel, now / w->tsc_per_ms, SF_TIMER_BUDGET);
		if (now >= w->next_drain_tsc)
			worker_housekeeping(w, now);
		rte_rcu_qsbr_quiescent(w->qsbr, w->lcore_id);
		if (unlikely(w->rx_limit != 0 && w->counters[COUNTER_RX_PACKETS] >= w->rx_limit))
			break;
	}
	worker_flush_tx(w);
	hold_flush(w);
	rte_rcu_qsbr_thread_offline(w->qsbr, w->lcore_id);
	rte_rcu_qsbr_thread_unregister(w->qsbr, w->lcore_id);
	return 0;
}

int
worker_discard_main(void *arg)
{
	struct worker *w = arg;
	struct rte_mbuf *pkts[SF_BURST];
	uint16_t i, n;

	/* BENCHMARK ONLY (sipfastd --bench-discard): the PMD's own cost, an empty loop. */
	while (!__atomic_load_n(w->stop, __ATOMIC_RELAXED)) {
		for (i = 0; i < SF_MAX_PORTS; i++) {
			if (w->ports[i].txb == NULL)
				continue;
			n = rte_eth_rx_burst(w->ports[i].port_id, w->ports[i].queue, pkts,
					     SF_BURST);
			worker_count(w, COUNTER_RX_PACKETS, n);
			rte_pktmbuf_free_bulk(pkts, n);
		}
		if (unlikely(w->rx_limit != 0 && w->counters[COUNTER_RX_PACKETS] >= w->rx_limit))
			break;
	}
	return 0;
}
