/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Zero-copy, allocation-free scanner for one SIP datagram: it finds the start line and the
 * headers the fast path decides on, and says why a message is malformed. Pure C, no DPDK.
 */
#ifndef SF_SIP_SCAN_H
#define SF_SIP_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataplane/sf_span.h"

/** Largest datagram the scanner accepts (spans hold 16-bit lengths). */
#define SIP_SCAN_MAX_LEN 65535u
/** Most header lines (start line excluded) one message may carry. */
#define SIP_SCAN_MAX_HEADERS 128u
/** Longest header line, folded continuation lines included, in bytes. */
#define SIP_SCAN_MAX_HEADER_LEN 4096u

/**
 * Scan verdicts. One list produces the enum and the text names, so the per-reason counters
 * and telemetry names cannot drift apart. Only SIP_SCAN_OK means "well formed".
 */
#define SIP_SCAN_STATUS_LIST(X) \
	X(OK, "ok") \
	X(ERR_TRUNCATED, "truncated before the end of the headers") \
	X(ERR_TOO_BIG, "datagram larger than 65535 bytes") \
	X(ERR_BAD_START_LINE, "bad start line") \
	X(ERR_BAD_VERSION, "unsupported SIP version") \
	X(ERR_BAD_REQUEST_URI, "bad Request-URI") \
	X(ERR_BAD_STATUS, "bad status code") \
	X(ERR_BAD_HEADER, "bad header line") \
	X(ERR_TOO_MANY_HEADERS, "too many headers") \
	X(ERR_HEADER_TOO_LONG, "header too long") \
	X(ERR_DUP_HEADER, "repeated single-value header") \
	X(ERR_NO_VIA, "no Via") \
	X(ERR_BAD_VIA, "bad Via") \
	X(ERR_NO_FROM, "no From") \
	X(ERR_BAD_FROM, "bad From") \
	X(ERR_NO_TO, "no To") \
	X(ERR_BAD_TO, "bad To") \
	X(ERR_NO_CALL_ID, "no Call-ID") \
	X(ERR_BAD_CALL_ID, "bad Call-ID") \
	X(ERR_NO_CSEQ, "no CSeq") \
	X(ERR_BAD_CSEQ, "bad CSeq") \
	X(ERR_CSEQ_METHOD_MISMATCH, "CSeq method differs from request method") \
	X(ERR_BAD_CONTACT, "bad Contact") \
	X(ERR_BAD_EXPIRES, "bad Expires") \
	X(ERR_BAD_MAX_FORWARDS, "bad Max-Forwards") \
	X(ERR_BAD_CONTENT_LENGTH, "bad Content-Length") \
	X(ERR_BODY_TRUNCATED, "body shorter than Content-Length") \
	X(ERR_BAD_AUTH, "bad Authorization") \
	X(ERR_BAD_SESSION_TIMER, "bad Session-Expires or Min-SE") \
	X(ERR_BAD_IDENTITY, "bad P-Asserted/P-Preferred-Identity") \
	X(ERR_BAD_DATE, "bad Date (RFC 3261 20.17: must be GMT)")

/** Why sip_scan() accepted or rejected a datagram. */
enum sip_scan_status {
#define X(name, text) SIP_SCAN_##name,
	SIP_SCAN_STATUS_LIST(X)
#undef X
	SIP_SCAN_STATUS_MAX
};

#define SIP_SCAN_METHOD_LIST(X) \
	X(OTHER) X(INVITE) X(ACK) X(BYE) X(CANCEL) X(REGISTER) X(OPTIONS) X(INFO) \
	X(UPDATE) X(PRACK) X(SUBSCRIBE) X(NOTIFY) X(MESSAGE) X(REFER) X(PUBLISH)

/** Request methods; OTHER is any other token (methods are case-sensitive). */
enum sip_scan_method {
#define X(name) SIP_METHOD_##name,
	SIP_SCAN_METHOD_LIST(X)
#undef X
	SIP_METHOD_MAX
};

/** Headers the scanner recognises; bit (1u << id) is set in sip_scan.hdr_seen. */
enum sip_scan_hdr {
	SIP_HDR_VIA,
	SIP_HDR_FROM,
	SIP_HDR_TO,
	SIP_HDR_CALL_ID,
	SIP_HDR_CSEQ,
	SIP_HDR_CONTACT,
	SIP_HDR_EXPIRES,
	SIP_HDR_MAX_FORWARDS,
	SIP_HDR_CONTENT_LENGTH,
	SIP_HDR_CONTENT_TYPE,
	SIP_HDR_USER_AGENT,
	SIP_HDR_AUTHORIZATION,
	SIP_HDR_PROXY_AUTHORIZATION,
	SIP_HDR_SESSION_EXPIRES,
	SIP_HDR_MIN_SE,
	SIP_HDR_SUPPORTED,
	SIP_HDR_REQUIRE,
	SIP_HDR_PRIVACY,
	SIP_HDR_P_ASSERTED_IDENTITY,
	SIP_HDR_P_PREFERRED_IDENTITY,
	SIP_HDR_DATE,                /* checked only for a complete scan (RFC 4475 3.1.2.12) */
	SIP_HDR_OTHER, /* any other header; counted in n_headers only */
	SIP_HDR_MAX
};

