/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * calls.list and calls.hangup (ctl_calls.h): parse and check the parameters here, post one
 * request to the owner worker (ctl_request.h), turn its answer into JSON when it comes.
 *
 * A calls.list page is written by the worker into an array this file allocates for that one
 * request and frees when the answer is handled. If the worker does not answer in time the
 * array is never freed (it may still write into it later): a bounded leak on an already
 * failing path, never a write into freed memory.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "ctrlplane/ctl_calls.h"
#include "ctrlplane/ctl_request.h"
#include "ctrlplane/ctl_server.h"
#include "ctrlplane/ports.h"
#include "dataplane/call/call_ctl.h"
#include "dataplane/call_ctl_requests.h"
#include "dataplane/request.h"
#include "dataplane/sip/token.h"
#include "dataplane/worker.h"

struct ctl_calls {
	struct ctl_requests *cr;
	const struct net_env *env;
	uint16_t n_workers;
};

/* One calls.list request in flight: where it looked and the array the worker fills. */
struct ctl_calls_page {
	struct ctl_calls *cc;
	uint16_t worker;
	uint32_t limit;
	struct call_info info[];
};

static json_t *
ctl_calls_addr(uint32_t ip_be, uint16_t port)
{
	char ip[INET_ADDRSTRLEN];
	struct in_addr a = { .s_addr = ip_be };

	if (ip_be == 0)
		return json_null();
	inet_ntop(AF_INET, &a, ip, sizeof(ip));
	return json_pack("{s:s, s:i}", "ip", ip, "port", (int)port);
}

/* Seconds from @then to @now on the worker's clock; 0 when @then is 0 or later. */
static json_int_t
ctl_calls_age(uint32_t now, uint32_t then)
{
	return then == 0 || (int32_t)(now - then) < 0 ? 0 : (json_int_t)(now - then);
}

/* One call as calls.list shows it. */
static json_t *
ctl_calls_info_json(const struct call_info *ci)
{
	struct call_info c = *ci;

	/* The worker wrote NUL-terminated text; never trust it further than the arrays. */
	c.id[sizeof(c.id) - 1] = '\0';
	c.a_user[sizeof(c.a_user) - 1] = '\0';
	c.b_user[sizeof(c.b_user) - 1] = '\0';
	c.gateway[sizeof(c.gateway) - 1] = '\0';
	c.a_call_id[sizeof(c.a_call_id) - 1] = '\0';
	c.b_call_id[sizeof(c.b_call_id) - 1] = '\0';
	return json_pack("{s:s, s:s, s:i, s:i, s:i, s:s, s:s, s:s?, s:{s:o, s:s}, s:{s:o, s:s},"
			 " s:I, s:o}",
			 "id", c.id, "state", call_state_name(c.state), "worker", (int)c.owner,
			 "slot", (int)c.slot, "generation", (int)c.gen,
			 "caller", c.a_user, "called", c.b_user,
			 "gateway", c.b_is_gateway ? c.gateway : NULL,
			 "a", "peer", ctl_calls_addr(c.a_ip_be, c.a_port), "call_id", c.a_call_id,
			 "b", "peer", ctl_calls_addr(c.b_ip_be, c.b_port), "call_id", c.b_call_id,
			 "duration_s", ctl_calls_age(c.now_s, c.start_s),
			 "answered_s", c.answer_s != 0 ? json_integer(ctl_calls_age(c.now_s,
										     c.answer_s))
						    : json_null());
}

/* Calls in setup + answered, summed over the workers' gauges; -1 without them. */
static json_int_t
ctl_calls_total(const struct ctl_calls *cc)
{
	uint64_t n = 0;
	uint16_t k;

	if (cc->env == NULL)
		return -1;
	for (k = 0; k < cc->env->n_workers; k++) {
		const struct worker *w = cc->env->workers[k];

		n += __atomic_load_n(&w->counters[COUNTER_CALL_SETUP], __ATOMIC_RELAXED);
		n += __atomic_load_n(&w->counters[COUNTER_CALL_ACTIVE], __ATOMIC_RELAXED);
	}
	return (json_int_t)n;
}

