/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the global parameter table: defaults as the seed states them, validation of
 * every parameter (type, range, words), partial updates, cross-parameter rules (CFG-1..7),
 * JSON round trips, and that config/README.md carries exactly what sf-param-doc generates.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "ctrlplane/param_table.h"

/* The 41 names of PARAMETERS.md section 0, in its order, typed independently of the table. */
static const char *const spec_names[] = {
	"SS_REPLY_UNAUTHORIZED", "SS_SIP_AUTHENTICATION_CODE", "SS_SIP_AUTHENTICATION_RETRY",
	"SS_SIP_AUTHENTICATION_TIMEOUT", "SS_AUTHENTICATION_MAX_RETRY",
	"SS_AUTHENTICATION_FAILED_SUSPEND", "SS_ENDPOINT_REGISTER_RETRY",
	"SS_ENDPOINT_REGISTER_SUSPEND", "SS_ENDPOINT_EXPIRE", "SS_ENDPOINT_NAT_EXPIRE",
	"SS_ENDPOINT_REGISTER_REPLACE", "SS_SIP_USER_AGENT_EXPIRE",
	"SS_SIP_USER_AGENT_RETRY_DELAY", "SS_SIP_USER_AGENT_SEND_UNREGISTER",
	"SS_SIP_USER_AGENT_PRIVACY", "SS_SIP_USER_AGENT_STOP_SWITCH_AFTER_INVITE_TIMEOUT",
	"SS_SIP_TIMEOUT_INVITE", "SS_SIP_RESEND_INTERVAL", "SS_SIP_TIMEOUT_TRYING",
	"SS_SIP_TIMEOUT_SESSION_PROGRESS", "SS_SIP_TIMEOUT_SESSION_PROGRESS_SDP",
	"SS_SIP_TIMEOUT_RINGING", "SS_SIP_STOP_SWITCH_AFTER_SDP", "SS_GATEWAY_SWITCH_LIMIT",
	"SS_GATEWAY_SWITCH_STOP_AFTER_RTP_START", "SS_GATEWAY_SWITCH_STOP_AFTER_USER_BUSY",
	"SS_GATEWAY_SWITCH_UNTIL_CONNECT", "IVR_RINGING_TIMEOUT", "SS_SIP_E164_DISPLAY_FROM",
	"SS_LOCAL_IP_DOMAIN", "SS_SIP_ROUTING_GATEWAY_INVITE_USE_CONTACT", "SS_SIP_SESSION_TTL",
	"SS_SIP_SESSION_UPDATE_SEGMENT", "SS_SIP_SESSION_TIMEOUT_EARLY_HANGUP",
	"SS_SIP_NO_TIMER_REINVITE_INTERVAL", "SS_MAX_CALL_DURATION",
	"SS_SIP_NAT_KEEP_ALIVE_MESSAGE", "SS_SIP_NAT_KEEP_ALIVE_PERIOD",
	"SS_SIP_NAT_KEEP_ALIVE_SEND_INTERVAL", "SS_SIP_NAT_KEEP_ALIVE_SEND_ONE_TIME",
	"SS_MEDIA_PROXY_BEHIND_NAT",
};

/* Integer bounds from PARAMETERS.md (seed, or I-35 where the seed states none). */
struct bound {
	const char *name;
	long long lo, hi;
};

static const struct bound spec_bounds[] = {
	{ "SS_SIP_AUTHENTICATION_RETRY", 1, 100 },
	{ "SS_SIP_AUTHENTICATION_TIMEOUT", 1, 300 },
	{ "SS_AUTHENTICATION_MAX_RETRY", 0, 999 },
	{ "SS_AUTHENTICATION_FAILED_SUSPEND", 60, 3600 },
	{ "SS_ENDPOINT_REGISTER_RETRY", 0, 999 },
	{ "SS_ENDPOINT_REGISTER_SUSPEND", 60, 3600 },
	{ "SS_ENDPOINT_EXPIRE", 20, 86400 },
	{ "SS_ENDPOINT_NAT_EXPIRE", 20, 86400 },
	{ "SS_SIP_USER_AGENT_EXPIRE", 20, 7200 },
	{ "SS_SIP_USER_AGENT_RETRY_DELAY", 30, 600 },
	{ "SS_SIP_TIMEOUT_INVITE", 1, 300 },
	{ "SS_SIP_TIMEOUT_TRYING", 1, 3600 },
	{ "SS_SIP_TIMEOUT_SESSION_PROGRESS", 1, 3600 },
	{ "SS_SIP_TIMEOUT_SESSION_PROGRESS_SDP", 1, 3600 },
	{ "SS_SIP_TIMEOUT_RINGING", 1, 3600 },
	{ "SS_GATEWAY_SWITCH_LIMIT", 0, 100 },
	{ "IVR_RINGING_TIMEOUT", 1, 3600 },
	{ "SS_SIP_SESSION_TTL", 90, 86400 },
	{ "SS_SIP_SESSION_UPDATE_SEGMENT", 1, 10 },
	{ "SS_SIP_SESSION_TIMEOUT_EARLY_HANGUP", 0, 86400 },
	{ "SS_SIP_NO_TIMER_REINVITE_INTERVAL", 60, 86400 },
	{ "SS_MAX_CALL_DURATION", 1, 604800 },
	{ "SS_SIP_NAT_KEEP_ALIVE_PERIOD", 10, 86400 },
	{ "SS_SIP_NAT_KEEP_ALIVE_SEND_INTERVAL", 1, 10000 },
	{ "SS_SIP_NAT_KEEP_ALIVE_SEND_ONE_TIME", 1, 100000 },
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ---- */

static json_t *
load(const char *text)
{
	json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);

	assert_non_null(v);
	return v;
}

static int
merge_text(struct sf_params *p, const char *text, struct cfg_error *err)
{
	json_t *obj = load(text);
	int rc = param_table_merge(obj, p, err);

	json_decref(obj);
	return rc;
}

static int
merge_one(struct sf_params *p, const char *name, const char *value, struct cfg_error *err)
{
	char text[2048];

	snprintf(text, sizeof(text), "{\"%s\": %s}", name, value);
	return merge_text(p, text, err);
}

/* A base where no hard cross rule can fire: keep-alives off (I-32 applies only when on). */
static void
relaxed_base(struct sf_params *p)
{
	param_table_defaults(p);
	assert_int_equal(merge_text(p, "{\"SS_SIP_NAT_KEEP_ALIVE_MESSAGE\": \"\"}", NULL), 0);
}

/* Merging {name: value} into the relaxed base fails, names params.<name>, contains needles,
 * and leaves the values untouched. */
