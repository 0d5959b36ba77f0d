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

struct worker;

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

/** Worker loop, every iteration: send what is due at TSC @now. */
void ka_worker_poll(struct worker *w, uint64_t now_tsc);

/** Worker housekeeping tick: mirror the keep-alive counters into w->counters. */
void ka_worker_mirror(struct worker *w);

#endif