/* The worker answered a calls.list page. */
static json_t *
ctl_calls_list_done(void *ctx, const struct request_resp *resp, uint16_t n_workers,
		    uint64_t mask, struct ctl_error *e)
{
	struct ctl_calls_page *pg = ctx;
	const struct request_resp *r = &resp[pg->worker];
	uint64_t n = r->result[0], resume = r->result[1], cap = r->result[2], i;
	json_t *calls = json_array(), *next, *out;
	char cursor[32];

	RTE_SET_USED(n_workers);
	RTE_SET_USED(mask);
	RTE_SET_USED(e);
	if (n > pg->limit) /* never, from our handler */
		n = pg->limit;
	for (i = 0; i < n; i++)
		json_array_append_new(calls, ctl_calls_info_json(&pg->info[i]));
	if (resume < cap)
		snprintf(cursor, sizeof(cursor), "%u:%" PRIu64, pg->worker, resume);
	else if (pg->worker + 1u < pg->cc->n_workers)
		snprintf(cursor, sizeof(cursor), "%u:0", pg->worker + 1u);
	else
		cursor[0] = '\0';
	next = cursor[0] != '\0' ? json_string(cursor) : json_null();
	out = json_pack("{s:o, s:o}", "calls", calls, "next", next);
	if (ctl_calls_total(pg->cc) >= 0)
		json_object_set_new(out, "total", json_integer(ctl_calls_total(pg->cc)));
	free(pg);
	return out;
}

/* "W:S" into (@w, @s); false when it is not one. */
static bool
ctl_calls_cursor(const char *text, unsigned long *w, unsigned long *s)
{
	char *end;

	if (text[0] < '0' || text[0] > '9')
		return false;
	*w = strtoul(text, &end, 10);
	if (*end != ':' || end[1] < '0' || end[1] > '9')
		return false;
	*s = strtoul(end + 1, &end, 10);
	return *end == '\0';
}

/* {cursor?, limit?}: one page from one worker (ctl_calls.h). */
static json_t *
method_calls_list(void *ctx, const json_t *params, struct ctl_error *e)
{
	struct ctl_calls *cc = ctx;
	const json_t *jc = json_object_get(params, "cursor");
	const json_t *jl = json_object_get(params, "limit");
	struct request_msg msg = { .type = REQUEST_CALLS_LIST };
	unsigned long w = 0, s = 0;
	json_int_t limit = CTL_CALLS_PAGE_DEFAULT;
	struct ctl_calls_page *pg;
	json_t *res;

	if (jc != NULL && !json_is_null(jc) &&
	    (!json_is_string(jc) || !ctl_calls_cursor(json_string_value(jc), &w, &s)))
		return ctl_server_error_set(e, CTL_SERVER_INVALID_PARAMS, NULL,
					    "cursor: expected \"WORKER:SLOT\" as a page's \"next\" "
					    "gave it");
	if (w >= cc->n_workers || s >= SIP_TOKEN_MAX_SLOT)
		return ctl_server_error_set(e, CTL_SERVER_INVALID_PARAMS, NULL,
					    "cursor: '%s' is past the last worker (%u workers)",
					    json_string_value(jc), cc->n_workers);
	if (jl != NULL) {
		limit = json_is_integer(jl) ? json_integer_value(jl) : 0;
		if (limit < 1 || limit > (json_int_t)CALL_CTL_LIST_MAX)
			return ctl_server_error_set(e, CTL_SERVER_INVALID_PARAMS, NULL,
						    "limit: expected an integer in [1, %u]",
						    CALL_CTL_LIST_MAX);
	}
	pg = calloc(1, sizeof(*pg) + (size_t)limit * sizeof(pg->info[0]));
	if (pg == NULL)
		return ctl_server_error_set(e, CTL_SERVER_INTERNAL_ERROR, NULL,
					    "calls.list: out of memory");
	pg->cc = cc;
	pg->worker = (uint16_t)w;
	pg->limit = (uint32_t)limit;
	msg.args[0] = (uint64_t)(uintptr_t)pg->info;
	msg.args[1] = s;
	msg.args[2] = (uint64_t)limit;
	msg.args[3] = CALL_CTL_LIST_SCAN;
	res = ctl_request_post(cc->cr, "calls.list", &msg, 1ull << w, ctl_calls_list_done, pg, e);
	if (e->later == 0) /* not posted: the worker will never write it */
		free(pg);
	return res;
}

