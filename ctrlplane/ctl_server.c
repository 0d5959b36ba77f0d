/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * JSON-RPC 2.0 over a Unix stream socket, newline-delimited, driven by ctl_server_poll() from
 * the control thread. Every socket is non-blocking and every buffer is capped, so no client,
 * however slow or hostile, can stall the caller or grow memory without bound.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "ctrlplane/ctl_server.h"

#define CTL_READ_CHUNK (64 * 1024)      /* bytes per recv() */
#define CTL_READ_BUDGET (256 * 1024)    /* bytes per client per poll, for fairness */
#define CTL_ACCEPT_BUDGET 64            /* connections accepted per poll */
#define CTL_METHOD_NAME_MAX 64          /* bytes, including the NUL */
#define CTL_BACKLOG 128

struct ctl_method {
	char *name;
	char *help;             /* may be NULL */
	ctl_method_fn fn;
	void *ctx;
};

struct ctl_client {
	int fd;                 /* -1 = free slot */
	bool closing;           /* read no more; close once the output is flushed */
	char *in;               /* received bytes not yet a complete line */
	size_t in_len, in_cap;
	char *out;              /* encoded responses not yet sent, from out_off */
	size_t out_off, out_len, out_cap;
	uint64_t last_io_ms;    /* CLOCK_MONOTONIC, last byte received or sent */
	unsigned int n_pending; /* requests waiting for ctl_server_answer(): kept open */
};

/* A request a handler deferred (ctl_server_later()), waiting for ctl_server_answer(). */
struct ctl_pending {
	uint64_t token;         /* 0 = free entry */
	unsigned int slot;      /* clients[slot]; entries go when the client closes */
	json_t *id;             /* the request's id (own reference; JSON null allowed) */
	json_t *batch;          /* the batch's response array (own reference), or NULL */
	size_t index;           /* our placeholder in batch */
};

struct ctl_poller {
	ctl_poller_fn fn;
	void *ctx;
};

struct ctl_server {
	int listen_fd;
	char path[sizeof(((struct sockaddr_un *)NULL)->sun_path)];
	dev_t sock_dev;         /* identity of the socket file we bound, to unlink only ours */
	ino_t sock_ino;
	struct ctl_server_limits lim;
	struct ctl_client *clients;     /* lim.max_clients slots */
	unsigned int n_clients;
	struct pollfd *pfds;            /* 1 + lim.max_clients */
	unsigned int *pfd_slot;         /* pfds[i] (i >= 1) watches clients[pfd_slot[i]] */
	struct ctl_method *methods;
	unsigned int n_methods, methods_cap;
	struct ctl_pending pending[CTL_SERVER_MAX_PENDING];
	unsigned int n_pending;
	struct ctl_poller pollers[CTL_SERVER_MAX_POLLERS];
	unsigned int n_pollers;
};

static const struct ctl_server_limits ctl_default_limits = {
	.max_request = 1024 * 1024,
	.max_output = 4 * 1024 * 1024,
	.max_clients = 64,
	.idle_timeout_ms = 60000,
};

static uint64_t
ctl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

json_t *
ctl_server_error_set(struct ctl_error *err, int code, json_t *data, const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	json_decref(err->data);
	err->data = data;
	return NULL;
}

json_t *
ctl_server_later(struct ctl_error *err, uint64_t token)
{
	err->later = token;
	return NULL;
}

/* ---- socket file: directory, stale check, bind ---- */

/* mkdir -p of the directory part of @path. */
static int
ctl_make_parent_dir(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)NULL)->sun_path)];
	char *p;

	snprintf(dir, sizeof(dir), "%s", path);
	p = strrchr(dir, '/');
	if (p == NULL || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static void
ctl_fill_addr(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, strlen(path) + 1);
}

/*
 * A socket file at @path is removed only if connecting to it is refused: a live daemon keeps
 * its socket and we refuse to start. Anything that is not a socket is left alone.
 */
