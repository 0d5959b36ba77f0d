/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The unknown-key check every config section parser shares (ctrlplane/config.c, the policy's
 * accounts/gateways parser): a misspelt key is an error naming its JSON path, never ignored.
 */
#ifndef SF_CFG_KEYS_H
#define SF_CFG_KEYS_H

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "ctrlplane/cfg_error.h"

/* Reject keys of @obj that are not in the NULL-terminated @allowed list; @path "" = top level. */
static inline int
cfg_check_keys(const json_t *obj, const char *const *allowed, const char *path,
	       struct cfg_error *err)
{
	const char *key;
	json_t *val;

	json_object_foreach((json_t *)obj, key, val) {
		const char *const *a;
		char p[sizeof(err->path)];

		for (a = allowed; *a != NULL; a++)
			if (strcmp(*a, key) == 0)
				break;
		if (*a != NULL)
			continue;
		if (snprintf(p, sizeof(p), "%s%s%s", path, *path ? "." : "", key) >= (int)sizeof(p))
			p[sizeof(p) - 1] = '\0';
		return cfg_error_set(err, p, "unknown key \"%s\"", key);
	}
	return 0;
}

#endif
