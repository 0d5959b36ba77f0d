/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The global parameter table (PARAMETERS.md section 0) and everything derived from it:
 * defaults, JSON parsing and validation, cross-parameter rules, JSON output and the Markdown
 * reference in config/README.md. Main lcore only; nothing here is on the packet path.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctrlplane/param_table.h"

#define LIST_ENTRY_MIN_MS 100     /* SS_SIP_RESEND_INTERVAL entry bounds, 0.1-60 s (I-35) */
#define LIST_ENTRY_MAX_MS 60000
#define LIST_TEXT_MAX 1024        /* longest comma string we read */
#define PATH_MAX_LEN sizeof(((struct cfg_error *)0)->path)
#define FOUND_MAX 64              /* how much of an offending value a message quotes */
#define SUGGEST_KEY_MAX 64        /* no suggestion for longer keys */

#define FIELD(f) offsetof(struct sf_params, f)

static const char *const words_auth_code[] = {
	"401 Unauthorized", "407 Proxy Authentication Required", "401", "407", NULL,
};
static const int values_auth_code[] = { 401, 407, 401, 407 };

static const char *const words_privacy[] = { "Ignore", "Id", "None", NULL };
static const int values_privacy[] = {
	SF_UA_PRIVACY_IGNORE, SF_UA_PRIVACY_ID, SF_UA_PRIVACY_NONE,
};

static const char *const words_display[] = {
	"Ignore", "E164", "Number", "E164 Display", "Number Display", NULL,
};
static const int values_display[] = {
	SF_DISPLAY_FROM_IGNORE, SF_DISPLAY_FROM_E164, SF_DISPLAY_FROM_NUMBER,
	SF_DISPLAY_FROM_E164, SF_DISPLAY_FROM_NUMBER,
};

_Static_assert(sizeof(enum sf_auth_code) == sizeof(int), "enum fields are stored as int");
_Static_assert(sizeof(enum sf_ua_privacy) == sizeof(int), "enum fields are stored as int");
_Static_assert(sizeof(enum sf_display_from) == sizeof(int), "enum fields are stored as int");

/* Row builders: keep each row of the table on a few lines. */
#define P_SWITCH(n, ar, f, d, ap, sp, ds)                                                      \
	{ .name = #n, .area = ar, .kind = PARAM_TABLE_SWITCH, .def = d, .unit = "switch",      \
	  .apply = ap, .spec = sp, .desc = ds, .off = FIELD(f) }
#define P_UINT(n, ar, f, d, u, lo, hi, ours, ap, sp, ds)                                       \
	{ .name = #n, .area = ar, .kind = PARAM_TABLE_UINT, .def = d, .unit = u, .min = lo,    \
	  .max = hi, .bound_is_ours = ours, .apply = ap, .spec = sp, .desc = ds,               \
	  .off = FIELD(f) }
#define P_FLAGGED(n, ar, k, f, flag, d, u, lo, hi, ours, ap, sp, ds)                           \
	{ .name = #n, .area = ar, .kind = k, .def = d, .unit = u, .min = lo, .max = hi,        \
	  .bound_is_ours = ours, .apply = ap, .spec = sp, .desc = ds, .off = FIELD(f),         \
	  .aux_off = FIELD(flag) }
#define P_ENUM(n, ar, f, d, u, w, wv, ap, sp, ds)                                              \
	{ .name = #n, .area = ar, .kind = PARAM_TABLE_ENUM, .def = d, .unit = u, .words = w,   \
	  .word_values = wv, .apply = ap, .spec = sp, .desc = ds, .off = FIELD(f) }

#define NOW PARAM_TABLE_APPLY_NOW
#define CALLS PARAM_TABLE_APPLY_NEW_CALLS
#define AUTH PARAM_TABLE_APPLY_NEW_AUTH
#define REG PARAM_TABLE_APPLY_NEXT_REGISTER
#define UAC PARAM_TABLE_APPLY_NEXT_UAC
#define CYCLE PARAM_TABLE_APPLY_NEXT_CYCLE

