/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-worker state and the worker loop. One struct per worker lcore, allocated on that lcore's
 * NUMA socket, grouped by who writes it; no cache line is written by two lcores.
 */
#ifndef SF_WORKER_H
#define SF_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ip_frag.h>
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
#define SF_HOLD_MAX 32          /* packets waiting for ARP, per worker */
#define SF_SCRATCH_SIZE 65536   /* one reassembled datagram, linearised */

struct ka_worker;
struct neigh_table;
struct registrar;
struct request_chan;

/* One packet waiting for its next hop's MAC. */
#define SF_FRAG_SOURCES 1024    /* per-source fragment budgets, per worker (hashed) */

/*
 * Fragments admitted from one source address in the current window (net/frag.c). Hashed
 * slots: a colliding source takes the slot over with a fresh count, so a budget is a per-
 * source ceiling, never a shared one.
 */
struct frag_source {
	uint32_t src;     /* network byte order */
	uint32_t window;  /* now / frag_window_cycles when counting began */
	uint32_t count;
};

struct hold_entry {
	struct rte_mbuf *m;      /* IPv4 packet with Ethernet headroom; owned by the queue */
	uint32_t next_hop;       /* network byte order */
	uint16_t port_id;
	uint64_t deadline_tsc;   /* dropped after this */
	uint64_t next_arp_tsc;   /* when to ask again */
};

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
	uint64_t hold_cycles;                   /* TSC cycles a packet may wait for ARP */
	uint64_t arp_retry_cycles;              /* TSC cycles between ARP requests */
	uint64_t rx_limit;                      /* bench: stop after this many frames, 0 = never */
	struct registrar *reg;                  /* registrar state (issue 5), NULL = stub */
	struct ka_worker *ka;                   /* NAT keep-alive (issue 6), NULL = off */
	struct request_chan *req;               /* control requests (request.h), NULL = none */

	/* Touched by this lcore only. */
	const struct snapshot *cfg;             /* swapped only between bursts */
	uint64_t next_drain_tsc;
	uint16_t ip_id;                         /* next IPv4 id: index + k * n_workers */
	struct rte_ip_frag_tbl *frag_tbl;
	struct rte_ip_frag_death_row death_row;
	uint64_t frag_window_cycles;            /* per-source budget window = reassembly timeout */
	uint32_t frag_source_max;               /* fragments one source may have admitted per window */
	struct frag_source frag_src[SF_FRAG_SOURCES]; /* hashed by source address */
	uint16_t n_hold;
	struct hold_entry hold[SF_HOLD_MAX];
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

/* Lcore entry point: @arg is the struct worker. Returns 0 after *w->stop becomes true. */
int worker_main(void *arg);

/*
 * BENCHMARK ONLY (sipfastd --bench-discard, never the default): receive a burst per port and
 * free it, nothing else (no classification, config, QSBR or TX), so a benchmark can measure
 * the PMD's own cost with an empty loop. Stops like worker_main (*w->stop, w->rx_limit).
 */
int worker_discard_main(void *arg);

/*
 * Process one received frame and return its verdict. Takes ownership of @m: the frame is
 * freed, transmitted, held, or steered before this returns. Exposed for tests.
 */
enum verdict worker_classify(struct worker *w, struct rte_mbuf *m, uint16_t port_id);

/* Flush every port's TX buffer now. */
void worker_flush_tx(struct worker *w);

/* Take the newest snapshot from the config ring, if any (called between bursts). */
void worker_take_new_config(struct worker *w);

#endif
