#!/usr/bin/env python3
"""Chat latency: how long from another user's send to the message being in Satu's store.

Starts a private Synapse (tests/servers/synapse.sh) and `satu --json watch` on a fresh data
directory with alice's Matrix account, in a room that bob made. Then N times: bob sends a message
(PUT /send over HTTP), and we time until watch prints its `added` line (printed only after the
transaction that stored the item committed: "in the store"). In the same run, a plain long-poll
client of alice's (a second device: GET /sync with timeout=30000 in a loop, Python's urllib, no
store at all) times when the same message reaches it: that is Synapse's own delivery time here,
the floor. Prints the percentiles of both and the ratio.

Goal (issue #7): Satu's p50 <= 200 ms.

    keyctl session - tests/bench/chat_latency.py [--count 100] [--satu PATH] [--record]

--satu defaults to the release build ($CARGO_TARGET_DIR or target/release/satu; build it with
`cargo build --release -p satu-cli`). --record appends the figures to tests/bench/RESULTS.md
under "Chat latency". Needs a kernel keyring session (keyctl session -) for the access token.
"""

import argparse
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
import urllib.error
import urllib.parse
import urllib.request

import latency_common
from latency_common import REPO, default_satu, percentile

GOAL_P50_MS = 200.0


class Client:
    """A minimal Matrix client over urllib."""

    def __init__(self, base, token=""):
        self.base = base.rstrip("/")
        self.token = token

    def call(self, method, path, body=None, timeout=60):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + "/_matrix/client" + path, data=data, method=method)
        if self.token:
            req.add_header("Authorization", "Bearer " + self.token)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return json.loads(resp.read())

    def login(self, user, password):
        answer = self.call("POST", "/v3/login", {
    "type": "m.login.password",
    "identifier": {"type": "m.id.user", "user": user},
    "password": password,
        })
        return Client(self.base, answer["access_token"])


