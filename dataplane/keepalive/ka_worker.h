/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NAT keep-alive wiring for one worker (issue 6): the scheduler (schedule.c) and the template
 * transmit side (ka_tx.c) of a worker, fed by its location shard's link/unlink events and
 * driven from the worker loop. Mode from the snapshot (config "keepalive": {"spread"}):
 * KA_SCHED_SEED_WALK, the seed's bursts (KA-5/KA-6, default), or KA_SCHED_SPREAD ("even").
 */
#ifndef SF_KA_WORKER_H
#define SF_KA_WORKER_H

#include <stdint.h>

#include "dataplane/worker.h"

/*
 * The first member of the (private) struct ka_worker: what the worker loop reads inline
 * before calling in. Nothing can be due before @next_poll_tsc (the next ms of the scheduler's
 * clock once a poll left nothing due; 0 = ask at the next poll).
 */
struct ka_worker_gate {
	uint64_t next_poll_tsc;
};

/**
 * Init, before launch, after registrar_worker_init(): scheduler for @capacity binding slots
 * (the location shard's) and the transmit side on the worker's socket; subscribes to the
 * shard's link/unlink events. Sets w->ka. 0 or -errno (logged by the caller).
 */
int ka_worker_init(struct worker *w, uint32_t capacity);

/** Shutdown, after the workers stopped; no-op when w->ka is NULL. */
void ka_worker_fini(struct worker *w);

/** Worker lcore, after taking snapshot w->cfg: ports, gateway and KA parameters. */
void ka_worker_configure(struct worker *w);

/** ka_worker_poll() past the gate (w->ka != NULL): ask the scheduler, send what is due. */
void ka_worker_poll_due(struct worker *w, uint64_t now_tsc);

/**
 * Worker loop, every iteration: send what is due at TSC @now_tsc. While nothing is due this
 * is one load and one compare until the next millisecond (the scheduler's clock unit).
 */
static inline void
ka_worker_poll(struct worker *w, uint64_t now_tsc)
{
	const struct ka_worker_gate *g = (const struct ka_worker_gate *)w->ka;

	if (g != NULL && now_tsc >= g->next_poll_tsc)
		ka_worker_poll_due(w, now_tsc);
}

/** Worker housekeeping tick: mirror the keep-alive counters into w->counters. */
void ka_worker_mirror(struct worker *w);

/*
 * Benchmark only (sipfastd --bench-ka-bindings, scripts/bench_keepalive.sh): TSC accounting
 * of ka_worker_poll() when it asks the scheduler. Off by default; when off those polls (at
 * most one per ms unless sending) pay one predictable branch.
 */
struct ka_worker_report {
	uint64_t sent;          /* keep-alives rte_eth_tx_burst accepted */
	uint64_t skipped;       /* ids handed out but not sent (no neighbour, gone, no mbuf...) */
	uint64_t cycles;        /* scheduler cycles started */
	uint64_t overruns;      /* cycles that ended before the list did */
	uint32_t bindings;      /* NAT bindings on the schedule */
	uint32_t max_batch;     /* largest number of ids handed out in one tick */
	uint64_t loop_tsc;      /* TSC from the first accounted poll to the last */
	uint64_t poll_tsc;      /* TSC inside the polls that asked the scheduler (see polls) */
	uint64_t busy_tsc;      /* TSC inside the polls that sent at least one frame */
	uint64_t polls;         /* polls that asked the scheduler: at most one per ms while
				 * nothing is due, others return after one compare */
	uint64_t busy_polls;    /* of which sent at least one frame */
	uint64_t max_poll_tsc;  /* longest single poll */
	uint64_t max_burst_tsc; /* longest run of consecutive sending polls, first start to last end */
};

/** Init, before launch: turn the TSC accounting on for @w (bench only). */
void ka_worker_bench_enable(struct worker *w);

/** After the workers stopped: counters and (when enabled) TSC accounting of @w. */
void ka_worker_report(const struct worker *w, struct ka_worker_report *r);

#endif
