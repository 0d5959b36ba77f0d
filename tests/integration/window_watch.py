#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Watch one (source IP, user) suspension end, in one process (no interpreter start per query:
on a loaded 2-CPU host a python3 start took seconds and ate the window). Run in the peer
namespace: window_watch.py CTL-SOCKET IP USER SUSPEND ON-MODE-FILE SNAPSHOT-FILE [--no-watch]
First, at once, a snapshot into SNAPSHOT-FILE (shell assignments, written atomically): the
suspension's remaining seconds ("none" when absent) with the times taken just before and
after the query (q_before, q_after), and the counters reg_fail_wrong, reg_lockouts,
reg_fail_locked as off_wrong, off_lockouts, off_locked (before any probe of ours). With
--no-watch that is all. Then:
Polls suspended.list every 0.2 s; every 4 s sends a REGISTER for USER from IP (this namespace's
address) and reads the answer for 1 s. A probe is refused when it gets 403, or silence while
ON-MODE-FILE does not exist yet (Off; the switch to On may be under way). A probe counts as
"during the window" only when the list still shows the suspension after its answer. Prints
shell assignments: probes refused yes_before (start of the last query that still showed the
suspension) none_after (end of the first query that showed none; 0 if never)."""
import os
import random
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ctl import call  # noqa: E402


def remaining(ctl, ip, user):
    rows = call(ctl, "suspended.list", {})["result"]["suspended"]
    rows = [r for r in rows if r["ip"] == ip and r["user"] == user]
    return rows[0]["remaining"] if rows else None


def probe(ip, user):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((ip, 0))
    port = s.getsockname()[1]
    msg = ("REGISTER sip:sipfast.test SIP/2.0\r\n"
           "Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK%x;rport\r\n"
           "Max-Forwards: 70\r\nFrom: <sip:%s@sipfast.test>;tag=%x\r\n"
           "To: <sip:%s@sipfast.test>\r\nCall-ID: %x@watch\r\nCSeq: 1 REGISTER\r\n"
           "Contact: <sip:%s@%s:%d>\r\nContent-Length: 0\r\n\r\n") % (
        ip, port, random.getrandbits(32), user, random.getrandbits(32), user,
        random.getrandbits(48), user, ip, port)
    s.sendto(msg.encode(), ("10.99.0.1", 5060))
    s.settimeout(1)
    try:
        data, _ = s.recvfrom(65535)
        return data.split(b"\r\n", 1)[0].decode(errors="replace")
    except socket.timeout:
        return "NONE"
    finally:
        s.close()


def snapshot(ctl, ip, user, out):
    qb = time.time()
    rem = remaining(ctl, ip, user)
    qa = time.time()
    total = call(ctl, "stats.get", {})["result"]["total"]
    with open(out + ".tmp", "w") as f:
        f.write("remaining=%s q_before=%.3f q_after=%.3f off_wrong=%d off_lockouts=%d "
                "off_locked=%d\n" % ("none" if rem is None else rem, qb, qa,
                                     total["reg_fail_wrong"], total["reg_lockouts"],
                                     total["reg_fail_locked"]))
    os.rename(out + ".tmp", out)


def main():
    ctl, ip, user, suspend, on_mode, snap = sys.argv[1:7]
    snapshot(ctl, ip, user, snap)
    if "--no-watch" in sys.argv[7:]:
        return
    deadline = time.time() + float(suspend) + 60
    probes = refused = 0
    yes_before = none_after = 0.0
    next_probe = time.time()
    while time.time() < deadline:
        qb = time.time()
        rem = remaining(ctl, ip, user)
        if rem is None:
            none_after = time.time()
            break
        yes_before = qb
        if time.time() >= next_probe:
            on = os.path.exists(on_mode)
            answer = probe(ip, user)
            qb = time.time()
            rem = remaining(ctl, ip, user)
            if rem is None:
                none_after = time.time()
                break
            yes_before = qb
            probes += 1
            if answer == "SIP/2.0 403 Forbidden" or (not on and answer == "NONE"):
                refused += 1
            else:
                print("  probe %d (On known: %d) answered: %s" % (probes, on, answer),
                      file=sys.stderr)
            next_probe = time.time() + 4
        time.sleep(0.2)
    print("probes=%d refused=%d yes_before=%.3f none_after=%.3f" % (
        probes, refused, yes_before, none_after))


if __name__ == "__main__":
    main()
