/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * auth/'s entry in the module table (dataplane/module.h): per-worker authentication state
 * (lockout table, replay guard, nonce and digest contexts), made before the registrar's, which
 * verifies through it. The shared key ring is made by the control plane (ctl_registrar_start())
 * and passed in env->auth. Its sweep runs from the registrar's housekeeping tick.
 */
#include "dataplane/auth/auth.h"
#include "dataplane/module.h"
#include "dataplane/worker.h"

static int
auth_module_init(struct worker *w, const struct module_env *env)
{
	return auth_worker_init(w, env->auth);
}

const struct module_ops auth_module = {
	.name = "auth",
	.worker_init = auth_module_init,
	.fini = auth_worker_fini,
};
