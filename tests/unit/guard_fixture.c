/* SPDX-License-Identifier: BSD-3-Clause */
/* The SIP guard tests' fixture (guard_fixture.h). Test-only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "ctrlplane/cfg_policy.h"
#include "ctrlplane/param_table.h"
#include "dataplane/auth/auth.h"
#include "dataplane/auth/digest.h"
#include "dataplane/pkt_meta.h"
#include "dataplane/policy/policy.h"
#include "dataplane/registrar/location.h"
#include "dataplane/registrar/registrar.h"
#include "dataplane/sip_input.h"
#include "dataplane/steer.h"
#include "tests/unit/guard_fixture.h"

/* 1001: password; 2001: ha1 only (MD5 of "2001:sipfast.test:pw2"). */
#define POLICY_DOC                                                                            \
	"{\"accounts\": [{\"user\": \"1001\", \"password\": \"pw\"},"                         \
	" {\"user\": \"2001\", \"ha1\": \"5afa8228d0a094688cb8582ebc2b78de\"}],"              \
	" \"gateways\": [{\"name\": \"gw\", \"address\": \"10.99.0.2\"}]}"

static uint32_t
test_clock(void *arg)
{
	return ((struct gfx *)arg)->now;
}

int
gfx_setup_n(void **state, uint16_t n)
{
	struct gfx *t = calloc(1, sizeof(*t));
	size_t qsz = rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE);
	uint16_t i;

	if (t == NULL)
		return -1;
	*state = t;
	t->n = n;
	t->qs = rte_zmalloc(NULL, qsz, RTE_CACHE_LINE_SIZE);
	if (t->qs == NULL || rte_rcu_qsbr_init(t->qs, RTE_MAX_LCORE) != 0)
		return -1;
	t->sh = registrar_shared_create(n);
	t->ash = auth_shared_create();
	if (t->sh == NULL || t->ash == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		struct cfg_error err = {0};
		struct snapshot *snap;
		json_t *doc;

		t->f[i] = fx_create(i, n, FX_FRAG_TIMEOUT_MS);
		if (t->f[i] == NULL)
			return -1;
		t->w[i] = t->f[i]->w;
		snap = t->f[i]->snap;
		param_table_defaults(&snap->params);
		snprintf(snap->domain, sizeof(snap->domain), REALM);
		doc = json_loads(POLICY_DOC, 0, NULL);
		if (doc == NULL || cfg_policy_parse(doc, snap, &err) != 0)
			return -1;
		json_decref(doc);
		t->w[i]->qsbr = t->qs;
		if (auth_worker_init(t->w[i], t->ash) != 0 ||
		    registrar_worker_init(t->w[i], t->sh, 1024) != 0)
			return -1;
		t->w[i]->auth->clock = test_clock;
		t->w[i]->auth->clock_arg = t;
	}
	if (n > 1 && steer_create(t->w, n, sip_resume) != 0)
		return -1;
	t->now = 100000;
	t->dctx = digest_ctx_create();
	return t->dctx != NULL ? 0 : -1;
}

int
gfx_setup(void **state)
{
	return gfx_setup_n(state, 1);
}

int
gfx_setup2(void **state)
{
	return gfx_setup_n(state, 2);
}

int
gfx_teardown(void **state)
{
	struct gfx *t = *state;
	uint16_t i;

	if (t->n > 1)
		steer_destroy(t->w, t->n);
	for (i = 0; i < t->n; i++) {
		registrar_worker_fini(t->w[i]);
		auth_worker_fini(t->w[i]);
		fx_assert_no_leak(t->f[i]);
		policy_free(t->f[i]->snap->policy);
		t->f[i]->snap->policy = NULL;
		fx_destroy(t->f[i]);
	}
	registrar_shared_destroy(t->sh);
	auth_shared_destroy(t->ash);
	rte_free(t->qs);
	digest_ctx_destroy(t->dctx);
	free(t);
	return 0;
}

void
set_reply(struct gfx *t, bool on)
{
	uint16_t i;

	for (i = 0; i < t->n; i++)
		t->f[i]->snap->params.reply_unauthorized = on;
}

void
set_budget(struct gfx *t, uint32_t rate, uint32_t burst)
{
	uint16_t i;

	for (i = 0; i < t->n; i++) {
		t->f[i]->snap->reply_budget_rate = rate;
		t->f[i]->snap->reply_budget_burst = burst;
	}
}


