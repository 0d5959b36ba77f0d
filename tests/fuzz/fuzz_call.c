/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the call path (issue 13): a sequence of UDP datagrams into one worker's
 * whole receive path (port -> loop_classify() -> sip_input() -> auth, registrar, call engine),
 * with the worker's clock advanced and its timer wheel polled between datagrams.
 *
 * The worker is the unit tests' net_ring fixture (tests/unit/eal_fixture.c) with every module
 * of the module table set up as sipfastd does (loop_modules[]), the policy of FZ_POLICY_DOC
 * (two accounts, one gateway with a catch-all prefix) and an injected registrar clock. Each
 * input starts from fresh module state (every module's fini and worker_init again; the two
 * phones register with digest through the same path), so an input means the same thing
 * whatever ran before it. After the last datagram the clock runs on for FZ_DRAIN_MS (every
 * transaction and unanswered dialog must end by then: INV-7's 31.5 s, the invite timeout),
 * then every module's fini runs and every mbuf must be back in its pool: a leaked or
 * double-freed mbuf, a crash, or a sanitizer report is a finding.
 *
 * Input: records separated by FZ_SEP ("\n%%\n"). A record is
 *     byte 0   clock advance before the datagram (fz_advance_ms(): 0 .. 275 s)
 *     byte 1   source (low 3 bits, enum fz_src): gateway, phone 1001 / 2001 (plain, or with
 *              an Authorization header the harness computes over the last nonce we sent),
 *              an unknown off-link or on-link host, the gateway from another port
 *     rest     the UDP payload (at most FZ_MAX_PAYLOAD bytes), after substitution of the
 *              placeholders below by what the worker last transmitted, so a seed can answer
 *              the B leg or continue the A leg's dialog whatever tokens the engine minted:
 *              $H top Via, $V its branch, $R From, $O To, $F From tag, $C Call-ID, $S CSeq
 *              (number and method) of the last request we sent; $T the To tag of the last
 *              response we sent; $N Call-ID of the last response we sent.
 * With the digest sources the harness inserts "Authorization:" (or "Proxy-Authorization:"
 * after a 407) for the request line's method and URI after the first line.
 *
 * Corpus: tests/fuzz/corpus/call (tests/fuzz/make_call_corpus.py writes the seeds from real
 * call flows); replayed in every build by tests/fuzz/replay.c (meson test call_corpus).
 * Fuzzing (clang, -Dfuzzing=true, e.g. build-asan):
 *     mkdir /tmp/fc && cp -r tests/fuzz/corpus/call/. /tmp/fc
 *     build-asan/tests/fuzz/fuzz_call -dict=tests/fuzz/call.dict -max_len=8192 /tmp/fc
 * SF_FUZZ_CALL_VERBOSE=1 prints every datagram in and out with its verdict, and the counters.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_udp.h>

#include "ctrlplane/cfg_policy.h"
#include "ctrlplane/param_table.h"
#include "dataplane/auth/auth.h"
#include "dataplane/auth/digest.h"
#include "dataplane/loop.h"
#include "dataplane/module.h"
#include "dataplane/net/neigh.h"
#include "dataplane/policy/policy.h"
#include "dataplane/registrar/registrar.h"
#include "dataplane/worker.h"
#include "tests/unit/eal_fixture.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_REALM "sipfast.test"
#define FZ_SEP "\n%%\n"
#define FZ_SEP_LEN 4u
#define FZ_MAX_PAYLOAD 1400u
#define FZ_MAX_RECORDS 64u
#define FZ_DRAIN_MS (300u * 1000u) /* after the last datagram: every timer runs out */
#define FZ_TEXT 2048u

/* The policy: accounts 1001 (password) and 2001 (ha1 only, password "pw2"), gateway 10.99.0.2. */
#define FZ_POLICY_DOC                                                                          \
	"{\"accounts\": [{\"user\": \"1001\", \"password\": \"pw\"},"                          \
	" {\"user\": \"2001\", \"ha1\": \"5afa8228d0a094688cb8582ebc2b78de\"}],"               \
	" \"gateways\": [{\"name\": \"gw\", \"address\": \"10.99.0.2\", \"prefixes\": [\"0\", \"+\", \"9\"]}]}"

#define FZ_GW_IP RTE_IPV4(10u, 99, 0, 2)
#define FZ_PHONE1_IP RTE_IPV4(10u, 99, 0, 7)
#define FZ_PHONE2_IP RTE_IPV4(10u, 99, 0, 8)
#define FZ_ONLINK_IP RTE_IPV4(10u, 99, 0, 9)
#define FZ_OFFLINK_IP RTE_IPV4(203u, 0, 113, 9)

enum fz_src {
	FZ_SRC_GATEWAY,
	FZ_SRC_PHONE1,
	FZ_SRC_PHONE1_AUTH,
	FZ_SRC_PHONE2,
	FZ_SRC_PHONE2_AUTH,
	FZ_SRC_OFFLINK,
	FZ_SRC_ONLINK,
	FZ_SRC_GATEWAY_OTHER_PORT,
};

struct fz_peer {
	uint32_t ip;         /* host order */
	uint16_t port;
	const char *user;    /* digest user, NULL = none */
	const char *password;
};

static const struct fz_peer fz_peers[8] = {
	[FZ_SRC_GATEWAY] = {FZ_GW_IP, 5060, NULL, NULL},
	[FZ_SRC_PHONE1] = {FZ_PHONE1_IP, 40000, NULL, NULL},
	[FZ_SRC_PHONE1_AUTH] = {FZ_PHONE1_IP, 40000, "1001", "pw"},
	[FZ_SRC_PHONE2] = {FZ_PHONE2_IP, 40002, NULL, NULL},
	[FZ_SRC_PHONE2_AUTH] = {FZ_PHONE2_IP, 40002, "2001", "pw2"},
	[FZ_SRC_OFFLINK] = {FZ_OFFLINK_IP, 5060, NULL, NULL},
	[FZ_SRC_ONLINK] = {FZ_ONLINK_IP, 5062, NULL, NULL},
	[FZ_SRC_GATEWAY_OTHER_PORT] = {FZ_GW_IP, 5080, NULL, NULL},
};

/* What the worker last transmitted, for the placeholders. */
struct fz_seen {
	char via[256], branch[128], from[256], to[256], from_tag[96], call_id[160], cseq[64];
	char resp_to_tag[96], resp_call_id[160];
	char nonce[160];
	bool proxy_auth;     /* the last challenge was a 407 */
};

static struct {
	struct fx *f;
	struct rte_rcu_qsbr *qs;
	struct auth_shared *ash;
	struct registrar_shared *rsh;
	struct digest_ctx *dctx;
	uint64_t now_ms;     /* the wheel's fake clock */
	uint64_t start_ms;   /* its value when the input started */
	uint32_t now_s;      /* the registrar clock (auth->clock) */
	struct fz_seen seen;
	bool up;
	bool verbose;        /* SF_FUZZ_CALL_VERBOSE=1: print every datagram in and out */
} fz;

static uint32_t
fz_clock(void *arg)
{
	(void)arg;
	return fz.now_s;
}

static void
fz_die(const char *what)
{
	fprintf(stderr, "fuzz_call: %s\n", what);
	abort();
}

/* Length of the first line of @msg (@len bytes, not NUL-terminated), for the verbose log. */
static int
fz_line_len(const char *msg, size_t len)
{
	size_t i = 0;

	while (i < len && i < 200 && msg[i] != '\r' && msg[i] != '\n')
		i++;
	return (int)i;
}

/* Copy header @name's value (line start, case-insensitive, up to CR/LF) of @msg into @out. */
static void
fz_header(const char *msg, size_t len, const char *name, char *out, size_t cap)
{
	size_t nl = strlen(name), i = 0;

	while (i < len) {
		const char *line = msg + i, *eol = memchr(line, '\n', len - i);
		size_t ll = eol != NULL ? (size_t)(eol - line) : len - i;

		if (ll > nl && strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
			size_t a = nl + 1, b = ll;

			while (a < b && (line[a] == ' ' || line[a] == '\t'))
				a++;
			while (b > a && (line[b - 1] == '\r' || line[b - 1] == ' '))
				b--;
			snprintf(out, cap, "%.*s", (int)(b - a), line + a);
			return;
		}
		if (ll == 0 || (ll == 1 && line[0] == '\r'))
			break; /* end of headers */
		i += ll + 1;
	}
}

/* Copy the value of ";@param=" in @hdr (up to ; , > or space) into @out. */
static void
fz_param(const char *hdr, const char *param, char *out, size_t cap)
{
	const char *p = strstr(hdr, param);
	size_t n;

	if (p == NULL)
		return;
	p += strlen(param);
	n = strcspn(p, ";,> \"");
	snprintf(out, cap, "%.*s", (int)n, p);
}

/* Remember the identifiers of a SIP datagram the worker sent. */
static void
fz_note_tx(const char *msg, size_t len)
{
	struct fz_seen *s = &fz.seen;
	const char *n;
	char tmp[256] = "";

	if (fz.verbose)
		fprintf(stderr, "  out: %.*s\n", fz_line_len(msg, len), msg);
	if (len >= 8 && memcmp(msg, "SIP/2.0 ", 8) == 0) {
		fz_header(msg, len, "To", tmp, sizeof(tmp));
		s->resp_to_tag[0] = '\0';
		fz_param(tmp, ";tag=", s->resp_to_tag, sizeof(s->resp_to_tag));
		fz_header(msg, len, "Call-ID", s->resp_call_id, sizeof(s->resp_call_id));
		n = memmem(msg, len, "nonce=\"", 7);
		if (n != NULL) {
			size_t k = (size_t)(msg + len - (n + 7));
			const char *q = memchr(n + 7, '"', k);

			if (q != NULL)
				snprintf(s->nonce, sizeof(s->nonce), "%.*s", (int)(q - n - 7), n + 7);
			s->proxy_auth = len >= 11 && memcmp(msg + 8, "407", 3) == 0;
		}
		return;
	}
	fz_header(msg, len, "Via", s->via, sizeof(s->via));
	s->branch[0] = '\0';
	fz_param(s->via, ";branch=", s->branch, sizeof(s->branch));
	fz_header(msg, len, "From", s->from, sizeof(s->from));
	s->from_tag[0] = '\0';
	fz_param(s->from, ";tag=", s->from_tag, sizeof(s->from_tag));
	fz_header(msg, len, "To", s->to, sizeof(s->to));
	fz_header(msg, len, "Call-ID", s->call_id, sizeof(s->call_id));
	fz_header(msg, len, "CSeq", s->cseq, sizeof(s->cseq));
}

/* Flush the worker's TX, note every SIP datagram in it, free it all. */
static void
fz_drain_tx(void)
{
	const uint32_t off = sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) +
			     sizeof(struct rte_udp_hdr);
	struct rte_mbuf *m[32];
	char text[FZ_TEXT];
	unsigned int n, i;

	do {
		n = fx_tx(fz.f, m, RTE_DIM(m));
		for (i = 0; i < n; i++) {
			const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m[i], void *);
			uint32_t len = rte_pktmbuf_pkt_len(m[i]);

			if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) && len > off &&
			    fx_ip(m[i])->next_proto_id == IPPROTO_UDP) {
				len -= off;
				if (len > sizeof(text))
					len = sizeof(text);
				const char *t = rte_pktmbuf_read(m[i], off, len, text);

				if (t == NULL)
					fz_die("short frame on TX");
				fz_note_tx(t, len);
			}
		}
		rte_pktmbuf_free_bulk(m, n);
	} while (n == RTE_DIM(m));
}