static const struct param_table_entry param_table[] = {
	/* (a) security */
	P_SWITCH(SS_REPLY_UNAUTHORIZED, 'a', reply_unauthorized, "\"On\"", NOW, "I-1, I-2, I-3",
		 "Answer requests from unrecognised sources (challenge or 403); Off drops them "
		 "silently, final rejections included."),
	P_ENUM(SS_SIP_AUTHENTICATION_CODE, 'a', auth_code, "\"401 Unauthorized\"", "SIP code",
	       words_auth_code, values_auth_code, AUTH, "I-2",
	       "Challenge code: 401 with WWW-Authenticate, or 407 with Proxy-Authenticate."),
	P_UINT(SS_SIP_AUTHENTICATION_RETRY, 'a', auth_retry, "6", "count", 1, 100, true, AUTH,
	       "I-4, I-7, I-35",
	       "Failed credentialed attempts per authentication session (the last is finally "
	       "rejected); also how often we answer a 401/407 to our own request."),
	P_UINT(SS_SIP_AUTHENTICATION_TIMEOUT, 'a', auth_timeout_s, "10", "s", 1, 300, true, AUTH,
	       "I-5, I-7, I-35",
	       "Lifetime of an inbound authentication session, counted from its first challenge."),
	P_UINT(SS_AUTHENTICATION_MAX_RETRY, 'a', auth_max_retry, "6", "count", 0, 999, false, NOW,
	       "I-6",
	       "Consecutive failed digest checks on non-REGISTER requests per (source IP, user) "
	       "before suspension; 0 disables the lockout."),
	P_UINT(SS_AUTHENTICATION_FAILED_SUSPEND, 'a', auth_failed_suspend_s, "180", "s", 60, 3600,
	       false, AUTH, "I-6",
	       "Fixed suspension window after SS_AUTHENTICATION_MAX_RETRY failures."),
	P_UINT(SS_ENDPOINT_REGISTER_RETRY, 'a', register_retry, "6", "count", 0, 999, true, NOW,
	       "I-6, I-35",
	       "Consecutive failed REGISTER authentications per (source IP, user) before "
	       "suspension; 0 disables the lockout."),
	P_UINT(SS_ENDPOINT_REGISTER_SUSPEND, 'a', register_suspend_s, "180", "s", 60, 3600, true,
	       AUTH, "I-6, I-35",
	       "Fixed suspension window after SS_ENDPOINT_REGISTER_RETRY failures."),
	/* (b) inbound registrar */
	P_UINT(SS_ENDPOINT_EXPIRE, 'b', endpoint_expire_s, "3600", "s", 20, 86400, true, REG,
	       "I-8, I-35",
	       "Registration lifetime cap for terminals not behind NAT; a REGISTER without "
	       "Expires gets the cap (the seed's default reads \"300 / 3600\")."),
	P_UINT(SS_ENDPOINT_NAT_EXPIRE, 'b', endpoint_nat_expire_s, "300", "s", 20, 86400, true,
	       REG, "I-8, I-32, I-35",
	       "Registration lifetime cap for terminals behind NAT; the keep-alive period must "
	       "be below it."),
	P_SWITCH(SS_ENDPOINT_REGISTER_REPLACE, 'b', register_replace, "\"On\"", REG, "I-9",
		 "A REGISTER from a new contact replaces the live binding; Off answers it 403 "
		 "while the old binding lives."),
	/* (c) outbound registration */
	P_FLAGGED(SS_SIP_USER_AGENT_EXPIRE, 'c', PARAM_TABLE_UINT_AUTO, ua_expire_s,
		  ua_expire_auto, "\"Auto Negotiation\"", "s", 20, 7200, false, UAC, "I-10",
		  "Expires we ask for when registering upstream; Auto asks 3600 s and adopts the "
		  "grant. Refresh at 50 %."),
	P_UINT(SS_SIP_USER_AGENT_RETRY_DELAY, 'c', ua_retry_delay_s, "60", "s", 30, 600, false,
	       UAC, "I-11",
	       "Fixed wait after a failed outbound registration before the next attempt."),
	P_SWITCH(SS_SIP_USER_AGENT_SEND_UNREGISTER, 'c', ua_send_unregister, "\"On\"", NOW,
		 "I-12",
		 "Send REGISTER with expiry 0 for live outbound registrations on graceful stop "
		 "or when an entry is removed."),
	P_ENUM(SS_SIP_USER_AGENT_PRIVACY, 'c', ua_privacy, "\"Ignore\"", "enum", words_privacy,
	       values_privacy, CALLS, "I-13",
	       "Privacy on our REGISTERs and default for gateway INVITEs: Ignore = no header, "
	       "Id = Privacy: id, None = Privacy: none."),
	/* (d) call setup */
	P_SWITCH(SS_SIP_USER_AGENT_STOP_SWITCH_AFTER_INVITE_TIMEOUT, 'd',
		 stop_switch_after_invite_timeout, "\"Off\"", CALLS, "I-14, I-18",
		 "On: an INVITE timeout ends the call with 408 instead of trying the next "
		 "gateway."),
	P_UINT(SS_SIP_TIMEOUT_INVITE, 'd', timeout_invite_s, "10", "s", 1, 300, true, CALLS,
	       "I-16, I-35",
	       "Wait for any response to an INVITE sent to a gateway; stops at the first "
	       "provisional."),
	{ .name = "SS_SIP_RESEND_INTERVAL", .area = 'd', .kind = PARAM_TABLE_SECONDS_LIST,
	  .def = "\"0.5,1,2,4,4,4,4,4,4,4\"", .unit = "s (list)", .min = 1,
	  .max = SF_PARAMS_RESEND_MAX, .bound_is_ours = true, .apply = CALLS, .spec = "I-15, I-35",
	  .desc = "UDP retransmission schedule of our requests and 2xx: entry n = wait after "
		  "transmission n; length = maximum transmissions.",
	  .off = FIELD(resend_ms), .aux_off = FIELD(n_resend) },
	P_UINT(SS_SIP_TIMEOUT_TRYING, 'd', timeout_trying_s, "20", "s", 1, 3600, true, CALLS,
	       "I-17, I-35", "After 100 Trying, wait for 180/183/200; then CANCEL (switchable)."),
	P_UINT(SS_SIP_TIMEOUT_SESSION_PROGRESS, 'd', timeout_progress_s, "20", "s", 1, 3600, true,
	       CALLS, "I-17, I-35",
	       "After 183 without SDP, wait for 180/200; then CANCEL (switchable)."),
	P_UINT(SS_SIP_TIMEOUT_SESSION_PROGRESS_SDP, 'd', timeout_progress_sdp_s, "120", "s", 1,
	       3600, true, CALLS, "I-17, I-35",
	       "After 183 with SDP (early media), wait for 180/200; then CANCEL."),
	P_UINT(SS_SIP_TIMEOUT_RINGING, 'd', timeout_ringing_s, "120", "s", 1, 3600, true, CALLS,
	       "I-17, I-35", "After 180 Ringing, wait for 200 OK; then CANCEL (no answer)."),
	P_SWITCH(SS_SIP_STOP_SWITCH_AFTER_SDP, 'd', stop_switch_after_sdp, "\"On\"", CALLS, "I-19",
		 "The first provisional with SDP commits the call to the current gateway."),
	P_FLAGGED(SS_GATEWAY_SWITCH_LIMIT, 'd', PARAM_TABLE_UINT_NONE, switch_limit,
		  switch_limit_none, "\"None\"", "switches", 0, 100, true, CALLS, "I-19, I-35",
		  "Switches after the first gateway (N = at most N+1 gateways per call); None = "
		  "only the candidate list limits."),
	P_SWITCH(SS_GATEWAY_SWITCH_STOP_AFTER_RTP_START, 'd', switch_stop_after_rtp, "\"On\"",
		 CALLS, "I-19",
		 "Media seen from the current gateway commits the call (needs the media relay)."),
	P_SWITCH(SS_GATEWAY_SWITCH_STOP_AFTER_USER_BUSY, 'd', switch_stop_after_busy, "\"On\"",
		 CALLS, "I-19", "486 Busy Here ends the call with 486 instead of switching."),
	P_SWITCH(SS_GATEWAY_SWITCH_UNTIL_CONNECT, 'd', switch_until_connect, "\"Off\"", CALLS,
		 "I-19",
		 "Every pre-answer failure is switchable, also after SDP/RTP and on ringing "
		 "timeout."),
	P_UINT(IVR_RINGING_TIMEOUT, 'd', ivr_ringing_timeout_s, "120", "s", 1, 3600, true, CALLS,
	       "I-35",
	       "IVR-originated transfers hang up after this long unanswered; not used on "
	       "gateway legs."),
	/* (e) header construction */
	P_ENUM(SS_SIP_E164_DISPLAY_FROM, 'e', display_from, "\"Ignore\"", "enum", words_display,
	       values_display, CALLS, "I-20, I-21",
	       "From display name on outgoing INVITEs: Ignore = copied, E164 = +number, "
	       "Number = number without +."),
	P_FLAGGED(SS_LOCAL_IP_DOMAIN, 'e', PARAM_TABLE_HOST, local_domain, local_domain_len, "\"\"",
		  "domain/IP", 0, SF_PARAMS_LOCAL_DOMAIN_MAX - 1, true, CALLS, "I-23, I-35",
		  "From URI host for gateways with local domain name enabled; empty = the local "
		  "IP (seed default not stated)."),
	P_SWITCH(SS_SIP_ROUTING_GATEWAY_INVITE_USE_CONTACT, 'e', invite_use_contact, "\"Off\"",
		 CALLS, "I-25",
		 "On: To keeps the callee number as received while the Request-URI carries the "
		 "routed number."),
	/* (f) in-call timers */
	P_UINT(SS_SIP_SESSION_TTL, 'f', session_ttl_s, "600", "s", 90, 86400, true, CALLS,
	       "I-26, I-35",
	       "Session interval offered/accepted for timer-capable calls (min with the "
	       "caller's)."),
	P_UINT(SS_SIP_SESSION_UPDATE_SEGMENT, 'f', session_update_segment, "2", "count", 1, 10,
	       true, CALLS, "I-26, I-35",
	       "Refreshes per session interval: re-INVITE or UPDATE every TTL/segment seconds."),
	P_UINT(SS_SIP_SESSION_TIMEOUT_EARLY_HANGUP, 'f', session_early_hangup_s, "0", "s", 0,
	       86400, true, CALLS, "I-27, I-35",
	       "Hang up an unrefreshed session this long before it expires; 0 = at expiry."),
	P_UINT(SS_SIP_NO_TIMER_REINVITE_INTERVAL, 'f', no_timer_interval_s, "7200", "s", 60,
	       86400, true, CALLS, "I-28, I-35",
	       "Hard cap from answer for calls without session-timer support, then BYE both "
	       "legs."),
	P_FLAGGED(SS_MAX_CALL_DURATION, 'f', PARAM_TABLE_UINT_NONE, max_call_duration_s,
		  max_call_duration_none, "\"None\"", "s", 1, 604800, true, CALLS, "I-29, I-35",
		  "Cap from answer for every call, then BYE both legs; None = no cap."),
	/* (g) NAT keep-alive and media */
	P_FLAGGED(SS_SIP_NAT_KEEP_ALIVE_MESSAGE, 'g', PARAM_TABLE_TEXT, ka_message, ka_message_len,
		  "\"HELLO\"", "bytes", 0, SF_PARAMS_KA_MESSAGE_MAX, true, CYCLE, "I-31, I-35",
		  "Exact UDP payload sent to NAT bindings (no CRLF added); empty disables "
		  "keep-alives."),
	P_UINT(SS_SIP_NAT_KEEP_ALIVE_PERIOD, 'g', ka_period_s, "30", "s", 10, 86400, false, CYCLE,
	       "I-30, I-32",
	       "Keep-alive cycle: one message per NAT binding per period; must be below "
	       "SS_ENDPOINT_NAT_EXPIRE."),
	P_UINT(SS_SIP_NAT_KEEP_ALIVE_SEND_INTERVAL, 'g', ka_send_interval_ms, "500", "ms", 1,
	       10000, true, CYCLE, "I-30, I-35", "Pause between keep-alive batches in a cycle."),
	P_UINT(SS_SIP_NAT_KEEP_ALIVE_SEND_ONE_TIME, 'g', ka_send_one_time, "3000", "messages", 1,
	       100000, true, CYCLE, "I-30, I-31, I-35",
	       "Batch size: keep-alives sent per SEND_INTERVAL tick, system-wide."),
	P_SWITCH(SS_MEDIA_PROXY_BEHIND_NAT, 'g', media_proxy_behind_nat, "\"On\"", CALLS, "I-33",
		 "Relay RTP and rewrite SDP for call legs whose terminal is behind NAT."),
};

