/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fan a request out to the workers and answer the control client when all of them answered
 * (ctl_request.h). Runs on the control thread only: it posts from a method handler and
 * collects from a poller the control server runs at the end of every ctl_server_poll().
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctrlplane/ctl_request.h"

#define CTL_REQUEST_WHAT_MAX 48
#define CTL_REQUEST_COLLECT 16    /* responses taken per channel per poll */

/* One fan-out: a request posted to every worker of @mask, waiting for their responses. */
struct ctl_request_op {
	uint64_t token;           /* the control server's answer token; 0 = free */
	uint32_t id;              /* request id in every message of this fan-out */
	uint64_t mask;            /* workers addressed */
	uint64_t waiting;         /* workers not answered yet */
	uint64_t deadline_ms;
	ctl_request_done_fn done;
	void *ctx;
	char what[CTL_REQUEST_WHAT_MAX];
	struct request_resp resp[CTL_REQUEST_MAX_WORKERS];
};

struct ctl_requests {
	struct ctl_server *srv;
	struct request_chan *chans[CTL_REQUEST_MAX_WORKERS];
	uint16_t n_workers;
	unsigned int timeout_ms;
	uint32_t next_id;
	uint64_t next_token;
	struct ctl_request_stats stats;
	struct ctl_request_op ops[CTL_REQUEST_MAX_OPS];
};

static uint64_t
ctl_request_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* "0, 1 and 3" into @buf: the workers of @mask. */
static void
ctl_request_list(char *buf, size_t cap, uint64_t mask)
{
	size_t len = 0;
	unsigned int i, left = (unsigned int)__builtin_popcountll(mask);

	buf[0] = '\0';
	for (i = 0; i < CTL_REQUEST_MAX_WORKERS && len < cap; i++) {
		if (!(mask & (1ull << i)))
			continue;
		left--;
		len += (size_t)snprintf(buf + len, cap - len, "%u%s", i,
					left > 1 ? ", " : left == 1 ? " and " : "");
	}
}

/* Answer @op: every worker answered; a failed one fails the whole request. */
static void
ctl_request_finish(struct ctl_requests *cr, struct ctl_request_op *op)
{
	struct ctl_error err = { 0 };
	json_t *result = NULL;
	unsigned int i;

	for (i = 0; i < cr->n_workers; i++) {
		const struct request_resp *r = &op->resp[i];

		if (!(op->mask & (1ull << i)) || r->status == 0)
			continue;
		if (r->status == -ENOTSUP)
			ctl_server_error_set(&err, CTL_SERVER_INTERNAL_ERROR, NULL,
					     "%s: worker %u has no handler for it", op->what, i);
		else if (r->status == -ENOENT) /* the request names what the worker has not */
			ctl_server_error_set(&err, CTL_SERVER_INVALID_PARAMS, NULL,
					     "%s: not found on worker %u", op->what, i);
		else
			ctl_server_error_set(&err, CTL_SERVER_INTERNAL_ERROR, NULL,
					     "%s: worker %u: %s", op->what, i,
					     strerror(-r->status));
		break;
	}
	if (err.code == 0)
		result = op->done(op->ctx, op->resp, cr->n_workers, op->mask, &err);
	cr->stats.answered++;
	(void)ctl_server_answer(cr->srv, op->token, result, &err); /* -ENOENT: client gone */
	memset(op, 0, sizeof(*op));
}

static void
ctl_request_time_out(struct ctl_requests *cr, struct ctl_request_op *op)
{
	struct ctl_error err = { 0 };
	json_t *workers = json_array();
	char list[192];
	unsigned int i;

	for (i = 0; i < cr->n_workers; i++)
		if (op->waiting & (1ull << i))
			json_array_append_new(workers, json_integer(i));
	ctl_request_list(list, sizeof(list), op->waiting);
	ctl_server_error_set(&err, CTL_SERVER_TIMEOUT,
			     json_pack("{s:o, s:i}", "workers", workers, "timeout_ms",
				       (int)cr->timeout_ms),
			     "%s: worker%s %s did not answer within %u ms", op->what,
			     __builtin_popcountll(op->waiting) > 1 ? "s" : "", list,
			     cr->timeout_ms);
	cr->stats.timed_out++;
	(void)ctl_server_answer(cr->srv, op->token, NULL, &err);
	memset(op, 0, sizeof(*op));
}

/* A response from worker @w: fill its op, or count it late (its op timed out). */
static void
ctl_request_take(struct ctl_requests *cr, uint16_t w, const struct request_resp *r)
{
	unsigned int i;

	for (i = 0; i < CTL_REQUEST_MAX_OPS; i++) {
		struct ctl_request_op *op = &cr->ops[i];

		if (op->token != 0 && op->id == r->id && op->token == r->token &&
		    (op->waiting & (1ull << w))) {
			op->resp[w] = *r;
			op->waiting &= ~(1ull << w);
			return;
		}
	}
	cr->stats.late++;
}

/* The control server's poller: collect responses, answer what is complete or late. */
static void
ctl_request_poll(void *arg)
{
	struct ctl_requests *cr = arg;
	struct request_resp resp[CTL_REQUEST_COLLECT];
	uint64_t now = 0;
	unsigned int i, n, k;
	uint16_t w;

	for (w = 0; w < cr->n_workers; w++) {
		if (cr->chans[w] == NULL || cr->chans[w]->in_flight == 0)
			continue;
		n = request_collect(cr->chans[w], resp, CTL_REQUEST_COLLECT);
		for (k = 0; k < n; k++)
			ctl_request_take(cr, w, &resp[k]);
	}
	for (i = 0; i < CTL_REQUEST_MAX_OPS; i++) {
		struct ctl_request_op *op = &cr->ops[i];

		if (op->token == 0)
			continue;
		if (op->waiting == 0) {
			ctl_request_finish(cr, op);
			continue;
		}
		if (now == 0)
			now = ctl_request_now_ms();
		if (now >= op->deadline_ms)
			ctl_request_time_out(cr, op);
	}
}

