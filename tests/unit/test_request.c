/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control -> worker requests (issue 11 item 6): the per-worker request/response rings and the
 * handler table (dataplane/request.h), the fan-out that answers a control client when every
 * worker answered (ctrlplane/ctl_request.h) on a real control socket, and the registrar's
 * suspended.clear handler on a fixture worker. The "workers" are this thread calling
 * request_serve(), so a test decides when a worker serves: the control server's answers are
 * asserted in the order they arrive, never by time.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "ctrlplane/ctl_calls.h"
#include "ctrlplane/ctl_request.h"
#include "ctrlplane/ctl_server.h"
#include "ctrlplane/param_table.h"
#include "dataplane/auth/auth.h"
#include "dataplane/auth/authfail.h"
#include "dataplane/call/call.h"
#include "dataplane/call/call_ctl.h"
#include "dataplane/call/call_impl.h"
#include "dataplane/call_ctl_requests.h"
#include "dataplane/registrar/registrar.h"
#include "dataplane/registrar/registrar_requests.h"
#include "dataplane/request.h"
#include "eal_fixture.h"

#define N_WORKERS 2

/* ---- the rings and the handler table ---- */

struct th {
	unsigned int calls;
	void *last_ctx;
};

/* REQUEST_TEST: result[0] = args[0] + args[1], result[1] = the request's id. */
static int
h_add(void *ctx, const struct request_msg *req, struct request_resp *resp)
{
	struct th *t = ctx;

	t->calls++;
	t->last_ctx = ctx;
	resp->result[0] = req->args[0] + req->args[1];
	resp->result[1] = req->id;
	return req->args[2] != 0 ? -(int)req->args[2] : 0;
}

static struct request_chan *
chan_new(const char *name)
{
	struct request_chan *ch;

	assert_int_equal(fx_eal_init(), 0);
	ch = request_chan_create(name, 0);
	assert_non_null(ch);
	return ch;
}

static void
post_test(struct request_chan *ch, uint32_t id, uint64_t a, uint64_t b)
{
	struct request_msg m = { .type = REQUEST_TEST, .id = id, .token = 1000 + id,
				 .args = { a, b } };

	assert_int_equal(request_post(ch, &m), 0);
}

/* A request is served by its type's handler, on its ctx; the response carries its id. */
static void
test_REQ_served_response_matched_by_id(void **state)
{
	struct request_chan *ch = chan_new("t_rq_served");
	struct request_resp r[8];
	struct th t = { 0 };
	unsigned int i;

	(void)state;
	assert_int_equal(request_register(ch, REQUEST_TEST, h_add, &t), 0);
	post_test(ch, 7, 1, 2);
	post_test(ch, 9, 10, 20);
	post_test(ch, 8, 100, 200);
	assert_int_equal(ch->in_flight, 3);
	assert_int_equal(request_collect(ch, r, 8), 0); /* not served yet */
	assert_int_equal(request_serve(ch), 3);
	assert_int_equal(t.calls, 3);
	assert_ptr_equal(t.last_ctx, &t);
	assert_int_equal(request_collect(ch, r, 8), 3);
	assert_int_equal(ch->in_flight, 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(r[i].status, 0);
		assert_int_equal(r[i].result[1], r[i].id);
		assert_int_equal(r[i].token, 1000 + r[i].id);
	}
	assert_int_equal(r[0].id, 7);
	assert_int_equal(r[0].result[0], 3);
	assert_int_equal(r[1].id, 9);
	assert_int_equal(r[1].result[0], 30);
	assert_int_equal(r[2].id, 8);
	assert_int_equal(r[2].result[0], 300);
	assert_int_equal(ch->stats.served, 3);
	assert_int_equal(ch->stats.unknown, 0);
	assert_int_equal(ch->stats.resp_dropped, 0);
	request_chan_free(ch);
}

/* A worker that does not serve: its ring takes capacity requests, then refuses (-ENOBUFS). */
static void
test_REQ_full_ring_refused(void **state)
{
	struct request_chan *ch = chan_new("t_rq_full");
	struct request_msg m = { .type = REQUEST_TEST };
	struct request_resp r[REQUEST_RING_SIZE];
	struct th t = { 0 };
	unsigned int i, served = 0;

	(void)state;
	assert_int_equal(request_register(ch, REQUEST_TEST, h_add, &t), 0);
	assert_int_equal(request_capacity(ch), REQUEST_RING_SIZE);
	for (i = 0; i < REQUEST_RING_SIZE; i++)
		post_test(ch, i + 1, i, 0);
	assert_int_equal(request_post(ch, &m), -ENOBUFS);
	assert_int_equal(ch->in_flight, REQUEST_RING_SIZE);
	/* Served but not collected: still in flight, still refused (no response can be lost). */
	while (request_serve(ch) > 0)
		served++;
	assert_int_equal(t.calls, REQUEST_RING_SIZE);
	assert_int_equal(request_post(ch, &m), -ENOBUFS);
	assert_int_equal(request_collect(ch, r, REQUEST_RING_SIZE), REQUEST_RING_SIZE);
	assert_int_equal(ch->stats.resp_dropped, 0);
	post_test(ch, 99, 1, 1);
	assert_int_equal(request_serve(ch), 1);
	assert_int_equal(request_collect(ch, r, 1), 1);
	assert_int_equal(r[0].id, 99);
	assert_true(served > 1); /* bounded per tick */
	request_chan_free(ch);
}

