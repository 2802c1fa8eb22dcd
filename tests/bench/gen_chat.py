#!/usr/bin/env python3
"""Fills a private Synapse (tests/servers/synapse.sh) with chat for the benchmarks.

    gen_chat.py URL N [--per-room 50]       bob makes ceil(N / per-room) rooms with alice in
                                            them and writes N messages in all
    gen_chat.py URL --one ROOM_NAME TEXT    bob writes one more message in that room

Users alice / alice-pass and bob / bob-pass (synapse.sh's defaults). Room names are
"Bench room <k>"; message i is deterministic. One keep-alive connection per user; loopback only.
Prints the counts and the time taken on stderr.
"""

import argparse
import http.client
import json
import sys
import time
import urllib.parse


class User:
    def __init__(self, url, name, password):
        parts = urllib.parse.urlsplit(url)
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            sys.exit("gen_chat.py: only a homeserver on loopback, not %s" % url)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        self.token = None
        self.txn = 0
        self.token = self.call("POST", "/login", {
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": name},
            "password": password,
        })["access_token"]

    def call(self, method, path, body=None, fail=True):
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        payload = None if method == "GET" else json.dumps(body if body is not None else {})
        self.conn.request(method, "/_matrix/client/v3" + path, payload, headers)
        answer = self.conn.getresponse()
        data = answer.read()
        if answer.status != 200:
            if not fail:
                return None
            sys.exit("gen_chat.py: %s %s answered %d: %s" % (method, path, answer.status, data[:300]))
        return json.loads(data)

    def send(self, room, text):
        self.txn += 1
        return self.call("PUT", "/rooms/%s/send/m.room.message/gen-%d-%d"
                         % (quote(room), int(time.time() * 1000), self.txn),
                         {"msgtype": "m.text", "body": text})


def quote(s):
    return urllib.parse.quote(s, safe="")


def room_by_name(user, name):
    for room in user.call("GET", "/joined_rooms")["joined_rooms"]:
        got = user.call("GET", "/rooms/%s/state/m.room.name/" % quote(room), fail=False)
        if got and got.get("name") == name:
            return room
    sys.exit("gen_chat.py: bob is in no room named %r" % name)


WORDS = ("ferry meeting budget laporan esok slides invoice review release approved semak "
         "tomorrow please thanks hantar 预算 明天 rapport demain").split()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("n", nargs="?", type=int)
    ap.add_argument("--per-room", type=int, default=50)
    ap.add_argument("--one", nargs=2, metavar=("ROOM_NAME", "TEXT"))
    args = ap.parse_args()
    bob = User(args.url, "bob", "bob-pass")
    if args.one:
        bob.send(room_by_name(bob, args.one[0]), args.one[1])
        return
    if not args.n or args.n < 1:
        sys.exit("gen_chat.py: N must be a positive number")
    alice = User(args.url, "alice", "alice-pass")
    started = time.time()
    rooms = -(-args.n // args.per_room)
    sent = 0
    for k in range(rooms):
        room = bob.call("POST", "/createRoom", {
            "name": "Bench room %d" % k, "invite": ["@alice:localhost"], "preset": "private_chat",
        })["room_id"]
        alice.call("POST", "/join/%s" % quote(room))
        for _ in range(min(args.per_room, args.n - sent)):
            i = sent
            words = " ".join(WORDS[(i * 7 + w * 3) % len(WORDS)] for w in range(3 + i % 9))
            bob.send(room, "Message %d: %s" % (i, words))
            sent += 1
    print("gen_chat.py: %d messages in %d rooms in %.1f s" % (sent, rooms, time.time() - started),
          file=sys.stderr)


if __name__ == "__main__":
    main()