/**
 * Field groups for the @p want argument of sip_scan(). A header outside the wanted groups
 * is still recognised (hdr_seen, duplicate check) but its value is not parsed.
 */
#define SIP_WANT_VIA      (1u << 0) /**< top Via, n_via */
#define SIP_WANT_FROM_TO  (1u << 1) /**< From, To */
#define SIP_WANT_DIALOG   (1u << 2) /**< Call-ID, CSeq, Max-Forwards */
#define SIP_WANT_CONTACT  (1u << 3) /**< first Contact, n_contact, Expires */
#define SIP_WANT_AUTH     (1u << 4) /**< first Authorization or Proxy-Authorization */
#define SIP_WANT_UA       (1u << 5) /**< User-Agent */
#define SIP_WANT_BODY     (1u << 6) /**< Content-Length, Content-Type, body span */
#define SIP_WANT_SESSION  (1u << 7) /**< Session-Expires, Min-SE, Supported, Require */
#define SIP_WANT_IDENTITY (1u << 8) /**< Privacy, P-Asserted-Identity, P-Preferred-Identity */
/** Scan to the end of the headers even when every wanted header was already found, check
 *  that Via, From, To, Call-ID and CSeq are present and frame the body. */
#define SIP_WANT_COMPLETE (1u << 9)
#define SIP_WANT_ALL      ((1u << 10) - 1)

/** Parts of a SIP URI; all spans point into the URI given to sip_scan_uri(). */
struct sip_scan_uri {
	struct sf_span user;    /* userinfo up to ':' (password dropped), escapes kept */
	struct sf_span host;    /* hostname, IPv4 or [IPv6] with brackets */
	struct sf_span params;  /* after the first ';' of the hostport, up to '?' */
	struct sf_span headers; /* after '?' */
	uint16_t port;          /* 0 when absent */
	bool is_sips;           /* scheme is sips */
};

/** A name-addr / addr-spec header value (From, To, Contact, P-*-Identity). */
struct sip_scan_addr {
	struct sf_span display; /* display name, quotes stripped, escapes kept */
	struct sf_span uri;     /* inside <...>, or the bare addr-spec */
	struct sf_span user;    /* URI user when the scheme is sip or sips */
	struct sf_span host;    /* URI host when the scheme is sip or sips */
	struct sf_span tag;     /* tag header parameter */
};

/** The top Via value. */
struct sip_scan_via {
	struct sf_span transport; /* UDP, TCP, ... */
	struct sf_span host;      /* sent-by host */
	struct sf_span branch;    /* branch parameter */
	struct sf_span received;  /* received parameter */
	struct sf_span rport;     /* rport value; empty when given without a value */
	uint16_t port;            /* sent-by port, 0 when absent */
	bool has_rport;           /* rport parameter present */
};

/** Credentials from the first Authorization or Proxy-Authorization header. */
struct sip_scan_auth {
	struct sf_span scheme;    /* "Digest" or an unknown scheme */
	struct sf_span username;  /* quoted values: quotes stripped, escapes kept */
	struct sf_span realm;
	struct sf_span nonce;
	struct sf_span uri;
	struct sf_span response;
	struct sf_span qop;
	struct sf_span nc;
	struct sf_span cnonce;
	struct sf_span algorithm;
	bool is_digest;           /* scheme is Digest (case-insensitive) */
	bool is_proxy;            /* came from Proxy-Authorization */
};

/** Start line alone, as sip_scan_request_line() returns it. */
struct sip_scan_line {
	struct sf_span method_name; /* request method token */
	struct sf_span ruri;        /* Request-URI */
	struct sf_span ruri_user;   /* Request-URI user (sip/sips only) */
	struct sf_span ruri_host;   /* Request-URI host (sip/sips only) */
	struct sf_span reason;      /* response reason phrase, may be empty */
	uint16_t status_code;       /* response code 100..699, 0 for a request */
	uint16_t len;               /* bytes of the line including CRLF */
	uint8_t method;             /* enum sip_scan_method, OTHER for a response */
	bool is_request;
};

/**
 * Result of sip_scan(). Spans point into the scanned datagram and are valid as long as it
 * is. A field outside the wanted groups, or after the point where a lazy scan stopped, is
 * left empty (span NULL/0, number -1). Counts are final only when @c complete is set.
 */
