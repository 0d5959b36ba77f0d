#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Golden pcap tests: replay scapy-built frames through sipfastd on net_pcap and compare.

Usage: golden.py BUILD_DIR [CASE_ID ...]

Each case builds its input frames with scapy in a temporary directory, runs
BUILD_DIR/ctrlplane/sipfastd on a net_pcap port (rx_pcap=in.pcap, tx_pcap=out.pcap) with
--bench-packets set to the number of input frames, requires exit status 0, then compares the
BYTES of every transmitted frame with scapy-built expected frames (pcap timestamps differ, so
files are never compared) and the counters printed after "sipfastd: stopped; counters:".
The registrar cases add --bench-fixed-nonce (test/benchmark only: fixed nonce key, frozen
registrar clock) so scripts/bench_nonce.py predicts every challenge and the pcap can carry the
digest answers to it.

Prints "PASS <id>" or "FAIL <id>: <why>" per case; exit status 1 when any case failed.

Our MAC is net_pcap's fixed address 02:70:63:61:70:<vdev index> (DPDK 22.11
drivers/net/pcap/pcap_ethdev.c, pmd_init_internals()); PCAP_arp_request_reply checks it.
"""
import copy
import json
import logging
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

SCAPY_PYTHON = "/usr/bin/python3"  # Debian's python3-scapy lives in the system interpreter

# scripts/bench_nonce.py: the nonces sipfastd --bench-fixed-nonce issues (registrar cases).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "scripts"))
# Inside a try: a missing or broken helper fails every case (FAIL lines) instead of dying
# before the first one.
try:
    from bench_nonce import BENCH_NOW_S, digest_authorization, nonce_for, request_tag  # noqa: E402
    BENCH_NONCE_ERROR = None
except Exception as e:  # noqa: BLE001 - any import-time error is reported per case
    BENCH_NONCE_ERROR = "%s: %s" % (type(e).__name__, e)
    BENCH_NOW_S = 0  # only a default argument below; every case fails before using it

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
try:
    from scapy.all import (ARP, ICMP, IP, TCP, UDP, Dot1Q, Ether, IPv6, Padding, Raw, defragment,
                           fragment, rdpcap, wrpcap)
    SCAPY_ERROR = None
except ImportError as e:
    # A pyenv/venv python3 first in PATH lacks the Debian package: rerun under the system one.
    if os.path.realpath(sys.executable) != os.path.realpath(SCAPY_PYTHON) and \
            os.access(SCAPY_PYTHON, os.X_OK) and "SF_GOLDEN_REEXEC" not in os.environ:
        os.environ["SF_GOLDEN_REEXEC"] = "1"
        os.execv(SCAPY_PYTHON, [SCAPY_PYTHON] + sys.argv)
    SCAPY_ERROR = str(e)

OUR_MAC = "02:70:63:61:70:00"
OUR_IP = "10.99.0.1"
PEER_MAC = "02:00:00:0a:63:02"
PEER_IP = "10.99.0.2"
SIP_PORT = 5060
MTU = 1500
TIMEOUT_S = 30

BASE_CONFIG = {
    "interfaces": [{
        "port": 0,
        "name": "golden pcap net_pcap0",
        "ipv4": OUR_IP + "/24",
        "gateway": "10.99.0.254",
        "mtu": MTU,
        "icmp_echo": True,
    }],
    "sip": {"port": SIP_PORT, "domain": "sipfast.test"},
    "params": {},
    "accounts": [],
    "gateways": [],
    "runtime": {"mbufs_per_socket": 8191, "big_mbufs": 255},
}


class CaseFailed(Exception):
    """A case's assertion did not hold; the message says why."""


class Run:
    """What one daemon run produced: transmitted frames (bytes) and the final counters."""

    def __init__(self, out, counters, stdout, stderr):
        self.out = out
        self.counters = counters
        self.stdout = stdout
        self.stderr = stderr

    def counter(self, name):
        """Counters that stayed 0 are not printed."""
        return self.counters.get(name, 0)


def parse_counters(stdout):
    """The "  name value" lines after "sipfastd: stopped; counters:"."""
    lines = stdout.splitlines()
    try:
        start = lines.index("sipfastd: stopped; counters:") + 1
    except ValueError:
        raise CaseFailed("no 'sipfastd: stopped; counters:' block on stdout")
    counters = {}
    for line in lines[start:]:
        fields = line.split()
        if not line.startswith("  ") or len(fields) != 2 or not fields[1].isdigit():
            break
        counters[fields[0]] = int(fields[1])
    return counters


def eal_runtime_dir(prefix):
    """Where EAL makes its (here empty) runtime directory for --file-prefix @prefix."""
    if os.geteuid() == 0:
        base = "/var/run"
    else:
        base = os.environ.get("XDG_RUNTIME_DIR", "/tmp")
    return os.path.join(base, "dpdk", prefix)


def write_pcap(path, frames):
    """A classic pcap (Ethernet) of @frames: scapy packets or raw frame bytes, so a case can
    hand over tens of thousands of frames without building a scapy object for each."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, frame in enumerate(frames):
            b = frame if isinstance(frame, (bytes, bytearray)) else bytes(frame)
            f.write(struct.pack("<IIII", i // 1000000, i % 1000000, len(b), len(b)))
            f.write(b)


def run_daemon(ctx, name, frames, iface_overrides=None, config_overrides=None, daemon_args=()):
    """Replay @frames (scapy packets, in order) through sipfastd and return a Run.
    @config_overrides replaces top-level config sections (params, accounts, gateways);
    @daemon_args are added after sipfastd's own options (e.g. --bench-fixed-nonce)."""
    tmp = os.path.join(ctx["tmp"], name)
    os.mkdir(tmp)
    in_pcap, out_pcap = os.path.join(tmp, "in.pcap"), os.path.join(tmp, "out.pcap")
    cfg_path, ctl = os.path.join(tmp, "sipfast.json"), os.path.join(tmp, "ctl.sock")
    write_pcap(in_pcap, frames)
    cfg = copy.deepcopy(BASE_CONFIG)
    cfg["interfaces"][0].update(iface_overrides or {})
    cfg.update(copy.deepcopy(config_overrides or {}))
    with open(cfg_path, "w") as f:
        json.dump(cfg, f, indent=1)
    prefix = "sfgold%d_%s" % (os.getpid(), name)
    cmd = [ctx["daemon"], "--lcores", "0@0,1@1", "--no-huge", "-m", "256", "--no-pci",
           "--no-shconf", "--file-prefix", prefix,
           "--vdev", "net_pcap0,rx_pcap=%s,tx_pcap=%s" % (in_pcap, out_pcap),
           "--", "--config", cfg_path, "--ctl", ctl, "--bench-packets", str(len(frames))] + \
        list(daemon_args)
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S,
                           stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise CaseFailed("sipfastd did not stop within %d s after %d frames"
                         % (TIMEOUT_S, len(frames)))
    finally:
        shutil.rmtree(eal_runtime_dir(prefix), ignore_errors=True)
    if p.returncode != 0:
        tail = (p.stderr.strip().splitlines() or ["(no stderr)"])[-1]
        raise CaseFailed("sipfastd exit status %d: %s" % (p.returncode, tail))
    out = [bytes(pkt) for pkt in rdpcap(out_pcap)] if os.path.getsize(out_pcap) > 0 else []
    return Run(out, parse_counters(p.stdout), p.stdout, p.stderr)


# ---- assertions ------------------------------------------------------------------------------

def expect(cond, fmt, *args):
    if not cond:
        raise CaseFailed(fmt % args if args else fmt)


def expect_counters(run, expected):
    """Each named counter has exactly the given value (absent from the block = 0)."""
    wrong = ["%s=%d (want %d)" % (k, run.counter(k), v)
             for k, v in sorted(expected.items()) if run.counter(k) != v]
    expect(not wrong, "counters: %s", ", ".join(wrong))