/* No handler for the type (or a type out of range): answered -ENOTSUP, counted unknown. */
static void
test_REQ_unknown_type_answered_error(void **state)
{
	struct request_chan *ch = chan_new("t_rq_unknown");
	struct request_msg hang = { .type = REQUEST_CALLS_HANGUP, .id = 5 };
	struct request_msg wild = { .type = 999, .id = 6 };
	struct request_resp r[2];

	(void)state;
	assert_int_equal(request_post(ch, &hang), 0);
	assert_int_equal(request_post(ch, &wild), 0);
	assert_int_equal(request_serve(ch), 2);
	assert_int_equal(request_collect(ch, r, 2), 2);
	assert_int_equal(r[0].id, 5);
	assert_int_equal(r[0].status, -ENOTSUP);
	assert_int_equal(r[1].id, 6);
	assert_int_equal(r[1].status, -ENOTSUP);
	assert_int_equal(ch->stats.unknown, 2);
	assert_int_equal(ch->stats.served, 0);
	request_chan_free(ch);
}

/* One handler per type; types out of range and NULL handlers are refused. */
static void
test_REQ_register_errors(void **state)
{
	struct request_chan *ch = chan_new("t_rq_reg");
	struct th t = { 0 };

	(void)state;
	assert_int_equal(request_register(ch, REQUEST_TEST, h_add, &t), 0);
	assert_int_equal(request_register(ch, REQUEST_TEST, h_add, &t), -EEXIST);
	assert_int_equal(request_register(ch, REQUEST_NONE, h_add, &t), -EINVAL);
	assert_int_equal(request_register(ch, REQUEST_TYPE_MAX, h_add, &t), -EINVAL);
	assert_int_equal(request_register(ch, REQUEST_CALLS_HANGUP, NULL, &t), -EINVAL);
	assert_int_equal(request_serve(NULL), 0);
	request_chan_free(ch);
}

/* One housekeeping tick serves at most REQUEST_SERVE_BUDGET requests. */
static void
test_REQ_serve_budget_bounded(void **state)
{
	struct request_chan *ch = chan_new("t_rq_budget");
	struct th t = { 0 };
	unsigned int i;

	(void)state;
	assert_int_equal(request_register(ch, REQUEST_TEST, h_add, &t), 0);
	for (i = 0; i < REQUEST_SERVE_BUDGET + 3; i++)
		post_test(ch, i + 1, 0, 0);
	assert_int_equal(request_serve(ch), REQUEST_SERVE_BUDGET);
	assert_int_equal(t.calls, REQUEST_SERVE_BUDGET);
	assert_int_equal(request_serve(ch), 3);
	request_chan_free(ch);
}

/* ---- the control socket answers later: fan-out fixture ---- */

struct cx {
	char dir[64];
	char path[160];
	struct ctl_server *srv;
	struct ctl_requests *cr;
	struct request_chan *chans[N_WORKERS];
	struct th t[N_WORKERS];
	struct ctl_calls *calls; /* cx_setup_calls() only */
};

/* Every worker answered REQUEST_TEST: {"sum": sum of result[0], "workers": answered}. */
static json_t *
cx_done(void *ctx, const struct request_resp *resp, uint16_t n, uint64_t mask,
	struct ctl_error *err)
{
	uint64_t sum = 0;
	int workers = 0;
	uint16_t i;

	(void)ctx;
	(void)err;
	for (i = 0; i < n; i++)
		if (mask & (1ull << i)) {
			sum += resp[i].result[0];
			workers++;
		}
	return json_pack("{s:I, s:i}", "sum", (json_int_t)sum, "workers", workers);
}

/* "work" {a, b}: REQUEST_TEST to every worker, answered later. */
static json_t *
m_work(void *ctx, const json_t *params, struct ctl_error *err)
{
	struct cx *cx = ctx;
	struct request_msg m = { .type = REQUEST_TEST };

	m.args[0] = (uint64_t)json_integer_value(json_object_get(params, "a"));
	m.args[1] = (uint64_t)json_integer_value(json_object_get(params, "b"));
	return ctl_request_post(cx->cr, "work", &m, 0, cx_done, cx, err);
}

/* "hangup": a type no worker registered. */
static json_t *
m_hangup(void *ctx, const json_t *params, struct ctl_error *err)
{
	struct cx *cx = ctx;
	struct request_msg m = { .type = REQUEST_CALLS_HANGUP };

	(void)params;
	return ctl_request_post(cx->cr, "calls.hangup", &m, 0, cx_done, cx, err);
}

static json_t *
m_stats(void *ctx, const json_t *params, struct ctl_error *err)
{
	(void)ctx;
	(void)params;
	(void)err;
	return json_pack("{s:i}", "rx_packets", 42);
}

