/* SPDX-License-Identifier: BSD-3-Clause */
/* Per-worker counters summed for the control socket, the shutdown report and telemetry. */
#include <pthread.h>
#include <string.h>

#include <rte_telemetry.h>

#include "ctrlplane/stats.h"
#include "dataplane/call/call_ctl.h"
#include "dataplane/sip/scan.h"
#include "dataplane/txn/txn.h"

static const struct net_env *telemetry_env;
static pthread_mutex_t telemetry_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t telemetry_generation;
static json_t *telemetry_params; /* owned copy, under telemetry_lock */

static inline uint64_t
stats_load(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* Visit every counter of worker @w (or the totals when @w is NULL) with its name. */
static void
stats_visit(const struct net_env *env, const struct worker *w,
	    void (*fn)(void *arg, const char *name, uint64_t value), void *arg)
{
	unsigned int i, k;

	for (i = 0; i < VERDICT_MAX; i++) {
		uint64_t v = 0;

		for (k = 0; k < env->n_workers; k++)
			if (w == NULL || env->workers[k] == w)
				v += stats_load(&env->workers[k]->verdicts[i]);
		fn(arg, verdict_names[i], v);
	}
	for (i = 0; i < COUNTER_MAX; i++) {
		uint64_t v = 0;

		for (k = 0; k < env->n_workers; k++)
			if (w == NULL || env->workers[k] == w)
				v += stats_load(&env->workers[k]->counters[i]);
		fn(arg, counter_names[i], v);
	}
	/* The transaction layer's counters (dataplane/txn/txn.h), as "txn_<name>". */
#define X(name)                                                                    \
	do {                                                                       \
		uint64_t v = 0;                                                    \
		for (k = 0; k < env->n_workers; k++)                               \
			if ((w == NULL || env->workers[k] == w) &&                 \
			    env->workers[k]->txn != NULL)                          \
				v += stats_load(&env->workers[k]->txn->stats.name); \
		fn(arg, "txn_" #name, v);                                          \
	} while (0);
	TXN_STATS_LIST(X)
#undef X
}

static void
stats_put_json(void *arg, const char *name, uint64_t value)
{
	json_object_set_new(arg, name, json_integer((json_int_t)value));
}

/* Malformed SIP by scanner reason, summed over workers: {"reason": count} for non-zero ones. */
static json_t *
stats_malformed_json(const struct net_env *env)
{
	json_t *o = json_object();
	unsigned int r;
	uint16_t k;

	for (r = 0; r < SIP_SCAN_STATUS_MAX; r++) {
		uint64_t v = 0;

		for (k = 0; k < env->n_workers; k++)
			v += stats_load(&env->workers[k]->sip_malformed[r]);
		if (v != 0)
			json_object_set_new(o, sip_scan_reason_name((enum sip_scan_status)r),
					    json_integer((json_int_t)v));
	}
	return o;
}

/*
 * The worker's timer wheel (dataplane/timer): pending timers and its counters, lateness in
 * ticks of 1 ms (now - expiry when a timer fired), by bucket (tw_late_bucket()). Read with
 * relaxed loads while the worker writes them: each value is current, the set is not a snapshot.
 */
static json_t *
stats_timers_json(const struct worker *w)
{
	const struct tw_stats *t = &w->wheel.stats;
	json_t *hist = json_array();
	unsigned int b;

	for (b = 0; b < TW_LATE_BUCKETS; b++)
		json_array_append_new(hist, json_integer((json_int_t)stats_load(&t->late_hist[b])));
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:o, s:I, s:I}",
			 "pending", (json_int_t)__atomic_load_n(&w->wheel.pending, __ATOMIC_RELAXED),
			 "started", (json_int_t)stats_load(&t->started),
			 "fired", (json_int_t)stats_load(&t->fired),
			 "cascaded", (json_int_t)stats_load(&t->cascaded),
			 "late_max_ms", (json_int_t)stats_load(&t->late_max),
			 "late_hist", hist,
			 "budget_exhausted", (json_int_t)stats_load(&t->budget_exhausted),
			 "refused", (json_int_t)stats_load(&t->refused));
}

/*
 * The call engine at a glance (issue 13): outcomes since start, the gauges and the table,
 * summed over the workers. The same numbers are the call_* counters of "total"; this groups
 * them under the names calls.list and the docs use. occupancy = setup + active (slots in use),
 * capacity = slots of every worker's table (runtime.calls_per_worker x workers).
 */
