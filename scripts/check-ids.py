#!/usr/bin/env python3
"""Behaviour ids in test names: one spelling (static, no build needed).

Rule (issue 11 item 8): test names and C identifiers spell a behaviour id with an underscore
(REG_10: cmocka functions test_REG_10_..., golden cases PCAP_REG_10_..., live check ids
REG_10_...); comments and test descriptions with a hyphen (REG-10). So
`grep -rnE 'REG[-_]10([^0-9]|$)'` finds the code, the comments and the tests of REG-10.

Checks the test names of every tier:
  unit/asan/tsan  tests/unit/*.c, tests/torture/*.c: cmocka test functions (test_*) and the
                  cases in cmocka_unit_test*(...); test('NAME', ...) in tests/**/meson.build
  golden          "PCAP_..." case names in tests/pcap/*.py
  live            the id argument of check/setup lines in tests/integration/*.sh and literal
                  "PASS X"/"FAIL X" ids printed by tests/integration/*.{sh,py}
  mutation        "@ NAME" blocks of tests/mutants/mutants.txt
A name that spells an id with a hyphen (LOCK-4_..., I-1_...), or puts a hyphen right after a
group prefix (UNAUTH-reply_...), is a failure: "BAD path:line name".

Then prints, for every behaviour id defined in BEHAVIOURS.md ("- **REG-10"), the test names
that claim it (contain REG_10) or "unclaimed". That table is information only.

Usage: scripts/check-ids.py [--spec PATH/BEHAVIOURS.md] [--quiet]
  --spec   default $SF_BEHAVIOURS, else /work/shared/spec/BEHAVIOURS.md
  --quiet  print only the failures and the one-line summary, not the per-id table
Exit: 0 spelling clean, 1 a test name uses the hyphen form, 2 a spec named by --spec or
SF_BEHAVIOURS cannot be read (without either and without the default spec, the spelling rule
runs on a built-in group list and the claims table is left out).
Group prefixes come from the "## GROUP — ..." headings of BEHAVIOURS.md, plus I (its
interpretation register, I-n in PARAMETERS.md) and the project's own HARDEN and ARP.
"""
import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_SPEC = "/work/shared/spec/BEHAVIOURS.md"
EXTRA_GROUPS = ["I", "HARDEN", "ARP"]  # not "## GROUP" headings of BEHAVIOURS.md
# The spec's groups as of this writing: the spelling rule still holds on a machine without the
# shared spec folder (a CI clone); only the claims table needs the spec itself.
KNOWN_GROUPS = ["GEN", "UNAUTH", "AUTH", "LOCK", "REG", "UAREG", "UNREG", "INV", "PROG", "SW",
                "FROM", "PRIV", "MAP", "RURI", "ADDR", "ST", "EH", "NT", "MAX", "KA", "MP", "CFG"]


def read_spec(path):
    """(groups, ids): group prefixes from the headings, ids in definition order."""
    text = open(path, encoding="utf-8").read()
    groups = re.findall(r"^## ([A-Z]+) \u2014", text, re.M)
    ids = re.findall(r"^\s*- \*\*([A-Z]+-[0-9]+)\b", text, re.M)
    return groups, ids


def rel(path):
    return os.path.relpath(path, ROOT)


def files(*patterns):
    out = []
    for p in patterns:
        out += sorted(glob.glob(os.path.join(ROOT, p), recursive=True))
    return out