def expect_silent(run):
    expect(not run.out, "expected no frame out, got %d: first %s", len(run.out),
           run.out[0][:64].hex() if run.out else "")
    expect_counters(run, {"tx_packets": 0})


def expect_same_bytes(what, got, exp):
    """@got equals @exp; otherwise say where they first differ."""
    if got == exp:
        return
    at = next((k for k in range(min(len(got), len(exp))) if got[k] != exp[k]),
              min(len(got), len(exp)))
    raise CaseFailed("%s differs at byte %d (len %d, want %d): got %s want %s"
                     % (what, at, len(got), len(exp), got[at:at + 8].hex(),
                        exp[at:at + 8].hex()))


def expect_frames(run, expected):
    """The transmitted frames are exactly @expected (scapy packets), byte for byte, in order."""
    want = [bytes(p) for p in expected]
    expect(len(run.out) == len(want), "expected %d frame(s) out, got %d", len(want),
           len(run.out))
    for i, (got, exp) in enumerate(zip(run.out, want)):
        expect_same_bytes("frame %d" % i, got, exp)


def ip_header_ok(ip_bytes):
    """The IPv4 header checksum of @ip_bytes verifies (one's-complement sum is 0xffff)."""
    ihl = (ip_bytes[0] & 0x0f) * 4
    s = sum(int.from_bytes(ip_bytes[i:i + 2], "big") for i in range(0, ihl, 2))
    while s > 0xffff:
        s = (s & 0xffff) + (s >> 16)
    return s == 0xffff


# ---- frame builders --------------------------------------------------------------------------

def to_us(src_mac=PEER_MAC, **kw):
    """Ethernet to our MAC; scapy sets the type from the next layer unless @kw gives it."""
    return Ether(src=src_mac, dst=OUR_MAC, **kw)


def from_us(dst_mac=PEER_MAC):
    return Ether(src=OUR_MAC, dst=dst_mac)


def pad60(pkt):
    """Pad to the 60-byte Ethernet minimum as a real NIC delivers short frames."""
    short = 60 - len(pkt)
    return pkt / Padding(load=b"\0" * short) if short > 0 else pkt


def echo_request(payload, ip_id=0x1234, icmp_id=0x4242, seq=7, src=PEER_IP):
    return (to_us() / IP(src=src, dst=OUR_IP, id=ip_id, ttl=57, flags="DF") /
            ICMP(type=8, id=icmp_id, seq=seq) / Raw(payload))


def echo_reply_ip(payload, ip_id=0x1234, icmp_id=0x4242, seq=7):
    """The reply we expect: addresses swapped, TTL 64, same IP id, DF cleared."""
    return (IP(src=OUR_IP, dst=PEER_IP, id=ip_id, ttl=64, flags=0) /
            ICMP(type=0, id=icmp_id, seq=seq) / Raw(payload))


def sip_like_payload(size):
    """@size bytes of deterministic text; not a SIP message, so nothing may ever answer it."""
    head = b"golden pcap fragmented datagram to the SIP port\r\n"
    body = bytes(0x41 + (i % 26) for i in range(size - len(head)))
    return head + body


def mac_bytes(mac):
    return bytes.fromhex(mac.replace(":", ""))


def bytes_of(n, seed):
    rng = random.Random(seed)
    return bytes(rng.randrange(256) for _ in range(n))


# ---- cases -----------------------------------------------------------------------------------

def case_arp_request_reply(ctx):
    req = pad60(Ether(src=PEER_MAC, dst="ff:ff:ff:ff:ff:ff") /
                ARP(op="who-has", hwsrc=PEER_MAC, psrc=PEER_IP, hwdst="00:00:00:00:00:00",
                    pdst=OUR_IP))
    run = run_daemon(ctx, "arp", [req])
    if len(run.out) == 1 and run.out[0][6:12] != mac_bytes(OUR_MAC):
        raise CaseFailed("reply from MAC %s, not net_pcap's fixed %s"
                         % (run.out[0][6:12].hex(":"), OUR_MAC))
    expect_frames(run, [from_us() / ARP(op="is-at", hwsrc=OUR_MAC, psrc=OUR_IP,
                                        hwdst=PEER_MAC, pdst=PEER_IP)])
    expect_counters(run, {"arp_replied": 1, "rx_packets": 1, "tx_packets": 1})


def case_icmp_echo_reply(ctx):
    payload = bytes(range(56))
    run = run_daemon(ctx, "echo", [echo_request(payload)])
    expect_frames(run, [from_us() / echo_reply_ip(payload)])
    expect_counters(run, {"icmp_echo_replied": 1, "tx_packets": 1})


def case_icmp_echo_large_fragmented(ctx):
    payload = bytes((i * 7) & 0xff for i in range(3000))
    frags = fragment(echo_request(payload, ip_id=0x2345), fragsize=MTU - 20)
    run = run_daemon(ctx, "bigecho", frags)
    expect(len(run.out) >= 2, "expected the reply in >= 2 fragments, got %d frame(s)",
           len(run.out))
    pkts = [Ether(b) for b in run.out]
    for i, p in enumerate(pkts):
        expect(IP in p, "fragment %d is not IPv4", i)
        expect(p.src == OUR_MAC and p.dst == PEER_MAC, "fragment %d MACs %s -> %s", i, p.src,
               p.dst)
        expect(p[IP].len <= MTU and len(run.out[i]) <= MTU + 14,
               "fragment %d: IP length %d above MTU %d", i, p[IP].len, MTU)
        expect(ip_header_ok(bytes(p[IP])), "fragment %d: bad IPv4 header checksum", i)
        expect(p[IP].id == 0x2345 and p[IP].ttl == 64, "fragment %d: id %#x ttl %d", i,
               p[IP].id, p[IP].ttl)
    whole = defragment(pkts)
    expect(len(whole) == 1, "scapy reassembled %d datagrams, want 1", len(whole))
    expect_same_bytes("reassembled reply", bytes(whole[0]),
                      bytes(from_us() / echo_reply_ip(payload, ip_id=0x2345)))
    expect_counters(run, {"icmp_echo_replied": 1, "frag_held": len(frags) - 1,
                          "tx_fragments": len(run.out), "tx_packets": len(run.out)})


def fragmented_sip_datagram(order):
    dgram = (to_us() / IP(src=PEER_IP, dst=OUR_IP, id=0x3456) /
             UDP(sport=5080, dport=SIP_PORT) / Raw(sip_like_payload(3000)))
    frags = fragment(dgram, fragsize=MTU - 20)
    expect(len(frags) == 3, "scapy made %d fragments, want 3", len(frags))
    return [frags[i] for i in order]


def case_fragmented_udp_counted_once(ctx):
    frames = fragmented_sip_datagram([0, 1, 2])
    run = run_daemon(ctx, "fragudp", frames)
    expect_silent(run)
    expect_counters(run, {"sip_received": 1, "frag_held": len(frames) - 1, "drop_frag": 0})


def case_fragmented_udp_out_of_order(ctx):
    frames = fragmented_sip_datagram([2, 0, 1])
    run = run_daemon(ctx, "fragudp_ooo", frames)
    expect_silent(run)
    expect_counters(run, {"sip_received": 1, "frag_held": len(frames) - 1, "drop_frag": 0})