static int
cx_setup_with(void **state, bool calls)
{
	struct cx *cx = calloc(1, sizeof(*cx));
	char name[32];
	unsigned int i;

	assert_non_null(cx);
	snprintf(cx->dir, sizeof(cx->dir), "/tmp/req_test.XXXXXX");
	assert_non_null(mkdtemp(cx->dir));
	snprintf(cx->path, sizeof(cx->path), "%s/ctl.sock", cx->dir);
	cx->srv = ctl_server_create(cx->path, CTL_SERVER_DEFAULT_MODE);
	assert_non_null(cx->srv);
	for (i = 0; i < N_WORKERS; i++) {
		snprintf(name, sizeof(name), "t_cx%d_%u", (int)getpid() % 1000, i);
		cx->chans[i] = chan_new(name);
		assert_int_equal(request_register(cx->chans[i], REQUEST_TEST, h_add, &cx->t[i]),
				 0);
	}
	cx->cr = ctl_request_create(cx->srv, cx->chans, N_WORKERS);
	assert_non_null(cx->cr);
	assert_int_equal(ctl_server_register(cx->srv, "work", m_work, cx, NULL), 0);
	if (calls) { /* the daemon's calls.list and calls.hangup (ctrlplane/ctl_calls.c) */
		cx->calls = ctl_calls_create(cx->srv, cx->cr, N_WORKERS, NULL);
		assert_non_null(cx->calls);
	} else {
		assert_int_equal(ctl_server_register(cx->srv, "calls.hangup", m_hangup, cx, NULL),
				 0);
	}
	assert_int_equal(ctl_server_register(cx->srv, "stats.get", m_stats, cx, NULL), 0);
	*state = cx;
	return 0;
}

static int
cx_setup(void **state)
{
	return cx_setup_with(state, false);
}

static int
cx_setup_calls(void **state)
{
	return cx_setup_with(state, true);
}

static int
cx_teardown(void **state)
{
	struct cx *cx = *state;
	char cmd[128];
	unsigned int i;

	ctl_server_destroy(cx->srv);
	ctl_calls_destroy(cx->calls);
	ctl_request_destroy(cx->cr);
	for (i = 0; i < N_WORKERS; i++)
		request_chan_free(cx->chans[i]);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", cx->dir);
	assert_int_equal(system(cmd), 0);
	free(cx);
	return 0;
}

/* A client: a connected socket and what it has received so far. */
struct cl {
	int fd;
	char buf[8192];
	size_t len;
};

static void
cl_open(struct cx *cx, struct cl *c)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	memset(c, 0, sizeof(*c));
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(c->fd >= 0);
	memcpy(sun.sun_path, cx->path, strlen(cx->path) + 1);
	assert_int_equal(connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
}

static void
cl_send(struct cl *c, const char *line)
{
	size_t len = strlen(line);

	assert_int_equal(send(c->fd, line, len, MSG_NOSIGNAL), (ssize_t)len);
}

/* Take what arrived without waiting; true when a whole line is buffered. */
static bool
cl_has_line(struct cl *c)
{
	ssize_t n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len, MSG_DONTWAIT);

	if (n > 0)
		c->len += (size_t)n;
	c->buf[c->len] = '\0';
	return memchr(c->buf, '\n', c->len) != NULL;
}

/* The first buffered line as JSON (removed from the buffer). */
static json_t *
cl_take(struct cl *c)
{
	char *nl = memchr(c->buf, '\n', c->len);
	json_t *j;
	size_t n;

	assert_non_null(nl);
	n = (size_t)(nl - c->buf) + 1;
	j = json_loadb(c->buf, n - 1, 0, NULL);
	assert_non_null(j);
	memmove(c->buf, c->buf + n, c->len - n);
	c->len -= n;
	return j;
}

/* Poll the server (never blocking) until @c has a line; fails after ~3 s of polls. */
static json_t *
cx_wait(struct cx *cx, struct cl *c)
{
	int i;

	for (i = 0; i < 3000 && !cl_has_line(c); i++)
		ctl_server_poll(cx->srv, 1);
	assert_true(cl_has_line(c));
	return cl_take(c);
}

static void
cx_poll_n(struct cx *cx, int n)
{
	while (n-- > 0)
		ctl_server_poll(cx->srv, 0);
}

static void
cx_serve_all(struct cx *cx)
{
	unsigned int i;

	for (i = 0; i < N_WORKERS; i++)
		request_serve(cx->chans[i]);
}

/*
 * While client A's request waits for the workers (they have not served yet), client B's
 * stats.get is answered; A's answer comes once every worker served, with A's id and the
 * aggregated result. The order of the answers is what is asserted.
 */
static void
test_CTL_ASYNC_other_client_answered_first(void **state)
{
	struct cx *cx = *state;
	struct cl a, b;
	json_t *j;

	cl_open(cx, &a);
	cl_open(cx, &b);
	cl_send(&a, "{\"jsonrpc\":\"2.0\",\"id\":\"A1\",\"method\":\"work\","
		    "\"params\":{\"a\":2,\"b\":3}}\n");
	cx_poll_n(cx, 20);
	assert_int_equal(ctl_server_pending(cx->srv), 1);
	assert_false(cl_has_line(&a));
	cl_send(&b, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"stats.get\"}\n");
	j = cx_wait(cx, &b);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "result"),
							    "rx_packets")), 42);
	json_decref(j);
	assert_false(cl_has_line(&a)); /* B answered first; A still waits */
	request_serve(cx->chans[0]);
	cx_poll_n(cx, 20);
	assert_false(cl_has_line(&a)); /* one worker of two answered */
	request_serve(cx->chans[1]);
	j = cx_wait(cx, &a);
	assert_string_equal(json_string_value(json_object_get(j, "id")), "A1");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "result"),
							    "sum")), 10);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "result"),
							    "workers")), N_WORKERS);
	json_decref(j);
	assert_int_equal(ctl_server_pending(cx->srv), 0);
	assert_int_equal(ctl_request_stats(cx->cr)->answered, 1);
	assert_int_equal(ctl_request_stats(cx->cr)->posted, N_WORKERS);
	close(a.fd);
	close(b.fd);
}

