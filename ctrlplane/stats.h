/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Counters: sums of every worker's verdicts and event counters (relaxed loads of lines only the
 * worker writes), as JSON for the control socket and rte_telemetry (/sipfast/...).
 */
#ifndef SF_STATS_H
#define SF_STATS_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "ctrlplane/ports.h"

/*
 * {"workers": [{"lcore", "worker", "generation", "counters": {...}}, ...], "total": {...},
 *  "sip_malformed_by_reason": {"reason": n}}; new reference.
 */
json_t *stats_json(const struct net_env *env);

/* Print the non-zero totals, one "name value" per line (shutdown report). */
void stats_print(const struct net_env *env, FILE *f);

/*
 * Register /sipfast/stats, /sipfast/generation and /sipfast/params with rte_telemetry.
 * Telemetry calls back on its own thread; it reads counters directly and the rest from
 * what stats_telemetry_update() last stored.
 */
int stats_telemetry_init(const struct net_env *env);

/* Store the generation and parameter values telemetry shows (main lcore, after a publish). */
void stats_telemetry_update(uint64_t generation, const json_t *params);

#endif
