/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What happened to each received frame (one verdict per frame, counted per worker) and the
 * other per-worker event counters. One list produces the enum and the names telemetry shows.
 */
#ifndef SF_VERDICT_H
#define SF_VERDICT_H

#define VERDICT_LIST(X)                                                                    \
	X(SIP_DROP_MALFORMED, "sip_drop_malformed") /* GEN-1: not parseable SIP (why: sip_malformed) */\
	X(SIP_DROP_RESPONSE, "sip_drop_response")   /* GEN-2: response matching no client transaction */\
	X(SIP_DROP_UNKNOWN_REGISTER, "sip_drop_unknown_register") /* UNAUTH-5: unknown source, Off */\
	X(SIP_DROP_UNKNOWN_INVITE, "sip_drop_unknown_invite")                                \
	X(SIP_DROP_UNKNOWN_OPTIONS, "sip_drop_unknown_options")                              \
	X(SIP_DROP_UNKNOWN_OTHER, "sip_drop_unknown_other") /* other methods; any ACK, also On */\
	X(SIP_DROP_SCANNER_UA, "sip_drop_scanner_ua") /* unknown source, scanner User-Agent, Off */\
	X(SIP_DROP_SUSPENDED, "sip_drop_suspended") /* locked-out (source, user), Off (I-3) */ \
	X(SIP_DROP_STRAY_ACK, "sip_drop_stray_ack") /* ACK from a known source, no transaction */\
	X(SIP_DROP_REPLY_FAILED, "sip_drop_reply_failed") /* answer needed, no mbuf or too big */\
	X(SIP_DROP_REPLY_BUDGET, "sip_drop_reply_budget") /* source's reply budget spent */ \
	X(SIP_CHALLENGED_UNKNOWN, "sip_challenged_unknown") /* UNAUTH-1: REGISTER, no credentials, On */\
	X(SIP_REJECTED_UNKNOWN, "sip_rejected_unknown") /* UNAUTH-2/3/4: 403 to an unknown source, On */\
	X(SIP_REJECTED_SUSPENDED, "sip_rejected_suspended") /* 403 to a suspended source, On */\
	X(SIP_REPLIED_OPTIONS, "sip_replied_options") /* 200 OK to OPTIONS from a known source */\
	X(SIP_REPLIED_NO_DIALOG, "sip_replied_no_dialog") /* 481: BYE/CANCEL/... matching nothing */\
	X(SIP_REPLIED_NOT_ALLOWED, "sip_replied_not_allowed") /* 405: method we do not serve */\
	X(SIP_REGISTER_CHALLENGED, "sip_register_challenged") /* known, no credentials: 401/407 */\
	X(SIP_REGISTER_ADMITTED, "sip_register_admitted") /* registrar stub: unanswered */\
	X(SIP_REGISTER_OK, "sip_register_ok")  /* 200 OK: bound, refreshed, removed, queried */\
	X(SIP_REGISTER_REJECTED, "sip_register_rejected") /* 403: final reject (On), replace Off */\
	X(SIP_DROP_REGISTER_REJECTED, "sip_drop_register_rejected") /* final reject, Off: silence */\
	X(SIP_REGISTER_REFUSED, "sip_register_refused") /* 400/423/500/503 */\
	X(SIP_DROP_REGISTER_ACCOUNT_GONE, "sip_drop_register_account_gone") /* authed, account removed by config.apply before the AoR owner's swap */\
	X(SIP_REGISTER_RESENT, "sip_register_resent") /* GEN-3: retransmission, last answer re-sent */\
	X(SIP_DROP_REGISTER_RETRANS_UNCACHED, "sip_drop_register_retrans_uncached") /* GEN-3: retransmission, answer no longer cached: not processed twice */\
	X(SIP_INVITE_CHALLENGED, "sip_invite_challenged") /* account, no credentials: 401/407 */\
	X(SIP_INVITE_ADMITTED, "sip_invite_admitted") /* authorised: a call started, or 404/480/503 (call_*) */\
	X(SIP_IN_DIALOG_ADMITTED, "sip_in_dialog_admitted") /* known dialog: to the call engine */\
	X(SIP_INVITE_REJECTED, "sip_invite_rejected") /* INVITE final auth reject: 403 (On) */\
	X(SIP_DROP_INVITE_REJECTED, "sip_drop_invite_rejected") /* INVITE final auth reject, Off: silence (I-3) */\
	X(SIP_CALL_RETRANS, "sip_call_retrans") /* GEN-3/INV-6: A's INVITE again, last response re-sent */\
	X(SIP_CALL_RESPONSE, "sip_call_response") /* a response that matched a call's transaction */\
	X(SIP_CALL_REQUEST, "sip_call_request") /* ACK/BYE/CANCEL/... that matched a call */\
	X(SIP_DROP_CALL_STALE, "sip_drop_call_stale") /* GEN-2: our token, call gone or other transaction */\
	X(SIP_DROP_CALL_ACK, "sip_drop_call_ack") /* ACK that matches no call state (stray, late) */\
	X(STEERED, "steered")                  /* handed to the owner worker */              \
	X(ARP_REPLIED, "arp_replied")          /* ARP request for our address answered */    \
	X(ARP_LEARNED, "arp_learned")          /* ARP reply / other request: neighbour kept */\
	X(ICMP_ECHO_REPLIED, "icmp_echo_replied")                                            \
	X(FRAG_HELD, "frag_held")              /* fragment kept until its datagram is whole */\
	X(DROP_RUNT, "drop_runt")              /* shorter than the headers it claims */      \
	X(DROP_FOREIGN_MAC, "drop_foreign_mac")/* unicast to another MAC, or multicast */    \
	X(DROP_GROUP_SRC_MAC, "drop_group_src_mac") /* source MAC broadcast/multicast: bogus */\
	X(DROP_VLAN, "drop_vlan")              /* 802.1Q tagged: no VLAN configured */       \
	X(DROP_ETHERTYPE, "drop_ethertype")    /* neither IPv4 nor ARP */                    \
	X(DROP_ARP_BAD, "drop_arp_bad")        /* not Ethernet/IPv4 ARP, bad opcode */       \
	X(DROP_ARP_NOT_US, "drop_arp_not_us")  /* request for another host, nothing learned */\
	X(DROP_ARP_CONFLICT, "drop_arp_conflict") /* another MAC claims our address */       \
	X(DROP_ARP_UNSOLICITED, "drop_arp_unsolicited") /* reply we did not ask for: ignored */\
	X(DROP_ARP_GATEWAY, "drop_arp_gateway") /* request/gratuitous naming the gateway: not learned */\
	X(DROP_IP_BAD_HEADER, "drop_ip_bad_header") /* version, IHL, total length below IHL */\
	X(DROP_IP_TRUNCATED, "drop_ip_truncated") /* datagram longer than the frame (cut, or past framesz) */\
	X(DROP_IP_BAD_CKSUM, "drop_ip_bad_cksum")                                            \
	X(DROP_IP_NOT_US, "drop_ip_not_us")    /* destination is not one of our addresses */ \
	X(DROP_IP_MARTIAN, "drop_ip_martian")  /* source 0/8, 127/8, multicast, broadcast, ours */\
	X(DROP_L3_OFFENDER, "drop_l3_offender") /* source remembered as an offender (offender/) */\
	X(DROP_FRAG, "drop_frag")              /* reassembly refused: table full, overlap, bad */\
	X(DROP_FRAG_POOL_EMPTY, "drop_frag_pool_empty") /* fragment pool (frag_mbufs) exhausted */\
	X(DROP_FRAG_SOURCE_BUDGET, "drop_frag_source_budget") /* source over frag_source_max */\
	X(DROP_TOO_BIG, "drop_too_big")        /* reassembled datagram above the big-buffer size */\
	X(DROP_PROTO, "drop_proto")            /* IP protocol other than UDP and ICMP */     \
	X(DROP_ICMP, "drop_icmp")              /* ICMP other than echo request, or bad */    \
	X(DROP_ICMP_DISABLED, "drop_icmp_disabled") /* echo request while icmp_echo is off */\
	X(DROP_UDP_BAD, "drop_udp_bad")        /* UDP length inconsistent with IP */         \
	X(DROP_UDP_BAD_CKSUM, "drop_udp_bad_cksum")                                          \
	X(DROP_UDP_PORT, "drop_udp_port")      /* UDP to a port that is not the SIP port */  \
	X(DROP_STEER_FULL_SOURCE, "drop_steer_full_source") /* rule S hand-off ring full: nothing read yet */\
	X(DROP_STEER_FULL_PAID, "drop_steer_full_paid") /* scanned/authenticated, ring and overflow queue full: must stay 0 */