/* Advance both clocks by @ms, polling the wheel every 50 ms of it. */
static void
fz_advance(uint64_t ms)
{
	struct worker *w = fz.f->w;
	uint64_t end = fz.now_ms + ms;

	while (fz.now_ms < end) {
		uint64_t step = end - fz.now_ms < 50 ? end - fz.now_ms : 50;
		unsigned int spins = 0;

		if (tw_count(&w->wheel) == 0)
			step = end - fz.now_ms; /* nothing can fire: jump */
		fz.now_ms += step;
		fz.now_s = (uint32_t)(100000 + (fz.now_ms - fz.start_ms) / 1000);
		do {
			tw_poll(&w->wheel, fz.now_ms, SF_TIMER_BUDGET);
			if (++spins > 100000)
				fz_die("timer wheel backlog never drains");
		} while (tw_backlog(&w->wheel));
		fz_drain_tx();
	}
}

static uint64_t
fz_advance_ms(uint8_t c)
{
	if (c < 100)
		return (uint64_t)c * 10;          /* 0 .. 990 ms */
	if (c < 200)
		return (uint64_t)(c - 100) * 500; /* 0 .. 49.5 s */
	return (uint64_t)(c - 200) * 5000;        /* 0 .. 275 s */
}

/* Append @s to @out (cap @cap, *@n used); false when it does not fit. */
static bool
fz_put(char *out, size_t cap, size_t *n, const char *s, size_t len)
{
	if (*n + len >= cap)
		return false;
	memcpy(out + *n, s, len);
	*n += len;
	return true;
}

