#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Build the benchmark pcaps, one per traffic class, with scapy (deterministic: fixed seed).

Usage: bench_gen.py [--frames N] [--seed S] [--part K] [--challenge HOST:PORT] --outdir DIR CLASS ...
       bench_gen.py --list

Writes DIR/CLASS.pcap and DIR/CLASS.json (the daemon config the class needs: gateways,
accounts) for each CLASS.

Every frame is addressed to sipfastd on net_pcap port 0 (MAC 02:70:63:61:70:00, IPv4
10.99.0.1, SIP on UDP 5060) with correct IPv4 and UDP checksums, so the class measures the
path it names and not a checksum drop. net_pcap's infinite_rx keeps the whole file in mbufs of
the daemon's pool, so N (default 4096) must stay well below runtime.mbufs_per_socket.

Classes (bench.sh's table says which are enabled today):
  l2l4             UDP to port 9 from random sources: the full L2-L4 path, then dropped
  sip_count        the scanner flood below, to the SIP port (counted while the SIP path is a stub)
  flood_unknown    OPTIONS/REGISTER/INVITE from random unknown sources, friendly-scanner UAs,
                   random users: dropped silently once the scan-first path lands
  arp              ARP who-has 10.99.0.1 from random hosts: answered
  icmp             ICMP echo requests to 10.99.0.1 from random hosts: answered
  options_gateway  OPTIONS keepalives from the configured gateway 10.99.0.254: answered 200
  register_digest  REGISTER with a correct MD5 digest, 10,000 configured users: frames come in
                   pairs, bind (expires=3600) then unbind (expires=0) of the same user, so
                   every pass creates and removes the bindings (all answered 200 OK)
  reregister       REGISTER with a correct digest, one per user: the first pass binds, every
                   later pass refreshes the existing binding (200 OK)
  wrong_password   REGISTER with a wrong digest over a valid nonce, 64 sources x 16 users:
                   challenged, then final reject and lockout (silent drop, reply Off)
  mix              90% flood_unknown, 5% options_gateway, 5% reregister
  flood_repeat     the scanner flood from 40 fixed sources (svmap/svwar-like: OPTIONS,
                   REGISTER, INVITE, the scanner User-Agents and a few ordinary ones): the
                   realistic scanner case, where an L3 offender memory remembers the sources
  flood_mix        90% flood_repeat, 10% reregister (a legitimate phone's REGISTER with a
                   correct digest): every REGISTER must get its 200; CLASS.expect says how
                   many REGISTERs the pcap holds (scripts/bench.sh checks sip_register_ok)

Every REGISTER of one user within a pcap carries the next nc and CSeq, as a phone reusing its
nonce does; a verified (nonce, nc) used again by another request is a replay (HARDEN-7) and
the same request again a retransmission (GEN-3), so a pcap that loops would turn into one.
scripts/bench.sh therefore replays the digest classes' pcaps once (frames = packets per run).
--part K writes CLASS.qK.pcap instead: the same class with its own frames and Call-IDs (the
second RX queue of the two-worker pass; its config is part 0's).

--challenge HOST:PORT (scripts/bench_kamailio.sh): instead of recomputing sipfastd's nonces,
ask a live SIP server (Kamailio on loopback) for them: the first REGISTER of each user is sent
there without credentials, and the nonce of its 401 is the one the digests are computed over.

The digest classes need `sipfastd ... -- --bench-fixed-nonce` (benchmark only): a fixed nonce
key and a frozen registrar clock. bench_nonce.nonce_for() recomputes the exact nonce that
daemon would issue (dataplane/auth/nonce.c layout), so the digests verify run after run.
"""
import json
import logging
import os
import random
import struct
import sys

from bench_nonce import digest_authorization, nonce_for  # beside this script

SCAPY_PYTHON = "/usr/bin/python3"  # Debian's python3-scapy lives in the system interpreter

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
try:
    from scapy.all import ARP, ICMP, IP, UDP, Ether, Raw, wrpcap
except ImportError:
    if os.path.realpath(sys.executable) != os.path.realpath(SCAPY_PYTHON) and \
            os.access(SCAPY_PYTHON, os.X_OK) and "SF_BENCH_REEXEC" not in os.environ:
        os.environ["SF_BENCH_REEXEC"] = "1"
        os.execv(SCAPY_PYTHON, [SCAPY_PYTHON] + sys.argv)
    raise

OUR_MAC = "02:70:63:61:70:00"   # net_pcap's address for vdev index 0 (DPDK 22.11)
OUR_IP = "10.99.0.1"
GATEWAY_IP = "10.99.0.254"
DOMAIN = "sipfast.test"
SIP_PORT = 5060
N_USERS = 10000
SCANNER_UAS = ["friendly-scanner", "sipvicious", "sipcli/v1.8", "VaxSIPUserAgent/3.1",
               "PortSIP VoIP SDK 11.2", "Cisco-SIPGateway/IOS-12.x", "sipsak 0.9.6", "pplsip"]
N_REPEAT_SOURCES = 40  # flood_repeat: a few dozen scanners, each sending many requests

BASE_CONFIG = {
    "interfaces": [{"port": 0, "name": "bench net_pcap0", "ipv4": OUR_IP + "/24",
                    "gateway": GATEWAY_IP, "mtu": 1500, "icmp_echo": True}],
    "sip": {"port": SIP_PORT, "domain": DOMAIN},
    "params": {"SS_REPLY_UNAUTHORIZED": "Off"},
    "accounts": [],
    "gateways": [],
    "runtime": {"mbufs_per_socket": 16383, "big_mbufs": 255},
}


def rand_mac(rng):
    return "02:%02x:%02x:%02x:%02x:%02x" % tuple(rng.randrange(256) for _ in range(5))


def rand_public_ip(rng):
    """A unicast source that is not martian, not ours and not in our /24."""
    while True:
        a = rng.randrange(1, 224)
        if a in (10, 127):
            continue
        return "%d.%d.%d.%d" % (a, rng.randrange(256), rng.randrange(256), rng.randrange(1, 255))


def udp_frame(rng, src_ip, sport, dport, payload, src_mac=None):
    f = Ether(src=src_mac or rand_mac(rng), dst=OUR_MAC) / \
        IP(src=src_ip, dst=OUR_IP, id=rng.randrange(65536)) / \
        UDP(sport=sport, dport=dport) / Raw(payload)
    return bytes(f)  # lengths and checksums computed here


def branch(rng):
    return "z9hG4bK-%08x" % rng.getrandbits(32)


def scanner_msg(rng, src_ip):
    """What svmap/svwar/INVITE scanners send: random users, a scanner User-Agent."""
    method = rng.choice(["OPTIONS", "REGISTER", "INVITE"])
    user = str(rng.randrange(100, 100000))
    ua = rng.choice(SCANNER_UAS)
    tag = "%016x" % rng.getrandbits(64)
    callid = "%d" % rng.getrandbits(63)
    ruri = "sip:%s@%s" % (user, OUR_IP) if method != "REGISTER" else "sip:%s" % OUR_IP
    lines = [
        "%s %s SIP/2.0" % (method, ruri),
        "Via: SIP/2.0/UDP %s:5060;branch=%s;rport" % (src_ip, branch(rng)),
        "Max-Forwards: 70",
        "From: \"%s\"<sip:%s@%s>;tag=%s" % (user, user, OUR_IP, tag),
        "To: \"%s\"<sip:%s@%s>" % (user, user, OUR_IP),
        "Call-ID: %s" % callid,
        "CSeq: 1 %s" % method,
        "Contact: <sip:%s@%s:5060>" % (user, src_ip),
        "User-Agent: %s" % ua,
    ]
    body = ""
    if method == "INVITE":
        body = ("v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
                "m=audio 10000 RTP/AVP 0\r\n" % (src_ip, src_ip))
        lines.append("Content-Type: application/sdp")
    lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()


def gateway_options(rng):
    lines = [
        "OPTIONS sip:%s:5060 SIP/2.0" % OUR_IP,
        "Via: SIP/2.0/UDP %s:5060;branch=%s" % (GATEWAY_IP, branch(rng)),
        "Max-Forwards: 70",
        "From: <sip:ping@%s>;tag=%08x" % (GATEWAY_IP, rng.getrandbits(32)),
        "To: <sip:%s>" % OUR_IP,
        "Call-ID: gw-%d@%s" % (rng.getrandbits(48), GATEWAY_IP),
        "CSeq: %d OPTIONS" % rng.randrange(1, 1 << 20),
        "User-Agent: bench-gateway",
        "Content-Length: 0",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def user_name(i):
    return "u%05d" % i


def user_password(i):
    return "pw-%05d-bench" % i


CHALLENGE = {"server": None, "sock": None, "nonces": {}}
# --part K: which of the two-worker pass's files this is (0: the one-worker pcap itself).
PART = {"index": 0}


def challenged_nonce(i, callid):
    """The nonce a live server (--challenge) puts in its 401 to an unauthenticated REGISTER of
    user @i; asked once per user, from 127.0.0.1 (the reply comes back by rport)."""
    import re
    import socket
    c = CHALLENGE
    if i in c["nonces"]:
        return c["nonces"][i]
    if c["sock"] is None:
        c["sock"] = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        c["sock"].bind(("127.0.0.1", 0))
        c["sock"].settimeout(2.0)
    s = c["sock"]
    port = s.getsockname()[1]
    user = user_name(i)
    msg = "\r\n".join([
        "REGISTER sip:%s SIP/2.0" % DOMAIN,
        "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-ch%d;rport" % (port, i),
        "Max-Forwards: 70",
        "From: <sip:%s@%s>;tag=ch%d" % (user, DOMAIN, i),
        "To: <sip:%s@%s>" % (user, DOMAIN),
        "Call-ID: %s" % callid,
        "CSeq: 1 REGISTER",
        "Contact: <sip:%s@127.0.0.1:%d>" % (user, port),
        "Content-Length: 0", "", ""]).encode()
    for _ in range(3):
        s.sendto(msg, c["server"])
        try:
            while True:
                reply = s.recv(65535).decode(errors="replace")
                if "Call-ID: %s" % callid in reply:
                    break
        except socket.timeout:
            continue
        m = re.search(r'^SIP/2.0 401 .*?nonce="([^"]+)"', reply, re.S)
        if not m:
            raise SystemExit("bench_gen.py: --challenge: no 401 with a nonce for %s:\n%s" %
                             (user, reply))
        c["nonces"][i] = m.group(1)
        return m.group(1)
    raise SystemExit("bench_gen.py: --challenge %s:%d: no answer" % c["server"])


def register_digest(rng, i, src_ip, expires=3600, password=None, cseq=2, nc=1):
    """REGISTER with a qop=auth MD5 digest (RFC 2617 3.2.2) over the nonce the bench daemon
    would have issued to this source and Call-ID (or, with --challenge, the nonce the live
    server challenged this user with); correct unless @password is given. A phone reusing its
    nonce counts @nc up with every request (RFC 2617 3.2.2), and the registrar refuses a
    (nonce, nc) it has already seen from another request (HARDEN-7): so each REGISTER of one
    user within a pcap carries the next nc and CSeq. The Call-ID names the pcap part (PART),
    so the two-worker pass's two files are two phones' registration streams."""
    user, uri = user_name(i), "sip:%s" % DOMAIN
    callid = "reg-%d%s@%s" % (i, "-q%d" % PART["index"] if PART["index"] else "", src_ip)
    if CHALLENGE["server"] is not None:
        nonce = challenged_nonce(i, callid)
    else:
        nonce = nonce_for(src_ip, callid, DOMAIN)
    cnonce = "%08x" % rng.getrandbits(32)
    lines = [
        "REGISTER %s SIP/2.0" % uri,
        "Via: SIP/2.0/UDP %s:5060;branch=%s;rport" % (src_ip, branch(rng)),
        "Max-Forwards: 70",
        "From: <sip:%s@%s>;tag=%08x" % (user, DOMAIN, rng.getrandbits(32)),
        "To: <sip:%s@%s>" % (user, DOMAIN),
        "Call-ID: %s" % callid,
        "CSeq: %d REGISTER" % cseq,
        "Contact: <sip:%s@%s:5060>;expires=%d" % (user, src_ip, expires),
        digest_authorization(user, DOMAIN, password or user_password(i), "REGISTER", uri,
                             nonce, cnonce, nc="%08x" % nc),
        "User-Agent: bench-phone",
        "Content-Length: 0",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def gen_l2l4(rng, i):
    return udp_frame(rng, rand_public_ip(rng), rng.randrange(1024, 65536), 9, b"\0" * 64)


def gen_flood(rng, i):
    src = rand_public_ip(rng)
    return udp_frame(rng, src, rng.choice([5060, 5061, rng.randrange(1024, 65536)]), SIP_PORT,
                     scanner_msg(rng, src))


def gen_arp(rng, i):
    mac, ip = rand_mac(rng), "10.99.0.%d" % rng.randrange(2, 254)
    return bytes(Ether(src=mac, dst="ff:ff:ff:ff:ff:ff") /
                 ARP(op=1, hwsrc=mac, psrc=ip, hwdst="00:00:00:00:00:00", pdst=OUR_IP))


def gen_icmp(rng, i):
    f = Ether(src=rand_mac(rng), dst=OUR_MAC) / IP(src=rand_public_ip(rng), dst=OUR_IP) / \
        ICMP(type=8, id=rng.randrange(65536), seq=i & 0xffff) / Raw(b"\x5a" * 56)
    return bytes(f)


def gen_options_gateway(rng, i):
    return udp_frame(rng, GATEWAY_IP, 5060, SIP_PORT, gateway_options(rng),
                     src_mac="02:00:00:0a:63:fe")


def user_src(u):
    return "10.99.0.%d" % (2 + u % 250)


def spread_user(i):
    """Frame i's user: 7919 is prime to 10,000, so consecutive frames walk all 10,000 users."""
    return (i * 7919) % N_USERS


def gen_register_digest(rng, i):
    k = i // 2  # frames 2k, 2k+1: bind, then unbind, of the same user
    u, turn = spread_user(k), k // N_USERS  # the user's turn-th pair in this pcap
    src = user_src(u)
    n = 2 * turn + i % 2
    return udp_frame(rng, src, 5060, SIP_PORT,
                     register_digest(rng, u, src, expires=0 if i % 2 else 3600, cseq=2 + n,
                                     nc=1 + n))


def gen_reregister(rng, i):
    u, turn = spread_user(i), i // N_USERS  # the user's turn-th REGISTER in this pcap
    src = user_src(u)
    return udp_frame(rng, src, 5060, SIP_PORT,
                     register_digest(rng, u, src, cseq=2 + turn, nc=1 + turn))


def gen_wrong_password(rng, i):
    u = (i // 64) % 16  # 64 sources x 16 users, each (source, user) pair many times
    src = "10.99.0.%d" % (2 + i % 64)
    return udp_frame(rng, src, 5060, SIP_PORT,
                     register_digest(rng, u, src, password="not-the-password"))


def gen_mix(rng, i):
    r = rng.random()
    if r < 0.90:
        return gen_flood(rng, i)
    if r < 0.95:
        return gen_options_gateway(rng, i)
    return gen_reregister(rng, i)


def repeat_sources():
    """flood_repeat's scanners: 40 public addresses, the same in every pcap (own seed)."""
    rng = random.Random("flood_repeat/sources")
    return [rand_public_ip(rng) for _ in range(N_REPEAT_SOURCES)]


REPEAT_SOURCES = []


def gen_flood_repeat(rng, i):
    if not REPEAT_SOURCES:
        REPEAT_SOURCES.extend(repeat_sources())
    src = REPEAT_SOURCES[rng.randrange(N_REPEAT_SOURCES)]
    # one source port per scanner, as svmap keeps its socket
    sport = 5060 + REPEAT_SOURCES.index(src)
    return udp_frame(rng, src, sport, SIP_PORT, scanner_msg(rng, src))


# flood_mix: how many REGISTERs this pcap holds (written to CLASS.expect).
MIX_COUNT = {"register": 0}


def gen_flood_mix(rng, i):
    if rng.random() < 0.90:
        return gen_flood_repeat(rng, i)
    k = MIX_COUNT["register"]
    MIX_COUNT["register"] += 1
    return gen_reregister(rng, k)


GENERATORS = {
    "l2l4": gen_l2l4,
    "sip_count": gen_flood,
    "flood_unknown": gen_flood,
    "arp": gen_arp,
    "icmp": gen_icmp,
    "options_gateway": gen_options_gateway,
    "register_digest": gen_register_digest,
    "reregister": gen_reregister,
    "wrong_password": gen_wrong_password,
    "mix": gen_mix,
    "flood_repeat": gen_flood_repeat,
    "flood_mix": gen_flood_mix,
}


def class_config(cls):
    cfg = json.loads(json.dumps(BASE_CONFIG))
    if cls in ("options_gateway", "mix"):
        cfg["gateways"].append({"name": "bench-gw", "address": GATEWAY_IP})
    if cls in ("flood_unknown", "mix", "sip_count"):
        # These classes measure the skim: their pcap repeats each of its sources every few
        # thousand frames, which the L3 offender memory would learn within a millisecond and
        # turn into flood_repeat. flood_repeat and flood_mix keep it on (the default).
        cfg["offender"] = {"enabled": False}
    if cls == "wrong_password":
        # 64 sources challenged at line rate: keep measuring the challenge path, not the
        # per-source reply budget that would silence them after its burst.
        cfg["sip"]["reply_budget_rate"] = 0
    if cls in ("register_digest", "reregister", "mix", "flood_mix"):
        # Every verified (nonce, nc) stays in the replay table while its nonce can verify,
        # which under the bench's frozen clock is the whole run: room for every frame of the
        # pcap (2 x 200,000 in the two-worker pass), and a packet pool that holds the pcap
        # (net_pcap infinite_rx keeps every frame in an mbuf of the socket's pool).
        cfg["runtime"]["register_replay_entries"] = 1 << 20
        cfg["runtime"]["mbufs_per_socket"] = (1 << 19) - 1
    if cls in ("register_digest", "reregister", "wrong_password", "mix", "flood_mix"):
        cfg["accounts"] = [{"user": user_name(i), "password": user_password(i)}
                           for i in range(N_USERS)]
    return cfg


def write_pcap(path, frames):
    """Classic pcap, microsecond timestamps, Ethernet link type (what net_pcap reads)."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000 + i // 1000000, i % 1000000, len(fr),
                                len(fr)))
            f.write(fr)


def main(argv):
    frames, seed, outdir, classes = 4096, 7, None, []
    it = iter(argv)
    for a in it:
        if a == "--frames":
            frames = int(next(it))
        elif a == "--part":
            PART["index"] = int(next(it))
        elif a == "--seed":
            seed = int(next(it))
        elif a == "--outdir":
            outdir = next(it)
        elif a == "--challenge":
            host, port = next(it).rsplit(":", 1)
            CHALLENGE["server"] = (host, int(port))
        elif a == "--list":
            print("\n".join(GENERATORS))
            return 0
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            classes.append(a)
    bad = [c for c in classes if c not in GENERATORS]
    if outdir is None or not classes or bad:
        sys.stderr.write("usage: bench_gen.py [--frames N] [--seed S] [--part K] [--challenge HOST:PORT] "
                         "--outdir DIR CLASS ...\n"
                         "classes: %s\n" % " ".join(GENERATORS))
        return 2
    os.makedirs(outdir, exist_ok=True)
    for cls in classes:
        part = PART["index"]
        rng = random.Random("%s/%d" % (cls, seed) + ("/q%d" % part if part else ""))
        gen = GENERATORS[cls]
        name = cls + (".q%d" % part if part else "")
        MIX_COUNT["register"] = 0
        write_pcap(os.path.join(outdir, name + ".pcap"), [gen(rng, i) for i in range(frames)])
        if cls == "flood_mix":
            # What one replay of the pcap must produce (scripts/bench.sh check_counters).
            with open(os.path.join(outdir, name + ".expect"), "w") as f:
                f.write("sip_register_ok %d\n" % MIX_COUNT["register"])
        if part:
            continue  # the class's config comes with part 0
        with open(os.path.join(outdir, cls + ".json"), "w") as f:
            json.dump(class_config(cls), f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