def q(s):
    return urllib.parse.quote(s, safe="")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--satu", default=default_satu())
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    if not os.access(args.satu, os.X_OK):
        sys.exit(f"chat_latency: no satu binary at {args.satu} (cargo build --release -p satu-cli)")

    work = tempfile.mkdtemp(prefix="satu-chat-bench-")
    server = os.path.join(work, "synapse")
    data = os.path.join(work, "data")
    env = dict(os.environ, SATU_KEYRING="keyutils")
    env.pop("SATU_DATA_DIR", None)
    watch = None
    stop = threading.Event()
    try:
        out = subprocess.run(
            ["bash", os.path.join(REPO, "tests/servers/synapse.sh"), "start", server],
            check=True, capture_output=True, text=True,
        ).stdout
        line = [l for l in out.splitlines() if "SYNAPSE_URL=" in l][-1]
        synapse = dict(kv.split("=", 1) for kv in line.split())
        url = synapse["SYNAPSE_URL"]

        anonymous = Client(url)
        bob = anonymous.login("bob", "bob-pass")
        peer = anonymous.login("alice", "alice-pass")  # alice's other device: the floor
        room = bob.call("POST", "/v3/createRoom", {
    "name": "Bench", "invite": ["@alice:localhost"], "preset": "private_chat",
        })["room_id"]
        peer.call("POST", f"/v3/join/{q(room)}", {})

        satu = [args.satu, "--data-dir", data]
        added_account = subprocess.run(
            satu + ["--json", "account", "add-matrix", "--homeserver", url, "--user", "alice",
                    "--password-stdin"],
            input="alice-pass\n", capture_output=True, text=True, env=env,
        )
        if added_account.returncode != 0:
            sys.exit("chat_latency: satu account add-matrix failed: " + added_account.stderr)

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
                if change.get("change") == "added" and change.get("kind") == "chat":
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
            sys.exit("chat_latency: watch did not connect:\n" + "".join(stderr_lines))

        # The floor: a plain long-poll loop of alice's other device, stamping each message body.
        seen_by_peer = {}
        since = peer.call("GET", "/v3/sync?timeout=0")["next_batch"]
        peer_ready = threading.Event()

        def long_poll():
            nonlocal since
            while not stop.is_set():
                peer_ready.set()
                try:
                    answer = peer.call("GET", f"/v3/sync?timeout=30000&since={q(since)}", timeout=45)
                except (urllib.error.URLError, OSError):
                    if stop.is_set():
                        return
                    time.sleep(0.1)
                    continue
                stamp = time.monotonic()
                since = answer["next_batch"]
                joined = answer.get("rooms", {}).get("join", {})
                for events in joined.values():
                    for event in events.get("timeline", {}).get("events", []):
                        body = event.get("content", {}).get("body")
                        if body:
                            seen_by_peer.setdefault(body, stamp)

        threading.Thread(target=long_poll, daemon=True).start()
        peer_ready.wait(10)

        def send(text):
            txn = f"bench-{time.time_ns()}"
            bob.call("PUT", f"/v3/rooms/{q(room)}/send/m.room.message/{q(txn)}",
                     {"msgtype": "m.text", "body": text})

        send("warm-up")  # not counted
        added.get(timeout=10)

        satu_ms, peer_ms, ids = [], [], []
        for i in range(1, args.count + 1):
            time.sleep(random.uniform(0.3, 0.6))
            text = f"Latency {i}"
            start = time.monotonic()
            send(text)
            while True:
                try:
                    stamp, change = added.get(timeout=10)
                except queue.Empty:
                    sys.exit(f"chat_latency: {text} never reached Satu:\n" + "".join(stderr_lines[-30:]))
                ids.append(change["id"])
                break
            satu_ms.append((stamp - start) * 1000.0)
            deadline = time.monotonic() + 10
            while text not in seen_by_peer and time.monotonic() < deadline:
                time.sleep(0.005)
            if text in seen_by_peer:
                peer_ms.append((seen_by_peer[text] - start) * 1000.0)

        # The line means "stored": check the texts through the store.
        for item in random.sample(ids, min(5, len(ids))):
            shown = subprocess.run(satu + ["--json", "show", str(item)], check=True,
                                   capture_output=True, text=True, env=env).stdout
            if not json.loads(shown).get("body_text", "").startswith("Latency "):
                sys.exit(f"chat_latency: item {item} is not a latency message: {shown}")

        def stats(values):
            return (f"p50={percentile(values, 50):.0f} ms p90={percentile(values, 90):.0f} ms "
                    f"p99={percentile(values, 99):.0f} ms max={max(values):.0f} ms "
                    f"mean={statistics.mean(values):.0f} ms")

        p50 = percentile(satu_ms, 50)
        floor = percentile(peer_ms, 50) if peer_ms else float("nan")
        build = "release build" if "/release/" in args.satu else args.satu
        summary = (f"n={len(satu_ms)}; Satu (send → in the store, {build}): {stats(satu_ms)}; "
                   f"plain long-poll client (floor, n={len(peer_ms)}): {stats(peer_ms)}; "
                   f"p50 ratio Satu/floor = {p50 / floor:.2f}")
        goals = f"goal p50 <= {GOAL_P50_MS:.0f} ms: {'met' if p50 <= GOAL_P50_MS else 'MISSED'}"
        print(summary)
        print(goals)
        if args.record:
            record(summary, goals)
    finally:
        stop.set()
        if watch is not None:
            watch.terminate()
            try:
                watch.wait(10)
            except subprocess.TimeoutExpired:
                watch.kill()
        subprocess.run(["bash", os.path.join(REPO, "tests/servers/synapse.sh"), "stop", server],
                       capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


INTRO = (
    "`tests/bench/chat_latency.py`: bob's send (PUT /send) → `added` line of\n"
    "`satu --json watch` (printed after the item's transaction committed), private\n"
    "Synapse on 127.0.0.1 with SQLite; beside it, in the same run, the time the same\n"
    "message reaches a plain long-poll `/sync` loop of alice's other device (urllib, no\n"
    "store): Synapse's own delivery, the floor. Sends are 0.3–0.6 s apart. Run:\n"
    "`keyctl session - tests/bench/chat_latency.py --record` after\n"
    "`cargo build --release -p satu-cli`.\n"
)


def record(summary, goals):
    latency_common.record("Chat latency", INTRO, summary, goals)


if __name__ == "__main__":
    main()