/* @in with its placeholders replaced; length or 0 when it does not fit. */
static size_t
fz_substitute(const uint8_t *in, size_t len, char *out, size_t cap)
{
	const struct fz_seen *s = &fz.seen;
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		const char *r = NULL;

		if (in[i] == '$' && i + 1 < len) {
			switch (in[i + 1]) {
			case 'H': r = s->via; break;
			case 'V': r = s->branch; break;
			case 'R': r = s->from; break;
			case 'O': r = s->to; break;
			case 'F': r = s->from_tag; break;
			case 'C': r = s->call_id; break;
			case 'S': r = s->cseq; break;
			case 'T': r = s->resp_to_tag; break;
			case 'N': r = s->resp_call_id; break;
			default: break;
			}
		}
		if (r != NULL) {
			if (!fz_put(out, cap, &n, r, strlen(r)))
				return 0;
			i++;
		} else if (!fz_put(out, cap, &n, (const char *)in + i, 1)) {
			return 0;
		}
	}
	return n;
}

/*
 * Insert an Authorization (or Proxy-Authorization) header for @p after the first line of
 * @msg (length *@n, capacity @cap): digest over the last nonce we sent and the request line's
 * method and URI. Nothing when there is no request line or no nonce yet.
 */
static void
fz_add_digest(char *msg, size_t *n, size_t cap, const struct fz_peer *p)
{
	const struct fz_seen *s = &fz.seen;
	uint8_t ha1[DIGEST_HEX_MAX], resp[DIGEST_HEX_MAX];
	char hdr[768];
	const char *sp1, *sp2, *eol;
	struct digest_creds cr;
	size_t hl, h;
	int k;

	eol = memchr(msg, '\n', *n);
	sp1 = memchr(msg, ' ', *n);
	if (eol == NULL || sp1 == NULL || sp1 > eol || s->nonce[0] == '\0')
		return;
	sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1));
	if (sp2 == NULL || sp2 - sp1 - 1 > 512 || sp1 - msg > 32)
		return;
	cr = (struct digest_creds){
		.username = {(const uint8_t *)p->user, (uint16_t)strlen(p->user)},
		.realm = {(const uint8_t *)FZ_REALM, sizeof(FZ_REALM) - 1},
		.nonce = {(const uint8_t *)s->nonce, (uint16_t)strlen(s->nonce)},
		.uri = {(const uint8_t *)sp1 + 1, (uint16_t)(sp2 - sp1 - 1)},
		.alg = DIGEST_ALG_MD5,
	};
	hl = digest_hex_len(cr.alg);
	if (digest_ha1(fz.dctx, cr.alg, cr.username, cr.realm,
		       (struct sf_span){(const uint8_t *)p->password,
					(uint16_t)strlen(p->password)}, ha1) != 0 ||
	    digest_response(fz.dctx, &cr,
			    (struct sf_span){(const uint8_t *)msg, (uint16_t)(sp1 - msg)},
			    (struct sf_span){ha1, (uint16_t)hl}, resp) != 0)
		fz_die("digest");
	k = snprintf(hdr, sizeof(hdr),
		     "%sAuthorization: Digest username=\"%s\", realm=\"" FZ_REALM "\", "
		     "nonce=\"%s\", uri=\"%.*s\", response=\"%.*s\", algorithm=MD5\r\n",
		     s->proxy_auth ? "Proxy-" : "", p->user, s->nonce, (int)(sp2 - sp1 - 1),
		     sp1 + 1, (int)hl, resp);
	if (k <= 0 || (size_t)k >= sizeof(hdr) || *n + (size_t)k >= cap)
		return;
	h = (size_t)(eol - msg) + 1;
	memmove(msg + h + (size_t)k, msg + h, *n - h);
	memcpy(msg + h, hdr, (size_t)k);
	*n += (size_t)k;
}

