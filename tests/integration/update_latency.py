#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Time from a config.set call to every worker running the new generation, as seen from a
control-socket client (so the figure includes the socket round trips: an upper bound).
update_latency.py SOCKET N -> prints "median_us max_us" over N updates."""
import socket
import statistics
import sys
import time

sys.path.insert(0, __import__("os").path.dirname(__file__))
from ctl import call  # noqa: E402

path, n = sys.argv[1], int(sys.argv[2])
lat = []
for i in range(n):
    t0 = time.perf_counter()
    gen = call(path, "config.set", {"params": {"SS_SIP_TIMEOUT_TRYING": 20 + i % 2}})["result"]["generation"]
    while True:
        ws = call(path, "stats.get")["result"]["workers"]
        if all(w["generation"] >= gen for w in ws):
            break
    lat.append((time.perf_counter() - t0) * 1e6)
print(int(statistics.median(lat)), int(max(lat)))
