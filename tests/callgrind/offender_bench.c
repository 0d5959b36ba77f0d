/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Instruction count of the L3 offender memory (issue 14 item 1), each case one noinline
 * function so callgrind collects it alone (tests/callgrind/README.md "Offender memory"):
 *   probe_empty    - offender_probe() with nothing remembered, 10,000 sources
 *   probe_miss     - offender_probe() of 10,000 sources none of which is remembered, with 40
 *                    remembered (a flood_repeat table) in a 65,536-entry table
 *   probe_hit      - offender_probe() of those 40 remembered sources, 10,000 times
 *   count_new      - offender_count() of 10,000 new sources (what the learn side adds to an
 *                    unknown drop from a new source)
 *   rx_l3_drop     - the whole receive path (loop_classify(): Ethernet, IPv4 checks, probe,
 *                    free) for 10,000 frames from the 40 remembered sources
 *   rx_skim_drop   - the same frames from 40 unknown sources not remembered (threshold out
 *                    of reach): Ethernet, IPv4, UDP, skim, drop, learn
 * Needs the EAL (rte_malloc, the fixture's port): --no-huge, like the unit tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include <rte_ip.h>
#include <rte_malloc.h>

#include "dataplane/loop.h"
#include "dataplane/offender/offender.h"
#include "tests/unit/eal_fixture.h"

#define N 10000
#define N_SRC 40
#define BATCH 500

#define SCANNER_MSG                                                                          \
	"REGISTER sip:sipfast.test SIP/2.0\r\n"                                              \
	"Via: SIP/2.0/UDP 10.99.0.7:5060;branch=z9hG4bK-1\r\n"                               \
	"From: <sip:100@sipfast.test>;tag=1\r\nTo: <sip:100@sipfast.test>\r\n"               \
	"Call-ID: c1\r\nCSeq: 1 REGISTER\r\nUser-Agent: friendly-scanner\r\n"                \
	"Content-Length: 0\r\n\r\n"

static volatile unsigned int sink;
static unsigned int n_verdict[VERDICT_MAX];

static __attribute__((noinline)) void
probe_empty(struct offender *o, const uint32_t *src)
{
	for (unsigned int i = 0; i < N; i++)
		sink += offender_probe(o, src[i]);
}

static __attribute__((noinline)) void
probe_miss(struct offender *o, const uint32_t *src)
{
	for (unsigned int i = 0; i < N; i++) /* ^=: not folded into probe_empty by the compiler */
		sink ^= offender_probe(o, src[i]);
}

static __attribute__((noinline)) void
probe_hit(struct offender *o, const uint32_t *rem)
{
	for (unsigned int i = 0; i < N; i++)
		sink += offender_probe(o, rem[i % N_SRC]);
}

static __attribute__((noinline)) void
count_new(struct offender *o, const uint32_t *src)
{
	for (unsigned int i = 0; i < N; i++)
		sink += offender_count(o, src[i]);
}

static __attribute__((noinline)) void
rx_l3_drop(struct fx *f, struct rte_mbuf **m, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		n_verdict[loop_classify(f->w, m[i], f->port)]++;
}

static __attribute__((noinline)) void
rx_skim_drop(struct fx *f, struct rte_mbuf **m, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		n_verdict[loop_classify(f->w, m[i], f->port)]++;
}

/* N frames from @src[i % N_SRC] through @fn, BATCH at a time (the pool holds ~1,000). */
static void
rx_run(struct fx *f, const uint32_t *src,
       void (*fn)(struct fx *, struct rte_mbuf **, unsigned int))
{
	struct rte_mbuf *m[BATCH];

	for (unsigned int done = 0; done < N; done += BATCH) {
		for (unsigned int i = 0; i < BATCH; i++)
			m[i] = fx_sip_frame(f, rte_be_to_cpu_32(src[(done + i) % N_SRC]), 5060,
					    SCANNER_MSG);
		fn(f, m, BATCH);
	}
}

int
main(void)
{
	static uint32_t src[N], rem[N_SRC], other[N_SRC];
	struct offender *o;
	struct fx *f;
	unsigned int i;

	if (fx_eal_init() != 0)
		return 1;
	srand(7);
	for (i = 0; i < N; i++)
		src[i] = rte_cpu_to_be_32(RTE_IPV4(100u, 64, 0, 0) + (uint32_t)rand() % (1u << 20));
	for (i = 0; i < N_SRC; i++) {
		rem[i] = rte_cpu_to_be_32(RTE_IPV4(203u, 0, 113, 1 + i));
		other[i] = rte_cpu_to_be_32(RTE_IPV4(198u, 51, 100, 1 + i));
	}
	o = offender_create(SF_OFFENDER_TABLE_SIZE_DEFAULT, SOCKET_ID_ANY, 0x5eed);
	if (o == NULL)
		return 1;
	offender_configure(o, true, 20, 1000, 300);
	o->now_ms = 1000;
	probe_empty(o, src);
	for (i = 0; i < N_SRC; i++) {
		for (unsigned int k = 0; k < 20; k++)
			offender_count(o, rem[i]);
		offender_remember(o, rem[i]);
	}
	probe_miss(o, src);
	probe_hit(o, rem);
	count_new(o, src);
	offender_free(o);

	f = fx_create(0, 1, FX_FRAG_TIMEOUT_MS);
	if (f == NULL || offender_worker_init(f->w, SF_OFFENDER_TABLE_SIZE_DEFAULT) != 0)
		return 1;
	f->snap->params.reply_unauthorized = false;
	f->snap->offender = (struct sf_offender_cfg){.enabled = true, .threshold = 20,
						     .window_ms = 1000, .remember_s = 300};
	offender_config_changed(f->w);
	f->w->offender->now_ms = 1000;
	for (i = 0; i < N_SRC; i++) {
		for (unsigned int k = 0; k < 20; k++)
			offender_count(f->w->offender, rem[i]);
		offender_remember(f->w->offender, rem[i]);
	}
	rx_run(f, rem, rx_l3_drop);
	printf("rx_l3_drop: %u of %u drop_l3_offender\n", n_verdict[VERDICT_DROP_L3_OFFENDER], N);
	offender_configure(f->w->offender, true, 1000000, 1000, 300);
	rx_run(f, other, rx_skim_drop);
	printf("rx_skim_drop: %u of %u sip_drop_scanner_ua\n", n_verdict[VERDICT_SIP_DROP_SCANNER_UA],
	       N);
	offender_worker_fini(f->w);
	fx_destroy(f);
	return 0;
}