/* A worker that does not answer in time: an error naming it; its late answer is counted. */
static void
test_CTL_ASYNC_timeout_names_worker(void **state)
{
	struct cx *cx = *state;
	struct cl a;
	json_t *j, *err;

	ctl_request_set_timeout(cx->cr, 50);
	cl_open(cx, &a);
	cl_send(&a, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"work\",\"params\":{}}\n");
	cx_poll_n(cx, 10);
	request_serve(cx->chans[0]); /* worker 1 is stuck */
	j = cx_wait(cx, &a);
	err = json_object_get(j, "error");
	assert_non_null(err);
	assert_int_equal(json_integer_value(json_object_get(err, "code")), CTL_SERVER_TIMEOUT);
	assert_string_equal(json_string_value(json_object_get(err, "message")),
			    "work: worker 1 did not answer within 50 ms");
	assert_int_equal(json_array_size(json_object_get(json_object_get(err, "data"),
							 "workers")), 1);
	assert_int_equal(json_integer_value(json_array_get(
				 json_object_get(json_object_get(err, "data"), "workers"), 0)),
			 1);
	json_decref(j);
	assert_int_equal(ctl_request_stats(cx->cr)->timed_out, 1);
	request_serve(cx->chans[1]); /* the stuck worker comes back */
	cx_poll_n(cx, 5);
	assert_int_equal(ctl_request_stats(cx->cr)->late, 1);
	assert_int_equal(cx->chans[1]->in_flight, 0);
	close(a.fd);
}

/* Both workers stuck: the error lists both. */
static void
test_CTL_ASYNC_timeout_names_every_worker(void **state)
{
	struct cx *cx = *state;
	struct cl a;
	json_t *j;

	ctl_request_set_timeout(cx->cr, 30);
	cl_open(cx, &a);
	cl_send(&a, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"work\",\"params\":{}}\n");
	j = cx_wait(cx, &a);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"),
							      "message")),
			    "work: workers 0 and 1 did not answer within 30 ms");
	json_decref(j);
	close(a.fd);
}

/*
 * A worker that never serves: each request that timed out stays in its ring, and once the
 * ring holds its capacity the next request is refused at once with an error naming the
 * worker; nothing is posted to the other worker either.
 */
static void
test_CTL_ASYNC_full_ring_refused(void **state)
{
	struct cx *cx = *state;
	struct cl a;
	json_t *j;
	unsigned int i;
	char msg[160];

	ctl_request_set_timeout(cx->cr, 1);
	cl_open(cx, &a);
	for (i = 0; i < REQUEST_RING_SIZE; i++) {
		request_serve(cx->chans[0]); /* worker 0 serves, worker 1 never does */
		cl_send(&a, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"work\",\"params\":{}}\n");
		j = cx_wait(cx, &a);
		assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "error"),
								    "code")),
				 CTL_SERVER_TIMEOUT);
		json_decref(j);
	}
	assert_int_equal(cx->chans[1]->in_flight, REQUEST_RING_SIZE);
	cl_send(&a, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"work\",\"params\":{}}\n");
	j = cx_wait(cx, &a);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "error"), "code")),
			 CTL_SERVER_BUSY);
	snprintf(msg, sizeof(msg),
		 "work: worker 1's request ring is full (%u requests unanswered); retry later",
		 REQUEST_RING_SIZE);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"),
							      "message")), msg);
	json_decref(j);
	assert_int_equal(ctl_server_pending(cx->srv), 0);
	assert_int_equal(ctl_request_stats(cx->cr)->posted, 2 * REQUEST_RING_SIZE);
	close(a.fd);
}

/* A request type no worker handles: answered as an error naming the worker. */
static void
test_CTL_ASYNC_no_handler_error(void **state)
{
	struct cx *cx = *state;
	struct cl a;
	json_t *j;

	cl_open(cx, &a);
	cl_send(&a, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"calls.hangup\"}\n");
	cx_poll_n(cx, 5);
	cx_serve_all(cx);
	j = cx_wait(cx, &a);
	assert_int_equal(json_integer_value(json_object_get(j, "id")), 3);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"),
							      "message")),
			    "calls.hangup: worker 0 has no handler for it");
	json_decref(j);
	close(a.fd);
}

/* A client that goes away while waiting: its answer is discarded; the next client is served. */
static void
test_CTL_ASYNC_client_gone_while_pending(void **state)
{
	struct cx *cx = *state;
	struct cl a, b;
	json_t *j;

	cl_open(cx, &a);
	cl_send(&a, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"work\",\"params\":{}}\n");
	cx_poll_n(cx, 10);
	assert_int_equal(ctl_server_pending(cx->srv), 1);
	close(a.fd);
	cx_poll_n(cx, 10);
	assert_int_equal(ctl_server_pending(cx->srv), 0);
	cx_serve_all(cx);
	cx_poll_n(cx, 10);
	assert_int_equal(ctl_request_stats(cx->cr)->answered, 1);
	cl_open(cx, &b);
	cl_send(&b, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"work\",\"params\":{\"a\":1}}\n");
	cx_poll_n(cx, 5);
	cx_serve_all(cx);
	j = cx_wait(cx, &b);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "result"),
							    "sum")), 2);
	json_decref(j);
	close(b.fd);
}

