/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the JSON-RPC control socket server and the sipfastctl CLI: a real socket in
 * a temp dir, the server polled from a pthread, real clients (and the built sipfastctl binary,
 * found through $SIPFASTCTL) talking to it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "ctrlplane/ctl_server.h"

#define IO_TIMEOUT_S 5

extern char **environ;

struct fx {
	char dir[64];                   /* mkdtemp root, removed in teardown */
	char path[160];                 /* dir/run/sipfast/ctl.sock: parents do not exist */
	struct ctl_server *srv;
	pthread_t thread;
	volatile bool stop;             /* set by the test, read by the poll thread */
	pthread_mutex_t lock;           /* guards the fields below */
	int n_count;                    /* calls of method "count" */
	json_t *last_params;            /* params of the last config.set / config.apply */
	/* Method "later" (answers come from the poller, when the test releases them). */
	uint64_t later_token[16];       /* tokens of the "later" requests, in order */
	json_int_t later_a[16];         /* their params.a */
	int n_later;                    /* "later" requests deferred so far */
	int n_release;                  /* the poller answers the first n_release of them */
	int n_answered;                 /* ... and has answered this many */
	int answer_rc[16];              /* ctl_server_answer()'s return for each */
};

/* A client with a receive buffer, so lines can be read one at a time. */
struct client {
	int fd;
	char buf[2 * 1024 * 1024];
	size_t len;
};

/* ---- canned methods ---- */

static json_t *
m_echo(void *ctx, const json_t *params, struct ctl_error *err)
{
	(void)ctx;
	(void)err;
	return params != NULL ? json_deep_copy(params) : json_null();
}

static json_t *
m_fail(void *ctx, const json_t *params, struct ctl_error *err)
{
	(void)ctx;
	(void)params;
	return ctl_server_error_set(err, CTL_SERVER_INVALID_PARAMS,
				    json_pack("{s:s, s:i, s:s}", "path", "params.SS_X", "value",
					      3601, "allowed", "60..3600"),
				    "SS_X: %d is above %d", 3601, 3600);
}

static json_t *
m_big(void *ctx, const json_t *params, struct ctl_error *err)
{
	size_t size = 32 * 1024;
	json_t *s;
	char *text;

	(void)ctx;
	(void)params;
	(void)err;
	text = malloc(size + 1);
	memset(text, 'x', size);
	text[size] = '\0';
	s = json_string(text);
	free(text);
	return s;
}

static json_t *
m_count(void *ctx, const json_t *params, struct ctl_error *err)
{
	struct fx *fx = ctx;

	(void)params;
	(void)err;
	pthread_mutex_lock(&fx->lock);
	fx->n_count++;
	pthread_mutex_unlock(&fx->lock);
	return json_true();
}

static json_t *
m_config_get(void *ctx, const json_t *params, struct ctl_error *err)
{
	(void)ctx;
	(void)err;
	if (json_object_get(params, "name") != NULL)
		return json_pack("{s:{s:i}, s:[{s:s, s:i, s:s, s:s, s:s}], s:i}", "params",
				 "SS_SIP_TIMEOUT_RINGING", 90, "describe", "name",
				 "SS_SIP_TIMEOUT_RINGING", "default", 180, "unit", "s", "allowed",
				 "10..600", "description", "ringing timeout", "generation", 3);
	return json_pack("{s:{s:i, s:s, s:n}, s:[{s:s, s:i, s:s}, {s:s, s:s}], s:i}", "params",
			 "SS_SIP_TIMEOUT_RINGING", 90, "SS_PRIVACY", "Off",
			 "SS_GATEWAY_SWITCH_LIMIT", "describe", "name", "SS_SIP_TIMEOUT_RINGING",
			 "default", 180, "unit", "s", "name", "SS_PRIVACY", "default", "Off",
			 "generation", 3);
}

static json_t *
m_config_set(void *ctx, const json_t *params, struct ctl_error *err)
{
	struct fx *fx = ctx;
	const json_t *p = json_object_get(params, "params");

	pthread_mutex_lock(&fx->lock);
	json_decref(fx->last_params);
	fx->last_params = json_deep_copy(params);
	pthread_mutex_unlock(&fx->lock);
	if (json_object_get(p, "SS_BAD") != NULL)
		return ctl_server_error_set(err, CTL_SERVER_INVALID_PARAMS,
					    json_pack("{s:s, s:O, s:s}", "path", "params.SS_BAD",
						      "value", json_object_get(p, "SS_BAD"),
						      "allowed", "60..3600"),
					    "SS_BAD: out of range");
	return json_pack("{s:i, s:[s]}", "generation", 4, "warnings", "retry above 10");
}

static json_t *
m_stats_get(void *ctx, const json_t *params, struct ctl_error *err)
{
	(void)ctx;
	(void)params;
	(void)err;
	return json_pack("{s:[{s:i, s:{s:i, s:i}}, {s:i, s:{s:i, s:i}}], s:{s:i, s:i}}",
			 "workers", "lcore", 1, "counters", "rx_packets", 10, "drop_not_sip", 1,
			 "lcore", 2, "counters", "rx_packets", 32, "drop_not_sip", 0, "total",
			 "rx_packets", 42, "drop_not_sip", 1);
}

