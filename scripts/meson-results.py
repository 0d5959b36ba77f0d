#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Count test cases in a meson testlog.json: cmocka cases from their TAP lines
(CMOCKA_MESSAGE_OUTPUT=TAP), other tests as one case each. A test that failed without
reporting a failing case (a crash, a timeout) counts one more failure.
Prints "<passed> <failed>" and lists failures on stderr.
  meson-results.py TESTLOG.json... [--names FILE]: also write the names of what ran, one a line,
  sorted: each meson test as "<test>", each cmocka case as "<test>/<case>" (for the manifest
  check in scripts/test.sh; see tests/README.md)."""
import json
import re
import sys

TAP = re.compile(r'^(not ok|ok)\b(?:\s+\d+)?(?:\s+-)?\s*(.*)$')


def case_name(test, desc):
    """'<test>/<case>' with the case's TAP description made one word."""
    return "%s/%s" % (test, re.sub(r"[^A-Za-z0-9_.+-]+", "_", desc.split(" # ")[0].strip()))


def count(path, names=None):
    passed = failed = 0
    with open(path) as f:
        for line in f:
            t = json.loads(line)
            # meson names a test "<project>:<suites> / <name>": keep the name (suites change)
            tname = t['name'].split(' / ', 1)[-1]
            if names is not None:
                names.add(tname)
            ok_test = t['result'] in ('OK', 'EXPECTEDFAIL', 'SKIP')
            p = n = 0
            for out in (t.get('stdout') or '').splitlines():
                m = TAP.match(out.strip())
                if not m:
                    continue
                if names is not None:
                    names.add(case_name(tname, m.group(2)))
                if m.group(1) == 'ok':
                    p += 1
                else:
                    n += 1
                    print(f"FAIL {t['name']}: {m.group(2)}", file=sys.stderr)
            if p + n == 0:
                p, n = (1, 0) if ok_test else (0, 1)
                if n:
                    print(f"FAIL {t['name']} ({t['result']})", file=sys.stderr)
            elif not ok_test and n == 0:
                n = 1
                print(f"FAIL {t['name']} ({t['result']}) after its cases", file=sys.stderr)
            passed += p
            failed += n
    return passed, failed


if __name__ == '__main__':
    args = sys.argv[1:]
    names_out = None
    if '--names' in args:
        i = args.index('--names')
        names_out = args[i + 1]
        del args[i:i + 2]
    names = set() if names_out else None
    total = [0, 0]
    for path in args:
        p, n = count(path, names)
        total[0] += p
        total[1] += n
    if names_out:
        with open(names_out, 'w') as f:
            f.writelines(n + '\n' for n in sorted(names))
    print(total[0], total[1])
