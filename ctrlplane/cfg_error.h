/* SPDX-License-Identifier: BSD-3-Clause */
/* Where a config document went wrong: the JSON path of the offending key and why. */
#ifndef SF_CFG_ERROR_H
#define SF_CFG_ERROR_H

#include <stdarg.h>
#include <stdio.h>

struct cfg_error {
	char path[160]; /* JSON path, e.g. "params.SS_ENDPOINT_EXPIRE" or "interfaces[0].ipv4" */
	char msg[352];  /* what was found and what was expected */
};

/* Fill @err (may be NULL) and return -EINVAL, so callers can `return cfg_error_set(...)`. */
__attribute__((format(printf, 3, 4))) static inline int
cfg_error_set(struct cfg_error *err, const char *path, const char *fmt, ...)
{
	if (err != NULL) {
		va_list ap;

		snprintf(err->path, sizeof(err->path), "%s", path);
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return -22; /* -EINVAL */
}

#endif
