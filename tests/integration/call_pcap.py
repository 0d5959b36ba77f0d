#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The SIP messages of a capture, one line each, for the call tests (t_call*.sh):

    TIME SRC:SPORT DST:DPORT KIND CSEQ_NUMBER CSEQ_METHOD CALL-ID | FIRST LINE

TIME is the capture's epoch time in seconds; KIND is the method of a request or the status
code of a response. Non-SIP UDP (and anything else) is skipped. Needs scapy
(/usr/bin/python3). Usage: call_pcap.py FILE"""
import re
import sys

from scapy.all import IP, UDP, rdpcap  # noqa: E402

HDR = re.compile(rb"^(call-id|i|cseq)\s*:\s*(.*?)\s*$", re.I | re.M)

for p in rdpcap(sys.argv[1]):
    if IP not in p or UDP not in p:
        continue
    data = bytes(p[UDP].payload)
    first = data.split(b"\r\n", 1)[0]
    if first.startswith(b"SIP/2.0 "):
        kind = first.split(b" ")[1]
    elif b" SIP/2.0" in first:
        kind = first.split(b" ")[0]
    else:
        continue
    cid, cseq = b"-", [b"-", b"-"]
    for m in HDR.finditer(data):
        name = m.group(1).lower()
        if name in (b"call-id", b"i"):
            cid = m.group(2) or b"-"
        else:
            cseq = (m.group(2).split() + [b"-", b"-"])[:2]
    print("%.6f %s:%d %s:%d %s %s %s %s | %s" % (
        float(p.time), p[IP].src, p[UDP].sport, p[IP].dst, p[UDP].dport, kind.decode(),
        cseq[0].decode(), cseq[1].decode(), cid.decode(errors="replace"),
        first.decode(errors="replace")))