static int
ctl_remove_stale(const char *path)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ctl_fill_addr(&sun, path);
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ? -errno : 0;
	close(fd);
	if (rc == 0 || rc == -EAGAIN)
		return -EADDRINUSE;
	if (rc != -ECONNREFUSED)
		return rc;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

/* Bind with a umask that yields exactly @mode, so the socket is never wider than asked. */
static int
ctl_bind_listen(struct ctl_server *srv, mode_t mode)
{
	struct sockaddr_un sun;
	struct stat st;
	mode_t old_mask;
	int fd, rc;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ctl_fill_addr(&sun, srv->path);
	old_mask = umask(~mode & 0777);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ? -errno : 0;
	umask(old_mask);
	if (rc < 0)
		goto out_close;
	if (chmod(srv->path, mode & 07777) < 0 || lstat(srv->path, &st) < 0 ||
	    listen(fd, CTL_BACKLOG) < 0) {
		rc = -errno;
		goto out_unlink;
	}
	srv->sock_dev = st.st_dev;
	srv->sock_ino = st.st_ino;
	srv->listen_fd = fd;
	return 0;

out_unlink:
	unlink(srv->path);
out_close:
	close(fd);
	return rc;
}

/* ---- allocation of client slots ---- */

static int
ctl_alloc_slots(struct ctl_server *srv, unsigned int max_clients)
{
	struct ctl_client *clients;
	struct pollfd *pfds;
	unsigned int *pfd_slot;
	unsigned int i;

	clients = calloc(max_clients, sizeof(*clients));
	pfds = calloc(max_clients + 1, sizeof(*pfds));
	pfd_slot = calloc(max_clients + 1, sizeof(*pfd_slot));
	if (clients == NULL || pfds == NULL || pfd_slot == NULL) {
		free(clients);
		free(pfds);
		free(pfd_slot);
		return -ENOMEM;
	}
	for (i = 0; i < max_clients; i++)
		clients[i].fd = -1;
	free(srv->clients);
	free(srv->pfds);
	free(srv->pfd_slot);
	srv->clients = clients;
	srv->pfds = pfds;
	srv->pfd_slot = pfd_slot;
	return 0;
}

int
ctl_server_set_limits(struct ctl_server *srv, const struct ctl_server_limits *lim)
{
	int rc;

	if (lim->max_request == 0 || lim->max_output == 0 || lim->max_clients == 0 ||
	    lim->idle_timeout_ms == 0 || lim->max_clients > INT_MAX / 2)
		return -EINVAL;
	if (lim->max_clients != srv->lim.max_clients) {
		if (srv->n_clients > 0)
			return -EBUSY;
		rc = ctl_alloc_slots(srv, lim->max_clients);
		if (rc < 0)
			return rc;
	}
	srv->lim = *lim;
	return 0;
}

/* ---- method registry ---- */

static const struct ctl_method *
ctl_find_method(const struct ctl_server *srv, const char *name)
{
	unsigned int i;

	for (i = 0; i < srv->n_methods; i++)
		if (strcmp(srv->methods[i].name, name) == 0)
			return &srv->methods[i];
	return NULL;
}

int
ctl_server_register(struct ctl_server *srv, const char *method, ctl_method_fn fn, void *ctx,
		    const char *help)
{
	struct ctl_method *m;

	if (method == NULL || fn == NULL || method[0] == '\0' ||
	    strlen(method) >= CTL_METHOD_NAME_MAX)
		return -EINVAL;
	if (ctl_find_method(srv, method) != NULL)
		return -EEXIST;
	if (srv->n_methods == srv->methods_cap) {
		unsigned int cap = srv->methods_cap ? srv->methods_cap * 2 : 16;

		m = realloc(srv->methods, cap * sizeof(*m));
		if (m == NULL)
			return -ENOMEM;
		srv->methods = m;
		srv->methods_cap = cap;
	}
	m = &srv->methods[srv->n_methods];
	m->name = strdup(method);
	m->help = help != NULL ? strdup(help) : NULL;
	if (m->name == NULL || (help != NULL && m->help == NULL)) {
		free(m->name);
		free(m->help);
		return -ENOMEM;
	}
	m->fn = fn;
	m->ctx = ctx;
	srv->n_methods++;
	return 0;
}