static void
expect_reject(const char *name, const char *value, const char *needle1, const char *needle2)
{
	struct sf_params p, before;
	struct cfg_error err;
	char path[200];

	relaxed_base(&p);
	memcpy(&before, &p, sizeof(p));
	memset(&err, 0, sizeof(err));
	if (merge_one(&p, name, value, &err) != -EINVAL)
		fail_msg("%s = %s was accepted", name, value);
	snprintf(path, sizeof(path), "params.%s", name);
	if (strncmp(err.path, path, strlen(path)) != 0)
		fail_msg("%s = %s: path \"%s\"", name, value, err.path);
	if (needle1 != NULL && strstr(err.msg, needle1) == NULL)
		fail_msg("%s = %s: \"%s\" lacks \"%s\"", name, value, err.msg, needle1);
	if (needle2 != NULL && strstr(err.msg, needle2) == NULL)
		fail_msg("%s = %s: \"%s\" lacks \"%s\"", name, value, err.msg, needle2);
	assert_memory_equal(&p, &before, sizeof(p));
}

static void
expect_accept(struct sf_params *p, const char *name, const char *value)
{
	struct cfg_error err;

	relaxed_base(p);
	memset(&err, 0, sizeof(err));
	if (merge_one(p, name, value, &err) != 0)
		fail_msg("%s = %s rejected: %s: %s", name, value, err.path, err.msg);
}

static size_t
count_warnings_on(const struct sf_params *p, const char *name)
{
	json_t *w = json_array(), *x;
	char path[200];
	size_t i, n = 0;

	assert_int_equal(param_table_check(p, NULL, w), 0);
	snprintf(path, sizeof(path), "params.%s", name);
	json_array_foreach(w, i, x) {
		const char *at = json_string_value(json_object_get(x, "path"));

		assert_non_null(json_string_value(json_object_get(x, "message")));
		if (at != NULL && strcmp(at, path) == 0)
			n++;
	}
	json_decref(w);
	return n;
}

/* ---- the table itself ---- */

static void
test_table_has_the_41_spec_names(void **state)
{
	size_t i;

	(void)state;
	assert_int_equal(param_table_count(), 41);
	assert_int_equal(N_OF(spec_names), 41);
	for (i = 0; i < N_OF(spec_names); i++) {
		assert_non_null(param_table_at(i));
		assert_string_equal(param_table_at(i)->name, spec_names[i]);
		assert_ptr_equal(param_table_find(spec_names[i]), param_table_at(i));
		assert_non_null(param_table_at(i)->desc);
		assert_true(strchr(param_table_at(i)->desc, '\n') == NULL);
	}
	assert_null(param_table_at(41));
	assert_null(param_table_find("ss_reply_unauthorized"));
}

static void
test_defaults_are_the_seeds(void **state)
{
	static const uint32_t resend[] = { 500, 1000, 2000, 4000, 4000, 4000, 4000, 4000, 4000,
					   4000 };
	struct sf_params p;
	size_t i;

	(void)state;
	param_table_defaults(&p);
	assert_true(p.reply_unauthorized);
	assert_int_equal(p.auth_code, SF_AUTH_CODE_401);
	assert_int_equal(p.auth_retry, 6);
	assert_int_equal(p.auth_timeout_s, 10);
	assert_int_equal(p.auth_max_retry, 6);
	assert_int_equal(p.auth_failed_suspend_s, 180);
	assert_int_equal(p.register_retry, 6);
	assert_int_equal(p.register_suspend_s, 180);
	assert_int_equal(p.endpoint_expire_s, 3600); /* I-8 */
	assert_int_equal(p.endpoint_nat_expire_s, 300);
	assert_true(p.register_replace);
	assert_true(p.ua_expire_auto);
	assert_int_equal(p.ua_expire_s, 0);
	assert_int_equal(p.ua_retry_delay_s, 60);
	assert_true(p.ua_send_unregister);
	assert_int_equal(p.ua_privacy, SF_UA_PRIVACY_IGNORE);
	assert_false(p.stop_switch_after_invite_timeout);
	assert_int_equal(p.timeout_invite_s, 10);
	assert_int_equal(p.n_resend, N_OF(resend));
	for (i = 0; i < N_OF(resend); i++)
		assert_int_equal(p.resend_ms[i], resend[i]);
	assert_int_equal(p.timeout_trying_s, 20);
	assert_int_equal(p.timeout_progress_s, 20);
	assert_int_equal(p.timeout_progress_sdp_s, 120);
	assert_int_equal(p.timeout_ringing_s, 120);
	assert_true(p.stop_switch_after_sdp);
	assert_true(p.switch_limit_none);
	assert_true(p.switch_stop_after_rtp);
	assert_true(p.switch_stop_after_busy);
	assert_false(p.switch_until_connect);
	assert_int_equal(p.ivr_ringing_timeout_s, 120);
	assert_int_equal(p.display_from, SF_DISPLAY_FROM_IGNORE);
	assert_int_equal(p.local_domain_len, 0);
	assert_string_equal(p.local_domain, "");
	assert_false(p.invite_use_contact);
	assert_int_equal(p.session_ttl_s, 600);
	assert_int_equal(p.session_update_segment, 2);
	assert_int_equal(p.session_early_hangup_s, 0);
	assert_int_equal(p.no_timer_interval_s, 7200);
	assert_true(p.max_call_duration_none);
	assert_int_equal(p.ka_message_len, 5);
	assert_memory_equal(p.ka_message, "HELLO", 5);
	assert_int_equal(p.ka_period_s, 30);
	assert_int_equal(p.ka_send_interval_ms, 500);
	assert_int_equal(p.ka_send_one_time, 3000);
	assert_true(p.media_proxy_behind_nat);
}

static void
test_defaults_in_seed_form(void **state)
{
	(void)state;
	assert_string_equal(param_table_find("SS_REPLY_UNAUTHORIZED")->def, "\"On\"");
	assert_string_equal(param_table_find("SS_SIP_AUTHENTICATION_CODE")->def,
			    "\"401 Unauthorized\"");
	assert_string_equal(param_table_find("SS_ENDPOINT_EXPIRE")->def, "3600");
	assert_string_equal(param_table_find("SS_SIP_USER_AGENT_EXPIRE")->def,
			    "\"Auto Negotiation\"");
	assert_string_equal(param_table_find("SS_SIP_RESEND_INTERVAL")->def,
			    "\"0.5,1,2,4,4,4,4,4,4,4\"");
	assert_string_equal(param_table_find("SS_GATEWAY_SWITCH_LIMIT")->def, "\"None\"");
	assert_string_equal(param_table_find("SS_MAX_CALL_DURATION")->def, "\"None\"");
	assert_string_equal(param_table_find("SS_SIP_USER_AGENT_PRIVACY")->def, "\"Ignore\"");
	assert_string_equal(param_table_find("SS_SIP_NAT_KEEP_ALIVE_MESSAGE")->def, "\"HELLO\"");
}

