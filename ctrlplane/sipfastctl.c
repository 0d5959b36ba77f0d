/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sipfastctl: the operator CLI. It sends one JSON-RPC request to sipfastd's control socket,
 * prints the result as a table or pretty JSON, and maps the outcome to an exit code.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "ctrlplane/ctl_server.h"

#define CTL_EXIT_OK 0
#define CTL_EXIT_DAEMON 1    /* the daemon answered with a JSON-RPC error */
#define CTL_EXIT_USAGE 2     /* bad command line, FILE or JSON argument */
#define CTL_EXIT_TRANSPORT 3 /* cannot connect, timeout, malformed answer */

#define CTL_DEFAULT_TIMEOUT_S 5.0
#define CTL_MAX_RESPONSE (64u * 1024 * 1024) /* bytes; a larger answer is a protocol error */
#define CTL_REQUEST_ID 1

struct ctl_opts {
	const char *socket;     /* control socket path */
	bool json;              /* print raw result JSON */
	double timeout_s;       /* whole exchange, seconds */
	uint64_t deadline_ms;   /* CLOCK_MONOTONIC */
};

/* What the daemon answered: exactly one of result and error is set. */
struct ctl_reply {
	json_t *result;
	json_t *error;
};

static const char ctl_usage_text[] =
	"Usage: sipfastctl [--socket PATH] [--json] [--timeout S] COMMAND [ARG...]\n"
	"\n"
	"Talk to a running sipfastd over its JSON-RPC control socket.\n"
	"\n"
	"Options (before COMMAND):\n"
	"  -s, --socket PATH  control socket (default: $SIPFAST_CTL if set,\n"
	"                     else " CTL_SERVER_DEFAULT_PATH ")\n"
	"  -j, --json         print the daemon's result as raw JSON instead of tables\n"
	"  -t, --timeout S    give up after S seconds, fractions allowed (default: 5)\n"
	"  -h, --help         show this help\n"
	"\n"
	"Commands:\n"
	"  get [NAME]             every parameter as NAME, VALUE, DEFAULT, UNIT; with NAME, one\n"
	"                         parameter plus its allowed values and description\n"
	"                           sipfastctl get SS_SIP_TIMEOUT_RINGING\n"
	"  set NAME=VALUE ...     change parameters in one atomic update. VALUE goes as a JSON\n"
	"                         number if it reads as one, else as a string (On, Off, auto,\n"
	"                         0.5,1,2). NAME:=JSON sends raw JSON, e.g. null to lift a limit\n"
	"                           sipfastctl set SS_SIP_TIMEOUT_RINGING=60"
	" SS_MAX_CALL_DURATION:=null\n"
	"  apply FILE             validate and apply a whole JSON config document (- = stdin);\n"
	"                         if anything is invalid nothing changes\n"
	"                           sipfastctl apply /etc/sipfast/sipfast.json\n"
	"  save                   write the running configuration to the daemon's config file\n"
	"                           sipfastctl save\n"
	"  stats                  counters per worker lcore, with a total column\n"
	"                           sipfastctl stats\n"
	"  version                the daemon's version\n"
	"                           sipfastctl version\n"
	"  registrations [--user U] [--nat]\n"
	"                         registered phones: all, one user, or only those behind NAT\n"
	"                           sipfastctl registrations --user 1001 --nat\n"
	"  registrations clear USER\n"
	"                         remove USER's registration, answered once the worker that\n"
	"                         holds it applied it\n"
	"                           sipfastctl registrations clear 1001\n"
	"  suspended [clear [IP]] sources suspended after failed authentication; clear lifts\n"
	"                         the suspension of IP, or of every source, answered once every\n"
	"                         worker applied it (error if one does not within 2 s)\n"
	"                           sipfastctl suspended clear 192.0.2.7\n"
	"  calls                  calls in progress: ID, state, caller, called number, where\n"
	"                         the B leg goes (gateway name or phone), both peers, age;\n"
	"                         every page of calls.list, then the total\n"
	"                           sipfastctl calls\n"
	"  calls hangup ID        end the call ID (as 'calls' shows it): BYE on both legs\n"
	"                         (CANCEL/487 if not answered yet), answered once its worker\n"
	"                         did it; an ended or unknown ID is an error naming it\n"
	"                           sipfastctl calls hangup 0000002a0001\n"
	"  methods                every method the daemon answers, with its help text\n"
	"                           sipfastctl methods\n"
	"  call METHOD [JSON]     any method, params given as a JSON object or array\n"
	"                           sipfastctl call config.get"
	" '{\"name\": \"SS_SIP_TIMEOUT_RINGING\"}'\n"
	"\n"
	"Errors go to stderr as \"sipfastctl: MESSAGE\", followed by the JSON path, the value and\n"
	"the allowed values when the daemon names them; with --json the error object is also\n"
	"printed on stdout.\n"
	"\n"
	"Exit status:\n"
	"  0  success\n"
	"  1  the daemon answered with an error (e.g. a value failed validation; nothing changed)\n"
	"  2  usage error: bad option, command or argument; unreadable or invalid FILE or JSON\n"
	"  3  cannot connect, timed out, or the answer was not valid JSON-RPC\n"
	"\n"
	"Environment:\n"
	"  SIPFAST_CTL  control socket path; --socket overrides it\n";