/* "later" {a}: deferred; the poller answers {"a": a} once the test releases it. */
static json_t *
m_later(void *ctx, const json_t *params, struct ctl_error *err)
{
	struct fx *fx = ctx;
	uint64_t token;

	pthread_mutex_lock(&fx->lock);
	assert_true(fx->n_later < 16);
	token = 0x1000 + (uint64_t)fx->n_later;
	fx->later_token[fx->n_later] = token;
	fx->later_a[fx->n_later] = json_integer_value(json_object_get(params, "a"));
	fx->n_later++;
	pthread_mutex_unlock(&fx->lock);
	return ctl_server_later(err, token);
}

/* Runs in the poll thread after every ctl_server_poll(): answers what the test released. */
static void
p_later(void *ctx)
{
	struct fx *fx = ctx;

	pthread_mutex_lock(&fx->lock);
	while (fx->n_answered < fx->n_release && fx->n_answered < fx->n_later) {
		int i = fx->n_answered++;

		fx->answer_rc[i] = ctl_server_answer(fx->srv, fx->later_token[i],
						     json_pack("{s:I}", "a", fx->later_a[i]), NULL);
	}
	pthread_mutex_unlock(&fx->lock);
}

/* ---- fixture ---- */

static void *
poll_thread(void *arg)
{
	struct fx *fx = arg;

	while (!__atomic_load_n(&fx->stop, __ATOMIC_ACQUIRE))
		ctl_server_poll(fx->srv, 10);
	return NULL;
}

static void
fx_register_all(struct fx *fx)
{
	assert_int_equal(ctl_server_register(fx->srv, "echo", m_echo, fx, "echo params"), 0);
	assert_int_equal(ctl_server_register(fx->srv, "fail", m_fail, fx, NULL), 0);
	assert_int_equal(ctl_server_register(fx->srv, "big", m_big, fx, "32 KiB string"), 0);
	assert_int_equal(ctl_server_register(fx->srv, "count", m_count, fx, NULL), 0);
	assert_int_equal(ctl_server_register(fx->srv, "config.get", m_config_get, fx, NULL), 0);
	assert_int_equal(ctl_server_register(fx->srv, "config.set", m_config_set, fx, NULL), 0);
	assert_int_equal(ctl_server_register(fx->srv, "config.apply", m_config_set, fx, NULL),
			 0);
	assert_int_equal(ctl_server_register(fx->srv, "stats.get", m_stats_get, fx, NULL), 0);
	assert_int_equal(ctl_server_register(fx->srv, "later", m_later, fx, NULL), 0);
	assert_int_equal(ctl_server_register(fx->srv, "registrations.clear", m_echo, fx, NULL),
			 0);
	assert_int_equal(ctl_server_add_poller(fx->srv, p_later, fx), 0);
}

static struct fx *
fx_new(void)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/ctl_test.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->path, sizeof(fx->path), "%s/run/sipfast/ctl.sock", fx->dir);
	pthread_mutex_init(&fx->lock, NULL);
	return fx;
}

/* Create the server with @lim (NULL = defaults), register the methods, start polling. */
static int
fx_start(void **state, const struct ctl_server_limits *lim)
{
	struct fx *fx = fx_new();

	fx->srv = ctl_server_create(fx->path, CTL_SERVER_DEFAULT_MODE);
	assert_non_null(fx->srv);
	if (lim != NULL)
		assert_int_equal(ctl_server_set_limits(fx->srv, lim), 0);
	fx_register_all(fx);
	assert_int_equal(pthread_create(&fx->thread, NULL, poll_thread, fx), 0);
	*state = fx;
	return 0;
}

static int
setup_default(void **state)
{
	return fx_start(state, NULL);
}

static int
setup_short_idle(void **state)
{
	const struct ctl_server_limits lim = {
		.max_request = 1024 * 1024, .max_output = 4 * 1024 * 1024,
		.max_clients = 64, .idle_timeout_ms = 400,
	};

	return fx_start(state, &lim);
}

static int
setup_small_output(void **state)
{
	const struct ctl_server_limits lim = {
		.max_request = 1024 * 1024, .max_output = 256 * 1024,
		.max_clients = 64, .idle_timeout_ms = 60000,
	};

	return fx_start(state, &lim);
}

static void
rm_tree(const char *dir)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void
fx_free(struct fx *fx)
{
	rm_tree(fx->dir);
	json_decref(fx->last_params);
	pthread_mutex_destroy(&fx->lock);
	free(fx);
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	__atomic_store_n(&fx->stop, true, __ATOMIC_RELEASE);
	pthread_join(fx->thread, NULL);
	ctl_server_destroy(fx->srv);
	fx_free(fx);
	return 0;
}

/* ---- client helpers ---- */

static void
fill_sun(struct sockaddr_un *sun, const char *path)
{
	assert_true(strlen(path) < sizeof(sun->sun_path));
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, strlen(path) + 1);
}

static int
raw_connect(const char *path)
{
	struct sockaddr_un sun;
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	fill_sun(&sun, path);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static struct client *
cl_open(const struct fx *fx)
{
	struct client *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->fd = raw_connect(fx->path);
	assert_true(c->fd >= 0);
	return c;
}

static void
cl_close(struct client *c)
{
	close(c->fd);
	free(c);
}

static void
cl_send(struct client *c, const char *text, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = send(c->fd, text, len, MSG_NOSIGNAL);
		assert_true(n > 0);
		text += n;
		len -= (size_t)n;
	}
}

static void
cl_sends(struct client *c, const char *text)
{
	cl_send(c, text, strlen(text));
}

