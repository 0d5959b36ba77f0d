/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to dataplane/keepalive/: struct ka_worker and what its three files share: the
 * packet path (ka_worker.c), init/fini (ka_worker_setup.c) and the bench-only TSC accounting
 * (ka_worker_bench.c).
 */
#ifndef SF_KA_WORKER_IMPL_H
#define SF_KA_WORKER_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/keepalive/ka_tx.h"
#include "dataplane/keepalive/ka_worker.h"
#include "dataplane/keepalive/schedule.h"
#include "dataplane/registrar/location.h"

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

/* ka_tx lookup (ctx: the worker): where binding slot @id's keep-alive goes, false once it is
 * no NAT binding. */
bool ka_worker_lookup(void *ctx, uint32_t id, struct ka_tx_dst *dst);

/* Location event (owner lcore, arg: the struct ka_worker): slot @idx linked or unlinked. */
void ka_worker_binding_event(void *arg, uint32_t idx, const struct location_binding *b,
			     bool linked);

/* Bench only (ka_worker_bench.c): account one poll that started at @t0 and sent @sent frames. */
void ka_worker_bench_account(struct ka_worker_bench *b, uint64_t t0, unsigned int sent);

/* Bench only (ka_worker_bench.c): the TSC accounting part of ka_worker_report(). */
void ka_worker_bench_report(const struct ka_worker_bench *b, struct ka_worker_report *r);

#endif