__attribute__((format(printf, 1, 2))) static int
ctl_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("sipfastctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'sipfastctl --help'.\n", stderr);
	return CTL_EXIT_USAGE;
}

static uint64_t
ctl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int
ctl_remaining_ms(const struct ctl_opts *o)
{
	uint64_t now = ctl_now_ms();

	return now >= o->deadline_ms ? 0 : (int)(o->deadline_ms - now);
}

/* ---- transport ---- */

static int
ctl_connect(const struct ctl_opts *o)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int ms = ctl_remaining_ms(o) > 0 ? ctl_remaining_ms(o) : 1; /* 0 would mean forever */
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
	int fd;

	if (strlen(o->socket) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "sipfastctl: socket path too long: %s\n", o->socket);
		return -1;
	}
	memcpy(sun.sun_path, o->socket, strlen(o->socket) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "sipfastctl: socket: %s\n", strerror(errno));
		return -1;
	}
	/* A blocking AF_UNIX connect waits for backlog room at most SO_SNDTIMEO. */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "sipfastctl: cannot connect to %s: %s (is sipfastd running? "
			"see --socket)\n", o->socket,
			errno == EAGAIN ? "timed out" : strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int
ctl_send_all(const struct ctl_opts *o, int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "sipfastctl: sending to %s: %s\n", o->socket,
				errno == EAGAIN ? "timed out" : strerror(errno));
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read until the first newline; returns a NUL-terminated malloc'd line or NULL. */
static char *
ctl_read_line(const struct ctl_opts *o, int fd)
{
	size_t len = 0, cap = 0;
	char *buf = NULL, *nl = NULL, *grown;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int rc;

	while (nl == NULL) {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 16384;
			grown = cap <= CTL_MAX_RESPONSE ? realloc(buf, cap) : NULL;
			if (grown == NULL) {
				fprintf(stderr, "sipfastctl: answer too large\n");
				goto out_free;
			}
			buf = grown;
		}
		rc = poll(&pfd, 1, ctl_remaining_ms(o));
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc == 0) {
			fprintf(stderr, "sipfastctl: timed out after %g s waiting for %s\n",
				o->timeout_s, o->socket);
			goto out_free;
		}
		n = rc < 0 ? -1 : recv(fd, buf + len, cap - len - 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr,
				"sipfastctl: %s closed the connection without an answer%s%s\n",
				o->socket, n < 0 ? ": " : "", n < 0 ? strerror(errno) : "");
			goto out_free;
		}
		nl = memchr(buf + len, '\n', (size_t)n);
		len += (size_t)n;
	}
	*nl = '\0';
	return buf;

out_free:
	free(buf);
	return NULL;
}

/* Check the answer's shape; fills @reply and returns 0, or prints why and returns -1. */
static int
ctl_parse_reply(const char *line, struct ctl_reply *reply)
{
	json_error_t jerr;
	json_t *resp, *id;

	resp = json_loads(line, 0, &jerr);
	if (resp == NULL) {
		fprintf(stderr, "sipfastctl: the answer is not JSON: %s\n", jerr.text);
		return -1;
	}
	id = json_object_get(resp, "id");
	reply->error = json_incref(json_object_get(resp, "error"));
	reply->result = reply->error == NULL ? json_incref(json_object_get(resp, "result")) : NULL;
	if ((reply->error != NULL && json_is_object(reply->error) &&
	     (json_is_null(id) || json_integer_value(id) == CTL_REQUEST_ID)) ||
	    (reply->result != NULL && json_integer_value(id) == CTL_REQUEST_ID)) {
		json_decref(resp);
		return 0;
	}
	json_decref(resp);
	fprintf(stderr, "sipfastctl: the answer is not a JSON-RPC 2.0 response to our request\n");
	json_decref(reply->error);
	json_decref(reply->result);
	return -1;
}

