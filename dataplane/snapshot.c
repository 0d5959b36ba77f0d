/* SPDX-License-Identifier: BSD-3-Clause */
/* Freeing a configuration snapshot and what it owns (control plane, after QSBR reclaim). */
#include <stdlib.h>

#include "dataplane/policy/policy.h"
#include "dataplane/snapshot.h"

void
snapshot_free(struct snapshot *snap)
{
	if (snap == NULL)
		return;
	policy_free(snap->policy);
	free(snap); /* cold: snapshot reclaim */
}