/* Built-in `help`: {"methods": [{"name": ..., "help": ...}, ...]} in registration order. */
static json_t *
ctl_method_help(void *ctx, const json_t *params, struct ctl_error *err)
{
	const struct ctl_server *srv = ctx;
	json_t *list = json_array();
	unsigned int i;

	(void)params;
	(void)err;
	for (i = 0; i < srv->n_methods; i++) {
		const struct ctl_method *m = &srv->methods[i];

		json_array_append_new(list, json_pack("{s:s, s:s}", "name", m->name, "help",
						      m->help != NULL ? m->help : ""));
	}
	return json_pack("{s:o}", "methods", list);
}

/* ---- create / destroy ---- */

struct ctl_server *
ctl_server_create(const char *path, mode_t mode)
{
	struct ctl_server *srv;
	int rc;

	if (path == NULL || path[0] == '\0') {
		errno = EINVAL;
		return NULL;
	}
	srv = calloc(1, sizeof(*srv));
	if (srv == NULL)
		return NULL;
	srv->listen_fd = -1;
	srv->lim = ctl_default_limits;
	if (strlen(path) >= sizeof(srv->path)) {
		rc = -ENAMETOOLONG;
		goto out_free;
	}
	snprintf(srv->path, sizeof(srv->path), "%s", path);
	rc = ctl_alloc_slots(srv, srv->lim.max_clients);
	if (rc < 0)
		goto out_free;
	rc = ctl_server_register(srv, "help", ctl_method_help, srv,
				 "list the methods this server answers, with their help text");
	if (rc < 0)
		goto out_free;
	rc = ctl_make_parent_dir(path);
	if (rc == 0)
		rc = ctl_remove_stale(path);
	if (rc == 0)
		rc = ctl_bind_listen(srv, mode);
	if (rc < 0)
		goto out_free;
	return srv;

out_free:
	ctl_server_destroy(srv);
	errno = -rc;
	return NULL;
}

/* Forget entry @p (its answer, when it comes, is discarded). */
static void
ctl_pending_drop(struct ctl_server *srv, struct ctl_pending *p)
{
	json_decref(p->id);
	json_decref(p->batch);
	memset(p, 0, sizeof(*p));
	srv->n_pending--;
}

static void
ctl_client_close(struct ctl_server *srv, struct ctl_client *c)
{
	unsigned int i, slot;

	if (c->fd < 0)
		return;
	slot = (unsigned int)(c - srv->clients);
	for (i = 0; c->n_pending > 0 && i < CTL_SERVER_MAX_PENDING; i++)
		if (srv->pending[i].token != 0 && srv->pending[i].slot == slot) {
			ctl_pending_drop(srv, &srv->pending[i]);
			c->n_pending--;
		}
	close(c->fd);
	free(c->in);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	srv->n_clients--;
}

void
ctl_server_destroy(struct ctl_server *srv)
{
	struct stat st;
	unsigned int i;

	if (srv == NULL)
		return;
	for (i = 0; srv->clients != NULL && i < srv->lim.max_clients; i++)
		ctl_client_close(srv, &srv->clients[i]);
	if (srv->listen_fd >= 0) {
		/* Unlink only the file we created, not one a successor has bound since. */
		if (lstat(srv->path, &st) == 0 && st.st_dev == srv->sock_dev &&
		    st.st_ino == srv->sock_ino)
			unlink(srv->path);
		close(srv->listen_fd);
	}
	for (i = 0; i < CTL_SERVER_MAX_PENDING; i++)
		if (srv->pending[i].token != 0)
			ctl_pending_drop(srv, &srv->pending[i]);
	for (i = 0; i < srv->n_methods; i++) {
		free(srv->methods[i].name);
		free(srv->methods[i].help);
	}
	free(srv->methods);
	free(srv->clients);
	free(srv->pfds);
	free(srv->pfd_slot);
	free(srv);
}

/* ---- JSON-RPC dispatch ---- */

