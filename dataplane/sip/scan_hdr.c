/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Header names: the name-to-id lookup for any spelling and the table of which SIP_WANT_* group
 * parses each header. The fast path for the usual spellings (name_fast()) is always inline, in
 * scan_impl.h.
 */
#include <string.h>

#include "dataplane/sip/scan_impl.h"

/* Which SIP_WANT_* group parses each header's value. */
const uint16_t sc_hdr_group[SIP_HDR_MAX] = {
	[SIP_HDR_VIA] = SIP_WANT_VIA,
	[SIP_HDR_FROM] = SIP_WANT_FROM_TO,
	[SIP_HDR_TO] = SIP_WANT_FROM_TO,
	[SIP_HDR_CALL_ID] = SIP_WANT_DIALOG,
	[SIP_HDR_CSEQ] = SIP_WANT_DIALOG,
	[SIP_HDR_MAX_FORWARDS] = SIP_WANT_DIALOG,
	[SIP_HDR_CONTACT] = SIP_WANT_CONTACT,
	[SIP_HDR_EXPIRES] = SIP_WANT_CONTACT,
	[SIP_HDR_CONTENT_LENGTH] = SIP_WANT_BODY | SIP_WANT_COMPLETE,
	[SIP_HDR_CONTENT_TYPE] = SIP_WANT_BODY,
	[SIP_HDR_USER_AGENT] = SIP_WANT_UA,
	[SIP_HDR_AUTHORIZATION] = SIP_WANT_AUTH,
	[SIP_HDR_PROXY_AUTHORIZATION] = SIP_WANT_AUTH,
	[SIP_HDR_SESSION_EXPIRES] = SIP_WANT_SESSION,
	[SIP_HDR_MIN_SE] = SIP_WANT_SESSION,
	[SIP_HDR_SUPPORTED] = SIP_WANT_SESSION,
	[SIP_HDR_REQUIRE] = SIP_WANT_SESSION,
	[SIP_HDR_PRIVACY] = SIP_WANT_IDENTITY,
	[SIP_HDR_P_ASSERTED_IDENTITY] = SIP_WANT_IDENTITY,
	[SIP_HDR_P_PREFERRED_IDENTITY] = SIP_WANT_IDENTITY,
	[SIP_HDR_DATE] = SIP_WANT_COMPLETE,
	[SIP_HDR_OTHER] = 0,
};

/* Header name to id: a switch on length, then on the first letter (compact forms too). */
enum sip_scan_hdr
sc_hdr_lookup(const uint8_t *n, size_t len)
{
	uint8_t c = n[0] | 0x20;

	switch (len) {
	case 1:
		switch (c) {
		case 'v': return SIP_HDR_VIA;
		case 'f': return SIP_HDR_FROM;
		case 't': return SIP_HDR_TO;
		case 'i': return SIP_HDR_CALL_ID;
		case 'm': return SIP_HDR_CONTACT;
		case 'l': return SIP_HDR_CONTENT_LENGTH;
		case 'c': return SIP_HDR_CONTENT_TYPE;
		case 'k': return SIP_HDR_SUPPORTED;
		case 'x': return SIP_HDR_SESSION_EXPIRES;
		default: return SIP_HDR_OTHER;
		}
	case 2:
		return lc_eq(n, "to", 2) ? SIP_HDR_TO : SIP_HDR_OTHER;
	case 3:
		return lc_eq(n, "via", 3) ? SIP_HDR_VIA : SIP_HDR_OTHER;
	case 4:
		if (c == 'f')
			return lc_eq(n, "from", 4) ? SIP_HDR_FROM : SIP_HDR_OTHER;
		if (c == 'd')
			return lc_eq(n, "date", 4) ? SIP_HDR_DATE : SIP_HDR_OTHER;
		return lc_eq(n, "cseq", 4) ? SIP_HDR_CSEQ : SIP_HDR_OTHER;
	case 6:
		return lc_eq(n, "min-se", 6) ? SIP_HDR_MIN_SE : SIP_HDR_OTHER;
	case 7:
		switch (c) {
		case 'c':
			if (lc_eq(n, "call-id", 7))
				return SIP_HDR_CALL_ID;
			return lc_eq(n, "contact", 7) ? SIP_HDR_CONTACT : SIP_HDR_OTHER;
		case 'e': return lc_eq(n, "expires", 7) ? SIP_HDR_EXPIRES : SIP_HDR_OTHER;
		case 'p': return lc_eq(n, "privacy", 7) ? SIP_HDR_PRIVACY : SIP_HDR_OTHER;
		case 'r': return lc_eq(n, "require", 7) ? SIP_HDR_REQUIRE : SIP_HDR_OTHER;
		default: return SIP_HDR_OTHER;
		}
	case 9:
		return lc_eq(n, "supported", 9) ? SIP_HDR_SUPPORTED : SIP_HDR_OTHER;
	case 10:
		return lc_eq(n, "user-agent", 10) ? SIP_HDR_USER_AGENT : SIP_HDR_OTHER;
	case 12:
		if (c == 'm')
			return lc_eq(n, "max-forwards", 12) ? SIP_HDR_MAX_FORWARDS : SIP_HDR_OTHER;
		return lc_eq(n, "content-type", 12) ? SIP_HDR_CONTENT_TYPE : SIP_HDR_OTHER;
	case 13:
		return lc_eq(n, "authorization", 13) ? SIP_HDR_AUTHORIZATION : SIP_HDR_OTHER;
	case 14:
		return lc_eq(n, "content-length", 14) ? SIP_HDR_CONTENT_LENGTH : SIP_HDR_OTHER;
	case 15:
		return lc_eq(n, "session-expires", 15) ? SIP_HDR_SESSION_EXPIRES : SIP_HDR_OTHER;
	case 19:
		if (c == 'p' && lc_eq(n, "proxy-authorization", 19))
			return SIP_HDR_PROXY_AUTHORIZATION;
		return lc_eq(n, "p-asserted-identity", 19) ? SIP_HDR_P_ASSERTED_IDENTITY :
							      SIP_HDR_OTHER;
	case 20:
		return lc_eq(n, "p-preferred-identity", 20) ? SIP_HDR_P_PREFERRED_IDENTITY :
							       SIP_HDR_OTHER;
	default:
		return SIP_HDR_OTHER;
	}
}
