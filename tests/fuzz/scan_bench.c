/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scanner cost probe for callgrind: `scan_bench CASE` scans one message BENCH_ITER times in
 * bench_run(), so bench_run's inclusive instruction count / BENCH_ITER is the cost per scan.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/sip/scan.h"

#define BENCH_ITER 1000

/* 7 headers: Via, From, To, Call-ID, CSeq, Contact, Authorization. */
static const char bench_register[] =
	"REGISTER sip:sip.example.com SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport\r\n"
	"From: \"Alice\" <sip:1001@sip.example.com>;tag=1928301774\r\n"
	"To: <sip:1001@sip.example.com>\r\n"
	"Call-ID: a84b4c76e66710@192.0.2.10\r\n"
	"CSeq: 2 REGISTER\r\n"
	"Contact: <sip:1001@192.0.2.10:5060>;expires=3600\r\n"
	"Authorization: Digest username=\"1001\", realm=\"sip.example.com\", "
	"nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"sip:sip.example.com\", "
	"response=\"6629fae49393a05397450978507c4ef1\", algorithm=MD5, qop=auth, "
	"nc=00000001, cnonce=\"0a4f113b\"\r\n"
	"\r\n";

/* What svwar sends: no credentials, so a lazy scan for the policy reads every header. */
static const char bench_svwar[] =
	"REGISTER sip:10.99.0.1 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 10.99.0.2:5060;branch=z9hG4bK-3086183279;rport\r\n"
	"Max-Forwards: 70\r\n"
	"To: \"2001\" <sip:2001@10.99.0.1>\r\n"
	"From: \"2001\" <sip:2001@10.99.0.1>;tag=6435623139303061\r\n"
	"User-Agent: friendly-scanner\r\n"
	"Call-ID: 1157237573717484148\r\n"
	"Contact: sip:2001@10.99.0.2:5060\r\n"
	"CSeq: 1 REGISTER\r\n"
	"Accept: application/sdp\r\n"
	"Content-Length: 0\r\n\r\n";

/* What sipvicious' svmap sends. */
static const char bench_options[] =
	"OPTIONS sip:100@198.51.100.1 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 203.0.113.5:5060;branch=z9hG4bK-3613478137;rport\r\n"
	"Max-Forwards: 70\r\n"
	"To: \"sipvicious\"<sip:100@1.1.1.1>\r\n"
	"From: \"sipvicious\"<sip:100@1.1.1.1>;tag=3438323831353164313363340131333332303130373130\r\n"
	"User-Agent: friendly-scanner\r\n"
	"Call-ID: 1001374937364846311131\r\n"
	"Contact: sip:100@203.0.113.5:5060\r\n"
	"CSeq: 1 OPTIONS\r\n"
	"Accept: application/sdp\r\n"
	"Content-Length: 0\r\n"
	"\r\n";

static volatile unsigned int bench_sink;

static __attribute__((noinline)) void
bench_run(const uint8_t *msg, size_t len, unsigned int want)
{
	struct sip_scan s;
	unsigned int i;

	for (i = 0; i < BENCH_ITER; i++) {
		bench_sink += sip_scan(msg, len, &s, want);
		bench_sink += s.from.user.len;
	}
}

static uint8_t *
heap_copy(const char *s, size_t n)
{
	uint8_t *p = malloc(n);

	if (p == NULL)
		exit(1);
	memcpy(p, s, n);
	return p;
}

static const struct {
	const char *name;
	const char *msg;
	size_t len;
	unsigned int want;
} bench_cases[] = {
	{ "register-all", bench_register, sizeof(bench_register) - 1, SIP_WANT_ALL },
	{ "register-flood", bench_register, sizeof(bench_register) - 1,
	  SIP_WANT_FROM_TO | SIP_WANT_AUTH },
	/* sip_input's unknown-source scan (SIP_INPUT_WANT_POLICY). */
	{ "svwar-policy", bench_svwar, sizeof(bench_svwar) - 1,
	  SIP_WANT_FROM_TO | SIP_WANT_AUTH | SIP_WANT_DIALOG },
	{ "options-all", bench_options, sizeof(bench_options) - 1, SIP_WANT_ALL },
	{ "options-flood", bench_options, sizeof(bench_options) - 1,
	  SIP_WANT_FROM_TO | SIP_WANT_UA },
	{ "options-line", bench_options, sizeof(bench_options) - 1, 0 },
};

int
main(int argc, char **argv)
{
	unsigned int i;
	struct sip_scan s;
	uint8_t *m;

	for (i = 0; i < sizeof(bench_cases) / sizeof(bench_cases[0]); i++) {
		if (argc > 1 && strcmp(argv[1], bench_cases[i].name) != 0)
			continue;
		m = heap_copy(bench_cases[i].msg, bench_cases[i].len);
		if (sip_scan(m, bench_cases[i].len, &s, bench_cases[i].want) != SIP_SCAN_OK) {
			fprintf(stderr, "%s: bench message does not scan\n", bench_cases[i].name);
			return 1;
		}
		bench_run(m, bench_cases[i].len, bench_cases[i].want);
		printf("%s: %u scans of %zu bytes, complete=%d, n_headers=%u\n", bench_cases[i].name,
		       BENCH_ITER, bench_cases[i].len, s.complete, s.n_headers);
		free(m);
	}
	return 0;
}
