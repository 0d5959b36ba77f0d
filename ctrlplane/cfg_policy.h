/* SPDX-License-Identifier: BSD-3-Clause */
/* The "accounts" and "gateways" config sections: parsed into snap->policy (control plane,
 * ctrlplane's config library; the tables themselves are dataplane/policy/policy.h). */
#ifndef SF_CFG_POLICY_H
#define SF_CFG_POLICY_H

#include <jansson.h>

#include "ctrlplane/cfg_error.h"
#include "dataplane/policy/policy.h"
#include "dataplane/snapshot.h"

/**
 * Parse doc.accounts = [{user, password | ha1, allowed_ips?, params?}] and
 * doc.gateways = [{name, address, port?, prefixes?, priority?}] into a new snap->policy.
 * snap->params must already hold the global parameters (per-account params are merged on
 * them). Unknown keys, wrong types, duplicate users or gateway names are errors naming the
 * JSON path. Returns 0, or -EINVAL with @err filled and snap->policy NULL (nothing leaked).
 */
int cfg_policy_parse(const json_t *doc, struct snapshot *snap, struct cfg_error *err);

#endif