/* Every default parses, equals param_table_defaults() and comes back out of to_json unchanged. */
static void
test_every_default_round_trips(void **state)
{
	struct sf_params defs, p;
	struct cfg_error err;
	json_t *all;
	size_t i;

	(void)state;
	param_table_defaults(&defs);
	all = param_table_to_json(&defs);
	assert_non_null(all);
	assert_int_equal(json_object_size(all), 41);
	for (i = 0; i < param_table_count(); i++) {
		const struct param_table_entry *e = param_table_at(i);
		json_t *def = load(e->def);

		if (!json_equal(def, json_object_get(all, e->name)))
			fail_msg("%s: to_json differs from the default %s", e->name, e->def);
		param_table_defaults(&p);
		if (merge_one(&p, e->name, e->def, &err) != 0)
			fail_msg("%s: default %s rejected: %s", e->name, e->def, err.msg);
		assert_memory_equal(&p, &defs, sizeof(p));
		json_decref(def);
	}
	assert_int_equal(param_table_parse(all, &p, &err), 0);
	assert_memory_equal(&p, &defs, sizeof(p));
	json_decref(all);
}

/* ---- CFG-1..6 (CFG-7 below the cross rules, CFG-9/10 further down) ---- */

static void
test_CFG_1_valid_update_applies(void **state)
{
	struct sf_params p, before;
	struct cfg_error err;

	(void)state;
	param_table_defaults(&p);
	memcpy(&before, &p, sizeof(p));
	assert_int_equal(merge_text(&p, "{\"SS_SIP_TIMEOUT_RINGING\": 60}", &err), 0);
	assert_int_equal(p.timeout_ringing_s, 60);
	before.timeout_ringing_s = 60;
	assert_memory_equal(&p, &before, sizeof(p));
}

static void
test_CFG_2_one_bad_value_rejects_whole_update(void **state)
{
	struct sf_params p, before;
	struct cfg_error err;

	(void)state;
	param_table_defaults(&p);
	assert_int_equal(merge_text(&p, "{\"SS_SIP_TIMEOUT_RINGING\": 90}", NULL), 0);
	memcpy(&before, &p, sizeof(p));
	assert_int_equal(merge_text(&p, "{\"SS_SIP_TIMEOUT_RINGING\": 60, "
				    "\"SS_REPLY_UNAUTHORIZED\": \"Off\", "
				    "\"SS_AUTHENTICATION_FAILED_SUSPEND\": 59}", &err), -EINVAL);
	assert_string_equal(err.path, "params.SS_AUTHENTICATION_FAILED_SUSPEND");
	assert_memory_equal(&p, &before, sizeof(p));
	assert_int_equal(p.timeout_ringing_s, 90);
	assert_true(p.reply_unauthorized);
}

static void
test_CFG_3_unknown_key_rejected_with_suggestion(void **state)
{
	struct sf_params p, before;
	struct cfg_error err;

	(void)state;
	param_table_defaults(&p);
	memcpy(&before, &p, sizeof(p));
	assert_int_equal(merge_text(&p, "{\"SS_SIP_TIMEOUT_RINGING\": 60, "
				    "\"SS_REPLY_UNAUTHORISED\": \"Off\"}", &err), -EINVAL);
	assert_string_equal(err.path, "params.SS_REPLY_UNAUTHORISED");
	assert_non_null(strstr(err.msg, "did you mean SS_REPLY_UNAUTHORIZED?"));
	assert_memory_equal(&p, &before, sizeof(p));

	assert_int_equal(merge_text(&p, "{\"ss_endpoint_nat_expire\": 60}", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "did you mean SS_ENDPOINT_NAT_EXPIRE?"));
	assert_int_equal(merge_text(&p, "{\"colour\": \"blue\"}", &err), -EINVAL);
	assert_string_equal(err.path, "params.colour");
	assert_non_null(strstr(err.msg, "unknown parameter \"colour\""));
	assert_null(strstr(err.msg, "did you mean"));
	assert_memory_equal(&p, &before, sizeof(p));
}

static void
test_CFG_4_range_checks_and_boundaries(void **state)
{
	struct sf_params p;

	(void)state;
	expect_reject("SS_AUTHENTICATION_FAILED_SUSPEND", "59", "59", "60–3600");
	expect_reject("SS_AUTHENTICATION_FAILED_SUSPEND", "3601", "3601", "60–3600");
	expect_reject("SS_AUTHENTICATION_MAX_RETRY", "-1", "-1", "0–999");
	expect_reject("SS_AUTHENTICATION_MAX_RETRY", "1000", "1000", "0–999");
	expect_reject("SS_SIP_USER_AGENT_RETRY_DELAY", "29", "29", "30–600");
	expect_reject("SS_SIP_USER_AGENT_RETRY_DELAY", "601", "601", "30–600");
	expect_reject("SS_SIP_USER_AGENT_EXPIRE", "19", "19", "20–7200");
	expect_reject("SS_SIP_USER_AGENT_EXPIRE", "7201", "7201", "\"Auto Negotiation\"");
	expect_reject("SS_SIP_NAT_KEEP_ALIVE_PERIOD", "9", "9", "10–86400");
	expect_reject("SS_SIP_NAT_KEEP_ALIVE_PERIOD", "86401", "86401", "10–86400");
	expect_reject("SS_SIP_AUTHENTICATION_CODE", "403", "403", "401 / 407");
	expect_reject("SS_SIP_USER_AGENT_PRIVACY", "\"Foo\"", "\"Foo\"",
		      "\"Ignore\" / \"Id\" / \"None\"");
	expect_reject("SS_SIP_E164_DISPLAY_FROM", "\"Bar\"", "\"Bar\"",
		      "\"Ignore\" / \"E164\" / \"Number\"");

	expect_accept(&p, "SS_AUTHENTICATION_FAILED_SUSPEND", "60");
	expect_accept(&p, "SS_AUTHENTICATION_FAILED_SUSPEND", "3600");
	expect_accept(&p, "SS_AUTHENTICATION_MAX_RETRY", "0");
	expect_accept(&p, "SS_AUTHENTICATION_MAX_RETRY", "999");
	expect_accept(&p, "SS_SIP_USER_AGENT_RETRY_DELAY", "30");
	expect_accept(&p, "SS_SIP_USER_AGENT_RETRY_DELAY", "600");
	expect_accept(&p, "SS_SIP_USER_AGENT_EXPIRE", "20");
	assert_false(p.ua_expire_auto);
	assert_int_equal(p.ua_expire_s, 20);
	expect_accept(&p, "SS_SIP_USER_AGENT_EXPIRE", "7200");
	expect_accept(&p, "SS_SIP_NAT_KEEP_ALIVE_PERIOD", "10");
	expect_accept(&p, "SS_SIP_NAT_KEEP_ALIVE_PERIOD", "86400");
	expect_accept(&p, "SS_SIP_AUTHENTICATION_CODE", "407");
	assert_int_equal(p.auth_code, SF_AUTH_CODE_407);
	expect_accept(&p, "SS_SIP_AUTHENTICATION_CODE", "\"407 Proxy Authentication Required\"");
	assert_int_equal(p.auth_code, SF_AUTH_CODE_407);
	expect_accept(&p, "SS_SIP_USER_AGENT_PRIVACY", "\"Id\"");
	assert_int_equal(p.ua_privacy, SF_UA_PRIVACY_ID);
	expect_accept(&p, "SS_SIP_USER_AGENT_PRIVACY", "\"none\"");
	assert_int_equal(p.ua_privacy, SF_UA_PRIVACY_NONE);
	expect_accept(&p, "SS_SIP_E164_DISPLAY_FROM", "\"E164\"");
	assert_int_equal(p.display_from, SF_DISPLAY_FROM_E164);
	expect_accept(&p, "SS_SIP_E164_DISPLAY_FROM", "\"Number Display\"");
	assert_int_equal(p.display_from, SF_DISPLAY_FROM_NUMBER);
}

