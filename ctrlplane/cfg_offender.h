/* SPDX-License-Identifier: BSD-3-Clause */
/* The "offender" config section (issue 14): the L3 offender memory's switch and rates. */
#ifndef SF_CFG_OFFENDER_H
#define SF_CFG_OFFENDER_H

#include <jansson.h>

#include "ctrlplane/cfg_error.h"
#include "ctrlplane/config.h"
#include "dataplane/snapshot.h"

/**
 * Parse @o = {enabled?, threshold?, window_ms?, remember_s?, table_size?} (NULL: absent, the
 * defaults) into snap->offender and rt->offender_table_size (start-up sizing: a later
 * config.apply validates it and changes nothing until a restart). Unknown keys, wrong types
 * and out-of-range values are errors naming "offender.<key>". 0 or -EINVAL.
 */
int cfg_offender_parse(const json_t *o, struct snapshot *snap, struct sf_runtime *rt,
		       struct cfg_error *err);

#endif