/* One request/response exchange. @params is stolen. Returns 0 or CTL_EXIT_TRANSPORT. */
static int
ctl_rpc(const struct ctl_opts *o, const char *method, json_t *params, struct ctl_reply *reply)
{
	json_t *req;
	char *text, *line = NULL;
	int fd, rc = CTL_EXIT_TRANSPORT;

	req = json_pack("{s:s, s:i, s:s, s:o}", "jsonrpc", "2.0", "id", CTL_REQUEST_ID,
			"method", method, "params", params != NULL ? params : json_object());
	text = req != NULL ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	line = text != NULL ? realloc(text, strlen(text) + 2) : NULL;
	if (line == NULL) {
		free(text);
		fprintf(stderr, "sipfastctl: cannot encode the request\n");
		return CTL_EXIT_TRANSPORT;
	}
	text = line;
	strcat(text, "\n");
	line = NULL;
	fd = ctl_connect(o);
	if (fd < 0)
		goto out_free_text;
	if (ctl_send_all(o, fd, text, strlen(text)) == 0)
		line = ctl_read_line(o, fd);
	if (line != NULL && ctl_parse_reply(line, reply) == 0)
		rc = 0;
	free(line);
	close(fd);
out_free_text:
	free(text);
	return rc;
}

/* ---- output ---- */

static char *
ctl_value_text(const json_t *v)
{
	if (v == NULL)
		return strdup("");
	if (json_is_string(v))
		return strdup(json_string_value(v));
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

static void
ctl_print_json(const json_t *v, bool compact)
{
	char *text = json_dumps(v, (compact ? JSON_COMPACT : JSON_INDENT(2)) | JSON_ENCODE_ANY);

	if (text != NULL)
		printf("%s\n", text);
	free(text);
}

static void
ctl_print_error(const struct ctl_opts *o, const json_t *error)
{
	const json_t *message = json_object_get(error, "message");
	const json_t *data = json_object_get(error, "data");
	const char *key;
	json_t *v;
	char *text;

	if (o->json)
		ctl_print_json(error, true);
	if (json_is_string(message))
		fprintf(stderr, "sipfastctl: %s\n", json_string_value(message));
	else
		fprintf(stderr, "sipfastctl: error %lld\n",
			json_integer_value(json_object_get(error, "code")));
	if (data != NULL && !json_is_object(data)) {
		text = ctl_value_text(data);
		fprintf(stderr, "  data: %s\n", text != NULL ? text : "?");
		free(text);
	}
	json_object_foreach((json_t *)data, key, v) {
		text = ctl_value_text(v);
		fprintf(stderr, "  %s: %s\n", key, text != NULL ? text : "?");
		free(text);
	}
}

static void
ctl_print_warnings(const json_t *result)
{
	const json_t *warnings = json_object_get(result, "warnings");
	json_t *w;
	size_t i;
	char *text;

	json_array_foreach(warnings, i, w) {
		text = ctl_value_text(w);
		fprintf(stderr, "sipfastctl: warning: %s\n", text != NULL ? text : "?");
		free(text);
	}
}

/* A text table; cells are owned, NULL prints as "-". */
struct ctl_table {
	unsigned int n_cols;
	size_t n_rows, cap_rows;
	char **cells;           /* n_rows x n_cols */
	bool right_from_col1;   /* right-align every column but the first (numbers) */
};

static char **
ctl_table_row(struct ctl_table *t)
{
	char **cells;

	if (t->n_rows == t->cap_rows) {
		size_t cap = t->cap_rows ? t->cap_rows * 2 : 32;

		cells = realloc(t->cells, cap * t->n_cols * sizeof(*cells));
		if (cells == NULL)
			return NULL;
		t->cells = cells;
		t->cap_rows = cap;
	}
	cells = &t->cells[t->n_rows * t->n_cols];
	memset(cells, 0, t->n_cols * sizeof(*cells));
	t->n_rows++;
	return cells;
}

static void
ctl_table_print(struct ctl_table *t)
{
	size_t *width = calloc(t->n_cols, sizeof(*width));
	unsigned int c;
	size_t r;

	if (width == NULL)
		return;
	for (r = 0; r < t->n_rows; r++)
		for (c = 0; c < t->n_cols; c++) {
			const char *s = t->cells[r * t->n_cols + c];
			size_t len = s != NULL ? strlen(s) : 1;

			if (len > width[c])
				width[c] = len;
		}
	for (r = 0; r < t->n_rows; r++) {
		unsigned int n = t->n_cols;

		/* Empty trailing cells print nothing, so lines carry no trailing blanks. */
		while (!t->right_from_col1 && n > 1 && t->cells[r * t->n_cols + n - 1] != NULL &&
		       t->cells[r * t->n_cols + n - 1][0] == '\0')
			n--;
		for (c = 0; c < n; c++) {
			const char *s = t->cells[r * t->n_cols + c];
			bool last = c + 1 == n;
			int w = (int)width[c];

			s = s != NULL ? s : "-";
			if (t->right_from_col1 && c > 0)
				printf("%*s%s", w, s, last ? "" : "  ");
			else if (last)
				printf("%s", s);
			else
				printf("%-*s  ", w, s);
		}
		putchar('\n');
	}
	free(width);
}

static void
ctl_table_free(struct ctl_table *t)
{
	size_t i;

	for (i = 0; i < t->n_rows * t->n_cols; i++)
		free(t->cells[i]);
	free(t->cells);
}

/* ---- get ---- */

static const json_t *
ctl_describe_find(const json_t *describe, const char *name)
{
	const json_t *d;
	size_t i;

	json_array_foreach(describe, i, d) {
		const json_t *n = json_object_get(d, "name");

		if (json_is_string(n) && strcmp(json_string_value(n), name) == 0)
			return d;
	}
	return NULL;
}

static void
ctl_print_param_detail(const json_t *d)
{
	static const char *const keys[] = { "allowed", "description" };
	char *text;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (json_object_get(d, keys[i]) == NULL)
			continue;
		text = ctl_value_text(json_object_get(d, keys[i]));
		printf("%s: %s\n", keys[i], text != NULL ? text : "?");
		free(text);
	}
}