/* Next line as JSON, or NULL on EOF/timeout/reset. */
static json_t *
cl_recv(struct client *c)
{
	char *nl;
	json_t *j;
	ssize_t n;

	while ((nl = memchr(c->buf, '\n', c->len)) == NULL) {
		if (c->len == sizeof(c->buf))
			return NULL;
		n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
		if (n <= 0)
			return NULL;
		c->len += (size_t)n;
	}
	j = json_loadb(c->buf, (size_t)(nl - c->buf), 0, NULL);
	assert_non_null(j);
	c->len -= (size_t)(nl - c->buf) + 1;
	memmove(c->buf, nl + 1, c->len);
	return j;
}

/* True if the server closed the connection (EOF or reset) with nothing more to read. */
static bool
cl_closed(struct client *c)
{
	char byte;

	return c->len == 0 && recv(c->fd, &byte, 1, 0) <= 0 && errno != EAGAIN;
}

static json_t *
cl_call(struct client *c, const char *line)
{
	cl_sends(c, line);
	return cl_recv(c);
}

static void
assert_error_code(const json_t *resp, int code)
{
	assert_non_null(resp);
	assert_string_equal(json_string_value(json_object_get(resp, "jsonrpc")), "2.0");
	assert_null(json_object_get(resp, "result"));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(resp, "error"),
							    "code")),
			 code);
}

/* ---- protocol tests ---- */

static void
test_request_response(void **state)
{
	struct client *c = cl_open(*state);
	json_t *r;

	r = cl_call(c, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"echo\",\"params\":{\"a\":1}}\n");
	assert_non_null(r);
	assert_string_equal(json_string_value(json_object_get(r, "jsonrpc")), "2.0");
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 7);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "result"), "a")),
			 1);
	assert_null(json_object_get(r, "error"));
	json_decref(r);
	/* Two pipelined requests in one write, a string id, CRLF framing: answered in order. */
	cl_sends(c, "{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"echo\",\"params\":[1]}\r\n"
		    "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"echo\"}\n");
	r = cl_recv(c);
	assert_string_equal(json_string_value(json_object_get(r, "id")), "x");
	json_decref(r);
	r = cl_recv(c);
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 8);
	assert_true(json_is_null(json_object_get(r, "result")));
	json_decref(r);
	cl_close(c);
}

static void
test_large_response_partial_writes(void **state)
{
	size_t size = 900 * 1024;
	char *req = malloc(size + 128);
	struct client *c = cl_open(*state);
	json_t *r;
	int len;

	assert_non_null(req);
	len = sprintf(req, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"params\":[\"");
	memset(req + len, 'y', size);
	strcpy(req + len + size, "\"]}\n");
	r = cl_call(c, req);
	assert_non_null(r);
	assert_int_equal(strlen(json_string_value(json_array_get(json_object_get(r, "result"),
								 0))),
			 size);
	json_decref(r);
	free(req);
	cl_close(c);
}

static void
test_help_lists_methods(void **state)
{
	struct client *c = cl_open(*state);
	json_t *r, *m;
	bool seen_echo = false, seen_help = false;
	size_t i;

	r = cl_call(c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"help\"}\n");
	json_array_foreach(json_object_get(json_object_get(r, "result"), "methods"), i, m) {
		const char *name = json_string_value(json_object_get(m, "name"));

		if (strcmp(name, "echo") == 0) {
			seen_echo = true;
			assert_string_equal(json_string_value(json_object_get(m, "help")),
					    "echo params");
		}
		seen_help |= strcmp(name, "help") == 0;
	}
	assert_true(seen_echo);
	assert_true(seen_help);
	json_decref(r);
	cl_close(c);
}

static void
test_method_not_found(void **state)
{
	struct client *c = cl_open(*state);
	json_t *r, *data;

	r = cl_call(c, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"registrations.list\"}\n");
	assert_error_code(r, CTL_SERVER_METHOD_NOT_FOUND);
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 3);
	data = json_object_get(json_object_get(r, "error"), "data");
	assert_string_equal(json_string_value(json_object_get(data, "method")),
			    "registrations.list");
	json_decref(r);
	cl_close(c);
}

static void
test_parse_error_keeps_connection(void **state)
{
	struct client *c = cl_open(*state);
	json_t *r;

	r = cl_call(c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\n");
	assert_error_code(r, CTL_SERVER_PARSE_ERROR);
	assert_true(json_is_null(json_object_get(r, "id")));
	json_decref(r);
	r = cl_call(c, "\x01\xff garbage\n");
	assert_error_code(r, CTL_SERVER_PARSE_ERROR);
	json_decref(r);
	r = cl_call(c, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"echo\"}\n");
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 2);
	assert_non_null(json_object_get(r, "result"));
	json_decref(r);
	cl_close(c);
}

static void
test_invalid_request(void **state)
{
	static const char *const bad[] = {
		"{\"jsonrpc\":\"2.0\",\"id\":1}\n",
		"{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"echo\"}\n",
		"{\"id\":1,\"method\":\"echo\"}\n",
		"{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"echo\"}\n",
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}\n",
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"params\":5}\n",
		"[]\n",
		"42\n",
	};
	struct client *c = cl_open(*state);
	json_t *r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = cl_call(c, bad[i]);
		assert_error_code(r, CTL_SERVER_INVALID_REQUEST);
		json_decref(r);
	}
	cl_close(c);
}

static void
test_error_data_passed_through(void **state)
{
	struct client *c = cl_open(*state);
	json_t *r, *error, *data;

	r = cl_call(c, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"fail\",\"params\":{}}\n");
	assert_error_code(r, CTL_SERVER_INVALID_PARAMS);
	error = json_object_get(r, "error");
	data = json_object_get(error, "data");
	assert_string_equal(json_string_value(json_object_get(error, "message")),
			    "SS_X: 3601 is above 3600");
	assert_string_equal(json_string_value(json_object_get(data, "path")), "params.SS_X");
	assert_int_equal(json_integer_value(json_object_get(data, "value")), 3601);
	assert_string_equal(json_string_value(json_object_get(data, "allowed")), "60..3600");
	json_decref(r);
	cl_close(c);
}

