/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-worker state: one struct per worker lcore, allocated on that lcore's NUMA socket, grouped
 * by who writes it; no cache line is written by two lcores. The bottom room of the dataplane:
 * it includes no module header (modules keep their state behind the w->net, w->reg, w->ka
 * pointers); the loop that drives it is the top room, loop.c.
 */
#ifndef SF_WORKER_H
#define SF_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "dataplane/policy/reply_budget.h"
#include "dataplane/sip/msg.h"
#include "dataplane/sip/scan.h"
#include "dataplane/snapshot.h"
#include "dataplane/timer/timer_kinds.h"
#include "dataplane/timer/timer_wheel.h"
#include "dataplane/verdict.h"

#define SF_MAX_WORKERS 32
#define SF_BURST 32
#define SF_PREFETCH 3
#define SF_DROP_BATCH 64 /* dropped frames freed together (struct worker drop[]) */
#define SF_SCRATCH_SIZE 65536   /* one reassembled datagram, linearised */

struct auth;
struct call_engine;
struct ka_worker;
struct neigh_table;
struct offender;
struct net_worker;
struct registrar;
struct request_chan;
struct txn_worker;

struct worker_port {
	uint16_t port_id;
	uint16_t queue;                     /* this worker's RX and TX queue on the port */
	bool tx_cksum_offload;              /* port computes IPv4 + UDP checksums */
	bool rx_cksum_offload;              /* port reports checksum status in ol_flags */
	struct rte_ether_addr mac;
	struct rte_eth_dev_tx_buffer *txb;  /* buffered TX, flushed when full or on deadline */
	struct neigh_table *neigh;          /* shared by all workers, lock-free */
};

struct worker {
	/* Set before launch, read-only afterwards. */
	unsigned int lcore_id;
	uint16_t index;                         /* 0..n_workers-1 */
	uint16_t n_workers;
	uint16_t n_ports;
	struct worker_port ports[SF_MAX_PORTS]; /* by DPDK port id; ports[i].txb NULL if absent */
	struct rte_ring *cfg_ring;              /* ctrlplane -> this lcore, SP/SC */
	struct rte_ring *steer_out[SF_MAX_WORKERS]; /* this lcore -> worker j, SP/SC */
	struct rte_ring *steer_in[SF_MAX_WORKERS];  /* worker j -> this lcore, SP/SC */
	struct rte_mempool *pool;               /* frames we originate, this socket */
	struct rte_mempool *big_pool;           /* linearised reassembled datagrams */
	struct rte_mempool *frag_pool;          /* fragments are copied here before reassembly,
						 * so the tables never hold an RX or reply mbuf */
	struct rte_rcu_qsbr *qsbr;              /* thread id = lcore id */
	volatile bool *stop;                    /* set by ctrlplane at shutdown */
	uint64_t tx_drain_cycles;               /* TSC cycles between forced TX flushes */
	uint64_t rx_limit;                      /* bench: stop after this many frames, 0 = never */
	/* Module state, made by each module's worker_init (dataplane/module.h), NULL = absent. */
	struct net_worker *net;                 /* net/net_worker.h: reassembly, ARP hold, ip_id */
	struct auth *auth;                      /* auth/auth.h: digest auth, any method */
	struct registrar *reg;                  /* registrar/registrar.h */
	struct ka_worker *ka;                   /* keepalive/ka_worker.h, NULL = off */
	struct call_engine *call;               /* call/call_impl.h: the call table, NULL = off */
	struct request_chan *req;               /* control requests (request.h), NULL = none */
	struct txn_worker *txn;                 /* txn/txn.h: SIP transactions */
	struct offender *offender;              /* offender/offender.h: L3 memory, NULL = absent */

	/* Touched by this lcore only. */
	const struct snapshot *cfg;             /* swapped only between bursts */
	/*
	 * Frames dropped on the receive path (worker_drop()) wait here and go back to their pools
	 * in one bulk put per loop pass (worker_drop_free()), only when drop_batched: loop_main() sets
	 * it; set up without the loop (unit tests, fuzz and callgrind harnesses) a drop is freed
	 * at once, so their pool counts hold after every call.
	 */
	bool drop_batched;
	uint16_t n_drop;
	struct rte_mbuf *drop[SF_DROP_BATCH];
	uint64_t next_drain_tsc;
	uint64_t tsc_per_ms;                    /* the wheel's tick: 1 ms of TSC */
	/* This lcore's timers (dataplane/timer): 1 ms ticks on the TSC, polled every loop. */
	struct tw_wheel wheel __rte_cache_aligned;

	/* Written by this lcore, read with relaxed loads by ctrlplane. */
	uint64_t verdicts[VERDICT_MAX] __rte_cache_aligned;
	uint64_t cfg_generation;                /* generation of the snapshot in use */
	uint64_t counters[COUNTER_MAX];

	/*
	 * SIP path (sip_input.c and the modules it calls). The malformed-reason counters are
	 * written by this lcore and read with relaxed loads by ctrlplane (GEN-4); the libosip2
	 * arena is this lcore's only (sip/msg.c), zeroed memory is an empty arena.
	 */
	uint64_t sip_malformed[SIP_SCAN_STATUS_MAX] __rte_cache_aligned; /* by sip_scan status */
	struct msg_arena msg_arena __rte_cache_aligned;
	/* Replies to sources not yet authenticated, per source IP (sip_reply_send(), 64 KiB). */
	struct reply_budget reply_budget __rte_cache_aligned;
} __rte_cache_aligned;

/* Count an event; only the owning lcore calls this. */
static inline void
worker_count(struct worker *w, enum counter c, uint64_t n)
{
	w->counters[c] += n;
}

void worker_drop_free(struct worker *w);

/* Give the frames worker_drop() held back to their pools (the loop calls it once a pass). */
static inline void
worker_drop_flush(struct worker *w)
{
	if (w->n_drop != 0)
		worker_drop_free(w);
}

/*
 * Drop @m on the receive path: the caller counted it (a verdict) and never touches it again.
 * Freed with the rest of the pass in one bulk put (worker_drop_free()): a flood frame freed
 * on its own cost 64 instructions (rte_pktmbuf_free(): the per-lcore cache found again each
 * time; callgrind, flood_unknown).
 */
static inline void
worker_drop(struct worker *w, struct rte_mbuf *m)
{
	if (unlikely(!w->drop_batched)) {
		rte_pktmbuf_free(m);
		return;
	}
	w->drop[w->n_drop++] = m;
	if (unlikely(w->n_drop == SF_DROP_BATCH))
		worker_drop_flush(w);
}

/*
 * Timer work per loop iteration, in wheel units (dataplane/timer/timer_wheel.h): a backlog
 * spreads over iterations and shows up as lateness in w->wheel.stats.
 */
#define SF_TIMER_BUDGET 64

/* The wheel's clock on a worker: TSC in ms. Tests poll the wheel with their own clock. */
static inline uint64_t
worker_now_ms(const struct worker *w)
{
	return rte_rdtsc() / w->tsc_per_ms;
}

/* Start @w's wheel at the current TSC ms (ctrlplane and fixtures, before launch). */
void worker_timers_init(struct worker *w);

/* Flush every port's TX buffer now. */
void worker_flush_tx(struct worker *w);

#endif