/* Every integer parameter: bound-1 and bound+1 rejected naming value and range; bounds kept. */
static void
test_CFG_4_every_integer_param_bounds(void **state)
{
	char lo[32], hi[32], range[64];
	struct sf_params p;
	size_t i;

	(void)state;
	for (i = 0; i < N_OF(spec_bounds); i++) {
		const struct bound *b = &spec_bounds[i];
		uint32_t got;

		snprintf(range, sizeof(range), "%lld–%lld", b->lo, b->hi);
		snprintf(lo, sizeof(lo), "%lld", b->lo - 1);
		snprintf(hi, sizeof(hi), "%lld", b->hi + 1);
		expect_reject(b->name, lo, lo, range);
		expect_reject(b->name, hi, hi, range);
		snprintf(lo, sizeof(lo), "%lld", b->lo);
		snprintf(hi, sizeof(hi), "%lld", b->hi);
		expect_accept(&p, b->name, lo);
		memcpy(&got, (char *)&p + param_table_find(b->name)->off, sizeof(got));
		assert_int_equal(got, b->lo);
		expect_accept(&p, b->name, hi);
		memcpy(&got, (char *)&p + param_table_find(b->name)->off, sizeof(got));
		assert_int_equal(got, b->hi);
	}
}

/* Every parameter rejects a JSON object, naming the expected type and the allowed values. */
static void
test_CFG_4_every_param_rejects_wrong_type(void **state)
{
	char expected[256], allowed[256];
	size_t i;

	(void)state;
	for (i = 0; i < param_table_count(); i++) {
		const struct param_table_entry *e = param_table_at(i);

		param_table_allowed_text(e, allowed, sizeof(allowed));
		snprintf(expected, sizeof(expected), "expected %s", param_table_type_name(e));
		expect_reject(e->name, "{}", expected, allowed);
		expect_reject(e->name, "{\"a\": 1}", "found object", NULL);
		if (e->kind != PARAM_TABLE_SECONDS_LIST)
			expect_reject(e->name, "[1]", "found array", allowed);
		if (e->kind == PARAM_TABLE_UINT)
			expect_reject(e->name, "\"60\"", "found string \"60\"", "expected integer");
		if (e->kind == PARAM_TABLE_UINT || e->kind == PARAM_TABLE_ENUM)
			expect_reject(e->name, "null", "found null", allowed);
		if (e->kind != PARAM_TABLE_SECONDS_LIST && e->kind != PARAM_TABLE_TEXT &&
		    e->kind != PARAM_TABLE_HOST)
			expect_reject(e->name, "1.5", "found number 1.5", allowed);
	}
}

static void
test_CFG_4_switches_take_on_off_and_booleans(void **state)
{
	struct sf_params p;
	size_t i;

	(void)state;
	for (i = 0; i < param_table_count(); i++) {
		const struct param_table_entry *e = param_table_at(i);
		bool v;

		if (e->kind != PARAM_TABLE_SWITCH)
			continue;
		expect_reject(e->name, "\"Maybe\"", "\"Maybe\" is not allowed", "\"On\" / \"Off\"");
		expect_reject(e->name, "1", "expected switch", NULL);
		expect_accept(&p, e->name, "\"Off\"");
		memcpy(&v, (char *)&p + e->off, sizeof(v));
		assert_false(v);
		expect_accept(&p, e->name, "true");
		memcpy(&v, (char *)&p + e->off, sizeof(v));
		assert_true(v);
		expect_accept(&p, e->name, "\"off\"");
		memcpy(&v, (char *)&p + e->off, sizeof(v));
		assert_false(v);
		expect_accept(&p, e->name, "\"ON\"");
		memcpy(&v, (char *)&p + e->off, sizeof(v));
		assert_true(v);
	}
}

static void
test_CFG_5_auto_and_none_accepted(void **state)
{
	struct sf_params p;

	(void)state;
	expect_accept(&p, "SS_SIP_USER_AGENT_EXPIRE", "\"auto\"");
	assert_true(p.ua_expire_auto);
	assert_int_equal(p.ua_expire_s, 0);
	expect_accept(&p, "SS_GATEWAY_SWITCH_LIMIT", "null");
	assert_true(p.switch_limit_none);
	expect_accept(&p, "SS_GATEWAY_SWITCH_LIMIT", "0");
	assert_false(p.switch_limit_none);
	assert_int_equal(p.switch_limit, 0);
	expect_accept(&p, "SS_MAX_CALL_DURATION", "null");
	assert_true(p.max_call_duration_none);
	expect_accept(&p, "SS_MAX_CALL_DURATION", "\"None\"");
	assert_true(p.max_call_duration_none);
	expect_accept(&p, "SS_MAX_CALL_DURATION", "3600");
	assert_false(p.max_call_duration_none);
	assert_int_equal(p.max_call_duration_s, 3600);

	expect_reject("SS_SIP_USER_AGENT_EXPIRE", "null", "found null", "\"Auto Negotiation\"");
	expect_reject("SS_SIP_USER_AGENT_EXPIRE", "\"Sometimes\"", "\"Sometimes\"",
		      "\"Auto Negotiation\", or 20–7200");
	expect_reject("SS_GATEWAY_SWITCH_LIMIT", "\"Unlimited\"", "\"Unlimited\"",
		      "\"None\", or 0–100");
	expect_reject("SS_MAX_CALL_DURATION", "0", "0", "\"None\", or 1–604800");
}

static void
test_CFG_6_resend_list_string_and_array_equivalent(void **state)
{
	struct sf_params a, b;

	(void)state;
	expect_accept(&a, "SS_SIP_RESEND_INTERVAL", "\"0.5,1,2\"");
	expect_accept(&b, "SS_SIP_RESEND_INTERVAL", "[0.5, 1, 2]");
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(a.n_resend, 3);
	assert_int_equal(a.resend_ms[0], 500);
	assert_int_equal(a.resend_ms[1], 1000);
	assert_int_equal(a.resend_ms[2], 2000);
	assert_int_equal(a.resend_ms[3], 0);
	expect_accept(&b, "SS_SIP_RESEND_INTERVAL", "\" 0.5 , 1,2 \"");
	assert_memory_equal(&a, &b, sizeof(a));
	expect_accept(&a, "SS_SIP_RESEND_INTERVAL", "\"0.1,60\"");
	assert_int_equal(a.resend_ms[0], 100);
	assert_int_equal(a.resend_ms[1], 60000);
}