static void
test_notification_gets_no_reply(void **state)
{
	struct fx *fx = *state;
	struct client *c = cl_open(fx);
	json_t *r;

	cl_sends(c, "{\"jsonrpc\":\"2.0\",\"method\":\"count\"}\n"
		    "{\"jsonrpc\":\"2.0\",\"method\":\"no.such.method\"}\n"
		    "{\"jsonrpc\":\"2.0\",\"method\":\"fail\"}\n");
	r = cl_call(c, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"echo\"}\n");
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 9);
	json_decref(r);
	pthread_mutex_lock(&fx->lock);
	assert_int_equal(fx->n_count, 1);
	pthread_mutex_unlock(&fx->lock);
	cl_close(c);
}

static void
test_batch(void **state)
{
	struct client *c = cl_open(*state);
	json_t *r;

	r = cl_call(c, "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"params\":[1]},"
		       "{\"jsonrpc\":\"2.0\",\"method\":\"count\"},{\"foo\":1}]\n");
	assert_true(json_is_array(r));
	assert_int_equal(json_array_size(r), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(r, 0), "id")), 1);
	assert_error_code(json_array_get(r, 1), CTL_SERVER_INVALID_REQUEST);
	json_decref(r);
	/* A batch of notifications only gets no reply at all. */
	cl_sends(c, "[{\"jsonrpc\":\"2.0\",\"method\":\"count\"}]\n");
	r = cl_call(c, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"echo\"}\n");
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 5);
	json_decref(r);
	cl_close(c);
}

static void
test_oversize_request_closed(void **state)
{
	size_t size = 1024 * 1024 + 1;
	struct client *c = cl_open(*state);
	char *junk = malloc(size);
	json_t *r;

	assert_non_null(junk);
	memset(junk, ' ', size);
	junk[0] = '{';
	cl_send(c, junk, size);
	free(junk);
	r = cl_recv(c);
	assert_error_code(r, CTL_SERVER_INVALID_REQUEST);
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(r, "error"),
								 "message")),
			       "longer than"));
	json_decref(r);
	assert_true(cl_closed(c));
	cl_close(c);
}

static void
test_eof_answers_last_line(void **state)
{
	struct client *c = cl_open(*state);
	json_t *r;

	cl_sends(c, "{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"echo\"}");
	shutdown(c->fd, SHUT_WR);
	r = cl_recv(c);
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 11);
	json_decref(r);
	assert_true(cl_closed(c));
	cl_close(c);
}

static void
test_many_clients(void **state)
{
	struct fx *fx = *state;
	struct client *c[65];
	char line[96];
	json_t *r;
	int i;

	for (i = 0; i < 64; i++) {
		c[i] = cl_open(fx);
		snprintf(line, sizeof(line),
			 "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"echo\"}\n", i);
		cl_sends(c[i], line);
	}
	for (i = 0; i < 64; i++) {
		r = cl_recv(c[i]);
		assert_int_equal(json_integer_value(json_object_get(r, "id")), i);
		json_decref(r);
	}
	/* The 65th gets one error line, then the connection is closed. */
	c[64] = cl_open(fx);
	r = cl_recv(c[64]);
	assert_error_code(r, CTL_SERVER_BUSY);
	json_decref(r);
	assert_true(cl_closed(c[64]));
	cl_close(c[64]);
	/* A freed slot is usable again. */
	cl_close(c[0]);
	usleep(50 * 1000);
	c[0] = cl_open(fx);
	r = cl_call(c[0], "{\"jsonrpc\":\"2.0\",\"id\":99,\"method\":\"echo\"}\n");
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 99);
	json_decref(r);
	for (i = 0; i < 64; i++)
		cl_close(c[i]);
}

static void
test_half_line_does_not_block(void **state)
{
	struct fx *fx = *state;
	struct client *slow = cl_open(fx), *other = cl_open(fx);
	struct timespec t0, t1;
	json_t *r;

	cl_sends(slow, "{\"jsonrpc\":\"2.0\",\"id\":1,\"met");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = cl_call(other, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"echo\"}\n");
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 2);
	json_decref(r);
	/* The half-open client is dropped after the 400 ms idle timeout, without an answer. */
	assert_true(cl_closed(slow));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < IO_TIMEOUT_S - 1);
	cl_close(slow);
	cl_close(other);
}

static void
test_non_reader_dropped(void **state)
{
	static const char req[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"big\"}\n";
	struct fx *fx = *state;
	struct client *hog = cl_open(fx), *other = cl_open(fx);
	bool dropped = false;
	json_t *r;
	int i;

	/* 400 x 32 KiB of answers, never read: far over the 256 KiB cap plus socket buffers. */
	for (i = 0; i < 400 && !dropped; i++)
		dropped = send(hog->fd, req, sizeof(req) - 1, MSG_NOSIGNAL) < 0;
	r = cl_call(other, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"echo\"}\n");
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 2);
	json_decref(r);
	/* Drain whatever was queued before the drop; the stream must end. */
	for (i = 0; i < 10000; i++) {
		char buf[65536];
		ssize_t n = recv(hog->fd, buf, sizeof(buf), 0);

		if (n == 0 || (n < 0 && errno == ECONNRESET))
			break;
		assert_true(n > 0);
	}
	assert_true(i < 10000);
	cl_close(hog);
	cl_close(other);
}

