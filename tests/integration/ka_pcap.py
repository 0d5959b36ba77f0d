#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Keep-alive datagrams in a peer-side capture (t_keepalive.sh, issue 6).

ka_pcap.py PCAP QUERY [ARGS]: reads an Ethernet pcap of what sipfastd sent, keeps the UDP
datagrams from SRC_IP:5060 whose payload is not SIP (keep-alives), and prints one answer:
  count PORT              keep-alives to peer port PORT
  count_all               keep-alives to any port
  payloads                distinct payloads, as Python bytes reprs, one per line
  per_port PORTS PERIOD   "ok" when every port in PORTS (a-b) got keep-alives every PERIOD s
                          (+-0.5 s) and at least 2, else the first offender
  max_batch GAP           largest group of keep-alives closer than GAP s to the previous one
  shape BUDGET INTERVAL    "ok" when every whole cycle in the capture (not the first or the
                          last) is bursts of BUDGET then one smaller, INTERVAL s apart (KA-5)
  last PORT               epoch time of the last keep-alive to PORT (0 if none)
  bad_source              keep-alives not from 10.99.0.1:5060
  other PORT PAYLOAD      datagrams of any kind to PORT whose payload is not PAYLOAD (Python
                          escapes, e.g. 'ping\\r\\n'): anything sent back besides keep-alives
  counts PORTS LO HI      "ok" when every port in PORTS (a-b) got between LO and HI keep-alives
  after PORT T            keep-alives to PORT later than epoch time T
"""
import struct
import sys


def datagrams(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return
    endian = "<" if data[:4] == b"\xd4\xc3\xb2\xa1" else ">"
    nano = data[:4] in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if len(frame) < 42 or frame[12:14] != b"\x08\x00" or frame[23] != 17:
            continue
        ihl = (frame[14] & 0x0F) * 4
        udp = 14 + ihl
        sport, dport, ulen = struct.unpack("!HHH", frame[udp:udp + 6])
        payload = frame[udp + 8:udp + ulen]
        yield (sec + frac / (1e9 if nano else 1e6), frame[26:30], sport, dport, payload)


def keepalives(path):
    return [d for d in datagrams(path) if not d[4].startswith(b"SIP/2.0")
            and d[2] == 5060]


def main():
    kas = keepalives(sys.argv[1])
    q = sys.argv[2]
    if q == "count":
        print(sum(1 for d in kas if d[3] == int(sys.argv[3])))
    elif q == "count_all":
        print(len(kas))
    elif q == "payloads":
        for p in sorted({repr(d[4]) for d in kas}):
            print(p)
    elif q == "per_port":
        lo, hi = (int(x) for x in sys.argv[3].split("-"))
        period = float(sys.argv[4])
        for port in range(lo, hi + 1):
            ts = sorted(d[0] for d in kas if d[3] == port)
            gaps = [b - a for a, b in zip(ts, ts[1:])]
            if len(ts) < 2 or any(abs(g - period) > 0.5 for g in gaps):
                print("port %d: %d keep-alives, gaps %s" % (port, len(ts),
                      ["%.2f" % g for g in gaps]))
                return
        print("ok")
    elif q == "max_batch":
        gap = float(sys.argv[3])
        ts = sorted(d[0] for d in kas)
        best = run = 0
        for i, t in enumerate(ts):
            run = run + 1 if i > 0 and t - ts[i - 1] < gap else 1
            best = max(best, run)
        print(best)
    elif q == "shape":
        budget, interval = int(sys.argv[3]), float(sys.argv[4])
        ts = sorted(d[0] for d in kas)
        bursts = []  # [start, size]
        for i, t in enumerate(ts):
            if i > 0 and t - ts[i - 1] < interval / 2:
                bursts[-1][1] += 1
            else:
                bursts.append([t, 1])
        cycles = [[]]
        for i, b in enumerate(bursts):
            if i > 0 and b[0] - bursts[i - 1][0] > 4 * interval:
                cycles.append([])
            cycles[-1].append(b)
        for c in cycles[1:-1]:
            sizes = [b[1] for b in c]
            gaps = [b[0] - a[0] for a, b in zip(c, c[1:])]
            if (any(n != budget for n in sizes[:-1]) or sizes[-1] > budget
                    or any(abs(g - interval) > interval / 4 for g in gaps)):
                print("cycle sizes %s gaps %s" % (sizes, ["%.3f" % g for g in gaps]))
                return
        print("ok" if len(cycles) > 2 else "fewer than 3 cycles")
    elif q == "last":
        print("%.3f" % max([d[0] for d in kas if d[3] == int(sys.argv[3])] or [0]))
    elif q == "other":
        want = sys.argv[4].encode().decode("unicode_escape").encode("latin-1")
        print(sum(1 for d in datagrams(sys.argv[1])
                  if d[3] == int(sys.argv[3]) and d[4] != want))
    elif q == "counts":
        lo, hi = (int(x) for x in sys.argv[3].split("-"))
        for port in range(lo, hi + 1):
            n = sum(1 for d in kas if d[3] == port)
            if not int(sys.argv[4]) <= n <= int(sys.argv[5]):
                print("port %d: %d keep-alives" % (port, n))
                return
        print("ok")
    elif q == "after":
        print(sum(1 for d in kas if d[3] == int(sys.argv[3]) and d[0] > float(sys.argv[4])))
    elif q == "bad_source":
        print(sum(1 for d in kas if d[1] != bytes([10, 99, 0, 1])))
    else:
        sys.exit("unknown query " + q)


if __name__ == "__main__":
    main()
