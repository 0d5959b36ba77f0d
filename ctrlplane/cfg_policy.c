/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The "accounts" and "gateways" sections of the config document, turned into the source
 * policy of a snapshot (dataplane/policy/policy.h). Control plane only (jansson, malloc):
 * part of ctrlplane's config library, moved here from dataplane/policy/ in issue 11.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "ctrlplane/cfg_keys.h"
#include "ctrlplane/cfg_policy.h"
#include "ctrlplane/param_table.h"
#include "dataplane/auth/digest.h"

#define PC_PATH_MAX sizeof(((struct cfg_error *)0)->path)
/* Format a JSON path into char p[PC_PATH_MAX], cut at the buffer size. */
#define PC_PATH(p, ...)                                                                       \
	do {                                                                                  \
		if (snprintf((p), PC_PATH_MAX, __VA_ARGS__) >= (int)PC_PATH_MAX)            \
			(p)[PC_PATH_MAX - 1] = '\0';                                           \
	} while (0)

/* A string member @key of @o with 1..@max-1 bytes copied into @out (NUL-terminated). */
static int
pc_get_string(const json_t *o, const char *key, const char *path, char *out, size_t max,
	      bool required, struct cfg_error *err)
{
	const json_t *v = json_object_get(o, key);
	char p[PC_PATH_MAX];

	PC_PATH(p, "%s.%s", path, key);
	if (v == NULL)
		return required ? cfg_error_set(err, p, "missing: expected a string") : 0;
	if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) >= max)
		return cfg_error_set(err, p, "expected a string of 1..%zu bytes", max - 1);
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

/* "a.b.c.d" or "a.b.c.d/len" (len 0..32) into @net; @allow_prefix says which forms. */
static int
pc_parse_net(const json_t *v, const char *p, bool allow_prefix, struct policy_net *net,
	     struct cfg_error *err)
{
	uint32_t ip_be = 0;
	uint8_t len = 32;
	int rc;

	rc = cfg_parse_ipv4(v, p, allow_prefix ? CFG_PREFIX_OPTIONAL : CFG_PREFIX_NONE, 0,
			    allow_prefix ? "\"a.b.c.d\" or \"a.b.c.d/len\"" : "\"a.b.c.d\"", &ip_be,
			    &len, err);
	if (rc != 0)
		return rc;
	net->mask_be = len == 0 ? 0 : htonl(UINT32_MAX << (32 - len));
	net->ip_be = ip_be & net->mask_be;
	return 0;
}

static int
pc_hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
pc_account_secret(const json_t *o, const char *path, struct policy_account *a,
		  struct cfg_error *err)
{
	const json_t *pw = json_object_get(o, "password"), *ha1 = json_object_get(o, "ha1");
	char p[PC_PATH_MAX];
	int i;