/* ---- socket file tests ---- */

static void
test_socket_mode_and_parent_dir(void **state)
{
	struct fx *fx = *state;
	struct ctl_server *srv;
	char path[200];
	struct stat st;
	mode_t old = umask(077);

	assert_int_equal(lstat(fx->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0660);
	/* An explicit mode wins over a restrictive umask, and the umask is restored. */
	snprintf(path, sizeof(path), "%s/other/dir/x.sock", fx->dir);
	srv = ctl_server_create(path, 0666);
	assert_non_null(srv);
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0666);
	assert_int_equal(umask(old), 077);
	ctl_server_destroy(srv);
	assert_int_equal(lstat(path, &st), -1);
	assert_int_equal(errno, ENOENT);
}

static void
test_stale_socket_replaced(void **state)
{
	struct fx *fx = fx_new();
	struct sockaddr_un sun;
	struct ctl_server *srv;
	int fd;

	(void)state;
	snprintf(fx->path, sizeof(fx->path), "%s/stale.sock", fx->dir);
	fill_sun(&sun, fx->path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd); /* the file stays, nothing listens: a crashed daemon's leftover */
	srv = ctl_server_create(fx->path, 0600);
	assert_non_null(srv);
	fd = raw_connect(fx->path);
	assert_true(fd >= 0);
	close(fd);
	ctl_server_destroy(srv);
	fx_free(fx);
}

static void
test_live_socket_refused(void **state)
{
	struct fx *fx = *state;
	struct client *c;
	json_t *r;

	errno = 0;
	assert_null(ctl_server_create(fx->path, 0660));
	assert_int_equal(errno, EADDRINUSE);
	/* The live server keeps its socket file and still answers. */
	c = cl_open(fx);
	r = cl_call(c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\"}\n");
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 1);
	json_decref(r);
	cl_close(c);
}

static void
test_non_socket_left_alone(void **state)
{
	struct fx *fx = fx_new();
	char path[200];
	struct stat st;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/file", fx->dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	errno = 0;
	assert_null(ctl_server_create(path, 0660));
	assert_int_equal(errno, EEXIST);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	errno = 0;
	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	assert_null(ctl_server_create(path, 0660));
	assert_int_equal(errno, ENAMETOOLONG);
	fx_free(fx);
}

static void
test_register_and_limits(void **state)
{
	struct fx *fx = fx_new();
	struct ctl_server_limits lim = { 1, 1, 1, 1 };
	char name[80];

	(void)state;
	fx->srv = ctl_server_create(fx->path, 0660);
	assert_non_null(fx->srv);
	assert_int_equal(ctl_server_register(fx->srv, "a", m_echo, NULL, NULL), 0);
	assert_int_equal(ctl_server_register(fx->srv, "a", m_echo, NULL, NULL), -EEXIST);
	assert_int_equal(ctl_server_register(fx->srv, "help", m_echo, NULL, NULL), -EEXIST);
	assert_int_equal(ctl_server_register(fx->srv, "", m_echo, NULL, NULL), -EINVAL);
	assert_int_equal(ctl_server_register(fx->srv, "b", NULL, NULL, NULL), -EINVAL);
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(ctl_server_register(fx->srv, name, m_echo, NULL, NULL), -EINVAL);
	assert_int_equal(ctl_server_set_limits(fx->srv, &lim), 0);
	lim.max_clients = 0;
	assert_int_equal(ctl_server_set_limits(fx->srv, &lim), -EINVAL);
	/* Nothing to do: poll returns 0 requests after the timeout. */
	assert_int_equal(ctl_server_poll(fx->srv, 1), 0);
	ctl_server_destroy(fx->srv);
	fx_free(fx);
}

/* ---- sipfastctl ---- */

struct run {
	int status;     /* exit code, or -1 if killed */
	char *out, *err;
};

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 20);
	size_t n;

	assert_non_null(f);
	assert_non_null(buf);
	n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The environment without SIPFAST_CTL, plus @ctl_env if given. */
static char **
child_env(const char *ctl_env)
{
	size_t n = 0, i, j = 0;
	char **env;

	while (environ[n] != NULL)
		n++;
	env = calloc(n + 2, sizeof(*env));
	assert_non_null(env);
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "SIPFAST_CTL=", 12) != 0)
			env[j++] = environ[i];
	if (ctl_env != NULL)
		env[j++] = (char *)ctl_env;
	return env;
}

/* Run sipfastctl with @args (NULL-terminated, without argv[0]). */
static struct run
run_ctl(const struct fx *fx, const char *ctl_env, const char *const *args)
{
	const char *bin = getenv("SIPFASTCTL");
	char out[200], err[200];
	const char *argv[32] = { "sipfastctl" };
	char **env = child_env(ctl_env);
	struct run r = { 0 };
	size_t i;
	pid_t pid;
	int st;

	for (i = 0; args[i] != NULL && i < 30; i++)
		argv[i + 1] = args[i];
	snprintf(out, sizeof(out), "%s/out", fx->dir);
	snprintf(err, sizeof(err), "%s/err", fx->dir);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fo = open(out, O_CREAT | O_TRUNC | O_WRONLY, 0600);
		int fe = open(err, O_CREAT | O_TRUNC | O_WRONLY, 0600);

		if (fo < 0 || fe < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0)
			_exit(127);
		execve(bin, (char *const *)argv, env);
		_exit(127);
	}
	free(env);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	r.out = slurp(out);
	r.err = slurp(err);
	return r;
}

