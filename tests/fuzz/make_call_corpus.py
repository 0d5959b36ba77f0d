#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seeds of the call fuzz target (tests/fuzz/fuzz_call.c) into tests/fuzz/corpus/call.

Usage: make_call_corpus.py [OUTDIR]

Each seed is a real call flow: records separated by "\\n%%\\n", each record = one byte of clock
advance (fuzz_call.c fz_advance_ms()), one byte of source (enum fz_src), then the datagram,
whose $H $V $R $O $F $C $S $T $N placeholders the harness fills in from what the worker last
sent (so the B side answers the INVITE the engine really sent, whatever it minted).
Run it again after changing a flow; the files are committed (the replay test reads them).
"""
import os
import sys

SEP = b"\n%%\n"
# Sources (fuzz_call.c enum fz_src).
GW, PH1, PH1_AUTH, PH2, PH2_AUTH, OFFLINK, ONLINK, GW_PORT2 = range(8)
ADDR = {GW: "10.99.0.2:5060", PH1: "10.99.0.7:40000", PH1_AUTH: "10.99.0.7:40000",
        PH2: "10.99.0.8:40002", PH2_AUTH: "10.99.0.8:40002", OFFLINK: "203.0.113.9:5060",
        ONLINK: "10.99.0.9:5062", GW_PORT2: "10.99.0.2:5080"}
US = "10.99.0.1"


def ms(n):
    """Clock byte for about n ms (fz_advance_ms's inverse, rounded down)."""
    if n < 1000:
        return n // 10
    if n < 50000:
        return 100 + n // 500
    return min(255, 200 + n // 5000)


SDP = ("v=0\r\no=- 1 1 IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\n"
       "m=audio 10000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n")


def msg(start, headers, body=""):
    lines = [start] + headers + ["Content-Length: %d" % len(body)]
    return "\r\n".join(lines) + "\r\n\r\n" + body


def invite(src, user, callee, cid, cseq=1, branch="a1", tag="a1", sdp=True):
    ip = ADDR[src].split(":")[0]
    body = SDP.format(ip=ip) if sdp else ""
    hdr = ["Via: SIP/2.0/UDP %s;branch=z9hG4bK-%s;rport" % (ADDR[src], branch),
           "Max-Forwards: 70",
           "From: <sip:%s@%s>;tag=%s" % (user, ip, tag),
           "To: <sip:%s@%s>" % (callee, US),
           "Call-ID: %s" % cid,
           "CSeq: %d INVITE" % cseq,
           "Contact: <sip:%s@%s>" % (user, ADDR[src]),
           "User-Agent: fuzz-seed"]
    if body:
        hdr.append("Content-Type: application/sdp")
    return msg("INVITE sip:%s@%s SIP/2.0" % (callee, US), hdr, body)


def a_request(method, src, user, callee, cid, cseq, branch, tag="a1", to_tag="$T",
              cseq_method=None):
    """ACK/BYE/CANCEL from the caller (A side), in its dialog with us (To tag = ours)."""
    ip = ADDR[src].split(":")[0]
    to = "<sip:%s@%s>" % (callee, US) + (";tag=%s" % to_tag if to_tag else "")
    return msg("%s sip:%s@%s SIP/2.0" % (method, callee, US),
               ["Via: SIP/2.0/UDP %s;branch=z9hG4bK-%s;rport" % (ADDR[src], branch),
                "Max-Forwards: 70",
                "From: <sip:%s@%s>;tag=%s" % (user, ip, tag),
                "To: %s" % to, "Call-ID: %s" % cid,
                "CSeq: %d %s" % (cseq, cseq_method or method)])


def b_response(code, reason, src, to_tag="b1", sdp=False):
    """The B side answering the last request we sent it."""
    ip = ADDR[src].split(":")[0]
    body = SDP.format(ip=ip) if sdp else ""
    hdr = ["Via: $H", "From: $R", "To: $O" + (";tag=%s" % to_tag if to_tag else ""),
           "Call-ID: $C", "CSeq: $S", "Contact: <sip:callee@%s>" % ADDR[src]]
    if body:
        hdr.append("Content-Type: application/sdp")
    return msg("SIP/2.0 %d %s" % (code, reason), hdr, body)


def b_bye(src, to_tag="b1"):
    """BYE from the B side in its dialog with us: our From tag is its To tag."""
    return msg("BYE sip:%s:5060 SIP/2.0" % US,
               ["Via: SIP/2.0/UDP %s;branch=z9hG4bK-bbye;rport" % ADDR[src],
                "Max-Forwards: 70", "From: $O;tag=%s" % to_tag, "To: $R", "Call-ID: $C",
                "CSeq: 2 BYE"])


def a_response(code, reason, src, tag="a1", cseq="1 BYE", branch="$V"):
    """The caller answering a request we sent it (our BYE to A)."""
    return msg("SIP/2.0 %d %s" % (code, reason),
               ["Via: $H", "From: $R", "To: $O", "Call-ID: $C", "CSeq: $S"])


def seed(records):
    return SEP.join(bytes([c, s]) + m.encode() for c, s, m in records)


def flows():
    f = {}
    gw_cid = "seed-gw-1@10.99.0.2"
    # A gateway calls phone 1001: 100/180/200 from B, ACK, BYE from A, 200 from B.
    f["gw_to_phone_answered_bye_a"] = [
        (0, GW, invite(GW, "+15551234", "1001", gw_cid)),
        (ms(20), PH1, b_response(100, "Trying", PH1, to_tag=None)),
        (ms(50), PH1, b_response(180, "Ringing", PH1)),
        (ms(2000), PH1, b_response(200, "OK", PH1, sdp=True)),
        (ms(20), GW, a_request("ACK", GW, "+15551234", "1001", gw_cid, 1, "a1ack")),
        (ms(10000), GW, a_request("BYE", GW, "+15551234", "1001", gw_cid, 2, "a1bye")),
        (ms(20), PH1, b_response(200, "OK", PH1, to_tag=None)),
    ]
    # The same call ended by the callee: BYE from B, 200 from A.
    f["gw_to_phone_answered_bye_b"] = f["gw_to_phone_answered_bye_a"][:5] + [
        (ms(5000), PH1, b_bye(PH1)),
        (ms(20), GW, a_response(200, "OK", GW)),
    ]
    # A phone calls the other phone with digest: 401/407, INVITE again with credentials.
    ph_cid = "seed-ph-1@10.99.0.7"
    f["phone_to_phone_digest"] = [
        (0, PH1, invite(PH1, "1001", "2001", ph_cid)),
        (ms(20), PH1, a_request("ACK", PH1, "1001", "2001", ph_cid, 1, "a1", to_tag="$T",
                                cseq_method="ACK")),
        (ms(20), PH1_AUTH, invite(PH1, "1001", "2001", ph_cid, cseq=2, branch="a2")),
        (ms(50), PH2, b_response(180, "Ringing", PH2)),
        (ms(3000), PH2, b_response(200, "OK", PH2, sdp=True)),
        (ms(20), PH1, a_request("ACK", PH1, "1001", "2001", ph_cid, 2, "a2ack")),
        (ms(30000), PH2, b_bye(PH2)),
        (ms(20), PH1, a_response(200, "OK", PH1)),
    ]
    # A phone calls a number no phone has: out through the gateway, which is busy (486), ACKed.
    out_cid = "seed-out-1@10.99.0.8"
    f["phone_to_gateway_busy"] = [
        (0, PH2, invite(PH2, "2001", "00493012345", out_cid)),
        (ms(20), PH2_AUTH, invite(PH2, "2001", "00493012345", out_cid, cseq=2, branch="a2")),
        (ms(100), GW, b_response(183, "Session Progress", GW, sdp=True)),
        (ms(2000), GW, b_response(486, "Busy Here", GW)),
        (ms(20), PH2, a_request("ACK", PH2, "2001", "00493012345", out_cid, 2, "a2",
                                cseq_method="ACK")),
    ]
    # CANCEL before any provisional from B, then B's 180 arrives, then 487 from B.
    c1 = "seed-cancel-1@10.99.0.2"
    f["cancel_before_provisional"] = [
        (0, GW, invite(GW, "+15550001", "1001", c1)),
        (ms(100), GW, a_request("CANCEL", GW, "+15550001", "1001", c1, 1, "a1", to_tag=None)),
        (ms(100), PH1, b_response(180, "Ringing", PH1)),
        (ms(20), PH1, b_response(200, "OK", PH1, to_tag=None)),
        (ms(20), PH1, b_response(487, "Request Terminated", PH1)),
        (ms(20), GW, a_request("ACK", GW, "+15550001", "1001", c1, 1, "a1", cseq_method="ACK")),
    ]
    # CANCEL after 180: CANCEL on B, 200 to the CANCEL, 487, ACK on both legs.
    c2 = "seed-cancel-2@10.99.0.2"
    f["cancel_after_provisional"] = [
        (0, GW, invite(GW, "+15550002", "1001", c2)),
        (ms(50), PH1, b_response(180, "Ringing", PH1)),
        (ms(3000), GW, a_request("CANCEL", GW, "+15550002", "1001", c2, 1, "a1", to_tag=None)),
        (ms(20), PH1, b_response(200, "OK", PH1, to_tag=None)),
        (ms(20), PH1, b_response(487, "Request Terminated", PH1)),
        (ms(20), GW, a_request("ACK", GW, "+15550002", "1001", c2, 1, "a1", cseq_method="ACK")),
    ]
    # A 200 that crosses our CANCEL: ACKed and BYEd once.
    c3 = "seed-cancel-3@10.99.0.2"
    f["ok_crosses_cancel"] = [
        (0, GW, invite(GW, "+15550003", "1001", c3)),
        (ms(50), PH1, b_response(180, "Ringing", PH1)),
        (ms(1000), GW, a_request("CANCEL", GW, "+15550003", "1001", c3, 1, "a1", to_tag=None)),
        (ms(5), PH1, b_response(200, "OK", PH1, sdp=True)),
        (ms(20), PH1, b_response(200, "OK", PH1, to_tag=None)),
        (ms(20), GW, a_request("ACK", GW, "+15550003", "1001", c3, 1, "a1", cseq_method="ACK")),
    ]
    # Retransmissions: the INVITE twice (absorbed, 100 again), B's 200 twice, no ACK from A
    # (our 200 re-sent until INV-7 ends the call with BYE on both legs).
    r1 = "seed-retx-1@10.99.0.2"
    f["retransmissions_no_ack"] = [
        (0, GW, invite(GW, "+15550004", "1001", r1)),
        (ms(500), GW, invite(GW, "+15550004", "1001", r1)),
        (ms(50), PH1, b_response(200, "OK", PH1, sdp=True)),
        (ms(500), PH1, b_response(200, "OK", PH1, sdp=True)),
        (ms(40000), GW, invite(GW, "+15550004", "1001", r1)),
    ]
    # The callee never answers: INVITE retransmitted on the schedule, the invite timeout fails
    # the leg (INV-1), the caller gets the final response and ACKs it.
    s1 = "seed-silent-1@10.99.0.2"
    f["silent_callee"] = [
        (0, GW, invite(GW, "+15550005", "1001", s1)),
        (ms(30000), GW, a_request("ACK", GW, "+15550005", "1001", s1, 1, "a1",
                                  cseq_method="ACK")),
    ]
    # Strays: a response for nothing (GEN-2), BYE for no dialog, ACK for nothing, an INVITE
    # from an unknown source, a re-INVITE with a tag nobody minted.
    f["strays"] = [
        (0, GW, msg("SIP/2.0 200 OK", ["Via: SIP/2.0/UDP %s:5060;branch=z9hG4bKsf100000000000100000000" % US,
                                       "From: <sip:x@%s>;tag=z" % US, "To: <sip:y@10.99.0.2>;tag=q",
                                       "Call-ID: sf1000000000001000000000@%s" % US,
                                       "CSeq: 1 INVITE"])),
        (0, PH1, a_request("BYE", PH1, "1001", "2001", "nope@x", 5, "n1", to_tag="sf1000000000000000000000")),
        (0, GW, a_request("ACK", GW, "+1", "1001", "nope2@x", 1, "n2", cseq_method="ACK")),
        (0, OFFLINK, invite(OFFLINK, "scanner", "1001", "scan-1@203.0.113.9")),
        (0, ONLINK, invite(ONLINK, "x", "1001", "scan-2@10.99.0.9", sdp=False)),
        (0, GW_PORT2, invite(GW_PORT2, "+15550006", "1001", "seed-gw2@10.99.0.2")),
    ]
    # Two calls at once, interleaved; then re-INVITE from A inside the first dialog.
    k1, k2 = "seed-two-1@10.99.0.2", "seed-two-2@10.99.0.2"
    f["two_calls_reinvite"] = [
        (0, GW, invite(GW, "+15550007", "1001", k1)),
        (ms(20), PH1, b_response(200, "OK", PH1, sdp=True)),
        (ms(20), GW, a_request("ACK", GW, "+15550007", "1001", k1, 1, "k1ack")),
        (ms(20), GW, invite(GW, "+15550008", "2001", k2, branch="k2", tag="k2")),
        (ms(20), PH2, b_response(200, "OK", PH2, sdp=True, to_tag="b2")),
        (ms(1000), GW, a_request("INVITE", GW, "+15550007", "1001", k1, 2, "k1re",
                                 to_tag="$T")),
        (ms(20000), GW, a_request("BYE", GW, "+15550008", "2001", k2, 2, "k2bye", tag="k2")),
    ]
    return f


def main(argv):
    out = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus", "call")
    os.makedirs(out, exist_ok=True)
    for name, recs in sorted(flows().items()):
        with open(os.path.join(out, name), "wb") as fh:
            fh.write(seed(recs))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
