#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Build the call benchmark pcaps (issue 13): whole calls through sipfastd's call engine.

Usage: bench_calls.py [--frames N] [--wave W] [--slots MODEL] --outdir DIR CLASS ...
       bench_calls.py --list

Writes DIR/CLASS.pcap and DIR/CLASS.json like scripts/bench_gen.py (whose frame helpers and
base config it uses). N frames = N / FRAMES_PER_CALL calls (rounded down to whole waves).

Classes:
  call_gateway  a gateway calls a number routed by prefix to another gateway: per call the
                frames sipfastd receives are A's INVITE (with SDP), B's 100, 180 and 200 (with
                SDP), A's ACK, A's BYE and B's 200 to our BYE (7 frames; sipfastd sends
                100/180/200 to A, INVITE/ACK/BYE to B and 200 to A's BYE). The caller is
                gateway "gw-a" (10.99.0.254:5060, trusted by address, no digest), the callee
                gateway "gw-b" (10.99.0.254:5080, prefix "49"): one address, the interface's
                gateway with its MAC pinned (gateway_mac), so no ARP is needed for the B leg.
  call_phone    the same call from a phone (one of bench_gen.py's 10,000 accounts, not
                registered, its own source address 10.99.0.2-251) whose INVITE carries a
                correct MD5 digest over the nonce sipfastd --bench-fixed-nonce would issue
                for its source and Call-ID (bench_nonce.nonce_for(), as the digest classes),
                so it is verified through auth/ with no challenge round; needs both
                --bench-fixed-nonce and --bench-fixed-tokens. Answers to the phone go back
                to the MAC its INVITE came from.

The B side's frames answer what sipfastd sent it, so they carry the tokens sipfastd minted
(dataplane/sip/token.h): "sf1" + owner (2 hex) + slot (6) + gen (4) + sub (1) + entropy (8).
With `sipfastd -- --bench-fixed-tokens` the entropy is 0, the owner is worker 0 (one worker),
and slot and generation follow the call table (dataplane/call/call.c): a LIFO free list that
starts with slot 0 and a generation bumped when a slot is taken (its first call has gen 1).
Subs (dataplane/call/call_impl.h enum call_sub): 0 our To tag towards A, 1 the B leg's
Call-ID, 2 our From tag towards B, 3 the branch of our INVITE to B, 4 our ACK to B's 2xx,
5 our BYE to B, 6 our BYE to A.

