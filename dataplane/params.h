/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The 41 global SS_* parameters as the data plane reads them: one typed field per parameter,
 * in fast-path units. Filled and validated only by ctrlplane/param_table.c; part of the
 * immutable snapshot, so workers never see a half-applied update. No DPDK, no jansson here.
 */
#ifndef SF_PARAMS_H
#define SF_PARAMS_H

#include <stdbool.h>
#include <stdint.h>

#define SF_PARAMS_RESEND_MAX 32          /* SS_SIP_RESEND_INTERVAL entries (I-35) */
#define SF_PARAMS_KA_MESSAGE_MAX 512     /* SS_SIP_NAT_KEEP_ALIVE_MESSAGE bytes (I-35) */
#define SF_PARAMS_LOCAL_DOMAIN_MAX 254   /* SS_LOCAL_IP_DOMAIN: 253 chars + NUL */
#define SF_PARAMS_UA_EXPIRE_AUTO_ASK_S 3600 /* Expires we ask for in Auto Negotiation (I-10) */

/** SS_SIP_AUTHENTICATION_CODE: the challenge status code; the value is the SIP code. */
enum sf_auth_code {
	SF_AUTH_CODE_401 = 401, /* 401 Unauthorized, WWW-Authenticate / Authorization */
	SF_AUTH_CODE_407 = 407, /* 407 Proxy Authentication Required, Proxy-* headers */
};

/** SS_SIP_USER_AGENT_PRIVACY (global; gateway None means something else, I-13). */
enum sf_ua_privacy {
	SF_UA_PRIVACY_IGNORE, /* "Ignore": no Privacy header */
	SF_UA_PRIVACY_ID,     /* "Id": Privacy: id, anonymous From */
	SF_UA_PRIVACY_NONE,   /* "None": Privacy: none */
};

/** SS_SIP_E164_DISPLAY_FROM (I-20, I-21). */
enum sf_display_from {
	SF_DISPLAY_FROM_IGNORE, /* "Ignore": copy the incoming display name */
	SF_DISPLAY_FROM_E164,   /* "E164": caller number with exactly one leading '+' */
	SF_DISPLAY_FROM_NUMBER, /* "Number": caller number without '+' */
};

/**
 * Every global parameter, typed. "None"/"Auto" are explicit flags; the number next to such a
 * flag is 0 while the flag is set. Strings carry a length; the domain is also NUL-terminated.
 */
struct sf_params {
	/* (a) Security: unauthorized sources, authentication, lockout */
	bool reply_unauthorized;          /* SS_REPLY_UNAUTHORIZED, On = true */
	enum sf_auth_code auth_code;      /* SS_SIP_AUTHENTICATION_CODE, 401 or 407 */
	uint32_t auth_retry;              /* SS_SIP_AUTHENTICATION_RETRY, failures per session */
	uint32_t auth_timeout_s;          /* SS_SIP_AUTHENTICATION_TIMEOUT, s from 1st challenge */
	uint32_t auth_max_retry;          /* SS_AUTHENTICATION_MAX_RETRY, count, 0 = no lockout */
	uint32_t auth_failed_suspend_s;   /* SS_AUTHENTICATION_FAILED_SUSPEND, s */
	uint32_t register_retry;          /* SS_ENDPOINT_REGISTER_RETRY, count, 0 = no lockout */
	uint32_t register_suspend_s;      /* SS_ENDPOINT_REGISTER_SUSPEND, s */

	/* (b) Inbound registrar */
	uint32_t endpoint_expire_s;       /* SS_ENDPOINT_EXPIRE, s, cap for non-NAT (I-8) */
	uint32_t endpoint_nat_expire_s;   /* SS_ENDPOINT_NAT_EXPIRE, s, cap for NAT terminals */
	bool register_replace;            /* SS_ENDPOINT_REGISTER_REPLACE, On = true */

	/* (c) Outbound registration (we are the UA) */
	bool ua_expire_auto;              /* SS_SIP_USER_AGENT_EXPIRE is "Auto Negotiation" */
	uint32_t ua_expire_s;             /* SS_SIP_USER_AGENT_EXPIRE, s; 0 when auto */
	uint32_t ua_retry_delay_s;        /* SS_SIP_USER_AGENT_RETRY_DELAY, s */
	bool ua_send_unregister;          /* SS_SIP_USER_AGENT_SEND_UNREGISTER, On = true */
	enum sf_ua_privacy ua_privacy;    /* SS_SIP_USER_AGENT_PRIVACY */