/* ---- the registrar's suspended.clear handler on a fixture worker ---- */

/* Lock (ip, "1001") out on @w's table with wrong REGISTER answers. */
static void
lock_out(struct fx *f, uint32_t ip_be, const char *call_id)
{
	struct authfail_attempt at = {
		.src_ip = ip_be,
		.user = { (const uint8_t *)"1001", 4 },
		.call_id = { (const uint8_t *)call_id, (uint16_t)strlen(call_id) },
		.is_register = true,
	};
	uint32_t now = registrar_now(f->w);
	int i;

	for (i = 0; i < 64 && authfail_check(f->w->auth->af, ip_be, at.user, now) !=
				       AUTHFAIL_LOCKED; i++)
		authfail_record_failure(f->w->auth->af, &at, &f->snap->params, now);
	assert_int_equal(authfail_check(f->w->auth->af, ip_be, at.user, now), AUTHFAIL_LOCKED);
}

/*
 * suspended.clear as the daemon sends it (REQUEST_SUSPENDED_CLEAR) reaches the registrar's
 * handler on the worker: one IP lifts that IP's lockout only, no IP lifts every lockout;
 * result[0] counts what was removed. registrations.clear (REQUEST_REGISTRATIONS_CLEAR) removes
 * the AoR's binding from the worker's shard.
 */
static void
test_CTL_ASYNC_registrar_suspended_clear(void **state)
{
	struct fx *f = fx_create(0, 1, FX_FRAG_TIMEOUT_MS);
	struct registrar_shared *sh;
	struct request_msg m = { .type = REQUEST_SUSPENDED_CLEAR, .id = 1 };
	struct request_resp r;
	uint32_t x = fx_be32(RTE_IPV4(10u, 99, 0, 7)), y = fx_be32(RTE_IPV4(10u, 99, 0, 8));
	struct sf_span u = { (const uint8_t *)"1001", 4 };
	size_t qsz = rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE);
	struct rte_rcu_qsbr *qs;
	struct auth_shared *ash;

	(void)state;
	assert_non_null(f);
	param_table_defaults(&f->snap->params); /* SS_ENDPOINT_REGISTER_RETRY and _SUSPEND */
	qs = rte_zmalloc(NULL, qsz, RTE_CACHE_LINE_SIZE);
	assert_non_null(qs);
	assert_int_equal(rte_rcu_qsbr_init(qs, RTE_MAX_LCORE), 0);
	f->w->qsbr = qs;
	ash = auth_shared_create();
	assert_non_null(ash);
	assert_int_equal(auth_worker_init(f->w, ash), 0);
	sh = registrar_shared_create(1);
	assert_non_null(sh);
	assert_int_equal(registrar_worker_init(f->w, sh, 1024), 0);
	f->w->req = chan_new("t_rq_reg_clear");
	assert_int_equal(registrar_requests_register(f->w), 0);
	lock_out(f, x, "cid-x");
	lock_out(f, y, "cid-y");
	m.args[0] = 1;
	m.args[1] = x;
	assert_int_equal(request_post(f->w->req, &m), 0);
	assert_int_equal(request_serve(f->w->req), 1);
	assert_int_equal(request_collect(f->w->req, &r, 1), 1);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.result[0], 1);
	assert_int_equal(authfail_check(f->w->auth->af, x, u, registrar_now(f->w)),
			 AUTHFAIL_ALLOW);
	assert_int_equal(authfail_check(f->w->auth->af, y, u, registrar_now(f->w)),
			 AUTHFAIL_LOCKED);
	m.id = 2;
	m.args[0] = 0;
	m.args[1] = 0;
	assert_int_equal(request_post(f->w->req, &m), 0);
	assert_int_equal(request_serve(f->w->req), 1);
	assert_int_equal(request_collect(f->w->req, &r, 1), 1);
	assert_int_equal(r.id, 2);
	assert_int_equal(r.result[0], 1);
	assert_int_equal(authfail_check(f->w->auth->af, y, u, registrar_now(f->w)),
			 AUTHFAIL_ALLOW);
	/* registrations.clear: the AoR's binding goes from this (its owner's) shard. */
	{
		struct location_binding b;
		struct sf_span c = { (const uint8_t *)"sip:1001@10.99.0.7:5060", 23 };
		struct request_msg rc = { .type = REQUEST_REGISTRATIONS_CLEAR, .id = 3,
					  .text = "1001", .text_len = 4 };
		uint32_t now = registrar_now(f->w);

		memset(&b, 0, sizeof(b));
		assert_int_equal(location_binding_set_text(&b, u, c), 0);
		b.src_ip = x;
		b.src_port = rte_cpu_to_be_16(5060);
		b.expires_at_s = now + 60;
		b.granted_s = 60;
		assert_int_equal(location_put(f->w->reg->loc, &b), 0);
		assert_non_null(location_lookup(f->w->reg->loc, u, now));
		assert_int_equal(request_post(f->w->req, &rc), 0);
		assert_int_equal(request_serve(f->w->req), 1);
		assert_int_equal(request_collect(f->w->req, &r, 1), 1);
		assert_int_equal(r.status, 0);
		assert_int_equal(r.result[0], 1);
		assert_null(location_lookup(f->w->reg->loc, u, now));
		rc.id = 4; /* again: nothing left to remove */
		assert_int_equal(request_post(f->w->req, &rc), 0);
		assert_int_equal(request_serve(f->w->req), 1);
		assert_int_equal(request_collect(f->w->req, &r, 1), 1);
		assert_int_equal(r.result[0], 0);
		rc.text_len = 0; /* no AoR: refused by the handler */
		assert_int_equal(request_post(f->w->req, &rc), 0);
		assert_int_equal(request_serve(f->w->req), 1);
		assert_int_equal(request_collect(f->w->req, &r, 1), 1);
		assert_int_equal(r.status, -EINVAL);
	}
	request_chan_free(f->w->req);
	f->w->req = NULL;
	registrar_worker_fini(f->w);
	registrar_shared_destroy(sh);
	auth_worker_fini(f->w);
	auth_shared_destroy(ash);
	rte_free(qs);
	fx_destroy(f);
}