Calls come in waves of W (default 64) at once: the W INVITEs, then B's 100/180/200 for each,
the ACKs, the BYEs, B's 200s; a wave's calls have all ended before the next wave starts.
--slots says when a slot is free again (the simulator predicts the next wave's slots):
  lifo   freed when the call ends (B's 200 to our BYE), pushed on the free list (default)
  fresh  never within the run (a call's slot stays held by its transactions' linger timers,
         e.g. timer J): every call takes the next never-used slot, gen 1; the config's
         runtime.calls_per_worker is then sized for every call of the pcap
A looped pcap would replay stale generations, so bench.sh replays a call pcap once per run
(packets = frames), like the digest classes.
"""
import json
import os
import random
import socket
import struct
import sys

import bench_gen as bg  # beside this script: frame helpers, write_pcap, base config
from bench_nonce import digest_authorization, nonce_for  # beside this script

FRAMES_PER_CALL = 7
OWNER = 0
ENTROPY = 0
SUB_A_TAG, SUB_B_CALLID, SUB_B_TAG, SUB_B_INVITE, SUB_B_ACK, SUB_B_BYE, SUB_A_BYE = range(7)
GW_A_PORT = 5060
GW_B_PORT = 5080
GW_MAC = "02:00:00:0a:63:fe"
CALLER = "+15551234"


def token(slot, gen, sub):
    """A token exactly as sip_token_write() writes it."""
    return "sf1%02x%06x%04x%x%08x" % (OWNER, slot, gen & 0xffff, sub, ENTROPY)


class SlotSim:
    """The call table's free list as dataplane/call/call.c keeps it."""

    def __init__(self, model):
        self.model = model
        self.gen = {}
        self.free = []          # lifo: the top is the end of the list
        self.next_fresh = 0

    def alloc(self):
        if self.model == "lifo" and self.free:
            s = self.free.pop()
        else:
            s = self.next_fresh
            self.next_fresh += 1
        self.gen[s] = (self.gen.get(s, 0) + 1) & 0xffff
        return s, self.gen[s]

    def release(self, slot):
        if self.model == "lifo":
            self.free.append(slot)


SDP_A = ("v=0\r\no=- 1 1 IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\n"
         "m=audio {port} RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n")
SDP_B = ("v=0\r\no=- 2 2 IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\n"
         "m=audio {port} RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n")


def sip(start, headers, body=""):
    return ("\r\n".join([start] + headers + ["Content-Length: %d" % len(body)]) + "\r\n\r\n" +
            body).encode()


class Call:
    """One call's identifiers: A's (ours to choose here) and the ones sipfastd mints. A is the
    gateway gw-a, or with @user (an account index) that account's phone, with a digest."""

    def __init__(self, n, slot, gen, user=None):
        self.n, self.slot, self.gen, self.user = n, slot, gen, user
        self.a_ip = bg.user_src(user) if user is not None else bg.GATEWAY_IP
        self.a_user = bg.user_name(user) if user is not None else CALLER
        self.callee = "4930%08d" % n
        self.a_cid = "bc-%d@%s" % (n, self.a_ip)
        self.a_tag = "a%x" % n
        self.b_tag = "b%x" % n
        self.our_a_tag = token(slot, gen, SUB_A_TAG)
        self.b_cid = "%s@%s" % (token(slot, gen, SUB_B_CALLID), bg.OUR_IP)
        self.our_b_tag = token(slot, gen, SUB_B_TAG)

    # --- the A side (gw-a): requests to us ---
    def a_from(self):
        if self.user is not None:
            return "From: <sip:%s@%s>;tag=%s" % (self.a_user, bg.DOMAIN, self.a_tag)
        return "From: <sip:%s@%s>;tag=%s" % (CALLER, bg.GATEWAY_IP, self.a_tag)

    def a_req(self, method, cseq, branch, to_tag=True, body=""):
        ruri = "sip:%s@%s" % (self.callee, bg.OUR_IP)
        hdr = ["Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK-%s" % (self.a_ip, GW_A_PORT, branch),
               "Max-Forwards: 70", self.a_from(),
               "To: <sip:%s@%s>%s" % (self.callee, bg.OUR_IP,
                                       ";tag=" + self.our_a_tag if to_tag else ""),
               "Call-ID: %s" % self.a_cid, "CSeq: %d %s" % (cseq, method)]
        if method == "INVITE":
            hdr.append("Contact: <sip:%s@%s:%d>" % (self.a_user, self.a_ip, GW_A_PORT))
            if self.user is not None:
                nonce = nonce_for(self.a_ip, self.a_cid, bg.DOMAIN)
                hdr.append(digest_authorization(self.a_user, bg.DOMAIN,
                                                bg.user_password(self.user), "INVITE", ruri,
                                                nonce, "%08x" % self.n))
            hdr.append("Content-Type: application/sdp")
        return sip("%s %s SIP/2.0" % (method, ruri), hdr, body)

    def invite(self):
        return self.a_req("INVITE", 1, "i%x" % self.n, to_tag=False,
                          body=SDP_A.format(ip=self.a_ip, port=20000 + 2 * (self.n % 10000)))

    def ack(self):
        return self.a_req("ACK", 1, "k%x" % self.n)

    def bye(self):
        return self.a_req("BYE", 2, "y%x" % self.n)

    # --- the B side (gw-b): responses to what we sent it ---
    def b_resp(self, code, reason, sub, cseq, method, to_tag=True, body=""):
        hdr = ["Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK%s;rport" % (bg.OUR_IP, bg.SIP_PORT,
                                                                token(self.slot, self.gen, sub)),
               "From: <sip:%s@%s>;tag=%s" % (self.a_user, bg.GATEWAY_IP, self.our_b_tag),
               "To: <sip:%s@%s:%d>%s" % (self.callee, bg.GATEWAY_IP, GW_B_PORT,
                                          ";tag=" + self.b_tag if to_tag else ""),
               "Call-ID: %s" % self.b_cid, "CSeq: %d %s" % (cseq, method)]
        if code == 200 and method == "INVITE":
            hdr.append("Contact: <sip:%s@%s:%d>" % (self.callee, bg.GATEWAY_IP, GW_B_PORT))
            hdr.append("Content-Type: application/sdp")
        return sip("SIP/2.0 %d %s" % (code, reason), hdr, body)

    def b_100(self):
        return self.b_resp(100, "Trying", SUB_B_INVITE, 1, "INVITE", to_tag=False)

    def b_180(self):
        return self.b_resp(180, "Ringing", SUB_B_INVITE, 1, "INVITE")

    def b_200(self):
        return self.b_resp(200, "OK", SUB_B_INVITE, 1, "INVITE",
                           body=SDP_B.format(ip=bg.GATEWAY_IP, port=30000 + 2 * (self.n % 10000)))

    def b_bye_200(self):
        return self.b_resp(200, "OK", SUB_B_BYE, 2, "BYE")


def _csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def udp_frame(rng, src_ip, sport, payload, src_mac):
    """What bench_gen.udp_frame() builds with scapy (Ethernet, IPv4 without options, UDP with
    its checksum), packed by hand: a call pcap has 10^5 frames and scapy takes a millisecond
    each."""
    mac = lambda m: bytes(int(x, 16) for x in m.split(":"))
    src, dst = socket.inet_aton(src_ip), socket.inet_aton(bg.OUR_IP)
    ulen = 8 + len(payload)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + ulen, rng.randrange(65536), 0, 64, 17, 0,
                     src, dst)
    ip = ip[:10] + struct.pack("!H", _csum(ip)) + ip[12:]
    ck = _csum(src + dst + struct.pack("!BBH", 0, 17, ulen) +
               struct.pack("!HHHH", sport, bg.SIP_PORT, ulen, 0) + payload) or 0xffff
    return (mac(bg.OUR_MAC) + mac(src_mac) + b"\x08\x00" + ip +
            struct.pack("!HHHH", sport, bg.SIP_PORT, ulen, ck) + payload)


def frames_call_gateway(rng, n_frames, wave, model):
    return frames_calls(rng, n_frames, wave, model, phones=False)


def frames_call_phone(rng, n_frames, wave, model):
    return frames_calls(rng, n_frames, wave, model, phones=True)


def phone_mac(u):
    return "02:00:00:01:%02x:%02x" % (u >> 8, u & 255)


def frames_calls(rng, n_frames, wave, model, phones):
    sim = SlotSim(model)
    n_calls = (n_frames // FRAMES_PER_CALL) // wave * wave
    if n_calls == 0:
        raise SystemExit("bench_calls.py: --frames %d is less than one wave of %d calls" %
                         (n_frames, wave))
    def a(c, p):
        if c.user is None:
            return udp_frame(rng, bg.GATEWAY_IP, GW_A_PORT, p, GW_MAC)
        return udp_frame(rng, c.a_ip, GW_A_PORT, p, phone_mac(c.user))

    b = lambda p: udp_frame(rng, bg.GATEWAY_IP, GW_B_PORT, p, GW_MAC)
    out = []
    for w0 in range(0, n_calls, wave):
        calls = []
        for n in range(w0, w0 + wave):
            calls.append(Call(n, *sim.alloc(), user=bg.spread_user(n) if phones else None))
        out += [a(c, c.invite()) for c in calls]
        for c in calls:
            out += [b(c.b_100()), b(c.b_180()), b(c.b_200())]
        out += [a(c, c.ack()) for c in calls]
        out += [a(c, c.bye()) for c in calls]
        for c in calls:
            out.append(b(c.b_bye_200()))
            sim.release(c.slot)
    return out, n_calls, sim


def class_config(cls, n_calls, sim):
    cfg = json.loads(json.dumps(bg.BASE_CONFIG))
    cfg["interfaces"][0]["gateway_mac"] = GW_MAC
    cfg["gateways"] = [
        {"name": "gw-a", "address": bg.GATEWAY_IP, "port": GW_A_PORT},
        {"name": "gw-b", "address": bg.GATEWAY_IP, "port": GW_B_PORT, "prefixes": ["49"]},
    ]
    slots = max(1024, sim.next_fresh)
    cfg["runtime"]["calls_per_worker"] = 1 << (slots - 1).bit_length()
    # net_pcap infinite_rx keeps the whole file in mbufs of the socket's pool.
    pool = max(16383, (1 << (n_calls * FRAMES_PER_CALL + 4096).bit_length()) - 1)
    cfg["runtime"]["mbufs_per_socket"] = pool
    if cls == "call_phone":
        cfg["accounts"] = [{"user": bg.user_name(i), "password": bg.user_password(i)}
                           for i in range(bg.N_USERS)]
        # Every verified (nonce, nc) stays in the replay table for the run (frozen clock).
        cfg["runtime"]["register_replay_entries"] = 1 << 20
    return cfg


CLASSES = {"call_gateway": frames_call_gateway, "call_phone": frames_call_phone}


def main(argv):
    frames, seed, outdir, wave, model, classes = 4096, 7, None, 64, "lifo", []
    it = iter(argv)
    for a in it:
        if a == "--frames":
            frames = int(next(it))
        elif a == "--seed":
            seed = int(next(it))
        elif a == "--outdir":
            outdir = next(it)
        elif a == "--wave":
            wave = int(next(it))
        elif a == "--slots":
            model = next(it)
        elif a == "--list":
            print("\n".join(CLASSES))
            return 0
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            classes.append(a)
    bad = [c for c in classes if c not in CLASSES]
    if outdir is None or not classes or bad or model not in ("lifo", "fresh") or wave < 1:
        sys.stderr.write("usage: bench_calls.py [--frames N] [--wave W] [--slots lifo|fresh] "
                         "--outdir DIR CLASS ...\nclasses: %s\n" % " ".join(CLASSES))
        return 2
    os.makedirs(outdir, exist_ok=True)
    for cls in classes:
        rng = random.Random("%s/%d" % (cls, seed))
        fr, n_calls, sim = CLASSES[cls](rng, frames, wave, model)
        bg.write_pcap(os.path.join(outdir, cls + ".pcap"), fr)
        with open(os.path.join(outdir, cls + ".json"), "w") as f:
            json.dump(class_config(cls, n_calls, sim), f, indent=1)
        sys.stderr.write("bench_calls.py: %s: %d calls, %d frames, %d slots used\n" %
                         (cls, n_calls, len(fr), len(sim.gen)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
