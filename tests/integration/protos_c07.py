#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""PROTOS c07-sip (University of Oulu, 4,527 malformed INVITEs) from the original templates.

Each case file holds two length-prefixed templates, "<len> <INVITE><len> <teardown>", with
placeholders (<To>, <From>, <From-Address>, <From-IP>, <Local-Port>, <Branch-ID>, <Call-ID>,
<CSeq>, <Content-Length>, <Teardown-Method>). fill() replaces them the way the original
suite does: addresses of this host and the target, a per-case Call-ID, branch and CSeq, the
body's real length and CANCEL as the teardown.

protos_c07.py TARBALL DST [--first N] [--count N] [--probe-every N] [--pace N] [--json]
Sends every case (INVITE, then teardown) over UDP to DST:5060 from one socket. A datagram
larger than UDP allows (a few cases are ~280 KB) is not sent and is counted "unsendable".
--probe-every N: after every N cases send an OPTIONS from another socket and wait up to
--probe-wait s for its answer; the summary lists probes answered / sent.
--pace N: after every N datagrams sleep 10 ms so the DUT's af_packet ring never overflows;
with --ctl SOCKET (sipfastd's control socket, reachable from any namespace) also wait there
until the daemon has received all but --window of the datagrams sent (rx_packets), so a
worker descheduled on a loaded machine does not lose frames to a full ring.
Prints one JSON summary line.
"""
import argparse
import json
import os
import random
import re
import socket
import sys
import tarfile
import time

UDP_MAX = 65507


def load_cases(tarball):
    """[(case number, [template bytes, ...])] in case order."""
    cases = []
    with tarfile.open(tarball, "r|*") as tar:  # one pass: no seeking in the xz stream
        for member in tar:
            if not member.isfile():
                continue
            name = member.name.rsplit("/", 1)[-1]
            if not name.isdigit():
                continue
            data = tar.extractfile(member).read()
            parts, i = [], 0
            while i < len(data):
                m = re.match(rb"(\d+) ", data[i:i + 16])
                if m is None:
                    raise ValueError("case %s: no length prefix at byte %d" % (name, i))
                n = int(m.group(1))
                i += m.end()
                parts.append(data[i:i + n])
                i += n
            cases.append((int(name), parts))
    cases.sort()
    return cases


def fill(template, case, src_ip, src_port, dst_ip):
    """The template with its placeholders filled in for case number @case."""
    subst = {
        b"<To>": b"protos-%d@%s" % (case, dst_ip.encode()),
        b"<From>": b"protos@%s" % src_ip.encode(),
        b"<From-Address>": src_ip.encode(),
        b"<From-IP>": src_ip.encode(),
        b"<Local-Port>": b"%d" % src_port,
        b"<Branch-ID>": b"%07d" % case,
        b"<Call-ID>": b"protos-c07-%07d" % case,
        b"<CSeq>": b"%d" % (case + 1),
        b"<Teardown-Method>": b"CANCEL",
    }
    out = template
    for key, value in subst.items():
        out = out.replace(key, value)
    head, sep, body = out.partition(b"\r\n\r\n")
    if sep:
        out = head.replace(b"<Content-Length>", b"%d" % len(body)) + sep + body
    return out.replace(b"<Content-Length>", b"0")


def options(dst_ip, src_ip, port, n):
    return ("OPTIONS sip:probe@%s SIP/2.0\r\n"
            "Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK-probe%d;rport\r\n"
            "Max-Forwards: 70\r\n"
            "From: <sip:probe@%s>;tag=p%d\r\nTo: <sip:probe@%s>\r\n"
            "Call-ID: protos-probe-%d-%x\r\nCSeq: 1 OPTIONS\r\n"
            "Content-Length: 0\r\n\r\n" % (dst_ip, src_ip, port, n, src_ip, n, dst_ip, n,
                                           random.getrandbits(32))).encode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tarball")
    ap.add_argument("dst")
    ap.add_argument("--src", default="10.99.0.2", help="our address, for the templates")
    ap.add_argument("--first", type=int, default=0)
    ap.add_argument("--count", type=int, default=0, help="0 = every case")
    ap.add_argument("--probe-every", type=int, default=0)
    ap.add_argument("--probe-wait", type=float, default=1.0)
    ap.add_argument("--pace", type=int, default=100)
    ap.add_argument("--ctl")
    ap.add_argument("--window", type=int, default=256)
    a = ap.parse_args()

    def rx_packets():
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from ctl import call  # tests/integration/ctl.py
        return call(a.ctl, "stats.get")["result"]["total"]["rx_packets"]

    rx_base = rx_packets() if a.ctl else 0

    def wait_for_dut(sent):
        deadline = time.monotonic() + 10
        while rx_packets() - rx_base < sent - a.window and time.monotonic() < deadline:
            time.sleep(0.005)

    cases = [c for c in load_cases(a.tarball) if c[0] >= a.first]
    if a.count:
        cases = cases[:a.count]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, 10, 0)  # IP_PMTUDISC_DONT: big cases go as fragments
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    s.bind(("0.0.0.0", 0))
    port = s.getsockname()[1]
    probe = None
    if a.probe_every:
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        probe.bind(("0.0.0.0", 0))
        probe.settimeout(a.probe_wait)
    summary = {"cases": len(cases), "datagrams": 0, "unsendable": 0, "bytes": 0,
               "probes": 0, "probes_answered": 0, "probe_failures": [],
               "sizes": {"<=1400": 0, "<=16000": 0, ">16000": 0}}
    started = time.monotonic()
    for k, (case, parts) in enumerate(cases):
        for t in parts:
            msg = fill(t, case, a.src, port, a.dst)
            if len(msg) > UDP_MAX:
                summary["unsendable"] += 1
                continue
            s.sendto(msg, (a.dst, 5060))
            summary["datagrams"] += 1
            summary["bytes"] += len(msg)
            size = "<=1400" if len(msg) <= 1400 else "<=16000" if len(msg) <= 16000 else ">16000"
            summary["sizes"][size] += 1
            if summary["datagrams"] % a.pace == 0:
                time.sleep(0.01)
                if a.ctl:
                    wait_for_dut(summary["datagrams"])
        if probe is not None and (k + 1) % a.probe_every == 0:
            summary["probes"] += 1
            probe.sendto(options(a.dst, a.src, probe.getsockname()[1], case),
                         (a.dst, 5060))
            try:
                while True:
                    data = probe.recv(65535)
                    if data.startswith(b"SIP/2.0 200 "):
                        summary["probes_answered"] += 1
                        break
            except socket.timeout:
                summary["probe_failures"].append(case)
    summary["seconds"] = round(time.monotonic() - started, 2)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
