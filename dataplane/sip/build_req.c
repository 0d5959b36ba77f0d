/* SPDX-License-Identifier: BSD-3-Clause */
/* ACK and CANCEL from the INVITE we sent (build_req.h). */
#include <stdbool.h>

#include "dataplane/sip/build.h"
#include "dataplane/sip/build_req.h"

static inline uint8_t
lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

static bool
is_blank(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/* End of the line starting at @p (the CR of its CRLF, or the LF, or @end). */
static const uint8_t *
line_end(const uint8_t *p, const uint8_t *end)
{
	while (p < end && *p != '\r' && *p != '\n')
		p++;
	return p;
}

/* Start of the next line after the one ending at @e. */
static const uint8_t *
next_line(const uint8_t *e, const uint8_t *end)
{
	if (e < end && *e == '\r')
		e++;
	if (e < end && *e == '\n')
		e++;
	return e;
}

/* Does the header line [p, e) have name @name (or @compact)? Sets *val to its trimmed value. */
static bool
header_is(const uint8_t *p, const uint8_t *e, const char *name, char compact,
	  struct sf_span *val)
{
	const uint8_t *q = p;
	size_t i = 0;
	bool match;

	while (q < e && *q != ':' && !is_blank(*q))
		q++;
	if (q == p)
		return false;
	if (compact != 0 && q - p == 1 && lower(*p) == (uint8_t)compact) {
		match = true;
	} else {
		match = true;
		for (i = 0; name[i] != '\0'; i++)
			if (p + i >= q || lower(p[i]) != lower((uint8_t)name[i])) {
				match = false;
				break;
			}
		if (match && p + i != q)
			match = false;
	}
	if (!match)
		return false;
	while (q < e && is_blank(*q))
		q++;
	if (q >= e || *q != ':')
		return false;
	q++;
	while (q < e && is_blank(*q))
		q++;
	while (e > q && is_blank(e[-1]))
		e--;
	*val = sf_span_of(q, (size_t)(e - q));
	return true;
}

struct sf_span
sip_header_value(const uint8_t *msg, size_t len, const char *name, char compact)
{
	const uint8_t *end = msg + len, *p, *e;
	struct sf_span v = {NULL, 0};

	if (msg == NULL)
		return v;
	p = next_line(line_end(msg, end), end); /* skip the start line */
	while (p < end) {
		e = line_end(p, end);
		if (e == p)
			break; /* the empty line: end of headers */
		if (header_is(p, e, name, compact, &v))
			return v;
		p = next_line(e, end);
	}
	return (struct sf_span){NULL, 0};
}

/* Header line "Name: value\r\n". */
static void
put_header(struct sip_bw *w, const char *name, size_t name_len, struct sf_span v)
{
	sip_bw_put(w, name, name_len);
	SIP_BW_LIT(w, ": ");
	sip_bw_span(w, v);
	SIP_BW_LIT(w, "\r\n");
}

/* Every Route header of @inv, in order. */
static void
put_routes(struct sip_bw *w, const uint8_t *inv, size_t inv_len)
{
	const uint8_t *end = inv + inv_len, *p, *e;
	struct sf_span v;

	p = next_line(line_end(inv, end), end);
	while (p < end) {
		e = line_end(p, end);
		if (e == p)
			break;
		if (header_is(p, e, "Route", 0, &v))
			put_header(w, "Route", 5, v);
		p = next_line(e, end);
	}
}

/* The Request-URI of the request line "METHOD SP URI SP SIP/2.0". */
static struct sf_span
request_uri(const uint8_t *inv, size_t inv_len)
{
	const uint8_t *end = line_end(inv, inv + inv_len), *p = inv, *u;

	while (p < end && *p != ' ')
		p++;
	if (p >= end)
		return (struct sf_span){NULL, 0};
	u = ++p;
	while (p < end && *p != ' ')
		p++;
	if (p >= end || p == u)
		return (struct sf_span){NULL, 0};
	return sf_span_of(u, (size_t)(p - u));
}

/* The CSeq number (the digits before the method). */
static struct sf_span
cseq_number(struct sf_span cseq)
{
	uint16_t n = 0;

	while (n < cseq.len && cseq.p[n] >= '0' && cseq.p[n] <= '9')
		n++;
	return n > 0 ? sf_span_of(cseq.p, n) : (struct sf_span){NULL, 0};
}

static int
build_from_invite(uint8_t *buf, size_t cap, const uint8_t *inv, size_t inv_len,
		  struct sf_span to, const char *method, size_t method_len)
{
	struct sip_bw w = SIP_BW_INIT(buf, cap);
	struct sf_span ruri, via, from, call_id, cseq, num, mf;

	if (inv == NULL || inv_len == 0)
		return -1;
	ruri = request_uri(inv, inv_len);
	via = sip_header_value(inv, inv_len, "Via", 'v');
	from = sip_header_value(inv, inv_len, "From", 'f');
	call_id = sip_header_value(inv, inv_len, "Call-ID", 'i');
	cseq = sip_header_value(inv, inv_len, "CSeq", 0);
	mf = sip_header_value(inv, inv_len, "Max-Forwards", 0);
	num = cseq_number(cseq);
	if (ruri.len == 0 || via.len == 0 || from.len == 0 || call_id.len == 0 || num.len == 0 ||
	    to.len == 0)
		return -1;
	sip_bw_put(&w, method, method_len);
	SIP_BW_LIT(&w, " ");
	sip_bw_span(&w, ruri);
	SIP_BW_LIT(&w, " SIP/2.0\r\n");
	put_header(&w, "Via", 3, via);
	put_header(&w, "Max-Forwards", 12, mf.len != 0 ? mf : SIP_BUILD_LIT("70"));
	put_routes(&w, inv, inv_len);
	put_header(&w, "From", 4, from);
	put_header(&w, "To", 2, to);
	put_header(&w, "Call-ID", 7, call_id);
	SIP_BW_LIT(&w, "CSeq: ");
	sip_bw_span(&w, num);
	SIP_BW_LIT(&w, " ");
	sip_bw_put(&w, method, method_len);
	SIP_BW_LIT(&w, "\r\nContent-Length: 0\r\n\r\n");
	return w.ok ? (int)(w.p - buf) : -1;
}

int
sip_build_ack(uint8_t *buf, size_t cap, const uint8_t *inv, size_t inv_len,
	      struct sf_span resp_to)
{
	return build_from_invite(buf, cap, inv, inv_len, resp_to, "ACK", 3);
}

int
sip_build_cancel(uint8_t *buf, size_t cap, const uint8_t *inv, size_t inv_len)
{
	return build_from_invite(buf, cap, inv, inv_len,
				 sip_header_value(inv, inv_len, "To", 't'), "CANCEL", 6);
}