struct ctl_requests *
ctl_request_create(struct ctl_server *srv, struct request_chan *const *chans, uint16_t n_workers)
{
	struct ctl_requests *cr;

	if (n_workers > CTL_REQUEST_MAX_WORKERS)
		return NULL;
	cr = calloc(1, sizeof(*cr));
	if (cr == NULL)
		return NULL;
	cr->srv = srv;
	memcpy(cr->chans, chans, n_workers * sizeof(chans[0]));
	cr->n_workers = n_workers;
	cr->timeout_ms = CTL_REQUEST_TIMEOUT_MS;
	cr->next_id = 1;
	cr->next_token = 1;
	if (ctl_server_add_poller(srv, ctl_request_poll, cr) != 0) {
		free(cr);
		return NULL;
	}
	return cr;
}

void
ctl_request_destroy(struct ctl_requests *cr)
{
	free(cr);
}

void
ctl_request_set_timeout(struct ctl_requests *cr, unsigned int timeout_ms)
{
	cr->timeout_ms = timeout_ms;
}

const struct ctl_request_stats *
ctl_request_stats(const struct ctl_requests *cr)
{
	return &cr->stats;
}

/* Every worker of @mask can take one more request; else @err says which cannot. */
static bool
ctl_request_room(struct ctl_requests *cr, const char *what, uint64_t mask,
		 struct ctl_error *err)
{
	uint16_t w;

	for (w = 0; w < cr->n_workers; w++) {
		const struct request_chan *ch = cr->chans[w];

		if (!(mask & (1ull << w)))
			continue;
		if (ch == NULL) {
			ctl_server_error_set(err, CTL_SERVER_INTERNAL_ERROR, NULL,
					     "%s: worker %u has no request channel", what, w);
			return false;
		}
		if (ch->in_flight >= request_capacity(ch)) {
			ctl_server_error_set(err, CTL_SERVER_BUSY, NULL,
					     "%s: worker %u's request ring is full (%u requests "
					     "unanswered); retry later", what, w, ch->in_flight);
			return false;
		}
	}
	return true;
}

json_t *
ctl_request_post(struct ctl_requests *cr, const char *what, struct request_msg *msg,
		 uint64_t mask, ctl_request_done_fn done, void *ctx, struct ctl_error *err)
{
	uint64_t all = cr->n_workers >= 64 ? ~0ull : (1ull << cr->n_workers) - 1;
	struct ctl_request_op *op = NULL;
	unsigned int i;
	uint16_t w;

	mask = mask == 0 ? all : mask & all;
	for (i = 0; i < CTL_REQUEST_MAX_OPS && op == NULL; i++)
		if (cr->ops[i].token == 0)
			op = &cr->ops[i];
	if (op == NULL)
		return ctl_server_error_set(err, CTL_SERVER_BUSY, NULL,
					    "%s: %u requests to the workers in flight; retry later",
					    what, CTL_REQUEST_MAX_OPS);
	if (mask == 0)
		return ctl_server_error_set(err, CTL_SERVER_INVALID_PARAMS, NULL,
					    "%s: no such worker", what);
	if (!ctl_request_room(cr, what, mask, err))
		return NULL;
	op->token = cr->next_token++;
	op->id = cr->next_id++;
	if (cr->next_id == 0)
		cr->next_id = 1;
	op->mask = op->waiting = mask;
	op->deadline_ms = ctl_request_now_ms() + cr->timeout_ms;
	op->done = done;
	op->ctx = ctx;
	snprintf(op->what, sizeof(op->what), "%s", what);
	msg->id = op->id;
	msg->token = op->token;
	for (w = 0; w < cr->n_workers; w++) {
		if (!(mask & (1ull << w)))
			continue;
		if (request_post(cr->chans[w], msg) != 0) { /* not after ctl_request_room() */
			op->resp[w] = (struct request_resp){ .id = op->id, .status = -ENOBUFS };
			op->waiting &= ~(1ull << w);
			continue;
		}
		cr->stats.posted++;
	}
	return ctl_server_later(err, op->token);
}

json_t *
ctl_request_sum_cleared(void *ctx, const struct request_resp *resp, uint16_t n_workers,
			uint64_t mask, struct ctl_error *err)
{
	uint64_t removed = 0;
	uint16_t i;

	(void)ctx;
	(void)err;
	for (i = 0; i < n_workers; i++)
		if (mask & (1ull << i))
			removed += resp[i].result[0];
	return json_pack("{s:I}", "cleared", (json_int_t)removed);
}

json_t *
ctl_request_clear_by_ip(struct ctl_requests *cr, const char *what, enum request_type type,
			const json_t *params, struct ctl_error *err)
{
	const char *ip = json_string_value(json_object_get(params, "ip"));
	struct request_msg msg = { .type = type };
	struct in_addr a = {0};

	if (ip != NULL && inet_pton(AF_INET, ip, &a) != 1)
		return ctl_server_error_set(err, CTL_SERVER_INVALID_PARAMS, NULL,
					    "ip: '%s' is not an IPv4 address", ip);
	msg.args[0] = ip != NULL;
	msg.args[1] = a.s_addr;
	return ctl_request_post(cr, what, &msg, 0, ctl_request_sum_cleared, NULL, err);
}