static void
run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

static bool
have_ctl(void)
{
	return getenv("SIPFASTCTL") != NULL && access(getenv("SIPFASTCTL"), X_OK) == 0;
}

/* Collapse runs of blanks to one space, so table rows compare without their padding. */
static void
squeeze(char *s)
{
	bool blank = false;
	char *w = s;

	for (; *s != '\0'; s++) {
		if (*s == ' ' && blank)
			continue;
		blank = *s == ' ';
		*w++ = *s;
	}
	*w = '\0';
}

#define RUN(fx, ...) run_ctl((fx), NULL, (const char *const[]){ __VA_ARGS__, NULL })

static void
test_ctl_get(void **state)
{
	struct fx *fx = *state;
	struct run r;
	json_t *j;

	if (!have_ctl())
		skip();
	r = RUN(fx, "--socket", fx->path, "get");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "NAME"));
	assert_non_null(strstr(r.out, "DEFAULT"));
	squeeze(r.out);
	assert_non_null(strstr(r.out, "\nSS_SIP_TIMEOUT_RINGING 90 180 s\n"));
	assert_non_null(strstr(r.out, "\nSS_PRIVACY Off Off\n"));
	assert_non_null(strstr(r.out, "SS_GATEWAY_SWITCH_LIMIT"));
	assert_non_null(strstr(r.out, "generation: 3"));
	run_free(&r);
	r = RUN(fx, "--socket", fx->path, "get", "SS_SIP_TIMEOUT_RINGING");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "allowed: 10..600"));
	assert_non_null(strstr(r.out, "description: ringing timeout"));
	run_free(&r);
	r = RUN(fx, "--socket", fx->path, "--json", "get");
	assert_int_equal(r.status, 0);
	j = json_loads(r.out, 0, NULL);
	assert_true(json_is_object(json_object_get(j, "params")));
	json_decref(j);
	run_free(&r);
}

static void
test_ctl_set(void **state)
{
	struct fx *fx = *state;
	json_t *p;
	struct run r;

	if (!have_ctl())
		skip();
	r = RUN(fx, "-s", fx->path, "set", "SS_A=60", "SS_B=On", "SS_C=0.5", "SS_D:=null",
		"SS_E=0.5,1,2", "SS_F=0x10", "SS_G:=[1,2]");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.err, "warning: retry above 10"));
	run_free(&r);
	pthread_mutex_lock(&fx->lock);
	p = json_object_get(fx->last_params, "params");
	assert_int_equal(json_integer_value(json_object_get(p, "SS_A")), 60);
	assert_string_equal(json_string_value(json_object_get(p, "SS_B")), "On");
	assert_true(json_real_value(json_object_get(p, "SS_C")) == 0.5);
	assert_true(json_is_null(json_object_get(p, "SS_D")));
	assert_string_equal(json_string_value(json_object_get(p, "SS_E")), "0.5,1,2");
	assert_string_equal(json_string_value(json_object_get(p, "SS_F")), "0x10");
	assert_int_equal(json_array_size(json_object_get(p, "SS_G")), 2);
	pthread_mutex_unlock(&fx->lock);
	/* A validation error: exit 1, message and data on stderr. */
	r = RUN(fx, "-s", fx->path, "set", "SS_BAD=3601");
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "sipfastctl: SS_BAD: out of range"));
	assert_non_null(strstr(r.err, "path: params.SS_BAD"));
	assert_non_null(strstr(r.err, "value: 3601"));
	assert_non_null(strstr(r.err, "allowed: 60..3600"));
	run_free(&r);
}

static void
test_ctl_stats_and_pretty(void **state)
{
	struct fx *fx = *state;
	struct run r;
	json_t *j;

	if (!have_ctl())
		skip();
	r = RUN(fx, "-s", fx->path, "stats");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "COUNTER"));
	assert_non_null(strstr(r.out, "lcore 1"));
	assert_non_null(strstr(r.out, "TOTAL"));
	assert_non_null(strstr(r.out, "rx_packets"));
	assert_non_null(strstr(r.out, "42"));
	run_free(&r);
	r = RUN(fx, "-s", fx->path, "--json", "call", "echo", "{\"x\": [1, 2]}");
	assert_int_equal(r.status, 0);
	j = json_loads(r.out, 0, NULL);
	assert_int_equal(json_array_size(json_object_get(j, "x")), 2);
	json_decref(j);
	run_free(&r);
	r = RUN(fx, "-s", fx->path, "methods");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "\"echo params\""));
	run_free(&r);
}

static void
test_ctl_daemon_errors(void **state)
{
	struct fx *fx = *state;
	struct run r;
	json_t *j;

	if (!have_ctl())
		skip();
	r = RUN(fx, "-s", fx->path, "calls");
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "sipfastctl: method not found"));
	assert_non_null(strstr(r.err, "method: calls.list"));
	run_free(&r);
	r = RUN(fx, "-s", fx->path, "--json", "call", "fail");
	assert_int_equal(r.status, 1);
	j = json_loads(r.out, 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(j, "code")), -32602);
	json_decref(j);
	run_free(&r);
}

