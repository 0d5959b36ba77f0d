/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The registrar's entry in the module table (dataplane/module.h); it only points at
 * registrar.c's existing functions. The shared state (keys, shard table) is made by the control
 * plane before the walk and passed in env->registrar.
 */
#include "dataplane/module.h"
#include "dataplane/registrar/registrar.h"
#include "dataplane/registrar/registrar_requests.h"
#include "dataplane/worker.h"

static int
registrar_module_init(struct worker *w, const struct module_env *env)
{
	int rc = registrar_worker_init(w, env->registrar, env->location_capacity);

	/* suspended.clear, registrations.clear on this worker's request ring (request.h) */
	return rc == 0 ? registrar_requests_register(w) : rc;
}

/* Expiry counts, the removed-account sweep, the lockout sweep. */
static void
registrar_module_housekeeping(struct worker *w, uint64_t now_tsc)
{
	RTE_SET_USED(now_tsc);
	registrar_housekeeping(w);
}

const struct module_ops registrar_module = {
	.name = "registrar",
	.worker_init = registrar_module_init,
	.housekeeping = registrar_module_housekeeping,
	.fini = registrar_worker_fini,
};
