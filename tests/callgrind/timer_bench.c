/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Timing-wheel bench (dataplane/timer): restart one timer among 1,000,000 pending. Owners are
 * 64-byte structs with the 24-byte node inside, as a call or binding would hold it; each
 * restart moves a random owner to a random delay of 1 ms .. 1 h (every level). Prints ns per
 * restart (wall clock) and per poll-and-fire; for instructions run it under callgrind with
 * --toggle-collect='restart_loop*' and divide by RESTARTS (tests/callgrind/README.md).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "dataplane/timer/timer_wheel.h"

#define PENDING 1000000u
#define RESTARTS 1000000u

struct owner {
	uint64_t payload[5];
	struct tw_node node;
};

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static inline uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void
on_fire(struct tw_wheel *w, struct tw_node *n, uint64_t now, void *arg)
{
	(void)arg;
	tw_start(w, n, 0, now + 1 + rnd() % 3600000); /* keep 1M pending */
}

static double
ns_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Indices and delays drawn before the timed loop, so it measures the wheel only. */
__attribute__((noinline)) static void
restart_loop(struct tw_wheel *w, struct owner *o, const uint32_t *idx, const uint32_t *delay)
{
	uint32_t i;

	for (i = 0; i < RESTARTS; i++)
		tw_restart(w, &o[idx[i]].node, w->now + delay[i]);
}

__attribute__((noinline)) static uint64_t
poll_loop(struct tw_wheel *w, uint64_t now, unsigned int ms)
{
	uint64_t fired = 0;
	unsigned int t;

	for (t = 1; t <= ms; t++)
		fired += (uint64_t)tw_poll(w, now + t, 1u << 20);
	return fired;
}

int
main(void)
{
	struct tw_wheel *w = calloc(1, sizeof(*w));
	struct owner *o = calloc(PENDING, sizeof(*o));
	uint32_t *idx = malloc(RESTARTS * sizeof(*idx)), *delay = malloc(RESTARTS * sizeof(*delay));
	double t0, t1;
	uint64_t fired;
	uint32_t i;

	if (w == NULL || o == NULL || idx == NULL || delay == NULL)
		return 1;
	tw_init(w, 1000);
	tw_set_handler(w, 0, on_fire, NULL);
	for (i = 0; i < PENDING; i++)
		tw_start(w, &o[i].node, 0, w->now + 1 + rnd() % 3600000);
	for (i = 0; i < RESTARTS; i++) {
		idx[i] = (uint32_t)(rnd() % PENDING);
		delay[i] = 1 + (uint32_t)(rnd() % 3600000);
	}
	t0 = ns_now();
	restart_loop(w, o, idx, delay);
	t1 = ns_now();
	printf("restart among %u pending: %.1f ns\n", tw_count(w), (t1 - t0) / RESTARTS);
	t0 = ns_now();
	fired = poll_loop(w, w->now, 10000);
	t1 = ns_now();
	printf("10 s of 1 ms polls: %llu fired (each restarted), %.1f ns per fire incl. cascades "
	       "(%llu nodes cascaded), max lateness %llu ms\n", (unsigned long long)fired,
	       fired ? (t1 - t0) / (double)fired : 0.0, (unsigned long long)w->stats.cascaded,
	       (unsigned long long)w->stats.late_max);
	printf("node %zu B, wheel %zu B\n", sizeof(struct tw_node), sizeof(*w));
	free(idx);
	free(delay);
	free(o);
	free(w);
	return 0;
}