static int
ctl_print_get(const json_t *result)
{
	const json_t *params = json_object_get(result, "params");
	const json_t *describe = json_object_get(result, "describe");
	const json_t *gen = json_object_get(result, "generation"), *d = NULL;
	struct ctl_table t = { .n_cols = 4 };
	const char *name;
	json_t *v;
	char **row;

	if (!json_is_object(params)) {
		ctl_print_json(result, false);
		return CTL_EXIT_OK;
	}
	row = ctl_table_row(&t);
	if (row != NULL) {
		row[0] = strdup("NAME");
		row[1] = strdup("VALUE");
		row[2] = strdup("DEFAULT");
		row[3] = strdup("UNIT");
	}
	json_object_foreach((json_t *)params, name, v) {
		d = ctl_describe_find(describe, name);
		row = ctl_table_row(&t);
		if (row == NULL)
			break;
		row[0] = strdup(name);
		row[1] = ctl_value_text(v);
		row[2] = d != NULL ? ctl_value_text(json_object_get(d, "default")) : strdup("");
		row[3] = d != NULL ? ctl_value_text(json_object_get(d, "unit")) : strdup("");
	}
	ctl_table_print(&t);
	ctl_table_free(&t);
	if (json_object_size(params) == 1 && d != NULL)
		ctl_print_param_detail(d);
	if (json_is_integer(gen))
		printf("generation: %lld\n", json_integer_value(gen));
	return CTL_EXIT_OK;
}

/* ---- stats ---- */

/* Counter names in first-seen order: the total first, then each worker's. */
static json_t *
ctl_stats_names(const json_t *workers, const json_t *total)
{
	json_t *names = json_object(), *w, *v;
	const char *name;
	size_t i;

	json_object_foreach((json_t *)total, name, v)
		json_object_set_new(names, name, json_true());
	json_array_foreach(workers, i, w)
		json_object_foreach(json_object_get(w, "counters"), name, v)
			json_object_set_new(names, name, json_true());
	return names;
}