def garbage_frames():
    """(label, frame, verdict counter it must land in)."""
    good_ip = IP(src=PEER_IP, dst=OUR_IP)
    bad_ip_cksum = to_us() / IP(src=PEER_IP, dst=OUR_IP, chksum=0x1234) / ICMP() / Raw(b"x" * 8)
    # The UDP checksum is verified at sip_input()'s gate (net_pcap has no RX offload), which
    # this bare request (no From/To/Via) reaches: the skim never drops it as certainly unknown.
    # A flood request the skim drops is counted as that drop instead: case_bad_udp_checksum_gate.
    bad_udp_cksum = to_us() / good_ip / UDP(sport=5060, dport=SIP_PORT, chksum=0xbeef) / \
        Raw(b"OPTIONS sip:x SIP/2.0\r\n\r\n")
    noise = bytes_of(80, 1)
    expect(noise[:6] not in (mac_bytes(OUR_MAC), b"\xff" * 6), "seeded noise is for us")
    truncated_ip = bytes(to_us() / good_ip / UDP(dport=SIP_PORT))[:14 + 12]
    long_ip = to_us() / IP(src=PEER_IP, dst=OUR_IP, len=200) / UDP(dport=SIP_PORT)
    short_udp = to_us() / good_ip / UDP(dport=SIP_PORT, len=100) / Raw(b"y" * 10)
    frames = [
        ("random_bytes", Raw(noise), "drop_foreign_mac"),
        ("random_ipv4_payload", to_us(type=0x0800) / Raw(bytes([0x6f]) + bytes_of(60, 2)),
         "drop_ip_bad_header"),
        ("truncated_ethernet", Raw(bytes(to_us())[:10]), "drop_runt"),
        ("truncated_ipv4", Raw(truncated_ip), "drop_runt"),
        ("ipv4_total_length_beyond_frame", long_ip, "drop_ip_truncated"),
        ("bad_ipv4_checksum", bad_ip_cksum, "drop_ip_bad_cksum"),
        ("bad_udp_checksum", bad_udp_cksum, "drop_udp_bad_cksum"),
        ("udp_length_beyond_ip", short_udp, "drop_udp_bad"),
        ("ipv6", to_us() / IPv6(src="fd00::2", dst="fd00::1") / UDP(dport=SIP_PORT),
         "drop_ethertype"),
        ("vlan_tagged", to_us() / Dot1Q(vlan=99) / good_ip / UDP(dport=SIP_PORT),
         "drop_vlan"),
        ("unicast_other_mac", Ether(src=PEER_MAC, dst="02:00:00:00:00:99") / good_ip /
         UDP(dport=SIP_PORT), "drop_foreign_mac"),
        ("multicast_mac", Ether(src=PEER_MAC, dst="01:00:5e:00:00:01") / good_ip /
         UDP(dport=SIP_PORT), "drop_foreign_mac"),
        ("arp_bad_hwtype", Ether(src=PEER_MAC, dst="ff:ff:ff:ff:ff:ff") /
         ARP(hwtype=6, psrc=PEER_IP, pdst=OUR_IP), "drop_arp_bad"),
        ("ip_to_other_host", to_us() / IP(src=PEER_IP, dst="10.99.0.9") / ICMP(),
         "drop_ip_not_us"),
        ("udp_to_port_53", to_us() / good_ip / UDP(sport=5353, dport=53) / Raw(b"\0" * 12),
         "drop_udp_port"),
        ("tcp_syn_to_5060", to_us() / good_ip / TCP(sport=40000, dport=SIP_PORT, flags="S"),
         "drop_proto"),
        ("icmp_timestamp", to_us() / good_ip / ICMP(type=13) / Raw(b"\0" * 12), "drop_icmp"),
        ("icmp_echo_bad_checksum", to_us() / good_ip / ICMP(type=8, chksum=0x1111) /
         Raw(b"z" * 8), "drop_icmp"),
    ]
    for src in ("0.1.2.3", "127.0.0.1", "224.0.0.5", "240.0.0.1", "255.255.255.255",
                "10.99.0.255", OUR_IP):
        frames.append(("martian_" + src, to_us() / IP(src=src, dst=OUR_IP) /
                       ICMP(type=8, id=1, seq=1) / Raw(b"m" * 8), "drop_ip_martian"))
    # Runts stay short: padding would turn them into other (valid-length) garbage.
    return [(label, f if v == "drop_runt" else pad60(f), v) for label, f, v in frames]


def case_garbage_frames_silent(ctx):
    table = garbage_frames()
    run = run_daemon(ctx, "garbage", [f for _, f, _ in table])
    expect_silent(run)
    want = {}
    for _, _, v in table:
        want[v] = want.get(v, 0) + 1
    drops = {k: v for k, v in run.counters.items() if k.startswith("drop_")}
    if drops != want:
        raise CaseFailed("drop counters %s, want %s (frames: %s)" % (
            json.dumps(drops, sort_keys=True), json.dumps(want, sort_keys=True),
            ", ".join("%s->%s" % (lab, v) for lab, _, v in table)))
    expect(sum(drops.values()) == len(table), "drops sum %d != %d frames",
           sum(drops.values()), len(table))
    expect_counters(run, {"rx_packets": len(table), "sip_received": 0,
                          "icmp_echo_replied": 0, "arp_replied": 0, "arp_learned": 0})


def case_udp_to_closed_port_no_icmp(ctx):
    dgram = pad60(to_us() / IP(src=PEER_IP, dst=OUR_IP) / UDP(sport=5060, dport=5070) /
                  Raw(b"OPTIONS sip:x@10.99.0.1:5070 SIP/2.0\r\n\r\n"))
    run = run_daemon(ctx, "closed", [dgram])
    expect_silent(run)
    expect_counters(run, {"drop_udp_port": 1})


def case_icmp_echo_disabled(ctx):
    run = run_daemon(ctx, "echo_off", [echo_request(bytes(range(56)))],
                     iface_overrides={"icmp_echo": False})
    expect_silent(run)
    expect_counters(run, {"drop_icmp_disabled": 1, "icmp_echo_replied": 0})


def case_broadcast_arp_for_other_host_ignored(ctx):
    req = pad60(Ether(src=PEER_MAC, dst="ff:ff:ff:ff:ff:ff") /
                ARP(op="who-has", hwsrc=PEER_MAC, psrc=PEER_IP, pdst="10.99.0.77"))
    run = run_daemon(ctx, "arp_other", [req])
    expect_silent(run)
    expect_counters(run, {"drop_arp_not_us": 1, "arp_replied": 0, "arp_learned": 0})


# ---- SIP (GEN, UNAUTH): scan first, source policy, stateless answers -------------------------

UNKNOWN_MAC = "02:00:00:0a:63:07"   # an unknown source on the link, not the configured peer
UNKNOWN_IP = "10.99.0.7"
SCANNER_UA = "friendly-scanner"     # what sipvicious svmap/svwar/svcrack send


def sip_params(reply_unauthorized):
    """Config sections for SS_REPLY_UNAUTHORIZED "On"/"Off"; one account that no case names."""
    return {"params": {"SS_REPLY_UNAUTHORIZED": reply_unauthorized},
            "accounts": [{"user": "1001", "password": "secret-1001"}]}


def sip_request(method, user, rng, src_ip=UNKNOWN_IP, sport=5099, ua=SCANNER_UA,
                extra=b""):
    """A sipvicious-like request (bare ;rport in Via), random tags/ids from @rng."""
    ruri = "sip:%s" % OUR_IP if method == "REGISTER" else "sip:%s@%s" % (user, OUR_IP)
    lines = [
        "%s %s SIP/2.0" % (method, ruri),
        "Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK-%d;rport" % (src_ip, sport,
                                                            rng.getrandbits(32)),
        "Max-Forwards: 70",
        'To: "%s" <sip:%s@%s>' % (user, user, OUR_IP),
        'From: "%s" <sip:%s@%s>;tag=%016x' % (user, user, OUR_IP, rng.getrandbits(64)),
    ]
    if ua:
        lines.append("User-Agent: " + ua)
    lines += [
        "Call-ID: %d" % rng.getrandbits(60),
        "Contact: sip:%s@%s:%d" % (user, src_ip, sport),
        "CSeq: 1 %s" % method,
        "Accept: application/sdp",
        "Content-Length: 0",
    ]
    return ("\r\n".join(lines) + "\r\n").encode() + extra + b"\r\n"


def sip_frame(payload, src_ip=UNKNOWN_IP, src_mac=UNKNOWN_MAC, sport=5099):
    return pad60(to_us(src_mac=src_mac) / IP(src=src_ip, dst=OUR_IP, id=0x4321) /
                 UDP(sport=sport, dport=SIP_PORT) / Raw(payload))


