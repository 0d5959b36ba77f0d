/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker loop (DPDK l3fwd shape): take a new config snapshot if one is waiting, receive a
 * burst per port, classify each frame (net, then SIP for datagrams to the SIP port), serve
 * steered packets, poll the modules and the timer wheel, run housekeeping on a TSC deadline,
 * report quiescence. Modules are reached only through loop_modules[]; their set-up and
 * teardown walks are in loop_setup.c. No malloc, lock or syscall here.
 */
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_prefetch.h>

#include "dataplane/loop.h"
#include "dataplane/net/net.h"
#include "dataplane/request.h"
#include "dataplane/sip_input.h"
#include "dataplane/steer.h"

/* Every dataplane module, in the order they are set up, configured, polled and ticked. */
const struct module_ops *const loop_modules[] = {
	&net_module,
	&auth_module,
	&registrar_module,
	&ka_module,
	&txn_module,
	&offender_module,
	&call_module,
};

const unsigned int loop_n_modules = RTE_DIM(loop_modules);

#define LOOP_N_MODULES RTE_DIM(loop_modules) /* a constant here, where the table is */

enum verdict
loop_classify(struct worker *w, struct rte_mbuf *m, uint16_t port_id)
{
	enum verdict v;

	m = eth_input(w, m, port_id, &v);
	return m == NULL ? v : sip_input(w, m); /* net hands SIP datagrams up to here */
}

void
loop_take_new_config(struct worker *w)
{
	void *newest = NULL, *p;
	unsigned int i;

	/*
	 * Drain the ring and keep only the newest: an older snapshot may already be reclaimed
	 * once we report quiescence, so it must never be dereferenced (see ctrlplane/publish.c).
	 */
	while (rte_ring_sc_dequeue(w->cfg_ring, &p) == 0)
		newest = p;
	if (newest == NULL)
		return;
	w->cfg = newest;
	__atomic_store_n(&w->cfg_generation, w->cfg->generation, __ATOMIC_RELAXED);
	worker_count(w, COUNTER_CONFIG_SWAPS, 1);
	for (i = 0; i < LOOP_N_MODULES; i++)
		if (loop_modules[i]->config_changed != NULL)
			loop_modules[i]->config_changed(w);
}

/* Receive and classify one burst from @p; returns the number of frames. */
static inline uint16_t
loop_rx_port(struct worker *w, const struct worker_port *p)
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
		w->verdicts[loop_classify(w, pkts[i], p->port_id)]++; /* owns pkts[i] */
	}
	return n;
}

/* Every module's poll, every loop iteration. */
static inline void
loop_poll(struct worker *w, uint64_t now)
{
	unsigned int i;

	for (i = 0; i < LOOP_N_MODULES; i++)
		if (loop_modules[i]->poll != NULL)
			loop_modules[i]->poll(w, now);
}

/* Work that runs when the TX deadline passes (about every 100 µs), not per burst. */
static void
loop_housekeeping(struct worker *w, uint64_t now)
{
	unsigned int i;

	worker_flush_tx(w);
	for (i = 0; i < LOOP_N_MODULES; i++)
		if (loop_modules[i]->housekeeping != NULL)
			loop_modules[i]->housekeeping(w, now);
	request_serve(w->req); /* control requests, each run by the module that registered it */
	w->next_drain_tsc = now + w->tx_drain_cycles;
}

/* The loop has ended: flush what is queued, then every module's stop, reverse order. */
static void
loop_stop(struct worker *w)
{
	unsigned int i;

	worker_drop_flush(w);
	w->drop_batched = false; /* from here on a drop is freed at once */
	worker_flush_tx(w);
	for (i = LOOP_N_MODULES; i-- > 0;)
		if (loop_modules[i]->stop != NULL)
			loop_modules[i]->stop(w);
}

void
loop_timers(struct worker *w, uint64_t now_tsc)
{
	/*
	 * Polled on every pass, also when nothing is pending (issue 13, INV-1 failed live: the loop
	 * skipped an idle wheel, whose clock then stood at the last pending timer, and a
	 * transaction armed from it fired at once). An empty wheel returns at once, its clock moved
	 * on (tw_poll()'s fast path); the cost is one division per pass.
	 */
	tw_poll(&w->wheel, now_tsc / w->tsc_per_ms, SF_TIMER_BUDGET);
}

int
loop_main(void *arg)
{
	struct worker *w = arg;
	uint16_t i;

	rte_rcu_qsbr_thread_register(w->qsbr, w->lcore_id);
	rte_rcu_qsbr_thread_online(w->qsbr, w->lcore_id);
	loop_take_new_config(w);
	w->drop_batched = true; /* worker_drop(): freed once a pass, below */
	while (!__atomic_load_n(w->stop, __ATOMIC_RELAXED)) {
		uint64_t now;

		loop_take_new_config(w);
		/* Paid-for hand-offs wait for a full ring: take no new frames until they left. */
		if (likely(!steer_backlogged(w)))
			for (i = 0; i < SF_MAX_PORTS; i++)
				if (w->ports[i].txb != NULL)
					loop_rx_port(w, &w->ports[i]);
		if (w->n_workers > 1)
			steer_drain(w);
		worker_drop_flush(w);
		now = rte_rdtsc();
		loop_poll(w, now);
		loop_timers(w, now);
		if (now >= w->next_drain_tsc)
			loop_housekeeping(w, now);
		rte_rcu_qsbr_quiescent(w->qsbr, w->lcore_id);
		if (unlikely(w->rx_limit != 0 && w->counters[COUNTER_RX_PACKETS] >= w->rx_limit))
			break;
	}
	loop_stop(w);
	rte_rcu_qsbr_thread_offline(w->qsbr, w->lcore_id);
	rte_rcu_qsbr_thread_unregister(w->qsbr, w->lcore_id);
	return 0;
}
