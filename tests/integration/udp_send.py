#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Send UDP datagrams for tests: udp_send.py DST_IP DST_PORT COUNT [--sports N] [--payload S].
With --sports N the datagrams rotate over N source sockets (N flows), one per source port."""
import argparse
import os
import socket
import time

ap = argparse.ArgumentParser()
ap.add_argument("dst")
ap.add_argument("port", type=int)
ap.add_argument("count", type=int)
ap.add_argument("--sports", type=int, default=1)
ap.add_argument("--rate", type=float, default=0, help="datagrams per second, 0 = as fast as possible")
ap.add_argument("--until-file", help="ignore COUNT: send until this file exists, then print "
                "how many datagrams were sent")
ap.add_argument("--payload", default="OPTIONS sip:probe@10.99.0.1 SIP/2.0\r\n\r\n")
a = ap.parse_args()
socks = []
for _ in range(a.sports):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 0))
    socks.append(s)
start = time.monotonic()
i = 0
while (i < a.count) if not a.until_file else not (i % 100 == 0 and os.path.exists(a.until_file)):
    if a.rate and i % 100 == 0:
        ahead = start + i / a.rate - time.monotonic()
        if ahead > 0:
            time.sleep(ahead)
    socks[i % a.sports].sendto(a.payload.encode(), (a.dst, a.port))
    i += 1
if a.until_file:
    print(i)