def header_lines(msg):
    """Header lines of @msg (bytes), start line and the blank line excluded."""
    head = msg.split(b"\r\n\r\n", 1)[0]
    return head.split(b"\r\n")[1:]


def header(msg, name):
    """The whole first header line of @msg whose name is @name (case-insensitive), or None."""
    for line in header_lines(msg):
        if line.split(b":", 1)[0].strip().lower() == name.lower().encode():
            return line
    return None


def check_sip_answer(run, req_frame, code, reason, extra_lines=()):
    """The one frame out answers @req_frame: check_sip_answer_frame(). Returns the SIP payload."""
    expect(len(run.out) == 1, "expected 1 frame out, got %d", len(run.out))
    return check_sip_answer_frame(run.out[0], req_frame, code, reason, extra_lines)


def check_sip_answer_frame(out, req_frame, code, reason, extra_lines=()):
    """
    Frame @out (bytes) answers @req_frame: status line, Via with rport=<port> and received=,
    From/Call-ID/CSeq byte-identical, To with a minted tag, @extra_lines, Content-Length: 0,
    no Server header; sent from our address:5060 to the request's source ip:port and MAC.
    The frame is then rebuilt by scapy (checksums included) from the request and the two
    values we mint (To tag, nonce) and compared byte for byte. Returns the SIP payload.
    """
    got = Ether(out)
    req = req_frame
    expect(IP in got and UDP in got, "answer is not IPv4/UDP: %s", got.summary())
    expect(got.src == OUR_MAC and got.dst == req[Ether].src, "answer MACs %s -> %s, want %s",
           got.src, got.dst, req[Ether].src)
    expect(got[IP].src == OUR_IP and got[IP].dst == req[IP].src, "answer %s -> %s",
           got[IP].src, got[IP].dst)
    expect(got[UDP].sport == SIP_PORT and got[UDP].dport == req[UDP].sport,
           "answer ports %d -> %d", got[UDP].sport, got[UDP].dport)
    expect(ip_header_ok(bytes(got[IP])), "bad IPv4 header checksum")
    check = IP(bytes(got[IP]))
    del check[UDP].chksum
    expect(got[UDP].chksum != 0 and IP(bytes(check))[UDP].chksum == got[UDP].chksum,
           "bad UDP checksum %#x", got[UDP].chksum)
    body = bytes(got[UDP].payload)
    rq = bytes(req[Raw].load)
    status = ("SIP/2.0 %d %s" % (code, reason)).encode()
    expect(body.startswith(status + b"\r\n"), "status line %r, want %r",
           body.split(b"\r\n", 1)[0], status)
    expect(body.endswith(b"\r\n\r\n") and body.count(b"\r\n\r\n") == 1,
           "answer does not end its headers with one empty line")
    via = header(rq, "Via")
    expect(via.endswith(b";rport"), "test request Via must end in a bare ;rport")
    want_via = via + b"=%d;received=%s" % (req[UDP].sport, req[IP].src.encode())
    expect(header(body, "Via") == want_via, "Via %r, want %r", header(body, "Via"), want_via)
    for name in ("From", "Call-ID", "CSeq"):
        expect(header(body, name) == header(rq, name), "%s %r, want byte-identical %r", name,
               header(body, name), header(rq, name))
    to = header(body, "To") or b""
    m = re.fullmatch(re.escape(header(rq, "To")) + rb";tag=([0-9a-f]{16})", to)
    expect(m is not None, "To %r: want the request's To plus ;tag=<16 hex>", to)
    expect(header(body, "Content-Length") == b"Content-Length: 0", "Content-Length %r",
           header(body, "Content-Length"))
    expect(header(body, "Server") is None, "a Server header tells scanners what we are")
    lines = [status, want_via, header(rq, "From"), to, header(rq, "Call-ID"),
             header(rq, "CSeq")] + [x if isinstance(x, bytes) else x(body) for x in extra_lines]
    want = b"\r\n".join(lines + [b"Content-Length: 0", b"", b""])
    expect_same_bytes("SIP answer", body, want)
    rebuilt = (from_us(dst_mac=req[Ether].src) /
               IP(src=OUR_IP, dst=req[IP].src, id=got[IP].id, ttl=64, flags=0) /
               UDP(sport=SIP_PORT, dport=req[UDP].sport) / Raw(want))
    expect_same_bytes("answer frame", out, bytes(rebuilt))
    return body


def www_authenticate(body):
    """Our challenge once its format is checked: the registrar's, for known and unknown users
    alike (I-2): MD5 first, then SHA-256 (RFC 8760), one stateless nonce each, realm = domain."""
    lines = [l for l in body.split(b"\r\n") if l.lower().startswith(b"www-authenticate:")]
    expect(len(lines) == 2, "want two WWW-Authenticate lines (MD5, SHA-256), got %r", lines)
    for line, alg in zip(lines, (b"MD5", b"SHA-256")):
        expect(re.fullmatch(rb'WWW-Authenticate: Digest realm="sipfast\.test", '
                            rb'nonce="[A-Za-z0-9_-]{40}", qop="auth", algorithm=' + alg, line)
               is not None, "WWW-Authenticate %r: want Digest realm, nonce, qop, algorithm=%s",
               line, alg.decode())
    return b"\r\n".join(lines)


def case_unauth5_unknown_silent_off(ctx):
    rng = random.Random(5)
    plain = [("REGISTER", "sip_drop_unknown_register"), ("INVITE", "sip_drop_unknown_invite"),
             ("OPTIONS", "sip_drop_unknown_options")]
    frames, sources = [], ["10.99.0.%d" % (10 + i) for i in range(6)]
    for i, (method, _) in enumerate(plain):
        user = str(rng.randrange(100, 99999))
        frames.append(sip_frame(sip_request(method, user, rng, src_ip=sources[i],
                                            ua="Linphone/5.2.0 (belle-sip/5.2.0)"),
                                src_ip=sources[i]))
        frames.append(sip_frame(sip_request(method, user, rng, src_ip=sources[3 + i]),
                                src_ip=sources[3 + i]))
    run = run_daemon(ctx, "unauth5", frames, config_overrides=sip_params("Off"))
    expect_silent(run)
    want = {v: 1 for _, v in plain}
    want.update({"sip_drop_scanner_ua": 3, "sip_received": len(frames),
                 "sip_drop_malformed": 0, "sip_rejected_unknown": 0,
                 "sip_challenged_unknown": 0, "sip_drop_unknown_other": 0})
    expect_counters(run, want)


def case_unauth1_register_challenged_on(ctx):
    rng = random.Random(1)
    req = sip_frame(sip_request("REGISTER", "2001", rng))   # svwar-like, scanner UA
    run = run_daemon(ctx, "unauth1", [req], config_overrides=sip_params("On"))
    check_sip_answer(run, req, 401, "Unauthorized", [www_authenticate])
    expect_counters(run, {"sip_challenged_unknown": 1, "sip_drop_scanner_ua": 0,
                          "sip_drop_unknown_register": 0, "tx_packets": 1})


def case_unauth_invite_forbidden_on(ctx):
    rng = random.Random(3)
    req = sip_frame(sip_request("INVITE", "8801911000000", rng))
    run = run_daemon(ctx, "unauth3", [req], config_overrides=sip_params("On"))
    body = check_sip_answer(run, req, 403, "Forbidden")
    expect(header(body, "WWW-Authenticate") is None, "UNAUTH-3: a 403 carries no challenge")
    expect_counters(run, {"sip_rejected_unknown": 1, "sip_drop_scanner_ua": 0,
                          "sip_drop_unknown_invite": 0, "tx_packets": 1})