/* ---- calls.list and calls.hangup (issue 13) ---- */

/*
 * A fake call table per fixture worker for the control side: capacity 2, a call in every
 * slot. REQUEST_CALLS_LIST as the real handler answers it (call_ctl_requests.h): one call per
 * slot looked at, result[1] the slot to resume at, result[2] the capacity.
 */
static int
h_calls_list(void *ctx, const struct request_msg *req, struct request_resp *resp)
{
	struct call_info *out = (struct call_info *)(uintptr_t)req->args[0];
	uint8_t worker = (uint8_t)(uintptr_t)ctx;
	uint64_t slot = req->args[1], n = 0;

	for (; slot < 2 && n < req->args[2] && n < req->args[3]; slot++, n++) {
		memset(&out[n], 0, sizeof(out[n]));
		call_id_format(out[n].id, worker, (uint32_t)slot, 7);
		out[n].owner = worker;
		out[n].slot = (uint32_t)slot;
		out[n].gen = 7;
		out[n].state = CALL_CONFIRMED;
		snprintf(out[n].a_user, sizeof(out[n].a_user), "1001");
		snprintf(out[n].b_user, sizeof(out[n].b_user), "9%u%u", worker, (unsigned int)slot);
		out[n].b_is_gateway = true;
		snprintf(out[n].gateway, sizeof(out[n].gateway), "gw-a");
		out[n].a_ip_be = htonl(RTE_IPV4(10u, 99, 0, 2));
		out[n].a_port = 5071;
		out[n].start_s = 100;
		out[n].answer_s = 103;
		out[n].now_s = 110;
	}
	resp->result[0] = n;
	resp->result[1] = slot;
	resp->result[2] = 2;
	return 0;
}

/* REQUEST_CALLS_HANGUP as the call engine answers it: slot 1 gen 7 exists, nothing else. */
static int
h_calls_hangup(void *ctx, const struct request_msg *req, struct request_resp *resp)
{
	(void)ctx;
	if (req->args[0] != 1 || req->args[1] != 7)
		return -ENOENT;
	resp->result[0] = 1;
	return 0;
}

/* One request line from a new client, every worker served, the answer. */
static json_t *
cc_ask(struct cx *cx, const char *method, const char *params)
{
	char line[512];
	struct cl c;
	json_t *j;
	int i;

	cl_open(cx, &c);
	snprintf(line, sizeof(line), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"%s\",\"params\":%s}\n",
		 method, params);
	cl_send(&c, line);
	for (i = 0; i < 3000 && !cl_has_line(&c); i++) {
		ctl_server_poll(cx->srv, 1);
		cx_serve_all(cx);
	}
	j = cl_take(&c);
	close(c.fd);
	return j;
}

static const char *
cc_error(const json_t *j)
{
	return json_string_value(json_object_get(json_object_get(j, "error"), "message"));
}

static void
cc_register(struct cx *cx)
{
	uintptr_t i;

	for (i = 0; i < N_WORKERS; i++) {
		assert_int_equal(request_register(cx->chans[i], REQUEST_CALLS_LIST, h_calls_list,
						  (void *)i), 0);
		assert_int_equal(request_register(cx->chans[i], REQUEST_CALLS_HANGUP,
						  h_calls_hangup, (void *)i), 0);
	}
}

/*
 * calls.list pages through one worker at a time: the cursor names where a page starts, "next"
 * where the next one does (the next worker's slot 0 after a worker's last slot, null after the
 * last worker); each call as the worker filled it.
 */
