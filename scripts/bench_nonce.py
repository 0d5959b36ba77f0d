# SPDX-License-Identifier: BSD-3-Clause
"""The nonces `sipfastd -- --bench-fixed-nonce` issues, and digest answers to them.

BENCHMARK/TEST ONLY. With --bench-fixed-nonce the daemon keys its nonces from a fixed seed and
freezes the registrar clock (ctrlplane/ctl_registrar.c), so every challenge it would send can
be recomputed here and a pcap built up front can carry digests that verify, run after run.
Used by scripts/bench_gen.py (benchmark pcaps) and tests/pcap/golden.py (registrar cases).
Standard library only: importing this module needs no scapy.
"""
import base64
import hashlib
import hmac
import struct

# sipfastd --bench-fixed-nonce: ctrlplane/ctl_registrar.c CTL_REG_BENCH_NONCE_SEED and
# CTL_REG_BENCH_NOW_S. Change them together.
BENCH_NONCE_SEED = 0x736662656e6368
BENCH_NOW_S = 1000000
NONCE_VERSION = 2  # dataplane/auth/nonce.c NONCE_VERSION (30 bytes, 40 characters)


def md5hex(s):
    return hashlib.md5(s.encode()).hexdigest()


def bench_nonce_key():
    """nonce_keyring_init_deterministic(): 32 bytes from a 64-bit LCG, top byte each step."""
    seed, key = BENCH_NONCE_SEED, bytearray()
    for _ in range(32):
        seed = (seed * 6364136223846793005 + 1442695040888963407) & 0xffffffffffffffff
        key.append(seed >> 56)
    return bytes(key)


BENCH_NONCE_KEY = bench_nonce_key()


def fnv1a32(text):
    """nonce.c call_tag(): 32-bit FNV-1a of @text's bytes."""
    h = 2166136261
    for b in text.encode():
        h = ((h ^ b) * 16777619) & 0xffffffff
    return h


def request_tag(via_branch, cseq):
    """nonce_request_tag() of the challenged request: FNV-1a(top Via branch) ^ CSeq number.
    The nonce keeps its low 24 bits."""
    return fnv1a32(via_branch) ^ cseq


def nonce_for(src_ip, call_id, realm, worker=0, req_tag=0, now=BENCH_NOW_S):
    """A nonce sipfastd --bench-fixed-nonce would issue (nonce.c): version 2, key id 0 (gen 0),
    worker, BE32 time, BE32 FNV-1a(Call-ID), BE24 request tag (low bits of
    request_tag(Via branch, CSeq) of the challenged request), then HMAC-SHA256(key, those 14
    bytes | source IP in network order | BE16 realm length | realm)[:16]; base64url without
    padding. The MAC covers the worker byte and the request tag, but verification is stateless
    and any worker verifies it (one key), so worker 0 and tag 0 work everywhere; a test that
    compares a challenge's nonce byte for byte passes the challenged request's @req_tag.
    @now: the issue time (sipfastd --bench-clock-step moves it on from BENCH_NOW_S)."""
    hdr = struct.pack(">BBBII", NONCE_VERSION, 0, worker, now, fnv1a32(call_id)) + \
        (req_tag & 0xffffff).to_bytes(3, "big")
    r = realm.encode()
    mac = hmac.new(BENCH_NONCE_KEY, hdr + bytes(int(x) for x in src_ip.split(".")) +
                   struct.pack(">H", len(r)) + r, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(hdr + mac).decode().rstrip("=")


def digest_authorization(user, realm, password, method, uri, nonce, cnonce, nc="00000001"):
    """The Authorization header line (no CRLF) answering @nonce with a qop=auth MD5 digest
    (RFC 2617 3.2.2): response = MD5(HA1:nonce:nc:cnonce:auth:HA2)."""
    ha1 = md5hex("%s:%s:%s" % (user, realm, password))
    ha2 = md5hex("%s:%s" % (method, uri))
    resp = md5hex("%s:%s:%s:%s:auth:%s" % (ha1, nonce, nc, cnonce, ha2))
    return ("Authorization: Digest username=\"%s\", realm=\"%s\", nonce=\"%s\", uri=\"%s\", "
            "response=\"%s\", algorithm=MD5, qop=auth, nc=%s, cnonce=\"%s\"" %
            (user, realm, nonce, uri, resp, nc, cnonce))
