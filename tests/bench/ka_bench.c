/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Keep-alive scheduler bench: N NAT bindings (default 1,000,000) on one worker, 30 s period,
 * 500 ms interval, a worker loop calling ka_sched_due() every simulated millisecond into a
 * no-op sender, for two cycles. Prints keep-alives, the largest batch, overruns and ns per
 * keep-alive. For instructions per keep-alive run it under callgrind with
 *   valgrind --tool=callgrind --toggle-collect=bench_cycles ./ka_bench spread 20000
 * and divide the Ir total by the keep-alives printed.
 * Usage: ka_bench [seed|spread] [SEND_ONE_TIME] [bindings]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dataplane/keepalive/schedule.h"

#define BENCH_BURST 32

static volatile uint64_t bench_sink; /* the no-op sender */

/* Two cycles of the worker loop: one due() pass per simulated millisecond. */
__attribute__((noinline)) static uint64_t
bench_cycles(struct ka_sched *s, uint64_t t0, uint64_t t1)
{
	uint32_t ids[BENCH_BURST];
	uint64_t t, total = 0, acc = 0;
	unsigned int n, i;

	for (t = t0; t < t1; t++) {
		do {
			n = ka_sched_due(s, t, ids, BENCH_BURST);
			for (i = 0; i < n; i++)
				acc += ids[i];
			total += n;
		} while (n == BENCH_BURST);
	}
	bench_sink = acc;
	return total;
}

static double
bench_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct ka_sched_params p = {.enabled = true,
				    .mode = KA_SCHED_SPREAD,
				    .period_ms = 30000,
				    .interval_ms = 500,
				    .budget = 20000,
				    .n_workers = 1};
	uint32_t n_bindings = 1000000, i;
	const struct ka_sched_stats *st;
	struct ka_sched *s;
	double t_add, t_run;
	uint64_t sent;

	if (argc > 1 && strcmp(argv[1], "seed") == 0)
		p.mode = KA_SCHED_SEED_WALK;
	if (argc > 2)
		p.budget = (uint32_t)strtoul(argv[2], NULL, 10);
	if (argc > 3)
		n_bindings = (uint32_t)strtoul(argv[3], NULL, 10);
	s = ka_sched_create(n_bindings, 12345);
	if (s == NULL || ka_sched_set_params(s, &p) != 0) {
		fprintf(stderr, "ka_bench: bad parameters\n");
		return 1;
	}
	t_add = bench_now_s();
	for (i = 0; i < n_bindings; i++)
		ka_sched_add(s, i);
	t_add = bench_now_s() - t_add;
	t_run = bench_now_s();
	sent = bench_cycles(s, 0, 2 * (uint64_t)p.period_ms);
	t_run = bench_now_s() - t_run;
	st = ka_sched_stats(s);
	printf("mode=%s bindings=%u period_ms=%u interval_ms=%u budget=%u\n",
	       p.mode == KA_SCHED_SPREAD ? "spread" : "seed", n_bindings, p.period_ms,
	       p.interval_ms, p.budget);
	printf("keepalives=%llu (2 cycles) max_batch=%u cycles=%llu overruns=%llu "
	       "not_reached=%llu capacity=%llu\n",
	       (unsigned long long)sent, st->max_batch, (unsigned long long)st->cycles,
	       (unsigned long long)st->overruns, (unsigned long long)st->not_reached,
	       (unsigned long long)ka_sched_capacity(s));
	printf("schedule memory=%zu bytes (%.1f per binding); add=%.1f ns/binding; "
	       "due=%.2f ns/keepalive incl. %u empty polls\n",
	       ka_sched_size(n_bindings), (double)ka_sched_size(n_bindings) / n_bindings,
	       t_add * 1e9 / n_bindings, sent ? t_run * 1e9 / (double)sent : 0.0, 2 * p.period_ms);
	ka_sched_free(s);
	return 0;
}