#undef NOW
#undef CALLS
#undef AUTH
#undef REG
#undef UAC
#undef CYCLE

#define N_PARAMS (sizeof(param_table) / sizeof(param_table[0]))
_Static_assert(sizeof(param_table) / sizeof(param_table[0]) == 41, "PARAMETERS.md lists 41");

/* ---- field access (offsetof + memcpy keeps the table generic without aliasing tricks) ---- */

static void
put_field(struct sf_params *p, size_t off, const void *v, size_t len)
{
	memcpy((char *)p + off, v, len);
}

static void
put_bool(struct sf_params *p, size_t off, bool v)
{
	put_field(p, off, &v, sizeof(v));
}

static void
put_u32(struct sf_params *p, size_t off, uint32_t v)
{
	put_field(p, off, &v, sizeof(v));
}

static bool
get_bool(const struct sf_params *p, size_t off)
{
	bool v;

	memcpy(&v, (const char *)p + off, sizeof(v));
	return v;
}

static uint32_t
get_u32(const struct sf_params *p, size_t off)
{
	uint32_t v;

	memcpy(&v, (const char *)p + off, sizeof(v));
	return v;
}

static uint16_t
get_u16(const struct sf_params *p, size_t off)
{
	uint16_t v;

	memcpy(&v, (const char *)p + off, sizeof(v));
	return v;
}

/* ---- lookup ---- */

size_t
param_table_count(void)
{
	return N_PARAMS;
}

const struct param_table_entry *
param_table_at(size_t i)
{
	return i < N_PARAMS ? &param_table[i] : NULL;
}

const struct param_table_entry *
param_table_find(const char *name)
{
	size_t i;

	for (i = 0; i < N_PARAMS; i++)
		if (strcmp(param_table[i].name, name) == 0)
			return &param_table[i];
	return NULL;
}

bool
param_table_is_new_sessions_only(const struct param_table_entry *e)
{
	return e->apply != PARAM_TABLE_APPLY_NOW;
}

static const char *
apply_text(enum param_table_apply a)
{
	switch (a) {
	case PARAM_TABLE_APPLY_NOW:
		return "immediately";
	case PARAM_TABLE_APPLY_NEW_CALLS:
		return "new calls and transactions";
	case PARAM_TABLE_APPLY_NEW_AUTH:
		return "new auth sessions and suspensions";
	case PARAM_TABLE_APPLY_NEXT_REGISTER:
		return "a binding's next REGISTER";
	case PARAM_TABLE_APPLY_NEXT_UAC:
		return "next outbound registration attempt";
	case PARAM_TABLE_APPLY_NEXT_CYCLE:
		return "next keep-alive cycle";
	}
	return "?";
}

const char *
param_table_type_name(const struct param_table_entry *e)
{
	switch (e->kind) {
	case PARAM_TABLE_SWITCH:
		return "switch";
	case PARAM_TABLE_UINT:
		return "integer";
	case PARAM_TABLE_UINT_AUTO:
		return "integer or \"Auto Negotiation\"";
	case PARAM_TABLE_UINT_NONE:
		return "integer or \"None\"";
	case PARAM_TABLE_ENUM:
		return e->words == words_auth_code ? "SIP code" : "enum";
	case PARAM_TABLE_SECONDS_LIST:
		return "comma string or array of numbers";
	case PARAM_TABLE_TEXT:
		return "string";
	case PARAM_TABLE_HOST:
		return "string (host)";
	}
	return "?";
}