def case_options_from_gateway_200(ctx):
    rng = random.Random(9)
    req = sip_frame(sip_request("OPTIONS", "gw", rng, src_ip=PEER_IP, sport=5071, ua=None),
                    src_ip=PEER_IP, src_mac=PEER_MAC, sport=5071)
    cfg = sip_params("Off")
    cfg["gateways"] = [{"name": "peer", "address": PEER_IP}]
    run = run_daemon(ctx, "options_gw", [req], config_overrides=cfg)
    check_sip_answer(run, req, 200, "OK", [
        b"Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, UPDATE",
        b"Accept: application/sdp", b"Supported: timer"])
    expect_counters(run, {"sip_replied_options": 1, "tx_packets": 1})


def case_gen1_malformed_silent_on(ctx):
    rng = random.Random(11)
    good = sip_request("INVITE", "5555", rng, ua="sipp")
    no_via = b"\r\n".join(l for l in good.split(b"\r\n") if not l.startswith(b"Via:"))
    table = [
        ("bad_request_line", b"INVITE sip:5555@10.99.0.1\r\n" + good.split(b"\r\n", 1)[1]),
        ("missing_via", no_via),
        ("truncated", good[:good.index(b"Call-ID:") + 12]),
        ("hello", b"HELLO"),
    ]
    run = run_daemon(ctx, "gen1", [sip_frame(p) for _, p in table],
                     config_overrides=sip_params("On"))
    expect_silent(run)
    expect_counters(run, {"sip_drop_malformed": len(table), "sip_received": len(table),
                          "sip_rejected_unknown": 0, "sip_challenged_unknown": 0,
                          "sip_drop_unknown_invite": 0, "sip_drop_reply_failed": 0})


def case_unauth6_retransmission_silent(ctx):
    req = sip_frame(sip_request("INVITE", "8801911000000", random.Random(6), ua="sipp"))
    run = run_daemon(ctx, "unauth6", [req] * 3, config_overrides=sip_params("Off"))
    expect_silent(run)
    expect_counters(run, {"sip_drop_unknown_invite": 3, "sip_received": 3,
                          "sip_drop_scanner_ua": 0})


def corrupt_udp_cksum(frame):
    """@frame with its (non-zero) UDP checksum made wrong, never the "none" value 0."""
    f = Ether(bytes(frame))
    good = f[UDP].chksum
    expect(good != 0, "frame has no UDP checksum to corrupt")
    f[UDP].chksum = (good ^ 0x0101) or 0x0101
    return f


def case_bad_udp_checksum_gate(ctx):
    """A corrupted datagram is never answered. From the gateway it is counted drop_udp_bad_cksum
    (not sip_received), as always. Since the checksum is verified only where a datagram could
    cause something (sip_input()'s gate), a corrupted flood request that the skim drops as
    certainly unknown (SS_REPLY_UNAUTHORIZED Off) is counted as that drop, here a scanner
    User-Agent, and sip_received (docs/ARCHITECTURE.md, net/udp.c)."""
    rng = random.Random(21)
    gw_req = sip_frame(sip_request("OPTIONS", "gw", rng, src_ip=PEER_IP, sport=5071, ua=None),
                       src_ip=PEER_IP, src_mac=PEER_MAC, sport=5071)
    scan_req = sip_frame(sip_request("REGISTER", "2001", rng))
    cfg = sip_params("Off")
    cfg["gateways"] = [{"name": "peer", "address": PEER_IP}]
    run = run_daemon(ctx, "bad_udp_cksum", [corrupt_udp_cksum(gw_req), corrupt_udp_cksum(scan_req)],
                     config_overrides=cfg)
    expect_silent(run)
    expect_counters(run, {"drop_udp_bad_cksum": 1, "sip_replied_options": 0,
                          "sip_drop_scanner_ua": 1, "sip_received": 1, "tx_packets": 0})


# ---- registrar (AUTH, LOCK, REG): challenge, digest answer, binding ------------------------
#
# The replay is offline, so every digest answer is in the pcap before the daemon starts. With
# --bench-fixed-nonce (BENCHMARK/TEST ONLY) sipfastd keys its nonces from a fixed seed and
# freezes the registrar clock, so scripts/bench_nonce.py predicts each challenge's nonce: the
# cases check that the 401s carry exactly those (the bench mode is deterministic) and answer
# them. The frozen clock also means no session ever times out and a grant is read back whole.

FIXED_NONCE = ["--bench-fixed-nonce"]
REALM = BASE_CONFIG["sip"]["domain"]   # the digest realm is the SIP domain
REG_URI = "sip:" + REALM               # Request-URI of the REGISTERs and the digest uri
NONCE_WORKER = 0                       # nonce byte 2: the one worker (--lcores 0@0,1@1)
PHONE_USER, PHONE_PASSWORD = "1001", "secret-1001"
PHONE_MAC = "02:00:00:0a:63:14"
PHONE_IP = "10.99.0.20"


def registrar_config(reply_unauthorized, **params):
    """One account (the phone's); SS_REPLY_UNAUTHORIZED and any other params as given."""
    params["SS_REPLY_UNAUTHORIZED"] = reply_unauthorized
    return {"params": params,
            "accounts": [{"user": PHONE_USER, "password": PHONE_PASSWORD}]}


class Phone:
    """A registering UA as RFC 3261 10.2 has it: one Call-ID and From tag for all its
    REGISTERs, CSeq counting up and a new Via branch per request (so answering a challenge is
    a new request). Sends from @src_ip:@sport; its Via and Contact name @contact_ip:@contact_port
    (its private address behind a NAT, else the same)."""

    def __init__(self, rng, src_ip=PHONE_IP, sport=5062, contact_ip=None, contact_port=None):
        self.rng = rng
        self.src_ip, self.sport = src_ip, sport
        self.contact_ip = contact_ip or src_ip
        self.contact_port = contact_port or sport
        self.call_id = "golden-%016x@%s" % (rng.getrandbits(64), self.contact_ip)
        self.from_tag = "%08x" % rng.getrandbits(32)
        self.cseq = 0
        self.last = None  # (Via branch, CSeq) of the latest REGISTER: what a 401 is keyed on

    def contact_uri(self):
        return "sip:%s@%s:%d" % (PHONE_USER, self.contact_ip, self.contact_port)

    def register(self, expires, nonce=None, password=PHONE_PASSWORD):
        """The next REGISTER as a frame: without credentials when @nonce is None, else with an
        MD5 digest over @nonce computed from @password (a wrong one makes a wrong answer)."""
        self.cseq += 1
        branch = "z9hG4bK-%08x" % self.rng.getrandbits(32)
        self.last = (branch, self.cseq)
        lines = [
            "REGISTER %s SIP/2.0" % REG_URI,
            "Via: SIP/2.0/UDP %s:%d;branch=%s;rport" % (self.contact_ip, self.contact_port,
                                                        branch),
            "Max-Forwards: 70",
            "From: <sip:%s@%s>;tag=%s" % (PHONE_USER, REALM, self.from_tag),
            "To: <sip:%s@%s>" % (PHONE_USER, REALM),
            "Call-ID: %s" % self.call_id,
            "CSeq: %d REGISTER" % self.cseq,
            "Contact: <%s>" % self.contact_uri(),
            "Expires: %d" % expires,
        ]
        if nonce is not None:
            cnonce = "%08x" % self.rng.getrandbits(32)
            lines.append(digest_authorization(PHONE_USER, REALM, password, "REGISTER",
                                              REG_URI, nonce, cnonce))
        lines += ["User-Agent: golden-phone/1.0", "Content-Length: 0"]
        payload = ("\r\n".join(lines) + "\r\n\r\n").encode()
        return sip_frame(payload, src_ip=self.src_ip, src_mac=PHONE_MAC, sport=self.sport)

    def predicted_nonce(self, now=BENCH_NOW_S):
        """The nonce sipfastd --bench-fixed-nonce puts in its challenge to the latest REGISTER:
        keyed on our source IP, Call-ID and that request's Via branch and CSeq; @now: the
        registrar clock when it was challenged (--bench-clock-step moves it on)."""
        return nonce_for(self.src_ip, self.call_id, REALM, worker=NONCE_WORKER,
                         req_tag=request_tag(*self.last), now=now)


