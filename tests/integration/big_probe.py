#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Send one SIP OPTIONS padded to SIZE bytes of UDP payload (the peer's kernel fragments it
at the MTU) and print the status line of the answer, or NONE.
big_probe.py DST SIZE [--wait S]"""
import argparse
import random
import socket

ap = argparse.ArgumentParser()
ap.add_argument("dst")
ap.add_argument("size", type=int)
ap.add_argument("--wait", type=float, default=2.0)
a = ap.parse_args()

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, 10, 0)  # IP_MTU_DISCOVER = IP_PMTUDISC_DONT: fragment, no DF
s.bind(("0.0.0.0", 0))
lport = s.getsockname()[1]
head = ("OPTIONS sip:gw@%s SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 10.99.0.2:%d;branch=z9hG4bK%x;rport\r\n"
        "Max-Forwards: 70\r\n"
        "From: <sip:gw@sipfast.test>;tag=%x\r\n"
        "To: <sip:gw@sipfast.test>\r\n"
        "Call-ID: %x@big\r\nCSeq: 1 OPTIONS\r\n"
        "Contact: <sip:gw@10.99.0.2:%d>\r\n") % (
    a.dst, lport, random.getrandbits(32), random.getrandbits(32), random.getrandbits(48), lport)
tail = "Content-Length: 0\r\n\r\n"
pad = []
room = a.size - len(head) - len(tail)
while room > 0:  # X-Pad headers of up to 200 bytes each
    n = min(200, room)
    if n < 12:   # too short for a header line: widen the previous one
        pad[-1] = pad[-1][:-2] + "x" * n + "\r\n"
        break
    pad.append("X-Pad: " + "p" * (n - 9) + "\r\n")
    room -= n
msg = (head + "".join(pad) + tail).encode()
assert len(msg) == a.size, (len(msg), a.size)
s.sendto(msg, (a.dst, 5060))
s.settimeout(a.wait)
try:
    data, _ = s.recvfrom(65535)
    print(data.split(b"\r\n", 1)[0].decode(errors="replace"))
except socket.timeout:
    print("NONE")