struct sip_scan {
	struct sip_scan_line line;
	struct sip_scan_via via;
	struct sip_scan_addr from;
	struct sip_scan_addr to;
	struct sip_scan_addr contact;   /* first Contact value */
	struct sip_scan_addr pai;       /* P-Asserted-Identity */
	struct sip_scan_addr ppi;       /* P-Preferred-Identity */
	struct sip_scan_auth auth;
	struct sf_span call_id;
	struct sf_span cseq_method;
	struct sf_span content_type;
	struct sf_span user_agent;
	struct sf_span privacy;         /* raw Privacy value */
	struct sf_span session_refresher; /* refresher param of Session-Expires */
	struct sf_span body;            /* Content-Length bytes, or the rest of the datagram */
	int64_t expires;                /* Expires header, s, -1 when absent */
	int64_t contact_expires;        /* expires param of the first Contact, s, -1 */
	uint32_t cseq;                  /* CSeq number */
	uint32_t hdr_seen;              /* bit (1u << enum sip_scan_hdr) per header seen */
	int32_t max_forwards;           /* -1 when absent */
	int32_t content_length;         /* bytes, -1 when absent */
	int32_t session_expires;        /* s, -1 when absent */
	int32_t min_se;                 /* s, -1 when absent */
	uint16_t n_headers;             /* header lines scanned */
	uint8_t n_via;                  /* Via values, saturates at 255 */
	uint8_t n_contact;              /* Contact values, saturates at 255 */
	bool contact_star;              /* Contact: * */
	bool timer_supported;           /* "timer" in Supported */
	bool timer_required;            /* "timer" in Require */
	bool complete;                  /* scanned up to the empty line ending the headers */
	/* Where a pass stopped, for the next one (sip_scan_resume()); not for callers. */
	bool auth_seen;                 /* an Authorization/Proxy-Authorization value parsed */
	uint8_t status;                 /* enum sip_scan_status of the last pass */
	uint8_t deferred;               /* first bad value of a group the pass did not want */
	uint16_t deferred_group;        /* its SIP_WANT_* group bits */
	uint16_t parse_want;            /* SIP_WANT_* groups whose values are parsed */
	uint16_t next_off;              /* offset of the next header line (or the empty line) */
};

/**
 * Scan one datagram.
 *
 * One pass, bounded by @p len; never reads data[len] or beyond, never allocates. Stops at
 * the first malformed header it parses, or, unless SIP_WANT_COMPLETE is in @p want, as
 * soon as every header the wanted groups name has been seen (Authorization and
 * Proxy-Authorization count as one). The mandatory-header checks and body framing run only
 * when the scan reaches the end of the headers.
 *
 * @param data  datagram bytes (UDP payload)
 * @param len   datagram length in bytes
 * @param out   filled in; valid up to the point the scan reached, also on error
 * @param want  SIP_WANT_* bits
 * @return SIP_SCAN_OK, or why the message is malformed
 */
enum sip_scan_status sip_scan(const uint8_t *data, size_t len, struct sip_scan *out,
			      unsigned int want);

/**
 * A lazy pass that parses more than it waits for: the values of every @p parse group are
 * parsed as their headers go by, but the pass stops as soon as every header @p stop names
 * was seen, and fails only as sip_scan(@p stop) would. A bad value of a group outside @p stop
 * is kept for a later pass (sip_scan_resume()) that wants it. sip_scan(want) is
 * sip_scan_lazy(want, want).
 */
enum sip_scan_status sip_scan_lazy(const uint8_t *data, size_t len, struct sip_scan *out,
				   unsigned int parse, unsigned int stop);

/**
 * Continue a scan where its last pass stopped (out->next_off), never re-reading a header
 * line: same result, spans and status as sip_scan(@p want) from byte 0 would give, as long
 * as @p want is within the groups the first pass parses (else, and when a deferred bad value
 * of a group outside @p want exists, it scans again from byte 0: correct, not cheaper).
 * A pass that failed stays failed: its status is returned again.
 */
enum sip_scan_status sip_scan_resume(const uint8_t *data, size_t len, struct sip_scan *out,
				     unsigned int want);

struct sip_skim;

/**
 * sip_scan_lazy() that starts from a skim's start line (the skim returned SIP_SCAN_OK) instead
 * of reading it again; it only takes a sip/sips Request-URI apart, which the skim left out.
 */
enum sip_scan_status sip_scan_from_skim(const uint8_t *data, size_t len, struct sip_scan *out,
					const struct sip_skim *k, unsigned int parse,
					unsigned int stop);

/**
 * What a skim (sip_scan_skim()) leaves for the unknown-source decision: the start line and
 * the raw values of the only headers that decision reads (I-1: identity, To tag, and the
 * User-Agent that names a scanner). Values are trimmed of surrounding LWS and not parsed;
 * parse them with sip_scan_addr() / sip_scan_credentials() when the decision needs them.
 */