def challenge_with(nonce):
    """An @extra_lines check for check_sip_answer_frame(): the two WWW-Authenticate lines in
    www_authenticate()'s format, both carrying exactly the predicted @nonce."""
    def check(body):
        lines = www_authenticate(body)
        got = re.findall(rb'nonce="([^"]*)"', lines)
        expect(got == [nonce.encode()] * 2, "challenge nonces %r, predicted %r (is "
               "--bench-fixed-nonce still deterministic, bench_nonce.py still nonce.c?)",
               got, nonce)
        return lines
    return check


def registered_lines(contact_uri, granted):
    """What reg_ok() (dataplane/registrar/registrar.c) adds to a 200 OK for a live binding:
    the bound Contact with its remaining expiry, and the same in an Expires header."""
    return [b"Contact: <%s>;expires=%d" % (contact_uri.encode(), granted),
            b"Expires: %d" % granted]


def challenge_then_answer(phone, expires):
    """The phone's REGISTER without credentials, then its correct answer to the challenge
    (computed from the predicted nonce). Returns (frames, predicted nonce)."""
    first = phone.register(expires)
    nonce = phone.predicted_nonce()
    return [first, phone.register(expires, nonce=nonce)], nonce


def check_challenge_then_ok(run, frames, nonce, contact_uri, granted):
    """401 with the predicted nonce to frames[0], then 200 OK granting @granted to frames[1]."""
    expect(len(run.out) == 2, "expected 2 frames out (401, 200), got %d", len(run.out))
    check_sip_answer_frame(run.out[0], frames[0], 401, "Unauthorized", [challenge_with(nonce)])
    check_sip_answer_frame(run.out[1], frames[1], 200, "OK",
                           registered_lines(contact_uri, granted))


def case_reg_challenge_then_200(ctx):
    """AUTH-1, AUTH-3, REG-1: a configured account's REGISTER without credentials gets a 401
    with both WWW-Authenticate lines; its correct MD5 answer asking Expires 7200 gets a 200 OK
    granting SS_ENDPOINT_EXPIRE = 3600 (not behind NAT: Via and Contact are its source
    address). SS_REPLY_UNAUTHORIZED Off: a configured user name is still served (UNAUTH-7)."""
    phone = Phone(random.Random(31))
    frames, nonce = challenge_then_answer(phone, expires=7200)
    run = run_daemon(ctx, "reg_ok", frames, daemon_args=FIXED_NONCE,
                     config_overrides=registrar_config("Off", SS_ENDPOINT_EXPIRE=3600))
    check_challenge_then_ok(run, frames, nonce, phone.contact_uri(), 3600)
    expect_counters(run, {"reg_challenges": 1, "sip_register_challenged": 1, "reg_ok": 1,
                          "sip_register_ok": 1, "reg_fail_wrong": 0, "tx_packets": 2})


def case_reg_wrong_answers_locked(ctx):
    """LOCK-7, LOCK-2 (and AUTH-4's fresh nonce per re-challenge, not its six-challenge budget:
    that is case_reg_auth4_six_challenges) with SS_REPLY_UNAUTHORIZED On (final reject = 403) and
    SS_ENDPOINT_REGISTER_RETRY = 3 (below SS_SIP_AUTHENTICATION_RETRY, so the lockout ends
    the session): REGISTER without credentials -> 401; wrong answers 1 and 2 -> a new 401 each,
    with a fresh nonce; wrong answer 3 -> 403 and (source IP, user) suspended; then even the
    correct answer -> 403, nothing counted as a failure."""
    phone = Phone(random.Random(47))
    retry = 3
    frames, nonces = [phone.register(3600)], []
    for _ in range(retry):
        nonces.append(phone.predicted_nonce())
        frames.append(phone.register(3600, nonce=nonces[-1], password="not-" + PHONE_PASSWORD))
    frames.append(phone.register(3600, nonce=nonces[-1]))  # correct, but suspended
    expect(len(set(nonces)) == retry, "predicted nonces repeat: %r", nonces)
    run = run_daemon(ctx, "reg_lock", frames, daemon_args=FIXED_NONCE,
                     config_overrides=registrar_config("On", SS_ENDPOINT_REGISTER_RETRY=retry,
                                                       SS_SIP_AUTHENTICATION_RETRY=6))
    expect(len(run.out) == len(frames), "expected %d frames out (%d x 401, 2 x 403), got %d",
           len(frames), retry, len(run.out))
    for i, nonce in enumerate(nonces):  # the challenge and the re-challenges
        check_sip_answer_frame(run.out[i], frames[i], 401, "Unauthorized",
                               [challenge_with(nonce)])
    for i in (retry, retry + 1):  # the lockout, then a request while suspended
        body = check_sip_answer_frame(run.out[i], frames[i], 403, "Forbidden")
        expect(header(body, "WWW-Authenticate") is None, "frame %d: a 403 with a challenge", i)
    expect_counters(run, {"reg_challenges": retry, "reg_fail_wrong": retry, "reg_lockouts": 1,
                          "reg_fail_locked": 1, "reg_fail_final": 0, "reg_ok": 0,
                          "sip_register_challenged": retry, "sip_register_rejected": 2,
                          "tx_packets": len(frames)})


def case_reg_auth4_six_challenges(ctx):
    """AUTH-4: SS_SIP_AUTHENTICATION_RETRY = 6 (SS_ENDPOINT_REGISTER_RETRY 0: no lockout to end
    the session first), SS_REPLY_UNAUTHORIZED On: a REGISTER without credentials -> 401, wrong
    answers 1..5 -> a 401 each with a fresh nonce, wrong answer 6 -> the final 403: exactly six
    challenges in the session."""
    phone = Phone(random.Random(61))
    retry = 6
    frames, nonces = [phone.register(3600)], []
    for _ in range(retry):
        nonces.append(phone.predicted_nonce())
        frames.append(phone.register(3600, nonce=nonces[-1], password="not-" + PHONE_PASSWORD))
    expect(len(set(nonces)) == retry, "predicted nonces repeat: %r", nonces)
    run = run_daemon(ctx, "reg_auth4", frames, daemon_args=FIXED_NONCE,
                     config_overrides=registrar_config("On", SS_ENDPOINT_REGISTER_RETRY=0,
                                                       SS_SIP_AUTHENTICATION_RETRY=retry))
    expect(len(run.out) == len(frames), "expected %d frames out (6 x 401, 1 x 403), got %d",
           len(frames), len(run.out))
    for i, nonce in enumerate(nonces):
        check_sip_answer_frame(run.out[i], frames[i], 401, "Unauthorized",
                               [challenge_with(nonce)])
    body = check_sip_answer_frame(run.out[retry], frames[retry], 403, "Forbidden")
    expect(header(body, "WWW-Authenticate") is None, "the final reject carries a challenge")
    expect_counters(run, {"reg_challenges": retry, "reg_fail_wrong": retry, "reg_lockouts": 0,
                          "reg_fail_final": 1, "reg_ok": 0, "sip_register_challenged": retry,
                          "sip_register_rejected": 1, "tx_packets": len(frames)})