/* ---- allowed values as text ---- */

/* Canonical words only: a word is an alias when an earlier word has the same value. */
static bool
word_is_alias(const struct param_table_entry *e, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (e->word_values[j] == e->word_values[i])
			return true;
	return false;
}

static void
enum_allowed_text(const struct param_table_entry *e, char *buf, size_t buf_len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	if (e->words == words_auth_code)
		used = (size_t)snprintf(buf, buf_len, "401 / 407, or ");
	for (i = 0; e->words[i] != NULL && used < buf_len; i++) {
		int n;

		if (word_is_alias(e, i))
			continue;
		n = snprintf(buf + used, buf_len - used, "%s\"%s\"", i ? " / " : "",
			     e->words[i]);
		if (n < 0 || (size_t)n >= buf_len - used)
			return;
		used += (size_t)n;
	}
}

void
param_table_allowed_text(const struct param_table_entry *e, char *buf, size_t buf_len)
{
	const char *ours = e->bound_is_ours ? " (I-35)" : "";
	bool counted = strcmp(e->unit, "count") == 0;
	const char *sp = counted ? "" : " ", *unit = counted ? "" : e->unit;
	long long lo = (long long)e->min, hi = (long long)e->max;

	switch (e->kind) {
	case PARAM_TABLE_SWITCH:
		snprintf(buf, buf_len, "\"On\" / \"Off\"");
		break;
	case PARAM_TABLE_UINT:
		snprintf(buf, buf_len, "%lld–%lld%s%s%s", lo, hi, sp, unit, ours);
		break;
	case PARAM_TABLE_UINT_AUTO:
		snprintf(buf, buf_len, "\"Auto Negotiation\", or %lld–%lld%s%s%s", lo, hi, sp, unit,
			 ours);
		break;
	case PARAM_TABLE_UINT_NONE:
		snprintf(buf, buf_len, "\"None\", or %lld–%lld%s%s%s", lo, hi, sp, unit, ours);
		break;
	case PARAM_TABLE_ENUM:
		enum_allowed_text(e, buf, buf_len);
		break;
	case PARAM_TABLE_SECONDS_LIST:
		snprintf(buf, buf_len, "%lld–%lld entries, each 0.1–60 s%s", lo, hi, ours);
		break;
	case PARAM_TABLE_TEXT:
		snprintf(buf, buf_len, "%lld–%lld bytes, empty disables%s", lo, hi, ours);
		break;
	case PARAM_TABLE_HOST:
		snprintf(buf, buf_len, "\"\", or a domain name / IPv4 address of up to %lld "
			 "characters%s", hi, ours);
		break;
	}
}

/* ---- error messages ---- */

static const char *
json_kind_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "array";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
		return "integer";
	case JSON_REAL:
		return "number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "boolean";
	case JSON_NULL:
		return "null";
	}
	return "value";
}

/* "integer 3", "string \"Foo\"" - the value quoted, cut to FOUND_MAX characters. */
static void
describe_found(const json_t *v, char *buf, size_t buf_len)
{
	char *dump = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);

	if (dump != NULL && strlen(dump) > FOUND_MAX)
		strcpy(dump + FOUND_MAX - 3, "...");
	snprintf(buf, buf_len, "%s %s", json_kind_name(v), dump != NULL ? dump : "");
	free(dump);
}

static int
err_type(const struct param_table_entry *e, const json_t *v, const char *path,
	 struct cfg_error *err)
{
	char found[FOUND_MAX + 16], allowed[160];

	describe_found(v, found, sizeof(found));
	param_table_allowed_text(e, allowed, sizeof(allowed));
	return cfg_error_set(err, path, "%s: expected %s (%s), found %s", e->name,
			     param_table_type_name(e), allowed, found);
}

static int
err_value(const struct param_table_entry *e, const json_t *v, const char *path,
	  struct cfg_error *err)
{
	char found[FOUND_MAX + 16], allowed[160];

	bool numeric = e->kind == PARAM_TABLE_UINT || e->kind == PARAM_TABLE_UINT_AUTO ||
		       e->kind == PARAM_TABLE_UINT_NONE;

	describe_found(v, found, sizeof(found));
	param_table_allowed_text(e, allowed, sizeof(allowed));
	return cfg_error_set(err, path, "%s: %s is %s; allowed %s", e->name, found,
			     numeric && json_is_integer(v) ? "out of range" : "not allowed",
			     allowed);
}

/* ---- value parsers, one per kind ---- */

static bool
str_is(const json_t *v, const char *word)
{
	return json_is_string(v) && strcasecmp(json_string_value(v), word) == 0;
}

static int
parse_switch(const struct param_table_entry *e, const json_t *v, struct sf_params *p,
	     const char *path, struct cfg_error *err)
{
	if (json_is_boolean(v)) {
		put_bool(p, e->off, json_is_true(v));
		return 0;
	}
	if (str_is(v, "On") || str_is(v, "Off")) {
		put_bool(p, e->off, str_is(v, "On"));
		return 0;
	}
	return json_is_string(v) ? err_value(e, v, path, err) : err_type(e, v, path, err);
}

/* Integer within [min, max] into the u32 field; strings are the caller's business. */
static int
parse_bounded(const struct param_table_entry *e, const json_t *v, struct sf_params *p,
	      const char *path, struct cfg_error *err)
{
	json_int_t n;

	if (!json_is_integer(v))
		return err_type(e, v, path, err);
	n = json_integer_value(v);
	if (n < e->min || n > e->max)
		return err_value(e, v, path, err);
	put_u32(p, e->off, (uint32_t)n);
	return 0;
}

/* UINT_AUTO ("Auto Negotiation" / "Auto") and UINT_NONE ("None" / null). */
static int
parse_flagged(const struct param_table_entry *e, const json_t *v, struct sf_params *p,
	      const char *path, struct cfg_error *err)
{
	bool is_auto = e->kind == PARAM_TABLE_UINT_AUTO;
	bool flag = is_auto ? (str_is(v, "Auto Negotiation") || str_is(v, "Auto"))
			    : (json_is_null(v) || str_is(v, "None"));
	int rc;

	if (flag) {
		put_bool(p, e->aux_off, true);
		put_u32(p, e->off, 0);
		return 0;
	}
	if (json_is_string(v))
		return err_value(e, v, path, err);
	rc = parse_bounded(e, v, p, path, err);
	if (rc == 0)
		put_bool(p, e->aux_off, false);
	return rc;
}