/* One datagram from @p carrying @len bytes of @text into the worker, then its TX drained. */
static void
fz_send(const struct fz_peer *p, const char *text, size_t len)
{
	uint8_t l4[sizeof(struct rte_udp_hdr) + FZ_TEXT];
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)l4;
	struct rte_mbuf *m;

	if (len > FZ_TEXT)
		len = FZ_TEXT;
	udp->src_port = rte_cpu_to_be_16(p->port);
	udp->dst_port = rte_cpu_to_be_16(FX_SIP_PORT);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(sizeof(*udp) + len));
	udp->dgram_cksum = 0;
	memcpy(l4 + sizeof(*udp), text, len);
	m = fx_ipv4_frame(fz.f, p->ip, FX_OUR_IP, IPPROTO_UDP, l4, (uint16_t)(sizeof(*udp) + len));
	fx_udp_recksum(m);
	if (fz.verbose)
		fprintf(stderr, "in (%u.%u.%u.%u:%u): %.*s -> %s\n", p->ip >> 24, (p->ip >> 16) & 255,
			(p->ip >> 8) & 255, p->ip & 255, p->port, fz_line_len(text, len), text,
			verdict_names[fx_rx(fz.f, m)]);
	else
		fx_rx(fz.f, m);
	fz_drain_tx();
}