static void
client_creds(struct gfx *t, const struct creq *c, const char *method, const char *ruri,
	     char *hdr, size_t cap)
{
	uint8_t ha1[DIGEST_HEX_MAX], resp[DIGEST_HEX_MAX];
	struct digest_creds cr = {
		.username = {(const uint8_t *)c->user, (uint16_t)strlen(c->user)},
		.realm = {(const uint8_t *)REALM, sizeof(REALM) - 1},
		.nonce = {(const uint8_t *)t->nonce, (uint16_t)strlen(t->nonce)},
		.uri = {(const uint8_t *)ruri, (uint16_t)strlen(ruri)},
		.alg = c->sha256 ? DIGEST_ALG_SHA256 : DIGEST_ALG_MD5,
	};
	size_t hl = digest_hex_len(cr.alg);

	assert_int_equal(digest_ha1(t->dctx, cr.alg, cr.username, cr.realm,
				    (struct sf_span){(const uint8_t *)c->password,
						     (uint16_t)strlen(c->password)}, ha1), 0);
	assert_int_equal(digest_response(t->dctx, &cr,
					 (struct sf_span){(const uint8_t *)method,
							  (uint16_t)strlen(method)},
					 (struct sf_span){ha1, (uint16_t)hl}, resp), 0);
	snprintf(hdr, cap, "Authorization: Digest username=\"%s\", realm=\"" REALM "\", "
		 "nonce=\"%s\", uri=\"%s\", response=\"%.*s\", algorithm=%s\r\n", c->user,
		 t->nonce, ruri, (int)hl, resp, c->sha256 ? "SHA-256" : "MD5");
}

void
drain_steer(struct gfx *t)
{
	unsigned int moved;
	uint16_t i;

	if (t->n < 2)
		return;
	do {
		moved = 0;
		for (i = 0; i < t->n; i++)
			moved += steer_drain(t->w[i]);
	} while (moved != 0);
}

/*
 * Send @c from src:FX_PEER_PORT to worker c.rx_worker, let the steer rings settle; the one
 * response any worker sent (or "") lands in t->out, its size in *@out_len. Returns the
 * receiving worker's verdict.
 */
enum verdict
send_req(struct gfx *t, struct creq c, size_t *out_len)
{
	const char *method = c.method != NULL ? c.method : "REGISTER";
	const char *ruri = "sip:" REALM;
	char msg[2048], auth[512] = "";
	struct rte_mbuf *m[4];
	unsigned int n, total = 0;
	enum verdict v;
	uint16_t i;
	char *p;

	if (c.src == 0)
		c.src = FX_PEER_IP;
	if (c.call_id == NULL)
		c.call_id = "cid-1";
	t->cseq++;
	if (c.password != NULL)
		client_creds(t, &c, method, ruri, auth, sizeof(auth));
	snprintf(msg, sizeof(msg),
		 "%s %s SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 10.99.0.7:40000;branch=z9hG4bK-%u;rport\r\n"
		 "Max-Forwards: 70\r\nFrom: <sip:%s@" REALM ">;tag=ft1\r\nTo: <sip:%s@" REALM ">\r\n"
		 "Call-ID: %s\r\nCSeq: %u %s\r\nContact: <sip:%s@10.99.0.7:40000>\r\n"
		 "%sContent-Length: 0\r\n\r\n",
		 method, ruri, t->cseq, c.user, c.user, c.call_id, t->cseq, method, c.user, auth);
	v = fx_rx(t->f[c.rx_worker], fx_sip_frame(t->f[c.rx_worker], c.src, FX_PEER_PORT, msg));
	drain_steer(t);
	t->out[0] = '\0';
	if (out_len != NULL)
		*out_len = 0;
	for (i = 0; i < t->n; i++) {
		n = fx_tx(t->f[i], m, RTE_DIM(m));
		assert_true(n <= 1);
		total += n;
		if (n == 1) {
			uint32_t off = sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) +
				       sizeof(struct rte_udp_hdr);
			uint32_t len = rte_pktmbuf_pkt_len(m[0]) - off;

			assert_true(len < sizeof(t->out));
			fx_read(m[0], off, len, t->out);
			t->out[len] = '\0';
			if (out_len != NULL)
				*out_len = len;
			rte_pktmbuf_free(m[0]);
		}
	}
	assert_true(total <= 1);
	p = strstr(t->out, "nonce=\"");
	if (p != NULL) {
		p += 7;
		snprintf(t->nonce, sizeof(t->nonce), "%.*s", (int)(strchr(p, '"') - p), p);
	}
	return v;
}

enum verdict
req(struct gfx *t, struct creq c)
{
	return send_req(t, c, NULL);
}

void
assert_has(const char *msg, const char *needle)
{
	if (strstr(msg, needle) == NULL)
		print_error("missing \"%s\" in:\n%s\n", needle, msg);
	assert_non_null(strstr(msg, needle));
}

uint64_t
verdicts(struct gfx *t, enum verdict v)
{
	uint64_t n = 0;
	uint16_t i;

	for (i = 0; i < t->n; i++)
		n += t->w[i]->verdicts[v];
	return n;
}

uint64_t
counters(struct gfx *t, enum counter c)
{
	uint64_t n = 0;
	uint16_t i;

	for (i = 0; i < t->n; i++)
		n += t->w[i]->counters[c];
	return n;
}

/* Host-order address in 10.99.0.10-250 whose source owner (rule S) is worker @owner. */
uint32_t
ip_owned_by(uint16_t owner)
{
	uint32_t ip;

	for (ip = RTE_IPV4(10u, 99, 0, 10); ip < RTE_IPV4(10u, 99, 0, 250); ip++)
		if (steer_source_owner(rte_cpu_to_be_32(ip), N_W) == owner)
			return ip;
	fail();
	return 0;
}

uint16_t
aor_owner(const char *user)
{
	return steer_owner(location_aor_hash((struct sf_span){(const uint8_t *)user,
							      (uint16_t)strlen(user)}),
			   N_W);
}
