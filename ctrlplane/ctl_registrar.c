/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Registrar on the control plane: the state shared by the workers' registrars (their own is
 * the registrar module's, dataplane/registrar/registrar_module.c), and the control methods
 * registrations.list, registrations.clear, suspended.list and suspended.clear (issue 5).
 *
 * Reads of the shards and the auth-failure tables here race with their owner workers by
 * design (no lock on the packet path): the binding array and the tables are never freed while
 * the daemon runs, so a racing update can only give a stale row. suspended.clear is not done
 * here: it is posted to every worker's request ring (ctl_request.h), each worker applies it at
 * its next housekeeping tick (dataplane/registrar/registrar_requests.c), and the client is
 * answered when all of them did; the control thread serves other clients meanwhile.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "ctrlplane/ctl_request.h"
#include "ctrlplane/daemon.h"
#include "ctrlplane/log.h"
#include "dataplane/auth/auth.h"
#include "dataplane/auth/authfail.h"
#include "dataplane/registrar/registrar.h"
#include "dataplane/registrar/registrar_requests.h"
#include "dataplane/worker.h"

#define CTL_REG_PAGE_DEFAULT 100
#define CTL_REG_PAGE_MAX 10000

/*
 * BENCHMARK ONLY (--bench-fixed-nonce): the nonce key seed and the frozen registrar clock.
 * scripts/bench_nonce.py (BENCH_NONCE_SEED, BENCH_NOW_S) recomputes the nonce each challenge
 * would carry from these two, so bench_gen.py's pcaps hold digests that verify and
 * tests/pcap/golden.py predicts its challenges byte for byte. Change them together.
 */
#define CTL_REG_BENCH_NONCE_SEED 0x736662656e6368ull /* "sfbench" */
#define CTL_REG_BENCH_NOW_S 1000000u

static uint32_t
ctl_reg_bench_clock(void *arg)
{
	RTE_SET_USED(arg);
	return CTL_REG_BENCH_NOW_S;
}

/*
 * TEST ONLY (--bench-clock-step S, with --bench-fixed-nonce): the frozen clock advanced S
 * seconds per SIP datagram the worker received before the one it handles, so the Nth is
 * handled at CTL_REG_BENCH_NOW_S + (N - 1) * S and an offline golden replay can let an
 * authentication session time out (AUTH-8). Set before the workers start, read-only after.
 */
static uint32_t ctl_reg_bench_step_s;

static uint32_t
ctl_reg_bench_stepping_clock(void *arg)
{
	const struct worker *w = arg;
	uint64_t n = w->counters[COUNTER_SIP_RECEIVED];

	return CTL_REG_BENCH_NOW_S + (uint32_t)((n > 0 ? n - 1 : 0) * ctl_reg_bench_step_s);
}

int
ctl_registrar_start(struct daemon *d)
{
	d->auth = auth_shared_create();
	d->registrar = registrar_shared_create(d->env.n_workers);
	if (d->auth == NULL || d->registrar == NULL) {
		CP_LOG(ERR, "registrar: no memory or no random key");
		return -ENOMEM;
	}
	if (d->opts.bench_fixed_nonce) { /* before the workers key their nonce contexts */
		CP_LOG(WARNING, "registrar: --bench-fixed-nonce: fixed nonce key, frozen clock; "
				"BENCHMARK ONLY, nonces are forgeable");
		struct nonce_keyring ring;

		nonce_keyring_init_deterministic(&ring, CTL_REG_BENCH_NONCE_SEED);
		nonce_keyring_publish(&d->auth->keys, &ring);
	}
	d->auth->authfail_entries = d->runtime.authfail_entries;
	d->auth->replay_entries = d->runtime.register_replay_entries;
	d->registrar->answer_entries = d->runtime.register_answer_cache;
	return 0;
}

void
ctl_registrar_bench_clock(struct daemon *d)
{
	uint16_t i;

	for (i = 0; i < d->env.n_workers; i++) {
		if (d->opts.bench_fixed_nonce && d->opts.bench_clock_step_s != 0) {
			ctl_reg_bench_step_s = d->opts.bench_clock_step_s;
			d->env.workers[i]->auth->clock = ctl_reg_bench_stepping_clock;
			d->env.workers[i]->auth->clock_arg = d->env.workers[i];
		} else if (d->opts.bench_fixed_nonce) { /* nonce times, bindings, lockouts: frozen */
			d->env.workers[i]->auth->clock = ctl_reg_bench_clock;
		}
	}
}

void
ctl_registrar_tick(struct daemon *d)
{
	int rc;

	if (d->auth == NULL || d->opts.bench_fixed_nonce) /* bench: the key stays fixed */
		return;
	rc = auth_rotate(d->auth);
	if (rc > 0)
		CP_LOG(INFO, "registrar: nonce key rotated (key id %u; the previous key still "
			     "verifies for %u s)", d->auth->keys.ring.gen & 0xffu,
		       NONCE_KEY_ROTATE_S);
	else if (rc < 0)
		CP_LOG(WARNING, "registrar: nonce key rotation: %s (retrying)", strerror(-rc));
}

void
ctl_registrar_stop(struct daemon *d)
{
	registrar_shared_destroy(d->registrar);
	d->registrar = NULL;
	auth_shared_destroy(d->auth);
	d->auth = NULL;
}

static json_t *
ctl_reg_binding(const struct location_binding *b, uint32_t now, uint16_t owner)
{
	char src[INET_ADDRSTRLEN], local[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &b->src_ip, src, sizeof(src));
	inet_ntop(AF_INET, &b->local_ip, local, sizeof(local));
	return json_pack("{s:s#, s:s#, s:s, s:i, s:s, s:i, s:b, s:i, s:i, s:i, s:i}",
			 "user", (const char *)b->text, (int)b->aor_len,
			 "contact", (const char *)b->text + b->aor_len, (int)b->contact_len,
			 "source_ip", src, "source_port", ntohs(b->src_port),
			 "local_ip", local, "local_port", ntohs(b->local_port),
			 "nat", b->nat, "granted", (int)b->granted_s,
			 "expires_in", (int)(int32_t)(b->expires_at_s - now),
			 "cseq", (int)b->cseq, "worker", owner);
}

