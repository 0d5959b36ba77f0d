#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Minimal JSON-RPC client for tests: ctl.py SOCKET METHOD [PARAMS-JSON] [--path a.b.c].
Prints the result (or the value at --path) as JSON; exits 1 on a JSON-RPC error."""
import json
import socket
import sys


def call(path, method, params=None):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(5)
    s.connect(path)
    req = {"jsonrpc": "2.0", "id": 1, "method": method}
    if params is not None:
        req["params"] = params
    s.sendall(json.dumps(req).encode() + b"\n")
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    s.close()
    return json.loads(buf)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--path")]
    path = [a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--path=")]
    resp = call(args[0], args[1], json.loads(args[2]) if len(args) > 2 else None)
    if "error" in resp:
        print(json.dumps(resp["error"]))
        sys.exit(1)
    out = resp["result"]
    for key in (path[0].split(".") if path else []):
        out = out[int(key)] if isinstance(out, list) else out[key]
    print(json.dumps(out))
