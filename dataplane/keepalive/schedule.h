/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NAT keep-alive scheduling for one worker: which of the NAT bindings it owns get a keep-alive
 * now (SS_SIP_NAT_KEEP_ALIVE_PERIOD / _SEND_INTERVAL / _SEND_ONE_TIME, I-30, I-31). Pure C:
 * no DPDK, no clock of its own (the caller passes milliseconds), no allocation after init.
 */
#ifndef SF_KA_SCHEDULE_H
#define SF_KA_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sf_params;

#define KA_SCHED_NIL UINT32_MAX     /* "no binding" */
#define KA_SCHED_ID_MAX 0xfffffffdu /* binding ids are 0..capacity-1 <= this */

/** How a cycle's bindings are placed over its ticks. */
enum ka_sched_mode {
	/*
	 * The seed's walk (I-30): at each cycle start the list is walked from the top and every
	 * tick sends its whole share until the list is done (KA-5: 3,3,3,1 then silence).
	 */
	KA_SCHED_SEED_WALK,
	/*
	 * Beyond the seed: the cycle's bindings are paced evenly over all its ticks (each tick
	 * sends floor or ceil of bindings/ticks, never more than its share), and a new binding
	 * is inserted at a random place in the list, so its phase in the cycle is random.
	 */
	KA_SCHED_SPREAD,
};

/** Keep-alive parameters in scheduler units. */
struct ka_sched_params {
	bool enabled; /* SS_SIP_NAT_KEEP_ALIVE_MESSAGE non-empty */
	enum ka_sched_mode mode;
	uint32_t period_ms;    /* SS_SIP_NAT_KEEP_ALIVE_PERIOD, ms, >= 1 */
	uint32_t interval_ms;  /* SS_SIP_NAT_KEEP_ALIVE_SEND_INTERVAL, ms per tick, >= 1 */
	uint32_t budget;       /* SS_SIP_NAT_KEEP_ALIVE_SEND_ONE_TIME: whole process, per tick */
	uint16_t worker_index; /* this worker, 0..n_workers-1 */
	uint16_t n_workers;    /* workers sharing @budget, >= 1 */
};

/** Counters. Written by the owner lcore only; the control plane reads them relaxed. */
struct ka_sched_stats {
	uint64_t due;              /* binding ids handed out by ka_sched_due() */
	uint64_t cycles;           /* cycles started */
	uint64_t overruns;         /* cycles that ended before every binding was reached */
	uint64_t not_reached;      /* bindings not reached, summed over those cycles (I-30) */
	uint32_t last_not_reached; /* bindings not reached in the last cycle that ended */
	uint32_t max_batch;        /* largest number handed out in one tick */
};

struct ka_sched;

/** Bytes ka_sched_init() needs for @capacity binding ids: 12 per id plus a header. */
size_t ka_sched_size(uint32_t capacity);

/**
 * Build a scheduler in @mem (@len >= ka_sched_size(@capacity), 8-byte aligned; the caller
 * allocates it, e.g. with rte_zmalloc_socket on the worker's socket). Binding ids are
 * 0..@capacity-1. @seed seeds the placement jitter. Starts disabled: nothing is due until
 * ka_sched_set_params() enables it. Returns @mem as a scheduler, or NULL if @len is short.
 */
struct ka_sched *ka_sched_init(void *mem, size_t len, uint32_t capacity, uint64_t seed);

/** ka_sched_size() + ka_sched_init() with calloc; free with ka_sched_free(). Init only. */
struct ka_sched *ka_sched_create(uint32_t capacity, uint64_t seed);
void ka_sched_free(struct ka_sched *s);

/**
 * Fill @out from the global parameters for worker @index of @n_workers. The period is
 * converted to ms; an empty message gives enabled = false.
 */
void ka_sched_params_from(struct ka_sched_params *out, const struct sf_params *p,
			  enum ka_sched_mode mode, uint16_t index, uint16_t n_workers);

/**
 * New parameters. Disabling takes effect at once (nothing more is sent); while a cycle runs,
 * anything else takes effect at the next cycle start and the list, its order and the counters
 * are kept (I-34, KA-13). Returns 0 or -EINVAL (zero period, interval, budget or workers, or
 * index >= n_workers).
 */
int ka_sched_set_params(struct ka_sched *s, const struct ka_sched_params *p);

/**
 * Put NAT binding @id on the schedule. O(1). In SEED_WALK mode it goes to the end of the list
 * (reached this cycle if the walk has not finished); in SPREAD mode to a random place. Either
 * way its first keep-alive comes within two cycles (KA-9; SPREAD: about one).
 * Returns 0, -EINVAL (id >= capacity) or -EEXIST.
 */
int ka_sched_add(struct ka_sched *s, uint32_t id);

/**
 * Take binding @id off the schedule (expired, unregistered, replaced, no longer NAT). O(1);
 * it is never returned by ka_sched_due() again (KA-8). Returns 0 or -ENOENT.
 */
int ka_sched_remove(struct ka_sched *s, uint32_t id);

/** Is @id on the schedule? */
bool ka_sched_has(const struct ka_sched *s, uint32_t id);

/** Bindings on the schedule. */
uint32_t ka_sched_count(const struct ka_sched *s);

/**
 * Advance to @now_ms (a millisecond clock shared by every worker) and write up to @max
 * binding ids that are due into @ids. Call it until it returns less than @max, then again
 * on a later loop iteration; each id returned must be sent once (no retransmission, KA-12).
 * Never hands out more than this worker's share in one tick, and each binding at most once
 * per cycle. O(returned ids) plus O(1).
 */
unsigned int ka_sched_due(struct ka_sched *s, uint64_t now_ms, uint32_t *ids, unsigned int max);

/**
 * This worker's share of the budget in the tick that starts at @tick_start_ms:
 * floor(budget / n) plus one for (budget mod n) workers chosen by rotation with the tick
 * number, so the shares of one tick add up to exactly the budget (KA-16) and no worker is
 * starved when budget < n.
 */
uint32_t ka_sched_share(const struct ka_sched_params *p, uint64_t tick_start_ms);

/** Ticks in one cycle: ceil(period / interval) (I-30). */
uint32_t ka_sched_ticks(const struct ka_sched_params *p);

/**
 * Bindings this worker can always reach in one cycle under the active parameters:
 * ticks * floor(budget / n) + floor(ticks * (budget mod n) / n). More bindings than this
 * means overruns; the caller raises the capacity warning (KA-7).
 */
uint64_t ka_sched_capacity(const struct ka_sched *s);

/** Serial of the running cycle (0 before the first); changes exactly at a cycle start. */
uint64_t ka_sched_cycle(const struct ka_sched *s);

/** The counters. */
const struct ka_sched_stats *ka_sched_stats(const struct ka_sched *s);

#endif