static void
test_CTL_CALLS_list_pages_follow_next(void **state)
{
	struct cx *cx = *state;
	const json_t *c;
	json_t *j;

	cc_register(cx);
	j = cc_ask(cx, "calls.list", "{\"limit\": 1}");
	assert_int_equal(json_array_size(json_object_get(json_object_get(j, "result"), "calls")), 1);
	c = json_array_get(json_object_get(json_object_get(j, "result"), "calls"), 0);
	assert_string_equal(json_string_value(json_object_get(c, "id")), "000000000007");
	assert_string_equal(json_string_value(json_object_get(c, "state")), "confirmed");
	assert_string_equal(json_string_value(json_object_get(c, "caller")), "1001");
	assert_string_equal(json_string_value(json_object_get(c, "called")), "900");
	assert_string_equal(json_string_value(json_object_get(c, "gateway")), "gw-a");
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(c,
		"a"), "peer"), "ip")), "10.99.0.2");
	assert_true(json_is_null(json_object_get(json_object_get(c, "b"), "peer")));
	assert_int_equal(json_integer_value(json_object_get(c, "duration_s")), 10);
	assert_int_equal(json_integer_value(json_object_get(c, "answered_s")), 7);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "result"),
							       "next")), "0:1");
	json_decref(j);
	/* The rest of worker 0: next is worker 1's start. */
	j = cc_ask(cx, "calls.list", "{\"cursor\": \"0:1\"}");
	assert_int_equal(json_array_size(json_object_get(json_object_get(j, "result"), "calls")), 1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "result"),
							       "next")), "1:0");
	json_decref(j);
	/* Worker 1, the last: two calls, then no next page. */
	j = cc_ask(cx, "calls.list", "{\"cursor\": \"1:0\", \"limit\": 1000}");
	c = json_array_get(json_object_get(json_object_get(j, "result"), "calls"), 1);
	assert_string_equal(json_string_value(json_object_get(c, "id")), "010000010007");
	assert_int_equal(json_integer_value(json_object_get(c, "worker")), 1);
	assert_true(json_is_null(json_object_get(json_object_get(j, "result"), "next")));
	json_decref(j);
}

/* Bad cursors and limits are refused, naming the parameter; nothing is posted. */
static void
test_CTL_CALLS_list_bad_params_named(void **state)
{
	struct cx *cx = *state;
	json_t *j;

	cc_register(cx);
	j = cc_ask(cx, "calls.list", "{\"cursor\": \"x\"}");
	assert_non_null(strstr(cc_error(j), "cursor"));
	json_decref(j);
	j = cc_ask(cx, "calls.list", "{\"cursor\": \"2:0\"}");
	assert_non_null(strstr(cc_error(j), "past the last worker"));
	json_decref(j);
	j = cc_ask(cx, "calls.list", "{\"limit\": 0}");
	assert_non_null(strstr(cc_error(j), "limit"));
	json_decref(j);
	j = cc_ask(cx, "calls.list", "{\"limit\": 1001}");
	assert_non_null(strstr(cc_error(j), "limit"));
	json_decref(j);
	assert_int_equal(ctl_request_stats(cx->cr)->posted, 0);
}

/*
 * calls.hangup goes to the worker the ID names only; a call that is there is ended; a stale ID
 * (the worker has no such call: -ENOENT) is an invalid-params error naming the ID; a malformed
 * ID or one naming a worker that does not exist is refused without asking any worker.
 */
static void
test_CTL_CALLS_hangup_stale_id_named(void **state)
{
	struct cx *cx = *state;
	json_t *j;

	cc_register(cx);
	j = cc_ask(cx, "calls.hangup", "{\"id\": \"010000010007\"}");
	assert_true(json_is_true(json_object_get(json_object_get(j, "result"), "ended")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "result"), "id")),
			    "010000010007");
	json_decref(j);
	assert_int_equal(ctl_request_stats(cx->cr)->posted, 1); /* worker 1 only */
	j = cc_ask(cx, "calls.hangup", "{\"id\": \"010000010006\"}");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "error"), "code")),
			 CTL_SERVER_INVALID_PARAMS);
	assert_string_equal(cc_error(j), "calls.hangup: call 010000010006: not found on worker 1");
	json_decref(j);
	j = cc_ask(cx, "calls.hangup", "{\"id\": \"zz\"}");
	assert_non_null(strstr(cc_error(j), "'zz' is not a call ID"));
	json_decref(j);
	j = cc_ask(cx, "calls.hangup", "{\"id\": \"050000010007\"}");
	assert_non_null(strstr(cc_error(j), "names worker 5"));
	json_decref(j);
	j = cc_ask(cx, "calls.hangup", "{}");
	assert_non_null(strstr(cc_error(j), "id: expected"));
	json_decref(j);
	assert_int_equal(ctl_request_stats(cx->cr)->posted, 2);
}

/*
 * The worker side on a real call table (call_worker_init): REQUEST_CALLS_LIST copies the calls
 * in use, looks at no more than its scan bound per request (a page of a sparse table is short,
 * "resume at" tells where to go on), stops at the page's limit; the call engine's
 * REQUEST_CALLS_HANGUP answers -ENOENT for a stale generation and a free slot, and leaves the
 * call alone.
 */