static const struct {
	const char *name;
	enum counter c;
} stats_call_keys[] = {
	{ "answered", COUNTER_CALL_ANSWERED },
	{ "4xx", COUNTER_CALL_4XX },
	{ "5xx", COUNTER_CALL_5XX },
	{ "6xx", COUNTER_CALL_6XX },
	{ "timeout", COUNTER_CALL_TIMEOUT },
	{ "cancelled", COUNTER_CALL_CANCELLED },
	{ "rejected_full", COUNTER_CALL_REJECTED_FULL },
	{ "no_ack", COUNTER_CALL_NO_ACK },
	{ "hangups", COUNTER_CALL_HANGUPS },
	{ "duration_capped", COUNTER_CALL_DURATION_CAPPED },
	{ "active", COUNTER_CALL_ACTIVE },
	{ "setup", COUNTER_CALL_SETUP },
};

static void
stats_calls_visit(const struct net_env *env,
		  void (*fn)(void *arg, const char *name, uint64_t value), void *arg)
{
	uint64_t v, cap = 0, occ = 0;
	unsigned int i;
	uint16_t k;

	for (i = 0; i < RTE_DIM(stats_call_keys); i++) {
		v = 0;
		for (k = 0; k < env->n_workers; k++)
			v += stats_load(&env->workers[k]->counters[stats_call_keys[i].c]);
		if (stats_call_keys[i].c == COUNTER_CALL_ACTIVE ||
		    stats_call_keys[i].c == COUNTER_CALL_SETUP)
			occ += v;
		fn(arg, stats_call_keys[i].name, v);
	}
	for (k = 0; k < env->n_workers; k++)
		cap += call_capacity(env->workers[k]);
	fn(arg, "occupancy", occ);
	fn(arg, "capacity", cap);
}

json_t *
stats_json(const struct net_env *env)
{
	json_t *calls = json_object();
	json_t *workers = json_array(), *total = json_object();
	uint16_t k;

	for (k = 0; k < env->n_workers; k++) {
		json_t *c = json_object();

		stats_visit(env, env->workers[k], stats_put_json, c);
		json_array_append_new(workers,
				      json_pack("{s:i, s:i, s:I, s:o, s:o}", "lcore",
						(int)env->workers[k]->lcore_id, "worker", (int)k,
						"generation",
						(json_int_t)stats_load(&env->workers[k]->cfg_generation),
						"counters", c,
						"timers", stats_timers_json(env->workers[k])));
	}
	stats_visit(env, NULL, stats_put_json, total);
	stats_calls_visit(env, stats_put_json, calls);
	return json_pack("{s:o, s:o, s:o, s:o}", "workers", workers, "total", total,
			 "sip_malformed_by_reason", stats_malformed_json(env), "calls", calls);
}

static void
stats_print_one(void *arg, const char *name, uint64_t value)
{
	if (value != 0)
		fprintf(arg, "  %-24s %" PRIu64 "\n", name, value);
}

void
stats_print(const struct net_env *env, FILE *f)
{
	stats_visit(env, NULL, stats_print_one, f);
}

static void
stats_put_telemetry(void *arg, const char *name, uint64_t value)
{
	rte_tel_data_add_dict_u64(arg, name, value);
}

static int
telemetry_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	stats_visit(telemetry_env, NULL, stats_put_telemetry, d);
	return 0;
}

static int
telemetry_calls(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	stats_calls_visit(telemetry_env, stats_put_telemetry, d);
	return 0;
}

static int
telemetry_generation_cb(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&telemetry_lock);
	rte_tel_data_add_dict_u64(d, "generation", telemetry_generation);
	pthread_mutex_unlock(&telemetry_lock);
	return 0;
}

/* Parameter values as strings (telemetry dictionaries hold scalars). */
static int
telemetry_params_cb(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const char *name;
	json_t *v;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&telemetry_lock);
	json_object_foreach(telemetry_params, name, v) {
		char *s = json_is_string(v) ? NULL : json_dumps(v, JSON_ENCODE_ANY);

		rte_tel_data_add_dict_string(d, name, s ? s : json_string_value(v));
		free(s);
	}
	pthread_mutex_unlock(&telemetry_lock);
	return 0;
}

int
stats_telemetry_init(const struct net_env *env)
{
	int rc;

	telemetry_env = env;
	rc = rte_telemetry_register_cmd("/sipfast/stats", telemetry_stats,
					"Counters summed over workers. Takes no parameters");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/sipfast/calls", telemetry_calls,
						"Calls by outcome, gauges, table occupancy and "
						"capacity, summed over workers. Takes no parameters");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/sipfast/generation", telemetry_generation_cb,
						"Generation of the running config snapshot");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/sipfast/params", telemetry_params_cb,
						"Running SS_* parameter values");
	return rc;
}

void
stats_telemetry_update(uint64_t generation, const json_t *params)
{
	json_t *copy = params ? json_deep_copy(params) : NULL;

	pthread_mutex_lock(&telemetry_lock);
	telemetry_generation = generation;
	json_decref(telemetry_params);
	telemetry_params = copy;
	pthread_mutex_unlock(&telemetry_lock);
}