static char *
ctl_stats_cell(const json_t *v)
{
	return v != NULL ? ctl_value_text(v) : NULL;
}

static void
ctl_stats_header(struct ctl_table *t, const json_t *workers)
{
	char **row = ctl_table_row(t);
	const json_t *w;
	size_t i;

	if (row == NULL)
		return;
	row[0] = strdup("COUNTER");
	json_array_foreach(workers, i, w) {
		const json_t *lcore = json_object_get(w, "lcore");

		if (asprintf(&row[i + 1], "lcore %lld", json_integer_value(lcore)) < 0)
			row[i + 1] = NULL;
	}
	row[t->n_cols - 1] = strdup("TOTAL");
}

/* The daemon's total if it sent one, else the sum of integer counters. */
static char *
ctl_stats_total(const json_t *workers, const json_t *total, const char *name)
{
	long long sum = 0;
	const json_t *w;
	char *text;
	size_t i;

	if (json_is_object(total))
		return ctl_stats_cell(json_object_get(total, name));
	json_array_foreach(workers, i, w)
		sum += json_integer_value(json_object_get(json_object_get(w, "counters"), name));
	return asprintf(&text, "%lld", sum) < 0 ? NULL : text;
}

static int
ctl_print_stats(const json_t *result)
{
	const json_t *workers = json_object_get(result, "workers");
	const json_t *total = json_object_get(result, "total"), *w;
	struct ctl_table t = { .right_from_col1 = true };
	const char *name, *key;
	json_t *names, *v;
	char **row;
	size_t i;

	if (!json_is_array(workers) && !json_is_object(total)) {
		ctl_print_json(result, false);
		return CTL_EXIT_OK;
	}
	t.n_cols = (unsigned int)json_array_size(workers) + 2;
	names = ctl_stats_names(workers, total);
	ctl_stats_header(&t, workers);
	json_object_foreach(names, name, v) {
		row = ctl_table_row(&t);
		if (row == NULL)
			break;
		row[0] = strdup(name);
		json_array_foreach(workers, i, w)
			row[i + 1] = ctl_stats_cell(json_object_get(json_object_get(w, "counters"),
								    name));
		row[t.n_cols - 1] = ctl_stats_total(workers, total, name);
	}
	json_decref(names);
	ctl_table_print(&t);
	ctl_table_free(&t);
	json_object_foreach((json_t *)result, key, v) {
		char *text;

		if (strcmp(key, "workers") == 0 || strcmp(key, "total") == 0)
			continue;
		text = ctl_value_text(v);
		printf("%s: %s\n", key, text != NULL ? text : "?");
		free(text);
	}
	return CTL_EXIT_OK;
}

/* ---- commands ---- */

typedef int (*ctl_printer_fn)(const json_t *result);

static int
ctl_print_pretty(const json_t *result)
{
	ctl_print_json(result, false);
	return CTL_EXIT_OK;
}

/* Send, print, and map to an exit code. @params is stolen; @printer may be NULL. */
static int
ctl_run(const struct ctl_opts *o, const char *method, json_t *params, ctl_printer_fn printer)
{
	struct ctl_reply reply = { 0 };
	int rc;

	rc = ctl_rpc(o, method, params, &reply);
	if (rc != 0)
		return rc;
	if (reply.error != NULL) {
		ctl_print_error(o, reply.error);
		json_decref(reply.error);
		return CTL_EXIT_DAEMON;
	}
	if (o->json) {
		ctl_print_json(reply.result, true);
	} else {
		ctl_print_warnings(reply.result);
		rc = (printer != NULL ? printer : ctl_print_pretty)(reply.result);
	}
	json_decref(reply.result);
	return rc;
}

static int
ctl_cmd_get(const struct ctl_opts *o, int argc, char **argv)
{
	if (argc > 1)
		return ctl_usage_error("get takes at most one NAME");
	if (argc == 1)
		return ctl_run(o, "config.get", json_pack("{s:s}", "name", argv[0]),
			       ctl_print_get);
	return ctl_run(o, "config.get", json_object(), ctl_print_get);
}