def case_reg_auth8_timeout_before_retry(ctx):
    """AUTH-8 on a clock that advances: sipfastd --bench-clock-step 2 (TEST ONLY) moves the
    registrar clock 2 s per SIP datagram, so with SS_SIP_AUTHENTICATION_TIMEOUT 5 and RETRY 6
    the REGISTER without credentials is challenged at t0, wrong answers at +2 s and +4 s get
    a 401 each (fresh nonces, issued at +2 s and +4 s), and the answer at +6 s - correct, over
    a 2 s old nonce - gets the final 403: the session timed out before its retry count."""
    phone = Phone(random.Random(83))
    step, frames, nonces = 2, [phone.register(3600)], []
    for k in range(1, 4):
        nonces.append(phone.predicted_nonce(now=BENCH_NOW_S + (k - 1) * step))
        password = PHONE_PASSWORD if k == 3 else "not-" + PHONE_PASSWORD
        frames.append(phone.register(3600, nonce=nonces[-1], password=password))
    run = run_daemon(ctx, "reg_auth8", frames,
                     daemon_args=FIXED_NONCE + ["--bench-clock-step", str(step)],
                     config_overrides=registrar_config("On", SS_SIP_AUTHENTICATION_TIMEOUT=5,
                                                       SS_SIP_AUTHENTICATION_RETRY=6,
                                                       SS_ENDPOINT_REGISTER_RETRY=0))
    expect(len(run.out) == len(frames), "expected %d frames out (3 x 401, 1 x 403), got %d",
           len(frames), len(run.out))
    for i, nonce in enumerate(nonces):
        check_sip_answer_frame(run.out[i], frames[i], 401, "Unauthorized",
                               [challenge_with(nonce)])
    body = check_sip_answer_frame(run.out[3], frames[3], 403, "Forbidden")
    expect(header(body, "WWW-Authenticate") is None, "the final reject carries a challenge")
    expect_counters(run, {"reg_challenges": 3, "reg_fail_wrong": 2, "reg_fail_final": 1,
                          "reg_ok": 0, "sip_register_rejected": 1, "tx_packets": 4})


def case_reg_nat_expiry_capped(ctx):
    """REG-3 (I-8): a REGISTER from 10.99.0.20:40001 whose Via and Contact name its private
    192.168.1.10:5060 (behind NAT) asks Expires 3600 -> the 200 OK grants
    SS_ENDPOINT_NAT_EXPIRE = 300, listing the Contact as sent; answers go to the source."""
    phone = Phone(random.Random(53), sport=40001, contact_ip="192.168.1.10", contact_port=5060)
    frames, nonce = challenge_then_answer(phone, expires=3600)
    run = run_daemon(ctx, "reg_nat", frames, daemon_args=FIXED_NONCE,
                     config_overrides=registrar_config("Off", SS_ENDPOINT_EXPIRE=3600,
                                                       SS_ENDPOINT_NAT_EXPIRE=300))
    check_challenge_then_ok(run, frames, nonce, phone.contact_uri(), 300)
    expect_counters(run, {"reg_challenges": 1, "reg_ok": 1, "sip_register_ok": 1,
                          "tx_packets": 2})


# ---- issue 12 defect 1: a flood of incomplete fragments must not stop the service ---------

FLOOD_SOURCES = 4096   # = runtime.frag_max_flows, the production table size
FLOOD_PIECES = 7       # 8-byte fragments at offsets 0..48, MF set: never complete


def ipv4_cksum(hdr):
    s = sum(struct.unpack("!10H", hdr))
    s = (s & 0xffff) + (s >> 16)
    s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def flood_frames():
    """FLOOD_SOURCES x FLOOD_PIECES incomplete UDP fragments from 172.16.0.0/20 (off-link
    sources through the gateway's MAC), built as bytes: scapy would take minutes."""
    eth = mac_bytes(OUR_MAC) + mac_bytes(PEER_MAC) + b"\x08\x00"
    dst = bytes(int(x) for x in OUR_IP.split("."))
    frames = []
    for i in range(FLOOD_SOURCES):
        src = bytes([172, 16, i >> 8, i & 255])
        for k in range(FLOOD_PIECES):
            hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, i, 0x2000 | k, 64, 17, 0, src, dst)
            hdr = hdr[:10] + struct.pack("!H", ipv4_cksum(hdr)) + hdr[12:]
            frames.append(eth + hdr + b"fragfrag" + bytes(18))  # padded to 60 bytes
    return frames


def case_harden1_fragment_flood_service(ctx):
    """Issue 12 defect 1: 4,096 sources x 7 fragments of datagrams that never complete (28,672
    frames, the production table size, more than the 8,191-mbuf packet pool), then a gateway's
    OPTIONS and a phone's digest REGISTER. Before the fix the tables held the packet pool's
    mbufs: the pool ran dry, net_pcap dropped the frames it could not store, and the requests
    never got through (the daemon never saw all its frames: "did not stop"). Now the
    fragments go to the fragment pool (runtime.frag_mbufs) and every refusal is counted."""
    rng = random.Random(77)
    flood = flood_frames()
    options = sip_frame(sip_request("OPTIONS", "gw", rng, src_ip=PEER_IP, sport=5071, ua=None),
                        src_ip=PEER_IP, src_mac=PEER_MAC, sport=5071)
    phone = Phone(random.Random(31))
    reg, nonce = challenge_then_answer(phone, expires=3600)
    cfg = registrar_config("Off", SS_ENDPOINT_EXPIRE=3600)
    cfg["gateways"] = [{"name": "peer", "address": PEER_IP}]
    frag_mbufs = 2047
    run = run_daemon(ctx, "fragflood", flood + [options] + reg, daemon_args=FIXED_NONCE,
                     config_overrides=dict(cfg, runtime=dict(BASE_CONFIG["runtime"],
                                                             frag_mbufs=frag_mbufs)))
    expect(len(run.out) == 3, "expected 3 frames out (200 to OPTIONS, 401, 200), got %d",
           len(run.out))
    check_sip_answer_frame(run.out[0], options, 200, "OK", [
        b"Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, UPDATE",
        b"Accept: application/sdp", b"Supported: timer"])
    check_sip_answer_frame(run.out[1], reg[0], 401, "Unauthorized", [challenge_with(nonce)])
    check_sip_answer_frame(run.out[2], reg[1], 200, "OK",
                           registered_lines(phone.contact_uri(), 3600))
    held = run.counter("frag_held")
    refused = run.counter("drop_frag_pool_empty") + run.counter("drop_frag") + \
        run.counter("drop_frag_source_budget")
    expect(held + refused == len(flood), "fragments: %d held + %d refused != %d sent", held,
           refused, len(flood))
    expect_counters(run, {"sip_replied_options": 1, "reg_ok": 1, "tx_packets": 3})


# ---- calls (issue 13) ------------------------------------------------------------------------

CALLEE_GW_IP = "192.0.2.10"          # off-link: reached through the interface's gateway
GATEWAY_MAC = "02:00:00:0a:63:fe"    # static (interfaces[].gateway_mac): no ARP in the replay
TOKEN_RE = re.compile(rb"sf1([0-9a-f]{2})([0-9a-f]{6})([0-9a-f]{4})([0-9a-f])([0-9a-f]{8})")


def decode_token(tok):
    """A token we minted (sip/token.h): (owner, slot, gen, sub, entropy), or None."""
    m = TOKEN_RE.fullmatch(tok)
    return tuple(int(g, 16) for g in m.groups()) if m else None


def call_gateway_invite(src_ip, sport, called):
    sdp = (b"v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
           b"m=audio 4000 RTP/AVP 0\r\n") % (src_ip.encode(), src_ip.encode())
    head = "\r\n".join([
        "INVITE sip:%s@%s SIP/2.0" % (called, OUR_IP),
        "Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK-gold-1;rport" % (src_ip, sport),
        "Max-Forwards: 70",
        'From: "Carrier" <sip:5551234@%s>;tag=gw-from-1' % src_ip,
        "To: <sip:%s@%s>" % (called, OUR_IP),
        "Call-ID: golden-call-1@%s" % src_ip,
        "CSeq: 10 INVITE",
        "Contact: <sip:5551234@%s:%d>" % (src_ip, sport),
        "Content-Type: application/sdp",
        "Content-Length: %d" % len(sdp),
    ]).encode()
    return head + b"\r\n\r\n" + sdp, sdp


