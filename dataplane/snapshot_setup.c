/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Freeing a configuration snapshot and what it owns (control plane, after QSBR reclaim; cold
 * by name, scripts/check-forbidden.sh). Its own small library (sf_snapshot, pure C): the pure
 * config library and the DPDK side both free snapshots, and it is no part of policy/.
 */
#include <stdlib.h>

#include "dataplane/policy/policy.h"
#include "dataplane/snapshot.h"

void
snapshot_free(struct snapshot *snap)
{
	if (snap == NULL)
		return;
	policy_free(snap->policy);
	free(snap);
}