static void
test_CFG_6_resend_list_rejects_bad_entries(void **state)
{
	char many[512];
	size_t i, used = 0;

	(void)state;
	expect_reject("SS_SIP_RESEND_INTERVAL", "\"\"", "empty", "0.1–60");
	expect_reject("SS_SIP_RESEND_INTERVAL", "[]", "empty list", "1–32 entries");
	expect_reject("SS_SIP_RESEND_INTERVAL", "\"0.5,0,1\"", "entry 2 is \"0\"", "0.1–60");
	expect_reject("SS_SIP_RESEND_INTERVAL", "[0.5, -1]", "entry 2 is integer -1", "0.1–60");
	expect_reject("SS_SIP_RESEND_INTERVAL", "\"1,,2\"", "entry 2 is empty", NULL);
	expect_reject("SS_SIP_RESEND_INTERVAL", "\"1,2,\"", "entry 3 is empty", NULL);
	expect_reject("SS_SIP_RESEND_INTERVAL", "\"1,abc\"", "entry 2 is \"abc\"", NULL);
	expect_reject("SS_SIP_RESEND_INTERVAL", "[1, \"2\"]", "entry 2 is string \"2\"", NULL);
	expect_reject("SS_SIP_RESEND_INTERVAL", "\"60.5\"", "\"60.5\"", "0.1–60");
	expect_reject("SS_SIP_RESEND_INTERVAL", "\"0.09\"", "\"0.09\"", "0.1–60");
	expect_reject("SS_SIP_RESEND_INTERVAL", "4", "found integer 4", "comma string");

	used += (size_t)snprintf(many, sizeof(many), "\"1");
	for (i = 1; i < 33; i++)
		used += (size_t)snprintf(many + used, sizeof(many) - used, ",1");
	snprintf(many + used, sizeof(many) - used, "\"");
	expect_reject("SS_SIP_RESEND_INTERVAL", many, "more than 32 entries", NULL);
}

static void
test_resend_list_error_path_names_entry(void **state)
{
	struct sf_params p;
	struct cfg_error err;

	(void)state;
	param_table_defaults(&p);
	assert_int_equal(merge_one(&p, "SS_SIP_RESEND_INTERVAL", "[0.5, 1, 0]", &err), -EINVAL);
	assert_string_equal(err.path, "params.SS_SIP_RESEND_INTERVAL[2]");
}

/* ---- strings ---- */

static void
test_keepalive_message_bytes_and_empty_disables(void **state)
{
	char text[600];
	struct sf_params p;

	(void)state;
	expect_accept(&p, "SS_SIP_NAT_KEEP_ALIVE_MESSAGE", "\"\"");
	assert_int_equal(p.ka_message_len, 0);
	expect_accept(&p, "SS_SIP_NAT_KEEP_ALIVE_MESSAGE", "\"ping\\r\\n\"");
	assert_int_equal(p.ka_message_len, 6);
	assert_memory_equal(p.ka_message, "ping\r\n", 6);

	text[0] = '"';
	memset(text + 1, 'x', 512);
	strcpy(text + 513, "\"");
	expect_accept(&p, "SS_SIP_NAT_KEEP_ALIVE_MESSAGE", text);
	assert_int_equal(p.ka_message_len, 512);
	memset(text + 1, 'x', 513);
	strcpy(text + 514, "\"");
	expect_reject("SS_SIP_NAT_KEEP_ALIVE_MESSAGE", text, "513 bytes", "0–512 bytes");
	expect_reject("SS_SIP_NAT_KEEP_ALIVE_MESSAGE", "42", "expected string", NULL);
}

static void
test_local_domain_host_only(void **state)
{
	char text[300];
	struct sf_params p;

	(void)state;
	expect_accept(&p, "SS_LOCAL_IP_DOMAIN", "\"sip.example.com\"");
	assert_string_equal(p.local_domain, "sip.example.com");
	assert_int_equal(p.local_domain_len, 15);
	expect_accept(&p, "SS_LOCAL_IP_DOMAIN", "\"203.0.113.7\"");
	assert_string_equal(p.local_domain, "203.0.113.7");
	expect_reject("SS_LOCAL_IP_DOMAIN", "\"a b\"", "character 2", "domain name");
	expect_reject("SS_LOCAL_IP_DOMAIN", "\"x.com\\r\\nVia: evil\"", "character 6", NULL);

	text[0] = '"';
	memset(text + 1, 'a', 253);
	strcpy(text + 254, "\"");
	expect_accept(&p, "SS_LOCAL_IP_DOMAIN", text);
	assert_int_equal(p.local_domain_len, 253);
	assert_int_equal(p.local_domain[253], '\0');
	memset(text + 1, 'a', 254);
	strcpy(text + 255, "\"");
	expect_reject("SS_LOCAL_IP_DOMAIN", text, "254 bytes", "0–253");
}

/* ---- cross-parameter rules ---- */

static void
test_i32_keepalive_period_below_nat_expire(void **state)
{
	struct sf_params p, before;
	struct cfg_error err;

	(void)state;
	param_table_defaults(&p);
	memcpy(&before, &p, sizeof(p));
	assert_int_equal(merge_text(&p, "{\"SS_SIP_NAT_KEEP_ALIVE_PERIOD\": 300}", &err), -EINVAL);
	assert_string_equal(err.path, "params.SS_SIP_NAT_KEEP_ALIVE_PERIOD");
	assert_non_null(strstr(err.msg, "300 s must be below SS_ENDPOINT_NAT_EXPIRE = 300 s"));
	assert_int_equal(merge_text(&p, "{\"SS_ENDPOINT_NAT_EXPIRE\": 30}", &err), -EINVAL);
	assert_string_equal(err.path, "params.SS_SIP_NAT_KEEP_ALIVE_PERIOD");
	assert_memory_equal(&p, &before, sizeof(p));

	/* Both raised in one update: checked on the post-update values (I-32). */
	assert_int_equal(merge_text(&p, "{\"SS_SIP_NAT_KEEP_ALIVE_PERIOD\": 600, "
				    "\"SS_ENDPOINT_NAT_EXPIRE\": 3600}", &err), 0);
	assert_int_equal(p.ka_period_s, 600);
	assert_int_equal(p.endpoint_nat_expire_s, 3600);

	/* Keep-alives disabled by the empty message: the period no longer matters. */
	assert_int_equal(merge_text(&p, "{\"SS_SIP_NAT_KEEP_ALIVE_MESSAGE\": \"\", "
				    "\"SS_SIP_NAT_KEEP_ALIVE_PERIOD\": 86400}", &err), 0);
	assert_int_equal(param_table_check(&p, &err, NULL), 0);
}

/*
 * KA-14 (I-32): the range 10-86400 first, then PERIOD < SS_ENDPOINT_NAT_EXPIRE on the
 * post-update values; a rejected update changes nothing.
 */