/* Register @p (a phone with credentials) through the worker: challenge, then digest. */
static void
fz_register(const struct fz_peer *p)
{
	char msg[FZ_TEXT];
	size_t n;
	int k, i;

	for (i = 0; i < 2; i++) {
		k = snprintf(msg, sizeof(msg),
			     "REGISTER sip:" FZ_REALM " SIP/2.0\r\n"
			     "Via: SIP/2.0/UDP %u.%u.%u.%u:%u;branch=z9hG4bK-fzreg%d;rport\r\n"
			     "Max-Forwards: 70\r\n"
			     "From: <sip:%s@" FZ_REALM ">;tag=fzreg\r\n"
			     "To: <sip:%s@" FZ_REALM ">\r\n"
			     "Call-ID: fzreg-%s\r\nCSeq: %d REGISTER\r\n"
			     "Contact: <sip:%s@%u.%u.%u.%u:%u>;expires=3600\r\n"
			     "Content-Length: 0\r\n\r\n",
			     p->ip >> 24, (p->ip >> 16) & 255, (p->ip >> 8) & 255, p->ip & 255,
			     p->port, i, p->user, p->user, p->user, i + 1, p->user, p->ip >> 24,
			     (p->ip >> 16) & 255, (p->ip >> 8) & 255, p->ip & 255, p->port);
		n = (size_t)k;
		if (i == 1)
			fz_add_digest(msg, &n, sizeof(msg), p);
		fz_send(p, msg, n);
	}
}

/* Fresh module state on the fixture's worker, as sipfastd sets a worker up. */
static void
fz_modules_up(void)
{
	struct worker *w = fz.f->w;
	const struct module_env env = {
		.frag_max_flows = 64,
		.frag_timeout_ms = FX_FRAG_TIMEOUT_MS,
		.frag_source_max = FX_FRAG_SOURCE_MAX,
		.arp_hold_ms = FX_HOLD_MS,
		.arp_retry_ms = FX_ARP_RETRY_MS,
		.auth = fz.ash,
		.registrar = fz.rsh,
		.location_capacity = 1024,
		.bench_fixed_tokens = true, /* minted tokens as a generator predicts them */
	};
	const char *failed = "?";
	static const struct rte_ether_addr mac = {{0x02, 0, 0, 0, 0x0f, 0x22}};

	memset(w->verdicts, 0, sizeof(w->verdicts));
	memset(w->counters, 0, sizeof(w->counters));
	worker_timers_init(w);
	fz.now_ms = fz.start_ms = w->wheel.now;
	fz.now_s = 100000;
	if (loop_modules_init(w, &env, &failed) != 0)
		fz_die(failed);
	w->auth->clock = fz_clock;
	w->auth->clock_arg = NULL;
	neigh_pin(fz.f->neigh, fx_be32(FZ_GW_IP), &mac);
	neigh_pin(fz.f->neigh, fx_be32(FX_GW_IP), &mac);
	neigh_pin(fz.f->neigh, fx_be32(FZ_PHONE1_IP), &mac);
	neigh_pin(fz.f->neigh, fx_be32(FZ_PHONE2_IP), &mac);
	neigh_pin(fz.f->neigh, fx_be32(FZ_ONLINK_IP), &mac);
	memset(&fz.seen, 0, sizeof(fz.seen));
	fz_register(&fz_peers[FZ_SRC_PHONE1_AUTH]);
	fz_register(&fz_peers[FZ_SRC_PHONE2_AUTH]);
	memset(&fz.seen, 0, sizeof(fz.seen));
}

