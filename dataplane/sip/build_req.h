/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Requests built from a request we sent (issue 13, the transaction layer and the call layer):
 * the ACK for a non-2xx final (RFC 3261 17.1.1.3) and the CANCEL (RFC 3261 9.1), both from the
 * INVITE. Pure C like build.c: no DPDK, no allocation, bounded writes (struct sip_bw).
 *
 * The INVITE is ours (the B2BUA wrote it): a request line, then one header per line (CRLF,
 * no folding), one Via. Headers are recognised by full or compact name, case-insensitively.
 */
#ifndef SF_SIP_BUILD_REQ_H
#define SF_SIP_BUILD_REQ_H

#include <stddef.h>
#include <stdint.h>

#include "dataplane/sf_span.h"

/**
 * The value of the first header @name (or its compact form @compact, 0 = none) in the
 * message @msg (@len bytes, start line first): leading and trailing blanks trimmed, up to the
 * line's CRLF (a folded continuation is not included). Absent span (NULL, 0) when missing.
 */
struct sf_span sip_header_value(const uint8_t *msg, size_t len, const char *name, char compact);

/**
 * The ACK for a non-2xx final response to the INVITE @inv (@inv_len bytes): request line
 * "ACK <Request-URI of the INVITE> SIP/2.0", the INVITE's top Via (same branch), its
 * Max-Forwards, From, Call-ID and Route headers, To = @resp_to (the response's To value, tag
 * included), "CSeq: <INVITE's number> ACK", Content-Length: 0.
 * @return bytes written into @buf, or -1 when @cap is too small or the INVITE lacks a request
 *         line, Via, From, Call-ID or CSeq, or @resp_to is empty
 */
int sip_build_ack(uint8_t *buf, size_t cap, const uint8_t *inv, size_t inv_len,
		  struct sf_span resp_to);

/**
 * The CANCEL for the INVITE @inv: as the ACK above, with To from the INVITE and
 * "CSeq: <number> CANCEL" (RFC 3261 9.1: same Request-URI, Call-ID, From, To, CSeq number, top
 * Via and Route set). Same return.
 */
int sip_build_cancel(uint8_t *buf, size_t cap, const uint8_t *inv, size_t inv_len);

#endif