enum verdict {
#define X(name, text) VERDICT_##name,
	VERDICT_LIST(X)
#undef X
	VERDICT_MAX
};

/* Events that are not a frame's fate: transmit side, neighbour resolution, housekeeping. */
#define COUNTER_LIST(X)                                                                    \
	X(RX_PACKETS, "rx_packets")            /* frames taken from RX queues */             \
	X(RX_STEERED_IN, "rx_steered_in")      /* packets taken from other workers' rings */ \
	X(SIP_RECEIVED, "sip_received")        /* UDP to the SIP port, handed to sip_input */ \
	X(TX_PACKETS, "tx_packets")            /* frames handed to the TX buffer */          \
	X(TX_DROPPED, "tx_dropped")            /* frames the port refused at flush */        \
	X(TX_NO_MBUF, "tx_no_mbuf")            /* could not allocate a frame to send */      \
	X(TX_FRAGMENTS, "tx_fragments")        /* fragments made from large datagrams */     \
	X(TX_FRAG_FAILED, "tx_frag_failed")                                                   \
	X(ARP_REQUESTS_SENT, "arp_requests_sent")                                             \
	X(HOLD_QUEUED, "hold_queued")          /* waiting for ARP resolution */              \
	X(HOLD_SENT, "hold_sent")              /* resolved and sent */                       \
	X(HOLD_TIMEOUT, "hold_timeout")        /* dropped: no ARP answer in time */          \
	X(HOLD_FULL, "hold_full")              /* dropped: hold queue full */                \
	X(NO_ROUTE, "no_route")                /* destination off-link and no gateway */     \
	X(CONFIG_SWAPS, "config_swaps")        /* snapshots taken from the config ring */    \
	X(REG_CHALLENGES, "reg_challenges")    /* REGISTER challenged (401/407, fresh nonce) */\
	X(REG_STALE_CHALLENGES, "reg_stale_challenges") /* correct digest, old nonce (AUTH-9) */\
	X(REG_OK, "reg_ok")                    /* binding created or refreshed */            \
	X(REG_REMOVED, "reg_removed")          /* de-registrations (Expires: 0, '*') */      \
	X(REG_EXPIRED, "reg_expired")          /* bindings expired or account removed */     \
	X(REG_FAIL_WRONG, "reg_fail_wrong")    /* wrong digest (counted by authfail) */       \
	X(REG_FAIL_FINAL, "reg_fail_final")    /* final reject: retry budget or timeout */   \
	X(REG_FAIL_LOCKED, "reg_fail_locked")  /* request from a suspended (IP, user) */     \
	X(REG_LOCKOUTS, "reg_lockouts")        /* suspensions started by a REGISTER */       \
	X(REG_FAIL_MALFORMED, "reg_fail_malformed") /* credentials unusable, URI mismatch */ \
	X(REG_FAIL_UNKNOWN_USER, "reg_fail_unknown_user") /* credentials for no account (I-2) */\
	X(REG_REPLACE_REFUSED, "reg_replace_refused") /* REPLACE Off, other address (REG-10) */\
	X(REG_TOO_BRIEF, "reg_too_brief")      /* 423 Interval Too Brief */                  \
	X(REG_STORE_FULL, "reg_store_full")    /* shard full (or AoR key collision) */       \
	X(REG_CONTACT_TOO_LONG, "reg_contact_too_long") /* AoR + Contact over 108 bytes */    \
	X(REG_STEERED_AUTHED, "reg_steered_authed") /* authenticated, handed to the AoR owner */\
	X(REG_ACCOUNT_GONE, "reg_account_gone") /* authed REGISTER, account gone at the AoR owner */\
	X(REG_REPLAY_REFUSED, "reg_replay_refused") /* HARDEN-7: (nonce, nc) or no-qop nonce reused */\
	X(REG_REPLAY_TABLE_FULL, "reg_replay_table_full") /* replay table full: re-challenged */\
	X(REG_RETRANS_RESENT, "reg_retrans_resent") /* GEN-3: cached answer re-sent */          \
	X(REG_RETRANS_UNCACHED, "reg_retrans_uncached") /* GEN-3: answer evicted, dropped */   \
	X(REG_ANSWER_EVICTED, "reg_answer_evicted") /* answer cache slot reused before 32 s */  \
	/* mirrored from the auth-failure table at each housekeeping tick */                 \
	X(REG_LOCKOUT_TABLE_REFUSED, "reg_lockout_table_refused") /* HARDEN-9: window full of live entries, new counting refused (final reject) */\
	/* issue 6: mirrored from keepalive/ at each housekeeping tick (ka_worker_mirror) */  \
	X(KA_SENT, "ka_sent")                  /* keep-alives accepted by rte_eth_tx_burst */\
	X(KA_SKIPPED_NO_NEIGHBOUR, "ka_skipped_no_neighbour") /* next-hop MAC unknown */     \
	X(KA_SKIPPED_OTHER, "ka_skipped_other") /* no route/port/mbuf, gone, TX dropped */  \
	X(KA_OVERRUNS, "ka_overruns")          /* cycles that ended before the list did */  \
	X(KA_NOT_REACHED, "ka_not_reached")    /* bindings those cycles missed (KA-7) */    \
	X(KA_BINDINGS, "ka_bindings")          /* NAT bindings on the schedule (gauge) */\
	X(SIP_SCAN_PASSES, "sip_scan_passes")  /* skims, scans and scan resumptions started */ \
	X(STEER_HELD, "steer_held")            /* paid-for hand-offs held for a full ring */\
	/* issue 14: mirrored from offender/ at each housekeeping tick */                    \
	X(OFFENDER_REMEMBERED, "offender_remembered") /* sources remembered now (gauge) */   \
	X(OFFENDER_REMEMBERED_TOTAL, "offender_remembered_total") /* sources ever remembered */\
	X(OFFENDER_EXPIRED, "offender_expired") /* remembered sources whose time ran out */  \
	X(OFFENDER_TABLE_FULL, "offender_table_full") /* over the threshold, no room: not remembered */\
	X(OFFENDER_EXEMPT, "offender_exempt")  /* over the threshold: gateway, binding or authenticated */\
	X(OFFENDER_CLEARED, "offender_cleared") /* forgotten by offenders.clear, auth or a config change */\
	/* issue 13: the call engine (dataplane/call/call_ctl.h); outcomes once per call */   \
	X(CALL_ANSWERED, "call_answered")      /* B answered 2xx, relayed to A */            \
	X(CALL_4XX, "call_4xx")                /* ended with a 4xx to A (404/480 routing too) */\
	X(CALL_5XX, "call_5xx")                /* ended with a 5xx to A (not the 503 full) */ \
	X(CALL_6XX, "call_6xx")                /* ended with a 6xx to A */                   \
	X(CALL_TIMEOUT, "call_timeout")        /* B leg timed out (408 to A) */              \
	X(CALL_CANCELLED, "call_cancelled")    /* A cancelled before an answer (487) */      \
	X(CALL_REJECTED_FULL, "call_rejected_full") /* 503 + Retry-After: call table full */ \
	X(CALL_ACTIVE, "call_active")          /* gauge: answered calls not yet ended */     \
	X(CALL_SETUP, "call_setup")            /* gauge: calls allocated, not answered */    \
	X(CALL_NO_ACK, "call_no_ack")          /* INV-7: A never ACKed our 2xx: BYE both legs */\
	X(CALL_LATE_2XX, "call_late_2xx")      /* 2xx after our CANCEL/timeout: ACK + BYE once */\
	X(CALL_HANGUPS, "call_hangups")        /* calls.hangup served */                     \
	X(CALL_DURATION_CAPPED, "call_duration_capped") /* NT/MAX: BYE both legs at the cap */\
	X(CALL_AUTH_CHALLENGES, "call_auth_challenges") /* INVITE challenged (401/407) */     \
	X(CALL_TX_FAILED, "call_tx_failed")    /* a call message could not be built or sent */

enum counter {
#define X(name, text) COUNTER_##name,
	COUNTER_LIST(X)
#undef X
	COUNTER_MAX
};

extern const char *const verdict_names[VERDICT_MAX];
extern const char *const counter_names[COUNTER_MAX];

#endif
