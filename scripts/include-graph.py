#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Room-level include graph of dataplane/ and its cycles (issue 11, "no include cycle").

A room is a folder under dataplane/ (net, sip, registrar, ...) or a file pair at the dataplane
root (worker.c/worker.h is room "worker"). An edge A -> B means a file of room A includes a
header of room B. Prints the edges, then every strongly connected component with more than one
room (a cycle). Exit status 1 when there is a cycle.

--check: print nothing but the cycles, each as one closed path through its rooms with the file
and line of every include on it (what to cut), and exit 1 when there is one; the static tier
runs this as STATIC_include_cycles.

--root DIR: read DIR/dataplane instead of this checkout's (the static tier's self-test).

Usage: scripts/include-graph.py [--dot | --check] [--root DIR]     (run from anywhere)
"""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
DP = os.path.join(ROOT, "dataplane")
INC = re.compile(r'^\s*#\s*include\s+"dataplane/([^"]+)"')


def room_of(rel):
    """rel: a path under dataplane/ -> its room name (a root X_setup.c is room X's cold half)."""
    parts = rel.split("/")
    if len(parts) > 1:
        return parts[0]
    stem = os.path.splitext(parts[0])[0]
    return stem[:-len("_setup")] if stem.endswith("_setup") else stem


def graph(where=None):
    """Room -> set of rooms it includes. @where, a dict, gets (src, dst) -> ["file:line", ...]."""
    edges = {}
    for dirpath, _, files in os.walk(DP):
        for f in sorted(files):
            if not f.endswith((".c", ".h")):
                continue
            path = os.path.join(dirpath, f)
            rel = os.path.relpath(path, DP)
            src = room_of(rel)
            with open(path, encoding="utf-8", errors="replace") as fh:
                for no, line in enumerate(fh, 1):
                    m = INC.match(line)
                    if m:
                        dst = room_of(m.group(1))
                        if dst != src:
                            edges.setdefault(src, set()).add(dst)
                            if where is not None:
                                where.setdefault((src, dst), []).append(
                                    f"dataplane/{rel}:{no}")
            edges.setdefault(src, set())
    return edges


def cycle_path(edges, comp):
    """One closed walk inside strongly connected @comp that visits every room of it."""
    comp = set(comp)
    start = min(comp)
    path, seen = [start], {start}

    def bfs(a, targets):
        prev, queue = {a: None}, [a]
        while queue:
            v = queue.pop(0)
            if v in targets and v != a:
                out = [v]
                while prev[out[-1]] != a:
                    out.append(prev[out[-1]])
                return out[::-1]
            for w in sorted(edges.get(v, ())):
                if w in comp and w not in prev:
                    prev[w] = v
                    queue.append(w)
        return None

    while seen != comp:
        step = bfs(path[-1], comp - seen)
        path += step
        seen.update(step)
    path += bfs(path[-1], {start}) or [start]
    return path


def check():
    where = {}
    edges = graph(where)
    cycles = [c for c in sccs(edges) if len(c) > 1]
    for c in cycles:
        walk = cycle_path(edges, c)
        print("CYCLE: " + " -> ".join(walk))
        for a, b in zip(walk, walk[1:]):
            print(f"  {a} -> {b}: {', '.join(where[(a, b)])}")
    if cycles:
        print(f"{len(cycles)} include cycle(s) among dataplane rooms "
              "(docs/ARCHITECTURE.md, Rooms and includes)")
    return 1 if cycles else 0


def sccs(edges):
    """Tarjan's strongly connected components."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def main():
    global DP
    if "--root" in sys.argv:
        DP = os.path.join(sys.argv[sys.argv.index("--root") + 1], "dataplane")
    if "--check" in sys.argv:
        return check()
    edges = graph()
    if "--dot" in sys.argv:
        print("digraph dataplane {")
        for a in sorted(edges):
            for b in sorted(edges[a]):
                print(f'  "{a}" -> "{b}";')
        print("}")
        return 0
    for a in sorted(edges):
        print(f"{a} -> {', '.join(sorted(edges[a])) or '(nothing)'}")
    cycles = [c for c in sccs(edges) if len(c) > 1]
    for c in cycles:
        print("CYCLE: " + " <-> ".join(c))
    print(f"{len(cycles)} cycle(s) among {len(edges)} rooms")
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main())