/* A response object; @id is borrowed (NULL means JSON null), @data is stolen. */
static json_t *
ctl_error_response(const json_t *id, int code, const char *message, json_t *data)
{
	json_t *error = json_pack("{s:i, s:s}", "code", code, "message", message);

	if (error != NULL && data != NULL)
		json_object_set_new(error, "data", data);
	else
		json_decref(data);
	return json_pack("{s:s, s:O?, s:o}", "jsonrpc", "2.0", "id", id, "error", error);
}

/* A handler's outcome -> the response: @result (stolen) or @err (its data stolen). */
static json_t *
ctl_outcome_response(const json_t *id, json_t *result, struct ctl_error *err)
{
	json_t *data = err->data;

	err->data = NULL;
	if (result != NULL) {
		json_decref(data);
		return json_pack("{s:s, s:O?, s:o}", "jsonrpc", "2.0", "id", id, "result", result);
	}
	if (err->code == 0)
		return ctl_error_response(id, CTL_SERVER_INTERNAL_ERROR, "internal error", data);
	return ctl_error_response(id, err->code, err->message, data);
}

/* Where a request came from, so a deferred answer finds its way back. */
struct ctl_origin {
	struct ctl_server *srv;
	struct ctl_client *c;
	json_t *batch;          /* the batch's response array, or NULL */
	unsigned int n_later;   /* members of this line deferred */
};

/*
 * Keep the request @id waits on @token: a pending entry (and a placeholder in the batch).
 * Returns NULL, or an error response when it cannot be kept.
 */
static json_t *
ctl_defer(struct ctl_origin *o, uint64_t token, const json_t *id)
{
	struct ctl_server *srv = o->srv;
	struct ctl_pending *p = NULL;
	unsigned int i;

	if (id == NULL)
		return NULL; /* a notification is never answered */
	for (i = 0; i < CTL_SERVER_MAX_PENDING; i++) {
		if (srv->pending[i].token == token)
			return ctl_error_response(id, CTL_SERVER_INTERNAL_ERROR,
						  "internal error: answer token in use", NULL);
		if (srv->pending[i].token == 0 && p == NULL)
			p = &srv->pending[i];
	}
	if (p == NULL) {
		char message[96];

		snprintf(message, sizeof(message), "too many requests waiting for an answer (%u)",
			 CTL_SERVER_MAX_PENDING);
		return ctl_error_response(id, CTL_SERVER_BUSY, message, NULL);
	}
	p->id = json_deep_copy(id);
	if (p->id == NULL)
		return ctl_error_response(id, CTL_SERVER_INTERNAL_ERROR, "out of memory", NULL);
	p->token = token;
	p->slot = (unsigned int)(o->c - srv->clients);
	if (o->batch != NULL) {
		p->batch = json_incref(o->batch);
		p->index = json_array_size(o->batch);
		json_array_append_new(o->batch, json_null());
	}
	o->c->n_pending++;
	o->n_later++;
	srv->n_pending++;
	return NULL;
}

static json_t *
ctl_call_method(struct ctl_origin *o, const struct ctl_method *m, const json_t *id,
		const json_t *params)
{
	struct ctl_error err = { 0 };
	json_t *result;

	result = m->fn(m->ctx, params, &err);
	if (result == NULL && err.later != 0 && err.code == 0) {
		json_decref(err.data);
		return ctl_defer(o, err.later, id);
	}
	return ctl_outcome_response(id, result, &err);
}

