/* SPDX-License-Identifier: BSD-3-Clause */
/* The "accounts" and "gateways" config sections: parsed into snap->policy (control plane). */
#ifndef SF_POLICY_CONFIG_H
#define SF_POLICY_CONFIG_H

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
int policy_config_parse(const json_t *doc, struct snapshot *snap, struct cfg_error *err);

#endif