/* "60" -> 60, "0.5" -> 0.5, anything else (On, auto, "0.5,1,2") -> a string. */
static json_t *
ctl_parse_value(const char *s)
{
	char *end;
	long long i;
	double d;

	/* strtod() would also take hex, inf and nan; those stay strings. */
	if (s[0] == '\0' || strchr("+-.0123456789", s[0]) == NULL || strpbrk(s, "xX") != NULL)
		return json_string(s);
	errno = 0;
	i = strtoll(s, &end, 10);
	if (errno == 0 && *end == '\0')
		return json_integer(i);
	d = strtod(s, &end);
	if (*end == '\0' && isfinite(d))
		return json_real(d);
	return json_string(s);
}

/* NAME=VALUE or NAME:=JSON into @params; returns 0 or an exit code. */
static int
ctl_parse_assignment(json_t *params, const char *arg)
{
	const char *eq = strchr(arg, '=');
	bool raw = eq != NULL && eq > arg && eq[-1] == ':';
	size_t name_len = eq != NULL ? (size_t)(eq - arg) - raw : 0;
	json_error_t jerr;
	char name[128];
	json_t *value;

	if (eq == NULL || name_len == 0 || name_len >= sizeof(name))
		return ctl_usage_error("expected NAME=VALUE or NAME:=JSON, got '%s'", arg);
	memcpy(name, arg, name_len);
	name[name_len] = '\0';
	if (json_object_get(params, name) != NULL)
		return ctl_usage_error("%s given twice", name);
	value = raw ? json_loads(eq + 1, JSON_DECODE_ANY, &jerr) : ctl_parse_value(eq + 1);
	if (value == NULL)
		return ctl_usage_error("%s: value is not JSON: %s", name, jerr.text);
	json_object_set_new(params, name, value);
	return 0;
}

static int
ctl_cmd_set(const struct ctl_opts *o, int argc, char **argv)
{
	json_t *params;
	int i, rc;

	if (argc == 0)
		return ctl_usage_error("set needs at least one NAME=VALUE");
	params = json_object();
	for (i = 0; i < argc; i++) {
		rc = ctl_parse_assignment(params, argv[i]);
		if (rc != 0) {
			json_decref(params);
			return rc;
		}
	}
	return ctl_run(o, "config.set", json_pack("{s:o}", "params", params), NULL);
}

static int
ctl_cmd_apply(const struct ctl_opts *o, int argc, char **argv)
{
	json_error_t jerr;
	json_t *doc;

	if (argc != 1)
		return ctl_usage_error("apply takes exactly one FILE");
	if (strcmp(argv[0], "-") == 0)
		doc = json_loadf(stdin, JSON_REJECT_DUPLICATES, &jerr);
	else
		doc = json_load_file(argv[0], JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL)
		return ctl_usage_error("%s:%d:%d: %s", argv[0], jerr.line, jerr.column, jerr.text);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return ctl_usage_error("%s: the document must be a JSON object", argv[0]);
	}
	return ctl_run(o, "config.apply", json_pack("{s:o}", "document", doc), NULL);
}

static int
ctl_cmd_registrations(const struct ctl_opts *o, int argc, char **argv)
{
	json_t *params;
	int i;

	if (argc > 0 && strcmp(argv[0], "clear") == 0) {
		if (argc != 2 || argv[1][0] == '\0')
			return ctl_usage_error("usage: registrations clear USER");
		return ctl_run(o, "registrations.clear", json_pack("{s:s}", "user", argv[1]), NULL);
	}
	params = json_object();
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--nat") == 0) {
			json_object_set_new(params, "nat", json_true());
		} else if (strcmp(argv[i], "--user") == 0 && i + 1 < argc) {
			json_object_set_new(params, "user", json_string(argv[++i]));
		} else if (strncmp(argv[i], "--user=", 7) == 0 && argv[i][7] != '\0') {
			json_object_set_new(params, "user", json_string(argv[i] + 7));
		} else {
			json_decref(params);
			return ctl_usage_error("registrations: unexpected '%s'", argv[i]);
		}
	}
	return ctl_run(o, "registrations.list", params, NULL);
}

static int
ctl_cmd_suspended(const struct ctl_opts *o, int argc, char **argv)
{
	unsigned char addr[16];

	if (argc == 0)
		return ctl_run(o, "suspended.list", json_object(), NULL);
	if (strcmp(argv[0], "clear") != 0 || argc > 2)
		return ctl_usage_error("usage: suspended [clear [IP]]");
	if (argc == 1)
		return ctl_run(o, "suspended.clear", json_object(), NULL);
	if (inet_pton(AF_INET, argv[1], addr) != 1 && inet_pton(AF_INET6, argv[1], addr) != 1)
		return ctl_usage_error("suspended clear: '%s' is not an IP address", argv[1]);
	return ctl_run(o, "suspended.clear", json_pack("{s:s}", "ip", argv[1]), NULL);
}