def case_call_gateway_invite_100_and_b_leg(ctx):
    """
    An INVITE from a configured gateway: 100 Trying back to it at once (INV-6, no To tag) and
    the INVITE on the B leg to the gateway its number's prefix routes to, through the
    interface's gateway MAC. Bytes compared, except the minted tokens (branch, From tag,
    Call-ID), which are decoded: ours, one owner, one slot and generation, their subs.
    """
    payload, sdp = call_gateway_invite(PEER_IP, 5060, "88123")
    req = sip_frame(payload, src_ip=PEER_IP, src_mac=PEER_MAC, sport=5060)
    cfg = {"params": {}, "accounts": [],
           "gateways": [{"name": "caller", "address": PEER_IP},
                        {"name": "callee", "address": CALLEE_GW_IP, "prefixes": ["88"]}],
           "runtime": {"mbufs_per_socket": 8191, "big_mbufs": 255, "calls_per_worker": 256}}
    run = run_daemon(ctx, "call_gw", [req], iface_overrides={"gateway_mac": GATEWAY_MAC},
                     config_overrides=cfg)
    expect(len(run.out) == 2, "expected 2 frames out (100, INVITE), got %d", len(run.out))
    # 100 Trying: the request's Via/From/To/Call-ID/CSeq, no tag
    got = Ether(run.out[0])
    body = bytes(got[UDP].payload)
    rq = payload
    want = b"\r\n".join([b"SIP/2.0 100 Trying",
                          header(rq, "Via") + b"=5060;received=" + PEER_IP.encode(),
                          header(rq, "From"), header(rq, "To"), header(rq, "Call-ID"),
                          header(rq, "CSeq"), b"Content-Length: 0", b"", b""])
    expect_same_bytes("100 Trying", body, want)
    rebuilt = (from_us(dst_mac=PEER_MAC) /
               IP(src=OUR_IP, dst=PEER_IP, id=got[IP].id, ttl=64, flags=0) /
               UDP(sport=SIP_PORT, dport=5060) / Raw(want))
    expect_same_bytes("100 Trying frame", run.out[0], bytes(rebuilt))
    # the B leg's INVITE
    got = Ether(run.out[1])
    expect(got.dst == GATEWAY_MAC and got[IP].dst == CALLEE_GW_IP and got[UDP].dport == 5060,
           "B leg INVITE to %s %s:%d", got.dst, got[IP].dst, got[UDP].dport)
    body = bytes(got[UDP].payload)
    toks = TOKEN_RE.findall(body)
    expect(len(toks) == 3, "want 3 tokens (branch, From tag, Call-ID), got %d", len(toks))
    dec = [decode_token(b"sf1" + b"".join(t)) for t in toks]
    expect(len({(d[0], d[1], d[2], d[4]) for d in dec}) == 1,
           "the tokens name one call: %r", dec)
    expect([d[3] for d in dec] == [3, 2, 1], "token subs %r, want branch 3, tag 2, Call-ID 1",
           [d[3] for d in dec])
    branch, tag, cid = [b"sf1" + b"".join(t) for t in toks]
    want = b"\r\n".join([
        b"INVITE sip:88123@%s:5060 SIP/2.0" % CALLEE_GW_IP.encode(),
        b"Via: SIP/2.0/UDP %s:5060;branch=z9hG4bK%s;rport" % (OUR_IP.encode(), branch),
        b"Max-Forwards: 69",
        b'From: "Carrier" <sip:5551234@%s>;tag=%s' % (PEER_IP.encode(), tag),
        b"To: <sip:88123@%s:5060>" % CALLEE_GW_IP.encode(),
        b"Call-ID: %s@%s" % (cid, OUR_IP.encode()),
        b"CSeq: 1 INVITE",
        b"Contact: <sip:%s:5060>" % OUR_IP.encode(),
        b"Content-Type: application/sdp",
        b"Content-Length: %d" % len(sdp),
        b"", sdp])
    expect_same_bytes("B leg INVITE", body, want)
    rebuilt = (from_us(dst_mac=GATEWAY_MAC) /
               IP(src=OUR_IP, dst=CALLEE_GW_IP, id=got[IP].id, ttl=64, flags=0) /
               UDP(sport=SIP_PORT, dport=5060) / Raw(want))
    expect_same_bytes("B leg INVITE frame", run.out[1], bytes(rebuilt))
    expect_counters(run, {"sip_invite_admitted": 1, "call_setup": 1, "tx_packets": 2})


CASES = [
    ("PCAP_arp_request_reply", case_arp_request_reply),
    ("PCAP_icmp_echo_reply", case_icmp_echo_reply),
    ("PCAP_icmp_echo_large_fragmented", case_icmp_echo_large_fragmented),
    ("PCAP_fragmented_udp_counted_once", case_fragmented_udp_counted_once),
    ("PCAP_fragmented_udp_out_of_order", case_fragmented_udp_out_of_order),
    ("PCAP_garbage_frames_silent", case_garbage_frames_silent),
    ("PCAP_udp_to_closed_port_no_icmp", case_udp_to_closed_port_no_icmp),
    ("PCAP_icmp_echo_disabled", case_icmp_echo_disabled),
    ("PCAP_broadcast_arp_for_other_host_ignored", case_broadcast_arp_for_other_host_ignored),
    ("PCAP_UNAUTH_5_unknown_sources_silent_off", case_unauth5_unknown_silent_off),
    ("PCAP_UNAUTH_1_register_challenged_on", case_unauth1_register_challenged_on),
    ("PCAP_UNAUTH_invite_forbidden_on", case_unauth_invite_forbidden_on),
    ("PCAP_options_from_gateway_200", case_options_from_gateway_200),
    ("PCAP_bad_udp_checksum_gate", case_bad_udp_checksum_gate),
    ("PCAP_GEN_1_malformed_silent_on", case_gen1_malformed_silent_on),
    ("PCAP_UNAUTH_6_retransmission_silent", case_unauth6_retransmission_silent),
    ("PCAP_AUTH_1_REG_1_register_challenge_then_200", case_reg_challenge_then_200),
    ("PCAP_LOCK_7_LOCK_2_register_retry_3_locks_out_on", case_reg_wrong_answers_locked),
    ("PCAP_AUTH_4_register_six_challenges_then_403_on", case_reg_auth4_six_challenges),
    ("PCAP_AUTH_8_register_session_timeout_before_retry_on", case_reg_auth8_timeout_before_retry),
    ("PCAP_REG_3_nat_register_expiry_capped", case_reg_nat_expiry_capped),
    ("PCAP_CALL_gateway_invite_100_and_b_leg", case_call_gateway_invite_100_and_b_leg),
    ("PCAP_HARDEN_1_fragment_flood_gateway_and_register_served",
     case_harden1_fragment_flood_service),
]


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr if len(argv) < 2 else sys.stdout)
        return 2 if len(argv) < 2 else 0
    only = set(argv[2:])
    unknown = only - {cid for cid, _ in CASES}
    if unknown:
        print("golden.py: no case %s" % ", ".join(sorted(unknown)), file=sys.stderr)
        return 2
    cases = [(cid, fn) for cid, fn in CASES if not only or cid in only]
    daemon = os.path.join(os.path.abspath(argv[1]), "ctrlplane", "sipfastd")
    setup_error = None
    if BENCH_NONCE_ERROR is not None:
        setup_error = "scripts/bench_nonce.py not importable (%s)" % BENCH_NONCE_ERROR
    elif SCAPY_ERROR is not None:
        setup_error = "scapy not importable (%s); install python3-scapy" % SCAPY_ERROR
    elif not os.access(daemon, os.X_OK):
        setup_error = "%s not built" % daemon
    failed = 0
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="sfgolden.") as tmp:
        ctx = {"daemon": daemon, "tmp": tmp}
        for cid, fn in cases:
            try:
                if setup_error:
                    raise CaseFailed(setup_error)
                fn(ctx)
                print("PASS %s" % cid, flush=True)
            except CaseFailed as e:
                failed += 1
                print("FAIL %s: %s" % (cid, e), flush=True)
            except Exception as e:  # a bug in the case itself still reports the case
                failed += 1
                print("FAIL %s: %s: %s" % (cid, type(e).__name__, e), flush=True)
    print("# %d case(s), %d failed, %.1f s" % (len(cases), failed,
                                              time.monotonic() - started), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