/* One request object -> its response, or NULL for a notification or a deferred answer. */
static json_t *
ctl_handle_request(struct ctl_origin *o, const json_t *req)
{
	const json_t *id, *method, *params, *version;
	const struct ctl_method *m;
	json_t *response;

	if (!json_is_object(req))
		return ctl_error_response(NULL, CTL_SERVER_INVALID_REQUEST,
					  "invalid request: not an object", NULL);
	id = json_object_get(req, "id");
	if (id != NULL && !json_is_string(id) && !json_is_number(id) && !json_is_null(id))
		return ctl_error_response(NULL, CTL_SERVER_INVALID_REQUEST,
					  "invalid request: id must be a string or number", NULL);
	version = json_object_get(req, "jsonrpc");
	method = json_object_get(req, "method");
	params = json_object_get(req, "params");
	if (!json_is_string(version) || strcmp(json_string_value(version), "2.0") != 0)
		return ctl_error_response(id, CTL_SERVER_INVALID_REQUEST,
					  "invalid request: \"jsonrpc\" must be \"2.0\"", NULL);
	if (!json_is_string(method))
		return ctl_error_response(id, CTL_SERVER_INVALID_REQUEST,
					  "invalid request: \"method\" must be a string", NULL);
	if (params != NULL && !json_is_object(params) && !json_is_array(params))
		return ctl_error_response(id, CTL_SERVER_INVALID_REQUEST,
					  "invalid request: \"params\" must be an object or array",
					  NULL);
	m = ctl_find_method(o->srv, json_string_value(method));
	if (m == NULL)
		response = ctl_error_response(id, CTL_SERVER_METHOD_NOT_FOUND, "method not found",
					      json_pack("{s:O}", "method", method));
	else
		response = ctl_call_method(o, m, id, params);
	if (id == NULL) {
		/* A notification is never answered, not even with an error. */
		json_decref(response);
		return NULL;
	}
	return response;
}

/*
 * A batch (array) -> an array of responses, or NULL if every member was a notification or
 * some member's answer comes later (the pending entries then hold the array).
 */
static json_t *
ctl_handle_batch(struct ctl_origin *o, const json_t *batch, unsigned int *n_handled)
{
	json_t *responses, *member, *r;
	size_t i;

	if (json_array_size(batch) == 0) {
		*n_handled = 1;
		return ctl_error_response(NULL, CTL_SERVER_INVALID_REQUEST,
					  "invalid request: empty batch", NULL);
	}
	responses = json_array();
	o->batch = responses;
	json_array_foreach(batch, i, member) {
		r = ctl_handle_request(o, member);
		if (r != NULL)
			json_array_append_new(responses, r);
	}
	o->batch = NULL;
	*n_handled = (unsigned int)json_array_size(batch);
	if (json_array_size(responses) == 0 || o->n_later > 0) {
		json_decref(responses);
		return NULL;
	}
	return responses;
}

/* One line -> its response (or NULL); counts requests in *n_handled. */
static json_t *
ctl_handle_line(struct ctl_origin *o, const char *line, size_t len, unsigned int *n_handled)
{
	char message[JSON_ERROR_TEXT_LENGTH + 64];
	json_error_t jerr;
	json_t *req, *response;

	*n_handled = 1;
	req = json_loadb(line, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
	if (req == NULL) {
		snprintf(message, sizeof(message), "parse error: %s (column %d)", jerr.text,
			 jerr.column);
		return ctl_error_response(NULL, CTL_SERVER_PARSE_ERROR, message, NULL);
	}
	if (json_is_array(req))
		response = ctl_handle_batch(o, req, n_handled);
	else
		response = ctl_handle_request(o, req);
	json_decref(req);
	return response;
}

/* ---- client I/O ---- */

/* Send what the kernel takes now; 0, or -1 after closing the client. */
static int
ctl_client_flush(struct ctl_server *srv, struct ctl_client *c)
{
	ssize_t n;

	while (c->out_off < c->out_len) {
		n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0) {
			ctl_client_close(srv, c);
			return -1;
		}
		c->out_off += (size_t)n;
		c->last_io_ms = ctl_now_ms();
	}
	c->out_off = 0;
	c->out_len = 0;
	return 0;
}

