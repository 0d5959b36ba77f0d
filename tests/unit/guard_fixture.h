/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fixture for the SIP guard tests (test_sip_guard.c, test_steer_stage.c): one or two workers
 * with a real auth/ and registrar, the policy of POLICY_DOC (accounts 1001 with a password and
 * 2001 with an ha1 only; gateway 10.99.0.2), an injected clock, steer rings between them, and
 * a client that sends a request to a chosen worker, settles the rings and reads the one
 * response any worker sent. Test-only: linked into those two tests alone.
 */
#ifndef SF_TEST_GUARD_FIXTURE_H
#define SF_TEST_GUARD_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataplane/verdict.h"
#include "tests/unit/eal_fixture.h"

#define REALM "sipfast.test"
#define GW_IP RTE_IPV4(10u, 99, 0, 2)
#define IP_Y RTE_IPV4(10u, 99, 0, 9)
#define N_W 2

struct digest_ctx;
struct registrar_shared;
struct auth_shared;

struct gfx {
	uint16_t n;                   /* workers in use */
	struct fx *f[N_W];
	struct worker *w[N_W];
	struct rte_rcu_qsbr *qs;
	struct registrar_shared *sh;
	struct auth_shared *ash;
	struct digest_ctx *dctx;
	uint32_t now;                 /* injected clock, s */
	char nonce[128];
	char out[4096];
	unsigned int cseq;
};

/* What a client sends. */
struct creq {
	const char *method;       /* NULL = REGISTER */
	const char *user;
	const char *password;     /* digest computed with this; NULL = no credentials */
	const char *call_id;      /* NULL = "cid-1" */
	uint32_t src;             /* host order; 0 = FX_PEER_IP */
	bool sha256;
	uint16_t rx_worker;       /* worker that receives the frame */
};

int gfx_setup_n(void **state, uint16_t n);
int gfx_setup(void **state);
int gfx_setup2(void **state);
int gfx_teardown(void **state);
void set_reply(struct gfx *t, bool on);
void set_budget(struct gfx *t, uint32_t rate, uint32_t burst);
/* Move whatever sits in the steer rings through sip_resume() until they are empty. */
void drain_steer(struct gfx *t);
/*
 * Send @c from src:FX_PEER_PORT to worker c.rx_worker, let the steer rings settle; the one
 * response any worker sent (or "") lands in t->out, its size in *@out_len. Returns the
 * receiving worker's verdict.
 */
enum verdict send_req(struct gfx *t, struct creq c, size_t *out_len);
enum verdict req(struct gfx *t, struct creq c);
void assert_has(const char *msg, const char *needle);
/* Verdict / counter summed over the fixture's workers. */
uint64_t verdicts(struct gfx *t, enum verdict v);
uint64_t counters(struct gfx *t, enum counter c);
/* Host-order address in 10.99.0.10-250 whose source owner (rule S) is worker @owner. */
uint32_t ip_owned_by(uint16_t owner);
/* The worker that owns @user's AoR (rule K). */
uint16_t aor_owner(const char *user);

#endif
