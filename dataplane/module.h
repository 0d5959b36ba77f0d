/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The module seam: one table of entry points per dataplane module (net, auth, registrar, keepalive;
 * next the call engine and the outbound-registration UA). The worker loop (loop.c) and the
 * control plane (ctrlplane/main.c) walk the table of all modules, loop_modules[] in loop.c, in
 * its order (fini and stop in reverse); a NULL entry is skipped. No module is named in the loop.
 * Each module's entry lives in a small <module>_module.c in its own folder.
 */
#ifndef SF_MODULE_H
#define SF_MODULE_H

#include <stdbool.h>
#include <stdint.h>

struct worker;
struct auth_shared;
struct registrar_shared;

/*
 * What the control plane hands every module's worker_init: start-up sizing (runtime.* keys,
 * fixed at start) and the objects shared by all workers, made before the walk. A module reads
 * only its own fields.
 */
struct module_env {
	/* net */
	uint32_t frag_max_flows;    /* runtime.frag_max_flows: reassembly table entries */
	uint32_t frag_timeout_ms;   /* runtime.frag_timeout_ms */
	uint32_t frag_source_max;   /* runtime.frag_source_max */
	uint32_t arp_hold_ms;       /* runtime.arp_hold_ms */
	uint32_t arp_retry_ms;      /* NET_ARP_RETRY_MS (tests: their own) */
	/* auth */
	struct auth_shared *auth;   /* nonce keys, table sizes (ctl_registrar_start()) */
	/* registrar, keepalive */
	struct registrar_shared *registrar; /* keys and shard table (ctl_registrar_start()) */
	uint32_t location_capacity; /* binding slots per worker shard */
	/* txn */
	uint32_t txn_index_capacity; /* server transactions per worker (0 = TXN_DEFAULT_INDEX_CAPACITY);
					 the call layer sizes it from runtime.calls_per_worker */
	/* offender */
	uint32_t offender_table_size; /* offender.table_size (fixed at start); 0 = default */
	/* call engine */
	uint32_t calls_per_worker;  /* runtime.calls_per_worker: call slots (0 = the default) */
	/*
	 * BENCHMARK ONLY (--bench-fixed-tokens): seed the call engine's token entropy with 0
	 * (sip_token_entropy() returns 0), so every token it mints is predictable from owner,
	 * slot, generation and sub (scripts/bench_calls.py). Never in production.
	 */
	bool bench_fixed_tokens;
};

struct module_ops {
	const char *name;
	/*
	 * Before launch, on the control-plane thread: make the module's per-worker state on the
	 * worker's socket, register its timer kinds on w->wheel. 0 or -errno (the caller logs
	 * the module's name). Runs after the modules before it in the table.
	 */
	int (*worker_init)(struct worker *w, const struct module_env *env);
	/* On the worker, right after it took a new snapshot (w->cfg). */
	void (*config_changed)(struct worker *w);
	/* On the worker, every loop iteration, after the RX bursts; @now_tsc = rte_rdtsc(). */
	void (*poll)(struct worker *w, uint64_t now_tsc);
	/* On the worker, every housekeeping tick (runtime.tx_drain_us, ~100 us), after TX flush. */
	void (*housekeeping)(struct worker *w, uint64_t now_tsc);
	/* On the worker, when its loop ends (before it goes offline); reverse table order. */
	void (*stop)(struct worker *w);
	/*
	 * After the workers stopped, on the control plane; reverse table order. Must accept a
	 * worker whose worker_init never ran or failed (start-up failure).
	 */
	void (*fini)(struct worker *w);
};

/* The modules (each defined in its folder's *_module.c), in loop order. */
extern const struct module_ops net_module;       /* net/net_module.c */
extern const struct module_ops auth_module;      /* auth/auth_module.c */
extern const struct module_ops registrar_module; /* registrar/registrar_module.c */
extern const struct module_ops ka_module;        /* keepalive/ka_module.c */
extern const struct module_ops txn_module;       /* txn/txn_module.c */
extern const struct module_ops offender_module;  /* offender/offender_module.c */
extern const struct module_ops call_module;      /* call/call_setup.c */

#endif