/* Queue @text plus a newline; 0, or -1 after dropping a client over its output cap. */
static int
ctl_client_queue(struct ctl_server *srv, struct ctl_client *c, const char *text)
{
	size_t len = strlen(text), need;
	char *out;

	if (c->out_off > 0 && c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	need = c->out_len - c->out_off + len + 1;
	if (need > srv->lim.max_output) {
		ctl_client_close(srv, c);
		return -1;
	}
	if (c->out_off > 0) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	if (need > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;

		while (cap < need)
			cap *= 2;
		out = realloc(c->out, cap);
		if (out == NULL) {
			ctl_client_close(srv, c);
			return -1;
		}
		c->out = out;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, text, len);
	c->out[c->out_len + len] = '\n';
	c->out_len += len + 1;
	return 0;
}

/* Encode @response (stolen) and queue it; 0, or -1 if the client was dropped. */
static int
ctl_client_respond(struct ctl_server *srv, struct ctl_client *c, json_t *response)
{
	char *text;
	int rc;

	text = response != NULL ? json_dumps(response, JSON_COMPACT) : NULL;
	json_decref(response);
	if (text == NULL) {
		/* A handler returned something unencodable; the id is lost with it. */
		text = strdup("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32603,"
			      "\"message\":\"internal error: response not encodable\"}}");
		if (text == NULL) {
			ctl_client_close(srv, c);
			return -1;
		}
	}
	rc = ctl_client_queue(srv, c, text);
	free(text);
	return rc;
}

/* Answer one line unless it is blank. Returns requests handled, or -1 if c was dropped. */
static int
ctl_client_line(struct ctl_server *srv, struct ctl_client *c, char *line, size_t len)
{
	struct ctl_origin o = { .srv = srv, .c = c };
	unsigned int n_handled = 0;
	json_t *response;

	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	if (len == 0)
		return 0;
	response = ctl_handle_line(&o, line, len, &n_handled);
	if (response != NULL && ctl_client_respond(srv, c, response) < 0)
		return -1;
	return (int)n_handled;
}

/* Answer every complete line in the input buffer; returns requests handled. */
static unsigned int
ctl_client_lines(struct ctl_server *srv, struct ctl_client *c)
{
	unsigned int handled = 0;
	size_t start = 0;
	char *nl;
	int n;

	while (c->fd >= 0 && start < c->in_len &&
	       (nl = memchr(c->in + start, '\n', c->in_len - start)) != NULL) {
		n = ctl_client_line(srv, c, c->in + start, (size_t)(nl - (c->in + start)));
		if (n < 0)
			return handled;
		handled += (unsigned int)n;
		start = (size_t)(nl - c->in) + 1;
	}
	if (c->fd < 0)
		return handled;
	memmove(c->in, c->in + start, c->in_len - start);
	c->in_len -= start;
	if (c->in_len > srv->lim.max_request) {
		char message[96];

		snprintf(message, sizeof(message), "invalid request: longer than %zu bytes",
			 srv->lim.max_request);
		c->in_len = 0;
		c->closing = true;
		ctl_client_respond(srv, c, ctl_error_response(NULL, CTL_SERVER_INVALID_REQUEST,
							      message, NULL));
		handled++;
	}
	return handled;
}

/* Make room for one recv(); the buffer never exceeds max_request + 1 bytes. */
static ssize_t
ctl_client_room(struct ctl_server *srv, struct ctl_client *c)
{
	size_t want = srv->lim.max_request + 1 - c->in_len, cap;
	char *in;

	if (want > CTL_READ_CHUNK)
		want = CTL_READ_CHUNK;
	if (c->in_len + want > c->in_cap) {
		cap = c->in_cap ? c->in_cap : 4096;
		while (cap < c->in_len + want)
			cap *= 2;
		if (cap > srv->lim.max_request + 1)
			cap = srv->lim.max_request + 1;
		in = realloc(c->in, cap);
		if (in == NULL)
			return -1;
		c->in = in;
		c->in_cap = cap;
	}
	return (ssize_t)want;
}

/* The peer shut down its side: a last line without a newline is still a request. */
static unsigned int
ctl_client_eof(struct ctl_server *srv, struct ctl_client *c)
{
	int n = 0;

	c->closing = true;
	if (c->in_len > 0)
		n = ctl_client_line(srv, c, c->in, c->in_len);
	if (c->fd >= 0)
		c->in_len = 0;
	return n > 0 ? (unsigned int)n : 0;
}

/* Read what is ready (up to a budget) and answer complete lines; returns requests handled. */
static unsigned int
ctl_client_read(struct ctl_server *srv, struct ctl_client *c)
{
	unsigned int handled = 0;
	size_t budget = CTL_READ_BUDGET;
	ssize_t want, n;

	while (c->fd >= 0 && !c->closing && budget > 0) {
		want = ctl_client_room(srv, c);
		if (want < 0) {
			ctl_client_close(srv, c);
			break;
		}
		n = recv(c->fd, c->in + c->in_len, (size_t)want, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0) {
			ctl_client_close(srv, c);
			break;
		}
		if (n == 0) {
			handled += ctl_client_eof(srv, c);
			break;
		}
		c->in_len += (size_t)n;
		c->last_io_ms = ctl_now_ms();
		budget -= (size_t)n < budget ? (size_t)n : budget;
		handled += ctl_client_lines(srv, c);
	}
	return handled;
}

/* ---- answers that come later ---- */

/* Does a pending entry still hold a placeholder in @batch? */
static bool
ctl_batch_waiting(const struct ctl_server *srv, const json_t *batch)
{
	unsigned int i;

	for (i = 0; i < CTL_SERVER_MAX_PENDING; i++)
		if (srv->pending[i].token != 0 && srv->pending[i].batch == batch)
			return true;
	return false;
}

int
ctl_server_answer(struct ctl_server *srv, uint64_t token, json_t *result,
		  struct ctl_error *err)
{
	struct ctl_error none = { 0 };
	struct ctl_pending *p = NULL;
	struct ctl_client *c;
	json_t *response, *batch;
	unsigned int i;

	if (err == NULL)
		err = &none;
	for (i = 0; token != 0 && i < CTL_SERVER_MAX_PENDING; i++)
		if (srv->pending[i].token == token)
			p = &srv->pending[i];
	if (p == NULL) {
		json_decref(result);
		json_decref(err->data);
		err->data = NULL;
		return -ENOENT;
	}
	c = &srv->clients[p->slot];
	response = ctl_outcome_response(p->id, result, err);
	batch = json_incref(p->batch);
	if (batch != NULL)
		json_array_set_new(batch, p->index, response);
	ctl_pending_drop(srv, p);
	c->n_pending--;
	if (batch != NULL) {
		response = batch;
		if (ctl_batch_waiting(srv, batch)) { /* other members still to come */
			json_decref(batch);
			return 0;
		}
	}
	if (ctl_client_respond(srv, c, response) < 0 || ctl_client_flush(srv, c) < 0)
		return 0; /* the client was dropped (over its output cap, or gone) */
	if (c->closing && c->out_len == c->out_off && c->n_pending == 0)
		ctl_client_close(srv, c);
	return 0;
}

unsigned int
ctl_server_pending(const struct ctl_server *srv)
{
	return srv->n_pending;
}

int
ctl_server_add_poller(struct ctl_server *srv, ctl_poller_fn fn, void *ctx)
{
	if (fn == NULL)
		return -EINVAL;
	if (srv->n_pollers == CTL_SERVER_MAX_POLLERS)
		return -ENOSPC;
	srv->pollers[srv->n_pollers++] = (struct ctl_poller){ .fn = fn, .ctx = ctx };
	return 0;
}

/* ---- accept and poll ---- */

static void
ctl_reject_busy(int fd, unsigned int max_clients)
{
	char line[160];
	int len;

	len = snprintf(line, sizeof(line),
		       "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":%d,"
		       "\"message\":\"too many control clients (%u)\"}}\n",
		       CTL_SERVER_BUSY, max_clients);
	/* Best effort: a fresh socket buffer takes a line this short. */
	(void)send(fd, line, (size_t)len, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
}

/*
 * Accept up to a budget of pending connections. On EMFILE the connection stays queued and the
 * listening socket stays readable; the caller's timeout paces the retries.
 */
static void
ctl_accept(struct ctl_server *srv)
{
	struct ctl_client *c;
	unsigned int i, slot;
	int fd;

	for (i = 0; i < CTL_ACCEPT_BUDGET; i++) {
		fd = accept4(srv->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0 && errno == EINTR)
			continue;
		if (fd < 0)
			return;
		if (srv->n_clients >= srv->lim.max_clients) {
			ctl_reject_busy(fd, srv->lim.max_clients);
			continue;
		}
		for (slot = 0; srv->clients[slot].fd >= 0; slot++)
			;
		c = &srv->clients[slot];
		c->fd = fd;
		c->last_io_ms = ctl_now_ms();
		srv->n_clients++;
	}
}

static nfds_t
ctl_build_pollfds(struct ctl_server *srv)
{
	nfds_t n = 1;
	unsigned int i;

	srv->pfds[0] = (struct pollfd){ .fd = srv->listen_fd, .events = POLLIN };
	for (i = 0; i < srv->lim.max_clients; i++) {
		const struct ctl_client *c = &srv->clients[i];

		if (c->fd < 0)
			continue;
		srv->pfds[n].fd = c->fd;
		srv->pfds[n].events = (short)((c->closing ? 0 : POLLIN) |
					      (c->out_len > c->out_off ? POLLOUT : 0));
		srv->pfds[n].revents = 0;
		srv->pfd_slot[n] = i;
		n++;
	}
	return n;
}

/* Drop clients with no I/O progress for the idle timeout (half-open, stuck, silent). */
static void
ctl_reap_idle(struct ctl_server *srv)
{
	uint64_t now = ctl_now_ms();
	unsigned int i;

	for (i = 0; i < srv->lim.max_clients; i++) {
		struct ctl_client *c = &srv->clients[i];

		/* One waiting for an answer is not idle: the module answers or times it out. */
		if (c->fd >= 0 && c->n_pending == 0 &&
		    now - c->last_io_ms >= srv->lim.idle_timeout_ms)
			ctl_client_close(srv, c);
	}
}

static unsigned int
ctl_serve_client(struct ctl_server *srv, struct ctl_client *c, short revents)
{
	unsigned int handled = 0;

	if (revents & POLLNVAL) {
		ctl_client_close(srv, c);
		return 0;
	}
	if (!c->closing && (revents & (POLLIN | POLLHUP | POLLERR)))
		handled = ctl_client_read(srv, c);
	if (c->fd >= 0 && c->out_len > c->out_off)
		ctl_client_flush(srv, c);
	if (c->fd >= 0 && (revents & (POLLERR | POLLHUP)) && c->closing)
		ctl_client_close(srv, c);
	if (c->fd >= 0 && c->closing && c->out_len == c->out_off && c->n_pending == 0)
		ctl_client_close(srv, c);
	return handled;
}

static void
ctl_run_pollers(struct ctl_server *srv)
{
	unsigned int i;

	for (i = 0; i < srv->n_pollers; i++)
		srv->pollers[i].fn(srv->pollers[i].ctx);
}

int
ctl_server_poll(struct ctl_server *srv, int timeout_ms)
{
	unsigned int handled = 0;
	nfds_t i, n;
	int rc;

	if (srv->n_pending > 0 && (timeout_ms < 0 || timeout_ms > CTL_SERVER_PENDING_POLL_MS))
		timeout_ms = CTL_SERVER_PENDING_POLL_MS; /* the pollers answer them */
	n = ctl_build_pollfds(srv);
	rc = poll(srv->pfds, n, timeout_ms);
	if (rc < 0 && errno != EINTR)
		return -errno;
	if (rc < 0) {
		ctl_run_pollers(srv);
		return 0;
	}
	for (i = 1; i < n; i++) {
		struct ctl_client *c = &srv->clients[srv->pfd_slot[i]];

		if (srv->pfds[i].revents != 0 && c->fd == srv->pfds[i].fd)
			handled += ctl_serve_client(srv, c, srv->pfds[i].revents);
	}
	if (srv->pfds[0].revents & POLLIN)
		ctl_accept(srv);
	ctl_run_pollers(srv);
	ctl_reap_idle(srv);
	return handled > INT_MAX ? INT_MAX : (int)handled;
}