static void
test_KA_14_period_range_and_below_nat_expire(void **state)
{
	struct sf_params p, before;
	struct cfg_error err;

	(void)state;
	param_table_defaults(&p); /* keep-alives on (HELLO), NAT_EXPIRE 300 */
	memcpy(&before, &p, sizeof(p));
	memset(&err, 0, sizeof(err));
	assert_int_equal(merge_text(&p, "{\"SS_SIP_NAT_KEEP_ALIVE_PERIOD\": 9}", &err), -EINVAL);
	assert_string_equal(err.path, "params.SS_SIP_NAT_KEEP_ALIVE_PERIOD");
	assert_non_null(strstr(err.msg, "9"));
	assert_memory_equal(&p, &before, sizeof(p));
	memset(&err, 0, sizeof(err));
	assert_int_equal(merge_text(&p, "{\"SS_SIP_NAT_KEEP_ALIVE_PERIOD\": 86401}", &err),
			 -EINVAL);
	assert_string_equal(err.path, "params.SS_SIP_NAT_KEEP_ALIVE_PERIOD");
	assert_non_null(strstr(err.msg, "86401"));
	assert_memory_equal(&p, &before, sizeof(p));
	/* Rejected for the range even with keep-alives off (the range is checked first). */
	assert_int_equal(merge_text(&p, "{\"SS_SIP_NAT_KEEP_ALIVE_MESSAGE\": \"\", "
				    "\"SS_SIP_NAT_KEEP_ALIVE_PERIOD\": 9}", &err), -EINVAL);
	assert_memory_equal(&p, &before, sizeof(p));

	/* PERIOD 300 while NAT_EXPIRE is 300: not below it. */
	assert_int_equal(p.endpoint_nat_expire_s, 300);
	memset(&err, 0, sizeof(err));
	assert_int_equal(merge_text(&p, "{\"SS_SIP_NAT_KEEP_ALIVE_PERIOD\": 300}", &err), -EINVAL);
	assert_string_equal(err.path, "params.SS_SIP_NAT_KEEP_ALIVE_PERIOD");
	assert_non_null(strstr(err.msg, "300 s must be below SS_ENDPOINT_NAT_EXPIRE = 300 s"));
	assert_non_null(strstr(err.msg, "I-32"));
	assert_memory_equal(&p, &before, sizeof(p));

	/* PERIOD 300 together with NAT_EXPIRE 900 in one update: accepted. */
	memset(&err, 0, sizeof(err));
	assert_int_equal(merge_text(&p, "{\"SS_SIP_NAT_KEEP_ALIVE_PERIOD\": 300, "
				    "\"SS_ENDPOINT_NAT_EXPIRE\": 900}", &err), 0);
	assert_int_equal(p.ka_period_s, 300);
	assert_int_equal(p.endpoint_nat_expire_s, 900);
	assert_int_equal(param_table_check(&p, &err, NULL), 0);
}

/* KA-15 (I-7): PERIOD 120 with NAT_EXPIRE 300 is above one fifth: accepted, with a warning. */
static void
test_KA_15_period_above_fifth_of_nat_expire_warns(void **state)
{
	struct sf_params p;
	struct cfg_error err;
	json_t *w = json_array();
	const char *msg = NULL;
	size_t i;

	(void)state;
	param_table_defaults(&p);
	memset(&err, 0, sizeof(err));
	assert_int_equal(merge_text(&p, "{\"SS_SIP_NAT_KEEP_ALIVE_PERIOD\": 120, "
				    "\"SS_ENDPOINT_NAT_EXPIRE\": 300}", &err), 0);
	assert_int_equal(p.ka_period_s, 120);
	assert_int_equal(param_table_check(&p, &err, w), 0);
	assert_int_equal(count_warnings_on(&p, "SS_SIP_NAT_KEEP_ALIVE_PERIOD"), 1);
	for (i = 0; i < json_array_size(w); i++) {
		json_t *x = json_array_get(w, i);

		if (strcmp(json_string_value(json_object_get(x, "path")),
			   "params.SS_SIP_NAT_KEEP_ALIVE_PERIOD") == 0)
			msg = json_string_value(json_object_get(x, "message"));
	}
	assert_non_null(msg);
	assert_non_null(strstr(msg, "120 s is above SS_ENDPOINT_NAT_EXPIRE / 5 = 60 s"));
	json_decref(w);
	/* At one fifth exactly: no warning. */
	assert_int_equal(merge_text(&p, "{\"SS_SIP_NAT_KEEP_ALIVE_PERIOD\": 60}", &err), 0);
	assert_int_equal(count_warnings_on(&p, "SS_SIP_NAT_KEEP_ALIVE_PERIOD"), 0);
}

static void
test_cross_error_in_whole_document(void **state)
{
	struct sf_params p;
	struct cfg_error err;
	json_t *doc = load("{\"SS_SIP_NAT_KEEP_ALIVE_PERIOD\": 100, "
			   "\"SS_ENDPOINT_NAT_EXPIRE\": 100}");

	(void)state;
	memset(&p, 0xa5, sizeof(p));
	assert_int_equal(param_table_parse(doc, &p, &err), -EINVAL);
	assert_string_equal(err.path, "params.SS_SIP_NAT_KEEP_ALIVE_PERIOD");
	assert_int_equal(p.ka_period_s, 0xa5a5a5a5u);
	json_decref(doc);
}

/*
 * CFG-7 (I-7): each advisory rule warns on its key and the update is still accepted (merge
 * returns 0 and the value is set). The last CFG-7 case, keep-alive capacity below the NAT
 * binding count, depends on the live binding count, so it is a run-time warning: the live
 * KA-7 checks in tests/integration/t_keepalive.sh cover it.
 */
