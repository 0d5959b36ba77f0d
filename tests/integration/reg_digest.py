#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A REGISTER whose correct digest answer is held back until told (LOCK-2 on the wire).

reg_digest.py DST USER PASSWORD --src IP [--ready FILE] [--go FILE] [--wait S]

1. REGISTER without credentials from IP; the 401/407 challenge (the MD5 one) is kept.
2. Touch --ready, then wait (up to 120 s) until --go exists (the caller locks (IP, USER) out
   meanwhile); without --go, answer at once.
3. The same REGISTER (same Call-ID, CSeq 2) with the correct digest for PASSWORD (RFC 7616,
   MD5, qop=auth when offered); print the status line of every answer within --wait s, or
   NONE. Exit 2 when step 1 got no challenge."""
import argparse
import hashlib
import os
import random
import re
import socket
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("dst")
ap.add_argument("user")
ap.add_argument("password")
ap.add_argument("--src", required=True)
ap.add_argument("--ready")
ap.add_argument("--go")
ap.add_argument("--wait", type=float, default=2.0)
a = ap.parse_args()

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((a.src, 0))
lport = s.getsockname()[1]
cid = "%x@reg-digest" % random.getrandbits(48)
ruri = "sip:%s" % a.dst


def register(cseq, auth=""):
    return ("REGISTER %s SIP/2.0\r\n"
            "Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK%x;rport\r\n"
            "Max-Forwards: 70\r\n"
            "From: <sip:%s@sipfast.test>;tag=%x\r\nTo: <sip:%s@sipfast.test>\r\n"
            "Call-ID: %s\r\nCSeq: %d REGISTER\r\n"
            "Contact: <sip:%s@%s:%d>\r\nExpires: 60\r\n%sContent-Length: 0\r\n\r\n") % (
        ruri, a.src, lport, random.getrandbits(32), a.user, 0x5eed, a.user, cid, cseq,
        a.user, a.src, lport, auth)


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


s.settimeout(3)
s.sendto(register(1).encode(), (a.dst, 5060))
try:
    data = s.recv(65535).decode(errors="replace")
except socket.timeout:
    print("NO CHALLENGE")
    sys.exit(2)
m = re.search(r"^(WWW|Proxy)-Authenticate: Digest (.*?)\r\n", data, re.M | re.I)
if m is None or "algorithm=MD5" not in m.group(2):
    print("NO CHALLENGE: " + data.split("\r\n", 1)[0])
    sys.exit(2)
hdr = "Authorization" if m.group(1).lower() == "www" else "Proxy-Authorization"
params = dict(re.findall(r'(\w+)="?([^",]*)"?', m.group(2)))
if a.ready:
    open(a.ready, "w").close()
if a.go:
    deadline = time.time() + 120
    while not os.path.exists(a.go) and time.time() < deadline:
        time.sleep(0.05)

ha1 = md5("%s:%s:%s" % (a.user, params["realm"], a.password))
ha2 = md5("REGISTER:%s" % ruri)
if "auth" in params.get("qop", ""):
    cnonce, nc = "%08x" % random.getrandbits(32), "00000001"
    resp = md5("%s:%s:%s:%s:auth:%s" % (ha1, params["nonce"], nc, cnonce, ha2))
    extra = ", qop=auth, nc=%s, cnonce=\"%s\"" % (nc, cnonce)
else:
    resp, extra = md5("%s:%s:%s" % (ha1, params["nonce"], ha2)), ""
auth = ('%s: Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s", '
        'algorithm=MD5%s\r\n') % (hdr, a.user, params["realm"], params["nonce"], ruri, resp, extra)
s.sendto(register(2, auth).encode(), (a.dst, 5060))
s.settimeout(a.wait)
got = 0
try:
    while True:
        print(s.recv(65535).split(b"\r\n", 1)[0].decode(errors="replace"))
        got += 1
except socket.timeout:
    pass
if got == 0:
    print("NONE")