/* {user?, nat?, offset?, limit?} -> {total, offset, bindings: [...]} */
static json_t *
method_registrations_list(void *ctx, const json_t *params, struct ctl_error *e)
{
	struct daemon *d = ctx;
	const char *user = json_string_value(json_object_get(params, "user"));
	bool nat_only = json_is_true(json_object_get(params, "nat"));
	json_int_t offset = json_integer_value(json_object_get(params, "offset"));
	json_int_t limit = json_integer_value(json_object_get(params, "limit"));
	json_t *list = json_array();
	json_int_t total = 0;
	uint16_t i;

	if (limit <= 0)
		limit = CTL_REG_PAGE_DEFAULT;
	if (offset < 0 || limit > CTL_REG_PAGE_MAX)
		return ctl_server_error_set(e, CTL_SERVER_INVALID_PARAMS, NULL,
					    "offset >= 0 and limit <= %d", CTL_REG_PAGE_MAX);
	for (i = 0; i < d->env.n_workers; i++) {
		const struct location *loc = d->registrar->shard[i];
		uint32_t now = registrar_now(d->env.workers[i]), idx;

		for (idx = 0; loc != NULL && idx < location_capacity(loc); idx++) {
			struct location_binding b;

			/* HARDEN-10: a consistent copy (generation checked), lengths within it */
			if (!location_copy(loc, idx, &b))
				continue;
			if ((int32_t)(b.expires_at_s - now) <= 0 || (nat_only && !b.nat) ||
			    (user != NULL && (strlen(user) != b.aor_len ||
					      memcmp(user, b.text, b.aor_len) != 0)))
				continue;
			if (total >= offset && total < offset + limit)
				json_array_append_new(list, ctl_reg_binding(&b, now, i));
			total++;
		}
	}
	return json_pack("{s:I, s:I, s:o}", "total", total, "offset", offset, "bindings", list);
}

static void
ctl_reg_suspended_visit(const struct authfail_suspended *s, void *arg)
{
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &s->src_ip, ip, sizeof(ip));
	json_array_append_new(arg, json_pack("{s:s, s:s#, s:b, s:b, s:i}", "ip", ip, "user",
					     s->user != NULL ? (const char *)s->user : "",
					     s->user != NULL ? (int)s->user_len : 0,
					     "ip_wide", s->ip_wide, "user_truncated",
					     s->user_truncated, "remaining", (int)s->remaining_s));
}

static json_t *
method_suspended_list(void *ctx, const json_t *params, struct ctl_error *e)
{
	struct daemon *d = ctx;
	json_t *list = json_array();
	uint16_t i;

	RTE_SET_USED(params);
	RTE_SET_USED(e);
	for (i = 0; i < d->env.n_workers; i++) {
		const struct auth *au = d->env.workers[i]->auth;

		if (au != NULL)
			authfail_suspended_foreach(au->af, auth_now(d->env.workers[i]),
						   ctl_reg_suspended_visit, list);
	}
	return json_pack("{s:o}", "suspended", list);
}

/* {ip?}: post the clear to every worker; the answer comes when each applied it. */
static json_t *
method_suspended_clear(void *ctx, const json_t *params, struct ctl_error *e)
{
	struct daemon *d = ctx;

	return ctl_request_clear_by_ip(d->req, "suspended.clear", REQUEST_SUSPENDED_CLEAR, params,
				       e);
}

/* {user}: remove USER's binding (on its AoR owner); {"cleared": 0 or 1}. */
static json_t *
method_registrations_clear(void *ctx, const json_t *params, struct ctl_error *e)
{
	struct daemon *d = ctx;
	const char *user = json_string_value(json_object_get(params, "user"));
	struct request_msg msg = { .type = REQUEST_REGISTRATIONS_CLEAR };
	size_t len = user != NULL ? strlen(user) : 0;

	if (len == 0)
		return ctl_server_error_set(e, CTL_SERVER_INVALID_PARAMS, NULL,
					    "user: expected the account user whose binding to "
					    "remove");
	if (len > REQUEST_TEXT_MAX || len > LOCATION_AOR_MAX)
		return ctl_server_error_set(e, CTL_SERVER_INVALID_PARAMS, NULL,
					    "user: longer than %d bytes", LOCATION_AOR_MAX);
	memcpy(msg.text, user, len);
	msg.text_len = (uint16_t)len;
	return ctl_request_post(d->req, "registrations.clear", &msg, 0, ctl_request_sum_cleared, d,
				e);
}

int
ctl_registrar_register(struct daemon *d)
{
	static const struct {
		const char *name;
		ctl_method_fn fn;
		const char *help;
	} methods[] = {
		{"registrations.list", method_registrations_list,
		 "{user?, nat?, offset?, limit?}: live registration bindings"},
		{"suspended.list", method_suspended_list, "(source IP, user) pairs locked out"},
		{"suspended.clear", method_suspended_clear, "{ip?}: lift lockouts (all, or one IP)"},
		{"registrations.clear", method_registrations_clear,
		 "{user}: remove that user's registration binding"},
	};
	size_t i;
	int rc;

	for (i = 0; i < RTE_DIM(methods); i++) {
		rc = ctl_server_register(d->ctl, methods[i].name, methods[i].fn, d,
					 methods[i].help);
		if (rc != 0)
			return rc;
	}
	return 0;
}