/* ENUM: a word (case-insensitive); the SIP code enum also takes the bare integer. */
static int
parse_enum(const struct param_table_entry *e, const json_t *v, struct sf_params *p,
	   const char *path, struct cfg_error *err)
{
	bool is_code = e->words == words_auth_code;
	size_t i;

	if (!json_is_string(v) && !(is_code && json_is_integer(v)))
		return err_type(e, v, path, err);
	for (i = 0; e->words[i] != NULL; i++) {
		bool hit = json_is_string(v) ? str_is(v, e->words[i])
					     : json_integer_value(v) == e->word_values[i];

		if (hit) {
			put_field(p, e->off, &e->word_values[i], sizeof(int));
			return 0;
		}
	}
	return err_value(e, v, path, err);
}

static int
parse_text(const struct param_table_entry *e, const json_t *v, struct sf_params *p,
	   const char *path, struct cfg_error *err)
{
	size_t len, cap = e->kind == PARAM_TABLE_HOST ? SF_PARAMS_LOCAL_DOMAIN_MAX
						      : SF_PARAMS_KA_MESSAGE_MAX;
	uint16_t len16;

	if (!json_is_string(v))
		return err_type(e, v, path, err);
	len = json_string_length(v);
	if ((int64_t)len < e->min || (int64_t)len > e->max)
		return cfg_error_set(err, path, "%s: %zu bytes is out of range; allowed %lld–%lld "
				     "bytes", e->name, len, (long long)e->min, (long long)e->max);
	len16 = (uint16_t)len;
	memset((char *)p + e->off, 0, cap);
	put_field(p, e->off, json_string_value(v), len);
	put_field(p, e->aux_off, &len16, sizeof(len16));
	return 0;
}

/* Host names go into From URIs: letters, digits, '-' and '.' only (no header injection). */
static int
parse_host(const struct param_table_entry *e, const json_t *v, struct sf_params *p,
	   const char *path, struct cfg_error *err)
{
	const char *s;
	size_t i;

	if (!json_is_string(v))
		return err_type(e, v, path, err);
	s = json_string_value(v);
	for (i = 0; i < json_string_length(v); i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '.'))
			return cfg_error_set(err, path, "%s: character %zu of \"%.64s\" is not "
					     "allowed; allowed a domain name or IPv4 address "
					     "(letters, digits, '-', '.')", e->name, i + 1, s);
	}
	return parse_text(e, v, p, path, err);
}

/* ---- SS_SIP_RESEND_INTERVAL: "0.5,1,2" or [0.5, 1, 2] -> milliseconds ---- */

struct seconds_list {
	uint32_t ms[SF_PARAMS_RESEND_MAX];
	size_t n;
};

static int
list_add(struct seconds_list *l, double s, const char *text, const char *path,
	 struct cfg_error *err)
{
	char at[PATH_MAX_LEN];

	snprintf(at, sizeof(at), "%s[%zu]", path, l->n);
	if (l->n >= SF_PARAMS_RESEND_MAX)
		return cfg_error_set(err, path, "SS_SIP_RESEND_INTERVAL: more than %d entries; "
				     "allowed 1–%d entries, each 0.1–60 s", SF_PARAMS_RESEND_MAX,
				     SF_PARAMS_RESEND_MAX);
	if (!(s >= LIST_ENTRY_MIN_MS / 1000.0 && s <= LIST_ENTRY_MAX_MS / 1000.0))
		return cfg_error_set(err, at, "SS_SIP_RESEND_INTERVAL: entry %zu is %s; allowed "
				     "1–%d entries, each 0.1–60 s", l->n + 1, text,
				     SF_PARAMS_RESEND_MAX);
	l->ms[l->n++] = (uint32_t)(s * 1000.0 + 0.5);
	return 0;
}

