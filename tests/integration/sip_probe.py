#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Send one SIP request COUNT times and print the status line of every answer, or NONE.
sip_probe.py DST METHOD [--user U] [--auth USER] [--count N] [--wait S] [--bye-tag]"""
import argparse
import random
import socket
import time

ap = argparse.ArgumentParser()
ap.add_argument("dst")
ap.add_argument("method")
ap.add_argument("--user", default="9999")
ap.add_argument("--auth", help="add an Authorization header for this username")
ap.add_argument("--count", type=int, default=1)
ap.add_argument("--interval", type=float, default=0.2)
ap.add_argument("--wait", type=float, default=1.5)
ap.add_argument("--to-tag", action="store_true", help="in-dialog form (To tag)")
a = ap.parse_args()

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 0))
lip, lport = s.getsockname()
lip = socket.gethostbyname(socket.gethostname()) if lip == "0.0.0.0" else lip
cid = "%x@probe" % random.getrandbits(48)
auth = ""
if a.auth:
    auth = ('Authorization: Digest username="%s", realm="sipfast.test", nonce="n", '
            'uri="sip:%s", response="00000000000000000000000000000000"\r\n' % (a.auth, a.dst))
msg = ("%s sip:%s@%s SIP/2.0\r\n"
       "Via: SIP/2.0/UDP 10.99.0.2:%d;branch=z9hG4bK%x;rport\r\n"
       "Max-Forwards: 70\r\n"
       "From: <sip:%s@sipfast.test>;tag=%x\r\n"
       "To: <sip:%s@sipfast.test>%s\r\n"
       "Call-ID: %s\r\nCSeq: 1 %s\r\n%s"
       "Contact: <sip:%s@10.99.0.2:%d>\r\nContent-Length: 0\r\n\r\n") % (
    a.method, a.user, a.dst, lport, random.getrandbits(32), a.user, random.getrandbits(32),
    a.user, ";tag=abc" if a.to_tag else "", cid, a.method, auth, a.user, lport)
for _ in range(a.count):
    s.sendto(msg.encode(), (a.dst, 5060))
    time.sleep(a.interval)
s.settimeout(a.wait)
got = 0
try:
    while True:
        data, _ = s.recvfrom(65535)
        print(data.split(b"\r\n", 1)[0].decode(errors="replace"))
        got += 1
except socket.timeout:
    pass
if got == 0:
    print("NONE")
