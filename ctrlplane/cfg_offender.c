/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The "offender" config section (config/README.md "offender"): the L3 offender memory
 * (dataplane/offender/offender.h). enabled, threshold, window_ms and remember_s go into the
 * snapshot (changed at run time by config.apply); table_size is start-up sizing.
 */
#include <errno.h>

#include "ctrlplane/cfg_keys.h"
#include "ctrlplane/cfg_offender.h"

/* Optional integer "offender.@key" in [@min, @max] into *@out. */
static int
cfg_offender_uint(const json_t *o, const char *key, uint32_t min, uint32_t max, uint32_t *out,
		  struct cfg_error *err)
{
	const json_t *v = json_object_get(o, key);
	char p[sizeof(err->path)];
	json_int_t i;

	if (v == NULL)
		return 0;
	snprintf(p, sizeof(p), "offender.%s", key);
	if (!json_is_integer(v))
		return cfg_error_set(err, p, "expected an integer in [%u, %u]", min, max);
	i = json_integer_value(v);
	if (i < (json_int_t)min || i > (json_int_t)max)
		return cfg_error_set(err, p, "%lld is out of range [%u, %u]", (long long)i, min,
				     max);
	*out = (uint32_t)i;
	return 0;
}

int
cfg_offender_parse(const json_t *o, struct snapshot *snap, struct sf_runtime *rt,
		   struct cfg_error *err)
{
	static const char *const keys[] = {"enabled", "threshold", "window_ms", "remember_s",
					   "table_size", NULL};
	struct sf_offender_cfg c = {.enabled = true,
				    .threshold = SF_OFFENDER_THRESHOLD_DEFAULT,
				    .window_ms = SF_OFFENDER_WINDOW_MS_DEFAULT,
				    .remember_s = SF_OFFENDER_REMEMBER_S_DEFAULT};
	uint32_t size = SF_OFFENDER_TABLE_SIZE_DEFAULT;
	const json_t *v;
	int rc;

	if (o != NULL) {
		if (!json_is_object(o))
			return cfg_error_set(err, "offender", "expected an object {enabled, "
							      "threshold, window_ms, remember_s, "
							      "table_size}");
		rc = cfg_check_keys(o, keys, "offender", err);
		if (rc == 0)
			rc = cfg_offender_uint(o, "threshold", 1, SF_OFFENDER_THRESHOLD_MAX,
					       &c.threshold, err);
		if (rc == 0)
			rc = cfg_offender_uint(o, "window_ms", SF_OFFENDER_WINDOW_MS_MIN,
					       SF_OFFENDER_WINDOW_MS_MAX, &c.window_ms, err);
		if (rc == 0)
			rc = cfg_offender_uint(o, "remember_s", 1, SF_OFFENDER_REMEMBER_S_MAX,
					       &c.remember_s, err);
		if (rc == 0)
			rc = cfg_offender_uint(o, "table_size", SF_OFFENDER_TABLE_SIZE_MIN,
					       SF_OFFENDER_TABLE_SIZE_MAX, &size, err);
		if (rc != 0)
			return rc;
		if ((size & (size - 1)) != 0)
			return cfg_error_set(err, "offender.table_size",
					     "%u is not a power of two (e.g. 65536)", size);
		v = json_object_get(o, "enabled");
		if (v != NULL && !json_is_boolean(v))
			return cfg_error_set(err, "offender.enabled", "expected true or false");
		if (v != NULL)
			c.enabled = json_is_true(v);
	}
	snap->offender = c;
	if (rt != NULL)
		rt->offender_table_size = size;
	return 0;
}