/* One comma-separated token, surrounding blanks allowed. */
static int
list_add_token(struct seconds_list *l, char *tok, const char *path, struct cfg_error *err)
{
	char *end, quoted[40];
	double s;

	while (*tok == ' ' || *tok == '\t')
		tok++;
	end = tok + strlen(tok);
	while (end > tok && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	snprintf(quoted, sizeof(quoted), "\"%.32s\"", tok);
	if (*tok == '\0')
		return list_add(l, -1.0, "empty", path, err);
	s = strtod(tok, &end);
	return list_add(l, *end == '\0' ? s : -1.0, quoted, path, err);
}

static int
list_from_string(struct seconds_list *l, const json_t *v, const char *path,
		 struct cfg_error *err)
{
	char text[LIST_TEXT_MAX + 1], *tok, *next;
	int rc;

	if (json_string_length(v) > LIST_TEXT_MAX)
		return cfg_error_set(err, path, "SS_SIP_RESEND_INTERVAL: string longer than %d "
				     "characters", LIST_TEXT_MAX);
	snprintf(text, sizeof(text), "%s", json_string_value(v));
	for (tok = text; tok != NULL; tok = next) {
		next = strchr(tok, ',');
		if (next != NULL)
			*next++ = '\0';
		rc = list_add_token(l, tok, path, err);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
list_from_array(struct seconds_list *l, const json_t *v, const char *path,
		struct cfg_error *err)
{
	char found[FOUND_MAX + 16];
	size_t i;
	json_t *x;
	int rc;

	json_array_foreach(v, i, x) {
		describe_found(x, found, sizeof(found));
		rc = list_add(l, json_is_number(x) ? json_number_value(x) : -1.0, found, path, err);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
parse_seconds_list(const struct param_table_entry *e, const json_t *v, struct sf_params *p,
		   const char *path, struct cfg_error *err)
{
	struct seconds_list l = { .n = 0 };
	int rc;

	if (json_is_string(v))
		rc = list_from_string(&l, v, path, err);
	else if (json_is_array(v))
		rc = list_from_array(&l, v, path, err);
	else
		return err_type(e, v, path, err);
	if (rc != 0)
		return rc;
	if (l.n == 0)
		return cfg_error_set(err, path, "SS_SIP_RESEND_INTERVAL: empty list; allowed 1–%d "
				     "entries, each 0.1–60 s", SF_PARAMS_RESEND_MAX);
	memset(p->resend_ms, 0, sizeof(p->resend_ms));
	memcpy(p->resend_ms, l.ms, l.n * sizeof(l.ms[0]));
	p->n_resend = (uint8_t)l.n;
	return 0;
}

static int
parse_value(const struct param_table_entry *e, const json_t *v, struct sf_params *p,
	    const char *path, struct cfg_error *err)
{
	switch (e->kind) {
	case PARAM_TABLE_SWITCH:
		return parse_switch(e, v, p, path, err);
	case PARAM_TABLE_UINT:
		return parse_bounded(e, v, p, path, err);
	case PARAM_TABLE_UINT_AUTO:
	case PARAM_TABLE_UINT_NONE:
		return parse_flagged(e, v, p, path, err);
	case PARAM_TABLE_ENUM:
		return parse_enum(e, v, p, path, err);
	case PARAM_TABLE_SECONDS_LIST:
		return parse_seconds_list(e, v, p, path, err);
	case PARAM_TABLE_TEXT:
		return parse_text(e, v, p, path, err);
	case PARAM_TABLE_HOST:
		return parse_host(e, v, p, path, err);
	}
	return -EINVAL;
}

/* ---- defaults, parse, merge ---- */

void
param_table_defaults(struct sf_params *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < N_PARAMS; i++) {
		json_t *v = json_loads(param_table[i].def, JSON_DECODE_ANY, NULL);

		/* A default that fails its own validation is caught by the unit test. */
		if (v != NULL)
			(void)parse_value(&param_table[i], v, out, param_table[i].name, NULL);
		json_decref(v);
	}
}

static int
check_keys(const json_t *obj, const char *prefix, struct cfg_error *err)
{
	char path[PATH_MAX_LEN];
	const char *key, *near;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		if (param_table_find(key) != NULL)
			continue;
		snprintf(path, sizeof(path), "%s.%s", prefix, key);
		near = param_table_suggest(key);
		if (near != NULL)
			return cfg_error_set(err, path, "unknown parameter \"%.64s\"; did you mean "
					     "%s?", key, near);
		return cfg_error_set(err, path, "unknown parameter \"%.64s\"; see config/README.md "
				     "for the %zu known names", key, N_PARAMS);
	}
	return 0;
}

static int check_at(const struct sf_params *p, const char *prefix, struct cfg_error *err,
		    json_t *warnings);

/* @null_keeps: a member set to null leaves the value in @inout (an override cleared, CFG-10). */
static int
merge_impl(const json_t *partial, struct sf_params *inout, const char *prefix, bool null_keeps,
	   struct cfg_error *err)
{
	char path[PATH_MAX_LEN];
	struct sf_params tmp;
	size_t i;
	int rc;

	if (!json_is_object(partial))
		return cfg_error_set(err, prefix, "expected an object of parameters, found %s",
				     partial != NULL ? json_kind_name(partial) : "nothing");
	rc = check_keys(partial, prefix, err);
	if (rc != 0)
		return rc;
	memcpy(&tmp, inout, sizeof(tmp));
	for (i = 0; i < N_PARAMS; i++) {
		const json_t *v = json_object_get(partial, param_table[i].name);

		if (v == NULL || (null_keeps && json_is_null(v)))
			continue;
		snprintf(path, sizeof(path), "%s.%s", prefix, param_table[i].name);
		rc = parse_value(&param_table[i], v, &tmp, path, err);
		if (rc != 0)
			return rc;
	}
	rc = check_at(&tmp, prefix, err, NULL);
	if (rc != 0)
		return rc;
	memcpy(inout, &tmp, sizeof(*inout));
	return 0;
}

int
param_table_merge_at(const json_t *partial, struct sf_params *inout, const char *prefix,
		     struct cfg_error *err)
{
	return merge_impl(partial, inout, prefix, true, err);
}

int
param_table_merge(const json_t *partial, struct sf_params *inout, struct cfg_error *err)
{
	return merge_impl(partial, inout, "params", false, err);
}

int
param_table_parse(const json_t *params_obj, struct sf_params *out, struct cfg_error *err)
{
	struct sf_params tmp;
	int rc;

	param_table_defaults(&tmp);
	rc = param_table_merge(params_obj, &tmp, err);
	if (rc == 0)
		memcpy(out, &tmp, sizeof(*out));
	return rc;
}

/* ---- cross-parameter rules ---- */

struct cross_rule {
	const char *name;  /* parameter the finding is reported on */
	bool is_error;     /* hard rule (reject) or advice (warning) */
	const char *spec;
	const char *doc;   /* one line for the reference */
	bool (*violated)(const struct sf_params *p, char *msg, size_t msg_len);
};

/*
 * Only while keep-alives are enabled: the seed's range 10-86400 for the period and our NAT
 * expiry bound 20-86400 would otherwise make the seed's upper bound unreachable (CFG-4).
 */
static bool
rule_ka_below_nat(const struct sf_params *p, char *msg, size_t msg_len)
{
	snprintf(msg, msg_len, "SS_SIP_NAT_KEEP_ALIVE_PERIOD = %u s must be below "
		 "SS_ENDPOINT_NAT_EXPIRE = %u s while keep-alives are enabled (non-empty "
		 "SS_SIP_NAT_KEEP_ALIVE_MESSAGE)", p->ka_period_s, p->endpoint_nat_expire_s);
	return p->ka_message_len > 0 && p->ka_period_s >= p->endpoint_nat_expire_s;
}

static bool
rule_auth_retry_high(const struct sf_params *p, char *msg, size_t msg_len)
{
	snprintf(msg, msg_len, "SS_SIP_AUTHENTICATION_RETRY = %u is above 10: brute-force risk, "
		 "troubleshooting only", p->auth_retry);
	return p->auth_retry > 10;
}

static bool
rule_auth_timeout_short(const struct sf_params *p, char *msg, size_t msg_len)
{
	uint64_t want = 3ULL * p->auth_retry;

	snprintf(msg, msg_len, "SS_SIP_AUTHENTICATION_TIMEOUT = %u s is below 3 s x "
		 "SS_SIP_AUTHENTICATION_RETRY = %llu s", p->auth_timeout_s,
		 (unsigned long long)want);
	return p->auth_timeout_s < want;
}

static bool
rule_no_timer_short(const struct sf_params *p, char *msg, size_t msg_len)
{
	uint64_t want = 3ULL * p->session_ttl_s;

	snprintf(msg, msg_len, "SS_SIP_NO_TIMER_REINVITE_INTERVAL = %u s is below 3 x "
		 "SS_SIP_SESSION_TTL = %llu s", p->no_timer_interval_s, (unsigned long long)want);
	return p->no_timer_interval_s < want;
}

static bool
rule_ka_fifth(const struct sf_params *p, char *msg, size_t msg_len)
{
	snprintf(msg, msg_len, "SS_SIP_NAT_KEEP_ALIVE_PERIOD = %u s is above "
		 "SS_ENDPOINT_NAT_EXPIRE / 5 = %u s", p->ka_period_s, p->endpoint_nat_expire_s / 5);
	return p->ka_message_len > 0 && p->ka_period_s < p->endpoint_nat_expire_s &&
	       5ULL * p->ka_period_s > p->endpoint_nat_expire_s;
}

static bool
rule_segment_one(const struct sf_params *p, char *msg, size_t msg_len)
{
	snprintf(msg, msg_len, "SS_SIP_SESSION_UPDATE_SEGMENT = 1 refreshes only at expiry; a "
		 "late refresh ends the call");
	return p->session_update_segment == 1;
}

static bool
rule_early_hangup_clamped(const struct sf_params *p, char *msg, size_t msg_len)
{
	uint32_t seg = p->session_update_segment ? p->session_update_segment : 1;
	uint32_t room = p->session_ttl_s - p->session_ttl_s / seg;

	snprintf(msg, msg_len, "SS_SIP_SESSION_TIMEOUT_EARLY_HANGUP = %u s exceeds TTL - "
		 "TTL/SEGMENT = %u s and is clamped to it", p->session_early_hangup_s, room);
	return p->session_early_hangup_s > room;
}

static const struct cross_rule cross_rules[] = {
	{ "SS_SIP_NAT_KEEP_ALIVE_PERIOD", true, "I-32",
	  "must be below SS_ENDPOINT_NAT_EXPIRE while keep-alives are enabled (checked after "
	  "the whole update)",
	  rule_ka_below_nat },
	{ "SS_SIP_AUTHENTICATION_RETRY", false, "I-7", "warns above 10", rule_auth_retry_high },
	{ "SS_SIP_AUTHENTICATION_TIMEOUT", false, "I-7",
	  "warns below 3 s x SS_SIP_AUTHENTICATION_RETRY (the seed's own defaults do)",
	  rule_auth_timeout_short },
	{ "SS_SIP_NO_TIMER_REINVITE_INTERVAL", false, "I-7",
	  "warns below 3 x SS_SIP_SESSION_TTL", rule_no_timer_short },
	{ "SS_SIP_NAT_KEEP_ALIVE_PERIOD", false, "I-32",
	  "warns above SS_ENDPOINT_NAT_EXPIRE / 5 while keep-alives are enabled", rule_ka_fifth },
	{ "SS_SIP_SESSION_UPDATE_SEGMENT", false, "I-7", "warns at 1 (refresh only at expiry)",
	  rule_segment_one },
	{ "SS_SIP_SESSION_TIMEOUT_EARLY_HANGUP", false, "I-27",
	  "warns above TTL - TTL / SS_SIP_SESSION_UPDATE_SEGMENT (clamped at run time)",
	  rule_early_hangup_clamped },
};

#define N_RULES (sizeof(cross_rules) / sizeof(cross_rules[0]))

static void
add_warning(json_t *warnings, const char *path, const char *msg)
{
	if (warnings != NULL)
		json_array_append_new(warnings, json_pack("{s:s, s:s}", "path", path,
							  "message", msg));
}

static int
check_at(const struct sf_params *p, const char *prefix, struct cfg_error *err,
	 json_t *warnings)
{
	char path[PATH_MAX_LEN], msg[sizeof(err->msg)];
	int rc = 0;
	size_t i;

	for (i = 0; i < N_RULES; i++) {
		const struct cross_rule *r = &cross_rules[i];

		if (!r->violated(p, msg, sizeof(msg)))
			continue;
		snprintf(path, sizeof(path), "%s.%s", prefix, r->name);
		if (!r->is_error)
			add_warning(warnings, path, msg);
		else if (rc == 0)
			rc = cfg_error_set(err, path, "%s (%s)", msg, r->spec);
	}
	return rc;
}

int
param_table_check(const struct sf_params *p, struct cfg_error *err, json_t *warnings)
{
	return check_at(p, "params", err, warnings);
}

uint64_t
param_table_keepalive_capacity(const struct sf_params *p)
{
	uint64_t ticks, interval = p->ka_send_interval_ms ? p->ka_send_interval_ms : 1;

	ticks = ((uint64_t)p->ka_period_s * 1000 + interval - 1) / interval;
	return ticks * p->ka_send_one_time;
}

/* ---- output ---- */

static const char *
enum_word(const struct param_table_entry *e, int value)
{
	size_t i;

	for (i = 0; e->words[i] != NULL; i++)
		if (e->word_values[i] == value)
			return e->words[i];
	return "?";
}

/* 500 -> "0.5", 4000 -> "4", 1250 -> "1.25": the seed's way of writing seconds. */
static void
format_ms(uint32_t ms, char *buf, size_t buf_len)
{
	char frac[12];
	size_t n;

	if (ms % 1000 == 0) {
		snprintf(buf, buf_len, "%u", ms / 1000);
		return;
	}
	snprintf(frac, sizeof(frac), "%03u", ms % 1000);
	n = strlen(frac);
	while (n > 0 && frac[n - 1] == '0')
		frac[--n] = '\0';
	snprintf(buf, buf_len, "%u.%s", ms / 1000, frac);
}

static json_t *
list_to_json(const struct sf_params *p)
{
	char text[SF_PARAMS_RESEND_MAX * 12 + 1], one[16];
	size_t i, used = 0;

	text[0] = '\0';
	for (i = 0; i < p->n_resend && i < SF_PARAMS_RESEND_MAX; i++) {
		format_ms(p->resend_ms[i], one, sizeof(one));
		used += (size_t)snprintf(text + used, sizeof(text) - used, "%s%s", i ? "," : "",
					 one);
	}
	return json_string(text);
}

static json_t *
value_to_json(const struct param_table_entry *e, const struct sf_params *p)
{
	int iv;

	switch (e->kind) {
	case PARAM_TABLE_SWITCH:
		return json_string(get_bool(p, e->off) ? "On" : "Off");
	case PARAM_TABLE_UINT:
		return json_integer(get_u32(p, e->off));
	case PARAM_TABLE_UINT_AUTO:
	case PARAM_TABLE_UINT_NONE:
		if (get_bool(p, e->aux_off))
			return json_string(e->kind == PARAM_TABLE_UINT_AUTO ? "Auto Negotiation"
									    : "None");
		return json_integer(get_u32(p, e->off));
	case PARAM_TABLE_ENUM:
		memcpy(&iv, (const char *)p + e->off, sizeof(iv));
		return json_string(enum_word(e, iv));
	case PARAM_TABLE_SECONDS_LIST:
		return list_to_json(p);
	case PARAM_TABLE_TEXT:
	case PARAM_TABLE_HOST:
		return json_stringn((const char *)p + e->off, get_u16(p, e->aux_off));
	}
	return json_null();
}

json_t *
param_table_to_json(const struct sf_params *p)
{
	json_t *obj = json_object();
	size_t i;

	if (obj == NULL)
		return NULL;
	for (i = 0; i < N_PARAMS; i++) {
		if (json_object_set_new(obj, param_table[i].name,
					value_to_json(&param_table[i], p)) != 0) {
			json_decref(obj);
			return NULL;
		}
	}
	return obj;
}

static json_t *
describe_one(const struct param_table_entry *e)
{
	char allowed[256], area[2] = { e->area, '\0' };
	json_t *def = json_loads(e->def, JSON_DECODE_ANY, NULL);

	param_table_allowed_text(e, allowed, sizeof(allowed));
	return json_pack("{s:s, s:s, s:o?, s:s, s:s, s:s, s:b, s:s, s:s, s:s}", "name", e->name,
			 "type", param_table_type_name(e), "default", def, "unit", e->unit,
			 "allowed", allowed, "description", e->desc, "new_sessions_only",
			 param_table_is_new_sessions_only(e), "applies", apply_text(e->apply),
			 "area", area, "spec", e->spec);
}

json_t *
param_table_describe(const char *name_or_null)
{
	const struct param_table_entry *e;
	json_t *all;
	size_t i;

	if (name_or_null != NULL) {
		e = param_table_find(name_or_null);
		return e != NULL ? describe_one(e) : NULL;
	}
	all = json_array();
	for (i = 0; all != NULL && i < N_PARAMS; i++) {
		if (json_array_append_new(all, describe_one(&param_table[i])) != 0) {
			json_decref(all);
			return NULL;
		}
	}
	return all;
}

json_t *
param_table_json_from_text(const char *text)
{
	json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);

	return v != NULL ? v : json_string(text);
}

/* ---- suggestions: case-insensitive edit distance ---- */

static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[SUGGEST_KEY_MAX + 1];

	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = tolower((unsigned char)a[i - 1]) ==
				      tolower((unsigned char)b[j - 1]) ? 0 : 1;
			size_t best = diag + cost;

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

const char *
param_table_suggest(const char *key)
{
	size_t i, d, best_d = SIZE_MAX, len = strlen(key);
	const char *best = NULL;

	if (len == 0 || len > SUGGEST_KEY_MAX)
		return NULL;
	for (i = 0; i < N_PARAMS; i++) {
		if (strlen(param_table[i].name) > SUGGEST_KEY_MAX)
			continue;
		d = edit_distance(param_table[i].name, key);
		if (d < best_d) {
			best_d = d;
			best = param_table[i].name;
		}
	}
	return best_d <= 2 + len / 4 ? best : NULL;
}

/* ---- Markdown reference ---- */

static const char *const area_titles[] = {
	"(a) Security: unauthorized sources, authentication failures, lockout",
	"(b) Inbound registrar",
	"(c) Outbound registration (the processor as user agent)",
	"(d) Call setup: retransmission, INVITE and progress timeouts, gateway switching",
	"(e) Header construction",
	"(f) In-call timers",
	"(g) NAT keep-alive and media behind NAT",
};

static void
md_cell(FILE *out, const char *s, bool code)
{
	fputs(code ? " `" : " ", out);
	for (; *s != '\0'; s++) {
		if (*s == '|')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputs(code ? "` |" : " |", out);
}

static void
md_row(FILE *out, const struct param_table_entry *e)
{
	char allowed[256];

	param_table_allowed_text(e, allowed, sizeof(allowed));
	fputs("|", out);
	md_cell(out, e->name, true);
	md_cell(out, param_table_type_name(e), false);
	md_cell(out, e->def, true);
	md_cell(out, e->unit, false);
	md_cell(out, allowed, false);
	md_cell(out, apply_text(e->apply), false);
	md_cell(out, e->desc, false);
	md_cell(out, e->spec[0] != '\0' ? e->spec : "seed", false);
	fputs("\n", out);
}

static void
md_intro(FILE *out)
{
	fprintf(out,
		"## Parameters (`params`)\n\n"
		"Generated from the table in `ctrlplane/param_table.c` by `sf-param-doc`; do not\n"
		"edit by hand (`ninja param-doc` runs `sf-param-doc --update config/README.md`).\n"
		"%zu global parameters; names and defaults are the seed's (`spec/PARAMETERS.md`),\n"
		"I-n are its interpretations, and \"(I-35)\" marks a bound we chose where the\n"
		"seed gives none.\n\n"
		"Value forms: switches are `\"On\"`/`\"Off\"` or `true`/`false`; times are\n"
		"integer seconds unless the unit says ms; `\"None\"` may also be written `null`;\n"
		"`\"Auto Negotiation\"` may be written `\"Auto\"`; enumeration words match\n"
		"case-insensitively; `SS_SIP_AUTHENTICATION_CODE` also takes `401` or `407`;\n"
		"`SS_SIP_E164_DISPLAY_FROM` also takes `\"E164 Display\"` / `\"Number Display\"`;\n"
		"`SS_SIP_RESEND_INTERVAL` is the seed's comma string or an array of numbers.\n"
		"\"Takes effect\" follows I-34: calls, authentication sessions and transactions\n"
		"already running keep the values they started with.\n",
		N_PARAMS);
}

static void
md_rules(FILE *out)
{
	size_t i;

	fputs("\n### Cross-parameter rules\n\n"
	      "Errors reject the whole update; warnings are returned with an accepted one.\n\n"
	      "| Kind | Parameter | Rule | Spec |\n|---|---|---|---|\n", out);
	for (i = 0; i < N_RULES; i++) {
		fputs(cross_rules[i].is_error ? "| error |" : "| warning |", out);
		md_cell(out, cross_rules[i].name, true);
		md_cell(out, cross_rules[i].doc, false);
		md_cell(out, cross_rules[i].spec, false);
		fputs("\n", out);
	}
	fputs("| warning | `SS_SIP_NAT_KEEP_ALIVE_SEND_ONE_TIME` | at run time, when the NAT "
	      "binding count exceeds ceil(PERIOD x 1000 / SEND_INTERVAL) x SEND_ONE_TIME | "
	      "I-30 |\n\n", out);
}

int
param_table_write_markdown(FILE *out)
{
	size_t a, i;

	md_intro(out);
	for (a = 0; a < sizeof(area_titles) / sizeof(area_titles[0]); a++) {
		fprintf(out, "\n### %s\n\n", area_titles[a]);
		fputs("| Parameter | Type | Default | Unit | Allowed | Takes effect | Description "
		      "| Spec |\n|---|---|---|---|---|---|---|---|\n", out);
		for (i = 0; i < N_PARAMS; i++)
			if (param_table[i].area == (char)('a' + a))
				md_row(out, &param_table[i]);
	}
	md_rules(out);
	return ferror(out) ? -EIO : 0;
}
