#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""One INVITE to sipfastd as a caller (a gateway, trusted by address, so no challenge), and
every response to it with its time: "T CODE" lines (seconds after the INVITE left), then
"FINAL CODE" or "FINAL NONE". Retransmits the INVITE (RFC 3261 Timer A from 0.5 s) until a
response arrives; ACKs a non-2xx final on the INVITE's branch (and a 2xx with its own ACK,
then a BYE). --cancel-after S sends a CANCEL S s after the INVITE.

call_probe.py --src IP [--sport P] --to NUMBER [--from USER] [--dst 10.99.0.1] [--wait S]
"""
import argparse
import random
import re
import socket
import time

ap = argparse.ArgumentParser()
ap.add_argument("--src", required=True)
ap.add_argument("--sport", type=int, default=5060)
ap.add_argument("--dst", default="10.99.0.1")
ap.add_argument("--to", required=True)
ap.add_argument("--from", dest="frm", default="carrier")
ap.add_argument("--wait", type=float, default=5.0)
ap.add_argument("--cancel-after", type=float)
a = ap.parse_args()

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((a.src, a.sport))
s.settimeout(0.05)
dst = (a.dst, 5060)
cid = "%x@%s" % (random.getrandbits(48), a.src)
branch = "z9hG4bKprobe%x" % random.getrandbits(40)
ftag = "%x" % random.getrandbits(32)
sdp = ("v=0\r\no=probe 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
       "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n") % (a.src, a.src)
ruri = "sip:%s@%s" % (a.to, a.dst)


def req(method, br, cseq, to_hdr, body=""):
    return ("%s %s SIP/2.0\r\nVia: SIP/2.0/UDP %s:%d;branch=%s;rport\r\nMax-Forwards: 70\r\n"
            "From: <sip:%s@%s>;tag=%s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %d %s\r\n"
            "Contact: <sip:%s@%s:%d>\r\n%sContent-Length: %d\r\n\r\n%s") % (
        method, ruri, a.src, a.sport, br, a.frm, a.src, ftag, to_hdr, cid, cseq, method, a.frm,
        a.src, a.sport, "Content-Type: application/sdp\r\n" if body else "", len(body), body)


to0 = "<sip:%s@%s>" % (a.to, a.dst)
invite = req("INVITE", branch, 1, to0, sdp).encode()
t0 = time.time()
s.sendto(invite, dst)
next_rt, interval, got_any, final, cancelled = t0 + 0.5, 0.5, False, None, False
end = t0 + a.wait
while time.time() < end:
    now = time.time()
    if not got_any and now >= next_rt:
        s.sendto(invite, dst)
        interval = min(interval * 2, 4.0)
        next_rt = now + interval
    if a.cancel_after is not None and not cancelled and now - t0 >= a.cancel_after:
        s.sendto(req("CANCEL", branch, 1, to0).encode(), dst)
        cancelled = True
    try:
        data, _ = s.recvfrom(65535)
    except socket.timeout:
        continue
    text = data.decode(errors="replace")
    if not text.startswith("SIP/2.0 "):
        continue
    code = int(text.split(" ")[1])
    cseq = re.search(r"^CSeq:\s*\d+\s+(\w+)", text, re.M | re.I)
    method = cseq.group(1) if cseq else "?"
    print("%.3f %d %s" % (time.time() - t0, code, method), flush=True)
    if method != "INVITE":
        continue
    got_any = True
    if code >= 200 and final is None:
        final = code
        to = re.search(r"^(?:To|t):\s*(.*?)\r$", text, re.M | re.I).group(1)
        if code >= 300:
            s.sendto(req("ACK", branch, 1, to).encode(), dst)
        else:
            s.sendto(req("ACK", "z9hG4bKprobeack%x" % random.getrandbits(32), 1, to).encode(),
                     dst)
            s.sendto(req("BYE", "z9hG4bKprobebye%x" % random.getrandbits(32), 2, to).encode(),
                     dst)
        end = min(end, time.time() + 1.0)
print("FINAL %s" % (final if final is not None else "NONE"), flush=True)
