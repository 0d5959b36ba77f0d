/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SIP entry point, steer first and scan once (docs/ARCHITECTURE.md "State ownership and
 * hand-off"). The source address decides first (gateway, live binding): a datagram from a
 * source not trusted by address goes to the worker that owns its source IP (rule S) before
 * any SIP byte is read. There, with SS_REPLY_UNAUTHORIZED Off, a skim settles the common
 * case, a request that is certainly unknown: it reads the start line and only the From, To,
 * User-Agent and credential headers, and the request is dropped in silence (UNAUTH-5/6).
 * Otherwise one lazy scan, starting from the skim's start line, reads far enough to find a
 * configured identity or dialog; the later stages resume it (sip_scan_resume()) instead of
 * scanning again. What was learnt (class, stage, scan) travels in the mbuf (struct pkt_sip)
 * when a later stage hands the datagram on (rule K: the AoR owner), and the next worker
 * resumes from the stage (sip_resume()). Only the source classification, the rule S hand-off
 * and the skim's silent drop come before the UDP checksum gate (sip_input_cksum_ok()):
 * whatever may answer or change state passes it first. No malloc, no log, no syscall.
 */
#include "dataplane/call/call.h"
#include "dataplane/net/net.h"
#include "dataplane/offender/offender.h"
#include "dataplane/pkt_meta.h"
#include "dataplane/policy/policy.h"
#include "dataplane/policy/scanner_ua.h"
#include "dataplane/registrar/registrar.h"
#include "dataplane/sip/scan.h"
#include "dataplane/sip/token.h"
#include "dataplane/sip_input.h"
#include "dataplane/sip_reply.h"
#include "dataplane/steer.h"
#include "dataplane/worker.h"

/*
 * What a lazy scan for the policy needs: identity (From/To, credentials) and the dialog, plus
 * User-Agent to count scanners apart. Credentials are usually absent, so the scan reads every
 * header anyway and the User-Agent span costs ~30 instructions (tests/callgrind/README.md).
 */
#define SIP_INPUT_WANT_POLICY (SIP_WANT_FROM_TO | SIP_WANT_AUTH | SIP_WANT_DIALOG | SIP_WANT_UA)
/* What answering needs: every header a response copies, and a message checked to its end. */
#define SIP_INPUT_WANT_REPLY (SIP_INPUT_WANT_POLICY | SIP_WANT_VIA | SIP_WANT_COMPLETE)

/* The registrar's hooks (live bindings, lockout), or none in fixtures without one. */
#define SIP_INPUT_HOOKS(w) ((w)->reg != NULL ? &(w)->reg->hooks : &policy_hooks_none)

#define SIP_INPUT_ALLOW "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, UPDATE\r\n"

/* A silent unknown-source drop: a known scanner User-Agent first, else per method. */
static inline enum verdict
sip_input_unknown_drop(struct sf_span user_agent, uint8_t method)
{
	if (scanner_ua_is_scanner(user_agent))
		return VERDICT_SIP_DROP_SCANNER_UA;
	switch (method) {
	case SIP_METHOD_REGISTER:
		return VERDICT_SIP_DROP_UNKNOWN_REGISTER;
	case SIP_METHOD_INVITE:
		return VERDICT_SIP_DROP_UNKNOWN_INVITE;
	case SIP_METHOD_OPTIONS:
		return VERDICT_SIP_DROP_UNKNOWN_OPTIONS;
	default:
		return VERDICT_SIP_DROP_UNKNOWN_OTHER;
	}
}

/*
 * A drop that counts against its source in the offender memory; the test of "learning at
 * all" inline, so a flood with the memory off pays two loads, not a call (14 instructions a
 * frame in the flood_unknown profile).
 */
static __rte_always_inline void
sip_input_learn(struct worker *w, struct rte_mbuf *m, const struct policy_hooks *hooks)
{
	if (offender_learning(w->offender))
		offender_learn(w, pkt_meta(m)->src_ip, pkt_meta(m)->src_port, hooks);
}

static __rte_noinline __rte_cold enum verdict
sip_input_malformed(struct worker *w, struct rte_mbuf *m, enum sip_scan_status st)
{
	w->sip_malformed[st]++;
	sip_input_learn(w, m, SIP_INPUT_HOOKS(w));
	worker_drop(w, m);
	return VERDICT_SIP_DROP_MALFORMED;
}

static inline enum verdict
sip_input_drop(struct worker *w, struct rte_mbuf *m, enum verdict v)
{
	worker_drop(w, m);
	return v;
}

/* Send @code and free @m; @ok is the verdict when the response was queued. */
static enum verdict
sip_input_reply(struct worker *w, struct rte_mbuf *m, const struct sip_scan *s, uint16_t code,
		struct sf_span reason, struct sf_span extra, enum verdict ok)
{
	enum verdict v = sip_reply_verdict(sip_reply_send(w, m, s, code, reason, extra), ok);

	rte_pktmbuf_free(m);
	return v;
}

/*
 * Resume @s to what @want needs. A pass is counted (sip_scan_passes) only when it reads: a
 * scan that already reached the end of the headers has nothing left to read.
 */
static inline enum sip_scan_status
sip_input_resume(struct worker *w, struct rte_mbuf *m, struct sip_scan *s, unsigned int want)
{
	if (!s->complete)
		worker_count(w, COUNTER_SIP_SCAN_PASSES, 1);
	return sip_scan_resume(pkt_meta_payload(m), pkt_meta(m)->payload_len, s, want);
}

/*
 * Unknown source (I-1). Off: silence, counted per method, or as a scanner when its User-Agent
 * is a known one (UNAUTH-5); every retransmission takes the same path, so it stays silent too
 * (UNAUTH-6). On, scanners are answered like anyone else (I-2): a REGISTER without
 * credentials is challenged exactly like a configured account's (UNAUTH-1), anything else
 * gets 403 (UNAUTH-2/3/4). An ACK is never answered.
 */
static enum verdict
sip_input_unknown(struct worker *w, struct rte_mbuf *m, struct sip_scan *s)
{
	enum sip_scan_status st;
	enum verdict v;

	if (!w->cfg->params.reply_unauthorized || s->line.method == SIP_METHOD_ACK) {
		sip_input_learn(w, m, SIP_INPUT_HOOKS(w));
		return sip_input_drop(w, m, sip_input_unknown_drop(s->user_agent, s->line.method));
	}
	st = sip_input_resume(w, m, s, SIP_INPUT_WANT_REPLY);
	if (unlikely(st != SIP_SCAN_OK))
		return sip_input_malformed(w, m, st);
	if (s->line.method == SIP_METHOD_REGISTER && s->auth.username.len == 0) {
		v = sip_reply_verdict(sip_reply_challenge(w, m, s), VERDICT_SIP_CHALLENGED_UNKNOWN);
		return sip_input_drop(w, m, v);
	}
	sip_input_learn(w, m, SIP_INPUT_HOOKS(w));
	return sip_input_reply(w, m, s, 403, SIP_BUILD_LIT("Forbidden"), (struct sf_span){NULL, 0},
			       VERDICT_SIP_REJECTED_UNKNOWN);
}

/*
 * Unknown source, SS_REPLY_UNAUTHORIZED Off: the drop is decided from a skim, which reads
 * the start line and only the From, To, User-Agent and credential headers, and parses only
 * what policy_skim_unknown() needs (DESIGN: scan lazily, stop once the verdict is certain).
 * True when @m was dropped: a request that is certainly unknown, counted exactly like
 * sip_input_unknown() counts it (a scanner User-Agent, else per method; UNAUTH-5/6). False
 * for everything else, left to the full policy scan: a configured identity, a To tag that
 * may name a dialog, a response, and anything the skim or the values it parses find
 * malformed, so known sources and every malformed verdict and reason the full scan gives
 * stay exactly as they were. What this gives up: a request dropped here is not proven well
 * formed beyond what the skim reads, so an unknown request with, say, a bad CSeq counts as
 * an unknown drop, not as malformed (silent either way).
 */
static __rte_always_inline bool
sip_input_skim_drop(struct worker *w, struct rte_mbuf *m, struct sip_skim *k, bool *k_ok,
		    enum verdict *v)
{
	const struct pkt_meta *meta = pkt_meta(m);

	worker_count(w, COUNTER_SIP_SCAN_PASSES, 1);
	*k_ok = sip_scan_skim(pkt_meta_payload(m), meta->payload_len, k) == SIP_SCAN_OK;
	if (!*k_ok || !k->line.is_request || !policy_skim_unknown(w->cfg->policy, meta->src_ip, k))
		return false;
	sip_input_learn(w, m, NULL); /* unknown by address: no hooks */
	*v = sip_input_drop(w, m, sip_input_unknown_drop(k->user_agent, k->line.method));
	return true;
}

/*
 * THE checksum gate: everything before it ends in a silent drop (the source classification
 * reads tables only; the skim drops in silence) or in the rule S hand-off, which reads no
 * SIP byte and leaves the gate to the source owner; everything after it may answer, change
 * state (bindings, lockouts, dialogs) or hand the datagram on with what was learnt of it.
 * A datagram whose UDP checksum udp_input() left unverified (PKT_META_F_CKSUM_UNVERIFIED:
 * the port has no RX checksum offload) is verified here, once, by the worker that reads it
 * (after rule S, the source owner); a datagram handed on after the gate arrives with the flag
 * cleared. A bad one is dropped and counted drop_udp_bad_cksum, and not
 * sip_received, exactly as udp_input() counted it before the check moved here.
 * What moved: a corrupted datagram the skim drops as certainly unknown (SS_REPLY_UNAUTHORIZED
 * Off) is now counted as that unknown drop (sip_drop_unknown_*, sip_drop_scanner_ua) and
 * sip_received, not drop_udp_bad_cksum; silent either way. It spares the flood the sum over
 * every payload byte (~400 instructions a request, tests/callgrind/README.md).
 * docs/ARCHITECTURE.md (net/udp.c) says the same.
 */
static inline bool
sip_input_cksum_ok(struct rte_mbuf *m)
{
	if (likely(!(pkt_meta(m)->flags & PKT_META_F_CKSUM_UNVERIFIED)))
		return true;
	return udp_cksum_verify_deferred(m);
}

/* A suspended (source, user): a final rejection, so 403 or silence (I-3, LOCK-2). */
static enum verdict
sip_input_suspended(struct worker *w, struct rte_mbuf *m, struct sip_scan *s)
{
	enum sip_scan_status st;

	if (!w->cfg->params.reply_unauthorized || s->line.method == SIP_METHOD_ACK)
		return sip_input_drop(w, m, VERDICT_SIP_DROP_SUSPENDED);
	st = sip_input_resume(w, m, s, SIP_INPUT_WANT_REPLY);
	if (unlikely(st != SIP_SCAN_OK))
		return sip_input_malformed(w, m, st);
	return sip_input_reply(w, m, s, 403, SIP_BUILD_LIT("Forbidden"), (struct sf_span){NULL, 0},
			       VERDICT_SIP_REJECTED_SUSPENDED);
}

/*
 * A configured account's identity from an address that is neither a gateway nor a live
 * binding (POLICY_ACCOUNT) is known only for what it may authenticate: REGISTER and INVITE
 * get the challenge (UNAUTH-7/11). Every other method is answered like an unknown source's
 * (silence with Off, 403 with On, counted per method), so From naming a configured user
 * draws no answer an unknown one would not: no identity oracle (I-1, issue 12 item 4).
 */
static inline bool
sip_input_account_may_authenticate(uint8_t method)
{
	return method == SIP_METHOD_REGISTER || method == SIP_METHOD_INVITE;
}

/*
 * The lockout state of a source lives on the worker that owns its IP (rule S, authfail.c).
 * A datagram whose source is not trusted by address went there before it was read
 * (sip_input()); a live binding's request that the lockout must judge goes there now, its
 * scan with it, so the suspended hook sees the table that holds (IP, user), whichever worker
 * received it (LOCK-2, I-3; issue 12 item 3). True when @m was handed on (verdict in *@v).
 */
static inline bool
sip_input_steer_to_source_owner(struct worker *w, struct rte_mbuf *m, enum verdict *v)
{
	uint16_t owner;

	if (w->reg == NULL || w->n_workers < 2 || (pkt_meta(m)->flags & PKT_META_F_AUTHENTICATED))
		return false;
	owner = steer_source_owner(pkt_meta(m)->src_ip, w->n_workers);
	if (owner == w->index)
		return false;
	pkt_sip(m)->stage = PKT_SIP_SCANNED;
	*v = steer_hold(w, owner, m);
	return true;
}

/* A request from a known source, scanned completely: one module entry point per method. */
static enum verdict
sip_input_known(struct worker *w, struct rte_mbuf *m, const struct sip_scan *s,
		enum policy_class cls, const struct policy_account *acct)
{
	switch (s->line.method) {
	case SIP_METHOD_OPTIONS:
		return sip_input_reply(w, m, s, 200, SIP_BUILD_LIT("OK"),
				       SIP_BUILD_LIT(SIP_INPUT_ALLOW
						     "Accept: application/sdp\r\n"
						     "Supported: timer\r\n"),
				       VERDICT_SIP_REPLIED_OPTIONS);
	case SIP_METHOD_REGISTER:
		return registrar_input(w, m, s, cls, acct);
	case SIP_METHOD_INVITE:
	case SIP_METHOD_ACK:
	case SIP_METHOD_BYE:
	case SIP_METHOD_CANCEL:
	case SIP_METHOD_UPDATE:
	case SIP_METHOD_PRACK:
	case SIP_METHOD_INFO:
		return call_input(w, m, s, cls, acct);
	default:
		return sip_input_reply(w, m, s, 405, SIP_BUILD_LIT("Method Not Allowed"),
				       SIP_BUILD_LIT(SIP_INPUT_ALLOW), VERDICT_SIP_REPLIED_NOT_ALLOWED);
	}
}

/*
 * From a complete scan on: the lockout of a live binding's request, then the method's module.
 * Runs on the worker that scanned, or on the one a scanned datagram was handed to.
 */
static enum verdict
sip_input_scanned(struct worker *w, struct rte_mbuf *m, struct sip_scan *s,
		  enum policy_class cls, const struct policy_account *acct)
{
	const struct policy_hooks *hooks = SIP_INPUT_HOOKS(w);
	enum verdict v;

	/*
	 * A live binding's address whose (IP, identity) is suspended gets nothing or 403 too, for
	 * every method (LOCK-2, I-6: the suspension blocks the key; LOCK-11: the binding stays).
	 * Judged on the source IP's owner, like an account's request. A REGISTER is the
	 * registrar's (it checks the lockout itself); an ACK is never answered.
	 */
	if (cls == POLICY_BINDING && s->line.method != SIP_METHOD_REGISTER &&
	    s->line.method != SIP_METHOD_ACK) {
		if (sip_input_steer_to_source_owner(w, m, &v))
			return v;
		if (hooks->suspended(hooks->ctx, pkt_meta(m)->src_ip, policy_identity(s)))
			return sip_input_suspended(w, m, s);
	}
	/* Trusted by address: no reply budget (sip_reply_send()); an account is not, yet. */
	if (cls != POLICY_ACCOUNT)
		pkt_meta(m)->flags |= PKT_META_F_TRUSTED;
	return sip_input_known(w, m, s, cls, acct);
}

/*
 * A response from a source not trusted by address: a call's leg peer that is neither a gateway
 * nor a live binding (a phone that called without registering) answering our BYE. Only one
 * whose top Via branch is our token reaches the call layer, which checks the leg's peer
 * (I-36); anything else is dropped silently (GEN-2).
 */
static __rte_noinline enum verdict
sip_input_response_unknown(struct worker *w, struct rte_mbuf *m, struct sip_scan *s)
{
	enum sip_scan_status st = sip_input_resume(w, m, s, SIP_WANT_ALL);

	if (unlikely(st != SIP_SCAN_OK))
		return sip_input_malformed(w, m, st);
	if (!sip_token_maybe(s->via.branch))
		return sip_input_drop(w, m, VERDICT_SIP_DROP_RESPONSE);
	return call_response(w, m, s);
}

/*
 * Read the datagram past the skim: on the worker that received it, or on its source owner
 * after rule S. @k: the skim this worker just made of it (its start line is not read again),
 * or NULL. With sip_input_first_read()'s drop, the only places sip_received is counted: once
 * per datagram.
 */
static enum verdict
sip_input_read(struct worker *w, struct rte_mbuf *m, enum policy_class cls,
	       const struct sip_skim *k)
{
	const struct pkt_meta *meta = pkt_meta(m);
	const uint8_t *data = pkt_meta_payload(m);
	const struct policy_account *acct = NULL;
	const struct policy *pol = w->cfg->policy;
	struct sip_scan *s = &pkt_sip(m)->scan;
	/* Live bindings and the lockout come from the registrar; the dialog hook still says no. */
	const struct policy_hooks *sip_input_hooks = SIP_INPUT_HOOKS(w);
	enum sip_scan_status st;

	/* Past this line a datagram may be answered, change state or be handed on. */
	if (unlikely(!sip_input_cksum_ok(m)))
		return sip_input_drop(w, m, VERDICT_DROP_UDP_BAD_CKSUM);
	worker_count(w, COUNTER_SIP_RECEIVED, 1);
	worker_count(w, COUNTER_SIP_SCAN_PASSES, 1);
	if (cls == POLICY_UNKNOWN) {
		/*
		 * One lazy pass for the policy that parses every value it passes on the way, so the
		 * complete scan below resumes where it stopped; it starts from the skim's start line
		 * when there was one. Only bad values the policy reads fail it (sip_scan_lazy()).
		 */
		st = k != NULL ? sip_scan_from_skim(data, meta->payload_len, s, k, SIP_WANT_ALL,
						    SIP_INPUT_WANT_POLICY)
			  : sip_scan_lazy(data, meta->payload_len, s, SIP_WANT_ALL,
					  SIP_INPUT_WANT_POLICY);
		if (unlikely(st != SIP_SCAN_OK))
			return sip_input_malformed(w, m, st);
		if (!s->line.is_request)
			return sip_input_response_unknown(w, m, s);
		cls = policy_classify_request(pol, sip_input_hooks, meta->src_ip, s, &acct);
		if (cls == POLICY_UNKNOWN)
			return sip_input_unknown(w, m, s);
		if (cls == POLICY_SUSPENDED) {
			if (s->line.method != SIP_METHOD_REGISTER)
				return sip_input_suspended(w, m, s);
			/* The registrar's own lockout check answers it and counts reg_fail_locked. */
			cls = POLICY_ACCOUNT;
		}
		/*
		 * An ACK (to our challenge) is never answered: it keeps its stray-ACK count. An
		 * in-dialog request of a call whose peer this is (a phone that placed a call without
		 * registering hangs up) goes on: the call layer checks it (I-36).
		 */
		if (cls == POLICY_ACCOUNT && s->line.method != SIP_METHOD_ACK &&
		    s->line.method != SIP_METHOD_CANCEL && /* the call layer matches it or answers
							       it as an unknown source's */
		    !sip_input_account_may_authenticate(s->line.method) &&
		    !(s->to.tag.len > 0 &&
		      sip_input_hooks->dialog_known(sip_input_hooks->ctx, s, meta->src_ip)))
			return sip_input_unknown(w, m, s);
		st = sip_input_resume(w, m, s, SIP_WANT_ALL);
	} else {
		st = sip_scan(data, meta->payload_len, s, SIP_WANT_ALL);
	}
	if (unlikely(st != SIP_SCAN_OK))
		return sip_input_malformed(w, m, st);
	if (!s->line.is_request) {
		/* a response from a gateway or binding: to the call its branch names (GEN-2) */
		if (cls == POLICY_GATEWAY || cls == POLICY_BINDING)
			return call_response(w, m, s);
		return sip_input_drop(w, m, VERDICT_SIP_DROP_RESPONSE);
	}
	pkt_sip(m)->cls = (uint8_t)cls;
	return sip_input_scanned(w, m, s, cls, acct);
}

/*
 * A datagram no worker has read yet: fresh from UDP (@may_steer), or handed over unread by
 * rule S. The flood's whole path: with SS_REPLY_UNAUTHORIZED Off an unknown source's request
 * is skimmed and, when certainly unknown, dropped right here, checksum unread. That drop reads
 * the shared snapshot only (no lockout, reply budget or binding), so it is rule S's one
 * exception: settled where it landed, a flood costs no hand-off. (Handing it over first made
 * two workers serve 0.37 of a flood instead of 0.99 on this VM: half of it crossed a ring.)
 * What the skim cannot settle goes on to the source owner as PKT_SIP_SKIMMED, which does not
 * skim again and reads the start line once more.
 */
static __rte_always_inline enum verdict
sip_input_first_read(struct worker *w, struct rte_mbuf *m, enum policy_class cls,
		     bool may_steer)
{
	const struct pkt_meta *meta = pkt_meta(m);
	bool skimmed = cls == POLICY_UNKNOWN && !w->cfg->params.reply_unauthorized;
	struct pkt_sip *ps;
	struct sip_skim k;
	bool k_ok = false;
	enum verdict v;
	uint16_t owner;

	if (skimmed && sip_input_skim_drop(w, m, &k, &k_ok, &v)) {
		worker_count(w, COUNTER_SIP_RECEIVED, 1);
		return v;
	}
	/* Rule S: not trusted by address, so its source owner's tables decide. */
	if (may_steer && cls != POLICY_GATEWAY && cls != POLICY_BINDING && w->n_workers > 1) {
		owner = steer_source_owner(meta->src_ip, w->n_workers);
		if (owner != w->index && w->steer_out[owner] != NULL) {
			ps = pkt_sip(m);
			ps->cls = (uint8_t)cls;
			ps->stage = skimmed ? PKT_SIP_SKIMMED : PKT_SIP_SOURCE;
			return steer_to(w, owner, m);
		}
	}
	return sip_input_read(w, m, cls, k_ok ? &k : NULL);
}

enum verdict
sip_input(struct worker *w, struct rte_mbuf *m)
{
	const struct pkt_meta *meta = pkt_meta(m);
	const struct policy_hooks *hooks = SIP_INPUT_HOOKS(w);
	enum policy_class cls;

	/* The address decides first: no byte of the message is read for a gateway. */
	cls = policy_classify_source(w->cfg->policy, hooks, meta->src_ip, meta->src_port, NULL);
	return sip_input_first_read(w, m, cls, true);
}

enum verdict
sip_resume(struct worker *w, struct rte_mbuf *m)
{
	struct pkt_sip *ps = pkt_sip(m);

	switch (ps->stage) {
	case PKT_SIP_SOURCE:
		return sip_input_first_read(w, m, (enum policy_class)ps->cls, false);
	case PKT_SIP_SKIMMED:
		return sip_input_read(w, m, (enum policy_class)ps->cls, NULL);
	case PKT_SIP_CALL:
		/* rule K hand-off to the call's owner: every check before it was made */
		if (!ps->scan.line.is_request)
			return call_response(w, m, &ps->scan);
		return call_input(w, m, &ps->scan, (enum policy_class)ps->cls, NULL);
	case PKT_SIP_SCANNED:
	case PKT_SIP_AUTHENTICATED:
		/* The account is looked up again in this worker's snapshot (HARDEN-2). */
		return sip_input_scanned(w, m, &ps->scan, (enum policy_class)ps->cls, NULL);
	default:
		return sip_input(w, m);
	}
}