static void
test_CTL_CALLS_worker_list_and_stale_hangup(void **state)
{
	struct fx *f = fx_create(0, 1, FX_FRAG_TIMEOUT_MS);
	struct request_msg m = { .type = REQUEST_CALLS_LIST, .id = 1 };
	struct call_info *buf = calloc(8, sizeof(*buf));
	struct request_resp r;
	char id[CALL_ID_TEXT_LEN + 1];

	(void)state;
	assert_non_null(f);
	assert_non_null(buf);
	f->w->req = chan_new("t_rq_calls");
	f->w->txn = txn_worker_create(64, 1, SOCKET_ID_ANY); /* the call layer's transactions */
	assert_non_null(f->w->txn);
	assert_int_equal(call_worker_init(f->w, CALL_CTL_LIST_SCAN + 1000, false), 0);
	assert_int_equal(call_ctl_requests_register(f->w), 0);
	f->w->call->calls[3].state = CALL_CONFIRMED;
	f->w->call->calls[3].gen = 7;
	f->w->call->calls[5].state = CALL_EARLY;
	f->w->call->calls[5].gen = 2;
	f->w->call->calls[CALL_CTL_LIST_SCAN + 500].state = CALL_TRYING;
	/* Page 1: the first scan bound holds slots 3 and 5. */
	m.args[0] = (uint64_t)(uintptr_t)buf;
	m.args[1] = 0;
	m.args[2] = 8;
	m.args[3] = CALL_CTL_LIST_SCAN;
	assert_int_equal(request_post(f->w->req, &m), 0);
	assert_int_equal(request_serve(f->w->req), 1);
	assert_int_equal(request_collect(f->w->req, &r, 1), 1);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.result[0], 2);
	assert_int_equal(r.result[1], CALL_CTL_LIST_SCAN);
	assert_int_equal(r.result[2], CALL_CTL_LIST_SCAN + 1000);
	call_id_format(id, 0, 3, 7);
	assert_string_equal(buf[0].id, id);
	assert_int_equal(buf[0].state, CALL_CONFIRMED);
	assert_int_equal(buf[1].slot, 5);
	/* A page of one: resume right after the call it holds. */
	m.args[2] = 1;
	assert_int_equal(request_post(f->w->req, &m), 0);
	assert_int_equal(request_serve(f->w->req), 1);
	assert_int_equal(request_collect(f->w->req, &r, 1), 1);
	assert_int_equal(r.result[0], 1);
	assert_int_equal(r.result[1], 4);
	/* From the scan bound on: the last call, then the end of the table. */
	m.args[1] = CALL_CTL_LIST_SCAN;
	m.args[2] = 8;
	assert_int_equal(request_post(f->w->req, &m), 0);
	assert_int_equal(request_serve(f->w->req), 1);
	assert_int_equal(request_collect(f->w->req, &r, 1), 1);
	assert_int_equal(r.result[0], 1);
	assert_int_equal(buf[0].slot, CALL_CTL_LIST_SCAN + 500);
	assert_int_equal(r.result[1], CALL_CTL_LIST_SCAN + 1000);
	/* No array, or a limit beyond a page: refused. */
	m.args[2] = CALL_CTL_LIST_MAX + 1;
	assert_int_equal(request_post(f->w->req, &m), 0);
	assert_int_equal(request_serve(f->w->req), 1);
	assert_int_equal(request_collect(f->w->req, &r, 1), 1);
	assert_int_equal(r.status, -EINVAL);
	/* calls.hangup of a stale generation and of a free slot: -ENOENT, the call untouched. */
	{
		struct request_msg h = { .type = REQUEST_CALLS_HANGUP, .id = 9, .args = { 3, 6 } };

		assert_int_equal(request_post(f->w->req, &h), 0);
		h.args[0] = 4;
		h.args[1] = 0;
		assert_int_equal(request_post(f->w->req, &h), 0);
		assert_int_equal(request_serve(f->w->req), 2);
		assert_int_equal(request_collect(f->w->req, &r, 1), 1);
		assert_int_equal(r.status, -ENOENT);
		assert_int_equal(request_collect(f->w->req, &r, 1), 1);
		assert_int_equal(r.status, -ENOENT);
		assert_int_equal(f->w->call->calls[3].state, CALL_CONFIRMED);
		assert_int_equal(f->w->counters[COUNTER_CALL_HANGUPS], 0);
	}
	for (uint32_t i = 0; i < call_capacity(f->w); i++) /* nothing for fini to end */
		f->w->call->calls[i].state = CALL_FREE;
	call_worker_fini(f->w);
	txn_worker_free(f->w->txn);
	f->w->txn = NULL;
	request_chan_free(f->w->req);
	f->w->req = NULL;
	free(buf);
	fx_destroy(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_REQ_served_response_matched_by_id),
		cmocka_unit_test(test_REQ_full_ring_refused),
		cmocka_unit_test(test_REQ_unknown_type_answered_error),
		cmocka_unit_test(test_REQ_register_errors),
		cmocka_unit_test(test_REQ_serve_budget_bounded),
		cmocka_unit_test_setup_teardown(test_CTL_ASYNC_other_client_answered_first,
						cx_setup, cx_teardown),
		cmocka_unit_test_setup_teardown(test_CTL_ASYNC_timeout_names_worker, cx_setup,
						cx_teardown),
		cmocka_unit_test_setup_teardown(test_CTL_ASYNC_timeout_names_every_worker,
						cx_setup, cx_teardown),
		cmocka_unit_test_setup_teardown(test_CTL_ASYNC_full_ring_refused, cx_setup,
						cx_teardown),
		cmocka_unit_test_setup_teardown(test_CTL_ASYNC_no_handler_error, cx_setup,
						cx_teardown),
		cmocka_unit_test_setup_teardown(test_CTL_ASYNC_client_gone_while_pending,
						cx_setup, cx_teardown),
		cmocka_unit_test(test_CTL_ASYNC_registrar_suspended_clear),
		cmocka_unit_test_setup_teardown(test_CTL_CALLS_list_pages_follow_next,
						cx_setup_calls, cx_teardown),
		cmocka_unit_test_setup_teardown(test_CTL_CALLS_list_bad_params_named,
						cx_setup_calls, cx_teardown),
		cmocka_unit_test_setup_teardown(test_CTL_CALLS_hangup_stale_id_named,
						cx_setup_calls, cx_teardown),
		cmocka_unit_test(test_CTL_CALLS_worker_list_and_stale_hangup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