struct sip_skim {
	struct sip_scan_line line;  /* as sip_scan(), but ruri_user/ruri_host are left empty */
	struct sf_span from;        /* From value; p NULL when absent */
	struct sf_span to;          /* To value; p NULL when absent */
	struct sf_span auth;        /* first Authorization or Proxy-Authorization value */
	struct sf_span user_agent;  /* last User-Agent value, as sip_scan() keeps it */
	uint16_t n_headers;         /* header lines (set when the skim returns SIP_SCAN_OK) */
	bool auth_is_proxy;         /* auth came from Proxy-Authorization */
};

/**
 * Skim one datagram for the unknown-source drop decision: far cheaper than sip_scan(),
 * because it proves much less.
 *
 * Checked as sip_scan() checks them (same status on failure): the start line except the
 * split of a sip/sips Request-URI (scheme, spaces and controls are still checked), CRLF line
 * ends, folding, SIP_SCAN_MAX_HEADER_LEN, SIP_SCAN_MAX_HEADERS, a repeated From or To, the
 * name of every header line that could be From, To, User-Agent, Authorization or
 * Proxy-Authorization, and the empty line that ends the headers (ERR_TRUNCATED without it).
 * Not checked: the names and values of the other headers, mandatory headers, the body.
 * So SIP_SCAN_OK here does not mean "well formed": a caller that does anything but drop the
 * message silently must sip_scan() it. Never reads data[len] or beyond, never allocates.
 *
 * @return SIP_SCAN_OK and @p out filled, or why the message is malformed
 */
enum sip_scan_status sip_scan_skim(const uint8_t *data, size_t len, struct sip_skim *out);

/**
 * Parse one From/To value (a skim's span) exactly as sip_scan() parses the header.
 * @return 0 and @p out filled, or -1 when sip_scan() would say ERR_BAD_FROM / ERR_BAD_TO
 */
int sip_scan_addr(struct sf_span value, struct sip_scan_addr *out);

/**
 * Parse one Authorization / Proxy-Authorization value (a skim's span) exactly as sip_scan()
 * parses the first such header.
 * @return SIP_SCAN_OK and @p out filled, or SIP_SCAN_ERR_BAD_AUTH
 */
enum sip_scan_status sip_scan_credentials(struct sf_span value, bool is_proxy,
					  struct sip_scan_auth *out);

/**
 * The username sip_scan_credentials() would find (empty for a scheme other than Digest, or
 * no username parameter), parsing only up to it: an error after it is not noticed.
 * @return SIP_SCAN_OK and @p username set, or SIP_SCAN_ERR_BAD_AUTH
 */
enum sip_scan_status sip_scan_credentials_user(struct sf_span value, struct sf_span *username);

/**
 * Parse only the start line (request line or status line).
 * @return SIP_SCAN_OK and @p line filled, or the start-line error
 */
enum sip_scan_status sip_scan_request_line(const uint8_t *data, size_t len,
					   struct sip_scan_line *line);

/**
 * Cheap pre-check: does @p data begin like a request ("TOKEN SP", not "SIP/")?
 * Looks at the method token only; it does not validate the message.
 */
bool sip_scan_is_request(const uint8_t *data, size_t len);

/** Text name of a scan verdict ("bad Via"); "?" for an out-of-range value. */
const char *sip_scan_reason_name(enum sip_scan_status status);

/** Method name ("INVITE"); "OTHER" for SIP_METHOD_OTHER, "?" when out of range. */
const char *sip_scan_method_name(enum sip_scan_method method);

/** Map a method token (case-sensitive) to its enum; SIP_METHOD_OTHER when unknown. */
enum sip_scan_method sip_scan_method_of(struct sf_span token);

/**
 * Split a sip: or sips: URI into user, host, port, params and headers.
 * @return 0, or -1 when the scheme is not sip/sips or the host or port is bad
 */
int sip_scan_uri(struct sf_span uri, struct sip_scan_uri *out);

/**
 * Find parameter @p name (case-insensitive, @p name_len bytes) in a ';'-separated list
 * such as URI params or the tail of a header value. A leading ';' is optional. Quoted
 * values are returned without their quotes.
 * @return 1 and @p value set (empty when the parameter has no value), or 0 when absent
 */
int sip_scan_param(struct sf_span params, const char *name, size_t name_len,
		   struct sf_span *value);

/** sip_scan_param() with a string literal name. */
#define SIP_SCAN_PARAM(params, lit, value) \
	sip_scan_param((params), (lit), sizeof(lit) - 1, (value))

/**
 * Parse a decimal span (digits only, leading zeros allowed, no sign, no spaces).
 * @return 0 and *@p val set, or -1 when empty, not all digits, or above @p max
 */
int sip_scan_uint(struct sf_span s, uint64_t max, uint64_t *val);

#endif