/*
 * The owner worker ended the call. @ctx is the ID packed into the pointer (no allocation: a
 * worker that answers "no such call" (-ENOENT) is turned into the error by ctl_request.c,
 * naming the ID from the request's "what", and never reaches this callback).
 */
static json_t *
ctl_calls_hangup_done(void *ctx, const struct request_resp *resp, uint16_t n_workers,
		      uint64_t mask, struct ctl_error *e)
{
	uint64_t packed = (uint64_t)(uintptr_t)ctx;
	uint8_t owner = (uint8_t)(packed >> 40);
	char id[CALL_ID_TEXT_LEN + 1];

	RTE_SET_USED(n_workers);
	RTE_SET_USED(mask);
	RTE_SET_USED(e);
	call_id_format(id, owner, (uint32_t)(packed >> 16) & 0xffffffu, (uint16_t)packed);
	/* A call already ending (an earlier hangup, a BYE, a CANCEL) is not ended twice. */
	if (resp[owner].result[0] == 0)
		return json_pack("{s:s, s:b, s:b}", "id", id, "ended", 0, "already_ending", 1);
	return json_pack("{s:s, s:b}", "id", id, "ended", 1);
}

/* {id}: end the call the ID names, on its owner worker. */
static json_t *
method_calls_hangup(void *ctx, const json_t *params, struct ctl_error *e)
{
	struct ctl_calls *cc = ctx;
	const char *id = json_string_value(json_object_get(params, "id"));
	struct request_msg msg = { .type = REQUEST_CALLS_HANGUP };
	char what[48];
	uint64_t packed;
	uint32_t slot;
	uint16_t gen;
	uint8_t owner;

	if (id == NULL)
		return ctl_server_error_set(e, CTL_SERVER_INVALID_PARAMS, NULL,
					    "id: expected the ID of a call, as calls.list shows it");
	if (!call_id_parse(id, &owner, &slot, &gen))
		return ctl_server_error_set(e, CTL_SERVER_INVALID_PARAMS,
					    json_pack("{s:s}", "id", id),
					    "id: '%.64s' is not a call ID (%u hex digits: worker, "
					    "slot, generation, as calls.list shows it)", id,
					    CALL_ID_TEXT_LEN);
	if (owner >= cc->n_workers)
		return ctl_server_error_set(e, CTL_SERVER_INVALID_PARAMS,
					    json_pack("{s:s}", "id", id),
					    "calls.hangup: no call %s (it names worker %u; there "
					    "are %u)", id, owner, cc->n_workers);
	msg.args[0] = slot;
	msg.args[1] = gen;
	packed = (uint64_t)owner << 40 | (uint64_t)slot << 16 | gen;
	snprintf(what, sizeof(what), "calls.hangup: call %s", id);
	return ctl_request_post(cc->cr, what, &msg, 1ull << owner, ctl_calls_hangup_done,
				(void *)(uintptr_t)packed, e);
}

struct ctl_calls *
ctl_calls_create(struct ctl_server *srv, struct ctl_requests *cr, uint16_t n_workers,
		 const struct net_env *env)
{
	struct ctl_calls *cc = calloc(1, sizeof(*cc));

	if (cc == NULL)
		return NULL;
	cc->cr = cr;
	cc->env = env;
	cc->n_workers = n_workers;
	if (ctl_server_register(srv, "calls.list", method_calls_list, cc,
				"{cursor?, limit?}: calls in progress, one page; follow \"next\"") != 0 ||
	    ctl_server_register(srv, "calls.hangup", method_calls_hangup, cc,
				"{id}: end that call (BYE both legs), on its worker") != 0) {
		free(cc);
		return NULL;
	}
	return cc;
}

void
ctl_calls_destroy(struct ctl_calls *cc)
{
	free(cc);
}
