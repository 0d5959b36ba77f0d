/* SPDX-License-Identifier: BSD-3-Clause */
/* BENCHMARK ONLY: the empty worker loop of sipfastd --bench-discard (never the default). */
#ifndef SF_BENCH_DISCARD_H
#define SF_BENCH_DISCARD_H

/*
 * Lcore entry point, @arg the struct worker: receive a burst per port and free it, nothing
 * else (no classification, config, QSBR, modules or TX), so a benchmark can measure the PMD's
 * own cost with an empty loop. Stops like loop_main (*w->stop, w->rx_limit). Returns 0.
 */
int bench_discard_main(void *arg);

#endif