static void
test_ctl_apply(void **state)
{
	struct fx *fx = *state;
	char file[200];
	struct run r;
	FILE *f;

	if (!have_ctl())
		skip();
	snprintf(file, sizeof(file), "%s/doc.json", fx->dir);
	f = fopen(file, "w");
	fputs("{\"params\": {\"SS_SIP_TIMEOUT_RINGING\": 60}}\n", f);
	fclose(f);
	r = RUN(fx, "-s", fx->path, "apply", file);
	assert_int_equal(r.status, 0);
	run_free(&r);
	pthread_mutex_lock(&fx->lock);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
		json_object_get(fx->last_params, "document"), "params"), "SS_SIP_TIMEOUT_RINGING")),
		60);
	pthread_mutex_unlock(&fx->lock);
	f = fopen(file, "w");
	fputs("{\"params\": \n", f);
	fclose(f);
	r = RUN(fx, "-s", fx->path, "apply", file);
	assert_int_equal(r.status, 2);
	run_free(&r);
	r = RUN(fx, "-s", fx->path, "apply", "/nonexistent/x.json");
	assert_int_equal(r.status, 2);
	run_free(&r);
}

static void
test_ctl_usage(void **state)
{
	const char *const *const bad[] = {
		(const char *const[]){ NULL },
		(const char *const[]){ "bogus", NULL },
		(const char *const[]){ "--nope", "get", NULL },
		(const char *const[]){ "--timeout", "abc", "get", NULL },
		(const char *const[]){ "set", NULL },
		(const char *const[]){ "set", "NOEQUALS", NULL },
		(const char *const[]){ "set", "A:=[1", NULL },
		(const char *const[]){ "get", "A", "B", NULL },
		(const char *const[]){ "stats", "extra", NULL },
		(const char *const[]){ "suspended", "clear", "not-an-ip", NULL },
		(const char *const[]){ "registrations", "--bogus", NULL },
		(const char *const[]){ "registrations", "clear", NULL },
		(const char *const[]){ "registrations", "clear", "a", "b", NULL },
		(const char *const[]){ "call", "echo", "notjson", NULL },
	};
	struct fx *fx = *state;
	struct run r;
	size_t i;

	if (!have_ctl())
		skip();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = run_ctl(fx, NULL, bad[i]);
		assert_int_equal(r.status, 2);
		assert_non_null(strstr(r.err, "sipfastctl: "));
		run_free(&r);
	}
	r = RUN(fx, "--help");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "/run/sipfast/ctl.sock"));
	assert_non_null(strstr(r.out, "SIPFAST_CTL"));
	assert_non_null(strstr(r.out, "Exit status"));
	assert_non_null(strstr(r.out, "sipfastctl registrations --user"));
	assert_non_null(strstr(r.out, "sipfastctl registrations clear 1001"));
	run_free(&r);
	/* registrations clear USER sends registrations.clear {"user": USER} (echoed here). */
	r = RUN(fx, "-s", fx->path, "--json", "registrations", "clear", "1001");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "\"user\""));
	assert_non_null(strstr(r.out, "1001"));
	run_free(&r);
}

static void
test_ctl_transport_errors(void **state)
{
	struct fx *fx = *state;
	struct sockaddr_un sun;
	char env[220], mute[200];
	struct run r;
	int fd;

	if (!have_ctl())
		skip();
	snprintf(env, sizeof(env), "%s/none.sock", fx->dir);
	r = RUN(fx, "--socket", env, "get");
	assert_int_equal(r.status, 3);
	assert_non_null(strstr(r.err, "cannot connect"));
	run_free(&r);
	/* A listener that never answers: timeout, exit 3. */
	snprintf(mute, sizeof(mute), "%s/mute.sock", fx->dir);
	fill_sun(&sun, mute);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(fd, 4), 0);
	r = RUN(fx, "--socket", mute, "--timeout", "0.3", "get");
	assert_int_equal(r.status, 3);
	assert_non_null(strstr(r.err, "timed out"));
	run_free(&r);
	close(fd);
	/* $SIPFAST_CTL names the socket when --socket is absent. */
	snprintf(env, sizeof(env), "SIPFAST_CTL=%s", fx->path);
	r = run_ctl(fx, env, (const char *const[]){ "version", NULL });
	assert_int_equal(r.status, 1); /* reached the daemon, which has no "version" here */
	assert_non_null(strstr(r.err, "method not found"));
	run_free(&r);
}

/* ---- answers that come later (ctl_server_later / ctl_server_answer) ---- */

static int
fx_get(struct fx *fx, const int *field)
{
	int v;

	pthread_mutex_lock(&fx->lock);
	v = *field;
	pthread_mutex_unlock(&fx->lock);
	return v;
}

/* Wait (bounded) until the server deferred @n "later" requests. */
static void
wait_later(struct fx *fx, int n)
{
	int i;

	for (i = 0; i < 5000 && fx_get(fx, &fx->n_later) < n; i++)
		usleep(1000);
	assert_int_equal(fx_get(fx, &fx->n_later), n);
}

static void
release_later(struct fx *fx, int n)
{
	pthread_mutex_lock(&fx->lock);
	fx->n_release = n;
	pthread_mutex_unlock(&fx->lock);
}

/* Nothing to read on @c now (after giving the server a few polls to misbehave). */
static bool
cl_quiet(struct client *c)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };

	return c->len == 0 && poll(&pfd, 1, 50) == 0;
}

/*
 * While client A's request waits for its answer, client B is served; A's answer comes when
 * the module answers, with A's id.
 */
