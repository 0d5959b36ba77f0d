/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The call engine's cold half: the per-worker table (made before launch on the worker's
 * socket, freed after the workers stopped), the module entry, and the control surface
 * (call_ctl.h: calls.list reads, calls.hangup through the worker's request ring).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "dataplane/auth/auth.h"
#include "dataplane/call/call.h"
#include "dataplane/call/call_impl.h"
#include "dataplane/policy/policy.h"
#include "dataplane/registrar/registrar.h"
#include "dataplane/request.h"
#include "dataplane/sip/token.h"
#include "dataplane/worker.h"

static const char *const call_state_names[CALL_STATE_MAX] = {
#define X(name, text) text,
	CALL_STATE_LIST(X)
#undef X
};

const char *
call_state_name(unsigned int state)
{
	return state < CALL_STATE_MAX ? call_state_names[state] : "?";
}

void
call_id_format(char out[CALL_ID_TEXT_LEN + 1], uint8_t owner, uint32_t slot, uint16_t gen)
{
	snprintf(out, CALL_ID_TEXT_LEN + 1, "%02x%06x%04x", owner, slot & 0xffffffu, gen);
}

static int
hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

bool
call_id_parse(const char *text, uint8_t *owner, uint32_t *slot, uint16_t *gen)
{
	uint64_t v = 0;
	unsigned int i;

	if (text == NULL || strlen(text) != CALL_ID_TEXT_LEN)
		return false;
	for (i = 0; i < CALL_ID_TEXT_LEN; i++) {
		int d = hexval(text[i]);

		if (d < 0)
			return false;
		v = v << 4 | (uint64_t)d;
	}
	*owner = (uint8_t)(v >> 40);
	*slot = (uint32_t)(v >> 16) & 0xffffffu;
	*gen = (uint16_t)v;
	return true;
}

uint32_t
call_capacity(const struct worker *w)
{
	return w->call != NULL ? w->call->capacity : 0;
}

static void
call_copy_text(char *dst, size_t cap, struct sf_span s)
{
	size_t n = RTE_MIN((size_t)s.len, cap - 1);

	if (n > 0)
		memcpy(dst, s.p, n);
	dst[n] = '\0';
}

bool
call_info_at(const struct worker *w, uint32_t slot, struct call_info *out)
{
	const struct call_engine *ce = w->call;
	const struct call *c;
	uint8_t cid[64];
	uint8_t tok[SIP_TOKEN_LEN];

	if (ce == NULL || slot >= ce->capacity)
		return false;
	c = &ce->calls[slot];
	if (c->state == CALL_FREE)
		return false;
	memset(out, 0, sizeof(*out));
	out->slot = slot;
	out->gen = c->gen;
	out->owner = (uint8_t)w->index;
	out->state = c->state;
	call_id_format(out->id, out->owner, slot, c->gen);
	out->b_is_gateway = c->gateway != 0;
	call_copy_text(out->a_user, sizeof(out->a_user), call_text(c, c->a.user));
	call_copy_text(out->b_user, sizeof(out->b_user), call_text(c, c->b.user));
	if (c->gateway != 0 && w->cfg->policy != NULL &&
	    c->gateway - 1u < w->cfg->policy->n_gateways)
		snprintf(out->gateway, sizeof(out->gateway), "%s",
			 w->cfg->policy->gateways[c->gateway - 1].name);
	out->a_ip_be = c->a.peer_ip;
	out->a_port = rte_be_to_cpu_16(c->a.peer_port);
	out->b_ip_be = c->b.peer_ip;
	out->b_port = rte_be_to_cpu_16(c->b.peer_port);
	out->start_s = c->start_s;
	out->answer_s = c->answer_s;
	out->now_s = auth_now(w);
	call_copy_text(out->a_call_id, sizeof(out->a_call_id), call_text(c, c->a.call_id));
	/* the B leg's Call-ID: token@our address, as call.c writes it */
	{
		struct sip_token t = {.slot = slot, .entropy = c->entropy, .gen = c->gen,
				      .owner = (uint8_t)w->index, .sub = CALL_SUB_B_CALLID};
		const uint8_t *ip = (const uint8_t *)&c->b.local_ip;
		int n;

		sip_token_write(tok, &t);
		memcpy(cid, tok, sizeof(tok));
		n = snprintf((char *)cid + sizeof(tok), sizeof(cid) - sizeof(tok), "@%u.%u.%u.%u",
			     ip[0], ip[1], ip[2], ip[3]);
		call_copy_text(out->b_call_id, sizeof(out->b_call_id),
			       (struct sf_span){cid, (uint16_t)(sizeof(tok) + (size_t)RTE_MAX(n, 0))});
	}
	return true;
}

int
call_hangup(struct worker *w, uint32_t slot, uint16_t gen)
{
	struct call_engine *ce = w->call;
	struct call *c;

	if (ce == NULL || slot >= ce->capacity)
		return -ENOENT;
	c = &ce->calls[slot];
	if (c->state == CALL_FREE || c->gen != gen)
		return -ENOENT;
	/* Already ending (BYEs or CANCEL out, waiting for the legs): nothing more to send. */
	if (c->state == CALL_ENDING || c->state == CALL_CANCELLING)
		return 1;
	worker_count(w, COUNTER_CALL_HANGUPS, 1);
	call_end_now(w, c);
	return 0;
}

/* result[0]: 1 = this request ended the call, 0 = it was already ending. */
static int
call_req_hangup(void *ctx, const struct request_msg *req, struct request_resp *resp)
{
	int rc = call_hangup(ctx, (uint32_t)req->args[0], (uint16_t)req->args[1]);

	if (rc < 0)
		return rc;
	resp->result[0] = rc == 0 ? 1 : 0;
	return 0;
}

int
call_worker_init(struct worker *w, uint32_t capacity, bool fixed_tokens)
{
	int socket = rte_lcore_to_socket_id(w->lcore_id);
	struct call_engine *ce;
	uint32_t i, slots;
	int rc;

	if (capacity == 0)
		capacity = CALL_DEFAULT_PER_WORKER;
	if (capacity < CALL_MIN_PER_WORKER || capacity > CALL_MAX_PER_WORKER)
		return -EINVAL;
	if (w->txn == NULL) /* the transaction layer's module runs first (loop_modules[]) */
		return -EINVAL;
	if ((unsigned int)socket >= RTE_MAX_NUMA_NODES)
		socket = SOCKET_ID_ANY;
	ce = rte_zmalloc_socket("call_engine", sizeof(*ce), RTE_CACHE_LINE_SIZE, socket);
	if (ce == NULL)
		return -ENOMEM;
	slots = rte_align32pow2(capacity * 2);
	ce->calls = rte_zmalloc_socket("calls", sizeof(struct call) * capacity,
				       RTE_CACHE_LINE_SIZE, socket);
	ce->index_key = rte_zmalloc_socket("call_index", sizeof(uint64_t) * slots,
					   RTE_CACHE_LINE_SIZE, socket);
	ce->index_slot = rte_zmalloc_socket("call_index_slot", sizeof(uint32_t) * slots,
					    RTE_CACHE_LINE_SIZE, socket);
	if (ce->calls == NULL || ce->index_key == NULL || ce->index_slot == NULL) {
		rte_free(ce->calls);
		rte_free(ce->index_key);
		rte_free(ce->index_slot);
		rte_free(ce);
		return -ENOMEM;
	}
	ce->capacity = capacity;
	ce->index_mask = slots - 1;
	for (i = 0; i < capacity; i++)
		ce->calls[i].next_free = i + 1 < capacity ? i + 2 : 0;
	ce->free_head = 1;
	/* bench mode: entropy 0, so a generator can predict every token we mint */
	ce->entropy_state = fixed_tokens ? 0 : (rte_rand() | 1);
	w->call = ce;
	if (w->reg != NULL) /* in-dialog requests of our calls are known by their peer (I-36) */
		w->reg->hooks.dialog_known = call_dialog_known;
	rc = txn_set_ops(w->txn, TXN_USER_CALL, &call_txn_ops);
	if (rc == 0)
		rc = tw_set_handler(&w->wheel, TW_KIND_CALL, call_timer_fired, w);
	if (rc == 0 && w->req != NULL)
		rc = request_register(w->req, REQUEST_CALLS_HANGUP, call_req_hangup, w);
	return rc;
}

/* Drop every call's mbufs and timers (the loop ended: nothing will be sent any more). */
static void
call_worker_stop(struct worker *w)
{
	struct call_engine *ce = w->call;
	uint32_t i;

	if (ce == NULL)
		return;
	for (i = 0; i < ce->capacity; i++) {
		struct call *c = &ce->calls[i];
		unsigned int k;

		if (c->state == CALL_FREE)
			continue;
		for (k = 0; k < CALL_T_N; k++) {
			if (c->t[k].c.is_server)
				txn_server_stop(w, &c->t[k].sv);
			else
				txn_client_stop(w, &c->t[k].cl);
		}
		tw_stop(&w->wheel, &c->timer);
		rte_pktmbuf_free(c->a_invite);
		c->a_invite = NULL;
	}
}

void
call_worker_fini(struct worker *w)
{
	struct call_engine *ce = w->call;

	if (ce == NULL)
		return;
	call_worker_stop(w);
	rte_free(ce->calls);
	rte_free(ce->index_key);
	rte_free(ce->index_slot);
	rte_free(ce);
	w->call = NULL;
	if (w->reg != NULL)
		w->reg->hooks.dialog_known = policy_hooks_none.dialog_known;
}

static int
call_module_init(struct worker *w, const struct module_env *env)
{
	return call_worker_init(w, env->calls_per_worker, env->bench_fixed_tokens);
}

const struct module_ops call_module = {
	.name = "call",
	.worker_init = call_module_init,
	.stop = call_worker_stop,
	.fini = call_worker_fini,
};