	if ((pw == NULL) == (ha1 == NULL))
		return cfg_error_set(err, path, "expected exactly one of \"password\" and \"ha1\"");
	if (pw != NULL)
		return pc_get_string(o, "password", path, a->password, sizeof(a->password), true,
				     err);
	PC_PATH(p, "%s.ha1", path);
	if (!json_is_string(ha1) || json_string_length(ha1) != 32)
		return cfg_error_set(err, p, "expected 32 hex digits (MD5 of user:realm:password)");
	for (i = 0; i < 16; i++) {
		int hi = pc_hex_nibble(json_string_value(ha1)[2 * i]);
		int lo = pc_hex_nibble(json_string_value(ha1)[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return cfg_error_set(err, p, "expected 32 hex digits");
		a->ha1[i] = (uint8_t)(hi << 4 | lo);
	}
	a->has_ha1 = true;
	return 0;
}

static int
pc_account_allowed(const json_t *o, const char *path, struct policy_account *a,
		   struct cfg_error *err)
{
	const json_t *arr = json_object_get(o, "allowed_ips");
	char p[PC_PATH_MAX];
	size_t i;
	json_t *v;

	if (arr == NULL)
		return 0;
	PC_PATH(p, "%s.allowed_ips", path);
	if (!json_is_array(arr) || json_array_size(arr) == 0 || json_array_size(arr) > 1024)
		return cfg_error_set(err, p, "expected a list of 1..1024 \"a.b.c.d[/len]\" strings");
	a->allowed = calloc(json_array_size(arr), sizeof(*a->allowed));
	if (a->allowed == NULL)
		return cfg_error_set(err, p, "out of memory");
	json_array_foreach((json_t *)arr, i, v) {
		int rc;

		PC_PATH(p, "%s.allowed_ips[%zu]", path, i);
		rc = pc_parse_net(v, p, true, &a->allowed[i], err);
		if (rc != 0)
			return rc;
	}
	a->n_allowed = (uint16_t)json_array_size(arr);
	return 0;
}

static int
pc_account_params(const json_t *o, const char *path, const struct sf_params *globals,
		  struct policy_account *a, struct cfg_error *err)
{
	const json_t *v = json_object_get(o, "params");
	char p[PC_PATH_MAX];

	if (v == NULL)
		return 0;
	PC_PATH(p, "%s.params", path);
	if (!json_is_object(v))
		return cfg_error_set(err, p, "expected an object of SS_* overrides");
	a->params = malloc(sizeof(*a->params));
	if (a->params == NULL)
		return cfg_error_set(err, p, "out of memory");
	*a->params = *globals;
	return param_table_merge_at(v, a->params, p, err);
}

static int
pc_parse_account(const json_t *o, const char *path, const struct sf_params *globals,
		 struct policy_account *a, struct cfg_error *err)
{
	static const char *const keys[] = {"user", "password", "ha1", "allowed_ips", "params",
					   NULL};
	int rc;

	if (!json_is_object(o))
		return cfg_error_set(err, path, "expected an object {user, password, ...}");
	rc = cfg_check_keys(o, keys, path, err);
	if (rc == 0)
		rc = pc_get_string(o, "user", path, a->user, sizeof(a->user), true, err);
	if (rc == 0 && strpbrk(a->user, " \t\r\n\"@:;<>") != NULL) {
		char p[PC_PATH_MAX];

		PC_PATH(p, "%s.user", path);
		return cfg_error_set(err, p, "\"%s\": a user may not contain spaces, quotes, "
					     "'@', ':', ';', '<' or '>'", a->user);
	}
	if (rc == 0)
		rc = pc_account_secret(o, path, a, err);
	if (rc == 0)
		rc = pc_account_allowed(o, path, a, err);
	if (rc == 0)
		rc = pc_account_params(o, path, globals, a, err);
	a->user_len = (uint16_t)strlen(a->user);
	return rc;
}

static int
pc_gateway_prefixes(const json_t *o, const char *path, struct policy_gateway *g,
		    struct cfg_error *err)
{
	const json_t *arr = json_object_get(o, "prefixes");
	char p[PC_PATH_MAX];
	size_t i;
	json_t *v;

	if (arr == NULL)
		return 0;
	PC_PATH(p, "%s.prefixes", path);
	if (!json_is_array(arr) || json_array_size(arr) > 65535)
		return cfg_error_set(err, p, "expected a list of number prefixes (strings)");
	g->prefixes = calloc(json_array_size(arr) + 1, sizeof(*g->prefixes));
	if (g->prefixes == NULL)
		return cfg_error_set(err, p, "out of memory");
	json_array_foreach((json_t *)arr, i, v) {
		PC_PATH(p, "%s.prefixes[%zu]", path, i);
		if (!json_is_string(v) || json_string_length(v) >= POLICY_PREFIX_MAX ||
		    strspn(json_string_value(v), "0123456789+#*") != json_string_length(v))
			return cfg_error_set(err, p, "expected a string of up to %d characters "
						     "from 0-9 + # *", POLICY_PREFIX_MAX - 1);
		memcpy(g->prefixes[i], json_string_value(v), json_string_length(v) + 1);
	}
	g->n_prefixes = (uint16_t)json_array_size(arr);
	return 0;
}

/* An optional integer member @key of @o within [@min, @max]. */
static int
pc_get_int(const json_t *o, const char *key, const char *path, json_int_t min, json_int_t max,
	   json_int_t *out, struct cfg_error *err)
{
	const json_t *v = json_object_get(o, key);
	char p[PC_PATH_MAX];

	if (v == NULL)
		return 0;
	PC_PATH(p, "%s.%s", path, key);
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return cfg_error_set(err, p, "expected an integer in [%lld, %lld]", (long long)min,
				     (long long)max);
	*out = json_integer_value(v);
	return 0;
}

static int
pc_parse_gateway(const json_t *o, const char *path, struct policy_gateway *g,
		 struct cfg_error *err)
{
	static const char *const keys[] = {"name", "address", "port", "prefixes", "priority",
					   "invite_timeout", NULL};
	struct policy_net net;
	json_int_t port = 5060, prio = 0, invite_timeout = 0;
	char p[PC_PATH_MAX];
	const json_t *v;
	int rc;

	if (!json_is_object(o))
		return cfg_error_set(err, path, "expected an object {name, address, ...}");
	rc = cfg_check_keys(o, keys, path, err);
	if (rc == 0)
		rc = pc_get_string(o, "name", path, g->name, sizeof(g->name), true, err);
	if (rc == 0)
		rc = pc_get_int(o, "port", path, 1, 65535, &port, err);
	if (rc == 0)
		rc = pc_get_int(o, "priority", path, -1000000, 1000000, &prio, err);
	if (rc == 0) /* 8.1 "Invite timeout", s; absent = SS_SIP_TIMEOUT_INVITE */
		rc = pc_get_int(o, "invite_timeout", path, 1, 300, &invite_timeout, err);
	if (rc == 0)
		rc = pc_gateway_prefixes(o, path, g, err);
	if (rc != 0)
		return rc;
	PC_PATH(p, "%s.address", path);
	v = json_object_get(o, "address");
	if (v == NULL)
		return cfg_error_set(err, p, "missing: expected \"a.b.c.d\"");
	rc = pc_parse_net(v, p, false, &net, err);
	g->ip_be = net.ip_be;
	g->port = (uint16_t)port;
	g->priority = (int32_t)prio;
	g->invite_timeout_s = (uint32_t)invite_timeout;
	return rc;
}

/* The array @key of @doc (absent = empty); its size in *@n. */
static int
pc_get_list(const json_t *doc, const char *key, size_t max, const json_t **arr, size_t *n,
	    struct cfg_error *err)
{
	*arr = json_object_get(doc, key);
	*n = 0;
	if (*arr == NULL)
		return 0;
	if (!json_is_array(*arr) || json_array_size(*arr) > max)
		return cfg_error_set(err, key, "expected a list of at most %zu objects", max);
	*n = json_array_size(*arr);
	return 0;
}

static int
pc_parse_all(const json_t *accts, const json_t *gws, const struct sf_params *globals,
	     struct policy *pol, struct cfg_error *err)
{
	char p[PC_PATH_MAX];
	uint32_t i, j;
	int rc;

	for (i = 0; i < pol->n_accounts; i++) {
		PC_PATH(p, "accounts[%u]", i);
		rc = pc_parse_account(json_array_get(accts, i), p, globals, &pol->accounts[i], err);
		if (rc != 0)
			return rc;
	}
	for (i = 0; i < pol->n_gateways; i++) {
		PC_PATH(p, "gateways[%u]", i);
		rc = pc_parse_gateway(json_array_get(gws, i), p, &pol->gateways[i], err);
		if (rc != 0)
			return rc;
		for (j = 0; j < i; j++)
			if (strcmp(pol->gateways[j].name, pol->gateways[i].name) == 0) {
				PC_PATH(p, "gateways[%u].name", i);
				return cfg_error_set(err, p, "\"%s\" is already gateways[%u]",
						     pol->gateways[i].name, j);
			}
	}
	if (policy_finalize(pol) != 0)
		return cfg_error_set(err, "accounts", "out of memory");
	for (i = 0; i < pol->n_accounts; i++) {
		const struct policy_account *a = &pol->accounts[i];
		const struct policy_account *first = policy_account_by_user(
			pol, (struct sf_span){(const uint8_t *)a->user, a->user_len});

		if (first != a) {
			PC_PATH(p, "accounts[%u].user", i);
			return cfg_error_set(err, p, "\"%s\" is already accounts[%td]", a->user,
					     first - pol->accounts);
		}
	}
	return 0;
}

/* Lowercase hex of @n bytes (2n digits at @hex) back to binary. */
static void
pc_unhex(const uint8_t *hex, size_t n, uint8_t *bin)
{
	size_t i;

	for (i = 0; i < n; i++)
		bin[i] = (uint8_t)(pc_hex_nibble((char)hex[2 * i]) << 4 |
				   pc_hex_nibble((char)hex[2 * i + 1]));
}

/*
 * MD5 and SHA-256 HA1 of every password account for the snapshot's realm, so the registrar
 * hashes no password per REGISTER. The realm is the snapshot's SIP domain, which a config
 * update may change: every update builds a new snapshot, so this runs again for it.
 */
static int
pc_precompute_ha1(struct policy *pol, const struct snapshot *snap, struct cfg_error *err)
{
	struct sf_span realm = policy_realm(snap->domain, sizeof(snap->domain));
	struct digest_ctx *dctx;
	uint8_t hex[DIGEST_HEX_MAX];
	uint32_t i;

	if (pol->n_accounts == 0)
		return 0;
	dctx = digest_ctx_create();
	if (dctx == NULL)
		return cfg_error_set(err, "accounts", "out of memory");
	for (i = 0; i < pol->n_accounts; i++) {
		struct policy_account *a = &pol->accounts[i];
		struct sf_span user = {(const uint8_t *)a->user, a->user_len};
		struct sf_span pw = {(const uint8_t *)a->password,
				     (uint16_t)strnlen(a->password, sizeof(a->password))};

		if (a->has_ha1)
			continue; /* configured MD5 HA1: already for the operator's realm */
		digest_ha1(dctx, DIGEST_ALG_MD5, user, realm, pw, hex);
		pc_unhex(hex, sizeof(a->ha1), a->ha1);
		digest_ha1(dctx, DIGEST_ALG_SHA256, user, realm, pw, hex);
		pc_unhex(hex, sizeof(a->ha1_sha256), a->ha1_sha256);
	}
	digest_ctx_destroy(dctx);
	memset(hex, 0, sizeof(hex));
	memcpy(pol->ha1_realm, realm.p, realm.len);
	pol->ha1_realm_len = realm.len;
	return 0;
}

int
cfg_policy_parse(const json_t *doc, struct snapshot *snap, struct cfg_error *err)
{
	const json_t *accts, *gws;
	struct policy *pol;
	size_t n_acct, n_gw;
	int rc;

	snap->policy = NULL;
	rc = pc_get_list(doc, "accounts", POLICY_MAX_ACCOUNTS, &accts, &n_acct, err);
	if (rc == 0)
		rc = pc_get_list(doc, "gateways", POLICY_MAX_GATEWAYS, &gws, &n_gw, err);
	if (rc != 0)
		return rc;
	pol = policy_create((uint32_t)n_acct, (uint32_t)n_gw);
	if (pol == NULL)
		return cfg_error_set(err, "accounts", "out of memory");
	if (getrandom(&pol->nonce_key, sizeof(pol->nonce_key), 0) != sizeof(pol->nonce_key))
		pol->nonce_key = (uint64_t)(uintptr_t)pol ^ 0x5bd1e9955bd1e995ull;
	rc = pc_parse_all(accts, gws, &snap->params, pol, err);
	if (rc == 0)
		rc = pc_precompute_ha1(pol, snap, err);
	if (rc != 0) {
		policy_free(pol);
		return rc;
	}
	snap->policy = pol;
	return 0;
}