/* "ip:port" of a calls.list peer object, or "-". */
static char *
ctl_calls_peer(const json_t *leg)
{
	const json_t *peer = json_object_get(leg, "peer");
	char *text;

	if (!json_is_object(peer))
		return strdup("-");
	if (asprintf(&text, "%s:%lld", json_string_value(json_object_get(peer, "ip")),
		     json_integer_value(json_object_get(peer, "port"))) < 0)
		return NULL;
	return text;
}

static void
ctl_calls_print(const json_t *calls, json_int_t total)
{
	static const char *const head[] = { "ID", "STATE", "CALLER", "CALLED", "TO", "A PEER",
					    "B PEER", "AGE", "ANSWERED" };
	struct ctl_table t = { .n_cols = 9 };
	const json_t *c;
	char **row;
	size_t i;

	row = ctl_table_row(&t);
	for (i = 0; row != NULL && i < t.n_cols; i++)
		row[i] = strdup(head[i]);
	json_array_foreach(calls, i, c) {
		const json_t *gw = json_object_get(c, "gateway");
		const json_t *ans = json_object_get(c, "answered_s");

		row = ctl_table_row(&t);
		if (row == NULL)
			break;
		row[0] = ctl_value_text(json_object_get(c, "id"));
		row[1] = ctl_value_text(json_object_get(c, "state"));
		row[2] = ctl_value_text(json_object_get(c, "caller"));
		row[3] = ctl_value_text(json_object_get(c, "called"));
		if (json_is_string(gw)) {
			if (asprintf(&row[4], "gateway %s", json_string_value(gw)) < 0)
				row[4] = NULL;
		} else {
			row[4] = strdup("phone");
		}
		row[5] = ctl_calls_peer(json_object_get(c, "a"));
		row[6] = ctl_calls_peer(json_object_get(c, "b"));
		if (asprintf(&row[7], "%llds", json_integer_value(json_object_get(c,
										"duration_s"))) < 0)
			row[7] = NULL;
		if (!json_is_integer(ans) || asprintf(&row[8], "%llds ago",
							json_integer_value(ans)) < 0)
			row[8] = strdup("-");
	}
	ctl_table_print(&t);
	ctl_table_free(&t);
	printf("%zu call%s listed", json_array_size(calls), json_array_size(calls) == 1 ? "" : "s");
	if (total >= 0)
		printf(" (the workers' gauges count %lld in progress)", (long long)total);
	putchar('\n');
}

/*
 * calls: every page of calls.list (each from one worker, at most CALL_CTL_LIST_SCAN slots),
 * following "next" until it is null; then one table, or {"calls": [...], "total"} with --json.
 */
static int
ctl_calls_list_all(const struct ctl_opts *o)
{
	json_t *all = json_array(), *cursor = json_null();
	json_int_t total = -1;
	struct ctl_reply reply;
	int rc = CTL_EXIT_OK, pages;

	for (pages = 0; pages < 1000000; pages++) {
		const json_t *next, *t;

		memset(&reply, 0, sizeof(reply));
		rc = ctl_rpc(o, "calls.list", json_pack("{s:O, s:i}", "cursor", cursor, "limit",
							 1000), &reply);
		if (rc != 0)
			break;
		if (reply.error != NULL) {
			ctl_print_error(o, reply.error);
			json_decref(reply.error);
			rc = CTL_EXIT_DAEMON;
			break;
		}
		json_array_extend(all, json_object_get(reply.result, "calls"));
		t = json_object_get(reply.result, "total");
		if (json_is_integer(t))
			total = json_integer_value(t);
		next = json_object_get(reply.result, "next");
		json_decref(cursor);
		cursor = json_is_string(next) ? json_incref((json_t *)next) : NULL;
		json_decref(reply.result);
		if (cursor == NULL)
			break;
	}
	if (rc == CTL_EXIT_OK && o->json) {
		json_t *out = json_pack("{s:O}", "calls", all);

		if (total >= 0)
			json_object_set_new(out, "total", json_integer(total));
		ctl_print_json(out, true);
		json_decref(out);
	} else if (rc == CTL_EXIT_OK) {
		ctl_calls_print(all, total);
	}
	json_decref(cursor);
	json_decref(all);
	return rc;
}