static void
test_CFG_7_warnings_without_rejection(void **state)
{
	struct sf_params p;

	(void)state;
	/* The seed's own defaults break timeout >= 3 x retry: warned, not rejected (I-7). */
	param_table_defaults(&p);
	assert_int_equal(count_warnings_on(&p, "SS_SIP_AUTHENTICATION_TIMEOUT"), 1);
	assert_int_equal(count_warnings_on(&p, "SS_SIP_AUTHENTICATION_RETRY"), 0);
	assert_int_equal(count_warnings_on(&p, "SS_SIP_NO_TIMER_REINVITE_INTERVAL"), 0);
	assert_int_equal(count_warnings_on(&p, "SS_SIP_NAT_KEEP_ALIVE_PERIOD"), 0);
	assert_int_equal(count_warnings_on(&p, "SS_SIP_SESSION_UPDATE_SEGMENT"), 0);
	assert_int_equal(count_warnings_on(&p, "SS_SIP_SESSION_TIMEOUT_EARLY_HANGUP"), 0);

	assert_int_equal(merge_text(&p, "{\"SS_SIP_AUTHENTICATION_RETRY\": 11, "
				    "\"SS_SIP_AUTHENTICATION_TIMEOUT\": 32}", NULL), 0);
	assert_int_equal(count_warnings_on(&p, "SS_SIP_AUTHENTICATION_RETRY"), 1);
	assert_int_equal(count_warnings_on(&p, "SS_SIP_AUTHENTICATION_TIMEOUT"), 1);
	assert_int_equal(merge_text(&p, "{\"SS_SIP_AUTHENTICATION_RETRY\": 3, "
				    "\"SS_SIP_AUTHENTICATION_TIMEOUT\": 9}", NULL), 0);
	assert_int_equal(count_warnings_on(&p, "SS_SIP_AUTHENTICATION_RETRY"), 0);
	assert_int_equal(count_warnings_on(&p, "SS_SIP_AUTHENTICATION_TIMEOUT"), 0);

	assert_int_equal(merge_text(&p, "{\"SS_SIP_NO_TIMER_REINVITE_INTERVAL\": 1799}", NULL), 0);
	assert_int_equal(count_warnings_on(&p, "SS_SIP_NO_TIMER_REINVITE_INTERVAL"), 1);
	assert_int_equal(merge_text(&p, "{\"SS_SIP_NAT_KEEP_ALIVE_PERIOD\": 61}", NULL), 0);
	assert_int_equal(count_warnings_on(&p, "SS_SIP_NAT_KEEP_ALIVE_PERIOD"), 1);
	assert_int_equal(merge_text(&p, "{\"SS_SIP_NAT_KEEP_ALIVE_PERIOD\": 60}", NULL), 0);
	assert_int_equal(count_warnings_on(&p, "SS_SIP_NAT_KEEP_ALIVE_PERIOD"), 0);
	assert_int_equal(merge_text(&p, "{\"SS_SIP_SESSION_UPDATE_SEGMENT\": 1}", NULL), 0);
	assert_int_equal(count_warnings_on(&p, "SS_SIP_SESSION_UPDATE_SEGMENT"), 1);
}

static void
test_i27_early_hangup_beyond_refresh_point_warned(void **state)
{
	struct sf_params p;

	(void)state;
	param_table_defaults(&p);
	assert_int_equal(merge_text(&p, "{\"SS_SIP_SESSION_TIMEOUT_EARLY_HANGUP\": 300}", NULL), 0);
	assert_int_equal(count_warnings_on(&p, "SS_SIP_SESSION_TIMEOUT_EARLY_HANGUP"), 0);
	assert_int_equal(merge_text(&p, "{\"SS_SIP_SESSION_TIMEOUT_EARLY_HANGUP\": 301}", NULL), 0);
	assert_int_equal(count_warnings_on(&p, "SS_SIP_SESSION_TIMEOUT_EARLY_HANGUP"), 1);
}

static void
test_i30_keepalive_capacity(void **state)
{
	struct sf_params p;

	(void)state;
	param_table_defaults(&p);
	assert_int_equal(param_table_keepalive_capacity(&p), 180000);
	assert_int_equal(merge_text(&p, "{\"SS_SIP_NAT_KEEP_ALIVE_SEND_INTERVAL\": 7, "
				    "\"SS_SIP_NAT_KEEP_ALIVE_SEND_ONE_TIME\": 2}", NULL), 0);
	assert_int_equal(param_table_keepalive_capacity(&p), 4286 * 2); /* ceil(30000 / 7) */
}

/* ---- API shape ---- */

static void
test_merge_at_prefix_and_non_object(void **state)
{
	struct sf_params p;
	struct cfg_error err;
	json_t *v = load("{\"SS_ENDPOINT_EXPIRE\": 19}");
	json_t *s = load("\"SS_ENDPOINT_EXPIRE\"");

	(void)state;
	param_table_defaults(&p);
	assert_int_equal(param_table_merge_at(v, &p, "accounts[2].params", &err), -EINVAL);
	assert_string_equal(err.path, "accounts[2].params.SS_ENDPOINT_EXPIRE");
	assert_int_equal(param_table_parse(s, &p, &err), -EINVAL);
	assert_string_equal(err.path, "params");
	assert_non_null(strstr(err.msg, "found string"));
	assert_int_equal(param_table_parse(NULL, &p, NULL), -EINVAL);
	json_decref(v);
	json_decref(s);
}

/*
 * CFG-10: in an override (param_table_merge_at, e.g. accounts[0].params) a member set to null
 * clears it: the value the override started from (the global) stays. In the global "params"
 * (param_table_merge) null keeps its meaning: "None" for SS_GATEWAY_SWITCH_LIMIT, refused for
 * an integer. Regression: before, a null override was refused ("found null").
 */
static void
test_CFG_10_null_override_keeps_the_global(void **state)
{
	struct sf_params globals, p;
	struct cfg_error err;
	json_t *v;

	(void)state;
	param_table_defaults(&globals);
	assert_int_equal(merge_text(&globals, "{\"SS_SIP_TIMEOUT_RINGING\": 90, "
				    "\"SS_GATEWAY_SWITCH_LIMIT\": 3}", NULL), 0);
	memcpy(&p, &globals, sizeof(p));
	v = load("{\"SS_SIP_TIMEOUT_RINGING\": null, \"SS_GATEWAY_SWITCH_LIMIT\": null, "
		 "\"SS_SIP_TIMEOUT_TRYING\": 25}");
	memset(&err, 0, sizeof(err));
	if (param_table_merge_at(v, &p, "accounts[0].params", &err) != 0)
		fail_msg("null override refused: %s: %s", err.path, err.msg);
	json_decref(v);
	assert_int_equal(p.timeout_ringing_s, 90);
	assert_false(p.switch_limit_none);
	assert_int_equal(p.switch_limit, 3);
	assert_int_equal(p.timeout_trying_s, 25);
	globals.timeout_trying_s = 25;
	assert_memory_equal(&p, &globals, sizeof(p));

	/* Global params: null is "None" for the switch limit and refused for an integer. */
	assert_int_equal(merge_text(&p, "{\"SS_GATEWAY_SWITCH_LIMIT\": null}", NULL), 0);
	assert_true(p.switch_limit_none);
	assert_int_equal(merge_text(&p, "{\"SS_SIP_TIMEOUT_RINGING\": null}", &err), -EINVAL);
	assert_string_equal(err.path, "params.SS_SIP_TIMEOUT_RINGING");
}