	/* (d) Call setup: retransmission, timeouts, gateway switching */
	/* SS_SIP_USER_AGENT_STOP_SWITCH_AFTER_INVITE_TIMEOUT, On = true */
	bool stop_switch_after_invite_timeout;
	uint32_t timeout_invite_s;        /* SS_SIP_TIMEOUT_INVITE, s */
	uint32_t resend_ms[SF_PARAMS_RESEND_MAX]; /* SS_SIP_RESEND_INTERVAL, ms, wait after tx n */
	uint8_t n_resend;                 /* SS_SIP_RESEND_INTERVAL entries = max transmissions */
	uint32_t timeout_trying_s;        /* SS_SIP_TIMEOUT_TRYING, s */
	uint32_t timeout_progress_s;      /* SS_SIP_TIMEOUT_SESSION_PROGRESS, s (183 no SDP) */
	uint32_t timeout_progress_sdp_s;  /* SS_SIP_TIMEOUT_SESSION_PROGRESS_SDP, s */
	uint32_t timeout_ringing_s;       /* SS_SIP_TIMEOUT_RINGING, s */
	bool stop_switch_after_sdp;       /* SS_SIP_STOP_SWITCH_AFTER_SDP, On = true */
	bool switch_limit_none;           /* SS_GATEWAY_SWITCH_LIMIT is "None" (unlimited) */
	uint32_t switch_limit;            /* SS_GATEWAY_SWITCH_LIMIT, switches; 0 when None */
	bool switch_stop_after_rtp;       /* SS_GATEWAY_SWITCH_STOP_AFTER_RTP_START */
	bool switch_stop_after_busy;      /* SS_GATEWAY_SWITCH_STOP_AFTER_USER_BUSY */
	bool switch_until_connect;        /* SS_GATEWAY_SWITCH_UNTIL_CONNECT */
	uint32_t ivr_ringing_timeout_s;   /* IVR_RINGING_TIMEOUT, s (outside the fast path) */

	/* (e) Header construction */
	enum sf_display_from display_from; /* SS_SIP_E164_DISPLAY_FROM */
	char local_domain[SF_PARAMS_LOCAL_DOMAIN_MAX]; /* SS_LOCAL_IP_DOMAIN, "" = use the IP */
	uint16_t local_domain_len;        /* SS_LOCAL_IP_DOMAIN, bytes */
	bool invite_use_contact;          /* SS_SIP_ROUTING_GATEWAY_INVITE_USE_CONTACT */

	/* (f) In-call timers */
	uint32_t session_ttl_s;           /* SS_SIP_SESSION_TTL, s */
	uint32_t session_update_segment;  /* SS_SIP_SESSION_UPDATE_SEGMENT, refreshes per TTL */
	uint32_t session_early_hangup_s;  /* SS_SIP_SESSION_TIMEOUT_EARLY_HANGUP, s (I-27) */
	uint32_t no_timer_interval_s;     /* SS_SIP_NO_TIMER_REINVITE_INTERVAL, s from answer */
	bool max_call_duration_none;      /* SS_MAX_CALL_DURATION is "None" (no cap) */
	uint32_t max_call_duration_s;     /* SS_MAX_CALL_DURATION, s from answer; 0 when None */

	/* (g) NAT keep-alive and media */
	uint8_t ka_message[SF_PARAMS_KA_MESSAGE_MAX]; /* SS_SIP_NAT_KEEP_ALIVE_MESSAGE, raw bytes */
	uint16_t ka_message_len;          /* SS_SIP_NAT_KEEP_ALIVE_MESSAGE, bytes, 0 = disabled */
	uint32_t ka_period_s;             /* SS_SIP_NAT_KEEP_ALIVE_PERIOD, s per cycle */
	uint32_t ka_send_interval_ms;     /* SS_SIP_NAT_KEEP_ALIVE_SEND_INTERVAL, ms per batch */
	uint32_t ka_send_one_time;        /* SS_SIP_NAT_KEEP_ALIVE_SEND_ONE_TIME, msgs per batch */
	bool media_proxy_behind_nat;      /* SS_MEDIA_PROXY_BEHIND_NAT, On = true */
};

#endif