static int
ctl_cmd_calls(const struct ctl_opts *o, int argc, char **argv)
{
	if (argc == 0)
		return ctl_calls_list_all(o);
	if (strcmp(argv[0], "hangup") != 0 || argc != 2 || argv[1][0] == '\0')
		return ctl_usage_error("usage: calls [hangup ID]");
	return ctl_run(o, "calls.hangup", json_pack("{s:s}", "id", argv[1]), NULL);
}

static int
ctl_cmd_call(const struct ctl_opts *o, int argc, char **argv)
{
	json_error_t jerr;
	json_t *params;

	if (argc < 1 || argc > 2)
		return ctl_usage_error("usage: call METHOD [JSON-PARAMS]");
	if (argc == 1)
		return ctl_run(o, argv[0], json_object(), NULL);
	params = json_loads(argv[1], 0, &jerr);
	if (params == NULL)
		return ctl_usage_error("call: params are not a JSON object or array: %s",
				       jerr.text);
	return ctl_run(o, argv[0], params, NULL);
}

/* Commands that take no argument map straight to a method. */
static const struct {
	const char *command;
	const char *method;
	ctl_printer_fn printer;
} ctl_simple[] = {
	{ "save", "config.save", NULL },
	{ "stats", "stats.get", ctl_print_stats },
	{ "version", "version", NULL },
	{ "methods", "help", NULL },
};

static const struct {
	const char *command;
	int (*fn)(const struct ctl_opts *o, int argc, char **argv);
} ctl_commands[] = {
	{ "get", ctl_cmd_get },
	{ "set", ctl_cmd_set },
	{ "apply", ctl_cmd_apply },
	{ "registrations", ctl_cmd_registrations },
	{ "suspended", ctl_cmd_suspended },
	{ "calls", ctl_cmd_calls },
	{ "call", ctl_cmd_call },
};

static int
ctl_dispatch(const struct ctl_opts *o, int argc, char **argv)
{
	size_t i;

	for (i = 0; i < sizeof(ctl_commands) / sizeof(ctl_commands[0]); i++)
		if (strcmp(argv[0], ctl_commands[i].command) == 0)
			return ctl_commands[i].fn(o, argc - 1, argv + 1);
	for (i = 0; i < sizeof(ctl_simple) / sizeof(ctl_simple[0]); i++) {
		if (strcmp(argv[0], ctl_simple[i].command) != 0)
			continue;
		if (argc > 1)
			return ctl_usage_error("%s takes no argument", argv[0]);
		return ctl_run(o, ctl_simple[i].method, json_object(), ctl_simple[i].printer);
	}
	return ctl_usage_error("unknown command '%s'", argv[0]);
}

/* Global options; returns -1 to go on, else an exit code. */
static int
ctl_parse_options(struct ctl_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+s:jt:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o->socket = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 't':
			o->timeout_s = strtod(optarg, &end);
			if (*end != '\0' || !(o->timeout_s > 0 && o->timeout_s <= 86400))
				return ctl_usage_error("--timeout wants seconds in (0, 86400], "
						       "got '%s'", optarg);
			break;
		case 'h':
			fputs(ctl_usage_text, stdout);
			return CTL_EXIT_OK;
		default:
			if (optopt != 0)
				return ctl_usage_error("unknown option or missing argument: -%c",
						       optopt);
			return ctl_usage_error("unknown option or missing argument: %s",
					       argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return ctl_usage_error("no COMMAND given");
	return -1;
}

int
main(int argc, char **argv)
{
	struct ctl_opts o = { .timeout_s = CTL_DEFAULT_TIMEOUT_S };
	const char *env = getenv("SIPFAST_CTL");
	int rc;

	o.socket = env != NULL && env[0] != '\0' ? env : CTL_SERVER_DEFAULT_PATH;
	rc = ctl_parse_options(&o, argc, argv);
	if (rc >= 0)
		return rc;
	if (o.socket[0] == '\0')
		return ctl_usage_error("--socket wants a path");
	o.deadline_ms = ctl_now_ms() + (uint64_t)(o.timeout_s * 1000.0);
	return ctl_dispatch(&o, argc - optind, argv + optind);
}
