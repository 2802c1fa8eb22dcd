#!/usr/bin/env python3
"""Push latency: how long from another client's APPEND to the message being in Satu's store.

Starts a private Dovecot (tests/servers/dovecot.sh) and `satu --json watch` on a fresh data
directory, then N times: APPEND a message over a second IMAP connection (imaplib), and time until
watch prints its `added` line. watch prints a change only after the transaction that stored the
item has committed, so the line means "in the store"; a few items are checked with `satu show`.

Dovecot 2.3 delays every IDLE notification by a hard-coded 500 ms: that is the floor.

    keyctl session - tests/bench/push_latency.py [--count 100] [--satu PATH] [--record]

--satu defaults to the release build ($CARGO_TARGET_DIR or target/release/satu; build it with
`cargo build --release -p satu-cli`). --record appends the figures to tests/bench/RESULTS.md
under "Push latency". Needs a kernel keyring session (keyctl session -) for the account password.
"""

import argparse
import imaplib
import json
import os
import queue
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import latency_common
from latency_common import REPO, default_satu, percentile

FLOOR_MS = 500.0


def message(i):
    return (
        "From: Bench <bench@example.com>\r\nTo: alice@example.com\r\n"
        f"Subject: Push {i}\r\nMessage-ID: <push-{i}-{time.time_ns()}@example.com>\r\n"
        "Date: Mon, 02 Nov 2026 10:00:00 +0000\r\nContent-Type: text/plain\r\n\r\n"
        f"Body {i}.\r\n"
    ).encode()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--satu", default=default_satu())
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    if not os.access(args.satu, os.X_OK):
        sys.exit(f"push_latency: no satu binary at {args.satu} (cargo build --release -p satu-cli)")

    work = tempfile.mkdtemp(prefix="satu-push-bench-")
    os.chmod(work, 0o711)  # Dovecot serves mail as nobody when run as root
    server = os.path.join(work, "dovecot")
    data = os.path.join(work, "data")
    env = dict(os.environ, SATU_KEYRING="keyutils")
    env.pop("SATU_DATA_DIR", None)
    watch = None
    try:
        out = subprocess.run(
            ["bash", os.path.join(REPO, "tests/servers/dovecot.sh"), "start", server],
            check=True, capture_output=True, text=True,
        ).stdout
        line = [l for l in out.splitlines() if "IMAP_PORT=" in l][-1]
        dovecot = dict(kv.split("=", 1) for kv in line.split())
        port = int(dovecot["IMAP_PORT"])

        satu = [args.satu, "--data-dir", data]
        added_account = subprocess.run(
            satu + ["--json", "account", "add", "--email", "alice@example.com", "--username",
                    "alice", "--imap", f"127.0.0.1:{port}", "--smtp", f"127.0.0.1:{port}",
                    "--security", "plain", "--password-stdin"],
            input="alice-pass\n", capture_output=True, text=True, env=env,
        )
        if added_account.returncode != 0:
            sys.exit("push_latency: satu account add failed: " + added_account.stderr)

        watch = subprocess.Popen(
            satu + ["--json", "watch"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL, text=True, env=env, bufsize=1,
        )
        added = queue.Queue()
        connected = threading.Event()
        stderr_lines = []

        def read_stdout():
            for line in watch.stdout:
                stamp = time.monotonic()
                change = json.loads(line)
                if change.get("change") == "added":
                    added.put((stamp, change))

        def read_stderr():
            for line in watch.stderr:
                stderr_lines.append(line)
                try:
                    if json.loads(line).get("state") == "connected":
                        connected.set()
                except ValueError:
                    pass

        threading.Thread(target=read_stdout, daemon=True).start()
        threading.Thread(target=read_stderr, daemon=True).start()
        if not connected.wait(30):
            sys.exit("push_latency: watch did not connect:\n" + "".join(stderr_lines))

        imap = imaplib.IMAP4("127.0.0.1", port)
        imap.login("alice", "alice-pass")
        imap.append("INBOX", None, None, message(0))  # warm-up, not counted
        added.get(timeout=10)

        latencies = []
        ids = []
        for i in range(1, args.count + 1):
            # Quiet between messages: a change within ~500 ms of the previous notification would
            # ride on Dovecot's timer already running for it and look faster than it is.
            time.sleep(random.uniform(0.6, 1.0))
            start = time.monotonic()
            imap.append("INBOX", None, None, message(i))
            while True:
                try:
                    stamp, change = added.get(timeout=10)
                except queue.Empty:
                    sys.exit(f"push_latency: Push {i} never arrived:\n" + "".join(stderr_lines))
                if change["title"] == f"Push {i}":
                    break
            latencies.append((stamp - start) * 1000.0)
            ids.append(change["id"])
        imap.logout()

        # The line means "stored": spot-check a few items through the store.
        for item in random.sample(ids, min(5, len(ids))):
            subprocess.run(satu + ["--json", "show", str(item)], check=True,
                           capture_output=True, env=env)

        p50, p90, p99 = (percentile(latencies, p) for p in (50, 90, 99))
        worst = max(latencies)
        summary = (
            f"n={len(latencies)} p50={p50:.0f} ms p90={p90:.0f} ms p99={p99:.0f} ms "
            f"max={worst:.0f} ms min={min(latencies):.0f} ms mean={statistics.mean(latencies):.0f} ms; "
            f"p50/floor={p50 / FLOOR_MS:.2f} p99/floor={p99 / FLOOR_MS:.2f} "
            f"(floor: Dovecot's 500 ms IDLE delay)"
        )
        goals = f"goals p50 <= 600 ms: {'met' if p50 <= 600 else 'MISSED'}, p99 <= 800 ms: {'met' if p99 <= 800 else 'MISSED'}"
        print(summary)
        print(goals)
        if args.record:
            record(summary, goals, len(latencies))
    finally:
        if watch is not None:
            watch.terminate()
            try:
                watch.wait(10)
            except subprocess.TimeoutExpired:
                watch.kill()
        subprocess.run(["bash", os.path.join(REPO, "tests/servers/dovecot.sh"), "stop", server],
                       capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


INTRO = (
    "`tests/bench/push_latency.py`: APPEND by another client (imaplib) → `added` line of\n"
    "`satu --json watch` (release build; printed after the item's transaction committed),\n"
    "private Dovecot 2.3 on 127.0.0.1, whose IDLE notifications are delayed 500 ms.\n"
)


def record(summary, goals, count):
    latency_common.record("Push latency", INTRO, summary, goals)


if __name__ == "__main__":
    main()
