/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The module table walked on the control plane (cold): every module's worker_init before
 * launch, every fini after the workers stopped (dataplane/module.h).
 */
#include "dataplane/loop.h"

int
loop_modules_init(struct worker *w, const struct module_env *env, const char **failed)
{
	unsigned int i;
	int rc;

	for (i = 0; i < loop_n_modules; i++) {
		if (loop_modules[i]->worker_init == NULL)
			continue;
		rc = loop_modules[i]->worker_init(w, env);
		if (rc != 0) {
			*failed = loop_modules[i]->name;
			return rc;
		}
	}
	return 0;
}

void
loop_modules_fini(struct worker *w)
{
	unsigned int i;

	for (i = loop_n_modules; i-- > 0;)
		if (loop_modules[i]->fini != NULL)
			loop_modules[i]->fini(w);
}