def lines(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            yield n, line


CHECK_LINE = re.compile(r'^\s*(?:check|setup)\s+("[^"]*"|\'[^\']*\'|\S+)')
PASS_FAIL = re.compile(r'["\'](?:PASS|FAIL) ([A-Za-z0-9_${}.,:-]+?)[:"\' ]')


def test_names():
    """Yield (path, line, name) for every test name the tree defines."""
    for path in files("tests/unit/*.c", "tests/torture/*.c"):
        for n, line in lines(path):
            for m in re.finditer(r"^\s*static void (test_\w+)\s*\(", line):
                yield path, n, m.group(1)
            for m in re.finditer(r"cmocka_unit_test\w*\(\s*([^,)\s]+)", line):
                yield path, n, m.group(1)
            for m in re.finditer(r'cmocka_run_group_tests_name\(\s*"([^"]*)"', line):
                yield path, n, m.group(1)
    for path in files("tests/**/meson.build"):
        for n, line in lines(path):
            for m in re.finditer(r"\btest\(\s*'([^']*)'", line):
                yield path, n, m.group(1)
    for path in files("tests/pcap/*.py"):
        for n, line in lines(path):
            for m in re.finditer(r'"(PCAP_[^"\s]*)"', line):
                yield path, n, m.group(1)
    for path in files("tests/integration/*.sh", "tests/integration/*.py"):
        for n, line in lines(path):
            if line.lstrip().startswith("#"):
                continue
            m = CHECK_LINE.match(line)
            if m:
                yield path, n, m.group(1).strip("\"'")
            for m in PASS_FAIL.finditer(line):
                yield path, n, m.group(1)
    for path in files("tests/mutants/mutants.txt"):
        for n, line in lines(path):
            m = re.match(r"^@\s+(\S+)", line)
            if m:
                yield path, n, m.group(1)


def main(argv):
    spec = os.environ.get("SF_BEHAVIOURS", DEFAULT_SPEC)
    quiet = False
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--spec" and args:
            spec = args.pop(0)
        elif a == "--quiet":
            quiet = True
        else:
            print(__doc__, file=sys.stderr)
            return 2
    try:
        groups, ids = read_spec(spec)
    except OSError as e:
        if spec != DEFAULT_SPEC or "SF_BEHAVIOURS" in os.environ:
            print("check-ids: cannot read the behaviour list %s: %s" % (spec, e), file=sys.stderr)
            return 2
        # No shared spec on this machine: the spelling rule with the known groups, no claims.
        print("check-ids: %s not here; spelling checked with the built-in group list, claims "
              "not listed" % spec, file=sys.stderr)
        groups, ids = list(KNOWN_GROUPS), []
    if not groups or (not ids and groups != KNOWN_GROUPS):
        print("check-ids: no '## GROUP' headings or '- **ID' lines in %s" % spec, file=sys.stderr)
        return 2
    alt = "|".join(sorted(set(groups + EXTRA_GROUPS), key=len, reverse=True))
    hyphen = re.compile(r"(?<![A-Za-z0-9])(%s)-([0-9]+(?![0-9])|[A-Za-z])" % alt)
    underscore = re.compile(r"(?<![A-Za-z0-9])(%s)_([0-9]+)(?![0-9])" % alt)

    names = list(test_names())
    bad = 0
    claims = {}
    seen = set()
    for path, n, name in names:
        m = hyphen.search(name)
        if m:
            bad += 1
            g, rest = m.group(1), m.group(2) if m.group(2).isdigit() else ""
            print("BAD %s:%d %s: spell %s-%s as %s_%s in a test name"
                  % (rel(path), n, name, g, rest, g, rest))
        for m in underscore.finditer(name):
            key = "%s-%s" % (m.group(1), m.group(2))
            if (key, name) not in seen:
                seen.add((key, name))
                claims.setdefault(key, []).append("%s:%s" % (rel(path), name))

    claimed = [i for i in ids if i in claims]
    if not quiet:
        for i in ids:
            c = claims.get(i)
            if c:
                more = " (+%d more)" % (len(c) - 1) if len(c) > 1 else ""
                print("%-10s claimed  %s%s" % (i, c[0], more))
            else:
                print("%-10s unclaimed" % i)
    print("check-ids: %d test names, %d with a hyphenated id; %d of %d behaviour ids in %s "
          "claimed by a test" % (len(names), bad, len(claimed), len(ids), os.path.basename(spec)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