static void
test_later_other_client_served_first(void **state)
{
	struct fx *fx = *state;
	struct client *a = cl_open(fx), *b = cl_open(fx);
	json_t *r;

	cl_sends(a, "{\"jsonrpc\":\"2.0\",\"id\":\"A\",\"method\":\"later\",\"params\":{\"a\":5}}\n");
	wait_later(fx, 1);
	r = cl_call(b, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"echo\",\"params\":[1]}\n");
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 2);
	json_decref(r);
	assert_true(cl_quiet(a)); /* B first, A still waiting */
	release_later(fx, 1);
	r = cl_recv(a);
	assert_non_null(r);
	assert_string_equal(json_string_value(json_object_get(r, "id")), "A");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "result"), "a")),
			 5);
	json_decref(r);
	assert_int_equal(fx_get(fx, &fx->answer_rc[0]), 0);
	cl_close(a);
	cl_close(b);
}

/* A batch with deferred members is answered once, whole, in request order. */
static void
test_later_batch_waits_for_every_member(void **state)
{
	struct fx *fx = *state;
	struct client *c = cl_open(fx);
	json_t *r;

	cl_sends(c, "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"later\",\"params\":{\"a\":1}},"
		    "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"echo\",\"params\":[2]},"
		    "{\"jsonrpc\":\"2.0\",\"method\":\"later\",\"params\":{\"a\":9}},"
		    "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"later\",\"params\":{\"a\":3}}]\n");
	wait_later(fx, 3);
	release_later(fx, 1);
	assert_true(cl_quiet(c)); /* one of two answers in: nothing sent yet */
	release_later(fx, 3);
	r = cl_recv(c);
	assert_true(json_is_array(r));
	assert_int_equal(json_array_size(r), 3);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(r, 0), "id")), 1);
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(json_array_get(r, 0), "result"), "a")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(r, 1), "id")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(r, 2), "id")), 3);
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(json_array_get(r, 2), "result"), "a")), 3);
	json_decref(r);
	assert_int_equal(fx_get(fx, &fx->answer_rc[1]), -ENOENT); /* the notification */
	cl_close(c);
}

/* A client that shut its side down after the request still gets the later answer. */
static void
test_later_answered_after_eof(void **state)
{
	struct fx *fx = *state;
	struct client *c = cl_open(fx);
	json_t *r;

	cl_sends(c, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"later\",\"params\":{\"a\":4}}");
	shutdown(c->fd, SHUT_WR);
	wait_later(fx, 1);
	assert_true(cl_quiet(c)); /* not closed while its answer is pending */
	release_later(fx, 1);
	r = cl_recv(c);
	assert_non_null(r);
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 4);
	json_decref(r);
	assert_true(cl_closed(c));
	cl_close(c);
}

/* A client gone before its answer: the answer is discarded (-ENOENT), others go on. */
static void
test_later_client_gone(void **state)
{
	struct fx *fx = *state;
	struct client *a = cl_open(fx), *b = cl_open(fx);
	json_t *r;
	int i;

	cl_sends(a, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"later\",\"params\":{\"a\":1}}\n");
	wait_later(fx, 1);
	cl_close(a);
	r = cl_call(b, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"echo\"}\n"); /* A's EOF seen */
	json_decref(r);
	release_later(fx, 1);
	for (i = 0; i < 5000 && fx_get(fx, &fx->n_answered) < 1; i++)
		usleep(1000);
	assert_int_equal(fx_get(fx, &fx->answer_rc[0]), -ENOENT);
	cl_close(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_request_response, setup_default, teardown),
		cmocka_unit_test_setup_teardown(test_large_response_partial_writes,
						setup_default, teardown),
		cmocka_unit_test_setup_teardown(test_help_lists_methods, setup_default, teardown),
		cmocka_unit_test_setup_teardown(test_method_not_found, setup_default, teardown),
		cmocka_unit_test_setup_teardown(test_parse_error_keeps_connection, setup_default,
						teardown),
		cmocka_unit_test_setup_teardown(test_invalid_request, setup_default, teardown),
		cmocka_unit_test_setup_teardown(test_error_data_passed_through, setup_default,
						teardown),
		cmocka_unit_test_setup_teardown(test_notification_gets_no_reply, setup_default,
						teardown),
		cmocka_unit_test_setup_teardown(test_batch, setup_default, teardown),
		cmocka_unit_test_setup_teardown(test_oversize_request_closed, setup_default,
						teardown),
		cmocka_unit_test_setup_teardown(test_eof_answers_last_line, setup_default,
						teardown),
		cmocka_unit_test_setup_teardown(test_many_clients, setup_default, teardown),
		cmocka_unit_test_setup_teardown(test_half_line_does_not_block, setup_short_idle,
						teardown),
		cmocka_unit_test_setup_teardown(test_non_reader_dropped, setup_small_output,
						teardown),
		cmocka_unit_test_setup_teardown(test_socket_mode_and_parent_dir, setup_default,
						teardown),
		cmocka_unit_test(test_stale_socket_replaced),
		cmocka_unit_test_setup_teardown(test_live_socket_refused, setup_default, teardown),
		cmocka_unit_test(test_non_socket_left_alone),
		cmocka_unit_test(test_register_and_limits),
		cmocka_unit_test_setup_teardown(test_ctl_get, setup_default, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_set, setup_default, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_stats_and_pretty, setup_default,
						teardown),
		cmocka_unit_test_setup_teardown(test_ctl_daemon_errors, setup_default, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_apply, setup_default, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_usage, setup_default, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_transport_errors, setup_default,
						teardown),
		cmocka_unit_test_setup_teardown(test_later_other_client_served_first,
						setup_default, teardown),
		cmocka_unit_test_setup_teardown(test_later_batch_waits_for_every_member,
						setup_default, teardown),
		cmocka_unit_test_setup_teardown(test_later_answered_after_eof, setup_default,
						teardown),
		cmocka_unit_test_setup_teardown(test_later_client_gone, setup_default, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
