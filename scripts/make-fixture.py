#!/usr/bin/env python3
"""Writes a fixture database with a given `heisessie` binary, so that later versions can
prove they still open and replay what that version stored.

    python3 scripts/make-fixture.py path/to/old/heisessie crates/cli/tests/fixtures/NAME

It creates the two demo sessions (every strategy part filled, measurements), then runs the
server and puts a third session through the HTTP API (details, settings, parts added,
moved, retimed and removed, roles, a link rotated) and the load generator (participants
joining, stickies created and moved: enough events for a stored snapshot). It writes
`heisessie.sqlite3` (checkpointed, no WAL) and `expected.json`: per session its id,
title, last seq and facilitator token, which `crates/cli/tests/it/fixture.rs` checks.
Standard library only; used by developers, never at build or run time.
"""

import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base, method, path, body=None, credential=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("content-type", "application/json")
    if credential:
        request.add_header("authorization", "Bearer " + credential)
    with urllib.request.urlopen(request) as response:
        text = response.read().decode()
        return json.loads(text) if text else None


def main():
    binary, out = os.path.abspath(sys.argv[1]), sys.argv[2]
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    tokens = {}
    for lang in ("nl", "en"):
        printed = subprocess.run(
            [binary, "demo", "--lang", lang, "--data-dir", out], check=True, capture_output=True, text=True
        ).stdout
        link = re.search(r"facilitator: (\S+)", printed).group(1)
        tokens[link.split("k=")[1]] = link

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([binary, "serve", "--addr", f"127.0.0.1:{port}", "--data-dir", out])
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        created = call(base, "POST", "/api/sessions", {
            "title": "Heidag Fietsenmaker De Spaak", "organisation": "De Spaak", "language": "nl",
            "model": "heidag", "facilitator_name": "Fay",
            "settings": {"start": "2026-12-03T09:00", "time_zone": "Europe/Amsterdam"},
        })
        sid, fay = created["session_id"], created["credential"]
        tokens[created["facilitator_link"].split("k=")[1]] = created["facilitator_link"]
        call(base, "PATCH", f"/api/sessions/{sid}", {"organisation": "Fietsenmaker De Spaak",
             "settings": {"start": "2026-12-10T09:30", "time_zone": "Europe/Amsterdam"}}, fay)
        part = call(base, "POST", f"/api/sessions/{sid}/parts",
                    {"title": "Concurrentieanalyse", "minutes": 30, "priority": "should"}, fay)
        new_part = max(p["id"] for p in part["parts"])
        call(base, "POST", f"/api/sessions/{sid}/parts/{new_part}/move", {"to_index": 1}, fay)
        call(base, "PATCH", f"/api/sessions/{sid}/parts/{new_part}", {"minutes": 45}, fay)
        first = part["parts"][0]["id"]
        call(base, "DELETE", f"/api/sessions/{sid}/parts/{first}", None, fay)
        joined = call(base, "POST", f"/api/sessions/{sid}/join",
                      {"token": created["participant_link"].split("k=")[1], "display_name": "Tim"})
        call(base, "POST", f"/api/sessions/{sid}/roles",
             {"role": "timekeeper", "participant_id": joined["participant_id"]}, fay)
        call(base, "POST", f"/api/sessions/{sid}/links/participant/rotate", {}, fay)
        subprocess.run([binary, "load", "--url", base, "--server-pid", str(server.pid), "--sessions", "1",
                        "--participants", "4", "--rate", "10", "--duration", "4", "--warmup", "1"], check=True)
    finally:
        server.terminate()
        server.wait()

    db = os.path.join(out, "heisessie.sqlite3")
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
        rows = conn.execute("SELECT id, last_seq FROM sessions ORDER BY created_at_ms").fetchall()
        snapshots = conn.execute("SELECT COUNT(*) FROM snapshots").fetchone()[0]
    for leftover in ("heisessie.sqlite3-wal", "heisessie.sqlite3-shm"):
        if os.path.exists(os.path.join(out, leftover)):
            os.remove(os.path.join(out, leftover))
    sessions = []
    for raw_id, last_seq in rows:
        sid = raw_id if isinstance(raw_id, str) else str(__import__("uuid").UUID(bytes=raw_id))
        token = next((t for t, link in tokens.items() if sid in link), None)
        sessions.append({"id": sid, "last_seq": last_seq, "facilitator_token": token})
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump({"written_by": subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip(),
                   "snapshots": snapshots, "sessions": sessions}, f, indent=2)
    print(json.dumps(sessions, indent=2), f"snapshots: {snapshots}")


if __name__ == "__main__":
    main()