/* Every module's fini, then every mbuf must be back in its pool. */
static void
fz_modules_down(void)
{
	struct fx *f = fz.f;

	fz_drain_tx();
	loop_modules_fini(f->w);
	fz_drain_tx();
	if (rte_mempool_avail_count(f->pool) != f->pool->size ||
	    rte_mempool_avail_count(f->big_pool) != f->big_pool->size ||
	    rte_mempool_avail_count(f->frag_pool) != f->frag_pool->size) {
		fprintf(stderr, "fuzz_call: mbufs leaked: pool %u/%u big %u/%u frag %u/%u\n",
			rte_mempool_avail_count(f->pool), f->pool->size,
			rte_mempool_avail_count(f->big_pool), f->big_pool->size,
			rte_mempool_avail_count(f->frag_pool), f->frag_pool->size);
		abort();
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	size_t qsz = rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE);
	struct cfg_error err = {0};
	struct snapshot *snap;
	json_t *doc;

	(void)argc;
	(void)argv;
	fz.verbose = getenv("SF_FUZZ_CALL_VERBOSE") != NULL;
	setenv("CMOCKA_TEST_ABORT", "1", 1); /* a fixture assertion aborts: a finding */
	if (getenv("SF_EAL_PREFIX") == NULL)
		setenv("SF_EAL_PREFIX", "sffuzzcall", 1);
	fz.f = fx_create(0, 1, FX_FRAG_TIMEOUT_MS);
	if (fz.f == NULL)
		fz_die("fixture (EAL, net_ring port, pools)");
	/* The module walk includes net, which fx_create() set up: start from none. */
	net_module.fini(fz.f->w);
	fz.qs = rte_zmalloc(NULL, qsz, RTE_CACHE_LINE_SIZE);
	if (fz.qs == NULL || rte_rcu_qsbr_init(fz.qs, RTE_MAX_LCORE) != 0)
		fz_die("qsbr");
	fz.f->w->qsbr = fz.qs;
	snap = fz.f->snap;
	param_table_defaults(&snap->params);
	snprintf(snap->domain, sizeof(snap->domain), FZ_REALM);
	doc = json_loads(FZ_POLICY_DOC, 0, NULL);
	if (doc == NULL || cfg_policy_parse(doc, snap, &err) != 0)
		fz_die("policy");
	json_decref(doc);
	fz.ash = auth_shared_create();
	fz.rsh = registrar_shared_create(1);
	fz.dctx = digest_ctx_create();
	if (fz.ash == NULL || fz.rsh == NULL || fz.dctx == NULL)
		fz_die("auth/registrar shared state");
	fz.up = true;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[FZ_TEXT];
	unsigned int records = 0;
	size_t pos = 0;

	if (!fz.up)
		LLVMFuzzerInitialize(NULL, NULL);
	fz_modules_up();
	while (pos < size && records++ < FZ_MAX_RECORDS) {
		const uint8_t *r = data + pos, *end;
		size_t len, n;

		end = memmem(r, size - pos, FZ_SEP, FZ_SEP_LEN);
		len = end != NULL ? (size_t)(end - r) : size - pos;
		pos += len + (end != NULL ? FZ_SEP_LEN : 0);
		if (len < 2)
			continue;
		fz_advance(fz_advance_ms(r[0]));
		n = fz_substitute(r + 2, len - 2 < FZ_MAX_PAYLOAD ? len - 2 : FZ_MAX_PAYLOAD, text,
				  sizeof(text));
		if (n == 0)
			continue;
		if (fz_peers[r[1] & 7].user != NULL) {
			fz_add_digest(text, &n, sizeof(text), &fz_peers[r[1] & 7]);
			if (fz.verbose)
				fprintf(stderr, "%.*s\n", (int)n, text);
		}
		fz_send(&fz_peers[r[1] & 7], text, n);
	}
	fz_advance(FZ_DRAIN_MS);
	if (fz.verbose)
		for (unsigned int c = 0; c < COUNTER_MAX; c++)
			if (fz.f->w->counters[c] != 0)
				fprintf(stderr, "  counter %s = %" PRIu64 "\n", counter_names[c],
					fz.f->w->counters[c]);
	fz_modules_down();
	return 0;
}
