/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checks every config section parser shares (ctrlplane/config.c, the policy's accounts/gateways
 * parser): unknown keys (a misspelt key is an error naming its JSON path, never ignored) and
 * IPv4 addresses with or without a prefix.
 */
#ifndef SF_CFG_KEYS_H
#define SF_CFG_KEYS_H

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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

/* Whether an address may, must or must not carry "/len". */
enum cfg_prefix {
	CFG_PREFIX_NONE,
	CFG_PREFIX_OPTIONAL,
	CFG_PREFIX_REQUIRED,
};

/*
 * Parse "a.b.c.d" or "a.b.c.d/len" at JSON path @p into *@ip_be (network order) and
 * *@prefix_len (32 when no prefix was given), with len in @min_len..32. @want describes the
 * accepted form in error messages.
 */
static inline int
cfg_parse_ipv4(const json_t *v, const char *p, enum cfg_prefix form, long min_len,
	       const char *want, uint32_t *ip_be, uint8_t *prefix_len, struct cfg_error *err)
{
	const char *s, *slash;
	struct in_addr a;
	char buf[32];
	long len = 32;
	size_t n;

	if (!json_is_string(v))
		return cfg_error_set(err, p, "expected %s", want);
	s = json_string_value(v);
	n = json_string_length(v);
	slash = strchr(s, '/');
	if ((slash != NULL && form == CFG_PREFIX_NONE) ||
	    (slash == NULL && form == CFG_PREFIX_REQUIRED) || n >= sizeof(buf) || strlen(s) != n)
		return cfg_error_set(err, p, "\"%s\" is not %s", s, want);
	memcpy(buf, s, n + 1);
	if (slash != NULL) {
		char *end;

		buf[slash - s] = '\0';
		errno = 0;
		len = strtol(slash + 1, &end, 10);
		if (errno != 0 || end == slash + 1 || *end != '\0' || len < min_len || len > 32)
			return cfg_error_set(err, p, "\"%s\": prefix length must be %ld..32", s,
					     min_len);
	}
	if (inet_pton(AF_INET, buf, &a) != 1)
		return cfg_error_set(err, p, "\"%s\" is not %s", s, want);
	*ip_be = a.s_addr;
	*prefix_len = (uint8_t)len;
	return 0;
}

#endif