static void
test_non_default_values_round_trip(void **state)
{
	struct sf_params p, q;
	struct cfg_error err;
	json_t *out, *in = load(
		"{\"SS_REPLY_UNAUTHORIZED\": false, \"SS_SIP_AUTHENTICATION_CODE\": 407,"
		" \"SS_SIP_USER_AGENT_EXPIRE\": 300, \"SS_SIP_USER_AGENT_PRIVACY\": \"id\","
		" \"SS_SIP_RESEND_INTERVAL\": [0.25, 1.5, 0.1, 60],"
		" \"SS_GATEWAY_SWITCH_LIMIT\": 3, \"SS_MAX_CALL_DURATION\": 7200,"
		" \"SS_SIP_E164_DISPLAY_FROM\": \"E164 Display\", \"SS_LOCAL_IP_DOMAIN\": \"a.b\","
		" \"SS_SIP_NAT_KEEP_ALIVE_MESSAGE\": \"\"}");

	(void)state;
	assert_int_equal(param_table_parse(in, &p, &err), 0);
	out = param_table_to_json(&p);
	assert_string_equal(json_string_value(json_object_get(out, "SS_REPLY_UNAUTHORIZED")),
			    "Off");
	assert_string_equal(json_string_value(json_object_get(out, "SS_SIP_AUTHENTICATION_CODE")),
			    "407 Proxy Authentication Required");
	assert_int_equal(json_integer_value(json_object_get(out, "SS_SIP_USER_AGENT_EXPIRE")), 300);
	assert_string_equal(json_string_value(json_object_get(out, "SS_SIP_USER_AGENT_PRIVACY")),
			    "Id");
	assert_string_equal(json_string_value(json_object_get(out, "SS_SIP_RESEND_INTERVAL")),
			    "0.25,1.5,0.1,60");
	assert_string_equal(json_string_value(json_object_get(out, "SS_SIP_E164_DISPLAY_FROM")),
			    "E164");
	assert_int_equal(param_table_parse(out, &q, &err), 0);
	assert_memory_equal(&p, &q, sizeof(p));
	json_decref(in);
	json_decref(out);
}

static void
test_CFG_9_describe_for_sipfastctl_get(void **state)
{
	json_t *d, *all;

	(void)state;
	d = param_table_describe("SS_ENDPOINT_EXPIRE");
	assert_non_null(d);
	assert_string_equal(json_string_value(json_object_get(d, "name")), "SS_ENDPOINT_EXPIRE");
	assert_string_equal(json_string_value(json_object_get(d, "type")), "integer");
	assert_int_equal(json_integer_value(json_object_get(d, "default")), 3600);
	assert_string_equal(json_string_value(json_object_get(d, "unit")), "s");
	assert_string_equal(json_string_value(json_object_get(d, "allowed")), "20–86400 s (I-35)");
	assert_non_null(json_string_value(json_object_get(d, "description")));
	assert_true(json_is_true(json_object_get(d, "new_sessions_only")));
	json_decref(d);

	/* Existing calls keep the old no-timer cap (seed); unknown-source replies change now. */
	d = param_table_describe("SS_SIP_NO_TIMER_REINVITE_INTERVAL");
	assert_true(json_is_true(json_object_get(d, "new_sessions_only")));
	json_decref(d);
	d = param_table_describe("SS_REPLY_UNAUTHORIZED");
	assert_true(json_is_false(json_object_get(d, "new_sessions_only")));
	assert_string_equal(json_string_value(json_object_get(d, "default")), "On");
	json_decref(d);

	assert_null(param_table_describe("SS_NOPE"));
	all = param_table_describe(NULL);
	assert_int_equal(json_array_size(all), 41);
	json_decref(all);
}

static void
test_json_from_text_for_sipfastctl_set(void **state)
{
	json_t *v;

	(void)state;
	v = param_table_json_from_text("60");
	assert_true(json_is_integer(v));
	json_decref(v);
	v = param_table_json_from_text("Off");
	assert_string_equal(json_string_value(v), "Off");
	json_decref(v);
	v = param_table_json_from_text("0.5,1,2");
	assert_string_equal(json_string_value(v), "0.5,1,2");
	json_decref(v);
	v = param_table_json_from_text("null");
	assert_true(json_is_null(v));
	json_decref(v);
	v = param_table_json_from_text("Auto Negotiation");
	assert_string_equal(json_string_value(v), "Auto Negotiation");
	json_decref(v);
}

/* ---- config/README.md carries exactly what sf-param-doc generates ---- */

static char *
read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long len;

	if (f == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len >= 0);
	rewind(f);
	buf = calloc(1, (size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return buf;
}

static void
test_readme_matches_generator(void **state)
{
	static const char begin_mark[] = "<!-- BEGIN PARAMS (generated by sf-param-doc) -->\n";
	const char *path = getenv("SF_CONFIG_README");
	char *readme, *gen = NULL, *begin, *end;
	size_t gen_len = 0;
	FILE *mem;

	(void)state;
	if (path == NULL)
		fail_msg("SF_CONFIG_README is not set (run through meson test)");
	readme = read_file(path);
	begin = strstr(readme, begin_mark);
	assert_non_null(begin);
	begin += strlen(begin_mark);
	end = strstr(begin, "<!-- END PARAMS -->");
	assert_non_null(end);
	*end = '\0';

	mem = open_memstream(&gen, &gen_len);
	assert_non_null(mem);
	assert_int_equal(param_table_write_markdown(mem), 0);
	fclose(mem);
	if (strcmp(begin, gen) != 0)
		fail_msg("config/README.md is stale: run sf-param-doc --update config/README.md "
			 "(ninja param-doc)");
	free(gen);
	free(readme);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_has_the_41_spec_names),
		cmocka_unit_test(test_defaults_are_the_seeds),
		cmocka_unit_test(test_defaults_in_seed_form),
		cmocka_unit_test(test_every_default_round_trips),
		cmocka_unit_test(test_CFG_1_valid_update_applies),
		cmocka_unit_test(test_CFG_2_one_bad_value_rejects_whole_update),
		cmocka_unit_test(test_CFG_3_unknown_key_rejected_with_suggestion),
		cmocka_unit_test(test_CFG_4_range_checks_and_boundaries),
		cmocka_unit_test(test_CFG_4_every_integer_param_bounds),
		cmocka_unit_test(test_CFG_4_every_param_rejects_wrong_type),
		cmocka_unit_test(test_CFG_4_switches_take_on_off_and_booleans),
		cmocka_unit_test(test_CFG_5_auto_and_none_accepted),
		cmocka_unit_test(test_CFG_6_resend_list_string_and_array_equivalent),
		cmocka_unit_test(test_CFG_6_resend_list_rejects_bad_entries),
		cmocka_unit_test(test_resend_list_error_path_names_entry),
		cmocka_unit_test(test_keepalive_message_bytes_and_empty_disables),
		cmocka_unit_test(test_local_domain_host_only),
		cmocka_unit_test(test_i32_keepalive_period_below_nat_expire),
		cmocka_unit_test(test_KA_14_period_range_and_below_nat_expire),
		cmocka_unit_test(test_KA_15_period_above_fifth_of_nat_expire_warns),
		cmocka_unit_test(test_cross_error_in_whole_document),
		cmocka_unit_test(test_CFG_7_warnings_without_rejection),
		cmocka_unit_test(test_i27_early_hangup_beyond_refresh_point_warned),
		cmocka_unit_test(test_i30_keepalive_capacity),
		cmocka_unit_test(test_merge_at_prefix_and_non_object),
		cmocka_unit_test(test_CFG_10_null_override_keeps_the_global),
		cmocka_unit_test(test_non_default_values_round_trip),
		cmocka_unit_test(test_CFG_9_describe_for_sipfastctl_get),
		cmocka_unit_test(test_json_from_text_for_sipfastctl_set),
		cmocka_unit_test(test_readme_matches_generator),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
